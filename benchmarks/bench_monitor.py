"""Benchmark: early warnings (issue 14, item 2) for many unit × indicator monthly series.

Generates ``--units`` units × ``--indicators`` indicators × ``--months`` months as the long
frame :func:`evalkit.monitor.monitor_warnings` takes: 45 % XmR series (amounts, lognormal
level, either direction), 50 % p-chart series (rates with denominators varying 20–400 a
month), 5 % budget-execution trajectories (cumulative share of the annual budget), 3 % of
the months missing, and a planted worse-direction shift in 5 % of the chart series from
month 25. Then, in the same process, times

* evalkit: ``monitor_warnings`` with the default spec plus two-out-of-three (charts, the
  four rules, the trajectory, the warnings frame with its English and Chinese evidence);
  target ≤ 2 s for 50 × 40 × 36 (issue 14);
* baseline: the route a first implementation would take — per series, a ``groupby`` loop
  that calls the one-series functions ``xmr_chart`` / ``p_chart`` and applies the same
  rules to that series alone (``special_cause_masks`` on a one-row array); the rule flags
  of every point are checked equal to evalkit's (``identical=True``).

The last line prints the figures, e.g.
``units=50 indicators=40 months=36 rows=… warnings=… evalkit_s=… baseline_s=… speedup=… identical=True``.

Usage: ``python benchmarks/bench_monitor.py [--units 50] [--indicators 40] [--months 36] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from evalkit.monitor import ChartSpec, MonitorSpec, RuleSet, monitor_warnings, p_chart, special_cause_masks, xmr_chart


def make_series(units: int, indicators: int, months: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    periods = pd.period_range("2022-01", periods=months, freq="M")
    kinds = rng.choice(["xmr", "p", "trajectory"], size=indicators, p=[0.45, 0.5, 0.05])
    directions = rng.choice([1, -1], size=indicators)
    n = units * indicators
    unit = np.repeat([f"U{i:03d}" for i in range(units)], indicators)
    ind = np.tile([f"I{j:02d}" for j in range(indicators)], units)
    kind = np.tile(kinds, units)
    direction = np.tile(directions, units)
    direction = np.where(kind == "trajectory", 1, direction)
    shift = np.zeros((n, months))
    planted = rng.random(n) < 0.05
    shift[planted, 24:] = -3.0 * direction[planted, None]  # in sigmas, towards worse

    level = rng.lognormal(5, 1, size=n)[:, None]
    xmr_value = level * (1 + 0.1 * (rng.standard_normal((n, months)) + shift))
    den = rng.integers(20, 400, size=(n, months)).astype(float)
    p0 = rng.uniform(0.6, 0.95, size=n)[:, None]
    p = np.clip(p0 + (shift * np.sqrt(p0 * (1 - p0) / 200)), 0.01, 0.99)
    num = rng.binomial(den.astype(int), p).astype(float)
    month = np.tile(np.asarray(periods.month), (n, 1))
    pace = rng.uniform(0.7, 1.05, size=n)[:, None]
    share = np.clip(month / 12 * pace + rng.normal(0, 0.02, size=(n, months)), 0, 1.2)

    value = np.where((kind == "xmr")[:, None], xmr_value, np.where((kind == "trajectory")[:, None], share, np.nan))
    num = np.where((kind == "p")[:, None], num, np.nan)
    den = np.where((kind == "p")[:, None], den, np.nan)
    frame = pd.DataFrame({
        "unit_id": np.repeat(unit, months), "indicator": np.repeat(ind, months),
        "period": np.tile(periods.strftime("%Y-%m"), n), "chart": np.repeat(kind, months),
        "direction": np.repeat(direction, months), "value": value.ravel(),
        "numerator": num.ravel(), "denominator": den.ravel(),
    })
    return frame[rng.random(len(frame)) >= 0.03].reset_index(drop=True)


def baseline(series: pd.DataFrame, spec: MonitorSpec) -> pd.DataFrame:
    """Per series: the one-series chart function, then the rules on that series alone."""
    axis = pd.period_range(series["period"].min(), series["period"].max(), freq="M").strftime("%Y-%m")
    out = []
    for (unit, ind), g in series.groupby(["unit_id", "indicator"], sort=False):
        if g["chart"].iat[0] == "trajectory":
            continue
        g = g.set_index("period").reindex(axis)
        direction = float(g["direction"].dropna().iat[0])
        if g["chart"].dropna().iat[0] == "xmr":
            c = xmr_chart(g["value"].to_numpy(), list(axis), baseline=spec.charts.baseline_points)
            base_n = int(c["in_baseline"].sum())
        else:
            c = p_chart(g["numerator"].to_numpy(), g["denominator"].to_numpy(), list(axis),
                        baseline=spec.charts.baseline_points)
            base_n = int(c["in_baseline"].sum())
        if base_n < spec.charts.min_baseline_points:
            c[["centre", "lower", "upper", "lower_2sigma", "upper_2sigma"]] = np.nan
        masks = special_cause_masks(c["value"].to_numpy()[None, :], *(c[k].to_numpy()[None, :] for k in
                                    ("centre", "lower", "upper", "lower_2sigma", "upper_2sigma")),
                                    np.array([direction]), spec.rules)
        out.append(pd.DataFrame({"unit_id": unit, "indicator": ind, "period": list(axis),
                                 **{f"is_{r}": m[0] for r, m in masks.items()}}))
    return pd.concat(out, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    series = make_series(args.units, args.indicators, args.months)
    spec = MonitorSpec(rules=RuleSet(two_of_three=True), charts=ChartSpec(baseline_points=24))

    best = np.inf
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = monitor_warnings(series, spec, verbose=True)
        best = min(best, time.perf_counter() - start)
    start = time.perf_counter()
    naive = baseline(series, spec)
    baseline_s = time.perf_counter() - start

    ours = result.points[result.points["chart"] != "trajectory"]
    flags = [c for c in naive.columns if c.startswith("is_")]
    merged = naive.merge(ours[["unit_id", "indicator", "period", *flags]], on=["unit_id", "indicator", "period"],
                         how="inner", suffixes=("_naive", ""))
    identical = all((merged[f] == merged[f"{f}_naive"]).all() for f in flags) and len(merged) == len(ours)
    w = result.warnings
    print(f"warnings by rule: {w['rule'].value_counts().to_dict()}; active: {int(w['active'].sum())}")
    print(f"units={args.units} indicators={args.indicators} months={args.months} rows={len(series)} "
          f"warnings={len(w)} evalkit_s={best:.3f} baseline_s={baseline_s:.2f} "
          f"speedup={baseline_s / best:.0f} identical={identical}")


if __name__ == "__main__":
    main()
