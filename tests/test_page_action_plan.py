"""Step 6 page: the team writes a measurable goal, adds steps with owners and dates, and checks the plan."""

import datetime as dt

import pytest

from successgaps.models import ActionStep, GapStatement, Member
from successgaps.process import action_plan, root_causes


@pytest.fixture
def chosen(store):
    """A project with a focus gap statement and one actionable priority."""
    p = store.create("Central High")
    p.members = [Member(id="ana", name="Ana", category="leader"), Member(id="ben", name="Ben", category="family")]
    p.statements = [GapStatement(id="st1", group="English learners", outcome="Four-year graduation",
                                 year="2024-25", focus=True, text="English learners graduate at 62%.",
                                 figures={"rate": 0.62, "comparison_rate": 0.8, "difference": -18.0})]
    priority = root_causes.add_priority(p, [], "Credit recovery")
    priority.root_cause, priority.actionable = "Advisers do not offer credit recovery to English learners.", True
    return store.save(p)


@pytest.fixture
def run(open_page, chosen):
    return lambda: open_page("pages/6_Action_Plan.py", project=chosen.id)


def _click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception


def test_a_goal_gets_its_baseline_from_the_gap_data_and_says_what_it_still_needs(run, chosen, store):
    at = run()
    assert not at.exception
    at.text_area(key="plan_new_goal").input("Raise the graduation rate of English learners")
    _click(at, "Add goal")
    goal = store.load(chosen.id).goals[0]
    # the box the team typed in stays open (a box whose default followed the first goal would close, as new)
    assert next(e for e in at.expander if e.label == "Add a goal").proto.expanded
    assert goal.priority_id == chosen.priorities[0].id and goal.baseline == 0.62
    link = f"{goal.id}_st1_rate"
    assert at.number_input(key=f"plan_baseline_{link}").value == 62.0
    assert at.text_input(key=f"plan_baseline_year_{link}").value == "2024-25"
    needs = at.warning[0].value
    assert "Measurable: set the target value." in needs and "Time-bound" in needs

    at.number_input(key=f"plan_target_{link}").set_value(75.0).run()
    at.date_input(key=f"plan_target_date_{goal.id}").set_value(dt.date.today() + dt.timedelta(days=400)).run()
    at.text_input(key=f"plan_evidence_{goal.id}").input("State graduation file each fall").run()
    assert not at.exception
    goal = store.load(chosen.id).goals[0]
    assert goal.target == 0.75
    assert "specific, measurable, actionable, reasonable and time-bound" in at.success[0].value


def test_steps_are_added_reordered_and_checked(run, chosen, store):
    p = store.load(chosen.id)
    goal = action_plan.add_goal(p, p.priorities[0].id, "Raise the graduation rate of English learners")
    store.save(p)
    at = run()
    k = f"plan_new_step_{goal.id}"
    at.text_input(key=k).input("Train advisers")
    at.selectbox(key=f"{k}_owner").set_value("ana")
    at.date_input(key=f"{k}_due").set_value(dt.date.today() + dt.timedelta(days=30))
    _click(at, "Add step")
    at.text_input(key=k).input("Open a credit recovery lab")
    _click(at, "Add step")
    steps = action_plan.steps_of(store.load(chosen.id), goal.id)
    assert [s.text for s in steps] == ["Train advisers", "Open a credit recovery lab"]
    assert steps[0].owner_id == "ana" and steps[1].owner_id == ""
    checks = next(e for e in at.expander if e.label.startswith("What the plan still needs"))
    sentence = ("Step “Open a credit recovery lab” (goal “Raise the graduation rate of English learners”) "
                "has no owner.")
    assert sentence in [m.value.removeprefix("- ") for m in checks.markdown]

    at.button(key=f"plan_up_{steps[1].id}").click().run()
    assert [s.text for s in action_plan.steps_of(store.load(chosen.id), goal.id)] == [
        "Open a credit recovery lab", "Train advisers"]
    at.selectbox(key=f"plan_owner_id_{steps[1].id}").set_value("ben").run()
    assert store.load(chosen.id).steps[1].owner_id == "ben"
    assert at.get("plotly_chart"), "the dated step is on the timeline"


def test_my_steps_and_overdue_steps(run, chosen, store):
    p = store.load(chosen.id)
    goal = action_plan.add_goal(p, p.priorities[0].id, "Raise the graduation rate of English learners")
    p.steps = [ActionStep(goal_id=goal.id, text="Train advisers", owner_id="ana", due=dt.date(2020, 1, 1)),
               ActionStep(goal_id=goal.id, text="Call families", owner_id="ben", due=dt.date(2099, 1, 1), order=1)]
    store.save(p)
    at = run()
    at.selectbox(key="plan_my").set_value("ben").run()
    mine = at.dataframe[-1].value
    assert list(mine["Step"]) == ["Call families"]
    everyone = at.dataframe[-2].value
    assert list(everyone["Status"]) == ["Overdue", "Not started"]


def test_presentation_shows_one_goal_at_a_time(run, chosen, store):
    p = store.load(chosen.id)
    action_plan.add_goal(p, p.priorities[0].id, "Raise the graduation rate of English learners")
    action_plan.add_goal(p, p.priorities[0].id, "Fewer suspensions of English learners")
    store.save(p)
    at = run()
    at.sidebar.toggle[0].set_value(True).run()
    assert not at.exception
    assert not at.text_area and not at.number_input
    assert any(m.value == "## Raise the graduation rate of English learners" for m in at.markdown)
    _click(at, "Next →")
    assert any(m.value == "## Fewer suspensions of English learners" for m in at.markdown)
    assert not any("Raise the graduation" in m.value for m in at.markdown)
    _click(at, "← Previous")
    assert any(m.value == "## Raise the graduation rate of English learners" for m in at.markdown)
    _click(at, "Next →")
    _click(at, "Next →")  # past the last goal: on to step 7, still presenting
    assert at.title[0].value == "Step 7 · Monitoring" and at.query_params["present"] == "1"


def test_exports_are_offered_once_there_is_a_plan(run, chosen, store):
    p = store.load(chosen.id)
    action_plan.add_goal(p, p.priorities[0].id, "=cmd|' /C calc'!A0")
    store.save(p)
    at = run()
    buttons = {b.label: b for b in at.get("download_button")}
    assert {"Goals (CSV)", "Action steps (CSV)", "Priorities, root causes and plan (XLSX)"} <= set(buttons)
