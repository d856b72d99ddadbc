"""A facilitator shares the sample district in a video meeting (1280×720): every page is readable by
everyone — axe-core finds no serious or critical violation, no cell says `None` — and each slide fits."""

import os
import re
from pathlib import Path

import pytest

PAGES = ["", "Team_and_Meetings", "Data", "Identify_Gaps", "Rubric", "Root_Causes", "Action_Plan", "Monitoring",
         "Guide", "Quick_Screen", "Meeting_View"]
NOT_FOR_PEOPLE = re.compile(r".{0,40}\b(?:None|nan|NaN|NaT)\b.{0,40}")
SLIDE = {"width": 1280, "height": 720}


@pytest.fixture
def carried_through(server, page, ready, tmp_path):
    """The sample district (as "Create a project from the sample district" makes it) with a team's work in every
    step, opened on Home from its project file; returns the project id."""
    from successgaps.process import sample
    from successgaps.store import Store
    from tests.process_fixture import fill

    laptop = Store(tmp_path / "laptop")
    created = sample.create_project(laptop)
    project = fill(laptop.load(created.id))
    laptop.save(project)
    path = tmp_path / "sample.sgproj"
    path.write_bytes(laptop.export_project(project.id))
    laptop.close()
    page.goto(server)
    ready(page)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text(f"Opened “{project.name}”").wait_for()
    ready(page)
    return page.url.split("project=")[1].split("&")[0]


def _settle(page, ready):
    ready(page)
    page.wait_for_timeout(800)  # charts and data grids draw after the run ends


def test_every_page_is_axe_clean_and_never_says_none(server, page, ready, carried_through):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.set_viewport_size(SLIDE)
    problems = []
    for mode in ("", "&present=1"):
        for name in PAGES:
            page.goto(f"{server}/{name}?project={carried_through}{mode}")
            _settle(page, ready)
            where = f"{name or 'Home'}{' (presenting)' if mode else ''}"
            results = axe.run(page)
            for v in results.response["violations"]:
                if v["impact"] in ("serious", "critical") or v["id"] == "heading-order":
                    problems.append(f"{where}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}")
            text = page.evaluate("() => document.body.innerText")
            problems += [f"{where}: “{m.strip()}”" for m in NOT_FOR_PEOPLE.findall(text)]
    assert problems == []


def _fits(page) -> list[str]:
    """What does not fit a 1280×720 slide: the page scrolls, a button or heading cuts its text, or what follows the
    title covers its last line."""
    return page.evaluate("""() => {
        const out = [];
        const main = document.querySelector('[data-testid=stMain]');
        if (main && main.scrollHeight > window.innerHeight + 2) out.push('scrolls: ' + main.scrollHeight + 'px');
        for (const el of document.querySelectorAll('[data-testid=stMain] button, [data-testid=stMain] h1, [data-testid=stMain] h2')) {
            if (el.scrollWidth > el.clientWidth + 1) out.push('cut: ' + el.innerText.slice(0, 40));
        }
        const title = document.querySelector('[data-testid=stMain] h1');
        const next = title && title.closest('[data-testid=stElementContainer]').nextElementSibling;
        if (next && title.getBoundingClientRect().bottom - next.getBoundingClientRect().top > 3)
            out.push('under the title: ' + next.innerText.slice(0, 40));
        return out;
    }""")


@pytest.mark.parametrize("step, slide", [("Identify_Gaps", "a gap"), ("Rubric", "an indicator"),
                                         ("Action_Plan", "a goal"), ("Meeting_View", "a meeting")])
def test_a_slide_fits_a_shared_1280x720_screen(server, page, ready, carried_through, tmp_path, step, slide):
    page.set_viewport_size(SLIDE)
    page.goto(f"{server}/{step}?project={carried_through}&present=1")
    _settle(page, ready)
    if step == "Meeting_View":  # the agenda: the longest slide of a meeting
        while "Agenda" not in page.locator(".st-key-sg_deck_bar").inner_text():
            page.keyboard.press("ArrowRight")
            _settle(page, ready)
    folder = Path(os.environ.get("SUCCESSGAPS_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"slide-{step}.png"))
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    assert _fits(page) == [], f"{slide} does not fit"


def test_every_slide_of_the_data_fits_a_shared_screen(server, page, ready, carried_through):
    """The Data page presented is a deck (the data, how it is read, its codes, its quality), every slide whole on a
    1280×720 screen, axe-clean; past the last one the arrow key goes on to Identify gaps."""
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size(SLIDE)
    page.goto(f"{server}/Data?project={carried_through}&present=1")
    _settle(page, ready)
    bar = page.locator(".st-key-sg_deck_bar")
    count = int(re.search(r"1 of (\d+)", bar.inner_text()).group(1))
    problems = []
    for k in range(count):
        assert f"{k + 1} of {count}" in bar.inner_text()
        title = page.locator("[data-testid=stMain] h2").first.inner_text()
        problems += [f"{title}: {p}" for p in _fits(page)]
        problems += [f"{title}: {v['id']}" for v in Axe().run(page).response["violations"]
                     if v["impact"] in ("serious", "critical")]
        page.keyboard.press("ArrowRight")
        _settle(page, ready)
    assert count >= 5 and problems == []
    page.get_by_role("heading", name="Step 3 · Identify gaps").wait_for()


def test_the_arrow_keys_move_and_a_reload_keeps_the_slide(server, page, ready, carried_through):
    page.set_viewport_size(SLIDE)
    page.goto(f"{server}/Identify_Gaps?project={carried_through}&present=1")
    _settle(page, ready)
    bar = page.locator(".st-key-sg_deck_bar")
    assert bar.inner_text().count("1 of ") == 1
    page.keyboard.press("ArrowRight")
    _settle(page, ready)
    assert "2 of " in bar.inner_text()
    assert "slide=2" in page.url and "present=1" in page.url
    page.reload()
    _settle(page, ready)
    assert "2 of " in page.locator(".st-key-sg_deck_bar").inner_text()  # still presenting, same slide
    page.keyboard.press("ArrowLeft")
    _settle(page, ready)
    page.keyboard.press("ArrowLeft")  # before the first gap: the previous step, still presenting
    _settle(page, ready)
    page.get_by_role("heading", name="Step 2 · Data").wait_for()
    assert "present=1" in page.url
