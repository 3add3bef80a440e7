"""Not applicable without a declaration (:func:`evalkit.scoring.model._absent_not_applicable`):
a unit without any key task in a year that has the ``key_tasks`` table has no such duty, so
its key-task leaf is excluded and its points re-based, exactly as a declared not-applicable
cell; without the table in the year the leaf is merely not reported.

Written for the mutation testing of issue 18 (``python benchmarks/mutation.py scoring``).
Expected values are worked by hand in the comments, never computed by evalkit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.scoring import parse_framework
from evalkit.scoring.model import _absent_not_applicable, scoring_model

KT, IND = "key_task_score", "service_on_time_rate"
REASON = ("本年度未下达重点工作任务", "No key tasks were assigned to the unit this year")
COLUMNS = ["unit_id", "indicator", "reason", "reason_en"]
LINEAR = {"type": "linear_band", "low": 0, "high": 100}


class _Leaf:
    def __init__(self, indicator):
        self.indicator = indicator


class _Framework:
    """Only what _absent_not_applicable reads: the leaves' indicators."""

    def __init__(self, *indicators):
        self._leaves = [_Leaf(i) for i in indicators]

    def leaves(self):
        return self._leaves


class _Tables:
    """A dataset that has the given (table, year) pairs, recording what is asked."""

    def __init__(self, *present):
        self.present = set(present)
        self.asked = []

    def has(self, name, year=None):
        self.asked.append((name, year))
        return (name, year) in self.present


def _values(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "unit_id", "value", "n"])


VALUES = _values([
    (KT, "U1", 80.0, 3),        # tasks and a score: applicable
    (KT, "U2", np.nan, 0),      # no task at all (n = 0): not applicable
    (KT, "U3", np.nan, np.nan),  # no record, n missing (counts as 0): not applicable
    (KT, "U4", np.nan, 2),      # tasks whose score is missing: the missing-data policy, not 不适用
    (KT, "U5", 0.0, 0),         # a value of 0 is a value, whatever n says
    (IND, "U6", np.nan, 0),     # an indicator without the rule: never implied
])


def test_units_without_any_record_of_the_first_table_are_not_applicable():
    # key_task_score's first table is key_tasks; it exists in 2024: U2 (n = 0) and U3 (n empty
    # → 0) have no value and no record → not applicable with the indicator's reason; U1 has a
    # value, U4 has records (n = 2), U5 has the value 0; U6's indicator has no such rule
    ds = _Tables(("key_tasks", 2024))
    got = _absent_not_applicable(ds, _Framework(IND, KT, KT, "no_such_code"), 2024, VALUES)
    assert list(got.columns) == COLUMNS
    assert got.values.tolist() == [["U2", KT, *REASON], ["U3", KT, *REASON]]
    # only the key-task indicator asks for its table (once, although two leaves read it)
    assert ds.asked == [("key_tasks", 2024)]


def test_unit_ids_and_indicator_codes_are_compared_and_returned_as_text():
    # unit ids stored as numbers come back as text; an indicator column of another type
    # (categorical here) still matches the code
    values = pd.DataFrame({"indicator": pd.Categorical([KT, KT, IND]), "unit_id": [101, 102, 103],
                           "value": [np.nan, 55.0, np.nan], "n": [0, 2, 0]})
    got = _absent_not_applicable(_Tables(("key_tasks", 2024)), _Framework(KT, IND), 2024, values)
    assert got.values.tolist() == [["101", KT, *REASON]]
    # values given as text are read as numbers: "" (empty) is no value, "70" is a value
    # and anything that is not a number ("—") is no value either, not an error
    text = pd.DataFrame({"indicator": [KT, KT, KT], "unit_id": ["U1", "U2", "U3"], "value": ["", "70", "—"],
                         "n": ["0", "0", "0"]})
    got = _absent_not_applicable(_Tables(("key_tasks", 2024)), _Framework(KT), 2024, text)
    assert got["unit_id"].tolist() == ["U1", "U3"]


def test_every_indicator_with_the_rule_adds_its_own_cells(monkeypatch):
    """Only key_task_score has the rule in the catalogue; with a second such indicator (a
    stand-in reading oa_documents) each adds its units, in code order, and an indicator
    without the rule sorted before them (hotline_on_time_rate) does not stop the search."""
    import types

    import evalkit.scoring.model as model

    other = "zz_documents_stand_in"
    monkeypatch.setitem(model.BY_CODE, other, types.SimpleNamespace(
        tables=("oa_documents",), absent_means_not_applicable=("无公文", "No documents")))
    values = pd.concat([VALUES, _values([(other, "U7", np.nan, 0), (other, "U1", 3.0, 3)])], ignore_index=True)
    ds = _Tables(("key_tasks", 2024), ("oa_documents", 2024))
    got = _absent_not_applicable(ds, _Framework("hotline_on_time_rate", other, KT), 2024, values)
    assert got.values.tolist() == [["U2", KT, *REASON], ["U3", KT, *REASON], ["U7", other, "无公文", "No documents"]]
    assert ds.asked == [("key_tasks", 2024), ("oa_documents", 2024)]


