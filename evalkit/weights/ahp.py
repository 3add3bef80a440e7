"""Analytic Hierarchy Process (AHP): weights from pairwise comparisons, consistency, groups.

A pairwise comparison matrix ``A`` holds in cell ``(i, j)`` how many times criterion ``i``
matters more than criterion ``j`` on Saaty's 1–9 scale; it is positive, reciprocal
(``a_ji = 1 / a_ij``) and has ones on the diagonal. Pass it as a square numpy array or as a
DataFrame whose index and columns are the criterion names in the same order (the weights
then come back as a Series indexed by those names).

Conventions
-----------
* ``method="eigenvector"``: weights are the principal (Perron) right eigenvector of ``A``,
  normalised to sum to 1 (Saaty, 1977; 1980).
* ``method="geometric"``: weights are the row geometric means of ``A``, normalised to sum
  to 1 (the logarithmic least-squares solution; Crawford & Williams, 1985).
* ``lambda_max`` is always the principal eigenvalue of ``A`` itself, whichever weighting
  method is chosen, so CI and CR describe the judgments, not the method:
  ``CI = (lambda_max - n) / (n - 1)`` and ``CR = CI / RI(n)`` (Saaty, 1980). For n ≤ 2
  every reciprocal matrix is consistent and CI = CR = 0.
* A :class:`ConsistencyWarning` is issued when ``CR >= 0.1`` (Saaty's 10 % rule), naming the
  judgment that departs most from the derived weights.

Random index tables (``random_index=``)
--------------------------------------
``"saaty1980"`` (default)
    Saaty (1980), n = 1..15: 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51,
    1.48, 1.56, 1.57, 1.59 (the non-monotone 1.48 at n = 12 is in the original table).
``"saaty2005"``
    Saaty's later estimates, n = 3..15: 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49,
    1.52, 1.54, 1.56, 1.58, 1.59 (Saaty, 2005, *Theory and Applications of the Analytic
    Network Process*, p. 31).
``"donegan_dodd1991"``
    Donegan & Dodd (1991), n = 3..20: 0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171,
    1.3733, 1.4055, 1.4213, 1.4497, 1.4643, 1.4822, 1.4969, 1.5078, 1.5153, 1.5262, 1.5313,
    1.5371.
A mapping ``{n: RI}`` may be given instead, e.g. the Alonso & Lamata (2006) estimates
copied from their paper. (That table is not built in: its values could not be checked
against the paper when this module was written.)

References
----------
Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures. *Journal of
Mathematical Psychology* 15(3), 234–281.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill, New York.
Saaty, T. L. (2008). Decision making with the analytic hierarchy process. *International
Journal of Services Sciences* 1(1), 83–98.
Crawford, G. & Williams, C. (1985). A note on the analysis of subjective judgment matrices.
*Journal of Mathematical Psychology* 29(4), 387–405.
Donegan, H. A. & Dodd, F. J. (1991). A note on Saaty's random indexes. *Mathematical and
Computer Modelling* 15(10), 135–137.
Alonso, J. A. & Lamata, M. T. (2006). Consistency in the analytic hierarchy process: a new
approach. *International Journal of Uncertainty, Fuzziness and Knowledge-Based Systems*
14(4), 445–459.
Aczél, J. & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements. *Journal of
Mathematical Psychology* 27(1), 93–102.
Forman, E. & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research* 108(1), 165–169.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from ..errors import EvalkitError

__all__ = [
    "AHPResult",
    "ConsistencyWarning",
    "GroupAHPResult",
    "PairwiseMatrixError",
    "RANDOM_INDEX",
    "ahp_weights",
    "group_ahp",
]

RANDOM_INDEX: Mapping[str, Mapping[int, float]] = MappingProxyType({
    "saaty1980": MappingProxyType(dict(zip(range(1, 16), (
        0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)))),
    "saaty2005": MappingProxyType(dict(zip(range(1, 16), (
        0.0, 0.0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59)))),
    "donegan_dodd1991": MappingProxyType(dict(zip(range(1, 21), (
        0.0, 0.0, 0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055, 1.4213,
        1.4497, 1.4643, 1.4822, 1.4969, 1.5078, 1.5153, 1.5262, 1.5313, 1.5371)))),
})

_METHODS = ("eigenvector", "geometric")


class ConsistencyWarning(UserWarning):
    """Pairwise judgments are not acceptably consistent (CR ≥ the threshold, default 0.1)."""


class PairwiseMatrixError(EvalkitError, ValueError):
    """A pairwise comparison matrix is not square, positive and reciprocal with a unit diagonal."""


@dataclass(frozen=True, eq=False)
class AHPResult:
    """Priorities and consistency of one pairwise comparison matrix.

    Attributes
    ----------
    weights : Series or ndarray
        Priorities, summing to 1 (a Series indexed by criterion when the matrix was a
        DataFrame).
    lambda_max : float
        Principal eigenvalue of the matrix.
    ci : float
        Consistency index ``(lambda_max - n) / (n - 1)`` (0 for n ≤ 2).
    cr : float
        Consistency ratio ``ci / ri`` (0 for n ≤ 2).
    ri : float
        Random index used (NaN for n ≤ 2, where it is not needed).
    method : str
        ``"eigenvector"`` or ``"geometric"``.
    random_index : str
        Name of the random index table (``"custom"`` for a user mapping).
    matrix : DataFrame or ndarray
        The validated comparison matrix the results were computed from.
    """

    weights: pd.Series | np.ndarray
    lambda_max: float
    ci: float
    cr: float
    ri: float
    method: str
    random_index: str
    matrix: pd.DataFrame | np.ndarray

    @property
    def n(self) -> int:
        """Number of criteria compared."""
        return int(np.shape(self.matrix)[0])

    def consistent(self, threshold: float = 0.1) -> bool:
        """True when ``cr < threshold`` (Saaty's 10 % rule by default)."""
        return bool(self.cr < threshold)


@dataclass(frozen=True, eq=False)
class GroupAHPResult:
    """Group priorities from several experts' pairwise comparison matrices.

    Attributes
    ----------
    weights : Series or ndarray
        Group priorities, summing to 1.
    method : str
        ``"aij"`` (aggregation of individual judgments) or ``"aip"`` (aggregation of
        individual priorities).
    matrix : DataFrame, ndarray or None
        AIJ: the aggregated matrix (weighted geometric mean of the judgments, itself
        reciprocal). AIP: None.
    lambda_max, ci, cr : float or None
        Consistency of the aggregated matrix (AIJ); None for AIP, which has no group matrix.
    individual : tuple of AHPResult
        Each expert's own priorities and consistency, in input order.
    experts : tuple
        Expert identifiers (mapping keys, or 0..k-1 for a sequence).
    expert_weights : ndarray
        Weight of each expert, normalised to sum to 1.
    aip_mean : str or None
        AIP only: ``"arithmetic"`` or ``"geometric"``.
    """

    weights: pd.Series | np.ndarray
    method: str
    matrix: pd.DataFrame | np.ndarray | None
    lambda_max: float | None
    ci: float | None
    cr: float | None
    individual: tuple[AHPResult, ...]
    experts: tuple
    expert_weights: np.ndarray
    aip_mean: str | None = None


def ahp_weights(matrix, method: str = "eigenvector", random_index="saaty1980", *,
                cr_threshold: float = 0.1, reciprocal_tol: float = 1e-2) -> AHPResult:
    """Priorities and consistency ratio of a pairwise comparison matrix (Saaty, 1980).

    Parameters
    ----------
    matrix : array-like or DataFrame, shape (n, n)
        Positive reciprocal matrix with ones on the diagonal; cell ``(i, j)`` says how many
        times criterion ``i`` matters more than ``j``. A DataFrame must have the same labels,
        in the same order, on its index and columns.
    method : {"eigenvector", "geometric"}
        Principal right eigenvector (Saaty) or normalised row geometric means (Crawford &
        Williams, 1985).
    random_index : str or mapping
        ``"saaty1980"`` (default), ``"saaty2005"``, ``"donegan_dodd1991"``, or a mapping
        ``{n: RI}``; see the module docstring.
    cr_threshold : float, default 0.1
        A :class:`ConsistencyWarning` is issued when ``cr >= cr_threshold``.
    reciprocal_tol : float, default 0.01
        Largest accepted ``|a_ij · a_ji - 1|`` (so 0.333 for 1/3 is accepted, 0.3 is not).
        The matrix is used as given, not symmetrised.

    Returns
    -------
    AHPResult
        ``weights`` (sum 1), ``lambda_max``, ``ci``, ``cr`` and the working.

    Raises
    ------
    PairwiseMatrixError
        If the matrix is not square, not positive and finite, has a diagonal entry other
        than 1, or is not reciprocal; the message names the offending cell.
    """
    values, labels = _pairwise(matrix, reciprocal_tol)
    result = _ahp(values, labels, method, random_index)
    if result.cr >= cr_threshold:
        warnings.warn(_consistency_message(result, cr_threshold), ConsistencyWarning, stacklevel=2)
    return result


def group_ahp(matrices, weights=None, method: str = "aij", *, priority: str = "eigenvector",
              aip_mean: str = "arithmetic", random_index="saaty1980", cr_threshold: float = 0.1,
              reciprocal_tol: float = 1e-2) -> GroupAHPResult:
    """Group AHP: combine several experts' comparisons of the same criteria.

    Two aggregation rules (Forman & Peniwati, 1998):

    * ``method="aij"`` — aggregation of individual judgments, for a group that acts as one
      unit. Each cell of the group matrix is the weighted geometric mean of the experts'
      judgments, ``a_ij = Π_k a_ij^(k)^λ_k`` (Σ λ_k = 1), the only mean that keeps the
      group matrix reciprocal (Aczél & Saaty, 1983). Priorities and CR then come from that
      matrix.
    * ``method="aip"`` — aggregation of individual priorities, for experts who act as
      separate individuals. Each expert's priority vector is derived first; the group vector
      is their weighted arithmetic mean ``w_i = Σ_k λ_k w_i^(k)`` (``aip_mean="arithmetic"``,
      the default) or their weighted geometric mean renormalised to sum to 1
      (``aip_mean="geometric"``). Forman & Peniwati allow either mean for AIP.

    Parameters
    ----------
    matrices : sequence or mapping of pairwise matrices
        One matrix per expert, all of the same size (and labels, for DataFrames). A mapping
        from expert name to matrix names the experts in warnings and in the result.
    weights : None, sequence or mapping
        Weight of each expert (non-negative, not all zero; normalised to sum to 1). ``None``
        gives every expert the same weight.
    method : {"aij", "aip"}
    priority : {"eigenvector", "geometric"}
        How each matrix's priorities are derived (see :func:`ahp_weights`).
    aip_mean : {"arithmetic", "geometric"}
        AIP only: which weighted mean of the priority vectors.
    random_index, cr_threshold, reciprocal_tol
        As in :func:`ahp_weights`. One :class:`ConsistencyWarning` lists every expert whose
        CR reaches the threshold; another is issued if the AIJ group matrix does.

    Returns
    -------
    GroupAHPResult
    """
    if method not in ("aij", "aip"):
        raise ValueError(f"method must be 'aij' or 'aip'; got {method!r}")
    if aip_mean not in ("arithmetic", "geometric"):
        raise ValueError(f"aip_mean must be 'arithmetic' or 'geometric'; got {aip_mean!r}")
    if isinstance(matrices, Mapping):
        experts = tuple(matrices.keys())
        items = list(matrices.values())
    else:
        items = list(matrices)
        experts = tuple(range(len(items)))
    if not items:
        raise ValueError("group_ahp needs at least one matrix")

    parsed = []
    for expert, m in zip(experts, items):
        try:
            parsed.append(_pairwise(m, reciprocal_tol))
        except PairwiseMatrixError as exc:
            raise PairwiseMatrixError(f"expert {expert!r}: {exc}") from None
    values0, labels = parsed[0]
    for expert, (values, lab) in zip(experts, parsed):
        if values.shape != values0.shape:
            raise PairwiseMatrixError(f"expert {expert!r}: matrix is {values.shape[0]}×{values.shape[0]}, "
                                      f"expected {values0.shape[0]}×{values0.shape[0]} like the first")
        if (lab is None) != (labels is None) or (lab is not None and list(lab) != list(labels)):
            raise PairwiseMatrixError(f"expert {expert!r}: criteria labels differ from the first matrix's")

    lam = _expert_weights(weights, experts)
    individual = tuple(_ahp(v, lab, priority, random_index) for v, lab in parsed)
    weak = [f"{e!r} (CR = {r.cr:.3f})" for e, r in zip(experts, individual) if r.cr >= cr_threshold]
    if weak:
        warnings.warn(f"{len(weak)} of {len(experts)} experts' judgments have CR ≥ {cr_threshold:g}: "
                      + ", ".join(weak), ConsistencyWarning, stacklevel=2)

    if method == "aij":
        logs = np.stack([np.log(v) for v, _ in parsed])
        group = np.exp(np.tensordot(lam, logs, axes=1))
        result = _ahp(group, labels, priority, random_index)
        if result.cr >= cr_threshold:
            warnings.warn("group matrix (AIJ): " + _consistency_message(result, cr_threshold),
                          ConsistencyWarning, stacklevel=2)
        return GroupAHPResult(weights=result.weights, method="aij", matrix=result.matrix,
                              lambda_max=result.lambda_max, ci=result.ci, cr=result.cr,
                              individual=individual, experts=experts, expert_weights=lam)

    vectors = np.stack([np.asarray(r.weights, dtype=float) for r in individual])
    if aip_mean == "arithmetic":
        w = lam @ vectors
    else:
        w = np.exp(lam @ np.log(vectors))
    w = w / w.sum()
    return GroupAHPResult(weights=_wrap_weights(w, labels), method="aip", matrix=None,
                          lambda_max=None, ci=None, cr=None, individual=individual,
                          experts=experts, expert_weights=lam, aip_mean=aip_mean)


# ---------------------------------------------------------------------------------------


def _ahp(values: np.ndarray, labels, method: str, random_index) -> AHPResult:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    n = values.shape[0]
    lambda_max, eigvec = _principal_eigen(values)
    if method == "eigenvector":
        w = eigvec
    else:
        w = np.exp(np.mean(np.log(values), axis=1))
        w = w / w.sum()
    name, table = _random_index_table(random_index)
    if n <= 2:
        ci, cr, ri = 0.0, 0.0, float("nan")
    else:
        # λmax ≥ n for any positive reciprocal matrix; clip floating-point noise below n.
        ci = max((lambda_max - n) / (n - 1), 0.0)
        if n not in table:
            raise ValueError(f"the {name} random index table has no value for n = {n} "
                             f"(it covers n = {min(table)}..{max(table)}); pass random_index="
                             "{n: RI, ...} with a published value")
        ri = float(table[n])
        cr = ci / ri
    matrix = pd.DataFrame(values, index=labels, columns=labels) if labels is not None else values
    return AHPResult(weights=_wrap_weights(w, labels), lambda_max=float(lambda_max), ci=float(ci),
                     cr=float(cr), ri=ri, method=method, random_index=name, matrix=matrix)


def _principal_eigen(values: np.ndarray) -> tuple[float, np.ndarray]:
    """Perron root and its eigenvector (positive, summing to 1) of a positive matrix."""
    eigenvalues, eigenvectors = np.linalg.eig(values)
    k = int(np.argmax(eigenvalues.real))
    vec = np.abs(eigenvectors[:, k].real)  # the Perron vector has one sign; fix it
    return float(eigenvalues[k].real), vec / vec.sum()


def _random_index_table(random_index) -> tuple[str, Mapping[int, float]]:
    if isinstance(random_index, str):
        try:
            return random_index, RANDOM_INDEX[random_index]
        except KeyError:
            raise ValueError(f"unknown random index table {random_index!r}; choose one of "
                             f"{sorted(RANDOM_INDEX)} or pass a mapping {{n: RI}}") from None
    if isinstance(random_index, Mapping):
        table = {int(k): float(v) for k, v in random_index.items()}
        bad = [k for k, v in table.items() if k >= 3 and not v > 0]
        if bad:
            raise ValueError(f"random index must be positive for n ≥ 3; check n = {bad}")
        return "custom", table
    raise TypeError("random_index must be a table name or a mapping {n: RI}")


def _pairwise(matrix, tol: float) -> tuple[np.ndarray, list | None]:
    """Validate a pairwise comparison matrix; return it as floats with its labels (or None)."""
    labels = None
    if isinstance(matrix, pd.DataFrame):
        if list(matrix.index) != list(matrix.columns):
            raise PairwiseMatrixError("the row labels and column labels of a pairwise matrix must be "
                                      f"the same criteria in the same order; got rows {list(matrix.index)} "
                                      f"and columns {list(matrix.columns)}")
        labels = list(matrix.columns)
        if len(set(labels)) != len(labels):
            raise PairwiseMatrixError(f"criterion labels must be unique; got {labels}")
        try:
            values = matrix.to_numpy(dtype="float64")
        except (TypeError, ValueError) as exc:
            raise PairwiseMatrixError(f"pairwise matrix holds non-numeric values: {exc}") from None
    else:
        try:
            values = np.array(matrix, dtype="float64")
        except (TypeError, ValueError) as exc:
            raise PairwiseMatrixError(f"pairwise matrix holds non-numeric values: {exc}") from None
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] == 0:
        raise PairwiseMatrixError(f"a pairwise matrix must be square and non-empty; got shape {values.shape}")

    def cell(i, j):
        if labels is not None:
            return f"[{labels[i]!r}, {labels[j]!r}]"
        return f"(row {i + 1}, column {j + 1})"

    n = values.shape[0]
    for i in range(n):
        for j in range(n):
            v = values[i, j]
            if not np.isfinite(v) or v <= 0:
                raise PairwiseMatrixError(f"cell {cell(i, j)} is {v:g}; every judgment must be a "
                                          "positive finite number")
    for i in range(n):
        if abs(values[i, i] - 1.0) > tol:
            raise PairwiseMatrixError(f"diagonal cell {cell(i, i)} is {values[i, i]:g}; a criterion "
                                      "compared with itself must be 1")
    for i in range(n):
        for j in range(i + 1, n):
            product = values[i, j] * values[j, i]
            if abs(product - 1.0) > tol:
                raise PairwiseMatrixError(
                    f"cell {cell(i, j)} is {values[i, j]:g} but cell {cell(j, i)} is {values[j, i]:g}; "
                    f"they must be reciprocal (product 1, found {product:g}); enter 1/{values[i, j]:g} "
                    "exactly, or as a fraction with at least three decimals")
    return values, labels


