"""rule_at_target: the leaf's rule scoring a unit against its own agreed target (效能目标)."""

import numpy as np
import pytest

from evalkit.scoring.rules import (Binary, Goalposts, LinearBand, RatioToBest, ThresholdDeduct, full_marks_end,
                                   rule_at_target)


def _score(rule, value, target, direction, points=10.0):
    return float(rule.score(np.array([value]), points, target, direction)[0])


def test_threshold_and_binary_take_the_target_as_it_is():
    rule = ThresholdDeduct(per=1, deduct=2)
    assert rule_at_target(rule, 99.0, +1) is rule
    assert _score(rule, 97.5, 99.0, +1) == 7.0  # 1.5 pp short × 2 points
    assert rule_at_target(Binary(), 5.0, -1) == Binary()


def test_a_band_moves_its_full_marks_end():
    band = rule_at_target(LinearBand(low=60, high=85), 90.0, +1)
    assert band == LinearBand(low=60, high=90)
    assert _score(band, 85.0, 90.0, +1, 7.0) == pytest.approx(7 * 25 / 30)
    lower = rule_at_target(LinearBand(low=5, high=20), 3.0, -1)  # lower is better: full marks at low
    assert lower == LinearBand(low=3, high=20)
    assert rule_at_target(Goalposts(lower=0, upper=80), 90.0, +1) == Goalposts(lower=0, upper=90)
    assert rule_at_target(Goalposts(lower=10, upper=80), 5.0, -1) == Goalposts(lower=5, upper=80)
    assert full_marks_end(LinearBand(low=60, high=85), 85.0, +1) == 85.0


def test_refusals():
    with pytest.raises(ValueError, match="does not score against a target"):
        rule_at_target(RatioToBest(), 90.0, +1)
    with pytest.raises(ValueError, match="beyond the band's zero-points end 60"):
        rule_at_target(LinearBand(low=60, high=85), 55.0, +1)
