"""The one message catalogue of the unit report: every label, per language.

Each language is a flat ``dict`` from a message key to a text. Texts may hold
``str.format`` fields (``{year}``, ``{rank}`` …). Keep the key sets of all languages
identical (a test checks it); add a language by adding one dict to :data:`CATALOGUE`.
"""

from __future__ import annotations

from typing import Any

ZH: dict[str, str] = {
    # page
    "html_lang": "zh-CN",
    "title": "{year}年度 {name} 政府效能评估报告",
    "subtitle": "{peer_group} · {unit_class} · 单位编码 {unit_id}",
    # summary block
    "summary_heading": "评估结果概览",
    "total_score": "总得分",
    "total_score_value": "{score} 分",
    "total_score_note": "满分 {max_score} 分",
    "score_100": "百分制得分",
    "grade": "评估等次",
    "rank": "组内排名",
    "rank_value": "第 {rank} 名 / 共 {n} 个{group}",
    "rank_missing": "未排名",
    "change": "较上年排名",
    "change_up": "↑{n}",
    "change_down": "↓{n}",
    "change_same": "持平",
    "change_none": "无上年数据",
    "prev_score_note": "上年得分 {score} 分",
    "prev_rank_note": "上年排名 第 {rank} 名",
    # areas table
    "areas_heading": "一级指标得分",
    "col_area": "一级指标",
    "col_points": "分值",
    "col_score": "得分",
    "col_score_rate": "得分率",
    "col_points_lost": "失分",
    "col_peer_median": "同组中位数",
    "total_row": "合计",
    "peer_median_note": "同组中位数：同一考核组别（{group}）全部{n}个单位该项得分的中位数。",
    "coverage_mark": "※",
    "coverage_note": "※ 含无数据指标，{policy}：{areas}。",
    "coverage_item": "{area}（数据覆盖 {coverage}）",
    "area_no_data_note": "本年度无可用数据、不计分的一级指标：{areas}。",
    "list_sep": "、",
    "coverage_total": "数据覆盖 {coverage}",
    "policy.renormalise": "得分按有数据指标的得分折算",
    "policy.zero": "无数据指标计 0 分",
    "policy.peer_mean": "无数据指标按同组平均得分率计分",
    "policy.other": "无数据指标按评估规则处理",
    # indicators table
    "indicators_heading": "指标得分明细",
    "col_indicator": "指标",
    "col_raw_value": "实际值",
    "col_target": "目标值",
    "col_score_points": "得分 / 分值",
    "no_data": "无数据",
    "not_applicable": "—",
    "no_data_note": "“无数据”表示该指标本年度没有可用数据，不等同于 0。",
    "lost_points_note": "失分较多的指标以底色标出。",
    # provenance
    "provenance_heading": "数据与方法说明",
    "framework": "指标体系版本",
    "framework_hash": "指标体系校验码",
    "data_files": "数据文件校验码",
    "dataset_hash": "数据集校验码",
    "dataset_hash_files": "（共 {n} 个数据文件）",
    "evalkit_version": "评估工具版本",
    "package_versions": "依赖版本",
    "parameters": "计算参数",
    "none": "无",
    "checksum_note": "校验码为 SHA-256 的前 12 位，可用于核对本报告所依据的数据与指标体系；"
                     "数据集校验码由全部数据文件的校验码计算得出。",
    # labels of codes
    "peer_group.department": "部门",
    "peer_group.subdistrict": "街镇",
    "peer_group_count.department": "部门",
    "peer_group_count.subdistrict": "街镇",
    "grade.优秀": "优秀",
    "grade.良好": "良好",
    "grade.合格": "合格",
    "grade.不合格": "不合格",
    "kind.quantitative": "定量",
    "kind.qualitative": "定性",
}

