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
    """The 2024 model of the sample, with the sub-districts' not-applicable declarations left
    out (their PRJ01 then follows the missing-data policy): the lab's hand-worked checks
    (closed-form tipping points, a scheme's ranks against the equal-weights run) need every
    sub-district to have the same points. The departments keep theirs."""
    from evalkit.indicators.catalogue import compute_indicators

    values = compute_indicators(lab_dataset, 2024, sorted({n.indicator for n in lab_framework.leaves()}))
    na = lab_dataset.table("not_applicable", 2024)
    na = na[na["unit_id"].astype(str).str.startswith("D")]
    units = lab_dataset.units[["unit_id", "name_zh", "peer_group", "unit_class"]]
    model = ScoringModel.from_values(lab_framework, units, values, lab_dataset.table("adjustments", 2024),
                                     year=2024, not_applicable=na)
    return model


@pytest.fixture(scope="session")
def synthetic_model():
    framework, units, values, adj = synthetic_case()
    return ScoringModel.from_values(framework, units, values, adj)
