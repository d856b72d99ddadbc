"""Spreadsheet files that are safe to open: .xlsx (one sheet per table) and .csv.

Formula neutralisation: a text cell that starts with =, +, -, @ (or a tab or carriage return) is
written as a text cell with Excel's quote prefix in a workbook, and with a leading apostrophe in a
CSV, so a spreadsheet shows what the team typed and never runs it as a formula. Characters a
workbook cannot hold (control characters) are dropped. Numbers stay numbers.

The CSV writer works a column at a time (no Python call per cell): text columns are checked and
prefixed with Arrow's string kernels, numbers are turned into text by numpy exactly as pandas'
`to_csv` does, and the rows are joined by Arrow. Its text is byte for byte what
`frame.map(neutralise).to_csv(index=False)` writes (`tests/test_spreadsheet.py`); a column of a
kind it does not know (dates, times, ...) sends the whole table through that slower path.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# openpyxl is imported where a workbook is written (0.3 s of the command line's start-up otherwise)

from ..slices import in_order, step
from ..text import is_formula_like

HEADER_COLOR = "DEEBF7"
# openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE (the same pattern: tests/test_spreadsheet.py), without importing openpyxl
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


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
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for name, frame in tables.items():
        sheet = book.create_sheet(sheet_title(name, taken))
        columns = [str(c) for c in frame.columns]
        sheet.append([_cell_value(c) for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER_COLOR)
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
    return b"\xef\xbb\xbf" + csv_utf8(frame)


def csv_text(frame: pd.DataFrame) -> str:
    """The CSV text (no BOM) of `frame`, formula-like text prefixed by an apostrophe: the text of
    `frame.map(lambda v: "'" + v if is_formula_like(v) else v).to_csv(index=False)`."""
    return csv_utf8(frame).decode("utf-8")


def csv_write(frame: pd.DataFrame, path, rows: int = 125_000) -> None:
    """`csv_utf8(frame)` written to the file `path`, `rows` rows at a time, two slices at once (`slices.in_order`:
    0.54 → 0.40 s for a million records' 214,000 rows): the text of a large table (a 10M-row file's screen is over
    2M rows) is never all in memory at once. The slices are of one size (`slices.step`: 214,000 rows, two of 107,000,
    not 125,000 and then 89,000 alone; 0.40 → 0.34 s). A frame with a column only the slow path writes is written
    whole that way: pandas' text of such a column depends on all its values (1 is "1.0" beside 2.5, "1" beside "x")."""
    rows = step(len(frame), rows)
    with open(path, "wb") as out:
        for text in in_order(lambda start: _fast_csv(frame.iloc[start: start + rows], header=start == 0),
                             range(0, max(len(frame), 1), rows)):
            if text is None:
                out.seek(0)
                out.truncate()
                out.write(csv_utf8(frame))
                return
            out.write(text)


def csv_utf8(frame: pd.DataFrame, header: bool = True) -> bytes:
    """`csv_text` as UTF-8 bytes (no BOM); `header=False`: the rows only."""
    text = _fast_csv(frame, header)
    if text is None:  # a kind of column the fast writer does not know: the slow path
        return (frame.map(lambda v: "'" + v if is_formula_like(v) else v).to_csv(index=False, header=header)
                .encode("utf-8"))
    return text


def _fast_csv(frame: pd.DataFrame, header: bool) -> bytes | None:
    """`csv_utf8(frame, header)` written by Arrow, column by column; None when a column is of a kind it does not
    know (`_csv_column`)."""
    floats: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    columns = [_csv_column(frame.iloc[:, j], floats, j) for j in range(frame.shape[1])]
    if any(c is None for c in columns):
        return None
    for j, text in _float_text(floats).items():
        columns[j] = text
    head = io.StringIO()
    if header:
        csv.writer(head, lineterminator="\n").writerow(["'" + str(c) if is_formula_like(str(c)) else str(c)
                                                         for c in frame.columns])
    if not len(frame):
        return head.getvalue().encode("utf-8")
    columns = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]
    if len(columns) == 1:  # the csv module quotes a lone empty field, so that the row is not blank
        columns = [pc.if_else(pc.equal(columns[0], ""), '""', columns[0])]
    # each line with its "\n": the array's character data, end to end, is then the body
    lines = pc.binary_join_element_wise(*columns, ",") if len(columns) > 1 else columns[0]
    lines = pc.binary_join_element_wise(lines, "", "\n")
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    lines = lines.cast(pa.large_string())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset: lines.offset + len(lines) + 1]
    body = lines.buffers()[2].to_pybytes()[offsets[0]: offsets[-1]]
    return head.getvalue().encode("utf-8") + body


