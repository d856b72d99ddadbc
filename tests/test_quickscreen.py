"""Quick screen: a principal drops one file and reads the largest gaps — computed by the same engine and
written by the same sentence generator as step 3 — and keeps it as a project only if they choose to."""

import re

import pandas as pd
import pytest

from successgaps.data import datasets, views
from successgaps.engine import columns, quickscreen, ranking, statements, suppression
from successgaps.engine.screen import screen
from successgaps.errors import UserError
from successgaps.outputs import gap_reports, gap_table
from successgaps.process import sample
from tests import edfacts_fixture


@pytest.fixture(scope="module")
def district_csv() -> bytes:
    """A small fictional district (3 years) with ids that are easy to spot, and a race code 'P' of 5 students
    in the latest year (too few to show)."""
    frame = sample.generate(seed=7, students_per_grade=150)
    frame["student_id"] = "STU-" + frame["student_id"].astype(str)
    latest = frame["school_year"] == frame["school_year"].max()
    frame.loc[frame["race_ethnicity"] == "P", "race_ethnicity"] = "W"
    frame.loc[frame.index[latest][:5], "race_ethnicity"] = "P"
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def quick(district_csv, tmp_path_factory):
    return quickscreen.run(district_csv, "district.csv", tmp_path_factory.mktemp("ws"))


def step3_table(store, district_csv, tmp_path):
    """The screen as step 3 computes it for the same file loaded into a project."""
    path = tmp_path / "district.csv"
    path.write_bytes(district_csv)
    project = store.create("Step 3")
    dataset = datasets.create_dataset(store, project, path, "district.csv")
    prepared = views.prepare(store.cursor(), project, dataset)
    return suppression.for_export(screen(store.cursor(), prepared, project.gap_settings, extra=True))


def test_the_summary_line_counts_students_years_groupings_and_outcomes(quick, district_csv):
    frame = pd.read_csv(pd.io.common.BytesIO(district_csv))
    assert quick.summary == (f"{frame['student_id'].nunique():,} students, 3 years, 7 groupings, "
                             "10 outcomes detected")
    assert quick.year == frame["school_year"].max()


def test_the_ten_largest_gaps_are_step_3s_flagged_rows_across_groups_in_its_own_sentences(quick, store, district_csv,
                                                                                         tmp_path):
    table = step3_table(store, district_csv, tmp_path)
    pd.testing.assert_frame_equal(quick.table, table)
    shown, _ = ranking.gap_screen(table, quick.project.gap_settings, year=quick.year)
    meaningful = shown[shown["flagged"] & ~(shown["p_value"] >= 0.05)]
    rank = {(r.dimension, r.group, r.outcome): i for i, r in enumerate(meaningful.itertuples())}
    assert len(quick.gaps) == 10
    keys = [(g.row["dimension"], g.row["group"], g.row["outcome"]) for g in quick.gaps]
    assert all(k in rank for k in keys) and [rank[k] for k in keys] == sorted(rank[k] for k in keys)
    groups = {(d, g) for d, g, _ in keys}
    assert len(groups) >= min(8, len({(d, g) for d, g, _ in rank}))  # spread over groups, not one group's outcomes
    expected = meaningful.set_index(["dimension", "group", "outcome"]).loc[keys].reset_index()
    for gap, (_, row) in zip(quick.gaps, expected.iterrows()):
        assert gap.sentence == statements.gap_sentence(row.to_dict(), interval=True)
        assert f"(n = {int(row['n']):,})" in gap.sentence and "95% interval" in gap.sentence
        assert gap.row["year"] == quick.year and gap.row["level"] == "district"


def test_small_groups_are_listed_with_the_reason_and_never_ranked(quick):
    assert all(not g.row["suppressed"] for g in quick.gaps)
    assert not any("Pacific Islander" in g.sentence for g in quick.gaps)
    line = next(s for s in quick.suppressed if s.startswith("Native Hawaiian or Other Pacific Islander"))
    assert "fewer than 30 students in the group" in line
    hidden = quick.table[(quick.table["group"] == "Native Hawaiian or Other Pacific Islander")
                         & (quick.table["year"] == quick.year) & (quick.table["level"] == "district")]
    assert hidden["suppressed"].all() and hidden["rate"].isna().all()


