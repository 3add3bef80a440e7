"""Printed rules = computed rules (issue 11, item 8).

Every rule prints itself from its own fields (``describe``) with every convention its
``score`` applies, and explains one value's score (``explain``) with the number its own
``score`` gives; the grade rules print their bands, quota and vetoes as the kernels apply
them. Chinese and English; English holds no Chinese character.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

from evalkit.indicators.catalogue import BY_CODE
from evalkit.scoring import framework as framework_module
from evalkit.scoring import kernels
from evalkit.scoring.framework import GradeRules, load_framework, parse_framework
from evalkit.scoring.rules import (RULES, BandTable, Binary, ChecklistDeduct, Goalposts, LinearBand, RankPoints,
                                   RatioToBest, ThresholdDeduct, fmt_number, fmt_score, gap_text, points_text,
                                   value_text)
from evalkit.resources import sample_framework_path
from evalkit.scoring.scoring_doc import scoring_markdown
from evalkit.scoring.vocabulary import UNIT_WORDS, unit_word

CJK = re.compile(r"[\u3400-\u9fff]")
LANGUAGES = ("zh", "en")
UNITS = ("%", "", "pp", "项", "工作日", "分", "元/件", "指数", "天")

#: Rules of every type in RULES, with the parameters that change their texts.
RULE_CASES = {
    "threshold_deduct": [ThresholdDeduct(per=1, deduct=2), ThresholdDeduct(per=10, deduct=3, whole_steps=True),
                         ThresholdDeduct(per=0.5, deduct=0.5), ThresholdDeduct(per=2, deduct=1, whole_steps=True),
                         ThresholdDeduct(per=0.1, deduct=0.5)],
    "linear_band": [LinearBand(low=50, high=80), LinearBand(low=0, high=100), LinearBand(low=100, high=0)],
    "ratio_to_best": [RatioToBest()],
    "binary": [Binary()],
    "band_table": [BandTable(bands=((98.0, 6.0), (95.0, 4.5))), BandTable(bands=((0.0, 5.0), (10.0, 4.0), (20.0, 3.0))),
                   BandTable(bands=((80.0, 9.0), (90.0, 2.0)))],
    "rank_points": [RankPoints(table=(6.0, 5.5, 5.0, 4.5, 4.0), step=0.5, floor=2.0), RankPoints(step=0.5),
                    RankPoints(table=(6.0,)), RankPoints(table=(3.0, 2.0), step=1.0)],
    "checklist_deduct": [ChecklistDeduct(per_item=0.5, zero_at=2), ChecklistDeduct(per_item=1.0)],
    "goalposts": [Goalposts(lower=50, upper=100), Goalposts(lower=0, upper=20)],
}
TARGET = 80.0
POINTS = 8.0
#: Values around the target (79.9 against 80, exact steps, fractions of steps, far off).
VALUES = [100.0, 90.0, 80.0, 79.999, 79.9, 79.5, 78.0, 75.2, 70.0, 65.2, 60.0, 50.0, 20.0, 0.0]
COUNTS = [0.0, 1.0, 2.0, 3.0, 7.0, 20.0]


def _all_rules():
    return [pytest.param(rule, id=f"{kind}-{i}") for kind, rules in RULE_CASES.items() for i, rule in enumerate(rules)]


def _context(rule, value):
    """``best`` and ``rank`` for a value, as the scorer passes them (one peer group of the grid)."""
    grid = np.asarray(VALUES)
    best = float(grid.max())
    rank = float(kernels.rank_min(-grid[None, :])[0][VALUES.index(value)]) if value in VALUES else 1.0
    return best, rank


def _score(rule, value, points, target, direction, best=None, rank=None):
    out = rule.score(np.array([value]), points, target, direction,
                     None if best is None else np.array([best]), None if rank is None else np.array([rank]))
    return float(np.asarray(out)[0])


def test_every_rule_type_is_covered():
    assert set(RULE_CASES) == set(RULES)
    for kind, cls in RULES.items():
        assert all(type(r) is cls for r in RULE_CASES[kind])


# ---------------------------------------------------------------------------------------
# describe
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", _all_rules())
@pytest.mark.parametrize("language", LANGUAGES)
def test_describe_in_both_languages_english_without_chinese(rule, language):
    for unit in UNITS:
        for direction in (1, -1):
            text = rule.describe(TARGET, direction, unit, language)
            assert text and text == text.strip()
            assert "≥0" not in text and "None" not in text and "nan" not in text
            assert not re.search(r"\d\.0\b", text), text  # no needless decimals
            if language == "en":
                assert not CJK.search(text), text
            else:
                assert CJK.search(text)


@pytest.mark.parametrize("rule", _all_rules())
def test_positional_signature_is_chinese(rule):
    assert rule.describe(TARGET, 1, "%") == rule.describe(TARGET, 1, "%", "zh")
    assert rule.describe(TARGET, 1) == rule.describe(TARGET, 1, "", language="zh")
    with pytest.raises(ValueError, match="expected a language among zh, en; found 'fr'"):
        rule.describe(TARGET, 1, "%", "fr")


@pytest.mark.parametrize("rule", _all_rules())
def test_describe_says_whole_steps_or_proportion(rule):
    if "whole_steps" not in {f.name for f in dataclasses.fields(rule)}:
        return
    per = gap_text(rule.per, "%", "zh")
    zh, en = rule.describe(TARGET, 1, "%", "zh"), rule.describe(TARGET, 1, "%", "en")
    if rule.whole_steps:
        # score() counts ⌈shortfall / per⌉ steps: a started step counts in full
        assert f"不足 {per}按 {per}计" in zh  # "不足 10 个百分点按 10 个百分点计"
        assert "each started" in en and "counting in full" in en
        assert "按比例" not in zh and "proportion" not in en
    else:
        assert f"不足 {per}按比例扣分" in zh
        assert "in proportion" in en and "started" not in en


@pytest.mark.parametrize("rule", _all_rules())
def test_differences_of_percentages_are_percentage_points(rule):
    for direction in (1, -1):
        zh, en = rule.describe(TARGET, direction, "%", "zh"), rule.describe(TARGET, direction, "%", "en")
        assert not re.search(r"每[低高]\s*[\d.]+\s*%", zh), zh  # never "每低 1%"
        assert not re.search(r"per [\d.]+\s*%", en), en
        if isinstance(rule, ThresholdDeduct):
            assert f"每{'低' if direction > 0 else '高'} {gap_text(rule.per, '%', 'zh')}扣" in zh
            assert "个百分点" in zh and "percentage point" in en
            assert "扣完为止" in zh and "down to 0" in en
            assert ("低" if direction > 0 else "高") in zh and ("below" if direction > 0 else "above") in en


def test_threshold_describe_examples():
    rule = ThresholdDeduct(per=10, deduct=3, whole_steps=True)
    assert rule.describe(90, 1, "%") == "达到 90% 得满分，每低 10 个百分点扣 3 分，不足 10 个百分点按 10 个百分点计，扣完为止"
    assert rule.describe(90, 1, "%", "en") == ("Full marks at 90% or above; 3 points off per 10 percentage points "
                                               "below, each started step of 10 percentage points counting in full; "
                                               "down to 0 points")
    one = ThresholdDeduct(per=1, deduct=2)
    assert one.describe(99.5, 1, "%", "zh") == "达到 99.5% 得满分，每低 1 个百分点扣 2 分，不足 1 个百分点按比例扣分，扣完为止"
    assert one.describe(99.5, 1, "%", "en") == ("Full marks at 99.5% or above; 2 points off per percentage point "
                                                "below, a part of a percentage point deducting in proportion; down "
                                                "to 0 points")
    assert one.describe(15, -1, "%", "zh").startswith("不超过 15% 得满分，每高 1 个百分点扣 2 分")


def test_other_rules_print_their_conventions():
    assert RankPoints(table=(6.0,)).describe(None, 1).startswith("按组内名次计分：第 1 名得 6 分")  # never "第 1–1 名"
    assert "并列取最好名次" in RankPoints(step=1).describe(None, 1)
    assert "tied values sharing the best rank" in RankPoints(step=1).describe(None, 1, "", "en")
    assert "最低 2 分" in RankPoints(step=1, floor=2).describe(None, 1)
    assert "扣完为止" in ChecklistDeduct(per_item=1).describe(None, -1)
    assert RatioToBest().describe(None, 1, "%").endswith("最优值为 0 时得满分")
    assert BandTable(bands=((98.0, 6.0), (95.0, 4.5))).describe(None, 1, "%", "en") == (
        "Bands: 6 points at 98% or above; 4.5 points at 95% or above and below 98%; 0 points below 95%")


def test_units_come_from_the_one_vocabulary():
    # every unit of the indicator catalogue is worded in both languages
    for ind in BY_CODE.values():
        assert ind.unit in UNIT_WORDS, ind.code
        assert not CJK.search(unit_word(ind.unit, "en"))
    assert value_text(3, "工作日", "en") == "3 working days" and value_text(1, "件", "en") == "1 case"
    assert value_text(3, "工作日", "zh") == "3 个工作日" and value_text(80, "%", "en") == "80%"
    assert gap_text(0.1, "%", "zh") == "0.1 个百分点" and gap_text(1, "%", "en") == "1 percentage point"
    assert gap_text(2, "pp", "en") == "2 percentage points"
    assert value_text(1.05, "指数", "zh") == "1.05"
    assert points_text(1, "en") == "1 point" and points_text(2.5, "zh") == "2.5 分"
    # a unit the table lacks: as written in Chinese, left out in English when it is Chinese
    assert unit_word("公顷", "zh") == "公顷" and unit_word("公顷", "en") == "" and unit_word("km", "en") == "km"


def test_number_formatting():
    assert [fmt_number(x) for x in (80.0, 99.5, 0.30000000000000004, 7.8, 2.0, -0.0, 0.0004)] == [
        "80", "99.5", "0.3", "7.8", "2", "0", "0.0004"]
    # a score short of full marks never prints as full marks
    assert fmt_score(7.9999, 8) == "7.9999" and fmt_score(8.0, 8) == "8" and fmt_score(3.9866, 4) == "3.99"


# ---------------------------------------------------------------------------------------
# explain
# ---------------------------------------------------------------------------------------


def _stated(text: str, language: str) -> str:
    """The score an explain text states (its last number)."""
    if language == "zh":
        m = re.search(r"得(?:满分)? ([-\d.]+) 分$", text)
    else:
        m = re.search(r"(?:score|full marks,) ([-\d.]+) points?$", text)
    assert m, text
    return m.group(1)


@pytest.mark.parametrize("rule", _all_rules())
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("unit", ["%", "", "项"])
def test_explain_states_the_score_that_score_computes(rule, language, unit):
    values = COUNTS if isinstance(rule, ChecklistDeduct) else VALUES
    for direction in (1, -1):
        for value in values:
            best, rank = _context(rule, value)
            if direction < 0:
                best = min(VALUES) if min(VALUES) > 0 else 1.0
            score = _score(rule, value, POINTS, TARGET, direction, best, rank)
            text = rule.explain(value, POINTS, TARGET, direction, unit, language, best=best, rank=rank)
            stated = _stated(text, language)
            assert stated == fmt_score(score, POINTS), text
            assert abs(float(stated) - score) <= 0.005 + 1e-12, text
            full = "得满分" in text if language == "zh" else "full marks" in text
            assert full == (score == POINTS), text
            if language == "en":
                assert not CJK.search(text), text
            if unit == "%" and isinstance(rule, (ThresholdDeduct, Binary)) and score < POINTS:
                assert ("个百分点" if language == "zh" else "percentage point") in text, text


@pytest.mark.parametrize("rule", RULE_CASES["threshold_deduct"])
def test_threshold_explain_states_the_steps_and_deduction_score_uses(rule):
    for value in VALUES:
        short, steps = (float(x[0]) for x in rule.steps(np.array([value]), TARGET, 1))
        score = _score(rule, value, POINTS, TARGET, 1)
        text = rule.explain(value, POINTS, TARGET, 1, "%")
        if short == 0:
            assert text == f"达到目标 80%，得满分 {fmt_number(POINTS)} 分"
            continue
        assert f"比目标 80% 低 {fmt_number(short)} 个百分点" in text
        due = rule.deduct * steps
        assert score == max(0.0, POINTS - due)
        assert (f"应扣 {fmt_number(due)} 分，扣完为止" if due > POINTS else f"扣 {fmt_number(due)} 分") in text
        if rule.whole_steps:
            assert f"计 {fmt_number(steps)} 档（每 {gap_text(rule.per, '%', 'zh')}一档，不足一档按一档计）" in text
            assert steps == math.ceil(short / rule.per - 1e-9)


def test_79_9_against_80():
    """The report's puzzle: 79.9 % against ≥ 80 % — each rule says what it does with 0.1 short."""
    proportional = ThresholdDeduct(per=1, deduct=2)
    assert proportional.explain(79.9, 8, 80, 1, "%") == "比目标 80% 低 0.1 个百分点，扣 0.2 分，得 7.8 分"
    assert proportional.explain(79.9, 8, 80, 1, "%", "en") == (
        "0.1 percentage points below the target of 80%: 0.2 points off; score 7.8 points")
    whole = ThresholdDeduct(per=1, deduct=2, whole_steps=True)
    assert whole.explain(79.9, 8, 80, 1, "%") == (
        "比目标 80% 低 0.1 个百分点，计 1 档（每 1 个百分点一档，不足一档按一档计），扣 2 分，得 6 分")
    assert whole.explain(79.9, 8, 80, 1, "%", "en") == (
        "0.1 percentage points below the target of 80%, counted as 1 step of 1 percentage point (a started step "
        "counts in full): 2 points off; score 6 points")
    assert Binary().explain(79.9, 3, 80, 1, "%") == "比目标 80% 低 0.1 个百分点，未达到目标，得 0 分"
    # a linear band ending at 80 gives 3.99 of 4 points: it says so, never "full marks"
    band = LinearBand(low=50, high=80)
    text = band.explain(79.9, 4, 80, 1, "%")
    assert text == "79.9%，在 50% 与 80% 之间，按线性计分 4 × (79.9 − 50) ÷ (80 − 50)，得 3.99 分"
    assert "满分" not in text
    assert band.explain(80, 4, 80, 1, "%") == "80%，达到满分线 80%，得满分 4 分"
    # meeting the target exactly gets full marks, and says why
    assert proportional.explain(80, 8, 80, 1, "%") == "达到目标 80%，得满分 8 分"
    assert proportional.explain(80, 8, 80, 1, "%", "en") == "Meets the target of 80%: full marks, 8 points"


