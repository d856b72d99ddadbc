"""Step 7: the team keeps meeting, stays honest about fidelity, and sees whether the gap closes."""

import datetime as dt

import pytest

from successgaps.errors import UserError
from successgaps.models import ActionStep, Goal, Member, Project
from successgaps.process import monitoring

D = dt.date


@pytest.fixture
def plan():
    p = Project(name="Central High")
    p.members = [Member(id="ana", name="Ana López", category="leader")]
    p.goals = [Goal(id="g1", text="Close the EL graduation gap", baseline=-18, baseline_year="2024-25",
                    target=-8, target_date=D(2027, 6, 30))]
    p.steps = [
        ActionStep(id="s1", goal_id="g1", text="Train staff", owner_id="ana", start=D(2025, 9, 1), due=D(2025, 12, 1)),
        ActionStep(id="s2", goal_id="g1", text="Mentors for EL seniors", start=D(2025, 9, 1), due=D(2026, 6, 1)),
    ]
    return p


def test_schedule_has_quarterly_team_reviews_and_monthly_check_ins_at_first(plan):
    reviews = monitoring.review_schedule(plan, today=D(2025, 8, 1))
    team = [r.date for r in reviews if r.kind == "full_team"]
    check_ins = [r.date for r in reviews if r.kind == "implementers"]
    assert team[:4] == [D(2025, 12, 1), D(2026, 3, 1), D(2026, 6, 1), D(2026, 9, 1)]
    assert team[-1] == D(2027, 6, 30)  # the goal's target date closes the plan
    assert check_ins == [D(2025, 10, 1), D(2025, 11, 1), D(2026, 1, 1), D(2026, 2, 1)]  # months 1-6 minus team dates
    assert all(not r.held for r in reviews)


def test_regenerating_the_schedule_never_touches_a_held_review(plan):
    monitoring.apply_schedule(plan, monitoring.review_schedule(plan))
    first = plan.reviews[0]
    first.attendees = ["ana"]
    monitoring.record_review(plan, first)
    monitoring.apply_schedule(plan, monitoring.review_schedule(plan, full_team_months=6))
    assert first in plan.reviews and first.held
    assert sum(r.held for r in plan.reviews) == 1


def test_next_review_is_the_first_one_not_held_from_today(plan):
    monitoring.apply_schedule(plan, monitoring.review_schedule(plan))
    assert monitoring.next_review(plan, today=D(2025, 10, 2)).date == D(2025, 11, 1)


def test_the_schedule_says_a_past_review_nobody_recorded_is_not_recorded_not_still_to_come(plan):
    monitoring.apply_schedule(plan, monitoring.review_schedule(plan, today=D(2025, 8, 1)))
    first, later = plan.reviews[0], plan.reviews[-1]
    today = first.date + dt.timedelta(days=30)
    assert monitoring.held_text(first, today) == "not recorded"  # its date has passed: missed, or not written down
    assert monitoring.held_text(later, today) == "not yet"
    first.attendees = ["ana"]
    monitoring.record_review(plan, first)
    assert monitoring.held_text(first, today) == "yes"


def test_recording_a_review_updates_each_steps_status(plan):
    review = monitoring.blank_review(plan, D(2025, 11, 1))
    assert [s.step_id for s in review.steps] == ["s1", "s2"]
    review.steps[0].status = "done"
    with pytest.raises(UserError, match="who attended"):
        monitoring.record_review(plan, review)
    review.attendees = ["ana"]
    monitoring.record_review(plan, review)
    assert plan.steps[0].status == "done" and review.held


