"""A data directory: finding its files, validating them, and the typed :class:`Dataset`.

Layout (see :mod:`evalkit.data.contract`)::

    DATA_DIR/
      units.csv            district-wide tables
      raters.csv
      2023/service_cases.csv.gz ...   one folder per calendar year
      2024/...

A table's file is named after the table (``grid_cases.csv``) or after its Chinese label
(``网格化管理案件.csv``). Other files (README.md, framework YAML, notes) are ignored; a *data*
file whose name is not a contract table is an error, because a misspelt name would otherwise
silently give no data. A spreadsheet or text file in a format evalkit does not read (WPS
``.et``, ``.txt`` …) is named in a message rather than skipped silently: an error when it is
named after a table that has no readable file, a warning otherwise.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .as_at import in_period, restricts
from .contract import EMPTY_DTYPES, SUFFIXES, TABLES, Table
from ..errors import DataValidationError, EvalkitError, Problem
from .files import sha256_file
from .limits import outside_data_directory
from .loading import read_file
from .validation import CheckedTable, check_references, check_table

_YEAR_DIR = re.compile(r"^\d{4}$")
#: Tables whose ``unit_id`` is loaded as a categorical over the units table.
_CATEGORICAL_UNIT_TABLES = ("service_cases", "hotline_tickets", "grid_cases")
CATEGORICAL_UNIT_TABLES = _CATEGORICAL_UNIT_TABLES


@dataclass(frozen=True)
class Dataset:
    """Validated input tables of one data directory, converted to contract types.

    ``tables[(None, name)]`` holds a district table, ``tables[(year, name)]`` a year table.
    ``files`` maps each file's path relative to ``root`` to its SHA-256, the provenance that
    every result and report carries.

    A dataset from :func:`read_dataset` may hold a large Parquet table *unread* (an
    :class:`evalkit.data.reading.ParquetTable`): :meth:`table` reads it on first use, and
    :func:`~evalkit.indicators.compute_indicators` counts it as it decodes it, batch by
    batch, without ever building it (:meth:`deferred`).
    """

    root: Path
    years: tuple[int, ...]
    tables: dict[tuple[int | None, str], pd.DataFrame]
    files: dict[str, str]
    warnings: tuple[Problem, ...] = field(default=())
    #: False when read by :func:`read_dataset` (no contract checks in this run).
    validated: bool = True
    #: Working-day overrides (``date, workday``) from ``DATA/workdays.csv``, for years the
    #: holiday package does not cover (or corrections); None when the file is absent.
    workday_overrides: pd.DataFrame | None = None

    @property
    def units(self) -> pd.DataFrame:
        return self.tables[(None, "units")]

    @property
    def scoreable_years(self) -> tuple[int, ...]:
        """The years with data for scoring: those holding at least one record of an
        operational or qualitative table. A year folder with only follow-up tables (e.g. a
        ``2025/rectifications.csv`` opened early) has none."""
        years = set()
        for (year, name), frame in self.tables.items():
            if year is not None and TABLES[name].kind in ("operational", "qualitative") \
                    and _records(frame) > 0:
                years.add(year)
        return tuple(sorted(years))

    def evaluation_year(self, year: int | None = None) -> int:
        """``year`` when it has data for scoring, else an :class:`EvalkitError` naming the
        years that do; without ``year``, the latest year with data for scoring."""
        scoreable = self.scoreable_years
        present = ", ".join(map(str, scoreable)) or "none"
        if year is None:
            if not scoreable:
                raise EvalkitError(f"no year with data for scoring in {self.root} (year folders: "
                                   f"{', '.join(map(str, self.years)) or 'none'})")
            return scoreable[-1]
        if year not in self.years:
            raise EvalkitError(f"no data for {year} in {self.root} (years with data for scoring: "
                               f"{present})")
        if year not in scoreable:
            held = sorted(name for (y, name) in self.tables if y == year)
            raise EvalkitError(f"no data for scoring in {year} in {self.root}: the {year} folder holds "
                               + (", ".join(held) if held else "no table") + " (only follow-up "
                               f"tables or empty files); years with data for scoring: {present}")
        return year

    @staticmethod
    def _key(name: str, year: int | None) -> tuple[int | None, str]:
        t = TABLES[name]
        if t.scope == "year" and year is None:
            raise ValueError(f"table {name!r} is per year: give a year")
        return (None, name) if t.scope == "district" else (year, name)

    def table(self, name: str, year: int | None = None) -> pd.DataFrame:
        """A table, or an empty frame with the contract columns when the file is absent.

        ``year`` may be a :class:`~evalkit.periods.Period`: a month, a quarter or the year to
        date gives the year's table restricted to the period and as known at its cut-off
        (:func:`evalkit.data.as_at.in_period`); a plain year, the table as it is."""
        key = self._key(name, year)
        if key in self.tables:
            frame = self.tables[key]
            if not isinstance(frame, pd.DataFrame):  # a deferred Parquet table: read it now
                frame = self.tables[key] = frame.load()
        else:
            frame = empty_frame(TABLES[name])
        return in_period(frame, TABLES[name], year) if restricts(year) else frame

    def deferred(self, name: str, year: int | None = None):
        """The unread :class:`~evalkit.data.reading.ParquetTable` of a table, or None (read, or
        absent). For a period shorter than the year, None: the table is read whole and
        restricted to the period (:meth:`table`) rather than streamed."""
        if restricts(year):
            return None
        frame = self.tables.get(self._key(name, year))
        return None if frame is None or isinstance(frame, pd.DataFrame) else frame

    def has(self, name: str, year: int | None = None) -> bool:
        t = TABLES[name]
        return ((None, name) if t.scope == "district" else (year, name)) in self.tables


#: Optional file of working-day overrides at the top of a data directory (date, workday).
WORKDAYS_FILE = "workdays.csv"


def workday_overrides_of(root: Path) -> pd.DataFrame | None:
    """``DATA/workdays.csv`` read by :func:`evalkit.data.workdays.load_overrides`, or None."""
    path = Path(root) / WORKDAYS_FILE
    if not path.is_file():
        return None
    if outside_data_directory(Path(root), path):
        raise DataValidationError([_linked_out(Path(root), path)])
    from .workdays import load_overrides

    return load_overrides(path)


def _records(frame) -> int:
    """Rows of a table, read (a frame) or deferred (a Parquet table)."""
    return len(frame) if isinstance(frame, pd.DataFrame) else int(getattr(frame, "num_rows", 0))


def empty_frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=EMPTY_DTYPES[c.dtype]) for c in table.columns})


#: Table name of each Chinese label: ``网格化管理案件.csv`` is the grid_cases file.
_BY_LABEL = {t.label_zh: t.name for t in TABLES.values()}

#: Spreadsheet and text formats evalkit does not read, and what they are.
UNREAD_FORMATS = {
    ".et": "a WPS spreadsheet (.et)", ".ett": "a WPS spreadsheet template (.ett)",
    ".txt": "a text file (.txt)", ".tsv": "a text file (.tsv)",
    ".xlsb": "an Excel binary workbook (.xlsb)", ".xltx": "an Excel template (.xltx)",
    ".xltm": "an Excel template (.xltm)", ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet (.numbers)", ".dbf": "a dBase table (.dbf)",
}


def _split_name(name: str, suffixes) -> tuple[str, str] | None:
    low = name.lower()
    for suffix in suffixes:
        if low.endswith(suffix):
            return name[: -len(suffix)], suffix
    return None


def _table_name(path: Path) -> str | None:
    """The table a file holds by its name (``grid_cases.csv``, ``网格化管理案件.xlsx``), or
    None when evalkit does not read its format."""
    split = _split_name(path.name, SUFFIXES)
    if split is None:
        return None
    return _BY_LABEL.get(split[0].strip(), split[0])


def _data_files(folder: Path) -> tuple[dict[str, list[Path]], list[Path]]:
    """Files of ``folder`` by table name, and the table-like files evalkit does not read."""
    found: dict[str, list[Path]] = {}
    unread: list[Path] = []
    for p in sorted(folder.iterdir()):
        if p.is_file() and not p.name.startswith((".", "~$")) and p.name != WORKDAYS_FILE:
            name = _table_name(p)
            if name is not None:
                found.setdefault(name, []).append(p)
            elif _split_name(p.name, UNREAD_FORMATS) is not None:
                unread.append(p)
    return found, unread


def _did_you_mean(stem: str, allowed: set[str]) -> str:
    """" — did you mean …?" for a file name close to a table's name or Chinese label."""
    labels = {TABLES[n].label_zh: n for n in allowed}
    close = difflib.get_close_matches(stem, sorted(allowed), n=1)
    if close:
        return f" — did you mean '{close[0]}'?"
    inside = [label for label in labels if label in stem]
    close = inside[:1] or difflib.get_close_matches(stem, sorted(labels), n=1, cutoff=0.5)
    if close:
        return f" — did you mean '{close[0]}' ({labels[close[0]]})?"
    return ""


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def discover(root: Path, years: list[int] | None = None) -> tuple[dict[tuple[int | None, str], Path], list[int], list[Problem]]:
    """Map (year|None, table) → file; report unknown, ambiguous and missing files."""
    problems: list[Problem] = []
    files: dict[tuple[int | None, str], Path] = {}
    district_names = {t.name for t in TABLES.values() if t.scope == "district"}
    year_names = {t.name for t in TABLES.values() if t.scope == "year"}

    def place(folder: Path, allowed: set[str], year: int | None) -> None:
        found, unread = _data_files(folder)
        for path in unread:
            stem, suffix = _split_name(path.name, UNREAD_FORMATS)
            name = _BY_LABEL.get(stem.strip(), stem)
            wanted = name in allowed and name not in found  # the table's only file: an error
            hint = "" if name in allowed else _did_you_mean(stem, allowed)
            problems.append(Problem(_rel(root, path), None, None,
                                    "a table saved as " + ", ".join(SUFFIXES) + hint,
                                    f"{UNREAD_FORMATS[suffix]} — not read: save it as .xlsx or .csv",
                                    "error" if wanted else "warning"))
        for name, paths in found.items():
            display = _rel(root, paths[0])
            if len(paths) > 1:
                problems.append(Problem(_rel(root, folder) if year else ".", None, None,
                                        f"one file for the '{name}' table",
                                        "several: " + ", ".join(p.name for p in paths)))
                continue
            if name not in allowed:
                other = year_names if year is None else district_names
                if name in other:
                    where = "in a year folder (e.g. 2024/)" if year is None else "at the top of the data directory"
                    expected = f"the '{name}' table {where}"
                else:
                    expected = "a file named after a table of the data contract" + _did_you_mean(name, allowed)
                problems.append(Problem(display, None, None, expected, f"a file named '{paths[0].name}'"))
                continue
            files[(year, name)] = paths[0]

    place(root, district_names, None)
    year_dirs = {int(p.name): p for p in sorted(root.iterdir()) if p.is_dir() and _YEAR_DIR.match(p.name)}
    for y, folder in list(year_dirs.items()):
        if outside_data_directory(root, folder):  # a year folder linked out: not looked into
            problems.append(_linked_out(root, folder))
            del year_dirs[y]
    if years is None:
        chosen = sorted(year_dirs)
    else:
        chosen = sorted(set(years))
        for y in chosen:
            if y not in year_dirs:
                problems.append(Problem(_rel(root, root / str(y)), None, None,
                                        f"a folder with the {y} data", "no such folder"))
    for y in chosen:
        if y in year_dirs:
            place(year_dirs[y], year_names, y)
    if not year_dirs:
        problems.append(Problem(".", None, None, "one folder per year (e.g. 2024/) holding that "
                                "year's tables", "no year folder"))
    for t in TABLES.values():
        if t.scope == "district" and (None, t.name) not in files and t.absent_means is None:
            severity = "error" if t.required else "warning"
            problems.append(Problem(f"{t.name}.csv", None, None,
                                    f"the '{t.name}' table ({t.label_zh}) as " + " / ".join(
                                        t.name + s for s in SUFFIXES), "no such file", severity))
    # Missing optional tables: one warning per set of years missing the same tables, not the
    # same list once per year.
    missing_in: dict[str, tuple[int, ...]] = {}
    for t in TABLES.values():
        if t.scope == "year" and t.absent_means is None:
            years_without = tuple(y for y in chosen if y in year_dirs and (y, t.name) not in files)
            if years_without:
                missing_in[t.name] = years_without
    for years_without in dict.fromkeys(missing_in.values()):
        absent = [name for name, ys in missing_in.items() if ys == years_without]
        problems.append(Problem(", ".join(f"{y}/" for y in years_without), None, None,
                                "every table of the data contract (indicators that need a "
                                "missing table show no data)",
                                "no file for " + ", ".join(absent), "warning"))
    for key, path in list(files.items()):
        if outside_data_directory(root, path):  # never read, never echoed
            problems.append(_linked_out(root, path))
            del files[key]
    return files, [y for y in chosen if y in year_dirs], problems


