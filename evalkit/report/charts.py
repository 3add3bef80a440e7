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

# Colour-blind-safe colours: the palette of Okabe & Ito (2008), "Color Universal Design",
# whose hues stay apart for protan, deutan and tritan vision. The templates
# (templates/html/report.css, templates/typst/report.typ) use the same hues, darkened where
# they colour text.
INK = "#1f2328"
MUTED = "#5f6b7a"
GRID = "#e4e8ee"
OI_BLUE = "#0072B2"
OI_VERMILLION = "#D55E00"
OI_GREEN = "#009E73"  # bluish green
OI_ORANGE = "#E69F00"
OI_SKY = "#56B4E9"
OI_GREY = "#8c8c8c"
BLUE = OI_BLUE
RED = OI_VERMILLION
GREEN = OI_GREEN
AMBER = OI_ORANGE
#: Colour of each grade style (:data:`evalkit.report.present.GRADE_STYLES`: by the band's
#: role and position, best first), as in the CSS and Typst templates.
GRADE_STYLE_COLOURS = {"excellent": OI_GREEN, "good": OI_BLUE, "pass": OI_ORANGE,
                       "fail": OI_VERMILLION, "other": OI_GREY}

#: Sequential colour map of the heat map (low → high): matplotlib's "cividis" (Nuñez et al.
#: 2018), made for colour-vision deficiency, lightness rising with the value.
HEATMAP_CMAP = "cividis"
#: Fill, hatch colour and hatch of a cell whose value was filled in by the missing-data policy.
FILLED_FACE = "#eceef1"
FILLED_HATCH = "#9aa3ae"
FILLED_PATTERN = "////"
#: Fill of a cell without any value (no data, nothing filled in).
NO_DATA_FACE = "#f3f4f6"
#: Cell statuses :func:`heatmap_chart` understands.
HEATMAP_STATUSES = ("data", "filled", "not_applicable")

#: Width of every chart in inches (fits the A4 text width of the PDF at 100 %).
WIDTH_IN = 7.0


def _rc() -> dict:
    return {
        "font.family": list(matplotlib_families()),
        "font.size": 10,
        "axes.edgecolor": GRID,
        "axes.labelcolor": MUTED,
        "axes.titlesize": 10.5,
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


def _text_on(colour) -> str:
    """Ink or white, whichever reads better on ``colour`` (WCAG contrast)."""
    from matplotlib.colors import to_rgb

    def lum(rgb):
        f = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * f[0] + 0.7152 * f[1] + 0.0722 * f[2]

    bg = lum(to_rgb(colour))
    white = 1.05 / (bg + 0.05)
    ink = (max(bg, lum(to_rgb(INK))) + 0.05) / (min(bg, lum(to_rgb(INK))) + 0.05)
    return "white" if white >= ink else INK


def _figure(height_in: float, ncols: int = 1, width_ratios: Sequence[float] | None = None):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(WIDTH_IN, height_in),
                             gridspec_kw={"width_ratios": width_ratios} if width_ratios else None)
    return fig, axes


def area_chart(names: Sequence[str], rates: Sequence[float], medians: Sequence[float], *,
               unit_label: str, median_label: str, no_data_label: str, decimals: int = 1) -> str:
    """Horizontal bars from zero: the unit's score rate (0–1) per area, with the peer-group
    median score rate as a marker. Areas without a score show ``no_data_label``. The bar
    labels have ``decimals`` decimals, as the tables next to the chart."""
    import matplotlib.pyplot as plt

    n = len(names)
    with plt.rc_context(_rc()), strict_glyphs():
        fig, ax = _figure(0.34 * n + 0.9)
        y = np.arange(n)[::-1]
        r = np.array([np.nan if v is None else float(v) for v in rates]) * 100
        m = np.array([np.nan if v is None else float(v) for v in medians]) * 100
        ax.barh(y, np.nan_to_num(r), height=0.58, color=OI_BLUE, label=unit_label, zorder=2)
        ax.scatter(m, y, marker="|", s=260, linewidths=2.2, color=OI_VERMILLION, label=median_label,
                   zorder=3)
        for yi, ri, mi in zip(y, r, m):
            if math.isnan(ri):
                ax.text(1, yi, no_data_label, va="center", ha="left", color=MUTED, fontsize=9)
            else:
                # the label sits at the end of the bar, or past the median mark when the
                # mark is right there
                near = not math.isnan(mi) and ri - 2 <= mi <= ri + 9
                right_end = max(ri, mi) if near else ri
                ax.text(min(right_end, 100) + 1.5, yi, f"{ri:.{decimals}f}%", va="center", ha="left",
                        color=INK, fontsize=9)
        ax.set_yticks(y, list(names))
        ax.set_xlim(0, 114)  # bars start at zero
        ax.set_xticks([0, 20, 40, 60, 80, 100], ["0", "20%", "40%", "60%", "80%", "100%"])
        ax.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        handles, labels = ax.get_legend_handles_labels()
        order = [labels.index(unit_label), labels.index(median_label)]
        ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower center",
                  bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=9,
                  handlelength=1.2)
        return _svg(fig)


