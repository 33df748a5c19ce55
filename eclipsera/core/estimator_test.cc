#include "eclipsera/core/estimator.h"

#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "eclipsera/core/registry.h"
#include "eclipsera/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera {
namespace {

using ::eclipsera::testing::IsOk;
using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

struct MeanOptions {
  double shift = 0.0;
  static const ParamSchema<MeanOptions>& Schema() {
    static const auto* s = [] {
      auto* s = new ParamSchema<MeanOptions>("ColumnMean");
      s->Double("shift", &MeanOptions::shift, "added to every mean");
      return s;
    }();
    return *s;
  }
};

// Learns column means; predicts the row sum of (x - mean - shift).
class ColumnMean : public EstimatorWithOptions<ColumnMean, MeanOptions> {
 public:
  explicit ColumnMean(MeanOptions o = {}) : options_(o) {}
  std::string name() const override { return "ColumnMean"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  const MeanOptions& options() const { return options_; }
  void set_options(const MeanOptions& o) {
    options_ = o;
    Reset();
  }
  void Reset() override { fitted_ = false; }
  bool fitted() const override { return fitted_; }
  const Vector& mean() const { return mean_; }
  FittedScalarList FittedScalars() const override {
    return {{"n_features", static_cast<double>(mean_.size())}};
  }

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double>,
                     const FitArgs&) override {
    if (!x.allFinite()) return absl::InvalidArgumentError("X is not finite");
    mean_ = x.colwise().mean().transpose().array() + options_.shift;
    fitted_ = true;
    return absl::OkStatus();
  }
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override {
    out = (x.rowwise() - mean_.transpose()).rowwise().sum();
    return absl::OkStatus();
  }

 private:
  MeanOptions options_;
  Vector mean_;
  bool fitted_ = false;
};

TEST(EstimatorTest, FitPredictAndNotFitted) {
  ColumnMean est;
  Matrix x(2, 2);
  x << 1, 2, 3, 4;
  EXPECT_THAT(est.Predict(x), StatusIs(absl::StatusCode::kFailedPrecondition,
                                       HasSubstr("ColumnMean::Predict")));
  ECLIPSERA_ASSERT_OK(est.Fit(x));
  EXPECT_TRUE(est.fitted());
  absl::StatusOr<Vector> p = est.Predict(x);
  ECLIPSERA_ASSERT_OK(p);
  EXPECT_DOUBLE_EQ((*p)(0), -2.0);
  EXPECT_DOUBLE_EQ((*p)(1), 2.0);
  EXPECT_THAT(est.Transform(x), StatusIs(absl::StatusCode::kUnimplemented,
                                         HasSubstr("ColumnMean has no "
                                                   "Transform")));
}

TEST(EstimatorTest, RejectsEmptyAndMismatchedY) {
  ColumnMean est;
  Matrix empty(0, 2);
  EXPECT_THAT(est.Fit(empty), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("ColumnMean::Fit: X is "
                                                 "empty")));
  Matrix x = Matrix::Ones(3, 2);
  std::vector<double> y = {1, 2};
  EXPECT_THAT(est.Fit(x, y),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("y has 2 entries but X has 3 samples")));
  // Still usable afterwards.
  ECLIPSERA_EXPECT_OK(est.Fit(x));
}

