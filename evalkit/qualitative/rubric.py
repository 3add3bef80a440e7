"""Rubrics (评价量表) and the qualitative evaluation policy, loaded from YAML.

A rubric file holds the response scale (levels, their labels and points), the criteria
(with a descriptor for every level), and optionally how ratings, democratic votes and
survey answers are turned into scores. Example (``data_samples/sample_district/rubric.yaml``)::

    code: sample-district-rubric
    version: "2024.1"
    name_zh: 示例区效能评价量表
    scale:
      code: five_level_100
      levels:                       # best level first
        - {code: very_satisfied, label_zh: 非常满意, points: 100}
        - {code: satisfied, label_zh: 满意, points: 80}
        - {code: fairly_satisfied, label_zh: 基本满意, points: 60}
        - {code: dissatisfied, label_zh: 不满意, points: 30}
        - {code: very_dissatisfied, label_zh: 非常不满意, points: 0}
    criteria:
      - code: attitude
        name_zh: 服务态度
        weight: 1
        descriptors: {very_satisfied: 主动热情……, satisfied: ……, …}
    aggregation: {method: mean, min_raters: 5,
                  group_weights: {leader: 0.3, peer: 0.2, service_user: 0.4, expert: 0.1}}
    votes: {rule: points, points: {excellent: 100, competent: 80, basically_competent: 60,
                                   incompetent: 0}}
    survey: {question: overall, satisfied: [very_satisfied, satisfied, fairly_satisfied]}

Conventions
-----------
* Ratings in the ``ratings`` table are on the 0–100 scale (data contract). A scale whose
  top level is worth 10 (e.g. Shanwei's 10/8/6/3/0, domain brief §1.3) maps answers to
  points on its own scale; :meth:`Scale.level_of` compares 0–100 scores with the scale's
  points rescaled to 0–100.
* A level's band for :meth:`Scale.level_of` starts at its ``min_score`` when given, else at
  the midpoint between its points and the next lower level's points.
* Every mistake raises :class:`RubricError` naming the file and the key (and the line); the
  file is read strictly (:func:`evalkit.data.strict_yaml.read_yaml`: a duplicate key is an
  error), and an unknown key is an error with a "did you mean" hint.
* Anonymity floor: no group of fewer than :data:`ANONYMITY_FLOOR` (3) raters, voters or
  respondents is ever published, whatever the file says. A ``min_raters``, ``min_voters``
  or ``min_responses`` below it is raised to it with an :class:`AnonymityWarning`; one
  below the advised :data:`MIN_RATERS` (5) is kept, with a warning. The aggregation
  kernels apply the floor again, so that no policy object can lower it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..data.contract import FIVE_LEVEL_SATISFACTION, RATER_GROUPS, VOTER_GROUPS
from ..data.strict_yaml import did_you_mean, line_of, read_yaml
from ..errors import EvalkitError

#: Default rater-group weights when the user sets none (domain brief §1.3, a suggestion).
DEFAULT_GROUP_WEIGHTS: dict[str, float] = {"leader": 0.30, "peer": 0.20, "service_user": 0.40,
                                           "expert": 0.10}
#: Advised minimum of distinct raters of a group for its result to be published (the default).
MIN_RATERS = 5
#: The anonymity floor: a group of fewer raters (voters, respondents) is never published,
#: whatever the configuration says — its mean would all but give away what each one said.
ANONYMITY_FLOOR = 3
#: Points per democratic-vote category (优秀/称职/基本称职/不称职).
VOTE_POINTS: dict[str, float] = {"excellent": 100.0, "competent": 80.0, "basically_competent": 60.0,
                                 "incompetent": 0.0}
VOTE_CATEGORIES = tuple(VOTE_POINTS)
#: Survey answers counted as satisfied (满意率 = 非常满意 + 满意 + 基本满意).
SATISFIED_ANSWERS = ("very_satisfied", "satisfied", "fairly_satisfied")

AGGREGATION_METHODS = ("mean", "median", "trimmed_mean", "drop_extremes")
MISSING_GROUP_POLICIES = ("renormalise", "no_data")
VOTE_RULES = ("points", "share")


class RubricError(EvalkitError):
    """A rubric file, or a qualitative-evaluation setting, is malformed."""


class AnonymityWarning(UserWarning):
    """A minimum group size below the advised :data:`MIN_RATERS`; below
    :data:`ANONYMITY_FLOOR` it has been raised to the floor."""


def _floored(policy, key: str, name: str) -> None:
    """Raise ``policy.<name>`` to :data:`ANONYMITY_FLOOR` (with a warning) when below it;
    warn when below :data:`MIN_RATERS`. ``key`` names the setting in messages."""
    n = getattr(policy, name)
    if n < ANONYMITY_FLOOR:
        object.__setattr__(policy, name, ANONYMITY_FLOOR)  # frozen dataclass: set once, here
        warnings.warn(f"policy: {key}: {n} would publish groups small enough to reveal what one person "
                      f"said; raised to {ANONYMITY_FLOOR}, the anonymity floor ({MIN_RATERS} or more is "
                      "advised)", AnonymityWarning, stacklevel=4)
    elif n < MIN_RATERS:
        warnings.warn(f"policy: {key}: {n} is below {MIN_RATERS}, the advised minimum; groups of {n} are "
                      "published, and their means come close to individual answers", AnonymityWarning,
                      stacklevel=4)

def _fail(source: str, key: str, expected: str, found: Any, line: int | None = None) -> RubricError:
    where = source if line is None else f"{source}, line {line}"
    return RubricError(f"{where}: {key}: expected {expected}; found {found!r}")


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and np.isfinite(x)


# ----------------------------------------------------------------------------------------
# Scale and criteria
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One level of a response scale: its code, labels and points."""

    code: str
    label_zh: str
    points: float
    label_en: str = ""
    #: Lowest 0–100 score classified into this level (None: midpoint rule).
    min_score: float | None = None


