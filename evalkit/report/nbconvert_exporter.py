"""nbconvert exporters of evalkit's reports: ``jupyter nbconvert --to evalkit_html`` and
``--to evalkit_pdf`` turn an executed report notebook into the same files ``evalkit run``
writes.

Registered as nbconvert exporters (entry points in pyproject.toml), so a user who runs a
report notebook with papermill by hand converts it with the usual tool and gets the same
bytes: the HTML through evalkit's template (``templates/html``) with the embedded font, the
PDF through the Typst template from the notebook's payload.

The HTML page's rules live here too: :func:`strip_for_report` removes what a reader must not
see before conversion, :func:`finish_html` checks the converted page (self-contained, every
character drawable) and embeds the font subsets (regular and bold, :func:`evalkit.fonts.web_font_css`). :mod:`evalkit.report.render` uses this
module; it never imports render.
"""

from __future__ import annotations

import copy
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from nbconvert.exporters import Exporter, HTMLExporter

from evalkit.errors import ReportError

#: Cell tags whose cells are never shown in a report.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})

#: Elements that run code, embed another document or change where the page's links lead.
_FORBIDDEN_TAGS = frozenset({"script", "link", "iframe", "frame", "frameset", "object", "embed",
                             "applet", "base", "portal"})
#: Attributes whose URL the browser fetches while showing the page: only ``data:`` URLs and
#: ``#fragment`` references keep a page self-contained.
_FETCHED = frozenset({"src", "srcset", "imagesrcset", "poster", "data", "background", "lowsrc",
                      "dynsrc", "codebase", "archive", "ping", "manifest"})
#: Elements whose ``href`` is fetched (stylesheets, SVG images and references).
_FETCHED_HREF = frozenset({"link", "image", "use", "feimage", "script", "tref"})
#: Attributes holding a URL the reader may follow: never to another site, never a script.
_FOLLOWED = frozenset({"href", "xlink:href", "action", "formaction", "cite", "longdesc"})
_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//|^\s*(?:javascript|vbscript):", re.IGNORECASE)
_LOCAL = re.compile(r"^\s*(?:data:|#|$)", re.IGNORECASE)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"\b(?:url|image|image-set|-webkit-image-set|src)\(\s*(?:\"([^\"]*)\"|'([^']*)'|([^)\s]*))",
                      re.IGNORECASE)


def _css_external(css: str) -> str | None:
    """What a piece of CSS would load from outside the page (an ``@import``, a ``url()`` that
    is not a ``data:`` URL or a ``#fragment``), or None. CSS escapes and comments are
    undone first, so ``@\\69mport`` counts as ``@import``."""
    def unescape(m: re.Match) -> str:
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return m.group(2)

    plain = _CSS_ESCAPE.sub(unescape, _CSS_COMMENT.sub("", css))
    found = re.search(r"@import\b", plain, re.IGNORECASE)
    if found:
        return plain[found.start():found.start() + 60]
    for m in _CSS_URL.finditer(plain):
        target = next((g for g in m.groups() if g is not None), "")
        if not _LOCAL.match(target):
            return m.group(0)
    return None


class _MarkupCheck(HTMLParser):
    """Finds, in the *markup* of a page, what would run a script or load anything from
    outside it: forbidden elements, event-handler attributes, URL attributes that leave the
    page, ``<meta http-equiv="refresh">`` and CSS in ``<style>`` elements and ``style``
    attributes. Text is never looked at: a unit named ``href="//x"`` or ``@import url(x)``
    is text, escaped, and harmless."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (what, the tag it is in)
        self._in_style = 0

    def _flag(self, what: str) -> None:
        self.found.append((what, (self.get_starttag_text() or "")[:200]))

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag in _FORBIDDEN_TAGS:
            self._flag(f"<{tag}>")
        if tag == "style":
            self._in_style += 1
        for name, value in attrs:
            name, value = name.lower(), value or ""
            if name.startswith("on"):
                self._flag(f"{name}= (a script)")
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0] if candidate.strip() else ""
                    if url and not _LOCAL.match(url):
                        self._flag(f"{name}={url!r}")
            elif name in _FETCHED or (name in ("href", "xlink:href") and tag in _FETCHED_HREF):
                if not _LOCAL.match(value):
                    self._flag(f"{name}={value!r}")
            elif name in _FOLLOWED and _REMOTE.match(value):
                self._flag(f"{name}={value!r}")
            elif name == "style":
                css = _css_external(value)
                if css:
                    self._flag(f"style {css!r}")
            elif tag == "meta" and name == "http-equiv" and value.strip().lower() == "refresh":
                self._flag("<meta http-equiv=refresh>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag.lower() == "style" and self._in_style:
            self._in_style -= 1

    def handle_data(self, data):
        if self._in_style:
            css = _css_external(data)
            if css:
                self.found.append((f"CSS {css!r}", "<style>"))


def external_references(page: str) -> list[tuple[str, str]]:
    """``(what, tag)`` for everything in the markup of ``page`` that would run a script or
    load a resource from outside the page (see :class:`_MarkupCheck`); empty when the page
    is self-contained."""
    check = _MarkupCheck()
    check.feed(page)
    check.close()
    return check.found


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

    found = external_references(body)
    if found:
        what, tag = found[0]
        raise ReportError(
            f"the report {name} would not be self-contained: it refers to {what} in {tag}")
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
    streams, errors or payload; subsets of the bundled Chinese font, regular and bold,
    embedded)."""

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
