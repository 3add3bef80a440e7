"""The domain error of the sensitivity kernels."""

from __future__ import annotations

from ..errors import EvalkitError

__all__ = ["SensitivityError"]


class SensitivityError(EvalkitError, ValueError):
    """Arguments a sensitivity analysis cannot work with (shapes, weights, levels, samplers).

    A subclass of :class:`ValueError` too, so that ``except ValueError`` keeps working.
    """
