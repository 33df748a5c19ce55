#include "eclipsera/model_selection/split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/pipeline/spec.h"

namespace eclipsera::model_selection {
namespace {

std::string StateRepr(std::optional<int64_t> s) {
  return s.has_value() ? absl::StrCat(*s) : "None";
}

absl::Status CheckNSplits(absl::string_view who, int n_splits, Index n) {
  if (n_splits < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        who,
        ": k-fold cross-validation requires at least one train/test split by "
        "setting n_splits=2 or more, got n_splits=",
        n_splits, "."));
  }
  if (n_splits > n) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, ": Cannot have number of splits n_splits=", n_splits,
        " greater than the number of samples: n_samples=", n, "."));
  }
  return absl::OkStatus();
}

absl::Status CheckShuffleState(absl::string_view who, bool shuffle,
                               std::optional<int64_t> random_state) {
  if (!shuffle && random_state.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        who,
        ": Setting a random_state has no effect since shuffle is False. You "
        "should leave random_state to its default (None), or set "
        "shuffle=True."));
  }
  return absl::OkStatus();
}

// Test sets as fold ids per sample -> (train, test) pairs, both sorted.
std::vector<TrainTest> FromTestFolds(const std::vector<int64_t>& fold,
                                     int64_t n_folds) {
  std::vector<TrainTest> out(n_folds);
  for (size_t i = 0; i < fold.size(); ++i) {
    for (int64_t f = 0; f < n_folds; ++f) {
      (fold[i] == f ? out[f].test : out[f].train).push_back(i);
    }
  }
  return out;
}

// Classes encoded in order of first appearance (StratifiedKFold's order).
std::vector<int64_t> EncodeByAppearance(absl::Span<const double> y,
                                        int64_t* n_classes) {
  std::map<double, int64_t> code;
  std::vector<int64_t> out(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    auto it = code.emplace(y[i], static_cast<int64_t>(code.size())).first;
    out[i] = it->second;
  }
  *n_classes = static_cast<int64_t>(code.size());
  return out;
}

// Classes encoded in sorted order (np.unique), as the shuffle splitters.
std::vector<int64_t> EncodeSorted(absl::Span<const double> y,
                                  int64_t* n_classes) {
  std::map<double, int64_t> code;
  for (double v : y) code.emplace(v, 0);
  int64_t next = 0;
  for (auto& [v, c] : code) c = next++;
  std::vector<int64_t> out(y.size());
  for (size_t i = 0; i < y.size(); ++i) out[i] = code[y[i]];
  *n_classes = next;
  return out;
}

absl::Status CheckY(absl::string_view who, const SplitInput& in) {
  if (static_cast<Index>(in.y.size()) != in.n_samples) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, ": needs y with one label per sample (", in.n_samples,
                     "), got ", in.y.size()));
  }
  for (double v : in.y) {
    if (!std::isfinite(v)) {
      return absl::InvalidArgumentError(
          absl::StrCat(who, ": y holds a non-finite value"));
    }
  }
  return absl::OkStatus();
}

// scikit-learn's _approximate_mode: the most likely draw of n_draws from
// classes of these sizes without replacement; ties in the remainders are
// broken at random.
std::vector<int64_t> ApproximateMode(const std::vector<int64_t>& counts,
                                     int64_t n_draws, Random& rng) {
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  std::vector<double> continuous(counts.size());
  std::vector<int64_t> floored(counts.size());
  int64_t sum = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    continuous[i] = static_cast<double>(counts[i]) /
                    static_cast<double>(total) * static_cast<double>(n_draws);
    floored[i] = static_cast<int64_t>(std::floor(continuous[i]));
    sum += floored[i];
  }
  int64_t need = n_draws - sum;
  if (need <= 0) return floored;
  std::vector<double> remainder(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    remainder[i] = continuous[i] - static_cast<double>(floored[i]);
  }
  std::vector<double> values = remainder;
  std::sort(values.begin(), values.end(), std::greater<>());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (double value : values) {
    std::vector<int64_t> inds;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (remainder[i] == value) inds.push_back(static_cast<int64_t>(i));
    }
    rng.Shuffle(absl::MakeSpan(inds));
    const int64_t add = std::min<int64_t>(need, inds.size());
    for (int64_t k = 0; k < add; ++k) ++floored[inds[k]];
    need -= add;
    if (need == 0) break;
  }
  return floored;
}

