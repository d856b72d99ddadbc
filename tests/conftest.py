"""Shared fixtures: every test gets its own workspace folder, so nothing touches a real one."""

import pytest


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A fresh workspace folder, also set as SUCCESSGAPS_WORKSPACE for pages run by AppTest."""
    folder = tmp_path / "workspace"
    monkeypatch.setenv("SUCCESSGAPS_WORKSPACE", str(folder))
    return folder

@pytest.fixture
def store(workspace):
    """The store the app would use for this workspace (shared with AppTest runs in this process)."""
    from successgaps import ui

    return ui._store(str(workspace.resolve()))


@pytest.fixture
def open_page(store):
    """Run a page with AppTest, as a browser tab would: `open_page("pages/2_Data.py", project=p.id)`."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent

    def _open(path: str, project: str | None = None, **query: str) -> AppTest:
        # Start from Home, the app's entry point, so the page sees the other pages (st.page_link works),
        # then switch to the page as the sidebar navigation would.
        at = AppTest.from_file(str(root / "Home.py"), default_timeout=60)
        if project:
            at.query_params["project"] = project
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if path != "Home.py":
            at.switch_page(path)
            at.run()
        return at

    return _open
