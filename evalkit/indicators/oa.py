"""Duty performance from office-automation records (岗位履职, ``oa_documents``).

Counting conventions (the same as every working-day time limit in evalkit, e.g.
``service_on_time_rate`` and ``disclosure_on_time_rate``, with the same working-day calendar
``evalkit.data.workdays.WorkCalendar``: statutory holidays, 调休 make-up days and the data's
``workdays.csv`` overrides):

* *Handling days* = working days in ``(received, closed]``: the day the document is
  received is day 0, times of day are ignored, and a document closed on the day it came in
  took 0 working days. A document received on a holiday starts counting from it all the
  same (the next working day is day 1).
* *On time*: closed with handling days ≤ ``limit_days``.
* *Due* (应办结): closed documents (whenever closed, including early next year) plus open
  ones whose limit ran out by 31 December — the ``limit_days``-th working day after receipt
  is on or before 31 December (working days in ``(received, 31 Dec]`` ≥ ``limit_days``).
* *Overdue backlog*: documents still open at the end of 31 December (``closed_at`` empty,
  or on a day after 31 December) whose limit ran out by then.
* The median of an even number of handling times is the mean of the two middle ones
  (e.g. 2 and 3 working days → 2.5).

Per unit: :func:`oa_on_time_rate`, :func:`oa_median_handling_days`,
:func:`oa_overdue_backlog` (the catalogue's indicators). Per unit **and post type**:
:func:`oa_by_post`, for the evaluation office only (``evalkit oa-posts``): never in the
results, the unit reports, the overview or their JSON. The OA records name no holder, so
the anonymity base of a post type is its number of documents; a post type with fewer than
:data:`~evalkit.qualitative.rubric.ANONYMITY_FLOOR` documents in a unit is suppressed. A
post type held by one person (a unit's 主要领导) gives that person's figures however many
documents it has — which is why the per-post table is office-only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.contract import OA_POST_TYPES
from ..data.workdays import calendar_for_dates
from ..qualitative.rubric import ANONYMITY_FLOOR
from ._common import last_day, memo
from .base import count_by_unit, rate_frame, value_frame

T = "oa_documents"

#: Columns of :func:`oa_by_post`.
POST_COLUMNS = ["unit_id", "year", "post_type", "post_type_zh", "n_documents", "n_due", "n_closed",
                "oa_on_time_rate", "oa_median_handling_days", "oa_overdue_backlog", "suppressed"]

#: Columns of :func:`oa_unit_table` (the results' ``oa`` table).
UNIT_COLUMNS = ["unit_id", "n_documents", "n_due", "oa_on_time_rate", "n_closed",
                "oa_median_handling_days", "oa_overdue_backlog"]


def document_days(dataset, year: int) -> pd.DataFrame:
    """Per document of ``year`` (in table order): ``unit_id``, ``closed``, ``handling_days``
    (working days received → closed, NaN while open), ``due``, ``on_time``, ``overdue_open``
    — the conventions of the module docstring. Computed once per ``compute_indicators``
    call."""
    def compute() -> pd.DataFrame:
        d = dataset.table(T, year)
        columns = ["unit_id", "closed", "handling_days", "due", "on_time", "overdue_open"]
        if d.empty:
            return pd.DataFrame({c: pd.Series(dtype=object if c == "unit_id" else "float64" if c == "handling_days"
                                              else bool) for c in columns})
        end = last_day(year)
        received = pd.to_datetime(d["received_at"])
        closed_at = pd.to_datetime(d["closed_at"])
        cal = calendar_for_dates(received, closed_at, [end],
                                 overrides=getattr(dataset, "workday_overrides", None))
        limit = d["limit_days"].astype("float64").to_numpy()
        closed = closed_at.notna().to_numpy()
        used = cal.working_days_between(received, closed_at)
        elapsed = cal.working_days_between(received, pd.Series(end, index=d.index))
        expired = elapsed >= limit  # the limit-th working day after receipt is on or before 31 Dec
        open_at_end = ~closed | (closed_at.dt.normalize() > end).to_numpy()
        return pd.DataFrame({
            "unit_id": d["unit_id"].astype(str).to_numpy(),
            "closed": closed,
            "handling_days": used,
            "due": closed | expired,
            "on_time": closed & (used <= limit),
            "overdue_open": open_at_end & expired,
        })
    return memo(dataset, ("oa_documents", year), compute)


def oa_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """公文按时办结率 — OA documents closed within their time limit.

    按时办结率 = 在办理时限内办结的文件数 / 应办结文件数 × 100%. On time: working days
    from receipt to closing (receipt day = day 0, times of day ignored) ≤ ``limit_days``.
    应办结 (due) = closed documents plus open ones whose limit ran out on or before 31
    December (those count as late). Open documents not yet due are left out. Unit: %.
    Direction: higher is better. Source: implementation opinion 七.3
    (运用办公自动化系统评估各部门具体岗位履职情况); 党政机关公文处理工作条例 (2012) 第二十四条
    (催办: 督促承办单位按期办结).
    """
    rows = document_days(dataset, year)
    units = dataset.units["unit_id"]
    return rate_frame(units, year, count_by_unit(rows, rows["on_time"].to_numpy()),
                      count_by_unit(rows, rows["due"].to_numpy()))


def oa_median_handling_days(dataset, year: int) -> pd.DataFrame:
    """公文办理用时中位数 — median working days from receipt to closing.

    办理用时 = working days from receipt to closing (receipt day = day 0, times of day
    ignored), over the year's closed documents (also those closed early next year); open
    documents are left out. The median of an even number is the mean of the two middle
    values. ``n`` = closed documents. Unit: working days. Direction: lower is better.
    Source: implementation opinion 七.3 (运用办公自动化系统评估各部门具体岗位履职情况).
    """
    rows = document_days(dataset, year)
    units = dataset.units["unit_id"]
    done = rows[rows["closed"].to_numpy()]
    median = done.groupby("unit_id", sort=False)["handling_days"].median()
    return value_frame(units, year, median, done.groupby("unit_id", sort=False).size().astype("float64"))


def oa_overdue_backlog(dataset, year: int) -> pd.DataFrame:
    """公文超期未办结数 — documents still open at year end past their time limit.

    超期积压 = documents not closed by the end of 31 December whose limit (``limit_days``
    working days after receipt) ran out on or before 31 December. A count: 0 for a unit
    with documents and no such backlog; ``n`` = the unit's documents. Unit: 件.
    Direction: lower is better. Source: implementation opinion 七.3; 党政机关公文处理工作条例
    (2012) 第二十四条 (催办).
    """
    rows = document_days(dataset, year)
    units = dataset.units["unit_id"]
    per_unit = rows.groupby("unit_id", sort=False)
    return value_frame(units, year, per_unit["overdue_open"].sum().astype("float64"),
                       per_unit.size().astype("float64"))


def oa_unit_table(dataset, year: int) -> pd.DataFrame:
    """The three OA indicators per unit with their counts (:data:`UNIT_COLUMNS`), for the
    results' ``oa`` table: units with OA documents in ``year`` only, no post type. Values
    are those of the catalogue's functions."""
    rate = oa_on_time_rate(dataset, year).set_index("unit_id")
    median = oa_median_handling_days(dataset, year).set_index("unit_id")
    backlog = oa_overdue_backlog(dataset, year).set_index("unit_id")
    out = pd.DataFrame({
        "unit_id": backlog.index.astype(str),
        "n_documents": backlog["n"].to_numpy(),
        "n_due": rate["n"].reindex(backlog.index).to_numpy(),
        "oa_on_time_rate": rate["value"].reindex(backlog.index).to_numpy(),
        "n_closed": median["n"].reindex(backlog.index).to_numpy(),
        "oa_median_handling_days": median["value"].reindex(backlog.index).to_numpy(),
        "oa_overdue_backlog": backlog["value"].to_numpy(),
    })
    out = out[out["n_documents"] > 0].reset_index(drop=True)
    out["oa_overdue_backlog"] = out["oa_overdue_backlog"].astype("int64")  # a count, given wherever there are documents
    return out[UNIT_COLUMNS]


