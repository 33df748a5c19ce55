#include "benchmarks/common/end_to_end.h"

#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/common/report.h"
#include "eclipsera/io/npy.h"

namespace eclipsera::bench {
namespace {

// "yes" for equal labels, "same partition" when they differ only by
// numbering (noise -1 on both sides), "NO" otherwise.
std::string CompareLabels(const Matrix& theirs, const Vector& ours) {
  if (theirs.size() != ours.size()) return "NO (sizes differ)";
  if (Eigen::Map<const Vector>(theirs.data(), theirs.size()) == ours) {
    return "yes";
  }
  std::map<double, double> forward, backward;
  for (Index i = 0; i < ours.size(); ++i) {
    const double a = theirs.data()[i], b = ours(i);
    if ((a == -1) != (b == -1)) return "NO";
    if (forward.emplace(a, b).first->second != b) return "NO";
    if (backward.emplace(b, a).first->second != a) return "NO";
  }
  return "same partition, numbered differently";
}

}  // namespace

absl::StatusOr<Matrix> RealDataset(const std::string& name) {
  const std::string path = WriteTempNpy(Matrix(0, 1), name + ".npy");
  absl::StatusOr<std::map<std::string, double>> dumped =
      RunPython(Runfile("benchmarks/common/dump_dataset.py"), {name, path});
  if (!dumped.ok()) return dumped.status();
  return io::ReadNpy(path);
}

absl::StatusOr<SklearnFit> SklearnEndToEnd(
    const std::string& sklearn_class, const Matrix& x, int repeats,
    const std::vector<std::string>& params) {
  const std::string labels_path = WriteTempNpy(Matrix(0, 1), "labels.npy");
  std::vector<std::string> args = {sklearn_class, WriteTempNpy(x, "X.npy"),
                                   absl::StrCat(repeats), labels_path};
  args.insert(args.end(), params.begin(), params.end());
  absl::StatusOr<std::map<std::string, double>> sk =
      RunPython(Runfile("benchmarks/common/e2e_sklearn.py"), args);
  if (!sk.ok()) return sk.status();
  SklearnFit fit;
  fit.values = *std::move(sk);
  fit.row.config = absl::StrCat(
      "scikit-learn ", sklearn_class.substr(sklearn_class.rfind('.') + 1),
      ", defaults");
  fit.row.seconds = fit.values.at("seconds");
  fit.row.peak_mb = fit.values.at("peak_mb");
  fit.row.allocations = -1;  // not counted; peak is resident-memory growth
  fit.labels = fit.values.count("n_clusters")
                   ? io::ReadNpy(labels_path)
                   : absl::StatusOr<Matrix>(absl::NotFoundError("no labels"));
  return fit;
}

void PrintEndToEnd(const std::string& title,
                   const std::vector<Measurement>& rows,
                   const Measurement* sklearn, const Measurement& ours) {
  PrintTable(title + " — defaults, end to end", rows);
  if (sklearn == nullptr || !(sklearn->seconds > 0)) return;
  std::printf(
      "\nend-to-end speedup vs scikit-learn: %.2fx (peak: heap growth for "
      "Eclipsera, resident-memory growth for scikit-learn)\n",
      sklearn->seconds / ours.seconds);
}

void ClustererEndToEnd(const std::string& title, const Matrix& x,
                       const Estimator& prototype,
                       const std::string& sklearn_class,
                       const std::vector<std::string>& sklearn_params,
                       int repeats, int sklearn_repeats) {
  const bool smoke = TableSmokeMode();
  std::vector<Measurement> rows;
  absl::StatusOr<SklearnFit> sk = absl::UnavailableError("smoke mode");
  if (!smoke) {
    sk = SklearnEndToEnd("cluster." + sklearn_class, x, sklearn_repeats,
                         sklearn_params);
    if (sk.ok()) {
      sk->row.note = absl::StrFormat("%.0f clusters, %.0f noise",
                                     sk->values.at("n_clusters"),
                                     sk->values.at("n_noise"));
      rows.push_back(sk->row);
    } else {
      std::printf("(scikit-learn not run: %s)\n",
                  std::string(sk.status().message()).c_str());
    }
  }
  std::unique_ptr<Estimator> est = prototype.Clone();
  absl::StatusOr<Vector> labels = absl::UnavailableError("not fitted");
  Measurement m = Measure(
      absl::StrCat("Eclipsera ", est->name(), ", defaults"),
      smoke ? 1 : repeats, [&] { labels = est->FitPredict(x); },
      /*warmup=*/false);
  if (!labels.ok()) {
    m.note = absl::StrCat("failed: ", labels.status().message());
  } else {
    std::set<double> clusters;
    Index noise = 0;
    for (Index i = 0; i < labels->size(); ++i) {
      if ((*labels)(i) >= 0) clusters.insert((*labels)(i));
      noise += (*labels)(i) == -1;
    }
    m.note = absl::StrFormat(
        "%d clusters, %d noise; labels equal to scikit-learn's: %s",
        clusters.size(), noise,
        sk.ok() && sk->labels.ok() ? CompareLabels(*sk->labels, *labels)
                                   : "n/a");
  }
  rows.push_back(m);
  PrintEndToEnd(title, rows, sk.ok() ? &sk->row : nullptr, m);
}

}  // namespace eclipsera::bench
