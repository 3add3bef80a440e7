"""Comparable years (可比口径) next to the results as published (发布口径).

When the framework changes between years (a leaf's points, target or rule, a node added
or removed), last year's published score and this year's do not measure the same thing.
So every evaluation recomputes the earlier years that the data cover under the *current*
framework and configuration — the ``history`` and ``node_history`` tables of
:func:`evalkit.results.compute.compute_results`, the **comparable** series — and every
year-over-year figure of the reports (change of score and rank, trend, change by area,
movers) is taken from it. The results *as published* in an earlier year (what its run
wrote into ``OUT/<year>/results/``, under the framework of that time, recorded with its
version and SHA-256 in ``meta.json``) are kept beside them, for the annex: the table
``published_history`` (:func:`published_history`), read from the earlier years' result
folders (:func:`read_published`, which ``evalkit run`` calls for the years before the
evaluation year in its ``--out`` folder).

``meta["comparable"]`` (:func:`comparable_meta`) says which series is which: the basis
(the evaluation year, the framework version and SHA-256 every year was recomputed under)
and, for each earlier year with published results, the framework it was published under
and whether that is the current one (``same_framework``).

The two series may differ for two reasons: the framework changed (the reason this module
exists), or the data of an earlier year were corrected after publication (a restatement,
``evalkit db restate``). Both are differences between "as published" and "comparable",
and the comparable series is the one on the current basis.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .store import Results, load_results

__all__ = ["PUBLISHED_COLUMNS", "changed_frameworks", "comparable_meta", "published_history", "read_published",
           "unit_published"]

#: Columns of the ``published_history`` table.
PUBLISHED_COLUMNS = ["unit_id", "year", "score_100", "rank", "n_in_group", "grade", "framework_version",
                     "framework_hash"]


def read_published(out_dir: str | Path, years=None, period=None) -> dict[int, Results]:
    """The published results of ``years`` (default: every year folder, ``OUT_DIR/2023/`` …)
    found in ``out_dir/<year>/results/`` (what ``evalkit run --out OUT_DIR`` wrote for each
    year), by year; a year without such a folder is left out. A folder that cannot be read
    as results (a partial or foreign folder) is left out too: it is not a publication.

    ``period`` (an in-year :class:`~evalkit.periods.Period`): the same period of earlier
    years instead, from ``out_dir/<period key>/results/`` (``2023Q3/`` for ``2024Q3``), so
    that a period's scores are set beside published scores of the same period, never beside
    a whole year's."""
    from ..periods import Period

    in_year = isinstance(period, Period) and not (period.kind == "year")

    def folder_name(year: int) -> str:
        return period.same_period(year).key if in_year else str(year)

    found: dict[int, Results] = {}
    root = Path(out_dir)
    if years is None:
        years = [int(p.name[:4]) for p in root.iterdir()
                 if p.is_dir() and re.fullmatch(r"\d{4}", p.name[:4]) and p.name == folder_name(int(p.name[:4]))] \
            if root.is_dir() else []
    for year in sorted({int(y) for y in years}):
        folder = root / folder_name(year) / "results"
        if not (folder / "units.parquet").is_file() or not (folder / "meta.json").is_file():
            continue
        try:
            results = load_results(folder)
        except (OSError, ValueError, KeyError):
            continue
        if int(results.meta.get("year", -1)) != year:
            continue
        if str(results.meta.get("period") or year) != folder_name(year):
            continue  # a folder of another period
        found[year] = results
    return found


def published_history(published: Mapping[int, Results]) -> pd.DataFrame:
    """Every unit's score, rank and grade as published in each year of ``published``, with
    the framework version and SHA-256 it was published under. Columns :data:`PUBLISHED_COLUMNS`."""
    frames = []
    for year, results in sorted(published.items()):
        u = results.units
        frame = pd.DataFrame({
            "unit_id": u["unit_id"].astype(str).to_numpy(), "year": int(year),
            "score_100": u["score_100"].astype("float64").to_numpy(),
            "rank": u["rank"].astype("Int64").array if "rank" in u.columns else pd.array([pd.NA] * len(u), "Int64"),
            "n_in_group": u["n_in_group"].astype("Int64").array if "n_in_group" in u.columns
            else pd.array([pd.NA] * len(u), "Int64"),
            "grade": u["grade"].astype(object).to_numpy() if "grade" in u.columns else None,
            "framework_version": str(results.meta.get("framework_version", "")),
            "framework_hash": str(results.meta.get("framework_hash", "")),
        })
        frames.append(frame)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c in ("rank", "n_in_group") else
                                          "int64" if c == "year" else "float64" if c == "score_100" else object)
                             for c in PUBLISHED_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["unit_id", "year"], kind="stable").reset_index(drop=True)[PUBLISHED_COLUMNS]


def comparable_meta(year: int, framework, published: Mapping[int, Results]) -> dict:
    """``meta["comparable"]``: ``{"year", "framework_version", "framework_hash"}`` of the
    basis every year was recomputed under, and ``"published"``: per earlier year (as text)
    the ``framework_version``, ``framework_hash`` it was published under and
    ``same_framework`` (its hash is the current one's)."""
    return {"year": int(year), "framework_version": framework.version, "framework_hash": framework.sha256,
            "published": {str(y): {"framework_version": str(r.meta.get("framework_version", "")),
                                   "framework_hash": str(r.meta.get("framework_hash", "")),
                                   "same_framework": str(r.meta.get("framework_hash", "")) == framework.sha256}
                          for y, r in sorted(published.items())}}


def changed_frameworks(results) -> list[tuple[int, str]]:
    """The earlier years of ``results`` whose published results were computed under another
    framework than the current one (by SHA-256), with the version they were published under:
    ``[(2023, "2023.1")]``; empty when every published year used the current framework or
    none was found."""
    published = ((results.meta or {}).get("comparable") or {}).get("published") or {}
    return [(int(y), str(p.get("framework_version", ""))) for y, p in sorted(published.items())
            if not p.get("same_framework", True)]


def unit_published(results, unit: str) -> pd.DataFrame:
    """The unit's scores as published in the earlier years (``published_history``):
    ``year, score_100, rank, n_in_group, framework_version``, oldest first; empty when
    none was found."""
    cols = ["year", "score_100", "rank", "n_in_group", "framework_version"]
    table = results.table("published_history") if hasattr(results, "table") else None
    if table is None or table.empty:
        return pd.DataFrame(columns=cols)
    rows = table[table["unit_id"].astype(str) == str(unit)].sort_values("year")
    return rows[cols].reset_index(drop=True)
