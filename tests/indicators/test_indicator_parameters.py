"""Indicator settings (:class:`IndicatorParameters`): written once, passed to the functions.

The hotline limits are checked on three hand-made tickets of D01 (D02 has none):

====  ================  =================  ==================
no.   dispatched_at     signed_at          contacted_at
====  ================  =================  ==================
T1    2024-03-04 09:00  11:30 (2.5 h)      10:00 (1 h)
T2    2024-03-04 09:00  12:00 (3 h)        03-05 08:00 (23 h)
T3    2024-03-04 09:00  14:00 (5 h)        20:00 (11 h)
====  ================  =================  ==================

Default limits (4 h to sign, 24 h to contact): 2 of 3 signed, 3 of 3 contacted. With 2.5 h
and 12 h: 1 of 3 signed (exactly 2.5 h counts), 2 of 3 contacted.
"""

import inspect

import pytest

from evalkit.indicators import BY_CODE, DEFAULT_PARAMETERS, IndicatorParameters, compute_indicators
from evalkit.indicators import hotline as hl
from evalkit.indicators.parameters import (SETTINGS, IndicatorParameterError, indicator_parameters_from_dict,
                                           load_indicator_parameters)
from evalkit.qualitative import DEFAULT_RUBRIC, AggregationPolicy, Rubric
from evalkit.errors import EvalkitError
from indicator_kit import assert_row, make_dataset

Y = 2024


def ticket(no, signed, contacted):
    return {"ticket_id": no, "unit_id": "D01", "dispatched_at": "2024-03-04 09:00", "signed_at": signed,
            "contacted_at": contacted, "closed_at": None, "due_at": "2024-03-11 09:00",
            "callback_satisfaction": None, "solved": None, "category": "complaint"}


TICKETS = [ticket("T1", "2024-03-04 11:30", "2024-03-04 10:00"),
           ticket("T2", "2024-03-04 12:00", "2024-03-05 08:00"),
           ticket("T3", "2024-03-04 14:00", "2024-03-04 20:00")]
CODES = ["hotline_signed_rate", "hotline_contact_rate"]


@pytest.fixture(scope="module")
def ds():
    return make_dataset(units=("D01", "D02"), tables={(Y, "hotline_tickets"): TICKETS})


def by_code(table, code):
    return table[table["indicator"] == code].drop(columns="indicator").reset_index(drop=True)


def test_defaults_are_the_indicator_modules_and_the_rubric_modules_objects():
    p = IndicatorParameters()
    assert p == DEFAULT_PARAMETERS
    assert p.rubric is DEFAULT_RUBRIC
    assert (p.hotline_sign_hours, p.hotline_contact_hours) == (hl.SIGN_HOURS, hl.CONTACT_HOURS)


@pytest.mark.parametrize("code", sorted(SETTINGS))
def test_each_setting_is_a_parameter_of_its_function_with_the_same_default(code):
    signature = inspect.signature(BY_CODE[code].compute).parameters
    for param, field in SETTINGS[code].items():
        assert param in signature, f"{code} has no parameter {param}"
        assert signature[param].default == getattr(DEFAULT_PARAMETERS, field)
    assert set(DEFAULT_PARAMETERS.keywords(code)) == set(SETTINGS[code])


def test_qualitative_indicators_take_the_rubric_and_its_policies():
    rubric = Rubric(code="r", version="1", name_zh="r", scale=DEFAULT_RUBRIC.scale, criteria=(),
                    aggregation=AggregationPolicy(method="median", group_weights={"leader": 1.0}))
    p = IndicatorParameters(rubric=rubric)
    assert p.keywords("rating_score") == {"rubric": rubric}
    assert p.keywords("vote_score") == {"rule": rubric.votes}
    assert p.keywords("survey_satisfaction_rate") == {"policy": rubric.survey}
    assert p.keywords("service_online_rate") == {}
    for code in ("rating_score", "vote_score", "survey_satisfaction_rate"):
        assert set(p.keywords(code)) <= set(inspect.signature(BY_CODE[code].compute).parameters)


