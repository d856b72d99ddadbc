"""Issue #24 in a real browser: a team server with two teams, a member, a viewer and a facilitator, each trying
to reach what they should not. The accounts are made as the deployer and a facilitator would."""

import csv
import io

import pytest

from successgaps.access import accounts, config
from successgaps.models import Member
from successgaps.process import sample
from successgaps.store import Store

PASSWORD = "a long pass phrase"
DEPLOY = config.Deployment(mode="team")


@pytest.fixture(scope="module")
def team_server(tmp_path_factory, launch):
    """(URL, ids): "Riverbend" (facilitator fay, member ana, viewer vic; the sample district's student file) and
    "Other team" (facilitator eve); floors of 20 students and 5 per cell."""
    workspace = tmp_path_factory.mktemp("team-workspace")
    store = Store(workspace)
    riverbend = sample.create_project(store, "Riverbend")
    riverbend.members = [Member(name="Fay Facil", email="fay@district.org"),
                         Member(name="Ana Member", email="ana@district.org"),
                         Member(name="Vic Viewer", email="vic@district.org")]
    store.save(riverbend)
    other = store.create("Other team")
    for email, project, role in (("fay@district.org", riverbend, "facilitator"), ("ana@district.org", riverbend, "member"),
                                 ("vic@district.org", riverbend, "viewer"), ("eve@district.org", other, "facilitator")):
        accounts.create_account(store, email, can_create=role == "facilitator")
        accounts.set_password(store, email, PASSWORD)
        accounts.grant(store, project.id, email, role)
    accounts.create_account(store, "lou@district.org")
    accounts.set_password(store, "lou@district.org", PASSWORD)
    store.close()
    url, stop = launch(workspace, SUCCESSGAPS_MODE="team", SUCCESSGAPS_MIN_N_FLOOR="20",
                             SUCCESSGAPS_MIN_CELL_FLOOR="5")
    yield url, {"riverbend": riverbend.id, "other": other.id}
    stop()


