"""Inspection audits (抽查核验): draw a reproducible random sample of a unit's records, read
the auditor's verdicts back, and estimate the unit's error rate.

The three steps of ``evalkit audit`` (:mod:`evalkit.cli_quality` does the reading and storing):

1. :func:`draw_audit_sample` — a stratified random sample of ``n`` records of one unit's table
   in one year, the same for the same seed (:class:`AuditSample`);
   :func:`write_audit_workbook` puts it in a worksheet for the auditor.
2. :func:`read_audit_workbook` — the returned worksheet, checked like any input: every
   problem names the file, row and column, what was expected and what was found.
3. :func:`audit_error_rate` — the verified error rate with its Wilson interval and the
   estimated number of erroneous records in the table (:class:`AuditEstimate`);
   :func:`audit_outcomes` and :func:`merge_audit_outcomes` give the rows of the
   ``verification_audits`` table of the data contract.

Conventions
-----------
Population
    The records of table ``T`` whose ``unit_id`` is the unit, in the year's folder (or the
    store's year), sorted by the table's key (so the order of the file does not matter).
Strata
    The calendar month of the table's anchor date (e.g. ``received_date`` of service cases);
    for a table without one, its ``month`` column (budget lines) or its first non-nullable
    date column; a table with none of these is one stratum. Only months holding records are
    strata.
Allocation
    Proportional with the largest-remainder rule (Hamilton's method): stratum ``h`` with
    ``N_h`` of the ``N`` records gets ``⌊n·N_h/N⌋`` records, and the ``n − Σ⌊n·N_h/N⌋``
    records left over go one each to the strata with the largest remainders
    ``n·N_h mod N`` (compared exactly, as integers); equal remainders go to the earlier
    month. Every allocation is at most its stratum's size, and the total is exactly ``n``.
Draw
    ``numpy.random.default_rng(seed)``; for each stratum in month order, ``k_h`` positions
    drawn without replacement (``Generator.choice``) among the stratum's records in key
    order. Same data, seed and ``n`` → the same records, from a data directory or the store.
Fields shown to the auditor (no personal data)
    The record's key and every contract column whose type is *not* free text: ids, dates,
    date-times, numbers, money, yes/no and category codes (shown with their Chinese label).
    Free-text columns (type ``text``: names, titles, reasons, evidence, notes) are left out,
    because they may hold a person's name or phone number; the auditor finds the source
    document by the key. Qualitative tables (individual ratings, survey responses) are not
    audited this way: individual ratings never leave the aggregation layer.
Verdicts
    ``verified`` is 是 (the record agrees with its source documents) or 否 (it does not: an
    error); ``Y``/``N``, ``yes``/``no``, ``true``/``false``, ``1``/``0`` and Excel's TRUE/FALSE
    are read as well. A blank ``verified`` is an **error**, not a warning: a sample checked
    only in part is no longer a random sample (the records left unchecked are rarely missing
    at random), so its rate is not reported until every drawn record has a verdict.
Finite population
    The rate's interval is the Wilson score interval (Wilson, 1927; Newcombe, 1998, method 3)
    for a binomial proportion, *without* a finite-population correction: the sample is drawn
    without replacement, so the interval is conservative (too wide by roughly the factor
    ``√((N − 1)/(N − n))``, about 11 % for 40 of 201 records). The estimated number of
    erroneous records is ``N × rate`` with the interval's bounds scaled the same way
    (``N × lower``, ``N × upper``).

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*Journal of the American Statistical Association* 22, 209–212.
Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison
of seven methods. *Statistics in Medicine* 17, 857–872.
Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., section 5.5 (proportional allocation).
Wiley.
Balinski, M. L. & Young, H. P. (2001). *Fair Representation*, 2nd ed. (Hamilton's largest-
remainder method). Brookings Institution Press.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.contract import TABLES, Table
from ..data.files import atomic_path
from ..errors import EvalkitError, Problem
from ..stats.intervals import wilson_interval

__all__ = ["AUDIT_TABLE", "AuditSample", "ReturnedAudit", "AuditEstimate", "auditable_tables",
           "audit_table", "audit_fields", "month_column", "largest_remainder", "record_keys",
           "audit_id_of", "draw_audit_sample", "write_audit_workbook", "read_audit_workbook",
           "parse_verified", "audit_error_rate", "audit_outcomes", "merge_audit_outcomes"]

#: The data-contract table that holds the outcomes.
AUDIT_TABLE = "verification_audits"
#: Worksheets of the audit workbook.
SHEET_GUIDE = "说明 Instructions"
SHEET_AUDIT = "核验 Audit"
#: Kinds of table that can be audited (qualitative ones hold individual ratings).
AUDITABLE_KINDS = ("operational", "follow-up")
#: Tables about the data rather than the units' work: never audited this way.
NOT_AUDITED = (AUDIT_TABLE, "submissions", "rectification_items")  # the last: the office's own tracker

_YES = {"是", "y", "yes", "1", "true", "对"}
_NO = {"否", "n", "no", "0", "false", "错"}
VERIFIED_ACCEPTED = "是 or 否 (also Y/N, 1/0)"

#: The audit sheet's own columns: (name, header written, Chinese label).
_FIXED_COLUMNS = {
    "item": ("序号 item", "序号"),
    "audit_id": ("核验批次编号 audit_id", "核验批次编号"),
    "record_key": ("记录主键 record_key", "记录主键"),
    "verified": ("核验结果 verified (是/否)", "核验结果"),
    "note": ("核验说明 note", "核验说明"),
}

#: The audit details on the instructions sheet: key → (Chinese label, English label).
_DETAILS = {
    "audit_id": ("核验批次编号", "audit id"),
    "year": ("年度", "year"),
    "unit_id": ("被核验单位", "audited unit"),
    "table": ("数据表", "table"),
    "seed": ("随机种子", "random seed"),
    "sample_size": ("样本量", "records drawn"),
    "population": ("总体记录数", "records of the unit in the table"),
    "drawn_date": ("抽样日期", "date drawn"),
    "strata": ("分层", "strata (month: records drawn / records)"),
}

GUIDE_ZH = (
    "本表为抽查核验表：以下记录是从该单位本年度数据中按月份分层随机抽取的样本。",
    "请逐条对照原始凭证（办件材料、工单、台账等）核对「核验」工作表中的每条记录：",
    "· 记录与原始凭证一致，在「核验结果」列选择“是”；有任何不一致（记录不存在、日期或数值错误、类别错误等），选择“否”，并在「核验说明」列写明问题。",
    "· 每条记录都必须填写核验结果；未填写的表格不能录入（部分核验的样本不再是随机样本）。",
    "· 请勿增删行、修改记录主键或本页的核验信息；核验说明中请勿填写个人姓名、电话等个人信息。",
    "完成后交回效能办，由其执行 evalkit audit record 录入。",
)
GUIDE_EN = (
    "This is an inspection-audit worksheet: the records below were drawn at random, stratified by month, from the unit's data of the year.",
    "Check every record of the 'Audit' sheet against its source documents (case files, work orders, ledgers):",
    "· If the record agrees with its source, choose 是 (yes) in the 'verified' column; if anything differs (no such record, a wrong date, number or category), choose 否 (no) and say what in 'note'.",
    "· Every record needs a verdict; a sheet with blanks is not recorded (a sample checked in part is no longer random).",
    "· Do not add or delete rows, change a record key or the audit details on this sheet; do not write names, phone numbers or other personal data in the notes.",
    "Return it to the evaluation office, which records it with `evalkit audit record`.",
)


# ----------------------------------------------------------------------------------------
# What can be audited, and how
# ----------------------------------------------------------------------------------------

def auditable_tables() -> tuple[str, ...]:
    """The contract tables an audit can sample: year tables with a ``unit_id`` column, of
    the operational or follow-up kind, other than the audits themselves and the submission
    log (:data:`NOT_AUDITED`)."""
    return tuple(t.name for t in TABLES.values()
                 if t.scope == "year" and "unit_id" in t.column_names and t.kind in AUDITABLE_KINDS
                 and t.name not in NOT_AUDITED)


def audit_table(name: str) -> Table:
    """The contract table ``name`` if it can be audited, else an :class:`EvalkitError`."""
    if name not in auditable_tables():
        why = ""
        if name in TABLES and TABLES[name].kind == "qualitative":
            why = " (individual ratings and responses never leave the aggregation layer)"
        raise EvalkitError(f"--table: expected one of {', '.join(auditable_tables())}; found '{name}'{why}")
    return TABLES[name]


def audit_fields(table: Table) -> tuple[str, ...]:
    """The columns of ``table`` the auditor sees: every column whose type is not free text
    (``text`` columns may hold names or phone numbers; see the module docstring)."""
    return tuple(c.name for c in table.columns if c.dtype != "text")


def month_column(table: Table) -> str | None:
    """The column whose calendar month stratifies the sample, or None (one stratum)."""
    if table.anchor_date and table.column(table.anchor_date).dtype in ("date", "datetime"):
        return table.anchor_date
    if "month" in table.column_names and table.column("month").dtype == "int":
        return "month"
    for c in table.columns:
        if c.dtype in ("date", "datetime") and not c.nullable:
            return c.name
    return None


def _months(frame: pd.DataFrame, table: Table) -> np.ndarray:
    column = month_column(table)
    if column is None:
        return np.zeros(len(frame), dtype=np.int64)
    if column == "month" and table.column("month").dtype == "int":
        return pd.to_numeric(frame[column]).to_numpy(dtype=np.int64)
    return pd.to_datetime(frame[column]).dt.month.to_numpy(dtype=np.int64)


def largest_remainder(sizes, n: int) -> np.ndarray:
    """Allocate ``n`` draws to strata of ``sizes`` records in proportion to their size
    (largest-remainder rule; see the module docstring).

    >>> largest_remainder([50, 30, 20], 7).tolist()   # 3.5, 2.1, 1.4 → 3+1, 2, 1
    [4, 2, 1]
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    if n < 0 or n > total:
        raise ValueError(f"cannot draw {n} of {total} records")
    if total == 0:
        return np.zeros(len(sizes), dtype=np.int64)
    scaled = n * sizes
    alloc = scaled // total
    remainder = scaled % total
    left = n - int(alloc.sum())
    # largest remainder first; equal remainders: the earlier stratum
    order = np.lexsort((np.arange(len(sizes)), -remainder))
    alloc[order[:left]] += 1
    return alloc


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (str, bytes)) and bool(pd.isna(value)))


