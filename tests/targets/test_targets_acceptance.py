"""Acceptance (issue 14, item 3): targets proposed from the 2023 sample results and agreed for
one unit drive that unit's 2024 scoring, as hand-computed, and no other unit's leaf scores.

Flow: ``evalkit targets --year 2023`` on a copy of the sample → fill 商定目标 for D01 in the
workbook → save it as ``targets/2024.xlsx`` → compute the 2024 results.
"""

import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.report.present import report_html, targets_section
from evalkit.resources import sample_data_dir
from evalkit.results.compute import compute_results

#: D01's agreed 2024 targets: the proposals for PUB01, SAT01 and STF01, and the office's own,
#: more demanding 90 % for PUB02 (proposed: its policy target 85 %).
AGREED = {"PUB01": 100.0, "SAT01": 94.8, "STF01": 94.3, "PUB02": 90.0}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    root = tmp_path_factory.mktemp("targets")
    data = root / "data"
    shutil.copytree(sample_data_dir(), data)
    baseline = compute_results(data, year=2024)
    workbook = root / "proposal.xlsx"
    assert main(["targets", "--year", "2023", "--out", str(workbook), "--data", str(data)]) == 0
    proposals = pd.read_excel(workbook, sheet_name=0)
    wb = openpyxl.load_workbook(workbook)
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    unit, leaf, agreed = head.index("单位编码"), head.index("指标编号"), head.index("商定目标")
    for row in ws.iter_rows(min_row=2):
        if row[unit].value == "D01" and row[leaf].value in AGREED:
            row[agreed].value = AGREED[row[leaf].value]
    (data / "targets").mkdir()
    wb.save(data / "targets" / "2024.xlsx")
    return data, proposals, baseline, compute_results(data, year=2024)


def test_the_proposals_for_d01_from_2023(flow):
    _, proposals, _, _ = flow
    d01 = proposals[proposals["单位编码"] == "D01"].set_index("指标编号")
    # 2023: PUB01 100 % (at the top: range cap); SAT01 94.74 % above the median 94.18 %
    # (own level, rounded up to 94.8); STF01 94.34 % below the median 96 % where lower is
    # better (own level, rounded down to 94.3); PUB02 80 % + 0.5 × (83.47 − 80) = 81.7 < 85
    assert d01.loc[list(AGREED), "建议目标"].tolist() == [100.0, 94.8, 94.3, 85.0]
    assert d01.loc[list(AGREED), "确定规则"].tolist() == ["取值范围上限", "保持自身水平", "保持自身水平", "政策目标底线"]
    assert d01["商定目标"].isna().all()
    assert set(pd.read_excel(flow[0] / "targets" / "2024.xlsx", sheet_name=None)) == {"效能目标", "说明"}


def test_agreed_targets_change_d01_as_hand_computed(flow):
    _, _, before, after = flow
    nb = before.nodes.set_index(["unit_id", "code"])
    na = after.nodes.set_index(["unit_id", "code"])
    v = {c: nb.loc[("D01", c), "raw_value"] for c in AGREED}  # the 2024 values (targets change no value)
    expected = {
        "PUB01": 7 - 1 * (100 - v["PUB01"]) / 1,            # threshold_deduct per 1 pp, 1 point
        "SAT01": 4 - 0.5 * (94.8 - v["SAT01"]) / 1,         # per 1 pp, 0.5 point
        "STF01": 3 - 0.5 * (v["STF01"] - 94.3) / 1,         # lower is better
        "PUB02": 7 * (v["PUB02"] - 60) / (90 - 60),         # linear band 60–85 → 60–90
    }
    assert {c: na.loc[("D01", c), "score"] for c in AGREED} == pytest.approx(expected, abs=1e-9)
    # with the sample's 2024 values: 95.238 %, 89.474 %, 96.296 %, 85 %
    assert expected == pytest.approx({"PUB01": 2.238095, "SAT01": 1.336842, "STF01": 2.001852,
                                      "PUB02": 5.833333}, abs=1e-6)
    ub, ua = before.units.set_index("unit_id"), after.units.set_index("unit_id")
    lost = sum(nb.loc[("D01", c), "score"] - expected[c] for c in AGREED)
    assert ua.loc["D01", "total_score"] == pytest.approx(ub.loc["D01", "total_score"] - lost, abs=1e-9)
    assert ua.loc["D01", "total_score"] == pytest.approx(58.031483, abs=1e-6)
    assert ua.loc["D01", "score_100"] == pytest.approx(100 * 58.031483 / 75, abs=1e-5)
    # the agreed target is the row's target, and its rule texts are the rule at that target
    assert na.loc[("D01", "PUB01"), "target"] == 100.0
    assert na.loc[("D01", "PUB01"), "explain"].startswith("比目标 100% 低 4.76 个百分点")
    assert "90% 及以上得满分" in na.loc[("D01", "PUB02"), "rule"]


