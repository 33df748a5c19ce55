"""Eclipsera's estimators of scikit-learn's sklearn.cluster."""
from ._base import exported as _exported

_classes = _exported("cluster")
globals().update(_classes)
__all__ = sorted(_classes)
