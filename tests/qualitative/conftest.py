"""Shared fixtures of the qualitative-evaluation tests: the committed sample district (2024)
loaded once per session, its ratings, registry and rubric."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.data.dataset import load_dataset
from evalkit.qualitative import load_rubric

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district"
YEAR = 2024


@pytest.fixture(scope="session")
def sample_dataset():
    return load_dataset(SAMPLE, years=[YEAR])


@pytest.fixture(scope="session")
def sample_rubric():
    return load_rubric(SAMPLE / "rubric.yaml")


@pytest.fixture(scope="session")
def sample_ratings(sample_dataset):
    return sample_dataset.table("ratings", YEAR)


@pytest.fixture(scope="session")
def sample_raters(sample_dataset):
    return sample_dataset.table("raters")