def test_a_revision_logs_what_changed_why_and_at_which_review(plan):
    review = monitoring.blank_review(plan, D(2026, 3, 1))
    review.attendees = ["ana"]
    monitoring.record_review(plan, review)
    monitoring.revise(plan, "goal", "g1", "target", -10.0, "Two schools joined late", review_id=review.id)
    assert plan.goals[0].target == -10.0
    (row,) = monitoring.history(plan)
    assert row["what"] == "Goal “Close the EL graduation gap”: target changed from “-8.0” to “-10.0”"
    assert row["why"] == "Two schools joined late"
    assert row["decided at"] == "Review of March 1, 2026"
    with pytest.raises(UserError, match="Say why"):
        monitoring.revise(plan, "step", "s1", "due", D(2026, 1, 1), "  ")


def test_alerts_for_overdue_steps_and_steps_behind_twice(plan):
    for day in (D(2025, 10, 1), D(2025, 11, 1)):
        review = monitoring.blank_review(plan, day)
        review.attendees = ["ana"]
        review.steps[1].status = "behind"
        monitoring.record_review(plan, review)
    alerts = monitoring.step_alerts(plan, today=D(2025, 12, 15))
    assert [a.kind for a in alerts] == ["overdue", "behind_twice"]
    assert alerts[0].sentence == "“Train staff” was due December 1, 2025 (Ana López) and is not done."
    assert "Mentors for EL seniors" in alerts[1].sentence


def test_a_goal_is_off_track_when_worse_than_the_straight_line_to_target(plan):
    goal = plan.goals[0]  # -18 in 2024-25 (June 30 2025) to -8 by June 30 2027: -13 expected in June 2026
    assert monitoring.off_track(goal, -15.0, "2025-26")
    assert not monitoring.off_track(goal, -12.0, "2025-26")
    assert not monitoring.off_track(goal, -30.0, "2024-25")  # no later data yet


@pytest.mark.parametrize("year, end", [("2024-25", D(2025, 6, 30)), ("2025", D(2025, 6, 30)),
                                       ("2014-2015", D(2015, 6, 30)), ("1415", D(2015, 6, 30)), ("", None)])
def test_school_years_map_to_their_end(year, end):
    assert monitoring.year_end(year) == end


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """A district whose English learners' graduation gap is measured in 2023-24 and again in 2024-25."""
    import pandas as pd

    from successgaps.data import datasets
    from successgaps.store import Store

    folder = tmp_path_factory.mktemp("two-years")
    rows = []
    for year, el_grads in (("2023-24", 400), ("2024-25", 500)):  # of 600 English learners; others 900 of 1000
        rows += [{"id": f"{year}-e{i}", "year": year, "english_learner": "Y", "graduated": int(i < el_grads)}
                 for i in range(600)]
        rows += [{"id": f"{year}-o{i}", "year": year, "english_learner": "N", "graduated": int(i < 900)}
                 for i in range(1000)]
    pd.DataFrame(rows).to_csv(folder / "grads.csv", index=False)
    store = Store(folder / "ws")
    project = store.create("Two years")
    dataset = datasets.create_dataset(store, project, folder / "grads.csv", "grads.csv")
    yield store, project, dataset
    store.close()


def _el_statement(project, dataset, con):
    from successgaps.data import views
    from successgaps.engine.screen import screen
    from successgaps.models import GapStatement

    table = screen(con, views.prepare(con, project, dataset), project.gap_settings, by_school=False)
    row = table[(table["year"] == "2023-24") & (table["n"] == 600)].iloc[0]
    return GapStatement(dataset_id=dataset.id, year="2023-24", dimension=row["dimension"], group=row["group"],
                        outcome=row["outcome"], comparison=row["comparison"])


