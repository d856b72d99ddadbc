"""Step 7: reviews of the plan, progress against baseline and target, plan revisions, alerts.

- Review schedule: one schedule with the meeting plan's (`schedule`): its review meetings are
  full-team reviews; more follow every 3 months (the toolkit: at least quarterly) after the plan is
  made (the action-plan meeting, else the first step's start, else today) to its last due or target
  date (at least a year), and implementers check in monthly for the first 6 months.
- Alerts: overdue steps (due date passed, not done or dropped); steps marked "behind" at two held
  reviews running; goals off track — the latest measured value's 95% interval lies wholly on the
  worse side of the straight line from the baseline (at the end of the baseline school year) to the
  target (on its date). A measure without an interval (an average from aggregate data) is never
  called real or off track. Gap targets are signed ("8.0 points lower").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from ..data import views
from ..engine import means, ranking, stats
from ..engine.screen import screen
from ..engine.statements import is_ranged, year_phrase
from ..errors import UserError
from ..models import ActionStep, Goal, Project, Review, Revision, StepReview
from . import action_plan, schedule
from .action_plan import OPEN_STATUSES, STATUS_LABELS, ordered_steps  # noqa: F401 - re-exported for pages

# ------------------------------------------------------------------ schedule

def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def plan_window(project: Project, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From when the plan is made (the action-plan meeting, else the first step's start, else today)
    to the last due/target date — at least one year."""
    today = today or dt.date.today()
    ends = [s.due for s in project.steps if s.due] + [g.target_date for g in project.goals if g.target_date]
    first = schedule.plan_made(project) or today
    last = max(ends + [_add_months(first, 12)])
    return first, last


