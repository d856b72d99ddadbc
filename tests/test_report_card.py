"""A state equity lead drops California's long report-card file (one ReportingCategory column for race, sex,
economic disadvantage, disability and English learners; AggregateLevel T/C/D/S) and screens the state, each
district and each school as the state published them."""

import json

import pandas as pd
import pytest

from report_card_fixture import PLACES, report_card_csv
from successgaps import cli
from successgaps.data import datasets, mapping, quality, views
from successgaps.engine.screen import screen
from successgaps.errors import UserError
from successgaps.models import GapSettings
from successgaps.store import Store

DISTRICT = "Alder Unified (10017)"


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "ws")
    yield s
    s.close()


@pytest.fixture
def loaded(store, tmp_path):
    project = store.create("California graduation")
    path = tmp_path / "acgr22.csv"
    path.write_text(report_card_csv())
    dataset = datasets.create_dataset(store, project, path, path.name)
    return project, dataset


def gap_table(store, project, dataset, settings=None):
    prepared = views.prepare(store.cursor(), project, dataset)
    return screen(store.cursor(), prepared, settings or GapSettings(), extra=True)


def row(table, level, group, district="", school=""):
    found = table[(table["level"] == level) & (table["group"] == group) & (table["district"].fillna("") == district)
                  & (table["school"].fillna("") == school)]
    assert len(found) == 1, (level, group, district, school)
    return found.iloc[0]


def test_the_long_report_card_is_recognised_without_hints(loaded):
    _, dataset = loaded
    assert dataset.layout == "aggregate_long"
    roles = {c.column: c.role for c in dataset.columns}
    assert roles == {"AcademicYear": "year", "AggregateLevel": "level", "CountyCode": "ignore",
                     "DistrictCode": "district", "SchoolCode": "school", "CountyName": "ignore",
                     "DistrictName": "district_name", "SchoolName": "school_name", "ReportingCategory": "group",
                     "CohortStudents": "count", "RegularHSDiplomaGraduatesCount": "numerator",
                     "RegularHSDiplomaGraduatesRate": "rate"}
    level = mapping.column_map(dataset, "AggregateLevel")
    assert level.codes == {"T": "state", "C": "county", "D": "district", "S": "school"}
    category = mapping.column_map(dataset, "ReportingCategory")
    assert category.code_dimensions["RH"] == "Race/ethnicity" and category.codes["RH"] == "Hispanic/Latino"
    assert category.code_dimensions["SS"] == "Economic disadvantage"
    assert category.code_dimensions["SE"] == "English learner status"  # California: SE = English learners
    assert category.code_dimensions["TA"] == "All" and category.codes["TA"] == "All students"
    assert "SP" not in category.codes  # a code the table does not know stays unknown, for the team to map
    assert mapping.column_map(dataset, "RegularHSDiplomaGraduatesRate").label == "Regular HS diploma graduates"


def test_one_category_column_becomes_five_dimensions(store, loaded):
    project, dataset = loaded
    prepared = views.prepare(store.cursor(), project, dataset)
    assert [d.label for d in prepared.dimensions] == ["Race/ethnicity", "Sex", "English learner status", "Disability",
                                                      "Economic disadvantage"]
    assert prepared.has_levels and prepared.has_district
    view = store.cursor().execute(f'SELECT level, dimension, "group", n FROM {prepared.relation} '
                                  "WHERE level = 'state' ORDER BY n DESC, \"group\"").fetchall()
    assert view[0] == ("state", "All", "All students", 5000)
    assert ("state", "Sex", "Female", 2500) in view
    assert ("state", "Disability", "Students with disabilities", 600) in view
    page = pd.DataFrame(views.code_table(store.cursor(), project, dataset, "ReportingCategory"))
    assert list(page.columns) == ["code", "rows", "dimension", "label"]
    assert page.set_index("code").loc["GF", "dimension"] == "Sex"


