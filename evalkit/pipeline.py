"""The end-to-end computation: data directory + framework + year → :class:`Results`.

load and validate → indicators → scoring (rules, aggregation) → ranks and grades →
results with provenance. Pure apart from reading the inputs it is given.
"""

from __future__ import annotations

import importlib.metadata
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .dataset import Dataset, load_dataset
from .errors import EvalkitError
from .framework import Framework, load_framework
from .indicators.catalogue import BY_CODE, compute_indicators
from .results import Results
from .scoring.engine import score_tree
from .scoring.grades import rank_and_grade

_PACKAGES = ("numpy", "pandas", "pyarrow", "scipy", "matplotlib", "papermill", "nbconvert",
             "chinese_calendar", "PyYAML")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def score_year(dataset: Dataset, framework: Framework, year: int) -> pd.DataFrame | None:
    """Unit totals with ranks and grades for one year, or None when the year has no data."""
    if year not in dataset.years:
        return None
    values = compute_indicators(dataset, year, sorted({n.indicator for n in framework.leaves()}))
    units = dataset.units[["unit_id", "name_zh", "name_en", "peer_group", "unit_class"]]
    totals, nodes = score_tree(framework, units, values)
    totals = units.merge(totals, on="unit_id")
    totals = rank_and_grade(totals, framework.grades)
    totals.attrs["nodes"] = nodes
    return totals


def _node_table(framework: Framework, nodes: pd.DataFrame) -> pd.DataFrame:
    meta = []
    for node in framework.walk():
        ind = BY_CODE.get(node.indicator) if node.indicator else None
        meta.append({
            "code": node.code, "parent": node.parent, "level": node.level,
            "name_zh": node.name_zh, "name_en": node.name_en, "area": node.area,
            "kind": ("qualitative" if ind is not None and ind.area == "qualitative" else "quantitative")
            if node.is_leaf else "group",
            "indicator": node.indicator, "value_unit": ind.unit if ind else "",
            "direction": ind.direction if ind else np.nan,
            "target": node.target if node.target is not None else np.nan,
            "rule": node.rule.describe(node.target, ind.direction, ind.unit) if node.rule and ind else "",
        })
    table = nodes.merge(pd.DataFrame(meta), on="code", how="left")
    cols = ["unit_id", "code", "parent", "level", "name_zh", "name_en", "area", "kind", "indicator",
            "raw_value", "value_unit", "direction", "target", "points", "score", "points_lost",
            "coverage", "n", "no_data", "rule"]
    return table[cols]


def compute_results(data: str | Path, framework: str | Path | Framework, year: int | None = None,
                    dataset: Dataset | None = None) -> Results:
    """Compute the results of ``year`` (default: the latest year in the data)."""
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    ds = dataset or load_dataset(data)
    if year is None:
        if not ds.years:
            raise EvalkitError(f"no year folders in {data}")
        year = max(ds.years)
    if year not in ds.years:
        raise EvalkitError(f"no data for {year} in {data} (years present: "
                           f"{', '.join(map(str, ds.years)) or 'none'})")
    current = score_year(ds, fw, year)
    nodes = _node_table(fw, current.attrs.pop("nodes"))
    previous = score_year(ds, fw, year - 1)
    units = current.copy()
    if previous is not None:
        prev = previous.set_index("unit_id")
        units["prev_score"] = units["unit_id"].map(prev["score_100"]).astype("float64")
        units["prev_rank"] = units["unit_id"].map(prev["rank"]).astype("Int64")
    else:
        units["prev_score"] = np.nan
        units["prev_rank"] = pd.array([pd.NA] * len(units), dtype="Int64")
    units["rank_change"] = (units["prev_rank"] - units["rank"]).astype("Int64")
    units.insert(5, "year", year)
    units["framework_version"] = fw.version
    units = units.sort_values(["peer_group", "rank", "unit_id"], kind="stable").reset_index(drop=True)
    meta = {
        "year": year,
        "framework_code": fw.code,
        "framework_version": fw.version,
        "framework_hash": fw.sha256,
        "data_hashes": ds.files,
        "parameters": {"year": year, "missing_policy": fw.missing_policy,
                       "top_quota": fw.grades.top_quota,
                       "grade_bands": [list(b) for b in fw.grades.bands]},
        "evalkit_version": __version__,
        "packages": package_versions(),
    }
    return Results(units=units, nodes=nodes, meta=meta)
