"""The end-to-end computation: data directory + framework + year → :class:`Results`.

load and validate → indicators → scoring (rules, aggregation) → ranks and grades →
results with provenance. Pure apart from reading the inputs it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..configuration import EvaluationConfig, load_configuration
from ..data.dataset import Dataset, load_dataset
from ..errors import EvalkitError
from ..provenance import package_versions
from ..indicators.catalogue import BY_CODE
from ..indicators.parameters import IndicatorParameters
from ..qualitative.rubric import Rubric
from ..scoring.framework import Framework, grade_meta
from ..scoring import kernels
from ..scoring.model import ScoringModel, is_partial_period, period_not_assessed, scoring_model
from ..data.as_at import resolve_period
from ..periods import Period, as_period
from .comparable import comparable_meta, published_history
from ..targets.agreed import agreed_target_table, load_agreed_targets, with_agreed_targets
from .history import history_table, node_history_table
from .intervals import rank_interval_table
from .store import Results

_PACKAGES = ("numpy", "pandas", "pyarrow", "scipy", "matplotlib", "papermill", "nbconvert",
             "chinese_calendar", "PyYAML")


def score_year(dataset: Dataset, framework: Framework, year: int, model: ScoringModel | None = None,
               parameters: IndicatorParameters | None = None) -> pd.DataFrame | None:
    """Unit totals with ranks and grades for one year, or None when the year has no data.

    The one scorer's published run (:meth:`evalkit.scoring.model.ScoringModel.published`);
    the node table is in ``attrs["nodes"]``. ``model``: the year's scoring model when the
    caller has built it already; ``parameters``: the indicators' parameters (the data's
    rubric and limits, :attr:`evalkit.configuration.EvaluationConfig.indicators`).
    """
    if year not in dataset.years:
        return None
    model = model if model is not None else scoring_model(dataset, framework, year, parameters=parameters)
    units = dataset.units[["unit_id", "name_zh", "name_en", "peer_group", "unit_class"]]
    totals, nodes = model.published()
    totals = units.merge(totals, on="unit_id")
    # 暂定: too little of the unit's applicable points rests on data to publish its grade and
    # rank as final (the framework's publication_coverage; NaN coverage = no score: not graded)
    totals["provisional"] = (totals["coverage"].astype("float64")
                             < framework.publication_coverage - kernels.COVERAGE_TOLERANCE).to_numpy(dtype=bool)
    totals["flags"] = _flags(totals)
    totals.attrs["nodes"] = nodes
    return totals


#: Units whose data-backed share of points is below this are flagged ``low_coverage``.
LOW_COVERAGE = 0.5


def _flags(totals: pd.DataFrame) -> pd.Series:
    """``;``-separated flags per unit: veto, bar_top, provisional, low_coverage, no_score."""
    parts = []
    for _, row in totals.iterrows():
        f = [k for k in ("veto", "bar_top", "provisional") if bool(row.get(k, False))]
        if pd.notna(row["coverage"]) and row["coverage"] < LOW_COVERAGE:
            f.append("low_coverage")
        if pd.isna(row["score_100"]):
            f.append("no_score")
        parts.append(";".join(f))
    return pd.Series(parts, index=totals.index, dtype=object)


def _explanations(framework: Framework, table: pd.DataFrame, peer_groups: pd.Series | None) -> tuple[list[str], list[str]]:
    """Each leaf row's "how this value scored" sentence in Chinese and English, from the
    leaf's own rule object (:meth:`explain`, the same code path as its score); "" for rows
    without data and for inner nodes. The best value a ``ratio_to_best`` rule needs is the
    best of the unit's peer group among the units with data."""
    zh, en = [""] * len(table), [""] * len(table)
    group = (table["unit_id"].astype(str).map(peer_groups) if peer_groups is not None
             else pd.Series("", index=table.index))
    for i, r in enumerate(table.itertuples(index=False)):
        node = framework.nodes.get(str(r.code))
        if node is None or not node.is_leaf or node.rule is None or r.status != "data" or pd.isna(r.raw_value):
            continue
        best = None
        if getattr(node.rule, "type", "") == "ratio_to_best":
            peers = table[(table["code"] == r.code) & (group == group.iloc[i]) & (table["status"] == "data")]
            vals = pd.to_numeric(peers["raw_value"], errors="coerce").dropna()
            best = (vals.max() if r.direction > 0 else vals.min()) if len(vals) else None
        args = (float(r.raw_value), float(r.points), node.target, float(r.direction), r.value_unit or "")
        try:
            zh[i] = node.rule.explain(*args, language="zh", best=best)
            en[i] = node.rule.explain(*args, language="en", best=best)
        except (TypeError, ValueError):  # a rule that needs what the table lacks (e.g. rank points)
            zh[i] = en[i] = ""
    return zh, en