def _label_points(ax, xs, ys, texts) -> None:
    """Write ``texts`` next to the points: above them, or below the points in the top fifth
    of the axis, so that no label reaches the panel's title (inverted axes too)."""
    bottom, top_ = ax.get_ylim()
    span = top_ - bottom
    for x, y, t in zip(xs, ys, texts):
        if t is None or math.isnan(float(y)):
            continue
        share = (y - bottom) / span if span else 0.5  # 0 at the foot of the axis, 1 at the top
        top = share > 0.8
        ax.annotate(t, (x, y), textcoords="offset points", xytext=(0, -8 if top else 7),
                    ha="center", va="top" if top else "bottom", fontsize=9, color=INK,
                    annotation_clip=False)


def _axis_break(ax) -> None:
    """Two short slanted strokes across the bottom of the y axis: the axis does not start
    at zero."""
    kw = dict(transform=ax.transAxes, color=MUTED, clip_on=False, linewidth=1.1,
              solid_capstyle="butt")
    for dy in (0.0, 0.035):
        ax.plot([-0.018, 0.018], [0.012 + dy, 0.048 + dy], **kw)


def trend_chart(years: Sequence[int], scores: Sequence[float], ranks: Sequence[float],
                n_in_group: Sequence[float], *, score_label: str, rank_label: str,
                rank_fmt: str = "{rank}/{n}", axis_note: str | None = None) -> str:
    """Two panels over the years: the score (0–100) and the rank in the peer group
    (1 at the top).

    The score axis is zoomed to the scores' range when they lie far above zero; it then
    shows an axis-break mark at its foot, and ``axis_note`` (in the report's language, e.g.
    "纵轴未从 0 开始") is written under the panels. Use :func:`score_axis_is_cut` to know in
    advance whether the note will show. Data labels never overlap the panel titles."""
    import matplotlib.pyplot as plt

    yrs = [int(y) for y in years]
    with plt.rc_context(_rc()), strict_glyphs():
        fig, (left, right) = _figure(2.45 if axis_note else 2.3, ncols=2)
        s = np.array([float(v) for v in scores])
        left.plot(yrs, s, color=OI_BLUE, marker="o", linewidth=2, markersize=5, zorder=3)
        lo_lim, hi_lim = _score_limits(s)
        left.set_ylim(lo_lim, hi_lim)
        _label_points(left, yrs, s, [f"{v:.1f}" for v in s])
        left.set_title(score_label, loc="left", color=INK, pad=8)
        cut = lo_lim > 0
        if cut:
            _axis_break(left)
        rk = np.array([np.nan if pd.isna(v) else float(v) for v in ranks])
        right.plot(yrs, rk, color=OI_VERMILLION, marker="o", linewidth=2, markersize=5, zorder=3)
        n_max = max([int(n) for n in n_in_group if not pd.isna(n)] or [1])
        right.set_ylim(n_max + 0.5 + 0.12 * n_max, 0.5 - 0.06 * n_max)
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if n_max / s <= 5)
        ticks = [1] + [t for t in range(step, n_max, step) if t > 1 and n_max - t >= step / 2] + [n_max]
        right.set_yticks(sorted(set(ticks)))
        _label_points(right, yrs, rk,
                      [None if math.isnan(v) else rank_fmt.format(rank=int(v), n="?" if pd.isna(n) else int(n))
                       for v, n in zip(rk, n_in_group)])
        right.set_title(rank_label, loc="left", color=INK, pad=8)
        for ax in (left, right):
            ax.set_xticks(yrs, [str(y) for y in yrs])
            ax.set_xlim(min(yrs) - 0.5, max(yrs) + 0.5)
            ax.grid(axis="y", color=GRID, linewidth=0.8, zorder=0)
            ax.tick_params(axis="y", colors=MUTED)
        fig.tight_layout(w_pad=3)
        if cut and axis_note:
            fig.text(0.01, -0.02, axis_note, ha="left", va="top", fontsize=9, color=MUTED)
        return _svg(fig)


