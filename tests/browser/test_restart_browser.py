"""The server restarts while a facilitator has a page open (issue #22): the tab reconnects showing what was
typed; their next click is not silently dropped — it is done, the page says the app restarted, and text
still not saved is shown to copy."""

from successgaps.store import Store

RESTARTED = "The app restarted while this page was open"


def _open_team_page(own_server, page, ready) -> str:
    store = Store(own_server.workspace)
    project_id = store.create("Westview Middle").id
    store.close()
    own_server.start()
    page.goto(f"{own_server.url}/Team_and_Meetings?project={project_id}")
    ready(page)
    return project_id


def _saved(own_server, project_id):
    own_server.stop()  # the server holds the workspace database
    store = Store(own_server.workspace)
    try:
        return store.load(project_id)
    finally:
        store.close()


def test_a_form_sent_after_a_restart_is_saved_and_the_page_says_so(page, ready, own_server):
    project_id = _open_team_page(own_server, page, ready)
    form = page.get_by_test_id("stForm").filter(has_text="Add a member")
    form.get_by_label("Name").fill("Rosa Méndez")
    own_server.restart()
    form.get_by_role("button", name="Add to the team").click()
    page.get_by_text(RESTARTED).wait_for(timeout=60_000)
    ready(page)
    page.get_by_text("Rosa Méndez is on the roster").wait_for()
    assert [m.name for m in _saved(own_server, project_id).members] == ["Rosa Méndez"]


NORMS = "One norm per line (edit, add, or remove)"


def test_a_box_that_saves_as_it_is_left_keeps_what_was_typed_across_a_restart(page, ready, own_server):
    """The facilitator types the team's norms (the box saves as it is left), the server restarts, and they add one
    more in the reconnected tab: all of it is saved, and the page says the app restarted."""
    project_id = _open_team_page(own_server, page, ready)
    page.get_by_role("tab", name="Norms").click()
    box = page.get_by_label(NORMS)
    box.fill("Cameras on")
    box.blur()
    ready(page)
    own_server.restart()
    box.fill("Cameras on\nPhones away")
    box.blur()
    page.get_by_text(f"{RESTARTED}: what you typed was saved.").wait_for(timeout=60_000)
    ready(page)
    page.reload()
    ready(page)
    page.get_by_role("tab", name="Norms").click()
    assert page.get_by_label(NORMS).input_value() == "Cameras on\nPhones away"
    assert _saved(own_server, project_id).norms == ["Cameras on", "Phones away"]


def test_text_typed_before_someone_else_saved_is_offered_to_copy_not_saved_over_their_work(page, ready, own_server):
    """Another tab changed the norms while the server was down: the reconnected tab's text is not saved over them,
    and the page shows it to copy with the restart sentence."""
    project_id = _open_team_page(own_server, page, ready)
    page.get_by_role("tab", name="Norms").click()
    box = page.get_by_label(NORMS)
    box.fill("Cameras on")
    own_server.stop(kill=True)
    store = Store(own_server.workspace)
    project = store.load(project_id)
    project.norms = ["Start on time"]
    store.save(project)
    store.close()
    own_server.start()
    box.fill("Cameras on\nPhones away")
    box.blur()
    page.get_by_text(f"{RESTARTED}: the text below is not saved").wait_for(timeout=60_000)
    ready(page)
    assert page.get_by_test_id("stCode").inner_text().strip() == "Cameras on\nPhones away"
    assert _saved(own_server, project_id).norms == ["Start on time"]
