#include "eclipsera/pipeline/column_transformer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/pipeline/parts.h"

namespace eclipsera::pipeline {
namespace {

constexpr char kOwner[] = "ColumnTransformer";

// Whether `cols` is one ascending run of columns (then a view suffices).
bool IsRun(const std::vector<Index>& cols) {
  for (size_t j = 1; j < cols.size(); ++j) {
    if (cols[j] != cols[0] + static_cast<Index>(j)) return false;
  }
  return true;
}

// Calls fn(v) with v the columns `cols` of x: x's own memory when they are
// one run, else a copy.
template <class Fn>
absl::Status WithColumns(const ConstMatrixRef& x,
                         const std::vector<Index>& cols, Fn&& fn) {
  const Index k = static_cast<Index>(cols.size());
  if (IsRun(cols)) return fn(ConstMatrixRef(x.middleCols(cols[0], k)));
  Matrix gathered(x.rows(), k);
  for (Index j = 0; j < k; ++j) gathered.col(j) = x.col(cols[j]);
  return fn(ConstMatrixRef(gathered));
}

}  // namespace

absl::Status ColumnTransformer::CheckPassthroughFinite(
    const ConstMatrixRef& x) const {
  for (size_t i = 0; i < work_.size(); ++i) {
    if (!IsString(Value(i), kPassthrough)) continue;
    for (Index c : columns_[i]) {
      for (Index r = 0; r < x.rows(); ++r) {
        if (!std::isfinite(x(r, c))) {
          return absl::InvalidArgumentError(absl::StrCat(
              kOwner, ": part '", MemberName(i), "' passes column ", c,
              " through, and X has ", x(r, c), " at row ", r,
              "; passed-through values must be finite (impute missing "
              "values in a part with SimpleImputer instead)"));
        }
      }
    }
  }
  return absl::OkStatus();
}

bool ColumnTransformer::allows_nan() const {
  for (size_t i = 0; i < work_.size(); ++i) {
    if (IsString(Value(i), kDrop)) continue;
    if (work_[i] == nullptr || !work_[i]->allows_nan()) return false;
  }
  return true;
}

ColumnPart Columns(std::string name, const Estimator& transformer,
                   std::vector<int64_t> columns) {
  return {std::move(name), MakeEstimatorParam(transformer), std::move(columns)};
}
ColumnPart DropColumns(std::string name, std::vector<int64_t> columns) {
  return {std::move(name), std::string(kDrop), std::move(columns)};
}
ColumnPart PassthroughColumns(std::string name, std::vector<int64_t> columns) {
  return {std::move(name), std::string(kPassthrough), std::move(columns)};
}

absl::StatusOr<std::unique_ptr<ColumnTransformer>> ColumnTransformer::Create(
    std::vector<ColumnPart> parts, ParamValue remainder,
    std::vector<double> transformer_weights, int n_jobs) {
  std::vector<std::string> names;
  for (const ColumnPart& p : parts) {
    names.push_back(p.name);
    ECLIPSERA_RETURN_IF_ERROR(CheckPartValue(kOwner, p.name, p.transformer));
  }
  ECLIPSERA_RETURN_IF_ERROR(
      CheckPartNames(kOwner, names,
                     {"n_jobs", "remainder", "transformer_weights",
                      "transformers", "verbose"}));
  ECLIPSERA_RETURN_IF_ERROR(CheckPartValue(kOwner, "remainder", remainder));
  const size_t n = parts.size();
  if (!transformer_weights.empty() && transformer_weights.size() != n &&
      transformer_weights.size() != n + 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        kOwner, ": transformer_weights has ", transformer_weights.size(),
        " entries for ", n,
        " parts; give none, one per part, or one per part and one for the "
        "remainder"));
  }
  if (absl::StatusOr<int> j = ResolveNJobs(n_jobs); !j.ok()) return j.status();
  return std::unique_ptr<ColumnTransformer>(
      new ColumnTransformer(std::move(parts), std::move(remainder),
                            std::move(transformer_weights), n_jobs));
}

ColumnTransformer::ColumnTransformer(std::vector<ColumnPart> parts,
                                     ParamValue remainder,
                                     std::vector<double> weights, int n_jobs)
    : parts_(std::move(parts)),
      remainder_(std::move(remainder)),
      weights_(std::move(weights)),
      n_jobs_(n_jobs) {
  for (size_t i = 0; i <= parts_.size(); ++i) {
    const EstimatorParam* e = std::get_if<EstimatorParam>(&Value(i));
    work_.push_back(e == nullptr ? nullptr : e->prototype->Clone());
  }
  columns_.resize(parts_.size() + 1);
  offset_.assign(parts_.size() + 1, 0);
}

