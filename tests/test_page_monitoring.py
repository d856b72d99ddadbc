"""Step 7 page: a facilitator schedules reviews, records one, and revises the plan."""

import datetime as dt

import pytest

from successgaps.models import ActionStep, Goal, Member


@pytest.fixture
def planned(store):
    p = store.create("Central High")
    p.members = [Member(id="ana", name="Ana López", category="leader", agreed=True)]
    p.goals = [Goal(id="g1", text="Close the EL graduation gap", baseline=-18, baseline_year="2024-25",
                    target=-8, target_date=dt.date.today() + dt.timedelta(days=600))]
    p.steps = [ActionStep(id="s1", goal_id="g1", text="Train staff", owner_id="ana",
                          start=dt.date.today() - dt.timedelta(days=60), due=dt.date.today() - dt.timedelta(days=1))]
    return store.save(p)


def test_overdue_step_is_an_alert_and_a_review_can_be_recorded(open_page, store, planned):
    at = open_page("pages/7_Monitoring.py", project=planned.id)
    assert not at.exception
    assert "“Train staff” was due" in at.warning[0].value
    next(b for b in at.button if b.label.startswith("Generate the schedule")).click().run()
    reviews = store.load(planned.id).reviews
    assert reviews and all(not r.held for r in reviews)
    assert "Scheduled" in at.success[0].value

    at.multiselect(key=f"mon_att_{reviews[0].id}").select("ana").run()
    at.selectbox(key=f"mon_status_{reviews[0].id}_s1").select("done").run()
    next(b for b in at.button if b.label == "Record this review as held").click().run()
    assert not at.exception
    saved = store.load(planned.id)
    assert saved.steps[0].status == "done"
    assert [r.held for r in saved.reviews].count(True) == 1
    assert not at.warning  # the done step is no longer overdue


def test_a_review_needs_its_attendees(open_page, store, planned):
    at = open_page("pages/7_Monitoring.py", project=planned.id)
    next(b for b in at.button if b.label.startswith("Generate the schedule")).click().run()
    next(b for b in at.button if b.label == "Record this review as held").click().run()
    assert "who attended" in at.error[0].value
    assert not any(r.held for r in store.load(planned.id).reviews)


def test_a_plan_revision_is_logged_with_its_reason(open_page, store, planned):
    at = open_page("pages/7_Monitoring.py", project=planned.id)
    at.selectbox(key="mon_rev_field").select("text").run()
    at.text_input(key="mon_rev_value").input("Close the EL graduation gap in both high schools").run()
    at.text_input(key="mon_rev_why").input("Westview joined").run()
    next(b for b in at.button if b.label == "Apply the change").click().run()
    assert not at.exception
    saved = store.load(planned.id)
    assert saved.goals[0].text == "Close the EL graduation gap in both high schools"
    assert saved.revisions[0].why == "Westview joined"
    assert "Westview joined" in at.dataframe[-1].value.to_string()


def test_a_change_from_a_stale_second_tab_is_refused_with_a_sentence(open_page, store, planned):
    tab = open_page("pages/7_Monitoring.py", project=planned.id)
    newer = store.load(planned.id)  # meanwhile, another tab renames the goal
    newer.goals[0].text = "Typed in the other tab"
    store.save(newer)
    next(b for b in tab.button if b.label.startswith("Generate the schedule")).click().run()
    assert not tab.exception
    assert "changed in another tab" in tab.error[0].value
    saved = store.load(planned.id)
    assert saved.goals[0].text == "Typed in the other tab" and saved.reviews == []
    next(b for b in tab.button if b.label.startswith("Generate the schedule")).click().run()  # now up to date
    assert store.load(planned.id).reviews