EN: dict[str, str] = {
    "html_lang": "en",
    "title": "{name}: Government Efficiency Evaluation Report {year}",
    "subtitle": "{peer_group} · {unit_class} · Unit code {unit_id}",
    "summary_heading": "Summary",
    "total_score": "Total score",
    "total_score_value": "{score} pts",
    "total_score_note": "out of {max_score} pts",
    "score_100": "Score (0–100)",
    "grade": "Grade",
    "rank": "Rank in peer group",
    "rank_value": "{rank} of {n} {group}",
    "rank_missing": "Not ranked",
    "change": "Change in rank",
    "change_up": "↑{n}",
    "change_down": "↓{n}",
    "change_same": "Unchanged",
    "change_none": "No data for last year",
    "prev_score_note": "Last year: {score} pts",
    "prev_rank_note": "Last year's rank: {rank}",
    "areas_heading": "Scores by area",
    "col_area": "Area",
    "col_points": "Points",
    "col_score": "Score",
    "col_score_rate": "Score rate",
    "col_points_lost": "Points lost",
    "col_peer_median": "Peer median",
    "total_row": "Total",
    "peer_median_note": "Peer median: median score of all {n} units in the same peer group "
                        "({group}).",
    "coverage_mark": "※",
    "coverage_note": "※ Includes indicators without data; {policy}: {areas}.",
    "coverage_item": "{area} (data coverage {coverage})",
    "area_no_data_note": "Areas without any data this year (not scored): {areas}.",
    "list_sep": ", ",
    "coverage_total": "Data coverage {coverage}",
    "policy.renormalise": "the score is rescaled from the indicators with data",
    "policy.zero": "indicators without data score 0",
    "policy.peer_mean": "indicators without data get the peer group's mean score rate",
    "policy.other": "indicators without data are handled by the framework's rule",
    "indicators_heading": "Indicator details",
    "col_indicator": "Indicator",
    "col_raw_value": "Actual",
    "col_target": "Target",
    "col_score_points": "Score / points",
    "no_data": "No data",
    "not_applicable": "—",
    "no_data_note": "“No data” means no usable data for the indicator this year; it is not 0.",
    "lost_points_note": "Indicators that lost many points are shaded.",
    "provenance_heading": "Data and method",
    "framework": "Framework version",
    "framework_hash": "Framework checksum",
    "data_files": "Data file checksums",
    "dataset_hash": "Data set checksum",
    "dataset_hash_files": "({n} data files)",
    "evalkit_version": "evalkit version",
    "package_versions": "Package versions",
    "parameters": "Parameters",
    "none": "none",
    "checksum_note": "Checksums are the first 12 hex digits of SHA-256; they identify the exact "
                     "data and framework behind this report; the data set checksum is computed "
                     "from the checksums of all data files.",
    "peer_group.department": "Department",
    "peer_group.subdistrict": "Sub-district",
    "peer_group_count.department": "departments",
    "peer_group_count.subdistrict": "sub-districts",
    "grade.优秀": "Excellent",
    "grade.良好": "Good",
    "grade.合格": "Pass",
    "grade.不合格": "Fail",
    "kind.quantitative": "quantitative",
    "kind.qualitative": "qualitative",
}

#: Every supported report language.
CATALOGUE: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}

LANGUAGES = tuple(CATALOGUE)


def catalogue(language: str) -> dict[str, str]:
    """The message dict of ``language``; raises ``ValueError`` for an unknown language."""
    try:
        return CATALOGUE[language]
    except KeyError:
        raise ValueError(
            f"unknown report language {language!r}; choose one of {', '.join(LANGUAGES)}"
        ) from None


def msg(language: str, key: str, **fields: Any) -> str:
    """The text of ``key`` in ``language`` with ``fields`` filled in."""
    text = catalogue(language)[key]
    return text.format(**fields) if fields else text


def label(language: str, prefix: str, code: Any) -> str:
    """The label of a code (``prefix.code``), or the code itself when none is defined."""
    return catalogue(language).get(f"{prefix}.{code}", str(code))
