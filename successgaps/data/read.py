"""Reading an upload into one DuckDB table, every column VARCHAR so codes like "000123", "PS" and "."
survive.

`read_upload` loads a CSV/TSV/TXT (any common delimiter; UTF-8, UTF-8 with BOM, Windows-1252/Latin-1,
UTF-16), an Excel sheet (openpyxl read-only, streamed in batches: DuckDB's excel extension cannot be
downloaded offline) or a
Parquet file, refuses files over `MAX_FILE_BYTES`, and reports DuckDB's own progress. Uploads are
spooled to a temporary file in the workspace folder (`spooled`) and deleted after reading. Bad input
raises `UserError` with one sentence and leaves nothing behind.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from ..errors import UserError, storage_error, write_fault
from ..models import new_id
from ..sql import quote_ident
from .codes import MISSING, clean_sql

MAX_FILE_BYTES = 1024**3  # 1 GB: larger files are refused with a sentence
MAX_COLUMNS = 2_000  # more columns than any school data export; detection time grows with them
MAX_LINE_CHARS = 1_000_000  # one row (the header too) of a text file
MAX_CELLS = 300_000_000  # rows x columns of one file: a 10-million-record file of 30 columns (the command screens one in about 6.5 GB)
SAMPLE_CHARS = 200_000
CHUNK_BYTES = 16 * 1024**2  # a text file is checked (encoding, spaces to trim) this much at a time
DELIMITERS = (",", ";", "\t", "|")
CLEAN = clean_sql("COLUMNS(*)")  # every column cleaned, under its own name
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
Progress = Callable[[float, str], None]


def excel_sheets(data: bytes | Path, *, largest_first: bool = False) -> list[str]:
    """Names of the sheets of an Excel workbook, in workbook order; `largest_first`: the sheet of the most cells
    first, by the size each sheet states (a cover or notes sheet comes before the data in many exports)."""
    import openpyxl  # noqa: PLC0415 - only needed for Excel

    try:  # a file, not its name: openpyxl refuses a name without .xlsx, and an upload is spooled as .tmp
        with io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else open(data, "rb") as source:
            book = openpyxl.load_workbook(source, read_only=True)
            try:
                names = list(book.sheetnames)
                if largest_first:  # a stable sort: sheets of one size keep the workbook's order
                    size = {n: (book[n].max_row or 0) * (book[n].max_column or 0) for n in names}
                    names.sort(key=lambda n: -size[n])
                return names
            finally:
                book.close()
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UserError("This Excel file cannot be opened; open it in Excel, save it as .xlsx and upload it again.") from exc


@contextlib.contextmanager
def spooled(upload, folder: Path | str) -> Iterator[Path]:
    """Write an uploaded file (bytes or a file-like object) to a temporary file in `folder`;
    yield its path and delete it afterwards (the workspace folder, so the data stay on this machine).
    A full or read-only disk is one sentence, and no part of the copy stays behind."""
    name = None
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as out:
            if isinstance(upload, (bytes, bytearray)):
                out.write(upload)
            else:
                upload.seek(0)
                shutil.copyfileobj(upload, out, 8 * 1024**2)
    except OSError as exc:
        if name:
            with contextlib.suppress(OSError):
                os.unlink(name)
        raise storage_error(exc, Path(folder)) from exc
    try:
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def read_upload(con: duckdb.DuckDBPyConnection, data: bytes | Path, filename: str, table: str, *,
                sheet: str | None = None, progress: Progress | None = None, tmp_dir: Path | None = None) -> int:
    """Load one file into `table` (quoted, qualified, not existing yet); every column VARCHAR, each value as
    `codes.clean_sql` reads it (spaces trimmed, missing-value marks NULL): cleaned once here, so no later scan
    cleans it again (`DataFile.cleaned`). Returns the number of data rows. On any problem: `UserError`, and no
    table is left behind."""
    if isinstance(data, (bytes, bytearray)):
        with spooled(data, tmp_dir or tempfile.gettempdir()) as path:
            return read_upload(con, path, filename, table, sheet=sheet, progress=progress, tmp_dir=tmp_dir)
    path = Path(data)
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"{filename} is empty; export the data again and upload the new file.")
    if size > MAX_FILE_BYTES:
        raise UserError(f"{filename} is {size / 1024**2:,.0f} MB, more than the {MAX_FILE_BYTES / 1024**2:,.0f} MB "
                        "this app reads; upload fewer years or columns at a time.")
    report = progress or (lambda fraction, text: None)
    with open(path, "rb") as fh:
        head = fh.read(8)
    kind = file_kind(head, filename)
    try:
        if kind == "parquet":
            report(0.0, f"Reading {filename}")
            _load_parquet(con, path, filename, table)
        elif kind == "excel":
            report(0.0, f"Reading {filename}")
            _load_excel(con, path, filename, table, sheet)
        else:  # its first report comes as DuckDB begins reading (`_run_with_progress`)
            _load_text(con, path, filename, table, report, tmp_dir)
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        width = len(columns_of(con, table))
        if rows * width > MAX_CELLS:
            raise UserError(f"{filename} has {rows:,} rows of {width:,} columns, more than the {MAX_CELLS:,} cells "
                            "this app reads at once; upload fewer years or columns at a time.")
        if rows == 0:
            raise UserError(f"{filename} has a header row but no data rows; export it again with the data.")
    except BaseException as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        fault = None if isinstance(exc, UserError) else write_fault(exc, tmp_dir or path.parent)
        if fault is not None:  # a full disk while the table is written: its sentence, not a reading error
            raise fault from exc
        raise
    report(1.0, f"Read {rows:,} rows from {filename}")
    return rows


def file_kind(head: bytes, filename: str) -> str:
    """'parquet', 'excel' or 'text' from the file's first bytes (its name only when they say nothing); a PDF or an
    old .xls is one sentence."""
    lower = filename.lower()
    if head.startswith(b"%PDF"):
        raise UserError(f"{filename} is a PDF document, not a data table; export the data as CSV or Excel and upload that.")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "excel"  # .xlsx is a zip; anything else zipped fails in openpyxl with a sentence
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(f"{filename} is an old Excel (.xls) or Office file; open it in Excel, save it as .xlsx or CSV, "
                        "and upload that.")
    if lower.endswith(".parquet") or lower.endswith(EXCEL_SUFFIXES):
        raise UserError(f"{filename} is damaged or is not really a {Path(lower).suffix} file; export it again.")
    return "text"


def _control(ch: str) -> bool:
    """A control character no text table holds (direction marks and other format characters are fine)."""
    return ch not in "\t\r\n" and unicodedata.category(ch) in ("Cc", "Cs")


def _not_a_table(filename: str) -> UserError:
    return UserError(f"{filename} is not a text table (CSV), Excel or Parquet file; export the data as CSV or "
                     "Excel and upload that.")


def _encoding_and_padding(path: Path, filename: str) -> tuple[str, bool]:
    """('utf-8' (with or without BOM), 'utf-16' or 'cp1252' (Windows-1252, a superset of Latin-1's letters), padded):
    `padded` False only for a UTF-8 file where no value can start or end with a space (`_PADDED`) and no Unicode
    space that DuckDB's `trim` removes appears at all: its values need no trimming (`_load_text`)."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even < len(head) // 50:
            return "utf-16-le", True
        if even > len(head) // 4 and odd < len(head) // 50:
            return "utf-16-be", True
        raise _not_a_table(filename)
    decoder = codecs.getincrementaldecoder("utf-8")()
    padded, last = False, None
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                if not padded:  # once found, the rest is only checked for its encoding
                    # the header's names are not values: the search starts on the line after it; then it takes in
                    # the last byte before the chunk (a space and a separator on either side of the border)
                    padded = (_PADDED.search(chunk, chunk.find(b"\n") + 1) if last is None else
                              _PADDED.search(last + chunk[:1]) or _PADDED.search(chunk)) is not None
                last = chunk[-1:]
                if not (chunk.isascii() and not decoder.getstate()[0]):  # plain ASCII is UTF-8: 5 times quicker
                    text = decoder.decode(chunk)
                    padded = padded or any(space in text for space in _UNICODE_SPACES)
            decoder.decode(b"", final=True)
        return "utf-8", padded or last == b" "
    except UnicodeDecodeError:
        return "cp1252", True


# a space beside a separator, a quote or a line break: a value that may start or end with a space (any common
# separator counts, whichever the file uses; a space inside a quoted value beside a comma counts too: the file
# is then trimmed as every file was)
_PADDED = re.compile(rb" (?:[,;\t|\r\n\"]|(?<=[,;\t|\r\n\"] ))")
_UNICODE_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


def _cp1252_or_latin1(error: UnicodeDecodeError):
    # The five bytes Windows-1252 leaves undefined decode as Latin-1.
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("sg_latin1", _cp1252_or_latin1)


def _transcode(path: Path, encoding: str, tmp_dir: Path | None) -> Path:
    fd, name = tempfile.mkstemp(prefix="utf8-", suffix=".csv", dir=tmp_dir)
    try:
        return _write_utf8(path, encoding, fd, name)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(name)
        if isinstance(exc, OSError):
            raise storage_error(exc, Path(tmp_dir or tempfile.gettempdir())) from exc
        raise


def _write_utf8(path: Path, encoding: str, fd: int, name: str) -> Path:
    """`_transcode`'s copy: the file in UTF-8 at `name` (open as `fd`)."""
    with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        if encoding == "cp1252":  # line by line: lines already in UTF-8 (a file pasted from two sources) stay right
            for line in src:
                try:
                    out.write(line.decode("utf-8"))
                except UnicodeDecodeError:
                    out.write(line.decode("cp1252", errors="sg_latin1"))
            return Path(name)
        reader = codecs.getreader(encoding)(src, errors="strict")  # a UnicodeDecodeError: not a text table
        while chunk := reader.read(8 * 1024**2):
            out.write(chunk)
    return Path(name)


def _dialect(sample: str, filename: str) -> tuple[str, list[str]]:
    """The delimiter and the header names, from the first lines of the file."""
    lines = sample.splitlines()[:200]
    if len(sample) >= 200_000 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample may be incomplete
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise UserError(f"{filename} has no rows; export the data again and upload the new file.")
    best: tuple[float, int, str] | None = None
    for delim in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delim, quotechar='"'))
        except csv.Error:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (consistent, width, delim)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        if sum(not _control(ch) for ch in sample[:10000]) < 0.95 * min(len(sample), 10000):
            raise _not_a_table(filename)
        titles = _title_lines(lines)
        if titles:  # a report's title and run date above the header row, as many exports write them
            raise UserError(f"{filename} starts with {titles} line{'s' if titles > 1 else ''} before its header row "
                            f"(\u201c{lines[0].strip()[:60]}\u201d); delete every line above the column names and "
                            "upload it again.")
        raise UserError(f"{filename} has only one column; save it as CSV with a header row and one column per field "
                        "(separated by commas, semicolons or tabs) and upload it again.")
    delim = best[2]
    header = next(csv.reader(lines[:1], delimiter=delim, quotechar='"'))
    return delim, header