def review_schedule(project: Project, *, full_team_months: int = 3, check_in_months: int = 1,
                    check_in_period_months: int = 6, today: dt.date | None = None) -> list[Review]:
    """Proposed reviews (not yet held) over the plan window; the team edits them after.

    One schedule with the meeting plan's: its review meetings are kept as full-team reviews, and
    further full-team reviews follow every `full_team_months` after the last of them (or after the
    plan is made) up to the end of the plan; implementers check in monthly for the first months
    after the plan is made, except in a month that already has a full-team review."""
    if full_team_months < 1 or check_in_months < 1:
        raise UserError("Reviews need an interval of at least one month.")
    schedule.sync(project)
    first, last = plan_window(project, today)
    kept = [r for r in project.reviews if r.meeting_id and not r.held]
    held_team = [r.date for r in project.reviews if r.held and r.kind == "full_team"]
    start = max([r.date for r in kept] + held_team + [first])
    reviews: list[Review] = [Review(date=r.date, kind="full_team", meeting_id=r.meeting_id, id=r.id) for r in kept]
    n = 1
    while (day := _add_months(start, n * full_team_months)) <= last:
        reviews.append(Review(date=day, kind="full_team"))
        n += 1
    if not reviews or max(r.date for r in reviews) < last:
        reviews.append(Review(date=last, kind="full_team"))
    team_months = {(r.date.year, r.date.month) for r in reviews} | {(d.year, d.month) for d in held_team}
    for n in range(1, check_in_period_months // check_in_months + 1):
        day = _add_months(first, n * check_in_months)
        if day <= last and (day.year, day.month) not in team_months:
            reviews.append(Review(date=day, kind="implementers"))
    return sorted(reviews, key=lambda r: r.date)


def apply_schedule(project: Project, proposed: list[Review]) -> int:
    """Replace the reviews not yet held with the proposed ones; held reviews are never touched, and
    the meeting plan's review meetings stay its reviews."""
    held = [r for r in project.reviews if r.held]
    held_dates = {(r.date, r.kind) for r in held}
    linked = {r.id: r for r in project.reviews if r.meeting_id and not r.held}
    fresh = [linked.get(r.id, r) for r in proposed if (r.date, r.kind) not in held_dates]
    added = sum(r.id not in linked for r in fresh)
    project.reviews = sorted(held + fresh, key=lambda r: r.date)
    schedule.sync(project)
    return added


def next_review(project: Project, today: dt.date | None = None) -> Review | None:
    """The next review not held, from today: one schedule, the meeting plan's review meetings included."""
    return next(iter(schedule.upcoming(project, today)), None)


def held_text(review: Review, today: dt.date | None = None) -> str:
    """Whether a review was held, in the schedule's words: "yes"; "not yet" (today or later); "not recorded" (its
    date has passed and no one recorded it: held and not written down, or missed)."""
    if review.held:
        return "yes"
    return "not yet" if review.date >= (today or dt.date.today()) else "not recorded"


# ------------------------------------------------------------------ recording a review

def record_review(project: Project, review: Review) -> Review:
    """Save a held review: every action step gets the status given at the review."""
    if not review.attendees:
        raise UserError("Mark who attended the review before recording it.")
    known = {s.id for s in project.steps}
    unknown = [s.step_id for s in review.steps if s.step_id not in known]
    if unknown:
        raise UserError("The review names action steps that are no longer in the plan; reload the page and record it again.")
    given = {s.step_id for s in review.steps}
    review.steps += [StepReview(step_id=s.id, status=s.status) for s in project.steps if s.id not in given]
    review.held = True
    by_id = {s.id: s for s in project.steps}
    for status in review.steps:
        by_id[status.step_id].status = status.status
    project.reviews = [r for r in project.reviews if r.id != review.id] + [review]
    project.reviews.sort(key=lambda r: r.date)
    return review


def blank_review(project: Project, day: dt.date, kind: str = "full_team") -> Review:
    """A review form with every action step at its current status."""
    return Review(date=day, kind=kind,
                  steps=[StepReview(step_id=s.id, status=s.status) for s in ordered_steps(project)])


# ------------------------------------------------------------------ revisions

REVISABLE = {
    "goal": ("text", "target", "target_date", "evidence"),
    "step": ("text", "owner_id", "start", "due", "resources", "evidence", "status", "barriers"),
}


def revise(project: Project, kind: str, item_id: str, field: str, value, why: str,
           review_id: str = "", at: dt.datetime | None = None) -> Revision:
    """Change one field of a goal or action step and log what changed, why, when, at which review."""
    if kind not in REVISABLE or field not in REVISABLE[kind]:
        raise UserError(f"Only these parts of a {kind} can be revised here: {', '.join(REVISABLE.get(kind, ()))}.")
    if not (why or "").strip():
        raise UserError("Say why the plan changes: the team will read this history later.")
    items: list[Goal | ActionStep] = project.goals if kind == "goal" else project.steps
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise UserError(f"That {kind} is no longer in the plan; reload the page.")
    before = getattr(item, field)
    setattr(item, field, value)
    name = item.text or f"untitled {kind}"
    revision = Revision(what=f"{kind.capitalize()} “{name}”: {field.replace('_', ' ')} changed from "
                             f"{_show(before)} to {_show(value)}", why=why.strip(), review_id=review_id)
    if at:
        revision.at = at
    project.revisions.append(revision)
    return revision


def _show(value) -> str:
    return "(empty)" if value in (None, "") else f"“{value}”"


def history(project: Project) -> list[dict]:
    """The plan's history, newest first, with the review each change was decided at."""
    reviews = {r.id: r for r in project.reviews}
    rows = []
    for rev in sorted(project.revisions, key=lambda r: r.at, reverse=True):
        review = reviews.get(rev.review_id)
        rows.append({"when": rev.at, "what": rev.what, "why": rev.why,
                     "decided at": f"Review of {review.date:%B %-d, %Y}" if review else ""})
    return rows


# ------------------------------------------------------------------ progress

def year_end(year: str) -> dt.date | None:
    """The date a school year's data describe: '2024-25', '2025' or EDFacts '2425' -> June 30, 2025."""
    numbers = re.findall(r"\d{2,4}", year or "")
    if not numbers:
        return None
    if len(numbers) == 1 and len(numbers[0]) == 4 and not 1900 <= int(numbers[0]) <= 2100:
        numbers = [numbers[0][:2], numbers[0][2:]]  # EDFacts suffix: 1415 = 2014-15
    last = numbers[-1]
    if len(last) == 2:
        first = numbers[0]
        last = (first[:2] if len(first) == 4 else "20") + last
    try:
        return dt.date(int(last), 6, 30)
    except ValueError:
        return None


def expected_on_line(baseline: float, baseline_date: dt.date, target: float, target_date: dt.date,
                     day: dt.date) -> float:
    """The value on the straight line from baseline to target at `day`."""
    span = (target_date - baseline_date).days
    if span <= 0:
        return target
    share = min(max((day - baseline_date).days / span, 0.0), 1.0)
    return baseline + (target - baseline) * share


def off_track(goal: Goal, latest_value: float, latest_year: str, low: float | None = None,
              high: float | None = None) -> bool:
    """Worse than the straight line from baseline to target at the latest data point — beyond the
    noise: when the latest value has a 95% interval (low, high), the whole interval must lie on the
    worse side of the line, so a shortfall within the noise raises no alert."""
    if goal.baseline is None or goal.target is None or goal.target_date is None:
        return False
    start, day = year_end(goal.baseline_year), year_end(latest_year)
    if start is None or day is None or day <= start:
        return False
    expected = expected_on_line(goal.baseline, start, goal.target, goal.target_date, day)
    improving_up = goal.target >= goal.baseline
    if low is not None and high is not None:
        return high < expected if improving_up else low > expected
    return latest_value < expected if improving_up else latest_value > expected


@dataclass(frozen=True)
class Alert:
    kind: str  # overdue | behind_twice | off_track
    sentence: str


def step_alerts(project: Project, today: dt.date | None = None) -> list[Alert]:
    today = today or dt.date.today()
    alerts = []
    for step in ordered_steps(project):
        if step.due and step.due < today and step.status in OPEN_STATUSES:
            owner = project.member(step.owner_id)
            alerts.append(Alert("overdue", f"“{step.text}” was due {step.due:%B %-d, %Y}"
                                           f"{f' ({owner.name})' if owner else ''} and is not done."))
    held = sorted((r for r in project.reviews if r.held), key=lambda r: r.date)
    if len(held) >= 2:
        last_two = [{s.step_id: s.status for s in r.steps} for r in held[-2:]]
        for step in ordered_steps(project):
            if all(r.get(step.id) == "behind" for r in last_two):
                alerts.append(Alert("behind_twice", f"“{step.text}” was behind at the last two reviews: "
                                                    "talk about what is in the way."))
    return alerts


# ------------------------------------------------------------------ goal progress

@dataclass(frozen=True)
class GoalPoint:
    year: str
    value: float  # in the goal's stored unit (rate 0-1, mean in its units, difference in points)
    low: float | None  # 95% interval of the value, same unit (None when the engine gives none)
    high: float | None
    n: float | None
    comparison: str = ""  # whom the engine compared the group with (difference goals)


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    points: list[GoalPoint]
    sentence: str
    off_track: bool
    within_noise: bool


def goal_points(con, project: Project, goal: Goal, ranged: list | None = None) -> list[GoalPoint]:
    """The goal's metric in every year of its data set, recomputed by the gap engine (one screen).

    Rates carry their Wilson 95% interval, gaps the interval of the difference (Newcombe; Welch for
    averages), averages their t interval (`stats.mean_interval`, so a change between two years is
    judged as Welch's t would); suppressed years are left out (they are never shown anywhere), and so
    are years whose rate the file gives as a range (a rate or gap goal has no one figure there; their
    years are added to `ranged`).
    """
    statement = next((s for s in project.statements if s.id == goal.statement_id), None)
    dataset = project.dataset(statement.dataset_id) if statement else None
    if statement is None or dataset is None or not dataset.files or goal.measure not in ("rate", "mean", "difference"):
        return []
    school = statement.level == "school"
    prepared = views.prepare(con, project, dataset)
    table = screen(con, prepared, project.gap_settings, by_school=school)
    spread = (means.group_means(con, prepared, statement.dimension, statement.group, statement.outcome,
                                statement.school if school else None) if goal.measure == "mean" else {})
    rows = ranking.select(table, level=statement.level, school=statement.school if school else None,
                       dimension=statement.dimension, group=statement.group, outcome=statement.outcome)
    rows = rows[~rows["suppressed"].astype(bool)]
    points = []
    for row in rows.sort_values("year").itertuples(index=False):
        value = getattr(row, goal.measure)
        if pd.isna(value):
            continue
        if goal.measure != "mean" and is_ranged(row._asdict()):
            if ranged is not None:
                ranged.append(str(row.year or ""))
            continue
        low = high = None
        if goal.measure == "difference" and pd.notna(row.ci_low) and pd.notna(row.ci_high):
            low, high = float(row.ci_low), float(row.ci_high)
        elif goal.measure == "rate" and pd.notna(row.events) and pd.notna(row.n) and row.n:
            low, high = (float(x) for x in stats.wilson(row.events, row.n))
        elif goal.measure == "mean" and str(row.year or "") in spread:
            _, var, n = spread[str(row.year or "")]
            low, high = (float(x) for x in stats.mean_interval(float(value), var, n))
        points.append(GoalPoint(str(row.year or ""), float(value), low, high, None if pd.isna(row.n) else float(row.n),
                                str(row.comparison or "")))
    return points


def figure_rows(goal: Goal, points: list[GoalPoint]) -> list[list[str]]:
    """The chart's figures for people, a row a year: the school year (2022–23), the value, its 95% interval and n,
    written as the sentence writes them (`action_plan.written`: 21.2%, +3.4 points; an interval's unit once,
    "−23.4 to −6.9 points"); "" where the data give none."""
    def interval(pt):
        return "" if pt.low is None or pt.high is None else \
            f"{action_plan.written(pt.low, goal.measure, unit=False)} to {action_plan.written(pt.high, goal.measure)}"
    return [[year_phrase(pt.year), action_plan.written(pt.value, goal.measure), interval(pt),
             f"{pt.n:,.0f}" if pt.n else ""] for pt in points]


REVIEW_KINDS = {"full_team": "Full team", "implementers": "Implementers check-in"}  # a review's kind, for people


def review_table(project: Project) -> pd.DataFrame:
    """The review schedule as a table for people: date, kind, held or not, attendees."""
    return pd.DataFrame([{"Date": r.date, "Review": REVIEW_KINDS[r.kind],
                          "Held": held_text(r), "Attendees": len(r.attendees)} for r in project.reviews])


def _no_figures(project: Project, goal: Goal, statement, ranged: bool = False) -> str:
    """Why a goal has no figure to follow, and what the team can do (step 6 links a goal to a gap statement)."""
    if statement is None:
        return "This goal measures no gap statement yet: choose the gap it closes in step 6 to follow it here."
    if goal.measure not in ("rate", "mean", "difference"):
        return "This goal's measure is not one the data give (a rate, an average or a gap): choose it in step 6."
    dataset = project.dataset(statement.dataset_id)
    if dataset is None or not dataset.files:
        return ("Its gap statement names no data set of this project (written by hand, or its data set was removed), "
                "so there is no figure to follow: write the statement again from step 3.")
    if ranged:
        return (f"“{dataset.name}” gives {statement.group} · {statement.outcome} as a range of rates (as EDFacts and "
                "many state files publish them, to protect students), so this goal has no one figure to follow: follow "
                "it with exact figures (the state's own files or a student-level file), or read the range on Identify "
                "gaps each year.")
    return (f"No year of “{dataset.name}” shows {statement.group} · {statement.outcome}: the group is too small in "
            "every year or hidden to protect privacy.")


def _unit(goal: Goal, value: float) -> str:
    shown = action_plan.shown(value, goal.measure)
    if goal.measure == "difference":  # signed in words: a target of +8 is not a target of -8
        if round(shown, 1) == 0:
            return "no gap (0.0 points)"
        return f"{abs(shown):.1f} points {'lower' if shown < 0 else 'higher'}"
    return f"{shown:.1f}%" if goal.measure == "rate" else f"{shown:,.1f}"


def within_noise(first: GoalPoint, last: GoalPoint) -> bool:
    """The change is smaller than 1.96 standard errors of the change (each from its 95% interval)."""
    if None in (first.low, first.high, last.low, last.high):
        return False
    se = (((first.high - first.low) / 3.92) ** 2 + ((last.high - last.low) / 3.92) ** 2) ** 0.5
    return abs(last.value - first.value) < 1.96 * se


def goal_progress(con, project: Project, goal: Goal) -> GoalProgress:
    """Baseline, each later value, target, and a plain sentence about the change.

    Within noise: see `within_noise` (first value against the latest).
    Off track: see `off_track` (worse than the straight line from baseline to target).
    """
    ranged: list[str] = []
    points = goal_points(con, project, goal, ranged)
    statement = next((s for s in project.statements if s.id == goal.statement_id), None)
    if not points or statement is None:
        return GoalProgress(goal, points, _no_figures(project, goal, statement, bool(ranged)), False, False)
    baseline_year = goal.baseline_year or points[0].year
    first = next((p for p in points if p.year == baseline_year), points[0])
    last = points[-1]
    target = ""
    if goal.target is not None:
        target = f"; the target is {_unit(goal, goal.target)}"
        if goal.target_date:
            target += f" by {goal.target_date:%B %Y}"
    if last is first:
        return GoalProgress(goal, points, f"In {year_phrase(last.year)}, the baseline: {_unit(goal, last.value)}"
                                          f"{target}. Add next year's data in step 2 to see the change.", False, False)
    noise = within_noise(first, last)
    if goal.measure == "difference":
        closer = abs(last.value) < abs(first.value)
        verb = "narrowed" if closer else "widened" if abs(last.value) > abs(first.value) else "stayed"
        subject = f"The gap in {statement.outcome} between {statement.group} and {last.comparison or statement.comparison or 'the comparison'}"
    else:
        verb = "rose" if last.value > first.value else "fell" if last.value < first.value else "stayed"
        kind = "rate" if goal.measure == "rate" else "average"
        subject = f"The {statement.outcome} {kind} of {statement.group}"
    sentence = (f"{subject} {verb} from {_unit(goal, first.value)} in {year_phrase(first.year)} to "
                f"{_unit(goal, last.value)} in {year_phrase(last.year)}{target}.")
    sentence = _baseline_changed(goal, statement, first) + sentence
    measured = last.low is not None and last.high is not None and first.low is not None
    if noise:
        sentence += (" The change is within the noise of the data (smaller than its 95% margin), "
                     "so it may not be a real change.")
    elif not measured:
        sentence += (" The data give no 95% interval for this measure, so whether the change is real "
                     "cannot be told from these figures.")
    behind = measured and off_track(goal, last.value, last.year, last.low, last.high)
    if behind:
        sentence += " This is behind the straight line from the baseline to the target, beyond the noise of the data."
    return GoalProgress(goal, points, sentence, behind, noise)


def _baseline_changed(goal: Goal, statement, first: GoalPoint) -> str:
    """A goal keeps the comparison it was set with, or says that the baseline changed and why."""
    was = statement.comparison or str((statement.figures or {}).get("comparison") or "")
    now = first.comparison
    if goal.measure != "difference" or not was or not now or was == now:
        return ""
    recomputed = _unit(goal, first.value)
    old = f" ({_unit(goal, goal.baseline)})" if goal.baseline is not None else ""
    return (f"The baseline changed: the goal was set comparing {statement.group} with {was}{old}; the comparison "
            f"was changed in step 3 to {now}, so the {year_phrase(first.year)} baseline is now {recomputed}. ")


def goal_alerts(progress: list[GoalProgress]) -> list[Alert]:
    """Goals off track against the straight line from baseline to target."""
    return [Alert("off_track", f"Goal “{p.goal.text or p.goal.metric}” is off track: {p.sentence}")
            for p in progress if p.off_track]


def alerts(con, project: Project, today: dt.date | None = None) -> list[Alert]:
    """Everything that needs the team's attention: step alerts, then goals off track."""
    return step_alerts(project, today) + goal_alerts([goal_progress(con, project, g) for g in project.goals])