def _linked_out(root: Path, path: Path) -> Problem:
    what = "folder" if path.is_dir() else "file"
    return Problem(_rel(root, path) + ("/" if what == "folder" else ""), None, None,
                   f"a {what} inside the data directory",
                   "a symbolic link that leads out of the data directory; not read")


def _data_root(root: str | Path) -> Path:
    """``root`` as a path, or a clear error when it is missing or a file."""
    root = Path(root)
    if not root.exists():
        raise EvalkitError(f"data directory not found: {root}")
    if not root.is_dir():
        raise EvalkitError(f"expected a data directory, found a file: {root}")
    return root


def check_directory(root: str | Path, years: list[int] | None = None) -> tuple[dict[tuple[int | None, str], CheckedTable], list[int], list[Problem]]:
    root = _data_root(root)
    files, found_years, problems = discover(root, years)
    checked: dict[tuple[int | None, str], CheckedTable] = {}
    for (year, name), path in sorted(files.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])):
        raw, read_problems = read_file(path, _rel(root, path))
        problems += read_problems
        if raw is None:
            continue
        ct, table_problems = check_table(raw, TABLES[name], year)
        problems += table_problems
        if ct is not None:
            checked[(year, name)] = ct
    problems += check_references(list(checked.values()))
    return checked, found_years, problems