@dataclass(frozen=True)
class Scale:
    """A response scale: levels from best to worst, each worth some points.

    ``points_of`` maps answers (level codes or Chinese labels) to points; ``level_of``
    classifies 0–100 scores into levels (0 = best level).
    """

    code: str
    levels: tuple[Level, ...]
    name_zh: str = ""

    def __post_init__(self) -> None:
        pts = [lv.points for lv in self.levels]
        if len(self.levels) < 2:
            raise RubricError(f"scale {self.code}: expected at least two levels; found {len(pts)}")
        if any(b >= a for a, b in zip(pts, pts[1:])):
            raise RubricError(f"scale {self.code}: expected points strictly falling from the best "
                              f"level to the worst; found {pts}")
        codes = [lv.code for lv in self.levels]
        if len(set(codes)) != len(codes):
            raise RubricError(f"scale {self.code}: expected unique level codes; found {codes}")

    @property
    def maximum(self) -> float:
        return self.levels[0].points

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels)

    def points_of(self, answers: pd.Series) -> pd.Series:
        """Points of each answer (a level code or its Chinese label); missing stays missing.

        Raises :class:`RubricError` naming the first unknown answer.
        """
        mapping = {lv.code: lv.points for lv in self.levels}
        mapping.update({lv.label_zh: lv.points for lv in self.levels})
        out = answers.map(mapping)
        unknown = answers.notna() & out.isna()
        if unknown.any():
            bad = answers[unknown].iloc[0]
            raise RubricError(f"scale {self.code}: expected one of {', '.join(mapping)}; found {bad!r}")
        return out.astype("float64")

    def bounds(self, score_max: float = 100.0) -> np.ndarray:
        """Lower bound of each level but the worst, on a 0–``score_max`` score scale."""
        pts = np.array([lv.points for lv in self.levels], dtype=float) * score_max / self.maximum
        out = []
        for i, lv in enumerate(self.levels[:-1]):
            out.append(lv.min_score if lv.min_score is not None else (pts[i] + pts[i + 1]) / 2)
        return np.array(out, dtype=float)

    def level_of(self, scores, score_max: float = 100.0) -> np.ndarray:
        """Level index of each score (0 = best level; −1 for a missing score)."""
        s = np.asarray(scores, dtype=float)
        lower = self.bounds(score_max)  # falling
        # number of bounds the score does not reach = level index
        idx = (s[..., None] < lower).sum(axis=-1)
        return np.where(np.isnan(s), -1, idx).astype(np.int64)


