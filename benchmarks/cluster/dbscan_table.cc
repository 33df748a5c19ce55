// DBSCAN tables: neighbour-search variants (time, peak memory, allocations)
// and scikit-learn side by side on 50,000 2-D points (eps 0.3,
// min_samples 10) in the same run, plus 1,000,000 points; then "defaults,
// end to end" rows on dense moons, dense 3-D and 4-D data and iris.
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/end_to_end.h"
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

// A "defaults, end to end" table: DBSCAN with every default but eps and
// min_samples (algorithm 'auto', n_jobs=-1) against scikit-learn 1.2's
// DBSCAN(eps, min_samples).
void EndToEnd(const std::string& title, const Matrix& x, double eps,
              int min_samples) {
  cluster::DBSCANOptions o;
  o.eps = eps;
  o.min_samples = min_samples;
  ClustererEndToEnd(
      title, x, cluster::DBSCAN(o), "DBSCAN",
      {absl::StrCat("eps=", eps), absl::StrCat("min_samples=", min_samples)});
}

// The dense cases (2-D moons, where nearly every point is a core
// point, and dense 3-D data) on data whose seed moves with --seed, and
// scikit-learn's iris with DBSCAN's own defaults.
void EndToEndTables() {
  const bool smoke = TableSmokeMode();
  const uint64_t s = DataSeed();
  const Index n_moons = smoke ? 2000 : 50000, n_3d = smoke ? 2000 : 40000;
  EndToEnd(absl::StrFormat("DBSCAN, %d 2-D moons (noise 0.05, seed %d), "
                           "eps=0.02, min_samples=10 (target >= 30x)",
                           n_moons, 30 + s),
           Moons(n_moons, 0.05, 30 + s), 0.02, 10);
  const Matrix cube = Uniform(n_3d, 3, 31 + s);
  const std::pair<double, int> settings[] = {{0.03, 5}, {0.05, 10}, {0.08, 30}};
  for (const auto& [eps, min_samples] : settings) {
    EndToEnd(absl::StrFormat("DBSCAN, %d uniform 3-D points (seed %d), "
                             "eps=%g, min_samples=%d (target >= 15x)",
                             n_3d, 31 + s, eps, min_samples),
             cube, eps, min_samples);
  }
  const Matrix cube4 = Uniform(n_3d, 4, 32 + s);
  const std::pair<double, int> settings4[] = {{0.1, 10}, {0.15, 30}};
  for (const auto& [eps, min_samples] : settings4) {
    EndToEnd(absl::StrFormat("DBSCAN, %d uniform 4-D points (seed %d), "
                             "eps=%g, min_samples=%d (target >= 15x)",
                             n_3d, 32 + s, eps, min_samples),
             cube4, eps, min_samples);
  }
  if (smoke) return;
  absl::StatusOr<Matrix> iris = RealDataset("iris");
  if (iris.ok()) {
    EndToEnd("DBSCAN, scikit-learn's iris (150 x 4), eps=0.5, min_samples=5",
             *iris, 0.5, 5);
  } else {
    std::printf("(iris not available: %s)\n",
                std::string(iris.status().message()).c_str());
  }
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
  EndToEndTables();
  return 0;
}
