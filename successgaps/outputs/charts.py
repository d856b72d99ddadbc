"""Interactive plotly figures for the screens (static images for the PDF are in `static_charts`).

The gap screen's figures are built from rows of the gap table (`engine.screen`); the steps' figures
(meeting evaluations, the action plan's timeline, a goal's progress) from the step modules' own
tables. Every figure is shown beside its table.
Colours are colour-blind safe: Okabe-Ito for categories, the diverging PuOr scale for gaps
(orange = the group does worse than its comparison, purple = better), every cell labelled.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go

from ..engine import ranking
from ..engine.statements import average_text, rounded, written_range, year_phrase
from ..models import Project
from ..process import action_plan, meetings, monitoring

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
    when higher is better, higher when lower is better); a rate the file gives as a range is coloured by the
    middle of its gap and labelled with its ends ("−48 to +4"), as the table writes it. Empty cells (hidden
    or not computable) are grey and labelled "—".
    """
    table = ranking.heatmap_table(rows)
    colour = ranking.heatmap_harm(rows)  # positive = worse for the group
    finite = colour.stack().abs()
    limit = max(float(finite.max()) if len(finite) else 1.0, 1.0)
    # written as the table writes the gap: whole points, a range by its ends (the colour is its middle)
    text = ranking.heatmap_labels(rows).replace("", "—")
    fig = go.Figure(go.Heatmap(
        z=colour.to_numpy(dtype=float), x=list(table.columns), y=list(table.index), text=text.to_numpy(),
        texttemplate="%{text}", textfont=dict(size=15), colorscale="PuOr_r", zmin=-limit, zmax=limit,
        hovertemplate="%{y}<br>%{x}<br>gap %{text}<extra></extra>",
        colorbar=dict(title="worse ←→ better", tickvals=[-limit, 0, limit], ticktext=["better", "0", "worse"])))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(plot_bgcolor="#DDDDDD")
    return _layout(fig, title, height=max(320, 40 * len(table) + 140))


def comparison_bars(row, title: str = "") -> go.Figure:
    """The group's rate against its comparison as bars on a 0–100 axis, with the 95% interval of the gap
    around the group's bar and n under each bar. An average (a scale score, days absent) is drawn as dots on
    an axis fitted to them, their figures and n under each dot: a bar from 0 would make a 50-point gap on
    a 700-point scale look like nothing, and a bar that does not start at 0 would misstate it."""
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
    if numeric:
        labels = [f"{row.get('group')}<br>{_value_text(values[0], True)} (n = {_n(row.get('n'))})",
                  f"{row.get('comparison')}<br>{_value_text(values[1], True)} (n = {_n(row.get('comparison_n'))})"]
        fig = go.Figure(go.Scatter(x=labels, y=values, mode="markers", error_y=error, marker=dict(
            color=[GROUP_COLOUR, COMPARISON_COLOUR], symbol=["circle", "square"], size=26)))
        ends = [v for v in values if v is not None]
        if error and values[0] is not None:
            ends += [values[0] + error["array"][0], values[0] - error["arrayminus"][0]]
        if ends:  # room above and below the dots and the interval: nothing touches the plot's edge
            pad = (max(ends) - min(ends)) * 0.2 or abs(max(ends)) * 0.05 or 1.0
            fig.update_yaxes(range=[min(ends) - pad, max(ends) + pad])
        fig.update_yaxes(title="Average (axis not from 0)")
        fig.update_xaxes(range=[-0.5, 1.5])  # each dot in the middle of its half
        return _layout(fig, title)
    # a rate the file gives as a range (EDFacts' 39-88%) is drawn as that range, a bar from its low end to its
    # high end, never as a bar up to its middle: a figure the file never gave
    spans = [_span(row, prefix) for prefix in ("", "comparison_")]
    base = [span[0] if span else 0 for span in spans]
    heights = [span[1] - span[0] if span else v for span, v in zip(spans, values)]
    text = [f"{span[2]}–{span[3]}%" if span else _value_text(v, numeric) for span, v in zip(spans, values)]
    fig = go.Figure(go.Bar(x=labels, y=heights, base=base, marker_color=[GROUP_COLOUR, COMPARISON_COLOUR],
                           error_y=error, text=text, insidetextanchor="start", cliponaxis=False,
                           # a narrow range (84-87%) has no room inside for its figure: above it
                           textposition=["inside" if h is None or h >= 12 else "outside" for h in heights]))
    fig.update_yaxes(title="Percent", range=[0, 100])
    return _layout(fig, title)


