"""Sobol' indices (Saltelli 2010 first-order, Jansen 1999 total) pinned to analytic values.

Ishigami function (Ishigami & Homma, 1990), ``a = 7``, ``b = 0.1``, ``X_i ~ U(−π, π)``:
``f = sin x1 + a sin² x2 + b x3⁴ sin x1``. Its ANOVA decomposition is known in closed form
(Homma & Saltelli, 1996; Sobol' & Levitan, 1999; Saltelli et al., 2008, *Global Sensitivity
Analysis: The Primer*)::

    V   = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2
    V1  = (1 + bπ⁴/5)² / 2,   V2 = a²/8,   V3 = 0,   V13 = b²π⁸ (1/18 − 1/50) = 8b²π⁸/225
    S   = (V1, V2, 0) / V                 = (0.3139, 0.4424, 0)
    ST  = (V1 + V13, V2, V13) / V         = (0.5576, 0.4424, 0.2437)

Sobol' G function (Sobol' 1993; Saltelli & Sobol' 1995; the test case of Saltelli et al.
2010, §5), ``X_i ~ U(0, 1)``: ``g = Π_i (|4 x_i − 2| + a_i) / (1 + a_i)`` with
``a = (0, 1, 4.5, 9, 99, 99, 99, 99)``::

    V_i = 1 / (3 (1 + a_i)²),   V = Π_i (1 + V_i) − 1
    S_i = V_i / V,              ST_i = V_i Π_{j≠i} (1 + V_j) / V
    S  ≈ (0.7162, 0.1790, 0.0237, 0.0072, 0.0001 ×4)

Monte Carlo tolerances: the estimate must lie within 4 bootstrap standard errors (the 95 %
percentile interval's half-width / 1.96) of the analytic value, and that standard error
must itself be small, so that the test has teeth.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from evalkit.sensitivity import (
    SaltelliDesign,
    SensitivityError,
    SobolAnalysis,
    saltelli_design,
    sobol_analysis,
    sobol_indices,
    split_outputs,
)

PI = np.pi


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_analytic(a=7.0, b=0.1):
    v = a ** 2 / 8 + b * PI ** 4 / 5 + b ** 2 * PI ** 8 / 18 + 0.5
    v1 = 0.5 * (1 + b * PI ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * PI ** 8 * (1 / 18 - 1 / 50)
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


G_A = np.array([0, 1, 4.5, 9, 99, 99, 99, 99], dtype=float)


def g_function(x, a=G_A):
    return np.prod((np.abs(4 * x - 2) + a) / (1 + a), axis=1)


def g_analytic(a=G_A):
    vi = 1 / (3 * (1 + a) ** 2)
    v = np.prod(1 + vi) - 1
    return vi / v, vi * np.prod(1 + vi) / (1 + vi) / v


ISHIGAMI_INPUTS = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}


def _within_se(est, lo, hi, truth, k=4.0, max_se=0.02):
    se = (np.asarray(hi) - np.asarray(lo)) / (2 * 1.959964)
    assert np.all(se < max_se), se
    assert np.all(np.abs(np.asarray(est) - truth) <= k * se + 1e-12), (est, truth, se)


def test_ishigami_analytic_values_are_the_published_ones():
    s1, st = ishigami_analytic()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=5e-5)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=5e-5)


@pytest.mark.parametrize("sampler, n", [("sobol", 2 ** 13), ("random", 2 ** 14)])
def test_ishigami_indices_match_analytic_values(sampler, n):
    res = sobol_analysis(ishigami, ISHIGAMI_INPUTS, n, seed=20240601, sampler=sampler, n_boot=500)
    s1, st = ishigami_analytic()
    assert list(res["input"]) == ["x1", "x2", "x3"]
    assert "output" not in res.columns
    _within_se(res["S1"], res["S1_low"], res["S1_high"], s1)
    _within_se(res["ST"], res["ST_low"], res["ST_high"], st)
    if sampler == "sobol":
        # quasi-random points are more accurate than the row bootstrap assumes, so here the
        # 95 % intervals all cover the analytic values (with pseudo-random points one of six
        # may miss, as it should about a quarter of the time)
        assert np.all((res["S1_low"] <= s1) & (s1 <= res["S1_high"]))
        assert np.all((res["ST_low"] <= st) & (st <= res["ST_high"]))
    # x3 acts only through its interaction with x1
    assert res.loc[2, "ST"] - res.loc[2, "S1"] > 0.2


def test_sobol_g_function_matches_analytic_values():
    res = sobol_analysis(g_function, [(0, 1)] * 8, 2 ** 13, seed=7, n_boot=500)
    s1, st = g_analytic()
    np.testing.assert_allclose(s1[:4], [0.7162, 0.1790, 0.0237, 0.0072], atol=5e-5)
    _within_se(res["S1"], res["S1_low"], res["S1_high"], s1)
    _within_se(res["ST"], res["ST_low"], res["ST_high"], st)
    # the four nearly inert inputs (a = 99) get nearly nothing
    assert np.all(res["ST"].iloc[4:] < 1e-3) and np.all(np.abs(res["S1"].iloc[4:]) < 2e-3)


def test_an_input_the_model_ignores_gets_exactly_zero():
    inputs = dict(ISHIGAMI_INPUTS, dummy=(0.0, 1.0))
    res = sobol_analysis(ishigami, inputs, 2 ** 10, seed=3, n_boot=200).set_index("input")
    row = res.loc["dummy"]
    assert row["S1"] == 0.0 and row["ST"] == 0.0
    assert row["S1_low"] <= 0.0 <= row["S1_high"] and row["ST_low"] <= 0.0 <= row["ST_high"]
    assert row[["S1_low", "S1_high", "ST_low", "ST_high"]].abs().max() == 0.0


def test_same_seed_gives_identical_numbers_and_another_seed_does_not():
    a = sobol_analysis(ishigami, ISHIGAMI_INPUTS, 2 ** 9, seed=11, n_boot=100)
    b = sobol_analysis(ishigami, ISHIGAMI_INPUTS, 2 ** 9, seed=11, n_boot=100)
    c = sobol_analysis(ishigami, ISHIGAMI_INPUTS, 2 ** 9, seed=12, n_boot=100)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not np.allclose(a["S1"], c["S1"])
    # a Generator is accepted too, and equals the integer seed
    d = sobol_analysis(ishigami, ISHIGAMI_INPUTS, 2 ** 9, seed=np.random.default_rng(11), n_boot=100)
    pd.testing.assert_frame_equal(a, d, check_exact=True)


def test_design_structure():
    A, B, AB = design = saltelli_design(8, 3, rng=0, sampler="random")
    assert isinstance(design, SaltelliDesign)
    assert A.shape == B.shape == (8, 3) and AB.shape == (3, 8, 3)
    for i in range(3):
        others = [j for j in range(3) if j != i]
        np.testing.assert_array_equal(AB[i][:, i], B[:, i])
        np.testing.assert_array_equal(AB[i][:, others], A[:, others])
    stacked = design.stacked()
    assert stacked.shape == (8 * 5, 3)
    fA, fB, fAB = split_outputs(stacked.sum(axis=1), 8, 3)
    np.testing.assert_array_equal(fA, A.sum(axis=1))
    np.testing.assert_array_equal(fB, B.sum(axis=1))
    np.testing.assert_array_equal(fAB, AB.sum(axis=2))
    # the same seed, the same design
    np.testing.assert_array_equal(saltelli_design(8, 3, rng=0, sampler="random").A, A)


def test_sobol_sampler_is_scipys_scrambled_sequence_split_in_halves():
    A, B, _ = saltelli_design(16, 2, rng=5, sampler="sobol")
    try:
        engine = scipy.stats.qmc.Sobol(d=4, scramble=True, rng=np.random.default_rng(5))
    except TypeError:  # scipy < 1.15
        engine = scipy.stats.qmc.Sobol(d=4, scramble=True, seed=np.random.default_rng(5))
    u = engine.random(16)
    np.testing.assert_array_equal(A, u[:, :2])
    np.testing.assert_array_equal(B, u[:, 2:])


def test_user_sampler_is_called_with_n_dim_rng():
    calls = []

    def latin(n, dim, rng):
        calls.append((n, dim))
        return scipy.stats.qmc.LatinHypercube(d=dim, seed=rng).random(n)

    A, B, AB = saltelli_design(10, 2, rng=1, sampler=latin)
    assert calls == [(10, 4)] and A.shape == (10, 2)
    with pytest.raises(SensitivityError, match="shape"):
        saltelli_design(10, 2, sampler=lambda n, dim, rng: np.zeros((n, dim + 1)))
    with pytest.raises(SensitivityError, match="unit hypercube"):
        saltelli_design(10, 2, sampler=lambda n, dim, rng: np.full((n, dim), 2.0))


def test_matrix_output_gives_indices_per_output_equal_to_separate_runs():
    rng = np.random.default_rng(0)
    design = saltelli_design(2 ** 10, 3, rng=rng)
    x = design.stacked() * 2 * PI - PI
    y = np.column_stack([ishigami(x), x[:, 0] + 2 * x[:, 1]])
    fA, fB, fAB = split_outputs(y, 2 ** 10, 3)
    both = sobol_indices(fA, fB, fAB, n_boot=100, rng=1, outputs=["ishigami", "linear"])
    assert list(both.columns) == ["input", "output", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]
    assert list(both["output"]) == ["ishigami"] * 3 + ["linear"] * 3
    for k, name in enumerate(["ishigami", "linear"]):
        alone = sobol_indices(fA[:, k], fB[:, k], fAB[:, :, k], n_boot=100, rng=1)
        got = both[both["output"] == name].drop(columns="output").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, alone, check_exact=False, rtol=1e-12, atol=1e-12)
    # additive linear model: S1 = ST = c_i² / Σ c²  → (1/5, 4/5, 0)
    lin = both[both["output"] == "linear"]
    np.testing.assert_allclose(lin["S1"], [0.2, 0.8, 0.0], atol=0.03)
    np.testing.assert_allclose(lin["ST"], [0.2, 0.8, 0.0], atol=0.03)


def test_point_estimates_equal_scipys_sobol_indices():
    if not hasattr(scipy.stats, "sobol_indices"):
        pytest.skip("scipy.stats.sobol_indices needs scipy ≥ 1.11")
    design = saltelli_design(2 ** 9, 3, rng=4)
    x = design.stacked() * 2 * PI - PI
    fA, fB, fAB = split_outputs(ishigami(x), 2 ** 9, 3)
    ours = sobol_indices(fA, fB, fAB, n_boot=0)
    theirs = scipy.stats.sobol_indices(func={"f_A": fA[None, :], "f_B": fB[None, :], "f_AB": fAB[:, None, :]},
                                       n=2 ** 9)
    np.testing.assert_allclose(ours["S1"], theirs.first_order.ravel(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours["ST"], theirs.total_order.ravel(), rtol=1e-12, atol=1e-14)
    assert ours[["S1_low", "ST_high"]].isna().all().all()


def test_rank_outputs_of_a_weighted_sum_and_a_unit_whose_rank_never_changes():
    # 4 units, 3 components; unit "top" dominates everyone on every component, so it is
    # first whatever the weights: its rank has no variance and its indices are NaN.
    comp = pd.DataFrame({"c1": [1.0, 0.2, 0.6, 0.5], "c2": [1.0, 0.7, 0.3, 0.5], "c3": [1.0, 0.1, 0.2, 0.9]},
                        index=["top", "u2", "u3", "u4"])

    def ranks(w):
        w = w / w.sum(axis=1, keepdims=True)
        scores = pd.DataFrame(w @ comp.to_numpy().T, columns=comp.index)
        return scores.rank(axis=1, ascending=False, method="min")

    res = sobol_analysis(ranks, {"c1": (0.1, 1), "c2": (0.1, 1), "c3": (0.1, 1)}, 2 ** 9, seed=2, n_boot=50)
    assert set(res["output"]) == {"top", "u2", "u3", "u4"} and len(res) == 12
    top = res[res["output"] == "top"]
    assert top[["S1", "ST", "S1_low", "ST_high"]].isna().all().all()
    rest = res[res["output"] != "top"]
    assert rest[["S1", "ST"]].notna().all().all()
    assert (rest["ST"] >= 0).all()


def test_verbose_returns_the_working():
    out = sobol_analysis(ishigami, ISHIGAMI_INPUTS, 2 ** 6, seed=1, n_boot=10, verbose=True)
    assert isinstance(out, SobolAnalysis)
    assert out.inputs.shape == (2 ** 6 * 5, 3) and list(out.inputs.columns) == ["x1", "x2", "x3"]
    assert out.inputs.index.get_level_values("matrix")[-1] == "AB:x3"
    np.testing.assert_allclose(out.outputs, ishigami(out.inputs.to_numpy()))
    np.testing.assert_allclose(out.inputs.loc["A"].to_numpy(), out.design.A * 2 * PI - PI)


def test_distributions_row_by_row_models_and_frames():
    # an inverse CDF for one input, a row-by-row model that reads the inputs by name
    inputs = {"a": scipy.stats.uniform(-PI, 2 * PI).ppf, "b": (-PI, PI), "c": (-PI, PI)}

    def row_model(row):
        return ishigami(row.to_numpy()[None, :])[0]

    slow = sobol_analysis(row_model, inputs, 2 ** 6, seed=9, n_boot=20, vectorised=False, as_frame=True)
    fast = sobol_analysis(lambda x: ishigami(x.to_numpy()), inputs, 2 ** 6, seed=9, n_boot=20, as_frame=True)
    pd.testing.assert_frame_equal(slow, fast)


def test_errors_are_actionable():
    with pytest.raises(SensitivityError, match="bounds"):
        sobol_analysis(ishigami, {"x": (1, 0)}, 8, seed=0)
    with pytest.raises(SensitivityError, match="non-finite"):
        sobol_analysis(lambda x: x[:, 0], {"x": lambda u: np.where(u < 2, np.inf, 0.0)}, 8, seed=0, n_boot=0)
    with pytest.raises(SensitivityError, match="missing or infinite"):
        sobol_indices(np.array([1.0, np.nan]), np.ones(2), np.ones((1, 2)))
    with pytest.raises(SensitivityError, match="f_AB must have shape"):
        sobol_indices(np.ones(4), np.ones(4), np.ones((2, 3)))
    with pytest.raises(SensitivityError, match="confidence"):
        sobol_indices(np.arange(4.0), np.arange(4.0), np.ones((1, 4)), confidence=95)
    with pytest.raises(SensitivityError, match="sampler"):
        saltelli_design(8, 2, sampler="lhs")
    with pytest.raises(SensitivityError, match="expected 40 model outputs"):
        split_outputs(np.ones(39), 8, 3)


def test_bootstrap_is_fast_enough_for_many_outputs():
    # 35 units × 10 weights at N = 2^12: the vectorised bootstrap stays quick
    rng = np.random.default_rng(0)
    fA, fB = rng.random((4096, 35)), rng.random((4096, 35))
    fAB = rng.random((10, 4096, 35))
    t0 = time.perf_counter()
    res = sobol_indices(fA, fB, fAB, n_boot=200, rng=0)
    assert time.perf_counter() - t0 < 10
    assert len(res) == 350
