"""Typography and charts of the reports (issue 11, item 9): real regular and bold CJK faces
embedded, minimum type sizes, real bold (never an outline), totals and notes kept with their
tables, a colour-blind-safe heat map with a key that never shows filled-in or not-applicable
values as data, no data label over a chart title, a marked axis break, zero-based bars, and
Chinese inside ``<code>`` drawn by the embedded web font."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_render import fake_results
from test_report_pdf import bundled_only, executed_notebook, payload_of  # noqa: F401 (fixture)

from evalkit import fonts
from evalkit.report import charts, pdf
from evalkit.resources import typst_template_path

HAVE_PDFFONTS = shutil.which("pdffonts") is not None
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CSS = Path(typst_template_path()).parent.parent / "html" / "report.css"


# ----------------------------------------------------------------------------------------
# fonts
# ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(bundled_only, tmp_path_factory):  # noqa: F811 (the imported fixture)
    out = tmp_path_factory.mktemp("typo") / "D02.pdf"
    return pdf.payload_to_pdf(payload_of(fake_results(), "D02"), out)


@pytest.mark.skipif(not HAVE_PDFFONTS, reason="pdffonts (poppler-utils) is not installed; .ci/run "
                    "installs it")
def test_pdf_embeds_real_regular_and_bold_cjk_faces(rendered):
    listing = subprocess.run(["pdffonts", str(rendered)], capture_output=True, text=True,
                             check=True).stdout
    faces = {}
    for line in listing.splitlines()[2:]:
        cols = line.split()
        # name type… encoding emb sub uni object-id gen
        faces[cols[0].split("+", 1)[-1]] = cols[-5:-2]
    regular = [n for n in faces if n.startswith("NotoSansSC-Regular")]
    bold = [n for n in faces if n.startswith("NotoSansSC-Bold")]
    assert regular and bold, listing
    for name in regular + bold:
        assert faces[name] == ["yes", "yes", "yes"], listing  # embedded, subset, with ToUnicode


def test_bold_face_is_a_static_bold_simplified_chinese_font():
    from fontTools.ttLib import TTFont

    path = fonts.bold_font_file()
    assert path.name == fonts.BOLD_FILE_NAME and path.parent.name.startswith("notosanssc-bold-")
    font = TTFont(str(path), lazy=True)
    assert "fvar" not in font and "gvar" not in font  # an instance, not the variable font
    assert font["OS/2"].usWeightClass == 700 and font["head"].macStyle & 1
    assert font["name"].getDebugName(1) == "Noto Sans SC"
    assert font["name"].getDebugName(6) == "NotoSansSC-Bold"
    regular = TTFont(str(fonts.bundled_font_files()["sans"]), lazy=True)
    assert set(regular.getBestCmap()) <= set(font.getBestCmap())  # bold wherever regular draws
    # Simplified glyph forms: 门 (not 門) is mapped, as in the regular face
    assert ord("门") in font.getBestCmap()


def test_bold_instance_is_reproducible(tmp_path):
    """Instancing is a pure function of the variable font: a small piece of it, instanced
    twice, gives the same bytes (the full font takes ~15 s, done once per machine)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(fonts.bold_source_file()), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    sub = subset.Subsetter(options)
    sub.populate(text="部门评估优秀")
    sub.subset(font)
    small = tmp_path / "small-vf.ttf"
    font.save(str(small))
    first, second = fonts._instance_bold(small), fonts._instance_bold(small)
    assert first == second
    static = TTFont(io.BytesIO(first))
    assert static["OS/2"].usWeightClass == 700 and "fvar" not in static


