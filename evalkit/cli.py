"""Command-line interface: ``evalkit run | verify | portal | score | validate | indicators | oa-posts | sample | db | audit | export | monitor | rectify | supervise``.

User mistakes (bad data, a missing file, an unknown unit) print one clear message and exit
with a non-zero code; a traceback only ever means a bug in evalkit.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import warnings
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .errors import DataValidationError, EvalkitError, Problem

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
#: ``evalkit verify`` found a difference between the reports and their manifest.
EXIT_DIFFERENT = 4


def _print_problems(problems: list[Problem], stream=None, limit: int | None = None) -> None:
    """Print problems grouped by file, errors before warnings."""
    if stream is None:  # looked up at call time, so that redirecting sys.stdout works
        stream = sys.stdout
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        by_file[p.file].append(p)

    def order(p: Problem) -> tuple:
        # Whole-file problems first; a capped check's summary line (no row, a column) after
        # the rows it refers to ("first rows listed above").
        row = p.row if p.row is not None else (0 if p.column is None else float("inf"))
        return (p.severity != "error", row)

    shown = 0
    for file in sorted(by_file, key=lambda f: (not any(p.severity == "error" for p in by_file[f]), f)):
        if limit is not None and shown >= limit:
            break
        items = sorted(by_file[file], key=order)
        print(file, file=stream)
        for p in items:
            if limit is not None and shown >= limit:
                break
            where = []
            if p.row is not None:
                where.append(f"row {p.row}")
            if p.column is not None:
                where.append(f"column '{p.column}'")
            loc = ", ".join(where) or "file"
            print(f"  {p.severity.upper():7} {loc}: expected {p.expected}; found {p.found}", file=stream)
            shown += 1


def _summary(problems: list[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len({p.file for p in problems if p.severity == "error"})
    if errors:
        return f"{errors} error(s) in {files} file(s), {warnings} warning(s): the data do not meet the contract."
    return f"No errors ({warnings} warning(s)): the data meet the contract."


def cmd_validate(args: argparse.Namespace) -> int:
    from .data.dataset import validate_directory

    years = [args.year] if args.year else None
    problems = validate_directory(args.data_dir, years)
    problems += _check_agreed_targets(Path(args.data_dir))
    if problems:
        _print_problems(problems)
    config_error = _check_configuration(Path(args.data_dir))
    print(_summary(problems))
    if config_error:
        print(f"evalkit: error: {config_error}", file=sys.stderr)
    return EXIT_INVALID if config_error or any(p.severity == "error" for p in problems) else EXIT_OK


def _check_configuration(data_dir: Path) -> str | None:
    """The configuration files a data directory holds (framework.yaml, rubric.yaml,
    schemes.yaml, indicators.yaml) loaded as ``run`` and ``score`` load them; the error, if any."""
    from .configuration import CONFIGURATION_FILES, load_configuration

    if not data_dir.is_dir() or not any((data_dir / name).is_file() for name in CONFIGURATION_FILES):
        return None
    try:
        load_configuration(data_dir)
    except EvalkitError as exc:
        return str(exc)
    return None


def _check_agreed_targets(data_dir: Path) -> list[Problem]:
    """The problems of the agreed-targets files (``DATA/targets/<year>.xlsx``), checked against
    the data's framework and units (:func:`evalkit.targets.agreed.check_agreed_files`); none
    when the configuration does not load (that error is reported on its own)."""
    from .configuration import load_configuration
    from .targets.agreed import check_agreed_files

    if not (data_dir / "targets").is_dir():
        return []
    try:
        config = load_configuration(data_dir)
    except EvalkitError:
        return []
    return check_agreed_files(data_dir, config.framework)


def _parse_years(text: str) -> tuple[int, ...]:
    try:
        if "-" in text:
            a, b = (int(x) for x in text.split("-", 1))
            if b < a:
                raise ValueError
            return tuple(range(a, b + 1))
        return tuple(int(x) for x in text.split(","))
    except ValueError:
        raise EvalkitError(f"--years: expected a range like 2022-2024 or a list like 2023,2024; found '{text}'") from None


def cmd_sample(args: argparse.Namespace) -> int:
    from .sample import SampleSpec, generate_sample

    out = Path(args.out_dir)
    if out.exists() and any(out.iterdir()) and not args.force:
        raise EvalkitError(f"{out} is not empty; choose an empty directory or pass --force to write "
                           "into it (the sample's own files are overwritten, no other file is touched)")
    spec = SampleSpec(seed=args.seed, years=_parse_years(args.years), cases=args.cases,
                      tickets=args.tickets, fmt=args.format)
    files = generate_sample(out, spec)
    size = sum(f.stat().st_size for f in files)
    print(f"Wrote {len(files)} files ({size / 1e6:.1f} MB) of the synthetic sample district to {out}")
    return EXIT_OK


def _year_or_period(args: argparse.Namespace):
    """The ``year`` a command evaluates: ``--year``, or the :class:`~evalkit.periods.Period` of
    ``--period`` (a whole year as a plain int, so that annual output is unchanged). A period
    text that cannot be read, or one that contradicts ``--year``, is an EvalkitError."""
    text = getattr(args, "period", None)
    if not text:
        return args.year
    from .periods import parse_period

    period = parse_period(text)
    if args.year and int(args.year) != int(period):
        raise EvalkitError(f"--period {text} is in {int(period)}, --year says {args.year}: give one of them")
    return period if period.in_year else int(period)


def _say_resolved(asked, key: str) -> None:
    """Say which months a year to date (``2024-YTD``) resolved to."""
    from .periods import Period, parse_period

    if isinstance(asked, Period) and not asked.resolved:
        period = parse_period(key)
        print(f"{asked.key}: {period.name('en')} ({period.key}: the latest month with data is "
              f"{int(period)}-{period.last_month:02d})")


def cmd_run(args: argparse.Namespace) -> int:
    from .run import run_batch

    units = [u.strip() for u in args.units.split(",") if u.strip()] if args.units else None
    if args.jobs < 1:
        raise EvalkitError(f"--jobs: expected a positive number; found {args.jobs}")
    if args.theme is not None:
        return _run_theme(args, units)
    year = _year_or_period(args)
    with _inputs(args) as (data, framework, dataset, store):
        summary = run_batch(data=data, framework=framework, year=year, units=units,
                            out_dir=Path(args.out), jobs=args.jobs, language=args.language,
                            progress=not args.quiet, renderer=args.renderer, force=args.force,
                            overview=not args.no_overview, scheduler=args.scheduler,
                            timeout=args.timeout, start_timeout=args.start_timeout,
                            dataset=dataset, store=store)
    _say_resolved(year, summary.out_dir.name)
    print(summary.describe())
    return EXIT_OK if summary.ok else EXIT_FAILED


def _run_theme(args: argparse.Namespace, units: list[str] | None) -> int:
    """``evalkit run --theme NAME``: the thematic evaluation (专项评价) ``NAME`` of the framework."""
    from .theme_batch import run_theme

    if args.scheduler:
        raise EvalkitError("--theme renders one report on this machine; leave out --scheduler")
    if not args.theme.strip():
        raise EvalkitError("--theme: expected the name of a theme of the framework (themes:)")
    with _inputs(args) as (data, framework, dataset, _store):
        summary = run_theme(data, framework, args.theme.strip(), year=args.year, units=units, out_dir=Path(args.out),
                            language=args.language, renderer=args.renderer, dataset=dataset,
                            timeout=args.timeout, start_timeout=args.start_timeout)
    print(summary.describe())
    return EXIT_OK if summary.ok else EXIT_FAILED


@contextmanager
def _inputs(args, framework_option: bool = True):
    """(data directory, framework file, dataset or None, store entry or None) of ``--data`` /
    ``--framework``, or of ``--db`` / ``--as-of``: the store's data at that snapshot, exported
    to a temporary folder for the length of the command."""
    from .resources import default_inputs

    db = getattr(args, "db", None)
    if getattr(args, "as_of", None) and not db:
        raise EvalkitError("--as-of needs --db (a snapshot of the efficiency database)")
    if not db:
        data, framework = default_inputs(args.data, getattr(args, "framework", None) if framework_option else None)
        yield data, framework, None, None
        return
    if args.data:
        raise EvalkitError("give the data either as --data DIR or as --db, not both")
    from .store.source import store_source

    with store_source(db, args.as_of) as src:
        framework = Path(args.framework) if framework_option and getattr(args, "framework", None) \
            else src.data_dir / "framework.yaml"
        if not framework.is_file():
            framework = default_inputs(None, None)[1]
        yield src.data_dir, framework, src.dataset, src.entry


def _add_store_options(parser) -> None:
    parser.add_argument("--db", metavar="PATH_OR_URL",
                        help="read the data from the efficiency database (DuckDB file or postgresql:// URL) "
                             "instead of --data")
    parser.add_argument("--as-of", metavar="SNAPSHOT|ISO-DATETIME",
                        help="with --db: the data as they were at this snapshot or moment (default: now)")


def _quality_period(args: argparse.Namespace, dataset) -> str | None:
    """``evalkit quality --period``: ``YYYY-MM`` (the year to date through that month), or the
    year to date as ``run --period`` writes it (``2024-YTD-09``, ``2024-YTD``: through the
    latest month with data); any other text is read by the quality checks as before."""
    text = (args.period or "").strip()
    if not text or not text.upper().count("YTD"):
        return args.period
    from .data.as_at import resolve_period
    from .periods import parse_period

    period = resolve_period(dataset, parse_period(text))
    return f"{int(period)}-{period.last_month:02d}"


def cmd_quality(args: argparse.Namespace) -> int:
    from .data.dataset import load_dataset
    from .quality_batch import run_quality

    if args.jobs < 1:
        raise EvalkitError(f"--jobs: expected a positive number; found {args.jobs}")
    units = [u.strip() for u in args.units.split(",") if u.strip()] if args.units else None
    with _inputs(args, framework_option=False) as (data, _framework, dataset, store):
        ds = dataset if dataset is not None else load_dataset(data)
        summary = run_quality(ds, Path(data), args.year, out_dir=Path(args.out), period=_quality_period(args, ds),
                              language=args.language, renderer=args.renderer, jobs=args.jobs, units=units,
                              reports=not args.no_reports, store=store, store_url=args.db,
                              progress=not args.quiet)
    print(summary.describe())
    return EXIT_OK if summary.ok else EXIT_FAILED


def cmd_verify(args: argparse.Namespace) -> int:
    from .run import verify_reports

    result = verify_reports(Path(args.report_dir), jobs=args.jobs, progress=not args.quiet,
                            scheduler=args.scheduler)
    print(result.describe())
    return EXIT_OK if result.ok else EXIT_DIFFERENT


def cmd_portal(args: argparse.Namespace) -> int:
    from .portal import build_portal

    result = build_portal(Path(args.out), language=args.language)
    print(result.describe())
    return EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    from .configuration import load_configuration
    from .results.compute import compute_results
    from .results.store import save_results, score_table
    from .data.writers import write_table

    asked = _year_or_period(args)
    with _inputs(args) as (data, framework, dataset, store):
        config = load_configuration(data, framework)  # every configuration file, checked before any work
        results = compute_results(data, year=asked, config=config, dataset=dataset)
    if store is not None:
        results.meta["store"] = store
    year = results.meta.get("period") or int(results.meta["year"])  # a period: OUT/2024Q3/
    _say_resolved(asked, str(year))
    out = Path(args.out) / str(year)
    table = score_table(results)
    for suffix in ("parquet", "csv", "xlsx"):
        write_table(table, out / f"scores.{suffix}", raw_csv=args.raw_csv)
    save_results(results, out / "results")
    print(f"Scored {len(results.units)} units for {year} with framework {results.meta['framework_code']} "
          f"{results.meta['framework_version']}: {out}/scores.parquet, .csv, .xlsx")
    return EXIT_OK


def cmd_indicators(args: argparse.Namespace) -> int:
    from .indicators import AREAS, CATALOGUE

    if not args.out:
        if args.year or args.data or args.db or args.period:
            raise EvalkitError("give --out FILE (.csv, .xlsx or .parquet) to compute the indicators")
        for ind in CATALOGUE:
            better = "↑" if ind.direction > 0 else "↓"
            period = " (monthly)" if ind.periodic else ""
            print(f"{ind.code:34} {better} {ind.unit:5} {AREAS[ind.area]['zh']:8} {ind.name_zh} — "
                  f"{ind.name_en}{period}")
        print(f"{len(CATALOGUE)} indicators; formulas and sources: docs/indicators.md")
        return EXIT_OK
    from .configuration import load_configuration
    from .data.as_at import resolve_period
    from .data.dataset import load_dataset
    from .indicators import compute_indicators
    from .data.writers import write_table
    from .periods import Period

    out = Path(args.out)
    if not out.name.lower().endswith((".csv", ".xlsx", ".parquet")):
        raise EvalkitError(f"--out: expected a file ending in .csv, .xlsx or .parquet; found '{out.name}'")
    with _inputs(args, framework_option=False) as (data, _framework, dataset, _store):
        config = load_configuration(data)  # the rubric and indicator settings of the data
        ds = dataset if dataset is not None else load_dataset(data)
        asked = _year_or_period(args)
        year = ds.evaluation_year(asked)  # default: the latest year with data for scoring
        if isinstance(year, Period):  # a month, quarter or year to date (2024-YTD: to the latest month)
            year = resolve_period(ds, year)
            _say_resolved(asked, year.key)
        table = compute_indicators(ds, year, include_periodic=True, parameters=config.indicators)
        if isinstance(year, Period):
            table.insert(table.columns.get_loc("year") + 1, "evaluation_period", year.key)
    names = {i.code: i.name_zh for i in CATALOGUE}
    table.insert(1, "name_zh", table["indicator"].map(names))
    write_table(table, out, raw_csv=args.raw_csv)
    what = year.key if isinstance(year, Period) else year
    print(f"Wrote {len(table):,} rows ({table['indicator'].nunique()} indicators, {what}) to {out}")
    return EXIT_OK


def cmd_oa_posts(args: argparse.Namespace) -> int:
    from .data.dataset import load_dataset
    from .data.writers import write_table
    from .indicators.oa import oa_by_post
    from .qualitative.rubric import ANONYMITY_FLOOR
    from .resources import sample_data_dir

    out = Path(args.out)
    if not out.name.lower().endswith((".csv", ".xlsx", ".parquet")):
        raise EvalkitError(f"--out: expected a file ending in .csv, .xlsx or .parquet; found '{out.name}'")
    data = Path(args.data) if args.data else sample_data_dir()
    ds = load_dataset(data)
    year = ds.evaluation_year(args.year)  # default: the latest year with data for scoring
    if not ds.has("oa_documents", year):
        raise EvalkitError(f"{data}: no oa_documents file for {year}: there are no per-post figures to write")
    table = oa_by_post(ds, year)
    write_table(table, out, raw_csv=args.raw_csv)
    hidden = int(table["suppressed"].sum())
    print(f"Wrote {len(table):,} rows (unit × post type, {year}) to {out}; {hidden} with fewer than "
          f"{ANONYMITY_FLOOR} documents are suppressed. FOR THE EVALUATION OFFICE ONLY (仅供效能办内部使用): "
          "do not publish or attach to a report.")
    return EXIT_OK


_RAW_CSV_HELP = ("write CSV text cells as they are; by default a cell starting with =, +, -, @, "
                 "tab or carriage return is prefixed with ' so that no spreadsheet runs it as a "
                 "formula (XLSX cells are always plain text)")


#: The help of ``--period`` (evalkit run, score, indicators; docs/periods.md).
_PERIOD_HELP = ("a month (2024-09), a quarter (2024Q3) or the year to date (2024-YTD: through the latest "
                "month with data; 2024-YTD-09) instead of the whole year: the data as known at its cut-off, "
                "annual-only indicators not assessed; output in OUT/<period>/ (e.g. reports/2024Q3/)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="Evaluate government efficiency (政府效能评估) and render annual reports.")
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="compute a year's results and render the reports (HTML, PDF and JSON)",
                         description="Validate the data, score every unit and render one report "
                                     "per unit (HTML, PDF and JSON from one notebook execution), the "
                                     "district overview and manifest.json into OUT/<year>/. "
                                     "Defaults: the shipped sample district, its framework, the "
                                     "latest year, every unit. Reports whose inputs did not "
                                     "change since the last run are skipped.")
    run.add_argument("--data", help="data directory (default: the shipped sample district)")
    run.add_argument("--framework", help="framework YAML (default: DATA/framework.yaml)")
    _add_store_options(run)
    run.add_argument("--year", type=int, help="evaluation year (default: the latest with data for scoring)")
    run.add_argument("--period", metavar="P", help=_PERIOD_HELP)
    run.add_argument("--units", help="comma-separated unit ids (default: every unit)")
    run.add_argument("--out", default="reports", help="output directory (default: ./reports)")
    run.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)),
                     help="worker processes, each with one warm kernel (default: number of "
                          "cores, at most 4)")
    run.add_argument("--language", choices=("zh", "en"), default="zh", help="report language")
    run.add_argument("--renderer", choices=("typst", "quarto"), default="typst",
                     help="PDF renderer: the typst package (default) or an installed Quarto")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="render on a Dask distributed cluster (e.g. tcp://host:8786); needs "
                          "evalkit[dask] and a file system the workers share")
    run.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                     help="limit for one notebook cell (default 600)")
    run.add_argument("--start-timeout", type=int, default=None, metavar="SECONDS",
                     help="limit for a kernel to start; one retry (default 60)")
    run.add_argument("--force", action="store_true", help="re-render reports even if unchanged")
    run.add_argument("--no-overview", action="store_true", help="skip the district overview")
    run.add_argument("--theme", metavar="NAME",
                     help="render the thematic evaluation (专项评价) NAME of the framework's themes into "
                          "OUT/<year>/themes/NAME/ instead of the annual reports; --units restricts its units")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    ver = sub.add_parser("verify", help="re-compute a report folder and compare it with its manifest",
                         description="Check REPORT_DIR against its manifest.json: re-hash every "
                                     "input (data files, framework, rubric, schemes, indicator "
                                     "settings, workdays) and every output (each report's HTML, "
                                     "PDF and JSON, and the results tables), list stray and "
                                     "stale files, re-compute the results "
                                     "and re-render every report; list every difference and exit 4 "
                                     "if there is any.")
    ver.add_argument("report_dir", help="a year folder written by `evalkit run`, e.g. reports/2024")
    ver.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)),
                     help="worker processes (default: number of cores, at most 4)")
    ver.add_argument("--scheduler", metavar="ADDRESS", help="re-render on a Dask cluster")
    ver.add_argument("--quiet", action="store_true", help="no progress bar")
    ver.set_defaults(func=cmd_verify)

    por = sub.add_parser("portal", help="build the district portal: one offline site over every year's reports",
                         description="Build a static site at OUT/index.html over every year folder in "
                                     "OUT (what `evalkit run --out OUT` wrote): league tables per peer "
                                     "group (sortable, filterable, searchable) with links to each "
                                     "report's HTML and PDF, a page per unit over all years, the "
                                     "district's trend, warnings and overdue rectification, and two "
                                     "units side by side; Chinese and English. Built only from the "
                                     "reports' JSON, so it shows the reports' numbers; works from the "
                                     "file system and any static web server, nothing is fetched from "
                                     "the network. Written as a whole (OUT/index.html and OUT/portal/); "
                                     "`evalkit run` refreshes it when it exists.")
    por.add_argument("--out", default="reports", metavar="REPORTS_DIR",
                     help="the reports folder (default: ./reports)")
    por.add_argument("--language", choices=("zh", "en"), default=None,
                     help="the pages' first language; readers can switch (default: the existing "
                          "portal's, else zh)")
    por.set_defaults(func=cmd_portal)

    sco = sub.add_parser("score", help="score every unit and write the results table (Parquet, CSV, XLSX)",
                         description="Validate the data, score every unit with the framework and "
                                     "write OUT/<year>/scores.parquet, .csv and .xlsx (unit × node: "
                                     "raw value, score, weight, contribution, points lost, coverage, "
                                     "rank, grade, flags).")
    sco.add_argument("--data", help="data directory (default: the shipped sample district)")
    sco.add_argument("--framework", help="framework file (default: DATA/framework.yaml)")
    _add_store_options(sco)
    sco.add_argument("--year", type=int, help="evaluation year (default: the latest with data for scoring)")
    sco.add_argument("--period", metavar="P", help=_PERIOD_HELP)
    sco.add_argument("--out", default="reports", help="output directory (default: ./reports)")
    sco.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)
    sco.set_defaults(func=cmd_score)

    val = sub.add_parser("validate", help="check a data directory against the data contract",
                         description="Print every problem of the data directory and exit 1 if "
                                     "there is any error. Writes nothing.")
    val.add_argument("data_dir", help="data directory")
    val.add_argument("--year", type=int, help="check only this year's folder")
    val.set_defaults(func=cmd_validate)

    ind = sub.add_parser("indicators", help="list the indicator catalogue, or compute every indicator",
                         description="Without --out, list every indicator. With --out FILE (.csv, "
                                     ".xlsx or .parquet), compute every indicator of a year for "
                                     "every unit and write them there.")
    ind.add_argument("--data", help="data directory (default: the shipped sample district)")
    ind.add_argument("--year", type=int, help="year (default: the latest with data for scoring)")
    ind.add_argument("--period", metavar="P", help=_PERIOD_HELP)
    _add_store_options(ind)
    ind.add_argument("--out", help="output file: .csv, .xlsx or .parquet")
    ind.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)
    ind.set_defaults(func=cmd_indicators)

    oap = sub.add_parser("oa-posts", help="write the OA duty-performance figures per unit and post type "
                                          "(evaluation office only)",
                         description="Compute the office-automation indicators (on-time rate, median "
                                     "handling days, overdue backlog) per unit AND post type (岗位) and "
                                     "write them to --out (.csv, .xlsx or .parquet). For the evaluation "
                                     "office only: `evalkit run` never writes these figures, and a post "
                                     "type with fewer documents than the anonymity floor is suppressed.")
    oap.add_argument("--data", help="data directory (default: the shipped sample district)")
    oap.add_argument("--year", type=int, help="year (default: the latest with data for scoring)")
    oap.add_argument("--out", required=True, help="output file: .csv, .xlsx or .parquet")
    oap.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)
    oap.set_defaults(func=cmd_oa_posts)

    qua = sub.add_parser("quality", help="run the data-quality checks and render the data-quality reports",
                         description="Run every data-quality check (completeness, timeliness, validity, "
                                     "consistency, plausibility; the built-in checks and DATA/quality_checks.yaml) "
                                     "for every unit, score each unit's data quality, summarise the "
                                     "verification audits, and write OUT/<year>/quality/metrics.csv and .xlsx, "
                                     "scores.csv and the district's and each unit's data-quality report (HTML "
                                     "and PDF). Failed checks are findings: the exit code is 0 unless the "
                                     "command itself fails.")
    qua.add_argument("--data", help="data directory (default: the shipped sample district)")
    _add_store_options(qua)
    qua.add_argument("--year", type=int, help="year (default: the latest with data for scoring)")
    qua.add_argument("--period", metavar="YYYY-MM",
                     help="the year to date through this month, also written 2024-YTD-09 or 2024-YTD "
                          "(the latest month with data) as for evalkit run (default: the whole year)")
    qua.add_argument("--out", default="reports", help="output directory (default: ./reports)")
    qua.add_argument("--units", help="render the reports of these units only (comma-separated)")
    qua.add_argument("--language", choices=("zh", "en"), default="zh", help="report language")
    qua.add_argument("--renderer", choices=("typst", "quarto"), default="typst", help="PDF renderer")
    qua.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)),
                     help="reports rendered in parallel")
    qua.add_argument("--no-reports", action="store_true", help="write the tables only")
    qua.add_argument("--quiet", action="store_true", help="no progress bar")
    qua.set_defaults(func=cmd_quality)

    from .cli_db import add_db_parser

    add_db_parser(sub)

    from .cli_quality import add_audit_parser

    add_audit_parser(sub)

    from .cli_export import add_export_parser

    add_export_parser(sub, _inputs, _add_store_options)

    from .cli_targets import add_targets_parser

    add_targets_parser(sub, _inputs, _add_store_options)

    from .cli_rectify import add_rectify_parser

    add_rectify_parser(sub, _inputs)

    from .cli_monitor import add_monitor_parser

    add_monitor_parser(sub, _inputs, _add_store_options)

    from .cli_supervise import add_supervise_parser

    add_supervise_parser(sub, _inputs, _add_store_options)

    smp = sub.add_parser("sample", help="write the synthetic sample district (示例区)",
                         description="Write every table of the data contract for the fictional "
                                     "示例区. The same seed gives byte-identical files.")
    smp.add_argument("out_dir", help="output directory")
    smp.add_argument("--seed", type=int, default=20241, help="random seed (default 20241)")
    smp.add_argument("--years", default="2022-2024", help="years, e.g. 2022-2024 (default)")
    smp.add_argument("--cases", type=int, help="service cases per year (scales the sample up)")
    smp.add_argument("--tickets", type=int, help="12345 tickets per year")
    smp.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format")
    smp.add_argument("--force", action="store_true",
                     help="write into a non-empty directory: overwrite the files the sample writes, "
                          "leave every other file alone")
    smp.set_defaults(func=cmd_sample)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """evalkit's own warnings (configuration, anonymity floor, invisible characters) as one
    readable line each; other libraries' warnings keep Python's format."""
    if issubclass(category, UserWarning):
        print(f"evalkit: warning: {message}", file=sys.stderr)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        return _run_command(args)


def _run_command(args) -> int:
    try:
        return args.func(args)
    except DataValidationError as exc:
        _print_problems(exc.problems + exc.warnings, stream=sys.stderr, limit=30)
        print(f"evalkit: error: {_summary(exc.problems + exc.warnings)} "
              "Run `evalkit validate DATA_DIR` for the full list.", file=sys.stderr)
        return EXIT_INVALID
    except EvalkitError as exc:
        print(f"evalkit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("evalkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):  # any command, any writer: one clear line
            where = f" writing {exc.filename}" if exc.filename else ""
            print(f"evalkit: error: the disk is full{where}; free some space and run the command again "
                  "(files are written atomically: nothing half-written was left)", file=sys.stderr)
            return EXIT_USAGE
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
