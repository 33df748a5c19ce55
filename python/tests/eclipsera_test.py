"""The Python package against scikit-learn 1.2 on the same data, in the same
process: names and defaults, golden parity on iris / wine / digits /
breast_cancer, input conversion, pickling, scikit-learn's Pipeline and
GridSearchCV (threads and loky processes), joblib's Dask backend, and the
wheel."""
import glob
import io
import os
import pickle
import subprocess
import sys
import tempfile
import unittest
import warnings

import numpy as np
from sklearn import cluster as sk_cluster
from sklearn import decomposition as sk_decomposition
from sklearn import linear_model as sk_linear_model
from sklearn import mixture as sk_mixture
from sklearn import model_selection as sk_model_selection
from sklearn import preprocessing as sk_preprocessing
from sklearn.base import clone
from sklearn.datasets import (load_breast_cancer, load_diabetes, load_digits,
                              load_iris, load_wine)
from sklearn.manifold import trustworthiness
from sklearn.metrics import adjusted_rand_score, get_scorer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

import eclipsera
from eclipsera import _native
from eclipsera.cluster import DBSCAN, KMeans
from eclipsera.decomposition import PCA, TruncatedSVD
from eclipsera.linear_model import LogisticRegression
from eclipsera.manifold import TSNE
from eclipsera.mixture import GaussianMixture
from eclipsera.preprocessing import StandardScaler


def iris():
    return load_iris(return_X_y=True)


class NamesAndParameters(unittest.TestCase):

    def test_every_registered_estimator_is_exported(self):
        names = {e["name"] for e in _native.entries()} - {"ColumnMean"}
        exported = {n for n, _ in eclipsera.all_estimators()}
        self.assertEqual(names, exported)
        self.assertIn("KMeans", eclipsera.cluster.__all__)
        self.assertIs(eclipsera.cluster.KMeans, KMeans)
        self.assertEqual(KMeans.__module__, "eclipsera.cluster")

    def test_defaults_are_the_schema_and_scikit_learns(self):
        km = KMeans()
        self.assertEqual(km.get_params()["n_clusters"], 8)
        self.assertEqual(km.get_params()["init"], "k-means++")
        self.assertEqual(km.get_params()["tol"], 1e-4)
        self.assertIsNone(km.get_params()["random_state"])
        for name, default, _ in next(e for e in _native.entries()
                                     if e["name"] == "TSNE")["params"]:
            self.assertEqual(TSNE().get_params()[name], default)
        self.assertEqual(LogisticRegression().get_params()["C"], 1.0)

    def test_signatures_are_scikit_learns(self):
        import importlib
        import inspect
        for name, cls in eclipsera.all_estimators():
            module = cls.__module__.replace("eclipsera.", "sklearn.")
            theirs = getattr(importlib.import_module(module), name)
            kinds = {}
            for c in (cls, theirs):
                kinds[c] = [p.name for p in inspect.signature(
                    c.__init__).parameters.values()
                            if p.kind == p.POSITIONAL_OR_KEYWORD]
            self.assertEqual(kinds[cls], kinds[theirs], name)
        self.assertEqual(KMeans(3).n_clusters, 3)
        self.assertEqual(GaussianMixture(2).n_components, 2)
        with self.assertRaises(TypeError):
            KMeans(3, 5)

    def test_repr_set_params_and_clone_are_scikit_learns(self):
        km = KMeans(n_clusters=3, random_state=0)
        self.assertEqual(repr(km), "KMeans(n_clusters=3, random_state=0)")
        km.set_params(tol=0.5)
        self.assertEqual(km.tol, 0.5)
        c = clone(km)
        self.assertIsNot(c, km)
        self.assertEqual(c.get_params(), km.get_params())
        with self.assertRaisesRegex(ValueError, "Invalid parameter 'nope'"):
            km.set_params(nope=1)

    def test_dtypes_and_warnings_are_scikit_learns(self):
        from sklearn.exceptions import ConvergenceWarning
        X, y = iris()
        km = KMeans(n_clusters=3, random_state=0).fit(X)
        self.assertEqual(km.labels_.dtype, np.int32)
        self.assertEqual(km.predict(X).dtype, np.int32)
        self.assertEqual(DBSCAN().fit(X).labels_.dtype, np.int64)
        with self.assertWarns(ConvergenceWarning):
            clf = LogisticRegression(max_iter=2).fit(X, y)
        self.assertEqual(clf.n_iter_.shape, (1,))
        # A failed fit keeps the earlier model whole (classes_ included).
        clf = LogisticRegression(max_iter=300).fit(X, y)
        with self.assertRaises(ValueError):
            clf.fit(X, np.where(y > 0, 1.0, np.nan))
        self.assertEqual(list(clf.predict(X[:1])), [0])

    def test_feature_names_out_are_scikit_learns(self):
        X, _ = iris()
        np.testing.assert_array_equal(
            PCA(n_components=2).fit(X).get_feature_names_out(),
            sk_decomposition.PCA(n_components=2).fit(X).get_feature_names_out())
        np.testing.assert_array_equal(
            KMeans(3, random_state=0).fit(X).get_feature_names_out(),
            ["kmeans0", "kmeans1", "kmeans2"])
        np.testing.assert_array_equal(
            StandardScaler().fit(X).get_feature_names_out(["a", "b", "c",
                                                           "d"]),
            ["a", "b", "c", "d"])

    def test_bad_parameters_and_data_are_value_errors(self):
        X, _ = iris()
        with self.assertRaisesRegex(ValueError, "algorithm"):
            KMeans(algorithm="fastest").fit(X)
        with self.assertRaisesRegex(ValueError, "n_clusters"):
            KMeans(n_clusters=0).fit(X)
        bad = X.copy()
        bad[3, 1] = np.nan
        with self.assertRaisesRegex(ValueError, "NaN"):
            KMeans(n_clusters=2).fit(bad)
        with self.assertRaises(ValueError):
            KMeans(n_clusters=2).fit(X).predict(X[:, :2])


