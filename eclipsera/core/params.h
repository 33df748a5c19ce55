// Parameters by name: the dynamic side of every estimator's options struct.
//
// Model selection, pipelines and the command-line tool set hyperparameters
// by scikit-learn name ("n_clusters", "random_state"). A `ParamSchema<O>`
// binds those names to the fields of an options struct `O` with type checks;
// an unknown name is an error that lists the valid names.
#ifndef ECLIPSERA_CORE_PARAMS_H_
#define ECLIPSERA_CORE_PARAMS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace eclipsera {

class Estimator;

// An estimator as a parameter value (a pipeline step, a search's base
// estimator, a grid ranging over estimators). `prototype` is immutable and
// shared by copies of the value; whoever fits it fits a Clone(), so one
// value set into two places never shares fitted state. `repr` renders the
// class and its parameters, "KMeans(n_clusters=3, ...)", computed once when
// the value is made (MakeEstimatorParam in estimator.h): two values are
// equal when they are the same class with the same parameters.
struct EstimatorParam {
  std::shared_ptr<const Estimator> prototype;
  std::string repr;
  // Estimator::StructureKey() of the prototype: everything that defines it
  // (a composite's step order, a ColumnTransformer's columns), which repr
  // may not show.
  std::string key;

  friend bool operator==(const EstimatorParam& a, const EstimatorParam& b) {
    return a.key == b.key;
  }
  friend bool operator!=(const EstimatorParam& a, const EstimatorParam& b) {
    return !(a == b);
  }
};

// None (std::monostate), bool, int, double, string, a list of doubles, or
// an estimator. Composites also accept the string "passthrough" where a step
// may be skipped, as scikit-learn does.
using ParamValue =
    std::variant<std::monostate, bool, int64_t, double, std::string,
                 std::vector<double>, EstimatorParam>;
using ParamMap = std::map<std::string, ParamValue, std::less<>>;

// "None", "true", "3", "0.5", "'lloyd'" or "[1, 2.5]" style rendering.
std::string FormatParamValue(const ParamValue& value);

// Parses command-line text: "none"/"None" -> None, "true"/"false" -> bool,
// an integer literal -> int, a number -> double, "a,b,c" of numbers -> list,
// anything else -> string.
ParamValue ParseParamValue(absl::string_view text);

// Typed conversions used by setters. int converts to double; a double with
// an integral value converts to int; nothing else converts. On mismatch:
// InvalidArgument naming the parameter, the expected and the given type.
absl::StatusOr<int64_t> ParamAsInt(absl::string_view name, const ParamValue& v);
absl::StatusOr<double> ParamAsDouble(absl::string_view name,
                                     const ParamValue& v);
absl::StatusOr<bool> ParamAsBool(absl::string_view name, const ParamValue& v);
absl::StatusOr<std::string> ParamAsString(absl::string_view name,
                                          const ParamValue& v);
absl::StatusOr<std::vector<double>> ParamAsDoubles(absl::string_view name,
                                                   const ParamValue& v);
absl::StatusOr<EstimatorParam> ParamAsEstimator(absl::string_view name,
                                                const ParamValue& v);

// One parameter's name, current (or default) value and a one-line doc.
struct ParamInfo {
  std::string name;
  ParamValue value;
  std::string doc;
};

// Binds parameter names to the fields of an options struct `Options`.
// Build one per options type (a function-local static) with the Add calls,
// then Get/Set/Describe options objects through it. Setting is atomic: on
// any error no field of the target changes.
template <class Options>
class ParamSchema {
 public:
  using Getter = std::function<ParamValue(const Options&)>;
  using Setter = std::function<absl::Status(Options&, const ParamValue&)>;

  explicit ParamSchema(std::string owner) : owner_(std::move(owner)) {}

  ParamSchema& Add(std::string name, std::string doc, Getter get, Setter set) {
    entries_.push_back(
        {std::move(name), std::move(doc), std::move(get), std::move(set)});
    return *this;
  }

