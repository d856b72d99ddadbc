"""Quick screen page: a principal drops the district's file, reads the ten largest gaps as sentences, sees
what was hidden and why, and keeps the screen as a project with two of its gaps as statements."""

import pytest

from successgaps.engine import quickscreen, ranking, statements
from successgaps.process import sample
from successgaps.ui import deck
from successgaps.ui.escape import esc as ui_esc
from tests import edfacts_fixture

PAGE = "pages/9_Quick_Screen.py"


@pytest.fixture(scope="module")
def district_csv() -> bytes:
    return sample.generate(seed=7, students_per_grade=150).to_csv(index=False).encode()


def drop(at, name: str, content: bytes):
    at.file_uploader(key="qs_upload").upload(name, content, "text/csv")
    return at.run()


def test_dropping_a_file_shows_the_summary_the_ten_sentences_and_what_was_hidden(open_page, store, district_csv,
                                                                                  tmp_path):
    at = drop(open_page(PAGE), "district.csv", district_csv)
    assert not at.exception
    expected = quickscreen.run(district_csv, "district.csv", tmp_path)
    assert at.info[0].value == f"**{expected.summary}** in district.csv."
    [listing] = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert listing.splitlines() == [f"{i}. **{g.title}** — {g.sentence}" for i, g in enumerate(expected.gaps, 1)]
    assert len(listing.splitlines()) == 10
    assert any(h.value.startswith("The 10 largest gaps in ") for h in at.header)
    assert not any(s.value.startswith("No gap") for s in at.success)  # never "No gap" under a list of gaps
    assert at.get("plotly_chart")
    # every hidden result listed once: six on the page, the rest under an expander (not a scrolling box, which a
    # keyboard cannot reach)
    listed = [line[2:] for m in at.markdown if m.value.startswith("- ") for line in m.value.splitlines()]
    assert listed == [ui_esc(statements.years_written(line)) for line in expected.suppressed]
    assert any("fewer than" in x for x in listed)
    labels = [e.label for e in at.expander]
    assert labels[-1] == "The table behind these sentences"
    assert labels[:-1] == ([f"{len(expected.suppressed) - 6} more hidden results"] if len(expected.suppressed) > 6
                           else [])
    assert store.list() == []  # nothing is kept unless the principal chooses to


def test_presentation_mode_shows_one_gap_at_a_time_and_no_keep_controls(open_page, store, district_csv, tmp_path):
    """The principal presents the screen: each slide is one gap (its sentence, its bars, their figures in words);
    the file, place and year are folded below it, and nothing else (lists, table, keep, downloads) is on it.
    Leaving presentation mode, the file is still there."""
    at = drop(open_page(PAGE), "district.csv", district_csv)
    at.toggle(key="sg_presenting").set_value(True).run()
    assert not at.exception
    expected = quickscreen.run(district_csv, "district.csv", tmp_path)
    assert any(m.value.startswith(f"**1 of {len(expected.gaps)}**") for m in at.markdown)
    assert [m.value for m in at.markdown if m.value.startswith("## ")] == [f"## {expected.gaps[0].sentence}"]
    assert any(m.value.startswith("In the chart: ") for m in at.markdown) and at.get("plotly_chart")
    assert [e.label for e in at.expander] == ["The file, the place and the year behind these slides"]
    assert not [m for m in at.markdown if m.value.startswith("1. ")] and not at.header
    assert not [c for c in at.checkbox if c.key.startswith("qs_pick_")] and not at.get("download_button")
    next(b for b in at.button if b.key == "sg_deck_next").click().run()
    assert any(m.value.startswith(f"**2 of {len(expected.gaps)}**") for m in at.markdown)
    assert [m.value for m in at.markdown if m.value.startswith("## ")] == [f"## {expected.gaps[1].sentence}"]
    at.toggle(key="sg_presenting").set_value(False).run()
    assert not at.exception and at.info[0].value == f"**{expected.summary}** in district.csv."


def test_a_slide_warns_only_of_its_own_outcome_and_still_fits(open_page, store, tmp_path):
    """Days absent far outside their usual range: the warning was put under every slide (a reading-score gap
    too), below the slide's fitted chart, so slides ran to 812 px. Now only its outcome's slides carry it, inside
    the slide, and their chart gives it room (as on Identify gaps)."""
    import json

    data = sample.generate(seed=3, students_per_grade=120).to_csv(index=False).encode()
    expected = quickscreen.run(data, "district.csv", tmp_path)
    assert expected.far_out, "the fixture has an outcome with far-out values"
    at = drop(open_page(PAGE), "district.csv", data)
    at.toggle(key="sg_presenting").set_value(True).run()
    warned = set()
    for k, gap in enumerate(expected.listed):
        assert not at.exception
        outcome = gap.row["outcome"]
        shown = [w.value.replace("\\", "") for w in at.warning]  # as written, markdown escapes taken out
        assert shown == ([expected.far_out[outcome]] if outcome in expected.far_out else [])
        height = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["height"]
        assert deck.CHART[1] <= height < 270 if outcome in expected.far_out else height >= 230
        warned |= {outcome} & set(expected.far_out)
        if k < len(expected.listed) - 1:
            next(b for b in at.button if b.key == "sg_deck_next").click().run()
    assert warned  # some slide is about the far-out outcome, and carries its warning


