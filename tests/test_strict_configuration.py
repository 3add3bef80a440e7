"""Strict configuration (issue 16, item 2): nothing in a configuration file is silently ignored.

Reproduces each failure of "Silent configuration" and the YAML limits of "Unbounded
resources": duplicate keys (``target``, ``top_quota``, rubric ``min_raters``) are refused
with file, line and key; misspelled keys (``top_qouta``, ``missing_polcy`` …) at every level
of the framework, the rubric, the scheme file and the indicator settings are refused with a
"did you mean"; the Chinese labels of the peer groups (``街镇``, ``部门``) are accepted wherever
codes are and mean the same; a key that is neither a peer group nor a unit class is an
error; a framework is checked completely at load (a ``threshold_deduct`` or ``binary`` leaf
without target, a target of 0.95 for a percentage); a YAML alias bomb of 600 bytes and a
document over the size limit are refused in under a second.
"""

from __future__ import annotations

import shutil
import time

import pytest

from evalkit.cli import main
from evalkit.configuration import load_configuration
from evalkit.data.dataset import load_dataset
from evalkit.data.strict_yaml import MAX_YAML_BYTES, did_you_mean, parse_yaml
from evalkit.errors import EvalkitError, FrameworkError, SensitivityError
from evalkit.indicators.parameters import IndicatorParameterError, load_indicator_parameters
from evalkit.qualitative import RubricError, load_rubric
from evalkit.scoring.framework import (ADJUSTMENT_KEYS, FRAMEWORK_KEYS, GRADE_KEYS, NODE_KEYS, load_framework,
                                       parse_framework)
from evalkit.scoring.model import scoring_model
from evalkit.scoring.schema import framework_schema
from evalkit.sensitivity import load_schemes
from tests.helpers import SAMPLE

YEAR = 2024
FRAMEWORK = (SAMPLE / "framework.yaml").read_text(encoding="utf-8")
RUBRIC = (SAMPLE / "rubric.yaml").read_text(encoding="utf-8")
SCHEMES = (SAMPLE / "schemes.yaml").read_text(encoding="utf-8")


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def line_number(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``fragment``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if fragment in line]
    return hits[occurrence - 1]


# --- duplicate keys --------------------------------------------------------------------------


def test_a_duplicate_target_names_the_file_the_line_and_the_key(tmp_path):
    text = edited(FRAMEWORK, "        target: 99.5\n", "        target: 99.5\n        target: 90\n")
    path = write(tmp_path, "framework.yaml", text)
    with pytest.raises(FrameworkError) as err:
        load_framework(path)
    message = str(err.value)
    second = line_number(text, "target: 90")
    assert "framework.yaml" in message and f"line {second}" in message and "'target'" in message
    assert f"first on line {second - 1}" in message


def test_a_duplicate_top_quota_is_refused(tmp_path):
    text = edited(FRAMEWORK, "  top_quota: 0.2", "  top_quota: 0.2\n  top_quota: 0.5\n ")
    with pytest.raises(FrameworkError, match=r"framework\.yaml, line \d+.*'top_quota' again"):
        load_framework(write(tmp_path, "framework.yaml", text))


def test_a_duplicate_min_raters_in_the_rubric_is_refused(tmp_path):
    text = edited(RUBRIC, "  min_raters: 5\n", "  min_raters: 5\n  min_raters: 1\n")
    with pytest.raises(RubricError, match=r"rubric\.yaml, line \d+.*'min_raters' again"):
        load_rubric(write(tmp_path, "rubric.yaml", text))


def test_duplicate_keys_in_schemes_and_indicator_settings_are_refused(tmp_path):
    text = edited(SCHEMES, "  equal: equal\n", "  equal: equal\n  equal: entropy\n")
    with pytest.raises(SensitivityError, match=r"schemes\.yaml, line \d+.*'equal' again"):
        load_schemes(write(tmp_path, "schemes.yaml", text))
    path = write(tmp_path, "indicators.yaml", "hotline_signed_rate: {hours: 2, hours: 8}\n")
    with pytest.raises(IndicatorParameterError, match=r"indicators\.yaml, line 1.*'hours' again"):
        load_indicator_parameters(path)


def test_keys_merged_from_an_anchor_may_be_overridden():
    doc = parse_yaml("base: &b {per: 1, deduct: 2}\nrule:\n  <<: *b\n  deduct: 3\n", "t.yaml")
    assert doc["rule"] == {"per": 1, "deduct": 3}


# --- unknown keys, with a hint ----------------------------------------------------------------