def _node_table(framework: Framework, nodes: pd.DataFrame, not_applicable: pd.DataFrame | None = None,
                peer_groups: pd.Series | None = None) -> pd.DataFrame:
    meta = []
    for node in framework.walk():
        ind = BY_CODE.get(node.indicator) if node.indicator else None
        direction = (node.direction or ind.direction) if ind else np.nan
        unit = (node.unit if node.unit is not None else ind.unit) if ind else ""
        kind = node.kind or ("qualitative" if ind is not None and ind.area == "qualitative" else "quantitative")
        meta.append({
            "code": node.code, "parent": node.parent, "level": node.level,
            "name_zh": node.name_zh, "name_en": node.name_en, "area": node.area,
            "kind": kind if node.is_leaf else "group",
            "indicator": node.indicator, "value_unit": unit,
            "direction": direction,
            "target": node.target if node.target is not None else np.nan,
            "rule": node.rule.describe(node.target, direction, unit) if node.rule and ind else "",
            "rule_en": node.rule.describe(node.target, direction, unit, language="en") if node.rule and ind else "",
        })
    table = nodes.merge(pd.DataFrame(meta), on="code", how="left")
    # Effective (global) weight of a node for its unit: its points over the unit's maximum;
    # contribution: its score on the unit's 0–100 scale.
    maxima = nodes[nodes["code"].isin(framework.roots)].groupby("unit_id")["points"].sum()
    unit_max = table["unit_id"].map(maxima)
    table["weight"] = table["points"] / unit_max
    table["contribution"] = 100.0 * table["score"] / unit_max
    # why a declared leaf does not apply (the not_applicable table's reasons)
    reasons = {}
    if not_applicable is not None and not not_applicable.empty:
        for r in not_applicable.itertuples(index=False):
            en = getattr(r, "reason_en", None)
            reasons[(str(r.unit_id), str(r.indicator))] = (str(r.reason), "" if pd.isna(en) else str(en))
    keys = list(zip(table["unit_id"].astype(str), table["indicator"].astype(str)))
    na = (table["status"] == "not_applicable").to_numpy()
    # not applicable without a declaration: the indicator's own reason (a unit assigned no
    # key task, evalkit.scoring.model._absent_not_applicable)
    for key, flag in zip(keys, na):
        implied = getattr(BY_CODE.get(key[1]), "absent_means_not_applicable", None)
        if flag and key not in reasons and implied is not None:
            reasons[key] = implied
    table["na_reason"] = [reasons.get(k, ("", ""))[0] if flag else "" for k, flag in zip(keys, na)]
    table["na_reason_en"] = [reasons.get(k, ("", ""))[1] if flag else "" for k, flag in zip(keys, na)]
    table["explain"], table["explain_en"] = _explanations(framework, table, peer_groups)
    cols = ["unit_id", "code", "parent", "level", "name_zh", "name_en", "area", "kind", "indicator",
            "raw_value", "value_unit", "direction", "target", "points", "weight", "score",
            "contribution", "points_lost", "coverage", "n", "no_data", "status", "na_reason", "na_reason_en",
            "rule", "rule_en", "explain", "explain_en"]
    return table[cols]


