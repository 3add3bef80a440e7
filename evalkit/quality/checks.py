"""Data-quality checks as data: what is checked, on which table, by which rule, with which
threshold and severity.

A :class:`Check` names one of the rule kernels of :mod:`evalkit.quality.rules` (its
``rule``), the table it looks at and the rule's parameters. Every rule gives, per unit, a
numerator (items that pass) over a denominator (items looked at); the check's ``value`` is
``100 × numerator / denominator`` and the check **passes when value ≥ threshold**. A check
that does not pass has the status of its ``severity`` (``warn`` or ``error``); a unit with
nothing to look at (denominator 0, or the table absent) is ``not_applicable``.

The dimensions follow Kahn et al. (2016) and the issue's wording: ``completeness`` (fields
filled, periods present), ``timeliness`` (submitted by the deadline, in working days),
``validity`` (beyond the contract's hard checks, which are errors at ``evalkit validate``:
quality checks only look at what passes validation), ``consistency`` (across tables) and
``plausibility`` (against the unit's own months).

:data:`DEFAULT_CHECKS` are built in. An office adds its own checks, changes a default's
threshold or severity, or switches one off in an optional ``quality_checks.yaml`` at the top
of the data directory (:func:`load_checks`), keyed by check id::

    hotline_category_filled:           # a default: only the keys given change
      threshold: 90
    grid_monthly_volume:
      enabled: false                   # switched off
    proposal_satisfaction_filled:      # an office's own check: every key
      dimension: completeness
      table: proposals
      rule: fields_filled
      params: {columns: [satisfaction]}
      threshold: 80
      severity: warn
      description_zh: 建议提案满意度填写完整
      description_en: Deputies' satisfaction recorded

``docs/quality-checks.md`` is generated from this module (``python -m
evalkit.quality.checks_doc``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

from ..data.contract import TABLES
from ..data.strict_yaml import did_you_mean, read_yaml, where
from ..errors import EvalkitError
from .rules import RULES

__all__ = ["DIMENSIONS", "SEVERITIES", "QUALITY_CHECKS_FILE", "Check", "DEFAULT_CHECKS", "QualityCheckError",
           "checks_from_dict", "load_checks", "required_columns"]

#: The dimensions of data quality, in report order, with their Chinese and English names.
DIMENSIONS: dict[str, dict[str, str]] = {
    "completeness": {"zh": "完整性", "en": "Completeness"},
    "timeliness": {"zh": "及时性", "en": "Timeliness"},
    "validity": {"zh": "有效性", "en": "Validity"},
    "consistency": {"zh": "一致性", "en": "Consistency"},
    "plausibility": {"zh": "合理性", "en": "Plausibility"},
}
#: Severities of a failed check, with their Chinese names.
SEVERITIES: dict[str, str] = {"warn": "警示", "error": "错误"}
#: The office's own checks, at the top of the data directory.
QUALITY_CHECKS_FILE = "quality_checks.yaml"

#: The submission log is read from the data's ``submissions`` table or passed in.
_PSEUDO_TABLES = ("submissions",)


class QualityCheckError(EvalkitError):
    """A quality check, or the checks file, is malformed."""


def _plain(value: Any) -> Any:
    """Lists as tuples, so that a check's parameters are immutable values."""
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


