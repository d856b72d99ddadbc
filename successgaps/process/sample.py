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
import datetime as dt
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


SAMPLE_NAME = "Sample district — Riverbend Unified"
WORKED_NAME = "Worked example — Riverbend Unified"


def unique_name(store, base: str) -> str:
    """`base`, or `base (2)`, `base (3)` … : each new sample project is named distinctly."""
    taken = {p.name for p in store.list()}
    if base not in taken:
        return base
    return next(f"{base} ({n})" for n in range(2, len(taken) + 3) if f"{base} ({n})" not in taken)


def create_project(store, name: str = "", path: Path | None = None):
    """One click for a first-time user: a new project holding the sample district's file, mapped."""
    from ..data import datasets  # noqa: PLC0415 - the data step is only needed for this one click

    path = path or SAMPLE_PATH
    if path == SAMPLE_PATH and not SAMPLE_PATH.exists():
        write()
    project = store.create(unique_name(store, name or SAMPLE_NAME))
    dataset = datasets.create_dataset(store, project, path, path.name, name="Sample district students")
    dataset.confirmed = True  # the sample's proposed mapping is known to be right
    return store.save(project)


# The worked example's team: every stakeholder category at the table (name, role, category).
TEAM = (
    ("Maria Alvarez", "Parent of an English learner at Central High", "family"),
    ("Dana Brooks", "English teacher, Central High", "general_education"),
    ("Sam Okafor", "Special education teacher", "special_education"),
    ("Lee Chen", "School counselor", "support_staff"),
    ("Pat Romero", "Principal, Central High", "leader"),
    ("Jordan Hale", "Riverbend Library outreach", "community"),
    ("Kim Patel", "District data specialist (facilitator)", "other"),
)
FIRST_MEETING = dt.date(2025, 9, 9)


def _focus_row(con, project, dataset):
    """The English learners' four-year graduation gap in the latest year (else the largest gap shown)."""
    from ..data import views  # noqa: PLC0415
    from ..engine import ranking, suppression  # noqa: PLC0415
    from ..engine.screen import screen  # noqa: PLC0415

    table = suppression.for_export(screen(con, views.prepare(con, project, dataset), project.gap_settings,
                                          extra=True))
    latest = ranking.select(table, level="district", year=max(y for y in table["year"] if y))
    shown, _ = ranking.ranked(latest[latest["dimension"] != "All"], project.gap_settings)
    binary = shown[shown["kind"] == "binary"]
    wanted = binary[binary["group"].str.contains("English learner", case=False)
                    & binary["outcome"].str.contains("grad", case=False)]
    return (wanted if len(wanted) else binary).iloc[0]


def worked_example(store, name: str = "", path: Path | None = None):
    """The sample district carried through all seven steps, so a new facilitator or a trainer sees
    every step filled: a team with every stakeholder category, a meeting plan with records, a focus
    statement, rubric ratings by several members with disagreements and consensus, areas of need,
    votes, priorities with root causes, a plan with goals and steps, one held review."""
    from ..engine import statements  # noqa: PLC0415
    from . import action_plan, meetings, monitoring, root_causes, rubric, team  # noqa: PLC0415

    project = create_project(store, name or WORKED_NAME, path)
    con = store.cursor()
    dataset = project.datasets[0]
    # step 1: the team and the meetings
    project.facilitator = "Kim Patel"
    members = [team.add_member(project, who, role, category, agreed=True) for who, role, category in TEAM]
    meetings.make_plan(project, 180, FIRST_MEETING, place="Central High library", today=FIRST_MEETING)
    ids = [m.id for m in members]
    working = [m for m in project.meetings if m.kind != "monitoring"]
    for i, m in enumerate(working):
        meetings.set_attendance(project, m.id, ids if i % 2 == 0 else ids[:-1])
        meetings.set_record(project, m.id, "notes", f"Meeting {m.number}: we worked through “{m.title}”.")
        meetings.set_record(project, m.id, "decisions", "Agreed by consensus; see the step's page.")
        meetings.add_evaluation(project, m.id, {q: 3 + (i + j) % 2 for j, q in enumerate(meetings.QUESTIONS)},
                                "Useful meeting.")
    # step 3: the focus statement
    row = _focus_row(con, project, dataset)
    focus = statements.add(project, row, statements.gap_sentence(row), dataset_id=dataset.id)
    # step 4: members rate on their own (they disagree on some indicators), then the team agrees
    raters = ids[:4]
    levels = ("planning", "partial", "implemented", "exemplary")
    for k, indicator in enumerate(rubric.indicator_ids(project)):
        agreed = levels[(k * 3) % 4]
        for r, member_id in enumerate(raters):
            own = levels[min(3, max(0, levels.index(agreed) + ((k + r) % 3 - 1) * (k % 2)))]
            rubric.set_rating(project, member_id, indicator, own, note="From what I see in my work.")
        rubric.set_consensus(project, indicator, agreed, evidence="Discussed the members' evidence and the data.",
                             needs="" if k % 3 else "Ask the students themselves.")
    # step 5: areas of need, votes, priorities with root causes
    needs = [a.indicator_id for a in root_causes.areas_of_need(project)]
    for r, member_id in enumerate(ids):
        root_causes.cast_votes(project, member_id, [needs[(r + j) % len(needs)] for j in range(min(3, len(needs)))])
    chosen = sorted(needs, key=lambda i: -root_causes.tally(project).get(i, 0))[:2]
    causes = ("English learners are not told early enough which credits they still need to graduate.",
              "Seniors who fall behind have no adult who checks in with them each week.")
    for indicator, cause in zip(chosen, causes):
        priority = root_causes.add_priority(project, [indicator], statement_ids=[focus.id])
        priority.root_cause, priority.actionable = cause, True
        root_causes.set_whys(priority, ["Why? Credit checks happen once a year.", "Why? Counselors see 400 students.",
                                        "Why? No one else is asked to do it."])
    # step 6: goals and action steps
    for i, priority in enumerate(project.priorities):
        how = ("every English learner knows each semester which credits are still needed" if i == 0
               else "every senior who falls behind has an adult who checks in each week")
        goal = action_plan.add_goal(project, priority.id, f"Close the gap for {focus.group} in {focus.outcome}: "
                                    f"{how}", statement_id=focus.id, measure="difference")
        if goal.baseline is not None:
            goal.target = round(goal.baseline / 2, 1)
        goal.target_date = dt.date(2028, 6, 30)
        goal.evidence = "The district's graduation file each fall, screened in step 3."
        action_plan.add_step(project, goal.id, "Credit check with every English learner each semester" if i == 0
                             else "A weekly check-in adult for every senior who is behind",
                             owner_id=ids[3 + i], start=dt.date(2026, 1, 12), due=dt.date(2026, 6, 1),
                             resources="Counselor time", evidence="Check-in log")
    # step 7: the one review schedule, and one held review
    made = max(m.date for m in working)
    monitoring.apply_schedule(project, monitoring.review_schedule(project, today=made))
    first = min((r for r in project.reviews if r.kind == "full_team"), key=lambda r: r.date)
    first.attendees = ids[:6]
    first.fidelity = "Both steps started on time."
    first.decisions = "Keep going; add a family night in the spring."
    for step in project.steps:
        step.status = "on_track"
    monitoring.record_review(project, first)
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
