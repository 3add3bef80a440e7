"""Leaf scoring rules (计分规则) seen in district practice (domain brief §1.2).

Every rule maps an indicator value to points in ``[0, points]``. ``direction`` is +1
when higher values are better and −1 when lower is better; a shortfall is always measured
in the bad direction. Values are NaN for no data, and the score is then NaN too (the
missing-data policy of the framework decides what that means).

Every rule also prints itself: ``describe(target, direction, unit, language)`` is the rule
in words (Chinese ``zh`` or English ``en``) with every convention its ``score`` applies
(whole steps, caps and floors, percentage points for differences of percentages, ties),
and ``explain(value, points, target, direction, unit, language, best, rank)`` says in one
sentence how one value came to its score — the score it states is the rule's own
``score`` of that value (:func:`fmt_score`), never a second computation. Units of measure
are worded from :data:`evalkit.scoring.vocabulary.UNIT_WORDS`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..data.strict_yaml import did_you_mean


#: Whole steps (``whole_steps``) count ⌈shortfall / per − WHOLE_STEP_TOLERANCE⌉ steps: a
#: started step counts in full, and a shortfall that passes a whole number of steps by
#: floating-point noise only (less than this many steps) starts no new step.
WHOLE_STEP_TOLERANCE = 1e-9
#: Decimals of the numbers an ``explain`` text computes (gaps, deductions, scores), shown
#: without needless zeros ("7.8", "4"); a score short of full marks never prints as full.
TEXT_DECIMALS = 2
#: Decimals of a rule's own parameters and targets in its texts (as written, without
#: needless zeros).
PARAMETER_DECIMALS = 6

_WIDE = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"  # CJK characters and full-width punctuation
_PUNCT = "\u3000-\u303f\uff00-\uffef"  # full-width punctuation (，；：（）、。)


def _is_zh(language: str) -> bool:
    """True for ``zh``, False for ``en``; any other language is refused."""
    from .wording import TEXT_LANGUAGES

    if language not in TEXT_LANGUAGES:
        raise ValueError(f"expected a language among {', '.join(TEXT_LANGUAGES)}; found {language!r}")
    return language == "zh"


def _tidy(text: str, zh: bool) -> str:
    """One space between words; in Chinese a space only between a Chinese character and a
    number or Latin word (none between two Chinese characters or at full-width punctuation)."""
    text = re.sub(r"\s+", " ", text).strip()
    if zh:
        text = re.sub(rf"(?<=[{_WIDE}]) (?=[{_WIDE}])", "", text)
        text = re.sub(rf" (?=[{_PUNCT}])|(?<=[{_PUNCT}]) ", "", text)
        text = re.sub(r"(?<=[0-9A-Za-z%)])(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?=[0-9A-Za-z(])", " ", text)
    return text


def fmt_number(x, decimals: int = TEXT_DECIMALS) -> str:
    """``x`` rounded to ``decimals`` without needless zeros ("80", "99.5", "0.2"); a number
    that is not 0 but rounds to 0 keeps two significant digits ("0.0004")."""
    x = float(x)
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    rounded = round(x, decimals)
    if rounded == 0 and x != 0:
        text = np.format_float_positional(x, precision=2, unique=False, fractional=False, trim="-")
    else:
        text = f"{rounded:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text  # a negative number that rounds to 0 reads "0"


def fmt_score(score, points, decimals: int = TEXT_DECIMALS) -> str:
    """A score as ``explain`` states it: :func:`fmt_number` with ``decimals``, more when a
    score short of ``points`` would otherwise print as full marks."""
    score, points = float(score), float(points)
    while (score < points and decimals < PARAMETER_DECIMALS
           and fmt_number(score, decimals) == fmt_number(points, decimals)):
        decimals += 1
    return fmt_number(score, decimals)


def _param(x) -> str:
    return fmt_number(x, PARAMETER_DECIMALS)


def value_text(x, unit="", language: str = "zh", decimals: int = PARAMETER_DECIMALS) -> str:
    """A value or threshold with its unit: "80%", "3 项" / "3 items", "2 个百分点" /
    "2 percentage points" (unit ``pp``), "120 元/件" / "120 yuan per case"."""
    from .wording import unit_word

    zh = _is_zh(language)
    number = fmt_number(x, decimals)
    if unit == "%":
        return f"{number}%"
    word = unit_word(unit, "zh" if zh else "en", plural=number != "1")
    return f"{number} {word}" if word else number


def gap_text(x, unit="", language: str = "zh", decimals: int = PARAMETER_DECIMALS) -> str:
    """A difference of two values: of percentages in percentage points ("0.1 个百分点" /
    "0.1 percentage points"), else as :func:`value_text`."""
    from .wording import PERCENT_UNITS

    if unit in PERCENT_UNITS:
        return value_text(x, "pp", language, decimals)
    return value_text(x, unit, language, decimals)


def points_text(x, language: str = "zh", decimals: int = PARAMETER_DECIMALS) -> str:
    """Points of a score: "2 分" / "2 points" ("1 point")."""
    number = fmt_number(x, decimals)
    if _is_zh(language):
        return f"{number} 分"
    return f"{number} point" if number == "1" else f"{number} points"


def _per_text(per, unit, zh: bool) -> str:
    """English "per percentage point" / "per 10 percentage points"; Chinese the amount."""
    from .wording import PERCENT_UNITS, unit_word

    if zh:
        return gap_text(per, unit, "zh")
    word = unit_word("pp" if unit in PERCENT_UNITS else unit, "en", plural=False)
    if float(per) == 1 and word:
        return f"per {word}"
    return f"per {gap_text(per, unit, 'en')}"


def _term(x) -> str:
    """A number in a formula, in parentheses when negative."""
    text = fmt_number(x, PARAMETER_DECIMALS)
    return f"({text})" if text.startswith("-") else text


def _one(rule, value, points, target, direction, best=None, rank=None) -> float:
    """The rule's own score of one value (its ``score`` on arrays of one)."""
    arr = np.array([np.nan if value is None else float(value)])
    best_arr = None if best is None else np.array([float(best)])
    rank_arr = None if rank is None else np.array([float(rank)])
    return float(np.asarray(rule.score(arr, float(points), target, direction, best_arr, rank_arr)).reshape(-1)[0])