def _score_limits(s: np.ndarray) -> tuple[float, float]:
    lo, hi = np.nanmin(s), np.nanmax(s)
    pad = max(2.0, (hi - lo) * 0.35)
    return max(0.0, float(lo - pad)), min(105.0, float(hi + pad + 2))


def score_axis_is_cut(scores: Sequence[float]) -> bool:
    """Whether :func:`trend_chart` draws the score axis from above zero for ``scores`` (it
    then marks the break and writes ``axis_note``)."""
    s = np.array([float(v) for v in scores])
    return bool(len(s)) and not np.isnan(s).all() and _score_limits(s)[0] > 0


def grade_chart(groups: Sequence[str], grade_labels: Sequence[str], colours: Sequence[str],
                counts: np.ndarray) -> str:
    """Stacked horizontal bars from zero: number of units per grade (columns of ``counts``,
    labelled ``grade_labels`` and coloured ``colours``, best first — use
    :data:`GRADE_STYLE_COLOURS`) in each peer group (rows), with a legend."""
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
                            color=_text_on(colour), fontsize=9)
            left += vals
        ax.set_yticks(y, list(groups))
        ax.set_xlim(0, max(left.max(), 1) * 1.02)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(grade_labels),
                  frameon=False, fontsize=9, handlelength=1.0)
        return _svg(fig)


