"""Bonus, deduction and veto decisions (加减分与否决事项) of the sample district.

A handful of scripted decisions per year, so that every kind appears: 创新创优 bonus
points, a deduction after a 通报批评, a 一票否优 that bars a high-scoring unit from the top grade,
and in 2024 a 一票否决 that forces the lowest grade. Deterministic (no random draws).
"""

from __future__ import annotations

import pandas as pd

from .context import YearContext

#: (unit, kind, points, reason, month-day) per year; other years reuse the 2024 pattern.
DECISIONS: dict[int, list[tuple[str, str, float | None, str, str]]] = {
    2022: [("D10", "bonus", 1.5, "创新创优：一网通办改革案例入选全市推广", "12-10"),
           ("S02", "bonus", 1.0, "基层治理创新获市级表彰", "11-20"),
           ("D15", "deduction", 1.0, "督查事项逾期被区政府通报", "09-15")],
    2023: [("D10", "bonus", 2.0, "创新创优：政务服务“一件事”集成改革", "12-08"),
           ("S11", "bonus", 1.0, "社区事务受理服务中心获评5A", "10-30"),
           ("D02", "deduction", 1.5, "被上级部门通报批评", "06-20"),
           ("D06", "bar_top", None, "重点工作在全市条线排名倒数", "12-15")],
    2024: [("D10", "bonus", 2.0, "创新创优：政务服务“高效办成一件事”全市推广", "12-06"),
           ("S06", "bonus", 1.5, "基层治理创新案例获市级表彰", "11-18"),
           ("S11", "bonus", 4.0, "多项创新成果（加分封顶3分）", "12-12"),
           ("D12", "deduction", 1.0, "12345工单处置不力被区政府通报", "08-21"),
           ("D33", "bar_top", None, "被上级机关通报批评", "10-09"),
           ("D17", "veto", None, "发生重大责任事件", "07-03")],
}


#: The reasons of :data:`DECISIONS` in English.
REASONS_EN = {
    "创新创优：一网通办改革案例入选全市推广": "Innovation: one-stop online service reform adopted city-wide",
    "基层治理创新获市级表彰": "Community governance innovation commended by the city",
    "督查事项逾期被区政府通报": "Supervision items overdue, reprimanded by the district government",
    "创新创优：政务服务“一件事”集成改革": "Innovation: integrated \"one matter\" service reform",
    "社区事务受理服务中心获评5A": "Community service centre rated 5A",
    "被上级部门通报批评": "Reprimanded by a higher authority",
    "重点工作在全市条线排名倒数": "Key work ranked last city-wide",
    "创新创优：政务服务“高效办成一件事”全市推广": "Innovation: \"get one thing done efficiently\" service adopted city-wide",
    "基层治理创新案例获市级表彰": "Community governance innovation case commended by the city",
    "多项创新成果（加分封顶3分）": "Several innovation results (bonus capped at 3 points)",
    "12345工单处置不力被区政府通报": "Poor handling of 12345 tickets, reprimanded by the district government",
    "被上级机关通报批评": "Reprimanded by a higher authority",
    "发生重大责任事件": "A major accident for which the unit is responsible",
}


def adjustments(ctx: YearContext) -> pd.DataFrame:
    """The ``adjustments`` table of ``ctx.year``."""
    rows = DECISIONS.get(ctx.year, DECISIONS[2024])
    known = set(ctx.units["unit_id"])
    rows = [r for r in rows if r[0] in known]
    return pd.DataFrame({
        "adjustment_id": [f"AJ{ctx.year}{i + 1:03d}" for i in range(len(rows))],
        "unit_id": [r[0] for r in rows],
        "kind": [r[1] for r in rows],
        "points": pd.array([r[2] for r in rows], dtype="Float64"),
        "reason": [r[3] for r in rows],
        "reason_en": [REASONS_EN[r[3]] for r in rows],
        "decided_date": pd.to_datetime([f"{ctx.year}-{r[4]}" for r in rows]),
    })
