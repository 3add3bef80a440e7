"""The indicator framework (指标体系) as data: a YAML file loaded into typed dataclasses.

A framework is a tree. Inner nodes group (一级/二级指标); leaves read one indicator from
the catalogue and carry points (分值) and a scoring rule. Points may differ per peer group
or unit class (``points: {department: 8, subdistrict: 10}``), and ``applies_to`` limits a
leaf to some peer groups or classes (共性 vs 个性 indicators). Frameworks are versioned: the
``version`` and the file's SHA-256 go into every results table.

Example::

    code: sample-district
    version: "2024.1"
    name_zh: 示例区政府效能评估指标体系
    years: [2022, 2023, 2024]
    missing_policy: renormalise
    grades:
      bands: [[优秀, 90, Excellent], [良好, 80, Good], [合格, 60, Pass], [不合格, 0, Fail]]
      top_quota: 0.2
    nodes:
      - code: EFF
        name_zh: 行政效率
        area: efficiency
        children:
          - code: EFF01
            name_zh: 政务服务按时办结率
            indicator: service_on_time_rate
            points: 8
            target: 99.5
            rule: {type: threshold_deduct, per: 1, deduct: 2}

Grade bands (``grades.bands``) are listed best first as ``[name, lower bound]`` or ``[name,
lower bound, English name]`` (an English name for every band or for none; without them the
default bands keep their English names and other bands show their own name). The first
band is the top grade (``top_quota`` and 一票否优 apply to it), the last the failing grade
(一票否决 sets it); see :class:`GradeRules`. The names are free: ``[[甲等, 90], [乙等, 80],
[丙等, 60], [丁等, 0]]`` works as well, and every report shows the names given here.

Strictness: the file is read by :func:`evalkit.data.strict_yaml.read_yaml` (a duplicate
key, an alias bomb or a file over the size limit is refused with file and line), and every
mapping may hold only its known keys (:data:`FRAMEWORK_KEYS`, :data:`GRADE_KEYS`,
:data:`ADJUSTMENT_KEYS`, :data:`NODE_KEYS`, each rule's parameters): an unknown key is an
error with a "did you mean" hint, never ignored. Peer groups may be written by code or by
their Chinese label (``department``/``部门``, ``subdistrict``/``街镇``) in ``points`` and
``applies_to``; labels are stored as codes. Any other key names a unit class (``街道``,
``综合管理类`` …), which only the units table knows: :func:`check_framework_units` refuses a
key that is neither, and checks ``total_points`` for every peer group and class the units
have. A framework is checked completely at load: a ``threshold_deduct`` or ``binary`` leaf
needs a target, and a percentage indicator (catalogue unit ``%``) where higher is better
cannot have a target in (0, 1] or rule bounds that all lie below 1 — those are shares, and
the indicators are on the 0–100 scale. (A lower-is-better rate may aim below 1 %.)
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..data.contract import PEER_GROUPS
from ..data.strict_yaml import did_you_mean, line_of, parse_yaml, read_yaml_bytes
from ..data.text import clean_text, describe, removed_characters
from ..errors import FrameworkError
from ..indicators.base import AREAS
from ..indicators.catalogue import BY_CODE
from .rules import BandTable, Binary, Goalposts, LinearBand, Rule, ThresholdDeduct, parse_rule
from .kernels import PUBLISHED_DECIMALS
from .rules import PARAMETER_DECIMALS, fmt_number
from .vocabulary import DIRECTION_WORDS, LEAF_KINDS, MISSING_POLICIES
from .themes import parse_themes

#: The keys a framework document may hold at the top level, in ``grades``, in
#: ``adjustments`` and in a node (the JSON Schema's properties, :mod:`evalkit.scoring.schema`).
FRAMEWORK_KEYS = ("code", "version", "name_zh", "name_en", "years", "missing_policy", "min_coverage",
                  "publication_coverage", "total_points", "grades", "adjustments", "nodes",
                  "quality_widens_intervals", "themes", "periods")
GRADE_KEYS = ("bands", "top_quota")
#: The keys of ``periods:`` (how a month, a quarter or the year to date is scored; issue 14).
PERIOD_KEYS = ("annual_only", "assess_in_period")
ADJUSTMENT_KEYS = ("bonus_cap", "deduction_cap")
NODE_KEYS = ("code", "name_zh", "name_en", "area", "kind", "direction", "unit", "indicator", "points",
             "target", "rule", "applies_to", "missing", "children")
#: Chinese label → code of every peer group (the units table's ``peer_group`` categories).
PEER_GROUP_LABELS = {label: code for code, label in PEER_GROUPS.items()}


@dataclass(frozen=True)
class Node:
    code: str
    name_zh: str
    name_en: str
    parent: str | None
    level: int
    area: str
    indicator: str | None = None
    points: dict[str, float] = field(default_factory=dict)  # key "*" = default
    target: float | None = None
    rule: Rule | None = None
    applies_to: tuple[str, ...] = ()  # peer groups / classes; empty = all units
    missing: str | None = None
    children: tuple[str, ...] = ()
    #: Overrides of the catalogue's metadata for this leaf (None = the indicator's own).
    kind: str | None = None
    direction: int | None = None
    unit: str | None = None
    #: Where the node was written: the line of each of its keys in the YAML file (empty for
    #: a node table or a document built in code). Not part of the node's identity.
    lines: Mapping = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def points_for(self, peer_group: str, unit_class: str) -> float:
        """Points of this leaf for a unit (0 when it does not apply)."""
        if self.applies_to and peer_group not in self.applies_to and unit_class not in self.applies_to:
            return 0.0
        for key in (unit_class, peer_group, "*"):
            if key in self.points:
                return self.points[key]
        return 0.0


#: The default grade bands, best first: (name, lower bound on the 0–100 scale, English name).
#: The only place the default grade names are written: everything else reads them from a
#: :class:`GradeRules` (a framework's, or the one a :class:`~evalkit.results.store.Results` carries).
DEFAULT_GRADE_BANDS: tuple[tuple[str, float, str], ...] = (
    ("优秀", 90.0, "Excellent"), ("良好", 80.0, "Good"), ("合格", 60.0, "Pass"), ("不合格", 0.0, "Fail"))

#: What a grade band means to the rules, by its position: ``top`` (the first band: the
#: top-grade quota and 一票否优 apply to it), ``fail`` (the last band: 一票否决 sets it) and
#: ``pass`` (every band between).
GRADE_ROLES = ("top", "pass", "fail")


def _text_zh(language: str) -> bool:
    """True for ``zh``, False for ``en`` (the texts' languages); any other is refused."""
    from .wording import TEXT_LANGUAGES

    if language not in TEXT_LANGUAGES:
        raise ValueError(f"expected a language among {', '.join(TEXT_LANGUAGES)}; found {language!r}")
    return language == "zh"


@dataclass(frozen=True)
class GradeRules:
    """Grade bands (lower bounds on the 0–100 scale, best first) and the top-grade quota.

    ``bands`` holds ``(name, lower bound)`` pairs and ``names_en`` the English name of each
    band (when not given: the default band's English name for a default name, else the
    name itself). Each band has a role by its position (:data:`GRADE_ROLES`): the first is
    ``top``, the last ``fail`` (a single band is ``top``), the others ``pass``. Reports take
    every grade label, colour and count from these bands, never from fixed names.
    """

    bands: tuple[tuple[str, float], ...] = tuple((name, lower) for name, lower, _ in DEFAULT_GRADE_BANDS)
    top_quota: float = 0.2
    names_en: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        bands = tuple((str(name), float(lower)) for name, lower in self.bands)
        if not bands:
            raise ValueError("grade rules need at least one band")
        names = [name for name, _ in bands]
        if len(set(names)) != len(names):
            raise ValueError(f"grade band names must be unique; found {names}")
        names_en = tuple(str(n) for n in self.names_en)
        if not names_en:
            default_en = {name: en for name, _, en in DEFAULT_GRADE_BANDS}
            names_en = tuple(default_en.get(name, name) for name in names)
        elif len(names_en) != len(bands):
            raise ValueError(f"{len(bands)} grade bands need {len(bands)} English names; found {len(names_en)}")
        object.__setattr__(self, "bands", bands)
        object.__setattr__(self, "names_en", names_en)

    @property
    def names(self) -> tuple[str, ...]:
        """The band names, best first."""
        return tuple(name for name, _ in self.bands)

    @property
    def top(self) -> str:
        """Name of the top band (quota and 一票否优 apply)."""
        return self.bands[0][0]

    @property
    def fail(self) -> str:
        """Name of the last band (一票否决 sets it)."""
        return self.bands[-1][0]

    @property
    def roles(self) -> tuple[str, ...]:
        """The role of each band, best first (see :data:`GRADE_ROLES`)."""
        n = len(self.bands)
        return tuple("top" if i == 0 else "fail" if i == n - 1 else "pass" for i in range(n))

    def index(self, name) -> int | None:
        """Position of band ``name`` (0 = best), or None when no band has that name."""
        try:
            return self.names.index(str(name))
        except ValueError:
            return None

    def role_of(self, name) -> str | None:
        """``top``, ``pass`` or ``fail`` for band ``name``; None when no band has that name."""
        i = self.index(name)
        return None if i is None else self.roles[i]

    def label(self, name, language: str = "zh") -> str:
        """The name of band ``name`` in ``language`` (``zh``: as written in the framework;
        any other language: its English name); a name that is no band is returned as it is."""
        i = self.index(name)
        if i is None or language == "zh":
            return str(name)
        return self.names_en[i]

    # -- the rules in words: what reports and docs/scoring.md print ---------------------------

    def _band_name(self, i: int, zh: bool) -> str:
        return self.bands[i][0] if zh else self.names_en[i]

    def band_text(self, i: int, language: str = "zh") -> str:
        """Band ``i`` (0 = best, negative from the last) in words, with the published scores
        it holds: "良好：80 分及以上、低于 90 分" / "Good: 80 points or more and below 90".
        The last band holds every score below the band above it — its own lower bound plays
        no part ("不合格：低于 60 分", never "≥0"); a band whose lower bound equals the one
        above it holds none. Scores are the published ones (:meth:`describe`)."""
        zh = _text_zh(language)
        n = len(self.bands)
        i = range(n)[i]
        name = self._band_name(i, zh)
        lower = fmt_number(self.bands[i][1], PARAMETER_DECIMALS)
        upper = fmt_number(self.bands[i - 1][1], PARAMETER_DECIMALS) if i > 0 else ""
        if n == 1:
            cond = "任何得分" if zh else "any score"
        elif i == n - 1:
            cond = f"低于 {upper} 分" if zh else f"below {upper} points"
        elif i > 0 and self.bands[i][1] >= self.bands[i - 1][1]:
            cond = "无（下限与上一等次相同）" if zh else "none (its lower bound is that of the band above)"
        elif i == 0:
            cond = f"{lower} 分及以上" if zh else f"{lower} points or more"
        else:
            cond = f"{lower} 分及以上、低于 {upper} 分" if zh else f"{lower} points or more and below {upper}"
        return f"{name}：{cond}" if zh else f"{name}: {cond}"

    def bands_text(self, language: str = "zh") -> str:
        """Every band in words, best first (:meth:`band_text`, joined): "优秀：90 分及以上；
        良好：80 分及以上、低于 90 分；合格：60 分及以上、低于 80 分；不合格：低于 60 分"."""
        zh = _text_zh(language)
        return ("；" if zh else "; ").join(self.band_text(i, language) for i in range(len(self.bands)))

    def quota_text(self, language: str = "zh") -> str:
        """The top-grade quota in words, as :func:`evalkit.scoring.kernels.grade_indices`
        applies it: at most ``floor(top_quota × units in the peer group)`` top grades, places
        taken in rank order among the units the bands put in the top band, the others
        getting the second band, and units tied on the published score never split (all of
        them get the second band when together they would exceed the quota). "" for a
        single band (nothing to cap)."""
        zh = _text_zh(language)
        if len(self.bands) < 2:
            return ""
        top, second = self._band_name(0, zh), self._band_name(1, zh)
        share = f"{fmt_number(100 * self.top_quota, PARAMETER_DECIMALS)}%"
        if self.top_quota <= 0:
            return (f"不评{top}（名额为 0）：达到{top}分数线的单位评为{second}" if zh
                    else f"No unit is graded {top} (a quota of 0): units reaching its bound are graded {second}")
        if self.top_quota >= 1:
            return f"{top}等次不限名额" if zh else f"{top} has no quota"
        if zh:
            return (f"{top}等次不超过同组单位数的 {share}（名额 = 同组单位数 × {share}，向下取整），按名次依次占用；"
                    f"超出名额的单位评为{second}；公布得分相同的并列单位不拆分，一同超出名额时全部评为{second}")
        return (f"At most {share} of a peer group's units are graded {top} (the number of units in the group "
                f"× {share}, rounded down), places going in rank order; units beyond the quota are graded "
                f"{second}, and units tied on the published score are never split: if together they would exceed "
                f"the quota, all of them are graded {second}")

    def veto_text(self, language: str = "zh") -> str:
        """一票否优 and 一票否决 in words, as :func:`evalkit.scoring.kernels.grade_indices`
        applies them: a unit barred from the top grade that reaches the top band gets the
        second band and takes no top-grade place; a vetoed unit gets the last band whatever
        its score; ranks stay by score. "" for a single band."""
        zh = _text_zh(language)
        if len(self.bands) < 2:
            return ""
        top, second, fail = self._band_name(0, zh), self._band_name(1, zh), self._band_name(-1, zh)
        if zh:
            return (f"一票否优的单位不评为{top}（达到{top}分数线的评为{second}），也不占{top}名额；"
                    f"一票否决的单位无论得分均评为{fail}；名次仍按得分排列")
        return (f"A unit barred from the top grade is never graded {top} (one reaching its bound is graded "
                f"{second}) and takes no {top} place; a vetoed unit is graded {fail} whatever its score; ranks "
                f"still follow the score")

    def describe(self, language: str = "zh") -> str:
        """The grade rules in words: the score they read (the published score, rounded to
        :data:`~evalkit.scoring.kernels.PUBLISHED_DECIMALS` decimals), the bands
        (:meth:`bands_text`), the quota (:meth:`quota_text`) and the vetoes
        (:meth:`veto_text`)."""
        zh = _text_zh(language)
        if len(self.bands) < 2:
            name = self._band_name(0, zh)
            return f"所有有得分的单位评为{name}。" if zh else f"Every unit with a score is graded {name}."
        if zh:
            return (f"等次按公布的得分（保留 {PUBLISHED_DECIMALS} 位小数）评定。{self.bands_text(language)}。"
                    f"{self.quota_text(language)}。{self.veto_text(language)}。")
        return (f"Grades go by the published score (rounded to {PUBLISHED_DECIMALS} decimal places). "
                f"{self.bands_text(language)}. {self.quota_text(language)}. {self.veto_text(language)}.")

    @classmethod
    def from_meta(cls, meta: dict) -> GradeRules:
        """The rules back from :func:`grade_meta`'s dict."""
        bands = meta["bands"]
        return cls(bands=tuple((b["name"], b["lower"]) for b in bands),
                   top_quota=float(meta.get("top_quota", cls.top_quota)),
                   names_en=tuple(b.get("name_en") or b["name"] for b in bands))


def grade_meta(rules: GradeRules) -> dict:
    """The grade bands as results carry them (``meta["grades"]`` of
    :class:`~evalkit.results.store.Results`): ``{"bands": [{"name", "name_en", "lower",
    "role"}, …] (best first), "top_quota"}``. Read back with :meth:`GradeRules.from_meta`."""
    return {"bands": [{"name": name, "name_en": en, "lower": lower, "role": role}
                      for (name, lower), en, role in zip(rules.bands, rules.names_en, rules.roles)],
            "top_quota": rules.top_quota}


@dataclass(frozen=True)
class AdjustmentRules:
    """Caps on the bonus (加分) and deduction (扣分) points outside the base tree.

    ``None`` means uncapped. Bonus and deduction points come from the ``adjustments`` table.
    """

    bonus_cap: float | None = 3.0
    deduction_cap: float | None = None


@dataclass(frozen=True)
class PeriodRules:
    """How a month, a quarter or the year to date is scored (``periods:``; docs/periods.md).

    An *annual-only* indicator is not assessed for a period shorter than the year: its leaf is
    shown as not yet available (本期不评价) and excluded from the unit's points, which are
    re-based exactly as for a declared not-applicable leaf — never scored 0, never filled in.
    The catalogue says which indicators are annual-only
    (:attr:`evalkit.indicators.base.Indicator.is_annual_only`: those reading a table returned
    once a year — ratings, votes, surveys, staffing, disclosure_documents, key tasks — and
    year-end figures); ``annual_only`` adds indicators, ``assess_in_period`` takes some away.
    """

    annual_only: tuple[str, ...] = ()
    assess_in_period: tuple[str, ...] = ()

    def not_assessed(self, codes) -> frozenset[str]:
        """The codes of ``codes`` (indicator codes) a period shorter than the year does not assess."""
        codes = set(codes)
        default = {c for c in codes if c in BY_CODE and BY_CODE[c].is_annual_only}
        return frozenset((default | (codes & set(self.annual_only))) - set(self.assess_in_period))


@dataclass(frozen=True)
class Framework:
    """An indicator framework (指标体系): the tree of :class:`Node` objects (``nodes`` by code,
    ``roots`` in document order), its missing-data policy and ``min_coverage``, grade bands
    (:class:`GradeRules`) and adjustment caps, with its version and SHA-256 for provenance.
    Build it with :func:`load_framework` (YAML, CSV/XLSX node table) or :func:`parse_framework`."""

    code: str
    version: str
    name_zh: str
    name_en: str
    years: tuple[int, ...]
    nodes: dict[str, Node]
    roots: tuple[str, ...]
    missing_policy: str = "renormalise"
    min_coverage: float = 0.0
    #: Below this share of its (applicable) points resting on data, a unit's grade and rank
    #: are published as provisional (暂定); 0 = never.
    publication_coverage: float = 0.0
    grades: GradeRules = GradeRules()
    adjustments: AdjustmentRules = AdjustmentRules()
    sha256: str = ""
    source: str = ""
    #: The points every unit's leaves must add up to (``total_points``), None when not declared.
    total_points: float | None = None
    #: The unit's data-quality score widens its rank interval (``quality_widens_intervals``):
    #: its counts enter the data draws as an effective sample of score/100 of its records
    #: (:func:`evalkit.results.intervals.rank_interval_table`).
    quality_widens_intervals: bool = False
    #: How a period shorter than the year is scored (``periods:``, :class:`PeriodRules`).
    periods: PeriodRules = PeriodRules()
    #: Thematic evaluations (专项评价) by name (``themes``; :mod:`evalkit.scoring.themes`).
    themes: Mapping = field(default_factory=dict)

    def leaves(self) -> list[Node]:
        return [n for n in self.walk() if n.is_leaf]

    def walk(self) -> list[Node]:
        """Nodes in depth-first document order."""
        out: list[Node] = []

        def visit(code: str) -> None:
            node = self.nodes[code]
            out.append(node)
            for child in node.children:
                visit(child)

        for r in self.roots:
            visit(r)
        return out


def _at(source: str, line: int | None) -> str:
    return source if line is None else f"{source}, line {line}"


def _fail(source: str, where: str, expected: str, found, line: int | None = None) -> FrameworkError:
    return FrameworkError(f"{_at(source, line)}, {where}: expected {expected}; found {found!r}")


def _check_keys(source: str, where: str, mapping: dict, known: tuple[str, ...]) -> None:
    """Refuse a key of ``mapping`` that is not in ``known``, with a "did you mean" hint."""
    for key in mapping:
        if key not in known:
            raise FrameworkError(f"{_at(source, line_of(mapping, key))}, {where}: expected one of the keys "
                                 f"{', '.join(known)}; found {str(key)!r}{did_you_mean(key, known)}")


def _group_key(key) -> str:
    """A peer group's code for its code or Chinese label; any other key as it is (a unit
    class, or ``*``)."""
    key = str(key).strip()
    return PEER_GROUP_LABELS.get(key, key)


def _points(source: str, where: str, raw, line: int | None = None) -> dict[str, float]:
    if raw is None:
        return {}
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if raw < 0:
            raise _fail(source, where, "points ≥ 0", raw, line)
        return {"*": float(raw)}
    if isinstance(raw, dict):
        out: dict[str, float] = {}
        written: dict[str, str] = {}
        for k, v in raw.items():
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                raise _fail(source, f"{where}, points.{k}", "a number ≥ 0", v, line_of(raw, k) or line)
            key = _group_key(k)
            if key in out:
                raise _fail(source, f"{where}, points", "each peer group once, by its code or its label",
                            f"{written[key]} and {k}", line_of(raw, k) or line)
            out[key] = float(v)
            written[key] = str(k)
        return out
    raise _fail(source, where, "points as a number or a mapping {peer group or class: number}", raw, line)


def _is_share_like(values) -> bool:
    """Bounds that look like shares of 1: all in [0, 1), not all 0. (A bound of exactly 1
    may be 1 %, and a band from 0 to 1 is left alone.)"""
    values = [float(v) for v in values]
    return bool(values) and all(0 <= v < 1 for v in values) and max(values) > 0


def _check_scale(source: str, where: str, node_doc: dict, indicator: str, target, rule, unit, direction) -> None:
    """Targets and rule bounds of a percentage indicator (higher is better) are in %, on the
    0–100 scale: a target in (0, 1] or bounds that are fractions of 1 are shares."""
    ind = BY_CODE[indicator]
    unit = ind.unit if unit is None else unit
    direction = ind.direction if direction is None else direction
    if unit != "%" or direction < 0:
        return  # a lower-is-better rate may well aim below 1 % (e.g. 0.5 % lost lawsuits)
    if target is not None and 0 < target <= 1:
        raise FrameworkError(f"{_at(source, line_of(node_doc, 'target'))}, {where}, target: {target:g} looks like a "
                             f"share; targets of percentage indicators are in % (write {target * 100:g} for "
                             f"{target * 100:g} %)")
    if isinstance(rule, LinearBand):
        bounds = {"low": rule.low, "high": rule.high}
    elif isinstance(rule, Goalposts):
        bounds = {"lower": rule.lower, "upper": rule.upper}
    elif isinstance(rule, BandTable):
        bounds = {"bands": [b for b, _ in rule.bands]}
    else:
        return
    values = [v for b in bounds.values() for v in (b if isinstance(b, list) else [b])]
    if _is_share_like(values):
        shown = ", ".join(f"{k} {v if isinstance(v, list) else f'{v:g}'}" for k, v in bounds.items())
        raise FrameworkError(f"{_at(source, line_of(node_doc, 'rule'))}, {where}, rule {rule.type}: {shown} "
                             "looks like a share; bounds of percentage indicators are in % (e.g. 95 for 95 %)")


def _name(source: str, where: str, value) -> str:
    """A display name as reports print it: NFC, without zero-width or bidi control characters
    (removed with a warning naming the file and the key, as data cells are)."""
    text = str(value)
    removed = removed_characters(text)
    if removed:
        warnings.warn(f"{source}, {where}: removed invisible characters {describe(removed)}; "
                      f"kept {clean_text(text)!r}", stacklevel=3)
    return clean_text(text)


def parse_framework(doc: dict, source: str = "<framework>", sha256: str = "") -> Framework:
    """Build a :class:`Framework` from a parsed YAML document, checking everything."""
    if not isinstance(doc, dict):
        raise _fail(source, "top level", "a mapping with code, version and nodes", type(doc).__name__)
    _check_keys(source, "top level", doc, FRAMEWORK_KEYS)
    for key in ("code", "version", "nodes"):
        if key not in doc:
            raise _fail(source, "top level", f"a '{key}' entry", "none")
    policy = doc.get("missing_policy", "renormalise")
    if policy not in MISSING_POLICIES:
        raise _fail(source, "missing_policy", "one of " + ", ".join(MISSING_POLICIES), policy,
                    line_of(doc, "missing_policy"))
    nodes: dict[str, Node] = {}

    def build(item, parent: str | None, level: int, area: str | None, path: str) -> str:
        if not isinstance(item, dict):
            raise _fail(source, path, "a node mapping", item)
        line = line_of(item)

        def at(key: str) -> int | None:
            return line_of(item, key) if key in item else line

        code = str(item.get("code", "")).strip()
        if not code:
            raise _fail(source, path, "a node 'code'", item.get("code"), line)
        where = f"node {code}"
        _check_keys(source, where, item, NODE_KEYS)
        if code in nodes:
            raise _fail(source, where, "unique node codes", f"{code} twice", at("code"))
        node_area = item.get("area", area)
        if node_area is None or node_area not in AREAS:
            raise _fail(source, where, "an area, one of " + ", ".join(AREAS), node_area, at("area"))
        children_raw = item.get("children") or []
        if not isinstance(children_raw, list):
            raise _fail(source, f"{where}, children", "a list of nodes", children_raw, at("children"))
        indicator = item.get("indicator")
        rule = None
        if children_raw:
            if indicator is not None:
                raise _fail(source, where, "either children or an indicator", "both", at("indicator"))
        else:
            if indicator not in BY_CODE:
                raise _fail(source, f"{where}, indicator", "an indicator of the catalogue "
                            "(see `evalkit indicators`)" + did_you_mean(indicator, BY_CODE), indicator,
                            at("indicator"))
            if BY_CODE[indicator].periodic:
                raise _fail(source, f"{where}, indicator", "a yearly indicator (monthly ones are "
                            "for monitoring)", indicator, at("indicator"))
            try:
                rule = parse_rule(item.get("rule") or {"type": "linear_band", "low": 0, "high": 100})
            except ValueError as exc:
                raise FrameworkError(f"{_at(source, at('rule'))}, {where}, rule: {exc}") from None
        missing = item.get("missing")
        if missing is not None and missing not in MISSING_POLICIES:
            raise _fail(source, f"{where}, missing", "one of " + ", ".join(MISSING_POLICIES), missing, at("missing"))
        applies = item.get("applies_to") or ()
        if isinstance(applies, str):
            applies = (applies,)
        if not isinstance(applies, (list, tuple)) or not all(isinstance(a, (str, int)) for a in applies):
            raise _fail(source, f"{where}, applies_to", "a peer group or unit class, or a list of them",
                        applies, at("applies_to"))
        applies = tuple(dict.fromkeys(_group_key(a) for a in applies))
        target = item.get("target")
        if target is not None and (not isinstance(target, (int, float)) or isinstance(target, bool)):
            raise _fail(source, f"{where}, target", "a number", target, at("target"))
        if isinstance(rule, (ThresholdDeduct, Binary)) and target is None:
            raise _fail(source, f"{where}, target", f"a target for the rule {rule.type} (it scores "
                        "against it)", None, line)
        kind = item.get("kind")
        if kind is not None and kind not in LEAF_KINDS:
            raise _fail(source, f"{where}, kind", " or ".join(LEAF_KINDS), kind, at("kind"))
        direction = item.get("direction")
        if direction is not None and (isinstance(direction, bool) or direction not in DIRECTION_WORDS):
            raise _fail(source, f"{where}, direction", "1 (higher is better) or -1 (lower is better)", direction,
                        at("direction"))
        if direction is not None:
            direction = DIRECTION_WORDS[direction]
        unit = None if item.get("unit") is None else str(item["unit"])
        if rule is not None:
            _check_scale(source, where, item, indicator, target, rule, unit, direction)
        nodes[code] = Node(  # placeholder; children filled below
            code=code, name_zh=_name(source, f"{where}, name_zh", item.get("name_zh", code)),
            name_en=_name(source, f"{where}, name_en", item.get("name_en", "")),
            parent=parent, level=level, area=node_area, indicator=indicator,
            points=_points(source, where, item.get("points"), at("points")),
            target=None if target is None else float(target), rule=rule,
            applies_to=applies, missing=missing, kind=kind, direction=direction, unit=unit,
            lines=dict(item.key_lines) if line is not None else {})
        kids = tuple(build(c, code, level + 1, node_area, f"{where} > child {i + 1}")
                     for i, c in enumerate(children_raw))
        if kids:
            nodes[code] = replace(nodes[code], children=kids)
        elif not nodes[code].points:
            raise _fail(source, where, "points (分值) for a leaf", None, line)
        return code

    raw_nodes = doc["nodes"]
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise _fail(source, "nodes", "a non-empty list of nodes", raw_nodes)
    roots = tuple(build(item, None, 1, None, f"nodes[{i + 1}]") for i, item in enumerate(raw_nodes))
    grade_rules = _grade_rules(source, doc.get("grades") or {})
    adj_doc = doc.get("adjustments") or {}
    if not isinstance(adj_doc, dict):
        raise _fail(source, "adjustments", "a mapping with bonus_cap and deduction_cap", adj_doc,
                    line_of(doc, "adjustments"))
    _check_keys(source, "adjustments", adj_doc, ADJUSTMENT_KEYS)
    caps = {}
    for key in ("bonus_cap", "deduction_cap"):
        value = adj_doc.get(key, getattr(AdjustmentRules(), key))
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0):
            raise _fail(source, f"adjustments.{key}", "a number ≥ 0 or null (no cap)", value)
        caps[key] = None if value is None else float(value)
    min_coverage = doc.get("min_coverage", 0.0)
    if not isinstance(min_coverage, (int, float)) or isinstance(min_coverage, bool) or not 0 <= min_coverage <= 1:
        raise _fail(source, "min_coverage", "a share between 0 and 1", min_coverage)
    publication = doc.get("publication_coverage", 0.0)
    if not isinstance(publication, (int, float)) or isinstance(publication, bool) or not 0 <= publication <= 1:
        raise _fail(source, "publication_coverage", "a share between 0 and 1", publication)
    total = doc.get("total_points")
    if total is not None:
        if not isinstance(total, (int, float)) or isinstance(total, bool) or total <= 0:
            raise _fail(source, "total_points", "a number > 0", total)
        _check_total_points(source, nodes, roots, float(total))
    years = doc.get("years") or ()
    return Framework(code=str(doc["code"]), version=str(doc["version"]),
                     name_zh=_name(source, "name_zh", doc.get("name_zh", doc["code"])),
                     name_en=_name(source, "name_en", doc.get("name_en", "")),
                     years=tuple(int(y) for y in years), nodes=nodes, roots=roots,
                     missing_policy=policy, min_coverage=float(min_coverage),
                     publication_coverage=float(publication), grades=grade_rules, adjustments=AdjustmentRules(**caps),
                     sha256=sha256, source=source, total_points=None if total is None else float(total),
                     quality_widens_intervals=_quality_widens(source, doc),
                     periods=_period_rules(source, doc),
                     themes=parse_themes(source, doc, nodes, parse_framework))