def test_goal_progress_recomputes_each_year_and_says_the_gap_narrowed(two_years):
    store, project, dataset = two_years
    con = store.cursor()
    statement = _el_statement(project, dataset, con)
    project.statements = [statement]
    goal = Goal(statement_id=statement.id, measure="difference", baseline=-23.3, baseline_year="2023-24",
                target=-5, target_date=D(2026, 6, 30))
    project.goals = [goal]
    progress = monitoring.goal_progress(con, project, goal)
    assert [p.year for p in progress.points] == ["2023-24", "2024-25"]
    # 40/60 - 90/100 = -23.3 points; 50/60 - 90/100 = -6.7 points
    assert [round(p.value, 1) for p in progress.points] == [-23.3, -6.7]
    assert progress.points[0].low < -23.3 < progress.points[0].high
    assert progress.sentence.startswith(f"The gap in {statement.outcome} between {statement.group} and "
                                        f"{statement.comparison} narrowed from 23.3 points lower in 2023–24 to 6.7 "
                                        "points lower in 2024–25; the target is 5.0 points lower by June 2026.")
    rows = monitoring.figure_rows(goal, progress.points)
    assert [r[1] for r in rows] == ["\u221223.3 points", "\u22126.7 points"]
    assert rows[0][2].endswith(" points") and rows[0][2].count("points") == 1  # "−31.2 to −15.4 points"
    assert not progress.within_noise and not progress.off_track


def test_a_slow_goal_is_off_track(two_years):
    store, project, dataset = two_years
    con = store.cursor()
    statement = _el_statement(project, dataset, con)
    project.statements = [statement]
    goal = Goal(statement_id=statement.id, measure="rate", baseline=40 / 60, baseline_year="2023-24",
                target=0.99, target_date=D(2024, 12, 31))
    project.goals = [goal]
    progress = monitoring.goal_progress(con, project, goal)
    assert "rate of English learners rose from 66.7% in 2023–24 to 83.3% in 2024–25" in progress.sentence
    assert progress.off_track  # 83% in June 2025, but the line reached 99% by December 2024
    rows = monitoring.figure_rows(goal, progress.points)  # the table under the chart, as the sentence writes them
    assert [r[:2] + r[3:] for r in rows] == [["2023–24", "66.7%", "600"], ["2024–25", "83.3%", "600"]]
    assert rows[0][2].endswith("%") and " to " in rows[0][2]  # its Wilson 95% interval, in percent
    assert [a.kind for a in monitoring.alerts(con, project, today=D(2024, 1, 1))] == ["off_track"]


def test_a_change_smaller_than_its_margin_is_called_noise():
    points = [monitoring.GoalPoint("2023-24", -20.0, -32.0, -8.0, 60), monitoring.GoalPoint("2024-25", -12.0, -24.0, 0.0, 60)]
    assert monitoring.within_noise(points[0], points[1])
    assert not monitoring.within_noise(points[0], monitoring.GoalPoint("2024-25", -2.0, -4.0, 0.0, 900))


# ---- issue #21: honest monitoring

def test_a_shortfall_within_the_noise_is_not_off_track(plan):
    goal = plan.goals[0]  # -18 in 2024-25 to -8 by June 2027: about -13 expected in June 2026
    assert monitoring.off_track(goal, -15.0, "2025-26")  # no interval given: the line alone decides
    assert not monitoring.off_track(goal, -15.0, "2025-26", -21.0, -9.0)  # the line is inside the interval
    assert monitoring.off_track(goal, -15.0, "2025-26", -16.0, -14.0)  # beyond the noise


def test_an_average_without_an_interval_is_neither_real_nor_behind(two_years, monkeypatch):
    store, project, dataset = two_years
    statement = _el_statement(project, dataset, store.cursor())
    project.statements = [statement]
    goal = Goal(statement_id=statement.id, measure="mean", baseline=691.3, baseline_year="2023-24", target=720,
                target_date=D(2025, 6, 30))
    points = [monitoring.GoalPoint("2023-24", 691.3, None, None, 600), monitoring.GoalPoint("2024-25", 691.8, None, None, 600)]
    monkeypatch.setattr(monitoring, "goal_points", lambda con, project, goal, ranged=None: points)
    progress = monitoring.goal_progress(None, project, goal)
    assert not progress.off_track
    assert "cannot be told" in progress.sentence and "behind" not in progress.sentence