def _title_lines(lines: list[str]) -> int:
    """How many lines of one field come before the first line of several (by any common separator, and the next
    line too): the title lines above a header row; 0 when no such line follows (a file of one column)."""
    def fields(line: str) -> int:
        return max(len(next(csv.reader([line], delimiter=d, quotechar='"'), [])) for d in DELIMITERS)
    for k, line in enumerate(lines[:20]):
        if fields(line) >= 2 and k + 1 < len(lines) and fields(lines[k + 1]) == fields(line):
            return k
    return 0


def _check_header(names: list[str], filename: str, allow_empty_at: set[int] = frozenset()) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if not name.strip():
            if i - 1 in allow_empty_at:
                continue
            raise UserError(f"Column {i} of {filename} has no name in the header row; type a name for it (or delete "
                            "the column) and upload the file again.")
        key = name.strip().lower()
        if key in seen:
            raise UserError(f"Columns {seen[key]} and {i} of {filename} are both called \u201c{name.strip()}\u201d; "
                            "give each column a different name in the header row and upload the file again.")
        seen[key] = i


@contextlib.contextmanager
def _any_order(con):
    """Rows stored in any order while a file is written into the workspace: DuckDB then writes it with every
    core (at 1M rows, 1.4 s instead of 2.5 s). Nothing reads a file's rows by their order: every figure is a
    sum or a count, and detection samples rows by their content (`detect._profiles`)."""
    con.execute("SET SESSION preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute("RESET SESSION preserve_insertion_order")


def _run_with_progress(con, sql: str, params: list, report: Progress, text: str) -> None:
    """Run one statement; while it runs, pass DuckDB's own progress to `report` (same thread as the caller)."""
    error: list[BaseException] = []

    def work():
        try:
            con.execute(sql, params)
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    report(0.0, text)  # the statement has begun: a caller may start work of its own beside it
    while worker.is_alive():
        worker.join(0.2)
        with contextlib.suppress(Exception):
            done = con.query_progress()
            if done >= 0:
                report(min(done, 99.0) / 100, text)
    if error:
        raise error[0]


_LINE_ERROR = re.compile(r"CSV Error on Line: (\d+).*?Expected Number of Columns: (\d+) Found: (\d+)", re.S)


def _load_text(con, path: Path, filename: str, table: str, report: Progress, tmp_dir: Path | None) -> None:
    encoding, padded = _encoding_and_padding(path, filename)
    source, temp = path, None
    try:
        if encoding not in ("utf-8",):
            report(0.02, f"Converting {filename} from {encoding.upper()} to UTF-8")
            try:
                source = temp = _transcode(path, encoding, tmp_dir)
            except UnicodeDecodeError as exc:
                raise _not_a_table(filename) from exc
        with open(source, encoding="utf-8-sig", errors="replace", newline="") as fh:
            sample = fh.read(SAMPLE_CHARS)
            if len(sample) == SAMPLE_CHARS and "\n" not in sample and "\r" not in sample:
                sample += fh.read(MAX_LINE_CHARS - SAMPLE_CHARS)
                if "\n" not in sample and "\r" not in sample and fh.read(1):
                    raise UserError(f"The first row of {filename} is longer than {MAX_LINE_CHARS:,} characters, so it "
                                    "is not a header row of a data table; export the data as CSV with one row per "
                                    "line and upload that.")
        if "\ufffd" in sample[:10000] or sum(_control(ch) for ch in sample[:10000]) > 20:
            raise _not_a_table(filename)
        try:
            delim, header = _dialect(sample, filename)
        except csv.Error as exc:
            raise UserError(f"{filename} has a value longer than a table cell can be, or a quote that is never "
                            "closed; check the file in a spreadsheet, save it as CSV and upload it again.") from exc
        check_width(len(header), filename)
        trailing = {len(header) - 1} if not header[-1].strip() else set()
        _check_header(header, filename, trailing)
        # values cleaned as `codes.clean_sql` reads them; in a file where none has a space to trim, the reader's own
        # `nullstr` (the missing-value marks, matched exactly, quoted or not) does the same, about 0.3 s quicker
        # at a million rows of 23 columns
        sql = (f"CREATE TABLE {table} AS SELECT {CLEAN if padded else '*'} FROM read_csv(?, all_varchar = true, "
               f"header = true, delim = ?, quote = '\"', escape = '\"', strict_mode = true, sample_size = 20480, "
               f"max_line_size = {MAX_LINE_CHARS}{'' if padded else ', nullstr = ?'})")
        try:
            with _any_order(con):
                _run_with_progress(con, sql, [str(source), delim] + ([] if padded else [list(MISSING)]), report,
                                   f"Reading {filename}")
        except duckdb.Error as exc:
            raise (write_fault(exc, tmp_dir or path.parent) or _csv_error(exc, source, delim, len(header),
                                                                              filename)) from exc
        names = [r[0] for r in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
        if len(names) != len(header):
            raise UserError(f"{filename} could not be split into its {len(header)} columns; check that every row has "
                            "the same number of separators and that quotes are closed, then upload it again.")
        if trailing:  # an unnamed last column: fine when it is empty (a trailing separator), else a problem
            last = names[-1]
            if con.execute(f"SELECT count(*) FROM {table} WHERE trim({quote_ident(last)}) <> ''").fetchone()[0]:
                con.execute(f"DROP TABLE {table}")
                _check_header(header, filename)
            con.execute(f"ALTER TABLE {table} DROP COLUMN {quote_ident(last)}")
            names, header = names[:-1], header[:-1]
        for name, wanted in zip(names, header):  # keep the header's own spelling
            if name != wanted:
                con.execute(f"ALTER TABLE {table} RENAME COLUMN {quote_ident(name)} TO {quote_ident(wanted)}")
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _csv_error(exc: Exception, source: Path, delim: str, width: int, filename: str) -> UserError:
    match = _LINE_ERROR.search(str(exc))
    if match:
        line, expected, found = match.groups()
        return UserError(f"Row {line} of {filename} has {found} values but the header has {expected} columns; "
                         "fix that row (a missing or extra separator, or an unclosed quote) and upload it again.")
    if "Maximum line size" in str(exc):
        return _long_row(filename)
    try:
        with open(source, encoding="utf-8-sig", errors="replace", newline="") as fh:
            for line_no, row in enumerate(csv.reader(fh, delimiter=delim), start=1):
                if len(row) != width and any(v.strip() for v in row):
                    return UserError(f"Row {line_no} of {filename} has {len(row)} values but the header has {width} "
                                     "columns; fix that row (a missing or extra separator, or an unclosed quote) and "
                                     "upload it again.")
                if line_no > 100_000:
                    break
    except csv.Error:
        return _long_row(filename)
    return UserError(f"{filename} could not be read as a table; check that every row has the same number of "
                     "columns and that quotes are closed, then upload it again.")


def _long_row(filename: str) -> UserError:
    return UserError(f"{filename} has a row longer than {MAX_LINE_CHARS:,} characters (or a quote that is never "
                     "closed), which is not a data table's row; check the file in a spreadsheet, save it as CSV and "
                     "upload it again.")


def check_width(columns: int, filename: str) -> None:
    """Refuse a table wider than `MAX_COLUMNS` with one sentence."""
    if columns > MAX_COLUMNS:
        raise UserError(f"{filename} has {columns:,} columns, more than the {MAX_COLUMNS:,} this app reads; keep the "
                        "columns you need (ids, school, year, groups and outcomes) and upload it again.")


EXCEL_BATCH_ROWS = 20_000  # rows held in memory at once while an Excel sheet streams into DuckDB
MAX_SHARED_STRINGS_BYTES = 256 * 1024**2  # openpyxl holds a workbook's shared text table in memory
MAX_EXCEL_UNPACKED_BYTES = 4 * 1024**3


def _check_unpacked(path: Path, filename: str) -> None:
    """A workbook is a zip: refuse one whose parts unpack to far more than any school export (a zip bomb)."""
    import zipfile  # noqa: PLC0415

    try:
        with zipfile.ZipFile(path) as book:
            infos = book.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserError(f"{filename} cannot be opened as Excel; open it in Excel, save it as .xlsx and upload it "
                        "again.") from exc
    strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if strings > MAX_SHARED_STRINGS_BYTES or sum(i.file_size for i in infos) > MAX_EXCEL_UNPACKED_BYTES:
        raise UserError(f"{filename} unpacks to far more than this app reads from one workbook; save the sheet "
                        "with the data as CSV and upload that instead.")


def _cell_text(value) -> str | None:
    return None if value is None or value == "" else str(value)


def _load_excel(con, path: Path, filename: str, table: str, sheet: str | None) -> None:
    """Stream the sheet (openpyxl read-only) into `table` a batch of rows at a time: memory stays bounded
    whatever the sheet's size; the column and cell limits of a text file apply, each with a sentence."""
    import openpyxl  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    _check_unpacked(path, filename)
    sheets = excel_sheets(path)
    if sheet and sheet not in sheets:
        raise UserError(f"{filename} has no sheet called \u201c{sheet}\u201d; pick one of: {', '.join(sheets)}.")
    which = f"sheet \u201c{sheet or sheets[0]}\u201d of {filename}"
    unreadable = UserError(f"{filename} cannot be read as Excel; open it in Excel, save it as .xlsx and upload it again.")
    source = open(path, "rb")  # a file, not its name (`excel_sheets`); read as the rows stream, closed below
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        source.close()
        raise unreadable from exc
    header: list[str] | None = None
    batch: list[list[str | None]] = []
    rows = 0

    def flush() -> None:
        if not batch:
            return
        view = f"sg_excel_{new_id()}"
        con.register(view, pa.table({f"c{i}": pa.array([r[i] for r in batch], pa.string())
                                     for i in range(len(header))}))
        try:
            con.execute(f"INSERT INTO {table} SELECT {CLEAN} FROM {quote_ident(view)}")
        finally:
            con.unregister(view)
        batch.clear()

    try:
        worksheet = book[sheet or sheets[0]]
        worksheet.reset_dimensions()  # a file's own claim of its size (A1:XFD1048576) would pad every row
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and cells[-1] is None:
                cells.pop()
            if not cells:
                continue
            if header is None:
                check_width(len(cells), which)
                header = [(c or "").strip() for c in cells]
                _check_header(header, which, allow_empty_at={i for i, name in enumerate(header) if not name})
                con.execute(f"CREATE TABLE {table} (" + ", ".join(
                    f"{quote_ident(name or f'sg_blank_{i}')} VARCHAR" for i, name in enumerate(header)) + ")")
                continue
            if len(cells) > len(header):
                raise UserError(f"Row {number} of {which} has a value in column {len(cells)}, which has no name in "
                                "the header row; type a name for it (or delete the column) and upload the file again.")
            rows += 1
            if rows * len(header) > MAX_CELLS:
                raise UserError(f"The {which} has more than the {MAX_CELLS:,} cells this app reads at once; upload "
                                "fewer years or columns at a time.")
            batch.append(cells + [None] * (len(header) - len(cells)))
            if len(batch) >= EXCEL_BATCH_ROWS:
                flush()
        flush()
    except (UserError, duckdb.Error):
        raise
    except Exception as exc:  # a damaged sheet fails part-way in openpyxl or its XML parser
        raise unreadable from exc
    finally:
        book.close()
        source.close()
    if header is None:
        raise UserError(f"The {which} has no data; pick the sheet with the data or add the data to the file.")
    if not rows:
        raise UserError(f"The {which} has a header row but no data rows; add the data or pick another sheet.")
    for i, name in enumerate(header):  # a column without a name is dropped when it is empty, refused otherwise
        if not name:
            column = quote_ident(f"sg_blank_{i}")
            if con.execute(f"SELECT count({column}) FROM {table}").fetchone()[0]:
                _check_header(header, which)
            con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def _load_parquet(con, path: Path, filename: str, table: str) -> None:
    try:
        columns = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise UserError(f"{filename} is not a readable Parquet file; export it again.") from exc
    check_width(len(columns), filename)
    _check_header([c[0] for c in columns], filename)
    select = ", ".join(f"{clean_sql(f'CAST({quote_ident(c[0])} AS VARCHAR)')} AS {quote_ident(c[0])}" for c in columns)
    with _any_order(con):
        con.execute(f"CREATE TABLE {table} AS SELECT {select} FROM read_parquet(?)", [str(path)])


def columns_of(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