@dataclass(frozen=True)
class Check:
    """One data-quality check (see the module docstring).

    check_id
        Stable id, e.g. ``budget_months_present``.
    dimension
        One of :data:`DIMENSIONS`.
    table
        The table the check looks at (a year table of the data contract, or
        ``submissions``).
    rule
        Name of the rule kernel (:data:`evalkit.quality.rules.RULES`).
    params
        The rule's parameters; those left out keep the rule's defaults.
    threshold
        The smallest passing value, in per cent (0–100).
    severity
        ``"warn"`` or ``"error"``: the status of a failed check (and its weight in the
        score, :mod:`evalkit.quality.score`).
    description_zh, description_en
        What the check asks, in Chinese and in English.
    """

    check_id: str
    dimension: str
    table: str
    rule: str
    params: Mapping[str, Any] = field(default_factory=dict)
    threshold: float = 100.0
    severity: str = "warn"
    description_zh: str = ""
    description_en: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", {k: _plain(v) for k, v in dict(self.params or {}).items()})
        problem = self.problem()
        if problem is not None:
            raise QualityCheckError(f"quality check {self.check_id!r}: {problem}")

    def problem(self) -> str | None:
        """What is wrong with the check, in the words of an error message (None: nothing)."""
        if not isinstance(self.check_id, str) or not self.check_id.strip():
            return f"check_id: expected a non-empty id; found {self.check_id!r}"
        if self.dimension not in DIMENSIONS:
            return (f"dimension: expected one of {', '.join(DIMENSIONS)}; found {self.dimension!r}"
                    f"{did_you_mean(self.dimension, DIMENSIONS)}")
        if self.rule not in RULES:
            return f"rule: expected one of {', '.join(RULES)}; found {self.rule!r}{did_you_mean(self.rule, RULES)}"
        rule = RULES[self.rule]
        allowed = rule.tables or tuple(t.name for t in TABLES.values() if t.scope == "year"
                                       and "unit_id" in t.column_names)
        if self.table not in allowed:
            return (f"table: expected one of {', '.join(allowed)} for the rule {self.rule}; found "
                    f"{self.table!r}{did_you_mean(self.table, allowed)}")
        for key in self.params:
            if key not in rule.defaults:
                return (f"params.{key}: expected one of the parameters of {self.rule} "
                        f"({', '.join(rule.defaults) or 'none'}); found {key!r}{did_you_mean(key, rule.defaults)}")
        params = self.rule_params
        try:
            reads = rule.reads(self.table, params)
        except (TypeError, KeyError) as exc:
            return f"params: expected the parameters of {self.rule}; found {dict(self.params)!r} ({exc})"
        if self.rule == "fields_filled" and not params["columns"]:
            return "params.columns: expected at least one column"
        for table, columns in reads.items():
            if table in _PSEUDO_TABLES and table not in TABLES:
                continue
            for c in columns:
                if not isinstance(c, str) or c not in TABLES[table].column_names:
                    return (f"params: expected columns of the {table} table; found {c!r}"
                            f"{did_you_mean(c, TABLES[table].column_names)}")
        number = isinstance(self.threshold, int | float) and not isinstance(self.threshold, bool)
        if not number or not 0 <= self.threshold <= 100:
            return f"threshold: expected a per cent from 0 to 100; found {self.threshold!r}"
        if self.severity not in SEVERITIES:
            return f"severity: expected warn or error; found {self.severity!r}"
        for name in ("description_zh", "description_en"):
            if not isinstance(getattr(self, name), str):
                return f"{name}: expected text; found {getattr(self, name)!r}"
        return None

    @property
    def rule_params(self) -> dict[str, Any]:
        """The rule's parameters: its defaults, overridden by ``params``."""
        return {**RULES[self.rule].defaults, **self.params}

    def words(self) -> str:
        """The rule in words (English), with its parameters."""
        return RULES[self.rule].words(self.table, self.rule_params)

    def reads(self) -> dict[str, tuple[str, ...]]:
        """Table → the columns the check reads."""
        return RULES[self.rule].reads(self.table, self.rule_params)

    def replace(self, **changes: Any) -> Check:
        return _replace(self, **changes)


def _c(check_id, dimension, table, rule, zh, en, threshold=100.0, severity="warn", **params) -> Check:
    return Check(check_id, dimension, table, rule, params, threshold, severity, zh, en)


