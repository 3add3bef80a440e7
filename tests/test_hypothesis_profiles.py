"""The hypothesis profiles of tests/conftest.py: ``ci`` is reproducible, ``dev`` is random."""

from hypothesis import settings

from tests.conftest import _profile


def test_ci_profile_is_derandomised_without_deadline():
    ci = settings.get_profile("ci")
    assert ci.derandomize is True and ci.deadline is None and ci.print_blob is True
    assert ci.database is None and ci.max_examples == 100
    assert settings.get_profile("dev").derandomize is False


def test_the_profile_follows_ci_and_hypothesis_profile(monkeypatch):
    monkeypatch.delenv("HYPOTHESIS_PROFILE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert _profile() == "dev"
    monkeypatch.setenv("CI", "true")
    assert _profile() == "ci"
    monkeypatch.setenv("CI", "false")
    assert _profile() == "dev"
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "ci")
    assert _profile() == "ci"
    monkeypatch.setenv("CI", "1")
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "dev")
    assert _profile() == "dev"


def test_the_loaded_profile_is_the_one_the_environment_asks_for(request):
    if request.config.getoption("hypothesis_profile", None):
        return  # pytest --hypothesis-profile NAME overrides the environment
    want = settings.get_profile(_profile())
    assert settings.default.derandomize == want.derandomize
    assert settings.default.deadline == want.deadline
