"""A composite indicator's structure as one tidy table, in COINr's ``iMeta`` form.

One row per indicator, aggregate, unit group, denominator or other column::

    Level, iCode, iName, Parent, Direction, Weight, Type, Denominator, Unit, Target

* ``Type`` is ``Indicator`` (level 1, read from the data), ``Aggregate`` (level ≥ 2,
  computed from its children), ``Group`` (a column of the unit data that groups units,
  e.g. for group-mean imputation), ``Denominator`` (a column the indicators can be divided
  by) or ``Other`` (any other column of the unit data, carried along).
* ``Level`` 1 is the indicators; the parent of a node at level ``k`` is an aggregate at
  level ``k + 1``; the top level has no parent.
* ``Weight`` is relative among siblings: a node's share of its parent is its weight over
  the sum of its siblings' weights. ``Direction`` is +1 (higher is better) or −1.
* ``Denominator`` names a ``Denominator`` row: the indicator is divided by that column
  (see :func:`evalkit.composite.denominate.denominate`).

:func:`read_meta` checks the table and reports the first problem with its row (as the
user sees it in the file: header = row 1) and column. :func:`read_data` checks the unit
data (COINr's ``iData``: ``uCode``, optional ``uName`` and ``Time``, then one column per
indicator, group, denominator and other row of the table).

:meth:`CompositeMeta.effective_weights` gives every indicator's effective (global)
weight: the product, down its path from the top, of each node's share of its parent.

This is the structure of COINr (Becker et al., 2022), so a COINr ``iMeta`` table loads as
it is.

References
----------
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. & Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source
Software* 7(78), 4567.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from ..errors import FrameworkError

__all__ = ["CompositeMeta", "MetaError", "MetaNode", "read_data", "read_meta"]

TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
#: Columns of the unit data that need no row in the metadata table.
UNIT_COLUMNS = ("uCode", "uName", "Time")


class MetaError(FrameworkError, ValueError):
    """The metadata table or the unit data do not describe a valid composite indicator."""


@dataclass(frozen=True)
class MetaNode:
    """One indicator or aggregate of the tree."""

    code: str
    level: int
    parent: str | None
    weight: float
    direction: int
    kind: str  # "Indicator" or "Aggregate"
    name: str = ""
    denominator: str | None = None
    unit: str = ""
    target: float | None = None
    children: tuple[str, ...] = ()

    @property
    def is_indicator(self) -> bool:
        return self.kind == "Indicator"


@dataclass(frozen=True)
class CompositeMeta:
    """The checked tree of a composite indicator, plus its group and denominator columns.

    ``nodes`` keeps the order of the table; ``weights`` is the node weight set (from the
    ``Weight`` column unless replaced with :meth:`with_weights`).
    """

    nodes: Mapping[str, MetaNode]
    groups: tuple[str, ...] = ()
    denominators: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    source: str = "<iMeta>"
    names: Mapping[str, str] = field(default_factory=dict)

    # -- structure -------------------------------------------------------------------
    @property
    def max_level(self) -> int:
        return max(n.level for n in self.nodes.values())

    @property
    def indicators(self) -> tuple[str, ...]:
        """Indicator codes in table order."""
        return tuple(c for c, n in self.nodes.items() if n.is_indicator)

    @property
    def aggregates(self) -> tuple[str, ...]:
        return tuple(c for c, n in self.nodes.items() if not n.is_indicator)

    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(c for c, n in self.nodes.items() if n.parent is None)

    def codes_at(self, level: int) -> tuple[str, ...]:
        return tuple(c for c, n in self.nodes.items() if n.level == level)

    def children(self, code: str) -> tuple[str, ...]:
        return self.nodes[code].children

    def parents_at(self, level: int) -> tuple[str, ...]:
        """Aggregates at ``level`` (≥ 2), in table order."""
        return tuple(c for c in self.codes_at(level) if not self.nodes[c].is_indicator)

    def leaves_under(self, code: str) -> tuple[str, ...]:
        node = self.nodes[code]
        if node.is_indicator:
            return (code,)
        return tuple(leaf for child in node.children for leaf in self.leaves_under(child))

    @property
    def directions(self) -> pd.Series:
        return pd.Series({c: self.nodes[c].direction for c in self.indicators}, name="Direction",
                         dtype="float64")

    @property
    def targets(self) -> pd.Series:
        return pd.Series({c: (np.nan if self.nodes[c].target is None else self.nodes[c].target)
                          for c in self.indicators}, name="Target", dtype="float64")

    @property
    def weights(self) -> dict[str, float]:
        return {c: n.weight for c, n in self.nodes.items()}

    # -- weights ---------------------------------------------------------------------
    def with_weights(self, weights: Mapping[str, float]) -> CompositeMeta:
        """A copy whose node weights are replaced by ``weights`` (code → weight; codes not
        named keep theirs). Weights must be finite and ≥ 0, and the children of every
        aggregate must keep a positive total."""
        checked = check_weights(self, weights)
        nodes = {c: (replace(n, weight=checked[c]) if c in checked else n) for c, n in self.nodes.items()}
        return replace(self, nodes=MappingProxyType(nodes))

    def effective_weights(self, weights: Mapping[str, float] | None = None) -> pd.Series:
        """Effective (global) weight of every indicator, summing to 1 over each top-level tree.

        ``w_eff(i) = Π_{nodes n on the path from i up to, not including, the root}
        w_n / Σ_{siblings s of n} w_s`` — the weight an indicator has in the top-level
        score when every indicator has data and the aggregation is a weighted arithmetic
        mean. (With missing data the shares of the others grow, unit by unit.)

        Parameters
        ----------
        weights : mapping, optional
            Node weights overriding the table's (code → weight).
        """
        return self.weight_table(weights).loc[list(self.indicators), "effective_weight"].rename("effective_weight")

    def weight_table(self, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
        """One row per node: ``code, level, parent, weight, share`` (of its parent) and
        ``effective_weight`` (product of shares up to the top)."""
        w = self.weights if weights is None else {**self.weights, **check_weights(self, weights)}
        share: dict[str, float] = {}
        for code, node in self.nodes.items():
            if node.parent is None:
                share[code] = 1.0
            else:
                siblings = self.nodes[node.parent].children
                share[code] = w[code] / sum(w[s] for s in siblings)
        effective: dict[str, float] = {}
        for code in self.nodes:
            e, c = 1.0, code
            while self.nodes[c].parent is not None:
                e *= share[c]
                c = self.nodes[c].parent
            effective[code] = e
        rows = [{"code": c, "level": n.level, "parent": n.parent, "weight": w[c], "share": share[c],
                 "effective_weight": effective[c]} for c, n in self.nodes.items()]
        return pd.DataFrame(rows).set_index("code")

    # -- output ----------------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        """The metadata as a COINr-style ``iMeta`` table (reading it back gives the same meta)."""
        rows = []
        for code, n in self.nodes.items():
            rows.append({"Level": n.level, "iCode": code, "iName": n.name, "Direction": n.direction,
                         "Weight": n.weight, "Unit": n.unit, "Target": n.target,
                         "Denominator": n.denominator, "Parent": n.parent, "Type": n.kind})
        for kind, codes in (("Group", self.groups), ("Denominator", self.denominators), ("Other", self.others)):
            for code in codes:
                rows.append({"Level": None, "iCode": code, "iName": self.names.get(code, ""), "Direction": None,
                             "Weight": None, "Unit": "", "Target": None, "Denominator": None, "Parent": None,
                             "Type": kind})
        return pd.DataFrame(rows)


# -------------------------------------------------------------------------------------
# Loading and checking
# -------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _found(value) -> str:
    text = _text(value)
    return f"'{text}'" if text else "an empty cell"


def _number(value) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan  # flagged by the caller as "not a number"
    return None if math.isnan(out) else out


def read_meta(source, *, name: str | None = None) -> CompositeMeta:
    """Read and check a COINr-style metadata table (``iMeta``).

    Parameters
    ----------
    source : str, Path or DataFrame
        A CSV or XLSX file, or the table itself.
    name : str, optional
        How to name the table in error messages (default: the file name).

    Raises
    ------
    MetaError
        On the first problem, naming the row (header = row 1) and column: a missing
        column, an unknown ``Type``, a duplicate or empty ``iCode``, a ``Level`` that is not
        a positive integer (indicators at level 1, aggregates above), a ``Parent`` that does
        not exist, is not an aggregate one level up, or closes a cycle, an aggregate without
        children, a ``Weight`` that is missing, not finite or ≤ 0, a ``Direction`` other
        than ±1, or a ``Denominator`` that no ``Denominator`` row declares.
    """
    table, src = _read_table(source, name)
    table = table.rename(columns=lambda c: str(c).strip())
    required = ("iCode", "Level", "Parent", "Weight", "Direction", "Type")
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise MetaError(f"{src}: expected columns {', '.join(required)} (and optionally iName, Denominator, "
                        f"Unit, Target); found no column {', '.join(missing)} among "
                        f"{', '.join(map(str, table.columns))}")
    records = table.to_dict("records")
    row_of: dict[str, int] = {}
    raw: dict[str, dict] = {}
    extra: dict[str, list[str]] = {"Group": [], "Denominator": [], "Other": []}
    names: dict[str, str] = {}
    for i, rec in enumerate(records):
        row = i + 2
        code = _text(rec.get("iCode"))
        kind = _text(rec.get("Type"))
        if not code:
            if not any(_text(v) for v in rec.values()):
                continue
            raise MetaError(f"{src}, row {row}, column 'iCode': expected a code; found an empty cell")
        if code in row_of:
            raise MetaError(f"{src}, row {row}, column 'iCode': expected unique codes; found '{code}' again "
                            f"(first on row {row_of[code]})")
        if code in UNIT_COLUMNS:
            raise MetaError(f"{src}, row {row}, column 'iCode': expected a code other than {', '.join(UNIT_COLUMNS)} "
                            f"(reserved for the unit data); found '{code}'")
        if kind not in TYPES:
            raise MetaError(f"{src}, row {row} ({code}), column 'Type': expected one of {', '.join(TYPES)}; "
                            f"found '{kind}'")
        row_of[code] = row
        names[code] = _text(rec.get("iName"))
        if kind in extra:
            extra[kind].append(code)
            continue
        raw[code] = {"row": row, "kind": kind, **rec}
    if not raw:
        raise MetaError(f"{src}: expected at least one Indicator row; found none")

    def fail(code: str, column: str, expected: str, found) -> MetaError:
        return MetaError(f"{src}, row {row_of[code]} ({code}), column '{column}': expected {expected}; found {found}")

    denominators = set(extra["Denominator"])
    levels: dict[str, int] = {}
    parents: dict[str, str | None] = {}
    for code, rec in raw.items():
        level = _number(rec.get("Level"))
        if level is None or math.isnan(level) or level != int(level) or level < 1:
            raise fail(code, "Level", "a whole number ≥ 1", _found(rec.get("Level")))
        level = int(level)
        if rec["kind"] == "Indicator" and level != 1:
            raise fail(code, "Level", "1 for an Indicator", level)
        if rec["kind"] == "Aggregate" and level < 2:
            raise fail(code, "Level", "2 or more for an Aggregate", level)
        levels[code] = level
        parent = _text(rec.get("Parent"))
        parents[code] = parent or None
        if parent and parent not in raw:
            where = "a Group, Denominator or Other row" if parent in row_of else "not in the table"
            raise fail(code, "Parent", "the code of an Aggregate row", f"'{parent}', which is {where}")
    # Cycles first, so that a loop is named as such rather than as a level mismatch.
    for code in raw:
        seen = [code]
        p = parents[code]
        while p is not None:
            if p in seen:
                cycle = " → ".join(seen[seen.index(p):] + [p])
                raise fail(code, "Parent", "a tree", f"a cycle {cycle}")
            seen.append(p)
            p = parents[p]
    top = max(levels.values())
    for code in raw:
        parent = parents[code]
        if parent is None:
            if levels[code] != top:
                raise fail(code, "Parent", f"the code of an Aggregate at level {levels[code] + 1} (only the top "
                           f"level, {top}, has no parent)", "an empty cell")
            continue
        if raw[parent]["kind"] != "Aggregate":
            raise fail(code, "Parent", "the code of an Aggregate row", f"'{parent}', an Indicator")
        if levels[parent] != levels[code] + 1:
            raise fail(code, "Parent", f"an Aggregate at level {levels[code] + 1}",
                       f"'{parent}' at level {levels[parent]}")
    children: dict[str, list[str]] = {c: [] for c in raw}
    for code in raw:
        if parents[code] is not None:
            children[parents[code]].append(code)
    nodes: dict[str, MetaNode] = {}
    for code, rec in raw.items():
        if rec["kind"] == "Aggregate" and not children[code]:
            raise fail(code, "iCode", "an Aggregate with at least one child (a row whose Parent is it)",
                       "no child")
        is_root = parents[code] is None
        weight = _number(rec.get("Weight"))
        if weight is None and is_root:
            weight = 1.0  # the top node's weight is never used
        if weight is None or not math.isfinite(weight) or weight <= 0:
            raise fail(code, "Weight", "a finite number > 0", _found(rec.get("Weight")))
        direction = _number(rec.get("Direction"))
        if direction is None and rec["kind"] == "Aggregate":
            direction = 1.0
        if direction not in (1.0, -1.0):
            raise fail(code, "Direction", "1 (higher is better) or -1 (lower is better)",
                       _found(rec.get("Direction")))
        denominator = _text(rec.get("Denominator")) or None
        if denominator is not None:
            if rec["kind"] != "Indicator":
                raise fail(code, "Denominator", "an empty cell for an Aggregate", f"'{denominator}'")
            if denominator not in denominators:
                declared = ", ".join(sorted(denominators)) or "none"
                raise fail(code, "Denominator", f"a code declared by a row of Type Denominator (declared: {declared})",
                           f"'{denominator}'")
        target = _number(rec.get("Target"))
        if target is not None and math.isnan(target):
            raise fail(code, "Target", "a number or an empty cell", _found(rec.get("Target")))
        nodes[code] = MetaNode(code=code, level=levels[code], parent=parents[code], weight=float(weight),
                               direction=int(direction), kind=rec["kind"], name=names[code],
                               denominator=denominator, unit=_text(rec.get("Unit")), target=target,
                               children=tuple(children[code]))
    if not any(n.is_indicator for n in nodes.values()):
        raise MetaError(f"{src}: expected at least one Indicator row; found none")
    return CompositeMeta(nodes=MappingProxyType(nodes), groups=tuple(extra["Group"]),
                         denominators=tuple(extra["Denominator"]), others=tuple(extra["Other"]),
                         source=src, names=MappingProxyType(names))


def read_data(source, meta: CompositeMeta, *, name: str | None = None) -> pd.DataFrame:
    """Read and check the unit data (COINr's ``iData``) against ``meta``.

    Parameters
    ----------
    source : str, Path or DataFrame
        One row per unit: ``uCode`` (unique), optionally ``uName`` and ``Time``, and one
        column per indicator, group, denominator and other row of ``meta``.
    meta : CompositeMeta

    Returns
    -------
    DataFrame indexed by ``uCode`` with the columns of ``source`` (indicators and
    denominators as float64).

    Raises
    ------
    MetaError
        When ``uCode`` is missing, empty or repeated (several ``Time`` values: filter to
        one year first), an indicator, group or denominator column is missing, an
        indicator or denominator column is not numeric, or a column is described by no
        row of ``meta``.
    """
    table, src = _read_table(source, name or "iData")
    table = table.rename(columns=lambda c: str(c).strip())
    if "uCode" not in table.columns:
        raise MetaError(f"{src}: expected a column uCode (unit codes); found {', '.join(map(str, table.columns))}")
    codes = table["uCode"].map(_text)
    empty = np.flatnonzero((codes == "").to_numpy())
    if empty.size:
        raise MetaError(f"{src}, row {empty[0] + 2}, column 'uCode': expected a unit code; found an empty cell")
    dup = codes[codes.duplicated()]
    if not dup.empty:
        first = dup.iloc[0]
        rows = [i + 2 for i in np.flatnonzero((codes == first).to_numpy())]
        hint = " (the table has several Time values: keep one year)" if "Time" in table.columns and \
            table["Time"].nunique() > 1 else ""
        raise MetaError(f"{src}, column 'uCode': expected one row per unit; found '{first}' on rows "
                        f"{', '.join(map(str, rows))}{hint}")
    needed = {**{c: "Indicator" for c in meta.indicators}, **{c: "Group" for c in meta.groups},
              **{c: "Denominator" for c in meta.denominators}}
    absent = [c for c in needed if c not in table.columns]
    if absent:
        raise MetaError(f"{src}: expected a column for every Indicator, Group and Denominator row of "
                        f"{meta.source}; found no column {', '.join(absent)}")
    known = set(needed) | set(meta.others) | set(UNIT_COLUMNS)
    unknown = [c for c in table.columns if c not in known]
    if unknown:
        raise MetaError(f"{src}: expected every column to be described in {meta.source} (or be uCode, uName, Time); "
                        f"found {', '.join(unknown)} (add rows of Type Other, or drop the columns)")
    out = table.copy()
    out["uCode"] = codes
    for col in [*meta.indicators, *meta.denominators]:
        values = out[col]
        if not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
            converted = pd.to_numeric(values, errors="coerce")
            bad = values[converted.isna() & values.notna() & (values.map(_text) != "")]
            if not bad.empty:
                row = int(np.flatnonzero(values.index == bad.index[0])[0]) + 2
                raise MetaError(f"{src}, row {row}, column '{col}': expected a number (or an empty cell); "
                                f"found '{bad.iloc[0]}'")
            values = converted
        out[col] = values.astype("float64")
    return out.set_index("uCode")


def check_weights(meta: CompositeMeta, weights: Mapping[str, float]) -> dict[str, float]:
    """Check a node-weight mapping against ``meta``: known codes, finite, ≥ 0, and every
    aggregate's children keeping a positive total. Returns the weights as floats."""
    out: dict[str, float] = {}
    for code, value in dict(weights).items():
        if code not in meta.nodes:
            raise MetaError(f"weights: expected codes of indicators or aggregates of {meta.source}; found '{code}'")
        try:
            w = float(value)
        except (TypeError, ValueError):
            raise MetaError(f"weights, {code}: expected a number ≥ 0; found {value!r}") from None
        if not math.isfinite(w) or w < 0:
            raise MetaError(f"weights, {code}: expected a finite number ≥ 0; found {value!r}")
        out[code] = w
    merged = {**meta.weights, **out}
    for code in meta.aggregates:
        kids = meta.nodes[code].children
        if any(k in out for k in kids) and not sum(merged[k] for k in kids) > 0:
            raise MetaError(f"weights: expected the children of '{code}' ({', '.join(kids)}) to have a positive "
                            "total weight; found all zero")
    return out


def _read_table(source, name: str | None) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source, name or "<table>"
    path = Path(source)
    label = name or path.name
    if not path.is_file():
        raise MetaError(f"{label}: file not found ({path})")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path), label
    if suffix in (".csv", ".txt") or path.name.endswith(".csv.gz"):
        return pd.read_csv(path, encoding="utf-8-sig"), label
    raise MetaError(f"{label}: expected a .csv or .xlsx file; found {path.suffix or 'no extension'}")