TEST(EstimatorTest, ParamsCloneReset) {
  ColumnMean est;
  ECLIPSERA_ASSERT_OK(est.SetParams({{"shift", 1.5}}));
  EXPECT_EQ(std::get<double>(est.GetParams().at("shift")), 1.5);
  EXPECT_THAT(est.SetParams({{"shfit", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("valid parameters: shift")));
  Matrix x = Matrix::Ones(3, 2);
  ECLIPSERA_ASSERT_OK(est.Fit(x));
  std::unique_ptr<Estimator> clone = est.Clone();
  EXPECT_FALSE(clone->fitted());
  EXPECT_EQ(std::get<double>(clone->GetParams().at("shift")), 1.5);
  est.Reset();
  EXPECT_FALSE(est.fitted());
  EXPECT_EQ(std::get<double>(est.GetParams().at("shift")), 1.5);
  // Setting parameters drops the fitted state.
  ECLIPSERA_ASSERT_OK(est.Fit(x));
  ECLIPSERA_ASSERT_OK(est.SetParams({{"shift", 0.0}}));
  EXPECT_FALSE(est.fitted());
}

TEST(EstimatorTest, PredictIntoMatchesPredict) {
  ColumnMean est;
  Matrix x(3, 2);
  x << 1, 2, 3, 4, 5, 9;
  ECLIPSERA_ASSERT_OK(est.Fit(x));
  absl::StatusOr<Vector> p = est.Predict(x);
  ECLIPSERA_ASSERT_OK(p);
  Vector out = Vector::Constant(3, -7.0);
  ECLIPSERA_ASSERT_OK(est.PredictInto(x, out));
  EXPECT_EQ(out, *p);
  Vector wrong(2);
  EXPECT_THAT(est.PredictInto(x, wrong),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ColumnMean::PredictInto: out has 2")));
  Matrix t(3, 1);
  EXPECT_THAT(est.TransformInto(x, t),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr("ColumnMean has no Transform")));
  EXPECT_THAT(est.PredictLogProba(x),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr("ColumnMean has no PredictLogProba")));
  EXPECT_THAT(est.ScoreSamples(x),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr("ColumnMean has no ScoreSamples")));
}

