"""Assemble and write the sample district: every table of the data contract, every year.

Layout written (see :mod:`evalkit.data.contract`)::

    OUT/README.md            what this is: synthetic data, generator, seed, command
    OUT/units.csv            district tables
    OUT/raters.csv
    OUT/rater_conflicts.csv
    OUT/<year>/<table>.csv   small year tables
    OUT/<year>/<table>.csv.gz  event tables (fmt="csv"), or every year table as .parquet
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..data.contract import DISTRICT_TABLES, KEPT_BY_EVALKIT, TABLES
from ..data.contract import YEAR_TABLES as _ALL_YEAR_TABLES
from ..data.files import atomic_write_text
from ..errors import EvalkitError
from ..data.writers import write_table
from . import adjustments, applicability, events, finance, governance, office, qualitative
from . import audits, key_tasks
from . import defects, in_year, submissions
from .context import YearContext
from .district import (BUDGET_LAGGARDS, NO_TICKET_UNIT, NOT_REPORTED, OVERSTAFFED_UNIT, POOR_PERFORMERS,
                       WEAK_HOTLINE_UNITS, units_table)
from .spec import SampleSpec

#: The year tables the sample writes: every one but those evalkit's commands keep.
YEAR_TABLES = tuple(t for t in _ALL_YEAR_TABLES if t.name not in KEPT_BY_EVALKIT)

TableKey = str | tuple[int, str]

#: Year tables written gzip-compressed in the CSV format.
EVENT_TABLES = ("service_cases", "hotline_tickets", "grid_cases", "survey_responses", "ratings",
                "oa_documents")

#: Generator of each year table. ``rectifications`` also needs the year's audit findings.
_YEAR_GENERATORS: dict[str, Callable[[YearContext], pd.DataFrame]] = {
    "service_cases": events.service_cases,
    "hotline_tickets": events.hotline_tickets,
    "grid_cases": events.grid_cases,
    "budget_lines": finance.budget_lines,
    "disclosure_requests": governance.disclosure_requests,
    "disclosure_documents": governance.disclosure_documents,
    "legal_cases": governance.legal_cases,
    "audit_findings": finance.audit_findings,
    "supervision_tasks": governance.supervision_tasks,
    "oa_documents": office.oa_documents,
    "projects": governance.projects,
    "project_milestones": governance.project_milestones,
    "key_tasks": key_tasks.key_tasks,
    "key_task_milestones": key_tasks.key_task_milestones,
    "proposals": governance.proposals,
    "staffing": finance.staffing,
    "ratings": qualitative.ratings,
    "votes": qualitative.votes,
    "survey_responses": qualitative.survey_responses,
    "adjustments": adjustments.adjustments,
}


def _conform(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Put the columns in contract order and check nothing is missing or extra."""
    expected = list(TABLES[name].column_names)
    if sorted(frame.columns) != sorted(expected):
        raise AssertionError(f"generator of {name} gives columns {list(frame.columns)}, "
                             f"contract has {expected}")
    return frame[expected].reset_index(drop=True)


def year_tables(spec: SampleSpec, year: int) -> dict[str, pd.DataFrame]:
    """Every year table of ``year``, keyed by table name, in contract column order."""
    ctx = YearContext.build(spec, year)
    out = {name: generate(ctx) for name, generate in _YEAR_GENERATORS.items()}
    out["rectifications"] = finance.rectifications(ctx, out["audit_findings"])
    out["rater_assignments"] = qualitative.rater_assignments(out["ratings"])
    out["not_applicable"] = applicability.not_applicable(ctx, out["projects"])
    out["submissions"] = submissions.submissions(ctx)
    out["verification_audits"] = audits.verification_audits(out["service_cases"], year)
    for unit, names in NOT_REPORTED.get(year, {}).items():
        for name in names:
            out[name] = out[name][out[name]["unit_id"] != unit]
    out = defects.plant_defects(out, year, ctx.calendar)  # data-quality findings in named units
    return {t.name: _conform(out[t.name], t.name) for t in YEAR_TABLES}


def district_tables(spec: SampleSpec = SampleSpec()) -> dict[str, pd.DataFrame]:
    """The district tables (``units``, ``raters``, ``rater_conflicts``); the raters' terms
    cover ``spec.years``."""
    out = {"units": units_table(), "raters": qualitative.raters_table(spec),
           "rater_conflicts": qualitative.rater_conflicts(spec)}
    return {t.name: _conform(out[t.name], t.name) for t in DISTRICT_TABLES}


