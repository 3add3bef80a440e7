"""Efficiency frontiers: data envelopment analysis of units' inputs and outputs.

* :mod:`evalkit.frontier.dea` — input- and output-oriented radial DEA, CCR (constant
  returns) and BCC (variable returns), with max-slack second phase and peers;
* :mod:`evalkit.frontier.district` — the inputs and outputs of a district's units from
  their records, and DEA within a peer group (e.g. the 13 街镇).
"""

from __future__ import annotations

from .dea import DEADataError, DEASizeWarning, dea
from .district import peer_group_efficiency, unit_inputs_outputs

__all__ = ["DEADataError", "DEASizeWarning", "dea", "peer_group_efficiency", "unit_inputs_outputs"]
