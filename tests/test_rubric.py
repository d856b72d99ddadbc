"""Step 4: the rubric as data, members' own ratings, consensus, disagreement, the rating workbook, the export."""

import io

import openpyxl
import pytest

from successgaps.errors import UserError
from successgaps.models import LEVELS, Meeting, Member, Project
from successgaps.outputs import spreadsheet
from successgaps.process import rating_workbook, rubric, rubric_file


@pytest.fixture
def team():
    """A project with three members: Ana, Ben and Cleo."""
    project = Project(name="Westview graduation")
    project.members = [Member(name="Ana"), Member(name="Ben"), Member(name="Cleo")]
    return project


def ids(project):
    return {m.name: m.id for m in project.members}


# ---------------------------------------------------------------- the shipped rubric


def test_the_shipped_rubric_has_the_five_areas_in_order_each_fully_described():
    book = rubric.load_rubric()
    assert [a.title for a in book.areas] == [
        "Data-based decision making", "Cultural responsiveness", "Core instructional program",
        "Assessment", "Interventions and supports"]
    for area in book.areas:
        assert 4 <= len(area.indicators) <= 6, area.id
        assert area.questions and len(area.summary) > 100
        for ind in area.indicators:
            assert list(ind.levels) == list(LEVELS)
            assert all(len(text) > 40 for text in ind.levels.values()), ind.id
    all_ids = rubric.indicator_ids()
    assert len(all_ids) == len(set(all_ids))


def test_indicator_ids_are_stable():
    """Teams' ratings are matched by these ids: renaming one would orphan saved ratings."""
    assert rubric.indicator_ids()[:6] == ["ddm-1", "ddm-2", "ddm-3", "ddm-4", "ddm-5", "cr-1"]
    assert [a.id for a in rubric.load_rubric().areas] == ["ddm", "cr", "cip", "asmt", "is"]
    book = rubric.load_rubric()
    assert book.area_of("cip-4").id == "cip" and book.indicator("is-2").title.startswith("Alternatives")
    with pytest.raises(KeyError):
        book.indicator("zz-9")


def test_the_issue_topics_are_covered():
    text = rubric_file.default_rubric_text().lower()
    for topic in ["disaggregated", "data quality", "families", "early-warning", "languages", "climate",
                  "professional learning", "evidence-based", "universal design", "schoolwide", "rigorous",
                  "preschool", "teachers", "screen", "progress", "english learners", "referral", "eligibility",
                  "tiered", "exclusionary", "dropout", "transition", "fidelity"]:
        assert topic in text, topic


# ---------------------------------------------------------------- broken rubric files


def broken(old, new):
    text = rubric_file.default_rubric_text()
    assert old in text
    with pytest.raises(rubric_file.RubricFileError) as caught:
        rubric_file.parse_rubric(text.replace(old, new, 1))
    return caught.value.problems


def line_of(snippet):
    return rubric_file.default_rubric_text().splitlines().index(snippet) + 1


def test_a_misspelled_level_names_its_line_and_field():
    line = next(n for n, s in enumerate(rubric_file.default_rubric_text().splitlines(), 1)
                if s.startswith('partial = "Some teams meet'))
    problems = broken('partial = "Some teams meet', 'partialy = "Some teams meet')
    assert problems[0].startswith(f"Line {line}, indicator “ddm-2”, field “levels.partialy”")
    assert "is not a level" in problems[0]


def test_a_duplicate_indicator_id_names_the_second_use():
    problems = broken('id = "cr-3"', 'id = "cr-2"')
    line = line_of('id = "cr-3"')
    assert problems == [f"Line {line}, indicator “cr-2”, field “id”: the indicator id “cr-2” is used twice; "
                        "give each indicator its own id."]


def test_a_toml_syntax_error_names_the_line_and_key():
    problems = broken('title = "Cultural responsiveness"', "title = Cultural responsiveness")
    line = line_of('title = "Cultural responsiveness"')
    assert problems[0].startswith(f"Line {line}, field “title”: this is not valid TOML")


