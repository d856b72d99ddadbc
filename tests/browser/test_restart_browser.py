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