def _span(row, prefix: str) -> tuple[float, float, int, int] | None:
    """(low, high) in percent and the whole percents they are written with (`statements.rate_ends`, as the
    table and the sentence write them), when the rate is a range; None for an exact rate (or a public file's
    whole percent, 92 read as 91.5-92.5%)."""
    ends = written_range(row, prefix)
    if ends is None:
        return None
    return float(row[f"{prefix}rate_low"]) * 100, float(row[f"{prefix}rate_high"]) * 100, *ends


def _written(rows: pd.DataFrame) -> tuple[bool, list]:
    """(numeric, per row: the group's and its comparison's (where to draw, half the range, as written)). A rate
    the file gives as a range (EDFacts' 70-74%) is drawn at the middle of its range with the range around it
    and written by its ends, "70–74%", as the table writes it; an exact figure is drawn where it is, "86%",
    "1,671"; a hidden one is (None, 0, "hidden")."""
    numeric = bool(rows["mean"].notna().any())
    scale = 1 if numeric else 100
    out = []
    for row in rows.to_dict("records"):
        pair = []
        for prefix in ("", "comparison_"):
            value = row.get(f"{prefix}mean" if numeric else f"{prefix}rate")
            span = None if numeric else _span(row, prefix)
            if span:
                pair.append(((span[0] + span[1]) / 2, (span[1] - span[0]) / 2, f"{span[2]}–{span[3]}%"))
            else:
                value = float(value) * scale if _finite(value) else None
                pair.append((value, 0.0, _value_text(value, numeric)))
        out.append(pair)
    return numeric, out


def _pair_text(pair) -> str:
    """"75% vs 88%", "70–74% vs 85–89%" (the group's figure, then its comparison's); "hidden" when the group's
    is."""
    (value, _, group), (_, _, comparison) = pair
    return "hidden" if value is None else f"{group} vs {comparison}"


def school_bars(rows: pd.DataFrame, title: str = "") -> go.Figure:
    """One bar per school (a rate), its comparison as a marker; the figures and n are in each school's label,
    never drawn over the bars or markers; suppressed schools are listed with no bar. A rate the file gives as a
    range is a bar from its low end to its high end, a comparison given as a range a line over its range
    (`_written`): never a bar or a mark at a middle the file never gave. An average (a scale score, days) is a
    dot on an axis fitted to the figures, as in `comparison_bars`: bars from 0 would draw a 30-point gap on a
    1,700-point scale as two bars of the same length."""
    numeric, pairs = _written(rows)
    labels = [f"{school}: {_pair_text(pair)} (n = {_n(n)})"
              for school, pair, n in zip(rows["school"], pairs, rows["n"])]
    group, other = [p[0] for p in pairs], [p[1] for p in pairs]
    name = str(rows["group"].iloc[0]) if len(rows) else "group"
    own = (go.Scatter(y=labels, x=[v for v, _, _ in group], mode="markers", name=name,
                      marker=dict(color=GROUP_COLOUR, symbol="circle", size=18)) if numeric else
           go.Bar(y=labels, x=[2 * h if h else v for v, h, _ in group], base=[v - h if h else 0 for v, h, _ in group],
                  orientation="h", name=name, marker_color=GROUP_COLOUR))
    fig = go.Figure([
        own,
        go.Scatter(y=labels, x=[v for v, _, _ in other], mode="markers", name="comparison",
                   error_x=dict(type="data", array=[h for _, h, _ in other], color=COMPARISON_COLOUR, thickness=4,
                                width=0),
                   marker=dict(color=COMPARISON_COLOUR, symbol="line-ns", size=[0 if h else 26 for _, h, _ in other],
                               line=dict(width=4, color=COMPARISON_COLOUR))),
    ])
    fig.update_yaxes(autorange="reversed")
    if numeric:
        fig.update_xaxes(title="Average (axis not from 0)")
    else:
        fig.update_xaxes(range=[0, 100], ticksuffix="%")
    return _layout(fig, title, height=max(320, 48 * len(rows) + 140))