def _quote_characters() -> str:
    """The characters that make the csv module (as pandas uses it) quote a field; "\r" depends on the
    Python version."""
    found = []
    for character in ',"\n\r':
        line = io.StringIO()
        csv.writer(line, lineterminator="\n").writerow(["a" + character, "b"])
        if line.getvalue().startswith('"'):
            found.append(character)
    return "[" + re.escape("".join(found)) + "]"


_NEEDS_QUOTES = _quote_characters()
_FORMULA = r"^[=+\-@\t\r]"


def _quoted(text: pa.Array) -> pa.Array:
    """Quote a text column as the csv module does (QUOTE_MINIMAL): fields with a comma, a quote or a
    line break are quoted, their quotes doubled."""
    needs = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return text
    wrapped = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, wrapped, text)


def _strings(values: pa.Array) -> pa.Array:
    """Text cells: formula-like ones prefixed by an apostrophe, quoted where needed; missing ones
    empty. Checked once per distinct value (a gap table's text columns repeat a few labels)."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    encoded = pc.dictionary_encode(values.cast(pa.string()))
    distinct = encoded.dictionary
    formula = pc.fill_null(pc.match_substring_regex(distinct, _FORMULA), False)
    if pc.any(formula).as_py():
        distinct = pc.if_else(formula, pc.binary_join_element_wise("'", distinct, ""), distinct)
    return pc.fill_null(pc.take(_quoted(distinct), encoded.indices), "")


def _float_text(floats: dict[int, tuple[np.ndarray, np.ndarray]]) -> dict[int, pa.Array]:
    """Floating-point columns as numpy's own text (`astype(str)`, what pandas' to_csv writes: the
    shortest text that reads back as the same number, "1.0", "1e-05", "1e+16"), missing ones empty.
    DuckDB's cast to text gives the same text (`tests/test_spreadsheet.py`), ten times faster."""
    if not floats:
        return {}
    import duckdb  # noqa: PLC0415

    names = {j: f"c{j}" for j in floats}
    table = pa.table({names[j]: pa.array(values, mask=missing) for j, (values, missing) in floats.items()})
    table = pa.Table.from_batches(table.to_batches(max_chunksize=1 << 15), table.schema)  # batches: cast on every core
    con = duckdb.connect()
    try:
        con.register("floats", table)
        text = con.sql("SELECT " + ", ".join(f"coalesce(CAST({n} AS VARCHAR), '') AS {n}" for n in names.values())
                       + " FROM floats").to_arrow_table()
    finally:
        con.close()
    return {j: text.column(names[j]).combine_chunks().cast(pa.string()) for j in floats}


def _csv_column(column: pd.Series, floats: dict, j: int) -> pa.Array | bool | None:
    """One column's CSV text; True for a float column (left in `floats` for `_float_text`); None when
    it is of a kind only the slow path knows."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        return _strings(pa.array(column.array, from_pandas=True) if len(column) else pa.array([], pa.string()))
    if isinstance(dtype, pd.CategoricalDtype):
        if not (pd.api.types.is_string_dtype(dtype.categories.dtype) or dtype.categories.dtype == object):
            return None
        column = column.astype(object)
        dtype = column.dtype
    if dtype == object:
        values = column.to_numpy(dtype=object)
        try:  # text and missing values only (the usual case); else the slow path
            array = pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
        return _strings(array)
    masked = isinstance(column.array, pd.arrays.IntegerArray | pd.arrays.BooleanArray | pd.arrays.FloatingArray)
    values, missing = (column.array._data, column.array._mask) if masked else (column.to_numpy(), None)
    if dtype == np.float64 or dtype == "Float64":
        floats[j] = (values, np.isnan(values) if missing is None else missing | np.isnan(values))
        return True
    if values.dtype.kind in "iu":  # Arrow's text of an integer is Python's
        return pc.fill_null(pc.cast(pa.array(values, mask=missing), pa.string()), "")
    if values.dtype.kind == "b":
        return pc.fill_null(pc.if_else(pa.array(values, mask=missing), "True", "False"), "")
    return None
