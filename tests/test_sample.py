"""The sample district a first-time user tries the app on."""

import pandas as pd

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
