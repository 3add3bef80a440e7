"""The JSON Schema and the reference page of the report JSON, generated from the code that
writes it.

``evalkit/schemas/report-payload.schema.json`` and ``docs/report-payload.md`` are this
module's output (``python -m evalkit.report.payload_schema schema`` / ``… markdown``; tests
keep both files current): every field, its type, whether it may be null, its unit of measure
and its source come from the field lists of :mod:`evalkit.report.payload`, and every display
block's keys are those the constructors of :mod:`evalkit.report.blocks` give.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from evalkit.report import blocks
from evalkit.report.payload import (ADJUSTMENT_FIELDS, AREA_FIELDS, GRADE_FIELDS, HEADER_FIELDS,
                                    HISTORY_FIELDS, INDICATOR_FIELDS, KINDS, RANK_INTERVAL_FIELDS,
                                    SCHEMA, UNIT_FIELDS, Field)

__all__ = ["payload_schema", "schema_text", "payload_markdown", "BLOCK_KEYS", "block_keys_from_code"]

#: Every display block type and, for each of its keys, what it holds (the keys are those
#: the constructors in :mod:`evalkit.report.blocks` give; a test checks they agree).
BLOCK_KEYS: dict[str, dict[str, tuple[dict, str]]] = {
    "document": {
        "type": ({"const": "document"}, "Block type."),
        "version": ({"type": "integer"}, "Version of the block layout (evalkit.report.blocks.PAYLOAD_VERSION)."),
        "kind": ({"enum": list(KINDS)}, "unit or overview."),
        "title": ({"type": "string"}, "The report's title."),
        "subtitle": ({"type": "string"}, "Subtitle under the title."),
        "lang": ({"type": "string"}, "BCP 47 language tag of the texts (zh-CN, en)."),
        "language": ({"type": "string"}, "Report language: zh or en."),
        "running_header": ({"type": "string"}, "Running header of the PDF pages."),
        "footer": ({"type": "string"}, "Footer of the PDF pages."),
        "cover": ({"type": "object"}, "The PDF's cover: kicker, title, name, lines ([label, value] pairs), note."),
    },
    "section": {
        "type": ({"const": "section"}, "Block type."),
        "id": ({"type": "string"}, "Stable id of the section (summary, areas, indicators …)."),
        "title": ({"type": "string"}, "Heading."),
        "blocks": ({"type": "array", "items": {"$ref": "#/$defs/block"}}, "The section's blocks, in order."),
        "break_before": ({"type": "boolean"}, "The PDF starts the section on a new page."),
    },
    "cards": {
        "type": ({"const": "cards"}, "Block type."),
        "items": ({"type": "array", "items": {"$ref": "#/$defs/card"}},
                  "Key figures, each label, value (formatted text), notes and style."),
    },
    "table": {
        "type": ({"const": "table"}, "Block type."),
        "columns": ({"type": "array", "items": {"$ref": "#/$defs/column"}}, "Column heads: label, align, width."),
        "rows": ({"type": "array", "items": {"$ref": "#/$defs/row"}}, "Body rows: cells and style."),
        "footer": ({"type": "array", "items": {"$ref": "#/$defs/row"}}, "Total rows under the body."),
        "notes": ({"type": "array", "items": {"type": "string"}}, "Notes printed under the table."),
        "style": ({"type": "string"}, "Layout style of the table."),
        "keep": ({"type": "boolean"}, "The PDF starts the table on a new page rather than split it."),
    },
    "figure": {
        "type": ({"const": "figure"}, "Block type."),
        "svg": ({"type": "string"}, "The chart as SVG text (the same the HTML and the PDF show); its numbers are in data."),
        "caption": ({"type": "string"}, "Caption."),
        "width": ({"type": "number"}, "Width as a share of the text width (0–1)."),
        "alt": ({"type": "string"}, "Text alternative."),
    },
    "paragraph": {
        "type": ({"const": "paragraph"}, "Block type."),
        "text": ({"type": "string"}, "Plain text."),
        "style": ({"type": "string"}, "'', lead, note, muted or warning."),
    },
    "list": {
        "type": ({"const": "list"}, "Block type."),
        "items": ({"type": "array", "items": {"type": "string"}}, "Plain-text items."),
        "ordered": ({"type": "boolean"}, "Numbered list."),
    },
    "keyvalue": {
        "type": ({"const": "keyvalue"}, "Block type."),
        "rows": ({"type": "array", "items": {"$ref": "#/$defs/kv"}}, "Rows: label, value (text or texts), mono."),
    },
    "columns": {
        "type": ({"const": "columns"}, "Block type."),
        "children": ({"type": "array", "items": {"type": "array", "items": {"$ref": "#/$defs/block"}}},
                     "Block lists laid out side by side."),
    },
    "notice": {
        "type": ({"const": "notice"}, "Block type."),
        "text": ({"type": "string"}, "Plain text of the boxed remark."),
        "style": ({"type": "string"}, "info or warning."),
    },
}


def block_keys_from_code() -> dict[str, set[str]]:
    """The keys each constructor of :mod:`evalkit.report.blocks` gives, by block type."""
    made = [
        blocks.document(kind="unit", title="", subtitle="", lang="", language="", running_header="",
                        footer="", cover={}),
        blocks.section("s", "", []), blocks.cards([]), blocks.table([], []), blocks.figure(""),
        blocks.paragraph(""), blocks.bullets([]), blocks.keyvalue([]), blocks.columns([]),
        blocks.notice(""),
    ]
    return {b["type"]: set(b) for b in made}


# ----------------------------------------------------------------------------------------
# The schema
# ----------------------------------------------------------------------------------------

def _describe(f: Field) -> str:
    text = f.description
    if f.unit:
        text += f" Unit: {f.unit}."
    if f.source:
        text += f" Source: {f.source}."
    return text


def _field_schema(f: Field) -> dict:
    if f.type == "array":
        base: dict = {"type": "array", "items": {"type": "string"}}
    elif f.type == "object":
        base = {"type": "object"}
    else:
        base = {"type": [f.type, "null"] if f.nullable else f.type}
    return {**base, "description": _describe(f)}


def _object(fields: Sequence[Field], extra: dict | None = None, description: str = "") -> dict:
    properties = {f.name: _field_schema(f) for f in fields}
    properties.update(extra or {})
    out = {"type": "object", "required": list(properties), "additionalProperties": False,
           "properties": properties}
    if description:
        out = {"description": description, **out}
    return out


_OTHER = {"type": "object", "additionalProperties": {"type": ["string", "number", "integer", "boolean", "null"]},
          "description": ("Every further column of the results' units table, in table order, as JSON values "
                          "(missing and non-finite numbers null); empty when there is none.")}


_OTHER_INTERVAL = {**_OTHER, "description": ("Every further column of the results' rank_intervals table "
                                             "(e.g. the rank band), as JSON values.")}


def _block_defs() -> dict:
    defs = {}
    for kind, keys in BLOCK_KEYS.items():
        properties = {k: {**schema, "description": text} for k, (schema, text) in keys.items()}
        defs[f"block_{kind}"] = {"type": "object", "required": list(properties), "properties": properties,
                                 "additionalProperties": True}
    return defs


def payload_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a report's JSON (``<unit>.json``, ``overview.json``)."""
    header = {f.name: _field_schema(f) for f in HEADER_FIELDS}
    header["schema"] = {"const": SCHEMA, "description": header["schema"]["description"]}
    header["kind"] = {"enum": list(KINDS), "description": header["kind"]["description"]}
    header["framework"] = {
        "type": "object", "required": ["code", "version", "sha256"], "additionalProperties": False,
        "description": header["framework"]["description"],
        "properties": {"code": {"type": ["string", "null"]}, "version": {"type": ["string", "null"]},
                       "sha256": {"type": ["string", "null"]}}}
    header["document"] = {"$ref": "#/$defs/block_document", "description": header["document"]["description"]}
    header["sections"] = {"type": "array", "items": {"$ref": "#/$defs/block_section"},
                          "description": header["sections"]["description"]}
    header["data"] = {"type": "object", "description": header["data"]["description"]}
    unit_row = _object(UNIT_FIELDS, {"other_columns": _OTHER})
    unit_data = _object(UNIT_FIELDS, {
        "other_columns": _OTHER,
        "rank_interval": {"oneOf": [_object(RANK_INTERVAL_FIELDS, {"other_columns": _OTHER_INTERVAL}),
                                    {"type": "null"}],
                          "description": "The rank interval of the sensitivity analysis; null when not computed."},
        "areas": {"type": "array", "items": _object(AREA_FIELDS),
                  "description": "The unit's level-1 areas in framework order."},
        "indicators": {"type": "array", "items": _object(INDICATOR_FIELDS),
                       "description": "The unit's leaf indicators, each area's together, areas in framework order."},
        "adjustments": {"type": "array", "items": _object(ADJUSTMENT_FIELDS),
                        "description": "The unit's bonus, deduction and veto decisions; empty when none."},
        "history": {"type": "array", "items": _object(HISTORY_FIELDS),
                    "description": "Score and rank in every year the data cover, oldest first; empty when none."},
    }, "The numbers of a unit report.")
    overview = {
        "type": "object", "description": "The numbers of the district overview.",
        "required": ["year", "framework_version", "grades", "units"], "additionalProperties": False,
        "properties": {
            "year": {"type": ["integer", "null"], "description": "Evaluation year."},
            "framework_version": {"type": ["string", "null"], "description": "Framework version."},
            "grades": {"type": "array", "items": _object(GRADE_FIELDS),
                       "description": "The grade bands, best first."},
            "units": {"type": "array", "items": {"$ref": "#/$defs/unit_row"},
                      "description": "One object per unit, in the order of the results' units table "
                                     "(peer group, rank, unit id)."},
        },
    }
    block_types = list(BLOCK_KEYS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "evalkit-report-payload.schema.json",
        "title": "evalkit report JSON (<unit>.json, overview.json)",
        "description": ("The machine-readable twin of a report: its numbers as numbers (data) and its display "
                        "blocks as the notebook displayed them (document, sections). Generated by "
                        "evalkit.report.payload_schema; see docs/report-payload.md."),
        "type": "object",
        "required": list(header),
        "additionalProperties": False,
        "properties": header,
        "allOf": [
            {"if": {"properties": {"kind": {"const": "unit"}}},
             "then": {"properties": {"unit_id": {"type": "string"}, "data": {"$ref": "#/$defs/unit_data"}}}},
            {"if": {"properties": {"kind": {"const": "overview"}}},
             "then": {"properties": {"unit_id": {"type": "null"}, "data": {"$ref": "#/$defs/overview_data"}}}},
        ],
        "$defs": {
            "unit_data": unit_data,
            "overview_data": overview,
            "unit_row": unit_row,
            "block": {"type": "object", "required": ["type"],
                      "properties": {"type": {"enum": block_types}},
                      "allOf": [{"if": {"properties": {"type": {"const": t}}},
                                 "then": {"$ref": f"#/$defs/block_{t}"}} for t in block_types]},
            **_block_defs(),
            "card": {"type": "object", "required": ["label", "value", "notes", "style"],
                     "properties": {"label": {"type": "string"}, "value": {"type": "string"},
                                    "notes": {"type": "array", "items": {"type": "string"}},
                                    "style": {"type": "string"}}},
            "column": {"type": "object", "required": ["label", "align"],
                       "properties": {"label": {"type": "string"}, "align": {"enum": ["left", "right", "center"]},
                                      "width": {"type": ["number", "null"]}}},
            "row": {"type": "object", "required": ["cells"],
                    "properties": {"cells": {"type": "array", "items": {"$ref": "#/$defs/cell"}},
                                   "style": {"type": "string"}}},
            "cell": {"oneOf": [
                {"type": "string"},
                {"type": "object", "required": ["text"],
                 "properties": {"text": {"type": "string"}, "style": {"type": "string"},
                                "bar": {"type": "number", "minimum": 0, "maximum": 1},
                                "sub": {"type": "string"}}},
            ], "description": "Formatted text, or text with a style, a bar (0–1) and a second line."},
            "kv": {"type": "object", "required": ["label", "value"],
                   "properties": {"label": {"type": "string"},
                                  "value": {"oneOf": [{"type": "string"},
                                                      {"type": "array", "items": {"type": "string"}}]},
                                  "mono": {"type": "boolean"}}},
        },
    }


