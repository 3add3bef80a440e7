"""The weighting-scheme lab on the district scoring model: which uncertain choice drives the
ranking (Sobol' indices), what one weight does (one-at-a-time sweeps, tipping points), and
how far two weighting schemes agree.

* :func:`sensitivity_analysis` — first-order and total Sobol' indices (Saltelli 2010 design,
  Saltelli/Jansen estimators, bootstrap intervals: :func:`~evalkit.sensitivity.sobol.sobol_indices`)
  of the mean absolute rank shift and of chosen units' scores or ranks, with the uncertain
  inputs of the specs as factors.
* :func:`weight_sweep` — every unit's rank (or score) in a peer group as one node's weight
  moves, the other weights rescaled proportionally, computed by the model itself (so with
  its renormalisation, bonus points and 2-decimal ties).
* :func:`weight_tipping_points` — how far a node's weight must move before each pair of
  units in a peer group swaps places (closed form of
  :func:`~evalkit.sensitivity.tipping.tipping_points` where the composite is linear in that
  weight; otherwise found on the model by bisection).
* :func:`compare_schemes` — ranks under several weighting schemes and their agreement with a
  reference (Spearman's ρ, Kendall's τ-b, weighted Spearman ``r_W``, WS similarity), per
  peer group.

Weights here are *relative*: a node's weight in a peer group is its share of the group's
points (:meth:`~evalkit.scoring.model.ScoringModel.reference_weights`); moving it to
``t`` multiplies its leaves' points by ``t / t₀`` and every other leaf's by
``(1 − t)/(1 − t₀)``.

References
----------
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. *Computer
Physics Communications* 181(2), 259–270.
Saisana, M., Saltelli, A. & Tarantola, S. (2005). *J. R. Statist. Soc. A* 168(2), 307–323
(the rank-shift output ``R̄_S``).
Saltelli, A. & Annoni, P. (2010). How to avoid a perfunctory sensitivity analysis.
*Environmental Modelling & Software* 25(12), 1508–1517.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import SensitivityError
from ..scoring.model import Replications, ScoringModel
from .ranks import ranking_agreement
from .sobol import _generator, _positive_int, _unit_sample, sobol_indices
from .specs import Plan, make_plan
from .tipping import tipping_points
from .uncertainty import _check_units

__all__ = [
    "SchemeComparison",
    "SensitivityResult",
    "compare_schemes",
    "sensitivity_analysis",
    "weight_sweep",
    "weight_tipping_points",
]

_LINEAR_TOL = 1e-9  # on the 0–100 scale
_BISECT_STEPS = 40
_SOBOL_MAXDIM = 21201  # scipy.stats.qmc.Sobol's direction numbers (Joe & Kuo)
_SEARCH_GRID = 201


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """Result of :func:`sensitivity_analysis`.

    Attributes
    ----------
    indices : DataFrame
        ``input, output, S1, S1_low, S1_high, ST, ST_low, ST_high`` (see
        :func:`~evalkit.sensitivity.sobol.sobol_indices`); ``input`` names a factor group.
    inputs : DataFrame
        ``input, factor, spec, step, kind, width``: which factors make up each input.
    outputs : DataFrame
        The outputs of every run, indexed by ``(matrix, row)`` (``A``, ``B``,
        ``AB:<input>``).
    n, n_runs, seed
    """

    indices: pd.DataFrame
    inputs: pd.DataFrame
    outputs: pd.DataFrame
    n: int
    n_runs: int
    seed: object

    def table(self, output: str = "mean_abs_rank_shift") -> pd.DataFrame:
        """The indices of one output, by decreasing total index."""
        part = self.indices[self.indices["output"] == output]
        if part.empty:
            raise SensitivityError(f"no output {output!r}; outputs are {sorted(self.indices['output'].unique())}")
        return part.drop(columns="output").sort_values("ST", ascending=False).reset_index(drop=True)


def _groups(plan: Plan, group_by: str) -> list[tuple[str, np.ndarray, list]]:
    if group_by == "factor":
        return [(f.name, cols, [f]) for f, cols in zip(plan.factors, plan.columns)]
    if group_by != "spec":
        raise SensitivityError(f"group_by must be 'spec' or 'factor'; got {group_by!r}")
    out: dict[str, tuple[list, list]] = {}
    for f, cols in zip(plan.factors, plan.columns):
        key = {"WeightNoise": "weights", "DirichletWeights": "weights", "AlternativeSchemes": "scheme",
               "NormalisationChoice": "normalisation", "AggregationChoice": "aggregation",
               "MissingPolicyChoice": "missing", "IndicatorValueNoise": "values"}[f.spec]
        c, fs = out.setdefault(key, ([], []))
        c.append(cols)
        fs.append(f)
    return [(k, np.concatenate(c), fs) for k, (c, fs) in out.items()]


def sensitivity_analysis(model: ScoringModel, specs, n: int = 512, *, seed=None, units: Sequence[str] = (),
                         unit_outputs: Sequence[str] = ("score",), group_by: str = "spec", sampler="sobol",
                         n_boot: int = 1000, confidence: float = 0.95) -> SensitivityResult:
    """Sobol' first-order and total indices of the ranking's sensitivity to the specs' inputs.

    Outputs: ``mean_abs_rank_shift`` — the mean over units of ``|rank − nominal rank|`` in a
    run (Saisana et al. 2005's ``R̄_S``, one number per run) — and, for each unit in
    ``units``, ``score:<unit>`` and/or ``rank:<unit>``.

    Parameters
    ----------
    model : ScoringModel
    specs : spec or sequence of specs
    n : int
        Base rows ``N`` of the Saltelli design (a power of two for ``sampler="sobol"``); the
        model runs ``N(d + 2)`` times for ``d`` inputs.
    seed : int, Generator or None
        Seeds the design, the Sobol' scrambling, the value draws and the bootstrap.
    units : sequence of unit ids
    unit_outputs : sequence of {"score", "rank"}
    group_by : {"spec", "factor"}
        ``"spec"`` (default): one input per uncertain step (``weights``, ``values``,
        ``normalisation`` …), as COINr treats each assumption; ``"factor"``: one per factor
        (``weight:EFF01`` …, ``values:PUB01`` …), costlier but finer.
    sampler : {"sobol", "random"}
    n_boot, confidence
        Bootstrap intervals (see :func:`~evalkit.sensitivity.sobol.sobol_indices`).

    Returns
    -------
    SensitivityResult

    Notes
    -----
    Scores are not comparable across normalisations on other scales (z-scores, ranks):
    with such choices in ``specs``, study ranks rather than scores.
    """
    plan = make_plan(model, specs)
    n = _positive_int(n, "n", 2)
    chosen = _check_units(model, units)
    bad = [o for o in unit_outputs if o not in ("score", "rank")]
    if bad:
        raise SensitivityError(f"unit_outputs must be 'score' and/or 'rank'; got {bad}")
    groups = _groups(plan, group_by)
    d = len(groups)
    gen = _generator(seed)
    width = plan.width
    if sampler == "sobol" and 2 * width > _SOBOL_MAXDIM:
        raise SensitivityError(f"the design needs {2 * width} uniform columns (value noise draws one per unit and "
                               f"leaf), more than Sobol' points offer ({_SOBOL_MAXDIM}); use sampler='random'")
    u = _unit_sample(n, 2 * width, gen, sampler)
    a, b = u[:, :width], u[:, width:]
    nominal = model.nominal()
    nominal_rank = nominal["rank"].astype("float64").to_numpy()
    positions = [model.unit_position(x) for x in chosen]
    names = ["mean_abs_rank_shift"] + [f"{o}:{x}" for x in chosen for o in unit_outputs]

    def outputs(block: np.ndarray) -> np.ndarray:
        runs = model.run(plan.replications(block), plan.schemes)
        with np.errstate(invalid="ignore"):
            shift = np.nanmean(np.abs(runs.ranks - nominal_rank[None, :]), axis=1)
        cols = [shift]
        for p in positions:
            for o in unit_outputs:
                cols.append(runs.scores[:, p] if o == "score" else runs.ranks[:, p])
        return np.stack(cols, axis=1)

    blocks = [outputs(a), outputs(b)]
    for _, cols, _ in groups:
        ab = a.copy()
        ab[:, cols] = b[:, cols]
        blocks.append(outputs(ab))
    y = np.concatenate(blocks, axis=0)
    bad_cols = [names[k] for k in range(len(names)) if not np.all(np.isfinite(y[:, k]))]
    if bad_cols:
        raise SensitivityError(f"output(s) {bad_cols} are missing in some runs (a unit without a score); "
                               "leave those units out")
    f_a, f_b = y[:n], y[n:2 * n]
    f_ab = y[2 * n:].reshape(d, n, len(names))
    input_names = [g[0] for g in groups]
    indices = sobol_indices(f_a, f_b, f_ab, n_boot=n_boot, confidence=confidence, rng=gen,
                            inputs=input_names, outputs=names)
    rows = [{"input": g, "factor": f.name, "spec": f.spec, "step": f.step, "kind": f.kind, "width": f.width}
            for g, _, fs in groups for f in fs]
    labels = ["A"] * n + ["B"] * n + [f"AB:{g}" for g in input_names for _ in range(n)]
    index = pd.MultiIndex.from_arrays([labels, np.tile(np.arange(n), d + 2)], names=["matrix", "row"])
    return SensitivityResult(indices=indices, inputs=pd.DataFrame(rows), outputs=pd.DataFrame(y, index=index,
                             columns=names), n=n, n_runs=n * (d + 2), seed=seed)


# ---------------------------------------------------------------------------------------
# One weight at a time
# ---------------------------------------------------------------------------------------


def _moved(model: ScoringModel, node: str, peer_group: str, t: np.ndarray) -> tuple[Replications, float]:
    """Replications with ``node``'s relative weight in ``peer_group`` set to each ``t``."""
    leaves = model.leaves_under(node)
    t0 = float(model.reference_weights(peer_group)[leaves].sum())
    if not 0 < t0 < 1:
        raise SensitivityError(f"the weight of {node} in {peer_group} is {t0:g}; only a weight strictly between "
                               "0 and 1 can be moved with the others rescaled")
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if np.any(~np.isfinite(t)) or t.min() < 0 or t.max() > 1:
        raise SensitivityError("weights must lie in [0, 1]")
    reps = model.nominal_replications(t.size)
    m = reps.multipliers
    m[:] = ((1.0 - t) / (1.0 - t0))[:, None]
    m[:, leaves] = (t / t0)[:, None]
    return reps, t0


def weight_sweep(model: ScoringModel, node: str, peer_group: str, grid=None, *,
                 values: str = "rank") -> pd.DataFrame:
    """Ranks (or scores) of a peer group's units as ``node``'s weight sweeps a grid.

    Parameters
    ----------
    model : ScoringModel
    node : str
        A leaf or inner node of the framework.
    peer_group : str
    grid : sequence of float in [0, 1], optional
        Relative weights of ``node``; default 41 points from 0 to 1 plus the nominal weight.
    values : {"rank", "score"}

    Returns
    -------
    DataFrame
        Index ``weight`` (the grid, sorted), one column per unit of the group;
        ``attrs["nominal_weight"]`` holds the nominal relative weight.
    """
    if values not in ("rank", "score"):
        raise SensitivityError(f"values must be 'rank' or 'score'; got {values!r}")
    members = model.group_members(peer_group)
    leaves = model.leaves_under(node)
    t0 = float(model.reference_weights(peer_group)[leaves].sum())
    t = np.unique(np.r_[np.linspace(0.0, 1.0, 41), t0] if grid is None else np.asarray(grid, dtype=float).ravel())
    if t.size == 0:
        raise SensitivityError("the grid is empty")
    reps, t0 = _moved(model, node, peer_group, t)
    runs = model.run(reps)
    table = runs.ranks if values == "rank" else runs.scores
    out = pd.DataFrame(table[:, members], index=pd.Index(t, name="weight"),
                       columns=pd.Index(model.unit_ids[members], name="unit_id"))
    if values == "rank" and not out.isna().any().any():
        out = out.astype(int)
    out.attrs.update({"node": node, "peer_group": peer_group, "nominal_weight": t0})
    return out


def _pair_scores(model: ScoringModel, node: str, peer_group: str, t: np.ndarray) -> np.ndarray:
    reps, _ = _moved(model, node, peer_group, t)
    return model.run(reps).scores[:, model.group_members(peer_group)]


def weight_tipping_points(model: ScoringModel, node: str, peer_group: str) -> pd.DataFrame:
    """How far ``node``'s relative weight must move before each pair of units in
    ``peer_group`` swaps places (the others' weights rescaled proportionally).

    Where the model is linear in that weight for both units (a weighted sum whose relative
    weights match the group's: same points, data on the node, no floor at 0), the crossing
    is the closed form of :func:`~evalkit.sensitivity.tipping.tipping_points` applied to
    each unit's score with the node alone (``t = 1``) and without it (``t = 0``):
    ``S(t) = t·S(1) + (1 − t)·S(0)``. Otherwise the crossing nearest the nominal weight is
    found on the model itself (a grid of 201 weights, then bisection).

    Returns
    -------
    DataFrame
        One row per pair: ``ahead, behind`` (by the nominal score), ``gap`` (score points),
        ``tipping_weight`` (NaN: no weight in [0, 1] swaps them), ``change`` (from the
        nominal weight), ``method`` (``closed_form`` / ``bisection``). Sorted by
        ``|change|``, pairs that never swap last. Ties from rounding scores to 2 decimals
        are not modelled: a crossing is where the unrounded scores are equal.
    """
    members = model.group_members(peer_group)
    ids = np.asarray(model.unit_ids[members], dtype=object)
    leaves = model.leaves_under(node)
    t0 = float(model.reference_weights(peer_group)[leaves].sum())
    probe = np.array([0.0, 1.0, t0, 0.5 * (t0 + 1.0), 0.5 * t0])
    s = _pair_scores(model, node, peer_group, probe)  # (5, n)
    s0, s1 = s[0], s[1]
    ok = np.isfinite(s[2])  # a nominal score
    linear = np.all(np.isfinite(s), axis=0)
    with np.errstate(invalid="ignore"):
        for k, tk in ((2, t0), (3, probe[3]), (4, probe[4])):
            linear &= np.abs(s[k] - (tk * s1 + (1 - tk) * s0)) <= _LINEAR_TOL * np.maximum(1.0, np.abs(s[k]))
    comps = pd.DataFrame({"alone": np.where(linear, s1, 0.0), "without": np.where(linear, s0, 0.0)}, index=ids)
    table = tipping_points(comps, np.array([t0, 1.0 - t0]), "alone")
    pos = {u: i for i, u in enumerate(ids)}
    ia = table["ahead"].map(pos).to_numpy()
    ib = table["behind"].map(pos).to_numpy()
    nominal = s[2]
    # the closed form orders pairs by the components; re-order by the model's nominal score
    table["gap"] = nominal[ia] - nominal[ib]
    swap = table["gap"].to_numpy() < 0
    table.loc[swap, ["ahead", "behind"]] = table.loc[swap, ["behind", "ahead"]].to_numpy()
    table["gap"] = table["gap"].abs()
    table["method"] = "closed_form"
    valid = ok[ia] & ok[ib]
    numeric = ~(linear[ia] & linear[ib]) & valid
    table.loc[~valid, ["tipping_weight", "change"]] = np.nan
    table.loc[~valid, "method"] = "no_score"
    if numeric.any():
        rows = np.flatnonzero(numeric)
        t_star = _bisect_crossings(model, node, peer_group, t0, ia[rows], ib[rows])
        table.loc[rows, "tipping_weight"] = t_star
        table.loc[rows, "change"] = t_star - t0
        table.loc[rows, "method"] = "bisection"
    order = np.lexsort((np.arange(len(table)), np.abs(table["change"].to_numpy())))
    out = table.iloc[order].reset_index(drop=True)[["ahead", "behind", "gap", "tipping_weight", "change", "method"]]
    out.attrs.update({"node": node, "peer_group": peer_group, "nominal_weight": t0})
    return out


def _bisect_crossings(model, node, peer_group, t0, ia, ib) -> np.ndarray:
    """Weight nearest ``t0`` at which the score gap of each pair changes sign (NaN: none)."""
    grid = np.unique(np.r_[np.linspace(0.0, 1.0, _SEARCH_GRID), t0])
    scores = _pair_scores(model, node, peer_group, grid)
    gap = scores[:, ia] - scores[:, ib]  # grid × pairs
    k0 = int(np.flatnonzero(grid == t0)[0])
    sign0 = np.sign(gap[k0])
    opposite = np.sign(gap) == -sign0[None, :]  # never true for a pair tied now (sign 0)
    up, down = opposite[k0 + 1:], opposite[:k0][::-1]
    has_up, has_down = up.any(axis=0), down.any(axis=0)
    k_up = k0 + 1 + np.argmax(up, axis=0) if up.size else np.full(ia.size, k0)
    k_down = k0 - 1 - np.argmax(down, axis=0) if down.size else np.full(ia.size, k0)
    use_up = np.where(has_up, grid[np.minimum(k_up, grid.size - 1)] - t0, np.inf) <= \
        np.where(has_down, t0 - grid[np.maximum(k_down, 0)], np.inf)
    hi = np.where(use_up, grid[np.minimum(k_up, grid.size - 1)], grid[np.maximum(k_down, 0)])
    lo = np.where(use_up, grid[np.minimum(k_up, grid.size - 1) - 1], grid[np.minimum(np.maximum(k_down, 0) + 1,
                                                                                     grid.size - 1)])
    todo = has_up | has_down
    for _ in range(_BISECT_STEPS):
        idx = np.flatnonzero(todo)
        if idx.size == 0:
            break
        mid = 0.5 * (lo[idx] + hi[idx])
        s = _pair_scores(model, node, peer_group, mid)  # one run per pair
        g = s[np.arange(idx.size), ia[idx]] - s[np.arange(idx.size), ib[idx]]
        same = np.sign(g) == sign0[idx]
        lo[idx] = np.where(same, mid, lo[idx])
        hi[idx] = np.where(same, hi[idx], mid)
    out = np.where(todo, 0.5 * (lo + hi), np.nan)
    return np.where(sign0 == 0, t0, out)


# ---------------------------------------------------------------------------------------
# Comparing schemes
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SchemeComparison:
    """Result of :func:`compare_schemes`.

    Attributes
    ----------
    ranks, scores : DataFrame
        Units (index ``unit_id``, with ``peer_group``) × schemes.
    agreement : DataFrame
        ``scheme, peer_group, n_units, spearman_rho, kendall_tau_b, weighted_spearman,
        ws_similarity, n_changed`` (units whose rank differs) against the reference.
    weights : DataFrame
        Leaves × schemes: relative leaf weights (the framework's: reference weights).
    reference : str
    """

    ranks: pd.DataFrame
    scores: pd.DataFrame
    agreement: pd.DataFrame
    weights: pd.DataFrame
    reference: str


def compare_schemes(model: ScoringModel, schemes, *, reference: str | None = None) -> SchemeComparison:
    """Rank the units under each weighting scheme and compare each ranking with a reference.

    Parameters
    ----------
    model : ScoringModel
    schemes : sequence of names, or mapping name → scheme
        As for :class:`~evalkit.sensitivity.specs.AlternativeSchemes` (e.g. the mapping
        :func:`~evalkit.sensitivity.schemes.load_schemes` reads).
    reference : str, optional
        The scheme the others are compared with; default the first.

    Returns
    -------
    SchemeComparison
        Agreement per peer group (ranks are within groups): Spearman's ρ, Kendall's τ-b,
        weighted Spearman ``r_W`` and WS similarity of each scheme's ranking to the
        reference's (:func:`~evalkit.sensitivity.ranks.ranking_agreement`; WS is
        asymmetric, the reference first). Units without a score are left out.
    """
    from .schemes import scheme_base, scheme_weights

    if isinstance(schemes, Mapping):
        named = {str(k): v for k, v in schemes.items()}
    else:
        named = {str(s): s for s in schemes}
    if not named:
        raise SensitivityError("give at least one scheme")
    ref = reference if reference is not None else next(iter(named))
    if ref not in named:
        raise SensitivityError(f"reference {ref!r} is not among the schemes {list(named)}")
    bases, weights = [None], {}
    index = {}
    for name, spec in named.items():
        try:
            base = scheme_base(model, spec)
            weights[name] = scheme_weights(model, spec)
        except SensitivityError as exc:
            raise SensitivityError(f"scheme {name!r}: {exc}") from None
        if base is None:
            index[name] = 0
        else:
            bases.append(base)
            index[name] = len(bases) - 1
    reps = model.nominal_replications(len(named))
    reps.scheme[:] = [index[name] for name in named]
    runs = model.run(reps, bases)
    ids = model.unit_ids
    ranks = pd.DataFrame(runs.ranks.T, index=ids, columns=list(named))
    scores = pd.DataFrame(runs.scores.T, index=ids, columns=list(named))
    ranks.insert(0, "peer_group", model.units["peer_group"].to_numpy())
    scores.insert(0, "peer_group", model.units["peer_group"].to_numpy())
    rows = []
    for name in named:
        for group in model.peer_groups:
            in_group = (ranks["peer_group"] == group).to_numpy()
            a, b = ranks.loc[in_group, ref], ranks.loc[in_group, name]
            keep = (a.notna() & b.notna()).to_numpy()
            a, b = a[keep], b[keep]
            row = {"scheme": name, "peer_group": group, "n_units": int(keep.sum())}
            if keep.sum() >= 2:
                row.update(ranking_agreement(a, b).to_dict())
            row["n_changed"] = int((a != b).sum())
            rows.append(row)
    agreement = pd.DataFrame(rows)
    for name in named:
        ranks[name] = ranks[name].astype("Int64")
    return SchemeComparison(ranks=ranks, scores=scores, agreement=agreement,
                            weights=pd.DataFrame(weights, index=pd.Index(model.leaves, name="leaf")), reference=ref)
