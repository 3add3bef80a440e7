"""Acceptance (issue 13): every defect planted in the sample district is found by its check,
and units without a planted defect are not flagged — on a freshly generated small sample and
on the committed one, whose README lists the defects."""

from pathlib import Path

import pytest

from evalkit.data.dataset import load_dataset, validate_directory
from evalkit.quality import quality_metrics
from evalkit.sample import SampleSpec, generate_sample
from evalkit.sample.defects import KNOWN_FINDINGS, PLANTED_DEFECTS

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district"


def _expected(year: int) -> set[tuple[str, str]]:
    planted = {(d.unit_id, d.check) for d in PLANTED_DEFECTS if d.year == year}
    known = {(unit, check) for unit, y, check, _ in KNOWN_FINDINGS if y in (None, year)}
    return planted | known


def _flagged(metrics) -> set[tuple[str, str]]:
    failed = metrics[metrics["status"].isin(["warn", "error"])]
    return set(zip(failed["unit_id"], failed["check"]))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("defects")
    generate_sample(root, SampleSpec(years=(2024,), cases=6000, tickets=2000))
    return root


def test_planted_defects_pass_validation(small):
    assert [p for p in validate_directory(small) if p.severity == "error"] == []


def test_every_planted_defect_is_found_and_nothing_else(small):
    metrics = quality_metrics(load_dataset(small), 2024)
    assert _flagged(metrics) == _expected(2024)
    for d in PLANTED_DEFECTS:
        row = metrics[(metrics["unit_id"] == d.unit_id) & (metrics["check"] == d.check)].iloc[0]
        assert row["examples"], d  # the finding names where to look


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_the_committed_sample(year):
    metrics = quality_metrics(load_dataset(SAMPLE, years=[year]), year)
    assert _flagged(metrics) == _expected(year)


def test_the_sample_readme_lists_the_planted_defects():
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    for d in PLANTED_DEFECTS:
        assert f"`{d.unit_id}`" in text and f"`{d.check}`" in text and d.what_en in text
