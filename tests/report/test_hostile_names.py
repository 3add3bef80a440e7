"""Text never breaks a report: hostile names render, as text.

* The self-contained check reads the page's *markup* (elements, attributes, CSS): a unit or
  framework named ``x href="//evil"`` or ``@import url(x)`` is escaped text and renders —
  it used to fail its report as "not self-contained" (in a framework name, every report).
* Real markup that would load something from elsewhere is still refused.
* Two framework areas with the same name render in the district overview (it used to crash
  on the duplicate column of the heat map).

One end-to-end ``evalkit run --units D01`` on a copy of the sample district with all of it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from evalkit.errors import ReportError
from evalkit.report import blocks, overview, present
from evalkit.report.nbconvert_exporter import external_references, finish_html
from evalkit.report.render import notebook_html
from test_render import fake_results

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data_samples" / "sample_district"
HOSTILE = 'x href="//evil.example/a" src=//evil @import url(x) url(//evil) <link rel=stylesheet>'


# ----------------------------------------------------------------------------------------
# The self-contained check parses markup
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    'href="//evil"', "href='https://evil'", "@import url(x)", "@import 'x.css'",
    "url(//evil/x.png)", "<script>alert(1)</script>", "<link href=x.css>",
    '<img src="https://evil/x.png">', "srcset=//evil 2x", "javascript:alert(1)",
])
def test_escaped_text_is_not_markup(text):
    import html

    page = (f"<html><head><title>{html.escape(text)}</title><style>p {{ color: red }}</style>"
            f"</head><body><p>{html.escape(text, quote=False)}</p>"
            f'<img src="data:image/svg+xml;base64,AAAA" alt="{html.escape(text)}"></body></html>')
    assert external_references(page) == []
    assert f"<p>{html.escape(text, quote=False)}</p>" in finish_html(page, "x")


@pytest.mark.parametrize("markup, what", [
    ("<script>alert(1)</script>", "<script>"),
    ('<link rel="stylesheet" href="x.css">', "<link>"),
    ('<iframe src="data:text/html,x"></iframe>', "<iframe>"),
    ('<object data="x.pdf"></object>', "<object>"),
    ('<embed src="x.swf">', "<embed>"),
    ('<base href="//evil/">', "<base>"),
    ('<img src="https://evil/x.png">', "src="),
    ('<img src="//evil/x.png">', "src="),
    ('<img src="x.png">', "src="),
    ('<img srcset="data:, 1x, //evil/x.png 2x">', "srcset="),
    ('<img src="data:," onerror="alert(1)">', "onerror="),
    ('<a href="//evil">x</a>', "href="),
    ('<a href="&#106;avascript:alert(1)">x</a>', "href="),
    ('<svg><image href="https://evil/x.png"/></svg>', "href="),
    ('<svg><use xlink:href="sprite.svg#a"/></svg>', "href="),
    ('<form action="https://evil/"></form>', "action="),
    ('<meta http-equiv="refresh" content="0;url=//evil">', "refresh"),
    ("<style>@import 'x.css';</style>", "@import"),
    ("<style>@\\69mport 'x.css';</style>", "@import"),
    ("<style>p { background: url( '//evil/x.png' ) }</style>", "url("),
    ("<style>p { background: u\\72l(x.png) }</style>", "url("),
    ('<p style="background:url(https://evil/x.png)">x</p>', "url("),
])
def test_markup_that_loads_from_elsewhere_is_refused(markup, what):
    page = f"<html><head><title>t</title></head><body>{markup}</body></html>"
    found = external_references(page)
    assert found and what in found[0][0] + found[0][1], found
    with pytest.raises(ReportError, match="self-contained"):
        finish_html(page, "x")


@pytest.mark.parametrize("markup", [
    '<a href="#area-a">x</a>', '<svg><use href="#glyph"/></svg>',
    '<img src="data:image/png;base64,AAAA" alt="">',
    "<style>@font-face { src: url(data:font/woff2;base64,AAAA) } p { fill: url(#g) }</style>",
    '<p style="width: 40%">x</p>', '<a href="other-report.html">x</a>',
])
def test_local_references_are_allowed(markup):
    assert external_references(f"<html><body>{markup}</body></html>") == []


def _executed(res, unit: str) -> nbformat.NotebookNode:
    """A notebook shaped like an executed unit report (one display output per section)."""
    cells = [new_code_cell("present.show(...)", outputs=[new_output(
        "display_data", data={"text/html": blocks.block_html(b), blocks.MIME_TYPE: b})])
        for b in present.unit_sections(res, unit, "zh", {"unit": unit})]
    return new_notebook(cells=cells)


def test_hostile_unit_and_framework_names_render_through_nbconvert():
    res = fake_results()
    res.units.loc[res.units["unit_id"] == "D01", "name_zh"] = "区市场监管局 " + HOSTILE
    res.meta["framework_name_zh"] = "指标体系 " + HOSTILE
    res.nodes.loc[res.nodes["code"] == "A1", "name_zh"] = "复议纠错率 " + HOSTILE
    page = notebook_html(_executed(res, "D01"), "D01")
    assert external_references(page) == []
    assert "区市场监管局 x href=" in page and "@import url(x)" in page
    assert "<link rel=stylesheet>" not in page and "&lt;link rel=stylesheet&gt;" in page


# ----------------------------------------------------------------------------------------
# Duplicate area names in the overview
# ----------------------------------------------------------------------------------------

def _same_area_names(res):
    for lang_col, name in (("name_zh", "依法行政"), ("name_en", "Rule of law")):
        res.nodes.loc[res.nodes["code"] == "B", lang_col] = name
    return res


@pytest.mark.parametrize("language", ["zh", "en"])
def test_two_areas_with_the_same_name_render_in_the_overview(language):
    res = _same_area_names(fake_results())
    rates = overview.area_rates(res, language)
    name = "依法行政" if language == "zh" else "Rule of law"
    assert list(rates.columns)[:2] == [f"{name} (A)", f"{name} (B)"]
    assert rates.columns.is_unique
    sections = overview.overview_sections(res, language, {"year": 2024})
    ids = [s.get("id") for s in sections]
    assert "heatmap-department" in ids and "league-department" in ids
    page = "".join(blocks.block_html(b) for b in sections)
    assert external_references(page) == []


def test_areas_with_distinct_names_keep_their_plain_names():
    assert list(overview.area_rates(fake_results(), "zh").columns) == ["依法行政", "政务服务", "群众满意度"]


# ----------------------------------------------------------------------------------------
# End to end
# ----------------------------------------------------------------------------------------

def test_run_with_hostile_names_writes_every_report(tmp_path):
    """Unit name with zero-width and bidi characters, ``href="//…"`` and ``@import``; the
    framework named the same way; two areas with one name. Every report is written, and
    the invisible characters are gone from it."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    units = (data / "units.csv").read_text(encoding="utf-8")
    first = units.splitlines()[1].split(",")
    hostile = '"' + first[1][:2] + "\u200b" + first[1][2:] + "\u202e " + HOSTILE.replace('"', '""') + '"'
    (data / "units.csv").write_text(units.replace(",".join(first[:2]) + ",", f"{first[0]},{hostile},", 1),
                                    encoding="utf-8")
    framework = (data / "framework.yaml").read_text(encoding="utf-8")
    lines = framework.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("name_zh:"))
    lines[top] = "name_zh: '指标体系 " + HOSTILE.replace("'", "''") + "'"
    areas = [i for i, line in enumerate(lines) if line.startswith("    name_zh:")]
    lines[areas[1]] = lines[areas[0]]
    (data / "framework.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "evalkit", "run", "--data", str(data), "--units", first[0],
                          "--out", str(out), "--jobs", "1", "--quiet"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    year = max(int(p.name) for p in SAMPLE.iterdir() if p.name.isdigit())
    for name in (f"{first[0]}.html", f"{first[0]}.pdf", "overview.html", "overview.pdf"):
        assert (out / str(year) / name).is_file(), name
    page = (out / str(year) / f"{first[0]}.html").read_text(encoding="utf-8")
    assert external_references(page) == []
    assert "\u200b" not in page and "\u202e" not in page
    assert "@import url(x)" in page
    assert external_references((out / str(year) / "overview.html").read_text(encoding="utf-8")) == []
