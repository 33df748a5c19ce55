// libFuzzer target for the text the command line turns into objects:
// pipeline specs (`eclipsera pipeline --steps`, `search --estimator`),
// parameter grids (`--param_grid` JSON) and splitter specs (`--cv`).
// The first byte picks the parser, the rest is its input. Any input must
// give an object or an InvalidArgument status; objects must hold their
// invariants: a pipeline's parameters round-trip through SetParams and
// Clone, a grid's candidates have its keys, a splitter's indices are in
// range and a partition's test sets cover every sample once.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "eclipsera/cli/algorithms.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/model_selection/parameter_grid.h"
#include "eclipsera/model_selection/split.h"
#include "eclipsera/pipeline/spec.h"
#include "fuzz/fuzz_check.h"

namespace {

namespace ms = eclipsera::model_selection;
using eclipsera::Index;

const eclipsera::EstimatorRegistry& Registry() {
  static const eclipsera::EstimatorRegistry* registry = [] {
    auto* r = new eclipsera::EstimatorRegistry;
    if (!eclipsera::cli::RegisterAllAlgorithms(*r).ok()) std::abort();
    return r;
  }();
  return *registry;
}

void CheckStatus(const absl::Status& s) {
  FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  FUZZ_CHECK(!s.message().empty());
}

void Pipeline(absl::string_view text) {
  absl::StatusOr<std::unique_ptr<eclipsera::Estimator>> est =
      eclipsera::pipeline::ParseEstimatorSpec(text, Registry());
  if (!est.ok()) {
    CheckStatus(est.status());
    return;
  }
  const eclipsera::ParamMap params = (*est)->GetParams();
  FUZZ_CHECK((*est)->SetParams(params).ok());
  FUZZ_CHECK((*est)->GetParams() == params);
  std::unique_ptr<eclipsera::Estimator> clone = (*est)->Clone();
  FUZZ_CHECK(clone->GetParams() == params);
  FUZZ_CHECK(eclipsera::EstimatorRepr(*clone) ==
             eclipsera::EstimatorRepr(**est));
  FUZZ_CHECK(!(*est)->fitted());
}

void Grid(absl::string_view text) {
  absl::StatusOr<std::vector<ms::ParamSpace>> spaces =
      ms::ParseParamSpaces(text);
  if (!spaces.ok()) {
    CheckStatus(spaces.status());
    return;
  }
  absl::StatusOr<ms::ParameterGrid> grid = ms::ParameterGrid::Create(*spaces);
  if (grid.ok()) {
    const size_t n = grid->size();
    for (size_t i = 0; i < n && i < 64; ++i) {
      const eclipsera::ParamMap c = (*grid)[i];
      size_t offset = i, which = 0;
      // Candidate i comes from the grid whose range holds i.
      while (which < spaces->size()) {
        size_t size = 1;
        for (const auto& [k, d] : (*spaces)[which]) size *= d.values.size();
        if (offset < size) break;
        offset -= size;
        ++which;
      }
      FUZZ_CHECK(which < spaces->size());
      FUZZ_CHECK(c.size() == (*spaces)[which].size());
      for (const auto& [k, v] : c) FUZZ_CHECK((*spaces)[which].count(k) == 1);
    }
  } else {
    CheckStatus(grid.status());
  }
  absl::StatusOr<ms::ParameterSampler> sampler =
      ms::ParameterSampler::Create(*spaces, 5, 0);
  if (!sampler.ok()) {
    CheckStatus(sampler.status());
    return;
  }
  std::vector<std::string> warnings;
  const std::vector<eclipsera::ParamMap> a = sampler->Sample(&warnings);
  FUZZ_CHECK(a.size() <= 5);
  FUZZ_CHECK(a == sampler->Sample(nullptr));
}

void Splitter(absl::string_view text, uint8_t kind_byte) {
  const eclipsera::EstimatorKind kind =
      kind_byte % 2 ? eclipsera::EstimatorKind::kClassifier
                    : eclipsera::EstimatorKind::kRegressor;
  absl::StatusOr<std::unique_ptr<ms::Splitter>> cv =
      ms::ParseSplitter(text, kind);
  if (!cv.ok()) {
    CheckStatus(cv.status());
    return;
  }
  constexpr Index kN = 24;
  std::vector<double> y(kN), groups(kN);
  for (Index i = 0; i < kN; ++i) {
    y[i] = static_cast<double>((i * 7 + kind_byte) % 3);
    groups[i] = static_cast<double>(i / 3);
  }
  absl::StatusOr<std::vector<ms::TrainTest>> splits =
      (*cv)->Split({kN, y, groups}, nullptr);
  if (!splits.ok()) {
    CheckStatus(splits.status());
    return;
  }
  std::vector<int> in_test(kN, 0);
  for (const ms::TrainTest& t : *splits) {
    for (const std::vector<Index>* v : {&t.train, &t.test}) {
      for (Index i : *v) FUZZ_CHECK(i >= 0 && i < kN);
    }
    for (Index i : t.test) ++in_test[i];
  }
  if ((*cv)->IsPartition()) {
    for (Index i = 0; i < kN; ++i) FUZZ_CHECK(in_test[i] == 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 512) return 0;
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  switch (data[0] % 3) {
    case 0:
      Pipeline(text);
      break;
    case 1:
      Grid(text);
      break;
    default:
      Splitter(text, data[0]);
  }
  return 0;
}
