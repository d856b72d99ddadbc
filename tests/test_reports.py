"""The PDF reports a team hands out: each builds from a full project and says what a reader checks.

The text of every PDF is extracted with poppler's `pdftotext` (skipped with a reason on a machine
without it; on CI, where `CI=true`, a missing pdftotext fails).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess

import pytest

from successgaps.errors import UserError
from successgaps.models import (
    ActionStep,
    Consensus,
    GapStatement,
    Goal,
    Homework,
    Meeting,
    Member,
    Priority,
    Project,
    Rating,
    Review,
    Revision,
    StepReview,
)
from successgaps.outputs import gap_reports, meeting_packet, plan_reports, project_report, sources
from tests.edfacts_fixture import EDFACTS

DAY = dt.date(2025, 11, 3)
FAMILY = "Nguyễn Thị Hoa"


def full_project() -> Project:
    """A project that has been through every step (built from the models, no data file)."""
    hoa = Member(name=FAMILY, role="Parent", category="family", agreed=True)
    lee = Member(name="Dana Lee", role="Principal", category="leader", agreed=True)
    ortiz = Member(name="Luis Ortiz", role="Special education teacher", category="special_education", agreed=True)
    focus = GapStatement(
        dataset_id="", level="district", year="2024-25", dimension="English learner status",
        group="English learners", outcome="Four-year graduation", comparison="all other students",
        text="In 2024-25, 71.2% of English learners graduated in four years compared with 89.3% of all "
             "other students — a gap of 18.1 percentage points.",
        figures={"n": 142, "events": 101, "rate": 0.712, "comparison": "all other students",
                 "comparison_n": 1310, "comparison_rate": 0.893, "difference": -18.1, "risk_ratio": 0.8,
                 "ci_low": -25.9, "ci_high": -10.3},
        focus=True)
    other = GapStatement(level="school", school="Central High", year="2024-25", dimension="Race/ethnicity",
                         group="Black", outcome="Out-of-school suspension",
                         text="Black students at Central High were 3.1 times as likely to be suspended.",
                         figures={"n": 96, "rate": 0.177, "comparison_rate": 0.057, "risk_ratio": 3.1})
    ratings = [Rating(indicator_id=i, member_id=m.id, level=lv)
               for i, levels in {"ddm-1": ("planning", "partial", "planning"),
                                 "ddm-2": ("implemented", "partial", "implemented")}.items()
               for m, lv in zip((hoa, lee, ortiz), levels)]
    consensus = [Consensus(indicator_id="ddm-1", level="planning", evidence="Results are only reviewed once a year.",
                           needs="Ask the counsellors how they use the data."),
                 Consensus(indicator_id="ddm-2", level="implemented", evidence="Monthly data meetings since 2023.")]
    priority = Priority(title="Use data by student group", indicator_ids=["ddm-1"],
                        root_cause="Teachers never see graduation data by English learner status.",
                        actionable=True, whys=["Reports show only totals.", "Nobody asked for a breakdown."])
    goal = Goal(priority_id=priority.id, text="Raise the English learners' graduation rate",
                statement_id=focus.id, metric="Four-year graduation rate of English learners (%)", measure="rate",
                baseline=0.712, baseline_year="2024-25", target=0.80, target_date=dt.date(2027, 6, 30),
                evidence="The state's graduation file each fall.")
    step1 = ActionStep(goal_id=goal.id, text="Quarterly data review by student group", owner_id=lee.id,
                       start=dt.date(2025, 9, 1), due=dt.date(2026, 6, 1), resources="Data coach, 2 hours a month",
                       evidence="Meeting minutes", status="on_track", order=0)
    step2 = ActionStep(goal_id=goal.id, text="Graduation check-ins for every English learner", owner_id=ortiz.id,
                       start=dt.date(2025, 10, 1), due=dt.date(2026, 3, 1), status="behind", order=1)
    review = Review(date=dt.date(2025, 10, 20), attendees=[hoa.id, lee.id], held=True,
                    steps=[StepReview(step_id=step1.id, status="on_track", note="Two reviews held"),
                           StepReview(step_id=step2.id, status="behind", note="Counsellor on leave")],
                    fidelity="Mostly as planned.", challenges="Staff turnover.", decisions="Add a second counsellor.")
    meetings = [
        Meeting(number=1, title="Getting started", kind="getting_started", activities=["getting_started"],
                date=dt.date(2025, 9, 2), time="15:30", place="Library",
                objectives=["See the data behind our success gap."],
                homework=[Homework(text="Rate the data-based decision making indicators", due=dt.date(2025, 9, 23))]),
        Meeting(number=2, title="Rubric: data-based decision making", kind="rubric", activities=["rubric"],
                rubric_areas=["ddm"], date=dt.date(2025, 9, 23), time="15:30"),
        Meeting(number=3, title="Root causes", kind="root_causes", activities=["root_causes"], date=dt.date(2025, 10, 14)),
        Meeting(number=4, title="Action plan", kind="action_plan", activities=["action_plan"], date=dt.date(2025, 11, 4)),
        Meeting(number=5, title="Review", kind="monitoring", activities=["monitoring"], date=dt.date(2026, 1, 13)),
    ]
    return Project(
        name="Riverbend Unified – Equity Team", members=[hoa, lee, ortiz], meetings=meetings,
        norms=["Value every voice.", "Start and end on time."], statements=[focus, other],
        ratings=ratings, consensus=consensus, priorities=[priority], goals=[goal], steps=[step1, step2],
        reviews=[review], revisions=[Revision(review_id=review.id, what="Moved the check-ins to March",
                                              why="Counsellor on leave")])


def pdf_text(pdf: bytes, tmp_path, first: int | None = None, last: int | None = None) -> str:
    """The text a reader (or a screen reader) gets from the PDF, via poppler's pdftotext."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required on CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(["pdftotext", "-raw", *pages, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def page_count(text: str) -> int:
    return text.count("\f")


