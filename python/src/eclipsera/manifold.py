"""Eclipsera's estimators of scikit-learn's sklearn.manifold."""
from ._base import exported as _exported

_classes = _exported("manifold")
globals().update(_classes)
__all__ = sorted(_classes)
