"""Read the reports' JSON payloads of every year in a reports folder and turn them into the
portal's site model (pure functions: files in, dicts out).

What is read, and nothing else:

* ``<year>/*.json`` — the report payloads (``schema`` ``evalkit.report/1``, see
  ``docs/report-payload.md``): of each, only the ``data`` object, and of that only the
  fields listed in :data:`UNIT_FIELDS`, :data:`AREA_FIELDS` and :data:`ADJUSTMENT_FIELDS`
  (a unit's score, grade, rank, flags, areas and decisions). The display blocks, the
  indicator rows and anything about raters are never read, so the portal cannot show
  rater-level data, and it shows the same numbers as the reports.
* ``<year>/results/rectifications.parquet`` when present — of it only ``unit_id``,
  ``source``, ``deadline`` and ``state``, for the overdue items (``state == "overdue"``)
  that the unit reports list under 整改事项跟踪.
* Whether ``<stem>.html`` and ``<stem>.pdf`` exist beside each payload (the links).

A unit's record of a year is its own report's ``data`` (what its HTML and PDF show), or,
without a unit report, its row of ``overview.json``; a year's league tables hold the units
of its overview (every unit with a report when there is no overview). Scores are formatted
here, in Python, exactly as the reports print them (:func:`evalkit.report.present.fmt_score`),
so that the portal's script never rounds a number itself.
"""

from __future__ import annotations

import contextlib
import json
import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from evalkit.data.files import held_lock
from evalkit.errors import EvalkitError
from evalkit.portal.messages import LANGUAGES, label, msg

#: The payload layout the portal reads (``evalkit.report.payload.SCHEMA``).
SCHEMA = "evalkit.report/1"
#: A year folder of a reports folder.
YEAR_DIR = re.compile(r"\d{4}")
#: The lock file of a year folder (:data:`evalkit.run.LOCK_FILE`; a test keeps them equal):
#: the portal reads a year while holding it shared, so it never reads a year half-rendered.
YEAR_LOCK = ".evalkit.lock"

#: The unit fields of a payload's ``data`` the portal reads.
UNIT_FIELDS = ("unit_id", "name_zh", "name_en", "peer_group", "unit_class", "score_100", "rank",
               "n_in_group", "grade", "grade_role", "coverage", "provisional", "veto", "bar_top",
               "prev_score", "prev_rank", "rank_change")
#: The fields of each ``data.areas[]`` entry it reads.
AREA_FIELDS = ("code", "name_zh", "name_en", "points", "score", "score_rate", "status", "no_data")
#: The fields of each ``data.adjustments[]`` entry it reads.
ADJUSTMENT_FIELDS = ("kind", "reason", "reason_en")
#: Grade styles (colours of the reports' CSS), by a band's role and position.
GRADE_STYLES = ("excellent", "good", "pass", "fail")


@dataclass
class UnitReport:
    """One unit's report of one year: its file stem, the fields read and its links."""

    unit_id: str
    stem: str
    data: dict
    links: dict = field(default_factory=dict)        # "html"/"pdf" → path from the site root


@dataclass
class YearReports:
    """What one year folder holds, as far as the portal reads it."""

    year: int
    overview: dict | None = None                      # overview data: "grades", "units"
    overview_links: dict = field(default_factory=dict)
    units: dict[str, UnitReport] = field(default_factory=dict)
    rectifications: list[dict] = field(default_factory=list)   # overdue items
    unit_links: dict[str, dict] = field(default_factory=dict)  # unit id → links, for every unit


# ----------------------------------------------------------------------------------------
# Reading a reports folder
# ----------------------------------------------------------------------------------------

def year_folders(reports_dir: str | Path) -> list[Path]:
    """The year folders of ``reports_dir`` (named by four digits) that hold at least one
    report payload, oldest first."""
    root = Path(reports_dir)
    if not root.is_dir():
        return []
    return [p for p in sorted(root.iterdir()) if p.is_dir() and YEAR_DIR.fullmatch(p.name)
            and any(q.name != "manifest.json" for q in p.glob("*.json"))]


def year_lock(year_dir: Path) -> contextlib.AbstractContextManager[None]:
    """Hold ``year_dir``'s lock shared while it is read (as ``evalkit verify`` does): a run
    rendering that year is waited for. A folder that cannot be locked (read-only, no
    ``fcntl``) is read as it is."""
    return held_lock(year_dir / YEAR_LOCK, shared=True, unlockable_ok=True,
                     busy=f"{year_dir} is in use by another evalkit command; waiting for it to finish …")


