"""Cleaning the text of input cells and names: Unicode NFC, and no invisible controls.

Text copied from web pages, chat messages and word processors carries characters nobody
sees: zero-width spaces and joiners (U+200B–U+200D, U+2060, U+FEFF inside text), soft
hyphens (U+00AD), and the bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E,
U+200F, U+061C) that reorder what is displayed — "Trojan Source" text. Two names that look
the same then compare different (a unit id ``D01`` followed by U+200B is not ``D01``), and
no font has a glyph for them, so a report would fail long after validation said nothing.

:func:`clean_text` removes every *format* character (Unicode category Cf: all of the above)
and every control character (category Cc) except tab, line feed and carriage return, and
returns the text in Unicode Normalization Form C (composed characters, so that ``é`` typed
as ``e`` + combining accent equals ``é``). Removal is reported; NFC is not (it changes no
character a reader sees). :func:`clean_column` does the same for a column, vectorised: an
all-ASCII value (the common case) is left alone at no cost, and the other values are cleaned
once per distinct value.

Reference: Unicode Standard Annex #15 (normalization forms) and #9 (the bidirectional
algorithm); N. Boucher & R. Anderson, "Trojan Source: Invisible Vulnerabilities", USENIX
Security 2023.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from ..errors import Problem

__all__ = ["INVISIBLE", "clean_text", "removed_characters", "describe", "clean_column",
           "clean_cells", "invisible_character_warnings"]

#: Unicode format characters (category Cf, as of Unicode 15.1) and control characters
#: (category Cc) but tab, LF and CR, as ``(first, last)`` code points. A test checks that
#: they cover every such character of the running Python's Unicode database.
INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0008), (0x000B, 0x000C), (0x000E, 0x001F), (0x007F, 0x009F),  # Cc
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)

#: Every character :func:`clean_text` removes.
INVISIBLE = re.compile("[" + "".join(
    f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in INVISIBLE_RANGES) + "]")


#: A character other than printable ASCII, tab, LF and CR: the cell may need cleaning.
_SUSPECT = r"[^\x20-\x7e\t\n\r]"


def removed_characters(text: str) -> list[str]:
    """The distinct characters :func:`clean_text` would remove from ``text``, in order of
    first appearance."""
    return list(dict.fromkeys(INVISIBLE.findall(text)))


def clean_text(text: str) -> str:
    """``text`` without format and control characters (tab, LF and CR kept), in NFC."""
    if text.isascii():
        return INVISIBLE.sub("", text) if not text.isprintable() else text
    return unicodedata.normalize("NFC", INVISIBLE.sub("", text))


def describe(chars: list[str]) -> str:
    """``U+200B ZERO WIDTH SPACE, U+202E RIGHT-TO-LEFT OVERRIDE`` for the removed ``chars``."""
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'CONTROL CHARACTER')}" for c in chars)


def clean_column(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """``(cleaned, removed)``: a column of raw cells with every text value cleaned by
    :func:`clean_text`, and the mask of cells that lost a character. Columns that hold no
    text (numbers, dates of a Parquet file) come back unchanged."""
    n = len(series)
    nothing = np.zeros(n, dtype=bool)
    if n == 0 or not (pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series)):
        return series, nothing
    # Values that may change: any character but printable ASCII, tab, LF and CR (one
    # vectorised pass for Arrow-backed strings; non-strings are left alone).
    try:
        suspect = series.str.contains(_SUSPECT, regex=True, na=False).to_numpy(dtype=bool)
    except AttributeError:  # an object column without any string (dates of a Parquet file)
        return series, nothing
    if not suspect.any():
        return series, nothing
    idx = np.flatnonzero(suspect)
    picked = series.iloc[idx]
    codes, uniques = pd.factorize(picked, use_na_sentinel=True)
    cleaned_uniques = [clean_text(u) if isinstance(u, str) else u for u in uniques]
    lost = np.array([isinstance(u, str) and INVISIBLE.search(u) is not None for u in uniques],
                    dtype=bool)
    changed_u = np.array([c != u for c, u in zip(cleaned_uniques, uniques)], dtype=bool)
    if not changed_u.any():
        return series, nothing
    out = series.copy()
    valid = codes >= 0
    values = np.asarray(cleaned_uniques, dtype=object)
    keep = valid & changed_u[np.where(valid, codes, 0)]
    out.iloc[idx[keep]] = values[codes[keep]]
    removed = nothing.copy()
    removed[idx[valid]] = lost[codes[valid]]
    return out, removed


def invisible_character_warnings(display: str, rows: np.ndarray, removed: np.ndarray,
                                 column: str, original: pd.Series, cleaned: pd.Series,
                                 limit: int = 10) -> list[Problem]:
    """One warning per cell that lost characters (the first ``limit``), then one line for the
    rest: file, row as the user sees it, column, which characters and the value kept."""
    idx = np.flatnonzero(removed)
    if idx.size == 0:
        return []
    expected = "text without invisible characters (zero-width, bidirectional or control)"
    out = []
    for i in idx[:limit]:
        kept = str(cleaned.iloc[i])
        shown = kept if len(kept) <= 40 else kept[:37] + "..."
        out.append(Problem(display, int(rows[i]), column, expected,
                           f"{describe(removed_characters(str(original.iloc[i])))}, removed "
                           f"(the value read is '{shown}')", severity="warning"))
    if idx.size > limit:
        out.append(Problem(display, None, column, expected,
                           f"the same on {idx.size - limit:,} more row(s) (first rows listed above); "
                           "the characters were removed", severity="warning"))
    return out


def clean_cells(series: pd.Series, display: str, rows: np.ndarray,
                column: str) -> tuple[pd.Series, list[Problem]]:
    """:func:`clean_column` of one column of a file, with its
    :func:`invisible_character_warnings` (file, row, column)."""
    cleaned, removed = clean_column(series)
    return cleaned, invisible_character_warnings(display, rows, removed, column, series, cleaned)
