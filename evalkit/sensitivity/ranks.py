"""Comparing rankings, and summarising ranks and grades over many replications.

Two rankings of the same units (by two weighting schemes, two normalisations, two years)
are compared with four coefficients:

* :func:`spearman_rho` — Spearman's ρ, the Pearson correlation of the (mid-)ranks;
* :func:`kendall_tau` — Kendall's τ-b, from concordant and discordant pairs, tie-corrected;
* :func:`weighted_spearman` — ``r_W`` of Pinto da Costa & Soares (2005), a Spearman-type
  coefficient that counts disagreements near the top more than near the bottom;
* :func:`ws_similarity` — the WS coefficient of Sałabun & Urbaniak (2020), an asymmetric
  similarity of a ranking to a *reference* ranking that weights position ``r`` by ``2^−r``.

:func:`ranking_agreement` gives all four at once. For uncertainty analysis (many
replications of the whole index under perturbed choices), :func:`rank_summary` summarises
each unit's ranks and :func:`grade_probabilities` the frequency of each grade.

Conventions
-----------
* A *ranking* gives each unit its position, **1 = best** (evalkit's convention, see
  :mod:`evalkit.scoring.grades`). ``r_W`` and WS need rankings on this scale (values in
  ``[1, n]``); ρ and τ-b only use the order, so scores (higher = better) compared with
  scores give the same values as the rankings they induce — but do not compare a ranking
  with scores: their orders run opposite ways.
* Inputs may be numpy arrays or pandas Series; two Series are aligned on their index
  (which must hold the same units).
* Ties: ρ ranks ties with mid-ranks (:func:`scipy.stats.spearmanr`); τ-b corrects for ties
  in either ranking (:func:`scipy.stats.kendalltau`, ``variant="b"``). ``r_W`` and WS were
  defined for rankings without ties; with ties their formulas are applied to the values as
  given (e.g. evalkit's "1224" competition ranks), and the bounds below are then not
  guaranteed for ``r_W``.

References
----------
.. [S04] Spearman, C. (1904). The proof and measurement of association between two things.
   *American Journal of Psychology* 15(1), 72–101.
.. [K45] Kendall, M. G. (1945). The treatment of ties in ranking problems. *Biometrika*
   33(3), 239–251 (τ-b).
.. [PS05] Pinto da Costa, J. & Soares, C. (2005). A weighted rank measure of correlation.
   *Australian & New Zealand Journal of Statistics* 47(4), 515–529.
.. [DMV13] Dancelli, L., Manisera, M. & Vezzoli, M. (2013). On two classes of weighted rank
   correlation measures deriving from the Spearman's ρ. In *Statistical Models for Data
   Analysis*, Springer, 107–114.
.. [SU20] Sałabun, W. & Urbaniak, K. (2020). A new coefficient of rankings similarity in
   decision-making problems. In *Computational Science – ICCS 2020*, LNCS 12138,
   Springer, 632–645. doi:10.1007/978-3-030-50417-5_47.
.. [SST05] Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity
   analysis techniques as tools for the quality assessment of composite indicators.
   *Journal of the Royal Statistical Society A* 168(2), 307–323.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import SensitivityError

__all__ = [
    "spearman_rho",
    "kendall_tau",
    "weighted_spearman",
    "ws_similarity",
    "ranking_agreement",
    "rank_summary",
    "grade_probabilities",
]


def _pair(x, y, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Two equally long, complete, numeric 1-D vectors (Series aligned on their index)."""
    if isinstance(x, pd.Series) and isinstance(y, pd.Series):
        if not x.index.equals(y.index):
            if set(x.index) != set(y.index) or x.index.has_duplicates or y.index.has_duplicates:
                raise SensitivityError(f"{names[0]} and {names[1]} must rank the same units "
                                       "(their indexes differ)")
            y = y.reindex(x.index)
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    if a.ndim != 1 or b.ndim != 1:
        raise SensitivityError(f"{names[0]} and {names[1]} must be 1-D rankings")
    if a.size != b.size:
        raise SensitivityError(f"{names[0]} and {names[1]} rank different numbers of units "
                               f"({a.size} and {b.size})")
    if a.size < 2:
        raise SensitivityError("need at least two units to compare rankings")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise SensitivityError("rankings must be complete (no missing values)")
    return a, b