// _validate_shuffle_split: (n_train, n_test).
absl::StatusOr<std::pair<Index, Index>> ShuffleSizes(absl::string_view who,
                                                     Index n, double test_size,
                                                     double train_size,
                                                     double default_test) {
  if (test_size < 0 && train_size < 0) test_size = default_test;
  const auto bad = [&](absl::string_view which, double v) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, ": ", which, "=", v,
                     " should be either positive and smaller "
                     "than the number of samples ",
                     n, " or a float in the (0, 1) range"));
  };
  if (test_size == 0) return bad("test_size", test_size);
  if (train_size == 0) return bad("train_size", train_size);
  if (test_size >= 1 && (test_size >= n || test_size != std::floor(test_size)))
    return bad("test_size", test_size);
  if (train_size >= 1 &&
      (train_size >= n || train_size != std::floor(train_size)))
    return bad("train_size", train_size);
  double n_test = -1, n_train = -1;
  if (test_size > 0) {
    n_test = test_size < 1 ? std::ceil(test_size * n) : test_size;
  }
  if (train_size > 0) {
    n_train = train_size < 1 ? std::floor(train_size * n) : train_size;
  }
  if (train_size < 0) n_train = n - n_test;
  if (test_size < 0) n_test = n - n_train;
  if (n_train + n_test > n) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, ": The sum of train_size and test_size = ", n_train + n_test,
        ", should be smaller than the number of samples ", n,
        ". Reduce test_size and/or train_size."));
  }
  if (n_train <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, ": With n_samples=", n, ", test_size=", test_size,
        " and train_size=", train_size,
        ", the resulting train set will be empty. Adjust any of the "
        "aforementioned parameters."));
  }
  return std::make_pair(static_cast<Index>(n_train),
                        static_cast<Index>(n_test));
}

// One stratified shuffle split (StratifiedShuffleSplit._iter_indices).
absl::StatusOr<TrainTest> StratifiedShuffleOnce(absl::string_view who,
                                                absl::Span<const double> y,
                                                Index n_train, Index n_test,
                                                Random& rng) {
  int64_t n_classes = 0;
  const std::vector<int64_t> code = EncodeSorted(y, &n_classes);
  std::vector<int64_t> counts(n_classes, 0);
  for (int64_t c : code) ++counts[c];
  if (*std::min_element(counts.begin(), counts.end()) < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        who,
        ": The least populated class in y has only 1 member, which is too "
        "few. The minimum number of groups for any class cannot be less "
        "than 2."));
  }
  if (n_train < n_classes || n_test < n_classes) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, ": The train_size = ", n_train, " and test_size = ", n_test,
        " should be greater or equal to the number of classes = ", n_classes));
  }
  std::vector<std::vector<Index>> members(n_classes);
  for (size_t i = 0; i < code.size(); ++i) members[code[i]].push_back(i);
  const std::vector<int64_t> n_i = ApproximateMode(counts, n_train, rng);
  std::vector<int64_t> left(n_classes);
  for (int64_t c = 0; c < n_classes; ++c) left[c] = counts[c] - n_i[c];
  const std::vector<int64_t> t_i = ApproximateMode(left, n_test, rng);
  TrainTest out;
  for (int64_t c = 0; c < n_classes; ++c) {
    std::vector<Index>& m = members[c];
    rng.Shuffle(absl::MakeSpan(m));
    out.train.insert(out.train.end(), m.begin(), m.begin() + n_i[c]);
    out.test.insert(out.test.end(), m.begin() + n_i[c],
                    m.begin() + n_i[c] + t_i[c]);
  }
  rng.Shuffle(absl::MakeSpan(out.train));
  rng.Shuffle(absl::MakeSpan(out.test));
  return out;
}

}  // namespace