def test_a_gap_targets_sign_is_read_and_checked(plan):
    goal = plan.goals[0]
    goal.measure = "difference"
    assert monitoring._unit(goal, -8) == "8.0 points lower" and monitoring._unit(goal, 8) == "8.0 points higher"
    from successgaps.process import action_plan
    goal.target = 8
    assert any("other side of the comparison" in p for p in action_plan.goal_checks(plan, goal, today=D(2025, 1, 1)))
    goal.target = -8
    assert not any("other side" in p for p in action_plan.goal_checks(plan, goal, today=D(2025, 1, 1)))


def test_a_goal_says_when_the_comparison_changed(two_years, monkeypatch):
    store, project, dataset = two_years
    statement = _el_statement(project, dataset, store.cursor())
    project.statements = [statement]
    goal = Goal(statement_id=statement.id, measure="difference", baseline=-23.3, baseline_year="2023-24", target=-5,
                target_date=D(2026, 6, 30))
    points = [monitoring.GoalPoint("2023-24", -19.0, -24.0, -14.0, 600, "all students"),
              monitoring.GoalPoint("2024-25", -5.0, -9.0, -1.0, 600, "all students")]
    monkeypatch.setattr(monitoring, "goal_points", lambda con, project, goal, ranged=None: points)
    sentence = monitoring.goal_progress(None, project, goal).sentence
    assert sentence.startswith(f"The baseline changed: the goal was set comparing {statement.group} with "
                               f"{statement.comparison} (23.3 points lower); the comparison was changed in step 3 "
                               "to all students, so the 2023–24 baseline is now 19.0 points lower.")
    assert f"between {statement.group} and all students narrowed" in sentence


def test_an_average_gets_its_interval_and_a_tiny_change_is_noise(tmp_path):
    """691.3 -> 691.8 with a spread of 30 points is no real change, and no goal is off track for it."""
    import numpy as np
    import pandas as pd

    from successgaps.data import datasets
    from successgaps.models import GapStatement
    from successgaps.store import Store

    rng = np.random.default_rng(3)
    rows = []
    for year, el_mean in (("2023-24", 691.3), ("2024-25", 691.8)):
        el = rng.normal(0, 30, 200)
        el = el - el.mean() + el_mean  # exactly the stated averages
        rows += [{"id": f"{year}-e{i}", "year": year, "english_learner": "Y", "math_scale_score": round(v, 3)}
                 for i, v in enumerate(el)]
        rows += [{"id": f"{year}-o{i}", "year": year, "english_learner": "N", "math_scale_score": round(v, 3)}
                 for i, v in enumerate(rng.normal(720, 30, 400))]
    pd.DataFrame(rows).to_csv(tmp_path / "scores.csv", index=False)
    store = Store(tmp_path / "ws")
    try:
        project = store.create("Scores")
        dataset = datasets.create_dataset(store, project, tmp_path / "scores.csv", "scores.csv")
        outcome = next(c.label for c in dataset.columns if c.role == "outcome")
        group = next(v for c in dataset.columns if c.role == "group" for k, v in c.codes.items() if k == "Y")
        dimension = next(c.label for c in dataset.columns if c.role == "group")
        statement = GapStatement(dataset_id=dataset.id, year="2023-24", dimension=dimension, group=group,
                                 outcome=outcome, comparison="all other students")
        project.statements = [statement]
        # the line expects 694.2 in June 2025: 691.8 is short of it, but within the noise
        goal = Goal(statement_id=statement.id, measure="mean", baseline=691.3, baseline_year="2023-24", target=700,
                    target_date=D(2027, 6, 30))
        progress = monitoring.goal_progress(store.cursor(), project, goal)
        assert [round(p.value, 1) for p in progress.points] == [691.3, 691.8]
        first = progress.points[0]
        assert first.low == pytest.approx(691.3 - 1.972 * 30 / 200 ** 0.5, abs=0.5)  # mean ± t·s/√n
        assert progress.within_noise and not progress.off_track
        assert "within the noise" in progress.sentence and "behind" not in progress.sentence
        rows = monitoring.figure_rows(goal, progress.points)  # an average as its sentence writes it
        assert [r[1] for r in rows] == ["691.3", "691.8"] and rows[0][2].count(" to ") == 1
        assert monitoring.figure_rows(goal, [monitoring.GoalPoint("2023-24", 1671.04, 1650.2, 1690.0, 300.0, "")]) \
            == [["2023–24", "1,671.0", "1,650.2 to 1,690.0", "300"]]
    finally:
        store.close()