@pytest.mark.parametrize("old, new, expected", [
    ('version = "1.0"\n', "", "At the top of the file, field “version”: it is missing; add it."),
    ('id = "cip-4"', 'id = "CIP 4"', "“CIP 4” is not a valid id"),
    ('title = "Assessment"', 'title = ""', "area “asmt”, field “title”: it is empty"),
    ("questions = [\n  \"Which students", "question = [\n  \"Which students", "field “question”: the rubric has no such field"),
])
def test_other_broken_files_get_a_sentence(old, new, expected):
    assert expected in broken(old, new)[0]


def test_a_file_that_is_not_text_is_refused():
    with pytest.raises(rubric_file.RubricFileError, match="not a text file in UTF-8"):
        rubric_file.read_rubric_file(b"\xff\xfe\x00binary")


# ---------------------------------------------------------------- custom rubric and the version a project keeps


def small_rubric(version="2.0", indicator="ddm-1"):
    return f"""
id = "state-rubric"
version = "{version}"
title = "State rubric"
[[areas]]
id = "ddm"
title = "Data"
summary = "Why data matter."
questions = ["What do we look at?"]
[[areas.indicators]]
id = "{indicator}"
title = "We use data"
[areas.indicators.levels]
planning = "a"
partial = "b"
implemented = "c"
exemplary = "d"
"""


def test_a_project_keeps_the_rubric_it_was_rated_with(team, monkeypatch):
    rubric.set_rating(team, ids(team)["Ana"], "ddm-1", "partial")
    assert (team.rubric_id, team.rubric_version) == ("indicators-of-success", "1.0")
    # A later app ships a different default rubric: the project still rates with the version it started with.
    monkeypatch.setattr(rubric, "default_rubric", lambda: rubric_file.parse_rubric(small_rubric("9.9")))
    assert rubric.load_rubric(team).version == "1.0"
    assert len(rubric.indicator_ids(team)) == 25


def test_a_custom_rubric_is_used_and_refused_when_it_drops_rated_indicators(team):
    rubric.use_rubric(team, rubric_file.parse_rubric(small_rubric()))
    assert rubric.indicator_ids(team) == ["ddm-1"] and rubric.is_custom(team)
    rubric.set_consensus(team, "ddm-1", "implemented")
    with pytest.raises(UserError, match="has no indicator ddm-1, which the team already rated"):
        rubric.use_rubric(team, rubric_file.parse_rubric(small_rubric(indicator="ddm-9")))
    assert rubric.load_rubric(team).title == "State rubric"
    rubric.use_default_rubric(team)
    assert not rubric.is_custom(team) and len(rubric.indicator_ids(team)) == 25


# ---------------------------------------------------------------- ratings, spread, disagreement, consensus


def test_spread_and_disagreements(team):
    who = ids(team)
    rubric.set_rating(team, who["Ana"], "cr-1", "planning")
    rubric.set_rating(team, who["Ben"], "cr-1", "implemented")  # two levels apart
    rubric.set_rating(team, who["Ana"], "cr-2", "partial")
    rubric.set_rating(team, who["Ben"], "cr-2", "implemented")  # one level apart
    rubric.set_group_rating(team, "Group A", "cr-2", "exemplary")  # small groups do not count in the spread
    assert rubric.spread(team, "cr-1") == {"planning": 1, "partial": 0, "implemented": 1, "exemplary": 0}
    assert rubric.spread(team, "cr-2") == {"planning": 0, "partial": 1, "implemented": 1, "exemplary": 0}
    assert rubric.disagreements(team) == ["cr-1"]
    assert rubric.discussion_order(team, "cr")[:2] == ["cr-1", "cr-2"]
    rubric.set_rating(team, who["Cleo"], "cr-3", "planning")
    rubric.set_rating(team, who["Ana"], "cr-3", "exemplary")  # three levels apart: discussed first
    assert rubric.discussion_order(team, "cr")[:3] == ["cr-3", "cr-1", "cr-2"]


def test_changing_and_clearing_a_rating(team):
    ana = ids(team)["Ana"]
    rubric.set_rating(team, ana, "ddm-1", "planning", note="only once a year")
    rubric.set_rating(team, ana, "ddm-1", "partial", note="twice a year", evidence="calendar")
    assert [(r.level, r.note, r.evidence) for r in team.ratings] == [("partial", "twice a year", "calendar")]
    rubric.set_rating(team, ana, "ddm-1", None)
    assert team.ratings == []


