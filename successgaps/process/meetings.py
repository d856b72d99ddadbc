"""Step 1 · the meetings: the plan, norms, homework, records, evaluations, calendar.

The plan follows the toolkit's sequence — getting started; the rubric, area by area; root causes
and priorities; the action plan; then reviews of implementation and progress — and packs it into
meetings of the length the team chooses, so fewer, longer meetings combine steps.
Meeting templates (timed blocks, materials, facilitator notes, objectives, homework) are data in
`data/meetings.toml`, read by `meeting_templates`; the agendas are drawn from them by `agendas`.
Bad input raises `UserError` with one sentence; the project is unchanged.
"""

from __future__ import annotations

import datetime as dt
from string import Template

import pandas as pd

from ..errors import UserError
from ..models import Evaluation, Homework, Meeting, Project
from .meeting_templates import load_templates

# Meeting lengths offered to the team (minutes -> words).
LENGTHS: dict[int, str] = {120: "two hours", 180: "three hours", 240: "a half day (4 hours)",
                           420: "a full day (7 hours)"}
MIN_LENGTH, MAX_LENGTH = 60, 600
REVIEW_EVERY_WEEKS = 12  # the full team reviews progress a few times a year

DEFAULT_NORMS: tuple[str, ...] = (
    "Be present and listen.",
    "Participate actively.",
    "Stay on topic.",
    "Value every voice.",
    "Keep technology silent.",
    "Respect time so all can be heard.",
    "Follow the process.",
)

# Meeting evaluation: statements rated on a 4-point scale.
QUESTIONS: dict[str, str] = {
    "objectives_clear": "The objectives were clear.",
    "voice_heard": "My voice was heard and respected.",
    "data_understandable": "The data were understandable.",
    "time_well_used": "Time was well used.",
}
SCALE: dict[int, str] = {1: "Strongly disagree", 2: "Disagree", 3: "Agree", 4: "Strongly agree"}

RECORDS = ("notes", "decisions", "follow_ups")


def default_time(length_minutes: int) -> str:
    """A sensible start: after school for short meetings, the morning for half and full days."""
    return "08:30" if length_minutes >= 240 else "15:30"


def suggested_first_date(today: dt.date | None = None) -> dt.date:
    """Two weeks from today, moved to the Monday on or after it: time to send invitations."""
    day = (today or dt.date.today()) + dt.timedelta(days=14)
    return day + dt.timedelta(days=-day.weekday() % 7)


def length_label(minutes: int) -> str:
    if minutes in LENGTHS:
        return LENGTHS[minutes]
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if hours and rest else f"{hours} hours" if hours else f"{rest} minutes"


# ---------------------------------------------------------------- rubric areas


def rubric_areas(project: Project | None = None) -> list[tuple[str, str]]:
    """(id, title) of each area of the project's rubric (the shipped one by default), in order."""
    from .rubric import load_rubric  # noqa: PLC0415 - the rubric is step 4's module

    return [(a.id, a.title) for a in load_rubric(project).areas]


def area_titles(project: Project) -> dict[str, str]:
    return dict(rubric_areas(project))


# ---------------------------------------------------------------- the plan


def check_time(value: str) -> str:
    """"HH:MM" (24-hour) or ""."""
    value = (value or "").strip()
    if value:
        try:
            value = dt.datetime.strptime(value, "%H:%M").strftime("%H:%M")
        except ValueError:
            raise UserError(f"“{value}” is not a time of day; write it as hours and minutes, like 15:30.") from None
    return value


def check_length(minutes: int) -> int:
    if not MIN_LENGTH <= int(minutes) <= MAX_LENGTH:
        raise UserError(f"A meeting must last between {MIN_LENGTH} and {MAX_LENGTH} minutes; "
                        f"{minutes} minutes is outside that.")
    return int(minutes)


def _check_new_date(date: dt.date | None, today: dt.date | None, what: str) -> dt.date:
    today = today or dt.date.today()
    if date is None:
        raise UserError(f"Choose a date for {what}.")
    if date < today:
        raise UserError(f"The date for {what} ({date:%d %B %Y}) is in the past; choose today or a later date.")
    return date


