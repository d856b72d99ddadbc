"""Browser tests: a real `streamlit run Home.py` server and Debian's headless Chromium.

On CI (CI=true) a missing chromium fails the run; on a developer machine without it, the browser
tests are skipped with the reason.
"""

import os
from pathlib import Path

import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS, free_port, serve  # one way to start the app and the browser


def start_server(workspace: Path, **env: str):
    """Start a server on a free localhost port over `workspace` (with extra environment); (base URL, stop)."""
    proc, url = serve(workspace, **env)

    def stop() -> None:
        proc.terminate()
        proc.wait(timeout=20)

    return url, stop


@pytest.fixture(scope="session")
def launch():
    """`launch(workspace, **env) -> (url, stop)`: a server over a workspace a test prepared (see `start_server`)."""
    return start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Base URL of a Success Gaps server on a free localhost port, with its own empty workspace."""
    url, stop = start_server(tmp_path_factory.mktemp("browser-workspace"))
    yield url
    stop()


class OwnServer:
    """A server of a test's own on a fixed port: `start()`, `restart()` (killed, then started again), `stop()`."""

    def __init__(self, workspace: Path):
        self.workspace, self.port, self.proc = workspace, free_port(), None
        self.url = f"http://localhost:{self.port}"

    def start(self) -> None:
        self.proc, _ = serve(self.workspace, self.port)

    def stop(self, kill: bool = False) -> None:
        if self.proc is not None:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def restart(self) -> None:
        self.stop(kill=True)
        self.start()


@pytest.fixture
def own_server(tmp_path):
    """An `OwnServer` with an empty workspace of its own, not started yet (fill the workspace first)."""
    (tmp_path / "ws").mkdir()
    own = OwnServer(tmp_path / "ws")
    yield own
    own.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab (own cookies and session) at screen-share size."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def ready():
    """`ready(page)` waits until the page finished its run: end-of-page marker there, nothing running."""

    def wait(tab):
        tab.wait_for_selector("#sg-ready", state="attached")
        tab.wait_for_timeout(300)
        tab.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
            " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
        )

    return wait


@pytest.fixture
def open_step(server, ready):
    """`open_step(page, "Rubric", project_id)`: go straight to a step's page for a project."""

    def go(tab, page_name: str, project_id: str) -> None:
        tab.goto(f"{server}/{page_name}?project={project_id}")
        ready(tab)

    return go


@pytest.fixture
def new_project(server, page, ready):
    """`new_project("Name") -> project id`: create a project on Home, as a user would."""

    def create(name: str) -> str:
        page.goto(server)
        ready(page)
        page.get_by_label("Project name").fill(name)
        page.get_by_role("button", name="Create project").click()
        page.get_by_text(f"Created “{name}”").wait_for()
        ready(page)
        return page.url.split("project=")[1].split("&")[0]

    return create


@pytest.fixture
def upload_project(server, page, ready, tmp_path):
    """`upload_project(project) -> project id`: save a prepared project as a .sgproj file elsewhere
    and open it on Home with "Open a project file", as a facilitator bringing their work would."""
    from successgaps.store import Store

    def upload(project) -> str:
        laptop = Store(tmp_path / "laptop")
        saved = laptop.create(project.name, project)
        path = tmp_path / f"{project.name}.sgproj"
        path.write_bytes(laptop.export_project(saved.id))
        laptop.close()
        page.goto(server)
        ready(page)
        page.locator("input[type=file]").set_input_files(str(path))
        page.get_by_text(f"Opened “{project.name}”").wait_for()
        ready(page)
        return page.url.split("project=")[1].split("&")[0]

    return upload
