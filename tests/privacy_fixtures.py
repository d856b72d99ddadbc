"""Small student-level files that stress small-group suppression (for tests/test_privacy_audit.py).

Every generator is deterministic (fixed blocks of students, or a seeded generator) and returns a
DataFrame with one row per student per year, in the sample district's column style:
student_id, school_id, school_name, school_year, grade, race_ethnicity (federal one-letter codes),
sex, disability, english_learner (Y/N), graduated_4yr (1/0) and math_scale_score, plus extra columns
in some shapes. `FIXTURES` names them; `write(name, folder)` saves one as CSV. Each generator has
a `combine` attribute: the pair of group columns to combine through the package API, or None.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SCHOOLS = {"101": "North High", "102": "South High", "103": "East High"}


def _block(school: str, year: str, race: str, n: int, grads: int, *, disabled_every: int = 7,
           el_every: int = 9, score: float = 700.0, start: int = 0) -> list[dict]:
    """n students of one school, year and race code; the first `grads` graduated. Sex alternates,
    every k-th student has a disability / is an English learner, scores spread over ±20 around `score`."""
    rows = []
    for i in range(n):
        k = start + i
        rows.append({
            "school_id": school, "school_name": SCHOOLS[school], "school_year": year, "grade": "12",
            "race_ethnicity": race, "sex": "F" if k % 2 else "M",
            "disability": "Y" if k % disabled_every == 0 else "N",
            "english_learner": "Y" if k % el_every == 3 else "N",
            "graduated_4yr": 1 if i < grads else 0,
            "math_scale_score": score + ((k * 7) % 41) - 20,
        })
    return rows


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df.insert(0, "student_id", [f"{900000 + i:06d}" for i in range(len(df))])
    return df


def zero_events() -> pd.DataFrame:
    """One school, one year: Black students (40) of whom nobody graduated, beside large groups."""
    return _frame(_block("101", "2023-24", "W", 120, 90) + _block("101", "2023-24", "H", 80, 60, start=1)
                  + _block("101", "2023-24", "B", 40, 0, start=2) + _block("101", "2023-24", "A", 12, 9, start=3))


def near_all() -> pd.DataFrame:
    """Near-100% groups: 37 of 40 Black students and 8 of 8 Asian students graduated."""
    return _frame(_block("101", "2023-24", "W", 150, 110) + _block("101", "2023-24", "H", 60, 45, start=1)
                  + _block("101", "2023-24", "B", 40, 37, start=2) + _block("101", "2023-24", "A", 8, 8, start=3))


def two_small() -> pd.DataFrame:
    """Two small hidden groups (5 and 4 students) beside two large ones."""
    return _frame(_block("101", "2023-24", "W", 200, 150) + _block("101", "2023-24", "H", 150, 100, start=1)
                  + _block("101", "2023-24", "B", 5, 2, start=2) + _block("101", "2023-24", "A", 4, 4, start=3))


def schools_years() -> pd.DataFrame:
    """Three schools × three years; Hispanic and Black groups are small at some schools in some years only."""
    rng = np.random.default_rng(20240501)
    rows = []
    sizes = {"W": (90, 140), "H": (18, 45), "B": (8, 36), "A": (2, 9)}
    for school in SCHOOLS:
        for year in ("2021-22", "2022-23", "2023-24"):
            for j, (race, (lo, hi)) in enumerate(sizes.items()):
                n = int(rng.integers(lo, hi + 1))
                grads = int(rng.binomial(n, 0.8 if race == "W" else 0.65))
                rows += _block(school, year, race, n, grads, start=j, score=690 + 10 * j)
    return _frame(rows)


def combined() -> pd.DataFrame:
    """Two schools; race × disability (combined through the API) makes several groups of 3-12."""
    rows = []
    for school, extra in (("101", 0), ("102", 15)):
        rows += _block(school, "2023-24", "W", 150 + extra, 120, disabled_every=6)
        rows += _block(school, "2023-24", "H", 90, 63, disabled_every=8, start=1)
        rows += _block(school, "2023-24", "B", 60 - extra, 40, disabled_every=5, start=2)
    return _frame(rows)


combined.combine = ("race_ethnicity", "disability")


def grad_and_not() -> pd.DataFrame:
    """Both `graduated` and `not_graduated` columns (complementary outcomes), with a small group."""
    df = _frame(_block("101", "2023-24", "W", 130, 100) + _block("101", "2023-24", "H", 70, 50, start=1)
                + _block("101", "2023-24", "B", 45, 41, start=2) + _block("101", "2023-24", "A", 9, 3, start=3)
                + _block("102", "2023-24", "W", 110, 80) + _block("102", "2023-24", "H", 40, 28, start=1)
                + _block("102", "2023-24", "B", 12, 6, start=2))
    df = df.rename(columns={"graduated_4yr": "graduated"})
    df["not_graduated"] = 1 - df["graduated"]
    return df.drop(columns=["math_scale_score"])


def missing_codes() -> pd.DataFrame:
    """Some students with no race code (blank) or one no code table knows (Q), some with no EL status."""
    df = _frame(_block("101", "2023-24", "W", 140, 100) + _block("101", "2023-24", "H", 60, 42, start=1)
                + _block("101", "2023-24", "B", 35, 20, start=2) + _block("101", "2023-24", "", 7, 5, start=3)
                + _block("101", "2023-24", "Q", 3, 1, start=4))
    df.loc[df.index % 23 == 5, "english_learner"] = ""
    return df


def scores() -> pd.DataFrame:
    """A numeric scale score (and graduation) over two years, with groups of 6 and 25 beside big ones."""
    rows = []
    for year, shift in (("2022-23", 0), ("2023-24", 4)):
        rows += _block("101", year, "W", 160, 120, score=710 + shift)
        rows += _block("101", year, "H", 25 + shift, 18, score=690, start=1)
        rows += _block("101", year, "B", 6, 4, score=670 + shift, start=2)
        rows += _block("101", year, "A", 50, 44, score=730, start=3)
    return _frame(rows)


def many_schools() -> pd.DataFrame:
    """Twenty schools × two years, small groups everywhere: the vectorised passes of the gate pair a cell
    with up to sixteen partner schools (engine.certificates.packed_certificates)."""
    rng = np.random.default_rng(20261202)
    names = {f"{200 + i}": f"School {i + 1}" for i in range(20)}
    rows = []
    sizes = {"W": (40, 90), "H": (10, 40), "B": (3, 25), "A": (0, 8)}
    for school, name in names.items():
        for year in ("2022-23", "2023-24"):
            for j, (race, (lo, hi)) in enumerate(sizes.items()):
                n = int(rng.integers(lo, hi + 1))
                grads = int(rng.binomial(n, float(rng.uniform(0.5, 0.97))))
                for row in _block("101", year, race, n, grads, start=j, score=690 + 10 * j):
                    rows.append({**row, "school_id": school, "school_name": name})
    return _frame(rows)


FIXTURES = {f.__name__: f for f in (zero_events, near_all, two_small, schools_years, combined, grad_and_not,
                                    missing_codes, scores, many_schools)}


def write(name: str, folder: Path | str) -> Path:
    """Save fixture `name` as folder/name.csv; the path."""
    path = Path(folder) / f"{name}.csv"
    FIXTURES[name]().to_csv(path, index=False)
    return path
