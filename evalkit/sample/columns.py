"""Vectorised builders of table columns (ids, codes, dates) for large generated tables.

Text columns are built as Arrow string arrays, which is fast and compact for millions of
rows, and returned as pandas ``str`` columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def text_column(values: pa.Array) -> pd.Series:
    """A pandas ``str`` column from an Arrow string array (nulls become missing)."""
    return pd.Series(pd.array(values, dtype="str"))


def _fixed_width_text(prefix: str, numbers: np.ndarray, width: int,
                      missing: np.ndarray | None = None) -> pa.Array:
    """``prefix`` + zero-padded ``numbers`` as an Arrow string array, built from byte
    buffers with numpy (fast and compact for tens of millions of rows)."""
    head = prefix.encode("ascii")
    numbers = np.asarray(numbers, dtype=np.int64)
    n, size = len(numbers), len(head) + width
    buf = np.empty((n, size), dtype=np.uint8)
    buf[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    # 32-bit division is much faster than 64-bit; ids here stay far below 2**32
    rest = numbers.astype(np.uint32 if numbers.size == 0 or numbers.max() < 2**32 else np.uint64)
    for k in range(size - 1, len(head) - 1, -1):
        rest, digit = np.divmod(rest, 10)
        buf[:, k] = digit
    buf[:, len(head):] += 48
    offset_type = np.int32 if n * size < 2**31 else np.int64
    offsets = np.arange(n + 1, dtype=offset_type) * size
    validity = None
    if missing is not None and np.any(missing):
        validity = pa.py_buffer(np.packbits(~np.asarray(missing, bool), bitorder="little"))
    kind = pa.string() if offset_type is np.int32 else pa.large_string()
    arr = pa.Array.from_buffers(kind, n, [validity, pa.py_buffer(offsets), pa.py_buffer(buf)])
    return arr if kind == pa.string() else arr.cast(pa.string())


def sequential_ids(prefix: str, n: int, width: int, start: int = 1) -> pd.Series:
    """``prefix`` followed by ``start..start+n-1`` zero-padded to ``width`` digits."""
    width = max(width, len(str(start + n - 1)))
    return text_column(_fixed_width_text(prefix, np.arange(start, start + n), width))


def labels(codes: np.ndarray, choices) -> pd.Series:
    """``choices[codes[i]]`` for every row; a negative code gives a missing value."""
    codes = np.asarray(codes, dtype=np.int64)
    index = pa.array(codes, mask=codes < 0)
    return text_column(pa.array(list(choices), type=pa.string()).take(index))


def prefixed_numbers(prefix: str, numbers: np.ndarray, width: int,
                     missing: np.ndarray | None = None) -> pd.Series:
    """``prefix`` + each number zero-padded to ``width``; rows in ``missing`` are empty."""
    return text_column(_fixed_width_text(prefix, numbers, width, missing))


def dates(values: np.ndarray) -> pd.Series:
    """A datetime column (second resolution) from ``datetime64`` values; NaT = missing."""
    return pd.Series(np.asarray(values).astype("datetime64[s]"))


def choose(rng: np.random.Generator, probabilities, size: int) -> np.ndarray:
    """Draw ``size`` category codes ``0..k-1`` with the given probabilities."""
    p = np.asarray(probabilities, dtype=np.float64)
    return rng.choice(len(p), size=size, p=p / p.sum())


def choose_rowwise(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """Draw one category code per row from a row-wise probability matrix (rows sum to 1)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities))[:, None]
    return np.minimum((u > cumulative).sum(axis=1), probabilities.shape[1] - 1)


def spread_counts(rng: np.random.Generator, total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` records among units in proportion to ``weights`` (multinomial)."""
    w = np.asarray(weights, dtype=np.float64)
    if total == 0 or w.sum() == 0:
        return np.zeros(len(w), dtype=np.int64)
    return rng.multinomial(total, w / w.sum())


def deficit_rate(rng: np.random.Generator, quality: np.ndarray, median: float,
                 spread: float, noise: float, floor: float = 0.0, cap: float = 1.0) -> np.ndarray:
    """A per-unit "failure" share that shrinks with quality: ``median·exp(−spread·z + ε)``.

    Used as ``rate = 1 − deficit``, it gives rates bunched just below 100 % with a thin
    lower tail (left-skewed, as in the domain brief §4.3).
    """
    eps = rng.normal(0.0, noise, len(quality))
    return np.clip(median * np.exp(-spread * np.asarray(quality) + eps), floor, cap)