def _period_rules(source: str, doc: dict) -> PeriodRules:
    """The ``periods:`` section: ``annual_only`` and ``assess_in_period``, lists of catalogue
    indicator codes (one indicator in both is an error)."""
    section = doc.get("periods")
    if section is None:
        return PeriodRules()
    if not isinstance(section, dict):
        raise _fail(source, "periods", "a mapping with annual_only and assess_in_period", section,
                    line_of(doc, "periods"))
    _check_keys(source, "periods", section, PERIOD_KEYS)
    lists = {}
    for key in PERIOD_KEYS:
        value = section.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise _fail(source, f"periods.{key}", "a list of indicator codes", value, line_of(section, key))
        for code in value:
            if code not in BY_CODE:
                raise _fail(source, f"periods.{key}", "indicator codes of the catalogue (see `evalkit "
                            "indicators`)" + did_you_mean(str(code), BY_CODE), code, line_of(section, key))
        lists[key] = tuple(dict.fromkeys(str(c) for c in value))
    both = sorted(set(lists["annual_only"]) & set(lists["assess_in_period"]))
    if both:
        raise _fail(source, "periods", "an indicator in annual_only or in assess_in_period, not both",
                    ", ".join(both), line_of(doc, "periods"))
    return PeriodRules(**lists)


