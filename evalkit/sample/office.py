"""Office-automation records (``oa_documents``, 办公自动化公文办理) for duty performance (岗位履职).

Every unit handles a few hundred documents a year (≈ 175–450, by its size): 收文 most, then
发文, 督办 and 会议纪要落实. Each is received in office hours on a working day, assigned to
a post (科员 about half, 科长/副科长 a third, 分管领导 a tenth, 主要领导 a few %) within the
day as a rule, and closed within its time limit (3–30 working days by kind) as a rule; a
unit's share of late documents (≈ 1–10 %) shrinks with its quality. Work not finished on
the extraction day (the first working day of the next year) is left open, and a few
documents are never closed (stalled), so every unit has some overdue backlog now and then.
:data:`SMALL_POST_UNIT`'s 主要领导 handles only :data:`SMALL_POST_DOCUMENTS` documents a
year: a post type below the anonymity floor, whose per-post figures are suppressed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.contract import OA_DOCUMENT_KINDS, OA_POST_TYPES
from .calendar import WORKDAY_SECONDS
from .columns import choose, dates, deficit_rate, labels, sequential_ids
from .context import YearContext

NAT = np.datetime64("NaT")

POST_CODES = tuple(OA_POST_TYPES)
#: Share of documents handled at each post type (科员, 副科长, 科长, 分管领导, 主要领导, 其他岗位).
POST_SHARE = (0.52, 0.12, 0.21, 0.10, 0.035, 0.015)
KIND_CODES = tuple(OA_DOCUMENT_KINDS)
#: Share of each kind (收文, 发文, 督办, 会议纪要落实, 其他).
KIND_SHARE = (0.55, 0.20, 0.12, 0.10, 0.03)
#: Time limits (working days) a document of each kind may carry.
KIND_LIMITS = ((3, 5, 7, 10, 15), (5, 10), (5, 10, 15, 20), (10, 15, 20, 30), (5, 10))
#: Documents per unit and year: base + per unit of size (size 0.5–3).
DOCS_BASE, DOCS_PER_SIZE = 120, 110
#: Share of documents never closed (stalled).
STALLED_SHARE = 0.004
#: The unit whose 主要领导 handles only a couple of documents a year (below the anonymity
#: floor of 3), and how many.
SMALL_POST_UNIT, SMALL_POST = "D33", "head"
SMALL_POST_DOCUMENTS = 2


def oa_documents(ctx: YearContext) -> pd.DataFrame:
    """The ``oa_documents`` table of one year, sorted by receipt time (and so by ``doc_id``)."""
    rng = ctx.rng("oa_documents")
    cal = ctx.calendar
    u = ctx.units
    nu = len(u)
    q = u["quality"].to_numpy()
    counts = rng.poisson(DOCS_BASE + DOCS_PER_SIZE * u["size"].to_numpy())
    late_share = deficit_rate(rng, q, 0.03, 0.6, 0.35, floor=0.005, cap=0.12)

    n = int(counts.sum())
    unit = np.repeat(np.arange(nu), counts)
    days = ctx.workdays()
    received = cal.work_second_of_day_start(days[rng.integers(0, len(days), n)]) \
        + rng.integers(0, WORKDAY_SECONDS, n)
    order = np.argsort(received, kind="stable")
    received, unit = received[order], unit[order]

    post = choose(rng, POST_SHARE, n)
    small = np.flatnonzero(unit == int(np.flatnonzero(u["unit_id"].to_numpy() == SMALL_POST_UNIT)[0]))
    head = POST_CODES.index(SMALL_POST)
    post[small] = np.where(post[small] == head, 0, post[small])
    post[rng.choice(small, SMALL_POST_DOCUMENTS, replace=False)] = head

    kind = choose(rng, KIND_SHARE, n)
    limit = np.zeros(n, dtype=np.int64)
    for k, options in enumerate(KIND_LIMITS):
        at = kind == k
        limit[at] = rng.choice(options, size=int(at.sum()))

    # assigned within the working day as a rule (a 发文 is drafted at its post: no 分办)
    assigned = received + (rng.uniform(0.02, 1.0, n) * WORKDAY_SECONDS * 0.6).astype(np.int64)
    no_assign = (kind == KIND_CODES.index("outgoing")) | (rng.random(n) < 0.02)
    # on time: 10–95 % of the limit in working time (never past the limit-th working day)
    on_time = received + (rng.uniform(0.10, 0.95, n) * limit * WORKDAY_SECONDS).astype(np.int64)
    late = rng.random(n) < late_share[unit]
    overdue = received + (limit + rng.integers(1, 11, n)) * WORKDAY_SECONDS \
        + rng.integers(0, WORKDAY_SECONDS, n)
    closed = np.where(late, overdue, on_time)
    closed = np.maximum(closed, np.where(no_assign, received, assigned) + 600)
    closed_at = cal.to_datetime(closed)
    closed_at = ctx.known(np.where(rng.random(n) < STALLED_SHARE, NAT, closed_at))

    return pd.DataFrame({
        "doc_id": sequential_ids(f"OA{ctx.year}", n, 6),
        "unit_id": labels(unit, u["unit_id"]),
        "post_type": labels(post, POST_CODES),
        "kind": labels(kind, KIND_CODES),
        "received_at": dates(cal.to_datetime(received)),
        "assigned_at": dates(np.where(no_assign, NAT, cal.to_datetime(assigned))),
        "closed_at": dates(closed_at),
        "limit_days": limit,
    })
