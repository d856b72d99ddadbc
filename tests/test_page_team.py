"""Step 1 page: a facilitator builds the team, plans the meetings, edits an agenda and collects evaluations;
every change is in the store at once, and bad input gets one sentence with nothing lost."""

import datetime as dt

import pytest

from successgaps.models import GapStatement
from successgaps.process import meetings, team

PAGE = "pages/1_Team_and_Meetings.py"


@pytest.fixture
def project(store):
    p = store.create("Central High")
    p.statements.append(GapStatement(text="Only 61% of English learners graduate in four years.", focus=True))
    return store.save(p)


@pytest.fixture
def run(open_page, project):
    return lambda: open_page(PAGE, project=project.id)


def _button(at, label):
    return next(b for b in at.button if b.label.startswith(label))


def _add(at, name, category, email="", agreed=True):
    at.text_input(key="team_new_name").input(name)
    at.selectbox(key="team_new_category").select(category)
    at.text_input(key="team_new_email").input(email)
    at.checkbox(key="team_new_agreed").check() if agreed else at.checkbox(key="team_new_agreed").uncheck()
    return _button(at, "Add to the team").click().run()


def test_adding_a_family_member_and_a_leader_clears_the_coverage_warnings(run, store, project):
    at = run()
    assert not at.exception
    assert [w.value.split(" is on the team")[0] for w in at.warning] == [
        "No family member or student from the group experiencing the gap", "No leader with authority to make change"]

    _add(at, "Ana Díaz", "family", "ana@example.org")
    assert not at.exception
    assert [m.name for m in store.load(project.id).members] == ["Ana Díaz"]
    assert len(at.warning) == 1 and "leader" in at.warning[0].value
    assert at.text_input(key="team_new_name").value == ""  # ready for the next member

    _add(at, "Ben Okafor", "leader")
    assert not at.warning
    coverage = at.table[0].value.set_index("Who")["Status"]
    assert coverage[team.category_label("family")] == "at the table"
    assert coverage[team.category_label("community")] == "missing"


def test_a_bad_email_or_a_duplicate_gets_one_sentence_and_the_typing_is_kept(run, store, project):
    at = run()
    _add(at, "Ana", "family", "ana.example.org")
    assert "is not an email address" in at.error[0].value
    assert at.text_input(key="team_new_name").value == "Ana"  # nothing typed is lost
    assert store.load(project.id).members == []

    at.text_input(key="team_new_email").input("ana@example.org")
    _button(at, "Add to the team").click().run()
    _add(at, "ana", "general_education")
    assert not at.exception
    assert "already on the team" in at.error[0].value
    assert [m.name for m in store.load(project.id).members] == ["Ana"]


def test_the_invitation_names_the_focus_gap_and_is_shown_once(run, store, project):
    p = store.load(project.id)
    team.add_member(p, "Ana", category="family", email="ana@example.org")
    store.save(p)
    at = run()
    letter = at.text_area[0].value
    assert "Only 61% of English learners graduate in four years." in letter
    assert not at.code  # issue #21: the letter once, in its edit box, not again as a monospaced copy
    assert not [m for m in at.markdown if "Only 61% of English learners" in m.value]

    at.text_area[0].input("Dear Ana, come and help us. Lee").run()
    assert store.load(project.id).members[0].invitation == "Dear Ana, come and help us. Lee"
    assert at.text_area[0].value == "Dear Ana, come and help us. Lee"


def test_a_half_day_plan_has_fewer_meetings_and_agendas_with_norms_and_homework(run, store, project):
    at = run()
    at.selectbox(key="team_plan_length").select(240)
    at.date_input(key="team_plan_first").set_value(dt.date.today() + dt.timedelta(days=7))
    _button(at, "Make the meeting plan").click().run()
    assert not at.exception
    saved = store.load(project.id)
    assert [m.kind for m in meetings.working_meetings(saved)] == ["getting_started", "rubric", "root_causes"]
    assert sorted(a for m in saved.meetings for a in m.rubric_areas) == sorted(a for a, _ in meetings.rubric_areas())
    plan = next(d.value for d in at.dataframe if "Rubric areas" in d.value.columns)
    assert list(plan["Meeting"]) == [str(m.number) for m in saved.meetings]

    at.selectbox(key="team_meeting").select(saved.meetings[1].id).run()
    agenda = next(md.value for md in at.markdown if md.value.startswith("# Meeting 2"))
    assert "## Our norms" in agenda and "Value every voice." in agenda
    assert "## Homework due today" in agenda and "white paper" in agenda
    assert "Facilitator notes" in agenda

    # issue #21: the editor sits beside its rendered preview, behind "Edit the timed agenda"
    box = next(e for e in at.expander if e.label == "Edit the timed agenda")
    [timed] = box.text_area
    preview = [md.value for md in box.markdown if md.value == timed.value]
    assert preview and "**" in preview[0]  # the Markdown, drawn by st.markdown (rendered, not raw)
    timed.input("**08:30** Our own opening\n\n**09:00** Rubric work").run()
    assert store.load(project.id).meetings[1].facilitator_agenda.startswith("**08:30** Our own opening")
    box = next(e for e in at.expander if e.label == "Edit the timed agenda")
    assert "**08:30** Our own opening\n\n**09:00** Rubric work" in [md.value for md in box.markdown]
    agenda = next(md.value for md in at.markdown if md.value.startswith("# Meeting 2"))
    assert "Our own opening" in agenda and "Value every voice." in agenda