def compute_results(data: str | Path, framework: str | Path | Framework | None = None, year: int | None = None,
                    dataset: Dataset | None = None, *, config: EvaluationConfig | None = None,
                    published: Mapping[int, Results] | None = None) -> Results:
    """Compute the results of ``year`` (default: the latest year with data for scoring;
    a year without any is an error — :meth:`~evalkit.data.dataset.Dataset.evaluation_year`).

    The evaluation configuration (framework, rubric, indicator parameters, schemes) is read
    once, by :func:`evalkit.configuration.load_configuration` (``data`` and ``framework``)
    unless ``config`` gives it, and reaches every step explicitly. Besides ``units``,
    ``nodes`` and ``meta``, the results carry the named table ``history``: every unit's
    score and rank in each year up to ``year`` that the data cover, scored with the same
    configuration (see :mod:`evalkit.results.store`) — the comparable series (可比口径).
    ``published``: the results as published for earlier years
    (:func:`evalkit.results.comparable.read_published`), kept beside it as the table
    ``published_history`` with ``meta["comparable"]`` (:mod:`evalkit.results.comparable`).
    """
    if config is None:
        config = load_configuration(data, framework)
    elif framework is not None and not (isinstance(framework, Framework) and framework is config.framework):
        raise EvalkitError("give the framework either in the configuration or as framework=, not both")
    fw = config.framework
    params = config.indicators
    ds = dataset or load_dataset(data)
    year = ds.evaluation_year(year)  # default: the latest year with data for scoring
    year = resolve_period(ds, year) if isinstance(year, Period) else year  # 2024-YTD → 2024-YTD-09
    # agreed per-unit targets (效能目标, DATA/targets/<year>.xlsx), checked before any scoring
    agreed = {y: _agreed_targets(data, y, fw, ds) for y in ds.years if y <= int(year)}
    model = scoring_model(ds, fw, year, parameters=params, targets=_target_table(agreed.get(int(year))))
    current = score_year(ds, fw, year, model)
    node_frames = {year: current.attrs.pop("nodes")}
    # a period's annual-only leaves are not applicable with their own reason (本期不评价)
    reasons = pd.concat([ds.table("not_applicable", year), period_not_assessed(fw, ds.units, year)],
                        ignore_index=True)
    nodes = _node_table(fw, node_frames[year], reasons,
                        ds.units.set_index(ds.units["unit_id"].astype(str))["peer_group"].astype(str))
    nodes = with_agreed_targets(nodes, fw, _target_table(agreed.get(int(year))))
    scored = {year: current}
    for earlier in sorted(y for y in ds.years if y < year):
        # a period's history: the same months of the earlier years (Q3 against Q3)
        earlier = year.same_period(earlier) if isinstance(year, Period) else earlier
        earlier_model = None if agreed.get(int(earlier)) is None else scoring_model(
            ds, fw, earlier, parameters=params, targets=agreed[int(earlier)].table)
        frame = score_year(ds, fw, earlier, earlier_model, parameters=params)
        if frame is not None:
            node_frames[earlier] = frame.attrs.pop("nodes")
            scored[earlier] = frame
    previous = scored.get(year - 1)
    units = current.copy()
    if previous is not None:
        prev = previous.set_index("unit_id")
        units["prev_score"] = units["unit_id"].map(prev["score_100"]).astype("float64")
        units["prev_rank"] = units["unit_id"].map(prev["rank"]).astype("Int64")
    else:
        units["prev_score"] = np.nan
        units["prev_rank"] = pd.array([pd.NA] * len(units), dtype="Int64")
    units["rank_change"] = (units["prev_rank"] - units["rank"]).astype("Int64")
    units.insert(5, "year", year)
    units["framework_version"] = fw.version
    units = units.sort_values(["peer_group", "rank", "unit_id"], kind="stable").reset_index(drop=True)
    meta = {
        "year": int(year),
        **period_meta(year),
        "framework_code": fw.code,
        "framework_version": fw.version,
        "framework_hash": fw.sha256,
        "framework_name_zh": fw.name_zh,
        "framework_name_en": fw.name_en,
        "data_hashes": {**ds.files, **{a.file: a.sha256 for a in agreed.values() if a is not None}},
        "parameters": {"year": int(year), "missing_policy": fw.missing_policy,
                       "publication_coverage": fw.publication_coverage,
                       "top_quota": fw.grades.top_quota,
                       "grade_bands": [list(b) for b in fw.grades.bands]},
        "grades": grade_meta(fw.grades),
        "configuration": config.describe(),
        "evalkit_version": __version__,
        "packages": package_versions(_PACKAGES),
    }
    earlier_published = {int(y): r for y, r in (published or {}).items() if int(y) < int(year)}
    meta["comparable"] = comparable_meta(year, fw, earlier_published)
    tables = {"history": history_table(scored), "node_history": node_history_table(node_frames),
              "published_history": published_history(earlier_published),
              # ratings, votes and surveys are annual: an in-year period shows none of them
              **({} if is_partial_period(year) else qualitative_tables(ds, year, config.rubric)),
              "adjustments": adjustment_table(ds, year, fw)}
    if agreed.get(int(year)) is not None:  # the year's agreed targets were applied: which, from which file
        meta["targets"] = agreed[int(year)].describe()
        tables["agreed_targets"] = agreed_target_table(nodes, agreed[int(year)].table)
    rect = rectification_table(ds, year)
    if not rect.empty:
        tables["rectifications"] = rect
    # last year's rectification follow-up items (issue 14): the unit report checks their effect
    followup = ds.table("rectification_items", year - 1) if not isinstance(year, Period) else None
    if followup is not None and not followup.empty:
        tables["rectification_followup"] = followup.reset_index(drop=True)
    if ds.has("oa_documents", year):  # per unit only: per-post figures are office-only (evalkit oa-posts)
        from ..indicators.oa import oa_unit_table
        tables["oa"] = oa_unit_table(ds, year)
    if ds.has("key_tasks", year) and not is_partial_period(year):  # key tasks: assessed at year end
        from ..indicators.key_tasks import rule_parameters

        tables["key_tasks"], tables["key_task_milestones"] = key_task_tables(ds, year)
        meta["parameters"]["key_tasks"] = rule_parameters()
    tables["quality"] = quality_table(ds, year, data)
    intervals = rank_interval_table(ds, fw, year, model=model)
    tables["rank_intervals"] = intervals
    meta["parameters"]["rank_intervals"] = intervals.attrs["parameters"]
    return Results(units=units, nodes=nodes, meta=meta, tables=tables)


