"""PDF reports of steps 4 to 7:

    rubric_report(project)                    consensus per indicator with evidence, spreads, areas of need
    action_plan_report(project)               priorities, root causes, goals, steps, timeline
    progress_report(project, con)             latest review, progress charts, revisions

Ratings spreads come from `process.rubric`, areas of need from the root causes step, the steps
table from the action plan, progress from `process.monitoring`. The sections (`section_rubric`,
`section_plan`, `section_progress`) are also drawn by the meeting packet and the project report.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..engine.statements import year_phrase
from ..models import LEVEL_LABELS, Project
from ..process import action_plan, monitoring, root_causes, rubric
from . import charts, static_charts
from .pdf import Document, build, is_missing, long_date
from .sources import Sources


def _rubric(p: Project):
    """The project's rubric (areas with their indicators): the one it was rated with, or the default."""
    return rubric.load_rubric(p)


def _indicator_names(rub) -> dict[str, str]:
    if rub is None:
        return {}
    return {i.id: i.title for area in rub.areas for i in area.indicators}


def _level(level: str | None) -> str:
    return LEVEL_LABELS.get(level, "not rated") if level else "not rated"


def section_rubric(doc: Document, p: Project) -> None:
    doc.heading("Indicators of Success rubric")
    if not p.consensus and not p.ratings:
        doc.empty("The rubric has not been rated yet (step 4).")
        return
    rub = _rubric(p)
    names = _indicator_names(rub)
    raters = {r.member_id for r in p.ratings}
    doc.paragraph(f"{len(raters)} members rated on their own; the team reached consensus on "
                  f"{sum(1 for c in p.consensus if c.level)} indicators.")
    doc.heading("Consensus per indicator", 2)
    order = list(names) or [c.indicator_id for c in p.consensus]
    consensus = {c.indicator_id: c for c in p.consensus}
    rows = [[names.get(i, i), _level(consensus[i].level), _spread_text(p, i), consensus[i].evidence,
             consensus[i].needs] for i in order if i in consensus]
    if rows:
        doc.table(["Indicator", "Consensus", "Members' own ratings", "Evidence", "To find out"], rows,
                  widths=(3.4, 1.8, 2.4, 3.8, 2.4), size=8)
    else:
        doc.empty("Members have rated on their own; the team has not reached consensus on any indicator yet.")
    doc.heading("Areas of need", 2)
    needs = root_causes.areas_of_need(p, rub)
    if needs:
        doc.paragraph(f"Indicators rated {' or '.join(LEVEL_LABELS[lv] for lv in root_causes.need_levels(p.need_cut))}"
                      " by the team.", size=9)
        doc.table(["Area", "Indicator", "Consensus", "Votes"],
                  [[a.area_title, a.title, _level(a.level), a.votes] for a in needs],
                  widths=(3, 5, 2, 1), numeric=(3,), size=8)
    else:
        doc.empty("No indicator is rated at or below the team's cut for an area of need.")


def _spread_text(p: Project, indicator_id: str) -> str:
    """How the members rated it on their own, as the rubric page words it."""
    return rubric.spread_text(rubric.spread(p, indicator_id))


def _member_name(p: Project, member_id: str) -> str:
    m = p.member(member_id)
    return m.name if m else ""


def section_plan(doc: Document, p: Project) -> None:
    doc.heading("Priorities and root causes")
    names = _indicator_names(_rubric(p))
    if not p.priorities:
        doc.empty("No priorities have been chosen yet (step 5).")
    for i, pr in enumerate(p.priorities, 1):
        doc.heading(f"Priority {i}: {pr.title}", 2)
        doc.fields([("Root cause", pr.root_cause),
                    ("Actionable", {True: "yes", False: "no", None: ""}[pr.actionable]),
                    ("Indicators", "; ".join(names.get(x, x) for x in pr.indicator_ids))])
        if pr.whys:
            doc.paragraph("Why? Why? Why?", style="B", size=9)
            doc.bullets(pr.whys, size=9)
    doc.heading("Action plan")
    if not p.goals and not p.steps:
        doc.empty("No goals have been written yet (step 6).")
        return
    table = action_plan.steps_table(p, doc.day)
    for i, goal in enumerate(p.goals, 1):
        doc.heading(f"Goal {i}: {goal.text}", 2)
        doc.fields([
            ("Measured by", goal.metric),
            ("Baseline", " in ".join(x for x in (action_plan.written(goal.baseline, goal.measure),
                                                 year_phrase(goal.baseline_year)) if x)),
            ("Target", " by ".join(x for x in (action_plan.written(goal.target, goal.measure),
                                               long_date(goal.target_date)) if x)),
            ("Evidence of progress", goal.evidence),
        ], size=9)
        steps = action_plan.steps_table(p, doc.day, goal_id=goal.id)
        _steps_table(doc, steps) if not steps.empty else doc.empty("No action steps for this goal yet.")
    loose = table[table["Goal"] == "(no goal)"]
    if not loose.empty:
        doc.heading("Steps not tied to a goal", 2)
        _steps_table(doc, loose)
    dated = table[table["Start"].notna() & table["Due"].notna()]
    if not dated.empty:
        doc.chart(static_charts.timeline(list(zip(dated["Step"], dated["Start"], dated["Due"], dated["Status"])),
                                          charts.STATE_COLOURS),
                  "Timeline of the action steps from start to due date, coloured by status.", title="Timeline")
        doc.table(["Action step", "Owner", "Start", "Due", "Status"],
                  [[r.Step, r.Owner, _short(r.Start), _short(r.Due), r.Status]
                   for r in dated.sort_values("Start").itertuples(index=False)],
                  widths=(6, 2.2, 1.8, 1.8, 1.6), size=8)