def _key_text(value, dtype: str) -> str:
    if _missing(value):
        return ""
    if dtype == "int":
        return str(int(value))
    if dtype == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if dtype == "datetime":
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def record_keys(frame: pd.DataFrame, table: Table) -> pd.Series:
    """Each record's key as text: the key's values joined by commas (``D03,3,basic``), as
    ``evalkit db correct --id`` takes them."""
    parts = [[_key_text(v, table.column(c).dtype) for v in frame[c].tolist()] for c in table.key]
    return pd.Series([",".join(vals) for vals in zip(*parts)], index=frame.index, dtype=object)


def audit_id_of(year: int, unit_id: str, table: str, seed: int, n: int) -> str:
    """The audit's id: what defines its draw (the same id means the same records)."""
    return f"{year}-{unit_id}-{table}-s{seed}-n{n}"


# ----------------------------------------------------------------------------------------
# Drawing the sample
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditSample:
    """A drawn sample.

    ``records`` has one row per drawn record, in stratum (month) then key order, with the
    columns ``item`` (1…n), ``audit_id``, ``record_key``, ``stratum`` (month 1–12, or 0 when
    the table has no date) and the :func:`audit_fields` of the table in contract types.
    ``allocation`` has one row per stratum: ``stratum``, ``records`` (N_h), ``drawn`` (k_h).
    """

    audit_id: str
    year: int
    unit_id: str
    table: str
    seed: int
    sample_size: int
    population: int
    drawn_date: dt.date
    stratum_column: str | None
    allocation: pd.DataFrame
    records: pd.DataFrame


