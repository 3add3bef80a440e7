"""End-to-end tests of the command-line interface on the shipped sample district."""

import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.cli import build_parser, main
from evalkit.resources import sample_data_dir, sample_framework_path


def test_help_lists_only_working_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    assert commands == {"run", "score", "validate", "indicators", "oa-posts", "sample", "verify", "portal", "db", "audit", "quality",
                        "export", "monitor", "rectify", "targets", "supervise"}
    for c in commands:
        assert c in out


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out


def test_validate_sample_is_clean(capsys):
    assert main(["validate", str(sample_data_dir())]) == 0
    assert "No errors" in capsys.readouterr().out


def test_run_renders_reports_for_chosen_units(tmp_path, capsys):
    code = main(["run", "--units", "D01,S01", "--out", str(tmp_path), "--quiet", "--jobs", "1"])
    assert code == 0, capsys.readouterr()
    year_dir = tmp_path / "2024"
    html = sorted(p.name for p in year_dir.glob("*.html"))
    assert html == ["D01.html", "S01.html", "overview.html"]
    assert sorted(p.name for p in year_dir.glob("*.pdf")) == ["D01.pdf", "S01.pdf", "overview.pdf"]
    assert sorted(p.name for p in year_dir.glob("*.json")) == ["D01.json", "S01.json", "manifest.json",
                                                                "overview.json"]
    page = (year_dir / "D01.html").read_text(encoding="utf-8")
    assert "区政府办公室" in page and "名" in page
    assert (year_dir / "results" / "units.parquet").is_file()
    assert (year_dir / "manifest.json").is_file()
    assert not list(year_dir.glob("*.tmp")) and not list(year_dir.glob("*.failed.ipynb"))
    assert "2 report(s) for 2024" in capsys.readouterr().out


def test_run_unknown_unit_is_one_clear_line(tmp_path, capsys):
    assert main(["run", "--units", "X99", "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "X99" in err[0] and err[0].startswith("evalkit: error:")
    assert not (tmp_path / "2024").exists() or not list((tmp_path / "2024").glob("*.html"))


def test_run_missing_year_and_framework(tmp_path, capsys):
    assert main(["run", "--year", "1999", "--out", str(tmp_path), "--quiet"]) == 2
    assert "1999" in capsys.readouterr().err
    assert main(["run", "--framework", str(tmp_path / "nope.yaml"), "--out", str(tmp_path), "--quiet"]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_run_on_invalid_data_exits_1_and_writes_nothing(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "units.csv").write_text("unit_id,name_zh,peer_group,unit_class\nD1,甲,部门,类\nD1,乙,部门,类\n",
                                    encoding="utf-8")
    (data / "2024").mkdir()
    out = tmp_path / "out"
    code = main(["run", "--data", str(data), "--framework", str(sample_framework_path()), "--out", str(out),
                 "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert "units.csv" in err and "row 3" in err
    assert not out.exists()


def test_sample_command_refuses_non_empty_dir(tmp_path, capsys):
    (tmp_path / "x.txt").write_text("keep", encoding="utf-8")
    assert main(["sample", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err


def test_sample_command_writes_a_valid_district(tmp_path, capsys):
    out = tmp_path / "district"
    assert main(["sample", str(out), "--years", "2024", "--seed", "7"]) == 0
    assert (out / "units.csv").is_file() and (out / "2024" / "service_cases.csv.gz").is_file()
    assert main(["validate", str(out)]) == 0


def test_sample_force_overwrites_only_the_files_it_writes(tmp_path, capsys):
    out = tmp_path / "district"
    (out / "2024").mkdir(parents=True)
    own = {out / "notes.md": b"my notes", out / "2024" / "memo.docx": b"PK memo",
           out / "2024" / "staffing.xlsx": b"PK my own staffing workbook"}
    for path, data in own.items():
        path.write_bytes(data)
    # the user's 2024/staffing.xlsx holds a table the sample writes (as staffing.csv): refused
    assert main(["sample", str(out), "--years", "2024", "--force"]) == 2
    err = capsys.readouterr().err
    assert "2024/staffing.xlsx (the sample writes 2024/staffing.csv)" in err and "move them away" in err
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == \
        ["2024/memo.docx", "2024/staffing.xlsx", "notes.md"]  # nothing written, nothing deleted
    (out / "2024" / "staffing.xlsx").rename(tmp_path / "staffing.xlsx")
    (out / "units.csv").write_text("stale", encoding="utf-8")  # a file the sample writes
    assert main(["sample", str(out), "--years", "2024", "--force"]) == 0
    for path, data in own.items():
        if path.name != "staffing.xlsx":
            assert path.read_bytes() == data  # the user's own files survive
    assert (out / "units.csv").read_text(encoding="utf-8") != "stale"
    assert main(["validate", str(out)]) == 0


def test_bad_years_argument(tmp_path, capsys):
    assert main(["sample", str(tmp_path / "x"), "--years", "2024-2020"]) == 2
    assert "--years" in capsys.readouterr().err


def test_console_script_module_runs_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "evalkit", "validate", str(tmp_path / "missing")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "not found" in proc.stderr


def test_score_writes_results_table_in_three_formats(tmp_path, capsys):
    import pandas as pd

    assert main(["score", "--out", str(tmp_path)]) == 0
    year_dir = tmp_path / "2024"
    for suffix in ("parquet", "csv", "xlsx"):
        assert (year_dir / f"scores.{suffix}").stat().st_size > 0
    table = pd.read_parquet(year_dir / "scores.parquet")
    for col in ("raw_value", "score", "weight", "contribution", "points_lost", "coverage", "rank", "grade",
                "flags", "framework_version"):
        assert col in table.columns
    assert (table["framework_version"] == "2024.1").all()
    assert set(table.loc[table["code"] == "TOTAL", "unit_id"]) == set(table["unit_id"])
    xlsx = pd.read_excel(year_dir / "scores.xlsx")
    assert len(xlsx) == len(table)



def test_a_full_disk_in_any_command_is_one_clear_line(monkeypatch, capsys, tmp_path):
    import errno

    from evalkit import cli

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "scores.csv"))

    monkeypatch.setattr(cli, "cmd_score", full)
    code = cli.main(["score", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0
    assert "evalkit: error: the disk is full writing" in err and "Traceback" not in err


def test_validate_also_checks_the_configuration_files(tmp_path, capsys):
    import shutil

    from evalkit import cli

    data = tmp_path / "d"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data_samples" / "sample_district", data)
    (data / "rubric.yaml").write_text("code: x\ncode: y\n", encoding="utf-8")  # a duplicate key
    code = cli.main(["validate", str(data), "--year", "2024"])
    err = capsys.readouterr().err
    assert code != 0 and "rubric.yaml" in err and "Traceback" not in err
