"""Settings for the whole test suite: the hypothesis profiles.

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

import os

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
