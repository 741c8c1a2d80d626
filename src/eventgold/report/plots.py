"""Charts of the reports, drawn with matplotlib's object API on the Agg canvas, as PNG bytes.

No pyplot and no global backend switch: each chart is a ``Figure`` printed by
``FigureCanvasAgg``, so rendering works headless and leaves a caller's
matplotlib state alone. Readable for colour-blind readers and in print:

- the Okabe-Ito palette (distinguishable under the common colour-vision
  deficiencies), and a hatch pattern per series, so bars stay apart in grey;
- heatmaps on a single-hue sequential map (light = low, dark = high) with the
  value written in every cell, in black or white by cell darkness;
- black edges, whiskers and reference lines; no meaning carried by colour alone.

Every text is drawn literally: mathtext and TeX are off (``$``, ``\\``, ``_``,
``^`` and ``{`` in an extractor's or annotator's name are just characters).

The charts draw the numbers they are given; they compute nothing.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Okabe & Ito (2008) colour-blind-safe palette, most contrasting colours first."""

HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
"""One hatch per series, so series differ in print and without colour."""

HEATMAP_CMAP = "Blues"
DPI = 144
STYLE: dict[RcKeyType, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "hatch.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
    # names come from the data (extractors, annotators, types): shown as written, never as
    # mathtext or TeX, so `price$$model` or `a_b^c\d{e}` neither crash a parser nor turn into maths
    "text.parse_math": False,
    "text.usetex": False,
}

Value = float | None


def _f(v: Value) -> float:
    """A value as a float, NaN when undefined."""
    return math.nan if v is None else float(v)


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


@dataclass(frozen=True)
class Series:
    """One extractor's (or annotator's) bars: a value per category, with optional interval ends."""

    name: str
    values: Sequence[Value]
    lows: Sequence[Value] | None = None
    highs: Sequence[Value] | None = None


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    ylabel: str = "F1",
    note: str | None = None,
) -> bytes:
    """Bars per category, one per series side by side, with interval whiskers where given.

    Values lie in [0, 1] (F1, accuracy); an undefined value leaves its slot
    empty and is marked ``n/a``.
    """
    n_cat, n_ser = max(len(categories), 1), max(len(series), 1)
    width = min(14.0, max(6.0, 0.32 * n_cat * n_ser + 0.5 * n_cat + 2.0))
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, 3.8), layout="constrained")
        ax = fig.add_subplot()
        bar_w = 0.8 / n_ser
        label_values = n_cat * n_ser <= 24
        bars = []
        for j, s in enumerate(series):
            xs = [i - 0.4 + bar_w * (j + 0.5) for i in range(len(categories))]
            vals = [_f(v) for v in s.values]
            heights = [0.0 if math.isnan(v) else v for v in vals]
            container = ax.bar(
                xs,
                heights,
                bar_w * 0.92,
                color=OKABE_ITO[j % len(OKABE_ITO)],
                hatch=HATCHES[j % len(HATCHES)],
                edgecolor="black",
                linewidth=0.6,
                zorder=2,
            )
            bars.append(container)
            tops = [_f(hi) for hi in s.highs] if s.highs is not None else [math.nan] * len(vals)
            for x, v, h, top in zip(xs, vals, heights, tops, strict=True):
                if math.isnan(v):
                    ax.text(x, 0.02, "n/a", ha="center", va="bottom", fontsize=6, rotation=90, zorder=3)
                elif label_values:  # above the whisker, so the two never overlap
                    y = max(h, 0.0 if math.isnan(top) else top) + 0.01
                    ax.text(x, y, f"{h:.2f}", ha="center", va="bottom", fontsize=6, zorder=3)
            if s.lows is not None and s.highs is not None:
                for x, v, lo_, hi_ in zip(xs, vals, s.lows, s.highs, strict=True):
                    lo, hi = _f(lo_), _f(hi_)
                    if math.isnan(v) or math.isnan(lo) or math.isnan(hi):
                        continue
                    ax.errorbar(
                        x,
                        v,
                        yerr=[[max(0.0, v - lo)], [max(0.0, hi - v)]],
                        fmt="none",
                        ecolor="black",
                        elinewidth=0.9,
                        capsize=2.5,
                        zorder=4,
                    )
        ax.set_xticks(range(len(categories)))
        ax.set_xticklabels(
            categories, rotation=30 if max((len(c) for c in categories), default=0) > 8 else 0, ha="right"
        )
        if not categories:
            ax.text(0.5, 0.5, "nothing to show", ha="center", va="center", transform=ax.transAxes)
        ax.set_ylim(0, 1.1)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        ax.yaxis.grid(True, color="#cccccc", linewidth=0.5, zorder=0)
        ax.set_axisbelow(True)
        if series:
            # labels given explicitly: matplotlib leaves out of an automatic legend a name starting with "_"
            ax.legend(bars, [s.name for s in series], loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        if note:
            fig.text(0.0, -0.02, note, fontsize=7, ha="left", va="top")
        return _png(fig)


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    matrix: Sequence[Sequence[Value]],
    *,
    xlabel: str,
    ylabel: str,
    vmax: float | None = None,
    integers: bool = False,
    mark_diagonal: bool = False,
    subtitle: str | None = None,
) -> bytes:
    """A matrix as a heatmap with each cell's value written in it (``—`` for undefined cells)."""
    cmap = matplotlib.colormaps[HEATMAP_CMAP]
    values = [[_f(v) for v in row] for row in matrix]
    finite = [v for row in values for v in row if not math.isnan(v)]
    top = vmax if vmax is not None else (max(finite) if finite and max(finite) > 0 else 1.0)
    size = max(len(rows), len(columns), 1)
    side = min(9.0, max(3.0, 0.5 * size + 1.4))
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(side + 0.9, side), layout="constrained")
        ax = fig.add_subplot()
        masked_cmap = cmap.with_extremes(bad="#f2f2f2")
        image = ax.imshow(
            values if values and values[0] else [[math.nan]],
            cmap=masked_cmap,
            vmin=0.0,
            vmax=top,
            aspect="equal",
        )
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if math.isnan(v):
                    text, colour = "—", "#555555"
                else:
                    text = str(int(v)) if integers else f"{v:.2f}"
                    r, g, b, _ = cmap(min(1.0, max(0.0, v / top)) if top else 0.0)
                    colour = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"
                ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=7 if size > 10 else 8)
                if mark_diagonal and i == j and rows[i] == columns[j]:
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.2))
        ax.set_xticks(range(len(columns)))
        ax.set_xticklabels(columns, rotation=45, ha="right")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(rows)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(title if subtitle is None else f"{title}\n{subtitle}", loc="left")
        fig.colorbar(image, ax=ax, shrink=0.7)
        return _png(fig)


