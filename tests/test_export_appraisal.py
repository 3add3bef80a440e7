"""``evalkit export appraisal``: the annual appraisal table (年度绩效考核) on the shipped sample —
one row per unit, every value equal to the one results computation, worded as the unit
reports word it, written as a plain-values workbook with a notes sheet."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from evalkit.cli import main
from evalkit.report import present
from evalkit.report.appraisal import (COLUMNS, NOTES_SHEET, TABLE_SHEET, appraisal_notes, appraisal_table,
                                      write_appraisal)
from evalkit.scoring.kernels import PUBLISHED_DECIMALS

GENERATED = dt.date(2025, 1, 15)


@pytest.fixture(scope="module")
def results(sample_2024):
    return sample_2024()


@pytest.fixture(scope="module")
def table(results):
    return appraisal_table(results, "zh")


def _row(table: pd.DataFrame, unit: str) -> pd.Series:
    return table.set_index("unit_id").loc[unit]


def _adjustments(results, kind: str) -> pd.DataFrame:
    adj = results.table("adjustments")
    return adj[adj["kind"] == kind]


def test_one_row_per_unit_in_results_order(results, table):
    assert list(table.columns) == [c.key for c in COLUMNS]
    assert table["unit_id"].tolist() == results.units["unit_id"].astype(str).tolist()
    assert table["unit_id"].is_unique
    assert (table["year"] == results.meta["year"]).all()


def test_scores_grades_and_ranks_are_the_results(results, table):
    u = results.units.reset_index(drop=True)
    expected = [float(present.fmt_score(v).replace(",", "")) for v in u["score_100"]]
    assert table["score"].tolist() == expected
    assert table["score"].round(PUBLISHED_DECIMALS).equals(table["score"])
    # grade names from the results' grade bands (in Chinese: the bands' own names)
    assert table["grade"].tolist() == u["grade"].astype(str).tolist()
    assert table["rank"].astype(int).tolist() == u["rank"].astype(int).tolist()
    assert table["n_in_group"].astype(int).tolist() == u["n_in_group"].astype(int).tolist()
    assert set(table["peer_group"]) == {"部门", "街镇"}
    assert table["rank_text"].tolist() == [present.rank_phrase(results, uid) for uid in u["unit_id"]]


def test_ties_are_shown_as_the_reports_show_them(results, table):
    u = results.units
    shared = u[u.duplicated(["peer_group", "rank"], keep=False)]["unit_id"].astype(str)
    assert len(shared) >= 2, "the sample has a tied rank"
    assert set(table.loc[table["tied"] == "是", "unit_id"]) == set(shared)
    for uid in shared:
        assert _row(table, uid)["rank"] == _row(table, shared.iloc[0])["rank"]


def test_veto_and_bar_top_show_their_reasons(results, table):
    for kind, flag, column in (("veto", "veto", "veto_reason"), ("bar_top", "bar_top", "bar_top_reason")):
        rows = _adjustments(results, kind)
        assert not rows.empty, f"the sample has a {kind}"
        for r in rows.itertuples():
            row = _row(table, r.unit_id)
            assert row[flag] == "是"
            assert r.reason in row[column]
            assert r.reason in row["decisions"]
        others = table[~table["unit_id"].isin(rows["unit_id"])]
        assert (others[flag] == "否").all() and (others[column] == "").all()
    vetoed = _row(table, _adjustments(results, "veto")["unit_id"].iloc[0])
    assert vetoed["grade"] == results.grades.fail and "一票否决" in vetoed["decisions"]


def test_a_capped_bonus_shows_request_cap_and_reason(results, table):
    capped = [r for r in _adjustments(results, "bonus").itertuples()
              if float(results.unit(r.unit_id)["bonus"]) < r.points]
    assert capped, "the sample has a capped bonus"
    for r in capped:
        row = _row(table, r.unit_id)
        assert row["bonus_requested"] == pytest.approx(r.points)
        assert row["bonus_cap"] == pytest.approx(r.cap)
        assert row["bonus"] == pytest.approx(r.cap) and row["bonus"] < row["bonus_requested"]
        assert r.reason in row["bonus_reasons"]
        assert row["decisions"].split("\n") == present.decision_texts(results, r.unit_id)
        assert "封顶" in row["decisions"]


def test_every_adjustment_is_listed_with_its_reason(results, table):
    for kind in ("bonus", "deduction"):
        for r in _adjustments(results, kind).itertuples():
            assert r.reason in _row(table, r.unit_id)[f"{kind}_reasons"]
    plain = table[~table["unit_id"].isin(results.table("adjustments")["unit_id"])]
    assert (plain["bonus"] == 0).all() and (plain["deduction"] == 0).all()
    assert plain["bonus_requested"].isna().all() and plain["bonus_cap"].isna().all()


def test_totals_reconcile_as_printed(results, table):
    u = results.units.set_index(results.units["unit_id"].astype(str))
    for row in table.itertuples():
        assert round(row.base + row.bonus - row.deduction, PUBLISHED_DECIMALS) == row.score, row.unit_id
        assert row.bonus == round(float(u.loc[row.unit_id, "bonus"]), PUBLISHED_DECIMALS)
        assert row.deduction == round(float(u.loc[row.unit_id, "deduction"]), PUBLISHED_DECIMALS)
        # the base is the indicators' points on 100 (before adjustments), as the results define it
        rebased = 100 * float(u.loc[row.unit_id, "base_score"]) / float(u.loc[row.unit_id, "max_score"])
        assert row.base == pytest.approx(rebased, abs=10 ** -PUBLISHED_DECIMALS)


def test_provisional_units_are_flagged_with_their_reason(results, table):
    provisional = results.units[results.units["provisional"]]["unit_id"].astype(str)
    assert len(provisional), "the sample has a provisional unit"
    flagged = table[table["provisional"] == "是"]
    assert set(flagged["unit_id"]) == set(provisional)
    for row in flagged.itertuples():
        assert row.provisional_reason == present.provisional_reason(results, row.unit_id) != ""
        assert "暂定" in row.rank_text and row.provisional_reason in row.decisions
    assert (table.loc[table["provisional"] == "否", "provisional_reason"] == "").all()


def test_english_uses_the_bands_english_names(results):
    en = appraisal_table(results, "en")
    names = {b["name"]: b["name_en"] for b in results.meta["grades"]["bands"]}
    assert en["grade"].tolist() == [names[g] for g in results.units["grade"]]
    assert set(en["tied"]) <= {"Yes", "No"}
    vetoed = _adjustments(results, "veto").iloc[0]
    assert vetoed["reason_en"] in _row(en, vetoed["unit_id"])["veto_reason"]


def test_notes_give_every_column_and_the_provenance(results):
    notes = appraisal_notes(results, "zh", generated=GENERATED)
    text = "\n".join(notes.astype(str).agg(" ".join, axis=1))
    for c in COLUMNS:
        assert f"{c.zh} / {c.en}" in text and c.note_zh in text and c.note_en in text
    meta = results.meta
    assert meta["framework_version"] in text and meta["framework_hash"] in text
    digest = present.dataset_digest(meta["data_hashes"])
    assert present.short_hash(digest) in text and digest in text  # as the provenance annex prints it
    assert GENERATED.isoformat() in text
    stored = dataclasses.replace(results, meta={**meta, "store": {"url": "evalkit.duckdb", "snapshot": 7,
                                                                    "at": "2025-01-10T08:00:00Z"}})
    text = "\n".join(appraisal_notes(stored, "zh", generated=GENERATED).astype(str).agg(" ".join, axis=1))
    assert "evalkit.duckdb · snapshot 7" in text


def test_workbook_is_plain_values_with_notes(results, table, tmp_path):
    hostile = results.table("adjustments").copy()
    hostile.loc[hostile["kind"] == "veto", "reason"] = "=HYPERLINK(\"http://x\")"
    tables = {**results.tables, "adjustments": hostile}
    path = write_appraisal(dataclasses.replace(results, tables=tables), tmp_path / "appraisal.xlsx",
                           generated=GENERATED)
    wb = load_workbook(path)
    assert wb.sheetnames == [TABLE_SHEET["zh"], NOTES_SHEET]
    ws = wb[TABLE_SHEET["zh"]]
    assert [c.value for c in ws[1]] == [c.zh for c in COLUMNS]
    assert ws.max_row == len(table) + 1 and ws.freeze_panes == "A2"
    cells = [c for row in wb[TABLE_SHEET["zh"]].iter_rows() for c in row] + \
            [c for row in wb[NOTES_SHEET].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    injected = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert injected and all(c.quotePrefix and c.data_type == "s" for c in injected)
    score_col = [c.key for c in COLUMNS].index("score") + 1
    scores = [ws.cell(row=i, column=score_col) for i in range(2, ws.max_row + 1)]
    assert [c.value for c in scores] == table["score"].tolist()
    assert {c.number_format for c in scores} == {"0." + "0" * PUBLISHED_DECIMALS}
    assert all(ws.column_dimensions[chr(ord("A") + j)].width >= 8 for j in range(len(COLUMNS)))
    notes = wb[NOTES_SHEET]
    assert [c.value for c in notes[1]] == ["项目 Item", "中文", "English"]
    assert notes.max_row == len(appraisal_notes(results, "zh", generated=GENERATED)) + 1


def test_cli_writes_the_workbook(results, tmp_path, monkeypatch, capsys):
    import evalkit.results.compute as compute

    seen = {}

    def computed_once(data, *args, **kwargs):  # the module's results: the sample is computed once
        seen.update(kwargs)
        return results

    monkeypatch.setattr(compute, "compute_results", computed_once)
    out = tmp_path / "appraisal-en.xlsx"
    code = main(["export", "appraisal", "--year", str(results.meta["year"]), "--out", str(out), "--language", "en"])
    assert code == 0, capsys.readouterr()
    assert seen["year"] == results.meta["year"]
    wb = load_workbook(out)
    assert wb.sheetnames == [TABLE_SHEET["en"], NOTES_SHEET]
    assert [c.value for c in wb[TABLE_SHEET["en"]][1]] == [c.en for c in COLUMNS]
    assert f"({len(results.units)} units" in capsys.readouterr().out


@pytest.mark.parametrize("year", ["1999", "20x4"])
def test_cli_bad_year_is_one_clear_message(tmp_path, capsys, year):
    out = tmp_path / "appraisal.xlsx"
    try:
        code = main(["export", "appraisal", "--year", year, "--out", str(out)])
    except SystemExit as exc:  # not a number: argparse's usage line and its error
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert "--year" in err if year == "20x4" else err.count("\n") == 1 and f"no data for {year}" in err
    assert not out.exists()


def test_cli_needs_an_xlsx_file_and_a_command(tmp_path, capsys):
    assert main(["export", "appraisal", "--year", "2024", "--out", str(tmp_path / "a.csv")]) == 2
    assert "expected a file ending in .xlsx" in capsys.readouterr().err
    assert main(["export"]) == 2
    assert "evalkit export appraisal" in capsys.readouterr().err


def test_the_documented_columns_are_the_code():
    from pathlib import Path

    from evalkit.report.appraisal import columns_markdown

    page = (Path(__file__).resolve().parents[1] / "docs" / "appraisal-export.md").read_text(encoding="utf-8")
    assert columns_markdown() in page, "regenerate the column table of docs/appraisal-export.md from columns_markdown()"
