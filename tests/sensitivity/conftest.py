"""Shared fixtures of the weighting-scheme lab tests: the committed sample district, loaded
once per session, its framework and the 2024 scoring model; a small synthetic case
(built by :func:`tests.helpers.lab.synthetic_case`)."""

from __future__ import annotations

import pytest

from evalkit.data.dataset import load_dataset
from evalkit.scoring.framework import load_framework
from evalkit.sensitivity import ScoringModel, scoring_model

from tests.helpers import SAMPLE
from tests.helpers.lab import synthetic_case


@pytest.fixture(scope="session")
def lab_dataset():
    return load_dataset(SAMPLE)


@pytest.fixture(scope="session")
def lab_framework():
    return load_framework(SAMPLE / "framework.yaml")


@pytest.fixture(scope="session")
def lab_model(lab_dataset, lab_framework):
    return scoring_model(lab_dataset, lab_framework, 2024)


@pytest.fixture(scope="session")
def synthetic_model():
    framework, units, values, adj = synthetic_case()
    return ScoringModel.from_values(framework, units, values, adj)
