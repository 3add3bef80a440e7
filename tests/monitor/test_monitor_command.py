"""`evalkit monitor` end to end on the sample district (issue 14, item 2): the in-year problems
the generator plants (evalkit.sample.in_year) raise warnings on their indicators, a unit with
a stable series does not, warnings.csv has the columns of the issue and the report is written."""

import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.monitor_batch import CSV_COLUMNS
from evalkit.sample.defects import PLANTED_DEFECTS
from evalkit.sample.in_year import PLANTED_IN_YEAR

ISSUE_COLUMNS = ["unit_id", "indicator", "rule", "since", "value", "limit", "evidence"]


@pytest.fixture(scope="module")
def monitored(tmp_path_factory):
    out = tmp_path_factory.mktemp("monitor")
    assert main(["monitor", "--period", "2024-10", "--out", str(out), "--quiet"]) == 0
    folder = out / "2024-10" / "monitor"
    return folder, pd.read_csv(folder / "warnings.csv", dtype={"since": str, "period": str})


def test_warnings_csv_has_the_columns_of_the_issue(monitored):
    _, w = monitored
    assert list(w.columns[:7]) == ISSUE_COLUMNS
    assert list(w.columns) == list(CSV_COLUMNS)
    assert (w["period"] >= "2024-01").all() and (w["period"] <= "2024-10").all()


def test_planted_in_year_problems_raise_warnings(monitored):
    _, w = monitored
    for p in PLANTED_IN_YEAR:
        hits = w[(w["unit_id"] == p.unit_id) & (w["indicator"] == p.indicator)]
        assert not hits.empty, f"no warning for {p.unit_id} {p.indicator}"
        assert hits["active"].astype(bool).any()
    on_time = w[(w["unit_id"] == "S06") & (w["indicator"] == "hotline_on_time_rate")]
    assert set(on_time["rule"]) == {"beyond_limit"} and on_time["since"].min() == "2024-07"
    budget = w[(w["unit_id"] == "D16") & (w["indicator"] == "budget_execution_path")]
    assert list(budget["rule"]) == ["trajectory"] and budget["since"].iloc[0] <= "2024-06"
    assert (budget["value"] < budget["limit"]).all()


def test_stable_units_get_no_warning_on_those_indicators(monitored):
    _, w = monitored
    # 银杏街道 (S08) and 青枫路街道 (S01): similar ticket volumes, no planted problem
    for unit in ("S08", "S01"):
        assert w[(w["unit_id"] == unit) & (w["indicator"] == "hotline_on_time_rate")].empty
        assert w[(w["unit_id"] == unit) & (w["indicator"] == "budget_execution_path")].empty


def test_planted_units_are_not_those_of_the_data_quality_defects():
    assert not {p.unit_id for p in PLANTED_IN_YEAR} & {d.unit_id for d in PLANTED_DEFECTS}


def test_the_report_names_units_indicators_and_rules_in_words(monitored):
    folder, _ = monitored
    assert (folder / "warnings.pdf").stat().st_size > 10_000
    html = (folder / "warnings.html").read_text(encoding="utf-8")
    for text in ("星河街道", "12345按时办结率", "超出控制限", "区建设管理委", "落后序时进度", "data:image/svg+xml"):
        assert text in html
    for code in ("hotline_on_time_rate", "budget_execution_path", "beyond_limit"):
        assert code not in html


@pytest.mark.parametrize("args, expected", [
    (["--period", "2024-13"], "period"),
    (["--period", "2031-10"], "no 2031"),
    (["--period", "2024-YTD"], "give the last month"),
    (["--period", "2024-10", "--as-of", "3"], "--as-of needs --db"),
])
def test_bad_input_is_one_clear_line(tmp_path, capsys, args, expected):
    assert main(["monitor", *args, "--out", str(tmp_path), "--quiet", "--no-reports"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and err.count("\n") == 1
