"""Steps 5 and 6: from low-rated indicators to at most five actionable priorities, to a plan people can run."""

import datetime as dt
import io

import openpyxl
import pytest

from successgaps.errors import UserError
from successgaps.models import ActionStep, GapStatement, Goal, Member, Priority, Project
from successgaps.outputs import charts, spreadsheet
from successgaps.process import action_plan, root_causes, rubric

D = dt.date
TODAY = D(2025, 10, 1)


@pytest.fixture
def project():
    """Central High: three members rated the rubric; the team's consensus puts four indicators low."""
    p = Project(name="Central High")
    p.members = [Member(id="ana", name="Ana", category="leader"), Member(id="ben", name="Ben", category="family"),
                 Member(id="cy", name="Cy", category="general_education")]
    ids = rubric.indicator_ids(p)
    for member, level in (("ana", "planning"), ("ben", "partial"), ("cy", "exemplary")):
        rubric.set_rating(p, member, ids[0], level)
    for indicator_id, level in zip(ids, ("planning", "partial", "implemented", "exemplary", "partial", "planning")):
        rubric.set_consensus(p, indicator_id, level, evidence=f"evidence for {indicator_id}")
    p.statements = [GapStatement(id="st1", group="English learners", outcome="Four-year graduation",
                                 comparison="all other students", year="2024-25", focus=True,
                                 text="English learners graduate at 62%, 18 points below all other students.",
                                 figures={"rate": 0.62, "comparison_rate": 0.80, "difference": -18.0, "n": 120})]
    return p


@pytest.fixture
def ids(project):
    return rubric.indicator_ids(project)


def test_areas_of_need_are_the_indicators_at_or_below_the_cut_with_evidence_and_spread(project, ids):
    needs = root_causes.areas_of_need(project)
    assert [n.indicator_id for n in needs] == [ids[0], ids[1], ids[4], ids[5]]  # rubric order
    first = needs[0]
    assert first.level == "planning" and first.evidence == f"evidence for {ids[0]}"
    assert first.spread == {"planning": 1, "partial": 1, "implemented": 0, "exemplary": 1}
    assert first.area_title == rubric.load_rubric(project).area_of(ids[0]).title

    root_causes.set_need_cut(project, "implemented")
    assert ids[2] in [n.indicator_id for n in root_causes.areas_of_need(project)]
    root_causes.set_need_cut(project, "planning")
    assert [n.indicator_id for n in root_causes.areas_of_need(project)] == [ids[0], ids[5]]


def test_areas_are_grouped_by_rubric_area_in_tables_people_read(project):
    groups = root_causes.needs_by_area(root_causes.areas_of_need(project))
    assert groups, "the low-rated indicators are shown"
    title, table = groups[0]
    assert list(table.columns) == ["Indicator", "Consensus", "Evidence", "To find out", "Individual ratings", "Votes"]
    assert table.loc[0, "Consensus"] == "Planning"
    assert "Planning 1" in table.loc[0, "Individual ratings"]


def test_each_member_has_a_set_number_of_votes_and_the_tally_counts_members(project, ids):
    root_causes.cast_votes(project, "ana", [ids[0], ids[1], ids[4]])
    root_causes.cast_votes(project, "ben", [ids[0], ids[4]])
    root_causes.cast_votes(project, "cy", [ids[0]])
    assert root_causes.tally(project) == {ids[0]: 3, ids[4]: 2, ids[1]: 1}
    with pytest.raises(UserError, match="at most 3 areas"):
        root_causes.cast_votes(project, "cy", [ids[0], ids[1], ids[4], ids[5]])
    assert root_causes.votes_of(project, "cy") == [ids[0]], "a refused ballot leaves the earlier one"

    root_causes.cast_votes(project, "ana", [ids[5]])  # voting again replaces the member's ballot
    assert root_causes.tally(project) == {ids[0]: 2, ids[4]: 1, ids[5]: 1}
    needs = root_causes.areas_of_need(project)
    assert root_causes.by_votes(needs)[0] == ids[0]
    table = root_causes.tally_table(project, needs)
    assert table.loc[0, "Votes"] == 2 and table.loc[0, "Voted by"] == "Ben, Cy"


def test_votes_per_member_cannot_drop_votes_already_cast(project, ids):
    root_causes.cast_votes(project, "ana", ids[:3])
    with pytest.raises(UserError, match="Ana already marked 3"):
        root_causes.set_votes_per_member(project, 2)
    assert project.votes_per_member == 3
    with pytest.raises(UserError, match="Only team members vote"):
        root_causes.cast_votes(project, "stranger", ids[:1])
    assert root_causes.voters_missing(project) == ["Ben", "Cy"]