std::string KFold::Repr() const {
  return absl::StrCat("KFold(n_splits=", n_splits_,
                      ", random_state=", StateRepr(random_state_),
                      ", shuffle=", shuffle_ ? "True" : "False", ")");
}

absl::StatusOr<std::vector<TrainTest>> KFold::Split(
    const SplitInput& in, std::vector<std::string>*) const {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckShuffleState("KFold", shuffle_, random_state_));
  ECLIPSERA_RETURN_IF_ERROR(CheckNSplits("KFold", n_splits_, in.n_samples));
  std::vector<Index> order(in.n_samples);
  std::iota(order.begin(), order.end(), Index{0});
  if (shuffle_) {
    Random rng = Random::FromRandomState(random_state_);
    rng.Shuffle(absl::MakeSpan(order));
  }
  std::vector<int64_t> fold(in.n_samples);
  Index start = 0;
  for (int f = 0; f < n_splits_; ++f) {
    const Index size =
        in.n_samples / n_splits_ + (f < in.n_samples % n_splits_ ? 1 : 0);
    for (Index i = start; i < start + size; ++i) fold[order[i]] = f;
    start += size;
  }
  return FromTestFolds(fold, n_splits_);
}

std::string StratifiedKFold::Repr() const {
  return absl::StrCat("StratifiedKFold(n_splits=", n_splits_,
                      ", random_state=", StateRepr(random_state_),
                      ", shuffle=", shuffle_ ? "True" : "False", ")");
}

absl::StatusOr<std::vector<TrainTest>> StratifiedKFold::Split(
    const SplitInput& in, std::vector<std::string>* warnings) const {
  constexpr char kWho[] = "StratifiedKFold";
  ECLIPSERA_RETURN_IF_ERROR(CheckShuffleState(kWho, shuffle_, random_state_));
  ECLIPSERA_RETURN_IF_ERROR(CheckNSplits(kWho, n_splits_, in.n_samples));
  ECLIPSERA_RETURN_IF_ERROR(CheckY(kWho, in));
  int64_t n_classes = 0;
  const std::vector<int64_t> code = EncodeByAppearance(in.y, &n_classes);
  std::vector<int64_t> counts(n_classes, 0);
  for (int64_t c : code) ++counts[c];
  const int64_t min_count = *std::min_element(counts.begin(), counts.end());
  const int64_t max_count = *std::max_element(counts.begin(), counts.end());
  if (n_splits_ > max_count) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWho, ": n_splits=", n_splits_,
                     " cannot be greater than the number of members in each "
                     "class."));
  }
  if (n_splits_ > min_count && warnings != nullptr) {
    warnings->push_back(
        absl::StrCat("The least populated class in y has only ", min_count,
                     " members, which is less than n_splits=", n_splits_, "."));
  }
  // allocation[f][k]: samples of class k in test fold f, round robin over
  // the sorted codes.
  std::vector<int64_t> sorted = code;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::vector<int64_t>> allocation(
      n_splits_, std::vector<int64_t>(n_classes, 0));
  for (size_t i = 0; i < sorted.size(); ++i) {
    ++allocation[i % n_splits_][sorted[i]];
  }
  Random rng = Random::FromRandomState(shuffle_ ? random_state_ : 0);
  std::vector<int64_t> fold(in.n_samples);
  for (int64_t k = 0; k < n_classes; ++k) {
    std::vector<int64_t> folds_for_class;
    for (int f = 0; f < n_splits_; ++f) {
      folds_for_class.insert(folds_for_class.end(), allocation[f][k], f);
    }
    if (shuffle_) rng.Shuffle(absl::MakeSpan(folds_for_class));
    size_t next = 0;
    for (Index i = 0; i < in.n_samples; ++i) {
      if (code[i] == k) fold[i] = folds_for_class[next++];
    }
  }
  return FromTestFolds(fold, n_splits_);
}

std::string RepeatedKFold::Repr() const {
  return absl::StrCat(stratified_ ? "RepeatedStratifiedKFold" : "RepeatedKFold",
                      "(n_repeats=", n_repeats_, ", n_splits=", n_splits_,
                      ", random_state=", StateRepr(random_state_), ")");
}

