"""The results a report notebook shows: saved ones, or computed on the spot.

``evalkit run`` computes the results once and passes their directory to every report
notebook; a notebook run by hand (papermill, Jupyter) without one computes them from a data
directory and a framework. Both paths meet here, so the report package itself never calls
the scoring code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .store import Results, load_results


def load_or_compute(results: Any = "", data: Any = "", framework: Any = "",
                    year: int | None = None) -> Results:
    """Saved results when ``results`` names a directory (written by
    :func:`~evalkit.results.store.save_results`), else results computed by
    :func:`~evalkit.results.compute.compute_results` from ``data`` and ``framework``
    (default: the shipped sample district and its framework, or ``DATA/framework.yaml``)
    for ``year`` (default: the latest year of the data)."""
    if results:
        return load_results(Path(results))
    from ..resources import default_inputs
    from .compute import compute_results

    data_dir, fw = default_inputs(data, framework)
    return compute_results(data_dir, fw, year)
