"""Step 3 page: a team screens its data, looks closer at one gap, and writes its success gap statement."""

import json
import re

import pytest

from successgaps.data import datasets, views
from successgaps.engine import ranking, statements, suppression
from successgaps.engine.screen import screen
from successgaps.models import GapSettings
from successgaps.process import sample
from successgaps.ui import deck, tables
from tests.edfacts_fixture import EDFACTS
from tests.page_tabs import labels, open_tab

STATEMENTS, CLOSER, STATE_LIST = "Success gap statements", "Look closer", "Districts above the threshold"


@pytest.fixture
def district(store, tmp_path):
    """A project holding a small version of the sample district's student file, mapping confirmed."""
    path = tmp_path / "district.csv"
    sample.generate(students_per_grade=120).to_csv(path, index=False)
    project = store.create("Riverbend")
    dataset = datasets.create_dataset(store, project, path, path.name)
    dataset.confirmed = True
    return store.save(project)


def screen_of(at):
    """The ranked screen (the first table with a "Beyond the threshold" column)."""
    return next(d.value for d in at.dataframe if "Beyond the threshold" in d.value.columns)


def hidden_of(at):
    """The list of hidden groups (the first table with only the hidden columns: the reason third, on screen)."""
    return next(d.value for d in at.dataframe
                if list(d.value.columns) == ["Group", "Outcome", "Why hidden", "Students (n)", "Dimension"])


def engine_table(store, project):
    con = store.cursor()
    prepared = views.prepare(con, project, project.datasets[0])
    return suppression.for_export(screen(con, prepared, project.gap_settings, extra=True))


def test_screen_ranks_the_engines_largest_gap_first_and_lists_hidden_groups_apart(open_page, store, district):
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    assert not at.exception
    table = engine_table(store, district)
    latest = max(y for y in table["year"] if y)
    shown, hidden = ranking.gap_screen(table, GapSettings(), year=latest)
    screen = screen_of(at)
    assert len(screen) == len(shown)
    assert list(screen.columns) == tables.GAP_SHORT  # the answer first: no column off-screen to the right
    top = shown.iloc[0]
    assert screen.iloc[0]["Group"] == top["group"]
    assert screen.iloc[0]["Outcome"] == top["outcome"]
    unit = " points" if top["kind"] == "binary" else ""
    assert screen.iloc[0]["Gap (group − comparison)"].replace("\u2212", "-") == f"{top['difference']:+.0f}{unit}" \
        or top["kind"] == "numeric"
    at.toggle(key="gaps_screen_table_more").set_value(True).run()
    screen = screen_of(at)
    assert {"Dimension", "Risk ratio", "p-value"} <= set(screen.columns)
    assert screen["Dimension"].str.len().min() > 0 and screen["p-value"].str.len().min() > 0  # written, not left out
    listed = hidden_of(at)
    assert len(listed) == len(hidden) > 0 and listed["Why hidden"].str.len().min() > 0
    # the reasons are sentences: their column wraps in rows tall enough for three lines, read whole at 1280 × 720
    grid = next(d for d in at.dataframe if list(d.value.columns) == list(listed.columns))
    assert grid.proto.row_height == tables.WRAPPED_ROW > 72  # the grid wraps text only in rows over 4 rem (18 px)
    widths = {k: v.get("width") for k, v in json.loads(grid.proto.columns).items()}
    assert widths["Why hidden"] == tables.WRAPPED_WIDTH and widths["Group"] == widths["Outcome"] == "medium"
    # no hidden group appears in the ranked screen
    ranked_keys = set(zip(screen["Dimension"], screen["Group"], screen["Outcome"]))
    assert not ranked_keys & set(zip(listed["Dimension"], listed["Group"], listed["Outcome"]))


