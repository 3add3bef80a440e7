"""A framework is input like any data file: invisible characters in its names are removed
with a warning naming the file and key, and a hostile node table is refused before parsing."""

from __future__ import annotations

import zipfile

import pytest

from evalkit.errors import FrameworkError
from evalkit.scoring.framework import load_framework, parse_framework

LEAF = {"code": "A1", "indicator": "service_on_time_rate", "points": 10, "target": 99,
        "rule": {"type": "threshold_deduct", "per": 1, "deduct": 2}}


def test_invisible_characters_in_names_are_removed_with_a_warning():
    doc = {"code": "t", "version": "1", "name_zh": "示例\u200b区\u202e体系",
           "nodes": [{"code": "A", "area": "efficiency", "name_zh": "行政\u200d效率", "children": [LEAF]}]}
    with pytest.warns(UserWarning) as caught:
        fw = parse_framework(doc, source="fw.yaml")
    assert sorted(str(w.message) for w in caught) == [
        "fw.yaml, name_zh: removed invisible characters U+200B ZERO WIDTH SPACE, U+202E RIGHT-TO-LEFT "
        "OVERRIDE; kept '示例区体系'",
        "fw.yaml, node A, name_zh: removed invisible characters U+200D ZERO WIDTH JOINER; kept '行政效率'"]
    assert fw.name_zh == "示例区体系"
    assert fw.nodes["A"].name_zh == "行政效率"


def test_a_zip_bomb_node_table_is_refused_before_parsing(tmp_path):
    table = tmp_path / "nodes.xlsx"
    with zipfile.ZipFile(table, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * (80 * 2**20) + b"</a>")  # 80 MiB of zeros
    (tmp_path / "fw.yaml").write_text("code: t\nversion: '1'\nnodes: nodes.xlsx\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="nodes.xlsx"):
        load_framework(tmp_path / "fw.yaml")


def test_an_oversized_csv_node_table_is_refused(tmp_path):
    (tmp_path / "nodes.csv").write_text("code," + ",".join(f"c{i}" for i in range(5000)) + "\n", encoding="utf-8")
    (tmp_path / "fw.yaml").write_text("code: t\nversion: '1'\nnodes: nodes.csv\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="nodes.csv"):
        load_framework(tmp_path / "fw.yaml")
