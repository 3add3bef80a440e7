"""Which framework leaves take a unit's own target (效能目标), and the bounds such a target has.

Shared by the proposal (:mod:`evalkit.targets.propose`) and the check of the agreed file
(:mod:`evalkit.targets.agreed`), so that what is proposed and what is accepted follow one
definition:

* a leaf takes a target when its rule scores against one
  (:data:`evalkit.scoring.rules.TARGET_RULE_TYPES`: ``threshold_deduct``, ``binary``,
  ``linear_band``, ``goalposts``) and its policy target leaves room to be more demanding
  (a higher-is-better rate whose policy target is already 100 % takes none);
* the **policy target** of a leaf is the more demanding of its ``target`` and the value at
  which its rule gives full marks (for a band, its full-marks end): a unit's target is
  never easier than either;
* the **range** of an indicator is 0–100 for a percentage or a 0–100 score (unit ``%`` or
  ``分``), else 0 and up (counts, days and amounts are never negative).
"""

from __future__ import annotations

import math

from ..indicators.catalogue import BY_CODE
from ..scoring.framework import Framework, Node
from ..scoring.rules import TARGET_RULE_TYPES, full_marks_end

__all__ = ["BOUNDED_UNITS", "direction_of", "is_target_leaf", "more_demanding", "policy_target",
           "target_leaves", "unit_of", "value_range"]

#: Units of measure whose values lie in 0–100 (percentages and 0–100 scores).
BOUNDED_UNITS = ("%", "分")


def direction_of(node: Node) -> int:
    """+1 when a higher value of the leaf is better, −1 when lower is (the leaf's own
    ``direction``, else its indicator's)."""
    return int(node.direction or BY_CODE[node.indicator].direction)


def unit_of(node: Node) -> str:
    """The leaf's unit of measure (its own, else its indicator's)."""
    return node.unit if node.unit is not None else BY_CODE[node.indicator].unit


def value_range(unit: str) -> tuple[float, float]:
    """``(lowest, highest)`` value an indicator in ``unit`` can take: 0–100 for
    :data:`BOUNDED_UNITS`, else 0 to infinity."""
    return (0.0, 100.0) if unit in BOUNDED_UNITS else (0.0, math.inf)


def more_demanding(a: float, b: float, direction: int) -> float:
    """The more demanding of two targets: the higher where higher is better, else the lower."""
    return max(a, b) if direction > 0 else min(a, b)


def policy_target(node: Node) -> float | None:
    """The leaf's policy target: the more demanding of its ``target`` and its rule's
    full-marks value (:func:`evalkit.scoring.rules.full_marks_end`); None when it has neither."""
    d = direction_of(node)
    values = [float(x) for x in (node.target, full_marks_end(node.rule, node.target, d)) if x is not None]
    if not values:
        return None
    out = values[0]
    for x in values[1:]:
        out = more_demanding(out, x, d)
    return out


def is_target_leaf(node: Node) -> bool:
    """Whether a unit's own target can replace the leaf's (see the module docstring)."""
    if not node.is_leaf or node.rule is None or getattr(node.rule, "type", "") not in TARGET_RULE_TYPES:
        return False
    p = policy_target(node)
    if p is None:
        return False
    low, high = value_range(unit_of(node))
    return p < high if direction_of(node) > 0 else p > low


def target_leaves(framework: Framework) -> list[Node]:
    """The framework's leaves that take a unit's own target, in document order."""
    return [n for n in framework.leaves() if is_target_leaf(n)]
