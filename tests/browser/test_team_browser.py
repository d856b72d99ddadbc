"""A facilitator, in a real browser, adds the first family member and sees the coverage check change;
a refresh loses nothing."""

FAMILY_WARNING = "No family member or student from the group experiencing the gap is on the team yet"
LEADER_WARNING = "No leader with authority to make change is on the team yet"


def test_adding_a_family_member_changes_the_coverage_check(page, ready, new_project, open_step, tmp_path):
    open_step(page, "Team_and_Meetings", new_project("Westview Middle"))
    page.get_by_text(FAMILY_WARNING).wait_for()
    page.get_by_text(LEADER_WARNING).wait_for()

    form = page.get_by_test_id("stForm").filter(has_text="Add a member")
    form.get_by_label("Name").fill("Rosa Méndez")
    form.get_by_label("Role or title").fill("Parent of a sixth grader")
    category = form.get_by_role("combobox", name="Stakeholder category")
    category.click()
    category.fill("Family member")
    page.keyboard.press("Enter")
    form.get_by_text("Has agreed to join").click()
    form.get_by_role("button", name="Add to the team").click()
    page.get_by_text("Rosa Méndez is on the roster").wait_for()
    ready(page)

    assert page.get_by_text(FAMILY_WARNING).count() == 0
    assert page.get_by_text(LEADER_WARNING).count() == 1
    assert "Family member" not in page.locator("p", has_text="Still missing:").inner_text()
    page.screenshot(path=str(tmp_path / "team.png"), full_page=True)

    page.reload()
    ready(page)
    page.get_by_text(LEADER_WARNING).wait_for()
    assert page.get_by_text(FAMILY_WARNING).count() == 0
    missing = page.locator("p", has_text="Still missing:").inner_text()
    assert "Leader with authority" in missing and "Family member" not in missing
