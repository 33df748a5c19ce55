// eclipsera._native: the C++ estimators behind the Python package.
//
// One class, Native, drives any registered estimator through the generic
// Estimator interface; the Python package (python/src/eclipsera) builds
// scikit-learn-compatible classes on top of it. Arrays cross the boundary
// as C-contiguous float64 numpy arrays: the Python side converts whatever
// the user passed (lists, float32, Fortran order) exactly once, and a
// C-contiguous float64 array reaches the estimator without a copy. The GIL
// is released while C++ runs, so Python threads (joblib's threading
// backend, GridSearchCV(n_jobs=2)) fit in parallel.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "eclipsera/cli/algorithms.h"
#include "eclipsera/cluster/mini_batch_kmeans.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/mixture/gaussian_mixture.h"
#include "eclipsera/model_selection/parameter_grid.h"
#include "eclipsera/model_selection/search.h"
#include "eclipsera/model_selection/split.h"
#include "eclipsera/neighbors/knn.h"
#include "eclipsera/pipeline/pipeline.h"
#include "eclipsera/preprocessing/scalers.h"

namespace py = pybind11;

namespace eclipsera::python {
namespace {

using InputArray = py::array_t<double, py::array::c_style>;

const EstimatorRegistry& Registry() {
  static const EstimatorRegistry* registry = [] {
    auto* r = new EstimatorRegistry;
    absl::Status s = cli::RegisterAllAlgorithms(*r);
    if (!s.ok()) throw std::runtime_error(std::string(s.message()));
    return r;
  }();
  return *registry;
}

// absl::Status -> the Python exception scikit-learn users expect: invalid
// data or parameters are ValueError (what check_estimator looks for), a
// missing method NotImplementedError, anything else RuntimeError.
[[noreturn]] void Raise(const absl::Status& s) {
  const std::string message(s.message());
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
      throw py::value_error(message);
    case absl::StatusCode::kUnimplemented:
      throw std::domain_error(message);  // NotImplementedError below.
    default:
      throw std::runtime_error(message);
  }
}

template <class T>
T Check(absl::StatusOr<T> v) {
  if (!v.ok()) Raise(v.status());
  return *std::move(v);
}

void Check(const absl::Status& s) {
  if (!s.ok()) Raise(s);
}

// A 2-D C-contiguous float64 array as the estimator's row-major matrix,
// without a copy.
Eigen::Map<const Matrix> AsMatrix(const InputArray& a, const char* what) {
  if (a.ndim() != 2) {
    throw py::value_error(std::string(what) + " must be 2-D");
  }
  return Eigen::Map<const Matrix>(a.data(), a.shape(0), a.shape(1));
}

absl::Span<const double> AsSpan(const std::optional<InputArray>& a) {
  if (!a.has_value()) return {};
  if (a->ndim() != 1) throw py::value_error("expected a 1-D array");
  return absl::Span<const double>(a->data(), a->shape(0));
}

// Hands a matrix to numpy without a copy (the capsule owns it).
py::array ToNumpy(Matrix m) {
  auto* owned = new Matrix(std::move(m));
  py::capsule free(owned, [](void* p) { delete static_cast<Matrix*>(p); });
  return py::array_t<double>(
      {owned->rows(), owned->cols()},
      {static_cast<py::ssize_t>(owned->cols() * sizeof(double)),
       static_cast<py::ssize_t>(sizeof(double))},
      owned->data(), free);
}

py::array ToNumpy(Vector v) {
  auto* owned = new Vector(std::move(v));
  py::capsule free(owned, [](void* p) { delete static_cast<Vector*>(p); });
  return py::array_t<double>({owned->size()}, {sizeof(double)}, owned->data(),
                             free);
}

py::object ToPython(const ParamValue& v) {
  struct Visitor {
    py::object operator()(std::monostate) const { return py::none(); }
    py::object operator()(bool b) const { return py::bool_(b); }
    py::object operator()(int64_t i) const { return py::int_(i); }
    py::object operator()(double d) const { return py::float_(d); }
    py::object operator()(const std::string& s) const { return py::str(s); }
    py::object operator()(const std::vector<double>& d) const {
      return py::tuple(py::cast(d));
    }
    py::object operator()(const EstimatorParam& e) const {
      return py::str(e.repr);
    }
  };
  return std::visit(Visitor{}, v);
}

ParamValue FromPython(const std::string& name, const py::handle& h) {
  if (h.is_none()) return std::monostate{};
  // bool before int: Python's bool is an int.
  if (py::isinstance<py::bool_>(h)) return h.cast<bool>();
  if (py::isinstance<py::int_>(h)) return h.cast<int64_t>();
  if (py::isinstance<py::float_>(h)) return h.cast<double>();
  if (py::isinstance<py::str>(h)) return h.cast<std::string>();
  if (py::isinstance<py::tuple>(h) || py::isinstance<py::list>(h)) {
    std::vector<double> out;
    for (const py::handle& item : h) {
      if (!py::isinstance<py::int_>(item) &&
          !py::isinstance<py::float_>(item)) {
        throw py::value_error("parameter '" + name +
                              "': a sequence must hold numbers only");
      }
      out.push_back(item.cast<double>());
    }
    return out;
  }
  throw py::value_error("parameter '" + name + "' has an unsupported type " +
                        std::string(py::str(py::type::of(h))));
}

py::dict ToDict(const ParamMap& params) {
  py::dict d;
  for (const auto& entry : params)
    d[py::str(entry.first)] = ToPython(entry.second);
  return d;
}

class Native {
 public:
  explicit Native(const std::string& name)
      : estimator_(Check(Registry().Create(name))) {}

