"""The data-quality score as an indicator (数据质量得分), from :mod:`evalkit.quality`."""

from __future__ import annotations

import pandas as pd

from ..quality import DEFAULT_CHECKS, quality_metrics, quality_score
from .base import value_frame


def data_quality_score(dataset, year: int, checks=DEFAULT_CHECKS) -> pd.DataFrame:
    """数据质量得分 = 各维度得分的平均；维度得分 = 100 × 按严重程度加权的检查通过比例.

    Data-quality score: every data-quality check (:data:`evalkit.quality.DEFAULT_CHECKS`;
    completeness, timeliness, validity, consistency and plausibility of the unit's records,
    listed on ``docs/quality-checks.md``) is run for the unit
    (:func:`evalkit.quality.quality_metrics`); each dimension scores 100 × the share of its
    applicable checks passed, weighted by severity (warn 1, error 2); the score is the mean
    of the dimension scores over the dimensions with an applicable check
    (:func:`evalkit.quality.quality_score`). ``n`` is the number of applicable checks; a
    unit with none has no data.

    Unit: points (分, 0–100). Direction: higher is better. Source: every table the checks
    read (budget lines, service cases, 12345 tickets, grid cases, legal cases, audit
    findings and rectifications, ratings and the rater registry, the submission log).
    Poor data then counts against the unit, as section 七.1 (效能数据质量控制) asks.
    """
    metrics = quality_metrics(dataset, year, checks)
    score = quality_score(metrics).set_index("unit_id")
    return value_frame(dataset.units["unit_id"], year, score["score"], score["checks"])
