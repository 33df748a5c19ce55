// Classification, regression and clustering metrics and the scorers against
// scikit-learn 1.2 (testdata/generate_metrics.py), and their bad input.
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/io/csv.h"
#include "eclipsera/metrics/classification.h"
#include "eclipsera/metrics/cluster.h"
#include "eclipsera/metrics/regression.h"
#include "eclipsera/metrics/scorer.h"
#include "eclipsera/mixture/gaussian_mixture.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::metrics {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

Matrix Load(const std::string& name) {
  return ::eclipsera::testing::LoadGolden(
      "eclipsera/metrics/testdata/metrics_" + name + ".csv");
}

std::vector<double> Col(const std::string& name) {
  const Matrix m = Load(name);
  return std::vector<double>(m.data(), m.data() + m.size());
}

class MetricsGoldenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<io::CsvTable> t =
        io::ReadCsv("eclipsera/metrics/testdata/metrics_expected.csv");
    ASSERT_TRUE(t.ok()) << t.status();
    for (size_t j = 0; j < t->header.size(); ++j) {
      (*expected_)[t->header[j]] = t->values(0, static_cast<Index>(j));
    }
  }

  static double Expected(const std::string& name) {
    const auto it = expected_->find(name);
    EXPECT_NE(it, expected_->end()) << name;
    return it == expected_->end() ? std::nan("") : it->second;
  }

  // Within `rel` of scikit-learn's value (relative, absolute near 0).
  static void Check(const std::string& name, absl::StatusOr<double> actual,
                    double rel = 1e-10) {
    ASSERT_TRUE(actual.ok()) << name << ": " << actual.status();
    const double e = Expected(name);
    EXPECT_NEAR(*actual, e, rel * std::max(1.0, std::abs(e))) << name;
  }

  static std::map<std::string, double>* expected_;
  const std::vector<double> yb_ = Col("yb"), pb_ = Col("pb"), sb_ = Col("sb"),
                            w_ = Col("w"), ym_ = Col("ym"), pm_ = Col("pm"),
                            yr_ = Col("yr"), pr_ = Col("pr"), la_ = Col("la"),
                            lb_ = Col("lb"), lx_ = Col("lx");
  const Matrix proba_ = Load("proba"), x_ = Load("X");
};

std::map<std::string, double>* MetricsGoldenTest::expected_ =
    new std::map<std::string, double>;

TEST_F(MetricsGoldenTest, Classification) {
  Check("accuracy", AccuracyScore(yb_, pb_));
  Check("accuracy_w", AccuracyScore(ym_, pm_, w_));
  Check("balanced_accuracy", BalancedAccuracyScore(ym_, pm_));
  Check("balanced_accuracy_adjusted_w",
        BalancedAccuracyScore(ym_, pm_, w_, /*adjusted=*/true));
  for (const char* avg : {"binary", "micro", "macro", "weighted"}) {
    const std::string a = avg;
    const bool binary = a == "binary";
    const auto& t = binary ? yb_ : ym_;
    const auto& p = binary ? pb_ : pm_;
    PrfOptions o;
    o.average = a;
    Check("precision_" + a, PrecisionScore(t, p, o));
    Check("recall_" + a, RecallScore(t, p, o));
    Check("f1_" + a, F1Score(t, p, o));
    Check("f1_" + a + "_w", F1Score(t, p, o, w_));
  }
  std::vector<double> never_seven = pm_;
  for (double& v : never_seven) {
    if (v == 7.0) v = 5.0;
  }
  PrfOptions zero1;
  zero1.average = "macro";
  zero1.zero_division = "1";
  Check("precision_macro_zero1", PrecisionScore(ym_, never_seven, zero1));
  PrfOptions beta2;
  beta2.average = "macro";
  beta2.beta = 2.0;
  absl::StatusOr<PrfScores> f2 = PrecisionRecallFScore(ym_, pm_, beta2);
  ECLIPSERA_ASSERT_OK(f2);
  Check("fbeta2_macro", f2->f_score);
  Check("mcc_binary", MatthewsCorrcoef(yb_, pb_));
  Check("mcc_multiclass_w", MatthewsCorrcoef(ym_, pm_, w_));
  Check("log_loss", LogLoss(ym_, proba_));
  Check("log_loss_w", LogLoss(ym_, proba_, {}, w_));
  Matrix clipped(sb_.size(), 1);
  for (size_t i = 0; i < sb_.size(); ++i) {
    clipped(i, 0) = std::min(1.0, std::max(0.0, sb_[i]));
  }
  Check("log_loss_binary_1col", LogLoss(yb_, clipped));
  const Matrix score = Eigen::Map<const Vector>(sb_.data(), sb_.size());
  Check("roc_auc_binary", RocAucScore(yb_, score));
  Check("roc_auc_binary_w", RocAucScore(yb_, score, {}, w_));
  for (const char* mc : {"ovr", "ovo"}) {
    for (const char* avg : {"macro", "weighted"}) {
      RocAucOptions o;
      o.multi_class = mc;
      o.average = avg;
      Check(std::string("roc_auc_") + mc + "_" + avg,
            RocAucScore(ym_, proba_, o));
    }
  }
  RocAucOptions ovr;
  ovr.multi_class = "ovr";
  Check("roc_auc_ovr_macro_w", RocAucScore(ym_, proba_, ovr, w_));
  absl::StatusOr<Matrix> c = ConfusionMatrix(ym_, pm_, {}, w_);
  ECLIPSERA_ASSERT_OK(c);
  EXPECT_LT((*c - Load("confusion")).cwiseAbs().maxCoeff(), 1e-12);
}

