"""The evaluation configuration: everything besides the records that decides a result.

One typed, frozen :class:`EvaluationConfig` holds

* the **framework** (:class:`~evalkit.scoring.framework.Framework`): the indicator tree,
  points, scoring rules, the missing-data policy, the bonus/deduction caps and the
  **grade bands** (:attr:`EvaluationConfig.grades`);
* the **rubric** (:class:`~evalkit.qualitative.rubric.Rubric`) of the qualitative
  evaluation: aggregation policy, rater-group weights, minimum raters, criterion weights,
  vote rule and survey policy;
* the other **indicator settings** (:class:`~evalkit.indicators.parameters.IndicatorParameters`:
  12345 sign/contact limits, the bad-rating and disclosure periods), which also carry the rubric;
* the **weighting schemes** of the weighting-scheme lab (name → scheme,
  :func:`evalkit.sensitivity.load_schemes`);
* the **target proposal** parameters (:class:`~evalkit.targets.parameters.TargetParameters`,
  ``targets.yaml``; docs/targets.md);
* the **sources**: each file read, with its SHA-256, for provenance.

:func:`load_configuration` reads it once from a data directory — ``framework.yaml`` (or the
framework given; the rule of :func:`evalkit.resources.default_inputs`), ``rubric.yaml``,
``schemes.yaml`` and ``indicators.yaml`` when present, else the documented defaults
(:data:`~evalkit.qualitative.rubric.DEFAULT_RUBRIC`, no schemes,
:data:`~evalkit.indicators.parameters.DEFAULT_PARAMETERS`) — and the caller passes it on
explicitly: ``compute_indicators(ds, year, parameters=config.indicators)``. Nothing is cached
or global; loading the same files twice gives equal configurations.

A malformed file raises one domain error (:class:`~evalkit.errors.FrameworkError`,
:class:`~evalkit.qualitative.rubric.RubricError`, :class:`~evalkit.errors.SensitivityError`,
:class:`~evalkit.indicators.parameters.IndicatorParameterError`) whose message names the file
and the key; the command line prints it as one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

from .data.files import sha256_file
from .errors import EvalkitError
from .indicators.parameters import DEFAULT_PARAMETERS, IndicatorParameters, load_indicator_parameters
from .qualitative.rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from .scoring.framework import AdjustmentRules, Framework, GradeRules, load_framework
from .targets.parameters import DEFAULT_TARGET_PARAMETERS, TARGETS_FILE, TargetParameters, load_target_parameters

__all__ = ["EvaluationConfig", "SourceFile", "load_configuration", "RUBRIC_FILE", "SCHEMES_FILE",
           "INDICATORS_FILE", "TARGETS_FILE", "CONFIGURATION_FILES"]

#: The configuration files a data directory may hold besides ``framework.yaml``.
RUBRIC_FILE = "rubric.yaml"
SCHEMES_FILE = "schemes.yaml"
INDICATORS_FILE = "indicators.yaml"
#: The configuration files a data directory may hold (the framework under its default name).
CONFIGURATION_FILES = ("framework.yaml", RUBRIC_FILE, SCHEMES_FILE, INDICATORS_FILE, TARGETS_FILE)


@dataclass(frozen=True)
class SourceFile:
    """One file the configuration was read from.

    ``role`` is ``framework``, ``rubric``, ``schemes``, ``indicators`` or ``targets``; ``path`` the file
    as read; ``name`` its path relative to the data directory, or its file name when it lies
    outside (what provenance records, so that results do not depend on where the data
    sit); ``sha256`` the hex digest of its bytes (for the framework:
    :attr:`Framework.sha256`, which also covers a node table the YAML names).
    """

    role: str
    path: Path
    name: str
    sha256: str


@dataclass(frozen=True)
class EvaluationConfig:
    """The configuration of an evaluation, loaded once (:func:`load_configuration`).

    framework
        The indicator framework; also holds the grade bands, missing-data policy and
        adjustment caps (see the properties).
    indicators
        The indicator settings, including the rubric: pass them to
        :func:`evalkit.indicators.compute_indicators` as ``parameters=``.
    schemes
        Weighting schemes by name (empty when the data have no scheme file).
    sources
        The files read, with their SHA-256, in the order framework, rubric, schemes,
        indicators, targets (absent files are not listed).
    """

    framework: Framework
    indicators: IndicatorParameters = DEFAULT_PARAMETERS
    schemes: Mapping[str, Any] = field(default_factory=dict)
    sources: tuple[SourceFile, ...] = ()
    #: How ``evalkit targets`` proposes next year's targets (``targets.yaml``, else the defaults).
    targets: TargetParameters = DEFAULT_TARGET_PARAMETERS

    def __post_init__(self) -> None:
        if not isinstance(self.framework, Framework):
            raise EvalkitError(f"EvaluationConfig: framework: expected a Framework; "
                               f"found {type(self.framework).__name__}")
        if not isinstance(self.indicators, IndicatorParameters):
            raise EvalkitError(f"EvaluationConfig: indicators: expected IndicatorParameters; "
                               f"found {type(self.indicators).__name__}")

    # --- the parts, by name -------------------------------------------------------------
    @property
    def rubric(self) -> Rubric:
        """The rubric of the qualitative evaluation (held by :attr:`indicators`)."""
        return self.indicators.rubric

    @property
    def grades(self) -> GradeRules:
        """The grade bands and the top-grade quota (the framework's)."""
        return self.framework.grades

    @property
    def missing_policy(self) -> str:
        """The framework's missing-data policy (``renormalise``, ``zero``, ``peer_mean``)."""
        return self.framework.missing_policy

    @property
    def adjustments(self) -> AdjustmentRules:
        """The caps on bonus and deduction points (the framework's)."""
        return self.framework.adjustments

    def source(self, role: str) -> SourceFile | None:
        """The file read for ``role`` (``framework``, ``rubric`` …), None when there was none."""
        return next((s for s in self.sources if s.role == role), None)

    # --- changing it ----------------------------------------------------------------------
    def replace(self, *, rubric: Rubric | None = None, **changes: Any) -> EvaluationConfig:
        """A copy with some parts changed; ``rubric=`` replaces the rubric the indicator
        settings hold. The sources are kept as they are: they say what was read."""
        if rubric is not None:
            changes["indicators"] = changes.get("indicators", self.indicators).replace(rubric=rubric)
        return _replace(self, **changes)

    # --- provenance -------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """The configuration as plain (JSON-ready) values, for results' provenance: the
        source files with their hashes, the framework's code, version and policies, the
        rubric's code, version and policies, the indicator settings and the scheme names."""
        fw, rubric = self.framework, self.rubric
        return {
            "sources": {s.role: {"file": s.name, "sha256": s.sha256} for s in self.sources},
            "framework": {"code": fw.code, "version": fw.version, "sha256": fw.sha256,
                          "missing_policy": fw.missing_policy, "min_coverage": fw.min_coverage,
                          "grade_bands": [list(b) for b in fw.grades.bands], "top_quota": fw.grades.top_quota,
                          "adjustments": asdict(fw.adjustments)},
            "rubric": {"code": rubric.code, "version": rubric.version,
                       "criterion_weights": rubric.criterion_weights,
                       "aggregation": _plain(asdict(rubric.aggregation)), "votes": _plain(asdict(rubric.votes)),
                       "survey": _plain(asdict(rubric.survey))},
            "indicators": {k: v for k, v in self.indicators.describe().items() if k != "rubric"},
            "schemes": sorted(self.schemes),
        }


def _plain(value: Any) -> Any:
    """Tuples as lists (so that a JSON round trip gives the same value)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def load_configuration(data_dir: str | Path | None = None,
                       framework: str | Path | Framework | None = None) -> EvaluationConfig:
    """Read the evaluation configuration of a data directory, once.

    Parameters
    ----------
    data_dir
        The data directory (default: the shipped sample district). Its ``rubric.yaml``,
        ``schemes.yaml`` and ``indicators.yaml`` are read when present; without them the
        configuration holds the documented defaults
        (:data:`~evalkit.qualitative.rubric.DEFAULT_RUBRIC`, no schemes, the indicator
        modules' limits).
    framework
        A framework file, or a loaded :class:`Framework` (default: ``DATA/framework.yaml``,
        else the sample's — :func:`evalkit.resources.default_inputs`, the rule ``evalkit
        run`` and ``evalkit score`` follow).

    Returns
    -------
    EvaluationConfig
        With every file read listed in :attr:`~EvaluationConfig.sources` with its SHA-256.

    Raises
    ------
    EvalkitError
        The data directory does not exist, or a file is malformed (a subclass naming the
        file and the key: FrameworkError, RubricError, SensitivityError,
        IndicatorParameterError).
    """
    from .resources import default_inputs
    from .sensitivity.schemes import load_schemes

    if data_dir is not None and not Path(data_dir).is_dir():
        raise EvalkitError(f"data directory not found: {data_dir}")
    given = framework if isinstance(framework, Framework) else None
    data, framework_path = default_inputs(data_dir, None if given is not None else framework)
    sources = []

    def read(role: str, path: Path, sha256: str | None = None) -> None:
        try:
            name = path.resolve().relative_to(data.resolve()).as_posix()
        except ValueError:
            name = path.name
        sources.append(SourceFile(role, path, name, sha256 if sha256 is not None else sha256_file(path)))

    if given is not None:
        fw = given
        sources.append(SourceFile("framework", Path(fw.source), fw.source, fw.sha256))
    else:
        fw = load_framework(framework_path)
        read("framework", framework_path, fw.sha256)

    rubric = DEFAULT_RUBRIC
    if (data / RUBRIC_FILE).is_file():
        rubric = load_rubric(data / RUBRIC_FILE)
        read("rubric", data / RUBRIC_FILE)

    schemes: dict[str, Any] = {}
    if (data / SCHEMES_FILE).is_file():
        schemes = load_schemes(data / SCHEMES_FILE)
        read("schemes", data / SCHEMES_FILE)

    if (data / INDICATORS_FILE).is_file():
        parameters = load_indicator_parameters(data / INDICATORS_FILE, rubric)
        read("indicators", data / INDICATORS_FILE)
    else:
        parameters = DEFAULT_PARAMETERS if rubric is DEFAULT_RUBRIC else DEFAULT_PARAMETERS.replace(rubric=rubric)
    targets = DEFAULT_TARGET_PARAMETERS
    if (data / TARGETS_FILE).is_file():
        targets = load_target_parameters(data / TARGETS_FILE)
        read("targets", data / TARGETS_FILE)
    return EvaluationConfig(framework=fw, indicators=parameters, schemes=schemes, sources=tuple(sources),
                            targets=targets)