def trend(rows: pd.DataFrame, title: str = "") -> go.Figure:
    """The group and its comparison over the years; each year's figures and n are written under the year,
    never over the lines. Rates are drawn on a 0–100 axis; a rate the file gives as a range is drawn with
    its range around the line (`_written`)."""
    numeric, pairs = _written(rows)
    group = str(rows["group"].iloc[0]) if len(rows) else "group"
    comparison = str(rows["comparison"].iloc[0]) if len(rows) else "comparison"
    years = list(rows["year"])
    ticks = [f"{year_phrase(y)}<br>{_pair_text(pair)}" + (f"<br>n = {_n(n)}" if pair[0][0] is not None else "")
             for y, pair, n in zip(years, pairs, rows["n"])]

    def line(k, name, colour, dash, symbol):
        spread = [p[k][1] for p in pairs]
        return go.Scatter(x=years, y=[p[k][0] for p in pairs], name=name, mode="lines+markers",
                          line=dict(color=colour, width=4, dash=dash), marker=dict(size=10, symbol=symbol),
                          error_y=dict(type="data", array=spread, color=colour, thickness=3, width=8,
                                       visible=any(spread)))

    fig = go.Figure([line(0, group, GROUP_COLOUR, "solid", "circle"),
                     line(1, comparison, COMPARISON_COLOUR, "dash", "square")])
    fig.update_xaxes(type="category", tickvals=years, ticktext=ticks)  # the ticks are the school years
    fig.update_yaxes(title="Average (axis not from 0)" if numeric else "Percent", range=None if numeric else [0, 100])
    _layout(fig, title, height=460)
    return fig.update_layout(legend=dict(orientation="h", y=-0.3, yanchor="top"))


def _n(value) -> str:
    return f"{int(value):,}" if _finite(value) else "—"


def _value_text(value, numeric: bool) -> str:
    if not _finite(value):
        return "hidden"
    return average_text(float(value)) if numeric else f"{rounded(value):.0f}%"



# ---------------------------------------------------------------- the steps' figures

# Okabe–Ito colours (safe for the common colour-vision deficiencies), disagree warm, agree cool.
SCALE_COLOURS: dict[int, str] = {1: "#D55E00", 2: "#E69F00", 3: "#56B4E9", 4: "#0072B2"}
# Okabe-Ito colours (safe for the common colour-vision deficiencies); overdue bars are also hatched.
STATE_COLOURS = {"Not started": "#999999", "On track": "#0072B2", "Behind": "#E69F00",
                 "Overdue": "#D55E00", "Done": "#009E73", "Dropped": "#CC79A7"}


def evaluation_chart(summary: pd.DataFrame) -> go.Figure:
    """Stacked horizontal bars: the share of answers at each point of the scale, per statement."""
    fig = go.Figure()
    totals = summary["Responses"].where(summary["Responses"] > 0, 1)
    for value, label in meetings.SCALE.items():
        share = (100 * summary[label] / totals).round(0)
        fig.add_bar(y=summary["Statement"], x=share, name=label, orientation="h",
                    marker_color=SCALE_COLOURS[value], text=summary[label], textposition="inside",
                    hovertemplate="%{y}<br>" + label + ": %{x:.0f}% (%{text} answers)<extra></extra>")
    fig.update_layout(barmode="stack", height=320, margin=dict(l=10, r=10, t=30, b=10),
                      xaxis=dict(title="Share of answers (%)", range=[0, 100]),
                      yaxis=dict(autorange="reversed"), legend=dict(orientation="h", y=-0.25),
                      font=dict(size=16))
    return fig


