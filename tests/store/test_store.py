"""The efficiency database (issue 12): the same tests on DuckDB and on a real PostgreSQL server.

Submissions keep their provenance, identical files add nothing, a re-submission supersedes
and keeps the history, a correction changes exactly the record it names and lands in the
audit log, ``as of`` an earlier snapshot gives the earlier data, and an invalid submission
writes nothing but a rejected-submission record.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from evalkit.data.dataset import read_dataset, validate_directory
from evalkit.store import StoreError, init_store, open_store


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_import_keeps_provenance_of_every_row(store_url, mini):
    store, created = init_store(store_url)
    with store:
        assert created
        result = store.import_directory(mini, by="张三", note="2024 submission")
        assert result.status == "imported" and result.batch_id == 1
        budget = _csv(mini / "2024" / "budget_lines.csv")
        assert int(store.status().query("table == 'budget_lines'")["records"].iloc[0]) == len(budget)
        assert int(store.status().query("table == 'units'")["records"].iloc[0]) == len(_csv(mini / "units.csv"))
        # every row: its batch, source file, source row, the file's SHA-256, submitter, time
        rows = store.rows("budget_lines", system=True)
        assert set(rows["_batch"]) == {1} and set(rows["_origin"]) == {1}
        files = store.db.query("SELECT file_id, path, sha256, row_count FROM batch_files WHERE tbl = 'budget_lines'")
        assert len(files) == 1
        file_id, path, sha, count = files[0]
        assert path == "2024/budget_lines.csv" and sha == _sha(mini / "2024" / "budget_lines.csv")
        assert count == len(budget) and set(rows["_file"]) == {file_id}
        # source row = the CSV line (header = line 1): the first record is on line 2
        first = rows.sort_values("_row").iloc[0]
        assert first["_row"] == 2
        assert (first["unit_id"], str(first["month"]), first["line"]) == (budget.iloc[0]["unit_id"],
                                                                         budget.iloc[0]["month"], budget.iloc[0]["line"])
        by, at, note = store.db.query("SELECT submitted_by, submitted_at, note FROM batches WHERE batch_id = 1")[0]
        assert by == "张三" and note == "2024 submission" and at is not None


def test_identical_reimport_adds_nothing(store_url, mini):
    store, _ = init_store(store_url)
    with store:
        store.import_directory(mini, by="a")
        before = store.counts()
        again = store.import_directory(mini, by="a")
        assert again.status == "unchanged" and again.batch_id is None
        assert store.counts() == before and store.snapshot() == 1


def test_resubmission_supersedes_and_keeps_history(store_url, mini):
    store, _ = init_store(store_url)
    with store:
        store.import_directory(mini, by="a")
        path = mini / "2024" / "budget_lines.csv"
        frame = _csv(path)
        frame.loc[0, "spending_yuan"] = "1234.5"
        frame.to_csv(path, index=False)
        second = store.import_directory(mini, by="b", year=2024)
        assert second.status == "imported" and second.batch_id == 2
        # only the changed file is a new batch file; the others were identical
        assert [f["path"] for f in second.files if f["status"] == "imported"] == ["2024/budget_lines.csv"]
        now = store.rows("budget_lines", year=2024)
        assert len(now) == len(frame) and now["spending_yuan"].iloc[0] == 1234.5
        then = store.rows("budget_lines", snapshot=1, year=2024)
        assert then["spending_yuan"].iloc[0] != 1234.5
        history = store.history()
        assert list(history["kind"]) == ["import", "import"] and list(history["by"]) == ["a", "b"]
        # the earlier version is still stored (append-only)
        assert store.counts()["data_budget_lines"] == 2 * len(frame)


def test_unit_resubmission_replaces_only_that_unit(store_url, mini):
    store, _ = init_store(store_url)
    with store:
        store.import_directory(mini, by="office")
        path = mini / "2024" / "budget_lines.csv"
        frame = _csv(path)
        mine = frame["unit_id"] == "D01"
        frame.loc[mine, "spending_yuan"] = "1.0"
        frame.loc[~mine, "spending_yuan"] = "2.0"  # other units' rows must NOT be taken
        frame.to_csv(path, index=False)
        result = store.import_directory(mini, by="D01 staff", year=2024, unit="D01")
        assert result.status == "imported"
        now = store.rows("budget_lines", year=2024)
        assert len(now) == len(frame)
        assert set(now.loc[now["unit_id"] == "D01", "spending_yuan"]) == {1.0}
        assert 2.0 not in set(now.loc[now["unit_id"] != "D01", "spending_yuan"])


def test_correction_changes_exactly_the_named_record(store_url, mini, tmp_path):
    evidence = tmp_path / "scan.pdf"
    evidence.write_bytes(b"%PDF-1.4 receipt")
    store, _ = init_store(store_url)
    with store:
        store.import_directory(mini, by="a")
        before = store.rows("budget_lines", year=2024)
        old = before[(before["unit_id"] == "D02") & (before["month"] == 3) & (before["line"] == "project")]
        result = store.correct("budget_lines", "unit_id=D02,month=3,line=project", {"spending_yuan": "777000"},
                               reason="财务系统导出错误", by="李四", year=2024, evidence=evidence)
        assert result.batch_id == 2
        after = store.rows("budget_lines", year=2024)
        changed = (before.astype(str) != after.astype(str)).any(axis=1)
        assert changed.sum() == 1 and after.loc[changed, "spending_yuan"].iloc[0] == 777000.0
        assert after.loc[changed, "unit_id"].iloc[0] == "D02"
        # as of the snapshot before the correction: the earlier value
        assert store.rows("budget_lines", snapshot=1, year=2024).equals(before)
        history = store.history(table="budget_lines", key="D02,3,project")
        assert len(history) == 1
        entry = history.iloc[0]
        assert (entry["by"], entry["column"], entry["reason"]) == ("李四", "spending_yuan", "财务系统导出错误")
        assert float(entry["old"]) == float(old["spending_yuan"].iloc[0]) and entry["new"] == "777000"
        assert entry["evidence_sha256"] == _sha(evidence)
        assert len(store.history(by="李四")) == 1 and store.history(by="nobody").empty


def test_correction_is_validated_and_writes_nothing_when_wrong(store_url, mini):
    store, _ = init_store(store_url)
    with store:
        store.import_directory(mini, by="a")
        counts = store.counts()
        with pytest.raises(StoreError, match="spending_yuan.*amount in yuan"):
            store.correct("budget_lines", "D01,1,basic", {"spending_yuan": "abc"}, reason="x", by="y", year=2024)
        with pytest.raises(StoreError, match="unit_id"):
            store.correct("budget_lines", "D01,1,basic", {"unit_id": "D02"}, reason="x", by="y", year=2024)
        with pytest.raises(StoreError, match="no column"):
            store.correct("budget_lines", "D01,1,basic", {"nope": "1"}, reason="x", by="y", year=2024)
        with pytest.raises(StoreError, match="no record"):
            store.correct("budget_lines", "D99,1,basic", {"spending_yuan": "1"}, reason="x", by="y", year=2024)
        with pytest.raises(StoreError, match="reason"):
            store.correct("budget_lines", "D01,1,basic", {"spending_yuan": "1"}, reason=" ", by="y", year=2024)
        assert store.counts() == counts and store.snapshot() == 1


def test_invalid_submission_writes_nothing_and_is_recorded(store_url, mini):
    path = mini / "2024" / "budget_lines.csv"
    frame = _csv(path)
    frame.loc[4, "spending_yuan"] = "lots"
    frame.to_csv(path, index=False)
    store, _ = init_store(store_url)
    with store:
        result = store.import_directory(mini, by="careless")
        assert result.status == "rejected"
        assert all(n == 0 for t, n in store.counts().items() if t.startswith("data_"))
        rejected = store.db.query("SELECT submitted_by, status, problems FROM batches")
        assert len(rejected) == 1 and rejected[0][:2] == ("careless", "rejected")
        record = json.loads(rejected[0][2])
        bad = [p for p in record["problems"] if p["severity"] == "error"]
        assert bad and bad[0]["file"] == "2024/budget_lines.csv" and bad[0]["row"] == 6
        assert bad[0]["column"] == "spending_yuan" and "lots" in bad[0]["found"]
        assert {f["path"] for f in record["files"]} >= {"units.csv", "2024/budget_lines.csv"}
        assert store.history().iloc[0]["kind"] == "rejected"


def test_export_is_a_valid_data_directory(store_url, mini, tmp_path):
    store, _ = init_store(store_url)
    with store:
        store.import_directory(mini, by="a")
        store.correct("budget_lines", "D01,1,basic", {"spending_yuan": "100"}, reason="x", by="y", year=2024)
        provenance = store.export(tmp_path / "out", years=[2024])
    out = tmp_path / "out"
    assert (out / "2024" / "budget_lines.parquet").is_file() and (out / "framework.yaml").is_file()
    assert not [p for p in validate_directory(out) if p.severity == "error"]
    ds = read_dataset(out)
    budget = ds.table("budget_lines", 2024)
    assert budget.loc[(budget["unit_id"] == "D01") & (budget["month"] == 1) & (budget["line"] == "basic"),
                      "spending_yuan"].iloc[0] == 100.0
    assert provenance["2024/budget_lines.csv"] == _sha(mini / "2024" / "budget_lines.csv")
    assert any(k.startswith("correction 2: budget_lines") for k in provenance)


def test_as_of_a_moment(store_url, mini):
    store, _ = init_store(store_url)
    with store:
        store.import_directory(mini, by="a")
        (at,) = store.db.query("SELECT submitted_at FROM batches WHERE batch_id = 1")[0]
        store.correct("budget_lines", "D01,1,basic", {"spending_yuan": "100"}, reason="x", by="y", year=2024)
        # a naive moment is local time: give it with its zone (stored times are UTC)
        assert store.resolve(at.isoformat() + "+00:00") == 1
        assert store.resolve(None) == store.resolve("2") == 2
        assert store.resolve("1999-01-01T00:00+00:00") == 0
        with pytest.raises(StoreError, match="latest snapshot is 2"):
            store.resolve("5")
        with pytest.raises(StoreError, match="ISO date-time"):
            store.resolve("yesterday")


def test_a_store_behind_the_contract_must_be_migrated(store_url, mini):
    store, _ = init_store(store_url)
    with store:
        store.import_directory(mini, by="a")
        store.db.execute('ALTER TABLE "data_legal_cases" DROP COLUMN "outcome"')
    with pytest.raises(StoreError, match="evalkit db migrate"):
        open_store(store_url)
    with open_store(store_url, check=False) as store:
        statements = store.migrate()
        assert any("outcome" in s for s in statements)
    with open_store(store_url) as store:  # no error now, and nothing was lost
        assert len(store.rows("budget_lines", year=2024)) == len(_csv(mini / "2024" / "budget_lines.csv"))


def test_missing_store_and_bad_url_are_clear(tmp_path):
    with pytest.raises(StoreError, match="evalkit db init"):
        open_store(tmp_path / "none.duckdb")
    not_db = tmp_path / "text.duckdb"
    not_db.write_text("hello")
    with pytest.raises(StoreError, match="cannot be opened"):
        open_store(not_db)
    with pytest.raises(StoreError, match="cannot connect"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


def test_the_evaluator_database_lives_in_the_store(store_url, mini):
    from evalkit.store.raters import rater_registry

    store, _ = init_store(store_url)
    with store:
        store.import_directory(mini, by="office")
        registry = rater_registry(store, store.snapshot())
    raters = _csv(mini / "raters.csv")
    assert list(registry["rater_id"]) == sorted(raters["rater_id"])
    assert set(registry.columns) >= {"rater_id", "name", "rater_group", "organisation", "qualification",
                                     "term_start", "term_end", "conflicts"}
    named = raters.set_index("rater_id")["name"]
    assert (registry.set_index("rater_id")["name"] == named.reindex(registry["rater_id"])).all()
    own = raters[raters["own_unit_id"] != ""].iloc[0]
    assert f"{own['own_unit_id']} (own unit)" in registry.set_index("rater_id").loc[own["rater_id"], "conflicts"]
    if (mini / "rater_conflicts.csv").is_file():
        declared = _csv(mini / "rater_conflicts.csv").iloc[0]
        assert declared["unit_id"] in registry.set_index("rater_id").loc[declared["rater_id"], "conflicts"]