@pytest.fixture
def project():
    return full_project()


def test_every_page_has_title_project_date_and_page_numbers(project, tmp_path):
    text = pdf_text(project_report.project_report(project, day=DAY), tmp_path)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert "Success Gaps project · Riverbend Unified – Equity Team · November 3, 2025" in page
        assert f"Page {number} of {len(pages)}" in page


def test_statement_one_pager_holds_the_statement_its_figures_and_sizes(project, tmp_path):
    text = pdf_text(gap_reports.statement_report(project, day=DAY), tmp_path)
    assert "71.2% of English learners graduated" in text
    for figure in ("71.2%", "89.3%", "-18.1", "142", "1,310", "all other students"):
        assert figure in text
    assert "30 students, and at least 10 with the outcome" in text  # the sizes used
    assert page_count(text) == 1


def test_a_chosen_statement_gets_its_own_one_pager(project, tmp_path):
    other = project.statements[1]
    text = pdf_text(gap_reports.statement_report(project, statement_id=other.id, day=DAY), tmp_path)
    assert "3.1 times as likely" in text and "Central High" in text
    assert "English learners graduated" not in text


def test_rubric_report_shows_consensus_evidence_spread_and_areas_of_need(project, tmp_path):
    text = " ".join(pdf_text(plan_reports.rubric_report(project, day=DAY), tmp_path).split())
    assert "Decisions are driven by data disaggregated by student group" in text
    assert "Results are only reviewed once a year." in text
    assert "Planning 2" in text and "Partially implemented 1" in text  # how members rated on their own
    areas = text.split("Areas of need")[1]
    assert "Decisions are driven by data" in areas and "Monthly data meetings" not in areas


def test_action_plan_shows_priority_root_cause_goal_steps_and_owners(project, tmp_path):
    text = " ".join(pdf_text(plan_reports.action_plan_report(project, day=DAY), tmp_path).split())
    for expected in ("Use data by student group", "Teachers never see graduation data",
                     "Baseline: 71.2% in 2024–25", "Target: 80.0% by June 30, 2027",
                     "Quarterly data review by student group", "Dana Lee", "Luis Ortiz", "Timeline"):
        assert expected in text


def test_progress_report_shows_latest_review_alerts_and_revisions(project, tmp_path):
    text = " ".join(pdf_text(plan_reports.progress_report(project, day=DAY), tmp_path).split())
    assert "Latest review: October 20, 2025" in text
    assert "Counsellor on leave" in text and "Add a second counsellor." in text
    assert "Moved the check-ins to March" in text
    assert f"{FAMILY}, Dana Lee" in text  # who attended, names rendered in full


def test_meeting_packet_for_a_rubric_meeting_has_blank_rating_sheets(project, tmp_path):
    meeting = project.meetings[1]
    text = pdf_text(meeting_packet.meeting_packet(project, meeting.id, day=DAY), tmp_path)
    flat = " ".join(text.split())
    assert "Meeting 2: Rubric: data-based decision making" in flat
    assert "Value every voice." in flat  # the norms
    assert "Rate the data-based decision making indicators" in flat  # homework due today
    assert "Decisions are driven by data disaggregated by student group" in flat
    sheet = flat.split("Rubric sections to rate")[1]
    for column in ("Planning", "Partially implemented", "Implemented", "Exemplary", "Evidence"):
        assert column in sheet  # a blank column to tick or fill in
    assert "Results are only reviewed once a year." not in flat  # nothing filled in for them
    assert flat.count("In 2024-25, 71.2% of English learners") == 1  # the statement once, not twice
    assert "71.2%" in flat  # the focus gap's data slide


