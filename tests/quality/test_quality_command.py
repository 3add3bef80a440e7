"""``evalkit quality`` end to end (issue 13, item 4): the metrics table with the columns the
issue names, the scores, the district's and a unit's data-quality report in HTML and PDF (zh
and en), exit 0 although checks fail; and the unit efficiency report's data-quality section."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.resources import sample_data_dir

METRIC_COLUMNS = ["unit_id", "table", "dimension", "check", "numerator", "denominator", "value", "threshold",
                  "status"]


@pytest.fixture(scope="module")
def quality_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("quality")
    code = main(["quality", "--units", "D34", "--out", str(out), "--quiet", "--jobs", "2"])
    assert code == 0  # failed checks are findings, not errors
    return out / "2024" / "quality"


def test_metrics_table_has_the_named_columns_and_every_unit(quality_out):
    metrics = pd.read_csv(quality_out / "metrics.csv", dtype={"unit_id": str})
    assert list(metrics.columns[:2]) == ["unit_id", "year"]
    assert set(METRIC_COLUMNS) <= set(metrics.columns)
    units = pd.read_csv(sample_data_dir() / "units.csv", dtype=str)
    assert set(metrics["unit_id"]) == set(units["unit_id"])
    assert set(metrics["status"]) <= {"ok", "warn", "error", "not_applicable"}
    assert set(metrics["dimension"]) <= {"completeness", "timeliness", "validity", "consistency", "plausibility"}
    # value is the per cent passing; status follows the threshold
    applicable = metrics[metrics["status"] != "not_applicable"]
    passed = applicable["value"] >= applicable["threshold"] - 1e-9
    assert ((applicable["status"] == "ok") == passed).all()
    xlsx = pd.read_excel(quality_out / "metrics.xlsx", dtype={"unit_id": str})
    assert len(xlsx) == len(metrics)
    scores = pd.read_csv(quality_out / "scores.csv", dtype={"unit_id": str})
    assert len(scores) == len(units) and scores["score"].between(0, 100).all()


def test_reports_are_written_as_html_and_pdf(quality_out):
    for stem in ("overview", "D34"):
        assert (quality_out / f"{stem}.html").stat().st_size > 0
        assert (quality_out / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    html = (quality_out / "D34.html").read_text(encoding="utf-8")
    assert "数据质量" in html and "未通过的检查" in html
    metrics = pd.read_csv(quality_out / "metrics.csv", dtype={"unit_id": str})
    failed = metrics[(metrics["unit_id"] == "D34") & metrics["status"].isin(["warn", "error"])]
    for description in failed["description_zh"]:
        assert description in html
    overview = (quality_out / "overview.html").read_text(encoding="utf-8")
    assert "各单位数据质量得分" in overview and "抽查核验结果" in overview


def test_english_reports_and_a_usage_mistake(tmp_path, capsys):
    code = main(["quality", "--units", "D05", "--out", str(tmp_path), "--quiet", "--jobs", "1", "--language", "en"])
    assert code == 0
    html = (tmp_path / "2024" / "quality" / "D05.html").read_text(encoding="utf-8")
    assert "Data quality at a glance" in html and "Failed checks" in html
    capsys.readouterr()
    assert main(["quality", "--units", "X99", "--out", str(tmp_path), "--quiet"]) == 2
    assert "X99" in capsys.readouterr().err
    assert main(["quality", "--data", str(tmp_path / "none"), "--out", str(tmp_path)]) == 2


def test_the_unit_report_has_a_data_quality_section(sample_2024):
    from evalkit.report.present import unit_sections

    results = sample_2024()
    quality = results.tables["quality"].set_index("unit_id")
    assert quality.loc["D34", "failed"] >= 1 and quality.loc["D01", "failed"] == 0
    sections = {s.get("id"): s for s in unit_sections(results, "D34", "zh", charts=False)}
    text = str(sections["quality"])
    assert f"{quality.loc['D34', 'score']:.1f}" in text
    assert quality.loc["D34", "failed_checks_zh"].split("\n")[0] in text
    clean = {s.get("id"): s for s in unit_sections(results, "D01", "en", charts=False)}
    assert "passed every data-quality check" in str(clean["quality"])


def test_from_the_efficiency_database_the_metrics_are_the_same(tmp_path, quality_out):
    db = tmp_path / "ek.duckdb"
    assert main(["db", "init", "--db", str(db)]) == 0
    assert main(["db", "import", str(sample_data_dir()), "--db", str(db), "--by", "office"]) == 0
    assert main(["quality", "--db", str(db), "--out", str(tmp_path / "out"), "--no-reports", "--quiet"]) == 0
    ours = pd.read_csv(tmp_path / "out" / "2024" / "quality" / "metrics.csv", dtype={"unit_id": str})
    files = pd.read_csv(quality_out / "metrics.csv", dtype={"unit_id": str})
    # the example row references name the submitted files, whichever way the data came in
    pd.testing.assert_frame_equal(ours, files)
