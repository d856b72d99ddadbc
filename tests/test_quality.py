"""The data-quality report: a data lead reads, in plain sentences, what is wrong before any gap is computed."""

import random

import duckdb
import pytest

from successgaps.data import datasets, quality
from successgaps.data.quality import quality_report
from successgaps.store import Store

MESSY = """sid,school,year,race,disability,grad,score,days_absent,days_enrolled
1,North,2024,H,Y,1,700,5,180
1,North,2024,H,Y,1,700,5,180
2,North,2024,B,N,0,710,200,180
3,North,2024,D,N,1,abc,4,180
4,South,2024,W,,1,9999,3,180
5,South,2024,W,N,maybe,690,-2,180
6,South,2024,H,N,1,705,2,180
7,South,2024,W,N,0,695,1,180
8,South,2024,W,N,1,702,0,180
9,South,2024,W,N,1,698,6,180
10,South,2024,W,N,0,701,1,180
"""


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "ws")
    yield s
    s.close()


def report_for(store, tmp_path, text, name="messy.csv", min_n=5):
    project = store.create("Q")
    project.gap_settings.min_n = min_n
    path = tmp_path / name
    path.write_text(text)
    ds = datasets.create_dataset(store, project, path, name)
    return quality_report(store.cursor(), project, ds)


def texts(findings, severity=None):
    return [f.text for f in findings if severity is None or f.severity == severity]


def test_a_messy_student_file_gets_every_problem_in_a_sentence(store, tmp_path):
    findings = report_for(store, tmp_path, MESSY)
    problems, warnings, infos = texts(findings, "problem"), texts(findings, "warning"), texts(findings, "info")
    assert findings[0].severity == "problem"  # most serious first
    assert "1 student id appears more than once in the same year (2 rows; 1 in 2024)" in " ".join(problems)
    assert any("has 1 code the mapping does not know: D (1 row); give them labels in the code table, or this row counts" in p for p in problems)
    assert any("Score (score) has 1 value that is not a number" in p and "abc" not in p for p in problems)
    assert any("days_absent has 1 negative value (lowest -2), which is impossible" in p for p in problems)
    assert any("days_absent is larger than days_enrolled in 1 row, which is impossible; correct it." in p for p in problems)
    assert any("score has 1 value far outside its usual range" in w and "9999" in w for w in warnings)
    assert any("Check that maybe really means no" in w for w in warnings)
    assert any(t.startswith("disability (Disability) is empty in 1 of 11 rows") for t in warnings)
    assert any("fewer than the minimum of 5 students" in w and "Black or African American (1 student in 2024)" in w
               for w in warnings)
    assert "The data set has 11 rows from 1 file: messy.csv (11 rows)." in infos
    assert any(t.startswith("2 schools found, for example North, South") for t in infos)
    assert any(t.startswith("1 school year found: 2024 (11 rows)") for t in infos)
    assert all("\n" not in t for t in texts(findings))


def test_a_column_of_few_values_is_summarised_from_its_counts_with_the_same_findings(store, tmp_path, monkeypatch):
    """Scale scores and days have a few hundred values: they are counted value by value, not sorted. The report
    reads the same as when DuckDB sorts every value (the way a column of many decimals still goes)."""
    rows = [f"{i},{'North' if i % 2 else 'South'},2024,{'HBW'[i % 3]},{'YN'[i % 4 == 0]},{i % 5 > 0:d},"
            f"{600 + (i * 37) % 211}.{i % 4 * 25:02d},{(i * 7) % 23},180" for i in range(1, 400)]
    text = MESSY + "\n".join(rows) + "\n4000,South,2024,W,N,1,99999,99,180\n"
    counted = texts(report_for(store, tmp_path, text, "scores.csv"))
    monkeypatch.setattr(quality, "FEW_VALUES", -1)  # every column sorted by DuckDB instead
    assert texts(report_for(store, tmp_path, text, "scores.csv")) == counted
    assert any("score has 2 values far outside its usual range" in t for t in counted)


