"""Step 7 page: a facilitator schedules reviews, records one, and revises the plan."""

import datetime as dt

import pytest

from successgaps.models import ActionStep, Goal, Member
from successgaps.process import meetings


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


def _review_meeting_plan(store, planned):
    from successgaps.process import schedule

    p = store.load(planned.id)
    meetings.make_plan(p, 120, dt.date.today() + dt.timedelta(days=7))
    store.save(p)
    first = schedule.review_meetings(p)[0]
    review = next(r for r in p.reviews if r.meeting_id == first.id)
    return first, review


def test_moving_a_review_on_page_7_moves_its_meeting_in_step_1(open_page, store, planned):
    meeting, review = _review_meeting_plan(store, planned)
    day = meeting.date + dt.timedelta(days=9)
    at = open_page("pages/7_Monitoring.py", project=planned.id)
    at.selectbox(key="mon_move_pick").select(review.id).run()
    at.date_input(key=f"mon_move_date_{review.id}_{review.date}").set_value(day).run()
    next(b for b in at.button if b.label == "Move").click().run()
    assert not at.exception
    assert "and so is its meeting in step 1's meeting plan" in at.success[0].value
    saved = store.load(planned.id)
    assert next(r for r in saved.reviews if r.id == review.id).date == day
    assert next(m for m in saved.meetings if m.id == meeting.id).date == day
    team = open_page("pages/1_Team_and_Meetings.py", project=planned.id)  # step 1 shows the moved meeting
    when = meetings.meeting_when(next(m for m in saved.meetings if m.id == meeting.id))
    assert f"{day:%-d %B %Y}" in when
    [plan] = [df.value for df in team.dataframe if "When" in df.value.columns]
    assert when in list(plan["When"])


def test_moving_a_review_meeting_in_step_1_moves_the_review_on_page_7(open_page, store, planned):
    meeting, review = _review_meeting_plan(store, planned)
    day = meeting.date + dt.timedelta(days=5)
    team = open_page("pages/1_Team_and_Meetings.py", project=planned.id)
    team.selectbox(key="team_plan_meeting").select(meeting.id).run()
    revision = store.load(planned.id).revision
    team.date_input(key=f"team_date_{meeting.id}_{revision}").set_value(day).run()
    assert not team.exception
    at = open_page("pages/7_Monitoring.py", project=planned.id)
    at.selectbox(key="mon_move_pick").select(review.id).run()
    assert at.date_input(key=f"mon_move_date_{review.id}_{day}").value == day
    assert next(r for r in store.load(planned.id).reviews if r.id == review.id).date == day


def test_a_held_review_keeps_its_date(store, planned):
    from successgaps.errors import UserError
    from successgaps.process import schedule

    _, review = _review_meeting_plan(store, planned)
    p = store.load(planned.id)
    held = next(r for r in p.reviews if r.id == review.id)
    held.held = True
    with pytest.raises(UserError, match="keeps the date it was held on"):
        schedule.move_review(p, held.id, held.date + dt.timedelta(days=1))


def test_presenting_step_7_is_a_deck_of_alerts_goals_and_the_schedule(open_page, store, planned):
    """On the shared screen, step 7 is slides, not one long page: the alerts, each goal (its sentence, then its
    figures when the data have some), the review schedule with the next review; nothing to record or edit."""
    from successgaps.process import monitoring  # noqa: PLC0415

    p = store.load(planned.id)
    monitoring.apply_schedule(p, monitoring.review_schedule(p, full_team_months=3, check_in_months=1))
    store.save(p)
    at = open_page("pages/7_Monitoring.py", project=planned.id)
    at.toggle(key="sg_presenting").set_value(True).run()
    titles, seen = [], []
    while True:
        assert not at.exception and not at.multiselect and not at.date_input
        assert not [b for b in at.button if b.label.startswith(("Record", "Generate", "Add review"))]
        titles.append(at.header[0].value)
        seen += [w.value for w in at.warning] + [m.value for m in (*at.markdown, *at.caption)]
        forward = next((b for b in at.button if b.key == "sg_deck_next" and not b.disabled), None)
        if forward is None or len(titles) > 12:
            break
        forward.click().run()
        if at.header and at.header[0].value == titles[-1]:
            break
    assert titles[:2] == ["Alerts", "Close the EL graduation gap"]
    assert titles[2].startswith("Review schedule") and len(titles) >= 3  # its reviews, seven a slide
    assert any("“Train staff” was due" in w for w in seen) and any(m.startswith("**Next review:**") for m in seen)
