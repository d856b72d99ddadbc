"""A confirmation whose control is not on the page comes as a toast in the corner (`ui.done`): a screen reader
announces it by its message. Streamlit's own toast is an alertdialog named by an element it does not draw
(axe-core: aria-dialog-name, serious); the page names it."""

from successgaps.store import DB_NAME, Store


def test_the_toast_after_restoring_a_damaged_workspace_is_named_by_its_message(own_server, page, ready):
    """Home says the workspace is damaged and offers its backup; the team restores it: the confirmation is a toast
    read out by its message, and nothing on the page is in axe-core's serious or critical kinds."""
    from axe_playwright_python.sync_playwright import Axe

    store = Store(own_server.workspace)
    store.create("Westview Middle")
    store.backup()
    store.close()
    (own_server.workspace / DB_NAME).write_bytes(b"garbage!" * 100)
    own_server.start()
    page.goto(own_server.url)
    page.get_by_role("button", name="Restore this backup").click()  # Home says the workspace is damaged
    ready(page)
    toast = page.get_by_role("alertdialog", name="The workspace was restored from the backup")
    toast.wait_for()
    assert page.get_by_text("The app restarted").count() == 0  # the same server all along
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == []
