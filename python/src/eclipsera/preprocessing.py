"""Eclipsera's estimators of scikit-learn's sklearn.preprocessing."""
from ._base import exported as _exported

_classes = _exported("preprocessing")
globals().update(_classes)
__all__ = sorted(_classes)
