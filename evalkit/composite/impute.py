"""Imputation of missing indicator values, one indicator (column) at a time.

Methods (COINr's ``i_mean``, ``i_median``, ``i_mean_grp``, ``i_median_grp``):

* ``"mean"`` / ``"median"`` — the mean or median of the values present in the column;
* ``"group_mean"`` / ``"group_median"`` — the same within the unit's group (e.g. Europe vs
  Asia), given by a column of unit groups.

Conventions
-----------
* Values present are never changed.
* A column (or a group within a column) without any value stays missing; so does a unit
  whose group is missing (COINr's ``skip_f_na = TRUE``).
* Imputation uses the units given: impute after screening to let only retained units
  inform the fill values, before it to let every unit do so (COINr's example imputes
  first).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, step 3 (imputation of
missing data). Becker, W. et al. (2022). COINr. *JOSS* 7(78), 4567 (``Impute``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["impute", "IMPUTE_METHODS"]

IMPUTE_METHODS = ("mean", "median", "group_mean", "group_median")


def impute(data: pd.DataFrame, method: str = "mean", groups: pd.Series | None = None) -> pd.DataFrame:
    """Fill missing values column by column.

    Parameters
    ----------
    data : DataFrame
        Units in rows, indicators in columns.
    method : {"mean", "median", "group_mean", "group_median"}
    groups : Series, optional
        Group of each unit (indexed like ``data``); required by the group methods.

    Returns
    -------
    DataFrame like ``data`` with missing values filled where possible.
    """
    if method not in IMPUTE_METHODS:
        raise ValueError(f"impute: method must be one of {IMPUTE_METHODS}; got {method!r}")
    stat = "mean" if method.endswith("mean") else "median"
    if method.startswith("group"):
        if groups is None:
            raise ValueError(f"impute: method {method!r} needs the unit groups")
        g = groups.reindex(data.index)
        if g.isna().all():
            raise ValueError("impute: every unit's group is missing")
        fill = data.groupby(g, dropna=True, sort=False).transform(stat)
    else:
        fill = pd.DataFrame(np.broadcast_to(data.agg(stat).to_numpy(dtype="float64"), data.shape),
                            index=data.index, columns=data.columns)
    return data.where(data.notna(), fill)