def test_floor_at_zero_is_said():
    rule = ThresholdDeduct(per=1, deduct=2)
    assert rule.explain(70, 8, 80, 1, "%") == "比目标 80% 低 10 个百分点，应扣 20 分，扣完为止，得 0 分"
    assert rule.explain(70, 8, 80, 1, "%", "en") == (
        "10 percentage points below the target of 80%: 20 points due, down to 0; score 0 points")
    assert ChecklistDeduct(per_item=1).explain(9, 4, None, -1, "项") == "发现 9 项，应扣 9 分，扣完为止，得 0 分"
    assert ChecklistDeduct(per_item=0.5, zero_at=2).explain(2, 1, None, -1) == "发现 2 项，2 项及以上不得分，得 0 分"
    assert RankPoints(step=1, floor=2).explain(1, 5, None, 1, rank=9) == "组内第 9 名（按名次 -3 分，不低于最低 2 分），得 2 分"


def test_explain_without_data_and_refusals():
    for kind, rules in RULE_CASES.items():
        for rule in rules:
            assert rule.explain(math.nan, 8, 80, 1, "%", best=90, rank=1) == "无数据，不按本规则计分（按缺失数据规则处理）"
            assert rule.explain(None, 8, 80, 1, "%", "en", best=90, rank=1) == (
                "No data: not scored by this rule (the missing-data policy applies)")
    with pytest.raises(ValueError, match="needs the best value"):
        RatioToBest().explain(5, 8, None, 1)
    with pytest.raises(ValueError, match="needs the rank"):
        RankPoints(step=1).explain(5, 8, None, 1)
    with pytest.raises(ValueError, match="threshold_deduct needs a target"):
        ThresholdDeduct().explain(5, 8, None, 1)


