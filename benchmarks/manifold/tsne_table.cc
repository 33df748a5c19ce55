// The roadmap's t-SNE workspace table (v1.0 fresh arrays vs v2.0 workspace)
// and t-SNE side by side with scikit-learn on the same data.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/common/data.h"
#include "benchmarks/common/end_to_end.h"
#include "benchmarks/common/report.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/random.h"
#include "eclipsera/io/data_file.h"
#include "eclipsera/manifold/tsne.h"
#include "eclipsera/metrics/trustworthiness.h"
#include "eclipsera/pool/pooling_switch.h"

namespace {

using eclipsera::Index;
using eclipsera::Matrix;
using eclipsera::bench::Measure;
using eclipsera::bench::Measurement;
using eclipsera::manifold::TSNE;
using eclipsera::manifold::TSNEOptions;

// Gaussian blobs: 10 centres in d dimensions, unit noise.
Matrix Blobs(Index n, Index d, uint64_t seed) {
  eclipsera::Random rng(seed);
  Matrix centres(10, d);
  for (Index i = 0; i < centres.size(); ++i) {
    centres.data()[i] = 8.0 * rng.Normal();
  }
  Matrix x(n, d);
  for (Index i = 0; i < n; ++i) {
    const Index c = static_cast<Index>(rng.UniformInt(10));
    for (Index j = 0; j < d; ++j) x(i, j) = centres(c, j) + rng.Normal();
  }
  return x;
}

// A "defaults, end to end" table: TSNE with every default but
// random_state (n_jobs=-1, init 'pca', learning_rate 'auto', 1000
// iterations) against scikit-learn 1.2's TSNE(random_state=0) on the same
// data, one fit each; trustworthiness (5 neighbours) of both embeddings.
void EndToEnd(const std::string& title, const Matrix& x,
              const std::string& method) {
  namespace bench = eclipsera::bench;
  const bool smoke = bench::TableSmokeMode();
  std::vector<Measurement> rows;
  absl::StatusOr<bench::SklearnFit> sk = absl::UnavailableError("smoke mode");
  if (!smoke) {
    sk = bench::SklearnEndToEnd("manifold.TSNE", x, 1,
                                {"method=" + method, "random_state=0"});
    if (sk.ok()) {
      sk->row.note = absl::StrFormat("KL %.4f, trustworthiness %.4f",
                                     sk->values.at("kl_divergence"),
                                     sk->values.at("trustworthiness"));
      rows.push_back(sk->row);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  TSNEOptions o;
  o.method = method;
  o.random_state = 0;
  TSNE t(o);
  Measurement m = Measure(
      "Eclipsera TSNE, defaults (n_jobs=-1)", 1, [&] { (void)t.Fit(x); },
      /*warmup=*/false);
  const absl::StatusOr<double> trust =
      eclipsera::metrics::Trustworthiness(x, t.embedding(), 5);
  m.note = absl::StrFormat("KL %.4f, trustworthiness %.4f", t.kl_divergence(),
                           trust.ok() ? *trust : -1.0);
  if (sk.ok() && trust.ok()) {
    absl::StrAppendFormat(&m.note, " (%+.4f)",
                          *trust - sk->values.at("trustworthiness"));
  }
  rows.push_back(m);
  bench::PrintEndToEnd(title, rows, sk.ok() ? &sk->row : nullptr, m);
}

}  // namespace

int main(int argc, char** argv) {
  eclipsera::bench::ParseFlags(argc, argv);
  const bool smoke = eclipsera::bench::TableSmokeMode();

  // 1. Roadmap table: exact t-SNE, 1000 samples, 1000 iterations.
  {
    const Index n = smoke ? 120 : 1000;
    const Matrix x = Blobs(n, 50, 1);
    TSNEOptions o;
    o.method = "exact";
    o.n_iter = smoke ? 260 : 1000;
    o.n_iter_without_progress = 100000;  // run every iteration
    o.random_state = 0;
    std::vector<Measurement> rows;
    for (bool ws : {false, true}) {
      // v1.0 rows: the ECLIPSERA_DISABLE_POOLING opt-out.
      ::eclipsera::pool::ScopedPoolingDisabled pooling_mode(!ws);
      TSNE t(o);
      rows.push_back(Measure(ws ? "v2.0 workspace" : "v1.0 fresh arrays",
                             smoke ? 1 : 3, [&] { (void)t.Fit(x); }));
      rows.back().note =
          absl::StrFormat("KL %.4f, n_jobs=1", t.kl_divergence());
    }
    o.n_jobs = -1;
    TSNE t(o);
    rows.push_back(Measure("v2.0 workspace, n_jobs=-1", smoke ? 1 : 3,
                           [&] { (void)t.Fit(x); }));
    rows.back().note = absl::StrFormat("KL %.4f", t.kl_divergence());
    eclipsera::bench::PrintTable(
        absl::StrCat("t-SNE workspace (exact, ", n, " x 50, ", o.n_iter,
                     " iterations)"),
        rows);
  }

  // 2. Side by side with scikit-learn.
  const bool sk = !smoke && eclipsera::bench::SklearnAvailable();
  const std::string script =
      eclipsera::bench::Runfile("benchmarks/manifold/tsne_sklearn.py");
  Matrix digits;
  if (sk) {
    const std::string dir =
        eclipsera::bench::WriteTempNpy(Matrix::Zero(1, 1), "probe");
    const std::string csv = dir + ".digits.csv";
    auto r = eclipsera::bench::RunPython(script, {"dump-digits", csv});
    if (r.ok()) {
      absl::StatusOr<Matrix> m = eclipsera::io::ReadMatrix(csv);
      if (m.ok()) digits = *std::move(m);
    }
  }
  if (digits.rows() == 0) digits = Blobs(smoke ? 150 : 1797, 64, 2);
  struct Case {
    std::string name;
    Matrix x;
    std::string method;
  };
  std::vector<Case> cases = {
      {absl::StrCat("digits ", digits.rows(), " x 64, exact"), digits, "exact"},
      {absl::StrCat("digits ", digits.rows(), " x 64, barnes_hut"), digits,
       "barnes_hut"},
      {smoke ? "blobs 300 x 50, barnes_hut" : "blobs 10000 x 50, barnes_hut",
       Blobs(smoke ? 300 : 10000, 50, 3), "barnes_hut"},
  };
  const int n_iter = smoke ? 260 : 1000;
  for (const Case& c : cases) {
    std::vector<Measurement> rows;
    Measurement sk_row;
    sk_row.config = "scikit-learn 1.2 (all cores)";
    if (sk) {
      const std::string npy = eclipsera::bench::WriteTempNpy(c.x, "x");
      auto r = eclipsera::bench::RunPython(
          script, {"fit", npy, c.method, std::to_string(n_iter)});
      if (r.ok()) {
        sk_row.seconds = r->at("seconds");
        sk_row.note = absl::StrFormat("KL %.4f", r->at("kl_divergence"));
      } else {
        sk_row.note = std::string(r.status().message());
      }
    } else {
      sk_row.note = "not run";
    }
    rows.push_back(sk_row);
    TSNEOptions o;
    o.method = c.method;
    o.n_iter = n_iter;
    o.random_state = 0;
    o.n_jobs = -1;
    TSNE t(o);
    rows.push_back(Measure(
        "eclipsera (n_jobs=-1)", 1, [&] { (void)t.Fit(c.x); },
        /*warmup=*/false));
    rows.back().note = absl::StrFormat("KL %.4f", t.kl_divergence());
    eclipsera::bench::PrintTable(
        absl::StrCat("t-SNE vs scikit-learn: ", c.name), rows);
  }

  // 3. Defaults, end to end: the Barnes-Hut case on blobs whose
  // seed moves with --seed. (The digits rows above already run both sides
  // with the defaults: 1000 iterations, init 'pca', learning_rate 'auto'.)
  {
    const uint64_t s = eclipsera::bench::DataSeed();
    const Index n = smoke ? 300 : 8000;
    EndToEnd(absl::StrFormat("t-SNE Barnes-Hut, %d x 30 blobs (10 centres, "
                             "seed %d), target >= 6x",
                             n, 40 + s),
             eclipsera::bench::Blobs(n, 30, 10, 40 + s), "barnes_hut");
  }

  // 4. MNIST-sized: 70,000 x 50 with Barnes-Hut, eclipsera only (the
  // roadmap asks for minutes, not hours, and memory linear in N; two sizes
  // show the scaling of time and peak memory).
  if (!smoke) {
    std::vector<Measurement> rows;
    for (Index n : {Index{35000}, Index{70000}}) {
      const Matrix x = Blobs(n, 50, 4);
      TSNEOptions o;
      o.method = "barnes_hut";
      o.random_state = 0;
      o.n_jobs = -1;
      TSNE t(o);
      rows.push_back(Measure(
          absl::StrCat("eclipsera ", n, " x 50 (n_jobs=-1)"), 1,
          [&] { (void)t.Fit(x); }, /*warmup=*/false));
      rows.back().note = absl::StrFormat("KL %.4f", t.kl_divergence());
    }
    eclipsera::bench::PrintTable(
        "t-SNE at MNIST size: blobs 35,000 and 70,000 x 50, barnes_hut "
        "(speedup column: relative to the 35,000 row)",
        rows);
  }
  return 0;
}
