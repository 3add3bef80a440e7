"""The efficiency database under several processes and faults (issue 12, items 4 and 7):
a busy DuckDB file, a process killed during an import, 8 processes correcting at once on
PostgreSQL, and the command line end to end (run from the store, restate)."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time

import pytest

from evalkit.store import init_store, open_store

from .conftest import SAMPLE, mini_district

EVALKIT = [sys.executable, "-m", "evalkit"]


def _cli(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(EVALKIT + [str(a) for a in args], capture_output=True, text=True, timeout=900,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def test_a_second_duckdb_writer_waits_then_fails_busy(tmp_path):
    url = tmp_path / "ek.duckdb"
    mini = mini_district(tmp_path / "mini")
    store, _ = init_store(url)
    try:
        started = time.monotonic()
        done = _cli("db", "import", mini, "--db", url, "--by", "second", env={"EVALKIT_DB_BUSY_TIMEOUT": "1.5"})
        assert time.monotonic() - started >= 1.5  # it waited
        assert done.returncode != 0
        assert "database busy" in done.stderr and "Traceback" not in done.stderr
    finally:
        store.close()
    # nothing was corrupted: the store opens and the import now succeeds
    done = _cli("db", "import", mini, "--db", url, "--by", "second")
    assert done.returncode == 0, done.stderr
    with open_store(url) as store:
        assert store.snapshot() == 1


def test_kill_9_during_an_import_leaves_the_store_as_it_was(tmp_path):
    url = tmp_path / "ek.duckdb"
    mini = mini_district(tmp_path / "mini")
    store, _ = init_store(url)
    with store:
        store.import_directory(mini, by="first")
        before, snapshot = store.counts(), store.snapshot()
    # the whole sample: many tables after the first one written, all in one transaction
    proc = subprocess.Popen(EVALKIT + ["db", "import", str(SAMPLE), "--db", str(url), "--by", "victim",
                                       "--progress"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if line.strip().startswith("wrote 2022/"):  # well inside the transaction
                break
            assert line, "the import ended before it wrote a year table"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with open_store(url) as store:
        assert store.counts() == before and store.snapshot() == snapshot
        result = store.import_directory(SAMPLE, by="again")
        assert result.status == "imported" and result.batch_id == snapshot + 1


def _correct_many(url: str, unit: str, n: int) -> int:
    from evalkit.store import open_store

    lines = ("basic", "project", "three_public")
    done = 0
    with open_store(url) as store:
        for i in range(n):
            month, line = 1 + i // 3, lines[i % 3]
            store.correct("budget_lines", f"{unit},{month},{line}", {"spending_yuan": str(1000 + i)},
                          reason=f"batch {unit}/{i}", by=f"evaluator {unit}", year=2024)
            done += 1
    return done


def test_eight_processes_correcting_at_once_on_postgresql_lose_nothing(pg_url, tmp_path):
    mini = mini_district(tmp_path / "mini")
    store, _ = init_store(pg_url)
    with store:
        store.import_directory(mini, by="office")
        before = store.counts()
        lines = set(store.rows("budget_lines", year=2024)["line"])
    if lines != {"basic", "project", "three_public"}:
        pytest.skip(f"the sample's budget lines are {sorted(lines)}")
    units = [f"D0{i}" for i in range(1, 9)]
    ctx = mp.get_context("spawn")
    with ctx.Pool(8) as pool:
        done = pool.starmap(_correct_many, [(pg_url, u, 25) for u in units])
    assert done == [25] * 8
    with open_store(pg_url) as store:
        after = store.counts()
        assert after["audit_log"] == before["audit_log"] + 200
        assert after["corrections"] == before["corrections"] + 200
        assert after["data_budget_lines"] == before["data_budget_lines"] + 200
        assert store.snapshot() == 1 + 200
        # snapshots are dense and in commit order
        ids = [r[0] for r in store.db.query("SELECT batch_id FROM batches ORDER BY submitted_at, batch_id")]
        assert ids == list(range(1, 202))
        now = store.rows("budget_lines", year=2024)
        for u in units:
            mine = now[now["unit_id"] == u].sort_values(["month", "line"])
            assert set(map(float, range(1000, 1025))) <= set(mine["spending_yuan"])


def test_run_from_the_store_gives_byte_identical_reports(tmp_path):
    url = tmp_path / "ek.duckdb"
    assert _cli("db", "init", "--db", url).returncode == 0
    done = _cli("db", "import", SAMPLE, "--db", url, "--by", "tester")
    assert done.returncode == 0, done.stderr
    # one unit's report (HTML, PDF, JSON), and the results tables of every unit it rests on
    # (the overview is rendered from those same tables)
    from_store = _cli("run", "--db", url, "--units", "D01", "--no-overview", "--out", tmp_path / "db", "--quiet",
                      "--jobs", "1")
    assert from_store.returncode == 0, from_store.stderr
    from_files = _cli("run", "--data", SAMPLE, "--units", "D01", "--no-overview", "--out", tmp_path / "files",
                      "--quiet", "--jobs", "1")
    assert from_files.returncode == 0, from_files.stderr
    a, b = tmp_path / "db" / "2024", tmp_path / "files" / "2024"
    def outputs(folder):  # the reports and results (not the manifest, not the run's lock file)
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                      if p.is_file() and p.name != "manifest.json" and not p.name.startswith("."))

    names = outputs(b)
    assert {"D01.html", "D01.pdf", "D01.json", "results/units.parquet", "results/nodes.parquet"} <= set(names)
    assert names == outputs(a)
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    import json

    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["inputs"]["store"]["snapshot"] == 1 and manifest["inputs"]["data_dir"] is None
    files = json.loads((b / "manifest.json").read_text())["inputs"]["data_files"]
    assert manifest["inputs"]["data_files"] == files
    verified = _cli("verify", a)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_correction_restate_and_as_of_on_the_sample(tmp_path):
    url = tmp_path / "ek.duckdb"
    store, _ = init_store(url)
    with store:
        store.import_directory(SAMPLE, by="office")
        # D10's innovation bonus (加分) of 2.0 points was granted at 0.5 by the committee
        store.correct("adjustments", "AJ2024001", {"points": "0.5"}, reason="加分复核：按0.5分认定",
                      by="效能办", year=2024)
    done = _cli("db", "restate", "2024", "--since", "1", "--db", url)
    assert done.returncode == 0, done.stderr
    assert "D10" in done.stdout and "moved" in done.stdout
    from evalkit.store.restate import restate

    table, before, after = restate(str(url), 2024, "1")
    assert before["snapshot"] == 1 and after["snapshot"] == 2
    moved = table[table["changed"]]
    assert "D10" in set(moved["unit_id"])
    d10 = table.set_index("unit_id").loc["D10"]
    # score_100 = 100·base/max + bonus − deduction: 1.5 bonus points fewer
    assert d10["score_after"] == pytest.approx(d10["score_before"] - 1.5, abs=1e-9)
    # only units whose score, rank or grade moved are listed as changed
    unmoved = table[~table["changed"]]
    assert (unmoved["score_before"] == unmoved["score_after"]).all()
    assert (unmoved["rank_before"] == unmoved["rank_after"]).all()
    # --as-of 1 reproduces the published results from the files
    out = tmp_path / "scores"
    done = _cli("score", "--db", url, "--as-of", "1", "--out", out)
    assert done.returncode == 0, done.stderr
    done = _cli("score", "--data", SAMPLE, "--out", tmp_path / "scores-files")
    assert done.returncode == 0, done.stderr
    import pandas as pd

    a = pd.read_csv(out / "2024" / "scores.csv")
    b = pd.read_csv(tmp_path / "scores-files" / "2024" / "scores.csv")
    pd.testing.assert_frame_equal(a, b)
    history = _cli("db", "history", "--db", url, "--unit", "D10")
    assert "加分复核：按0.5分认定" in history.stdout and "效能办" in history.stdout


def test_command_line_mistakes_are_one_line(tmp_path):
    url = tmp_path / "ek.duckdb"
    done = _cli("db", "status", "--db", url)
    assert done.returncode == 2 and "evalkit db init" in done.stderr and "Traceback" not in done.stderr
    done = _cli("run", "--as-of", "3")
    assert done.returncode == 2 and "--as-of needs --db" in done.stderr
    _cli("db", "init", "--db", url)
    done = _cli("db", "correct", "--db", url, "--table", "nope", "--id", "x", "--set", "a=1", "--reason", "r",
                "--by", "b")
    assert done.returncode == 2 and "no table 'nope'" in done.stderr and "Traceback" not in done.stderr
    done = _cli("db", "correct", "--db", url, "--table", "budget_lines", "--id", "D01", "--set", "spending_yuan=1",
                "--reason", "r", "--by", "b")
    assert done.returncode == 2 and "3 columns" in done.stderr
    bad = mini_district(tmp_path / "bad")
    text = (bad / "2024" / "budget_lines.csv").read_text().replace("basic", "basik", 1)
    (bad / "2024" / "budget_lines.csv").write_text(text)
    done = _cli("db", "import", bad, "--db", url, "--by", "x")
    assert done.returncode == 1 and "2024/budget_lines.csv" in done.stderr and "Rejected" in done.stderr
    assert "Traceback" not in done.stderr
