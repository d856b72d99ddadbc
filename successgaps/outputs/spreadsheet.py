"""Spreadsheet files that are safe to open: .xlsx (one sheet per table) and .csv.

Formula neutralisation: a text cell that starts with =, +, -, @ (or a tab or carriage return) is
written as a text cell with Excel's quote prefix in a workbook, and with a leading apostrophe in a
CSV, so a spreadsheet shows what the team typed and never runs it as a formula. Characters a
workbook cannot hold (control characters) are dropped. Numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_START = re.compile(r"^[=+\-@\t\r]")
HEADER_FILL = PatternFill("solid", fgColor="DEEBF7")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would run as a formula (starts with =, +, -, @, tab or CR)."""
    return isinstance(value, str) and bool(FORMULA_START.match(value))


def _cell_value(value: object) -> object:
    """A value openpyxl can write: missing -> empty, tz-aware times -> UTC, numpy scalars -> Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif not isinstance(value, (int, float, bool, dt.date, dt.datetime, dt.time)):
        value = str(value)
    return value


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of []:*?/\\)."""
    base = _SHEET_BAD.sub(" ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def workbook(tables: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table: a bold header row, frozen; columns sized to their content; formulas neutralised."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for name, frame in tables.items():
        sheet = book.create_sheet(sheet_title(name, taken))
        columns = [str(c) for c in frame.columns]
        sheet.append([_cell_value(c) for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            _neutralise(cell)
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_cell_value(v) for v in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                _neutralise(cell)
        for j, column in enumerate(columns, 1):
            values = [len(str(v)) for v in frame.iloc[:200, j - 1] if v is not None] if len(frame) else []
            sheet.column_dimensions[get_column_letter(j)].width = min(60, max(10, len(column), *values, 0) + 2)
        sheet.freeze_panes = "A2"
    if not tables:
        book.create_sheet("Empty")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _neutralise(cell) -> None:
    if is_formula_like(cell.value):
        cell.data_type = "s"  # openpyxl typed it as a formula on assignment; keep it as text
        cell.quotePrefix = True


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A CSV (UTF-8 with BOM, so Excel reads accents) with formula-like text prefixed by an apostrophe."""
    safe = frame.map(lambda v: "'" + v if is_formula_like(v) else v)
    return safe.to_csv(index=False).encode("utf-8-sig")
