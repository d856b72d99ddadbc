"""The sample district: a fictional, deterministic student-level file for trying the app.

`python -m successgaps.process.sample` writes `data/sample_district.csv`: Riverbend Unified, seven schools
(K-5, 6-8, 9-12), school years 2022-23 to 2024-25, one row per student per year (about 10,000
students a year), in the codes a student information system would export.

Planted gaps (expected sizes; the file's rates differ by sampling noise):
- Four-year graduation: English learners about 18 percentage points below all other students
  (about 71% vs 89%); students with disabilities about 14 points below.
- Reading and math: students with disabilities about 35 and English learners about 20 scale-score
  points lower (proficient = score >= 700, so about 25-30 points lower in proficiency).
- Out-of-school suspension: Black students about 3 times as likely as all other students.
- Newly identified for special education: Black students about 2.2 times as likely.
- Chronic absenteeism (days absent >= 10% of days enrolled): higher for economically disadvantaged
  and Hispanic/Latino students.
- Small groups: American Indian or Alaska Native (about 0.7%) and Native Hawaiian or Other Pacific
  Islander (about 0.3%) students and migrant students are few enough that most school-level cells
  must be suppressed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE_PATH = Path(__file__).resolve().parents[2] / "data" / "sample_district.csv"
YEARS = ("2022-23", "2023-24", "2024-25")
SCHOOLS = (  # id, name, lowest grade, highest grade
    ("101", "Riverside Elementary", 0, 5),
    ("102", "Oak Grove Elementary", 0, 5),
    ("103", "Hillcrest Elementary", 0, 5),
    ("201", "Lincoln Middle", 6, 8),
    ("202", "Jefferson Middle", 6, 8),
    ("301", "Central High", 9, 12),
    ("302", "Westview High", 9, 12),
)
RACE_CODES = ("H", "B", "W", "A", "I", "P", "T")
RACE_SHARES = (0.30, 0.14, 0.446, 0.06, 0.007, 0.003, 0.044)
DISABILITY_CATEGORIES = ("SLD", "SLI", "OHI", "AUT", "ID", "ED", "DD", "OTH")
DISABILITY_SHARES = (0.36, 0.18, 0.15, 0.12, 0.06, 0.06, 0.04, 0.03)


def _logit(p):
    return np.log(p / (1 - p))


def _expit(x):
    return 1 / (1 + np.exp(-x))


def generate(seed: int = 2025, students_per_grade: int = 770) -> pd.DataFrame:
    """One row per student per year. Deterministic for a given seed and size."""
    rng = np.random.default_rng(seed)
    # Cohorts: a student's grade in the first year is g0 (-2..12); grade in year y is g0 + y.
    g0 = np.repeat(np.arange(-2, 13), students_per_grade)
    count = g0.size
    race = rng.choice(RACE_CODES, size=count, p=RACE_SHARES)
    hispanic, black = race == "H", race == "B"
    econ = rng.random(count) < np.where(hispanic | black, 0.62, 0.32)
    el = rng.random(count) < np.where(hispanic, 0.38, np.where(race == "A", 0.22, 0.02))
    migrant = rng.random(count) < np.where(hispanic & econ, 0.05, 0.002)
    swd = rng.random(count) < np.where(black, 0.16, 0.13)
    category = np.where(swd, rng.choice(DISABILITY_CATEGORIES, size=count, p=DISABILITY_SHARES), "")
    sex = rng.choice(np.array(["F", "M"]), size=count)
    ability = rng.normal(0, 1, count)  # stable per student across years
    # Each student attends one of the schools serving their grade band.
    pick = rng.integers(0, 3, count)
    student_ids = rng.choice(np.arange(100000, 999999), size=count, replace=False)

    frames = []
    for y, year in enumerate(YEARS):
        grade = g0 + y
        keep = (grade >= 0) & (grade <= 12)
        idx = np.flatnonzero(keep)
        gr = grade[idx]
        band = np.where(gr <= 5, 0, np.where(gr <= 8, 1, 2))
        options = {0: (0, 1, 2), 1: (3, 4, 4), 2: (5, 6, 5)}
        school_index = np.array([options[b][p] for b, p in zip(band, pick[idx])])
        school_id = np.array([SCHOOLS[i][0] for i in school_index])
        school_name = np.array([SCHOOLS[i][1] for i in school_index])
        n = idx.size
        r, e, l, d = race[idx], econ[idx], el[idx], swd[idx]
        b, h = r == "B", r == "H"

        days_enrolled = np.where(rng.random(n) < 0.08, rng.integers(60, 170, n), 175)
        absence_rate = np.clip(
            rng.gamma(1.6, 0.032 + 0.025 * e + 0.012 * h + 0.010 * d, n), 0, 0.9
        )
        days_absent = np.round(days_enrolled * absence_rate).astype(int)
        chronic = (days_absent >= 0.10 * days_enrolled).astype(int)

        tested = ((gr >= 3) & (gr <= 8)) | (gr == 10)
        base = 728 + 30 * ability[idx] - 35 * d - 20 * l - 10 * e + 2 * y
        reading = np.round(base + rng.normal(0, 25, n))
        math = np.round(base + 4 - 3 * l + rng.normal(0, 28, n))

        susp_p = _expit(_logit(0.035) + np.log(3.2) * b + np.log(1.9) * d + 0.3 * e - 0.25 * (gr <= 5))
        suspended = (rng.random(n) < susp_p).astype(int)
        ident_p = np.where(d, 0.0, 0.012 * np.where(b, 2.2, 1.0))
        identified = (rng.random(n) < ident_p).astype(int)

        grad_p = _expit(_logit(0.905) - 1.25 * l - 1.05 * d - 0.25 * e + 0.5 * ability[idx])
        graduated = (rng.random(n) < grad_p).astype(int)
        drop_p = _expit(_logit(0.018) + 1.1 * l + 0.7 * d + 0.4 * e)
        dropped = (rng.random(n) < drop_p).astype(int)

        frame = pd.DataFrame({
            "student_id": student_ids[idx].astype(str),
            "school_id": school_id,
            "school_name": school_name,
            "school_year": year,
            "grade": np.where(gr == 0, "KG", gr.astype(str)),
            "race_ethnicity": r,
            "sex": sex[idx],
            "disability": np.where(d, "Y", "N"),
            "disability_category": category[idx],
            "english_learner": np.where(l, "Y", "N"),
            "econ_disadvantaged": np.where(e, "Y", "N"),
            "migrant": np.where(migrant[idx], "Y", "N"),
            "graduated_4yr": pd.array(np.where(gr == 12, graduated, -1), dtype="Int64"),
            "dropped_out": pd.array(np.where(gr >= 9, dropped, -1), dtype="Int64"),
            "reading_scale_score": pd.array(np.where(tested, reading, -1).astype(int), dtype="Int64"),
            "reading_proficient": np.where(tested, np.where(reading >= 700, "Y", "N"), ""),
            "math_scale_score": pd.array(np.where(tested, math, -1).astype(int), dtype="Int64"),
            "math_proficient": np.where(tested, np.where(math >= 700, "Y", "N"), ""),
            "days_enrolled": days_enrolled,
            "days_absent": days_absent,
            "chronically_absent": chronic,
            "suspended_oss": suspended,
            "newly_identified_sped": pd.array(np.where(d, -1, identified), dtype="Int64"),
        })
        for column in ("graduated_4yr", "dropped_out", "reading_scale_score", "math_scale_score",
                       "newly_identified_sped"):
            frame[column] = frame[column].mask(frame[column] == -1)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["school_year", "school_id", "grade", "student_id"], kind="stable").reset_index(drop=True)


def write(path: Path = SAMPLE_PATH, seed: int = 2025) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    generate(seed).to_csv(path, index=False)
    return path


def create_project(store, name: str = "Sample district — Riverbend Unified"):
    """One click for a first-time user: a new project holding the sample district's file, mapped."""
    from ..data import datasets  # noqa: PLC0415 - the data step is only needed for this one click

    if not SAMPLE_PATH.exists():
        write()
    project = store.create(name)
    dataset = datasets.create_dataset(store, project, SAMPLE_PATH, SAMPLE_PATH.name, name="Sample district students")
    dataset.confirmed = True  # the sample's proposed mapping is known to be right
    return store.save(project)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the fictional sample district's student file.")
    parser.add_argument("--out", type=Path, default=SAMPLE_PATH)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--ensure-project", action="store_true",
                        help="also create the sample project in the workspace when it has no projects yet")
    args = parser.parse_args(argv)
    if not args.ensure_project or not args.out.exists():
        print(f"Wrote {write(args.out, args.seed)}")
    if args.ensure_project:
        from ..store import Store  # noqa: PLC0415

        store = Store()
        try:
            if not store.list():
                print(f"Created the project “{create_project(store).name}” in {store.workspace}")
        finally:
            store.close()


if __name__ == "__main__":
    main()
