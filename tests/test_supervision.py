"""``evalkit supervise --period 2024Q3`` on the sample: the quarterly supervision report
(效能督查通报) — its findings from the period kernels, the planted in-year problems reported,
rendered in zh and en with a page per unit and no code in what a leader reads."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.configuration import load_configuration
from evalkit.data.dataset import load_dataset
from evalkit.indicators import compute_indicators
from evalkit.periods import Period
from evalkit.resources import sample_data_dir
from evalkit.supervision import (commended, compute_supervision, issuer_names, overdue_tasks, previous_quarter,
                                 reported)

Q3 = Period.quarter(2024, 3)


@pytest.fixture(scope="module")
def sample():
    data = sample_data_dir()
    return load_dataset(data), load_configuration(data)


@pytest.fixture(scope="module")
def bundle(sample):
    ds, config = sample
    return compute_supervision(ds, config, Q3, data_dir=sample_data_dir())


def test_the_planted_in_year_problems_are_reported(bundle):
    f = bundle.findings
    s06 = f[(f["unit_id"] == "S06") & (f["kind"] == "warning")]
    assert ("hotline_on_time_rate", "beyond_limit", "2024-07") in set(zip(s06["indicator"], s06["rule"], s06["since"]))
    d16 = f[(f["unit_id"] == "D16") & (f["kind"] == "warning")]
    assert "budget_execution_path" in set(d16["indicator"])
    assert {"S06", "D16"} <= set(reported(f, bundle.units)["unit_id"])
    # a commended unit has no finding at all
    assert not set(commended(f, bundle.units)["unit_id"]) & set(f["unit_id"])


def test_district_rates_pool_the_units_records_through_the_period_kernel(sample, bundle):
    ds, config = sample
    frame = compute_indicators(ds, Q3, ["hotline_on_time_rate"], parameters=config.indicators)
    ok = frame[frame["status"] == "ok"]
    row = bundle.district[(bundle.district["indicator"] == "hotline_on_time_rate")
                          & (bundle.district["which"] == "current")].iloc[0]
    assert row["denominator"] == ok["denominator"].sum() and row["units"] == len(ok)
    assert row["value"] == pytest.approx(100 * ok["numerator"].sum() / ok["denominator"].sum())
    assert set(bundle.district["which"]) == {"current", "previous", "last_year"}
    assert set(bundle.district["period"]) == {"2024Q3", "2024Q2", "2023Q3"}


def test_quarter_scores_leave_annual_only_indicators_out(bundle):
    assert bundle.meta["not_assessed_zh"] and "效能评价得分" in bundle.meta["not_assessed_zh"]
    u = bundle.units.set_index("unit_id")
    assert u["score_100"].between(0, 100).all() and u["prev_q_score"].notna().all()


class _Tasks:
    """A data set of supervision tasks only (the methods overdue_tasks reads)."""

    years = (2023, 2024)

    def __init__(self, frames):
        self.frames = frames

    def has(self, name, year):
        return name == "supervision_tasks" and year in self.frames

    def table(self, name, year):
        return self.frames[year]


def test_overdue_tasks_at_the_cut_off():
    cols = ["task_id", "unit_id", "source", "assigned_date", "due_date", "completed_date"]
    t24 = pd.DataFrame([
        ("T1", "U1", "常务会议", "2024-08-01", "2024-09-10", "2024-10-08"),  # completed after the cut-off: open then
        ("T2", "U1", "领导批示", "2024-08-01", "2024-09-10", "2024-09-09"),  # on time
        ("T3", "U2", None, "2024-09-20", "2024-10-10", None),               # not yet due: not overdue
        ("T4", "U2", "交办事项", "2024-10-02", "2024-10-05", None),          # assigned after the cut-off
        ("T5", "U3", "交办事项", "2024-09-01", "2024-09-30", None),          # due on the last day: not yet overdue
    ], columns=cols)
    t23 = pd.DataFrame([("T0", "U3", "区委督查", "2023-12-01", "2024-01-15", "2024-10-20")], columns=cols)
    for t in (t23, t24):
        for c in ("assigned_date", "due_date", "completed_date"):
            t[c] = pd.to_datetime(t[c])
    out = overdue_tasks(_Tasks({2023: t23, 2024: t24}), Q3)
    assert list(zip(out["unit_id"], out["due_date"], out["days_overdue"])) == [
        ("U3", "2024-01-15", 259), ("U1", "2024-09-10", 20)]
    assert out.loc[out["unit_id"] == "U1", "source"].tolist() == ["常务会议"]
    assert "task_id" not in out.columns  # no identifiers in what the report shows


def test_periods_and_issuer():
    assert previous_quarter(Q3) == Period.quarter(2024, 2) and previous_quarter(Q3).key == "2024Q2"
    assert previous_quarter(Period.quarter(2024, 1)) is None
    assert issuer_names("示例区政府效能评估指标体系", "Sample District efficiency evaluation framework") == \
        ("示例区政府效能建设办公室", "Sample District Efficiency Office")
    assert issuer_names("考核办法", "Scheme")[0] == "考核办法评价办公室"


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S))


@pytest.mark.parametrize("language, words, problems", [
    ("zh", ["效能督查通报", "总体情况", "表扬", "通报问题", "整改要求", "示例区政府效能建设办公室"],
     ["星河街道", "12345按时办结率", "超出控制限", "区建设管理委", "落后序时进度"]),
    ("en", ["supervision bulletin", "Overall situation", "Commended", "Problems reported", "Required actions",
            "Sample District Efficiency Office"],
     ["Xinghe Subdistrict", "12345 tickets closed on time", "Beyond the process limit",
      "District Construction and Transport Commission", "Behind the schedule"]),
])
def test_supervise_renders_the_report_with_a_page_per_unit(tmp_path, capsys, language, words, problems):
    code = main(["supervise", "--period", "2024Q3", "--units", "S06,D16", "--out", str(tmp_path),
                 "--language", language, "--quiet"])
    out = capsys.readouterr()
    assert code == 0, out.err
    folder = tmp_path / "2024Q3" / "supervision"
    assert (folder / "report.pdf").read_bytes()[:5] == b"%PDF-"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert len(re.findall(r'class="ek-section ek-unit-', html)) == 2  # one page per unit asked for
    text = _text(html)
    for w in words:
        assert w in text, w
    reported_part = text[text.index("通报问题" if language == "zh" else "Problems reported"):]
    reported_part = reported_part[:reported_part.index("ek-unit-") if "ek-unit-" in reported_part else None]
    for p in problems:
        assert p in reported_part, p
    for code_word in ("import ", "supervision_sections", "Traceback", "In [", "present.show",
                      "hotline_on_time_rate", "budget_execution_path", "beyond_limit", "trajectory"):
        assert code_word not in text, code_word
    assert not re.search(r"\b(nan|None|NaT|<NA>)\b", text)
    assert not re.search(r"\b[DS]\d{2}\b", text)  # no unit id
    assert "2024Q3/supervision" in out.out


def test_a_whole_year_is_one_clear_error(tmp_path, capsys):
    code = main(["supervise", "--period", "2024", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "2024Q3" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "2024").exists()