def test_the_paper_rating_sheet_carries_each_levels_description(project, tmp_path):
    """Issue #21: a member rating on paper reads what each level looks like, as on the screen."""
    from successgaps.models import LEVELS
    from successgaps.process import rubric

    meeting = project.meetings[1]
    flat = " ".join(pdf_text(meeting_packet.meeting_packet(project, meeting.id, day=DAY), tmp_path).split())
    sheet = flat.split("Rubric sections to rate")[1]
    for indicator in rubric.load_rubric(project).area("ddm").indicators:
        for level in LEVELS:
            assert f"☐ {' '.join(indicator.levels[level].split())}" in sheet, (indicator.id, level)


def test_meeting_packet_for_the_first_meeting_shows_the_gap_statements(project, tmp_path):
    text = " ".join(pdf_text(meeting_packet.meeting_packet(project, project.meetings[0].id, day=DAY), tmp_path).split())
    assert "Getting started" in text and "Library" in text
    assert "Success gap statements" in text and "3.1 times as likely" in text
    assert "No homework is due at this meeting." in text


def test_a_removed_meeting_gets_a_sentence_not_a_traceback(project):
    with pytest.raises(UserError, match="no longer in the plan"):
        meeting_packet.meeting_packet(project, "gone")


def test_reports_of_a_new_project_say_what_is_missing(tmp_path):
    empty = Project(name="New team")
    text = " ".join(pdf_text(project_report.project_report(empty, day=DAY), tmp_path).split())
    for sentence in ("No team members have been added yet", "No data set has been uploaded and confirmed yet",
                     "No success gap statement has been written yet", "The rubric has not been rated yet",
                     "No priorities have been chosen yet", "No goals have been written yet",
                     "No review of the plan has been held yet"):
        assert sentence in text
    assert "No success gap statement" in pdf_text(gap_reports.statement_report(empty), tmp_path)


def test_pdf_declares_its_title_and_language_for_screen_readers(project):
    pdf = plan_reports.rubric_report(project, day=DAY)
    assert b"/Lang (en-US)" in pdf
    assert "Rubric ratings — Riverbend Unified".encode("utf-16-be") in pdf or b"Rubric ratings" in pdf


def test_long_tables_repeat_their_header_on_every_page(project, tmp_path):
    project.steps = [ActionStep(goal_id=project.goals[0].id, text=f"Step number {i}", order=i) for i in range(90)]
    text = pdf_text(plan_reports.action_plan_report(project, day=DAY), tmp_path)
    pages = [p for p in text.split("\f") if "Step number" in p]
    assert len(pages) >= 2
    assert all("Action step" in p and "Owner" in p for p in pages)


# ---------------------------------------------------------------- from the sample district's data


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """The sample district as a team would have it: uploaded, mapped, screened, a focus statement
    on the largest flagged gap, and a goal measured by it."""
    from successgaps.data import datasets, views
    from successgaps.engine import ranking, statements, suppression
    from successgaps.engine.screen import screen
    from successgaps.process import action_plan, sample
    from successgaps.store import Store

    folder = tmp_path_factory.mktemp("district")
    data = sample.generate(students_per_grade=150)
    data.to_csv(folder / "riverbend.csv", index=False)
    store = Store(folder / "workspace")
    project = store.create("Riverbend Unified")
    dataset = datasets.create_dataset(store, project, folder / "riverbend.csv", "riverbend.csv")
    dataset.confirmed = True
    con = store.cursor()
    screened = suppression.for_export(screen(con, views.prepare(con, project, dataset), project.gap_settings,
                                           extra=True))
    latest = ranking.select(screened, level="district", year="2024-25")
    shown, hidden = ranking.ranked(latest[latest["dimension"] != "All"], project.gap_settings)
    row = shown[shown["kind"] == "binary"].iloc[0]
    statement = GapStatement(dataset_id=dataset.id, level="district", year=row["year"], dimension=row["dimension"],
                             group=row["group"], outcome=row["outcome"], comparison=row["comparison"],
                             text=statements.gap_sentence(row), figures=statements.figures(row), focus=True)
    project.statements.append(statement)
    goal = action_plan.add_goal(project, text="Close the gap", statement_id=statement.id, measure="rate")
    project = store.save(project)
    yield {"project": project, "con": con, "row": row, "hidden": hidden, "ids": set(data["student_id"]),
           "goal": goal}
    store.close()


