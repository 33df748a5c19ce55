"""Eclipsera's own searches from Python: GridSearchCV and RandomizedSearchCV
over eclipsera estimators (or scikit-learn Pipelines of them), run in native
threads on pooled estimators with the GIL released; cross_validate,
cross_val_score, cross_val_predict, validation_curve and learning_curve
likewise.

The splits are scikit-learn's (``check_cv`` for an int or None, or any
scikit-learn splitter or iterable of (train, test)), so the folds are
exactly the ones scikit-learn's GridSearchCV would use; ``cv_results_`` is
scikit-learn's dict of numpy arrays (masked ``param_*`` columns), and the
best candidate is refitted as a Python estimator (``best_estimator_``).
Differences from scikit-learn: ``n_jobs=None`` means every core (the C++
default), and ``scoring`` takes scorer names (a string or a list), not
callables.
"""
import time

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import get_scorer
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array, check_is_fitted

from . import _native
from ._base import _NativeEstimator, _plain, warn_all

__all__ = ["GridSearchCV", "RandomizedSearchCV", "cross_validate",
           "cross_val_score", "cross_val_predict", "validation_curve",
           "learning_curve"]


def _to_native(estimator):
    """The C++ estimator of an eclipsera estimator or of a scikit-learn
    Pipeline of them (scikit-learn's step names, so 'clf__C' works)."""
    if isinstance(estimator, _NativeEstimator):
        if isinstance(estimator.__dict__.get("class_weight"), dict):
            # Applied as sample weights by the Python fit only: the native
            # folds would fit unweighted.
            raise ValueError(
                "eclipsera.model_selection: %s(class_weight=<dict>) is not "
                "supported here (a dict is applied as sample weights in "
                "Python); use sklearn.model_selection, or class_weight="
                "'balanced'" % type(estimator).__name__)
        return estimator._new_native()
    if isinstance(estimator, Pipeline):
        steps = []
        for name, step in estimator.steps:
            if step is None or step == "passthrough":
                steps.append((name, None))
            else:
                steps.append((name, _to_native(step)))
        return _native.Native.pipeline(steps)
    raise TypeError(
        "eclipsera.model_selection searches eclipsera estimators and "
        "scikit-learn Pipelines of them; got %s (use "
        "sklearn.model_selection for other estimators)" %
        type(estimator).__name__)


def _distribution(name, values):
    """A list of values, or a scipy.stats uniform / loguniform / randint
    frozen distribution, as the native search takes it."""
    dist = getattr(values, "dist", None)
    if dist is not None:
        args = list(values.args) + [values.kwds[k] for k in
                                    ("loc", "scale", "a", "b", "low", "high")
                                    if k in values.kwds]
        kind = {"uniform": "uniform", "loguniform": "loguniform",
                "reciprocal": "loguniform", "randint": "randint"}.get(
                    dist.name)
        if kind is None or len(args) != 2:
            raise ValueError(
                "parameter %r: only scipy.stats uniform(loc, scale), "
                "loguniform(a, b) and randint(low, high) with both arguments "
                "are supported, got %s%r" % (name, dist.name, tuple(args)))
        return (kind, float(args[0]), float(args[1]))
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError("parameter %r: expected a list of values, got %r" %
                         (name, values))
    return [_plain(name, v) for v in values]


def _spaces(grid):
    grids = grid if isinstance(grid, (list, tuple)) else [grid]
    return [{k: _distribution(k, v) for k, v in g.items()} for g in grids]


def _column(key, values, params):
    if key.startswith("param_"):
        # Masked where the candidate has no such parameter (a list of
        # grids); a real None value stays unmasked, as scikit-learn's.
        name = key[len("param_"):]
        out = np.ma.MaskedArray(np.empty(len(values), dtype=object),
                                mask=[name not in p for p in params])
        for i, v in enumerate(values):
            out[i] = v
        return out
    if key.startswith("rank_"):
        return np.asarray(values, dtype=np.int32)
    return np.asarray([np.nan if v is None else v for v in values],
                      dtype=np.float64)


