"""Eclipsera's estimators of scikit-learn's sklearn.impute."""
from ._base import exported as _exported

_classes = _exported("impute")
globals().update(_classes)
__all__ = sorted(_classes)
