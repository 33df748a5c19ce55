// Cross-validation splitters, as scikit-learn 1.2's sklearn.model_selection:
// KFold, StratifiedKFold, ShuffleSplit, StratifiedShuffleSplit, GroupKFold,
// GroupShuffleSplit, TimeSeriesSplit, LeaveOneOut, LeavePOut,
// PredefinedSplit, RepeatedKFold,
// RepeatedStratifiedKFold, explicit (train, test) lists, and check_cv.
//
// Splitters that do not shuffle give exactly scikit-learn's indices (train
// and test sorted ascending). Shuffling ones use this library's generator:
// they have scikit-learn's fold sizes and per-class counts, but not numpy's
// permutations; they are identical for the same random_state, always.
#ifndef ECLIPSERA_MODEL_SELECTION_SPLIT_H_
#define ECLIPSERA_MODEL_SELECTION_SPLIT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::model_selection {

struct TrainTest {
  std::vector<Index> train;
  std::vector<Index> test;
};

// What a splitter may look at besides the number of samples.
struct SplitInput {
  Index n_samples = 0;
  absl::Span<const double> y;       // targets (stratified splitters)
  absl::Span<const double> groups;  // group labels (group splitters)
};

class Splitter {
 public:
  virtual ~Splitter() = default;
  // scikit-learn's repr, e.g. "KFold(n_splits=5, random_state=None,
  // shuffle=False)".
  virtual std::string Repr() const = 0;
  // The splits; InvalidArgument for bad parameters or input (n_splits
  // above the number of samples, missing y or groups, ...). `warnings`
  // (may be null) receives scikit-learn's UserWarnings.
  virtual absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input, std::vector<std::string>* warnings) const = 0;
  // Whether every sample is in exactly one test set (cross_val_predict
  // needs it).
  virtual bool IsPartition() const { return false; }
  virtual std::unique_ptr<Splitter> Clone() const = 0;
};

class KFold : public Splitter {
 public:
  explicit KFold(int n_splits = 5, bool shuffle = false,
                 std::optional<int64_t> random_state = std::nullopt)
      : n_splits_(n_splits), shuffle_(shuffle), random_state_(random_state) {}
  std::string Repr() const override;
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  bool IsPartition() const override { return true; }
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<KFold>(*this);
  }

 private:
  int n_splits_;
  bool shuffle_;
  std::optional<int64_t> random_state_;
};

class StratifiedKFold : public Splitter {
 public:
  explicit StratifiedKFold(int n_splits = 5, bool shuffle = false,
                           std::optional<int64_t> random_state = std::nullopt)
      : n_splits_(n_splits), shuffle_(shuffle), random_state_(random_state) {}
  std::string Repr() const override;
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  bool IsPartition() const override { return true; }
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<StratifiedKFold>(*this);
  }

 private:
  int n_splits_;
  bool shuffle_;
  std::optional<int64_t> random_state_;
};

// Repeats (Stratified)KFold n_repeats times with shuffling; repeat r uses
// the seed stream of random_state (scikit-learn: one RandomState for all).
class RepeatedKFold : public Splitter {
 public:
  RepeatedKFold(int n_splits = 5, int n_repeats = 10,
                std::optional<int64_t> random_state = std::nullopt,
                bool stratified = false)
      : n_splits_(n_splits),
        n_repeats_(n_repeats),
        random_state_(random_state),
        stratified_(stratified) {}
  std::string Repr() const override;
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<RepeatedKFold>(*this);
  }

 private:
  int n_splits_;
  int n_repeats_;
  std::optional<int64_t> random_state_;
  bool stratified_;
};

// Groups never straddle train and test; folds balanced by group size
// (scikit-learn 1.2's greedy: largest group first into the lightest fold).
class GroupKFold : public Splitter {
 public:
  explicit GroupKFold(int n_splits = 5) : n_splits_(n_splits) {}
  std::string Repr() const override;
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  bool IsPartition() const override { return true; }
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<GroupKFold>(*this);
  }

 private:
  int n_splits_;
};

// test_size / train_size: a fraction in (0, 1) when below 1, else a count
// (scikit-learn's float vs int; a negative value means "not given").
// scikit-learn's defaults: test_size 0.1 when neither is given (0.25 for
// train_test_split).
class ShuffleSplit : public Splitter {
 public:
  ShuffleSplit(int n_splits = 10, double test_size = -1, double train_size = -1,
               std::optional<int64_t> random_state = std::nullopt,
               bool stratified = false)
      : n_splits_(n_splits),
        test_size_(test_size),
        train_size_(train_size),
        random_state_(random_state),
        stratified_(stratified) {}
  std::string Repr() const override;
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<ShuffleSplit>(*this);
  }

 private:
  int n_splits_;
  double test_size_, train_size_;
  std::optional<int64_t> random_state_;
  bool stratified_;
};

