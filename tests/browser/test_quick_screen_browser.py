"""In a real browser: a principal goes from Home to the quick screen, drops the bundled sample district
file and reads ten sentences, then keeps the screen as a project."""

from successgaps.process import sample
from tests.edfacts_fixture import EDFACTS


def test_dropping_the_sample_file_shows_ten_sentences_and_keep_this_makes_a_project(server, page, ready):
    if not sample.SAMPLE_PATH.exists():
        sample.write()
    page.goto(server)
    ready(page)
    page.get_by_test_id("stPageLink-NavLink").filter(has_text="Quick screen").click()
    ready(page)
    page.get_by_text("Nothing is saved").wait_for()
    page.locator("input[type=file]").first.set_input_files(str(sample.SAMPLE_PATH))
    page.get_by_text("The 10 largest gaps in 2024–25").wait_for(timeout=60_000)
    ready(page)
    sentences = page.locator("[data-testid='stMarkdownContainer'] ol > li")
    assert sentences.count() == 10
    assert all("(n = " in text and "95% interval" in text for text in sentences.all_inner_texts())
    page.get_by_text("students, 3 years, 7 groupings, 10 outcomes detected").wait_for()
    page.get_by_text("Hidden to protect student privacy").wait_for()

    page.get_by_label("Project name").fill("Riverbend quick screen")
    page.get_by_text("Carry over as a gap statement:").first.click()
    ready(page)
    page.get_by_role("button", name="Keep this").click()
    page.get_by_text("Kept as the project “Riverbend quick screen”").wait_for(timeout=60_000)
    ready(page)
    page.get_by_role("link", name="Step 2 · Data: review the mapping").click()
    ready(page)
    page.get_by_text("Files of").wait_for()


def test_an_excel_export_dropped_on_the_page_is_screened(server, page, ready, tmp_path):
    """The district's .xlsx, dropped as a principal would: the page spools it as .tmp, which openpyxl refused
    ("This Excel file cannot be opened") while every test handed it a file named .xlsx."""
    path = tmp_path / "district.xlsx"
    sample.generate(seed=3, students_per_grade=60).to_excel(path, index=False)
    page.goto(f"{server}/Quick_Screen")
    ready(page)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text("outcomes detected").wait_for(timeout=120_000)
    ready(page)
    assert page.get_by_text("cannot be opened").count() == 0
    assert page.locator("[data-testid='stMarkdownContainer'] ol > li").count() > 0


def test_a_public_file_pick_my_school_and_read_a_sentence_with_a_range(server, page, ready, tmp_path):
    path = tmp_path / "acgr_school_2014-15.csv"
    path.write_text(EDFACTS)
    page.goto(server)
    ready(page)
    page.get_by_test_id("stPageLink-NavLink").filter(has_text="Quick screen").click()
    ready(page)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text("gives no cohort count and is not in this total").first.wait_for(timeout=60_000)
    ready(page)
    picker = page.get_by_label("Your school or district (type a name or an id; the largest first)")
    picker.click()
    picker.fill("Town High")
    page.get_by_role("option", name="Town High (Town (0100005))").click()
    ready(page)
    sentence = page.locator("[data-testid='stMarkdownContainer'] ol > li").first
    sentence.wait_for(timeout=60_000)
    text = sentence.inner_text()
    assert "At Town High, in 2014–15," in text and "between 70% and 74%" in text


def test_presenting_a_public_file_puts_a_slide_first_readable_by_everyone(server, page, ready, tmp_path):
    """The principal shares the screen at 1280×720 and turns on presentation mode: the first thing on it is a
    gap (its sentence and bars), not the uploader or the notes; axe-core finds nothing serious on the slide."""
    from axe_playwright_python.sync_playwright import Axe

    path = tmp_path / "acgr_school_2014-15.csv"
    path.write_text(EDFACTS)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{server}/Quick_Screen")
    ready(page)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text("gives no cohort count and is not in this total").first.wait_for(timeout=60_000)
    ready(page)
    page.get_by_text("Presentation mode").click()
    ready(page)
    page.wait_for_timeout(800)  # the chart draws after the run ends
    assert "1 of " in page.locator(".st-key-sg_deck_bar").inner_text()
    sentence = page.locator("[data-testid=stMain] h2").first
    assert sentence.inner_text().startswith("In 2014–15, ")
    assert sentence.bounding_box()["y"] < 300  # at the top of the shared screen
    assert page.get_by_text("The file, the place and the year behind these slides").is_visible()
    assert not page.locator("input[type=file]").first.is_visible()  # folded away below the slide
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == []
