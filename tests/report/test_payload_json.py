"""The report JSON (issue 11, item 11): ``<unit>.json`` next to ``<unit>.html``/``.pdf``, and
``overview.json``, with the numbers as numbers, a generated schema and a generated page.

One batch of one sample unit is rendered by a module-scoped fixture (warm kernel, as
``evalkit run`` renders); the same report is rendered once more through papermill for the
byte-identity check, and ``evalkit verify`` re-renders it once for the tamper check. The
resume tests replace the renderer by a fake that writes small files; everything else builds
the JSON in-process from the functions the notebook calls.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pandas as pd
import pytest
from test_render import fake_results

from evalkit.report import blocks, overview, payload, present
from evalkit.report.payload_schema import (BLOCK_KEYS, block_keys_from_code, payload_markdown,
                                           payload_schema, schema_text)
from evalkit.report.render import OUTPUT_FORMATS
from evalkit.resources import sample_data_dir, sample_framework_path
from evalkit.results.store import Results, load_results, score_table
from evalkit.run import read_manifest, run_batch, verify_reports
from evalkit.schemas import SCHEMA_DIR

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = SCHEMA_DIR / "report-payload.schema.json"
DOC = REPO / "docs" / "report-payload.md"
UNIT = "D10"  # the sample's unit with a bonus (base + bonus = total)


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def record_of(res, unit: str | None, language: str = "zh") -> dict:
    """The JSON of a report built in-process from the functions the notebook calls."""
    if unit is None:
        sections = overview.overview_sections(res, language, {"year": 2024, "language": language})
        data = payload.overview_data(res, language)
    else:
        sections = present.unit_sections(res, unit, language, {"unit": unit, "year": 2024,
                                                                "language": language})
        data = payload.unit_data(res, unit, language)
    return payload.report_record({"document": sections[0], "sections": sections[1:]},
                                 kind="overview" if unit is None else "unit", year=2024,
                                 language=language, unit_id=unit, data=data, meta=res.meta)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("payload")
    summary = run_batch(sample_data_dir(), sample_framework_path(), 2024, units=[UNIT], out_dir=out,
                        jobs=1, progress=False, overview=False)
    assert summary.ok, summary.describe()
    year_dir = out / "2024"
    path = year_dir / f"{UNIT}.json"
    return SimpleNamespace(out=out, year_dir=year_dir, path=path, bytes=path.read_bytes(),
                           json=json.loads(path.read_bytes()), results=load_results(year_dir / "results"),
                           manifest=read_manifest(year_dir))


# ----------------------------------------------------------------------------------------
# The rendered file
# ----------------------------------------------------------------------------------------

def test_a_rendered_report_has_its_json_next_to_html_and_pdf(batch):
    names = sorted(p.name for p in batch.year_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    assert names == [f"{UNIT}.html", f"{UNIT}.json", f"{UNIT}.pdf", "manifest.json"]
    outputs = batch.manifest["reports"][f"unit/{UNIT}"]["outputs"]
    assert set(outputs) == set(OUTPUT_FORMATS) == {"html", "pdf", "json"}
    assert outputs["json"]["file"] == f"{UNIT}.json" and len(outputs["json"]["sha256"]) == 64


def test_the_json_validates_against_the_committed_schema(batch):
    errors = [e.message for e in validator().iter_errors(batch.json)]
    assert errors == []
    head = batch.json
    assert list(head)[:7] == ["schema", "kind", "unit_id", "year", "period", "language", "framework"]
    assert (head["schema"], head["kind"], head["unit_id"], head["year"], head["period"], head["language"]) == \
        (payload.SCHEMA, "unit", UNIT, 2024, None, "zh")
    assert head["framework"]["version"] == "2024.1" and len(head["framework"]["sha256"]) == 64


def test_the_json_is_written_deterministically(batch):
    text = batch.bytes.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "NaN" not in text and "Infinity" not in text
    assert "\\u" not in text.replace("\\\\", "")  # Chinese as it is, no escapes
    assert text.startswith('{\n  "schema": "evalkit.report/1",\n  "kind": "unit",')
    assert str(batch.out) not in text and "/tmp" not in text
    assert payload.dumps(json.loads(batch.bytes)) == batch.bytes


def test_data_holds_the_results_numbers_as_numbers(batch):
    data, res = batch.json["data"], batch.results
    unit = res.units[res.units["unit_id"] == UNIT].iloc[0]
    for key in ("total_score", "base_score", "bonus", "deduction", "max_score", "score_100", "coverage",
                "prev_score"):
        assert isinstance(data[key], float) and data[key] == float(unit[key]), key  # not rounded
    assert data["rank"] == int(unit["rank"]) and data["n_in_group"] == int(unit["n_in_group"])
    assert data["grade"] == unit["grade"] and data["rank_change"] == int(unit["rank_change"])
    assert data["bonus"] > 0  # D10 has a bonus: its reason is listed
    assert [a["reason"] for a in data["adjustments"] if a["kind"] == "bonus"]
    # every area and leaf is the row of the results, not rounded
    nodes = res.nodes[res.nodes["unit_id"] == UNIT].set_index("code")
    for area in data["areas"]:
        node = nodes.loc[area["code"]]
        assert area["score"] == (None if pd.isna(node["score"]) else float(node["score"]))
    assert len(data["indicators"]) > 10
    for leaf in data["indicators"]:
        node = nodes.loc[leaf["code"]]
        assert leaf["points"] == float(node["points"])
        assert leaf["score"] == (None if pd.isna(node["score"]) else float(node["score"]))
        assert leaf["no_data"] == bool(node["no_data"])
    assert data["rank_interval"]["rank_low"] <= data["rank"] <= data["rank_interval"]["rank_high"]
    assert data["history"][-1]["year"] == 2024


def test_data_equals_scores_csv(batch):
    data = batch.json["data"]
    table = score_table(batch.results)
    rows = table[table["unit_id"] == UNIT].set_index("code")
    total = rows.loc["TOTAL"]
    assert (data["total_score"], data["max_score"], data["score_100"], data["coverage"]) == \
        (total["score"], total["points"], total["contribution"], total["coverage"])
    for row in data["areas"] + data["indicators"]:
        csv = rows.loc[row["code"]]
        for key in ("points", "score", "points_lost"):
            expected = None if pd.isna(csv[key]) else float(csv[key])
            assert row[key] == expected, (row["code"], key)


def test_the_blocks_are_what_the_notebook_displayed_and_lay_out_the_same_pdf(batch, tmp_path):
    from evalkit.report.pdf import payload_to_pdf

    built = record_of(batch.results, UNIT)
    assert batch.json["document"] == built["document"]
    assert batch.json["sections"] == built["sections"]
    assert [s["id"] for s in batch.json["sections"]][:2] == ["summary", "areas"]
    assert any(b["type"] == "figure" and b["svg"].lstrip().startswith("<")
               for s in batch.json["sections"] for b in s["blocks"])  # figures kept inline
    pdf = payload_to_pdf({"document": batch.json["document"], "sections": batch.json["sections"]},
                         tmp_path / "again.pdf")
    assert pdf.read_bytes() == (batch.year_dir / f"{UNIT}.pdf").read_bytes()


def test_rendering_again_through_papermill_gives_the_same_bytes(batch, tmp_path):
    from evalkit.report.render import render_unit_report

    render_unit_report(batch.year_dir / "results", UNIT, 2024, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{UNIT}.{f}" for f in ("html", "json", "pdf")]
    for fmt in OUTPUT_FORMATS:
        assert (tmp_path / f"{UNIT}.{fmt}").read_bytes() == (batch.year_dir / f"{UNIT}.{fmt}").read_bytes(), fmt


def test_verify_finds_a_tampered_json(batch, tmp_path):
    copy = tmp_path / "2024"
    shutil.copytree(batch.year_dir, copy)
    doc = json.loads((copy / f"{UNIT}.json").read_bytes())
    doc["data"]["total_score"] += 10
    (copy / f"{UNIT}.json").write_bytes(payload.dumps(doc))
    result = verify_reports(copy, jobs=1)
    # the HTML and PDF re-render to the recorded bytes, the JSON too; only the edit differs
    assert result.differences == [f"{UNIT}.json: changed on disk since the run (sha256 differs)"]
    assert result.checked == len(OUTPUT_FORMATS) + len(batch.manifest["results"]["files"])


def test_verify_names_a_report_recorded_without_its_json(batch, tmp_path):
    copy = tmp_path / "2024"
    shutil.copytree(batch.year_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["reports"][f"unit/{UNIT}"]
    del entry["outputs"]["json"]          # as an older evalkit wrote it …
    entry["results_key"] = "0" * 64       # … from other inputs (so nothing is re-rendered here)
    (copy / f"{UNIT}.json").unlink()
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    diffs = verify_reports(copy, jobs=1).differences
    assert f"unit/{UNIT}: no JSON recorded in the manifest (written by an older version: run " \
           "`evalkit run` again)" in diffs


# ----------------------------------------------------------------------------------------
# Resume: a missing or changed JSON is a missing report (renderer replaced by a fake)
# ----------------------------------------------------------------------------------------

def test_a_missing_changed_or_unrecorded_json_renders_the_report_again(batch, monkeypatch, tmp_path):
    import evalkit.run
    from evalkit.data.files import sha256_file
    from evalkit.run import RenderOutcome

    monkeypatch.setattr(evalkit.run, "compute_results", lambda *a, **k: batch.results)
    rendered = []

    def fake(job, runner=None):
        rendered.append(job.unit)
        outputs = {}
        for fmt in OUTPUT_FORMATS:
            path = Path(job.out_dir) / f"{job.stem}.{fmt}"
            path.write_text(f"{job.key} {fmt}", encoding="utf-8")
            outputs[fmt] = {"file": path.name, "sha256": sha256_file(path)}
        return RenderOutcome(job.key, job.kind, job.input_key, ok=True, outputs=outputs)

    monkeypatch.setattr(evalkit.run, "render_job", fake)

    def run() -> list[str]:
        rendered.clear()
        summary = run_batch(sample_data_dir(), sample_framework_path(), 2024, units=["D01", "D02"],
                            out_dir=tmp_path, jobs=1, progress=False, overview=False)
        assert summary.ok, summary.describe()
        return sorted(rendered)

    year_dir = tmp_path / "2024"
    assert run() == ["D01", "D02"]
    assert run() == []                                   # unchanged: skipped
    (year_dir / "D01.json").unlink()
    assert run() == ["D01"]                              # missing JSON
    (year_dir / "D02.json").write_text("{}", encoding="utf-8")
    assert run() == ["D02"]                              # changed JSON
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    del manifest["reports"]["unit/D01"]["outputs"]["json"]   # an entry of an earlier version
    (year_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert run() == ["D01"]
    assert set(read_manifest(year_dir)["reports"]["unit/D01"]["outputs"]) == {"html", "pdf", "json"}


def test_a_full_disk_at_the_json_leaves_no_html(monkeypatch, tmp_path):
    import errno
    import os

    import evalkit.report.render as render
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    res = fake_results()
    cells = [new_code_cell("present.show(...)", outputs=[new_output(
        "display_data", data={"text/html": blocks.block_html(b), blocks.MIME_TYPE: b})])
        for b in present.unit_sections(res, "D01", "zh", {"unit": "D01"})]
    nb = new_notebook(cells=cells)
    record = render.report_json(nb, "unit_report", {"unit": "D01", "year": 2024, "language": "zh"}, res)
    real = render._write_temporary

    def disk_full_at_the_json(path, data):
        if path.suffix == ".json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr(render, "_write_temporary", disk_full_at_the_json)
    with pytest.raises(OSError):
        render.write_outputs(nb, tmp_path, "D01", pdf=False, record=record)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(render, "_write_temporary", real)
    written = render.write_outputs(nb, tmp_path, "D01", pdf=False, record=record)
    assert sorted(written) == ["html", "json"]
    assert json.loads(written["json"].read_bytes())["data"]["unit_id"] == "D01"


# ----------------------------------------------------------------------------------------
# The data, in-process
# ----------------------------------------------------------------------------------------

def test_the_overview_json_has_one_row_per_unit_and_validates(batch):
    doc = record_of(batch.results, None, "en")
    assert [e.message for e in validator().iter_errors(json.loads(payload.dumps(doc)))] == []
    assert doc["kind"] == "overview" and doc["unit_id"] is None and doc["language"] == "en"
    units = batch.results.units
    rows = doc["data"]["units"]
    assert [r["unit_id"] for r in rows] == list(units["unit_id"].astype(str))
    assert [r["total_score"] for r in rows] == [float(v) for v in units["total_score"]]
    assert [r["rank"] for r in rows] == [int(v) for v in units["rank"]]
    assert rows[0]["grade_label"] in {"Excellent", "Good", "Pass", "Fail"}
    assert [g["role"] for g in doc["data"]["grades"]][0] == "top"


def test_fields_the_results_lack_are_null_and_key_order_is_stable():
    res = fake_results()  # no base/bonus/deduction, no named tables, a leaf without data
    data = payload.unit_data(res, "D01")
    assert list(data) == [f.name for f in payload.UNIT_FIELDS] + list(payload.UNIT_DATA_LISTS)
    assert data["base_score"] is None and data["bonus"] is None and data["provisional"] is None
    assert data["rank_interval"] is None and data["adjustments"] == [] and data["history"] == []
    assert data["flags"] == [] and data["other_columns"] == {}
    no_data = next(r for r in data["indicators"] if r["code"] == "B2")
    assert no_data["no_data"] is True and no_data["score"] is None and no_data["raw_value"] is None
    assert [list(r) for r in data["indicators"]][0] == [f.name for f in payload.INDICATOR_FIELDS]
    assert [list(r) for r in data["areas"]][0] == [f.name for f in payload.AREA_FIELDS]
    assert payload.unit_data(res, "D01") == data  # a pure function


def test_new_columns_appear_when_the_results_have_them():
    res = fake_results()
    units = res.units.assign(provisional=[True, False, False], base_score=[70.0, 60.0, math.nan],
                             flags=["veto;low_coverage", "", None], published_rank=[1, 2, 3])
    nodes = res.nodes.assign(status=["applicable"] * len(res.nodes))
    nodes.loc[nodes["code"] == "B2", "n"] = math.inf
    res = Results(units=units, nodes=nodes, meta=res.meta)
    data = payload.unit_data(res, "D01")
    assert data["provisional"] is True and data["base_score"] == 70.0
    assert data["flags"] == ["veto", "low_coverage"]
    assert data["other_columns"] == {"published_rank": 1}
    assert {r["status"] for r in data["indicators"] + data["areas"]} == {"applicable"}
    assert next(r for r in data["indicators"] if r["code"] == "B2")["n"] is None  # non-finite → null
    assert payload.unit_data(res, "D03")["base_score"] is None
    doc = payload.report_record({"document": {"type": "document"}, "sections": []}, kind="unit",
                                year=2024, language="zh", unit_id="D01", data=data, meta=res.meta)
    assert b"NaN" not in payload.dumps(doc) and b"Infinity" not in payload.dumps(doc)


def test_blocks_are_canonical_whatever_the_key_order():
    a = payload.canonical_blocks({"type": "paragraph", "text": "x", "style": ""})
    b = payload.canonical_blocks({"style": "", "text": "x", "type": "paragraph"})
    assert json.dumps(a) == json.dumps(b) == '{"style": "", "text": "x", "type": "paragraph"}'


# ----------------------------------------------------------------------------------------
# Schema and page: generated from the code, every key documented
# ----------------------------------------------------------------------------------------

def test_committed_schema_and_page_are_generated_from_the_code():
    # regenerate with: python -m evalkit.report.payload_schema schema > evalkit/schemas/report-payload.schema.json
    #                  python -m evalkit.report.payload_schema markdown > docs/report-payload.md
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()
    assert DOC.read_text(encoding="utf-8") == payload_markdown()
    jsonschema.Draft202012Validator.check_schema(payload_schema())


def test_block_types_and_keys_are_those_the_constructors_give():
    assert {k: set(v) for k, v in BLOCK_KEYS.items()} == block_keys_from_code()
    schema = payload_schema()
    assert schema["$defs"]["block"]["properties"]["type"]["enum"] == list(BLOCK_KEYS)
    assert blocks.MIME_TYPE in DOC.read_text(encoding="utf-8")


def test_every_key_and_block_type_of_the_schema_is_documented():
    page = DOC.read_text(encoding="utf-8")
    schema = payload_schema()
    defs = schema["$defs"]
    keys = set(schema["properties"]) | set(defs["unit_data"]["properties"]) \
        | set(defs["overview_data"]["properties"])
    for name in ("areas", "indicators", "adjustments", "history"):
        keys |= set(defs["unit_data"]["properties"][name]["items"]["properties"])
    keys |= set(defs["unit_data"]["properties"]["rank_interval"]["oneOf"][0]["properties"])
    keys |= set(defs["overview_data"]["properties"]["grades"]["items"]["properties"])
    for key in sorted(keys):
        assert f"| `{key}` |" in page, key
    for kind, spec in BLOCK_KEYS.items():
        assert f"### `{kind}`" in page, kind
        for key in spec:
            assert f"| `{key}` |" in page, (kind, key)
    for word in ("points (分)", "share, 0–1", "0–100", "scores.csv", "null", "SVG", "sha256"):
        assert word in page, word
