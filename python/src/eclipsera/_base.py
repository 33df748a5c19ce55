"""scikit-learn estimators over Eclipsera's C++ estimators.

Every class is built from the C++ registry: its ``__init__`` takes the C++
parameter schema's names and defaults (so ``get_params``, ``set_params``,
``clone`` and ``repr`` are scikit-learn's own, from ``BaseEstimator``), and
its methods validate input as scikit-learn does (``_validate_data``) before
calling the native estimator with the GIL released. Which scikit-learn
module, mixins and methods a class has is the table ``_SPECS`` below
(scikit-learn 1.2's, for the methods the C++ estimator implements).
"""

import numbers

import numpy as np
from sklearn.base import (BaseEstimator, ClassifierMixin,
                          ClassNamePrefixFeaturesOutMixin, ClusterMixin,
                          DensityMixin, OneToOneFeatureMixin, RegressorMixin,
                          TransformerMixin)
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (_check_sample_weight, check_is_fitted,
                                      check_random_state)

from . import _native

_ENTRIES = {e["name"]: e for e in _native.entries()}

_MIXINS = {
    "cluster": ClusterMixin,
    "transformer": TransformerMixin,
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "density": DensityMixin,
}

# name: (module, mixins, methods besides fit). scikit-learn 1.2's, limited
# to what the C++ estimator implements.
_SPECS = {
    "KMeans": ("cluster", ("cluster", "transformer"),
               ("fit_predict", "predict", "transform", "fit_transform",
                "score")),
    "MiniBatchKMeans": ("cluster", ("cluster", "transformer"),
                        ("fit_predict", "predict", "transform",
                         "fit_transform", "score", "partial_fit")),
    "DBSCAN": ("cluster", ("cluster",), ("fit_predict",)),
    "MeanShift": ("cluster", ("cluster",), ("fit_predict", "predict")),
    "AgglomerativeClustering": ("cluster", ("cluster",), ("fit_predict",)),
    "GaussianMixture": ("mixture", ("density",),
                        ("fit_predict", "predict", "predict_proba",
                         "score_samples", "score", "bic", "aic", "sample")),
    "TSNE": ("manifold", (), ("fit_transform",)),
    "PCA": ("decomposition", ("transformer",),
            ("transform", "fit_transform", "inverse_transform")),
    "TruncatedSVD": ("decomposition", ("transformer",),
                     ("transform", "fit_transform", "inverse_transform")),
    "StandardScaler": ("preprocessing", ("transformer",),
                       ("transform", "fit_transform", "inverse_transform",
                        "partial_fit")),
    "MinMaxScaler": ("preprocessing", ("transformer",),
                     ("transform", "fit_transform", "inverse_transform",
                      "partial_fit")),
    "MaxAbsScaler": ("preprocessing", ("transformer",),
                     ("transform", "fit_transform", "inverse_transform",
                      "partial_fit")),
    "RobustScaler": ("preprocessing", ("transformer",),
                     ("transform", "fit_transform", "inverse_transform")),
    "Normalizer": ("preprocessing", ("transformer",),
                   ("transform", "fit_transform")),
    "PolynomialFeatures": ("preprocessing", ("transformer",),
                           ("transform", "fit_transform")),
    "SimpleImputer": ("impute", ("transformer",),
                      ("transform", "fit_transform")),
    "LinearRegression": ("linear_model", ("regressor",), ("predict",)),
    "Ridge": ("linear_model", ("regressor",), ("predict",)),
    "RidgeClassifier": ("linear_model", ("classifier",),
                        ("predict", "decision_function")),
    "LogisticRegression": ("linear_model", ("classifier",),
                           ("predict", "predict_proba", "predict_log_proba",
                            "decision_function")),
    "KNeighborsClassifier": ("neighbors", ("classifier",),
                             ("predict", "predict_proba")),
    "KNeighborsRegressor": ("neighbors", ("regressor",), ("predict",)),
    "NearestNeighbors": ("neighbors", (),
                         ("kneighbors", "radius_neighbors", "kneighbors_graph",
                          "radius_neighbors_graph")),
}

