"""Known bugs re-introduced one at a time (issue 18): the test suite must catch each of them.

Issue 18 lists seven bugs that once slipped through or were caught only by the weighting
lab's cross-check (the lab now calls the shared scorer): a framework's ``grades.top_quota``
ignored, the ``deduction_cap`` not applied, a grade bound tested with ``>`` instead of
``>=``, peer-mean imputation of the mean *score* instead of the mean *share*, ranks on
unrounded scores, ``min_coverage`` tested with ``>`` instead of ``>=`` and a trimmed-mean
off-by-one. :data:`KNOWN_BUGS` holds each as a patch of the current source (``old`` → ``new``,
``old`` occurring exactly once in ``path``) and the tests that should catch it.

Usage (from anywhere, with the ``test`` extra installed)::

    python benchmarks/known_bugs.py                      # baseline + all seven bugs
    python benchmarks/known_bugs.py peer_mean_of_scores  # only these bugs
    python benchmarks/known_bugs.py --list               # the bugs, their patches and tests
    python benchmarks/known_bugs.py --no-baseline        # skip the unpatched run

For each bug the script copies the project (``evalkit/``, ``tests/``, the shipped resources,
``pyproject.toml``, ``setup.py``) into ``build/known_bugs/<name>/``, applies the patch there
(the checkout is never touched) and runs ``python -m pytest -q -x -rf -p no:cacheprovider
-p no:randomly <tests>`` in the copy with ``HYPOTHESIS_PROFILE=ci`` (derandomised, so a
verdict does not depend on the run). Exit status 1 means the bug is *caught* (the first
failing test is reported), 0 that it is *missed*; anything else is an error. A baseline run
of the unpatched copy over the union of the bugs' selections must pass first.

The copy's ``evalkit`` must be the one imported, not the checkout's (the development
environment installs evalkit editable from the checkout). ``PYTHONPATH=<copy>`` is prepended
and setuptools' editable finder sits at the *end* of ``sys.meta_path``, after the path
entries, so the copy wins; pytest's ``pythonpath = ["."]`` (pyproject.toml) puts the copy
first as well. The script checks this in every copy before running pytest
(``import evalkit`` must resolve inside the copy) and reports an error otherwise.

Prints a table (bug, caught/missed, first failing test) and writes it to
``benchmarks/known_bugs.md`` with the date (the rows of the bugs run this time). Exits 1 if a
bug is missed, a patch's ``old`` does not occur exactly once, the baseline fails or a run
errs. ``tests/test_known_bugs_anchors.py`` checks the anchors on every test run, so the
patches cannot rot silently when the source changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "known_bugs"
REPORT = ROOT / "benchmarks" / "known_bugs.md"

#: what a copy needs besides the package: tests and the resources that evalkit/resources.py
#: looks for next to the package (as benchmarks/mutation.py copies them).
COPY = ("evalkit", "tests", "data_samples", "templates", "notebooks", "docs", "pyproject.toml", "setup.py")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache", "mutants")

#: the scoring bugs: the scoring tests (hand-worked decisions through the engine and the lab's
#: model) and the lab's own tests.
SCORING_TESTS = ("tests/scoring", "tests/sensitivity")
#: the trimmed mean: the qualitative tests and the hand-worked trimmed/drop-k means.
QUALITATIVE_TESTS = ("tests/qualitative", "tests/scoring/test_hand_worked_decisions.py")


@dataclass(frozen=True)
class KnownBug:
    """One bug of issue 18 as a patch of the current source and the tests that catch it."""

    name: str
    description: str
    path: str  # relative to the repository root
    old: str  # occurs exactly once in ``path``
    new: str  # the buggy replacement
    tests: tuple[str, ...]  # pytest paths, relative to the repository root


KNOWN_BUGS: tuple[KnownBug, ...] = (
    KnownBug(
        "top_quota_ignored",
        "the framework file's grades.top_quota is validated but dropped: every framework gets the "
        "default quota of 0.2",
        "evalkit/scoring/framework.py",
        "    return replace(rules, top_quota=float(quota))\n",
        "    return rules\n",
        SCORING_TESTS,
    ),
    KnownBug(
        "deduction_cap_ignored",
        "the deduction points are summed but never capped at adjustments.deduction_cap",
        "evalkit/scoring/adjustments.py",
        '("deduction", rules.deduction_cap)',
        '("deduction", None)',
        SCORING_TESTS,
    ),
    KnownBug(
        "grade_bound_exclusive",
        "a band's lower bound must be exceeded (score > bound) instead of reached (score >= "
        "bound): a published 90.00 is graded 良好",
        "evalkit/scoring/kernels.py",
        "[..., None] < lows - BAND_TOLERANCE).sum(axis=-1)",
        "[..., None] <= lows).sum(axis=-1)",
        SCORING_TESTS,
    ),
    KnownBug(
        "peer_mean_of_scores",
        "peer_mean imputes the donors' mean score (points) instead of their mean share of "
        "points (score / max), wrong when units of the group have different points for the leaf",
        "evalkit/scoring/kernels.py",
        "            share = np.mean(out[..., have] / points[have], axis=-1)\n"
        "            out[..., fill] = share[..., None] * points[fill]\n",
        "            mean_score = np.mean(out[..., have], axis=-1)\n"
        "            out[..., fill] = mean_score[..., None]\n",
        SCORING_TESTS,
    ),
    KnownBug(
        "ranks_unrounded",
        "ranks taken on the unrounded score_100 instead of the published score (rounded to 2 "
        "decimals): units printed with the same score get different ranks",
        "evalkit/scoring/kernels.py",
        "    key = np.round(scores, decimals)\n",
        "    key = scores\n",
        SCORING_TESTS,
    ),
    KnownBug(
        "min_coverage_exclusive",
        "a node keeps its score only above min_coverage (coverage > min_coverage) instead of at "
        "or above it: a unit with exactly min_coverage of its points on data loses its score",
        "evalkit/scoring/kernels.py",
        ">= min_coverage - COVERAGE_TOLERANCE",
        "> min_coverage",
        SCORING_TESTS,
    ),
    KnownBug(
        "trimmed_mean_off_by_one",
        "the per-cell trimmed / drop-k mean keeps one rating too many at the top (rank <= n − cut "
        "instead of rank < n − cut): the highest rating that should be cut counts",
        "evalkit/qualitative/aggregate.py",
        "(rank < size[c] - cut[c])",
        "(rank <= size[c] - cut[c])",
        QUALITATIVE_TESTS,
    ),
)

#: pytest's exit status → verdict (1: some test failed; 0: all passed).
VERDICTS = {1: "caught", 0: "missed"}
_FAILED = re.compile(r"^FAILED (\S+::.*?)(?: - .*)?$", re.M)


@dataclass(frozen=True)
class Outcome:
    """The verdict of one bug's run — ``caught``, ``missed``, ``error`` or ``anchor`` (the
    patch's ``old`` does not occur exactly once) — or of the baseline (``passed``, ``failed``,
    ``error``), with the failing tests pytest reported and the time."""

    name: str
    verdict: str
    failed: tuple[str, ...] = ()
    seconds: float = 0.0
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict == "caught"


# --- patches -----------------------------------------------------------------------------

def anchor_count(bug: KnownBug, root: Path = ROOT) -> int:
    """How often ``bug.old`` occurs in ``bug.path`` under ``root`` (must be 1)."""
    return (root / bug.path).read_text("utf-8").count(bug.old)


def apply_patch(bug: KnownBug, root: Path) -> None:
    """Replace ``bug.old`` by ``bug.new`` in the copy at ``root``; ValueError unless ``old``
    occurs exactly once."""
    target = root / bug.path
    text = target.read_text("utf-8")
    if text.count(bug.old) != 1:
        raise ValueError(f"{bug.name}: the patch's old text occurs {text.count(bug.old)} times in {bug.path}")
    target.write_text(text.replace(bug.old, bug.new), "utf-8")


# --- copies and runs ---------------------------------------------------------------------

def prepare(name: str) -> Path:
    """A fresh copy of the project under ``build/known_bugs/<name>/``."""
    work = WORK / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for item in COPY:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, work / item, ignore=IGNORE)
        elif src.exists():
            shutil.copy2(src, work / item)
    return work


def run_env(copy: Path) -> dict[str, str]:
    """The environment of a run in ``copy``: the copy first on the path, the derandomised
    hypothesis profile, no bytecode written."""
    path = os.pathsep.join(p for p in (str(copy), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, HYPOTHESIS_PROFILE="ci", PYTHONDONTWRITEBYTECODE="1")


def imports_copy(copy: Path) -> str:
    """An empty string when ``import evalkit`` in ``copy`` finds the copy's package, else what
    it found (an error for :func:`judge`)."""
    proc = subprocess.run([sys.executable, "-c", "import evalkit; print(evalkit.__file__)"],
                          cwd=copy, env=run_env(copy), text=True, capture_output=True)
    found = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr.strip()[-300:]
    inside = proc.returncode == 0 and Path(found).resolve().is_relative_to(copy.resolve())
    return "" if inside else f"import evalkit found {found!r}, not the copy's package"


@dataclass(frozen=True)
class Run:
    """One pytest run: its exit status, the failing tests it reported, the time and the last
    lines of its output."""

    returncode: int
    failed: tuple[str, ...]
    seconds: float
    tail: str


def run_tests(copy: Path, tests: tuple[str, ...]) -> Run:
    """pytest on ``tests`` in ``copy`` (its output kept in ``<copy>/pytest.log``)."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-rf", "-p", "no:cacheprovider", "-p", "no:randomly",
           *tests]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=copy, env=run_env(copy), text=True, capture_output=True)
    seconds = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    (copy / "pytest.log").write_text(output, "utf-8")
    tail = " / ".join(ln.strip() for ln in output.strip().splitlines()[-3:])
    return Run(proc.returncode, tuple(_FAILED.findall(proc.stdout)), seconds, tail)


