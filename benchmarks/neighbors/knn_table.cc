// KNeighborsClassifier predict of 10,000 queries against 100,000 x 16
// (issue 13: >= 3x scikit-learn), defaults, side by side in the same run;
// NearestNeighbors kneighbors and radius_neighbors of 20,000 queries
// against 100,000 x 3 (fit included, defaults, radius 0.1).
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/report.h"
#include "eclipsera/core/random.h"
#include "eclipsera/neighbors/knn.h"

namespace eclipsera::bench {
namespace {

void Table(Index n, Index queries, Index d) {
  const bool smoke = TableSmokeMode();
  const Matrix x = Blobs(n, d, 8, 31 + DataSeed());
  const Matrix q = Blobs(queries, d, 8, 32 + DataSeed());
  std::vector<double> y(n);
  for (Index i = 0; i < n; ++i) y[i] = x(i, 0) + x(i, 1) > 0 ? 1.0 : 0.0;
  std::vector<Measurement> rows;
  double sk_seconds = 0.0;
  if (!smoke) {
    absl::StatusOr<std::map<std::string, double>> sk =
        RunPython(Runfile("benchmarks/neighbors/knn_sklearn.py"),
                  {WriteTempNpy(x, "X.npy"),
                   WriteTempNpy(Eigen::Map<const Vector>(y.data(), n), "y.npy"),
                   WriteTempNpy(q, "Q.npy")});
    if (sk.ok()) {
      sk_seconds = sk->at("seconds");
      Measurement m;
      m.config = "scikit-learn 1.2, predict";
      m.seconds = sk_seconds;
      m.allocations = -1;
      m.note = absl::StrFormat("1 run; fit %.3f s; checksum %.0f",
                               sk->at("fit_seconds"), sk->at("checksum"));
      rows.push_back(m);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  Measurement fast;
  for (int n_jobs : {1, -1}) {
    neighbors::KNeighborsOptions o;
    o.n_jobs = n_jobs;
    neighbors::KNeighborsClassifier model(o);
    (void)model.Fit(x, y);
    double checksum = 0.0;
    Measurement m =
        Measure(absl::StrFormat("eclipsera, n_jobs=%d%s, predict", n_jobs,
                                n_jobs == -1 ? " (default)" : ""),
                smoke ? 1 : 3, [&] {
                  absl::StatusOr<Vector> p = model.Predict(q);
                  checksum = 0.0;
                  if (p.ok()) {
                    for (Index i = 0; i < p->size(); ++i) checksum += (*p)(i)*i;
                  }
                });
    m.note = absl::StrFormat("checksum %.0f", checksum);
    rows.push_back(m);
    if (n_jobs == -1) fast = m;
  }
  PrintTable(absl::StrFormat("KNeighborsClassifier (k=5), %d queries "
                             "against %d x %d",
                             queries, n, d),
             rows);
  if (sk_seconds > 0) {
    std::printf("\nspeedup vs scikit-learn (defaults): %.1fx (target >= 3x)\n",
                sk_seconds / fast.seconds);
  }
}

void NearestTable(Index n, Index queries, Index d, double radius) {
  const bool smoke = TableSmokeMode();
  Random rng(33 + DataSeed());
  Matrix x(n, d), q(queries, d);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = rng.Uniform();
  for (Index i = 0; i < q.size(); ++i) q.data()[i] = rng.Uniform();
  for (const char* method : {"kneighbors", "radius_neighbors"}) {
    std::vector<Measurement> rows;
    double sk_seconds = 0.0;
    if (!smoke) {
      absl::StatusOr<std::map<std::string, double>> sk =
          RunPython(Runfile("benchmarks/neighbors/knn_sklearn.py"),
                    {WriteTempNpy(x, "X.npy"), method, WriteTempNpy(q, "Q.npy"),
                     absl::StrFormat("%.17g", radius)});
      if (sk.ok()) {
        sk_seconds = sk->at("seconds");
        Measurement m;
        m.config = absl::StrCat("scikit-learn 1.2, fit + ", method);
        m.seconds = sk_seconds;
        m.allocations = -1;
        m.note = absl::StrFormat("1 run; checksum %.0f", sk->at("checksum"));
        rows.push_back(m);
      } else {
        std::printf("(scikit-learn not run: %s)\n",
                    std::string(sk.status().message()).c_str());
      }
    }
    double checksum = 0.0;
    const bool knn = std::string(method) == "kneighbors";
    Measurement m = Measure(
        absl::StrCat("eclipsera, fit + ", method, " (defaults)"), smoke ? 1 : 3,
        [&] {
          neighbors::NearestNeighborsOptions o;
          o.radius = radius;
          neighbors::NearestNeighbors model(o);
          checksum = -1.0;
          if (!model.Fit(x).ok()) return;
          const ConstMatrixRef queries_ref(q);
          if (knn) {
            neighbors::IndexMatrix idx;
            Matrix dist;
            if (model.KNeighbors(&queries_ref, 0, &idx, &dist).ok()) {
              checksum = static_cast<double>(idx.cast<double>().sum());
            }
          } else {
            neighbors::NeighborLists lists;
            if (model.RadiusNeighbors(&queries_ref, std::nullopt, false, &lists)
                    .ok()) {
              checksum = static_cast<double>(lists.indices.size());
            }
          }
        });
    m.note = absl::StrFormat("checksum %.0f", checksum);
    rows.push_back(m);
    PrintTable(
        absl::StrFormat("NearestNeighbors %s, %d queries against %d x "
                        "%d uniform%s",
                        method, queries, n, d,
                        knn ? "" : absl::StrFormat(", radius %g", radius)),
        rows);
    if (sk_seconds > 0) {
      std::printf("\nspeedup vs scikit-learn (defaults): %.1fx\n",
                  sk_seconds / m.seconds);
    }
  }
}

}  // namespace
}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  eclipsera::bench::ParseFlags(argc, argv);
  const bool smoke = eclipsera::bench::TableSmokeMode();
  eclipsera::bench::Table(smoke ? 2000 : 100000, smoke ? 200 : 10000, 16);
  eclipsera::bench::NearestTable(smoke ? 2000 : 100000, smoke ? 200 : 20000, 3,
                                 0.05);
  return 0;
}