def oa_by_post(dataset, year: int) -> pd.DataFrame:
    """The three OA indicators per unit **and post type** — for the evaluation office only.

    One row per unit and post type with documents in ``year`` (:data:`POST_COLUMNS`):
    ``n_documents`` (the anonymity base: the records name no holder), ``n_due``,
    ``n_closed``, ``oa_on_time_rate`` (%), ``oa_median_handling_days``,
    ``oa_overdue_backlog``, computed exactly as the per-unit indicators. A post type with
    fewer than :data:`~evalkit.qualitative.rubric.ANONYMITY_FLOOR` documents in its unit is
    suppressed: ``suppressed`` true, the three figures NaN and ``n_due``/``n_closed``
    empty (only ``n_documents`` is shown). Sorted by unit and by the contract's order of
    post types.

    Never part of the results, a unit report, the overview or their JSON: ``evalkit
    oa-posts`` writes it to a file of its own. A post type held by one person (a unit's
    主要领导) gives that person's figures however many documents it has.
    """
    rows = document_days(dataset, year)
    table = dataset.table(T, year)
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in POST_COLUMNS})
    if rows.empty:
        return empty
    rows = rows.assign(post_type=table["post_type"].astype(str).to_numpy())
    g = rows.groupby(["unit_id", "post_type"], sort=False)
    out = pd.DataFrame({"n_documents": g.size(), "n_due": g["due"].sum(), "n_on_time": g["on_time"].sum(),
                        "n_closed": g["closed"].sum(), "oa_overdue_backlog": g["overdue_open"].sum()})
    closed = rows[rows["closed"].to_numpy()]
    out["oa_median_handling_days"] = closed.groupby(["unit_id", "post_type"], sort=False)["handling_days"].median()
    out = out.reset_index()
    due = out["n_due"].to_numpy(dtype="float64")
    out["oa_on_time_rate"] = np.where(due > 0, 100.0 * out["n_on_time"] / np.where(due > 0, due, 1.0), np.nan)
    small = (out["n_documents"] < ANONYMITY_FLOOR).to_numpy()
    for c in ("oa_on_time_rate", "oa_median_handling_days", "oa_overdue_backlog"):
        out[c] = out[c].astype("float64").where(~small)
    for c in ("n_due", "n_closed"):
        out[c] = pd.array(np.where(small, 0, out[c].to_numpy()), dtype="Int64")
        out.loc[small, c] = pd.NA
    out["n_documents"] = out["n_documents"].astype("int64")
    out["suppressed"] = small
    out["year"] = year
    out["post_type_zh"] = out["post_type"].map(OA_POST_TYPES)
    order = {code: i for i, code in enumerate(OA_POST_TYPES)}
    out = out.assign(_order=out["post_type"].map(order)).sort_values(["unit_id", "_order"], kind="stable")
    return out.reset_index(drop=True)[POST_COLUMNS]
