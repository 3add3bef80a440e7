"""Mutation testing of evalkit's core modules (issue 18): run mutmut, write the report.

Usage (from the repository root, with the ``test`` extra installed)::

    python benchmarks/mutation.py                 # every group, then benchmarks/mutation.md
    python benchmarks/mutation.py workdays stats  # only these groups (the others' rows are
                                                  # kept from the previous report)
    python benchmarks/mutation.py --list          # the groups, their modules and tests
    python benchmarks/mutation.py --report-only   # rewrite the report from the last runs

For each group the script copies the project (``evalkit/``, ``tests/``, the shipped
resources and ``pyproject.toml``) into ``build/mutation/<group>/``, narrows the
``[tool.mutmut]`` table of the copy to the group's modules and tests, and runs
``mutmut run --max-children 1`` there (``--jobs N``: N mutants at once). mutmut copies the source into ``mutants/``, turns every
function of the targeted modules into a trampoline, records which tests call which function,
and then runs, for each mutant, only the tests that reach the mutated function. A mutant is
*killed* when one of them fails, *timeout* when they run past mutmut's CPU limit (an
endless loop: also detected), *survived* when they all pass and *no tests* when no selected
test calls the function.

Score = (killed + timeout) / mutants (mutmut's own definition: a mutant the tests detect).
Every survivor must have a reason in ``benchmarks/mutation_survivors.yaml`` (mutant name →
``{reason, mutation}``; ``mutation`` is the mutated line, checked against the current
mutant so that a reason cannot silently attach to a different mutant after the source
changes). ``--check`` exits non-zero when a group is below 90 % or a survivor is
unexplained.

Work directories are fresh each run (mutmut keeps verdicts of unchanged functions, which
would hide a new test's kills). ``--keep`` reuses them and re-runs the survivors of the last
run that have no reason yet (the quick loop while writing tests for them; one with a reason
is equivalent or out of reach, and running it again cannot change that), then every mutant
without a verdict: those of functions changed since, whose verdicts mutmut resets.
``--resume`` reuses them and runs only the mutants without a verdict (an interrupted run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutation"
REPORT = ROOT / "benchmarks" / "mutation.md"
SURVIVORS = ROOT / "benchmarks" / "mutation_survivors.yaml"
GOAL = 0.90

#: group → modules to mutate and the tests that exercise them (each mutant then runs only
#: the selected tests that call its function).
GROUPS: dict[str, dict[str, list[str]]] = {  # modules, tests and tests left out (deselect)
    "qualitative": {
        "modules": ["evalkit/qualitative/aggregate.py", "evalkit/qualitative/reliability.py"],
        "tests": ["tests/qualitative"],
    },
    "workdays": {
        "modules": ["evalkit/data/workdays.py"],
        "tests": ["tests/test_workdays.py", "tests/test_workday_overrides_in_data.py",
                  "tests/test_workdays_edges.py"],
    },
    "stats": {
        "modules": ["evalkit/stats/intervals.py"],
        "tests": ["tests/stats"],
    },
    "indicators": {
        "modules": ["evalkit/indicators/_common.py", "evalkit/indicators/base.py"],
        "tests": ["tests/indicators"],
        # the end-to-end `evalkit indicators --out` test (9 s: the sample's indicators in
        # three formats) reaches every counting function, so every surviving mutant would
        # run it; the counts are pinned by the hand-worked tests, the CLI by tests/test_cli.py
        "deselect": ["tests/indicators/test_catalogue.py::test_cli_lists_and_exports"],
    },
    "scoring": {
        "modules": ["evalkit/scoring/rules.py", "evalkit/scoring/grades.py", "evalkit/scoring/kernels.py",
                    "evalkit/scoring/adjustments.py", "evalkit/scoring/model.py"],
        "tests": ["tests/scoring"],
    },
}

#: what the copy needs besides the package: tests and the resources that
#: evalkit/resources.py looks for next to the package.
COPY = ["evalkit", "tests", "data_samples", "templates", "notebooks", "docs", "pyproject.toml", "setup.py"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache", "mutants")

STATUS = {  # mutmut.stats.status_by_exit_code, folded into the report's columns
    1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious",
    36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
    37: "killed",  # caught by the type checker (not configured here)
    None: "not checked",
}


# --- the work directory ------------------------------------------------------------------

def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _group_pyproject(text: str, group: dict[str, list[str]]) -> str:
    """``pyproject.toml`` with its ``[tool.mutmut]`` table narrowed to one group."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    base = dict(tomllib.loads(text)["tool"]["mutmut"])
    base["only_mutate"] = list(group["modules"])
    base["pytest_add_cli_args_test_selection"] = (
        [t for t in group["tests"] if (ROOT / t).exists()] + [f"--deselect={t}" for t in group.get("deselect", [])])
    table = re.compile(r"^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", re.S | re.M)
    body = "[tool.mutmut]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in base.items()) + "\n"
    out, n = table.subn(lambda _m: body, text)
    if n != 1:
        raise SystemExit("pyproject.toml has no [tool.mutmut] table")
    return out


