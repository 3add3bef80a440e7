"""The patches of ``benchmarks/known_bugs.py`` (issue 18) still fit the source.

The script re-introduces seven known bugs one at a time and checks that the suite catches
each; a patch whose ``old`` text no longer occurs exactly once would make it fail (or, worse,
patch the wrong place). These checks are fast and run with the suite, so the script cannot
rot silently when the source changes. ``benchmarks`` is not a package: the script is loaded
from its file.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "known_bugs.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmarks_known_bugs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building a class
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module


known_bugs = _load_script()
BUGS = known_bugs.KNOWN_BUGS


def test_the_seven_bugs_of_issue_18_are_listed_once_each():
    names = [bug.name for bug in BUGS]
    assert len(names) == 7 and len(set(names)) == 7


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.name)
def test_patch_anchor_occurs_exactly_once(bug):
    source = (REPO / bug.path).read_text("utf-8")
    assert source.count(bug.old) == 1, f"{bug.name}: update the patch's old text in benchmarks/known_bugs.py"
    assert bug.new != bug.old


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.name)
def test_patched_source_still_compiles(bug):
    # a patch must be a bug, not a syntax error that any test run would "catch"
    source = (REPO / bug.path).read_text("utf-8")
    compile(source.replace(bug.old, bug.new), bug.path, "exec")


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.name)
def test_selected_tests_exist(bug):
    assert bug.tests
    missing = [path for path in bug.tests if not (REPO / path).exists()]
    assert not missing, f"{bug.name}: no such test path {missing}"


def test_union_of_selections_drops_paths_inside_a_selected_folder():
    got = known_bugs.union([("tests/scoring", "tests/sensitivity"),
                            ("tests/qualitative", "tests/scoring/test_hand_worked_decisions.py")])
    assert got == ("tests/scoring", "tests/sensitivity", "tests/qualitative")