def plan(length_minutes: int, first_date: dt.date, *, time: str = "15:30", place: str = "",
         every_weeks: int = 3, reviews: int = 3, areas: list[tuple[str, str]] | None = None) -> list[Meeting]:
    """The meeting plan for meetings of `length_minutes`.

    The work units, in order — getting started, one per rubric area, root causes, action plan — are
    packed greedily: a unit joins the current meeting while the meeting's room (length − opening −
    closing − breaks) holds it, otherwise it starts the next meeting. Working meetings fall every
    `every_weeks` weeks from `first_date`; then `reviews` review meetings every 12 weeks.
    Each meeting gets its objectives and default homework (including rating next meeting's rubric
    areas on one's own), due at the next meeting.
    """
    t = load_templates()
    length = check_length(length_minutes)
    time = check_time(time)
    if every_weeks < 1:
        raise UserError("Leave at least one week between meetings.")
    areas = rubric_areas() if areas is None else areas
    units = ([("getting_started", None)] + [("rubric", area_id) for area_id, _ in areas]
             + [("root_causes", None), ("action_plan", None)])
    room = t.room(length)
    groups: list[list[tuple[str, str | None]]] = []
    used = 0
    for unit in units:
        minutes = t.activities[unit[0]].minutes
        if not groups or used + minutes > room:
            groups.append([])
            used = 0
        groups[-1].append(unit)
        used += minutes
    titles = dict(areas)
    meetings = []
    for i, group in enumerate(groups):
        kinds = list(dict.fromkeys(kind for kind, _ in group))
        area_ids = [area for _, area in group if area]
        meetings.append(Meeting(
            number=i + 1, kind=kinds[0], activities=kinds, rubric_areas=area_ids,
            title=_title(kinds, [titles[a] for a in area_ids]),
            date=first_date + dt.timedelta(weeks=every_weeks * i), time=time, length_minutes=length, place=place,
            objectives=_objectives(kinds, [titles[a] for a in area_ids]),
        ))
    last = meetings[-1].date
    for j in range(reviews):
        meetings.append(Meeting(
            number=len(meetings) + 1, kind="monitoring", activities=["monitoring"],
            title=t.activities["monitoring"].title, date=last + dt.timedelta(weeks=REVIEW_EVERY_WEEKS * (j + 1)),
            time=time, length_minutes=min(length, 120), place=place, objectives=_objectives(["monitoring"], []),
        ))
    for meeting, after in zip(meetings, meetings[1:] + [None]):
        meeting.homework = _default_homework(meeting, after, titles)
    return meetings


def _title(kinds: list[str], area_titles: list[str]) -> str:
    t = load_templates()
    parts = [Template(t.activities[k].title).safe_substitute(area=", ".join(area_titles)) for k in kinds]
    return " · ".join(parts)


def _objectives(kinds: list[str], area_titles: list[str]) -> list[str]:
    t = load_templates()
    out = []
    for kind in kinds:
        for line in t.activities[kind].objectives:
            out.append(Template(line).safe_substitute(area=_and(area_titles) if kind == "rubric" else ""))
    return out


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _default_homework(meeting: Meeting, after: Meeting | None, titles: dict[str, str]) -> list[Homework]:
    if after is None:
        return []
    t = load_templates()
    texts = [text for kind in meeting.activities for text in t.activities[kind].homework]
    texts += [f"Rate the rubric area “{titles[a]}” on your own (step 4 of the app) before meeting {after.number}."
              for a in after.rubric_areas]
    return [Homework(text=text, due=after.date) for text in texts]


def has_records(meeting: Meeting) -> bool:
    """The meeting holds the team's own work: attendance, notes, evaluations or an edited agenda."""
    return bool(meeting.attendance or meeting.evaluations or meeting.facilitator_agenda or meeting.member_agenda
                or any(getattr(meeting, r) for r in RECORDS))


