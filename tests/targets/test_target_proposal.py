"""The target proposal rules (evalkit.targets.propose), each pinned to hand-computed numbers."""

import math

import pandas as pd
import pytest

from evalkit.configuration import load_configuration
from evalkit.resources import sample_data_dir
from evalkit.targets.leaves import policy_target, target_leaves
from evalkit.targets.parameters import (TargetParameterError, TargetParameters, load_target_parameters)
from evalkit.targets.propose import BOUNDS, PROPOSAL_COLUMNS, propose_target, propose_targets


def test_gap_closing_closes_the_share_of_the_gap():
    # 97 + 0.5 × (99 − 97) = 98 > policy 95 and own 97
    assert propose_target(97.0, 99.0, 95.0, +1) == (98.0, "gap_closing", 98.0)
    # a quarter of the gap: 97 + 0.25 × 2 = 97.5
    assert propose_target(97.0, 99.0, 95.0, +1, share=0.25) == (97.5, "gap_closing", 97.5)
    # rounded to the nearest 0.1: 97 + 0.5 × (98.27 − 97) = 97.635 → 97.6
    target, bound, gap = propose_target(97.0, 98.27, 95.0, +1)
    assert (target, bound) == (97.6, "gap_closing") and gap == pytest.approx(97.635)


def test_own_level_keeps_a_unit_better_than_the_reference():
    # already above the median 98.9: the unit keeps its 99.2
    assert propose_target(99.2, 98.9, 95.0, +1) == (99.2, "own_level", 99.2)
    # its level is rounded towards the demanding side: 97.44 → 97.5, never 97.4
    assert propose_target(97.44, 97.0, 95.0, +1)[:2] == (97.5, "own_level")
    # lower is better: 16.04 with a worse reference 18 → 16.0 (rounded down)
    assert propose_target(16.04, 18.0, 25.0, -1)[:2] == (16.0, "own_level")


def test_policy_floor_and_no_value():
    # 96 + 0.5 × (99 − 96) = 97.5 < the policy target 98
    assert propose_target(96.0, 99.0, 98.0, +1) == (98.0, "policy_floor", 97.5)
    # no value this year: the policy target
    target, bound, gap = propose_target(math.nan, 99.0, 98.0, +1)
    assert (target, bound) == (98.0, "policy_floor") and math.isnan(gap)
    # lower is better: 20 − 0.5 × (20 − 10) = 15, but the policy allows at most 12
    assert propose_target(20.0, 10.0, 12.0, -1)[:2] == (12.0, "policy_floor")


def test_range_cap():
    # 99.96 + 0.5 × 0.04 = 99.98 → 100.0: the top of a percentage
    assert propose_target(99.96, 100.0, 99.5, +1)[:2] == (100.0, "range_cap")
    # a range 0–50: 48 + 0.5 × 12 = 54 → 50
    assert propose_target(48.0, 60.0, 40.0, +1, value_range=(0.0, 50.0)) == (50.0, "range_cap", 54.0)
    # lower is better, range 0–100: a unit at 0 keeps 0 (the bottom of the range)
    assert propose_target(0.0, 0.0, 15.0, -1)[:2] == (0.0, "range_cap")


def test_lower_is_better_gap_closing():
    # 20 − 0.5 × (20 − 10) = 15, more demanding than the policy 25
    assert propose_target(20.0, 10.0, 25.0, -1) == (15.0, "gap_closing", 15.0)


def _nodes(values: dict[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    units = pd.DataFrame({"unit_id": list(values), "name_zh": [f"单位{u}" for u in values],
                          "peer_group": "department"})
    nodes = pd.DataFrame({"unit_id": list(values), "code": "PUB01", "raw_value": list(values.values()),
                          "status": ["data" if not math.isnan(v) else "filled" for v in values.values()],
                          "points": 7.0})
    return nodes, units


def test_propose_targets_median_and_best_of_the_peer_group():
    fw = load_configuration(sample_data_dir()).framework
    nodes, units = _nodes({"A": 90.0, "B": 96.0, "C": 99.0, "D": math.nan})
    out = propose_targets(nodes, units, fw)
    assert list(out.columns) == PROPOSAL_COLUMNS
    assert list(out["unit_id"]) == ["A", "B", "C", "D"]
    a = out.set_index("unit_id")
    # median of 90, 96, 99 = 96; best = 99 (the unit without data is no peer)
    assert a.loc["A", "peer_median"] == 96.0 and a.loc["A", "peer_best"] == 99.0
    # A: 90 + 0.5 × 6 = 93 < policy 98 → 98; C: own 99; D: no data → policy 98
    assert a["proposed_target"].to_dict() == {"A": 98.0, "B": 98.0, "C": 99.0, "D": 98.0}
    assert a["bound_by"].to_dict() == {"A": "policy_floor", "B": "policy_floor", "C": "own_level",
                                       "D": "policy_floor"}
    # towards the best, all the way: A 90 + 1 × (99 − 90) = 99
    best = propose_targets(nodes, units, fw, TargetParameters(share=1.0, reference="best")).set_index("unit_id")
    assert best.loc["A", "proposed_target"] == 99.0 and best.loc["A", "bound_by"] == "gap_closing"


def test_leaves_that_take_a_target_in_the_sample():
    fw = load_configuration(sample_data_dir()).framework
    codes = [n.code for n in target_leaves(fw)]
    # target 100 % (EFF04, OPN01, POW02, FIN02) and the 0–100 scores with target 100 take none
    assert codes == ["EFF01", "EFF02", "EFF03", "PUB01", "PUB02", "SAT01", "SAT02", "SAT03", "REG01", "POW01",
                     "FIN01", "STF01", "PRJ01"]
    assert policy_target(fw.nodes["EFF02"]) == 80.0  # linear band 50–80: its full-marks end
    assert [b.code for b in BOUNDS] == ["range_cap", "policy_floor", "own_level", "gap_closing"]


@pytest.mark.parametrize("text, expected", [
    ("share: 0\n", "share: expected a number in (0, 1]"),
    ("reference: mean\n", "reference: expected one of median, best"),
    ("decimals: 1.5\n", "decimals: expected a whole number"),
    ("sharre: 0.3\n", "did you mean 'share'"),
])
def test_targets_yaml_is_checked(tmp_path, text, expected):
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TargetParameterError, match=expected.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")) as exc:
        load_target_parameters(path)
    assert "line 1" in str(exc.value)


def test_targets_yaml_reaches_the_configuration(tmp_path):
    (tmp_path / "targets.yaml").write_text("share: 0.3\nreference: best\n", encoding="utf-8")
    config = load_configuration(tmp_path, sample_data_dir() / "framework.yaml")
    assert config.targets == TargetParameters(share=0.3, reference="best")
    assert config.source("targets").name == "targets.yaml"
