"""DEA of the sample district's sub-districts from their own records."""

import pandas as pd
import pytest

from evalkit.data.dataset import load_dataset
from evalkit.errors import EvalkitError
from evalkit.frontier import peer_group_efficiency, unit_inputs_outputs
from evalkit.resources import sample_data_dir


@pytest.fixture(scope="module")
def ds():
    return load_dataset(sample_data_dir(), years=[2024])


def test_inputs_outputs_cover_every_unit(ds):
    table = unit_inputs_outputs(ds, 2024)
    assert len(table) == len(ds.units)
    assert (table.loc[table["peer_group"] == "subdistrict", ["staff", "spending"]] > 0).all().all()
    # D09 has no 12345 tickets: zero output, not missing.
    assert table.loc["D09", "hotline_tickets"] == 0


def test_subdistrict_efficiency(ds):
    crs = peer_group_efficiency(ds, 2024, returns="crs")
    vrs = peer_group_efficiency(ds, 2024, returns="vrs")
    assert len(crs) == 13 and crs.index.str.startswith("S").all()
    assert ((crs["efficiency"] > 0) & (crs["efficiency"] <= 1 + 1e-9)).all()
    # Variable returns envelop the data more tightly: never less efficient than CRS.
    assert (vrs["efficiency"] >= crs["efficiency"] - 1e-9).all()
    assert crs["efficient"].any()


def test_unknown_measure_is_a_clear_error(ds):
    with pytest.raises(EvalkitError, match="unknown DEA measure"):
        peer_group_efficiency(ds, 2024, inputs=("staff", "votes"))
