"""docs/quality-checks.md is generated from evalkit/quality."""

from pathlib import Path

from evalkit.quality import DEFAULT_CHECKS
from evalkit.quality.checks_doc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "quality-checks.md"


def test_quality_checks_page_is_in_sync():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/quality-checks.md is stale: run `python -m evalkit.quality.checks_doc > docs/quality-checks.md`")


def test_every_default_check_is_listed():
    text = DOC.read_text(encoding="utf-8")
    for check in DEFAULT_CHECKS:
        assert f"| `{check.check_id}` |" in text
    assert "mean of the dimension scores" in text