def schema_text() -> str:
    """The schema as the committed file holds it (indented JSON, UTF-8, final newline)."""
    return json.dumps(payload_schema(), ensure_ascii=False, indent=2) + "\n"


# ----------------------------------------------------------------------------------------
# The page
# ----------------------------------------------------------------------------------------

def _type_text(f: Field) -> str:
    kind = f"array of {f.items}" if f.type == "array" else f.type
    return f"{kind} or null" if f.nullable else kind


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _field_table(fields: Sequence[Field], extra: Sequence[tuple[str, str, str, str, str]] = ()) -> list[str]:
    lines = ["| key | type | unit | meaning | source |", "|---|---|---|---|---|"]
    for f in fields:
        lines.append(f"| `{f.name}` | {_type_text(f)} | {_cell(f.unit) or '—'} | {_cell(f.description)} | "
                     f"{_cell(f.source) or '—'} |")
    for name, kind, unit, meaning, source in extra:
        lines.append(f"| `{name}` | {kind} | {unit} | {_cell(meaning)} | {source} |")
    return lines


_INTRO = f"""\
# The report JSON (`<unit>.json`, `overview.json`)

Generated from the code that writes it (`python -m evalkit.report.payload_schema markdown >
docs/report-payload.md`); the JSON Schema is `evalkit/schemas/report-payload.schema.json`
(`python -m evalkit.report.payload_schema schema`), draft 2020-12.

Next to every report `evalkit run` writes its numbers and its content as JSON: `D01.json` next
to `D01.html` and `D01.pdf` (the file stem is the unit id, or its safe form:
`evalkit.report.render.safe_filename`), and `overview.json` next to `overview.html` and
`overview.pdf`. The three files of a report come from one execution of the report notebook and
appear together or not at all. Another tool that reads the JSON shows the same numbers as the
report and as `scores.csv` (`evalkit score`).

* **Numbers are numbers.** `data` holds the values of the saved results (`OUT/<year>/results/`),
  never formatted text: floats exactly as the results hold them (the shortest decimal text that
  reads back to the same double — what `scores.csv` writes), integers for ranks and counts, and
  `null` for a missing or non-finite value. The report rounds for display; the JSON does not.
* **The same numbers as `scores.csv`.** For a unit, `data.total_score` is the `score` of its
  `TOTAL` row in `scores.csv`, `data.max_score` its `points`, `data.score_100` its
  `contribution`, `data.coverage` its `coverage`; `data.rank`, `data.n_in_group` and `data.grade`
  its `rank`, `n_in_group` and `grade`. Each entry of `data.areas` and `data.indicators` is the
  `scores.csv` row of the same `code` (`points`, `score`, `points_lost`, `coverage`, `n`,
  `no_data`, `raw_value`, `target`).
* **Every field is always there.** A field the results do not record (e.g. `provisional`, or a
  node's `status`) is `null`, never left out, so a reader need not test for keys. Further
  columns of the results' units table appear under `other_columns`.
* **Display blocks as displayed.** `document` and `sections` are the blocks the notebook
  displayed (MIME type `{blocks.MIME_TYPE}`, see `evalkit/report/blocks.py`) — what the
  PDF is laid out from: `evalkit.report.pdf.payload_to_pdf({{"document": j["document"],
  "sections": j["sections"]}}, out)` lays out the same PDF. Their texts are formatted for
  reading (rounded, with units); use `data` for numbers. **Figures are kept inline** as their SVG
  text (`figure.svg`), the same SVG the HTML and PDF show, so the JSON alone reproduces the
  report; the figures' numbers are in `data`. Every object of the blocks has its keys sorted; a
  reader must ignore keys it does not know (blocks may gain keys without a new schema version).
* **Deterministic.** UTF-8 without `\\u` escapes, 2-space indent, a final newline, key order as
  listed below (header, `data`, blocks), no time and no path: the same inputs give byte-identical
  files. `manifest.json` lists each file under its report's `outputs` as `"json": {{"file",
  "sha256"}}`, like the HTML and the PDF; `evalkit verify` checks its SHA-256 and re-renders it,
  and `evalkit run` re-renders a report whose JSON is missing or changed, as it does for a missing
  HTML.
* **Versioned.** `schema` is `"{SCHEMA}"`; a change a reader must know about changes the number.
"""


