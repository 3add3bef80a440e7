"""The settings a district chooses for its indicators, as one typed object passed explicitly.

:class:`IndicatorParameters` holds the rubric of the qualitative indicators (its aggregation
policy, rater-group weights, minimum raters, criterion weights, vote rule and survey policy)
and the limits of the quantitative ones (hours to sign for and to contact on a 12345 ticket,
working days to rectify a bad rating, the disclosure answer period).
:func:`~evalkit.indicators.compute_indicators` hands each indicator function its own
settings (:meth:`IndicatorParameters.keywords`); the higher layers build the object once
from the data's files (:func:`evalkit.configuration.load_configuration`).

Defaults are written once: the rubric's in :mod:`evalkit.qualitative.rubric`
(:data:`~evalkit.qualitative.rubric.DEFAULT_RUBRIC`), each limit next to the indicator that
uses it (``hotline.SIGN_HOURS`` …). :data:`DEFAULT_PARAMETERS` holds those very objects.

The limits are read from an optional YAML file (``indicators.yaml`` in the data directory),
keyed by indicator code and the indicator function's parameter::

    hotline_signed_rate: {hours: 2}            # 及时签收: within 2 hours of dispatch
    hotline_contact_rate: {hours: 12}          # 先行联系
    service_bad_rating_fix_rate: {days: 10}    # 差评整改: 10 working days
    disclosure_on_time_rate: {answer_days: 20, extension_days: 20}

Anything left out keeps its default. The rules of the qualitative indicators belong in the
rubric file (``rubric.yaml``), not here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

from ..data.strict_yaml import did_you_mean, read_yaml, where
from ..errors import EvalkitError
from ..qualitative.rubric import DEFAULT_RUBRIC, Rubric
from .disclosure import ANSWER_DAYS, EXTENSION_DAYS
from .hotline import CONTACT_HOURS, SIGN_HOURS
from .service import BAD_RATING_FIX_DAYS

__all__ = ["DEFAULT_PARAMETERS", "IndicatorParameterError", "IndicatorParameters", "SETTINGS",
           "indicator_parameters_from_dict", "load_indicator_parameters"]


class IndicatorParameterError(EvalkitError):
    """An indicator parameter file, or an indicator setting, is malformed."""


#: Indicator code → {parameter of its function: field of :class:`IndicatorParameters`}: the
#: quantitative settings, as the parameter file names them.
SETTINGS: dict[str, dict[str, str]] = {
    "hotline_signed_rate": {"hours": "hotline_sign_hours"},
    "hotline_contact_rate": {"hours": "hotline_contact_hours"},
    "service_bad_rating_fix_rate": {"days": "bad_rating_fix_days"},
    "disclosure_on_time_rate": {"answer_days": "disclosure_answer_days",
                                "extension_days": "disclosure_extension_days"},
}
#: Indicators whose rules come from the rubric, with the rubric section that holds them.
RUBRIC_INDICATORS = {"rating_score": "aggregation (and criteria weights)", "vote_score": "votes",
                     "survey_satisfaction_rate": "survey"}

#: Field → (kind, smallest value): hours are numbers > 0, days whole numbers ≥ the bound.
_LIMITS = {"hotline_sign_hours": ("hours", 0), "hotline_contact_hours": ("hours", 0),
           "bad_rating_fix_days": ("days", 0), "disclosure_answer_days": ("days", 1),
           "disclosure_extension_days": ("days", 0)}


def _check_limit(source: str, key: str, kind: str, bound: int, value: Any) -> None:
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    if kind == "hours":
        if not number or value <= bound or value == float("inf"):
            raise IndicatorParameterError(f"{source}: {key}: expected a number of hours > 0; found {value!r}")
    elif not (number and float(value).is_integer() and value >= bound):
        raise IndicatorParameterError(f"{source}: {key}: expected a whole number of working days ≥ {bound}; "
                                      f"found {value!r}")


@dataclass(frozen=True)
class IndicatorParameters:
    """What the indicator functions take from a district's configuration.

    rubric
        Rules of ``rating_score`` (aggregation policy, group weights, minimum raters,
        criterion weights), ``vote_score`` (vote rule) and ``survey_satisfaction_rate``
        (survey policy); default :data:`~evalkit.qualitative.rubric.DEFAULT_RUBRIC`.
    hotline_sign_hours, hotline_contact_hours
        Hours after dispatch within which a 12345 ticket counts as signed for (及时签收,
        default 4) and the citizen as contacted (先行联系, default 24).
    bad_rating_fix_days
        Working days within which a bad service rating must be rectified (default 15).
    disclosure_answer_days, disclosure_extension_days
        Statutory answer period of a disclosure request in working days (20) and the
        approved extension (20).
    """

    rubric: Rubric = DEFAULT_RUBRIC
    hotline_sign_hours: float = SIGN_HOURS
    hotline_contact_hours: float = CONTACT_HOURS
    bad_rating_fix_days: int = BAD_RATING_FIX_DAYS
    disclosure_answer_days: int = ANSWER_DAYS
    disclosure_extension_days: int = EXTENSION_DAYS

    def __post_init__(self) -> None:
        if not isinstance(self.rubric, Rubric):
            raise IndicatorParameterError(f"indicator parameters: rubric: expected a Rubric; "
                                          f"found {type(self.rubric).__name__}")
        for name, (kind, bound) in _LIMITS.items():
            _check_limit("indicator parameters", name, kind, bound, getattr(self, name))

    def keywords(self, code: str) -> dict[str, Any]:
        """The keyword arguments of indicator ``code``'s function (empty when it has none)."""
        if code == "rating_score":
            return {"rubric": self.rubric}
        if code == "vote_score":
            return {"rule": self.rubric.votes}
        if code == "survey_satisfaction_rate":
            return {"policy": self.rubric.survey}
        return {param: getattr(self, name) for param, name in SETTINGS.get(code, {}).items()}

    def replace(self, **changes: Any) -> IndicatorParameters:
        """A copy with some fields changed (checked again)."""
        return _replace(self, **changes)

    def describe(self) -> dict[str, Any]:
        """The settings as plain values (for provenance): the rubric's code, version and
        source, and every limit."""
        out: dict[str, Any] = {"rubric": {"code": self.rubric.code, "version": self.rubric.version,
                                          "source": self.rubric.source}}
        out.update({f.name: getattr(self, f.name) for f in fields(self) if f.name != "rubric"})
        return out


