"""quality_metrics: one row per unit and check with the issue's columns, statuses, row
references into the files, the year to date, and the same figures from unread Parquet
tables as from loaded ones."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.data.dataset import load_dataset, read_dataset
from evalkit.errors import EvalkitError
from evalkit.quality import DEFAULT_CHECKS, METRIC_COLUMNS, quality_metrics
from evalkit.quality.metrics import metric_status
from evalkit.sample import SampleSpec, generate_sample
from quality_kit import YEAR, make_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district"


def _budget(unit, months):
    return [{"unit_id": unit, "month": m, "line": "basic", "budget_yuan": 1200.0, "adjustment_yuan": 0.0,
             "spending_yuan": 100.0 + m} for m in months]


def test_columns_statuses_and_not_applicable():
    ds = make_dataset(units=("D01", "D02", "D03"),
                      tables={(YEAR, "budget_lines"): _budget("D01", range(1, 13)) + _budget("D02", range(1, 11))})
    out = quality_metrics(ds, YEAR)
    assert list(out.columns) == METRIC_COLUMNS
    assert len(out) == 3 * len(DEFAULT_CHECKS)
    assert list(out["unit_id"].unique()) == ["D01", "D02", "D03"]
    assert set(out["status"]) <= {"ok", "warn", "error", "not_applicable"}
    months = out[out["check"] == "budget_months_present"].set_index("unit_id")
    assert months.loc["D01", "status"] == "ok" and months.loc["D01", "value"] == 100
    assert months.loc["D02", "status"] == "error" and months.loc["D02", "value"] == pytest.approx(1000 / 12)
    assert months.loc["D02", "examples"] == "month 11 (basic); month 12 (basic)"
    assert months.loc["D03", "status"] == "error" and months.loc["D03", "numerator"] == 0
    assert (months["period"] == "2024").all() and (months["dimension"] == "completeness").all()
    # tables the data do not have: not applicable, no value
    hotline = out[out["table"] == "hotline_tickets"]
    assert (hotline["status"] == "not_applicable").all() and hotline["value"].isna().all()
    assert (out[out["check"] == "reports_submitted_on_time"]["status"] == "not_applicable").all()


def test_the_year_to_date():
    ds = make_dataset(tables={(YEAR, "budget_lines"): _budget("D01", range(1, 11))})
    june = quality_metrics(ds, YEAR, period="2024-06")
    row = june[(june["check"] == "budget_months_present") & (june["unit_id"] == "D01")].iloc[0]
    assert (row["status"], row["period"], row["numerator"], row["denominator"]) == ("ok", "2024-06", 6, 6)
    assert quality_metrics(ds, YEAR, period=6).equals(june)
    for bad in ("2023-06", "2024-13", "June"):
        with pytest.raises(EvalkitError, match="period"):
            quality_metrics(ds, YEAR, period=bad)


def test_submissions_passed_in():
    log = pd.DataFrame({"unit_id": ["D01", "D01"], "table": ["budget_lines"] * 2, "period": ["2024-01", "2024-02"],
                        "deadline": pd.to_datetime(["2024-02-06", "2024-03-07"]),
                        "submitted_date": pd.to_datetime(["2024-02-06", "2024-03-12"])})
    out = quality_metrics(make_dataset(), YEAR, submissions=log)
    row = out[(out["check"] == "reports_submitted_on_time") & (out["unit_id"] == "D01")].iloc[0]
    assert (row["numerator"], row["denominator"], row["status"]) == (1, 2, "error")
    assert row["examples"] == "submissions record 2"


def test_metric_status():
    out = metric_status([100, 89.9, 90, np.nan], [10, 10, 10, 0], 90, "warn")
    assert list(out) == ["ok", "warn", "ok", "not_applicable"]


@pytest.fixture(scope="module")
def committed():
    return load_dataset(SAMPLE, years=[YEAR])


def test_examples_point_at_the_failing_rows_of_the_files(committed):
    out = quality_metrics(committed, YEAR)
    flagged = out[out["examples"].str.contains(" row ")]
    assert len(flagged)
    for refs in flagged["examples"]:
        for ref in refs.split("; "):
            file, number = ref.rsplit(" row ", 1)
            frame = pd.read_csv(SAMPLE / file, dtype=str)
            record = frame.iloc[int(number) - 2]  # the header is row 1
            unit = flagged[flagged["examples"] == refs]["unit_id"].iloc[0]
            assert record["unit_id"] == unit


def test_unread_parquet_tables_give_the_same_metrics(tmp_path):
    generate_sample(tmp_path, SampleSpec(years=(YEAR,), cases=4000, tickets=1500, fmt="parquet"))
    fast = read_dataset(tmp_path)
    assert fast.deferred("service_cases", YEAR) is not None
    a = quality_metrics(fast, YEAR)
    assert fast.deferred("service_cases", YEAR) is not None  # counted batch by batch, never read whole
    b = quality_metrics(load_dataset(tmp_path), YEAR)
    pd.testing.assert_frame_equal(a, b)
    assert a["examples"].str.contains("record").any() or (a["status"] == "ok").any()


def test_an_office_check_from_its_file_runs(tmp_path):
    from evalkit.quality import load_checks

    (tmp_path / "quality_checks.yaml").write_text(
        "budget_months_present:\n  enabled: false\n"
        "budget_adjustment_filled:\n  dimension: completeness\n  table: budget_lines\n  rule: fields_filled\n"
        "  params: {columns: [adjustment_yuan, spending_yuan]}\n  threshold: 100\n  severity: error\n"
        "  description_zh: 预算调整和支出填写完整\n  description_en: Adjustments and spending filled\n",
        encoding="utf-8")
    rows = _budget("D01", range(1, 4)) + [{"unit_id": "D02", "month": 1, "line": "basic", "budget_yuan": 1200.0,
                                           "adjustment_yuan": 0.0, "spending_yuan": 10.0}]
    ds = make_dataset(tables={(YEAR, "budget_lines"): rows})
    out = quality_metrics(ds, YEAR, load_checks(tmp_path))
    assert "budget_months_present" not in set(out["check"])
    own = out[out["check"] == "budget_adjustment_filled"].set_index("unit_id")
    assert (own.loc["D01", "numerator"], own.loc["D01", "denominator"], own.loc["D01", "status"]) == (6, 6, "ok")
    assert own.loc["D02", "dimension"] == "completeness" and own.loc["D02", "description"] == "Adjustments and spending filled"
