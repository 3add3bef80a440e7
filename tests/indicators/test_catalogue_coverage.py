"""Every indicator of the catalogue is exercised by the hand-worked tests of its module
(issue 3: "every indicator has a test on a small hand-made table")."""

from pathlib import Path

import pytest

from evalkit.indicators import CATALOGUE

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("ind", CATALOGUE, ids=lambda i: i.code)
def test_indicator_is_called_in_its_test_module(ind):
    module = ind.compute.__module__.rsplit(".", 1)[-1]           # e.g. "service"
    source = (HERE / f"test_{module}_indicators.py").read_text(encoding="utf-8")
    assert f"{ind.compute.__name__}(" in source, f"no hand-worked test calls {ind.compute.__name__}"
