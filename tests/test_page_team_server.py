"""Issue #24, pages run with AppTest on a team server: the sign-in page, landing on My homework, the gate."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from successgaps.access import accounts, audit, config
from successgaps.models import ActionStep, Member, Project
from successgaps.ui import gate

ROOT = Path(__file__).resolve().parent.parent
TEAM = config.Deployment(mode="team")


@pytest.fixture
def team(monkeypatch, store):
    """A team server's workspace: Ana is a member of "Central", Eve the facilitator of "Other team"."""
    monkeypatch.setenv("SUCCESSGAPS_MODE", "team")
    gate._deployment.clear()
    ana = Member(name="Ana Ortiz", email="ana@district.org")
    central = store.create("Central", Project(name="Central", members=[ana],
                                              steps=[ActionStep(text="Walk the classrooms", owner_id=ana.id)]))
    other = store.create("Other team")
    for email, project, role in (("ana@district.org", central, "member"), ("eve@district.org", other, "facilitator")):
        accounts.create_account(store, email)
        accounts.set_password(store, email, "a long pass phrase")
        accounts.grant(store, project.id, email, role)
    yield {"central": central, "other": other}
    gate._deployment.clear()


def _sign_in(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input(key="sg_signin_email").input(email)
    at.text_input(key="sg_signin_password").input(password)
    at.button[0].click()  # the form's Sign in
    return at.run()


def _text(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.markdown, *at.title, *at.header, *at.info, *at.error, *at.caption,
                                           *at.success])


def test_every_page_asks_to_sign_in_first_and_shows_nothing_else(team):
    for path in ("Home.py", "pages/3_Identify_Gaps.py"):
        at = AppTest.from_file(str(ROOT / path), default_timeout=60)
        at.query_params["project"] = team["central"].id
        at.run()
        assert not at.exception
        assert [t.value for t in at.title] == ["Sign in to Success Gaps"]
        assert "Central" not in _text(at) and "Other team" not in _text(at)


def test_a_wrong_password_gets_one_sentence_and_a_member_lands_on_my_homework(team):
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60).run()
    _sign_in(at, "ana@district.org", "not the password")
    assert [e.value for e in at.error] == [accounts.WRONG]
    _sign_in(at, "ana@district.org", "a long pass phrase")
    assert not at.exception
    assert [t.value for t in at.title] == ["My homework"]
    text = _text(at)
    assert "Ana Ortiz" in text and "Walk the classrooms" in text and "Your action steps" in text
    assert "Signed in as ana@district.org" in text


def test_a_member_never_sees_another_teams_project_by_its_address(team, store):
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.session_state["sg_session_token"] = accounts.sign_in(store, "ana@district.org", "a long pass phrase", TEAM)
    at.query_params["project"] = team["other"].id  # Eve's project, typed into the address
    at.run()
    assert not at.exception
    assert "That project is not one of yours" in _text(at)
    assert "Other team" not in _text(at)
    assert [b.label for b in at.button if "Central" in b.label]  # her own project is listed
    assert not [b.label for b in at.button if "Other team" in b.label]


def test_personal_mode_has_no_sign_in_and_my_homework_asks_whose(store, monkeypatch):
    monkeypatch.delenv("SUCCESSGAPS_MODE", raising=False)
    gate._deployment.clear()
    p = store.create("Central", Project(name="Central", members=[Member(name="Ana Ortiz")]))
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.query_params["project"] = p.id
    at.run()
    at.switch_page("pages/11_My_Homework.py")
    at.run()
    assert not at.exception and [t.value for t in at.title] == ["My homework"]
    at.selectbox(key="hw_who").select(p.members[0].id).run()
    assert "Rate the rubric on your own" in _text(at) and "Ana Ortiz" in _text(at)


def test_a_one_time_link_signs_in_once_and_offers_to_set_a_password(team, store):
    accounts.create_account(store, "new@district.org", "Noa New")
    accounts.grant(store, team["central"].id, "new@district.org", "viewer")
    token = accounts.issue_link(store, "new@district.org", TEAM)
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.query_params["signin"] = token
    at.run()
    assert not at.exception and "Signed in as Noa New (new@district.org)" in _text(at)
    assert "Choose a password" in _text(at)
    at.text_input(key="sg_new_password").input("short")
    at.text_input(key="sg_new_password_again").input("short")
    next(b for b in at.button if b.label == "Set my password").click()
    at.run()
    assert any("at least 10 characters" in e.value for e in at.error)
    at.text_input(key="sg_new_password").input("a long pass phrase")
    at.text_input(key="sg_new_password_again").input("a long pass phrase")
    next(b for b in at.button if b.label == "Set my password").click()
    at.run()
    assert "Your password is set" in _text(at)
    assert accounts.sign_in(store, "new@district.org", "a long pass phrase", TEAM)
    again = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    again.query_params["signin"] = token  # the same link, a second time
    again.run()
    assert "used already or has expired" in _text(again) and "Signed in as" not in _text(again)


def test_a_member_rates_as_herself_on_the_rubric_page_but_not_as_someone_else(team, store):
    central = store.load(team["central"].id)
    central.members.append(Member(name="Ben Ruiz", email="ben@district.org"))
    store.save(central)
    ana, ben = central.members[0].id, central.members[1].id
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.session_state["sg_session_token"] = accounts.sign_in(store, "ana@district.org", "a long pass phrase", TEAM)
    at.query_params["project"] = central.id
    at.run()
    at.switch_page("pages/4_Rubric.py")
    at.run()
    assert at.selectbox(key="rub_who").value == ana  # herself, picked for her
    at.radio(key=f"rub_r_{ana}_ddm-1_level").set_value("partial").run()
    assert not at.exception
    at.selectbox(key="rub_who").select(ben).run()
    at.radio(key=f"rub_r_{ben}_ddm-1_level").set_value("exemplary").run()
    assert any("you can change your own ratings" in e.value for e in at.error)
    saved = {(r.member_id, r.level) for r in store.load(central.id).ratings}
    assert saved == {(ana, "partial")}


def test_a_facilitator_gives_access_from_the_roster_and_the_link_signs_the_member_in(team, store):
    central = store.load(team["central"].id)
    central.members.append(Member(name="Ben Ruiz", email="ben@district.org"))
    store.save(central)
    accounts.grant(store, central.id, "eve@district.org", "facilitator")
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.session_state["sg_session_token"] = accounts.sign_in(store, "eve@district.org", "a long pass phrase", TEAM)
    at.query_params["project"] = central.id
    at.run()
    at.switch_page("pages/12_Team_Access.py")
    at.run()
    assert not at.exception
    at.selectbox(key="acc_member").select(central.members[1].id)
    at.radio(key="acc_role").set_value("viewer")
    next(b for b in at.button if b.label == "Give access and make a sign-in link").click()
    at.run()
    link = at.code[0].value
    assert link.startswith("/?signin=") and accounts.role(store, central.id, "ben@district.org") == "viewer"
    ben = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    ben.query_params["signin"] = link.split("=", 1)[1]
    ben.run()
    assert "Signed in as Ben Ruiz (ben@district.org)" in _text(ben)
    log = audit.entries(store, central.id)
    assert ("eve@district.org", "access") in set(zip(log["Who"], log["What"]))
    assert ("ben@district.org", "sign-in") in set(zip(log["Who"], log["What"]))
