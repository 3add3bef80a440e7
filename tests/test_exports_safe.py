"""Exports never carry formulas (issue 16, item 1).

A unit id, a unit name or a node name starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is text, never a formula: in every XLSX evalkit writes the cell is typed as
text (and quote-prefixed, so editing it in Excel keeps it text); in CSV exports the cell is
prefixed with ``'`` (the OWASP rule), unless ``--raw-csv`` asks for the text as it is.
Numbers (a negative amount) are never touched.
"""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from evalkit.cli import main
from evalkit.data.writers import FORMULA_TRIGGERS, neutralise_formulas, write_table
from tests.helpers import SAMPLE

YEAR = 2024
DDE = "=cmd|' /C calc'!A0"
HOSTILE = [DDE, "+1+2", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1", "=HYPERLINK(\"http://x\",\"y\")"]

#: Unit ids of the sample renamed to ids a spreadsheet would read as formulas.
HOSTILE_IDS = {"D01": "=D01", "D02": "+D02", "D03": "-D03", "S01": "@S01"}
#: Unit names (name_zh) replaced by formulas, among them the DDE payload.
HOSTILE_NAMES = {"D04": DDE, "D05": "+区审计局", "S02": "-青枫路街道", "S03": "@街道"}
#: Framework node names replaced by formulas.
HOSTILE_NODE_NAMES = {"name_zh: 政务服务按时办结率": f"name_zh: \"{DDE}\"",
                      "name_zh: 行政效率": "name_zh: \"=1+1\"",
                      "name_zh: 全程网办率": "name_zh: \"@SUM(1,1)\""}


def formula_cells(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [f"{ws.title}!{c.coordinate}={c.value!r}" for ws in wb.worksheets
            for row in ws.iter_rows() for c in row if c.data_type == "f"]


def text_values(path: Path) -> set:
    wb = load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)}


# --- the writer ---------------------------------------------------------------------------------


@pytest.fixture()
def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame({"name": HOSTILE + ["ok"], "amount": [-1.5] * len(HOSTILE) + [2.0],
                         "count": list(range(len(HOSTILE) + 1))})


def test_xlsx_cells_starting_with_a_formula_character_are_text(tmp_path, hostile_frame):
    path = write_table(hostile_frame, tmp_path / "t.xlsx")
    assert not formula_cells(path)
    ws = load_workbook(path).active
    names = [ws.cell(row=i + 2, column=1) for i in range(len(HOSTILE))]
    # the text itself, not a prefixed copy (XML reads a carriage return back as a line feed)
    assert [c.value for c in names] == [h.replace("\r", "\n") for h in HOSTILE]
    assert all(c.data_type == "s" and c.quotePrefix for c in names)
    assert not ws.cell(row=len(HOSTILE) + 2, column=1).quotePrefix  # "ok" is plain
    assert ws.cell(row=2, column=2).value == -1.5  # numbers stay numbers


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_csv_cells_starting_with_a_formula_character_are_prefixed(tmp_path, hostile_frame, suffix):
    path = write_table(hostile_frame, tmp_path / f"t{suffix}")
    data = path.read_bytes()
    text = (gzip.decompress(data) if suffix.endswith(".gz") else data).decode("utf-8")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert back["name"].tolist() == ["'" + h for h in HOSTILE] + ["ok"]
    assert back["amount"].tolist()[0] == -1.5  # a negative number is a number, not a formula


def test_raw_csv_writes_the_text_as_it_is(tmp_path, hostile_frame):
    path = write_table(hostile_frame, tmp_path / "t.csv", raw_csv=True)
    back = pd.read_csv(path, keep_default_na=False)
    assert back["name"].tolist()[:4] == HOSTILE[:4]


def test_neutralise_formulas_touches_only_text_cells():
    frame = pd.DataFrame({"a": ["=1", "x", None, "-"], "b": [-1, 2, 3, 4],
                          "c": pd.array(["+1", None, "y", "@"], dtype="string")})
    out = neutralise_formulas(frame)
    assert out["a"].tolist()[:2] == ["'=1", "x"] and out["a"].isna().tolist()[2] and out["a"].tolist()[3] == "'-"
    assert out["b"].tolist() == [-1, 2, 3, 4]
    assert out["c"].tolist()[0] == "'+1" and out["c"].tolist()[3] == "'@"
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}
    assert frame["a"].tolist()[0] == "=1"  # the input is not changed


# --- the commands: evalkit score and evalkit indicators ------------------------------------------


