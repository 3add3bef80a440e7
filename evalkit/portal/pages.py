"""The portal's HTML pages: a static skeleton per page (headings and controls in the default
language) and the page's data as JSON inside ``<script type="application/json">``, which the
shipped script (``assets/portal.js``) reads and turns into tables and charts.

Escaping, the two rules every page keeps:

* text written into the HTML here goes through :func:`html.escape` (``<``, ``>``, ``&`` and
  both quotes);
* data goes only into JSON script elements, where ``<``, ``>`` and ``&`` are written as
  ``\\u003c``, ``\\u003e`` and ``\\u0026`` (:func:`json_script`), so no text of the data can
  end the element or start a tag; the script sets ``textContent`` and attributes, never
  ``innerHTML``.

A Content-Security-Policy allows only the site's own script and styles (no inline script,
no network), so even a text that slipped through could run nothing.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from evalkit import __version__
from evalkit.portal.messages import LANGUAGES, catalogue

#: The policy of every page: own script, own styles, embedded fonts, nothing from elsewhere.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; font-src data:; img-src data:; "
       "base-uri 'none'; form-action 'none'")


def esc(text: Any) -> str:
    """``text`` escaped for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def json_text(obj: Any) -> str:
    """``obj`` as compact JSON (key order as built, UTF-8 text, no NaN) with every ``<``,
    ``>`` and ``&`` (and the JavaScript line separators) written as ``\\u`` escapes: safe
    inside a ``<script>`` element whatever the data hold."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def json_script(element_id: str, obj: Any) -> str:
    """A ``<script type="application/json">`` element holding ``obj`` (:func:`json_text`)."""
    return f'<script type="application/json" id="{esc(element_id)}">{json_text(obj)}</script>'


def messages_json() -> dict[str, dict[str, str]]:
    """Every language's catalogue (:func:`evalkit.portal.messages.catalogue`)."""
    return {lang: catalogue(lang) for lang in LANGUAGES}


def _page(*, page: str, root: str, language: str, title: str, main: str, data: Any) -> str:
    words = catalogue(language)
    other = "en" if language == "zh" else "zh"

    def current(name: str) -> str:
        return ' aria-current="page"' if page == name else ""

    return "".join([
        "<!DOCTYPE html>\n",
        f'<html lang="{esc(words["html_lang"])}" data-language="{esc(language)}" data-page="{esc(page)}" '
        f'data-root="{esc(root)}">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f'<meta name="generator" content="evalkit portal {esc(__version__)}">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',  # a constant, no " in it
        '<meta name="referrer" content="no-referrer">\n',
        f"<title>{esc(title)}</title>\n",
        f'<link rel="stylesheet" href="{root}portal/fonts.css">\n',
        f'<link rel="stylesheet" href="{root}portal/portal.css">\n',
        json_script("ek-messages", messages_json()), "\n",
        json_script("ek-data", data), "\n",
        f'<script src="{root}portal/portal.js" defer></script>\n',
        "</head>\n<body>\n",
        f'<a class="ek-skip" href="#main" data-msg="skip_to_content">{esc(words["skip_to_content"])}</a>\n',
        '<header class="ek-header"><div class="ek-bar">\n',
        f'<p class="ek-site"><a href="{root}index.html" data-nav="index.html" '
        f'data-msg="site_title">{esc(words["site_title"])}</a></p>\n',
        f'<nav aria-label="{esc(words["nav_label"])}" data-msg-aria="nav_label"><ul>'
        f'<li><a href="{root}index.html" data-nav="index.html" data-msg="nav_index"'
        f'{current("index")}>{esc(words["nav_index"])}</a></li>'
        f'<li><a href="{root}portal/compare.html" data-nav="portal/compare.html" data-msg="nav_compare"'
        f'{current("compare")}>{esc(words["nav_compare"])}</a></li>'
        "</ul></nav>\n",
        f'<button type="button" id="ek-lang" class="ek-lang" lang="{esc(catalogue(other)["html_lang"])}" '
        f'aria-label="{esc(words["language_switch_label"])}" data-msg-aria="language_switch_label" '
        f'data-msg="language_switch">{esc(words["language_switch"])}</button>\n',
        "</div></header>\n",
        f'<main id="main" tabindex="-1">\n{main}</main>\n',
        f'<footer class="ek-footer"><p data-msg="footer">{esc(words["footer"])}</p>'
        f'<p class="ek-muted">evalkit {esc(__version__)}</p></footer>\n',
        "</body>\n</html>\n",
    ])


def _select(element_id: str, key: str, words: Mapping[str, str]) -> str:
    return (f'<div class="ek-field"><label for="{element_id}" data-msg="{key}">{esc(words[key])}</label>'
            f'<select id="{element_id}"></select></div>')