def test_district_and_state_rows_are_the_files_own_not_sums_of_schools(store, loaded):
    project, dataset = loaded
    table = gap_table(store, project, dataset)
    assert set(table["level"]) == {"state", "district", "school"}  # county rows are no level of the screen
    black = row(table, "district", "Black or African American", DISTRICT)
    # by hand from the file's D rows: 50 of 75 graduated; all others = all students (TA) minus the group
    assert (black["n"], black["events"]) == (75, 50)  # the schools add up to 60 (Birch High's count is *)
    assert black["comparison_n"] == 560 - 75 and black["comparison_rate"] == pytest.approx(400 / 485)
    assert black["difference"] == pytest.approx((50 / 75 - 400 / 485) * 100)
    assert black["difference"] == pytest.approx(-15.81, abs=0.01)
    women = row(table, "state", "Female")
    assert (women["n"], women["comparison_n"]) == (2500, 2500)
    assert women["difference"] == pytest.approx((2200 / 2500 - 2100 / 2500) * 100)
    school = row(table, "school", "Hispanic/Latino", DISTRICT, "Alder High (0130011)")
    assert school["n"] == 150 and school["comparison_rate"] == pytest.approx((340 - 120) / (400 - 150))
    cedar = row(table, "district", "Students with disabilities", "Cedar Joint (10025)")
    assert cedar["n"] == PLACES[("D", "01", "10025", "", "Alameda", "Cedar Joint", "")]["SD"][0] == 42


def test_a_code_the_team_maps_by_hand_becomes_a_group(store, loaded):
    project, dataset = loaded
    assert "Military-connected students" not in set(gap_table(store, project, dataset)["group"])
    rows = views.code_table(store.cursor(), project, dataset, "ReportingCategory")
    codes = {r["code"]: r["label"] or ("Military-connected students" if r["code"] == "SP" else "") for r in rows}
    dims = {r["code"]: r["dimension"] or ("Military-connected" if r["code"] == "SP" else "") for r in rows}
    mapping.apply_mapping(dataset, mapping.mapping_rows(dataset), {"ReportingCategory": codes},
                          {"ReportingCategory": dims})
    table = gap_table(store, project, dataset)
    military = row(table, "district", "Military-connected students", DISTRICT)
    assert military["dimension"] == "Military-connected" and (military["n"], military["events"]) == (40, 28)
    assert military["comparison_rate"] == pytest.approx((450 - 28) / (560 - 40))


def test_a_level_code_read_as_something_else_gets_one_sentence(loaded):
    _, dataset = loaded
    with pytest.raises(UserError, match="read as one of state, district, school, county"):
        mapping.apply_mapping(dataset, mapping.mapping_rows(dataset), {"AggregateLevel": {"T": "region"}})
    assert mapping.column_map(dataset, "AggregateLevel").codes["T"] == "state"  # unchanged


def test_the_states_suppressed_values_stay_hidden_and_nothing_public_is_hidden_again(store, loaded):
    project, dataset = loaded
    table = gap_table(store, project, dataset)
    birch = "Birch High (0130012)"
    learners = row(table, "school", "English learners", DISTRICT, birch)  # count 12 given, graduates and rate *
    assert learners["suppressed"] and learners["suppression_reason"] == "suppressed in the source file (PS)"
    assert pd.isna(learners["rate"]) and pd.isna(learners["events"]) and pd.isna(learners["difference"])
    black = row(table, "school", "Black or African American", DISTRICT, birch)  # everything *
    assert black["suppressed"] and pd.isna(black["n"]) and pd.isna(black["rate"])
    # public figures are not hidden again to protect the starred ones (only the minimum sizes apply)
    assert not row(table, "school", "Hispanic/Latino", DISTRICT, birch)["suppressed"]
    assert not row(table, "district", "English learners", DISTRICT)["suppressed"]
    assert table.loc[table["suppressed"], "suppression_reason"].str.startswith("hidden so that").sum() == 0


