"""The indicator framework as one tidy table (CSV or XLSX), equivalent to the YAML form.

One row per node::

    code, parent, name_zh, name_en, area, kind, indicator, points, points:department,
    points:subdistrict, target, rule, rule_params, applies_to, missing

* ``parent`` is empty for a first-level node; the tree is rebuilt from it (so a missing
  parent or a cycle is reported with the row that causes it).
* ``points`` is the default 分值; ``points:<peer group or unit class>`` columns override it.
* ``rule`` is the rule type and ``rule_params`` its parameters as ``per=1; deduct=2``.
* ``applies_to`` lists peer groups or classes separated by ``;`` (empty = every unit).
  Peer groups may be written by code or Chinese label (``subdistrict`` or ``街镇``), in
  ``applies_to`` and in ``points:<group>`` headers alike.
* Any other column is an error (with a "did you mean" hint), never ignored.

Framework metadata (code, version, years, grades, missing policy) comes from the YAML file
that names the table (``nodes: nodes.csv``), or, in an XLSX workbook, from a second sheet
``framework`` with ``key`` / ``value`` rows. :func:`framework_to_table` writes the table
of any framework, and reading it back gives the same framework.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..data.strict_yaml import did_you_mean
from ..errors import FrameworkError

NODE_COLUMNS = ["code", "parent", "name_zh", "name_en", "area", "kind", "indicator", "direction", "unit",
                "points", "target", "rule", "rule_params", "applies_to", "missing"]


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _number(source: str, row: int, column: str, text: str) -> float | None:
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise FrameworkError(f"{source}, row {row}, column '{column}': expected a number; found '{text}'") from None


def _rule_params(source: str, row: int, text: str) -> dict:
    params: dict = {}
    for part in filter(None, (p.strip() for p in text.replace("；", ";").split(";"))):
        if "=" not in part:
            raise FrameworkError(f"{source}, row {row}, column 'rule_params': expected name=value "
                                 f"pairs separated by ';'; found '{part}'")
        key, value = (s.strip() for s in part.split("=", 1))
        low = value.lower()
        if value.startswith("["):
            import json

            try:
                params[key] = json.loads(value)
            except ValueError:
                raise FrameworkError(f"{source}, row {row}, column 'rule_params': expected a list like "
                                     f"[[0, 5], [10, 4]] for {key}; found '{value}'") from None
        elif low in ("none", "null"):
            params[key] = None
        elif low in ("true", "false"):
            params[key] = low == "true"
        else:
            params[key] = _number(source, row, "rule_params", value)
    return params


def table_to_nodes(table: pd.DataFrame, source: str, first_row: int = 2) -> list[dict]:
    """Nested node list (the YAML ``nodes`` structure) from a tidy node table."""
    table = table.rename(columns=lambda c: str(c).strip())
    if "code" not in table.columns or "parent" not in table.columns:
        raise FrameworkError(f"{source}: expected columns code and parent (and {', '.join(NODE_COLUMNS[2:])}); "
                             f"found {', '.join(map(str, table.columns))}")
    for column in table.columns:  # a misspelled column would otherwise be ignored
        if column not in NODE_COLUMNS and not (column.startswith("points:") and column[7:].strip()):
            raise FrameworkError(f"{source}, column '{column}': expected one of the columns "
                                 f"{', '.join(NODE_COLUMNS)} or points:<peer group or class>; found "
                                 f"{column!r}{did_you_mean(column, NODE_COLUMNS)}")
    rows: dict[str, dict] = {}
    parents: dict[str, str] = {}
    row_of: dict[str, int] = {}
    order: list[str] = []
    for i, rec in enumerate(table.to_dict("records")):
        row = first_row + i
        code = _cell(rec.get("code"))
        if not code:
            if not any(_cell(v) for v in rec.values()):
                continue
            raise FrameworkError(f"{source}, row {row}, column 'code': expected a node code; found an empty cell")
        if code in rows:
            raise FrameworkError(f"{source}, row {row}, column 'code': expected unique node codes; "
                                 f"found '{code}' again (first on row {row_of[code]})")
        node: dict = {"code": code}
        for key in ("name_zh", "name_en", "area", "kind", "indicator", "missing", "unit"):
            if _cell(rec.get(key)):
                node[key] = _cell(rec.get(key))
        if _cell(rec.get("direction")):
            d = _cell(rec.get("direction"))
            node["direction"] = int(float(d)) if d.lstrip("+-").replace(".", "", 1).isdigit() else d
        points: dict = {}
        default = _number(source, row, "points", _cell(rec.get("points")))
        for col, value in rec.items():
            col = str(col)
            if col.startswith("points:") and _cell(value):
                points[col.split(":", 1)[1]] = _number(source, row, col, _cell(value))
        if points:
            if default is not None:
                points["*"] = default
            node["points"] = points
        elif default is not None:
            node["points"] = default
        target = _number(source, row, "target", _cell(rec.get("target")))
        if target is not None:
            node["target"] = target
        if _cell(rec.get("rule")):
            node["rule"] = {"type": _cell(rec.get("rule")), **_rule_params(source, row, _cell(rec.get("rule_params")))}
        if _cell(rec.get("applies_to")):
            node["applies_to"] = [a.strip() for a in _cell(rec.get("applies_to")).replace("；", ";").split(";") if a.strip()]
        rows[code] = node
        parents[code] = _cell(rec.get("parent"))
        row_of[code] = row
        order.append(code)
    if not rows:
        raise FrameworkError(f"{source}: expected at least one node row; found none")
    for code in order:
        parent = parents[code]
        if parent and parent not in rows:
            raise FrameworkError(f"{source}, row {row_of[code]}, column 'parent': expected the code of "
                                 f"another node; found '{parent}', which is not in the table")
    # Cycle check: follow parents from every node.
    for code in order:
        seen = [code]
        p = parents[code]
        while p:
            if p in seen:
                cycle = " → ".join(seen[seen.index(p):] + [p])
                raise FrameworkError(f"{source}, row {row_of[code]}, column 'parent': expected a tree; "
                                     f"found a cycle {cycle}")
            seen.append(p)
            p = parents[p]
    children: dict[str, list[str]] = {c: [] for c in order}
    roots = []
    for code in order:
        (children[parents[code]] if parents[code] else roots).append(code)

    def nest(code: str) -> dict:
        node = dict(rows[code])
        if children[code]:
            node["children"] = [nest(c) for c in children[code]]
        return node

    return [nest(r) for r in roots]


#: Largest CSV node table read (a real framework's table is a few KB).
_MAX_TABLE_BYTES = 4 * 2**20


def read_node_table(path: Path) -> pd.DataFrame:
    """A framework node table (CSV in UTF-8/GB18030, or the first sheet of an XLSX), read as
    text, under the same size limits as data files (:mod:`evalkit.data.limits`): a hostile
    workbook or an oversized file is refused before it is parsed."""
    from ..data.limits import InputTooLarge, check_columns, check_xlsx, count_header_fields

    try:
        if path.suffix.lower() == ".xlsx":
            check_xlsx(path, path.name)
            return pd.read_excel(path, sheet_name=0, dtype=str)
        if path.stat().st_size > _MAX_TABLE_BYTES:
            raise FrameworkError(f"{path.name}: expected a node table of at most {_MAX_TABLE_BYTES // 2**20} MiB; "
                                 f"found {path.stat().st_size / 2**20:.0f} MiB")
        raw = path.read_bytes()
        check_columns(count_header_fields(raw, None), path.name)
    except InputTooLarge as exc:
        raise FrameworkError(str(exc.problem)) from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FrameworkError(f"{path.name}: expected UTF-8 or GB18030 text; found another encoding")
    import io

    return pd.read_csv(io.BytesIO(raw), encoding=enc, dtype=str, keep_default_na=False)


def read_metadata_sheet(path: Path) -> dict:
    """The ``framework`` sheet of a workbook as a dict (``years`` and ``grades`` parsed)."""
    try:
        meta = pd.read_excel(path, sheet_name="framework", dtype=str, header=0)
    except ValueError:
        raise FrameworkError(f"{path.name}: expected a second sheet 'framework' with key/value rows "
                             "(code, version, …); found none") from None
    out: dict = {}
    for rec in meta.to_dict("records"):
        key, value = _cell(rec.get("key")), _cell(rec.get("value"))
        if key:
            out[key] = value
    if "years" in out:
        out["years"] = [int(y) for y in out["years"].replace("；", ";").replace(",", ";").split(";") if y.strip()]
    if "top_quota" in out:
        out.setdefault("grades", {})["top_quota"] = float(out.pop("top_quota"))
    return out


def framework_to_table(framework) -> pd.DataFrame:
    """The tidy node table of a framework (points per group as ``points:<key>`` columns)."""
    keys = sorted({k for n in framework.walk() for k in n.points if k != "*"})
    records = []
    for n in framework.walk():
        rec = {"code": n.code, "parent": n.parent or "", "name_zh": n.name_zh, "name_en": n.name_en,
               "area": n.area, "kind": n.kind or "", "indicator": n.indicator or "",
               "direction": "" if n.direction is None else n.direction, "unit": n.unit or "",
               "points": n.points.get("*", ""), "target": "" if n.target is None else n.target,
               "rule": n.rule.type if n.rule else "", "rule_params": "",
               "applies_to": ";".join(n.applies_to), "missing": n.missing or ""}
        if n.rule:
            params = {k: getattr(n.rule, k) for k in n.rule.__dataclass_fields__ if k != "type"}
            rec["rule_params"] = "; ".join(f"{k}={_param_text(v)}" for k, v in params.items())
        for k in keys:
            rec[f"points:{k}"] = n.points.get(k, "")
        records.append(rec)
    return pd.DataFrame(records, columns=NODE_COLUMNS + [f"points:{k}" for k in keys])


def _param_text(v) -> str:
    import json

    if isinstance(v, bool):
        return str(v).lower()
    if v is None:
        return "null"
    if isinstance(v, tuple):
        return json.dumps([list(i) if isinstance(i, tuple) else i for i in v])
    return f"{v:g}"