def _missing(value, zh: bool) -> str | None:
    """The text of a value without data, None when there is a value."""
    if value is None or np.isnan(float(value)):
        return ("无数据，不按本规则计分（按缺失数据规则处理）" if zh
                else "No data: not scored by this rule (the missing-data policy applies)")
    return None


def _ending(score, points, zh: bool, full_marks: bool = False) -> str:
    """The end of every ``explain`` text: the score it states (:func:`fmt_score`), "full
    marks" when it is the leaf's points."""
    number = fmt_score(score, points)
    full_marks = full_marks or (float(points) > 0 and float(score) >= float(points))
    if zh:
        return f"得满分 {number} 分" if full_marks else f"得 {number} 分"
    unit = "point" if number == "1" else "points"
    return f"full marks, {number} {unit}" if full_marks else f"score {number} {unit}"


def _linear_texts(zero, full, unit, zh: bool) -> tuple[str, str]:
    """``(zero-point condition, full-marks condition)`` of a linear band from ``zero`` (0
    points) to ``full`` (full marks)."""
    z, f = value_text(zero, unit, "zh" if zh else "en"), value_text(full, unit, "zh" if zh else "en")
    if full > zero:
        return (f"{z} 及以下", f"{f} 及以上") if zh else (f"at {z} or below", f"at {f} or above")
    return (f"{z} 及以上", f"{f} 及以下") if zh else (f"at {z} or above", f"at {f} or below")


def _linear_describe(zero, full, unit, zh: bool) -> str:
    at_zero, at_full = _linear_texts(zero, full, unit, zh)
    if zh:
        return f"{at_zero}得 0 分，{at_full}得满分，之间按线性计分"
    return f"0 points {at_zero}, full marks {at_full}, linear in between"


