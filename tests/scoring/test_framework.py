"""Framework files: the sample loads; malformed ones fail with one clear message."""

import pytest

from evalkit.errors import FrameworkError
from evalkit.scoring.framework import load_framework, parse_framework
from evalkit.resources import sample_framework_path


def test_sample_framework_sums_to_100_for_both_peer_groups():
    fw = load_framework(sample_framework_path())
    for group in ("department", "subdistrict"):
        assert sum(leaf.points_for(group, "") for leaf in fw.leaves()) == pytest.approx(100.0)
    assert len(fw.sha256) == 64


def base(**leaf):
    node = {"code": "L1", "name_zh": "按时办结率", "indicator": "service_on_time_rate", "points": 5,
            "target": 99, "rule": {"type": "threshold_deduct", "per": 1, "deduct": 1}}
    node.update(leaf)
    return {"code": "t", "version": "1", "nodes": [{"code": "A", "area": "efficiency", "children": [node]}]}


@pytest.mark.parametrize("doc,message", [
    (base(indicator="no_such_indicator"), "node L1, indicator"),
    (base(rule={"type": "magic"}), "node L1, rule"),
    (base(points=None), "points"),
    (base(points=-1), "points ≥ 0"),
    ({"code": "t", "version": "1", "nodes": []}, "nodes"),
    ({"code": "t", "nodes": [{"code": "A"}]}, "'version'"),
    ({"code": "t", "version": "1", "nodes": [{"code": "A", "area": "nowhere", "children": []}]}, "area"),
    ({"code": "t", "version": "1", "missing_policy": "guess", "nodes": [{"code": "A"}]}, "missing_policy"),
])
def test_bad_frameworks(doc, message):
    with pytest.raises(FrameworkError, match=message):
        parse_framework(doc, source="fw.yaml")


def test_duplicate_codes():
    doc = base()
    doc["nodes"][0]["children"].append(dict(doc["nodes"][0]["children"][0]))
    with pytest.raises(FrameworkError, match="unique node codes"):
        parse_framework(doc, source="fw.yaml")


def test_invalid_yaml_names_line(tmp_path):
    f = tmp_path / "fw.yaml"
    f.write_text("code: t\nversion: '1'\nnodes:\n  - code: [unclosed\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"fw.yaml, line \d+"):
        load_framework(f)


def test_points_that_do_not_sum_to_the_total():
    doc = base(points={"department": 60, "subdistrict": 40})
    doc["total_points"] = 60
    with pytest.raises(FrameworkError, match=r"total_points: expected the leaves' points to sum to 60 for 'subdistrict'; found 40"):
        parse_framework(doc, source="fw.yaml")
    doc["total_points"] = 60
    doc["nodes"][0]["children"][0]["points"] = 60
    assert parse_framework(doc, source="fw.yaml").leaves()[0].points == {"*": 60.0}


def test_leaf_overrides_kind_direction_and_unit():
    fw = parse_framework(base(kind="qualitative", direction=-1, unit="件"), source="fw.yaml")
    leaf = fw.leaves()[0]
    assert (leaf.kind, leaf.direction, leaf.unit) == ("qualitative", -1, "件")
    with pytest.raises(FrameworkError, match="direction"):
        parse_framework(base(direction=2), source="fw.yaml")
    with pytest.raises(FrameworkError, match="kind"):
        parse_framework(base(kind="mixed"), source="fw.yaml")
