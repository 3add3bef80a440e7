"""The tidy-table form of a framework: round trip, metadata sheet, and precise errors."""

import json

import pandas as pd
import pytest
import yaml

from evalkit.errors import FrameworkError
from evalkit.scoring.framework import load_framework
from evalkit.scoring.framework_table import framework_to_table, table_to_nodes
from evalkit.resources import sample_framework_path
from evalkit.schemas import FRAMEWORK_SCHEMA


@pytest.fixture(scope="module")
def sample():
    return load_framework(sample_framework_path())


def test_yaml_and_csv_table_give_the_same_framework(sample, tmp_path):
    framework_to_table(sample).to_csv(tmp_path / "nodes.csv", index=False)
    doc = yaml.safe_load(sample_framework_path().read_text(encoding="utf-8"))
    doc["nodes"] = "nodes.csv"
    (tmp_path / "fw.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    again = load_framework(tmp_path / "fw.yaml")
    assert again.nodes == sample.nodes and again.roots == sample.roots
    assert again.grades == sample.grades and again.adjustments == sample.adjustments


def test_xlsx_workbook_with_metadata_sheet(sample, tmp_path):
    path = tmp_path / "fw.xlsx"
    with pd.ExcelWriter(path) as xl:
        framework_to_table(sample).to_excel(xl, sheet_name="nodes", index=False)
        pd.DataFrame({"key": ["code", "version", "years", "missing_policy", "top_quota"],
                      "value": ["sample-district", "2024.1", "2022;2023;2024", "peer_mean", "0.2"]}
                     ).to_excel(xl, sheet_name="framework", index=False)
    fw = load_framework(path)
    assert fw.nodes == sample.nodes and fw.version == "2024.1" and fw.years == (2022, 2023, 2024)


def rows(*records):
    return pd.DataFrame(records, columns=["code", "parent", "area", "indicator", "points", "rule", "rule_params"]).fillna("")


LEAF = ("L1", "A", "", "service_on_time_rate", "5", "threshold_deduct", "per=1; deduct=2")


@pytest.mark.parametrize("table,message", [
    (rows(("A", "", "efficiency", "", "", "", ""), ("L1", "B", "", "service_on_time_rate", "5", "", "")),
     r"row 3, column 'parent'.*'B', which is not in the table"),
    (rows(("A", "C", "efficiency", "", "", "", ""), ("C", "A", "efficiency", "", "", "", ""), LEAF),
     r"row 2, column 'parent'.*cycle A → C → A"),
    (rows(("A", "", "efficiency", "", "", "", ""), LEAF, LEAF), r"row 4, column 'code'.*'L1' again \(first on row 3\)"),
    (rows(("A", "", "efficiency", "", "", "", ""), ("L1", "A", "", "service_on_time_rate", "five", "", "")),
     r"row 3, column 'points': expected a number; found 'five'"),
    (rows(("A", "", "efficiency", "", "", "", ""), ("L1", "A", "", "service_on_time_rate", "5", "binary", "target")),
     r"row 3, column 'rule_params'"),
])
def test_bad_tables_name_row_and_column(table, message):
    with pytest.raises(FrameworkError, match=message):
        table_to_nodes(table, "nodes.csv")


def test_unknown_rule_in_a_table_is_one_clear_error(tmp_path):
    table = rows(("A", "", "efficiency", "", "", "", ""), ("L1", "A", "", "service_on_time_rate", "5", "magic", ""))
    table.to_csv(tmp_path / "nodes.csv", index=False)
    (tmp_path / "fw.yaml").write_text("code: t\nversion: '1'\nnodes: nodes.csv\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"node L1, rule: expected a rule type"):
        load_framework(tmp_path / "fw.yaml")


def test_csv_alone_needs_its_yaml(tmp_path):
    (tmp_path / "nodes.csv").write_text("code,parent\nA,\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="needs a YAML file"):
        load_framework(tmp_path / "nodes.csv")


def test_published_json_schema_accepts_the_sample_and_rejects_typos():
    import jsonschema

    schema = json.loads(FRAMEWORK_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = yaml.safe_load(sample_framework_path().read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    doc["nodes"][0]["children"][0]["pionts"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_list_parameters_survive_the_table_round_trip():
    from evalkit.scoring.framework import parse_framework

    doc = {"code": "t", "version": "1", "nodes": [{"code": "A", "area": "finance", "children": [
        {"code": "A1", "indicator": "budget_adjustment_rate", "points": 5,
         "rule": {"type": "band_table", "bands": [[0, 5], [10, 4], [20, 3]]}},
        {"code": "A2", "indicator": "budget_execution_rate", "points": 6,
         "rule": {"type": "rank_points", "table": [6, 5, 4], "step": 0.5}},
        {"code": "A3", "indicator": "staffing_control_rate", "points": 1,
         "rule": {"type": "checklist_deduct", "per_item": 0.5, "zero_at": None}}]}]}
    fw = parse_framework(doc)
    table = framework_to_table(fw).astype(str).replace("nan", "")
    again = parse_framework({"code": "t", "version": "1", "nodes": table_to_nodes(table, "t.csv")})
    assert again.nodes == fw.nodes
