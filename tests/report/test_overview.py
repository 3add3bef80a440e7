"""The district overview a leader can sign (issue 11): headline figures and their trend, the
decisions named with their reasons, published ranks that tie where the printed scores do, a
short attention list ranked by its stated rules, a heat map that never shows filled-in values
as data, and an English overview without Chinese besides unit names. On the sample 2024."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from evalkit.report import blocks, overview
from evalkit.report.present import fmt_score
from evalkit.results import analysis
from evalkit.results.analysis import ATTENTION_RANK_DROP, ATTENTION_RULES

CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _texts(block) -> list[str]:
    """Every text of a block (no SVG), depth first."""
    if isinstance(block, str):
        return [block]
    if isinstance(block, dict):
        return [t for k, v in block.items() if k != "svg" for t in _texts(v)]
    if isinstance(block, list):
        return [t for v in block for t in _texts(v)]
    return []


def _text(cell) -> str:
    return cell["text"] if isinstance(cell, dict) else str(cell)


def _section(sections, sid):
    return next(s for s in sections if s.get("id") == sid)


def _table(section):
    return next(b for b in section["blocks"] if b["type"] == "table")


@pytest.fixture(scope="module")
def results(sample_2024):
    return sample_2024()


@pytest.fixture(scope="module")
def zh(results):
    return overview.overview_sections(results, "zh", {"year": 2024, "language": "zh"})


@pytest.fixture(scope="module")
def en(results):
    return overview.overview_sections(results, "en", {"year": 2024, "language": "en"})


def test_the_outline_opens_with_headline_figures_then_decisions_and_attention(zh):
    ids = [s.get("id", s["type"]) for s in zh]
    assert ids[:4] == ["document", "summary", "decisions", "attention"]
    assert ids.index("league-department") < ids.index("heatmap-department") < ids.index("provenance")


# ----------------------------------------------------------------------------------------
# Headline figures
# ----------------------------------------------------------------------------------------

def test_headline_figures_equal_the_units_and_history_tables(results):
    units = results.units
    fig = overview.headline_figures(results)
    assert fig["units"] == len(units) == 48
    assert fig["grades"] == units["grade"].value_counts().reindex(list(fig["grades"]), fill_value=0).to_dict()
    assert sum(fig["grades"].values()) == len(units)
    assert fig["veto"] == units.loc[units["veto"].astype(bool), "unit_id"].tolist() == ["D17"]
    assert fig["bar_top"] == units.loc[units["bar_top"].astype(bool), "unit_id"].tolist() == ["D33"]
    assert fig["provisional"] == units.loc[units["provisional"].astype(bool), "unit_id"].tolist()
    assert fig["provisional"]  # the sample has a unit below the publication threshold
    hist = results.history
    prev = hist[hist["year"] == 2023].merge(units[["unit_id", "peer_group"]], on="unit_id")
    trend = fig["trend"].set_index("group")
    for group, part in units.groupby("peer_group"):
        assert trend.loc[group, "n"] == len(part)
        assert trend.loc[group, "mean"] == pytest.approx(part["score_100"].mean())
        assert trend.loc[group, "median"] == pytest.approx(part["score_100"].median())
        last = prev[prev["peer_group"] == group]["score_100"]
        assert trend.loc[group, "prev_mean"] == pytest.approx(last.mean())
        assert trend.loc[group, "prev_median"] == pytest.approx(last.median())
    assert trend.loc["all", "mean"] == pytest.approx(units["score_100"].mean())


def test_the_summary_prints_the_headline_figures(results, zh):
    fig = overview.headline_figures(results)
    summary = _section(zh, "summary")
    cards = {c["label"]: c for b in summary["blocks"] if b["type"] == "cards" for c in b["items"]}
    assert cards["被评估单位"]["value"] == "48 个"
    assert cards["一票否决"]["value"] == "1 个" and cards["一票否决"]["notes"] == ["区房管局"]
    assert cards["一票否优"]["value"] == "1 个" and cards["一票否优"]["notes"] == ["区红十字会"]
    assert cards["等次暂定"]["value"] == f"{len(fig['provisional'])} 个"
    for grade, n in fig["grades"].items():
        assert cards[f"{grade}单位"]["value"] == f"{n} 个"
    table = _table(summary)
    trend = fig["trend"].set_index("group")
    body = {_text(r["cells"][0]): [_text(c) for c in r["cells"]] for r in table["rows"] + table["footer"]}
    assert body["部门"][1:4] == ["35", fmt_score(trend.loc["department", "mean"]),
                                 fmt_score(trend.loc["department", "prev_mean"])]
    assert body["全区"][2] == fmt_score(results.units["score_100"].mean())
    lead = summary["blocks"][0]["text"]
    assert "一票否决 1 个" in lead and "一票否优 1 个" in lead


# ----------------------------------------------------------------------------------------
# Decisions
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["zh", "en"])
def test_each_veto_and_bar_top_is_named_with_its_reason(results, language, zh, en):
    sections = zh if language == "zh" else en
    adj = results.table("adjustments")
    units = results.units.set_index("unit_id")
    decisions = _table(_section(sections, "decisions"))
    rows = [[_text(c) for c in r["cells"]] for r in decisions["rows"]]
    league = " ".join(_texts(_section(sections, "league-department")))
    expected = {"D17": "veto", "D33": "bar_top"}
    assert set(analysis.decisions(results).query("kind in ('veto', 'bar_top')")["unit_id"]) == set(expected)
    for uid, kind in expected.items():
        row = adj[(adj["unit_id"] == uid) & (adj["kind"] == kind)].iloc[0]
        reason = row["reason"] if language == "zh" else row["reason_en"]
        name = units.loc[uid, "name_zh" if language == "zh" else "name_en"]
        word = {"zh": {"veto": "一票否决", "bar_top": "一票否优"},
                "en": {"veto": "Veto", "bar_top": "Barred from top grade"}}[language][kind]
        assert [name, word, reason] in [r[:3] for r in rows], rows
        assert name in league and reason in league  # named in the league table's notes too
    # the vetoed unit's row in the league table says so under its grade
    table = _table(_section(sections, "league-department"))
    last = table["rows"][-1]["cells"]
    assert last[-1] and any(isinstance(c, dict) and c.get("sub") in ("一票否决", "veto") for c in last)


def test_bonus_and_deduction_rows_with_the_cap(results, zh):
    rows = overview.decision_rows(results, "zh")
    assert list(rows["kind"]) == ["veto", "bar_top", "bonus", "bonus", "bonus", "deduction"]
    s11 = rows[(rows["unit_id"] == "S11")].iloc[0]
    assert s11["effect"].startswith("加 3 分") and "上限 3 分" in s11["effect"] and "4 分" in s11["effect"]


# ----------------------------------------------------------------------------------------
# Published ranks
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["zh", "en"])
def test_equal_printed_scores_have_equal_printed_ranks(results, language, zh, en):
    sections = zh if language == "zh" else en
    tied = "（并列）" if language == "zh" else " (tied)"
    seen_tie = False
    for g in ("department", "subdistrict"):
        table = _table(_section(sections, f"league-{g}"))
        labels = [c["label"] for c in table["columns"]]
        i_rank, i_score = 0, labels.index("得分" if language == "zh" else "Score")
        pairs = [(_text(r["cells"][i_score]), _text(r["cells"][i_rank])) for r in table["rows"]]
        by_score: dict[str, set[str]] = {}
        for score, rank in pairs:
            by_score.setdefault(score, set()).add(rank)
        assert all(len(ranks) == 1 for ranks in by_score.values()), by_score
        ranks = [rank for _, rank in pairs]
        assert len(set(ranks)) == len(by_score)  # different printed scores, different ranks
        for score, rank in pairs:
            if sum(s == score for s, _ in pairs) > 1:
                seen_tie = True
                assert tied in rank
            else:
                assert tied not in rank
        scores = [float(s.replace(",", "")) for s, _ in pairs]
        assert scores == sorted(scores, reverse=True)
    assert seen_tie  # the sample has one: D04 and D25, both 91.41
    dept = _table(_section(sections, "league-department"))
    ranks = {_text(r["cells"][1]).rstrip("※*"): _text(r["cells"][0]) for r in dept["rows"]}
    units = results.units.set_index("unit_id")
    name = "name_zh" if language == "zh" else "name_en"
    assert ranks[units.loc["D04", name]] == ranks[units.loc["D25", name]] == f"12{tied}"


def test_provisional_grade_and_rank_are_marked(results, zh):
    uid = overview.headline_figures(results)["provisional"][0]
    name = results.units.set_index("unit_id").loc[uid, "name_zh"]
    table = _table(_section(zh, "league-department"))
    row = next(r["cells"] for r in table["rows"] if _text(r["cells"][1]) == name)
    assert "暂定" in _text(row[0])
    assert any(isinstance(c, dict) and "暂定" in c.get("sub", "") for c in row)
    assert any(name in n and "暂定" in n and "75%" in n for n in table["notes"])


# ----------------------------------------------------------------------------------------
# Attention
# ----------------------------------------------------------------------------------------

def test_the_attention_list_is_short_and_ordered_by_rule(results, zh):
    flags = overview.attention_flags(results, "zh")
    assert 0 < len(flags) <= 10
    order = [ATTENTION_RULES.index(rule) for rule in flags["rule"]]
    assert order == sorted(order)
    assert flags["unit_id"].iloc[0] == "D17" and flags["rule"].iloc[0] == "veto"
    assert all(len(r) == len(rs) > 0 for r, rs in zip(flags["reasons"], flags["rules"]))
    assert "一票否决：发生重大责任事件" in flags["reasons"].iloc[0]
    drops = flags[flags["rule"] == "rank_drop"]
    units = results.units.set_index("unit_id")
    assert all(-units.loc[u, "rank_change"] >= ATTENTION_RANK_DROP for u in drops["unit_id"])
    section = _section(zh, "attention")
    table = _table(section)
    assert [_text(r["cells"][1]) for r in table["rows"]] == list(flags["name"])
    rules = table["notes"][0]
    assert f"下降 {ATTENTION_RANK_DROP} 位及以上" in rules and "75%" in rules  # from the constants
    positions = [rules.index(w) for w in ("一票否决", "评为不合格", "暂定", "下降")]
    assert positions == sorted(positions)


# ----------------------------------------------------------------------------------------
# Heat map and movers
# ----------------------------------------------------------------------------------------

def test_the_heat_map_never_shows_filled_or_not_applicable_values_as_data(results, monkeypatch):
    from evalkit.report import charts

    calls = []

    def fake(row_labels, col_labels, values, **kwargs):
        calls.append((list(row_labels), list(col_labels), np.asarray(values, dtype=float), kwargs))
        return "<svg/>"

    monkeypatch.setattr(charts, "heatmap_chart", fake)
    sections = overview.heatmap_sections(results, "zh")
    assert [s["id"] for s in sections] == ["heatmap-department", "heatmap-subdistrict"]
    status = overview.area_status(results)
    nodes = results.nodes[results.nodes["level"] == 1].set_index(["unit_id", "code"])
    for (uid, code), node in nodes.iterrows():
        cell = status.loc[uid, code]
        if node["status"] == "not_applicable":
            assert cell == "not_applicable"
        elif float(node["coverage"]) < overview.HEATMAP_FILLED_COVERAGE:
            assert cell == "filled"
        else:
            assert cell == "data"
    assert (status == "filled").to_numpy().any() and (status == "not_applicable").to_numpy().any()
    rows, cols, values, kwargs = calls[0]
    dept = status.loc[overview._group_frame(results, "department")["unit_id"].astype(str)]
    dept = dept[[c for c in dept.columns if (dept[c] != "not_applicable").any()]]
    assert values.shape == dept.shape == (35, len(cols))
    assert np.isnan(values[(dept != "data").to_numpy()]).all()  # no filled or n/a value as data
    if "status" in kwargs:  # the chart marks them as such
        assert (np.asarray(kwargs["status"]) == dept.to_numpy()).all()
    provisional = overview.headline_figures(results)["provisional"]
    marked = [label for label in rows if "（暂定）" in label]
    assert len(marked) == len(provisional) >= 1


def test_movers_compare_on_one_basis(results, zh):
    up, down = analysis.movers(results)
    hist = results.history.set_index(["unit_id", "year"])
    for frame in (up, down):
        for _, r in frame.iterrows():
            assert r["prev_score"] == pytest.approx(hist.loc[(r["unit_id"], 2023), "score_100"])
            assert r["prev_rank"] == hist.loc[(r["unit_id"], 2023), "rank"]
    table = _table(_section(zh, "movers"))
    first = next(r for r in table["rows"] if r["style"] != "group")
    r = up.iloc[0]
    assert _text(first["cells"][-1]) == f"{round(r['score_100'], 2) - round(r['prev_score'], 2):+.2f}"
    assert "按本年指标体系" in table["notes"][0]


# ----------------------------------------------------------------------------------------
# English
# ----------------------------------------------------------------------------------------

def test_the_english_overview_holds_no_chinese_besides_unit_names(results, en):
    names = sorted(results.units["name_zh"].astype(str), key=len, reverse=True)
    found = set()
    for section in en:
        for text in _texts(section):
            for name in names:
                text = text.replace(name, "")
            found |= set(CJK.findall(text))
    assert not found, sorted(found)
    page = "".join(blocks.block_html(b) for b in en)
    assert "一票" not in page and "暂定" not in page


def test_both_languages_have_every_overview_label():
    from evalkit.report import messages

    ov = {k for k in messages.ZH if k.startswith("ov_")}
    assert ov == {k for k in messages.EN if k.startswith("ov_")}
    for key in ov:
        assert not CJK.search(messages.EN[key]), key


def test_overview_without_history_or_decisions_still_builds():
    from test_render import fake_results

    res = fake_results()
    fig = overview.headline_figures(res)
    assert fig["units"] == len(res.units) and fig["trend"]["prev_n"].sum() == 0
    assert pd.isna(fig["trend"]["prev_mean"]).all()
    for language in ("zh", "en"):
        sections = overview.overview_sections(res, language, {"year": 2024})
        assert _section(sections, "summary")["blocks"]