def index_page(index: Mapping[str, Any]) -> str:
    """``index.html``: per year the warnings, the league tables with their filters and the
    district trend; the data is ``index`` of :func:`evalkit.portal.build.site_model`."""
    language = index["language"]
    words = catalogue(language)
    years = index["years"]
    overview_links = "".join(
        f'<li><a href="{esc(links["html"])}">{esc(words["overview_link"].format(year=y))}</a></li>'
        for y in reversed(years) for links in [index["overviews"].get(str(y), {})] if links.get("html"))
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    main = "".join([
        f'<h1 data-msg="site_title">{esc(words["site_title"])}</h1>\n',
        f'<p class="ek-lead" id="ek-subtitle" data-msg="site_subtitle" data-years="{esc(span)}">'
        f'{esc(words["site_subtitle"].format(years=span))}</p>\n',
        f'<noscript><p>{esc(words["noscript"])}</p><ul>{overview_links}</ul></noscript>\n',
        '<div class="ek-yearbar">', _select("ek-year", "year", words),
        '<p id="ek-overview-links" class="ek-links"></p></div>\n',
        '<section class="ek-section" aria-labelledby="ek-warn-h">'
        f'<h2 id="ek-warn-h" data-msg="warnings_heading">{esc(words["warnings_heading"])}</h2>'
        '<div id="ek-warnings"></div></section>\n',
        '<section class="ek-section" aria-labelledby="ek-league-h">'
        f'<h2 id="ek-league-h" data-msg="league_heading">{esc(words["league_heading"])}</h2>\n',
        f'<form id="ek-filters" class="ek-filters" role="search" aria-label="{esc(words["filters_label"])}" '
        'data-msg-aria="filters_label">',
        _select("ek-f-group", "filter_group", words), _select("ek-f-class", "filter_class", words),
        _select("ek-f-grade", "filter_grade", words), _select("ek-f-provisional", "filter_provisional", words),
        '<div class="ek-field ek-search"><label for="ek-search" data-msg="search">'
        f'{esc(words["search"])}</label><input type="search" id="ek-search" autocomplete="off" '
        f'placeholder="{esc(words["search_placeholder"])}" data-msg-placeholder="search_placeholder"></div>',
        "</form>\n",
        '<p id="ek-status" class="ek-status" role="status" aria-live="polite"></p>\n',
        '<div id="ek-league"></div></section>\n',
        '<section class="ek-section" aria-labelledby="ek-trend-h">'
        f'<h2 id="ek-trend-h" data-msg="trend_heading">{esc(words["trend_heading"])}</h2>'
        '<div id="ek-trend"></div></section>\n',
    ])
    return _page(page="index", root="", language=language, title=words["site_title"], main=main, data=index)


def unit_page(unit: Mapping[str, Any]) -> str:
    """``portal/unit/<stem>.html``: one unit over every year (a model of
    ``site_model(...)["units"]``)."""
    language = unit["language"]
    words = catalogue(language)
    info = unit["unit"]
    name = info["zh"] if language == "zh" else info["en"]
    main = "".join([
        f'<p class="ek-back"><a href="../../index.html" data-nav="index.html" data-msg="back_to_index">'
        f'{esc(words["back_to_index"])}</a></p>\n',
        f'<h1 id="ek-unit-name">{esc(name)}</h1>\n',
        '<p class="ek-lead" id="ek-unit-subtitle"></p>\n',
        '<section class="ek-section" aria-labelledby="ek-years-h">'
        f'<h2 id="ek-years-h" data-msg="unit_years_heading">{esc(words["unit_years_heading"])}</h2>'
        '<div id="ek-unit-years"></div><div id="ek-unit-trend"></div></section>\n',
        '<section class="ek-section" aria-labelledby="ek-uwarn-h">'
        f'<h2 id="ek-uwarn-h" data-msg="unit_warnings_heading">{esc(words["unit_warnings_heading"])}</h2>'
        '<div id="ek-unit-warnings"></div></section>\n',
        '<section class="ek-section" aria-labelledby="ek-areas-h">'
        f'<h2 id="ek-areas-h" data-msg="unit_areas_heading">{esc(words["unit_areas_heading"])}</h2>'
        '<div id="ek-unit-areas"></div></section>\n',
        '<p><a id="ek-compare-link" href="../compare.html" data-msg="unit_compare_link">'
        f'{esc(words["unit_compare_link"])}</a></p>\n',
    ])
    title = f'{name} · {words["site_title"]}'
    return _page(page="unit", root="../../", language=language, title=title, main=main, data=unit)


def compare_page(model: Mapping[str, Any]) -> str:
    """``portal/compare.html``: two units side by side (:func:`evalkit.portal.build.compare_model`);
    ``?a=<id>&b=<id>`` chooses them."""
    language = model["language"]
    words = catalogue(language)
    main = "".join([
        f'<h1 data-msg="compare_heading">{esc(words["compare_heading"])}</h1>\n',
        f'<p class="ek-lead" data-msg="compare_intro">{esc(words["compare_intro"])}</p>\n',
        '<form id="ek-compare-form" class="ek-filters">',
        _select("ek-unit-a", "compare_unit_a", words), _select("ek-unit-b", "compare_unit_b", words),
        _select("ek-year", "year", words), "</form>\n",
        '<p id="ek-status" class="ek-status" role="status" aria-live="polite"></p>\n',
        '<div id="ek-compare"></div>\n',
    ])
    return _page(page="compare", root="../", language=language,
                 title=f'{words["compare_heading"]} · {words["site_title"]}', main=main, data=model)
