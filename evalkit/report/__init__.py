"""Reports: the block model (:mod:`.blocks`), unit report and district overview content
(:mod:`.present`, :mod:`.overview`), labels (:mod:`.messages`), charts (:mod:`.charts`),
fonts (:mod:`.fonts`), rendering to HTML (:mod:`.render`, :mod:`.nbconvert_exporter`) and
PDF (:mod:`.pdf`).

Reports only read results: they import :mod:`evalkit.results.store` and
:mod:`evalkit.results.analysis` (the numbers they show), never the scoring code; the
notebooks get their results from :func:`evalkit.results.load.load_or_compute`. Imports run
one way: ``render`` → ``nbconvert_exporter`` → ``pdf`` → ``blocks``/``fonts``/``messages``.

``render`` imports papermill and nbconvert, so it is only loaded when one of its names is
used (the report notebooks import :mod:`evalkit.report.present` and
:mod:`evalkit.report.overview` only).
"""

from __future__ import annotations

from typing import Any

__all__ = ["NotebookRunner", "execute_notebook", "notebook_html", "notebook_to_html",
           "render_overview", "render_unit_report", "safe_filename"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from evalkit.report import render

        return getattr(render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