const std::string& ColumnTransformer::MemberName(size_t i) const {
  static const std::string* const kRemainder = new std::string("remainder");
  return i < parts_.size() ? parts_[i].name : *kRemainder;
}

Index ColumnTransformer::Width(size_t i) const {
  if (columns_[i].empty() || IsString(Value(i), kDrop)) return 0;
  if (work_[i] == nullptr) return static_cast<Index>(columns_[i].size());
  return work_[i]->n_features_out();
}

std::vector<std::pair<std::string, std::pair<Index, Index>>>
ColumnTransformer::output_indices() const {
  std::vector<std::pair<std::string, std::pair<Index, Index>>> out;
  for (size_t i = 0; i < work_.size(); ++i) {
    const Index w = fitted_ ? Width(i) : 0;
    out.push_back(
        {MemberName(i), w > 0 ? std::make_pair(offset_[i], offset_[i] + w)
                              : std::make_pair(Index{0}, Index{0})});
  }
  return out;
}

std::vector<ParamInfo> ColumnTransformer::DescribeParams() const {
  std::vector<ParamInfo> out;
  out.push_back({"n_jobs", int64_t{n_jobs_}, kNJobsDoc});
  out.push_back({"remainder", remainder_,
                 "the columns no part selects: 'drop', 'passthrough' or a "
                 "transformer"});
  out.push_back({"transformer_weights", weights_,
                 "one multiplier per part, optionally one more for the "
                 "remainder ([] = all 1)"});
  for (const ColumnPart& p : parts_) {
    out.push_back(
        {p.name, p.transformer,
         absl::StrCat("a part on columns [", absl::StrJoin(p.columns, ", "),
                      "]: a transformer, 'drop' or 'passthrough'")});
  }
  return out;
}

std::string ColumnTransformer::StructureKey() const {
  std::string out = Estimator::StructureKey();
  for (const ColumnPart& p : parts_) {
    absl::StrAppend(&out, "[", p.name.size(), ":", p.name, ":",
                    absl::StrJoin(p.columns, ","), "]");
  }
  return out;
}

std::unique_ptr<Estimator> ColumnTransformer::Clone() const {
  return std::unique_ptr<Estimator>(
      new ColumnTransformer(parts_, remainder_, weights_, n_jobs_));
}

void ColumnTransformer::Reset() {
  for (auto& w : work_) {
    if (w != nullptr) w->Reset();
  }
  fitted_ = false;
  n_out_ = 0;
  n_features_in_ = 0;
}

ParamMap ColumnTransformer::DoGetParams() const {
  ParamMap out;
  out.emplace("n_jobs", int64_t{n_jobs_});
  out.emplace("remainder", remainder_);
  out.emplace("transformer_weights", weights_);
  for (const ColumnPart& p : parts_) out.emplace(p.name, p.transformer);
  return out;
}

absl::Status ColumnTransformer::DoSetParams(const ParamMap& params) {
  int n_jobs = n_jobs_;
  std::vector<double> weights = weights_;
  std::vector<ColumnPart> parts = parts_;
  ParamValue remainder = remainder_;
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
    if (name == "remainder") {
      ECLIPSERA_RETURN_IF_ERROR(CheckPartValue(kOwner, name, value));
      remainder = value;
      continue;
    }
    const std::string& key = name;  // lambdas cannot capture bindings
    auto it = std::find_if(parts.begin(), parts.end(),
                           [&](const ColumnPart& p) { return p.name == key; });
    if (it == parts.end()) {
      std::vector<std::string> valid = {"n_jobs", "remainder",
                                        "transformer_weights"};
      for (const ColumnPart& p : parts) valid.push_back(p.name);
      return absl::InvalidArgumentError(absl::StrCat(
          kOwner, ": unknown parameter '", name, "'; valid parameters: ",
          absl::StrJoin(valid, ", "), " and part__param for a part's own"));
    }
    ECLIPSERA_RETURN_IF_ERROR(CheckPartValue(kOwner, name, value));
    it->transformer = value;
  }
  if (!weights.empty() && weights.size() != parts.size() &&
      weights.size() != parts.size() + 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        kOwner, ": transformer_weights has ", weights.size(), " entries for ",
        parts.size(),
        " parts; give none, one per part, or one per part and one for the "
        "remainder"));
  }
  if (absl::StatusOr<int> j = ResolveNJobs(n_jobs); !j.ok()) return j.status();
  n_jobs_ = n_jobs;
  weights_ = std::move(weights);
  for (size_t i = 0; i < work_.size(); ++i) {
    const ParamValue& now = i < parts.size() ? parts[i].transformer : remainder;
    if (now == Value(i) && work_[i] != nullptr) continue;  // keep buffers
    const EstimatorParam* e = std::get_if<EstimatorParam>(&now);
    work_[i] = e == nullptr ? nullptr : e->prototype->Clone();
  }
  parts_ = std::move(parts);
  remainder_ = std::move(remainder);
  Reset();
  return absl::OkStatus();
}

