"""After a save the facilitator is where they were: same tab, expander still open, same scroll position,
and the confirmation beside the control they used."""


def _scroll_y(page) -> float:
    return page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop || window.scrollY")


def _settled_scroll_y(page, timeout: float = 5.0) -> float:
    """Where the page rests once the rerun has finished drawing (on a loaded machine the last elements
    can land a moment after the confirmation): the same position twice, half a second apart."""
    import time

    last, deadline = _scroll_y(page), time.time() + timeout
    while time.time() < deadline:
        page.wait_for_timeout(500)
        now = _scroll_y(page)
        if now == last:
            return now
        last = now
    return last


def test_saving_a_statement_keeps_the_tab_and_confirms_beside_the_button(server, page, ready, open_step):
    page.goto(server)
    ready(page)
    page.get_by_role("button", name="Create a project from the sample district").click()
    ready(page)
    page.get_by_role("heading", name="Sample district — Riverbend Unified").wait_for()
    project_id = page.url.split("project=")[1].split("&")[0]

    open_step(page, "Identify_Gaps", project_id)
    settings = page.get_by_test_id("stExpander").filter(has_text="Comparison, minimum sizes and thresholds")
    settings.get_by_text("Comparison, minimum sizes and thresholds").click()
    ready(page)
    settings.get_by_label("Risk ratio threshold").fill("1.8")
    settings.get_by_label("Risk ratio threshold").press("Enter")
    ready(page)
    settings.get_by_text("Settings saved; the gaps beyond the thresholds are marked again.").wait_for()  # in the expander
    assert settings.get_by_label("Risk ratio threshold").is_visible()  # still open

    page.get_by_role("tab", name="Success gap statements").click()
    ready(page)
    save = page.get_by_role("button", name="Save this statement")
    save.scroll_into_view_if_needed()
    before = _settled_scroll_y(page)
    where = save.bounding_box()["y"]
    save.click()
    ready(page)
    panel = page.get_by_role("tabpanel")
    panel.get_by_text("Statement saved.").wait_for()
    assert page.get_by_role("tab", name="Success gap statements").get_attribute("aria-selected") == "true"
    # what the facilitator sees: no jump to the top, and the button they used and its confirmation still on
    # screen (a page that got shorter below may be scrolled back a little by the browser itself)
    after = _settled_scroll_y(page)  # the boxes below are read once the page has come to rest
    assert before < 100 or after > 100
    height = page.viewport_size["height"]
    button, said = save.bounding_box(), panel.get_by_text("Statement saved.").bounding_box()
    assert 0 <= button["y"] and button["y"] + button["height"] <= height, button
    # the button stays put: the taller confirmation beside it once centred the row and pushed it 9 px down (off
    # screen when it sat at the bottom edge)
    assert abs(button["y"] - where) <= 2, (where, button)
    assert 0 <= said["y"] and said["y"] + said["height"] <= height, said
    assert "gaps_tab=" in page.url  # a reload opens the same tab
    page.reload()
    ready(page)
    assert page.get_by_role("tab", name="Success gap statements").get_attribute("aria-selected") == "true"


def test_adding_a_member_keeps_the_form_where_it_was_on_screen(page, ready, new_project, open_step):
    open_step(page, "Team_and_Meetings", new_project("Westview Middle"))
    form = page.get_by_test_id("stForm").filter(has_text="Add a member")
    form.scroll_into_view_if_needed()
    assert _scroll_y(page) > 100  # the form is below the first screen
    before = form.bounding_box()["y"]
    form.get_by_label("Name").fill("Rosa Méndez")
    form.get_by_role("button", name="Add to the team").click()
    ready(page)
    confirmation = page.get_by_text("Rosa Méndez is on the roster")
    confirmation.wait_for()
    # the roster grew above the form, yet the form has not moved on screen (no jump to the top), and the
    # confirmation is right under it
    assert abs(form.bounding_box()["y"] - before) < 250 and form.bounding_box()["y"] > 0
    assert 0 < confirmation.bounding_box()["y"] - form.bounding_box()["y"] < form.bounding_box()["height"] + 120
