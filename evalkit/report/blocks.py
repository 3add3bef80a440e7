"""The document model of the reports: plain JSON-able dicts, and their HTML.

A report notebook displays one *section* per cell. Each section is displayed twice in the
same output bundle: as ``text/html`` (made here by :func:`block_html`) and as the
machine-readable :data:`MIME_TYPE` payload (the dict itself) that the Typst template
``templates/typst/report.typ`` lays out as PDF. HTML and PDF therefore come from one executed
notebook and one set of blocks.

Blocks (``type`` key):

``document``  title, subtitle, lang, running header/footer and the cover of the PDF
``section``   id, title, blocks, optional ``break_before`` (PDF page break)
``cards``     items: label, value, notes, style
``table``     columns (label, align, width), rows (cells, style), footer, notes, keep
``figure``    svg, caption, width (share of the text width)
``paragraph`` text, style (``lead``, ``note``, ``muted``, ``warning``)
``list``      items, ordered
``keyvalue``  rows: label, value (text or list of texts), mono
``columns``   children: a list of block lists laid out side by side
``notice``    text, style (``info``, ``warning``): a boxed remark, e.g. "not computed"

A table cell is a string or a dict with ``text`` and optional ``style`` (``strong``,
``muted``, ``nodata``, ``up``, ``down``, ``grade-excellent``…), ``bar`` (0–1, a bar under
the number) and ``sub`` (a second, smaller line). All texts are plain text: :func:`block_html`
escapes every one of them, and Typst sets them as text, never as markup.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: MIME type of the machine-readable payload in the notebook's output bundles.
MIME_TYPE = "application/vnd.evalkit.report+json"

#: Version of the payload layout (the Typst template checks it).
PAYLOAD_VERSION = 1


# ----------------------------------------------------------------------------------------
# Constructors
# ----------------------------------------------------------------------------------------

def document(*, kind: str, title: str, subtitle: str, lang: str, language: str,
             running_header: str, footer: str, cover: Mapping[str, Any]) -> dict:
    return {"type": "document", "version": PAYLOAD_VERSION, "kind": kind, "title": title,
            "subtitle": subtitle, "lang": lang, "language": language,
            "running_header": running_header, "footer": footer, "cover": dict(cover)}


def section(id: str, title: str, blocks: Iterable[Mapping | None], *,
            break_before: bool = False) -> dict:
    return {"type": "section", "id": id, "title": title,
            "blocks": [b for b in blocks if b is not None], "break_before": break_before}


def card(label: str, value: str, notes: Sequence[str] | str = (), style: str = "") -> dict:
    notes = [notes] if isinstance(notes, str) else [n for n in notes if n]
    return {"label": label, "value": value, "notes": notes, "style": style}


def cards(items: Iterable[Mapping]) -> dict:
    return {"type": "cards", "items": list(items)}


def column(label: str, align: str = "left", width: float | None = None) -> dict:
    return {"label": label, "align": align, "width": width}


def cell(text: str, *, style: str = "", bar: float | None = None, sub: str = "") -> dict:
    out: dict[str, Any] = {"text": text}
    if style:
        out["style"] = style
    if bar is not None:
        out["bar"] = max(0.0, min(1.0, float(bar)))
    if sub:
        out["sub"] = sub
    return out


def row(cells: Iterable[Any], style: str = "") -> dict:
    return {"cells": list(cells), "style": style}


def table(columns: Sequence[Mapping], rows: Iterable[Mapping], *, footer: Iterable[Mapping] = (),
          notes: Iterable[str] = (), style: str = "", keep: bool = False) -> dict:
    """A table; ``keep`` asks the PDF to start it on a new page rather than split it."""
    return {"type": "table", "columns": list(columns), "rows": list(rows),
            "footer": list(footer), "notes": [n for n in notes if n], "style": style,
            "keep": keep}


def figure(svg: str, caption: str = "", width: float = 1.0, alt: str = "") -> dict:
    return {"type": "figure", "svg": svg, "caption": caption, "width": width, "alt": alt}


def paragraph(text: str, style: str = "") -> dict:
    return {"type": "paragraph", "text": text, "style": style}


def bullets(items: Iterable[str], ordered: bool = False) -> dict:
    return {"type": "list", "items": list(items), "ordered": ordered}


def kv(label: str, value: str | Sequence[str], mono: bool = False) -> dict:
    return {"label": label, "value": value if isinstance(value, str) else list(value),
            "mono": mono}


def keyvalue(rows: Iterable[Mapping]) -> dict:
    return {"type": "keyvalue", "rows": list(rows)}


def columns(*children: Sequence[Mapping | None]) -> dict:
    return {"type": "columns", "children": [[b for b in c if b is not None] for c in children]}


def notice(text: str, style: str = "info") -> dict:
    return {"type": "notice", "text": text, "style": style}


# ----------------------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------------------

def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cls(*names: str) -> str:
    return " ".join(n for n in names if n)


def _cell_html(tag: str, value: Any, col: Mapping) -> str:
    c = value if isinstance(value, Mapping) else {"text": "" if value is None else str(value)}
    align = col.get("align", "left")
    classes = _cls("ek-num" if align == "right" else "ek-center" if align == "center" else "ek-text",
                   *(f"ek-{s}" for s in str(c.get("style", "")).split() if s))
    inner = esc(c.get("text", ""))
    if "bar" in c:
        pct = 100.0 * float(c["bar"])
        inner = (f'<span class="ek-bar"><span class="ek-bar-fill" style="width:{pct:.1f}%">'
                 f'</span></span><span class="ek-rate-text">{inner}</span>')
    if c.get("sub"):
        inner = f'<div class="ek-cell-main">{inner}</div><div class="ek-rule">{esc(c["sub"])}</div>'
    return f'<{tag} class="{classes}">{inner}</{tag}>'


def _row_html(r: Mapping, cols: Sequence[Mapping]) -> str:
    style = r.get("style", "")
    if style == "group":
        first = r["cells"][0] if r["cells"] else ""
        text = first.get("text", "") if isinstance(first, Mapping) else str(first)
        return (f'<tr class="ek-group"><th colspan="{len(cols)}" class="ek-text">{esc(text)}'
                "</th></tr>")
    classes = " ".join(f"ek-{s}" for s in str(style).split() if s)
    attr = f' class="{classes}"' if classes else ""
    cells = "".join(_cell_html("td", v, cols[i] if i < len(cols) else {})
                    for i, v in enumerate(r["cells"]))
    return f"<tr{attr}>{cells}</tr>"


def _table_html(b: Mapping) -> str:
    cols = b["columns"]
    head = "".join(
        f'<th class="{"ek-num" if c.get("align") == "right" else "ek-center" if c.get("align") == "center" else "ek-text"}"'
        f'>{esc(c["label"])}</th>' for c in cols)
    body = "".join(_row_html(r, cols) for r in b["rows"])
    foot = "".join(_row_html({**r, "style": _cls("total", r.get("style", ""))}, cols)
                   for r in b.get("footer", []))
    foot_html = f"<tfoot>{foot}</tfoot>" if foot else ""
    notes = "".join(f'<p class="ek-note">{esc(n)}</p>' for n in b.get("notes", []))
    cls = _cls("ek-table", *(f"ek-table-{s}" for s in str(b.get("style", "")).split() if s))
    return (f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            f"{foot_html}</table>{notes}")


def _cards_html(b: Mapping) -> str:
    out = []
    for item in b["items"]:
        styles = [s for s in str(item.get("style", "")).split() if s]
        card_cls = _cls("ek-card", *(f"ek-card-{s}" for s in styles if s in ("main", "rank")))
        value = esc(item["value"])
        badge = [s for s in styles if s.startswith(("grade-", "change-"))]
        if badge:
            kind = badge[0].split("-", 1)[0]
            value = f'<span class="ek-{kind} ek-{badge[0]}">{value}</span>'
        notes = "".join(f'<div class="ek-card-note">{esc(n)}</div>' for n in item.get("notes", []))
        out.append(f'<div class="{card_cls}"><div class="ek-card-label">{esc(item["label"])}</div>'
                   f'<div class="ek-card-value">{value}</div>{notes}</div>')
    n = len(b["items"])
    return f'<div class="ek-cards ek-cards-{n}">{"".join(out)}</div>'


def _figure_html(b: Mapping) -> str:
    data = base64.b64encode(b["svg"].encode("utf-8")).decode("ascii")
    width = max(10, min(100, round(100 * float(b.get("width") or 1.0))))
    caption = f"<figcaption>{esc(b['caption'])}</figcaption>" if b.get("caption") else ""
    return (f'<figure class="ek-figure"><img style="width:{width}%" '
            f'src="data:image/svg+xml;base64,{data}" alt="{esc(b.get("alt") or b.get("caption", ""))}">'
            f"{caption}</figure>")


def _keyvalue_html(b: Mapping) -> str:
    rows = []
    for r in b["rows"]:
        value = r["value"]
        if isinstance(value, list):
            cls = "ek-list ek-list-files" if len(value) > 6 else "ek-list"
            inner = f'<ul class="{cls}">' + "".join(
                f"<li>{'<code>' if r.get('mono') else ''}{esc(v)}{'</code>' if r.get('mono') else ''}</li>"
                for v in value) + "</ul>"
        else:
            inner = f"<code>{esc(value)}</code>" if r.get("mono") else esc(value)
        rows.append(f'<tr><th class="ek-text">{esc(r["label"])}</th><td class="ek-text">{inner}</td></tr>')
    return f'<table class="ek-meta">{"".join(rows)}</table>'


def block_html(b: Mapping) -> str:
    """The HTML of one block (every text escaped)."""
    kind = b.get("type")
    if kind == "table":
        return _table_html(b)
    if kind == "cards":
        return _cards_html(b)
    if kind == "figure":
        return _figure_html(b)
    if kind == "paragraph":
        cls = _cls("ek-p", f"ek-{b['style']}" if b.get("style") else "")
        return f'<p class="{cls}">{esc(b["text"])}</p>'
    if kind == "list":
        tag = "ol" if b.get("ordered") else "ul"
        return f'<{tag} class="ek-bullets">' + "".join(f"<li>{esc(i)}</li>" for i in b["items"]) + f"</{tag}>"
    if kind == "keyvalue":
        return _keyvalue_html(b)
    if kind == "columns":
        cols = "".join('<div class="ek-col">' + "".join(block_html(x) for x in child) + "</div>"
                       for child in b["children"])
        return f'<div class="ek-columns">{cols}</div>'
    if kind == "notice":
        return f'<div class="ek-notice ek-notice-{esc(b.get("style", "info"))}">{esc(b["text"])}</div>'
    if kind == "section":
        return section_html(b)
    if kind == "document":
        return document_html(b)
    raise ValueError(f"unknown report block type {kind!r}")


def section_html(s: Mapping) -> str:
    body = "".join(block_html(b) for b in s["blocks"])
    title = f"<h2>{esc(s['title'])}</h2>" if s.get("title") else ""
    return f'<section class="ek-section ek-{esc(s["id"])}">{title}{body}</section>'


def document_html(d: Mapping) -> str:
    return ('<header class="ek-header">'
            f'<h1 class="ek-title">{esc(d["title"])}</h1>'
            f'<p class="ek-subtitle">{esc(d["subtitle"])}</p>'
            "</header>")

