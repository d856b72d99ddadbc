"""Step 6 · the action plan: measurable goals, action steps with owners and dates, the plan's checks,
the steps table behind the timeline, and the plan's tables for export.

Everything here works on a `Project` in memory; the page saves it afterwards. Bad input raises
`UserError` with one sentence and leaves the project unchanged. `find`/`edit` change one field of
any item of the plan (a priority of step 5, a goal, an action step).

- Goals measured by gap data keep the engine's units: a rate as a proportion 0-1 (screens show
  it x 100 as a percent: `shown`/`stored`), an average in the outcome's units, a gap in percentage
  points (rate - comparison rate) x 100, as the gap engine (`engine.screen`) gives them. Another
  measure: as typed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..engine.statements import is_ranged, year_phrase
from ..errors import UserError
from ..models import (
    ActionStep,
    GapStatement,
    Goal,
    Project,
)
from . import rubric as rubrics
from .root_causes import indicator_title, tally

MEASURES = {"rate": "The group's rate (%)", "mean": "The group's average", "difference": "The gap (points)",
            "other": "Another measure"}

OPEN_STATUSES = {"not_started", "on_track", "behind"}
STATUS_LABELS = {
    "not_started": "Not started",
    "on_track": "On track",
    "behind": "Behind",
    "done": "Done",
    "dropped": "Dropped",
}


def ordered_steps(project: Project) -> list[ActionStep]:
    goal_order = {g.id: i for i, g in enumerate(project.goals)}
    return sorted(project.steps, key=lambda s: (goal_order.get(s.goal_id, len(goal_order)), s.order))


# ------------------------------------------------------------------ goals

def metric_label(statement: GapStatement, measure: str) -> str:
    """'Four-year graduation rate of Students with disabilities' / '... gap between ... and all others'."""
    where = f" at {statement.school}" if statement.level == "school" and statement.school else ""
    if measure == "difference":
        return (f"Gap in {statement.outcome} between {statement.group} and {statement.comparison or 'the comparison'}"
                f"{where} (percentage points)")
    if measure == "mean":
        return f"Average {statement.outcome} of {statement.group}{where}"
    return f"{statement.outcome} rate of {statement.group}{where} (%)"


def goal_value(figures: dict | None, measure: str) -> float | None:
    """A goal's number from a statement's figures or `statement_metric`: its rate, mean or difference."""
    value = (figures or {}).get(measure)
    if measure not in ("rate", "mean", "difference") or value is None or isinstance(value, str) or value != value:
        return None  # another measure, missing, text or NaN
    if measure != "mean" and is_ranged(figures):
        return None  # a range's middle is no baseline (EDFacts' 59-77%): the team types one from exact figures
    return float(value)


def shown(value: float | None, measure: str) -> float | None:
    """A goal number as people read it: a rate x 100 (percent); other measures as they are."""
    return None if value is None else round(value * 100, 1) if measure == "rate" else value


def written(value: float | None, measure: str, unit: bool = True) -> str:
    """A goal's number as a table writes it, in its unit (`shown`) with a true minus sign: "21.2%", "+3.4 points",
    "−14.5 points", "1,671.0"; blank as "". `unit=False`: a gap without its " points" (the first end of a range)."""
    if value is None or value != value:
        return ""
    value = shown(value, measure)
    return {"rate": f"{value:.1f}%", "difference": f"{value:+.1f}" + (" points" if unit else ""),
            "mean": f"{value:,.1f}"}.get(measure, f"{value:g}").replace("-", "\u2212")


def stored(value: float | None, measure: str) -> float | None:
    """The inverse of `shown`: what people typed, in the goal's stored unit."""
    return None if value is None else round(value / 100, 6) if measure == "rate" else value


def link_statement(project: Project, goal: Goal, statement_id: str, measure: str = "rate") -> None:
    """Measure a goal by a gap statement: metric, baseline value and baseline year from its figures."""
    if measure not in MEASURES:
        raise UserError("Choose what the goal measures: the group's rate, the gap, or another measure.")
    goal.measure = measure
    statement = next((s for s in project.statements if s.id == statement_id), None)
    goal.statement_id = statement.id if statement else ""
    if statement is None or measure == "other":
        return
    if measure == "rate" and statement.figures.get("rate") is None and statement.figures.get("mean") is not None:
        goal.measure = measure = "mean"  # a numeric outcome (scale score, days absent) has an average
    goal.metric = metric_label(statement, measure)
    goal.baseline = goal_value(statement.figures, measure)
    goal.baseline_year = statement.year or str(statement.figures.get("year") or "")