def make_plan(project: Project, length_minutes: int, first_date: dt.date, *, time: str = "15:30",
              place: str = "", every_weeks: int = 3, reviews: int = 3, today: dt.date | None = None) -> list[Meeting]:
    """Replace the project's meeting plan — unless a meeting already holds the team's records."""
    _check_new_date(first_date, today, "the first meeting")
    kept = next((m for m in project.meetings if has_records(m)), None)
    if kept is not None:
        raise UserError(f"Meeting {kept.number} already has attendance, notes, evaluations or an edited agenda; "
                        "making a new plan would lose them, so change the meetings one by one instead.")
    meetings = plan(length_minutes, first_date, time=time, place=place, every_weeks=every_weeks, reviews=reviews,
                    areas=rubric_areas(project))
    project.meetings = meetings
    project.meeting_length_minutes = meetings[0].length_minutes
    project.meeting_every_weeks = every_weeks
    return meetings


def working_meetings(project: Project) -> list[Meeting]:
    """The meetings that carry the process up to the action plan (not the later reviews)."""
    return [m for m in project.meetings if m.kind != "monitoring"]


def meeting(project: Project, meeting_id: str) -> Meeting:
    found = next((m for m in project.meetings if m.id == meeting_id), None)
    if found is None:
        raise UserError("That meeting is no longer in the plan; the page now shows the current plan.")
    return found


def add_meeting(project: Project, date: dt.date | None, *, time: str = "", length_minutes: int | None = None,
                place: str = "", title: str = "", kind: str = "monitoring", today: dt.date | None = None) -> Meeting:
    """Add one meeting at the end of the plan; its date must not be in the past."""
    _check_new_date(date, today, "the new meeting")
    kind = kind if kind in ("monitoring", "other") else "other"
    new = Meeting(number=len(project.meetings) + 1, kind=kind, activities=[kind], date=date, time=check_time(time),
                  length_minutes=check_length(length_minutes or project.meeting_length_minutes), place=place.strip(),
                  title=title.strip() or load_templates().activities[kind].title,
                  objectives=_objectives([kind], []))
    project.meetings.append(new)
    return new


def update_meeting(project: Project, meeting_id: str, **changes) -> Meeting:
    """Change a meeting's title, date, time, length, place or objectives (a list of lines)."""
    m = meeting(project, meeting_id)
    if "time" in changes:
        changes["time"] = check_time(changes["time"])
    if "length_minutes" in changes:
        changes["length_minutes"] = check_length(changes["length_minutes"])
    if "objectives" in changes:
        changes["objectives"] = [o.strip() for o in changes["objectives"] if o.strip()]
    for key, value in changes.items():
        if key not in {"title", "date", "time", "length_minutes", "place", "objectives"}:
            raise ValueError(f"not a meeting detail: {key}")
        setattr(m, key, value.strip() if isinstance(value, str) else value)
    return m


def remove_meeting(project: Project, meeting_id: str) -> None:
    meeting(project, meeting_id)
    project.meetings = [m for m in project.meetings if m.id != meeting_id]
    for number, m in enumerate(project.meetings, start=1):
        m.number = number


def previous_meeting(project: Project, m: Meeting) -> Meeting | None:
    before = [o for o in project.meetings if o.number < m.number]
    return before[-1] if before else None


def next_meeting(project: Project, m: Meeting) -> Meeting | None:
    return next((o for o in project.meetings if o.number > m.number), None)


def _end(m: Meeting) -> str:
    start = dt.datetime.strptime(m.time, "%H:%M")
    return f"{start + dt.timedelta(minutes=m.length_minutes):%H:%M}"


def meeting_when(m: Meeting) -> str:
    """"Tuesday 3 March 2026, 15:30–17:30" (as much as is known)."""
    if m.date is None:
        return "date not set"
    day = f"{m.date:%A} {m.date.day} {m.date:%B %Y}"
    return f"{day}, {m.time}–{_end(m)}" if m.time else day


