"""Themes in the framework (``themes:``, issue 14 item 5): parsing, checks with file and line,
and the restricted framework a theme is scored on."""

from __future__ import annotations

import textwrap

import pytest

from evalkit.errors import FrameworkError
from evalkit.resources import sample_framework_path
from evalkit.scoring.framework import load_framework
from evalkit.scoring.themes import theme_framework, theme_unit_ids

BASE = textwrap.dedent("""\
    code: t
    version: "1"
    nodes:
      - code: PUB
        area: public_service
        children:
          - code: PUB01
            indicator: hotline_on_time_rate
            points: 10
            target: 98
            rule: {type: threshold_deduct, per: 1, deduct: 1}
          - code: PUB02
            indicator: hotline_solved_rate
            points: 10
      - code: EFF01
        area: efficiency
        indicator: service_on_time_rate
        points: 5
    """)


def load(tmp_path, themes: str):
    path = tmp_path / "framework.yaml"
    path.write_text(BASE + textwrap.dedent(themes), encoding="utf-8")
    return load_framework(path)


def error(tmp_path, themes: str) -> str:
    with pytest.raises(FrameworkError) as exc:
        load(tmp_path, themes)
    return str(exc.value)


def test_a_theme_takes_nodes_with_their_subtrees_and_its_own_leaves(tmp_path):
    fw = load(tmp_path, """\
        themes:
          hotline:
            name_zh: 热线专项
            nodes: [PUB]
            indicators:
              - code: HOT01
                indicator: hotline_signed_rate
                points: 5
                target: 95
                rule: {type: threshold_deduct, per: 1, deduct: 1}
            units: [部门, S01]
            period: 2024Q3
        """)
    theme = fw.themes["hotline"]
    assert theme.nodes == ("PUB",) and theme.extra_roots == ("HOT01",)
    assert theme.units == ("department", "S01")          # labels stored as codes
    assert theme.period.key == "2024Q3" and int(theme.period) == 2024
    sub = theme_framework(fw, "hotline")
    assert sub.roots == ("PUB", "HOT01")
    assert [n.code for n in sub.leaves()] == ["PUB01", "PUB02", "HOT01"]
    assert sub.nodes["HOT01"].area == "public_service"    # the indicator's own area
    assert sub.nodes["PUB"].level == 1 and sub.nodes["PUB01"].level == 2
    assert sub.total_points is None and sub.themes == {}
    assert (sub.version, sub.sha256, sub.missing_policy) == (fw.version, fw.sha256, fw.missing_policy)
    assert "EFF01" not in sub.nodes


def test_a_chosen_inner_leaf_comes_to_the_top(tmp_path):
    fw = load(tmp_path, """\
        themes:
          solved: {name_zh: 解决率, nodes: [PUB02]}
        """)
    sub = theme_framework(fw, "solved")
    assert sub.roots == ("PUB02",) and sub.nodes["PUB02"].parent is None and sub.nodes["PUB02"].level == 1


@pytest.mark.parametrize("themes, line, words", [
    ("themes:\n  hotline:\n    name_zh: x\n    nodes: [PUB09]\n", 22, "expected a node code of the framework; "
                                                                    "found 'PUB09'"),
    ("themes:\n  hotline:\n    name_zh: x\n    nodes: [PUB, PUB01]\n", 22, "PUB01 is inside PUB"),
    ("themes:\n  hotline:\n    name_zh: x\n    nodes: [PUB01, PUB01]\n", 22, "each node once"),
    ("themes:\n  hotline:\n    name_zh: x\n    nodse: [PUB01]\n", 22, "did you mean 'nodes'"),
    ("themes:\n  hotline:\n    name_zh: x\n", 21, "at least one of nodes or indicators"),
    ("themes:\n  hotline:\n    nodes: [PUB01]\n", 21, "a name_zh"),
    ("themes:\n  Hot Line:\n    name_zh: x\n    nodes: [PUB01]\n", 20, "a theme name of lower-case letters"),
    ("themes:\n  hotline:\n    name_zh: x\n    nodes: [PUB01]\n    period: 2024Q5\n", 23, "period"),
    ("themes:\n  hotline:\n    name_zh: x\n    nodes: [PUB01]\n    units: {a: 1}\n", 23, "units"),
    ("themes:\n  hotline:\n    name_zh: x\n    indicators:\n      - code: EFF01\n"
     "        indicator: hotline_signed_rate\n        points: 5\n", 23, "a code the framework does not use"),
    ("themes:\n  hotline:\n    name_zh: x\n    indicators:\n      - code: H1\n"
     "        indicator: hotline_signd_rate\n        points: 5\n", 24, "did you mean 'hotline_signed_rate'"),
    ("themes:\n  hotline:\n    name_zh: x\n    indicators:\n      - code: H1\n"
     "        indicator: hotline_signed_rate\n        points: 5\n        target: 0.95\n"
     "        rule: {type: threshold_deduct, per: 1, deduct: 1}\n", 26, "looks like a share"),
    ("themes:\n  hotline:\n    name_zh: x\n    indicators:\n      - code: H1\n"
     "        indicator: hotline_signed_rate\n", 23, "points (分值) for a leaf"),
])
def test_every_mistake_names_the_file_and_the_line(tmp_path, themes, line, words):
    text = error(tmp_path, themes)
    assert text.startswith(f"framework.yaml, line {line}, "), text
    assert words in text


def test_an_unknown_theme_or_unit_selector_is_one_clear_error(tmp_path):
    import pandas as pd

    fw = load(tmp_path, "themes:\n  hotline:\n    name_zh: x\n    nodes: [PUB01]\n    units: [D99]\n")
    with pytest.raises(FrameworkError, match=r"no theme 'hotlin' \(themes: hotline\).*did you mean 'hotline'"):
        theme_framework(fw, "hotlin")
    units = pd.DataFrame({"unit_id": ["D01", "S01"], "peer_group": ["department", "subdistrict"],
                          "unit_class": ["a", "b"]})
    with pytest.raises(FrameworkError, match=r"framework.yaml, line 23, theme hotline, units: .*found 'D99'"):
        theme_unit_ids(fw.themes["hotline"], units)


def test_the_sample_defines_the_hotline_theme():
    fw = load_framework(sample_framework_path())
    theme = fw.themes["hotline"]
    sub = theme_framework(fw, "hotline")
    indicators = {n.indicator for n in sub.leaves()}
    assert indicators == {"hotline_signed_rate", "hotline_contact_rate", "hotline_on_time_rate",
                          "hotline_solved_rate", "hotline_satisfaction_rate"}
    assert theme.units == () and theme.period is None