@dataclass(frozen=True)
class Comparison:
    """One paired comparison: difference A − B and Holm-corrected p-values per test method."""

    label: str
    delta: Value
    p_holm: dict[str, Value]


def significance(title: str, comparisons: Sequence[Comparison], *, alpha: float, primary: str) -> bytes:
    """Horizontal bars of A − B per comparison; solid when ``primary``'s Holm p is under ``alpha``.

    Bars to the right mean A scored higher. Non-significant differences are
    drawn hatched and pale, so the distinction survives print and grey scale;
    every bar carries its p-values as text.
    """
    n = max(len(comparisons), 1)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(9.0, max(2.2, 0.38 * n + 1.3)), layout="constrained")
        ax = fig.add_subplot()
        span = max([abs(_f(c.delta)) for c in comparisons if not math.isnan(_f(c.delta))] + [0.1])
        for i, c in enumerate(comparisons):
            y = len(comparisons) - 1 - i
            delta = 0.0 if math.isnan(_f(c.delta)) else _f(c.delta)
            significant = _f(c.p_holm.get(primary)) < alpha  # NaN compares False
            colour = OKABE_ITO[0] if delta >= 0 else OKABE_ITO[5]
            ax.barh(
                y,
                delta,
                0.6,
                color=colour if significant else "white",
                edgecolor=colour,
                hatch="" if significant else "///",
                linewidth=1.0,
                zorder=2,
            )
            ax.text(
                delta + (0.03 * span if delta >= 0 else -0.03 * span),
                y,
                f"{delta:+.3f}",
                ha="left" if delta >= 0 else "right",
                va="center",
                fontsize=7,
            )
            ps = "   ".join(f"{k} {_p(v)}" for k, v in c.p_holm.items())
            ax.text(1.02, y, ps, transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=7)
        if comparisons:
            ax.text(1.02, len(comparisons) - 0.4, "Holm-corrected p", transform=ax.get_yaxis_transform(), fontsize=7)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(comparisons)))
        ax.set_yticklabels([c.label for c in reversed(comparisons)])
        ax.set_xlim(-span * 1.35, span * 1.35)
        ax.set_ylim(-0.6, max(len(comparisons), 1) - 0.2)
        ax.set_xlabel("difference A − B  (right: A scored higher)")
        ax.set_title(title, loc="left")
        ax.xaxis.grid(True, color="#cccccc", linewidth=0.5, zorder=0)
        ax.set_axisbelow(True)
        if not comparisons:
            ax.text(0.5, 0.5, "no paired tests", ha="center", va="center", transform=ax.transAxes)
        fig.legend(
            handles=[
                Patch(facecolor=OKABE_ITO[0], edgecolor=OKABE_ITO[0], label=f"A higher, Holm p < {alpha}"),
                Patch(facecolor=OKABE_ITO[5], edgecolor=OKABE_ITO[5], label=f"B higher, Holm p < {alpha}"),
                Patch(facecolor="white", edgecolor="black", hatch="///", label="not significant"),
            ],
            loc="outside lower center",
            ncols=3,
            frameon=False,
        )
        return _png(fig)


def _p(value: Value) -> str:
    v = _f(value)
    if math.isnan(v):
        return "—"
    return "<0.001" if v < 0.001 else f"{v:.3f}"


def learning_curve(title: str, percents: Sequence[int], series: Sequence[Series], *, xlabel: str) -> bytes:
    """One line per series over the learning-curve points (share of the train split, in %).

    Values lie in [0, 1]; an undefined value breaks its line there. Each series has its
    own colour and marker, so lines differ without colour too.
    """
    markers = ("o", "s", "^", "D", "v", "P", "X", "*")
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(6.0, 3.6), layout="constrained")
        ax = fig.add_subplot()
        for j, s in enumerate(series):
            ax.plot(
                list(percents),
                [_f(v) for v in s.values],
                marker=markers[j % len(markers)],
                color=OKABE_ITO[j % len(OKABE_ITO)],
                linewidth=1.2,
                label=s.name,
                zorder=3,
            )
        if not percents:
            ax.text(0.5, 0.5, "nothing to show", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks(list(percents))
        ax.set_xlim(0, 105)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("dev score")
        ax.set_title(title, loc="left")
        ax.grid(True, color="#cccccc", linewidth=0.5, zorder=0)
        if series:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return _png(fig)
