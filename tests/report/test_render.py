"""Unit report: presentation functions, the HTML template and rendering end to end.

The report notebook is executed twice in the whole module (one Chinese report rendered
twice for the byte-identity check) through a module-scoped fixture; everything else uses
the pure functions of :mod:`evalkit.report.present` on in-memory fake results.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from evalkit.errors import ReportError
from evalkit.report import blocks, messages, present
from evalkit.report.render import normalize_executed, safe_filename
from evalkit.results.store import Results, save_results

XSS_NAME = "<script>alert(1)</script>"


# ----------------------------------------------------------------------------------------
# Fake results: 3 units × 9 nodes, in the layout of evalkit.results.store
# ----------------------------------------------------------------------------------------

_FRAMEWORK = [
    # code, parent, level, name_zh, name_en, kind, value unit, direction, target, points
    ("A", None, 1, "依法行政", "Rule of law", "group", "", None, None, 30.0),
    ("A1", "A", 2, "行政复议纠错率", "Review correction rate", "quantitative", "%", -1, 5.0, 10.0),
    ("A2", "A", 2, "依申请公开按时答复率", "On-time disclosure replies", "quantitative", "%", 1,
     100.0, 20.0),
    ("B", None, 1, "政务服务", "Public services", "group", "", None, None, 40.0),
    ("B1", "B", 2, "政务服务办件量", "Service cases handled", "quantitative", "件", 1, None, 15.0),
    ("B2", "B", 2, "12345工单按时办结率", "Hotline tickets closed on time", "quantitative", "%", 1,
     95.0, 25.0),
    ("C", None, 1, "群众满意度", "Satisfaction", "group", "", None, None, 30.0),
    ("C1", "C", 2, "服务对象满意度", "Service-user satisfaction", "qualitative", "分", 1, None, 20.0),
    ("C2", "C", 2, "民主测评", "Democratic evaluation", "qualitative", "分", 1, None, 10.0),
]

#: unit → leaf code → (raw value, score); ``None`` = no data (score NaN, "renormalise")
_LEAVES = {
    "D01": {"A1": (2.5, 10.0), "A2": (96.4, 18.2), "B1": (12345.0, 15.0), "B2": (None, None),
            "C1": (86.5, 17.3), "C2": (91.0, 9.1)},
    "D02": {"A1": (8.0, 4.0), "A2": (88.0, 12.0), "B1": (5400.0, 12.0), "B2": (90.1, 20.0),
            "C1": (80.0, 16.0), "C2": (None, None)},
    "D03": {"A1": (4.0, 9.0), "A2": (99.0, 19.8), "B1": (20000.0, 15.0), "B2": (97.0, 25.0),
            "C1": (90.0, 18.0), "C2": (93.0, 9.3)},
}

_UNITS = [
    ("D01", "区市场监管局", "District Market Regulation Bureau", "执法监管类"),
    ("D02", XSS_NAME, "Bureau <b>X</b>", "综合管理类"),
    ("D03", "区人力资源和社会保障局", "District Human Resources Bureau", "社会服务类"),
]


def fake_tables(year: int = 2024) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Units, nodes and meta shaped like :func:`evalkit.results.compute.compute_results` output:
    nodes node-major in framework order, no-data leaves renormalised within their area."""
    area_score: dict[tuple[str, str], tuple[float, float]] = {}
    for unit_id, leaves in _LEAVES.items():
        for code, parent, level, *_rest, points in _FRAMEWORK:
            if level == 1:
                kids = [(c[-1], leaves[c[0]][1]) for c in _FRAMEWORK if c[1] == code]
                scored = sum(p for p, sc in kids if sc is not None)
                raw = sum(sc for _, sc in kids if sc is not None)
                area_score[unit_id, code] = (raw * points / scored, scored / points)
    node_rows = []
    for code, parent, level, name_zh, name_en, kind, vunit, direction, target, points in _FRAMEWORK:
        for unit_id, _, _, _ in _UNITS:
            if level == 1:
                score, coverage = area_score[unit_id, code]
                raw, no_data, n = math.nan, False, math.nan
                rule = ""
            else:
                raw, score = _LEAVES[unit_id][code]
                no_data = raw is None
                raw = math.nan if raw is None else raw
                score = math.nan if score is None else score
                coverage = 0.0 if no_data else 1.0
                n = 0 if no_data else 120
                rule = "达到目标值得满分，每低1个百分点扣2分，扣完为止"
            node_rows.append(dict(
                unit_id=unit_id, code=code, parent=parent, level=level, name_zh=name_zh,
                name_en=name_en, area=(parent or code).lower(), kind=kind,
                indicator=None if level == 1 else code.lower(), raw_value=raw, value_unit=vunit,
                direction=math.nan if direction is None else float(direction),
                target=math.nan if target is None else target, points=points, score=score,
                points_lost=points - score, coverage=coverage, n=n, no_data=no_data, rule=rule))
    nodes = pd.DataFrame(node_rows)
    totals = {u: sum(area_score[u, c[0]][0] for c in _FRAMEWORK if c[2] == 1) for u in _LEAVES}
    coverage = {u: sum(area_score[u, c[0]][1] * c[-1] for c in _FRAMEWORK if c[2] == 1) / 100
                for u in _LEAVES}
    ranked = sorted(totals, key=lambda u: -totals[u])
    unit_rows = []
    for unit_id, name_zh, name_en, unit_class in _UNITS:
        total = totals[unit_id]
        unit_rows.append(dict(
            unit_id=unit_id, name_zh=name_zh, name_en=name_en, peer_group="department",
            unit_class=unit_class, year=year, total_score=total, max_score=100.0,
            score_100=total, coverage=coverage[unit_id], rank=ranked.index(unit_id) + 1,
            n_in_group=3, grade="优秀" if total >= 90 else "良好" if total >= 80 else "合格",
            prev_score=82.0 if unit_id != "D03" else math.nan,
            prev_rank={"D01": 3, "D02": 1}.get(unit_id),
            rank_change={"D01": 1, "D02": -2}.get(unit_id), framework_version="2024.1"))
    units = pd.DataFrame(unit_rows)
    for col in ("rank", "prev_rank", "rank_change"):
        units[col] = units[col].astype("Int64")
    meta = {
        "year": year,
        "framework_code": "fake",
        "framework_version": "2024.1",
        "framework_hash": "ab12cd34ef56" + "0" * 52,
        "data_hashes": {"units.csv": "1" * 64, f"{year}/service_cases.csv.gz": "f" * 64},
        "parameters": {"year": year, "missing_policy": "renormalise", "top_quota": 0.2},
        "evalkit_version": "0.1.0",
        "packages": {"pandas": pd.__version__, "python": "3.x"},
    }
    return units, nodes, meta


