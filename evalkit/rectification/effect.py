"""The effect check (整改成效): each item's indicator in the next year against its baseline.

A year after the report, each item's indicator is read from that year's results and
compared with the value recorded when the item was created, in the indicator's direction
of improvement (as recorded with the item). What this shows is an *observed* change: the
indicator moved while the item was followed up. It does not show that the rectification
caused the change — other things change in a year too (the CAPA "effectiveness check"
against a baseline, read with that caution).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ..results.analysis import is_missing
from .status import effective_status

#: A change smaller than this, in the indicator's own unit, is no change: values are printed
#: to one decimal (95.3 %, 86.5 分), so a smaller change is not one a reader can see.
EFFECT_TOLERANCE = 0.05

#: The outcomes of the check, in the order a report lists them.
EFFECTS = ("improved", "unchanged", "worse", "no_baseline", "no_value", "no_indicator")

_COLUMNS = ["item_id", "unit_id", "indicator", "indicator_name", "finding", "action", "owner", "due_date",
            "status", "baseline_value", "current_value", "change", "value_unit", "direction", "effect"]


def effect_check(items: pd.DataFrame, nodes: pd.DataFrame, *, as_of: dt.date | str,
                 tolerance: float = EFFECT_TOLERANCE) -> pd.DataFrame:
    """Compare each item's indicator in ``nodes`` (the next year's results, one row per unit
    and framework node: ``unit_id, code, raw_value, status``, as
    :attr:`evalkit.results.store.Results.nodes`) with the item's ``baseline_value``.

    ``effect`` is

    * ``improved`` / ``worse`` — the value moved by more than ``tolerance`` in / against the
      item's ``direction`` (+1: higher is better);
    * ``unchanged`` — it moved by ``tolerance`` or less;
    * ``no_baseline`` — the indicator had no value in the report's year (it was not
      reported): there is nothing to compare with;
    * ``no_value`` — the indicator has no value this year (not reported, not applicable,
      or no longer in the framework);
    * ``no_indicator`` — the item is about a decision's cause, not an indicator.

    ``status`` is the item's status at ``as_of`` (overdue judged from the due date).

    Returns
    -------
    DataFrame
        ``item_id, unit_id, indicator, indicator_name, finding, action, owner, due_date,
        status, baseline_value, current_value, change, value_unit, direction, effect``
        (``change`` = current − baseline, in the indicator's unit), by item id.
    """
    if items.empty:
        return pd.DataFrame(columns=_COLUMNS)
    have = nodes[nodes["status"].astype(str) == "data"]
    value = pd.to_numeric(have["raw_value"], errors="coerce")
    current = dict(zip(zip(have["unit_id"].astype(str), have["code"].astype(str)), value))
    rows = []
    status = effective_status(items, as_of)
    for (_, r), now in zip(items.iterrows(), status):
        base = None if is_missing(r["baseline_value"]) else float(r["baseline_value"])
        indicator = None if is_missing(r["indicator"]) else str(r["indicator"])
        cur: Any = current.get((str(r["unit_id"]), indicator)) if indicator else None
        cur = None if cur is None or is_missing(cur) else float(cur)
        change = None if base is None or cur is None else cur - base
        direction = 1 if is_missing(r["direction"]) else int(np.sign(float(r["direction"])) or 1)
        if indicator is None:
            effect = "no_indicator"
        elif cur is None:
            effect = "no_value"
        elif base is None:
            effect = "no_baseline"
        elif abs(change) <= tolerance:
            effect = "unchanged"
        else:
            effect = "improved" if change * direction > 0 else "worse"
        rows.append({"item_id": r["item_id"], "unit_id": str(r["unit_id"]), "indicator": indicator,
                     "indicator_name": r["indicator_name"], "finding": r["finding"], "action": r["action"],
                     "owner": r["owner"], "due_date": r["due_date"], "status": now, "baseline_value": base,
                     "current_value": cur, "change": change, "value_unit": r["value_unit"],
                     "direction": direction, "effect": effect})
    out = pd.DataFrame(rows, columns=_COLUMNS)
    for c in ("baseline_value", "current_value", "change"):
        out[c] = out[c].astype("float64")
    return out.sort_values("item_id", kind="stable").reset_index(drop=True)


def effect_counts(effects: pd.DataFrame) -> dict[str, int]:
    """How many items of :func:`effect_check` have each effect (every effect listed)."""
    counts = effects["effect"].value_counts() if len(effects) else pd.Series(dtype=int)
    return {e: int(counts.get(e, 0)) for e in EFFECTS}