def test_bold_font_cache_is_built_once_where_asked(tmp_path, monkeypatch):
    calls = []

    def fake_instance(source):
        calls.append(source)
        return b"font bytes"

    monkeypatch.setenv("EVALKIT_FONT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(fonts, "_instance_bold", fake_instance)
    build = fonts.bold_font_file.__wrapped__
    first = build()
    assert first.read_bytes() == b"font bytes" and (tmp_path / "cache") in first.parents
    assert build() == first and len(calls) == 1  # the second call reuses the file
    # the folder holds the font only: Typst scans it as a font path
    assert [p.name for p in first.parent.iterdir()] == [fonts.BOLD_FILE_NAME]


def test_typst_sees_the_bundled_bold_face(bundled_only):  # noqa: F811
    choice = fonts.typst_fonts()
    assert choice.sans_bold
    assert any(k == "Noto Sans SC 700" and v.startswith("NotoSansSC-Bold.ttf") for k, v in choice.files)
    assert str(fonts.bold_font_file().parent) in fonts.typst_font_paths()
    manifest = fonts.font_manifest()
    assert "NotoSansSC-Bold.ttf" in manifest["bundled"]
    assert manifest["bold_source"]["package"] == "justmytype-intl-cjk"


def test_web_font_has_a_real_bold_face():
    from fontTools.ttLib import TTFont

    css = fonts.web_font_css("部门评估 Excellent")
    rules = re.findall(r"@font-face \{[^}]*\}", css)
    assert len(rules) == 2
    weights = {}
    for rule in rules:
        weight = int(re.search(r"font-weight: (\d+)", rule).group(1))
        data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", rule).group(1))
        font = TTFont(io.BytesIO(data))
        weights[weight] = font["OS/2"].usWeightClass
        assert ord("部") in font.getBestCmap() and 'font-family: "EvalkitSans"' in rule
    assert weights == {400: 400, 700: 700}


# ----------------------------------------------------------------------------------------
# the Typst template
# ----------------------------------------------------------------------------------------

def _template() -> str:
    return Path(typst_template_path()).read_text(encoding="utf-8")


def test_template_type_sizes_meet_the_minimums():
    src = _template()
    sizes = {name: float(v) for name, v in re.findall(r"#let size-([a-z-]+) = ([\d.]+)pt", src)}
    assert sizes["body"] >= 10.5
    assert all(v >= 9 for v in sizes.values()), sizes
    assert sizes["section"] > sizes["subhead"] > sizes["body"]
    # every size is one of these: no number is set as a size anywhere else
    code = re.sub(r"//.*", "", src)
    assert not re.findall(r"size:\s*[\d.]+pt", code)
    # text is set at the body size
    assert re.search(r"set text\(font: sans, size: size-body", code)


def test_template_never_fakes_bold_with_an_outline():
    code = re.sub(r"//.*", "", _template())
    assert not re.search(r"text\([^)]*stroke:", code)
    assert 'weight: "bold"' in code


def test_totals_and_notes_stay_with_their_table():
    """The template keeps the last rows, the footer and the notes in one unbreakable span
    (an invisible 0 pt column whose cell spans them), and the notes are part of the table."""
    code = _template()
    assert "#let keep-tail = 2" in code
    assert "columns: (..widths, 0pt)" in code
    assert re.search(r"table\.cell\(rowspan: spans\.at\(k\)", code)
    assert 'all.push(("notes"' in code and 'all.push(("footer"' in code


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_long_table_never_leaves_its_total_alone(bundled_only, tmp_path):  # noqa: F811
    """A table that runs over a page: the total row and the notes arrive on the same page as
    the last two rows, whatever the length."""
    from evalkit.report import blocks

    for n_rows in (38, 40, 42, 44):
        rows = [blocks.row([f"指标 {i:02d}", "10", f"{i}.0"]) for i in range(n_rows)]
        table = blocks.table([blocks.column("指标"), blocks.column("分值", "right"),
                              blocks.column("得分", "right")], rows,
                             footer=[blocks.row(["合计", "100", "99.0"])], notes=["注：表尾注释。"])
        payload = payload_of(fake_results(), "D02")
        payload["sections"] = [blocks.section("t", "长表", [table])]
        out = pdf.payload_to_pdf(payload, tmp_path / f"t{n_rows}.pdf")
        pages = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                               text=True, check=True).stdout.split("\f")
        page = next(p for p in pages if "合计" in p)
        assert "注：表尾注释。" in page
        assert f"指标 {n_rows - 1:02d}" in page and f"指标 {n_rows - 2:02d}" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("language", ["zh", "en"])
