"""Eclipsera's estimators of scikit-learn's sklearn.neighbors."""
from ._base import exported as _exported

_classes = _exported("neighbors")
globals().update(_classes)
__all__ = sorted(_classes)
