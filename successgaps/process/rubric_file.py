"""The Indicators of Success rubric as a file: its schema and reading it.

The rubric is data (`data/rubric.toml`, or a state's or district's own file in the same shape),
validated by the pydantic models below: areas with their probing questions and indicators, each
indicator with a descriptor for each of the four levels. Area and indicator ids never change:
ratings are matched by id. `parse_rubric`/`read_rubric_file` name the line and the field of every
problem (`RubricFileError`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated

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
from ..models import LEVELS
from ..text import plural

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "rubric.toml"
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