def test_keep_this_makes_the_screen_a_project_with_the_chosen_statements(open_page, store, district_csv):
    at = drop(open_page(PAGE), "district.csv", district_csv)
    at.text_input(key="qs_name").input("Riverbend quick screen")
    picks = [c for c in at.checkbox if c.key.startswith("qs_pick_")]
    assert len(picks) == 10
    picks[0].check()
    picks[3].check()
    next(b for b in at.button if b.label == "Keep this").click()
    at.run()
    assert not at.exception
    [summary] = store.list()
    saved = store.load(summary.id)
    assert saved.name == "Riverbend quick screen"
    assert len(saved.statements) == 2 and saved.datasets[0].confirmed
    assert any("Kept as the project “Riverbend quick screen”" in s.value and "2 gap statements" in s.value
               for s in at.success)
    links = [link.label for link in at.get("page_link")]
    assert any("Data" in label and "mapping" in label for label in links)
    assert at.query_params["project"] == saved.id  # the new project is the open one


def test_a_file_that_is_not_a_table_gets_one_sentence(open_page, store):
    at = drop(open_page(PAGE), "scores.csv", b"%PDF-1.5 binary")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "scores.csv is a PDF document, not a data table; export the data as CSV or Excel and upload that."]
    assert store.list() == []


def test_home_offers_the_quick_screen_with_or_without_a_project(open_page, store):
    at = open_page("Home.py")
    assert any(link.label == "Quick screen" for link in at.get("page_link"))
    project = store.create("Central High")
    at = open_page("Home.py", project=project.id)
    assert any(link.label == "Quick screen" for link in at.get("page_link"))


EDFACTS = edfacts_fixture.EDFACTS.encode()  # the file as uploaded


def _table_behind(at):
    return next(d.value for d in at.dataframe if "Gap (group − comparison)" in d.value.columns)


def _rows_at(quick, level, district, school):
    shown, hidden = ranking.gap_screen(quick.table, quick.project.gap_settings, level=level, school=school,
                                       district=district, year=quick.year)
    return len(shown) + len(hidden)


def test_a_public_file_pick_my_school_and_read_a_sentence_with_a_range(open_page, store, tmp_path):
    """The table behind the sentences is the place's and year's the sentences are about: on the EDFacts national
    file it listed every district's rows (75,982 rows of 9,313 districts) under the nation's nine sentences, and
    after picking a school, still the districts'."""
    at = drop(open_page(PAGE), "acgr.csv", EDFACTS)
    assert not at.exception
    assert any("gives no cohort count and is not in this total" in c.value for c in at.caption)
    [picker] = [s for s in at.selectbox if s.key.startswith("qs_place_")]
    assert picker.value is None  # nothing picked: the whole file
    # a file of one year: no greyed-out year picker (axe: its label fails contrast); the line names the year
    assert not [s for s in at.selectbox if s.key.startswith("qs_year_")]
    assert any(m.value.startswith("Screening ") and "2014–15" in m.value for m in at.markdown)
    expected = quickscreen.run(EDFACTS, "acgr.csv", tmp_path)
    assert len(_table_behind(at)) == _rows_at(expected, "state", "", "")
    assert "Years in a row" not in _table_behind(at).columns  # one year: it would only repeat "Beyond the threshold"
    picker.set_value(("school", "Town (0100005)", "Town High")).run()
    assert not at.exception
    [listing] = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert "At Town High, in 2014–15," in listing and "between 70% and 74%" in listing
    if len(listing.splitlines()) == 1:  # one gap: "The largest gap", and no "No gap" beside it
        assert any(h.value == "The largest gap in 2014–15" for h in at.header)
    assert not any(s.value.startswith("No gap") for s in at.success)
    assert len(_table_behind(at)) == _rows_at(expected, "school", "Town (0100005)", "Town High")
    assert _rows_at(expected, "school", "Town (0100005)", "Town High") < _rows_at(expected, "district", None, "")
    [picker] = [s for s in at.selectbox if s.key.startswith("qs_place_")]
    picker.set_value(("district", "City (0200001)", "")).run()
    assert not at.exception and any("is hidden" in w.value for w in at.warning)
    assert not any(s.value.startswith("No gap") for s in at.success)


def test_a_state_report_card_screens_the_state_then_a_district_as_the_state_published_it(open_page, store):
    from report_card_fixture import report_card_csv

    at = drop(open_page(PAGE), "acgr22.csv", report_card_csv().encode())
    assert not at.exception
    [listing] = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert "66% of English learners graduated, compared with 88% of all other students" in listing  # the T rows
    [picker] = [s for s in at.selectbox if s.key.startswith("qs_place_")]
    picker.set_value(("district", "Alder Unified (10017)", "")).run()
    assert not at.exception
    [listing] = [m.value for m in at.markdown if m.value.startswith("1. ")]
    # the district's own D row (80 students), not its two schools added up (65)
    assert "In Alder Unified (10017), in 2022–23, 56% of students with disabilities graduated" in listing
    assert "(n = 80)" in listing


