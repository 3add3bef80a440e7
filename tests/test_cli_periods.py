"""`--period` on evalkit run, score and indicators, on the shipped sample (issue 14, item 1)."""

import json

import pandas as pd
import pytest

from evalkit.cli import main


@pytest.mark.parametrize("command", [["score"], ["indicators", "--out", "x.csv"], ["run", "--units", "D01"]])
@pytest.mark.parametrize("period", ["2024Q5", "2024-13", "Q3"])
def test_bad_period_is_one_clear_line(tmp_path, capsys, command, period):
    args = command + ["--period", period] + ([] if "--out" in command else ["--out", str(tmp_path)])
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("evalkit: error: period") and "Traceback" not in err
    assert "2024Q3" in err or "1–4" in err or "months" in err


def test_period_and_year_must_agree(tmp_path, capsys):
    assert main(["score", "--period", "2024Q3", "--year", "2023", "--out", str(tmp_path)]) == 2
    assert "--year says 2023" in capsys.readouterr().err


def test_score_for_a_quarter_writes_its_own_folder(tmp_path, capsys):
    assert main(["score", "--period", "2024Q3", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "2024Q3" / "scores.csv").is_file() and not (tmp_path / "2024").exists()
    meta = json.loads((tmp_path / "2024Q3" / "results" / "meta.json").read_text(encoding="utf-8"))
    assert meta["year"] == 2024 and meta["period"] == "2024Q3" and meta["period_cutoff"] == "2024-09-30T23:59:59"
    nodes = pd.read_parquet(tmp_path / "2024Q3" / "results" / "nodes.parquet")
    rating = nodes[nodes["indicator"] == "rating_score"]
    assert (rating["status"] == "not_applicable").all() and rating["score"].isna().all()
    assert set(rating["na_reason"]) == {"年度指标，本期不评价（尚无数据）"}


def test_year_to_date_says_which_month(tmp_path, capsys):
    assert main(["indicators", "--period", "2024-YTD", "--out", str(tmp_path / "ytd.csv")]) == 0
    out = capsys.readouterr().out
    assert "2024-YTD: January–December 2024 (2024-YTD-12: the latest month with data is 2024-12)" in out
    table = pd.read_csv(tmp_path / "ytd.csv")
    assert set(table["evaluation_period"]) == {"2024-YTD-12"}
    assert set(table.loc[table["indicator"] == "vote_score", "status"]) == {"annual_only"}


def test_run_a_month_for_one_unit(tmp_path, capsys):
    code = main(["run", "--period", "2024-09", "--units", "D01", "--out", str(tmp_path), "--quiet", "--jobs", "1",
                 "--no-overview"])
    assert code == 0, capsys.readouterr().err
    folder = tmp_path / "2024-09"
    assert (folder / "D01.pdf").is_file() and not (tmp_path / "2024").exists()
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["period"] == "2024-09"
    html = (folder / "D01.html").read_text(encoding="utf-8")
    assert "2024 年 9 月" in html and "本期不评价" in html
