"""Run a benchmark script under two git revisions, alternately, and report the best figures.

"Is the new code slower?" is only answerable from figures taken in the same run on the same
machine state: this script checks both revisions out into temporary worktrees, runs the
benchmark's last-line figures (``key=value`` pairs) for each revision in turn ``--rounds``
times (alternating, so a busy spell hits both), and prints, for every numeric figure, the
best value of each revision and their ratio (new / old; < 1 is faster for times).

Example::

    python benchmarks/compare_revisions.py bench_scoring.py --old 7e80d4a --new HEAD --rounds 3
    python benchmarks/compare_revisions.py bench_sensitivity.py --old 7e80d4a --new HEAD

The worktrees import their own ``evalkit`` (``PYTHONPATH`` points at each), so both run
with the packages installed in this environment.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PAIR = re.compile(r"([A-Za-z0-9_]+)=([-+0-9.eE]+)\b")


def _last_figures(output: str) -> dict[str, float]:
    for line in reversed(output.strip().splitlines()):
        pairs = _PAIR.findall(line)
        if pairs:
            return {k: float(v) for k, v in pairs}
    raise RuntimeError(f"no key=value figures in the benchmark's output:\n{output[-2000:]}")


def _run(worktree: Path, script: str, extra: list[str]) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(worktree)}
    done = subprocess.run([sys.executable, str(worktree / "benchmarks" / script), *extra], cwd=worktree, env=env,
                          capture_output=True, text=True, check=True)
    return _last_figures(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", help="benchmark file name in benchmarks/, e.g. bench_scoring.py")
    parser.add_argument("--old", required=True, help="baseline revision")
    parser.add_argument("--new", default="HEAD", help="revision to compare (default HEAD)")
    parser.add_argument("--rounds", type=int, default=3)
    ns, extra = parser.parse_known_args()  # anything else is passed to the benchmark
    extra = [a for a in extra if a != "--"]
    best: dict[str, dict[str, float]] = {"old": {}, "new": {}}
    with tempfile.TemporaryDirectory(prefix="evalkit-compare-") as tmp:
        trees = {}
        for label, rev in (("old", ns.old), ("new", ns.new)):
            path = Path(tmp) / label
            subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True,
                           capture_output=True)
            trees[label] = path
        try:
            for _ in range(ns.rounds):
                for label in ("old", "new"):
                    for key, value in _run(trees[label], ns.script, extra).items():
                        keep = best[label].get(key)
                        # times and sizes: lower is better; speed-ups: higher is better
                        better = max if "speedup" in key else min
                        best[label][key] = value if keep is None else better(keep, value)
        finally:
            for path in trees.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True)
    print(f"{ns.script}: best of {ns.rounds} alternating rounds; old={ns.old} new={ns.new}")
    for key in best["new"]:
        old, new = best["old"].get(key), best["new"][key]
        ratio = f"{new / old:.2f}" if old else "—"
        print(f"  {key}: old={old} new={new} new/old={ratio}")


if __name__ == "__main__":
    main()