def fake_results(year: int = 2024) -> Results:
    units, nodes, meta = fake_tables(year)
    return Results(units=units, nodes=nodes, meta=meta)


# ----------------------------------------------------------------------------------------
# Pure functions
# ----------------------------------------------------------------------------------------

def test_catalogue_languages_have_the_same_keys():
    keys = {lang: set(cat) for lang, cat in messages.CATALOGUE.items()}
    assert keys["zh"] == keys["en"]
    with pytest.raises(ValueError):
        messages.catalogue("fr")


@pytest.mark.parametrize("value, unit, expected", [
    (95.26, "%", "95.3%"),
    (100, "%", "100.0%"),
    (12345, "件", "12,345 件"),
    (1234567.0, "", "1,234,567"),
    (3.25, "工作日", "3.25 工作日"),
    (86.5, "分", "86.5 分"),
    (math.nan, "%", "无数据"),
    (None, "件", "无数据"),
])
def test_format_value(value, unit, expected):
    assert present.format_value(value, unit) == expected


def test_rank_and_change_texts():
    assert present.rank_text(3, 35, "department") == "第 3 名 / 共 35 个部门"
    assert present.rank_text(2, 12, "subdistrict") == "第 2 名 / 共 12 个街镇"
    assert present.rank_text(pd.NA, 12, "subdistrict") == "未排名"
    assert present.rank_text(3, 35, "department", "en") == "3 of 35 departments"
    assert present.change_text(2) == "↑2"
    assert present.change_text(-1) == "↓1"
    assert present.change_text(0) == "持平"
    assert present.change_text(pd.NA) == "无上年数据"
    assert present.change_text(None, "en") == "No data for last year"


