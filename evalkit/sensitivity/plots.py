"""Charts of the weighting-scheme lab (matplotlib): rank intervals, grade probabilities,
Sobol' indices, weight sweeps and rank changes between schemes.

Each function draws on the ``ax`` given (or a new figure) and returns it; titles and axis
labels come in Chinese or English (``language``). Chinese labels need a CJK font:
:func:`chart_language` registers evalkit's (``evalkit.fonts``) when it is there and
answers which language to use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import SensitivityError

__all__ = [
    "chart_language",
    "plot_grade_probabilities",
    "plot_rank_intervals",
    "plot_scheme_ranks",
    "plot_sobol",
    "plot_weight_sweep",
]

_LABELS = {
    "zh": {"rank": "组内排名", "unit": "单位", "nominal": "公布排名", "median": "中位排名",
           "interval": "90% 排名区间", "share": "比例", "grade_title": "各等次概率",
           "interval_title": "排名区间", "first": "一阶指数 S1", "total": "总效应指数 ST",
           "index": "Sobol 指数", "weight": "相对权重", "sweep_title": "权重单因素扫描",
           "scheme": "权重方案", "scheme_title": "不同权重方案下的排名", "no_grade": "未评等次"},
    "en": {"rank": "rank in peer group", "unit": "unit", "nominal": "published rank", "median": "median rank",
           "interval": "90% rank interval", "share": "share of replications", "grade_title": "grade probabilities",
           "interval_title": "rank intervals", "first": "first order S1", "total": "total ST",
           "index": "Sobol' index", "weight": "relative weight", "sweep_title": "one-at-a-time weight sweep",
           "scheme": "weighting scheme", "scheme_title": "ranks under each weighting scheme",
           "no_grade": "no grade (other normalisation)"},
}
#: Grade colours by the band's role, best first: the top band, the pass bands (in turn), the
#: failing band. Never by the band's name: a framework names its own bands.
_TOP_COLOUR, _PASS_COLOURS, _FAIL_COLOUR = "#2b8a3e", ("#74b816", "#f59f00", "#868e96", "#495057"), "#e03131"


def _grade_colours(n: int) -> list[str]:
    """Colours of ``n`` grade bands, best first."""
    if n <= 1:
        return [_TOP_COLOUR][:n]
    return [_TOP_COLOUR, *(_PASS_COLOURS[j % len(_PASS_COLOURS)] for j in range(n - 2)), _FAIL_COLOUR]


def _grade_rules(result):
    """The grade bands behind an uncertainty result (its model's framework), or None."""
    model = getattr(getattr(result, "plan", None), "model", None)
    framework = getattr(model, "framework", None)
    return getattr(framework, "grades", None)


def chart_language(preferred: str = "zh") -> str:
    """``"zh"`` when a CJK font could be registered with matplotlib (evalkit's bundled
    Noto Sans SC, via :func:`evalkit.fonts.matplotlib_families`) and
    ``preferred`` is ``"zh"``; otherwise ``"en"``. Sets ``font.family`` accordingly."""
    if preferred != "zh":
        return "en"
    try:
        import matplotlib

        from ..fonts import matplotlib_families

        matplotlib.rcParams["font.family"] = list(matplotlib_families())
        matplotlib.rcParams["axes.unicode_minus"] = False
        return "zh"
    except Exception:  # no report fonts module, or no CJK font file: English labels
        return "en"


def _axes(ax, size=(7, 5)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size)
    return ax


def _words(language: str) -> dict:
    if language not in _LABELS:
        raise SensitivityError(f"language must be 'zh' or 'en'; got {language!r}")
    return _LABELS[language]


def _unit_labels(summary: pd.DataFrame, units, language: str) -> list[str]:
    if language == "zh" and "name_zh" in summary:
        return [f"{u} {summary.loc[u, 'name_zh']}" for u in units]
    return [str(u) for u in units]


def plot_rank_intervals(result, peer_group: str, *, ax=None, language: str = "en"):
    """Each unit's 90 % rank interval (p05–p95), median and published rank, best first."""
    w = _words(language)
    s = result.summary[result.summary["peer_group"] == peer_group]
    if s.empty:
        raise SensitivityError(f"no unit in peer group {peer_group!r}")
    s = s.sort_values(["nominal_rank", "median_rank"], na_position="last")
    ax = _axes(ax, (7, max(3.0, 0.28 * len(s) + 1)))
    y = np.arange(len(s))
    stable = s["stable"].fillna(False).to_numpy(dtype=bool)
    colours = np.where(stable, "#2b8a3e", "#1c7ed6")
    ax.hlines(y, s["rank_p05"] - 0.15, s["rank_p95"] + 0.15, colors=colours, linewidth=4, alpha=0.6,
              label=w["interval"])
    ax.plot(s["median_rank"], y, "o", color="#1c7ed6", markersize=4, label=w["median"])
    ax.plot(s["nominal_rank"].astype(float), y, "x", color="black", markersize=6, label=w["nominal"])
    ax.set_yticks(y, _unit_labels(s, s.index, language), fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(w["rank"])
    ax.set_xlim(0.5, s["n_in_group"].max() + 0.5)
    ax.set_title(f"{w['interval_title']} — {peer_group} (N = {result.n})")
    ax.legend(loc="upper right", fontsize=7)
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_grade_probabilities(result, peer_group: str, *, ax=None, language: str = "en"):
    """Stacked bars: each unit's probability of each grade, ordered by published rank."""
    w = _words(language)
    s = result.summary[result.summary["peer_group"] == peer_group].sort_values("nominal_rank")
    probs = result.grade_probabilities.loc[s.index]
    ax = _axes(ax, (7, max(3.0, 0.28 * len(s) + 1)))
    y = np.arange(len(s))
    left = np.zeros(len(s))
    rules = _grade_rules(result)
    colours = _grade_colours(len(probs.columns))
    for k, grade in enumerate(probs.columns):
        label = rules.label(grade, language) if rules is not None else str(grade)
        ax.barh(y, probs[grade], left=left, color=colours[k], label=label)
        left += probs[grade].to_numpy()
    if np.any(left < 1 - 1e-9):
        ax.barh(y, 1 - left, left=left, color="#dee2e6", label=w["no_grade"])
    ax.set_yticks(y, _unit_labels(s, s.index, language), fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(w["share"])
    ax.set_title(f"{w['grade_title']} — {peer_group}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
    return ax


def plot_sobol(result, output: str = "mean_abs_rank_shift", *, ax=None, language: str = "en"):
    """First-order and total Sobol' indices of one output, with bootstrap intervals."""
    w = _words(language)
    t = result.table(output)
    ax = _axes(ax, (7, max(2.5, 0.35 * len(t) + 1)))
    y = np.arange(len(t))
    for offset, col, colour, label in ((-0.2, "S1", "#1c7ed6", w["first"]), (0.2, "ST", "#e8590c", w["total"])):
        lo = (t[col] - t[f"{col}_low"]).clip(lower=0).fillna(0)
        hi = (t[f"{col}_high"] - t[col]).clip(lower=0).fillna(0)
        ax.barh(y + offset, t[col], height=0.4, color=colour, label=label, xerr=[lo, hi], capsize=2)
    ax.set_yticks(y, t["input"], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(w["index"])
    ax.set_title(output)
    ax.legend(loc="lower right", fontsize=7)
    return ax


def plot_weight_sweep(sweep: pd.DataFrame, *, units=None, ax=None, language: str = "en"):
    """Ranks of a peer group's units (lines) as one weight moves; the published weight dashed."""
    w = _words(language)
    ax = _axes(ax)
    cols = list(sweep.columns) if units is None else [u for u in units if u in sweep.columns]
    for u in cols:
        ax.plot(sweep.index, sweep[u], linewidth=1, label=str(u))
    nominal = sweep.attrs.get("nominal_weight")
    if nominal is not None:
        ax.axvline(nominal, color="black", linestyle="--", linewidth=1)
    ax.invert_yaxis()
    ax.set_xlabel(f"{w['weight']}: {sweep.attrs.get('node', '')}")
    ax.set_ylabel(w["rank"])
    ax.set_title(f"{w['sweep_title']} — {sweep.attrs.get('peer_group', '')}")
    if len(cols) <= 15:
        ax.legend(fontsize=6, ncol=2, loc="upper right")
    return ax


def plot_scheme_ranks(comparison, peer_group: str, *, ax=None, language: str = "en"):
    """A bump chart: each unit's rank (lines) under each scheme (x axis)."""
    w = _words(language)
    r = comparison.ranks[comparison.ranks["peer_group"] == peer_group].drop(columns="peer_group")
    r = r.sort_values(comparison.reference)
    ax = _axes(ax, (8, max(3.0, 0.25 * len(r) + 1)))
    x = np.arange(r.shape[1])
    for u, row in r.iterrows():
        ax.plot(x, row.to_numpy(dtype=float), marker="o", markersize=3, linewidth=1, alpha=0.8)
        ax.annotate(str(u), (x[-1], float(row.iloc[-1])), xytext=(4, 0), textcoords="offset points",
                    fontsize=6, va="center")
    ax.set_xticks(x, list(r.columns), fontsize=8)
    ax.invert_yaxis()
    ax.set_ylabel(w["rank"])
    ax.set_xlabel(w["scheme"])
    ax.set_title(f"{w['scheme_title']} — {peer_group}")
    return ax