absl::StatusOr<std::vector<TrainTest>> RepeatedKFold::Split(
    const SplitInput& in, std::vector<std::string>* warnings) const {
  if (n_repeats_ < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Repeated", stratified_ ? "Stratified" : "",
                     "KFold: n_repeats=", n_repeats_, " must be at least 1"));
  }
  Random rng = Random::FromRandomState(random_state_);
  std::vector<TrainTest> out;
  for (int r = 0; r < n_repeats_; ++r) {
    const int64_t seed = static_cast<int64_t>(rng.NextU64() >> 1);
    absl::StatusOr<std::vector<TrainTest>> s =
        stratified_ ? StratifiedKFold(n_splits_, true, seed)
                          .Split(in, r == 0 ? warnings : nullptr)
                    : KFold(n_splits_, true, seed).Split(in, nullptr);
    if (!s.ok()) return s.status();
    for (TrainTest& t : *s) out.push_back(std::move(t));
  }
  return out;
}

std::string GroupKFold::Repr() const {
  return absl::StrCat("GroupKFold(n_splits=", n_splits_, ")");
}

absl::StatusOr<std::vector<TrainTest>> GroupKFold::Split(
    const SplitInput& in, std::vector<std::string>*) const {
  if (static_cast<Index>(in.groups.size()) != in.n_samples) {
    return absl::InvalidArgumentError(absl::StrCat(
        "GroupKFold: The 'groups' parameter should not be None; it needs one "
        "group label per sample (",
        in.n_samples, "), got ", in.groups.size()));
  }
  if (n_splits_ < 2) return CheckNSplits("GroupKFold", n_splits_, in.n_samples);
  for (double g : in.groups) {
    if (!std::isfinite(g)) {
      return absl::InvalidArgumentError(
          "GroupKFold: groups holds a non-finite value");
    }
  }
  int64_t n_groups = 0;
  const std::vector<int64_t> group = EncodeSorted(in.groups, &n_groups);
  if (n_splits_ > n_groups) {
    return absl::InvalidArgumentError(absl::StrCat(
        "GroupKFold: Cannot have number of splits n_splits=", n_splits_,
        " greater than the number of groups: ", n_groups, "."));
  }
  std::vector<int64_t> size(n_groups, 0);
  for (int64_t g : group) ++size[g];
  // Largest group first (ties: higher group index first, as the reversed
  // stable argsort), each into the lightest fold (the first on ties).
  std::vector<int64_t> order(n_groups);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return size[a] < size[b]; });
  std::reverse(order.begin(), order.end());
  std::vector<int64_t> per_fold(n_splits_, 0), group_fold(n_groups, 0);
  for (int64_t g : order) {
    const int64_t lightest =
        std::min_element(per_fold.begin(), per_fold.end()) - per_fold.begin();
    per_fold[lightest] += size[g];
    group_fold[g] = lightest;
  }
  std::vector<int64_t> fold(in.n_samples);
  for (Index i = 0; i < in.n_samples; ++i) fold[i] = group_fold[group[i]];
  return FromTestFolds(fold, n_splits_);
}

std::string ShuffleSplit::Repr() const {
  const auto size = [](double v) {
    return v < 0 ? std::string("None") : absl::StrCat(v);
  };
  return absl::StrCat(stratified_ ? "StratifiedShuffleSplit" : "ShuffleSplit",
                      "(n_splits=", n_splits_,
                      ", random_state=", StateRepr(random_state_),
                      ", test_size=", size(test_size_),
                      ", train_size=", size(train_size_), ")");
}