#: The five-level satisfaction scale with the common survey mapping 100/80/60/30/0.
FIVE_LEVEL_100 = Scale("five_level_100", (
    Level("very_satisfied", "非常满意", 100.0, "Very satisfied"),
    Level("satisfied", "满意", 80.0, "Satisfied"),
    Level("fairly_satisfied", "基本满意", 60.0, "Fairly satisfied"),
    Level("dissatisfied", "不满意", 30.0, "Dissatisfied"),
    Level("very_dissatisfied", "非常不满意", 0.0, "Very dissatisfied"),
), "五级满意度（百分制）")

#: The same scale with Shanwei's 10/8/6/3/0 points (domain brief §1.3).
FIVE_LEVEL_10 = Scale("five_level_10", tuple(
    Level(lv.code, lv.label_zh, lv.points / 10.0, lv.label_en) for lv in FIVE_LEVEL_100.levels),
    "五级满意度（十分制）")


@dataclass(frozen=True)
class Criterion:
    """A rubric criterion with a descriptor (zh, and optionally en) for every scale level."""

    code: str
    name_zh: str
    name_en: str = ""
    weight: float = 1.0
    descriptors_zh: dict[str, str] = field(default_factory=dict)
    descriptors_en: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------
# Policies
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AggregationPolicy:
    """How rubric ratings become scores.

    method
        Per unit, rater group and criterion: ``mean``; ``median``; ``trimmed_mean`` (cut
        ``floor(trim_proportion · n)`` ratings from each end); ``drop_extremes`` (去掉最高分和
        最低分: drop the ``drop_k`` highest and ``drop_k`` lowest).
    adjust_severity
        Standardise each rater (z-score over all their ratings, within their group) and
        rescale to a typical rater of the group (median of the raters' means and standard
        deviations) before aggregating; raters with fewer than ``min_rater_ratings``
        ratings are left as they are (see :func:`evalkit.qualitative.aggregate._adjust_severity`).
    min_raters
        Distinct raters a unit needs in a group (per criterion) for the group's result to be
        published; below it the result is suppressed (flagged, no value). Never below
        :data:`ANONYMITY_FLOOR` (a lower value is raised to it, with a warning).
    group_weights
        Weights of the rater groups in the combined score; groups absent here weigh 0.
    missing_group
        ``renormalise`` (default): a unit's combined score uses the published groups with
        their weights rescaled to sum to 1; ``no_data``: a unit missing any weighted group
        gets no combined score.
    """

    method: Literal["mean", "median", "trimmed_mean", "drop_extremes"] = "mean"
    trim_proportion: float = 0.1
    drop_k: int = 1
    adjust_severity: bool = False
    min_rater_ratings: int = 5
    min_raters: int = MIN_RATERS
    group_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GROUP_WEIGHTS))
    missing_group: Literal["renormalise", "no_data"] = "renormalise"

    def __post_init__(self) -> None:
        where = "aggregation"
        if self.method not in AGGREGATION_METHODS:
            raise _fail("policy", f"{where}.method", "one of " + ", ".join(AGGREGATION_METHODS), self.method)
        if not _is_number(self.trim_proportion) or not 0 <= self.trim_proportion < 0.5:
            raise _fail("policy", f"{where}.trim_proportion", "a share in [0, 0.5)", self.trim_proportion)
        if not isinstance(self.drop_k, int) or isinstance(self.drop_k, bool) or self.drop_k < 0:
            raise _fail("policy", f"{where}.drop_k", "a whole number ≥ 0", self.drop_k)
        if not isinstance(self.min_raters, int) or isinstance(self.min_raters, bool) or self.min_raters < 1:
            raise _fail("policy", f"{where}.min_raters", "a whole number ≥ 1", self.min_raters)
        _floored(self, f"{where}.min_raters", "min_raters")
        if self.method == "drop_extremes" and self.min_raters <= 2 * self.drop_k:
            raise _fail("policy", f"{where}.min_raters", f"more than 2·drop_k = {2 * self.drop_k} "
                        "raters, so that some ratings remain after dropping the extremes",
                        self.min_raters)
        if not isinstance(self.min_rater_ratings, int) or self.min_rater_ratings < 2:
            raise _fail("policy", f"{where}.min_rater_ratings", "a whole number ≥ 2", self.min_rater_ratings)
        _check_weights("policy", f"{where}.group_weights", self.group_weights, RATER_GROUPS)
        if self.missing_group not in MISSING_GROUP_POLICIES:
            raise _fail("policy", f"{where}.missing_group", "one of " + ", ".join(MISSING_GROUP_POLICIES),
                        self.missing_group)