def test_without_the_table_in_the_year_nothing_is_implied():
    # key_tasks exists in 2023 only (and key_task_milestones in 2024, which is not the first
    # table): in 2024 the key-task leaf is not reported, not 不适用 — an empty frame with the
    # four columns
    ds = _Tables(("key_tasks", 2023), ("key_task_milestones", 2024))
    got = _absent_not_applicable(ds, _Framework(KT), 2024, VALUES)
    assert got.empty and list(got.columns) == COLUMNS
    assert ds.asked == [("key_tasks", 2024)]
    # a framework without the key-task indicator asks for nothing
    ds = _Tables(("key_tasks", 2024))
    assert _absent_not_applicable(ds, _Framework(IND), 2024, VALUES).empty and ds.asked == []


def _doc():
    return {"code": "m", "version": "1", "nodes": [{"code": "R", "area": "efficiency", "children": [
        {"code": "L1", "indicator": IND, "points": 60, "direction": 1, "rule": LINEAR},
        {"code": "L2", "indicator": KT, "points": 40, "direction": 1, "rule": LINEAR}]}]}


class _Dataset:
    years = [2024]
    units = pd.DataFrame({"unit_id": ["A", "B", "C"], "name_zh": ["甲", "乙", "丙"], "peer_group": "department",
                          "unit_class": "综合"})

    def __init__(self, has_key_tasks=True):
        self.has_key_tasks = has_key_tasks

    def has(self, name, year=None):
        return self.has_key_tasks and (name, year) == ("key_tasks", 2024)

    def table(self, name, year):
        if name == "not_applicable":  # declared: L1 does not apply to C
            return pd.DataFrame({"unit_id": ["C"], "indicator": [IND], "reason": ["撤并"], "reason_en": ["merged"]})
        assert name == "adjustments"
        return pd.DataFrame({"unit_id": [], "kind": [], "points": []})


def _fake_indicators(dataset, year, codes, parameters=None):
    return _values([(IND, "A", 90.0, 1), (IND, "B", 70.0, 1), (IND, "C", 50.0, 1),
                    (KT, "A", 80.0, 3), (KT, "B", np.nan, 0), (KT, "C", 50.0, 2)])


def test_scoring_model_excludes_declared_and_implied_cells_together(monkeypatch):
    """L1 (60 points) and the key-task leaf L2 (40 points), both linear 0 → 100:

    A: 0.9·60 + 0.8·40 = 54 + 32 = 86 of 100 → 86.
    B: no key task (implied): 0.7·60 = 42 of 60 → re-based 70.
    C: L1 declared not applicable: 0.5·40 = 20 of 40 → re-based 50."""
    import evalkit.indicators.catalogue as catalogue

    monkeypatch.setattr(catalogue, "compute_indicators", _fake_indicators)
    totals, nodes = scoring_model(_Dataset(), parse_framework(_doc()), 2024).published()
    t = totals.set_index("unit_id")
    assert t["max_score"].tolist() == [100, 60, 40]
    assert t["base_score"].tolist() == pytest.approx([86, 42, 20])
    assert t["score_100"].tolist() == pytest.approx([86, 70, 50])
    n = nodes.set_index(["code", "unit_id"])
    assert n.loc[("L2", "B"), "status"] == "not_applicable" and n.loc[("L2", "B"), "points"] == 0
    assert n.loc[("L1", "C"), "status"] == "not_applicable" and n.loc[("L1", "C"), "points"] == 0
    assert n.loc[("L2", "A"), "status"] == "data"


def test_scoring_model_without_the_key_tasks_table_leaves_the_leaf_to_the_missing_policy(monkeypatch):
    """Same data, but the year has no key_tasks file: B's key-task leaf is not 不适用 but not
    reported. B keeps its 100 points; the default missing-data policy (renormalise) rests the
    score on the leaves with data: 42 of 60 → 70, with coverage 60/100 = 0.6 (as not
    applicable it would be max 60 and coverage 1)."""
    import evalkit.indicators.catalogue as catalogue

    monkeypatch.setattr(catalogue, "compute_indicators", _fake_indicators)
    totals, nodes = scoring_model(_Dataset(has_key_tasks=False), parse_framework(_doc()), 2024).published()
    t = totals.set_index("unit_id")
    assert t["max_score"].tolist() == [100, 100, 40]
    assert t["coverage"].tolist() == pytest.approx([1.0, 0.6, 1.0])
    assert t["score_100"].tolist() == pytest.approx([86, 70, 50])
    n = nodes.set_index(["code", "unit_id"])
    assert n.loc[("L2", "B"), "status"] == "not_reported" and n.loc[("L2", "B"), "points"] == 40