def test_default_limits(ds):
    table = compute_indicators(ds, Y, CODES)
    assert_row(by_code(table, "hotline_signed_rate"), "D01", 200 / 3, 2, 3)
    assert_row(by_code(table, "hotline_contact_rate"), "D01", 100.0, 3, 3)


def test_compute_indicators_passes_the_limits_to_the_shared_count(ds):
    p = IndicatorParameters(hotline_sign_hours=2.5, hotline_contact_hours=12)
    table = compute_indicators(ds, Y, CODES, parameters=p)
    assert_row(by_code(table, "hotline_signed_rate"), "D01", 100 / 3, 1, 3)
    assert_row(by_code(table, "hotline_contact_rate"), "D01", 200 / 3, 2, 3)
    # the same as the functions called directly with those limits
    assert_row(hl.hotline_signed_rate(ds, Y, hours=2.5), "D01", 100 / 3, 1, 3)
    assert_row(hl.hotline_contact_rate(ds, Y, hours=12), "D01", 200 / 3, 2, 3)


def test_compute_indicators_refuses_something_else_as_parameters(ds):
    with pytest.raises(EvalkitError, match="IndicatorParameters"):
        compute_indicators(ds, Y, CODES, parameters={"hotline_sign_hours": 2})


@pytest.mark.parametrize("change, message", [
    ({"hotline_sign_hours": 0}, "hotline_sign_hours: expected a number of hours > 0"),
    ({"bad_rating_fix_days": 2.5}, "bad_rating_fix_days: expected a whole number"),
    ({"disclosure_answer_days": 0}, "disclosure_answer_days: expected a whole number of working days ≥ 1"),
    ({"rubric": None}, "rubric: expected a Rubric"),
])
def test_bad_settings_are_refused(change, message):
    with pytest.raises(IndicatorParameterError, match=message):
        IndicatorParameters(**change)


def test_parameter_file(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_text("hotline_signed_rate: {hours: 2}\nservice_bad_rating_fix_rate: {days: 10}\n"
                    "disclosure_on_time_rate: {answer_days: 15}\n", encoding="utf-8")
    p = load_indicator_parameters(path)
    assert (p.hotline_sign_hours, p.bad_rating_fix_days, p.disclosure_answer_days) == (2.0, 10, 15)
    assert (p.hotline_contact_hours, p.disclosure_extension_days) == (hl.CONTACT_HOURS, 20)
    assert p.rubric is DEFAULT_RUBRIC
    assert indicator_parameters_from_dict(None) == DEFAULT_PARAMETERS


@pytest.mark.parametrize("text, message", [
    ("hotline_signed_rate: {minutes: 30}\n", r"indicators.yaml, line 1: hotline_signed_rate.minutes: expected "
                                             r"one of the keys hours"),
    ("hotline_signed_rate: {hours: -1}\n", r"indicators.yaml: hotline_signed_rate.hours: expected a number"),
    ("hotline_signed_rate: 4\n", r"indicators.yaml, line 1: hotline_signed_rate: expected a mapping"),
    ("grid_on_time_rate: {days: 3}\n", r"indicators.yaml, line 1: grid_on_time_rate: expected one of the indicators"),
    ("rating_score: {method: median}\n",
     r"indicators.yaml, line 1: rating_score: expected its rules in the rubric file"),
    ("[1, 2]\n", r"indicators.yaml: expected a mapping of indicator code"),
    ("hotline_signed_rate: {hours: [\n", r"indicators.yaml, line \d+, column \d+: expected valid YAML"),
])
def test_a_bad_parameter_file_names_the_file_and_the_key(tmp_path, text, message):
    path = tmp_path / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IndicatorParameterError, match=message):
        load_indicator_parameters(path)