def _quality_widens(source: str, doc: dict) -> bool:
    value = doc.get("quality_widens_intervals", False)
    if not isinstance(value, bool):
        raise _fail(source, "quality_widens_intervals", "true or false", value, line_of(doc, "quality_widens_intervals"))
    return value


def _grade_rules(source: str, grades_doc) -> GradeRules:
    """The ``grades`` section: ``bands`` as ``[name, lower bound]`` or ``[name, lower bound,
    English name]`` items, best first, and ``top_quota``."""
    if not isinstance(grades_doc, dict):
        raise _fail(source, "grades", "a mapping with bands and top_quota", grades_doc)
    _check_keys(source, "grades", grades_doc, GRADE_KEYS)
    default = GradeRules()
    bands = grades_doc.get("bands")
    rules = default
    if bands is not None:
        expected = "a non-empty list of [grade, lower bound] or [grade, lower bound, English name] items"
        if not isinstance(bands, list) or not bands:
            raise _fail(source, "grades.bands", expected, bands)
        parsed = []
        for item in bands:
            if (not isinstance(item, (list, tuple)) or len(item) not in (2, 3)
                    or isinstance(item[1], bool) or not isinstance(item[1], (int, float))
                    or not str(item[0]).strip() or (len(item) == 3 and not str(item[2]).strip())):
                raise _fail(source, "grades.bands", expected, item)
            parsed.append((str(item[0]).strip(), float(item[1]),
                           str(item[2]).strip() if len(item) == 3 else None))
        lowers = [lower for _, lower, _ in parsed]
        if lowers != sorted(lowers, reverse=True):
            raise _fail(source, "grades.bands", "bands from the best grade down", bands)
        names = [name for name, _, _ in parsed]
        if len(set(names)) != len(names):
            raise _fail(source, "grades.bands", "a different name for every band", names)
        given_en = [en for _, _, en in parsed]
        if any(en is not None for en in given_en) and any(en is None for en in given_en):
            raise _fail(source, "grades.bands", "an English name for every band or for none", bands)
        rules = GradeRules(bands=tuple((name, lower) for name, lower, _ in parsed),
                           names_en=tuple(en for en in given_en if en is not None))
    quota = grades_doc.get("top_quota", default.top_quota)
    if not isinstance(quota, (int, float)) or isinstance(quota, bool) or not 0 <= quota <= 1:
        raise _fail(source, "grades.top_quota", "a share between 0 and 1", quota)
    return replace(rules, top_quota=float(quota))


