"""The data contract: one schema per input table, kept in code.

The reference page ``docs/data-contract.md`` is generated from this module
(``python -m evalkit.data.contract_doc``) and a test keeps the two in sync.

Conventions that hold for every table
-------------------------------------
* A data directory holds district-wide tables at its top level (``units``, ``raters``,
  ``rater_conflicts``) and one sub-directory per calendar year (``2024/``) holding that
  year's tables. A year has data for scoring when its folder holds a record of an
  operational or qualitative table; without ``--year`` the latest such year is evaluated
  (a folder holding only follow-up tables, e.g. a ``2025/rectifications.csv`` opened
  early, is not), and a year asked for without such data is an error.
* Each table is one file named after the table or its Chinese label, in any supported
  format: ``.csv``, ``.csv.gz``, ``.xlsx``, ``.xlsm``, ``.xls`` or ``.parquet`` (e.g.
  ``2024/service_cases.csv.gz`` or ``2024/网格化管理案件.xlsx``). Files in other spreadsheet or
  text formats (WPS ``.et``, ``.txt`` …) are not read and are named in a message: save them
  as ``.xlsx`` or ``.csv``.
* CSV text may be UTF-8, UTF-8 with BOM or GB18030 (GBK); the encoding is detected. Fields
  are separated by commas, or by tabs when the header line holds more tabs than commas.
  Rows whose every field is empty (``,,,,``) are skipped, as empty sheet rows are.
* Excel workbooks: the first visible worksheet (the leftmost tab that is not hidden) is
  read, with the column names in row 1 and one record per row below; empty rows are
  skipped and formulas count as the values Excel last saved. Other worksheets are not
  read (a warning names those holding data). A title merged across the first rows is an
  error: the header must be row 1. Rows are numbered as the sheet numbers them.
* Column headers may be the English name or the Chinese label given below.
* Ids are stable strings (leading zeros kept). Money is in yuan. Durations and time limits
  are in working days. Dates are ``YYYY-MM-DD``; date-times ``YYYY-MM-DD HH:MM[:SS]``. A
  date-time column given a date alone is read as 00:00 that day, with a warning per file
  and column counting such cells. Full-width digits and signs (``２０２４－０１－０８``, ``１５．５``)
  in number, date and yes/no columns are read as ASCII, with a warning per file and column.
* Categorical values may be written as the English code or the Chinese label.
* A record belongs to the year of its *anchor date* (e.g. the date a case was received);
  the anchor date must fall in the year of the folder holding the file. Later dates
  (completion, closure) may fall in the next year.
* Empty cells are missing values; they are only allowed in columns marked nullable. A
  nullable column may also be left out of the file altogether (all values missing).
* Columns the contract does not know are reported as a warning and ignored.
* Working days follow China's statutory holidays and make-up working days (调休) from the
  ``chinese_calendar`` package. An optional ``workdays.csv`` at the top of the data
  directory (columns ``date``, ``workday`` = 1/0) overrides it, e.g. for a year the
  package does not cover yet; it is part of the data's provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DType = Literal["id", "text", "int", "float", "money", "bool", "date", "datetime", "category"]

#: Human-readable description of each column type (used in messages and the docs page).
DTYPE_DESCRIPTION: dict[str, str] = {
    "id": "an identifier (text; leading zeros are kept)",
    "text": "text",
    "int": "a whole number",
    "float": "a number",
    "money": "an amount in yuan",
    "bool": "yes/no (1/0, true/false, 是/否, Y/N)",
    "date": "a date YYYY-MM-DD",
    "datetime": "a date-time YYYY-MM-DD HH:MM[:SS]",
    "category": "one of the listed codes",
}


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    dtype: DType
    label_zh: str
    description: str
    nullable: bool = False
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    #: Allowed codes mapped to their Chinese labels (either is accepted on input).
    categories: dict[str, str] | None = None
    #: ``"table.column"`` that every non-empty value must exist in.
    references: str | None = None
    unit: str | None = None
    #: How the column reads at a period's cut-off (:mod:`evalkit.data.as_at`, docs/periods.md):
    #: ``"outcome"`` — a date or time of something that happens after the record's anchor
    #: (a completion, a reply, a closure): after the cut-off it has not happened yet and reads
    #: as missing; ``"deadline"`` — a date known in advance (a due date): kept whatever the
    #: cut-off; ``"month"`` — the calendar month a row reports: rows of months outside the
    #: period are not in it. None: a fact known when the record is made.
    timing: Literal["outcome", "deadline", "month"] | None = None
    #: The ``"outcome"`` column this value is recorded with (a rating given on completion, a
    #: lawsuit's outcome on its conclusion): unknown — missing — while that outcome lies after
    #: a period's cut-off.
    recorded_with: str | None = None


@dataclass(frozen=True)
class Order:
    """``earlier`` must be ≤ ``later`` wherever both are present (dates or numbers)."""

    earlier: str
    later: str
    meaning: str


@dataclass(frozen=True)
class Table:
    """Schema of one input table."""

    name: str
    label_zh: str
    description: str
    scope: Literal["district", "year"]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    anchor_date: str | None = None
    orders: tuple[Order, ...] = ()
    #: Columns whose value must be the same on every row sharing ``constant_within``.
    constant_columns: tuple[str, ...] = ()
    constant_within: tuple[str, ...] = ()
    #: A file with a header and no rows is valid (e.g. no litigation in a year).
    allow_empty: bool = False
    #: Rules across several columns of a row, in words; :mod:`evalkit.data.validation`
    #: checks each (``_TABLE_RULES``) and the contract page lists them.
    rules: tuple[str, ...] = ()
    required: bool = False
    kind: Literal["reference", "operational", "qualitative", "follow-up"] = "operational"
    #: What a missing file means, for an optional table whose absence is no gap in the data
    #: (e.g. no conflict of interest declared): its absence is then not warned about.
    absent_means: str | None = None
    #: The table is returned once for the whole year (a year-end count, an annual evaluation
    #: or assessment): indicators reading it are *annual-only* — a month, a quarter or the
    #: year to date does not assess them (docs/periods.md).
    annual_only: bool = False

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# ----------------------------------------------------------------------------------------
# Shared category code lists
# ----------------------------------------------------------------------------------------

PEER_GROUPS = {"department": "部门", "subdistrict": "街镇"}

RATER_GROUPS = {
    "leader": "区领导评价",
    "peer": "部门/街镇互评",
    "service_user": "服务对象评价",
    "expert": "第三方专家评价",
}

FIVE_LEVEL_SATISFACTION = {
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "fairly_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "very_dissatisfied": "非常不满意",
}

THREE_LEVEL_SATISFACTION = {
    "satisfied": "满意",
    "fairly_satisfied": "基本满意",
    "dissatisfied": "不满意",
}

VOTER_GROUPS = {
    "leaders": "领导班子成员",
    "staff": "本单位干部职工",
    "deputies": "人大代表/政协委员",
    "public": "群众代表",
}


#: The outcomes a legal case may have, by its kind: a review body's decisions (行政复议决定)
#: and a court's (行政诉讼); both may dismiss (驳回) or end (终止) a case.
LEGAL_OUTCOMES_BY_KIND = {
    "review": ("upheld", "dismissed", "revoked", "varied", "confirmed_unlawful",
               "ordered_to_perform", "terminated"),
    "litigation": ("won", "lost", "dismissed", "withdrawn", "terminated"),
}


def _unit_id(description: str = "Evaluated unit (部门 or 街镇) the record belongs to.") -> Column:
    return Column("unit_id", "id", "单位编码", description, references="units.unit_id")


# ----------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------

UNITS = Table(
    name="units",
    label_zh="被评估单位",
    description="Every evaluated unit: district government departments and sub-districts/towns.",
    scope="district",
    kind="reference",
    required=True,
    key=("unit_id",),
    columns=(
        Column("unit_id", "id", "单位编码", "Stable id of the unit, e.g. D01 or S05."),
        Column("name_zh", "text", "单位名称", "Chinese name, e.g. 区市场监管局."),
        Column("name_en", "text", "英文名称", "English name.", nullable=True),
        Column("peer_group", "category", "考核组别", "Peer group the unit is ranked in.",
               categories=PEER_GROUPS),
        Column("unit_class", "text", "单位类别",
               "Class within the peer group (e.g. 综合管理类, 执法监管类, 社会服务类, 街道, 镇); "
               "points may differ by class."),
    ),
)

RATERS = Table(
    name="raters",
    label_zh="评估人员库",
    description="The evaluator registry (评估人员数据库): every rater, their group and own unit, "
                "and optionally their name, organisation, qualification and term. A rater never "
                "counts for their own unit, nor outside their term. The name is for the "
                "evaluation office only: no result, report, JSON payload or portal page shows it.",
    scope="district",
    kind="reference",
    key=("rater_id",),
    orders=(Order("term_start", "term_end", "a term ends after it starts"),),
    columns=(
        Column("rater_id", "id", "评估人员编码", "Stable, pseudonymous id of the rater."),
        Column("rater_group", "category", "评估群体", "Rater group.", categories=RATER_GROUPS),
        Column("own_unit_id", "id", "所在单位编码",
               "Unit the rater works in; empty for raters outside the evaluated units.",
               nullable=True, references="units.unit_id"),
        Column("name", "text", "姓名",
               "The rater's name, for the evaluation office only (never in results, reports, "
               "JSON payloads or the portal).", nullable=True, required=False),
        Column("organisation", "text", "所在单位/机构",
               "Name of the organisation the rater belongs to (a department, a company, a "
               "university, a residents' committee …).", nullable=True, required=False),
        Column("qualification", "text", "资质",
               "The rater's qualification or standing for the role, e.g. 副教授（公共管理）.",
               nullable=True, required=False),
        Column("term_start", "date", "聘期开始日期",
               "First day of the rater's term; empty: no start recorded. A rater rates only in "
               "the years their term overlaps.", nullable=True, required=False),
        Column("term_end", "date", "聘期结束日期",
               "Last day of the rater's term; empty: open-ended.", nullable=True, required=False),
    ),
)

RATER_ASSIGNMENTS = Table(
    name="rater_assignments",
    label_zh="评估任务分配",
    description="Which units each rater is assigned to rate in the year (评估任务分配), one row per "
                "rater and unit. When a year has this file, a rating of a unit the rater was not "
                "assigned to that year does not count.",
    scope="year",
    kind="reference",
    annual_only=True,
    key=("rater_id", "unit_id"),
    absent_means="every registered rater may rate every unit but their own",
    columns=(
        Column("rater_id", "id", "评估人员编码", "Rater.", references="raters.rater_id"),
        _unit_id("Unit the rater is assigned to rate."),
    ),
)

RATER_CONFLICTS = Table(
    name="rater_conflicts",
    label_zh="评估人员利益冲突申报",
    description="Conflicts of interest declared by raters (利益冲突申报, 回避), one row per rater and "
                "unit: a former employer, a relative working there, a contract with it, or the "
                "rater's own unit. A rating of a unit its rater declared a conflict with does not "
                "count, in any year. For the evaluation office only.",
    scope="district",
    kind="reference",
    key=("rater_id", "unit_id"),
    allow_empty=True,
    absent_means="no conflict of interest is declared",
    columns=(
        Column("rater_id", "id", "评估人员编码", "Rater.", references="raters.rater_id"),
        _unit_id("Unit the rater declared a conflict of interest with."),
        Column("reason", "text", "冲突事由", "The declared conflict, e.g. 近亲属在该单位任职."),
        Column("declared_date", "date", "申报日期", "Date of the declaration.", nullable=True,
               required=False),
    ),
)

SERVICE_CASES = Table(
    name="service_cases",
    label_zh="政务服务办件",
    description="Administrative service cases (政务服务办件), one row per case, from the "
                "administrative service centre and the community service centres.",
    scope="year",
    key=("case_id",),
    anchor_date="received_date",
    orders=(
        Order("received_date", "completed_date", "a case is completed on or after it is received"),
        Order("completed_date", "bad_rating_rectified_date",
              "a bad rating is rectified after the case is completed"),
        Order("promised_limit_days", "statutory_limit_days",
              "the promised time limit is not longer than the statutory one (承诺时限 ≤ 法定时限)"),
    ),
    rules=(
        "A case flagged `instant` (即办件) has a `promised_limit_days` of 0.",
        "A `bad_rating_rectified_date` is given only for a bad rating (不满意, 非常不满意).",
    ),
    columns=(
        Column("case_id", "id", "办件编号", "Case number."),
        _unit_id("Unit responsible for the case."),
        Column("item_code", "id", "事项编码", "Service item code.", nullable=True),
        Column("received_date", "date", "受理日期", "Date the case was accepted."),
        Column("statutory_limit_days", "int", "法定时限", "Statutory time limit.",
               minimum=0, maximum=365, unit="working days"),
        Column("promised_limit_days", "int", "承诺时限", "Promised time limit (0 for 即办件).",
               minimum=0, maximum=365, unit="working days"),
        Column("completed_date", "date", "办结日期", "Date completed; empty while pending.",
               nullable=True, timing="outcome"),
        Column("channel", "category", "办理渠道", "Online end to end (全程网办) or at a window.",
               categories={"online": "全程网办", "offline": "窗口办理"}),
        Column("instant", "bool", "是否即办件", "Completed on the spot (即办件)."),
        Column("rating", "category", "好差评评价", "Applicant's 好差评 rating; empty if not rated.",
               nullable=True, categories=FIVE_LEVEL_SATISFACTION, recorded_with="completed_date"),
        Column("bad_rating_rectified_date", "date", "差评整改日期",
               "Date a bad rating (不满意/非常不满意) was rectified; empty if none or not yet.",
               nullable=True, timing="outcome"),
    ),
)

HOTLINE_TICKETS = Table(
    name="hotline_tickets",
    label_zh="12345热线工单",
    description="12345 citizen hotline work orders dispatched to units, one row per ticket.",
    scope="year",
    key=("ticket_id",),
    anchor_date="dispatched_at",
    orders=(
        Order("dispatched_at", "signed_at", "a ticket is signed for after it is dispatched"),
        Order("dispatched_at", "contacted_at", "the citizen is contacted after dispatch"),
        Order("dispatched_at", "closed_at", "a ticket is closed after it is dispatched"),
        Order("dispatched_at", "due_at", "the due time is after dispatch"),
    ),
    columns=(
        Column("ticket_id", "id", "工单编号", "Work-order number."),
        _unit_id("Unit the ticket was dispatched to."),
        Column("category", "category", "诉求类型", "Type of request.", nullable=True,
               categories={"consultation": "咨询", "help": "求助", "complaint": "投诉",
                           "report": "举报", "suggestion": "建议"}),
        Column("dispatched_at", "datetime", "派单时间", "Time the ticket was dispatched."),
        Column("signed_at", "datetime", "签收时间", "Time the unit signed for it; empty if never.",
               nullable=True, timing="outcome"),
        Column("contacted_at", "datetime", "先行联系时间",
               "Time the unit first contacted the citizen; empty if never.", nullable=True,
               timing="outcome"),
        Column("closed_at", "datetime", "办结时间", "Time the ticket was closed; empty if open.",
               nullable=True, timing="outcome"),
        Column("due_at", "datetime", "办理时限", "Deadline for closing the ticket.", timing="deadline"),
        Column("callback_satisfaction", "category", "回访满意度",
               "Result of the callback; empty when the callback did not reach the citizen.",
               nullable=True, categories=THREE_LEVEL_SATISFACTION, recorded_with="closed_at"),
        Column("solved", "bool", "实际解决", "Whether the request was actually solved; empty if unknown.",
               nullable=True, recorded_with="closed_at"),
    ),
)

GRID_CASES = Table(
    name="grid_cases",
    label_zh="网格化管理案件",
    description="Urban grid-management cases (网格化/城运), one row per case.",
    scope="year",
    key=("case_id",),
    anchor_date="opened_date",
    orders=(
        Order("opened_date", "closed_date", "a case is closed after it is opened (立案)"),
        Order("opened_date", "due_date", "the due date is after the case is opened"),
    ),
    columns=(
        Column("case_id", "id", "案件编号", "Case number."),
        _unit_id("Unit responsible for disposal."),
        Column("category", "text", "案件类别", "Case category (部件/事件 …).", nullable=True),
        Column("opened_date", "date", "立案日期", "Date the case was opened."),
        Column("due_date", "date", "应结案日期", "Deadline for closing the case.", timing="deadline"),
        Column("closed_date", "date", "结案日期", "Date closed; empty while open.", nullable=True,
               timing="outcome"),
        Column("reworked", "bool", "是否返工", "The case was sent back for rework."),
        Column("extended", "bool", "是否延期", "The deadline was extended."),
    ),
)

BUDGET_LINES = Table(
    name="budget_lines",
    label_zh="预算执行月报",
    description="Monthly budget execution per unit and budget line. budget_yuan is the annual "
                "initial budget of the line, repeated on every month.",
    scope="year",
    key=("unit_id", "month", "line"),
    constant_columns=("budget_yuan",),
    constant_within=("unit_id", "line"),
    columns=(
        _unit_id(),
        Column("month", "int", "月份", "Calendar month.", minimum=1, maximum=12, timing="month"),
        Column("line", "category", "预算科目", "Budget line.",
               categories={"basic": "基本支出", "project": "项目支出", "three_public": "三公经费"}),
        Column("budget_yuan", "money", "年初预算", "Annual initial budget of the line.",
               minimum=0, unit="yuan"),
        Column("adjustment_yuan", "money", "本月预算调整", "Budget adjustment made this month "
               "(追加 positive, 调减 negative).", unit="yuan"),
        Column("spending_yuan", "money", "本月支出", "Spending in the month.", minimum=0, unit="yuan"),
    ),
)

DISCLOSURE_REQUESTS = Table(
    name="disclosure_requests",
    label_zh="依申请公开",
    description="Requests for government information disclosure (依申请公开), one row per request. "
                "The answer is due in 20 working days, 40 with an approved extension.",
    scope="year",
    key=("request_id",),
    anchor_date="received_date",
    orders=(Order("received_date", "replied_date", "a request is answered after it is received"),),
    columns=(
        Column("request_id", "id", "申请编号", "Request number."),
        _unit_id(),
        Column("received_date", "date", "收到申请日期", "Date the request was received."),
        Column("extended", "bool", "是否延期答复", "An extension (up to 20 more working days) was approved."),
        Column("replied_date", "date", "答复日期", "Date answered; empty while pending.", nullable=True,
               timing="outcome"),
        Column("outcome", "category", "答复结果", "Outcome.", nullable=True, recorded_with="replied_date",
               categories={"disclosed": "予以公开", "partly": "部分公开", "refused": "不予公开",
                           "unavailable": "无法提供", "not_processed": "不予处理", "other": "其他"}),
    ),
)

DISCLOSURE_DOCUMENTS = Table(
    name="disclosure_documents",
    label_zh="公文公开情况",
    description="Official documents issued and proactively disclosed (主动公开) per unit in the year.",
    scope="year",
    key=("unit_id",),
    allow_empty=True,
    annual_only=True,
    orders=(Order("documents_disclosed", "documents_issued",
                  "no more documents disclosed than issued"),),
    columns=(
        _unit_id(),
        Column("documents_issued", "int", "制发公文数", "Documents issued.", minimum=0),
        Column("documents_disclosed", "int", "主动公开公文数", "Documents proactively disclosed.",
               minimum=0),
    ),
)

LEGAL_CASES = Table(
    name="legal_cases",
    label_zh="行政复议与诉讼",
    description="Administrative review (行政复议) and litigation (行政诉讼) cases in which the unit "
                "is the respondent, one row per case.",
    scope="year",
    key=("case_id",),
    anchor_date="filed_date",
    allow_empty=True,
    orders=(Order("filed_date", "concluded_date", "a case is concluded after it is filed"),),
    rules=(
        "A case has an `outcome` exactly when it has a `concluded_date`.",
        "The `outcome` fits the `kind`: a review (行政复议) is "
        + ", ".join(f"`{c}`" for c in LEGAL_OUTCOMES_BY_KIND["review"])
        + "; a lawsuit (行政诉讼) is "
        + ", ".join(f"`{c}`" for c in LEGAL_OUTCOMES_BY_KIND["litigation"])
        + " (a court's 撤销, 变更 or 确认违法 of the unit's act is `lost`).",
    ),
    columns=(
        Column("case_id", "id", "案件编号", "Case number."),
        _unit_id("Respondent unit."),
        Column("kind", "category", "案件类型", "Review or litigation.",
               categories={"review": "行政复议", "litigation": "行政诉讼"}),
        Column("filed_date", "date", "立案日期", "Date filed."),
        Column("concluded_date", "date", "审结日期", "Date concluded; empty while pending.",
               nullable=True, timing="outcome"),
        Column("outcome", "category", "结果", "Outcome; empty while pending. Corrections "
               "(纠错) are revoked, varied, confirmed_unlawful and ordered_to_perform.",
               nullable=True, recorded_with="concluded_date",
               categories={"upheld": "维持", "dismissed": "驳回", "revoked": "撤销", "varied": "变更",
                           "confirmed_unlawful": "确认违法", "ordered_to_perform": "责令履行",
                           "terminated": "终止", "won": "胜诉", "lost": "败诉", "withdrawn": "撤诉"}),
    ),
)

AUDIT_FINDINGS = Table(
    name="audit_findings",
    label_zh="审计发现问题",
    description="Problems found by audits (审计查出问题), one row per finding. Their rectification "
                "is tracked in the rectifications table (source = audit).",
    scope="year",
    key=("finding_id",),
    anchor_date="found_date",
    allow_empty=True,
    columns=(
        Column("finding_id", "id", "问题编号", "Finding number."),
        _unit_id("Audited unit."),
        Column("found_date", "date", "发现日期", "Date of the audit report."),
        Column("category", "text", "问题类别", "Kind of problem.", nullable=True),
        Column("amount_yuan", "money", "涉及金额", "Amount involved.", nullable=True, minimum=0,
               unit="yuan"),
    ),
)

RECTIFICATIONS = Table(
    name="rectifications",
    label_zh="整改跟踪",
    description="Rectification (整改) items with deadlines and follow-up status: audit findings, "
                "supervision, complaints and evaluation recommendations.",
    scope="year",
    kind="follow-up",
    key=("rectification_id",),
    anchor_date="opened_date",
    allow_empty=True,
    orders=(Order("opened_date", "deadline", "the deadline is after the item is opened"),
            Order("opened_date", "closed_date", "an item is closed after it is opened")),
    rules=(
        "An item has a `closed_date` exactly when its `status` is `closed` (已整改).",
        "An item whose `source` is `audit` names its `finding_id`, which is listed in an "
        "audit_findings file.",
    ),
    columns=(
        Column("rectification_id", "id", "整改编号", "Rectification item number."),
        _unit_id("Unit responsible for the rectification."),
        Column("source", "category", "问题来源", "Where the finding came from.",
               categories={"audit": "审计", "supervision": "督查", "complaint": "投诉/差评",
                           "evaluation": "效能评估"}),
        Column("finding_id", "id", "问题编号", "The finding rectified (an audit_findings id when "
               "source = audit).", nullable=True),
        Column("opened_date", "date", "整改启动日期", "Date the rectification was ordered."),
        Column("deadline", "date", "整改期限", "Deadline.", timing="deadline"),
        Column("status", "category", "整改状态", "Follow-up status.",
               categories={"open": "未整改", "in_progress": "整改中", "closed": "已整改"},
               recorded_with="closed_date"),
        Column("closed_date", "date", "整改完成日期", "Date closed; required when status is closed.",
               nullable=True, timing="outcome"),
    ),
)

SUPERVISION_TASKS = Table(
    name="supervision_tasks",
    label_zh="督查督办事项",
    description="Tasks under government supervision (督查督办): decisions of executive meetings, "
                "leaders' instructions and assigned matters, one row per task.",
    scope="year",
    key=("task_id",),
    anchor_date="assigned_date",
    allow_empty=True,
    orders=(Order("assigned_date", "due_date", "the due date is after assignment"),
            Order("assigned_date", "completed_date", "a task is completed after assignment")),
    columns=(
        Column("task_id", "id", "督办编号", "Task number."),
        _unit_id("Lead unit."),
        Column("source", "text", "督办来源", "Origin (常务会议, 领导批示, 交办事项 …).", nullable=True),
        Column("assigned_date", "date", "交办日期", "Date assigned."),
        Column("due_date", "date", "办结时限", "Deadline.", timing="deadline"),
        Column("completed_date", "date", "办结日期", "Date completed; empty while open.", nullable=True,
               timing="outcome"),
    ),
)

#: The roles (岗位) a document is handled at in the office-automation system. A closed
#: list: a cell holding anything else (a person's name, a free-text job title) is refused,
#: so no name can enter the table. Per-post figures are for the evaluation office only and
#: are withheld below the anonymity floor (:func:`evalkit.indicators.oa.oa_by_post`).
OA_POST_TYPES = {
    "clerk": "科员",
    "deputy_section_chief": "副科长",
    "section_chief": "科长",
    "deputy_head": "分管领导",
    "head": "主要领导",
    "other": "其他岗位",
}

OA_DOCUMENT_KINDS = {
    "incoming": "收文",
    "outgoing": "发文",
    "supervision": "督办",
    "minutes": "会议纪要落实",
    "other": "其他",
}

OA_DOCUMENTS = Table(
    name="oa_documents",
    label_zh="办公自动化公文办理",
    description="Documents and tasks handled in the office-automation system (OA 公文/事项办理: "
                "收文, 发文, 督办, 会议纪要落实 …), one row per document, for the duty-performance "
                "indicators (岗位履职). `post_type` is the role the document was handled at, "
                "one of a closed list of codes — never a person's name.",
    scope="year",
    key=("doc_id",),
    anchor_date="received_at",
    allow_empty=True,
    orders=(Order("received_at", "assigned_at", "a document is assigned after it is received"),
            Order("received_at", "closed_at", "a document is closed after it is received"),
            Order("assigned_at", "closed_at", "a document is closed after it is assigned")),
    columns=(
        Column("doc_id", "id", "文件编号", "Document (or task) number in the OA system."),
        _unit_id("Unit handling the document (承办单位)."),
        Column("post_type", "category", "办理岗位",
               "Role the document was handled at (岗位类别) — a code of the list, never a "
               "person's name; anything else is refused.", categories=OA_POST_TYPES),
        Column("kind", "category", "文件类型", "Kind of document or task.",
               categories=OA_DOCUMENT_KINDS),
        Column("received_at", "datetime", "收文时间", "Time the document was received (登记) in the unit."),
        Column("assigned_at", "datetime", "分办时间", "Time it was assigned to the handling post; "
               "empty if not recorded.", nullable=True, timing="outcome"),
        Column("closed_at", "datetime", "办结时间", "Time it was closed (办结); empty while open.",
               nullable=True, timing="outcome"),
        Column("limit_days", "int", "办理时限", "Time limit for closing it, counted from receipt.",
               minimum=1, maximum=365, unit="working days"),
    ),
)

PROJECTS = Table(
    name="projects",
    label_zh="重大项目",
    description="Major projects tracked by the district (重大项目跟踪问效), active in the year.",
    scope="year",
    key=("project_id",),
    allow_empty=True,
    columns=(
        Column("project_id", "id", "项目编号", "Project number."),
        _unit_id("Lead unit."),
        Column("name_zh", "text", "项目名称", "Project name."),
        Column("total_budget_yuan", "money", "项目总投资", "Total planned cost.", minimum=0,
               unit="yuan"),
    ),
)

PROJECT_MILESTONES = Table(
    name="project_milestones",
    label_zh="重大项目节点",
    description="Milestones of major projects planned in the year: planned and actual dates and "
                "costs (for schedule and cost performance indices).",
    scope="year",
    key=("project_id", "milestone_no"),
    anchor_date="planned_date",
    allow_empty=True,
    columns=(
        Column("project_id", "id", "项目编号", "Project.", references="projects.project_id"),
        Column("milestone_no", "int", "节点序号", "Milestone number within the project.", minimum=1),
        Column("name_zh", "text", "节点名称", "Milestone name.", nullable=True),
        Column("planned_date", "date", "计划完成日期", "Planned completion date.", timing="deadline"),
        Column("actual_date", "date", "实际完成日期", "Actual completion date; empty if not reached.",
               nullable=True, timing="outcome"),
        Column("planned_cost_yuan", "money", "计划投资", "Planned cost of the milestone's work.",
               minimum=0, unit="yuan"),
        Column("actual_cost_yuan", "money", "实际投资", "Actual cost so far.", nullable=True,
               minimum=0, unit="yuan", recorded_with="actual_date"),
    ),
)

#: Categories of a unit's key tasks (重点工作任务) and the completion levels of their assessment.
KEY_TASK_CATEGORIES = {
    "district_priority": "区委区政府重点工作",
    "annual_goal": "部门年度目标",
    "livelihood": "民生实事",
}
COMPLETION_LEVELS = {"completed": "完成", "basically_completed": "基本完成", "not_completed": "未完成"}
#: The ``completion_pct`` a completion level allows: ``(low, high, high included)``; checked by
#: :mod:`evalkit.data.validation`.
COMPLETION_PCT_BANDS = {"completed": (100.0, 100.0, True), "basically_completed": (60.0, 100.0, False),
                        "not_completed": (0.0, 60.0, False)}

KEY_TASKS = Table(
    name="key_tasks",
    label_zh="重点工作任务",
    description="Each unit's own key tasks of the year (个性指标: 区委区政府重点工作, 部门年度目标, 民生实事), "
                "one row per task, with their weight within the unit and the year-end assessment "
                "(完成 / 基本完成 / 未完成) by the assessing office. A unit with no row in a year that "
                "has this file has no key tasks assigned: the key-task indicator does not apply to it.",
    scope="year",
    key=("task_id",),
    anchor_date="due_date",
    allow_empty=True,
    annual_only=True,
    rules=(
        "A task's `points` are greater than 0.",
        "A task assessed `completed` (完成) has a `completed_date`; one assessed `not_completed` "
        "(未完成) has none.",
        "A `completion_pct`, when given, fits the `completion` level: 100 for `completed` (完成), "
        "60 or more and below 100 for `basically_completed` (基本完成), below 60 for "
        "`not_completed` (未完成).",
    ),
    columns=(
        Column("task_id", "id", "任务编号", "Task number."),
        _unit_id("Unit responsible for the task (牵头单位)."),
        Column("title", "text", "任务名称", "The task as assigned, e.g. 完成老旧小区改造 20 个."),
        Column("title_en", "text", "英文名称", "The task in English (English reports show it; without it "
               "they show the Chinese title).", nullable=True),
        Column("category", "category", "任务类别", "Kind of task.", categories=KEY_TASK_CATEGORIES),
        Column("points", "float", "分值", "Weight of the task within the unit's key tasks (the unit's "
               "tasks are weighted by their points; the framework sets the points of the key-task leaf).",
               minimum=0),
        Column("due_date", "date", "完成时限", "Date the task is due.", timing="deadline"),
        Column("acceptance", "text", "验收标准", "The acceptance criterion (how completion is judged)."),
        Column("acceptance_en", "text", "英文验收标准", "The criterion in English.", nullable=True),
        Column("completion", "category", "完成情况", "Year-end assessment of the task.",
               categories=COMPLETION_LEVELS),
        Column("completion_pct", "float", "完成进度", "Share of the task completed, when the assessment "
               "gives one; it replaces the level's default share in the score.", nullable=True,
               minimum=0, maximum=100, unit="%"),
        Column("completed_date", "date", "实际完成日期", "Date the task was completed; required for 完成, "
               "empty for 未完成.", nullable=True, timing="outcome"),
        Column("assessed_by", "text", "评定单位", "Office that assessed the completion, e.g. 区委督查室."),
        Column("assessed_by_en", "text", "评定单位英文名称", "The assessing office in English.", nullable=True),
        Column("evidence", "text", "佐证材料", "Evidence of completion (document numbers, reports).",
               nullable=True),
    ),
)

KEY_TASK_MILESTONES = Table(
    name="key_task_milestones",
    label_zh="重点工作任务节点",
    description="Milestones (时间节点) of the key tasks, one row per task and milestone, with the "
                "planned and the actual date; a milestone reached after its planned date costs the "
                "task points by the working days it is late.",
    scope="year",
    key=("task_id", "milestone"),
    anchor_date="planned_date",
    allow_empty=True,
    columns=(
        Column("task_id", "id", "任务编号", "Task.", references="key_tasks.task_id"),
        Column("milestone", "text", "节点名称", "The milestone, e.g. 完成方案制定."),
        Column("milestone_en", "text", "英文节点名称", "The milestone in English.", nullable=True),
        Column("planned_date", "date", "计划完成日期", "Planned date.", timing="deadline"),
        Column("actual_date", "date", "实际完成日期", "Date reached; empty if not reached yet.",
               nullable=True, timing="outcome"),
    ),
)

PROPOSALS = Table(
    name="proposals",
    label_zh="建议提案办理",
    description="People's congress suggestions (人大建议) and CPPCC proposals (政协提案) handled by "
                "the unit, one row per item.",
    scope="year",
    key=("proposal_id",),
    anchor_date="received_date",
    allow_empty=True,
    orders=(Order("received_date", "due_date", "the due date is after receipt"),
            Order("received_date", "replied_date", "a reply is sent after receipt")),
    columns=(
        Column("proposal_id", "id", "建议提案编号", "Item number."),
        _unit_id("Lead handling unit."),
        Column("kind", "category", "类型", "Suggestion or proposal.",
               categories={"npc_suggestion": "人大建议", "cppcc_proposal": "政协提案"}),
        Column("received_date", "date", "交办日期", "Date assigned to the unit."),
        Column("due_date", "date", "办复期限", "Reply deadline.", timing="deadline"),
        Column("replied_date", "date", "办复日期", "Date of the reply; empty while pending.",
               nullable=True, timing="outcome"),
        Column("result_category", "category", "办理结果分类",
               "A solved or adopted; B being solved; C to be solved later; D cannot be solved.",
               nullable=True, recorded_with="replied_date", categories={"A": "A类(已解决或采纳)", "B": "B类(正在解决)",
                                          "C": "C类(列入计划)", "D": "D类(因条件限制不能解决)"}),
        Column("satisfaction", "category", "代表委员满意度", "Feedback of the deputy or member.",
               nullable=True, categories=THREE_LEVEL_SATISFACTION, recorded_with="replied_date"),
    ),
)

STAFFING = Table(
    name="staffing",
    label_zh="人员编制",
    description="Authorised posts (编制) and staff in post (在编) per unit at year end.",
    scope="year",
    annual_only=True,
    key=("unit_id",),
    columns=(
        _unit_id(),
        Column("authorised_posts", "int", "编制数", "Authorised posts.", minimum=0),
        Column("staff_in_post", "int", "在编人数", "Staff in post.", minimum=0),
    ),
)

RATINGS = Table(
    name="ratings",
    label_zh="效能评价打分",
    description="Rubric ratings (效能评价) given by registered raters to units, one row per rater, "
                "unit and criterion. Individual ratings never leave the aggregation layer.",
    scope="year",
    kind="qualitative",
    annual_only=True,
    key=("rater_id", "unit_id", "criterion"),
    columns=(
        Column("rater_id", "id", "评估人员编码", "Rater.", references="raters.rater_id"),
        Column("rater_group", "category", "评估群体", "Rater group; must match the registry.",
               categories=RATER_GROUPS),
        _unit_id("Rated unit."),
        Column("criterion", "id", "评价指标", "Rubric criterion code."),
        Column("score", "float", "评分", "Score on the 0–100 scale.", minimum=0, maximum=100),
    ),
)

VOTES = Table(
    name="votes",
    label_zh="民主测评",
    description="Democratic evaluation (民主测评) vote counts per unit and voter group.",
    scope="year",
    kind="qualitative",
    annual_only=True,
    key=("unit_id", "voter_group"),
    columns=(
        _unit_id("Evaluated unit."),
        Column("voter_group", "category", "测评群体", "Voter group.", categories=VOTER_GROUPS),
        Column("excellent", "int", "优秀票数", "Votes 优秀.", minimum=0),
        Column("competent", "int", "称职票数", "Votes 称职.", minimum=0),
        Column("basically_competent", "int", "基本称职票数", "Votes 基本称职.", minimum=0),
        Column("incompetent", "int", "不称职票数", "Votes 不称职.", minimum=0),
    ),
)

SURVEY_RESPONSES = Table(
    name="survey_responses",
    label_zh="满意度调查",
    description="Satisfaction-survey responses about units (群众/服务对象满意度), one row per "
                "response and question.",
    scope="year",
    kind="qualitative",
    annual_only=True,
    key=("response_id", "question"),
    anchor_date="response_date",
    columns=(
        Column("response_id", "id", "问卷编号", "Questionnaire id."),
        _unit_id("Unit the response is about."),
        Column("response_date", "date", "调查日期", "Date of the response."),
        Column("question", "id", "题目", "Question code (e.g. overall, timeliness, attitude)."),
        Column("answer", "category", "回答", "Answer on the five-level scale.",
               categories=FIVE_LEVEL_SATISFACTION),
        Column("stratum", "text", "样本分层", "Stratum for post-stratification weights "
               "(e.g. 企业/居民).", nullable=True),
    ),
)

ADJUSTMENTS = Table(
    name="adjustments",
    label_zh="加减分与否决事项",
    description="Bonus items (加分), deductions (扣分) and veto flags (一票否决 forces the lowest "
                "grade; 一票否优 bars the top grade) decided for a unit in the year, one row per "
                "decision. Caps on bonus and deduction points are set in the framework.",
    scope="year",
    kind="follow-up",
    key=("adjustment_id",),
    anchor_date="decided_date",
    allow_empty=True,
    rules=("A `bonus` or `deduction` has its `points`.",),
    columns=(
        Column("adjustment_id", "id", "事项编号", "Decision number."),
        _unit_id(),
        Column("kind", "category", "类型", "Kind of decision.",
               categories={"bonus": "加分", "deduction": "扣分", "veto": "一票否决", "bar_top": "一票否优"}),
        Column("points", "float", "分值", "Points added or deducted (bonus and deduction only).",
               nullable=True, minimum=0, maximum=100),
        Column("reason", "text", "事由", "Reason, e.g. 创新创优 or 通报批评."),
        Column("reason_en", "text", "英文事由", "The reason in English (English reports show it; "
               "without it they show the Chinese reason).", nullable=True),
        Column("decided_date", "date", "认定日期", "Date of the decision."),
    ),
)

NOT_APPLICABLE = Table(
    name="not_applicable",
    label_zh="不适用指标",
    description="Indicators that do not apply to a unit in the year because it has no such duty "
                "(不适用: e.g. no service windows, no 12345 tickets assigned, no major projects), "
                "one row per unit and indicator, as approved by the evaluation office. A declared "
                "indicator is excluded from the unit's points (its other points are re-based to "
                "100) and reported as 不适用; an indicator that applies but has no data is *not "
                "reported* (未报送) and follows the framework's missing-data policy instead.",
    scope="year",
    kind="reference",
    key=("unit_id", "indicator"),
    allow_empty=True,
    columns=(
        _unit_id(),
        Column("indicator", "id", "指标代码", "Code of the indicator in the catalogue (e.g. "
               "hotline_on_time_rate); it must be a leaf indicator of the framework."),
        Column("reason", "text", "不适用理由", "Why the indicator does not apply, e.g. 本单位无政务服务事项."),
        Column("reason_en", "text", "英文理由", "The reason in English.", nullable=True),
    ),
)

VERIFICATION_AUDITS = Table(
    name="verification_audits",
    label_zh="抽查核验结果",
    description="Outcomes of inspection audits (抽查核验): records of a unit's table drawn at random "
                "by `evalkit audit sample` and checked by an auditor against the source documents, "
                "one row per audit and record; written by `evalkit audit record`. An audit's "
                "verified error rate is the share of its records marked 否 (not verified).",
    scope="year",
    kind="follow-up",
    key=("audit_id", "record_key"),
    allow_empty=True,
    absent_means="no inspection audit has been recorded for the year",
    orders=(Order("drawn_date", "recorded_date", "an audit is recorded after its sample is drawn"),
            Order("sample_size", "population", "a sample is not larger than its population")),
    columns=(
        Column("audit_id", "id", "核验批次编号", "The audit: year, unit, table, seed and sample size, "
               "e.g. 2024-D03-service_cases-s7-n40."),
        _unit_id("Audited unit."),
        Column("table_name", "id", "核验数据表", "The data-contract table the record belongs to, "
               "e.g. service_cases."),
        Column("record_key", "id", "记录主键", "The record's key in that table (the values of a "
               "composite key joined by commas, as `evalkit db correct --id` takes them)."),
        Column("drawn_date", "date", "抽样日期", "Date the sample was drawn."),
        Column("seed", "int", "随机种子", "Seed of the random draw (the same seed draws the same "
               "records).", minimum=0),
        Column("sample_size", "int", "样本量", "Records drawn in the audit.", minimum=1),
        Column("population", "int", "总体记录数", "Records of the unit in the table when the "
               "sample was drawn.", minimum=1),
        Column("verified", "bool", "核验结果", "是: the record agrees with its source documents; "
               "否: it does not (an error)."),
        Column("note", "text", "核验说明", "The auditor's note (what was wrong); for the evaluation "
               "office only.", nullable=True),
        Column("auditor", "text", "核验人", "Who checked the records."),
        Column("recorded_date", "date", "录入日期", "Date the outcomes were recorded."),
    ),
)

# --- rectification follow-up (issue 14) ---
#: Statuses of a rectification follow-up item (整改事项): codes and their Chinese labels. The
#: allowed transitions between them are :data:`evalkit.rectification.status.TRANSITIONS`.
RECTIFICATION_STATUSES = {
    "open": "待整改",
    "in_progress": "整改中",
    "done": "已完成待核验",
    "verified": "已核验销号",
    "overdue": "逾期",
    "cancelled": "已撤销",
}

RECTIFICATION_ITEMS = Table(
    name="rectification_items",
    label_zh="整改事项跟踪",
    description="Rectification follow-up (整改跟踪) of a year's evaluation: the improvement "
                "priorities of the year's unit reports made into items with an action, an owner, "
                "a due date and a status, one row per item, in the folder of the report's year. "
                "Written by `evalkit rectify` (create, update), not submitted by units; their notes "
                "are in rectification_notes. Separate from the rectifications ledger the units "
                "report (docs/rectification.md).",
    scope="year",
    kind="follow-up",
    key=("item_id",),
    allow_empty=True,
    absent_means="no rectification item has been made from the year's reports",
    orders=(Order("created_date", "due_date", "an item is due after it is created"),
            Order("created_date", "status_date", "an item's status is set after it is created")),
    rules=(
        "A `cancelled` item gives its `cancel_reason`; only a cancelled item has one.",
        "An item with an `indicator` gives its `direction` (+1 or −1).",
    ),
    columns=(
        Column("item_id", "id", "整改事项编号", "Item number: the report's year, the unit and a "
               "sequence number, e.g. 2023-D01-01."),
        _unit_id("Unit responsible for the item."),
        Column("indicator", "id", "指标代码", "Framework code of the indicator the priority is "
               "about; empty for the cause of a 一票否决 or 一票否优 decision.", nullable=True),
        Column("indicator_name", "text", "指标名称", "The indicator's name as the report printed it.",
               nullable=True),
        Column("finding", "text", "问题", "What the report found: its improvement priority as printed."),
        Column("action", "text", "整改措施", "What the unit will do; filled in by the unit.",
               nullable=True),
        Column("owner", "text", "责任人", "Responsible post or person; filled in by the unit.",
               nullable=True),
        Column("due_date", "date", "整改期限", "Date the item is due; set by the evaluation office."),
        Column("status", "category", "整改状态", "Status as last recorded (overdue is otherwise "
               "judged from the due date at an as-of date).", categories=RECTIFICATION_STATUSES),
        Column("status_date", "date", "状态日期", "Date the current status was recorded."),
        Column("cancel_reason", "text", "撤销理由", "Why a cancelled item was cancelled.",
               nullable=True),
        Column("baseline_value", "float", "基线值", "The indicator's value in the report's year, "
               "recorded when the item was created.", nullable=True),
        Column("goal_value", "float", "目标值", "Where the report said the value should get to "
               "(the target, or the peer median).", nullable=True),
        Column("value_unit", "text", "计量单位", "Unit of the baseline and goal values (%, 工作日 …).",
               nullable=True),
        Column("direction", "int", "改进方向", "+1: a higher value is better; −1: lower.",
               nullable=True, minimum=-1, maximum=1),
        Column("created_date", "date", "创建日期", "Date the item was created."),
    ),
)

RECTIFICATION_NOTES = Table(
    name="rectification_notes",
    label_zh="整改跟踪记录",
    description="Dated notes on rectification items (整改跟踪记录): each status change and "
                "progress report, one row per note, in the folder of the item's year. Written by "
                "`evalkit rectify`.",
    scope="year",
    kind="follow-up",
    key=("item_id", "note_no"),
    allow_empty=True,
    absent_means="no note has been recorded on the year's rectification items",
    columns=(
        Column("item_id", "id", "整改事项编号", "The item the note is about.",
               references="rectification_items.item_id"),
        Column("note_no", "int", "记录序号", "Number of the note within its item, from 1.", minimum=1),
        Column("note_date", "date", "记录日期", "Date of the note (of the progress or change it reports)."),
        Column("status_from", "category", "原状态", "Status before the change; empty for a note "
               "that changes no status.", nullable=True, categories=RECTIFICATION_STATUSES),
        Column("status_to", "category", "新状态", "Status after the change; empty for a note that "
               "changes no status.", nullable=True, categories=RECTIFICATION_STATUSES),
        Column("text", "text", "记录内容", "What was done, found or decided.", nullable=True),
        Column("recorded_by", "text", "记录人", "Who recorded the note."),
        Column("via", "text", "记录来源", "How it came in: `evalkit rectify create`, a returned "
               "workbook (file and row) or `evalkit rectify update --id`.", nullable=True),
    ),
)

#: Tables that evalkit's own commands keep (``evalkit rectify``): no unit submits them, and
#: the sample district starts without them (the rectification round trip creates them).
KEPT_BY_EVALKIT = (RECTIFICATION_ITEMS.name, RECTIFICATION_NOTES.name)

#: The tables a unit reports to the evaluation office, whose submissions are logged.
_REPORTED_TABLES = (SERVICE_CASES, HOTLINE_TICKETS, GRID_CASES, BUDGET_LINES, DISCLOSURE_REQUESTS,
                    DISCLOSURE_DOCUMENTS, LEGAL_CASES, AUDIT_FINDINGS, RECTIFICATIONS, SUPERVISION_TASKS,
                    OA_DOCUMENTS, PROJECTS, PROJECT_MILESTONES, KEY_TASKS, KEY_TASK_MILESTONES, PROPOSALS,
                    STAFFING)

SUBMISSIONS = Table(
    name="submissions",
    label_zh="数据报送记录",
    description="When each unit's reports to the evaluation office were due and when they came in "
                "(数据报送), one row per unit, table and reporting period: the timeliness checks of "
                "the data-quality report count a report as late when it came in after its deadline "
                "in working days, or not at all.",
    scope="year",
    kind="follow-up",
    key=("unit_id", "table", "period"),
    allow_empty=True,
    absent_means="no submission deadlines are tracked for the year",
    columns=(
        _unit_id("Unit that reports."),
        Column("table", "category", "报送数据表", "The table reported.",
               categories={t.name: t.label_zh for t in _REPORTED_TABLES}),
        Column("period", "id", "报送期间", "The period the report covers: YYYY-MM for a monthly "
               "report (2024-11), YYYY for a yearly one."),
        Column("deadline", "date", "报送期限", "Date the report was due."),
        Column("submitted_date", "date", "实际报送日期", "Date the report came in; empty when it "
               "has not been submitted.", nullable=True),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        UNITS, RATERS, RATER_CONFLICTS, SERVICE_CASES, HOTLINE_TICKETS, GRID_CASES, BUDGET_LINES,
        DISCLOSURE_REQUESTS, DISCLOSURE_DOCUMENTS, LEGAL_CASES, AUDIT_FINDINGS,
        RECTIFICATIONS, SUPERVISION_TASKS, OA_DOCUMENTS, PROJECTS, PROJECT_MILESTONES,
        KEY_TASKS, KEY_TASK_MILESTONES, PROPOSALS,
        STAFFING, RATER_ASSIGNMENTS, RATINGS, VOTES, SURVEY_RESPONSES, ADJUSTMENTS, NOT_APPLICABLE,
        VERIFICATION_AUDITS,
        SUBMISSIONS,
        RECTIFICATION_ITEMS, RECTIFICATION_NOTES,
    )
}

DISTRICT_TABLES = tuple(t for t in TABLES.values() if t.scope == "district")
YEAR_TABLES = tuple(t for t in TABLES.values() if t.scope == "year")

#: File suffixes accepted for a table, in the order they are looked for.
SUFFIXES = (".parquet", ".csv.gz", ".csv", ".xlsx", ".xlsm", ".xls")


#: pandas dtype of an empty column of each contract dtype (a table with no rows keeps its
#: columns and their types).
EMPTY_DTYPES = {"id": object, "text": object, "category": object, "int": "Int64",
                 "float": "float64", "money": "float64", "bool": "boolean",
                 "date": "datetime64[ns]", "datetime": "datetime64[ns]"}
