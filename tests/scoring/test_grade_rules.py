"""Grade bands in the framework: names are configuration, roles come from positions."""

from __future__ import annotations

import copy

import pytest
import yaml

from evalkit.errors import FrameworkError
from evalkit.resources import sample_framework_path
from evalkit.scoring.framework import DEFAULT_GRADE_BANDS, GradeRules, parse_framework


@pytest.fixture(scope="module")
def sample_doc():
    return yaml.safe_load(sample_framework_path().read_text(encoding="utf-8"))


def _with_grades(doc, grades):
    doc = copy.deepcopy(doc)
    doc["grades"] = grades
    return parse_framework(doc, "fw.yaml")


def test_default_bands_have_english_names_and_roles():
    rules = GradeRules()
    assert rules.names == tuple(name for name, _, _ in DEFAULT_GRADE_BANDS)
    assert rules.names_en == tuple(en for _, _, en in DEFAULT_GRADE_BANDS)
    assert rules.roles == ("top", "pass", "pass", "fail")
    assert (rules.top, rules.fail) == (DEFAULT_GRADE_BANDS[0][0], DEFAULT_GRADE_BANDS[-1][0])


def test_sample_framework_names_its_bands_in_english(sample_doc):
    fw = parse_framework(sample_doc, "framework.yaml")
    assert fw.grades == GradeRules()  # the sample keeps the default bands, written out


def test_renamed_bands_with_and_without_english_names(sample_doc):
    fw = _with_grades(sample_doc, {"bands": [["甲等", 90], ["乙等", 80], ["丙等", 60], ["丁等", 0]]})
    rules = fw.grades
    assert rules.names == ("甲等", "乙等", "丙等", "丁等") and rules.top_quota == 0.2
    assert rules.label("丙等", "en") == "丙等"  # no English name given: the name itself
    assert (rules.top, rules.fail, rules.role_of("乙等")) == ("甲等", "丁等", "pass")
    fw = _with_grades(sample_doc, {"bands": [["A", 85, "Top"], ["B", 0, "Bottom"]], "top_quota": 0.1})
    assert fw.grades.names_en == ("Top", "Bottom") and fw.grades.roles == ("top", "fail")
    assert fw.grades.label("B", "en") == "Bottom" and fw.grades.top_quota == 0.1


@pytest.mark.parametrize("grades, found", [
    ({"bands": [["甲等", 60], ["乙等", 80]]}, "best grade down"),
    ({"bands": [["甲等", 90], ["甲等", 0]]}, "a different name"),
    ({"bands": [["甲等", 90, "A"], ["乙等", 0]]}, "for every band or for none"),
    ({"bands": [["甲等", "high"]]}, "English name] items"),
    ({"bands": []}, "non-empty"),
    ({"bands": [["甲等", 90, "A", "x"]]}, "English name] items"),
    ({"top_quota": 1.5}, "between 0 and 1"),
    (["甲等"], "a mapping"),
])
def test_bad_grade_sections_are_refused_with_a_precise_message(sample_doc, grades, found):
    with pytest.raises(FrameworkError, match="grades") as info:
        _with_grades(sample_doc, grades)
    assert found in str(info.value)
