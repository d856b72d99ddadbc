"""A project a team has carried through every step, for tests that read every page as a user sees it.

`fill(project)` adds what a team enters over the months (roster with someone not agreed yet, a meeting
plan with homework and an evaluation, a focus gap statement, ratings and consensus with some fields
left empty, votes, a priority, a goal, action steps with and without dates, a held review, a plan
revision), leaving optional fields blank on purpose: blanks must read as blanks, never `None`.
"""

from __future__ import annotations

import datetime as dt

from successgaps.engine import statements
from successgaps.process import action_plan, meetings, monitoring, root_causes, rubric, team
from successgaps.models import Review, StepReview


def fill(project, today: dt.date | None = None):
    today = today or dt.date.today()
    ana = team.add_member(project, "Ana López", "Principal", "leader", email="ana@example.org", agreed=True)
    ben = team.add_member(project, "Ben Okafor", "Parent", "family", agreed=True)
    team.add_member(project, "Chris Wu", "", "other")  # not agreed yet, no role, no email
    plan = meetings.make_plan(project, 120, today + dt.timedelta(days=7), place="", reviews=2, today=today)
    first = plan[0]
    meetings.add_homework(project, first.id, "Rate the rubric's first two areas on your own")
    meetings.add_homework(project, plan[1].id, "Bring attendance data", who=ana.id, due=today + dt.timedelta(days=20))
    meetings.set_attendance(project, first.id, [ana.id, ben.id])
    meetings.add_evaluation(project, first.id, {q: 3 for q in meetings.QUESTIONS}, "")
    row = {"level": "district", "year": "2024-25", "dimension": "English learner", "group": "English learners",
           "outcome": "Graduated in four years", "comparison": "all other students", "n": 142, "rate": 0.71,
           "rate_low": 0.71, "rate_high": 0.71, "comparison_rate": 0.89, "difference": -18.0, "p_value": 0.0}
    statements.add(project, row, statements.gap_sentence(row))
    ids = rubric.indicator_ids(project)
    for member, level in ((ana.id, "planning"), (ben.id, "implemented")):
        for indicator in ids[:6]:
            rubric.set_rating(project, member, indicator, level)
    for indicator in ids[:4]:
        rubric.set_consensus(project, indicator, "planning" if indicator != ids[3] else "partial",
                             evidence="Climate survey" if indicator == ids[0] else "")
    root_causes.cast_votes(project, ana.id, ids[:2])
    root_causes.cast_votes(project, ben.id, ids[1:2])
    priority = root_causes.add_priority(project, ids[1:2], "Family voice", statement_ids=[project.statements[0].id])
    goal = action_plan.add_goal(project, priority.id, "Close the EL graduation gap", project.statements[0].id)
    step = action_plan.add_step(project, goal.id, "Train staff on newcomer supports", ana.id,
                             start=today - dt.timedelta(days=30), due=today + dt.timedelta(days=60))
    action_plan.add_step(project, goal.id, "Invite families to a listening session")  # no owner, no dates
    monitoring.record_review(project, Review(date=today - dt.timedelta(days=1), attendees=[ana.id],
                                             steps=[StepReview(step_id=step.id, status="on_track")]))
    monitoring.revise(project, "step", step.id, "due", today + dt.timedelta(days=90), "Training moved to spring")
    return project
