"""DEA (CCR and BCC), pinned to published worked examples.

* Bogetoft, P. & Otto, L. (2011). *Benchmarking with DEA, SFA, and R*, Springer, p. 95
  (the numerical example of the R package Benchmarking): six firms A–F, one input
  x = 20, 40, 40, 60, 70, 50 and one output y = 20, 30, 50, 40, 60, 20. With one input and one
  output every score can also be read off the frontier by hand (comments below).
* Cooper, W. W., Seiford, L. M. & Tone, K. (2007). *Data Envelopment Analysis*, 2nd ed.,
  Springer:
  - chapter 3, two-input one-output example: DMUs A–F with (x1, x2) = (4, 3), (7, 3),
    (8, 1), (4, 2), (2, 4), (10, 1) and y = 1. CCR: θ*_A = 0.8571 (reference set D, E),
    θ*_B = 0.6316 (C, D), C, D, E efficient, and F with θ* = 1 but an excess of 2 in x1
    (reference set C) — on the frontier but not CCR-efficient.
  - Table 1.5, twelve hospitals A–L (inputs doctors, nurses; outputs outpatients,
    inpatients; the same data are the CST22 set of the R package qDEA). CCR scores as
    reported (3 d.p.): A, B, D = 1; C 0.883, E 0.763, F 0.835, G 0.902, H 0.796, I 0.960,
    J 0.871, K 0.955, L 0.958.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.frontier import DEADataError, DEASizeWarning, dea

FIRMS = list("ABCDEF")
BO_X = pd.DataFrame({"x": [20, 40, 40, 60, 70, 50]}, index=pd.Index(FIRMS, name="firm"))
BO_Y = pd.DataFrame({"y": [20, 30, 50, 40, 60, 20]}, index=pd.Index(FIRMS, name="firm"))

CST_X = pd.DataFrame({"x1": [4, 7, 8, 4, 2, 10], "x2": [3, 3, 1, 2, 4, 1]}, index=FIRMS)
CST_Y = pd.DataFrame({"y": [1, 1, 1, 1, 1, 1]}, index=FIRMS)

HOSPITALS = pd.DataFrame({
    "doctors": [20, 19, 25, 27, 22, 55, 33, 31, 30, 50, 53, 38],
    "nurses": [151, 131, 160, 168, 158, 255, 235, 206, 244, 268, 306, 284],
    "outpatients": [100, 150, 160, 180, 94, 230, 220, 152, 190, 250, 260, 250],
    "inpatients": [90, 50, 55, 72, 66, 90, 88, 80, 100, 100, 147, 120],
}, index=list("ABCDEFGHIJKL"))


def quiet(*args, **kwargs):
    """dea() on the small textbook examples, which trip the DMU-count warning by design."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DEASizeWarning)
        return dea(*args, **kwargs)


def test_bogetoft_otto_vrs_input():
    # VRS frontier: A(20,20) – C(40,50) – E(70,60). B needs 20 + 20·(30−20)/30 = 26.67 of
    # input for y = 30: 26.67/40 = 0.667; D: 33.33/60 = 0.556; F (y = 20) is dominated by A: 20/50.
    res, lam = quiet(BO_X, BO_Y, returns="vrs", return_lambdas=True)
    np.testing.assert_allclose(res["efficiency"], [1, 2 / 3, 1, 5 / 9, 1, 0.4], atol=1e-9)
    assert res["peers"].tolist() == ["A", "A, C", "C", "A, C", "E", "A"]
    assert res["efficient"].tolist() == [True, False, True, False, True, False]
    np.testing.assert_allclose(lam.loc["B", ["A", "C"]], [2 / 3, 1 / 3], atol=1e-9)
    np.testing.assert_allclose(lam.sum(axis=1), 1.0, atol=1e-9)
    assert res.index.name == "firm"


def test_bogetoft_otto_crs_input():
    # CRS: only C (the best ratio y/x = 1.25) is efficient (Bogetoft & Otto, 2011, p. 95);
    # each score is (y/x) / 1.25.
    res = quiet(BO_X, BO_Y, returns="crs")
    np.testing.assert_allclose(res["efficiency"], [0.8, 0.6, 1.0, 40 / 60 / 1.25, 60 / 70 / 1.25, 0.32])
    assert res["efficient"].tolist() == [False, False, True, False, False, False]
    assert (res["peers"] == "C").all()