@pytest.mark.parametrize("old, new, wrong, hint", [
    ("  top_quota: 0.2", "  top_qouta: 0.2", "top_qouta", "top_quota"),
    ("missing_policy: peer_mean", "missing_polcy: peer_mean", "missing_polcy", "missing_policy"),
    ("  bonus_cap: 3", "  bonus_cp: 3", "bonus_cp", "bonus_cap"),
    ("        target: 99.5\n", "        taget: 99.5\n", "taget", "target"),
    ("{type: threshold_deduct, per: 1, deduct: 2}", "{type: threshold_deduct, per: 1, dedcut: 2}", "dedcut",
     "deduct"),
    ("    area: efficiency\n", "    aera: efficiency\n", "aera", "area"),
])
def test_misspelled_framework_keys_are_refused_with_a_hint(tmp_path, old, new, wrong, hint):
    text = edited(FRAMEWORK, old, new)
    with pytest.raises(FrameworkError) as err:
        load_framework(write(tmp_path, "framework.yaml", text))
    message = str(err.value)
    assert "framework.yaml" in message and f"did you mean '{hint}'?" in message, message
    assert f"'{wrong}'" in message and f"line {line_number(text, wrong)}" in message, message


def test_the_framework_key_lists_are_the_schemas():
    schema = framework_schema()
    assert set(FRAMEWORK_KEYS) == set(schema["properties"])
    assert set(GRADE_KEYS) == set(schema["properties"]["grades"]["properties"])
    assert set(ADJUSTMENT_KEYS) == set(schema["properties"]["adjustments"]["properties"])
    assert set(NODE_KEYS) == set(schema["$defs"]["node"]["properties"])


@pytest.mark.parametrize("old, new, hint", [
    ("  min_raters: 5\n", "  min_ratres: 5\n", "min_raters"),
    ("  min_voters: 5\n", "  min_votres: 5\n", "min_voters"),
    ("  min_responses: 5\n", "  min_respones: 5\n", "min_responses"),
    ("aggregation:\n", "agregation:\n", "aggregation"),
])
def test_misspelled_rubric_keys_are_refused_with_a_hint(tmp_path, old, new, hint):
    text = edited(RUBRIC, old, new)
    with pytest.raises(RubricError) as err:
        load_rubric(write(tmp_path, "rubric.yaml", text))
    message = str(err.value)
    assert "rubric.yaml" in message and f"did you mean '{hint}'?" in message, message
    assert f"line {line_number(text, new.strip())}" in message, message


@pytest.mark.parametrize("old, new, hint", [
    ("schemes:\n", "schemas:\n", "schemes"),
    ("  entropy: entropy\n", "  entropy: entropi\n", "entropy"),
    ("  citizen_first:\n    # A hand-set variant: half the weight on public service and satisfaction.\n    weights:",
     "  citizen_first:\n    # A hand-set variant: half the weight on public service and satisfaction.\n    weigths:",
     "weights"),
    ("        criteria: [SAT01, SAT02, SAT03]", "        critera: [SAT01, SAT02, SAT03]", "criteria"),
])
def test_misspelled_scheme_keys_are_refused_with_a_hint(tmp_path, old, new, hint):
    text = edited(SCHEMES, old, new)
    with pytest.raises(SensitivityError) as err:
        load_schemes(write(tmp_path, "schemes.yaml", text))
    message = str(err.value)
    assert "schemes.yaml" in message and f"did you mean '{hint}'?" in message, message


def test_misspelled_indicator_settings_are_refused_with_a_hint(tmp_path):
    with pytest.raises(IndicatorParameterError, match=r"did you mean 'hotline_signed_rate'\?"):
        load_indicator_parameters(write(tmp_path, "indicators.yaml", "hotline_signed_rte: {hours: 2}\n"))
    with pytest.raises(IndicatorParameterError, match=r"line 2.*did you mean 'hours'\?"):
        load_indicator_parameters(write(tmp_path, "indicators.yaml", "hotline_signed_rate:\n  hour: 2\n"))


def test_an_unknown_column_of_a_node_table_is_refused_with_a_hint(tmp_path):
    from evalkit.scoring.framework_table import framework_to_table

    table = framework_to_table(load_framework(SAMPLE / "framework.yaml")).rename(columns={"target": "taget"})
    table.to_csv(tmp_path / "nodes.csv", index=False)
    write(tmp_path, "fw.yaml", "code: t\nversion: '1'\nnodes: nodes.csv\n")
    with pytest.raises(FrameworkError, match=r"nodes\.csv.*'taget'.*did you mean 'target'\?"):
        load_framework(tmp_path / "fw.yaml")