# Parameters scikit-learn 1.2 lets users pass by position (KMeans(3),
# GaussianMixture(2)); every other one is keyword-only, as there.
_POSITIONAL = {
    "KMeans": ["n_clusters"], "MiniBatchKMeans": ["n_clusters"],
    "DBSCAN": ["eps"], "AgglomerativeClustering": ["n_clusters"],
    "GaussianMixture": ["n_components"], "TSNE": ["n_components"],
    "PCA": ["n_components"], "TruncatedSVD": ["n_components"],
    "MinMaxScaler": ["feature_range"],
    "Normalizer": ["norm"], "PolynomialFeatures": ["degree"],
    "Ridge": ["alpha"], "RidgeClassifier": ["alpha"],
    "LogisticRegression": ["penalty"], "KNeighborsClassifier": ["n_neighbors"],
    "KNeighborsRegressor": ["n_neighbors"], "NearestNeighbors": [],
}

# get_feature_names_out as scikit-learn's: output columns named after the
# input ones (one to one) or "<classname><i>" (prefix, needs _n_features_out).
_FEATURE_NAMES = {
    "StandardScaler": OneToOneFeatureMixin,
    "MinMaxScaler": OneToOneFeatureMixin,
    "MaxAbsScaler": OneToOneFeatureMixin,
    "RobustScaler": OneToOneFeatureMixin,
    "Normalizer": OneToOneFeatureMixin,
    "KMeans": ClassNamePrefixFeaturesOutMixin,
    "PCA": ClassNamePrefixFeaturesOutMixin,
    "TruncatedSVD": ClassNamePrefixFeaturesOutMixin,
}

# Registered for the C++ tests only, never exported.
_INTERNAL = {"ColumnMean"}

# Fitted scalars that scikit-learn reports as integers or booleans.
_INT_SCALARS = {"n_samples_fit", "n_iter", "n_clusters", "n_components",
                "n_samples_seen",
                "n_features_out", "n_leaves", "n_connected_components",
                "rank", "n_clusters_found", "n_noise", "n_core_samples",
                "n_steps", "n_output_features"}
_BOOL_SCALARS = {"converged"}
# Scalars scikit-learn reports as a one-element array.
_ARRAY_SCALARS = {("LogisticRegression", "n_iter")}
# Arrays that are None in scikit-learn when empty here.
_NONE_WHEN_EMPTY = {"mean", "var", "scale", "center"}
_INT32_LABELS = {"KMeans", "MiniBatchKMeans"}
# Transformers whose transform keeps float32 in scikit-learn 1.2.
_PRESERVES_FLOAT32 = {"KMeans", "PCA", "TruncatedSVD", "StandardScaler", "MinMaxScaler",
                      "MaxAbsScaler", "RobustScaler", "Normalizer",
                      "PolynomialFeatures"}
_INT_ARRAYS = {"labels", "core_sample_indices", "children"}
# Fitted scalars scikit-learn names differently (besides our name).
_SCALAR_ALIASES = {("AgglomerativeClustering", "n_clusters_found"):
                   "n_clusters"}


def _mixture_shape(est, name, value):
    """GaussianMixture's covariances as scikit-learn shapes them (the C++
    layout stacks 'full' components vertically)."""
    if name in ("covariances", "precisions_cholesky"):
        k = est.n_components
        if est.covariance_type == "full":
            return value.reshape(k, value.shape[1], value.shape[1])
        if est.covariance_type == "spherical":
            return value[:, 0].copy()
    return value


# Estimators whose fit only stores X and y (k-NN; scikit-learn pickles
# _fit_X too) or only reads X's width (Normalizer, PolynomialFeatures): an
# unpickled one is refitted natively on them, exactly. Every other
# estimator restores its C++ fitted state (Estimator::RestoreFitted).
_REFIT_ON_LOAD = {"KNeighborsClassifier", "KNeighborsRegressor",
                  "NearestNeighbors", "Normalizer",
                  "PolynomialFeatures"}