  std::string name() const { return estimator_->name(); }

  void SetParams(const py::dict& params) {
    ParamMap map;
    for (const auto& item : params) {
      const std::string key = item.first.cast<std::string>();
      map.emplace(key, FromPython(key, item.second));
    }
    Check(estimator_->SetParams(map));
  }
  py::dict GetParams() const { return ToDict(estimator_->GetParams(false)); }

  // Runs f(estimator, X, y, FitArgs) with the GIL released (re-acquired
  // before the result reaches Python).
  template <class F>
  auto FitWith(const InputArray& x, const std::optional<InputArray>& y,
               const std::optional<InputArray>& sample_weight, F f) {
    const auto xm = AsMatrix(x, "X");
    const absl::Span<const double> ys = AsSpan(y), w = AsSpan(sample_weight);
    py::gil_scoped_release release;
    return f(*estimator_, xm, ys, FitArgs{w});
  }

  void Fit(const InputArray& x, const std::optional<InputArray>& y,
           const std::optional<InputArray>& sample_weight) {
    Check(FitWith(x, y, sample_weight,
                  [](Estimator& e, const auto& m, auto ys, const FitArgs& a) {
                    return e.Fit(m, ys, a);
                  }));
  }
  py::array FitPredict(const InputArray& x, const std::optional<InputArray>& y,
                       const std::optional<InputArray>& sample_weight) {
    return ToNumpy(Check(
        FitWith(x, y, sample_weight,
                [](Estimator& e, const auto& m, auto ys, const FitArgs& a) {
                  return e.FitPredict(m, ys, a);
                })));
  }
  py::array FitTransform(const InputArray& x,
                         const std::optional<InputArray>& y,
                         const std::optional<InputArray>& sample_weight) {
    return ToNumpy(Check(
        FitWith(x, y, sample_weight,
                [](Estimator& e, const auto& m, auto ys, const FitArgs& a) {
                  return e.FitTransform(m, ys, a);
                })));
  }