class GoldenParity(unittest.TestCase):
    """Same results as scikit-learn where the C++ golden tests promise it."""

    def test_kmeans_iris_reaches_scikit_learns_optimum(self):
        X, _ = iris()
        ours = KMeans(n_clusters=3, n_init=10, random_state=0).fit(X)
        theirs = sk_cluster.KMeans(n_clusters=3, n_init=10,
                                   random_state=0).fit(X)
        self.assertAlmostEqual(ours.inertia_, theirs.inertia_, places=6)
        self.assertEqual(adjusted_rand_score(ours.labels_, theirs.labels_),
                         1.0)
        self.assertEqual(ours.cluster_centers_.shape, (3, 4))
        np.testing.assert_array_equal(ours.predict(X), ours.labels_)
        # transform: the distance to every center.
        np.testing.assert_allclose(
            ours.transform(X),
            np.linalg.norm(X[:, None, :] - ours.cluster_centers_[None],
                           axis=2), rtol=1e-9, atol=1e-9)
        self.assertAlmostEqual(ours.score(X), -ours.inertia_, places=6)
        self.assertEqual(ours.n_features_in_, 4)

    def test_dbscan_wine_scaled_matches(self):
        X, _ = load_wine(return_X_y=True)
        X = sk_preprocessing.StandardScaler().fit_transform(X)
        ours = DBSCAN(eps=2.3, min_samples=5).fit(X)
        theirs = sk_cluster.DBSCAN(eps=2.3, min_samples=5).fit(X)
        np.testing.assert_array_equal(ours.labels_, theirs.labels_)
        np.testing.assert_array_equal(ours.core_sample_indices_,
                                      theirs.core_sample_indices_)
        np.testing.assert_array_equal(ours.components_, theirs.components_)
        np.testing.assert_array_equal(ours.fit_predict(X), theirs.labels_)

    def test_agglomerative_iris_tree_matches(self):
        from eclipsera.cluster import AgglomerativeClustering
        # Iris has duplicate rows (tied merges in any order); its rows
        # moved off the ties by a fixed tiny jitter are not.
        X, _ = iris()
        X = X + 1e-6 * np.random.RandomState(0).rand(*X.shape)
        ours = AgglomerativeClustering(n_clusters=3).fit(X)
        theirs = sk_cluster.AgglomerativeClustering(n_clusters=3).fit(X)
        np.testing.assert_array_equal(ours.children_, theirs.children_)
        self.assertEqual(adjusted_rand_score(ours.labels_, theirs.labels_),
                         1.0)
        self.assertEqual(ours.n_clusters_, theirs.n_clusters_)
        self.assertEqual(ours.n_leaves_, theirs.n_leaves_)

    def test_standard_scaler_wine_is_exact(self):
        X, _ = load_wine(return_X_y=True)
        ours = StandardScaler().fit(X)
        theirs = sk_preprocessing.StandardScaler().fit(X)
        np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-13)
        np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-13)
        np.testing.assert_allclose(ours.transform(X), theirs.transform(X),
                                   rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(ours.inverse_transform(ours.transform(X)),
                                   X, rtol=1e-12)
        self.assertEqual(ours.n_samples_seen_, theirs.n_samples_seen_)

    def test_logistic_regression_breast_cancer_same_optimum(self):
        X, y = load_breast_cancer(return_X_y=True)
        X = sk_preprocessing.StandardScaler().fit_transform(X)
        ours = LogisticRegression(max_iter=1000, tol=1e-8).fit(X, y)
        theirs = sk_linear_model.LogisticRegression(max_iter=1000,
                                                    tol=1e-8).fit(X, y)
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=2e-4)
        np.testing.assert_allclose(ours.predict_proba(X),
                                   theirs.predict_proba(X), atol=1e-5)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
        self.assertEqual(ours.decision_function(X).shape, (len(X),))
        self.assertAlmostEqual(ours.score(X, y), theirs.score(X, y))

    def test_logistic_regression_string_labels(self):
        X, y = iris()
        names = np.array(["setosa", "versicolor", "virginica"])[y]
        clf = LogisticRegression(max_iter=500).fit(X, names)
        np.testing.assert_array_equal(clf.classes_, np.unique(names))
        self.assertGreater(np.mean(clf.predict(X) == names), 0.95)

    def test_gaussian_mixture_iris_log_likelihood(self):
        X, _ = iris()
        ours = GaussianMixture(n_components=3, random_state=0).fit(X)
        theirs = sk_mixture.GaussianMixture(n_components=3,
                                            random_state=0).fit(X)
        self.assertAlmostEqual(ours.score(X), theirs.score(X), places=3)
        self.assertEqual(ours.means_.shape, (3, 4))
        np.testing.assert_allclose(ours.predict_proba(X).sum(axis=1), 1.0)

    def test_class_weight_dict(self):
        # {class: weight} as scikit-learn applies it: sample weights
        # multiplied by their class's weight.
        X, y = load_breast_cancer(return_X_y=True)
        X = sk_preprocessing.StandardScaler().fit_transform(X)
        weights = {0: 3.0, 1: 0.5}
        ours = LogisticRegression(class_weight=weights).fit(X, y)
        theirs = sk_linear_model.LogisticRegression(
            class_weight=weights).fit(X, y)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=2e-3)
        np.testing.assert_allclose(ours.predict_proba(X),
                                   theirs.predict_proba(X), atol=1e-3)
        self.assertEqual(ours.get_params()["class_weight"], weights)
        # Not the unweighted model.
        plain = LogisticRegression().fit(X, y)
        self.assertGreater(np.abs(plain.coef_ - ours.coef_).max(), 0.05)
        with self.assertRaises(ValueError):
            LogisticRegression(class_weight={7: 2.0}).fit(X, y)

    def test_gaussian_mixture_precisions_and_sample(self):
        # With scikit-learn's model given our fitted parameters, precisions_
        # and sample() (numpy's draws from random_state) are its own.
        X, _ = iris()
        for ct in ("full", "tied", "diag", "spherical"):
            ours = GaussianMixture(3, covariance_type=ct,
                                   random_state=0).fit(X)
            theirs = sk_mixture.GaussianMixture(3, covariance_type=ct,
                                                random_state=0)
            theirs._set_parameters((ours.weights_, ours.means_,
                                    ours.covariances_,
                                    ours.precisions_cholesky_))
            np.testing.assert_array_equal(ours.precisions_,
                                          theirs.precisions_)
            Xs, ys = ours.sample(50)
            Xt, yt = theirs.sample(50)
            np.testing.assert_array_equal(Xs, Xt)
            np.testing.assert_array_equal(ys, yt)
            self.assertEqual(Xs.shape, (50, 4))
            with self.assertRaises(ValueError):
                ours.sample(0)
            back = pickle.loads(pickle.dumps(ours))
            np.testing.assert_array_equal(back.precisions_, ours.precisions_)

    def test_partial_fit_and_information_criteria(self):
        from eclipsera.cluster import MiniBatchKMeans
        X, _ = load_wine(return_X_y=True)
        ours, theirs = StandardScaler(), sk_preprocessing.StandardScaler()
        for batch in np.array_split(X, 3):
            ours.partial_fit(batch)
            theirs.partial_fit(batch)
        np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-12)
        np.testing.assert_allclose(ours.var_, theirs.var_, rtol=1e-10)
        self.assertEqual(ours.n_samples_seen_, theirs.n_samples_seen_)
        with self.assertRaises(ValueError):
            ours.partial_fit(X[:, :3])  # not the first call's width
        mbk = MiniBatchKMeans(n_clusters=3, random_state=0)
        for batch in np.array_split(X, 4):
            mbk.partial_fit(batch)
        self.assertEqual(mbk.cluster_centers_.shape, (3, X.shape[1]))
        Xi, _ = iris()
        gm = GaussianMixture(3, random_state=0).fit(Xi)
        n, d = Xi.shape
        params = 3 * d * (d + 1) / 2 + 3 * d + 2
        self.assertAlmostEqual(
            gm.bic(Xi), -2 * gm.score(Xi) * n + params * np.log(n), places=6)
        self.assertAlmostEqual(gm.aic(Xi), -2 * gm.score(Xi) * n + 2 * params,
                               places=6)

    def test_pca_digits_up_to_sign(self):
        X, _ = load_digits(return_X_y=True)
        # 'full': scikit-learn's 'auto' picks its randomized solver here.
        ours = PCA(n_components=5, svd_solver="full").fit(X)
        theirs = sk_decomposition.PCA(n_components=5, svd_solver="full").fit(X)
        a, b = ours.transform(X), theirs.transform(X)
        signs = np.sign(np.sum(a * b, axis=0))
        np.testing.assert_allclose(a * signs, b, rtol=1e-8, atol=1e-8)

    def test_truncated_svd_digits(self):
        X, _ = load_digits(return_X_y=True)
        # The exact solver, and the randomized one on this decaying
        # spectrum, agree with scikit-learn's (signs by svd_flip in both).
        for algorithm in ("arpack", "randomized"):
            ours = TruncatedSVD(4, algorithm=algorithm, n_iter=10,
                                random_state=0).fit(X)
            theirs = sk_decomposition.TruncatedSVD(
                4, algorithm=algorithm, n_iter=10, random_state=0).fit(X)
            np.testing.assert_allclose(ours.singular_values_,
                                       theirs.singular_values_, rtol=1e-6)
            np.testing.assert_allclose(ours.explained_variance_ratio_,
                                       theirs.explained_variance_ratio_,
                                       rtol=1e-5)
            np.testing.assert_allclose(ours.transform(X), theirs.transform(X),
                                       rtol=1e-5, atol=1e-5)

    def test_nearest_neighbors_as_scikit_learn(self):
        from sklearn import neighbors as sk_neighbors
        from eclipsera.neighbors import NearestNeighbors
        rng = np.random.RandomState(0)
        X, Z = rng.rand(150, 4), rng.rand(30, 4)
        ours = NearestNeighbors(n_neighbors=4, radius=0.3).fit(X)
        theirs = sk_neighbors.NearestNeighbors(n_neighbors=4,
                                               radius=0.3).fit(X)
        self.assertEqual(ours.n_samples_fit_, 150)
        for q in (Z, None):
            d1, i1 = ours.kneighbors(q)
            d2, i2 = theirs.kneighbors(q)
            np.testing.assert_array_equal(i1, i2)
            np.testing.assert_allclose(d1, d2, rtol=1e-12)
            self.assertEqual(i1.dtype, np.intp)
            r1, j1 = ours.radius_neighbors(q, sort_results=True)
            r2, j2 = theirs.radius_neighbors(q, sort_results=True)
            for a, b, c, d in zip(j1, j2, r1, r2):
                np.testing.assert_array_equal(a, b)
                np.testing.assert_allclose(c, d, rtol=1e-12)
            for mode in ("connectivity", "distance"):
                g1 = ours.kneighbors_graph(q, 3, mode=mode)
                g2 = theirs.kneighbors_graph(q, 3, mode=mode)
                np.testing.assert_allclose(g1.toarray(), g2.toarray())
                g1 = ours.radius_neighbors_graph(q, 0.2, mode=mode)
                g2 = theirs.radius_neighbors_graph(q, 0.2, mode=mode)
                np.testing.assert_allclose(g1.toarray(), g2.toarray())
        with self.assertRaisesRegex(ValueError, "n_neighbors"):
            ours.kneighbors(None, 150)
        clone = pickle.loads(pickle.dumps(ours))
        np.testing.assert_array_equal(clone.kneighbors(Z)[1],
                                      ours.kneighbors(Z)[1])

    def test_tsne_digits_embedding_quality(self):
        X, _ = load_digits(return_X_y=True)
        X = X[:500]
        emb = TSNE(random_state=0, perplexity=30).fit_transform(X)
        self.assertEqual(emb.shape, (500, 2))
        self.assertGreater(trustworthiness(X, emb, n_neighbors=10), 0.95)


