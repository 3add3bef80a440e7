"""An anonymity floor that configuration cannot lower (issue 16, item 3).

``min_raters: 1`` in a rubric used to be accepted, and the report then published one
expert's own mean under the line saying that small groups are not published. Now a group
of fewer than :data:`~evalkit.qualitative.rubric.ANONYMITY_FLOOR` (3) raters is never
published, whatever ``min_raters`` (or ``min_voters``, ``min_responses``) says: a lower
setting is raised to 3 with a warning naming the file and the key, and a setting below 5
is published as asked, with a warning.
"""

from __future__ import annotations

import gzip
import io
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from evalkit.configuration import load_configuration
from evalkit.data.dataset import load_dataset
from evalkit.qualitative import AggregationPolicy, SurveyPolicy, VoteRule, aggregate_ratings, load_rubric
from evalkit.qualitative.rubric import ANONYMITY_FLOOR, AnonymityWarning
from evalkit.qualitative.survey import satisfaction_rates
from evalkit.qualitative.votes import vote_scores
from evalkit.report.present import qualitative_section
from evalkit.results.compute import compute_results
from tests.helpers import SAMPLE

YEAR = 2024


def test_the_floor_is_three():
    assert ANONYMITY_FLOOR == 3


@pytest.mark.parametrize("make, field", [
    (lambda n: AggregationPolicy(min_raters=n), "min_raters"),
    (lambda n: VoteRule(min_voters=n), "min_voters"),
    (lambda n: SurveyPolicy(min_responses=n), "min_responses"),
])
def test_a_minimum_below_the_floor_is_raised_with_a_warning(make, field):
    for n in (1, 2):
        with pytest.warns(AnonymityWarning, match=rf"{field}.*raised to 3"):
            policy = make(n)
        assert getattr(policy, field) == ANONYMITY_FLOOR
    with pytest.warns(AnonymityWarning, match=rf"{field}.*below 5"):
        assert getattr(make(4), field) == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(make(5), field) == 5  # the advised minimum: no warning


def rubric_text(min_raters: int) -> str:
    text = (SAMPLE / "rubric.yaml").read_text(encoding="utf-8")
    assert "  min_raters: 5\n" in text and "  min_voters: 5\n" in text
    return text.replace("  min_raters: 5\n", f"  min_raters: {min_raters}\n").replace(
        "  min_voters: 5\n", "  min_voters: 1\n")