def _check_total_points(source: str, nodes: dict[str, Node], roots: tuple[str, ...], total: float) -> None:
    """Every peer group named in the tree must have leaves worth ``total`` (every unit, when
    the tree names none). Unit classes are checked with the units:
    :func:`check_framework_units`."""
    leaves = [n for n in nodes.values() if n.is_leaf]
    keys = {k for n in leaves for k in n.points if k != "*"} | {a for n in leaves for a in n.applies_to}
    if any(k not in PEER_GROUPS for k in keys):
        return  # unit classes: which group each belongs to is in the units table
    for key in sorted(keys) or ["*"]:
        got = sum(n.points_for(key, "") for n in leaves)
        if abs(got - total) > 1e-6:
            who = "every unit" if key == "*" else f"'{key}'"
            raise FrameworkError(f"{source}, total_points: expected the leaves' points to sum to {total:g} "
                                 f"for {who}; found {got:g}")


def check_framework_units(framework: Framework, units: pd.DataFrame) -> None:
    """Check a framework against the units it scores (``peer_group``, ``unit_class``).

    Every key of a leaf's ``points`` and ``applies_to`` must be ``*``, a peer group or a
    unit class some unit has — else the points would silently reach no unit — and, when the
    framework declares ``total_points``, the leaves must add up to it for every pair of
    peer group and class the units have. Raises :class:`~evalkit.errors.FrameworkError`
    naming the file, the line and the node.
    """
    classes = sorted({str(c) for c in units["unit_class"].dropna()})
    known = set(PEER_GROUPS) | set(classes) | {"*"}
    choices = list(PEER_GROUPS) + list(PEER_GROUP_LABELS) + classes
    groups_text = ", ".join(f"{code}/{label}" for code, label in PEER_GROUPS.items())
    for node in framework.leaves():
        for what, keys in (("points", [k for k in node.points]), ("applies_to", list(node.applies_to))):
            for key in keys:
                if key not in known:
                    line = node.lines.get(what)
                    raise FrameworkError(
                        f"{_at(framework.source, line)}, node {node.code}, {what}: expected a peer group "
                        f"({groups_text}) or a unit class of the units table ({', '.join(classes) or 'none'}); "
                        f"found {key!r}{did_you_mean(key, choices)}")
    if framework.total_points is None:
        return
    leaves = framework.leaves()
    pairs = units[["peer_group", "unit_class"]].dropna().astype(str).drop_duplicates()
    for group, unit_class in sorted(map(tuple, pairs.to_numpy())):
        got = sum(n.points_for(group, unit_class) for n in leaves)
        if abs(got - framework.total_points) > 1e-6:
            raise FrameworkError(f"{framework.source}, total_points: expected the leaves' points to sum to "
                                 f"{framework.total_points:g} for units of peer group '{group}' and class "
                                 f"'{unit_class}'; found {got:g}")


