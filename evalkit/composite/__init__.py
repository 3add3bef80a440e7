"""Composite scores from several indicators: distance-to-ideal methods (TOPSIS)."""

from .topsis import TopsisResult, topsis

__all__ = ["TopsisResult", "topsis"]
