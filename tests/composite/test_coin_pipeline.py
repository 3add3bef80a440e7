"""The Coin container: named datasets, typed steps, the log, exact regeneration, variants."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.composite import (
    Aggregate,
    Coin,
    Denominate,
    Impute,
    Normalise,
    Screen,
    Treat,
    Weights,
    step_from_dict,
)

META = pd.DataFrame([
    dict(Level=1, iCode="I1", Parent="P1", Direction=1, Weight=1, Type="Indicator", Denominator="Pop", Target=30),
    dict(Level=1, iCode="I2", Parent="P1", Direction=-1, Weight=3, Type="Indicator", Denominator=None, Target=1),
    dict(Level=1, iCode="I3", Parent="P2", Direction=1, Weight=1, Type="Indicator", Denominator=None, Target=12),
    dict(Level=1, iCode="I4", Parent="P2", Direction=1, Weight=1, Type="Indicator", Denominator=None, Target=9),
    dict(Level=2, iCode="P1", Parent="Index", Direction=1, Weight=2, Type="Aggregate"),
    dict(Level=2, iCode="P2", Parent="Index", Direction=1, Weight=1, Type="Aggregate"),
    dict(Level=3, iCode="Index", Parent=None, Direction=1, Weight=1, Type="Aggregate"),
    dict(Level=None, iCode="Region", Parent=None, Direction=None, Weight=None, Type="Group"),
    dict(Level=None, iCode="Pop", Parent=None, Direction=None, Weight=None, Type="Denominator"),
])
DATA = pd.DataFrame({
    "uCode": ["A", "B", "C", "D", "E"],
    "uName": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
    "Region": ["n", "n", "s", "s", "s"],
    "Pop": [10.0, 20.0, 5.0, 4.0, 2.0],
    "I1": [100.0, 400.0, 50.0, np.nan, 20.0],   # per capita: 10, 20, 10, –, 10
    "I2": [3.0, 1.0, 2.0, 5.0, np.nan],
    "I3": [10.0, 11.0, np.nan, np.nan, 12.0],
    "I4": [1.0, 2.0, 3.0, 4.0, 5.0],
})


@pytest.fixture(scope="module")
def coin() -> Coin:
    return Coin.build(DATA, META, [Denominate(), Impute(method="group_mean", group="Region"),
                                   Screen(min_coverage=0.5), Treat(), Normalise(), Aggregate()])


def test_each_step_adds_a_named_dataset(coin):
    assert list(coin.datasets) == ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised",
                                   "Aggregated"]
    np.testing.assert_allclose(coin.datasets["Denominated"]["I1"], [10, 20, 10, np.nan, 10])
    # Group means: D (south) gets I1 = mean(10, 10); E (south) gets I2 = mean(2, 5); I3 of C and D
    # = 12 (E, the only southern value).
    imputed = coin.datasets["Imputed"]
    assert imputed.loc["D", "I1"] == 10 and imputed.loc["E", "I2"] == 3.5 and imputed.loc["C", "I3"] == 12
    normalised = coin.datasets["Normalised"]
    np.testing.assert_allclose(normalised["I2"], [50, 100, 75, 0, 37.5])  # direction −1 over [1, 5]
    agg = coin.datasets["Aggregated"]
    # A: I1 = 0 (10 of 10..20), I2 = 50 → P1 = (0 + 150)/4 = 37.5; I3 = 0, I4 = 0 → P2 = 0
    assert agg.loc["A", "P1"] == pytest.approx(37.5) and agg.loc["A", "Index"] == pytest.approx(25.0)
    assert list(agg.columns) == ["I1", "I2", "I3", "I4", "P1", "P2", "Index"]
    assert coin.units.loc["A", "uName"] == "Alpha" and "I1" not in coin.units


def test_apply_returns_a_new_coin_and_never_overwrites(coin):
    before = {k: v.copy() for k, v in coin.datasets.items()}
    other = coin.apply(Normalise(dataset="Treated", name="Ranked", method="rank"))
    assert "Ranked" in other.datasets and "Ranked" not in coin.datasets and len(coin.log) == 6
    for k, v in before.items():
        pd.testing.assert_frame_equal(coin.datasets[k], v)
    with pytest.raises(ValueError, match="already has a dataset 'Normalised'.*another name"):
        coin.apply(Normalise(dataset="Treated"))
    with pytest.raises(ValueError, match="no dataset 'Nope'"):
        coin.apply(Treat(dataset="Nope", name="T2"))
    with pytest.raises(TypeError, match="expected a step"):
        coin.apply("Normalise")
    copy = coin.dataset("Raw")
    copy.iloc[0, 0] = -1.0
    assert coin.datasets["Raw"].iloc[0, 0] == 100.0


def test_log_resolves_input_datasets_and_round_trips_through_json(coin):
    assert [s.dataset for s in coin.log] == ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised"]
    doc = json.loads(coin.log_json())
    assert doc["format"] == "evalkit.composite.log/1" and set(doc["inputs"]) == {"imeta_sha256", "idata_sha256"}
    assert doc["steps"][2] == {"step": "Screen", "dataset": "Imputed", "name": "Screened", "min_coverage": 0.5,
                               "by": "missing", "min_nonzero": 0.05, "include": [], "exclude": []}
    assert [step_from_dict(d) for d in doc["steps"]] == list(coin.log)


def test_regenerate_is_exact_and_checks_inputs(coin):
    again = Coin.regenerate(coin.log_json(), DATA, META)
    for name, frame in coin.datasets.items():
        pd.testing.assert_frame_equal(again.datasets[name], frame, check_exact=True)
    pd.testing.assert_frame_equal(again.analysis["Treated"]["details"], coin.analysis["Treated"]["details"])
    changed = DATA.assign(I4=[1.0, 2.0, 3.0, 4.0, 6.0])
    with pytest.raises(ValueError, match="idata_sha256 differ"):
        Coin.regenerate(coin.log_json(), changed, META)
    variant = Coin.regenerate(coin.log_json(), changed, META, check_inputs=False)
    assert variant.datasets["Aggregated"].loc["E", "I4"] == 100.0


def test_an_edited_log_gives_a_variant(coin):
    log = list(coin.log)
    log[4] = Normalise(dataset="Treated", method="minmax", lower=0, upper=50)
    half = coin.rebuild(log)
    for name in ("Raw", "Denominated", "Imputed", "Screened", "Treated"):
        pd.testing.assert_frame_equal(half.datasets[name], coin.datasets[name], check_exact=True)
    pd.testing.assert_frame_equal(half.datasets["Normalised"], coin.datasets["Normalised"] / 2, check_exact=True)
    pd.testing.assert_frame_equal(half.datasets["Aggregated"], coin.datasets["Aggregated"] / 2)
    # Editing the JSON text works the same way.
    doc = json.loads(coin.log_json())
    doc["steps"][-1]["method"] = "geom_mean"
    with pytest.raises(ValueError, match="values must be > 0"):
        coin.rebuild(doc)  # min-max starts at 0: the geometric mean needs [1, 100]
    doc["steps"][4]["lower"] = 1
    geo = coin.rebuild(doc)
    assert geo.log[-1] == Aggregate(dataset="Normalised", method="geom_mean")


def test_weights_steps_and_effective_weights(coin):
    eff = coin.effective_weights()
    np.testing.assert_allclose(eff[["I1", "I2", "I3", "I4"]], [2 / 3 / 4, 2 / 3 * 3 / 4, 1 / 6, 1 / 6])
    table = coin.analysis["Aggregated"]["weights"]
    assert table.loc["I2", "effective_weight"] == pytest.approx(0.5)
    equal = coin.apply(Weights(scheme="equal", level=1)).apply(Aggregate(dataset="Normalised", name="Equal"))
    assert equal.weight_sets["Weights"]["I2"] == 1.0 and equal.weight_sets["Weights"]["P1"] == 2.0
    a = equal.datasets["Equal"].loc["A"]
    assert a["P1"] == pytest.approx((a["I1"] + a["I2"]) / 2)
    entropy = coin.apply(Weights(scheme="entropy", level=1, dataset="Normalised", name="Entropy"))
    w = entropy.weights
    assert w["I1"] + w["I2"] == pytest.approx(1.0) and w["I3"] + w["I4"] == pytest.approx(1.0)
    assert entropy.log[-1].dataset == "Normalised"
    assert set(entropy.analysis["Entropy"]["weights"]["units_used"]) == {5}
    with pytest.raises(ValueError, match="already has a weight set 'Entropy'"):
        entropy.apply(Weights(scheme="equal", name="Entropy"))
    upper = coin.apply(Weights(scheme="critic", level=2, dataset="Aggregated"))
    assert upper.weights["P1"] + upper.weights["P2"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="has no column P1"):
        coin.apply(Weights(scheme="entropy", level=2, dataset="Normalised"))
    table = coin.apply(Weights(scheme="table", table={"P2": 2}))
    assert table.effective_weights()[["I3", "I4"]].sum() == pytest.approx(0.5)
    # Aggregate's own weights override the current set for that step only.
    once = coin.apply(Aggregate(dataset="Normalised", name="Again", weights={"P2": 2}))
    assert once.datasets["Again"].loc["A", "Index"] == pytest.approx((2 * 37.5 + 2 * 0) / 4)


def test_results_table(coin):
    res = coin.results()
    assert list(res.columns) == ["uName", "Rank", "Index", "P1", "P2"]
    assert list(res["Rank"]) == sorted(res["Rank"]) and res["Index"].is_monotonic_decreasing
    assert res.iloc[0]["Rank"] == 1
    with pytest.raises(ValueError, match="aggregate first"):
        coin.results("Normalised")


def test_step_arguments_are_checked():
    with pytest.raises(ValueError, match="method must be one of"):
        Normalise(method="softmax")
    with pytest.raises(ValueError, match="needs group="):
        Impute(method="group_mean")
    with pytest.raises(ValueError, match="needs level="):
        Weights(scheme="entropy")
    with pytest.raises(ValueError, match="unknown step 'Shuffle'"):
        step_from_dict({"step": "Shuffle"})
    with pytest.raises(ValueError, match="unknown argument\\(s\\) winmax"):
        step_from_dict({"step": "Treat", "winmax": 3})
    assert Aggregate(method={"3": "geom_mean"}).method == {3: "geom_mean"}


# -- properties ------------------------------------------------------------------------------


@st.composite
def pipelines(draw):
    """A random two-pillar tree, data with gaps, and a random but valid list of steps."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    rows, codes = [], []
    for p, size in enumerate(sizes):
        for i in range(size):
            code = f"I{p}{i}"
            codes.append(code)
            rows.append(dict(Level=1, iCode=code, Parent=f"P{p}", Direction=draw(st.sampled_from([1, -1])),
                             Weight=draw(st.floats(0.5, 4)), Type="Indicator",
                             Denominator=draw(st.sampled_from([None, "Pop"]))))
        rows.append(dict(Level=2, iCode=f"P{p}", Parent="Index", Direction=1, Weight=draw(st.floats(0.5, 4)),
                         Type="Aggregate"))
    rows.append(dict(Level=3, iCode="Index", Parent=None, Direction=1, Weight=1, Type="Aggregate"))
    rows.append(dict(Level=None, iCode="Pop", Type="Denominator"))
    meta = pd.DataFrame(rows)
    n = draw(st.integers(6, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    values = rng.lognormal(2, 1.5, size=(n, len(codes)))
    values[rng.random(values.shape) < 0.1] = np.nan
    data = pd.DataFrame(values, columns=codes)
    data.insert(0, "uCode", [f"u{i}" for i in range(n)])
    data["Pop"] = rng.uniform(1, 100, n)
    lower = draw(st.sampled_from([0.0, 1.0]))
    method = draw(st.sampled_from(["arith_mean", "points_sum", "topsis"] + (["geom_mean"] if lower > 0 else [])))
    steps = [Denominate(), Impute(method=draw(st.sampled_from(["mean", "median"]))),
             Screen(min_coverage=draw(st.floats(0, 0.5))),
             Treat(max_points=draw(st.integers(0, 5)), skew_threshold=draw(st.sampled_from([1.0, 2.0])),
                   combine=draw(st.booleans())),
             Normalise(method="minmax", lower=lower, upper=100.0, on_constant="midpoint"),
             Aggregate(method=method, min_coverage=draw(st.sampled_from([None, 0.5])))]
    return meta, data, steps


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pipelines(), st.data())
def test_regeneration_from_the_log_is_exact_and_an_edit_changes_only_its_branch(case, data):
    meta, idata, steps = case
    coin = Coin.build(idata, meta, steps)
    again = Coin.regenerate(coin.log_json(), idata, meta)
    assert list(again.datasets) == list(coin.datasets)
    for name, frame in coin.datasets.items():
        pd.testing.assert_frame_equal(again.datasets[name], frame, check_exact=True)
    for name, tables in coin.analysis.items():
        for key, frame in tables.items():
            pd.testing.assert_frame_equal(again.analysis[name][key], frame, check_exact=True)

    # Edit the last step: a new weight for one indicator. Only its parent and the index may move.
    indicators = list(coin.meta.indicators)
    target = data.draw(st.sampled_from(indicators))
    edited = json.loads(coin.log_json())
    edited["steps"][-1]["weights"] = {target: data.draw(st.floats(0.1, 10))}
    variant = coin.rebuild(edited)
    for name in list(coin.datasets)[:-1]:
        pd.testing.assert_frame_equal(variant.datasets[name], coin.datasets[name], check_exact=True)
    before, after = coin.datasets["Aggregated"], variant.datasets["Aggregated"]
    branch = {coin.meta.nodes[target].parent, "Index"}
    untouched = [c for c in before.columns if c not in branch]
    pd.testing.assert_frame_equal(after[untouched], before[untouched], check_exact=True)
