"""Step 1 · the meetings: the plan adapts to the meeting length; agendas, homework, norms,
evaluations and the calendar file are what a facilitator would hand to the team."""

import datetime as dt

import pytest

from successgaps.errors import UserError
from successgaps.models import GapStatement, Project
from successgaps.outputs import charts
from successgaps.process import agendas, meetings, team

MONDAY = dt.date(2031, 9, 8)  # far enough ahead never to be "in the past"


@pytest.fixture
def areas():
    """The rubric's areas as the app ships them (ids and titles, in order)."""
    return meetings.rubric_areas()


@pytest.fixture
def project():
    p = Project(name="Central High, 2031")
    p.statements.append(GapStatement(text="Only 61% of English learners graduate in four years.", focus=True))
    return p


def _work(plan):
    return [m for m in plan if m.kind != "monitoring"]


def test_the_shipped_rubric_has_the_five_areas_in_order(areas):
    titles = [title.lower() for _, title in areas]
    assert len(titles) == 5
    for title, word in zip(titles, ["data", "cultur", "core", "assessment", "intervention"]):
        assert word in title


def test_two_hour_meetings_follow_the_toolkit_sequence(areas):
    plan = meetings.plan(120, MONDAY, areas=areas)
    work = _work(plan)
    assert [m.kind for m in work] == ["getting_started", "rubric", "rubric", "rubric", "root_causes", "action_plan"]
    assert [len(m.rubric_areas) for m in work[1:4]] == [2, 2, 1]  # meetings 2-4 take the rubric area by area
    assert [m.number for m in plan] == list(range(1, 10))  # meeting 7 and on: reviews
    assert [m.kind for m in plan[6:]] == ["monitoring"] * 3
    assert all(m.length_minutes == 120 for m in work)


@pytest.mark.parametrize("length, count", [(120, 6), (180, 5), (240, 3), (420, 2)])
def test_longer_meetings_mean_fewer_meetings_and_every_rubric_area_once_in_order(areas, length, count):
    plan = meetings.plan(length, MONDAY, areas=areas)
    work = _work(plan)
    assert len(work) == count
    assert [a for m in work for a in m.rubric_areas] == [area_id for area_id, _ in areas]
    kinds = [k for m in work for k in m.activities]
    assert kinds.index("getting_started") < kinds.index("rubric") < kinds.index("root_causes") < kinds.index("action_plan")


def test_a_half_day_plan_combines_steps(areas):
    first, second, third = _work(meetings.plan(240, MONDAY, areas=areas))
    assert first.activities == ["getting_started", "rubric"] and len(first.rubric_areas) == 2
    assert second.activities == ["rubric"] and len(second.rubric_areas) == 3
    assert third.activities == ["root_causes", "action_plan"]
    assert "Getting started" in first.title and areas[0][1] in first.title


def test_meetings_are_spaced_and_reviews_follow_a_few_times_a_year(areas):
    plan = meetings.plan(120, MONDAY, every_weeks=2, reviews=2, areas=areas)
    assert [m.date for m in plan[:3]] == [MONDAY, MONDAY + dt.timedelta(weeks=2), MONDAY + dt.timedelta(weeks=4)]
    assert plan[-1].date - plan[-2].date == dt.timedelta(weeks=12)


def test_default_homework_asks_members_to_rate_next_meetings_areas_on_their_own(areas):
    plan = meetings.plan(120, MONDAY, areas=areas)
    texts = [h.text for h in plan[0].homework]
    assert any("white paper" in t for t in texts)
    assert [t for t in texts if areas[0][1] in t and "on your own" in t]
    assert all(h.due == plan[1].date for h in plan[0].homework)
    assert plan[-1].homework == []


def test_making_a_plan_with_a_first_date_in_the_past_is_refused(project):
    with pytest.raises(UserError, match="is in the past"):
        meetings.make_plan(project, 120, dt.date(2020, 1, 6), today=dt.date(2025, 1, 1))
    assert project.meetings == []


def test_a_new_plan_never_wipes_meetings_that_hold_the_teams_records(project, areas):
    meetings.make_plan(project, 120, MONDAY)
    meetings.set_record(project, project.meetings[0].id, "decisions", "We focus on English learners.")
    before = [m.id for m in project.meetings]
    with pytest.raises(UserError, match="Meeting 1 already has"):
        meetings.make_plan(project, 240, MONDAY)
    assert [m.id for m in project.meetings] == before


