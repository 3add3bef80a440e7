"""Special-cause rules, pinned to their published definitions and worked vectors.

* Making Data Count (NHS England & NHS Improvement 2019, *Making data count: getting
  started*; *Strengthening your decisions*) as coded in the R package NHSRplotthedots 0.2.2,
  ``R/ptd_calculate_point_type.R``: a point outside the process limits; a run of 7 points
  on one side of the mean (``ptd_seven_point_one_side_mean``, a point on the mean — sign 0 —
  ends it); 7 points all increasing or all decreasing (``ptd_seven_point_trend``, a repeated
  value ends it); two of three points close to a limit, all three on one side of the mean
  (``ptd_two_in_three``). The vectors below are those of the package's own tests
  (``tests/testthat/test-ptd_calculate_point_type.R``), each with the package's expected
  output. Since November 2023 the Making Data Count tools count a point beyond the limit as
  beyond 2 sigma too (NHSRplotthedots issue #194); evalkit follows that.
* The issue's defaults, a run of 8 and a trend of 6, are the Western Electric lengths
  (Western Electric 1956, *Statistical Quality Control Handbook*) as Montgomery lists them
  among the sensitizing rules for Shewhart charts ("eight consecutive points on one side of
  the center line"; "six points in a row steadily increasing or decreasing"); Montgomery's
  solutions manual notes that Minitab's run rule uses 9 points, "not 8".
"""

import numpy as np
import pytest

from evalkit.monitor import RuleSet, episodes, run_parts, special_cause_masks


def masks(values, direction=1, centre=0.0, sigma=1.0, rules=RuleSet.making_data_count()):
    x = np.asarray(values, dtype=float)[None, :]
    c = np.array([centre])
    return {k: v[0].astype(int).tolist() for k, v in special_cause_masks(
        x, c, c - 3 * sigma, c + 3 * sigma, c - 2 * sigma, c + 2 * sigma, np.array([direction]), rules).items()}


# --- run on one side of the centre ------------------------------------------------------

def test_run_parts_matches_nhsrplotthedots_seven_points_one_side():
    # ptd_seven_point_one_side_mean(c(rep(1, 8), -1)) == c(0,0,0,0,0,0,1,1,0): the run is
    # complete at points 7 and 8, and ptd_part_of_seven_trend makes points 1–8 its members
    flags = np.array([[1] * 8 + [0]], dtype=bool)
    assert run_parts(flags, 7)[0].astype(int).tolist() == [1] * 8 + [0]
    # rep(1, 6) and c(rep(1, 6), -1): no run of 7
    assert not run_parts(np.ones((1, 6), bool), 7).any()
    assert not run_parts(np.array([[1] * 6 + [0]], bool), 7).any()


def test_run_fires_on_the_worse_side_only():
    below = [-0.5] * 7 + [0.5]
    assert masks(below, direction=1)["run"] == [1] * 7 + [0]      # higher is better: below is worse
    assert masks(below, direction=-1)["run"] == [0] * 8           # lower is better: below is improvement


def test_a_point_on_the_centre_line_ends_a_run():
    assert masks([-1, -1, -1, 0, -1, -1, -1, -1])["run"] == [0] * 8


def test_issue_default_run_of_eight():
    rules = RuleSet()  # run 8, trend 6
    assert masks([0.5, -0.5, 0.5, 0.5] + [-0.5] * 7, rules=rules)["run"] == [0] * 11
    assert masks([0.5, -0.5, 0.5] + [-0.5] * 8, rules=rules)["run"] == [0, 0, 0] + [1] * 8


# --- trend ----------------------------------------------------------------------------------

@pytest.mark.parametrize("values, expected", [
    # ptd_seven_point_trend(1:6) == 0: six points are not a trend of 7
    (list(range(1, 7)), [0] * 6),
    # ptd_seven_point_trend(c(1:3, 3:6)) == 0: the repeated 3 ends the trend
    ([1, 2, 3, 3, 4, 5, 6], [0] * 7),
    # ptd_seven_point_trend(7:1) completes at point 7; its members are points 1–7
    (list(range(7, 0, -1)), [1] * 7),
    # ptd_seven_point_trend(c(2, 7:1, 3)) completes at point 8: members 2–8
    ([2] + list(range(7, 0, -1)) + [3], [0] + [1] * 7 + [0]),
])
def test_trend_matches_nhsrplotthedots_for_a_decrease_when_higher_is_better(values, expected):
    assert masks(values, direction=1, centre=np.mean(values), sigma=100)["trend"] == expected


