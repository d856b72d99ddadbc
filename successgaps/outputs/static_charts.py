"""Static chart images (PNG bytes) for the PDF reports, drawn with matplotlib's Agg backend.

No browser is needed (plotly's image export needs Chrome). The interactive plotly builders for the
screens live in `successgaps.outputs.charts`; these draw the same figures for paper. Every chart in a report
is followed by its table, so the picture never carries a number the reader cannot read.

Colours: the Okabe-Ito palette (safe for the common colour-vision deficiencies); the heatmap
uses the diverging `PuOr` map, also colour-blind safe, with suppressed cells hatched in grey.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..engine.statements import rounded  # noqa: E402

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
GREY = "#BBBBBB"
LEGEND_CHARS = 48  # a legend entry wraps at this many characters (two columns fit the figure's width)

plt.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
})


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _pct(value: float | None) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{rounded(value * 100):.0f}%"


def comparison_bars(labels: Sequence[str], rates: Sequence[float | None], title: str = "",
                    axis_label: str = "Rate") -> bytes:
    """Horizontal bars, one per label (e.g. the group and its comparison), each labelled with its rate.

    `rates` are proportions 0-1; a missing (suppressed) rate draws no bar and the label says so.
    """
    fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.55 * len(labels)))
    positions = list(range(len(labels)))[::-1]
    for pos, label, rate, colour in zip(positions, labels, rates, OKABE_ITO * 4):
        if rate is None or (isinstance(rate, float) and math.isnan(rate)):
            ax.text(0.005, pos, "suppressed (small group)", va="center", color="#555555")
            continue
        ax.barh(pos, rate, color=colour, height=0.6)
        ax.text(rate + 0.01, pos, _pct(rate), va="center")
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, 1.1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(axis_label)
    if title:
        ax.set_title(title, loc="left")
    return _png(fig)


def lines(*args, **kwargs) -> bytes:
    """`lines_figure` as a PNG."""
    return _png(lines_figure(*args, **kwargs))


def lines_figure(series: dict[str, Sequence[tuple[str, float | None]]], title: str = "", axis_label: str = "Rate",
                 percent: bool = True, reference: dict[str, float] | None = None,
                 intervals: dict[str, Sequence[tuple[str, float, float]]] | None = None, from_zero: bool = False):
    """One line per series over ordered x labels (years, review dates); gaps where a value is missing.

    `reference` draws dashed horizontal lines (e.g. {"Target": 0.85, "Baseline": 0.71}); `intervals`
    draws each series' 95% intervals as error bars ({name: [(x, low, high)]}); `from_zero` starts
    the axis at 0 (rates). The legend sits below the plot, never over a line or a marker.
    """
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    xs = sorted({x for points in series.values() for x, _ in points})
    markers = "osD^v<>p"
    for (name, points), colour, marker in zip(series.items(), OKABE_ITO, markers):
        values = dict(points)
        ys = [values.get(x) for x in xs]
        ys = [float("nan") if y is None else y for y in ys]
        ax.plot(xs, ys, marker=marker, color=colour, label=name, linewidth=2)
        bars = [(xs.index(x), lo, hi) for x, lo, hi in (intervals or {}).get(name, ()) if x in xs]
        if bars:
            at = [i for i, _, _ in bars]
            mid = [ys[i] for i in at]
            ax.errorbar(at, mid, yerr=[[m - lo for m, (_, lo, _) in zip(mid, bars)],
                                       [hi - m for m, (_, _, hi) in zip(mid, bars)]],
                        fmt="none", ecolor=colour, elinewidth=1.2, capsize=4, label=f"{name}: 95% interval")
    for (name, value), colour in zip((reference or {}).items(), OKABE_ITO[3:]):
        ax.axhline(value, linestyle="--", color=colour, linewidth=1.2, label=name)
    if percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.set_ylim(0, 1.05)
    elif from_zero:
        ax.set_ylim(bottom=0)
    ax.set_ylabel(axis_label)
    handles, labels = ax.get_legend_handles_labels()  # a long name wrapped, or the page would shrink the whole chart
    ax.legend(handles, [textwrap.fill(label, LEGEND_CHARS) for label in labels], frameon=False, fontsize=8,
              loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
    if title:
        ax.set_title(title, loc="left")
    return fig


def heatmap(rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float | None]],
            title: str = "", value_label: str = "Difference (points)",
            harm: Sequence[Sequence[float | None]] | None = None,
            labels: Sequence[Sequence[str]] | None = None) -> bytes:
    """A grid of rows (groups) x columns (outcomes); each cell printed with its value (or its `labels` text:
    a gap the file gives as a range, "−48 to +4").

    Coloured by `harm` when given (positive = worse for the group, as on screen), else by value.
    A missing value (suppressed or not screened) is a hatched grey cell marked "*".
    The colour scale is symmetric around 0 so the sign reads the same in every cell.
    """
    shade = harm if harm is not None else values
    finite = [abs(v) for row in shade for v in row if v is not None and not math.isnan(v)]
    limit = max(finite) if finite else 1.0
    fig, ax = plt.subplots(figsize=(3.2 + 0.9 * len(columns), 1.6 + 0.3 * len(rows)))
    cmap = matplotlib.colormaps["PuOr_r" if harm is not None else "PuOr"]
    norm = matplotlib.colors.Normalize(-limit, limit)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            missing = value is None or math.isnan(value)
            tone = shade[i][j]
            colour = GREY if missing else cmap(norm(tone))
            ax.add_patch(matplotlib.patches.Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white",
                                                      hatch="//" if missing else None))
            text = "*" if missing else labels[i][j] if labels else f"{rounded(value):+.0f}"
            dark = not missing and abs(norm(tone) - 0.5) > 0.3
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([j + 0.5 for j in range(len(columns))], columns, rotation=30, ha="right")
    ax.set_yticks([i + 0.5 for i in range(len(rows))], rows)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(value_label)
    if title:
        ax.set_title(title, loc="left")
    return _png(fig)


def timeline(*args, **kwargs) -> bytes:
    """`timeline_figure` as a PNG."""
    return _png(timeline_figure(*args, **kwargs))


def timeline_figure(steps: Sequence[tuple[str, object, object, str]], colours: dict[str, str] | None = None,
                    title: str = ""):
    """A Gantt chart: one bar per (label, start date, due date, status), coloured by `colours[status]`;
    the date axis names each month once (days within a short plan)."""
    import matplotlib.dates as mdates  # noqa: PLC0415

    colours = colours or {}
    fig, ax = plt.subplots(figsize=(7, 1.4 + 0.42 * len(steps)))
    ordered = sorted(steps, key=lambda s: s[1])
    for i, (label, start, due, status) in enumerate(ordered):
        begin = mdates.date2num(start)
        ax.barh(i, max(mdates.date2num(due) - begin, 1), left=begin, height=0.6, color=colours.get(status, GREY))
    ax.set_yticks(range(len(ordered)), [_short_label(s[0]) for s in ordered])
    ax.invert_yaxis()
    ax.xaxis_date()
    first = min(mdates.date2num(s[1]) for s in ordered)
    last = max(mdates.date2num(s[2]) for s in ordered)
    months = (last - first) / 30.44
    if months < 2:  # a short plan: days, each named once
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, round((last - first) / 6))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %-d"))
    else:  # one tick on the first of a month, every few months, so no month is named twice
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, math.ceil(months / 6))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    used = list(dict.fromkeys(s[3] for s in ordered))
    ax.legend(handles=[matplotlib.patches.Patch(color=colours.get(s, GREY), label=s) for s in used],
              frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(used))
    if title:
        ax.set_title(title, loc="left")
    return fig


def _short_label(text: str, width: int = 42) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