def test_area_table_has_peer_medians():
    res = fake_results()
    table = present.area_table(res, "D01")
    assert list(table["code"]) == ["A", "B", "C"]
    a = table.set_index("code").loc["A"]
    assert a["points"] == 30 and a["score"] == pytest.approx(28.2)
    # A scores of the three departments: 28.2, 16.0, 28.8 → median 28.2
    assert a["peer_median"] == pytest.approx(28.2)
    assert a["points_lost"] == pytest.approx(1.8)
    b = table.set_index("code").loc["B"]  # B2 has no data: renormalised, coverage 15/40
    assert b["score"] == pytest.approx(40.0) and b["coverage"] == pytest.approx(0.375)


def test_area_notes_explain_missing_data():
    page = blocks.section_html(present.areas_section(fake_results(), "D01", chart=False))
    assert "※40.0" in page
    assert "※ 含无数据指标，得分按有数据指标的得分折算：政务服务（数据覆盖 37.5%）。" in page


def test_indicator_table_shows_no_data_not_zero():
    res = fake_results()
    table = present.indicator_table(res, "D01").set_index("code")
    assert list(table.index) == ["A1", "A2", "B1", "B2", "C1", "C2"]  # leaves only
    assert table.loc["B2", "raw_text"] == "无数据"
    assert table.loc["B2", "score_text"].startswith("无数据")
    assert table.loc["A2", "raw_text"] == "96.4%"
    assert table.loc["B1", "raw_text"] == "12,345 件"
    assert table.loc["A1", "area"] == "依法行政"
    assert table.loc["A1", "target_text"] == "≤5.0%"
    assert table.loc["A2", "target_text"] == "≥100.0%"
    assert table.loc["B1", "target_text"] == "—"
    en = present.indicator_table(res, "D01", "en").set_index("code")
    assert en.loc["B2", "raw_text"] == "No data"
    assert en.loc["A1", "name"] == "Review correction rate"


def test_html_escapes_data_text():
    res = fake_results()
    page = present.report_html(res, "D02")
    assert XSS_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>X</b>" not in present.report_html(res, "D02", "en")
    assert present.unit_document(res, "D02")["title"] == f"2024年度 {XSS_NAME} 政府效能评估报告"


def test_unknown_unit_or_year_is_a_report_error():
    res = fake_results()
    with pytest.raises(ReportError, match="D99"):
        present.check_unit(res, "D99", 2024)
    with pytest.raises(ReportError, match="2023"):
        present.check_unit(res, "D01", 2023)


@pytest.mark.parametrize("unit_id", ["../../etc/passwd", "..", ".", "/", "a/b", "a\\b", "",
                                     "CON", "区01", ".hidden", "x" * 300, "D01\x00"])
def test_safe_filename_is_safe(unit_id):
    name = safe_filename(unit_id)
    assert name and ".." not in name and "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", name)
    assert len(name) <= 100
    assert safe_filename(unit_id) == name  # stable


def test_safe_filename_keeps_plain_ids_and_separates_lookalikes():
    assert safe_filename("D01") == "D01"
    assert safe_filename("S-05_b.2") == "S-05_b.2"
    assert safe_filename("a/b") != safe_filename("a_b")


def test_normalize_executed_removes_volatile_metadata():
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    cell = new_code_cell("x = 1", metadata={
        "tags": ["injected-parameters"],
        "papermill": {"start_time": "t0", "end_time": "t1", "duration": 1.0, "status": "completed"},
        "execution": {"iopub.status.busy": "t"}})
    nb = new_notebook(cells=[cell], metadata={"papermill": {
        "start_time": "t0", "end_time": "t1", "duration": 2.0, "input_path": "/tmp/a",
        "output_path": "/tmp/b", "parameters": {"unit": "D01"}}})
    normalize_executed(nb)
    text = nbformat.writes(nb)
    for volatile in ("t0", "t1", "/tmp/", "iopub"):
        assert volatile not in text
    assert nb.cells[0]["id"] == "injected-parameters"
    assert nb.metadata.papermill["parameters"] == {"unit": "D01"}