TEST_F(MetricsGoldenTest, Regression) {
  Check("mse", MeanSquaredError(yr_, pr_));
  Check("mse_w", MeanSquaredError(yr_, pr_, w_));
  Check("rmse", MeanSquaredError(yr_, pr_, {}, /*squared=*/false));
  Check("mae_w", MeanAbsoluteError(yr_, pr_, w_));
  Check("median_ae", MedianAbsoluteError(yr_, pr_));
  Check("median_ae_w", MedianAbsoluteError(yr_, pr_, w_));
  const std::vector<double> zeros(6, 0.0), pred = {1, -1, 2, 2, 3, 5},
                                           weights = {1, 1, 2, 1, 3, 0};
  Check("median_ae_w_ties", MedianAbsoluteError(zeros, pred, weights));
  Check("r2", R2Score(yr_, pr_));
  Check("r2_w", R2Score(yr_, pr_, w_));
  Check("explained_variance_w", ExplainedVarianceScore(yr_, pr_, w_));
  Check("max_error", MaxError(yr_, pr_));
}

TEST_F(MetricsGoldenTest, Clustering) {
  Check("rand", RandScore(la_, lb_));
  Check("ari", AdjustedRandScore(la_, lb_));
  Check("mi", MutualInfoScore(la_, lb_));
  for (const char* m : {"arithmetic", "geometric", "min", "max"}) {
    Check(std::string("nmi_") + m, NormalizedMutualInfoScore(la_, lb_, m));
    Check(std::string("ami_") + m, AdjustedMutualInfoScore(la_, lb_, m));
  }
  Check("homogeneity", HomogeneityScore(la_, lb_));
  Check("completeness", CompletenessScore(la_, lb_));
  Check("v_measure", VMeasureScore(la_, lb_));
  Check("v_measure_beta2", VMeasureScore(la_, lb_, 2.0));
  Check("fowlkes_mallows", FowlkesMallowsScore(la_, lb_));
  Check("calinski_harabasz", CalinskiHarabaszScore(x_, lx_));
  Check("davies_bouldin", DaviesBouldinScore(x_, lx_));
  for (int n_jobs : {1, 2}) {
    SilhouetteOptions o;
    o.n_jobs = n_jobs;
    Check("silhouette", SilhouetteScore(x_, lx_, o), 1e-9);
    absl::StatusOr<Vector> s = SilhouetteSamples(x_, lx_, o);
    ECLIPSERA_ASSERT_OK(s);
    const Vector expected = Load("silhouette_samples");
    EXPECT_LT((*s - expected).cwiseAbs().maxCoeff(), 1e-9);
  }
}

