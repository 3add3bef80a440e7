"""Grade names are configuration: every report takes its grade labels, colours, styles and
counts from the bands the results carry, never from fixed names.

Fast: the sections are built from in-memory results (no kernel); one test lays the renamed
overview out as HTML and PDF."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from test_render import fake_results

import evalkit
from evalkit.report import blocks, charts, overview, present
from evalkit.results import analysis
from evalkit.results.store import Results
from evalkit.scoring.framework import DEFAULT_GRADE_BANDS, GradeRules, grade_meta
from tests.helpers.text import all_text as _all_text

DEFAULT_NAMES = tuple(name for name, _, _ in DEFAULT_GRADE_BANDS)
RENAMED = GradeRules(bands=(("甲等", 90.0), ("乙等", 80.0), ("丙等", 60.0), ("丁等", 0.0)),
                     names_en=("Class A", "Class B", "Class C", "Class D"))

#: The only string constants in evalkit/ that may hold a default grade name, and why.
ALLOWED = {
    "evalkit/scoring/framework.py": "DEFAULT_GRADE_BANDS, the one definition of the default bands",
    "evalkit/data/contract.py": "the votes table's 优秀票数 column: a 民主测评 vote category, not a grade",
}




def renamed_results() -> Results:
    """The fake results of test_render with the bands renamed; D02 vetoed (丁等), D03 barred
    from the top band."""
    res = fake_results()
    units = res.units.copy()
    units["grade"] = ["甲等", "丁等", "乙等"]
    adjustments = pd.DataFrame({"unit_id": ["D02", "D03"], "kind": ["veto", "bar_top"],
                                "points": [float("nan")] * 2, "reason": ["重大事故", "通报批评"],
                                "cap": [float("nan")] * 2})
    meta = {**res.meta, "grades": grade_meta(RENAMED),
            "parameters": {**res.meta["parameters"], "grade_bands": [list(b) for b in RENAMED.bands]}}
    return Results(units=units, nodes=res.nodes, meta=meta, tables={"adjustments": adjustments})


def _string_constants(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def test_no_grade_name_is_a_literal_in_evalkit():
    root = Path(evalkit.__file__).resolve().parent
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).as_posix()
        if rel in ALLOWED:
            continue
        for node in _string_constants(path):
            if any(name in node.value for name in DEFAULT_NAMES):
                found.append(f"{rel}:{node.lineno}: {node.value[:40]!r}")
    assert not found, "grade names must come from the grade bands:\n" + "\n".join(found)


def test_unit_report_uses_the_renamed_bands():
    res = renamed_results()
    for language in ("zh", "en"):
        text = " ".join(_all_text(present.unit_sections(res, unit, language, charts=False))
                        for unit in ("D01", "D02", "D03"))
        assert not any(name in text for name in DEFAULT_NAMES), language
        for word in ("Excellent", "Fail"):
            assert word not in text
    zh = _all_text(present.unit_sections(res, "D02", charts=False))
    assert "评估等次为“丁等”" in zh and "等次定为丁等" in zh
    assert "不得评为甲等" in _all_text(present.summary_section(res, "D03"))
    assert "甲等：90 分及以上；乙等：80 分及以上、低于 90 分；丙等：60 分及以上、低于 80 分；丁等：低于 60 分" in zh
    assert "甲等等次不超过同组单位数的 20%" in zh
    en = _all_text(present.unit_sections(res, "D02", "en", charts=False))
    assert "graded “Class D”" in en and "The grade is Class D whatever the score." in en
    assert "At most 20% of a peer group's units are graded Class A" in en


def test_grade_styles_follow_the_band_positions():
    res = renamed_results()
    cards = {c["label"]: c for c in present.summary_section(res, "D02")["blocks"][1]["items"]}
    assert cards["评估等次"]["value"] == "丁等" and cards["评估等次"]["style"] == "grade-fail"
    assert [present.grade_style(g, RENAMED) for g in RENAMED.names] == ["excellent", "good", "pass", "fail"]
    assert present.grade_style("优等", RENAMED) == "other"
    three = GradeRules(bands=(("上", 80.0), ("中", 60.0), ("下", 0.0)))
    assert [present.grade_style(g, three) for g in three.names] == ["excellent", "good", "fail"]
    assert set(charts.GRADE_STYLE_COLOURS) >= set(present.GRADE_STYLES)


def test_overview_counts_equal_the_grade_column():
    res = renamed_results()
    counts = analysis.grade_counts(res)
    assert counts.sum().to_dict() == res.units["grade"].value_counts().reindex(
        RENAMED.names, fill_value=0).to_dict()
    grades = overview.grades_section(res)
    table = grades["blocks"][1]
    assert [c["label"] for c in table["columns"][1:-1]] == list(RENAMED.names)
    assert table["footer"][0]["cells"][1:] == ["1", "1", "0", "1", "3"]
    assert "甲等等次不超过同组单位的 20%。" in table["notes"]
    summary = _all_text(overview.summary_section(res))
    assert "评为甲等 1 个、丁等 1 个" in summary and "甲等单位" in summary and "丁等单位" in summary
    flags = overview.attention_flags(res)
    assert flags.set_index("unit_id").loc["D02", "reasons"][0] == "评为丁等"


def test_rendered_overview_uses_the_renamed_bands(tmp_path):
    from evalkit.report import pdf

    res = renamed_results()
    sections = overview.overview_sections(res, "zh", {"year": 2024})
    page = "".join(blocks.block_html(b) for b in sections)
    for name in RENAMED.names:
        assert name in page
    assert not any(name in page for name in DEFAULT_NAMES)
    out = pdf.payload_to_pdf({"document": sections[0], "sections": sections[1:]}, tmp_path / "overview.pdf")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed (.ci/run installs it)")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "评为甲等 1 个、丁等 1 个" in text.replace("\n", "")
    assert not any(name in text for name in DEFAULT_NAMES)
