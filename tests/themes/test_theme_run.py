"""``evalkit run --theme hotline`` on the sample: scored by the one model, rendered in zh and en."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.configuration import load_configuration
from evalkit.data.dataset import load_dataset
from evalkit.resources import sample_data_dir
from evalkit.results.compute import compute_results
from evalkit.results.themes import compute_theme


@pytest.fixture(scope="module")
def sample():
    data = sample_data_dir()
    return load_dataset(data), load_configuration(data)


@pytest.fixture(scope="module")
def theme(sample):
    ds, config = sample
    return compute_theme(ds, config, "hotline")


def test_the_theme_scores_its_nodes_exactly_as_the_annual_evaluation(sample, theme):
    ds, config = sample
    annual = compute_results(ds.root, year=2024, dataset=ds, config=config).nodes
    shared = ["PUB01", "PUB02", "SAT01"]
    a = annual[annual["code"].isin(shared) & (annual["status"] == "data")].set_index(["unit_id", "code"])
    t = theme.nodes[theme.nodes["code"].isin(shared)].set_index(["unit_id", "code"])
    common = a.index.intersection(t.index)
    assert len(common) > 100
    pd.testing.assert_series_equal(a.loc[common, "score"], t.loc[common, "score"])


def test_scores_are_re_scaled_to_100_and_ranked_in_peer_groups(theme):
    units, nodes = theme.units, theme.nodes
    leaves = nodes.groupby("unit_id")[["score", "points"]].sum()
    u = units.set_index("unit_id")
    full = u[u["coverage"] == 1.0].index
    expected = 100 * leaves.loc[full, "score"] / leaves.loc[full, "points"]
    assert (u.loc[full, "score_100"] - expected).abs().max() < 1e-9
    assert u["max_score"].eq(25).all()                       # 7 + 7 + 4 + 4 + 3 points
    for _, group in units.groupby("peer_group"):
        assert group["rank"].min() == 1 and group["n_in_group"].iloc[0] == len(group)
    # no bonus, deduction or grade in a theme
    assert "grade" not in units.columns and "bonus" not in units.columns


def test_a_unit_none_of_the_theme_applies_to_is_left_out_and_named(theme):
    assert "D09" not in set(theme.units["unit_id"])           # no 12345 tickets (not_applicable)
    assert [u["unit_id"] for u in theme.meta["units_not_applicable"]] == ["D09"]


def test_district_figures_pool_the_records(sample, theme):
    ind = theme.table("indicators").set_index("code")
    nodes = theme.nodes[theme.nodes["code"] == "PUB01"]
    on_time = ind.loc["PUB01"]
    assert on_time["denominator"] == nodes["n"].sum()
    assert on_time["ci_low"] < on_time["value"] < on_time["ci_high"]
    assert on_time["units_with_data"] == (nodes["status"] == "data").sum()


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S))


@pytest.mark.parametrize("language, words", [("zh", ["12345热线办理专项评价", "单位排名", "全区合计", "数据来源"]),
                                             ("en", ["12345 hotline handling", "Ranking", "District (pooled)",
                                                     "Annex"])])
def test_run_theme_renders_the_report(tmp_path, capsys, language, words):
    code = main(["run", "--theme", "hotline", "--out", str(tmp_path), "--language", language, "--quiet"])
    out = capsys.readouterr()
    assert code == 0, out.err
    folder = tmp_path / "2024" / "themes" / "hotline"
    assert (folder / "report.pdf").read_bytes()[:5] == b"%PDF-"
    assert (folder / "results" / "meta.json").is_file()
    ranking = pd.read_csv(folder / "ranking.csv")
    assert len(ranking) == 47 and "D09" not in set(ranking["unit_id"])
    text = _text((folder / "report.html").read_text(encoding="utf-8"))
    for w in words:
        assert w in text
    for code_word in ("import ", "theme_sections", "Traceback", "In [", "present.show"):
        assert code_word not in text
    assert "themes/hotline" in out.out


def test_an_unknown_theme_is_one_clear_error(tmp_path, capsys):
    code = main(["run", "--theme", "hotlin", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("evalkit: error: framework.yaml: no theme 'hotlin' (themes: hotline)")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "2024").exists()
