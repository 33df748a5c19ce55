// The "defaults, end to end" tables of the clusterers: an estimator built
// with its defaults (except the parameters a table names), timed as a whole
// FitPredict, against scikit-learn 1.2's class with its defaults on the same
// data in the same run (benchmarks/common/e2e_sklearn.py), with peak memory
// and a label-by-label comparison.
#ifndef ECLIPSERA_BENCHMARKS_COMMON_END_TO_END_H_
#define ECLIPSERA_BENCHMARKS_COMMON_END_TO_END_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmarks/common/report.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::bench {

// scikit-learn's side of an end-to-end table: `sklearn_class`
// ("cluster.KMeans", "mixture.GaussianMixture") built with `params`
// ("name=value", its defaults otherwise), fitted `repeats` times on x by
// benchmarks/common/e2e_sklearn.py.
struct SklearnFit {
  Measurement row;  // "scikit-learn CLASS, defaults": median time, peak
  std::map<std::string, double> values;  // n_iter, inertia, lower_bound...
  absl::StatusOr<Matrix> labels;         // labels_, for clusterers
};
absl::StatusOr<SklearnFit> SklearnEndToEnd(
    const std::string& sklearn_class, const Matrix& x, int repeats,
    const std::vector<std::string>& params);

// Prints the rows under `title` + " — defaults, end to end", then the
// end-to-end speedup of `ours` over `sklearn` (when scikit-learn ran).
void PrintEndToEnd(const std::string& title,
                   const std::vector<Measurement>& rows,
                   const Measurement* sklearn, const Measurement& ours);

// Prints the table titled `title` (+ " — defaults, end to end"): rows for
// scikit-learn's `sklearn_class` with `sklearn_params` ("name=value") and
// for a clone of `prototype` ("cluster.CLASS" on scikit-learn's side),
// both fitted `repeats` times (the median shown; scikit-learn
// `sklearn_repeats` times); the note says whether the
// labels are equal (or the same partition, numbered differently). In smoke
// mode only Eclipsera runs, once.
void ClustererEndToEnd(const std::string& title, const Matrix& x,
                       const Estimator& prototype,
                       const std::string& sklearn_class,
                       const std::vector<std::string>& sklearn_params,
                       int repeats = 3, int sklearn_repeats = 3);

// One of scikit-learn's bundled datasets (iris, wine, digits,
// breast_cancer) through benchmarks/common/dump_dataset.py.
absl::StatusOr<Matrix> RealDataset(const std::string& name);

}  // namespace eclipsera::bench

#endif  // ECLIPSERA_BENCHMARKS_COMMON_END_TO_END_H_