def test_did_you_mean():
    assert did_you_mean("top_qouta", ["top_quota", "bands"]) == " (did you mean 'top_quota'?)"
    assert did_you_mean("zzz", ["top_quota", "bands"]) == ""


# --- peer groups and unit classes by their Chinese labels ----------------------------------


def with_labels(text: str) -> str:
    return text.replace("department:", "部门:").replace("subdistrict:", "街镇:")


def test_chinese_labels_of_peer_groups_mean_their_codes(tmp_path):
    text = with_labels(FRAMEWORK)
    assert "街镇:" in text and "subdistrict" not in text.split("nodes:")[1]
    labelled = load_framework(write(tmp_path, "framework.yaml", text))
    sample = load_framework(SAMPLE / "framework.yaml")
    assert [n.points for n in labelled.leaves()] == [n.points for n in sample.leaves()]


def test_applies_to_by_label(tmp_path):
    doc = {"code": "t", "version": "1", "nodes": [{"code": "A", "area": "efficiency", "children": [
        {"code": "L1", "indicator": "service_on_time_rate", "points": {"部门": 4, "街镇": 8}, "target": 99,
         "rule": {"type": "threshold_deduct"}, "applies_to": "街镇"},
        {"code": "L2", "indicator": "service_online_rate", "points": 5, "applies_to": ["部门", "镇"]}]}]}
    fw = parse_framework(doc, source="fw.yaml")
    assert fw.nodes["L1"].points == {"department": 4.0, "subdistrict": 8.0}
    assert fw.nodes["L1"].applies_to == ("subdistrict",)
    assert fw.nodes["L2"].applies_to == ("department", "镇")  # 镇 is a unit class
    assert fw.nodes["L1"].points_for("subdistrict", "街道") == 8.0
    assert fw.nodes["L1"].points_for("department", "综合管理类") == 0.0  # applies to 街镇 only


def test_a_code_and_its_label_in_one_mapping_are_refused():
    doc = {"code": "t", "version": "1", "nodes": [{"code": "A", "area": "efficiency", "children": [
        {"code": "L1", "indicator": "service_online_rate", "points": {"subdistrict": 4, "街镇": 8}}]}]}
    with pytest.raises(FrameworkError, match=r"node L1.*points.*subdistrict.*街镇"):
        parse_framework(doc, source="fw.yaml")


@pytest.fixture(scope="module")
def sample_dataset():
    return load_dataset(SAMPLE, years=[YEAR])


def test_sub_districts_are_scored_out_of_the_full_points_with_labels(tmp_path, sample_dataset):
    labelled = load_framework(write(tmp_path, "framework.yaml", with_labels(FRAMEWORK)))
    model = scoring_model(sample_dataset, labelled, YEAR)
    # every unit without a not-applicable declaration has the full 100 points; with one, 100
    # less the declared leaves' points
    full = ~model.excluded.any(axis=1)
    assert full.sum() > 0 and model.max_score[full] == pytest.approx(100.0)
    assert (model.max_score[~full] < 100.0).all()


def test_a_key_that_is_neither_peer_group_nor_unit_class_is_an_error(tmp_path, sample_dataset):
    text = edited(FRAMEWORK, "points: {department: 3, subdistrict: 6}", "points: {department: 3, 街道办: 6}")
    framework = load_framework(write(tmp_path, "framework.yaml", text.replace("total_points: 100", "")))
    with pytest.raises(FrameworkError) as err:
        scoring_model(sample_dataset, framework, YEAR)
    message = str(err.value)
    assert "framework.yaml" in message and "'街道办'" in message and "did you mean '街道'?" in message
    assert f"line {line_number(text, '街道办')}" in message


def test_total_points_are_checked_for_every_peer_group_and_class(tmp_path, sample_dataset):
    text = edited(FRAMEWORK, "points: {department: 3, subdistrict: 6}",
                  "points: {department: 3, subdistrict: 6, 镇: 4}")
    framework = load_framework(write(tmp_path, "framework.yaml", text))  # 镇 may be a class: load is fine
    with pytest.raises(FrameworkError, match=r"total_points.*100.*'subdistrict'.*'镇'.*found 98"):
        scoring_model(sample_dataset, framework, YEAR)


# --- a framework is checked completely at load ---------------------------------------------------


