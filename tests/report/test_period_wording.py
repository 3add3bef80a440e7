"""A period's reports say 本期 / this period, never 本年度, and name the period in the batch
summary and the report JSON (issue 14, item 1)."""

from __future__ import annotations

from types import SimpleNamespace
from pathlib import Path

import pytest

from evalkit.report.payload import report_record
from evalkit.report.present import period_msg
from evalkit.run import BatchSummary

PERIOD = SimpleNamespace(meta={"period": "2024Q3", "period_name_zh": "2024 年第三季度", "period_name_en": "Q3 2024"})
YEAR = SimpleNamespace(meta={"year": 2024})


@pytest.mark.parametrize("key, fields", [
    ("suggest_report", {"name": "12345按时办结率", "points": "1.00"}),
    ("suggest_report_short", {"name": "12345按时办结率", "points": "1.00"}),
    ("filled_sub", {"policy": "按同组平均得分", "score": "3.00"}),
    ("not_reported_sub", {}),
    ("not_reported_note", {"policy": "按同组平均得分"}),
    ("area_mark_note", {}),
    ("kt_none", {}),
    ("kt_no_tasks", {}),
    ("unit_quality_text", {"year": 2024, "score": "90.0", "median": "92.0", "failed": 2}),
    ("unit_quality_none", {"year": 2024, "score": "100.0"}),
])
def test_period_texts_say_this_period(key, fields):
    zh = period_msg(PERIOD, "zh", key, **fields)
    en = period_msg(PERIOD, "en", key, **fields)
    assert "本年度" not in zh and "2024 年度" not in zh and "this year" not in en
    assert "本年度" in period_msg(YEAR, "zh", key, **fields) or "年度" in period_msg(YEAR, "zh", key, **fields)


def test_batch_summary_and_json_name_the_period(tmp_path: Path):
    assert "report(s) for 2024Q3 " in BatchSummary(year=2024, out_dir=tmp_path, period="2024Q3").describe()
    assert "report(s) for 2024 " in BatchSummary(year=2024, out_dir=tmp_path).describe()
    payload = {"document": {"type": "document"}, "sections": []}
    rec = report_record(payload, kind="overview", year=2024, language="zh", unit_id=None, data={},
                        meta={"period": "2024Q3"})
    assert rec["period"] == "2024Q3" and list(rec)[:5] == ["schema", "kind", "unit_id", "year", "period"]
    assert report_record(payload, kind="overview", year=2024, language="zh", unit_id=None, data={})["period"] is None
