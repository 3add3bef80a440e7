"""Denomination: turn extensive indicators into intensive ones (per capita, per GDP, per km²).

``y_i = x_i · s_i / d_u`` for each indicator ``i`` denominated by column ``d`` with scale
factor ``s_i`` (default 1), unit by unit — COINr's ``Denominate()`` with its default
``f_denom`` (division; ``ScaleFactor`` multiplies the result).

Conventions
-----------
* A missing denominator gives a missing result. A zero denominator raises ``ValueError``
  naming the units: dividing by it would give an infinite indicator that no later step can
  use.
* Units are matched by the index, so the data may hold fewer units than the denominators
  (after screening, for instance) but not more.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, step 2 (scaling by
size). Becker, W. et al. (2022). COINr. *JOSS* 7(78), 4567 (``Denominate``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["denominate"]


def denominate(data: pd.DataFrame, denominators: pd.DataFrame, by: Mapping[str, str],
               scale: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Divide indicators by denominators.

    Parameters
    ----------
    data : DataFrame
        Units in rows (index = unit code), indicators in columns.
    denominators : DataFrame
        Units in rows (same codes), one column per denominator.
    by : mapping
        Indicator → denominator column; indicators not named are returned unchanged.
    scale : mapping, optional
        Indicator → factor multiplying the ratio (e.g. 1000 for "per thousand").

    Returns
    -------
    DataFrame like ``data`` (a new object; ``data`` is not modified).
    """
    scale = dict(scale or {})
    unknown = [c for c in by if c not in data.columns]
    if unknown:
        raise ValueError(f"denominate: expected indicators of the data; found {unknown!r}")
    absent = sorted({d for d in by.values() if d not in denominators.columns})
    if absent:
        raise ValueError(f"denominate: expected denominator columns {absent!r}; they are not in the "
                         f"denominator table ({', '.join(map(str, denominators.columns))})")
    extra = [c for c in scale if c not in by]
    if extra:
        raise ValueError(f"denominate: scale factors given for indicators that are not denominated: {extra!r}")
    missing_units = data.index.difference(denominators.index)
    if len(missing_units):
        raise ValueError(f"denominate: expected denominators for every unit; found none for "
                         f"{', '.join(map(str, missing_units[:5]))}")
    out = data.copy()
    matched = denominators.reindex(data.index)
    for indicator, column in by.items():
        d = matched[column].to_numpy(dtype="float64", na_value=np.nan)
        zero = d == 0
        if zero.any():
            units = ", ".join(map(str, data.index[zero][:5]))
            raise ValueError(f"denominate: {indicator} is divided by {column}, which is 0 for {units}")
        x = out[indicator].to_numpy(dtype="float64", na_value=np.nan)
        out[indicator] = x * float(scale.get(indicator, 1.0)) / d
    return out
