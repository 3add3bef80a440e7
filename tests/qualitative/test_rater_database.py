"""The evaluator database (评估人员数据库, issue 12 item 5): declared conflicts, terms and
per-year assignments decide which ratings count, and only counts leave the office.

A hand-made registry of five raters and three units, year 2024, two criteria per rating:

============  =====  =========  ======================  ===========================
rater         group  own unit   term                    rates
============  =====  =========  ======================  ===========================
A             peer   U1         2023-01-01..2025-12-31  U1 (own), U2 (declared), U3
B             expert —          2020-01-01..2023-12-31  U2 (term ended in 2023)
C             expert —          none                    U2 (assigned), U3 (not assigned)
D             leader —          2024-07-01..(open)      U1 (term starts mid-year: counts)
E             leader —          (none)..2024-01-01      U1 (term's last day in 2024: counts)
F             leader —          2025-01-01..(none)      U1 (term starts in 2025)
G             leader —          none                    U1
============  =====  =========  ======================  ===========================

Declared conflicts: A–U1 (their own unit, declared too) and A–U2. Assignments for 2024:
A–U3, B–U2, C–U2, D–U1, E–U1, F–U1, G–U1 (and A–U2, which the declared conflict overrides).
"""

from __future__ import annotations

import dataclasses
import logging

import pandas as pd
import pytest

from evalkit.qualitative import exclude_ineligible, exclude_own_unit, exclusion_counts, evaluate_ratings
from evalkit.qualitative.registry import COUNT_COLUMNS, EXCLUSION_COLUMNS, REASONS_ZH
from evalkit.indicators.qualitative import eligible_ratings, rater_registry, rating_score
from evalkit.qualitative.rubric import AggregationPolicy, AnonymityWarning

YEAR = 2024

RATERS = pd.DataFrame({
    "rater_id": ["A", "B", "C", "D", "E", "F", "G"],
    "rater_group": ["peer", "expert", "expert", "leader", "leader", "leader", "leader"],
    "own_unit_id": ["U1", None, None, None, None, None, None],
    "name": ["甲某某", "乙某某", "丙某某", "丁某某", "戊某某", "己某某", "庚某某"],
    "term_start": pd.to_datetime(["2023-01-01", "2020-01-01", None, "2024-07-01", None, "2025-01-01", None]),
    "term_end": pd.to_datetime(["2025-12-31", "2023-12-31", None, None, "2024-01-01", None, None]),
})
CONFLICTS = pd.DataFrame({"rater_id": ["A", "A"], "unit_id": ["U1", "U2"],
                          "reason": ["本人所在单位", "近亲属在该单位任职"]})
ASSIGNMENTS = pd.DataFrame({"rater_id": ["A", "A", "B", "C", "D", "E", "F", "G"],
                            "unit_id": ["U2", "U3", "U2", "U2", "U1", "U1", "U1", "U1"]})
PAIRS = [("A", "U1"), ("A", "U2"), ("A", "U3"), ("B", "U2"), ("C", "U2"), ("C", "U3"), ("D", "U1"),
         ("E", "U1"), ("F", "U1"), ("G", "U1")]
GROUP = dict(zip(RATERS["rater_id"], RATERS["rater_group"]))


def ratings() -> pd.DataFrame:
    rows = [{"rater_id": r, "rater_group": GROUP[r], "unit_id": u, "criterion": c, "score": 80.0}
            for r, u in PAIRS for c in ("C1", "C2")]
    return pd.DataFrame(rows)


def excluded(result) -> list[list]:
    return result.exclusions[["rater_id", "unit_id", "n_ratings", "reason"]].values.tolist()


def eligible_pairs(result) -> list[tuple[str, str]]:
    return sorted(set(zip(result.eligible["rater_id"], result.eligible["unit_id"])))


