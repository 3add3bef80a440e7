"""``evalkit targets``: propose next year's per-unit targets (效能目标) as an editable workbook.

Computes year Y's results once (:func:`evalkit.results.compute.compute_results`), proposes
each unit's Y + 1 target for every leaf that takes one
(:func:`evalkit.targets.propose.propose_targets`, parameters from ``DATA/targets.yaml`` or
the defaults) and writes the workbook of :mod:`evalkit.targets.workbook`. The office fills
in 商定目标 and saves it as ``DATA/targets/<Y + 1>.xlsx``; Y + 1's scoring then uses the
agreed targets (docs/targets.md).

This module sits below :mod:`evalkit.cli` in the layers, so the top-level CLI hands it the
helpers that read ``--data`` / ``--db`` / ``--as-of`` (``inputs``, ``store_options``).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path

from .errors import EvalkitError

EXIT_OK = 0


def cmd_targets(args: argparse.Namespace, *, inputs: Callable) -> int:
    from .configuration import load_configuration
    from .results.compute import compute_results
    from .targets.agreed import TARGETS_DIR
    from .targets.propose import propose_targets
    from .targets.workbook import write_target_workbook

    out = Path(args.out)
    if not out.name.lower().endswith(".xlsx"):  # before any work
        raise EvalkitError(f"--out: expected a file ending in .xlsx; found '{out.name}'")
    with inputs(args) as (data, framework, dataset, _store):
        config = load_configuration(data, framework)  # every configuration file, checked before any work
        results = compute_results(data, year=args.year, config=config, dataset=dataset)
    year = int(results.meta["year"])
    proposals = propose_targets(results.nodes, results.units, config.framework, config.targets)
    write_target_workbook(proposals, out, year, config.targets, config.framework,
                          generated=dt.datetime.now(dt.timezone.utc).date())
    counts = proposals["bound_by"].value_counts()
    how = ", ".join(f"{counts.get(code, 0)} {code.replace('_', ' ')}"
                    for code in ("gap_closing", "own_level", "policy_floor", "range_cap"))
    print(f"Wrote {len(proposals)} proposed {year + 1} targets ({proposals['unit_id'].nunique()} units × "
          f"{proposals['leaf'].nunique()} indicators; set by {how}) to {out}. Fill in 商定目标 and save it "
          f"as {TARGETS_DIR}/{year + 1}.xlsx in the data directory.")
    return EXIT_OK


def add_targets_parser(sub, inputs: Callable, store_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``targets`` to the subparsers ``sub``. ``inputs``: the context manager giving (data
    directory, framework file, dataset, store entry) of the parsed arguments
    (:func:`evalkit.cli._inputs`); ``store_options``: adds ``--db`` and ``--as-of``."""
    p = sub.add_parser("targets", help="propose next year's per-unit targets (效能目标) as an editable workbook",
                       description="Compute year Y's results and propose each unit's target for Y+1 for "
                                   "every indicator scored against a target: close a share of the gap to "
                                   "the peer group's median (or best), never easier than the unit's own "
                                   "value or the framework's target, never outside the indicator's range "
                                   "(parameters: DATA/targets.yaml). Writes a workbook with one row per unit "
                                   "and indicator, the rule that set each proposal, an empty 商定目标 "
                                   "column and a 说明 sheet. Saved with 商定目标 filled in as "
                                   "DATA/targets/<Y+1>.xlsx, it sets those units' targets in Y+1's scoring. "
                                   "See docs/targets.md.")
    p.add_argument("--year", type=int, required=True, help="the year whose results the proposal starts from")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="the workbook to write")
    p.add_argument("--data", help="data directory (default: the shipped sample district)")
    p.add_argument("--framework", help="framework YAML (default: DATA/framework.yaml)")
    store_options(p)
    p.set_defaults(func=partial(cmd_targets, inputs=inputs))