def sample_tables(spec: SampleSpec = SampleSpec()) -> dict[TableKey, pd.DataFrame]:
    """Generate the sample district in memory.

    Returns
    -------
    dict
        District tables keyed by name (``"units"``), year tables keyed by
        ``(year, name)``. Columns are the contract's English names in contract order;
        ids, text and codes are strings, dates and date-times ``datetime64``, booleans
        ``bool`` (``boolean`` where missing values are allowed).
    """
    tables: dict[TableKey, pd.DataFrame] = dict(district_tables(spec))
    for year in spec.years:
        for name, frame in year_tables(spec, int(year)).items():
            tables[(int(year), name)] = frame
    return tables


def table_file_name(name: str, fmt: str) -> str:
    """File name of table ``name`` in format ``fmt`` ("csv" or "parquet")."""
    if TABLES[name].scope == "district":
        return f"{name}.csv"
    if fmt == "parquet":
        return f"{name}.parquet"
    return f"{name}.csv.gz" if name in EVENT_TABLES else f"{name}.csv"


def sample_files(spec: SampleSpec) -> dict[Path, str]:
    """The data files ``spec`` writes, relative to the output directory, with the table each
    holds (``README.md`` is written too)."""
    files = {Path(table_file_name(t.name, spec.fmt)): t.name for t in DISTRICT_TABLES}
    for year in spec.years:
        files.update({Path(str(year)) / table_file_name(t.name, spec.fmt): t.name for t in YEAR_TABLES})
    return files


def conflicting_files(out_dir: str | Path, spec: SampleSpec = SampleSpec()) -> list[tuple[Path, Path]]:
    """Files already in ``out_dir`` that hold a table the sample writes, under another name (another
    format, ``staffing.xlsx`` next to the sample's ``staffing.csv``, or the table's Chinese label):
    with the sample's file beside them a data directory would have two files for one table.
    Returns ``(existing file, the sample's file)`` pairs, relative to ``out_dir``."""
    from ..data.dataset import _table_name  # the rule `evalkit validate` finds tables by

    out = Path(out_dir)
    by_folder: dict[Path, dict[str, Path]] = {}
    for rel, name in sample_files(spec).items():
        by_folder.setdefault(rel.parent, {})[name] = rel
    found = []
    for folder, tables in sorted(by_folder.items()):
        if not (out / folder).is_dir():
            continue
        for p in sorted((out / folder).iterdir()):
            if not p.is_file() or p.name.startswith((".", "~$")):
                continue
            name = _table_name(p)
            if name in tables and p.name != tables[name].name:
                found.append((folder / p.name, tables[name]))
    return found


def generate_sample(out_dir: str | Path, spec: SampleSpec = SampleSpec()) -> list[Path]:
    """Write the sample district to ``out_dir``; return the written files (sorted).

    Files are written deterministically (:func:`evalkit.data.writers.write_table`): the same
    ``spec`` gives byte-identical files. Only the files the sample writes
    (:func:`sample_files` and ``README.md``) are replaced; every other file in ``out_dir`` is
    left alone. When a file already there holds one of the sample's tables under another
    name (:func:`conflicting_files`), nothing is written and :class:`EvalkitError` names it.
    """
    out = Path(out_dir)
    conflicts = conflicting_files(out, spec)
    if conflicts:
        shown = "; ".join(f"{have.as_posix()} (the sample writes {ours.as_posix()})"
                          for have, ours in conflicts[:5])
        more = f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else ""
        raise EvalkitError(f"{out}: {len(conflicts)} file(s) already hold a table of the sample under "
                           f"another name: {shown}{more}; the sample only overwrites the files it "
                           "writes and never deletes others — move them away or choose another "
                           "directory")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(frame: pd.DataFrame, path: Path) -> None:
        written.append(write_table(frame, path, raw_csv=True))  # input data: read back as written

    for name, frame in district_tables(spec).items():
        save(frame, out / table_file_name(name, spec.fmt))
    counts: dict[int, dict[str, int]] = {}
    for year in spec.years:
        tables = year_tables(spec, int(year))
        counts[int(year)] = {name: len(frame) for name, frame in tables.items()}
        for name, frame in tables.items():
            save(frame, out / str(year) / table_file_name(name, spec.fmt))
        del tables
    readme = out / "README.md"
    atomic_write_text(readme, readme_text(spec, counts), fsync=False)
    written.append(readme)
    return sorted(written)


