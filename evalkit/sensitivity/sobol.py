"""Variance-based (Sobol') sensitivity indices: the Saltelli design, the Saltelli (2010) and
Jansen (1999) estimators, and bootstrap confidence intervals.

For a model ``Y = f(X_1, …, X_d)`` with independent inputs, the variance of ``Y`` splits
into the parts due to each input alone and to their interactions (Sobol', 1993):

* the **first-order index** ``S_i = V[E(Y | X_i)] / V(Y)`` is the share of the output
  variance that ``X_i`` explains on its own — the expected reduction of the variance if
  ``X_i`` were fixed;
* the **total index** ``S_Ti = E[V(Y | X_~i)] / V(Y) = 1 − V[E(Y | X_~i)] / V(Y)`` is the
  share that would remain if every input *but* ``X_i`` were fixed: ``X_i``'s first-order
  effect plus all its interactions (Homma & Saltelli, 1996).

``S_Ti ≥ S_i``; ``S_Ti = 0`` exactly when ``X_i`` does not matter; ``Σ S_i ≤ 1`` with
equality for an additive model, and ``S_Ti − S_i`` measures how much ``X_i`` acts through
interactions.

Design (Saltelli et al., 2010, §3)
----------------------------------
Draw an ``N × 2d`` matrix of points in the unit hypercube (pseudo-random, or a scrambled
Sobol' sequence) and split it into two independent ``N × d`` matrices ``A`` (left half)
and ``B`` (right half). For each input ``i`` build ``A_B^(i)``: all columns from ``A``
except the ``i``-th, which comes from ``B``. The model is run on ``A``, ``B`` and the
``d`` matrices ``A_B^(i)``: ``N(d + 2)`` runs in all.

Estimators (Saltelli et al., 2010, Table 2)
-------------------------------------------
With ``f(M)_j`` the output of row ``j`` of matrix ``M``::

    V_i  ≈ (1/N)  Σ_j f(B)_j · [f(A_B^(i))_j − f(A)_j]          (Saltelli et al. 2010, Table 2 (b))
    V_Ti ≈ (1/2N) Σ_j [f(A)_j − f(A_B^(i))_j]²                   (Jansen 1999; Table 2 (f))
    V(Y) ≈ variance (divisor 2N) of the 2N outputs f(A) and f(B)
    S_i = V_i / V(Y),   S_Ti = V_Ti / V(Y)

These are the estimators that Saltelli et al. (2010) recommend, and the ones SALib uses
(``SALib.analyze.sobol``).

Conventions
-----------
* Each output is first centred on the mean of its ``2N`` values ``f(A), f(B)``. This
  leaves ``V_Ti`` and ``V(Y)`` unchanged and makes ``S_i`` invariant to adding a constant to
  the output (the raw ``V_i`` estimator is not: its Monte Carlo error grows with the
  output's squared mean, which matters for outputs such as ranks whose mean is
  ``(n + 1)/2``). SALib standardises its outputs in the same way.
* Estimates are not clipped: ``S_i`` can come out slightly negative, or slightly above
  ``S_Ti``, through Monte Carlo error.
* For an input the model ignores, ``f(A_B^(i)) = f(A)`` row by row, so both estimates are
  exactly 0, in every bootstrap replicate too (an interval of ``[0, 0]``).
* An output that does not vary at all over the ``2N`` runs ``A, B`` (for example the rank
  of a unit that is first whatever the weights) has no variance to share: its indices are
  NaN.
* Bootstrap: the ``N`` rows are resampled with replacement (row ``j`` keeps its outputs
  ``f(A)_j, f(B)_j, f(A_B^(i))_j`` for every ``i`` together, and every output is resampled
  with the same rows), the indices are recomputed on each of ``n_boot`` resamples, and the
  interval is the percentile interval ``[q_(1−c)/2, q_(1+c)/2]`` of the replicates (numpy's
  default linear interpolation, Hyndman & Fan type 7) at confidence level ``c`` (Archer,
  Saltelli & Sobol', 1997; Efron & Tibshirani, 1993, ch. 13). With a quasi-random design
  the bootstrap treats the rows as independent, which they are not; the intervals are then
  a conservative guide to the error, which quasi-random points make smaller.
* Sobol' points (``sampler="sobol"``) come from :class:`scipy.stats.qmc.Sobol` (Joe & Kuo
  direction numbers, scrambled with a linear matrix scramble and digital shift, seeded from
  the generator given). Their balance properties need ``N`` to be a power of two; scipy
  warns otherwise.

References
----------
.. [S93] Sobol', I. M. (1993). Sensitivity estimates for nonlinear mathematical models.
   *Mathematical Modelling and Computational Experiments* 1(4), 407–414.
.. [HS96] Homma, T. & Saltelli, A. (1996). Importance measures in global sensitivity
   analysis of nonlinear models. *Reliability Engineering & System Safety* 52(1), 1–17.
.. [J99] Jansen, M. J. W. (1999). Analysis of variance designs for model output.
   *Computer Physics Communications* 117(1–2), 35–43.
.. [S10] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S.
   (2010). Variance based sensitivity analysis of model output. Design and estimator for
   the total sensitivity index. *Computer Physics Communications* 181(2), 259–270.
.. [S08] Saltelli, A., Ratto, M., Andres, T., Campolongo, F., Cariboni, J., Gatelli, D.,
   Saisana, M. & Tarantola, S. (2008). *Global Sensitivity Analysis: The Primer*. Wiley.
.. [A97] Archer, G. E. B., Saltelli, A. & Sobol', I. M. (1997). Sensitivity measures,
   ANOVA-like techniques and the use of bootstrap. *Journal of Statistical Computation and
   Simulation* 58(2), 99–120.
.. [ET93] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
   Chapman & Hall.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import SensitivityError

__all__ = [
    "SaltelliDesign",
    "SobolAnalysis",
    "saltelli_design",
    "split_outputs",
    "sobol_indices",
    "sobol_analysis",
]

_SAMPLERS = ("random", "sobol")
_INDEX_COLUMNS = ["S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]
# Bytes of the per-row working table (N rows × one column per output and statistic) that
# are built at once; outputs are processed in blocks below this.
_BLOCK_BYTES = 64 * 2**20
_BOOT_CHUNK = 64  # bootstrap replicates whose row counts are drawn at once
_FLAT = 1e-10  # an output whose standard deviation is below this × its magnitude is constant


class SaltelliDesign(NamedTuple):
    """The matrices of the Saltelli (2010) design, in the unit hypercube.

    Unpacks as ``A, B, AB = design``.

    Attributes
    ----------
    A, B : ndarray, shape (N, d)
        Two independent samples.
    AB : ndarray, shape (d, N, d)
        ``AB[i]`` is ``A_B^(i)``: ``A`` with its column ``i`` taken from ``B``.
    """

    A: np.ndarray
    B: np.ndarray
    AB: np.ndarray

    def stacked(self) -> np.ndarray:
        """All ``N(d + 2)`` rows to run the model on: ``A``, then ``B``, then ``AB[0]``, …,
        ``AB[d-1]``. :func:`split_outputs` splits the model's outputs back."""
        n, d = self.A.shape
        return np.concatenate([self.A, self.B, self.AB.reshape(d * n, d)], axis=0)


