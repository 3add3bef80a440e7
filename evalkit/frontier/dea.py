"""Data envelopment analysis (DEA): radial efficiency of decision-making units (DMUs).

DEA compares units that turn several inputs (staff, budget) into several outputs (cases
closed, residents served) without weights chosen in advance: each unit is compared with
the best mix of the other units (Charnes, Cooper & Rhodes, 1978). Here the units are, for
example, the 13 街镇 of a district (domain brief §2).

Model (input orientation, envelopment form)
-------------------------------------------
For the unit ``o`` under evaluation, with inputs ``X`` (m × n) and outputs ``Y`` (s × n)::

    phase 1:  θ* = min θ
              s.t.  X λ ≤ θ x_o,   Y λ ≥ y_o,   λ ≥ 0   [and Σ λ = 1 for BCC / "vrs"]

    phase 2:  max  Σ s⁻ + Σ s⁺
              s.t.  X λ + s⁻ = θ* x_o,   Y λ − s⁺ = y_o,   λ, s⁻, s⁺ ≥ 0   [Σ λ = 1]

``returns="crs"`` is the CCR model (constant returns to scale; Charnes, Cooper & Rhodes,
1978); ``returns="vrs"`` adds ``Σ λ = 1``, the BCC model (variable returns; Banker,
Charnes & Cooper, 1984). Output orientation maximises ``φ`` with ``X λ ≤ x_o``,
``Y λ ≥ φ y_o`` and reports ``efficiency = 1/φ`` (Shephard's output distance).

Conventions
-----------
* ``efficiency`` is θ* (input orientation) or 1/φ* (output orientation), in ``(0, 1]``;
  1 means no radial saving is possible ("weakly efficient").
* ``efficient`` is the Pareto–Koopmans / "CCR-efficient" test: efficiency 1 *and* all
  slacks zero (Cooper, Seiford & Tone, 2007, chapter 3). A unit with efficiency 1 and a
  positive slack is on the frontier but still wastes an input (or falls short on an output).
* Slacks come from the second phase, the **max-slack solution** (Cooper, Seiford & Tone,
  2007, chapter 3). The two phases are solved one after the other, which is exactly what
  the non-Archimedean ε in ``min θ − ε (Σ s⁻ + Σ s⁺)`` stands for; no numerical ε is used, so
  results do not depend on choosing one. Slack sums are unweighted, in the data's own units
  (as in DEA-Solver and R Benchmarking's ``slack()``).
* ``peers`` is the reference set of the max-slack solution: units with ``λ_j > 1e-8``,
  comma-separated in data order; ``peer_ids`` is the same set as a list of the index labels.
  λ values are returned on request (``return_lambdas``).
* ``target_<name>`` is the unit's projection onto the efficient frontier (Cooper, Seiford &
  Tone, 2007, §3.6): with input orientation ``θ* x_o − s⁻`` for every input and
  ``y_o + s⁺`` for every output; with output orientation ``x_o − s⁻`` and ``φ* y_o + s⁺``.
  It equals ``Σ λ_j x_j`` (``Σ λ_j y_j``) over the peers, and for an ``efficient`` unit it
  equals the unit's own data.
* The programmes are solved on data divided by each column's mean (θ, φ and λ do not
  depend on units of measurement); slacks are reported back in the data's own units.
  Scaled slacks and λ within ``1e-8`` of 0 are reported as exactly 0, and efficiencies
  within ``1e-8`` of 1 as exactly 1, so that ``efficient`` is not lost to rounding.
* Linear programmes are solved with ``scipy.optimize.linprog`` (HiGHS).

How many units? (domain brief §2)
---------------------------------
DEA has little discriminating power when there are few units for the number of inputs
and outputs: with 13 units and 6 variables most units come out efficient. A common rule of
thumb (Cooper, Seiford & Tone, 2007; Banker et al., 1989) is
``n ≥ max(m × s, 3 (m + s))``; for the 13 街镇 that means **inputs + outputs ≤ 4** (and at
most 4–5 in any case). :func:`dea` warns (``DEASizeWarning``) when the rule is broken.

References
----------
Charnes, A., Cooper, W. W. & Rhodes, E. (1978). Measuring the efficiency of decision
making units. *European Journal of Operational Research* 2, 429–444.
Banker, R. D., Charnes, A. & Cooper, W. W. (1984). Some models for estimating technical and
scale inefficiencies in data envelopment analysis. *Management Science* 30, 1078–1092.
Banker, R. D., Charnes, A., Cooper, W. W., Swarts, J. & Thomas, D. (1989). An introduction
to data envelopment analysis with some of its models and their uses. *Research in
Governmental and Nonprofit Accounting* 5, 125–163.
Cooper, W. W., Seiford, L. M. & Tone, K. (2007). *Data Envelopment Analysis: A
Comprehensive Text with Models, Applications, References and DEA-Solver Software*,
2nd ed. Springer.
Bogetoft, P. & Otto, L. (2011). *Benchmarking with DEA, SFA, and R*. Springer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ..errors import EvalkitError

__all__ = ["dea", "DEADataError", "DEASizeWarning"]

_TOL = 1e-8  # on data scaled to column means of 1 (see dea())


class DEADataError(EvalkitError, ValueError):
    """Raised when DEA inputs or outputs are unusable (missing, non-positive, misaligned)."""


class DEASizeWarning(UserWarning):
    """Too few units for the number of inputs and outputs (see the module docstring)."""


def dea(inputs: pd.DataFrame, outputs: pd.DataFrame, returns: str = "crs",
        orientation: str = "input", *, return_lambdas: bool = False):
    """Radial DEA efficiency of every unit (CCR for ``"crs"``, BCC for ``"vrs"``).

    See the module docstring for the linear programmes and conventions.

    Parameters
    ----------
    inputs : DataFrame
        One row per unit (the index names the units, e.g. ``unit_id``), one column per
        input. Values must be finite and strictly positive.
    outputs : DataFrame
        Same units (same index labels, any order), one column per output. Values must be
        finite and ≥ 0, and every unit must have at least one positive output.
    returns : {"crs", "vrs"}
        Constant returns to scale (CCR, the default) or variable returns (BCC).
    orientation : {"input", "output"}
        Radial contraction of inputs (default) or expansion of outputs.
    return_lambdas : bool
        Also return the λ (intensity) matrix.

    Returns
    -------
    DataFrame, or (DataFrame, DataFrame) with ``return_lambdas``
        Indexed like ``inputs``, one row per unit, with columns

        * ``efficiency`` (float in (0, 1]) and ``efficient`` (bool, Pareto–Koopmans);
        * ``peers`` (str, comma-separated) and ``peer_ids`` (list of the peers' index labels,
          in data order): the unit's reference set;
        * ``slack_<input>`` for every input (excess) and ``slack_<output>`` for every output
          (shortfall), in the data's units;
        * ``target_<input>`` and ``target_<output>``: the projection onto the frontier, the
          inputs and outputs that would make the unit efficient (see the module docstring).
          ``targets`` holds them per unit as a plain dict ``{variable: target}`` (floats).

        The λ frame has one row per evaluated unit and one column per reference unit.

    Raises
    ------
    DEADataError
        (a ``ValueError``) with a message naming the offending unit and column.

    Warns
    -----
    DEASizeWarning
        When ``n < max(m × s, 3 (m + s))``.

    Examples
    --------
    Bogetoft & Otto (2011, p. 95): six firms, one input, one output.

    >>> x = pd.DataFrame({"x": [20, 40, 40, 60, 70, 50]}, index=list("ABCDEF"))
    >>> y = pd.DataFrame({"y": [20, 30, 50, 40, 60, 20]}, index=list("ABCDEF"))
    >>> res = dea(x, y, returns="vrs")
    >>> res["efficiency"].round(4).tolist()
    [1.0, 0.6667, 1.0, 0.5556, 1.0, 0.4]
    >>> res.loc["B", "peer_ids"], res.loc["B", ["target_x", "target_y"]].round(2).tolist()
    (['A', 'C'], [26.67, 30.0])
    """
    if returns not in ("crs", "vrs"):
        raise ValueError(f"returns must be 'crs' (CCR) or 'vrs' (BCC); got {returns!r}")
    if orientation not in ("input", "output"):
        raise ValueError(f"orientation must be 'input' or 'output'; got {orientation!r}")
    X, Y, units, in_names, out_names = _validate(inputs, outputs)
    n, m, s = len(units), X.shape[1], Y.shape[1]
    if n < max(m * s, 3 * (m + s)):
        warnings.warn(
            f"{n} units for {m} input(s) and {s} output(s): DEA discriminates poorly below "
            f"max(m×s, 3(m+s)) = {max(m * s, 3 * (m + s))} units; expect many units at efficiency 1",
            DEASizeWarning, stacklevel=2)

    # Solve on data scaled to column means of 1: θ, φ and λ do not depend on units, and
    # HiGHS's absolute tolerances then mean the same for 编制 counts and for budgets in 元.
    x_scale = X.mean(axis=0)
    y_scale = np.where(Y.mean(axis=0) > 0, Y.mean(axis=0), 1.0)
    Xs, Ys = X / x_scale, Y / y_scale
    # Phase-2 objective: the *unweighted* sum of slacks in the data's own units (standard
    # max-slack LP), expressed in the scaled variables and divided by its largest weight.
    weights = np.r_[x_scale, y_scale]
    weights = weights / weights.max()

    eff = np.empty(n)
    slack_in = np.empty((n, m))
    slack_out = np.empty((n, s))
    lambdas = np.empty((n, n))
    for o in range(n):
        score = _phase1(Xs, Ys, o, returns, orientation)
        lam, s_in, s_out = _phase2(Xs, Ys, o, returns, orientation, score, weights)
        eff[o] = score if orientation == "input" else 1.0 / score
        lambdas[o], slack_in[o], slack_out[o] = lam, s_in, s_out

    eff = np.where(np.abs(eff - 1.0) <= _TOL, 1.0, np.minimum(eff, 1.0))
    for arr in (slack_in, slack_out, lambdas):  # still in scaled units here
        arr[np.abs(arr) <= _TOL] = 0.0
    efficient = (eff == 1.0) & (slack_in == 0).all(axis=1) & (slack_out == 0).all(axis=1)
    slack_in, slack_out = slack_in * x_scale, slack_out * y_scale
    labels = [str(u) for u in units]
    peer_rows = [np.flatnonzero(lambdas[o] > _TOL) for o in range(n)]
    peers = [", ".join(labels[j] for j in rows) for rows in peer_rows]
    peer_ids = [units[rows].tolist() for rows in peer_rows]
    # Projections (Cooper, Seiford & Tone, 2007, §3.6), from the rounded score and slacks so
    # that an efficient unit's target is exactly its own data.
    if orientation == "input":
        target_in, target_out = eff[:, None] * X - slack_in, Y + slack_out
    else:
        target_in, target_out = X - slack_in, Y / eff[:, None] + slack_out

    result = pd.DataFrame({"efficiency": eff, "efficient": efficient, "peers": peers}, index=units)
    for k, name in enumerate(in_names):
        result[f"slack_{name}"] = slack_in[:, k]
    for k, name in enumerate(out_names):
        result[f"slack_{name}"] = slack_out[:, k]
    result["peer_ids"] = pd.Series(peer_ids, index=units, dtype=object)
    for k, name in enumerate(in_names):
        result[f"target_{name}"] = target_in[:, k]
    for k, name in enumerate(out_names):
        result[f"target_{name}"] = target_out[:, k]
    names = [*in_names, *out_names]
    result["targets"] = pd.Series([dict(zip(names, map(float, row))) for row in np.hstack([target_in, target_out])],
                                  index=units, dtype=object)
    if not return_lambdas:
        return result
    lam = pd.DataFrame(lambdas, index=units, columns=units)
    return result, lam


def _validate(inputs, outputs):
    if not isinstance(inputs, pd.DataFrame) or not isinstance(outputs, pd.DataFrame):
        raise DEADataError("inputs and outputs must be pandas DataFrames (units in rows)")
    if inputs.shape[1] == 0 or outputs.shape[1] == 0:
        raise DEADataError("DEA needs at least one input column and one output column")
    if len(inputs) == 0:
        raise DEADataError("DEA needs at least one unit (row)")
    for frame, what in ((inputs, "inputs"), (outputs, "outputs")):
        dup = frame.index[frame.index.duplicated()]
        if len(dup):
            raise DEADataError(f"unit {dup[0]!r} appears more than once in {what}")
    missing = inputs.index.difference(outputs.index)
    extra = outputs.index.difference(inputs.index)
    if len(missing) or len(extra):
        detail = (f"no outputs for unit {missing[0]!r}" if len(missing)
                  else f"outputs for unit {extra[0]!r}, which has no inputs")
        raise DEADataError(f"inputs and outputs must list the same units: {detail}")
    outputs = outputs.loc[inputs.index]
    in_names = [str(c) for c in inputs.columns]
    out_names = [str(c) for c in outputs.columns]
    clash = set(in_names) & set(out_names)
    if clash or len(set(in_names)) < len(in_names) or len(set(out_names)) < len(out_names):
        name = sorted(clash)[0] if clash else "a repeated name"
        raise DEADataError(f"input and output column names must be distinct ({name!r}); "
                           "rename them so that slack_<name> columns are unambiguous")

    def numeric(frame: pd.DataFrame, what: str) -> np.ndarray:
        for col in frame.columns:
            if not (pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col])):
                raise DEADataError(f"{what} column {col!r} must be numeric; found dtype {frame[col].dtype}")
        arr = frame.to_numpy(dtype="float64")
        bad = ~np.isfinite(arr)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DEADataError(f"{what} column {frame.columns[j]!r} is missing or infinite for unit "
                               f"{frame.index[i]!r}; DEA needs a value for every unit")
        return arr

    X = numeric(inputs, "input")
    Y = numeric(outputs, "output")
    if (X <= 0).any():
        i, j = np.argwhere(X <= 0)[0]
        raise DEADataError(f"input {inputs.columns[j]!r} must be > 0; unit {inputs.index[i]!r} has {X[i, j]:g}")
    if (Y < 0).any():
        i, j = np.argwhere(Y < 0)[0]
        raise DEADataError(f"output {outputs.columns[j]!r} must be ≥ 0; unit {outputs.index[i]!r} has {Y[i, j]:g}")
    none = ~(Y > 0).any(axis=1)
    if none.any():
        raise DEADataError(f"unit {inputs.index[np.flatnonzero(none)[0]]!r} has no positive output; "
                           "DEA cannot rate a unit that produces nothing")
    return X, Y, inputs.index, in_names, out_names


def _solve(c, A_ub, b_ub, A_eq, b_eq, bounds, what: str) -> np.ndarray:
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"DEA {what} linear programme failed: {res.message}")
    return res.x


def _phase1(X, Y, o, returns, orientation) -> float:
    """θ* (input) or φ* (output) for unit ``o``. Variables: [score, λ_1..λ_n]."""
    n, m, s = X.shape[0], X.shape[1], Y.shape[1]
    A_eq = np.r_[0.0, np.ones(n)][None, :] if returns == "vrs" else None
    b_eq = [1.0] if returns == "vrs" else None
    if orientation == "input":
        # Σ λ_j x_ij − θ x_io ≤ 0 ;  −Σ λ_j y_rj ≤ −y_ro
        A_ub = np.vstack([np.c_[-X[o][:, None], X.T], np.c_[np.zeros((s, 1)), -Y.T]])
        b_ub = np.r_[np.zeros(m), -Y[o]]
        c = np.r_[1.0, np.zeros(n)]
    else:
        # Σ λ_j x_ij ≤ x_io ;  φ y_ro − Σ λ_j y_rj ≤ 0
        A_ub = np.vstack([np.c_[np.zeros((m, 1)), X.T], np.c_[Y[o][:, None], -Y.T]])
        b_ub = np.r_[X[o], np.zeros(s)]
        c = np.r_[-1.0, np.zeros(n)]
    bounds = [(None, None)] + [(0, None)] * n
    return float(_solve(c, A_ub, b_ub, A_eq, b_eq, bounds, "phase-1")[0])


def _phase2(X, Y, o, returns, orientation, score, weights):
    """Max-slack solution at the phase-1 score. Variables: [λ (n), s⁻ (m), s⁺ (s)].

    Maximises ``Σ weights · slacks``; ``weights`` convert scaled slacks back to the data's
    units, so this is the standard unweighted max-slack LP.
    """
    n, m, s = X.shape[0], X.shape[1], Y.shape[1]
    x_target = score * X[o] if orientation == "input" else X[o]
    y_target = Y[o] if orientation == "input" else score * Y[o]
    A_eq = np.vstack([np.c_[X.T, np.eye(m), np.zeros((m, s))],
                      np.c_[Y.T, np.zeros((s, m)), -np.eye(s)]])
    b_eq = np.r_[x_target, y_target]
    if returns == "vrs":
        A_eq = np.vstack([A_eq, np.r_[np.ones(n), np.zeros(m + s)]])
        b_eq = np.r_[b_eq, 1.0]
    c = np.r_[np.zeros(n), -weights]
    bounds = [(0, None)] * (n + m + s)
    try:
        sol = _solve(c, None, None, A_eq, b_eq, bounds, "phase-2 (slack)")
    except RuntimeError:
        # The phase-1 optimum can be a hair infeasible after rounding: relax it by 1e-9.
        relax = (1 + 1e-9) if orientation == "input" else (1 - 1e-9)
        x_target = score * relax * X[o] if orientation == "input" else X[o]
        y_target = Y[o] if orientation == "input" else score * relax * Y[o]
        b_eq[: m + s] = np.r_[x_target, y_target]
        sol = _solve(c, None, None, A_eq, b_eq, bounds, "phase-2 (slack)")
    return sol[:n], sol[n:n + m], sol[n + m:]