def sign_in(page, ready, url: str, email: str, password: str = PASSWORD, *, ok: bool = True) -> None:
    """Sign in on the sign-in page; wait until signed in (`ok`) or until the page says why not."""
    page.goto(url)
    ready(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if ok:
        page.get_by_role("button", name="Sign out").wait_for()
        page.wait_for_function("document.cookie.includes('sg_session=')")  # kept for the next page load
    else:
        page.locator("[data-testid=stAlert]").first.wait_for()
    ready(page)


def test_a_member_lands_on_my_homework_and_cannot_open_another_teams_project_by_its_address(page, ready, team_server):
    url, ids = team_server
    sign_in(page, ready, url, "ana@district.org")
    page.get_by_role("heading", name="My homework").wait_for()
    page.get_by_text("Rate the rubric on your own").wait_for()
    ready(page)
    body = page.inner_text("body")
    assert "Ana Member" in body and "Riverbend" in body and "Your votes" in body
    for address in (f"{url}/?project={ids['other']}", f"{url}/Rubric?project={ids['other']}",
                    f"{url}/Data?project={ids['other']}"):
        page.goto(address)  # a new page load: still signed in (the session cookie)
        ready(page)
        body = page.inner_text("body")
        assert "Signed in as" in body and "Other team" not in body, address
    page.goto(f"{url}/?project={ids['other']}")
    ready(page)
    assert "That project is not one of yours" in page.inner_text("body")


def test_a_member_cannot_download_the_project_file_nor_lower_the_minimum_sizes(page, ready, team_server):
    url, ids = team_server
    sign_in(page, ready, url, "ana@district.org")
    page.goto(f"{url}/?project={ids['riverbend']}")
    ready(page)
    assert "Where we stand" in page.inner_text("body")
    assert page.get_by_role("button", name="Download project file").count() == 0
    assert page.get_by_role("button", name="Delete project…").count() == 0
    page.goto(f"{url}/Identify_Gaps?project={ids['riverbend']}")
    ready(page)
    page.get_by_text("Comparison, minimum sizes and thresholds").click()
    box = page.get_by_label("Minimum students in a group (n-size)")
    box.fill("5")
    box.press("Enter")
    page.get_by_text("As a member of this team you can change your own ratings").first.wait_for()
    page.reload()
    ready(page)
    page.get_by_text("Comparison, minimum sizes and thresholds").click()
    assert page.get_by_label("Minimum students in a group (n-size)").input_value() == "30"


def test_a_facilitator_cannot_go_below_the_servers_floors_and_the_audit_log_records_each_action(page, ready, team_server,
                                                                                              tmp_path):
    url, ids = team_server
    sign_in(page, ready, url, "fay@district.org")
    assert "Start a project" in page.inner_text("body")  # a facilitator stays on Home
    page.goto(f"{url}/Identify_Gaps?project={ids['riverbend']}")
    ready(page)
    page.get_by_text("Comparison, minimum sizes and thresholds").click()
    box = page.get_by_label("Minimum students in a group (n-size)")
    box.fill("10")
    box.press("Enter")
    page.get_by_text("choose a minimum group size of 20 or more").first.wait_for()
    ready(page)
    box = page.get_by_label("Minimum students in a group (n-size)")
    box.fill("40")
    box.press("Enter")
    page.get_by_text("Settings saved").first.wait_for()
    page.goto(f"{url}/?project={ids['riverbend']}")
    ready(page)
    with page.expect_download() as got:
        page.get_by_role("button", name="Download project file").click()
    assert got.value.suggested_filename == "Riverbend.sgproj"
    small = tmp_path / "small.csv"
    small.write_text("student_id,school,year,ell,graduated\n" + "".join(
        f"S{i},Lincoln,2024-25,{'Y' if i % 3 else 'N'},{i % 2}\n" for i in range(60)))
    page.goto(f"{url}/Data?project={ids['riverbend']}")
    ready(page)
    page.get_by_text("Add next year's file, replace or delete a file, or start another data set").click()
    page.get_by_text("Start a new data set").click()
    ready(page)
    page.locator("input[type=file]").set_input_files(str(small))
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some(b => b.innerText.includes('Load file') && !b.disabled)")
    page.get_by_role("button", name="Load file").click()
    page.get_by_text("Loaded small.csv").first.wait_for()
    page.goto(f"{url}/Team_Access?project={ids['riverbend']}")
    ready(page)
    with page.expect_download() as got:
        page.get_by_role("button", name="Download the audit log (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(got.value.path(), encoding="utf-8-sig").read())))
    seen = {(r["Who"], r["What"]) for r in rows}
    assert ("fay@district.org", "sign-in") in seen
    assert ("fay@district.org", "export") in seen
    assert any(r["What"] == "settings" and "30 → 40" in r["Detail"] for r in rows)
    assert not any("→ 10" in r["Detail"] for r in rows)  # the refused 10 was never saved
    assert any(r["What"] == "upload" and "small.csv (60 rows)" in r["Detail"] for r in rows)
    assert all(r["Who"] != "eve@district.org" for r in rows)  # the other team's people are not in this log


def test_a_viewer_sees_no_student_level_table_and_no_project_file(page, ready, team_server):
    url, ids = team_server
    sign_in(page, ready, url, "vic@district.org")
    page.goto(f"{url}/Data?project={ids['riverbend']}")
    ready(page)
    body = page.inner_text("body")
    assert "Your role on this team is to read its summaries" in body
    assert page.locator("[data-testid=stDataFrame], [data-testid=stTable], table").count() == 0
    assert "Sample district students" not in body
    page.goto(f"{url}/?project={ids['riverbend']}")
    ready(page)
    assert "Where we stand" in page.inner_text("body")
    assert page.get_by_role("button", name="Download project file").count() == 0


def test_five_wrong_passwords_lock_the_account_for_a_while(page, ready, team_server):
    url, _ = team_server
    for attempt in range(5):
        sign_in(page, ready, url, "lou@district.org", "wrong password!", ok=False)
    assert "locked for 15 more minutes" in page.inner_text("body")
    sign_in(page, ready, url, "lou@district.org", ok=False)  # the right password, too late
    body = page.inner_text("body")
    assert "locked" in body and "Signed in as" not in body


def test_signing_out_ends_the_session_in_this_browser(page, ready, team_server):
    url, ids = team_server
    sign_in(page, ready, url, "fay@district.org")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    page.goto(f"{url}/?project={ids['riverbend']}")
    ready(page)
    body = page.inner_text("body")
    assert "Sign in to Success Gaps" in body and "Riverbend" not in body


def test_the_sign_in_my_homework_and_team_access_pages_are_axe_clean(page, ready, team_server):
    from axe_playwright_python.sync_playwright import Axe

    url, ids = team_server
    page.set_viewport_size({"width": 1280, "height": 720})
    problems = []

    def check(where: str) -> None:
        ready(page)
        page.wait_for_timeout(800)
        for v in Axe().run(page).response["violations"]:
            if v["impact"] in ("serious", "critical") or v["id"] == "heading-order":
                problems.append(f"{where}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}")

    page.goto(url)
    check("sign-in")
    sign_in(page, ready, url, "ana@district.org")
    page.goto(f"{url}/My_Homework?project={ids['riverbend']}")
    page.get_by_text("Rate the rubric on your own").wait_for()
    check("My homework")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    sign_in(page, ready, url, "fay@district.org")
    page.goto(f"{url}/Team_Access?project={ids['riverbend']}")
    page.get_by_text("Who has access").wait_for()
    check("Team access")
    assert not problems, "\n".join(problems)