def test_every_rule_with_hand_worked_exclusions():
    res = exclude_ineligible(ratings(), RATERS, year=YEAR, assignments=ASSIGNMENTS, conflicts=CONFLICTS)
    # A–U1: own unit (declared too: excluded once, under the first reason); A–U2: declared;
    # B–U2: term ended 2023-12-31; C–U3: not assigned; F–U1: term starts 2025-01-01.
    assert excluded(res) == [["A", "U1", 2, "own_unit"], ["A", "U2", 2, "conflict_of_interest"],
                             ["B", "U2", 2, "outside_term"], ["C", "U3", 2, "not_assigned"],
                             ["F", "U1", 2, "outside_term"]]
    assert list(res.exclusions.columns) == EXCLUSION_COLUMNS
    assert res.exclusions["reason_zh"].tolist() == [REASONS_ZH[r] for r in res.exclusions["reason"]]
    # what counts: A–U3 (assigned), C–U2, D–U1 (term overlaps 2024), E–U1 (ends on 1 January), G–U1
    assert eligible_pairs(res) == [("A", "U3"), ("C", "U2"), ("D", "U1"), ("E", "U1"), ("G", "U1")]
    assert len(res.eligible) == 10
    # never a name, never a score in the office table
    assert "name" not in res.exclusions.columns and "score" not in res.exclusions.columns


def test_counts_per_reason_carry_no_rater_and_no_unit():
    res = exclude_ineligible(ratings(), RATERS, year=YEAR, assignments=ASSIGNMENTS, conflicts=CONFLICTS)
    counts = exclusion_counts(res.exclusions)
    assert list(counts.columns) == COUNT_COLUMNS
    assert counts[["reason", "n_ratings", "n_pairs"]].values.tolist() == [
        ["not_in_registry", 0, 0], ["group_mismatch", 0, 0], ["own_unit", 2, 1],
        ["conflict_of_interest", 2, 1], ["outside_term", 4, 2], ["not_assigned", 2, 1]]
    empty = exclusion_counts(exclude_own_unit(ratings().head(0), RATERS).exclusions)
    assert empty["n_ratings"].tolist() == [0] * len(REASONS_ZH)


def test_each_table_is_optional():
    # without the year, terms are not looked at: B–U2 and F–U1 count
    res = exclude_ineligible(ratings(), RATERS, assignments=ASSIGNMENTS, conflicts=CONFLICTS)
    assert [r[0:2] + [r[3]] for r in excluded(res)] == [["A", "U1", "own_unit"], ["A", "U2", "conflict_of_interest"],
                                                         ["C", "U3", "not_assigned"]]
    # without assignments (or with an empty table), C–U3 counts
    for assignments in (None, ASSIGNMENTS.head(0)):
        res = exclude_ineligible(ratings(), RATERS, year=YEAR, assignments=assignments, conflicts=CONFLICTS)
        assert ("C", "U3") in eligible_pairs(res)
    # without declared conflicts, A–U2 would count but for the assignments, which list it
    res = exclude_ineligible(ratings(), RATERS, year=YEAR, assignments=ASSIGNMENTS)
    assert ("A", "U2") in eligible_pairs(res)
    # a registry without term columns: every rater is in term
    res = exclude_ineligible(ratings(), RATERS.drop(columns=["term_start", "term_end"]), year=YEAR)
    assert excluded(res) == [["A", "U1", 2, "own_unit"]]
    # exclude_own_unit is the registry rules alone
    assert excluded(exclude_own_unit(ratings(), RATERS)) == [["A", "U1", 2, "own_unit"]]


def test_the_log_counts_conflicts_terms_and_assignments_without_naming_anyone(caplog):
    with caplog.at_level(logging.INFO, logger="evalkit.qualitative"):
        exclude_ineligible(ratings(), RATERS, year=YEAR, assignments=ASSIGNMENTS, conflicts=CONFLICTS)
    lines = [r.getMessage() for r in caplog.records]
    assert "excluded 2 rating(s) (own_unit, 本单位人员不评本单位（回避）): A→U1" in lines
    assert "excluded 2 rating(s) (conflict_of_interest, 申报利益冲突（回避）) of 1 rater–unit pair(s)" in lines
    assert "excluded 4 rating(s) (outside_term, 不在评估人员聘期内) of 2 rater–unit pair(s)" in lines
    assert "excluded 2 rating(s) (not_assigned, 未分配评估该单位) of 1 rater–unit pair(s)" in lines
    text = "\n".join(lines)
    for pair in ("A→U2", "B→U2", "C→U3", "F→U1"):
        assert pair not in text
    assert not any(name in text for name in RATERS["name"])