def test_an_increasing_trend_is_improvement_when_higher_is_better():
    # ptd_seven_point_trend(1:7) == c(0,…,0,1): "7 Point Trend (Increasing)", improvement
    up = list(range(1, 8))
    assert masks(up, direction=1, centre=4, sigma=100)["trend"] == [0] * 7
    assert masks(up, direction=-1, centre=4, sigma=100)["trend"] == [1] * 7


def test_issue_default_trend_of_six():
    rules = RuleSet()
    assert masks([5, 4, 3, 2, 1], rules=rules, centre=3, sigma=100)["trend"] == [0] * 5
    assert masks([9, 5, 4, 3, 2, 1, 7], rules=rules, centre=3, sigma=100)["trend"] == [1] * 6 + [0]


# --- two out of three beyond 2 sigma --------------------------------------------------------

@pytest.mark.parametrize("close, members", [
    # ptd_two_in_three(c(1, 0, 1), c(1, 1, 1)) == rep(1, 3) (and likewise 0 1 1, 1 1 0)
    ([1, 0, 1], [1, 1, 1]),
    ([0, 1, 1], [0, 1, 1]),
    ([1, 1, 0], [1, 1, 0]),
    # g: c(0,0,1,0,1,0,0) → c(0,0,1,1,1,0,0)
    ([0, 0, 1, 0, 1, 0, 0], [0, 0, 1, 1, 1, 0, 0]),
    # ptd_part_of_two_in_three: (1,0,0,1) → none; (1,0,0,1,1) → (0,0,0,1,1)
    ([1, 0, 0, 1], [0, 0, 0, 0]),
    ([1, 0, 0, 1, 1], [0, 0, 0, 1, 1]),
])
def test_two_of_three_matches_nhsrplotthedots_vectors(close, members):
    # "close" points at 2.5 sigma above the centre, the others at 0.5 sigma above; lower is
    # better, so above is the worse side. The members run from the first to the last close
    # point of a qualifying window; on the close points they equal ptd_part_of_two_in_three.
    values = [2.5 if c else 0.5 for c in close]
    got = masks(values, direction=-1)["two_of_three"]
    assert got == members
    assert [g * c for g, c in zip(got, close)] == [m * c for m, c in zip(members, close)]


def test_two_of_three_needs_all_three_on_one_side():
    # ptd_two_in_three(c(1, 0, 1), c(1, -1, 1)) == 0
    assert masks([2.5, -0.5, 2.5], direction=-1)["two_of_three"] == [0, 0, 0]


def test_two_of_three_counts_points_beyond_the_limit_since_2023():
    # NHSRplotthedots #194: one point between 2 and 3 sigma and the next beyond 3 sigma
    got = masks([0.5, 2.5, 3.5], direction=-1)
    assert got["two_of_three"] == [0, 1, 1] and got["beyond_limit"] == [0, 0, 1]


# --- beyond a limit --------------------------------------------------------------------------

def test_beyond_limit_is_strict_and_one_sided():
    got = masks([-3.0, -3.01, 3.5], direction=1)
    assert got["beyond_limit"] == [0, 1, 0]


def test_no_chart_no_pattern():
    x = np.array([[-5.0] * 10])
    nan = np.array([np.nan])
    out = special_cause_masks(x, nan, nan, nan, nan, nan, np.array([1]), RuleSet.making_data_count())
    assert not any(m.any() for m in out.values())


def test_episodes_are_maximal_stretches():
    m = np.array([[0, 1, 1, 0, 1], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0]], dtype=bool)
    rows, first, last = episodes(m)
    assert rows.tolist() == [0, 0, 1] and first.tolist() == [1, 4, 0] and last.tolist() == [2, 4, 0]


@pytest.mark.parametrize("kwargs", [dict(run_length=1), dict(trend_length=0), dict(run_length=True),
                                    dict(beyond_limit=False, run_length=None, trend_length=None)])
def test_rule_set_refuses_nonsense(kwargs):
    with pytest.raises(ValueError):
        RuleSet(**kwargs)
