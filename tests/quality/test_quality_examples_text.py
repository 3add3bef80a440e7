"""Examples of failed checks are said in the report's language, with category codes as readers
know them (no code in leader-facing output); the forms parsed are those metrics.csv writes."""

import pytest

from evalkit.quality.metrics import _reference, parse_example
from evalkit.report.quality import example_text


@pytest.mark.parametrize("text, zh, en", [
    ("2024/ratings.csv.gz row 7362", "2024/ratings.csv.gz 第 7362 行", "2024/ratings.csv.gz row 7362"),
    ("2024/cases.parquet record 3", "2024/cases.parquet 第 3 条记录", "2024/cases.parquet record 3"),
    ("month 11 (three_public)", "11 月（三公经费）缺报", "month 11 (three public) missing"),
    ("month 1 (basic, project)", "1 月（基本支出、项目支出）缺报", "month 1 (basic, project) missing"),
    ("2024-08: 0 records (control limits 88–179)", "2024-08：0 条（控制限 88–179）",
     "2024-08: 0 records (control limits 88–179)"),
    ("2024-05: 40 records (the same count as the neighbouring months)", "2024-05：40 条（与相邻月份相同）",
     "2024-05: 40 records (the same count as the neighbouring months)"),
])
def test_example_forms_are_localised(text, zh, en):
    assert example_text(text, "budget_lines", "zh") == zh
    assert example_text(text, "budget_lines", "en") == en


def test_references_written_by_metrics_parse_back():
    assert parse_example(_reference("2024/a.csv", "a", 0)) == ("row", {"file": "2024/a.csv", "n": "2"})
    assert parse_example(_reference("2024/a.parquet", "a", 4)) == ("record", {"file": "2024/a.parquet", "n": "5"})
    assert parse_example("something else") is None
    assert example_text("something else", "budget_lines", "zh") == "something else"
