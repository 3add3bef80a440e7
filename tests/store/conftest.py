"""Fixtures of the efficiency database's tests: a store on each engine.

``store_url`` is parametrised over DuckDB (a file in the test's folder) and PostgreSQL (a fresh
database on a throwaway cluster started once per session by tests.helpers.postgres). Where no
PostgreSQL server can be started the PostgreSQL cases skip with the reason — except in CI
(``CI`` set), where they fail: CI installs the server (.ci/run), so a skip there would hide
a broken setup.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers.postgres import start_cluster

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        cluster = start_cluster()
    except (RuntimeError, OSError, Exception) as exc:  # noqa: BLE001 - any reason: say it
        if _in_ci():
            pytest.fail(f"CI: no PostgreSQL server could be started for the store tests: {exc}")
        pytest.skip(f"no PostgreSQL server could be started: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["duckdb", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "duckdb":
        return str(tmp_path / "evalkit.duckdb")
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database()


@pytest.fixture
def pg_url(pg_cluster) -> str:
    return pg_cluster.create_database()


def mini_district(dest: Path) -> Path:
    """A small valid data directory cut from the sample: the district tables, the
    configuration and three 2024 tables (budget lines, adjustments, legal cases)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("units.csv", "raters.csv", "rater_conflicts.csv", "framework.yaml", "rubric.yaml",
                 "schemes.yaml"):
        if (SAMPLE / name).is_file():
            shutil.copy(SAMPLE / name, dest / name)
    (dest / "2024").mkdir(exist_ok=True)
    for name in ("budget_lines.csv", "adjustments.csv", "legal_cases.csv"):
        shutil.copy(SAMPLE / "2024" / name, dest / "2024" / name)
    return dest


@pytest.fixture
def mini(tmp_path) -> Path:
    return mini_district(tmp_path / "mini")
