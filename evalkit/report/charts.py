"""Charts of the reports as SVG text: the same figure goes into the HTML page (as an inline
``data:`` image) and into the PDF (Typst reads the SVG).

Every function takes plain tables (pandas) and labels already in the report's language and
returns an SVG string. Output is byte-reproducible: fixed hash salt, no date, text drawn as
paths (so the SVG needs no font on the reader's machine). Fonts come from
:mod:`evalkit.fonts`; a character missing from every font raises
:class:`~evalkit.fonts.MissingGlyphError` instead of drawing a box.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit.fonts import check_chart_text, matplotlib_families, strict_glyphs

# Colours shared with templates/html/report.css and templates/typst/report.typ
INK = "#1f2328"
MUTED = "#5f6b7a"
GRID = "#e4e8ee"
BLUE = "#2f6db5"
RED = "#b4232a"
GREEN = "#1f7a45"
AMBER = "#b7791f"
#: Colour of each grade style (:data:`evalkit.report.present.GRADE_STYLES`: by the band's
#: role and position, best first), as in the CSS and Typst templates.
GRADE_STYLE_COLOURS = {"excellent": GREEN, "good": BLUE, "pass": AMBER, "fail": RED, "other": MUTED}

#: Width of every chart in inches (fits the A4 text width of the PDF at 100 %).
WIDTH_IN = 7.0


def _rc() -> dict:
    return {
        "font.family": list(matplotlib_families()),
        "font.size": 9.5,
        "axes.edgecolor": GRID,
        "axes.labelcolor": MUTED,
        "axes.titlesize": 10,
        "axes.titleweight": "normal",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": MUTED,
        "ytick.color": INK,
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "evalkit",
        "figure.dpi": 100,
        "savefig.dpi": 100,
    }


def _svg(fig) -> str:
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    buf = io.StringIO()
    try:
        check_chart_text([t.get_text() for t in fig.findobj(Text)])
        fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.04,
                    metadata={"Date": None, "Creator": None}, transparent=False,
                    facecolor="white")
    finally:
        plt.close(fig)
    text = buf.getvalue()
    # drop the XML declaration and DOCTYPE (an external DTD reference): the SVG is embedded
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def _figure(height_in: float, ncols: int = 1, width_ratios: Sequence[float] | None = None):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(WIDTH_IN, height_in),
                             gridspec_kw={"width_ratios": width_ratios} if width_ratios else None)
    return fig, axes


def area_chart(names: Sequence[str], rates: Sequence[float], medians: Sequence[float], *,
               unit_label: str, median_label: str, no_data_label: str) -> str:
    """Horizontal bars: the unit's score rate (0–1) per area, with the peer-group median
    score rate as a marker. Areas without a score show ``no_data_label``."""
    import matplotlib.pyplot as plt

    n = len(names)
    with plt.rc_context(_rc()), strict_glyphs():
        fig, ax = _figure(0.34 * n + 0.9)
        y = np.arange(n)[::-1]
        r = np.array([np.nan if v is None else float(v) for v in rates]) * 100
        m = np.array([np.nan if v is None else float(v) for v in medians]) * 100
        ax.barh(y, np.nan_to_num(r), height=0.58, color=BLUE, label=unit_label, zorder=2)
        ax.scatter(m, y, marker="|", s=260, linewidths=2.2, color=RED, label=median_label,
                   zorder=3)
        for yi, ri, mi in zip(y, r, m):
            if math.isnan(ri):
                ax.text(1, yi, no_data_label, va="center", ha="left", color=MUTED, fontsize=8.5)
            else:
                # the label sits at the end of the bar, or past the median mark when the
                # mark is right there
                near = not math.isnan(mi) and ri - 2 <= mi <= ri + 9
                right_end = max(ri, mi) if near else ri
                ax.text(min(right_end, 100) + 1.5, yi, f"{ri:.0f}%", va="center", ha="left",
                        color=INK, fontsize=8.5)
        ax.set_yticks(y, list(names))
        ax.set_xlim(0, 112)
        ax.set_xticks([0, 20, 40, 60, 80, 100], ["0", "20%", "40%", "60%", "80%", "100%"])
        ax.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        handles, labels = ax.get_legend_handles_labels()
        order = [labels.index(unit_label), labels.index(median_label)]
        ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower center",
                  bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8.5,
                  handlelength=1.2)
        return _svg(fig)


def trend_chart(years: Sequence[int], scores: Sequence[float], ranks: Sequence[float],
                n_in_group: Sequence[float], *, score_label: str, rank_label: str,
                rank_fmt: str = "{rank}/{n}") -> str:
    """Two panels over the years: the score (0–100) and the rank in the peer group
    (1 at the top)."""
    import matplotlib.pyplot as plt

    yrs = [int(y) for y in years]
    with plt.rc_context(_rc()), strict_glyphs():
        fig, (left, right) = _figure(2.3, ncols=2)
        s = np.array([float(v) for v in scores])
        left.plot(yrs, s, color=BLUE, marker="o", linewidth=2, markersize=5, zorder=3)
        for x, v in zip(yrs, s):
            left.annotate(f"{v:.1f}", (x, v), textcoords="offset points", xytext=(0, 7),
                          ha="center", fontsize=8.5, color=INK)
        lo, hi = np.nanmin(s), np.nanmax(s)
        pad = max(2.0, (hi - lo) * 0.35)
        left.set_ylim(max(0, lo - pad), min(105, hi + pad + 2))
        left.set_title(score_label, loc="left", color=INK)
        rk = np.array([np.nan if pd.isna(v) else float(v) for v in ranks])
        right.plot(yrs, rk, color=RED, marker="o", linewidth=2, markersize=5, zorder=3)
        for x, v, n in zip(yrs, rk, n_in_group):
            if not math.isnan(v):
                right.annotate(rank_fmt.format(rank=int(v), n="?" if pd.isna(n) else int(n)),
                               (x, v), textcoords="offset points", xytext=(0, 7), ha="center",
                               fontsize=8.5, color=INK)
        n_max = max([int(n) for n in n_in_group if not pd.isna(n)] or [1])
        right.set_ylim(n_max + 0.5 + 0.12 * n_max, 0.5)
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if n_max / s <= 5)
        ticks = [1] + [t for t in range(step, n_max, step) if t > 1 and n_max - t >= step / 2] + [n_max]
        right.set_yticks(sorted(set(ticks)))
        right.set_title(rank_label, loc="left", color=INK)
        for ax in (left, right):
            ax.set_xticks(yrs, [str(y) for y in yrs])
            ax.set_xlim(min(yrs) - 0.5, max(yrs) + 0.5)
            ax.grid(axis="y", color=GRID, linewidth=0.8, zorder=0)
            ax.tick_params(axis="y", colors=MUTED)
        fig.tight_layout(w_pad=3)
        return _svg(fig)


def grade_chart(groups: Sequence[str], grade_labels: Sequence[str], colours: Sequence[str],
                counts: np.ndarray) -> str:
    """Stacked horizontal bars: number of units per grade (columns of ``counts``, labelled
    ``grade_labels`` and coloured ``colours``, best first) in each peer group (rows)."""
    import matplotlib.pyplot as plt

    with plt.rc_context(_rc()), strict_glyphs():
        fig, ax = _figure(0.55 * len(groups) + 0.9)
        y = np.arange(len(groups))[::-1]
        left = np.zeros(len(groups))
        for j, (lab, colour) in enumerate(zip(grade_labels, colours)):
            vals = counts[:, j].astype(float)
            ax.barh(y, vals, left=left, height=0.55, color=colour, label=lab, zorder=2)
            for yi, li, v in zip(y, left, vals):
                if v > 0:
                    ax.text(li + v / 2, yi, f"{int(v)}", ha="center", va="center",
                            color="white", fontsize=9)
            left += vals
        ax.set_yticks(y, list(groups))
        ax.set_xlim(0, max(left.max(), 1) * 1.02)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(grade_labels),
                  frameon=False, fontsize=8.5, handlelength=1.0)
        return _svg(fig)


def heatmap_chart(row_labels: Sequence[str], col_labels: Sequence[str], values: np.ndarray, *,
                  no_data_label: str = "—") -> str:
    """A unit × area heat map of score rates (0–1; NaN = no data), value printed in each
    cell; red (low) → yellow → green (high)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list(
        "evalkit", ["#c0392b", "#f3c969", "#e9f2d9", "#2e8b57"], N=256).with_extremes(bad="#eef0f3")
    rows, cols = len(row_labels), len(col_labels)
    with plt.rc_context(_rc()), strict_glyphs():
        fig, ax = _figure(0.25 * rows + 1.3)
        data = np.ma.masked_invalid(np.asarray(values, dtype=float))
        ax.imshow(data, cmap=cmap, vmin=0.4, vmax=1.0, aspect="auto", interpolation="nearest")
        for i in range(rows):
            for j in range(cols):
                v = values[i, j]
                text = no_data_label if np.isnan(v) else f"{100 * v:.0f}"
                dark = not np.isnan(v) and (v < 0.55 or v > 0.93)
                ax.text(j, i, text, ha="center", va="center", fontsize=7,
                        color="white" if dark else INK)
        ax.set_xticks(range(cols), list(col_labels), rotation=35, ha="left",
                      rotation_mode="anchor", fontsize=8)
        ax.xaxis.tick_top()
        ax.set_yticks(range(rows), list(row_labels), fontsize=8)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=1.2)
        ax.tick_params(which="minor", length=0)
        return _svg(fig)