def test_no_other_leaf_score_changes(flow):
    _, _, before, after = flow
    key = ["unit_id", "code"]
    b = before.nodes[before.nodes["level"] > 1].set_index(key)["score"]
    a = after.nodes[after.nodes["level"] > 1].set_index(key)["score"]
    changed = ~np.isclose(a, b.reindex(a.index), equal_nan=True, rtol=0, atol=1e-12)
    assert sorted(a.index[changed]) == sorted(("D01", c) for c in AGREED)
    others = after.nodes[after.nodes["unit_id"] != "D01"]
    assert (others["target"].fillna(-1).to_numpy()
            == before.nodes[before.nodes["unit_id"] != "D01"]["target"].fillna(-1).to_numpy()).all()


def test_provenance_records_the_agreed_file(flow):
    data, _, before, after = flow
    from evalkit.data.files import sha256_file

    sha = sha256_file(data / "targets" / "2024.xlsx")
    assert after.meta["targets"] == {"year": 2024, "file": "targets/2024.xlsx", "sha256": sha, "units": 1,
                                     "targets": 4}
    assert after.meta["data_hashes"]["targets/2024.xlsx"] == sha
    assert "targets" not in before.meta
    table = after.tables["agreed_targets"].set_index("code")
    assert table.loc["PUB01", ["framework_target", "agreed_target"]].tolist() == [98.0, 100.0]
    assert table["met"].tolist() == [False, False, False, False]
    # 2023 has no agreed file: its history score is unchanged
    hb, ha = (r.tables["history"].set_index(["unit_id", "year"])["score_100"] for r in (before, after))
    assert ha.loc[("D01", 2023)] == hb.loc[("D01", 2023)]


def test_the_unit_report_shows_the_agreed_targets(flow):
    _, _, before, after = flow
    assert targets_section(before, "D01") is None
    assert targets_section(after, "D02") is None
    html = report_html(after, "D01", "zh")
    assert "效能目标" in html and "商定目标" in html and "未达到" in html and "targets/2024.xlsx" in html
    en = report_html(after, "D01", "en")
    assert "Agreed targets" in en and "Not met" in en


def test_a_hostile_agreed_file_is_one_clear_message(flow, tmp_path, capsys):
    data, _, _, _ = flow
    bad = tmp_path / "data"
    shutil.copytree(data, bad)
    (bad / "targets" / "2024.xlsx").unlink()
    (bad / "targets" / "2024.csv").write_text("单位编码,指标编号,商定目标\nD01,PUB01,百分百\n", encoding="utf-8")
    assert main(["score", "--year", "2024", "--data", str(bad), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "targets/2024.csv" in err and "row 2, column '商定目标': expected a number; found '百分百'" in err
    assert "Traceback" not in err
    assert main(["validate", str(bad)]) == 1
    assert "expected a number; found '百分百'" in capsys.readouterr().out