  // scikit-learn's partial_fit, for the estimators that have one
  // (StandardScaler, MinMaxScaler, MaxAbsScaler, MiniBatchKMeans).
  void PartialFit(const InputArray& x,
                  const std::optional<InputArray>& sample_weight) {
    const auto xm = AsMatrix(x, "X");
    const absl::Span<const double> w = AsSpan(sample_weight);
    Estimator* e = estimator_.get();
    const auto run = [&]() -> absl::Status {
      if (auto* p = dynamic_cast<preprocessing::StandardScaler*>(e)) {
        return p->PartialFit(xm, w);
      }
      if (auto* p = dynamic_cast<cluster::MiniBatchKMeans*>(e)) {
        return p->PartialFit(xm, w);
      }
      auto* mm = dynamic_cast<preprocessing::MinMaxScaler*>(e);
      auto* ma = dynamic_cast<preprocessing::MaxAbsScaler*>(e);
      if (mm == nullptr && ma == nullptr) {
        return absl::UnimplementedError(
            absl::StrCat(e->name(), " has no partial_fit"));
      }
      if (!w.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(e->name(), ".partial_fit takes no sample_weight"));
      }
      return mm != nullptr ? mm->PartialFit(xm) : ma->PartialFit(xm);
    };
    absl::Status s;
    {
      py::gil_scoped_release release;
      s = run();
    }
    Check(s);
  }

  // NearestNeighbors' kneighbors(X or None, n_neighbors (0: the
  // estimator's)): (distances, indices).
  py::tuple KNeighbors(const std::optional<InputArray>& x,
                       int n_neighbors) const {
    const neighbors::NearestNeighbors* nn = Neighbors();
    std::optional<Eigen::Map<const Matrix>> xm;
    if (x.has_value()) xm.emplace(AsMatrix(*x, "X"));
    neighbors::IndexMatrix indices;
    Matrix distances;
    absl::Status s;
    {
      py::gil_scoped_release release;
      if (xm.has_value()) {
        const ConstMatrixRef ref(*xm);
        s = nn->KNeighbors(&ref, n_neighbors, &indices, &distances);
      } else {
        s = nn->KNeighbors(nullptr, n_neighbors, &indices, &distances);
      }
    }
    Check(s);
    return py::make_tuple(ToNumpy(std::move(distances)),
                          ToNumpy(Matrix(indices.cast<double>())));
  }

  // NearestNeighbors' radius_neighbors(X or None, radius or None,
  // sort_results): (offsets, indices, distances), the lists flattened.
  py::tuple RadiusNeighbors(const std::optional<InputArray>& x,
                            std::optional<double> radius,
                            bool sort_results) const {
    const neighbors::NearestNeighbors* nn = Neighbors();
    std::optional<Eigen::Map<const Matrix>> xm;
    if (x.has_value()) xm.emplace(AsMatrix(*x, "X"));
    neighbors::NeighborLists lists;
    absl::Status s;
    {
      py::gil_scoped_release release;
      if (xm.has_value()) {
        const ConstMatrixRef ref(*xm);
        s = nn->RadiusNeighbors(&ref, radius, sort_results, &lists);
      } else {
        s = nn->RadiusNeighbors(nullptr, radius, sort_results, &lists);
      }
    }
    Check(s);
    const auto vec = [](const auto& v) {
      Vector out(static_cast<Index>(v.size()));
      for (size_t i = 0; i < v.size(); ++i) {
        out(static_cast<Index>(i)) = static_cast<double>(v[i]);
      }
      return out;
    };
    return py::make_tuple(ToNumpy(vec(lists.offsets)),
                          ToNumpy(vec(lists.indices)),
                          ToNumpy(vec(lists.distances)));
  }

  // GaussianMixture's bic(X) and aic(X).
  double Criterion(const InputArray& x, bool bic) const {
    const auto* g =
        dynamic_cast<const mixture::GaussianMixture*>(estimator_.get());
    if (g == nullptr) {
      throw std::domain_error(estimator_->name() + " has no bic or aic");
    }
    const auto xm = AsMatrix(x, "X");
    absl::StatusOr<double> out;
    {
      py::gil_scoped_release release;
      out = bic ? g->Bic(xm) : g->Aic(xm);
    }
    return Check(std::move(out));
  }

