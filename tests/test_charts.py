"""Issue #21: charts a team reads on a shared screen and on paper: no label over a marker or a line, rates
on a 0–100 axis, each month named once on the timeline, the 95% intervals on paper as on screen."""

import datetime as dt

import matplotlib
import pandas as pd
import pytest

from successgaps.models import Goal
from successgaps.outputs import charts, static_charts
from successgaps.process import monitoring

ROWS = pd.DataFrame({  # a group doing better than its comparison one year, worse the next (the lines cross)
    "school": ["Lincoln Middle", "Central High", "Hidden Elementary"],
    "year": ["2022-23", "2023-24", "2024-25"],
    "group": ["English learners"] * 3, "comparison": ["All other students"] * 3,
    "rate": [0.625, 0.80, None], "comparison_rate": [0.70, 0.74, 0.88],
    "mean": [None] * 3, "comparison_mean": [None] * 3, "n": [40, 55, None],
})


def _text_on_the_plot(fig) -> list:
    """Labels drawn inside the plotting area: trace text and annotations."""
    drawn = [t.text for t in fig.data if t.text is not None and "text" in (getattr(t, "mode", None) or "text")]
    return [x for x in drawn if x is not None and len(x)] + list(fig.layout.annotations)


def test_by_school_bars_carry_their_figures_in_the_labels_not_over_the_markers():
    fig = charts.school_bars(ROWS)
    assert _text_on_the_plot(fig) == []
    assert list(fig.data[0].y) == ["Lincoln Middle: 63% vs 70% (n = 40)", "Central High: 80% vs 74% (n = 55)",
                                   "Hidden Elementary: hidden (n = —)"]  # 62.5 rounds half up
    assert tuple(fig.layout.xaxis.range) == (0, 100)


def test_the_trend_of_a_rate_starts_at_0_and_writes_its_figures_under_the_years():
    fig = charts.trend(ROWS)
    assert tuple(fig.layout.yaxis.range) == (0, 100)
    assert _text_on_the_plot(fig) == []
    assert list(fig.layout.xaxis.ticktext) == ["2022–23<br>63% vs 70%<br>n = 40", "2023–24<br>80% vs 74%<br>n = 55",
                                               "2024–25<br>hidden"]


def _progress(measure="rate"):
    goal = Goal(text="Raise the graduation rate", metric="Four-year graduation", measure=measure,
                baseline=0.70, target=0.80)
    points = [monitoring.GoalPoint("2023-24", 0.70, 0.62, 0.77, 120), monitoring.GoalPoint("2024-25", 0.74, 0.66, 0.81, 118)]
    return monitoring.GoalProgress(goal, points, "", False, True)


def test_a_gaps_progress_writes_its_negative_figures_with_a_minus_sign_as_the_table_does():
    goal = Goal(text="Close the gap", metric="Gap", measure="difference", baseline=-12.2, target=-6.1)
    points = [monitoring.GoalPoint("2023-24", -27.9, -37.3, -18.9, 115), monitoring.GoalPoint("2024-25", -12.2, -21.2,
                                                                                               -4.7, 114)]
    fig = charts.progress_figure(monitoring.GoalProgress(goal, points, "", False, True))
    assert {t.name for t in fig.data[1:]} == {"Baseline \u221212.2", "Target \u22126.1"}
    assert list(fig.layout.xaxis.ticktext) == ["2023–24<br>\u221227.9 (n = 115)", "2024–25<br>\u221212.2 (n = 114)"]


def test_progress_on_screen_keeps_labels_off_the_intervals_and_names_baseline_and_target_in_the_legend():
    fig = charts.progress_figure(_progress())
    assert _text_on_the_plot(fig) == []
    assert list(fig.data[0].error_y.array) == pytest.approx([7, 7])  # the 95% intervals, in percent
    assert {t.name for t in fig.data[1:]} == {"Baseline 70.0", "Target 80.0"}
    # years as the sentences write them
    assert list(fig.layout.xaxis.ticktext) == ["2023–24<br>70.0 (n = 120)", "2024–25<br>74.0 (n = 118)"]
    assert tuple(fig.layout.yaxis.range) == (0, 100)


def _extents(fig, artists):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in artists]


