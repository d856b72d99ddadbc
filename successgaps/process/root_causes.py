"""Step 5 · from low-rated indicators to at most five actionable priorities.

Everything here works on a `Project` in memory; the page saves it afterwards. Bad input raises
`UserError` with one sentence and leaves the project unchanged.

- Areas of need: indicators whose consensus level is at or below the team's cut
  (`project.need_cut`; levels ordered planning < partial < implemented < exemplary).
- Votes: each member marks at most `project.votes_per_member` areas; the tally of an area is the
  number of members who marked it.
- Priorities: at most `MAX_PRIORITIES` (five), the toolkit's rule, each with its root cause, the
  chain of "why?" answers and whether the school can act on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..errors import UserError
from ..models import LEVEL_LABELS, LEVELS, GapStatement, Priority, Project, Vote
from . import rubric as rubrics

MAX_PRIORITIES = 5
MAX_WHYS = 5


# ------------------------------------------------------------------ areas of need

@dataclass(frozen=True)
class AreaOfNeed:
    indicator_id: str
    title: str
    area_id: str
    area_title: str
    level: str
    evidence: str
    needs: str
    spread: dict[str, int]  # level -> number of individual ratings at that level
    votes: int


def need_levels(cut: str) -> tuple[str, ...]:
    """The levels that make an area of need: every level up to and including the cut."""
    return LEVELS[: LEVELS.index(cut) + 1]


def areas_of_need(project: Project, rubric=None) -> list[AreaOfNeed]:
    """Indicators with a consensus level at or below `project.need_cut`, in the rubric's order."""
    rubric = rubric or rubrics.load_rubric(project)
    levels = need_levels(project.need_cut)
    consensus = {c.indicator_id: c for c in project.consensus if c.level in levels}
    counts = tally(project)
    return [
        AreaOfNeed(ind.id, ind.title, area.id, area.title, consensus[ind.id].level,
                   consensus[ind.id].evidence, consensus[ind.id].needs,
                   rubrics.spread(project, ind.id), counts.get(ind.id, 0))
        for area in rubric.areas for ind in area.indicators if ind.id in consensus
    ]


def indicator_title(rubric, indicator_id: str) -> str:
    """The indicator's title, or its id when the rubric no longer has it."""
    try:
        return rubric.indicator(indicator_id).title
    except KeyError:
        return indicator_id


def needs_by_area(needs: list[AreaOfNeed]) -> list[tuple[str, pd.DataFrame]]:
    """One table per rubric area (in rubric order): indicator, consensus, evidence, spread, votes."""
    groups: dict[str, list[AreaOfNeed]] = {}
    for need in needs:
        groups.setdefault(need.area_title, []).append(need)
    return [(title, pd.DataFrame([{
        "Indicator": n.title,
        "Consensus": LEVEL_LABELS[n.level],
        "Evidence": n.evidence,
        "To find out": n.needs,
        "Individual ratings": rubrics.spread_text(n.spread),
        "Votes": n.votes,
    } for n in items])) for title, items in groups.items()]


def by_votes(needs: list[AreaOfNeed]) -> list[str]:
    """Indicator ids of the areas of need, most votes first (ties in rubric order)."""
    return [n.indicator_id for n in sorted(needs, key=lambda n: -n.votes)]


def set_need_cut(project: Project, cut: str) -> None:
    if cut not in LEVELS[:3]:
        raise UserError("Choose Planning, Partially implemented or Implemented as the cut for areas of need.")
    project.need_cut = cut


# ------------------------------------------------------------------ votes

def set_votes_per_member(project: Project, number: int) -> None:
    """Change the number of votes each member has; never silently drops votes already cast."""
    if not 1 <= number <= 10:
        raise UserError("Give each member between 1 and 10 votes.")
    over = [v for v in project.votes if len(v.indicator_ids) > number]
    if over:
        who = project.member(over[0].member_id)
        raise UserError(f"{who.name if who else 'A member'} already marked {len(over[0].indicator_ids)} areas: "
                        f"remove some of their votes before lowering the number to {number}.")
    project.votes_per_member = number


def cast_votes(project: Project, member_id: str, indicator_ids: list[str]) -> None:
    """Record one member's votes (replacing their earlier ones); an empty list withdraws them."""
    if project.member(member_id) is None:
        raise UserError("Only team members vote: add the person on the Team page first.")
    picks = list(dict.fromkeys(indicator_ids))
    if len(picks) > project.votes_per_member:
        raise UserError(f"Each member has {project.votes_per_member} votes: mark at most "
                        f"{project.votes_per_member} areas (this ballot has {len(picks)}).")
    project.votes = [v for v in project.votes if v.member_id != member_id]
    if picks:
        project.votes.append(Vote(member_id=member_id, indicator_ids=picks))


def votes_of(project: Project, member_id: str) -> list[str]:
    return next((v.indicator_ids for v in project.votes if v.member_id == member_id), [])


