"""Outlier treatment in the JRC convention: winsorise while skewed and heavy-tailed, else log.

For each indicator (column), as COINr's ``Treat()`` with its default specification:

1. **Check.** The indicator *fails* when ``|skewness| ≥ skew_threshold`` **and**
   ``kurtosis ≥ kurt_threshold`` (defaults 2 and 3.5); it passes if either is below
   (COINr ``check_SkewKurt``). Both statistics are the sample-adjusted ones — type 2 of
   Joanes & Gill (1998), as in Excel's ``SKEW``/``KURT``, SAS, SPSS and ``e1071`` with
   ``type = 2``, which COINr's ``skew()``/``kurt()`` copy — over the values present::

       m_k  = Σ (x - x̄)^k / n
       g1   = m_3 / m_2^{3/2}                       G1 = g1 · √(n(n−1)) / (n−2)
       g2   = m_4 / m_2² − 3                         G2 = ((n+1) g2 + 6) (n−1) / ((n−2)(n−3))

   ``G2`` is the *excess* kurtosis (0 for a normal distribution). They need at least 3
   and 4 values and a non-zero spread; when they are undefined the indicator is left
   untreated and the details say why.
2. **Winsorise** a failing indicator, one step at a time, while it fails and fewer than
   ``max_points`` points have been winsorised (COINr ``winsorise``): if the current
   skewness is ≥ 0 the point(s) equal to the maximum take the value of the highest
   remaining point; otherwise the point(s) equal to the minimum take the lowest remaining
   value. Because a winsorised point then ties with the next one, the points at the
   extreme after ``k`` high-side steps are the ``k`` original top points (plus ties), and
   the count compared with ``max_points`` is the number of points currently at the
   winsorised extreme(s) — exactly COINr's ``nwin``, which counts ties.
3. **Transform.** If the winsorised indicator still fails, the *original* values are
   log-transformed instead (``combine=False``, COINr's default) — or the winsorised ones
   (``combine=True``) — with COINr's ``log_CT``: ``y = ln(x − min + 0.01 (max − min))``.
   The result is checked again and kept even if it still fails (the details say so).
   Winsorisation that leaves too few distinct values for the statistics counts as failing
   (COINr stops with an error there).

Treatment does not look at directions: a long high tail is treated the same whether high
values are good or bad.

References
----------
Becker, W. et al. (2022). COINr. *JOSS* 7(78), 4567 (``Treat``, ``winsorise``,
``log_CT``, ``check_SkewKurt``).
Joanes, D. N. & Gill, C. A. (1998). Comparing measures of sample skewness and kurtosis.
*Journal of the Royal Statistical Society D* 47(1), 183–189.
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, step 4 (outliers); the
thresholds 2 and 3.5 are the JRC Competence Centre on Composite Indicators' rule of thumb,
as COINr implements it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["TreatmentResult", "WinsorisedVector", "check_skew_kurt", "kurtosis", "log_ct", "skewness",
           "treat_outliers", "winsorise", "TRANSFORMS"]

TRANSFORMS = ("log_ct", "none")


def skewness(x) -> float:
    """Sample-adjusted skewness ``G1`` of the values present (NaN if fewer than 3 or no spread)."""
    return _skew_kurt(_present(x))[0]


def kurtosis(x) -> float:
    """Sample-adjusted excess kurtosis ``G2`` of the values present (NaN if fewer than 4 or no spread)."""
    return _skew_kurt(_present(x))[1]


def check_skew_kurt(x, skew_threshold: float = 2.0, kurt_threshold: float = 3.5) -> bool | None:
    """True (passes) if ``|G1| < skew_threshold`` or ``G2 < kurt_threshold``; False if both
    are at or above; None when the statistics are undefined."""
    s, k = _skew_kurt(_present(x))
    if np.isnan(s) or np.isnan(k):
        return None
    return bool(abs(s) < skew_threshold or k < kurt_threshold)


def _skew_kurt(v: np.ndarray) -> tuple[float, float]:
    """``(G1, G2)`` of the values ``v`` (no NaN), each NaN when undefined."""
    n = v.size
    if n < 3:
        return float("nan"), float("nan")
    d = v - v.mean()
    d2 = d * d
    m2 = d2.sum()
    if m2 == 0:
        return float("nan"), float("nan")
    with np.errstate(all="ignore"):  # a spread so small that its powers underflow
        g1 = np.sqrt(n) * (d2 * d).sum() / m2 ** 1.5
        skew = float(g1 * np.sqrt(n * (n - 1)) / (n - 2))
        if n < 4:
            kurt = float("nan")
        else:
            r = n * (d2 * d2).sum() / m2 ** 2
            kurt = float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))
    return (skew if np.isfinite(skew) else float("nan")), (kurt if np.isfinite(kurt) else float("nan"))


@dataclass(frozen=True, eq=False)
class WinsorisedVector:
    """Result of :func:`winsorise`: the values, the count ``n_winsorised`` (COINr ``nwin``)
    and the marks ``"winhi"``/``"winlo"``/``""`` of the points at the winsorised extremes."""

    values: np.ndarray
    n_winsorised: int
    marks: np.ndarray
    passed: bool | None


def winsorise(x, max_points: int | None = 5, skew_threshold: float = 2.0, kurt_threshold: float = 3.5,
              *, force: bool = False) -> WinsorisedVector:
    """Winsorise the tail that skews ``x`` until it passes :func:`check_skew_kurt` or
    ``max_points`` points are winsorised (see the module docstring, step 2).

    Parameters
    ----------
    x : array-like
        One indicator; NaN values are ignored and kept.
    max_points : int or None
        Maximum number of winsorised points (COINr ``winmax``); None = no limit. 0 means
        no winsorisation.
    skew_threshold, kurt_threshold : float
        Thresholds of the pass test.
    force : bool
        Winsorise up to ``max_points`` whether or not the test passes (COINr ``force_win``).
    """
    v = np.array(x, dtype="float64")
    if max_points is not None and max_points < 0:
        raise ValueError(f"winsorise: max_points must be ≥ 0 or None; got {max_points}")
    if force and max_points is None:
        raise ValueError("winsorise: force=True needs a max_points limit")
    i_hi = np.array([], dtype=int)
    i_lo = np.array([], dtype=int)
    passed = check_skew_kurt(v, skew_threshold, kurt_threshold)
    n_win = 0

    def below() -> bool:
        return max_points is None or n_win < max_points

    while (passed is False or force) and below():
        s = skewness(v)
        if np.isnan(s):
            break  # nothing left to winsorise (fewer than three distinct points remain)
        if s >= 0:
            top = np.nanmax(v)
            i_hi = np.flatnonzero(v == top)
            rest = np.delete(v, i_hi)
            if np.all(np.isnan(rest)):
                break
            v[i_hi] = np.nanmax(rest)
        else:
            bottom = np.nanmin(v)
            i_lo = np.flatnonzero(v == bottom)
            rest = np.delete(v, i_lo)
            if np.all(np.isnan(rest)):
                break
            v[i_lo] = np.nanmin(rest)
        # COINr's count: the points now at the winsorised extreme(s), ties included.
        n_win = int(i_hi.size + i_lo.size)
        passed = check_skew_kurt(v, skew_threshold, kurt_threshold)
    marks = np.full(v.size, "", dtype=object)
    marks[i_hi] = "winhi"
    marks[i_lo] = "winlo"
    return WinsorisedVector(values=v, n_winsorised=n_win, marks=marks, passed=passed)


def log_ct(x) -> np.ndarray:
    """COINr's ``log_CT`` transform: ``ln(x − min + 0.01 (max − min))`` (NaN kept).

    The minimum maps to ``ln(0.01 · range)``, so the transform is finite for any
    indicator with a spread; a constant indicator gives ``-inf`` and is rejected.
    """
    v = np.asarray(x, dtype="float64")
    lo, hi = np.nanmin(v), np.nanmax(v)
    if not hi > lo:
        raise ValueError("log_ct: the indicator is constant; the log transform is undefined")
    return np.log(v - lo + 0.01 * (hi - lo))


@dataclass(frozen=True, eq=False)
class TreatmentResult:
    """Result of :func:`treat_outliers`.

    Attributes
    ----------
    data : DataFrame
        The treated indicators.
    details : DataFrame
        One row per indicator: ``skew, kurt, passed`` (before treatment),
        ``n_winsorised``, ``skew_winsorised, kurt_winsorised, passed_winsorised`` (after
        step 2), ``transform`` (``"log_ct"`` or empty), ``skew_final, kurt_final,
        passed_final`` and ``treatment`` (``"none"``, ``"winsorised"``, ``"log_ct"``,
        ``"winsorised+log_ct"``, ``"skipped"`` or ``"undefined"`` when the statistics
        cannot be computed).
    points : DataFrame
        Like ``data``: ``"winhi"``/``"winlo"`` on winsorised points, the transform name on
        transformed indicators, empty elsewhere.
    """

    data: pd.DataFrame
    details: pd.DataFrame
    points: pd.DataFrame


def treat_outliers(data: pd.DataFrame, *, max_points: int | None = 5, skew_threshold: float = 2.0,
                   kurt_threshold: float = 3.5, transform: str = "log_ct", combine: bool = False,
                   max_points_by_indicator: Mapping[str, int | None] | None = None,
                   skip: tuple[str, ...] = ()) -> TreatmentResult:
    """Treat every indicator of ``data`` for outliers (module docstring, steps 1–3).

    Parameters
    ----------
    data : DataFrame
        Units in rows, indicators in columns.
    max_points : int or None, default 5
        Winsorisation limit (COINr ``winmax``).
    skew_threshold, kurt_threshold : float, default 2 and 3.5
        The pass test, used both to stop winsorising and to decide on the transform.
    transform : {"log_ct", "none"}
        Step 3 (``"none"``: keep the winsorised values even if they fail).
    combine : bool, default False
        Transform the winsorised values rather than the original ones.
    max_points_by_indicator : mapping, optional
        Indicator → winsorisation limit, overriding ``max_points`` (0 sends a failing
        indicator straight to the transform).
    skip : tuple of indicator codes
        Indicators left untouched.
    """
    if transform not in TRANSFORMS:
        raise ValueError(f"treat_outliers: transform must be one of {TRANSFORMS}; got {transform!r}")
    overrides = dict(max_points_by_indicator or {})
    unknown = [c for c in [*overrides, *skip] if c not in data.columns]
    if unknown:
        raise ValueError(f"treat_outliers: expected indicators of the data; found {unknown!r}")
    values = data.to_numpy(dtype="float64", na_value=np.nan)
    treated = values.copy()
    marks_table = np.full(values.shape, "", dtype=object)
    rows = []
    for j, col in enumerate(data.columns):
        x = values[:, j]
        row = {"iCode": col, "skew": skewness(x), "kurt": kurtosis(x),
               "passed": check_skew_kurt(x, skew_threshold, kurt_threshold), "n_winsorised": 0,
               "skew_winsorised": np.nan, "kurt_winsorised": np.nan, "passed_winsorised": None,
               "transform": "", "skew_final": np.nan, "kurt_final": np.nan, "passed_final": None,
               "treatment": "none"}
        if col in skip:
            row["treatment"] = "skipped"
        elif row["passed"] is None:
            row["treatment"] = "undefined"
        elif not row["passed"]:
            limit = overrides.get(col, max_points)
            win = winsorise(x, limit, skew_threshold, kurt_threshold)
            row.update(n_winsorised=win.n_winsorised, skew_winsorised=skewness(win.values),
                       kurt_winsorised=kurtosis(win.values), passed_winsorised=win.passed)
            y, marks, label = win.values, win.marks, ("winsorised" if win.n_winsorised else "none")
            if not win.passed and transform != "none":
                base = win.values if combine else x
                y = log_ct(base)
                marks = np.where(win.marks != "", win.marks + "+" + transform, transform) if combine \
                    else np.full(x.size, transform, dtype=object)
                label = f"winsorised+{transform}" if combine and win.n_winsorised else transform
                row["transform"] = transform
            treated[:, j] = y
            marks_table[:, j] = marks
            row["treatment"] = label
        final = treated[:, j]
        row.update(skew_final=skewness(final), kurt_final=kurtosis(final),
                   passed_final=check_skew_kurt(final, skew_threshold, kurt_threshold))
        rows.append(row)
    details = pd.DataFrame(rows).set_index("iCode")
    for col in ("passed", "passed_winsorised", "passed_final"):
        details[col] = details[col].astype("boolean")  # None (undefined, or not reached) → <NA>
    out = pd.DataFrame(treated, index=data.index, columns=data.columns)
    points = pd.DataFrame(marks_table, index=data.index, columns=data.columns)
    return TreatmentResult(data=out, details=details, points=points)


def _present(x) -> np.ndarray:
    v = np.asarray(x, dtype="float64").ravel()
    return v[~np.isnan(v)]