def period_meta(year) -> dict:
    """What the results' ``meta`` records of a period: for a month, a quarter or the year to
    date, ``period`` (its key, e.g. ``2024Q3``), ``period_kind``, ``period_name_zh``,
    ``period_name_en``, ``period_start`` and ``period_cutoff`` (ISO); nothing for a whole year
    (annual results are unchanged)."""
    if not is_partial_period(year):
        return {}
    return {"period": year.key, "period_kind": year.kind, "period_name_zh": year.name("zh"),
            "period_name_en": year.name("en"), "period_start": year.start.date().isoformat(),
            "period_cutoff": year.cutoff.isoformat()}


def _agreed_targets(data: str | Path | None, year: int, framework: Framework, dataset: Dataset):
    """The agreed targets of ``year`` (:func:`evalkit.targets.agreed.load_agreed_targets`),
    None when the data directory has no ``targets/<year>`` file."""
    if data in (None, "") or not Path(data).is_dir():
        return None
    return load_agreed_targets(data, year, framework, dataset.units)


def _target_table(agreed) -> pd.DataFrame | None:
    return None if agreed is None else agreed.table


def quality_table(dataset: Dataset, year: int, data: str | Path | None = None) -> pd.DataFrame:
    """Each unit's data-quality result of ``year`` as the unit report summarises it: the
    score (:func:`evalkit.quality.score.quality_score`), the applicable and failed checks and
    the failed checks' descriptions (zh and en, one per line), from every check of
    :func:`evalkit.quality.metrics.quality_metrics` (the built-in checks and the data's
    ``quality_checks.yaml``). The full metrics: ``evalkit quality``."""
    from ..quality.checks import load_checks
    from ..quality.metrics import quality_metrics
    from ..quality.score import quality_score

    folder = Path(data) if data not in (None, "") and Path(data).is_dir() else None
    metrics = quality_metrics(dataset, year, load_checks(folder))
    scores = quality_score(metrics).set_index("unit_id")
    failed = metrics[metrics["status"].isin(("warn", "error"))]
    by_unit = failed.groupby("unit_id", sort=False)
    units = pd.Index(dataset.units["unit_id"].astype(str))
    out = pd.DataFrame({"unit_id": units})
    out["score"] = units.map(scores["score"]).astype("float64")
    out["checks"] = units.map(scores["checks"]).fillna(0).astype("int64")
    out["failed"] = units.map(scores["failed"]).fillna(0).astype("int64")
    out["errors"] = units.map(failed[failed["status"] == "error"].groupby("unit_id").size()).fillna(0).astype("int64")
    for lang, column in (("zh", "description_zh"), ("en", "description")):
        out[f"failed_checks_{lang}"] = units.map(by_unit[column].agg(lambda s: "\n".join(s.astype(str)))).fillna("")
    return out


def adjustment_table(dataset: Dataset, year: int, framework: Framework) -> pd.DataFrame:
    """The year's bonus, deduction and veto decisions as published with the results:
    ``unit_id, kind, points, reason, reason_en`` plus the framework's caps (``cap``), so a report can say
    why a grade or score differs from what the points alone give."""
    adj = dataset.table("adjustments", year)
    caps = {"bonus": framework.adjustments.bonus_cap, "deduction": framework.adjustments.deduction_cap}
    reason_en = adj["reason_en"] if "reason_en" in adj.columns else pd.Series([None] * len(adj), dtype=object)
    out = pd.DataFrame({
        "unit_id": adj["unit_id"].astype(str).to_numpy(),
        "kind": adj["kind"].astype(str).to_numpy(),
        "points": adj["points"].astype("float64").to_numpy(),
        "reason": adj["reason"].astype(str).to_numpy(),
        "reason_en": ["" if pd.isna(v) else str(v) for v in reason_en],
    })
    out["cap"] = out["kind"].map(caps).astype("float64")
    return out.sort_values(["unit_id", "kind"], kind="stable").reset_index(drop=True)