def test_resources_point_at_shipped_files():
    from evalkit import resources

    assert resources.notebook_path("unit_report").name == "unit_report.ipynb"
    assert resources.notebook_path("unit_report.ipynb").is_file()
    assert (resources.html_template_dir() / "index.html.j2").is_file()
    assert (resources.template_dir() / "html" / "conf.json").is_file()
    with pytest.raises(ValueError):
        resources.notebook_path("../x")


def test_resources_prefer_the_packaged_copy(tmp_path, monkeypatch):
    from evalkit import resources

    shipped = tmp_path / "_shipped"
    (shipped / "notebooks").mkdir(parents=True)
    (shipped / "notebooks" / "unit_report.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(resources, "_SHIPPED_DIR", shipped)
    assert resources.notebook_path("unit_report") == shipped / "notebooks" / "unit_report.ipynb"
    # kinds not packaged fall back to the checkout
    assert resources.template_dir() == resources._CHECKOUT_DIR / "templates"
    monkeypatch.setattr(resources, "_CHECKOUT_DIR", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="templates"):
        resources.template_dir()


def test_notebook_has_a_parameters_cell_and_no_outputs():
    import nbformat

    from evalkit.resources import notebook_path

    nb = nbformat.read(notebook_path("unit_report"), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("unit", "year", "data", "framework", "language", "results"):
        assert re.search(rf"^{name} = ", tagged[0].source, re.MULTILINE)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


# ----------------------------------------------------------------------------------------
# End to end: execute the notebook, convert to HTML (two executions in this module)
# ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from evalkit.report.render import render_unit_report

    base = tmp_path_factory.mktemp("report")
    results_dir = base / "results"
    save_results(fake_results(), results_dir)
    first = render_unit_report(results_dir, "D02", 2024, base / "out1")
    second = render_unit_report(results_dir, "D02", 2024, base / "out2")
    return SimpleNamespace(first=first, second=second, html=first.read_text(encoding="utf-8"),
                           out_dir=base / "out1", results_dir=results_dir)


def test_report_shows_the_unit(rendered):
    page = rendered.html
    assert rendered.first.name == "D02.html"
    assert '<html lang="zh-CN">' in page
    assert re.search(r'<meta charset="utf-8"\s*/?>', page)
    assert "<title>2024年度 &lt;script&gt;alert(1)&lt;/script&gt; 政府效能评估报告</title>" in page
    assert "2024年度 &lt;script&gt;alert(1)&lt;/script&gt; 政府效能评估报告</h1>" in page
    assert "72.00 分" in page  # total score, with the published precision (2 decimals)
    assert "第 3 名 / 共 3 个部门" in page
    assert "↓2" in page
    assert "合格" in page
    assert "依申请公开按时答复率" in page and "12345工单按时办结率" in page
    assert "88.0%" in page and "5,400 件" in page
    assert "无数据" in page  # C2 applies but has no data: never shown as data
    assert "ab12cd34ef56" in page and "ab12cd34ef560" not in page
    assert "Noto Sans CJK SC" in page and '"EvalkitSans"' in page


def test_report_is_self_contained_and_shows_no_code(rendered):
    page = rendered.html
    assert XSS_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page.lower() and "@import" not in page
    for marker in ("jp-InputArea", "input_area", "evalkit.", "present.", "load_results",
                   "Traceback", "stderr", "jp-OutputPrompt", "In&nbsp;[", "Out[", "rater"):
        assert marker not in page, marker
    assert str(rendered.results_dir) not in page
    assert "/tmp" not in page


def test_report_renders_are_byte_identical(rendered):
    assert rendered.first.read_bytes() == rendered.second.read_bytes()
    pdf = rendered.first.with_suffix(".pdf")
    assert pdf.read_bytes() == rendered.second.with_suffix(".pdf").read_bytes()
    data = rendered.first.with_suffix(".json")
    assert data.read_bytes() == rendered.second.with_suffix(".json").read_bytes()
    assert sorted(p.name for p in rendered.out_dir.iterdir()) == ["D02.html", "D02.json", "D02.pdf"]


def test_report_in_english():
    """English labels come from the same catalogue (checked on the HTML blocks, no kernel)."""
    page = present.report_html(fake_results(), "D01", "en")
    assert "District Market Regulation Bureau: Government Efficiency Evaluation Report 2024" in page
    assert "No. 2 of 3 departments" in page
    assert "No data" in page and "无数据" not in page


# ----------------------------------------------------------------------------------------
# Failures (no kernel: papermill is replaced by a fake that fails like it does)
# ----------------------------------------------------------------------------------------

def _failing_papermill(monkeypatch, ename="ReportError", evalue="unit 'D99' is not in the results"):
    import nbformat
    import papermill
    from nbformat.v4 import new_code_cell, new_notebook
    from papermill.exceptions import PapermillExecutionError

    def fake_execute(input_path, output_path, **kwargs):
        nb = new_notebook(cells=[new_code_cell("present.check_unit(res, unit, year)")],
                          metadata={"papermill": {"start_time": "2024-01-01T00:00:00",
                                                  "input_path": input_path}})
        nbformat.write(nb, output_path)
        raise PapermillExecutionError(cell_index=2, exec_count=3, source="",
                                      ename=ename, evalue=evalue, traceback=[])

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)


def test_failing_notebook_raises_and_keeps_the_notebook(monkeypatch, tmp_path):
    from evalkit.report.render import render_unit_report

    _failing_papermill(monkeypatch)
    out_dir = tmp_path / "out"
    (out_dir).mkdir()
    with pytest.raises(ReportError) as info:
        render_unit_report(tmp_path / "results", "D99", 2024, out_dir)
    message = str(info.value)
    assert "D99" in message and "ReportError" in message and "cell 3" in message
    failed = out_dir / "D99.failed.ipynb"
    assert failed.is_file()
    assert "start_time" not in failed.read_text(encoding="utf-8")
    assert not (out_dir / "D99.html").exists()
    assert sorted(p.name for p in out_dir.iterdir()) == ["D99.failed.ipynb"]


def test_unknown_language_is_refused_before_running(tmp_path):
    from evalkit.report.render import render_unit_report

    with pytest.raises(ReportError, match="fr"):
        render_unit_report(tmp_path, "D01", 2024, tmp_path / "out", language="fr")


def test_html_of_a_failed_cell_shows_no_error(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from evalkit.report.render import notebook_to_html

    cell = new_code_cell("import evalkit.secret", outputs=[
        new_output("stream", name="stderr", text="Warning: secret path /tmp/x\n"),
        new_output("display_data", data={"text/html": "<p>kept</p>", "text/plain": "kept"}),
        new_output("error", ename="ValueError", evalue="boom", traceback=["Traceback: boom"]),
    ])
    params = new_code_cell("unit = 'D01'", metadata={"tags": ["parameters"]},
                           outputs=[new_output("stream", name="stdout", text="hidden\n")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[params, cell]), path)
    page = notebook_to_html(path, tmp_path / "nb.html").read_text(encoding="utf-8")
    assert "<p>kept</p>" in page
    for hidden in ("secret", "boom", "Traceback", "stdout-text", "unit = ", "/tmp"):
        assert hidden not in page, hidden


def test_html_refuses_external_resources(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from evalkit.report.render import notebook_to_html

    cell = new_code_cell("", outputs=[new_output(
        "display_data", data={"text/html": '<img src="https://example.org/x.png">'})])
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[cell]), path)
    with pytest.raises(ReportError, match="self-contained"):
        notebook_to_html(path, tmp_path / "nb.html")
    assert not (tmp_path / "nb.html").exists()
