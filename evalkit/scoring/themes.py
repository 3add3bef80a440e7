"""Thematic evaluations (专项评价): a theme is the framework restricted to a subset.

A framework may declare themes (``themes:``), each a named, ad hoc evaluation of one
subject — e.g. 12345 hotline handling across all units — that is scored by the same model
and kernels as the annual evaluation (:func:`evalkit.scoring.model.scoring_model`), on a
framework restricted to the theme's nodes (:func:`theme_framework`) and re-scaled to 100
(a unit's score is 100 × its points over the points that apply to it, as for indicators
that do not apply, :func:`evalkit.scoring.kernels.adjusted_scores`). Example::

    themes:
      hotline:
        name_zh: 12345热线办理专项评价
        name_en: 12345 hotline handling
        nodes: [PUB01, PUB02, SAT01]     # nodes of the framework; an inner node brings its subtree
        indicators:                       # the theme's own leaves, written as framework leaves
          - code: HOT01
            name_zh: 12345及时签收率
            indicator: hotline_signed_rate
            points: 4
            target: 95
            rule: {type: threshold_deduct, per: 1, deduct: 0.5}
        units: all                        # or unit ids, peer groups (code or label), unit classes
        period: 2024Q3                    # optional: a year, month, quarter or year to date

Keys (:data:`THEME_KEYS`): ``name_zh`` (required), ``name_en``, ``nodes`` (codes of the
framework's nodes), ``indicators`` (leaves of the theme's own, checked exactly as the
framework's leaves; ``area`` defaults to the indicator's area in the catalogue), ``units``
(default ``all``), ``period`` (:func:`evalkit.periods.parse_period`; default: the
evaluation year). A theme needs at least one node or indicator. Its name is also a folder
name (``OUT/<year>/themes/<name>/``): lower-case letters, digits, ``-`` and ``_``.

Everything is checked when the framework is loaded (unknown or repeated nodes, a node inside
another chosen node, a leaf code the framework already uses, a bad period), each error with
the file and the line; which units a selector names is checked against the units table
when the theme is scored (:func:`theme_unit_ids`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from ..data.contract import PEER_GROUPS
from ..data.strict_yaml import YamlMapping, did_you_mean, line_of
from ..errors import FrameworkError
from ..indicators.catalogue import BY_CODE
from ..periods import Period, PeriodError, parse_period

__all__ = ["THEME_KEYS", "Theme", "parse_themes", "theme_framework", "theme_unit_ids"]

#: The keys a theme may hold.
THEME_KEYS = ("name_zh", "name_en", "nodes", "indicators", "units", "period")
#: A theme's name: it names a folder of the output.
THEME_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_LABELS = {label: code for code, label in PEER_GROUPS.items()}


@dataclass(frozen=True)
class Theme:
    """One thematic evaluation of a framework (see the module docstring).

    ``nodes``: codes of the framework's nodes, in the order written; ``extra``: the theme's
    own nodes by code (already parsed and checked as framework nodes) with ``extra_roots``
    the codes written at its top; ``units``: the unit selectors (unit ids, peer-group codes,
    unit classes), empty for every unit; ``period``: None for the evaluation year."""

    code: str
    name_zh: str
    name_en: str
    nodes: tuple[str, ...] = ()
    extra: Mapping = field(default_factory=dict)
    extra_roots: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    period: Period | None = None
    source: str = ""
    lines: Mapping = field(default_factory=dict, compare=False, repr=False)

    def name(self, language: str = "zh") -> str:
        return self.name_en if language != "zh" and self.name_en else self.name_zh


def _at(source: str, line: int | None) -> str:
    return source if line is None else f"{source}, line {line}"


def _fail(source: str, line: int | None, where: str, expected: str, found) -> FrameworkError:
    return FrameworkError(f"{_at(source, line)}, {where}: expected {expected}; found {found!r}")


def parse_themes(source: str, doc: Mapping, nodes: Mapping, parse_nodes: Callable) -> dict[str, Theme]:
    """The ``themes`` of a framework document ``doc`` whose nodes (by code) are ``nodes``.

    ``parse_nodes(document, source)`` parses a framework document (the framework's own
    parser, :func:`evalkit.scoring.framework.parse_framework`): the theme's leaves go through
    it, so that they are checked exactly as the framework's are."""
    raw = doc.get("themes")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(source, line_of(doc, "themes"), "themes", "a mapping {theme name: theme}", raw)
    return {str(name): _theme(source, str(name), item, raw, nodes, parse_nodes) for name, item in raw.items()}