TEST(EstimatorTest, FailedFitLeavesUnfittedWithParameters) {
  ColumnMean est(MeanOptions{2.0});
  Matrix x = Matrix::Ones(3, 2);
  ECLIPSERA_ASSERT_OK(est.Fit(x));
  ASSERT_TRUE(est.fitted());
  Matrix bad = x;
  bad(1, 1) = std::nan("");
  EXPECT_THAT(est.Fit(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("X is not finite")));
  EXPECT_FALSE(est.fitted());
  EXPECT_THAT(est.Predict(x), StatusIs(absl::StatusCode::kFailedPrecondition,
                                       HasSubstr("not fitted")));
  EXPECT_EQ(std::get<double>(est.GetParams().at("shift")), 2.0);
  // A failure in the common checks follows the same rule.
  ECLIPSERA_ASSERT_OK(est.Fit(x));
  EXPECT_THAT(est.Fit(Matrix(0, 2)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ColumnMean::Fit: X is empty")));
  EXPECT_FALSE(est.fitted());
  ECLIPSERA_ASSERT_OK(est.Fit(x));
  EXPECT_DOUBLE_EQ(est.mean()(0), 3.0);
}

TEST(EstimatorTest, SampleWeightOnlyWhereSupported) {
  ColumnMean est;
  Matrix x = Matrix::Ones(3, 2);
  std::vector<double> w = {1, 2, 3};
  EXPECT_THAT(est.Fit(x, {}, FitArgs{w}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ColumnMean does not take sample_weight")));
  EXPECT_FALSE(est.fitted());
}

TEST(EstimatorTest, KindNames) {
  EXPECT_EQ(EstimatorKindName(EstimatorKind::kClassifier), "classifier");
  EXPECT_EQ(EstimatorKindName(EstimatorKind::kDensityEstimator),
            "DensityEstimator");
  EXPECT_EQ(EstimatorKindName(ColumnMean().kind()), "transformer");
}

// A composite: an estimator-valued parameter `step` and its own `scale`.
struct ScaledOptions {
  EstimatorParam step = MakeEstimatorParam(ColumnMean());
  double scale = 1.0;
  static const ParamSchema<ScaledOptions>& Schema() {
    static const auto* s = [] {
      auto* s = new ParamSchema<ScaledOptions>("Scaled");
      s->Nested("step", &ScaledOptions::step, "the inner estimator")
          .Double("scale", &ScaledOptions::scale, "output factor");
      return s;
    }();
    return *s;
  }
};

class Scaled : public EstimatorWithOptions<Scaled, ScaledOptions> {
 public:
  explicit Scaled(ScaledOptions o = {}) : options_(std::move(o)) {}
  std::string name() const override { return "Scaled"; }
  EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  const ScaledOptions& options() const { return options_; }
  void set_options(const ScaledOptions& o) {
    options_ = o;
    Reset();
  }
  void Reset() override { fitted_.reset(); }
  bool fitted() const override { return fitted_ != nullptr; }

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override {
    std::unique_ptr<Estimator> step = options_.step.prototype->Clone();
    absl::Status s = step->Fit(x, y, args);
    if (s.ok()) fitted_ = std::move(step);
    return s;
  }
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override {
    absl::Status s = fitted_->PredictInto(x, out);
    out *= options_.scale;
    return s;
  }

 private:
  ScaledOptions options_;
  std::unique_ptr<Estimator> fitted_;
};

TEST(EstimatorTest, EstimatorValuedParametersAndNestedNames) {
  ColumnMean inner(MeanOptions{1.0});
  ScaledOptions o;
  o.step = MakeEstimatorParam(inner);
  Scaled est(o);
  EXPECT_EQ(FormatParamValue(est.GetParams(false).at("step")),
            "ColumnMean(shift=1)");
  ParamMap deep = est.GetParams();
  ASSERT_EQ(deep.count("step__shift"), 1u);
  EXPECT_EQ(std::get<double>(deep.at("step__shift")), 1.0);
  EXPECT_EQ(est.GetParams(false).count("step__shift"), 0u);

  ECLIPSERA_ASSERT_OK(est.SetParams({{"step__shift", 4.0}, {"scale", 2.0}}));
  EXPECT_EQ(std::get<double>(est.GetParams().at("step__shift")), 4.0);
  // The value is a clone: the caller's object is not changed.
  EXPECT_EQ(inner.options().shift, 1.0);

  // All or nothing: a bad nested name changes no parameter.
  EXPECT_THAT(est.SetParams({{"scale", 3.0}, {"step__shfit", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Scaled: in 'step__...' (step is a "
                                 "ColumnMean): ColumnMean: unknown parameter "
                                 "'shfit'; valid parameters: shift")));
  EXPECT_THAT(est.SetParams({{"scale__x", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown parameter 'scale__x'")));
  EXPECT_THAT(est.SetParams({{"scale__x", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("allowed for: step; valid parameters: "
                                 "scale, step")));
  EXPECT_THAT(est.SetParams({{"step", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expects an estimator")));
  EXPECT_EQ(std::get<double>(est.GetParams().at("scale")), 2.0);

  // Fitting uses a clone of the prototype; Clone has equal parameters.
  Matrix x(2, 1);
  x << 0, 2;
  ECLIPSERA_ASSERT_OK(est.Fit(x));
  absl::StatusOr<Vector> p = est.Predict(x);
  ECLIPSERA_ASSERT_OK(p);
  EXPECT_DOUBLE_EQ((*p)(0), 2.0 * (0.0 - 5.0));
  std::unique_ptr<Estimator> clone = est.Clone();
  EXPECT_FALSE(clone->fitted());
  EXPECT_EQ(clone->GetParams(), est.GetParams());

  // Values are compared with every digit: nearby floats differ.
  EXPECT_NE(MakeEstimatorParam(ColumnMean(MeanOptions{1.0000001})),
            MakeEstimatorParam(ColumnMean(MeanOptions{1.0000002})));
  EXPECT_EQ(MakeEstimatorParam(ColumnMean(MeanOptions{0.1})).repr,
            "ColumnMean(shift=0.1)");

  // Replacing the step by SetParams.
  ECLIPSERA_ASSERT_OK(est.SetParams(
      {{"step", MakeEstimatorParam(ColumnMean(MeanOptions{-1.0}))}}));
  EXPECT_EQ(std::get<double>(est.GetParams().at("step__shift")), -1.0);
  EXPECT_NE(clone->GetParams(), est.GetParams());
}

TEST(RegistryTest, CaseInsensitiveCreate) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(
      registry.Register({"ColumnMean", "column means", MainOutput::kLabels,
                         [] { return std::make_unique<ColumnMean>(); }}));
  EXPECT_THAT(
      registry.Register({"columnmean", "", MainOutput::kLabels,
                         [] { return std::make_unique<ColumnMean>(); }}),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("already")));
  absl::StatusOr<std::unique_ptr<Estimator>> e = registry.Create("COLUMNMEAN");
  ECLIPSERA_ASSERT_OK(e);
  EXPECT_EQ((*e)->name(), "ColumnMean");
  EXPECT_THAT(registry.Create("KMeans"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("unknown algorithm 'KMeans'; available: "
                                 "ColumnMean")));
}

}  // namespace
}  // namespace eclipsera
