"""Helpers shared by test modules, imported as ``tests.helpers`` (never ``from conftest
import ...``: several directories have a ``conftest.py`` and only one module can be called
``conftest``). ``tests`` is a package and the repository root is on ``sys.path`` through
pytest's ``pythonpath = ["."]`` (pyproject.toml), so ``python -m pytest``, ``pytest`` and any
subset of test directories import these the same way.

* :data:`REPO`, :data:`SAMPLE` — the repository root and the shipped sample district;
* :mod:`tests.helpers.lab` — the weighting-scheme lab's synthetic case;
* :mod:`tests.helpers.cdp` — headless Chromium over the DevTools protocol (a pipe, stdlib only);
* :mod:`tests.helpers.portal` — synthetic report folders (payloads of many years) for the portal.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data_samples" / "sample_district"

__all__ = ["REPO", "SAMPLE"]
