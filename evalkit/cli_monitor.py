"""``evalkit monitor``: in-year early warnings from the command line.

Reads ``--data`` or ``--db`` / ``--as-of`` like ``evalkit run`` (the top-level CLI hands this
module its ``inputs`` and ``store_options`` helpers, as for ``evalkit export``), then
:func:`evalkit.monitor_batch.run_monitor` writes ``OUT/<period>/monitor/warnings.csv`` and
the early-warning report. Warnings are findings: the exit code is 0 when the command ran.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 3


def cmd_monitor(args: argparse.Namespace, *, inputs: Callable) -> int:
    from .configuration import load_configuration
    from .data.dataset import load_dataset
    from .monitor.data import monitor_period
    from .monitor_batch import run_monitor

    period = monitor_period(args.period)  # before any work
    with inputs(args, framework_option=False) as (data, _framework, dataset, store):
        ds = dataset if dataset is not None else load_dataset(data)
        config = load_configuration(data)
        summary = run_monitor(ds, Path(data), period, out_dir=Path(args.out), parameters=config.indicators,
                              language=args.language, renderer=args.renderer, reports=not args.no_reports,
                              store=store, progress=not args.quiet)
    print(summary.describe())
    return EXIT_OK if summary.ok else EXIT_FAILED


def add_monitor_parser(sub, inputs: Callable, store_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``monitor`` to the subparsers ``sub``; ``inputs`` and ``store_options`` as for
    :func:`evalkit.cli_export.add_export_parser`."""
    p = sub.add_parser("monitor", help="in-year early warnings: control charts of the monthly indicators",
                       description="Put every unit's monthly indicators on control charts (p-charts for rates, "
                                   "XmR charts for other values, budget execution against 序时进度) with "
                                   "limits from the two years before, apply the Making Data Count rules in "
                                   "the worse direction, and write OUT/<period>/monitor/warnings.csv and the "
                                   "early-warning report (HTML and PDF) with a chart per warning. Warnings "
                                   "are findings: the exit code is 0 unless the command itself fails. "
                                   "See docs/monitoring.md.")
    p.add_argument("--data", help="data directory (default: the shipped sample district)")
    store_options(p)
    p.add_argument("--period", required=True, metavar="YYYY-MM",
                   help="monitor January to this month (2024-10; also 2024Q3, 2024-YTD-10, 2024)")
    p.add_argument("--out", default="reports", help="output directory (default: ./reports)")
    p.add_argument("--language", choices=("zh", "en"), default="zh", help="report language")
    p.add_argument("--renderer", choices=("typst", "quarto"), default="typst", help="PDF renderer")
    p.add_argument("--no-reports", action="store_true", help="write warnings.csv only")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=partial(cmd_monitor, inputs=inputs))
