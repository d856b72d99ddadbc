"""Step 1 · the meeting agendas: per meeting, a facilitator agenda (timed blocks, materials,
facilitator notes) and a team member agenda, from the templates (`meeting_templates`), filled with
the date, the focus gap and the rubric areas, stretched to fill the meeting with its breaks placed.

The facilitator may edit the timed part (saved per meeting); `agenda_document` puts the team's
norms, the objectives and the homework around it. Bad input raises `UserError` with one sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from string import Template

from ..models import Homework, Meeting, Project
from .meeting_templates import Block, load_templates
from .meetings import area_titles, homework_due, meeting, meeting_when, next_meeting, norms, who_label

AUDIENCES: dict[str, str] = {"facilitator": "Facilitator agenda", "member": "Team member agenda"}


@dataclass(frozen=True)
class TimedBlock:
    start: int  # minutes from the start of the meeting
    block: Block

    @property
    def end(self) -> int:
        return self.start + self.block.minutes


def _fill(text: str, values: dict[str, str]) -> str:
    return Template(text).safe_substitute(values)


def _stretch(blocks: list[Block], room: int) -> list[Block]:
    """Scale block lengths so they fill `room` minutes: each × room / total, rounded to 5 minutes
    (at least 5); the rounding difference goes to the longest block."""
    total = sum(b.minutes for b in blocks)
    if not blocks or total <= 0:
        return blocks
    minutes = [max(5, 5 * round(b.minutes * room / total / 5)) for b in blocks]
    longest = minutes.index(max(minutes))
    minutes[longest] = max(5, minutes[longest] + room - sum(minutes))
    return [Block(n, b.title, b.materials, b.notes, b.member) for n, b in zip(minutes, blocks)]


def agenda_blocks(project: Project, m: Meeting) -> list[TimedBlock]:
    """The meeting's timed blocks: opening, its activities (one rubric activity per area, stretched to
    fill the meeting), breaks placed after the block that reaches their share of the meeting, closing."""
    t = load_templates()
    titles = area_titles(project) if m.rubric_areas else {}
    focus = project.focus_statement()
    after = next_meeting(project, m)
    values = {"focus": focus.text if focus and focus.text else "(the team chooses its focus gap in step 3)",
              "next_meeting": f"meeting {after.number}, {meeting_when(after)}" if after else "the next meeting"}
    work: list[Block] = []
    for kind in m.activities or [m.kind if m.kind in t.activities else "other"]:
        activity = t.activities.get(kind, t.activities["other"])
        for area in (m.rubric_areas if kind == "rubric" else [None]):
            vals = dict(values, area=titles.get(area, area or ""))
            work += [Block(b.minutes, _fill(b.title, vals), tuple(_fill(x, vals) for x in b.materials),
                           _fill(b.notes, vals), _fill(b.member, vals)) for b in activity.blocks]
    work = _stretch(work, max(t.room(m.length_minutes), 5 * len(work)))
    pauses = t.pauses(m.length_minutes)
    out, elapsed = [TimedBlock(0, t.opening)], t.opening.minutes
    for block in work:
        out.append(TimedBlock(elapsed, block))
        elapsed += block.minutes
        while pauses and elapsed >= pauses[0][0] * m.length_minutes:
            out.append(TimedBlock(elapsed, pauses.pop(0)[1]))
            elapsed += out[-1].block.minutes
    for _, pause in pauses:
        out.append(TimedBlock(elapsed, pause))
        elapsed += pause.minutes
    out.append(TimedBlock(elapsed, t.closing))
    return out


def _clock(m: Meeting, minutes: int) -> str:
    if not m.time:
        return f"{minutes // 60}:{minutes % 60:02d}"
    return f"{dt.datetime.strptime(m.time, '%H:%M') + dt.timedelta(minutes=minutes):%H:%M}"


def generated_agenda(project: Project, m: Meeting, audience: str) -> str:
    """The agenda's timed part, from the templates (what the facilitator may edit)."""
    lines = []
    for tb in agenda_blocks(project, m):
        b = tb.block
        lines.append(f"**{_clock(m, tb.start)}–{_clock(m, tb.end)} · {b.title}** ({b.minutes} min)")
        if audience == "facilitator":
            if b.materials:
                lines.append(f"- Materials: {'; '.join(b.materials)}")
            if b.notes:
                lines.append(f"- Facilitator notes: {b.notes}")
        elif b.member:
            lines.append(b.member)
        lines.append("")
    return "\n".join(lines).strip()


def agenda_text(project: Project, m: Meeting, audience: str) -> str:
    """The timed part as the facilitator edited it, or as generated when nobody edited it."""
    edited = m.facilitator_agenda if audience == "facilitator" else m.member_agenda
    return edited or generated_agenda(project, m, audience)


def set_agenda(project: Project, meeting_id: str, audience: str, text: str) -> None:
    """Keep the edited timed part; an empty text (or the unchanged generated one) follows the template again."""
    m = meeting(project, meeting_id)
    text = (text or "").strip()
    if text == generated_agenda(project, m, audience):
        text = ""
    if audience == "facilitator":
        m.facilitator_agenda = text
    else:
        m.member_agenda = text


def agenda_document(project: Project, m: Meeting, audience: str) -> str:
    """The whole agenda (Markdown): heading, when and where, the focus gap, norms, objectives,
    homework due today, the timed agenda, and the homework for the next meeting."""
    focus = project.focus_statement()
    parts = [f"# Meeting {m.number} · {m.title}  \n{AUDIENCES[audience]}",
             f"**When:** {meeting_when(m)}" + (f"  \n**Where:** {m.place}" if m.place else "")]
    if focus and focus.text:
        parts.append(f"**Our success gap:** {focus.text}")
    parts.append("## Our norms\n" + "\n".join(f"- {n}" for n in norms(project)))
    if m.objectives:
        parts.append("## Objectives\n" + "\n".join(f"- {o}" for o in m.objectives))
    due = homework_due(project, m)
    if due:
        parts.append("## Homework due today\n" + "\n".join(_homework_line(project, h) for h in due))
    parts.append("## Agenda\n" + agenda_text(project, m, audience))
    if m.homework:
        after = next_meeting(project, m)
        heading = f"## Homework for meeting {after.number}" if after else "## Homework"
        parts.append(heading + "\n" + "\n".join(_homework_line(project, h) for h in m.homework))
    return "\n\n".join(parts) + "\n"


def _homework_line(project: Project, h: Homework) -> str:
    due = f", due {h.due.day} {h.due:%B}" if h.due else ""
    return f"- {h.text} ({who_label(project, h.who)}{due})"
