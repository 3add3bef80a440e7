"""The fictional 示例区 (Sample District): its units and their latent traits.

35 district government departments (部门) in three classes and 13 sub-districts/towns
(12 街道 + 1 镇). All names are invented; none is a real Xuhui 街道.

Each unit has a latent *quality* ``z`` (about standard normal, higher is better): it moves
every rate of the unit in the same direction, so units differ consistently across
indicators, and it drifts a little from year to year. Most units sit near the top with
near-ties; the units in :data:`POOR_PERFORMERS` are deliberately weak.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .spec import DISTRICT, child_rng

# Columns of UNIT_ROWS: unit_id, name_zh, name_en, unit_class, service-case weight,
# hotline weight, grid weight, disclosure-request weight, legal-case weight.
# Weights are relative volumes (0 = the unit has no such records).
UNIT_ROWS: tuple[tuple, ...] = (
    # 综合管理类 (10)
    ("D01", "区政府办公室", "District Government Office", "综合管理类", 0, 0.3, 0, 1.0, 0.3),
    ("D02", "区发展改革委", "District Development and Reform Commission", "综合管理类", 1.0, 0.5, 0, 1.5, 0.3),
    ("D03", "区科委", "District Science and Technology Commission", "综合管理类", 1.2, 0.4, 0, 0.6, 0.1),
    ("D04", "区商务委", "District Commerce Commission", "综合管理类", 2.0, 1.0, 0, 0.8, 0.3),
    ("D05", "区财政局", "District Finance Bureau", "综合管理类", 1.0, 0.5, 0, 1.2, 0.2),
    ("D06", "区审计局", "District Audit Bureau", "综合管理类", 0, 0.1, 0, 0.3, 0.05),
    ("D07", "区统计局", "District Statistics Bureau", "综合管理类", 0, 0.1, 0, 0.3, 0.05),
    ("D08", "区国资委", "District State-owned Assets Supervision Commission", "综合管理类", 0, 0.3, 0, 0.5, 0.1),
    ("D09", "区机管局", "District Government Offices Administration", "综合管理类", 0, 0, 0, 0.2, 0),
    ("D10", "区政务服务办", "District Administrative Service Office", "综合管理类", 3.0, 0.8, 0, 0.6, 0.2),
    # 执法监管类 (12)
    ("D11", "区市场监管局", "District Market Regulation Bureau", "执法监管类", 12.0, 12.0, 0, 3.0, 20),
    ("D12", "区城管执法局", "District Urban Management and Law Enforcement Bureau", "执法监管类", 1.0, 14.0, 0.6, 2.5, 25),
    ("D13", "区生态环境局", "District Ecology and Environment Bureau", "执法监管类", 2.0, 4.0, 0.15, 2.0, 5),
    ("D14", "区应急管理局", "District Emergency Management Bureau", "执法监管类", 1.0, 2.0, 0, 1.0, 4),
    ("D15", "区规划资源局", "District Planning and Natural Resources Bureau", "执法监管类", 4.0, 3.0, 0, 12.0, 8),
    ("D16", "区建设管理委", "District Construction and Transport Commission", "执法监管类", 4.0, 8.0, 0.3, 6.0, 6),
    ("D17", "区房管局", "District Housing Administration Bureau", "执法监管类", 6.0, 16.0, 0.2, 11.0, 15),
    ("D18", "区绿化市容局", "District Greening and City Appearance Bureau", "执法监管类", 1.0, 9.0, 0.6, 1.5, 6),
    ("D19", "区公安分局", "District Public Security Sub-bureau", "执法监管类", 10.0, 12.0, 0, 3.0, 12),
    ("D20", "区水务局", "District Water Affairs Bureau", "执法监管类", 1.0, 3.0, 0.2, 0.8, 3),
    ("D21", "区司法局", "District Justice Bureau", "执法监管类", 1.5, 1.0, 0, 0.8, 3),
    ("D22", "区人防办", "District Civil Air Defence Office", "执法监管类", 0, 0.3, 0, 0.4, 1),
    # 社会服务类 (13)
    ("D23", "区教育局", "District Education Bureau", "社会服务类", 3.0, 6.0, 0, 2.5, 2),
    ("D24", "区民政局", "District Civil Affairs Bureau", "社会服务类", 6.0, 3.0, 0, 1.5, 3),
    ("D25", "区卫生健康委", "District Health Commission", "社会服务类", 5.0, 5.0, 0, 1.8, 3),
    ("D26", "区人力资源社会保障局", "District Human Resources and Social Security Bureau", "社会服务类", 10.0, 5.0, 0, 1.5, 5),
    ("D27", "区文化旅游局", "District Culture and Tourism Bureau", "社会服务类", 2.0, 1.5, 0, 0.6, 1),
    ("D28", "区体育局", "District Sports Bureau", "社会服务类", 0, 0.5, 0, 0.3, 0.3),
    ("D29", "区退役军人事务局", "District Veterans Affairs Bureau", "社会服务类", 1.0, 0.6, 0, 0.4, 0.5),
    ("D30", "区医疗保障局", "District Healthcare Security Bureau", "社会服务类", 8.0, 2.0, 0, 0.6, 1),
    ("D31", "区民族宗教事务办", "District Ethnic and Religious Affairs Office", "社会服务类", 0, 0.1, 0, 0.2, 0.1),
    ("D32", "区残疾人联合会", "District Disabled Persons' Federation", "社会服务类", 1.5, 0.5, 0, 0.3, 0.1),
    ("D33", "区红十字会", "District Red Cross Society", "社会服务类", 0, 0.1, 0, 0.2, 0),
    ("D34", "区老龄工作办", "District Office on Ageing", "社会服务类", 0, 0.4, 0, 0.2, 0.1),
    ("D35", "区合作交流办", "District Cooperation and Exchange Office", "社会服务类", 0, 0.1, 0, 0.2, 0),
    # 街镇 (12 街道 + 1 镇)
    ("S01", "青枫路街道", "Qingfeng Road Subdistrict", "街道", 24.0, 14.0, 1.1, 0.3, 2),
    ("S02", "云溪街道", "Yunxi Subdistrict", "街道", 22.0, 11.0, 0.9, 0.2, 1),
    ("S03", "望月街道", "Wangyue Subdistrict", "街道", 26.0, 16.0, 1.3, 0.3, 2),
    ("S04", "柳岸街道", "Liu'an Subdistrict", "街道", 22.0, 9.0, 0.8, 0.2, 1),
    ("S05", "兰亭路街道", "Lanting Road Subdistrict", "街道", 23.0, 12.0, 1.0, 0.2, 1),
    ("S06", "星河街道", "Xinghe Subdistrict", "街道", 28.0, 17.0, 1.4, 0.4, 2),
    ("S07", "书院街道", "Shuyuan Subdistrict", "街道", 22.0, 10.0, 0.9, 0.2, 1),
    ("S08", "银杏街道", "Yinxing Subdistrict", "街道", 25.0, 13.0, 1.2, 0.3, 2),
    ("S09", "晨光街道", "Chenguang Subdistrict", "街道", 22.0, 12.0, 1.1, 0.2, 1),
    ("S10", "清溪街道", "Qingxi Subdistrict", "街道", 21.0, 8.0, 0.7, 0.2, 1),
    ("S11", "翠微街道", "Cuiwei Subdistrict", "街道", 24.0, 13.0, 1.0, 0.3, 1),
    ("S12", "临江街道", "Linjiang Subdistrict", "街道", 27.0, 15.0, 1.2, 0.3, 2),
    ("S13", "南湖镇", "Nanhu Town", "镇", 22.0, 11.0, 1.3, 0.4, 2),
)

_WEIGHT_COLUMNS = ("w_service", "w_hotline", "w_grid", "w_disclosure", "w_legal")

#: The department that never receives a 12345 ticket (a "无应办结工单" unit).
NO_TICKET_UNIT = "D09"

#: Deliberately weak units and why; their latent quality is set low.
POOR_PERFORMERS: dict[str, str] = {
    "D17": "12345 on-time rate ≈ 80–88 % and low callback satisfaction",
    "S09": "grid on-time rate ≈ 80–88 %",
    "D22": "year-end budget execution lags (≈ 83–88 %)",
}
#: The department with the poor 12345 on-time rate and the sub-district with the poor grid
#: on-time rate (both among :data:`POOR_PERFORMERS`).
POOR_HOTLINE_UNIT, POOR_GRID_UNIT = "D17", "S09"
#: Fixed latent quality of the poor performers.
_POOR_QUALITY = {"D17": -2.0, "S09": -1.8, "D22": -1.5}
#: Units whose hotline on-time rate is weaker than their quality alone gives (≈ 92–96 %).
WEAK_HOTLINE_UNITS = ("D12", "S04")
#: Units whose year-end budget execution lags.
BUDGET_LAGGARDS = ("D22", "S05")
#: The unit whose staff in post exceeds its authorised posts.
OVERSTAFFED_UNIT = "D24"
#: Tables a unit did not submit (未报送) in a year: its indicators from them have no data,
#: the framework's missing-data policy applies, and with too little of its points resting on
#: data the unit's grade and rank are provisional.
NOT_REPORTED: dict[int, dict[str, tuple[str, ...]]] = {2024: {"D34": ("budget_lines", "staffing")}}

#: Standard deviation of the year-to-year drift of the latent quality.
QUALITY_DRIFT_SD = 0.3


def units_table() -> pd.DataFrame:
    """The ``units`` table (contract columns only), sorted by ``unit_id``."""
    frame = pd.DataFrame(
        [row[:4] for row in UNIT_ROWS], columns=["unit_id", "name_zh", "name_en", "unit_class"])
    frame["peer_group"] = np.where(frame["unit_id"].str.startswith("D"), "department", "subdistrict")
    return frame[["unit_id", "name_zh", "name_en", "peer_group", "unit_class"]]


def unit_profiles(seed: int) -> pd.DataFrame:
    """Units with their district-wide traits.

    Returns
    -------
    DataFrame
        One row per unit in ``unit_id`` order: the ``units`` columns plus the volume
        weights ``w_service``, ``w_hotline``, ``w_grid``, ``w_disclosure``, ``w_legal``,
        ``quality_base`` (latent quality), ``size`` (relative head count, 0.5–3) and
        ``unit_no`` (1–35 for departments, 51–63 for sub-districts).
    """
    rng = child_rng(seed, DISTRICT, "unit_profiles")
    frame = units_table()
    weights = pd.DataFrame([row[4:] for row in UNIT_ROWS], columns=list(_WEIGHT_COLUMNS))
    frame = pd.concat([frame, weights.astype("float64")], axis=1)
    n = len(frame)
    quality = rng.normal(0.0, 1.0, n)
    for unit_id, value in _POOR_QUALITY.items():
        quality[frame.index[frame["unit_id"] == unit_id][0]] = value
    # other units are never worse than the designated poor performers
    others = ~frame["unit_id"].isin(list(_POOR_QUALITY)).to_numpy()
    quality[others] = np.maximum(quality[others], -1.4)
    frame["quality_base"] = quality
    is_sub = (frame["peer_group"] == "subdistrict").to_numpy()
    frame["size"] = np.where(is_sub, rng.uniform(1.6, 2.6, n), rng.lognormal(0.0, 0.45, n).clip(0.5, 3.0))
    number = frame["unit_id"].str[1:].astype(int).to_numpy()
    frame["unit_no"] = np.where(is_sub, 50 + number, number)
    return frame


def year_quality(profiles: pd.DataFrame, seed: int, year: int) -> np.ndarray:
    """Latent quality of every unit in ``year``: the base plus a yearly drift.

    The drift is drawn from the year's own stream, so a year's quality does not depend on
    which other years are generated. Poor performers keep their fixed quality (± 0.1).
    """
    rng = child_rng(seed, year, "quality_drift")
    drift = rng.normal(0.0, QUALITY_DRIFT_SD, len(profiles))
    poor = profiles["unit_id"].isin(list(_POOR_QUALITY)).to_numpy()
    drift[poor] = np.clip(drift[poor], -0.1, 0.1)
    return profiles["quality_base"].to_numpy() + drift