def test_progress_on_paper_keeps_the_intervals_and_the_legend_off_the_lines():
    fig = static_charts.lines_figure({"Rate": [("2023-24", 70.0), ("2024-25", 74.0)]},
                                     reference={"Baseline": 70.0, "Target": 80.0}, percent=False,
                                     intervals={"Rate": [("2023-24", 62.0, 77.0), ("2024-25", 66.0, 81.0)]},
                                     from_zero=True)
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0
    bars = [c for c in ax.containers if isinstance(c, matplotlib.container.ErrorbarContainer)]
    assert len(bars) == 1 and "95% interval" in bars[0].get_label()
    legend, plot = _extents(fig, [ax.get_legend(), ax])
    assert not legend.overlaps(plot)
    for tick in _extents(fig, ax.get_xticklabels()):
        assert not legend.overlaps(tick)
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("days", [20, 45, 100, 200, 400, 900])
def test_the_timeline_on_paper_names_each_month_once(days):
    start = dt.date(2026, 1, 12)
    steps = [("Credit checks", start, start + dt.timedelta(days=days), "On track"),
             ("Check-in adults", start + dt.timedelta(days=3), start + dt.timedelta(days=days // 2), "Not started")]
    fig = static_charts.timeline_figure(steps)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(labels) >= 2
    assert len(labels) == len(set(labels)), labels
    matplotlib.pyplot.close(fig)


def test_an_average_is_drawn_as_dots_on_an_axis_fitted_to_them_not_as_bars_from_0():
    """A 49-point gap on a 700-point reading scale: bars from 0 would make the two averages look the same."""
    row = {"group": "Developmental delay", "comparison": "all other students", "mean": 672.0,
           "comparison_mean": 720.7, "n": 24, "comparison_n": 5366, "difference": -48.7, "ci_low": -64.3,
           "ci_high": -33.1, "kind": "numeric"}
    fig = charts.comparison_bars(row)
    (dots,) = fig.data
    assert dots.type == "scatter" and dots.mode == "markers" and _text_on_the_plot(fig) == []
    # written as the sentence and the table write an average (whole from 100 up): the slide said 1,671 above a
    # chart saying 1,671.4
    assert list(dots.x) == ["Developmental delay<br>672 (n = 24)", "all other students<br>721 (n = 5,366)"]
    low, high = fig.layout.yaxis.range
    assert 600 < low < 672 - 15.6 and 720.7 < high < 740  # fitted to the dots and the interval, with room
    assert fig.layout.yaxis.title.text == "Average (axis not from 0)"
    assert list(dots.error_y.arrayminus) == pytest.approx([15.6, 0])  # the gap's interval, around the group
    rate = charts.comparison_bars({**row, "mean": None, "comparison_mean": None, "rate": 0.62, "comparison_rate": 0.8,
                                   "kind": "binary"})
    assert rate.data[0].type == "bar" and tuple(rate.layout.yaxis.range) == (0, 100)


def test_schools_averages_are_dots_on_a_fitted_axis_not_bars_from_0():
    """The Texas students by school: 1,660 against 1,691, 1,677 against 1,719 drawn as bars from 0 were bars of one
    length; an average is a dot, on an axis fitted to the figures, as the group's own chart above it."""
    rows = pd.DataFrame({"school": ["000000002", "000000003", "000000004"], "group": "Female",
                         "comparison": "all other students", "mean": [1660.2, 1677.4, None],
                         "comparison_mean": [1691.0, 1719.3, 1702.0], "n": [31, 65, 35], "rate": None,
                         "rate_low": None, "rate_high": None, "comparison_rate": None})
    fig = charts.school_bars(rows)
    dots, marks = fig.data
    assert dots.type == "scatter" and dots.mode == "markers" and _text_on_the_plot(fig) == []
    assert list(dots.y) == ["000000002: 1,660 vs 1,691 (n = 31)", "000000003: 1,677 vs 1,719 (n = 65)",
                            "000000004: hidden (n = 35)"]
    assert list(dots.x)[:2] == pytest.approx([1660.2, 1677.4]) and list(dots.x)[2] is None
    assert fig.layout.xaxis.range is None and fig.layout.xaxis.title.text == "Average (axis not from 0)"
    trend = charts.trend(rows.assign(year=["2010", "2011", "2012"]))
    assert trend.layout.yaxis.range is None and trend.layout.yaxis.title.text == "Average (axis not from 0)"


def test_a_rate_the_file_gives_as_a_range_is_drawn_as_that_range_not_its_middle():
    """EDFacts gives 39–88% for a small group: a bar up to 63% would state a figure the file never gave."""
    row = {"group": "American Indian or Alaska Native", "comparison": "all other students", "rate": 0.635,
           "rate_low": 0.39, "rate_high": 0.88, "comparison_rate": 0.855, "comparison_rate_low": 0.84,
           "comparison_rate_high": 0.87, "n": 37328, "comparison_n": 3473979, "difference": -22.0,
           "kind": "binary", "mean": None, "comparison_mean": None}
    (bars,) = charts.comparison_bars(row).data
    assert list(bars.base) == pytest.approx([39, 84]) and list(bars.y) == pytest.approx([49, 3])
    assert list(bars.text) == ["39–88%", "84–87%"]
    exact = charts.comparison_bars({**row, "rate_low": 0.635, "rate_high": 0.635, "comparison_rate_low": 0.915,
                                    "comparison_rate_high": 0.925, "comparison_rate": 0.92})
    assert list(exact.data[0].base) == [0, 0] and list(exact.data[0].y) == pytest.approx([63.5, 92])
    assert list(exact.data[0].text) == ["64%", "92%"]  # a public file's whole percent (91.5–92.5%) is 92%


def test_the_heatmaps_write_a_range_gap_by_its_ends_and_an_exact_gap_in_whole_points_as_the_table():
    """On EDFacts' national file the heatmap said −22.0 for American Indian students, the middle of a gap the
    file gives only as between 48 lower and 4 higher (the sentence and the table say so): both heatmaps write
    the table's figure, and only the colour uses the middle."""
    rows = pd.DataFrame([
        {"dimension": "Race/ethnicity", "group": "American Indian or Alaska Native", "outcome": "Four-year graduation",
         "rate_low": 0.39, "rate_high": 0.88, "comparison_rate_low": 0.84, "comparison_rate_high": 0.87,
         "difference": -22.0, "kind": "binary", "higher_is_better": True},
        {"dimension": "Race/ethnicity", "group": "Asian", "outcome": "Four-year graduation", "rate_low": 0.905,
         "rate_high": 0.905, "comparison_rate_low": 0.78, "comparison_rate_high": 0.78, "difference": 12.5,
         "kind": "binary", "higher_is_better": True},
        {"dimension": "Race/ethnicity", "group": "White", "outcome": "Four-year graduation", "rate_low": None,
         "rate_high": None, "comparison_rate_low": None, "comparison_rate_high": None, "difference": None,
         "kind": "binary", "higher_is_better": True}])
    (cells,) = charts.gap_heatmap(rows).data
    assert cells.text.ravel().tolist() == ["\u221248 to +4", "+13", "—"]
    assert cells.z.ravel()[0] == pytest.approx(22.0)  # coloured by the middle of the range (worse: orange)
    drawn = []
    original = matplotlib.axes.Axes.text
    try:
        matplotlib.axes.Axes.text = lambda self, x, y, s, *a, **k: drawn.append(s) or original(self, x, y, s, *a, **k)
        from successgaps.engine import ranking  # noqa: PLC0415
        heat = ranking.heatmap_table(rows)
        static_charts.heatmap(list(heat.index), list(heat.columns), heat.to_numpy().tolist(),
                              labels=ranking.heatmap_labels(rows).to_numpy().tolist())
    finally:
        matplotlib.axes.Axes.text = original
    assert drawn[:3] == ["\u221248 to +4", "+13", "*"]


def test_a_school_whose_rate_the_file_gives_as_a_range_is_a_bar_over_that_range_written_as_the_table_writes_it():
    """EDFacts gives each school's rate as a range (70-74%, GE90): Look closer's bars by school and its trend
    drew their middles and labelled them "72% vs 87%", figures the file never gave."""
    rows = pd.DataFrame([
        {"school": "Town High", "group": "Hispanic/Latino", "comparison": "all other students", "n": 66,
         "rate": 0.72, "rate_low": 0.70, "rate_high": 0.74, "comparison_rate": 0.87, "comparison_rate_low": 0.85,
         "comparison_rate_high": 0.89, "mean": None, "comparison_mean": None, "year": "2014-15"},
        {"school": "Other High", "group": "Hispanic/Latino", "comparison": "all other students", "n": 40,
         "rate": 0.625, "rate_low": 0.625, "rate_high": 0.625, "comparison_rate": 0.8, "comparison_rate_low": 0.8,
         "comparison_rate_high": 0.8, "mean": None, "comparison_mean": None, "year": "2015-16"}])
    bars, marks = charts.school_bars(rows).data
    assert list(bars.y) == ["Town High: 70–74% vs 85–89% (n = 66)", "Other High: 63% vs 80% (n = 40)"]
    assert list(bars.base) == pytest.approx([70, 0]) and list(bars.x) == pytest.approx([4, 62.5])
    assert list(marks.x) == pytest.approx([87, 80]) and list(marks.error_x.array) == pytest.approx([2, 0])
    assert list(marks.marker.size) == [0, 26]  # a range is its line, an exact figure its mark
    group, _ = charts.trend(rows).data
    assert list(group.y) == pytest.approx([72, 62.5]) and list(group.error_y.array) == pytest.approx([2, 0])
    assert charts.trend(rows).layout.xaxis.ticktext[0] == "2014–15<br>70–74% vs 85–89%<br>n = 66"
