"""The benchmark's own story: files of any size in the sample's shape, a pandas reference an analyst
would trust, and (the CI smoke mode) the engine agreeing with that reference figure by figure."""

import pandas as pd
import pytest

from bench import generate
from bench.reference import gap_table
from successgaps.data.prepared import Dimension, Outcome
from successgaps.process.sample import DISABILITY_CATEGORIES
from successgaps.process.sample import generate as sample_generate


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_a_generated_file_has_the_sample_districts_columns_and_codes(tmp_path):
    path = generate.write(tmp_path / "students.csv", rows=5_000, seed=7)
    students, sample = read(path), sample_generate(seed=1, students_per_grade=20).astype("string").fillna("")
    assert list(students.columns) == list(sample.columns)
    assert len(students) == 5_000 and students["student_id"].is_unique
    codes = {"race_ethnicity": set("HBWAIPT"), "sex": {"F", "M"}, "school_year": {"2022-23", "2023-24", "2024-25"},
             "grade": {"KG"} | {str(g) for g in range(1, 13)}, "disability_category": set(DISABILITY_CATEGORIES) | {""},
             "reading_proficient": {"Y", "N", ""}}
    codes |= {column: {"Y", "N"} for column in ("disability", "english_learner", "econ_disadvantaged", "migrant")}
    for column, expected in codes.items():
        assert set(students[column]) == expected, column
        assert set(sample[column]) <= expected, column
    # outcomes exist only where the sample has them: graduation in grade 12, tests in 3-8 and 10
    assert (students.loc[students["grade"] != "12", "graduated_4yr"] == "").all()
    assert (students.loc[students["grade"] == "12", "graduated_4yr"] != "").all()
    tested = students["grade"].isin([str(g) for g in (3, 4, 5, 6, 7, 8, 10)])
    assert (students.loc[tested, "reading_scale_score"] != "").all()
    assert (students.loc[~tested, "math_proficient"] == "").all()
    assert (students.loc[students["disability"] == "Y", "newly_identified_sped"] == "").all()
    # each school serves one grade band, like the sample's elementary, middle and high schools
    high = students["school_name"].str.endswith("High")
    assert students.loc[high, "grade"].isin(["9", "10", "11", "12"]).all()


def test_the_planted_gaps_are_there(tmp_path):
    students = read(generate.write(tmp_path / "students.csv", rows=60_000, seed=3))
    seniors = students[students["grade"] == "12"]
    grad = seniors["graduated_4yr"].astype(int)
    el = seniors["english_learner"] == "Y"
    assert 12 < (grad[~el].mean() - grad[el].mean()) * 100 < 25  # about 18 points lower
    susp = students["suspended_oss"].astype(int)
    black = students["race_ethnicity"] == "B"
    assert 2.2 < susp[black].mean() / susp[~black].mean() < 4  # about 3 times as likely


def test_a_file_is_the_same_for_the_same_seed_and_differs_for_another(tmp_path, monkeypatch):
    monkeypatch.setattr(generate, "CHUNK_ROWS", 700)  # several chunks
    a = generate.write(tmp_path / "a.csv", rows=2_000, seed=5).read_bytes()
    b = generate.write(tmp_path / "b.csv", rows=2_000, seed=5).read_bytes()
    c = generate.write(tmp_path / "c.csv", rows=2_000, seed=6).read_bytes()
    assert a == b and a != c
    assert a.count(b"\n") == 2_001


def test_a_parquet_file_holds_the_same_records_as_the_csv(tmp_path):
    csv = read(generate.write(tmp_path / "s.csv", rows=1_500, seed=9))
    parquet = pd.read_parquet(generate.write(tmp_path / "s.parquet", rows=1_500, seed=9), dtype_backend="pyarrow")
    assert parquet.astype("string").fillna("").equals(csv.astype("string"))


def test_the_reference_counts_all_other_students_with_a_known_outcome():
    # 100 students: 40 English learners (20 graduate), 55 not (45 graduate), 5 unknown (none graduate)
    frame = pd.DataFrame({
        "school": ["A", "B"] * 50,
        "year": "2024-25",
        "el": ["Y"] * 40 + ["N"] * 55 + [None] * 5,
        "grad": [1.0] * 20 + [0.0] * 20 + [1.0] * 45 + [0.0] * 15,
        "score": [float(i) for i in range(100)],
    })
    table = gap_table(frame, [Dimension("el", "English learners")],
                      [Outcome("grad", "Graduation"), Outcome("score", "Score", "numeric")])
    el = table[(table["level"] == "district") & (table["group"] == "Y") & (table["outcome"] == "Graduation")].iloc[0]
    assert (el["n"], el["events"], el["rate"]) == (40, 20, 0.5)
    # all other students: the 55 non-learners and the 5 whose status is unknown
    assert (el["comparison_n"], el["comparison_rate"]) == (60, 0.75)
    assert el["difference"] == pytest.approx(-25.0) and el["risk_ratio"] == pytest.approx(2 / 3)
    score = table[(table["level"] == "district") & (table["group"] == "Y") & (table["outcome"] == "Score")].iloc[0]
    assert (score["mean"], score["comparison_mean"], score["difference"]) == (19.5, 69.5, -50.0)
    # at school level every group has fewer than 30 students: suppressed, no figure left to read
    school = table[table["level"] == "school"]
    assert school["suppressed"].all() and school[["rate", "mean", "difference", "risk_ratio"]].isna().all().all()
    assert set(school["suppression_reason"]) == {"group below minimum n"}