def test_the_command_screens_state_districts_and_schools(tmp_path, capsys):
    path = tmp_path / "acgr22.csv"
    path.write_text(report_card_csv())
    code = cli.main(["screen", str(path), "--by", "district", "--by", "school", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    df = pd.DataFrame(json.loads(out))
    assert set(df["level"]) == {"state", "district", "school"}
    assert set(df.loc[df["level"] == "district", "district"]) == {DISTRICT, "Cedar Joint (10025)"}
    assert set(df.loc[df["level"] == "school", "school"]) == {"Alder High (0130011)", "Birch High (0130012)",
                                                             "Cedar High (0130020)"}
    black = df[(df["level"] == "district") & (df["district"] == DISTRICT) & (df["group"] == "Black or African American")]
    assert black.iloc[0]["n"] == 75 and black.iloc[0]["difference"] == pytest.approx(-15.81, abs=0.01)
    assert "SP (2 rows)" in err  # the unknown code is named on stderr
    assert cli.main(["screen", str(path), "--format", "json"]) == 0
    assert set(pd.DataFrame(json.loads(capsys.readouterr()[0]))["level"]) == {"state"}


def test_levels_written_as_words_are_read_too(store, tmp_path):
    words = {"T": "State", "C": "County", "D": "District", "S": "School"}
    lines = [line.split(",") for line in report_card_csv().splitlines()]
    text = "\n".join(",".join(cells[:1] + [words.get(cells[1], cells[1])] + cells[2:]) for cells in lines) + "\n"
    path = tmp_path / "words.csv"
    path.write_text(text)
    project = store.create("Words")
    dataset = datasets.create_dataset(store, project, path, path.name)
    assert mapping.column_map(dataset, "AggregateLevel").codes["District"] == "district"
    assert row(gap_table(store, project, dataset), "district", "Black or African American", DISTRICT)["n"] == 75


def test_a_file_split_further_by_charter_schools_reads_its_all_rows_and_says_so(store, tmp_path):
    path = tmp_path / "charter.csv"
    path.write_text(report_card_csv(charter=True))
    project = store.create("Charter split")
    dataset = datasets.create_dataset(store, project, path, path.name)
    assert mapping.column_map(dataset, "CharterSchool").role == "ignore"
    black = row(gap_table(store, project, dataset), "district", "Black or African American", DISTRICT)
    assert (black["n"], black["events"], black["comparison_n"]) == (75, 50, 485)  # the "All" rows, not a subset
    found = [f.text for f in quality.quality_report(store.cursor(), project, dataset) if f.severity == "warning"]
    assert any("gives the same group more than once" in t and "\u201cAll\u201d rows" in t for t in found)


def test_any_long_file_with_a_level_column_keeps_its_own_district_rows(store, tmp_path):
    path = tmp_path / "wa.csv"
    path.write_text("SchoolYear,OrganizationLevel,DistrictName,SchoolName,StudentGroupType,StudentGroup,cohort,graduates\n"
                    "2022-23,State,,,All,All Students,1000,850\n2022-23,State,,,Race,Hispanic,300,240\n"
                    "2022-23,District,Alder,,All,All Students,500,420\n2022-23,District,Alder,,Race,Hispanic,150,115\n"
                    "2022-23,District,Birch,,All,All Students,200,170\n2022-23,District,Birch,,Race,Hispanic,60,45\n"
                    "2022-23,School,Alder,Alder High,All,All Students,400,340\n"
                    "2022-23,School,Alder,Alder High,Race,Hispanic,120,95\n")
    project = store.create("Levels in words")
    dataset = datasets.create_dataset(store, project, path, path.name)
    assert dataset.layout == "aggregate_long" and mapping.column_map(dataset, "OrganizationLevel").role == "level"
    table = gap_table(store, project, dataset)
    hispanic = row(table, "district", "Hispanic", "Alder")
    assert (hispanic["n"], hispanic["events"], hispanic["comparison_n"]) == (150, 115, 350)  # not Alder High's 120
    assert row(table, "state", "Hispanic")["n"] == 300
