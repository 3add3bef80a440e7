"""Per-post OA figures (岗位履职, issue 17) never reach a leader-facing output.

The sample's ``oa_documents`` give per-unit figures to the results (table ``oa``) and per-post
figures only to ``evalkit oa-posts`` (evaluation office). Here: the results, every unit
report's blocks and JSON payload and the overview's hold no post type (no code, no label, no
``post_type`` column), and the office table suppresses the post types below the anonymity
floor (the sample's D33 主要领导 handles 2 documents a year).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from evalkit.data.contract import OA_POST_TYPES
from evalkit.data.dataset import load_dataset
from evalkit.indicators.oa import UNIT_COLUMNS, oa_by_post
from evalkit.qualitative.rubric import ANONYMITY_FLOOR
from evalkit.report import overview, payload, present
from evalkit.resources import sample_data_dir
from evalkit.results.store import load_results, save_results
from evalkit.sample.office import SMALL_POST, SMALL_POST_DOCUMENTS, SMALL_POST_UNIT

YEAR = 2024
#: What would give a per-post figure away: the column, every label and every code that is not
#: an ordinary English word ("head", "other" are).
POST_WORDS = ("post_type", "clerk", "section_chief", "deputy_head", *OA_POST_TYPES.values())


@pytest.fixture(scope="module")
def results(tmp_path_factory, sample_2024):
    res = sample_2024()
    folder = tmp_path_factory.mktemp("oa") / "results"
    save_results(res, folder)
    return load_results(folder)  # what the reports read


def _record(res, unit, language):
    if unit is None:
        sections = overview.overview_sections(res, language, {"year": YEAR, "language": language})
        data = payload.overview_data(res, language)
    else:
        sections = present.unit_sections(res, unit, language, {"unit": unit, "year": YEAR, "language": language})
        data = payload.unit_data(res, unit, language)
    return payload.report_record({"document": sections[0], "sections": sections[1:]},
                                 kind="overview" if unit is None else "unit", year=YEAR, language=language,
                                 unit_id=unit, data=data, meta=res.meta)


def _leaks(text: str) -> list[str]:
    return [w for w in POST_WORDS if w in text]


def test_the_results_hold_oa_figures_per_unit_only(results):
    oa = results.table("oa")
    assert oa is not None and list(oa.columns) == UNIT_COLUMNS and len(oa) == len(results.units)
    for name, frame in [("units", results.units), ("nodes", results.nodes), *results.tables.items()]:
        assert "post_type" not in frame.columns, name
        for column in frame.columns:
            if frame[column].dtype == object:
                values = set(frame[column].dropna().astype(str))
                assert not values & set(OA_POST_TYPES) and not values & set(OA_POST_TYPES.values()), (name, column)


@pytest.mark.parametrize("unit", [SMALL_POST_UNIT, "D01", "S01", None], ids=lambda u: u or "overview")
@pytest.mark.parametrize("language", ["zh", "en"])
def test_reports_and_their_json_show_no_post_type(results, unit, language):
    record = _record(results, unit, language)
    # the data and the display blocks the HTML and PDF are rendered from
    assert record["data"] and record["sections"]
    assert _leaks(json.dumps(record["sections"], ensure_ascii=False)) == []
    assert _leaks(payload.dumps(record).decode("utf-8")) == []


def test_the_office_table_suppresses_posts_below_the_floor():
    table = oa_by_post(load_dataset(sample_data_dir(), years=[YEAR]), YEAR)
    small = table[(table["unit_id"] == SMALL_POST_UNIT) & (table["post_type"] == SMALL_POST)].iloc[0]
    assert small["n_documents"] == SMALL_POST_DOCUMENTS < ANONYMITY_FLOOR
    assert small["suppressed"] and np.isnan(small["oa_on_time_rate"])
    below = table["n_documents"] < ANONYMITY_FLOOR
    assert (table["suppressed"] == below).all()
    for column in ("oa_on_time_rate", "oa_median_handling_days", "oa_overdue_backlog"):
        assert table.loc[below, column].isna().all()
    assert table.loc[below, "n_due"].isna().all() and table.loc[below, "n_closed"].isna().all()
    shown = table[~below]
    assert len(shown) and shown["oa_overdue_backlog"].notna().all() and shown["oa_on_time_rate"].notna().all()
