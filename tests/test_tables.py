"""Every table reads as a person would write it: no None or nan, units, p < 0.001, ranges only when ranges."""

import datetime as dt

import numpy as np
import pandas as pd

from successgaps.ui import tables


def test_numbers_are_written_for_people():
    assert [tables.number(v) for v in (1234, 3.456, 690.2, -13, 12.0, -0.04)] == \
        ["1,234", "3.5", "690", "−13", "12", "0"]
    assert tables.number(4, 0, sign=True) == "+4" and tables.number(-13.4, 0, sign=True) == "−13"
    assert tables.percent(0.8642) == "86%"


def test_a_scale_score_gap_has_one_decimal_in_the_table_as_in_its_sentence():
    """The table wrote "−39 points" and "−40 to −33.2 points" beside "−37.1 points" while the sentence said
    "39.0 points lower (95% interval 33.2 to 40.0 points lower)": an average's gap and its interval keep one
    decimal."""
    from successgaps.engine import statements

    score = {"kind": "numeric", "rate": np.nan, "mean": 680.6, "comparison_mean": 719.6, "difference": -38.99,
             "outcome": "Reading scale score", "ci_low": -39.96, "ci_high": -33.22, "n": 258, "group": "Students with "
             "disabilities", "dimension": "Disability", "comparison": "all other students", "year": "2023-24",
             "level": "district"}
    assert (tables.gap_amount(score), tables.gap_interval(score)) == ("−39.0 points", "−40.0 to −33.2 points")
    assert "a gap of 39.0 points" in statements.gap_sentence(score)
    assert "39.0 points lower (95% interval 33.2 to 40.0 points lower)" in statements.gap_sentence(score, interval=True)
    days = dict(score, outcome="Days absent", mean=23.0, comparison_mean=7.94, difference=15.06)
    assert (tables.gap_figure(days), tables.gap_figure(days, "comparison_"), tables.gap_amount(days)) == \
        ("23.0", "7.9", "+15.1")


def test_blanks_never_read_none_or_nan():
    frame = pd.DataFrame({"Where": [None, "Room 4"], "Due": [pd.NaT, dt.date(2026, 3, 3)],
                          "Votes": [np.nan, 3.0], "Agreed": [None, True], "Note": ["None", "nan"]})
    shown = tables.for_people(frame)
    assert shown.to_dict("list") == {"Where": ["—", "Room 4"], "Due": ["—", "Mar 3, 2026"], "Votes": ["—", "3"],
                                     "Agreed": ["—", "yes"], "Note": ["—", "—"]}


def test_a_tiny_p_value_is_p_below_a_thousandth_not_zero():
    assert tables.p_value(0.0) == "p < 0.001"
    assert tables.p_value(0.0312) == "0.031"


def test_a_range_is_shown_only_when_the_source_gave_a_range():
    assert tables.percent_range(0.85, 0.89) == "85–89%"
    assert tables.percent_range(0.86, 0.86) == "86%"
    exact = {"kind": "binary", "rate": 0.71, "rate_low": 0.71, "rate_high": 0.71, "comparison_rate": 0.84,
             "comparison_rate_low": 0.84, "comparison_rate_high": 0.84, "difference": -13.0,
             "difference_low": -13.0, "difference_high": -13.0, "outcome": "Graduated", "mean": np.nan}
    assert (tables.gap_figure(exact), tables.gap_figure(exact, "comparison_"), tables.gap_amount(exact)) == \
        ("71%", "84%", "−13 points")
    ranged = {**exact, "rate_low": 0.85, "rate_high": 0.89, "difference_low": 1.0, "difference_high": 5.0}
    assert tables.gap_figure(ranged) == "85–89%" and tables.gap_amount(ranged) == "+1 to +5 points"


def test_a_scale_score_shows_its_average_not_a_rate():
    score = {"kind": "numeric", "rate": np.nan, "mean": 690.4, "comparison_mean": 715.2, "difference": -24.8,
             "outcome": "Math scale score", "ci_low": -30.1, "ci_high": -19.5}
    assert (tables.gap_figure(score), tables.gap_figure(score, "comparison_")) == ("690", "715")
    assert tables.gap_amount(score) == "−24.8 points"
    assert tables.gap_interval(score) == "−30.1 to −19.5 points"


def test_the_gap_screen_answers_in_its_first_columns():
    rows = pd.DataFrame([{"group": "English learners", "dimension": "EL", "outcome": "Graduated", "kind": "binary",
                          "n": 142, "rate": 0.71, "rate_low": 0.71, "rate_high": 0.71, "comparison_rate": 0.89,
                          "comparison_rate_low": 0.89, "comparison_rate_high": 0.89, "mean": None,
                          "difference": -18.0, "difference_low": -18.0, "difference_high": -18.0,
                          "flagged": True, "years_flagged": 3, "p_value": 0.0, "suppressed": False,
                          "suppression_reason": None}])
    table = tables.gap_rows(rows)
    assert table[tables.GAP_SHORT].iloc[0].tolist() == ["English learners", "Graduated", "−18 points", "yes", "3",
                                                         "71%", "89%", "142"]
    assert table.iloc[0]["p-value"] == "p < 0.001" and table.iloc[0]["Why hidden"] == "—"