def test_the_team_chooses_at_most_five_priorities(project, ids):
    for indicator_id in ids[:5]:
        root_causes.add_priority(project, [indicator_id])
    assert project.priorities[0].title == rubric.load_rubric(project).indicator(ids[0]).title
    with pytest.raises(UserError, match="already has 5 priorities, the most the process allows"):
        root_causes.add_priority(project, [ids[5]], "One more")
    assert len(project.priorities) == 5

    root_causes.remove_priority(project, project.priorities[0].id)
    root_causes.add_priority(project, [], "Behaviour supports")
    assert len(project.priorities) == 5
    with pytest.raises(UserError, match="Give the priority a title"):
        root_causes.add_priority(Project(name="x"), [], "  ")


def test_removing_a_priority_keeps_its_goals(project, ids):
    priority = root_causes.add_priority(project, [ids[0]])
    goal = action_plan.add_goal(project, priority.id, "Raise the graduation rate of English learners")
    root_causes.remove_priority(project, priority.id)
    assert goal in project.goals and goal.priority_id == ""


def test_causes_outside_the_schools_control_get_a_prompt_to_dig_deeper():
    poverty = Priority(title="Graduation", root_cause="Many of our English learners live in poverty.")
    assert root_causes.outside_control(poverty.root_cause) == ["poverty or family income"]
    assert "Ask “why?” again" in root_causes.actionability_prompt(poverty)
    assert root_causes.outside_control("Families speak Spanish at home and the neighborhood is unsafe") == [
        "students' home language", "the neighbourhood"]

    school = Priority(title="Discipline", root_cause="Our behaviour interventions are not culturally responsive.",
                      actionable=True)
    assert root_causes.actionability_prompt(school) is None
    school.actionable = False  # the team itself judged it outside its power
    assert "deepest cause" in root_causes.actionability_prompt(school)


def test_the_chain_of_whys_keeps_at_most_five_answers():
    priority = Priority(title="x")
    root_causes.set_whys(priority, ["Students miss class", "", " Suspensions are long "])
    assert priority.whys == ["Students miss class", "Suspensions are long"]
    with pytest.raises(UserError, match="5"):
        root_causes.set_whys(priority, list("abcdef"))


def test_a_goal_takes_its_baseline_from_the_focus_gap_statement(project, ids):
    priority = root_causes.add_priority(project, [ids[0]])
    goal = action_plan.add_goal(project, priority.id, "Raise the graduation rate of English learners")
    assert goal.statement_id == "st1" and goal.measure == "rate"
    assert goal.baseline == 0.62 and goal.baseline_year == "2024-25"
    assert goal.metric == "Four-year graduation rate of English learners (%)"
    assert action_plan.shown(goal.baseline, goal.measure) == 62.0
    assert action_plan.stored(75, "rate") == 0.75

    action_plan.link_statement(project, goal, "st1", "difference")
    assert goal.baseline == -18.0 and "percentage points" in goal.metric
    assert action_plan.shown(goal.baseline, goal.measure) == -18.0


def test_goal_checks_say_what_is_missing_in_sentences(project, ids):
    priority = root_causes.add_priority(project, [ids[0]])
    goal = action_plan.add_goal(project, priority.id, "Raise graduation")
    problems = action_plan.goal_checks(project, goal, TODAY)
    assert "Specific: name the students the goal is for (“English learners”)." in problems
    assert "Measurable: set the target value." in problems
    assert any(p.startswith("Measurable: say what evidence") for p in problems)
    assert any(p.startswith("Actionable: write the root cause") for p in problems)
    assert "Time-bound: set the date by which the target should be reached." in problems

    goal.text = "Raise the four-year graduation rate of English learners at Central High from 62% to 75%"
    goal.target, goal.target_date, goal.evidence = 0.62, D(2024, 6, 30), "State graduation file each fall"
    priority.root_cause, priority.actionable = "Advisers steer English learners away from credit recovery.", True
    problems = action_plan.goal_checks(project, goal, TODAY)
    assert problems == ["Reasonable: the target equals the baseline — set a target that shows improvement.",
                        "Time-bound: the target date has passed — set a date in the future or review the goal."]
    goal.target, goal.target_date = 0.75, D(2027, 6, 30)
    assert action_plan.goal_checks(project, goal, TODAY) == []
    goal.target = 75  # typed as a percent into the stored proportion
    assert "Reasonable: a rate target must be between 0 and 100 percent." in action_plan.goal_checks(project, goal, TODAY)


def test_a_gap_target_must_be_smaller_than_the_gap(project):
    goal = Goal(text="Close the gap for English learners", statement_id="st1", measure="difference",
                metric="Gap", baseline=-18, baseline_year="2024-25", target=-25)
    assert "Reasonable: a gap target should be smaller than the baseline gap." in action_plan.goal_checks(project, goal)


