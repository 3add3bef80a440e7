"""Composites off the 0–100 scale (rank normalisation) in :mod:`evalkit.scoring.model`, by hand:
the composite is the points-weighted mean of the leaf ranks over the unit's points, whatever
those points add up to (here 0.5), and a unit without points has no composite (NaN, not 0).

Written for the mutation testing of issue 18 (``python benchmarks/mutation.py scoring``);
expected values worked by hand, never computed by evalkit.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit.scoring import parse_framework
from evalkit.scoring.model import ScoringModel
from evalkit.scoring.vocabulary import NORMALISATIONS

IND, IND2 = "service_on_time_rate", "hotline_on_time_rate"
LINEAR = {"type": "linear_band", "low": 0, "high": 100}


def _model() -> ScoringModel:
    # L1 worth 0.3 and L2 worth 0.2 points for departments (0.5 in all), nothing for subdistricts
    doc = {"code": "m", "version": "1", "nodes": [{"code": "R", "area": "efficiency", "children": [
        {"code": "L1", "indicator": IND, "points": {"department": 0.3, "subdistrict": 0}, "direction": 1,
         "rule": LINEAR},
        {"code": "L2", "indicator": IND2, "points": {"department": 0.2, "subdistrict": 0}, "direction": 1,
         "rule": LINEAR}]}]}
    units = pd.DataFrame([("A", "department", "综合"), ("B", "department", "综合"), ("C", "department", "综合"),
                          ("E", "subdistrict", "综合")], columns=["unit_id", "peer_group", "unit_class"])
    values = pd.DataFrame([(IND, "A", 90), (IND, "B", 70), (IND, "C", 50), (IND, "E", 60),
                           (IND2, "A", 50), (IND2, "B", 70), (IND2, "C", 90), (IND2, "E", 60)],
                          columns=["indicator", "unit_id", "value"])
    return ScoringModel.from_values(parse_framework(doc), units, values)


def test_rank_composite_is_the_points_weighted_mean_rank():
    """Ranks within the department group, 1 = worst (higher is better on both leaves):
    L1 90, 70, 50 → A 3, B 2, C 1; L2 50, 70, 90 → A 1, B 2, C 3.
    A = (0.3·3 + 0.2·1)/0.5 = 1.1/0.5 = 2.2; B = (0.3·2 + 0.2·2)/0.5 = 2; C = (0.3·1 + 0.2·3)/0.5 = 1.8.
    E (subdistrict) has no points: no composite (NaN), not 0."""
    model = _model()
    reps = model.nominal_replications(1)
    reps.normalisation[:] = NORMALISATIONS.index("rank")
    scores = model.run(reps).scores[0]
    assert scores[:3].tolist() == pytest.approx([2.2, 2.0, 1.8], abs=1e-12)
    assert math.isnan(scores[3])


def test_refusals_word_for_word():
    import re

    from evalkit.errors import ScoringError
    from evalkit.scoring.vocabulary import AGGREGATIONS

    model = _model()
    reps = model.nominal_replications(1)
    with pytest.raises(ScoringError, match="^" + re.escape("scheme 0 must be the framework's points (None)") + "$"):
        model.run(reps, schemes=(model.points,))
    reps.normalisation[:] = NORMALISATIONS.index("zscore")
    reps.aggregation[:] = AGGREGATIONS.index("geometric")
    with pytest.raises(ScoringError, match="^a geometric mean needs positive values; z-scores are not$"):
        model.run(reps)