def test_settings_are_saved_and_change_the_screen(open_page, store, district):
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    assert hidden_of(at)["Why hidden"].astype(str).str.contains("fewer than 30 students").any()
    at.number_input(key="gaps_min_n").set_value(10).run()
    assert not at.exception
    assert store.load(district.id).gap_settings.min_n == 10
    why = hidden_of(at)["Why hidden"].astype(str)
    assert not why.str.contains("fewer than 30 students").any() and why.str.contains("fewer than 10 students").any()


def test_a_new_threshold_marks_other_gaps_without_screening_again(open_page, store, district, monkeypatch):
    from successgaps.outputs import sources

    screened = []
    real = sources.project_screen
    monkeypatch.setattr(sources, "project_screen", lambda *a, **k: screened.append(1) or real(*a, **k))
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    before = screen_of(at)["Beyond the threshold"].astype(str).tolist()
    runs = len(screened)
    at.number_input(key="gaps_points").set_value(1.0).run()  # a 1-point gap is now beyond the threshold
    assert not at.exception
    assert store.load(district.id).gap_settings.point_gap_threshold == 1.0
    after = screen_of(at)["Beyond the threshold"].astype(str).tolist()
    assert after != before and len(after) == len(before)  # the same gaps, more of them marked
    assert len(screened) == runs  # the thresholds only mark rows: the screen (and its privacy gate) is reused


def test_comparing_with_all_students_instead_of_all_others_does_not_run_the_privacy_gate_again(
        open_page, store, district, monkeypatch):
    """Both comparisons hide the same cells (`engine.screen`), so the page reads the gate's answer again."""
    from successgaps.engine import certificates, suppression

    certified = []
    real = certificates.certify
    monkeypatch.setattr(suppression, "certify", lambda *a: certified.append(1) or real(*a))
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    shown = hidden_of(at)[["Group", "Outcome", "Students (n)"]].to_numpy().tolist()
    gates = len(certified)
    at.radio(key="gaps_comparison").set_value("all_students").run()
    assert not at.exception
    assert store.load(district.id).gap_settings.comparison == "all_students"
    assert "Settings saved; the screen is recomputed." in [s.value for s in at.success]
    assert len(certified) == gates  # the same hidden cells: no new certificates
    assert hidden_of(at)[["Group", "Outcome", "Students (n)"]].to_numpy().tolist() == shown  # the same hidden groups
    at.number_input(key="gaps_min_n").set_value(20).run()
    assert len(certified) > gates  # a new minimum size hides other cells: the gate runs


def test_filters_narrow_the_screen_to_one_outcome(open_page, store, district):
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    outcome = screen_of(at)["Outcome"].iloc[0]  # an outcome with gaps shown
    at.multiselect(key="gaps_outcomes").select(outcome).run()
    assert set(screen_of(at)["Outcome"]) == {outcome}


def test_a_drafted_statement_is_saved_and_becomes_the_focus(open_page, store, district):
    at = open_tab(open_page("pages/3_Identify_Gaps.py", project=district.id), "gaps_tab", STATEMENTS)
    draft = next(t for t in at.text_area if t.key.startswith("gaps_draft_"))
    assert "compared with" in draft.value  # issue #21: the tab opens on the largest gap shown, not a hidden group
    draft.set_value("Our English learners graduate less often than their classmates.").run()
    next(b for b in at.button if b.key == "gaps_statement_save").click().run()
    assert not at.exception
    saved = store.load(district.id).statements
    assert [s.text for s in saved] == ["Our English learners graduate less often than their classmates."]
    assert saved[0].focus and saved[0].figures["outcome"]
    assert "Our English learners" in at.info[0].value  # the focus banner
    # issue #21: step 3 has its download, like every other step
    assert "Success gap statement (PDF)" in [b.proto.label for b in at.get("download_button")]


def test_a_project_without_data_is_sent_to_step_2(open_page, store):
    p = store.create("Empty")
    at = open_page("pages/3_Identify_Gaps.py", project=p.id)
    assert not at.exception
    assert "upload a file" in at.info[0].value