def test_a_numeric_outcome_is_measured_by_its_average(project):
    project.statements.append(GapStatement(id="st2", group="Students with disabilities", outcome="Days absent",
                                           year="2024-25", figures={"mean": 14.5, "comparison_mean": 9.0,
                                                                    "difference": 5.5}))
    goal = action_plan.add_goal(project, "", "Fewer days absent", statement_id="st2")
    assert goal.measure == "mean" and goal.baseline == 14.5 and goal.metric.startswith("Average Days absent")


@pytest.fixture
def plan(project):
    priority = root_causes.add_priority(project, [], "Credit recovery")
    goal = action_plan.add_goal(project, priority.id, "Raise the graduation rate of English learners")
    goal.target, goal.target_date = 0.75, D(2027, 6, 30)
    return project, goal


def test_steps_are_added_in_order_and_can_be_moved(plan):
    project, goal = plan
    a = action_plan.add_step(project, goal.id, "Train advisers", "ana", D(2025, 9, 1), D(2025, 11, 1))
    b = action_plan.add_step(project, goal.id, "Open a credit recovery lab", "ben")
    c = action_plan.add_step(project, goal.id, "Call families in Spanish", "cy")
    assert [s.text for s in action_plan.steps_of(project, goal.id)] == [a.text, b.text, c.text]
    action_plan.move_step(project, c.id, -1)
    assert action_plan.steps_of(project, goal.id) == [a, c, b]
    action_plan.move_step(project, a.id, -1)  # already first: nothing moves
    action_plan.move_step(project, b.id, 1)  # already last
    assert action_plan.steps_of(project, goal.id) == [a, c, b]
    with pytest.raises(UserError, match="before the start date"):
        action_plan.add_step(project, goal.id, "Backwards", start=D(2025, 9, 2), due=D(2025, 9, 1))
    with pytest.raises(UserError, match="Say what will be done"):
        action_plan.add_step(project, goal.id, "  ")
    assert len(project.steps) == 3


def test_edit_sets_one_field_and_refuses_unknown_items(plan):
    project, goal = plan
    action_plan.edit(project, "goal", goal.id, "evidence", "  State file  ")
    assert goal.evidence == "State file"
    with pytest.raises(UserError, match="no longer in the plan"):
        action_plan.edit(project, "step", "gone", "text", "x")
    with pytest.raises(UserError, match="not a valid value"):
        action_plan.edit(project, "goal", goal.id, "target_date", "next spring")
    assert goal.target_date == D(2027, 6, 30)


def test_plan_checks_list_what_is_missing_in_plain_sentences(project):
    project.goals = [Goal(id="g1", text="Raise graduation", priority_id="nope"),
                     Goal(id="g2", text="Fewer suspensions", metric="Suspension rate", target=0.05,
                          target_date=D(2026, 6, 1), priority_id="x")]
    project.steps = [ActionStep(goal_id="g2", text="Restorative circles", order=0),
                     ActionStep(goal_id="g2", text="Coach teachers", owner_id="gone", due=D(2026, 1, 1),
                                start=D(2026, 2, 1), order=1)]
    assert action_plan.plan_checks(project) == [
        "Goal “Raise graduation” has no measure: say what will be measured and the target value.",
        "Goal “Raise graduation” has no target date.",
        "Goal “Raise graduation” has no action steps yet.",
        "Step “Restorative circles” (goal “Fewer suspensions”) has no owner.",
        "Step “Restorative circles” (goal “Fewer suspensions”) has no due date.",
        "The owner of step “Coach teachers” (goal “Fewer suspensions”) is no longer on the team: "
        "choose a team member.",
        "Step “Coach teachers” (goal “Fewer suspensions”) is due before it starts.",
    ]
    project.steps[0].owner_id, project.steps[0].due = "ana", D(2026, 3, 1)
    project.steps[1].owner_id, project.steps[1].start = "ben", None
    project.goals.pop(0)
    assert action_plan.plan_checks(project) == []


def test_the_timeline_marks_overdue_steps_and_today(plan):
    project, goal = plan
    action_plan.add_step(project, goal.id, "Train advisers", "ana", D(2025, 8, 1), D(2025, 9, 1))  # overdue
    action_plan.add_step(project, goal.id, "Open the lab", "ben", D(2025, 9, 1), D(2025, 9, 20), status="done")
    action_plan.add_step(project, goal.id, "Evaluate", "cy", None, D(2026, 6, 1))
    action_plan.add_step(project, goal.id, "Someday", "cy")  # no dates: not on the timeline
    table = action_plan.steps_table(project, TODAY)
    assert list(table["Status"]) == ["Overdue", "Done", "Not started", "Not started"]
    assert list(action_plan.steps_table(project, TODAY, owner_id="cy")["Step"]) == ["Evaluate", "Someday"]

    fig = charts.timeline_figure(project, TODAY)
    bars = {trace.name: list(trace.y) for trace in fig.data}
    assert sum(len(y) for y in bars.values()) == 3
    assert bars["Overdue"] == ["Goal 1 · Train advisers"]
    assert next(t for t in fig.data if t.name == "Overdue").marker.pattern.shape == "x"
    assert fig.layout.shapes[0].x0 == TODAY and fig.layout.annotations[0].text == "Today"
    colours = {trace.marker.color for trace in fig.data}
    assert colours <= set(charts.STATE_COLOURS.values())
    assert charts.timeline_figure(Project(name="empty"), TODAY) is None


