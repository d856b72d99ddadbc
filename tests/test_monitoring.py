"""Step 7: the team keeps meeting, stays honest about fidelity, and sees whether the gap closes."""

import datetime as dt

import pytest

from successgaps import monitoring
from successgaps.errors import UserError
from successgaps.models import ActionStep, Goal, Member, Project, StepReview

D = dt.date


@pytest.fixture
def plan():
    p = Project(name="Central High")
    p.members = [Member(id="ana", name="Ana López", category="leader")]
    p.goals = [Goal(id="g1", text="Close the EL graduation gap", baseline=-18, baseline_year="2024-25",
                    target=-8, target_date=D(2027, 6, 30))]
    p.steps = [
        ActionStep(id="s1", goal_id="g1", text="Train staff", owner_id="ana", start=D(2025, 9, 1), due=D(2025, 12, 1)),
        ActionStep(id="s2", goal_id="g1", text="Mentors for EL seniors", start=D(2025, 9, 1), due=D(2026, 6, 1)),
    ]
    return p


def test_schedule_has_quarterly_team_reviews_and_monthly_check_ins_at_first(plan):
    reviews = monitoring.review_schedule(plan, today=D(2025, 8, 1))
    team = [r.date for r in reviews if r.kind == "full_team"]
    check_ins = [r.date for r in reviews if r.kind == "implementers"]
    assert team[:4] == [D(2025, 12, 1), D(2026, 3, 1), D(2026, 6, 1), D(2026, 9, 1)]
    assert team[-1] == D(2027, 6, 30)  # the goal's target date closes the plan
    assert check_ins == [D(2025, 10, 1), D(2025, 11, 1), D(2026, 1, 1), D(2026, 2, 1)]  # months 1-6 minus team dates
    assert all(not r.held for r in reviews)


def test_regenerating_the_schedule_never_touches_a_held_review(plan):
    monitoring.apply_schedule(plan, monitoring.review_schedule(plan))
    first = plan.reviews[0]
    first.attendees = ["ana"]
    monitoring.record_review(plan, first)
    monitoring.apply_schedule(plan, monitoring.review_schedule(plan, full_team_months=6))
    assert first in plan.reviews and first.held
    assert sum(r.held for r in plan.reviews) == 1


def test_next_review_is_the_first_one_not_held_from_today(plan):
    monitoring.apply_schedule(plan, monitoring.review_schedule(plan))
    assert monitoring.next_review(plan, today=D(2025, 10, 2)).date == D(2025, 11, 1)


def test_recording_a_review_updates_each_steps_status(plan):
    review = monitoring.blank_review(plan, D(2025, 11, 1))
    assert [s.step_id for s in review.steps] == ["s1", "s2"]
    review.steps[0].status = "done"
    with pytest.raises(UserError, match="who attended"):
        monitoring.record_review(plan, review)
    review.attendees = ["ana"]
    monitoring.record_review(plan, review)
    assert plan.steps[0].status == "done" and review.held


def test_a_revision_logs_what_changed_why_and_at_which_review(plan):
    review = monitoring.blank_review(plan, D(2026, 3, 1))
    review.attendees = ["ana"]
    monitoring.record_review(plan, review)
    monitoring.revise(plan, "goal", "g1", "target", -10.0, "Two schools joined late", review_id=review.id)
    assert plan.goals[0].target == -10.0
    (row,) = monitoring.history(plan)
    assert row["what"] == "Goal “Close the EL graduation gap”: target changed from “-8.0” to “-10.0”"
    assert row["why"] == "Two schools joined late"
    assert row["decided at"] == "Review of March 1, 2026"
    with pytest.raises(UserError, match="Say why"):
        monitoring.revise(plan, "step", "s1", "due", D(2026, 1, 1), "  ")


def test_alerts_for_overdue_steps_and_steps_behind_twice(plan):
    for day in (D(2025, 10, 1), D(2025, 11, 1)):
        review = monitoring.blank_review(plan, day)
        review.attendees = ["ana"]
        review.steps[1].status = "behind"
        monitoring.record_review(plan, review)
    alerts = monitoring.step_alerts(plan, today=D(2025, 12, 15))
    assert [a.kind for a in alerts] == ["overdue", "behind_twice"]
    assert alerts[0].sentence == "“Train staff” was due December 1, 2025 (Ana López) and is not done."
    assert "Mentors for EL seniors" in alerts[1].sentence


def test_a_goal_is_off_track_when_worse_than_the_straight_line_to_target(plan):
    goal = plan.goals[0]  # -18 in 2024-25 (June 30 2025) to -8 by June 30 2027: -13 expected in June 2026
    assert monitoring.off_track(goal, -15.0, "2025-26")
    assert not monitoring.off_track(goal, -12.0, "2025-26")
    assert not monitoring.off_track(goal, -30.0, "2024-25")  # no later data yet


@pytest.mark.parametrize("year, end", [("2024-25", D(2025, 6, 30)), ("2025", D(2025, 6, 30)),
                                       ("2014-2015", D(2015, 6, 30)), ("1415", D(2015, 6, 30)), ("", None)])
def test_school_years_map_to_their_end(year, end):
    assert monitoring.year_end(year) == end
