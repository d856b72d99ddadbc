"""A team, in a real browser, screens the sample district and writes its success gap statement."""


def test_writing_the_focus_gap_statement(server, page, ready, open_step, tmp_path):
    page.goto(server)
    ready(page)
    page.get_by_role("button", name="Create a project from the sample district").click()
    ready(page)
    page.get_by_role("heading", name="Sample district — Riverbend Unified").wait_for()
    project_id = page.url.split("project=")[1].split("&")[0]

    open_step(page, "Identify_Gaps", project_id)
    page.get_by_text("Largest gaps first").wait_for()
    page.get_by_role("tab", name="Success gap statements").click()
    draft = page.get_by_label("Drafted statement (edit it as you like)")
    draft.wait_for()
    assert "compared with" in draft.input_value() or "not shown" in draft.input_value()
    draft.fill("In 2024–25, our English learners graduated at a lower rate than their classmates.")
    draft.press("Control+Enter")
    ready(page)
    page.get_by_role("button", name="Save this statement").click()
    page.get_by_text("Statement saved.").wait_for()
    ready(page)
    page.get_by_text("Our success gap:").wait_for()

    page.reload()  # nothing typed is lost
    ready(page)
    banner = page.get_by_text("Our success gap:")
    banner.wait_for()
    assert "our English learners graduated at a lower rate" in page.locator("[data-testid=stAlert]").first.inner_text()
    page.screenshot(path=str(tmp_path / "gaps.png"), full_page=True)
