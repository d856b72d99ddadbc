"""Step 4 · the Indicators of Success rubric: the project's rubric, members' ratings, consensus,
progress, exports.

The rubric's schema and reading a rubric file are in `rubric_file`; a member's rating workbook
(homework offline) in `rating_workbook`. A project keeps the rubric it was rated with: the first
rating (or a custom upload) stores the rubric document in the project (`Project.rubric_doc`), so a
newer shipped rubric never changes what a team already rated.

Everything here works on a `Project` in memory; the page saves it afterwards. Bad input raises
`UserError` with one sentence and leaves the project unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..errors import UserError
from ..models import LEVEL_LABELS, LEVELS, Consensus, Project, Rating, now
from ..text import plural
from .rubric_file import Rubric, default_rubric_text, parse_rubric

GROUP_PREFIX = "group:"  # Rating.member_id of a small group's rating: "group:<name>"


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    return parse_rubric(default_rubric_text())


@lru_cache(maxsize=8)
def _from_doc(doc_json: str) -> Rubric:
    return Rubric.model_validate_json(doc_json)  # cached: pages ask for the rubric many times per run


def load_rubric(project: Project | None = None) -> Rubric:
    """The project's rubric: the one it was rated with or loaded (kept in the project), else the shipped default."""
    if project is not None and project.rubric_doc:
        return _from_doc(json.dumps(project.rubric_doc, sort_keys=True))
    return default_rubric()


def _keep(project: Project, rubric: Rubric) -> None:
    project.rubric_doc = rubric.model_dump()
    project.rubric_id, project.rubric_version = rubric.id, rubric.version


def _pin(project: Project) -> Rubric:
    """Store the rubric in the project on the first rating, so the project keeps the version it was rated with."""
    rubric = load_rubric(project)
    if not project.rubric_doc:
        _keep(project, rubric)
    return rubric


def is_custom(project: Project) -> bool:
    """True when the project rates with a rubric other than the one shipped with this app."""
    return bool(project.rubric_doc) and load_rubric(project) != default_rubric()


def use_rubric(project: Project, rubric: Rubric) -> None:
    """Rate with this rubric from now on; refused when it lacks indicators the team already rated."""
    rated = {r.indicator_id for r in project.ratings} | {c.indicator_id for c in project.consensus}
    lost = sorted(rated - {i.id for i in rubric.indicators()})
    if lost:
        raise UserError(
            f"“{rubric.title}” (version {rubric.version}) has no indicator {', '.join(lost[:5])}"
            f"{' …' if len(lost) > 5 else ''}, which the team already rated; keep those ids in the file, "
            "or start a new project for the new rubric.")
    _keep(project, rubric)


def use_default_rubric(project: Project) -> None:
    use_rubric(project, default_rubric())


def indicator_ids(project: Project | None = None) -> list[str]:
    """Every indicator id of the project's rubric, in rubric order."""
    return [i.id for i in load_rubric(project).indicators()]


# ---------------------------------------------------------------- ratings and consensus


def group_id(name: str) -> str:
    """The `Rating.member_id` of a small group's rating."""
    name = " ".join((name or "").split())
    if not name:
        raise UserError("Name the small group first (for example “Group A”).")
    return GROUP_PREFIX + name


def is_group(member_id: str) -> bool:
    return member_id.startswith(GROUP_PREFIX)


def rater_name(project: Project, member_id: str) -> str:
    """A member's name, “Small group: <name>”, or “Former member” for ratings of someone no longer on the team."""
    if is_group(member_id):
        return "Small group: " + member_id.removeprefix(GROUP_PREFIX)
    member = project.member(member_id)
    return member.name if member else f"Former member ({member_id})"


def _check_level(level: str | None) -> None:
    if level is not None and level not in LEVELS:
        raise UserError(f"“{level}” is not a level; choose one of {', '.join(LEVEL_LABELS.values())}.")


def _check_indicator(rubric: Rubric, indicator_id: str) -> None:
    try:
        rubric.indicator(indicator_id)
    except KeyError:
        raise UserError(f"The rubric “{rubric.title}” has no indicator “{indicator_id}”; reload the page.") from None


def rating(project: Project, member_id: str, indicator_id: str) -> Rating | None:
    return next((r for r in project.ratings if r.member_id == member_id and r.indicator_id == indicator_id), None)


def consensus_of(project: Project, indicator_id: str) -> Consensus | None:
    return next((c for c in project.consensus if c.indicator_id == indicator_id), None)