def labels(project: Project, with_date: bool = False) -> dict[str, str]:
    """Meeting id -> "Meeting 2 · The rubric: … [— Monday 3 March 2031, 15:30–17:30]" (for pickers)."""
    return {m.id: f"Meeting {m.number} · {m.title}" + (f" — {meeting_when(m)}" if with_date else "")
            for m in project.meetings}


def plan_table(project: Project) -> pd.DataFrame:
    titles = area_titles(project) if any(m.rubric_areas for m in project.meetings) else {}
    return pd.DataFrame(
        [{"Meeting": m.number, "Title": m.title, "When": meeting_when(m), "Length": length_label(m.length_minutes),
          "Where": m.place, "Rubric areas": ", ".join(titles.get(a, a) for a in m.rubric_areas)}
         for m in project.meetings],
        columns=["Meeting", "Title", "When", "Length", "Where", "Rubric areas"],
    )


# ---------------------------------------------------------------- norms


def norms(project: Project) -> list[str]:
    """The team's norms; the default set until the team edits them."""
    return list(project.norms) or list(DEFAULT_NORMS)


def set_norms(project: Project, text: str) -> list[str]:
    """One norm per line; blank and repeated lines are dropped; at least one norm stays."""
    lines = list(dict.fromkeys(" ".join(line.split()) for line in (text or "").splitlines() if line.strip()))
    if not lines:
        raise UserError("Keep at least one norm; to start again from the suggested norms, use “Restore the default norms”.")
    project.norms = [] if lines == list(DEFAULT_NORMS) else lines
    return norms(project)


# ---------------------------------------------------------------- homework, attendance, notes


def add_homework(project: Project, meeting_id: str, text: str, who: str = "everyone",
                 due: dt.date | None = None) -> Homework:
    """An assignment given at a meeting; due by default at the next meeting."""
    m = meeting(project, meeting_id)
    text = " ".join((text or "").split())
    if not text:
        raise UserError("Write what the homework is, for example “Rate the assessment section on your own”.")
    if who != "everyone" and project.member(who) is None:
        raise UserError("Give the homework to everyone or to a member who is on the team.")
    if due is None:
        after = next_meeting(project, m)
        due = after.date if after else None
    item = Homework(text=text, who=who, due=due)
    m.homework.append(item)
    return item


def _homework(project: Project, homework_id: str) -> tuple[Meeting, Homework]:
    for m in project.meetings:
        for item in m.homework:
            if item.id == homework_id:
                return m, item
    raise UserError("That homework is no longer on the list; the page now shows the current list.")


def remove_homework(project: Project, homework_id: str) -> None:
    m, item = _homework(project, homework_id)
    m.homework = [h for h in m.homework if h.id != item.id]


def homework_due(project: Project, m: Meeting) -> list[Homework]:
    """What was due at this meeting: the homework given at the meeting before it."""
    before = previous_meeting(project, m)
    return list(before.homework) if before else []


def who_label(project: Project, who: str) -> str:
    member = project.member(who)
    return member.name if member else "everyone"


def homework_table(project: Project, items: list[Homework]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Homework": h.text, "Who": who_label(project, h.who), "Due": h.due, "Done": h.done} for h in items],
        columns=["Homework", "Who", "Due", "Done"],
    )


def set_attendance(project: Project, meeting_id: str, member_ids: list[str]) -> None:
    known = {m.id for m in project.members}
    meeting(project, meeting_id).attendance = [i for i in dict.fromkeys(member_ids) if i in known]


def set_homework_done_list(project: Project, meeting_id: str, done_ids: list[str]) -> None:
    """Mark exactly the given homework of a meeting as done."""
    for item in meeting(project, meeting_id).homework:
        item.done = item.id in done_ids


def set_record(project: Project, meeting_id: str, record: str, text: str) -> None:
    """Notes, decisions or follow-ups of a meeting."""
    if record not in RECORDS:
        raise ValueError(f"not a meeting record: {record}")
    setattr(meeting(project, meeting_id), record, (text or "").strip())


# ---------------------------------------------------------------- evaluations


