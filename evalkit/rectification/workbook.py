"""The rectification workbook a unit is given and returns (整改事项反馈表).

``evalkit rectify list --unit U --out FILE.xlsx`` writes one sheet ``整改事项 Items`` (read
first) with one row per item — what the report found, the baseline and goal, the due date —
and the columns the unit fills in (status, action, owner, a progress note and its date),
then a sheet ``说明 Instructions``. ``evalkit rectify update --from FILE.xlsx`` reads it back
with the data reader (size limits, row numbers as the sheet shows them) and turns each row
into a change for :func:`evalkit.rectification.items.apply_changes`. Only the editable
columns are read, and ``unit_id`` and ``due_date`` are checked against the tracker (a row
pasted from another unit's workbook, a due date changed by the unit); the other columns
are for reading only.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..data.contract import RECTIFICATION_STATUSES, TABLES
from ..data.files import atomic_path
from ..errors import EvalkitError, Problem
from ..results.analysis import is_missing
from .items import CHANGE_COLUMNS, ChangeSource
from .status import UNIT_STATUSES

SHEET_ITEMS = "整改事项 Items"
SHEET_GUIDE = "说明 Instructions"

#: Longest text accepted in an editable cell (an action, an owner, a note).
MAX_TEXT = 2000

_ITEMS = TABLES["rectification_items"]

#: The workbook's columns: field → (header, editable). Item fields are headed by their
#: contract label and name; a header may also be written as either alone.
COLUMNS: dict[str, tuple[str, bool]] = {
    "item_id": (f"{_ITEMS.column('item_id').label_zh} item_id", False),
    "unit_id": (f"{_ITEMS.column('unit_id').label_zh} unit_id", False),
    "indicator_name": (f"{_ITEMS.column('indicator_name').label_zh} indicator", False),
    "finding": (f"{_ITEMS.column('finding').label_zh} finding", False),
    "baseline": ("基线值 baseline", False),
    "goal": ("目标值 goal", False),
    "due_date": (f"{_ITEMS.column('due_date').label_zh} due_date", False),
    "status": (f"{_ITEMS.column('status').label_zh} status", True),
    "action": (f"{_ITEMS.column('action').label_zh} action", True),
    "owner": (f"{_ITEMS.column('owner').label_zh} owner", True),
    "note": ("进展说明 note", True),
    "note_date": ("说明日期 note_date", True),
}

GUIDE_ZH = (
    "请逐项填写黄色列：整改状态（整改中 / 已完成待核验）、整改措施、责任人，以及本次进展说明和日期（不填日期即为录入当天）。",
    "白色列为效能办记录的问题、基线值、目标值和整改期限，仅供阅读，修改不会生效；整改期限由效能办调整。",
    "已核验销号、已撤销和逾期由效能办确认，单位不填。逾期按整改期限判定。",
    "请勿增删行或修改整改事项编号和单位编码；填好后将本表交回效能办。",
)
GUIDE_EN = (
    "Fill in the yellow columns for each item: status (in_progress 整改中 / done 已完成待核验), the action, the "
    "owner, and a progress note with its date (blank: the day it is recorded).",
    "The white columns — what the report found, the baseline, the goal, the due date — are the office's record, "
    "for reading; changes there are not taken. The office changes due dates.",
    "Verified, cancelled and overdue are recorded by the evaluation office, not by the unit; overdue follows from "
    "the due date.",
    "Do not add or delete rows or change the item and unit ids; return the workbook to the evaluation office.",
)


def status_text(code: str) -> str:
    """A status as the workbook writes it: ``整改中 in_progress``."""
    return f"{RECTIFICATION_STATUSES[code]} {code}"


def parse_status(text: str) -> str | None:
    """The status code of ``text`` (the code, the Chinese label, or both as the workbook
    writes them), or None."""
    t = re.sub(r"[\s()（）]+", " ", str(text)).strip().lower()
    for code, zh in RECTIFICATION_STATUSES.items():
        if t in (code, zh.lower(), f"{zh} {code}".lower(), f"{code} {zh}".lower()):
            return code
    return None


def _value_text(value, unit) -> str | None:
    if is_missing(value):
        return None
    v = float(value)
    text = f"{v:,.1f}" if abs(v - round(v)) > 1e-9 else f"{round(v):,d}"
    unit = "" if is_missing(unit) else str(unit)
    return f"{text}{unit}" if unit in ("%", "％") else f"{text} {unit}".strip()


def _safe(cell) -> None:
    from ..data.writers import FORMULA_TRIGGERS

    if isinstance(cell.value, str) and cell.value[:1] in FORMULA_TRIGGERS:
        cell.data_type = "s"
        cell.quotePrefix = True


def write_workbook(items: pd.DataFrame, path: str | Path, *, title: str, as_of: dt.date) -> Path:
    """Write the workbook of ``items`` (with ``current_status``,
    :func:`~evalkit.rectification.items.select_items`) to ``path`` atomically. The due date
    of an item overdue at ``as_of`` is shaded red."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_ITEMS
    fields = list(COLUMNS)
    ws.append([COLUMNS[f][0] for f in fields])
    for r in items.itertuples(index=False):
        values = {"item_id": r.item_id, "unit_id": r.unit_id, "indicator_name": r.indicator_name,
                  "finding": r.finding, "baseline": _value_text(r.baseline_value, r.value_unit),
                  "goal": _value_text(r.goal_value, r.value_unit),
                  "due_date": pd.Timestamp(r.due_date).date().isoformat(), "status": status_text(r.status),
                  "action": r.action, "owner": r.owner, "note": None, "note_date": None}
        ws.append([None if is_missing(values[f]) else values[f] for f in fields])
        for cell in ws[ws.max_row]:
            _safe(cell)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        if r.current_status == "overdue":
            ws.cell(row=ws.max_row, column=fields.index("due_date") + 1).fill = PatternFill("solid", fgColor="F4CCCC")
    head_fill = PatternFill("solid", fgColor="DDE4EE")
    todo_fill = PatternFill("solid", fgColor="FFF2CC")
    last = ws.max_row
    for j, f in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=j)
        cell.font = Font(bold=True)
        cell.fill = todo_fill if COLUMNS[f][1] else head_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        if COLUMNS[f][1]:
            for r in range(2, last + 1):
                ws.cell(row=r, column=j).fill = todo_fill
        width = {"finding": 48, "action": 40, "note": 40, "indicator_name": 22, "owner": 16}.get(f, 14)
        ws.column_dimensions[get_column_letter(j)].width = width
    if last >= 2:
        letter = get_column_letter(fields.index("status") + 1)
        choices = ",".join(status_text(c) for c in RECTIFICATION_STATUSES)
        dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="整改状态 status",
                            error="请从列表中选择 / choose from the list",
                            promptTitle="整改状态 status",
                            prompt="单位填写：整改中 in_progress 或 已完成待核验 done")
        dv.showInputMessage = True
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)
        date_letter = get_column_letter(fields.index("note_date") + 1)
        dd = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                            showErrorMessage=True, errorTitle="说明日期 note_date",
                            error="请填写日期 YYYY-MM-DD / a date YYYY-MM-DD")
        dd.add(f"{date_letter}2:{date_letter}{last}")
        ws.add_data_validation(dd)
    ws.freeze_panes = "B2"

    guide = wb.create_sheet(SHEET_GUIDE)
    guide.append([f"整改事项反馈表 Rectification follow-up workbook — {title}"])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append([f"生成日期 Written on {as_of.isoformat()}; {len(items)} 项 item(s)"])
    guide.append([])
    for line in GUIDE_ZH + ("",) + GUIDE_EN:
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")


