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
    next_action: str  # the next thing to do in this step ("" when done); in progress, what is missing
    missing: tuple[str, ...] = ()  # what the toolkit's bar for this step still asks for


def _status(started: bool, done: bool) -> Status:
    return "done" if done else "in progress" if started else "not started"


def _team_missing(p: Project) -> list[str]:
    """Step 1's bar: a leader with authority and a family member of the affected group agreed, every
    other stakeholder category at the table, and a meeting plan."""
    from .team import CATEGORIES, coverage

    out = []
    absent = [c for c in coverage(p) if not c.agreed]
    for c in absent:
        if c.category == "leader":
            out.append("a leader with authority to make change who has agreed to join")
        elif c.category == "family":
            out.append("a family member or student of the group experiencing the gap who has agreed to join")
    others = [CATEGORIES[c.category][0].split(" (")[0].lower() for c in absent if not c.essential]
    if others:
        out.append(f"{plural(len(others), 'stakeholder category', 'stakeholder categories')} of "
                   f"{len(coverage(p))} not at the table ({', '.join(others)})")
    if not any(m.date for m in p.meetings if m.kind != "monitoring"):
        out.append("a meeting plan with dates")
    return out


def _missing_text(missing: list[str]) -> str:
    return ("Still missing: " + "; ".join(missing) + ".") if missing else ""


def step_statuses(project: Project) -> list[StepStatus]:
    """Each step's status by the toolkit's own bar; a step in progress says what is missing."""
    p = project
    agreed = [m for m in p.members if m.agreed]
    confirmed = [d for d in p.datasets if d.confirmed and d.files]
    ids = indicator_ids(p)
    rated = {c.indicator_id for c in p.consensus if c.level}
    focus = p.focus_statement()
    held_reviews = [r for r in p.reviews if r.held]
    priorities = p.priorities

    team = _team_missing(p)
    data = [] if confirmed else ["a data file" if not p.datasets else "a confirmed column mapping"]
    gaps = ([] if focus else ["a success gap statement" if not p.statements else "the team's focus statement"])
    rubric = []
    if not ids or not ids_ok(ids, rated):
        left = [i for i in ids if i not in rated]
        rubric.append(f"consensus on {plural(len(left), 'indicator')} ({len(rated & set(ids))} of {len(ids)} done)")
    causes = []
    if not priorities:
        causes.append("priorities chosen from the areas of need (at most five)")
    else:
        if len(priorities) > 5:
            causes.append(f"at most five priorities ({len(priorities)} now)")
        weak = [pr for pr in priorities if not (pr.root_cause and pr.actionable)]
        if weak:
            causes.append(f"an actionable root cause statement for {plural(len(weak), 'priority', 'priorities')}")
    plan = []
    if not p.goals:
        plan.append("a measurable goal for each priority")
    else:
        without_goal = [pr for pr in priorities if not any(g.priority_id == pr.id for g in p.goals)]
        if without_goal:
            plan.append(f"a goal for {plural(len(without_goal), 'priority', 'priorities')}")
        unmeasured = [g for g in p.goals if g.baseline is None or g.target is None or g.target_date is None]
        if unmeasured:
            plan.append(f"a baseline, target and date for {plural(len(unmeasured), 'goal')}")
        stepless = [g for g in p.goals if not any(s.goal_id == g.id and s.owner_id and s.due for s in p.steps)]
        if stepless:
            plan.append(f"an action step with an owner and a due date for {plural(len(stepless), 'goal')}")
    reviews = []
    if not p.reviews and not any(m.kind == "monitoring" for m in p.meetings):
        reviews.append("a schedule of reviews")
    if len(held_reviews) < 2:
        reviews.append(f"{2 - len(held_reviews)} more held review{'s' if len(held_reviews) == 0 else ''} with new data")

    rows = [
        (bool(p.members or p.meetings), team,
         f"{plural(len(p.members), 'member')} ({len(agreed)} agreed), {plural(len(p.meetings), 'meeting')} planned",
         "Add team members: include families of the affected group and a leader with authority; plan the meetings."),
        (bool(p.datasets), data,
         f"{plural(len(p.datasets), 'data set')}, {len(confirmed)} with a confirmed mapping", "Upload a data file."),
        (bool(p.statements), gaps,
         plural(len(p.statements), "gap statement") + (", focus chosen" if focus else ""),
         "Screen the data for gaps and write a success gap statement."),
        (bool(p.ratings or p.consensus), rubric,
         f"{plural(len({r.member_id for r in p.ratings}), 'member')} rated, consensus on {plural(len(rated), 'indicator')}",
         "Ask each member to rate the rubric on their own, then reach consensus."),
        (bool(p.votes or p.priorities), causes,
         f"{plural(len(p.priorities), 'priority', 'priorities')}, "
         f"{plural(sum(bool(pr.root_cause) for pr in p.priorities), 'root cause statement')}",
         "Vote on the areas of need and choose at most five priorities."),
        (bool(p.goals or p.steps), plan, f"{plural(len(p.goals), 'goal')}, {plural(len(p.steps), 'action step')}",
         "Write a measurable goal for each priority."),
        (bool(p.reviews), reviews, f"{plural(len(held_reviews), 'review')} held",
         "Schedule the reviews of the plan."),
    ]
    out = []
    for step, (started, missing, detail, first_action) in zip(STEPS, rows):
        status = _status(started, not missing)
        if status == "not started":
            action = first_action
        elif status == "in progress":
            action = _missing_text(missing)
        else:
            action = "Hold the next review with new data." if step.number == 7 else ""
        out.append(StepStatus(step, status, detail, action, tuple(missing)))
    return out


def ids_ok(ids, rated) -> bool:
    return bool(ids) and set(ids) <= rated


def _rubric_complete(project: Project, rated: set[str]) -> bool:
    """Consensus on every indicator of the project's rubric."""
    ids = set(indicator_ids(project))
    return bool(ids) and ids <= rated


def next_step(project: Project) -> StepStatus:
    """The first step that is not done: where the team should work next."""
    statuses = step_statuses(project)
    return next((s for s in statuses if s.status != "done"), statuses[-1])