def add_goal(project: Project, priority_id: str = "", text: str = "", statement_id: str = "",
             measure: str = "rate") -> Goal:
    """A new goal for a priority, measured (when given) by a gap statement's metric with its baseline."""
    if priority_id and not any(p.id == priority_id for p in project.priorities):
        raise UserError("That priority is no longer in the list; reload the page.")
    if not statement_id and (focus := project.focus_statement()):
        statement_id = focus.id
    goal = Goal(priority_id=priority_id, text=(text or "").strip())
    link_statement(project, goal, statement_id, measure if statement_id else "other")
    project.goals.append(goal)
    return goal


# Words that say who a goal is for, when no gap statement names the group.
_WHO = ("student", "learner", "youth", "child", "pupil", "girls", "boys", "graders", "seniors", "freshmen")


def goal_checks(project: Project, goal: Goal, today: dt.date | None = None) -> list[str]:
    """The toolkit's test for a goal — specific, measurable, actionable, reasonable, time-bound.

    Returns what is missing, one sentence each (empty when the goal passes).
    """
    today = today or dt.date.today()
    problems = []
    text = goal.text.strip()
    statement = next((s for s in project.statements if s.id == goal.statement_id), None)
    if not text:
        problems.append("Specific: write the goal — who will improve, on what, and where.")
    elif statement and statement.group and statement.group.lower() not in text.lower():
        problems.append(f"Specific: name the students the goal is for (“{statement.group}”).")
    elif not statement and not any(w in text.lower() for w in _WHO + tuple(s.group.lower() for s in project.statements
                                                                           if s.group)):
        problems.append("Specific: say which students the goal is for (for example “students with disabilities”).")
    if not goal.metric.strip():
        problems.append("Measurable: say what will be measured (pick a gap statement or name the measure).")
    if goal.baseline is None or not goal.baseline_year.strip():
        problems.append("Measurable: give the baseline — the value now and the school year it is from.")
    if goal.target is None:
        problems.append("Measurable: set the target value.")
    if not goal.evidence.strip():
        problems.append("Measurable: say what evidence will show progress and where it comes from.")
    priority = next((p for p in project.priorities if p.id == goal.priority_id), None)
    if priority is None:
        problems.append("Actionable: link the goal to one of the team's priorities.")
    elif not (priority.root_cause.strip() and priority.actionable):
        problems.append(f"Actionable: write the root cause of “{priority.title}” and confirm the school "
                        "can act on it.")
    if goal.target is not None and goal.baseline is not None:
        if goal.target == goal.baseline:
            problems.append("Reasonable: the target equals the baseline — set a target that shows improvement.")
        elif goal.measure == "difference" and goal.target * goal.baseline < 0:
            problems.append(f"Reasonable: the target ({_signed(goal.target)}) is on the other side of the comparison "
                            f"from the baseline ({_signed(goal.baseline)}); a gap target keeps the baseline's sign "
                            f"— did you mean {goal.target * -1:+.1f}?".replace("-", "−"))
        elif goal.measure == "difference" and abs(goal.target) > abs(goal.baseline):
            problems.append("Reasonable: a gap target should be smaller than the baseline gap.")
    if goal.target is not None and goal.measure == "rate" and not 0 <= goal.target <= 1:
        problems.append("Reasonable: a rate target must be between 0 and 100 percent.")
    if goal.target_date is None:
        problems.append("Time-bound: set the date by which the target should be reached.")
    elif goal.target_date <= today:
        problems.append("Time-bound: the target date has passed — set a date in the future or review the goal.")
    return problems


def _signed(points: float) -> str:
    return f"{abs(points):.1f} points {'lower' if points < 0 else 'higher'}"


def goal_summary(goal: Goal) -> str:
    """'Four-year graduation rate of … (%): 62 in 2023–24 → target 75 by June 30, 2027.' What is not set yet is said
    so ("no target set yet"), never a question mark on the team's screen."""
    baseline = ("baseline not measured yet" if goal.baseline is None else f"{shown(goal.baseline, goal.measure):g}"
                + (f" in {year_phrase(goal.baseline_year)}" if goal.baseline_year else ""))
    if goal.target is None:
        return f"{goal.metric or 'Measure not chosen'}: {baseline}; no target set yet."
    by = f" by {goal.target_date:%B %-d, %Y}" if goal.target_date else ""
    return f"{goal.metric or 'Measure not chosen'}: {baseline} → target {shown(goal.target, goal.measure):g}{by}."


