"""Synthetic report folders for the portal's tests and benchmark: what ``evalkit run`` would
leave after many years — per year a JSON payload per unit and the overview (layout
``evalkit.report/1``, ``docs/report-payload.md``), a small HTML page and a small real PDF
beside each, and an overdue rectification now and then — without running the renderer.

``write_synthetic_reports(root, units=50, years=10)`` is the benchmark's district (50 units ×
10 years); ``names`` puts given names on the first units (e.g. ``<script>alert(1)</script>``).
The same arguments give the same files.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from evalkit.report.render import safe_filename

GRADES = [{"name": "优秀", "name_en": "Excellent", "lower": 90.0, "role": "top"},
          {"name": "良好", "name_en": "Good", "lower": 80.0, "role": "pass"},
          {"name": "合格", "name_en": "Pass", "lower": 60.0, "role": "pass"},
          {"name": "不合格", "name_en": "Fail", "lower": 0.0, "role": "fail"}]
AREAS = [("EFF", "行政效率", "Administrative efficiency"), ("PUB", "公共服务", "Public service"),
         ("SAT", "群众满意度", "Public satisfaction"), ("REG", "市场监管", "Market and urban regulation"),
         ("OPN", "信息公开", "Information disclosure"), ("POW", "权力行使", "Exercise of power"),
         ("FIN", "财政资金使用", "Use of public funds"), ("STF", "人员配置", "Staffing"),
         ("PRJ", "重大项目推进", "Major projects"), ("QUA", "效能评价", "Qualitative evaluation")]
CLASSES = {"department": ["综合管理类", "执法监管类", "社会服务类"], "subdistrict": ["街道", "镇"]}


def tiny_pdf(title: str) -> bytes:
    """A valid one-page PDF whose document title is ``title`` (a PDF viewer shows it)."""
    hex_title = (b"\xfe\xff" + title.encode("utf-16-be")).hex().upper()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
               f"<< /Title <{hex_title}> >>".encode("ascii")]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def _grade(score: float, veto: bool, bar_top: bool) -> dict:
    if veto:
        return GRADES[-1]
    for g in GRADES:
        if score >= g["lower"]:
            return GRADES[1] if bar_top and g is GRADES[0] else g
    return GRADES[-1]


def write_synthetic_reports(root: str | Path, units: int = 50, years: int = 10, first_year: int = 2015,
                            seed: int = 7, names: dict[int, str] | None = None,
                            ids: dict[int, str] | None = None, indicators: int = 40) -> list[Path]:
    """Write ``years`` year folders of ``units`` units into ``root``; the files written.
    ``indicators`` leaf rows per unit payload make the JSON as large as a real one (the
    portal never reads them); ``names`` and ``ids`` replace the names and ids of the units
    at the given positions."""
    rng = random.Random(seed)
    root = Path(root)
    names = names or {}
    ids = [(ids or {}).get(i, f"D{i + 1:02d}" if i < units * 0.7 else f"S{i + 1:02d}") for i in range(units)]
    info = []
    for i, uid in enumerate(ids):
        group = "department" if i < units * 0.7 else "subdistrict"
        zh = names.get(i, f"{'区' if group == 'department' else ''}单位{i + 1:02d}{'局' if group == 'department' else '街道'}")
        info.append({"unit_id": uid, "name_zh": zh, "name_en": names.get(i, f"Unit {i + 1:02d}"),
                     "peer_group": group, "unit_class": CLASSES[group][i % len(CLASSES[group])],
                     "base": rng.uniform(70, 96)})
    written: list[Path] = []
    history: dict[str, list[dict]] = {u["unit_id"]: [] for u in info}
    prev: dict[str, dict] = {}
    for y in range(first_year, first_year + years):
        folder = root / str(y)
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for u in info:
            score = min(104.0, max(40.0, u["base"] + rng.gauss(0, 3)))
            veto = rng.random() < 0.02
            bar_top = not veto and rng.random() < 0.03
            areas = []
            for code, zh, en in AREAS:
                points = 10.0
                applicable = not (code == "PRJ" and u["peer_group"] == "subdistrict")
                rate = min(1.0, max(0.0, score / 100 + rng.gauss(0, 0.08))) if applicable else None
                areas.append({"code": code, "name_zh": zh, "name_en": en, "points": points if applicable else 0.0,
                              "score": None if rate is None else rate * points,
                              "points_lost": None if rate is None else (1 - rate) * points, "score_rate": rate,
                              "peer_median": 8.5, "coverage": None if rate is None else 1.0, "no_data": False,
                              "status": "data" if applicable else "not_applicable", "n": None})
            rows.append({**{k: u[k] for k in ("unit_id", "name_zh", "name_en", "peer_group", "unit_class")},
                         "score": score, "veto": veto, "bar_top": bar_top, "areas": areas,
                         "coverage": 0.62 if rng.random() < 0.04 else 0.95})
        for group in ("department", "subdistrict"):
            members = sorted((r for r in rows if r["peer_group"] == group), key=lambda r: (-round(r["score"], 2), r["unit_id"]))
            rank, last = 0, None
            for pos, r in enumerate(members, 1):
                if round(r["score"], 2) != last:
                    rank, last = pos, round(r["score"], 2)
                r["rank"], r["n_in_group"] = rank, len(members)
        overview_units = []
        for r in rows:
            uid = r["unit_id"]
            g = _grade(r["score"], r["veto"], r["bar_top"])
            before = prev.get(uid)
            history[uid].append({"year": y, "score_100": r["score"], "rank": r["rank"],
                                 "n_in_group": r["n_in_group"], "grade": g["name"]})
            low = max(1, r["rank"] - rng.randint(0, 8))
            high = min(r["n_in_group"], r["rank"] + rng.randint(0, 8))
            data = {"unit_id": uid, "name_zh": r["name_zh"], "name_en": r["name_en"], "peer_group": r["peer_group"],
                    "unit_class": r["unit_class"], "year": y, "framework_version": f"{y}.1",
                    "total_score": r["score"] * 0.9, "base_score": r["score"] * 0.9, "bonus": 0.0, "deduction": 0.0,
                    "max_score": 90.0, "score_100": r["score"], "coverage": r["coverage"], "rank": r["rank"],
                    "n_in_group": r["n_in_group"], "grade": g["name"], "grade_label": g["name"],
                    "grade_role": g["role"], "provisional": r["coverage"] < 0.7, "veto": r["veto"],
                    "bar_top": r["bar_top"], "flags": ["veto"] if r["veto"] else [],
                    "prev_score": None if before is None else before["score"],
                    "prev_rank": None if before is None else before["rank"],
                    "rank_change": None if before is None else before["rank"] - r["rank"], "other_columns": {}}
            overview_units.append(dict(data))
            adjustments = []
            if r["veto"]:
                adjustments.append({"kind": "veto", "points": None, "reason": "发生重大责任事件",
                                    "reason_en": "A major accident", "cap": None})
            if r["bar_top"]:
                adjustments.append({"kind": "bar_top", "points": None, "reason": "被上级机关通报批评",
                                    "reason_en": "Criticised by a higher authority", "cap": None})
            leaves = [{"code": f"{a[0]}{k}", "area_code": a[0], "parent": a[0], "level": 2,
                       "name_zh": f"指标{k}", "name_en": f"Indicator {k}", "kind": "quantitative",
                       "indicator": f"ind_{k}", "raw_value": rng.uniform(50, 100), "value_unit": "%",
                       "direction": 1, "target": 95.0, "points": 1.0, "score": rng.random(), "points_lost": 0.1,
                       "coverage": 1.0, "no_data": False, "status": "data", "na_reason": None,
                       "na_reason_en": None, "n": rng.randint(3, 900), "rule": "线性插值"}
                      for k, a in zip(range(indicators), AREAS * (indicators // len(AREAS) + 1))]
            payload = {"schema": "evalkit.report/1", "kind": "unit", "unit_id": uid, "year": y, "language": "zh",
                       "framework": {"code": "SYN", "version": f"{y}.1", "sha256": "0" * 64},
                       "data": {**data, "rank_interval": {"rank_low": low, "rank_high": high, "rank_median": float(r["rank"]),
                                                          "n_scenarios": 1000,
                                                          "other_columns": {"wide": high - low > 8, "rank_band": "",
                                                                            "p_top": 0.1, "p_middle": 0.2, "p_bottom": 0.7}},
                                "areas": r["areas"], "indicators": leaves, "adjustments": adjustments,
                                "history": list(history[uid])},
                       "document": {"type": "document", "title": f"{y}年度 {r['name_zh']} 政府效能评估报告"},
                       "sections": []}
            stem = safe_filename(uid)
            for suffix, content in (("json", (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")),
                                    ("html", f"<!DOCTYPE html><meta charset=utf-8><title>{y} {uid}</title>"
                                             f"<h1>{y} {uid}</h1>".encode("utf-8")),
                                    ("pdf", tiny_pdf(f"{y} {uid} report"))):
                path = folder / f"{stem}.{suffix}"
                path.write_bytes(content)
                written.append(path)
            prev[uid] = r
        overview = {"schema": "evalkit.report/1", "kind": "overview", "unit_id": None, "year": y, "language": "zh",
                    "framework": {"code": "SYN", "version": f"{y}.1", "sha256": "0" * 64},
                    "data": {"year": y, "framework_version": f"{y}.1", "grades": GRADES,
                             "units": sorted(overview_units, key=lambda d: (d["peer_group"], d["rank"], d["unit_id"]))},
                    "document": {"type": "document", "title": f"{y}年度政府效能评估总览"}, "sections": []}
        for suffix, content in (("json", (json.dumps(overview, ensure_ascii=False, indent=2) + "\n").encode("utf-8")),
                                ("html", f"<!DOCTYPE html><meta charset=utf-8><title>{y}</title>".encode("utf-8")),
                                ("pdf", tiny_pdf(f"{y} overview"))):
            path = folder / f"overview.{suffix}"
            path.write_bytes(content)
            written.append(path)
        overdue = [r["unit_id"] for r in rows if rng.random() < 0.05]
        if overdue:
            import pandas as pd

            results = folder / "results"
            results.mkdir(exist_ok=True)
            table = pd.DataFrame({"unit_id": overdue, "source": ["audit"] * len(overdue),
                                  "owner": ["科室负责人"] * len(overdue),
                                  "deadline": [f"{y}-06-30"] * len(overdue), "state": ["overdue"] * len(overdue)})
            table.to_parquet(results / "rectifications.parquet", index=False)
            written.append(results / "rectifications.parquet")
    return written