def set_rating(project: Project, member_id: str, indicator_id: str, level: str | None,
               note: str = "", evidence: str = "") -> None:
    """A member's own rating of one indicator (or a small group's: member_id from `group_id`).

    An empty rating (no level, note or evidence) is removed, so “rated” always means something was entered.
    """
    if not is_group(member_id) and project.member(member_id) is None:
        raise UserError("That member is no longer on the team; pick your name again from the list.")
    _check_level(level)
    rubric = _pin(project)
    _check_indicator(rubric, indicator_id)
    note, evidence = (note or "").strip(), (evidence or "").strip()
    project.ratings = [r for r in project.ratings if not (r.member_id == member_id and r.indicator_id == indicator_id)]
    if level or note or evidence:
        project.ratings.append(Rating(indicator_id=indicator_id, member_id=member_id, level=level,
                                      note=note, evidence=evidence, updated_at=now()))


def set_group_rating(project: Project, group_name: str, indicator_id: str, level: str | None,
                     note: str = "", evidence: str = "") -> None:
    """A small group's rating of one indicator (optional step before the whole-team consensus)."""
    set_rating(project, group_id(group_name), indicator_id, level, note, evidence)


def set_consensus(project: Project, indicator_id: str, level: str | None, evidence: str = "", needs: str = "") -> None:
    """The team's consensus rating of one indicator, the evidence behind it and what it still needs to find out."""
    _check_level(level)
    rubric = _pin(project)
    _check_indicator(rubric, indicator_id)
    evidence, needs = (evidence or "").strip(), (needs or "").strip()
    project.consensus = [c for c in project.consensus if c.indicator_id != indicator_id]
    if level or evidence or needs:
        project.consensus.append(Consensus(indicator_id=indicator_id, level=level, evidence=evidence,
                                           needs=needs, updated_at=now()))


def group_names(project: Project) -> list[str]:
    """Names of the small groups that have rated, in the order they first rated."""
    return list(dict.fromkeys(r.member_id.removeprefix(GROUP_PREFIX) for r in project.ratings if is_group(r.member_id)))


def spread(project: Project, indicator_id: str) -> dict[str, int]:
    """How many individual members rated the indicator at each level (small groups not counted)."""
    counts = dict.fromkeys(LEVELS, 0)
    for r in project.ratings:
        if r.indicator_id == indicator_id and r.level and not is_group(r.member_id):
            counts[r.level] += 1
    return counts


def level_range(project: Project, indicator_id: str) -> int:
    """Highest minus lowest individual level (levels numbered 0-3); 0 with fewer than two ratings."""
    rated = [LEVELS.index(level) for level, n in spread(project, indicator_id).items() if n]
    return max(rated) - min(rated) if rated else 0


def disagreements(project: Project) -> list[str]:
    """Indicators where members' own ratings differ by two levels or more (discuss these first), rubric order."""
    return [i for i in indicator_ids(project) if level_range(project, i) >= 2]


def discussion_order(project: Project, area_id: str | None = None) -> list[str]:
    """Indicator ids of one area (or all), the ones members disagree on most first, then in rubric order."""
    rubric = load_rubric(project)
    ids = [i.id for i in (rubric.area(area_id).indicators if area_id else rubric.indicators())]
    return sorted(ids, key=lambda i: -level_range(project, i) if level_range(project, i) >= 2 else 0)


def spread_text(counts: dict[str, int]) -> str:
    """“Planning 1 · Partially implemented 2 · Implemented 0 · Exemplary 0”."""
    return " · ".join(f"{LEVEL_LABELS[level]} {counts[level]}" for level in LEVELS)


# ---------------------------------------------------------------- progress and the meeting plan


@dataclass(frozen=True)
class AreaProgress:
    area_id: str
    title: str
    indicators: int
    rated_by: int  # members who rated every indicator of the area
    consensus: int  # indicators of the area with a consensus level
    meetings: tuple[str, ...]  # the meetings that rate this area: "Meeting 3 (14 Oct 2025)"


@dataclass(frozen=True)
class Progress:
    areas: tuple[AreaProgress, ...]
    indicators: int
    members: int  # members on the team
    rated_by: int  # members who rated every indicator
    consensus: int  # indicators with a consensus level

    def sentence(self) -> str:
        return (f"Consensus on {self.consensus} of {plural(self.indicators, 'indicator')}; "
                f"{self.rated_by} of {plural(self.members, 'member')} rated every indicator on their own.")


def _rated_by(project: Project, ids: list[str]) -> int:
    done = {(r.member_id, r.indicator_id) for r in project.ratings if r.level}
    return sum(all((m.id, i) in done for i in ids) for m in project.members)


def rated_count(project: Project, member_id: str, area_ids: list[str]) -> tuple[int, int]:
    """(indicators of these areas the member or group has given a level, indicators in these areas)."""
    rubric = load_rubric(project)
    ids = [i.id for a in rubric.areas if a.id in area_ids for i in a.indicators]
    done = {r.indicator_id for r in project.ratings if r.member_id == member_id and r.level}
    return sum(i in done for i in ids), len(ids)


