"""Efficiency frontiers: data envelopment analysis of units' inputs and outputs.

* :mod:`evalkit.frontier.dea` — input- and output-oriented radial DEA, CCR (constant
  returns) and BCC (variable returns), with max-slack second phase and peers.
"""

from __future__ import annotations

from .dea import DEADataError, DEASizeWarning, dea

__all__ = ["DEADataError", "DEASizeWarning", "dea"]