def remove_goal(project: Project, goal_id: str) -> None:
    """Remove a goal and its action steps."""
    project.goals = [g for g in project.goals if g.id != goal_id]
    project.steps = [s for s in project.steps if s.goal_id != goal_id]


# ------------------------------------------------------------------ editing

_KINDS = {"priority": "priorities", "goal": "goals", "step": "steps"}


def find(project: Project, kind: str, item_id: str):
    item = next((i for i in getattr(project, _KINDS[kind]) if i.id == item_id), None)
    if item is None:
        raise UserError(f"That {kind} is no longer in the plan (perhaps removed in another tab); reload the page.")
    return item


def edit(project: Project, kind: str, item_id: str, field: str, value) -> None:
    """Set one field of a priority, goal or action step (text is trimmed)."""
    item = find(project, kind, item_id)
    if field not in type(item).model_fields or field in {"id", "order"}:
        raise UserError(f"A {kind} has no field “{field}”.")
    try:
        setattr(item, field, value.strip() if isinstance(value, str) else value)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise UserError(f"That is not a valid value for the {field.replace('_', ' ')}: {value!r}.") from exc


# ------------------------------------------------------------------ action steps

def steps_of(project: Project, goal_id: str) -> list[ActionStep]:
    return sorted((s for s in project.steps if s.goal_id == goal_id), key=lambda s: s.order)


def add_step(project: Project, goal_id: str, text: str, owner_id: str = "", start: dt.date | None = None,
             due: dt.date | None = None, **fields) -> ActionStep:
    """Append an action step to a goal (placed after its other steps)."""
    find(project, "goal", goal_id)
    if not (text or "").strip():
        raise UserError("Say what will be done in this step.")
    if start and due and due < start:
        raise UserError("The due date is before the start date: swap them or correct one.")
    order = max((s.order for s in steps_of(project, goal_id)), default=-1) + 1
    step = ActionStep(goal_id=goal_id, text=text.strip(), owner_id=owner_id, start=start, due=due, order=order,
                      **fields)
    project.steps.append(step)
    return step


def move_step(project: Project, step_id: str, offset: int) -> None:
    """Move a step up (-1) or down (+1) within its goal; at either end nothing happens."""
    step = find(project, "step", step_id)
    siblings = steps_of(project, step.goal_id)
    i = siblings.index(step)
    j = i + offset
    if not 0 <= j < len(siblings):
        return
    siblings[i], siblings[j] = siblings[j], siblings[i]
    for n, s in enumerate(siblings):
        s.order = n


def remove_step(project: Project, step_id: str) -> None:
    project.steps = [s for s in project.steps if s.id != step_id]


# ------------------------------------------------------------------ checks

def _name(text: str, fallback: str) -> str:
    text = text.strip()
    return f"“{text if len(text) <= 60 else text[:57] + '…'}”" if text else fallback


def plan_checks(project: Project) -> list[str]:
    """Gaps in the plan, in plain sentences: goals without a measure or date, steps without an owner or
    due date, owners who are not on the team, goals without steps, dates in the wrong order."""
    problems = []
    goal_names = {g.id: _name(g.text, f"goal {n}") for n, g in enumerate(project.goals, 1)}
    for goal in project.goals:
        name = goal_names[goal.id]
        if not goal.metric.strip() or goal.target is None:
            problems.append(f"Goal {name} has no measure: say what will be measured and the target value.")
        if goal.target_date is None:
            problems.append(f"Goal {name} has no target date.")
        if not goal.priority_id:
            problems.append(f"Goal {name} is not linked to a priority.")
        if not any(s.goal_id == goal.id for s in project.steps):
            problems.append(f"Goal {name} has no action steps yet.")
    members = {m.id for m in project.members}
    for n, step in enumerate(ordered_steps(project), 1):
        name = _name(step.text, f"step {n}")
        where = f" (goal {goal_names[step.goal_id]})" if step.goal_id in goal_names else ""
        if not step.owner_id:
            problems.append(f"Step {name}{where} has no owner.")
        elif step.owner_id not in members:
            problems.append(f"The owner of step {name}{where} is no longer on the team: choose a team member.")
        if step.due is None:
            problems.append(f"Step {name}{where} has no due date.")
        elif step.start and step.due < step.start:
            problems.append(f"Step {name}{where} is due before it starts.")
    return problems


# ------------------------------------------------------------------ timeline and “my steps”

def step_state(step: ActionStep, today: dt.date) -> str:
    """The step's status label, or 'Overdue' when its due date passed and it is still open."""
    if step.due and step.due < today and step.status in OPEN_STATUSES:
        return "Overdue"
    return STATUS_LABELS[step.status]