class InputConversion(unittest.TestCase):

    def test_lists_float32_fortran_and_strided_agree(self):
        X, _ = iris()
        want = StandardScaler().fit_transform(X)
        for variant in (X.tolist(), np.asfortranarray(X),
                        np.repeat(X, 2, axis=1)[:, ::2]):
            got = StandardScaler().fit_transform(variant)
            np.testing.assert_array_equal(got, want)
        # float32 is computed in float64 and returned as float32 where
        # scikit-learn's transformers keep float32.
        x32 = X.astype(np.float32)
        got = StandardScaler().fit_transform(x32)
        self.assertEqual(got.dtype, np.float32)
        np.testing.assert_array_equal(
            got, StandardScaler().fit_transform(
                x32.astype(np.float64)).astype(np.float32))
        self.assertEqual(PCA(2).fit(x32).transform(x32).dtype, np.float32)
        self.assertEqual(PCA(2).fit(X).transform(X).dtype, np.float64)

    def test_sparse_is_refused(self):
        import scipy.sparse
        with self.assertRaises(TypeError):
            KMeans(n_clusters=2).fit(scipy.sparse.csr_matrix(iris()[0]))


class Pickling(unittest.TestCase):

    def roundtrip(self, est, X, methods):
        back = pickle.loads(pickle.dumps(est))
        for m in methods:
            np.testing.assert_array_equal(getattr(back, m)(X),
                                          getattr(est, m)(X))
        self.assertEqual(repr(back), repr(est))
        return back

    def test_fitted_estimators_roundtrip(self):
        X, y = iris()
        self.roundtrip(KMeans(n_clusters=3, random_state=0).fit(X), X,
                       ["predict", "transform"])
        self.roundtrip(StandardScaler().fit(X), X,
                       ["transform", "inverse_transform"])
        self.roundtrip(LogisticRegression(max_iter=300).fit(X, y), X,
                       ["predict", "predict_proba", "decision_function"])
        back = self.roundtrip(DBSCAN(eps=0.5).fit(X), X, [])
        np.testing.assert_array_equal(back.labels_,
                                      DBSCAN(eps=0.5).fit(X).labels_)
        # Unfitted estimators too.
        self.assertEqual(repr(pickle.loads(pickle.dumps(KMeans(tol=0.5)))),
                         "KMeans(tol=0.5)")

    def test_pickle_keeps_the_fit_parameters_and_every_setting(self):
        X, _ = iris()
        km = KMeans(n_clusters=3, random_state=0).fit(X)
        km.set_params(n_clusters=5)  # after the fit: the model is unchanged
        back = pickle.loads(pickle.dumps(km))
        np.testing.assert_array_equal(back.predict(X), km.predict(X))
        self.assertEqual(back.n_clusters, 5)
        plain = StandardScaler(with_mean=False, with_std=False).fit(X)
        self.assertIsNone(plain.mean_)
        self.assertIsNone(plain.scale_)
        np.testing.assert_array_equal(
            pickle.loads(pickle.dumps(plain)).transform(X), X)
        for ct in ("full", "tied", "diag", "spherical"):
            gm = GaussianMixture(2, covariance_type=ct, random_state=0).fit(X)
            back = pickle.loads(pickle.dumps(gm))
            np.testing.assert_array_equal(back.score_samples(X),
                                          gm.score_samples(X))

    def test_joblib_roundtrip(self):
        import joblib
        X, _ = iris()
        km = KMeans(n_clusters=3, random_state=0).fit(X)
        buf = io.BytesIO()
        joblib.dump(km, buf)
        buf.seek(0)
        np.testing.assert_array_equal(joblib.load(buf).predict(X),
                                      km.predict(X))