def test_ratio_rank_and_band_explanations():
    assert RatioToBest().explain(90, 8, None, 1, "%", best=98) == "本单位 90%，同组最优 98%：8 × 90 ÷ 98，得 7.35 分"
    assert RatioToBest().explain(4, 5, None, -1, "天", "en", best=2) == (
        "4 days against the peer group's best of 2 days: 5 × 2 ÷ 4; score 2.5 points")
    assert RatioToBest().explain(0, 5, None, 1, "%", best=0).endswith("比值无法计算（除数为 0），得满分 5 分")
    assert RankPoints(table=(6.0, 5.5, 5.0), step=0.5).explain(1, 6, None, 1, rank=5) == "组内第 5 名，得 4 分"
    band = BandTable(bands=((98.0, 6.0), (95.0, 4.5)))
    assert band.explain(96, 6, None, 1, "%") == "96%，属于“95% 及以上、低于 98%”一档，得 4.5 分"
    assert band.explain(99, 5, None, 1, "%") == "99%，属于“98% 及以上”一档（该档 6 分，以分值 5 分为上限），得满分 5 分"
    assert band.explain(90, 6, None, 1, "%", "en") == "90% is in no band (below 95%): score 0 points"


# ---------------------------------------------------------------------------------------
# Hand-worked: a leaf with per 10, deduct 3 and whole steps, and the sample framework's leaves
# ---------------------------------------------------------------------------------------


