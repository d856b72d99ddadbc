"""“My homework”: what one team member has to do between meetings — the rubric areas to rate on their own,
their votes on the areas of need, the action steps they own that are still open, and the meeting homework
given to them or to everyone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models import Project
from . import action_plan, root_causes
from . import rubric as rubrics
from .meetings import area_titles


@dataclass
class MyHomework:
    member: str  # the member's name
    areas: list[tuple[str, int, int]] = field(default_factory=list)  # (area title, rated by me, indicators)
    votes_cast: list[str] = field(default_factory=list)  # indicator titles I voted for
    votes_allowed: int = 0
    needs_to_vote_on: int = 0  # areas of need there are to vote on
    steps: list[tuple[str, dt.date | None, str]] = field(default_factory=list)  # (step, due, state), open ones
    tasks: list[tuple[str, dt.date | None]] = field(default_factory=list)  # meeting homework (text, due)

    @property
    def nothing(self) -> bool:
        left = [a for a in self.areas if a[1] < a[2]]
        return not (left or self.steps or self.tasks or (self.needs_to_vote_on and not self.votes_cast))


def my_homework(project: Project, member_id: str, today: dt.date | None = None) -> MyHomework:
    today = today or dt.date.today()
    member = project.member(member_id)
    mine = MyHomework(member=member.name if member else "")
    titles = area_titles(project)
    for area_id in rubrics.assigned_areas(project):
        rated, total = rubrics.rated_count(project, member_id, [area_id])
        mine.areas.append((titles.get(area_id, area_id), rated, total))
    rubric = rubrics.load_rubric(project)
    mine.votes_cast = [root_causes.indicator_title(rubric, i) for i in root_causes.votes_of(project, member_id)]
    mine.votes_allowed = project.votes_per_member
    mine.needs_to_vote_on = len(root_causes.areas_of_need(project, rubric))
    for step in action_plan.ordered_steps(project):
        if step.owner_id == member_id and step.status in action_plan.OPEN_STATUSES:
            mine.steps.append((step.text, step.due, action_plan.step_state(step, today)))
    for meeting in sorted(project.meetings, key=lambda m: m.number):
        for task in meeting.homework:
            if not task.done and task.who in ("everyone", member_id):
                mine.tasks.append((task.text, task.due))
    return mine
