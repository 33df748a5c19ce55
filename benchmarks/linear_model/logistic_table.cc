// LogisticRegression (lbfgs, multinomial) on 100,000 x 50, 10 classes
// (issue 13: >= 3x scikit-learn end to end, with an objective at least as
// good), defaults, against scikit-learn in the same run.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmarks/common/report.h"
#include "eclipsera/core/random.h"
#include "eclipsera/linear_model/logistic.h"

namespace eclipsera::bench {
namespace {

void Table(Index n, Index d, int k) {
  const bool smoke = TableSmokeMode();
  // Overlapping Gaussian classes: the optimum is finite and interior.
  Random rng(21 + DataSeed());
  Matrix centers(k, d);
  for (Index i = 0; i < centers.size(); ++i) centers.data()[i] = rng.Normal();
  Matrix x(n, d);
  std::vector<double> y(n);
  std::vector<int32_t> codes(n);
  for (Index i = 0; i < n; ++i) {
    codes[i] = static_cast<int32_t>(rng.UniformInt(k));
    y[i] = codes[i];
    for (Index j = 0; j < d; ++j) {
      x(i, j) = centers(codes[i], j) + 3.0 * rng.Normal();
    }
  }
  std::vector<Measurement> rows;
  double sk_seconds = 0.0, sk_objective = 0.0;
  if (!smoke) {
    const std::string xp = WriteTempNpy(x, "X.npy");
    const std::string yp =
        WriteTempNpy(Eigen::Map<const Vector>(y.data(), n), "y.npy");
    absl::StatusOr<std::map<std::string, double>> sk = RunPython(
        Runfile("benchmarks/linear_model/logistic_sklearn.py"), {xp, yp});
    if (sk.ok()) {
      sk_seconds = sk->at("seconds");
      sk_objective = sk->at("objective");
      Measurement m;
      m.config = "scikit-learn 1.2, LogisticRegression().fit";
      m.seconds = sk_seconds;
      m.allocations = -1;
      m.note = absl::StrFormat("1 run; n_iter %.0f, objective %.10g",
                               sk->at("n_iter"), sk_objective);
      rows.push_back(m);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  Measurement fast;
  double objective = 0.0;
  for (int n_jobs : {1, -1}) {
    linear_model::LogisticRegressionOptions o;
    o.n_jobs = n_jobs;
    linear_model::LogisticRegression model(o);
    Measurement m = Measure(absl::StrFormat("eclipsera, n_jobs=%d%s", n_jobs,
                                            n_jobs == -1 ? " (default)" : ""),
                            smoke ? 1 : 3, [&] { (void)model.Fit(x, y); });
    objective = linear_model::LogisticObjective(x, codes, {}, model.coef(),
                                                model.intercept(), 1.0);
    m.note = absl::StrFormat("n_iter %d, objective %.10g", model.n_iter(),
                             objective);
    rows.push_back(m);
    if (n_jobs == -1) fast = m;
  }
  PrintTable(absl::StrFormat("LogisticRegression (lbfgs), %d x %d, %d "
                             "classes, fit",
                             n, d, k),
             rows);
  if (sk_seconds > 0) {
    std::printf(
        "\nspeedup vs scikit-learn (defaults): %.1fx (target >= 3x); "
        "objective %.10g vs scikit-learn's %.10g (%s)\n",
        sk_seconds / fast.seconds, objective, sk_objective,
        objective <= sk_objective * (1 + 1e-8) ? "no worse" : "WORSE");
  }
}

}  // namespace
}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  eclipsera::bench::ParseFlags(argc, argv);
  const bool smoke = eclipsera::bench::TableSmokeMode();
  eclipsera::bench::Table(smoke ? 2000 : 100000, 50, 10);
  return 0;
}
