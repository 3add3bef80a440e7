"""Leaf scoring rules (计分规则) seen in district practice (domain brief §1.2).

Every rule maps an indicator value to points in ``[0, points]``. ``direction`` is +1
when higher values are better and −1 when lower is better; a shortfall is always measured
in the bad direction. Values are NaN for no data, and the score is then NaN too (the
missing-data policy of the framework decides what that means).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.strict_yaml import did_you_mean


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

    def score(self, value, points, target, direction, best=None, rank=None):
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

    def score(self, value, points, target, direction, best=None, rank=None):
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

    def score(self, value, points, target, direction, best=None, rank=None):
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

    def score(self, value, points, target, direction, best=None, rank=None):
        if target is None:
            raise ValueError("binary needs a target")
        met = value >= target if direction > 0 else value <= target
        return np.where(np.isnan(value), np.nan, np.where(met, points, 0.0))

    def describe(self, target, direction, unit=""):
        sign = "≥" if direction > 0 else "≤"
        return f"{sign}{target:g}{unit}得满分，否则不得分"


@dataclass(frozen=True)
class BandTable:
    """Fixed points per band of values (分档计分).

    ``bands`` is a list of ``[bound, points]`` checked in order: with direction +1 the first
    band whose bound the value reaches (value ≥ bound), with −1 the first band the value does
    not exceed (value ≤ bound); no band → 0. Points are capped at the leaf's points.
    Example: 预算控制率 (lower is better) 0 → 5, ≤ 10 % → 4, ≤ 20 % → 3, ≤ 30 % → 2, more → 0:
    ``bands: [[0, 5], [10, 4], [20, 3], [30, 2]]`` (domain brief §1.1, S6).
    """

    bands: tuple = ()
    type: str = "band_table"

    def score(self, value, points, target, direction, best=None, rank=None):
        value = np.asarray(value, dtype="float64")
        out = np.zeros_like(value)
        done = np.zeros(value.shape, dtype=bool)
        for bound, pts in self.bands:
            hit = ~done & ((value >= bound) if direction > 0 else (value <= bound))
            out = np.where(hit, pts, out)
            done |= hit
        return np.where(np.isnan(value), np.nan, np.minimum(out, points))

    def describe(self, target, direction, unit=""):
        word = "≥" if direction > 0 else "≤"
        return "分档计分：" + "，".join(f"{word}{b:g}{unit}得{p:g}分" for b, p in self.bands) + "，其余不得分"


@dataclass(frozen=True)
class RankPoints:
    """Points by rank within the peer group (按名次计分).

    With ``table`` the unit ranked r gets ``table[r-1]`` points (beyond the table: the last
    entry minus ``step`` per further rank); without it, full points minus ``step`` per rank
    below first. Floored at ``floor``, capped at the leaf's points. Ranks: best value first,
    ties share the best rank. Example: "排名1–5名依次赋予60/57/54/51/48分" (domain brief §1.1).
    """

    table: tuple = ()
    step: float = 0.0
    floor: float = 0.0
    type: str = "rank_points"

    def score(self, value, points, target, direction, best=None, rank=None):
        if rank is None:
            raise ValueError("rank_points needs the ranks within the peer group")
        rank = np.asarray(rank, dtype="float64")
        if self.table:
            table = np.asarray(self.table, dtype="float64")
            idx = np.clip(np.nan_to_num(rank, nan=1).astype(int) - 1, 0, None)
            extra = np.maximum(0, idx - (len(table) - 1))
            pts = table[np.minimum(idx, len(table) - 1)] - self.step * extra
        else:
            pts = points - self.step * (rank - 1)
        return np.where(np.isnan(rank) | np.isnan(value), np.nan, np.clip(pts, self.floor, points))

    def describe(self, target, direction, unit=""):
        if self.table:
            return "按组内名次计分：第1名起依次" + "/".join(f"{p:g}" for p in self.table) + "分"
        return f"组内第1名得满分，每降一名扣{self.step:g}分"


@dataclass(frozen=True)
class ChecklistDeduct:
    """Deduction per item found (扣分项, 发现一次扣x分, 扣完为止).

    The indicator value is the number of items (failures); score = max(0, points − per_item ×
    value). With ``zero_at`` the score is 0 from that many items on ("两次及以上不得分").
    Example: 违规干预机构编制 "发现一次扣0.5分，两次及以上不得分" (domain brief §1.1).
    """

    per_item: float = 1.0
    zero_at: float | None = None
    type: str = "checklist_deduct"

    def score(self, value, points, target, direction, best=None, rank=None):
        value = np.asarray(value, dtype="float64")
        out = np.clip(points - self.per_item * value, 0.0, points)
        if self.zero_at is not None:
            out = np.where(value >= self.zero_at, 0.0, out)
        return np.where(np.isnan(value), np.nan, out)

    def describe(self, target, direction, unit=""):
        extra = f"，{self.zero_at:g}项及以上不得分" if self.zero_at is not None else "，扣完为止"
        return f"每发现一项扣{self.per_item:g}分{extra}"


@dataclass(frozen=True)
class Goalposts:
    """Goalpost normalisation (OECD/JRC Handbook; COINr ``n_goalposts``): the share of the way
    from the ``lower`` to the ``upper`` goalpost, truncated to [0, 1], times the points;
    reversed for direction −1 (``upper`` is then the worst value)."""

    lower: float = 0.0
    upper: float = 100.0
    type: str = "goalposts"

    def score(self, value, points, target, direction, best=None, rank=None):
        frac = (np.asarray(value, dtype="float64") - self.lower) / (self.upper - self.lower)
        if direction < 0:
            frac = 1.0 - frac
        return points * np.clip(frac, 0.0, 1.0)

    def describe(self, target, direction, unit=""):
        return f"目标值法（goalposts {self.lower:g}{unit}–{self.upper:g}{unit}），按距离线性计分"


Rule = ThresholdDeduct | LinearBand | RatioToBest | Binary | BandTable | RankPoints | ChecklistDeduct | Goalposts

RULES = {"threshold_deduct": ThresholdDeduct, "linear_band": LinearBand,
          "ratio_to_best": RatioToBest, "binary": Binary, "band_table": BandTable,
          "rank_points": RankPoints, "checklist_deduct": ChecklistDeduct, "goalposts": Goalposts}
_LIST_FIELDS = {"bands": 2, "table": 1}


def parse_rule(spec: dict) -> Rule:
    """Build a rule from ``{"type": ..., **parameters}``; raise ``ValueError`` with the reason."""
    if not isinstance(spec, dict) or "type" not in spec:
        raise ValueError(f"expected a mapping with a 'type'; found {spec!r}")
    kind = spec["type"]
    if kind not in RULES:
        raise ValueError(f"expected a rule type among {', '.join(RULES)}; found {kind!r}{did_you_mean(kind, RULES)}")
    params = {k: v for k, v in spec.items() if k != "type"}
    cls = RULES[kind]
    allowed = set(cls.__dataclass_fields__) - {"type"}
    unknown = [k for k in params if k not in allowed]
    if unknown:
        raise ValueError(f"expected parameters of {kind} among {', '.join(sorted(allowed)) or 'none'}; "
                         f"found {', '.join(map(repr, unknown))}{did_you_mean(unknown[0], allowed)}")

    def number(x) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    for k, v in list(params.items()):
        if k in _LIST_FIELDS:
            width = _LIST_FIELDS[k]
            items = v if isinstance(v, (list, tuple)) else None
            ok = items is not None and len(items) > 0 and all(
                (number(i) if width == 1 else isinstance(i, (list, tuple)) and len(i) == 2 and all(map(number, i)))
                for i in items)
            if not ok:
                shape = "a list of numbers" if width == 1 else "a list of [bound, points] pairs"
                raise ValueError(f"expected {k} to be {shape}; found {v!r}")
            params[k] = tuple(float(i) for i in items) if width == 1 else tuple((float(a), float(b)) for a, b in items)
            continue
        expected_bool = cls.__dataclass_fields__[k].type in ("bool",)
        if expected_bool and not isinstance(v, bool):
            raise ValueError(f"expected {k} to be true or false; found {v!r}")
        if not expected_bool and not number(v) and not (v is None and k == "zero_at"):
            raise ValueError(f"expected {k} to be a number; found {v!r}")
    rule = cls(**params)
    if isinstance(rule, ThresholdDeduct) and (rule.per <= 0 or rule.deduct < 0):
        raise ValueError(f"expected per > 0 and deduct ≥ 0; found per={rule.per}, deduct={rule.deduct}")
    if isinstance(rule, LinearBand) and rule.high == rule.low:
        raise ValueError("expected low and high to differ")
    if isinstance(rule, Goalposts) and rule.upper == rule.lower:
        raise ValueError("expected the lower and upper goalposts to differ")
    if isinstance(rule, BandTable) and not rule.bands:
        raise ValueError("expected at least one band")
    if isinstance(rule, RankPoints) and not rule.table and rule.step <= 0:
        raise ValueError("expected a points table or a step > 0")
    return rule