  // The const methods run with the GIL released: one fitted estimator may
  // serve several Python threads at once (Estimator's thread-safety rule).
  template <class R, class F>
  py::array Call(const InputArray& x, F f) const {
    const auto xm = AsMatrix(x, "X");
    absl::StatusOr<R> out;
    {
      py::gil_scoped_release release;
      out = f(*estimator_, xm);
    }
    return ToNumpy(Check(std::move(out)));
  }

  double Score(const InputArray& x, const std::optional<InputArray>& y) const {
    const auto xm = AsMatrix(x, "X");
    const absl::Span<const double> ys = AsSpan(y);
    absl::StatusOr<double> out;
    {
      py::gil_scoped_release release;
      out = estimator_->Score(xm, ys);
    }
    return Check(std::move(out));
  }

  bool fitted() const { return estimator_->fitted(); }

  const neighbors::NearestNeighbors* Neighbors() const {
    const auto* nn =
        dynamic_cast<const neighbors::NearestNeighbors*>(estimator_.get());
    if (nn == nullptr) {
      throw std::domain_error(estimator_->name() +
                              " answers no neighbour queries");
    }
    return nn;
  }
  std::vector<double> classes() const {
    const auto c = estimator_->classes();
    return std::vector<double>(c.begin(), c.end());
  }
  std::vector<std::string> warnings() const { return estimator_->warnings(); }
  Index n_features_out() const { return estimator_->n_features_out(); }

  py::dict FittedScalars() const {
    py::dict d;
    for (const FittedScalar& s : estimator_->FittedScalars()) {
      d[py::str(std::string(s.name))] = s.value;
    }
    return d;
  }
  // [(name, array, one_dimensional)], 1-D attributes as 1-D arrays.
  py::list FittedArrays() const {
    py::list out;
    for (FittedArray& a : estimator_->FittedArrays()) {
      py::array value = a.one_dimensional
                            ? ToNumpy(Vector(Eigen::Map<const Vector>(
                                  a.value.data(), a.value.size())))
                            : ToNumpy(std::move(a.value));
      out.append(py::make_tuple(a.name, value, a.one_dimensional));
    }
    return out;
  }
  // The inverse of FittedArrays / FittedScalars (pickling).
  void Restore(const py::list& arrays, const py::dict& scalars) {
    FittedArrayList list;
    for (const py::handle& item : arrays) {
      const auto t = item.cast<py::tuple>();
      const auto value =
          py::array_t<double,
                      py::array::c_style | py::array::forcecast>::ensure(t[1]);
      if (!value) throw py::value_error("fitted arrays must be numeric");
      FittedArray a;
      a.name = t[0].cast<std::string>();
      a.one_dimensional = value.ndim() == 1;
      const Index rows = value.ndim() >= 1 ? value.shape(0) : 1;
      const Index cols = value.ndim() == 2 ? value.shape(1) : 1;
      if (value.ndim() > 2)
        throw py::value_error("fitted arrays are 1-D or 2-D");
      a.value = Eigen::Map<const Matrix>(value.data(), rows, cols);
      list.push_back(std::move(a));
    }
    // FittedScalar holds a string_view: keep the names alive here.
    std::vector<std::string> names;
    std::vector<double> values;
    for (const auto& item : scalars) {
      names.push_back(item.first.cast<std::string>());
      values.push_back(item.second.cast<double>());
    }
    std::vector<FittedScalar> scalar_list;
    for (size_t i = 0; i < names.size(); ++i) {
      scalar_list.push_back({names[i], values[i]});
    }
    Check(estimator_->RestoreFitted(list, scalar_list));
  }

  std::string Repr() const { return EstimatorRepr(*estimator_); }

  const Estimator& estimator() const { return *estimator_; }

