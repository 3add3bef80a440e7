"""DEA of a peer group of the district from its own records (街镇 input–output efficiency).

Inputs and outputs are built from the contract tables of one year:

* inputs: ``staff`` (在编人数, from ``staffing``) and ``spending`` (全年支出 in yuan,
  from ``budget_lines``);
* outputs: ``service_cases`` (completed 政务服务办件), ``hotline_tickets`` (closed 12345
  tickets) and ``grid_cases`` (closed grid cases).

With 13 sub-districts keep inputs + outputs ≤ 4–5 (domain brief §2), hence the defaults:
two inputs and two outputs. Units missing an input, or with no positive output, are
left out and listed in the ``excluded`` attribute of the result.
"""

from __future__ import annotations

import pandas as pd

from ..errors import EvalkitError
from .dea import dea

INPUTS = ("staff", "spending")
OUTPUTS = ("service_cases", "hotline_tickets", "grid_cases")


def unit_inputs_outputs(dataset, year: int) -> pd.DataFrame:
    """One row per unit: every available input and output measure of ``year``."""
    units = dataset.units.set_index("unit_id")
    out = pd.DataFrame(index=units.index.astype(str))
    staffing = dataset.table("staffing", year).set_index("unit_id")
    out["staff"] = staffing["staff_in_post"].astype("float64").reindex(out.index)
    out["spending"] = dataset.table("budget_lines", year).groupby("unit_id", observed=True)["spending_yuan"] \
        .sum().reindex(out.index)
    for name, done in (("service_cases", "completed_date"), ("hotline_tickets", "closed_at"),
                       ("grid_cases", "closed_date")):
        t = dataset.table(name, year)
        counts = t[t[done].notna()].groupby("unit_id", observed=True).size()
        counts.index = counts.index.astype(str)
        out[name] = counts.reindex(out.index).fillna(0.0).astype("float64")
    out.insert(0, "peer_group", units["peer_group"].reindex(out.index))
    return out


def peer_group_efficiency(dataset, year: int, peer_group: str = "subdistrict",
                          inputs: tuple[str, ...] = INPUTS, outputs: tuple[str, ...] = ("service_cases", "hotline_tickets"),
                          returns: str = "vrs") -> pd.DataFrame:
    """Input-oriented DEA of the units of ``peer_group`` in ``year``.

    Returns the :func:`evalkit.frontier.dea` table (efficiency, efficient, peers and
    peer_ids, slacks, targets) indexed by unit id; ``result.attrs["excluded"]`` lists units left out for missing data.
    """
    table = unit_inputs_outputs(dataset, year)
    unknown = [c for c in (*inputs, *outputs) if c not in table.columns or c == "peer_group"]
    if unknown:
        raise EvalkitError(f"unknown DEA measure(s) {', '.join(unknown)}; available: "
                           f"{', '.join(c for c in table.columns if c != 'peer_group')}")
    group = table[table["peer_group"] == peer_group]
    usable = group[list(inputs)].gt(0).all(axis=1) & group[list(outputs)].gt(0).any(axis=1) \
        & group[list(inputs) + list(outputs)].notna().all(axis=1)
    excluded = sorted(group.index[~usable])
    group = group[usable]
    if len(group) < 2:
        raise EvalkitError(f"DEA needs at least two {peer_group} units with data in {year}; found {len(group)}")
    result = dea(group[list(inputs)], group[list(outputs)], returns=returns)
    result.attrs["excluded"] = excluded
    return result
