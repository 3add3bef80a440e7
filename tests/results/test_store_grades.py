"""Results carry their grade bands (meta["grades"]), and older results still give theirs."""

from __future__ import annotations

import pytest

from evalkit.results.store import Results, grade_rules, load_results, save_results
from evalkit.scoring.framework import DEFAULT_GRADE_BANDS, GradeRules, grade_meta

RENAMED = GradeRules(bands=(("甲等", 90.0), ("乙等", 75.0), ("丁等", 0.0)), top_quota=0.15,
                     names_en=("Class A", "Class B", "Class D"))


def test_grade_meta_round_trip_with_roles():
    meta = grade_meta(RENAMED)
    assert meta == {"bands": [{"name": "甲等", "name_en": "Class A", "lower": 90.0, "role": "top"},
                              {"name": "乙等", "name_en": "Class B", "lower": 75.0, "role": "pass"},
                              {"name": "丁等", "name_en": "Class D", "lower": 0.0, "role": "fail"}],
                    "top_quota": 0.15}
    assert GradeRules.from_meta(meta) == RENAMED


def test_results_read_their_bands_back_after_saving(tmp_path):
    import pandas as pd

    res = Results(units=pd.DataFrame({"unit_id": ["U1"]}), nodes=pd.DataFrame({"unit_id": ["U1"]}),
                  meta={"year": 2024, "grades": grade_meta(RENAMED)})
    save_results(res, tmp_path)
    back = load_results(tmp_path).grades
    assert back == RENAMED and back.top == "甲等" and back.fail == "丁等"
    assert back.label("乙等", "en") == "Class B" and back.label("乙等", "zh") == "乙等"


def test_older_results_fall_back_to_their_parameters_then_to_the_default():
    old = grade_rules({"parameters": {"grade_bands": [["甲等", 90], ["乙等", 0]], "top_quota": 0.1}})
    assert old.bands == (("甲等", 90.0), ("乙等", 0.0)) and old.top_quota == 0.1
    assert old.roles == ("top", "fail") and old.label("甲等", "en") == "甲等"
    default = grade_rules({})
    assert [(n, lo, en) for (n, lo), en in zip(default.bands, default.names_en)] == list(DEFAULT_GRADE_BANDS)
    assert grade_rules(None) == GradeRules()


@pytest.mark.parametrize("name", ["甲等", "乙等", "丁等"])
def test_every_band_has_exactly_one_role(name):
    assert RENAMED.role_of(name) in ("top", "pass", "fail")
    assert RENAMED.role_of("优等") is None