// Ordered splits: train on a prefix, test on the next block.
class TimeSeriesSplit : public Splitter {
 public:
  explicit TimeSeriesSplit(int n_splits = 5, int64_t max_train_size = 0,
                           int64_t test_size = 0, int64_t gap = 0)
      : n_splits_(n_splits),
        max_train_size_(max_train_size),
        test_size_(test_size),
        gap_(gap) {}
  std::string Repr() const override;
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<TimeSeriesSplit>(*this);
  }

 private:
  int n_splits_;
  int64_t max_train_size_;  // 0: None
  int64_t test_size_;       // 0: None (n_samples / (n_splits + 1))
  int64_t gap_;
};

class LeaveOneOut : public Splitter {
 public:
  std::string Repr() const override { return "LeaveOneOut()"; }
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  bool IsPartition() const override { return true; }
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<LeaveOneOut>(*this);
  }
};

// Every set of p samples as a test set once (itertools.combinations
// order); at most 10^6 splits.
class LeavePOut : public Splitter {
 public:
  explicit LeavePOut(int p) : p_(p) {}
  std::string Repr() const override;
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  bool IsPartition() const override { return p_ == 1; }
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<LeavePOut>(*this);
  }

 private:
  int p_;
};

// ShuffleSplit over the distinct groups (sizes count groups; default
// test_size 0.2): the samples of a group are all in train, all in test or
// in neither.
class GroupShuffleSplit : public Splitter {
 public:
  GroupShuffleSplit(int n_splits = 5, double test_size = -1,
                    double train_size = -1,
                    std::optional<int64_t> random_state = std::nullopt)
      : n_splits_(n_splits),
        test_size_(test_size),
        train_size_(train_size),
        random_state_(random_state) {}
  std::string Repr() const override;
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<GroupShuffleSplit>(*this);
  }

 private:
  int n_splits_;
  double test_size_, train_size_;
  std::optional<int64_t> random_state_;
};

// test_fold[i] = the fold whose test set holds sample i, -1 = always in
// training. Folds are the distinct non-negative values, sorted.
class PredefinedSplit : public Splitter {
 public:
  explicit PredefinedSplit(std::vector<int64_t> test_fold)
      : test_fold_(std::move(test_fold)) {}
  std::string Repr() const override;
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  bool IsPartition() const override;
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<PredefinedSplit>(*this);
  }

 private:
  std::vector<int64_t> test_fold_;
};

// An explicit list of (train, test) index sets.
class ExplicitSplits : public Splitter {
 public:
  explicit ExplicitSplits(std::vector<TrainTest> splits)
      : splits_(std::move(splits)) {}
  std::string Repr() const override { return "list of (train, test)"; }
  absl::StatusOr<std::vector<TrainTest>> Split(
      const SplitInput& input,
      std::vector<std::string>* warnings) const override;
  std::unique_ptr<Splitter> Clone() const override {
    return std::make_unique<ExplicitSplits>(*this);
  }

 private:
  std::vector<TrainTest> splits_;
};

// scikit-learn's check_cv(cv=n_splits, y, classifier=...): StratifiedKFold
// for a classifier with binary or multiclass y, KFold otherwise; no
// shuffling.
std::unique_ptr<Splitter> CheckCv(int n_splits, EstimatorKind kind);

// Parses the command line's splitter text: an integer ("5", check_cv), or
// "kfold(n_splits=5, shuffle=true, random_state=0)" style with any of the
// splitters above by lower-case name (kfold, stratifiedkfold, shufflesplit,
// stratifiedshufflesplit, groupkfold, groupshufflesplit, timeseriessplit,
// leaveoneout, leavepout(p=2), repeatedkfold, repeatedstratifiedkfold).
absl::StatusOr<std::unique_ptr<Splitter>> ParseSplitter(absl::string_view text,
                                                        EstimatorKind kind);

// scikit-learn's train_test_split on indices: (train, test). test_size and
// train_size as ShuffleSplit's (defaults: test 0.25); `stratify` (may be
// empty) keeps class proportions; shuffle=false takes the first rows for
// training (no stratify allowed then).
absl::StatusOr<TrainTest> TrainTestSplit(
    Index n_samples, double test_size = -1, double train_size = -1,
    std::optional<int64_t> random_state = std::nullopt, bool shuffle = true,
    absl::Span<const double> stratify = {});

}  // namespace eclipsera::model_selection

#endif  // ECLIPSERA_MODEL_SELECTION_SPLIT_H_
