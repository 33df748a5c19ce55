// DBSCAN tables: neighbour-search variants (time, peak memory, allocations)
// and scikit-learn side by side on 50,000 2-D points (eps 0.3,
// min_samples 10) in the same run, plus 1,000,000 points.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/report.h"
#include "eclipsera/cluster/dbscan.h"

namespace eclipsera::bench {
namespace {

Measurement Run(const std::string& config, const Matrix& x,
                const std::string& algorithm, int n_jobs, int repeats) {
  cluster::DBSCANOptions o;
  o.eps = 0.3;
  o.min_samples = 10;
  o.algorithm = algorithm;
  o.n_jobs = n_jobs;
  cluster::DBSCAN db(o);
  Measurement m = Measure(config, repeats, [&] { (void)db.Fit(x); });
  Index noise = 0;
  for (Index i = 0; i < db.labels().size(); ++i) noise += db.labels()[i] < 0;
  m.note = absl::StrFormat("%d clusters, %d noise", db.n_clusters(), noise);
  return m;
}

}  // namespace
}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  using namespace eclipsera;
  using namespace eclipsera::bench;
  ParseFlags(argc, argv);
  const bool smoke = TableSmokeMode();
  const int reps = smoke ? 1 : 5;
  const Matrix x = Blobs(smoke ? 2000 : 50000, 2, 5, 1);
  std::vector<Measurement> rows;
  double sk_seconds = 0.0;
  if (!smoke) {
    const std::string xp = WriteTempNpy(x, "X.npy");
    absl::StatusOr<std::map<std::string, double>> sk = RunPython(
        Runfile("benchmarks/cluster/dbscan_sklearn.py"), {xp, "0.3", "10"});
    if (sk.ok()) {
      sk_seconds = sk->at("seconds");
      Measurement m;
      m.config = "scikit-learn 1.2 (kd_tree, n_jobs=None)";
      m.seconds = sk_seconds;
      m.allocations = -1;
      m.note = absl::StrFormat("1 run; %.0f clusters, %.0f noise",
                               sk->at("n_clusters"), sk->at("n_noise"));
      rows.push_back(m);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  rows.push_back(Run("Eclipsera kd_tree, n_jobs=1", x, "kd_tree", 1, reps));
  rows.push_back(Run("Eclipsera grid, n_jobs=1", x, "grid", 1, reps));
  rows.push_back(Run("Eclipsera grid, n_jobs=-1", x, "grid", -1, reps));
  PrintTable(absl::StrFormat("DBSCAN, %d x 2 blobs, eps=0.3, min_samples=10",
                             x.rows()),
             rows);
  if (sk_seconds > 0) {
    std::printf(
        "\nspeedup vs scikit-learn (grid, n_jobs=1): %.1fx; "
        "(grid, n_jobs=-1): %.1fx (target >= 30x)\n",
        sk_seconds / rows[2].seconds, sk_seconds / rows[3].seconds);
  }
  const Matrix big = Blobs(smoke ? 5000 : 1000000, 2, 5, 2);
  std::vector<Measurement> big_rows;
  big_rows.push_back(Run("Eclipsera grid, n_jobs=1", big, "grid", 1, reps));
  big_rows.push_back(Run("Eclipsera grid, n_jobs=-1", big, "grid", -1, reps));
  if (!smoke) {
    big_rows.push_back(
        Run("Eclipsera kd_tree, n_jobs=-1", big, "kd_tree", -1, 1));
  }
  PrintTable(absl::StrFormat("DBSCAN, %d x 2 blobs, eps=0.3, min_samples=10 "
                             "(target < 1 s)",
                             big.rows()),
             big_rows);
  return 0;
}
