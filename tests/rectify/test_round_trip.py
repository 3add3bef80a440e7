"""Acceptance (issue 14, item 4): a rectification round trip on a copy of the sample district —
created from the 2023 report, updated from a returned workbook and by the office, listed as
overdue, checked for effect in the 2024 report — with the tracker in the data directory, in a
DuckDB store and in a PostgreSQL store."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.report.present import rectification_section
from evalkit.resources import sample_data_dir
from evalkit.results.compute import compute_results


def _texts(block) -> str:
    if isinstance(block, dict):
        return " ".join(_texts(v) for v in block.values())
    if isinstance(block, list):
        return " ".join(_texts(v) for v in block)
    return str(block)


def _fill(workbook: Path, out: Path) -> list[str]:
    """The unit's answers: the first item done with its action, owner and a dated note; the
    second in progress; the third left as it was. Returns the item ids in sheet order."""
    wb = openpyxl.load_workbook(workbook)
    ws = wb.worksheets[0]
    col = {c.value: c.column for c in ws[1]}
    ids = [ws.cell(r, col["整改事项编号 item_id"]).value for r in range(2, ws.max_row + 1)]
    ws.cell(2, col["整改状态 status"]).value = "已完成待核验 done"
    ws.cell(2, col["整改措施 action"]).value = "建立督查事项台账，每周调度，逐项销号"
    ws.cell(2, col["责任人 owner"]).value = "督查科"
    ws.cell(2, col["进展说明 note"]).value = "全部督查事项已按期办结"
    ws.cell(2, col["说明日期 note_date"]).value = "2024-05-20"
    ws.cell(3, col["整改状态 status"]).value = "整改中"
    ws.cell(3, col["整改措施 action"]).value = "-每月通报完成进度"        # a text a spreadsheet would run
    wb.save(out)
    return ids


@pytest.fixture(params=["files", "duckdb", "postgresql"])
def tracker(request, tmp_path):
    data = tmp_path / "district"
    shutil.copytree(sample_data_dir(), data)
    if request.param == "files":
        return request.param, data, ["--data", str(data)]
    if request.param == "duckdb":
        url = str(tmp_path / "evalkit.duckdb")
    else:
        url = request.getfixturevalue("rectify_pg_cluster").create_database()
    assert main(["db", "init", "--db", url]) == 0
    assert main(["db", "import", str(data), "--db", url, "--by", "效能办"]) == 0
    return request.param, data, ["--db", url]


def _results_2024(kind: str, data: Path, where: list[str]):
    if kind == "files":
        return compute_results(data, year=2024)
    from evalkit.store.source import store_source

    with store_source(where[1]) as src:   # as `evalkit run --db` reads it
        return compute_results(src.data_dir, year=2024, dataset=src.dataset)


def test_rectification_round_trip(tracker, tmp_path, capsys):
    kind, data, where = tracker
    # 1. created from the 2023 report's priorities, idempotently
    assert main(["rectify", "create", "--year", "2023", *where, "--by", "效能办", "--date", "2024-02-01"]) == 0
    first = capsys.readouterr().out
    assert "Created 145 rectification item(s)" in first and "due 2024-06-30" in first
    assert main(["rectify", "create", "--year", "2023", *where, "--by", "效能办", "--date", "2024-02-02"]) == 0
    assert "Created 0 rectification item(s)" in capsys.readouterr().out
    if kind == "files":
        items = pd.read_csv(data / "2023" / "rectification_items.csv")
        assert len(items) == 145 and not items["item_id"].duplicated().any()
        assert main(["validate", str(data), "--year", "2023"]) == 0   # the tracker meets the contract
        capsys.readouterr()

    # 2. the unit's workbook, returned and applied; the office verifies
    given, returned = tmp_path / "D01.xlsx", tmp_path / "D01-returned.xlsx"
    assert main(["rectify", "list", *where, "--unit", "D01", "--out", str(given), "--as-of", "2024-03-01"]) == 0
    ids = _fill(given, returned)
    assert ids == ["2023-D01-01", "2023-D01-02", "2023-D01-03"]
    assert main(["rectify", "update", *where, "--from", str(returned), "--by", "张三", "--today", "2024-06-01"]) == 0
    assert "Updated 2 item(s)" in capsys.readouterr().out
    assert main(["rectify", "update", *where, "--id", ids[0], "--status", "verified", "--note",
                 "抽查督查台账 12 件，均按期办结", "--by", "效能办", "--date", "2024-07-10",
                 "--today", "2024-07-10"]) == 0
    capsys.readouterr()
    assert main(["rectify", "list", *where, "--unit", "D01", "--as-of", "2024-07-10"]) == 0
    listed = capsys.readouterr().out
    assert "2023-D01-01  D01  verified 已核验销号" in listed and "2023-D01-02  D01  overdue 逾期" in listed

    # 3. overdue at an as-of date
    assert main(["rectify", "overdue", *where, "--unit", "D01", "--as-of", "2024-09-30"]) == 0
    late = capsys.readouterr().out
    assert "2023-D01-02" in late and "2023-D01-03" in late and "2023-D01-01" not in late
    assert "92 day(s) overdue" in late and "2 item(s) overdue as of 2024-09-30" in late
    assert main(["rectify", "overdue", *where, "--as-of", "2024-06-30"]) == 0
    assert "0 item(s) overdue" in capsys.readouterr().out

    # 4. the effect in the 2024 report
    results = _results_2024(kind, data, where)
    follow = results.table("rectification_followup")
    mine = follow[follow["unit_id"] == "D01"].set_index("item_id")
    assert mine.loc[ids[1], "action"] == "-每月通报完成进度"          # round-trips exactly
    section = rectification_section(results, "D01", "zh")
    text = _texts(section)
    assert "2023年度评估报告提出的 3 项整改事项，截至 2024 年末：已核验销号 1 项、逾期 2 项。" in text
    assert "建立督查事项台账，每周调度，逐项销号" in text and "单位未填报" in text
    nodes = results.nodes[results.nodes["unit_id"] == "D01"].set_index("code")
    base = mine.loc[ids[0]]
    now = float(nodes.loc[base["indicator"], "raw_value"])
    assert base["baseline_value"] == pytest.approx(91.6666667) and now == pytest.approx(100.0)
    assert "+8.3 个百分点" in text and "改善" in text and "不能据此认定变化由整改措施引起" in text
    english = _texts(rectification_section(results, "D01", "en"))
    assert "+8.3 pp" in english and "not that the action caused it" in english
    assert rectification_section(results, "D01", "zh")["id"] == "rectification"
