"""Fixtures of the indicator tests; the helpers themselves are in :mod:`indicator_kit`.

``make_dataset`` builds a tiny in-memory :class:`~evalkit.data.dataset.Dataset` with the column
types ``load_dataset`` gives (see ``indicator_kit``). Test modules import the helpers
directly (``from indicator_kit import make_dataset, assert_row``); the fixture is for tests
that prefer injection.
"""

import pytest

import indicator_kit


@pytest.fixture
def make_dataset():
    return indicator_kit.make_dataset
