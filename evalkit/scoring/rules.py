"""Leaf scoring rules (计分规则) seen in district practice (domain brief §1.2).

Every rule maps an indicator value to points in ``[0, points]``. ``direction`` is +1
when higher values are better and −1 when lower is better; a shortfall is always measured
in the bad direction. Values are NaN for no data, and the score is then NaN too (the
missing-data policy of the framework decides what that means).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ThresholdDeduct:
    """Full marks at or beyond ``target``; ``deduct`` points per ``per`` units short.

    score = clamp(points − deduct · shortfall / per, 0, points), shortfall = max(0,
    target − value) for direction +1 (value − target for −1). With ``whole_steps`` only
    whole steps count (每低1个百分点扣2分 read literally: ⌈shortfall/per⌉ steps).
    Example: 预算完成率 100 % full, each 5 % lower −2 (per=5, deduct=2), domain brief §1.1.
    """

    per: float = 1.0
    deduct: float = 1.0
    whole_steps: bool = False
    type: str = "threshold_deduct"

    def score(self, value, points, target, direction, best=None):
        if target is None:
            raise ValueError("threshold_deduct needs a target")
        short = np.maximum(0.0, (target - value) if direction > 0 else (value - target))
        steps = short / self.per
        if self.whole_steps:
            steps = np.ceil(steps - 1e-9)
        return np.clip(points - self.deduct * steps, 0.0, points)

    def describe(self, target, direction, unit=""):
        word = "低" if direction > 0 else "高"
        return f"达到{target:g}{unit}得满分，每{word}{self.per:g}{unit}扣{self.deduct:g}分，扣完为止"


@dataclass(frozen=True)
class LinearBand:
    """Linear between ``low`` (0 points) and ``high`` (full points); reversed for direction −1.

    score = points · clamp((value − low) / (high − low), 0, 1); for direction −1 the band
    runs from ``high`` (0 points) down to ``low`` (full points).
    """

    low: float = 0.0
    high: float = 100.0
    type: str = "linear_band"

    def score(self, value, points, target, direction, best=None):
        frac = (value - self.low) / (self.high - self.low)
        if direction < 0:
            frac = 1.0 - frac
        return points * np.clip(frac, 0.0, 1.0)

    def describe(self, target, direction, unit=""):
        if direction > 0:
            return f"{self.low:g}{unit}及以下得0分，{self.high:g}{unit}及以上得满分，之间按线性计分"
        return f"{self.low:g}{unit}及以下得满分，{self.high:g}{unit}及以上得0分，之间按线性计分"


@dataclass(frozen=True)
class RatioToBest:
    """Points in proportion to the best unit of the peer group (第2名起按第1名的比例得分).

    score = points · value / best (direction +1) or points · best / value (direction −1),
    where ``best`` is the best value in the unit's peer group. Example: domain brief §1.1.
    """

    type: str = "ratio_to_best"

    def score(self, value, points, target, direction, best=None):
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = value / best if direction > 0 else best / value
        ratio = np.where(np.isfinite(ratio), ratio, np.where(np.isnan(value), np.nan, 1.0))
        return points * np.clip(ratio, 0.0, 1.0)

    def describe(self, target, direction, unit=""):
        return "以同组最优单位为满分，其余按与最优值的比例得分"


@dataclass(frozen=True)
class Binary:
    """Full points when the value meets ``target`` (≥ for direction +1, ≤ for −1), else 0."""

    type: str = "binary"

    def score(self, value, points, target, direction, best=None):
        if target is None:
            raise ValueError("binary needs a target")
        met = value >= target if direction > 0 else value <= target
        return np.where(np.isnan(value), np.nan, np.where(met, points, 0.0))

    def describe(self, target, direction, unit=""):
        sign = "≥" if direction > 0 else "≤"
        return f"{sign}{target:g}{unit}得满分，否则不得分"


Rule = ThresholdDeduct | LinearBand | RatioToBest | Binary

_RULES = {"threshold_deduct": ThresholdDeduct, "linear_band": LinearBand,
          "ratio_to_best": RatioToBest, "binary": Binary}


def parse_rule(spec: dict) -> Rule:
    """Build a rule from ``{"type": ..., **parameters}``; raise ``ValueError`` with the reason."""
    if not isinstance(spec, dict) or "type" not in spec:
        raise ValueError(f"expected a mapping with a 'type'; found {spec!r}")
    kind = spec["type"]
    if kind not in _RULES:
        raise ValueError(f"expected a rule type among {', '.join(_RULES)}; found {kind!r}")
    params = {k: v for k, v in spec.items() if k != "type"}
    cls = _RULES[kind]
    allowed = set(cls.__dataclass_fields__) - {"type"}
    unknown = set(params) - allowed
    if unknown:
        raise ValueError(f"expected parameters of {kind} among {', '.join(sorted(allowed)) or 'none'}; "
                         f"found {', '.join(sorted(unknown))}")
    for k, v in params.items():
        expected_bool = cls.__dataclass_fields__[k].type in ("bool",)
        if expected_bool and not isinstance(v, bool):
            raise ValueError(f"expected {k} to be true or false; found {v!r}")
        if not expected_bool and (not isinstance(v, (int, float)) or isinstance(v, bool)):
            raise ValueError(f"expected {k} to be a number; found {v!r}")
    rule = cls(**params)
    if isinstance(rule, ThresholdDeduct) and (rule.per <= 0 or rule.deduct < 0):
        raise ValueError(f"expected per > 0 and deduct ≥ 0; found per={rule.per}, deduct={rule.deduct}")
    if isinstance(rule, LinearBand) and rule.high == rule.low:
        raise ValueError("expected low and high to differ")
    return rule
