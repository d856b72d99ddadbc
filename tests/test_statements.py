"""Drafted success gap statements read like the toolkit's examples and never leak hidden figures."""

import pytest

from successgaps.engine import statements
from successgaps.models import Project


def row(**kw):
    base = dict(level="district", school="", year="2024-25", dimension="English learner", group="English learners",
                outcome="Four-year graduation", n=142, rate=0.7113, rate_low=0.7113, rate_high=0.7113, mean=None,
                comparison="all other students", comparison_n=900, comparison_rate=0.8897,
                comparison_rate_low=0.8897, comparison_rate_high=0.8897, comparison_mean=None, difference=-17.84,
                ci_low=-25.2, ci_high=-10.9, suppressed=False, suppression_reason="", higher_is_better=True)
    base.update(kw)
    return base


def test_the_toolkit_example_sentence():
    assert statements.gap_sentence(row()) == (
        "In 2024–25, 71% of English learners graduated in four years, compared with 89% of all other students, "
        "a gap of 18 percentage points (n = 142).")


def test_quick_screen_adds_the_95_percent_interval():
    text = statements.gap_sentence(row(), interval=True)
    assert text.endswith("a gap: 17.8 percentage points lower (95% interval 10.9 to 25.2 percentage points lower) "
                         "(n = 142).")


def test_school_level_and_all_students_comparison():
    text = statements.gap_sentence(row(level="school", school="Central High", comparison="all students"))
    assert text.startswith("At Central High, in 2024–25, 71% of English learners")
    assert "compared with 89% of all students" in text


def test_lower_is_better_outcome_higher_rate_is_the_gap():
    text = statements.gap_sentence(row(outcome="Out-of-school suspension", rate=0.12, rate_low=0.12, rate_high=0.12,
                                       comparison_rate=0.04, comparison_rate_low=0.04, comparison_rate_high=0.04,
                                       higher_is_better=False, group="Black students"))
    assert "12% of Black students received an out-of-school suspension, compared with 4% of all other students, " \
           "a gap of 8 percentage points" in text


def test_a_favourable_difference_is_not_called_a_gap():
    text = statements.gap_sentence(row(rate=0.95, rate_low=0.95, rate_high=0.95))
    assert "6 percentage points higher" in text and "gap" not in text


def test_range_coded_rates_are_written_as_ranges():
    text = statements.gap_sentence(row(rate=0.62, rate_low=0.60, rate_high=0.64, comparison_rate=0.87,
                                       comparison_rate_low=0.84, comparison_rate_high=0.90, n=40))
    assert "between 60% and 64% of English learners" in text
    assert "compared with between 84% and 90%" in text
    assert "a gap of between 20 and 30 percentage points (n = 40)" in text


def test_numeric_outcome_uses_averages():
    text = statements.gap_sentence(row(outcome="Reading scale score", mean=668.2, comparison_mean=702.9, rate=None,
                                       rate_low=None, rate_high=None, comparison_rate=None))
    assert text == ("In 2024–25, English learners averaged 668 on the reading scale score, compared with 703 for all "
                    "other students, a gap of 34.7 points (n = 142).")


def test_a_suppressed_row_gives_no_figures():
    text = statements.gap_sentence(row(suppressed=True, suppression_reason="fewer than 30 students in the group",
                                       rate=None, n=12))
    assert "not shown" in text and "fewer than 30" in text
    assert not any(ch.isdigit() for ch in text.replace("2024–25", "").replace("30", ""))


def test_benchmark_comparison_wording():
    text = statements.gap_sentence(row(comparison="benchmark rate", comparison_rate=0.85, comparison_rate_low=0.85,
                                       comparison_rate_high=0.85))
    assert "compared with a benchmark of 85%, a gap of 14 percentage points" in text


