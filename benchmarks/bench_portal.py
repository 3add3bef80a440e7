"""Benchmark: the district portal (``evalkit portal``) over 50 units × 10 years.

A synthetic reports folder is generated first — per year a JSON payload per unit and the
overview, as ``evalkit run`` writes them (layout ``evalkit.report/1``, as large as real
ones), a small HTML page and PDF beside each, an overdue rectification now and then
(``tests.helpers.portal.write_synthetic_reports``; the real renderer is not run). Then:

* **build**: ``build_portal`` on it (imports done beforehand): the first build (it also
  loads the bundled fonts to subset them) and the best of ``--repeat``;
* **size**: what the site adds to the reports (``index.html`` and ``portal/``);
* **time to interactive** in Debian's headless Chromium (``tests.helpers.cdp``, DevTools
  protocol over a pipe): ``performance.now()`` at the end of the portal script's start-up
  (``window.ekReady``), for the index — its first load in a fresh browser and the median of
  ``--repeat`` loads — and for a unit page and the side-by-side page.

Targets (issue 15): interactive in ≤ 1 s, ≤ 5 MB. The last line prints the figures, e.g.
``units=50 years=10 build_s=… site_mb=… reports_mb=… index_tti_cold_ms=… index_tti_ms=…``.

Usage: ``python benchmarks/bench_portal.py [--units 50] [--years 10] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.helpers, from a checkout

from tests.helpers.cdp import CHROMIUM, Chromium  # noqa: E402
from tests.helpers.portal import write_synthetic_reports  # noqa: E402


def folder_size(paths) -> int:
    total = 0
    for p in paths:
        total += sum(q.stat().st_size for q in ([p] if p.is_file() else p.rglob("*")) if q.is_file())
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import evalkit.portal.build  # noqa: F401  (imports outside the timing)
    import evalkit.portal.site  # noqa: F401
    from evalkit.portal import build_portal

    with tempfile.TemporaryDirectory(prefix="bench-portal-") as tmp:
        root = Path(tmp) / "reports"
        t0 = time.perf_counter()
        write_synthetic_reports(root, units=args.units, years=args.years)
        generate_s = time.perf_counter() - t0
        reports = folder_size([p for p in root.iterdir()])
        builds = []
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            result = build_portal(root)
            builds.append(time.perf_counter() - t0)
        site = folder_size([root / "index.html", root / "portal"])
        print(f"generated {args.units} units × {args.years} years of payloads in {generate_s:.1f} s "
              f"({reports / 1e6:.1f} MB); {result.describe()}")
        print(f"build times (s): {', '.join(f'{b:.2f}' for b in builds)}")

        figures = {"units": args.units, "years": args.years, "build_first_s": f"{builds[0]:.2f}",
                   "build_s": f"{min(builds):.2f}",
                   "site_mb": f"{site / 2 ** 20:.2f}", "reports_mb": f"{reports / 2 ** 20:.1f}"}
        if CHROMIUM is None:
            print("Chromium is not installed: no time-to-interactive figures")
        else:
            with Chromium(CHROMIUM, Path(tmp) / "profile") as browser:
                page = browser.new_page()
                index = (root / "index.html").as_uri()
                page.navigate(index)
                cold = page.evaluate("window.ekReady")
                warm = []
                for _ in range(max(1, args.repeat)):
                    page.navigate(index)
                    warm.append(page.evaluate("window.ekReady"))
                unit_page = sorted((root / "portal" / "unit").glob("*.html"))[0]
                page.navigate(unit_page.as_uri())
                unit_tti = page.evaluate("window.ekReady")
                page.navigate((root / "portal" / "compare.html").as_uri())
                compare_tti = page.evaluate("window.ekReady")
                print(f"index time to interactive (ms): first {cold:.0f}, then "
                      f"{', '.join(f'{w:.0f}' for w in warm)}")
                figures.update({"index_tti_cold_ms": f"{cold:.0f}", "index_tti_ms": f"{statistics.median(warm):.0f}",
                                "unit_tti_ms": f"{unit_tti:.0f}", "compare_tti_ms": f"{compare_tti:.0f}"})
        print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
