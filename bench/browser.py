"""`python -m bench --browser`: click to paint on Identify gaps, in headless Chromium (issue #23).

The app is served as a user runs it (`streamlit run Home.py` on a free port, the workspace holding the
loaded project), and Debian's Chromium, driven by Playwright as the browser tests drive it, times:

- opening Identify gaps from the sidebar (the first time, when the server screens the data set, then
  again, from its cache), and in a new tab at the page's address;
- a filter change (the year), a settings change (minimum n, each time a new value, so the screen is
  recomputed), switching to the Heatmap tab and back to the gap screen.

Click to paint: from the click or key press (the input event's own time, by the page's clock; an address
typed: from the call) until the run the press started has finished (Streamlit's `script_finished` message on
the page's websocket), nothing on the page is stale any more, the expected content is visible, and two
animation frames have passed (the browser painted). Playwright's checks before it presses (the element
visible, stable and enabled: 0.05-0.1 s) are not the app's time; each line also gives the time from the call,
with them (the measure before stop 33).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SUCCESSGAPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT = 120  # seconds a step may take before the bench gives up
GOALS = {"open": 3.0, "new tab": 3.0, "filter": 0.4, "min n": 0.5, "comparison": 0.5, "threshold": 0.5}  # s, #23
WORDS = {"first open": "open Identify gaps from the sidebar, the first time (the server screens the data set)",
         "open": "open Identify gaps from the sidebar, again", "new tab": "a new tab at Identify gaps' address",
         "filter": "a filter change (the year)", "min n": "a settings change: minimum n (a new value)",
         "comparison": "a settings change: the comparison (a new pair with min n)",
         "threshold": "a settings change: the gap threshold (marks other gaps; the same screen)",
         "tab": "open the Heatmap tab", "tab back": "back to the Gap screen tab"}
SETTLED = """(selector) => {
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    if (status && status.innerText.includes('Running')) return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    const panel = document.querySelector('[role="tabpanel"]:not([hidden])') || document;
    const shown = [...panel.querySelectorAll(selector)].some(e => e.getClientRects().length > 0);
    return shown && !!document.getElementById('sg-ready');
}"""
# the page's own clock: the time of the user's last press (pointer or key), from the event itself
INPUT_CLOCK = """window.__sgInput = null;
for (const type of ['pointerdown', 'keydown']) addEventListener(type, e => { window.__sgInput = e.timeStamp; }, true);"""
# two animation frames (the browser painted), then seconds since that press by the page's clock (null: none)
PAINT = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(
    () => done(window.__sgInput === null ? null : (performance.now() - window.__sgInput) / 1000))))"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(workspace: Path, port: int | None = None, **env: str) -> tuple[subprocess.Popen, str]:
    """`streamlit run Home.py` over `workspace` on `port` (a free one by default), with extra environment,
    once healthy: (process, base URL). The browser tests start their servers with it too."""
    port = port or free_port()
    log = open(workspace / "server.log", "a")
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port),
                               "--server.headless", "true", "--server.fileWatcherType", "none"],
                              cwd=ROOT, env=dict(os.environ, SUCCESSGAPS_WORKSPACE=str(workspace), **env),
                              stdout=log, stderr=subprocess.STDOUT)
    log.close()
    url = f"http://localhost:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"the app did not start; see {workspace / 'server.log'}")


class Runs:
    """Counts the script runs a tab's server finished (its `script_finished` messages)."""

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: PLC0415

        self.page, self.finished, self._msg = page, 0, ForwardMsg
        self.times: dict[str, list[float]] = {k: [] for k in WORDS}  # by the page's clock (`timed`)
        self.wall: dict[str, list[float]] = {k: [] for k in WORDS}  # by this process's clock
        page.add_init_script(INPUT_CLOCK)
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, bytes):
            msg = self._msg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "script_finished":
                self.finished += 1

    def timed(self, kind: str | None, action, selector: str, timeout: float = TIMEOUT) -> None:
        """Seconds from the press `action()` makes to the run it starts finished and painted with `selector`
        visible, by the page's own clock: from the input event's time, as the user waits (Playwright's checks
        before it presses — the element visible, stable, enabled — are not the app's time). An action with no
        press (an address typed): from the call, by this process's clock. Kept in `times[kind]` (a `kind` of None:
        not kept), and in `wall[kind]` from the call by this process's clock (Playwright's checks and this
        process's polling included)."""
        before = self.finished
        self.page.evaluate("() => { window.__sgInput = null; }")
        started = time.perf_counter()
        action()
        while self.finished <= before:
            if time.perf_counter() - started > timeout:
                raise SystemExit("The page did not finish its run in time.")
            self.page.wait_for_timeout(5)
        self.page.wait_for_function(SETTLED, arg=selector, timeout=timeout * 1000, polling="raf")
        in_page = self.page.evaluate(PAINT)
        wall = time.perf_counter() - started
        if kind:
            self.wall[kind].append(wall)
            self.times[kind].append(wall if in_page is None else in_page)