def _check_positions(r: np.ndarray, name: str) -> None:
    n = r.size
    if r.min() < 1 or r.max() > n:
        raise SensitivityError(f"{name} must be a ranking with positions 1 … {n} (1 = best); "
                               f"found values from {r.min():g} to {r.max():g}")


def spearman_rho(x, y) -> float:
    """Spearman's rank correlation ρ of two rankings (or two score vectors).

    ``ρ`` is the Pearson correlation of the ranks, ties given their mid-rank; without ties
    it equals ``1 − 6 Σ (x_i − y_i)² / (n(n² − 1))``. In ``[−1, 1]``: 1 for identical orders,
    −1 for reversed ones. Computed with :func:`scipy.stats.spearmanr`.

    Parameters
    ----------
    x, y : array-like or Series, length n ≥ 2
        Rankings (1 = best) or scores, both of the same kind.

    Returns
    -------
    float
        NaN when either vector is constant.

    References
    ----------
    Spearman, C. (1904). *American Journal of Psychology* 15(1), 72–101.
    """
    a, b = _pair(x, y, ("x", "y"))
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.spearmanr(a, b).statistic)


def kendall_tau(x, y) -> float:
    """Kendall's τ-b of two rankings (or two score vectors), corrected for ties.

    ``τ_b = (C − D) / sqrt((C + D + T_x)(C + D + T_y))`` with ``C`` and ``D`` the numbers
    of concordant and discordant pairs of units and ``T_x`` (``T_y``) the pairs tied in
    ``x`` only (``y`` only). Without ties it is ``(C − D) / (n(n − 1)/2)``. In ``[−1, 1]``.
    Computed with :func:`scipy.stats.kendalltau` (``variant="b"``).

    Returns
    -------
    float
        NaN when either vector is constant.

    References
    ----------
    Kendall, M. G. (1945). The treatment of ties in ranking problems. *Biometrika* 33(3),
    239–251.
    """
    a, b = _pair(x, y, ("x", "y"))
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.kendalltau(a, b, variant="b").statistic)


def weighted_spearman(x, y) -> float:
    """Weighted rank correlation ``r_W`` of Pinto da Costa & Soares (2005).

    ::

        r_W = 1 − 6 Σ_i (x_i − y_i)² [(n − x_i + 1) + (n − y_i + 1)] / (n⁴ + n³ − n² − n)

    Each squared rank difference is weighted by how near the top the unit is in *both*
    rankings, so a swap at the top lowers ``r_W`` more than the same swap at the bottom.
    Symmetric in ``x`` and ``y``; 1 for identical rankings and −1 for reversed ones. This is
    the formula pymcdm calls ``weighted_spearman`` (``rw``) and uses in the MCDA literature
    (e.g. Sałabun & Urbaniak, 2020). Dancelli, Manisera & Vezzoli (2013) study further
    weighted versions of Spearman's ρ with other weighting schemes; this function is
    Pinto da Costa & Soares' ``r_W`` only.

    Parameters
    ----------
    x, y : array-like or Series, length n ≥ 2
        Rankings with positions in ``[1, n]``, 1 = best (scores would be weighted the wrong
        way round).

    References
    ----------
    Pinto da Costa, J. & Soares, C. (2005). *Australian & New Zealand Journal of Statistics*
    47(4), 515–529.
    Dancelli, L., Manisera, M. & Vezzoli, M. (2013). In *Statistical Models for Data
    Analysis*, Springer, 107–114.
    Sałabun, W. & Urbaniak, K. (2020). *ICCS 2020*, LNCS 12138, 632–645 (worked example).
    """
    a, b = _pair(x, y, ("x", "y"))
    _check_positions(a, "x")
    _check_positions(b, "y")
    n = a.size
    numerator = 6.0 * np.sum((a - b) ** 2 * ((n - a + 1) + (n - b + 1)))
    return float(1.0 - numerator / (n ** 4 + n ** 3 - n ** 2 - n))