def draw_audit_sample(records: pd.DataFrame, table: str | Table, *, year: int, unit_id: str, n: int,
                      seed: int, drawn_date: dt.date) -> AuditSample:
    """Draw ``n`` of ``unit_id``'s records of ``table`` at random, stratified by month.

    Parameters
    ----------
    records : DataFrame
        The table's records of the year (any units; the contract's columns and types, as
        :func:`evalkit.data.dataset.load_dataset` or the store give them).
    table : str or Table
        An :func:`auditable_tables` table.
    year, unit_id : the audited year and unit.
    n : int
        Records to draw, ``1 ≤ n ≤ N`` (``n = N`` checks every record).
    seed : int
        Seed of ``numpy.random.default_rng``; ≥ 0.
    drawn_date : date
        Recorded with the sample.

    Returns
    -------
    AuditSample
        See the module docstring for the population, strata, allocation and draw.

    Raises
    ------
    EvalkitError
        No records of the unit, ``n`` outside ``1…N``, a negative seed, or a table that cannot
        be audited.
    """
    t = table if isinstance(table, Table) else audit_table(table)
    if seed < 0:
        raise EvalkitError(f"--seed: expected a whole number ≥ 0; found {seed}")
    mine = records[records["unit_id"].astype(str) == str(unit_id)]
    population = len(mine)
    if population == 0:
        raise EvalkitError(f"{unit_id} has no records of {t.name} ({t.label_zh}) in {year}: nothing to audit")
    if not 1 <= n <= population:
        raise EvalkitError(f"--n: expected 1 to {population} (the records of {unit_id} in {t.name} in {year}; "
                           f"--n {population} checks every one); found {n}")
    ordered = mine.sort_values(list(t.key), kind="mergesort").reset_index(drop=True)
    months = _months(ordered, t)
    strata, sizes = np.unique(months, return_counts=True)
    alloc = largest_remainder(sizes, n)
    rng = np.random.default_rng(seed)
    chosen: list[np.ndarray] = []
    for stratum, k in zip(strata, alloc):
        if k == 0:
            continue
        positions = np.flatnonzero(months == stratum)
        chosen.append(positions[np.sort(rng.choice(len(positions), size=int(k), replace=False))])
    picked = ordered.iloc[np.concatenate(chosen)].reset_index(drop=True)
    audit_id = audit_id_of(year, str(unit_id), t.name, seed, n)
    out = pd.DataFrame({"item": np.arange(1, n + 1), "audit_id": audit_id,
                        "record_key": record_keys(picked, t).to_numpy(),
                        "stratum": _months(picked, t)})
    for c in audit_fields(t):
        out[c] = picked[c].to_numpy()
    allocation = pd.DataFrame({"stratum": strata.astype(np.int64), "records": sizes.astype(np.int64),
                               "drawn": alloc.astype(np.int64)})
    return AuditSample(audit_id=audit_id, year=int(year), unit_id=str(unit_id), table=t.name, seed=int(seed),
                       sample_size=int(n), population=int(population), drawn_date=drawn_date,
                       stratum_column=month_column(t), allocation=allocation, records=out)


