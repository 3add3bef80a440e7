"""PDF through Typst, fonts and charts — without a kernel: the payload is built by the same
functions the notebook calls. The PDF is laid out with the bundled fonts only
(``EVALKIT_SYSTEM_FONTS=0``), as on a fresh machine."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from test_render import XSS_NAME, fake_results

from evalkit.errors import ReportError
from evalkit import fonts
from evalkit.report import blocks, charts, pdf, present

HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdffonts") is not None


def payload_of(res, unit, language="zh"):
    sections = present.unit_sections(res, unit, language, {"unit": unit})
    return {"document": sections[0], "sections": sections[1:]}


def executed_notebook(res, unit) -> nbformat.NotebookNode:
    """A notebook shaped like an executed unit report: one display output per section."""
    cells = []
    for block in present.unit_sections(res, unit, "zh", {"unit": unit}):
        cells.append(new_code_cell("present.show(...)", outputs=[new_output(
            "display_data", data={"text/html": blocks.block_html(block), blocks.MIME_TYPE: block})]))
    return new_notebook(cells=cells)


@pytest.fixture(scope="module")
def bundled_only():
    mp = pytest.MonkeyPatch()
    mp.setenv("EVALKIT_SYSTEM_FONTS", "0")
    fonts.typst_fonts.cache_clear()
    fonts.matplotlib_families.cache_clear()
    pdf._local.__dict__.clear()
    yield
    mp.undo()
    fonts.typst_fonts.cache_clear()
    fonts.matplotlib_families.cache_clear()
    pdf._local.__dict__.clear()


@pytest.fixture(scope="module")
def laid_out(bundled_only, tmp_path_factory):
    base = tmp_path_factory.mktemp("pdf")
    res = fake_results()
    first = pdf.payload_to_pdf(payload_of(res, "D02"), base / "a.pdf")
    second = pdf.payload_to_pdf(payload_of(res, "D02"), base / "b.pdf")
    return SimpleNamespace(first=first, second=second, base=base, res=res)


def test_bundled_fonts_are_simplified_chinese_and_ofl():
    files = fonts.bundled_font_files()
    assert {p.name for p in files.values()} == {"NotoSansSC-Regular.otf", "NotoSerifSC-Regular.otf",
                                                "NotoSansSC-Bold.ttf"}
    licence = Path(files["sans"]).parent.parent.glob("pylopdf_fonts_zh_cn-*.dist-info/licenses/LICENSE")
    assert "SIL Open Font License" in next(licence).read_text(encoding="utf-8")
    # the bold face comes from the variable Noto Sans SC, under the same licence
    ofl = fonts.bold_source_file().parent / "OFL.txt"
    assert "SIL Open Font License" in ofl.read_text(encoding="utf-8")
    assert fonts.missing_glyphs("区房管局 评估等次 ≥≤※↑↓–—·“”（）") == set()
    assert fonts.missing_glyphs("\U0001F600") == {"\U0001F600"}


def test_bundled_only_font_choice(bundled_only):
    choice = fonts.typst_fonts()
    assert choice.sans == ("Noto Sans SC",) and choice.serif == ("Noto Serif SC",)
    # the bundled sans family has a real bold face (no system font needed)
    assert choice.sans_bold is True and choice.system is False
    assert fonts.matplotlib_families() == ("Noto Sans SC", "DejaVu Sans")


def test_pdf_is_reproducible_and_a4(laid_out):
    data = laid_out.first.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data == laid_out.second.read_bytes()
    assert b"/CreationDate" not in data
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+\s*\]", data)


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils (pdftotext, pdffonts) is not installed (.ci/run installs "
                    "it; the font checks in pure Python always run)")
def test_pdf_text_fonts_and_escaping(laid_out):
    text = subprocess.run(["pdftotext", "-layout", str(laid_out.first), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert XSS_NAME in text  # the unit's name, set as text
    assert "政府效能评估报告" in text and "评估结果概览" in text and "指标得分明细" in text
    assert re.search(r"第\s*1\s*页\s*/\s*共", text)  # page numbers (the cover is not numbered)
    listing = subprocess.run(["pdffonts", str(laid_out.first)], capture_output=True, text=True,
                             check=True).stdout
    assert re.search(r"NotoSansSC-Regular\S*\s+CID Type 0C\s+Identity-H\s+yes\s+yes", listing)


def test_missing_glyph_is_an_error(bundled_only, tmp_path):
    payload = payload_of(fake_results(), "D01")
    payload["document"]["title"] += " \U0001F600"
    with pytest.raises(fonts.MissingGlyphError, match="U\\+1F600"):
        pdf.payload_to_pdf(payload, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
    with pytest.raises(fonts.MissingGlyphError, match="missing from"):
        charts.area_chart(["行政效率 \ue000"], [0.5], [0.6], unit_label="a", median_label="b",
                          no_data_label="c")
    # matplotlib's own "Glyph … missing from font(s)" warning is an error too
    import matplotlib.pyplot as plt

    with pytest.raises(fonts.MissingGlyphError, match="Glyph"):
        with plt.rc_context({"font.family": ["DejaVu Sans"]}), fonts.strict_glyphs():
            fig, ax = plt.subplots()
            ax.set_title("行政效率")
            fig.canvas.draw()
    plt.close("all")


def test_charts_are_reproducible_svg(bundled_only):
    a = charts.trend_chart([2022, 2023, 2024], [80.0, 82.5, 79.0], [3, 2, 5], [10, 10, 10],
                           score_label="得分", rank_label="排名")
    b = charts.trend_chart([2022, 2023, 2024], [80.0, 82.5, 79.0], [3, 2, 5], [10, 10, 10],
                           score_label="得分", rank_label="排名")
    assert a == b and a.startswith("<svg")
    assert "<text" not in a  # text is drawn as paths: no font needed to view it
    assert "http://www.w3.org/2000/svg" in a and "<!DOCTYPE" not in a


def test_payload_comes_from_the_notebook_outputs(laid_out, tmp_path):
    nb = executed_notebook(laid_out.res, "D02")
    payload = pdf.notebook_payload(nb)
    assert payload["document"]["type"] == "document"
    assert [s["id"] for s in payload["sections"]][:2] == ["summary", "areas"]
    out = pdf.notebook_to_pdf(nb, tmp_path / "nb.pdf")
    assert out.read_bytes() == laid_out.first.read_bytes()  # same source, same bytes
    with pytest.raises(ReportError, match="no report document"):
        pdf.notebook_payload(new_notebook(cells=[new_code_cell("1")]))


def test_nbconvert_exporter_is_registered(laid_out, tmp_path):
    from nbconvert.exporters import get_exporter

    exporter = get_exporter("evalkit_pdf")()
    data, resources = exporter.from_notebook_node(executed_notebook(laid_out.res, "D02"))
    assert data == laid_out.first.read_bytes() and resources["output_extension"] == ".pdf"


def test_html_embeds_a_font_subset_and_no_payload(bundled_only, tmp_path):
    from evalkit.report.render import notebook_html

    page = notebook_html(executed_notebook(fake_results(), "D02"), "D02")
    assert "@font-face" in page and "data:font/otf;base64," in page
    assert blocks.MIME_TYPE not in page and '"type": "section"' not in page
    assert page == notebook_html(executed_notebook(fake_results(), "D02"), "D02")


@pytest.mark.skipif(not pdf.quarto_available(), reason="Quarto is not installed")
def test_quarto_renderer(bundled_only, tmp_path):
    out = pdf.payload_to_pdf(payload_of(fake_results(), "D01"), tmp_path / "q.pdf", renderer="quarto")
    assert out.read_bytes().startswith(b"%PDF-")


def test_unknown_renderer(tmp_path):
    with pytest.raises(ReportError, match="renderer"):
        pdf.payload_to_pdf(payload_of(fake_results(), "D01"), tmp_path / "q.pdf", renderer="latex")