def validate_directory(root: str | Path, years: list[int] | None = None) -> list[Problem]:
    """Every problem (errors and warnings) of a data directory; writes nothing."""
    _, _, problems = check_directory(root, years)
    return problems


def load_dataset(root: str | Path, years: list[int] | None = None, *, validate: bool = True,
                 columns: Mapping[str, Iterable[str] | None] | None = None) -> Dataset:
    """Load and validate a data directory; raise :class:`DataValidationError` on any error.

    ``columns``: table → the columns to keep (``unit_id`` is always kept; tables not named
    keep every column), e.g. :func:`evalkit.indicators.catalogue.required_columns`. With
    validation every column is still read and checked, then the others are dropped.

    ``validate=False`` is :func:`read_dataset`: no contract checks — only for data that
    has passed ``evalkit validate``.
    """
    if not validate:
        return read_dataset(root, years, columns=columns)
    _check_column_names(columns)
    root = Path(root)
    checked, found_years, problems = check_directory(root, years)
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    tables = {key: _select(ct.frame, key[1], columns) for key, ct in checked.items()}
    unit_ids = pd.Index(tables[(None, "units")]["unit_id"].astype(str))
    for key, frame in tables.items():
        if key[1] in _CATEGORICAL_UNIT_TABLES:
            # Large event tables: unit ids as categorical codes over the units table, so
            # per-unit counts are one bincount (validation has checked every id exists).
            frame["unit_id"] = pd.Categorical(frame["unit_id"].astype(str), categories=unit_ids)
    hashes = {_rel(root, ct.raw.path): sha256_file(ct.raw.path) for ct in checked.values()}
    overrides = workday_overrides_of(root)
    if overrides is not None:
        hashes[WORKDAYS_FILE] = sha256_file(root / WORKDAYS_FILE)
    return Dataset(root=root, years=tuple(found_years), tables=tables,
                   files=dict(sorted(hashes.items())),
                   warnings=tuple(p for p in problems if p.severity != "error"),
                   workday_overrides=overrides)


