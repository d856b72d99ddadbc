"""Step 2 · Data: a data lead uploads whatever the district or state exports and gets a mapping proposal."""


import pandas as pd
import pytest

from successgaps.data import datasets, mapping, quality, read, views
from successgaps.errors import UserError
from successgaps.store import Store

STUDENTS = """student_id,school_name,school_year,grade,race_ethnicity,sex,disability,english_learner,eco_dis,graduated,days_absent,days_enrolled,math_scale_score
000123,North High,2023-24,12,H,F,Y,C,1,1,20,180,701
000124,North High,2023-24,12,B,M,N,0,0,0,5,180,650
000125,North High,2023-24,12,W,F,N,F,9,1,,180,720
000126,South High,2023-24,12,Q,M,N,S,2,NA,3,180,690
000127,South High,2023-24,12,A,F,Y,0,0,1,40,180,.
"""

EDFACTS = """STNAM,LEAID,LEANM,NCESSCH,SCHNAM,ALL_COHORT_1718,ALL_RATE_1718,MBL_COHORT_1718,MBL_RATE_1718,MHI_COHORT_1718,MHI_RATE_1718,CWD_COHORT_1718,CWD_RATE_1718,ECD_COHORT_1718,ECD_RATE_1718
OHIO,01,Lake,0100001,Lake High,252,91,40,GE95,30,LT50,10,LE20,.,.
OHIO,01,Lake,0100002,Hill High,88,85-89,3,PS,.,.,12,GE50,60,80-84
"""

LONG = """school,year,subgroup,cohort,graduates,grad_rate
Lake,2023,All Students,100,90,90
Lake,2023,Hispanic,30,24,80
Lake,2023,Black,20,,PS
"""


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "ws")
    yield s
    s.close()


@pytest.fixture
def project(store):
    return store.create("Lake district")


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def load(store, project, tmp_path, name, text, encoding="utf-8", **kw):
    return datasets.create_dataset(store, project, write(tmp_path, name, text, encoding), name, **kw)


def rows(store, relation, order="1"):
    return store.cursor().execute(f"SELECT * FROM {relation} ORDER BY {order}").df()


# ---------------------------------------------------------------- student-level files


def test_a_student_file_is_mapped_with_codes_and_outcomes_without_edits(store, project, tmp_path):
    ds = load(store, project, tmp_path, "students.csv", STUDENTS)
    roles = {c.column: c.role for c in ds.columns}
    assert ds.layout == "student"
    assert roles == {"student_id": "student_id", "school_name": "school_name", "school_year": "year", "grade": "grade",
                     "race_ethnicity": "group", "sex": "group", "disability": "group", "english_learner": "group",
                     "eco_dis": "group", "graduated": "outcome", "days_absent": "outcome", "days_enrolled": "ignore",
                     "math_scale_score": "outcome"}
    by = {c.column: c for c in ds.columns}
    assert by["race_ethnicity"].codes == {"A": "Asian", "B": "Black or African American", "H": "Hispanic/Latino",
                                          "W": "White"}  # Q is not a federal code: left unknown
    assert by["english_learner"].codes == {"C": "English learners", "0": "Not English learners",
                                           "F": "Former English learners (monitored)",
                                           "S": "Former English learners (monitored)"}
    assert set(by["eco_dis"].codes.values()) == {"Economically disadvantaged", "Not economically disadvantaged"}
    assert by["eco_dis"].codes["9"] == "Economically disadvantaged"
    assert by["graduated"].yes_values == ["1"] and by["graduated"].higher_is_better
    assert (by["days_absent"].per, by["days_absent"].cut, by["days_absent"].higher_is_better) == ("days_enrolled", 0.1, False)
    assert by["math_scale_score"].kind == "numeric"
    assert ds.files[0].rows == 5


