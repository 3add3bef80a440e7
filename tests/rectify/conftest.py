"""Fixtures of the rectification tests: a store URL per engine (as tests/store's), the
PostgreSQL case skipping with its reason where no server can be started (failing in CI)."""

from __future__ import annotations

import os

import pytest

from tests.helpers.postgres import start_cluster


@pytest.fixture(scope="session")
def rectify_pg_cluster():
    try:
        cluster = start_cluster()
    except Exception as exc:  # noqa: BLE001 - any reason: say it
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI: no PostgreSQL server could be started for the rectification tests: {exc}")
        pytest.skip(f"no PostgreSQL server could be started: {exc}")
    yield cluster
    cluster.stop()
