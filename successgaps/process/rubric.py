"""Step 4 · the Indicators of Success rubric: its definition, members' ratings, consensus, exports.

The rubric is data (`data/rubric.toml`, or a state's or district's own file in the same shape),
validated by the pydantic models below. Area and indicator ids never change: ratings are matched
by id. A project keeps the rubric it was rated with: the first rating (or a custom upload) stores
the rubric document in the project (`Project.rubric_doc`), so a newer shipped rubric never changes
what a team already rated.

Everything here works on a `Project` in memory; the page saves it afterwards. Bad input raises
`UserError` with one sentence and leaves the project unchanged.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ..errors import UserError
from ..models import LEVEL_LABELS, LEVELS, Consensus, Project, Rating, now
from .progress import plural

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "rubric.toml"
GROUP_PREFIX = "group:"  # Rating.member_id of a small group's rating: "group:<name>"
MAX_FILE_BYTES = 5 * 1024**2
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# ---------------------------------------------------------------- the rubric schema


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True)


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"“{value}” is not a valid id; use lower-case letters, digits and hyphens, like “ddm-1”")
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]


class Indicator(_Schema):
    id: Slug
    title: str = Field(min_length=1)
    levels: dict[str, str]  # level ("planning", "partial", "implemented", "exemplary") -> descriptor

    @field_validator("levels")
    @classmethod
    def _four_levels(cls, levels: dict[str, str]) -> dict[str, str]:
        for key in levels:
            if key not in LEVELS:
                raise PydanticCustomError("level", "“{key}” is not a level; the levels are " + ", ".join(LEVELS),
                                          {"key": key})
        for key in LEVELS:
            if not levels.get(key, "").strip():
                raise PydanticCustomError("level", "the level “{key}” has no descriptor; add {key} = \"…\"",
                                          {"key": key})
        return {key: levels[key].strip() for key in LEVELS}


class Area(_Schema):
    id: Slug
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)  # why this area matters for equity
    questions: list[str] = Field(default_factory=list)  # probing questions for the team
    indicators: list[Indicator] = Field(min_length=1)


class Rubric(_Schema):
    id: Slug
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    areas: list[Area] = Field(min_length=1)

    def indicators(self) -> list[Indicator]:
        return [i for a in self.areas for i in a.indicators]

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id (KeyError if the rubric has none)."""
        for area in self.areas:
            for ind in area.indicators:
                if ind.id == indicator_id:
                    return ind
        raise KeyError(indicator_id)

    def area(self, area_id: str) -> Area:
        """The area with this id (KeyError if the rubric has none)."""
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def area_of(self, indicator_id: str) -> Area:
        """The area an indicator belongs to (KeyError if the rubric has no such indicator)."""
        for area in self.areas:
            if any(i.id == indicator_id for i in area.indicators):
                return area
        raise KeyError(indicator_id)


# ---------------------------------------------------------------- reading a rubric file