def _check_column_names(columns: Mapping[str, Iterable[str] | None] | None) -> None:
    unknown = sorted(set(columns or {}) - set(TABLES))
    if unknown:
        raise EvalkitError(f"columns: no table named {', '.join(unknown)}")


def _wanted(name: str, columns: Mapping[str, Iterable[str] | None] | None) -> set[str] | None:
    """The contract columns of ``name`` to keep (None = all); ``unit_id`` always."""
    if columns is None or columns.get(name) is None:
        return None
    wanted = set(columns[name]) | {"unit_id"}
    unknown = wanted - set(TABLES[name].column_names) - {"unit_id"}
    if unknown:
        raise EvalkitError(f"columns: the '{name}' table has no column {', '.join(sorted(unknown))}")
    return wanted


def _select(frame: pd.DataFrame, name: str, columns) -> pd.DataFrame:
    wanted = _wanted(name, columns)
    if wanted is None:
        return frame
    return frame[[c for c in frame.columns if c in wanted]]


def read_dataset(root: str | Path, years: list[int] | None = None,
                 columns: Mapping[str, Iterable[str] | None] | None = None, *, defer: bool = True) -> Dataset:
    """Read a data directory that has passed ``evalkit validate``, fast and WITHOUT the
    contract checks. Use it only on data that passed ``evalkit validate`` (or that evalkit
    wrote itself, e.g. an efficiency database export).

    Parquet tables are read straight into the types ``load_dataset`` gives, reading only
    the ``columns`` asked for (table → columns; ``unit_id`` is always read; tables not
    named are read whole) — see :mod:`evalkit.data.reading`. What is skipped: every row check
    (types, ranges, empty cells, unique keys, anchor years, date orders, references between
    tables); a record that breaks the contract gives wrong indicators instead of an error.
    What is still refused: an unknown or ambiguous file name, a missing units table, a
    unit id that is not in the units table, a category value that is not a code or label,
    a missing non-nullable column. Files in other formats (the CSV units table …) are
    converted, and so checked, table by table as ``load_dataset`` does.

    ``defer``: the large event tables (service cases, 12345 tickets, grid cases) stored as
    Parquet are opened but not read: ``compute_indicators`` counts them as it decodes them,
    a batch of rows at a time per core, and ``Dataset.table`` reads one whole when asked for
    it. Their unit ids and category values are then looked at when they are read. The
    SHA-256 of every file is taken now, and a deferred file that changes before it is read
    is refused.

    Differences from ``load_dataset``: category columns of the large event tables are
    pandas categoricals over the contract's codes rather than Python strings (same values);
    ``Dataset.validated`` is False. ``files`` holds the SHA-256 of every file, as for
    ``load_dataset``.
    """
    from .loading import file_format
    from .reading import ParquetTable

    _check_column_names(columns)
    root = _data_root(root)
    files, found_years, problems = discover(root, years)
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    order = sorted(files.items(), key=lambda kv: (kv[0][0] is not None, kv[0][0] or 0, kv[0][1]))
    tables: dict = {}
    unit_ids: pd.Index | None = None
    # The files' SHA-256 (provenance) on a thread of its own while the tables are read:
    # hashlib releases the GIL.
    hashing = ThreadPoolExecutor(max_workers=1)
    hashes = {_rel(root, path): hashing.submit(sha256_file, path) for path in files.values()}
    hashing.shutdown(wait=False)
    for (year, name), path in order:  # district tables (units first of all) before years
        table, display = TABLES[name], _rel(root, path)
        wanted = _wanted(name, columns)
        categorical = name in _CATEGORICAL_UNIT_TABLES
        if file_format(path) == "parquet":
            source = ParquetTable(path, display, table, wanted, unit_ids, categorical)
            frame = source if defer and categorical and source.num_rows else source.load()
        else:
            frame = _select(_converted(path, display, table, year), name, columns)
            if categorical:
                frame = _as_categorical(frame, table, unit_ids, display)
        tables[(year, name)] = frame
        if name == "units":
            unit_ids = pd.Index(frame["unit_id"].astype(str))
    overrides = workday_overrides_of(root)
    files = {rel: digest.result() for rel, digest in sorted(hashes.items())}
    if overrides is not None:
        files = dict(sorted({**files, WORKDAYS_FILE: sha256_file(root / WORKDAYS_FILE)}.items()))
    return Dataset(root=root, years=tuple(found_years), tables=tables, files=files,
                   warnings=tuple(p for p in problems if p.severity != "error"), validated=False,
                   workday_overrides=overrides)


def _converted(path: Path, display: str, table: Table, year: int | None) -> pd.DataFrame:
    """A non-Parquet file converted as validation does; its own problems are errors."""
    raw, problems = read_file(path, display)
    ct = None
    if raw is not None:
        ct, table_problems = check_table(raw, table, year)
        problems = problems + table_problems
    if ct is None or any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    return ct.frame


def _as_categorical(frame: pd.DataFrame, table: Table, unit_ids: pd.Index | None, display: str) -> pd.DataFrame:
    """Unit ids and category columns of a large event table as categoricals."""
    frame = frame.copy()
    for col in table.columns:
        if col.name not in frame:
            continue
        if col.name == "unit_id" and unit_ids is not None:
            ids = frame["unit_id"].astype(str).where(frame["unit_id"].notna())
            unknown = ~ids.isin(unit_ids) & ids.notna()
            if unknown.any():
                raise EvalkitError(f"{display}, column 'unit_id': '{ids[unknown].iloc[0]}' is not in the "
                                   "units table; run 'evalkit validate'")
            frame["unit_id"] = pd.Categorical(ids, categories=unit_ids)
        elif col.dtype == "category":
            frame[col.name] = pd.Categorical(frame[col.name], categories=list(col.categories))
    return frame
