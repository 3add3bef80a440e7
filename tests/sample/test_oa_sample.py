"""The sample's office-automation records (``oa_documents``): realistic, deterministic, and with
one post type below the anonymity floor (issue 17)."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.data.contract import OA_POST_TYPES
from evalkit.data.workdays import calendar_for_dates
from evalkit.qualitative.rubric import ANONYMITY_FLOOR
from evalkit.sample import SampleSpec
from evalkit.sample.context import YearContext
from evalkit.sample.office import SMALL_POST, SMALL_POST_DOCUMENTS, SMALL_POST_UNIT, oa_documents

YEAR = 2024


@pytest.fixture(scope="module")
def docs() -> pd.DataFrame:
    return oa_documents(YearContext.build(SampleSpec(), YEAR))


def test_the_table_is_deterministic(docs):
    pd.testing.assert_frame_equal(docs, oa_documents(YearContext.build(SampleSpec(), YEAR)))
    other = oa_documents(YearContext.build(SampleSpec(seed=7), YEAR))
    assert not other.equals(docs)


def test_every_unit_has_a_few_hundred_documents(docs):
    per_unit = docs.groupby("unit_id").size()
    assert len(per_unit) == 48 and per_unit.between(120, 500).all()
    assert docs["doc_id"].is_unique and docs["received_at"].is_monotonic_increasing
    assert (docs["received_at"].dt.year == YEAR).all()
    assert set(docs["post_type"]) <= set(OA_POST_TYPES) and set(docs["post_type"]) >= {"clerk", "head"}


def test_most_close_in_time_some_late_a_few_open(docs):
    cal = calendar_for_dates(docs["received_at"], docs["closed_at"], margin_days=0)
    used = cal.working_days_between(docs["received_at"], docs["closed_at"])
    closed = docs["closed_at"].notna().to_numpy()
    late = closed & (used > docs["limit_days"].to_numpy())
    assert 0.90 <= 1 - late.sum() / closed.sum() <= 0.995
    assert 0 < (~closed).sum() < 0.05 * len(docs)
    assert (docs["closed_at"].dropna() >= docs.loc[closed, "received_at"]).all()
    assigned = docs["assigned_at"].notna()
    assert (docs.loc[assigned, "assigned_at"] >= docs.loc[assigned, "received_at"]).all()
    both = assigned & docs["closed_at"].notna()
    assert (docs.loc[both, "closed_at"] >= docs.loc[both, "assigned_at"]).all()


def test_one_post_type_is_below_the_anonymity_floor(docs):
    small = docs[(docs["unit_id"] == SMALL_POST_UNIT) & (docs["post_type"] == SMALL_POST)]
    assert len(small) == SMALL_POST_DOCUMENTS < ANONYMITY_FLOOR
    shares = docs["post_type"].value_counts(normalize=True)
    assert 0.45 <= shares["clerk"] <= 0.60 and shares["head"] < 0.05
