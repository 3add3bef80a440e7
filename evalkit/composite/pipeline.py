"""A composite indicator built step by step, with a log that rebuilds it exactly.

A :class:`Coin` (COINr's name for the container) holds the metadata tree, the unit data
and one *named dataset per construction step*: ``Raw`` first, then e.g. ``Denominated``,
``Imputed``, ``Screened``, ``Treated``, ``Normalised``, ``Aggregated``. Applying a step
returns a new coin with one more dataset and one more log entry; nothing is overwritten
(a second step writing to an existing name is refused: give it another ``name``).

Steps are typed, immutable values — :class:`Denominate`, :class:`Impute`,
:class:`Screen`, :class:`Treat`, :class:`Normalise`, :class:`Weights`,
:class:`Aggregate` — whose fields are all of their arguments. The log is the tuple of
steps, with each step's input ``dataset`` resolved (by default a step reads the most
recent dataset). :meth:`Coin.log_json` writes it as JSON; :meth:`Coin.regenerate`
rebuilds a coin from a log and the inputs, and :meth:`Coin.rebuild` from an edited log and
this coin's own inputs, giving a variant (other normalisation, other weights, …) for a
sensitivity analysis. Regeneration is exact: the same log on the same inputs gives
bit-identical datasets.

Example::

    coin = Coin.new(idata, imeta)
    for step in (Denominate(), Impute(method="group_mean", group="EurAsia_group"),
                 Screen(min_coverage=0.9), Treat(max_points=5),
                 Normalise(method="minmax", lower=0, upper=100), Aggregate(method="arith_mean")):
        coin = coin.apply(step)
    coin.results()                      # ranked index and aggregate scores
    text = coin.log_json()              # the recipe
    same = Coin.regenerate(text, idata, imeta)
    variant = coin.rebuild([*coin.log[:4], Normalise(method="rank"), Aggregate()])

The datasets hold indicator columns (units in rows, indexed by unit code); the
aggregated dataset adds one column per aggregate. Unit names, groups and denominators stay
in :attr:`Coin.units`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

import numpy as np
import pandas as pd

from ..scoring import normalise as _normalise
from .. import weights as _weights
from ..scoring.vocabulary import COMPOSITE_NORMALISATIONS
from .aggregate import AGGREGATION_METHODS, aggregate
from .denominate import denominate
from .impute import IMPUTE_METHODS, impute
from .meta import CompositeMeta, check_weights, read_data, read_meta
from .screen import SCREEN_RULES, screen_units
from .treat import TRANSFORMS, treat_outliers

__all__ = ["Aggregate", "Coin", "Denominate", "Impute", "LOG_FORMAT", "Normalise", "Screen", "Step", "Treat",
           "Weights", "step_from_dict"]

LOG_FORMAT = "evalkit.composite.log/1"
NORMALISATIONS = COMPOSITE_NORMALISATIONS
WEIGHT_SCHEMES = ("meta", "equal", "entropy", "critic", "sd", "cv", "table")


# -------------------------------------------------------------------------------------
# Steps
# -------------------------------------------------------------------------------------


def _frozen_mapping(value, key=None) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping; got {type(value).__name__}")
    return {(key(k) if key else k): v for k, v in value.items()}


def _level_key(k) -> int:
    try:
        return int(k)
    except (TypeError, ValueError):
        raise ValueError(f"levels must be whole numbers; got {k!r}") from None


def _jsonable(value):
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


@dataclass(frozen=True)
class Step:
    """Base of the construction steps. ``dataset`` is the input (None = the most recent
    dataset when applied); ``name`` is the dataset (or weight set) the step adds."""

    kind: ClassVar[str] = "Step"

    def to_dict(self) -> dict:
        """The step as a JSON-ready dict: ``{"step": <class name>, <field>: <value>, …}``."""
        out = {"step": type(self).__name__}
        for f in dataclasses.fields(self):
            out[f.name] = _jsonable(getattr(self, f.name))
        return out

    def _check(self) -> None:  # overridden
        pass

    def __post_init__(self) -> None:
        self._check()


@dataclass(frozen=True)
class Denominate(Step):
    """Divide indicators by denominators (:func:`~evalkit.composite.denominate.denominate`).

    ``by`` maps indicator → denominator column; None uses the metadata's ``Denominator``
    column. ``scale`` maps indicator → factor multiplying the ratio.
    """

    dataset: str | None = None
    name: str = "Denominated"
    by: Mapping[str, str] | None = None
    scale: Mapping[str, float] | None = None

    def _check(self) -> None:
        object.__setattr__(self, "by", _frozen_mapping(self.by))
        object.__setattr__(self, "scale", _frozen_mapping(self.scale))


@dataclass(frozen=True)
class Impute(Step):
    """Fill missing values (:func:`~evalkit.composite.impute.impute`); ``group`` names a
    group column of the unit data for the group methods."""

    dataset: str | None = None
    name: str = "Imputed"
    method: str = "mean"
    group: str | None = None

    def _check(self) -> None:
        if self.method not in IMPUTE_METHODS:
            raise ValueError(f"Impute: method must be one of {IMPUTE_METHODS}; got {self.method!r}")
        if self.method.startswith("group") and not self.group:
            raise ValueError(f"Impute: method {self.method!r} needs group= (a group column of the unit data)")


@dataclass(frozen=True)
class Screen(Step):
    """Drop units with too little data (:func:`~evalkit.composite.screen.screen_units`)."""

    dataset: str | None = None
    name: str = "Screened"
    min_coverage: float = 2 / 3
    by: str = "missing"
    min_nonzero: float = 0.05
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def _check(self) -> None:
        object.__setattr__(self, "include", tuple(self.include))
        object.__setattr__(self, "exclude", tuple(self.exclude))
        if self.by not in SCREEN_RULES:
            raise ValueError(f"Screen: by must be one of {SCREEN_RULES}; got {self.by!r}")


@dataclass(frozen=True)
class Treat(Step):
    """Outlier treatment (:func:`~evalkit.composite.treat.treat_outliers`): winsorise up to
    ``max_points`` points while ``|skewness| ≥ skew_threshold`` and ``kurtosis ≥
    kurt_threshold``; if still failing, log-transform."""

    dataset: str | None = None
    name: str = "Treated"
    max_points: int | None = 5
    skew_threshold: float = 2.0
    kurt_threshold: float = 3.5
    transform: str = "log_ct"
    combine: bool = False
    max_points_by_indicator: Mapping[str, int | None] | None = None
    skip: tuple[str, ...] = ()

    def _check(self) -> None:
        object.__setattr__(self, "max_points_by_indicator", _frozen_mapping(self.max_points_by_indicator))
        object.__setattr__(self, "skip", tuple(self.skip))
        if self.transform not in TRANSFORMS:
            raise ValueError(f"Treat: transform must be one of {TRANSFORMS}; got {self.transform!r}")


@dataclass(frozen=True)
class Normalise(Step):
    """Normalise every indicator onto a common, higher-is-better scale with the metadata's
    directions (:mod:`evalkit.scoring.normalise`).

    ``method``: ``"minmax"`` (onto ``[lower, upper]``), ``"zscore"`` (``ddof``),
    ``"rank"`` and ``"percentile"`` (``ties``), ``"target"`` (distance to the metadata's
    ``Target`` on a ``0..upper`` scale, ``cap`` at ``upper``). ``on_constant`` is the
    policy for an indicator whose values are all equal (minmax, zscore).
    """

    dataset: str | None = None
    name: str = "Normalised"
    method: str = "minmax"
    lower: float = 0.0
    upper: float = 100.0
    on_constant: str = "raise"
    ddof: int = 1
    ties: str = "min"
    cap: bool = False

    def _check(self) -> None:
        if self.method not in NORMALISATIONS:
            raise ValueError(f"Normalise: method must be one of {NORMALISATIONS}; got {self.method!r}")


@dataclass(frozen=True)
class Weights(Step):
    """Set the node weights used by the following :class:`Aggregate` steps.

    ``scheme``:

    * ``"meta"`` / ``"equal"`` — the metadata's weights, or equal weights, for the nodes at
      ``level`` (every level when ``level`` is None);
    * ``"entropy"``, ``"critic"``, ``"sd"``, ``"cv"`` — data-driven weights
      (:mod:`evalkit.weights`) of the nodes at ``level``, computed within each group of
      siblings from their columns in ``dataset`` (level 1: the indicators, e.g. of
      ``Normalised``; higher levels: an aggregated dataset), over the units with a value on
      every sibling;
    * ``"table"`` — the weights in ``table`` (code → weight ≥ 0).

    Other nodes keep their current weight. The full weight set is kept as
    ``coin.weight_sets[name]``.
    """

    scheme: str = "equal"
    level: int | None = None
    dataset: str | None = None
    name: str = "Weights"
    table: Mapping[str, float] | None = None

    def _check(self) -> None:
        object.__setattr__(self, "table", _frozen_mapping(self.table))
        if self.scheme not in WEIGHT_SCHEMES:
            raise ValueError(f"Weights: scheme must be one of {WEIGHT_SCHEMES}; got {self.scheme!r}")
        if self.scheme == "table" and not self.table:
            raise ValueError("Weights: scheme 'table' needs table= (code → weight)")
        if self.scheme == "table" and self.level is not None:
            raise ValueError("Weights: scheme 'table' names its codes; level= is not used with it")
        if self.scheme != "table" and self.table is not None:
            raise ValueError(f"Weights: table= is only for scheme 'table'; got scheme {self.scheme!r}")
        if self.scheme in ("entropy", "critic", "sd", "cv") and self.level is None:
            raise ValueError(f"Weights: scheme {self.scheme!r} needs level= (the level whose weights to compute)")


@dataclass(frozen=True)
class Aggregate(Step):
    """Aggregate up the tree (:func:`~evalkit.composite.aggregate.aggregate`) with the
    coin's current weights (see :class:`Weights`), overridden by ``weights`` if given.

    ``method`` and ``min_coverage`` apply to every level or, as a mapping, per level of the
    aggregate (2 … top).
    """

    dataset: str | None = None
    name: str = "Aggregated"
    method: str | Mapping[int, str] = "arith_mean"
    min_coverage: float | Mapping[int, float] | None = None
    weights: Mapping[str, float] | None = None
    scale: float = 100.0
    topsis_normalisation: str = "vector"

    def _check(self) -> None:
        if isinstance(self.method, Mapping):
            object.__setattr__(self, "method", _frozen_mapping(self.method, _level_key))
            bad = [m for m in self.method.values() if m not in AGGREGATION_METHODS]
        else:
            bad = [] if self.method in AGGREGATION_METHODS else [self.method]
        if bad:
            raise ValueError(f"Aggregate: method must be one of {AGGREGATION_METHODS}; got {bad[0]!r}")
        if isinstance(self.min_coverage, Mapping):
            object.__setattr__(self, "min_coverage", _frozen_mapping(self.min_coverage, _level_key))
        object.__setattr__(self, "weights", _frozen_mapping(self.weights))


STEPS: dict[str, type[Step]] = {cls.__name__: cls for cls in
                                (Denominate, Impute, Screen, Treat, Normalise, Weights, Aggregate)}


def step_from_dict(record: Mapping) -> Step:
    """Rebuild a step from :meth:`Step.to_dict` output (e.g. one entry of a JSON log)."""
    if not isinstance(record, Mapping) or "step" not in record:
        raise ValueError(f"log entry: expected a mapping with a 'step' key; got {record!r}")
    kind = record["step"]
    cls = STEPS.get(kind)
    if cls is None:
        raise ValueError(f"log entry: unknown step {kind!r}; expected one of {', '.join(STEPS)}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = [k for k in record if k != "step" and k not in names]
    if unknown:
        raise ValueError(f"log entry {kind}: unknown argument(s) {', '.join(unknown)}; "
                         f"expected some of {', '.join(sorted(names))}")
    return cls(**{k: v for k, v in record.items() if k != "step"})


# -------------------------------------------------------------------------------------
# The coin
# -------------------------------------------------------------------------------------


def _fingerprint(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(pd.util.hash_pandas_object(frame.astype(object).where(frame.notna(), None),
                                             index=True).to_numpy().tobytes())
    return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class Coin:
    """An immutable composite-indicator container: metadata, unit data, named datasets, log.

    Attributes
    ----------
    meta : CompositeMeta
        The checked tree.
    units : DataFrame
        Per unit (index ``uCode``): ``uName``, ``Time``, groups, denominators and other
        columns of the unit data.
    datasets : mapping name → DataFrame
        ``Raw`` and one dataset per step, in the order they were added.
    analysis : mapping name → mapping → DataFrame
        Working of the steps: ``analysis["Treated"]["details"]`` (skewness, kurtosis,
        treatment per indicator) and ``["points"]``, ``analysis["Screened"]["summary"]``,
        ``analysis["Aggregated"]["weights"]`` (node weights and effective leaf weights
        used), ``analysis[<weight set>]["weights"]``.
    weights : mapping code → weight
        The node weights the next :class:`Aggregate` uses.
    weight_sets : mapping name → mapping
        Every weight set made by a :class:`Weights` step.
    log : tuple of Step
        The steps applied, with their input datasets resolved.
    inputs : mapping
        SHA-256 fingerprints of the metadata table and the unit data.
    """

    meta: CompositeMeta
    units: pd.DataFrame
    datasets: Mapping[str, pd.DataFrame]
    analysis: Mapping[str, Mapping[str, pd.DataFrame]]
    weights: Mapping[str, float]
    weight_sets: Mapping[str, Mapping[str, float]]
    log: tuple[Step, ...]
    inputs: Mapping[str, str]

    # -- construction ------------------------------------------------------------------
    @classmethod
    def new(cls, idata, imeta) -> Coin:
        """A coin holding the ``Raw`` dataset.

        Parameters
        ----------
        idata : DataFrame or path
            Unit data (COINr ``iData``), checked by :func:`~evalkit.composite.meta.read_data`.
        imeta : CompositeMeta, DataFrame or path
            Metadata (COINr ``iMeta``), checked by :func:`~evalkit.composite.meta.read_meta`.
        """
        meta = imeta if isinstance(imeta, CompositeMeta) else read_meta(imeta)
        table = read_data(idata, meta)
        raw = table[list(meta.indicators)]
        units = table.drop(columns=list(meta.indicators))
        inputs = {"imeta_sha256": _fingerprint(meta.table()), "idata_sha256": _fingerprint(table)}
        return cls(meta=meta, units=units, datasets=MappingProxyType({"Raw": raw}),
                   analysis=MappingProxyType({}), weights=MappingProxyType(dict(meta.weights)),
                   weight_sets=MappingProxyType({}), log=(), inputs=MappingProxyType(inputs))

    @classmethod
    def build(cls, idata, imeta, steps: Iterable[Step]) -> Coin:
        """``Coin.new(idata, imeta)`` with ``steps`` applied in order."""
        coin = cls.new(idata, imeta)
        for step in steps:
            coin = coin.apply(step)
        return coin

    @classmethod
    def regenerate(cls, log, idata, imeta, *, check_inputs: bool = True) -> Coin:
        """Rebuild a coin from a log (JSON text, its parsed dict, or a sequence of steps or
        step dicts) and the inputs.

        With ``check_inputs`` (default), a JSON log that records input fingerprints must
        match the inputs given; pass False to apply a recipe to other data on purpose.
        """
        steps, recorded = _parse_log(log)
        coin = cls.new(idata, imeta)
        if check_inputs and recorded:
            changed = [k for k, v in recorded.items() if coin.inputs.get(k) not in (None, v)]
            if changed:
                raise ValueError(f"the log was made from other inputs ({', '.join(changed)} differ); "
                                 "pass check_inputs=False to apply it to these inputs")
        for step in steps:
            coin = coin.apply(step)
        return coin

    def rebuild(self, log=None) -> Coin:
        """Rebuild from this coin's own inputs with ``log`` (default: its own log) — an
        edited log gives a variant."""
        steps, _ = _parse_log(self.log if log is None else log)
        coin = Coin(meta=self.meta, units=self.units, datasets=MappingProxyType({"Raw": self.datasets["Raw"]}),
                    analysis=MappingProxyType({}), weights=MappingProxyType(dict(self.meta.weights)),
                    weight_sets=MappingProxyType({}), log=(), inputs=self.inputs)
        for step in steps:
            coin = coin.apply(step)
        return coin

    # -- applying steps ------------------------------------------------------------------
    def apply(self, step: Step) -> Coin:
        """A new coin with ``step`` applied (this coin is not changed)."""
        if not isinstance(step, Step) or type(step) not in STEPS.values():
            raise TypeError(f"apply: expected a step ({', '.join(STEPS)}); got {type(step).__name__}")
        if isinstance(step, Weights):
            return self._apply_weights(step)
        source = step.dataset if step.dataset is not None else next(reversed(self.datasets))
        if source not in self.datasets:
            raise ValueError(f"{type(step).__name__}: no dataset {source!r}; the coin has "
                             f"{', '.join(self.datasets)}")
        if step.name in self.datasets:
            raise ValueError(f"{type(step).__name__}: the coin already has a dataset {step.name!r} and datasets are "
                             f"never overwritten; give the step another name= (e.g. {step.name + '2'!r})")
        step = dataclasses.replace(step, dataset=source)
        data = self.datasets[source][list(self.meta.indicators)]
        runner = getattr(self, f"_run_{type(step).__name__.lower()}")
        if isinstance(step, Aggregate):
            data = self.datasets[source]
        result, working = runner(step, data)
        return dataclasses.replace(
            self, datasets=MappingProxyType({**self.datasets, step.name: result}),
            analysis=MappingProxyType({**self.analysis, **({step.name: MappingProxyType(working)} if working else {})}),
            log=(*self.log, step))

    def _run_denominate(self, step: Denominate, data: pd.DataFrame):
        by = step.by if step.by is not None else {c: self.meta.nodes[c].denominator for c in self.meta.indicators
                                                  if self.meta.nodes[c].denominator}
        return denominate(data, self.units, by, step.scale), {}

    def _run_impute(self, step: Impute, data: pd.DataFrame):
        groups = None
        if step.group is not None:
            if step.group not in self.units.columns:
                raise ValueError(f"Impute: group {step.group!r} is not a column of the unit data; "
                                 f"groups: {', '.join(self.meta.groups) or 'none'}")
            groups = self.units[step.group]
        return impute(data, step.method, groups), {}

    def _run_screen(self, step: Screen, data: pd.DataFrame):
        screened, summary = screen_units(data, min_coverage=step.min_coverage, by=step.by,
                                         min_nonzero=step.min_nonzero, include=step.include, exclude=step.exclude)
        return screened, {"summary": summary}

    def _run_treat(self, step: Treat, data: pd.DataFrame):
        res = treat_outliers(data, max_points=step.max_points, skew_threshold=step.skew_threshold,
                             kurt_threshold=step.kurt_threshold, transform=step.transform, combine=step.combine,
                             max_points_by_indicator=step.max_points_by_indicator, skip=step.skip)
        return res.data, {"details": res.details, "points": res.points}

    def _run_normalise(self, step: Normalise, data: pd.DataFrame):
        directions = self.meta.directions
        if step.method == "minmax":
            out = _normalise.min_max(data, directions, lower=step.lower, upper=step.upper,
                                     on_constant=step.on_constant)
        elif step.method == "zscore":
            out = _normalise.z_score(data, directions, ddof=step.ddof, on_constant=step.on_constant)
        elif step.method == "rank":
            out = _normalise.rank(data, directions, ties=step.ties)
        elif step.method == "percentile":
            out = _normalise.percentile(data, directions, ties=step.ties)
        else:
            targets = self.meta.targets
            absent = list(targets.index[targets.isna()])
            if absent:
                raise ValueError(f"Normalise: method 'target' needs a Target for every indicator; none for "
                                 f"{', '.join(absent)}")
            out = _normalise.distance_to_target(data, targets, directions, scale=step.upper, cap=step.cap)
        return out, {}

    def _run_aggregate(self, step: Aggregate, data: pd.DataFrame):
        weights = {**self.weights, **(step.weights or {})}
        out = aggregate(data, self.meta, method=step.method, weights=weights, min_coverage=step.min_coverage,
                        scale=step.scale, topsis_normalisation=step.topsis_normalisation)
        return out, {"weights": self.meta.weight_table(weights)}

    def _apply_weights(self, step: Weights) -> Coin:
        if step.name in self.weight_sets:
            raise ValueError(f"Weights: the coin already has a weight set {step.name!r}; give the step another name=")
        meta = self.meta
        if step.level is not None and step.level not in range(1, meta.max_level):
            raise ValueError(f"Weights: level must be between 1 and {meta.max_level - 1} (the top node has no "
                             f"weight); got {step.level}")
        levels = [step.level] if step.level is not None else list(range(1, meta.max_level))
        codes = [c for lvl in levels for c in meta.codes_at(lvl)]
        working = {}
        if step.scheme == "table":
            new = check_weights(meta, step.table)
        elif step.scheme == "meta":
            new = {c: meta.nodes[c].weight for c in codes}
        elif step.scheme == "equal":
            new = {c: 1.0 for c in codes}
        else:
            source = step.dataset if step.dataset is not None else next(reversed(self.datasets))
            if source not in self.datasets:
                raise ValueError(f"Weights: no dataset {source!r}; the coin has {', '.join(self.datasets)}")
            step = dataclasses.replace(step, dataset=source)
            new, table = _data_weights(self.datasets[source], meta, step.level, step.scheme, source)
            working = {"weights": table}
        weights = {**self.weights, **new}
        check_weights(meta, weights)
        return dataclasses.replace(
            self, weights=MappingProxyType(weights),
            weight_sets=MappingProxyType({**self.weight_sets, step.name: MappingProxyType(dict(weights))}),
            analysis=MappingProxyType({**self.analysis, **({step.name: MappingProxyType(working)} if working else {})}),
            log=(*self.log, step))

    # -- reading -------------------------------------------------------------------------
    def dataset(self, name: str) -> pd.DataFrame:
        """A copy of the dataset ``name``."""
        if name not in self.datasets:
            raise KeyError(f"no dataset {name!r}; the coin has {', '.join(self.datasets)}")
        return self.datasets[name].copy()

    def effective_weights(self) -> pd.Series:
        """Effective (global) weight of every indicator under the current weights."""
        return self.meta.effective_weights(self.weights)

    def results(self, dataset: str = "Aggregated", *, levels: Sequence[int] | None = None) -> pd.DataFrame:
        """Aggregate scores, top level first, sorted by the top score, with its ``Rank``
        (1 = best; ties share the lower rank) — COINr's ``get_results(tab_type = "Aggs")``.

        ``levels`` picks the levels shown (default: every aggregate level, top first).
        """
        data = self.datasets[dataset] if dataset in self.datasets else self.dataset(dataset)
        top = self.meta.max_level
        levels = list(levels) if levels is not None else list(range(top, 1, -1))
        cols = [c for lvl in levels for c in self.meta.codes_at(lvl)]
        absent = [c for c in cols if c not in data.columns]
        if absent:
            raise ValueError(f"results: dataset {dataset!r} has no column {', '.join(absent)}; aggregate first")
        head = self.meta.codes_at(top)[0]
        if head not in data.columns:
            raise ValueError(f"results: dataset {dataset!r} has no top-level column {head!r}; aggregate first")
        out = data[cols].copy()
        out.insert(0, "Rank", data[head].rank(ascending=False, method="min").astype("Int64"))
        if "uName" in self.units.columns:
            out.insert(0, "uName", self.units["uName"].reindex(out.index))
        return out.sort_values(["Rank"], kind="stable", na_position="last")

    def log_dicts(self) -> list[dict]:
        return [s.to_dict() for s in self.log]

    def log_json(self, *, indent: int | None = 2) -> str:
        """The log as JSON: ``{"format", "inputs", "steps"}``; feed it to :meth:`regenerate`."""
        return json.dumps({"format": LOG_FORMAT, "inputs": dict(self.inputs), "steps": self.log_dicts()},
                          indent=indent, ensure_ascii=False, allow_nan=False)

    def __repr__(self) -> str:
        n_units = len(self.units)
        sets = ", ".join(f"{k} ({v.shape[0]}×{v.shape[1]})" for k, v in self.datasets.items())
        return (f"Coin({n_units} units, {len(self.meta.indicators)} indicators, {self.meta.max_level} levels; "
                f"datasets: {sets}; {len(self.log)} step(s))")


def _parse_log(log) -> tuple[list[Step], dict]:
    recorded: dict = {}
    if isinstance(log, (str, bytes)):
        try:
            log = json.loads(log)
        except json.JSONDecodeError as exc:
            raise ValueError(f"log: expected JSON text; {exc}") from None
    if isinstance(log, Mapping):
        if log.get("format") not in (None, LOG_FORMAT):
            raise ValueError(f"log: expected format {LOG_FORMAT!r}; found {log.get('format')!r}")
        recorded = dict(log.get("inputs") or {})
        log = log.get("steps")
        if log is None:
            raise ValueError("log: expected a 'steps' list")
    steps = [s if isinstance(s, Step) else step_from_dict(s) for s in log]
    return steps, recorded


def _data_weights(data: pd.DataFrame, meta: CompositeMeta, level: int, scheme: str,
                  source: str) -> tuple[dict[str, float], pd.DataFrame]:
    """Data-driven weights of the nodes at ``level``, within each group of siblings."""
    functions = {"entropy": _weights.entropy_weights, "critic": _weights.critic_weights,
                 "sd": _weights.standard_deviation_weights, "cv": _weights.coefficient_of_variation_weights}
    new: dict[str, float] = {}
    rows = []
    for parent in meta.parents_at(level + 1):
        kids = list(meta.nodes[parent].children)
        absent = [k for k in kids if k not in data.columns]
        if absent:
            raise ValueError(f"Weights: dataset {source!r} has no column {', '.join(absent)} (level {level}); "
                             "for levels above 1 use an aggregated dataset")
        block = data[kids].dropna()
        if len(kids) == 1:
            w = pd.Series(1.0, index=kids)
        else:
            if len(block) < 2:
                raise ValueError(f"Weights: {scheme} weights of the children of {parent!r} need at least two units "
                                 f"with a value on every child; found {len(block)}")
            try:
                w = functions[scheme](block)
            except ValueError as exc:
                raise ValueError(f"Weights: {scheme} weights of the children of {parent!r}: {exc}") from None
        for k in kids:
            new[k] = float(w[k])
            rows.append({"code": k, "parent": parent, "weight": float(w[k]), "units_used": len(block)})
    return new, pd.DataFrame(rows).set_index("code")