def _linear_explain(rule, zero, full, value, points, target, direction, unit, zh: bool) -> str:
    score = _one(rule, value, points, target, direction)
    lang = "zh" if zh else "en"
    v = value_text(value, unit, lang, TEXT_DECIMALS)
    z, f = value_text(zero, unit, lang), value_text(full, unit, lang)
    up = full > zero
    at_full = ((f"达到满分线 {f}" if up else f"不超过满分线 {f}") if zh
               else f"at or {'above' if up else 'below'} the full-marks end {f}")
    at_zero = ((f"不高于 0 分线 {z}" if up else f"不低于 0 分线 {z}") if zh
               else f"at or {'below' if up else 'above'} the zero-points end {z}")
    # where the value lies: by the score when the leaf has points, by the value on a 0-point
    # leaf (whose score is 0 wherever the value lies)
    beyond_full = (points > 0 and score >= points) or (points <= 0 and (value >= full if up else value <= full))
    beyond_zero = (points > 0 and score <= 0) or (points <= 0 and (value <= zero if up else value >= zero))
    if beyond_full:
        return _tidy(f"{v}，{at_full}，{_ending(score, points, zh, True)}" if zh
                     else f"{v}, {at_full}: {_ending(score, points, zh, True)}", zh)
    if beyond_zero:
        return _tidy(f"{v}，{at_zero}，{_ending(score, points, zh)}" if zh
                     else f"{v}, {at_zero}: {_ending(score, points, zh)}", zh)
    formula = f"{_param(points)} × ({fmt_number(value)} − {_term(zero)}) ÷ ({_term(full)} − {_term(zero)})"
    if zh:
        return _tidy(f"{v}，在 {z} 与 {f} 之间，按线性计分 {formula}，{_ending(score, points, zh)}", zh)
    return _tidy(f"{v}, between {z} and {f}: linear, {formula}; {_ending(score, points, zh)}", zh)


@dataclass(frozen=True)
class ThresholdDeduct:
    """Full marks at or beyond ``target``; ``deduct`` points per ``per`` units short.

    score = clamp(points − deduct · shortfall / per, 0, points), shortfall = max(0,
    target − value) for direction +1 (value − target for −1). With ``whole_steps`` only
    whole steps count (每低1个百分点扣2分 read literally: ⌈shortfall/per⌉ steps, a started
    step counting in full; :data:`WHOLE_STEP_TOLERANCE`); without, a part of a step deducts
    in proportion. Example: 预算完成率 100 % full, each 5 % lower −2 (per=5, deduct=2),
    domain brief §1.1.
    """

    per: float = 1.0
    deduct: float = 1.0
    whole_steps: bool = False
    type: str = "threshold_deduct"

    def steps(self, value, target, direction):
        """``(shortfall, steps)``: how far each value falls short of ``target`` in the bad
        direction, and the steps of ``per`` this counts for (whole steps rounded up with
        ``whole_steps``). :meth:`score` deducts ``deduct`` per step."""
        short = np.maximum(0.0, (target - value) if direction > 0 else (value - target))
        steps = short / self.per
        if self.whole_steps:
            steps = np.ceil(steps - WHOLE_STEP_TOLERANCE)
        return short, steps

    def score(self, value, points, target, direction, best=None, rank=None):
        if target is None:
            raise ValueError("threshold_deduct needs a target")
        _, steps = self.steps(value, target, direction)
        return np.clip(points - self.deduct * steps, 0.0, points)

    def describe(self, target, direction, unit="", language="zh"):
        zh = _is_zh(language)
        up = direction > 0
        lang = "zh" if zh else "en"
        t = value_text(target, unit, lang) if target is not None else ("目标值" if zh else "the target")
        per = gap_text(self.per, unit, lang)
        d = points_text(self.deduct, lang)
        if zh:
            head = f"达到 {t} 得满分" if up else f"不超过 {t} 得满分"
            part = f"不足 {per} 按 {per} 计" if self.whole_steps else f"不足 {per} 按比例扣分"
            return _tidy(f"{head}，每{'低' if up else '高'} {per} 扣 {d}，{part}，扣完为止", zh)
        from .wording import PERCENT_UNITS, unit_word

        word = unit_word("pp" if unit in PERCENT_UNITS else unit, "en", plural=False)
        one_step = word if float(self.per) == 1 and word else f"step of {per}"
        part = (f"each started {one_step} counting in full" if self.whole_steps
                else f"a part of a {one_step} deducting in proportion")
        return _tidy(f"Full marks at {t} or {'above' if up else 'below'}; {d} off {_per_text(self.per, unit, zh)} "
                     f"{'below' if up else 'above'}, {part}; down to 0 points", zh)

    def explain(self, value, points, target, direction, unit="", language="zh", best=None, rank=None):
        """How ``value`` scores under this rule, in one sentence ending with the score."""
        zh = _is_zh(language)
        if (text := _missing(value, zh)) is not None:
            return text
        lang = "zh" if zh else "en"
        score = _one(self, value, points, target, direction)
        short, steps = (float(np.asarray(x).reshape(-1)[0])
                        for x in self.steps(np.array([float(value)]), target, direction))
        up = direction > 0
        t = value_text(target, unit, lang)
        if short <= 0:
            return _tidy(f"达到目标 {t}，{_ending(score, points, zh, True)}" if zh
                         else f"Meets the target of {t}: {_ending(score, points, zh, True)}", zh)
        gap = gap_text(short, unit, lang, TEXT_DECIMALS)
        where = (f"比目标 {t} {'低' if up else '高'} {gap}" if zh
                 else f"{gap} {'below' if up else 'above'} the target of {t}")
        due = self.deduct * steps
        if steps <= 0:
            rest = ("差距在计算精度以内，不计一档，" if zh else "within floating-point noise of a whole step, no step counted; ")
            return _tidy(f"{where}，{rest}{_ending(score, points, zh, True)}" if zh
                         else f"{where}: {rest}{_ending(score, points, zh, True)}", zh)
        per = gap_text(self.per, unit, lang)
        if self.whole_steps:
            n = fmt_number(steps)
            counted = (f"计 {n} 档（每 {per} 一档，不足一档按一档计）" if zh
                       else f"counted as {n} step{'' if n == '1' else 's'} of {per} (a started step counts in full)")
        else:
            counted = ""
        due_text = points_text(due, lang, TEXT_DECIMALS)
        if zh:
            lost = f"应扣 {due_text}，扣完为止" if due > points else f"扣 {due_text}"
            return _tidy("，".join(x for x in (where, counted, lost, _ending(score, points, zh)) if x), zh)
        lost = f"{due_text} due, down to 0" if due > points else f"{due_text} off"
        return _tidy(f"{where}{', ' + counted if counted else ''}: {lost}; {_ending(score, points, zh)}", zh)


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

    def _ends(self, direction) -> tuple[float, float]:
        """``(value scoring 0, value scoring full marks)``."""
        return (self.low, self.high) if direction > 0 else (self.high, self.low)

    def describe(self, target, direction, unit="", language="zh"):
        zh = _is_zh(language)
        return _tidy(_linear_describe(*self._ends(direction), unit, zh), zh)

    def explain(self, value, points, target, direction, unit="", language="zh", best=None, rank=None):
        """How ``value`` scores under this rule, in one sentence ending with the score."""
        zh = _is_zh(language)
        if (text := _missing(value, zh)) is not None:
            return text
        return _linear_explain(self, *self._ends(direction), value, points, target, direction, unit, zh)


