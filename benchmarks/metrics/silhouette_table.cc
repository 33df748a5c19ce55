// silhouette_score on 20,000 x 10 (issue 13: >= 5x scikit-learn, memory
// linear in n) against scikit-learn in the same run, defaults end to end.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/report.h"
#include "eclipsera/core/random.h"
#include "eclipsera/metrics/cluster.h"

namespace eclipsera::bench {
namespace {

void Table(Index n, Index d, Index k) {
  const bool smoke = TableSmokeMode();
  const Matrix x = Blobs(n, d, k, 5 + DataSeed());
  // Labels: the generating blob of most points, a random one for 10%.
  Random rng(11 + DataSeed());
  std::vector<double> labels(n);
  for (Index i = 0; i < n; ++i) {
    labels[i] = static_cast<double>(rng.UniformInt(k));
  }
  std::vector<Measurement> rows;
  double sk_seconds = 0.0;
  if (!smoke) {
    const std::string xp = WriteTempNpy(x, "X.npy");
    const std::string lp =
        WriteTempNpy(Eigen::Map<const Vector>(labels.data(), n), "labels.npy");
    absl::StatusOr<std::map<std::string, double>> sk = RunPython(
        Runfile("benchmarks/metrics/silhouette_sklearn.py"), {xp, lp});
    if (sk.ok()) {
      sk_seconds = sk->at("seconds");
      Measurement m;
      m.config = "scikit-learn 1.2, silhouette_score";
      m.seconds = sk_seconds;
      m.allocations = -1;
      m.note = absl::StrFormat("1 run; score %.10f", sk->at("score"));
      rows.push_back(m);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  Measurement fast;
  for (int n_jobs : {1, -1}) {
    metrics::SilhouetteOptions o;
    o.n_jobs = n_jobs;
    double score = 0.0;
    Measurement m = Measure(absl::StrFormat("eclipsera, n_jobs=%d%s", n_jobs,
                                            n_jobs == -1 ? " (default)" : ""),
                            smoke ? 1 : 3, [&] {
                              absl::StatusOr<double> s =
                                  metrics::SilhouetteScore(x, labels, o);
                              score = s.ok() ? *s : -2.0;
                            });
    m.note = absl::StrFormat("score %.10f", score);
    rows.push_back(m);
    if (n_jobs == -1) fast = m;
  }
  PrintTable(absl::StrFormat("silhouette_score, %d x %d, %d labels", n, d, k),
             rows);
  if (sk_seconds > 0) {
    std::printf(
        "\nspeedup vs scikit-learn (defaults): %.1fx (target >= 5x); peak "
        "heap %.1f MB (an n x n matrix would be %.0f MB)\n",
        sk_seconds / fast.seconds, fast.peak_mb,
        8.0 * n * n / (1024.0 * 1024.0));
  }
}

}  // namespace
}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  eclipsera::bench::ParseFlags(argc, argv);
  const bool smoke = eclipsera::bench::TableSmokeMode();
  eclipsera::bench::Table(smoke ? 500 : 20000, 10, 8);
  return 0;
}