absl::StatusOr<std::vector<TrainTest>> ShuffleSplit::Split(
    const SplitInput& in, std::vector<std::string>*) const {
  const std::string who =
      stratified_ ? "StratifiedShuffleSplit" : "ShuffleSplit";
  if (n_splits_ < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, ": n_splits=", n_splits_, " must be at least 1"));
  }
  ECLIPSERA_ASSIGN_OR_RETURN(
      const auto sizes,
      ShuffleSizes(who, in.n_samples, test_size_, train_size_, 0.1));
  if (stratified_) ECLIPSERA_RETURN_IF_ERROR(CheckY(who, in));
  Random rng = Random::FromRandomState(random_state_);
  std::vector<TrainTest> out;
  for (int s = 0; s < n_splits_; ++s) {
    if (stratified_) {
      ECLIPSERA_ASSIGN_OR_RETURN(
          TrainTest t,
          StratifiedShuffleOnce(who, in.y, sizes.first, sizes.second, rng));
      out.push_back(std::move(t));
      continue;
    }
    std::vector<Index> perm(in.n_samples);
    std::iota(perm.begin(), perm.end(), Index{0});
    rng.Shuffle(absl::MakeSpan(perm));
    TrainTest t;
    t.test.assign(perm.begin(), perm.begin() + sizes.second);
    t.train.assign(perm.begin() + sizes.second,
                   perm.begin() + sizes.second + sizes.first);
    out.push_back(std::move(t));
  }
  return out;
}

std::string TimeSeriesSplit::Repr() const {
  const auto opt = [](int64_t v) {
    return v == 0 ? std::string("None") : absl::StrCat(v);
  };
  return absl::StrCat(
      "TimeSeriesSplit(gap=", gap_, ", max_train_size=", opt(max_train_size_),
      ", n_splits=", n_splits_, ", test_size=", opt(test_size_), ")");
}

absl::StatusOr<std::vector<TrainTest>> TimeSeriesSplit::Split(
    const SplitInput& in, std::vector<std::string>*) const {
  constexpr char kWho[] = "TimeSeriesSplit";
  const Index n = in.n_samples;
  if (n_splits_ < 2) return CheckNSplits(kWho, n_splits_, n);
  if (gap_ < 0 || max_train_size_ < 0 || test_size_ < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kWho, ": gap, max_train_size and test_size must be non-negative"));
  }
  const int64_t n_folds = n_splits_ + 1;
  const int64_t test_size = test_size_ > 0 ? test_size_ : n / n_folds;
  if (n_folds > n) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWho, ": Cannot have number of folds=", n_folds,
                     " greater than the number of samples=", n, "."));
  }
  if (n - gap_ - test_size * n_splits_ <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kWho, ": Too many splits=", n_splits_, " for number of samples=", n,
        " with test_size=", test_size, " and gap=", gap_, "."));
  }
  std::vector<TrainTest> out;
  for (int64_t start = n - n_splits_ * test_size; start < n;
       start += test_size) {
    const int64_t train_end = start - gap_;
    const int64_t train_begin =
        max_train_size_ > 0 && max_train_size_ < train_end
            ? train_end - max_train_size_
            : 0;
    TrainTest t;
    for (int64_t i = train_begin; i < train_end; ++i) t.train.push_back(i);
    for (int64_t i = start; i < std::min<int64_t>(start + test_size, n); ++i) {
      t.test.push_back(i);
    }
    out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<std::vector<TrainTest>> LeaveOneOut::Split(
    const SplitInput& in, std::vector<std::string>*) const {
  if (in.n_samples <= 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "LeaveOneOut: Cannot perform LeaveOneOut with n_samples=", in.n_samples,
        "."));
  }
  std::vector<int64_t> fold(in.n_samples);
  std::iota(fold.begin(), fold.end(), 0);
  return FromTestFolds(fold, in.n_samples);
}

std::string LeavePOut::Repr() const {
  return absl::StrCat("LeavePOut(p=", p_, ")");
}

