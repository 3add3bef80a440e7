"""Malformed inputs kept as fixtures: ``evalkit validate`` rejects each one precisely.

``tests/fixtures/malformed/_base/`` is a tiny valid data directory (4 units, 4 raters and six
2024 tables). Every other folder there is one defect: the defective file(s) at their path in
a data directory plus ``case.json`` naming every error that must be reported — file, row as
the user sees it, column, and words of the message. Each test copies the base into a
temporary directory, overlays the case and checks

* ``validate_directory`` reports exactly the expected errors (no more: one defect gives no
  cascade of unrelated errors);
* ``evalkit validate DIR`` exits 1 and its printed report names the file, the row and the
  column of each error;
* validating writes nothing into the data directory.

``_valid_variants/`` holds inputs that must be *accepted* (GB18030, UTF-8 with BOM and CRLF,
Chinese headers and labels, .xlsx, .xlsm, .xls, .parquet, .csv.gz, tabs, full-width digits,
dates without a time …) and load to the same tables as the base. A case's ``warnings``
(either kind of case) must be among the warnings reported, each naming its file, row and
column, and be printed by ``evalkit validate``. ``_make_fixtures.py`` documents how every
fixture file was made.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.data.dataset import load_dataset, validate_directory
from evalkit.errors import Problem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "malformed"
BASE = FIXTURES / "_base"
VARIANTS = FIXTURES / "_valid_variants"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))
VARIANT_CASES = sorted(p.name for p in VARIANTS.iterdir() if p.is_dir())

#: Defects the acceptance criteria name explicitly; each must keep a fixture.
REQUIRED_CASES = {
    "encoding_big5", "encoding_latin1", "encoding_utf16", "encoding_utf16_no_bom",
    "missing_column", "duplicate_key", "unknown_unit_id", "negative_amount", "negative_count",
    "text_in_numeric", "empty_file", "header_only", "completion_before_receipt",
    "anchor_date_wrong_year", "xlsx_merged_title_row", "invalid_category", "bad_bool",
    "bad_date_string", "promised_longer_than_statutory", "rater_group_mismatch",
    "rectification_closed_without_date", "unknown_file_name", "duplicated_column_alias",
    "duplicated_column_same_name", "non_integer_int", "unknown_rater_id",
    "parquet_wrong_type", "xlsx_unknown_unit",
    # an office's own data (issue 16)
    "instant_with_promised_limit", "legal_outcome_wrong_kind", "legal_concluded_without_outcome",
    "unread_file_formats", "chinese_file_name_near_miss", "xls_unknown_unit", "comma_rows_then_error",
}
#: Accepted variants the acceptance criteria name explicitly.
REQUIRED_VARIANTS = {
    "full_width_digits", "datetime_date_only", "tab_separated", "comma_only_rows",
    "chinese_file_names", "xls", "xlsm", "xlsx_hidden_first_sheet",
}


def _spec(folder: Path) -> dict:
    return json.loads((folder / "case.json").read_text(encoding="utf-8"))


def build_case(folder: Path, dest: Path) -> Path:
    """A data directory: the base, minus the case's ``remove`` list, plus its files."""
    data = dest / "data"
    shutil.copytree(BASE, data)
    for rel in _spec(folder)["remove"]:
        (data / rel).unlink()
    for src in folder.rglob("*"):
        if src.is_file() and src.name != "case.json":
            target = data / src.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
    return data


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` with its size, mtime and (for files) content."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.stat()
        out[p.relative_to(root).as_posix()] = (
            p.is_dir(), st.st_size if p.is_file() else None, st.st_mtime_ns,
            p.read_bytes() if p.is_file() else None)
    return out


@pytest.fixture
def validate_cli(monkeypatch, capsys):
    """Run ``evalkit validate DIR``; return exit code, printed report and the problems.

    The problems are those ``validate_directory`` returned inside the command (one
    validation per call keeps the module fast).
    """
    import evalkit.data.dataset

    seen: list[list[Problem]] = []
    real = evalkit.data.dataset.validate_directory

    def spy(root, years=None):
        seen.append(real(root, years))
        return seen[-1]

    monkeypatch.setattr(evalkit.data.dataset, "validate_directory", spy)

    def run(data: Path) -> tuple[int, str, list[Problem]]:
        seen.clear()
        code = main(["validate", str(data)])
        out = capsys.readouterr().out
        assert len(seen) == 1
        return code, out, seen[0]

    return run


def _matches(p: Problem, e: dict) -> bool:
    return (p.file == e["file"] and p.row == e["row"] and p.column == e["column"]
            and e["found"] in p.found and e.get("expected", "") in p.expected)


def assert_warnings(name: str, spec: dict, problems: list[Problem], out: str) -> None:
    """Every warning of the case's spec is reported (file, row, column, words) and printed."""
    warnings = [p for p in problems if p.severity == "warning"]
    lines = out.splitlines()
    for e in spec.get("warnings", []):
        hit = next((p for p in warnings if _matches(p, e)), None)
        assert hit is not None, f"{name}: expected warning {e}\n  got: " + "\n  got: ".join(map(str, warnings))
        assert e["file"] in lines, f"file heading {e['file']!r} not printed:\n{out}"
        loc = _printed_line(e["row"], e["column"])
        assert [ln for ln in lines if ln.startswith("  WARNING") and f" {loc}: expected " in ln
                and e["found"] in ln], f"no printed warning with {loc!r} and {e['found']!r}:\n{out}"


def _printed_line(p_row: int | None, column: str | None) -> str:
    """The location the CLI prints for a problem (see ``evalkit.cli._print_problems``)."""
    where = []
    if p_row is not None:
        where.append(f"row {p_row}")
    if column is not None:
        where.append(f"column '{column}'")
    return ", ".join(where) or "file"


# ----------------------------------------------------------------------------------------
# The base
# ----------------------------------------------------------------------------------------

def test_base_is_valid_and_validate_exits_0(capsys):
    before = snapshot(BASE)
    problems = validate_directory(BASE)
    assert [p for p in problems if p.severity == "error"] == []
    # The only warning: the 2024 folder lacks the tables the base leaves out.
    assert [(p.file, p.severity) for p in problems] == [("2024/", "warning")]
    assert main(["validate", str(BASE)]) == 0
    out = capsys.readouterr().out
    assert "No errors (1 warning(s))" in out
    assert snapshot(BASE) == before


def test_base_loads_with_typed_tables():
    ds = load_dataset(BASE)
    assert ds.years == (2024,)
    assert list(ds.units["unit_id"]) == ["D01", "D02", "S01", "S02"]
    assert list(ds.units["peer_group"]) == ["department", "department", "subdistrict", "subdistrict"]
    sc = ds.table("service_cases", 2024)
    # Chinese labels in the base (C0005) are normalised to codes.
    assert list(sc["channel"]) == ["online", "offline", "offline", "online", "online"]
    assert list(sc["rating"].fillna("-")) == ["satisfied", "very_satisfied", "-",
                                              "dissatisfied", "satisfied"]
    assert list(sc["instant"]) == [False, True, False, False, False]
    assert str(sc["received_date"].dtype) == "datetime64[ns]"
    assert set(ds.files) == {"units.csv", "raters.csv"} | {
        f"2024/{t}.csv" for t in ("service_cases", "hotline_tickets", "budget_lines",
                                  "audit_findings", "rectifications", "ratings")}


def test_fixture_inventory():
    assert len(CASES) >= 20
    assert REQUIRED_CASES <= set(CASES), REQUIRED_CASES - set(CASES)
    assert REQUIRED_VARIANTS <= set(VARIANT_CASES), REQUIRED_VARIANTS - set(VARIANT_CASES)
    for name in CASES + [f"_valid_variants/{v}" for v in VARIANT_CASES]:
        folder = FIXTURES / name
        spec = _spec(folder)
        assert spec["description"]
        files = [p for p in folder.rglob("*") if p.is_file() and p.name != "case.json"]
        assert files or spec["remove"], name
        for p in files:  # keep the fixtures tiny
            assert p.stat().st_size < 20_000, p


# ----------------------------------------------------------------------------------------
# Malformed cases
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CASES)
def test_malformed_case_is_rejected_precisely(name, tmp_path, validate_cli):
    spec = _spec(FIXTURES / name)
    expected = spec["errors"]
    data = build_case(FIXTURES / name, tmp_path)
    before = snapshot(data)

    code, out, problems = validate_cli(data)
    assert code == 1
    errors = [p for p in problems if p.severity == "error"]
    unmatched = list(errors)
    for e in expected:
        hit = next((p for p in unmatched if _matches(p, e)), None)
        assert hit is not None, f"{name}: expected {e}\n  got: " + "\n  got: ".join(map(str, errors))
        unmatched.remove(hit)
    assert unmatched == [], f"{name}: unexpected errors: " + "; ".join(map(str, unmatched))
    for p in errors:  # row-level problems always carry a positive row number
        assert p.row is None or p.row >= 1

    lines = out.splitlines()
    for e in expected:
        assert e["file"] in lines, f"file heading {e['file']!r} not printed:\n{out}"
        loc = _printed_line(e["row"], e["column"])
        printed = [ln for ln in lines if ln.startswith("  ERROR")
                   and f" {loc}: expected " in ln and e["found"] in ln]
        assert printed, f"no printed line with {loc!r} and {e['found']!r}:\n{out}"
    assert lines[-1].startswith(f"{len(expected)} error(s) in ")
    assert lines[-1].endswith("the data do not meet the contract.")
    assert "Traceback" not in out
    assert_warnings(name, spec, problems, out)

    assert snapshot(data) == before, "validate wrote into the data directory"


# ----------------------------------------------------------------------------------------
# Inputs that must be accepted
# ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base_dataset():
    return load_dataset(BASE)


@pytest.mark.parametrize("name", VARIANT_CASES)
def test_valid_variant_is_accepted_and_loads_like_the_base(name, tmp_path, validate_cli,
                                                           base_dataset):
    folder = VARIANTS / name
    data = build_case(folder, tmp_path)
    before = snapshot(data)
    code, out, problems = validate_cli(data)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert code == 0
    assert "No errors" in out
    assert_warnings(name, _spec(folder), problems, out)
    ds = load_dataset(data)
    for table in _spec(folder)["same_tables_as_base"]:
        year = None if table in ("units", "raters") else 2024
        pd.testing.assert_frame_equal(ds.table(table, year), base_dataset.table(table, year),
                                      obj=f"{name}: {table}")
    assert snapshot(data) == before
