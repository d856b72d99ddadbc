"""Issue #21: each step's status follows the toolkit's bar and says what is missing; one review
schedule made from the meeting plan and the action plan."""

import datetime as dt

from successgaps.models import ActionStep, Consensus, Goal, Member, Priority, Project
from successgaps.process import meetings, monitoring, schedule
from successgaps.process.progress import step_statuses
from successgaps.process.rubric import indicator_ids

D = dt.date
TODAY = D(2025, 8, 1)


def planned(p: Project) -> Project:
    meetings.make_plan(p, 120, D(2025, 9, 2), today=TODAY)
    return p


def test_two_members_and_a_plan_is_not_a_finished_team():
    p = planned(Project(name="x"))
    p.members = [Member(name="Ana", category="leader", agreed=True), Member(name="Bo", category="family", agreed=True)]
    team = step_statuses(p)[0]
    assert team.status == "in progress"
    assert "4 stakeholder categories of 6 not at the table" in team.next_action
    assert "general education teacher" in team.next_action


def test_step_one_names_the_missing_leader_family_and_plan():
    p = Project(name="x")
    p.members = [Member(name="Cy", category="general_education", agreed=True)]
    team = step_statuses(p)[0]
    assert team.status == "in progress"
    assert "a leader with authority" in team.next_action and "a family member" in team.next_action
    assert "a meeting plan" in team.next_action


def test_step_one_is_done_with_every_category_agreed_and_a_plan():
    p = planned(Project(name="x"))
    p.members = [Member(name=c, category=c, agreed=True) for c in
                 ("family", "general_education", "special_education", "support_staff", "leader", "community")]
    assert step_statuses(p)[0].status == "done"
    p.members[0].agreed = False  # the family member has not agreed yet
    assert step_statuses(p)[0].status == "in progress"


def test_rubric_needs_consensus_on_every_indicator_and_says_how_many_are_left():
    p = Project(name="x")
    ids = indicator_ids(p)
    p.consensus = [Consensus(indicator_id=i, level="partial") for i in ids[:3]]
    rubric = step_statuses(p)[3]
    assert rubric.status == "in progress"
    assert f"consensus on {len(ids) - 3} indicators (3 of {len(ids)} done)" in rubric.next_action
    p.consensus = [Consensus(indicator_id=i, level="partial") for i in ids]
    assert step_statuses(p)[3].status == "done"


def test_root_causes_and_plan_follow_the_toolkit():
    p = Project(name="x")
    p.priorities = [Priority(id="a", title="A", root_cause="We do not", actionable=True),
                    Priority(id="b", title="B", root_cause="", actionable=None)]
    causes = step_statuses(p)[4]
    assert causes.status == "in progress" and "root cause statement for 1 priority" in causes.next_action
    p.goals = [Goal(id="g", priority_id="a", text="Close it")]
    p.steps = [ActionStep(goal_id="g", text="Do", owner_id="m", due=D(2026, 1, 1))]
    plan = step_statuses(p)[5]
    assert plan.status == "in progress"
    assert "a goal for 1 priority" in plan.next_action and "a baseline, target and date" in plan.next_action


def plan_with_steps() -> Project:
    p = planned(Project(name="x"))
    p.goals = [Goal(id="g1", text="Close the gap", baseline=-18, target=-8, target_date=D(2027, 6, 30))]
    p.steps = [ActionStep(id="s1", goal_id="g1", text="Train", owner_id="a", start=D(2025, 9, 1), due=D(2025, 12, 1))]
    return p


def test_the_meeting_plans_reviews_are_the_plans_reviews():
    p = plan_with_steps()
    review_meetings = schedule.review_meetings(p)
    assert len(review_meetings) == 3
    assert sorted(r.date for r in p.reviews) == [m.date for m in review_meetings]


def test_generated_reviews_start_after_the_action_plan_meeting_and_keep_the_meeting_plans():
    p = plan_with_steps()
    made = schedule.plan_made(p)
    monitoring.apply_schedule(p, monitoring.review_schedule(p, today=TODAY))
    assert all(r.date > made for r in p.reviews)
    team = sorted(r.date for r in p.reviews if r.kind == "full_team")
    assert [m.date for m in schedule.review_meetings(p)] == team[:3]
    assert all((b - a).days <= 92 for a, b in zip([made] + team, team))  # at least quarterly
    assert monitoring.next_review(p, today=TODAY).date > made


def test_home_next_review_is_the_meeting_plans_first_review():
    p = planned(Project(name="x"))
    first = schedule.review_meetings(p)[0]
    assert monitoring.next_review(p, today=TODAY).date == first.date


def test_moving_a_review_in_either_place_moves_both():
    p = plan_with_steps()
    m = schedule.review_meetings(p)[0]
    meetings.update_meeting(p, m.id, date=m.date + dt.timedelta(days=7))
    review = next(r for r in p.reviews if r.meeting_id == m.id)
    assert review.date == m.date
    schedule.move_review(p, review.id, D(2026, 6, 1))
    assert m.date == D(2026, 6, 1)
    meetings.remove_meeting(p, m.id)
    assert not any(r.meeting_id == m.id for r in p.reviews)