  // A Pipeline of clones of `steps` ((name, Native or None) pairs; None is
  // "passthrough"), with scikit-learn's step names.
  static Native MakePipeline(const py::list& steps) {
    std::vector<pipeline::PipelineStep> list;
    for (const py::handle& item : steps) {
      const auto t = item.cast<py::tuple>();
      const std::string name = t[0].cast<std::string>();
      if (t[1].is_none()) {
        list.push_back(pipeline::Passthrough(name));
      } else {
        list.push_back(
            pipeline::Step(name, t[1].cast<const Native&>().estimator()));
      }
    }
    return Native(Check(pipeline::Pipeline::Create(std::move(list))));
  }

 private:
  explicit Native(std::unique_ptr<Estimator> e) : estimator_(std::move(e)) {}

  std::unique_ptr<Estimator> estimator_;
};

// A Python value list / scipy-like distribution description as a
// Distribution: a list, or ("uniform" | "loguniform" | "randint", a, b).
model_selection::Distribution ToDistribution(const std::string& name,
                                             const py::handle& h) {
  if (py::isinstance<py::tuple>(h) && py::len(h) == 3 &&
      py::isinstance<py::str>(h.cast<py::tuple>()[0])) {
    const auto t = h.cast<py::tuple>();
    const std::string kind = t[0].cast<std::string>();
    const double a = t[1].cast<double>(), b = t[2].cast<double>();
    if (kind == "uniform") return model_selection::Distribution::Uniform(a, b);
    if (kind == "loguniform") {
      return model_selection::Distribution::LogUniform(a, b);
    }
    if (kind == "randint") {
      return model_selection::Distribution::RandInt(static_cast<int64_t>(a),
                                                    static_cast<int64_t>(b));
    }
    throw py::value_error("parameter '" + name + "': unknown distribution " +
                          kind);
  }
  std::vector<ParamValue> values;
  for (const py::handle& v : h) values.push_back(FromPython(name, v));
  return model_selection::Distribution::List(std::move(values));
}

std::vector<model_selection::TrainTest> ToSplits(const py::list& splits) {
  std::vector<model_selection::TrainTest> tt;
  for (const py::handle& split : splits) {
    const auto t = split.cast<py::tuple>();
    tt.push_back(
        {t[0].cast<std::vector<Index>>(), t[1].cast<std::vector<Index>>()});
  }
  return tt;
}

// Options shared by the searches and cross_validate.
void SetCvOptions(const std::vector<std::string>& scoring, int n_jobs,
                  bool return_train_score, const py::object& error_score,
                  int verbose, model_selection::CvOptions* o) {
  // "name=scorer" entries are scikit-learn's scoring dict.
  for (const std::string& s : scoring) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos) {
      o->scoring.push_back(s);
    } else {
      o->scoring_map.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
  }
  o->n_jobs = n_jobs;
  o->return_train_score = return_train_score;
  if (py::isinstance<py::str>(error_score)) {
    o->raise_on_error = true;  // error_score='raise'
  } else {
    o->error_score = error_score.cast<double>();
  }
  o->verbose = verbose;
}

// cross_validate on explicit splits: ({"fit_time": [...], "score_time":
// [...], "test_<name>": [...], ...}, warnings).
py::tuple CrossValidate(const Native& estimator, const InputArray& x,
                        const std::optional<InputArray>& y,
                        const py::list& splits,
                        const std::vector<std::string>& scoring, int n_jobs,
                        bool return_train_score, const py::object& error_score,
                        int verbose) {
  model_selection::CvOptions o;
  SetCvOptions(scoring, n_jobs, return_train_score, error_score, verbose, &o);
  const model_selection::ExplicitSplits cv(ToSplits(splits));
  const auto xm = AsMatrix(x, "X");
  const absl::Span<const double> ys = AsSpan(y);
  absl::StatusOr<model_selection::CrossValidateResult> r;
  {
    py::gil_scoped_release release;
    r = model_selection::CrossValidate(estimator.estimator(), xm, ys, cv, o);
  }
  model_selection::CrossValidateResult result = Check(std::move(r));
  py::dict out;
  out["fit_time"] = result.fit_time;
  out["score_time"] = result.score_time;
  for (const auto& entry : result.scores) {
    out[py::str(entry.first)] = entry.second;
  }
  return py::make_tuple(out, result.warnings);
}