def _command(spec: SampleSpec) -> str:
    default = SampleSpec()
    args = [f"{field}={getattr(spec, field)!r}" for field in ("seed", "years", "cases", "tickets", "fmt")
            if getattr(spec, field) != getattr(default, field)]
    spec_text = f"SampleSpec({', '.join(args)})"
    return ("python -c \"from evalkit.sample import generate_sample, SampleSpec; "
            f"generate_sample('OUT_DIR', {spec_text})\"")


def _defects_text(spec: SampleSpec) -> str:
    """The README section on the planted data-quality defects (:mod:`evalkit.sample.defects`)."""
    planted = [d for d in defects.PLANTED_DEFECTS if d.year in spec.years]
    if not planted:
        return ""
    rows = "\n".join(f"| `{d.unit_id}` | {d.year} | `{d.table}` | {d.what_en}（{d.what_zh}） | `{d.check}` |"
                     for d in planted)
    found: dict[tuple[str, str], list[str]] = {}
    for unit, year, check, why in defects.KNOWN_FINDINGS:
        if year is None or year in spec.years:
            found.setdefault((unit, why), []).append(f"`{check}`")
    known = "\n".join(f"* `{unit}`: {why} — {', '.join(checks)}" for (unit, why), checks in found.items())
    return f"""
## Planted data-quality defects (数据质量问题)

Data-quality defects planted in named units (`evalkit.sample.defects.PLANTED_DEFECTS`). Each
passes `evalkit validate` (they are findings, not errors) and is found by the data-quality
check named (`docs/quality-checks.md`); no other unit is flagged by those checks.

| unit | year | table | defect | check |
|---|---:|---|---|---|
{rows}

The checks also find special cases listed above:
{known}

`submissions` is the submission log (数据报送记录): every unit's monthly budget report, due on
the 5th working day of the next month, and its year-end staffing return, due on the 10th
working day of the next year, with the date each came in.
"""


def _in_year_text(spec: SampleSpec) -> str:
    """The README section on the planted in-year problems (:mod:`evalkit.sample.in_year`)."""
    planted = [p for p in in_year.PLANTED_IN_YEAR if p.year in spec.years]
    if not planted:
        return ""
    rows = "\n".join(f"| `{p.unit_id}` | {p.year}-{p.from_month:02d} | `{p.table}` | `{p.indicator}` | "
                     f"{p.what_en}（{p.what_zh}） |" for p in planted)
    return f"""
## Planted in-year problems (年内预警)

In-year problems planted in named units (`evalkit.sample.in_year.PLANTED_IN_YEAR`), for the
early warnings: `evalkit monitor --period 2024-10` warns for each on the indicator named
(`docs/monitoring.md`). They change probabilities and spending profiles, not the random
draws, so no other unit's records change.

| unit | from | table | indicator | problem |
|---|---|---|---|---|
{rows}
"""


