"""Data quality (数据质量控制): checks as data, rule kernels, per-unit metrics and a score.

* :mod:`~evalkit.quality.checks` — :class:`Check`, the built-in :data:`DEFAULT_CHECKS` and an
  office's own (``quality_checks.yaml``, :func:`load_checks`);
* :mod:`~evalkit.quality.rules` — the rule kernels (pure functions on a year's tables);
* :mod:`~evalkit.quality.metrics` — :func:`quality_metrics`: every check for every unit;
* :mod:`~evalkit.quality.score` — :func:`quality_score`: the data-quality score (0–100).
"""

from .checks import DEFAULT_CHECKS, DIMENSIONS, QUALITY_CHECKS_FILE, Check, QualityCheckError, load_checks
from .metrics import METRIC_COLUMNS, quality_metrics
from .score import SEVERITY_WEIGHTS, quality_score

__all__ = ["Check", "DEFAULT_CHECKS", "DIMENSIONS", "METRIC_COLUMNS", "QUALITY_CHECKS_FILE", "QualityCheckError",
           "SEVERITY_WEIGHTS", "load_checks", "quality_metrics", "quality_score"]
