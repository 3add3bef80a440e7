"""``evalkit supervise``: the quarterly supervision report (效能督查通报) from the command line.

Reads ``--data`` or ``--db`` / ``--as-of`` like ``evalkit run`` (the top-level CLI hands this
module its ``inputs`` and ``store_options`` helpers, as for ``evalkit monitor``), then
:func:`evalkit.supervision_batch.run_supervision` writes ``OUT/<period>/supervision/report.html``
and ``report.pdf``. Problems reported are findings: the exit code is 0 when the command ran.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial
from pathlib import Path

from .errors import EvalkitError

EXIT_OK = 0
EXIT_FAILED = 3


def supervision_period(text: str):
    """The period of ``--period``: a quarter (``2024Q3``), or another in-year period (a month,
    the year to date through a month); a whole year or an unresolved year to date is an
    :class:`~evalkit.errors.EvalkitError` saying what to give."""
    from .periods import parse_period

    period = parse_period(text)
    if not period.in_year:
        raise EvalkitError(f"--period {text}: the supervision bulletin is for a quarter, e.g. {int(period)}Q3")
    if not period.resolved:
        raise EvalkitError(f"--period {text}: give the last month, e.g. {int(period)}-YTD-09, or a quarter "
                           f"({int(period)}Q3)")
    return period


def cmd_supervise(args: argparse.Namespace, *, inputs: Callable) -> int:
    from .configuration import load_configuration
    from .data.dataset import load_dataset
    from .run import _check_options
    from .supervision_batch import run_supervision

    period = supervision_period(args.period)  # before any work
    _check_options(args.language, args.renderer)
    units = [u.strip() for u in args.units.split(",") if u.strip()] if args.units else None
    with inputs(args) as (data, framework, dataset, store):
        ds = dataset if dataset is not None else load_dataset(data)
        config = load_configuration(data, framework)
        summary = run_supervision(ds, config, period, data_dir=Path(data), out_dir=Path(args.out), units=units,
                                  language=args.language, renderer=args.renderer, reports=not args.no_reports,
                                  store=store, progress=not args.quiet)
    print(summary.describe())
    return EXIT_OK if summary.ok else EXIT_FAILED


def add_supervise_parser(sub, inputs: Callable, store_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``supervise`` to the subparsers ``sub``; ``inputs`` and ``store_options`` as for
    :func:`evalkit.cli_monitor.add_monitor_parser`."""
    p = sub.add_parser("supervise", help="the quarterly supervision bulletin (效能督查通报) with a page per unit",
                       description="Write the quarterly supervision bulletin (效能督查通报) into "
                                   "OUT/<period>/supervision/report.html and report.pdf: the district's "
                                   "quarter against the previous quarter and the same quarter last year, the "
                                   "units commended and the units reported (early warnings, overdue "
                                   "supervision tasks and rectifications, low scores) each with the reason, "
                                   "then a page per unit with its required actions. Problems reported are "
                                   "findings: the exit code is 0 unless the command itself fails. "
                                   "See docs/supervision.md.")
    p.add_argument("--data", help="data directory (default: the shipped sample district)")
    p.add_argument("--framework", help="framework file (default: the data's framework.yaml)")
    store_options(p)
    p.add_argument("--period", required=True, metavar="P", help="the quarter, e.g. 2024Q3 (also a month 2024-09 "
                                                                "or 2024-YTD-09)")
    p.add_argument("--units", help="comma-separated unit ids: the unit pages to include (the district part "
                                   "always covers every unit)")
    p.add_argument("--out", default="reports", help="output directory (default: ./reports)")
    p.add_argument("--language", choices=("zh", "en"), default="zh", help="report language")
    p.add_argument("--renderer", choices=("typst", "quarto"), default="typst", help="PDF renderer")
    p.add_argument("--no-reports", action="store_true", help="write the bundle only")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=partial(cmd_supervise, inputs=inputs))