class InsideScikitLearn(unittest.TestCase):

    def test_pipeline(self):
        X, y = load_wine(return_X_y=True)
        ours = Pipeline([("scale", StandardScaler()),
                         ("clf", LogisticRegression(max_iter=500))]).fit(X, y)
        theirs = Pipeline([("scale", sk_preprocessing.StandardScaler()),
                           ("clf", sk_linear_model.LogisticRegression(
                               max_iter=500))]).fit(X, y)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))

    def grid(self, **kwargs):
        X, y = load_wine(return_X_y=True)
        pipe = Pipeline([("scale", StandardScaler()),
                         ("clf", LogisticRegression(max_iter=500))])
        return GridSearchCV(pipe, {"clf__C": [0.01, 0.1, 1.0]}, cv=3,
                            **kwargs).fit(X, y)

    def test_grid_search_threads_and_processes_agree(self):
        serial = self.grid()
        from joblib import parallel_backend
        with parallel_backend("threading", n_jobs=2):
            threads = self.grid(n_jobs=2)
        processes = self.grid(n_jobs=2)  # loky: workers unpickle our models
        for other in (threads, processes):
            np.testing.assert_allclose(other.cv_results_["mean_test_score"],
                                       serial.cv_results_["mean_test_score"])
            self.assertEqual(other.best_params_, serial.best_params_)

    def test_dask_backend_on_a_local_cluster(self):
        from distributed import Client, LocalCluster
        from joblib import parallel_backend
        serial = self.grid()
        with LocalCluster(n_workers=2, threads_per_worker=1,
                          processes=True, dashboard_address=None) as cluster, \
                Client(cluster):
            with parallel_backend("dask"):
                dask = self.grid(n_jobs=-1)
        np.testing.assert_allclose(dask.cv_results_["mean_test_score"],
                                   serial.cv_results_["mean_test_score"])