absl::StatusOr<std::vector<TrainTest>> LeavePOut::Split(
    const SplitInput& in, std::vector<std::string>*) const {
  const Index n = in.n_samples;
  if (p_ < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("LeavePOut: p=", p_, " must be at least 1"));
  }
  if (n <= p_) {
    return absl::InvalidArgumentError(
        absl::StrCat("LeavePOut: p=", p_,
                     " must be strictly less than the number of samples=", n));
  }
  // C(n, p), stopping once it passes the limit.
  constexpr double kMaxSplits = 1e6;
  double count = 1;
  for (int i = 0; i < p_ && count <= kMaxSplits; ++i) {
    count = count * static_cast<double>(n - i) / static_cast<double>(i + 1);
  }
  if (count > kMaxSplits) {
    return absl::InvalidArgumentError(absl::StrCat(
        "LeavePOut(p=", p_, ") on ", n, " samples makes more than ", kMaxSplits,
        " splits; use KFold or ShuffleSplit"));
  }
  std::vector<Index> comb(p_);
  std::iota(comb.begin(), comb.end(), Index{0});
  std::vector<TrainTest> out;
  while (true) {
    TrainTest t;
    t.test = comb;
    for (Index i = 0, j = 0; i < n; ++i) {
      if (j < p_ && comb[j] == i) {
        ++j;
      } else {
        t.train.push_back(i);
      }
    }
    out.push_back(std::move(t));
    // The next combination in lexicographic order.
    int i = p_ - 1;
    while (i >= 0 && comb[i] == n - p_ + i) --i;
    if (i < 0) break;
    ++comb[i];
    for (int j = i + 1; j < p_; ++j) comb[j] = comb[j - 1] + 1;
  }
  return out;
}

std::string GroupShuffleSplit::Repr() const {
  const auto size = [](double v) {
    return v < 0 ? std::string("None") : absl::StrCat(v);
  };
  return absl::StrCat("GroupShuffleSplit(n_splits=", n_splits_,
                      ", random_state=", StateRepr(random_state_),
                      ", test_size=", size(test_size_),
                      ", train_size=", size(train_size_), ")");
}

absl::StatusOr<std::vector<TrainTest>> GroupShuffleSplit::Split(
    const SplitInput& in, std::vector<std::string>*) const {
  constexpr char kWho[] = "GroupShuffleSplit";
  if (static_cast<Index>(in.groups.size()) != in.n_samples) {
    return absl::InvalidArgumentError(absl::StrCat(
        kWho,
        ": The 'groups' parameter should not be None; it needs one group "
        "label per sample (",
        in.n_samples, "), got ", in.groups.size()));
  }
  if (n_splits_ < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWho, ": n_splits=", n_splits_, " must be at least 1"));
  }
  for (double g : in.groups) {
    if (!std::isfinite(g)) {
      return absl::InvalidArgumentError(
          absl::StrCat(kWho, ": groups holds a non-finite value"));
    }
  }
  int64_t n_groups = 0;
  const std::vector<int64_t> group = EncodeSorted(in.groups, &n_groups);
  ECLIPSERA_ASSIGN_OR_RETURN(
      const auto sizes,
      ShuffleSizes(kWho, n_groups, test_size_, train_size_, 0.2));
  Random rng = Random::FromRandomState(random_state_);
  std::vector<TrainTest> out;
  std::vector<int8_t> side(n_groups);  // 0 neither, 1 train, 2 test
  for (int s = 0; s < n_splits_; ++s) {
    std::vector<int64_t> perm(n_groups);
    std::iota(perm.begin(), perm.end(), int64_t{0});
    rng.Shuffle(absl::MakeSpan(perm));
    std::fill(side.begin(), side.end(), 0);
    for (Index i = 0; i < sizes.second; ++i) side[perm[i]] = 2;
    for (Index i = sizes.second; i < sizes.second + sizes.first; ++i) {
      side[perm[i]] = 1;
    }
    TrainTest t;
    for (Index i = 0; i < in.n_samples; ++i) {
      if (side[group[i]] == 1) t.train.push_back(i);
      if (side[group[i]] == 2) t.test.push_back(i);
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string PredefinedSplit::Repr() const {
  return "PredefinedSplit(test_fold=...)";
}

bool PredefinedSplit::IsPartition() const {
  return std::find(test_fold_.begin(), test_fold_.end(), -1) ==
         test_fold_.end();
}

absl::StatusOr<std::vector<TrainTest>> PredefinedSplit::Split(
    const SplitInput& in, std::vector<std::string>*) const {
  if (static_cast<Index>(test_fold_.size()) != in.n_samples) {
    return absl::InvalidArgumentError(
        absl::StrCat("PredefinedSplit: test_fold has ", test_fold_.size(),
                     " entries for ", in.n_samples, " samples"));
  }
  std::map<int64_t, int64_t> folds;
  for (int64_t f : test_fold_) {
    if (f < -1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "PredefinedSplit: test_fold value ", f,
          " is invalid (a fold number >= 0, or -1 for always-train)"));
    }
    if (f >= 0) folds.emplace(f, 0);
  }
  if (folds.empty()) {
    return absl::InvalidArgumentError(
        "PredefinedSplit: test_fold has no test fold (every entry is -1)");
  }
  int64_t next = 0;
  for (auto& [f, id] : folds) id = next++;
  std::vector<int64_t> fold(in.n_samples);
  for (Index i = 0; i < in.n_samples; ++i) {
    fold[i] = test_fold_[i] < 0 ? -1 : folds[test_fold_[i]];
  }
  return FromTestFolds(fold, next);
}

