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
    assert text.endswith("The 95% interval for the difference is -25.2 to -10.9 percentage points.")


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
