"""Edges of evalkit/qualitative/reliability.py, pinned by hand.

Written against the surviving mutants of ``python benchmarks/mutation.py qualitative``
(issue 18): the exact messages of the ICC input checks (a missing column lists the columns
found; a non-numeric rating is a ReliabilityError, not a bare ValueError; a duplicate
target–rater pair is refused even when the two ratings differ; incomplete ratings).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from evalkit.qualitative.reliability import ReliabilityError, icc


def exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


def _long(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["t", "r", "x"])


GOOD = _long([("u1", "a", 1), ("u1", "b", 2), ("u2", "a", 3), ("u2", "b", 5), ("u3", "a", 4), ("u3", "b", 4)])


def test_icc_missing_column_lists_the_columns_found():
    with pytest.raises(ReliabilityError, match=exact("icc: expected a column 'score'; found t, r, x")):
        icc(GOOD, "t", "r", "score")


def test_icc_non_numeric_rating_is_a_reliability_error():
    bad = GOOD.astype({"x": object})
    bad.loc[3, "x"] = "five"
    with pytest.raises(ReliabilityError, match=exact("icc: expected numeric ratings in 'x'")):
        icc(bad, "t", "r", "x")


def test_icc_duplicate_pair_with_different_ratings_is_refused():
    dup = pd.concat([GOOD, _long([("u1", "a", 9)])], ignore_index=True)  # u1 rated twice by a
    with pytest.raises(ReliabilityError, match=exact(
            "icc: expected one rating per target and rater; found duplicates")):
        icc(dup, "t", "r", "x")


def test_icc_incomplete_ratings_raise_by_default_and_are_dropped_on_request():
    holes = pd.concat([GOOD, _long([("u4", "a", 2)])], ignore_index=True)  # u4 lacks rater b
    with pytest.raises(ReliabilityError, match=exact(
            "icc: expected complete, balanced ratings (every rater rates every target); "
            "use nan_policy='omit' to drop incomplete targets")):
        icc(holes, "t", "r", "x")
    # omitting u4 leaves GOOD: the same six ICCs
    pd.testing.assert_frame_equal(icc(holes, "t", "r", "x", nan_policy="omit"), icc(GOOD, "t", "r", "x"))