def _prepare(estimator, X, y, cv, groups=None, scoring=None):
    """X as C-contiguous float64, y as the C++ estimators take it, and
    scikit-learn's folds: (X, y_native, splits, classes or None). A
    classifier's numeric labels go as they are, so that binary scorers see
    scikit-learn's pos_label=1 (f1 on labels {1, 2} scores class 1); other
    labels (strings) go as class codes in np.unique's order, as classes_."""
    X = check_array(X, dtype=np.float64, order="C",
                    force_all_finite="allow-nan")
    classifier = is_classifier(estimator)
    yy, classes = None, None
    if y is not None:
        y = np.asarray(y)
        if classifier:
            numeric = y.dtype.kind in "biuf"
            if numeric and not np.all(np.isfinite(y.astype(np.float64))):
                raise ValueError("Input y contains NaN or infinity.")
            classes, codes = np.unique(y, return_inverse=True)
            yy = np.ascontiguousarray(
                y if numeric else codes, dtype=np.float64).ravel()
        else:
            yy = np.ascontiguousarray(y, dtype=np.float64)
    _check_pos_label(scoring, y, classes)
    cv = check_cv(cv, y, classifier=classifier)
    splits = [(np.asarray(tr, dtype=np.int64).tolist(),
               np.asarray(te, dtype=np.int64).tolist())
              for tr, te in cv.split(X, y, groups)]
    return X, yy, splits, classes


def _scoring_list(scoring):
    """Scorer names for the native engine; a {name: scorer name} dict as
    "name=scorer" entries (results under the names, as scikit-learn's)."""
    if scoring is None:
        return []
    if isinstance(scoring, dict):
        for k, v in scoring.items():
            if not isinstance(v, str):
                raise ValueError(
                    "eclipsera.model_selection: a scoring dict maps names to "
                    "scorer names (strings), not callables; got %r for %r" %
                    (v, k))
            if not isinstance(k, str) or "=" in k or "=" in v:
                raise ValueError(
                    "eclipsera.model_selection: invalid scoring name %r "
                    "(names are strings without '=')" % (k,))
        return ["%s=%s" % (k, v) for k, v in scoring.items()]
    if callable(scoring):
        raise ValueError("eclipsera.model_selection takes scorer names (a "
                         "string, a list or a name -> scorer name dict), not "
                         "callables")
    names = [scoring] if isinstance(scoring, str) else list(scoring)
    for n in names:
        if not isinstance(n, str) or "=" in n:
            raise ValueError("%r is not a valid scoring value" % (n,))
    return names


# Scorers whose binary form takes scikit-learn's default pos_label=1.
_POS_LABEL_SCORERS = ("f1", "precision", "recall", "jaccard",
                      "average_precision", "neg_brier_score")


def _check_pos_label(scoring, y, classes):
    """scikit-learn's error for a binary scorer with pos_label=1 on labels
    without 1 (string labels, here passed as class codes)."""
    if classes is None or len(classes) != 2 or \
            np.asarray(y).dtype.kind in "biuf":
        return
    names = scoring.values() if isinstance(scoring, dict) else (
        [scoring] if isinstance(scoring, str) else (scoring or []))
    for n in names:
        if n in _POS_LABEL_SCORERS:
            raise ValueError(
                "pos_label=1 is not a valid label. It should be one of %s" %
                list(classes))


def cross_validate(estimator, X, y=None, *, groups=None, scoring=None,
                   cv=None, n_jobs=None, verbose=0, return_train_score=False,
                   return_estimator=False, error_score=np.nan):
    """scikit-learn's cross_validate, run natively on scikit-learn's folds:
    {"fit_time", "score_time", "test_score" (or "test_<name>" for several
    scorers), "train_..." with return_train_score, "estimator" with
    return_estimator (refitted from Python on each training set)}."""
    Xc, yy, splits, _ = _prepare(estimator, X, y, cv, groups, scoring)
    scores, warnings_ = _native.cross_validate(
        _to_native(estimator), Xc, yy, splits, _scoring_list(scoring),
        -1 if n_jobs is None else n_jobs, return_train_score, error_score,
        verbose)
    warn_all(warnings_, "cross_validate")
    out = {k: np.asarray(v, dtype=np.float64) for k, v in scores.items()}
    if return_estimator:
        yarr = None if y is None else np.asarray(y)
        out["estimator"] = [
            clone(estimator).fit(*((Xc[tr],) if yarr is None else
                                   (Xc[tr], yarr[tr])))
            for tr, _ in splits]
    return out


