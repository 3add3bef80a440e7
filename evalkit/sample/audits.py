"""The sample district's inspection audits (抽查核验): one audit a year of a department's
service cases, drawn with :func:`evalkit.quality.audit.draw_audit_sample` as
``evalkit audit sample`` draws it, with two records found wrong."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..data.contract import TABLES
from ..data.dataset import empty_frame
from ..quality.audit import AUDIT_TABLE, AuditSample, ReturnedAudit, audit_outcomes, draw_audit_sample

#: The audited unit, the sample size and the records (item numbers) found wrong.
AUDITED_UNIT = "D10"
AUDIT_SIZE = 20
WRONG_ITEMS = {4: "办结日期与办件材料不符", 13: "承诺时限与办事指南不符"}


def verification_audits(service_cases: pd.DataFrame, year: int) -> pd.DataFrame:
    """The ``verification_audits`` table of ``year``: 20 of D10's service cases (seed =
    the year), drawn on 15 January of the next year, recorded ten days later."""
    population = int((service_cases["unit_id"].astype(str) == AUDITED_UNIT).sum())
    if population == 0:  # a tiny sample (--cases) may give the unit none
        return empty_frame(TABLES[AUDIT_TABLE])
    sample: AuditSample = draw_audit_sample(service_cases, "service_cases", year=year, unit_id=AUDITED_UNIT,
                                            n=min(AUDIT_SIZE, population), seed=year,
                                            drawn_date=dt.date(year + 1, 1, 15))
    items = sample.records["item"].tolist()
    outcomes = pd.DataFrame({"item": items, "record_key": sample.records["record_key"],
                             "verified": [i not in WRONG_ITEMS for i in items],
                             "note": [WRONG_ITEMS.get(i) for i in items], "row": [i + 1 for i in items]})
    returned = ReturnedAudit(audit_id=sample.audit_id, year=sample.year, unit_id=sample.unit_id,
                             table=sample.table, seed=sample.seed, sample_size=sample.sample_size,
                             population=sample.population, drawn_date=sample.drawn_date, outcomes=outcomes)
    frame = audit_outcomes(returned, auditor="效能办核验组", recorded_date=dt.date(year + 1, 1, 25))
    return frame.sort_values(["audit_id", "record_key"], ignore_index=True)