// cross_val_predict on explicit splits (a partition): the out-of-fold
// outputs of `method`, one column for predict.
py::array CrossValPredict(const Native& estimator, const InputArray& x,
                          const std::optional<InputArray>& y,
                          const py::list& splits, const std::string& method,
                          int n_jobs) {
  const model_selection::ExplicitSplits cv(ToSplits(splits));
  const auto xm = AsMatrix(x, "X");
  const absl::Span<const double> ys = AsSpan(y);
  absl::StatusOr<Matrix> r;
  {
    py::gil_scoped_release release;
    r = model_selection::CrossValPredict(estimator.estimator(), xm, ys, cv,
                                         method, n_jobs);
  }
  return ToNumpy(Check(std::move(r)));
}

// validation_curve (param_range non-empty) or learning_curve on explicit
// splits: (train_scores, test_scores, fit_times, score_times, train_sizes,
// warnings), scores one row per tick.
py::tuple Curve(const Native& estimator, const InputArray& x,
                const std::optional<InputArray>& y, const py::list& splits,
                const std::vector<std::string>& scoring, int n_jobs,
                const py::object& error_score, int verbose,
                const std::string& param_name, const py::list& param_range,
                const std::vector<double>& train_sizes, bool fractions,
                bool shuffle, std::optional<int64_t> random_state) {
  model_selection::CvOptions o;
  SetCvOptions(scoring, n_jobs, /*return_train_score=*/true, error_score,
               verbose, &o);
  const model_selection::ExplicitSplits cv(ToSplits(splits));
  const auto xm = AsMatrix(x, "X");
  const absl::Span<const double> ys = AsSpan(y);
  absl::StatusOr<model_selection::CurveResult> r;
  if (!param_name.empty()) {
    std::vector<ParamValue> range;
    for (const py::handle& v : param_range) {
      range.push_back(FromPython(param_name, v));
    }
    py::gil_scoped_release release;
    r = model_selection::ValidationCurve(estimator.estimator(), xm, ys,
                                         param_name, range, cv, o);
  } else {
    model_selection::LearningCurveOptions c;
    c.train_sizes = train_sizes;
    c.fractions = fractions;
    c.shuffle = shuffle;
    c.random_state = random_state;
    py::gil_scoped_release release;
    r = model_selection::LearningCurve(estimator.estimator(), xm, ys, cv, o, c);
  }
  model_selection::CurveResult c = Check(std::move(r));
  std::vector<double> sizes(c.train_sizes.begin(), c.train_sizes.end());
  return py::make_tuple(ToNumpy(std::move(c.train_scores)),
                        ToNumpy(std::move(c.test_scores)),
                        ToNumpy(std::move(c.fit_times)),
                        ToNumpy(std::move(c.score_times)), sizes, c.warnings);
}

