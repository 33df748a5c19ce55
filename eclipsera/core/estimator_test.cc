#include "eclipsera/core/estimator.h"

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
  const MeanOptions& options() const { return options_; }
  void set_options(const MeanOptions& o) {
    options_ = o;
    Reset();
  }
  void Reset() override { fitted_ = false; }
  bool fitted() const override { return fitted_; }
  const Vector& mean() const { return mean_; }
  std::vector<FittedScalar> FittedScalars() const override {
    return {{"n_features", static_cast<double>(mean_.size())}};
  }

 protected:
  absl::Status DoFit(const ConstMatrixRef& x,
                     absl::Span<const double>) override {
    mean_ = x.colwise().mean().transpose().array() + options_.shift;
    fitted_ = true;
    return absl::OkStatus();
  }
  absl::StatusOr<Vector> DoPredict(const ConstMatrixRef& x) const override {
    return (x.rowwise() - mean_.transpose()).rowwise().sum();
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