class _QuarterDataset(_Dataset):
    """The same units and key tasks, nothing declared not applicable."""

    def table(self, name, year):
        if name == "not_applicable":
            return pd.DataFrame({"unit_id": [], "indicator": [], "reason": [], "reason_en": []})
        return super().table(name, year)


def test_a_quarter_does_not_assess_the_annual_only_leaf_and_scores_the_chosen_units(monkeypatch):
    """In 2024Q3 the key-task leaf L2 (annual-only) is not assessed for anyone: A's 80 is not
    used and B's missing key task makes no difference. Only L1 (60 points) counts:
    A 0.9·60 = 54 of 60 → 90; C 0.5·60 = 30 of 60 → 50. The indicators are computed with the
    annual-only codes left out, and only the chosen units (A and C) are scored and ranked."""
    import evalkit.indicators.catalogue as catalogue
    from evalkit.periods import Period

    asked = []

    def fake(dataset, year, codes, parameters=None, **kw):
        asked.append((year, codes, kw))
        return _fake_indicators(dataset, year, codes, parameters)

    monkeypatch.setattr(catalogue, "compute_indicators", fake)
    quarter = Period.quarter(2024, 3)
    totals, nodes = scoring_model(_QuarterDataset(), parse_framework(_doc()), quarter, units=["C", "A"]).published()
    assert asked == [(quarter, [KT, IND], {"annual_only": {KT}})]
    t = totals.set_index("unit_id")
    assert sorted(t.index) == ["A", "C"]
    assert t.loc[["A", "C"], "max_score"].tolist() == [60, 60]
    assert t.loc[["A", "C"], "score_100"].tolist() == pytest.approx([90, 50])
    assert t.loc[["A", "C"], "rank"].tolist() == [1, 2]
    n = nodes.set_index(["code", "unit_id"])
    assert n.loc[("L2", "A"), "status"] == "not_applicable" and n.loc[("L2", "A"), "points"] == 0
    # the whole year assesses the key-task leaf: no annual_only argument, A scores 86
    asked.clear()
    totals, _ = scoring_model(_QuarterDataset(), parse_framework(_doc()), 2024).published()
    assert asked == [(2024, [KT, IND], {})]
    assert totals.set_index("unit_id").loc["A", "score_100"] == pytest.approx(86)


def test_scoring_model_passes_the_agreed_targets_on(monkeypatch):
    """A agreed 50 on L1 (60 points, linear 0 → 100): its band becomes 0 → 50, so its 90 is
    full marks, 60; with L2's 0.8 · 40 = 32, A scores 92 (86 without the target)."""
    import evalkit.indicators.catalogue as catalogue

    monkeypatch.setattr(catalogue, "compute_indicators", _fake_indicators)
    targets = pd.DataFrame({"unit_id": ["A"], "leaf": ["L1"], "target": [50.0]})
    totals, _ = scoring_model(_QuarterDataset(), parse_framework(_doc()), 2024, targets=targets).published()
    assert totals.set_index("unit_id").loc["A", "score_100"] == pytest.approx(92)


class _BonusDataset(_QuarterDataset):
    """A's 5-point bonus (加分) in the year's adjustments."""

    def table(self, name, year):
        if name == "adjustments":
            return pd.DataFrame({"unit_id": ["A"], "kind": ["bonus"], "points": [5.0]})
        return super().table(name, year)


def test_scoring_model_leaves_the_adjustments_out_of_a_thematic_evaluation(monkeypatch):
    """A scores 86 on the tree; with the year's adjustments 86 + min(5, bonus cap 3) = 89,
    without (a thematic evaluation, adjustments=False) 86."""
    import evalkit.indicators.catalogue as catalogue

    monkeypatch.setattr(catalogue, "compute_indicators", _fake_indicators)
    fw = parse_framework(_doc())
    with_adj, _ = scoring_model(_BonusDataset(), fw, 2024).published()
    without, _ = scoring_model(_BonusDataset(), fw, 2024, adjustments=False).published()
    assert with_adj.set_index("unit_id").loc["A", "score_100"] == pytest.approx(89)
    assert without.set_index("unit_id").loc["A", "score_100"] == pytest.approx(86)