# ----------------------------------------------------------------------------------------
# The auditor's workbook
# ----------------------------------------------------------------------------------------

def _display(value, dtype: str, categories: dict | None):
    """A cell value for the auditor: dates as text, yes/no as 是/否, codes with their label."""
    if _missing(value):
        return None
    if dtype == "bool":
        return "是" if bool(value) else "否"
    if dtype == "category" and categories:
        label = categories.get(str(value))
        return f"{label} ({value})" if label else str(value)
    if dtype in ("date", "datetime"):
        return _key_text(value, dtype)
    if dtype == "int":
        return int(value)
    if dtype in ("float", "money"):
        return float(value)
    return str(value)


def _safe_text(cell) -> None:
    """A text cell a spreadsheet would read as a formula stays text (quote prefix)."""
    from ..data.writers import FORMULA_TRIGGERS

    if isinstance(cell.value, str) and cell.value[:1] in FORMULA_TRIGGERS:
        cell.data_type = "s"
        cell.quotePrefix = True


def _strata_text(sample: AuditSample) -> str:
    if sample.stratum_column is None:
        return "无（一个总体） none (one stratum)"
    parts = [f"{int(r.stratum)}月 {int(r.drawn)}/{int(r.records)}" for r in sample.allocation.itertuples()]
    return f"{sample.stratum_column} 月份 month: " + "; ".join(parts)


