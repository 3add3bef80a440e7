"""The results of a thematic evaluation (专项评价): a theme scored, ranked and summarised.

:func:`compute_theme` scores a framework's theme (:mod:`evalkit.scoring.themes`) for the
theme's units and period with the one scoring model (:func:`evalkit.scoring.model.scoring_model`
on :func:`~evalkit.scoring.themes.theme_framework`): the same rules, missing-data policy and
ranks within peer groups as the annual evaluation, on the theme's points re-scaled to 100.
A theme has no bonus or deduction points and no grade: it ranks units on one subject.

It returns a :class:`~evalkit.results.store.Results` (saved and read back by
:func:`~evalkit.results.store.save_results`), whose tables are:

``units`` — one row per unit of the theme: ``unit_id, name_zh, name_en, peer_group,
unit_class, score_100, total_score, max_score, coverage, rank, n_in_group, provisional,
group_median, vs_median`` (``group_median``: the median ``score_100`` of the unit's peer
group within the theme; ``vs_median`` = ``score_100 − group_median``).

``nodes`` — as the annual results' (:mod:`evalkit.results.store`): every unit × theme node
with its value, ``n``, status, points, score, rule text and how the value scored.

``indicators`` (named table) — :func:`district_figures`: one row per leaf of the theme with
the district's figure.

``meta`` — ``theme, theme_name_zh, theme_name_en, period, period_name_zh, period_name_en,
year, units_selected, units_not_applicable`` (``unit_id, name_zh, name_en`` of each unit of
the theme to which none of its leaves applies, declared in ``not_applicable``: left out of
the ranking), ``framework_code, framework_version, framework_hash, framework_name_zh,
framework_name_en, data_hashes, parameters, evalkit_version``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import __version__
from ..configuration import EvaluationConfig
from ..errors import EvalkitError
from ..indicators.catalogue import BY_CODE
from ..periods import Period, as_period
from ..scoring import kernels
from ..scoring.model import ScoringModel, scoring_model
from ..scoring.themes import framework_theme, theme_framework, theme_unit_ids
from ..stats.intervals import wilson_intervals
from .compute import _node_table
from .store import Results

__all__ = ["compute_theme", "district_figures", "unit_positions", "INDICATOR_COLUMNS", "UNIT_COLUMNS"]

UNIT_COLUMNS = ["unit_id", "name_zh", "name_en", "peer_group", "unit_class", "score_100", "total_score", "max_score",
                "coverage", "rank", "n_in_group", "provisional", "group_median", "vs_median"]
INDICATOR_COLUMNS = ["code", "indicator", "name_zh", "name_en", "area", "value_unit", "direction", "target", "points",
                     "units", "units_with_data", "numerator", "denominator", "value", "ci_low", "ci_high",
                     "median", "low", "high", "meeting_target"]


def _theme_period(theme, year: int | None, dataset) -> Period:
    if theme.period is not None:
        if year is not None and int(year) != int(theme.period):
            raise EvalkitError(f"theme {theme.code} covers {theme.period.key} (its period in the framework); "
                               f"--year {year} is another year: leave --year out or change the theme's period")
        dataset.evaluation_year(int(theme.period))  # a clear message when the year has no data
        return theme.period
    return as_period(dataset.evaluation_year(year))


def district_figures(model: ScoringModel) -> pd.DataFrame:
    """The district's figure of every leaf of a (theme) scoring model, over the units it
    applies to (points > 0). Columns :data:`INDICATOR_COLUMNS`:

    ``units`` applicable, ``units_with_data``; for a rate of records (a value with a
    numerator and a denominator) the pooled figure ``value`` = 100 · Σ numerator / Σ
    denominator over the units with data — every record counts once, so a unit with many
    tickets weighs more than one with few — with its Wilson 95 % interval (``ci_low``,
    ``ci_high``, in %); for other indicators ``value`` is NaN (no pooled figure exists) and
    the units' ``median``, ``low`` and ``high`` describe them. ``meeting_target``: units
    with data whose value reaches the leaf's target in the leaf's direction (NaN without a
    target)."""
    fw = model.framework
    rows = []
    for j, code in enumerate(model.leaves):
        node = fw.nodes[code]
        ind = BY_CODE[node.indicator]
        applies = model.points[:, j] > 0
        values = model.values[applies, j]
        has = np.isfinite(values)
        num, den = model.numerator[applies, j][has], model.denominator[applies, j][has]
        pooled = bool(has.any()) and np.isfinite(num).all() and np.isfinite(den).all() and den.sum() > 0
        value = ci_low = ci_high = np.nan
        if pooled:
            value = 100.0 * num.sum() / den.sum()
            lo, hi = wilson_intervals(np.array([num.sum()]), np.array([den.sum()]))
            ci_low, ci_high = 100.0 * float(lo[0]), 100.0 * float(hi[0])
        direction = float(node.direction or ind.direction)
        target = node.target
        meeting = np.nan
        if target is not None and has.any():
            meeting = int((values[has] >= target).sum() if direction > 0 else (values[has] <= target).sum())
        rows.append({
            "code": code, "indicator": node.indicator, "name_zh": node.name_zh, "name_en": node.name_en,
            "area": node.area, "value_unit": node.unit if node.unit is not None else ind.unit,
            "direction": direction, "target": np.nan if target is None else float(target),
            "points": float(np.median(model.points[applies, j])) if applies.any() else 0.0,
            "units": int(applies.sum()), "units_with_data": int(has.sum()),
            "numerator": float(num.sum()) if pooled else np.nan, "denominator": float(den.sum()) if pooled else np.nan,
            "value": value, "ci_low": ci_low, "ci_high": ci_high,
            "median": float(np.median(values[has])) if has.any() else np.nan,
            "low": float(values[has].min()) if has.any() else np.nan,
            "high": float(values[has].max()) if has.any() else np.nan,
            "meeting_target": meeting,
        })
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def unit_positions(totals: pd.DataFrame) -> pd.DataFrame:
    """``totals`` (``unit_id, peer_group, score_100`` …) with ``group_median`` — the median
    ``score_100`` of the unit's peer group, over the units with a score — and ``vs_median``
    (``score_100 − group_median``; NaN without a score)."""
    out = totals.copy()
    out["group_median"] = out.groupby("peer_group")["score_100"].transform("median").astype("float64")
    out["vs_median"] = (out["score_100"] - out["group_median"]).astype("float64")
    return out


def compute_theme(dataset, config: EvaluationConfig, name: str, year: int | None = None,
                  units: list[str] | None = None) -> Results:
    """Score the theme ``name`` of ``config``'s framework (see the module docstring).

    ``year``: the evaluation year when the theme names no period (default: the latest
    year with data for scoring); a theme with a period is scored for it, and a ``year`` of
    another year is an error. ``units``: restrict the theme's units further (ids; an id
    that is not among them is an error)."""
    fw = config.framework
    theme = framework_theme(fw, name)
    period = _theme_period(theme, year, dataset)
    ids = theme_unit_ids(theme, dataset.units)
    if units:
        unknown = [u for u in units if u not in ids]
        if unknown:
            raise EvalkitError(f"--units: {', '.join(unknown)} not among the {len(ids)} units of theme {name}")
        ids = [u for u in ids if u in set(units)]
    sub = theme_framework(fw, name)
    model = scoring_model(dataset, sub, period, parameters=config.indicators, units=ids, adjustments=False)
    outside = [str(u) for u, m in zip(model.unit_ids, model.max_score) if not m > 0]
    if outside:  # none of the theme applies to them (declared not applicable): not ranked with the others
        ids = [u for u in ids if u not in set(outside)]
        if not ids:
            raise EvalkitError(f"theme {name}: none of its indicators applies to any of its units")
        model = scoring_model(dataset, sub, period, parameters=config.indicators, units=ids, adjustments=False)
    totals, node_frame = model.published()
    info = dataset.units[["unit_id", "name_zh", "name_en", "peer_group", "unit_class"]].copy()
    info["unit_id"] = info["unit_id"].astype(str)
    totals = info.merge(totals.drop(columns=[c for c in ("peer_group",) if c in totals.columns]), on="unit_id")
    totals["total_score"] = totals["base_score"]
    totals["provisional"] = (totals["coverage"].astype("float64")
                             < fw.publication_coverage - kernels.COVERAGE_TOLERANCE).to_numpy(dtype=bool)
    totals = unit_positions(totals)[UNIT_COLUMNS]
    totals = totals.sort_values(["peer_group", "rank", "unit_id"], kind="stable").reset_index(drop=True)
    peer_groups = info.set_index("unit_id")["peer_group"].astype(str)
    nodes = _node_table(sub, node_frame, dataset.table("not_applicable", int(period)), peer_groups)
    zh = period.name("zh") if period.resolved else period.key
    en = period.name("en") if period.resolved else period.key
    meta = {
        "theme": theme.code, "theme_name_zh": theme.name_zh, "theme_name_en": theme.name_en or theme.name_zh,
        "period": period.key, "period_name_zh": zh, "period_name_en": en, "year": int(period),
        "units_selected": list(theme.units) or ["all"],
        "units_not_applicable": info[info["unit_id"].isin(outside)][["unit_id", "name_zh", "name_en"]].to_dict("records"),
        "framework_code": fw.code, "framework_version": fw.version, "framework_hash": fw.sha256,
        "framework_name_zh": fw.name_zh, "framework_name_en": fw.name_en,
        "data_hashes": dict(dataset.files),
        "parameters": {"missing_policy": fw.missing_policy, "publication_coverage": fw.publication_coverage,
                       "min_coverage": fw.min_coverage, "nodes": list(theme.nodes),
                       "indicators": list(theme.extra_roots)},
        "configuration": config.describe(),
        "evalkit_version": __version__,
    }
    return Results(units=totals, nodes=nodes, meta=meta, tables={"indicators": district_figures(model)})