def _theme(source: str, name: str, item, parent, nodes: Mapping, parse_nodes: Callable) -> Theme:
    where = f"theme {name}"
    line = line_of(parent, name)
    if not THEME_NAME.fullmatch(name):
        raise _fail(source, line, "themes", "a theme name of lower-case letters, digits, - and _ (it names the "
                    "folder OUT/<year>/themes/<name>/)", name)
    if not isinstance(item, dict):
        raise _fail(source, line, where, "a mapping with name_zh and nodes or indicators", item)
    for key in item:
        if key not in THEME_KEYS:
            raise FrameworkError(f"{_at(source, line_of(item, key))}, {where}: expected one of the keys "
                                 f"{', '.join(THEME_KEYS)}; found {str(key)!r}{did_you_mean(key, THEME_KEYS)}")

    def at(key: str) -> int | None:
        return line_of(item, key) if key in item else line_of(item)

    name_zh = item.get("name_zh")
    if not isinstance(name_zh, str) or not name_zh.strip():
        raise _fail(source, at("name_zh"), where, "a name_zh (the report's title)", name_zh)
    name_en = item.get("name_en", "")
    if not isinstance(name_en, str):
        raise _fail(source, at("name_en"), f"{where}, name_en", "a text", name_en)
    chosen = _chosen_nodes(source, where, item.get("nodes"), at("nodes"), nodes)
    extra, extra_roots = _extra_nodes(source, where, item.get("indicators"), at("indicators"), nodes, parse_nodes)
    if not chosen and not extra_roots:
        raise _fail(source, line_of(item), where, "at least one of nodes or indicators", None)
    return Theme(code=name, name_zh=name_zh.strip(), name_en=name_en.strip(), nodes=chosen, extra=extra,
                 extra_roots=extra_roots, units=_units(source, where, item.get("units", "all"), at("units")),
                 period=_period(source, where, item.get("period"), at("period")), source=source,
                 lines=dict(getattr(item, "key_lines", {}) or {}))


def _chosen_nodes(source: str, where: str, raw, line: int | None, nodes: Mapping) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(c, (str, int)) for c in raw):
        raise _fail(source, line, f"{where}, nodes", "a list of node codes of the framework", raw)
    codes = [str(c).strip() for c in raw]
    for code in codes:
        if code not in nodes:
            raise FrameworkError(f"{_at(source, line)}, {where}, nodes: expected a node code of the framework; "
                                 f"found {code!r}{did_you_mean(code, list(nodes))}")
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise _fail(source, line, f"{where}, nodes", "each node once", code)
        seen.add(code)
    for code in codes:  # a node whose ancestor is chosen too would count twice
        parent = nodes[code].parent
        while parent is not None:
            if parent in seen:
                raise FrameworkError(f"{_at(source, line)}, {where}, nodes: {code} is inside {parent}, which "
                                     f"the theme already takes whole; name one of them")
            parent = nodes[parent].parent
    return tuple(codes)


def _extra_nodes(source: str, where: str, raw, line: int | None, nodes: Mapping,
                 parse_nodes: Callable) -> tuple[dict, tuple[str, ...]]:
    if raw is None:
        return {}, ()
    if not isinstance(raw, list) or not raw:
        raise _fail(source, line, f"{where}, indicators", "a list of leaves written as framework leaves", raw)
    items = []
    for item in raw:
        if isinstance(item, dict) and "area" not in item:
            indicator = item.get("indicator")
            if indicator is not None and str(indicator) not in BY_CODE:
                raise FrameworkError(
                    f"{_at(source, line_of(item, 'indicator'))}, {where}, indicator: expected an indicator of the "
                    f"catalogue (see `evalkit indicators`){did_you_mean(indicator, BY_CODE)}; found {indicator!r}")
            if indicator is not None:  # the indicator's own area, keeping the lines for messages
                copy = YamlMapping(item)
                copy.line, copy.key_lines = line_of(item), dict(getattr(item, "key_lines", {}) or {})
                copy["area"] = BY_CODE[str(indicator)].area
                item = copy
        items.append(item)
    parsed = parse_nodes({"code": where, "version": "-", "nodes": items}, source)
    for code, node in parsed.nodes.items():
        if code in nodes:
            found = node.lines.get("code") if node.lines else None
            raise _fail(source, found or line, f"{where}, indicators", "a code the framework does not use "
                        "(the theme's leaves are its own)", code)
    return dict(parsed.nodes), tuple(parsed.roots)