def write_audit_workbook(sample: AuditSample, path: str | Path) -> Path:
    """Write the auditor's workbook (atomically): a sheet ``说明 Instructions`` with what to do
    (Chinese and English) and the audit details, and a sheet ``核验 Audit`` with one row per
    drawn record — ``序号 item``, ``核验批次编号 audit_id``, ``记录主键 record_key``, the
    :func:`audit_fields` headed ``<Chinese label> <name>`` — and the blank columns
    ``核验结果 verified (是/否)`` (a 是/否 drop-down) and ``核验说明 note``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    t = TABLES[sample.table]
    path = Path(path)
    wb = Workbook()
    guide = wb.active
    guide.title = SHEET_GUIDE
    guide.append([f"抽查核验表 Inspection audit worksheet — {sample.unit_id} · {t.label_zh} ({t.name}) · {sample.year}"])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append([])
    for line in GUIDE_ZH:
        guide.append([line])
    guide.append([])
    for line in GUIDE_EN:
        guide.append([line])
    guide.append([])
    guide.append(["核验信息 Audit details"])
    guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
    values = {"audit_id": sample.audit_id, "year": sample.year, "unit_id": sample.unit_id,
              "table": sample.table, "seed": sample.seed, "sample_size": sample.sample_size,
              "population": sample.population, "drawn_date": sample.drawn_date.isoformat(),
              "strata": _strata_text(sample)}
    for key, (zh, en) in _DETAILS.items():
        guide.append([key, values[key], f"{zh} {en}"])
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 40
    guide.column_dimensions["C"].width = 40

    ws = wb.create_sheet(SHEET_AUDIT)
    fields = audit_fields(t)
    headers = [_FIXED_COLUMNS["item"][0], _FIXED_COLUMNS["audit_id"][0], _FIXED_COLUMNS["record_key"][0]]
    headers += [f"{t.column(c).label_zh} {c}" for c in fields]
    headers += [_FIXED_COLUMNS["verified"][0], _FIXED_COLUMNS["note"][0]]
    ws.append(headers)
    for row in sample.records.itertuples(index=False):
        rec = row._asdict()
        cells = [int(rec["item"]), rec["audit_id"], rec["record_key"]]
        cells += [_display(rec[c], t.column(c).dtype, t.column(c).categories) for c in fields]
        cells += [None, None]
        ws.append(cells)
        for cell in ws[ws.max_row]:
            _safe_text(cell)
    head_fill = PatternFill("solid", fgColor="DDE4EE")
    todo_fill = PatternFill("solid", fgColor="FFF2CC")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    verified_col, note_col = len(headers) - 1, len(headers)
    last = sample.sample_size + 1
    for col in (verified_col, note_col):
        ws.cell(row=1, column=col).fill = todo_fill
        for r in range(2, last + 1):
            ws.cell(row=r, column=col).fill = todo_fill
    letter = get_column_letter(verified_col)
    dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showDropDown=False,
                        showErrorMessage=True, errorTitle="核验结果 verified",
                        error="请选择 是 或 否 / choose 是 (yes) or 否 (no)",
                        promptTitle="核验结果 verified", prompt="是 = 与原始凭证一致; 否 = 不一致")
    dv.showInputMessage = True
    dv.add(f"{letter}2:{letter}{last}")
    ws.add_data_validation(dv)
    ws.freeze_panes = "D2"
    for j, header in enumerate(headers, start=1):
        width = max(len(str(header)) + 2, 12)
        ws.column_dimensions[get_column_letter(j)].width = min(40, width)
    ws.column_dimensions[get_column_letter(note_col)].width = 40
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


# ----------------------------------------------------------------------------------------
# Reading the returned workbook
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReturnedAudit:
    """The returned workbook: the audit details and ``outcomes`` (``item``, ``record_key``,
    ``verified`` (bool: True = 是), ``note``, ``row`` = the sheet row)."""

    audit_id: str
    year: int
    unit_id: str
    table: str
    seed: int
    sample_size: int
    population: int
    drawn_date: dt.date
    outcomes: pd.DataFrame


def parse_verified(value) -> bool | None:
    """True for 是 (and Y, yes, true, 1), False for 否 (N, no, false, 0); None when blank;
    a :class:`ValueError` otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value in (0, 1):
            return bool(value)
        raise ValueError(value)
    text = str(value).strip().casefold()
    if text == "":
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(value)


def _norm(text) -> str:
    return " ".join(str(text or "").split()).casefold()


def _header_map(header: list) -> dict[str, int]:
    """Fixed column name → 0-based position in the header (by the header written, the
    English name or the Chinese label)."""
    out: dict[str, int] = {}
    for j, cell in enumerate(header):
        text = _norm(cell)
        tokens = set(text.replace("(", " ").replace(")", " ").split())
        for name, (written, zh) in _FIXED_COLUMNS.items():
            if name in out:
                continue
            if text in (_norm(written), name, _norm(zh)) or name in tokens or _norm(zh) in tokens:
                out[name] = j
    return out