def load_framework(path: str | Path) -> Framework:
    """Read and check a framework: a YAML file (whose ``nodes`` may name a CSV/XLSX node
    table next to it) or an XLSX workbook (node sheet + ``framework`` metadata sheet)."""
    from .framework_table import read_metadata_sheet, read_node_table, table_to_nodes

    path = Path(path)
    if not path.is_file():
        raise FrameworkError(f"framework file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        digest = hashlib.sha256(path.read_bytes())
        doc = read_metadata_sheet(path)
        doc["nodes"] = table_to_nodes(read_node_table(path), path.name)
        return parse_framework(doc, source=path.name, sha256=digest.hexdigest())
    if suffix == ".csv":
        raise FrameworkError(f"{path.name}: a CSV node table needs a YAML file with the framework's "
                             f"code and version that names it (nodes: {path.name})")
    raw = read_yaml_bytes(path, FrameworkError, str(path))  # bounded: refused when too large
    digest = hashlib.sha256(raw)
    doc = parse_yaml(raw, str(path), FrameworkError)  # strict: duplicate keys, alias bombs
    if isinstance(doc, dict) and isinstance(doc.get("nodes"), str):
        table_path = (path.parent / doc["nodes"]).resolve()
        if not table_path.is_file():
            raise FrameworkError(f"{path.name}, nodes: expected a node table file; found no file {doc['nodes']}")
        digest.update(table_path.read_bytes())  # the version hash covers both files
        doc = {**doc, "nodes": table_to_nodes(read_node_table(table_path), table_path.name)}
    return parse_framework(doc, source=str(path.name), sha256=digest.hexdigest())
