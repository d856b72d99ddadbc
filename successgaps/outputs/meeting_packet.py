"""The meeting packet (PDF): what every member gets for one meeting.

    meeting_packet(project, meeting_id, con)  agenda, norms, homework due, data slides, rubric sheets

The data and plan sections are the step reports' own (`gap_reports`, `plan_reports`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..errors import UserError
from ..models import LEVEL_LABELS, LEVELS, Meeting, Project
from ..process import agendas, meetings, rubric
from .gap_reports import section_screen, section_statement, section_statements
from .pdf import Document, build, long_date
from .plan_reports import section_plan, section_progress, section_rubric
from .sources import Sources


def _rubric_sheets(doc: Document, p: Project, area_ids: Sequence[str]) -> None:
    """The rubric sections to rate: each level's description with a box to tick, and room for the evidence."""
    rub = rubric.load_rubric(p)
    doc.heading("Rubric sections to rate")
    areas = [a for a in rub.areas if not area_ids or a.id in area_ids]
    doc.paragraph("Rate each indicator on your own before the meeting: tick the one description that fits best "
                  "and note your evidence.", size=9)
    for area in areas:
        doc.heading(area.title, 2)
        doc.table(["Indicator", *[LEVEL_LABELS[lv] for lv in LEVELS], "Evidence"],
                  [[i.title, *[f"☐ {i.levels[lv]}" for lv in LEVELS], ""] for i in area.indicators],
                  widths=(2.6, 2.6, 2.6, 2.6, 2.6, 2.4), size=7, row_height=14)


def _agenda(doc: Document, text: str) -> None:
    """The members' agenda from `agendas.agenda_text`: bold time lines, bullets, plain lines."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("**") and line.count("**") >= 2:
            head, _, rest = line[2:].partition("**")
            doc.paragraph(head + rest, size=10, style="B")
        elif line.startswith(("- ", "* ")):
            doc.bullets([line[2:]], size=9.5)
        elif line:
            doc.paragraph(line, size=9.5)


def _homework_lines(p: Project, items) -> list[str]:
    return [f"{h.text} ({meetings.who_label(p, h.who)}{', due ' + long_date(h.due) if h.due else ''})"
            for h in items]


def _write_packet(doc: Document, src: Sources, meeting: Meeting) -> None:
    p = src.project
    doc.fields([("When", meetings.meeting_when(meeting)), ("Where", meeting.place)])
    focus = p.focus_statement()
    if focus is not None and focus.text:
        doc.paragraph(f"Our success gap: {focus.text}", style="B")
    if meeting.objectives:
        doc.heading("Objectives", 2)
        doc.bullets(meeting.objectives)
    doc.heading("Agenda")
    _agenda(doc, agendas.agenda_text(p, meeting, "member"))
    doc.heading("Our norms")
    doc.bullets(meetings.norms(p))
    doc.heading("Homework due at this meeting")
    due = meetings.homework_due(p, meeting)
    doc.bullets(_homework_lines(p, due)) if due else doc.empty("No homework is due at this meeting.")
    kinds = set(meeting.activities or [meeting.kind])
    if "getting_started" in kinds:
        section_statements(doc, src)
        section_screen(doc, src)
    if "rubric" in kinds:
        if focus is not None:
            doc.heading("Our success gap: the data")
            section_statement(doc, src, focus, with_text=False)
        _rubric_sheets(doc, p, meeting.rubric_areas)
    if "root_causes" in kinds:
        section_rubric(doc, p)
    if "action_plan" in kinds:
        section_plan(doc, p)
    if "monitoring" in kinds:
        section_plan(doc, p)
        section_progress(doc, src)
    if meeting.homework:
        doc.heading("Homework for the next meeting")
        doc.bullets(_homework_lines(p, meeting.homework))


def meeting_packet(project: Project, meeting_id: str, con=None, *, day: dt.date | None = None) -> bytes:
    """What every member gets for one meeting: agenda, norms, homework due, data, rubric sheets."""
    meeting = next((m for m in project.meetings if m.id == meeting_id), None)
    if meeting is None:
        raise UserError("That meeting is no longer in the plan; pick a meeting from the list.")
    title = f"Meeting {meeting.number}" + (f": {meeting.title}" if meeting.title else "")
    return build(title, project, lambda d: _write_packet(d, Sources(project, con), meeting), day)