def leaf(**changes):
    node = {"code": "EFF01", "name_zh": "按时办结率", "indicator": "service_on_time_rate", "points": 5,
            "target": 99, "rule": {"type": "threshold_deduct", "per": 1, "deduct": 1}}
    node.update(changes)
    return {"code": "t", "version": "1", "nodes": [{"code": "A", "area": "efficiency", "children": [node]}]}


@pytest.mark.parametrize("rule", ["threshold_deduct", "binary"])
def test_a_rule_that_needs_a_target_without_one_fails_at_load(tmp_path, rule):
    text = edited(FRAMEWORK, "        target: 99.5\n        rule: {type: threshold_deduct, per: 1, deduct: 2}",
                  f"        rule: {{type: {rule}}}")
    with pytest.raises(FrameworkError) as err:
        load_framework(write(tmp_path, "framework.yaml", text))
    message = str(err.value)
    assert "framework.yaml" in message and "node EFF01" in message and "target" in message
    assert f"line {line_number(text, 'code: EFF01')}" in message


def test_a_share_as_target_of_a_percentage_is_an_error(tmp_path):
    text = edited(FRAMEWORK, "        target: 99.5\n", "        target: 0.95\n")
    with pytest.raises(FrameworkError) as err:
        load_framework(write(tmp_path, "framework.yaml", text))
    message = str(err.value)
    assert "0.95 looks like a share; targets of percentage indicators are in %" in message
    assert "node EFF01" in message and f"line {line_number(text, 'target: 0.95')}" in message


@pytest.mark.parametrize("rule", [
    {"type": "linear_band", "low": 0.5, "high": 0.95},
    {"type": "goalposts", "lower": 0, "upper": 0.9},
    {"type": "band_table", "bands": [[0.95, 5], [0.9, 3]]},
])
def test_rule_bounds_given_as_shares_for_a_percentage_are_errors(rule):
    with pytest.raises(FrameworkError, match="looks like a share"):
        parse_framework(leaf(target=None, rule=rule), source="fw.yaml")


def test_lower_is_better_percentages_may_have_targets_below_one():
    # 0.5 % litigation losses is a real target, not a share
    fw = parse_framework(leaf(indicator="litigation_loss_rate", target=0.5), source="fw.yaml")
    assert fw.leaves()[0].target == 0.5
    # indicators that are not percentages keep any target
    assert parse_framework(leaf(indicator="project_cost_performance", target=0.95), source="fw.yaml")


# --- limits: alias bombs and large documents -----------------------------------------------------


def alias_bomb() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi"):
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    return text


@pytest.mark.parametrize("name, load, error", [
    ("framework.yaml", load_framework, FrameworkError),
    ("rubric.yaml", load_rubric, RubricError),
    ("schemes.yaml", load_schemes, SensitivityError),
    ("indicators.yaml", load_indicator_parameters, IndicatorParameterError),
])
def test_an_alias_bomb_is_refused_in_under_a_second(tmp_path, name, load, error):
    text = alias_bomb()
    assert len(text.encode()) <= 600
    path = write(tmp_path, name, text)
    start = time.perf_counter()
    with pytest.raises(error, match=r"aliases"):
        load(path)
    assert time.perf_counter() - start < 1.0


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(EvalkitError, match="alias inside its own anchor"):
        parse_yaml("a: &a [1, *a]\n", "t.yaml")