def key_task_tables(dataset: Dataset, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The year's key tasks and their milestones as published with the results
    (:func:`evalkit.indicators.key_tasks.key_task_details`, the computation the
    ``key_task_score`` indicator averages): ``key_tasks`` — ``unit_id, task_id, title,
    title_en, category, points, due_date, acceptance, acceptance_en, completion,
    completion_pct, completed_date, assessed_by, assessed_by_en, milestones,
    late_milestones, working_days_late, share, late_deduction, task_score``;
    ``key_task_milestones`` — ``unit_id, task_id, milestone, milestone_en, planned_date,
    actual_date, state, working_days_late``. Dates as ``YYYY-MM-DD`` text (None when empty)."""
    from ..indicators.key_tasks import key_task_details

    tasks, milestones = key_task_details(dataset, year)

    def text_dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
        frame = frame.copy()
        for c in columns:
            d = pd.to_datetime(frame[c])
            frame[c] = pd.Series(d.dt.strftime("%Y-%m-%d"), index=frame.index).where(d.notna(), None).astype(object)
        return frame

    def text(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
        for c in columns:
            frame[c] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in frame[c]]
        return frame

    tasks = text(text_dates(tasks, "due_date", "completed_date"), "title", "title_en", "category", "acceptance",
                 "acceptance_en", "completion", "assessed_by", "assessed_by_en")
    milestones = text(text_dates(milestones, "planned_date", "actual_date"), "milestone", "milestone_en")
    return tasks, milestones


def rectification_table(dataset: Dataset, year: int) -> pd.DataFrame:
    """The year's rectification items (整改) that a leader must follow up: still open at the
    end of the data (``open``: not yet due; ``overdue``: past its deadline), or closed after
    the deadline (``closed_late``). Columns ``unit_id, source, owner, deadline, state``
    (``owner`` when the data has it, else empty), by unit and deadline."""
    rect = dataset.table("rectifications", year)
    cols = ["unit_id", "source", "owner", "deadline", "state"]
    if rect.empty:
        return pd.DataFrame(columns=cols)
    end = as_period(year).end_date  # 31 December, or a period's last day
    deadline = pd.to_datetime(rect["deadline"])
    closed = pd.to_datetime(rect["closed_date"])
    is_closed = rect["status"].astype(str) == "closed"
    state = np.where(is_closed & (closed > deadline), "closed_late",
                     np.where(~is_closed & (deadline < end), "overdue", np.where(~is_closed, "open", "")))
    out = pd.DataFrame({"unit_id": rect["unit_id"].astype(str), "source": rect["source"].astype(str),
                        "owner": rect["owner"].astype(str) if "owner" in rect.columns else "",
                        "deadline": deadline.dt.strftime("%Y-%m-%d"), "state": state})
    out = out[out["state"] != ""]
    return out.sort_values(["unit_id", "deadline"], kind="stable").reset_index(drop=True)[cols]


def qualitative_tables(dataset: Dataset, year: int, rubric: Rubric) -> dict[str, pd.DataFrame]:
    """The publishable summaries of the year's ratings (``qualitative_groups``,
    ``qualitative_units``, ``reliability``) under the configuration's ``rubric`` (the same
    rubric the ``rating_score`` indicator uses); cells below the minimum number of raters
    carry no score. The ratings that count are those of
    :func:`evalkit.indicators.qualitative.eligible_ratings` (registry, declared conflicts,
    terms, assignments). Rater-level tables (diagnostics, the exclusion log) and every
    column of the registry (names above all) stay with the evaluation office and are not
    part of the results."""
    from ..indicators.qualitative import rater_registry
    from ..qualitative import evaluate_ratings

    ratings = dataset.table("ratings", year)
    if ratings.empty:
        return {}
    registry = rater_registry(dataset, year)
    ev = evaluate_ratings(ratings, registry.pop("raters"), rubric=rubric, diagnostics=False, **registry)
    groups = ev.group_scores.copy()
    groups.loc[~groups["published"].astype(bool), "score"] = np.nan
    keep = ["rater_group", "criterion", "n_units", "n_raters", "icc1k", "icc1k_ci_low", "icc1k_ci_high",
            "alpha_interval", "kendall_w", "agreement", "low_agreement", "message_zh", "message_en"]
    reliability = ev.reliability[[c for c in keep if c in ev.reliability.columns]]
    return {"qualitative_groups": groups.reset_index(drop=True),
            "qualitative_units": ev.unit_scores.reset_index(drop=True),
            "reliability": reliability.reset_index(drop=True)}
