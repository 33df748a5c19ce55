// Parameter spaces, as scikit-learn 1.2's ParameterGrid and
// ParameterSampler.
#ifndef ECLIPSERA_MODEL_SELECTION_PARAMETER_GRID_H_
#define ECLIPSERA_MODEL_SELECTION_PARAMETER_GRID_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/random.h"

namespace eclipsera::model_selection {

// A parameter's values: a list, or one of scipy.stats' distributions by
// their scipy arguments: uniform(loc, scale) on [loc, loc + scale],
// loguniform(a, b) on [a, b] (a > 0), randint(low, high) on the integers
// of [low, high).
struct Distribution {
  enum class Kind { kList, kUniform, kLogUniform, kRandInt };
  Kind kind = Kind::kList;
  std::vector<ParamValue> values;  // kList
  double a = 0, b = 0;             // the distribution's two arguments

  static Distribution List(std::vector<ParamValue> values) {
    return {Kind::kList, std::move(values), 0, 0};
  }
  static Distribution Uniform(double loc, double scale) {
    return {Kind::kUniform, {}, loc, scale};
  }
  static Distribution LogUniform(double a, double b) {
    return {Kind::kLogUniform, {}, a, b};
  }
  static Distribution RandInt(int64_t low, int64_t high) {
    return {Kind::kRandInt,
            {},
            static_cast<double>(low),
            static_cast<double>(high)};
  }

  bool is_list() const { return kind == Kind::kList; }
  ParamValue Sample(Random& rng) const;
  // "[1, 2]", "uniform(0, 1)", ...
  std::string Repr() const;
};

// Parameter name -> values (a map: keys iterate sorted).
using ParamSpace = std::map<std::string, Distribution, std::less<>>;

// Every combination of a grid (or of a list of grids, one after the
// other): keys sorted, the last key varying fastest. An empty map is one
// candidate with no parameters.
class ParameterGrid {
 public:
  // InvalidArgument for an empty list of grids, an empty value list or a
  // distribution (grids take lists only).
  static absl::StatusOr<ParameterGrid> Create(std::vector<ParamSpace> grids);

  size_t size() const;
  // Candidate i, 0 <= i < size().
  ParamMap operator[](size_t i) const;
  std::vector<ParamMap> All() const;
  const std::vector<ParamSpace>& grids() const { return grids_; }

 private:
  explicit ParameterGrid(std::vector<ParamSpace> grids)
      : grids_(std::move(grids)) {}
  std::vector<ParamSpace> grids_;
};

// n_iter candidates drawn from the spaces: when every entry of every
// space is a list, sampled without replacement from the grid (n_iter capped
// at the grid size, with a warning); otherwise each draw picks a space at
// random, then each key (sorted) a value.
class ParameterSampler {
 public:
  static absl::StatusOr<ParameterSampler> Create(
      std::vector<ParamSpace> spaces, int n_iter,
      std::optional<int64_t> random_state = std::nullopt);

  // The candidates; `warnings` (may be null) gets the cap warning.
  std::vector<ParamMap> Sample(std::vector<std::string>* warnings) const;
  int n_iter() const { return n_iter_; }

 private:
  ParameterSampler(std::vector<ParamSpace> spaces, int n_iter,
                   std::optional<int64_t> random_state)
      : spaces_(std::move(spaces)),
        n_iter_(n_iter),
        random_state_(random_state) {}
  std::vector<ParamSpace> spaces_;
  int n_iter_;
  std::optional<int64_t> random_state_;
};

// Parses the command line's JSON grid: a map or a list of maps from
// parameter name to a list of values or a distribution written
// {"uniform": [loc, scale]}, {"loguniform": [a, b]}, {"randint": [low,
// high]}. JSON numbers become ints when written without a fraction or
// exponent, strings stay strings, null is None, true/false are bools.
absl::StatusOr<std::vector<ParamSpace>> ParseParamSpaces(
    absl::string_view json);

}  // namespace eclipsera::model_selection

#endif  // ECLIPSERA_MODEL_SELECTION_PARAMETER_GRID_H_
