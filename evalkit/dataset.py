"""A data directory: finding its files, validating them, and the typed :class:`Dataset`.

Layout (see :mod:`evalkit.contract`)::

    DATA_DIR/
      units.csv            district-wide tables
      raters.csv
      2023/service_cases.csv.gz ...   one folder per calendar year
      2024/...

Other files (README.md, framework YAML, notes) are ignored; a *data* file whose name is not
a contract table is an error, because a misspelt name would otherwise silently give no data.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .contract import SUFFIXES, TABLES, Table
from .errors import DataValidationError, EvalkitError, Problem
from .loading import read_file, sha256_file
from .validation import CheckedTable, check_references, check_table

_YEAR_DIR = re.compile(r"^\d{4}$")
#: Tables whose ``unit_id`` is loaded as a categorical over the units table.
_CATEGORICAL_UNIT_TABLES = ("service_cases", "hotline_tickets", "grid_cases")


@dataclass(frozen=True)
class Dataset:
    """Validated input tables of one data directory, converted to contract types.

    ``tables[(None, name)]`` holds a district table, ``tables[(year, name)]`` a year table.
    ``files`` maps each file's path relative to ``root`` to its SHA-256, the provenance that
    every result and report carries.
    """

    root: Path
    years: tuple[int, ...]
    tables: dict[tuple[int | None, str], pd.DataFrame]
    files: dict[str, str]
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def units(self) -> pd.DataFrame:
        return self.tables[(None, "units")]

    def table(self, name: str, year: int | None = None) -> pd.DataFrame:
        """A table, or an empty frame with the contract columns when the file is absent."""
        t = TABLES[name]
        key = (None, name) if t.scope == "district" else (year, name)
        if t.scope == "year" and year is None:
            raise ValueError(f"table {name!r} is per year: give a year")
        if key in self.tables:
            return self.tables[key]
        return empty_frame(t)

    def has(self, name: str, year: int | None = None) -> bool:
        t = TABLES[name]
        return ((None, name) if t.scope == "district" else (year, name)) in self.tables


_EMPTY_DTYPES = {"id": object, "text": object, "category": object, "int": "Int64",
                 "float": "float64", "money": "float64", "bool": "boolean",
                 "date": "datetime64[ns]", "datetime": "datetime64[ns]"}


def empty_frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=_EMPTY_DTYPES[c.dtype]) for c in table.columns})


def _table_name(path: Path) -> str | None:
    name = path.name
    for suffix in SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return None


def _data_files(folder: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for p in sorted(folder.iterdir()):
        if p.is_file() and not p.name.startswith((".", "~$")):
            name = _table_name(p)
            if name is not None:
                found.setdefault(name, []).append(p)
    return found


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
        for name, paths in _data_files(folder).items():
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
                    close = difflib.get_close_matches(name, sorted(allowed), n=1)
                    hint = f" — did you mean '{close[0]}'?" if close else ""
                    expected = "a file named after a table of the data contract" + hint
                problems.append(Problem(display, None, None, expected, f"a file named '{paths[0].name}'"))
                continue
            files[(year, name)] = paths[0]

    place(root, district_names, None)
    year_dirs = {int(p.name): p for p in sorted(root.iterdir()) if p.is_dir() and _YEAR_DIR.match(p.name)}
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
        if t.scope == "district" and (None, t.name) not in files:
            severity = "error" if t.required else "warning"
            problems.append(Problem(f"{t.name}.csv", None, None,
                                    f"the '{t.name}' table ({t.label_zh}) as " + " / ".join(
                                        t.name + s for s in SUFFIXES), "no such file", severity))
    for y in chosen:
        if y not in year_dirs:
            continue
        absent = [t.name for t in TABLES.values() if t.scope == "year" and (y, t.name) not in files]
        if absent:
            problems.append(Problem(f"{y}/", None, None,
                                    "every table of the data contract (indicators that need a "
                                    "missing table show no data)",
                                    "no file for " + ", ".join(absent), "warning"))
    return files, [y for y in chosen if y in year_dirs], problems


def check_directory(root: str | Path, years: list[int] | None = None) -> tuple[dict[tuple[int | None, str], CheckedTable], list[int], list[Problem]]:
    root = Path(root)
    if not root.exists():
        raise EvalkitError(f"data directory not found: {root}")
    if not root.is_dir():
        raise EvalkitError(f"expected a data directory, found a file: {root}")
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


def load_dataset(root: str | Path, years: list[int] | None = None) -> Dataset:
    """Load and validate a data directory; raise :class:`DataValidationError` on any error."""
    root = Path(root)
    checked, found_years, problems = check_directory(root, years)
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    tables = {key: ct.frame for key, ct in checked.items()}
    unit_ids = pd.Index(tables[(None, "units")]["unit_id"].astype(str))
    for key, frame in tables.items():
        if key[1] in _CATEGORICAL_UNIT_TABLES:
            # Large event tables: unit ids as categorical codes over the units table, so
            # per-unit counts are one bincount (validation has checked every id exists).
            frame["unit_id"] = pd.Categorical(frame["unit_id"].astype(str), categories=unit_ids)
    hashes = {_rel(root, ct.raw.path): sha256_file(ct.raw.path) for ct in checked.values()}
    return Dataset(root=root, years=tuple(found_years), tables=tables,
                   files=dict(sorted(hashes.items())),
                   warnings=tuple(p for p in problems if p.severity != "error"))
