"""The statuses of a rectification item and the transitions between them, in one place.

An item starts ``open`` (待整改); the unit reports it ``in_progress`` (整改中) and ``done``
(已完成待核验); the evaluation office checks the work and marks it ``verified`` (已核验销号),
or sends it back to ``in_progress``. The office may ``cancel`` (已撤销) an item that is not
yet verified, with a reason. ``overdue`` (逾期) is judged from the due date: an item still
``open`` or ``in_progress`` after its due date is overdue at that date
(:func:`effective_status`); the office may also record it by hand, after which the unit
still reports progress and completion from it.

This mirrors the recommendation and CAPA trackers (GAO's open recommendations closed only
as implemented or not; CAPA records with a verification step and an effectiveness check):
a unit's "done" is a claim, "verified" is the office's finding.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..data.contract import RECTIFICATION_STATUSES

#: Every status code, in the order of the life of an item.
STATUSES: tuple[str, ...] = tuple(RECTIFICATION_STATUSES)

#: Allowed transitions: from a recorded status to the statuses it may change to. A status
#: "changing" to itself is no transition (a note may still be added).
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "done", "overdue", "cancelled"}),
    "in_progress": frozenset({"done", "overdue", "cancelled"}),
    "overdue": frozenset({"in_progress", "done", "cancelled"}),
    "done": frozenset({"verified", "in_progress", "cancelled"}),
    "verified": frozenset(),
    "cancelled": frozenset(),
}

#: Statuses a unit may report in its returned workbook; the others are the office's
#: (``evalkit rectify update --id``): verification, cancellation, overdue by hand.
UNIT_STATUSES = frozenset({"in_progress", "done"})

#: Statuses that need a note saying why (the verification's finding; the cancel reason).
NEEDS_NOTE = frozenset({"verified", "cancelled"})

#: Statuses that may turn overdue when the due date passes.
ACTIVE = frozenset({"open", "in_progress"})

#: Statuses after which nothing changes.
FINAL = frozenset(s for s, to in TRANSITIONS.items() if not to)

assert set(TRANSITIONS) == set(STATUSES), "every status needs its transitions"


def transition_problem(current: str, new: str, *, note: str | None = None) -> str | None:
    """Why the change from ``current`` to ``new`` is not allowed, or None when it is.

    ``note``: the text given with the change (a verification or a cancellation needs one).
    """
    if new not in TRANSITIONS:
        return f"one of {', '.join(STATUSES)}"
    if new == current:
        return None
    if new not in TRANSITIONS[current]:
        if current in FINAL:
            return f"no change: the item is already {current} ({RECTIFICATION_STATUSES[current]})"
        if new == "verified":
            return "verified only after done: the office verifies work the unit has reported done"
        allowed = ", ".join(sorted(TRANSITIONS[current]))
        return f"from {current} ({RECTIFICATION_STATUSES[current]}) one of: {allowed}"
    if new in NEEDS_NOTE and not str(note or "").strip():
        what = "why it is cancelled" if new == "cancelled" else "what was checked"
        return f"a note saying {what} when an item becomes {new} ({RECTIFICATION_STATUSES[new]})"
    return None


def effective_status(items: pd.DataFrame, as_of: dt.date | str | pd.Timestamp) -> pd.Series:
    """Each item's status at ``as_of``: the recorded ``status``, except that an ``open`` or
    ``in_progress`` item whose ``due_date`` is before ``as_of`` is ``overdue``.

    Returns a Series of status codes aligned with ``items``.
    """
    if items.empty:
        return pd.Series([], index=items.index, dtype=object)
    at = pd.Timestamp(as_of).normalize()
    status = items["status"].astype(str)
    due = pd.to_datetime(items["due_date"])
    late = status.isin(ACTIVE) & (due < at)
    return pd.Series(np.where(late, "overdue", status), index=items.index, dtype=object)