def tally(project: Project) -> dict[str, int]:
    """Indicator id -> number of members who voted for it, most votes first (ties in voting order)."""
    counts: dict[str, int] = {}
    for vote in project.votes:
        for ind in vote.indicator_ids:
            counts[ind] = counts.get(ind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def tally_table(project: Project, needs: list[AreaOfNeed]) -> pd.DataFrame:
    """Areas of need with their votes and who gave them, most votes first."""
    voters: dict[str, list[str]] = {}
    for vote in project.votes:
        member = project.member(vote.member_id)
        for ind in vote.indicator_ids:
            voters.setdefault(ind, []).append(member.name if member else "(former member)")
    rows = [{"Indicator": n.title, "Area": n.area_title, "Consensus": LEVEL_LABELS[n.level],
             "Votes": n.votes, "Voted by": ", ".join(voters.get(n.indicator_id, []))} for n in needs]
    frame = pd.DataFrame(rows, columns=["Indicator", "Area", "Consensus", "Votes", "Voted by"])
    return frame.sort_values("Votes", ascending=False, kind="stable").reset_index(drop=True)


def voters_missing(project: Project) -> list[str]:
    """Names of team members who have not voted yet."""
    voted = {v.member_id for v in project.votes}
    return [m.name for m in project.members if m.id not in voted]


# ------------------------------------------------------------------ priorities and root causes

def add_priority(project: Project, indicator_ids: list[str], title: str = "",
                 statement_ids: list[str] | None = None, rubric=None) -> Priority:
    """Add a priority (at most five); its title defaults to the first indicator's title."""
    if len(project.priorities) >= MAX_PRIORITIES:
        raise UserError(f"The team already has {MAX_PRIORITIES} priorities, the most the process allows: "
                        "remove one before adding another.")
    title = (title or "").strip()
    if not title and indicator_ids:
        title = indicator_title(rubric or rubrics.load_rubric(project), indicator_ids[0])
    if not title:
        raise UserError("Give the priority a title or pick the indicator it comes from.")
    priority = Priority(title=title, indicator_ids=list(indicator_ids), statement_ids=list(statement_ids or []))
    project.priorities.append(priority)
    return priority


def remove_priority(project: Project, priority_id: str) -> None:
    """Remove a priority; its goals stay in the plan, unlinked (nothing the team wrote is lost)."""
    project.priorities = [p for p in project.priorities if p.id != priority_id]
    for goal in project.goals:
        if goal.priority_id == priority_id:
            goal.priority_id = ""


# Causes outside a school's control: (pattern, what it names). The toolkit's test: poverty is not
# actionable; how the school responds to it is.
_OUTSIDE = [
    (r"povert|poor famil|poor home|low[- ]income|(family|household|parents'?) income|socio-?economic|"
     r"\bses\b", "poverty or family income"),
    (r"home language|language (spoken )?at home|speaks? \w+ at home|non-english[- ]speaking (famil|home|parent)",
     "students' home language"),
    (r"neighbou?rhood|community violence|\bcrime\b", "the neighbourhood"),
    (r"single[- ]parent|broken home|family structure|home life|family background", "family circumstances"),
    (r"parents? (don'?t|do not|doesn'?t|does not) care|lack of parent(al)? (support|involvement)|"
     r"uninvolved parents", "parents' attitudes"),
    (r"(students?|kids) (don'?t|do not|doesn'?t|does not) care|unmotivated|lazy|lack of motivation",
     "students' motivation"),
    (r"homeless", "homelessness"),
    (r"unemploy", "unemployment"),
]


def outside_control(text: str) -> list[str]:
    """What in a root cause names something outside the school's power to change (may be empty)."""
    return [name for pattern, name in _OUTSIDE if re.search(pattern, text or "", re.IGNORECASE)]


def actionability_prompt(priority: Priority) -> str | None:
    """A sentence asking the team to dig deeper when the cause is not one the school can act on."""
    found = outside_control(priority.root_cause)
    if found:
        return (f"This cause names {' and '.join(found)}, which the school cannot change. Ask “why?” again: "
                "what does the school do, or not do, that lets it matter — for example how instruction, "
                "supports or discipline respond to these students?")
    if priority.root_cause.strip() and priority.actionable is False:
        return ("The team says this cause is outside its power. Ask “why?” again until you reach the deepest "
                "cause the school or district can act on.")
    return None


def set_whys(priority: Priority, whys: list[str]) -> None:
    """The chain of “why?” answers, blanks dropped, at most five."""
    kept = [w.strip() for w in whys if w and w.strip()]
    if len(kept) > MAX_WHYS:
        raise UserError(f"Keep the chain to {MAX_WHYS} “why?” steps: the deepest one you can act on "
                        "is the root cause.")
    priority.whys = kept


def statement_label(statement: GapStatement) -> str:
    """A gap statement in a list: its sentence (shortened), or group · outcome · where · year."""
    if statement.text.strip():
        return statement.text if len(statement.text) <= 110 else statement.text[:107] + "…"
    where = statement.school if statement.level == "school" and statement.school else "District"
    return " · ".join(x for x in (statement.group, statement.outcome, where, statement.year) if x)