absl::StatusOr<std::vector<TrainTest>> ExplicitSplits::Split(
    const SplitInput& in, std::vector<std::string>*) const {
  if (splits_.empty()) {
    return absl::InvalidArgumentError("cv: the list of splits is empty");
  }
  for (size_t s = 0; s < splits_.size(); ++s) {
    for (const std::vector<Index>* v : {&splits_[s].train, &splits_[s].test}) {
      if (v->empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("cv: split ", s, " has an empty train or test set"));
      }
      for (Index i : *v) {
        if (i < 0 || i >= in.n_samples) {
          return absl::InvalidArgumentError(
              absl::StrCat("cv: split ", s, " holds index ", i,
                           ", outside [0, ", in.n_samples, ")"));
        }
      }
    }
  }
  return splits_;
}

std::unique_ptr<Splitter> CheckCv(int n_splits, EstimatorKind kind) {
  if (kind == EstimatorKind::kClassifier) {
    return std::make_unique<StratifiedKFold>(n_splits);
  }
  return std::make_unique<KFold>(n_splits);
}

absl::StatusOr<std::unique_ptr<Splitter>> ParseSplitter(absl::string_view text,
                                                        EstimatorKind kind) {
  int n = 0;
  if (absl::SimpleAtoi(text, &n)) return CheckCv(n, kind);
  ECLIPSERA_ASSIGN_OR_RETURN(std::vector<pipeline::SpecCall> calls,
                             pipeline::ParseSpecCalls(text, "--cv"));
  if (calls.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--cv: one splitter expected, got '", text, "'"));
  }
  const std::string name = absl::AsciiStrToLower(calls[0].name);
  ParamMap p = calls[0].params;
  int64_t n_splits =
      name == "shufflesplit" || name == "stratifiedshufflesplit" ? 10 : 5;
  int64_t n_repeats = 10, max_train_size = 0, test_size_count = 0, gap = 0;
  int64_t p_out = -1;
  bool shuffle = false;
  std::optional<int64_t> random_state;
  double test_size = -1, train_size = -1;
  for (const auto& [key, value] : p) {
    absl::Status s;
    if (key == "n_splits") {
      ECLIPSERA_ASSIGN_OR_RETURN(n_splits, ParamAsInt(key, value));
    } else if (key == "n_repeats") {
      ECLIPSERA_ASSIGN_OR_RETURN(n_repeats, ParamAsInt(key, value));
    } else if (key == "shuffle") {
      ECLIPSERA_ASSIGN_OR_RETURN(shuffle, ParamAsBool(key, value));
    } else if (key == "random_state") {
      if (!std::holds_alternative<std::monostate>(value)) {
        ECLIPSERA_ASSIGN_OR_RETURN(random_state, ParamAsInt(key, value));
      }
    } else if (key == "test_size" &&
               name.find("shuffle") != std::string::npos) {
      ECLIPSERA_ASSIGN_OR_RETURN(test_size, ParamAsDouble(key, value));
    } else if (key == "train_size") {
      ECLIPSERA_ASSIGN_OR_RETURN(train_size, ParamAsDouble(key, value));
    } else if (key == "test_size") {
      ECLIPSERA_ASSIGN_OR_RETURN(test_size_count, ParamAsInt(key, value));
    } else if (key == "max_train_size") {
      ECLIPSERA_ASSIGN_OR_RETURN(max_train_size, ParamAsInt(key, value));
    } else if (key == "gap") {
      ECLIPSERA_ASSIGN_OR_RETURN(gap, ParamAsInt(key, value));
    } else if (key == "p" && name == "leavepout") {
      ECLIPSERA_ASSIGN_OR_RETURN(p_out, ParamAsInt(key, value));
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--cv: unknown parameter '", key, "' for ", calls[0].name,
          "; splitters take n_splits, shuffle, random_state, n_repeats, "
          "test_size, train_size, max_train_size, gap (leavepout: p)"));
    }
  }
  const int k = static_cast<int>(n_splits);
  if (name == "kfold") return std::make_unique<KFold>(k, shuffle, random_state);
  if (name == "stratifiedkfold") {
    return std::make_unique<StratifiedKFold>(k, shuffle, random_state);
  }
  if (name == "repeatedkfold" || name == "repeatedstratifiedkfold") {
    return std::make_unique<RepeatedKFold>(k, static_cast<int>(n_repeats),
                                           random_state,
                                           name == "repeatedstratifiedkfold");
  }
  if (name == "shufflesplit" || name == "stratifiedshufflesplit") {
    return std::make_unique<ShuffleSplit>(k, test_size, train_size,
                                          random_state,
                                          name == "stratifiedshufflesplit");
  }
  if (name == "groupkfold") return std::make_unique<GroupKFold>(k);
  if (name == "timeseriessplit") {
    return std::make_unique<TimeSeriesSplit>(k, max_train_size, test_size_count,
                                             gap);
  }
  if (name == "leaveoneout") return std::make_unique<LeaveOneOut>();
  if (name == "groupshufflesplit") {
    return std::make_unique<GroupShuffleSplit>(k, test_size, train_size,
                                               random_state);
  }
  if (name == "leavepout") {
    if (p_out < 0) {
      return absl::InvalidArgumentError(
          "--cv: leavepout needs p, e.g. leavepout(p=2)");
    }
    return std::make_unique<LeavePOut>(static_cast<int>(p_out));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--cv: unknown splitter '", calls[0].name,
      "'; known: an integer, kfold, stratifiedkfold, shufflesplit, "
      "stratifiedshufflesplit, groupkfold, groupshufflesplit, "
      "timeseriessplit, leaveoneout, leavepout, repeatedkfold, "
      "repeatedstratifiedkfold"));
}

