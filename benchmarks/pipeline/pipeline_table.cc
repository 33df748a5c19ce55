// The roadmap's Phase 4 table (issue 14): a deep pipeline, StandardScaler
// -> PolynomialFeatures(2, interaction_only) -> StandardScaler -> PCA(16)
// -> Normalizer -> StandardScaler -> KMeans(8, n_init=1), on 200,000 x 12,
// with intermediate-buffer reuse on and off (ECLIPSERA_DISABLE_POOLING),
// against scikit-learn's Pipeline on the same data in the same run.
// Fit rows fit a new pipeline (its first fit); transform rows repeat
// Transform (the k-means distances, a new result each call) on a fitted
// one. Peak memory is the live heap above the start (tracemalloc on the
// scikit-learn side); a reusing pipeline also keeps its two buffers
// between calls (shown in the note).
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/report.h"
#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/decomposition/pca.h"
#include "eclipsera/pipeline/pipeline.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/preprocessing/normalizer.h"
#include "eclipsera/preprocessing/polynomial_features.h"
#include "eclipsera/preprocessing/scalers.h"

namespace eclipsera::bench {
namespace {

std::unique_ptr<pipeline::Pipeline> Deep() {
  preprocessing::StandardScaler s1, s2, s3;
  preprocessing::PolynomialFeaturesOptions po;
  po.max_degree = 2;
  po.interaction_only = true;
  preprocessing::PolynomialFeatures poly(po);
  decomposition::PCAOptions pca_o;
  pca_o.n_components = 16;
  pca_o.random_state = 0;
  decomposition::PCA pca(pca_o);
  preprocessing::Normalizer norm;
  cluster::KMeansOptions ko;
  ko.n_clusters = 8;
  ko.n_init = 1;
  ko.random_state = 0;
  cluster::KMeans km(ko);
  absl::StatusOr<std::unique_ptr<pipeline::Pipeline>> p =
      pipeline::MakePipeline({&s1, &poly, &s2, &pca, &norm, &s3, &km});
  if (!p.ok()) std::abort();
  return *std::move(p);
}

void Table(Index n, Index d) {
  const bool smoke = TableSmokeMode();
  const Matrix x = Uniform(n, d, 17 + DataSeed());
  std::vector<Measurement> fit_rows, transform_rows;
  std::map<std::string, double> sk;
  if (!smoke) {
    const std::string xp = WriteTempNpy(x, "X.npy");
    absl::StatusOr<std::map<std::string, double>> r =
        RunPython(Runfile("benchmarks/pipeline/pipeline_sklearn.py"), {xp});
    if (r.ok()) {
      sk = *r;
      Measurement f;
      f.config = "scikit-learn 1.2 Pipeline.fit (1 run, tracemalloc peak)";
      f.seconds = sk["fit_seconds"];
      f.peak_mb = sk["fit_peak_mb"];
      f.allocations = -1;
      fit_rows.push_back(f);
      Measurement t;
      t.config = "scikit-learn 1.2 Pipeline.transform (median of 3)";
      t.seconds = sk["transform_seconds"];
      t.peak_mb = sk["transform_peak_mb"];
      t.allocations = -1;
      transform_rows.push_back(t);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(r.status().message()).c_str());
    }
  }
  std::map<bool, Measurement> fit_by, transform_by;
  for (bool reuse : {true, false}) {
    pool::ScopedPoolingDisabled pooling(!reuse);
    const char* label = reuse ? "buffer reuse on" : "buffer reuse off";
    Measurement f = Measure(
        absl::StrFormat("eclipsera fit, %s", label), smoke ? 1 : 3,
        [&] {
          std::unique_ptr<pipeline::Pipeline> p = Deep();
          if (!p->Fit(x).ok()) std::abort();
        },
        /*warmup=*/false);
    fit_rows.push_back(f);
    fit_by[reuse] = f;
    std::unique_ptr<pipeline::Pipeline> p = Deep();
    if (!p->Fit(x).ok()) std::abort();
    Measurement t = Measure(absl::StrFormat("eclipsera transform, %s", label),
                            smoke ? 1 : 3, [&] {
                              absl::StatusOr<Matrix> out = p->Transform(x);
                              if (!out.ok()) std::abort();
                            });
    t.note = absl::StrFormat("buffers kept between calls: %.1f MB",
                             p->buffer_bytes() / 1048576.0);
    transform_rows.push_back(t);
    transform_by[reuse] = t;
  }
  PrintTable(absl::StrFormat("Deep pipeline (7 steps), %d x %d, fit", n, d),
             fit_rows);
  std::printf("\n");
  PrintTable(absl::StrFormat(
                 "Deep pipeline (7 steps), %d x %d, repeated transform", n, d),
             transform_rows);
  const auto less = [](double ours, double other) {
    return 100.0 * (1.0 - ours / std::max(other, 1e-9));
  };
  std::printf(
      "\ntransform peak: %.0f%% less than reuse off, allocations %lld vs "
      "%lld per call (the result matrix is one); fit peak %.0f%% less than "
      "reuse off\n",
      less(transform_by[true].peak_mb, transform_by[false].peak_mb),
      static_cast<long long>(transform_by[true].allocations),
      static_cast<long long>(transform_by[false].allocations),
      less(fit_by[true].peak_mb, fit_by[false].peak_mb));
  if (!sk.empty()) {
    std::printf(
        "vs scikit-learn: fit %.1fx faster, peak %.0f%% less; transform "
        "%.1fx faster, peak %.0f%% less (target: >= 40%% less peak)\n",
        sk["fit_seconds"] / fit_by[true].seconds,
        less(fit_by[true].peak_mb, sk["fit_peak_mb"]),
        sk["transform_seconds"] / transform_by[true].seconds,
        less(transform_by[true].peak_mb, sk["transform_peak_mb"]));
  }
}

}  // namespace
}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  eclipsera::bench::ParseFlags(argc, argv);
  const bool smoke = eclipsera::bench::TableSmokeMode();
  eclipsera::bench::Table(smoke ? 2000 : 200000, 12);
  return 0;
}