def _pick(mapping: Mapping[str, Any], names: tuple[str, ...]) -> dict:
    return {name: mapping.get(name) for name in names}


def _unit_fields(data: Mapping[str, Any]) -> dict:
    rec = _pick(data, UNIT_FIELDS)
    rec["unit_id"] = str(rec["unit_id"])
    interval = data.get("rank_interval")
    if isinstance(interval, Mapping):
        other = interval.get("other_columns") or {}
        rec["rank_interval"] = {"rank_low": interval.get("rank_low"), "rank_high": interval.get("rank_high"),
                                "wide": other.get("wide"), "rank_band": other.get("rank_band"),
                                **{f"p_{b}": other.get(f"p_{b}") for b in ("top", "middle", "bottom")}}
    else:
        rec["rank_interval"] = None
    rec["areas"] = [_pick(a, AREA_FIELDS) for a in data.get("areas") or [] if isinstance(a, Mapping)]
    rec["adjustments"] = [_pick(a, ADJUSTMENT_FIELDS) for a in data.get("adjustments") or []
                          if isinstance(a, Mapping)]
    return rec


def _links(year_dir: Path, stem: str) -> dict:
    return {fmt: f"{year_dir.name}/{stem}.{fmt}" for fmt in ("html", "pdf")
            if (year_dir / f"{stem}.{fmt}").is_file()}