def test_no_student_id_reaches_the_screen_the_table_or_the_csv(quick):
    shown = " ".join([quick.summary, *(g.sentence for g in quick.gaps), *quick.suppressed])
    assert "STU-" not in shown
    assert "STU-" not in quickscreen.rows_behind(quick).to_csv()
    csv = gap_table.screen_csv(quick).decode("utf-8-sig")
    assert "STU-" not in csv
    assert csv.splitlines()[0].split(",") == columns.COLUMNS


def test_the_csv_is_the_screen_as_exported_elsewhere(quick):
    exported = pd.read_csv(pd.io.common.BytesIO(gap_table.screen_csv(quick)), keep_default_na=False)
    assert len(exported) == len(suppression.for_export(quick.table))
    small = exported[exported["group"] == "Native Hawaiian or Other Pacific Islander"]
    assert (small["rate"] == "").all() and (small["suppressed"].astype(str) == "True").all()


def test_the_heatmap_shows_the_latest_years_yes_no_outcomes(quick):
    rows = quick.heatmap_rows
    assert set(rows["year"]) == {quick.year} and set(rows["kind"]) == {"binary"}
    assert "Four-year graduation" in set(rows["outcome"])


def test_nothing_is_written_anywhere_by_a_screen(district_csv, tmp_path):
    workspace = tmp_path / "ws"
    quickscreen.run(district_csv, "district.csv", workspace)
    assert list(workspace.iterdir()) == []  # the spooled copy is gone; no database was created


def test_an_excel_workbook_dropped_on_the_page_is_screened_as_its_csv(district_csv, quick, tmp_path):
    """A principal drops the .xlsx the district exported. The upload reaches the reader as a spooled copy named
    .tmp, and openpyxl refused any name without .xlsx: every Excel drop said "cannot be opened"."""
    import io

    book = io.BytesIO()
    pd.read_csv(io.BytesIO(district_csv), dtype=str).to_excel(book, index=False)
    excel = quickscreen.run(book.getvalue(), "district.xlsx", tmp_path / "ws")
    assert excel.summary == quick.summary and excel.year == quick.year
    assert [g.sentence for g in excel.gaps] == [g.sentence for g in quick.gaps]
    assert list((tmp_path / "ws").iterdir()) == []  # its spooled copy is gone too


def test_a_workbook_with_a_cover_sheet_is_screened_from_its_data_sheet_and_kept_so(district_csv, quick, store,
                                                                                     tmp_path):
    """Exports often put a 'Read me' sheet first; Quick screen has no sheet picker, so it screens the first sheet
    with groups and outcomes (it said "could not find both student groups and outcomes") and says which."""
    import io

    book = io.BytesIO()
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"About": ["Exported from the SIS", "Confidential"]}).to_excel(writer, sheet_name="Read me",
                                                                                    index=False)
        pd.read_csv(io.BytesIO(district_csv), dtype=str).to_excel(writer, sheet_name="Students", index=False)
    excel = quickscreen.run(book.getvalue(), "export.xlsx", tmp_path / "ws")
    assert excel.source == "export.xlsx (sheet \u201cStudents\u201d)" and excel.summary == quick.summary
    kept = quickscreen.keep(store, excel, "From the workbook", [])
    assert kept.datasets[0].files[0].sheet == "Students"
    book = io.BytesIO()
    with pd.ExcelWriter(book) as writer:  # no sheet has data: the first sheet's sentence
        for name in ("Read me", "Notes"):
            pd.DataFrame({"About": ["nothing here"]}).to_excel(writer, sheet_name=name, index=False)
    with pytest.raises(UserError, match="export.xlsx"):
        quickscreen.run(book.getvalue(), "export.xlsx", tmp_path / "ws")
    assert list((tmp_path / "ws").iterdir()) == []