def test_a_new_meeting_in_the_past_is_refused_with_a_sentence(run, store, project):
    p = store.load(project.id)
    meetings.make_plan(p, 120, dt.date.today())
    p.meetings[0].date = dt.date.today() - dt.timedelta(days=30)  # a meeting already held
    store.save(p)
    at = run()
    assert not at.exception
    at.date_input(key="team_add_date").set_value(dt.date.today() - dt.timedelta(days=3))
    _button(at, "Add the meeting").click().run()
    assert not at.exception
    assert "in the past" in at.error[0].value
    assert len(store.load(project.id).meetings) == len(p.meetings)


def test_attendance_notes_and_an_evaluation_are_saved_and_summarised(run, store, project):
    p = store.load(project.id)
    ana = team.add_member(p, "Ana", category="family", agreed=True)
    meetings.make_plan(p, 120, dt.date.today())
    store.save(p)
    at = run()
    first = p.meetings[0].id
    next(t for t in at.text_area if t.label == "Decisions").input("We focus on English learners.").run()
    next(m for m in at.multiselect if m.label == "Who attended").select(ana.id).run()
    saved = store.load(project.id).meetings[0]
    assert saved.decisions == "We focus on English learners." and saved.attendance == [ana.id]

    for q in meetings.QUESTIONS:
        at.radio(key=f"team_ev_{q}").set_value(4 if q != "time_well_used" else 2)
    at.text_area(key="team_ev_comment").input("Good data, too rushed.")
    _button(at, "Send my evaluation").click().run()
    assert not at.exception
    evaluations = store.load(project.id).meetings[0].evaluations
    assert [e.scores["time_well_used"] for e in evaluations] == [2]
    summary = next(d.value for d in at.dataframe if "Statement" in d.value.columns).set_index("Statement")
    assert summary.loc["Time was well used.", "Agree (%)"] == "0"
    assert any(md.value == "> Good data, too rushed." for md in at.markdown)
    assert first == store.load(project.id).meetings[0].id


def test_an_incomplete_evaluation_keeps_the_answers_and_asks_for_the_rest(run, store, project):
    p = store.load(project.id)
    meetings.make_plan(p, 120, dt.date.today())
    store.save(p)
    at = run()
    at.radio(key="team_ev_objectives_clear").set_value(3)
    _button(at, "Send my evaluation").click().run()
    assert "Answer all four statements" in at.error[0].value
    assert at.radio(key="team_ev_objectives_clear").value == 3
    assert store.load(project.id).meetings[0].evaluations == []


def test_norms_are_edited_and_extended(run, store, project):
    at = run()
    norms = next(t for t in at.text_area if t.label.startswith("One norm per line"))
    norms.input(norms.value + "\nPhones face down.").run()
    assert store.load(project.id).norms[-1] == "Phones face down."
    assert "Value every voice." in store.load(project.id).norms


def test_presentation_mode_shows_the_work_without_editing_controls(open_page, store, project):
    p = store.load(project.id)
    team.add_member(p, "Ana", category="family", agreed=True)
    meetings.make_plan(p, 120, dt.date.today())
    store.save(p)
    at = open_page(PAGE, project=project.id)
    at.session_state["sg_presenting"] = True
    at.run()
    assert not at.exception
    assert not at.text_area and not any(b.label == "Add to the team" for b in at.button)
    assert [h.value for h in at.header] == ["Who is missing"]  # one slide at a time: the warnings first
    assert any("No leader with authority" in w.value for w in at.warning)
    next(b for b in at.button if b.label == "Next →").click().run()
    assert [h.value for h in at.header] == ["Who is at the table"] and not at.warning  # then the table of roles
    next(b for b in at.button if b.label == "Next →").click().run()
    next(b for b in at.button if b.label == "Next →").click().run()
    assert [h.value for h in at.header] == ["Our meetings (1 of 2)"]  # nine meetings: seven at most a slide
    plan = at.table[0].value
    assert list(plan["Title"])[0] == "Getting started" and set(plan["Where"]) == {"—"}
    next(b for b in at.button if b.label == "Next →").click().run()
    assert [h.value for h in at.header] == ["Our meetings (2 of 2)"]
    assert len(plan) + len(at.table[0].value) == len(store.load(project.id).meetings)


def test_the_meeting_view_walks_the_agenda_slide_by_slide(open_page, store, project):
    p = store.load(project.id)
    team.add_member(p, "Ana", category="family", agreed=True)
    meetings.make_plan(p, 120, dt.date.today())
    store.save(p)
    at = open_page("pages/10_Meeting_View.py", project=project.id)
    at.session_state["sg_presenting"] = True
    at.run()
    assert not at.exception
    assert at.header[0].value == "Meeting 1 · Getting started"  # the next meeting by date
    seen = []
    while True:
        seen.append(at.header[0].value)
        forward = next(b for b in at.button if b.label == "Next →")
        if at.markdown and any(m.value.startswith(f"**{len(seen)} of {len(seen)}**") for m in at.markdown):
            break
        forward.click().run()
        assert not at.exception
    assert seen[:4] == ["Meeting 1 · Getting started", "Our norms", "Today's objectives", "Agenda"]
    assert seen[-1] == "Homework"