def heatmap_chart(row_labels: Sequence[str], col_labels: Sequence[str], values: np.ndarray, *,
                  no_data_label: str = "—", status: np.ndarray | Sequence[Sequence[str]] | None = None,
                  filled_label: str = "按缺失数据规则补值，不作数据显示",
                  na_label: str = "不适用",
                  missing_label: str = "无数据",
                  scale_label: str = "得分率（%）",
                  vmin: float = 0.4, vmax: float = 1.0) -> str:
    """A unit × area heat map of score rates (0–1; NaN = no data) with a colour key.

    Cells with data show their value (in %) on a colour-blind-safe sequential scale
    (:data:`HEATMAP_CMAP`, ``vmin``–``vmax``; the key under the map is labelled
    ``scale_label``). ``status``, when given, is an array of the same shape as ``values``
    holding ``"data"``, ``"filled"`` or ``"not_applicable"`` per cell: a cell that is not
    ``"data"`` shows no number and no performance colour — ``"filled"`` (a value filled in
    by the missing-data policy) is light grey and hatched, ``"not_applicable"`` is white
    with an en dash. A NaN cell with data status shows ``no_data_label`` on grey. The key
    names each kind of cell that occurs (``filled_label``, ``na_label``, ``missing_label``).
    Every cell's text has the SVG id ``heat-cell-<row>-<col>``."""
    import matplotlib.pyplot as plt
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.patches import Patch, Rectangle

    vals = np.asarray(values, dtype=float)
    rows, cols = len(row_labels), len(col_labels)
    if vals.shape != (rows, cols):
        raise ValueError(f"heatmap_chart: values have shape {vals.shape}, labels {(rows, cols)}")
    if status is None:
        st = np.full(vals.shape, "data", dtype=object)
    else:
        st = np.asarray(status, dtype=object)
        if st.shape != vals.shape:
            raise ValueError(f"heatmap_chart: status has shape {st.shape}, values {vals.shape}")
        unknown = set(st.ravel()) - set(HEATMAP_STATUSES)
        if unknown:
            raise ValueError(f"heatmap_chart: unknown cell status {sorted(map(str, unknown))}; "
                             f"use {', '.join(HEATMAP_STATUSES)}")
    is_data = (st == "data") & ~np.isnan(vals)
    is_filled = st == "filled"
    is_na = st == "not_applicable"
    is_missing = (st == "data") & np.isnan(vals)

    cmap = colormaps[HEATMAP_CMAP].with_extremes(bad="white")
    norm = Normalize(vmin=vmin, vmax=vmax)
    key_in = 0.75
    with plt.rc_context(_rc()), strict_glyphs():
        fig, ax = _figure(0.25 * rows + 1.3 + key_in)
        data = np.ma.masked_array(vals, mask=~is_data)
        image = ax.imshow(data, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
        for i in range(rows):
            for j in range(cols):
                if is_filled[i, j]:
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=FILLED_FACE,
                                           edgecolor=FILLED_HATCH, hatch=FILLED_PATTERN,
                                           linewidth=0, zorder=1))
                elif is_missing[i, j]:
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=NO_DATA_FACE,
                                           linewidth=0, zorder=1))
                if is_data[i, j]:
                    v = vals[i, j]
                    text, colour = f"{100 * v:.0f}", _text_on(cmap(norm(v)))
                elif is_na[i, j]:
                    text, colour = "\u2013", MUTED
                elif is_missing[i, j]:
                    text, colour = no_data_label, MUTED
                else:  # filled: no number
                    continue
                ax.text(j, i, text, ha="center", va="center", fontsize=8, color=colour,
                        gid=f"heat-cell-{i}-{j}", zorder=3)
        ax.set_xticks(range(cols), list(col_labels), rotation=35, ha="left",
                      rotation_mode="anchor", fontsize=8.5)
        ax.xaxis.tick_top()
        ax.set_yticks(range(rows), list(row_labels), fontsize=8.5)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=1.2)
        ax.tick_params(which="minor", length=0)
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)

        # the key, under the map: the colour scale, then the kinds of cell without a value
        fig.canvas.draw()
        box = ax.get_position()
        height = fig.get_figheight()
        bar_h, gap = 0.12 / height, 0.42 / height
        cax = fig.add_axes((box.x0, box.y0 - gap, box.width * 0.42, bar_h))
        bar = fig.colorbar(image, cax=cax, orientation="horizontal")
        ticks = [t for t in np.arange(0, 1.0001, 0.1) if vmin - 1e-9 <= t <= vmax + 1e-9]
        bar.set_ticks(ticks, labels=[f"{100 * t:.0f}" for t in ticks])
        bar.ax.tick_params(labelsize=8, length=2, colors=MUTED)
        bar.outline.set_visible(False)
        cax.set_title(scale_label, fontsize=8.5, color=INK, loc="left", pad=3)
        handles = []
        if is_filled.any():
            handles.append(Patch(facecolor=FILLED_FACE, edgecolor=FILLED_HATCH,
                                 hatch=FILLED_PATTERN, linewidth=0.6, label=filled_label))
        if is_na.any():
            handles.append(Patch(facecolor="white", edgecolor=FILLED_HATCH, linewidth=0.6,
                                 label=f"\u2013  {na_label}"))
        if is_missing.any():
            handles.append(Patch(facecolor=NO_DATA_FACE, edgecolor=FILLED_HATCH, linewidth=0.6,
                                 label=f"{no_data_label}  {missing_label}"))
        if handles:
            fig.legend(handles=handles, loc="upper left",
                       bbox_to_anchor=(box.x0 + box.width * 0.5, box.y0 - gap + bar_h + 0.2 / height),
                       ncol=1, frameon=False, fontsize=8.5, handlelength=1.6, handleheight=1.1,
                       borderaxespad=0, labelcolor=INK)
        return _svg(fig)