def _rename_units(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("unit_id", "own_unit_id"):
        if column in frame.columns:
            frame[column] = frame[column].replace(HOSTILE_IDS)
    return frame


def _rewrite_csv(path: Path, change) -> None:
    gz = path.name.endswith(".gz")
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if gz else raw).decode("utf-8-sig")
    frame = change(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
    out = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    path.write_bytes(gzip.compress(out) if gz else out)


@pytest.fixture(scope="module")
def hostile_district(tmp_path_factory) -> Path:
    """The sample district (2024 only) with unit ids, unit names and node names that a
    spreadsheet would run as formulas."""
    d = tmp_path_factory.mktemp("hostile")
    for name in ("units.csv", "raters.csv", "rubric.yaml", "schemes.yaml"):
        shutil.copy(SAMPLE / name, d / name)
    shutil.copytree(SAMPLE / str(YEAR), d / str(YEAR))
    framework = (SAMPLE / "framework.yaml").read_text(encoding="utf-8")
    for old, new in HOSTILE_NODE_NAMES.items():
        assert old in framework
        framework = framework.replace(old, new, 1)
    (d / "framework.yaml").write_text(framework, encoding="utf-8")

    def units(frame):
        frame["name_zh"] = [HOSTILE_NAMES.get(u, n) for u, n in zip(frame["unit_id"], frame["name_zh"])]
        return _rename_units(frame)

    _rewrite_csv(d / "units.csv", units)
    _rewrite_csv(d / "raters.csv", _rename_units)
    for path in sorted((d / str(YEAR)).iterdir()):
        _rewrite_csv(path, _rename_units)
    return d


def test_evalkit_score_writes_no_formula(hostile_district, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["score", "--data", str(hostile_district), "--out", str(out)]) == 0, capsys.readouterr().err
    xlsx = out / str(YEAR) / "scores.xlsx"
    assert not formula_cells(xlsx)
    values = text_values(xlsx)
    assert {DDE, "=D01", "+D02", "-D03", "@S01", "=1+1", "@SUM(1,1)"} <= values  # as text
    table = pd.read_csv(out / str(YEAR) / "scores.csv", dtype=str, keep_default_na=False)
    assert "'" + DDE in set(table["name_zh"]) and "'" + DDE in set(table["node_zh"])
    assert {"'=D01", "'+D02", "'-D03", "'@S01"} <= set(table["unit_id"])
    texts = table[["unit_id", "name_zh", "peer_group", "code", "node_zh", "area", "indicator",
                   "value_unit", "grade", "flags"]].stack()
    assert not texts.str.match(r"^[=+\-@\t\r]").any()
    # the Parquet table keeps the data as they are (it is read by programs, not spreadsheets)
    assert "=D01" in set(pd.read_parquet(out / str(YEAR) / "scores.parquet")["unit_id"])


def test_evalkit_score_raw_csv(hostile_district, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["score", "--data", str(hostile_district), "--out", str(out), "--raw-csv"]) == 0
    table = pd.read_csv(out / str(YEAR) / "scores.csv", dtype=str, keep_default_na=False)
    assert "=D01" in set(table["unit_id"]) and DDE in set(table["name_zh"])
    assert not formula_cells(out / str(YEAR) / "scores.xlsx")  # the workbook is safe regardless


def test_evalkit_indicators_workbook_and_csv_hold_no_formula(hostile_district, tmp_path, capsys):
    xlsx = tmp_path / "indicators.xlsx"
    assert main(["indicators", "--data", str(hostile_district), "--out", str(xlsx)]) == 0, capsys.readouterr().err
    assert not formula_cells(xlsx)
    assert {"=D01", "+D02", "-D03", "@S01"} <= text_values(xlsx)
    csv = tmp_path / "indicators.csv"
    assert main(["indicators", "--data", str(hostile_district), "--out", str(csv)]) == 0
    ids = set(pd.read_csv(csv, dtype=str, keep_default_na=False)["unit_id"])
    assert {"'=D01", "'+D02", "'-D03", "'@S01"} <= ids and "=D01" not in ids
    assert main(["indicators", "--data", str(hostile_district), "--out", str(csv), "--raw-csv"]) == 0
    assert "=D01" in set(pd.read_csv(csv, dtype=str, keep_default_na=False)["unit_id"])


def test_categorical_text_columns_are_neutralised_too(tmp_path):
    """A unit id column kept as a pandas category (as results tables may hold it) is text
    like any other: its formula-like values are prefixed in CSV and typed as text in XLSX."""
    frame = pd.DataFrame({"unit_id": pd.Categorical([DDE, "D01", None, "@S01"]),
                          "group": pd.Categorical([1, 2, 1, 2])})
    out = neutralise_formulas(frame)
    assert out["unit_id"].tolist()[:2] == ["'" + DDE, "D01"] and out["unit_id"].tolist()[3] == "'@S01"
    assert pd.isna(out["unit_id"].tolist()[2])
    assert isinstance(out["group"].dtype, pd.CategoricalDtype)  # nothing to neutralise: kept
    back = pd.read_csv(write_table(frame, tmp_path / "t.csv"), dtype=str, keep_default_na=False)
    assert back["unit_id"].tolist() == ["'" + DDE, "D01", "", "'@S01"]
    assert not formula_cells(write_table(frame, tmp_path / "t.xlsx"))
    assert {DDE, "@S01"} <= text_values(tmp_path / "t.xlsx")