def test_presentation_mode_shows_one_gap_at_a_time_largest_first(open_page, store, district):
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    at.toggle(key="sg_presenting").set_value(True).run()
    assert not at.exception
    table = engine_table(store, district)
    shown, _ = ranking.gap_screen(table, GapSettings(), year=max(y for y in table["year"] if y))
    beyond = shown[shown["flagged"].astype(bool)]  # the slides: the gaps beyond the thresholds, largest first
    assert len(beyond) > 1
    assert any(m.value.startswith(f"**1 of {len(beyond)}**") for m in at.markdown)
    first = next(m.value for m in at.markdown if m.value.startswith("## "))
    assert f"(n = {int(beyond.iloc[0]['n']):,})" in first
    # where, as Quick screen writes it (an en dash in the year, as in the sentence)
    assert any(c.value == f"The whole file · {statements.year_phrase(beyond.iloc[0]['year'])}" for c in at.caption)
    assert not at.dataframe and not at.multiselect and not at.tabs  # no table, filter or tab on the slide
    assert at.query_params["present"] == "1" and at.query_params["slide"] == "1"  # a reload keeps the slide
    next(b for b in at.button if b.label == "Next →").click().run()
    assert any(m.value.startswith(f"**2 of {len(beyond)}**") for m in at.markdown)
    assert at.query_params["slide"] == "2"


def test_a_public_file_offers_state_district_and_school_and_picks_a_district(open_page, store, tmp_path):
    path = tmp_path / "acgr.csv"
    path.write_text(EDFACTS)
    project = store.create("Public file")
    datasets.create_dataset(store, project, path, path.name).confirmed = True
    project = store.save(project)
    at = open_page("pages/3_Identify_Gaps.py", project=project.id)
    assert not at.exception
    radio = at.radio(key="gaps_level")
    assert list(radio.options) == ["Whole file (2 states)", "A district", "A school"]  # not "(state)": two
    # each note once (the same for every group here, so it names none)
    assert [c.value for c in at.caption if "cohort count" in c.value] == [
        "1 school in 1 state gives no cohort count and is not in this total."]
    # the whole file hides nothing: the hidden list says so instead of explaining groups that are not there
    assert any(h.value == "Hidden to protect privacy (0)" for h in at.header)
    assert any(c.value.startswith("Nothing is hidden with these filters") for c in at.caption)
    # a file of one year: no "Years in a row" (it would repeat "Beyond the threshold"), so the figures fit beside
    # the open sidebar; it stays under "More columns"
    assert list(screen_of(at).columns) == [c for c in tables.GAP_SHORT if c != "Years in a row"]
    assert not any("Years in a row" in c.value for c in at.caption)
    # the heatmap's table writes a gap the file gives as a range by its ends, as the gap screen does (not its middle)
    open_tab(at, "gaps_tab", "Heatmap")
    heat = next(d.value for d in at.dataframe if "Group" in d.value.columns)
    cells = heat.drop(columns="Group").to_numpy().ravel().tolist()
    assert all(re.fullmatch(r"—|[−+]?\d+( to [−+]?\d+)?", c) for c in cells), cells
    assert any(" to " in c for c in cells), cells
    open_tab(at, "gaps_tab", "Gap screen")
    radio.set_value("district").run()
    picker = at.selectbox(key="gaps_place_district")
    assert picker.value == ("district", "Town (0100005)", "")  # the largest first (372 students, then 300)
    assert set(screen_of(at)["Group"]) <= {"Hispanic/Latino", "White", "Children with disabilities"}
    picker.set_value(("district", "City (0200001)", "")).run()
    assert not at.exception, at.exception
    assert any("not a finding of no gap" in w.value for w in at.warning), [w.value for w in at.warning] + [i.value for i in at.info]


