"""The evaluator registry (评估人员数据库): a rater never counts for their own unit.

The sample's peer rater PR05 works in D05 and also rated D05 (README, "Deliberate special
cases"); those ratings must be excluded and logged — without scores.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from evalkit.indicators.qualitative import rating_score
from evalkit.qualitative import AggregationPolicy, combine_groups, exclude_own_unit, group_scores
from evalkit.qualitative.registry import EXCLUSION_COLUMNS

YEAR = 2024


def test_sample_self_rating_is_excluded_and_logged_without_scores(sample_ratings, sample_raters, caplog):
    assert sample_raters.set_index("rater_id").loc["PR05", "own_unit_id"] == "D05"
    own = sample_ratings[(sample_ratings["rater_id"] == "PR05") & (sample_ratings["unit_id"] == "D05")]
    assert len(own) == 4  # the special case is in the data
    with caplog.at_level(logging.INFO, logger="evalkit.qualitative"):
        result = exclude_own_unit(sample_ratings, sample_raters)
    ex = result.exclusions
    assert list(ex.columns) == EXCLUSION_COLUMNS
    assert ex[["rater_id", "rater_group", "unit_id", "n_ratings", "reason"]].values.tolist() == [
        ["PR05", "peer", "D05", 4, "own_unit"]]
    assert ex.loc[0, "reason_zh"] == "本单位人员不评本单位（回避）"
    elig = result.eligible
    assert len(elig) == len(sample_ratings) - 4
    assert not ((elig["rater_id"] == "PR05") & (elig["unit_id"] == "D05")).any()
    assert (elig["rater_id"] == "PR05").sum() == (sample_ratings["rater_id"] == "PR05").sum() - 4
    # the log names who and where, never a score
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "PR05→D05" in text
    for score in own["score"]:
        assert f"{score:g}" not in text and f"{score}" not in text
    assert "score" not in " ".join(ex.columns)


def test_rating_score_of_d05_does_not_count_pr05(sample_dataset, sample_ratings, sample_raters):
    got = rating_score(sample_dataset, YEAR).set_index("unit_id").loc["D05"]
    elig = exclude_own_unit(sample_ratings, sample_raters).eligible
    expected = combine_groups(group_scores(elig[elig["unit_id"] == "D05"], AggregationPolicy())).iloc[0]
    assert got["value"] == pytest.approx(expected["score"], abs=1e-12)
    assert got["n"] == expected["n_raters"]
    with_self = combine_groups(group_scores(sample_ratings[sample_ratings["unit_id"] == "D05"],
                                            AggregationPolicy())).iloc[0]
    assert with_self["n_raters"] == got["n"] + 1
    assert with_self["score"] > got["value"]  # the self-rating was lenient


def test_unregistered_and_mis_grouped_ratings_are_excluded():
    raters = pd.DataFrame({"rater_id": ["A", "B"], "rater_group": ["peer", "leader"], "own_unit_id": ["U1", None]})
    ratings = pd.DataFrame({
        "rater_id": ["A", "A", "B", "C", "B"], "rater_group": ["peer", "peer", "peer", "peer", "leader"],
        "unit_id": ["U1", "U2", "U1", "U1", "U2"], "criterion": "c", "score": [90.0, 80, 70, 60, 50]})
    res = exclude_own_unit(ratings, raters)
    assert res.exclusions[["rater_id", "unit_id", "reason"]].values.tolist() == [
        ["A", "U1", "own_unit"], ["B", "U1", "group_mismatch"], ["C", "U1", "not_in_registry"]]
    assert res.eligible[["rater_id", "unit_id"]].values.tolist() == [["A", "U2"], ["B", "U2"]]


def test_without_a_registry_nothing_is_checked_and_a_warning_says_so(sample_ratings, caplog):
    with caplog.at_level(logging.WARNING, logger="evalkit.qualitative"):
        res = exclude_own_unit(sample_ratings.head(10), None)
    assert len(res.eligible) == 10 and res.exclusions.empty
    assert "no rater registry" in caplog.text
