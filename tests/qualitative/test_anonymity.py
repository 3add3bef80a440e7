"""Anonymity: no report, table or file written by evalkit contains a rater id next to a score.

Scans everything :func:`evalkit.results.compute.compute_results` + :func:`evalkit.results.store.save_results`
write for the sample district, the indicator table, and every table of the qualitative
evaluation written to CSV and Parquet with evalkit's writer. Tables meant for publication
must not contain any rater id; the two office tables keyed by rater id (diagnostics,
exclusions) must hold no score (no float column at all).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd
import pytest

from evalkit.indicators.catalogue import compute_indicators
from evalkit.results.compute import compute_results
from evalkit.qualitative import RatingEvaluation, evaluate_ratings, icc_table, exclude_own_unit
from evalkit.results.store import save_results
from evalkit.data.writers import write_table

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district"
YEAR = 2024


@pytest.fixture(scope="module")
def rater_pattern(sample_raters, sample_ratings):
    ids = set(sample_raters["rater_id"]) | set(sample_ratings["rater_id"])
    return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(sorted(map(re.escape, ids))) + r")(?![A-Za-z0-9])")


def file_text(path: Path) -> str:
    if path.name.endswith(".parquet"):
        return pd.read_parquet(path).to_csv(index=False)
    return path.read_bytes().decode("utf-8", errors="replace")


def assert_no_rater_id_next_to_a_score(frame: pd.DataFrame, pattern: re.Pattern, name: str) -> None:
    text = frame.to_csv(index=False)
    if not pattern.search(text):
        return
    floats = [c for c, t in frame.dtypes.items() if pd.api.types.is_float_dtype(t)]
    assert not floats, f"{name} names raters and has numeric columns {floats}"
    assert not [c for c in frame.columns if re.search(r"score|mean|lean|dev|z_", str(c))], name


def test_the_sample_has_every_special_case(sample_dataset, sample_ratings, sample_raters):
    units = set(sample_dataset.units["unit_id"])
    for table in ("ratings", "votes", "survey_responses"):
        assert set(sample_dataset.table(table, YEAR)["unit_id"]) == units, table
    own = sample_raters.set_index("rater_id")["own_unit_id"]
    assert ((sample_ratings["rater_id"] == "PR05") & (sample_ratings["unit_id"] == own["PR05"])).any()
    per = sample_ratings.groupby(["unit_id", "rater_group"])["rater_id"].nunique()
    assert (per < 5).any()
    peers = sample_ratings[sample_ratings["rater_group"] == "peer"]
    harsh = peers.groupby("rater_id")["score"].mean()
    assert harsh.idxmin() == "PR42" and harsh["PR42"] < harsh.drop("PR42").min() - 10


def test_pipeline_results_and_saved_files_hold_no_rater_id(tmp_path, sample_dataset, rater_pattern):
    results = compute_results(SAMPLE, SAMPLE / "framework.yaml", YEAR, dataset=sample_dataset)
    out = save_results(results, tmp_path / "results")
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {"units.parquet", "nodes.parquet", "meta.json"}
    for path in files:
        found = rater_pattern.findall(file_text(path))
        assert not found, f"{path.name} contains rater id(s) {sorted(set(found))[:5]}"
    # and the qualitative leaf carries counts only
    qual = results.nodes[results.nodes["indicator"] == "rating_score"]
    assert len(qual) and (qual["n"] >= 5).all()


def test_indicator_table_holds_no_rater_id(tmp_path, sample_dataset, rater_pattern):
    table = compute_indicators(sample_dataset, YEAR)
    path = write_table(table, tmp_path / "indicators.csv")
    assert not rater_pattern.search(file_text(path))


def test_every_qualitative_output_written_to_disk(tmp_path, sample_ratings, sample_raters, sample_rubric,
                                                   rater_pattern, caplog):
    with caplog.at_level(logging.INFO, logger="evalkit.qualitative"):
        ev = evaluate_ratings(sample_ratings, sample_raters, rubric=sample_rubric)
    tables = {name: getattr(ev, name) for name in RatingEvaluation.PUBLIC_TABLES + RatingEvaluation.OFFICE_TABLES}
    tables["icc_table"] = icc_table(exclude_own_unit(sample_ratings, sample_raters).eligible)
    for name, frame in tables.items():
        for suffix in (".csv", ".parquet"):
            path = write_table(frame, tmp_path / f"{name}{suffix}")
            text = file_text(path)
            if name in RatingEvaluation.OFFICE_TABLES:
                assert rater_pattern.search(text), name  # they are keyed by rater id …
                assert_no_rater_id_next_to_a_score(pd.read_parquet(path) if suffix == ".parquet" else frame,
                                                   rater_pattern, name)  # … and hold no score
            else:
                assert not rater_pattern.search(text), f"{name}{suffix} names a rater"
    # the exclusion log names the rater but gives no score
    own = sample_ratings[(sample_ratings["rater_id"] == "PR05") & (sample_ratings["unit_id"] == "D05")]
    assert "PR05" in caplog.text and not any(f"{s:g}" in caplog.text for s in own["score"])


def test_thin_breakdowns_are_suppressed(sample_ratings, sample_raters):
    ev = evaluate_ratings(sample_ratings, sample_raters, reliability=False, diagnostics=False)
    cells, groups = ev.criterion_scores, ev.group_scores
    assert cells.loc[cells["score"].notna(), "n_raters"].min() >= 5
    assert groups.loc[groups["score"].notna(), "n_raters"].min() >= 5
    assert (cells.loc[cells["n_raters"] < 5, "status"] == "below_min_raters").all()