def _whole_steps_leaf():
    doc = {"code": "t", "version": "1", "nodes": [{"code": "P", "area": "projects", "children": [
        {"code": "P1", "indicator": "milestone_on_time_rate", "points": 10, "target": 90,
         "rule": {"type": "threshold_deduct", "per": 10, "deduct": 3, "whole_steps": True}}]}]}
    return parse_framework(doc).nodes["P1"]


def test_hand_worked_whole_steps_leaf():
    # 10 points, target 90 %, 3 points per started 10 percentage points below.
    # 75.2 % is 14.8 points below: ⌈14.8 / 10⌉ = 2 steps → 6 points off → 4 points
    # (read as proportional it would be 10 − 3 × 1.48 = 5.56: the text must say whole steps).
    leaf = _whole_steps_leaf()
    rule, ind = leaf.rule, BY_CODE[leaf.indicator]
    points = leaf.points["*"]
    assert _score(rule, 75.2, points, leaf.target, ind.direction) == 4.0
    assert rule.describe(leaf.target, ind.direction, ind.unit) == (
        "达到 90% 得满分，每低 10 个百分点扣 3 分，不足 10 个百分点按 10 个百分点计，扣完为止")
    assert rule.explain(75.2, points, leaf.target, ind.direction, ind.unit) == (
        "比目标 90% 低 14.8 个百分点，计 2 档（每 10 个百分点一档，不足一档按一档计），扣 6 分，得 4 分")
    assert rule.explain(75.2, points, leaf.target, ind.direction, ind.unit, "en") == (
        "14.8 percentage points below the target of 90%, counted as 2 steps of 10 percentage points (a started step "
        "counts in full): 6 points off; score 4 points")
    # exactly one step (80 %) is one step, not two; a hair over starts the second
    assert rule.explain(80, points, leaf.target, ind.direction, ind.unit).endswith(
        "计 1 档（每 10 个百分点一档，不足一档按一档计），扣 3 分，得 7 分")
    assert rule.explain(79.9, points, leaf.target, ind.direction, ind.unit).endswith("扣 6 分，得 4 分")