#: The documented defaults: :data:`~evalkit.qualitative.rubric.DEFAULT_RUBRIC` and the
#: indicator modules' limits.
DEFAULT_PARAMETERS = IndicatorParameters()


def indicator_parameters_from_dict(doc: Any, source: str = "<indicator parameters>",
                                   rubric: Rubric = DEFAULT_RUBRIC) -> IndicatorParameters:
    """Build :class:`IndicatorParameters` from a parsed parameter file (see the module
    docstring), with ``rubric``; every key is checked and a mistake raises
    :class:`IndicatorParameterError` naming ``source`` and the key."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise IndicatorParameterError(f"{source}: expected a mapping of indicator code → settings; "
                                      f"found {type(doc).__name__}")
    changes: dict[str, Any] = {}
    for code, settings in doc.items():
        at = where(source, doc, code)
        if code in RUBRIC_INDICATORS:
            raise IndicatorParameterError(f"{at}: {code}: expected its rules in the rubric file "
                                          f"(rubric.yaml, section {RUBRIC_INDICATORS[code]}); found them here")
        if code not in SETTINGS:
            raise IndicatorParameterError(f"{at}: {code}: expected one of the indicators with settings "
                                          f"({', '.join(SETTINGS)}); found {code!r}{did_you_mean(code, SETTINGS)}")
        if not isinstance(settings, dict):
            raise IndicatorParameterError(f"{at}: {code}: expected a mapping like "
                                          f"{{{next(iter(SETTINGS[code]))}: …}}; found {settings!r}")
        for param, value in settings.items():
            name = SETTINGS[code].get(param)
            if name is None:
                raise IndicatorParameterError(f"{where(source, settings, param)}: {code}.{param}: expected one of "
                                              f"the keys {', '.join(SETTINGS[code])}; found {param!r}"
                                              f"{did_you_mean(param, SETTINGS[code])}")
            kind, bound = _LIMITS[name]
            _check_limit(source, f"{code}.{param}", kind, bound, value)
            changes[name] = float(value) if kind == "hours" else int(value)
    return IndicatorParameters(rubric=rubric, **changes)


def load_indicator_parameters(path: str | Path, rubric: Rubric = DEFAULT_RUBRIC) -> IndicatorParameters:
    """Read and check an indicator parameter file (UTF-8 YAML), with ``rubric``."""
    path = Path(path)
    if not path.is_file():
        raise IndicatorParameterError(f"indicator parameter file not found: {path}")
    doc = read_yaml(path, IndicatorParameterError)  # strict: duplicate keys, size and alias limits
    return indicator_parameters_from_dict(doc, str(path), rubric)