@dataclass(frozen=True)
class VoteRule:
    """How democratic-evaluation (民主测评) vote counts become a 0–100 score.

    ``rule="points"``: score = Σ_c share_c · points_c (default 优秀 100, 称职 80, 基本称职 60,
    不称职 0). ``rule="share"``: score = 100 × share of the ``share_of`` categories (e.g.
    ``[excellent]`` gives the 优秀率, ``[excellent, competent]`` the 称职率).
    ``voter_weights`` None pools all votes; otherwise each voter group's score is combined
    with these weights (renormalised over the groups with at least ``min_voters`` votes).
    A unit with fewer than ``min_voters`` votes in all gets no score.
    """

    rule: Literal["points", "share"] = "points"
    points: dict[str, float] = field(default_factory=lambda: dict(VOTE_POINTS))
    share_of: tuple[str, ...] = ("excellent", "competent")
    voter_weights: dict[str, float] | None = None
    min_voters: int = MIN_RATERS

    def __post_init__(self) -> None:
        if self.rule not in VOTE_RULES:
            raise _fail("policy", "votes.rule", "one of " + ", ".join(VOTE_RULES), self.rule)
        if set(self.points) != set(VOTE_CATEGORIES) or not all(_is_number(v) for v in self.points.values()):
            raise _fail("policy", "votes.points", "a number for each of " + ", ".join(VOTE_CATEGORIES),
                        self.points)
        if not self.share_of or not set(self.share_of) <= set(VOTE_CATEGORIES):
            raise _fail("policy", "votes.share_of", "some of " + ", ".join(VOTE_CATEGORIES), self.share_of)
        if self.voter_weights is not None:
            _check_weights("policy", "votes.voter_weights", self.voter_weights, VOTER_GROUPS)
        if not isinstance(self.min_voters, int) or isinstance(self.min_voters, bool) or self.min_voters < 1:
            raise _fail("policy", "votes.min_voters", "a whole number ≥ 1", self.min_voters)
        _floored(self, "votes.min_voters", "min_voters")


@dataclass(frozen=True)
class SurveyPolicy:
    """How survey answers become a satisfaction rate.

    ``stratum_shares`` (population share of each stratum, e.g. {企业: 0.4, 居民: 0.6})
    switches on post-stratification; None gives the plain share of satisfied answers.
    Units with fewer than ``min_responses`` answers get no rate (suppressed).
    """

    question: str = "overall"
    satisfied: tuple[str, ...] = SATISFIED_ANSWERS
    min_responses: int = MIN_RATERS
    confidence: float = 0.95
    stratum_shares: dict[str, float] | None = None

    def __post_init__(self) -> None:
        if not self.satisfied:
            raise _fail("policy", "survey.satisfied", "at least one answer code", self.satisfied)
        if not isinstance(self.min_responses, int) or isinstance(self.min_responses, bool) or self.min_responses < 1:
            raise _fail("policy", "survey.min_responses", "a whole number ≥ 1", self.min_responses)
        _floored(self, "survey.min_responses", "min_responses")
        if not _is_number(self.confidence) or not 0 < self.confidence < 1:
            raise _fail("policy", "survey.confidence", "a level between 0 and 1", self.confidence)
        if self.stratum_shares is not None:
            _check_weights("policy", "survey.stratum_shares", self.stratum_shares, None)


