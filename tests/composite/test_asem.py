"""The ASEM example of COINr, rebuilt with evalkit's composite pipeline.

Data: the ASEM (Asia-Europe Meeting) sustainable connectivity data set shipped with the
COINr R package (Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. &
Saisana, M. (2022). COINr: an R package for developing composite indicators. JOSS 7(78),
4567; github.com/bluefoxr/COINr), MIT licence, converted from the package's .rda files to
CSV in ``tests/data/asem/`` (see its README).

The pipeline is COINr's ``build_example_coin()`` (R/examples.R):

    new_coin(ASEM_iData, ASEM_iMeta)
    Denominate(coin, dset = "Raw")
    Impute(coin, dset = "Denominated", f_i = "i_mean_grp", use_group = "EurAsia_group")
    Screen(coin, dset = "Imputed", dat_thresh = 0.9, unit_screen = "byNA")
    Treat(coin, dset = "Screened", global_specs = list(f1_para = list(winmax = 5)))
    Normalise(coin, dset = "Treated", global_specs = list(f_n = "n_minmax", f_n_para = list(c(0,100))))
    Aggregate(coin, dset = "Normalised", f_ag = "a_amean")

Published outputs compared (COINr pkgdown articles, bluefoxr/COINr ``articles/*.md``):

* ``articles/results.md`` — ``get_results(coin, dset = "Aggregated", tab_type = "Aggs")``:
  the top six units with Index, sub-index and pillar scores (2 decimals), and
  ``get_unit_summary(coin, usel = "IND", Levels = c(4,3,2))`` (scores and ranks).
* ``articles/aggregate.md`` — the first five rows of the aggregated data set (3
  significant figures).
* ``articles/treat.md`` — the treatment table of the raw data with default settings,
  with ``winmax = 1``, and with ``winmax = 0`` for Flights (skewness and kurtosis to 7
  significant figures).
"""

from pathlib import Path

import pandas as pd
import pytest

from evalkit.composite import Aggregate, Coin, Denominate, Impute, Normalise, Screen, Treat

ASEM = Path(__file__).resolve().parent.parent / "data" / "asem"
IDATA, IMETA = ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv"

EXAMPLE = (
    Denominate(),
    Impute(method="group_mean", group="EurAsia_group"),
    Screen(min_coverage=0.9, by="missing"),
    Treat(max_points=5),
    Normalise(method="minmax", lower=0, upper=100),
    Aggregate(method="arith_mean"),
)

COLUMNS = ["Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social",
           "SusEcFin"]

# articles/results.md, get_results(coin, dset = "Aggregated", tab_type = "Aggs"), head():
RESULTS_TOP6 = """
uCode Rank Index  Conn  Sust Physical ConEcFin Political Instit   P2P Environ Social SusEcFin
  CHE    1 68.38 62.79 73.98    63.41    32.87     74.78  85.94 56.93   77.21  87.85    56.88
  NLD    2 64.82 61.94 67.70    64.87    46.62     84.55  71.74 41.92   58.73  86.58    57.78
  DNK    3 64.80 57.10 72.51    50.52    30.43     78.13  75.35 51.04   69.83  86.40    61.29
  NOR    4 64.47 57.44 71.50    58.18    25.70     80.03  89.46 33.80   70.90  87.00    56.59
  BEL    5 63.54 63.99 63.09    71.97    48.22     80.84  75.60 43.32   53.01  86.17    50.09
  SWE    6 63.00 53.87 72.12    51.51    23.87     80.98  74.51 38.50   66.37  87.74    62.27
"""

# articles/results.md, get_unit_summary(coin, usel = "IND", Levels = c(4,3,2)): score, rank
INDIA = {"Index": (39.79, 45), "Conn": (28.60, 44), "Sust": (50.99, 43), "Physical": (18.78, 48),
         "ConEcFin": (6.38, 49), "Political": (51.90, 33), "Instit": (59.84, 37), "P2P": (6.07, 47),
         "Environ": (75.34, 6), "Social": (22.74, 51), "SusEcFin": (54.88, 36)}

# articles/aggregate.md, dset_aggregated[(nc - 10) : nc] |> head(5) |> signif(3); the package's
# data are ordered by uCode there (AUS, AUT, BEL, BGD, BGR).
AGGREGATED_HEAD = """
uCode ConEcFin Environ Instit   P2P Physical Political Social SusEcFin Conn Sust Index
  AUS     12.6    31.9   52.4 39.50     34.8      52.5   71.9     55.7 38.4 53.2  45.8
  AUT     26.2    69.5   77.5 54.10     41.1      78.2   72.8     62.9 55.4 68.4  61.9
  BEL     48.2    53.0   75.6 43.30     72.0      80.8   86.2     50.1 64.0 63.1  63.5
  BGD     13.3    81.7   26.5  5.85     22.9      32.4   27.5     64.6 20.2 57.9  39.0
  BGR     24.6    55.7   75.9 27.10     28.4      67.5   53.3     61.7 44.7 56.9  50.8
"""


