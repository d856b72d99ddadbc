"""Step 4 page: members rate on their own, the facilitator leads consensus one indicator at a time."""

import io

import openpyxl
import pytest

from successgaps.models import LEVELS, Meeting, Member
from successgaps.process import rating_workbook, rubric, rubric_file


@pytest.fixture
def project(store):
    p = store.create("Westview graduation")
    p.members = [Member(name="Ana"), Member(name="Ben")]
    p.meetings = [Meeting(number=2, kind="rubric", rubric_areas=["cr"])]
    return store.save(p)


@pytest.fixture
def run(open_page, project):
    return lambda: open_page("pages/4_Rubric.py", project=project.id)


def texts(at, kind):
    return [e.value for e in getattr(at, kind)]


def test_without_members_the_page_points_to_step_1_and_a_small_group_can_rate(open_page, store):
    empty = store.create("Empty team")
    at = open_page("pages/4_Rubric.py", project=empty.id)
    assert not at.exception
    assert any("no members yet" in w for w in texts(at, "warning"))
    at.selectbox(key="rub_who").select("__group__").run()
    at.text_input(key="rub_group").input("Group A").run()
    at.radio(key="rub_r_group:Group A_ddm-1_level").set_value("implemented").run()
    assert not at.exception
    saved = store.load(empty.id).ratings
    assert [(r.member_id, r.indicator_id, r.level) for r in saved] == [("group:Group A", "ddm-1", "implemented")]


def test_a_member_rates_the_assigned_area_and_finds_it_after_a_refresh(run, store, project):
    ana = project.members[0].id
    at = run()
    assert not at.exception
    assert at.multiselect(key="rub_areas").value == ["cr"]  # preset from the meeting plan
    at.selectbox(key="rub_who").select(ana).run()
    at.radio(key=f"rub_r_{ana}_cr-2_level").set_value("partial").run()
    at.text_area(key=f"rub_r_{ana}_cr-2_note").input("Only the reading books changed").run()
    assert not at.exception
    saved = rubric.rating(store.load(project.id), ana, "cr-2")
    assert (saved.level, saved.note) == ("partial", "Only the reading books changed")
    assert any("has rated 1 of 5 indicators" in m for m in texts(at, "markdown"))

    again = run()
    again.selectbox(key="rub_who").select(ana).run()
    assert again.radio(key=f"rub_r_{ana}_cr-2_level").value == "partial"


def test_the_facilitator_records_consensus_and_progress_moves(run, store, project):
    ana, ben = (m.id for m in project.members)
    p = store.load(project.id)
    rubric.set_rating(p, ana, "cr-4", "planning")
    rubric.set_rating(p, ben, "cr-4", "exemplary")
    store.save(p)
    at = run()
    assert "Consensus on 0 of 25 indicators" in at.get("progress")[0].proto.text
    # The indicator members disagree on comes first, flagged, with the spread under each level.
    assert at.selectbox(key="rub_fac_ind").value == "cr-4"
    assert any("differ by two levels or more" in w for w in texts(at, "warning"))
    assert "Members' own ratings here: **1**" in texts(at, "caption")
    at.radio(key="rub_con_cr-4_level").set_value("partial").run()
    at.text_area(key="rub_con_cr-4_evidence").input("Climate survey by group, spring").run()
    at.text_area(key="rub_con_cr-4_needs").input("Ask families who do not answer surveys").run()
    assert not at.exception
    agreed = rubric.consensus_of(store.load(project.id), "cr-4")
    assert (agreed.level, agreed.evidence, agreed.needs) == (
        "partial", "Climate survey by group, spring", "Ask families who do not answer surveys")
    assert "Consensus on 1 of 25 indicators" in at.get("progress")[0].proto.text
    table = at.table[0].value
    assert table.loc[table["Area"] == "Cultural responsiveness", "Consensus reached"].item() == "1 of 5"
    assert table.loc[table["Area"] == "Cultural responsiveness", "Rated in"].item() == "Meeting 2"


def test_next_and_previous_walk_through_the_area(run):
    at = run()
    first = at.selectbox(key="rub_fac_ind").value
    next(b for b in at.button if b.label == "Next indicator →").click().run()
    assert at.selectbox(key="rub_fac_ind").value != first
    next(b for b in at.button if b.label == "← Previous indicator").click().run()
    assert at.selectbox(key="rub_fac_ind").value == first


def test_presentation_mode_shows_only_the_facilitator_view(run):
    at = run()
    at.session_state["sg_presenting"] = True
    at.run()
    assert not at.exception
    assert len(at.tabs) == 0
    assert at.header[0].value.startswith("cr-1 · ")
    assert [s.value for s in at.subheader] == ["Planning", "Partially implemented", "Implemented", "Exemplary"]
    assert not at.radio and not at.text_area  # nothing to edit on the shared screen


def test_a_member_uploads_their_workbook(run, store, project):
    ana = project.members[0].id
    book = openpyxl.load_workbook(io.BytesIO(rating_workbook.rating_workbook(store.load(project.id), ana, ["cr"])))
    book.worksheets[0]["H6"] = "Exemplary"
    book.worksheets[0]["H7"] = "Sort of"
    out = io.BytesIO()
    book.save(out)
    at = run()
    at.selectbox(key="rub_who").select(ana).run()
    at.file_uploader(key="rub_upload_0").upload("ana.xlsx", out.getvalue()).run()
    assert any("“Sort of” is not a level" in w for w in texts(at, "warning"))
    next(b for b in at.button if b.label == "Save these 1 ratings as Ana's").click().run()
    assert not at.exception
    assert rubric.rating(store.load(project.id), ana, "cr-1").level == "exemplary"
    assert at.radio(key=f"rub_r_{ana}_cr-1_level").value == "exemplary"


def load_rubric_file(at, old, new):
    """Upload the shipped rubric with one change, as a district adapting it would, and press “Use this rubric”."""
    text = rubric_file.default_rubric_text().replace(old, new)
    at.file_uploader(key="rub_custom").upload("state.toml", text.encode()).run()
    next(b for b in at.button if b.label == "Use this rubric").click().run()
    assert not at.exception


def test_a_broken_custom_rubric_names_line_and_field_and_changes_nothing(run, store, project):
    at = run()
    load_rubric_file(at, 'title = "Assessment"', 'titel = "Assessment"')
    error = at.error[0].value
    assert "The rubric was not loaded" in error and "area “asmt”, field “titel”" in error and "Line " in error
    assert store.load(project.id).rubric_doc == {}


def test_a_custom_rubric_is_loaded(run, store, project):
    at = run()
    load_rubric_file(at, 'version = "1.0"', 'version = "state-2025"')
    assert store.load(project.id).rubric_version == "state-2025"
    assert any("version state-2025 (loaded from a file)" in c for c in texts(at, "caption"))


def test_a_member_rating_alone_sees_every_level_description_beside_the_choice(run, store, project):
    ana = project.members[0].id
    at = run()
    at.selectbox(key="rub_who").select(ana).run()
    book = rubric.load_rubric(store.load(project.id))
    for indicator in book.area("cr").indicators:
        radio = at.radio(key=f"rub_r_{ana}_{indicator.id}_level")
        shown = [c.replace("\\", "") for c in radio.proto.captions]  # ui.esc escapes markdown characters
        assert shown == [indicator.levels[level] for level in LEVELS]
    assert not [e for e in at.expander if e.label == "What each level looks like"]  # not one click away
