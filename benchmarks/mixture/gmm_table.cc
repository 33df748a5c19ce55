// GaussianMixture tables: the roadmap's workspace table (v1.0 fresh arrays
// every EM iteration vs v2.0 workspace) and scikit-learn side by side on the
// same data, from the same initial state, in the same run; then "defaults,
// end to end" rows (initialisation included) on generated and real data.
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
#include "eclipsera/mixture/gaussian_mixture.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::bench {
namespace {

constexpr double kPrecision = 0.5;

// Same initial state as gmm_sklearn.py: means = the first k rows, uniform
// weights, precisions = kPrecision * identity; tol = 0 so exactly max_iter
// iterations run.
mixture::GaussianMixtureOptions FromInit(const Matrix& x, Index k,
                                         const std::string& type,
                                         int max_iter) {
  const Index d = x.cols();
  mixture::GaussianMixtureOptions o;
  o.n_components = static_cast<int>(k);
  o.covariance_type = type;
  o.tol = 0.0;
  o.max_iter = max_iter;
  o.n_jobs = -1;
  o.weights_init = Vector::Constant(k, 1.0 / static_cast<double>(k));
  o.means_init = x.topRows(k);
  Matrix p;
  if (type == "full") {
    p.setZero(k * d, d);
    for (Index j = 0; j < k; ++j) {
      p.middleRows(j * d, d).diagonal().setConstant(kPrecision);
    }
  } else if (type == "tied") {
    p = Matrix::Identity(d, d) * kPrecision;
  } else if (type == "diag") {
    p = Matrix::Constant(k, d, kPrecision);
  } else {
    p = Matrix::Constant(k, 1, kPrecision);
  }
  o.precisions_init = p;
  return o;
}

void WorkspaceTable(const Matrix& x, Index k, const std::string& type,
                    int iters) {
  const bool smoke = TableSmokeMode();
  std::vector<Measurement> rows;
  for (bool workspace : {false, true}) {
    mixture::GaussianMixtureOptions o = FromInit(x, k, type, iters);
    // v1.0 rows: the ECLIPSERA_DISABLE_POOLING opt-out.
    ::eclipsera::pool::ScopedPoolingDisabled pooling_mode(!workspace);
    mixture::GaussianMixture gm(o);
    Measurement m =
        Measure(workspace ? "v2.0 (workspace)" : "v1.0 (fresh arrays)",
                smoke ? 1 : 2, [&] { (void)gm.Fit(x); });
    m.note = absl::StrFormat("%.1f ms/iter, lower bound %.10g",
                             1e3 * m.seconds / gm.n_iter(), gm.lower_bound());
    rows.push_back(m);
  }
  PrintTable(absl::StrFormat("GaussianMixture workspace, '%s' (%d x %d, "
                             "%d components, %d EM iterations, n_jobs=-1)",
                             type, x.rows(), x.cols(), k, iters),
             rows);
}

void SideBySide(const Matrix& x, Index k, const std::string& type, int iters,
                const std::string& xp, const std::string& mp) {
  const bool smoke = TableSmokeMode();
  std::vector<Measurement> rows;
  double sk_per_iter = 0.0;
  if (!smoke) {
    absl::StatusOr<std::map<std::string, double>> sk =
        RunPython(Runfile("benchmarks/mixture/gmm_sklearn.py"),
                  {xp, mp, type, absl::StrCat(iters),
                   absl::StrFormat("%.17g", kPrecision)});
    if (sk.ok()) {
      const int n_iter = static_cast<int>(sk->at("n_iter"));
      sk_per_iter = sk->at("seconds") / n_iter;
      Measurement m;
      m.config = "scikit-learn " + type;
      m.seconds = sk->at("seconds");
      m.allocations = -1;
      m.note =
          absl::StrFormat("%d iterations, %.1f ms/iter, lower bound %.10g",
                          n_iter, 1e3 * sk_per_iter, sk->at("lower_bound"));
      rows.push_back(m);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  mixture::GaussianMixture gm(FromInit(x, k, type, iters));
  Measurement m =
      Measure("Eclipsera " + type, smoke ? 1 : 2, [&] { (void)gm.Fit(x); });
  const double per_iter = m.seconds / gm.n_iter();
  m.note = absl::StrFormat("%d iterations, %.1f ms/iter, lower bound %.10g",
                           gm.n_iter(), 1e3 * per_iter, gm.lower_bound());
  rows.push_back(m);
  PrintTable(absl::StrFormat("GaussianMixture '%s' vs scikit-learn, %d x %d, "
                             "%d components (same initial state, tol=0, %d "
                             "EM iterations; fit time incl. final E-step)",
                             type, x.rows(), x.cols(), k, iters),
             rows);
  if (sk_per_iter > 0) {
    std::printf("\nper-iteration speedup vs scikit-learn ('%s'): %.2fx\n",
                type.c_str(), sk_per_iter / per_iter);
  }
}

// A "defaults, end to end" table: GaussianMixture with every default but
// n_components and covariance_type (k-means initialisation included,
// n_jobs=-1), timed as a whole fit, against scikit-learn 1.2's defaults on
// the same data in the same run. The two k-means initialisations draw
// different random numbers, so the optima may differ: both lower bounds
// are shown.
void EndToEnd(const std::string& title, const Matrix& x, int k,
              const std::string& type) {
  const bool smoke = TableSmokeMode();
  const int repeats = smoke ? 1 : 3;
  const int64_t seed = 0;
  std::vector<Measurement> rows;
  absl::StatusOr<SklearnFit> sk = absl::UnavailableError("smoke mode");
  if (!smoke) {
    // One scikit-learn fit of the large data takes a while.
    sk = SklearnEndToEnd("mixture.GaussianMixture", x,
                         x.size() > 1000000 ? 1 : repeats,
                         {absl::StrCat("n_components=", k),
                          absl::StrCat("covariance_type=", type),
                          absl::StrCat("random_state=", seed)});
    if (sk.ok()) {
      sk->row.note = absl::StrFormat("%d iterations, lower bound %.8g",
                                     static_cast<int>(sk->values.at("n_iter")),
                                     sk->values.at("lower_bound"));
      rows.push_back(sk->row);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  mixture::GaussianMixtureOptions o;
  o.n_components = k;
  o.covariance_type = type;
  o.random_state = seed;
  mixture::GaussianMixture gm(o);
  Measurement m = Measure(
      "Eclipsera GaussianMixture, defaults (n_jobs=-1)", repeats,
      [&] { (void)gm.Fit(x); }, /*warmup=*/false);
  m.note = absl::StrFormat("%d iterations, lower bound %.8g", gm.n_iter(),
                           gm.lower_bound());
  rows.push_back(m);
  PrintEndToEnd(title + " (initialisation included)", rows,
                sk.ok() ? &sk->row : nullptr, m);
}

// Blobs whose seed moves with --seed, in the 'full' case and the
// other three types, and scikit-learn's wine and digits.
void EndToEndTables() {
  const bool smoke = TableSmokeMode();
  const uint64_t s = DataSeed();
  const Index n = smoke ? 2000 : 100000, d = smoke ? 8 : 32;
  const int k = smoke ? 4 : 16;
  const Matrix x = Blobs(n, d, k, 40 + s);
  for (const char* type : {"full", "diag", "tied", "spherical"}) {
    EndToEnd(absl::StrFormat("GaussianMixture '%s', %d x %d blobs (seed %d), "
                             "%d components",
                             type, n, d, 40 + s, k),
             x, k, type);
  }
  if (smoke) return;
  const std::pair<const char*, int> real[] = {{"wine", 3}, {"digits", 10}};
  for (const auto& [name, components] : real) {
    absl::StatusOr<Matrix> data = RealDataset(name);
    if (!data.ok()) {
      std::printf("(%s not available: %s)\n", name,
                  std::string(data.status().message()).c_str());
      continue;
    }
    const std::string type = std::string(name) == "wine" ? "full" : "diag";
    EndToEnd(
        absl::StrFormat("GaussianMixture '%s', scikit-learn's %s (%d x "
                        "%d), %d components",
                        type, name, data->rows(), data->cols(), components),
        *data, components, type);
  }
}

}  // namespace
}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  using namespace eclipsera;
  using namespace eclipsera::bench;
  ParseFlags(argc, argv);
  const bool smoke = TableSmokeMode();
  const Index n = smoke ? 2000 : 100000, d = smoke ? 8 : 32, k = smoke ? 4 : 16;
  const int iters = smoke ? 3 : 10;
  const Matrix x = Blobs(n, d, k, 1);
  for (const char* type : {"full", "diag"}) WorkspaceTable(x, k, type, iters);
  std::string xp, mp;
  if (!smoke) {
    xp = WriteTempNpy(x, "X.npy");
    mp = WriteTempNpy(x.topRows(k), "means.npy");
  }
  for (const char* type : {"full", "diag", "tied", "spherical"}) {
    SideBySide(x, k, type, iters, xp, mp);
  }
  EndToEndTables();
  return 0;
}
