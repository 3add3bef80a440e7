"""Screening units by data availability (and, optionally, by their share of zeros).

For each unit, over the indicator columns:

* ``availability = 1 − n_missing / n_indicators``;
* ``nonzero_share = 1 − n_zero / (n_indicators − n_missing)`` (zeros as a share of the
  values present).

A unit is kept when ``availability ≥ min_coverage`` (``by="missing"``), when
``nonzero_share ≥ min_nonzero`` (``by="zeros"``), or when both hold
(``by="missing_or_zeros"``: dropped if either fails). ``include`` and ``exclude`` force
units in or out whatever the rule says. These are COINr's ``Screen()`` rules
(``unit_screen = "byNA" | "byzeros" | "byNAandzeros"``, ``dat_thresh``,
``nonzero_thresh``, ``Force``) with the same defaults (2/3 and 0.05).

References
----------
Becker, W. et al. (2022). COINr. *JOSS* 7(78), 4567 (``Screen``, ``get_data_avail``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["data_availability", "screen_units", "SCREEN_RULES"]

SCREEN_RULES = ("missing", "zeros", "missing_or_zeros")


def data_availability(data: pd.DataFrame) -> pd.DataFrame:
    """Per unit: ``n_missing, n_zero, availability, nonzero_share`` over the columns of ``data``."""
    values = data.to_numpy(dtype="float64", na_value=np.nan)
    n = values.shape[1]
    missing = np.isnan(values).sum(axis=1)
    zero = (values == 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        availability = 1.0 - missing / n if n else np.full(len(values), np.nan)
        nonzero = 1.0 - zero / (n - missing)
    return pd.DataFrame({"n_missing": missing, "n_zero": zero, "availability": availability,
                         "nonzero_share": nonzero}, index=data.index)


def screen_units(data: pd.DataFrame, *, min_coverage: float = 2 / 3, by: str = "missing",
                 min_nonzero: float = 0.05, include: Iterable = (), exclude: Iterable = ()
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop units whose data are too sparse (or too often zero).

    Parameters
    ----------
    data : DataFrame
        Units in rows, indicators in columns.
    min_coverage : float in [0, 1]
        Minimum share of indicators with a value (COINr ``dat_thresh``).
    by : {"missing", "zeros", "missing_or_zeros"}
        Which rule screens (see the module docstring).
    min_nonzero : float in [0, 1]
        Minimum share of non-zero values among those present (COINr ``nonzero_thresh``).
    include, exclude : iterables of unit codes
        Units kept, or dropped, whatever the rule says (a unit may not be in both).

    Returns
    -------
    (screened, summary)
        ``screened``: the rows of ``data`` kept, in their order. ``summary``: one row per
        unit of :func:`data_availability` plus ``low_data``, ``low_nonzero`` and
        ``included``.
    """
    if by not in SCREEN_RULES:
        raise ValueError(f"screen_units: by must be one of {SCREEN_RULES}; got {by!r}")
    for label, value in (("min_coverage", min_coverage), ("min_nonzero", min_nonzero)):
        if not 0 <= value <= 1:
            raise ValueError(f"screen_units: {label} must be between 0 and 1; got {value!r}")
    include, exclude = list(include), list(exclude)
    both = sorted(set(include) & set(exclude), key=str)
    if both:
        raise ValueError(f"screen_units: units both forced in and out: {both!r}")
    unknown = [u for u in include + exclude if u not in data.index]
    if unknown:
        raise ValueError(f"screen_units: forced units are not in the data: {unknown!r}")
    summary = data_availability(data)
    low_data = (summary["availability"] < min_coverage).to_numpy()
    # A unit without any value has no zero share: it counts as failing the zero rule too.
    nonzero = summary["nonzero_share"].to_numpy()
    low_nonzero = ~(nonzero >= min_nonzero)
    if by == "missing":
        keep = ~low_data
    elif by == "zeros":
        keep = ~low_nonzero
    else:
        keep = ~(low_data | low_nonzero)
    keep = keep & ~summary.index.isin(exclude) | summary.index.isin(include)
    summary = summary.assign(low_data=low_data, low_nonzero=low_nonzero, included=keep)
    return data.loc[keep], summary