def cross_val_predict(estimator, X, y=None, *, groups=None, cv=None,
                      n_jobs=None, verbose=0, method="predict"):
    """scikit-learn's cross_val_predict, run natively on scikit-learn's
    folds (which must be a partition): each sample's output from the model
    fitted without its fold. method: predict, predict_proba,
    predict_log_proba, decision_function or transform."""
    Xc, yy, splits, classes = _prepare(estimator, X, y, cv, groups)
    out = _native.cross_val_predict(_to_native(estimator), Xc, yy, splits,
                                    method, -1 if n_jobs is None else n_jobs)
    if method == "predict":
        out = out[:, 0]
        if getattr(estimator, "_estimator_type", None) == "clusterer" and \
                hasattr(estimator, "_label_dtype"):
            return out.astype(estimator._label_dtype())
        if classes is not None:
            yarr = np.asarray(y)
            if yarr.dtype.kind in "biuf":
                return out.astype(yarr.dtype)
            return classes.take(out.astype(np.intp))
        return out
    if method == "decision_function" and out.shape[1] == 1:
        return out[:, 0]  # binary: scikit-learn's 1-D scores
    return out


def _one_scorer(scoring, function):
    if scoring is not None and not isinstance(scoring, str):
        raise ValueError("%s takes one scorer name (or None)" % function)
    return _scoring_list(scoring)


def validation_curve(estimator, X, y, *, param_name, param_range, groups=None,
                     cv=None, scoring=None, n_jobs=None, pre_dispatch="all",
                     verbose=0, error_score=np.nan, fit_params=None):
    """scikit-learn's validation_curve, run natively: (train_scores,
    test_scores), one row per value of param_range, one column per split."""
    if fit_params:
        raise ValueError("validation_curve: fit_params are not supported")
    Xc, yy, splits, _ = _prepare(estimator, X, y, cv, groups, scoring)
    train, test, _, _, _, warnings_ = _native.curve(
        _to_native(estimator), Xc, yy, splits,
        _one_scorer(scoring, "validation_curve"),
        -1 if n_jobs is None else n_jobs, error_score, verbose, param_name,
        [_plain(param_name, v) for v in param_range], [], True, False, None)
    warn_all(warnings_, "validation_curve")
    return train, test


def learning_curve(estimator, X, y, *, groups=None,
                   train_sizes=np.linspace(0.1, 1.0, 5), cv=None, scoring=None,
                   exploit_incremental_learning=False, n_jobs=None,
                   pre_dispatch="all", verbose=0, shuffle=False,
                   random_state=None, error_score=np.nan, return_times=False,
                   fit_params=None):
    """scikit-learn's learning_curve, run natively: (train_sizes_abs,
    train_scores, test_scores[, fit_times, score_times]). Float sizes are
    fractions of the largest training set, integers absolute counts, as
    there. With shuffle=True the training sets are shuffled by the C++
    generator, not numpy's, so the subsets differ from scikit-learn's."""
    if exploit_incremental_learning:
        raise ValueError("learning_curve: exploit_incremental_learning is not "
                         "supported")
    if fit_params:
        raise ValueError("learning_curve: fit_params are not supported")
    sizes = np.asarray(train_sizes)
    fractions = bool(np.issubdtype(sizes.dtype, np.floating))
    Xc, yy, splits, _ = _prepare(estimator, X, y, cv, groups, scoring)
    train, test, fit_times, score_times, abs_sizes, warnings_ = _native.curve(
        _to_native(estimator), Xc, yy, splits,
        _one_scorer(scoring, "learning_curve"),
        -1 if n_jobs is None else n_jobs, error_score, verbose, "", [],
        [float(v) for v in sizes.ravel()], fractions, bool(shuffle),
        _plain("random_state", random_state))
    warn_all(warnings_, "learning_curve")
    out = (np.asarray(abs_sizes, dtype=int), train, test)
    if return_times:
        out += (fit_times, score_times)
    return out


def cross_val_score(estimator, X, y=None, *, groups=None, scoring=None,
                    cv=None, n_jobs=None, verbose=0, error_score=np.nan):
    """scikit-learn's cross_val_score, run natively: the test scores."""
    if scoring is not None and not isinstance(scoring, str):
        raise ValueError("cross_val_score takes one scorer name")
    return cross_validate(estimator, X, y, groups=groups, scoring=scoring,
                          cv=cv, n_jobs=n_jobs, verbose=verbose,
                          error_score=error_score)["test_score"]