def _units(source: str, where: str, raw, line: int | None) -> tuple[str, ...]:
    if raw is None or raw == "all":
        return ()
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(u, (str, int)) and not isinstance(u, bool)
                                                       for u in raw):
        raise _fail(source, line, f"{where}, units", "all, or a list of unit ids, peer groups or unit classes", raw)
    return tuple(dict.fromkeys(_LABELS.get(str(u).strip(), str(u).strip()) for u in raw))


def _period(source: str, where: str, raw, line: int | None) -> Period | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise _fail(source, line, f"{where}, period", "a year (2024), a month (2024-09), a quarter (2024Q3) "
                    "or the year to date (2024-YTD)", raw)
    try:
        return parse_period(raw)
    except PeriodError as exc:
        raise FrameworkError(f"{_at(source, line)}, {where}: {exc}") from None


def theme_framework(framework, name: str):
    """The framework restricted to theme ``name``: its chosen nodes (each with its subtree,
    now at the top) and its own leaves, with the framework's missing-data policy, coverage
    rules, grade bands and provenance (code, version, SHA-256); no ``total_points`` (a
    theme is re-scaled to 100) and no themes. An unknown name is a
    :class:`~evalkit.errors.FrameworkError` listing the themes."""
    theme = framework_theme(framework, name)
    out: dict = {}

    def take(code: str, source: Mapping, parent: str | None, level: int) -> None:
        node = source[code]
        out[code] = replace(node, parent=parent, level=level)
        for child in node.children:
            take(child, source, code, level + 1)

    for code in theme.nodes:
        take(code, framework.nodes, None, 1)
    for code in theme.extra_roots:
        take(code, theme.extra, None, 1)
    return replace(framework, nodes=out, roots=theme.nodes + theme.extra_roots, total_points=None, themes={})


def framework_theme(framework, name: str) -> Theme:
    """The :class:`Theme` ``name`` of ``framework``; a clear error naming the themes there are."""
    themes = getattr(framework, "themes", None) or {}
    if name not in themes:
        known = ", ".join(themes) or "none"
        raise FrameworkError(f"{framework.source or 'the framework'}: no theme {name!r} (themes: {known})"
                             f"{did_you_mean(name, list(themes))}")
    return themes[name]


def theme_unit_ids(theme: Theme, units: pd.DataFrame) -> list[str]:
    """The ids of the units theme ``theme`` evaluates, in the units table's order: every
    unit, or those a selector names (unit id, peer group, unit class). A selector that
    names no unit is a :class:`~evalkit.errors.FrameworkError` with the file and line."""
    ids = units["unit_id"].astype(str)
    if not theme.units:
        return list(ids)
    groups = units["peer_group"].astype(str)
    classes = units["unit_class"].astype(str) if "unit_class" in units.columns else pd.Series("", index=units.index)
    keep = pd.Series(False, index=units.index)
    for selector in theme.units:
        hit = (ids == selector) | (groups == selector) | (classes == selector)
        if not hit.any():
            choices = list(ids) + list(PEER_GROUPS) + sorted(set(classes))
            raise FrameworkError(f"{_at(theme.source, theme.lines.get('units'))}, theme {theme.code}, units: "
                                 f"expected a unit id, peer group or unit class of the units table; found "
                                 f"{selector!r}{did_you_mean(selector, choices)}")
        keep |= hit
    return list(ids[keep])