def test_a_document_over_the_size_limit_is_refused_in_under_a_second(tmp_path):
    path = tmp_path / "framework.yaml"
    with open(path, "wb") as fh:
        fh.write(b"code: t\nversion: '1'\nnodes:\n")
        fh.write(b"  - {code: X, area: efficiency}\n" * (MAX_YAML_BYTES // 30 + 10))
    start = time.perf_counter()
    with pytest.raises(FrameworkError, match=r"framework\.yaml: expected a configuration file of at most"):
        load_framework(path)
    assert time.perf_counter() - start < 1.0


def test_deep_nesting_is_refused():
    with pytest.raises(EvalkitError, match="levels of nesting"):
        parse_yaml("[" * 5000 + "]" * 5000, "t.yaml")


# --- the command line: one clear line ------------------------------------------------------------


def test_evalkit_score_with_a_duplicate_key_prints_one_line(tmp_path, capsys):
    d = tmp_path / "district"
    d.mkdir()
    for name in ("framework.yaml", "rubric.yaml"):
        shutil.copy(SAMPLE / name, d / name)
    (d / "framework.yaml").write_text(edited(FRAMEWORK, "  top_quota: 0.2", "  top_qouta: 0.2"), encoding="utf-8")
    assert main(["score", "--data", str(d), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evalkit: error:") and "did you mean 'top_quota'?" in err[0]


def test_the_sample_configuration_still_loads():
    config = load_configuration(SAMPLE)
    assert config.framework.grades.top_quota == 0.2 and set(config.schemes) >= {"expert", "ahp"}


# --- end to end: `evalkit score --framework FILE` / `evalkit run` (issue 16 acceptance) ---------


def _huge_document(path):
    with open(path, "wb") as fh:  # 73 MB (sparse): the framework that took 240 s to load
        fh.truncate(73 * 2 ** 20)


@pytest.mark.parametrize("case, make, words", [
    ("duplicate target", lambda p: p.write_text(edited(
        FRAMEWORK, "        target: 99.5\n", "        target: 99.5\n        target: 90\n"), encoding="utf-8"),
     "'target' again"),
    ("duplicate top_quota", lambda p: p.write_text(edited(
        FRAMEWORK, "  top_quota: 0.2", "  top_quota: 0.2\n  top_quota: 0.5\n "), encoding="utf-8"),
     "'top_quota' again"),
    ("misspelled missing_policy", lambda p: p.write_text(edited(
        FRAMEWORK, "missing_policy: peer_mean", "missing_polcy: peer_mean"), encoding="utf-8"),
     "did you mean 'missing_policy'?"),
    ("threshold_deduct without target", lambda p: p.write_text(edited(
        FRAMEWORK, "        target: 99.5\n        rule: {type: threshold_deduct, per: 1, deduct: 2}",
        "        rule: {type: threshold_deduct}"), encoding="utf-8"),
     "node EFF01"),
    ("a share as target of a percentage", lambda p: p.write_text(edited(
        FRAMEWORK, "        target: 99.5\n", "        target: 0.95\n"), encoding="utf-8"),
     "looks like a share"),
    ("alias bomb", lambda p: p.write_text(alias_bomb(), encoding="utf-8"), "aliases"),
    ("73 MB document", _huge_document, "at most 1 MB"),
])
def test_evalkit_score_refuses_a_hostile_framework_in_one_line_within_a_second(tmp_path, capsys, case, make,
                                                                               words):
    """`evalkit score --framework FILE` on each silent-configuration failure and each YAML
    resource bomb: exit 2, one line naming the file, no traceback, nothing written, < 1 s
    (the alias bomb took 40 s to a MemoryError, the 73 MB framework 240 s to load)."""
    framework = tmp_path / "framework.yaml"
    make(framework)
    out = tmp_path / "out"
    start = time.perf_counter()
    code = main(["score", "--framework", str(framework), "--out", str(out)])
    seconds = time.perf_counter() - start
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("evalkit: error:") and "Traceback" not in err[0], err
    assert "framework.yaml" in err[0] and words in err[0], err
    assert not out.exists()
    assert seconds < 1.0, f"{case}: {seconds:.2f} s"


def test_evalkit_score_and_run_refuse_an_alias_bomb_rubric_in_the_data_directory(tmp_path, capsys):
    data = tmp_path / "district"
    data.mkdir()
    for name in ("framework.yaml", "units.csv", "raters.csv", "schemes.yaml"):
        shutil.copy(SAMPLE / name, data / name)
    (data / "rubric.yaml").write_text(alias_bomb(), encoding="utf-8")
    for command in (["score"], ["run", "--units", "D01", "--quiet", "--jobs", "1"]):
        start = time.perf_counter()
        code = main(command + ["--data", str(data), "--out", str(tmp_path / "out")])
        seconds = time.perf_counter() - start
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1, err
        assert "rubric.yaml" in err[0] and "aliases" in err[0] and "Traceback" not in err[0]
        assert seconds < 1.0, f"{command[0]}: {seconds:.2f} s"
    assert not (tmp_path / "out").exists()


def test_an_oversized_csv_node_table_is_refused_from_its_size(tmp_path):
    from evalkit.scoring.framework_table import _MAX_TABLE_BYTES

    with open(tmp_path / "nodes.csv", "wb") as fh:
        fh.write(b"code,name_zh\n")
        fh.truncate(_MAX_TABLE_BYTES + 1)
    write(tmp_path, "fw.yaml", "code: t\nversion: '1'\nnodes: nodes.csv\n")
    start = time.perf_counter()
    with pytest.raises(FrameworkError, match=r"nodes\.csv: expected a node table of at most"):
        load_framework(tmp_path / "fw.yaml")
    assert time.perf_counter() - start < 1.0
