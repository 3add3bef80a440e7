"""The indicator catalogue: every indicator evalkit computes, with its metadata.

``evalkit indicators`` lists it and ``docs/indicators.md`` is generated from it; the
formula, unit, direction and source of each indicator are in its function's docstring.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import EvalkitError
from ..periods import Period
from ..quality.checks import required_columns as quality_required_columns
from . import disclosure, finance, followup, grid, hotline, legal, oa, qualitative, service, staffing
from . import key_tasks, quality
from ._common import CallScope, prefetch
from .base import Indicator
from .parameters import DEFAULT_PARAMETERS, IndicatorParameters

P = "%"
#: Table → columns the default data-quality checks read (the ``data_quality_score`` indicator).
_QUALITY_COLUMNS = quality_required_columns()


def _of(table: str, *columns: str) -> tuple[str, ...]:
    """``("table.column", …)``: the columns an indicator reads from ``table``."""
    return tuple(f"{table}.{c}" for c in columns)


CATALOGUE: tuple[Indicator, ...] = (
    # 行政效率 — administrative efficiency (政务服务, 限时办结)
    Indicator("service_on_time_rate", "政务服务按时办结率", "Service cases completed on time", "efficiency",
              P, +1, ("service_cases",), service.service_on_time_rate,
              columns=_of("service_cases", "received_date", "completed_date", "promised_limit_days")),
    Indicator("service_time_compression_rate", "承诺时限压缩率", "Promised-limit compression", "efficiency",
              P, +1, ("service_cases",), service.service_time_compression_rate,
              columns=_of("service_cases", "statutory_limit_days", "promised_limit_days")),
    Indicator("service_speedup_rate", "实际提速率", "Actual speed-up against promised limits", "efficiency",
              P, +1, ("service_cases",), service.service_speedup_rate,
              columns=_of("service_cases", "received_date", "completed_date", "promised_limit_days",
                          "instant")),
    Indicator("service_instant_share", "即办件比例", "Share of instant cases", "efficiency", P, +1,
              ("service_cases",), service.service_instant_share,
              columns=_of("service_cases", "instant")),
    Indicator("service_online_rate", "全程网办率", "Cases handled fully online", "efficiency", P, +1,
              ("service_cases",), service.service_online_rate,
              columns=_of("service_cases", "completed_date", "channel")),
    # 岗位履职 — office-automation document handling (per unit; per post: oa.oa_by_post, office only)
    Indicator("oa_on_time_rate", "公文按时办结率", "OA documents closed on time", "efficiency", P, +1,
              ("oa_documents",), oa.oa_on_time_rate,
              columns=_of("oa_documents", "received_at", "closed_at", "limit_days")),
    Indicator("oa_median_handling_days", "公文办理用时中位数", "Median OA handling time", "efficiency",
              "工作日", -1, ("oa_documents",), oa.oa_median_handling_days,
              columns=_of("oa_documents", "received_at", "closed_at", "limit_days")),
    Indicator("oa_overdue_backlog", "公文超期未办结数", "OA documents overdue at year end", "efficiency",
              "件", -1, ("oa_documents",), oa.oa_overdue_backlog,
              columns=_of("oa_documents", "received_at", "closed_at", "limit_days")),
    # 公共服务 — 12345 hotline
    Indicator("hotline_signed_rate", "12345及时签收率", "12345 tickets signed for in time", "public_service",
              P, +1, ("hotline_tickets",), hotline.hotline_signed_rate,
              columns=_of("hotline_tickets", "dispatched_at", "signed_at")),
    Indicator("hotline_contact_rate", "12345先行联系率", "12345 citizens contacted in time", "public_service",
              P, +1, ("hotline_tickets",), hotline.hotline_contact_rate,
              columns=_of("hotline_tickets", "dispatched_at", "contacted_at")),
    Indicator("hotline_on_time_rate", "12345按时办结率", "12345 tickets closed on time", "public_service",
              P, +1, ("hotline_tickets",), hotline.hotline_on_time_rate,
              columns=_of("hotline_tickets", "closed_at", "due_at")),
    Indicator("hotline_solved_rate", "12345实际解决率", "12345 requests actually solved", "public_service",
              P, +1, ("hotline_tickets",), hotline.hotline_solved_rate,
              columns=_of("hotline_tickets", "closed_at", "solved")),
    # 群众满意度 — satisfaction
    Indicator("hotline_satisfaction_rate", "12345回访满意率", "12345 callback satisfaction", "satisfaction",
              P, +1, ("hotline_tickets",), hotline.hotline_satisfaction_rate,
              columns=_of("hotline_tickets", "callback_satisfaction")),
    Indicator("service_good_rating_rate", "好差评好评率", "Good-rating rate", "satisfaction", P, +1,
              ("service_cases",), service.service_good_rating_rate,
              columns=_of("service_cases", "rating")),
    Indicator("service_bad_rating_fix_rate", "差评整改率", "Bad ratings rectified within 15 working days",
              "satisfaction", P, +1, ("service_cases",), service.service_bad_rating_fix_rate,
              columns=_of("service_cases", "rating", "received_date", "completed_date",
                          "bad_rating_rectified_date")),
    Indicator("service_rating_participation_rate", "主动评价率", "Share of cases rated", "satisfaction", P, +1,
              ("service_cases",), service.service_rating_participation_rate,
              columns=_of("service_cases", "rating")),
    Indicator("survey_satisfaction_rate", "群众满意率", "Survey satisfaction rate", "satisfaction", P, +1,
              ("survey_responses",), qualitative.survey_satisfaction_rate),
    # 信息公开 — disclosure
    Indicator("disclosure_on_time_rate", "依申请公开按时答复率", "Disclosure requests answered on time",
              "openness", P, +1, ("disclosure_requests",), disclosure.disclosure_on_time_rate,
              columns=_of("disclosure_requests", "received_date", "replied_date", "extended")),
    Indicator("proactive_disclosure_rate", "主动公开率", "Documents proactively disclosed", "openness", P, +1,
              ("disclosure_documents",), disclosure.proactive_disclosure_rate,
              columns=_of("disclosure_documents", "documents_issued", "documents_disclosed")),
    # 权力行使 — exercise of power
    Indicator("review_correction_rate", "行政复议纠错率", "Administrative review correction rate", "power",
              P, -1, ("legal_cases",), legal.review_correction_rate,
              columns=_of("legal_cases", "kind", "concluded_date", "outcome")),
    Indicator("litigation_loss_rate", "行政诉讼败诉率", "Administrative litigation loss rate", "power", P, -1,
              ("legal_cases",), legal.litigation_loss_rate,
              columns=_of("legal_cases", "kind", "concluded_date", "outcome")),
    Indicator("proposal_on_time_rate", "建议提案按时办复率", "Proposals answered on time", "power", P, +1,
              ("proposals",), followup.proposal_on_time_rate,
              columns=_of("proposals", "replied_date", "due_date")),
    Indicator("proposal_satisfaction_rate", "建议提案满意率", "Deputies satisfied with replies", "power", P, +1,
              ("proposals",), followup.proposal_satisfaction_rate,
              columns=_of("proposals", "satisfaction")),
    # 市场监管 — grid management
    Indicator("grid_on_time_rate", "网格案件按期结案率", "Grid cases closed on time", "regulation", P, +1,
              ("grid_cases",), grid.grid_on_time_rate,
              columns=_of("grid_cases", "closed_date", "due_date")),
    Indicator("grid_rework_rate", "网格案件返工率", "Grid cases reworked", "regulation", P, -1,
              ("grid_cases",), grid.grid_rework_rate,
              columns=_of("grid_cases", "closed_date", "reworked")),
    # 财政资金使用 — public funds
    Indicator("budget_execution_rate", "预算执行率", "Budget execution rate (year end)", "finance", P, +1,
              ("budget_lines",), finance.budget_execution_rate, annual_only=True,  # 年末: a year-end figure
              columns=_of("budget_lines", "line", "budget_yuan", "adjustment_yuan", "spending_yuan")),
    Indicator("budget_execution_path", "预算执行进度(月度)", "Budget execution against schedule, monthly",
              "finance", P, +1, ("budget_lines",), finance.budget_execution_path, periodic=True,
              columns=_of("budget_lines", "month", "line", "budget_yuan", "adjustment_yuan", "spending_yuan")),
    Indicator("budget_schedule_lag", "预算执行序时偏离度", "Budget execution lag behind schedule", "finance",
              "pp", -1, ("budget_lines",), finance.budget_schedule_lag,
              columns=_of("budget_lines", "month", "line", "budget_yuan", "adjustment_yuan", "spending_yuan")),
    Indicator("budget_completion_rate", "预算完成率", "Budget completion rate", "finance", P, +1,
              ("budget_lines",), finance.budget_completion_rate, annual_only=True,  # 年末结余: year end
              columns=_of("budget_lines", "line", "budget_yuan", "adjustment_yuan", "spending_yuan")),
    Indicator("budget_adjustment_rate", "预算调整率", "Budget adjustment rate", "finance", P, -1,
              ("budget_lines",), finance.budget_adjustment_rate,
              columns=_of("budget_lines", "line", "budget_yuan", "adjustment_yuan", "spending_yuan")),
    Indicator("three_public_change_rate", "三公经费变动率", "Change of 三公 spending", "finance", P, -1,
              ("budget_lines",), finance.three_public_change_rate,
              columns=_of("budget_lines", "line", "spending_yuan")),
    Indicator("audit_rectification_rate", "审计问题整改率", "Audit findings rectified", "finance", P, +1,
              ("audit_findings", "rectifications"), finance.audit_rectification_rate,
              columns=_of("audit_findings", "finding_id")
              + _of("rectifications", "source", "status", "finding_id")),
    Indicator("cost_per_case", "每件成本", "Spending per case handled", "finance", "元/件", -1,
              ("budget_lines", "service_cases", "hotline_tickets", "grid_cases"), finance.cost_per_case,
              columns=_of("budget_lines", "spending_yuan") + _of("service_cases", "completed_date")
              + _of("hotline_tickets", "closed_at") + _of("grid_cases", "closed_date")),
    # 人员配置 — staffing
    Indicator("staffing_control_rate", "在职人员控制率", "Staff in post against posts", "staffing", P, -1,
              ("staffing",), staffing.staffing_control_rate,
              columns=_of("staffing", "staff_in_post", "authorised_posts")),
    # 督查督办 and 重大项目 — supervision and major projects
    Indicator("supervision_on_time_rate", "督查事项按期办结率", "Supervision tasks completed on time",
              "supervision", P, +1, ("supervision_tasks",), followup.supervision_on_time_rate,
              columns=_of("supervision_tasks", "completed_date", "due_date")),
    # 数据质量控制 — the quality of the unit's own data (section 七.1), supervised by the office
    Indicator("data_quality_score", "数据质量得分", "Data-quality score", "supervision", "分", +1,
              tuple(_QUALITY_COLUMNS), quality.data_quality_score,
              columns=tuple(f"{t}.{c}" for t, cols in _QUALITY_COLUMNS.items() for c in cols)),
    Indicator("milestone_on_time_rate", "重大项目节点按期完成率", "Project milestones on time", "projects",
              P, +1, ("projects", "project_milestones"), followup.milestone_on_time_rate,
              columns=_of("project_milestones", "project_id", "planned_date", "actual_date")
              + _of("projects", "project_id")),
    Indicator("project_schedule_performance", "重大项目进度绩效指数(SPI)", "Project schedule performance index",
              "projects", "指数", +1, ("projects", "project_milestones"), followup.project_schedule_performance,
              columns=_of("project_milestones", "project_id", "planned_date", "actual_date", "planned_cost_yuan")
              + _of("projects", "project_id")),
    Indicator("project_cost_performance", "重大项目成本绩效指数(CPI)", "Project cost performance index",
              "projects", "指数", +1, ("projects", "project_milestones"), followup.project_cost_performance,
              columns=_of("project_milestones", "project_id", "planned_date", "actual_date", "planned_cost_yuan",
                          "actual_cost_yuan") + _of("projects", "project_id")),
    # 重点工作任务 — each unit's own key tasks (个性指标)
    Indicator("key_task_score", "重点工作任务完成得分", "Key-task completion score", "key_tasks", "分", +1,
              ("key_tasks", "key_task_milestones"), key_tasks.key_task_score,
              columns=_of("key_tasks", "task_id", "points", "completion", "completion_pct")
              + _of("key_task_milestones", "task_id", "planned_date", "actual_date"),
              absent_means_not_applicable=key_tasks.NO_TASKS_REASON),
    # 效能评价 — qualitative
    Indicator("rating_score", "效能评价得分", "Qualitative rating score", "qualitative", "分", +1,
              ("ratings", "raters", "rater_assignments", "rater_conflicts"), qualitative.rating_score),
    Indicator("vote_score", "民主测评得分", "Democratic evaluation score", "qualitative", "分", +1,
              ("votes",), qualitative.vote_score),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in CATALOGUE}


def get_indicator(code: str) -> Indicator:
    try:
        return BY_CODE[code]
    except KeyError:
        raise EvalkitError(f"unknown indicator '{code}'; known: {', '.join(BY_CODE)}") from None


def _codes(codes: list[str] | None, include_periodic: bool) -> list[str]:
    return list(codes or [i.code for i in CATALOGUE if include_periodic or not i.periodic])


def required_columns(codes: list[str] | None = None,
                     include_periodic: bool = False) -> dict[str, tuple[str, ...] | None]:
    """Table → the columns the named (default: every yearly) indicators read.

    ``None`` for a table means every column (an indicator that does not declare its
    columns). Pass the result as ``columns=`` to :func:`evalkit.data.dataset.read_dataset` to
    read no more than the computation needs.
    """
    out: dict[str, set[str] | None] = {}
    for code in _codes(codes, include_periodic):
        for table, columns in get_indicator(code).reads().items():
            if columns is None or out.get(table, set()) is None:
                out[table] = None
            else:
                out.setdefault(table, set()).update(columns)
    return {t: (None if c is None else tuple(sorted(c))) for t, c in out.items()}


def annual_only_codes(codes=None) -> frozenset[str]:
    """The codes (of ``codes``; default: the whole catalogue) that a month, a quarter or the
    year to date does not assess (:attr:`~evalkit.indicators.base.Indicator.is_annual_only`)."""
    wanted = codes if codes is not None else BY_CODE
    return frozenset(c for c in wanted if c in BY_CODE and BY_CODE[c].is_annual_only)


def _not_in_period(dataset, year) -> pd.DataFrame:
    """Rows of an annual-only indicator in a period: no value, ``n`` 0, status ``annual_only``."""
    units = dataset.units["unit_id"].astype(str).to_numpy()
    return pd.DataFrame({"unit_id": units, "year": int(year), "value": np.nan, "numerator": np.nan,
                         "denominator": np.nan, "n": np.zeros(len(units), dtype="int64"),
                         "status": "annual_only", "ci_low": np.nan, "ci_high": np.nan})


def compute_indicators(dataset, year: int, codes: list[str] | None = None,
                       include_periodic: bool = False, *,
                       parameters: IndicatorParameters | None = None,
                       annual_only: Iterable[str] | None = None) -> pd.DataFrame:
    """Every (or the named) indicator for ``year``: one long frame with an ``indicator`` column.

    Yearly indicators give one row per unit; with ``include_periodic`` the monthly ones add
    one row per unit and period (column ``period``, NaN for yearly rows).

    ``parameters`` (:class:`~evalkit.indicators.parameters.IndicatorParameters`) are the
    district's settings — the rubric of the qualitative indicators, the time limits of the
    others; each indicator function receives its own (:meth:`IndicatorParameters.keywords`).
    Pass ``config.indicators`` of the evaluation configuration
    (:func:`evalkit.configuration.load_configuration`), which reads them from the data's
    ``rubric.yaml`` and ``indicators.yaml``. None: the documented defaults
    (:data:`~evalkit.indicators.parameters.DEFAULT_PARAMETERS`).

    Everything the requested indicators count in the large event tables is counted first,
    in one pass per table (:func:`evalkit.indicators._common.prefetch`): what several
    indicators derive from the same rows (e.g. working days from receipt to completion) is
    derived once, and a table that :func:`evalkit.data.dataset.read_dataset` left unread is
    counted as it is decoded, never held whole. Nothing is kept once the call returns.

    ``year`` may be a :class:`~evalkit.periods.Period` (``Period.month(2024, 9)``,
    ``parse_period("2024Q3")`` …): every indicator then sees the data as known at the period's
    cut-off, restricted to the period (:mod:`evalkit.data.as_at`; docs/periods.md) — records
    anchored outside it are not in it, outcomes after the cut-off have not happened, deadlines
    count to the cut-off (a case not yet due then is not late), year-over-year indicators
    compare the same months of the previous year. A table that
    :func:`~evalkit.data.dataset.read_dataset` left unread (streamed Parquet) is read whole and
    restricted for a period, not streamed; a plain year (or a full-year period) is computed
    exactly as before. The annual-only indicators (``annual_only``: codes; None = the
    catalogue's, :func:`annual_only_codes`) are not computed for such a period: their rows have
    no value and status ``annual_only``.
    """
    parameters = parameters if parameters is not None else DEFAULT_PARAMETERS
    if not isinstance(parameters, IndicatorParameters):
        raise EvalkitError(f"compute_indicators: parameters: expected IndicatorParameters (e.g. "
                           f"config.indicators); found {type(parameters).__name__}")
    scope = CallScope(dataset)
    wanted = _codes(codes, include_periodic)
    skipped: frozenset[str] = frozenset()
    if isinstance(year, Period) and year.in_year:
        year.cutoff  # noqa: B018 — an unresolved year to date (2024-YTD) is refused here, by name
        skipped = annual_only_codes(wanted) if annual_only is None else frozenset(annual_only)
    computed = [c for c in wanted if c not in skipped]
    prefetch(scope, year, computed, parameters)  # one pass per large table for every count they need
    frames = []
    for code in wanted:
        if code in skipped:
            out = _not_in_period(scope, year)
        else:
            out = get_indicator(code)(scope, year, **parameters.keywords(code))
        out.insert(0, "indicator", code)
        frames.append(out)
    return pd.concat(frames, ignore_index=True)