def _steps_table(doc: Document, steps: pd.DataFrame) -> None:
    doc.table(["Action step", "Owner", "Start", "Due", "Resources", "Evidence of progress", "Status"],
              [[r.Step, r.Owner, _short(r.Start), _short(r.Due), r.Resources, r._7, r.Status]
               for r in steps.itertuples(index=False)],
              widths=(4, 2, 1.7, 1.7, 2.4, 2.4, 1.5), size=7.5)


def _short(day) -> str:
    return "" if day is None or is_missing(day) or pd.isna(day) else pd.Timestamp(day).date().isoformat()


def section_progress(doc: Document, src: Sources) -> None:
    p = src.project
    doc.heading("Progress")
    held = sorted((r for r in p.reviews if r.held), key=lambda r: r.date)
    if not held:
        doc.empty("No review of the plan has been held yet (step 7).")
    else:
        last = held[-1]
        doc.heading(f"Latest review: {long_date(last.date)}", 2)
        doc.fields([
            ("Who", "full team" if last.kind == "full_team" else "implementers"),
            ("Attended", ", ".join(filter(None, (_member_name(p, m) for m in last.attendees)))),
            ("Implemented as planned", last.fidelity),
            ("Challenges", last.challenges),
            ("Decisions", last.decisions),
        ])
        step_text = {s.id: s.text for s in p.steps}
        if last.steps:
            doc.table(["Action step", "Status", "Note", "Evidence"],
                      [[step_text.get(s.step_id, "(removed step)"), monitoring.STATUS_LABELS[s.status], s.note,
                        s.evidence] for s in last.steps], widths=(4, 1.5, 3.5, 3), size=8)
    alerts = monitoring.step_alerts(p, doc.day)
    if alerts:
        doc.heading("Needs attention", 2)
        doc.bullets([a.sentence for a in alerts], size=9)
    _progress_charts(doc, src)
    doc.heading("Plan revisions", 2)
    log = monitoring.history(p)
    if log:
        doc.table(["When", "What changed", "Why", "Decided at"],
                  [[r["when"].date().isoformat(), r["what"], r["why"], r["decided at"]] for r in log],
                  widths=(1.8, 5, 4, 2.5), size=8)
    else:
        doc.empty("The plan has not been revised.")


def _progress_charts(doc: Document, src: Sources) -> None:
    """Each goal measured by a gap statement: its value in every year of the data against baseline
    and target, with the sentence the monitoring page shows (`monitoring.goal_progress`)."""
    p = src.project
    if src.con is None:
        return
    for goal in p.goals:
        progress = monitoring.goal_progress(src.con, p, goal)
        if not progress.points:
            continue
        values = [(year_phrase(point.year), point.value) for point in progress.points]  # 2022–23, as the table
        reference = {k: v for k, v in (("Baseline", goal.baseline), ("Target", goal.target)) if v is not None}
        axis = {"rate": "percent", "difference": "percentage points"}.get(goal.measure, goal.metric)
        name = goal.metric or "Measure"
        bars = [(year_phrase(pt.year), action_plan.shown(pt.low, goal.measure),
                 action_plan.shown(pt.high, goal.measure))
                for pt in progress.points if pt.low is not None and pt.high is not None]
        doc.chart(static_charts.lines({name: [(y, action_plan.shown(v, goal.measure)) for y, v in values]},
                                      reference={k: action_plan.shown(v, goal.measure) for k, v in reference.items()},
                                      percent=False, axis_label=axis, intervals={name: bars},
                                      from_zero=goal.measure == "rate"),
                  f"Line chart of {goal.metric or 'the measure'} by year against baseline and target.",
                  width_fraction=0.75, title=f"Progress: {goal.text or goal.metric}")
        doc.paragraph(progress.sentence, size=9.5)
        doc.table(["Year", goal.metric or "Measure", "95% interval", "n"],
                  monitoring.figure_rows(goal, progress.points)
                  + [[k, action_plan.written(v, goal.measure), "", ""] for k, v in reference.items()],
                  widths=(1, 3, 2.4, 1), numeric=(1, 3))


def rubric_report(project: Project, *, day: dt.date | None = None) -> bytes:
    """Consensus per indicator with evidence, how members rated on their own, areas of need."""
    return build("Rubric ratings", project, lambda d: section_rubric(d, project), day)


def action_plan_report(project: Project, *, day: dt.date | None = None) -> bytes:
    """Priorities, root causes, goals, action steps and their timeline."""
    return build("Action plan", project, lambda d: section_plan(d, project), day)


def progress_report(project: Project, con=None, *, day: dt.date | None = None) -> bytes:
    """The latest review, each goal's progress against baseline and target, plan revisions."""
    return build("Progress report", project, lambda d: section_progress(d, Sources(project, con)), day)
