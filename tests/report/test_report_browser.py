"""The HTML report in a real browser (headless Chromium, network off): everything shows,
the ``<script>`` unit name is text and executes nothing, no request leaves the page.
Skipped where Chromium is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from test_render import fake_results
from test_report_pdf import executed_notebook

from evalkit.report.render import notebook_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's "
                                "chromium; the pure-Python escaping checks in test_render.py and "
                                "test_report_content.py always run)")


def _chromium(tmp_path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync",
         # no network at all: every host name resolves to nothing
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
         f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    html = base / "D02.html"
    # an onerror/alert would change the title: the page must keep its own
    html.write_text(notebook_html(executed_notebook(fake_results(), "D02"), "D02"), encoding="utf-8")
    return base, html


def test_the_script_name_is_text_and_nothing_runs(page):
    base, html = page
    proc = _chromium(base, "--dump-dom", html.as_uri())
    dom = proc.stdout
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "2024年度" in dom and "评估结果概览" in dom and "data:image/svg+xml;base64," in dom


def test_the_page_renders_with_the_network_off(page):
    base, html = page
    shot = base / "shot.png"
    _chromium(base, f"--screenshot={shot}", "--window-size=1100,1600", html.as_uri())
    assert shot.is_file() and shot.stat().st_size > 20_000
    assert _dark_pixels(shot) > 2000  # the page is not blank


def _dark_pixels(png) -> int:
    import numpy as np
    from PIL import Image

    return int((np.asarray(Image.open(png).convert("L").crop((0, 0, 1100, 400))) < 100).sum())


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="poppler-utils is not installed (.ci/run installs it)")
def test_chinese_shows_without_any_system_font(page):
    """A machine without any font: an empty fontconfig. The page, printed by the browser,
    must still carry its Chinese text — drawn with the embedded subset of the bundled font
    (without that rule the same page has no text at all). Printing waits for the web font,
    a screenshot may not."""
    import os

    base, html = page
    conf = base / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<dir>{base / 'no-fonts'}</dir><cachedir>{base / 'fc-cache'}</cachedir>"
                    "</fontconfig>", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    without = base / "without-font.html"
    text = html.read_text(encoding="utf-8")
    # every embedded face goes (regular and bold)
    stripped, n = re.subn(r"@font-face \{[^}]*\}", "", text)
    assert n == 2
    without.write_text(stripped, encoding="utf-8")
    printed = {}
    for name, page_file in (("with", html), ("without", without)):
        pdf = base / f"bare-{name}.pdf"
        _chromium(base, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page_file.as_uri(), env=env)
        printed[name] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                       check=True).stdout
    assert "2024年度" in printed["with"] and "评估结果概览" in printed["with"]
    assert "<script>alert(1)</script>" in printed["with"]
    assert "评估结果概览" not in printed["without"]
