"""PDF from the executed report notebook, through Typst (no LaTeX, no browser).

The notebook's outputs carry, next to their HTML, the machine-readable payload
(:data:`evalkit.report.blocks.MIME_TYPE`). :func:`notebook_payload` collects it in cell
order; :func:`payload_to_pdf` writes it as ``payload.json`` next to the template
``templates/typst/report.typ`` in a temporary directory and compiles it with the ``typst``
package from PyPI (fonts: :mod:`evalkit.fonts`). The result is A4 with a cover,
running header and footer, page numbers, tables whose rows never break across pages and
the Chinese fonts embedded.

With ``renderer="quarto"`` the same Typst source is compiled by the Typst that Quarto
bundles (``quarto typst compile``), when a ``quarto`` executable is on the PATH.

Reproducible: no date in the PDF, the same payload gives the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat

from evalkit.data.files import atomic_write_bytes
from evalkit.errors import ReportError
from evalkit import fonts
from evalkit.report import blocks
from evalkit.report.messages import msg

RENDERERS = ("typst", "quarto")

_MAIN = '#import "report.typ": report\n#report(json("payload.json"))\n'

_local = threading.local()


def notebook_payload(nb: nbformat.NotebookNode) -> dict:
    """The report payload of an executed notebook: ``{"document": …, "sections": […]}``.

    Raises :class:`ReportError` when the notebook holds no document block (it is not an
    evalkit report notebook, or it failed before its first section)."""
    document = None
    sections = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {}) if out.get("output_type") in ("display_data", "execute_result") else {}
            block = data.get(blocks.MIME_TYPE)
            if not isinstance(block, Mapping):
                continue
            if block.get("type") == "document":
                document = dict(block)
            else:
                sections.append(dict(block))
    if document is None:
        raise ReportError("the executed notebook carries no report document (no output of type "
                          f"{blocks.MIME_TYPE} with a 'document' block)")
    return {"document": document, "sections": sections}


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            if k != "svg":
                yield from _texts(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _texts(v)


def check_glyphs(payload: Mapping[str, Any]) -> None:
    """Raise :class:`~evalkit.fonts.MissingGlyphError` if any text of the payload
    has a character the bundled fonts cannot draw."""
    missing = fonts.missing_glyphs("".join(_texts(payload)))
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in sorted(missing)[:10])
        raise fonts.MissingGlyphError(f"the report uses characters no bundled font has: {shown}")


def _compiler():
    """One Typst compiler per thread and font setting (fonts are scanned once)."""
    import typst

    system = fonts.use_system_fonts()
    cache = getattr(_local, "compilers", None)
    if cache is None:
        cache = _local.compilers = {}
    if system not in cache:
        cache[system] = typst.Compiler(font_paths=fonts.typst_font_paths(),
                                       ignore_system_fonts=not system)
    return cache[system]


def write_typst_project(payload: Mapping[str, Any], directory: Path) -> Path:
    """Write ``main.typ``, ``report.typ`` and ``payload.json`` into ``directory``; return
    the path of ``main.typ``."""
    from evalkit.resources import typst_template_path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    doc = payload["document"]
    language = doc.get("language", "zh")
    choice = fonts.typst_fonts()
    full = {
        "document": doc,
        "sections": payload["sections"],
        "fonts": choice.as_payload(),
        "labels": {"page_of": msg(language, "page_of"),
                   "kind": doc.get("cover", {}).get("kicker", "")},
    }
    (directory / "payload.json").write_text(json.dumps(full, ensure_ascii=False, sort_keys=True),
                                            encoding="utf-8")
    shutil.copyfile(typst_template_path(), directory / "report.typ")
    main = directory / "main.typ"
    main.write_text(_MAIN, encoding="utf-8")
    return main


def _compile_typst(main: Path) -> bytes:
    import typst

    try:
        pdf, warnings = _compiler().compile_with_warnings(str(main), root=str(main.parent),
                                                          format="pdf")
    except typst.TypstError as exc:
        raise ReportError(f"Typst could not lay out the report: {exc.message}"
                          + (f" ({'; '.join(exc.hints)})" if exc.hints else "")) from exc
    if warnings:  # an unknown font or a layout problem: not a finished report
        raise ReportError("Typst warned while laying out the report: "
                          + "; ".join(w.message for w in warnings))
    return pdf


def quarto_available() -> bool:
    return shutil.which("quarto") is not None


def _compile_quarto(main: Path) -> bytes:
    exe = shutil.which("quarto")
    if exe is None:
        raise ReportError("--renderer quarto: no 'quarto' executable on the PATH; install "
                          "Quarto or use the default renderer (typst)")
    out = main.with_suffix(".pdf")
    cmd = [exe, "typst", "compile", str(main), str(out), "--root", str(main.parent)]
    for path in fonts.typst_font_paths():
        cmd += ["--font-path", path]
    if not fonts.use_system_fonts():
        cmd += ["--ignore-system-fonts"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=main.parent,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
    if proc.returncode != 0 or not out.is_file():
        raise ReportError(f"quarto typst compile failed: {proc.stderr.strip()[-500:]}")
    return out.read_bytes()


def payload_to_pdf(payload: Mapping[str, Any], out_pdf: Path, *, renderer: str = "typst",
                   workdir: Path | None = None) -> Path:
    """Lay out ``payload`` as PDF into ``out_pdf`` (written atomically)."""
    if renderer not in RENDERERS:
        raise ReportError(f"unknown PDF renderer {renderer!r}; choose one of {', '.join(RENDERERS)}")
    check_glyphs(payload)
    with tempfile.TemporaryDirectory(prefix="evalkit-typst-", dir=workdir) as tmp:
        main = write_typst_project(payload, Path(tmp))
        data = _compile_quarto(main) if renderer == "quarto" else _compile_typst(main)
    atomic_write_bytes(Path(out_pdf), data)
    return Path(out_pdf)


def notebook_to_pdf(executed_ipynb: Path | nbformat.NotebookNode, out_pdf: Path, *,
                    renderer: str = "typst") -> Path:
    """The PDF of an executed report notebook (a path or a notebook object)."""
    nb = executed_ipynb if isinstance(executed_ipynb, nbformat.NotebookNode) else \
        nbformat.read(Path(executed_ipynb), as_version=4)
    return payload_to_pdf(notebook_payload(nb), out_pdf, renderer=renderer)
