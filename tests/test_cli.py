"""`python -m successgaps screen`: a principal's five-minute gap screen of one file, on every layout."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from successgaps import cli
from successgaps.engine import columns
from successgaps.process import sample

ROOT = Path(__file__).resolve().parent.parent


def run(*args, capsys):
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def table(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""], dtype={"school": str, "year": str})


@pytest.fixture
def student_file(tmp_path):
    path = tmp_path / "students.csv"
    sample.generate(students_per_grade=60).to_csv(path, index=False)
    return path


@pytest.fixture
def long_file(tmp_path):
    rows = ["school,year,group,students,graduates"]
    for school, sizes in {"North": [("All students", 252, 204), ("White", 200, 170), ("Hispanic", 40, 26),
                                    ("Black", 12, 8)],
                          "South": [("All students", 245, 190), ("White", 150, 120), ("Hispanic", 60, 40),
                                    ("Black", 35, 30)]}.items():
        rows += [f"{school},2023-24,{g},{n},{e}" for g, n, e in sizes]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture
def edfacts_file(tmp_path):
    path = tmp_path / "acgr.csv"
    path.write_text(
        "STNAM,FIPST,LEAID,LEANM,NCESSCH,SCHNAM,ALL_COHORT_1415,ALL_RATE_1415,MHI_COHORT_1415,MHI_RATE_1415,"
        "MWH_COHORT_1415,MWH_RATE_1415,CWD_COHORT_1415,CWD_RATE_1415,DATE_CUR\n"
        "STATE,01,0100005,Town,010000500871,Town High,252,91,66,85-89,178,90-94,13,LT50,26NOV16\n"
        "STATE,01,0100005,Town,010000500872,Other High,120,GE95,40,GE90,70,95,3,PS,26NOV16\n")
    return path


def test_student_file_screen_matches_a_direct_count(student_file, capsys):
    code, out, err = run("screen", student_file, "--group", "english_learner", "--outcome", "graduated_4yr",
                         "--by", "year", capsys=capsys)
    assert code == 0, err
    df = table(out)
    assert list(df.columns) == columns.COLUMNS
    assert set(df["dimension"]) == {"English learner"} or len(set(df["dimension"])) == 1
    raw = pd.read_csv(student_file, dtype=str)
    latest = raw[(raw["school_year"] == "2024-25") & raw["graduated_4yr"].notna()]
    el = latest[latest["english_learner"] == "Y"]
    shown = df[(df["year"] == "2024-25") & (df["level"] == "district")]
    row = shown[shown["n"] == len(el)].iloc[0]
    if not row["suppressed"]:
        assert row["events"] == (el["graduated_4yr"] == "1").sum()
        others = latest[latest["english_learner"] != "Y"]
        assert row["comparison_rate"] == pytest.approx((others["graduated_4yr"] == "1").mean())
    assert "student_id" not in out and not any(sid in out for sid in raw["student_id"].head(50))


def test_a_large_file_is_read_into_a_capped_database_file_with_the_same_table(student_file, capsys, monkeypatch):
    """Over `LARGE_FILE_BYTES` the command reads the file into a temporary database file, DuckDB's memory capped,
    so a state-sized file's pages can leave memory: the same table, the same warnings."""
    code, small, small_err = run("screen", student_file, "--by", "school", capsys=capsys)
    limits = []
    real = cli.Store

    def spy(*args, **kwargs):
        store = real(*args, **kwargs)
        close = store.close

        def closing():  # the setting as the screen ran
            limits.append((kwargs.get("memory"), store.cursor().execute("SELECT current_setting('memory_limit')")
                           .fetchone()[0]))
            close()
        store.close = closing
        return store

    monkeypatch.setattr(cli, "LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(cli, "Store", spy)
    code2, large, large_err = run("screen", student_file, "--by", "school", capsys=capsys)
    assert code == code2 == 0 and large_err == small_err
    pd.testing.assert_frame_equal(table(large), table(small), check_exact=False, rtol=1e-9)  # sums in another order
    assert limits and limits[0][0] is False and limits[0][1].replace(" ", "").upper() in ("1GB", "953.6MIB", "1.0GIB")


def test_numeric_outcome_with_a_cut_becomes_a_rate(student_file, capsys):
    code, out, _ = run("screen", student_file, "--group", "disability", "--outcome", "reading_scale_score>=700",
                       "--min-n", "0", "--min-cell", "0", capsys=capsys)  # the formula, nothing hidden
    assert code == 0
    df = table(out)
    raw = pd.read_csv(student_file)
    scored = raw[raw["reading_scale_score"].notna()]
    year_column = next(c for c in ("school_year", "year") if c in raw)
    rows = df[(df["level"] == "district") & (df["group"] == "Students with disabilities")]
    assert len(rows) == raw[year_column].nunique()  # year by year: years are never pooled
    for row in rows.itertuples():
        swd = scored[(scored["disability"] == "Y") & (scored[year_column].astype(str) == str(row.year))]
        assert row.n == len(swd) and row.rate == pytest.approx((swd["reading_scale_score"] >= 700).mean())


def test_aggregate_long_file_with_school_rows_and_suppression(long_file, capsys):
    code, out, err = run("screen", long_file, "--by", "school", capsys=capsys)
    assert code == 0, err
    df = table(out)
    north = df[df["school"] == "North"]
    black = north[north["n"] == 12].iloc[0]
    assert black["suppressed"] and pd.isna(black["rate"])
    white = north[north["n"] == 200].iloc[0]
    assert white["rate"] == pytest.approx(0.85) and white["comparison_rate"] == pytest.approx(34 / 52)
    # figures a file of counts already gives are not hidden again to protect one another (README, Privacy)
    assert df["suppression_reason"].fillna("").str.startswith("hidden so that").sum() == 0


def test_edfacts_file_keeps_ranges_and_source_suppression(edfacts_file, capsys):
    code, out, err = run("screen", edfacts_file, "--by", "school", "--format", "json", capsys=capsys)
    assert code == 0, err
    records = json.loads(out)
    town = [r for r in records if r["school"] and r["school"].startswith("Town High") and r["n"] == 66][0]
    assert (town["rate_low"], town["rate"], town["rate_high"]) == pytest.approx((0.85, 0.87, 0.89))
    # the whole-number 91 is rounded: 90.5-91.5%. All others: (252·.905 − 66·.89)/186 = .91032 to
    # (252·.915 − 66·.85)/186 = .93806
    assert town["comparison_n"] == 186
    assert (town["difference_low"], town["difference_high"]) == pytest.approx((-8.8065, -2.0323), abs=1e-3)
    ps = [r for r in records if r["suppression_reason"] == "suppressed in the source file (PS)"]
    assert ps and all(r["rate"] is None for r in ps)


@pytest.fixture
def edfacts_districts(tmp_path):
    """Two states, three districts; the second state gives rates without cohort counts."""
    path = tmp_path / "acgr_districts.csv"
    path.write_text(
        "STNAM,FIPST,LEAID,LEANM,NCESSCH,SCHNAM,ALL_COHORT_1415,ALL_RATE_1415,MHI_COHORT_1415,MHI_RATE_1415,"
        "MWH_COHORT_1415,MWH_RATE_1415,CWD_COHORT_1415,CWD_RATE_1415,DATE_CUR\n"
        "STATE,01,0100005,Town,010000500871,Town High,252,91,66,85-89,178,90-94,13,LT50,26NOV16\n"
        "STATE,01,0100005,Town,010000500872,Other High,120,GE95,40,GE90,70,95,3,PS,26NOV16\n"
        "STATE,01,0100006,Village,010000600873,Village High,300,80,100,70-74,180,85-89,40,50-54,26NOV16\n"
        "OTHER,02,0200001,City,020000100001,City High,.,88,.,80-84,.,90-94,.,LT50,26NOV16\n")
    return path


def test_edfacts_districts_and_schools_without_counts_left_out(edfacts_districts, capsys):
    code, out, err = run("screen", edfacts_districts, "--by", "district", "--by", "school", "--format", "json",
                         capsys=capsys)
    assert code == 0, err
    df = pd.DataFrame(json.loads(out))
    assert set(df["level"]) == {"state", "district", "school"}
    whole = df[df["level"] == "state"]
    hispanic = whole[whole["group"] == "Hispanic/Latino"].iloc[0]
    assert not hispanic["suppressed"] and hispanic["n"] == 206  # 66 + 40 + 100; City High left out
    assert hispanic["note"] == "1 school in 1 state gives no cohort count and is not in this total"
    town = df[(df["level"] == "district") & (df["district"] == "Town (0100005)")]
    assert set(town["school"].fillna("")) == {""} and town[town["group"] == "White"].iloc[0]["n"] == 248
    city = df[(df["level"] == "district") & (df["district"] == "City (0200001)")]
    assert city["suppressed"].all() and city["suppression_reason"].str.contains("nothing to add up").all()
    schools = df[df["level"] == "school"]
    assert set(schools["district"]) == {"Town (0100005)", "Village (0100006)", "City (0200001)"}
    code, out, _ = run("screen", edfacts_districts, "--format", "json", capsys=capsys)
    assert set(pd.DataFrame(json.loads(out))["level"]) == {"state"}


def test_xlsx_output_to_a_file(long_file, tmp_path, capsys):
    out = tmp_path / "gaps.xlsx"
    code, _, err = run("screen", long_file, "--out", out, capsys=capsys)
    assert code == 0, err
    assert list(pd.read_excel(out).columns) == columns.COLUMNS


@pytest.mark.parametrize("args, words", [
    (["screen", "missing.csv"], "There is no file"),
    (["screen", "{long}", "--format", "html"], "invalid choice"),
    (["screen", "{students}", "--group", "shoe_size"], "has no column “shoe_size”"),
    (["screen", "{long}", "--format", "xlsx"], "add --out"),
])
def test_bad_input_gets_one_sentence_and_a_non_zero_exit(args, words, long_file, student_file, capsys):
    args = [a.format(long=long_file, students=student_file) for a in args]
    code, out, err = run(*args, capsys=capsys)
    assert code != 0 and out == ""
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_column_that_is_not_there_lists_the_first_twelve_and_says_how_many_more(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    names = ["sid", "year", "race"] + [f"score_{i}" for i in range(12)]
    path.write_text(",".join(names) + "\n" + "\n".join(f"{i},2024-25,{'HBW'[i % 3]}," + ",".join(["1"] * 12)
                                                        for i in range(40)) + "\n")
    code, _, err = run("screen", path, "--group", "shoe_size", capsys=capsys)
    assert code == 2 and "its columns are sid, year, race, score_0" in err and "score_8 and 3 more." in err


def test_a_file_that_is_not_a_table(tmp_path, capsys):
    path = tmp_path / "picture.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, _, err = run("screen", path, capsys=capsys)
    assert code != 0 and err.startswith("Error: ") and err.count("\n") == 1


def test_module_entry_point(long_file):
    done = subprocess.run([sys.executable, "-m", "successgaps", "screen", str(long_file)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith(",".join(columns.COLUMNS))


def test_edfacts_assessment_file_by_district(tmp_path, capsys):
    path = tmp_path / "assessment.csv"
    path.write_text(
        "STNAM,FIPST,LEAID,LEANM,NCESSCH,SCHNAM,ALL_MTH00NUMVALID_1718,ALL_MTH00PCTPROF_1718,ECD_MTH00NUMVALID_1718,"
        "ECD_MTH00PCTPROF_1718\n"
        "STATE,01,0100005,Town,010000500871,Town Elem,400,55,200,35-39\n"
        "STATE,01,0100006,Village,010000600873,Village Elem,300,GE80,100,60-69\n")
    code, out, err = run("screen", path, "--by", "district", "--format", "json", capsys=capsys)
    assert code == 0, err
    df = pd.DataFrame(json.loads(out))
    assert set(df["outcome"]) == {"Math proficiency"} and set(df["year"]) == {"2017-18"}
    town = df[(df["level"] == "district") & (df["district"] == "Town (0100005)")].iloc[0]
    assert (town["n"], town["rate_low"], town["rate_high"]) == (200, pytest.approx(0.35), pytest.approx(0.39))
    whole = df[df["level"] == "state"].iloc[0]
    assert whole["n"] == 300 and whole["rate_low"] == pytest.approx((200 * 0.35 + 100 * 0.60) / 300)


def test_the_command_reads_the_file_while_the_engine_loads(tmp_path):
    """The command's own imports leave out pandas, NumPy and SciPy (most of a second): a thread imports them
    while DuckDB reads the file, so the user waits for the longer of the two, not their sum."""
    light = subprocess.run([sys.executable, "-c", "import sys; import successgaps.cli; "
                            "print(sorted(m for m in ('pandas', 'numpy', 'scipy') if m in sys.modules))"],
                           capture_output=True, text=True, cwd=ROOT, check=True)
    assert light.stdout.strip() == "[]"
    path = tmp_path / "district.csv"
    sample.generate(students_per_grade=20).to_csv(path, index=False)
    done = subprocess.run([sys.executable, "-m", "successgaps", "screen", str(path), "--out", str(tmp_path / "g.csv")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "Traceback" not in done.stderr and "Exception" not in done.stderr
    assert len(table((tmp_path / "g.csv").read_text())) > 0