def test_the_gap_table_reads_each_row_as_its_record():
    """`gap_rows` reads only the columns its cells need, each turned into Python objects once: the same text as
    from every row's `to_dict` record, blanks (a missing count, text or figure) included."""
    rows = pd.DataFrame({"group": pd.array(["EL", None, "Female"], "string"), "outcome": ["Graduated"] * 3,
                         "kind": ["binary"] * 3, "n": pd.array([142, pd.NA, 90], "Int64"),
                         "rate": [0.71, np.nan, 0.8], "comparison_rate": [0.89, 0.9, np.nan], "mean": np.nan,
                         "difference": [-18.0, np.nan, 3.0], "flagged": [True, False, False],
                         "suppressed": [False, True, False], "suppression_reason": [None, "fewer than 10", None],
                         "years_flagged": pd.array([3, pd.NA, 0], "Int64"), "p_value": [0.0, np.nan, 0.2]})
    cells = [(h, tables.GAP_CELLS[h]) for h in tables.GAP_SHORT + tables.GAP_MORE
             if h not in tables.GAP_NEEDS or tables.GAP_NEEDS[h] in rows]
    wanted = [{h: cell(row, bool(row["suppressed"]) or not tables.missing(row["suppression_reason"]))
               for h, cell in cells} for row in rows.to_dict("records")]
    assert tables.gap_rows(rows).to_dict("records") == wanted
    assert wanted[1]["Students (n)"] == "—" and wanted[1]["Group"] == "—" and wanted[0]["Group's figure"] == "71%"


def test_a_school_year_reads_as_the_year_filter_writes_it():
    """The year filter says "2024–25" (an en dash, as in print): so do the table's year columns and a reason that
    names the year, whatever the file wrote; the engine's own table (and its CSV) keeps the file's text."""
    rows = pd.DataFrame({"group": ["EL", "Asian"], "outcome": ["Graduated"] * 2, "kind": ["binary"] * 2,
                         "year": ["2024-25", "2023-24"], "flagged_years": ["2023-24, 2024-25", None],
                         "suppressed": [False, True], "suppression_reason": [
                             None, "hidden so that a smaller group (Asian, Lincoln Middle, 2023-24) cannot be worked "
                                   "out from the totals"]})
    table = tables.gap_rows(rows)
    assert table["Year"].tolist() == ["2024–25", "2023–24"]
    assert table["Years beyond"].tolist() == ["2023–24, 2024–25", "—"]
    assert "(Asian, Lincoln Middle, 2023–24)" in table["Why hidden"].iloc[1] and table["Why hidden"].iloc[0] == "—"


def test_a_gap_the_files_ranges_leave_open_says_so_in_the_beyond_column(tmp_path):
    """EDFacts gives children with disabilities 60-79% against 85-89% for all: the screen's gap is 7 to 36 points,
    22 at the middle. Not "yes" (not beyond the threshold at every end), and not a plain "no" either."""
    from successgaps.engine import quickscreen, ranking  # noqa: PLC0415

    ranges = ("STNAM,FIPST,LEAID,LEANM,NCESSCH,SCHNAM,ALL_COHORT_1415,ALL_RATE_1415,CWD_COHORT_1415,CWD_RATE_1415,"
              "DATE_CUR\nSTATE,01,0100005,Town,010000500871,Town High,200,85-89,40,60-79,26NOV16\n").encode()
    quick = quickscreen.run(ranges, "acgr.csv", tmp_path)
    shown, _ = ranking.gap_screen(quick.table, quick.project.gap_settings, year=quick.year)
    [row] = tables.gap_rows(shown).to_dict("records")
    assert row["Beyond the threshold"] == "open (ranges)"
    exact = quickscreen.run(ranges.replace(b"85-89", b"87").replace(b"60-79", b"70"), "acgr.csv", tmp_path / "exact")
    shown, _ = ranking.gap_screen(exact.table, exact.project.gap_settings, year=exact.year)
    assert tables.gap_rows(shown)["Beyond the threshold"].tolist() == ["yes"]


def test_the_table_and_the_sentence_round_a_figure_the_same_way():
    """A facilitator reads a row in the table and its sentence aloud: 5 of 40 students (12.5%) is 13% in both,
    and a public file's whole percent (92, read as 91.5–92.5%) is 92% in both, with a gap of 37 points (not
    "36 to 38" in one place and "37" in the other)."""
    from successgaps.engine.statements import gap_sentence

    eighth = {"kind": "binary", "rate": 0.125, "rate_low": 0.125, "rate_high": 0.125, "comparison_rate": 0.25,
              "comparison_rate_low": 0.25, "comparison_rate_high": 0.25, "difference": -12.5,
              "difference_low": -12.5, "difference_high": -12.5, "outcome": "Graduated", "mean": np.nan,
              "group": "Group A", "comparison": "all other students", "n": 40, "higher_is_better": True}
    assert (tables.gap_figure(eighth), tables.gap_amount(eighth)) == ("13%", "−13 points")
    assert "13% of group A" in gap_sentence(eighth) and "a gap of 13 percentage points" in gap_sentence(eighth)

    whole = {**eighth, "rate": 0.92, "rate_low": 0.915, "rate_high": 0.925, "comparison_rate": 0.55,
             "comparison_rate_low": 0.55, "comparison_rate_high": 0.55, "difference": 37.0,
             "difference_low": 36.5, "difference_high": 37.5}
    assert (tables.gap_figure(whole), tables.gap_amount(whole)) == ("92%", "+37 points")
    assert "92% of group A" in gap_sentence(whole) and ", 37 percentage points higher" in gap_sentence(whole)

    ranged = {**whole, "rate_low": 0.65, "rate_high": 0.69, "rate": 0.67, "comparison_rate_low": 0.925,
              "comparison_rate_high": 0.935, "comparison_rate": 0.93, "difference": -26.0,
              "difference_low": -28.5, "difference_high": -23.5}
    assert (tables.gap_figure(ranged), tables.gap_figure(ranged, "comparison_")) == ("65–69%", "93%")
    assert tables.gap_amount(ranged) == "−28 to −24 points"
    assert "a gap of between 24 and 28 percentage points" in gap_sentence(ranged)