def test_sample_framework_leaves_print_in_both_languages():
    fw = load_framework(sample_framework_path())
    for leaf in fw.leaves():
        ind = BY_CODE[leaf.indicator]
        direction = leaf.direction if leaf.direction is not None else ind.direction
        unit = leaf.unit if leaf.unit is not None else ind.unit
        zh = leaf.rule.describe(leaf.target, direction, unit)
        en = leaf.rule.describe(leaf.target, direction, unit, "en")
        assert CJK.search(zh) and not CJK.search(en), leaf.code
        if unit == "%":
            assert "%" + "扣" not in zh.replace(" ", "")
    # 政务服务按时办结率: 8 points, target 99.5 %, 2 points per percentage point below, in proportion:
    # 97.3 % is 2.2 below → 4.4 off → 3.6
    eff01 = fw.nodes["EFF01"]
    assert eff01.rule.explain(97.3, 8, eff01.target, 1, "%") == "比目标 99.5% 低 2.2 个百分点，扣 4.4 分，得 3.6 分"
    assert _score(eff01.rule, 97.3, 8.0, eff01.target, 1) == pytest.approx(3.6)


# ---------------------------------------------------------------------------------------
# Grade bands
# ---------------------------------------------------------------------------------------


def test_sample_grade_bands_in_words():
    rules = load_framework(sample_framework_path()).grades
    zh, en = rules.bands_text("zh"), rules.bands_text("en")
    assert zh == "优秀：90 分及以上；良好：80 分及以上、低于 90 分；合格：60 分及以上、低于 80 分；不合格：低于 60 分"
    assert zh.endswith("低于 60 分")
    assert en == ("Excellent: 90 points or more; Good: 80 points or more and below 90; Pass: 60 points or more "
                  "and below 80; Fail: below 60 points")
    for language in LANGUAGES:
        text = rules.describe(language)
        assert "≥0" not in text and "≥ 0" not in text and "≥" not in text
        assert [rules.band_text(i, language) for i in range(4)] == rules.bands_text(language).split(
            "；" if language == "zh" else "; ")
    assert not CJK.search(rules.describe("en"))
    assert rules.band_text(-1) == "不合格：低于 60 分"