def _open_select(page, label: str) -> None:
    """Open the selectbox labelled `label` (its options listed), as a user clicks it."""
    page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True)).click()


def _options(page, label: str) -> list[str]:
    """The options of the selectbox labelled `label` (opened, read, closed again)."""
    _open_select(page, label)
    names = [o.inner_text() for o in page.get_by_role("option").all()]
    page.keyboard.press("Escape")
    return names


def measure(url: str, project: str, rounds: int) -> dict[str, dict[str, list[float]]]:
    """Each interaction `rounds` times in one tab (the first open apart): {"times": seconds per kind by the page's
    clock, "wall": by this process's clock} (`Runs.timed`)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    table = '[data-testid="stDataFrame"]'
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT * 1000)
        page = context.new_page()
        runs = Runs(page)
        home = f"{url}/?project={project}"
        link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Identify")
        for attempt in range(rounds + 1):
            runs.timed(None, lambda: page.goto(home), "#sg-ready")
            runs.timed("first open" if attempt == 0 else "open", lambda: link.click(), table)
        years = _options(page, "Year")
        for i in range(rounds):  # the clock starts at the click on the year, the list already open
            _open_select(page, "Year")
            option = page.get_by_role("option", name=years[(i + 1) % len(years)], exact=True)
            runs.timed("filter", option.click, table)
        runs.timed(None, page.get_by_text("Comparison, minimum sizes and thresholds").click, table)  # a rerun of its own
        min_n = page.get_by_label("Minimum students in a group (n-size)", exact=True)
        compare = page.locator('[data-testid="stRadio"]').filter(has_text="Compare each group with")
        for i in range(rounds):  # each (min n, comparison) a new pair, so the screen is computed again
            min_n.fill(str(29 - i))  # the clock starts at Enter
            runs.timed("min n", lambda: min_n.press("Enter"), table)
            other = "All students" if i % 2 == 0 else "All other students"
            runs.timed("comparison", compare.get_by_text(other, exact=True).click, table)
        points = page.get_by_label("Gap threshold (percentage points)", exact=True)
        for i in range(rounds):
            points.fill(str(9 - i))  # the clock starts at Enter
            runs.timed("threshold", lambda: points.press("Enter"), table)
        for _ in range(rounds):
            runs.timed("tab", lambda: page.get_by_role("tab", name="Heatmap").click(), '[data-testid="stPlotlyChart"]')
            runs.timed("tab back", lambda: page.get_by_role("tab", name="Gap screen").click(), table)
        for _ in range(rounds):
            tab = context.new_page()
            tab_runs = Runs(tab)
            tab_runs.timed("new tab", lambda: tab.goto(f"{url}/Identify_Gaps?project={project}"), table)
            for kind in ("times", "wall"):
                getattr(runs, kind)["new tab"] += getattr(tab_runs, kind)["new tab"]
            tab.close()
        browser.close()
    return {"times": runs.times, "wall": runs.wall}


def run(workspace: Path, project: str, rounds: int) -> int:
    """Serve the workspace, time the interactions, print medians beside the goals; exit status."""
    if not Path(CHROMIUM).exists():
        print(f"browser         {CHROMIUM} is missing (apt-get install chromium, or set SUCCESSGAPS_CHROMIUM)")
        return 1
    load_before = os.getloadavg()[0]
    try:
        server, url = serve(workspace)
    except RuntimeError as exc:
        print(f"browser         {exc}")
        return 1
    try:  # Chromium is driven from a process of its own: a caller's event loop (a test run's) cannot get in the way
        child = subprocess.run([sys.executable, "-m", "bench.browser", url, project, str(rounds)], capture_output=True,
                               text=True, cwd=Path(__file__).resolve().parent.parent)
        if child.returncode:
            print(child.stderr[-4000:], file=sys.stderr)
            print(f"browser         the browser failed (exit code {child.returncode}); see the error above")
            return 1
        measured = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
    for kind, seconds in measured["times"].items():
        median = statistics.median(seconds)
        goal = GOALS.get(kind)
        verdict = "" if goal is None else f"   goal < {goal:.1f} s: {'met' if median < goal else 'NOT met'}"
        wall = statistics.median(measured["wall"][kind])
        print(f"browser {kind:<10} {median:6.2f} s median of {len(seconds)} ({', '.join(f'{s:.2f}' for s in seconds)})"
              f"   {WORDS[kind]}{verdict}   (with Playwright's own checks: {wall:.2f} s)", flush=True)
    print(f"load average    {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    return 0


if __name__ == "__main__":  # python -m bench.browser URL PROJECT ROUNDS: the timings as JSON (for `run`)
    print(json.dumps(measure(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
