"""Home: a facilitator opens the app, creates a project, and sees where the team stands."""

import pytest

from successgaps.models import Member


@pytest.fixture
def run_home(open_page):
    return lambda **query: open_page("Home.py", **query)


def test_creating_a_project_opens_it_with_every_step_not_started(run_home, store):
    at = run_home()
    assert not at.exception
    at.text_input(key="home_new_name").input("Central High graduation").run()
    at.button[0].click().run()
    assert not at.exception
    assert [p.name for p in store.list()] == ["Central High graduation"]
    assert at.header[0].value == "Central High graduation"
    statuses = [m.value for m in at.markdown if m.value.startswith("**") and m.value.endswith("**")]
    assert statuses.count("**Not started**") == 7
    assert "Next:" in at.success[-1].value and "step 1" in at.success[-1].value


def test_a_blank_name_gets_a_sentence_not_a_project(run_home, store):
    at = run_home()
    at.button[0].click().run()
    assert not at.exception
    assert "Give the project a name" in at.error[0].value
    assert store.list() == []


def test_a_refresh_reopens_the_project_named_in_the_address(run_home, store):
    project = store.create("Westview")
    project.members.append(Member(name="Ana", category="leader", agreed=True))
    store.save(project)
    at = run_home(project=project.id)
    assert not at.exception
    assert at.header[0].value == "Westview"
    statuses = [m.value for m in at.markdown if m.value in {"**Not started**", "**In progress**", "**Done**"}]
    assert statuses[0] == "**In progress**"


def test_rename_and_delete(run_home, store):
    project = store.create("Draft")
    at = run_home(project=project.id)
    at.text_input(key="home_rename").input("Final name").run()
    assert store.load(project.id).name == "Final name"
    next(b for b in at.button if b.label == "Delete for good").click().run()
    assert not at.exception
    assert store.list() == []
    assert "Deleted" in at.info[0].value


def test_the_workspace_location_is_shown(run_home, store, workspace):
    at = run_home()
    assert any(str(workspace.resolve()) in c.value for c in at.caption)
