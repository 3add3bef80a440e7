"""Quantitative indicators (效能考核) computed from raw records."""

from .base import AREAS, Indicator, rate_frame, value_frame
from .catalogue import BY_CODE, CATALOGUE, compute_indicators, get_indicator
from .parameters import (DEFAULT_PARAMETERS, IndicatorParameterError, IndicatorParameters,
                         load_indicator_parameters)

__all__ = ["AREAS", "BY_CODE", "CATALOGUE", "DEFAULT_PARAMETERS", "Indicator", "IndicatorParameterError",
           "IndicatorParameters", "compute_indicators", "get_indicator", "load_indicator_parameters",
           "rate_frame", "value_frame"]
