"""Ratings as integer codes: the fast path shared by aggregation, reliability and diagnostics.

Grouping a few hundred thousand ratings by several text keys with pandas re-encodes the keys
on every ``groupby``; coding them once (sorted categories) and working with ``np.bincount``
is several times faster and keeps the results in a deterministic, sorted order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CodedRatings:
    """Integer codes of the key columns (into the sorted ``*_names`` arrays) and the scores."""

    rater: np.ndarray
    unit: np.ndarray
    group: np.ndarray
    criterion: np.ndarray
    score: np.ndarray
    rater_names: np.ndarray
    unit_names: np.ndarray
    group_names: np.ndarray
    criterion_names: np.ndarray

    @property
    def n_raters(self) -> int:
        return len(self.rater_names)

    @property
    def n_units(self) -> int:
        return len(self.unit_names)

    @property
    def n_groups(self) -> int:
        return len(self.group_names)

    @property
    def n_criteria(self) -> int:
        return len(self.criterion_names)


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def code_ratings(ratings: pd.DataFrame, score: np.ndarray | None = None) -> CodedRatings:
    """Code ``rater_id, unit_id, rater_group, criterion`` of ratings whose score is present.

    ``score`` may replace the ``score`` column (e.g. severity-adjusted scores, same order).
    Rows with a missing score must have been removed by the caller.
    """
    r, rn = _codes(ratings["rater_id"])
    u, un = _codes(ratings["unit_id"])
    g, gn = _codes(ratings["rater_group"])
    c, cn = _codes(ratings["criterion"])
    x = ratings["score"].to_numpy(dtype=float) if score is None else np.asarray(score, dtype=float)
    return CodedRatings(r, u, g, c, x, rn, un, gn, cn)


def group_ids(*parts: tuple[np.ndarray, int]) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids of the combinations of several codes: (ids per row, sorted combined keys).

    Each part is (codes, number of categories); the combined key is the mixed-radix number
    of the parts, so the order of the ids is the lexicographic order of the parts.
    """
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, size in parts:
        key = key * size + codes
    keys, inverse = np.unique(key, return_inverse=True)
    return inverse.ravel(), keys


def split_key(keys: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    """Inverse of the mixed-radix key of :func:`group_ids`: one code array per part."""
    out = []
    rest = keys.copy()
    for size in reversed(sizes):
        out.append(rest % size)
        rest = rest // size
    return out[::-1]


def distinct_count(ids: np.ndarray, n_ids: int, other: np.ndarray, n_other: int) -> np.ndarray:
    """Number of distinct ``other`` codes within each id (e.g. distinct raters per cell)."""
    pairs = np.unique(ids * n_other + other)
    return np.bincount(pairs // n_other, minlength=n_ids)
