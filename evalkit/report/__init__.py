"""Unit reports: presentation (:mod:`.present`), labels (:mod:`.messages`) and rendering
to HTML (:mod:`.render`).

``render`` imports papermill and nbconvert, so it is only loaded when one of its names is
used (the report notebook itself imports :mod:`evalkit.report.present` only).
"""

from __future__ import annotations

from typing import Any

__all__ = ["execute_notebook", "notebook_to_html", "render_unit_report", "safe_filename"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from evalkit.report import render

        return getattr(render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
