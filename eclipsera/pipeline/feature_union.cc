#include "eclipsera/pipeline/feature_union.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/pipeline/parts.h"
#include "eclipsera/pipeline/pipeline.h"

namespace eclipsera::pipeline {
namespace {

constexpr char kOwner[] = "FeatureUnion";

}  // namespace

UnionPart Part(std::string name, const Estimator& transformer) {
  return {std::move(name), MakeEstimatorParam(transformer)};
}
UnionPart DropPart(std::string name) {
  return {std::move(name), std::string(kDrop)};
}
UnionPart PassthroughPart(std::string name) {
  return {std::move(name), std::string(kPassthrough)};
}

absl::StatusOr<std::unique_ptr<FeatureUnion>> FeatureUnion::Create(
    std::vector<UnionPart> parts, std::vector<double> transformer_weights,
    int n_jobs) {
  if (parts.empty()) {
    return absl::InvalidArgumentError(
        "FeatureUnion: needs at least one (name, transformer) part");
  }
  std::vector<std::string> names;
  for (const UnionPart& p : parts) {
    names.push_back(p.name);
    ECLIPSERA_RETURN_IF_ERROR(CheckPartValue(kOwner, p.name, p.transformer));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckPartNames(
      kOwner, names,
      {"n_jobs", "transformer_list", "transformer_weights", "verbose"}));
  if (!transformer_weights.empty() &&
      transformer_weights.size() != parts.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FeatureUnion: transformer_weights has ", transformer_weights.size(),
        " entries for ", parts.size(), " parts; give one per part or none"));
  }
  if (absl::StatusOr<int> j = ResolveNJobs(n_jobs); !j.ok()) return j.status();
  return std::unique_ptr<FeatureUnion>(new FeatureUnion(
      std::move(parts), std::move(transformer_weights), n_jobs));
}

FeatureUnion::FeatureUnion(std::vector<UnionPart> parts,
                           std::vector<double> weights, int n_jobs)
    : parts_(std::move(parts)), weights_(std::move(weights)), n_jobs_(n_jobs) {
  for (const UnionPart& p : parts_) {
    const EstimatorParam* e = std::get_if<EstimatorParam>(&p.transformer);
    work_.push_back(e == nullptr ? nullptr : e->prototype->Clone());
  }
}

absl::StatusOr<std::unique_ptr<FeatureUnion>> MakeUnion(
    const std::vector<const Estimator*>& transformers, int n_jobs) {
  std::vector<std::string> classes;
  for (const Estimator* t : transformers) {
    classes.push_back(t == nullptr ? kDrop : t->name());
  }
  const std::vector<std::string> names = NameSteps(classes);
  std::vector<UnionPart> parts;
  for (size_t i = 0; i < transformers.size(); ++i) {
    parts.push_back(transformers[i] == nullptr
                        ? DropPart(names[i])
                        : Part(names[i], *transformers[i]));
  }
  return FeatureUnion::Create(std::move(parts), {}, n_jobs);
}

std::vector<ParamInfo> FeatureUnion::DescribeParams() const {
  std::vector<ParamInfo> out;
  out.push_back({"n_jobs", int64_t{n_jobs_}, kNJobsDoc});
  out.push_back({"transformer_weights", weights_,
                 "one multiplier per part, in order ([] = all 1)"});
  for (const UnionPart& p : parts_) {
    out.push_back({p.name, p.transformer,
                   "a part: a transformer, 'drop' or 'passthrough'"});
  }
  return out;
}

std::unique_ptr<Estimator> FeatureUnion::Clone() const {
  return std::unique_ptr<Estimator>(
      new FeatureUnion(parts_, weights_, n_jobs_));
}

void FeatureUnion::Reset() {
  for (auto& w : work_) {
    if (w != nullptr) w->Reset();
  }
  fitted_ = false;
  n_out_ = 0;
  n_features_in_ = 0;
}

ParamMap FeatureUnion::DoGetParams() const {
  ParamMap out;
  out.emplace("n_jobs", int64_t{n_jobs_});
  out.emplace("transformer_weights", weights_);
  for (const UnionPart& p : parts_) out.emplace(p.name, p.transformer);
  return out;
}

