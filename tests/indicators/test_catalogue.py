"""The catalogue is complete, documented, and its page is generated from the code."""

import re
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.indicators import AREAS, CATALOGUE
from evalkit.indicators.catalogue_doc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"


def test_catalogue_page_is_in_sync():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/indicators.md is stale: run `python -m evalkit.indicators.catalogue_doc > docs/indicators.md`")


@pytest.mark.parametrize("ind", CATALOGUE, ids=lambda i: i.code)
def test_every_indicator_documents_formula_unit_direction_and_source(ind):
    doc = " ".join(ind.doc.split())
    assert re.search(r"[\u4e00-\u9fff]", doc.splitlines()[0]), "Chinese name/formula first"
    assert "Unit:" in doc and "Direction:" in doc and "Source:" in doc
    assert ("higher is better" in doc) == (ind.direction > 0)
    assert ind.area in AREAS


def test_all_areas_of_section_seven_are_covered():
    covered = {i.area for i in CATALOGUE}
    for area in ("power", "efficiency", "openness", "staffing", "finance", "regulation",
                 "public_service", "satisfaction", "projects", "supervision"):
        assert area in covered


def test_cli_lists_and_exports(tmp_path, capsys):
    assert main(["indicators"]) == 0
    out = capsys.readouterr().out
    assert all(i.code in out for i in CATALOGUE)
    for suffix in ("csv", "xlsx", "parquet"):
        target = tmp_path / f"ind.{suffix}"
        assert main(["indicators", "--year", "2024", "--out", str(target)]) == 0
        assert target.is_file() and target.stat().st_size > 0
    assert main(["indicators", "--out", str(tmp_path / "x.txt")]) == 2