absl::Status ColumnTransformer::DoFit(const ConstMatrixRef& x,
                                      absl::Span<const double> y,
                                      const FitArgs& /*args*/) {
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(n_jobs_).status());
  const Index d = x.cols();
  std::vector<bool> selected(d, false);
  for (size_t i = 0; i < parts_.size(); ++i) {
    columns_[i].clear();
    for (int64_t c : parts_[i].columns) {
      const int64_t col = c < 0 ? c + d : c;
      if (col < 0 || col >= d) {
        return absl::InvalidArgumentError(
            absl::StrCat(kOwner, ": part '", parts_[i].name,
                         "' selects column ", c, ", but X has ", d,
                         " features (valid indices ", -d, " to ", d - 1, ")"));
      }
      columns_[i].push_back(static_cast<Index>(col));
      selected[col] = true;
    }
  }
  columns_.back().clear();
  for (Index j = 0; j < d; ++j) {
    if (!selected[j]) columns_.back().push_back(j);
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckPassthroughFinite(x));
  std::vector<absl::Status> status(work_.size());
  ParallelFor(n_jobs_, static_cast<Index>(work_.size()), [&](Index i, int) {
    Estimator* member = work_[i].get();
    if (member == nullptr || columns_[i].empty()) return;
    status[i] = WithColumns(x, columns_[i], [&](const ConstMatrixRef& v) {
      return member->Fit(v, y);
    });
    if (status[i].ok() && member->n_features_out() == 0) {
      status[i] = absl::InvalidArgumentError(
          absl::StrCat(member->name(), " has no Transform"));
    }
  });
  n_out_ = 0;
  for (size_t i = 0; i < work_.size(); ++i) {
    if (!status[i].ok()) {
      return absl::Status(status[i].code(),
                          absl::StrCat(kOwner, ": in part '", MemberName(i),
                                       "': ", status[i].message()));
    }
    if (work_[i] != nullptr && !columns_[i].empty()) {
      for (const std::string& w : work_[i]->warnings()) {
        AddWarning(absl::StrCat(MemberName(i), ": ", w));
      }
    }
    offset_[i] = n_out_;
    n_out_ += Width(i);
  }
  if (n_out_ == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kOwner,
        ": no part produces columns (all dropped or empty); the output "
        "would have none"));
  }
  n_features_in_ = d;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status ColumnTransformer::DoTransformInto(const ConstMatrixRef& x,
                                                MatrixRef out) const {
  if (x.cols() != n_features_in_) {
    return absl::InvalidArgumentError(absl::StrCat(
        kOwner, ": X has ", x.cols(), " features, but the transformer was ",
        "fitted on ", n_features_in_, " features"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckPassthroughFinite(x));
  std::vector<absl::Status> status(work_.size());
  ParallelFor(n_jobs_, static_cast<Index>(work_.size()), [&](Index i, int) {
    const Index width = Width(i);
    if (width == 0) return;
    auto block = out.middleCols(offset_[i], width);
    if (work_[i] == nullptr) {  // passthrough
      for (Index j = 0; j < width; ++j) block.col(j) = x.col(columns_[i][j]);
    } else {
      status[i] = WithColumns(x, columns_[i], [&](const ConstMatrixRef& v) {
        return work_[i]->TransformInto(v, block);
      });
    }
    if (status[i].ok() && Weight(i) != 1.0) block *= Weight(i);
  });
  for (size_t i = 0; i < work_.size(); ++i) {
    if (!status[i].ok()) {
      return absl::Status(status[i].code(),
                          absl::StrCat(kOwner, ": in part '", MemberName(i),
                                       "': ", status[i].message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace eclipsera::pipeline
