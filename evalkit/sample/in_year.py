"""In-year problems planted in the sample district, for the early warnings (issue 14, item 2).

Each :class:`PlantedInYearProblem` names the unit, the year, the table changed, the indicator
whose monthly series shows it, the month it starts and what was done; ``evalkit monitor``
must warn for it (``tests/monitor/test_monitor_command.py``). They are planted inside the
generators by changing a probability or a spending profile, never the random draws, so that
no other unit's records change:

* ``late_from_month``: from the month on, the unit's 12345 tickets are closed late with the
  probability :data:`LATE_SHARE` instead of its usual ≈ 1 % (:func:`hotline_late_share`);
* ``deferred_spending``: from the month on and up to October the unit spends
  :data:`DEFERRED_PACE` of its planned monthly amounts on every budget line and catches up in
  November and December (:func:`budget_profile`): cumulative execution falls behind 序时进度
  by more than 10 percentage points from May, while its year-end execution is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DEFERRED_PACE", "LATE_SHARE", "PLANTED_IN_YEAR", "PlantedInYearProblem", "budget_profile",
           "hotline_late_share"]


@dataclass(frozen=True)
class PlantedInYearProblem:
    """From ``from_month`` of ``year``, ``unit_id``'s ``table`` changes as ``what`` says and
    the monthly series of ``indicator`` shows it."""

    unit_id: str
    year: int
    table: str
    indicator: str
    from_month: int
    kind: str
    what_en: str
    what_zh: str


#: Share of the planted unit's 12345 tickets closed late from the month on.
LATE_SHARE = 0.15
#: Share of the planned monthly spending the planted unit spends from the month to October.
DEFERRED_PACE = 0.55
#: The last month of deferred spending; November and December catch up.
_DEFERRED_UNTIL = 10

#: The in-year problems planted in the sample (units free of planted data-quality defects).
PLANTED_IN_YEAR: tuple[PlantedInYearProblem, ...] = (
    PlantedInYearProblem("S06", 2024, "hotline_tickets", "hotline_on_time_rate", 7, "late_from_month",
                         "from July about 15 % of its 12345 tickets are closed after their deadline "
                         "(on-time rate ≈ 99 % before)",
                         "自7月起约15%的12345工单超期办结(此前按时办结率约99%)"),
    PlantedInYearProblem("D16", 2024, "budget_lines", "budget_execution_path", 3, "deferred_spending",
                         "from March to October it spends 55 % of its planned monthly amounts and catches up in "
                         "November and December (cumulative execution > 10 points behind 序时进度 from May)",
                         "3—10月支出仅为计划的55%，11—12月集中补支(自5月起累计执行落后序时进度10个百分点以上)"),
)


def _planted(year: int, kind: str) -> list[PlantedInYearProblem]:
    return [p for p in PLANTED_IN_YEAR if p.year == year and p.kind == kind]


def hotline_late_share(year: int, unit_ids: np.ndarray, months: np.ndarray, late_share: np.ndarray) -> np.ndarray:
    """The probability that each ticket is closed late: ``late_share`` (one a ticket), raised
    to :data:`LATE_SHARE` for the tickets of a ``late_from_month`` unit dispatched from its
    month on (``months``: the month of dispatch, 1–12)."""
    out = np.asarray(late_share, dtype=float).copy()
    for p in _planted(year, "late_from_month"):
        hit = (np.asarray(unit_ids) == p.unit_id) & (np.asarray(months) >= p.from_month)
        out[hit] = np.maximum(out[hit], LATE_SHARE)
    return out


def budget_profile(year: int, unit_ids: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """The monthly spending profile (``(unit, 12)``, relative) with a ``deferred_spending``
    unit's months from its month to October cut to :data:`DEFERRED_PACE` and the amount cut
    spent in November and December, half each (the profile's sum, hence the year's
    spending, is unchanged)."""
    out = np.asarray(profile, dtype=float).copy()
    for p in _planted(year, "deferred_spending"):
        row = np.asarray(unit_ids) == p.unit_id
        months = slice(p.from_month - 1, _DEFERRED_UNTIL)
        cut = out[row, months] * (1.0 - DEFERRED_PACE)
        out[row, months] -= cut
        out[row, _DEFERRED_UNTIL:] += cut.sum(axis=1, keepdims=True) / (12 - _DEFERRED_UNTIL)
    return out
