#include "benchmarks/cluster/kmeans_plusplus_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/report.h"
#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/core/random.h"

namespace eclipsera::bench {
namespace {

// The k-means++ of Eclipsera before the fused blocked-SIMD version (one
// Eigen GEMM of the trials against all of x per step, then a second pass for
// the potentials), kept as the reference the fast version must agree with:
// the table checks both choose the same rows.
std::vector<Index> ReferenceKMeansPlusPlus(const Matrix& x, int n_clusters,
                                           Random& random) {
  const Index n = x.rows(), d = x.cols();
  const int n_local_trials = 2 + static_cast<int>(std::log(n_clusters));
  const Vector x_sqnorms = x.rowwise().squaredNorm();
  Matrix cand(n_local_trials, n);
  Matrix c(n_local_trials, d);
  auto sqdist_to = [&](Index rows) {
    const Vector c_sqnorms = c.topRows(rows).rowwise().squaredNorm();
    for (Index b = 0; b < n; b += 4096) {
      const Index e = std::min(n, b + 4096);
      auto block = cand.block(0, b, rows, e - b);
      block.noalias() = c.topRows(rows) * x.middleRows(b, e - b).transpose();
      for (Index t = 0; t < rows; ++t) {
        for (Index i = b; i < e; ++i) {
          cand(t, i) =
              std::max(0.0, x_sqnorms(i) - 2.0 * cand(t, i) + c_sqnorms(t));
        }
      }
    }
  };
  std::vector<Index> chosen;
  const Index first = static_cast<Index>(random.UniformInt(n));
  c.row(0) = x.row(first);
  chosen.push_back(first);
  sqdist_to(1);
  Vector closest = cand.row(0).transpose();
  double current_pot = closest.sum();
  Vector cumsum(n);
  std::vector<Index> cand_ids(n_local_trials);
  for (int k = 1; k < n_clusters; ++k) {
    double acc = 0.0;
    for (Index i = 0; i < n; ++i) {
      acc += closest(i);
      cumsum(i) = acc;
    }
    for (int t = 0; t < n_local_trials; ++t) {
      const double r = random.Uniform() * current_pot;
      const Index id =
          std::lower_bound(cumsum.data(), cumsum.data() + n, r) - cumsum.data();
      cand_ids[t] = std::min(id, n - 1);
      c.row(t) = x.row(cand_ids[t]);
    }
    sqdist_to(n_local_trials);
    int best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    for (int t = 0; t < n_local_trials; ++t) {
      auto row = cand.row(t);
      row = row.cwiseMin(closest.transpose());
      const double pot = row.sum();
      if (pot < best_pot) {
        best_pot = pot;
        best = t;
      }
    }
    current_pot = best_pot;
    closest = cand.row(best).transpose();
    chosen.push_back(cand_ids[best]);
  }
  return chosen;
}

// Sum over the points of the squared distance to the closest center.
double Potential(const Matrix& x, const Matrix& centers) {
  double total = 0.0;
  for (Index i = 0; i < x.rows(); ++i) {
    total += (centers.rowwise() - x.row(i)).rowwise().squaredNorm().minCoeff();
  }
  return total;
}

void Table(const std::string& data_name, const Matrix& x, int k,
           uint64_t seed) {
  const bool smoke = TableSmokeMode();
  std::vector<Measurement> rows;
  double sk_seconds = 0.0;
  if (!smoke) {
    const std::string xp = WriteTempNpy(x, "X.npy");
    absl::StatusOr<std::map<std::string, double>> sk =
        RunPython(Runfile("benchmarks/cluster/kmeans_plusplus_sklearn.py"),
                  {xp, absl::StrCat(k), absl::StrCat(seed)});
    if (sk.ok()) {
      sk_seconds = sk->at("seconds");
      Measurement m;
      m.config = "scikit-learn kmeans_plusplus";
      m.seconds = sk_seconds;
      m.allocations = -1;
      m.note = absl::StrFormat("potential %.6g", sk->at("potential"));
      rows.push_back(m);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  std::vector<Index> reference;
  {
    Random r(seed);
    reference = ReferenceKMeansPlusPlus(x, k, r);
  }
  double ours_seconds = 0.0;
  for (int n_jobs : {-1, 1}) {
    std::vector<Index> idx;
    Matrix centers;
    Measurement m =
        Measure(absl::StrCat("Eclipsera KMeansPlusPlus, n_jobs=", n_jobs),
                smoke ? 1 : 3, [&] {
                  Random r(seed);
                  centers = *cluster::KMeansPlusPlus(x, k, r, -1, n_jobs, &idx);
                });
    m.note =
        absl::StrFormat("potential %.6g; same rows as the reference: %s",
                        Potential(x, centers), idx == reference ? "yes" : "NO");
    if (n_jobs == -1) ours_seconds = m.seconds;
    rows.push_back(m);
  }
  PrintTable(absl::StrFormat("k-means++ init, %s %d x %d, k=%d, seed %d "
                             "(defaults: 2 + log(k) local trials)",
                             data_name, x.rows(), x.cols(), k, seed),
             rows);
  if (sk_seconds > 0) {
    std::printf(
        "\nk-means++ speedup vs scikit-learn (n_jobs=-1): %.2fx "
        "(target: at least 3x)\n",
        sk_seconds / ours_seconds);
  }
}

}  // namespace

void KMeansPlusPlusTables() {
  const bool smoke = TableSmokeMode();
  const Index n = smoke ? 3000 : 300000, d = 64;
  const int k = smoke ? 8 : 64;
  Table("Gaussian blobs", Blobs(n, d, k, 5), k, 0);
  Table("uniform", Uniform(n, d, 6), k, 1);
}

}  // namespace eclipsera::bench
