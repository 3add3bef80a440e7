"""The published rank intervals vary the weights and the data: every rate of records is drawn
from its Jeffreys posterior Beta(x + 1/2, n − x + 1/2), so a unit at 100 % of a few cases
moves while one at 100 % of many hardly does; the table says what was varied and gives a
rank band (top / middle / bottom third of the peer group) computed from the interval."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.results.intervals import (
    RANK_INTERVAL_SEED,
    RANK_WIDE_PLACES,
    RANK_WIDE_SHARE,
    rank_bands,
    rank_interval_table,
    wide_intervals,
)
from evalkit.scoring.framework import load_framework, parse_framework
from evalkit.scoring.model import ScoringModel, scoring_model
from evalkit.scoring.vocabulary import VALUE_METHODS
from evalkit.sensitivity import (
    IndicatorValueNoise,
    WeightNoise,
    jeffreys_interval,
    jeffreys_mean,
    jeffreys_quantile,
    make_plan,
    parse_spec,
    uncertainty_analysis,
)
from evalkit.stats import wilson_intervals

from tests.helpers import SAMPLE

COLUMNS = ["unit_id", "rank_low", "rank_high", "rank_median", "n_scenarios", "n_in_group", "varied", "rank_band",
           "wide", "p_top", "p_middle", "p_bottom"]


# --------------------------------------------------------------------------- the Jeffreys draw

# Published 95 % Jeffreys intervals (equal-tailed, prior Beta(1/2, 1/2); Brown, Cai &
# DasGupta, 2001, Statistical Science 16(2), 101–133, section 4.1.2): the output of the R
# package binom, ``binom.confint(x, n, tol = 1e-8)`` row "bayes" (Jeffreys prior
# shape1 = shape2 = 0.5), as recorded in statsmodels' test results
# (statsmodels/stats/tests/results/results_proportion.py, res_binom[(x, n)], method
# index 2). Two independent implementations of the same interval.
PUBLISHED_JEFFREYS = [
    (18, 20, 0.716146742695748, 0.97862751197755),
    (4, 20, 0.07152005247873425, 0.4082257625169254),
    (4, 200, 0.00678759879519299, 0.0468465669668423),
]


@pytest.mark.parametrize("x, n, low, high", PUBLISHED_JEFFREYS)
def test_jeffreys_interval_matches_the_published_values(x, n, low, high):
    lo, hi = jeffreys_interval(x, n, 0.95)
    assert float(lo) == pytest.approx(low, abs=1e-9)
    assert float(hi) == pytest.approx(high, abs=1e-9)
    # the interval is the 2.5 % and 97.5 % posterior quantiles, the quantiles the draws use
    assert float(jeffreys_quantile(x, n, 0.025)) == pytest.approx(low, abs=1e-9)
    assert float(jeffreys_quantile(x, n, 0.975)) == pytest.approx(high, abs=1e-9)


def test_jeffreys_interval_boundary_modification_and_invalid_counts():
    # Brown, Cai & DasGupta's modification: lower bound 0 at x = 0, upper bound 1 at x = n
    lo, hi = jeffreys_interval([0, 3, 2], [3, 3, 0])
    assert lo[0] == 0.0 and hi[0] == pytest.approx(stats.beta.ppf(0.975, 0.5, 3.5))
    assert hi[1] == 1.0 and lo[1] == pytest.approx(stats.beta.ppf(0.025, 3.5, 0.5))
    assert np.isnan(lo[2]) and np.isnan(hi[2])  # n = 0: no data, never [0, 1]
    assert np.isnan(jeffreys_quantile(4, 3, 0.5))  # impossible counts
    with pytest.raises(ValueError, match="confidence"):
        jeffreys_interval(1, 2, 1.5)


def test_draws_follow_the_posterior_and_units_at_100_percent_move():
    rng = np.random.default_rng(11)
    u = rng.random((200_000, 1))
    x = np.array([3.0, 500.0, 18.0])
    n = np.array([3.0, 500.0, 20.0])
    draws = jeffreys_quantile(x, n, u)  # vectorised: (R, 1) uniforms against (cells,) counts
    assert draws.shape == (200_000, 3)
    # the empirical CDF of the draws at the posterior's quantiles (scipy's beta.ppf)
    levels = np.array([0.025, 0.25, 0.5, 0.75, 0.975])
    for k in range(3):
        ppf = stats.beta.ppf(levels, x[k] + 0.5, n[k] - x[k] + 0.5)
        assert (draws[:, [k]] <= ppf).mean(axis=0) == pytest.approx(levels, abs=0.003)
    # posterior means (x + 1/2)/(n + 1): 3 of 3 → 87.5 %, 500 of 500 → 99.9 %
    assert jeffreys_mean(x, n)[:2] == pytest.approx([0.875, 500.5 / 501])
    assert draws.mean(axis=0)[:2] == pytest.approx([0.875, 500.5 / 501], abs=2e-3)
    assert (draws[:, 0] < 1).all() and (draws[:, 0] < 0.95).mean() > 0.2  # 3 of 3 moves down, a lot
    assert (draws[:, 1] < 0.99).mean() < 0.01  # 500 of 500 hardly moves
    # the 18-of-20 draws fall inside the published interval 95 % of the time
    low, high = PUBLISHED_JEFFREYS[0][2:]
    assert ((draws[:, 2] >= low) & (draws[:, 2] <= high)).mean() == pytest.approx(0.95, abs=0.003)


# --------------------------------------------------------------------------- a small district

def _case():
    """Five departments on a rate of records (linear from 50 % to 100 %) and a rating:
    A at 100 % of 3 cases, B at 100 % of 500 cases, the same rating for both."""
    doc = {
        "code": "tiny", "version": "1", "missing_policy": "renormalise",
        "grades": {"bands": [["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]], "top_quota": 1.0},
        "nodes": [
            {"code": "E", "area": "efficiency", "children": [
                {"code": "E1", "indicator": "service_on_time_rate", "points": 60,
                 "rule": {"type": "linear_band", "low": 50, "high": 100}},
                {"code": "E2", "indicator": "rating_score", "points": 40,
                 "rule": {"type": "linear_band", "low": 0, "high": 100}},
            ]},
        ],
    }
    framework = parse_framework(doc)
    ids = ["A", "B", "C", "D", "E"]
    units = pd.DataFrame({"unit_id": ids, "name_zh": ids, "peer_group": "department", "unit_class": "综合"})
    counts = {"A": (3, 3), "B": (500, 500), "C": (470, 500), "D": (180, 200), "E": (440, 500)}
    rows = []
    for uid, (x, n) in counts.items():
        lo, hi = wilson_intervals(x, n)
        rows.append(("service_on_time_rate", uid, 100.0 * x / n, float(x), float(n), 100 * float(lo), 100 * float(hi)))
    rating = {"A": 90.0, "B": 90.0, "C": 92.0, "D": 95.0, "E": 97.0}
    rows += [("rating_score", uid, v, np.nan, np.nan, np.nan, np.nan) for uid, v in rating.items()]
    values = pd.DataFrame(rows, columns=["indicator", "unit_id", "value", "numerator", "denominator", "ci_low",
                                         "ci_high"])
    values["n"] = values["denominator"].fillna(0)
    return ScoringModel.from_values(framework, units, values)


@pytest.fixture(scope="module")
def tiny():
    return _case()


def test_jeffreys_is_an_alternative_of_the_values_step(tiny):
    assert "jeffreys" in VALUE_METHODS
    assert "jeffreys" in tiny.steps["values"].alternatives
    plan = make_plan(tiny, [parse_spec({"type": "indicator_values", "method": "jeffreys"})])
    table = plan.factor_table()
    assert table["factor"].tolist() == ["values:E1"] and table["width"].tolist() == [5]  # the rating has no counts


def test_jeffreys_draws_keep_per_cent_and_leave_values_without_counts(tiny):
    res = uncertainty_analysis(tiny, [IndicatorValueNoise("jeffreys")], 4000, seed=3)
    draws = res.value_draws
    e1, e2 = tiny.leaves.index("E1"), tiny.leaves.index("E2")
    assert np.array_equal(draws[:, :, e2], np.broadcast_to(tiny.values[:, e2], draws[:, :, e2].shape))
    a, b = 0, 1
    assert draws[:, a, e1].max() <= 100.0 and draws[:, a, e1].min() > 1.0  # per cent stays per cent
    assert draws[:, a, e1].mean() == pytest.approx(87.5, abs=1.0)  # posterior mean of 3 of 3
    assert draws[:, b, e1].mean() == pytest.approx(100 * 500.5 / 501, abs=0.02)
    assert (draws[:, a, e1] <= 100 * stats.beta.ppf(0.025, 3.5, 0.5)).mean() == pytest.approx(0.025, abs=0.01)


def test_a_value_with_an_interval_but_no_counts_is_drawn_within_it():
    doc = {"code": "tiny2", "version": "1", "missing_policy": "renormalise",
           "grades": {"bands": [["优秀", 90], ["合格", 0]], "top_quota": 1.0},
           "nodes": [{"code": "E", "area": "efficiency", "children": [
               {"code": "E3", "indicator": "service_instant_share", "points": 10,
                "rule": {"type": "linear_band", "low": 0, "high": 100}}]}]}
    values = pd.DataFrame({"indicator": "service_instant_share", "unit_id": ["A", "B"], "value": [60.0, 40.0],
                           "ci_low": [50.0, np.nan], "ci_high": [70.0, np.nan]})
    units = pd.DataFrame({"unit_id": ["A", "B"], "peer_group": "department", "unit_class": "综合"})
    model = ScoringModel.from_values(parse_framework(doc), units, values)
    draws = uncertainty_analysis(model, [IndicatorValueNoise("jeffreys")], 500, seed=1).value_draws[:, :, 0]
    assert draws[:, 0].min() >= 50.0 and draws[:, 0].max() <= 70.0 and draws[:, 0].std() > 3
    assert (draws[:, 1] == 40.0).all()  # no interval: as observed


def test_data_uncertainty_moves_a_unit_at_100_percent_of_three_cases(tiny):
    weights_only = rank_interval_table(None, None, None, n=1000, value_noise=False, model=tiny).set_index("unit_id")
    both = rank_interval_table(None, None, None, n=1000, model=tiny).set_index("unit_id")
    # weights only: A and B (both 100 %, the same rating) are always tied — A's rank never moves
    assert weights_only.loc["A", "rank_low"] == weights_only.loc["A", "rank_high"]
    assert weights_only.loc["A", "rank_low"] == weights_only.loc["B", "rank_low"]
    # weights and data: A's 3 cases leave its rate uncertain, B's 500 hardly
    assert both.loc["A", "rank_high"] > both.loc["A", "rank_low"]
    width = both["rank_high"] - both["rank_low"]
    assert width["A"] > width["B"]
    assert both.loc["A", "rank_median"] > both.loc["B", "rank_median"]
    assert (both["varied"] == "weights+data").all() and (weights_only["varied"] == "weights").all()
    assert both.attrs["parameters"]["value_noise"] == "jeffreys"
    assert both.attrs["parameters"]["varied"] == "weights+data"


def test_the_same_seed_gives_the_same_table(tiny):
    a = rank_interval_table(None, None, None, n=400, seed=5, model=tiny)
    b = rank_interval_table(None, None, None, n=400, seed=5, model=tiny)
    c = rank_interval_table(None, None, None, n=400, seed=6, model=tiny)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs == b.attrs and a.attrs["parameters"]["seed"] == 5
    assert not a[["p_top", "p_middle", "p_bottom"]].equals(c[["p_top", "p_middle", "p_bottom"]])


def test_the_weights_only_option_is_the_earlier_table(tiny):
    old = uncertainty_analysis(tiny, [WeightNoise(0.2)], 300, seed=RANK_INTERVAL_SEED).rank_intervals()
    table = rank_interval_table(None, None, None, n=300, value_noise=False, model=tiny)
    pd.testing.assert_frame_equal(table[old.columns.tolist()], old)
    assert table.attrs["parameters"]["value_noise"] == "none"
    wilson = rank_interval_table(None, None, None, n=300, value_noise=True, model=tiny)
    assert wilson.attrs["parameters"]["value_noise"] == "wilson" and (wilson["varied"] == "weights+data").all()
    assert rank_interval_table(None, None, None, n=300, value_noise="none", model=tiny).equals(table)
    with pytest.raises(Exception, match="value_noise must be one of"):
        rank_interval_table(None, None, None, n=300, value_noise="bootstrap", model=tiny)


# --------------------------------------------------------------------------- bands

@pytest.mark.parametrize("low, high, n, band", [
    # n = 35: t = ⌈35/3⌉ = 12; top ≤ 12, bottom > 23, middle 13 … 23
    (1, 12, 35, "top"), (1, 1, 35, "top"), (1, 13, 35, ""), (12, 13, 35, ""),
    (13, 23, 35, "middle"), (13, 24, 35, ""), (24, 35, 35, "bottom"), (23, 35, 35, ""),
    # n = 13: t = 5; top ≤ 5, middle 6 … 8, bottom > 8
    (1, 5, 13, "top"), (6, 8, 13, "middle"), (9, 13, 13, "bottom"), (5, 6, 13, ""), (1, 13, 13, ""),
    # tiny groups: n = 2 (t = 1) has no middle; n = 1 is always top
    (1, 1, 2, "top"), (2, 2, 2, "bottom"), (1, 2, 2, ""), (1, 1, 1, "top"),
])
def test_rank_bands_as_documented(low, high, n, band):
    assert rank_bands([low], [high], [n]).tolist() == [band]


def test_rank_bands_and_width_without_a_rank():
    assert rank_bands(pd.array([pd.NA, 3], dtype="Int64"), pd.array([pd.NA, 4], dtype="Int64"), [10, 10]).tolist() \
        == ["", "top"]
    assert wide_intervals(pd.array([pd.NA], dtype="Int64"), pd.array([pd.NA], dtype="Int64"), [10]).tolist() == [False]


@pytest.mark.parametrize("low, high, n, wide", [
    (1, 1 + RANK_WIDE_PLACES, 35, True), (1, RANK_WIDE_PLACES, 35, False),  # min(5, 7) = 5 places
    (1, 4, 13, True), (1, 3, 13, False),  # min(5, 2.6): 3 places are wide in a group of 13
    (1, 1, 1, False),
])
def test_wide_intervals_as_documented(low, high, n, wide):
    assert RANK_WIDE_SHARE == 0.2
    assert wide_intervals([low], [high], [n]).tolist() == [wide]


# --------------------------------------------------------------------------- the sample district

@pytest.fixture(scope="module")
def sample_tables():
    from evalkit.data.dataset import load_dataset

    ds = load_dataset(SAMPLE)
    fw = load_framework(SAMPLE / "framework.yaml")
    model = scoring_model(ds, fw, 2024)
    return (rank_interval_table(ds, fw, 2024, model=model),
            rank_interval_table(ds, fw, 2024, model=model, value_noise=False), model)


def test_sample_table_columns_bands_and_parameters(sample_tables):
    table, weights_only, model = sample_tables
    assert table.columns.tolist() == COLUMNS and weights_only.columns.tolist() == COLUMNS
    assert (table["n_scenarios"] == 1000).all() and (table["varied"] == "weights+data").all()
    sizes = model.units.groupby("peer_group")["unit_id"].transform("size").to_numpy()
    assert np.array_equal(table["n_in_group"].to_numpy(), sizes)
    assert (table["rank_low"] <= table["rank_high"]).all() and (table["rank_high"] <= table["n_in_group"]).all()
    assert table["rank_band"].tolist() == rank_bands(table["rank_low"], table["rank_high"], sizes).tolist()
    assert set(table["rank_band"]) <= {"top", "middle", "bottom", ""}
    width = table["rank_high"] - table["rank_low"]
    limit = np.minimum(RANK_WIDE_PLACES, RANK_WIDE_SHARE * table["n_in_group"])
    assert table["wide"].tolist() == (width >= limit).tolist()
    shares = table[["p_top", "p_middle", "p_bottom"]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    # a band is given only when (nearly) every scenario puts the unit in that third
    for band in ("top", "middle", "bottom"):
        assert (table.loc[table["rank_band"] == band, f"p_{band}"] >= 0.9).all()
    # the data widen the intervals: small-count rates (督查事项, 1–16 items) move ranks
    assert width.mean() > (weights_only["rank_high"] - weights_only["rank_low"]).mean()
    params = table.attrs["parameters"]
    assert params["varied"] == "weights+data" and params["value_noise"] == "jeffreys"
    assert params["n_scenarios"] == 1000 and params["seed"] == RANK_INTERVAL_SEED
    assert "Beta(x + 1/2, n - x + 1/2)" in params["data"]
    json.dumps(params)  # goes into meta["parameters"]


def test_ceil_third_matches_the_documented_t():
    for n in range(1, 60):
        t = math.ceil(n / 3)
        assert rank_bands([t], [t], [n]).tolist() == ["top"]
        if n - t > t:
            assert rank_bands([t + 1], [t + 1], [n]).tolist() == ["middle"]
