"""Rater diagnostics: the sample's harsh rater is found; straight-lining and pattern
disagreement are detected; the output holds flags and counts, never scores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.qualitative import exclude_own_unit, rater_diagnostics
from evalkit.qualitative.diagnostics import DIAGNOSTIC_COLUMNS


def test_sample_harsh_rater_is_flagged_severe(sample_ratings, sample_raters):
    d = rater_diagnostics(exclude_own_unit(sample_ratings, sample_raters).eligible).set_index("rater_id")
    assert d.loc["PR42", "severity"] == "severe" and d.loc["PR42", "severity_zh"] == "偏严"
    assert bool(d.loc["PR42", "flagged"])
    assert d["flagged"].mean() < 0.1  # a handful of raters, not a crowd
    assert not d["straight_lining"].any()


def test_output_has_no_score_or_number_derived_from_scores(sample_ratings, sample_raters):
    d = rater_diagnostics(exclude_own_unit(sample_ratings, sample_raters).eligible)
    assert list(d.columns) == DIAGNOSTIC_COLUMNS
    assert not any(pd.api.types.is_float_dtype(t) for t in d.dtypes)
    assert set(d.select_dtypes("number").columns) == {"n_units", "n_ratings"}


def synthetic(n_units=20, n_raters=12, seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    quality = rng.normal(80, 6, n_units)
    rows = []
    for j in range(n_raters):
        for u in range(n_units):
            for c in ("a", "b", "c"):
                score = quality[u] + rng.normal(0, 2)
                if j == 0:    # straight-liner: one score per unit, the same on every criterion
                    score = round(quality[u])
                elif j == 1:  # reversed pattern: rates good units low and bad units high
                    score = 160 - quality[u] + rng.normal(0, 2)
                rows.append({"rater_id": f"R{j:02d}", "rater_group": "peer", "unit_id": f"U{u:02d}",
                             "criterion": c, "score": float(score)})
    rows.append({"rater_id": "R99", "rater_group": "peer", "unit_id": "U00", "criterion": "a", "score": 50.0})
    return pd.DataFrame(rows)


def test_straight_lining_pattern_disagreement_and_too_little_data():
    d = rater_diagnostics(synthetic()).set_index("rater_id")
    assert d.loc["R00", "straight_lining"] and d.loc["R00", "flagged"]
    assert d.loc["R01", "far_from_consensus"] and d.loc["R01", "flagged"]
    assert d.loc["R99", "severity"] == "insufficient_data" and not d.loc["R99", "flagged"]
    others = d.drop(index=["R00", "R01", "R99"])
    assert not others["flagged"].any()
