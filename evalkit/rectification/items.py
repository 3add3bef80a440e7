"""Rectification items: made from a year's results, changed all or nothing, selected.

Every function takes and returns DataFrames with the columns of the data contract's
``rectification_items`` (:data:`ITEM_COLUMNS`) and ``rectification_notes``
(:data:`NOTE_COLUMNS`) tables; nothing here reads or writes a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data.contract import RECTIFICATION_STATUSES, TABLES
from ..errors import Problem
from ..results import analysis
from .status import NEEDS_NOTE, TRANSITIONS, UNIT_STATUSES, effective_status, transition_problem

ITEMS_TABLE = "rectification_items"
NOTES_TABLE = "rectification_notes"
ITEM_COLUMNS: tuple[str, ...] = TABLES[ITEMS_TABLE].column_names
NOTE_COLUMNS: tuple[str, ...] = TABLES[NOTES_TABLE].column_names

#: The number of priorities per unit that become items: the report's key priorities
#: (重点改进, the summary's list), which are the first of its improvement suggestions.
PRIORITIES_PER_UNIT = analysis.TOP_N

#: What ``via`` records for the notes :func:`add_items` writes.
VIA_CREATE = "evalkit rectify create"


def empty_items() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ITEM_COLUMNS})


def empty_notes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in NOTE_COLUMNS})


def _missing(value: Any) -> bool:
    return analysis.is_missing(value)


def _text(value: Any) -> str | None:
    if _missing(value):
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any) -> dt.date | None:
    if _missing(value):
        return None
    return pd.Timestamp(value).date()


# ----------------------------------------------------------------------------------------
# Creation
# ----------------------------------------------------------------------------------------

def priorities(results: Any, n: int = PRIORITIES_PER_UNIT,
               findings: Callable[[Any, str, int], list[str]] | None = None) -> pd.DataFrame:
    """Every unit's improvement priorities in ``results``, as its report lists them: the
    first ``n`` rows of :func:`evalkit.results.analysis.suggestions` (a 一票否决 / 一票否优
    decision's cause first, then the largest recoverable losses).

    ``findings(results, unit, n)`` gives the printed text of each priority, in the same
    order (the report's wording, :func:`evalkit.report.present.improvement_suggestions`);
    without it the finding names the indicator and its value.

    Returns
    -------
    DataFrame
        ``unit_id, indicator, indicator_name, finding, baseline_value, goal_value,
        value_unit, direction`` — ``indicator`` empty for a decision's cause; units in the
        order of ``results.units``.
    """
    rows = []
    for unit in results.units["unit_id"].astype(str):
        table = analysis.suggestions(results, unit, n)
        texts = findings(results, unit, n) if findings is not None else None
        for i, r in enumerate(table.itertuples(index=False)):
            decision = r.action in ("veto", "bar_top")
            if texts is not None and i < len(texts):
                finding = texts[i]
            elif decision:
                finding = str(r.reason or r.action)
            else:
                finding = f"{r.name_zh}: {r.raw_value}"
            direction = None if decision or _missing(r.direction) else int(np.sign(float(r.direction)) or 1)
            rows.append({"unit_id": unit, "indicator": None if decision else str(r.code),
                         "indicator_name": None if decision else str(r.name_zh), "finding": finding,
                         "baseline_value": None if decision or _missing(r.raw_value) else float(r.raw_value),
                         "goal_value": None if decision or _missing(r.goal) else float(r.goal),
                         "value_unit": None if decision else _text(r.value_unit),
                         "direction": direction})
    cols = ["unit_id", "indicator", "indicator_name", "finding", "baseline_value", "goal_value", "value_unit",
            "direction"]
    return pd.DataFrame(rows, columns=cols)


def _natural_key(unit: Any, indicator: Any, finding: Any) -> tuple[str, str]:
    """What makes a priority the same priority again: the unit and the indicator (for a
    decision's cause, which has none: the finding's text)."""
    return (str(unit), str(indicator) if not _missing(indicator) else "decision:" + str(finding))


def item_id(year: int, unit: str, number: int) -> str:
    """``2023-D01-01``: the report's year, the unit and the item's number within it."""
    return f"{year}-{unit}-{number:02d}"


def add_items(items: pd.DataFrame, notes: pd.DataFrame, candidates: pd.DataFrame, *, year: int,
              created: dt.date, due: dt.date, by: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The year's items and notes with an item for each of ``candidates``
    (:func:`priorities`) not already among ``items`` (same unit and indicator, whatever its
    status): running it again adds nothing. New items are ``open``, due ``due``, numbered
    after the unit's existing items; each gets a first note.

    Returns
    -------
    (items, notes, added)
        ``added``: the new items only.
    """
    if due < created:
        raise ValueError(f"the due date {due} is before the creation date {created}")
    items = items if not items.empty else empty_items()
    notes = notes if not notes.empty else empty_notes()
    have = {_natural_key(r.unit_id, r.indicator, r.finding) for r in items.itertuples(index=False)}
    numbers: dict[str, int] = {}
    for iid, unit in zip(items["item_id"].astype(str), items["unit_id"].astype(str)):
        tail = iid.rsplit("-", 1)[-1]
        if tail.isdigit():
            numbers[unit] = max(numbers.get(unit, 0), int(tail))
    new_items, new_notes = [], []
    for r in candidates.itertuples(index=False):
        key = _natural_key(r.unit_id, r.indicator, r.finding)
        if key in have:
            continue
        have.add(key)
        numbers[r.unit_id] = numbers.get(r.unit_id, 0) + 1
        iid = item_id(year, r.unit_id, numbers[r.unit_id])
        new_items.append({"item_id": iid, "unit_id": r.unit_id, "indicator": r.indicator,
                          "indicator_name": r.indicator_name, "finding": r.finding, "action": None, "owner": None,
                          "due_date": pd.Timestamp(due), "status": "open", "status_date": pd.Timestamp(created),
                          "cancel_reason": None, "baseline_value": r.baseline_value, "goal_value": r.goal_value,
                          "value_unit": r.value_unit, "direction": r.direction,
                          "created_date": pd.Timestamp(created)})
        new_notes.append({"item_id": iid, "note_no": 1, "note_date": pd.Timestamp(created), "status_from": None,
                          "status_to": "open", "text": f"由{year}年度效能评估报告的改进重点生成",
                          "recorded_by": by, "via": VIA_CREATE})
    added = pd.DataFrame(new_items, columns=list(ITEM_COLUMNS))
    out_items = _concat(items, added, ITEM_COLUMNS)
    out_notes = _concat(notes, pd.DataFrame(new_notes, columns=list(NOTE_COLUMNS)), NOTE_COLUMNS)
    return out_items, out_notes, added


def _concat(old: pd.DataFrame, new: pd.DataFrame, columns) -> pd.DataFrame:
    frames = [f[list(columns)] for f in (old, new) if not f.empty]
    if not frames:
        return old[list(columns)].reset_index(drop=True) if not old.empty else pd.DataFrame(columns=list(columns))
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    return out.astype({"direction": "Int64"}) if "direction" in out.columns else out.astype({"note_no": "Int64"})


# ----------------------------------------------------------------------------------------
# Changes
# ----------------------------------------------------------------------------------------

#: Columns of a change set (one row per item to change): ``row`` is where the change came
#: from (the workbook's row), the other columns None where not given. ``due_date`` and the
#: office-only statuses need ``office=True`` in :func:`apply_changes`.
CHANGE_COLUMNS = ("row", "item_id", "unit_id", "status", "action", "owner", "note", "note_date", "due_date")


@dataclass(frozen=True)
class ChangeSource:
    """Where a change set came from, to name it in problems and notes: ``display`` (the
    file, or ``--id``), the header of each field as the user sees it, and ``via`` (recorded
    on each note; ``{row}`` is filled in)."""

    display: str
    headers: Mapping[str, str]
    via: str
    office: bool = False


def apply_changes(items: pd.DataFrame, notes: pd.DataFrame, changes: pd.DataFrame, source: ChangeSource, *,
                  by: str, today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, int, list[Problem]]:
    """Apply ``changes`` (:data:`CHANGE_COLUMNS`) to ``items`` and ``notes`` — all or nothing.

    A row may change the status (by an allowed transition, :mod:`.status`; a unit's
    workbook only to ``in_progress`` or ``done``), the action, the owner and (the office
    only) the due date, and add a note; each row that changes anything adds one dated note
    (``note_date``, default ``today``: not before the item's last change, not after
    ``today``). A row that changes nothing is skipped.

    Returns
    -------
    (items, notes, changed, problems)
        ``changed``: the number of items changed. When ``problems`` holds an error, the
        returned ``items`` and ``notes`` are the inputs unchanged.
    """
    head = source.headers
    problems: list[Problem] = []

    def problem(row, field, expected, found) -> None:
        problems.append(Problem(source.display, None if _missing(row) else int(row), head.get(field, field),
                                expected, found))

    out = items.copy().reset_index(drop=True)
    by_id = {str(iid): i for i, iid in enumerate(out["item_id"].astype(str))}
    next_note = notes.groupby(notes["item_id"].astype(str))["note_no"].max().to_dict() if not notes.empty else {}
    new_notes: list[dict] = []
    seen: dict[str, Any] = {}
    said = {(str(n.item_id), _date(n.note_date), str(n.text).split("；")[0]) for n in notes.itertuples(index=False)
            if not _missing(n.text)}
    changed = 0
    for ch in changes.itertuples(index=False):
        row = ch.row
        iid = _text(ch.item_id)
        if iid is None:
            problem(row, "item_id", "the item's number (整改事项编号), as the workbook gave it", "an empty cell")
            continue
        if iid in seen:
            problem(row, "item_id", "each item once", f"'{iid}' again (first on row {seen[iid]})")
            continue
        seen[iid] = row
        if iid not in by_id:
            problem(row, "item_id", "an item of the rectification tracker", f"'{iid}', which is not there")
            continue
        i = by_id[iid]
        item = out.loc[i]
        unit = _text(ch.unit_id)
        if unit is not None and unit != str(item["unit_id"]):
            problem(row, "unit_id", f"{item['unit_id']}, the unit of item {iid}", f"'{unit}'")
            continue
        current = str(item["status"])
        new_status = _text(ch.status) or current
        note = _text(ch.note)
        if new_status != current and not source.office and new_status not in UNIT_STATUSES \
                and new_status in RECTIFICATION_STATUSES:
            problem(row, "status", "in_progress (整改中) or done (已完成待核验): verified, cancelled and overdue are "
                    "recorded by the evaluation office (`evalkit rectify update --id`)",
                    f"{RECTIFICATION_STATUSES.get(new_status, new_status)} ({new_status})")
            continue
        why = transition_problem(current, new_status, note=note)
        if why is not None:
            needs_note = new_status in NEEDS_NOTE and new_status in TRANSITIONS.get(current, ()) and not note
            problem(row, "note" if needs_note else "status", why,
                    "an empty cell" if needs_note else f"{RECTIFICATION_STATUSES.get(new_status, new_status)} "
                    f"({new_status}) for an item that is {current} ({RECTIFICATION_STATUSES.get(current, current)})")
            continue
        when = ch.note_date if not _missing(ch.note_date) else today
        when = _date(when)
        last = max(d for d in (_date(item["status_date"]), _date(item["created_date"])) if d is not None)
        if when < last:
            problem(row, "note_date", f"a date on or after {last}, the item's last change", str(when))
            continue
        if when > today:
            problem(row, "note_date", f"a date not after {today} (today)", str(when))
            continue
        due = _date(ch.due_date)
        old_due = _date(item["due_date"])
        if due is not None and due != old_due:
            if not source.office:
                problem(row, "due_date", f"{old_due}: the due date is set by the evaluation office "
                        "(`evalkit rectify update --id ID --due DATE`)", str(due))
                continue
            if due < _date(item["created_date"]):
                problem(row, "due_date", f"a date on or after {_date(item['created_date'])}, when the item was "
                        "created", str(due))
                continue
        action, owner = _text(ch.action), _text(ch.owner)
        parts = []
        if action is not None and action != _text(item["action"]):
            out.at[i, "action"] = action
            parts.append(f"整改措施：{action}")
        if owner is not None and owner != _text(item["owner"]):
            out.at[i, "owner"] = owner
            parts.append(f"责任人：{owner}")
        if due is not None and due != old_due:
            out.at[i, "due_date"] = pd.Timestamp(due)
            parts.append(f"整改期限由 {old_due} 调整为 {due}")
        moved = new_status != current
        if moved:
            out.at[i, "status"] = new_status
            out.at[i, "status_date"] = pd.Timestamp(when)
            if new_status == "cancelled":
                out.at[i, "cancel_reason"] = note
        if not (moved or parts) and (note is None or (iid, when, note) in said):
            continue  # nothing to record (a workbook applied twice records its notes once)
        changed += 1
        next_note[iid] = int(next_note.get(iid, 0)) + 1
        text = "；".join(([note] if note else []) + parts)
        new_notes.append({"item_id": iid, "note_no": next_note[iid], "note_date": pd.Timestamp(when),
                          "status_from": current if moved else None, "status_to": new_status if moved else None,
                          "text": text, "recorded_by": by,
                          "via": source.via.format(row="" if _missing(row) else int(row))})
    if problems:
        return items, notes, 0, problems
    out_notes = _concat(notes if not notes.empty else empty_notes(),
                        pd.DataFrame(new_notes, columns=list(NOTE_COLUMNS)), NOTE_COLUMNS)
    return out, out_notes, changed, []


# ----------------------------------------------------------------------------------------
# Selection
# ----------------------------------------------------------------------------------------

def select_items(items: pd.DataFrame, *, as_of: dt.date, unit: str | None = None,
                 status: str | None = None) -> pd.DataFrame:
    """``items`` with ``current_status`` (:func:`~.status.effective_status` at ``as_of``)
    and ``days_overdue`` (calendar days past the due date at ``as_of`` for an overdue
    item, else 0), restricted to ``unit`` and to ``status`` (compared with the current
    status), by item id."""
    out = items.copy()
    out["current_status"] = effective_status(out, as_of)
    late = (pd.Timestamp(as_of) - pd.to_datetime(out["due_date"])).dt.days if len(out) else pd.Series(dtype=int)
    out["days_overdue"] = np.where(out["current_status"] == "overdue", np.maximum(late, 0), 0).astype(int) \
        if len(out) else pd.Series(dtype=int)
    if unit is not None:
        out = out[out["unit_id"].astype(str) == unit]
    if status is not None:
        out = out[out["current_status"] == status]
    return out.sort_values("item_id", kind="stable").reset_index(drop=True)


def overdue_items(items: pd.DataFrame, *, as_of: dt.date, unit: str | None = None) -> pd.DataFrame:
    """The items overdue at ``as_of`` (:func:`select_items`), longest overdue first."""
    out = select_items(items, as_of=as_of, unit=unit, status="overdue")
    return out.sort_values(["days_overdue", "item_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