def test_grade_rules_describe_quota_vetoes_and_published_decimals(monkeypatch):
    rules = GradeRules()
    zh = rules.describe("zh")
    assert f"等次按公布的得分（保留 {kernels.PUBLISHED_DECIMALS} 位小数）评定" in zh
    assert "优秀等次不超过同组单位数的 20%（名额 = 同组单位数 × 20%，向下取整）" in zh
    assert "公布得分相同的并列单位不拆分，一同超出名额时全部评为良好" in zh
    assert "一票否优的单位不评为优秀（达到优秀分数线的评为良好），也不占优秀名额" in zh
    assert "一票否决的单位无论得分均评为不合格" in zh
    en = rules.describe("en")
    assert f"rounded to {kernels.PUBLISHED_DECIMALS} decimal places" in en and "rounded down" in en
    assert "never split" in en and "barred from the top grade" in en and "vetoed unit is graded Fail" in en
    # the decimals are the kernel's constant, not a copied number
    monkeypatch.setattr(framework_module, "PUBLISHED_DECIMALS", 3)
    assert "保留 3 位小数" in rules.describe("zh")
    with pytest.raises(ValueError, match="found 'de'"):
        rules.describe("de")


def test_grade_texts_match_what_the_kernels_do():
    rules = GradeRules()
    lows = [b[1] for b in rules.bands]
    # each band starts at its lower bound on the published (rounded) score; the last band is
    # everything below the band above it
    for i in range(len(lows) - 1):
        assert kernels.band_indices(np.array([lows[i]]), lows)[0] == i
        assert kernels.band_indices(np.array([lows[i] - 0.01]), lows)[0] == i + 1
    assert kernels.band_indices(np.array([-5.0]), lows)[0] == len(lows) - 1
    # 89.995 publishes as 90.00 and is graded 优秀, as the text's "published score" says
    members = [np.arange(10)]
    scores = np.array([89.995, 70, 70, 70, 70, 70, 70, 70, 70, 70])
    ranks = kernels.published_ranks(scores, members)
    none = np.zeros(10, dtype=bool)
    assert kernels.grade_indices(scores, ranks, members, lows, 0.2, none, none)[0] == 0
    # quota ⌊0.2 × 10⌋ = 2; three units tie on the published score at the line → none split, all 良好
    scores = np.array([95.0, 93.004, 92.996, 93.0, 70, 70, 70, 70, 70, 70])
    ranks = kernels.published_ranks(scores, members)
    grades = kernels.grade_indices(scores, ranks, members, lows, 0.2, none, none)
    assert grades[:4].tolist() == [0, 1, 1, 1]
    # a barred unit takes no place and gets the second band; a vetoed one the last, whatever its score
    bar = none.copy()
    bar[0] = True
    veto = none.copy()
    veto[1] = True
    scores = np.array([99.0, 98.0, 97.0, 96.0, 70, 70, 70, 70, 70, 70])
    grades = kernels.grade_indices(scores, kernels.published_ranks(scores, members), members, lows, 0.2, veto, bar)
    assert grades[:4].tolist() == [1, 3, 0, 0]


def test_grade_text_edges():
    assert GradeRules(bands=(("A", 90), ("B", 90), ("C", 0))).bands_text() == "A：90 分及以上；B：无（下限与上一等次相同）；C：低于 90 分"
    assert GradeRules(bands=(("合格", 60), ("不合格", 0)), top_quota=0).quota_text() == (
        "不评合格（名额为 0）：达到合格分数线的单位评为不合格")
    assert GradeRules(top_quota=1).quota_text("en") == "Excellent has no quota"
    assert GradeRules(bands=(("合格", 60),)).describe("en") == "Every unit with a score is graded Pass."
    assert GradeRules(bands=(("甲等", 85.5), ("乙等", 0)), names_en=("Grade A", "Grade B")).bands_text("en") == (
        "Grade A: 85.5 points or more; Grade B: below 85.5 points")


# ---------------------------------------------------------------------------------------
# docs/scoring.md prints the same texts
# ---------------------------------------------------------------------------------------


def test_scoring_page_prints_the_rule_and_grade_texts():
    page = scoring_markdown()
    assert "- zh: 达到 90% 得满分，每低 10 个百分点扣 3 分，不足 10 个百分点按 10 个百分点计，扣完为止" in page
    assert "| 75.2% | 比目标 90% 低 14.8 个百分点，计 2 档（每 10 个百分点一档，不足一档按一档计），扣 6 分，得 4 分 |" in page
    assert f"- zh: {GradeRules().describe('zh')}" in page and f"- en: {GradeRules().describe('en')}" in page
    assert "每低1%" not in page and "每低 1%" not in page