def test_exports_neutralise_formulas_and_hold_every_table(plan):
    project, goal = plan
    project.priorities[0].root_cause = "=HYPERLINK(\"http://x\")"
    action_plan.add_step(project, goal.id, "@SUM(A1)", "ana", due=D(2026, 1, 1))
    tables = action_plan.export_tables(project)
    assert list(tables) == ["Priorities", "Root causes", "Goals", "Action steps"]
    csv = spreadsheet.csv_bytes(tables["Root causes"]).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv
    book = openpyxl.load_workbook(io.BytesIO(spreadsheet.workbook(tables)))
    assert book.sheetnames == ["Priorities", "Root causes", "Goals", "Action steps"]
    steps = book["Action steps"]
    assert steps["B2"].value == "@SUM(A1)" and steps["B2"].data_type == "s" and steps["B2"].quotePrefix
    assert steps["C2"].value == "Ana"
    goals = book["Goals"]
    assert goals["D2"].value == 62.0 and goals["F2"].value == 75.0  # shown in percent, as on screen
    assert "'-1 + 2" in spreadsheet.csv_bytes(tables["Goals"].assign(Goal="-1 + 2")).decode("utf-8-sig")


def test_a_statements_metric_is_recomputed_from_the_data_for_any_year(store, tmp_path):
    """Monitoring reuses this: the same gap, read again from the data for a later (or earlier) year."""
    from successgaps.data import datasets, views
    from successgaps.engine.screen import screen
    from successgaps.process import sample

    p = store.create("Riverbend")
    sample.generate(seed=3, students_per_grade=150).to_csv(tmp_path / "district.csv", index=False)
    dataset = datasets.create_dataset(store, p, tmp_path / "district.csv", "district.csv")
    con = store.cursor()
    table = screen(con, views.prepare(con, p, dataset), p.gap_settings, by_school=False)
    shown = table[~table["suppressed"] & table["rate"].notna() & (table["dimension"] == "Economic disadvantage")]
    row = shown[shown["year"] == "2024-25"].iloc[0]
    statement = GapStatement(dataset_id=dataset.id, year="2024-25", dimension=row["dimension"], group=row["group"],
                             outcome=row["outcome"], figures={"rate": row["rate"]})

    now = action_plan.statement_metric(con, p, statement)
    assert now["year"] == "2024-25" and now["rate"] == pytest.approx(row["rate"])
    assert now["difference"] == pytest.approx(row["difference"]) and now["n"] == row["n"]
    earlier = shown[(shown["year"] == "2022-23") & (shown["group"] == row["group"])
                    & (shown["outcome"] == row["outcome"])].iloc[0]
    assert action_plan.statement_metric(con, p, statement, "2022-23")["rate"] == pytest.approx(earlier["rate"])
    assert action_plan.statement_metric(con, p, statement, "2031-32") is None  # no data for that year yet
    hidden = table[table["suppressed"]].iloc[0]
    small = statement.model_copy(update={"year": hidden["year"], "dimension": hidden["dimension"],
                                         "group": hidden["group"], "outcome": hidden["outcome"]})
    assert action_plan.statement_metric(con, p, small) is None  # suppressed: never shown, never recomputed


def test_a_goal_reads_in_words_with_what_is_not_set_yet_said_so():
    """On the plan's slide a goal is one sentence: its school year as print writes it, its date in words, and a target
    not set yet said so — never "target ?"."""
    import datetime as dt  # noqa: PLC0415

    from successgaps.models import Goal  # noqa: PLC0415
    from successgaps.process.action_plan import goal_summary  # noqa: PLC0415

    goal = Goal(text="Close the gap", metric="Four-year graduation rate of English learners (%)", measure="rate",
                baseline=0.71, baseline_year="2024-25")
    assert goal_summary(goal) == "Four-year graduation rate of English learners (%): 71 in 2024–25; no target set yet."
    goal.target, goal.target_date = 0.8, dt.date(2027, 6, 30)
    assert goal_summary(goal) == ("Four-year graduation rate of English learners (%): 71 in 2024–25 → target 80 by "
                                  "June 30, 2027.")
    assert goal_summary(Goal(text="New")) == "Measure not chosen: baseline not measured yet; no target set yet."
