"""Inter-rater reliability: ICC, Krippendorff's alpha, Kendall's W, Fleiss' kappa.

Four general functions (pandas or arrays in, numbers or a tidy frame out), each pinned by a
test to a published worked example, and :func:`reliability_table` / :func:`icc_table`, which
apply them per rater group and criterion to the ``ratings`` table and add a plain-language
flag (Chinese and English) when agreement is low.

References
----------
.. [SF79] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing
   rater reliability. *Psychological Bulletin*, 86(2), 420–428.
.. [MW96] McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
   correlation coefficients. *Psychological Methods*, 1(1), 30–46.
.. [K11] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg
   School for Communication, University of Pennsylvania, departmental paper 43.
.. [KS39] Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. *Annals of
   Mathematical Statistics*, 10(3), 275–287; tie correction as in Siegel, S., & Castellan,
   N. J. (1988). *Nonparametric Statistics for the Behavioral Sciences*, 2nd ed., §9.5.
.. [F71] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
   *Psychological Bulletin*, 76(5), 378–382.
.. [KL16] Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass
   correlation coefficients for reliability research. *J. Chiropractic Medicine*, 15(2), 155–163.
.. [G14] Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability*, 4th ed. (Fleiss' kappa
   with a varying number of raters per subject).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..data.contract import RATER_GROUPS
from ..errors import EvalkitError
from ._coded import code_ratings, distinct_count, group_ids, split_key
from .rubric import FIVE_LEVEL_100, Rubric, Scale

__all__ = ["ReliabilityError", "KendallW", "icc", "krippendorff_alpha", "kendall_w", "fleiss_kappa",
           "reliability_table", "icc_table", "AGREEMENT_BANDS"]


class ReliabilityError(EvalkitError, ValueError):
    """The data cannot give the requested reliability statistic (too few, or malformed)."""


# ----------------------------------------------------------------------------------------
# ICC (Shrout & Fleiss 1979), pingouin conventions
# ----------------------------------------------------------------------------------------

_ICC_TYPES = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
_ICC_DESCRIPTIONS = ("Single raters absolute", "Single random raters", "Single fixed raters",
                     "Average raters absolute", "Average random raters", "Average fixed raters")
ICC_COLUMNS = ["Type", "Description", "ICC", "F", "df1", "df2", "pval", "CI95_low", "CI95_high"]
#: relative tolerance under which an ICC denominator counts as zero (the ICC is then NaN)
ICC_ZERO_TOL = 1e-10


def _icc_matrix(x: np.ndarray) -> pd.DataFrame:
    """All six Shrout–Fleiss ICCs of a complete targets × raters matrix."""
    n, k = x.shape
    if n < 2 or k < 2:
        raise ReliabilityError(f"ICC needs at least 2 targets and 2 raters with complete ratings; "
                               f"found {n} target(s) and {k} rater(s)")
    grand = x.mean()
    row_means, col_means = x.mean(axis=1), x.mean(axis=0)
    ssb = k * ((row_means - grand) ** 2).sum()
    ssj = n * ((col_means - grand) ** 2).sum()
    # SSE from the residuals themselves (not SST − SSB − SSJ, whose cancellation leaves noise)
    sse = ((x - row_means[:, None] - col_means[None, :] + grand) ** 2).sum()
    # a sum of squares no larger than rounding noise of the ratings is exactly zero
    noise = n * k * (ICC_ZERO_TOL * np.abs(x).max()) ** 2
    ssb, ssj, sse = (np.float64(0.0) if ss <= noise else np.float64(ss) for ss in (ssb, ssj, sse))
    df1, df_w, df_e = n - 1, n * (k - 1), (n - 1) * (k - 1)
    msb, msj = ssb / df1, ssj / (k - 1)
    mse = sse / df_e
    msw = (ssj + sse) / df_w
    # An ICC whose denominator is zero is undefined and returned as NaN (see icc, Notes);
    # "zero" allows for rounding: |denominator| <= ICC_ZERO_TOL x the largest mean square.
    scale = max(msb, msj, mse, msw)
    dens = (msb + (k - 1) * msw, msb + (k - 1) * mse + k * (msj - mse) / n, msb + (k - 1) * mse,
            msb, msb + (msj - mse) / n, msb)
    undefined = [scale == 0 or abs(d) <= ICC_ZERO_TOL * scale for d in dens]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        icc1, icc2, icc3, icc1k, icc2k, icc3k = (
            np.nan if u else (msb - w) / d
            for u, w, d in zip(undefined, (msw, mse, mse, msw, mse, mse), dens))
        f1 = msb / msw
        f3 = msb / mse
        p1 = stats.f.sf(f1, df1, df_w)
        p3 = stats.f.sf(f3, df1, df_e)
        # Confidence intervals, [SF79] and [MW96], exactly as pingouin computes them.
        alpha = 0.05
        f1l = f1 / stats.f.ppf(1 - alpha / 2, df1, df_w)
        f1u = f1 * stats.f.ppf(1 - alpha / 2, df_w, df1)
        f3l = f3 / stats.f.ppf(1 - alpha / 2, df1, df_e)
        f3u = f3 * stats.f.ppf(1 - alpha / 2, df_e, df1)
        fj = msj / mse
        term = n * (1 + (k - 1) * icc2) - k * icc2
        v = df_e * (k * icc2 * fj + term) ** 2 / (df1 * k ** 2 * icc2 ** 2 * fj ** 2 + term ** 2)
        f2u = stats.f.ppf(1 - alpha / 2, n - 1, v)
        f2l = stats.f.ppf(1 - alpha / 2, v, n - 1)
        l2 = n * (msb - f2u * mse) / (f2u * (k * msj + (k * n - k - n) * mse) + n * msb)
        u2 = n * (f2l * msb - mse) / (k * msj + (k * n - k - n) * mse + n * f2l * msb)
        low = [(f1l - 1) / (f1l + k - 1), l2, (f3l - 1) / (f3l + k - 1), 1 - 1 / f1l,
               l2 * k / (1 + l2 * (k - 1)), 1 - 1 / f3l]
        high = [(f1u - 1) / (f1u + k - 1), u2, (f3u - 1) / (f3u + k - 1), 1 - 1 / f1u,
                u2 * k / (1 + u2 * (k - 1)), 1 - 1 / f3u]
    return pd.DataFrame({
        "Type": list(_ICC_TYPES),
        "Description": list(_ICC_DESCRIPTIONS),
        "ICC": [icc1, icc2, icc3, icc1k, icc2k, icc3k],
        "F": [f1, f3, f3, f1, f3, f3],
        "df1": df1,
        "df2": [df_w, df_e, df_e, df_w, df_e, df_e],
        "pval": [p1, p3, p3, p1, p3, p3],
        "CI95_low": np.where(undefined, np.nan, np.asarray(low, dtype=float)),
        "CI95_high": np.where(undefined, np.nan, np.asarray(high, dtype=float)),
    }).astype({"ICC": "float64", "F": "float64", "df1": "int64", "df2": "int64", "pval": "float64"})


def icc(data: pd.DataFrame, targets: str, raters: str, ratings: str, *,
        nan_policy: Literal["raise", "omit"] = "raise") -> pd.DataFrame:
    """Intraclass correlation: the six Shrout–Fleiss forms with F test and 95 % CI.

    Parameters
    ----------
    data
        Long-form frame, one row per target and rater.
    targets, raters, ratings
        Column names: the rated objects (e.g. units), the raters, the numeric ratings.
    nan_policy
        ``"raise"`` (default): missing or unbalanced ratings raise :class:`ReliabilityError`;
        ``"omit"``: targets lacking any rater's rating are dropped (listwise deletion).

    Returns
    -------
    pandas.DataFrame
        Six rows with columns ``Type, Description, ICC, F, df1, df2, pval, CI95_low,
        CI95_high``. ``Type`` is ``ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k`` = Shrout–Fleiss
        (1,1), (2,1), (3,1), (1,k), (2,k), (3,k).

    Notes
    -----
    Conventions follow pingouin's ``intraclass_corr`` (and R ``psych::ICC``), whose published
    examples the tests reproduce: two-way ANOVA mean squares for targets (MSB), raters (MSJ),
    error (MSE) and within targets (MSW = (SSJ + SSE) / (n(k−1)));
    ICC1 = (MSB−MSW)/(MSB+(k−1)MSW), ICC2 = (MSB−MSE)/(MSB+(k−1)MSE+k(MSJ−MSE)/n),
    ICC3 = (MSB−MSE)/(MSB+(k−1)MSE) and the k-forms their Spearman–Brown averages [SF79].
    ICC1 and ICC1k are tested with F = MSB/MSW on (n−1, n(k−1)) df, the others with
    F = MSB/MSE on (n−1, (n−1)(k−1)) df; p-values are upper-tail. The 95 % intervals are
    the F-based ones of [SF79] and, for ICC2/ICC2k, the Satterthwaite-type interval of
    [MW96]. Values are not rounded (pingouin rounds its CI to 2 decimals in print).
    A duplicate (target, rater) pair is an error.

    Zero denominators: a form whose denominator is zero is undefined and its ``ICC``,
    ``CI95_low`` and ``CI95_high`` are NaN — never ±inf or a huge number from rounding. This
    happens with no variance at all (every rating equal: all six forms are NaN), with no
    variance between targets (MSB = 0: ICC1k and ICC3k, whose denominator is MSB), and for
    ICC2k when MSB + (MSJ − MSE)/n = 0, e.g. the 3 × 2 matrix [[0, 0], [0, 1], [1, 0]]
    (MSB = 1/6, MSJ = 0, MSE = 1/2), where ICC2 = −1 and the Spearman–Brown step to k raters
    divides by 1 + (k−1)·ICC2 = 0. A denominator counts as zero when its absolute value is
    at most ``ICC_ZERO_TOL`` (1e-10) times the largest of MSB, MSJ, MSE and MSW, so the rule
    does not depend on the scale or on the order of targets and raters; a sum of squares no
    larger than n·k·(``ICC_ZERO_TOL``·max|rating|)² is rounding noise and counts as exactly
    0 (so ratings that are all 0.1 have no variance). ``F`` is MSB/MSE (MSB/MSW for the
    one-way forms) on those sums: inf with perfect agreement (MSE = 0 < MSB), NaN with no
    variance at all.
    """
    for col in (targets, raters, ratings):
        if col not in data.columns:
            raise ReliabilityError(f"icc: expected a column '{col}'; found {', '.join(map(str, data.columns))}")
    values = pd.to_numeric(data[ratings], errors="coerce")
    if (values.isna() & data[ratings].notna()).any():
        raise ReliabilityError(f"icc: expected numeric ratings in '{ratings}'")
    if data.duplicated([targets, raters]).any():
        raise ReliabilityError("icc: expected one rating per target and rater; found duplicates")
    wide = (data.assign(**{ratings: values})
            .pivot(index=targets, columns=raters, values=ratings))
    if wide.isna().any().any():
        if nan_policy == "omit":
            wide = wide.dropna(axis=0, how="any")
        else:
            raise ReliabilityError("icc: expected complete, balanced ratings (every rater rates every "
                                   "target); use nan_policy='omit' to drop incomplete targets")
    return _icc_matrix(wide.to_numpy(dtype=float))


# ----------------------------------------------------------------------------------------
# Krippendorff's alpha
# ----------------------------------------------------------------------------------------

LEVELS_OF_MEASUREMENT = ("nominal", "ordinal", "interval", "ratio")


def _delta2(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    """Squared difference function δ²(c, k) over the sorted distinct values [K11]."""
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "interval":
        return (values[:, None] - values[None, :]) ** 2
    if level == "ratio":
        s = values[:, None] + values[None, :]
        d = values[:, None] - values[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(s == 0, 0.0, (d / s) ** 2)
        return out
    # ordinal: (Σ_{g=c..k} n_g − (n_c + n_k)/2)²
    cs = np.cumsum(n_c)
    lo = np.minimum.outer(np.arange(len(values)), np.arange(len(values)))
    hi = np.maximum.outer(np.arange(len(values)), np.arange(len(values)))
    between = cs[hi] - cs[lo] + n_c[lo]
    return (between - (n_c[:, None] + n_c[None, :]) / 2) ** 2


def krippendorff_alpha(reliability_data, level_of_measurement: str = "interval") -> float:
    """Krippendorff's alpha for any number of raters, with missing data.

    Parameters
    ----------
    reliability_data
        Raters in rows, units in columns (array-like or DataFrame); NaN (or None) marks a
        missing rating. Values are numbers (for ``nominal`` they are category codes).
    level_of_measurement
        ``"nominal"``, ``"ordinal"``, ``"interval"`` (default) or ``"ratio"``.

    Returns
    -------
    float
        α = 1 − D_o / D_e, computed from the coincidence matrix of pairable values [K11]:
        units with fewer than two ratings are not pairable and are ignored; each pair within
        a unit of m ratings counts 1/(m−1). The ordinal metric uses the marginal counts
        (δ² = (Σ_{g=c}^{k} n_g − (n_c+n_k)/2)²), the ratio metric ((c−k)/(c+k))². NaN when
        there are fewer than two pairable values or no variation at all (D_e = 0).
    """
    if level_of_measurement not in LEVELS_OF_MEASUREMENT:
        raise ReliabilityError(f"krippendorff_alpha: expected level_of_measurement one of "
                               f"{', '.join(LEVELS_OF_MEASUREMENT)}; found {level_of_measurement!r}")
    data = np.asarray(pd.DataFrame(reliability_data).to_numpy(dtype=float), dtype=float)
    if data.ndim != 2:
        raise ReliabilityError("krippendorff_alpha: expected a raters × units table")
    m_u = (~np.isnan(data)).sum(axis=0)
    data = data[:, m_u >= 2]
    m_u = m_u[m_u >= 2]
    if data.size == 0 or m_u.sum() < 2:
        return float("nan")
    present = ~np.isnan(data)
    values, inverse = np.unique(data[present], return_inverse=True)
    unit_idx = np.nonzero(present)[1]  # row-major, like data[present]
    counts = np.zeros((data.shape[1], len(values)))
    np.add.at(counts, (unit_idx, inverse), 1.0)
    weight = 1.0 / (m_u - 1.0)
    coincidence = (counts * weight[:, None]).T @ counts - np.diag((counts * weight[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    delta = _delta2(values, n_c, level_of_measurement)
    d_o = (coincidence * delta).sum()
    d_e = (np.outer(n_c, n_c) * delta).sum()
    if d_e <= 0:
        return float("nan")
    return float(1.0 - (n - 1.0) * d_o / d_e)


# ----------------------------------------------------------------------------------------
# Kendall's W
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KendallW:
    """Kendall's coefficient of concordance with its chi-square test.

    ``w`` (tie-corrected), ``chi2`` = m(n−1)W on ``dof`` = n−1 degrees of freedom, upper-tail
    ``pvalue``; ``n_objects`` (n) and ``n_raters`` (m) used.
    """

    w: float
    chi2: float
    dof: int
    pvalue: float
    n_objects: int
    n_raters: int


def _tie_sum(x: np.ndarray) -> float:
    """Σ over raters (columns) and tie groups of (t³ − t), vectorised over columns."""
    n, m = x.shape
    v = np.sort(x, axis=0).T.ravel()          # column by column
    col = np.repeat(np.arange(m), n)
    new_run = np.ones(len(v), dtype=bool)
    new_run[1:] = (v[1:] != v[:-1]) | (col[1:] != col[:-1])
    t = np.bincount(np.cumsum(new_run) - 1).astype(float)
    return float((t ** 3 - t).sum())


def _kendall_w_matrix(x: np.ndarray) -> KendallW:
    n, m = x.shape
    if n < 2 or m < 2:
        raise ReliabilityError(f"kendall_w needs at least 2 objects and 2 raters; found {n} and {m}")
    ranks = stats.rankdata(x, axis=0)  # mid-ranks for ties, within each rater (column)
    r = ranks.sum(axis=1)
    s = float(((r - m * (n + 1) / 2.0) ** 2).sum())
    denom = m ** 2 * (n ** 3 - n) - m * _tie_sum(x)
    w = 12.0 * s / denom if denom > 0 else float("nan")
    chi2 = m * (n - 1) * w
    return KendallW(w=float(w), chi2=float(chi2), dof=n - 1, pvalue=float(stats.chi2.sf(chi2, n - 1)),
                    n_objects=n, n_raters=m)


def kendall_w(data, *, nan_policy: Literal["raise", "omit"] = "raise") -> KendallW:
    """Kendall's W, tie-corrected, with its chi-square test.

    Parameters
    ----------
    data
        Objects in rows, raters in columns (DataFrame or array). Each rater's scores are
        ranked within that rater (column); tied scores get mid-ranks.
    nan_policy
        ``"raise"`` (default) on missing values; ``"omit"`` drops objects with any missing
        rating (listwise deletion).

    Returns
    -------
    KendallW
        W = 12 S / (m²(n³−n) − m ΣT), S = Σ_i (R_i − m(n+1)/2)², R_i the rank sum of object i,
        ΣT = Σ over raters and tie groups of (t³−t) [KS39]; χ² = m(n−1)W on n−1 df.
    """
    x = np.asarray(pd.DataFrame(data).to_numpy(dtype=float), dtype=float)
    if np.isnan(x).any():
        if nan_policy != "omit":
            raise ReliabilityError("kendall_w: expected complete rankings; found missing values "
                                   "(use nan_policy='omit' to drop incomplete objects)")
        x = x[~np.isnan(x).any(axis=1)]
    return _kendall_w_matrix(x)


# ----------------------------------------------------------------------------------------
# Fleiss' kappa
# ----------------------------------------------------------------------------------------


def fleiss_kappa(counts) -> float:
    """Fleiss' kappa from a subjects × categories table of rating counts.

    Parameters
    ----------
    counts
        ``counts[i, j]`` = number of raters who put subject i in category j (non-negative
        whole numbers; DataFrame or array).

    Returns
    -------
    float
        κ = (P̄ − P̄_e)/(1 − P̄_e) with P_i = Σ_j n_ij(n_ij−1) / (n_i(n_i−1)), P̄ their mean,
        p_j the mean over subjects of n_ij/n_i and P̄_e = Σ_j p_j² [F71]. With the same number
        of raters per subject this is Fleiss (1971) exactly; with varying numbers it is the
        usual generalisation [G14]. Subjects with fewer than two ratings are ignored. NaN when
        fewer than one subject remains or P̄_e = 1 (every rating in one category).
    """
    table = np.asarray(pd.DataFrame(counts).to_numpy(dtype=float), dtype=float)
    if table.ndim != 2 or (table < 0).any() or np.isnan(table).any():
        raise ReliabilityError("fleiss_kappa: expected a subjects × categories table of counts ≥ 0")
    n_i = table.sum(axis=1)
    table, n_i = table[n_i >= 2], n_i[n_i >= 2]
    if len(n_i) == 0:
        return float("nan")
    p_i = (table * (table - 1)).sum(axis=1) / (n_i * (n_i - 1))
    p_j = (table / n_i[:, None]).mean(axis=0)
    p_e = float((p_j ** 2).sum())
    if p_e >= 1.0:
        return float("nan")
    return float((p_i.mean() - p_e) / (1.0 - p_e))


# ----------------------------------------------------------------------------------------
# Per rater group and criterion
# ----------------------------------------------------------------------------------------

#: Bands of ICC(1,k), the reliability of a published group mean [KL16]: lower bound → level.
AGREEMENT_BANDS = ((0.90, "excellent"), (0.75, "good"), (0.50, "moderate"), (-np.inf, "poor"))
AGREEMENT_ZH = {"excellent": "优", "good": "良", "moderate": "中", "poor": "差",
                "not_assessable": "无法评估"}
#: Fewest units, and fewest raters per unit on average, for a reliability estimate.
MIN_UNITS_FOR_RELIABILITY = 3
#: Fewest units of the complete block used for Kendall's W and the two-way ICCs (a
#: concordance over three or four objects says little).
MIN_UNITS_FOR_BLOCK = 5

RELIABILITY_COLUMNS = [
    "rater_group", "criterion", "n_units", "n_raters", "n_ratings", "raters_per_unit",
    "icc1", "icc1_ci_low", "icc1_ci_high", "icc1k", "icc1k_ci_low", "icc1k_ci_high", "icc_f", "icc_pval",
    "alpha_interval", "fleiss_kappa", "kendall_w", "kendall_chi2", "kendall_dof", "kendall_pval",
    "w_units", "w_raters", "agreement", "low_agreement", "message_zh", "message_en"]


def _best_prefix_block(present: np.ndarray, min_rows: int, min_cols: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Columns taken in order of coverage; the best prefix of k columns together with the
    rows complete on all of them, as (cells, rows, columns); (0, [], []) if none is big
    enough."""
    order = np.argsort(-present.sum(axis=0), kind="stable")
    complete = np.logical_and.accumulate(present[:, order], axis=1)  # rows complete on the first k
    n_rows = complete.sum(axis=0)
    k = np.arange(1, present.shape[1] + 1)
    cells = np.where((n_rows >= min_rows) & (k >= min_cols), n_rows * k, 0)
    if cells.size == 0 or cells.max() == 0:
        return 0, np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    best = int(cells.argmax())
    return int(cells[best]), np.sort(np.nonzero(complete[:, best])[0]), np.sort(order[:best + 1])