def steps_table(project: Project, today: dt.date | None = None, owner_id: str | None = None,
                goal_id: str | None = None) -> pd.DataFrame:
    """Every action step (or one owner's, or one goal's), in plan order: goal, step, owner, dates, state."""
    today = today or dt.date.today()
    goal_names = {g.id: f"Goal {n}" + (f" · {g.text}" if g.text else "") for n, g in enumerate(project.goals, 1)}
    rows = []
    for step in ordered_steps(project):
        if (owner_id is not None and step.owner_id != owner_id) or (goal_id is not None and step.goal_id != goal_id):
            continue
        owner = project.member(step.owner_id)
        rows.append({"Goal": goal_names.get(step.goal_id, "(no goal)"), "Step": step.text,
                     "Owner": owner.name if owner else "", "Start": step.start, "Due": step.due,
                     "Status": step_state(step, today), "Resources": step.resources,
                     "Evidence of progress": step.evidence, "Barriers": step.barriers})
    return pd.DataFrame(rows, columns=["Goal", "Step", "Owner", "Start", "Due", "Status", "Resources",
                                       "Evidence of progress", "Barriers"])


# ------------------------------------------------------------------ gap data for goals

def statement_metric(con, project: Project, statement: GapStatement, year: str | None = None) -> dict | None:
    """Recompute a gap statement's figures through the gap engine for `year` (default: the statement's).

    Returns {rate, mean, comparison_rate, difference, n, ci_low, ci_high, year} in the engine's units
    (rates 0-1, difference in percentage points), or None when the data set, the school, the year or
    the group is not in the data, or the figure is suppressed.
    """
    from ..data import views  # noqa: PLC0415 - heavy; only needed when data are recomputed
    from ..engine import ranking  # noqa: PLC0415
    from ..engine.screen import screen  # noqa: PLC0415

    dataset = project.dataset(statement.dataset_id)
    if dataset is None or not dataset.files:
        return None
    year = year or statement.year or None
    school = statement.level == "school"
    table = screen(con, views.prepare(con, project, dataset), project.gap_settings,
                        by_school=school, by_year=bool(year))
    rows = ranking.select(table, level=statement.level, school=statement.school if school else None,
                       year=str(year) if year else None, dimension=statement.dimension,
                       group=statement.group, outcome=statement.outcome)
    if rows.empty or bool(rows.iloc[0]["suppressed"]):
        return None
    row = rows.iloc[0]
    figures = {key: None if pd.isna(row[key]) else float(row[key])
               for key in ("rate", "mean", "comparison_rate", "difference", "n", "ci_low", "ci_high")}
    return figures | {"year": str(row["year"] or year or "")}


# ------------------------------------------------------------------ export

def export_tables(project: Project, rubric=None) -> dict[str, pd.DataFrame]:
    """Priorities, root causes and the plan as tables for people (no student data in any of them)."""
    rubric = rubric or rubrics.load_rubric(project)
    statements = {s.id: s.text or f"{s.group} · {s.outcome}" for s in project.statements}
    counts = tally(project)
    priorities = pd.DataFrame([{
        "Priority": p.title, "Indicators": "; ".join(indicator_title(rubric, i) for i in p.indicator_ids),
        "Votes": sum(counts.get(i, 0) for i in p.indicator_ids),
        "Gap statements": "; ".join(statements.get(s, "") for s in p.statement_ids),
    } for p in project.priorities], columns=["Priority", "Indicators", "Votes", "Gap statements"])
    causes = pd.DataFrame([{
        "Priority": p.title, "Root cause": p.root_cause,
        "Actionable": {True: "Yes", False: "No", None: ""}[p.actionable],
        "Chain of whys": " → ".join(p.whys),
    } for p in project.priorities], columns=["Priority", "Root cause", "Actionable", "Chain of whys"])
    prio_names = {p.id: p.title for p in project.priorities}
    goals = pd.DataFrame([{
        "Goal": g.text, "Priority": prio_names.get(g.priority_id, ""), "Measure": g.metric,
        "Baseline": shown(g.baseline, g.measure), "Baseline year": g.baseline_year,
        "Target": shown(g.target, g.measure),
        "Target date": g.target_date, "Evidence": g.evidence,
    } for g in project.goals], columns=["Goal", "Priority", "Measure", "Baseline", "Baseline year", "Target",
                                        "Target date", "Evidence"])
    return {"Priorities": priorities, "Root causes": causes, "Goals": goals, "Action steps": steps_table(project)}