def _prepare(name: str, keep: bool) -> Path:
    work = WORK / name
    if work.exists() and not keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for item in COPY:
        src, dst = ROOT / item, work / item
        if src.is_dir():
            if dst.exists():
                shutil.rmtree(dst)
            shutil.copytree(src, dst, ignore=IGNORE)
        elif src.exists():
            shutil.copy2(src, dst)
    (work / "pyproject.toml").write_text(
        _group_pyproject((ROOT / "pyproject.toml").read_text("utf-8"), GROUPS[name]), "utf-8")
    if keep and (work / "mutants").exists():
        # mutmut records which tests call which function once, and afterwards only for new
        # tests: a function added since would have "no tests". Recording again costs one run
        # of the group's tests and keeps every verdict.
        (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        # mutmut copies tests/ into mutants/ on every run but keeps other files it already has
        for item in ("tests",):
            shutil.rmtree(work / "mutants" / item, ignore_errors=True)
        # … and rewrites only the .py files that changed: refresh the package's other files
        # (schemas, assets) and the resources beside it, else a changed resource (e.g. a
        # regenerated schema) fails mutmut's clean test run against the new code
        for src in (work / "evalkit").rglob("*"):
            if src.is_file() and src.suffix != ".py":
                dst = work / "mutants" / src.relative_to(work)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        for item in COPY:
            if item not in ("evalkit", "tests") and (work / item).is_dir() and (work / "mutants" / item).is_dir():
                shutil.rmtree(work / "mutants" / item)
                shutil.copytree(work / item, work / "mutants" / item)
    return work


def _mutmut(work: Path, *args: str, capture: bool = False, log: Path | None = None
            ) -> subprocess.CompletedProcess:
    # the "ci" hypothesis profile of tests/conftest.py: derandomised, no example database, so
    # that a mutant's verdict does not depend on the run
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", HYPOTHESIS_PROFILE="ci")
    cmd = [sys.executable, "-m", "mutmut", *args]
    if log is None:
        return subprocess.run(cmd, cwd=work, env=env, text=True, capture_output=capture)
    with open(log, "a", encoding="utf-8") as out:
        return subprocess.run(cmd, cwd=work, env=env, text=True, stdout=out, stderr=subprocess.STDOUT)


# --- results -----------------------------------------------------------------------------

def _results(work: Path, modules: list[str]) -> dict[str, dict[str, int | None]]:
    out = {}
    for module in modules:
        meta = work / "mutants" / (module + ".meta")
        out[module] = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
    return out


_DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
out = {}
for name, path in json.loads(sys.stdin.read()):
    out[name] = get_diff_for_mutant(name, path=path)
print(json.dumps(out))
"""


def _mutations(work: Path, mutants: list[tuple[str, str]]) -> dict[str, str]:
    """The mutated line(s) of each ``(mutant, module path)``, as ``old → new`` (the diff of
    ``mutmut show``), computed in one process."""
    if not mutants:
        return {}
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", _DIFFS], cwd=work, env=env, text=True,
                          input=json.dumps(mutants), capture_output=True, check=True)
    out = {}
    for name, diff in json.loads(proc.stdout.strip().splitlines()[-1]).items():
        lines = diff.splitlines()
        minus = [ln[1:].strip() for ln in lines if ln.startswith("-") and not ln.startswith("---")]
        plus = [ln[1:].strip() for ln in lines if ln.startswith("+") and not ln.startswith("+++")]
        out[name] = f"{' ⏎ '.join(minus)} → {' ⏎ '.join(plus) if plus else '(removed)'}"
    return out


def _natural(name: str) -> tuple:
    """Sort key: function, then mutant number as a number (…_mutmut_9 before …_mutmut_10)."""
    head, _, number = name.rpartition("__mutmut_")
    return (head, int(number)) if number.isdigit() else (name, 0)


def _load_survivors() -> dict[str, dict[str, str]]:
    if not SURVIVORS.exists():
        return {}
    raw = yaml.safe_load(SURVIVORS.read_text("utf-8")) or {}
    return {k: (v if isinstance(v, dict) else {"reason": v}) for k, v in raw.items()}


def _summarise(name: str, work: Path, elapsed: float | None) -> dict:
    modules = []
    for module, codes in _results(work, GROUPS[name]["modules"]).items():
        counts = {"killed": 0, "survived": 0, "timeout": 0, "no tests": 0, "other": 0}
        survivors = []
        for mutant, code in sorted(codes.items(), key=lambda kv: _natural(kv[0])):
            status = STATUS.get(code, "other")
            counts[status if status in counts else "other"] += 1
            if status in ("survived", "no tests", "suspicious"):
                survivors.append({"mutant": mutant, "status": status})
        diffs = _mutations(work, [(sv["mutant"], module) for sv in survivors])
        for sv in survivors:
            sv["mutation"] = diffs[sv["mutant"]]
        total = len(codes)
        detected = counts["killed"] + counts["timeout"]
        modules.append({"module": module, "mutants": total, **counts,
                        "score": detected / total if total else None,
                        "survivors": survivors})
    return {"group": name, "elapsed_s": elapsed, "modules": modules,
            "date": dt.date.today().isoformat()}


# --- the report --------------------------------------------------------------------------

def _reason(survivor: dict, reasons: dict) -> tuple[str, bool]:
    entry = reasons.get(survivor["mutant"])
    if not entry:
        return "**unexplained**", False
    expected = entry.get("mutation")
    if expected is not None and expected.strip() != survivor["mutation"]:
        return (f"**stale reason** (written for `{expected.strip()}`): {entry['reason']}", False)
    return entry["reason"], True


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def write_report(summaries: list[dict]) -> bool:
    reasons = _load_survivors()
    ok = True
    lines = [
        "# Mutation testing",
        "",
        "Written by `python benchmarks/mutation.py` (mutmut 3; see the script's docstring).",
        "Score = (killed + timeout) / mutants; goal ≥ 90 % per module, every survivor",
        "explained in `benchmarks/mutation_survivors.yaml`. The run column is the date of the",
        "group's last run: a group changed since must be run again (`--keep`).",
        "",
        "| group | module | mutants | killed | survived | timeout | no tests | not run | score | run |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in summaries:
        for m in s["modules"]:
            score = "—" if m["score"] is None else f"{100 * m['score']:.1f} %"
            flag = "" if m["score"] is not None and m["score"] >= GOAL else " ✗"
            ok &= not flag
            lines.append(f"| {s['group']} | `{m['module']}` | {m['mutants']} | {m['killed']} | "
                         f"{m['survived']} | {m['timeout']} | {m['no tests']} | {m['other']} | {score}{flag} | "
                         f"{s['date']} |")
    lines += ["", "## Surviving mutants", ""]
    any_survivor = False
    for s in summaries:
        for m in s["modules"]:
            if not m["survivors"]:
                continue
            any_survivor = True
            lines += [f"### `{m['module']}`", "", "| mutant | status | mutation | reason |",
                      "|---|---|---|---|"]
            for sv in m["survivors"]:
                reason, explained = _reason(sv, reasons)
                ok &= explained
                short = sv["mutant"].rsplit(".", 1)[-1]
                lines.append(f"| `{short}` | {sv['status']} | `{_md(sv['mutation'])}` | "
                             f"{_md(reason)} |")
            lines.append("")
    if not any_survivor:
        lines.append("None.")
    # reasons whose mutant no longer survives (killed by a new test, or renumbered)
    reported = {sv["mutant"] for s in summaries for m in s["modules"] for sv in m["survivors"]}
    prefixes = tuple(m["module"][:-3].replace("/", ".") + "." for s in summaries for m in s["modules"])
    obsolete = sorted(k for k in reasons if k.startswith(prefixes) and k not in reported)
    if obsolete:
        lines += ["", "Reasons in `mutation_survivors.yaml` for mutants that no longer survive "
                  "(remove them): " + ", ".join(f"`{k}`" for k in obsolete) + "."]
    lines += ["", "Inspect a mutant: `cd build/mutation/<group> && python -m mutmut show <mutant>`",
              "(full names: `benchmarks/mutation_results.json`)."]
    REPORT.write_text("\n".join(lines).rstrip() + "\n", "utf-8")
    return ok


RESULTS = ROOT / "benchmarks" / "mutation_results.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("groups", nargs="*", help=f"groups to run (default: all of {', '.join(GROUPS)})")
    parser.add_argument("--list", action="store_true", help="list the groups and exit")
    parser.add_argument("--keep", action="store_true",
                        help="reuse build/mutation/<group> and re-run only the last survivors that "
                             "have no reason yet (after writing tests for them)")
    parser.add_argument("--resume", action="store_true",
                        help="reuse build/mutation/<group> and run only the mutants not checked yet "
                             "(an interrupted run; earlier verdicts are kept)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="mutants tested at once (mutmut's --max-children; default 1)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the report from the last runs' results")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a module is below 90 %% or a survivor is unexplained")
    args = parser.parse_args(argv)
    if args.list:
        for name, g in GROUPS.items():
            print(f"{name}: {' '.join(g['modules'])}\n    tests: {' '.join(g['tests'])}")
        return 0
    unknown = set(args.groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    chosen = args.groups or list(GROUPS)

    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    summaries = {k: v for k, v in previous.items() if k in GROUPS}
    for name in chosen:
        work = WORK / name
        if not args.report_only:
            survivors = []
            if args.keep and name in summaries:
                # a survivor with a reason is equivalent or out of reach: running it again
                # cannot change its verdict, so only the unexplained ones are run
                reasons = _load_survivors()
                survivors = [sv["mutant"] for m in summaries[name]["modules"] for sv in m["survivors"]
                             if not _reason(sv, reasons)[1]]
            reuse = (args.keep or args.resume) and (work / "mutants").exists()
            work = _prepare(name, keep=reuse)
            print(f"== {name}: mutmut run in {work.relative_to(ROOT)}", flush=True)
            start = time.perf_counter()
            log = work / "mutmut.log"
            # the named survivors again (--keep), then every mutant without a verdict: all of
            # them in a fresh directory; after --keep or --resume the ones an interrupted run
            # did not reach and those of functions changed since (mutmut resets their verdicts)
            for names in ([survivors] if survivors else []) + [[]]:
                proc = _mutmut(work, "run", "--max-children", str(max(1, args.jobs)), *names, log=log)
                if proc.returncode != 0:
                    print(f"mutmut failed for {name} (exit {proc.returncode}); see {log}", file=sys.stderr)
                    return proc.returncode
            elapsed = time.perf_counter() - start
        elif not (work / "mutants").exists():
            continue
        else:
            elapsed = summaries.get(name, {}).get("elapsed_s")
        summaries[name] = _summarise(name, work, elapsed if not args.keep else
                                     summaries.get(name, {}).get("elapsed_s"))
        # merge into the results on disk as they are now (another run may have written other
        # groups since this one started), after each group so that an interrupted run keeps
        # what it finished
        on_disk = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        summaries = {**{k: v for k, v in on_disk.items() if k in GROUPS}, name: summaries[name]}
        ordered = [summaries[k] for k in GROUPS if k in summaries]
        RESULTS.write_text(json.dumps({s["group"]: s for s in ordered}, indent=1, ensure_ascii=False) + "\n")
        write_report(ordered)
    ordered = [summaries[k] for k in GROUPS if k in summaries]
    ok = write_report(ordered)
    for s in ordered:
        for m in s["modules"]:
            score = "—" if m["score"] is None else f"{100 * m['score']:.1f}%"
            print(f"{s['group']:12} {m['module']:40} mutants={m['mutants']} killed={m['killed']} "
                  f"survived={m['survived']} timeout={m['timeout']} no_tests={m['no tests']} score={score}")
    print(f"report: {REPORT.relative_to(ROOT)}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