def _load(path: Path) -> dict | None:
    """The payload in ``path``; None for a JSON file that is not a report payload."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EvalkitError(f"{path}: not a readable report JSON ({exc})") from None
    if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("evalkit.report/"):
        return None
    if doc["schema"] != SCHEMA:
        raise EvalkitError(f"{path}: a report JSON of layout {doc['schema']!r}; this evalkit reads "
                           f"{SCHEMA!r} — run `evalkit run --force` to render the reports again")
    if doc.get("kind") not in ("unit", "overview") or not isinstance(doc.get("data"), dict):
        raise EvalkitError(f"{path}: a report JSON without its kind or its data object")
    return doc


def _overdue_rectifications(year_dir: Path) -> list[dict]:
    path = year_dir / "results" / "rectifications.parquet"
    if not path.is_file():
        return []
    import pandas as pd

    columns = ["unit_id", "source", "deadline", "state"]
    try:
        table = pd.read_parquet(path, columns=columns)
    except Exception:  # a table of another layout: no rectifications shown
        return []
    rows = table[table["state"].astype(str) == "overdue"]
    return [{"id": str(r.unit_id), "source": str(r.source),
             "deadline": "" if r.deadline is None or str(r.deadline) in ("NaT", "nan", "None")
             else str(r.deadline)[:10]}
            for r in rows.itertuples(index=False)]


def read_year(year_dir: str | Path) -> YearReports:
    """The payloads (their fields the portal reads), links and overdue rectifications of one
    year folder. :class:`EvalkitError` for an unreadable payload, a payload of another year
    or two payloads of one unit."""
    from evalkit.report.render import safe_filename

    year_dir = Path(year_dir)
    year = int(year_dir.name)
    out = YearReports(year=year)
    with year_lock(year_dir):
        for path in sorted(year_dir.glob("*.json")):
            if path.name == "manifest.json" or not path.is_file():
                continue
            doc = _load(path)
            if doc is None:
                continue
            if doc.get("year") != year:
                raise EvalkitError(f"{path}: a report of {doc.get('year')} in the folder of {year}")
            data = doc["data"]
            if doc["kind"] == "overview":
                out.overview = {"grades": [dict(g) for g in data.get("grades") or [] if isinstance(g, Mapping)],
                                "units": [_unit_fields(u) for u in data.get("units") or []
                                          if isinstance(u, Mapping) and u.get("unit_id") is not None]}
                out.overview_links = _links(year_dir, path.stem)
                continue
            uid = str(doc.get("unit_id") if doc.get("unit_id") is not None else data.get("unit_id"))
            if uid in out.units:
                raise EvalkitError(f"{year_dir}: two reports of unit {uid!r} "
                                   f"({out.units[uid].stem}.json and {path.name})")
            out.units[uid] = UnitReport(uid, path.stem, _unit_fields({**data, "unit_id": uid}),
                                        _links(year_dir, path.stem))
        for uid, rep in out.units.items():
            out.unit_links[uid] = rep.links
        for u in (out.overview or {}).get("units", []):
            out.unit_links.setdefault(u["unit_id"], _links(year_dir, safe_filename(u["unit_id"])))
        out.rectifications = _overdue_rectifications(year_dir)
    return out


def read_reports(reports_dir: str | Path) -> list[YearReports]:
    """Every year of ``reports_dir`` (:func:`year_folders`), oldest first."""
    return [read_year(p) for p in year_folders(reports_dir)]


# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------

def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _flag(value: Any) -> bool:
    return not _missing(value) and bool(value)


def _int(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def fmt_score(value: Any) -> str | None:
    """A score as the reports print it (:func:`evalkit.report.present.fmt_score`); None
    when missing."""
    from evalkit.report.present import fmt_score as report_fmt

    return None if _missing(value) else report_fmt(value)


def fmt_rate(rate: Any) -> str | None:
    """A score rate (0–1) as the unit report prints it: ``82.7%``."""
    return None if _missing(rate) else f"{100 * float(rate):.1f}%"


def fmt_share(share: float) -> str:
    """A data coverage as the reports print it (``66.2%``, ``100%``)."""
    return f"{100 * share:.0f}%" if share >= 0.995 or share <= 0.005 else f"{100 * share:.1f}%"


def score_change(now: str | None, before: Any) -> str | None:
    """The change of the printed score on last year's printed score (``+0.17``, ``-2.05``,
    ``0.00``): the difference of what the reader sees, so the three numbers agree."""
    before_text = fmt_score(before)
    if now is None or before_text is None:
        return None
    diff = Decimal(now.replace(",", "")) - Decimal(before_text.replace(",", ""))
    text = fmt_score(float(diff))
    return f"+{text}" if diff > 0 else text


def _name(rec: Mapping[str, Any], language: str) -> str:
    zh = rec.get("name_zh") or rec.get("unit_id") or ""
    if language == "zh":
        return str(zh)
    return str(rec.get("name_en") or zh)


def grade_bands(year: YearReports, records: list[dict]) -> list[dict]:
    """The year's grade bands, best first: ``name`` (as the results hold it), ``zh`` and
    ``en`` labels, ``role`` and ``style``. From the overview's ``grades``; without an
    overview, the grades the units hold, best first by their scores."""
    bands = []
    if year.overview and year.overview["grades"]:
        for g in year.overview["grades"]:
            bands.append({"name": str(g.get("name")), "zh": str(g.get("name")),
                          "en": str(g.get("name_en") or g.get("name")), "role": g.get("role")})
    else:
        best: dict[str, float] = {}
        roles: dict[str, Any] = {}
        for r in records:
            if _missing(r.get("grade")):
                continue
            g = str(r["grade"])
            roles[g] = r.get("grade_role")
            score = -1.0 if _missing(r.get("score_100")) else float(r["score_100"])
            best[g] = max(best.get(g, -1.0), score)
        for g in sorted(best, key=lambda g: (roles[g] == "fail", -best[g], g)):
            bands.append({"name": g, "zh": g, "en": g, "role": roles[g]})
    for i, band in enumerate(bands):
        if band["role"] == "top":
            band["style"] = GRADE_STYLES[0]
        elif band["role"] == "fail":
            band["style"] = GRADE_STYLES[3]
        else:
            band["style"] = GRADE_STYLES[1] if i == 1 else GRADE_STYLES[2]
    return bands


def _year_records(year: YearReports) -> tuple[list[str], dict[str, dict]]:
    """The year's population (overview order, else the units' reports by peer group, rank,
    id) and every unit's record (its report's fields, else its overview row)."""
    records: dict[str, dict] = {}
    order: list[str] = []
    if year.overview:
        for u in year.overview["units"]:
            records[u["unit_id"]] = u
            order.append(u["unit_id"])
    for uid, rep in year.units.items():
        records[uid] = rep.data
    if not year.overview:
        order = sorted(year.units, key=lambda uid: (str(records[uid].get("peer_group")),
                                                     _int(records[uid].get("rank")) or 10 ** 9, uid))
    return order, records


def _tied(order: list[str], records: dict[str, dict]) -> set[str]:
    seen: dict[tuple, list[str]] = {}
    for uid in order:
        r = records[uid]
        if _int(r.get("rank")) is not None:
            seen.setdefault((str(r.get("peer_group")), _int(r["rank"])), []).append(uid)
    return {uid for ids in seen.values() if len(ids) > 1 for uid in ids}


def rank_text(rec: Mapping[str, Any], tied: bool, language: str) -> str:
    """The unit's rank as its report words it (:func:`evalkit.report.present.rank_phrase`):
    ``第 3 名（并列） / 共 35 个部门``, the band where the rank interval is wide
    (``前列（第 1–6 名之间） / 共 35 个部门``), ``（暂定）`` when provisional."""
    from evalkit.report.present import rank_band_of

    rank = _int(rec.get("rank"))
    if rank is None:
        return msg(language, "rank_missing")
    n = _int(rec.get("n_in_group"))
    group = label(language, "peer_group_count", rec.get("peer_group"))
    of_group = msg(language, "rank_of_group", n="?" if n is None else n, group=group)
    interval = rec.get("rank_interval")
    band = rank_band_of(interval) if interval else ""
    if interval and _flag(interval.get("wide")) and band and interval.get("rank_low") is not None:
        text = msg(language, "rank_band_value", band=msg(language, f"rank_band_{band}"),
                   low=int(interval["rank_low"]), high=int(interval["rank_high"])) + of_group
    else:
        text = msg(language, "rank_place", rank=rank) + (msg(language, "rank_tied") if tied else "") + of_group
    if _flag(rec.get("provisional")):
        text += msg(language, "provisional_mark")
    return text


def _both(fn) -> dict[str, str]:
    return {lang: fn(lang) for lang in LANGUAGES}


# ----------------------------------------------------------------------------------------
# Attention (the overview's rules) and warnings
# ----------------------------------------------------------------------------------------

def attention(year: YearReports, order: list[str], records: dict[str, dict],
              bands: list[dict]) -> list[dict]:
    """The year's units flagged for attention by the rules of the district overview
    (:func:`evalkit.results.analysis.attention_flags`, applied to the same fields), most
    serious first, each with its reasons in every language."""
    import pandas as pd

    from evalkit.results import analysis

    if not order:
        return []
    units = pd.DataFrame([{k: records[uid].get(k) for k in ("unit_id", "veto", "grade", "provisional",
                                                           "coverage", "rank_change")} for uid in order])
    # the bands by name, best first (the rules need their order only: the last one fails)
    fail = bands[-1] if bands else None
    meta = {"parameters": {"grade_bands": [[b["name"], float(len(bands) - 1 - i)]
                                           for i, b in enumerate(bands)]}} if bands else {}
    flags = analysis.attention_flags(SimpleNamespace(units=units, meta=meta))
    out: list[dict] = []
    for uid, part in flags.groupby(flags["unit_id"].astype(str), sort=False):
        rec = records[uid]
        veto_reason = {lang: next(((a.get("reason_en") if lang != "zh" and a.get("reason_en") else a.get("reason"))
                                   for a in rec.get("adjustments") or [] if a.get("kind") == "veto"), None)
                       for lang in LANGUAGES}
        reasons: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
        for rule, value in zip(part["rule"], part["value"]):
            for lang in LANGUAGES:
                fail_name = "—" if fail is None else fail[lang]
                if rule == "veto":
                    text = msg(lang, "ov_flag_veto", reason=veto_reason[lang] or "—", fail=fail_name)
                elif rule == "fail":
                    text = msg(lang, "ov_flag_fail", fail=fail_name)
                elif rule == "provisional":
                    text = msg(lang, "warn_provisional", coverage=fmt_share(float(value)))
                elif rule == "rank_drop":
                    prev = _int(rec.get("prev_rank"))
                    text = msg(lang, "ov_flag_rank_drop", n=int(value), prev="—" if prev is None else prev,
                               rank=_int(rec.get("rank")) or "—")
                else:  # a rule this version does not word
                    text = str(rule)
                reasons[lang].append(text)
        out.append({"year": year.year, "id": uid, "rules": [str(r) for r in part["rule"]], "reasons": reasons})
    return out


def _decision_notes(rec: Mapping[str, Any]) -> dict[str, list[str]]:
    """The unit's 一票否优 decisions in words (vetoes are attention reasons already)."""
    notes: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for a in rec.get("adjustments") or []:
        if a.get("kind") == "bar_top":
            for lang in LANGUAGES:
                reason = (a.get("reason_en") if lang != "zh" and a.get("reason_en") else a.get("reason")) or "—"
                notes[lang].append(msg(lang, "warn_bar_top", reason=reason))
    return notes