def test_the_smoke_benchmark_finds_the_engine_and_the_reference_agreeing(tmp_path, capsys):
    """CI smoke mode: the whole benchmark (generate, load, screen, reference) on a few thousand rows."""
    from bench.__main__ import main

    status = main(["--smoke", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    lines = printed.strip().splitlines()
    assert lines[-1].startswith("speedup_vs_pandas=") and float(lines[-1].split("=")[1]) > 0
    for check in ("rows", "suppression", "figures", "privacy"):
        assert f"agree on {check:<13} yes" in printed, printed
    assert status == 0


def test_a_lone_hidden_group_cannot_be_worked_out_when_another_group_has_no_known_outcome():
    import duckdb

    from bench.reference import compare
    from successgaps.data.prepared import Prepared
    from successgaps.engine.screen import screen

    # one school: 40 White, 40 Hispanic, 40 Black students (half proficient), one Pacific Islander
    # (proficient), one American Indian student with no test score
    groups = ["White"] * 40 + ["Hispanic"] * 40 + ["Black"] * 40 + ["Pacific Islander", "American Indian"]
    proficient = [float(i % 2) for i in range(120)] + [1.0, None]
    frame = pd.DataFrame({"school": "A", "year": "2024-25", "race": groups, "proficient": proficient})
    con = duckdb.connect()
    con.register("students", frame)
    dimensions, outcomes = (Dimension("race", "Race/ethnicity"),), (Outcome("proficient", "Proficient"),)
    engine = screen(con, Prepared("student", "students", dimensions, outcomes))
    shown = engine[(engine["level"] == "school") & ~engine["suppressed"]]
    # what a reader can do with the shown rows: the school's total events, minus every shown group's
    total = shown["events"].iloc[0] + shown["comparison_rate"].iloc[0] * shown["comparison_n"].iloc[0]
    worked_out = round(total - shown["events"].sum())
    assert worked_out != 1, "the Pacific Islander student's result can be worked out from the shown figures"
    reference = gap_table(frame, dimensions, outcomes)
    assert not any(compare(engine, reference).values())


def test_the_comparison_catches_a_wrong_figure_a_missing_row_and_a_figure_on_a_hidden_row():
    from bench.reference import compare

    frame = pd.DataFrame({"school": "A", "year": "2024-25", "el": ["Y"] * 20 + ["N", "M", "F"] * 40,
                          "grad": [1.0, 0.0] * 70})
    reference = gap_table(frame, [Dimension("el", "English learners")], [Outcome("grad", "Graduation")])
    assert not any(compare(reference, reference).values())
    wrong = reference.copy()
    wrong.loc[wrong.index[~wrong["suppressed"]][0], "rate"] += 0.01
    assert compare(wrong, reference)["figures"]
    assert compare(reference.iloc[1:], reference)["rows"]
    leaky = reference.copy()
    hidden = leaky.index[leaky["suppressed"]][0]
    leaky.loc[hidden, "rate"] = 0.5
    assert compare(leaky, reference)["privacy"]


def test_the_peers_compute_the_apps_counts_and_are_timed_as_whole_processes(tmp_path, capsys):
    """`python -m bench --peers --smoke`: DuckDB, pandas (and polars, when installed) agree with the
    app on n and events of every cell, and with the app command's own output."""
    import importlib.util

    from bench.__main__ import main

    status = main(["--smoke", "--peers", "--rounds", "1", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    for peer in ("duckdb", "pandas") + (("polars",) if importlib.util.find_spec("polars") else ()):
        assert f"agree {peer:<9} n and events on every cell: yes" in printed, printed
        assert f"app_vs_{peer}=" in printed
    if not importlib.util.find_spec("polars"):
        assert "polars          NOT INSTALLED" in printed
    assert "agree app.csv   with the peers (n on every row, events where shown): yes" in printed
    # the screen against DuckDB's minimal statement over the very table it screens, which agrees too
    assert "screen_vs_sql=" in printed and "over the same table" in printed
    assert "agree sql       (the minimal statement over the uploaded table) n and events on every cell: yes" in printed
    assert "load_vs_duckdb_read=" in printed and status == 0


def test_the_peer_check_catches_a_wrong_count_and_a_missing_cell():
    from bench.whole import agree

    keys = {"level": "district", "school": None, "year": "2024-25", "dimension": "Sex", "outcome": "Graduation"}
    app = pd.DataFrame([{**keys, "group": "Female", "n": 40, "events": 30.0},
                        {**keys, "group": "Male", "n": 38, "events": 25.0},
                        {**keys, "group": "Nonbinary", "n": 0, "events": None}])
    assert agree(app, app.iloc[:2], {"Graduation"}) == []  # a cell of no students may be absent
    assert agree(app, app.iloc[[0]], {"Graduation"})  # not a cell of students
    wrong = app.copy()
    wrong.loc[1, "events"] = 26.0
    assert agree(app, wrong, {"Graduation"})


def test_the_browser_phase_times_click_to_paint_on_identify_gaps(tmp_path, capsys):
    """`python -m bench --browser --smoke`: the app served over a loaded project, Identify gaps opened, a year,
    minimum n, the comparison and a tab changed in headless Chromium, each timed until painted."""
    from pathlib import Path

    from bench import browser
    from bench.__main__ import main

    if not Path(browser.CHROMIUM).exists():
        pytest.skip(f"{browser.CHROMIUM} is missing: `apt-get install chromium` to run the browser phase")
    status = main(["--smoke", "--browser", "--rounds", "1", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    for kind in browser.WORDS:
        line = next(line for line in printed.splitlines() if line.startswith(f"browser {kind:<10} "))
        assert 0 < float(line[len(f"browser {kind:<10} "):].split()[0]) < browser.TIMEOUT, line
    assert "goal < 0.4 s" in printed and status == 0
