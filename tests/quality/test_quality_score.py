"""The data-quality score, worked by hand (the example of evalkit.quality.score)."""

import numpy as np
import pandas as pd
import pytest

from evalkit.quality import quality_score
from evalkit.quality.score import SCORE_COLUMNS


def _m(unit, dimension, severity, status, year=2024):
    return {"unit_id": unit, "year": year, "dimension": dimension, "severity": severity, "status": status}


def test_score_by_hand():
    metrics = pd.DataFrame([
        # D01: completeness error ok + warn failed = 2/3; timeliness error failed = 0; validity 100;
        # an n/a plausibility check does not count
        _m("D01", "completeness", "error", "ok"), _m("D01", "completeness", "warn", "warn"),
        _m("D01", "timeliness", "error", "error"), _m("D01", "validity", "warn", "ok"),
        _m("D01", "plausibility", "warn", "not_applicable"),
        # D02: everything passes
        _m("D02", "completeness", "error", "ok"), _m("D02", "consistency", "warn", "ok"),
        # D03: nothing applies
        _m("D03", "completeness", "error", "not_applicable"),
    ])
    out = quality_score(metrics)
    assert list(out.columns) == SCORE_COLUMNS and list(out["unit_id"]) == ["D01", "D02", "D03"]
    d01 = out.iloc[0]
    assert d01["completeness"] == pytest.approx(200 / 3)
    assert d01["timeliness"] == 0 and d01["validity"] == 100
    assert np.isnan(d01["plausibility"]) and np.isnan(d01["consistency"])
    assert d01["score"] == pytest.approx((200 / 3 + 0 + 100) / 3) == pytest.approx(55.5556, abs=1e-4)
    assert (d01["checks"], d01["failed"]) == (4, 2)
    assert out.iloc[1]["score"] == 100 and (out.iloc[1]["checks"], out.iloc[1]["failed"]) == (2, 0)
    assert np.isnan(out.iloc[2]["score"]) and out.iloc[2]["checks"] == 0


def test_every_dimension_counts_the_same_however_many_checks():
    metrics = pd.DataFrame([_m("D01", "completeness", "warn", "ok")] * 9
                           + [_m("D01", "timeliness", "warn", "warn")])
    assert quality_score(metrics).iloc[0]["score"] == 50


def test_several_years():
    metrics = pd.DataFrame([_m("D01", "validity", "warn", "ok", 2023), _m("D01", "validity", "warn", "warn", 2024)])
    out = quality_score(metrics)
    assert list(zip(out["year"], out["score"])) == [(2023, 100.0), (2024, 0.0)]