def test_a_goal_without_figures_says_why_and_what_to_do(two_years):
    """Step 7 never just says "no figures": a goal linked to no statement, a statement written by hand (no data set),
    a measure the data do not give, and a group hidden in every year each get their own sentence."""
    from successgaps.models import GapStatement  # noqa: PLC0415

    store, project, dataset = two_years
    con = store.cursor()
    goal = Goal(text="Close the gap", measure="difference")
    project.goals = [goal]
    assert monitoring.goal_progress(con, project, goal).sentence.startswith("This goal measures no gap statement yet")
    by_hand = GapStatement(group="English learners", outcome="Graduation", text="Written in the meeting")
    project.statements, goal.statement_id = [by_hand], by_hand.id
    assert "names no data set of this project" in monitoring.goal_progress(con, project, goal).sentence
    goal.measure = "other"
    assert "not one the data give" in monitoring.goal_progress(con, project, goal).sentence
    statement = _el_statement(project, dataset, con)
    project.statements, goal.statement_id, goal.measure = [statement], statement.id, "rate"
    project.gap_settings = project.gap_settings.model_copy(update={"min_n": 5000})  # every year below the minimum
    assert monitoring.goal_progress(con, project, goal).sentence == (
        f"No year of “{dataset.name}” shows {statement.group} · {statement.outcome}: the group is too small in every "
        "year or hidden to protect privacy.")


def test_a_goal_on_a_file_of_ranges_starts_from_no_middle_and_says_why_it_has_no_figure(tmp_path):
    """An EDFacts statement ("between 70% and 74% of Hispanic students"): its goal took the range's middle as its
    baseline (72.0%), and step 7 crashed on the file's missing counts (pd.NA) for a rate goal and wrote the middle
    as "the baseline: 18.6 points lower" for a gap goal. A range is no figure to start from or to follow."""
    from successgaps.data import datasets, views
    from successgaps.engine import ranking, statements
    from successgaps.engine.screen import screen
    from successgaps.process import action_plan, root_causes
    from successgaps.store import Store
    from tests.edfacts_fixture import EDFACTS

    path = tmp_path / "acgr.csv"
    path.write_text(EDFACTS)
    store = Store(tmp_path / "ws")
    try:
        project = store.create("Public file")
        dataset = datasets.create_dataset(store, project, path, path.name)
        con = store.cursor()
        table = screen(con, views.prepare(con, project, dataset), project.gap_settings, by_school=True)
        rows = ranking.select(table, level="school")
        row = rows[(rows["group"] == "Hispanic/Latino") & ~rows["suppressed"].astype(bool)
                   & rows["school"].eq("Town High")].iloc[0].to_dict()
        assert statements.is_ranged(row)  # 70-74
        statement = statements.add(project, row, statements.gap_sentence(row), dataset_id=dataset.id)
        priority = root_causes.add_priority(project, [], "Graduation")
        for measure in ("rate", "difference"):
            goal = action_plan.add_goal(project, priority.id, "Close it", statement.id, measure=measure)
            assert goal.baseline is None and goal.baseline_year  # the team types the baseline from exact figures
            progress = monitoring.goal_progress(con, project, goal)
            assert progress.points == [] and "as a range of rates" in progress.sentence
            assert "exact figures" in progress.sentence
    finally:
        store.close()