def ws_similarity(reference, other) -> float:
    """WS rank-similarity coefficient of ``other`` to ``reference`` (Sałabun & Urbaniak, 2020).

    ::

        WS = 1 − Σ_i 2^(−R_i) · |R_i − Q_i| / max(|R_i − 1|, |R_i − n|)

    with ``R`` the reference ranking and ``Q`` the one compared with it. A unit's
    displacement is scaled by the largest displacement possible from its reference position
    and weighted by ``2^(−R_i)``: what happens at the top of the reference ranking dominates.

    Conventions
    -----------
    * **Asymmetric**: the first argument is the reference (``x`` in the paper and in pymcdm's
      ``rank_similarity_coef(x, y)``); ``ws_similarity(a, b) != ws_similarity(b, a)`` in
      general.
    * In ``(0, 1]`` for rankings of ``n ≥ 2`` units, 1 exactly when they are identical. It is
      a similarity, not a correlation: a reversed ranking does not give −1.

    Parameters
    ----------
    reference, other : array-like or Series, length n ≥ 2
        Rankings with positions in ``[1, n]``, 1 = best.

    References
    ----------
    Sałabun, W. & Urbaniak, K. (2020). A new coefficient of rankings similarity in
    decision-making problems. *ICCS 2020*, LNCS 12138, 632–645.
    """
    r, q = _pair(reference, other, ("reference", "other"))
    _check_positions(r, "reference")
    _check_positions(q, "other")
    n = r.size
    span = np.maximum(np.abs(r - 1), np.abs(r - n))  # ≥ (n − 1)/2 > 0
    return float(1.0 - np.sum(2.0 ** (-r) * np.abs(r - q) / span))


def ranking_agreement(reference, other) -> pd.Series:
    """All four coefficients of two rankings: ``spearman_rho, kendall_tau_b,
    weighted_spearman, ws_similarity`` (WS of ``other`` to ``reference``).

    Both must be rankings with positions in ``[1, n]``, 1 = best.
    """
    return pd.Series({
        "spearman_rho": spearman_rho(reference, other),
        "kendall_tau_b": kendall_tau(reference, other),
        "weighted_spearman": weighted_spearman(reference, other),
        "ws_similarity": ws_similarity(reference, other),
    })


# ---------------------------------------------------------------------------------------
# Summaries over replications
# ---------------------------------------------------------------------------------------


def _replications(table, name: str) -> tuple[np.ndarray, pd.Index]:
    """A (replications × units) array and the unit labels."""
    if isinstance(table, pd.DataFrame):
        return table.to_numpy(), table.columns
    arr = np.asarray(table)
    if arr.ndim != 2:
        raise SensitivityError(f"{name} must be a 2-D table: one row per replication, one column per unit")
    return arr, pd.RangeIndex(arr.shape[1])