def test_a_pdf_gets_one_sentence(tmp_path):
    with pytest.raises(UserError, match="is a PDF document"):
        quickscreen.run(b"%PDF-1.7 not a table", "report.csv", tmp_path)


def test_a_file_without_outcomes_gets_one_sentence_pointing_to_the_data_page(tmp_path):
    data = "".join(f"{i},North,{'HBW'[i % 3]}\n" for i in range(50))
    with pytest.raises(UserError, match="could not find both student groups and outcomes .* Data page"):
        quickscreen.run(("student_id,school,race\n" + data).encode(), "roster.csv", tmp_path)


def test_keep_this_makes_a_project_with_the_data_the_mapping_and_the_chosen_statements(quick, store):
    chosen = [quick.gaps[0].key, quick.gaps[2].key]
    created = quickscreen.keep(store, quick, "  North district quick screen ", chosen)
    saved = store.load(created.id)
    assert saved.name == "North district quick screen"
    [dataset] = saved.datasets
    assert dataset.confirmed and dataset.columns == quick.dataset.columns
    assert store.tables(saved.id) == [dataset.files[0].table]
    assert [(s.group, s.outcome) for s in saved.statements] == [
        (quick.gaps[0].row["group"], quick.gaps[0].row["outcome"]),
        (quick.gaps[2].row["group"], quick.gaps[2].row["outcome"])]
    first = saved.statements[0]
    assert first.focus and first.dataset_id == dataset.id and first.year == quick.year
    assert first.text == statements.gap_sentence(quick.gaps[0].row)
    assert first.figures == statements.figures(quick.gaps[0].row)
    # the project's own screen is the quick screen
    prepared = views.prepare(store.cursor(), saved, dataset)
    project_table = suppression.for_export(screen(store.cursor(), prepared, saved.gap_settings, extra=True))
    pd.testing.assert_frame_equal(project_table, quick.table)


def test_keep_without_a_name_creates_nothing(quick, store):
    with pytest.raises(UserError, match="Give the project a name"):
        quickscreen.keep(store, quick, "  ", [])
    assert store.list() == []


def test_the_one_pager_is_one_page_with_the_summary_and_the_ten_sentences(quick, tmp_path):
    from test_reports import pdf_text  # poppler's pdftotext, as the reports' own tests read PDFs

    pdf = gap_reports.one_pager(quick)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert quick.summary in text and "Hidden to protect student privacy" in text
    for gap in quick.gaps:
        assert " ".join(gap.sentence.split()) in text
    assert "STU-" not in text


EDFACTS = edfacts_fixture.EDFACTS.encode()  # the file as uploaded


@pytest.fixture(scope="module")
def edfacts_quick(tmp_path_factory):
    return quickscreen.run(EDFACTS, "acgr.csv", tmp_path_factory.mktemp("ed"))


def test_a_public_file_of_several_districts_screens_the_whole_file_with_the_left_out_sentence(edfacts_quick,
                                                                                           tmp_path_factory):
    q = edfacts_quick
    assert q.place == ("state", "", "") and q.shown > 0 and not q.empty
    assert q.place_label == "the nation (the whole file: 2 states)"
    assert q.notes == ["1 school in 1 state gives no cohort count and is not in this total"]
    # where the schools left out differ from group to group, each sentence names its groups; groups whose
    # schools left out are in as many states share one sentence (the EDFacts national file: nine groups, one line)
    town_cwd = EDFACTS.decode().replace(",13,LT50,", ",.,LT50,").encode()
    notes = quickscreen.run(town_cwd, "acgr.csv", tmp_path_factory.mktemp("ed2")).notes
    assert notes == ["schools in 1 state that give no cohort count are not in these totals; by group: Hispanic/Latino 1, "
                     "White 1",
                     "Children with disabilities: 2 schools in 2 states give no cohort count and are not in this total"]
    places = quickscreen.places(q)
    assert places[0] == ("state", "", "")
    assert ("district", "Town (0100005)", "") in places and ("school", "Village (0100006)", "Village High") in places
    # the largest first: Village High (300 students) before Town High (252)
    assert places.index(("school", "Village (0100006)", "Village High")) < \
        places.index(("school", "Town (0100005)", "Town High"))