def test_bogetoft_otto_output_orientation():
    # CRS: output and input efficiencies coincide. VRS output (worked by hand on the same
    # frontier): B could produce 50 with x = 40 → 30/50 = 0.6; D at x = 60 could produce
    # 50 + 10·20/30 = 56.67 → 0.706; F at x = 50: 53.33 → 0.375.
    crs = quiet(BO_X, BO_Y, returns="crs", orientation="output")
    np.testing.assert_allclose(crs["efficiency"], quiet(BO_X, BO_Y)["efficiency"], atol=1e-9)
    vrs = quiet(BO_X, BO_Y, returns="vrs", orientation="output")
    np.testing.assert_allclose(vrs["efficiency"], [1, 0.6, 1, 40 / (170 / 3), 1, 20 / (160 / 3)], atol=1e-9)
    assert vrs.loc["D", "peers"] == "C, E"


def test_cooper_seiford_tone_two_inputs_scores_peers_and_slack():
    res, lam = quiet(CST_X, CST_Y, return_lambdas=True)
    assert res.loc["A", "efficiency"] == pytest.approx(6 / 7)        # 0.8571
    assert res.loc["B", "efficiency"] == pytest.approx(12 / 19)      # 0.6316
    assert res.loc[["C", "D", "E", "F"], "efficiency"].tolist() == [1.0] * 4
    assert res["peers"].tolist() == ["D, E", "C, D", "C", "D", "E", "C"]
    np.testing.assert_allclose(lam.loc["A", ["D", "E"]], [5 / 7, 2 / 7])
    np.testing.assert_allclose(lam.loc["B", ["C", "D"]], [2 / 19, 17 / 19])
    # F: radially efficient, but uses 2 more units of x1 than its peer C.
    assert res.loc["F", "slack_x1"] == pytest.approx(2.0)
    assert res.loc["F", ["slack_x2", "slack_y"]].tolist() == [0.0, 0.0]
    assert res["efficient"].tolist() == [False, False, True, True, True, False]


def test_cooper_seiford_tone_hospitals_ccr():
    res = dea(HOSPITALS[["doctors", "nurses"]], HOSPITALS[["outpatients", "inpatients"]])
    published = dict(A=1, B=1, C=0.883, D=1, E=0.763, F=0.835, G=0.902, H=0.796,
                     I=0.960, J=0.871, K=0.955, L=0.958)
    np.testing.assert_allclose(res["efficiency"], pd.Series(published), atol=5e-4)
    assert res.index[res["efficient"]].tolist() == ["A", "B", "D"]
    assert list(res.columns) == ["efficiency", "efficient", "peers", "slack_doctors", "slack_nurses",
                                 "slack_outpatients", "slack_inpatients", "peer_ids", "target_doctors",
                                 "target_nurses", "target_outpatients", "target_inpatients", "targets"]


def test_peer_ids_and_targets_bogetoft_otto_vrs():
    # Worked by hand on the VRS frontier A(20,20) – C(40,50) – E(70,60): B (40, 30) projects
    # radially to x = 2/3 · 40 = 26.67 at y = 30, between A and C; F (50, 20) projects onto A.
    res = quiet(BO_X, BO_Y, returns="vrs")
    assert res.loc["B", "peer_ids"] == ["A", "C"] and type(res.loc["B", "peer_ids"]) is list
    assert res["peer_ids"].tolist() == [["A"], ["A", "C"], ["C"], ["A", "C"], ["E"], ["A"]]
    np.testing.assert_allclose(res["target_x"], [20, 80 / 3, 40, 100 / 3, 70, 20], atol=1e-9)
    np.testing.assert_allclose(res["target_y"], [20, 30, 50, 40, 60, 20], atol=1e-9)
    # Output orientation (same frontier): D (60, 40) can reach y = 56.67 at x = 60.
    out = quiet(BO_X, BO_Y, returns="vrs", orientation="output")
    np.testing.assert_allclose(out.loc["D", ["target_x", "target_y"]], [60, 170 / 3], atol=1e-9)
    assert out.filter(like="target_").loc["B"].to_dict() == pytest.approx({"target_x": 40, "target_y": 50})
    # the same targets as a plain dict per unit, and the peers as a plain list
    assert out.loc["B", "targets"] == pytest.approx({"x": 40, "y": 50})
    assert all(type(v) is float for v in out.loc["B", "targets"].values())
    assert isinstance(out.loc["B", "peer_ids"], list)