@dataclass(frozen=True)
class RatioToBest:
    """Points in proportion to the best unit of the peer group (第2名起按第1名的比例得分).

    score = points · value / best (direction +1) or points · best / value (direction −1),
    where ``best`` is the best value in the unit's peer group. Example: domain brief §1.1.
    A ratio that cannot be computed (division by 0) gives full marks.
    """

    type: str = "ratio_to_best"

    def ratio(self, value, best, direction):
        """``(raw, ratio)``: value / best (best / value for −1), and the ratio :meth:`score`
        uses (a raw ratio that is not finite counts 1 unless the value is missing)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = value / best if direction > 0 else best / value
        return raw, np.where(np.isfinite(raw), raw, np.where(np.isnan(value), np.nan, 1.0))

    def score(self, value, points, target, direction, best=None, rank=None):
        _, ratio = self.ratio(value, best, direction)
        return points * np.clip(ratio, 0.0, 1.0)

    def describe(self, target, direction, unit="", language="zh"):
        zh = _is_zh(language)
        if zh:
            if direction > 0:
                return "得分 = 满分 × 本单位值 ÷ 同组最优值（同组有数据单位中的最高值），最优单位得满分；最优值为 0 时得满分"
            return "得分 = 满分 × 同组最优值（同组有数据单位中的最低值）÷ 本单位值，最优单位得满分；本单位值为 0 时得满分"
        if direction > 0:
            return ("Score = full marks × own value ÷ best value (the highest value among the peer group's units "
                    "with data); the best unit gets full marks, and every unit does when the best value is 0")
        return ("Score = full marks × best value (the lowest value among the peer group's units with data) ÷ own "
                "value; the best unit gets full marks, and a unit with value 0 does too")

    def explain(self, value, points, target, direction, unit="", language="zh", best=None, rank=None):
        """How ``value`` scores against the peer group's ``best`` value, in one sentence
        ending with the score."""
        zh = _is_zh(language)
        if (text := _missing(value, zh)) is not None:
            return text
        if best is None:
            raise ValueError("ratio_to_best needs the best value of the peer group to explain a score")
        lang = "zh" if zh else "en"
        score = _one(self, value, points, target, direction, best=best)
        raw, _ = self.ratio(np.array([float(value)]), np.array([float(best)]), direction)
        v, b = value_text(value, unit, lang, TEXT_DECIMALS), value_text(best, unit, lang, TEXT_DECIMALS)
        if not np.isfinite(raw[0]):
            return _tidy(f"本单位 {v}，同组最优 {b}，比值无法计算（除数为 0），{_ending(score, points, zh, True)}" if zh
                         else f"{v} against the peer group's best of {b}: the ratio divides by 0, "
                              f"so {_ending(score, points, zh, True)}", zh)
        if points > 0 and score >= points:
            return _tidy(f"本单位 {v} 为同组最优值，{_ending(score, points, zh, True)}" if zh
                         else f"{v}, the best in the peer group: {_ending(score, points, zh, True)}", zh)
        num, den = (value, best) if direction > 0 else (best, value)
        formula = f"{_param(points)} × {fmt_number(num)} ÷ {fmt_number(den)}"
        return _tidy(f"本单位 {v}，同组最优 {b}：{formula}，{_ending(score, points, zh)}" if zh
                     else f"{v} against the peer group's best of {b}: {formula}; {_ending(score, points, zh)}", zh)


@dataclass(frozen=True)
class Binary:
    """Full points when the value meets ``target`` (≥ for direction +1, ≤ for −1), else 0."""

    type: str = "binary"

    def score(self, value, points, target, direction, best=None, rank=None):
        if target is None:
            raise ValueError("binary needs a target")
        met = value >= target if direction > 0 else value <= target
        return np.where(np.isnan(value), np.nan, np.where(met, points, 0.0))

    def describe(self, target, direction, unit="", language="zh"):
        zh = _is_zh(language)
        t = value_text(target, unit, "zh" if zh else "en") if target is not None else ("目标值" if zh else "the target")
        if zh:
            text = f"达到 {t} 得满分，低于 {t} 不得分" if direction > 0 else f"不超过 {t} 得满分，高于 {t} 不得分"
        else:
            text = (f"Full marks at {t} or above, 0 points below {t}" if direction > 0
                    else f"Full marks at {t} or below, 0 points above {t}")
        return _tidy(text, zh)

    def explain(self, value, points, target, direction, unit="", language="zh", best=None, rank=None):
        """How ``value`` scores under this rule, in one sentence ending with the score."""
        zh = _is_zh(language)
        if (text := _missing(value, zh)) is not None:
            return text
        lang = "zh" if zh else "en"
        score = _one(self, value, points, target, direction)
        t = value_text(target, unit, lang)
        up = direction > 0
        met = float(value) >= target if up else float(value) <= target
        if met:
            return _tidy(f"达到目标 {t}，{_ending(score, points, zh, True)}" if zh
                         else f"Meets the target of {t}: {_ending(score, points, zh, True)}", zh)
        gap = gap_text(abs(float(value) - target), unit, lang, TEXT_DECIMALS)
        side = "below" if up else "above"
        return _tidy(f"比目标 {t} {'低' if up else '高'} {gap}，未达到目标，{_ending(score, points, zh)}" if zh
                     else f"{gap} {side} the target of {t}, not met: {_ending(score, points, zh)}", zh)


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

    def band_index(self, value, direction):
        """Index of the band each value falls in (the first it meets, in order); −1 for none
        (and for no data)."""
        value = np.asarray(value, dtype="float64")
        out = np.full(value.shape, -1)
        done = np.zeros(value.shape, dtype=bool)
        for i, (bound, _) in enumerate(self.bands):
            hit = ~done & ((value >= bound) if direction > 0 else (value <= bound))
            out = np.where(hit, i, out)
            done |= hit
        return out

    def score(self, value, points, target, direction, best=None, rank=None):
        value = np.asarray(value, dtype="float64")
        band = self.band_index(value, direction)
        table = np.array([pts for _, pts in self.bands] + [0.0], dtype="float64")
        out = table[band]  # −1 → the appended 0
        return np.where(np.isnan(value), np.nan, np.minimum(out, points))

    def _conditions(self, direction, unit, zh: bool) -> tuple[list[str], str, bool]:
        """``(condition of each band, condition of no band, ordered)``: with bounds ordered
        from the best band down, each band is a range; otherwise each band's test in order."""
        lang = "zh" if zh else "en"
        up = direction > 0
        b = [value_text(bound, unit, lang) for bound, _ in self.bands]
        bounds = [bound for bound, _ in self.bands]
        ordered = all((x > y) if up else (x < y) for x, y in zip(bounds, bounds[1:]))
        reach = (lambda x: f"{x} 及以上") if zh and up else (lambda x: f"{x} 及以下") if zh else \
            (lambda x: f"{x} or above") if up else (lambda x: f"{x} or below")
        if not ordered:
            return [reach(x) for x in b], ("其余" if zh else "otherwise"), False
        conds = []
        for i, x in enumerate(b):
            if i == 0:
                conds.append(reach(x))
            elif zh:
                conds.append(f"{x} 及以上、低于 {b[i - 1]}" if up else f"高于 {b[i - 1]}、不超过 {x}")
            else:
                conds.append(f"{x} or above and below {b[i - 1]}" if up else f"above {b[i - 1]} and up to {x}")
        rest = (f"低于 {b[-1]}" if up else f"高于 {b[-1]}") if zh else (f"below {b[-1]}" if up else f"above {b[-1]}")
        return conds, rest, True

    def describe(self, target, direction, unit="", language="zh"):
        zh = _is_zh(language)
        conds, rest, ordered = self._conditions(direction, unit, zh)
        lang = "zh" if zh else "en"
        if zh:
            parts = [f"{c}得 {points_text(p, lang)}" for c, (_, p) in zip(conds, self.bands)]
            head = "分档计分：" if ordered else "分档计分（按所列顺序取第一个符合的档）："
            return _tidy(head + "；".join(parts) + f"；{rest}不得分", zh)
        parts = [f"{points_text(p, lang)} {'' if c.startswith(('above', 'below')) else 'at '}{c}"
                 for c, (_, p) in zip(conds, self.bands)]
        head = "Bands: " if ordered else "Bands (the first that applies, in the order listed): "
        return _tidy(head + "; ".join(parts) + f"; 0 points {rest}", zh)

    def explain(self, value, points, target, direction, unit="", language="zh", best=None, rank=None):
        """Which band ``value`` falls in and what it scores, in one sentence ending with the score."""
        zh = _is_zh(language)
        if (text := _missing(value, zh)) is not None:
            return text
        lang = "zh" if zh else "en"
        score = _one(self, value, points, target, direction)
        i = int(self.band_index(np.array([float(value)]), direction)[0])
        conds, rest, _ = self._conditions(direction, unit, zh)
        v = value_text(value, unit, lang, TEXT_DECIMALS)
        if i < 0:
            return _tidy(f"{v}，{rest}，不在任何一档，{_ending(score, points, zh)}" if zh
                         else f"{v} is in no band ({rest}): {_ending(score, points, zh)}", zh)
        band_points = self.bands[i][1]
        cap = ""
        if band_points > points:
            cap = (f"（该档 {points_text(band_points, lang)}，以分值 {points_text(points, lang)}为上限）" if zh
                   else f" (the band's {points_text(band_points, lang)} capped at the leaf's "
                        f"{points_text(points, lang)})")
        return _tidy(f"{v}，属于“{conds[i]}”一档{cap}，{_ending(score, points, zh)}" if zh
                     else f"{v} is in the band \"{conds[i]}\"{cap}: {_ending(score, points, zh)}", zh)


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

    def rank_points(self, rank, points):
        """Points of each rank before the floor and the cap (what :meth:`score` clips)."""
        rank = np.asarray(rank, dtype="float64")
        if self.table:
            table = np.asarray(self.table, dtype="float64")
            idx = np.clip(np.nan_to_num(rank, nan=1).astype(int) - 1, 0, None)
            extra = np.maximum(0, idx - (len(table) - 1))
            return table[np.minimum(idx, len(table) - 1)] - self.step * extra
        return points - self.step * (rank - 1)

    def score(self, value, points, target, direction, best=None, rank=None):
        if rank is None:
            raise ValueError("rank_points needs the ranks within the peer group")
        rank = np.asarray(rank, dtype="float64")
        pts = self.rank_points(rank, points)
        return np.where(np.isnan(rank) | np.isnan(value), np.nan, np.clip(pts, self.floor, points))

    def describe(self, target, direction, unit="", language="zh"):
        zh = _is_zh(language)
        lang = "zh" if zh else "en"
        step = points_text(self.step, lang)
        floor = points_text(self.floor, lang)
        if self.table:
            n = len(self.table)
            values = [_param(p) for p in self.table]
            if zh:
                head = (f"按组内名次计分：第 1 名得 {points_text(self.table[0], lang)}" if n == 1 else
                        f"按组内名次计分：第 1 名至第 {n} 名依次得 {'、'.join(values)} 分")
                if self.step > 0:
                    tail = f"，此后每降一名扣 {step}，" + (f"最低 {floor}" if self.floor > 0 else "扣完为止")
                else:
                    tail = f"，第 {n + 1} 名及以后得 {points_text(max(self.table[-1], self.floor), lang)}"
            else:
                listed = values[0] if n == 1 else ", ".join(values[:-1]) + " and " + values[-1]
                head = (f"By rank in the peer group: rank 1 scores {points_text(self.table[0], lang)}" if n == 1 else
                        f"By rank in the peer group: ranks 1 to {n} score {listed} points")
                if self.step > 0:
                    tail = f", then {step} less per further rank, " + (f"at least {floor}" if self.floor > 0
                                                                          else "down to 0")
                else:
                    tail = f", rank {n + 1} and below {points_text(max(self.table[-1], self.floor), lang)}"
        else:
            if zh:
                head = f"按组内名次计分：第 1 名得满分，每降一名扣 {step}"
                tail = f"，最低 {floor}" if self.floor > 0 else "，扣完为止"
            else:
                head = f"By rank in the peer group: rank 1 gets full marks, {step} less per rank below"
                tail = f", at least {floor}" if self.floor > 0 else ", down to 0"
        ties = "；名次按指标值从优到劣排列，并列取最好名次" if zh else \
            "; ranks order the values best first, tied values sharing the best rank"
        return _tidy(head + tail + ties, zh)

    def explain(self, value, points, target, direction, unit="", language="zh", best=None, rank=None):
        """What rank ``rank`` scores, in one sentence ending with the score."""
        zh = _is_zh(language)
        if (text := _missing(value, zh)) is not None:
            return text
        if rank is None:
            raise ValueError("rank_points needs the rank within the peer group to explain a score")
        if np.isnan(float(rank)):
            return _missing(None, zh)
        lang = "zh" if zh else "en"
        score = _one(self, value, points, target, direction, rank=rank)
        raw = float(np.asarray(self.rank_points(np.array([float(rank)]), float(points)))[0])
        r = fmt_number(rank)
        note = ""
        if raw < self.floor:
            note = (f"（按名次 {fmt_number(raw)} 分，不低于最低 {points_text(self.floor, lang)}）" if zh
                    else f" ({fmt_number(raw)} by rank, raised to the minimum {points_text(self.floor, lang)})")
        elif raw > points:
            note = (f"（按名次 {fmt_number(raw)} 分，以分值 {points_text(points, lang)}为上限）" if zh
                    else f" ({fmt_number(raw)} by rank, capped at the leaf's {points_text(points, lang)})")
        return _tidy(f"组内第 {r} 名{note}，{_ending(score, points, zh)}" if zh
                     else f"Rank {r} in the peer group{note}: {_ending(score, points, zh)}", zh)


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

    @staticmethod
    def _items(x, unit, zh: bool) -> str:
        """A number of items in the indicator's unit (项 / items when it has none or a
        unit that counts no items)."""
        from .wording import PERCENT_UNITS, unit_word

        lang = "zh" if zh else "en"
        counts = (isinstance(unit, str) and unit and unit not in PERCENT_UNITS and unit not in ("分", "指数")
                  and unit_word(unit, lang))
        return value_text(x, unit if counts else "项", lang)

    def describe(self, target, direction, unit="", language="zh"):
        zh = _is_zh(language)
        lang = "zh" if zh else "en"
        one = self._items(1, unit, zh)
        d = points_text(self.per_item, lang)
        if zh:
            text = f"每发现 {one}扣 {d}，扣完为止"
            if self.zero_at is not None:
                text += f"；{self._items(self.zero_at, unit, zh)}及以上不得分"
        else:
            text = f"{d} off per {one.removeprefix('1 ')} found, down to 0"
            if self.zero_at is not None:
                text += f"; 0 points from {self._items(self.zero_at, unit, zh)} on"
        return _tidy(text, zh)

    def explain(self, value, points, target, direction, unit="", language="zh", best=None, rank=None):
        """How many items ``value`` counts and what they cost, in one sentence ending with the score."""
        zh = _is_zh(language)
        if (text := _missing(value, zh)) is not None:
            return text
        lang = "zh" if zh else "en"
        score = _one(self, value, points, target, direction)
        n = float(value)
        items = self._items(n, unit, zh)
        if n <= 0:
            return _tidy(f"未发现扣分项，{_ending(score, points, zh, True)}" if zh
                         else f"Nothing found: {_ending(score, points, zh, True)}", zh)
        if self.zero_at is not None and n >= self.zero_at:
            limit = self._items(self.zero_at, unit, zh)
            return _tidy(f"发现 {items}，{limit}及以上不得分，{_ending(score, points, zh)}" if zh
                         else f"{items} found, {limit} or more score nothing: {_ending(score, points, zh)}", zh)
        due = self.per_item * n
        due_text = points_text(due, lang, TEXT_DECIMALS)
        if due > points:
            return _tidy(f"发现 {items}，应扣 {due_text}，扣完为止，{_ending(score, points, zh)}" if zh
                         else f"{items} found, {due_text} due, down to 0: {_ending(score, points, zh)}", zh)
        return _tidy(f"发现 {items}，扣 {due_text}，{_ending(score, points, zh)}" if zh
                     else f"{items} found, {due_text} off: {_ending(score, points, zh)}", zh)


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

    def _ends(self, direction) -> tuple[float, float]:
        """``(value scoring 0, value scoring full marks)``."""
        return (self.lower, self.upper) if direction > 0 else (self.upper, self.lower)

    def describe(self, target, direction, unit="", language="zh"):
        zh = _is_zh(language)
        text = _linear_describe(*self._ends(direction), unit, zh)
        return _tidy(("目标值法：" + text) if zh else f"Goalposts: {text}", zh)

    def explain(self, value, points, target, direction, unit="", language="zh", best=None, rank=None):
        """How ``value`` scores under this rule, in one sentence ending with the score."""
        zh = _is_zh(language)
        if (text := _missing(value, zh)) is not None:
            return text
        return _linear_explain(self, *self._ends(direction), value, points, target, direction, unit, zh)


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


