"""The one scorer: the district scoring model as explicit, recorded steps.

Scoring a year is one pass: indicator values → leaf rules → missing-data policy → points
sum → bonus/deduction → ranks and grades within peer groups. Every path that scores goes
through this model and its kernels (:mod:`evalkit.scoring.kernels`): the published results
(:meth:`ScoringModel.published`, which :func:`evalkit.results.compute.score_year` calls),
the tree tables (:func:`score_tree`), and every replication of the weighting-scheme lab
(:meth:`ScoringModel.run`, which :mod:`evalkit.sensitivity` varies).
A :class:`ScoringModel` holds everything that pass reads (the units × leaves matrix of
indicator values with their Wilson bounds, every unit's points per leaf, directions,
targets, rules, peer groups, adjustments, grade rules) as frozen arrays, and names its
steps, each with its nominal choice and the alternatives the lab may put in its place:

=============  ==========================  ===========================================
step           nominal                     alternatives
=============  ==========================  ===========================================
``values``     ``observed``                ``wilson`` / ``uniform``: redrawn within each
                                           rate's Wilson interval; ``jeffreys``: each
                                           rate of records drawn from its Jeffreys
                                           posterior Beta(x + ½, n − x + ½)
                                           (:mod:`evalkit.sensitivity.posterior`)
``normalise``  ``rules`` (the framework's  ``minmax``, ``zscore``, ``rank``,
               scoring rules)              ``percentile``, ``distance_to_target``
``missing``    the framework's policy      the other policies of ``renormalise``,
                                           ``zero``, ``peer_mean``
``weights``    ``points`` (分值)            multipliers (noise, Dirichlet), other schemes
``aggregate``  ``points_sum``              ``geometric``
=============  ==========================  ===========================================

Ranking and grading (bands, the top-grade quota, 一票否决/一票否优) and the bonus and
deduction points are fixed rules of the evaluation, not uncertain choices; the model
applies them to every replication exactly as :func:`evalkit.scoring.grades.rank_and_grade`
and :func:`evalkit.scoring.adjustments.apply_adjustments` do.

:meth:`ScoringModel.run` evaluates a whole batch of replications at once (arrays of
replications × units × leaves, one Python loop over leaves and tree nodes, none over
replications or units). With every step at its nominal choice it *is* the published
scoring: :meth:`published` takes its scores, ranks and grades from the nominal run.

Conventions
-----------
* **Leaf scores** are kept on the points scale: a leaf's score under the rules is what the
  rule gives (0 … the unit's points). Another normalisation gives a value ``y`` per leaf
  (a share in ``[0, 1]`` for ``minmax``, ``percentile`` and ``distance_to_target``, a
  z-score, or a rank) and the leaf score is ``y × points``, so that every aggregation is a
  weighted mean of ``y`` with the points as weights.
* **Normalisations** are computed within each peer group (the population a unit is ranked
  in) over the units the leaf applies to that have data, with the leaf's direction
  applied (higher = better). ``minmax``: ``(x − min)/(max − min)``; ``zscore``:
  ``(x − mean)/sd`` (``ddof = 1``); ``rank``: 1 (worst) … n, ties ``"min"``;
  ``percentile``: ``(rank − 1)/(n − 1)``; ``distance_to_target``:
  ``(x − min)/(target − min)``, capped at 1 (1 for everyone when all units reach the
  target). A leaf whose values are all equal in a group (or with one unit) gives the
  midpoint (0.5; z = 0). The formulas are those of :mod:`evalkit.scoring.normalise` (COINr's
  ``n_minmax``, ``n_zscore``, ``n_rank``, ``n_prank``, ``n_dist2targ``).
* **Scales and grades.** ``rules``, ``minmax``, ``percentile`` and ``distance_to_target``
  give a composite on a 0–100 scale, to which the bonus and deduction points are added.
  ``zscore`` and ``rank`` do not: their composite is the weighted mean z-score (rank),
  ranked as it is (no adjustments). Grades are given only to replications that score with
  the framework's own rules: the grade bands (e.g. a top band from 90) are defined in the framework's points,
  and 90 on a min-max scale (where the worst unit of each leaf scores 0) is not 90 points.
  Other replications give **no grade** (−1 in :attr:`Runs.grades`); their ranks count.
* **Weights.** A replication's leaf weights are ``base × multiplier``: ``base`` is the
  framework's points (per unit: points may differ by peer group or class) or another
  scheme (one weight per leaf, given to every unit the leaf applies to); multipliers are
  one per leaf (weight noise). A weight scales the leaf's score and leaves its share of
  full marks unchanged: the weight and the normalisation are separate steps (so whatever a
  rule counts in points — a threshold rule's "2 points off per point short", a band
  table's points, a rank-points table — scales with the leaf's weight). The
  composite is a ratio (a weighted mean), so only relative weights matter; it is put back
  on the unit's nominal maximum (``max_score``) before the bonus and deduction points are
  added, so that they keep their nominal size.
* **Aggregation.** ``points_sum`` is the district points sum with its renormalisation over
  children with data and the framework's ``min_coverage`` (a parent with too small a share
  of its points resting on data is missing) (:func:`evalkit.scoring.kernels.combine_sum`). ``geometric`` is the
  weighted geometric mean at every node, over children with data; share-scale leaf values
  are first put on the 1–100 scale (``0.01 + 0.99 y``, as COINr advises before a geometric
  mean) and the result mapped back to 0–100. It needs positive values: it cannot be
  combined with z-scores.
* **Ranks** are within peer groups, 1 = best, ties sharing the best rank ("1224"), on the
  0–100 score rounded to 2 decimals as in :mod:`evalkit.scoring.grades` (z/rank
  composites: rounded to 12 decimals, against floating-point noise only).

References
----------
Nardo, M., Saisana, M., Saltelli, A., Tarantola, S., Hoffman, A. & Giovannini, E. (2008).
*Handbook on Constructing Composite Indicators: Methodology and User Guide*. OECD/JRC,
steps 5–7.
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. & Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source
Software* 7(78), 4567.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ScoringError
from ..indicators.catalogue import BY_CODE
from ..periods import Period
from . import kernels, normalise
from .adjustments import capped_adjustments
from .framework import Framework, check_framework_units
from .rules import rule_at_target
from .vocabulary import AGGREGATIONS, MISSING_POLICIES, NORMALISATIONS, SHARE_SCALE, VALUE_METHODS

__all__ = [
    "NODE_STATUSES",
    "Replications",
    "Runs",
    "ScoringModel",
    "Step",
    "scoring_model",
]

#: What a node's score of a unit rests on (the ``status`` column of the node tables): data,
#: a value filled in by the missing-data policy, nothing (no data and no score), or a
#: declared exclusion.
NODE_STATUSES = ("data", "filled", "not_reported", "not_applicable")

#: Share-scale values are mapped onto [GEOMETRIC_FLOOR, 1] before a geometric mean.
GEOMETRIC_FLOOR = 0.01
# Elements (replications × units × leaves) evaluated at once.
_CHUNK_ELEMENTS = 2 ** 21


@dataclass(frozen=True)
class Step:
    """One recorded step of the scoring model.

    Attributes
    ----------
    name : str
        ``values``, ``normalise``, ``missing``, ``weights`` or ``aggregate``.
    nominal : str
        The choice the published results use.
    alternatives : tuple of str
        What the lab may put in its place (for ``weights``: the kinds of perturbation).
    description : str
    """

    name: str
    nominal: str
    alternatives: tuple[str, ...]
    description: str


@dataclass(frozen=True, eq=False)
class Replications:
    """The parameters of a batch of ``R`` replications of the scoring model.

    Attributes
    ----------
    normalisation, aggregation, missing, scheme : int arrays, shape (R,)
        Indexes into :data:`NORMALISATIONS`, :data:`AGGREGATIONS`,
        :data:`evalkit.scoring.framework.MISSING_POLICIES` and the ``schemes`` given to
        :meth:`ScoringModel.run` (0 = the framework's points). ``missing`` replaces the
        framework's default policy; leaves with a policy of their own keep it.
    multipliers : float array, shape (R, n_leaves)
        Leaf weight multipliers (1 = nominal).
    values : float array, shape (R, n_units, n_leaves), or None
        Indicator values of each replication; None = the observed values.
    """

    normalisation: np.ndarray
    aggregation: np.ndarray
    missing: np.ndarray
    scheme: np.ndarray
    multipliers: np.ndarray
    values: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.multipliers.shape[0])

    def take(self, rows) -> Replications:
        """The replications at ``rows`` (an index array or slice)."""
        return Replications(self.normalisation[rows], self.aggregation[rows], self.missing[rows],
                            self.scheme[rows], self.multipliers[rows],
                            None if self.values is None else self.values[rows])


@dataclass(frozen=True, eq=False)
class Runs:
    """Outputs of :meth:`ScoringModel.run`, one row per replication, one column per unit.

    Attributes
    ----------
    scores : float array
        ``score_100`` (0–100 scale, after bonus and deduction) for share-scale
        normalisations; the weighted mean z-score or rank otherwise. NaN: no score.
    ranks : float array
        Rank within the peer group, 1 = best; NaN for a unit without a score.
    grades : int8 array
        Index into the framework's grade bands; −1 for no grade (no score, or a
        normalisation other than the framework's rules).
    """

    scores: np.ndarray
    ranks: np.ndarray
    grades: np.ndarray


@dataclass(frozen=True, eq=False)
class ScoringModel:
    """The scoring of one year as recorded steps over frozen arrays (see the module docstring).

    Build it with :func:`scoring_model` (from a dataset) or :meth:`from_values`. Arrays are
    units × leaves in the order of :attr:`units` and :attr:`leaves` and are read-only.

    Attributes
    ----------
    framework : Framework
    year : int or None
    units : DataFrame
        ``unit_id, name_zh, peer_group, unit_class`` (``name_zh`` may be empty).
    leaves : tuple of str
        Leaf codes in document order.
    values, numerator, denominator, ci_low, ci_high : ndarray (units × leaves)
        Indicator values (NaN = no data) and, for rates of records, the counts and 95 %
        Wilson bounds (NaN otherwise).
    points : ndarray (units × leaves)
        Each unit's points for each leaf (0 where the leaf does not apply).
    directions : ndarray (leaves,)
        +1 when a higher value is better, −1 when lower is (the leaf's own ``direction``
        if it sets one, else the indicator's).
    targets : tuple
        Each leaf's target (None when it has none).
    leaf_missing : tuple
        A leaf's own missing-data policy, or None for the framework's.
    bonus, deduction : ndarray (units,)
        Capped bonus and deduction points (as :func:`evalkit.scoring.adjustments.apply_adjustments`).
    veto, bar_top : bool ndarray (units,)
        一票否决 and 一票否优 flags.
    steps : dict
        Step name → :class:`Step`.
    """

    framework: Framework
    year: int | None
    units: pd.DataFrame
    leaves: tuple[str, ...]
    values: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    points: np.ndarray
    directions: np.ndarray
    targets: tuple
    leaf_missing: tuple
    bonus: np.ndarray
    deduction: np.ndarray
    veto: np.ndarray
    bar_top: np.ndarray
    steps: dict = field(default_factory=dict)
    #: What each value rests on (cases, items, responses; the indicators' ``n``), 0 where
    #: there is no row; None when the values came without counts.
    counts: np.ndarray | None = None
    #: Cells (units × leaves) declared not applicable (``not_applicable`` table): their points
    #: are 0 (excluded, the unit's other points re-based to 100); None when nothing is declared.
    excluded: np.ndarray | None = None
    #: Agreed per-unit targets (效能目标, :mod:`evalkit.targets`): units × leaves, NaN where the
    #: leaf's own target holds; None when no unit has one. The ``rules`` scoring scores such a
    #: cell with :func:`evalkit.scoring.rules.rule_at_target` — the leaf's rule and kernel at
    #: the unit's target.
    unit_targets: np.ndarray | None = None

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_values(cls, framework: Framework, units: pd.DataFrame, values: pd.DataFrame,
                    adjustments: pd.DataFrame | None = None, *, year: int | None = None,
                    not_applicable: pd.DataFrame | None = None,
                    targets: pd.DataFrame | None = None) -> ScoringModel:
        """Build the model from a units table and a long indicator frame.

        Parameters
        ----------
        framework : Framework
        units : DataFrame
            ``unit_id, peer_group, unit_class`` (and optionally ``name_zh``), one row per unit.
        values : DataFrame
            ``indicator, unit_id, value`` and optionally ``numerator, denominator, ci_low,
            ci_high`` (as :func:`evalkit.indicators.compute_indicators` returns).
        adjustments : DataFrame, optional
            The year's ``adjustments`` table (``unit_id, kind, points``).
        year : int, optional
        targets : DataFrame, optional
            Agreed per-unit targets (``unit_id, leaf, target``; :mod:`evalkit.targets`): each
            replaces the leaf's target for that unit (:attr:`unit_targets`). Rows of units the
            model does not know are left out; an unknown leaf is an error. (Listed here, before
            ``not_applicable``, whose text docs/scoring.md quotes to the end.)
        not_applicable : DataFrame, optional
            The year's ``not_applicable`` table (``unit_id, indicator``): each listed leaf
            indicator gets 0 points for that unit (excluded; the unit's maximum falls and its
            score is re-based to 100, :func:`evalkit.scoring.kernels.adjusted_scores`); the
            leaf is no donor of the peer-group values either. An indicator of the catalogue
            the framework does not score is left out; one the catalogue does not know is an
            error.
        """
        missing_cols = [c for c in ("unit_id", "peer_group", "unit_class") if c not in units.columns]
        if missing_cols:
            raise ScoringError(f"units must have the columns unit_id, peer_group, unit_class; "
                                   f"missing {missing_cols}")
        for col in ("indicator", "unit_id", "value"):
            if col not in values.columns:
                raise ScoringError(f"values must have the columns indicator, unit_id, value; missing {col!r}")
        table = pd.DataFrame({
            "unit_id": units["unit_id"].astype(str).to_numpy(),
            "name_zh": (units["name_zh"].astype(str).to_numpy() if "name_zh" in units.columns
                        else np.full(len(units), "", dtype=object)),
            "peer_group": units["peer_group"].astype(str).to_numpy(),
            "unit_class": units["unit_class"].astype(str).to_numpy(),
        })
        if table["unit_id"].duplicated().any():
            raise ScoringError("units must list every unit once")
        ids = pd.Index(table["unit_id"])
        leaf_nodes = framework.leaves()
        if not leaf_nodes:
            raise ScoringError("the framework has no leaves")
        n_u, n_l = len(ids), len(leaf_nodes)
        unit_pos = ids.get_indexer(values["unit_id"].astype(str))
        indicator_codes, indicators = pd.factorize(values["indicator"])
        known = unit_pos >= 0  # rows of units the model does not know are left out
        if pd.Series(indicator_codes * (n_u + 1) + unit_pos)[known].duplicated().any():
            raise ScoringError("values must hold one row per indicator and unit")
        arrays = {c: np.full((n_u, n_l), np.nan) for c in ("value", "numerator", "denominator", "ci_low", "ci_high", "n")}
        # one pass over the values: the rows of each indicator (units the model does not know
        # are left out), then one column of each array per leaf
        rows_of = {ind: np.flatnonzero(known & (indicator_codes == k)) for k, ind in enumerate(indicators)}
        columns = {col: pd.to_numeric(values[col], errors="coerce").to_numpy(dtype="float64")
                   for col in arrays if col in values.columns}
        for j, node in enumerate(leaf_nodes):
            rows = rows_of.get(node.indicator)
            if rows is None:
                continue  # no row at all: no data for anyone
            for col, data in columns.items():
                arrays[col][unit_pos[rows], j] = data[rows]
        lookup: dict[tuple[str, str], np.ndarray] = {}
        for g, c in zip(table["peer_group"], table["unit_class"]):
            if (g, c) not in lookup:
                lookup[(g, c)] = np.array([n.points_for(g, c) for n in leaf_nodes], dtype=float)
        points = np.stack([lookup[(g, c)] for g, c in zip(table["peer_group"], table["unit_class"])]) \
            if n_u else np.zeros((0, n_l))
        excluded = _excluded_cells(not_applicable, ids, leaf_nodes)
        if excluded is not None:
            points = np.where(excluded, 0.0, points)

        adj = adjustments if adjustments is not None else pd.DataFrame(
            {"unit_id": pd.Series(dtype=object), "kind": pd.Series(dtype=object),
             "points": pd.Series(dtype="float64")})
        totals = capped_adjustments(adj, table["unit_id"].to_numpy(), framework.adjustments)

        directions = np.array([n.direction or BY_CODE[n.indicator].direction for n in leaf_nodes], dtype=float)
        has_interval = np.isfinite(arrays["ci_low"]) & np.isfinite(arrays["ci_high"]) & \
            np.isfinite(arrays["value"]) & (points > 0)
        steps = _steps(framework, has_interval.any(), all(n.target is not None for n in leaf_nodes))
        model = cls(framework=framework, year=year, units=table, leaves=tuple(n.code for n in leaf_nodes),
                    values=arrays["value"], numerator=arrays["numerator"], denominator=arrays["denominator"],
                    ci_low=arrays["ci_low"], ci_high=arrays["ci_high"], points=points, directions=directions,
                    targets=tuple(n.target for n in leaf_nodes), leaf_missing=tuple(n.missing for n in leaf_nodes),
                    bonus=totals["bonus"].to_numpy(dtype=float), deduction=totals["deduction"].to_numpy(dtype=float),
                    veto=totals["veto"].to_numpy(dtype=bool), bar_top=totals["bar_top"].to_numpy(dtype=bool),
                    steps=steps, counts=np.nan_to_num(arrays["n"]), excluded=excluded,
                    unit_targets=_unit_targets(targets, ids, leaf_nodes))
        for arr in (model.counts, model.values, model.numerator, model.denominator, model.ci_low, model.ci_high, model.points,
                    model.directions, model.bonus, model.deduction, model.veto, model.bar_top):
            arr.setflags(write=False)
        if excluded is not None:
            excluded.setflags(write=False)
        if model.unit_targets is not None:
            model.unit_targets.setflags(write=False)
        return model

    def __post_init__(self):
        # Derived structure, computed once (the dataclass is frozen: set through object).
        fw = self.framework
        leaf_index = {code: j for j, code in enumerate(self.leaves)}
        inner: list[tuple[str, tuple[int, ...]]] = []
        slot_of: dict[str, int] = dict(leaf_index)

        def visit(code: str) -> int:
            node = fw.nodes[code]
            if node.is_leaf:
                return slot_of[code]
            kids = tuple(visit(c) for c in node.children)
            slot = len(self.leaves) + len(inner)
            inner.append((code, kids))
            slot_of[code] = slot
            return slot

        roots = tuple(visit(r) for r in fw.roots)
        groups = self.units["peer_group"].to_numpy()
        names = list(dict.fromkeys(groups))
        members = {g: np.flatnonzero(groups == g) for g in names}
        applicable = self.points > 0
        no_data = applicable & np.isnan(self.values)
        under: dict[str, np.ndarray] = {}
        for node in fw.walk():
            under[node.code] = np.array(sorted(leaf_index[n.code] for n in _leaves_under(fw, node.code)), dtype=int)
        # The nominal maximum per unit, summed up the tree (for the rescaling).
        # Coverage of a leaf: 1 where it rests on data, 0 where imputed, NaN where it does not apply.
        leaf_coverage = [np.where(applicable[:, j], (~no_data[:, j]).astype(float), np.nan)
                         for j in range(len(self.leaves))]
        derived = {"inner": tuple(inner), "roots": roots, "groups": names, "members": members,
                   "member_list": tuple(members.values()), "group_codes": pd.factorize(groups)[0],
                   "applicable": applicable, "no_data": no_data, "under": under,
                   "slot_of": slot_of, "leaf_coverage": leaf_coverage, "observed_leaf_scores": {}}
        object.__setattr__(self, "_derived", derived)
        nominal_max = self._combine_points(self.points[None, :, :])[0]
        derived["max_score"] = nominal_max

    # ------------------------------------------------------------------ description

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_leaves(self) -> int:
        return len(self.leaves)

    @property
    def unit_ids(self) -> pd.Index:
        return pd.Index(self.units["unit_id"], name="unit_id")

    @property
    def peer_groups(self) -> list[str]:
        """Peer groups in the order units first appear."""
        return list(self._derived["groups"])

    @property
    def applicable(self) -> np.ndarray:
        return self._derived["applicable"]

    @property
    def max_score(self) -> np.ndarray:
        """Each unit's nominal maximum score (the sum of its points)."""
        return self._derived["max_score"]

    @property
    def has_intervals(self) -> np.ndarray:
        """Cells (units × leaves) whose value is a rate with a Wilson interval."""
        return (np.isfinite(self.ci_low) & np.isfinite(self.ci_high) & np.isfinite(self.values)
                & self.applicable)

    def group_members(self, peer_group: str) -> np.ndarray:
        """Positions of the units of ``peer_group``."""
        members = self._derived["members"]
        if peer_group not in members:
            raise ScoringError(f"unknown peer group {peer_group!r}; the groups are {self.peer_groups}")
        return members[peer_group]

    def leaves_under(self, code: str) -> np.ndarray:
        """Positions (in :attr:`leaves`) of the leaves at or under framework node ``code``."""
        under = self._derived["under"]
        if code not in under:
            raise ScoringError(f"unknown framework node {code!r}; leaves are {list(self.leaves)}")
        return under[code]

    def unit_position(self, unit_id: str) -> int:
        ids = self.units["unit_id"].to_numpy()
        hit = np.flatnonzero(ids == str(unit_id))
        if hit.size == 0:
            raise ScoringError(f"unknown unit {unit_id!r}")
        return int(hit[0])

    def describe(self) -> pd.DataFrame:
        """The recorded steps: ``step, nominal, alternatives, description``."""
        return pd.DataFrame([{"step": s.name, "nominal": s.nominal, "alternatives": ", ".join(s.alternatives),
                              "description": s.description} for s in self.steps.values()])

    def leaf_table(self) -> pd.DataFrame:
        """One row per leaf: ``leaf, parent, indicator, direction, target, rule, points``
        (the distinct points over units, e.g. ``"4 / 8"``), ``reference_weight`` and
        ``n_intervals`` (units whose value has a Wilson interval)."""
        fw = self.framework
        ref = self.reference_weights()
        rows = []
        for j, code in enumerate(self.leaves):
            node = fw.nodes[code]
            pts = sorted({float(p) for p in self.points[:, j] if p > 0})
            rows.append({"leaf": code, "parent": node.parent, "name_zh": node.name_zh, "name_en": node.name_en,
                         "indicator": node.indicator, "direction": int(self.directions[j]),
                         "target": node.target, "rule": node.rule.type if node.rule else "",
                         "points": " / ".join(f"{p:g}" for p in pts), "reference_weight": ref[j],
                         "n_intervals": int(self.has_intervals[:, j].sum())})
        return pd.DataFrame(rows)

    def reference_weights(self, peer_group: str | None = None) -> np.ndarray:
        """Relative leaf weights (summing to 1): each unit's points over its maximum, averaged
        over the units (of ``peer_group``, or all). The centre of Dirichlet draws and the
        scale of one-at-a-time sweeps."""
        idx = self.group_members(peer_group) if peer_group is not None else np.arange(self.n_units)
        pts = self.points[idx]
        tot = pts.sum(axis=1, keepdims=True)
        ok = tot[:, 0] > 0
        if not ok.any():
            raise ScoringError("no unit has any points")
        w = (pts[ok] / tot[ok]).mean(axis=0)
        return w / w.sum()

    # ------------------------------------------------------------------ evaluation

    def nominal_replications(self, n: int = 1) -> Replications:
        """``n`` copies of the nominal choices."""
        policy = MISSING_POLICIES.index(self.framework.missing_policy)
        zeros = np.zeros(n, dtype=np.int64)
        return Replications(normalisation=zeros.copy(), aggregation=zeros.copy(), missing=zeros + policy,
                            scheme=zeros.copy(), multipliers=np.ones((n, self.n_leaves)), values=None)

    def tree_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The nominal scoring of the framework tree, node by node, before adjustments.

        Returns
        -------
        (totals, nodes)
            ``totals``: one row per unit, ``unit_id, total_score, max_score, score_100,
            coverage``. ``nodes``: one row per unit and node that applies to it (points >
            0) or was declared not applicable to it, in document order, ``unit_id, code,
            points, score, points_lost, coverage, raw_value, n, no_data, status``
            (``raw_value`` and ``n`` for leaves only; an inner node's ``no_data`` means it
            has no score). ``status`` (:data:`NODE_STATUSES`): a leaf's ``data``,
            ``filled`` (no data; the score is the missing-data policy's), ``not_reported``
            (no data and no score) or ``not_applicable`` (declared; 0 points, no score); an
            inner node's ``data`` or ``not_reported`` (no score), ``not_applicable`` when
            all its leaves are.
        """
        n_l = self.n_leaves
        leaf = self._leaf_scores("rules", self.framework.missing_policy, self.values[None])[0]
        scores, points, cover, (top_s, top_p, top_c) = self._tree(
            [leaf[:, j] for j in range(n_l)], [self.points[:, j] for j in range(n_l)], kernels.combine_sum, True)
        ids = self.units["unit_id"].to_numpy()
        score_100 = np.where(top_p > 0, 100.0 * top_s / np.where(top_p > 0, top_p, 1), np.nan)
        totals = pd.DataFrame({"unit_id": ids, "total_score": top_s, "max_score": top_p, "score_100": score_100,
                               "coverage": top_c})
        no_data = self._derived["no_data"]
        counts = self.counts if self.counts is not None else np.full(self.values.shape, np.nan)
        nothing = np.full(self.n_units, np.nan)
        walk = self.framework.walk()
        slots = [self._derived["slot_of"][node.code] for node in walk]
        # node-major stacks (nodes × units), flattened into one table, rows where the node applies
        pts = np.stack([points[k] for k in slots])
        sc = np.stack([scores[k] for k in slots])
        excluded = self.excluded if self.excluded is not None else np.zeros((self.n_units, n_l), dtype=bool)
        under = self._derived["under"]
        na = np.stack([excluded[:, under[node.code]].any(axis=1) for node in walk]) & (pts <= 0)
        keep = ((pts > 0) | na).ravel()
        raw = np.stack([self.values[:, k] if k < n_l else nothing for k in slots])
        cnt = np.stack([counts[:, k] if k < n_l else nothing for k in slots])
        nd = np.stack([no_data[:, k] if k < n_l else np.isnan(scores[k]) & (points[k] > 0) for k in slots])
        status = np.where(na, "not_applicable",
                          np.where(~nd, "data", np.where(np.isnan(sc), "not_reported", "filled"))).astype(object)
        status[[k >= n_l for k in slots]] = np.where(na[[k >= n_l for k in slots]], "not_applicable", np.where(
            nd[[k >= n_l for k in slots]], "not_reported", "data"))
        sc = np.where(na, np.nan, sc)
        nodes = pd.DataFrame({
            "unit_id": np.tile(ids, len(slots))[keep],
            "code": np.repeat(np.array([node.code for node in walk], dtype=object), self.n_units)[keep],
            "points": pts.ravel()[keep], "score": sc.ravel()[keep], "points_lost": (pts - sc).ravel()[keep],
            "coverage": np.stack([cover[k] for k in slots]).ravel()[keep],
            "raw_value": np.where(na, np.nan, raw).ravel()[keep], "n": cnt.ravel()[keep],
            "no_data": nd.ravel()[keep], "status": status.ravel()[keep],
        })
        return totals, nodes

    def published(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The published scoring: :meth:`tree_tables` plus the adjustments, ranks and grades
        of the nominal run (:meth:`run`, the same kernels every replication of the lab uses).

        Returns
        -------
        (totals, nodes)
            ``totals`` adds to :meth:`tree_tables`'s ``base_score`` (the tree's score),
            ``bonus``, ``deduction`` (capped), ``veto``, ``bar_top``, ``rank`` (within the
            peer group, on the published rounding), ``n_in_group`` and ``grade`` (the band's
            name; None without a score); ``total_score`` and ``score_100`` are after the
            adjustments. ``nodes`` as in :meth:`tree_tables`.
        """
        totals, nodes = self.tree_tables()
        runs = self.run(self.nominal_replications(1))
        totals["base_score"] = totals["total_score"]
        totals["bonus"] = self.bonus
        totals["deduction"] = self.deduction
        totals["total_score"], _ = kernels.adjusted_scores(
            totals["base_score"].to_numpy(), totals["max_score"].to_numpy(), self.bonus, self.deduction)
        totals["score_100"] = runs.scores[0]
        totals["veto"] = self.veto
        totals["bar_top"] = self.bar_top
        totals["rank"] = pd.array(runs.ranks[0], dtype="Int64")
        sizes = {g: idx.size for g, idx in self._derived["members"].items()}
        totals["n_in_group"] = self.units["peer_group"].map(sizes).to_numpy(dtype=int)
        bands = [b[0] for b in self.framework.grades.bands]
        totals["grade"] = pd.Series([bands[g] if g >= 0 else None for g in runs.grades[0]], index=totals.index)
        return totals, nodes

    def nominal(self) -> pd.DataFrame:
        """The nominal scoring: ``unit_id, peer_group, score_100, rank, grade`` (as
        :func:`evalkit.results.compute.score_year`, which it reproduces exactly)."""
        runs = self.run(self.nominal_replications(1))
        bands = [b[0] for b in self.framework.grades.bands]
        grades = [bands[g] if g >= 0 else None for g in runs.grades[0]]
        return pd.DataFrame({"unit_id": self.units["unit_id"].to_numpy(),
                             "peer_group": self.units["peer_group"].to_numpy(),
                             "score_100": runs.scores[0],
                             "rank": pd.Series(runs.ranks[0]).astype("Int64").array,
                             "grade": grades})

    def run(self, reps: Replications, schemes: Sequence[np.ndarray | None] = (None,)) -> Runs:
        """Score, rank and grade every unit in every replication.

        Parameters
        ----------
        reps : Replications
        schemes : sequence
            Base weights by scheme index: ``None`` for the framework's points, or a units ×
            leaves array of weights (0 where a leaf does not apply). Index 0 must be None.

        Returns
        -------
        Runs
        """
        n_r, n_u, n_l = reps.n, self.n_units, self.n_leaves
        self._check_replications(reps, schemes)
        scores = np.full((n_r, n_u), np.nan)
        ranks = np.full((n_r, n_u), np.nan)
        grades = np.full((n_r, n_u), -1, dtype=np.int8)
        step = max(1, _CHUNK_ELEMENTS // max(1, n_u * n_l))
        for start in range(0, n_r, step):
            rows = slice(start, min(start + step, n_r))
            part = reps.take(rows)
            s, share = self._scores(part, schemes)
            scores[rows] = s
            ranks[rows] = self._ranks(s, share)
            grades[rows] = self._grades(s, ranks[rows], part.normalisation == NORMALISATIONS.index("rules"))
        return Runs(scores=scores, ranks=ranks, grades=grades)

    def _check_replications(self, reps: Replications, schemes) -> None:
        n = reps.n
        if reps.multipliers.shape != (n, self.n_leaves):
            raise ScoringError(f"multipliers must have shape ({n}, {self.n_leaves})")
        for name, arr, k in (("normalisation", reps.normalisation, len(NORMALISATIONS)),
                             ("aggregation", reps.aggregation, len(AGGREGATIONS)),
                             ("missing", reps.missing, len(MISSING_POLICIES)),
                             ("scheme", reps.scheme, len(schemes))):
            if arr.shape != (n,) or (n and (arr.min() < 0 or arr.max() >= k)):
                raise ScoringError(f"{name} indexes must be {n} integers in 0 … {k - 1}")
        if reps.values is not None and reps.values.shape != (n, self.n_units, self.n_leaves):
            raise ScoringError(f"values must have shape ({n}, {self.n_units}, {self.n_leaves})")
        if not schemes or schemes[0] is not None:
            raise ScoringError("scheme 0 must be the framework's points (None)")
        z = NORMALISATIONS.index("zscore")
        g = AGGREGATIONS.index("geometric")
        if n and np.any((reps.normalisation == z) & (reps.aggregation == g)):
            raise ScoringError("a geometric mean needs positive values; z-scores are not")

    # Scores ------------------------------------------------------------------------

    def _scores(self, reps: Replications, schemes) -> tuple[np.ndarray, np.ndarray]:
        """Scores (R × units) and whether each replication is on the 0–100 scale."""
        n_r = reps.n
        out = np.full((n_r, self.n_units), np.nan)
        share = np.isin(reps.normalisation, [NORMALISATIONS.index(m) for m in SHARE_SCALE])
        keys = np.stack([reps.normalisation, reps.missing, reps.scheme, reps.aggregation], axis=1)
        combos, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        # leaf scores of the observed values depend on (normalisation, policy) only: computed
        # once per model, shared by every chunk and every later run
        cache: dict[tuple[int, int], np.ndarray] = self._derived["observed_leaf_scores"]
        for c, (k, p, s, a) in enumerate(combos):
            rows = np.flatnonzero(inverse == c)
            if reps.values is None:
                if (k, p) not in cache:
                    cache[(k, p)] = self._leaf_scores(NORMALISATIONS[k], MISSING_POLICIES[p], self.values[None])
                    cache[(k, p)].setflags(write=False)
                leaf = cache[(k, p)]
            else:
                leaf = self._leaf_scores(NORMALISATIONS[k], MISSING_POLICIES[p], reps.values[rows])
            out[rows] = self._aggregate(leaf, reps.multipliers[rows], schemes[s], AGGREGATIONS[a],
                                        NORMALISATIONS[k] in SHARE_SCALE)
        return out, share

    def _leaf_scores(self, method: str, policy: str, values: np.ndarray) -> np.ndarray:
        """Leaf scores on the points scale (r × units × leaves) after the missing-data policy."""
        r = values.shape[0]
        out = np.full((r, self.n_units, self.n_leaves), np.nan)
        app = self.applicable
        fw = self.framework
        own: list[tuple[int, np.ndarray]] = []  # (leaf, scores) of the leaves some unit has its own target for
        for j, code in enumerate(self.leaves):
            v = values[:, :, j]
            valid = app[None, :, j] & ~np.isnan(v)
            pts = self.points[:, j]
            if method == "rules":
                rule = fw.nodes[code].rule
                best = self._group_best(v, j)
                rank = self._group_rank(v, j) if getattr(rule, "type", "") == "rank_points" else None
                with np.errstate(invalid="ignore", divide="ignore"):
                    s = rule.score(v, pts, self.targets[j], self.directions[j], best, rank)
                    agreed = self._at_unit_targets(s, rule, v, pts, j)
                out[:, :, j] = np.where(valid, s, np.nan)
                if agreed is not s:
                    own.append((j, np.where(valid, agreed, np.nan)))
            else:
                out[:, :, j] = self._normalised(method, v, j) * pts
        # the missing-data policy fills from the peers' scores against the leaf's own target:
        # a unit's agreed target changes its own score only, never another unit's filled one
        self._fill_missing(out, policy)
        for j, scores in own:
            has = ~np.isnan(scores)
            out[:, :, j] = np.where(has, scores, out[:, :, j])
        return out

    def _at_unit_targets(self, s: np.ndarray, rule, v: np.ndarray, pts: np.ndarray, j: int) -> np.ndarray:
        """Leaf ``j``'s scores ``s`` (r × units) with every unit that has an agreed target
        scored by the same rule at that target (:func:`~evalkit.scoring.rules.rule_at_target`)."""
        agreed = None if self.unit_targets is None else self.unit_targets[:, j]
        if agreed is None or np.isnan(agreed).all():
            return s
        out = np.array(np.broadcast_to(s, v.shape), dtype=float)
        d = self.directions[j]
        for t in np.unique(agreed[~np.isnan(agreed)]):
            cols = np.flatnonzero(agreed == t)
            out[:, cols] = rule_at_target(rule, float(t), d).score(v[:, cols], pts[cols], float(t), d)
        return out

    def _group_best(self, v: np.ndarray, j: int) -> np.ndarray:
        return kernels.group_best(v, self.applicable[:, j], self._derived["member_list"], self.directions[j])

    def _group_rank(self, v: np.ndarray, j: int) -> np.ndarray:
        return kernels.group_value_ranks(v, self.applicable[:, j], self._derived["member_list"], self.directions[j])

    def _normalised(self, method: str, v: np.ndarray, j: int) -> np.ndarray:
        """A normalisation of leaf ``j``'s values (r × units) within each peer group, by the
        functions of :mod:`evalkit.scoring.normalise` (replications as columns), on the
        share scale [0, 1] (z-scores and ranks as they are); a flat group gives the midpoint."""
        ok = self.applicable[:, j][None, :] & ~np.isnan(v)
        x = np.where(ok, v, np.nan).T  # units × replications: one column per replication
        d = self.directions[j]
        groups = self._derived["group_codes"]
        if method == "minmax":
            y = normalise.min_max(x, d, lower=0.0, upper=1.0, on_constant="midpoint", groups=groups)
        elif method == "zscore":
            y = normalise.z_score(x, d, ddof=1, on_constant="midpoint", groups=groups)
        elif method == "rank":
            y = normalise.rank(x, d, ties="min", groups=groups)
        elif method == "percentile":
            y = normalise.percentile(x, d, ties="min", scale=1.0, on_single="midpoint", groups=groups)
        elif method == "distance_to_target":
            y = normalise.distance_to_target(x, self.targets[j], d, scale=1.0, cap=True, on_reached="full",
                                             groups=groups)
        else:  # pragma: no cover - validated by the specs
            raise ScoringError(f"unknown normalisation {method!r}")
        return np.asarray(y, dtype=float).T

    def _fill_missing(self, scores: np.ndarray, policy: str) -> None:
        """The missing-data policy on leaf scores (r × units × leaves), in place; a leaf's own
        policy wins over ``policy`` (:func:`evalkit.scoring.kernels.fill_missing`)."""
        no_data, app = self._derived["no_data"], self.applicable
        donors = app & ~np.isnan(self.values)
        for j in range(self.n_leaves):
            scores[:, :, j] = kernels.fill_missing(scores[:, :, j], self.points[:, j], no_data[:, j], donors[:, j],
                                                   self._derived["member_list"], self.leaf_missing[j] or policy)

    def _aggregate(self, leaf: np.ndarray, mult: np.ndarray, base: np.ndarray | None, method: str,
                   share_scale: bool) -> np.ndarray:
        """Composite scores (r × units) from leaf scores on the points scale."""
        r = mult.shape[0]
        leaf = np.broadcast_to(leaf, (r,) + leaf.shape[1:])
        m = mult[:, None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            if base is None:
                weights = self.points[None, :, :] * m
                weighted = leaf * m
            else:
                weights = base[None, :, :] * m
                weighted = (leaf / self.points[None, :, :]) * weights
        if method == "points_sum":
            total, top_points = self._combine_sum(weighted, weights)
        else:
            total, top_points = self._combine_geometric(weighted, weights, share_scale)
        if not share_scale:
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(top_points > 0, total / np.where(top_points > 0, top_points, 1), np.nan)
        nominal_max = self.max_score
        with np.errstate(invalid="ignore", divide="ignore"):
            base_score = total * (nominal_max / top_points)  # exactly ``total`` for the nominal weights
        return kernels.adjusted_scores(base_score, nominal_max, self.bonus, self.deduction)[1]

    def _combine_points(self, weights: np.ndarray) -> np.ndarray:
        """Top-level points (r × units), summed up the tree."""
        n_l = self.n_leaves
        slots: list = [weights[:, :, j] for j in range(n_l)]
        for code, kids in self._derived["inner"]:
            slots.append(np.sum([slots[k] for k in kids], axis=0))
        return np.sum([slots[k] for k in self._derived["roots"]], axis=0)

    def _tree(self, leaf_values: list, leaf_points: list, combine, track_coverage: bool):
        """Combine leaf arrays up the framework tree, node by node, with ``combine``
        (:func:`~evalkit.scoring.kernels.combine_sum` or
        :func:`~evalkit.scoring.kernels.combine_geometric`) and the framework's
        ``min_coverage``. Returns ``(values, points, coverage, top)``: per slot (leaves, then
        inner nodes in :attr:`_derived` order) and ``top = (value, points, coverage)`` of the
        framework's roots together. Coverage is tracked when ``track_coverage`` or
        ``min_coverage > 0`` (else None)."""
        min_cov = self.framework.min_coverage
        values, points = list(leaf_values), list(leaf_points)
        cover = list(self._derived["leaf_coverage"]) if (track_coverage or min_cov > 0) else None
        for code, kids in self._derived["inner"]:
            v, p, c = combine([values[k] for k in kids], [points[k] for k in kids], _kids(cover, kids), min_cov)
            values.append(v)
            points.append(p)
            if cover is not None:
                cover.append(c)
        roots = self._derived["roots"]
        top = combine([values[k] for k in roots], [points[k] for k in roots], _kids(cover, roots), min_cov)
        return values, points, cover, top

    def _combine_sum(self, weighted: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The points sum with renormalisation over children with data, node by node (and
        the framework's ``min_coverage`` rule)."""
        n_l = self.n_leaves
        *_, (s, p, _) = self._tree([weighted[:, :, j] for j in range(n_l)], [weights[:, :, j] for j in range(n_l)],
                                   kernels.combine_sum, False)
        return s, p

    def _combine_geometric(self, weighted: np.ndarray, weights: np.ndarray,
                           share_scale: bool) -> tuple[np.ndarray, np.ndarray]:
        """Weighted geometric means node by node (children with data only)."""
        n_l = self.n_leaves
        with np.errstate(invalid="ignore", divide="ignore"):
            y = weighted / weights
        if share_scale:
            y = GEOMETRIC_FLOOR + (1.0 - GEOMETRIC_FLOOR) * np.clip(y, 0.0, None)
        with np.errstate(invalid="ignore", divide="ignore"):
            logs = [np.log(y[:, :, j]) for j in range(n_l)]
        *_, (top_log, top_points, _) = self._tree(logs, [weights[:, :, j] for j in range(n_l)],
                                                  kernels.combine_geometric, False)
        mean = np.exp(top_log)
        if share_scale:
            mean = (mean - GEOMETRIC_FLOOR) / (1.0 - GEOMETRIC_FLOOR)
        return mean * top_points, top_points

    # Ranks and grades ----------------------------------------------------------------

    def _ranks(self, scores: np.ndarray, share: np.ndarray) -> np.ndarray:
        """Published ranks (scores rounded as published); composites off the 0–100 scale
        (z-scores, ranks) are rounded to 12 decimals, against floating-point noise only."""
        members = self._derived["member_list"]
        out = np.full(scores.shape, np.nan)
        for decimals, rows in ((kernels.PUBLISHED_DECIMALS, share), (12, ~share)):
            if rows.any():
                out[rows] = kernels.published_ranks(scores[rows], members, decimals)
        return out

    def _grades(self, scores: np.ndarray, ranks: np.ndarray, graded: np.ndarray) -> np.ndarray:
        rules = self.framework.grades
        grade = kernels.grade_indices(scores, ranks, self._derived["member_list"], [b[1] for b in rules.bands],
                                      rules.top_quota, self.veto, self.bar_top)
        grade[~graded] = -1
        return grade


# ---------------------------------------------------------------------------------------


def score_tree(framework: Framework, units: pd.DataFrame, values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every unit on every node of ``framework`` (before adjustments, ranks and grades).

    Parameters
    ----------
    framework: the indicator tree.
    units: ``unit_id, peer_group, unit_class`` (one row per unit).
    values: long indicator frame ``indicator, unit_id, value, n`` (see
        :func:`evalkit.indicators.compute_indicators`).

    Returns
    -------
    (totals, nodes): see :meth:`ScoringModel.tree_tables` — the one scorer's nominal run.
    """
    return ScoringModel.from_values(framework, units, values).tree_tables()


def scoring_model(dataset, framework: Framework, year: int, *, parameters=None, units: Sequence[str] | None = None,
                  adjustments: bool = True, targets: pd.DataFrame | None = None) -> ScoringModel:
    """The :class:`ScoringModel` of ``year``: the year's indicators computed from ``dataset``
    with ``parameters`` (:class:`evalkit.indicators.parameters.IndicatorParameters`, the
    configuration's rubric and limits; None: the documented defaults), plus the year's
    adjustments (``adjustments=False``: none, as for a thematic evaluation). ``units``: the
    ids of the units to score and rank (default: every unit of the data). ``targets``: the
    year's agreed per-unit targets (``unit_id, leaf, target``, :mod:`evalkit.targets`)."""
    from ..indicators.catalogue import compute_indicators

    if year not in dataset.years:
        raise ScoringError(f"no data for {year} (years present: {', '.join(map(str, dataset.years)) or 'none'})")
    check_framework_units(framework, dataset.units)  # every points key reaches some unit
    not_assessed = period_not_assessed(framework, dataset.units, year)  # none for a whole year
    in_year = {"annual_only": set(not_assessed["indicator"])} if is_partial_period(year) else {}
    values = compute_indicators(dataset, year, sorted({n.indicator for n in framework.leaves()}),
                                parameters=parameters, **in_year)
    chosen = units
    units = dataset.units[["unit_id", "name_zh", "peer_group", "unit_class"]]
    if chosen is not None:
        units = units[units["unit_id"].astype(str).isin([str(u) for u in chosen])]
    declared = dataset.table("not_applicable", year)
    implied = _absent_not_applicable(dataset, framework, year, values)
    if not not_assessed.empty:  # a period: its annual-only leaves are not assessed (a cell
        # listed twice, as absent and as not assessed, is excluded once)
        implied = pd.concat([implied, not_assessed], ignore_index=True)
    not_applicable = declared if implied.empty else pd.concat(
        [declared[["unit_id", "indicator"]].astype(str), implied[["unit_id", "indicator"]]], ignore_index=True)
    return ScoringModel.from_values(framework, units, values, dataset.table("adjustments", year) if adjustments
                                    else None, year=year, not_applicable=not_applicable, targets=targets)


#: Why an annual-only leaf has no score in a month, a quarter or the year to date (in Chinese
#: and English): shown where a not-applicable leaf shows its reason.
NOT_IN_PERIOD_REASON = ("年度指标，本期不评价（尚无数据）", "annual indicator: not assessed for this period (no data yet)")


def is_partial_period(year) -> bool:
    """True for a :class:`~evalkit.periods.Period` shorter than the year."""
    return isinstance(year, Period) and year.in_year


def period_not_assessed(framework: Framework, units: pd.DataFrame, year) -> pd.DataFrame:
    """The cells a period does not assess: for a month, a quarter or the year to date, every
    unit × leaf indicator that is annual-only (:meth:`evalkit.scoring.framework.PeriodRules.
    not_assessed`: the catalogue's, as the framework's ``periods:`` amends them). They are
    treated as not applicable — excluded, points re-based, shown as not assessed with
    :data:`NOT_IN_PERIOD_REASON` — never scored 0 or filled in. Empty for a whole year.
    Columns ``unit_id, indicator, reason, reason_en``."""
    columns = ["unit_id", "indicator", "reason", "reason_en"]
    if not is_partial_period(year):
        return pd.DataFrame(columns=columns)
    codes = sorted(framework.periods.not_assessed({str(n.indicator) for n in framework.leaves()}))
    ids = units["unit_id"].astype(str).tolist()
    return pd.DataFrame([(u, c, *NOT_IN_PERIOD_REASON) for c in codes for u in ids], columns=columns)


def _absent_not_applicable(dataset, framework: Framework, year: int, values: pd.DataFrame) -> pd.DataFrame:
    """The cells that are not applicable without a declaration: for a leaf whose indicator
    has :attr:`~evalkit.indicators.base.Indicator.absent_means_not_applicable` (e.g.
    ``key_task_score``), every unit without a record of the indicator's first table in a year
    that has that table (no value, ``n`` = 0) has no such duty: its leaf is excluded and its
    points re-based, exactly as if the ``not_applicable`` table declared it, with the
    indicator's reason (e.g. 本年度未下达重点工作任务). Without the table's file in the year the
    leaf is *not reported* and the missing-data policy applies. Columns ``unit_id, indicator,
    reason, reason_en``."""
    rows = []
    for code in sorted({str(n.indicator) for n in framework.leaves()}):
        ind = BY_CODE.get(code)
        reason = getattr(ind, "absent_means_not_applicable", None)
        if reason is None or not dataset.has(ind.tables[0], year):
            continue
        mine = values[values["indicator"].astype(str) == code]
        absent = pd.to_numeric(mine["value"], errors="coerce").isna() & (pd.to_numeric(mine["n"]).fillna(0) == 0)
        rows += [(str(u), code, reason[0], reason[1]) for u in mine.loc[absent, "unit_id"]]
    return pd.DataFrame(rows, columns=["unit_id", "indicator", "reason", "reason_en"])


def _excluded_cells(not_applicable: pd.DataFrame | None, ids: pd.Index, leaf_nodes) -> np.ndarray | None:
    """Units × leaves mask of the declared not-applicable cells (None when none is declared).

    Rows of units the model does not know are left out (as for the values), and so are
    indicators of the catalogue the framework does not score (the data serve any
    framework); an indicator the catalogue does not know is a
    :class:`~evalkit.errors.ScoringError` naming it."""
    if not_applicable is None or not_applicable.empty:
        return None
    leaf_of: dict[str, list[int]] = {}
    for j, node in enumerate(leaf_nodes):
        leaf_of.setdefault(str(node.indicator), []).append(j)
    unknown = sorted({str(i) for i in not_applicable["indicator"]} - set(BY_CODE))
    if unknown:
        raise ScoringError(
            f"not_applicable, column indicator: expected an indicator code of the catalogue (e.g. "
            f"{', '.join(sorted(leaf_of)[:3])}), found {', '.join(repr(u) for u in unknown)}")
    mask = np.zeros((len(ids), len(leaf_nodes)), dtype=bool)
    pos = ids.get_indexer(not_applicable["unit_id"].astype(str))
    for p, indicator in zip(pos, not_applicable["indicator"].astype(str)):
        if p >= 0 and indicator in leaf_of:
            mask[p, leaf_of[indicator]] = True
    return mask if mask.any() else None


def _unit_targets(targets: pd.DataFrame | None, ids: pd.Index, leaf_nodes) -> np.ndarray | None:
    """Units × leaves array of the agreed targets (NaN: the leaf's own), None when none."""
    if targets is None or targets.empty:
        return None
    leaf_pos = {node.code: j for j, node in enumerate(leaf_nodes)}
    unknown = sorted({str(c) for c in targets["leaf"]} - set(leaf_pos))
    if unknown:
        raise ScoringError(f"targets, column leaf: expected leaf codes of the framework; found "
                           f"{', '.join(repr(u) for u in unknown)}")
    out = np.full((len(ids), len(leaf_nodes)), np.nan)
    pos = ids.get_indexer(targets["unit_id"].astype(str))
    for p, leaf, t in zip(pos, targets["leaf"].astype(str), pd.to_numeric(targets["target"], errors="coerce")):
        if p >= 0 and not np.isnan(t):
            out[p, leaf_pos[leaf]] = float(t)
    return out if not np.isnan(out).all() else None


def _steps(framework: Framework, has_intervals: bool, all_targets: bool) -> dict[str, Step]:
    norms = tuple(m for m in NORMALISATIONS[1:] if m != "distance_to_target" or all_targets)
    steps = [
        Step("values", "observed", VALUE_METHODS if has_intervals else (),
             "indicator values; rates of records may be redrawn within their Wilson intervals or from "
             "their Jeffreys posteriors"),
        Step("normalise", "rules", norms, "leaf values onto a common, higher-is-better scale"),
        Step("missing", framework.missing_policy, tuple(p for p in MISSING_POLICIES if p != framework.missing_policy),
             "what a leaf without data counts for"),
        Step("weights", "points", ("noise", "dirichlet", "schemes"), "relative weight of each leaf"),
        Step("aggregate", "points_sum", AGGREGATIONS[1:], "how leaf scores combine up the tree"),
    ]
    return {s.name: s for s in steps}


def _leaves_under(framework: Framework, code: str):
    node = framework.nodes[code]
    if node.is_leaf:
        return [node]
    out = []
    for child in node.children:
        out.extend(_leaves_under(framework, child))
    return out


def _kids(cover: list, kids) -> list | None:
    """The children's coverage arrays, or None when coverage is not tracked."""
    return None if cover is None else [cover[k] for k in kids]
