"""The one review schedule of a project, shared by step 1 (the meeting plan) and step 7 (monitoring).

The meeting plan's review meetings (kind "monitoring") *are* full-team reviews of the plan: each
has exactly one `Review` linked by `meeting_id`, on the meeting's date. Moving either moves both;
removing the meeting removes its review unless it was held. Reviews start after the plan is made
(the action-plan meeting, else the first action step's start), at least quarterly, as the toolkit asks.
"""

from __future__ import annotations

import datetime as dt

from ..models import Meeting, Project, Review


def review_meetings(project: Project) -> list[Meeting]:
    return [m for m in project.meetings if m.kind == "monitoring" or "monitoring" in m.activities]


def plan_made(project: Project) -> dt.date | None:
    """When the action plan is made: the action-plan meeting, else the first action step's start."""
    planning = [m.date for m in project.meetings if m.date and "action_plan" in (m.activities or [m.kind])]
    if planning:
        return max(planning)
    starts = [s.start for s in project.steps if s.start]
    return min(starts, default=None)


def sync(project: Project) -> None:
    """Give each review meeting of the meeting plan its one full-team review, on the same date."""
    meetings = {m.id: m for m in review_meetings(project) if m.date}
    linked = {r.meeting_id: r for r in project.reviews if r.meeting_id}
    project.reviews = [r for r in project.reviews if r.held or not r.meeting_id or r.meeting_id in meetings]
    for m in meetings.values():
        review = linked.get(m.id)
        if review is None:
            project.reviews.append(Review(date=m.date, kind="full_team", meeting_id=m.id))
        elif not review.held:
            review.date = m.date
    project.reviews.sort(key=lambda r: r.date)


def move_review(project: Project, review_id: str, day: dt.date | None) -> Review:
    """Change a review's date; a review that is a meeting of the plan moves that meeting too."""
    from ..errors import UserError  # noqa: PLC0415

    review = next((r for r in project.reviews if r.id == review_id), None)
    if review is None:
        raise UserError("That review is no longer in the schedule; the page now shows the current schedule.")
    if day is None:
        raise UserError("Choose the review's new date.")
    if review.held:
        raise UserError("A review already held keeps the date it was held on.")
    review.date = day
    for m in project.meetings:
        if review.meeting_id and m.id == review.meeting_id:
            m.date = day
    project.reviews.sort(key=lambda r: r.date)
    return review


def upcoming(project: Project, today: dt.date | None = None) -> list[Review]:
    """The reviews not yet held, from today, the meeting plan's included (even before `sync` ran)."""
    today = today or dt.date.today()
    reviews = list(project.reviews)
    linked = {r.meeting_id for r in reviews}
    reviews += [Review(date=m.date, kind="full_team", meeting_id=m.id)
                for m in review_meetings(project) if m.date and m.id not in linked]
    return sorted((r for r in reviews if not r.held and r.date >= today), key=lambda r: r.date)