def test_evaluate_ratings_aggregates_only_what_counts():
    # U1's leaders score D 70, E 90, G 80 and F 10; F's term starts in 2025, so the group is
    # D, E and G: (70 + 90 + 80) / 3 = 80 on each criterion (with F: 250 / 4 = 62.5). The
    # other groups of U1 (A, own unit) and of U2, U3 (one rater each) are below 3 raters.
    frame = ratings()
    for rater, score in (("D", 70.0), ("E", 90.0), ("G", 80.0), ("F", 10.0)):
        frame.loc[frame["rater_id"] == rater, "score"] = score
    with pytest.warns(AnonymityWarning):
        policy = AggregationPolicy(min_raters=3)
    ev = evaluate_ratings(frame, RATERS, policy=policy, reliability=False, diagnostics=False, year=YEAR,
                          assignments=ASSIGNMENTS, conflicts=CONFLICTS)
    assert ev.exclusions["reason"].tolist() == ["own_unit", "conflict_of_interest", "outside_term",
                                                "not_assigned", "outside_term"]
    leaders = ev.group_scores.set_index(["unit_id", "rater_group"]).loc[("U1", "leader")]
    assert leaders["score"] == pytest.approx(80.0) and leaders["n_raters"] == 3
    u1 = ev.unit_scores.set_index("unit_id").loc["U1"]
    assert u1["score"] == pytest.approx(80.0) and u1["n_raters"] == 3
    # without the registry tables F would count: 62.5
    plain = evaluate_ratings(frame, RATERS, policy=policy, reliability=False, diagnostics=False)
    assert plain.unit_scores.set_index("unit_id").loc["U1", "score"] == pytest.approx(62.5)
    # no table of the evaluation carries a registry column other than the rater id
    for table in ("criterion_scores", "group_scores", "unit_scores", "exclusions"):
        assert not {"name", "organisation", "qualification", "term_start", "term_end"} & set(
            getattr(ev, table).columns), table


# --- the committed sample ------------------------------------------------------------------------


def test_the_sample_registry_excludes_only_the_self_rating(sample_dataset, sample_ratings):
    registry = rater_registry(sample_dataset, YEAR)
    assert registry["assignments"] is not None and registry["conflicts"] is not None
    assert registry["raters"]["name"].notna().all() and registry["raters"]["term_end"].notna().all()
    res = exclude_ineligible(sample_ratings, registry.pop("raters"), **registry)
    counts = exclusion_counts(res.exclusions).set_index("reason")["n_ratings"]
    assert counts.to_dict() == {"not_in_registry": 0, "group_mismatch": 0, "own_unit": 4,
                                "conflict_of_interest": 0, "outside_term": 0, "not_assigned": 0}
    assert len(eligible_ratings(sample_dataset, YEAR)) == len(sample_ratings) - 4


def test_a_declared_conflict_removes_the_raters_ratings_of_that_unit(sample_dataset, sample_ratings):
    # declare a conflict for one service user who rated D01 in 2024: rating_score of D01 is then
    # what it is with that rater's D01 ratings deleted from the data, on one rater fewer
    rater = sample_ratings.loc[(sample_ratings["unit_id"] == "D01")
                               & (sample_ratings["rater_group"] == "service_user"), "rater_id"].iloc[0]
    tables = dict(sample_dataset.tables)
    conflicts = sample_dataset.table("rater_conflicts")
    tables[(None, "rater_conflicts")] = pd.concat(
        [conflicts, pd.DataFrame({"rater_id": [rater], "unit_id": ["D01"], "reason": ["近亲属在该单位任职"],
                                  "declared_date": [pd.Timestamp("2024-01-05")]})], ignore_index=True)
    declared = dataclasses.replace(sample_dataset, tables=tables)
    tables = dict(sample_dataset.tables)
    gone = (sample_ratings["rater_id"] == rater) & (sample_ratings["unit_id"] == "D01")
    tables[(YEAR, "ratings")] = sample_ratings[~gone].reset_index(drop=True)
    deleted = dataclasses.replace(sample_dataset, tables=tables)
    got = rating_score(declared, YEAR).set_index("unit_id")
    pd.testing.assert_frame_equal(got, rating_score(deleted, YEAR).set_index("unit_id"))
    before = rating_score(sample_dataset, YEAR).set_index("unit_id")
    assert got.loc["D01", "n"] == before.loc["D01", "n"] - 1
    assert got.drop(index="D01").equals(before.drop(index="D01"))


