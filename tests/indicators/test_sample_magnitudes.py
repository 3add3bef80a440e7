"""The sample district's 2024 indicators reproduce the magnitudes it was generated with.

Targets: the domain brief §4.3 as stated in ``data_samples/sample_district/README.md`` and
the docstrings of ``evalkit.sample.events`` (per unit: 12345 on-time 96–100 %, median
≈ 99 %; callback satisfaction 85–97 %; solved 75–90 %; service 超期 0–0.5 %; 全程网办
70–85 %; 即办件 30–60 %; grid 按期结案 96–100 %; budget execution around 90–100 %), and
the deliberate special cases of the README. Medians are over the units that have data.
Small units drift from the per-unit bands by sampling noise, so per-unit bands are checked
on the large units (≥ 1,000 cases) and loosely on all.
"""

from pathlib import Path

import pandas as pd
import pytest

from evalkit.data.dataset import load_dataset
from evalkit.indicators import compute_indicators
from evalkit.indicators import qualitative as ql
from indicator_kit import make_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district"
Y = 2024


@pytest.fixture(scope="module")
def ds():
    # 2023 too: the 三公 change rate compares with the previous year.
    return load_dataset(SAMPLE, years=[Y - 1, Y])


@pytest.fixture(scope="module")
def ind(ds):
    """2024 indicators, indexed by (indicator, unit_id)."""
    return compute_indicators(ds, Y).set_index(["indicator", "unit_id"]).sort_index()


def values(ind, code) -> pd.Series:
    """Values of the units with data."""
    t = ind.loc[code]
    return t.loc[t["status"] == "ok", "value"]


def test_every_unit_has_one_row_per_indicator(ind, ds):
    counts = ind.groupby(level="indicator").size()
    assert (counts == len(ds.units)).all()


# ---------------------------------------------------------------------------------------
# District-level magnitudes
# ---------------------------------------------------------------------------------------

def test_hotline_magnitudes(ind):
    assert 98.0 <= values(ind, "hotline_on_time_rate").median() <= 100.0          # ≈ 99 %
    assert 85.0 <= values(ind, "hotline_satisfaction_rate").median() <= 97.0
    assert 75.0 <= values(ind, "hotline_solved_rate").median() <= 90.0
    # Signing within 4 h and contact within 24 h are the rule.
    assert values(ind, "hotline_signed_rate").median() >= 98.0
    assert values(ind, "hotline_contact_rate").median() >= 98.0


def test_service_magnitudes(ind):
    on_time = values(ind, "service_on_time_rate")
    assert on_time.median() >= 99.5 and on_time.min() >= 99.0           # 超期 0–0.5 % a unit
    cases = ind.loc["service_instant_share", "n"]                         # all cases of a unit
    big = cases[cases >= 1000].index
    online = values(ind, "service_online_rate")
    assert 70.0 <= online.median() <= 85.0
    assert online.reindex(big).between(70.0, 85.0).all()
    assert online.between(65.0, 92.0).all()
    instant = values(ind, "service_instant_share")
    assert 30.0 <= instant.median() <= 60.0
    assert instant.reindex(big).between(30.0, 60.0).all()
    assert instant.between(20.0, 65.0).all()
    # 好评 99 %+; 承诺时限 35–60 % of 法定 (compression 40–65 %, case-weighted ≈ 74 % with
    # 即办件 at 100 %); actual time 10–30 % of promised as a rule (speed-up ≈ 70–80 %).
    assert values(ind, "service_good_rating_rate").median() >= 99.0
    assert 60.0 <= values(ind, "service_time_compression_rate").median() <= 85.0
    assert 70.0 <= values(ind, "service_speedup_rate").median() <= 85.0


def test_grid_budget_and_audit_magnitudes(ind):
    assert values(ind, "grid_on_time_rate").median() >= 96.0
    assert values(ind, "grid_rework_rate").median() <= 0.5
    assert 90.0 <= values(ind, "budget_execution_rate").median() <= 100.0
    assert 90.0 <= values(ind, "audit_rectification_rate").median() <= 100.0


