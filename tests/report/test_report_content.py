"""Report content without a kernel: the unit report's and the district overview's sections
built from results (the fake results of test_render.py and the sample district), the block
model's HTML, the history table and the optional qualitative / sensitivity tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from test_render import XSS_NAME, fake_results

from evalkit.report import blocks, messages, overview, present
from evalkit.results.store import Results, load_results, save_results
from tests.helpers.text import all_text as _all_text




@pytest.fixture(scope="module")
def sample_results(sample_2024):
    return sample_2024()


# ----------------------------------------------------------------------------------------
# Results: history and named tables
# ----------------------------------------------------------------------------------------

def test_history_covers_every_year_and_matches_the_previous_year(sample_results):
    hist = sample_results.history
    assert sorted(hist["year"].unique()) == [2022, 2023, 2024]
    assert len(hist) == 3 * len(sample_results.units)
    units = sample_results.units.set_index("unit_id")
    last = hist[hist["year"] == 2023].set_index("unit_id")
    assert np.allclose(last["score_100"], units.loc[last.index, "prev_score"])
    assert (last["rank"] == units.loc[last.index, "prev_rank"]).all()
    now = hist[hist["year"] == 2024].set_index("unit_id")
    assert (now["rank"] == units.loc[now.index, "rank"]).all()


def test_named_tables_survive_save_and_load(tmp_path):
    res = fake_results()
    hist = pd.DataFrame({"unit_id": ["D01", "D01"], "year": [2023, 2024], "score_100": [80.0, 88.0],
                         "rank": pd.array([2, 1], dtype="Int64")})
    res = Results(res.units, res.nodes, res.meta, tables={"history": hist})
    save_results(res, tmp_path)
    back = load_results(tmp_path)
    pd.testing.assert_frame_equal(back.history, hist)
    assert back.table("rank_intervals") is None
    # a table dropped later does not linger on disk
    save_results(Results(res.units, res.nodes, res.meta), tmp_path)
    assert load_results(tmp_path).history is None
    with pytest.raises(ValueError):
        save_results(Results(res.units, res.nodes, res.meta, tables={"../x": hist}), tmp_path)


def test_old_style_results_still_work():
    res = fake_results()
    assert res.tables == {} and res.history is None
    sections = present.unit_sections(res, "D01")
    assert [s.get("id", s["type"]) for s in sections] == [
        "document", "summary", "areas", "trend", "strengths", "qualitative", "indicators",
        "method", "provenance"]


# ----------------------------------------------------------------------------------------
# Unit report sections
# ----------------------------------------------------------------------------------------

def test_summary_has_score_grade_rank_change_and_says_not_computed():
    section = present.summary_section(fake_results(), "D01")
    text = _all_text(section)
    assert "2024年度，区市场监管局得分" in text
    cards = {c["label"]: c for c in section["blocks"][1]["items"]}
    assert set(cards) == {"总得分", "评估等次", "组内排名", "较上年排名"}
    assert cards["组内排名"]["value"] == "第 2 名" and cards["组内排名"]["notes"][0] == "共 3 个部门"
    assert cards["较上年排名"]["value"] == "↑1"
    # the score is printed with the published precision (the precision ranks are decided on)
    assert cards["总得分"]["value"].endswith(".00 分") or "." in cards["总得分"]["value"]


def test_rank_interval_is_shown_when_the_results_carry_it():
    res = fake_results()
    intervals = pd.DataFrame({"unit_id": ["D01", "D02", "D03"], "rank_low": [1, 2, 1],
                              "rank_high": [2, 3, 1], "n_scenarios": [200, 200, 200]})
    res = Results(res.units, res.nodes, res.meta, tables={"rank_intervals": intervals})
    text = _all_text(present.qualitative_section(res, "D01"))
    assert "第 1 名至第 2 名之间" in text and "200 种情形" in text
    # the wording says what was varied (weights only without a `varied` column)
    assert "指标权重的合理变动下" in text
    assert "排名均为第 1 名" in _all_text(present.qualitative_section(res, "D03"))
    both = intervals.assign(varied="weights+data")
    res2 = Results(res.units, res.nodes, res.meta, tables={"rank_intervals": both})
    assert "指标权重和数据抽样误差" in _all_text(present.qualitative_section(res2, "D01"))
    league = _all_text(overview.league_sections(res)[0])
    assert "1–2" in league


def test_qualitative_section_says_not_computed_without_tables():
    text = _all_text(present.qualitative_section(fake_results(), "D01"))
    assert "各评价群体评分：未计算" in text and "评价一致性：未计算" in text
    assert "排名区间：未计算" in text
    assert "服务对象满意度" in text  # the qualitative leaves are shown anyway


def test_qualitative_section_with_groups_and_reliability_holds_no_rater():
    res = fake_results()
    groups = pd.DataFrame({"unit_id": ["D01", "D01"], "rater_group": ["leader", "peer"],
                           "n_raters": [7, 3], "criteria_used": [4, 4], "score": [88.5, np.nan],
                           "published": [True, False], "status": ["ok", "below_min_raters"],
                           "rater_id": ["R001", "R002"]})  # must never be shown
    rel = pd.DataFrame({"rater_group": ["leader", "peer"], "criterion": ["c1", "c1"],
                        "agreement": ["good", "poor"], "low_agreement": [False, True],
                        "message_zh": ["评价一致性良（ICC(1,k) = 0.80）。", "评价一致性低：……应谨慎解读。"],
                        "message_en": ["Agreement is good.", "Low agreement."]})
    res = Results(res.units, res.nodes, res.meta,
                  tables={"qualitative_groups": groups, "reliability": rel})
    section = present.qualitative_section(res, "D01")
    text = _all_text(section)
    assert "区领导评价" in text and "88.5" in text and "不公布" in text
    assert "R001" not in text and "R002" not in text
    assert "2 项可评估的评分中有 1 项一致性偏低" in text and "应谨慎解读" in text
    en = _all_text(present.qualitative_section(res, "D01", "en"))
    assert "District leaders" in en and "Low agreement." in en


def test_improvement_suggestions_in_words():
    res = fake_results()
    suggestions = present.improvement_suggestions(res, "D02")
    assert suggestions[0].startswith("依申请公开按时答复率") or suggestions[0].startswith("行政复议纠错率")
    assert any("以内" in s and "降低到" in s for s in suggestions)  # A1: lower is better
    assert any("建议将其提高到" in s for s in suggestions)
    assert all("以上（≥" not in s for s in suggestions)  # never "above a target" that is a maximum
    text = _all_text(present.strengths_section(res, "D02"))
    assert "依申请公开按时答复率" in text and "8.00" in text


def test_trend_section_with_and_without_history(sample_results):
    text = _all_text(present.trend_section(fake_results(), "D01"))
    assert "未计算" in text
    section = present.trend_section(sample_results, "D17")
    # a line chart whose axis does not start at zero says so
    assert [b["type"] for b in section["blocks"]] == ["figure", "paragraph", "table"]
    assert "纵轴未从 0 开始" in section["blocks"][1]["text"]
    assert len(section["blocks"][2]["rows"]) == 3
    assert section["blocks"][0]["svg"].startswith("<svg")


def test_method_appendix_lists_rules_grades_and_points(sample_results):
    text = _all_text(present.method_section(sample_results, "D17"))
    assert "优秀：90 分及以上" in text and "不合格：低于 60 分" in text and "≥0" not in text
    assert "20%" in text and "并列" in text
    assert "政务服务按时办结率" in text and "达到 99.5% 得满分，每低 1 个百分点扣 2 分" in text


def test_areas_chart_and_table(sample_results):
    section = present.areas_section(sample_results, "D17")
    table, fig = section["blocks"]
    assert fig["type"] == "figure" and "<svg" in fig["svg"]
    labels = [r["cells"][0] if isinstance(r["cells"][0], str) else r["cells"][0]["text"] for r in table["footer"]]
    assert labels[0] == "基础分合计" and labels[-1] == "总分"


def test_english_report_uses_only_english_labels():
    res = fake_results()
    text = _all_text(present.unit_sections(res, "D01", "en"))
    # texts that come from the data and the framework stay as they are written there
    data_names = (set(res.nodes["name_zh"]) | set(res.units["name_zh"]) | set(res.units["unit_class"])
                  | set(res.nodes["rule"]) | set(res.nodes["value_unit"])) - {""}
    leftover = re.sub("|".join(map(re.escape, data_names)), "", text)
    cjk = [c for c in leftover if "\u4e00" <= c <= "\u9fff"]
    assert not cjk, "".join(cjk)[:40]


def test_every_catalogue_text_can_be_drawn_by_the_bundled_font():
    from evalkit.fonts import missing_glyphs

    for language, texts in messages.CATALOGUE.items():
        assert not missing_glyphs("".join(texts.values())), language


# ----------------------------------------------------------------------------------------
# Block HTML: everything escaped
# ----------------------------------------------------------------------------------------

def test_every_block_type_escapes_text():
    evil = XSS_NAME
    doc = blocks.document(kind="unit", title=evil, subtitle=evil, lang="zh-CN", language="zh",
                          running_header=evil, footer=evil, cover={})
    section = blocks.section("x", evil, [
        blocks.paragraph(evil, "lead"), blocks.bullets([evil]), blocks.notice(evil),
        blocks.cards([blocks.card(evil, evil, [evil], "grade-fail")]),
        blocks.keyvalue([blocks.kv(evil, evil), blocks.kv(evil, [evil], mono=True)]),
        blocks.table([blocks.column(evil)], [blocks.row([evil]), blocks.row([evil], "group"),
                                             blocks.row([blocks.cell(evil, sub=evil, bar=0.5)])],
                     footer=[blocks.row([evil])], notes=[evil]),
        blocks.columns([blocks.paragraph(evil)], [blocks.paragraph(evil)]),
        blocks.figure("<svg></svg>", evil, alt=evil),
    ])
    page = blocks.block_html(doc) + blocks.block_html(section)
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 15
    with pytest.raises(ValueError):
        blocks.block_html({"type": "nope"})


# ----------------------------------------------------------------------------------------
# District overview
# ----------------------------------------------------------------------------------------

def test_overview_sections(sample_results):
    sections = overview.overview_sections(sample_results)
    ids = [s.get("id", s["type"]) for s in sections]
    assert ids == ["document", "summary", "decisions", "attention", "grades", "movers", "league-department",
                   "league-subdistrict", "heatmap-department", "heatmap-subdistrict", "key-tasks", "provenance"]
    league = sections[ids.index("league-department")]["blocks"][0]
    assert len(league["rows"]) == 35
    assert [r["cells"][0] for r in league["rows"][:3]] == ["1", "2", "3"]


def test_attention_flags_and_movers(sample_results):
    from evalkit.results.analysis import movers

    flags = overview.attention_flags(sample_results)
    units = sample_results.units.set_index("unit_id")
    fails = set(units.index[units["grade"] == "不合格"])
    assert fails <= set(flags["unit_id"])
    assert 0 < len(flags) < len(units) / 2
    assert all(r for r in flags["reasons"])
    up, down = movers(sample_results)
    assert (up["rank_change"] > 0).all() and (down["rank_change"] < 0).all()
    assert up["rank_change"].is_monotonic_decreasing and down["rank_change"].is_monotonic_increasing


def test_area_rates_matrix(sample_results):
    rates = overview.area_rates(sample_results)
    assert rates.shape[0] == len(sample_results.units)
    assert list(rates.columns)[:2] == ["行政效率", "公共服务"]
    values = rates.to_numpy(dtype=float)
    assert np.nanmax(values) <= 1.0 + 1e-9 and np.nanmin(values) >= 0


@pytest.mark.parametrize("unit_id", ["overview", "OVERVIEW", "manifest", "results", "overview.x"])
def test_unit_ids_never_take_the_name_of_another_output(unit_id):
    from evalkit.report.render import safe_filename

    name = safe_filename(unit_id)
    assert name.split(".")[0].lower() not in {"overview", "manifest", "results"}
    assert safe_filename(unit_id) == name


def test_summary_explains_veto_bonus_cap_and_provisional(sample_results):
    from evalkit.report.present import decision_texts

    d17 = decision_texts(sample_results, "D17")
    assert d17 == ["一票否决：发生重大责任事件。无论得分多少，等次定为不合格。"]
    s11 = decision_texts(sample_results, "S11")
    assert s11 == ["加分封顶：申报加分 4 分，按上限计 3 分（上限 3 分）。事由：多项创新成果（加分封顶3分）"]
    assert decision_texts(sample_results, "D01") == []
    assert decision_texts(sample_results, "D17", "en")[0].startswith("Veto: A major accident")
    d34 = decision_texts(sample_results, "D34")
    assert d34 == ["等次和排名为暂定：仅 73.3% 的适用分值有实际数据，低于公布门槛 75%。"]
    summary = _all_text(present.summary_section(sample_results, "D34"))
    assert "优秀（暂定）" in summary and "（暂定）" in summary