#: Rule types that score a value against a target: ``threshold_deduct`` and ``binary`` take
#: the target itself, ``linear_band`` and ``goalposts`` give full marks at their full-marks
#: end. A unit's agreed target (效能目标, :mod:`evalkit.targets`) can replace the leaf's
#: target only for these (:func:`rule_at_target`); the other rules score against the peer
#: group (ratio to best, rank points), a band table or a checklist.
TARGET_RULE_TYPES = ("threshold_deduct", "binary", "linear_band", "goalposts")


def full_marks_end(rule: Rule, target, direction) -> float | None:
    """The value at which ``rule`` gives full marks: the ``target`` for ``threshold_deduct``
    and ``binary``, the full-marks end of a ``linear_band`` or ``goalposts`` band (``high`` /
    ``upper`` for direction +1, ``low`` / ``lower`` for −1); None for the other rules."""
    if isinstance(rule, (ThresholdDeduct, Binary)):
        return None if target is None else float(target)
    if isinstance(rule, (LinearBand, Goalposts)):
        return float(rule._ends(direction)[1])
    return None


def rule_at_target(rule: Rule, target: float, direction) -> Rule:
    """The rule that scores a unit against its own agreed ``target`` (效能目标), to be called
    with ``target`` as its target: ``threshold_deduct`` and ``binary`` as they are; a
    ``linear_band`` or ``goalposts`` band with its full-marks end moved to ``target`` and its
    zero-points end kept (so the unit needs its agreed value for full marks, and is scored
    in proportion below it). Raises ``ValueError`` for a rule that does not score against a
    target (:data:`TARGET_RULE_TYPES`) or a target at or beyond the zero-points end."""
    from dataclasses import replace

    if isinstance(rule, (ThresholdDeduct, Binary)):
        return rule
    if isinstance(rule, (LinearBand, Goalposts)):
        zero = rule._ends(direction)[0]
        if (float(target) <= zero) if direction > 0 else (float(target) >= zero):
            raise ValueError(f"expected a target beyond the band's zero-points end {fmt_number(zero)}; "
                             f"found {fmt_number(target)}")
        if isinstance(rule, LinearBand):
            return replace(rule, high=float(target)) if direction > 0 else replace(rule, low=float(target))
        return replace(rule, upper=float(target)) if direction > 0 else replace(rule, lower=float(target))
    raise ValueError(f"a {getattr(rule, 'type', type(rule).__name__)} rule does not score against a target")
