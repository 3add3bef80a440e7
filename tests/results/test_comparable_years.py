"""Comparable years (可比口径) next to the results as published (发布口径), issue 14 item 6.

The framework changes between 2023 and 2024 (leaf EFF02's band moves from 50–80 % to
60–90 %); the 2023 results published under the old framework are kept in ``OUT/2023/results``.
The 2024 results recompute 2023 under the new framework (``history``) and keep the published
2023 scores beside them (``published_history``); the difference for a unit with data is
exactly the change of its EFF02 score, computed here by hand from the band rule.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from evalkit.configuration import load_configuration
from evalkit.data.dataset import load_dataset
from evalkit.report import present
from evalkit.resources import sample_data_dir
from evalkit.results.comparable import changed_frameworks, read_published
from evalkit.results.compute import compute_results
from evalkit.results.store import save_results

OLD_RULE = "rule: {type: linear_band, low: 50, high: 80}"
NEW_RULE = "rule: {type: linear_band, low: 60, high: 90}"


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    root = tmp_path_factory.mktemp("comparable")
    data = root / "district"
    shutil.copytree(sample_data_dir(), data)
    fw_file = data / "framework.yaml"
    text = fw_file.read_text(encoding="utf-8")
    assert text.count(OLD_RULE) == 1
    ds = load_dataset(data)
    out = root / "reports"
    published_2023 = compute_results(data, year=2023, dataset=ds, config=load_configuration(data))
    save_results(published_2023, out / "2023" / "results")
    fw_file.write_text(text.replace(OLD_RULE, NEW_RULE).replace('version: "2024.1"', 'version: "2024.2"'),
                       encoding="utf-8")
    config = load_configuration(data)
    results = compute_results(data, year=2024, dataset=ds, config=config, published=read_published(out))
    return published_2023, results


def _band(value: float, low: float, high: float, points: float) -> float:
    return points * min(1.0, max(0.0, (value - low) / (high - low)))


def test_2023_comparable_differs_from_published_exactly_by_the_rule_change(changed):
    published_2023, results = changed
    nodes = published_2023.nodes
    eff02 = nodes[(nodes["code"] == "EFF02") & (nodes["status"] == "data")].set_index("unit_id")
    # a unit with data whose value lies inside the changed bands, with no rebasing
    units = published_2023.units.set_index("unit_id")
    inside = eff02[(eff02["raw_value"] > 60) & (eff02["raw_value"] < 80)
                   & (units.loc[eff02.index, "max_score"] == 100)]
    assert len(inside) >= 1
    unit = inside.index[0]
    value = float(inside.loc[unit, "raw_value"])
    expected_change = _band(value, 60, 90, 3) - _band(value, 50, 80, 3)   # EFF02 is worth 3 points
    assert expected_change < 0

    hist = results.table("history").set_index(["unit_id", "year"])
    pub = results.table("published_history").set_index(["unit_id", "year"])
    comparable_2023 = float(hist.loc[(unit, 2023), "score_100"])
    published_score = float(pub.loc[(unit, 2023), "score_100"])
    assert published_score == pytest.approx(float(units.loc[unit, "score_100"]), abs=1e-12)
    assert comparable_2023 - published_score == pytest.approx(expected_change, abs=1e-9)
    # year over year uses the comparable series
    rec = results.units.set_index("unit_id").loc[unit]
    assert float(rec["prev_score"]) == pytest.approx(comparable_2023, abs=1e-12)
    assert pub.loc[(unit, 2023), "framework_version"] == "2024.1"


def test_meta_records_the_basis_and_the_framework_each_year_was_published_under(changed):
    _, results = changed
    basis = results.meta["comparable"]
    assert basis["framework_version"] == "2024.2"
    assert basis["published"]["2023"]["same_framework"] is False
    assert changed_frameworks(results) == [(2023, "2024.1")]


def test_the_report_says_which_series_it_uses(changed):
    _, results = changed
    unit = str(results.units["unit_id"].iloc[0])
    for language, basis_words, changed_words in (("zh", "可比口径", "发布口径得分为当年公布的结果"),
                                                  ("en", "comparable", "the score as published")):
        section = present.trend_section(results, unit, language, chart=False)
        table = [b for b in section["blocks"] if b.get("type") == "table"][0]
        text = " ".join(table["notes"])
        assert basis_words in text and changed_words in text and "2024.2" in text
        labels = [c["label"] for c in table["columns"]]
        assert present.msg(language, "cy_col_published") in labels
        # the published 2023 score is in the table beside the comparable one
        pub = results.table("published_history")
        mine = pub[(pub["unit_id"] == unit) & (pub["year"] == 2023)]["score_100"].iloc[0]
        cells = [c if isinstance(c, str) else c["text"] for r in table["rows"] for c in r["cells"]]
        assert present.fmt_score(mine) in cells


def test_without_published_results_the_trend_still_names_its_basis(tmp_path):
    data = sample_data_dir()
    results = compute_results(data, year=2024, published=read_published(tmp_path))
    assert results.table("published_history").empty
    assert results.meta["comparable"]["published"] == {}
    unit = str(results.units["unit_id"].iloc[0])
    section = present.trend_section(results, unit, "zh", chart=False)
    table = [b for b in section["blocks"] if b.get("type") == "table"][0]
    assert any("可比口径" in n for n in table["notes"])
    assert [c["label"] for c in table["columns"]][1] == present.msg("zh", "col_score_100")
    assert np.isfinite(results.table("history")["score_100"]).any()


def test_a_period_is_set_beside_the_same_period_never_beside_a_whole_year(changed, tmp_path):
    """A 2024Q3 run reads the published 2023Q3 results (``OUT/2023Q3/results``), not the
    annual ``OUT/2023/results``; an annual run reads only annual folders."""
    from evalkit.periods import parse_period

    published_2023, _ = changed
    out = tmp_path / "reports"
    save_results(published_2023, out / "2023" / "results")
    assert read_published(out, period=parse_period("2024Q3")) == {}
    assert set(read_published(out)) == {2023}
    assert set(read_published(out, period=parse_period("2024"))) == {2023}
    # an annual result saved in a period's folder is not that period's publication
    save_results(published_2023, out / "2023Q3" / "results")
    assert read_published(out, period=parse_period("2024Q3")) == {}


def test_the_same_period_of_an_earlier_year_is_found(tmp_path):
    from evalkit.periods import parse_period

    data = sample_data_dir()
    q3 = compute_results(data, year=parse_period("2023Q3"), config=load_configuration(data))
    out = tmp_path / "reports"
    save_results(q3, out / "2023Q3" / "results")
    found = read_published(out, period=parse_period("2024Q3"))
    assert set(found) == {2023} and found[2023].meta["period"] == "2023Q3"
    assert read_published(out) == {}  # not an annual publication
