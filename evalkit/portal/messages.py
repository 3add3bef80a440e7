"""The one message catalogue of the portal (``evalkit portal``): every label of its pages,
per language.

Each language is a flat ``dict`` from a message key to a text, with ``{field}``
placeholders (filled in by the pages' script, or by :func:`msg` in Python). The key sets
of all languages are identical (a test checks it). The words a report already uses for the
same thing — rank phrases, rank bands, the provisional mark, the attention reasons — are
taken from the report catalogue (:data:`REPORT_KEYS`, :mod:`evalkit.report.messages`), so
the portal says what the reports say. Codes of the data (peer groups, unit classes,
rectification sources) are labelled by the report catalogue too
(:func:`evalkit.report.messages.label`).
"""

from __future__ import annotations

from typing import Any

from evalkit.report import messages as report_messages

ZH: dict[str, str] = {
    "html_lang": "zh-CN",
    "site_title": "政府效能评估报告门户",
    "site_subtitle": "历年评估报告的统一入口：{years}",
    "skip_to_content": "跳到正文",
    "nav_label": "门户导航",
    "nav_index": "排名总览",
    "nav_compare": "单位对比",
    "language_switch": "English",
    "language_switch_label": "Switch to English（切换到英文）",
    "year": "评估年度",
    "year_value": "{year}年度",
    "noscript": "排序、筛选、搜索和对比需要启用 JavaScript。各年度的全区总览报告：",
    "footer": "根据各报告旁的 JSON 数据生成，数字与报告一致；不含任何评估人员个人数据。",
    "missing": "—",
    # trend
    "trend_heading": "全区趋势",
    "trend_chart_label": "各考核组别平均得分（百分制）的历年变化",
    "trend_table_caption": "全区历年得分与等次分布",
    "group_all": "全区",
    "col_year": "年度",
    "col_group": "考核组别",
    "col_units": "单位数",
    "col_mean": "平均得分",
    "col_median": "中位得分",
    "col_grades": "等次分布",
    "grade_count": "{grade} {n}",
    "list_sep": "、",
    # warnings
    "warnings_heading": "提示：需关注单位与逾期整改",
    "warnings_none": "本年度没有需要关注的单位，也没有逾期未整改事项。",
    "attention_heading": "需关注单位",
    "rect_heading": "逾期未整改事项",
    "col_reasons": "关注原因",
    "col_rect_source": "问题来源",
    "col_rect_deadline": "整改期限",
    "warn_bar_top": "一票否优：{reason}",
    "warn_provisional": "等次和排名暂定：数据覆盖 {coverage}",
    "rect_overdue": "逾期未整改",
    # league tables
    "league_heading": "排名表",
    "league_group_caption": "{year}年度排名表：{group}",
    "filters_label": "筛选与搜索",
    "filter_group": "考核组别",
    "filter_class": "单位类别",
    "filter_grade": "评估等次",
    "filter_provisional": "暂定等次",
    "opt_all": "全部",
    "opt_provisional_only": "仅暂定",
    "opt_provisional_none": "不含暂定",
    "search": "搜索单位名称或编码",
    "search_placeholder": "名称或编码",
    "shown": "显示 {n} / {total} 个单位",
    "no_match": "没有符合条件的单位。",
    "sort_by": "按“{column}”排序",
    "sorted_ascending": "升序",
    "sorted_descending": "降序",
    "col_rank": "名次",
    "col_unit": "单位",
    "col_id": "编码",
    "col_class": "类别",
    "col_score": "得分",
    "col_grade": "等次",
    "col_change": "名次变化",
    "col_flags": "提示",
    "col_reports": "报告",
    "link_html": "网页",
    "link_pdf": "PDF",
    "link_html_label": "{name} {year}年度报告（网页）",
    "link_pdf_label": "{name} {year}年度报告（PDF）",
    "overview_link": "{year}年度全区总览报告",
    "overview_pdf_link": "PDF",
    "flag_provisional": "暂定",
    "flag_veto": "一票否决",
    "flag_bar_top": "一票否优",
    "flag_attention": "需关注",
    # unit page
    "unit_subtitle": "{group} · {class} · 单位编码 {id}",
    "unit_years_heading": "历年评估结果",
    "unit_years_caption": "{name}历年评估结果",
    "unit_trend_label": "{name}历年百分制得分",
    "unit_areas_heading": "一级指标得分率",
    "unit_areas_caption": "{name}各一级指标历年得分率（得分 / 分值）",
    "unit_warnings_heading": "提示与整改",
    "unit_warnings_none": "历年均无一票否决、暂定等次、需关注或逾期整改事项。",
    "unit_compare_link": "与其他单位对比",
    "col_rank_or_band": "名次或区间",
    "col_score_change": "得分变化",
    "col_area": "一级指标",
    "area_not_applicable": "不适用",
    "area_no_data": "无数据",
    "score_change_value": "{sign}{value}",
    "not_in_year": "本年度无报告",
    "adjustment_bonus": "加分：{reason}",
    "adjustment_deduction": "扣分：{reason}",
    "back_to_index": "返回排名总览",
    # compare page
    "compare_heading": "单位对比",
    "compare_intro": "选择两个单位，并排查看历年得分、等次、名次和一级指标得分率。",
    "compare_unit_a": "第一个单位",
    "compare_unit_b": "第二个单位",
    "compare_pick": "请选择单位",
    "compare_years_caption": "历年结果对比",
    "compare_areas_caption": "{year}年度一级指标得分率对比",
    "compare_same_unit": "请选择两个不同的单位。",
}