def add_evaluation(project: Project, meeting_id: str, scores: dict[str, int | None], comment: str = "",
                   member_id: str = "") -> Evaluation:
    """One attendee's evaluation; a member who evaluates again replaces their earlier answers."""
    m = meeting(project, meeting_id)
    if any(scores.get(q) not in SCALE for q in QUESTIONS):
        raise UserError("Answer all four statements, from 1 (strongly disagree) to 4 (strongly agree), "
                        "before sending the evaluation.")
    if member_id and project.member(member_id) is None:
        member_id = ""
    evaluation = Evaluation(member_id=member_id, scores={q: int(scores[q]) for q in QUESTIONS},
                            comment=(comment or "").strip())
    m.evaluations = [e for e in m.evaluations if not (member_id and e.member_id == member_id)] + [evaluation]
    return evaluation


def evaluation_summary(m: Meeting) -> pd.DataFrame:
    """Per statement: responses, mean score (1–4), share agreeing (score 3 or 4, %), and the count at
    each point of the scale."""
    rows = []
    for q, statement in QUESTIONS.items():
        scores = [e.scores[q] for e in m.evaluations if q in e.scores]
        row = {"Statement": statement, "Responses": len(scores),
               "Average (1–4)": round(sum(scores) / len(scores), 2) if scores else None,
               "Agree (%)": round(100 * sum(s >= 3 for s in scores) / len(scores)) if scores else None}
        row.update({label: scores.count(value) for value, label in SCALE.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def evaluation_comments(m: Meeting) -> list[str]:
    return [e.comment for e in m.evaluations if e.comment]


# ---------------------------------------------------------------- calendar (.ics)


def _ics_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets (RFC 5545 §3.1): each continuation line
    starts with one space; a UTF-8 character is never split."""
    pieces, current, size = [], "", 0
    for char in line:
        n = len(char.encode("utf-8"))
        limit = 75 if not pieces else 74  # continuation lines spend one octet on the leading space
        if size + n > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += n
    pieces.append(current)
    return "\r\n ".join(pieces)


def to_ics(project: Project, stamp: dt.datetime | None = None) -> str:
    """The meeting plan as an iCalendar file (RFC 5545): one VEVENT per dated meeting, in local
    ("floating") time, or as an all-day event when the meeting has no start time."""
    stamp = (stamp or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Success Gaps//Team meetings//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_escape(project.name + ' success gaps team')}"]
    focus = project.focus_statement()
    for m in project.meetings:
        if m.date is None:
            continue
        if m.time:
            start = dt.datetime.combine(m.date, dt.datetime.strptime(m.time, "%H:%M").time())
            end = start + dt.timedelta(minutes=m.length_minutes)
            when = [f"DTSTART:{start:%Y%m%dT%H%M%S}", f"DTEND:{end:%Y%m%dT%H%M%S}"]
        else:
            when = [f"DTSTART;VALUE=DATE:{m.date:%Y%m%d}",
                    f"DTEND;VALUE=DATE:{m.date + dt.timedelta(days=1):%Y%m%d}"]
        description = "\n".join(
            ([f"Our success gap: {focus.text}"] if focus and focus.text else [])
            + ["Objectives:"] + [f"- {o}" for o in m.objectives])
        lines += ["BEGIN:VEVENT", f"UID:{m.id}-{project.id}@successgaps", f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}", *when,
                  f"SUMMARY:{_ics_escape(f'{project.name}: meeting {m.number} · {m.title}')}"]
        if m.place:
            lines.append(f"LOCATION:{_ics_escape(m.place)}")
            if m.place.startswith(("http://", "https://")) and not any(c.isspace() for c in m.place):
                lines.append(f"URL:{m.place}")
        lines += [f"DESCRIPTION:{_ics_escape(description)}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


# ---------------------------------------------------------------- file names


def file_stem(project: Project, what: str) -> str:
    """A safe file name stem: "central-high_meeting-2-agenda"."""
    return f"{_slug(project.name) or 'project'}_{_slug(what)}"


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())