def _shown(value) -> str:
    if value is None:
        return "an empty cell"
    return f"'{value}'"


def _details(guide, display: str, problems: list[Problem]) -> dict:
    found: dict[str, tuple[int, object]] = {}
    for r, row in enumerate(guide.iter_rows(min_col=1, max_col=2, values_only=True), start=1):
        key = str(row[0]).strip() if row and row[0] is not None else ""
        if key in _DETAILS and key not in found:
            found[key] = (r, row[1] if len(row) > 1 else None)
    out: dict = {}
    for key, (zh, en) in _DETAILS.items():
        if key == "strata":
            continue
        if key not in found:
            problems.append(Problem(display, None, f"{SHEET_GUIDE}!{key}",
                                    f"the audit detail '{key}' ({zh}) on the sheet '{SHEET_GUIDE}', as "
                                    "`evalkit audit sample` wrote it", "no such row"))
            continue
        r, value = found[key]
        where = f"{SHEET_GUIDE}!B"
        try:
            if key in ("year", "seed", "sample_size", "population"):
                number = float(str(value).strip())
                if not number.is_integer() or number < (0 if key == "seed" else 1):
                    raise ValueError
                out[key] = int(number)
            elif key == "drawn_date":
                out[key] = value.date() if isinstance(value, dt.datetime) else (
                    value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip()))
            else:
                text = "" if value is None else str(value).strip()
                if not text:
                    raise ValueError
                out[key] = text
        except (TypeError, ValueError):
            expected = {"drawn_date": "a date YYYY-MM-DD", "seed": "a whole number ≥ 0"}.get(
                key, "a whole number ≥ 1" if key in ("year", "sample_size", "population") else "text")
            problems.append(Problem(display, r, where, f"{expected} ({zh} {en}, as `evalkit audit sample` wrote it)",
                                    _shown(value)))
    if "table" in out and out["table"] not in auditable_tables():
        r = found["table"][0]
        problems.append(Problem(display, r, f"{SHEET_GUIDE}!B", "one of " + ", ".join(auditable_tables()),
                                _shown(out["table"])))
    return out