def test_codes_counted_from_the_cube_are_the_files_own(store, tmp_path):
    """The group columns' codes are counted from the cube (summed per code as the files give them), the yes/no
    outcomes' from the records: over two files with their own spellings, the same counts as reading every
    record, and the report says them."""
    project = store.create("Q")
    first = tmp_path / "y1.csv"
    first.write_text(MESSY)
    ds = datasets.create_dataset(store, project, first, "y1.csv")
    second = tmp_path / "y2.csv"
    second.write_text(MESSY.replace(",2024,", ",2025,").replace(",W,", ", w ,").replace(",H,", ",Z,"))
    datasets.add_file(store, project, ds, second, "y2.csv")
    con = store.cursor()
    prepared = quality.prepare(con, project, ds)
    assert prepared.cube
    from_rows, from_cube = quality._scan(con, project, ds), quality._scan(con, project, ds, prepared)
    assert from_cube == from_rows
    values, empty = from_cube
    assert dict(values["race"]) == {"W": 6, "w": 6, "H": 3, "Z": 3, "B": 2, "D": 2} and empty["disability"] == 2
    assert any("Z (3 rows)" in t and "D (2 rows)" in t for t in texts(quality_report(con, project, ds), "problem"))


def test_quartiles_from_counts_are_duckdbs_own():
    """The "middle half" a data lead reads (and the fences of far-out values) is the same whichever way the
    quartiles are taken: from a column's value counts, or by DuckDB sorting it."""
    con, draw = duckdb.connect(), random.Random(7)
    for trial in range(300):
        values = [draw.randint(-5, 900) if trial % 2 else round(draw.uniform(-3, 3) * 10 ** draw.randint(-4, 6), 9)
                  for _ in range(draw.randint(1, 50))]
        want = con.execute("SELECT quantile_cont(v, [0.25, 0.75]) FROM unnest(?::DOUBLE[]) t(v)", [values]).fetchone()[0]
        counts = sorted({v: values.count(v) for v in values}.items())
        got = [quality._quantile(counts, len(values), q) for q in (0.25, 0.75)]
        if trial % 2:  # whole values: exact
            assert got == want
        else:  # decimals: to the last digit or its neighbour (DuckDB's build may round its products apart)
            assert got == pytest.approx(want, rel=1e-15, abs=1e-300)


def test_no_student_id_appears_in_the_report(store, tmp_path):
    findings = report_for(store, tmp_path, MESSY.replace("\n1,", "\nS-778899,"))
    assert not any("S-778899" in t for t in texts(findings))


def test_aggregate_rates_report_their_kinds_and_impossible_values(store, tmp_path):
    text = ("school,year,subgroup,cohort,graduates,grad_rate\n"
            "Lake,2023,All Students,100,90,90\nLake,2023,Hispanic,30,40,130\nLake,2023,Black,-5,,PS\n"
            "Lake,2023,White,8,,GE95\nLake,2023,Asian,20,,n/r\n")
    findings = report_for(store, tmp_path, text, "long.csv", min_n=10)
    problems = " ".join(texts(findings, "problem"))
    assert "1 row has a negative count" in problems
    assert "1 rate is outside 0–100% (or its range is reversed); correct it" in problems
    assert "1 row has more students with the outcome than students in the group" in problems
    assert "1 rate could not be read: n/r (1 row); it counts as missing." in problems
    assert any("1 group result has fewer than the minimum of 10 students; it will be suppressed" in w for w in texts(findings, "warning"))
    assert any("5 group results:" in i and "1 suppressed by the source (PS)" in i for i in texts(findings, "info"))
    # its year counts what the file counts: group results, not rows (a wide EDFacts file of 22,167 rows gave
    # "2014-15 (221,670 rows)")
    assert "1 school year found: 2023 (5 group results)." in texts(findings, "info")


def test_an_unusable_mapping_is_the_first_finding_not_a_crash(store, tmp_path):
    project = store.create("Q")
    path = tmp_path / "s.csv"
    path.write_text("sid,race,grad\n1,H,1\n")
    ds = datasets.create_dataset(store, project, path, "s.csv")
    for c in ds.columns:
        c.role = "ignore"
    findings = quality_report(store.cursor(), project, ds)
    assert findings[0].severity == "problem" and "at least one column as an outcome" in findings[0].text
