"""A facilitator brings a project file to the meeting, schedules the reviews and records one."""

import datetime as dt

from successgaps.models import ActionStep, Goal, Member, Project
from successgaps.store import Store


def _project_file(tmp_path) -> bytes:
    store = Store(tmp_path / "laptop")
    p = store.create("Review drill", Project(name="Review drill"))
    p.members = [Member(id="ana", name="Ana López", category="leader", agreed=True)]
    p.goals = [Goal(id="g1", text="Close the EL graduation gap", target_date=dt.date.today() + dt.timedelta(days=400))]
    p.steps = [ActionStep(id="s1", goal_id="g1", text="Mentors for EL seniors", owner_id="ana",
                          start=dt.date.today(), due=dt.date.today() + dt.timedelta(days=90))]
    store.save(p)
    data = store.export_project(p.id)
    store.close()
    return data


def test_recording_a_review(server, page, ready, tmp_path):
    path = tmp_path / "review drill.sgproj"
    path.write_bytes(_project_file(tmp_path))
    page.goto(server)
    ready(page)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text("Opened “Review drill”").wait_for()
    ready(page)

    page.goto(page.url.replace(server + "/", server + "/Monitoring"))
    ready(page)
    page.get_by_role("button", name="Generate the schedule from the plan's dates").click()
    page.get_by_text("Scheduled").first.wait_for()
    ready(page)
    page.get_by_role("combobox", name="Who attended").click()
    page.get_by_text("Ana López", exact=True).click()
    page.keyboard.press("Escape")
    ready(page)
    page.get_by_role("button", name="Record this review as held").click()
    page.get_by_text("Review recorded").wait_for()
    ready(page)
    page.screenshot(path=str(tmp_path / "monitoring.png"), full_page=True)
