"""Eclipsera: scikit-learn's clustering, embedding, mixture, preprocessing
and linear models in native C++, as drop-in scikit-learn estimators.

    from eclipsera.cluster import KMeans
    KMeans(n_clusters=3, random_state=0).fit(X).labels_
"""
__version__ = "2.0.0"

from . import (cluster, decomposition, impute, linear_model, manifold,
               mixture, model_selection, neighbors, preprocessing)


def all_estimators():
    """[(name, class)] of every exported estimator, sorted by name."""
    out = []
    for module in (cluster, decomposition, impute, linear_model, manifold,
                   mixture, neighbors, preprocessing):
        out.extend((n, getattr(module, n)) for n in module.__all__)
    return sorted(out)