def test_a_new_meeting_in_the_past_gets_a_sentence(project):
    with pytest.raises(UserError, match="in the past; choose today or a later date"):
        meetings.add_meeting(project, dt.date(2024, 5, 1), today=dt.date(2025, 1, 1))
    assert project.meetings == []
    added = meetings.add_meeting(project, dt.date(2025, 1, 1), time="9:00", today=dt.date(2025, 1, 1))
    assert (added.number, added.time, added.kind) == (1, "09:00", "monitoring")


@pytest.mark.parametrize("bad, message", [({"time": "25:00"}, "not a time of day"),
                                          ({"length_minutes": 20}, "between 60 and 600")])
def test_bad_meeting_details_get_a_sentence_and_change_nothing(project, bad, message):
    meetings.make_plan(project, 120, MONDAY)
    m = project.meetings[0]
    with pytest.raises(UserError, match=message):
        meetings.update_meeting(project, m.id, **bad)
    assert (m.time, m.length_minutes) == ("15:30", 120)


def test_the_agenda_is_filled_with_date_focus_area_norms_and_homework_due(project, areas):
    meetings.make_plan(project, 120, MONDAY, time="15:30", place="Library")
    project.norms = ["Be present and listen.", "Start on time."]
    second = project.meetings[1]
    doc = agendas.agenda_document(project, second, "facilitator")
    assert doc.startswith(f"# Meeting 2 · {second.title}")
    assert "Monday 29 September 2031, 15:30–17:30" in doc and "Library" in doc
    assert "Only 61% of English learners graduate in four years." in doc
    norms_at, agenda_at = doc.index("## Our norms"), doc.index("## Agenda")
    assert norms_at < agenda_at and "- Start on time." in doc[norms_at:agenda_at]
    due = doc[doc.index("## Homework due today"):agenda_at]
    assert "white paper" in due and areas[0][1] in due  # what meeting 1 assigned
    assert f"{areas[0][1]}: small groups" in doc and f"{areas[1][1]}: whole-team consensus" in doc
    assert "Facilitator notes:" in doc and "Materials:" in doc
    assert "## Homework for meeting 3" in doc and areas[2][1] in doc[doc.index("## Homework for meeting 3"):]


def test_the_member_agenda_leaves_out_facilitator_notes(project):
    meetings.make_plan(project, 120, MONDAY)
    doc = agendas.agenda_document(project, project.meetings[0], "member")
    assert "Facilitator notes" not in doc and "Materials:" not in doc
    assert "English learners" in doc  # the focus gap reaches the "our data" block


@pytest.mark.parametrize("length", [120, 180, 240, 420])
def test_timed_blocks_fill_the_meeting_exactly_with_breaks_in_long_ones(project, length):
    meetings.make_plan(project, length, MONDAY)
    for m in project.meetings:
        blocks = agendas.agenda_blocks(project, m)
        assert blocks[0].start == 0 and blocks[-1].end == m.length_minutes
        assert all(a.end == b.start for a, b in zip(blocks, blocks[1:]))
        titles = [b.block.title for b in blocks]
        assert ("Break" in titles) == (m.length_minutes > 150)
        assert ("Lunch" in titles) == (m.length_minutes >= 330)


def test_an_edited_agenda_is_kept_while_norms_and_homework_stay_current(project):
    meetings.make_plan(project, 120, MONDAY)
    m = project.meetings[1]
    agendas.set_agenda(project, m.id, "facilitator", "**15:30** Our own plan for today")
    meetings.set_norms(project, "Be kind.\nBe brief.")
    doc = agendas.agenda_document(project, m, "facilitator")
    assert "Our own plan for today" in doc and "- Be brief." in doc and "## Homework due today" in doc
    assert agendas.agenda_text(project, m, "member") == agendas.generated_agenda(project, m, "member")
    agendas.set_agenda(project, m.id, "facilitator", "")
    assert agendas.agenda_text(project, m, "facilitator") == agendas.generated_agenda(project, m, "facilitator")