class RubricFileError(UserError):
    """A rubric file with problems; `problems` holds one sentence per problem, naming line and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" ({plural(len(problems) - 1, 'more problem')} below)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r'^\s*((?:[A-Za-z0-9_-]+|"[^"]*")(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"))*)\s*=')


def _line_map(text: str) -> dict[tuple, int]:
    """Line number of every table and key of a TOML text, by path: ("areas", 1, "indicators", 0, "id") -> 57.

    Arrays of tables (`[[areas]]`) are counted per parent, so the path matches pydantic's error locations.
    """
    lines: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    closing = ""  # the quote that ends the multi-line string we are in, if any
    for number, line in enumerate(text.splitlines(), 1):
        if closing:
            if line.count(closing) % 2:
                closing = ""
            continue
        header = _HEADER.match(line)
        if header:
            path: tuple = ()
            parts = [p.strip().strip('"') for p in header.group(2).split(".")]
            for i, part in enumerate(parts):
                path += (part,)
                if i == len(parts) - 1 and header.group(1) == "[[":
                    counts[path] = counts.get(path, -1) + 1
                    path += (counts[path],)
                elif path in counts:
                    path += (counts[path],)
            table = path
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault(table + tuple(p.strip().strip('"') for p in key.group(1).split(".")), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2:
                    closing = quote
    return lines


def _where(doc: dict, loc: tuple) -> tuple[str, str]:
    """(the area or indicator a location is in, the field) — for sentences about a problem."""
    where, field, node = "top of the file", [], doc
    for i, part in enumerate(loc):
        node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
        if isinstance(part, int) and i > 0 and loc[i - 1] in ("areas", "indicators"):
            kind = "area" if loc[i - 1] == "areas" else "indicator"
            ident = node.get("id") if isinstance(node, dict) else None
            where = f"{kind} “{ident}”" if isinstance(ident, str) and ident else f"{kind} number {part + 1}"
            field = []
        elif isinstance(part, int):
            field.append(f"(item {part + 1})")
        elif part not in ("areas", "indicators") or i == len(loc) - 1:
            field.append(part)
    return where, ".".join(field).replace(".(", " (")


def _has(node, part) -> bool:
    return (isinstance(node, dict) and part in node) or (isinstance(node, list) and isinstance(part, int)
                                                         and 0 <= part < len(node))


def _sentence(lines: dict[tuple, int], doc: dict, loc: tuple, detail: str) -> str:
    line = next((lines[loc[:k]] for k in range(len(loc), 0, -1) if loc[:k] in lines), None)
    where, field = _where(doc, loc)
    start = f"Line {line}, {where}" if line else f"At the {where}" if where == "top of the file" else where.capitalize()
    return f"{start}, field “{field or 'id'}”: {detail}."


def _detail(error: dict) -> str:
    kind, msg = error["type"], error["msg"].removeprefix("Value error, ")
    if kind == "missing":
        return "it is missing; add it"
    if kind == "extra_forbidden":
        return "the rubric has no such field; check its spelling or remove it"
    if kind in ("string_too_short", "too_short"):
        return "it is empty; fill it in"
    return msg[0].lower() + msg[1:]


def _loc(error: dict) -> tuple:
    """Where a validation error is: a level's own key when the error is about one level."""
    key = error.get("ctx", {}).get("key") if error["type"] == "level" else None
    return tuple(error["loc"]) + ((key,) if key else ())


def _syntax_error(text: str, exc: tomllib.TOMLDecodeError) -> str:
    """“Line 86, field “title”: …” for a TOML syntax error."""
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    if not found:
        return f"The rubric file is not valid TOML ({exc}); fix it and load it again."
    number = int(found.group(1))
    lines = text.splitlines()
    key = _KEY.match(lines[number - 1]) if number <= len(lines) else None
    field = f", field “{key.group(1).strip()}”" if key else ""
    problem = str(exc)[: found.start()].strip()
    return (f"Line {number}{field}: this is not valid TOML ({problem} at column {found.group(2)}); check the quotes, "
            "brackets and “=” on that line and load the file again.")