def judge(name: str, copy: Path, tests: tuple[str, ...], verdicts: dict[int, str]) -> Outcome:
    """Run ``tests`` in ``copy`` (after checking that the copy's evalkit is imported) and name
    the exit status by ``verdicts``; any other status is an error."""
    wrong = imports_copy(copy)
    if wrong:
        return Outcome(name, "error", detail=wrong)
    run = run_tests(copy, tests)
    verdict = verdicts.get(run.returncode, "error")
    detail = f"pytest exit {run.returncode}: {run.tail}" if verdict == "error" else ""
    return Outcome(name, verdict, run.failed, run.seconds, detail)


def union(selections: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The paths of all selections, once each, without paths inside a selected folder."""
    paths = list(dict.fromkeys(p for sel in selections for p in sel))
    return tuple(p for p in paths if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in paths))


def run_baseline(bugs: list[KnownBug]) -> Outcome:
    """The unpatched copy over the union of the bugs' selections: must pass."""
    return judge("baseline", prepare("baseline"), union([b.tests for b in bugs]), {0: "passed", 1: "failed"})


def run_bug(bug: KnownBug) -> Outcome:
    """Copy the project, apply ``bug`` and run its tests."""
    count = anchor_count(bug)
    if count != 1:
        return Outcome(bug.name, "anchor", detail=f"old text occurs {count} times in {bug.path}")
    copy = prepare(bug.name)
    apply_patch(bug, copy)
    return judge(bug.name, copy, bug.tests, VERDICTS)


# --- output ------------------------------------------------------------------------------

def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ⏎ ")


def table(outcomes: list[Outcome], bugs: dict[str, KnownBug]) -> str:
    """The results as a Markdown table."""
    rows = ["| bug | file | result | first failing test | seconds |", "|---|---|---|---|---:|"]
    for o in outcomes:
        where = f"`{bugs[o.name].path}`" if o.name in bugs else "(unpatched)"
        tests = "<br>".join(f"`{_md(t)}`" for t in o.failed) or _md(o.detail) or "—"
        rows.append(f"| {o.name} | {where} | {o.verdict} | {tests} | {o.seconds:.1f} |")
    return "\n".join(rows)


def patches(bugs: list[KnownBug]) -> str:
    """The patches as a Markdown list (old → new)."""
    return "\n".join(f"* **{b.name}** (`{b.path}`; tests: {', '.join(f'`{t}`' for t in b.tests)}): "
                     f"{b.description}.<br>`{_md(b.old.strip())}` → `{_md(b.new.strip())}`" for b in bugs)


def write_report(outcomes: list[Outcome], bugs: list[KnownBug], wall: float, argv: list[str]) -> None:
    """``benchmarks/known_bugs.md``: the date, the command, the table and the patches."""
    command = " ".join(["python benchmarks/known_bugs.py", *argv])
    text = (f"# Known bugs re-introduced (issue 18)\n\n"
            f"Written by `{command}` on {dt.date.today().isoformat()} (wall time {wall:.0f} s; see the "
            f"script's docstring). Each bug is applied alone to a copy of the project under "
            f"`build/known_bugs/<bug>/` and its tests run with `pytest -x` in the `ci` hypothesis "
            f"profile: *caught* = a test failed (the first is shown), *missed* = all passed.\n\n"
            f"{table(outcomes, {b.name: b for b in bugs})}\n\n## Patches\n\n{patches(bugs)}\n")
    REPORT.write_text(text, "utf-8")


def list_bugs(bugs: list[KnownBug]) -> None:
    for b in bugs:
        print(f"{b.name}  ({b.path})\n    {b.description}\n    tests: {' '.join(b.tests)}")
        print(f"    old: {b.old.strip()!r}\n    new: {b.new.strip()!r}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    names = [b.name for b in KNOWN_BUGS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bugs", nargs="*", metavar="name", help=f"bugs to run (default: all of {', '.join(names)})")
    parser.add_argument("--list", action="store_true", help="list the bugs and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run of the unpatched copy")
    args = parser.parse_args(argv)
    unknown = [n for n in args.bugs if n not in names]
    if unknown:
        parser.error(f"unknown bug(s) {', '.join(unknown)}; choose from {', '.join(names)}")
    bugs = [b for b in KNOWN_BUGS if not args.bugs or b.name in args.bugs]
    if args.list:
        list_bugs(bugs)
        return 0
    start = time.perf_counter()
    outcomes: list[Outcome] = []
    if not args.no_baseline:
        base = run_baseline(bugs)
        print(f"baseline: {base.verdict} ({base.seconds:.1f} s) {' '.join(base.failed)} {base.detail}".rstrip(),
              flush=True)
        if base.verdict != "passed":
            print("the unpatched copy does not pass the selected tests: no verdict on the bugs", file=sys.stderr)
            return 1
        outcomes.append(base)
    for bug in bugs:
        outcome = run_bug(bug)
        print(f"{bug.name}: {outcome.verdict} ({outcome.seconds:.1f} s) "
              f"{' '.join(outcome.failed)} {outcome.detail}".rstrip(), flush=True)
        outcomes.append(outcome)
    wall = time.perf_counter() - start
    print()
    print(table(outcomes, {b.name: b for b in bugs}))
    print(f"\nwall time {wall:.0f} s")
    write_report(outcomes, bugs, wall, argv)
    return 0 if all(o.ok for o in outcomes if o.name != "baseline") else 1


if __name__ == "__main__":
    sys.exit(main())
