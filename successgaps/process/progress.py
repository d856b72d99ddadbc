"""The seven steps of the process and where a project stands in each (derived, never stored)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..models import Project
from ..text import plural
from .rubric import indicator_ids

Status = Literal["not started", "in progress", "done"]


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    page: str  # path of the page, relative to the app root
    purpose: str


STEPS: tuple[Step, ...] = (
    Step(1, "Team and meetings", "pages/1_Team_and_Meetings.py",
         "Bring the right people to the table — families and students of the affected group, teachers, "
         "support staff, leaders who can make change, community members — and plan the meetings."),
    Step(2, "Data", "pages/2_Data.py",
         "Upload your student or public data, check how each column is read, and see its quality."),
    Step(3, "Identify gaps", "pages/3_Identify_Gaps.py",
         "Screen every group and outcome for gaps, look closer, and write your success gap statement."),
    Step(4, "Rubric", "pages/4_Rubric.py",
         "Rate the Indicators of Success rubric: each member alone first, then the team's consensus with evidence."),
    Step(5, "Root causes", "pages/5_Root_Causes.py",
         "Turn low-rated indicators into areas of need, vote, and choose at most five actionable root causes."),
    Step(6, "Action plan", "pages/6_Action_Plan.py",
         "Write measurable goals and the action steps, owners, dates, resources and evidence to reach them."),
    Step(7, "Monitoring", "pages/7_Monitoring.py",
         "Review the plan with new data a few times a year, track progress against the target, revise."),
)


@dataclass(frozen=True)
class StepStatus:
    step: Step
    status: Status
    detail: str  # what is there, in a few words
    next_action: str  # the next thing to do in this step ("" when done)


def _status(started: bool, done: bool) -> Status:
    return "done" if done else "in progress" if started else "not started"


def step_statuses(project: Project) -> list[StepStatus]:
    p = project
    agreed = [m for m in p.members if m.agreed]
    categories = {m.category for m in agreed}
    team_done = bool(agreed) and {"family", "leader"} <= categories and bool(p.meetings)
    confirmed = [d for d in p.datasets if d.confirmed and d.files]
    rated = {c.indicator_id for c in p.consensus if c.level}
    steps_with_owner = [s for s in p.steps if s.owner_id and s.due]
    held_reviews = [r for r in p.reviews if r.held]

    rows = [
        (bool(p.members), team_done,
         f"{plural(len(p.members), 'member')} ({len(agreed)} agreed), {plural(len(p.meetings), 'meeting')} planned",
         "Add team members: include families of the affected group and a leader with authority." if not team_done
         and not ({"family", "leader"} <= categories) else "Plan the meetings." if not p.meetings else ""),
        (bool(p.datasets), bool(confirmed),
         f"{plural(len(p.datasets), 'data set')}, {len(confirmed)} with a confirmed mapping",
         "Upload a data file." if not p.datasets else "Check and confirm the column mapping." if not confirmed else ""),
        (bool(p.statements), p.focus_statement() is not None,
         plural(len(p.statements), "gap statement") + (", focus chosen" if p.focus_statement() else ""),
         "Screen the data for gaps and write a success gap statement." if not p.statements
         else "Mark one statement as the team's focus." if not p.focus_statement() else ""),
        (bool(p.ratings or p.consensus), bool(rated) and _rubric_complete(p, rated),
         f"{plural(len({r.member_id for r in p.ratings}), 'member')} rated, consensus on {plural(len(rated), 'indicator')}",
         "Ask each member to rate the rubric on their own, then reach consensus." if not rated
         else "Reach consensus on the remaining indicators." if not _rubric_complete(p, rated) else ""),
        (bool(p.votes or p.priorities), any(pr.root_cause and pr.actionable for pr in p.priorities),
         f"{plural(len(p.priorities), 'priority', 'priorities')}, "
         f"{plural(sum(bool(pr.root_cause) for pr in p.priorities), 'root cause statement')}",
         "Vote on the areas of need and choose at most five priorities." if not p.priorities
         else "Write an actionable root cause for each priority."
         if not any(pr.root_cause and pr.actionable for pr in p.priorities) else ""),
        (bool(p.goals or p.steps), bool(p.goals) and bool(steps_with_owner),
         f"{plural(len(p.goals), 'goal')}, {plural(len(p.steps), 'action step')}",
         "Write a measurable goal for each root cause." if not p.goals
         else "Add action steps with an owner and a due date." if not steps_with_owner else ""),
        (bool(p.reviews), len(held_reviews) >= 2,
         f"{plural(len(held_reviews), 'review')} held",
         "Schedule the reviews of the plan." if not p.reviews else "Hold the next review with new data."),
    ]
    return [
        StepStatus(step, _status(started or done, done), detail, "" if done and step.number != 7 else action)
        for step, (started, done, detail, action) in zip(STEPS, rows)
    ]


def _rubric_complete(project: Project, rated: set[str]) -> bool:
    """Consensus on every indicator of the project's rubric."""
    ids = set(indicator_ids(project))
    return bool(ids) and ids <= rated


def next_step(project: Project) -> StepStatus:
    """The first step that is not done: where the team should work next."""
    statuses = step_statuses(project)
    return next((s for s in statuses if s.status != "done"), statuses[-1])
