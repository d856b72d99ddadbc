"""A facilitator writes the team's first goal, adds one action step with an owner and dates, and sees it
on the timeline."""

import datetime as dt

from successgaps.models import Member, Priority, Project


def test_a_goal_with_one_step_appears_on_the_timeline(page, ready, upload_project, open_step, tmp_path):
    project = Project(name="Plan drill")
    project.members = [Member(id="ana", name="Ana López", category="leader", agreed=True)]
    project.priorities = [Priority(title="Credit recovery", root_cause="Advisers do not offer credit recovery to "
                                                                       "English learners.", actionable=True)]
    open_step(page, "Action_Plan", upload_project(project))
    page.get_by_label("The goal (you can refine it after adding)").fill("Raise the graduation rate of English learners")
    page.get_by_role("button", name="Add goal").click()
    page.get_by_text("Goal 1", exact=True).wait_for()
    ready(page)

    page.get_by_label("New step: what will be done").fill("Train advisers on credit recovery")
    page.get_by_label("New step: what will be done").press("Tab")
    ready(page)
    page.get_by_role("combobox", name="Owner").click()
    page.get_by_role("option", name="Ana López").click()
    ready(page)
    start, due = dt.date.today(), dt.date.today() + dt.timedelta(days=60)
    for label, day in (("Start", start), ("Due", due)):
        segments = page.get_by_role("group", name=label, exact=True).get_by_role("spinbutton")
        segments.first.click()
        page.keyboard.type(day.strftime("%Y%m%d"))  # year, month, day segments advance as they fill
        page.keyboard.press("Tab")
        ready(page)
    page.get_by_role("button", name="Add step").click()
    page.get_by_role("heading", name="Timeline").wait_for()
    ready(page)

    chart = page.locator(".js-plotly-plot").first
    chart.wait_for()
    assert "Train advisers on credit recovery" in chart.inner_text()
    assert "Ana López" in chart.inner_text()
    assert "Today" in chart.inner_text()
    chart.screenshot(path=str(tmp_path / "timeline.png"))
    page.get_by_text("Action steps", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "steps.png"))
