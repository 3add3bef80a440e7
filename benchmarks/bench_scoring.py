"""Benchmark: scoring many units on a large indicator tree, against a naive per-unit baseline.

Generates random data for ``--units`` units and ``--leaves`` indicators under a three-level
tree (indicators → ``--pillars`` pillars → index, random weights, 5 % missing values),
then in the same process times

* baseline: min-max normalisation column by column and aggregation unit by unit with
  ``DataFrame.apply`` (a Python function per unit that walks the tree), as a first
  implementation would;
* composite: evalkit's ``Coin`` steps ``Normalise`` + ``Aggregate`` (vectorised, with
  the log and the named datasets);
* composite_full: ``Treat`` (the winsorisation loop, per indicator) + ``Normalise`` +
  ``Aggregate``;
* engine: the district framework engine, ``evalkit.scoring.model.score_tree``, on a
  synthetic points-based framework with as many leaves (catalogue indicators repeated);

and the same composite and engine runs on a district-sized case (48 units × 40 leaves).
The baseline and the composite must agree (checked). The last line prints the figures,
e.g. ``units=1000 leaves=200 baseline_s=… composite_s=… speedup=… …``.

Usage: ``python benchmarks/bench_scoring.py [--units 1000] [--leaves 200] [--pillars 20]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from evalkit.composite import Aggregate, Coin, Normalise, Treat
from evalkit.scoring.framework import parse_framework
from evalkit.indicators.catalogue import BY_CODE
from evalkit.scoring.model import score_tree


def make_case(units: int, leaves: int, pillars: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    codes = [f"x{j:03d}" for j in range(leaves)]
    parents = [f"p{j % pillars:02d}" for j in range(leaves)]
    meta = [dict(Level=1, iCode=c, Parent=p, Direction=int(rng.choice([1, -1])), Weight=float(rng.uniform(0.5, 2)),
                 Type="Indicator") for c, p in zip(codes, parents)]
    meta += [dict(Level=2, iCode=f"p{k:02d}", Parent="Index", Direction=1, Weight=float(rng.uniform(0.5, 2)),
                  Type="Aggregate") for k in range(pillars)]
    meta.append(dict(Level=3, iCode="Index", Parent=None, Direction=1, Weight=1.0, Type="Aggregate"))
    values = rng.lognormal(3, 1, size=(units, leaves))
    values[rng.random(values.shape) < 0.05] = np.nan
    data = pd.DataFrame(values, columns=codes)
    data.insert(0, "uCode", [f"u{i:05d}" for i in range(units)])
    return data, pd.DataFrame(meta)


def naive_scores(data: pd.DataFrame, meta: pd.DataFrame) -> pd.Series:
    """Min-max column by column, then a Python walk of the tree for each unit."""
    ind = meta[meta["Type"] == "Indicator"]
    x = data.set_index("uCode")[list(ind["iCode"])]
    direction = dict(zip(ind["iCode"], ind["Direction"]))

    def minmax(col: pd.Series) -> pd.Series:
        v = col * direction[col.name]
        return (v - v.min()) / (v.max() - v.min()) * 100

    normalised = x.apply(minmax)
    weight = dict(zip(meta["iCode"], meta["Weight"]))
    children: dict[str, list[str]] = {}
    for code, parent in zip(meta["iCode"], meta["Parent"]):
        if isinstance(parent, str):
            children.setdefault(parent, []).append(code)

    def score(row: pd.Series) -> float:
        def node(code: str) -> float:
            if code not in children:
                return row[code]
            num = den = 0.0
            for child in children[code]:
                value = node(child)
                if not np.isnan(value):
                    num += weight[child] * value
                    den += weight[child]
            return num / den if den > 0 else np.nan
        return node("Index")

    return normalised.apply(score, axis=1)


def make_framework(leaves: int, pillars: int, units: int, seed: int = 2):
    """A points-based district framework with ``leaves`` leaves and unit values for it."""
    rng = np.random.default_rng(seed)
    yearly = [c for c, ind in BY_CODE.items() if not ind.periodic]
    nodes = []
    for k in range(pillars):
        kids = [{"code": f"L{j:03d}", "indicator": yearly[j % len(yearly)], "points": float(rng.uniform(0.5, 2)),
                 "rule": {"type": "linear_band", "low": 0, "high": 100}}
                for j in range(k, leaves, pillars)]
        nodes.append({"code": f"G{k:02d}", "area": "efficiency", "children": kids})
    framework = parse_framework({"code": "bench", "version": "1", "nodes": nodes})
    unit_ids = [f"u{i:05d}" for i in range(units)]
    unit_table = pd.DataFrame({"unit_id": unit_ids, "peer_group": np.where(np.arange(units) % 4, "department",
                                                                           "subdistrict"),
                               "unit_class": "general"})
    used = sorted({n.indicator for n in framework.leaves()})
    values = pd.DataFrame([(ind, u) for ind in used for u in unit_ids], columns=["indicator", "unit_id"])
    values["value"] = rng.uniform(0, 100, len(values))
    values.loc[rng.random(len(values)) < 0.05, "value"] = np.nan
    values["n"] = 100.0
    return framework, unit_table, values


def best_of(repeat: int, func) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--leaves", type=int, default=200)
    parser.add_argument("--pillars", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data, meta = make_case(args.units, args.leaves, args.pillars)
    raw = Coin.new(data, meta)

    def composite():
        return raw.apply(Normalise()).apply(Aggregate())

    base_s, base = best_of(args.repeat, lambda: naive_scores(data, meta))
    comp_s, coin = best_of(args.repeat, composite)
    full_s, _ = best_of(args.repeat, lambda: raw.apply(Treat()).apply(Normalise()).apply(Aggregate()))
    np.testing.assert_allclose(coin.datasets["Aggregated"]["Index"].to_numpy(), base.to_numpy(), rtol=1e-9)

    framework, units, values = make_framework(args.leaves, args.pillars, args.units)
    engine_s, _ = best_of(args.repeat, lambda: score_tree(framework, units, values))

    small_data, small_meta = make_case(48, 40, 8, seed=3)
    small_raw = Coin.new(small_data, small_meta)
    small_s, _ = best_of(args.repeat, lambda: small_raw.apply(Treat()).apply(Normalise()).apply(Aggregate()))
    small_fw, small_units, small_values = make_framework(40, 8, 48, seed=4)
    small_engine_s, _ = best_of(args.repeat, lambda: score_tree(small_fw, small_units, small_values))

    print(f"best of {args.repeat} runs; composite = Normalise + Aggregate, full = Treat + Normalise + Aggregate")
    print(f"units={args.units} leaves={args.leaves} baseline_s={base_s:.3f} composite_s={comp_s:.3f} "
          f"speedup={base_s / comp_s:.0f} composite_full_s={full_s:.3f} engine_s={engine_s:.3f} "
          f"district48x40_composite_full_s={small_s:.4f} district48x40_engine_s={small_engine_s:.4f}")


if __name__ == "__main__":
    main()