def test_a_large_file_gets_the_same_mapping_whatever_its_row_order_and_column_names(store, project, tmp_path):
    """Files above detection's sample size are sampled by each row's content: the same file sorted another way
    (a database may store rows in any order) gets the same proposal, and neither a column named like a table
    alias ("r", its one value chosen so that a sample by that column's hash would be empty) nor a file of
    identical rows (one whose hash leaves it out of the sample) empties the sample."""
    import duckdb

    n = 30_000  # 1 row in 2 sampled
    odd = lambda sql: duckdb.sql(f"SELECT hash({sql}) % 2 = 1").fetchall()[0][0]  # noqa: E731
    value = next(v for v in (f"v{k}" for k in range(100)) if odd(f"'{v}'"))
    frame = pd.DataFrame({"student_id": [f"{100000 + i}" for i in range(n)], "r": value,
                          "school_name": ["North High", "South High", "East Middle"] * (n // 3),
                          "race_ethnicity": ["H", "B", "W", "A", "I"] * (n // 5),
                          "graduated": [str(i % 4 != 0 and 1 or 0) for i in range(n)],
                          "math_scale_score": [str(600 + i % 150) for i in range(n)]})
    a = load(store, project, tmp_path, "sorted.csv", frame.to_csv(index=False))
    b = load(store, project, tmp_path, "shuffled.csv", frame.sample(frac=1, random_state=7).to_csv(index=False))
    proposal = lambda ds: [c.model_dump() for c in ds.columns]  # noqa: E731
    assert proposal(a) == proposal(b)
    by = {c.column: c for c in a.columns}
    assert by["race_ethnicity"].role == "group" and set(by["race_ethnicity"].codes) == {"A", "B", "H", "I", "W"}
    assert by["graduated"].role == "outcome" and by["math_scale_score"].kind == "numeric"

    def whole_row_odd(i):
        one = frame.iloc[[i]].astype(str)
        return duckdb.sql("SELECT hash(t) % 2 = 1 FROM one AS t").fetchall()[0][0]

    row = next(i for i in range(200) if whole_row_odd(i))
    alike = load(store, project, tmp_path, "alike.csv", pd.concat([frame.iloc[[row]]] * n).to_csv(index=False))
    assert {c.column: c.role for c in alike.columns}["race_ethnicity"] == "group"
    # the sample is drawn by the student id's hash; an id column left empty would draw all rows or none: the whole
    # row's hash draws it then, in any order
    blank = frame.assign(student_id=["" if i % 50 else f"{i}" for i in range(n)])
    c = load(store, project, tmp_path, "blank_ids.csv", blank.to_csv(index=False))
    d = load(store, project, tmp_path, "blank_ids_shuffled.csv", blank.sample(frac=1, random_state=7).to_csv(index=False))
    assert proposal(c)[1:] == proposal(d)[1:] == proposal(a)[1:]  # the id column's own profile aside


def test_codes_like_000123_survive_and_the_view_has_labels_and_outcomes(store, project, tmp_path):
    ds = load(store, project, tmp_path, "students.csv", STUDENTS)
    table = store.table(project.id, ds.files[0].table)
    assert store.cursor().execute(f"SELECT min(student_id) FROM {table}").fetchone()[0] == "000123"
    prepared = views.prepare(store.cursor(), project, ds)
    view = rows(store, prepared.relation, "o_math_scale_score NULLS LAST")
    assert prepared.layout == "student" and prepared.has_school and prepared.has_year
    assert "student_id" not in view.columns  # no student ids leave the data step
    first = view.iloc[0]  # score 650: the student coded B
    assert (first["school"], first["year"], first["d_race_ethnicity"]) == ("North High", "2023-24", "Black or African American")
    assert sorted(view["o_graduated"].dropna()) == [0.0, 1.0, 1.0, 1.0]  # 'NA' is missing, not "no"
    assert view["d_race_ethnicity"].isna().sum() == 1  # Q: unknown, not relabeled
    absent = dict(zip(view["o_math_scale_score"].fillna(-1), view["o_days_absent"]))
    assert absent[701.0] == 1.0 and absent[650.0] == 0.0  # 20/180 >= 10%, 5/180 < 10%
    assert {o.label: o.higher_is_better for o in prepared.outcomes}["Absent 10% or more of days enrolled"] is False


def test_combined_groups_become_a_dimension_of_both_labels(store, project, tmp_path):
    ds = load(store, project, tmp_path, "students.csv", STUDENTS)
    mapping.add_combined(ds, "race_ethnicity", "disability")
    prepared = views.prepare(store.cursor(), project, ds)
    combined = [d for d in prepared.dimensions if d.key.startswith("d_combined_")][0]
    assert combined.label == "Race/ethnicity & Disability"
    values = set(rows(store, prepared.relation)[combined.key].dropna())
    assert "Hispanic/Latino & Students with disabilities" in values
    with pytest.raises(UserError, match="already there"):
        mapping.add_combined(ds, "disability", "race_ethnicity")


def test_the_sample_district_maps_with_no_edits(store, project, tmp_path):
    from successgaps.process.sample import generate

    path = tmp_path / "sample.csv"
    generate(students_per_grade=20).to_csv(path, index=False)
    ds = datasets.create_dataset(store, project, path, "sample.csv")
    prepared = views.prepare(store.cursor(), project, ds)
    labels = {o.label for o in prepared.outcomes}
    assert {"Four-year graduation", "Dropout", "Out-of-school suspension", "Chronic absence"} <= labels
    assert {d.label for d in prepared.dimensions} >= {"Race/ethnicity", "Disability", "English learner status",
                                                     "Economic disadvantage", "Sex"}
    report = quality.quality_report(store.cursor(), project, ds)
    assert not [f for f in report if f.severity == "problem"]


# ---------------------------------------------------------------- aggregate files


def test_an_edfacts_file_keeps_every_rate_as_an_interval_with_its_kind(store, project, tmp_path):
    ds = load(store, project, tmp_path, "acgr.csv", EDFACTS)
    assert ds.layout == "edfacts" and ds.files[0].year == "2017-18" and ds.files[0].column_suffix == "1718"
    prepared = views.prepare(store.cursor(), project, ds)
    view = rows(store, prepared.relation, "school, dimension, \"group\"")
    got = {(r.school.split(" (")[0], r.group): (r.n, r.rate_low, r.rate_high, r.source_flag) for r in view.itertuples()}
    assert got[("Lake High", "All students")] == (252, pytest.approx(0.905), pytest.approx(0.915), "range")  # 91: 90.5-91.5%
    assert got[("Lake High", "Black or African American")] == (40, 0.95, 1.0, "range")
    assert got[("Lake High", "Hispanic/Latino")] == (30, 0.0, 0.5, "range")
    assert got[("Lake High", "Children with disabilities")] == (10, 0.0, 0.2, "range")
    assert got[("Hill High", "All students")] == (88, 0.85, 0.89, "range")
    low, high, flag = got[("Hill High", "Black or African American")][1:]
    assert (pd.isna(low), pd.isna(high), flag) == (True, True, "suppressed")
    assert got[("Lake High", "Economically disadvantaged")][3] == "missing"
    assert pd.isna(got[("Lake High", "Economically disadvantaged")][0])
    assert prepared.layout == "aggregate" and [o.label for o in prepared.outcomes] == ["Four-year graduation"]
    assert "All" not in {d.label for d in prepared.dimensions}


def test_next_years_edfacts_file_with_another_suffix_joins_the_same_mapping(store, project, tmp_path):
    ds = load(store, project, tmp_path, "acgr.csv", EDFACTS)
    path = write(tmp_path, "acgr1819.csv", EDFACTS.replace("_1718", "_1819"))
    note = datasets.add_file(store, project, ds, path, "acgr1819.csv")
    assert "Added acgr1819.csv" in note and ds.files[1].year == "2018-19"
    prepared = views.prepare(store.cursor(), project, ds)
    years = store.cursor().execute(f"SELECT DISTINCT year FROM {prepared.relation} ORDER BY 1").fetchall()
    assert years == [("2017-18",), ("2018-19",)]


def test_a_long_aggregate_file_reads_counts_numerators_and_coded_rates(store, project, tmp_path):
    ds = load(store, project, tmp_path, "long.csv", LONG)
    assert ds.layout == "aggregate_long"
    roles = {c.column: c.role for c in ds.columns}
    assert roles == {"school": "school", "year": "year", "subgroup": "group", "cohort": "count",
                     "graduates": "numerator", "grad_rate": "rate"}
    prepared = views.prepare(store.cursor(), project, ds)
    view = rows(store, prepared.relation, '"group"')
    got = {r.group: (r.dimension, r.n, r.events, r.rate_low, r.source_flag) for r in view.itertuples()}
    assert got["All students"][:3] == ("All", 100, 90)  # the engine takes the rate from the counts
    assert got["All students"][3] == pytest.approx(0.895)  # the file's whole percent 90: 89.5-90.5%
    assert got["Hispanic/Latino"][3] == pytest.approx(0.795)  # 80: 79.5-80.5%
    assert got["Black or African American"][4] == "suppressed"


# ---------------------------------------------------------------- encodings, delimiters, formats

NAMES = "name;score\nJos\u00e9 M\u00fcller \u2019s;1\nZo\u00eb;2\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_every_common_encoding_reads_the_same_letters(store, project, tmp_path, encoding):
    text = NAMES if encoding != "cp1252" else NAMES  # \u2019 exists in Windows-1252
    path = write(tmp_path, "names.csv", text, encoding)
    table = store.table(project.id, "f_enc")
    assert read.read_upload(store.cursor(), path, "names.csv", table) == 2
    got = store.cursor().execute(f"SELECT name FROM {table} ORDER BY 1").fetchall()
    assert got == [("Jos\u00e9 M\u00fcller \u2019s",), ("Zo\u00eb",)]
    assert read.columns_of(store.cursor(), table) == ["name", "score"]


def test_latin1_bytes_also_read(store, project, tmp_path):
    path = write(tmp_path, "l1.csv", "name,x\nJos\xe9,1\n", "latin-1")
    table = store.table(project.id, "f_l1")
    read.read_upload(store.cursor(), path, "l1.csv", table)
    assert store.cursor().execute(f"SELECT name FROM {table}").fetchone()[0] == "Jos\u00e9"


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_any_common_delimiter(store, project, tmp_path, delim):
    text = delim.join(["id", "group", "note"]) + "\n" + delim.join(["001", "PS", '"a, b; c"']) + "\n"
    table = store.table(project.id, "f_delim")
    read.read_upload(store.cursor(), write(tmp_path, "d.txt", text), "d.txt", table)
    assert store.cursor().execute(f"SELECT * FROM {table}").fetchall() == [("001", "PS", "a, b; c")]


def test_excel_sheets_are_listed_and_the_chosen_sheet_is_read(store, project, tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"notes": ["read me"]}).to_excel(writer, sheet_name="About", index=False)
        pd.DataFrame({"sid": ["000123", "000124"], "race": ["H", "B"], "grad": [1, 0]}).to_excel(
            writer, sheet_name="Data", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="Empty", index=False)
    assert read.excel_sheets(path.read_bytes()) == ["About", "Data", "Empty"]
    assert read.excel_sheets(path.read_bytes(), largest_first=True)[0] == "Data"  # offered first on the Data page
    ds = datasets.create_dataset(store, project, path, "book.xlsx", sheet="Data")
    assert ds.files[0].rows == 2 and ds.files[0].sheet == "Data"
    table = store.table(project.id, ds.files[0].table)
    assert store.cursor().execute(f"SELECT sid, grad FROM {table} ORDER BY 1").fetchall() == [("000123", "1"), ("000124", "0")]
    with pytest.raises(UserError, match="has no data"):
        read.read_upload(store.cursor(), path, "book.xlsx", store.table(project.id, "f_x"), sheet="Empty")
    # as the Data page loads it: the upload spooled into the workspace under a .tmp name, read as book.xlsx
    with read.spooled(path.read_bytes(), store.workspace) as spooled:
        assert spooled.suffix == ".tmp"
        again = datasets.create_dataset(store, project, spooled, "book.xlsx", sheet="Data")
    assert again.files[0].rows == 2


def test_parquet_is_read_as_text_columns(store, project, tmp_path):
    path = tmp_path / "d.parquet"
    pd.DataFrame({"sid": ["000123"], "score": [701.5]}).to_parquet(path)
    table = store.table(project.id, "f_pq")
    read.read_upload(store.cursor(), path, "d.parquet", table)
    assert store.cursor().execute(f"SELECT sid, score FROM {table}").fetchall() == [("000123", "701.5")]


MESSY = {"sid": ["001", " 002 ", "003", "004"], "race": [" H", "B ", "NA", " . "], "grad": ["1", " n/a", "0 ", ""]}


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_values_are_stored_as_the_app_reads_them_spaces_trimmed_and_missing_marks_empty(store, project, tmp_path,
                                                                                        kind):
    path = tmp_path / f"messy.{kind}"
    frame = pd.DataFrame(MESSY)
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_parquet(path)
    ds = datasets.create_dataset(store, project, path, path.name)
    assert ds.files[0].cleaned
    table = store.table(project.id, ds.files[0].table)
    assert store.cursor().execute(f"SELECT sid, race, grad FROM {table} ORDER BY 1").fetchall() == [
        ("001", "H", "1"), ("002", "B", None), ("003", None, "0"), ("004", None, None)]


MARKS = ('NA,.,school,-\n'  # names that are missing-value marks stay names
         '1,"NA",N/A,--\n2,Na,nan,None\n3,"",NULL,none\n4,#N/A,n/a,NaN\n5,.,null,na\n6,"x;y",x y,"a""b"""\n')


def test_a_file_with_nothing_to_trim_is_stored_as_if_every_value_were_trimmed(store, project, tmp_path, monkeypatch):
    """Most exports have no value that starts or ends with a space: the reader's own missing-value marks then
    clean them (quicker), and the table is the one trimming every value gives."""
    path = write(tmp_path, "marks.csv", MARKS)
    assert read._encoding_and_padding(path, "marks.csv") == ("utf-8", False)
    con = store.cursor()
    read.read_upload(con, path, "marks.csv", "quick")
    monkeypatch.setattr(read, "_encoding_and_padding", lambda p, f: ("utf-8", True))  # every value trimmed, as always
    read.read_upload(con, path, "marks.csv", "trimmed")
    quick, trimmed = (con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("quick", "trimmed"))
    assert quick == trimmed == [("1", None, None, None), ("2", "Na", None, None), ("3", None, None, "none"),
                                ("4", None, None, None), ("5", None, None, None), ("6", "x;y", "x y", 'a"b"')]
    assert [d[0] for d in con.execute("SELECT * FROM quick LIMIT 0").description] == ["NA", ".", "school", "-"]


PADDED = [("a,b\n1, x\n", True), ("a,b\n1,x \n", True), ('a,b\n1," x"\n', True), ("a;b\n1; x\n", True),
          ("a,b\n1,x\n x,2\n", True), ("a,b\n1,x\r\n2,y \r\n", True), ("a,b\n1,x ", True),
          ("a,b\n1,\u00a0x\n", True), ("a,b\n1,caf\u00e9\u3000\n", True), ("a,b\n1,   \n", True),
          ("a, b\n1,x y\n", False), ('a,b\n1,"x y"\n', False), ("a,b\n1,caf\u00e9\n", False)]


@pytest.mark.parametrize("text,padded", PADDED)
def test_a_value_that_may_start_or_end_with_a_space_is_trimmed(tmp_path, text, padded):
    """A space beside a separator, a quote or a line break (or a Unicode space anywhere): the file's values are
    trimmed; spaces inside values, or in the header's names, are not a reason to."""
    assert read._encoding_and_padding(write(tmp_path, "f.csv", text), "f.csv") == ("utf-8", padded)


def test_the_spaces_looked_for_are_the_ones_duckdbs_trim_removes():
    """The fast read is only right while no value has a character `trim` would remove: the check looks for
    exactly those (a DuckDB that trims more would fail here, not in a district's numbers)."""
    import duckdb  # noqa: PLC0415

    trimmed = duckdb.connect().execute(
        "SELECT list(i ORDER BY i) FROM range(1, 1114112) t(i) WHERE (i < 55296 OR i > 57343) "
        "AND length(trim(chr(i::INTEGER) || 'a' || chr(i::INTEGER))) = 1").fetchone()[0]
    assert trimmed == [32] + [ord(c) for c in read._UNICODE_SPACES]


def test_a_space_at_the_border_of_two_chunks_is_seen(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "CHUNK_BYTES", 8)
    for text in ("a,b\n1,xxxxx \n2,y\n", "a,b\n1,xxxxx, y\n", "a,b\n1,xxxx,\n yyy\n"):
        for shift in range(8):  # the space at every place in a chunk
            padded_text = "a" * shift + text
            assert read._encoding_and_padding(write(tmp_path, "f.csv", padded_text), "f.csv") == ("utf-8", True), padded_text
    assert read._encoding_and_padding(write(tmp_path, "f.csv", "a,b\n1,xx yy zz\n2,y y\n"), "f.csv") == ("utf-8", False)


def test_a_file_loaded_before_values_were_cleaned_at_upload_gives_the_same_mapping_checks_and_counts(
        store, project, tmp_path):
    """Projects saved before uploads were cleaned keep their tables as read: every reader cleans those as it
    reads them (`DataFile.cleaned` is False), so their numbers do not change."""
    text = STUDENTS.replace(",H,F,", ", H ,F,").replace("North High,", " North High ,", 1).replace(",B,M,", ",B ,M,")
    text = text.replace(",1,20,180,701", ",1 , 20 ,180, 701 ").replace(",NA,3,", ", n/a ,3,")
    path = write(tmp_path, "students.csv", text)
    new = datasets.create_dataset(store, project, path, "students.csv")
    con = store.cursor()
    old = new.model_copy(deep=True)
    old.id, old.files[0].table, old.files[0].cleaned = "old", "f_asread", False
    con.execute(f"CREATE TABLE {store.table(project.id, 'f_asread')} AS SELECT * FROM "
                f"read_csv('{path}', all_varchar = true, header = true)")
    assert con.execute(f"SELECT count(*) FILTER (race_ethnicity = ' H '), count(*) FILTER (graduated = ' n/a ') "
                       f"FROM {store.table(project.id, 'f_asread')}").fetchone() == (1, 1)  # as read
    project.datasets.append(old)
    from successgaps.data import detect  # noqa: PLC0415
    from successgaps.engine.screen import screen  # noqa: PLC0415
    assert detect.detect(con, store.table(project.id, "f_asread"), name=new.name).columns == new.columns
    assert [f.text for f in quality.quality_report(con, project, old)] == \
        [f.text for f in quality.quality_report(con, project, new)]
    tables = [screen(con, views.prepare(con, project, d)) for d in (old, new)]
    pd.testing.assert_frame_equal(*tables)
    assert tables[0]["n"].sum() > 0


# ---------------------------------------------------------------- bad input: one sentence, nothing left behind

BAD = [
    ("empty.csv", b"", "is empty"),
    ("header.csv", b"a,b,c\n", "no data rows"),
    ("garbage.csv", bytes(range(256)) * 40, "not a text table"),
    ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF"),
    ("ragged.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8\n", "Row 3 of ragged.csv has 2 values but the header has 3 columns"),
    ("dupes.csv", b"id,grade,Grade\n1,2,3\n", "Columns 2 and 3 of dupes.csv are both called"),
    ("noname.csv", b"id,,grade\n1,2,3\n", "Column 2 of noname.csv has no name"),
    ("one.csv", b"just some words\nand more words\n", "only one column"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel"),
    ("fake.xlsx", b"PK\x03\x04 not really a zip", "cannot be opened"),
]


@pytest.mark.parametrize("name,content,sentence", BAD, ids=[b[0] for b in BAD])
def test_bad_files_get_one_sentence_and_leave_the_project_as_it_was(store, project, tmp_path, name, content, sentence):
    with pytest.raises(UserError, match=sentence) as caught:
        load(store, project, tmp_path, name, content)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message and len(message) < 300
    assert project.datasets == [] and store.tables(project.id) == []


def test_a_ragged_row_far_down_the_file_is_found(store, project, tmp_path):
    lines = ["a,b,c"] + [f"{i},x,y" for i in range(30000)]
    lines[25000] = "1,2"
    with pytest.raises(UserError, match="Row 25001 of big.csv has 2 values"):
        load(store, project, tmp_path, "big.csv", "\n".join(lines) + "\n")
    assert store.tables(project.id) == []


def test_a_file_over_the_limit_is_refused(store, project, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_FILE_BYTES", 10)
    with pytest.raises(UserError, match="more than the"):
        load(store, project, tmp_path, "s.csv", STUDENTS)


def test_an_empty_trailing_column_from_a_trailing_separator_is_dropped(store, project, tmp_path):
    ds = load(store, project, tmp_path, "t.csv", "sid,race,grad,\n1,H,1,\n2,B,0,\n")
    assert [c.column for c in ds.columns] == ["sid", "race", "grad"]


def test_column_names_with_quotes_semicolons_and_sql_are_just_names(store, project, tmp_path):
    evil = '"race""; DROP TABLE projects; --",grad\'s,"a""b"\nH,1,x\nB,0,y\n'
    ds = load(store, project, tmp_path, "evil.csv", evil)
    names = [c.column for c in ds.columns]
    assert names == ['race"; DROP TABLE projects; --', "grad's", 'a"b']
    ds.columns[0].role, ds.columns[0].codes = "group", {"H": "Hispanic/Latino", "B": "Black or African American"}
    ds.columns[1].role, ds.columns[1].kind, ds.columns[1].yes_values = "outcome", "binary", ["1"]
    prepared = views.prepare(store.cursor(), project, ds)
    assert len(rows(store, prepared.relation)) == 2
    assert store.list()[0].name == "Lake district"  # the projects table is still there


# ---------------------------------------------------------------- several files


def test_next_years_file_reuses_the_mapping_or_says_which_columns_are_missing(store, project, tmp_path):
    ds = load(store, project, tmp_path, "y1.csv", STUDENTS)
    ds.columns[-1].label = "Math score (edited)"
    note = datasets.add_file(store, project, ds, write(tmp_path, "y2.csv", STUDENTS.replace("2023-24", "2024-25")), "y2.csv")
    assert "same mapping" in note
    prepared = views.prepare(store.cursor(), project, ds)
    assert store.cursor().execute(f"SELECT count(DISTINCT year), count(*) FROM {prepared.relation}").fetchone() == (2, 10)
    assert "Math score (edited)" in {o.label for o in prepared.outcomes}
    broken = STUDENTS.replace("race_ethnicity", "ethnicity")
    with pytest.raises(UserError, match="does not have the column race_ethnicity"):
        datasets.add_file(store, project, ds, write(tmp_path, "y3.csv", broken), "y3.csv")
    assert len(ds.files) == 2 and len([t for t in store.tables(project.id) if t.startswith("f_")]) == 2


def test_a_file_without_a_year_column_needs_its_year(store, project, tmp_path):
    text = "sid,race,grad\n1,H,1\n2,B,0\n"
    ds = load(store, project, tmp_path, "a.csv", text, year="2023-24")
    nxt = "sid,race,grad\n1,H,0\n2,B,1\n3,W,1\n"
    with pytest.raises(UserError, match="type the school year"):
        datasets.add_file(store, project, ds, write(tmp_path, "b.csv", nxt), "b.csv")
    datasets.add_file(store, project, ds, write(tmp_path, "b.csv", nxt), "b.csv", year="2024-25")
    prepared = views.prepare(store.cursor(), project, ds)
    years = store.cursor().execute(f"SELECT DISTINCT year FROM {prepared.relation} ORDER BY 1").fetchall()
    assert years == [("2023-24",), ("2024-25",)]


def test_the_same_file_added_again_is_refused_with_a_sentence(store, project, tmp_path):
    """A data lead picks last year's file again under "Add next year's file": every student would count twice
    (the student ids' check would say so only after the fact, and an aggregate file has no ids to check)."""
    ds = load(store, project, tmp_path, "y1.csv", STUDENTS)
    with pytest.raises(UserError, match="y1 again.csv has the very same rows as y1.csv, already in this data set"):
        datasets.add_file(store, project, ds, write(tmp_path, "y1 again.csv", STUDENTS), "y1 again.csv")
    with pytest.raises(UserError, match="very same rows"):  # whatever year is typed for it
        datasets.add_file(store, project, ds, write(tmp_path, "y1 again.csv", STUDENTS), "y1 again.csv",
                          year="2024-25")
    assert len(ds.files) == 1 and len([t for t in store.tables(project.id) if t.startswith("f_")]) == 1
    # the same rows in another order are the same file; one row more is another file
    shuffled = STUDENTS.splitlines(True)[:1] + STUDENTS.splitlines(True)[:0:-1]
    with pytest.raises(UserError, match="very same rows"):
        datasets.add_file(store, project, ds, write(tmp_path, "y1b.csv", "".join(shuffled)), "y1b.csv")
    datasets.replace_file(store, project, ds, ds.files[0].id, write(tmp_path, "y1.csv", STUDENTS), "y1.csv")  # itself
    edfacts = load(store, project, tmp_path, "acgr.csv", EDFACTS)
    with pytest.raises(UserError, match="very same rows"):
        datasets.add_file(store, project, edfacts, write(tmp_path, "acgr copy.csv", EDFACTS), "acgr copy.csv")


def test_replace_and_delete_files_and_unused_tables_go_after_saving(store, project, tmp_path):
    ds = load(store, project, tmp_path, "y1.csv", STUDENTS)
    old_table = ds.files[0].table
    datasets.replace_file(store, project, ds, ds.files[0].id, write(tmp_path, "fixed.csv", STUDENTS + "".join(STUDENTS.splitlines(True)[1:])), "fixed.csv")
    assert ds.files[0].filename == "fixed.csv" and ds.files[0].rows == 10
    store.save(project)
    datasets.drop_unused_tables(store, project)
    assert old_table not in store.tables(project.id)
    message = datasets.delete_file(project, ds, ds.files[0].id)
    assert "and its data set" in message and project.datasets == []
    store.save(project)
    datasets.drop_unused_tables(store, project)
    assert store.tables(project.id) == []


# ---------------------------------------------------------------- the editable mapping table


def test_the_mapping_table_round_trips_and_refuses_nonsense(store, project, tmp_path):
    ds = load(store, project, tmp_path, "s.csv", STUDENTS)
    table = mapping.mapping_rows(ds)
    assert table[0] == {"column": "student_id", "role": "student id", "label": "Student id", "outcome type": "",
                        "yes values": "", "cut": None, "below cut": False, "divide by": "", "higher is better": None}
    # an id's "higher is better" is blank (no tick that means nothing); an outcome's is its own
    assert {r["column"]: r["higher is better"] for r in table}["graduated"] is True
    assert mapping.column_map(ds, "student_id").higher_is_better  # unchanged when the table comes back
    table[-1].update({"role": "outcome", "cut": "700", "label": "Math proficient"})
    mapping.apply_mapping(ds, table, {"race_ethnicity": {"Q": "Other race"}})
    math = mapping.column_map(ds, "math_scale_score")
    assert (math.cut, math.label) == (700.0, "Math proficient")
    assert mapping.column_map(ds, "race_ethnicity").codes == {"Q": "Other race"}
    table[-1]["cut"] = "lots"
    with pytest.raises(UserError, match="must be a number"):
        mapping.apply_mapping(ds, table)
    for row in table:
        row["role"] = "ignore" if row["role"] == "outcome" else row["role"]
    table[-1]["cut"] = None
    with pytest.raises(UserError, match="at least one column as an outcome"):
        mapping.apply_mapping(ds, table)
    assert math.cut == 700.0  # nothing changed by the refused edit


# ---------------------------------------------------------------- the cube the gap engine adds up


def messy_students(n=600, seed=4):
    """Student rows as real exports spell them: codes with stray spaces, two codes for one group,
    every kind of missing mark, scores with blanks, two years."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pick = lambda *values: rng.choice(np.array(values, dtype=object), n)  # noqa: E731
    return pd.DataFrame({
        "sid": [f"{i:06d}" for i in range(n)],
        "school": pick("North High", "South High", " North High", "South High "),
        "year": pick("2023-24", "2024-25", "2024-25 "),
        "race": pick("H", " H", "B", "B ", "W", "A", "Q", "", "NA", "."),
        "el": pick("Y", "1", "N", "0", "null", " Y"),
        "graduated": pick("1", "0", " 1", "NA", "", "0 ", "1"),
        "score": [f"{v:.1f}" if v > 560 else rng.choice(["", ".", "n/a"]) for v in rng.normal(650, 45, n)],
        "days_absent": [str(v) for v in rng.integers(0, 40, n)],
        "days_enrolled": pick("180", "175", "0", ""),
    })


def mapped_messy(store, project, tmp_path):
    path = tmp_path / "messy.csv"
    messy_students().to_csv(path, index=False)
    ds = datasets.create_dataset(store, project, path, path.name)
    by = {c.column: c for c in ds.columns}
    by["race"].label, by["el"].label = "Race", "English learner status"
    by["race"].role, by["race"].codes = "group", {"H": "Hispanic/Latino", "B": "Black or African American", "W": "White",
                                                  "A": "Asian"}
    by["el"].role, by["el"].codes = "group", {"Y": "English learners", "1": "English learners", "N": "Not English learners",
                                              "0": "Not English learners"}
    by["graduated"].role, by["graduated"].kind, by["graduated"].yes_values = "outcome", "binary", ["1"]
    by["score"].role, by["score"].kind = "outcome", "numeric"
    by["days_absent"].role, by["days_absent"].kind = "outcome", "numeric"
    by["days_absent"].per, by["days_absent"].cut, by["days_absent"].higher_is_better = "days_enrolled", 0.1, False
    by["days_enrolled"].role = "ignore"
    mapping.add_combined(ds, "race", "el")
    return ds


def test_the_cube_gives_the_same_screen_as_adding_up_every_student_row(store, project, tmp_path):
    import dataclasses

    from successgaps.engine.screen import screen
    from successgaps.models import GapSettings

    ds = mapped_messy(store, project, tmp_path)
    con = store.cursor()
    prepared = views.prepare(con, project, ds)
    assert prepared.cube  # the engine reads the cube, not the 600 rows
    row_by_row = dataclasses.replace(prepared, cube="")  # the same sums taken from the view itself
    for settings in (GapSettings(), GapSettings(min_n=0, min_cell=0), GapSettings(min_n=0, comparison="all_students")):
        for school, year in ((True, True), (False, True), (True, False)):
            fast = screen(con, prepared, settings, by_school=school, by_year=year, extra=True)
            slow = screen(con, row_by_row, settings, by_school=school, by_year=year, extra=True)
            pd.testing.assert_frame_equal(fast, slow, rtol=1e-9)
    table = screen(con, prepared, GapSettings(min_n=0, min_cell=0))
    # " H" and "H" are one group; "Y" and "1" are one group; Q and the blanks are nobody's group
    district = table[(table["level"] == "district") & (table["year"] == "2024-25")]
    assert set(district.loc[district["dimension"] == "Race", "group"]) == {
        "Hispanic/Latino", "Black or African American", "White", "Asian"}
    assert set(district.loc[district["dimension"] == "English learner status", "group"]) == {"English learners", "Not English learners"}
    assert {"North High", "South High"} == set(table.loc[table["level"] == "school", "school"])


def test_the_cube_follows_a_new_mapping_and_survives_a_restart(store, project, tmp_path):
    from successgaps.engine.screen import screen
    from successgaps.models import GapSettings

    ds = mapped_messy(store, project, tmp_path)
    store.save(project)
    con = store.cursor()
    before = screen(con, views.prepare(con, project, ds), GapSettings(min_n=0, min_cell=0))
    assert "Another race" not in set(before["group"])
    ds.columns[[c.column for c in ds.columns].index("race")].codes["Q"] = "Another race"
    after = screen(con, views.prepare(con, project, ds), GapSettings(min_n=0, min_cell=0))
    assert "Another race" in set(after["group"])  # the cube was built again for the new label
    store.save(project)
    workspace = store.workspace
    store.close()
    reopened = Store(workspace)  # a restart: the in-memory cube is gone and is built again
    try:
        again = reopened.load(project.id)
        con = reopened.cursor()
        pd.testing.assert_frame_equal(screen(con, views.prepare(con, again, again.datasets[0]),
                                                  GapSettings(min_n=0, min_cell=0)), after)
    finally:
        reopened.close()


def test_the_mapping_reads_aloud_what_each_outcome_counts():
    """Presented to the team (the Data page's deck), each outcome says what counts, as the view reads it."""
    from successgaps.models import ColumnMap, DataSet

    columns = [ColumnMap(column="grad", role="outcome", label="Graduated", yes_values=["Y", "1"]),
               ColumnMap(column="susp", role="outcome", label="Suspended", higher_is_better=False),
               ColumnMap(column="days_absent", role="outcome", label="Chronic absence", kind="numeric", cut=0.1,
                         per="days_enrolled", higher_is_better=False),
               ColumnMap(column="score", role="outcome", label="Score", kind="numeric"),
               ColumnMap(column="low", role="outcome", label="Below basic", kind="numeric", cut=300, cut_below=True),
               ColumnMap(column="race", role="group", label="Race"), ColumnMap(column="sex", role="group"),
               ColumnMap(column="school", role="school", label="School"), ColumnMap(column="yr", role="year"),
               ColumnMap(column="days_enrolled", role="ignore")]
    parts = dict(mapping.reading(DataSet(name="d", layout="student", columns=columns)))
    assert [r["What counts"] for r in parts["Outcomes"]] == [
        "yes: Y, 1", "no value set as yes (every value is no) (lower is better)",
        "yes when days_absent ÷ days_enrolled is at least 0.1 (lower is better)", "the average",
        "yes when low is below 300"]
    assert parts["Groups we compare"] == [{"Column": "race", "Label": "Race"}, {"Column": "sex", "Label": "sex"}]
    assert parts["Places, years and students"][1] == {"Column": "yr", "Read as": "year", "Label": "yr"}
    assert mapping.unused(DataSet(name="d", layout="student", columns=columns)) == ["days_enrolled"]