// Label-metric identities that hold for any labelling.
TEST(ClusterMetricsTest, PermutedLabelsScorePerfectly) {
  const std::vector<double> a = {0, 0, 1, 1, 2, 2, 2};
  const std::vector<double> b = {5, 5, -1, -1, 9, 9, 9};
  for (auto f : {AdjustedRandScore, RandScore, FowlkesMallowsScore}) {
    absl::StatusOr<double> v = f(a, b);
    ECLIPSERA_ASSERT_OK(v);
    EXPECT_DOUBLE_EQ(*v, 1.0);
  }
  absl::StatusOr<double> nmi = NormalizedMutualInfoScore(a, b);
  ECLIPSERA_ASSERT_OK(nmi);
  EXPECT_NEAR(*nmi, 1.0, 1e-15);
  absl::StatusOr<double> ami = AdjustedMutualInfoScore(a, b);
  ECLIPSERA_ASSERT_OK(ami);
  EXPECT_NEAR(*ami, 1.0, 1e-12);
}

TEST(MetricsTest, BadInputNamesTheProblem) {
  const std::vector<double> y = {0, 1, 1, 0};
  const std::vector<double> short_y = {0, 1, 1};
  EXPECT_THAT(AccuracyScore(y, short_y),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("y_true has 4 samples but y_pred has 3")));
  EXPECT_THAT(AccuracyScore({}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  const std::vector<double> with_nan = {0, std::nan(""), 1, 0};
  EXPECT_THAT(R2Score(y, with_nan), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("y_pred[1] = nan")));
  const std::vector<double> one_class = {1, 1, 1, 1};
  Matrix score(4, 1);
  score << 0.1, 0.2, 0.3, 0.4;
  EXPECT_THAT(RocAucScore(one_class, score),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Only one class present in y_true")));
  const std::vector<double> three = {0, 1, 2, 0};
  PrfOptions binary;
  EXPECT_THAT(F1Score(three, three, binary),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Target is multiclass but average='binary'")));
  const std::vector<double> twos = {2, 3, 3, 2};
  EXPECT_THAT(F1Score(twos, twos, binary),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pos_label=1 is not a valid label")));
  std::vector<double> negative_weight = {1, -1, 1, 1};
  EXPECT_THAT(AccuracyScore(y, y, negative_weight),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sample_weight[1] = -1")));
  Matrix x(4, 2);
  x << 0, 0, 1, 1, 2, 2, 3, 3;
  EXPECT_THAT(SilhouetteScore(x, one_class),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Number of labels is 1")));
  EXPECT_THAT(NormalizedMutualInfoScore(y, y, "median"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown average_method 'median'")));
  Matrix proba(4, 3);
  proba.setConstant(1.0 / 3.0);
  EXPECT_THAT(LogLoss(y, proba),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("2 classes [0, 1] but y_prob has 3 columns")));
}

// The argument checks of confusion_matrix's labels, log_loss and
// silhouette_score's sample_size, each with the message that names it;
// and a sample_size equal to n is the full score.
TEST(MetricsTest, LabelsEpsAndSampleSizeAreChecked) {
  const std::vector<double> y = {0, 1, 1, 0};
  const std::vector<double> dup = {0, 1, 1};
  EXPECT_THAT(ConfusionMatrix(y, y, dup),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("labels has duplicates")));
  const std::vector<double> absent = {5, 6};
  EXPECT_THAT(ConfusionMatrix(y, y, absent),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("none of labels [5, 6] is in y_true")));
  const std::vector<double> with_nan = {0, std::nan("")};
  EXPECT_THAT(
      ConfusionMatrix(y, y, with_nan),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("labels")));
  Matrix proba(4, 2);
  proba << 0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.6, 0.4;
  Matrix three_rows = proba.topRows(3);
  EXPECT_THAT(
      LogLoss(y, three_rows),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("y_true has 4 samples but y_prob has 3 rows")));
  Matrix inf_proba = proba;
  inf_proba(0, 0) = std::numeric_limits<double>::infinity();
  EXPECT_THAT(LogLoss(y, inf_proba),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("y_prob holds NaN or infinity")));
  EXPECT_THAT(LogLoss(y, proba, {}, {}, 0.5),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("eps = 0.5; must be in (0, 0.5)")));
  const std::vector<double> ones = {1, 1, 1, 1};
  EXPECT_THAT(LogLoss(ones, proba),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("y_true contains only one label (1)")));
  const std::vector<double> labels_01 = {0, 1};
  const std::vector<double> y_with_2 = {0, 1, 2, 0};
  EXPECT_THAT(LogLoss(y_with_2, proba, labels_01),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("y_true[2] = 2 is not in labels [0, 1]")));
  Matrix x(6, 2);
  x << 0, 0, 0.1, 0, 0, 0.1, 5, 5, 5.1, 5, 5, 5.1;
  const std::vector<double> lx = {0, 0, 0, 1, 1, 1};
  SilhouetteOptions o;
  o.sample_size = 7;
  EXPECT_THAT(SilhouetteScore(x, lx, o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sample_size = 7; must be in [1, 6]")));
  o.sample_size = 6;
  o.random_state = 3;
  absl::StatusOr<double> all = SilhouetteScore(x, lx, o);
  absl::StatusOr<double> full = SilhouetteScore(x, lx);
  ECLIPSERA_ASSERT_OK(all);
  ECLIPSERA_ASSERT_OK(full);
  EXPECT_NEAR(*all, *full, 1e-12);
  const std::vector<double> short_labels = {0, 0, 1};
  EXPECT_THAT(SilhouetteScore(x, short_labels, o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X has 6 samples but labels has 3")));
}

// Review findings: probabilities written with six digits still sum to 1
// for np.allclose; R^2 of one sample is refused (scikit-learn: nan).
TEST(MetricsTest, RocAucToleratesRoundedProbabilitiesAndR2NeedsTwo) {
  const std::vector<double> y = {0, 1, 2};
  Matrix p(3, 3);
  p << 0.7, 0.2, 0.100005, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8;
  RocAucOptions o;
  o.multi_class = "ovr";
  absl::StatusOr<double> auc = RocAucScore(y, p, o);
  ECLIPSERA_ASSERT_OK(auc);
  EXPECT_EQ(*auc, 1.0);
  p(0, 2) = 0.2;
  EXPECT_THAT(RocAucScore(y, p, o), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("sum up to 1.0")));
  EXPECT_THAT(R2Score(std::vector<double>{1}, std::vector<double>{2}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("less than two samples")));
}

TEST(ScorerTest, NamesSignsAndMissingMethods) {
  EXPECT_THAT(FindScorer("f1_macroo"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("unknown scorer 'f1_macroo'"),
                             HasSubstr("f1_macro"), HasSubstr("roc_auc_ovr"))));
  // Three blobs; KMeans labels them as a permutation of y.
  Matrix x(30, 2);
  std::vector<double> y(30);
  for (int i = 0; i < 30; ++i) {
    y[i] = i / 10;
    x(i, 0) = 10.0 * (i / 10) + 0.1 * (i % 10);
    x(i, 1) = -5.0 * (i / 10) + 0.05 * (i % 7);
  }
  cluster::KMeansOptions o;
  o.n_clusters = 3;
  o.random_state = 0;
  cluster::KMeans km(o);
  ECLIPSERA_ASSERT_OK(km.Fit(x));
  for (const char* name :
       {"adjusted_rand_score", "normalized_mutual_info_score",
        "v_measure_score", "fowlkes_mallows_score", "rand_score"}) {
    absl::StatusOr<double> s = Score(name, km, x, y);
    ECLIPSERA_ASSERT_OK(s);
    EXPECT_NEAR(*s, 1.0, 1e-12) << name;
  }
  // Losses are negated: a perfect regression-style fit of labels scores 0
  // only when the label values match, and less otherwise.
  absl::StatusOr<double> mse = Score("neg_mean_squared_error", km, x, y);
  ECLIPSERA_ASSERT_OK(mse);
  EXPECT_LE(*mse, 0.0);
  EXPECT_THAT(Score("neg_log_loss", km, x, y),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("needs a classifier's predict_proba")));
  mixture::GaussianMixtureOptions g;
  g.n_components = 3;
  g.random_state = 0;
  mixture::GaussianMixture gm(g);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  EXPECT_THAT(Score("roc_auc", gm, x, y),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is a DensityEstimator")));
  cluster::KMeans unfitted(o);
  EXPECT_THAT(Score("adjusted_rand_score", unfitted, x, y),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("")));
  // Every scorer has a metric.
  for (const ScorerInfo& s : Scorers()) {
    ECLIPSERA_EXPECT_OK(FindScorer(s.name).status());
  }
  EXPECT_EQ(Scorers().size(), 37u);
}

}  // namespace
}  // namespace eclipsera::metrics