def test_picking_a_school_or_a_district_screens_its_own_groups_with_ranges(edfacts_quick):
    school = quickscreen.choose(edfacts_quick, ("school", "Town (0100005)", "Town High"))
    assert school.gaps and all(g.row["school"] == "Town High" for g in school.gaps)
    sentence = school.gaps[0].sentence
    assert sentence.startswith("At Town High, in 2014–15,") and "between 70% and 74%" in sentence
    district = quickscreen.choose(edfacts_quick, ("district", "Village (0100006)", ""))
    assert district.gaps and {g.row["level"] for g in district.gaps} == {"district"}
    assert district.gaps[0].sentence.startswith("In Village (0100006), in 2014–15,")
    city = quickscreen.choose(edfacts_quick, ("district", "City (0200001)", ""))
    assert not city.gaps and city.shown == 0
    assert city.empty.startswith("Every group of City (0200001) (district) in 2014–15 is hidden:")
    assert "not a finding of no gap" in city.empty and "another place (the nation (the whole file: 2 states), Town (0100005) (district)" in city.empty


def test_the_default_year_is_the_latest_with_groups_large_enough_to_show(tmp_path):
    rows = ["school,year,group,students,graduates"]
    for year, scale in (("2022-23", 10), ("2023-24", 10), ("2024-25", 1)):
        rows += [f"North,{year},All students,{25 * scale},{20 * scale}", f"North,{year},White,{15 * scale},{14 * scale}",
                 f"North,{year},Hispanic,{10 * scale},{6 * scale}"]
    q = quickscreen.run(("\n".join(rows) + "\n").encode(), "long.csv", tmp_path)
    assert q.years_list == ("2022-23", "2023-24", "2024-25") and q.year == "2023-24" and q.shown > 0
    latest = quickscreen.choose(q, None, "2024-25")
    assert latest.year == "2024-25" and latest.shown == 0 and not latest.gaps
    assert "is hidden" in latest.empty and "another year (2022–23, 2023–24)" in latest.empty
    assert "smaller minimum size" in latest.empty


RANGES = (  # one school, as EDFacts publishes a small group: children with disabilities "60-79"
    "STNAM,FIPST,LEAID,LEANM,NCESSCH,SCHNAM,ALL_COHORT_1415,ALL_RATE_1415,CWD_COHORT_1415,CWD_RATE_1415,DATE_CUR\n"
    "STATE,01,0100005,Town,010000500871,Town High,200,85-89,40,60-79,26NOV16\n").encode()


def test_a_file_of_ranges_never_reads_as_no_gap_the_gaps_it_leaves_open_are_listed_with_their_ranges(tmp_path):
    """Children with disabilities graduated at 60-79% against 86-96% for the others: a gap of 8 to 36 points,
    22 at the middle. Not beyond the 10-point threshold at every end, so not among the gaps beyond it — and
    not "no gap" either: the file's ranges leave it open, and the screen and the one-pager say so."""
    from test_reports import pdf_text  # noqa: PLC0415 - poppler's pdftotext, as the reports' own tests read PDFs

    q = quickscreen.choose(quickscreen.run(RANGES, "acgr.csv", tmp_path))
    assert q.gaps == [] and q.shown > 0 and not q.empty
    [gap] = q.open_gaps
    assert gap.title == "Children with disabilities · Four-year graduation"
    assert "between 60% and 79% of children with disabilities" in gap.sentence
    assert "a gap of between 8 and 36 percentage points" in gap.sentence
    said = quickscreen.open_sentence(q)
    assert said.startswith("No gap is beyond the usual thresholds at every end of the file's ranges")
    assert "this gap is beyond them: this is not a finding of no gap" in said
    text = " ".join(pdf_text(gap_reports.one_pager(q), tmp_path).split())
    assert "Gaps the file's ranges leave open" in text and "No gap is beyond the thresholds among" not in text
    # an exact file with the same middles has its gap beyond the thresholds, listed as such
    exact = quickscreen.choose(quickscreen.run(RANGES.replace(b"85-89", b"87").replace(b"60-79", b"70"), "acgr.csv",
                                               tmp_path / "exact"))
    assert [g.title for g in exact.gaps] == [gap.title] and exact.open_gaps == []


