"""Reliability per rater group and criterion, and the plain-language low-agreement flag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.qualitative import exclude_own_unit, icc, icc_table, reliability_table
from evalkit.qualitative.reliability import RELIABILITY_COLUMNS, _complete_block


def simulate(unit_sd: float, noise_sd: float, n_units=30, n_raters=8, seed=1, missing=0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    quality = rng.normal(80, unit_sd, n_units)
    rows = []
    for u in range(n_units):
        for j in range(n_raters):
            if rng.random() < missing:
                continue
            rows.append({"rater_id": f"R{j}", "rater_group": "leader", "unit_id": f"U{u:02d}", "criterion": "c",
                         "score": float(np.clip(quality[u] + rng.normal(0, noise_sd), 0, 100))})
    return pd.DataFrame(rows)


def test_sample_table_has_a_row_per_group_and_criterion(sample_ratings, sample_raters, sample_rubric):
    elig = exclude_own_unit(sample_ratings, sample_raters).eligible
    t = reliability_table(elig, rubric=sample_rubric)
    assert list(t.columns) == RELIABILITY_COLUMNS
    assert len(t) == 16 and set(t["rater_group"]) == {"leader", "peer", "service_user", "expert"}
    assert (t["n_units"] == 48).all()
    assert t[["icc1", "icc1k", "alpha_interval", "fleiss_kappa"]].notna().all().all()
    assert (t["icc1"] < t["icc1k"]).all()  # the mean of several raters is more reliable
    assert (t["low_agreement"] == (t["icc1k"] < 0.5)).all()
    assert (t["w_units"] >= 5).all() and t["kendall_w"].between(0, 1).all()
    # criterion names come from the rubric in the messages
    low = t[t["low_agreement"]]
    assert all("评价一致性低" in m for m in low["message_zh"]) and all("Low agreement" in m for m in low["message_en"])
    assert t["message_zh"].str.len().gt(0).all()
    # no rater id anywhere
    ids = set(sample_raters["rater_id"])
    assert not ids & set(t.astype(str).to_numpy().ravel())


def test_flag_follows_agreement():
    noisy = reliability_table(simulate(unit_sd=0.1, noise_sd=8)).iloc[0]
    assert bool(noisy["low_agreement"]) and noisy["agreement"] == "poor"
    assert noisy["message_en"].startswith("Low agreement") and "谨慎" in noisy["message_zh"]
    clear = reliability_table(simulate(unit_sd=8, noise_sd=2)).iloc[0]
    assert not clear["low_agreement"] and clear["agreement"] == "excellent"
    assert clear["alpha_interval"] > 0.8 and clear["kendall_w"] > 0.8 and clear["kendall_pval"] < 0.001
    thin = reliability_table(simulate(unit_sd=8, noise_sd=2, n_units=2)).iloc[0]
    assert thin["agreement"] == "not_assessable" and not thin["low_agreement"]
    assert "无法评估" in thin["message_zh"]


def test_incomplete_designs_use_all_ratings_for_icc1_and_a_complete_block_for_w():
    r = simulate(unit_sd=5, noise_sd=4, n_units=40, n_raters=10, missing=0.3, seed=7)
    row = reliability_table(r).iloc[0]
    assert row["n_ratings"] == len(r) and row["w_units"] * row["w_raters"] < len(r)
    m = r.pivot(index="unit_id", columns="rater_id", values="score").to_numpy()
    rows, cols = _complete_block(m)
    assert not np.isnan(m[np.ix_(rows, cols)]).any()
    assert (len(rows), len(cols)) == (row["w_units"], row["w_raters"])
    # icc_table gives the six forms on that block, equal to icc() on it
    t = icc_table(r)
    block = r[r["unit_id"].isin(sorted(r["unit_id"].unique())[i] for i in rows)
              & r["rater_id"].isin(sorted(r["rater_id"].unique())[j] for j in cols)]
    ref = icc(block, "unit_id", "rater_id", "score")
    assert list(t["Type"]) == list(ref["Type"])
    np.testing.assert_allclose(t["ICC"], ref["ICC"], rtol=1e-12)
    assert (t["n_units"] == len(rows)).all() and (t["n_raters"] == len(cols)).all()


def test_complete_block_keeps_everything_when_nothing_is_missing():
    m = np.arange(18.0).reshape(6, 3)
    rows, cols = _complete_block(m)
    assert list(rows) == [0, 1, 2, 3, 4, 5] and list(cols) == [0, 1, 2]
    m[0, 0] = np.nan
    rows, cols = _complete_block(m)
    assert len(rows) * len(cols) == 15  # drops unit 0 (3 cells) rather than rater 0 (6 cells)
    assert _complete_block(m[:4])[0].size == 0  # fewer than 5 units: no block


def test_vectorised_kappa_and_w_equal_the_public_functions(sample_ratings, sample_raters, sample_rubric):
    from evalkit.qualitative import fleiss_kappa, kendall_w

    elig = exclude_own_unit(sample_ratings, sample_raters).eligible
    t = reliability_table(elig, rubric=sample_rubric).set_index(["rater_group", "criterion"])
    for key in [("leader", "attitude"), ("expert", "innovation"), ("peer", "integrity")]:
        d = elig[(elig["rater_group"] == key[0]) & (elig["criterion"] == key[1])]
        level = sample_rubric.scale.level_of(d["score"].to_numpy())
        counts = pd.crosstab(d["unit_id"].to_numpy(), level).reindex(columns=range(5), fill_value=0)
        assert t.loc[key, "fleiss_kappa"] == pytest.approx(fleiss_kappa(counts), abs=1e-12)
        wide = d.pivot(index="unit_id", columns="rater_id", values="score").to_numpy()
        rows, cols = _complete_block(wide)
        assert t.loc[key, "kendall_w"] == pytest.approx(kendall_w(wide[np.ix_(rows, cols)]).w, abs=1e-12)