def _complete_block(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (units) and columns (raters) of a large complete sub-matrix of ``m`` (no NaN).

    Heuristic, in one vectorised pass: raters are taken in order of how many units they
    rated, and for each k the block holds the first k raters and the units all of them
    rated; the k giving the most cells wins. The same is tried with the roles of units and
    raters swapped, and the larger block kept. Blocks have at least 5 units and 2 raters
    (else both arrays are empty). Not always the largest complete block (finding that is
    NP-hard), but large, fast and reproducible.
    """
    present = ~np.isnan(m)
    cells, rows, cols = _best_prefix_block(present, MIN_UNITS_FOR_BLOCK, 2)
    cells_t, cols_t, rows_t = _best_prefix_block(present.T, 2, MIN_UNITS_FOR_BLOCK)
    if cells_t > cells:
        return rows_t, cols_t
    return rows, cols


def _cell_matrix(frame: pd.DataFrame) -> np.ndarray:
    u_codes, _ = pd.factorize(frame["unit_id"], sort=True)
    r_codes, _ = pd.factorize(frame["rater_id"], sort=True)
    m = np.full((u_codes.max() + 1, r_codes.max() + 1), np.nan)
    m[u_codes, r_codes] = frame["score"].to_numpy(dtype=float)
    return m


def _one_way(gc: np.ndarray, m: np.ndarray, total: np.ndarray, ss: np.ndarray, n_gc: int) -> pd.DataFrame:
    """One-way random-effects ICC(1,1) and ICC(1,k) per group-and-criterion id ``gc`` from
    per-unit counts ``m``, sums ``total`` and within sums of squares ``ss``; unbalanced
    designs allowed (ANOVA estimator with k0 = (N − Σm_u²/N)/(a−1)) [SF79]."""
    a = np.bincount(gc, minlength=n_gc).astype(float)
    big_n = np.bincount(gc, weights=m, minlength=n_gc)
    s_all = np.bincount(gc, weights=total, minlength=n_gc)
    ssb = np.bincount(gc, weights=total ** 2 / m, minlength=n_gc) - s_all ** 2 / big_n
    ssw = np.bincount(gc, weights=ss, minlength=n_gc)
    df_b, df_w = a - 1, big_n - a
    ok = (a >= 2) & (df_w > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        k0 = (big_n - np.bincount(gc, weights=m ** 2, minlength=n_gc) / big_n) / df_b
        msb, msw = ssb / df_b, ssw / df_w
        f = msb / msw
        fl = f / stats.f.ppf(0.975, df_b, df_w)
        fu = f * stats.f.ppf(0.975, df_w, df_b)
        out = pd.DataFrame({
            "icc1": (msb - msw) / (msb + (k0 - 1) * msw),
            "icc1_ci_low": (fl - 1) / (fl + k0 - 1), "icc1_ci_high": (fu - 1) / (fu + k0 - 1),
            "icc1k": (msb - msw) / msb, "icc1k_ci_low": 1 - 1 / fl, "icc1k_ci_high": 1 - 1 / fu,
            "icc_f": f, "icc_pval": stats.f.sf(f, df_b, df_w)})
    out.loc[~ok] = np.nan
    return out


def _alpha_interval(gc: np.ndarray, m: np.ndarray, total: np.ndarray, q: np.ndarray, ss: np.ndarray,
                    n_gc: int) -> np.ndarray:
    """Krippendorff's interval alpha per group-and-criterion id from per-unit sums (the same
    value as :func:`krippendorff_alpha`, in O(ratings)); units with one rating are not
    pairable."""
    p = m >= 2
    gc, m, total, q, ss = gc[p], m[p], total[p], q[p], ss[p]
    n = np.bincount(gc, weights=m, minlength=n_gc)
    within = np.bincount(gc, weights=m * ss / (m - 1), minlength=n_gc)
    with np.errstate(divide="ignore", invalid="ignore"):  # n = 0 where no unit has two ratings
        ss_tot = np.bincount(gc, weights=q, minlength=n_gc) - np.bincount(gc, weights=total, minlength=n_gc) ** 2 / n
        alpha = 1 - (n - 1) * within / (n * ss_tot)
    return np.where(ss_tot > 1e-12 * np.maximum(n, 1), alpha, np.nan)


def _fleiss_by_id(cell_gc: np.ndarray, counts: np.ndarray, n_gc: int) -> np.ndarray:
    """:func:`fleiss_kappa` of many tables at once: ``counts`` (cells × levels), each cell
    belonging to the table ``cell_gc``."""
    n_i = counts.sum(axis=1)
    keep = n_i >= 2
    counts, n_i, g = counts[keep], n_i[keep].astype(float), cell_gc[keep]
    n_cells = np.bincount(g, minlength=n_gc).astype(float)
    p_i = (counts * (counts - 1)).sum(axis=1) / (n_i * (n_i - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_bar = np.bincount(g, weights=p_i, minlength=n_gc) / n_cells
        p_e = sum((np.bincount(g, weights=counts[:, j] / n_i, minlength=n_gc) / n_cells) ** 2
                  for j in range(counts.shape[1]))
        kappa = (p_bar - p_e) / (1 - p_e)
    return np.where((n_cells > 0) & (p_e < 1), kappa, np.nan)


def _plain_message(group: str, criterion_zh: str, criterion_en: str, level: str, icc1k: float,
                   low: bool) -> tuple[str, str]:
    group_zh = RATER_GROUPS.get(group, group)
    if level == "not_assessable":
        return (f"{group_zh}对“{criterion_zh}”的评分数据太少，无法评估评价一致性。",
                f"Too few {group} ratings of '{criterion_en}' to assess agreement.")
    if low:
        return (f"评价一致性低：{group_zh}对“{criterion_zh}”的评分中，评价人之间的分歧与单位之间的差别"
                f"相差不大（ICC(1,k) = {icc1k:.2f}），该项得分应谨慎解读。",
                f"Low agreement: {group} raters disagree about '{criterion_en}' almost as much as "
                f"units differ (ICC(1,k) = {icc1k:.2f}); read this score with caution.")
    return (f"评价一致性{AGREEMENT_ZH[level]}（ICC(1,k) = {icc1k:.2f}）。",
            f"Agreement is {level} (ICC(1,k) = {icc1k:.2f}).")


def reliability_table(ratings: pd.DataFrame, *, scale: Scale | None = None, rubric: Rubric | None = None,
                      low_threshold: float = 0.5) -> pd.DataFrame:
    """Reliability of the ratings per rater group and criterion, with a plain-language flag.

    Parameters
    ----------
    ratings
        Eligible ratings (own-unit ratings already excluded, see
        :func:`evalkit.qualitative.registry.exclude_own_unit`) with columns ``rater_id,
        rater_group, unit_id, criterion, score`` (score 0–100).
    scale, rubric
        The response scale used to classify scores into levels for Fleiss' kappa (default:
        the rubric's scale, else 100/80/60/30/0); the rubric also names the criteria.
    low_threshold
        ICC(1,k) below which agreement is flagged low (default 0.5, "poor" in [KL16]).

    Returns
    -------
    pandas.DataFrame
        One row per ``rater_group, criterion`` with the columns :data:`RELIABILITY_COLUMNS`:

        * ``icc1``/``icc1k`` (+ 95 % CI, F, p): one-way random-effects ICC on all ratings —
          the Shrout–Fleiss model when each unit is rated by a different set of raters,
          which is how rater groups work; unbalanced designs use k0 [SF79]. ``icc1k`` is the
          reliability of the group mean a unit is given, and drives the flag.
        * ``alpha_interval``: Krippendorff's alpha (interval metric) on all ratings.
        * ``fleiss_kappa``: agreement on the scale level of each score (nominal).
        * ``kendall_w`` (+ χ², df, p): on a large complete units × raters block found by
          :func:`_complete_block` (``w_units`` × ``w_raters``); NaN when no block of at
          least 5 units and 2 raters exists.
        * ``agreement``: ``excellent``/``good``/``moderate``/``poor`` by ICC(1,k) [KL16], or
          ``not_assessable`` (fewer than 3 units, or no unit with two raters);
          ``low_agreement`` is true when ICC(1,k) < ``low_threshold``;
          ``message_zh``/``message_en`` say it in plain words.

        No rater id and no individual rating appears in the output.
    """
    scale = scale or (rubric.scale if rubric is not None else FIVE_LEVEL_100)
    r = ratings[["rater_id", "rater_group", "unit_id", "criterion", "score"]]
    r = r[r["score"].notna()]
    if r.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RELIABILITY_COLUMNS})
    cd = code_ratings(r)
    x = cd.score
    gc_row, gc_keys = group_ids((cd.group, cd.n_groups), (cd.criterion, cd.n_criteria))
    n_gc = len(gc_keys)
    # per unit within group and criterion
    cell, cell_keys = group_ids((gc_row, n_gc), (cd.unit, cd.n_units))
    n_cells = len(cell_keys)
    cell_gc = cell_keys // cd.n_units
    m = np.bincount(cell, minlength=n_cells).astype(float)
    total = np.bincount(cell, weights=x, minlength=n_cells)
    q = np.bincount(cell, weights=x * x, minlength=n_cells)
    ss = np.clip(q - total ** 2 / m, 0.0, None)
    g_code, c_code = split_key(gc_keys, [cd.n_groups, cd.n_criteria])
    out = pd.DataFrame({
        "rater_group": cd.group_names[g_code], "criterion": cd.criterion_names[c_code],
        "n_units": np.bincount(cell_gc, minlength=n_gc),
        "n_raters": distinct_count(gc_row, n_gc, cd.rater, cd.n_raters),
        "n_ratings": np.bincount(gc_row, minlength=n_gc)})
    out["raters_per_unit"] = out["n_ratings"] / out["n_units"]
    out = pd.concat([out, _one_way(cell_gc, m, total, ss, n_gc)], axis=1)
    out["alpha_interval"] = _alpha_interval(cell_gc, m, total, q, ss, n_gc)
    # Fleiss' kappa on the scale levels
    n_levels = len(scale.levels)
    level = scale.level_of(x)
    counts = np.bincount(cell * n_levels + level, minlength=n_cells * n_levels).reshape(n_cells, n_levels)
    out["fleiss_kappa"] = _fleiss_by_id(cell_gc, counts, n_gc)
    # Kendall's W on a complete block of each group and criterion
    order = np.argsort(gc_row, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(gc_row, minlength=n_gc))])
    w_rows = []
    for i in range(n_gc):
        sel = order[bounds[i]:bounds[i + 1]]
        u_codes, u_inv = np.unique(cd.unit[sel], return_inverse=True)
        r_codes, r_inv = np.unique(cd.rater[sel], return_inverse=True)
        mat = np.full((len(u_codes), len(r_codes)), np.nan)
        mat[u_inv, r_inv] = x[sel]
        rows, cols = _complete_block(mat)
        if len(rows) >= MIN_UNITS_FOR_BLOCK and len(cols) >= 2:
            res = _kendall_w_matrix(mat[np.ix_(rows, cols)])
            w_rows.append((res.w, res.chi2, res.dof, res.pvalue, len(rows), len(cols)))
        else:
            w_rows.append((np.nan, np.nan, np.nan, np.nan, len(rows), len(cols)))
    w = pd.DataFrame(w_rows, columns=["kendall_w", "kendall_chi2", "kendall_dof", "kendall_pval",
                                      "w_units", "w_raters"])
    out = pd.concat([out, w], axis=1)
    # the flag
    assessable = (out["n_units"] >= MIN_UNITS_FOR_RELIABILITY) & out["icc1k"].notna()
    level_name = np.select([~assessable] + [out["icc1k"] >= lo for lo, _ in AGREEMENT_BANDS],
                           ["not_assessable"] + [name for _, name in AGREEMENT_BANDS], "poor")
    out["agreement"] = level_name
    out["low_agreement"] = assessable & (out["icc1k"] < low_threshold)
    names = {c.code: (c.name_zh, c.name_en or c.code) for c in rubric.criteria} if rubric else {}
    msgs = [_plain_message(row.rater_group, names.get(row.criterion, (row.criterion,))[0],
                           names.get(row.criterion, (row.criterion, row.criterion))[1],
                           row.agreement, row.icc1k, bool(row.low_agreement))
            for row in out.itertuples(index=False)]
    out["message_zh"] = [msg[0] for msg in msgs]
    out["message_en"] = [msg[1] for msg in msgs]
    for col in ("n_units", "n_raters", "n_ratings", "w_units", "w_raters"):
        out[col] = out[col].astype("int64")
    out["kendall_dof"] = out["kendall_dof"].astype("Int64")
    return out[RELIABILITY_COLUMNS]


def icc_table(ratings: pd.DataFrame) -> pd.DataFrame:
    """The six Shrout–Fleiss ICCs per rater group and criterion (long form).

    Two-way forms need every rater to rate every unit, which rater groups rarely do, so each
    group and criterion is reduced to the complete units × raters block found by
    :func:`_complete_block`; ``n_units`` and ``n_raters`` say how large it is. Groups whose
    block has fewer than 5 units or 2 raters are left out. Columns: ``rater_group,
    criterion, n_units, n_raters`` + the columns of :func:`icc`.
    """
    r = ratings[["rater_id", "rater_group", "unit_id", "criterion", "score"]].dropna(subset=["score"])
    frames = []
    for (group, criterion), frame in r.groupby(["rater_group", "criterion"], sort=True):
        m = _cell_matrix(frame)
        rows, cols = _complete_block(m)
        if len(rows) < MIN_UNITS_FOR_BLOCK or len(cols) < 2:
            continue
        t = _icc_matrix(m[np.ix_(rows, cols)])
        t.insert(0, "n_raters", len(cols))
        t.insert(0, "n_units", len(rows))
        t.insert(0, "criterion", criterion)
        t.insert(0, "rater_group", group)
        frames.append(t)
    if not frames:
        return pd.DataFrame(columns=["rater_group", "criterion", "n_units", "n_raters"] + ICC_COLUMNS)
    return pd.concat(frames, ignore_index=True)
