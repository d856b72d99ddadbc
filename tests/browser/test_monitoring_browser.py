"""A facilitator brings a project file to the meeting, schedules the reviews and records one."""

import datetime as dt

from successgaps.models import ActionStep, Goal, Member, Project


def test_recording_a_review(page, ready, upload_project, open_step, tmp_path):
    project = Project(name="Review drill")
    project.members = [Member(id="ana", name="Ana López", category="leader", agreed=True)]
    project.goals = [Goal(id="g1", text="Close the EL graduation gap",
                          target_date=dt.date.today() + dt.timedelta(days=400))]
    project.steps = [ActionStep(id="s1", goal_id="g1", text="Mentors for EL seniors", owner_id="ana",
                                start=dt.date.today(), due=dt.date.today() + dt.timedelta(days=90))]
    open_step(page, "Monitoring", upload_project(project))
    page.get_by_role("button", name="Generate the schedule from the plan's dates").click()
    page.get_by_text("Scheduled").first.wait_for()
    ready(page)
    attendees = page.get_by_role("combobox", name="Who attended")
    attendees.click()
    attendees.fill("Ana")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    ready(page)
    page.get_by_role("button", name="Record this review as held").click()
    page.get_by_text("Review recorded").wait_for()
    ready(page)
    assert page.get_by_text("No overdue steps").count() == 1
    page.screenshot(path=str(tmp_path / "monitoring.png"), full_page=True)