# ---------------------------------------------------------------------------------------
# Deliberate special cases (README)
# ---------------------------------------------------------------------------------------

HOTLINE = ["hotline_signed_rate", "hotline_contact_rate", "hotline_on_time_rate",
           "hotline_solved_rate", "hotline_satisfaction_rate"]


@pytest.mark.parametrize("code", HOTLINE)
def test_d09_without_hotline_tickets_has_no_data(ind, code):
    row = ind.loc[(code, "D09")]
    assert row["status"] == "no_data" and pd.isna(row["value"]) and row["n"] == 0


def test_d17_poor_hotline_performer(ind):
    assert 80.0 <= ind.loc[("hotline_on_time_rate", "D17"), "value"] <= 90.0
    # … and low callback satisfaction: the lowest of the units with ≥ 100 reached callbacks.
    sat = ind.loc["hotline_satisfaction_rate"]
    sat = sat[(sat["status"] == "ok") & (sat["n"] >= 100)]
    assert sat["value"].idxmin() == "D17"
    assert sat.loc["D17", "value"] < 85.0


def test_weaker_hotline_units(ind):
    for unit in ("D12", "S04"):
        assert 92.0 <= ind.loc[("hotline_on_time_rate", unit), "value"] <= 96.5


def test_s09_poor_grid_performer(ind):
    assert 80.0 <= ind.loc[("grid_on_time_rate", "S09"), "value"] <= 88.0
    assert values(ind, "grid_on_time_rate").idxmin() == "S09"


def test_budget_laggards(ind):
    execution = values(ind, "budget_execution_rate")
    assert 83.0 <= execution["D22"] <= 88.0
    assert execution["S05"] < 90.0
    assert set(execution.nsmallest(2).index) == {"D22", "S05"}


def test_d24_has_more_staff_than_posts(ind):
    staffing = values(ind, "staffing_control_rate")
    assert staffing["D24"] > 100.0
    assert staffing[staffing > 100.0].index.tolist() == ["D24"]


def test_own_unit_ratings_are_excluded(ds):
    raw = ds.table("ratings", Y)
    own = (raw["rater_id"] == "PR05") & (raw["unit_id"] == "D05")
    assert own.any()                                   # the sample has the case …
    eligible = ql.eligible_ratings(ds, Y)
    assert not ((eligible["rater_id"] == "PR05") & (eligible["unit_id"] == "D05")).any()  # … removed
    assert len(eligible) == len(raw) - own.sum()


def test_social_service_units_have_too_few_experts(ds, ind):
    # 社会服务类 units are rated by 3–4 experts, below the minimum of 5: their score is the
    # one without the expert group; other units' scores do include it.
    no_experts = ql.rating_score(ds, Y, group_weights={"leader": 0.3, "peer": 0.2, "service_user": 0.4})
    no_experts = no_experts.set_index("unit_id")["value"]
    score = values(ind, "rating_score")
    social = ds.units.loc[ds.units["unit_class"] == "社会服务类", "unit_id"].tolist()
    assert len(social) == 13
    assert score[social].to_numpy() == pytest.approx(no_experts[social].to_numpy())
    others = [u for u in score.index if u not in social]
    assert (score[others] - no_experts[others]).abs().max() > 0.01


# ---------------------------------------------------------------------------------------
# The hand-made tables of the other test modules have the types load_dataset gives
# ---------------------------------------------------------------------------------------

def test_indicator_kit_rebuilds_loaded_frames_exactly(ds):
    for (year, name), frame in ds.tables.items():
        if name == "units":
            continue
        head = frame.head(25).reset_index(drop=True)
        rebuilt = make_dataset(units=ds.units, tables={(year, name): head}).tables[(year, name)]
        pd.testing.assert_frame_equal(rebuilt, head, check_exact=True, obj=f"{year} {name}")