EN: dict[str, str] = {
    "html_lang": "en",
    "site_title": "Government efficiency evaluation — report portal",
    "site_subtitle": "Every evaluation report in one place: {years}",
    "skip_to_content": "Skip to content",
    "nav_label": "Portal",
    "nav_index": "League tables",
    "nav_compare": "Compare units",
    "language_switch": "中文",
    "language_switch_label": "切换到中文 (switch to Chinese)",
    "year": "Evaluation year",
    "year_value": "{year}",
    "noscript": "Sorting, filtering, searching and comparing need JavaScript. The district overview of each year:",
    "footer": "Built from the JSON beside each report: the same numbers as the reports; no individual rater's data.",
    "missing": "—",
    "trend_heading": "District trend",
    "trend_chart_label": "Mean score (0–100) by peer group over the years",
    "trend_table_caption": "Scores and grades of the district over the years",
    "group_all": "District",
    "col_year": "Year",
    "col_group": "Peer group",
    "col_units": "Units",
    "col_mean": "Mean score",
    "col_median": "Median score",
    "col_grades": "Grades",
    "grade_count": "{grade} {n}",
    "list_sep": ", ",
    "warnings_heading": "Warnings: units flagged and overdue rectification",
    "warnings_none": "No unit is flagged for attention and no rectification item is overdue this year.",
    "attention_heading": "Units flagged for attention",
    "rect_heading": "Overdue rectification items",
    "col_reasons": "Reasons",
    "col_rect_source": "Source",
    "col_rect_deadline": "Deadline",
    "warn_bar_top": "barred from the top grade: {reason}",
    "warn_provisional": "provisional grade and rank: data coverage {coverage}",
    "rect_overdue": "Overdue",
    "league_heading": "League tables",
    "league_group_caption": "League table {year}: {group}",
    "filters_label": "Filter and search",
    "filter_group": "Peer group",
    "filter_class": "Unit class",
    "filter_grade": "Grade",
    "filter_provisional": "Provisional grade",
    "opt_all": "All",
    "opt_provisional_only": "Provisional only",
    "opt_provisional_none": "Final only",
    "search": "Search unit name or id",
    "search_placeholder": "Name or id",
    "shown": "Showing {n} of {total} units",
    "no_match": "No unit matches.",
    "sort_by": "Sort by “{column}”",
    "sorted_ascending": "ascending",
    "sorted_descending": "descending",
    "col_rank": "Rank",
    "col_unit": "Unit",
    "col_id": "Id",
    "col_class": "Class",
    "col_score": "Score",
    "col_grade": "Grade",
    "col_change": "Rank change",
    "col_flags": "Notes",
    "col_reports": "Reports",
    "link_html": "Web",
    "link_pdf": "PDF",
    "link_html_label": "{name}, report {year} (web page)",
    "link_pdf_label": "{name}, report {year} (PDF)",
    "overview_link": "District overview {year}",
    "overview_pdf_link": "PDF",
    "flag_provisional": "Provisional",
    "flag_veto": "Veto",
    "flag_bar_top": "Barred from top grade",
    "flag_attention": "Flagged",
    "unit_subtitle": "{group} · {class} · Unit code {id}",
    "unit_years_heading": "Results over the years",
    "unit_years_caption": "Results of {name} over the years",
    "unit_trend_label": "Score (0–100) of {name} over the years",
    "unit_areas_heading": "Score rate by area",
    "unit_areas_caption": "Score rate (score / points) of {name} by area and year",
    "unit_warnings_heading": "Warnings and rectification",
    "unit_warnings_none": "No veto, provisional grade, attention flag or overdue rectification in any year.",
    "unit_compare_link": "Compare with another unit",
    "col_rank_or_band": "Rank or band",
    "col_score_change": "Score change",
    "col_area": "Area",
    "area_not_applicable": "n/a",
    "area_no_data": "No data",
    "score_change_value": "{sign}{value}",
    "not_in_year": "No report this year",
    "adjustment_bonus": "bonus: {reason}",
    "adjustment_deduction": "deduction: {reason}",
    "back_to_index": "Back to the league tables",
    "compare_heading": "Compare units",
    "compare_intro": "Choose two units to see their scores, grades, ranks and area score rates side by side.",
    "compare_unit_a": "First unit",
    "compare_unit_b": "Second unit",
    "compare_pick": "Choose a unit",
    "compare_years_caption": "Results over the years, side by side",
    "compare_areas_caption": "Score rate by area, {year}",
    "compare_same_unit": "Choose two different units.",
}

