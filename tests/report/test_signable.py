"""Issue 11's acceptance on the sample district 2024: every unit report adds up, shows missing
data as missing, never overstates precision and explains every decision.

The checks read the report blocks (:func:`evalkit.report.present.unit_sections`): the one
set of blocks the HTML is rendered from, the PDF laid out from and the JSON payload holds
(``tests/report/test_payload_json.py`` checks that the three carry the same blocks).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from evalkit.report import present
from evalkit.results import analysis
from evalkit.scoring.kernels import PUBLISHED_DECIMALS

from tests.helpers.text import all_text as _all_text

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def sample_results(sample_2024):
    return sample_2024()


def _text(cell) -> str:
    return cell["text"] if isinstance(cell, dict) else str(cell)


def _number(text: str) -> float:
    return float(text.replace("※", "").replace(",", "").replace("+", "").replace("−", "-"))


def test_every_unit_report_adds_up(sample_results):
    for unit in sample_results.units["unit_id"]:
        for language in ("zh", "en"):
            section = present.areas_section(sample_results, unit, language, chart=False)
            table = next(b for b in section["blocks"] if b["type"] == "table")
            scores, lost, rates = [], [], []
            for row in table["rows"]:
                cells = [_text(c) for c in row["cells"]]
                if cells[2] and cells[2] not in ("", present.msg(language, "no_data")):
                    scores.append(_number(cells[2]))
                    lost.append(_number(cells[3]))
                    rates.append(_number(cells[4].rstrip("%")))
            foot = {_text(r["cells"][0]): [_text(c) for c in r["cells"]] for r in table["footer"]}
            labels = list(foot)
            base = _number(foot[labels[0]][2])
            total = _number(foot[labels[-1]][2])
            # the printed areas add up to the printed base exactly (largest-remainder rounding)
            assert sum(scores) == pytest.approx(base, abs=10 ** -PUBLISHED_DECIMALS / 2), (unit, language)
            # base (re-based to 100 where points do not apply) + bonus − deduction = total
            start = _number(foot[labels[1]][2]) if len(labels) > 2 and "100" == foot[labels[1]][1] else base
            rest = sum(_number(foot[k][2]) for k in labels[1:-1] if foot[k][1] == "")
            assert start + rest == pytest.approx(total, abs=0.05), (unit, language, foot)
            assert total == pytest.approx(round(float(
                sample_results.units.set_index("unit_id").loc[unit, "score_100"]), PUBLISHED_DECIMALS))
            # never a rate above 100 %, never a negative loss
            assert max(rates, default=0) <= 100.0 and min(lost, default=0) >= 0, (unit, language)
            assert _number(foot[labels[0]][3]) >= 0


def test_no_score_rate_above_100_percent_and_no_negative_loss(sample_results):
    for unit in sample_results.units["unit_id"]:
        text = _all_text([present.summary_section(sample_results, unit),
                          present.strengths_section(sample_results, unit)])
        for share in re.findall(r"得分率 (\d+(?:\.\d+)?)%", text):
            assert float(share) <= 100.0, (unit, share)
        assert "失分 -" not in text and "失分 −" not in text
        # a total above the base is explained (base + bonus), never "100.2 / 100"
        assert "/ 100" not in text


def test_equal_published_scores_have_equal_published_ranks(sample_results):
    units = sample_results.units
    printed = units["score_100"].map(present.fmt_score)
    for (_, _), part in units.assign(printed=printed).groupby(["peer_group", "printed"]):
        assert part["rank"].nunique() == 1
    # and the reports say 并列 for them
    ties = units[units.duplicated(["peer_group", "rank"], keep=False)]
    for unit in ties["unit_id"]:
        assert present.tie_count(sample_results, unit) > 1


def test_not_applicable_and_provisional_are_shown_as_such(sample_results):
    na = sample_results.nodes[sample_results.nodes["status"] == "not_applicable"]
    assert not na.empty
    unit = na["unit_id"].iloc[0]
    zh = _all_text(present.unit_sections(sample_results, unit, "zh", charts=False))
    assert "不适用" in zh and na["na_reason"].iloc[0] in zh
    en = _all_text(present.unit_sections(sample_results, unit, "en", charts=False))
    assert "Not applicable" in en
    provisional = sample_results.units[sample_results.units["provisional"]]
    assert provisional["unit_id"].tolist() == ["D34"]
    d34 = _all_text(present.unit_sections(sample_results, "D34", "zh", charts=False))
    assert "（暂定）" in d34 and "低于公布门槛 75%" in d34
    # a filled value is never shown as data: the row says 无数据 and how it was scored
    filled = sample_results.nodes[(sample_results.nodes["unit_id"] == "D34")
                                  & (sample_results.nodes["status"] == "filled")]
    assert not filled.empty and "无数据" in d34 and "不代表实际表现" in d34


def test_strengths_and_weaknesses_never_share_an_indicator_and_goals_stay_in_range(sample_results):
    nodes = sample_results.nodes
    for unit in sample_results.units["unit_id"]:
        s = set(analysis.strengths(sample_results, unit)["code"])
        w = set(analysis.weaknesses(sample_results, unit)["code"])
        assert not s & w, unit
        sugg = analysis.suggestions(sample_results, unit)
        mine = nodes[nodes["unit_id"] == unit].set_index("code")
        for r in sugg.itertuples(index=False):
            if r.action in ("raise", "lower"):
                unit_ = mine.loc[r.code, "value_unit"]
                if unit_ == "%" or mine.loc[r.code, "kind"] == "qualitative":
                    assert 0 <= r.goal <= 100, (unit, r.code, r.goal)
        assert not set(sugg["code"]) & s


def test_vetoes_and_bars_get_a_suggestion_and_an_explanation(sample_results):
    for unit, kind in (("D17", "veto"), ("D33", "bar_top")):
        assert analysis.suggestions(sample_results, unit)["action"].iloc[0] == kind
        summary = _all_text(present.summary_section(sample_results, unit))
        assert ("一票否决" if kind == "veto" else "一票否优") in summary


def test_english_reports_hold_no_chinese_besides_unit_names(sample_results):
    names = set(sample_results.units["name_zh"])
    for unit in ("D10", "D17", "D34", "S11"):
        text = _all_text(present.unit_sections(sample_results, unit, "en", charts=False))
        for name in names:
            text = text.replace(name, "")
        assert not CJK.search(text), (unit, CJK.findall(text)[:10], text[max(0, CJK.search(text).start() - 80):][:160]
                                      if CJK.search(text) else "")


def test_scores_table_carries_base_bonus_deduction_and_reasons(sample_results):
    from evalkit.results.store import score_table

    table = score_table(sample_results)
    total = table[table["code"] == "TOTAL"].set_index("unit_id")
    for col in ("base_score", "bonus", "deduction", "adjustment_reasons", "provisional", "status"):
        assert col in table.columns
    assert total.loc["S11", "bonus"] == 3.0 and "多项创新成果" in total.loc["S11", "adjustment_reasons"]
    assert (total["points_lost"] >= 0).all()
    assert bool(total.loc["D34", "provisional"]) is True
    assert set(pd.unique(table["status"])) <= {"data", "filled", "not_reported", "not_applicable"}