def test_targets_cooper_seiford_tone_two_inputs():
    # A = (4, 3) at θ* = 6/7 → (24/7, 18/7) = 5/7 D + 2/7 E; F drops its excess x1 of 2 → C.
    res = quiet(CST_X, CST_Y)
    np.testing.assert_allclose(res.loc["A", ["target_x1", "target_x2", "target_y"]], [24 / 7, 18 / 7, 1])
    np.testing.assert_allclose(res.loc["F", ["target_x1", "target_x2", "target_y"]], [8, 1, 1])
    assert res.loc["F", "peer_ids"] == ["C"]


@pytest.mark.parametrize("returns", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_targets_are_the_peers_combination_and_efficient_units_keep_their_data(returns, orientation):
    x, y = HOSPITALS[["doctors", "nurses"]], HOSPITALS[["outpatients", "inpatients"]]
    res, lam = dea(x, y, returns, orientation, return_lambdas=True)
    np.testing.assert_allclose(res[["target_doctors", "target_nurses"]].to_numpy(), lam.to_numpy() @ x.to_numpy(),
                               rtol=1e-6)
    np.testing.assert_allclose(res[["target_outpatients", "target_inpatients"]].to_numpy(),
                               lam.to_numpy() @ y.to_numpy(), rtol=1e-6)
    eff = res[res["efficient"]]
    np.testing.assert_array_equal(eff[["target_doctors", "target_nurses"]].to_numpy(), x.loc[eff.index].to_numpy())
    for unit, ids in res["peer_ids"].items():
        assert ids == [p for p in res.index if lam.loc[unit, p] > 0]
        assert res.loc[unit, "peers"] == ", ".join(ids)


def test_bcc_scores_are_at_least_ccr_scores_on_hospitals():
    args = HOSPITALS[["doctors", "nurses"]], HOSPITALS[["outpatients", "inpatients"]]
    crs, vrs = dea(*args, "crs"), dea(*args, "vrs")
    assert (vrs["efficiency"] >= crs["efficiency"] - 1e-9).all()
    assert set(crs.index[crs["efficient"]]) <= set(vrs.index[vrs["efficient"]])


@pytest.mark.parametrize("scale", [1e-6, 1e4, 1e8, 1e12])
def test_magnitudes_do_not_change_scores_peers_or_flags(scale):
    # Budgets in 元 run to 1e8–1e9: solver tolerances must not turn rounding into slacks.
    x, y = HOSPITALS[["doctors", "nurses"]], HOSPITALS[["outpatients", "inpatients"]]
    for returns in ("crs", "vrs"):
        base = dea(x, y, returns)
        big = dea(x.assign(nurses=x["nurses"] * scale), y * scale, returns)
        np.testing.assert_allclose(big["efficiency"], base["efficiency"], atol=1e-9)
        assert big["efficient"].equals(base["efficient"]) and big["peers"].equals(base["peers"])
        np.testing.assert_allclose(big["slack_nurses"] / scale, base["slack_nurses"], atol=1e-6)


def test_outputs_are_aligned_by_unit_not_by_position():
    shuffled = BO_Y.iloc[::-1]
    pd.testing.assert_frame_equal(quiet(BO_X, shuffled), quiet(BO_X, BO_Y))


def test_warns_when_too_few_units():
    # 13 街镇 with 3 inputs and 2 outputs: 13 < 3·(3 + 2) = 15 (domain brief §2).
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.integers(1, 50, (13, 3)), columns=["staff", "budget", "grids"])
    y = pd.DataFrame(rng.integers(1, 50, (13, 2)), columns=["closed", "served"])
    with pytest.warns(DEASizeWarning, match="13 units"):
        dea(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DEASizeWarning)
        dea(x[["staff", "budget"]], y[["closed", "served"]])  # 13 ≥ max(4, 12): no warning


