"""COINr-style metadata (iMeta) and unit data (iData): loading, checking, effective weights.

The ASEM tables come from the COINr R package (Becker et al., 2022; MIT licence), converted
to CSV in ``tests/data/asem/`` (see its README).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.composite import CompositeMeta, MetaError, read_data, read_meta
from evalkit.errors import FrameworkError

ASEM = Path(__file__).resolve().parent.parent / "data" / "asem"


def small_meta(changes=None) -> pd.DataFrame:
    """Two pillars (P1: I1, I2; P2: I3) under an index, plus a group and a denominator."""
    rows = [
        dict(Level=1, iCode="I1", Parent="P1", Direction=1, Weight=1, Type="Indicator", Denominator="Pop"),
        dict(Level=1, iCode="I2", Parent="P1", Direction=-1, Weight=3, Type="Indicator", Denominator=None),
        dict(Level=1, iCode="I3", Parent="P2", Direction=1, Weight=1, Type="Indicator", Denominator=None),
        dict(Level=2, iCode="P1", Parent="Index", Direction=1, Weight=2, Type="Aggregate", Denominator=None),
        dict(Level=2, iCode="P2", Parent="Index", Direction=1, Weight=1, Type="Aggregate", Denominator=None),
        dict(Level=3, iCode="Index", Parent=None, Direction=1, Weight=1, Type="Aggregate", Denominator=None),
        dict(Level=None, iCode="Region", Parent=None, Direction=None, Weight=None, Type="Group", Denominator=None),
        dict(Level=None, iCode="Pop", Parent=None, Direction=None, Weight=None, Type="Denominator", Denominator=None),
    ]
    table = pd.DataFrame(rows, dtype=object)
    for (code, column), value in (changes or {}).items():
        table.loc[table["iCode"] == code, column] = value
    return table


# -- the ASEM framework --------------------------------------------------------------------


def test_asem_meta_loads_with_its_four_levels():
    meta = read_meta(ASEM / "ASEM_iMeta.csv")
    assert len(meta.indicators) == 49
    assert len(meta.codes_at(2)) == 8 and meta.codes_at(3) == ("Conn", "Sust") and meta.roots == ("Index",)
    assert meta.groups == ("GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group")
    assert meta.denominators == ("Area", "Energy", "GDP", "Population")
    assert meta.nodes["Flights"].denominator == "Population" and meta.nodes["CostImpEx"].direction == -1
    assert meta.children("Physical") == ("LPI", "Flights", "Ship", "Bord", "Elec", "Gas", "ConSpeed", "Cov4G")


def test_asem_effective_weights():
    meta = read_meta(ASEM / "ASEM_iMeta.csv")
    eff = meta.effective_weights()
    assert eff.sum() == pytest.approx(1.0)
    # Equal weights at every level: 1/2 (sub-index) × 1/5 (pillar of Conn) × 1/8 (Physical)
    assert eff["LPI"] == pytest.approx(1 / 2 * 1 / 5 * 1 / 8)
    assert eff["CPI"] == pytest.approx(1 / 2 * 1 / 3 * 1 / 9)  # Social: 9 indicators under Sust (3 pillars)
    # Doubling the weight of Conn raises every Conn indicator's share to 2/3 of the total.
    eff2 = meta.effective_weights({"Conn": 2})
    assert eff2[list(meta.leaves_under("Conn"))].sum() == pytest.approx(2 / 3)


def test_asem_data_loads():
    meta = read_meta(ASEM / "ASEM_iMeta.csv")
    data = read_data(ASEM / "ASEM_iData.csv", meta)
    assert data.shape[0] == 51 and data.index.name == "uCode"
    assert data["LPI"].dtype == "float64" and data.loc["AUT", "uName"] == "Austria"


def test_table_round_trip():
    meta = read_meta(ASEM / "ASEM_iMeta.csv")
    again = read_meta(meta.table())
    assert again.table().equals(meta.table())
    assert dict(again.nodes) == dict(meta.nodes)


# -- a small hand-made meta ------------------------------------------------------------


def test_small_meta_and_its_weights():
    meta = read_meta(small_meta())
    assert isinstance(meta, CompositeMeta)
    assert meta.max_level == 3 and meta.indicators == ("I1", "I2", "I3")
    table = meta.weight_table()
    # I1: 2/3 (P1 of Index) × 1/4 (I1 of P1); I2: 2/3 × 3/4; I3: 1/3 × 1
    assert table.loc["I1", "effective_weight"] == pytest.approx(1 / 6)
    assert table.loc["I2", "effective_weight"] == pytest.approx(1 / 2)
    assert table.loc["I3", "effective_weight"] == pytest.approx(1 / 3)
    assert table.loc["P1", "share"] == pytest.approx(2 / 3)
    heavier = meta.with_weights({"I1": 3})
    assert heavier.nodes["I1"].weight == 3 and meta.nodes["I1"].weight == 1  # a copy
    assert heavier.effective_weights()["I1"] == pytest.approx(2 / 3 * 1 / 2)


def test_root_weight_and_aggregate_direction_may_be_empty():
    meta = read_meta(small_meta({("Index", "Weight"): None, ("P1", "Direction"): None}))
    assert meta.nodes["Index"].weight == 1.0 and meta.nodes["P1"].direction == 1


@pytest.mark.parametrize("changes, message", [
    ({("P1", "Parent"): "P2", ("P2", "Parent"): "P1"}, "cycle P1 → P2 → P1"),
    ({("I3", "Parent"): "P9"}, "'P9', which is not in the table"),
    ({("I3", "Parent"): "Region"}, "'Region', which is a Group, Denominator or Other row"),
    ({("I3", "Parent"): "I1"}, "'I1', an Indicator"),
    ({("I3", "Parent"): "Index"}, "an Aggregate at level 2; found 'Index' at level 3"),
    ({("I1", "Denominator"): "GDP"}, "declared by a row of Type Denominator (declared: Pop); found 'GDP'"),
    ({("I1", "Weight"): 0}, "row 2 (I1), column 'Weight': expected a finite number > 0; found '0'"),
    ({("I2", "Weight"): -1}, "column 'Weight': expected a finite number > 0; found '-1'"),
    ({("I2", "Weight"): np.nan}, "column 'Weight': expected a finite number > 0; found an empty cell"),
    ({("P1", "Weight"): "heavy"}, "found 'heavy'"),
    ({("I1", "Direction"): 2}, "column 'Direction': expected 1 (higher is better) or -1"),
    ({("I1", "Level"): 2}, "expected 1 for an Indicator"),
    ({("P1", "Level"): 1.5}, "expected a whole number ≥ 1; found '1.5'"),
    ({("I2", "iCode"): "I1"}, "expected unique codes; found 'I1' again (first on row 2)"),
    ({("I1", "Type"): "Indikator"},
     "expected one of Indicator, Aggregate, Group, Denominator, Other; found 'Indikator'"),
    ({("P2", "Parent"): None}, "only the top level, 3, has no parent"),
])
def test_bad_meta_is_reported_with_row_and_column(changes, message):
    with pytest.raises(MetaError) as info:
        read_meta(small_meta(changes), name="meta.csv")
    assert message in str(info.value)
    assert str(info.value).startswith("meta.csv")
    assert isinstance(info.value, FrameworkError)  # the CLI turns these into one line


def test_aggregate_without_children():
    table = pd.concat([small_meta(), pd.DataFrame([dict(Level=2, iCode="P3", Parent="Index", Direction=1,
                                                         Weight=1, Type="Aggregate")])], ignore_index=True)
    with pytest.raises(MetaError, match=r"row 10 \(P3\).*at least one child"):
        read_meta(table)


def test_missing_column():
    with pytest.raises(MetaError, match="found no column Weight"):
        read_meta(small_meta().drop(columns="Weight"))


def test_weights_override_is_checked():
    meta = read_meta(small_meta())
    with pytest.raises(MetaError, match="found 'Nope'"):
        meta.with_weights({"Nope": 1})
    with pytest.raises(MetaError, match="finite number ≥ 0"):
        meta.with_weights({"I1": float("nan")})
    with pytest.raises(MetaError, match="children of 'P1'.*all zero"):
        meta.with_weights({"I1": 0, "I2": 0})
    assert meta.with_weights({"I1": 0}).effective_weights()["I1"] == 0  # zero is allowed if a sibling counts


# -- unit data -----------------------------------------------------------------------------


def small_data(**columns) -> pd.DataFrame:
    data = pd.DataFrame({"uCode": ["A", "B", "C"], "uName": ["a", "b", "c"], "Region": ["x", "x", "y"],
                         "Pop": [10.0, 20.0, 40.0], "I1": [1.0, 2.0, 3.0], "I2": [4.0, None, 6.0],
                         "I3": [7.0, 8.0, 9.0]})
    for k, v in columns.items():
        data[k] = v
    return data


def test_read_data_checks():
    meta = read_meta(small_meta())
    ok = read_data(small_data(), meta)
    assert list(ok.index) == ["A", "B", "C"] and np.isnan(ok.loc["B", "I2"])
    with pytest.raises(MetaError, match="found no column I3"):
        read_data(small_data().drop(columns="I3"), meta)
    with pytest.raises(MetaError, match="row 3, column 'I1': expected a number .*found 'n/a'"):
        read_data(small_data(I1=["1", "n/a", "3"]), meta)
    assert read_data(small_data(I1=["1", "", "3"]), meta)["I1"].isna().sum() == 1
    with pytest.raises(MetaError, match="found Extra"):
        read_data(small_data(Extra=[1, 2, 3]), meta)
    dup = small_data()
    dup["uCode"] = ["A", "A", "C"]
    with pytest.raises(MetaError, match="found 'A' on rows 2, 3"):
        read_data(dup, meta)
    years = pd.concat([small_data().assign(Time=2020), small_data().assign(Time=2021)])
    with pytest.raises(MetaError, match="several Time values: keep one year"):
        read_data(years, meta)
