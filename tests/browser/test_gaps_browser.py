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


def test_the_gap_is_on_screen_at_a_shared_1280x720_with_the_sidebar_open(server, page, ready, open_step):
    """A facilitator shares 1280×720 with the sidebar open: the gap table showed the group's and the comparison's
    figures and cut the gap, the answer, at the right edge. The grid writes its accessible headers only for the
    columns it draws: the one after the gap drawn means the whole gap column is on screen."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(server)
    ready(page)
    page.get_by_role("button", name="Create a project from the sample district").click()
    ready(page)
    page.get_by_role("heading", name="Sample district — Riverbend Unified").wait_for()
    open_step(page, "Identify_Gaps", page.url.split("project=")[1].split("&")[0])
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator("th", has_text="Gap (group − comparison)").wait_for(state="attached")
    drawn = grid.locator("th").all_inner_texts()
    assert drawn[:5] == ["Group", "Outcome", "Gap (group − comparison)", "Beyond the threshold", "Years in a row"] and \
        "Group's figure" in drawn, drawn  # the answer whole: the column after it drawn
