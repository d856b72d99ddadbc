"""Step 4 · a member's rating workbook (homework offline): an .xlsx to download, fill in and
upload again under the same name.

`rating_workbook` writes it (a dropdown of the four levels, the indicator ids the upload is matched
by, a hidden sheet naming the project, member and rubric); `read_rating_workbook` reads it back
with one sentence per problem and refuses a workbook of another project or member;
`apply_ratings` saves what was read as that member's ratings.
"""

from __future__ import annotations

import io
import re

from ..errors import UserError
from ..models import LEVEL_LABELS, LEVELS, Project, Rating
from ..text import plural
from .rubric import load_rubric, rating, set_rating
from .rubric_file import MAX_FILE_BYTES

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


def apply_ratings(project: Project, member_id: str, ratings: list[Rating]) -> int:
    """Save ratings read from a member's workbook as that member's; returns how many were saved."""
    if any(r.member_id != member_id for r in ratings):
        raise UserError("These ratings belong to another member; upload the workbook under its owner's name.")
    for r in ratings:
        set_rating(project, member_id, r.indicator_id, r.level, r.note, r.evidence)
    return len(ratings)
