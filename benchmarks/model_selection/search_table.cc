// The roadmap's GridSearchCV table (issue 15), measured, scikit-learn side
// by side on the same data in the same run:
//   (a) GridSearchCV(KMeans(n_init=1)), n_clusters 2..11, KFold(5),
//       10,000 x 20 blobs;
//   (b) GridSearchCV(StandardScaler + LogisticRegression), C =
//       logspace(-3, 3, 10), StratifiedKFold(5), 5,000 x 20 classes;
//   (c) RandomizedSearchCV(StandardScaler + PCA + KNeighborsClassifier),
//       20 candidates, StratifiedKFold(5), digits (scikit-learn evaluates
//       the same 20 candidates).
// Rows: v1.0 = ECLIPSERA_DISABLE_POOLING (a fresh clone and fresh fold
// arrays per fit, workspaces not kept), serial; v2.0 = pooled estimators
// (ThreadLocalPool, Reset keeps workspaces) and grow-only fold buffers,
// serial; v2.1 = the same on every core (search n_jobs=-1). Times are
// search.fit with the refit, peak is the live heap above the start (ours)
// or the resident memory growth plus loky workers' peaks (scikit-learn).
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/report.h"
#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/core/random.h"
#include "eclipsera/decomposition/pca.h"
#include "eclipsera/io/npy.h"
#include "eclipsera/linear_model/logistic.h"
#include "eclipsera/model_selection/parameter_grid.h"
#include "eclipsera/model_selection/search.h"
#include "eclipsera/model_selection/split.h"
#include "eclipsera/neighbors/knn.h"
#include "eclipsera/pipeline/pipeline.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/preprocessing/scalers.h"