def test_cards_keep_badges_and_main_figures_whole(bundled_only, tmp_path, language):  # noqa: F811
    """Cards share the width by what they hold; a grade badge or the main figure is never
    broken or cut, even next to long texts that ask for most of the row."""
    from evalkit.report import blocks

    long = "A very long explanation that would take a whole row if it could " * 2
    cards = blocks.cards([
        blocks.card("Total score", "97.56 pts", long, "main"),
        blocks.card("Grade", "Excellent", (), "grade-excellent"),
        blocks.card("Rank in peer group", "Top third (between No. 1 and No. 7)", long, "rank"),
        blocks.card("Change in rank", "↑5", "Last year: 94.52 pts", "change-up"),
        blocks.card("Units flagged", "10", long, "change-down"),
    ])
    payload = payload_of(fake_results(), "D02", language)
    payload["sections"] = [blocks.section("s", "Summary", [cards])]
    out = pdf.payload_to_pdf(payload, tmp_path / "cards.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"\bExcellent\b", text) and "97.56 pts" in text


# ----------------------------------------------------------------------------------------
# charts
# ----------------------------------------------------------------------------------------

def _cell_texts(svg: str) -> dict[tuple[int, int], str]:
    """Text of each heat-map cell (matplotlib writes each text as a comment in its group)."""
    return {(int(i), int(j)): t for i, j, t in
            re.findall(r'<g id="heat-cell-(\d+)-(\d+)">\s*<!--\s*(.*?)\s*-->', svg, re.S)}


def test_heatmap_status_hides_filled_and_not_applicable_values(bundled_only):  # noqa: F811
    values = np.array([[0.82, 0.80, 0.95], [0.55, np.nan, 0.99]])
    status = np.array([["data", "filled", "data"], ["not_applicable", "data", "data"]], dtype=object)
    svg = charts.heatmap_chart(["1. 甲", "2. 乙"], ["行政效率", "公共服务", "信息公开"], values,
                               status=status, filled_label="补值", na_label="不适用",
                               missing_label="无数据", scale_label="得分率（%）")
    cells = _cell_texts(svg)
    assert cells[(0, 0)] == "82" and cells[(0, 2)] == "95" and cells[(1, 2)] == "99"
    assert (0, 1) not in cells  # filled: no number at all (the value 80 is not shown)
    assert "80" not in cells.values()
    assert cells[(1, 0)] == "\u2013"  # not applicable: an en dash, no number (55)
    assert "55" not in cells.values()
    assert cells[(1, 1)] == "—"  # no data
    assert "<pattern" in svg  # the hatch of the filled cell
    comments = re.findall(r"<!--\s*(.*?)\s*-->", svg, re.S)
    # the key: the colour scale and each kind of cell without a value
    assert "得分率（%）" in comments and "补值" in comments
    assert any("不适用" in c for c in comments) and any("无数据" in c for c in comments)


def test_heatmap_without_status_works_as_before(bundled_only):  # noqa: F811
    values = np.array([[0.82, np.nan], [0.45, 1.0]])
    svg = charts.heatmap_chart(["a", "b"], ["x", "y"], values)
    assert _cell_texts(svg) == {(0, 0): "82", (0, 1): "—", (1, 0): "45", (1, 1): "100"}
    assert "<pattern" not in svg
    with pytest.raises(ValueError, match="status"):
        charts.heatmap_chart(["a", "b"], ["x", "y"], values, status=[["data", "maybe"], ["data", "data"]])
    with pytest.raises(ValueError, match="shape"):
        charts.heatmap_chart(["a", "b"], ["x", "y"], values, status=[["data", "data"]])


def test_palette_is_okabe_ito_and_the_heat_map_is_not_red_green():
    oi = {"#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#8c8c8c"}
    assert set(charts.GRADE_STYLE_COLOURS.values()) <= oi
    assert charts.HEATMAP_CMAP in ("cividis", "viridis")


@pytest.fixture
def figures(monkeypatch):
    """The matplotlib figures the chart functions make, kept for inspection."""
    kept = []
    original = charts._svg

    def keep(fig):
        fig.canvas.draw()
        fig.evalkit_renderer = fig.canvas.get_renderer()  # before the chart closes the figure
        kept.append(fig)
        return original(fig)

    monkeypatch.setattr(charts, "_svg", keep)
    return kept


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_no_data_label_over_a_panel_title(bundled_only, figures):  # noqa: F811
    for ranks in ([1, 6, 1], [1, 1, 1], [35, 1, 2]):
        charts.trend_chart([2022, 2023, 2024], [99.8, 94.5, 97.6], ranks, [35, 35, 35],
                           score_label="得分（百分制）", rank_label="组内排名（越靠上越好）")
        fig = figures[-1]
        renderer = fig.evalkit_renderer
        for ax in fig.axes:
            title = ax.title.get_window_extent(renderer)
            for label in ax.texts:
                assert not _overlap(label.get_window_extent(renderer), title), (ranks, label.get_text())


def test_cut_score_axis_is_marked_and_noted(bundled_only, figures):  # noqa: F811
    note = "纵轴未从 0 开始"
    assert charts.score_axis_is_cut([69.7, 69.7, 69.6])
    svg = charts.trend_chart([2022, 2023, 2024], [69.7, 69.7, 69.6], [34, 35, 35], [35, 35, 35],
                             score_label="得分", rank_label="排名", axis_note=note)
    assert note in svg  # the note is drawn (its text is the comment of its paths)
    left = figures[-1].axes[0]
    assert left.get_ylim()[0] > 0
    assert len(left.lines) == 3  # the score line and the two strokes of the break mark
    # a score axis that starts at zero has neither mark nor note
    assert not charts.score_axis_is_cut([10.0, 50.0, 90.0])
    svg = charts.trend_chart([2022, 2023, 2024], [10.0, 50.0, 90.0], [3, 2, 1], [5, 5, 5],
                             score_label="得分", rank_label="排名", axis_note=note)
    assert note not in svg and figures[-1].axes[0].get_ylim()[0] == 0
    assert len(figures[-1].axes[0].lines) == 1


def test_bars_start_at_zero(bundled_only, figures):  # noqa: F811
    charts.area_chart(["行政效率", "市场监管"], [0.915, None], [0.8, None], unit_label="本单位",
                      median_label="中位数", no_data_label="无数据")
    assert figures[-1].axes[0].get_xlim()[0] == 0
    charts.grade_chart(["部门"], ["优秀", "良好"], [charts.OI_GREEN, charts.OI_BLUE], np.array([[3, 5]]))
    assert figures[-1].axes[0].get_xlim()[0] == 0


def test_area_chart_labels_match_the_tables_decimals(bundled_only):  # noqa: F811
    svg = charts.area_chart(["行政效率"], [0.915], [0.8], unit_label="本单位", median_label="中位数",
                            no_data_label="无数据")
    assert "91.5%" in svg


# ----------------------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------------------

def _css_vars(css: str) -> dict[str, str]:
    return {k: " ".join(v.split()) for k, v in re.findall(r"(--ek-[a-z-]+):\s*([^;]+);", css)}


def test_code_font_stack_falls_back_to_the_embedded_cjk_font():
    css = CSS.read_text(encoding="utf-8")
    rule = re.search(r"(?m)^code \{([^}]*)\}", css).group(1)
    family = re.search(r"font-family:\s*([^;]+);", rule).group(1)
    family = re.sub(r"var\((--ek-[a-z-]+)\)", lambda m: _css_vars(css)[m.group(1)], family)
    names = [n.strip().strip('"') for n in family.split(",")]
    assert "EvalkitSans" in names
    assert names.index("EvalkitSans") < names.index("monospace")


def test_css_sizes_and_no_mid_word_breaks():
    css = CSS.read_text(encoding="utf-8")
    # printed at 10.5 pt: nothing smaller than 0.86rem (9 pt)
    assert re.search(r"@media print \{\s*html \{ font-size: 10\.5pt; \}", css)
    sizes = [float(v) for v in re.findall(r"font-size:\s*([\d.]+)r?em", css)]
    assert sizes and min(sizes) >= 0.86
    assert re.search(r"\.ek-table thead th \{[^}]*white-space: nowrap", css)
    assert re.search(r"\.ek-table th, \.ek-table td \{[^}]*word-break: keep-all", css)
    # a grade badge ("Excellent") never wraps and a card is never narrower than its value
    assert re.search(r"\.ek-grade \{[^}]*white-space: nowrap", css)
    assert re.search(r"\.ek-card \{[^}]*min-width: min-content", css)


@pytest.mark.skipif(CHROMIUM is None or not HAVE_PDFFONTS,
                    reason="Chromium and pdffonts are needed (.ci/run installs both)")
def test_chinese_inside_code_uses_the_embedded_font(bundled_only, tmp_path):  # noqa: F811
    """On a machine whose only fonts are DejaVu (no CJK font), Chinese inside <code> is drawn
    with the page's embedded font (a Type 3 font in Chromium's PDF), not as boxes of DejaVu
    Sans Mono."""
    from evalkit.report.render import notebook_html

    page = notebook_html(executed_notebook(fake_results(), "D02"), "D02")
    start, end = page.index('<main class="ek-page">'), page.index("</main>")
    html = tmp_path / "code.html"
    html.write_text(page[:start] + '<main class="ek-page"><code>评估结果概览 9f5ed8</code>' + page[end:],
                    encoding="utf-8")
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("the DejaVu fonts are not installed")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<dir>{dejavu}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
                    encoding="utf-8")
    import os

    out = tmp_path / "code.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'profile'}",
                    # the web font is a fallback here: it loads once the layout asks for it
                    "--virtual-time-budget=5000",
                    "--no-pdf-header-footer", f"--print-to-pdf={out}", html.as_uri()],
                   capture_output=True, timeout=120, env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSansMono" in listing  # the Latin part, monospaced
    assert "Type 3" in listing, listing  # the Chinese part, from the embedded web font
