// Parameter values: formatting, parsing and typed conversion.
#include "eclipsera/core/params.h"

#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace eclipsera {
namespace {

const char* TypeName(const ParamValue& v) {
  switch (v.index()) {
    case 0:
      return "None";
    case 1:
      return "bool";
    case 2:
      return "int";
    case 3:
      return "float";
    case 4:
      return "string";
    case 5:
      return "list of floats";
    default:
      return "estimator";
  }
}

absl::Status TypeError(absl::string_view name, absl::string_view expected,
                       const ParamValue& v) {
  return absl::InvalidArgumentError(
      absl::StrCat("parameter '", name, "' expects ", expected, ", got ",
                   TypeName(v), " ", FormatParamValue(v)));
}

}  // namespace

std::string FormatParamValue(const ParamValue& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "None"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return absl::StrCat(i); }
    std::string operator()(double d) const { return absl::StrCat(d); }
    std::string operator()(const std::string& s) const {
      return absl::StrCat("'", s, "'");
    }
    std::string operator()(const std::vector<double>& v) const {
      return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
    }
    std::string operator()(const EstimatorParam& e) const { return e.repr; }
  };
  return std::visit(Visitor{}, value);
}

ParamValue ParseParamValue(absl::string_view text) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  const std::string lower = absl::AsciiStrToLower(t);
  if (lower == "none" || lower == "null") return ParamValue();
  if (lower == "true") return ParamValue(true);
  if (lower == "false") return ParamValue(false);
  int64_t i;
  if (absl::SimpleAtoi(t, &i)) return ParamValue(i);
  double d;
  if (absl::SimpleAtod(t, &d) &&
      lower.find_first_of("0123456789") != std::string::npos) {
    return ParamValue(d);
  }
  if (t.find(',') != absl::string_view::npos) {
    absl::string_view inner = t;
    absl::ConsumePrefix(&inner, "[");
    absl::ConsumeSuffix(&inner, "]");
    std::vector<double> values;
    bool all_numbers = true;
    for (absl::string_view part : absl::StrSplit(inner, ',')) {
      double x;
      if (!absl::SimpleAtod(absl::StripAsciiWhitespace(part), &x)) {
        all_numbers = false;
        break;
      }
      values.push_back(x);
    }
    if (all_numbers) return ParamValue(std::move(values));
  }
  return ParamValue(std::string(t));
}

absl::StatusOr<int64_t> ParamAsInt(absl::string_view name,
                                   const ParamValue& v) {
  if (const int64_t* i = std::get_if<int64_t>(&v)) return *i;
  if (const double* d = std::get_if<double>(&v)) {
    if (std::isfinite(*d) && std::floor(*d) == *d &&
        std::abs(*d) < 9.007199254740992e15) {
      return static_cast<int64_t>(*d);
    }
  }
  return TypeError(name, "an int", v);
}

absl::StatusOr<double> ParamAsDouble(absl::string_view name,
                                     const ParamValue& v) {
  if (const double* d = std::get_if<double>(&v)) {
    // No estimator parameter is meaningful at NaN or +-Inf, and "1e400" on a
    // command line parses to Inf: reject here rather than fit garbage.
    if (!std::isfinite(*d)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parameter '", name, "' = ", *d, ", must be a finite number"));
    }
    return *d;
  }
  if (const int64_t* i = std::get_if<int64_t>(&v)) {
    return static_cast<double>(*i);
  }
  return TypeError(name, "a float", v);
}

absl::StatusOr<bool> ParamAsBool(absl::string_view name, const ParamValue& v) {
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  return TypeError(name, "a bool", v);
}

absl::StatusOr<std::string> ParamAsString(absl::string_view name,
                                          const ParamValue& v) {
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  return TypeError(name, "a string", v);
}

absl::StatusOr<std::vector<double>> ParamAsDoubles(absl::string_view name,
                                                   const ParamValue& v) {
  if (const auto* l = std::get_if<std::vector<double>>(&v)) return *l;
  if (const double* d = std::get_if<double>(&v)) {
    return std::vector<double>{*d};
  }
  if (const int64_t* i = std::get_if<int64_t>(&v)) {
    return std::vector<double>{static_cast<double>(*i)};
  }
  return TypeError(name, "a list of floats", v);
}

absl::StatusOr<EstimatorParam> ParamAsEstimator(absl::string_view name,
                                                const ParamValue& v) {
  if (const auto* e = std::get_if<EstimatorParam>(&v)) {
    if (e->prototype != nullptr) return *e;
  }
  return TypeError(name, "an estimator", v);
}

}  // namespace eclipsera