#: The built-in checks (documented on ``docs/quality-checks.md``).
DEFAULT_CHECKS: tuple[Check, ...] = (
    # 完整性 — completeness
    _c("budget_months_present", "completeness", "budget_lines", "periods_present",
       "预算执行月报每个科目12个月齐全", "Every month of every budget line reported", 100.0, "error"),
    _c("service_item_code_filled", "completeness", "service_cases", "fields_filled",
       "政务服务办件事项编码填写完整", "Service cases carry their item code", 80.0, "warn", columns=("item_code",)),
    _c("hotline_category_filled", "completeness", "hotline_tickets", "fields_filled",
       "12345工单诉求类型填写完整", "12345 tickets carry their request type", 80.0, "warn", columns=("category",)),
    _c("grid_category_filled", "completeness", "grid_cases", "fields_filled",
       "网格案件类别填写完整", "Grid cases carry their category", 80.0, "warn", columns=("category",)),
    # 及时性 — timeliness
    _c("reports_submitted_on_time", "timeliness", "submissions", "submitted_on_time",
       "按期报送数据(工作日计)", "Reports submitted by their deadline (working days)", 90.0, "error"),
    # 有效性 — validity beyond the contract
    _c("hotline_dispatch_time_recorded", "validity", "hotline_tickets", "time_of_day_recorded",
       "12345派单时间精确到时分(非仅日期)", "12345 dispatch times carry a time of day, not a date alone",
       99.0, "error", column="dispatched_at"),
    _c("hotline_signed_time_recorded", "validity", "hotline_tickets", "time_of_day_recorded",
       "12345签收时间精确到时分(非仅日期)", "12345 signed-for times carry a time of day, not a date alone",
       99.0, "warn", column="signed_at"),
    _c("service_instant_same_day", "validity", "service_cases", "instant_same_day",
       "即办件当日办结", "即办件 (instant cases) completed on the day received", 95.0, "warn"),
    _c("legal_review_pending_overdue", "validity", "legal_cases", "legal_pending_overdue",
       "行政复议案件无超期未审结(疑似漏填审结)", "No administrative review left pending beyond 90 days "
       "(a conclusion probably not entered)", 100.0, "warn", kinds=("review",), days=90),
    # 一致性 — consistency across tables
    _c("audit_findings_rectified", "consistency", "audit_findings", "findings_rectified",
       "审计发现问题均有同单位整改台账", "Every audit finding has a rectification item of the same unit",
       100.0, "warn"),
    _c("ratings_from_eligible_raters", "consistency", "ratings", "ratings_eligible",
       "评价打分均来自评估人员库中有资格的评估人员", "Ratings come from eligible raters of the registry "
       "(not their own unit, within their term, assigned)", 100.0, "warn"),
    # 合理性 — plausibility against the unit's own months
    _c("service_monthly_volume", "plausibility", "service_cases", "monthly_volume_limits",
       "政务服务月度办件量在控制限内", "Monthly service-case volume within the unit's control limits",
       100.0, "warn", column="received_date"),
    _c("hotline_monthly_volume", "plausibility", "hotline_tickets", "monthly_volume_limits",
       "12345月度工单量在控制限内", "Monthly 12345 ticket volume within the unit's control limits",
       100.0, "warn", column="dispatched_at"),
    _c("grid_monthly_volume", "plausibility", "grid_cases", "monthly_volume_limits",
       "网格案件月度立案量在控制限内", "Monthly grid-case volume within the unit's control limits",
       100.0, "warn", column="opened_date"),
    _c("budget_month_not_copied", "plausibility", "budget_lines", "budget_duplicated_months",
       "预算执行月报无重复月份(照抄上月)", "No budget month copied from the month before", 100.0, "warn"),
)

_KEYS = tuple(f.name for f in fields(Check) if f.name != "check_id")