def _check_weights(source: str, key: str, weights: Mapping, allowed: Mapping | None) -> None:
    if not isinstance(weights, Mapping) or not weights:
        raise _fail(source, key, "a mapping {name: weight ≥ 0}", weights)
    for k, v in weights.items():
        if allowed is not None and k not in allowed:
            raise RubricError(f"{source}: {key}.{k}: expected one of {', '.join(allowed)}; found {k!r}"
                              f"{did_you_mean(k, allowed)}")
        if not _is_number(v) or v < 0:
            raise _fail(source, f"{key}.{k}", "a number ≥ 0", v)
    if sum(weights.values()) <= 0:
        raise _fail(source, key, "weights with a positive sum", weights)


# ----------------------------------------------------------------------------------------
# The rubric
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rubric:
    """A rubric: scale, criteria and the policies of the qualitative evaluation.

    A rubric with no criteria (as :data:`DEFAULT_RUBRIC`) declares none: it accepts every
    criterion the ratings use and weighs them equally. A rubric file must list its criteria.
    """

    code: str
    version: str
    name_zh: str
    scale: Scale
    criteria: tuple[Criterion, ...]
    name_en: str = ""
    aggregation: AggregationPolicy = field(default_factory=AggregationPolicy)
    votes: VoteRule = field(default_factory=VoteRule)
    survey: SurveyPolicy = field(default_factory=SurveyPolicy)
    source: str = "<rubric>"

    @property
    def criterion_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria)

    @property
    def criterion_weights(self) -> dict[str, float] | None:
        """Criterion code → weight; None when the rubric declares no criteria (every
        criterion the ratings use weighs the same)."""
        if not self.criteria:
            return None
        return {c.code: c.weight for c in self.criteria}

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise RubricError(f"{self.source}: criteria: expected a criterion '{code}'; found none "
                          f"(known: {', '.join(self.criterion_codes)})")

    def check_ratings(self, ratings: pd.DataFrame) -> None:
        """Raise :class:`RubricError` if the ratings use a criterion the rubric lacks (a
        rubric that declares no criteria accepts every criterion)."""
        if not self.criteria:
            return
        unknown = sorted(set(ratings["criterion"].dropna().astype(str)) - set(self.criterion_codes))
        if unknown:
            raise RubricError(f"{self.source}: criteria: expected every criterion the ratings use; "
                              f"found no entry for {', '.join(unknown)}")


#: The documented defaults of the qualitative evaluation, used wherever no rubric file is
#: given: the five-level 100/80/60/30/0 scale; no declared criteria (every criterion the
#: ratings use, equally weighted); the plain mean with at least 5 raters per group and the
#: group weights 区领导 0.3, 互评 0.2, 服务对象 0.4, 专家 0.1 (:class:`AggregationPolicy`);
#: vote points 100/80/60/0 (:class:`VoteRule`); the satisfaction rate of ``overall``
#: (:class:`SurveyPolicy`). The policies' defaults are the dataclasses' field defaults,
#: written once above; ``data_samples/sample_district/rubric.yaml`` spells out the same
#: policies (a test keeps them equal). Treat it as read-only: it is shared.
DEFAULT_RUBRIC = Rubric(code="evalkit-default", version="default", name_zh="默认效能评价规则",
                        name_en="evalkit default qualitative evaluation", scale=FIVE_LEVEL_100, criteria=(),
                        source="<evalkit defaults>")


def _text(source: str, key: str, raw: Any, required: bool = True) -> str:
    if raw is None:
        if required:
            raise _fail(source, key, "a text", None)
        return ""
    if isinstance(raw, (dict, list)):
        raise _fail(source, key, "a text", raw)
    return str(raw).strip()


