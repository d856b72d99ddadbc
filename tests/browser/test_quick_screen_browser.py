"""In a real browser: a principal goes from Home to the quick screen, drops the bundled sample district
file and reads ten sentences, then keeps the screen as a project."""

from successgaps.process import sample


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