def checks_from_dict(doc: Any, source: str = "<quality checks>",
                     base: Iterable[Check] = DEFAULT_CHECKS) -> tuple[Check, ...]:
    """``base`` merged with a parsed checks file (see the module docstring): a key naming a
    check of ``base`` changes the keys given (``enabled: false`` drops it); any other key is
    a new check and gives every field. Raises :class:`QualityCheckError` naming ``source``,
    the line and the key."""
    checks = {c.check_id: c for c in base}
    if doc is None:
        return tuple(checks.values())
    if not isinstance(doc, dict):
        raise QualityCheckError(f"{source}: expected a mapping of check id → settings; found "
                                f"{type(doc).__name__}")
    for check_id, settings in doc.items():
        at = where(source, doc, check_id)
        if not isinstance(check_id, str):
            raise QualityCheckError(f"{at}: expected a check id (text); found {check_id!r}")
        if not isinstance(settings, dict):
            raise QualityCheckError(f"{at}: {check_id}: expected a mapping of settings ({', '.join(_KEYS)}, "
                                    f"enabled); found {settings!r}")
        for key in settings:
            if key not in _KEYS and key != "enabled":
                raise QualityCheckError(f"{where(source, settings, key)}: {check_id}.{key}: expected one of "
                                        f"{', '.join(_KEYS)}, enabled; found {key!r}{did_you_mean(key, _KEYS)}")
        enabled = settings.get("enabled", True)
        if not isinstance(enabled, bool):
            raise QualityCheckError(f"{where(source, settings, 'enabled')}: {check_id}.enabled: expected true "
                                    f"or false; found {enabled!r}")
        if not enabled:
            if check_id not in checks:
                raise QualityCheckError(f"{at}: {check_id}: expected a check to switch off, one of "
                                        f"{', '.join(checks)}; found {check_id!r}{did_you_mean(check_id, checks)}")
            del checks[check_id]
            continue
        changes = {k: v for k, v in settings.items() if k != "enabled"}
        if "params" in changes and not isinstance(changes["params"], dict):
            raise QualityCheckError(f"{where(source, settings, 'params')}: {check_id}.params: expected a "
                                    f"mapping of parameter → value; found {changes['params']!r}")
        if check_id in checks:
            if "params" in changes:
                changes["params"] = {**checks[check_id].params, **changes["params"]}
            candidate = {**{k: getattr(checks[check_id], k) for k in _KEYS}, **changes}
        else:
            missing = [k for k in ("dimension", "table", "rule", "threshold", "severity",
                                   "description_zh", "description_en") if k not in changes]
            if missing:
                raise QualityCheckError(f"{at}: {check_id}: a new check (not one of the defaults) needs "
                                        f"{', '.join(missing)}; found {', '.join(changes) or 'no settings'}")
            candidate = {"params": {}, **changes}
        try:
            checks[check_id] = Check(check_id, **candidate)
        except QualityCheckError as exc:
            detail = str(exc).split(": ", 1)[1]
            key = detail.split(":", 1)[0].split(".", 1)[0]
            raise QualityCheckError(f"{where(source, settings, key)}: {check_id}.{detail}") from None
    return tuple(checks.values())


def load_checks(data_dir: str | Path | None = None, base: Iterable[Check] = DEFAULT_CHECKS) -> tuple[Check, ...]:
    """The checks of a data directory: ``base`` (the built-in :data:`DEFAULT_CHECKS`) merged
    with the office's ``quality_checks.yaml`` when the directory has one (read strictly:
    :func:`evalkit.data.strict_yaml.read_yaml`)."""
    if data_dir is None:
        return tuple(base)
    path = Path(data_dir) / QUALITY_CHECKS_FILE
    if not path.is_file():
        return tuple(base)
    doc = read_yaml(path, QualityCheckError)
    return checks_from_dict(doc, str(path), base)


def required_columns(checks: Iterable[Check] = DEFAULT_CHECKS) -> dict[str, tuple[str, ...]]:
    """Table → the columns ``checks`` read (tables of the data contract only; the submission
    log may also come from the efficiency database)."""
    out: dict[str, list[str]] = {}
    for check in checks:
        for table, columns in check.reads().items():
            if table not in TABLES:
                continue
            have = out.setdefault(table, [])
            have += [c for c in columns if c not in have]
    return {t: tuple(c) for t, c in out.items()}