def test_statements_are_saved_with_one_focus():
    p = Project(name="x")
    first = statements.add(p, row(), "First.")
    second = statements.add(p, row(group="Students with disabilities"), "Second.")
    assert first.focus and not second.focus and first.figures["rate"] == 0.7113
    statements.set_focus(p, second.id)
    assert [s.focus for s in p.statements] == [False, True]
    statements.delete(p, second.id)
    assert [s.focus for s in p.statements] == [True]


@pytest.mark.parametrize("group, dimension, phrase", [
    ("Students with disabilities", "Disability", "students with disabilities"),
    ("Not English learners", "English learner status", "students who are not English learners"),
    ("English learners", "English learner status", "English learners"),
    ("Economically disadvantaged", "Economic disadvantage", "economically disadvantaged students"),
    ("Female", "Sex", "female students"),
    ("Autism", "Disability category", "students with autism"),
    ("Two or more races", "Race/ethnicity", "students of two or more races"),
    ("Black or African American", "Race/ethnicity", "Black or African American students"),
    ("Children with disabilities (IDEA)", "Disability", "children with disabilities (IDEA)"),
])
def test_groups_read_naturally_inside_a_sentence(group, dimension, phrase):
    assert statements.group_phrase(group, dimension) == phrase


# ---- issue #21: sentences read right, round once, and say the direction of the gap and its interval

@pytest.mark.parametrize("label, phrase", [
    ("Not graduated", "did not graduate"),
    ("Not proficient in math", "were not proficient in math"),
    ("Non-proficient in reading", "were not proficient in reading"),
    ("Not suspended", "were not suspended"),
    ("Did not graduate in four years", "did not graduate in four years"),
])
def test_negative_labels_read_negated(label, phrase):
    assert statements.outcome_phrase(label) == phrase


def test_a_negative_label_in_the_sentence():
    text = statements.gap_sentence(row(outcome="Not graduated", higher_is_better=False, rate=0.29, rate_low=0.29,
                                       rate_high=0.29, comparison_rate=0.11, comparison_rate_low=0.11,
                                       comparison_rate_high=0.11))
    assert "29% of English learners did not graduate, compared with 11% of all other students, a gap of 18" in text


@pytest.mark.parametrize("label, better", [
    ("Not graduated", False), ("Not proficient in math", False), ("Non-proficient", False),
    ("Not suspended", True), ("Graduated", True), ("Proficient in math", True), ("Suspended", False)])
def test_negative_labels_default_to_lower_is_better(label, better):
    from successgaps.data.detect import higher_is_better
    assert higher_is_better(label) is better


def test_half_a_percent_rounds_up():
    assert statements.half_up(14.5) == 15 and statements.half_up(2.675, 2) == 2.68
    text = statements.gap_sentence(row(rate=0.145, rate_low=0.145, rate_high=0.145, comparison_rate=0.5,
                                       comparison_rate_low=0.5, comparison_rate_high=0.5))
    assert text.startswith("In 2024–25, 15% of English learners")


def test_the_gap_is_rounded_once_from_the_exact_rates():
    # 21.4% and 27.8%: the table says -6.4; the difference of the rounded percents would be 7
    text = statements.gap_sentence(row(rate=0.214, rate_low=0.214, rate_high=0.214, comparison_rate=0.278,
                                       comparison_rate_low=0.278, comparison_rate_high=0.278))
    assert "21% of English learners" in text and "28% of all other students" in text
    assert "a gap of 6 percentage points" in text


def test_the_interval_goes_the_same_way_as_the_gap():
    text = statements.gap_sentence(row(outcome="Math scale score", mean=650.0, comparison_mean=685.1, rate=None,
                                       rate_low=None, rate_high=None, comparison_rate=None, ci_low=-38.2,
                                       ci_high=-32.0), interval=True)
    assert "35.1 points lower (95% interval 32.0 to 38.2 points lower)" in text
    assert "−" not in text and "-3" not in text