def rank_summary(ranks, nominal, *, method: str = "linear") -> pd.DataFrame:
    """Each unit's ranks over many replications, against its nominal rank.

    Parameters
    ----------
    ranks : DataFrame or 2-D array, replications × units
        The rank of every unit (1 = best) in every replication of the index (e.g. under
        randomly drawn weights). A DataFrame's columns name the units.
    nominal : Series or 1-D array, one per unit
        The ranks under the nominal (published) choices. A Series is aligned on the unit
        names.
    method : str, default "linear"
        Percentile method, passed to :func:`numpy.percentile`. The default is linear
        interpolation between order statistics (Hyndman & Fan type 7, R's and COINr's
        default), which can give fractional ranks; ``"inverted_cdf"`` (type 1) gives ranks
        that occurred — use it when the percentiles become integer rank intervals
        (``rank_low = p05``, ``rank_high = p95`` of the results' ``rank_intervals`` table).

    Returns
    -------
    DataFrame
        Indexed by unit: ``nominal_rank``; ``median_rank`` (:func:`numpy.median`: the mean
        of the two middle values for an even number of replications); ``p05`` and ``p95``,
        the 5th and 95th percentiles by ``method``; ``mean_abs_shift``, the mean over
        replications of ``|rank − nominal_rank|`` (Saisana, Saltelli & Tarantola, 2005, use
        its average over units as the summary ``R̄_S`` of a scenario).

    References
    ----------
    Saisana, M., Saltelli, A. & Tarantola, S. (2005). *J. R. Statist. Soc. A* 168(2), 307–323.
    """
    values, units = _replications(ranks, "ranks")
    try:
        values = values.astype(float)
    except (TypeError, ValueError) as exc:
        raise SensitivityError("ranks must be numeric") from exc
    if values.shape[0] < 1 or values.shape[1] < 1:
        raise SensitivityError("ranks must have at least one replication and one unit")
    if not np.all(np.isfinite(values)):
        raise SensitivityError("ranks must be complete (no missing values)")
    if isinstance(nominal, pd.Series) and isinstance(ranks, pd.DataFrame):
        missing = [u for u in units if u not in nominal.index]
        if missing:
            raise SensitivityError(f"no nominal rank for unit(s) {missing[:5]!r}")
        nom = nominal.reindex(units).to_numpy(dtype=float)
    else:
        nom = np.asarray(nominal, dtype=float).ravel()
    if nom.size != values.shape[1]:
        raise SensitivityError(f"got {nom.size} nominal ranks for {values.shape[1]} units")
    p05, p95 = np.percentile(values, [5, 95], axis=0, method=method)
    out = pd.DataFrame({
        "nominal_rank": nom,
        "median_rank": np.median(values, axis=0),
        "p05": p05,
        "p95": p95,
        "mean_abs_shift": np.abs(values - nom[None, :]).mean(axis=0),
    }, index=units)
    out.index.name = "unit"
    out.attrs.update({"n_replications": values.shape[0], "percentile_method": method})
    return out


def grade_probabilities(grades, *, levels: Sequence | None = None) -> pd.DataFrame:
    """How often each unit gets each grade over many replications.

    Parameters
    ----------
    grades : DataFrame or 2-D array, replications × units
        The grade (a band name of the framework's grade rules) of every unit in every replication.
        A DataFrame's columns name the units. Missing grades (None/NaN, e.g. a unit with no
        score) count in no column.
    levels : sequence, optional
        The grades, in the order of the columns (best first, for instance, as in the
        framework's grade bands). Default: the categories of a categorical DataFrame, else
        the grades found, sorted. A grade found but not listed raises an error.

    Returns
    -------
    DataFrame
        Indexed by unit, one column per grade: the share of replications with that grade
        (a row sums to 1 minus the share with a missing grade).
    """
    values, units = _replications(grades, "grades")
    if values.shape[0] < 1:
        raise SensitivityError("grades must have at least one replication")
    flat = pd.Series(values.ravel(order="F"))
    present = flat.dropna()
    if levels is None:
        if isinstance(grades, pd.DataFrame) and all(isinstance(grades[c].dtype, pd.CategoricalDtype)
                                                    for c in grades.columns) and grades.shape[1]:
            levels = list(grades[grades.columns[0]].cat.categories)
        else:
            levels = sorted(present.unique(), key=str)
    levels = list(levels)
    unknown = sorted(set(present.unique()) - set(levels), key=str)
    if unknown:
        raise SensitivityError(f"grade(s) {unknown!r} are not among the levels {levels!r}")
    n_rep = values.shape[0]
    codes = pd.Categorical(flat, categories=levels).codes.reshape(values.shape, order="F")
    counts = np.stack([(codes == k).sum(axis=0) for k in range(len(levels))], axis=1) if levels else \
        np.zeros((values.shape[1], 0))
    out = pd.DataFrame(counts / n_rep, index=units, columns=pd.Index(levels, name="grade"))
    out.index.name = "unit"
    out.attrs["n_replications"] = n_rep
    return out