_WIDTH_ONLY = {"Normalizer", "PolynomialFeatures"}
# No method reads their native fitted state (fit_predict / fit_transform
# refit): a pickle holds only their Python attributes (labels_, ...).
_TRANSDUCTIVE = {"DBSCAN", "AgglomerativeClustering", "TSNE"}

# name: function(estimator, attribute, array) -> scikit-learn's array.
_ATTRIBUTE_SHAPES = {"GaussianMixture": _mixture_shape}


def _mixture_precisions(est):
    """precisions_ from precisions_cholesky_, as scikit-learn 1.2's
    GaussianMixture._set_parameters computes it."""
    chol = est.precisions_cholesky_
    if est.covariance_type == "full":
        est.precisions_ = np.empty(chol.shape)
        for k, prec_chol in enumerate(chol):
            est.precisions_[k] = np.dot(prec_chol, prec_chol.T)
    elif est.covariance_type == "tied":
        est.precisions_ = np.dot(chol, chol.T)
    else:
        est.precisions_ = chol ** 2


# name: function(estimator) setting attributes derived from the others.
_DERIVED_ATTRIBUTES = {"GaussianMixture": _mixture_precisions}


def warn_all(messages, owner):
    """The C++ warnings of a fit as scikit-learn's categories: no
    convergence is a ConvergenceWarning, a failed fit in a search a
    FitFailedWarning, anything else a UserWarning."""
    import warnings
    for m in messages:
        low = m.lower()
        category = (ConvergenceWarning if "converge" in low else
                    FitFailedWarning if "fit failed" in low or
                    "fits failed" in low else UserWarning)
        warnings.warn("%s: %s" % (owner, m), category, stacklevel=3)


