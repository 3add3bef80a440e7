"""quality_widens_intervals: a unit's data-quality score widens its rank interval — its
counts enter the Jeffreys draws as an effective sample of score/100 of its records."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evalkit.errors import FrameworkError, SensitivityError
from evalkit.results.intervals import QUALITY_SHARE_FLOOR, quality_shares, rank_interval_table
from evalkit.scoring.framework import parse_framework
from evalkit.sensitivity import IndicatorValueNoise, uncertainty_analysis
from tests.indicators.indicator_kit import make_dataset
from tests.results.test_rank_intervals_data import _case

YEAR = 2024


def _budget(unit, months):
    return [{"unit_id": unit, "month": m, "line": "basic", "budget_yuan": 1200.0, "adjustment_yuan": 0.0,
             "spending_yuan": 100.0 + m} for m in months]


@pytest.fixture(scope="module")
def tiny():
    return _case()


@pytest.fixture(scope="module")
def data():
    """A reported every budget month; B none (completeness 0, score 0); C ten of twelve
    months (completeness 0, plausibility 100: score 50); D and E all months."""
    rows = []
    for unit, months in {"A": range(1, 13), "C": range(1, 11), "D": range(1, 13), "E": range(1, 13)}.items():
        rows += _budget(unit, months)
    return make_dataset(units=("A", "B", "C", "D", "E"), tables={(YEAR, "budget_lines"): rows})


def test_quality_shares_from_the_score(data):
    assert quality_shares(data, YEAR) == (("B", QUALITY_SHARE_FLOOR), ("C", 0.5))


def test_an_effective_share_widens_the_draws(tiny):
    e1, b = tiny.leaves.index("E1"), 1   # B: 500 of 500 cases
    plain = uncertainty_analysis(tiny, [IndicatorValueNoise("jeffreys")], 4000, seed=3).value_draws[:, b, e1]
    shared = uncertainty_analysis(tiny, [IndicatorValueNoise("jeffreys", effective_share=(("B", 0.01),))],
                                  4000, seed=3).value_draws[:, b, e1]
    # 500 of 500 drawn as 5 of 5: posterior mean (5 + ½) / 6
    assert shared.mean() == pytest.approx(100 * 5.5 / 6, abs=0.5)
    assert plain.mean() == pytest.approx(100 * 500.5 / 501, abs=0.02)
    assert shared.std() > 10 * plain.std()
    with pytest.raises(SensitivityError, match=r"effective_share of B: expected a share in \(0, 1\]"):
        uncertainty_analysis(tiny, [IndicatorValueNoise("jeffreys", effective_share=(("B", 0.0),))], 10, seed=1)


def test_the_framework_key_widens_the_rank_interval(tiny, data):
    widened = replace(tiny, framework=replace(tiny.framework, quality_widens_intervals=True))
    before = rank_interval_table(data, None, YEAR, n=1000, model=tiny).set_index("unit_id")
    after = rank_interval_table(data, None, YEAR, n=1000, model=widened).set_index("unit_id")
    assert "quality_widens_intervals" not in before.attrs["parameters"]
    assert after.attrs["parameters"]["quality_widens_intervals"]["shares"] == {"B": QUALITY_SHARE_FLOOR, "C": 0.5}
    # C (score 50: 470 of 500 drawn as 235 of 250) reaches rank 4; B (score 0: 500 of 500 drawn
    # as 50 of 50) is no longer first in every scenario
    assert (before.loc["C", "rank_low"], before.loc["C", "rank_high"]) == (2, 3)
    assert (after.loc["C", "rank_low"], after.loc["C", "rank_high"]) == (2, 4)
    assert before.loc["B", "p_top"] == 1.0 and after.loc["B", "p_top"] < 1.0


def test_the_key_is_read_from_the_framework():
    doc = {"code": "q", "version": "1", "quality_widens_intervals": True,
           "nodes": [{"code": "E", "area": "efficiency", "children": [
               {"code": "E1", "indicator": "service_on_time_rate", "points": 100,
                "rule": {"type": "linear_band", "low": 50, "high": 100}}]}]}
    assert parse_framework(doc).quality_widens_intervals is True
    assert parse_framework({**doc, "quality_widens_intervals": False}).quality_widens_intervals is False
    del doc["quality_widens_intervals"]
    assert parse_framework(doc).quality_widens_intervals is False
    with pytest.raises(FrameworkError, match="quality_widens_intervals: expected true or false; found 'yes please'"):
        parse_framework({**doc, "quality_widens_intervals": "yes please"})
