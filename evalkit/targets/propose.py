"""Proposing next year's targets (效能目标) from this year's results, by documented rules.

For every unit and every leaf that takes a unit's own target
(:func:`evalkit.targets.leaves.target_leaves`) and applies to the unit, the proposal for
year Y + 1 starts from the unit's year-Y value ``v`` and the reference ``r`` of its peer
group (the median or the best value among the group's units with data for the leaf,
:class:`~evalkit.targets.parameters.TargetParameters`). Working in the indicator's
direction (for a lower-is-better indicator "more" means lower):

1. **gap-closing** (缩小差距): ``v + share · (r − v)`` when ``r`` is better than ``v``;
2. **own level** (保持自身水平): never easier than ``v`` — a unit already at or better
   than the reference keeps at least its level;
3. **policy floor** (政策目标底线): never easier than the leaf's policy target
   (:func:`evalkit.targets.leaves.policy_target`);
4. **range cap** (取值范围上限): never outside the indicator's range (0–100 for a
   percentage, :func:`evalkit.targets.leaves.value_range`).

The target is the most demanding of 1–3, then capped by 4. Rounding to ``decimals``: the
gap-closing value is rounded to the nearest step, the unit's own level towards the
demanding side (so a rounded target is never easier than the unit's value), the policy
target and the range's ends are kept as written. The
rule that gave the final value is named in every row (:data:`BOUNDS`); when two rules give
the same value the first of range cap, policy floor, own level, gap-closing is named. A
unit without a year-Y value gets the policy target (policy floor).

Ratio-to-best targets are common in district practice (第2名起按第1名的比例得分, domain brief
§1.2); closing a fixed share of the gap to a benchmark is the usual way of setting
improvement trajectories (e.g. NHS "Making Data Count"; the UK PSA targets, domain brief §2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scoring.framework import Framework
from ..scoring.rules import fmt_number
from .leaves import direction_of, policy_target, target_leaves, unit_of, value_range
from .parameters import DEFAULT_TARGET_PARAMETERS, TargetParameters

__all__ = ["BOUNDS", "Bound", "PROPOSAL_COLUMNS", "basis_text", "propose_target", "propose_targets"]

#: Below this the rounding towards the demanding side treats a value as already whole
#: (97.4 × 10 is 974.0000000000001 in floating point, not a step further).
ROUNDING_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Bound:
    """One proposal rule: its code, its name and what it says, in Chinese and English."""

    code: str
    zh: str
    en: str
    rule_zh: str
    rule_en: str


#: The proposal rules, in the order a tie names them (see the module docstring).
BOUNDS: tuple[Bound, ...] = (
    Bound("range_cap", "取值范围上限", "range cap",
          "目标不超出指标的取值范围（百分比和百分制得分为 0–100）。",
          "A target never lies outside the indicator's range (0–100 for a percentage or a 0–100 score)."),
    Bound("policy_floor", "政策目标底线", "policy floor",
          "目标不低于评价体系规定的目标值（计分规则的满分线）；当年无数据的单位取政策目标。",
          "A target is never easier than the framework's target (the rule's full-marks value); a unit "
          "without a value this year gets the policy target."),
    Bound("own_level", "保持自身水平", "own level",
          "目标不低于单位本年的实际值：已优于对比组参照值的单位至少保持现有水平。",
          "A target is never easier than the unit's own value this year: a unit already better than the "
          "reference keeps at least its level."),
    Bound("gap_closing", "缩小差距", "gap-closing",
          "目标 = 本年值 + 缩小比例 ×（对比组参照值 − 本年值），参照值为对比组中位数或最优值。",
          "Target = this year's value + share × (the peer group's reference − this year's value); the "
          "reference is the peer group's median or best value."),
)
BOUND_BY_CODE = {b.code: b for b in BOUNDS}

#: The columns :func:`propose_targets` returns, in order.
PROPOSAL_COLUMNS = ["unit_id", "unit_name", "peer_group", "leaf", "indicator", "name_zh", "name_en",
                    "value_unit", "direction", "current_value", "peer_median", "peer_best",
                    "reference_value", "policy_target", "gap_closing", "proposed_target", "bound_by",
                    "bound_zh", "bound_en"]


def _round_demanding(x: float, decimals: int) -> float:
    """``x`` (in the "higher is more demanding" orientation) rounded up to ``decimals``."""
    scale = 10.0 ** decimals
    return math.ceil(x * scale - ROUNDING_TOLERANCE) / scale


def _round_nearest(x: float, decimals: int) -> float:
    """``x`` rounded to the nearest step of ``decimals`` (half a step up, in the "higher is
    more demanding" orientation)."""
    scale = 10.0 ** decimals
    return math.floor(x * scale + 0.5 + ROUNDING_TOLERANCE) / scale


def propose_target(current: float, reference: float, policy: float, direction: int, *,
                   share: float = 0.5, decimals: int = 1, value_range: tuple[float, float] = (0.0, 100.0),
                   ) -> tuple[float, str, float]:
    """One unit's proposed target for one leaf.

    Parameters
    ----------
    current : float
        The unit's value this year (NaN: none).
    reference : float
        The peer group's median or best value.
    policy : float
        The leaf's policy target.
    direction : int
        +1 when higher is better, −1 when lower is.
    share, decimals : see :class:`~evalkit.targets.parameters.TargetParameters`.
    value_range : (low, high)
        The indicator's range.

    Returns
    -------
    (target, bound, gap_closing)
        The proposed target, the code of the rule that gave it (:data:`BOUNDS`) and the
        value of the gap-closing rule alone (NaN without a current value).

    Examples
    --------
    >>> propose_target(96.0, 99.0, 98.0, +1)        # 96 + 0.5 × 3 = 97.5; the policy 98 binds
    (98.0, 'policy_floor', 97.5)
    >>> propose_target(97.0, 99.0, 95.0, +1)        # 97 + 0.5 × 2 = 98
    (98.0, 'gap_closing', 98.0)
    >>> propose_target(20.0, 10.0, 15.0, -1)        # lower is better: 20 − 0.5 × 10 = 15 … = policy
    (15.0, 'policy_floor', 15.0)
    """
    d = 1.0 if direction > 0 else -1.0
    low, high = sorted((d * value_range[0], d * value_range[1]))  # oriented: higher is more demanding
    p = d * float(policy)
    if current is None or np.isnan(current):
        return float(policy), "policy_floor", math.nan
    v = d * float(current)
    r = d * float(reference) if reference is not None and not np.isnan(reference) else v
    gap = v + share * (r - v) if r > v else v
    gap_rounded, own_rounded = _round_nearest(gap, decimals), _round_demanding(v, decimals)
    if p >= max(gap_rounded, own_rounded):
        value, bound = p, "policy_floor"
    elif own_rounded >= gap_rounded:
        value, bound = own_rounded, "own_level"
    else:
        value, bound = gap_rounded, "gap_closing"
    if value >= high:
        value, bound = high, ("range_cap" if value > high or bound != "policy_floor" else bound)
    value = max(value, low)
    return d * value + 0.0, bound, d * gap + 0.0


def propose_targets(nodes: pd.DataFrame, units: pd.DataFrame, framework: Framework,
                    parameters: TargetParameters = DEFAULT_TARGET_PARAMETERS) -> pd.DataFrame:
    """Every unit's proposed target for every leaf that takes one, from a year's results.

    Parameters
    ----------
    nodes : DataFrame
        The results' node table (:attr:`evalkit.results.store.Results.nodes`): ``unit_id,
        code, raw_value, status, points`` per unit and node.
    units : DataFrame
        ``unit_id, name_zh, peer_group`` (the results' units).
    framework : Framework
        The framework whose leaves, rules and targets apply (the one of the year scored).
    parameters : TargetParameters

    Returns
    -------
    DataFrame
        :data:`PROPOSAL_COLUMNS`, one row per unit and leaf that applies to it (not where the
        leaf is not applicable or has no points), units in ``units`` order, leaves in
        framework order: ``current_value`` (NaN: no value this year), ``peer_median`` and
        ``peer_best`` among the peer group's units with data, ``reference_value`` (one of
        them, :attr:`TargetParameters.reference`), ``policy_target``, ``gap_closing`` (rule 1
        alone, unrounded), ``proposed_target``, ``bound_by`` (a :data:`BOUNDS` code) and its
        name ``bound_zh`` / ``bound_en``.
    """
    units = units.assign(unit_id=units["unit_id"].astype(str))
    group_of = dict(zip(units["unit_id"], units["peer_group"].astype(str)))
    name_of = dict(zip(units["unit_id"], units["name_zh"].astype(str)))
    order = {u: i for i, u in enumerate(units["unit_id"])}
    rows = []
    for leaf in target_leaves(framework):
        d = direction_of(leaf)
        unit = unit_of(leaf)
        policy = policy_target(leaf)
        part = nodes[(nodes["code"].astype(str) == leaf.code) & nodes["unit_id"].astype(str).isin(order)]
        part = part[(part["status"].astype(str) != "not_applicable") & (part["points"].astype(float) > 0)]
        part = part.assign(unit_id=part["unit_id"].astype(str),
                           value=pd.to_numeric(part["raw_value"], errors="coerce").where(part["status"] == "data"))
        part = part.assign(group=part["unit_id"].map(group_of))
        with_data = part.dropna(subset=["value"]).groupby("group")["value"]
        medians = with_data.median()
        bests = with_data.max() if d > 0 else with_data.min()
        for r in part.sort_values("unit_id", key=lambda s: s.map(order)).itertuples(index=False):
            median, best = medians.get(r.group, np.nan), bests.get(r.group, np.nan)
            reference = median if parameters.reference == "median" else best
            target, bound, gap = propose_target(r.value, reference, policy, d, share=parameters.share,
                                                decimals=parameters.decimals, value_range=value_range(unit))
            b = BOUND_BY_CODE[bound]
            rows.append({"unit_id": r.unit_id, "unit_name": name_of.get(r.unit_id, ""), "peer_group": r.group,
                         "leaf": leaf.code, "indicator": leaf.indicator, "name_zh": leaf.name_zh,
                         "name_en": leaf.name_en, "value_unit": unit, "direction": d,
                         "current_value": r.value, "peer_median": median, "peer_best": best,
                         "reference_value": reference, "policy_target": policy, "gap_closing": gap,
                         "proposed_target": target, "bound_by": bound, "bound_zh": b.zh, "bound_en": b.en})
    out = pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)
    for c in ("current_value", "peer_median", "peer_best", "reference_value", "policy_target", "gap_closing",
              "proposed_target"):
        out[c] = out[c].astype("float64")
    out["direction"] = out["direction"].astype("int64")
    out = out.sort_values(["unit_id", "leaf"], key=lambda s: s.map(order) if s.name == "unit_id" else
                          s.map({n.code: i for i, n in enumerate(framework.leaves())}), kind="stable")
    return out.reset_index(drop=True)


def basis_text(row, language: str = "zh") -> str:
    """How a proposal row's target came about, in one sentence with its numbers."""
    zh = language == "zh"
    unit = "%" if row["value_unit"] == "%" else ""

    def f(x) -> str:
        return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else fmt_number(x) + unit

    bound = BOUND_BY_CODE[row["bound_by"]]
    if np.isnan(row["current_value"]):
        return (f"本年无数据，取政策目标 {f(row['policy_target'])}。" if zh
                else f"No value this year: the policy target {f(row['policy_target'])}.")
    if zh:
        return (f"本年 {f(row['current_value'])}，参照值 {f(row['reference_value'])}，缩小差距得 "
                f"{f(row['gap_closing'])}，政策目标 {f(row['policy_target'])}；由“{bound.zh}”确定为 "
                f"{f(row['proposed_target'])}。")
    return (f"This year {f(row['current_value'])}, reference {f(row['reference_value'])}, gap-closing gives "
            f"{f(row['gap_closing'])}, policy target {f(row['policy_target'])}; set by the {bound.en} rule "
            f"at {f(row['proposed_target'])}.")