def assert_no_student_id(text: str, ids: set[str]) -> None:
    numbers = set(re.findall(r"\d{6}", text))
    assert not numbers & ids


def test_gap_screen_report_of_the_sample_district(district, tmp_path):
    p, row = district["project"], district["row"]
    text = pdf_text(gap_reports.gap_screen_report(p, district["con"], day=DAY), tmp_path)
    flat = " ".join(text.split())
    assert re.search(r"riverbend\.csv \([\d,]+ rows\)", flat)
    assert "Data quality" in flat and "Heatmap" in flat
    assert f"{row['rate'] * 100:.1f}%" in flat and f"{row['difference']:+.1f}" in flat  # the engine's figures
    assert_no_student_id(text, district["ids"])
    # a group hidden in every outcome never has a figure printed: it is listed only with the reason
    fully_hidden = set(district["hidden"]["group"]) - set(gaps_shown_groups(district))
    assert fully_hidden, "the sample has groups too small to show"
    ranked_part = flat.split("The screen, largest gaps first")[1].split("Suppressed groups")[0]
    hidden_part = flat.split("Suppressed groups")[1]
    shown = set(gaps_shown_groups(district))
    for group in fully_hidden:
        if not any(group in other for other in shown):  # "Other" is part of "Other health impairment"
            assert group not in ranked_part
        assert group in hidden_part
    assert "fewer than 30 students in the group" in hidden_part


def gaps_shown_groups(district) -> list[str]:
    from successgaps.engine import ranking

    p = district["project"]
    frame = sources.Sources(p, district["con"]).screen()
    latest = ranking.select(frame, level="district", year="2024-25")
    return list(latest.loc[~latest["suppressed"], "group"])


def test_statement_one_pager_of_the_sample_district_shows_the_trend(district, tmp_path):
    p, row = district["project"], district["row"]
    text = " ".join(pdf_text(gap_reports.statement_report(p, district["con"], day=DAY), tmp_path).split())
    assert p.focus_statement().text.split()[0] in text
    assert f"{row['rate'] * 100:.1f}%" in text and f"{row['comparison_rate'] * 100:.1f}%" in text
    assert "Over the years" in text and "2022–23" in text and "2023–24" in text  # as the sentences write years
    assert_no_student_id(text, district["ids"])


def test_progress_report_charts_the_goal_against_its_baseline(district, tmp_path):
    p = district["project"]
    text = " ".join(pdf_text(plan_reports.progress_report(p, district["con"], day=DAY), tmp_path).split())
    assert "Progress: Close the gap" in text
    assert f"Baseline {district['goal'].baseline * 100:.1f}%" in text
    assert "No review of the plan has been held yet" in text
    assert "95% interval" in text  # issue #21: the PDF keeps the intervals the screen shows
    assert re.search(r"2024–25 \d+\.\d% \d+\.\d% to \d+\.\d%", text)  # years as the sentence writes them


# ---------------------------------------------------------------- the page helpers


def test_present_one_shows_one_item_at_a_time_with_next_and_previous():
    from streamlit.testing.v1 import AppTest

    def app():
        import streamlit as st

        from successgaps import ui

        ui.present_one(["Gap A", "Gap B", "Gap C"], "demo", lambda item: st.header(item))

    at = AppTest.from_function(app).run()
    assert [h.value for h in at.header] == ["Gap A"] and "1 of 3" in at.markdown[0].value
    assert at.button(key="demo_previous").disabled
    at.button(key="demo_next").click().run()
    at.button(key="demo_next").click().run()
    assert [h.value for h in at.header] == ["Gap C"] and at.button(key="demo_next").disabled
    at.button(key="demo_previous").click().run()
    assert [h.value for h in at.header] == ["Gap B"]


def test_report_button_offers_the_download_but_builds_only_when_clicked():
    from streamlit.testing.v1 import AppTest

    def app():
        from successgaps import ui

        def build():
            raise AssertionError("built on page load")

        ui.report_button("Action plan (PDF)", build, "action-plan.pdf")

    at = AppTest.from_function(app).run()
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1 and "Action plan (PDF)" in str(buttons[0].proto)


