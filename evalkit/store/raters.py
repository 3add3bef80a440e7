"""The evaluator database (效能评估人员数据库) as the office sees it: ``evalkit db raters``.

One row per rater from the store's ``raters`` table (id, name, group, organisation,
qualification, term), with the declared conflicts of interest (own unit and others, from
``rater_conflicts``) and — for a year — the units the rater is assigned to and how many
ratings they gave. Names are for the evaluation office only: results, reports, JSON and the
portal never show rater-level data (the qualitative pipeline reads the same tables and
publishes only aggregates above the anonymity floor).
"""

from __future__ import annotations

import pandas as pd

from .store import Store

REGISTRY_COLUMNS = ["rater_id", "name", "rater_group", "organisation", "qualification", "term_start",
                    "term_end", "own_unit_id", "conflicts", "assigned_units", "ratings"]


def _joined(frame: pd.DataFrame, column: str) -> pd.Series:
    if frame.empty:
        return pd.Series(dtype=object)
    return frame.groupby("rater_id")[column].agg(lambda s: ", ".join(sorted(s.dropna().astype(str))))


def rater_registry(store: Store, snapshot: int, year: int | None = None) -> pd.DataFrame:
    raters = store.rows("raters", snapshot)
    out = raters.reindex(columns=[c for c in REGISTRY_COLUMNS if c in raters.columns]).copy()
    for col in ("term_start", "term_end"):
        if col in out:
            out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
    ids = out["rater_id"].astype(str)
    conflicts = store.rows("rater_conflicts", snapshot)
    declared = _joined(conflicts, "unit_id")
    out["conflicts"] = [", ".join(x for x in [f"{o} (own unit)" if isinstance(o, str) and o else "",
                                              declared.get(r, "")] if x)
                        for r, o in zip(ids, out["own_unit_id"])]
    if year is not None:
        assigned = store.rows("rater_assignments", snapshot, year)
        out["assigned_units"] = ids.map(_joined(assigned, "unit_id")).fillna("")
        ratings = store.rows("ratings", snapshot, year)
        counts = ratings.groupby(ratings["rater_id"].astype(str)).size() if not ratings.empty else pd.Series(dtype=int)
        out["ratings"] = ids.map(counts).fillna(0).astype(int)
    else:
        out = out.drop(columns=[c for c in ("assigned_units", "ratings") if c in out])
    return out.sort_values("rater_id", kind="stable").reset_index(drop=True)