RANGES = (  # one school, as EDFacts publishes a small group: children with disabilities "60-79"
    "STNAM,FIPST,LEAID,LEANM,NCESSCH,SCHNAM,ALL_COHORT_1415,ALL_RATE_1415,CWD_COHORT_1415,CWD_RATE_1415,DATE_CUR\n"
    "STATE,01,0100005,Town,010000500871,Town High,200,85-89,40,60-79,26NOV16\n").encode()


def test_a_file_of_ranges_is_never_told_no_gap_the_gap_it_leaves_open_is_listed_and_presented(open_page, store):
    at = drop(open_page(PAGE), "acgr.csv", RANGES)
    assert not at.exception
    assert not any(s.value.startswith("No gap") for s in at.success)
    assert any("this is not a finding of no gap" in w.value for w in at.warning)
    assert "Gaps the file's ranges leave open in 2014–15" in [h.value for h in at.header]
    [listing] = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert "Children with disabilities" in listing and "a gap of between 8 and 36 percentage points" in listing
    assert any("Carry over as a gap statement: Children with disabilities" in c.label for c in at.checkbox)
    at.toggle(key="sg_presenting").set_value(True).run()
    assert not at.exception
    assert any("Left open by the file's ranges" in w.value for w in at.warning)
    [slide] = [m.value for m in at.markdown if m.value.startswith("## ")]
    assert "between 60% and 79% of children with disabilities" in slide
    # the bars' figures in words give the gap as the sentence does: between 8 and 36 points
    assert any(m.value.startswith("In the chart: ") and "difference **−36 to −8 points**" in m.value for m in at.markdown)
    assert not [c for c in at.checkbox if c.key.startswith("qs_pick_")]


def test_no_gap_beyond_the_thresholds_shows_the_largest_differences_below_them(open_page, store, tmp_path):
    """The principal's file has differences, none beyond the thresholds: "No gap" is said, and under it the
    largest differences as sentences with what the thresholds are, not only a table behind an expander."""
    from tests.test_quickscreen import _below_thresholds  # noqa: PLC0415

    at = drop(open_page(PAGE), "below.csv", _below_thresholds())
    assert not at.exception
    assert any(s.value.startswith("No gap in 2024–25 is beyond the usual thresholds") for s in at.success)
    assert any(h.value == "The largest differences in 2024–25, none beyond the thresholds" for h in at.header)
    expected = quickscreen.run(_below_thresholds(), "below.csv", tmp_path)
    [listing] = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert listing.splitlines() == [f"{i}. **{g.title}** — {g.sentence}" for i, g in enumerate(expected.nearest, 1)]
    assert any("an effect size of 0.25" in c.value for c in at.caption)
    at.toggle(key="sg_presenting").set_value(True).run()  # presented: one difference a slide, said to be below them
    assert not at.exception
    assert any(m.value.startswith(f"**1 of {len(expected.nearest)}**") for m in at.markdown)
    assert [m.value for m in at.markdown if m.value.startswith("## ")] == [f"## {expected.nearest[0].sentence}"]
    assert any("no gap beyond the usual thresholds: the largest differences below them" in c.value for c in at.caption)


def test_with_no_gap_the_largest_differences_can_be_kept_as_statements(open_page, store):
    """Keep this offered "the gaps you tick below" with nothing to tick when no gap was beyond the thresholds.
    The differences listed instead can be carried over; their statement says what their interval says."""
    from tests.test_quickscreen import _below_thresholds  # noqa: PLC0415

    at = drop(open_page(PAGE), "below.csv", _below_thresholds())
    assert any("the differences you tick below are carried over" in m.value for m in at.markdown)
    picks = [c for c in at.checkbox if c.key.startswith("qs_pick_")]
    assert picks and all(c.label.startswith("Carry over as a statement: ") for c in picks)
    picks[0].check()
    next(b for b in at.button if b.label == "Keep this").click()
    at.run()
    assert not at.exception
    [saved] = [store.load(s.id) for s in store.list()]
    [statement] = saved.statements
    assert statement.group == "English learners" and statement.outcome == "Math scale score"
    assert statement.focus and "points lower" in statement.text


def test_presenting_before_a_file_is_dropped_shows_no_file_box(open_page):
    """On the shared screen, nobody browses for a student file (its dialog would show the folder's file names): Quick
    screen says to drop the file after leaving presentation mode; once it is dropped, its slides present."""
    at = open_page(PAGE)
    at.toggle(key="sg_presenting").set_value(True).run()
    assert not at.exception and not at.get("file_uploader")
    assert any("leave presentation mode, drop the file" in m.value for m in at.markdown)
    at.toggle(key="sg_presenting").set_value(False).run()
    assert at.get("file_uploader")