def control_chart(periods: Sequence[str], values: Sequence[float], centre: Sequence[float],
                  lower: Sequence[float], upper: Sequence[float], flagged: Sequence[bool], *,
                  value_label: str, centre_label: str, limits_label: str, flagged_label: str,
                  baseline_label: str = "", baseline_until: str | None = None, percent: bool = False,
                  decimals: int = 1, steps: bool = True) -> str:
    """A control chart of one monthly series (early warnings): the values joined by a line,
    the centre line (dashed) and the process limits (step lines: funnel limits move with the
    month's denominator), the points of a warning marked in vermillion. ``lower`` may be
    all NaN (a trajectory: ``centre`` is the schedule, ``upper`` the schedule less the
    margin goes in ``lower``). Months up to ``baseline_until`` (``YYYY-MM``) are shaded and
    labelled ``baseline_label``: the limits were formed from them. ``percent``: values are
    fractions shown as per cent; ``steps``: the lines as steps (limits that change month by
    month), else straight segments (a schedule). Months are labelled ``YYYY-MM`` every
    quarter."""
    import matplotlib.pyplot as plt

    labels = [str(p) for p in periods]
    x = np.arange(len(labels))
    v, c, lo, hi = (np.array([np.nan if pd.isna(a) else float(a) for a in arr], dtype=float)
                    for arr in (values, centre, lower, upper))
    scale = 100.0 if percent else 1.0
    v, c, lo, hi = v * scale, c * scale, lo * scale, hi * scale
    flag = np.asarray(flagged, dtype=bool)
    with plt.rc_context(_rc()), strict_glyphs():
        fig, ax = _figure(2.5)
        if baseline_until is not None:
            inside = [i for i, p in enumerate(labels) if p <= baseline_until]
            if inside:
                ax.axvspan(-0.5, max(inside) + 0.5, color="#f3f4f6", zorder=0, linewidth=0)
                ax.text(-0.4, 1.01, baseline_label, transform=ax.get_xaxis_transform(), ha="left",
                        va="bottom", fontsize=8.5, color=MUTED)

        def draw(y, **kw):
            if steps:
                ax.step(x, y, where="mid", **kw)
            else:
                ax.plot(x, y, **kw)

        draw(c, color=OI_BLUE, linestyle="--", linewidth=1.2, label=centre_label, zorder=2)
        shown_limits = False
        for line in (lo, hi):
            if not np.isnan(line).all():
                draw(line, color=MUTED, linewidth=1.0, zorder=2, label=None if shown_limits else limits_label)
                shown_limits = True
        ax.plot(x, v, color=INK, linewidth=1.4, marker="o", markersize=3.2, zorder=3, label=value_label)
        if flag.any():
            ax.scatter(x[flag], v[flag], s=34, color=OI_VERMILLION, zorder=4, label=flagged_label)
        # the y range: the values and the lines near them (a funnel limit far below a small
        # month's rate would squash the series)
        seen = v[~np.isnan(v)]
        lines = np.concatenate([a[~np.isnan(a)] for a in (c, lo, hi)])
        if seen.size:
            span = max(float(np.ptp(seen)), 1e-9)
            near = lines[(lines >= seen.min() - 1.5 * span) & (lines <= seen.max() + 1.5 * span)]
            bottom = min(seen.min(), near.min() if near.size else seen.min())
            top = max(seen.max(), near.max() if near.size else seen.max())
            pad = max((top - bottom) * 0.12, 0.5 if percent else abs(top) * 0.02 + 1e-6)
            if percent:
                ax.set_ylim(max(bottom - pad, 0.0), min(top + pad, 101.0))
            else:
                ax.set_ylim(bottom - pad, top + pad)
        quarters = ("01", "04", "07", "10") if len(labels) > 12 else tuple(f"{m:02d}" for m in range(1, 13))
        ticks = [i for i, p in enumerate(labels) if p[-2:] in quarters] or list(x)
        ax.set_xticks(ticks, [labels[i] for i in ticks], fontsize=8.5)
        ax.set_xlim(-0.6, len(labels) - 0.4)
        if percent:  # whole per cents, or tenths when the axis spans a few points only
            digits = decimals if np.ptp(ax.get_ylim()) < 5 else 0
            ax.yaxis.set_major_formatter(lambda y, _pos: f"{y:.{digits}f}%")
        ax.grid(axis="y", color=GRID, linewidth=0.8, zorder=0)
        ax.tick_params(axis="y", colors=MUTED)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.06), ncol=4, frameon=False, fontsize=8.5,
                  handlelength=1.6)
        return _svg(fig)
