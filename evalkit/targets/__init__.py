"""Targets (效能目标): proposing next year's per-unit targets from this year's results, and the
agreed targets that set a year's per-unit leaf targets in scoring (docs/targets.md).

* :mod:`evalkit.targets.parameters` — the proposal's parameters (share, reference,
  rounding) and ``targets.yaml``;
* :mod:`evalkit.targets.leaves` — which leaves take a unit's own target, the policy target
  and the indicator's range;
* :mod:`evalkit.targets.propose` — the proposal rules (gap-closing, own level, policy floor,
  range cap);
* :mod:`evalkit.targets.agreed` — the agreed file ``DATA/targets/<year>.xlsx``: schema,
  checks, loading;
* :mod:`evalkit.targets.workbook` — the editable workbook ``evalkit targets`` writes.
"""