class NativeSearch(unittest.TestCase):
    """eclipsera.model_selection against scikit-learn's GridSearchCV running
    the same estimators on the same folds."""

    def test_grid_search_matches_scikit_learns(self):
        from eclipsera.model_selection import GridSearchCV as OurGrid
        X, y = load_wine(return_X_y=True)
        pipe = Pipeline([("scale", StandardScaler()),
                         ("clf", LogisticRegression(max_iter=500))])
        grid = {"clf__C": [0.01, 0.1, 1.0], "clf__fit_intercept": [True,
                                                                  False]}
        ours = OurGrid(pipe, grid, cv=4, return_train_score=True,
                       scoring=["accuracy", "balanced_accuracy"],
                       refit="accuracy").fit(X, y)
        theirs = GridSearchCV(pipe, grid, cv=4, return_train_score=True,
                              scoring=["accuracy", "balanced_accuracy"],
                              refit="accuracy").fit(X, y)
        self.assertEqual(set(ours.cv_results_), set(theirs.cv_results_))
        for key in theirs.cv_results_:
            if "time" in key:
                continue
            if key == "params":
                self.assertEqual(ours.cv_results_[key],
                                 theirs.cv_results_[key])
            elif key.startswith("param_"):
                self.assertEqual(list(ours.cv_results_[key]),
                                 list(theirs.cv_results_[key]))
            else:
                np.testing.assert_allclose(ours.cv_results_[key],
                                           theirs.cv_results_[key],
                                           rtol=1e-9, err_msg=key)
        self.assertEqual(ours.best_params_, theirs.best_params_)
        self.assertEqual(ours.best_index_, theirs.best_index_)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
        self.assertAlmostEqual(ours.score(X, y), theirs.score(X, y))

    def test_cross_val_predict_and_curves_match_scikit_learns(self):
        from eclipsera.linear_model import Ridge
        from eclipsera.model_selection import (cross_val_predict,
                                               learning_curve,
                                               validation_curve)
        from eclipsera.neighbors import KNeighborsClassifier
        from sklearn import neighbors as sk_neighbors
        X, y = load_iris(return_X_y=True)
        # A partition's out-of-fold outputs: labels (y's dtype) and
        # probabilities, exactly (k-NN); string labels come back as such.
        for method in ("predict", "predict_proba"):
            ours = cross_val_predict(KNeighborsClassifier(), X, y, cv=5,
                                     method=method)
            theirs = sk_model_selection.cross_val_predict(
                sk_neighbors.KNeighborsClassifier(), X, y, cv=5,
                method=method)
            np.testing.assert_array_equal(ours, theirs)
            self.assertEqual(ours.dtype, theirs.dtype)
        names = np.array(["a", "b", "c"])[y]
        np.testing.assert_array_equal(
            cross_val_predict(KNeighborsClassifier(), X, names, cv=5),
            sk_model_selection.cross_val_predict(
                sk_neighbors.KNeighborsClassifier(), X, names, cv=5))
        # Ridge's exact solutions: to rounding.
        Xd, yd = load_diabetes(return_X_y=True)
        np.testing.assert_allclose(
            cross_val_predict(Ridge(), Xd, yd, cv=4),
            sk_model_selection.cross_val_predict(sk_linear_model.Ridge(), Xd,
                                                 yd, cv=4), rtol=1e-9)
        alphas = [0.01, 0.1, 1.0, 10.0]
        ours = validation_curve(Ridge(), Xd, yd, param_name="alpha",
                                param_range=alphas, cv=4)
        theirs = sk_model_selection.validation_curve(
            sk_linear_model.Ridge(), Xd, yd, param_name="alpha",
            param_range=alphas, cv=4)
        for a, b in zip(ours, theirs):
            self.assertEqual(a.shape, (4, 4))
            np.testing.assert_allclose(a, b, rtol=1e-9)
        for sizes in (np.linspace(0.1, 1.0, 5), [30, 100, 200]):
            ours = learning_curve(Ridge(), Xd, yd, cv=4, train_sizes=sizes,
                                  scoring="neg_mean_squared_error",
                                  return_times=True)
            theirs = sk_model_selection.learning_curve(
                sk_linear_model.Ridge(), Xd, yd, cv=4, train_sizes=sizes,
                scoring="neg_mean_squared_error", return_times=True)
            np.testing.assert_array_equal(ours[0], theirs[0])
            np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-9)
            np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-9)
            self.assertEqual(ours[3].shape, theirs[3].shape)
        with self.assertRaises(ValueError):
            learning_curve(Ridge(), Xd, yd, cv=4, train_sizes=[0.0, 0.5])

    def test_scoring_dict(self):
        from eclipsera.model_selection import GridSearchCV as OurGrid
        from eclipsera.model_selection import cross_validate as our_cv
        X, y = load_wine(return_X_y=True)
        pipe = Pipeline([("scale", StandardScaler()),
                         ("clf", LogisticRegression(max_iter=500))])
        scoring = {"acc": "accuracy", "bal": "balanced_accuracy"}
        grid = {"clf__C": [0.01, 1.0]}
        ours = OurGrid(pipe, grid, cv=3, scoring=scoring, refit="bal").fit(X, y)
        theirs = GridSearchCV(pipe, grid, cv=3, scoring=scoring,
                              refit="bal").fit(X, y)
        self.assertEqual(set(ours.cv_results_), set(theirs.cv_results_))
        for key in ("mean_test_acc", "split1_test_bal", "rank_test_bal"):
            np.testing.assert_allclose(ours.cv_results_[key],
                                       theirs.cv_results_[key], rtol=1e-9)
        self.assertTrue(ours.multimetric_)
        self.assertAlmostEqual(ours.score(X, y), theirs.score(X, y))
        got = our_cv(pipe, X, y, cv=3, scoring={"a": "accuracy"})
        want = sk_model_selection.cross_validate(pipe, X, y, cv=3,
                                                 scoring={"a": "accuracy"})
        np.testing.assert_allclose(got["test_a"], want["test_a"], rtol=1e-9)
        with self.assertRaises(ValueError):
            our_cv(pipe, X, y, cv=3, scoring={"a": get_scorer("accuracy")})
        with self.assertRaises(ValueError):  # not a scorer name
            our_cv(pipe, X, y, cv=3, scoring=["a=accuracy"])
        # A class_weight dict is applied by the Python fit only: refused in
        # the native folds rather than silently ignored.
        with self.assertRaisesRegex(ValueError, "class_weight"):
            our_cv(LogisticRegression(class_weight={0: 2.0}), X, y, cv=3)
        with self.assertRaisesRegex(ValueError, "NaN"):
            our_cv(LogisticRegression(), X, np.where(y == 0, np.nan, y), cv=3)
        # String binary labels: scikit-learn's pos_label error.
        names = np.array(["no", "yes"])[(y > 0).astype(int)]
        with self.assertRaisesRegex(ValueError, "pos_label=1"):
            our_cv(LogisticRegression(), X, names, cv=3, scoring="f1")

    def test_binary_scorers_use_scikit_learns_positive_label(self):
        # Labels {1, 2}: scikit-learn's f1 scores class 1 (pos_label=1), not
        # the class coded 1; labels {2, 3} make it fail, for us as for it
        # (scikit-learn scores NaN with a warning; every fold failing is an
        # error here).
        from eclipsera.model_selection import cross_val_score as ours_cv
        X, y = load_breast_cancer(return_X_y=True)
        X = sk_preprocessing.StandardScaler().fit_transform(X)
        clf = LogisticRegression(C=0.05)
        for scoring in ("f1", "precision", "recall", "roc_auc"):
            ours = ours_cv(clf, X, y + 1, cv=3, scoring=scoring)
            theirs = sk_model_selection.cross_val_score(clf, X, y + 1, cv=3,
                                                        scoring=scoring)
            np.testing.assert_allclose(ours, theirs, rtol=1e-9,
                                       err_msg=scoring)
        flipped = ours_cv(clf, X, y + 1, cv=3, scoring="f1")
        unflipped = ours_cv(clf, X, y, cv=3, scoring="f1")
        self.assertGreater(np.abs(flipped - unflipped).max(), 0.01)
        with self.assertRaisesRegex(ValueError,
                                    "pos_label=1 is not a valid label"):
            ours_cv(clf, X, y + 2, cv=3, scoring="f1")

    def test_clusterer_search_and_randomized_search(self):
        from scipy.stats import loguniform
        from eclipsera.model_selection import (GridSearchCV as OurGrid,
                                               RandomizedSearchCV)
        X, _ = iris()
        ours = OurGrid(KMeans(random_state=0, n_init=1),
                       {"n_clusters": [2, 3, 4]}, cv=3).fit(X)
        theirs = GridSearchCV(KMeans(random_state=0, n_init=1),
                              {"n_clusters": [2, 3, 4]}, cv=3).fit(X)
        np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                                   theirs.cv_results_["mean_test_score"],
                                   rtol=1e-9)
        self.assertEqual(ours.best_estimator_.n_clusters, 4)
        Xw, yw = load_wine(return_X_y=True)
        rs = RandomizedSearchCV(
            Pipeline([("s", StandardScaler()),
                      ("c", LogisticRegression(max_iter=300))]),
            {"c__C": loguniform(1e-3, 1e2)}, n_iter=5, random_state=0,
            cv=3).fit(Xw, yw)
        self.assertEqual(len(rs.cv_results_["params"]), 5)
        Cs = [p["c__C"] for p in rs.cv_results_["params"]]
        self.assertTrue(all(1e-3 <= c <= 1e2 for c in Cs))
        again = RandomizedSearchCV(
            Pipeline([("s", StandardScaler()),
                      ("c", LogisticRegression(max_iter=300))]),
            {"c__C": loguniform(1e-3, 1e2)}, n_iter=5, random_state=0,
            cv=3).fit(Xw, yw)
        self.assertEqual(again.cv_results_["params"], rs.cv_results_["params"])

    def test_cross_validate_matches_scikit_learns(self):
        from sklearn.model_selection import cross_validate as sk_cv
        from eclipsera.model_selection import cross_val_score, cross_validate
        X, y = load_breast_cancer(return_X_y=True)
        pipe = Pipeline([("scale", StandardScaler()),
                         ("clf", LogisticRegression(max_iter=300))])
        ours = cross_validate(pipe, X, y, cv=5, scoring=["accuracy",
                                                         "roc_auc"],
                              return_train_score=True, return_estimator=True)
        theirs = sk_cv(pipe, X, y, cv=5, scoring=["accuracy", "roc_auc"],
                       return_train_score=True, return_estimator=True)
        for key in ("test_accuracy", "test_roc_auc", "train_accuracy",
                    "train_roc_auc"):
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-9,
                                       err_msg=key)
        self.assertEqual(len(ours["fit_time"]), 5)
        self.assertEqual(len(ours["estimator"]), 5)
        np.testing.assert_allclose(
            cross_val_score(pipe, X, y, cv=3),
            sk_cv(pipe, X, y, cv=3)["test_score"], rtol=1e-9)

    def test_search_refit_false_groups_and_type(self):
        from sklearn.base import is_classifier
        from sklearn.model_selection import GroupKFold
        from eclipsera.model_selection import GridSearchCV as OurGrid
        X, y = load_wine(return_X_y=True)
        groups = np.arange(len(y)) % 7
        grid = {"C": [0.1, 1.0]}
        ours = OurGrid(LogisticRegression(max_iter=500), grid, refit=False,
                       cv=GroupKFold(3)).fit(X, y, groups=groups)
        theirs = GridSearchCV(LogisticRegression(max_iter=500), grid,
                              refit=False, cv=GroupKFold(3)).fit(
                                  X, y, groups=groups)
        self.assertEqual(ours.best_params_, theirs.best_params_)
        np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                                   theirs.cv_results_["mean_test_score"],
                                   rtol=1e-9)
        self.assertFalse(hasattr(ours, "best_estimator_"))
        self.assertTrue(is_classifier(ours))

    def test_search_errors(self):
        from eclipsera.model_selection import GridSearchCV as OurGrid
        from sklearn.linear_model import LogisticRegression as SkLogistic
        X, y = iris()
        with self.assertRaisesRegex(TypeError, "eclipsera estimators"):
            OurGrid(SkLogistic(), {"C": [1.0]}).fit(X, y)
        with self.assertRaisesRegex(ValueError, "nope"):
            OurGrid(KMeans(), {"nope": [1]}).fit(X)


class Wheel(unittest.TestCase):

    def test_pip_installs_the_wheel_offline(self):
        wheels = glob.glob("python/eclipsera-*.whl")
        self.assertEqual(len(wheels), 1)
        with tempfile.TemporaryDirectory() as target:
            subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                            "--no-index", "--no-deps", "--target", target,
                            wheels[0]], check=True)
            out = subprocess.run(
                [sys.executable, "-c",
                 "import eclipsera, numpy; from eclipsera.cluster import KMeans;"
                 "print(eclipsera.__file__);"
                 "print(KMeans(n_clusters=2, random_state=0).fit("
                 "numpy.array([[0.], [1.], [10.], [11.]])).inertia_)"],
                env=dict(os.environ, PYTHONPATH=target), check=True,
                capture_output=True, text=True).stdout.split()
            self.assertTrue(out[0].startswith(target))
            self.assertEqual(float(out[1]), 1.0)


if __name__ == "__main__":
    warnings.simplefilter("ignore", FutureWarning)
    unittest.main(verbosity=2)