def timeline_figure(project: Project, today: dt.date | None = None, goal_id: str | None = None):
    """A Gantt-style plotly figure of the dated steps (bars from start to due, a missing start = due),
    one row per step labelled by goal, coloured by state, today marked; None when no step has a date."""
    import plotly.express as px  # noqa: PLC0415 - plotly.express loads only for the timeline

    today = today or dt.date.today()
    table = action_plan.steps_table(project, today, goal_id=goal_id)
    table = table[table["Start"].notna() | table["Due"].notna()].copy()
    if table.empty:
        return None
    table["Start"] = pd.to_datetime(table["Start"].fillna(table["Due"]))
    table["End"] = pd.to_datetime(table["Due"].fillna(table["Start"])) + pd.Timedelta(days=1)
    table["Row"] = [f"{g.split(' · ')[0]} · {s if len(s) <= 45 else s[:44] + '…'}"
                    for g, s in zip(table["Goal"], table["Step"])]
    fig = px.timeline(table, x_start="Start", x_end="End", y="Row", color="Status", text="Owner",
                      color_discrete_map=STATE_COLOURS, hover_data={"Goal": True, "Step": True, "Owner": True,
                                                                    "Due": True, "Row": False},
                      category_orders={"Row": list(table["Row"])}, labels={"Row": ""})
    fig.update_traces(selector={"name": "Overdue"}, marker_pattern_shape="x")  # not by colour alone
    fig.update_yaxes(autorange="reversed")
    fig.add_shape(type="line", x0=today, x1=today, y0=0, y1=1, yref="paper", line={"color": "#000000", "dash": "dash"})
    fig.add_annotation(x=today, y=1, yref="paper", text="Today", showarrow=False, yanchor="bottom")
    fig.update_layout(height=max(260, 60 + 40 * len(table)), font={"size": 16}, legend_title_text="Status",
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def _minus(value: float) -> str:
    """One decimal with a true minus sign, as the tables write it ("−14.5")."""
    return f"{value:.1f}".replace("-", "\u2212")


def progress_figure(progress: monitoring.GoalProgress):
    """Plotly chart of a goal's values by year with 95% intervals; each year's value and n are written
    under the year and the baseline and target lines are named in the legend, so no label sits on a
    marker, an interval or a line. Rates are drawn on a 0–100 axis, gaps on an axis that shows 0."""
    goal = progress.goal
    years = [p.year for p in progress.points]
    shown = [action_plan.shown(p.value, goal.measure) for p in progress.points]
    bars = [(action_plan.shown(p.high, goal.measure) - s, s - action_plan.shown(p.low, goal.measure))
            if p.low is not None and p.high is not None else (0, 0) for p, s in zip(progress.points, shown)]
    fig = go.Figure(go.Scatter(
        x=years, y=shown, mode="lines+markers", line={"color": "#0072B2", "width": 3}, marker={"size": 10},
        error_y={"type": "data", "symmetric": False, "array": [b[0] for b in bars],
                 "arrayminus": [b[1] for b in bars], "color": "#0072B2"},
        name=f"{goal.metric or 'Measure'} (bars: 95% interval)"))
    for value, label, colour, dash in ((goal.baseline, "Baseline", "#999999", "dot"),
                                       (goal.target, "Target", "#009E73", "dash")):
        if value is not None:
            level = action_plan.shown(value, goal.measure)
            fig.add_hline(y=level, line_dash=dash, line_color=colour)
            fig.add_scatter(x=[None], y=[None], mode="lines", name=f"{label} {_minus(level)}",
                            line={"color": colour, "dash": dash})
    ticks = [f"{year_phrase(p.year)}<br>{_minus(s)}" + (f" (n = {p.n:,.0f})" if p.n else "")
             for p, s in zip(progress.points, shown)]
    fig.update_xaxes(type="category", tickvals=years, ticktext=ticks, title="School year")
    unit = {"rate": "percent", "difference": "percentage points"}.get(goal.measure, "")
    fig.update_yaxes(title=unit, range=[0, 100] if goal.measure == "rate" else None,
                     rangemode="tozero" if goal.measure == "difference" else "normal")
    fig.update_layout(height=400, margin={"l": 10, "r": 10, "t": 30, "b": 10}, showlegend=True,
                      legend={"orientation": "h", "y": -0.35}, font={"size": 16})
    return fig
