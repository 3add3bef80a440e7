"""``evalkit export …``: tables taken out of evalkit for other procedures.

``appraisal`` writes the table the organisation department takes into the annual performance
appraisal (年度绩效考核): one row per unit, from one results computation, laid out by
:mod:`evalkit.report.appraisal` (documented in ``docs/appraisal-export.md``).

This module sits below :mod:`evalkit.cli` in the layers, so the top-level CLI hands it the
helpers that read ``--data`` / ``--db`` / ``--as-of`` (``inputs``, ``store_options``)
instead of this module importing them.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path

from .errors import EvalkitError

EXIT_OK = 0


def cmd_appraisal(args: argparse.Namespace, *, inputs: Callable) -> int:
    from .configuration import load_configuration
    from .report.appraisal import write_appraisal
    from .results.compute import compute_results

    out = Path(args.out)
    if not out.name.lower().endswith(".xlsx"):  # before any work
        raise EvalkitError(f"--out: expected a file ending in .xlsx; found '{out.name}'")
    with inputs(args) as (data, framework, dataset, store):
        config = load_configuration(data, framework)  # every configuration file, checked before any work
        results = compute_results(data, year=args.year, config=config, dataset=dataset)
    if store is not None:
        results.meta["store"] = store
    write_appraisal(results, out, args.language, generated=dt.datetime.now(dt.timezone.utc).date())
    units = results.units
    print(f"Wrote the {results.meta['year']} appraisal table ({len(units)} units, "
          f"{int(units['provisional'].sum())} provisional, {int(units['veto'].sum())} veto, "
          f"{int(units['bar_top'].sum())} barred from the top grade) to {out}")
    return EXIT_OK


def add_export_parser(sub, inputs: Callable, store_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``export`` and its commands to the subparsers ``sub``. ``inputs``: the context
    manager giving (data directory, framework file, dataset, store entry) of the parsed
    arguments (:func:`evalkit.cli._inputs`); ``store_options``: adds ``--db`` and ``--as-of``."""
    export = sub.add_parser("export", help="export results for other procedures (the annual appraisal table)",
                            description="Tables taken out of evalkit for other procedures.")
    subs = export.add_subparsers(dest="export_command", metavar="COMMAND")

    p = subs.add_parser("appraisal", help="write the annual appraisal table (年度绩效考核), one row per unit",
                        description="Compute a year's results and write the table the organisation "
                                    "department takes into the annual performance appraisal (年度绩效考核): "
                                    "one row per unit with its score, grade, rank in its peer group "
                                    "(ties, provisional), veto and bar on the top grade with their "
                                    "reasons, bonus and deduction points with their reasons and caps, and "
                                    "the provisional reason, as the unit reports show them; a second sheet "
                                    "说明/Notes explains every column and the data's provenance. Plain "
                                    "values, no formulas. Layout: docs/appraisal-export.md.")
    p.add_argument("--year", type=int, required=True, help="evaluation year")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="the workbook to write")
    p.add_argument("--data", help="data directory (default: the shipped sample district)")
    p.add_argument("--framework", help="framework YAML (default: DATA/framework.yaml)")
    store_options(p)
    p.add_argument("--language", choices=("zh", "en"), default="zh",
                   help="language of the table's headers and texts (the notes are in both; default zh)")
    p.set_defaults(func=partial(cmd_appraisal, inputs=inputs))

    def no_command(args: argparse.Namespace) -> int:
        raise EvalkitError("export: give a command, e.g. `evalkit export appraisal --year 2024 --out appraisal.xlsx`")

    export.set_defaults(func=no_command)
