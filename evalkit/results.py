"""The results of one evaluation year, and how they are saved and read back.

A :class:`Results` holds two tables and the provenance of both:

``units`` — one row per unit: ``unit_id, name_zh, name_en, peer_group, unit_class, year,
total_score, max_score, score_100, coverage, rank, n_in_group, grade, prev_score,
prev_rank, rank_change, framework_version``. ``rank_change`` is positive when the unit
moved up (previous rank − rank).

``nodes`` — one row per unit and applicable framework node: ``unit_id, code, parent,
level, name_zh, name_en, area, kind, indicator, raw_value, value_unit, target, points,
score, points_lost, coverage, n, no_data, rule``.

``meta`` — ``year, framework_code, framework_version, framework_hash, data_hashes,
parameters, evalkit_version, packages``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Results:
    units: pd.DataFrame
    nodes: pd.DataFrame
    meta: dict

    def unit(self, unit_id: str) -> pd.Series:
        rows = self.units[self.units["unit_id"] == unit_id]
        if rows.empty:
            from .errors import EvalkitError

            raise EvalkitError(f"unit '{unit_id}' is not in the results for {self.meta.get('year')}")
        return rows.iloc[0]


def save_results(results: Results, path: str | Path) -> Path:
    """Write ``units.parquet``, ``nodes.parquet`` and ``meta.json`` into directory ``path``."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in (("units", results.units), ("nodes", results.nodes)):
        fd, tmp = tempfile.mkstemp(dir=path, suffix=".tmp")
        os.close(fd)
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path / f"{name}.parquet")
    fd, tmp = tempfile.mkstemp(dir=path, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(results.meta, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path / "meta.json")
    return path


def load_results(path: str | Path) -> Results:
    path = Path(path)
    units = pd.read_parquet(path / "units.parquet")
    nodes = pd.read_parquet(path / "nodes.parquet")
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    return Results(units=units, nodes=nodes, meta=meta)