def test_a_state_team_lists_districts_above_the_threshold_and_filters_by_category(open_page, store, tmp_path):
    """Issue #19: a state file of districts; the team opens the list, sorts it, keeps one category, downloads."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import state as state_bench
    from successgaps.engine import disproportionality

    path = tmp_path / "state.csv"
    state_bench.generate(60, 3).to_csv(path, index=False)
    project = store.create("State review")
    datasets.create_dataset(store, project, path, path.name).confirmed = True
    # left over from a student file: a population this file of counts cannot be limited to
    project.gap_settings.among_dimension, project.gap_settings.among_group = "Disability", "Students with disabilities"
    project = store.save(project)
    at = open_page("pages/3_Identify_Gaps.py", project=project.id)
    assert not at.exception, at.exception
    assert any("Screened among all students" in w.value and "student-level file" in w.value for w in at.warning)
    project.gap_settings.among_dimension = project.gap_settings.among_group = ""
    open_tab(at, "gaps_tab", STATE_LIST)
    listed = next(d.value for d in at.dataframe if "Years in a row" in d.value.columns)
    expected = disproportionality.state_list(engine_table(store, project), project.gap_settings)
    assert len(listed) == len(expected) > 0
    assert set(listed["District"]) == set(expected["district"])
    assert {"D0000", "D0025", "D0050"} <= set(listed["District"])  # the planted districts
    # who, then the answer: how far above the threshold and for how many years, before the rest
    assert list(listed.columns[:5]) == ["District", "Group", "Outcome", "Risk ratio", "Years in a row"]
    assert listed["Risk ratio"].dtype.kind == "f"  # sorted by value when the heading is clicked, not as text
    at.multiselect(key="gaps_state_category").set_value(["discipline"]).run()
    assert not at.exception, at.exception
    listed = next(d.value for d in at.dataframe if "Years in a row" in d.value.columns)
    assert set(listed["Category"]) == {"discipline"}
    assert any("above the threshold" in b.label for b in at.get("download_button"))


def test_the_team_screens_among_children_with_disabilities_and_sets_reasonable_progress(open_page, store, district):
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    among = at.selectbox(key="gaps_among")
    assert "Students with disabilities (Disability)" in among.options
    among.set_value(("Disability", "Students with disabilities")).run()
    assert not at.exception, at.exception
    saved = store.load(district.id).gap_settings
    assert (saved.among_dimension, saved.among_group) == ("Disability", "Students with disabilities")
    shown = screen_of(at)
    assert not {"Students with disabilities", "Students without disabilities"} & set(shown["Group"])
    assert any("Screened among Students with disabilities" in c.value for c in at.caption)
    expected = engine_table(store, store.load(district.id))
    assert (expected["comparison"] == "all other students among Students with disabilities").any()
    at.number_input(key="gaps_progress").set_value(0.1).run()
    assert store.load(district.id).gap_settings.progress_drop == pytest.approx(0.1)
    assert len(shown)
    # a file of one district: the rule's list is of its schools (no list of one district to choose)
    assert labels(at, "gaps_tab")[-1] == "Schools above the threshold"
    open_tab(at, "gaps_tab", "Schools above the threshold")
    assert not at.exception, at.exception
    assert "gaps_state_unit" not in [r.key for r in at.radio]
    expected = disproportionality_list(store, district, "school")
    listed = [d.value for d in at.dataframe if "Years in a row" in d.value.columns]
    assert (len(listed[0]) if listed else 0) == len(expected)
    if len(expected):
        assert set(listed[0]["School"]) == set(expected["school"])
        assert "District" not in listed[0].columns  # one district: a column of blanks would tell nothing
    # its rules and downloads say what it lists
    assert any(c.value.startswith("Each school's groups") for c in at.caption)
    downloads = [b.proto.label for b in at.get("download_button")]
    assert "Schools above the threshold (PDF)" in downloads and not any(b.startswith("Districts") for b in downloads)


def disproportionality_list(store, project, unit):
    from successgaps.engine import disproportionality

    project = store.load(project.id)
    return disproportionality.state_list(engine_table(store, project), project.gap_settings, unit)


def test_a_state_comparison_data_set_gives_the_alternate_risk_ratio(open_page, store, tmp_path):
    """The team uploads the state's figures as a second data set and picks it as the state comparison:
    a district group whose comparison is too small is then compared with the state."""
    districts, state = tmp_path / "districts.csv", tmp_path / "state.csv"
    head = "district,year,group_type,student_group,outcome,n,events\n"
    lines = ["B,2022-23,Race/ethnicity,Black,Identified,300,60", "B,2022-23,Race/ethnicity,White,Identified,28,3",
             "B,2022-23,All,All students,Identified,328,63", "C,2022-23,Race/ethnicity,Black,Identified,100,10",
             "C,2022-23,Race/ethnicity,White,Identified,400,40", "C,2022-23,All,All students,Identified,500,50"]
    districts.write_text(head + "\n".join(lines) + "\n")
    state.write_text("year,group_type,student_group,outcome,n,events\n2022-23,Race/ethnicity,Black,Identified,20000,3000\n"
                     "2022-23,Race/ethnicity,White,Identified,80000,7000\n2022-23,All,All students,Identified,100000,10000\n")
    project = store.create("Two files")
    first = datasets.create_dataset(store, project, districts, districts.name)
    second = datasets.create_dataset(store, project, state, state.name)
    first.confirmed = second.confirmed = True
    project = store.save(project)
    at = open_page("pages/3_Identify_Gaps.py", project=project.id)
    at.selectbox(key="gaps_state").set_value(second.id).run()
    assert not at.exception, at.exception
    assert store.load(project.id).gap_settings.state_dataset == second.id
    open_tab(at, "gaps_tab", STATE_LIST)
    listed = next(d.value for d in at.dataframe if "Years in a row" in d.value.columns)
    row = listed[listed["District"] == "B"].iloc[0]  # 20% against the state's 7,000 of 80,000 (8.75%)
    assert row["Risk ratio against"] == "state"
    assert row["Risk ratio"] == pytest.approx(0.20 / 0.0875, abs=0.005)


def test_a_state_report_card_offers_its_own_district_rows(open_page, store, tmp_path):
    from report_card_fixture import report_card_csv

    path = tmp_path / "acgr22.csv"
    path.write_text(report_card_csv())
    project = store.create("California")
    datasets.create_dataset(store, project, path, path.name).confirmed = True
    project = store.save(project)
    at = open_page("pages/3_Identify_Gaps.py", project=project.id)
    assert not at.exception
    radio = at.radio(key="gaps_level")
    assert list(radio.options) == ["Whole file (state)", "A district", "A school"]
    radio.set_value("district").run()
    picker = at.selectbox(key="gaps_place_district")
    assert picker.value == ("district", "Alder Unified (10017)", "")  # the largest district first (560 students)
    shown = screen_of(at)
    assert "Students with disabilities" in set(shown["Group"])
    assert "Military-connected students" not in set(shown["Group"])  # SP: a code the team has not mapped yet


def test_look_closer_writes_a_statement_for_the_gap_it_shows(open_page, store, district):
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    statement_group = open_tab(at, "gaps_tab", STATEMENTS).selectbox(key="gaps_statement_group").value
    assert open_tab(at, "gaps_tab", CLOSER).selectbox(key="gaps_drill_group").value == statement_group  # a shown gap
    table = engine_table(store, district)
    shown, _ = ranking.gap_screen(table, GapSettings(), year=max(y for y in table["year"] if y))
    top = (shown.iloc[0]["dimension"], shown.iloc[0]["group"])
    other = next(r for r in shown.itertuples() if (r.dimension, r.group) != top)  # not the tab's first gap
    at.selectbox(key="gaps_drill_group").select((other.dimension, other.group)).run()
    at.selectbox(key="gaps_drill_outcome").select(other.outcome).run()
    at.button(key="gaps_closer_write").click().run()
    assert not at.exception
    assert at.session_state["gaps_tab"] == "Success gap statements"  # the statements tab opens
    assert at.selectbox(key="gaps_statement_group").value == (other.dimension, other.group)
    assert at.selectbox(key="gaps_statement_outcome").value == other.outcome
    draft = next(t for t in at.text_area if t.key.startswith("gaps_draft_"))
    assert other.group.lower() in draft.value.lower() and "compared with" in draft.value


def test_a_statement_whose_figures_are_hidden_cannot_be_made_the_focus_on_the_page(open_page, store, district):
    from successgaps.models import GapStatement

    p = store.load(district.id)
    p.statements = [GapStatement(text="Shown gap.", group="A", outcome="x", figures={"rate": 0.5, "difference": -10}),
                    GapStatement(text="Results are not shown to protect privacy.", group="B", outcome="x", figures={})]
    p.statements[0].focus = True
    store.save(p)
    at = open_tab(open_page("pages/3_Identify_Gaps.py", project=district.id), "gaps_tab", STATEMENTS)
    hidden_button = at.button(key=f"gaps_focus_{p.statements[1].id}")
    assert hidden_button.disabled


def test_only_the_open_tab_is_drawn_and_a_group_picked_in_a_closed_tab_stays_picked(open_page, store, district):
    """Issue #23: a rerun draws only the open tab, so a browser repaints one tab's charts and tables, not five;
    the address opens the tab it names, and a group picked in Look closer is still picked on coming back."""
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    assert len(screen_of(at)) and not at.get("plotly_chart")  # the screen; no chart of another tab
    assert not [s for s in at.selectbox if s.key in {"gaps_drill_group", "gaps_statement_group"}]
    assert not at.text_area  # the statements tab is closed
    at = open_page("pages/3_Identify_Gaps.py", project=district.id, gaps_tab=CLOSER)  # a link to the tab
    assert not [d for d in at.dataframe if "Beyond the threshold" in d.value.columns]  # the screen is not drawn
    assert at.get("plotly_chart")  # the comparison bars, by school, over the years
    table = engine_table(store, district)
    shown, _ = ranking.gap_screen(table, GapSettings(), year=max(y for y in table["year"] if y))
    other = next(r for r in shown.itertuples() if (r.dimension, r.group) != at.selectbox(key="gaps_drill_group").value)
    at.selectbox(key="gaps_drill_group").select((other.dimension, other.group)).run()
    open_tab(at, "gaps_tab", "Heatmap")
    assert not [s for s in at.selectbox if s.key == "gaps_drill_group"] and at.get("plotly_chart")
    open_tab(at, "gaps_tab", CLOSER)
    assert at.selectbox(key="gaps_drill_group").value == (other.dimension, other.group)


def test_every_gap_slide_leaves_room_for_its_warning(open_page, store, district):
    """At 1280 x 720 a gap slide holds its sentence, its bars, their figures in words and a warning about the data
    behind it (days absent far outside the usual range): the chart gives up the warning's room, never below 165 px (`ui.deck.CHART`)."""
    at = open_page("pages/3_Identify_Gaps.py", project=district.id)
    at.toggle(key="sg_presenting").set_value(True).run()
    count = int(re.match(r"\*\*1 of (\d+)", next(m.value for m in at.markdown if m.value.startswith("**1 of"))).group(1))
    heights = {}
    for k in range(count):
        assert not at.exception
        height = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["height"]
        heights[bool(at.warning)] = heights.get(bool(at.warning), set()) | {height}
        if k < count - 1:
            next(b for b in at.button if b.label == "Next →").click().run()
    assert heights[True] and max(heights[True]) < 270 and min(heights[True]) >= deck.CHART[1]  # slides with a warning
    assert max(heights[False]) == 270 and min(heights[False]) >= 230  # the others: the whole chart, or 40 px less
    # where the bars' figures in words take a second line