def test_a_rubric_below_the_floor_loads_with_a_warning_naming_the_file_and_key(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text(rubric_text(1), encoding="utf-8")
    with pytest.warns(AnonymityWarning) as caught:
        rubric = load_rubric(path)
    messages = [str(w.message) for w in caught]
    assert any(str(path) in m and "aggregation.min_raters" in m and "raised to 3" in m for m in messages), messages
    assert any("votes.min_voters" in m for m in messages), messages
    assert rubric.aggregation.min_raters == 3 and rubric.votes.min_voters == 3


def test_the_floor_holds_even_for_a_policy_forced_below_it(sample_ratings):
    policy = AggregationPolicy(min_raters=5)
    object.__setattr__(policy, "min_raters", 1)  # what no configuration can do
    cells = aggregate_ratings(sample_ratings, policy)
    assert cells.loc[cells["published"], "n_raters"].min() >= ANONYMITY_FLOOR
    votes = pd.DataFrame({"unit_id": ["U1"], "voter_group": ["leaders"], "excellent": [1], "competent": [1],
                          "basically_competent": [0], "incompetent": [0]})
    rule = VoteRule()
    object.__setattr__(rule, "min_voters", 1)
    out = vote_scores(votes, rule).iloc[0]
    assert np.isnan(out["score"]) and np.isnan(out["share_excellent"])  # 2 votes: nothing shown
    answers = pd.DataFrame({"response_id": ["r1", "r2"], "unit_id": "U1", "question": "overall",
                            "answer": ["satisfied", "dissatisfied"], "stratum": "居民"})
    survey = SurveyPolicy()
    object.__setattr__(survey, "min_responses", 1)
    assert np.isnan(satisfaction_rates(answers, survey).iloc[0]["rate"])


# --- the results tables of a district whose rubric says min_raters: 1 ----------------------------


def _rewrite(path, change) -> None:
    raw = path.read_bytes()
    gz = path.name.endswith(".gz")
    frame = change(pd.read_csv(io.BytesIO(gzip.decompress(raw) if gz else raw), dtype=str, keep_default_na=False))
    out = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    path.write_bytes(gzip.compress(out) if gz else out)


@pytest.fixture(scope="module")
def thin_district(tmp_path_factory):
    """The sample (2024) with ``min_raters: 1`` and ``min_voters: 1`` and thin groups: two
    experts in all, one leader for D01, three leaders for D03, two votes for D02."""
    d = tmp_path_factory.mktemp("thin")
    for name in ("units.csv", "raters.csv", "framework.yaml", "schemes.yaml"):
        shutil.copy(SAMPLE / name, d / name)
    shutil.copytree(SAMPLE / str(YEAR), d / str(YEAR))
    (d / "rubric.yaml").write_text(rubric_text(1), encoding="utf-8")

    def thin(r: pd.DataFrame) -> pd.DataFrame:
        experts = sorted(r.loc[r["rater_group"] == "expert", "rater_id"].unique())[:2]
        keep = (r["rater_group"] != "expert") | r["rater_id"].isin(experts)
        for unit, n in (("D01", 1), ("D03", 3)):
            leaders = sorted(r.loc[(r["unit_id"] == unit) & (r["rater_group"] == "leader"), "rater_id"].unique())
            assert len(leaders) > n
            keep &= ~((r["unit_id"] == unit) & (r["rater_group"] == "leader") & ~r["rater_id"].isin(leaders[:n]))
        return r[keep]

    def few_votes(v: pd.DataFrame) -> pd.DataFrame:
        d02 = v["unit_id"] == "D02"
        for c in ("excellent", "competent", "basically_competent", "incompetent"):
            v.loc[d02, c] = "0"
        v.loc[d02.idxmax(), "excellent"] = "2"
        return v

    _rewrite(d / str(YEAR) / "ratings.csv.gz", thin)
    _rewrite(d / str(YEAR) / "votes.csv", few_votes)
    return d


@pytest.fixture(scope="module")
def thin_results(thin_district):
    with pytest.warns(AnonymityWarning):
        config = load_configuration(thin_district)
    assert config.rubric.aggregation.min_raters == ANONYMITY_FLOOR
    ds = load_dataset(thin_district, years=[YEAR])
    return compute_results(thin_district, year=YEAR, dataset=ds, config=config)


def test_no_group_below_three_raters_is_published(thin_results):
    groups = thin_results.tables["qualitative_groups"]
    published = groups[groups["score"].notna()]
    assert len(published) and published["n_raters"].min() >= ANONYMITY_FLOOR
    assert groups.loc[groups["rater_group"] == "expert", "score"].isna().all()  # two experts in all
    d01 = groups[(groups["unit_id"] == "D01") & (groups["rater_group"] == "leader")].iloc[0]
    assert d01["n_raters"] == 1 and np.isnan(d01["score"]) and not d01["published"]
    d03 = groups[(groups["unit_id"] == "D03") & (groups["rater_group"] == "leader")].iloc[0]
    assert d03["n_raters"] == 3 and d03["published"] and not np.isnan(d03["score"])  # at the floor


def test_combined_scores_rest_only_on_published_groups(thin_results):
    units = thin_results.tables["qualitative_units"]
    assert units.loc[units["score"].notna(), "n_raters"].min() >= ANONYMITY_FLOOR
    nodes = thin_results.nodes
    rating = nodes[(nodes["indicator"] == "rating_score") & nodes["raw_value"].notna()]
    assert len(rating) and rating["n"].min() >= ANONYMITY_FLOOR
    votes = nodes[nodes["indicator"] == "vote_score"].set_index("unit_id")
    assert np.isnan(votes.loc["D02", "raw_value"])  # two votes are never a score


def test_reliability_of_a_group_below_three_raters_is_not_published(thin_results):
    rel = thin_results.tables["reliability"]
    expert = rel[rel["rater_group"] == "expert"]
    assert len(expert) and (expert["n_raters"] < ANONYMITY_FLOOR).all()
    numeric = [c for c in ("icc1k", "icc1k_ci_low", "icc1k_ci_high", "alpha_interval", "kendall_w") if c in rel]
    assert expert[numeric].isna().all().all()
    assert (expert["agreement"] == "not_assessable").all() and not expert["low_agreement"].astype(bool).any()
    others = rel[rel["rater_group"] != "expert"]
    assert others["icc1k"].notna().any()


def test_the_report_shows_no_number_for_a_group_below_three(thin_results):
    section = qualitative_section(thin_results, "D01", "en")
    text = repr(section)
    assert "Not published" in text
    d01 = thin_results.tables["qualitative_groups"]
    hidden = d01[(d01["unit_id"] == "D01") & ~d01["published"].astype(bool)]
    assert len(hidden)
