"""Eclipsera's estimators of scikit-learn's sklearn.linear_model."""
from ._base import exported as _exported

_classes = _exported("linear_model")
globals().update(_classes)
__all__ = sorted(_classes)
