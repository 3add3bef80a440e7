"""The data-quality score (数据质量得分) of a unit and year, 0–100.

Aggregation
-----------
From the unit's metric rows (:func:`evalkit.quality.metrics.quality_metrics`), leaving out
those ``not_applicable``:

1. each check *passes* (1) when its status is ``ok`` and fails (0) otherwise, and weighs
   by its severity: :data:`SEVERITY_WEIGHTS` (``warn`` 1, ``error`` 2);
2. each **dimension** scores ``100 × Σ weight × passed / Σ weight`` over its applicable
   checks — the severity-weighted share of its checks passed;
3. the **score** is the plain mean of the dimension scores over the dimensions with at
   least one applicable check (each dimension counts the same, however many checks it has).

A unit with no applicable check has no score (NaN). Example: completeness with an ``error``
check passed and a ``warn`` check failed scores 100 × 2/3 = 66.7; timeliness with its one
``error`` check failed scores 0; with validity at 100 the score is (66.7 + 0 + 100) / 3 =
55.6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .checks import DIMENSIONS

__all__ = ["SEVERITY_WEIGHTS", "SCORE_COLUMNS", "quality_score", "AGGREGATION_TEXT", "aggregation_text"]

#: Weight of a check in its dimension, by severity.
SEVERITY_WEIGHTS: dict[str, float] = {"warn": 1.0, "error": 2.0}
#: Columns of :func:`quality_score`.
SCORE_COLUMNS = ["unit_id", "year", "score", *DIMENSIONS, "checks", "failed"]

def aggregation_text(language: str = "en") -> str:
    """The aggregation in words, from :data:`SEVERITY_WEIGHTS` (the checks page and reports show it)."""
    w = {k: f"{v:g}" for k, v in SEVERITY_WEIGHTS.items()}
    if language == "zh":
        return (f"数据质量得分：不计不适用的检查，每项检查通过计 1、未通过计 0，按级别加权（警示 {w['warn']}、"
                f"错误 {w['error']}）；各维度得分 = 100 × Σ 权重 × 通过 / Σ 权重；得分为有适用检查的各维度得分的"
                "平均值（各维度同等计入）。没有适用检查的单位不计得分。")
    return ("Per unit and year, leaving out the checks that are not applicable: each check passes (1) "
            "when its status is ok and fails (0) otherwise, weighted by its severity "
            f"(warn {w['warn']}, error {w['error']}); each dimension scores 100 × Σ weight × passed / Σ weight "
            "over its checks; the score is the mean of the dimension scores over the dimensions with at "
            "least one applicable check (each dimension counts the same). No applicable check: no score.")


#: The aggregation in words, in English (the checks page shows it).
AGGREGATION_TEXT = aggregation_text("en")


def quality_score(metrics: pd.DataFrame) -> pd.DataFrame:
    """The data-quality score of each unit and year from its metric rows.

    Parameters
    ----------
    metrics
        Rows of :func:`~evalkit.quality.metrics.quality_metrics` (columns ``unit_id, year,
        dimension, severity, status`` at least), one year or several.

    Returns
    -------
    DataFrame
        One row per unit and year (in the order they first appear), columns
        :data:`SCORE_COLUMNS`: ``score`` (0–100, NaN with no applicable check), one column
        per dimension with its score (NaN when none of its checks applies), ``checks`` (the
        applicable checks) and ``failed`` (those with status ``warn`` or ``error``). See the
        module docstring for the aggregation.
    """
    m = metrics[metrics["status"] != "not_applicable"]
    keys = metrics[["unit_id", "year"]].drop_duplicates().reset_index(drop=True)
    if len(m):
        weight = m["severity"].map(SEVERITY_WEIGHTS).astype("float64")
        passed = (m["status"] == "ok").astype("float64")
        frame = pd.DataFrame({"unit_id": m["unit_id"].to_numpy(), "year": m["year"].to_numpy(),
                              "dimension": m["dimension"].to_numpy(), "w": weight.to_numpy(),
                              "wp": (weight * passed).to_numpy(), "failed": 1.0 - passed.to_numpy()})
        grouped = frame.groupby(["unit_id", "year", "dimension"], sort=False)[["w", "wp"]].sum()
        dims = (100.0 * grouped["wp"] / grouped["w"]).unstack("dimension")
        counts = frame.groupby(["unit_id", "year"], sort=False).agg(checks=("w", "size"), failed=("failed", "sum"))
    else:
        dims = pd.DataFrame(index=pd.MultiIndex.from_arrays([[], []], names=["unit_id", "year"]))
        counts = pd.DataFrame({"checks": [], "failed": []}, index=dims.index)
    dims = dims.reindex(columns=list(DIMENSIONS))
    out = keys.merge(dims.reset_index(), on=["unit_id", "year"], how="left")
    out = out.merge(counts.reset_index(), on=["unit_id", "year"], how="left")
    values = out[list(DIMENSIONS)].to_numpy(dtype="float64")
    present = ~np.isnan(values)
    counted = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["score"] = np.where(counted > 0, np.where(present, values, 0.0).sum(axis=1) / counted, np.nan)
    out["checks"] = out["checks"].fillna(0).astype("int64")
    out["failed"] = out["failed"].fillna(0).astype("int64")
    return out[SCORE_COLUMNS]
