"""The sample district a first-time user tries the app on."""

import pandas as pd
import pytest

from successgaps.process import sample


def test_the_sample_is_deterministic_and_district_sized():
    a = sample.generate(seed=7, students_per_grade=60)
    b = sample.generate(seed=7, students_per_grade=60)
    pd.testing.assert_frame_equal(a, b)
    full = sample.generate()
    per_year = full.groupby("school_year").size()
    assert list(per_year.index) == list(sample.YEARS)
    assert (per_year >= 10_000).all()
    assert set(full.race_ethnicity) == set(sample.RACE_CODES)


def test_the_planted_graduation_gap_for_english_learners_is_about_18_points():
    full = sample.generate()
    grads = full.dropna(subset=["graduated_4yr"])
    rates = grads.groupby("english_learner").graduated_4yr.mean()
    gap = (rates["Y"] - rates["N"]) * 100
    assert -24 < gap < -12


def test_some_groups_are_small_enough_to_need_suppression():
    full = sample.generate()
    latest = full[full.school_year == "2024-25"]
    pacific = latest[latest.race_ethnicity == "P"].groupby("school_name").size()
    assert pacific.max() < 30


def test_the_bundled_file_is_the_generator_output():
    bundled = pd.read_csv(sample.SAMPLE_PATH, dtype=str, keep_default_na=False)
    assert list(bundled.columns) == list(sample.generate(students_per_grade=5).columns)
    assert len(bundled) == len(sample.generate())


# ---- issue #21: a worked example, and sample projects named distinctly

@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "riverbend.csv"
    sample.generate(students_per_grade=60).to_csv(path, index=False)
    return path


def test_the_worked_example_fills_every_step(store, small_file):
    from successgaps.process import schedule
    from successgaps.process.progress import step_statuses
    from successgaps.process.team import coverage

    p = sample.worked_example(store, path=small_file)
    assert all(c.agreed for c in coverage(p))  # every stakeholder category at the table
    assert any(m.attendance and m.notes for m in p.meetings)
    assert p.focus_statement() is not None
    raters = {r.member_id for r in p.ratings}
    assert len(raters) >= 3
    assert any(len({r.level for r in p.ratings if r.indicator_id == i}) > 1 for i in {r.indicator_id for r in p.ratings})
    assert p.votes and p.priorities and all(pr.root_cause and pr.actionable for pr in p.priorities)
    assert p.goals and p.steps and sum(r.held for r in p.reviews) == 1
    assert all(r.date > schedule.plan_made(p) for r in p.reviews)
    assert [s.status for s in step_statuses(p)] == ["done"] * 6 + ["in progress"]


def test_new_sample_projects_are_named_distinctly(store, small_file):
    first = sample.create_project(store, path=small_file)
    second = sample.create_project(store, path=small_file)
    assert first.name == "Sample district — Riverbend Unified"
    assert second.name == "Sample district — Riverbend Unified (2)"