def test_norms_start_from_the_default_set_and_the_team_can_extend_them(project):
    assert meetings.norms(project) == list(meetings.DEFAULT_NORMS)
    assert "Value every voice." in meetings.norms(project)
    meetings.set_norms(project, "\n".join(meetings.DEFAULT_NORMS) + "\n\nPhones face down.\nPhones face down.")
    assert meetings.norms(project)[-1] == "Phones face down." and len(meetings.norms(project)) == 8
    with pytest.raises(UserError, match="at least one norm"):
        meetings.set_norms(project, "  \n ")
    assert len(meetings.norms(project)) == 8


def test_homework_goes_to_a_member_and_is_due_at_the_next_meeting(project):
    meetings.make_plan(project, 120, MONDAY)
    ana = team.add_member(project, "Ana")
    first, second = project.meetings[:2]
    item = meetings.add_homework(project, first.id, "Bring last year's attendance data", who=ana.id)
    assert item.due == second.date
    assert item in meetings.homework_due(project, second)
    assert "(Ana, due 29 September)" in agendas.agenda_document(project, second, "member")
    with pytest.raises(UserError, match="Write what the homework is"):
        meetings.add_homework(project, first.id, "  ")
    meetings.set_homework_done_list(project, first.id, [item.id])
    assert meetings.homework_table(project, first.homework).iloc[-1]["Done"]


def test_evaluations_are_summarised_per_statement(project):
    meetings.make_plan(project, 120, MONDAY)
    m = project.meetings[0]
    ana = team.add_member(project, "Ana")
    meetings.add_evaluation(project, m.id, {q: 4 for q in meetings.QUESTIONS}, "Great start", ana.id)
    meetings.add_evaluation(project, m.id, {q: 2 for q in meetings.QUESTIONS} | {"voice_heard": 3})
    meetings.add_evaluation(project, m.id, {q: 3 for q in meetings.QUESTIONS}, "", ana.id)  # Ana changes her mind
    summary = meetings.evaluation_summary(m).set_index("Statement")
    voice = summary.loc["My voice was heard and respected."]
    assert (voice["Responses"], voice["Average (1–4)"], voice["Agree (%)"]) == (2, 3.0, 100)
    clear = summary.loc["The objectives were clear."]
    assert (clear["Disagree"], clear["Agree"], clear["Agree (%)"]) == (1, 1, 50)
    assert meetings.evaluation_comments(m) == []  # Ana's new answers replaced the old comment
    fig = charts.evaluation_chart(meetings.evaluation_summary(m))
    assert [t.name for t in fig.data] == list(meetings.SCALE.values())
    assert [t.marker.color for t in fig.data] == list(charts.SCALE_COLOURS.values())


def test_an_incomplete_evaluation_is_refused(project):
    meetings.make_plan(project, 120, MONDAY)
    m = project.meetings[0]
    with pytest.raises(UserError, match="Answer all four statements"):
        meetings.add_evaluation(project, m.id, {"objectives_clear": 4})
    assert m.evaluations == []


# ---------------------------------------------------------------- the calendar file


def _unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_the_calendar_file_follows_rfc_5545(project):
    meetings.make_plan(project, 120, MONDAY, place="Room 12; or https://meet.example.org/a,b")
    project.meetings[-1].time = ""  # an all-day event
    ics = meetings.to_ics(project, stamp=dt.datetime(2031, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
    raw_lines = ics.split("\r\n")
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in raw_lines)
    assert any(line.startswith(" ") for line in raw_lines)  # long lines were folded
    lines = _unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == len(project.meetings)
    first = project.meetings[0]
    assert f"UID:{first.id}-{project.id}@successgaps" in lines
    assert "DTSTAMP:20310102T030405Z" in lines
    assert "DTSTART:20310908T153000" in lines and "DTEND:20310908T173000" in lines
    assert "LOCATION:Room 12\\; or https://meet.example.org/a\\,b" in lines
    assert any(line.startswith("SUMMARY:Central High\\, 2031: meeting 1") for line in lines)
    assert any(line.startswith("DESCRIPTION:Our success gap: Only 61%") and "\\n- " in line for line in lines)
    assert f"DTSTART;VALUE=DATE:{project.meetings[-1].date:%Y%m%d}" in lines


def test_folding_never_splits_a_character():
    long = "SUMMARY:" + "é" * 100
    folded = meetings._fold(long)
    assert all(len(piece.encode("utf-8")) <= 75 for piece in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == long
