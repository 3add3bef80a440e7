"""The indicator catalogue: every indicator evalkit computes, with its metadata."""

from __future__ import annotations

import pandas as pd

from . import disclosure, finance, followup, grid, hotline, legal, qualitative, service, staffing
from .base import Indicator

_PCT = "%"

CATALOGUE: tuple[Indicator, ...] = (
    Indicator("service_on_time_rate", "政务服务按时办结率", "Service cases completed on time", "efficiency",
              _PCT, +1, ("service_cases",), "按时办结数 / 应办结数", "on-time completed / due cases",
              "domain brief §1.5", service.service_on_time_rate),
    Indicator("service_online_rate", "全程网办率", "Cases handled fully online", "efficiency", _PCT, +1,
              ("service_cases",), "全程网办办结数 / 办结总数", "online completed / completed",
              "domain brief §1.5", service.service_online_rate),
    Indicator("service_instant_share", "即办件比例", "Share of instant cases", "efficiency", _PCT, +1,
              ("service_cases",), "即办件数 / 全部办件数", "instant / all cases", "domain brief §1.5",
              service.service_instant_share),
    Indicator("service_good_rating_rate", "好差评好评率", "Good-rating rate", "satisfaction", _PCT, +1,
              ("service_cases",), "好评数 / 评价数", "good ratings / ratings", "domain brief §1.5",
              service.service_good_rating_rate),
    Indicator("hotline_on_time_rate", "12345按时办结率", "12345 tickets closed on time", "public_service",
              _PCT, +1, ("hotline_tickets",), "按时办结工单数 / 应办结工单数", "on-time closed / due tickets",
              "domain brief §1.5", hotline.hotline_on_time_rate),
    Indicator("hotline_satisfaction_rate", "12345回访满意率", "12345 callback satisfaction",
              "satisfaction", _PCT, +1, ("hotline_tickets",), "(满意+基本满意) / 回访成功数",
              "(satisfied + fairly satisfied) / reached callbacks", "domain brief §1.5",
              hotline.hotline_satisfaction_rate),
    Indicator("hotline_solved_rate", "12345实际解决率", "12345 requests actually solved", "public_service",
              _PCT, +1, ("hotline_tickets",), "已解决工单数 / 办结且已认定工单数",
              "solved / closed and judged tickets", "domain brief §1.5", hotline.hotline_solved_rate),
    Indicator("grid_on_time_rate", "网格案件按期结案率", "Grid cases closed on time", "regulation", _PCT, +1,
              ("grid_cases",), "按期结案数 / 应结案数", "on-time closed / due cases", "domain brief §1.5",
              grid.grid_on_time_rate),
    Indicator("disclosure_on_time_rate", "依申请公开按时答复率", "Disclosure requests answered on time",
              "openness", _PCT, +1, ("disclosure_requests",), "期限内答复数 / 应答复数",
              "answered within 20 (+20) working days / due", "domain brief §1.5",
              disclosure.disclosure_on_time_rate),
    Indicator("review_correction_rate", "行政复议纠错率", "Administrative review correction rate", "power",
              _PCT, -1, ("legal_cases",), "(撤销+变更+确认违法+责令履行) / 审结数",
              "corrected / concluded reviews", "domain brief §1.5", legal.review_correction_rate),
    Indicator("budget_execution_rate", "预算执行率", "Budget execution rate", "finance", _PCT, +1,
              ("budget_lines",), "累计支出 / (年初预算+调整)", "spending / adjusted budget",
              "domain brief §1.5", finance.budget_execution_rate),
    Indicator("audit_rectification_rate", "审计问题整改率", "Audit findings rectified", "finance", _PCT, +1,
              ("audit_findings", "rectifications"), "已整改问题数 / 审计查出问题数",
              "rectified / audit findings", "domain brief §1.5", finance.audit_rectification_rate),
    Indicator("staffing_control_rate", "在职人员控制率", "Staff in post against posts", "staffing", _PCT, -1,
              ("staffing",), "在编人数 / 编制数", "staff in post / authorised posts", "domain brief §1.1",
              staffing.staffing_control_rate),
    Indicator("supervision_on_time_rate", "督查事项按期办结率", "Supervision tasks completed on time",
              "supervision", _PCT, +1, ("supervision_tasks",), "按期办结事项数 / 应办结事项数",
              "on-time / due tasks", "domain brief §1.5", followup.supervision_on_time_rate),
    Indicator("milestone_on_time_rate", "重大项目节点按期完成率", "Project milestones on time", "projects",
              _PCT, +1, ("projects", "project_milestones"), "按期完成节点数 / 计划完成节点数",
              "on-time / planned milestones", "domain brief §1.5", followup.milestone_on_time_rate),
    Indicator("proposal_on_time_rate", "建议提案按时办复率", "Proposals answered on time", "power", _PCT, +1,
              ("proposals",), "按时办复件数 / 应办复件数", "on-time replies / due items", "domain brief §1.5",
              followup.proposal_on_time_rate),
    Indicator("rating_score", "效能评价得分", "Qualitative rating score", "qualitative", "分", +1,
              ("ratings", "raters"), "Σ w_g·均分_g / Σ w_g", "weighted mean of rater-group means",
              "domain brief §1.3", qualitative.rating_score),
    Indicator("vote_score", "民主测评得分", "Democratic evaluation score", "qualitative", "分", +1,
              ("votes",), "Σ 票数占比×分值", "Σ vote share × points", "domain brief §1.3",
              qualitative.vote_score),
    Indicator("survey_satisfaction_rate", "群众满意率", "Survey satisfaction rate", "satisfaction", _PCT, +1,
              ("survey_responses",), "(非常满意+满意+基本满意) / 有效回答数", "satisfied answers / answers",
              "domain brief §1.3", qualitative.survey_satisfaction_rate),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in CATALOGUE}


def get_indicator(code: str) -> Indicator:
    from ..errors import EvalkitError

    try:
        return BY_CODE[code]
    except KeyError:
        raise EvalkitError(f"unknown indicator '{code}'; known: {', '.join(BY_CODE)}") from None


def compute_indicators(dataset, year: int, codes: list[str] | None = None) -> pd.DataFrame:
    """Every (or the named) indicator for ``year``: one long frame with an ``indicator`` column."""
    frames = []
    for code in codes or list(BY_CODE):
        out = get_indicator(code)(dataset, year)
        out.insert(0, "indicator", code)
        frames.append(out)
    return pd.concat(frames, ignore_index=True)