absl::StatusOr<TrainTest> TrainTestSplit(Index n_samples, double test_size,
                                         double train_size,
                                         std::optional<int64_t> random_state,
                                         bool shuffle,
                                         absl::Span<const double> stratify) {
  constexpr char kWho[] = "train_test_split";
  if (n_samples <= 0) {
    return absl::InvalidArgumentError(
        "train_test_split: At least one array required as input (n_samples "
        "is 0)");
  }
  ECLIPSERA_ASSIGN_OR_RETURN(
      const auto sizes,
      ShuffleSizes(kWho, n_samples, test_size, train_size, 0.25));
  if (!shuffle) {
    if (!stratify.empty()) {
      return absl::InvalidArgumentError(
          "train_test_split: Stratified train/test split is not implemented "
          "for shuffle=False");
    }
    TrainTest t;
    for (Index i = 0; i < sizes.first; ++i) t.train.push_back(i);
    for (Index i = sizes.first; i < sizes.first + sizes.second; ++i) {
      t.test.push_back(i);
    }
    return t;
  }
  if (!stratify.empty()) {
    SplitInput in{n_samples, stratify, {}};
    ECLIPSERA_RETURN_IF_ERROR(CheckY(kWho, in));
    Random rng = Random::FromRandomState(random_state);
    return StratifiedShuffleOnce(kWho, stratify, sizes.first, sizes.second,
                                 rng);
  }
  ECLIPSERA_ASSIGN_OR_RETURN(
      std::vector<TrainTest> one,
      ShuffleSplit(1, static_cast<double>(sizes.second),
                   static_cast<double>(sizes.first), random_state)
          .Split({n_samples, {}, {}}, nullptr));
  return std::move(one[0]);
}

}  // namespace eclipsera::model_selection
