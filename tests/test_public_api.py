"""Everything the issues promise is importable from the top-level package."""

import importlib

import pytest

import evalkit


@pytest.mark.parametrize("name", [n for n in evalkit.__all__ if n != "__version__"])
def test_public_name_resolves(name):
    assert getattr(evalkit, name) is not None


def test_wilson_interval_bounds_are_exact_at_the_ends():
    lo, hi = evalkit.wilson_interval(0, 20)
    assert lo == 0.0 and 0 < hi < 1
    lo, hi = evalkit.wilson_interval(20, 20)
    assert hi == 1.0 and 0 < lo < 1


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        evalkit.no_such_function  # noqa: B018


def test_import_is_light():
    # The CLI imports evalkit; heavy modules load only when used.
    mod = importlib.reload(evalkit)
    assert "load_dataset" not in vars(mod) or callable(vars(mod)["load_dataset"])
