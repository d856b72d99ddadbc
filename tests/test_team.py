"""Step 1 · the team: a facilitator builds the roster, sees who is missing, and drafts invitations."""

import datetime as dt
import urllib.parse

import pytest

from successgaps.errors import UserError
from successgaps.models import GapStatement, Project
from successgaps.process import meetings, team


@pytest.fixture
def project():
    return Project(name="Central High")


def test_an_empty_team_misses_every_category_and_warns_about_families_and_leaders(project):
    assert [c.category for c in team.missing(project)] == [
        "family", "general_education", "special_education", "support_staff", "leader", "community"]
    warnings = team.coverage_warnings(project)
    assert len(warnings) == 2
    assert "family member or student from the group experiencing the gap" in warnings[0]
    assert "leader with authority" in warnings[1]
    assert all(c.why for c in team.coverage(project))


def test_an_invited_family_member_counts_only_once_they_agree(project):
    ana = team.add_member(project, "Ana Díaz", "Parent of a 9th grader", "family", "ana@example.org")
    family = next(c for c in team.coverage(project) if c.category == "family")
    assert family.status == "invited, not agreed yet"
    assert "has agreed to join yet" in team.coverage_warnings(project)[0]

    team.update_member(project, ana.id, name=ana.name, role=ana.role, category="family", email=ana.email, agreed=True)
    assert "family" not in [c.category for c in team.missing(project)]
    warnings = team.coverage_warnings(project)
    assert len(warnings) == 1 and "leader" in warnings[0]


def test_a_full_team_has_no_warnings_and_nothing_missing(project):
    for i, category in enumerate(team.CATEGORIES):
        team.add_member(project, f"Member {i}", category=category, agreed=True)
    assert team.missing(project) == []
    assert team.coverage_warnings(project) == []
    assert set(team.coverage_table(project)["Status"]) == {"at the table"}


@pytest.mark.parametrize("email", ["ana", "ana@", "ana at school.org", "ana@school"])
def test_an_email_that_is_not_one_gets_a_sentence_and_nothing_is_added(project, email):
    with pytest.raises(UserError, match="is not an email address"):
        team.add_member(project, "Ana", email=email)
    assert project.members == []


def test_a_duplicate_member_is_refused_by_name_or_email(project):
    team.add_member(project, "Ana Díaz", email="ana@example.org")
    with pytest.raises(UserError, match="already on the team"):
        team.add_member(project, "  ana   díaz ")
    with pytest.raises(UserError, match="already uses the email"):
        team.add_member(project, "Someone Else", email="ANA@example.org")
    with pytest.raises(UserError, match="name"):
        team.add_member(project, "   ")
    assert [m.name for m in project.members] == ["Ana Díaz"]


def test_editing_a_member_may_keep_their_own_name_but_not_take_another(project):
    ana = team.add_member(project, "Ana")
    team.add_member(project, "Ben")
    team.update_member(project, ana.id, name="Ana", role="Principal", category="leader", email="", agreed=True)
    assert project.member(ana.id).role == "Principal"
    with pytest.raises(UserError, match="already on the team"):
        team.update_member(project, ana.id, name="Ben", role="", category="leader", email="", agreed=True)
    assert project.member(ana.id).name == "Ana"


def test_removing_a_member_clears_their_attendance_and_hands_their_homework_to_everyone(project):
    ana = team.add_member(project, "Ana")
    m = meetings.add_meeting(project, dt.date.today())
    meetings.set_attendance(project, m.id, [ana.id])
    item = meetings.add_homework(project, m.id, "Bring the attendance data", who=ana.id)
    team.remove_member(project, ana.id)
    assert project.members == [] and m.attendance == [] and item.who == "everyone"


def test_the_invitation_names_the_focus_gap_time_commitment_and_first_meeting(project):
    project.statements.append(GapStatement(text="Only 61% of English learners graduate in four years.", focus=True))
    project.meetings = meetings.plan(120, dt.date(2031, 9, 9), time="15:30", place="Library",
                                     areas=[("a", "Area A"), ("b", "Area B")])
    project.facilitator = "Dr. Lee"
    ben = team.add_member(project, "Ben Okafor", "Principal", "leader", "ben@example.org")
    letter = team.invitation(project, ben)
    assert letter.startswith("Dear Ben Okafor,")
    assert "Only 61% of English learners graduate in four years." in letter
    assert "4 meetings of two hours, about every 3 weeks" in letter  # getting started, rubric A+B, causes, plan
    assert "3 review meetings" in letter
    assert "Tuesday 9 September 2031, 15:30–17:30, Library" in letter
    assert "change schedules, budgets and policies" in letter  # why a leader
    assert letter.endswith("Dr. Lee")


def test_without_a_focus_gap_or_plan_the_invitation_says_so_plainly(project):
    ana = team.add_member(project, "Ana")
    letter = team.invitation(project, ana)
    assert "agree on the success gap we will work on" in letter
    assert "The meeting plan is not set yet" in letter
    assert "send the date of the first meeting soon" in letter


def test_an_edited_invitation_is_kept_and_an_emptied_one_follows_the_draft_again(project):
    ana = team.add_member(project, "Ana", email="ana@example.org")
    team.set_invitation(project, ana.id, "Dear Ana, please come. Thanks, Lee")
    assert team.invitation(project, ana) == "Dear Ana, please come. Thanks, Lee"
    team.set_invitation(project, ana.id, "")
    assert team.invitation(project, ana) == team.draft_invitation(project, ana)


def test_the_mailto_link_carries_address_subject_and_letter(project):
    ana = team.add_member(project, "Ana Díaz", email="ana@example.org")
    link = team.mailto_link(project, ana)
    assert link.startswith("mailto:ana@example.org?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert query["subject"] == ["Invitation to join the Central High success gaps team"]
    assert query["body"] == [team.invitation(project, ana)]
    assert " " not in link and "\n" not in link


def test_the_roster_table_shows_what_the_team_typed(project):
    team.add_member(project, "Ana", "Parent", "family", "ana@example.org", agreed=True)
    row = team.roster_table(project).iloc[0]
    assert (row["Name"], row["Stakeholder category"], row["Agreed to join"]) == (
        "Ana", "Family member or student from the group experiencing the gap", "yes")
