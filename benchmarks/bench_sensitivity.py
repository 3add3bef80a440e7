"""Benchmark: an uncertainty analysis of the district scoring model, against re-running the
ordinary scoring function once per replication.

Builds a district-sized synthetic case — ``--units`` units (two peer groups) × ``--leaves``
leaves under ``--pillars`` areas of a points-based framework, 5 % missing values, missing
policy ``renormalise`` — and in the same process times

* lab: :func:`evalkit.sensitivity.uncertainty_analysis` with ``--reps`` replications of weight
  noise (every leaf weight ± 20 % relative sd) and a choice among three normalisations (the
  framework's rules and two alternatives, min-max and percentile), including the summaries
  (rank intervals, grade probabilities, samples);
* baseline: the ordinary path for one replication — normalise the indicator values with
  :mod:`evalkit.scoring.normalise` per peer group, scale the framework's points, then
  :func:`~evalkit.scoring.model.score_tree`, :func:`~evalkit.scoring.adjustments.apply_adjustments`
  and :func:`~evalkit.scoring.grades.rank_and_grade` — timed on ``--baseline-reps`` of the
  lab's own replications and extrapolated to ``--reps``. Its scores and ranks are checked
  equal to the lab's for those replications.

The last line prints the figures, e.g.
``units=48 leaves=40 reps=10000 lab_s=… baseline_per_rep_s=… baseline_s=… speedup=…``.
Targets (issue 6): ``lab_s`` ≤ 5 s on 2 cores and ``speedup`` ≥ 20.

Usage: ``python benchmarks/bench_sensitivity.py [--units 48] [--leaves 40] [--reps 10000]``
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import pandas as pd

from evalkit.scoring.framework import parse_framework
from evalkit.indicators.catalogue import BY_CODE
from evalkit.scoring.normalise import min_max, percentile
from evalkit.scoring.adjustments import apply_adjustments
from evalkit.scoring.model import score_tree
from evalkit.scoring.grades import rank_and_grade
from evalkit.scoring.rules import LinearBand, ThresholdDeduct
from evalkit.sensitivity import NormalisationChoice, ScoringModel, WeightNoise, uncertainty_analysis

NO_ADJUSTMENTS = pd.DataFrame({"unit_id": pd.Series(dtype=object), "kind": pd.Series(dtype=object),
                               "points": pd.Series(dtype="float64")})


def make_case(units: int, leaves: int, pillars: int, seed: int = 4):
    """A points-based framework (threshold and linear rules), its units and indicator values."""
    rng = np.random.default_rng(seed)
    yearly = [c for c, ind in BY_CODE.items() if not ind.periodic]
    nodes = []
    for k in range(pillars):
        kids = []
        for j in range(k, leaves, pillars):
            code = yearly[j % len(yearly)]
            rule = ({"type": "linear_band", "low": 40, "high": 100} if j % 2 else
                    {"type": "threshold_deduct", "per": 1, "deduct": 0.5})
            kids.append({"code": f"L{j:03d}", "indicator": code, "points": float(rng.integers(2, 9)),
                         "target": 95.0 if BY_CODE[code].direction > 0 else 5.0, "rule": rule})
        nodes.append({"code": f"G{k:02d}", "area": "efficiency", "children": kids})
    framework = parse_framework({"code": "bench", "version": "1", "missing_policy": "renormalise",
                                 "nodes": nodes})
    unit_ids = [f"u{i:03d}" for i in range(units)]
    unit_table = pd.DataFrame({"unit_id": unit_ids, "name_zh": "",
                               "peer_group": np.where(np.arange(units) % 4, "department", "subdistrict"),
                               "unit_class": "general"})
    used = sorted({n.indicator for n in framework.leaves()})
    values = pd.DataFrame([(ind, u) for ind in used for u in unit_ids], columns=["indicator", "unit_id"])
    values["value"] = rng.uniform(0, 100, len(values))
    values.loc[rng.random(len(values)) < 0.05, "value"] = np.nan
    values["n"] = 100.0
    return framework, unit_table, values


def normalised_values(values: pd.DataFrame, units: pd.DataFrame, method: str) -> pd.DataFrame:
    """Indicator values normalised onto 0–100 (higher = better) within each peer group, with
    :mod:`evalkit.scoring.normalise` (every leaf applies to every unit here)."""
    wide = values.pivot(index="unit_id", columns="indicator", values="value").reindex(units["unit_id"])
    directions = {c: BY_CODE[c].direction for c in wide.columns}
    parts = []
    for _, idx in units.groupby("peer_group").groups.items():
        part = wide.loc[units.loc[idx, "unit_id"]]
        if method == "minmax":
            parts.append(min_max(part, directions, on_constant="midpoint"))
        else:
            parts.append(percentile(part, directions))
    out = pd.concat(parts).reindex(wide.index)
    return out.reset_index().melt(id_vars="unit_id", var_name="indicator", value_name="value").assign(n=100.0)


def baseline_replication(framework, units: pd.DataFrame, values: pd.DataFrame, multipliers: np.ndarray,
                         method: str) -> pd.DataFrame:
    """One replication the ordinary way: normalise, rebuild the framework, score, rank, grade."""
    nodes = dict(framework.nodes)
    for node, m in zip(framework.leaves(), multipliers):
        change = {"points": {k: v * m for k, v in node.points.items()}}
        if isinstance(node.rule, ThresholdDeduct):
            # a weight scales the leaf's score, not its share of full marks (as the lab does)
            change["rule"] = dataclasses.replace(node.rule, deduct=node.rule.deduct * m)
        if method != "rules":
            # normalised values are higher-is-better on 0–100; the engine applies the
            # indicator's direction, so a lower-is-better leaf gets the band reversed
            up = BY_CODE[node.indicator].direction > 0
            change["rule"] = LinearBand(0.0, 100.0) if up else LinearBand(100.0, 0.0)
        nodes[node.code] = dataclasses.replace(node, **change)
    fw = dataclasses.replace(framework, nodes=nodes)
    vals = values if method == "rules" else normalised_values(values, units, method)
    totals, _ = score_tree(fw, units, vals)
    totals = units.merge(totals, on="unit_id")
    totals = apply_adjustments(totals, NO_ADJUSTMENTS, fw)
    return rank_and_grade(totals, fw.grades)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=48)
    parser.add_argument("--leaves", type=int, default=40)
    parser.add_argument("--pillars", type=int, default=8)
    parser.add_argument("--reps", type=int, default=10_000)
    parser.add_argument("--baseline-reps", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    framework, units, values = make_case(args.units, args.leaves, args.pillars)
    model = ScoringModel.from_values(framework, units, values)
    specs = [WeightNoise(0.2), NormalisationChoice(["rules", "minmax", "percentile"])]
    lab_times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = uncertainty_analysis(model, specs, args.reps, seed=1)
        lab_times.append(time.perf_counter() - t0)
    lab_s = min(lab_times)

    samples = result.samples
    weight_cols = [f"weight:{c}" for c in model.leaves]
    rows = np.random.default_rng(2).choice(args.reps, size=min(args.baseline_reps, args.reps), replace=False)
    t0 = time.perf_counter()
    checked = 0
    for r in rows:
        out = baseline_replication(framework, units, values, samples.loc[r, weight_cols].to_numpy(dtype=float),
                                   samples.loc[r, "normalisation"]).set_index("unit_id").loc[model.unit_ids]
        np.testing.assert_allclose(out["score_100"].to_numpy(dtype=float), result.scores.iloc[r].to_numpy(),
                                   rtol=1e-9, atol=1e-9)
        same = out["rank"].astype(float).to_numpy() == result.ranks.iloc[r].to_numpy()
        assert same.mean() > 0.95, f"replication {r}: ranks differ for {int((~same).sum())} units"
        checked += int(same.all())
    per_rep = (time.perf_counter() - t0) / rows.size
    baseline_s = per_rep * args.reps
    print(f"lab: best of {args.repeat}; baseline: {rows.size} of the lab's replications re-scored the ordinary way "
          f"({checked} with identical ranks), extrapolated to {args.reps}")
    print(f"units={args.units} leaves={args.leaves} reps={args.reps} lab_s={lab_s:.2f} "
          f"baseline_per_rep_s={per_rep:.4f} baseline_s={baseline_s:.0f} speedup={baseline_s / lab_s:.0f}")


if __name__ == "__main__":
    main()
