"""Tests of the seeded sample-district generator (evalkit.sample).

Rates are recomputed here with plain pandas from the generated tables and compared with
the ranges of the domain brief §4.3, so that the sample stays realistic when the
generator changes.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.data.contract import DISTRICT_TABLES, TABLES
from evalkit.sample import SampleSpec, generate_sample, sample_tables
from evalkit.sample.generate import YEAR_TABLES  # every year table but those evalkit's commands keep
from evalkit.sample.defects import PLANTED_DEFECTS
from evalkit.sample.district import NO_TICKET_UNIT, POOR_GRID_UNIT, POOR_HOTLINE_UNIT
from evalkit.sample.qualitative import (HARSH_RATER_ID, SELF_RATED_UNIT, SELF_RATER_ID,
                                        SHORT_EXPERT_CLASS)
from evalkit.data.workdays import WorkCalendar

YEARS = (2023, 2024)


def planted(year: int, kind: str) -> set[str]:
    """Units with a planted data-quality defect of ``kind`` in ``year`` (evalkit.sample.defects)."""
    return {d.unit_id for d in PLANTED_DEFECTS if d.year == year and d.kind == kind}
CORRECTIONS = ("revoked", "varied", "confirmed_unlawful", "ordered_to_perform")


@pytest.fixture(scope="module")
def tables() -> dict:
    return sample_tables(SampleSpec(years=YEARS))


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_district")
    generate_sample(out, SampleSpec(years=YEARS))
    return out


def year_frames(tables, name: str) -> pd.DataFrame:
    return pd.concat([tables[(y, name)].assign(year=y) for y in YEARS], ignore_index=True)


def directory_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------------------
# Determinism and files
# ----------------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files_and_other_seed_differs(tmp_path):
    spec = SampleSpec(years=(2024,))
    first = generate_sample(tmp_path / "a", spec)
    generate_sample(tmp_path / "b", spec)
    generate_sample(tmp_path / "c", SampleSpec(seed=spec.seed + 1, years=(2024,)))
    a, b, c = (directory_bytes(tmp_path / x) for x in "abc")
    assert a == b
    assert len(first) == len(a)
    differing = [name for name in a if name.endswith(".gz") and a[name] != c[name]]
    assert "2024/service_cases.csv.gz" in differing


def test_parquet_is_deterministic_and_equals_csv_content(tmp_path):
    spec = SampleSpec(years=(2024,), cases=3000, tickets=1500, fmt="parquet")
    generate_sample(tmp_path / "a", spec)
    generate_sample(tmp_path / "b", spec)
    assert directory_bytes(tmp_path / "a") == directory_bytes(tmp_path / "b")
    frame = pd.read_parquet(tmp_path / "a" / "2024" / "service_cases.parquet")
    # less the August cases of the unit whose August is missing (a planted defect): about 0.2 %
    assert 3000 - 30 <= len(frame) < 3000 and planted(2024, "dropped_month")
    assert list(frame.columns) == list(TABLES["service_cases"].column_names)


def test_a_year_does_not_depend_on_the_other_years_generated():
    alone = sample_tables(SampleSpec(years=(2024,)))
    together = sample_tables(SampleSpec(years=(2022, 2024)))
    for t in YEAR_TABLES:
        pd.testing.assert_frame_equal(alone[(2024, t.name)], together[(2024, t.name)])


def test_every_contract_table_is_written_for_every_year(sample_dir):
    for t in DISTRICT_TABLES:
        assert (sample_dir / f"{t.name}.csv").is_file()
    big = {"service_cases", "hotline_tickets", "grid_cases", "survey_responses", "ratings", "oa_documents"}
    for year in YEARS:
        for t in YEAR_TABLES:
            suffix = ".csv.gz" if t.name in big else ".csv"
            assert (sample_dir / str(year) / f"{t.name}{suffix}").is_file(), (year, t.name)
    readme = (sample_dir / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "示例区" in readme and "Sample District" in readme
    assert "Seed: `20241`" in readme and "generate_sample(" in readme


def test_csv_files_follow_the_writing_conventions(sample_dir):
    raw = (sample_dir / "2024" / "service_cases.csv.gz").read_bytes()
    assert raw[4:8] == b"\x00\x00\x00\x00"  # gzip MTIME = 0
    assert raw[3] & 0x08 == 0  # no FNAME field
    text = gzip.decompress(raw).decode("utf-8")
    assert not text.startswith("\ufeff") and "\r" not in text
    header, first = text.split("\n")[:2]
    assert header == ",".join(TABLES["service_cases"].column_names)
    cells = dict(zip(header.split(","), first.split(",")))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells["received_date"])
    assert cells["instant"] in {"0", "1"}
    tickets = pd.read_csv(sample_dir / "2024" / "hotline_tickets.csv.gz", dtype=str,
                          keep_default_na=False)
    assert tickets["dispatched_at"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()
    assert set(tickets["solved"]) == {"0", "1", ""}


def test_tables_conform_to_the_contract(tables):
    for key, frame in tables.items():
        name = key if isinstance(key, str) else key[1]
        table = TABLES[name]
        assert list(frame.columns) == list(table.column_names), name
        assert len(frame) > 0, name
        assert not frame.duplicated(list(table.key)).any(), name
        assert frame.equals(frame.sort_values(list(table.key), ignore_index=True)), name
        for col in table.columns:
            values = frame[col.name]
            if not col.nullable:
                assert values.notna().all(), (name, col.name)
            if col.categories:
                assert set(values.dropna()) <= set(col.categories), (name, col.name)
            if col.minimum is not None:
                assert (values.dropna() >= col.minimum).all(), (name, col.name)
            if col.maximum is not None:
                assert (values.dropna() <= col.maximum).all(), (name, col.name)
        if not isinstance(key, str) and table.anchor_date:
            assert (frame[table.anchor_date].dt.year == key[0]).all(), name
        for order in table.orders:
            a, b = frame[order.earlier], frame[order.later]
            assert not (a.notna() & b.notna() & (b < a)).any(), (name, order)
    unit_ids = set(tables["units"]["unit_id"])
    for key, frame in tables.items():
        if "unit_id" in frame:
            assert set(frame["unit_id"]) <= unit_ids, key


def test_sample_validates_without_problems(sample_dir):
    from evalkit.data.dataset import validate_directory

    problems = validate_directory(sample_dir)
    assert [str(p) for p in problems] == []


# ----------------------------------------------------------------------------------------
# District and special cases
# ----------------------------------------------------------------------------------------


def test_units_are_35_departments_and_13_subdistricts(tables):
    units = tables["units"]
    counts = units.groupby("peer_group").size().to_dict()
    assert counts == {"department": 35, "subdistrict": 13}
    classes = units["unit_class"].value_counts().to_dict()
    assert classes == {"综合管理类": 10, "执法监管类": 12, "社会服务类": 13, "街道": 12, "镇": 1}
    real_xuhui = ("天平路", "湖南路", "斜土路", "枫林路", "长桥", "田林", "虹梅路", "康健",
                  "徐家汇", "凌云路", "龙华", "漕河泾", "华泾")
    assert not units["name_zh"].str.contains("|".join(real_xuhui)).any()


def test_one_department_has_no_hotline_ticket_in_any_year(tables):
    units_with_tickets = [set(tables[(y, "hotline_tickets")]["unit_id"]) for y in YEARS]
    departments = set(tables["units"].query("peer_group == 'department'")["unit_id"])
    never = departments - set.union(*units_with_tickets)
    assert never == {NO_TICKET_UNIT}


def test_every_unit_has_budget_lines_documents_staffing_votes(tables):
    from evalkit.sample.district import NOT_REPORTED

    units = set(tables["units"]["unit_id"])
    for y in YEARS:
        missing = {name: {u for u, names in NOT_REPORTED.get(y, {}).items() if name in names}
                   for name in ("budget_lines", "disclosure_documents", "staffing")}
        budget = tables[(y, "budget_lines")]
        rows = budget.groupby("unit_id").size()
        short = planted(y, "missing_months")  # two months of one line missing (a planted defect)
        assert (rows.drop(list(short)) == 36).all() and (rows[list(short)] == 34).all()
        assert set(budget["unit_id"]) == units - missing["budget_lines"]
        for name in ("disclosure_documents", "staffing"):
            assert set(tables[(y, name)]["unit_id"]) == units - missing[name]
        votes = tables[(y, "votes")]
        assert len(votes) == 4 * len(units)
    # the one scripted gap: D34 did not submit its 2024 budget lines and staffing
    assert NOT_REPORTED == {2024: {"D34": ("budget_lines", "staffing")}}


def test_rater_special_cases(tables):
    raters = tables["raters"].set_index("rater_id")
    assert raters.groupby("rater_group").size().to_dict() == {
        "expert": 6, "leader": 8, "peer": 48, "service_user": 60}
    assert raters.loc[SELF_RATER_ID, "own_unit_id"] == SELF_RATED_UNIT
    units = tables["units"].set_index("unit_id")["unit_class"]
    for y in YEARS:
        r = tables[(y, "ratings")]
        assert (r["rater_group"] == r["rater_id"].map(raters["rater_group"])).all()
        own = r["unit_id"] == r["rater_id"].map(raters["own_unit_id"])
        assert set(zip(r.loc[own, "rater_id"], r.loc[own, "unit_id"])) == {(SELF_RATER_ID, SELF_RATED_UNIT)}
        peers = r[r["rater_group"] == "peer"]
        harsh = peers.loc[peers["rater_id"] == HARSH_RATER_ID, "score"].mean()
        others = peers.loc[peers["rater_id"] != HARSH_RATER_ID, "score"].mean()
        assert 15 <= others - harsh <= 25
        experts = r[r["rater_group"] == "expert"].groupby("unit_id")["rater_id"].nunique()
        short = experts[experts.index.map(units) == SHORT_EXPERT_CLASS]
        assert len(short) == 13 and short.between(3, 4).all()
        assert experts[experts.index.map(units) != SHORT_EXPERT_CLASS].min() >= 5


def test_poor_performer_and_missing_values(tables):
    for y in YEARS:
        t = tables[(y, "hotline_tickets")]
        poor = t[t["unit_id"] == POOR_HOTLINE_UNIT]
        on_time = (poor["closed_at"] <= poor["due_at"]).sum() / poor["closed_at"].notna().sum()
        assert 0.80 <= on_time <= 0.88
        for col in ("callback_satisfaction", "solved", "category", "closed_at"):
            assert t[col].isna().any(), col
        cases = tables[(y, "service_cases")]
        pending = cases[cases["completed_date"].isna()]
        assert len(pending) > 0 and (pending["received_date"].dt.month == 12).all()
        assert cases["rating"].isna().any() and cases["item_code"].isna().any()
        staffing = tables[(y, "staffing")]
        assert (staffing["staff_in_post"] > staffing["authorised_posts"]).sum() == 1


# ----------------------------------------------------------------------------------------
# Realistic magnitudes (domain brief §4.3)
# ----------------------------------------------------------------------------------------


def test_service_case_rates(tables):
    cases = year_frames(tables, "service_cases")
    assert 0.30 <= cases["instant"].mean() <= 0.60
    assert 0.70 <= (cases["channel"] == "online").mean() <= 0.85
    instant = cases[cases["instant"]]
    assert (instant["promised_limit_days"] == 0).all()
    timed = cases[~cases["instant"]]
    ratio = timed["promised_limit_days"] / timed["statutory_limit_days"]
    assert ratio.between(0.35, 0.60).all()
    assert set(cases["statutory_limit_days"]) <= set(range(5, 21))
    rated = cases["rating"].notna()
    bad = cases["rating"].isin(["dissatisfied", "very_dissatisfied"])
    assert 0.60 <= rated.mean() <= 0.99
    assert 1 - bad.sum() / rated.sum() >= 0.995
    assert 2 <= bad.sum() <= 60
    rectified = cases.loc[bad, "bad_rating_rectified_date"].notna().mean()
    assert rectified >= 0.85
    # working days used: mostly 10–30 % of the promised limit, overdue ≤ 0.5 %
    calendar = WorkCalendar.build("2023-01-01", "2025-12-31")
    done = timed[timed["completed_date"].notna()]
    used = calendar.working_days_between(done["received_date"], done["completed_date"])
    assert 0.10 <= np.mean(used / done["promised_limit_days"]) <= 0.30
    assert np.mean(used > done["promised_limit_days"]) <= 0.005
    per_unit = tables[(2024, "service_cases")].groupby("unit_id").size()
    sub = per_unit[per_unit.index.str.startswith("S")]
    assert len(sub) == 13 and sub.between(2500, 5500).all()
    assert len(per_unit[per_unit.index.str.startswith("D")]) == 24


def _hotline_rates(t: pd.DataFrame, year: int) -> pd.DataFrame:
    end = pd.Timestamp(year=year, month=12, day=31, hour=23, minute=59, second=59)
    due = t["closed_at"].notna() | (t["due_at"] <= end)
    on_time = t["closed_at"].notna() & (t["closed_at"] <= t["due_at"])
    reached = t["callback_satisfaction"].notna()
    good = t["callback_satisfaction"].isin(["satisfied", "fairly_satisfied"])
    judged = t["closed_at"].notna() & t["solved"].notna()
    solved = judged & t["solved"].fillna(False).astype(bool)
    g = pd.DataFrame({"unit_id": t["unit_id"], "due": due, "on_time": on_time, "reached": reached,
                      "good": good, "judged": judged, "solved": solved}).groupby("unit_id").sum()
    return pd.DataFrame({"n": t.groupby("unit_id").size(), "on_time": g["on_time"] / g["due"],
                         "satisfaction": g["good"] / g["reached"], "solved": g["solved"] / g["judged"]})


def test_hotline_rates(tables):
    for y in YEARS:
        t = tables[(y, "hotline_tickets")]
        rates = _hotline_rates(t, y)
        big = rates[rates["n"] >= 100]
        assert 0.97 <= rates["on_time"].median() <= 1.0
        assert (big["on_time"] >= 0.95).mean() >= 0.85
        assert 0.85 <= rates["satisfaction"].median() <= 0.97
        assert 0.75 <= rates["solved"].median() <= 0.90
        closed = t["closed_at"].notna()
        assert 0.07 <= t.loc[closed, "callback_satisfaction"].isna().mean() <= 0.13
        dispatched = t["dispatched_at"]
        seconds = (dispatched - dispatched.dt.normalize()).dt.total_seconds()
        date_only = t["unit_id"].isin(planted(y, "date_only_times")).to_numpy()  # planted: at 00:00
        assert seconds[~date_only].between(8.5 * 3600, 17.5 * 3600).all() and (seconds[date_only] == 0).all()
        assert (t["due_at"] > dispatched).all()
        signed_hours = (t["signed_at"] - dispatched).dt.total_seconds() / 3600
        assert (signed_hours.dropna() <= 4).mean() >= 0.98
        contact_hours = (t["contacted_at"] - dispatched).dt.total_seconds() / 3600
        assert (contact_hours.dropna() <= 24).mean() >= 0.98
        mix = t["category"].value_counts(normalize=True)
        assert 0.42 <= mix["consultation"] <= 0.52


def test_grid_rates(tables):
    grid = year_frames(tables, "grid_cases")
    assert grid["closed_date"].notna().mean() >= 0.995
    assert 0.0005 <= grid["reworked"].mean() <= 0.005
    assert 0.0002 <= grid["extended"].mean() <= 0.002
    for y in YEARS:
        g = tables[(y, "grid_cases")]
        on_time = (g["closed_date"] <= g["due_date"]).groupby(g["unit_id"]).mean()
        assert on_time.median() >= 0.96
        assert 0.75 <= on_time[POOR_GRID_UNIT] <= 0.90


def test_budget_rates(tables):
    for y in YEARS:
        b = tables[(y, "budget_lines")]
        budget = b.groupby(["unit_id", "line"])["budget_yuan"].first().groupby("unit_id").sum()
        available = budget + b.groupby("unit_id")["adjustment_yuan"].sum()
        execution = b.groupby("unit_id")["spending_yuan"].sum() / available
        assert 0.90 <= execution.median() <= 1.0
        assert execution.between(0.90, 1.0).mean() >= 0.9
        assert 1 <= (execution < 0.90).sum() <= 3
        half = b[b["month"] <= 6].groupby("unit_id")["spending_yuan"].sum() / available
        assert 0.0 <= (0.5 - half).median() <= 0.10
        assert (b["adjustment_yuan"] == 0).mean() >= 0.9 and (b["adjustment_yuan"] > 0).any()
    three = {y: tables[(y, "budget_lines")].query("line == 'three_public'")
             .groupby("unit_id")["spending_yuan"].sum() for y in YEARS}
    change = (three[2024] / three[2023] - 1).dropna()  # D34 did not report its 2024 budget lines
    assert len(change) == len(three[2023]) - 1
    # D03's November and December 三公 reports are missing (a planted defect): its change reads low
    assert change.drop(list(planted(2024, "missing_months"))).between(-0.10, 0.05).all()


def test_disclosure_legal_audit_and_proposal_rates(tables):
    for y in YEARS:
        requests = tables[(y, "disclosure_requests")]
        per_unit = requests.groupby("unit_id").size()
        assert 500 <= len(requests) <= 1500 and per_unit.max() <= 150
        assert 0.01 <= requests["extended"].mean() <= 0.06
        projects = tables[(y, "projects")]
        assert 15 <= len(projects) <= 25
        milestones = tables[(y, "project_milestones")].groupby("project_id").size()
        assert milestones.between(3, 6).all() and set(milestones.index) == set(projects["project_id"])
    legal = year_frames(tables, "legal_cases")
    concluded = legal[legal["outcome"].notna()]
    reviews = concluded[concluded["kind"] == "review"]
    assert 0.05 <= reviews["outcome"].isin(CORRECTIONS).mean() <= 0.15
    suits = concluded[concluded["kind"] == "litigation"]
    assert 0.03 <= (suits["outcome"] == "lost").mean() <= 0.10
    enforcement = set(tables["units"].query("unit_class == '执法监管类'")["unit_id"])
    assert legal["unit_id"].isin(enforcement).mean() >= 0.5

    findings = year_frames(tables, "audit_findings")
    rect = year_frames(tables, "rectifications")
    assert ((rect["status"] == "closed") == rect["closed_date"].notna()).all()
    audit = rect[rect["source"] == "audit"]
    assert audit["finding_id"].notna().all() and set(audit["finding_id"]) == set(findings["finding_id"])
    closed = set(audit.loc[audit["status"] == "closed", "finding_id"])
    assert 0.90 <= findings["finding_id"].isin(closed).mean() <= 1.0
    assert {"supervision", "complaint"} <= set(rect["source"])

    proposals = year_frames(tables, "proposals")
    assert proposals["replied_date"].notna().all()
    assert set(proposals["kind"]) == {"npc_suggestion", "cppcc_proposal"}
    share = proposals["result_category"].value_counts(normalize=True)
    assert 0.50 <= share["A"] <= 0.60 and 0.28 <= share["B"] <= 0.36
    answered = proposals["satisfaction"].dropna()
    assert answered.isin(["satisfied", "fairly_satisfied"]).mean() >= 0.95


def test_qualitative_magnitudes(tables):
    for y in YEARS:
        r = tables[(y, "ratings")]
        stats = r.groupby("rater_group")["score"].agg(["mean", "std"])
        assert 86 <= stats.loc["leader", "mean"] <= 90 and 3 <= stats.loc["leader", "std"] <= 5
        assert stats.loc["peer", "mean"] < stats.loc["leader", "mean"]
        assert stats.loc["peer", "std"] > stats.loc["leader", "std"]
        assert 80 <= stats.loc["service_user", "mean"] <= 95
        raters = r.groupby(["rater_group", "unit_id"])["rater_id"].nunique()
        assert raters["leader"].between(5, 8).all()
        assert raters["peer"].between(20, 31).all()
        assert raters["service_user"].between(20, 40).all()
        assert set(r["criterion"]) == {"attitude", "efficiency", "integrity", "innovation"}
        survey = tables[(y, "survey_responses")]
        responses = survey.groupby("unit_id")["response_id"].nunique()
        assert len(responses) == 48 and responses.between(30, 80).all()
        questions = survey.groupby("response_id")["question"].agg(list)
        assert questions.map(lambda q: "overall" in q and 2 <= len(q) <= 3).all()
        assert set(survey["stratum"].dropna()) == {"企业", "居民"}
        assert survey.groupby("response_id")["stratum"].nunique(dropna=False).max() == 1
        votes = tables[(y, "votes")]
        counts = votes[["excellent", "competent", "basically_competent", "incompetent"]].sum()
        assert 0.5 <= counts["excellent"] / counts.sum() <= 0.85
