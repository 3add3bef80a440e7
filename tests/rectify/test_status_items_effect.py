"""The rectification rules as pure functions: the status machine, items made from priorities
(idempotent), changes applied all or nothing, and the direction-aware effect check."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from evalkit.data.contract import RECTIFICATION_STATUSES
from evalkit.rectification.effect import EFFECT_TOLERANCE, effect_check, effect_counts
from evalkit.rectification.items import (CHANGE_COLUMNS, ChangeSource, add_items, apply_changes, empty_items,
                                         empty_notes, overdue_items, select_items)
from evalkit.rectification.status import STATUSES, TRANSITIONS, effective_status, transition_problem

D = dt.date


def candidates() -> pd.DataFrame:
    return pd.DataFrame([
        {"unit_id": "D01", "indicator": "EFF04", "indicator_name": "督查事项按期办结率", "finding": "由 91.7% 提高到 100%",
         "baseline_value": 91.7, "goal_value": 100.0, "value_unit": "%", "direction": 1},
        {"unit_id": "D01", "indicator": "LAW02", "indicator_name": "行政复议纠错率", "finding": "由 50% 降低到 15%",
         "baseline_value": 50.0, "goal_value": 15.0, "value_unit": "%", "direction": -1},
        {"unit_id": "D02", "indicator": None, "indicator_name": None, "finding": "一票否决：安全生产事故",
         "baseline_value": None, "goal_value": None, "value_unit": None, "direction": None},
    ])


def created():
    return add_items(empty_items(), empty_notes(), candidates(), year=2023, created=D(2024, 2, 1),
                     due=D(2024, 6, 30), by="效能办")


def changes(*rows) -> pd.DataFrame:
    return pd.DataFrame([{c: r.get(c) for c in CHANGE_COLUMNS} for r in rows], columns=list(CHANGE_COLUMNS))


UNIT = ChangeSource("D01.xlsx", {"status": "整改状态 status", "note": "进展说明 note"}, "D01.xlsx row {row}")
OFFICE = ChangeSource("--id", {}, "evalkit rectify update --id", office=True)


def test_one_table_of_transitions_covers_every_status():
    assert set(TRANSITIONS) == set(STATUSES) == set(RECTIFICATION_STATUSES)
    assert transition_problem("open", "verified") .startswith("verified only after done")
    assert transition_problem("done", "verified", note="现场核验台账") is None
    assert "note" in transition_problem("done", "verified")                # verification needs its finding
    assert "why it is cancelled" in transition_problem("open", "cancelled", note="  ")
    assert transition_problem("verified", "in_progress").startswith("no change")
    assert transition_problem("open", "open") is None
    assert transition_problem("open", "closed").startswith("one of")


def test_overdue_is_judged_from_the_due_date_at_an_as_of_date():
    items, _, _ = created()
    items.loc[0, "status"] = "done"
    at = effective_status(items, D(2024, 7, 1))
    assert list(at) == ["done", "overdue", "overdue"]             # done is not overdue
    assert list(effective_status(items, D(2024, 6, 30))) == ["done", "open", "open"]  # due that day: not late
    late = overdue_items(items, as_of=D(2024, 7, 31))
    assert list(late["item_id"]) == ["2023-D01-02", "2023-D02-01"] and set(late["days_overdue"]) == {31}


def test_creating_twice_adds_nothing_and_numbers_per_unit():
    items, notes, added = created()
    assert list(items["item_id"]) == ["2023-D01-01", "2023-D01-02", "2023-D02-01"]
    assert set(items["status"]) == {"open"} and list(notes["status_to"]) == ["open"] * 3
    again_items, again_notes, again = add_items(items, notes, candidates(), year=2023, created=D(2024, 3, 1),
                                                due=D(2024, 6, 30), by="效能办")
    assert again.empty and again_items.equals(items) and len(again_notes) == 3
    more = pd.concat([candidates(), candidates().iloc[[0]].assign(indicator="EFF01")], ignore_index=True)
    _, _, one = add_items(items, notes, more, year=2023, created=D(2024, 3, 1), due=D(2024, 6, 30), by="x")
    assert list(one["item_id"]) == ["2023-D01-03"]


def test_a_unit_reports_progress_and_completion_with_dated_notes():
    items, notes, _ = created()
    out, out_notes, n, problems = apply_changes(items, notes, changes(
        {"row": 2, "item_id": "2023-D01-01", "unit_id": "D01", "status": "done", "action": "建立台账",
         "owner": "督查科", "note": "已全部办结", "note_date": D(2024, 5, 20)},
        {"row": 3, "item_id": "2023-D01-02", "unit_id": "D01", "status": "in_progress"},
        {"row": 4, "item_id": "2023-D02-01", "unit_id": "D02"}), UNIT, by="张三", today=D(2024, 6, 1))
    assert problems == [] and n == 2
    assert list(out["status"]) == ["done", "in_progress", "open"]
    assert out.loc[0, "status_date"] == pd.Timestamp("2024-05-20") and out.loc[0, "action"] == "建立台账"
    new = out_notes.iloc[3:]
    assert list(new["status_from"]) == ["open", "open"] and list(new["status_to"]) == ["done", "in_progress"]
    assert list(new["note_no"]) == [2, 2] and list(new["via"]) == ["D01.xlsx row 2", "D01.xlsx row 3"]
    assert new.iloc[0]["text"].startswith("已全部办结") and list(new["note_date"])[1] == pd.Timestamp("2024-06-01")
    # the same workbook again records nothing new
    _, notes2, n2, _ = apply_changes(out, out_notes, changes(
        {"row": 2, "item_id": "2023-D01-01", "status": "done", "action": "建立台账", "owner": "督查科",
         "note": "已全部办结", "note_date": D(2024, 5, 20)}), UNIT, by="张三", today=D(2024, 6, 1))
    assert n2 == 0 and len(notes2) == len(out_notes)


@pytest.mark.parametrize("row, column, expected", [
    ({"status": "verified"}, "整改状态 status", "recorded by the evaluation office"),
    ({"status": "cancelled", "note": "不再适用"}, "整改状态 status", "recorded by the evaluation office"),
    ({"status": "overdue"}, "整改状态 status", "recorded by the evaluation office"),
    ({"unit_id": "D02"}, "unit_id", "D01, the unit of item"),
    ({"due_date": D(2024, 12, 31)}, "due_date", "set by the evaluation office"),
    ({"note": "x", "note_date": D(2024, 1, 5)}, "note_date", "on or after 2024-02-01"),
    ({"note": "x", "note_date": D(2024, 7, 1)}, "note_date", "not after 2024-06-01"),
])
def test_a_bad_row_names_its_row_and_column_and_nothing_is_applied(row, column, expected):
    items, notes, _ = created()
    good = {"row": 2, "item_id": "2023-D01-02", "status": "in_progress"}
    bad = {"row": 5, "item_id": "2023-D01-01", **row}
    out, out_notes, n, problems = apply_changes(items, notes, changes(good, bad), UNIT, by="x", today=D(2024, 6, 1))
    assert n == 0 and out is items and out_notes is notes
    assert len(problems) == 1 and problems[0].row == 5 and problems[0].column == column
    assert expected in problems[0].expected, problems[0]


def test_unknown_and_repeated_items_are_problems():
    items, notes, _ = created()
    _, _, _, problems = apply_changes(items, notes, changes(
        {"row": 2, "item_id": "2023-D01-01", "status": "in_progress"},
        {"row": 3, "item_id": "2023-D01-01", "status": "done"},
        {"row": 4, "item_id": "2023-D09-01"}, {"row": 5, "item_id": None, "note": "x"}),
        UNIT, by="x", today=D(2024, 6, 1))
    assert [(p.row, p.found[:14]) for p in problems] == [(3, "'2023-D01-01' "), (4, "'2023-D09-01',"),
                                                          (5, "an empty cell")]


def test_the_office_verifies_cancels_with_a_reason_and_moves_due_dates():
    items, notes, _ = created()
    items, notes, _, p = apply_changes(items, notes, changes({"item_id": "2023-D01-01", "status": "done"}),
                                       UNIT, by="x", today=D(2024, 5, 1))
    assert p == []
    _, _, _, p = apply_changes(items, notes, changes({"item_id": "2023-D02-01", "status": "cancelled"}),
                               OFFICE, by="效能办", today=D(2024, 6, 1))
    assert p[0].column == "note" and "why it is cancelled" in p[0].expected
    _, _, _, p = apply_changes(items, notes, changes({"item_id": "2023-D01-02", "status": "verified", "note": "x"}),
                               OFFICE, by="效能办", today=D(2024, 6, 1))
    assert p[0].column == "status" and p[0].expected.startswith("verified only after done")
    out, out_notes, n, p = apply_changes(items, notes, changes(
        {"item_id": "2023-D01-01", "status": "verified", "note": "抽查台账 10 件均按期办结"},
        {"item_id": "2023-D02-01", "status": "cancelled", "note": "否决事项已由纪委处理"},
        {"item_id": "2023-D01-02", "due_date": D(2024, 9, 30), "status": "overdue", "note": "延期申请获批"}),
        OFFICE, by="效能办", today=D(2024, 6, 1))
    assert p == [] and n == 3
    assert list(out["status"]) == ["verified", "overdue", "cancelled"]
    assert out.loc[2, "cancel_reason"] == "否决事项已由纪委处理" and out.loc[1, "due_date"] == pd.Timestamp("2024-09-30")
    assert "整改期限由 2024-06-30 调整为 2024-09-30" in out_notes.iloc[-1]["text"]
    # an overdue item can still be reported done by the unit
    _, _, n, p = apply_changes(out, out_notes, changes({"item_id": "2023-D01-02", "status": "done"}), UNIT,
                               by="x", today=D(2024, 8, 1))
    assert p == [] and n == 1


def nodes(values: dict) -> pd.DataFrame:
    return pd.DataFrame([{"unit_id": u, "code": c, "raw_value": v, "status": "data" if v is not None else "no_data"}
                         for (u, c), v in values.items()])


def test_the_effect_check_is_direction_aware_with_the_numbers():
    items, _, _ = created()
    extra = items.iloc[[0]].assign(item_id="2023-D01-03", indicator="EFF09", baseline_value=None)
    items = pd.concat([items, extra], ignore_index=True)
    now = nodes({("D01", "EFF04"): 95.0, ("D01", "LAW02"): 60.0, ("D01", "EFF09"): 80.0})
    out = effect_check(items, now, as_of=D(2024, 12, 31)).set_index("item_id")
    assert out.loc["2023-D01-01", "effect"] == "improved" and out.loc["2023-D01-01", "change"] == pytest.approx(3.3)
    assert out.loc["2023-D01-02", "effect"] == "worse"             # lower is better: 50 % → 60 % is worse
    assert out.loc["2023-D01-02", "change"] == pytest.approx(10.0)
    assert out.loc["2023-D02-01", "effect"] == "no_indicator"
    assert out.loc["2023-D01-03", "effect"] == "no_baseline"
    assert set(out["status"]) == {"overdue"}                       # open at year end, due in June
    within = effect_check(items.iloc[[0]], nodes({("D01", "EFF04"): 91.7 + EFFECT_TOLERANCE}), as_of=D(2024, 12, 31))
    assert within.loc[0, "effect"] == "unchanged"
    gone = effect_check(items.iloc[[0]], nodes({("D01", "EFF04"): None}), as_of=D(2024, 12, 31))
    assert gone.loc[0, "effect"] == "no_value" and pd.isna(gone.loc[0, "change"])
    assert effect_counts(out)["improved"] == 1 and sum(effect_counts(out).values()) == 4


def test_select_filters_by_unit_and_current_status():
    items, _, _ = created()
    assert list(select_items(items, as_of=D(2024, 3, 1), unit="D02")["item_id"]) == ["2023-D02-01"]
    assert len(select_items(items, as_of=D(2024, 9, 1), status="overdue")) == 3
    assert select_items(items, as_of=D(2024, 3, 1), status="overdue").empty
