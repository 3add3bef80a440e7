"""Typed uncertainty specifications over the scoring model's recorded steps, and the plan that
turns random numbers into replications.

Each spec names one step of :class:`~evalkit.scoring.model.ScoringModel` and says how
it varies:

=======================  ==============  =================================================
spec                     step            what varies
=======================  ==============  =================================================
:class:`WeightNoise`     ``weights``     each leaf's (or node's) weight, uniformly within
                                         ± √3·``relative_sd`` of its nominal value
:class:`DirichletWeights` ``weights``    the relative weights, Dirichlet around the
                                         nominal ones
:class:`AlternativeSchemes` ``weights``  which of several weighting schemes is used
:class:`NormalisationChoice` ``normalise`` which normalisation method
:class:`AggregationChoice` ``aggregate`` which aggregation method
:class:`MissingPolicyChoice` ``missing`` which missing-data policy
:class:`IndicatorValueNoise` ``values``  rates redrawn within their Wilson intervals, or
                                         drawn from their Jeffreys posteriors
=======================  ==============  =================================================

A spec that varies nothing (a noise of 0, a choice with one option, a step whose nominal
is the only possibility for this model) or that names a step the model does not have is an
error (:class:`SensitivityError`), never a silent no-op. Nothing here prompts or reads files.

Each spec contributes one or more **factors** — independent inputs of the Monte Carlo and
of the Sobol' analysis: weight noise one per leaf (``weight:EFF01``), value noise one per
leaf whose values have intervals (``values:EFF01``, all its units' draws together), a
choice one (``normalisation``). Every factor is driven by uniform random numbers in
``[0, 1)``: a continuous input through its inverse CDF, a discrete choice among ``k``
options by ``⌊u·k⌋`` (as COINr maps its discrete inputs), a vector of draws by one
uniform per element.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ..errors import SensitivityError
from ..scoring.model import Replications, ScoringModel
from ..scoring.vocabulary import AGGREGATIONS, MISSING_POLICIES, NORMALISATIONS, VALUE_METHODS
from ..stats.intervals import wilson_quantile
from .posterior import jeffreys_quantile

__all__ = [
    "AggregationChoice",
    "AlternativeSchemes",
    "DirichletWeights",
    "Factor",
    "IndicatorValueNoise",
    "MissingPolicyChoice",
    "NormalisationChoice",
    "Plan",
    "UncertaintySpec",
    "WeightNoise",
    "make_plan",
    "parse_spec",
]

_SQRT3 = math.sqrt(3.0)


@dataclass(frozen=True, eq=False)
class Factor:
    """One independent input: ``width`` uniform columns mapped onto the replications.

    Attributes
    ----------
    name : str
        ``weight:EFF01``, ``weights:scheme``, ``normalisation``, ``values:PUB01`` …
    spec : str
        The spec it comes from (class name).
    step : str
        The model step it varies.
    width : int
        Uniform random numbers it consumes per replication.
    kind : {"continuous", "discrete", "vector"}
    options : tuple
        A discrete factor's options, in the order ``⌊u·k⌋`` indexes them.
    """

    name: str
    spec: str
    step: str
    width: int
    kind: str
    apply: Callable = field(repr=False, default=None)
    options: tuple = ()


class UncertaintySpec:
    """Base of the specs: ``step`` names the model step the spec varies."""

    step: ClassVar[str] = ""

    def check(self, model: ScoringModel) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def factors(self, model: ScoringModel, plan: _PlanBuilder) -> list[Factor]:  # pragma: no cover
        raise NotImplementedError

    def _require_step(self, model: ScoringModel) -> None:
        if self.step not in model.steps:
            raise SensitivityError(f"{type(self).__name__} names the step {self.step!r}, which this model does "
                                   f"not have; its steps are {', '.join(model.steps)}")


def _nodes_at(model: ScoringModel, level: int | None) -> list[str]:
    if level is None:
        return list(model.leaves)
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)):
        raise SensitivityError(f"level must be a framework level (1 = top) or None for the leaves; got {level!r}")
    nodes = [n.code for n in model.framework.walk() if n.level == level]
    if not nodes:
        levels = sorted({n.level for n in model.framework.walk()})
        raise SensitivityError(f"the framework has no level {level}; its levels are {levels}")
    return nodes


def _positive(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SensitivityError(f"{name} must be a number; got {value!r}") from None
    if not math.isfinite(v):
        raise SensitivityError(f"{name} must be finite; got {value!r}")
    return v


def _choice_options(options, known: Sequence[str], what: str, cls: str) -> tuple[str, ...]:
    if isinstance(options, str) or not isinstance(options, Sequence):
        raise SensitivityError(f"{cls}: give the {what}s as a list, e.g. {list(known[:2])!r}")
    opts = tuple(str(o) for o in options)
    unknown = [o for o in opts if o not in known]
    if unknown:
        raise SensitivityError(f"{cls}: unknown {what}(s) {unknown!r}; known: {', '.join(known)}")
    if len(set(opts)) != len(opts):
        raise SensitivityError(f"{cls}: {what} listed twice in {list(opts)!r}")
    if len(opts) < 2:
        raise SensitivityError(f"{cls} varies nothing: it needs at least two different {what}s to choose from; "
                               f"got {list(opts)!r}")
    return opts


@dataclass(frozen=True)
class WeightNoise(UncertaintySpec):
    """Random noise around the nominal weights (COINr ``get_noisy_weights``).

    Each weight (of a leaf, or of every node at framework ``level``, which scales all the
    leaves under it) is multiplied by an independent uniform factor on
    ``[1 − √3·relative_sd, 1 + √3·relative_sd]``, whose standard deviation is
    ``relative_sd``. COINr's ``NoiseFactor`` ``f`` (weights within ± f of nominal) is
    ``relative_sd = f / √3``.

    Parameters
    ----------
    relative_sd : float
        In ``(0, 1/√3]`` (≈ 0.577), so that no weight becomes negative.
    level : int or None
        None (default): every leaf; an integer: the nodes at that level of the framework
        (1 = top).
    """

    relative_sd: float = 0.2
    level: int | None = None
    step: ClassVar[str] = "weights"

    def check(self, model):
        self._require_step(model)
        sd = _positive(self.relative_sd, "WeightNoise.relative_sd")
        if sd == 0:
            raise SensitivityError("WeightNoise varies nothing: relative_sd is 0")
        if not 0 < sd <= 1 / _SQRT3 + 1e-12:
            raise SensitivityError(f"WeightNoise.relative_sd must lie in (0, {1 / _SQRT3:.3f}] (the multiplier is "
                                   f"uniform on 1 ± √3·sd and must stay ≥ 0); got {self.relative_sd!r}")
        _nodes_at(model, self.level)

    def factors(self, model, plan):
        half = _SQRT3 * float(self.relative_sd)
        out = []
        for code in _nodes_at(model, self.level):
            leaves = model.leaves_under(code)

            def apply(u, draft, leaves=leaves):
                draft["multipliers"][:, leaves] *= (1.0 + half * (2.0 * u[:, 0] - 1.0))[:, None]

            out.append(Factor(f"weight:{code}", "WeightNoise", self.step, 1, "continuous", apply))
        return out


@dataclass(frozen=True)
class DirichletWeights(UncertaintySpec):
    """Relative weights drawn from a Dirichlet distribution centred on the nominal ones.

    ``w ~ Dirichlet(c · w₀)`` with ``w₀`` the reference weights (each unit's points over its
    maximum, averaged over units) of the leaves or of the nodes at ``level``: mean ``w₀``,
    variance ``w₀(1 − w₀)/(c + 1)``. Drawn as independent gamma variables
    ``G_i ~ Gamma(c·w₀_i)`` (a Dirichlet vector is ``G / ΣG``, and the composite only sees
    relative weights), so each node is a separate factor: its multiplier is
    ``G_i / (c·w₀_i)`` (mean 1). A unit whose points are not proportional to ``w₀`` gets
    the same multipliers on its own points.

    Parameters
    ----------
    concentration : float
        ``c > 0``; larger is tighter (c = 100: a weight of 0.05 varies with sd ≈ 0.022).
    level : int or None
        As for :class:`WeightNoise`.
    """

    concentration: float = 100.0
    level: int | None = None
    step: ClassVar[str] = "weights"

    def check(self, model):
        self._require_step(model)
        c = float(self.concentration) if isinstance(self.concentration, (int, float)) else None
        if c is not None and math.isinf(c):
            raise SensitivityError("DirichletWeights varies nothing: the concentration is infinite")
        c = _positive(self.concentration, "DirichletWeights.concentration")
        if c <= 0:
            raise SensitivityError(f"DirichletWeights.concentration must be > 0; got {self.concentration!r}")
        nodes = _nodes_at(model, self.level)
        ref = model.reference_weights()
        if any(ref[model.leaves_under(code)].sum() <= 0 for code in nodes):
            raise SensitivityError("DirichletWeights: a node has no nominal weight to vary around")

    def factors(self, model, plan):
        from scipy.special import gammaincinv

        ref = model.reference_weights()
        c = float(self.concentration)
        out = []
        for code in _nodes_at(model, self.level):
            leaves = model.leaves_under(code)
            shape = c * float(ref[leaves].sum())

            def apply(u, draft, leaves=leaves, shape=shape):
                g = gammaincinv(shape, np.clip(u[:, 0], 1e-12, 1 - 1e-12)) / shape
                draft["multipliers"][:, leaves] *= g[:, None]

            out.append(Factor(f"weight:{code}", "DirichletWeights", self.step, 1, "continuous", apply))
        return out


@dataclass(frozen=True)
class AlternativeSchemes(UncertaintySpec):
    """A choice among weighting schemes, each equally likely.

    Parameters
    ----------
    schemes : sequence of names, or mapping name → scheme
        Schemes as :mod:`evalkit.sensitivity.schemes` reads them: ``"framework"``
        (``"expert"``), ``"equal"``, ``"entropy"``, ``"critic"``, ``{"ahp": …}``,
        ``{"weights": …}``, or a Series of leaf weights. At least two, giving different
        weights.
    """

    schemes: Sequence | Mapping = ("framework", "equal")
    step: ClassVar[str] = "weights"

    def named(self) -> dict[str, object]:
        if isinstance(self.schemes, Mapping):
            return {str(k): v for k, v in self.schemes.items()}
        if isinstance(self.schemes, str) or not isinstance(self.schemes, Sequence):
            raise SensitivityError("AlternativeSchemes: give the schemes as a list of names or a mapping "
                                   "name → scheme")
        names = [str(s) for s in self.schemes]
        if len(set(names)) != len(names):
            raise SensitivityError(f"AlternativeSchemes: scheme listed twice in {names!r}")
        return {n: n for n in names}

    def check(self, model):
        from .schemes import scheme_base

        self._require_step(model)
        named = self.named()
        if len(named) < 2:
            raise SensitivityError(f"AlternativeSchemes varies nothing: it needs at least two schemes; got "
                                   f"{list(named)!r}")
        relative = []
        for name, spec in named.items():
            try:
                base = scheme_base(model, spec)
            except SensitivityError as exc:
                raise SensitivityError(f"AlternativeSchemes, scheme {name!r}: {exc}") from None
            base = model.points if base is None else base
            total = base.sum(axis=1, keepdims=True)
            relative.append(np.where(total > 0, base / np.where(total > 0, total, 1.0), 0.0))
        if all(np.allclose(r, relative[0], rtol=0, atol=1e-12) for r in relative[1:]):
            raise SensitivityError(f"AlternativeSchemes varies nothing: the schemes {list(named)!r} give every "
                                   "unit the same relative weights")

    def factors(self, model, plan):
        named = self.named()
        idx = np.array([plan.add_scheme(name, spec) for name, spec in named.items()], dtype=np.int64)
        labels = list(named)

        def apply(u, draft):
            k = np.minimum((u[:, 0] * len(idx)).astype(np.int64), len(idx) - 1)
            draft["scheme"][:] = idx[k]

        return [Factor("weights:scheme", "AlternativeSchemes", self.step, 1, "discrete", apply, tuple(labels))]


def _is_framework(spec) -> bool:
    return isinstance(spec, str) and spec in ("framework", "expert", "points")


@dataclass(frozen=True)
class NormalisationChoice(UncertaintySpec):
    """A choice among normalisation methods (each equally likely): ``rules`` (the
    framework's scoring rules), ``minmax``, ``zscore``, ``rank``, ``percentile``,
    ``distance_to_target`` (see :mod:`evalkit.scoring.model`)."""

    methods: Sequence[str] = ("rules", "minmax")
    step: ClassVar[str] = "normalise"

    def check(self, model):
        self._require_step(model)
        step = model.steps["normalise"]
        opts = _choice_options(self.methods, NORMALISATIONS, "method", "NormalisationChoice")
        unavailable = [m for m in opts if m != step.nominal and m not in step.alternatives]
        if unavailable:
            no_target = [c for c, t in zip(model.leaves, model.targets) if t is None]
            raise SensitivityError(f"NormalisationChoice: {unavailable} not available for this model"
                                   + (f" (leaves without a target: {no_target})" if no_target else ""))

    def factors(self, model, plan):
        idx = np.array([NORMALISATIONS.index(m) for m in self.methods], dtype=np.int64)

        def apply(u, draft):
            draft["normalisation"][:] = idx[np.minimum((u[:, 0] * len(idx)).astype(np.int64), len(idx) - 1)]

        return [Factor("normalisation", "NormalisationChoice", self.step, 1, "discrete", apply, tuple(self.methods))]


@dataclass(frozen=True)
class AggregationChoice(UncertaintySpec):
    """A choice among aggregation methods (each equally likely): ``points_sum`` (the
    engine's, a weighted arithmetic mean) and ``geometric``."""

    methods: Sequence[str] = ("points_sum", "geometric")
    step: ClassVar[str] = "aggregate"

    def check(self, model):
        self._require_step(model)
        _choice_options(self.methods, AGGREGATIONS, "method", "AggregationChoice")

    def factors(self, model, plan):
        idx = np.array([AGGREGATIONS.index(m) for m in self.methods], dtype=np.int64)

        def apply(u, draft):
            draft["aggregation"][:] = idx[np.minimum((u[:, 0] * len(idx)).astype(np.int64), len(idx) - 1)]

        return [Factor("aggregation", "AggregationChoice", self.step, 1, "discrete", apply, tuple(self.methods))]


@dataclass(frozen=True)
class MissingPolicyChoice(UncertaintySpec):
    """A choice among missing-data policies (each equally likely) for every leaf that
    follows the framework's default (leaves with a policy of their own keep it)."""

    policies: Sequence[str] = MISSING_POLICIES
    step: ClassVar[str] = "missing"

    def check(self, model):
        self._require_step(model)
        _choice_options(self.policies, MISSING_POLICIES, "policy", "MissingPolicyChoice")
        if all(p is not None for p in model.leaf_missing):
            raise SensitivityError("MissingPolicyChoice varies nothing: every leaf sets its own missing-data policy")

    def factors(self, model, plan):
        idx = np.array([MISSING_POLICIES.index(m) for m in self.policies], dtype=np.int64)

        def apply(u, draft):
            draft["missing"][:] = idx[np.minimum((u[:, 0] * len(idx)).astype(np.int64), len(idx) - 1)]

        return [Factor("missing", "MissingPolicyChoice", self.step, 1, "discrete", apply, tuple(self.policies))]


@dataclass(frozen=True)
class IndicatorValueNoise(UncertaintySpec):
    """Indicator values redrawn within their data uncertainty, independently per unit and
    leaf (one factor per leaf: all its units' draws together).

    Parameters
    ----------
    method : {"wilson", "uniform", "jeffreys"}
        ``"wilson"`` (default): rates of records from the Wilson confidence distribution of
        the rate (:func:`~evalkit.stats.intervals.wilson_quantile`: median = the observed
        rate, 2.5 % / 97.5 % quantiles = the interval's bounds; needs the counts).
        ``"uniform"``: uniformly between the Wilson bounds. Values without an interval
        (scores, money ratios) stay as observed.

        ``"jeffreys"``: every rate of records (a value with a Wilson interval and its
        counts ``x`` of ``n``, ``0 ≤ x ≤ n``) drawn from its Jeffreys posterior
        ``Beta(x + 1/2, n − x + 1/2)`` (prior ``Beta(1/2, 1/2)``;
        :func:`~evalkit.sensitivity.posterior.jeffreys_quantile`), on the value's own
        scale (a rate stored in per cent stays in per cent). Every unit's rate is drawn by
        the same rule — a unit at 100 % of few cases moves down (its posterior mean
        ``(x + ½)/(n + 1)`` is below 100 %), one at 100 % of many cases hardly moves — so
        that ranks compare the posteriors, without the Wilson draws' bias against units at
        the ceiling (a Wilson draw's median is the observed rate, so a rate at 100 % can
        only move down while the others move both ways). Values with an interval but no
        counts are drawn uniformly between its bounds (the only uncertainty the model has
        for them); values without an interval (ratings, vote scores, money and staffing
        ratios, whose numerator and denominator are not counts of records) stay as
        observed. Each unit's draw uses its own uniform (independent posteriors: one
        uniform shared by all units would keep units with equal counts tied). Vectorised
        over replications: one inverse-CDF evaluation of the ``R × units`` uniforms per
        leaf; the seed is the analysis's.
    effective_share : tuple of (unit_id, share)
        Widen the draws of the units whose data are less trustworthy: a unit's counts ``x``
        of ``n`` are drawn as if they were ``share × x`` of ``share × n`` records (an
        effective sample size; ``0 < share ≤ 1``, units not listed 1), so a unit whose data
        scored 50 on the data-quality score (:mod:`evalkit.quality.score`, share 0.5) is
        drawn from a posterior as wide as half its records would give. Used by the
        ``wilson`` and ``jeffreys`` draws (they rest on counts); empty (the default):
        every count as recorded.

    References
    ----------
    Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16(2), 101–133 (the Jeffreys interval).
    Goldstein, H. & Spiegelhalter, D. J. (1996). League tables and their limitations.
    *J. R. Statist. Soc. A* 159(3), 385–443.
    """

    method: str = "wilson"
    effective_share: tuple[tuple[str, float], ...] = ()
    step: ClassVar[str] = "values"

    def _shares(self, model) -> np.ndarray:
        """The effective share of each unit of ``model`` (1 for units not listed)."""
        given = dict(self.effective_share)
        return np.array([float(given.get(str(u), 1.0)) for u in model.units["unit_id"]], dtype="float64")

    def _cells(self, model) -> np.ndarray:
        cells = model.has_intervals
        if self.method == "wilson":
            cells = cells & np.isfinite(model.numerator) & np.isfinite(model.denominator) & (model.denominator > 0)
        return cells

    def check(self, model):
        self._require_step(model)
        if self.method not in VALUE_METHODS:
            raise SensitivityError(f"IndicatorValueNoise.method must be one of {VALUE_METHODS}; got {self.method!r}")
        for unit, share in self.effective_share:
            if not (isinstance(share, (int, float)) and 0.0 < float(share) <= 1.0):
                raise SensitivityError(f"IndicatorValueNoise.effective_share of {unit}: expected a share in "
                                       f"(0, 1]; got {share!r}")
        if self.method not in model.steps["values"].alternatives or not self._cells(model).any():
            raise SensitivityError("IndicatorValueNoise varies nothing: no indicator value of this model has a "
                                   "Wilson interval" + (" with its counts" if self.method == "wilson" else ""))

    def factors(self, model, plan):
        cells = self._cells(model)
        counted = _count_cells(model)
        shares = self._shares(model)
        out = []
        for j, code in enumerate(model.leaves):
            rows = np.flatnonzero(cells[:, j])
            if rows.size == 0:
                continue
            lo, hi = model.ci_low[rows, j], model.ci_high[rows, j]
            if self.method == "wilson":
                x, n = model.numerator[rows, j], model.denominator[rows, j]
                p_hi = wilson_quantile(x, n, np.full(rows.size, 0.975))
                scale = np.where(p_hi > 0, hi / np.where(p_hi > 0, p_hi, 1.0), 100.0)
                x, n = x * shares[rows], n * shares[rows]

                def apply(u, draft, j=j, rows=rows, x=x, n=n, scale=scale):
                    draft["values"][:, rows, j] = scale * wilson_quantile(x, n, u)
            elif self.method == "jeffreys":
                # rows with counts first, then rows with an interval only (uniform within it)
                rows = np.concatenate([rows[counted[rows, j]], rows[~counted[rows, j]]])
                k = int(counted[rows, j].sum())
                x, n = model.numerator[rows[:k], j], model.denominator[rows[:k], j]
                scale = _rate_scale(model.values[rows[:k], j], x, n, model.ci_high[rows[:k], j])
                x, n = x * shares[rows[:k]], n * shares[rows[:k]]
                lo, hi = model.ci_low[rows[k:], j], model.ci_high[rows[k:], j]

                def apply(u, draft, j=j, rows=rows, k=k, x=x, n=n, scale=scale, lo=lo, hi=hi):
                    draft["values"][:, rows[:k], j] = scale * jeffreys_quantile(x, n, u[:, :k])
                    if k < rows.size:
                        draft["values"][:, rows[k:], j] = lo + u[:, k:] * (hi - lo)
            else:
                def apply(u, draft, j=j, rows=rows, lo=lo, hi=hi):
                    draft["values"][:, rows, j] = lo + u * (hi - lo)

            out.append(Factor(f"values:{code}", "IndicatorValueNoise", self.step, int(rows.size), "vector", apply))
        return out


def _count_cells(model) -> np.ndarray:
    """Cells (units × leaves) with an interval and usable counts: ``0 ≤ x ≤ n``, ``n > 0``."""
    x, n = model.numerator, model.denominator
    with np.errstate(invalid="ignore"):
        return (model.has_intervals & np.isfinite(x) & np.isfinite(n) & (n > 0) & (x >= 0) & (x <= n))


def _rate_scale(values: np.ndarray, x: np.ndarray, n: np.ndarray, ci_high: np.ndarray) -> np.ndarray:
    """The scale of each rate's value (100 for per cent, 1 for a share): ``value / (x/n)``;
    at ``x = 0`` the Wilson upper bound over its proportion (as the ``wilson`` draws use)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        from_value = values / (x / n)
        p_hi = wilson_quantile(x, n, np.full(x.shape, 0.975))
        from_bound = ci_high / p_hi
    scale = np.where(x > 0, from_value, from_bound)
    return np.where(np.isfinite(scale) & (scale > 0), scale, 100.0)


_SPEC_TYPES: dict[str, type] = {
    "weight_noise": WeightNoise,
    "dirichlet_weights": DirichletWeights,
    "alternative_schemes": AlternativeSchemes,
    "normalisation": NormalisationChoice,
    "aggregation": AggregationChoice,
    "missing_policy": MissingPolicyChoice,
    "indicator_values": IndicatorValueNoise,
}


def parse_spec(doc: Mapping) -> UncertaintySpec:
    """A spec from a mapping such as ``{"type": "weight_noise", "relative_sd": 0.2}`` (for
    YAML or notebook parameters). ``type`` is one of ``weight_noise, dirichlet_weights,
    alternative_schemes, normalisation, aggregation, missing_policy, indicator_values``."""
    if isinstance(doc, UncertaintySpec):
        return doc
    if not isinstance(doc, Mapping) or "type" not in doc:
        raise SensitivityError(f"an uncertainty spec is a mapping with a 'type'; got {doc!r}")
    kind = str(doc["type"])
    if kind not in _SPEC_TYPES:
        raise SensitivityError(f"unknown uncertainty spec type {kind!r}; known: {', '.join(_SPEC_TYPES)} "
                               "(over the steps values, normalise, missing, weights, aggregate)")
    cls = _SPEC_TYPES[kind]
    params = {k: v for k, v in doc.items() if k != "type"}
    allowed = set(cls.__dataclass_fields__)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise SensitivityError(f"{kind}: unknown parameter(s) {unknown}; allowed: {sorted(allowed)}")
    if "methods" in params or "policies" in params:
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    return cls(**params)


# ---------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------


class _PlanBuilder:
    def __init__(self, model):
        self.model = model
        self.scheme_names: list[str] = ["framework"]
        self.scheme_bases: list = [None]
        self._keys: dict[str, int] = {"framework": 0}

    def add_scheme(self, name: str, spec) -> int:
        from .schemes import scheme_base

        if _is_framework(spec):
            self.scheme_names[0] = name  # the user's name for the published scheme
            return 0
        key = repr(spec) if not isinstance(spec, (pd.Series, np.ndarray)) else f"{name}:{id(spec)}"
        if key in self._keys:
            return self._keys[key]
        self.scheme_names.append(name)
        self.scheme_bases.append(scheme_base(self.model, spec))
        self._keys[key] = len(self.scheme_bases) - 1
        return self._keys[key]


@dataclass(frozen=True, eq=False)
class Plan:
    """Validated specs, their factors, and the mapping from uniforms to replications.

    Attributes
    ----------
    model : ScoringModel
    specs : tuple of UncertaintySpec
    factors : tuple of Factor
    columns : tuple of ndarray
        The uniform columns of each factor.
    schemes : tuple
        Base weights by scheme index (0 = the framework's points, None).
    scheme_names : tuple of str
    labels : dict
        Discrete factor name → its options, in order.
    """

    model: ScoringModel
    specs: tuple
    factors: tuple
    columns: tuple
    schemes: tuple
    scheme_names: tuple
    labels: dict

    @property
    def width(self) -> int:
        """Uniform numbers per replication."""
        return int(sum(f.width for f in self.factors))

    @property
    def varies_values(self) -> bool:
        return any(f.step == "values" for f in self.factors)

    def factor_table(self) -> pd.DataFrame:
        """``factor, spec, step, kind, width`` (one row per factor)."""
        return pd.DataFrame([{"factor": f.name, "spec": f.spec, "step": f.step, "kind": f.kind, "width": f.width}
                             for f in self.factors])

    def replications(self, u: np.ndarray) -> Replications:
        """Replications from uniforms (``R × width``, one column block per factor)."""
        u = np.asarray(u, dtype=float)
        if u.ndim != 2 or u.shape[1] != self.width:
            raise SensitivityError(f"expected uniforms of shape (R, {self.width})")
        nominal = self.model.nominal_replications(u.shape[0])
        draft = {"normalisation": nominal.normalisation, "aggregation": nominal.aggregation,
                 "missing": nominal.missing, "scheme": nominal.scheme, "multipliers": nominal.multipliers,
                 "values": (np.broadcast_to(self.model.values, (u.shape[0],) + self.model.values.shape).copy()
                            if self.varies_values else None)}
        for f, cols in zip(self.factors, self.columns):
            f.apply(u[:, cols], draft)
        return Replications(**draft)

    def samples(self, reps: Replications) -> pd.DataFrame:
        """One row per replication: the choices made (labels) and the weight multipliers."""
        frame: dict[str, object] = {"replication": np.arange(reps.n)}
        steps = {f.step for f in self.factors}
        if "weights" in steps:
            frame["scheme"] = np.asarray(self.scheme_names, dtype=object)[reps.scheme]
            if any(f.name.startswith("weight:") for f in self.factors):
                for j, code in enumerate(self.model.leaves):
                    frame[f"weight:{code}"] = reps.multipliers[:, j]
        if "normalise" in steps:
            frame["normalisation"] = np.asarray(NORMALISATIONS, dtype=object)[reps.normalisation]
        if "aggregate" in steps:
            frame["aggregation"] = np.asarray(AGGREGATIONS, dtype=object)[reps.aggregation]
        if "missing" in steps:
            frame["missing"] = np.asarray(MISSING_POLICIES, dtype=object)[reps.missing]
        return pd.DataFrame(frame)


def make_plan(model: ScoringModel, specs) -> Plan:
    """Check ``specs`` against ``model`` and list their factors.

    Raises
    ------
    SensitivityError
        No spec; a spec that varies nothing or names a step the model lacks; two specs of
        the same kind; both :class:`WeightNoise` and :class:`DirichletWeights`; a geometric
        mean with z-scores.
    """
    if isinstance(specs, (UncertaintySpec, Mapping)):
        specs = [specs]
    specs = tuple(parse_spec(s) for s in (specs or ()))
    if not specs:
        raise SensitivityError("give at least one uncertainty spec (e.g. WeightNoise(0.2)); with none, nothing varies")
    kinds = [type(s).__name__ for s in specs]
    twice = sorted({k for k in kinds if kinds.count(k) > 1})
    if twice:
        raise SensitivityError(f"one spec per kind: {twice} given more than once (merge them)")
    if "WeightNoise" in kinds and "DirichletWeights" in kinds:
        raise SensitivityError("WeightNoise and DirichletWeights both perturb the weights; use one of them")
    for s in specs:
        s.check(model)
    norms = next((s.methods for s in specs if isinstance(s, NormalisationChoice)), ())
    aggs = next((s.methods for s in specs if isinstance(s, AggregationChoice)), ())
    if "geometric" in aggs and "zscore" in norms:
        raise SensitivityError("AggregationChoice 'geometric' needs positive values, and NormalisationChoice "
                               "'zscore' gives negative ones; drop one of them")
    builder = _PlanBuilder(model)
    factors: list[Factor] = []
    for s in specs:
        factors.extend(s.factors(model, builder))
    labels = {f.name: list(f.options) for f in factors if f.kind == "discrete"}
    columns, start = [], 0
    for f in factors:
        columns.append(np.arange(start, start + f.width))
        start += f.width
    return Plan(model=model, specs=specs, factors=tuple(factors), columns=tuple(columns),
                schemes=tuple(builder.scheme_bases), scheme_names=tuple(builder.scheme_names), labels=labels)