@pytest.mark.parametrize("mutate, message", [
    (lambda x, y: (x.assign(x=[20, 40, np.nan, 60, 70, 50]), y), "missing or infinite for unit 'C'"),
    (lambda x, y: (x.assign(x=[20, 40, 0, 60, 70, 50]), y), "must be > 0; unit 'C'"),
    (lambda x, y: (x, y.assign(y=[20, -1, 50, 40, 60, 20])), "must be ≥ 0; unit 'B'"),
    (lambda x, y: (x, y.assign(y=[20, 0, 50, 40, 60, 20])), "unit 'B' has no positive output"),
    (lambda x, y: (x, y.drop(index="D")), "no outputs for unit 'D'"),
    (lambda x, y: (x, y.rename(index={"F": "G"})), "same units"),
    (lambda x, y: (pd.concat([x, x.iloc[[0]]]), y), "appears more than once"),
    (lambda x, y: (x.assign(x=list("abcdef")), y), "must be numeric"),
    (lambda x, y: (x, y.rename(columns={"y": "x"})), "distinct"),
    (lambda x, y: (x.iloc[:, :0], y), "at least one input"),
    (lambda x, y: (x["x"], y), "DataFrames"),
])
def test_invalid_data_raise_domain_error(mutate, message):
    x, y = mutate(BO_X.copy(), BO_Y.copy())
    with pytest.raises(DEADataError, match=message):
        quiet(x, y)


def test_domain_error_is_a_value_error_and_bad_options_raise():
    assert issubclass(DEADataError, ValueError)
    with pytest.raises(ValueError, match="returns"):
        quiet(BO_X, BO_Y, returns="irs")
    with pytest.raises(ValueError, match="orientation"):
        quiet(BO_X, BO_Y, orientation="both")


@st.composite
def dea_data(draw):
    n = draw(st.integers(min_value=2, max_value=7))
    m = draw(st.integers(min_value=1, max_value=2))
    s = draw(st.integers(min_value=1, max_value=2))
    cell = st.integers(min_value=1, max_value=60)
    x = np.array(draw(st.lists(st.lists(cell, min_size=m, max_size=m), min_size=n, max_size=n)), float)
    y = np.array(draw(st.lists(st.lists(cell, min_size=s, max_size=s), min_size=n, max_size=n)), float)
    units = [f"U{i}" for i in range(n)]
    return (pd.DataFrame(x, index=units, columns=[f"in{k}" for k in range(m)]),
            pd.DataFrame(y, index=units, columns=[f"out{k}" for k in range(s)]))


@settings(max_examples=25, deadline=None)
@given(dea_data(), st.sampled_from(["crs", "vrs"]))
def test_scores_in_unit_interval_and_peers_are_efficient(data, returns):
    x, y = data
    res = quiet(x, y, returns)
    assert ((res["efficiency"] > 0) & (res["efficiency"] <= 1)).all()
    assert res["efficient"].any()  # someone is always on the frontier
    assert (res.loc[res["efficient"], "efficiency"] == 1).all()
    for peers in res["peers"]:
        assert peers and all(res.loc[p, "efficient"] for p in peers.split(", "))
    slacks = res.filter(like="slack_")
    assert (slacks >= 0).all().all()


@settings(max_examples=25, deadline=None)
@given(dea_data(), st.floats(min_value=0.01, max_value=100), st.sampled_from(["crs", "vrs"]))
def test_units_invariance(data, factor, returns):
    # Measuring one input and one output in other units changes no score (CCR and BCC).
    x, y = data
    base = quiet(x, y, returns)["efficiency"]
    x2, y2 = x.copy(), y.copy()
    x2.iloc[:, 0] *= factor
    y2.iloc[:, -1] /= factor
    np.testing.assert_allclose(quiet(x2, y2, returns)["efficiency"], base, atol=1e-7)


@settings(max_examples=25, deadline=None)
@given(dea_data(), st.floats(min_value=0.05, max_value=20))
def test_ccr_scale_invariance_of_a_unit(data, k):
    # Under constant returns a unit scaled up or down k-fold (all inputs and outputs) keeps
    # its score, and so does everyone else.
    x, y = data
    base = quiet(x, y, "crs")["efficiency"]
    x2, y2 = x.copy(), y.copy()
    x2.iloc[0] *= k
    y2.iloc[0] *= k
    np.testing.assert_allclose(quiet(x2, y2, "crs")["efficiency"], base, atol=1e-7)


@settings(max_examples=25, deadline=None)
@given(dea_data())
def test_vrs_at_least_crs(data):
    x, y = data
    assert (quiet(x, y, "vrs")["efficiency"] >= quiet(x, y, "crs")["efficiency"] - 1e-9).all()