def payload_markdown() -> str:
    """``docs/report-payload.md``."""
    lines = [_INTRO.rstrip("\n"), "", "## Top-level keys", "",
             "In this order in every file.", ""]
    lines += _field_table(HEADER_FIELDS)
    lines += ["", "## `data` of a unit report (`kind` = `unit`)", "",
              "The unit's row of the results' `units` table, then its lists, in this order.", ""]
    lines += _field_table(UNIT_FIELDS, [
        ("other_columns", "object", "—", "Every further column of the units table, in table order "
         "(name → JSON value).", "units"),
        ("rank_interval", "object or null", "—", "The sensitivity analysis's rank interval (fields below); "
         "null when not computed.", "rank_intervals"),
        ("areas", "array", "—", "Level-1 areas in framework order (fields below).", "nodes, level 1"),
        ("indicators", "array", "—", "Leaf indicators, each area's together (fields below).", "nodes, leaves"),
        ("adjustments", "array", "—", "Bonus, deduction and veto decisions (fields below); empty when none.",
         "adjustments"),
        ("history", "array", "—", "Score and rank per year, oldest first (fields below); empty when none.",
         "history"),
    ])
    lines += ["", "### `data.rank_interval`", ""] + _field_table(RANK_INTERVAL_FIELDS, [
        ("other_columns", "object", "—", "Every further column of the rank_intervals table (e.g. the rank "
         "band), name → JSON value.", "rank_intervals")])
    for title, fields in (("`data.areas[]`", AREA_FIELDS), ("`data.indicators[]`", INDICATOR_FIELDS),
                          ("`data.adjustments[]`", ADJUSTMENT_FIELDS), ("`data.history[]`", HISTORY_FIELDS)):
        lines += ["", f"### {title}", ""] + _field_table(fields)
    lines += ["", "## `data` of the overview (`kind` = `overview`)", ""]
    lines += ["| key | type | unit | meaning | source |", "|---|---|---|---|---|",
              "| `year` | integer or null | year | Evaluation year. | meta.year |",
              "| `framework_version` | string or null | — | Framework version. | meta.framework_version |",
              "| `grades` | array | — | The grade bands, best first (fields below). | meta.grades |",
              "| `units` | array | — | One object per unit in the order of the units table (peer group, "
              "rank, unit id), with the unit fields of a unit report's `data` and `other_columns`. | units |"]
    lines += ["", "### `data.grades[]`", ""] + _field_table(GRADE_FIELDS)
    lines += ["", "## Display blocks", "",
              "`document` is a `document` block; `sections` holds `section` blocks whose `blocks` are any of "
              "the types below (a `columns` block holds lists of blocks). Keys in the order of the "
              "schema; in the file they are sorted.", ""]
    for kind, keys in BLOCK_KEYS.items():
        lines += [f"### `{kind}`", "", "| key | meaning |", "|---|---|"]
        lines += [f"| `{k}` | {_cell(text)} |" for k, (_, text) in keys.items()]
        lines.append("")
    lines += ["A table cell is a string or an object with `text` and optional `style`, `bar` (0–1, a bar "
              "under the number) and `sub` (a second, smaller line). Every text is plain text, never markup.",
              ""]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m evalkit.report.payload_schema schema|markdown
    which = sys.argv[1] if len(sys.argv) > 1 else "schema"
    if which not in ("schema", "markdown"):
        sys.exit("usage: python -m evalkit.report.payload_schema schema|markdown")
    sys.stdout.write(schema_text() if which == "schema" else payload_markdown())
