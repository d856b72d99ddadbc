"""Step 1 · the team: who is at the table, who is still missing, and the invitations.

Everything here works on a `Project` in memory; the page saves it afterwards.
Bad input raises `UserError` with one sentence and leaves the project unchanged.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

import pandas as pd

from ..errors import UserError
from ..models import Member, Project, StakeholderCategory
from .meetings import length_label, meeting_when, working_meetings

# Every stakeholder category: (label shown to people, why the team needs this voice).
CATEGORIES: dict[str, tuple[str, str]] = {
    "family": (
        "Family member or student from the group experiencing the gap",
        "They know from the inside how school practices land for the students the gap is about; "
        "without them the team guesses at causes and may choose actions that miss.",
    ),
    "general_education": (
        "General education teacher",
        "Most of the students in the gap spend most of their day in general education classrooms; "
        "teachers know what core instruction looks like day to day.",
    ),
    "special_education": (
        "Special education teacher",
        "Many success gaps involve students with disabilities; special educators know the services, "
        "placements and supports those students receive.",
    ),
    "support_staff": (
        "Support staff (psychologist, counselor, social worker, …)",
        "They see attendance, behaviour, referrals and the supports outside the classroom that often "
        "explain part of a gap.",
    ),
    "leader": (
        "Leader with authority to make change",
        "Without someone who can change schedules, budgets and policies, the team's action plan "
        "may never be carried out.",
    ),
    "community": (
        "Community member (civic, faith, business)",
        "They bring resources and relationships beyond the school, and help the community own the plan.",
    ),
    "other": (
        "Other",
        "Anyone else whose view or skill the team needs, such as a data specialist.",
    ),
}
# Why we invite someone of each category (second person, for the invitation letter).
INVITE_REASONS: dict[str, str] = {
    "family": "you know from the inside how our school's practices land for the students this gap is about.",
    "general_education": "you see every day what teaching and learning look like for the students in this gap.",
    "special_education": "you know the services and supports that students with disabilities receive.",
    "support_staff": "you see the attendance, behaviour and supports outside the classroom that often explain part of a gap.",
    "leader": "you can change schedules, budgets and policies, so that the team's plan can be carried out.",
    "community": "you bring relationships and resources beyond the school and help our community own the plan.",
    "other": "your view and skills will help the team see the whole picture.",
}
# Categories whose absence gets a visible warning: the process does not work without them.
ESSENTIAL: tuple[str, ...] = ("family", "leader")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def category_label(category: str) -> str:
    return CATEGORIES.get(category, (category, ""))[0]


# ---------------------------------------------------------------- the roster


def check_email(email: str) -> str:
    """The email, trimmed; "" is fine (email is optional); anything that is not an address raises."""
    email = (email or "").strip()
    if email and not _EMAIL.match(email):
        raise UserError(f"“{email}” is not an email address; write it like name@school.org, or leave it empty.")
    return email


def _check_member(project: Project, name: str, email: str, category: str, member_id: str = "") -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise UserError("Type the member's name first.")
    if category not in CATEGORIES:
        raise UserError("Choose one of the stakeholder categories for this member.")
    email = check_email(email)
    for other in project.members:
        if other.id == member_id:
            continue
        if other.name.casefold() == name.casefold():
            raise UserError(f"{name} is already on the team; edit that entry instead of adding a second one.")
        if email and other.email.casefold() == email.casefold():
            raise UserError(f"{other.name} already uses the email {email}; check the address or edit that entry.")
    return name, email


def add_member(project: Project, name: str, role: str = "", category: StakeholderCategory = "other",
               email: str = "", agreed: bool = False) -> Member:
    """Add a member to the roster (unique name and email, valid email)."""
    name, email = _check_member(project, name, email, category)
    member = Member(name=name, role=(role or "").strip(), category=category, email=email, agreed=agreed)
    project.members.append(member)
    return member


def update_member(project: Project, member_id: str, *, name: str, role: str, category: StakeholderCategory,
                  email: str, agreed: bool) -> Member:
    """Change a member's details, with the same checks as `add_member`."""
    member = _find(project, member_id)
    name, email = _check_member(project, name, email, category, member_id)
    member.name, member.role, member.category, member.email, member.agreed = (
        name, (role or "").strip(), category, email, agreed)
    return member


def remove_member(project: Project, member_id: str) -> None:
    """Take a member off the roster, their attendance and homework assignments with them."""
    _find(project, member_id)
    project.members = [m for m in project.members if m.id != member_id]
    for meeting in project.meetings:
        meeting.attendance = [a for a in meeting.attendance if a != member_id]
        for item in meeting.homework:
            if item.who == member_id:
                item.who = "everyone"


def _find(project: Project, member_id: str) -> Member:
    member = project.member(member_id)
    if member is None:
        raise UserError("That member is no longer on the team; the page now shows the current roster.")
    return member


def names(project: Project) -> dict[str, str]:
    """Member id -> name, in roster order (for pickers)."""
    return {m.id: m.name for m in project.members}


def roster_table(project: Project) -> pd.DataFrame:
    """One row per member, for the screen."""
    return pd.DataFrame(
        [{"Name": m.name, "Role": m.role, "Stakeholder category": category_label(m.category),
          "Email": m.email, "Agreed to join": "yes" if m.agreed else "not yet"} for m in project.members],
        columns=["Name", "Role", "Stakeholder category", "Email", "Agreed to join"],
    )


