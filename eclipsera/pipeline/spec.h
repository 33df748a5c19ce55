// Pipeline specs, the command line's way to write a pipeline:
//
//   standardscaler|pca(n_components=10)|kmeans(n_clusters=8, init='random')
//
// Steps are `|`-separated registered estimator names (any case) or
// "passthrough", each with optional `(param=value, ...)`. Values are
// numbers, true/false, None, strings (bare or in single or double
// quotes) and lists of numbers in brackets ([0, 1]). Steps are named as
// MakePipeline names them. Errors point at the offending character.
#ifndef ECLIPSERA_PIPELINE_SPEC_H_
#define ECLIPSERA_PIPELINE_SPEC_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/pipeline/pipeline.h"

namespace eclipsera::pipeline {

// One `name(param=value, ...)` element of a spec.
struct SpecCall {
  std::string name;  // as written
  size_t position;   // of the name in the spec (0-based), for messages
  ParamMap params;
};

// The spec's syntax alone: its `|`-separated calls (also how the command
// line writes splitters, "kfold(n_splits=5, shuffle=true)").
// Messages start with `label` ("--cv: at character 3: ...").
absl::StatusOr<std::vector<SpecCall>> ParseSpecCalls(
    absl::string_view spec, absl::string_view label = "pipeline spec");

// The spec as a Pipeline (one step or more).
absl::StatusOr<std::unique_ptr<Pipeline>> ParsePipelineSpec(
    absl::string_view spec, const EstimatorRegistry& registry,
    bool verbose = false);

// The spec as an estimator: a one-step spec is that estimator itself,
// several steps make a Pipeline.
absl::StatusOr<std::unique_ptr<Estimator>> ParseEstimatorSpec(
    absl::string_view spec, const EstimatorRegistry& registry);

}  // namespace eclipsera::pipeline

#endif  // ECLIPSERA_PIPELINE_SPEC_H_