def _number(source: str, key: str, raw: Any, minimum: float | None = None) -> float:
    if not _is_number(raw) or (minimum is not None and raw < minimum):
        bound = f" ≥ {minimum:g}" if minimum is not None else ""
        raise _fail(source, key, f"a number{bound}", raw)
    return float(raw)


def _mapping(source: str, key: str, raw: Any) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(source, key, "a mapping", raw)
    return raw


def _known_keys(source: str, key: str, raw: dict, known: tuple[str, ...]) -> None:
    extra = [k for k in raw if k not in known]
    if extra:
        line = line_of(raw, extra[0])
        where = source if line is None else f"{source}, line {line}"
        raise RubricError(f"{where}: {f'{key}.{extra[0]}' if key else extra[0]}: expected one of the keys "
                          f"{', '.join(known)}; found {extra[0]!r}{did_you_mean(extra[0], known)}")


def _parse_scale(source: str, raw: Any) -> Scale:
    doc = _mapping(source, "scale", raw)
    if not doc:
        raise _fail(source, "scale", "a scale with levels", raw)
    _known_keys(source, "scale", doc, ("code", "name_zh", "levels"))
    levels_raw = doc.get("levels")
    if not isinstance(levels_raw, list) or len(levels_raw) < 2:
        raise _fail(source, "scale.levels", "a list of at least two levels, best first", levels_raw)
    levels = []
    for i, item in enumerate(levels_raw):
        key = f"scale.levels[{i + 1}]"
        item = _mapping(source, key, item)
        _known_keys(source, key, item, ("code", "label_zh", "label_en", "points", "min_score"))
        min_score = item.get("min_score")
        levels.append(Level(
            code=_text(source, f"{key}.code", item.get("code")),
            label_zh=_text(source, f"{key}.label_zh", item.get("label_zh")),
            points=_number(source, f"{key}.points", item.get("points"), 0),
            label_en=_text(source, f"{key}.label_en", item.get("label_en"), required=False),
            min_score=None if min_score is None else _number(source, f"{key}.min_score", min_score, 0)))
    try:
        return Scale(code=_text(source, "scale.code", doc.get("code", "scale")), levels=tuple(levels),
                     name_zh=_text(source, "scale.name_zh", doc.get("name_zh"), required=False))
    except RubricError as exc:
        raise RubricError(f"{source}: scale: {exc}") from None


