"""nbconvert exporters of evalkit's reports: ``jupyter nbconvert --to evalkit_html`` and
``--to evalkit_pdf`` turn an executed report notebook into the same files ``evalkit run``
writes.

Registered as nbconvert exporters (entry points in pyproject.toml), so a user who runs a
report notebook with papermill by hand converts it with the usual tool and gets the same
bytes: the HTML through evalkit's template (``templates/html``) with the embedded font, the
PDF through the Typst template from the notebook's payload.

The HTML page's rules live here too: :func:`strip_for_report` removes what a reader must not
see before conversion, :func:`finish_html` checks the converted page (self-contained, every
character drawable) and embeds the font subset. :mod:`evalkit.report.render` uses this
module; it never imports render.
"""

from __future__ import annotations

import copy
import re
import tempfile
from pathlib import Path

import nbformat
from nbconvert.exporters import Exporter, HTMLExporter

from evalkit.errors import ReportError

#: Cell tags whose cells are never shown in a report.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})

#: Markers of scripts, embedded frames or anything a browser would fetch from elsewhere.
_EXTERNAL = re.compile(
    r"<script\b|<link\b|<iframe\b|<object\b|<embed\b|@import"
    r"|\b(?:src|href|srcset|action|poster|data)\s*=\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:)?//"
    r"|url\(\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:)?//",
    re.IGNORECASE)


def strip_for_report(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, dict]:
    """A copy of ``nb`` without anything a reader must not see (code, stderr, errors,
    hidden cells, the machine-readable payload), and the page information of the
    document (title, language)."""
    from evalkit.report.blocks import MIME_TYPE

    nb = copy.deepcopy(nb)
    info: dict[str, str] = {}
    cells = []
    for cell in nb.cells:
        if HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.source = ""
            kept = []
            for out in cell.get("outputs", []):
                if out.output_type in ("error", "stream"):
                    continue
                meta = out.get("metadata", {}).get("evalkit")
                if isinstance(meta, dict):
                    info.update({k: str(v) for k, v in meta.items()})
                data = out.get("data")
                if isinstance(data, dict):
                    block = data.pop(MIME_TYPE, None)
                    if isinstance(block, dict) and block.get("type") == "document":
                        info.setdefault("title", str(block.get("title", "")))
                        info.setdefault("lang", str(block.get("lang", "")))
                    if not data:
                        continue
                kept.append(out)
            cell.outputs = kept
        elif cell.cell_type == "raw":
            continue
        cells.append(cell)
    nb.cells = cells
    return nb, info


_FONT_PLACEHOLDER = "/*evalkit-web-font*/"


def finish_html(body: str, name: str) -> str:
    """Check the converted page and embed its font: raises :class:`ReportError` if the
    page would load anything from outside or uses a character no bundled font has."""
    import html as html_lib

    from evalkit import fonts

    found = _EXTERNAL.search(body)
    if found:
        start = max(found.start() - 60, 0)
        raise ReportError(
            f"the report {name} would not be self-contained: it refers to "
            f"{found.group(0)!r} near …{body[start:found.end() + 60]!r}…")
    visible = re.sub(r"<[^>]*>", " ", re.sub(r"<style>.*?</style>", " ", body, flags=re.S))
    visible = html_lib.unescape(visible)
    missing = fonts.missing_glyphs(visible)
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in sorted(missing)[:10])
        raise fonts.MissingGlyphError(f"the report {name} uses characters no bundled font has: {shown}")
    body = body.replace(_FONT_PLACEHOLDER, fonts.web_font_css(visible), 1)
    if not body.endswith("\n"):
        body += "\n"
    return body




class EvalkitHTMLExporter(HTMLExporter):
    """Executed evalkit report notebook → self-contained HTML page (no code, prompts,
    streams, errors or payload; a subset of the bundled Chinese font embedded)."""

    export_from_notebook = "evalkit HTML"

    def __init__(self, *args, **kwargs):
        from evalkit.resources import HTML_TEMPLATE_NAME, template_dir

        kwargs.setdefault("template_name", HTML_TEMPLATE_NAME)
        kwargs.setdefault("extra_template_basedirs", [str(template_dir())])
        super().__init__(*args, **kwargs)
        self.exclude_input = True
        self.exclude_input_prompt = True
        self.exclude_output_prompt = True

    def from_notebook_node(self, nb, resources=None, **kw):
        nb, info = strip_for_report(nb)
        resources = dict(resources or {})
        name = (resources.get("metadata") or {}).get("name") or "report"
        resources["evalkit_title"] = info.get("title") or name
        resources["evalkit_lang"] = info.get("lang") or "zh-CN"
        body, resources = super().from_notebook_node(nb, resources=resources, **kw)
        return finish_html(body, name), resources


class EvalkitPDFExporter(Exporter):
    """Executed evalkit report notebook → PDF (Typst)."""

    export_from_notebook = "evalkit PDF"
    output_mimetype = "application/pdf"

    def _file_extension_default(self) -> str:
        return ".pdf"

    def from_notebook_node(self, nb, resources=None, **kw):
        from evalkit.report.pdf import notebook_payload, payload_to_pdf

        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        with tempfile.TemporaryDirectory(prefix="evalkit-nbconvert-") as tmp:
            out = payload_to_pdf(notebook_payload(nb_copy), Path(tmp) / "report.pdf")
            data = out.read_bytes()
        resources["output_extension"] = ".pdf"
        return data, resources