class _BaseSearch(MetaEstimatorMixin, BaseEstimator):

    _n_iter = 0

    @property
    def _estimator_type(self):
        # is_classifier(search) follows the estimator, as scikit-learn's.
        return getattr(self.estimator, "_estimator_type", None)

    def fit(self, X, y=None, *, groups=None):
        if callable(self.refit):
            raise ValueError("eclipsera.model_selection: a callable refit is "
                             "not supported; pass True, False or a metric")
        X, yy, splits, classes = _prepare(self.estimator, X, y, self.cv,
                                          groups, self.scoring)
        if classes is not None:
            self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self.n_splits_ = len(splits)
        scoring = _scoring_list(self.scoring)
        refit_metric = self.refit if isinstance(self.refit, str) else ""
        columns, best_index, best_score, best_params, warnings_, pool = \
            _native.search(
                _to_native(self.estimator), _spaces(self._space()), X, yy,
                splits, scoring, -1 if self.n_jobs is None else self.n_jobs,
                self.return_train_score, self.error_score, self.verbose,
                self._n_iter,
                _plain("random_state", getattr(self, "random_state", None)),
                refit_metric)
        params = dict(columns)["params"]
        self.cv_results_ = {k: (v if k == "params" else _column(k, v, params))
                            for k, v in columns}
        self.multimetric_ = len(scoring) > 1 or isinstance(self.scoring, dict)
        self.scorer_ = (dict(self.scoring) if isinstance(self.scoring, dict)
                        else scoring)
        self.pool_statistics_ = pool
        if self.verbose >= 2:
            print(pool)
        warn_all(warnings_, type(self).__name__)
        if self.refit or not self.multimetric_:
            self.best_index_ = int(best_index)
            self.best_score_ = float(best_score)
            self.best_params_ = best_params
        if self.refit:
            start = time.perf_counter()
            self.best_estimator_ = clone(self.estimator).set_params(
                **best_params)
            if y is None:
                self.best_estimator_.fit(X)
            else:
                self.best_estimator_.fit(X, y)
            self.refit_time_ = time.perf_counter() - start
        return self

    def _check_refit(self, method):
        check_is_fitted(self)
        if not self.refit:
            raise AttributeError("%s is not available with refit=False" %
                                 method)
        return self.best_estimator_

    def predict(self, X):
        return self._check_refit("predict").predict(X)

    def predict_proba(self, X):
        return self._check_refit("predict_proba").predict_proba(X)

    def decision_function(self, X):
        return self._check_refit("decision_function").decision_function(X)

    def transform(self, X):
        return self._check_refit("transform").transform(X)

    def score(self, X, y=None):
        best = self._check_refit("score")
        if not self.scorer_:
            return best.score(X, y)
        if isinstance(self.scorer_, dict):
            return get_scorer(self.scorer_[self.refit])(best, X, y)
        name = self.refit if isinstance(self.refit, str) else self.scorer_[0]
        return get_scorer(name)(best, X, y)


class GridSearchCV(_BaseSearch):
    """scikit-learn's GridSearchCV, run natively (see the module doc)."""

    def __init__(self, estimator, param_grid, *, scoring=None, n_jobs=None,
                 refit=True, cv=None, verbose=0, error_score=np.nan,
                 return_train_score=False):
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _space(self):
        return self.param_grid


class RandomizedSearchCV(_BaseSearch):
    """scikit-learn's RandomizedSearchCV, run natively (see the module doc);
    distributions: lists, scipy.stats uniform, loguniform and randint. The
    draws are Eclipsera's generator's, not numpy's: the same random_state
    gives the same candidates here, not scikit-learn's."""

    def __init__(self, estimator, param_distributions, *, n_iter=10,
                 scoring=None, n_jobs=None, refit=True, cv=None, verbose=0,
                 random_state=None, error_score=np.nan,
                 return_train_score=False):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _space(self):
        return self.param_distributions

    def fit(self, X, y=None, *, groups=None):
        if self.n_iter < 1:
            raise ValueError("n_iter must be >= 1, got %r" % self.n_iter)
        self._n_iter = int(self.n_iter)
        return super().fit(X, y, groups=groups)
