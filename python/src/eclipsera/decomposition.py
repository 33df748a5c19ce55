"""Eclipsera's estimators of scikit-learn's sklearn.decomposition."""
from ._base import exported as _exported

_classes = _exported("decomposition")
globals().update(_classes)
__all__ = sorted(_classes)