absl::Status FeatureUnion::DoSetParams(const ParamMap& params) {
  int n_jobs = n_jobs_;
  std::vector<double> weights = weights_;
  std::vector<UnionPart> parts = parts_;
  for (const auto& [name, value] : params) {
    if (name == "n_jobs") {
      ECLIPSERA_ASSIGN_OR_RETURN(int64_t j, ParamAsInt("n_jobs", value));
      n_jobs = static_cast<int>(j);
      continue;
    }
    if (name == "transformer_weights") {
      if (std::holds_alternative<std::monostate>(value)) {
        weights.clear();
      } else {
        ECLIPSERA_ASSIGN_OR_RETURN(
            weights, ParamAsDoubles("transformer_weights", value));
      }
      continue;
    }
    const std::string& key = name;  // lambdas cannot capture bindings
    auto it = std::find_if(parts.begin(), parts.end(),
                           [&](const UnionPart& p) { return p.name == key; });
    if (it == parts.end()) {
      std::vector<std::string> valid = {"n_jobs", "transformer_weights"};
      for (const UnionPart& p : parts) valid.push_back(p.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "FeatureUnion: unknown parameter '", name, "'; valid parameters: ",
          absl::StrJoin(valid, ", "), " and part__param for a part's own"));
    }
    ECLIPSERA_RETURN_IF_ERROR(CheckPartValue(kOwner, name, value));
    it->transformer = value;
  }
  if (!weights.empty() && weights.size() != parts.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FeatureUnion: transformer_weights has ", weights.size(),
        " entries for ", parts.size(), " parts; give one per part or none"));
  }
  n_jobs_ = n_jobs;
  weights_ = std::move(weights);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].transformer == parts_[i].transformer && work_[i] != nullptr) {
      continue;  // unchanged: keep the fitted part's buffers
    }
    const EstimatorParam* e =
        std::get_if<EstimatorParam>(&parts[i].transformer);
    work_[i] = e == nullptr ? nullptr : e->prototype->Clone();
  }
  parts_ = std::move(parts);
  Reset();
  return absl::OkStatus();
}

Index FeatureUnion::PartWidth(size_t i) const {
  if (work_[i] != nullptr) return work_[i]->n_features_out();
  return IsString(parts_[i].transformer, kPassthrough) ? n_features_in_ : 0;
}

absl::Status FeatureUnion::DoFit(const ConstMatrixRef& x,
                                 absl::Span<const double> y,
                                 const FitArgs& args) {
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(n_jobs_).status());
  n_features_in_ = x.cols();
  std::vector<absl::Status> status(work_.size());
  ParallelFor(n_jobs_, static_cast<Index>(work_.size()), [&](Index i, int) {
    Estimator* part = work_[i].get();
    if (part == nullptr) return;
    status[i] = part->Fit(x, y, args);
    if (status[i].ok() && part->n_features_out() == 0) {
      status[i] = absl::InvalidArgumentError(
          absl::StrCat("FeatureUnion: part '", parts_[i].name, "' (",
                       part->name(), ") has no Transform"));
    }
  });
  n_out_ = 0;
  for (size_t i = 0; i < work_.size(); ++i) {
    if (!status[i].ok()) {
      return absl::Status(
          status[i].code(),
          absl::StrCat("FeatureUnion: in part '", parts_[i].name,
                       "': ", status[i].message()));
    }
    if (work_[i] != nullptr) {
      for (const std::string& w : work_[i]->warnings()) {
        AddWarning(absl::StrCat(parts_[i].name, ": ", w));
      }
    }
    n_out_ += PartWidth(i);
  }
  if (n_out_ == 0) {
    return absl::InvalidArgumentError(
        "FeatureUnion: every part is 'drop'; the union has no output");
  }
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status FeatureUnion::DoTransformInto(const ConstMatrixRef& x,
                                           MatrixRef out) const {
  if (x.cols() != n_features_in_) {
    return absl::InvalidArgumentError(
        absl::StrCat("FeatureUnion: X has ", x.cols(),
                     " features, but the union was "
                     "fitted on ",
                     n_features_in_, " features"));
  }
  std::vector<Index> offset(work_.size() + 1, 0);
  for (size_t i = 0; i < work_.size(); ++i) {
    offset[i + 1] = offset[i] + PartWidth(i);
  }
  std::vector<absl::Status> status(work_.size());
  ParallelFor(n_jobs_, static_cast<Index>(work_.size()), [&](Index i, int) {
    const Index width = offset[i + 1] - offset[i];
    if (width == 0) return;
    auto block = out.middleCols(offset[i], width);
    if (work_[i] == nullptr) {
      block = x;  // passthrough
    } else {
      status[i] = work_[i]->TransformInto(x, block);
    }
    if (status[i].ok() && !weights_.empty() && weights_[i] != 1.0) {
      block *= weights_[i];
    }
  });
  for (size_t i = 0; i < work_.size(); ++i) {
    if (!status[i].ok()) {
      return absl::Status(
          status[i].code(),
          absl::StrCat("FeatureUnion: in part '", parts_[i].name,
                       "': ", status[i].message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace eclipsera::pipeline
