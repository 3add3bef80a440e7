"""Rater-level data (评估人员数据库, issue 12 item 5) never reaches a result or a report.

The registry holds names, organisations, qualifications and terms; ``rater_conflicts`` the
conflicts raters declared. The results, every unit report's display blocks and JSON payload
and the overview's (what the HTML, the PDF and the portal are made from) hold none of them —
no name, no rater id, no qualification, no declared reason. A small district (the sample's
registry and 2024 qualitative tables, no event tables) keeps it fast.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from evalkit.report import overview, payload, present
from evalkit.results.compute import compute_results
from evalkit.results.store import load_results, save_results
from tests.helpers import SAMPLE

YEAR = 2024
TOP = ("units.csv", "raters.csv", "rater_conflicts.csv", "framework.yaml", "rubric.yaml")
YEAR_FILES = ("ratings.csv.gz", "votes.csv", "rater_assignments.csv", "staffing.csv", "adjustments.csv")

RATERS = pd.read_csv(SAMPLE / "raters.csv", dtype=str, keep_default_na=False)
CONFLICTS = pd.read_csv(SAMPLE / "rater_conflicts.csv", dtype=str, keep_default_na=False)
#: What would give a rater away: names, ids, qualifications, declared reasons, and the
#: organisations of raters outside the evaluated units (a peer's organisation is a unit's name).
RATER_WORDS = tuple(sorted(
    set(RATERS["name"]) | set(RATERS["rater_id"]) | set(RATERS["qualification"]) | set(CONFLICTS["reason"])
    | set(RATERS.loc[RATERS["own_unit_id"] == "", "organisation"])))


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    data = tmp_path_factory.mktemp("raters") / "district"
    (data / str(YEAR)).mkdir(parents=True)
    for name in TOP:
        shutil.copy(SAMPLE / name, data / name)
    for name in YEAR_FILES:
        shutil.copy(SAMPLE / str(YEAR) / name, data / str(YEAR) / name)
    res = compute_results(data, year=YEAR)
    folder = data.parent / "results"
    save_results(res, folder)
    return load_results(folder)  # what the reports read


def _leaks(text: str) -> list[str]:
    return [w for w in RATER_WORDS if w in text]


def test_the_words_are_in_the_data():
    assert len(RATERS) == 122 and (RATERS["name"] != "").all() and len(CONFLICTS) >= 1
    assert len(RATER_WORDS) > 200


def test_the_results_hold_no_rater_data(results):
    assert results.table("qualitative_units") is not None
    frames = [("units", results.units), ("nodes", results.nodes), *results.tables.items()]
    for name, frame in frames:
        assert not {"rater_id", "name", "organisation", "qualification", "term_start", "term_end",
                    "reason"} & set(frame.columns) or name == "adjustments", name
        for column in frame.columns:
            if frame[column].dtype == object:
                text = "\n".join(frame[column].dropna().astype(str))
                assert _leaks(text) == [], (name, column)
    assert _leaks(json.dumps(results.meta, ensure_ascii=False)) == []


# D05: its peer rater's self-rating excluded; D24, D33: units raters declared conflicts with
@pytest.mark.parametrize(("unit", "language"), [("D05", "zh"), ("D05", "en"), ("D24", "zh"), ("D33", "en"),
                                                (None, "zh")], ids=lambda v: v or "overview")
def test_reports_and_their_json_show_no_rater_data(results, unit, language):
    if unit is None:
        sections = overview.overview_sections(results, language, {"year": YEAR, "language": language})
        data = payload.overview_data(results, language)
    else:
        sections = present.unit_sections(results, unit, language, {"unit": unit, "year": YEAR, "language": language})
        data = payload.unit_data(results, unit, language)
    record = payload.report_record({"document": sections[0], "sections": sections[1:]},
                                   kind="overview" if unit is None else "unit", year=YEAR, language=language,
                                   unit_id=unit, data=data, meta=results.meta)
    assert record["data"] and record["sections"]
    assert _leaks(json.dumps(record["sections"], ensure_ascii=False)) == []
    assert _leaks(payload.dumps(record).decode("utf-8")) == []
