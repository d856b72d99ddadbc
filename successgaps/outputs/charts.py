"""Interactive plotly figures for the screens (static images for the PDF are in `static_charts`).

Every figure is built from rows of the gap table (`engine.screen`) and is shown beside its table.
Colours are colour-blind safe: Okabe-Ito for categories, the diverging PuOr scale for gaps
(orange = the group does worse than its comparison, purple = better), every cell labelled.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from ..engine import ranking

GROUP_COLOUR, COMPARISON_COLOUR = "#D55E00", "#0072B2"  # Okabe-Ito vermillion and blue
FONT = dict(size=16)


def _finite(value) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(title=title, font=FONT, height=height, margin=dict(l=10, r=10, t=60, b=10),
                      plot_bgcolor="white", legend=dict(orientation="h", y=-0.15))
    return fig


def gap_heatmap(rows: pd.DataFrame, title: str = "Gap in percentage points (group − comparison)") -> go.Figure:
    """Groups × outcomes of `rows` (gap table rows of one level, school and year), coloured by how
    unfavourable the gap is, each cell labelled with the gap (`ranking.heatmap_table`).

    The colour is the difference turned so that orange always means "the group does worse" (lower
    when higher is better, higher when lower is better). Empty cells (hidden or not computable) are
    grey and labelled "—".
    """
    table = ranking.heatmap_table(rows)
    colour = ranking.heatmap_harm(rows)  # positive = worse for the group
    finite = colour.stack().abs()
    limit = max(float(finite.max()) if len(finite) else 1.0, 1.0)
    text = table.map(lambda v: f"{v:+.1f}" if _finite(v) else "—")
    fig = go.Figure(go.Heatmap(
        z=colour.to_numpy(dtype=float), x=list(table.columns), y=list(table.index), text=text.to_numpy(),
        texttemplate="%{text}", textfont=dict(size=15), colorscale="PuOr_r", zmin=-limit, zmax=limit,
        hovertemplate="%{y}<br>%{x}<br>gap %{text}<extra></extra>",
        colorbar=dict(title="worse ←→ better", tickvals=[-limit, 0, limit], ticktext=["better", "0", "worse"])))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(plot_bgcolor="#DDDDDD")
    return _layout(fig, title, height=max(320, 40 * len(table) + 140))


def comparison_bars(row, title: str = "") -> go.Figure:
    """The group's rate (or mean) against its comparison, with the 95% interval of the group's value,
    and n under each bar."""
    numeric = _finite(row.get("mean"))
    scale = 1 if numeric else 100
    value = row.get("mean") if numeric else row.get("rate")
    other = row.get("comparison_mean") if numeric else row.get("comparison_rate")
    labels = [f"{row.get('group')}<br>n = {_n(row.get('n'))}",
              f"{row.get('comparison')}<br>n = {_n(row.get('comparison_n'))}"]
    values = [float(value) * scale if _finite(value) else None, float(other) * scale if _finite(other) else None]
    error = None
    if _finite(row.get("ci_low")) and _finite(row.get("difference")):
        # the 95% interval of the difference, drawn around the group's bar
        error = dict(type="data", symmetric=False,
                     array=[float(row["ci_high"]) - float(row["difference"]), 0],
                     arrayminus=[float(row["difference"]) - float(row["ci_low"]), 0], color="#333333", width=8)
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=[GROUP_COLOUR, COMPARISON_COLOUR], error_y=error,
                           text=[_value_text(v, numeric) for v in values], textposition="inside",
                           insidetextanchor="start"))
    fig.update_yaxes(title="Average" if numeric else "Percent", range=None if numeric else [0, 100])
    return _layout(fig, title)


def school_bars(rows: pd.DataFrame, title: str = "") -> go.Figure:
    """One bar per school (rate or mean), its comparison as a marker, n in each label; suppressed schools
    are listed with no bar."""
    numeric = rows["mean"].notna().any()
    scale = 1 if numeric else 100
    value = (rows["mean"] if numeric else rows["rate"]) * scale
    other = (rows["comparison_mean"] if numeric else rows["comparison_rate"]) * scale
    labels = [f"{s} (n = {_n(n)})" for s, n in zip(rows["school"], rows["n"])]
    fig = go.Figure([
        go.Bar(y=labels, x=value, orientation="h", name=str(rows["group"].iloc[0]) if len(rows) else "group",
               marker_color=GROUP_COLOUR, text=[_value_text(v, numeric) for v in value], textposition="auto"),
        go.Scatter(y=labels, x=other, mode="markers", name="comparison", marker=dict(
            color=COMPARISON_COLOUR, symbol="line-ns", size=26, line=dict(width=4, color=COMPARISON_COLOUR))),
    ])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(320, 48 * len(rows) + 140))


def trend(rows: pd.DataFrame, title: str = "") -> go.Figure:
    """The group and its comparison over the years (n in the hover and the group's labels)."""
    numeric = rows["mean"].notna().any()
    scale = 1 if numeric else 100
    value = (rows["mean"] if numeric else rows["rate"]) * scale
    other = (rows["comparison_mean"] if numeric else rows["comparison_rate"]) * scale
    group = str(rows["group"].iloc[0]) if len(rows) else "group"
    comparison = str(rows["comparison"].iloc[0]) if len(rows) else "comparison"
    fig = go.Figure([
        go.Scatter(x=rows["year"], y=value, name=group, mode="lines+markers+text", line=dict(color=GROUP_COLOUR, width=4),
                   text=[f"{_value_text(v, numeric)} (n = {_n(n)})" for v, n in zip(value, rows["n"])],
                   textposition="bottom center"),
        go.Scatter(x=rows["year"], y=other, name=comparison, mode="lines+markers",
                   line=dict(color=COMPARISON_COLOUR, width=4, dash="dash")),
    ])
    fig.update_xaxes(type="category", title="School year")
    fig.update_yaxes(title="Average" if numeric else "Percent")
    return _layout(fig, title)


def _n(value) -> str:
    return f"{int(value):,}" if _finite(value) else "—"


def _value_text(value, numeric: bool) -> str:
    if not _finite(value):
        return "hidden"
    return f"{value:,.1f}" if numeric else f"{value:.0f}%"