def test_the_project_pdf_reads_focus_first_and_keeps_the_gap_tables_for_the_appendix(district, tmp_path):
    """Issue #21: the focus gap, the team, the rubric's areas of need, priorities and root causes, the
    plan, progress; the data and the full gap tables last, as an appendix."""
    p = district["project"]
    pdf = project_report.project_report(p, district["con"], day=DAY)
    first_page = " ".join(pdf_text(pdf, tmp_path, first=1, last=1).split())
    assert "Our focus" in first_page and p.focus_statement().text[:40] in first_page
    flat = " ".join(pdf_text(pdf, tmp_path).split())
    order = ["Success gap statements", "Team and meetings", "Indicators of Success rubric",
             "Priorities and root causes", "Action plan", "Progress", "Appendix: the data and the full gap tables",
             "Data quality", "The gap screen"]
    assert [o for o in order if o in flat] == order
    assert sorted(order, key=flat.index) == order
    assert "The gap screen" not in flat.split("Appendix")[0]


def test_the_gap_screen_report_of_a_public_file_is_its_whole_file_written_by_the_files_ranges(store, tmp_path):
    """The national EDFacts file's report was 5,099 pages: every district's rows under "whole district", each
    range printed at its middle. It is the whole file's screen, its ranges written as the screen writes them."""
    from successgaps.data import datasets  # noqa: PLC0415

    path = tmp_path / "acgr.csv"
    path.write_text(EDFACTS)
    project = store.create("Public file")
    datasets.create_dataset(store, project, path, path.name).confirmed = True
    project = store.save(project)
    flat = " ".join(pdf_text(gap_reports.gap_screen_report(project, store.cursor(), day=DAY), tmp_path).split())
    screen = flat.split("The screen, largest gaps first")[1]
    assert "the nation (the whole file: 2 states)" in flat and "whole district" not in flat
    assert "Town" not in screen and "Village" not in screen and "City" not in screen  # no district's rows
    assert re.search(r"\d+–\d+% \d+–\d+% [+-]\d+ to [+-]?\d+", screen), screen[:600]  # rate, comparison, gap


def test_a_statement_on_a_public_files_range_prints_the_ranges_not_their_middles(project, tmp_path):
    """A statement written on EDFacts' national file (39–88% against 84–87%): its one-pager printed "Group rate
    63.5%" and "Difference -22.0", middles the file never gave."""
    ranged = GapStatement(level="district", year="2014-15", dimension="Race/ethnicity",
                          group="American Indian or Alaska Native", outcome="Four-year graduation",
                          text="In 2014–15, between 39% and 88% of American Indian or Alaska Native students graduated.",
                          figures={"n": 37328, "rate": 0.635, "rate_low": 0.39, "rate_high": 0.88,
                                   "comparison": "all other students", "comparison_n": 3473979,
                                   "comparison_rate": 0.855, "comparison_rate_low": 0.84,
                                   "comparison_rate_high": 0.87, "difference": -22.0})
    project.statements.append(ranged)
    flat = " ".join(pdf_text(gap_reports.statement_report(project, statement_id=ranged.id, day=DAY), tmp_path).split())
    assert "39.0%" in flat and "88.0%" in flat and "84.0%" in flat and "87.0%" in flat
    assert "Difference (percentage points) -48 to +4" in flat
    assert "63.5%" not in flat and "85.5%" not in flat and "-22.0" not in flat
    whole = GapStatement(level="district", year="2014-15", dimension="Race/ethnicity", group="White",
                         outcome="Four-year graduation", text="In 2014–15, 92% of White students graduated.",
                         figures={"n": 1200, "rate": 0.92, "rate_low": 0.915, "rate_high": 0.925,
                                  "comparison": "all other students", "comparison_n": 3000, "comparison_rate": 0.87,
                                  "comparison_rate_low": 0.865, "comparison_rate_high": 0.875, "difference": 5.0})
    project.statements.append(whole)  # a public file's whole percents (92 is 91.5-92.5%): its rates, not ranges
    flat = " ".join(pdf_text(gap_reports.statement_report(project, statement_id=whole.id, day=DAY), tmp_path).split())
    assert "Group rate 92.0%" in flat and "Comparison rate 87.0%" in flat and "Difference (percentage points) +5.0" in flat
    score = GapStatement(level="district", year="2023-24", dimension="Disability", group="Students with disabilities",
                         outcome="Reading scale score", text="In 2023–24, students with disabilities averaged 681.",
                         figures={"n": 258, "mean": 680.6, "comparison": "all other students", "comparison_n": 3000,
                                  "comparison_mean": 719.6, "difference": -39.0, "ci_low": -43.9, "ci_high": -34.1})
    project.statements.append(score)  # an average's gap is in the score's points, not percentage points
    flat = " ".join(pdf_text(gap_reports.statement_report(project, statement_id=score.id, day=DAY), tmp_path).split())
    assert "Difference of the averages -39.0" in flat and "percentage points" not in flat
