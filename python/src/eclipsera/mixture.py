"""Eclipsera's estimators of scikit-learn's sklearn.mixture."""
from ._base import exported as _exported

_classes = _exported("mixture")
globals().update(_classes)
__all__ = sorted(_classes)