# --- the contract ------------------------------------------------------------------------------


@pytest.fixture
def small_district(tmp_path):
    """The sample's registry, declared conflicts and 2024 ratings and assignments."""
    from tests.helpers import SAMPLE

    data = tmp_path / "district"
    (data / str(YEAR)).mkdir(parents=True)
    for name in ("units.csv", "raters.csv", "rater_conflicts.csv"):
        (data / name).write_bytes((SAMPLE / name).read_bytes())
    for name in ("ratings.csv.gz", "rater_assignments.csv"):
        (data / str(YEAR) / name).write_bytes((SAMPLE / str(YEAR) / name).read_bytes())
    return data


def _errors(data) -> list[str]:
    from evalkit.data.dataset import validate_directory

    return [str(p) for p in validate_directory(data) if p.severity == "error"]


def test_the_registry_tables_validate_and_old_registries_stay_valid(small_district):
    assert _errors(small_district) == []
    raters = pd.read_csv(small_district / "raters.csv", dtype=str, keep_default_na=False)
    raters[["rater_id", "rater_group", "own_unit_id"]].to_csv(small_district / "raters.csv", index=False)
    (small_district / "rater_conflicts.csv").write_text("rater_id,unit_id,reason\n", encoding="utf-8")
    assert _errors(small_district) == []  # no name, term …; a conflicts file with no rows


def test_a_term_ending_before_it_starts_and_unknown_raters_are_refused(small_district):
    raters = pd.read_csv(small_district / "raters.csv", dtype=str, keep_default_na=False)
    raters.loc[raters["rater_id"] == "ZJ01", "term_end"] = "2019-12-31"
    raters.to_csv(small_district / "raters.csv", index=False)
    with open(small_district / str(YEAR) / "rater_assignments.csv", "a", encoding="utf-8") as f:
        f.write("XX99,D01\n")
    with open(small_district / "rater_conflicts.csv", "a", encoding="utf-8") as f:
        f.write("ZJ01,D99,近亲属在该单位任职,\n")
    errors = _errors(small_district)
    assert len(errors) == 3, errors
    assert any("raters.csv" in e and "term_end" in e and "2019-12-31" in e for e in errors)
    assert any("rater_assignments.csv" in e and "XX99" in e for e in errors)
    assert any("rater_conflicts.csv" in e and "D99" in e for e in errors)


def test_an_assignments_file_without_rows_is_refused(small_district):
    (small_district / str(YEAR) / "rater_assignments.csv").write_text("rater_id,unit_id\n", encoding="utf-8")
    errors = _errors(small_district)
    assert len(errors) == 1 and "rater_assignments.csv" in errors[0]


def test_without_conflicts_or_assignments_nothing_is_warned_about(small_district):
    from evalkit.data.dataset import validate_directory

    (small_district / "rater_conflicts.csv").unlink()
    (small_district / str(YEAR) / "rater_assignments.csv").unlink()
    problems = [str(p) for p in validate_directory(small_district)]
    assert problems and not [p for p in problems if "rater_conflicts" in p or "rater_assignments" in p]


def test_the_sample_registry_is_consistent_with_its_ratings_in_every_year():
    from evalkit.sample.qualitative import DECLARED_CONFLICTS
    from tests.helpers import SAMPLE

    raters = pd.read_csv(SAMPLE / "raters.csv", dtype=str, keep_default_na=False)
    assert raters["name"].str.len().eq(3).all() and (raters["organisation"] != "").all()
    assert (raters["term_start"] <= "2022-01-01").all() and (raters["term_end"] >= "2024-12-31").all()
    own = set(zip(raters["rater_id"], raters["own_unit_id"]))
    declared = {(r, u) for r, u, _ in DECLARED_CONFLICTS}
    for year in (2022, 2023, 2024):
        rated = pd.read_csv(SAMPLE / str(year) / "ratings.csv.gz", dtype=str)
        assigned = pd.read_csv(SAMPLE / str(year) / "rater_assignments.csv", dtype=str)
        pairs = set(zip(rated["rater_id"], rated["unit_id"]))
        assert set(zip(assigned["rater_id"], assigned["unit_id"])) == pairs - own - declared, year
        # the declared conflicts other than the self-rater's own unit exclude no rating
        assert not (declared - own) & pairs, year