// GridSearchCV / RandomizedSearchCV on explicit splits; returns
// (cv_results as [(key, [values])], best_index, best_score, best_params,
// warnings, pool statistics report). The GIL is released while it runs.
py::tuple Search(const Native& estimator, const py::list& spaces,
                 const InputArray& x, const std::optional<InputArray>& y,
                 const py::list& splits,
                 const std::vector<std::string>& scoring, int n_jobs,
                 bool return_train_score, py::object error_score, int verbose,
                 int n_iter, std::optional<int64_t> random_state,
                 const std::string& refit_metric) {
  std::vector<model_selection::ParamSpace> grids;
  for (const py::handle& space : spaces) {
    model_selection::ParamSpace g;
    for (const auto& item : space.cast<py::dict>()) {
      const std::string key = item.first.cast<std::string>();
      g.emplace(key, ToDistribution(key, item.second));
    }
    grids.push_back(std::move(g));
  }
  model_selection::SearchOptions o;
  SetCvOptions(scoring, n_jobs, return_train_score, error_score, verbose, &o);
  // The Python class refits the best estimator itself (a Python object).
  o.refit = false;
  o.refit_metric = refit_metric;
  auto cv = std::make_unique<model_selection::ExplicitSplits>(ToSplits(splits));
  std::unique_ptr<model_selection::BaseSearchCV> search;
  if (n_iter > 0) {
    search = std::make_unique<model_selection::RandomizedSearchCV>(
        estimator.estimator(),
        Check(model_selection::ParameterSampler::Create(std::move(grids),
                                                        n_iter, random_state)),
        std::move(cv), o);
  } else {
    search = std::make_unique<model_selection::GridSearchCV>(
        estimator.estimator(),
        Check(model_selection::ParameterGrid::Create(std::move(grids))),
        std::move(cv), o);
  }
  const auto xm = AsMatrix(x, "X");
  const absl::Span<const double> ys = AsSpan(y);
  absl::Status s;
  {
    py::gil_scoped_release release;
    s = search->Fit(xm, ys);
  }
  Check(s);
  const model_selection::CvResults& r = search->cv_results();
  py::list columns;
  for (const std::string& key : r.keys()) {
    if (key == "params") continue;
    py::list values;
    for (const ParamValue& v : r.at(key)) values.append(ToPython(v));
    columns.append(py::make_tuple(key, values));
  }
  py::list params;
  for (const ParamMap& p : r.params()) params.append(ToDict(p));
  columns.append(py::make_tuple("params", params));
  return py::make_tuple(columns, search->best_index(), search->best_score(),
                        ToDict(search->best_params()), search->warnings(),
                        search->pool_statistics().Report());
}

py::list Entries() {
  py::list out;
  for (const EstimatorEntry& e : Registry().entries()) {
    std::unique_ptr<Estimator> est = e.make();
    py::list params;
    for (const ParamInfo& p : est->DescribeParams()) {
      params.append(py::make_tuple(p.name, ToPython(p.value), p.doc));
    }
    py::dict d;
    d["name"] = e.name;
    d["summary"] = e.summary;
    d["kind"] = std::string(EstimatorKindName(est->kind()));
    d["supports_sample_weight"] = est->supports_sample_weight();
    d["allows_nan"] = est->allows_nan();
    d["params"] = params;
    out.append(d);
  }
  return out;
}

}  // namespace
}  // namespace eclipsera::python