def _expert_weights(weights, experts: tuple) -> np.ndarray:
    k = len(experts)
    if weights is None:
        return np.full(k, 1.0 / k)
    if isinstance(weights, (Mapping, pd.Series)):
        missing = [e for e in experts if e not in weights]
        if missing:
            raise ValueError(f"no weight given for experts {missing!r}")
        lam = np.array([weights[e] for e in experts], dtype=float)
    else:
        lam = np.asarray(weights, dtype=float).ravel()
        if lam.size != k:
            raise ValueError(f"got {lam.size} expert weights for {k} matrices")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0) or lam.sum() <= 0:
        raise ValueError("expert weights must be finite, non-negative and not all zero")
    return lam / lam.sum()


def _wrap_weights(w: np.ndarray, labels):
    if labels is not None:
        return pd.Series(w, index=pd.Index(labels), name="weight")
    return np.asarray(w, dtype=float)


def _consistency_message(result: AHPResult, threshold: float) -> str:
    values = np.asarray(result.matrix, dtype=float)
    w = np.asarray(result.weights, dtype=float)
    # The judgment furthest from the ratio the weights imply, on a log scale.
    deviation = np.abs(np.log(values * w[None, :] / w[:, None]))
    i, j = np.unravel_index(int(np.argmax(deviation)), deviation.shape)
    if isinstance(result.matrix, pd.DataFrame):
        labels = list(result.matrix.columns)
        where = f"[{labels[i]!r}, {labels[j]!r}]"
    else:
        where = f"(row {i + 1}, column {j + 1})"
    return (f"consistency ratio CR = {result.cr:.3f} ≥ {threshold:g} (n = {result.n}, "
            f"{result.random_index} random index {result.ri:g}); the judgments are not "
            f"acceptably consistent. The judgment furthest from the derived weights is cell "
            f"{where} = {values[i, j]:g}, where the weights imply {w[i] / w[j]:.3g}.")