def _below_thresholds() -> bytes:
    """400 students of one year: English learners average 15 points lower on a scale score whose spread is about
    100 (an effect size near 0.15, below 0.25) and graduate at 80% against 84% (4 points, a risk ratio of not
    graduating of 1.25): differences, none beyond the thresholds."""
    import numpy as np  # noqa: PLC0415

    el = np.array(["Y"] * 100 + ["N"] * 300)
    score = np.where(el == "Y", 685, 700) + np.tile([-100, 100], 200)  # each group's spread: 100
    graduated = np.r_[np.arange(100) < 80, np.arange(300) < 252].astype(int)
    sex = np.array(["F", "F", "M", "M"] * 100)  # each sex: both ends of the spread
    return pd.DataFrame({"student_id": range(1, 401), "school_year": "2024-25", "english_learner": el, "sex": sex,
                         "math_scale_score": score, "graduated_4yr": graduated}).to_csv(index=False).encode()


def test_no_gap_beyond_the_thresholds_still_shows_the_largest_differences_and_what_they_were_measured_on(tmp_path):
    """A principal's real file (the OpenSDP Texas students) read only "No gap in 2012 is beyond the usual
    thresholds": the math gap of 37.7 points it was measured on, below an effect size of 0.25, was in a table
    behind an expander. With no gap listed, the screen and the one-pager give the three largest differences
    against a group, one per group, as sentences with their interval."""
    from test_reports import pdf_text  # noqa: PLC0415

    q = quickscreen.run(_below_thresholds(), "below.csv", tmp_path)
    assert q.gaps == [] and q.open_gaps == [] and not q.empty
    assert 1 <= len(q.nearest) <= quickscreen.NEAREST
    first = q.nearest[0]
    assert first.title == "English learners · Math scale score" and "points lower (95% interval" in first.sentence
    assert len({(g.row["dimension"], g.row["group"]) for g in q.nearest}) == len(q.nearest)  # one per group
    assert all(not g.row["flagged"] and g.row["severity"] > 0 for g in q.nearest)  # against the group, below
    text = " ".join(pdf_text(gap_reports.one_pager(q), tmp_path).split())
    assert "No gap is beyond the thresholds" in text and "The largest differences in 2024–25, none beyond" in text
    assert first.sentence.split(" (n =")[0] in text
    assert ranking.threshold_words(q.project.gap_settings) in text  # the footnote says what the caption says


def test_a_screen_with_gaps_beyond_the_thresholds_lists_no_differences_below_them(quick):
    assert quick.gaps and quick.nearest == []


def test_the_screen_and_the_one_pager_say_the_thresholds_in_the_same_words():
    """The caption under Quick screen's list and the one-pager's footnote name the same tests as
    `ranking.flagged` applies: a risk ratio *above* the threshold, a difference *at least* the points."""
    from successgaps.models import GapSettings

    words = ranking.threshold_words(GapSettings(risk_ratio_threshold=1.5, point_gap_threshold=8))
    assert words.startswith("the risk ratio is above 1.5 or the difference is 8 percentage points or more")
    assert words in quickscreen.thresholds_sentence(GapSettings(risk_ratio_threshold=1.5, point_gap_threshold=8))
    assert "percentage points" not in ranking.threshold_words(GapSettings(point_gap_threshold=0))
    assert "rate thresholds are off" in ranking.threshold_words(GapSettings(risk_ratio_threshold=0,
                                                                            point_gap_threshold=0))
