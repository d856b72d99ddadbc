"""A new facilitator, in a real browser: opens the worked example on Home, walks it through steps 1 to 7,
and reads where the team stands in each step on Home."""

import os
import re
from pathlib import Path

from successgaps.process.progress import STEPS

# What each step's page shows of the worked example once it has drawn (the example's own words).
SEEN = {
    1: "Maria Alvarez",
    2: "Sample district students",
    3: "English learner",
    4: "Consensus",
    5: "English learners are not told early enough which credits they still need to graduate.",
    6: "Credit check with every English learner each semester",
    7: "Progress toward our goals",
}
STATUS = {step.number: "Done" for step in STEPS} | {7: "In progress"}  # a plan is monitored for years


def _row(page, step):
    """The "Where we stand" row of one step on Home: its link, its status, what is there and missing."""
    link = page.get_by_role("link", name=f"{step.number}. {step.title}", exact=True)
    return page.locator('[data-testid="stHorizontalBlock"]').filter(has=link).last


def test_the_worked_example_walked_through_every_step(server, page, ready, tmp_path):
    shots = Path(os.environ.get("SUCCESSGAPS_SHOTS", tmp_path))
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(server)
    ready(page)
    page.get_by_role("button", name="Open a worked example (all seven steps)").click()
    page.get_by_text(re.compile("the sample district carried through all seven steps")).wait_for(timeout=180_000)
    ready(page)
    page.get_by_role("heading", name=re.compile(r"^Worked example — Riverbend Unified")).wait_for()
    home = page.url
    assert "project=" in home

    for step in STEPS:
        page.goto(home)
        ready(page)
        _row(page, step).get_by_role("link").click()
        page.wait_for_url(re.compile(step.page.split("_", 1)[1].removesuffix(".py")))
        ready(page)
        page.get_by_text(SEEN[step.number]).first.wait_for(state="attached")  # grids are canvas: their text is hidden
        assert page.locator('[data-testid="stException"]').count() == 0, step.title
        assert page.get_by_text("Something went wrong").count() == 0, step.title
        assert page.get_by_text("Open or create a project on the Home page first.").count() == 0, step.title  # the project stayed open
        page.screenshot(path=str(shots / f"worked-step-{step.number}.png"))
        if step.number == 3:  # "Look closer" → "Write a statement for this gap" opens the statements tab
            page.get_by_role("tab", name="Look closer").click()
            ready(page)
            page.get_by_role("button", name="Write a statement for this gap").click()
            ready(page)
            assert page.get_by_role("tab", selected=True).inner_text() == "Success gap statements"
            page.get_by_label("Drafted statement (edit it as you like)").wait_for()

    page.goto(home)
    ready(page)
    for step in STEPS:
        row = _row(page, step)
        lines = [line.strip() for line in row.inner_text().splitlines() if line.strip()]
        assert STATUS[step.number] in lines, (step.title, lines)
        if STATUS[step.number] == "In progress":  # in progress says what is still to do
            assert any(line.startswith("Still missing:") for line in lines), lines
    page.get_by_role("heading", name="Where we stand").evaluate("h => h.scrollIntoView()")
    page.screenshot(path=str(shots / "worked-home.png"))