def test_an_interval_across_zero_says_both_directions():
    text = statements.gap_sentence(row(rate=0.80, rate_low=0.80, rate_high=0.80, comparison_rate=0.81,
                                       comparison_rate_low=0.81, comparison_rate_high=0.81, difference=-1.0,
                                       ci_low=-4.3, ci_high=2.1), interval=True)
    assert "1.0 percentage points lower (95% interval 4.3 lower to 2.1 percentage points higher, which includes no " \
           "difference)" in text
    assert "a gap" not in text  # chance alone could give it: an analyst would not sign "a gap" here


def test_a_statement_whose_figures_are_hidden_is_never_the_focus():
    from successgaps.errors import UserError

    p = Project(name="x")
    hidden = statements.add(p, row(suppressed=True, rate=None, rate_low=None, rate_high=None, difference=None,
                                   comparison_rate=None, ci_low=None, ci_high=None), "Too small to show.")
    assert not hidden.focus and p.focus_statement() is None
    with pytest.raises(UserError, match="hidden"):
        statements.set_focus(p, hidden.id)
    shown = statements.add(p, row(), "Shown.")
    assert shown.focus
    statements.delete(p, shown.id)
    assert p.focus_statement() is None


def test_every_figure_is_rounded_half_up_once_from_the_exact_figure():
    """12.5% is 13% and 0.145 (as a rate, 14.499999999999998 once times 100) is 15%: the same whether a figure is
    a tie or not, and the quick path (not a tie) agrees with the exact one on every value."""
    import random

    from successgaps.engine.statements import half_up, rounded

    assert (rounded(12.5), rounded(-12.5), rounded(0.145 * 100), rounded(2.675, 2), rounded(0.05, 1)) == \
        (13, -13, 15, 2.68, 0.1)
    rng = random.Random(7)
    values = [rng.uniform(-1000, 1000) for _ in range(2000)] + [k / 8 for k in range(-800, 800)]
    assert all(rounded(v, places) == half_up(round(v, 9), places) for v in values for places in (0, 1, 2))


def test_a_drafted_statement_never_calls_a_difference_chance_could_give_a_gap():
    """Step 3 drafts statements without the interval ("a gap of 6 percentage points"); when the interval of the
    difference includes no difference, the draft gives it instead of calling the difference a gap."""
    text = statements.gap_sentence(row(rate=0.80, rate_low=0.80, rate_high=0.80, comparison_rate=0.83,
                                       comparison_rate_low=0.83, comparison_rate_high=0.83, difference=-3.0,
                                       ci_low=-7.3, ci_high=1.2))
    assert "a gap" not in text
    assert "3.0 percentage points lower (95% interval 7.3 lower to 1.2 percentage points higher, which includes " \
           "no difference)" in text
    average = statements.gap_sentence(row(outcome="Math scale score", mean=1670.0, comparison_mean=1693.0, rate=None,
                                          rate_low=None, rate_high=None, comparison_rate=None, ci_low=-56.0,
                                          ci_high=10.1))
    assert "a gap" not in average and "23.0 points lower (95% interval 56.0 lower to 10.1 points higher" in average
    sure = statements.gap_sentence(row(rate=0.60, rate_low=0.60, rate_high=0.60, comparison_rate=0.80,
                                       comparison_rate_low=0.80, comparison_rate_high=0.80, difference=-20.0,
                                       ci_low=-25.0, ci_high=-15.0))
    assert "a gap of 20 percentage points" in sure and "interval" not in sure  # as drafted before


def test_school_years_are_written_with_a_dash_and_nothing_else_is():
    """The pages write a school year as print does (2024–25); a date, an id or a span that is not one year to the
    next keeps its own text."""
    assert statements.years_written("found: 2022-23 (4 rows), 2023-24.") == "found: 2022–23 (4 rows), 2023–24."
    assert statements.years_written("1999-00") == "1999–00"
    for kept in ("enrolled on 2024-09-01", "id 1234-56", "2019-2020", "2024-26"):
        assert statements.years_written(kept) == kept