def _table(text: str) -> pd.DataFrame:
    lines = [line.split() for line in text.strip().splitlines()]
    return pd.DataFrame(lines[1:], columns=lines[0]).set_index("uCode").astype(float)


@pytest.fixture(scope="module")
def coin() -> Coin:
    return Coin.build(IDATA, IMETA, EXAMPLE)


def test_example_keeps_every_unit_and_names_each_step(coin):
    assert list(coin.datasets) == ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised",
                                   "Aggregated"]
    assert len(coin.datasets["Screened"]) == 51  # group-mean imputation leaves nothing to screen out
    assert coin.datasets["Imputed"].isna().sum().sum() == 0


def test_published_index_and_pillar_scores_to_two_decimals(coin):
    published = _table(RESULTS_TOP6)
    results = coin.results()
    ours = results.loc[published.index, ["Rank", *COLUMNS]].astype(float)
    assert list(results.index[:6]) == list(published.index)
    pd.testing.assert_frame_equal(ours.round(2), published[["Rank", *COLUMNS]], check_exact=False, atol=1e-9)


def test_published_unit_summary_of_india(coin):
    results = coin.results()
    ranks = {c: int(coin.datasets["Aggregated"][c].rank(ascending=False, method="min")["IND"]) for c in INDIA}
    for code, (score, rank) in INDIA.items():
        assert round(results.loc["IND", code], 2) == pytest.approx(score, abs=1e-9), code
        assert ranks[code] == rank, code


def test_published_aggregated_head_to_three_significant_figures(coin):
    published = _table(AGGREGATED_HEAD)
    ours = coin.datasets["Aggregated"].loc[published.index, published.columns]
    assert ours.map(lambda v: float(f"{v:.3g}")).equals(published)


def test_published_treatment_of_the_raw_data():
    # articles/treat.md: Treat(coin, dset = "Raw") with the defaults, head(Dets_Table)
    coin = Coin.new(IDATA, IMETA).apply(Treat(dataset="Raw"))
    details = coin.analysis["Treated"]["details"]
    published = {  # iCode: skew, kurt, pass, nwin, skew after, kurt after
        "LPI": (-0.3042681, -0.6567514, True, None, None, None),
        "Flights": (2.1032872, 4.5088794, False, 1, 1.900658, 3.336065),
        "Ship": (-0.5756680, -0.6814795, True, None, None, None),
        "Bord": (2.1482360, 5.7914905, False, 1, 1.899211, 4.346298),
        "Elec": (2.2252736, 5.7910268, False, 1, 1.717744, 2.586062),
        "Gas": (2.8294486, 10.3346494, False, 1, 1.602518, 1.525576),
        "Goods": (2.649973, 8.266610, False, 2, 1.140608, 0.1572047),
    }
    for code, (skew, kurt, passed, nwin, skew1, kurt1) in published.items():
        row = details.loc[code]
        assert row["skew"] == pytest.approx(skew, abs=5e-7) and row["kurt"] == pytest.approx(kurt, abs=5e-7)
        assert bool(row["passed"]) == passed
        if nwin is not None:
            assert row["n_winsorised"] == nwin and row["treatment"] == "winsorised"
            assert row["skew_winsorised"] == pytest.approx(skew1, abs=5e-7)
            assert row["kurt_winsorised"] == pytest.approx(kurt1, abs=5e-7)


def test_published_log_fallback():
    coin = Coin.new(IDATA, IMETA)
    # articles/treat.md: global_specs = list(f1_para = list(winmax = 1)): Goods fails after one
    # point and is log-transformed: skew 0.03104001, kurt -0.8888965.
    one = coin.apply(Treat(dataset="Raw", max_points=1)).analysis["Treated"]["details"].loc["Goods"]
    assert one["n_winsorised"] == 1 and one["skew_winsorised"] == pytest.approx(2.469910, abs=5e-7)
    assert one["kurt_winsorised"] == pytest.approx(7.087309, abs=5e-7)
    assert one["treatment"] == "log_ct" and bool(one["passed_final"])
    assert one["skew_final"] == pytest.approx(0.03104001, abs=5e-9)
    assert one["kurt_final"] == pytest.approx(-0.8888965, abs=5e-8)
    # indiv_specs = list(Flights = list(f1_para = list(winmax = 0))): straight to the log.
    zero = coin.apply(Treat(dataset="Raw", max_points_by_indicator={"Flights": 0})).analysis["Treated"]
    flights = zero["details"].loc["Flights"]
    assert flights["n_winsorised"] == 0 and flights["treatment"] == "log_ct"
    assert flights["skew_final"] == pytest.approx(-0.09502644, abs=5e-9)
    assert flights["kurt_final"] == pytest.approx(-0.8305217, abs=5e-8)
    assert set(zero["points"]["Flights"]) == {"log_ct"}


def test_log_regenerates_the_example_exactly(coin):
    again = Coin.regenerate(coin.log_json(), IDATA, IMETA)
    assert list(again.datasets) == list(coin.datasets)
    for name, frame in coin.datasets.items():
        pd.testing.assert_frame_equal(again.datasets[name], frame, check_exact=True)
