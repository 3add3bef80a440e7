"""The submission log of the sample district (数据报送记录): when each unit's reports were due
and when they came in.

Every unit files its monthly budget execution report (``budget_lines``, period ``YYYY-MM``)
by the :data:`MONTHLY_DEADLINE_WORKDAYS`-th working day of the next month and its year-end
staffing return (``staffing``, period ``YYYY``) by the :data:`YEARLY_DEADLINE_WORKDAYS`-th
working day of the next year; each comes in 0–4 working days before its deadline. A report
the unit did not submit (its table is among :data:`~evalkit.sample.district.NOT_REPORTED`)
has no submission date. Late reports are planted by :mod:`evalkit.sample.defects`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import YearContext
from .district import NOT_REPORTED

#: A monthly report is due on this working day of the next month.
MONTHLY_DEADLINE_WORKDAYS = 5
#: A year-end return is due on this working day of the next year.
YEARLY_DEADLINE_WORKDAYS = 10


def submissions(ctx: YearContext) -> pd.DataFrame:
    """The ``submissions`` table of one year: 12 monthly budget reports and one staffing
    return per unit."""
    rng = ctx.rng("submissions")
    units = ctx.units["unit_id"].astype(str).to_numpy()
    rows = []
    month_ends = np.array([np.datetime64(f"{ctx.year}-{m:02d}", "M") + np.timedelta64(1, "M")
                           for m in range(1, 13)]).astype("datetime64[D]") - np.timedelta64(1, "D")
    monthly = ctx.calendar.add_workdays(month_ends, MONTHLY_DEADLINE_WORKDAYS)
    yearly = ctx.calendar.add_workdays(np.array([ctx.year_end]), YEARLY_DEADLINE_WORKDAYS)[0]
    not_reported = NOT_REPORTED.get(ctx.year, {})
    for unit in units:
        for table, periods, deadlines in (
                ("budget_lines", [f"{ctx.year}-{m:02d}" for m in range(1, 13)], monthly),
                ("staffing", [str(ctx.year)], np.array([yearly]))):
            early = rng.integers(0, 5, len(periods))
            submitted = ctx.calendar.add_workdays(deadlines, 0)
            submitted = np.array([ctx.calendar.add_workdays(np.array([d]), -int(e))[0] if e else d
                                  for d, e in zip(submitted, early)], dtype="datetime64[D]")
            missing = table in not_reported.get(unit, ())
            for period, deadline, date in zip(periods, deadlines, submitted):
                rows.append({"unit_id": unit, "table": table, "period": period, "deadline": deadline,
                             "submitted_date": pd.NaT if missing else date})
    frame = pd.DataFrame(rows)
    frame["deadline"] = pd.to_datetime(frame["deadline"])
    frame["submitted_date"] = pd.to_datetime(frame["submitted_date"])
    return frame
