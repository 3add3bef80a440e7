"""What later changes to the store did to a year's results (``evalkit db restate``)."""

from __future__ import annotations

import pandas as pd

from ..configuration import load_configuration
from ..results.compute import score_year
from .source import store_source

#: Columns of :func:`restate`.
RESTATE_COLUMNS = ["unit_id", "name_zh", "peer_group", "score_before", "score_after", "rank_before",
                   "rank_after", "grade_before", "grade_after", "changed"]


def scores_at(url: str, year: int, as_of: str | int | None, framework=None) -> tuple[pd.DataFrame, dict]:
    """Unit scores, ranks and grades of ``year`` from the store at ``as_of`` (None = now): the
    published run of the one scorer (:func:`evalkit.results.compute.score_year`) on that
    year and the one before (which year-on-year indicators read), nothing else."""
    years = [year - 1, year]
    with store_source(url, None if as_of is None else str(as_of), years=years) as src:
        config = load_configuration(src.data_dir, framework)
        ds = src.dataset
        scored = score_year(ds, config.framework, ds.evaluation_year(year), parameters=config.indicators)
        return scored, src.entry


def restate(url: str, year: int, since: str | int, framework=None) -> tuple[pd.DataFrame, dict, dict]:
    """Per unit, score (0–100), rank and grade of ``year`` as of ``since`` and now; ``changed``
    is True where any of them moved. Returns (table, entry before, entry now)."""
    before, entry_before = scores_at(url, year, since, framework)
    after, entry_after = scores_at(url, year, None, framework)
    cols = ["unit_id", "name_zh", "peer_group", "score_100", "rank", "grade"]
    b = before[cols].set_index("unit_id")
    a = after[cols].set_index("unit_id")
    table = a[["name_zh", "peer_group"]].copy()
    table["score_before"] = b["score_100"].reindex(a.index)
    table["score_after"] = a["score_100"]
    table["rank_before"] = b["rank"].reindex(a.index).astype("Int64")
    table["rank_after"] = a["rank"].astype("Int64")
    table["grade_before"] = b["grade"].reindex(a.index)
    table["grade_after"] = a["grade"]
    from ..scoring.kernels import PUBLISHED_DECIMALS

    moved = (table["score_before"].round(PUBLISHED_DECIMALS) != table["score_after"].round(PUBLISHED_DECIMALS)) \
        | (table["rank_before"] != table["rank_after"]).fillna(True) \
        | (table["grade_before"].astype(str) != table["grade_after"].astype(str))
    table["changed"] = moved.astype(bool)
    table = table.reset_index()[RESTATE_COLUMNS]
    return table, entry_before, entry_after
