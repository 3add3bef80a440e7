"""Rubric YAML: the shipped sample rubric, scales, and precise errors naming file and key."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from evalkit.qualitative import (FIVE_LEVEL_10, FIVE_LEVEL_100, AggregationPolicy, RubricError, SurveyPolicy,
                                 VoteRule, load_rubric)


def test_sample_rubric_matches_the_sample_ratings(sample_rubric, sample_ratings):
    assert set(sample_rubric.criterion_codes) == set(sample_ratings["criterion"].unique()) == {
        "attitude", "efficiency", "integrity", "innovation"}
    assert [lv.points for lv in sample_rubric.scale.levels] == [100, 80, 60, 30, 0]
    assert [lv.label_zh for lv in sample_rubric.scale.levels] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    for c in sample_rubric.criteria:
        assert set(c.descriptors_zh) == set(sample_rubric.scale.codes) and all(c.descriptors_zh.values())
    sample_rubric.check_ratings(sample_ratings)


def test_sample_rubric_policies_are_the_defaults_the_pipeline_uses(sample_rubric):
    # rating_score/vote_score/survey_satisfaction_rate run with the defaults; the shipped
    # file must say the same thing
    assert sample_rubric.aggregation == AggregationPolicy()
    assert sample_rubric.aggregation.group_weights == {"leader": 0.3, "peer": 0.2, "service_user": 0.4,
                                                       "expert": 0.1}
    assert sample_rubric.votes == VoteRule()
    assert sample_rubric.survey == SurveyPolicy()


def test_scales_map_labels_to_points_and_scores_to_levels():
    answers = pd.Series(["非常满意", "satisfied", "基本满意", None, "very_dissatisfied"])
    assert FIVE_LEVEL_100.points_of(answers).tolist()[:3] == [100, 80, 60]
    assert FIVE_LEVEL_10.points_of(answers).fillna(-1).tolist() == [10, 8, 6, -1, 0]
    with pytest.raises(RubricError, match="'很好'"):
        FIVE_LEVEL_100.points_of(pd.Series(["很好"]))
    # bands start half-way between levels: 90, 70, 45, 15 — on a 0–100 score for either scale
    scores = [100, 90, 89.9, 70, 69.9, 45, 44.9, 15, 14.9, 0, np.nan]
    expected = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, -1]
    assert FIVE_LEVEL_100.level_of(scores).tolist() == expected
    assert FIVE_LEVEL_10.level_of(scores).tolist() == expected


GOOD = textwrap.dedent("""\
    code: r
    version: "1"
    scale:
      code: s
      levels:
        - {code: good, label_zh: 好, points: 10}
        - {code: bad, label_zh: 差, points: 0, min_score: 0}
    criteria:
      - code: attitude
        name_zh: 态度
        descriptors: {good: 热情, bad: {zh: 冷淡, en: cold}}
    """)


def write(tmp_path, text):
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_rubric_loads_with_default_policies(tmp_path):
    rub = load_rubric(write(tmp_path, GOOD))
    assert rub.scale.maximum == 10 and rub.criteria[0].descriptors_en == {"bad": "cold"}
    assert rub.aggregation == AggregationPolicy()
    assert rub.criterion_weights == {"attitude": 1.0}


@pytest.mark.parametrize("change, key", [
    (("points: 10", "points: ten"), "scale.levels[1].points"),
    (("descriptors: {good: 热情, ", "descriptors: {"), "criteria.attitude.descriptors.good"),
    (("name_zh: 态度", "name_zh: 态度\n    weigth: 2"), "criteria[1].weigth"),
    (("points: 0,", "points: 20,"), "scale"),
    (("criteria:", "aggregation: {method: average}\ncriteria:"), "aggregation.method"),
    (("criteria:", "aggregation: {group_weights: {leaders: 1}}\ncriteria:"), "aggregation.group_weights.leaders"),
    (("criteria:", "aggregation: {method: drop_extremes, drop_k: 3}\ncriteria:"), "aggregation.min_raters"),
    (("criteria:", "votes: {rule: points, points: {excellent: 100}}\ncriteria:"), "votes.points"),
    (("criteria:", "survey: {satisfied: [great]}\ncriteria:"), "survey.satisfied"),
    (("version: \"1\"\n", ""), "version"),
])
def test_mistakes_name_the_file_and_the_key(tmp_path, change, key):
    path = write(tmp_path, GOOD.replace(*change, 1))
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(path) in str(err.value) and key in str(err.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(RubricError, match="not found"):
        load_rubric(tmp_path / "none.yaml")
    with pytest.raises(RubricError, match=r"line \d+"):
        load_rubric(write(tmp_path, "code: [unclosed\n"))
    with pytest.raises(RubricError, match="criterion 'speed'|speed"):
        load_rubric(write(tmp_path, GOOD)).check_ratings(pd.DataFrame({"criterion": ["attitude", "speed"]}))
