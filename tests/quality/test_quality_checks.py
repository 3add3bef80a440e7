"""Checks are data: the defaults are valid, an office's file merges into them, and every
mistake in the file is named with its file, line and key."""

import pytest

from evalkit.quality import DEFAULT_CHECKS, QUALITY_CHECKS_FILE, Check, QualityCheckError, load_checks
from evalkit.quality.checks import DIMENSIONS, checks_from_dict

BY_ID = {c.check_id: c for c in DEFAULT_CHECKS}


def _write(tmp_path, text):
    (tmp_path / QUALITY_CHECKS_FILE).write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults_cover_every_dimension_with_unique_ids():
    assert len(BY_ID) == len(DEFAULT_CHECKS)
    assert {c.dimension for c in DEFAULT_CHECKS} == set(DIMENSIONS)
    for c in DEFAULT_CHECKS:
        assert c.description_zh and c.description_en and c.words()


def test_without_a_file_the_defaults(tmp_path):
    assert load_checks(tmp_path) == DEFAULT_CHECKS
    assert load_checks(None) == DEFAULT_CHECKS


def test_a_file_overrides_switches_off_and_adds(tmp_path):
    checks = load_checks(_write(tmp_path, """
hotline_category_filled:
  threshold: 90
  severity: error
grid_monthly_volume:
  enabled: false
service_monthly_volume:
  params: {k: 5}
proposal_satisfaction_filled:
  dimension: completeness
  table: proposals
  rule: fields_filled
  params: {columns: [satisfaction]}
  threshold: 80
  severity: warn
  description_zh: 建议提案满意度填写完整
  description_en: Deputies' satisfaction recorded
"""))
    by_id = {c.check_id: c for c in checks}
    assert "grid_monthly_volume" not in by_id
    assert by_id["hotline_category_filled"].threshold == 90 and by_id["hotline_category_filled"].severity == "error"
    assert by_id["hotline_category_filled"].params == BY_ID["hotline_category_filled"].params  # kept
    assert by_id["service_monthly_volume"].rule_params["k"] == 5
    assert by_id["service_monthly_volume"].rule_params["column"] == "received_date"   # default kept
    new = by_id["proposal_satisfaction_filled"]
    assert new.params == {"columns": ("satisfaction",)} and new.reads() == {"proposals": ("unit_id", "satisfaction")}
    assert [c.check_id for c in checks][-1] == "proposal_satisfaction_filled"  # defaults first, in order
    assert len(checks) == len(DEFAULT_CHECKS)


@pytest.mark.parametrize("text, message", [
    ("hotline_category_filled:\n  threshold: 120\n",
     r"quality_checks.yaml, line 2: hotline_category_filled.threshold: expected a per cent from 0 to 100; found 120"),
    ("hotline_category_filled:\n  severity: fatal\n",
     r"line 2: hotline_category_filled.severity: expected warn or error; found 'fatal'"),
    ("hotline_category_filled:\n  treshold: 90\n",
     r"line 2: hotline_category_filled.treshold: expected one of .*; found 'treshold' \(did you mean 'threshold'\?\)"),
    ("hotline_category_filled:\n  params: {columns: [categroy]}\n",
     r"line 2: hotline_category_filled.params: expected columns of the hotline_tickets table; found 'categroy' "
     r"\(did you mean 'category'\?\)"),
    ("hotline_category_filled:\n  params: {colums: [category]}\n",
     r"hotline_category_filled.params.colums: expected one of the parameters of fields_filled \(columns\)"),
    ("hotline_category_filled:\n  enabled: no-thanks\n",
     r"line 2: hotline_category_filled.enabled: expected true or false; found 'no-thanks'"),
    ("nonexistent_check:\n  enabled: false\n",
     r"line 1: nonexistent_check: expected a check to switch off"),
    ("my_check:\n  threshold: 90\n",
     r"line 1: my_check: a new check \(not one of the defaults\) needs dimension, table, rule, severity, "
     r"description_zh, description_en"),
    ("my_check:\n  dimension: completness\n  table: proposals\n  rule: fields_filled\n  params: {columns: [satisfaction]}\n"
     "  threshold: 80\n  severity: warn\n  description_zh: x\n  description_en: y\n",
     r"line 2: my_check.dimension: expected one of .*; found 'completness' \(did you mean 'completeness'\?\)"),
    ("my_check:\n  dimension: validity\n  table: proposals\n  rule: time_of_day_recorded\n  threshold: 80\n"
     "  severity: warn\n  description_zh: x\n  description_en: y\n",
     r"line 3: my_check.table: expected one of service_cases, hotline_tickets, grid_cases for the rule "
     r"time_of_day_recorded; found 'proposals'"),
    ("- a list\n", r"quality_checks.yaml: expected a mapping of check id → settings; found list"),
    ("hotline_category_filled: 90\n", r"line 1: hotline_category_filled: expected a mapping of settings"),
    ("a: 1\na: 2\n", r"expected each key once in a mapping"),
])
def test_mistakes_name_the_file_line_and_key(tmp_path, text, message):
    with pytest.raises(QualityCheckError, match=message):
        load_checks(_write(tmp_path, text))


def test_a_check_refuses_an_unknown_rule():
    with pytest.raises(QualityCheckError, match=r"quality check 'x': rule: expected one of .*; found 'filled'"):
        Check("x", "completeness", "proposals", "filled")
    with pytest.raises(QualityCheckError, match="params.columns: expected at least one column"):
        Check("x", "completeness", "proposals", "fields_filled")


def test_checks_from_dict_on_another_base():
    base = (BY_ID["budget_months_present"],)
    assert checks_from_dict({"budget_months_present": {"threshold": 50}}, "<test>", base)[0].threshold == 50
