// AgglomerativeClustering tables: the workspace table (v1.0 vs v2.0) and
// scikit-learn side by side (ward and single linkage on 20,000 x 10) on the
// same data in the same run.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/end_to_end.h"
#include "benchmarks/common/report.h"
#include "eclipsera/cluster/agglomerative.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::bench {
namespace {

cluster::AgglomerativeClusteringOptions Options(const std::string& linkage) {
  cluster::AgglomerativeClusteringOptions o;
  o.linkage = linkage;
  o.n_clusters = 10;
  o.compute_distances = true;
  return o;
}

void WorkspaceTable(const std::string& linkage) {
  const bool smoke = TableSmokeMode();
  const Index n = smoke ? 300 : 5000, d = 10;
  const Matrix x = Blobs(n, d, 10, 1);
  std::vector<Measurement> rows;
  for (bool workspace : {false, true}) {
    cluster::AgglomerativeClusteringOptions o = Options(linkage);
    // v1.0 rows: the ECLIPSERA_DISABLE_POOLING opt-out.
    ::eclipsera::pool::ScopedPoolingDisabled pooling_mode(!workspace);
    cluster::AgglomerativeClustering model(o);
    rows.push_back(Measure(workspace ? "v2.0 (workspace)" : "v1.0",
                           smoke ? 1 : 5, [&] { (void)model.Fit(x); }));
  }
  PrintTable(absl::StrFormat("AgglomerativeClustering workspace (%s, %d "
                             "samples x %d features)",
                             linkage, n, d),
             rows);
}

void SideBySide(const Matrix& x, const std::string& linkage, double target) {
  const bool smoke = TableSmokeMode();
  std::vector<Measurement> rows;
  double sk_seconds = 0.0;
  if (!smoke) {
    const std::string xp = WriteTempNpy(x, "X.npy");
    // scikit-learn is slow here (about 19 s for ward): timed once.
    absl::StatusOr<std::map<std::string, double>> sk =
        RunPython(Runfile("benchmarks/cluster/agglomerative_sklearn.py"),
                  {xp, linkage, "10"});
    if (sk.ok()) {
      sk_seconds = sk->at("seconds");
      Measurement m;
      m.config = "scikit-learn 1.2 " + linkage;
      m.seconds = sk_seconds;
      m.allocations = -1;
      m.note = absl::StrFormat("1 run; max distance %.10g, sum %.10g",
                               sk->at("max_distance"), sk->at("sum_distances"));
      rows.push_back(m);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  cluster::AgglomerativeClustering model(Options(linkage));
  Measurement m = Measure("Eclipsera " + linkage, smoke ? 1 : 3,
                          [&] { (void)model.Fit(x); });
  m.note =
      absl::StrFormat("median of 3; max distance %.10g, sum %.10g",
                      model.distances().maxCoeff(), model.distances().sum());
  rows.push_back(m);
  // Same fit on all cores (identical result; scikit-learn's tree build is
  // single-threaded whatever its thread count).
  cluster::AgglomerativeClusteringOptions po = Options(linkage);
  po.n_jobs = -1;
  cluster::AgglomerativeClustering parallel(po);
  Measurement mp = Measure("Eclipsera " + linkage + " n_jobs=-1", 1,
                           [&] { (void)parallel.Fit(x); });
  mp.note =
      absl::StrFormat("1 run; same tree: %s",
                      parallel.children() == model.children() ? "yes" : "NO");
  rows.push_back(mp);
  PrintTable(absl::StrFormat("AgglomerativeClustering %s linkage, %d x %d, "
                             "n_clusters=10",
                             linkage, x.rows(), x.cols()),
             rows);
  if (sk_seconds > 0) {
    std::printf("\nspeedup vs scikit-learn: %.2fx (target >= %.0fx)\n",
                sk_seconds / m.seconds, target);
  }
}

}  // namespace
}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  using namespace eclipsera;
  using namespace eclipsera::bench;
  ParseFlags(argc, argv);
  const bool smoke = TableSmokeMode();
  WorkspaceTable("ward");
  WorkspaceTable("single");
  const Matrix x = Blobs(smoke ? 500 : 20000, 10, 10, 2);
  SideBySide(x, "ward", 5);
  SideBySide(x, "single", 3);
  // Defaults, end to end (ward, n_clusters=2 unless named), on blobs whose
  // seed moves with --seed and on scikit-learn's wine and digits.
  const uint64_t s = DataSeed();
  for (const int n_clusters : {2, 5}) {
    cluster::AgglomerativeClusteringOptions o;
    o.n_clusters = n_clusters;
    ClustererEndToEnd(
        absl::StrFormat("AgglomerativeClustering, %d x 10 blobs (seed %d), "
                        "n_clusters=%d",
                        smoke ? 500 : 5000, 60 + s, n_clusters),
        Blobs(smoke ? 500 : 5000, 10, 5, 60 + s),
        cluster::AgglomerativeClustering(o), "AgglomerativeClustering",
        {absl::StrCat("n_clusters=", n_clusters)});
  }
  if (smoke) return 0;
  for (const char* name : {"wine", "digits"}) {
    absl::StatusOr<Matrix> data = RealDataset(name);
    if (!data.ok()) {
      std::printf("(%s not available: %s)\n", name,
                  std::string(data.status().message()).c_str());
      continue;
    }
    ClustererEndToEnd(
        absl::StrFormat("AgglomerativeClustering, scikit-learn's %s (%d x %d)",
                        name, data->rows(), data->cols()),
        *data, cluster::AgglomerativeClustering(), "AgglomerativeClustering",
        {});
  }
  return 0;
}
