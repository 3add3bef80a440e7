"""The README's short examples run as written.

Each example is a ```python block right after an HTML comment ``<!-- readme-example: NAME -->``;
every block is run in a fresh namespace, so an example that an API change breaks fails here
instead of rotting in the README.
"""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"<!-- readme-example: ([\w-]+) -->\s*\n```python\n(.*?)\n```", re.DOTALL)
#: The examples the README promises (issue 10): removing one is a failure too.
EXPECTED = {"sobol", "coin", "workdays", "dea"}


def examples() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, code in EXAMPLE.findall(README.read_text(encoding="utf-8")):
        assert name not in found, f"two README examples are named {name!r}"
        found[name] = code
    return found


def test_the_readme_has_every_example():
    assert EXPECTED <= set(examples())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_readme_example_runs(name):
    code = examples().get(name)
    if code is None:
        pytest.fail(f"README.md has no example {name!r} (<!-- readme-example: {name} --> before a ```python block)")
    exec(compile(code, f"README.md[{name}]", "exec"), {"__name__": f"readme_{name}"})
