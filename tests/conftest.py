"""Settings for the whole test suite: the hypothesis profiles, and the shipped sample's
2024 results computed once per test process (``sample_2024``).

* ``dev`` (default): hypothesis' defaults — new random examples on every run, failures
  saved in ``.hypothesis/`` and replayed first next time.
* ``ci``: ``derandomize=True`` (the same examples on every run, so a red build is
  reproducible and never flaky), no example database, no deadline (shared runners are slow
  and uneven), ``print_blob=True`` (a failure prints the ``@reproduce_failure`` line) and
  100 examples for properties that do not set their own ``max_examples``.

``ci`` is loaded when the environment variable ``CI`` is set (GitHub Actions, GitLab … set
it) or when ``HYPOTHESIS_PROFILE=ci``; ``HYPOTHESIS_PROFILE`` names any registered profile
and wins over ``CI``. ``pytest --hypothesis-profile NAME`` overrides both.

A failure found by a property is pinned with an explicit ``@example(...)`` on that property
(and, where it exposes a decision, a hand-worked test), so it is checked on every run in
every profile.
"""

from __future__ import annotations

import copy
import os

import pytest
from hypothesis import settings

settings.register_profile("dev", settings.get_profile("default"))
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          max_examples=100)


def _profile() -> str:
    named = os.environ.get("HYPOTHESIS_PROFILE", "").strip()
    if named:
        return named
    ci = os.environ.get("CI", "").strip().lower()
    return "ci" if ci not in ("", "0", "false", "no") else "dev"


settings.load_profile(_profile())


@pytest.fixture(scope="session")
def _sample_2024_once():
    from evalkit.resources import sample_data_dir, sample_framework_path
    from evalkit.results.compute import compute_results

    return compute_results(sample_data_dir(), sample_framework_path(), 2024)


@pytest.fixture(scope="session")
def sample_2024(_sample_2024_once):
    """A function giving the shipped sample's 2024 results (its framework), computed once
    per test process (about 6 s) and handed out as a fresh deep copy: a test or module
    may change its copy freely."""
    return lambda: copy.deepcopy(_sample_2024_once)