  ParamSchema& Int(std::string name, int Options::*field, std::string doc) {
    return Add(
        name, std::move(doc),
        [field](const Options& o) { return ParamValue(int64_t{o.*field}); },
        [field, name](Options& o, const ParamValue& v) -> absl::Status {
          absl::StatusOr<int64_t> i = ParamAsInt(name, v);
          if (!i.ok()) return i.status();
          if (*i < std::numeric_limits<int>::min() ||
              *i > std::numeric_limits<int>::max()) {
            return absl::InvalidArgumentError(absl::StrCat(
                "parameter '", name, "' = ", *i, " does not fit a 32-bit int"));
          }
          o.*field = static_cast<int>(*i);
          return absl::OkStatus();
        });
  }
  ParamSchema& Double(std::string name, double Options::*field,
                      std::string doc) {
    return Add(
        name, std::move(doc),
        [field](const Options& o) { return ParamValue(o.*field); },
        [field, name](Options& o, const ParamValue& v) -> absl::Status {
          absl::StatusOr<double> d = ParamAsDouble(name, v);
          if (!d.ok()) return d.status();
          o.*field = *d;
          return absl::OkStatus();
        });
  }
  ParamSchema& Bool(std::string name, bool Options::*field, std::string doc) {
    return Add(
        name, std::move(doc),
        [field](const Options& o) { return ParamValue(o.*field); },
        [field, name](Options& o, const ParamValue& v) -> absl::Status {
          absl::StatusOr<bool> b = ParamAsBool(name, v);
          if (!b.ok()) return b.status();
          o.*field = *b;
          return absl::OkStatus();
        });
  }
  // A string parameter; when `allowed` is not empty the value must be one
  // of them (checked when set, so a typo fails at SetParams).
  ParamSchema& String(std::string name, std::string Options::*field,
                      std::string doc, std::vector<std::string> allowed = {}) {
    return Add(
        name, std::move(doc),
        [field](const Options& o) { return ParamValue(o.*field); },
        [field, name, allowed](Options& o,
                               const ParamValue& v) -> absl::Status {
          absl::StatusOr<std::string> s = ParamAsString(name, v);
          if (!s.ok()) return s.status();
          if (!allowed.empty() &&
              std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
            std::string list;
            for (const std::string& a : allowed) {
              absl::StrAppend(&list, list.empty() ? "" : ", ", "'", a, "'");
            }
            return absl::InvalidArgumentError(
                absl::StrCat("unknown ", name, " '", *s, "'; allowed: ", list));
          }
          o.*field = *std::move(s);
          return absl::OkStatus();
        });
  }
  // An optional integer (None allowed), e.g. random_state.
  ParamSchema& OptionalInt(std::string name,
                           std::optional<int64_t> Options::*field,
                           std::string doc) {
    return Add(
        name, std::move(doc),
        [field](const Options& o) {
          return (o.*field).has_value() ? ParamValue(*(o.*field))
                                        : ParamValue();
        },
        [field, name](Options& o, const ParamValue& v) -> absl::Status {
          if (std::holds_alternative<std::monostate>(v)) {
            (o.*field).reset();
            return absl::OkStatus();
          }
          absl::StatusOr<int64_t> i = ParamAsInt(name, v);
          if (!i.ok()) return i.status();
          o.*field = *i;
          return absl::OkStatus();
        });
  }
  // An optional double (None allowed), e.g. MeanShift's bandwidth.
  ParamSchema& OptionalDouble(std::string name,
                              std::optional<double> Options::*field,
                              std::string doc) {
    return Add(
        name, std::move(doc),
        [field](const Options& o) {
          return (o.*field).has_value() ? ParamValue(*(o.*field))
                                        : ParamValue();
        },
        [field, name](Options& o, const ParamValue& v) -> absl::Status {
          if (std::holds_alternative<std::monostate>(v)) {
            (o.*field).reset();
            return absl::OkStatus();
          }
          absl::StatusOr<double> d = ParamAsDouble(name, v);
          if (!d.ok()) return d.status();
          o.*field = *d;
          return absl::OkStatus();
        });
  }

  // A pair of numbers, scikit-learn's tuples such as feature_range=(0, 1):
  // a list of exactly two numbers (command line: "0,1").
  ParamSchema& Pair(std::string name, std::array<double, 2> Options::*field,
                    std::string doc) {
    return Add(
        name, std::move(doc),
        [field](const Options& o) {
          return ParamValue(
              std::vector<double>((o.*field).begin(), (o.*field).end()));
        },
        [field, name](Options& o, const ParamValue& v) -> absl::Status {
          absl::StatusOr<std::vector<double>> d = ParamAsDoubles(name, v);
          if (!d.ok()) return d.status();
          if (d->size() != 2) {
            return absl::InvalidArgumentError(absl::StrCat(
                "parameter '", name, "' expects a pair of numbers (a, b), got ",
                d->size(), " values"));
          }
          o.*field = {(*d)[0], (*d)[1]};
          return absl::OkStatus();
        });
  }

  // An estimator-valued parameter (see EstimatorParam); None is refused.
  ParamSchema& Nested(std::string name, EstimatorParam Options::*field,
                      std::string doc) {
    return Add(
        name, std::move(doc),
        [field](const Options& o) { return ParamValue(o.*field); },
        [field, name](Options& o, const ParamValue& v) -> absl::Status {
          absl::StatusOr<EstimatorParam> e = ParamAsEstimator(name, v);
          if (!e.ok()) return e.status();
          o.*field = *std::move(e);
          return absl::OkStatus();
        });
  }

  ParamMap Get(const Options& o) const {
    ParamMap out;
    for (const Entry& e : entries_) out.emplace(e.name, e.get(o));
    return out;
  }

  // Sets every named parameter or none: the values are applied to a copy
  // that replaces `o` only when all of them were accepted.
  absl::Status Set(Options& o, const ParamMap& params) const {
    Options copy = o;
    for (const auto& [name, value] : params) {
      const Entry* e = Find(name);
      if (e == nullptr) return UnknownName(name);
      absl::Status s = e->set(copy, value);
      if (!s.ok()) {
        return absl::Status(s.code(), absl::StrCat(owner_, ": ", s.message()));
      }
    }
    o = std::move(copy);
    return absl::OkStatus();
  }

  std::vector<ParamInfo> Describe(const Options& o) const {
    std::vector<ParamInfo> out;
    for (const Entry& e : entries_) out.push_back({e.name, e.get(o), e.doc});
    return out;
  }

  const std::string& owner() const { return owner_; }

 private:
  struct Entry {
    std::string name;
    std::string doc;
    Getter get;
    Setter set;
  };

  const Entry* Find(absl::string_view name) const {
    for (const Entry& e : entries_) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }

  absl::Status UnknownName(absl::string_view name) const {
    std::string list;
    for (const Entry& e : entries_) {
      absl::StrAppend(&list, list.empty() ? "" : ", ", e.name);
    }
    return absl::InvalidArgumentError(absl::StrCat(
        owner_, ": unknown parameter '", name, "'; valid parameters: ", list));
  }

  std::string owner_;
  std::vector<Entry> entries_;
};

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_PARAMS_H_