@dataclass(frozen=True, eq=False)
class SobolAnalysis:
    """Working of :func:`sobol_analysis` (``verbose=True``).

    Attributes
    ----------
    indices : DataFrame
        What :func:`sobol_analysis` returns without ``verbose``.
    design : SaltelliDesign
        The design in the unit hypercube.
    inputs : DataFrame
        The model inputs that were run, one column per input, in the order of
        :meth:`SaltelliDesign.stacked`; indexed by ``(matrix, row)`` with ``matrix`` one of
        ``"A"``, ``"B"`` or ``"AB:<input>"``.
    outputs : ndarray, shape (N(d + 2),) or (N(d + 2), n_outputs)
        The model outputs, in the same order.
    """

    indices: pd.DataFrame
    design: SaltelliDesign
    inputs: pd.DataFrame
    outputs: np.ndarray


# ---------------------------------------------------------------------------------------
# Design
# ---------------------------------------------------------------------------------------


def _generator(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise SensitivityError(f"rng must be a numpy Generator, an integer seed or None; got {rng!r}") from exc


def _positive_int(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise SensitivityError(f"{name} must be an integer ≥ {minimum}; got {value!r}")
    return int(value)


def _unit_sample(n: int, dim: int, rng: np.random.Generator, sampler) -> np.ndarray:
    """An ``n × dim`` sample of the unit hypercube."""
    if isinstance(sampler, str):
        if sampler == "random":
            return rng.random((n, dim))
        if sampler == "sobol":
            from scipy.stats import qmc

            try:
                engine = qmc.Sobol(d=dim, scramble=True, rng=rng)
            except TypeError:  # scipy < 1.15 names the argument ``seed``
                engine = qmc.Sobol(d=dim, scramble=True, seed=rng)
            return engine.random(n)
        raise SensitivityError(f"sampler must be one of {_SAMPLERS} or a callable; got {sampler!r}")
    if not callable(sampler):
        raise SensitivityError(f"sampler must be one of {_SAMPLERS} or a callable; got {sampler!r}")
    u = np.asarray(sampler(n, dim, rng), dtype=float)
    if u.shape != (n, dim):
        raise SensitivityError(f"the sampler returned an array of shape {u.shape}; expected ({n}, {dim}) "
                               "(it is called as sampler(n, dim, rng))")
    if not np.all(np.isfinite(u)) or u.min() < 0 or u.max() > 1:
        raise SensitivityError("the sampler must return points of the unit hypercube [0, 1]^dim")
    return u


def saltelli_design(n: int, d: int, *, rng=None, sampler="sobol") -> SaltelliDesign:
    """The matrices ``A``, ``B`` and ``A_B^(i)`` of the Saltelli et al. (2010) design.

    An ``n × 2d`` sample of the unit hypercube is split into ``A`` (columns ``0…d−1``) and
    ``B`` (columns ``d…2d−1``); ``A_B^(i)`` is ``A`` with column ``i`` replaced by ``B``'s.
    Map the columns to the inputs' distributions (``low + u (high − low)`` for a uniform
    input, the inverse CDF in general) before running the model; :func:`sobol_analysis`
    does this for you.

    Parameters
    ----------
    n : int
        ``N``, the number of base rows (≥ 2). The model runs ``N(d + 2)`` times. For
        ``sampler="sobol"`` use a power of two.
    d : int
        Number of inputs (≥ 1).
    rng : numpy.random.Generator, int or None
        Source of randomness (or a seed for one). The same seed gives the same design.
    sampler : {"sobol", "random"} or callable, default "sobol"
        ``"sobol"``: scrambled Sobol' points in ``2d`` dimensions
        (:class:`scipy.stats.qmc.Sobol`, seeded from ``rng``), as Saltelli et al. (2010)
        recommend; ``"random"``: ``rng.random((n, 2d))``; a callable is called as
        ``sampler(n, 2 * d, rng)`` and must return an ``n × 2d`` array in ``[0, 1]``
        (for example another :mod:`scipy.stats.qmc` engine).

    Returns
    -------
    SaltelliDesign
        ``(A, B, AB)`` with ``A``, ``B`` of shape ``(n, d)`` and ``AB`` of shape
        ``(d, n, d)``.

    References
    ----------
    Saltelli, A. et al. (2010). *Computer Physics Communications* 181(2), 259–270, §3.
    """
    n = _positive_int(n, "n", 2)
    d = _positive_int(d, "d", 1)
    u = _unit_sample(n, 2 * d, _generator(rng), sampler)
    A = np.ascontiguousarray(u[:, :d])
    B = np.ascontiguousarray(u[:, d:])
    AB = np.repeat(A[None, :, :], d, axis=0)
    for i in range(d):
        AB[i, :, i] = B[:, i]
    return SaltelliDesign(A, B, AB)


def split_outputs(y, n: int, d: int):
    """Split outputs of the model run on :meth:`SaltelliDesign.stacked` into ``f(A), f(B),
    f(A_B)``.

    Parameters
    ----------
    y : array-like, shape (n(d + 2),) or (n(d + 2), n_outputs)
    n, d : int
        The design's ``N`` and number of inputs.

    Returns
    -------
    f_A, f_B : ndarray, shape (n,) or (n, n_outputs)
    f_AB : ndarray, shape (d, n) or (d, n, n_outputs)
    """
    y = np.asarray(y, dtype=float)
    if y.ndim not in (1, 2) or y.shape[0] != n * (d + 2):
        raise SensitivityError(f"expected {n * (d + 2)} model outputs (N(d + 2) with N = {n}, d = {d}); "
                               f"got an array of shape {y.shape}")
    return y[:n], y[n:2 * n], y[2 * n:].reshape((d, n) + y.shape[1:])


# ---------------------------------------------------------------------------------------
# Estimators
# ---------------------------------------------------------------------------------------


def _outputs_matrix(f, name: str):
    """``f`` as an (N, m) float array, its output names (or None) and whether it was 1-D."""
    if isinstance(f, pd.DataFrame):
        return f.to_numpy(dtype=float), list(f.columns), False
    if isinstance(f, pd.Series):
        return f.to_numpy(dtype=float).reshape(-1, 1), None, True
    arr = np.asarray(f, dtype=float)
    if arr.ndim == 1:
        return arr.reshape(-1, 1), None, True
    if arr.ndim == 2:
        return arr, None, False
    raise SensitivityError(f"{name} must be 1-D (one output) or 2-D (runs × outputs); got {arr.ndim} dimensions")


def _check_finite(values: np.ndarray, name: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        raise SensitivityError(f"{name} holds {int(bad.sum())} missing or infinite output value(s); the "
                               "indices need a finite output for every model run")


def _row_table(fA, fB, fAB) -> np.ndarray:
    """Per-row terms whose means give every estimate: ``[V_i terms (d·m), V_Ti terms (d·m),
    f(A), f(B), f(A)², f(B)²]`` as an ``N × m(2d + 4)`` array (outputs centred already)."""
    n = fA.shape[0]
    d, _, m = fAB.shape
    diff = fAB - fA[None, :, :]
    first = (fB[None, :, :] * diff).transpose(1, 0, 2).reshape(n, d * m)
    total = (0.5 * diff * diff).transpose(1, 0, 2).reshape(n, d * m)
    return np.concatenate([first, total, fA, fB, fA * fA, fB * fB], axis=1)


def _indices_from_means(means: np.ndarray, d: int, m: int, flat: np.ndarray):
    """``S1`` and ``ST`` (shape ``(b, d, m)``) from the row-table means (shape ``(b, K)``)."""
    b = means.shape[0]
    v_first = means[:, :d * m].reshape(b, d, m)
    v_total = means[:, d * m:2 * d * m].reshape(b, d, m)
    mA, mB, qA, qB = (means[:, 2 * d * m + k * m:2 * d * m + (k + 1) * m] for k in range(4))
    mean = 0.5 * (mA + mB)
    var = 0.5 * (qA + qB) - mean * mean
    undefined = var <= flat[None, :] ** 2
    var = np.where(undefined, np.nan, var)
    return v_first / var[:, None, :], v_total / var[:, None, :]


def _percentiles(reps: np.ndarray, confidence: float):
    """Percentile interval over axis 0, ignoring replicates where an index is undefined."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: undefined indices
        lo, hi = np.nanquantile(reps, [(1 - confidence) / 2, (1 + confidence) / 2], axis=0)
    return lo, hi


def sobol_indices(f_A, f_B, f_AB, *, n_boot: int = 1000, confidence: float = 0.95, rng=None,
                  inputs: Sequence | None = None, outputs: Sequence | None = None) -> pd.DataFrame:
    """First-order (Saltelli et al. 2010) and total (Jansen 1999) Sobol' indices, with
    bootstrap percentile intervals, from the outputs of a Saltelli design.

    Formulas (``N`` base rows, outputs centred on the mean of ``f(A), f(B)``)::

        S_i  = (1/N)  Σ_j f(B)_j [f(A_B^(i))_j − f(A)_j] / V(Y)
        S_Ti = (1/2N) Σ_j [f(A)_j − f(A_B^(i))_j]² / V(Y)
        V(Y) = variance (divisor 2N) of the 2N values f(A), f(B)

    Every output is treated separately, in one vectorised pass: give a matrix of outputs
    (``N × n_outputs``, e.g. the rank of every unit) to get indices per output.

    Parameters
    ----------
    f_A, f_B : array-like, shape (N,) or (N, n_outputs); or Series / DataFrame
        Model outputs on ``A`` and ``B``. A DataFrame's columns name the outputs.
    f_AB : array-like, shape (d, N) or (d, N, n_outputs); or a sequence of ``d`` arrays
        ``f_AB[i]`` is the output on ``A_B^(i)``.
    n_boot : int, default 1000
        Bootstrap resamples (of the ``N`` rows, with replacement). 0 skips the intervals
        (their columns are NaN).
    confidence : float, default 0.95
        Level of the percentile intervals, in (0, 1).
    rng : numpy.random.Generator, int or None
        Randomness of the bootstrap. The same seed gives identical intervals.
    inputs : sequence of str, optional
        Input names, in design order; default ``x1 … xd``.
    outputs : sequence, optional
        Output names; default the columns of a DataFrame ``f_A``, else ``0 … n_outputs−1``.

    Returns
    -------
    DataFrame
        One row per input (and output): ``input``, ``output`` (only when the outputs were
        given as a matrix), ``S1, S1_low, S1_high, ST, ST_low, ST_high``. Rows are ordered
        by output, then input. ``attrs`` records ``n``, ``n_boot``, ``confidence`` and the
        estimators. Indices of an output that does not vary are NaN.

    See the module docstring for the conventions (centring, no clipping, ignored inputs,
    the bootstrap).

    References
    ----------
    Saltelli, A. et al. (2010). *Computer Physics Communications* 181(2), 259–270, Table 2.
    Jansen, M. J. W. (1999). *Computer Physics Communications* 117(1–2), 35–43.
    Archer, G. E. B., Saltelli, A. & Sobol', I. M. (1997). *J. Statist. Comput. Simul.*
    58(2), 99–120 (bootstrap intervals of Sobol' indices).
    """
    fA, names_a, single = _outputs_matrix(f_A, "f_A")
    fB, _, single_b = _outputs_matrix(f_B, "f_B")
    if fB.shape != fA.shape or single_b != single:
        raise SensitivityError(f"f_A and f_B must have the same shape; got {fA.shape} and {fB.shape}")
    if isinstance(f_AB, np.ndarray):
        fAB = np.asarray(f_AB, dtype=float)
    else:
        fAB = np.stack([_outputs_matrix(f, "f_AB[i]")[0] for f in f_AB]) if len(f_AB) else np.empty((0,))
    if single and fAB.ndim == 2:
        fAB = fAB[:, :, None]
    n, m = fA.shape
    if fAB.ndim != 3 or fAB.shape[1:] != (n, m) or fAB.shape[0] < 1:
        expected = "(d, N)" if single else "(d, N, n_outputs)"
        raise SensitivityError(f"f_AB must have shape {expected} with N = {n}"
                               + ("" if single else f", n_outputs = {m}") + f"; got {fAB.shape}")
    d = fAB.shape[0]
    if n < 2:
        raise SensitivityError(f"need at least 2 base rows; got N = {n}")
    for values, name in ((fA, "f_A"), (fB, "f_B"), (fAB, "f_AB")):
        _check_finite(values, name)
    n_boot = _positive_int(n_boot, "n_boot", 0)
    if not 0 < confidence < 1:
        raise SensitivityError(f"confidence must lie strictly between 0 and 1; got {confidence!r}")
    input_names = [f"x{i + 1}" for i in range(d)] if inputs is None else list(inputs)
    if len(input_names) != d:
        raise SensitivityError(f"got {len(input_names)} input names for {d} inputs")
    output_names = list(outputs) if outputs is not None else (names_a if names_a is not None else list(range(m)))
    if len(output_names) != m:
        raise SensitivityError(f"got {len(output_names)} output names for {m} outputs")

    # Centre each output (see the module docstring); remember its magnitude to tell a
    # constant output from one that merely has a small variance.
    centre = 0.5 * (fA.mean(axis=0) + fB.mean(axis=0))
    scale = np.maximum.reduce([np.abs(fA).max(axis=0), np.abs(fB).max(axis=0), np.ones(m)])
    fA, fB, fAB = fA - centre, fB - centre, fAB - centre

    gen = _generator(rng)
    boot_seed = int(gen.integers(2**63)) if n_boot else 0
    block = max(1, _BLOCK_BYTES // (8 * n * (2 * d + 4)))
    s1 = np.empty((d, m))
    st = np.empty((d, m))
    s1_reps = np.empty((n_boot, d, m))
    st_reps = np.empty((n_boot, d, m))
    for start in range(0, m, block):
        cols = slice(start, min(start + block, m))
        mb = cols.stop - cols.start
        table = _row_table(fA[:, cols], fB[:, cols], fAB[:, :, cols])
        flat = _FLAT * scale[cols]
        a, b = _indices_from_means(table.mean(axis=0)[None, :], d, mb, flat)
        s1[:, cols], st[:, cols] = a[0], b[0]
        # The same resampled rows for every block of outputs: a fresh generator from one seed.
        boot = np.random.default_rng(boot_seed)
        for r0 in range(0, n_boot, _BOOT_CHUNK):
            r1 = min(r0 + _BOOT_CHUNK, n_boot)
            rows = boot.integers(0, n, size=(r1 - r0, n))
            counts = np.stack([np.bincount(r, minlength=n) for r in rows]).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                a, b = _indices_from_means(counts @ table / n, d, mb, flat)
            s1_reps[r0:r1, :, cols], st_reps[r0:r1, :, cols] = a, b

    if n_boot:
        s1_lo, s1_hi = _percentiles(s1_reps, confidence)
        st_lo, st_hi = _percentiles(st_reps, confidence)
    else:
        s1_lo = s1_hi = st_lo = st_hi = np.full((d, m), np.nan)

    frame = {"input": np.tile(np.asarray(input_names, dtype=object), m)}
    if not single:
        frame["output"] = np.repeat(np.asarray(output_names, dtype=object), d)
    for col, values in zip(_INDEX_COLUMNS, (s1, s1_lo, s1_hi, st, st_lo, st_hi)):
        frame[col] = values.T.ravel()  # output-major: all inputs of output 0, then output 1 …
    out = pd.DataFrame(frame)
    if not single:
        out["output"] = out["output"].infer_objects()
    out.attrs.update({
        "n": n, "n_boot": n_boot, "confidence": confidence,
        "first_order": "Saltelli et al. (2010), Table 2 (b)",
        "total": "Jansen (1999); Saltelli et al. (2010), Table 2 (f)",
        "interval": "bootstrap percentile over resampled rows",
    })
    return out


# ---------------------------------------------------------------------------------------
# The whole analysis
# ---------------------------------------------------------------------------------------


def _input_transforms(inputs) -> tuple[list[str], list[Callable[[np.ndarray], np.ndarray]]]:
    if isinstance(inputs, Mapping):
        names, specs = [str(k) for k in inputs.keys()], list(inputs.values())
    elif isinstance(inputs, Sequence) and not isinstance(inputs, str):
        specs = list(inputs)
        names = [f"x{i + 1}" for i in range(len(specs))]
    else:
        raise SensitivityError("inputs must be a mapping from input name to (low, high) bounds or an "
                               "inverse CDF, or a sequence of them")
    if not specs:
        raise SensitivityError("no inputs given")
    transforms = []
    for name, spec in zip(names, specs):
        if callable(spec):
            transforms.append(spec)
            continue
        try:
            low, high = (float(v) for v in spec)
        except (TypeError, ValueError) as exc:
            raise SensitivityError(f"input {name!r}: expected (low, high) bounds or an inverse CDF "
                                   f"(e.g. scipy.stats.norm(0, 1).ppf); got {spec!r}") from exc
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise SensitivityError(f"input {name!r}: bounds must be finite with low < high; got ({low}, {high})")
        transforms.append(lambda u, low=low, high=high: low + u * (high - low))
    return names, transforms


def sobol_analysis(model: Callable, inputs, n: int, *, seed=None, sampler="sobol", n_boot: int = 1000,
                   confidence: float = 0.95, vectorised: bool = True, as_frame: bool = False,
                   verbose: bool = False):
    """Sobol' first-order and total indices of a model, from design to intervals.

    Builds a :func:`saltelli_design` of ``n`` base rows, maps it to the inputs' ranges or
    distributions, runs ``model`` on the ``n(d + 2)`` points and returns
    :func:`sobol_indices`. Everything random comes from one generator seeded by ``seed``:
    the same seed gives identical numbers.

    Parameters
    ----------
    model : callable
        With ``vectorised=True`` (default), called once on a 2-D array (one row per run,
        one column per input in the order of ``inputs``; a DataFrame with the input names as
        columns when ``as_frame=True``) and returning one output per run (shape ``(runs,)``)
        or a matrix of outputs (``(runs, n_outputs)``, or a DataFrame whose columns name the
        outputs — for example the rank of every unit). With ``vectorised=False``, called
        once per run on a 1-D array (a Series with ``as_frame=True``).
    inputs : mapping or sequence
        Input name → ``(low, high)`` for a uniform input, or an inverse CDF (a callable
        mapping ``[0, 1]`` to the input's values, e.g. ``scipy.stats.norm(0, 1).ppf`` or
        ``scipy.stats.randint(0, 3).ppf`` for a choice among three options). A sequence is
        named ``x1 … xd``. Inputs are independent.
    n : int
        ``N``, base rows; a power of two for ``sampler="sobol"``. Cost: ``N(d + 2)`` runs.
    seed : int, numpy.random.Generator or None
        Seed of the design (including the Sobol' scrambling) and of the bootstrap.
    sampler : {"sobol", "random"} or callable, default "sobol"
        See :func:`saltelli_design`.
    n_boot, confidence
        See :func:`sobol_indices`.
    verbose : bool, default False
        Return a :class:`SobolAnalysis` with the design, the inputs run and the outputs too.

    Returns
    -------
    DataFrame or SobolAnalysis
        See :func:`sobol_indices`.

    Examples
    --------
    >>> import numpy as np
    >>> def ishigami(x, a=7.0, b=0.1):
    ...     return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])
    >>> res = sobol_analysis(ishigami, {"x1": (-np.pi, np.pi), "x2": (-np.pi, np.pi),
    ...                                 "x3": (-np.pi, np.pi)}, 2 ** 12, seed=1)
    >>> res[["input", "S1", "ST"]].round(1).to_numpy().tolist()
    [['x1', 0.3, 0.6], ['x2', 0.4, 0.4], ['x3', 0.0, 0.2]]
    """
    if not callable(model):
        raise SensitivityError("model must be callable")
    names, transforms = _input_transforms(inputs)
    d = len(names)
    gen = _generator(seed)
    design = saltelli_design(n, d, rng=gen, sampler=sampler)
    unit = design.stacked()
    x = np.empty_like(unit)
    for i, (name, transform) in enumerate(zip(names, transforms)):
        x[:, i] = np.asarray(transform(unit[:, i]), dtype=float)
        if not np.all(np.isfinite(x[:, i])):
            raise SensitivityError(f"input {name!r}: its inverse CDF gave non-finite values on [0, 1]; "
                                   "use a bounded distribution or truncate it")

    if vectorised:
        y = model(pd.DataFrame(x, columns=names) if as_frame else x)
    else:
        rows = (pd.Series(r, index=names) for r in x) if as_frame else iter(x)
        y = [model(r) for r in rows]
        if y and isinstance(y[0], pd.Series):
            y = pd.DataFrame(y)
    output_names = None
    if isinstance(y, pd.DataFrame):
        output_names = list(y.columns)
        y = y.to_numpy(dtype=float)
    y = np.asarray(y, dtype=float)
    if y.ndim == 2 and y.shape[1] == 1 and output_names is None:
        y = y[:, 0]
    f_A, f_B, f_AB = split_outputs(y, n, d)
    indices = sobol_indices(f_A, f_B, f_AB, n_boot=n_boot, confidence=confidence, rng=gen,
                            inputs=names, outputs=output_names)
    if not verbose:
        return indices
    labels = ["A"] * n + ["B"] * n + [f"AB:{name}" for name in names for _ in range(n)]
    index = pd.MultiIndex.from_arrays([labels, np.tile(np.arange(n), d + 2)], names=["matrix", "row"])
    return SobolAnalysis(indices=indices, design=design, inputs=pd.DataFrame(x, columns=names, index=index),
                         outputs=y)