def _parse_date(text: str) -> dt.date | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _header_map(headers: list[str]) -> dict[str, str]:
    """Field → the header as written, for the workbook's columns found in ``headers``."""
    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", str(text)).strip().lower()

    out = {}
    for f, (head, _) in COLUMNS.items():
        zh, _, en = head.partition(" ")
        accepted = {norm(head), norm(zh), norm(en), f}
        for h in headers:
            if norm(h) in accepted:
                out[f] = h
                break
    return out


def read_workbook(path: str | Path, display: str | None = None, *,
                  office: bool = False) -> tuple[pd.DataFrame, ChangeSource, list[Problem]]:
    """Read a returned workbook into a change set (:data:`~.items.CHANGE_COLUMNS`).

    Every problem names the file, the sheet row and the column header as written. Checked
    here: the file is an .xlsx workbook within the reader's size limits whose first sheet
    has the columns ``item_id`` and ``status``; each status is one of the statuses (code or
    label); dates are dates; texts are at most :data:`MAX_TEXT` characters. The changes
    themselves (transitions, ids, units, due dates) are checked when they are applied.

    Returns
    -------
    (changes, source, problems)
        ``changes``: every row read, a cell with a problem left empty (so that the rows can
        still be checked as changes and every problem reported at once); empty when the
        file or its header cannot be read.
    """
    from ..data.loading import read_file

    path = Path(path)
    display = display or str(path)
    headers_out = {f: h for f, (h, _) in COLUMNS.items()}
    source = ChangeSource(display=display, headers=headers_out, via=f"{path.name} row {{row}}", office=office)
    empty = pd.DataFrame(columns=list(CHANGE_COLUMNS))
    if not path.is_file():
        raise EvalkitError(f"workbook not found: {display}")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return empty, source, [Problem(display, None, None, "the .xlsx workbook `evalkit rectify list --out` wrote",
                                       f"a {path.suffix or 'file without suffix'} file")]
    raw, problems = read_file(path, display)
    problems = [p for p in problems if p.severity == "error"]  # other sheets (the guide) are not read
    if raw is None or problems:
        return empty, source, problems
    frame = raw.frame
    heads = _header_map([str(c) for c in frame.columns])
    headers_out.update(heads)
    source = ChangeSource(display=display, headers=headers_out, via=source.via, office=office)
    missing = [COLUMNS[f][0] for f in ("item_id", "status") if f not in heads]
    if missing:
        return empty, source, [Problem(display, 1, None, "the columns " + ", ".join(f"'{m}'" for m in missing)
                                       + f" on the first sheet ('{SHEET_ITEMS}'), as `evalkit rectify list --out` "
                                       "wrote them", "headers " + ", ".join(f"'{c}'" for c in frame.columns))]
    rows = []
    for i, rownum in enumerate(raw.row_numbers):
        rec = {"row": int(rownum)}
        for f in CHANGE_COLUMNS[1:]:
            text = str(frame[heads[f]].iloc[i]).strip() if f in heads else ""
            rec[f] = text or None
        for f in ("action", "owner", "note"):
            if rec[f] is not None and len(rec[f]) > MAX_TEXT:
                problems.append(Problem(display, int(rownum), heads[f], f"a text of at most {MAX_TEXT:,} characters",
                                        f"{len(rec[f]):,} characters"))
                rec[f] = None
        if rec["status"] is not None:
            code = parse_status(rec["status"])
            if code is None:
                allowed = ", ".join(status_text(c) for c in RECTIFICATION_STATUSES if office or c in UNIT_STATUSES)
                problems.append(Problem(display, int(rownum), heads["status"], f"one of {allowed}",
                                        f"'{rec['status'][:60]}'"))
            rec["status"] = code
        for f in ("note_date", "due_date"):
            if rec[f] is not None:
                d = _parse_date(rec[f])
                if d is None:
                    problems.append(Problem(display, int(rownum), heads[f], "a date YYYY-MM-DD",
                                            f"'{rec[f][:40]}'"))
                rec[f] = d
        rows.append(rec)
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS)), source, problems