def _plain(name, value):
    """A parameter value as the C++ schema takes it (plain Python types)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (tuple, list, np.ndarray)):
        return tuple(float(v) for v in value)
    if name == "random_state" and isinstance(value, np.random.RandomState):
        # scikit-learn accepts a generator; the C++ estimators take a seed.
        return int(check_random_state(value).randint(np.iinfo(np.int32).max))
    raise ValueError("parameter %r: %r is not a number, string, bool, None or "
                     "tuple of numbers" % (name, value))


class _NativeEstimator(BaseEstimator):
    """Shared implementation; the concrete classes are made by _make_class."""

    _native_name = None
    _kind = None

    # -- native object -----------------------------------------------------
    def _new_native(self):
        native = _native.Native(self._native_name)
        params = self.get_params(deep=False)
        if isinstance(params.get("class_weight"), dict):
            # Applied as sample weights (see _check_fit).
            params["class_weight"] = None
        params = {k: _plain(k, v) for k, v in params.items()}
        native.set_params(params)
        return native

    def _fitted_native(self):
        check_is_fitted(self)
        native = self.__dict__.get("_native")
        if native is None:
            raise NotImplementedError(
                "%s: this estimator was unpickled, and its native fitted state "
                "cannot be restored yet; fit it again" % type(self).__name__)
        return native

    def _allow_nan(self):
        return _ENTRIES[self._native_name]["allows_nan"]

    def _more_tags(self):
        tags = {"allow_nan": self._allow_nan()}
        if self._kind in ("classifier", "regressor"):
            tags["requires_y"] = True
        if self._native_name in _PRESERVES_FLOAT32:
            tags["preserves_dtype"] = [np.float64, np.float32]
        return tags

    # -- validation ----------------------------------------------------------
    def _check_X(self, X, reset):
        return self._validate_data(
            X, reset=reset, dtype=np.float64, order="C",
            force_all_finite="allow-nan" if self._allow_nan() else True)

    def _check_fit(self, X, y, sample_weight):
        """(X, y as the C++ estimator takes it, sample_weight, classes):
        a classifier's y becomes class codes; its classes_ are set only
        once the fit succeeded (_finish_fit)."""
        supervised = self._kind in ("classifier", "regressor")
        classes = None
        if supervised:
            X, y = self._validate_data(
                X, y, reset=True, dtype=np.float64, order="C",
                force_all_finite="allow-nan" if self._allow_nan() else True,
                y_numeric=self._kind == "regressor", multi_output=False)
            if self._kind == "classifier":
                check_classification_targets(y)
                classes, codes = np.unique(y, return_inverse=True)
                y = codes.astype(np.float64)
            else:
                y = np.ascontiguousarray(y, dtype=np.float64)
        else:
            X = self._check_X(X, reset=True)
            y = None
        if sample_weight is not None:
            if not _ENTRIES[self._native_name]["supports_sample_weight"]:
                raise ValueError("%s does not take sample_weight" %
                                 type(self).__name__)
            sample_weight = np.ascontiguousarray(
                _check_sample_weight(sample_weight, X, dtype=np.float64))
        class_weight = self.__dict__.get("class_weight")
        if isinstance(class_weight, dict) and classes is not None:
            # A {class: weight} map multiplies each sample's weight by its
            # class's, as scikit-learn's LogisticRegression and
            # RidgeClassifier apply it (classes not in the map weigh 1).
            from sklearn.utils.class_weight import compute_class_weight
            per_class = compute_class_weight(class_weight, classes=classes,
                                             y=classes[y.astype(np.intp)])
            weights = per_class[y.astype(np.intp)]
            sample_weight = np.ascontiguousarray(
                weights if sample_weight is None else sample_weight * weights)
        return X, y, sample_weight, classes

    def _label_dtype(self):
        # scikit-learn's KMeans family labels are int32; the others intp.
        return np.int32 if self._native_name in _INT32_LABELS else np.int64

    # -- fitting -------------------------------------------------------------
    def _finish_fit(self, native, classes):
        """Sets the fitted attributes of a successful native fit."""
        self._native = native
        if native.n_features_out > 0:
            self._n_features_out = native.n_features_out
        if classes is not None:
            self.classes_ = classes
        for name, value in native.fitted_scalars().items():
            if name in _INT_SCALARS and float(value).is_integer():
                value = int(value)
            elif name in _BOOL_SCALARS:
                value = bool(value)
            if (self._native_name, name) in _ARRAY_SCALARS:
                value = np.array([value])  # scikit-learn's n_iter_ shape
            setattr(self, name + "_", value)
            alias = _SCALAR_ALIASES.get((self._native_name, name))
            if alias is not None:
                setattr(self, alias + "_", value)
        private = []
        for name, value, _ in native.fitted_arrays():
            if name.startswith("_"):
                private.append(name)
                continue
            if name == "classes" and self._kind == "classifier":
                continue  # classes_ holds the user's labels.
            if name == "labels":
                value = value.astype(self._label_dtype())
            elif name in _INT_ARRAYS:
                value = value.astype(np.int64)
            if value.size == 0 and name in _NONE_WHEN_EMPTY:
                value = None  # scikit-learn's None (StandardScaler's var_...)
            shape = _ATTRIBUTE_SHAPES.get(self._native_name)
            if shape is not None and value is not None:
                value = shape(self, name, value)
            setattr(self, name + "_", value)
        derive = _DERIVED_ATTRIBUTES.get(self._native_name)
        if derive is not None:
            derive(self)
        warn_all(native.warnings, type(self).__name__)

    def _fit(self, X, y=None, sample_weight=None):
        X, y, sample_weight, classes = self._check_fit(X, y, sample_weight)
        native = self._new_native()
        if self._kind == "clusterer":
            labels = native.fit_predict(X, y, sample_weight).astype(
                self._label_dtype())
            self.labels_ = labels
        elif self._native_name == "TSNE":
            self.embedding_ = native.fit_transform(X, y, sample_weight)
        else:
            native.fit(X, y, sample_weight)
        if self._native_name in _REFIT_ON_LOAD:
            # Fitting these only stores the data (k-NN) or its width: a
            # pickle refits them exactly from it (see __setstate__).
            if self._native_name in _WIDTH_ONLY:
                X = np.zeros((1, X.shape[1]))
            self._fit_X, self._y = X, y
        self._finish_fit(native, classes)
        return self

    # -- pickling --------------------------------------------------------------
    def __getstate__(self):
        # A copy: on Python 3.11 object.__getstate__ returns __dict__ itself.
        state = dict(super().__getstate__())
        native = state.pop("_native", None)
        if native is not None and native.fitted and \
                self._native_name not in _TRANSDUCTIVE:
            # The parameters of the fit, which set_params may have changed
            # since: the restored estimator predicts as the pickled one.
            state["_native_state"] = (native.fitted_arrays(),
                                      native.fitted_scalars(),
                                      native.get_params())
        return state

    def __setstate__(self, state):
        saved = state.pop("_native_state", None)
        super().__setstate__(state)
        if saved is not None:
            native = _native.Native(self._native_name)
            native.set_params(saved[2])
            if self._native_name in _REFIT_ON_LOAD:
                native.fit(self._fit_X, self._y)
            else:
                native.restore([(n, v) for n, v, _ in saved[0]], saved[1])
            self._native = native


# fit, fit_predict and fit_transform take sample_weight only where the C++
# estimator does: scikit-learn's checks (and users) read the signature.
def _fit_method(impl, name, weighted):
    if weighted:
        def method(self, X, y=None, sample_weight=None):
            return impl(self, X, y, sample_weight)
    else:
        def method(self, X, y=None):
            return impl(self, X, y, None)
    method.__name__ = name
    return method


def _fit_predict(self, X, y, sample_weight):
    if self._kind == "clusterer":
        return self._fit(X, y, sample_weight).labels_
    # GaussianMixture: the labels of its best fit, without a labels_.
    X, y, sample_weight, classes = self._check_fit(X, y, sample_weight)
    native = self._new_native()
    out = native.fit_predict(X, y, sample_weight)
    self._finish_fit(native, classes)
    return out.astype(self._label_dtype())


def _fit_transform(self, X, y, sample_weight):
    if self._native_name == "TSNE":
        return self._fit(X, y).embedding_
    dtype = _output_dtype(self, X)
    X, y, sample_weight, classes = self._check_fit(X, y, sample_weight)
    native = self._new_native()
    out = native.fit_transform(X, y, sample_weight)
    self._finish_fit(native, classes)
    return out.astype(dtype, copy=False)


def _predict(self, X):
    native = self._fitted_native()
    out = native.predict(self._check_X(X, reset=False))
    if self._kind == "classifier":
        return self.classes_.take(out.astype(np.intp))
    if self._kind in ("clusterer", "DensityEstimator"):
        return out.astype(self._label_dtype())
    return out


def _output_dtype(self, X):
    """float32 for a float32 input where scikit-learn keeps it (computed in
    float64 here, returned in the input's precision)."""
    if self._native_name in _PRESERVES_FLOAT32 and \
            getattr(X, "dtype", None) == np.float32:
        return np.float32
    return np.float64


def _matrix_method(method):
    def call(self, X):
        native = self._fitted_native()
        out = getattr(native, method)(self._check_X(X, reset=False))
        if method == "decision_function" and out.shape[1] == 1:
            return out[:, 0]  # binary: one column, as scikit-learn.
        if method in ("transform", "inverse_transform"):
            return out.astype(_output_dtype(self, X), copy=False)
        return out
    call.__name__ = method
    return call


def _partial_fit(self, X, y=None, sample_weight=None):
    """scikit-learn's partial_fit: the first call starts a fit, the next ones
    update it (n_features_in_ checked against the first)."""
    native = self.__dict__.get("_native")
    first = native is None or not native.fitted
    X = self._check_X(X, reset=first)
    if sample_weight is not None:
        sample_weight = np.ascontiguousarray(
            _check_sample_weight(sample_weight, X, dtype=np.float64))
    if first:
        native = self._new_native()
    native.partial_fit(X, sample_weight)
    self._finish_fit(native, None)
    if self._kind == "clusterer":
        self.labels_ = native.predict(X).astype(self._label_dtype())
    return self


def _criterion(name):
    def call(self, X):
        return getattr(self._fitted_native(), name)(
            self._check_X(X, reset=False))
    call.__name__ = name
    return call


def _score(self, X, y=None, sample_weight=None):
    if sample_weight is not None and self._kind not in ("classifier",
                                                        "regressor"):
        raise ValueError("%s.score: sample_weight is not supported yet" %
                         type(self).__name__)
    if self._kind == "classifier":
        return ClassifierMixin.score(self, X, y, sample_weight)
    if self._kind == "regressor":
        return RegressorMixin.score(self, X, y, sample_weight)
    native = self._fitted_native()
    return native.score(self._check_X(X, reset=False), None)


def _neighbor_queries(self, X):
    native = self._fitted_native()
    return native, (None if X is None else self._check_X(X, reset=False))


def _kneighbors(self, X=None, n_neighbors=None, return_distance=True):
    """scikit-learn's kneighbors: without X, the training samples, each
    not its own neighbour."""
    native, X = _neighbor_queries(self, X)
    if n_neighbors is not None and (
            not isinstance(n_neighbors, numbers.Integral) or n_neighbors < 1):
        raise ValueError("Expected n_neighbors > 0. Got %r" % (n_neighbors,))
    dist, ind = native.kneighbors(X, 0 if n_neighbors is None
                                  else int(n_neighbors))
    ind = ind.astype(np.intp)
    return (dist, ind) if return_distance else ind


def _radius_lists(self, X, radius, sort_results):
    native, X = _neighbor_queries(self, X)
    offsets, ind, dist = native.radius_neighbors(
        X, None if radius is None else float(radius), bool(sort_results))
    return offsets.astype(np.intp), ind.astype(np.intp), dist


def _radius_neighbors(self, X=None, radius=None, return_distance=True,
                      sort_results=False):
    """scikit-learn's radius_neighbors: arrays of arrays (dtype object)."""
    if sort_results and not return_distance:
        raise ValueError("return_distance must be True if sort_results is "
                         "True.")
    offsets, ind, dist = _radius_lists(self, X, radius, sort_results)
    n = len(offsets) - 1
    neigh_ind = np.empty(n, dtype=object)
    neigh_dist = np.empty(n, dtype=object)
    for i in range(n):
        neigh_ind[i] = ind[offsets[i]:offsets[i + 1]]
        neigh_dist[i] = dist[offsets[i]:offsets[i + 1]]
    return (neigh_dist, neigh_ind) if return_distance else neigh_ind


def _graph_data(mode, dist):
    if mode == "connectivity":
        return np.ones(len(dist))
    if mode == "distance":
        return dist
    raise ValueError('Unsupported mode, must be one of "connectivity", or '
                     '"distance" but got "%s" instead' % (mode,))


def _kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
    from scipy.sparse import csr_matrix
    dist, ind = _kneighbors(self, X, n_neighbors)
    n_queries, k = ind.shape
    data = _graph_data(mode, np.ravel(dist))
    return csr_matrix((data, ind.ravel(), np.arange(0, n_queries * k + 1, k)),
                      shape=(n_queries, self.n_samples_fit_))


def _radius_neighbors_graph(self, X=None, radius=None, mode="connectivity",
                            sort_results=False):
    from scipy.sparse import csr_matrix
    offsets, ind, dist = _radius_lists(self, X, radius, sort_results)
    return csr_matrix((_graph_data(mode, dist), ind, offsets),
                      shape=(len(offsets) - 1, self.n_samples_fit_))


def _sample(self, n_samples=1):
    """scikit-learn 1.2's GaussianMixture.sample, step by step on the
    fitted parameters (numpy's generator from random_state): the same
    draws as scikit-learn's for the same parameters."""
    check_is_fitted(self)
    if n_samples < 1:
        raise ValueError(
            "Invalid value for 'n_samples': %d . The sampling requires at "
            "least one sample." % (self.n_components))
    _, n_features = self.means_.shape
    rng = check_random_state(self.random_state)
    n_samples_comp = rng.multinomial(n_samples, self.weights_)
    if self.covariance_type == "full":
        X = np.vstack([
            rng.multivariate_normal(mean, covariance, int(sample))
            for (mean, covariance, sample) in zip(
                self.means_, self.covariances_, n_samples_comp)])
    elif self.covariance_type == "tied":
        X = np.vstack([
            rng.multivariate_normal(mean, self.covariances_, int(sample))
            for (mean, sample) in zip(self.means_, n_samples_comp)])
    else:
        X = np.vstack([
            mean + rng.standard_normal(size=(sample, n_features)) *
            np.sqrt(covariance)
            for (mean, covariance, sample) in zip(
                self.means_, self.covariances_, n_samples_comp)])
    y = np.concatenate([np.full(sample, j, dtype=int)
                        for j, sample in enumerate(n_samples_comp)])
    return (X, y)


_METHODS = {
    "sample": _sample,
    "kneighbors": _kneighbors,
    "radius_neighbors": _radius_neighbors,
    "kneighbors_graph": _kneighbors_graph,
    "radius_neighbors_graph": _radius_neighbors_graph,
    "partial_fit": _partial_fit,
    "bic": _criterion("bic"),
    "aic": _criterion("aic"),
    "predict": _predict,
    "transform": _matrix_method("transform"),
    "inverse_transform": _matrix_method("inverse_transform"),
    "predict_proba": _matrix_method("predict_proba"),
    "predict_log_proba": _matrix_method("predict_log_proba"),
    "decision_function": _matrix_method("decision_function"),
    "score_samples": _matrix_method("score_samples"),
    "score": _score,
}


def _make_init(params, positional):
    """An __init__ with the schema's arguments and defaults: `positional`
    first (positional or keyword), the others keyword-only."""
    index = {p[0]: i for i, p in enumerate(params)}
    missing = [n for n in positional if n not in index]
    if missing:
        raise ImportError("eclipsera: positional parameters %s are not in the "
                          "C++ schema" % missing)
    names = [p[0] for p in params]
    defaults = {"_d%d" % i: p[1] for i, p in enumerate(params)}
    first = ["%s=_d%d" % (n, index[n]) for n in positional]
    rest = ["%s=_d%d" % (n, index[n]) for n in names if n not in positional]
    args = ", ".join(first + (["*"] + rest if rest else []))
    body = "".join("    self.%s = %s\n" % (n, n) for n in names) or "    pass\n"
    source = "def __init__(self%s):\n%s" % (", " + args if args else "",
                                             body)
    namespace = dict(defaults)
    exec(source, namespace)  # pylint: disable=exec-used
    return namespace["__init__"]


def make_class(name, module):
    """The scikit-learn class for the registered C++ estimator `name`."""
    entry = _ENTRIES[name]
    sk_module, mixins, methods = _SPECS[name]
    bases = tuple(_MIXINS[m] for m in mixins) + (_NativeEstimator,)
    if name in _FEATURE_NAMES:
        bases = (_FEATURE_NAMES[name],) + bases
    attrs = {
        "__module__": module,
        "__doc__": "%s\n\nParameters\n----------\n%s" % (
            entry["summary"][:1].upper() + entry["summary"][1:],
            "\n".join("%s : default=%r\n    %s" % p for p in entry["params"])),
        "__init__": _make_init(entry["params"], _POSITIONAL.get(name, [])),
        "_native_name": name,
        "_kind": entry["kind"],
        "_methods": methods,
    }
    weighted = entry["supports_sample_weight"]
    attrs["fit"] = _fit_method(_NativeEstimator._fit, "fit", weighted)
    for m in methods:
        if m in ("fit_predict", "fit_transform"):
            impl = _fit_predict if m == "fit_predict" else _fit_transform
            attrs[m] = _fit_method(impl, m, weighted)
        else:
            attrs[m] = _METHODS[m]
    if "score" not in methods and "predict" in methods and \
            entry["kind"] in ("classifier", "regressor"):
        attrs["score"] = _score
    return type(name, bases, attrs)


def exported(module):
    """Every registered estimator that belongs in `module` (a submodule name
    such as 'cluster'), as {name: class}."""
    missing = set(_ENTRIES) - set(_SPECS) - _INTERNAL
    if missing:
        raise ImportError("eclipsera: no Python specification for %s" %
                          sorted(missing))
    return {name: make_class(name, "eclipsera." + module)
            for name, spec in _SPECS.items()
            if spec[0] == module and name in _ENTRIES}