def meetings_by_area(project: Project) -> dict[str, list[str]]:
    """Area id -> the meetings of the plan that rate it ("Meeting 3 (14 Oct 2025)")."""
    found: dict[str, list[str]] = {}
    for meeting in sorted(project.meetings, key=lambda m: m.number):
        label = f"Meeting {meeting.number}" + (f" ({meeting.date:%d %b %Y})" if meeting.date else "")
        for area_id in meeting.rubric_areas:
            found.setdefault(area_id, []).append(label)
    return found


def progress(project: Project) -> Progress:
    """Per area and overall: members who rated every indicator on their own, indicators with consensus."""
    rubric = load_rubric(project)
    agreed = {c.indicator_id for c in project.consensus if c.level}
    meetings = meetings_by_area(project)
    areas = tuple(
        AreaProgress(a.id, a.title, len(a.indicators), _rated_by(project, [i.id for i in a.indicators]),
                     sum(i.id in agreed for i in a.indicators), tuple(meetings.get(a.id, ())))
        for a in rubric.areas)
    ids = [i.id for i in rubric.indicators()]
    return Progress(areas, len(ids), len(project.members), _rated_by(project, ids), sum(i in agreed for i in ids))


def progress_table(project: Project) -> pd.DataFrame:
    """The progress per area, for the screen."""
    p = progress(project)
    return pd.DataFrame(
        [{"Area": a.title, "Indicators": a.indicators,
          "Members who rated it": f"{a.rated_by} of {p.members}",
          "Consensus reached": f"{a.consensus} of {a.indicators}",
          "Rated in": ", ".join(a.meetings) or "not scheduled yet"} for a in p.areas])


def assigned_areas(project: Project) -> list[str]:
    """The areas to rate next: those of the first meeting in the plan whose areas still lack consensus; else all."""
    rubric = load_rubric(project)
    known = {a.id for a in rubric.areas}
    agreed = {c.indicator_id for c in project.consensus if c.level}
    for meeting in sorted(project.meetings, key=lambda m: m.number):
        areas = [a for a in meeting.rubric_areas if a in known]
        if any(i.id not in agreed for a in areas for i in rubric.area(a).indicators):
            return areas
    return [a.id for a in rubric.areas]


# ---------------------------------------------------------------- export


def raters(project: Project) -> list[str]:
    """Everyone with a rating: members in roster order, then former members, then small groups."""
    rated = list(dict.fromkeys(r.member_id for r in project.ratings))
    roster = [m.id for m in project.members if m.id in rated]
    others = [m for m in rated if m not in roster]
    return roster + sorted(others, key=is_group)


def export_table(project: Project) -> pd.DataFrame:
    """One row per indicator: spread of members' own ratings, disagreement flag, consensus, evidence,
    then each member's (and small group's) rating, note and evidence."""
    rubric = load_rubric(project)
    flagged = set(disagreements(project))
    who = raters(project)
    rows = []
    for area in rubric.areas:
        for ind in area.indicators:
            row = {"Area": area.title, "Indicator id": ind.id, "Indicator": ind.title}
            counts = spread(project, ind.id)
            row.update({f"{LEVEL_LABELS[lv]} (members)": counts[lv] for lv in LEVELS})
            row["Members differ by 2+ levels"] = "yes" if ind.id in flagged else ""
            agreed = consensus_of(project, ind.id)
            row["Consensus"] = LEVEL_LABELS.get(agreed.level, "") if agreed and agreed.level else ""
            row["Consensus evidence"] = agreed.evidence if agreed else ""
            row["What we need to find out"] = agreed.needs if agreed else ""
            for member_id in who:
                name, given = rater_name(project, member_id), rating(project, member_id, ind.id)
                row[f"{name}: rating"] = LEVEL_LABELS[given.level] if given and given.level else ""
                row[f"{name}: note"] = given.note if given else ""
                row[f"{name}: evidence"] = given.evidence if given else ""
            rows.append(row)
    return pd.DataFrame(rows)


def consensus_table(project: Project, area_id: str | None = None) -> pd.DataFrame:
    """The consensus overview of one area (or all): indicators members disagree on first, with the spread."""
    table = export_table(project).set_index("Indicator id", drop=False)
    table = table.loc[discussion_order(project, area_id)]
    table["Discuss first"] = table["Members differ by 2+ levels"].map({"yes": "⚑ yes", "": ""})
    groups = [c for c in table.columns if c.startswith("Small group: ") and c.endswith(": rating")]
    columns = ["Indicator id", "Indicator", "Discuss first", *(f"{LEVEL_LABELS[lv]} (members)" for lv in LEVELS),
               *groups, "Consensus", "Consensus evidence", "What we need to find out"]
    return table[columns].reset_index(drop=True)