namespace eclipsera::bench {
namespace {

using model_selection::BaseSearchCV;
using model_selection::Distribution;
using model_selection::ParamSpace;

struct Case {
  std::string name;
  std::string sklearn_case;
  Matrix x;
  std::vector<double> y;
  // Makes the search with the search's and the inner estimators' n_jobs,
  // and (pipelines) a transformer cache (Pipeline memory) or none.
  std::function<std::unique_ptr<BaseSearchCV>(int search_jobs, int inner_jobs,
                                              bool memory)>
      make;
  bool pipeline = false;
  std::string candidates_json;  // case (c)
  bool supervised = true;
};

// A pipeline of `steps`, with a 256 MB transformer cache when `memory`.
std::unique_ptr<Estimator> Pipe(std::vector<const Estimator*> steps,
                                bool memory) {
  absl::StatusOr<std::unique_ptr<pipeline::Pipeline>> p =
      pipeline::MakePipeline(steps);
  if (!p.ok()) std::abort();
  if (memory && !(*p)->SetParams({{"memory", int64_t{256} << 20}}).ok()) {
    std::abort();
  }
  return *std::move(p);
}

model_selection::ParameterGrid Grid(ParamSpace space) {
  absl::StatusOr<model_selection::ParameterGrid> g =
      model_selection::ParameterGrid::Create({std::move(space)});
  if (!g.ok()) std::abort();
  return *std::move(g);
}

void RunCase(Case& c, bool smoke) {
  std::vector<Measurement> rows;
  std::map<int, double> sk_seconds;
  std::map<int, double> sk_peak;
  if (!smoke) {
    const std::string xp = WriteTempNpy(c.x, "X.npy");
    const std::string yp =
        WriteTempNpy(Eigen::Map<const Vector>(c.y.data(), c.y.size()), "y.npy");
    for (int jobs : {1, 2}) {
      std::vector<std::string> args = {c.sklearn_case, xp, yp,
                                       absl::StrCat(jobs)};
      if (!c.candidates_json.empty()) args.push_back(c.candidates_json);
      absl::StatusOr<std::map<std::string, double>> sk = RunPython(
          Runfile("benchmarks/model_selection/search_sklearn.py"), args);
      if (!sk.ok()) {
        std::printf("(scikit-learn not run: %s)\n",
                    std::string(sk.status().message()).c_str());
        break;
      }
      sk_seconds[jobs] = sk->at("seconds");
      sk_peak[jobs] = sk->at("peak_mb");
      Measurement m;
      m.config = absl::StrFormat("scikit-learn 1.2, n_jobs=%d", jobs);
      m.seconds = sk->at("seconds");
      m.peak_mb = sk->at("peak_mb");
      m.allocations = -1;
      m.note = absl::StrFormat("1 run; best_index %.0f, best_score %.6f",
                               sk->at("best_index"), sk->at("best_score"));
      rows.push_back(m);
    }
  }
  struct Config {
    std::string label;
    bool pooling;
    int search_jobs, inner_jobs;
    bool memory = false;
  };
  std::vector<Config> configs = {
      {"v1.0: fresh estimators and fold arrays, serial", false, 1, 1},
      {"v2.0: pooled estimators + workspaces + fold buffers, serial", true, 1,
       1},
      {"v2.1: + parallel search, all cores (n_jobs=-1)", true, -1, -1},
      {"search n_jobs=1, each fit on all cores", true, 1, -1},
  };
  if (c.pipeline) {
    configs.push_back({"memo: v2.1 + Pipeline(memory=256 MB) transformer cache",
                       true, -1, -1, true});
  }
  std::map<std::string, Measurement> ours;
  for (const Config& cfg : configs) {
    pool::ScopedPoolingDisabled pooling(!cfg.pooling);
    std::unique_ptr<BaseSearchCV> search;
    Measurement m = Measure(
        cfg.label, smoke ? 1 : 3,
        [&] {
          search = c.make(cfg.search_jobs, cfg.inner_jobs, cfg.memory);
          absl::Status s =
              c.supervised ? search->Fit(c.x, c.y) : search->Fit(c.x);
          if (!s.ok()) {
            std::printf("search failed: %s\n",
                        std::string(s.message()).c_str());
            std::abort();
          }
        },
        /*warmup=*/!smoke);
    const pool::PoolStatistics& st = search->pool_statistics();
    m.note = absl::StrFormat(
        "best_index %d, best_score %.6f; pool: %d clones, %d/%d hits",
        search->best_index(), search->best_score(), st.objects_created, st.hits,
        st.acquisitions);
    if (cfg.memory) {
      const CacheStatistics& cs = search->cache_statistics();
      absl::StrAppend(&m.note, absl::StrFormat("; cache: %d hits, %d misses",
                                               cs.hits, cs.misses));
    }
    rows.push_back(m);
    ours[cfg.label.substr(0, 4)] = m;
  }
  PrintTable(c.name, rows);
  const Measurement& serial = ours["v2.0"];
  const Measurement& parallel = ours["v2.1"];
  std::printf(
      "\nparallel vs serial: %.2fx (target >= 1.8x); peak heap %.1f MB vs "
      "%.1f MB (%+.0f%%, target <= +10%%)\n",
      serial.seconds / parallel.seconds, parallel.peak_mb, serial.peak_mb,
      100.0 * (parallel.peak_mb / std::max(serial.peak_mb, 1e-9) - 1.0));
  std::printf("pooling (v2.0) vs v1.0: %.2fx, allocations %lld vs %lld\n",
              ours["v1.0"].seconds / serial.seconds,
              static_cast<long long>(serial.allocations),
              static_cast<long long>(ours["v1.0"].allocations));
  if (c.pipeline) {
    std::printf(
        "Pipeline memory (transformer cache) vs none, all cores: %.2fx, peak "
        "heap %.1f MB vs %.1f MB\n",
        parallel.seconds / ours["memo"].seconds, ours["memo"].peak_mb,
        parallel.peak_mb);
  }
  if (sk_seconds.count(1)) {
    std::printf("all cores vs scikit-learn n_jobs=1: %.1fx (target >= 10x)\n",
                sk_seconds[1] / parallel.seconds);
  }
  if (sk_seconds.count(2)) {
    std::printf(
        "all cores vs scikit-learn n_jobs=2: %.1fx (target >= 5x); its peak "
        "%.0f MB vs our %.1f MB\n",
        sk_seconds[2] / parallel.seconds, sk_peak[2], parallel.peak_mb);
  }
}

Case KMeansCase(bool smoke) {
  Case c;
  const Index n = smoke ? 100 : 10000;
  c.name = absl::StrFormat(
      "(a) GridSearchCV(KMeans(n_init=1)), n_clusters 2..11 x KFold(5), "
      "%d x 20 blobs",
      n);
  c.sklearn_case = "a";
  c.x = Blobs(n, 20, 8, 11 + DataSeed());
  c.y.assign(n, 0.0);  // unused by the fits (unsupervised)
  c.supervised = false;
  c.make = [](int search_jobs, int inner_jobs, bool /*memory*/) {
    cluster::KMeansOptions o;
    o.n_init = 1;
    o.random_state = 0;
    o.n_jobs = inner_jobs;
    ParamSpace space;
    std::vector<ParamValue> k;
    // (Smoke runs, under the sanitizers too: two candidates on tiny data.)
    const int64_t last = TableSmokeMode() ? 3 : 11;
    for (int64_t i = 2; i <= last; ++i) k.push_back(i);
    space["n_clusters"] = Distribution::List(k);
    model_selection::SearchOptions s;
    s.n_jobs = search_jobs;
    return std::make_unique<model_selection::GridSearchCV>(
        cluster::KMeans(o), Grid(space),
        std::make_unique<model_selection::KFold>(5), s);
  };
  return c;
}

Case LogisticCase(bool smoke) {
  Case c;
  const Index n = smoke ? 100 : 5000;
  const Index d = 20;
  c.name = absl::StrFormat(
      "(b) GridSearchCV(StandardScaler + LogisticRegression), C = "
      "logspace(-3, 3, 10) x StratifiedKFold(5), %d x %d, 3 classes",
      n, d);
  c.sklearn_case = "b";
  Random rng(5 + DataSeed());
  Matrix centers(3, d);
  for (Index i = 0; i < centers.size(); ++i) centers.data()[i] = rng.Normal();
  c.x.resize(n, d);
  c.y.resize(n);
  for (Index i = 0; i < n; ++i) {
    const int k = static_cast<int>(rng.UniformInt(3));
    c.y[i] = k;
    for (Index j = 0; j < d; ++j) {
      // Features on different scales: the scaler matters.
      c.x(i, j) = (centers(k, j) + 1.5 * rng.Normal()) * (1.0 + 10.0 * j);
    }
  }
  c.pipeline = true;
  c.make = [](int search_jobs, int inner_jobs, bool memory) {
    preprocessing::StandardScaler scaler;
    linear_model::LogisticRegressionOptions lo;
    lo.n_jobs = inner_jobs;
    linear_model::LogisticRegression lr(lo);
    ParamSpace space;
    std::vector<ParamValue> cs;
    const int n_c = TableSmokeMode() ? 2 : 10;
    for (int i = 0; i < n_c; ++i) {
      cs.push_back(std::pow(10.0, -3 + 6.0 * i / 9));
    }
    space["logisticregression__C"] = Distribution::List(cs);
    model_selection::SearchOptions s;
    s.n_jobs = search_jobs;
    return std::make_unique<model_selection::GridSearchCV>(
        *Pipe({&scaler, &lr}, memory), Grid(space),
        std::make_unique<model_selection::StratifiedKFold>(5), s);
  };
  return c;
}

Case DigitsCase(bool smoke) {
  Case c;
  c.sklearn_case = "c";
  if (!smoke) {
    const std::string xp = WriteTempNpy(Matrix::Zero(1, 1), "digits_X.npy");
    const std::string yp = xp.substr(0, xp.size() - 5) + "y.npy";
    absl::StatusOr<std::map<std::string, double>> dumped = RunPython(
        Runfile("benchmarks/common/dump_dataset.py"), {"digits", xp, yp});
    absl::StatusOr<Matrix> x =
        dumped.ok() ? io::ReadNpy(xp) : absl::StatusOr<Matrix>(dumped.status());
    absl::StatusOr<Matrix> y = dumped.ok() ? io::ReadNpy(yp) : x;
    if (x.ok() && y.ok()) {
      c.x = *std::move(x);
      c.y.assign(y->data(), y->data() + y->size());
    }
  }
  if (c.x.rows() < 10) {
    // Smoke mode or no scikit-learn: digits-like random data.
    c.x = Blobs(smoke ? 100 : 1797, smoke ? 8 : 64, 10, 3);
    c.y.resize(c.x.rows());
    for (Index i = 0; i < c.x.rows(); ++i) c.y[i] = static_cast<double>(i % 10);
  }
  c.name = absl::StrFormat(
      "(c) RandomizedSearchCV(StandardScaler + PCA + KNeighborsClassifier), "
      "20 candidates x StratifiedKFold(5), digits %d x %d",
      c.x.rows(), c.x.cols());
  // 20 candidates drawn once; scikit-learn evaluates the same ones.
  ParamSpace space;
  std::vector<ParamValue> comps, ks;
  const std::vector<int64_t> comp_values =
      smoke ? std::vector<int64_t>{2, 4}
            : std::vector<int64_t>{5, 10, 15, 20, 30, 40};
  for (int64_t v : comp_values) comps.push_back(v);
  for (int64_t v : {1, 3, 5, 7, 9, 15}) ks.push_back(v);
  space["pca__n_components"] = Distribution::List(comps);
  space["kneighborsclassifier__n_neighbors"] = Distribution::List(ks);
  space["kneighborsclassifier__weights"] =
      Distribution::List({std::string("uniform"), std::string("distance")});
  absl::StatusOr<model_selection::ParameterSampler> sampler =
      model_selection::ParameterSampler::Create({space},
                                                TableSmokeMode() ? 3 : 20, 0);
  if (!sampler.ok()) std::abort();
  std::vector<std::string> json;
  for (const ParamMap& p : sampler->Sample(nullptr)) {
    json.push_back(model_selection::ParamsToJson(p));
  }
  c.candidates_json = absl::StrCat("[", absl::StrJoin(json, ", "), "]");
  c.pipeline = true;
  c.make = [space](int search_jobs, int inner_jobs, bool memory) {
    preprocessing::StandardScaler scaler;
    // Seeded: 'auto' picks the randomized solver on digits, and an unseeded
    // one would make every fit differ (in scikit-learn too).
    decomposition::PCAOptions po;
    po.random_state = 0;
    decomposition::PCA pca(po);
    neighbors::KNeighborsOptions ko;
    ko.n_jobs = inner_jobs;
    neighbors::KNeighborsClassifier knn(ko);
    model_selection::SearchOptions s;
    s.n_jobs = search_jobs;
    absl::StatusOr<model_selection::ParameterSampler> sampler =
        model_selection::ParameterSampler::Create({space},
                                                  TableSmokeMode() ? 3 : 20, 0);
    if (!sampler.ok()) std::abort();
    return std::make_unique<model_selection::RandomizedSearchCV>(
        *Pipe({&scaler, &pca, &knn}, memory), *std::move(sampler),
        std::make_unique<model_selection::StratifiedKFold>(5), s);
  };
  return c;
}

}  // namespace
}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  eclipsera::bench::ParseFlags(argc, argv);
  const bool smoke = eclipsera::bench::TableSmokeMode();
  for (auto make :
       {eclipsera::bench::KMeansCase, eclipsera::bench::LogisticCase,
        eclipsera::bench::DigitsCase}) {
    eclipsera::bench::Case c = make(smoke);
    eclipsera::bench::RunCase(c, smoke);
    std::printf("\n");
  }
  return 0;
}
