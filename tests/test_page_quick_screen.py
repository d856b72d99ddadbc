"""Quick screen page: a principal drops the district's file, reads the ten largest gaps as sentences, sees
what was hidden and why, and keeps the screen as a project with two of its gaps as statements."""

import pytest

from successgaps.engine import quickscreen
from successgaps.process import sample

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
    assert at.get("plotly_chart")
    assert any(m.value.startswith("- ") and "fewer than" in m.value for m in at.markdown)
    assert at.expander[0].label == "The table behind these sentences"
    assert store.list() == []  # nothing is kept unless the principal chooses to


def test_presentation_mode_shows_one_gap_at_a_time_and_no_keep_controls(open_page, store, district_csv, tmp_path):
    at = drop(open_page(PAGE), "district.csv", district_csv)
    at.toggle(key="sg_presenting").set_value(True).run()
    assert not at.exception
    expected = quickscreen.run(district_csv, "district.csv", tmp_path)
    assert any(m.value.startswith(f"**1 of {len(expected.gaps)}**") for m in at.markdown)
    assert [m.value for m in at.markdown if m.value.startswith("### ")] == [f"### {expected.gaps[0].sentence}"]
    assert not [c for c in at.checkbox if c.key.startswith("qs_pick_")]


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
