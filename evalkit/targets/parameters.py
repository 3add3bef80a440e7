"""The parameters of the target proposal (效能目标), typed, with defaults, and ``targets.yaml``.

A data directory may hold ``targets.yaml`` to change the defaults; every key is checked
(an unknown key, a share outside (0, 1] or an unknown reference is refused with the file
and line)::

    share: 0.5          # the share of the gap to the reference a unit is asked to close in a year
    reference: median   # median | best — of the unit's peer group
    decimals: 1         # proposed targets are rounded to this many decimals, towards the demanding side

:func:`evalkit.configuration.load_configuration` reads the file with the rest of the
configuration (its SHA-256 goes into the provenance).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..data.strict_yaml import did_you_mean, read_yaml, where
from ..errors import EvalkitError

__all__ = ["TargetParameters", "DEFAULT_TARGET_PARAMETERS", "TARGETS_FILE", "REFERENCES",
           "TargetParameterError", "load_target_parameters", "target_parameters_from_dict"]

#: The file in a data directory that overrides the defaults.
TARGETS_FILE = "targets.yaml"
#: What a unit's gap is measured to: the median or the best value of its peer group.
REFERENCES = ("median", "best")
#: Most decimals a proposed target may be rounded to.
MAX_DECIMALS = 4


class TargetParameterError(EvalkitError):
    """A malformed ``targets.yaml`` (or parameters given in code)."""


@dataclass(frozen=True)
class TargetParameters:
    """How next year's targets are proposed (:func:`evalkit.targets.propose.propose_targets`).

    share
        The share of the gap between a unit's current value and the reference that its
        proposed target closes, in (0, 1]; 0.5 asks for half the way in one year.
    reference
        ``median`` (default) or ``best``: the peer group's median or best value among the
        units with data for the leaf.
    decimals
        Proposed targets are rounded to this many decimals, towards the more demanding
        side (up where higher is better), so that rounding never makes a target easier
        than a bound it meets.
    """

    share: float = 0.5
    reference: str = "median"
    decimals: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.share, bool) or not isinstance(self.share, (int, float)) or not 0 < self.share <= 1:
            raise TargetParameterError(f"share: expected a number in (0, 1]; found {self.share!r}")
        if self.reference not in REFERENCES:
            raise TargetParameterError(f"reference: expected one of {', '.join(REFERENCES)}; found "
                                       f"{self.reference!r}{did_you_mean(self.reference, REFERENCES)}")
        if isinstance(self.decimals, bool) or not isinstance(self.decimals, int) or \
                not 0 <= self.decimals <= MAX_DECIMALS:
            raise TargetParameterError(f"decimals: expected a whole number from 0 to {MAX_DECIMALS}; "
                                       f"found {self.decimals!r}")
        object.__setattr__(self, "share", float(self.share))

    def describe(self) -> dict[str, Any]:
        """The parameters as plain values (for provenance and the workbook's notes)."""
        return asdict(self)


#: The documented defaults.
DEFAULT_TARGET_PARAMETERS = TargetParameters()


def target_parameters_from_dict(doc: Any, source: str = "<target parameters>") -> TargetParameters:
    """Build :class:`TargetParameters` from a parsed ``targets.yaml``; a mistake raises
    :class:`TargetParameterError` naming ``source``, the line and the key."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise TargetParameterError(f"{source}: expected a mapping with the keys share, reference, decimals; "
                                   f"found {type(doc).__name__}")
    keys = TargetParameters.__dataclass_fields__
    for key in doc:
        if key not in keys:
            raise TargetParameterError(f"{where(source, doc, key)}: expected one of the keys {', '.join(keys)}; "
                                       f"found {key!r}{did_you_mean(key, keys)}")
    try:
        return TargetParameters(**doc)
    except TargetParameterError as exc:
        key = str(exc).split(":", 1)[0]
        raise TargetParameterError(f"{where(source, doc, key)}: {exc}") from None


def load_target_parameters(path: str | Path) -> TargetParameters:
    """Read and check ``targets.yaml`` (strict YAML: duplicate keys, size and alias limits)."""
    path = Path(path)
    return target_parameters_from_dict(read_yaml(path, TargetParameterError), str(path))