#: Every portal language (the report languages).
CATALOGUE: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}
LANGUAGES = tuple(CATALOGUE)

#: Keys taken from the report catalogue, so that the portal words a rank, a band, a
#: provisional grade or an attention reason exactly as the reports do.
REPORT_KEYS = ("rank_place", "rank_tied", "rank_of_group", "rank_missing", "rank_band_value",
               "rank_band_top", "rank_band_middle", "rank_band_bottom", "provisional_mark",
               "change_up", "change_down", "change_same", "change_none",
               "ov_flag_veto", "ov_flag_fail", "ov_flag_rank_drop")


def catalogue(language: str) -> dict[str, str]:
    """The portal's messages in ``language``: its own and :data:`REPORT_KEYS` of the
    report catalogue. ``ValueError`` for an unknown language."""
    if language not in CATALOGUE:
        raise ValueError(f"unknown portal language {language!r}; choose one of {', '.join(LANGUAGES)}")
    words = report_messages.catalogue(language)
    return {**CATALOGUE[language], **{key: words[key] for key in REPORT_KEYS}}


def msg(language: str, key: str, **fields: Any) -> str:
    """The text of ``key`` in ``language`` with ``fields`` filled in."""
    text = catalogue(language)[key]
    return text.format(**fields) if fields else text


def label(language: str, prefix: str, code: Any) -> str:
    """The label of a data code (``peer_group``, ``unit_class``, ``rect_source`` …) from
    the report catalogue; the code itself when it has none."""
    return report_messages.label(language, prefix, code)