PYBIND11_MODULE(_native, m) {
  using eclipsera::Estimator;
  using eclipsera::Matrix;
  using eclipsera::Vector;
  using eclipsera::python::Entries;
  using eclipsera::python::InputArray;
  using eclipsera::python::Native;
  m.doc() = "Eclipsera's C++ estimators (use the eclipsera package instead)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const std::domain_error& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    }
  });
  m.def("entries", &Entries,
        "Every registered estimator: name, summary, kind and parameters "
        "(name, default, doc).");
  m.def("cross_validate", &eclipsera::python::CrossValidate,
        py::arg("estimator"), py::arg("X"), py::arg("y"), py::arg("splits"),
        py::arg("scoring"), py::arg("n_jobs"), py::arg("return_train_score"),
        py::arg("error_score"), py::arg("verbose"),
        "cross_validate on explicit splits.");
  m.def("cross_val_predict", &eclipsera::python::CrossValPredict,
        py::arg("estimator"), py::arg("X"), py::arg("y"), py::arg("splits"),
        py::arg("method"), py::arg("n_jobs"),
        "cross_val_predict on explicit splits.");
  m.def("curve", &eclipsera::python::Curve, py::arg("estimator"), py::arg("X"),
        py::arg("y"), py::arg("splits"), py::arg("scoring"), py::arg("n_jobs"),
        py::arg("error_score"), py::arg("verbose"), py::arg("param_name"),
        py::arg("param_range"), py::arg("train_sizes"), py::arg("fractions"),
        py::arg("shuffle"), py::arg("random_state"),
        "validation_curve (param_name set) or learning_curve on explicit "
        "splits.");
  m.def("search", &eclipsera::python::Search, py::arg("estimator"),
        py::arg("spaces"), py::arg("X"), py::arg("y"), py::arg("splits"),
        py::arg("scoring"), py::arg("n_jobs"), py::arg("return_train_score"),
        py::arg("error_score"), py::arg("verbose"), py::arg("n_iter"),
        py::arg("random_state"), py::arg("refit_metric"),
        "GridSearchCV (n_iter 0) or RandomizedSearchCV on explicit splits.");
  py::class_<Native>(m, "Native")
      .def(py::init<const std::string&>())
      .def_property_readonly("name", &Native::name)
      .def("set_params", &Native::SetParams)
      .def("get_params", &Native::GetParams)
      .def("fit", &Native::Fit, py::arg("X"), py::arg("y") = py::none(),
           py::arg("sample_weight") = py::none())
      .def("fit_predict", &Native::FitPredict, py::arg("X"),
           py::arg("y") = py::none(), py::arg("sample_weight") = py::none())
      .def("fit_transform", &Native::FitTransform, py::arg("X"),
           py::arg("y") = py::none(), py::arg("sample_weight") = py::none())
      .def("predict",
           [](const Native& n, const InputArray& x) {
             return n.Call<Vector>(x, [](const Estimator& e, const auto& m) {
               return e.Predict(m);
             });
           })
      .def("transform",
           [](const Native& n, const InputArray& x) {
             return n.Call<Matrix>(x, [](const Estimator& e, const auto& m) {
               return e.Transform(m);
             });
           })
      .def("inverse_transform",
           [](const Native& n, const InputArray& x) {
             return n.Call<Matrix>(x, [](const Estimator& e, const auto& m) {
               return e.InverseTransform(m);
             });
           })
      .def("predict_proba",
           [](const Native& n, const InputArray& x) {
             return n.Call<Matrix>(x, [](const Estimator& e, const auto& m) {
               return e.PredictProba(m);
             });
           })
      .def("predict_log_proba",
           [](const Native& n, const InputArray& x) {
             return n.Call<Matrix>(x, [](const Estimator& e, const auto& m) {
               return e.PredictLogProba(m);
             });
           })
      .def("decision_function",
           [](const Native& n, const InputArray& x) {
             return n.Call<Matrix>(x, [](const Estimator& e, const auto& m) {
               return e.DecisionFunction(m);
             });
           })
      .def("score_samples",
           [](const Native& n, const InputArray& x) {
             return n.Call<Vector>(x, [](const Estimator& e, const auto& m) {
               return e.ScoreSamples(m);
             });
           })
      .def("score", &Native::Score, py::arg("X"), py::arg("y") = py::none())
      .def("partial_fit", &Native::PartialFit, py::arg("X"),
           py::arg("sample_weight") = py::none())
      .def("kneighbors", &Native::KNeighbors, py::arg("X"),
           py::arg("n_neighbors"))
      .def("radius_neighbors", &Native::RadiusNeighbors, py::arg("X"),
           py::arg("radius"), py::arg("sort_results"))
      .def("bic", [](const Native& n,
                     const InputArray& x) { return n.Criterion(x, true); })
      .def("aic", [](const Native& n,
                     const InputArray& x) { return n.Criterion(x, false); })
      .def_property_readonly("fitted", &Native::fitted)
      .def_property_readonly("classes", &Native::classes)
      .def_property_readonly("warnings", &Native::warnings)
      .def_property_readonly("n_features_out", &Native::n_features_out)
      .def("fitted_scalars", &Native::FittedScalars)
      .def("fitted_arrays", &Native::FittedArrays)
      .def("restore", &Native::Restore)
      .def("__repr__", &Native::Repr)
      .def_static("pipeline", &Native::MakePipeline);
}