def readme_text(spec: SampleSpec, counts: dict[int, dict[str, int]]) -> str:
    """The README of a generated sample directory (deterministic: no dates, no paths)."""
    years = sorted(counts)
    header = "| table | " + " | ".join(str(y) for y in years) + " |"
    rule = "|---|" + "---:|" * len(years)
    rows = [f"| {name} | " + " | ".join(f"{counts[y][name]:,}" for y in years) + " |"
            for name in (t.name for t in YEAR_TABLES)]
    poor = "\n".join(f"  * `{unit}`: {why}" for unit, why in POOR_PERFORMERS.items())
    declared = "\n".join(f"  * `{rater}` with `{unit}`: {why}"
                         for rater, unit, why in qualitative.DECLARED_CONFLICTS)
    return f"""# 示例区 (Sample District) — SYNTHETIC data

**Everything in this directory is synthetic.** 示例区 is a fictional district; its
departments, 街道/镇, people, cases and numbers are invented by a seeded random generator
and describe no real place or person.

* Generator: `evalkit.sample` (evalkit), `generate_sample(out_dir, SampleSpec(...))`
* Seed: `{spec.seed}`; years: {", ".join(str(y) for y in years)}; format: `{spec.fmt}`
* Service cases per year: {spec.total_cases:,}; hotline tickets per year: {spec.total_tickets:,}
* Command used (`OUT_DIR` is this directory):

  ```
  {_command(spec)}
  ```

The same seed and parameters give byte-identical files.

## What it contains

48 evaluated units (`units.csv`): 35 departments (部门, ids D01–D35) in three classes
(综合管理类 10, 执法监管类 12, 社会服务类 13) and 13 sub-districts/towns (街镇, ids
S01–S13: 12 街道 + 1 镇). `raters.csv` is the evaluator registry: 8 district leaders,
one peer rater per unit, 60 service users and 6 experts, with invented names (for the
evaluation office only: no result or report shows them), organisations, qualifications
and terms covering every year of the sample; `rater_conflicts.csv` holds the conflicts
of interest raters declared. Each year folder holds every year table of the data contract
(`docs/data-contract.md`); `rater_assignments` lists the units each rater was assigned
to rate that year.

Volumes are **scaled down** from the domain brief §4.3 (a real district of this size
handles ≈ 0.9 million service cases and ≈ 200,000 dispatched hotline tickets a year)
so that the sample stays small; rates and shares (on-time, satisfaction, online share,
budget execution …) follow §4.3. Bad service ratings are kept at ≈ 10 a year (more
than §4.3's 1–5 per 100,000 cases) so that their rectification appears at all.

Rows per year:

{header}
{rule}
{chr(10).join(rows)}

## Deliberate special cases

* `{NO_TICKET_UNIT}` receives no 12345 hotline ticket in any year (no data, not 100 %).
* Poor performers (latent quality set low):
{poor}
* Weaker hotline on-time rates (≈ 92–96 %): {", ".join(f"`{u}`" for u in WEAK_HOTLINE_UNITS)}.
* Budget execution laggards: {", ".join(f"`{u}`" for u in BUDGET_LAGGARDS)}; `{OVERSTAFFED_UNIT}` has more
  staff in post than authorised posts.
* Ratings: peer rater `{qualitative.SELF_RATER_ID}` also rates their own unit
  `{qualitative.SELF_RATED_UNIT}`; peer rater `{qualitative.HARSH_RATER_ID}` scores about
  {abs(qualitative.HARSH_OFFSET):.0f} points below everyone; the {qualitative.SHORT_EXPERT_CLASS}
  units are rated by only 3–4 experts (below a minimum group size of 5).
* Evaluator registry: each year's `rater_assignments` are the pairs rated that year, less
  the raters' own units and declared conflicts, so the only ratings excluded are
  `{qualitative.SELF_RATER_ID}`'s of its own unit (not assigned, and declared). Declared conflicts
  (`rater_conflicts.csv`; with the default seed, the other declaring raters neither were
  assigned to nor rated the unit in 2022–2024):
{declared}
* Missing values where the contract allows them: unrated cases, callbacks that did not
  reach the citizen, solved unknown, cases/tickets still pending or open when the year's
  data were extracted (first working day of the next year).
* Office-automation records (`oa_documents`): a few hundred documents per unit a year
  (收文, 发文, 督办, 会议纪要落实), handled at a post type (科员 … 主要领导, never a name),
  mostly closed within their limit, some late, a few still open at year end. In `{office.SMALL_POST_UNIT}` the
  {office.OA_POST_TYPES[office.SMALL_POST]} post handles only {office.SMALL_POST_DOCUMENTS} documents a year, below the anonymity floor: its per-post
  figures (`evalkit oa-posts`, for the evaluation office only) are suppressed.
* Not applicable (`not_applicable`): indicators of duties a unit does not have (no service
  windows, outside the grid, no 12345 tickets, no major project in the year), excluded from
  its points.
* Key tasks (`key_tasks`, `key_task_milestones`): every unit has {key_tasks.MIN_TASKS}–{key_tasks.MAX_TASKS} tasks of its own a
  year (区委区政府重点工作, 部门年度目标, 民生实事; 10–30 points each within the unit) with 2–4
  milestones each; most are 完成, some 基本完成 or 未完成, and some milestones are late (by
  working days, across holidays and 调休). The framework scores them in `KEY01`.
* Not reported (未报送): {"; ".join(f"in {y} `{u}` did not submit {', '.join(f'`{t}`' for t in names)}"
                               for y, units in sorted(NOT_REPORTED.items()) for u, names in units.items())}.
* Adjustments (`adjustments`): 创新创优 bonus points (one above the framework's cap of 3),
  deductions after a 通报批评, a 一票否优 on a high-scoring department and, in 2024, a
  一票否决 on `D17`.
{_defects_text(spec)}{_in_year_text(spec)}
## Companion files

`framework.yaml` (the indicator framework: areas, points, targets, rules, grades),
`rubric.yaml` (the qualitative rubric: criteria, level descriptors, label → point
mapping, aggregation policy) and `schemes.yaml` (alternative weighting schemes for the
weighting-scheme lab, `notebooks/weights_lab.ipynb`) are written by hand, not by the
generator; `evalkit sample` leaves them alone when it rewrites the data.
"""