def read_audit_workbook(path: str | Path, display: str | None = None) -> tuple[ReturnedAudit | None, list[Problem]]:
    """Read and check a returned audit workbook.

    Every problem names the file, the row as the sheet numbers it and the column as its
    header is written (``说明 Instructions!B`` for the audit details), with what was expected
    and what was found. Checked: the two sheets and the audit details exist and are well
    formed; the audit sheet has the columns ``audit_id``, ``record_key`` and ``verified``;
    every row belongs to this audit, names a record once, and has a verdict (blank is an
    error, see the module docstring); the number of rows is the sample size. Rows whose
    every cell is empty are skipped.

    Returns
    -------
    (ReturnedAudit or None, problems)
        None when any problem is an error.
    """
    path = Path(path)
    display = display or str(path)
    problems: list[Problem] = []
    if not path.is_file():
        raise EvalkitError(f"audit workbook not found: {display}")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None, [Problem(display, None, None, "the .xlsx workbook `evalkit audit sample` wrote",
                              f"a {path.suffix or 'file without suffix'} file")]
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        return None, [Problem(display, None, None, "an Excel workbook (.xlsx) written by `evalkit audit sample`",
                              f"a file that cannot be read as one ({type(exc).__name__})")]
    try:
        for name in (SHEET_GUIDE, SHEET_AUDIT):
            if name not in wb.sheetnames:
                problems.append(Problem(display, None, None, f"a sheet named '{name}', as `evalkit audit sample` "
                                        "wrote it", "sheets " + ", ".join(f"'{s}'" for s in wb.sheetnames)))
        if problems:
            return None, problems
        details = _details(wb[SHEET_GUIDE], display, problems)
        rows = list(wb[SHEET_AUDIT].iter_rows(values_only=True))
    finally:
        wb.close()
    if not rows:
        problems.append(Problem(display, 1, None, f"a header row on the sheet '{SHEET_AUDIT}'", "an empty sheet"))
        return None, problems
    header = list(rows[0])
    columns = _header_map(header)
    for name in ("audit_id", "record_key", "verified"):
        if name not in columns:
            problems.append(Problem(display, 1, _FIXED_COLUMNS[name][0],
                                    f"a column '{_FIXED_COLUMNS[name][0]}' on the sheet '{SHEET_AUDIT}'",
                                    "no such column (headers: " + ", ".join(str(h) for h in header if h is not None) + ")"))
    if any(p.severity == "error" for p in problems):
        return None, problems

    def head(name: str) -> str:
        return str(header[columns[name]])

    def cell(row: tuple, name: str):
        j = columns.get(name)
        if j is None or j >= len(row):
            return None
        value = row[j]
        return None if isinstance(value, str) and value.strip() == "" else value

    records, seen = [], {}
    for r, row in enumerate(rows[1:], start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        aid = cell(row, "audit_id")
        if "audit_id" in details and (aid is None or str(aid).strip() != details["audit_id"]):
            problems.append(Problem(display, r, head("audit_id"),
                                    f"'{details['audit_id']}' (this workbook's audit)", _shown(aid)))
        key = cell(row, "record_key")
        if key is None:
            problems.append(Problem(display, r, head("record_key"), "the record's key as drawn", "an empty cell"))
        else:
            key = str(key).strip()
            if key in seen:
                problems.append(Problem(display, r, head("record_key"), "each drawn record once",
                                        f"'{key}' again (first on row {seen[key]})"))
            seen.setdefault(key, r)
        raw = cell(row, "verified")
        try:
            verdict = parse_verified(raw)
        except ValueError:
            verdict = None
            problems.append(Problem(display, r, head("verified"), VERIFIED_ACCEPTED, _shown(raw)))
        else:
            if verdict is None:
                problems.append(Problem(display, r, head("verified"),
                                        VERIFIED_ACCEPTED + " — every drawn record needs a verdict (a sample "
                                        "checked in part is not a random sample)", "an empty cell"))
        note = cell(row, "note")
        item = cell(row, "item")
        records.append({"item": item, "record_key": key, "verified": verdict,
                        "note": None if note is None else str(note).strip(), "row": r})
    if "sample_size" in details and len(records) != details["sample_size"]:
        problems.append(Problem(display, None, None,
                                f"{details['sample_size']} records on the sheet '{SHEET_AUDIT}' (the sample drawn)",
                                f"{len(records)}"))
    if any(p.severity == "error" for p in problems):
        return None, problems
    outcomes = pd.DataFrame(records, columns=["item", "record_key", "verified", "note", "row"])
    outcomes["verified"] = outcomes["verified"].astype(bool)
    return ReturnedAudit(audit_id=details["audit_id"], year=details["year"], unit_id=details["unit_id"],
                         table=details["table"], seed=details["seed"], sample_size=details["sample_size"],
                         population=details["population"], drawn_date=details["drawn_date"],
                         outcomes=outcomes), problems


# ----------------------------------------------------------------------------------------
# The estimate
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditEstimate:
    """The verified error rate of an audit and what it implies for the whole table.

    ``rate``, ``lower``, ``upper`` are proportions in [0, 1] (``lower``/``upper``: the Wilson
    interval at ``confidence``); ``errors_estimate``, ``errors_lower``, ``errors_upper`` are
    numbers of records (``population`` × the rate and its bounds; not rounded).
    """

    checked: int
    errors: int
    population: int
    rate: float
    lower: float
    upper: float
    errors_estimate: float
    errors_lower: float
    errors_upper: float
    confidence: float = 0.95

    def describe(self) -> str:
        pct = f"{self.confidence * 100:g} %"
        return (f"{self.errors} of {self.checked} records not verified: verified error rate "
                f"{self.rate * 100:.1f} % ({pct} Wilson interval {self.lower * 100:.1f} %–{self.upper * 100:.1f} %); "
                f"estimated erroneous records in the table: {self.errors_estimate:.0f} of {self.population} "
                f"({pct}: {self.errors_lower:.0f}–{self.errors_upper:.0f})")


def audit_error_rate(verified, population: int, confidence: float = 0.95) -> AuditEstimate:
    """The verified error rate of an audit with its Wilson interval, and the estimated number
    of erroneous records in the table.

    Parameters
    ----------
    verified : array-like of bool
        One verdict per checked record: True = 是 (agrees with its source), False = 否 (an error).
    population : int
        Records of the unit in the table the sample was drawn from (``N ≥ n``).
    confidence : float
        Two-sided coverage of the interval (default 0.95).

    Returns
    -------
    AuditEstimate
        ``rate = errors / n``; ``(lower, upper)`` the Wilson score interval
        (:func:`evalkit.stats.intervals.wilson_interval`; Wilson, 1927; Newcombe, 1998),
        without a finite-population correction (conservative); the estimated erroneous
        records ``N × rate`` with the bounds ``N × lower`` and ``N × upper``.

    Examples
    --------
    3 of 40 records wrong (the acceptance example of issue 13): 7.5 %, 2.6 %–19.9 %.

    >>> e = audit_error_rate([False] * 3 + [True] * 37, population=200)
    >>> round(e.rate, 3), round(e.lower, 3), round(e.upper, 3), round(e.errors_estimate, 1)
    (0.075, 0.026, 0.199, 15.0)
    """
    values = np.asarray(verified, dtype=bool)
    n = int(values.size)
    if n == 0:
        raise EvalkitError("an audit with no checked record has no error rate")
    if population < n:
        raise EvalkitError(f"the population ({population} records) is smaller than the sample ({n})")
    errors = int((~values).sum())
    lower, upper = wilson_interval(errors, n, confidence)
    rate = errors / n
    return AuditEstimate(checked=n, errors=errors, population=int(population), rate=rate, lower=lower,
                         upper=upper, errors_estimate=population * rate, errors_lower=population * lower,
                         errors_upper=population * upper, confidence=confidence)


# ----------------------------------------------------------------------------------------
# Rows of the verification_audits table
# ----------------------------------------------------------------------------------------

def audit_outcomes(returned: ReturnedAudit, *, auditor: str, recorded_date: dt.date) -> pd.DataFrame:
    """The rows of the ``verification_audits`` table for a returned audit, in contract
    column order and types (one per record, in the sheet's order)."""
    if not str(auditor or "").strip():
        raise EvalkitError("--by: give the name of the auditor who checked the records")
    if recorded_date < returned.drawn_date:
        raise EvalkitError(f"--date {recorded_date.isoformat()}: the outcomes cannot be recorded before the "
                           f"sample was drawn ({returned.drawn_date.isoformat()})")
    o = returned.outcomes
    n = len(o)
    frame = pd.DataFrame({
        "audit_id": pd.Series([returned.audit_id] * n, dtype=object),
        "unit_id": pd.Series([returned.unit_id] * n, dtype=object),
        "table_name": pd.Series([returned.table] * n, dtype=object),
        "record_key": o["record_key"].astype(object).to_numpy(),
        "drawn_date": pd.Series([pd.Timestamp(returned.drawn_date)] * n, dtype="datetime64[ns]"),
        "seed": pd.array([returned.seed] * n, dtype="Int64"),
        "sample_size": pd.array([returned.sample_size] * n, dtype="Int64"),
        "population": pd.array([returned.population] * n, dtype="Int64"),
        "verified": pd.array(o["verified"].to_numpy(dtype=bool), dtype="boolean"),
        "note": pd.Series(o["note"].to_numpy(), dtype=object),
        "auditor": pd.Series([str(auditor).strip()] * n, dtype=object),
        "recorded_date": pd.Series([pd.Timestamp(recorded_date)] * n, dtype="datetime64[ns]"),
    })
    return frame[list(TABLES[AUDIT_TABLE].column_names)]


def merge_audit_outcomes(existing: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """``existing`` audits with ``new`` ones: an audit recorded again replaces every earlier
    row of the same ``audit_id``; other audits are kept in their order, the new rows last."""
    columns = list(TABLES[AUDIT_TABLE].column_names)
    if existing is None or existing.empty:
        return new[columns].reset_index(drop=True)
    kept = existing[~existing["audit_id"].astype(str).isin(set(new["audit_id"].astype(str)))][columns]
    merged = pd.concat([kept.astype(new.dtypes.to_dict(), errors="ignore"), new[columns]], ignore_index=True)
    for c in ("seed", "sample_size", "population"):
        merged[c] = merged[c].astype("Int64")
    merged["verified"] = merged["verified"].astype("boolean")
    for c in ("drawn_date", "recorded_date"):
        merged[c] = pd.to_datetime(merged[c])
    return merged
