"""The ``history`` table of the results: every unit's score, rank and grade in each year up to
the evaluation year that the data cover, scored with the same configuration."""

from __future__ import annotations

import pandas as pd

__all__ = ["HISTORY_COLUMNS", "NODE_HISTORY_COLUMNS", "history_table", "node_history_table"]

#: Columns of the ``history`` table of :class:`Results`.
HISTORY_COLUMNS = ["unit_id", "year", "total_score", "max_score", "score_100", "rank", "n_in_group",
                   "grade"]


def history_table(scored: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """Stack the scored years into the ``history`` table (one row per unit and year)."""
    frames = [frame.assign(year=y)[HISTORY_COLUMNS] for y, frame in sorted(scored.items())]
    hist = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=HISTORY_COLUMNS)
    for col in ("rank", "n_in_group"):
        hist[col] = hist[col].astype("Int64")
    hist["year"] = hist["year"].astype("int64")
    return hist.sort_values(["unit_id", "year"], kind="stable").reset_index(drop=True)


#: Columns of the ``node_history`` table of :class:`Results`.
NODE_HISTORY_COLUMNS = ["unit_id", "year", "code", "points", "score", "raw_value", "n", "status"]


def node_history_table(nodes: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """Stack the node tables of the scored years (:meth:`ScoringModel.tree_tables
    <evalkit.scoring.model.ScoringModel.tree_tables>`) into the ``node_history`` table: every
    unit's score of every framework node in each year, scored with the same framework, so
    that areas and indicators compare year over year on one basis."""
    frames = [frame.assign(year=y)[NODE_HISTORY_COLUMNS] for y, frame in sorted(nodes.items())]
    if not frames:
        return pd.DataFrame(columns=NODE_HISTORY_COLUMNS)
    hist = pd.concat(frames, ignore_index=True)
    hist["year"] = hist["year"].astype("int64")
    return hist.reset_index(drop=True)