def _parse_criteria(source: str, raw: Any, scale: Scale) -> tuple[Criterion, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(source, "criteria", "a non-empty list of criteria", raw)
    out: list[Criterion] = []
    for i, item in enumerate(raw):
        key = f"criteria[{i + 1}]"
        item = _mapping(source, key, item)
        _known_keys(source, key, item, ("code", "name_zh", "name_en", "weight", "descriptors"))
        code = _text(source, f"{key}.code", item.get("code"))
        key = f"criteria.{code}"
        if code in {c.code for c in out}:
            raise _fail(source, key, "unique criterion codes", f"{code} twice")
        desc = _mapping(source, f"{key}.descriptors", item.get("descriptors"))
        zh, en = {}, {}
        for level in scale.codes:
            d = desc.get(level)
            if d is None:
                raise _fail(source, f"{key}.descriptors.{level}",
                            "a descriptor for every level of the scale", None)
            if isinstance(d, dict):
                _known_keys(source, f"{key}.descriptors.{level}", d, ("zh", "en"))
                zh[level] = _text(source, f"{key}.descriptors.{level}.zh", d.get("zh"))
                en[level] = _text(source, f"{key}.descriptors.{level}.en", d.get("en"), required=False)
            else:
                zh[level] = _text(source, f"{key}.descriptors.{level}", d)
        extra = [k for k in desc if k not in scale.codes]
        if extra:
            raise _fail(source, f"{key}.descriptors.{extra[0]}", "a level of the scale ("
                        + ", ".join(scale.codes) + ")", extra[0])
        out.append(Criterion(code=code, name_zh=_text(source, f"{key}.name_zh", item.get("name_zh")),
                             name_en=_text(source, f"{key}.name_en", item.get("name_en"), required=False),
                             weight=_number(source, f"{key}.weight", item.get("weight", 1.0), 0),
                             descriptors_zh=zh, descriptors_en=en))
    if sum(c.weight for c in out) <= 0:
        raise _fail(source, "criteria", "criterion weights with a positive sum", [c.weight for c in out])
    return tuple(out)


def _policy(source: str, section: str, cls, raw: Any, convert: dict[str, Any]):
    doc = _mapping(source, section, raw)
    names = tuple(f for f in cls.__dataclass_fields__)
    yaml_names = tuple(convert.get(n, (n, None))[0] for n in names)
    _known_keys(source, section, doc, yaml_names)
    kwargs = {}
    for name in names:
        yaml_name, fn = convert.get(name, (name, None))
        if yaml_name in doc:
            value = doc[yaml_name]
            kwargs[name] = fn(value) if fn is not None and value is not None else value
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", AnonymityWarning)
            policy = cls(**kwargs)
    except RubricError as exc:
        # re-address the message to the file
        raise RubricError(str(exc).replace("policy:", f"{source}:", 1)) from None
    except TypeError as exc:
        raise _fail(source, section, "valid settings", str(exc)) from None
    for w in caught:  # re-address the warnings to the file and line too
        message = str(w.message)
        name = message.split(":", 2)[1].strip().rsplit(".", 1)[-1] if message.startswith("policy:") else None
        line = line_of(doc, name) if name in doc else None
        where = source if line is None else f"{source}, line {line}"
        warnings.warn(message.replace("policy:", f"{where}:", 1), w.category, stacklevel=4)
    return policy


def _as_dict(value):
    return dict(value) if isinstance(value, dict) else value


def _as_tuple(value):
    return tuple(value) if isinstance(value, list) else value


def rubric_from_dict(doc: Any, source: str = "<rubric>") -> Rubric:
    """Build a :class:`Rubric` from a parsed YAML document, checking every key."""
    if not isinstance(doc, dict):
        raise _fail(source, "top level", "a mapping with code, version, scale and criteria",
                    type(doc).__name__)
    _known_keys(source, "", doc, ("code", "version", "name_zh", "name_en", "scale", "criteria",
                                  "aggregation", "votes", "survey"))
    for key in ("code", "version", "scale", "criteria"):
        if key not in doc:
            raise _fail(source, key, f"a '{key}' entry", None)
    scale = _parse_scale(source, doc["scale"])
    criteria = _parse_criteria(source, doc["criteria"], scale)
    aggregation = _policy(source, "aggregation", AggregationPolicy, doc.get("aggregation"),
                          {"group_weights": ("group_weights", _as_dict)})
    votes = _policy(source, "votes", VoteRule, doc.get("votes"),
                    {"points": ("points", _as_dict), "share_of": ("share_of", _as_tuple),
                     "voter_weights": ("voter_weights", _as_dict)})
    survey = _policy(source, "survey", SurveyPolicy, doc.get("survey"),
                     {"satisfied": ("satisfied", _as_tuple),
                      "stratum_shares": ("stratum_shares", _as_dict)})
    for code in survey.satisfied:  # survey answers are five-level codes (data contract)
        if code not in FIVE_LEVEL_SATISFACTION:
            raise _fail(source, "survey.satisfied", "answer codes of the survey ("
                        + ", ".join(FIVE_LEVEL_SATISFACTION) + ")", code)
    return Rubric(code=_text(source, "code", doc["code"]), version=_text(source, "version", doc["version"]),
                  name_zh=_text(source, "name_zh", doc.get("name_zh", doc["code"])),
                  name_en=_text(source, "name_en", doc.get("name_en"), required=False),
                  scale=scale, criteria=criteria, aggregation=aggregation, votes=votes, survey=survey,
                  source=source)


def load_rubric(path: str | Path) -> Rubric:
    """Read and check a rubric YAML file (UTF-8)."""
    path = Path(path)
    if not path.is_file():
        raise RubricError(f"rubric file not found: {path}")
    doc = read_yaml(path, RubricError)  # strict: duplicate keys, size and alias limits
    return rubric_from_dict(doc, str(path))
