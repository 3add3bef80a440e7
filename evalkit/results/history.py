"""The ``history`` table of the results: every unit's score, rank and grade in each year up to
the evaluation year that the data cover, scored with the same configuration."""

from __future__ import annotations

import pandas as pd

__all__ = ["HISTORY_COLUMNS", "history_table"]

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