def test_bad_ratings_get_a_sentence_and_change_nothing(team):
    with pytest.raises(UserError, match="no longer on the team"):
        rubric.set_rating(team, "gone", "ddm-1", "partial")
    with pytest.raises(UserError, match="is not a level"):
        rubric.set_rating(team, ids(team)["Ana"], "ddm-1", "great")
    with pytest.raises(UserError, match="has no indicator “zz-1”"):
        rubric.set_consensus(team, "zz-1", "partial")
    with pytest.raises(UserError, match="Name the small group"):
        rubric.set_group_rating(team, "  ", "ddm-1", "partial")
    assert team.ratings == [] and team.consensus == []


def test_progress_per_area_and_overall_with_the_meeting_plan(team):
    team.meetings = [Meeting(number=2, rubric_areas=["ddm"]), Meeting(number=3, rubric_areas=["cr", "cip"])]
    for ind in rubric.load_rubric().area("ddm").indicators:
        rubric.set_rating(team, ids(team)["Ana"], ind.id, "partial")
    rubric.set_rating(team, ids(team)["Ben"], "ddm-1", "partial")
    rubric.set_consensus(team, "ddm-1", "partial", evidence="data calendar", needs="ask the registrar")
    status = rubric.progress(team)
    ddm = status.areas[0]
    assert (ddm.rated_by, ddm.consensus, ddm.indicators, ddm.meetings) == (1, 1, 5, ("Meeting 2",))
    assert status.areas[1].meetings == ("Meeting 3",) and status.areas[3].meetings == ()
    assert status.sentence() == "Consensus on 1 of 25 indicators; 0 of 3 members rated every indicator on their own."
    assert rubric.assigned_areas(team) == ["ddm"]
    for ind in rubric.load_rubric().area("ddm").indicators:
        rubric.set_consensus(team, ind.id, "implemented")
    assert rubric.assigned_areas(team) == ["cr", "cip"]
    assert rubric.progress_table(team)["Consensus reached"].tolist()[:2] == ["5 of 5", "0 of 5"]


def test_the_export_has_spread_consensus_and_everyone_s_ratings(team):
    who = ids(team)
    rubric.set_rating(team, who["Ana"], "is-2", "planning", note="many suspensions", evidence="OSS by group")
    rubric.set_rating(team, who["Cleo"], "is-2", "implemented")
    rubric.set_group_rating(team, "Group B", "is-2", "partial")
    rubric.set_consensus(team, "is-2", "partial", evidence="discipline data", needs="referral reasons")
    table = rubric.export_table(team).set_index("Indicator id")
    row = table.loc["is-2"]
    assert row["Planning (members)"] == 1 and row["Implemented (members)"] == 1
    assert row["Members differ by 2+ levels"] == "yes"
    assert (row["Consensus"], row["Consensus evidence"], row["What we need to find out"]) == (
        "Partially implemented", "discipline data", "referral reasons")
    assert (row["Ana: rating"], row["Ana: note"], row["Ana: evidence"]) == ("Planning", "many suspensions", "OSS by group")
    assert row["Small group: Group B: rating"] == "Partially implemented"
    assert "Ben: rating" not in table.columns  # Ben has not rated
    assert len(table) == 25
    workbook = openpyxl.load_workbook(io.BytesIO(spreadsheet.workbook({"Rubric ratings": rubric.export_table(team)})))
    assert workbook.active.max_row == 26


# ---------------------------------------------------------------- the rating workbook