# ----------------------------------------------------------------------------------------
# The site model
# ----------------------------------------------------------------------------------------

def _labels(codes: list[str], prefix: str) -> dict[str, dict[str, str]]:
    return {c: _both(lambda lang, c=c: label(lang, prefix, c)) for c in codes}


def _trend(year: int, order: list[str], records: dict[str, dict], bands: list[dict],
           groups: list[str]) -> list[dict]:
    rows = []
    for group in ["", *groups]:
        members = [records[u] for u in order if not group or str(records[u].get("peer_group")) == group]
        if not members:
            continue
        scores = [float(r["score_100"]) for r in members if not _missing(r.get("score_100"))]
        counts = {b["name"]: sum(1 for r in members if str(r.get("grade")) == b["name"]) for b in bands}
        mean = statistics.fmean(scores) if scores else None
        median = statistics.median(scores) if scores else None
        rows.append({"year": year, "group": group, "n": len(members), "mean": fmt_score(mean),
                     "mean_value": None if mean is None else round(mean, 6),
                     "median": fmt_score(median), "grades": [[name, n] for name, n in counts.items() if n]})
    return rows


def site_model(years: list[YearReports], language: str = "zh") -> dict:
    """The whole site as one dict (what the pages embed): ``index`` — years, labels, grade
    bands, league rows, trend, warnings and overdue rectifications; ``units`` — one model
    per unit over all years (its page); ``pages`` — unit id → page path from the site root.

    Pure: the same ``years`` give an equal dict. :class:`EvalkitError` when two unit ids
    would share a page (ids that differ only in case)."""
    from evalkit.errors import ReportError
    from evalkit.report.render import report_filenames

    if language not in LANGUAGES:
        raise EvalkitError(f"unknown portal language {language!r}; choose one of {', '.join(LANGUAGES)}")
    years = sorted(years, key=lambda y: y.year)
    per_year = {y.year: _year_records(y) for y in years}
    all_ids = list(dict.fromkeys(uid for y in years for uid in (*per_year[y.year][0], *per_year[y.year][1])))
    try:
        stems = report_filenames(all_ids)
    except ReportError as exc:
        raise EvalkitError(f"the portal cannot give every unit its own page: {exc}") from None
    pages = {uid: f"portal/unit/{stems[uid]}.html" for uid in all_ids}

    groups: list[str] = []
    classes: list[str] = []
    for y in years:
        order, records = per_year[y.year]
        for uid in [*order, *records]:
            g, c = records[uid].get("peer_group"), records[uid].get("unit_class")
            if not _missing(g) and str(g) not in groups:
                groups.append(str(g))
            if not _missing(c) and str(c) not in classes:
                classes.append(str(c))

    rows, trend, warnings, rects, bands_by_year, overviews = [], [], [], [], {}, {}
    names: dict[str, dict] = {}
    unit_years: dict[str, list[dict]] = {uid: [] for uid in all_ids}
    for y in years:
        order, records = per_year[y.year]
        bands = grade_bands(y, list(records.values()))
        bands_by_year[str(y.year)] = bands
        if y.overview_links:
            overviews[str(y.year)] = y.overview_links
        tied = _tied(order, records)
        flagged = attention(y, order, records, bands)
        warnings += flagged
        flagged_ids = {f["id"] for f in flagged}
        rects += [{"year": y.year, **r} for r in y.rectifications]
        trend += _trend(y.year, order, records, bands, groups)
        for uid in order:
            r = records[uid]
            links = y.unit_links.get(uid, {})
            rows.append({"year": y.year, "id": uid, "group": r.get("peer_group"), "class": r.get("unit_class"),
                         "score": fmt_score(r.get("score_100")), "grade": r.get("grade"),
                         "rank": _int(r.get("rank")), "n": _int(r.get("n_in_group")), "tied": uid in tied,
                         "provisional": _flag(r.get("provisional")), "veto": _flag(r.get("veto")),
                         "bar_top": _flag(r.get("bar_top")), "attention": uid in flagged_ids,
                         "change": _int(r.get("rank_change")),
                         "html": links.get("html"), "pdf": links.get("pdf")})
        for uid, r in records.items():
            names[uid] = {"id": uid, "zh": _name(r, "zh"), "en": _name(r, "en"),
                          "group": r.get("peer_group"), "class": r.get("unit_class"), "page": pages[uid]}
            score = fmt_score(r.get("score_100"))
            areas = {}
            for a in r.get("areas") or []:
                areas[str(a["code"])] = {"rate": fmt_rate(a.get("score_rate")),
                                         "score": fmt_score(a.get("score")), "points": fmt_score(a.get("points")),
                                         "status": a.get("status"), "no_data": _flag(a.get("no_data"))}
            links = y.unit_links.get(uid, {})
            notes = _decision_notes(r)
            for f in flagged:
                if f["id"] == uid:
                    for lang in LANGUAGES:
                        notes[lang] = f["reasons"][lang] + notes[lang]
            unit_years[uid].append({
                "year": y.year, "score": score, "score_value": None if _missing(r.get("score_100"))
                else round(float(r["score_100"]), 6), "grade": r.get("grade"),
                "rank": _int(r.get("rank")), "n": _int(r.get("n_in_group")),
                "rank_text": _both(lambda lang, r=r, t=uid in tied: rank_text(r, t, lang)),
                "change": _int(r.get("rank_change")), "score_change": score_change(score, r.get("prev_score")),
                "provisional": _flag(r.get("provisional")), "veto": _flag(r.get("veto")),
                "bar_top": _flag(r.get("bar_top")), "attention": uid in flagged_ids,
                "html": links.get("html"), "pdf": links.get("pdf"),
                "areas": areas, "notes": notes,
                "rectifications": [{"source": x["source"], "deadline": x["deadline"]}
                                   for x in y.rectifications if x["id"] == uid]})

    area_names: dict[str, dict] = {}
    for y in years:
        order, records = per_year[y.year]
        for uid in [*order, *records]:
            for a in records[uid].get("areas") or []:
                area_names[str(a["code"])] = {"code": str(a["code"]), "zh": str(a.get("name_zh") or a["code"]),
                                              "en": str(a.get("name_en") or a.get("name_zh") or a["code"])}
    sources = sorted({r["source"] for r in rects})
    labels = {"peer_group": _labels(groups, "peer_group"), "unit_class": _labels(classes, "unit_class"),
              "rect_source": _labels(sources, "rect_source")}
    index = {"language": language, "years": [y.year for y in years], "labels": labels,
             "grades": bands_by_year, "overviews": overviews, "units": names, "rows": rows,
             "trend": trend, "warnings": warnings, "rectifications": rects, "groups": groups,
             "classes": classes}
    units = {}
    for uid in all_ids:
        units[uid] = {"unit": names[uid], "years": unit_years[uid],
                      "areas": [area_names[c] for c in area_names
                                if any(c in yr["areas"] for yr in unit_years[uid])],
                      "labels": labels, "grades": {str(yr["year"]): bands_by_year[str(yr["year"])]
                                                   for yr in unit_years[uid]},
                      "language": language}
    return {"index": index, "units": units, "pages": pages, "areas": list(area_names.values())}


def compare_model(model: Mapping[str, Any]) -> dict:
    """What the side-by-side page embeds: every unit's name, page and, per year, its score,
    grade, rank phrase, flags and area rates (no notes, no links)."""
    keep = ("year", "score", "score_value", "grade", "rank_text", "provisional", "veto", "bar_top",
            "attention", "html", "pdf")
    index = model["index"]
    order = {g: i for i, g in enumerate(index["groups"])}
    units = []
    for uid, u in sorted(model["units"].items(),
                         key=lambda kv: (order.get(kv[1]["unit"]["group"], len(order)), kv[0])):
        units.append({**u["unit"], "years": [{**{k: yr[k] for k in keep},
                                              "areas": {c: [a["rate"], a["status"]] for c, a in yr["areas"].items()}}
                                             for yr in u["years"]]})
    return {"language": index["language"], "years": index["years"], "labels": index["labels"],
            "grades": index["grades"], "areas": model["areas"], "units": units}


def site_text(model: Mapping[str, Any]) -> str:
    """Every text of the site's data (for the font subset)."""
    return json.dumps(model, ensure_ascii=False, sort_keys=True)
