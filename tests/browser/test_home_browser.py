"""A first-time user, in a real browser: one click for the sample district, and a refresh loses nothing."""


def test_sample_project_survives_a_reload(server, page, ready):
    page.goto(server)
    ready(page)
    page.get_by_role("button", name="Create a project from the sample district").click()
    ready(page)
    page.get_by_role("heading", name="Sample district — Riverbend Unified").wait_for()
    assert "project=" in page.url
    page.get_by_text("1 data set, 1 with a confirmed mapping").wait_for()

    page.reload()
    ready(page)
    page.get_by_role("heading", name="Sample district — Riverbend Unified").wait_for()
    page.get_by_text("1 data set, 1 with a confirmed mapping").wait_for()