# ---------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Coverage:
    category: str
    label: str
    why: str
    agreed: int  # members in this category who agreed to join
    invited: int  # members in this category on the roster (agreed or not)
    essential: bool

    @property
    def status(self) -> str:
        if self.agreed:
            return "at the table"
        return "invited, not agreed yet" if self.invited else "missing"


def coverage(project: Project) -> list[Coverage]:
    """Each stakeholder category (except "other"): how many members it has and whether they agreed."""
    return [
        Coverage(category, label, why,
                 agreed=sum(m.agreed for m in project.members if m.category == category),
                 invited=sum(m.category == category for m in project.members),
                 essential=category in ESSENTIAL)
        for category, (label, why) in CATEGORIES.items() if category != "other"
    ]


def missing(project: Project) -> list[Coverage]:
    """Categories nobody on the team has agreed to represent yet."""
    return [c for c in coverage(project) if not c.agreed]


def coverage_table(project: Project) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Who": c.label, "Status": c.status, "Members": c.invited, "Why it matters": c.why}
         for c in coverage(project)],
        columns=["Who", "Status", "Members", "Why it matters"],
    )


def coverage_warnings(project: Project) -> list[str]:
    """One warning per essential category nobody has agreed to represent yet: who is missing, and why it matters."""
    warnings = []
    for c in coverage(project):
        if not c.essential or c.agreed:
            continue
        who = ("No family member or student from the group experiencing the gap" if c.category == "family"
               else "No leader with authority to make change")
        state = "has agreed to join yet (invited, no answer)" if c.invited else "is on the team yet"
        warnings.append(f"{who} {state}. {c.why}")
    return warnings


# ---------------------------------------------------------------- invitations


def time_commitment(project: Project) -> str:
    """Number, frequency and length of the planned meetings, in one sentence."""
    work = working_meetings(project)
    if not work:
        return ("The meeting plan is not set yet; the team usually meets a handful of times over a few months, "
                "then a few times a year to review progress.")
    dated = [m.date for m in work if m.date]
    lengths = sorted({m.length_minutes for m in work})
    length = length_label(lengths[0]) if len(lengths) == 1 else "various lengths"
    sentence = f"{len(work)} meeting{'s' if len(work) != 1 else ''} of {length}"
    if len(dated) >= 2:
        weeks = round((max(dated) - min(dated)).days / 7 / (len(dated) - 1))
        every = "every week" if weeks <= 1 else f"about every {weeks} weeks"
        sentence += f", {every}, from {_day(min(dated))} to {_day(max(dated))}"
    reviews = len(project.meetings) - len(work)
    if reviews:
        sentence += f"; then {reviews} review meeting{'s' if reviews != 1 else ''} to follow the plan's progress"
    return sentence + ". Between meetings, expect about an hour of reading or rating on your own."


def _day(date) -> str:
    return f"{date:%A} {date.day} {date:%B %Y}"


def invitation_subject(project: Project) -> str:
    return f"Invitation to join the {project.name} success gaps team"


def draft_invitation(project: Project, member: Member) -> str:
    """The invitation letter for one member: the gap, why them, the time commitment, the first meeting."""
    focus = project.focus_statement()
    gap = (f"The gap we will work on is this: {focus.text}" if focus and focus.text else
           "In our first meeting we will look at our data together and agree on the success gap we will "
           "work on — a difference in outcomes between a group of our students and their peers.")
    first = project.meetings[0] if project.meetings else None
    first_line = (f"Our first meeting: {meeting_when(first)}" + (f", {first.place}" if first.place else "") + "."
                  if first and first.date else "We will send the date of the first meeting soon.")
    why = INVITE_REASONS.get(member.category, INVITE_REASONS["other"])
    sign = project.facilitator or "The success gaps team facilitator"
    return "\n\n".join([
        f"Dear {member.name},",
        f"We are forming a team for {project.name} to look closely at a success gap in our schools and to "
        "plan what we will change to close it. We would like you to be part of it.",
        gap,
        f"We are asking you because {why}",
        f"Time commitment: {time_commitment(project)}",
        first_line,
        "Please reply to let us know whether you can join, and tell us if anything would make it easier "
        "for you to take part (a different time, interpretation, childcare, joining by video).",
        f"With thanks,\n{sign}",
    ])


def invitation(project: Project, member: Member) -> str:
    """The member's invitation as edited, or the current draft when nobody edited it."""
    return member.invitation or draft_invitation(project, member)


def set_invitation(project: Project, member_id: str, text: str) -> None:
    """Keep the edited text; an empty text (or the unchanged draft) goes back to the live draft."""
    member = _find(project, member_id)
    text = (text or "").strip()
    member.invitation = "" if text == draft_invitation(project, member).strip() else text


def mailto_link(project: Project, member: Member) -> str:
    """A `mailto:` URL that opens the member's invitation in the user's email app (RFC 6068)."""
    query = urllib.parse.urlencode(
        {"subject": invitation_subject(project), "body": invitation(project, member)},
        quote_via=urllib.parse.quote,
    )
    return f"mailto:{urllib.parse.quote(member.email, safe='@')}?{query}"
