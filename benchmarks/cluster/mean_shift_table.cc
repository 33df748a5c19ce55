// MeanShift tables: the workspace table (v1.0 per-iteration arrays vs v2.0
// workspace) and scikit-learn side by side in the same run: 100,000 2-D
// points with bin seeding, 10,000 points without.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/end_to_end.h"
#include "benchmarks/common/report.h"
#include "eclipsera/cluster/mean_shift.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::bench {
namespace {

constexpr double kBandwidth = 1.5;

void Table(const Matrix& x, bool bin_seeding, double target) {
  const bool smoke = TableSmokeMode();
  std::vector<Measurement> rows;
  double sk_seconds = 0.0;
  if (!smoke) {
    const std::string xp = WriteTempNpy(x, "X.npy");
    absl::StatusOr<std::map<std::string, double>> sk =
        RunPython(Runfile("benchmarks/cluster/mean_shift_sklearn.py"),
                  {xp, absl::StrCat(kBandwidth), bin_seeding ? "1" : "0"});
    if (sk.ok()) {
      sk_seconds = sk->at("seconds");
      Measurement m;
      m.config = "scikit-learn 1.2";
      m.seconds = sk_seconds;
      m.allocations = -1;
      m.note = absl::StrFormat("1 run; %.0f clusters, n_iter %.0f",
                               sk->at("n_clusters"), sk->at("n_iter"));
      rows.push_back(m);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  Measurement v2;
  for (bool workspace : {false, true}) {
    for (int n_jobs : {1, -1}) {
      if (!workspace && n_jobs != 1) continue;
      cluster::MeanShiftOptions o;
      o.bandwidth = kBandwidth;
      o.bin_seeding = bin_seeding;
      // v1.0 rows: the ECLIPSERA_DISABLE_POOLING opt-out.
      ::eclipsera::pool::ScopedPoolingDisabled pooling_mode(!workspace);
      o.n_jobs = n_jobs;
      cluster::MeanShift ms(o);
      Measurement m =
          Measure(absl::StrCat(workspace ? "v2.0 (workspace)" : "v1.0",
                               ", n_jobs=", n_jobs),
                  smoke ? 1 : 3, [&] { (void)ms.Fit(x); });
      m.note = absl::StrFormat("%d clusters, n_iter %d",
                               ms.cluster_centers().rows(), ms.n_iter());
      rows.push_back(m);
      if (workspace && n_jobs == 1) v2 = m;
    }
  }
  PrintTable(
      absl::StrFormat("MeanShift, %d x 2 blobs, bandwidth=%g, "
                      "bin_seeding=%s",
                      x.rows(), kBandwidth, bin_seeding ? "true" : "false"),
      rows);
  if (sk_seconds > 0) {
    std::printf(
        "\nspeedup vs scikit-learn (v2.0, n_jobs=1): %.1fx "
        "(target >= %.0fx)\n",
        sk_seconds / v2.seconds, target);
  }
}

}  // namespace
}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  using namespace eclipsera;
  using namespace eclipsera::bench;
  ParseFlags(argc, argv);
  const bool smoke = TableSmokeMode();
  Table(Blobs(smoke ? 3000 : 100000, 2, 5, 1), /*bin_seeding=*/true, 5);
  // scikit-learn takes about a minute on 10,000 points: timed once.
  Table(Blobs(smoke ? 500 : 10000, 2, 5, 2), /*bin_seeding=*/false, 15);
  // Defaults, end to end (the bandwidth estimated, every sample a seed), on
  // blobs whose seed moves with --seed and on scikit-learn's iris.
  const uint64_t s = DataSeed();
  const Index n = smoke ? 300 : 3000;
  ClustererEndToEnd(
      absl::StrFormat("MeanShift, %d x 2 blobs (seed %d)", n, 50 + s),
      Blobs(n, 2, 4, 50 + s), cluster::MeanShift(), "MeanShift", {},
      /*repeats=*/3, /*sklearn_repeats=*/1);
  if (smoke) return 0;
  absl::StatusOr<Matrix> iris = RealDataset("iris");
  if (iris.ok()) {
    ClustererEndToEnd("MeanShift, scikit-learn's iris (150 x 4)", *iris,
                      cluster::MeanShift(), "MeanShift", {});
  } else {
    std::printf("(iris not available: %s)\n",
                std::string(iris.status().message()).c_str());
  }
  return 0;
}
