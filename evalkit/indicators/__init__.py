"""Quantitative indicators (效能考核) computed from raw records."""

from .base import AREAS, Indicator, rate_frame, value_frame
from .catalogue import BY_CODE, CATALOGUE, compute_indicators, get_indicator

__all__ = ["AREAS", "BY_CODE", "CATALOGUE", "Indicator", "compute_indicators", "get_indicator",
           "rate_frame", "value_frame"]