def fill(data, edits):
    """Fill in a downloaded workbook as a member would: {indicator id: (rating, note)}; returns the new bytes."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=6):
        if row[1].value in edits:
            row[7].value, row[8].value = edits[row[1].value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_round_trip(team):
    ana = ids(team)["Ana"]
    rubric.set_rating(team, ana, "cr-1", "planning", note="started in the app")
    data = rating_workbook.rating_workbook(team, ana, ["cr"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert "Ana" in sheet.title and "Ana" in sheet["A1"].value
    assert [sheet.cell(row, 2).value for row in range(6, 11)] == ["cr-1", "cr-2", "cr-3", "cr-4", "cr-5"]
    assert sheet["H6"].value == "Planning"  # her rating from the app is prefilled
    dropdown = sheet.data_validations.dataValidation[0]
    assert "Partially implemented" in dropdown.formula1 and "H6:H10" in str(dropdown.sqref)

    filled = fill(data, {"cr-1": ("Implemented", "changed my mind"), "cr-2": ("partial", "")})
    ratings, problems = rating_workbook.read_rating_workbook(team, filled, ana)
    assert {(r.indicator_id, r.level, r.note) for r in ratings} == {
        ("cr-1", "implemented", "changed my mind"), ("cr-2", "partial", "")}
    assert problems == ["3 indicators have no rating chosen (cr-3, cr-4, cr-5); they were left as before."]
    assert rating_workbook.apply_ratings(team, ana, ratings) == 2
    assert rubric.rating(team, ana, "cr-1").level == "implemented"


def test_a_tampered_workbook_is_reported_row_by_row(team):
    ana = ids(team)["Ana"]
    book = openpyxl.load_workbook(io.BytesIO(rating_workbook.rating_workbook(team, ana, ["cr"])))
    sheet = book.worksheets[0]
    sheet["B6"], sheet["H6"] = "cr-99", "Implemented"  # an id changed by hand
    sheet["H7"] = "Mostly there"  # typed over the dropdown
    sheet["B8"], sheet["H8"] = "cr-4", "Exemplary"  # the same indicator twice
    sheet["H9"] = "implemented"
    out = io.BytesIO()
    book.save(out)
    ratings, problems = rating_workbook.read_rating_workbook(team, out.getvalue(), ana)
    assert [(r.indicator_id, r.level) for r in ratings] == [("cr-4", "exemplary")]
    assert problems[0].startswith("Row 6: “cr-99” is not an indicator id of this rubric")
    assert problems[1].startswith("Row 7 (cr-2): “Mostly there” is not a level")
    assert problems[2] == "Row 9: indicator cr-4 appears a second time; only its first row was used."


def test_someone_else_s_workbook_never_overwrites_their_ratings(team):
    who = ids(team)
    rubric.set_rating(team, who["Ben"], "ddm-1", "exemplary")
    bens = fill(rating_workbook.rating_workbook(team, who["Ben"], ["ddm"]), {"ddm-1": ("Planning", "")})
    ratings, problems = rating_workbook.read_rating_workbook(team, bens, who["Ana"])
    assert ratings == []
    assert problems == ["This workbook belongs to Ben, not Ana; to keep everyone's ratings their own, upload it "
                        "under Ben's name, or download a fresh workbook from the Rubric page for Ana."]
    ratings, _ = rating_workbook.read_rating_workbook(team, bens, who["Ben"])
    with pytest.raises(UserError, match="belong to another member"):
        rating_workbook.apply_ratings(team, who["Ana"], ratings)
    assert rubric.rating(team, who["Ben"], "ddm-1").level == "exemplary"


@pytest.mark.parametrize("data, expected", [
    (b"not a spreadsheet", "This file is not an Excel workbook (.xlsx)"),
    ("plain", "its “About” sheet is missing"),
    ("other project", "belongs to another project"),
    ("no id column", "no “Indicator id” column"),
])
def test_files_that_are_not_this_project_s_workbook_are_refused(team, data, expected):
    ana = ids(team)["Ana"]
    if data == "plain":
        out = io.BytesIO()
        openpyxl.Workbook().save(out)
        data = out.getvalue()
    elif data == "other project":
        other = Project(name="Other", members=[Member(id=ana, name="Ana")])
        data = rating_workbook.rating_workbook(other, ana)
    elif data == "no id column":
        book = openpyxl.load_workbook(io.BytesIO(rating_workbook.rating_workbook(team, ana, ["ddm"])))
        book.worksheets[0]["B5"] = "Id"
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    ratings, problems = rating_workbook.read_rating_workbook(team, data, ana)
    assert ratings == [] and expected in problems[0]