def parse_rubric(text: str) -> Rubric:
    """Read and validate a rubric file's text (TOML); RubricFileError names the line and field of each problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricFileError([_syntax_error(text, exc)]) from None
    lines = _line_map(text)
    try:
        rubric = Rubric.model_validate(doc)
    except ValidationError as exc:
        raise RubricFileError([_sentence(lines, doc, _loc(e), _detail(e)) for e in exc.errors()]) from None
    problems = [_sentence(lines, doc, loc, detail) for loc, detail in _duplicates(rubric)]
    if problems:
        raise RubricFileError(problems)
    return rubric


def _duplicates(rubric: Rubric) -> list[tuple[tuple, str]]:
    """Ids used twice: (location, detail) of each second use."""
    found, seen = [], {"area": set(), "indicator": set()}
    for a, area in enumerate(rubric.areas):
        if area.id in seen["area"]:
            found.append((("areas", a, "id"), f"the area id “{area.id}” is used twice; give each area its own id"))
        seen["area"].add(area.id)
        for i, ind in enumerate(area.indicators):
            if ind.id in seen["indicator"]:
                found.append((("areas", a, "indicators", i, "id"),
                              f"the indicator id “{ind.id}” is used twice; give each indicator its own id"))
            seen["indicator"].add(ind.id)
    return found


def read_rubric_file(data: bytes) -> Rubric:
    """An uploaded rubric file (bytes) -> Rubric, or RubricFileError with one sentence per problem."""
    if len(data) > MAX_FILE_BYTES:
        raise RubricFileError(["The rubric file is larger than 5 MB; a rubric is a small text file (.toml)."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RubricFileError(["The rubric file is not a text file in UTF-8; save it as UTF-8 text (.toml) "
                               "and load it again."]) from None
    return parse_rubric(text)


def default_rubric_text() -> str:
    """The shipped rubric file, a starting point for a state's or district's own version."""
    return DEFAULT_PATH.read_text(encoding="utf-8")


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


def apply_ratings(project: Project, member_id: str, ratings: list[Rating]) -> int:
    """Save ratings read from a member's workbook as that member's; returns how many were saved."""
    if any(r.member_id != member_id for r in ratings):
        raise UserError("These ratings belong to another member; upload the workbook under its owner's name.")
    for r in ratings:
        set_rating(project, member_id, r.indicator_id, r.level, r.note, r.evidence)
    return len(ratings)


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


# ---------------------------------------------------------------- the rating workbook (homework offline)

WORKBOOK_FORMAT = "successgaps-rating-workbook"
_RATING_HEADER = "Your rating"
_ID_HEADER = "Indicator id"
_ABOUT = "About"
_LEVEL_BY_TEXT = {**{lv: lv for lv in LEVELS}, **{label.lower(): lv for lv, label in LEVEL_LABELS.items()}}


def _sheet_title(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\']", " ", f"Ratings - {name}")[:31].strip()


def rating_workbook(project: Project, member_id: str, area_ids: list[str] | None = None) -> bytes:
    """A member's rating workbook (.xlsx) for some areas (all when none given), prefilled with their ratings.

    Column B holds the indicator ids the upload is matched by; column H has a dropdown of the four levels.
    A hidden “About” sheet records the project, member and rubric, so an upload under the wrong name is refused.
    """
    from openpyxl import Workbook  # noqa: PLC0415 - only needed for workbooks
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    member = project.member(member_id)
    if member is None:
        raise UserError("That member is no longer on the team; pick your name again from the list.")
    rubric = load_rubric(project)
    areas = [a for a in rubric.areas if not area_ids or a.id in area_ids]

    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(member.name)
    sheet["A1"] = f"{rubric.title} — rating workbook of {member.name}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"Project: {project.name} · rubric version {rubric.version}"
    sheet["A3"] = ("For each indicator choose a level in the “Your rating” column (use the dropdown), add a note "
                   "and your evidence, save, and upload this file on the Rubric page under your own name. "
                   "Do not change the indicator ids in column B.")
    header = ["Area", _ID_HEADER, "Indicator", *(LEVEL_LABELS[lv] for lv in LEVELS), _RATING_HEADER, "Note", "Evidence"]
    sheet.append([])
    sheet.append(header)
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    for area in areas:
        for ind in area.indicators:
            given = rating(project, member_id, ind.id)
            sheet.append([area.title, ind.id, ind.title, *(ind.levels[lv] for lv in LEVELS),
                          LEVEL_LABELS[given.level] if given and given.level else "",
                          given.note if given else "", given.evidence if given else ""])
    last = sheet.max_row
    choices = DataValidation(type="list", formula1='"' + ",".join(LEVEL_LABELS.values()) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="Choose a level",
                             error="Choose Planning, Partially implemented, Implemented or Exemplary.")
    sheet.add_data_validation(choices)
    if last > 5:
        choices.add(f"H6:H{last}")
    for column, width in zip("ABCDEFGHIJ", (22, 10, 34, 40, 40, 40, 40, 22, 40, 40)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "D6"

    about = book.create_sheet(_ABOUT)
    for key, value in (("format", WORKBOOK_FORMAT), ("project_id", project.id), ("member_id", member.id),
                       ("member_name", member.name), ("rubric_id", rubric.id), ("rubric_version", rubric.version)):
        about.append([key, value])
    about.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def read_rating_workbook(project: Project, data: bytes, member_id: str) -> tuple[list[Rating], list[str]]:
    """Read a member's filled-in rating workbook: (their ratings, one sentence per problem).

    Refused as a whole (no ratings) when the file is not a rating workbook of this project or belongs to
    another member. Rows with an unknown indicator id, an invalid level or no level are skipped and reported;
    nothing is saved here (see `apply_ratings`).
    """
    from openpyxl import load_workbook  # noqa: PLC0415

    fresh = "download a fresh workbook from the Rubric page"
    if len(data) > MAX_FILE_BYTES:
        return [], [f"The file is larger than 5 MB, too large for a rating workbook; {fresh}."]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for files that are not workbooks
        return [], [f"This file is not an Excel workbook (.xlsx); upload the rating workbook you filled in, or {fresh}."]
    if _ABOUT not in book.sheetnames:
        return [], [f"This workbook is not a Success Gaps rating workbook (its “About” sheet is missing); {fresh}."]
    about = {_text(row[0]): _text(row[1]) for row in book[_ABOUT].iter_rows(max_col=2, values_only=True) if row and row[0]}
    member = project.member(member_id)
    if about.get("format") != WORKBOOK_FORMAT:
        return [], [f"This workbook is not a Success Gaps rating workbook; {fresh}."]
    if about.get("project_id") != project.id:
        return [], [f"This rating workbook belongs to another project; {fresh} of this project."]
    if member is None:
        return [], ["That member is no longer on the team; pick your name again from the list."]
    if about.get("member_id") != member_id:
        owner = project.member(about.get("member_id", ""))
        owner_name = owner.name if owner else about.get("member_name") or "another member"
        return [], [f"This workbook belongs to {owner_name}, not {member.name}; to keep everyone's ratings their own, "
                    f"upload it under {owner_name}'s name, or {fresh} for {member.name}."]

    rows = list(book.worksheets[0].iter_rows(values_only=True))
    head = next((n for n, row in enumerate(rows[:20]) if _ID_HEADER in [_text(c) for c in row]), None)
    if head is None:
        return [], [f"The ratings sheet has no “{_ID_HEADER}” column any more; {fresh} and copy your ratings into it."]
    names = [_text(c) for c in rows[head]]
    missing = [h for h in (_RATING_HEADER, "Note", "Evidence") if h not in names]
    if missing:
        return [], [f"The ratings sheet has no “{missing[0]}” column any more; {fresh} and copy your ratings into it."]
    col = {h: names.index(h) for h in (_ID_HEADER, _RATING_HEADER, "Note", "Evidence")}

    rubric = load_rubric(project)
    known = {i.id for i in rubric.indicators()}
    ratings: dict[str, Rating] = {}
    problems, blank = [], []
    for number, row in enumerate(rows[head + 1:], head + 2):
        cells = [_text(row[col[h]]) if col[h] < len(row) else "" for h in (_ID_HEADER, _RATING_HEADER, "Note", "Evidence")]
        ident, level_text, note, evidence = cells
        if not any(cells):
            continue
        if ident not in known:
            problems.append(f"Row {number}: “{ident or '(empty)'}” is not an indicator id of this rubric, so the row was "
                            "skipped; do not change the ids in column B.")
        elif ident in ratings:
            problems.append(f"Row {number}: indicator {ident} appears a second time; only its first row was used.")
        elif not level_text:
            blank.append(ident)
        elif level_text.lower() not in _LEVEL_BY_TEXT:
            problems.append(f"Row {number} ({ident}): “{level_text}” is not a level, so the row was skipped; "
                            f"choose {', '.join(LEVEL_LABELS.values())} from the dropdown.")
        else:
            ratings[ident] = Rating(indicator_id=ident, member_id=member_id, level=_LEVEL_BY_TEXT[level_text.lower()],
                                    note=note, evidence=evidence)
    if blank:
        problems.append(f"{plural(len(blank), 'indicator has', 'indicators have')} no rating chosen "
                        f"({', '.join(blank)}); {'it was' if len(blank) == 1 else 'they were'} left as before.")
    return list(ratings.values()), problems
