"""XmR (individuals and moving range) chart, pinned to a published worked example.

NHS-R community, R package NHSRplotthedots 0.2.2 (CRAN, 2025-09-29), vignette "Deviations
from Excel defaults", §1 "Treatment of outlying points": the 18 daily values
1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1 give, as printed in the vignette's
figure captions,

* with outlying moving ranges screened out (the package default, after Nelson, L. S.
  1982, *Journal of Quality Technology* 14(3), 172–173): UPL = 4.6, mean = 1.94,
  LPL = −0.72;
* without screening ("the same output as Excel", i.e. the NHS England "Making Data
  Count" tools): UPL = 6.95, mean = 1.94, LPL = −3.06;

and in both charts the fifth point (10) is a single special cause above the upper limit.
Verified from the vignette source (nhs-r-community/NHSRplotthedots,
``vignettes/deviations.Rmd``) and the package code (``R/ptd_spc_standard.R``: ``limit <-
2.66``, screening ``mr < 3.267 * amr``).

I could not verify an XmR example from Wheeler's *Understanding Variation* or the NIST
e-Handbook §6.3.2 from a source available here, so neither is used.
"""

import numpy as np
import pandas as pd
import pytest

from evalkit.monitor import D2, D4, XMR_FACTOR, ChartSpec, MonitorSpec, monitor_warnings, xmr_chart

VIGNETTE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def test_constants():
    # 3 / d2 = 3 / 1.128 = 2.6596, written 2.66; D4 = 1 + 3 d3/d2 = 1 + 3 × 0.853 / 1.128 = 3.2686 ≈ 3.267
    assert D2 == 1.128
    assert XMR_FACTOR == 2.66 and abs(3 / D2 - XMR_FACTOR) < 0.001
    assert D4 == 3.267 and abs(1 + 3 * 0.853 / D2 - D4) < 0.002


def test_vignette_without_screening_matches_making_data_count_excel():
    # mean = 35/18 = 1.944; moving ranges 1,1,1,8,9 and twelve 1s: Σ = 32 over 17, MR̄ = 1.882
    # limits = 1.944 ± 2.66 × 1.882 = 1.944 ± 5.007 → 6.95 and −3.06
    chart = xmr_chart(VIGNETTE)
    assert chart["centre"].iloc[0] == pytest.approx(35 / 18)
    assert chart["mean_moving_range"].iloc[0] == pytest.approx(32 / 17)
    assert round(chart["centre"].iloc[0], 2) == 1.94
    assert round(chart["upper"].iloc[0], 2) == 6.95
    assert round(chart["lower"].iloc[0], 2) == -3.06
    assert chart["sigma"].iloc[0] == pytest.approx(32 / 17 / 1.128)
    assert chart.loc[chart["value"] > chart["upper"], "period"].tolist() == [5]


def test_vignette_with_screened_moving_ranges_matches_the_package_default():
    # 3.267 × 1.882 = 6.149: the moving ranges 8 and 9 are screened out, MR̄ = 15/15 = 1
    # limits = 1.944 ± 2.66 → 4.60 and −0.72
    chart = xmr_chart(VIGNETTE, screen_moving_ranges=True)
    assert chart["mean_moving_range"].iloc[0] == pytest.approx(1.0)
    assert round(chart["upper"].iloc[0], 2) == 4.6
    assert round(chart["lower"].iloc[0], 2) == -0.72
    assert chart.loc[chart["value"] > chart["upper"], "period"].tolist() == [5]


@pytest.mark.parametrize("screen", [False, True])
def test_vignette_special_cause_warns_only_when_high_is_worse(screen):
    frame = pd.DataFrame({"unit_id": "ward", "indicator": "incidents", "chart": "xmr", "value": VIGNETTE,
                          "period": pd.period_range("2021-03", periods=18, freq="M")})
    spec = MonitorSpec(charts=ChartSpec(baseline_points=None, screen_moving_ranges=screen))
    worse = monitor_warnings(frame.assign(direction=-1), spec)
    assert worse[["rule", "since", "value", "points"]].values.tolist() == [["beyond_limit", "2021-07", 10.0, 1]]
    assert worse["limit"].round(2).tolist() == [4.6 if screen else 6.95]
    assert worse["centre"].round(2).tolist() == [1.94]
    # the vignette calls it "special cause improvement" when higher is better: no warning
    assert monitor_warnings(frame.assign(direction=1), spec).empty


def test_baseline_first_points_fix_the_limits():
    # limits from the first four points only: mean 1.5, MR̄ = 1, limits 1.5 ± 2.66
    chart = xmr_chart(VIGNETTE, baseline=4)
    assert chart["in_baseline"].tolist() == [True] * 4 + [False] * 14
    assert chart["centre"].iloc[0] == 1.5
    assert chart["upper"].iloc[0] == pytest.approx(1.5 + 2.66)


def test_moving_ranges_do_not_bridge_a_missing_month():
    # 1, 3, NaN, 4, 8: moving ranges |3−1| = 2 and |8−4| = 4 only; MR̄ = 3, mean 4
    chart = xmr_chart([1, 3, np.nan, 4, 8])
    assert chart["mean_moving_range"].iloc[0] == 3.0
    assert chart["centre"].iloc[0] == 4.0
    assert np.isnan(chart["moving_range"].iloc[2]) and np.isnan(chart["moving_range"].iloc[3])
