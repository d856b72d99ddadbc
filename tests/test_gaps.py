"""The gap engine, checked against hand-computed figures and direct computations."""

import math
from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from successgaps.data.prepared import Dimension, Outcome, Prepared
from successgaps.engine import columns, ranking, suppression
from successgaps.engine import stats as engine_stats
from successgaps.engine.memo import Memo
from successgaps.engine.screen import lattice, screen, screen_settings
from successgaps.models import GapSettings

Z = 1.959963984540054
OPEN = GapSettings(min_n=0, min_cell=0)  # formulas only, no minimum sizes


def students(con, groups: dict, *, dimension="Program", name="s", school="North", year="2024-25", extra=None):
    """A student view: {group: (n, events)} -> rows with a binary outcome 'Graduated' (1 for the first `events`)."""
    rows = []
    for group, (n, events) in groups.items():
        for i in range(n):
            rows.append({"school": school, "year": year, "d_prog": group, "o_grad": float(i < events)})
    frame = pd.DataFrame(rows)
    con.register("frame", frame)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM frame")
    return Prepared("student", name, (Dimension("d_prog", dimension),), (Outcome("o_grad", "Graduated"),))


def row(df, group, level="district", outcome="Graduated"):
    hit = df[(df["group"] == group) & (df["level"] == level) & (df["outcome"] == outcome)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def wilson(e, n):
    p = e / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def test_table_has_exactly_the_documented_columns_in_order(con):
    prepared = students(con, {"A": (56, 40), "B": (80, 48)})
    assert list(screen(con, prepared).columns) == columns.COLUMNS


def test_newcombe_published_example_56_of_70_vs_48_of_80(con):
    """Newcombe (1998), example (a): 56/70 - 48/80, hybrid score interval 0.0524 to 0.3339."""
    df = screen(con, students(con, {"A": (70, 56), "B": (80, 48)}), by_school=False)
    a = row(df, "A")
    assert (a["n"], a["events"], a["comparison_n"]) == (70, 56, 80)
    assert a["rate"] == pytest.approx(0.8) and a["comparison_rate"] == pytest.approx(0.6)
    assert a["comparison"] == "all other students"
    assert a["difference"] == pytest.approx(20.0)
    assert a["risk_ratio"] == pytest.approx(0.8 / 0.6)
    assert a["ci_low"] == pytest.approx(5.24, abs=0.01) and a["ci_high"] == pytest.approx(33.39, abs=0.01)
    # large counts: chi-square without continuity correction
    chi = stats.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert a["p_value"] == pytest.approx(chi.pvalue)
    assert a["effect_size"] == pytest.approx(2 * math.asin(math.sqrt(0.8)) - 2 * math.asin(math.sqrt(0.6)))
    b = row(df, "B")
    assert b["difference"] == pytest.approx(-20.0) and b["ci_high"] == pytest.approx(-5.24, abs=0.01)
    assert not a["suppressed"] and a["suppression_reason"] == ""


def test_small_counts_use_fishers_exact_test(con):
    # expected counts: the smallest is 9·10/19 = 4.7 < 5
    df = screen(con, students(con, {"A": (10, 2), "B": (9, 8)}), OPEN, by_school=False)
    a = row(df, "A")
    assert a["p_value"] == pytest.approx(stats.fisher_exact([[2, 8], [8, 1]]).pvalue)
    assert a["p_value"] != pytest.approx(stats.chi2_contingency([[2, 8], [8, 1]], correction=False).pvalue)
    # all expected counts at least 5 (smallest 11·11/23 = 5.3): chi-square
    df = screen(con, students(con, {"A": (12, 3), "B": (11, 9)}), OPEN, by_school=False)
    assert row(df, "A")["p_value"] == pytest.approx(
        stats.chi2_contingency([[3, 9], [9, 2]], correction=False).pvalue)


def test_fishers_exact_test_for_many_tables_at_once_matches_scipy_table_by_table():
    rng = np.random.default_rng(11)
    tables = []
    for _ in range(1500):  # small groups against large comparisons, as a school screen has them
        n1, n2 = int(rng.integers(0, 60)), int(rng.integers(0, 3000))
        a, c = int(rng.integers(0, n1 + 1)), int(rng.integers(0, min(n2, 8) + 1))
        tables.append((a, n1, n2, a + c))
    tables += [(2, 10, 9, 10), (5, 10, 10, 10), (0, 0, 5, 2), (3, 12000, 20000, 10)]  # ties, an empty row, wide
    a, n1, n2, k = (np.array(x, float) for x in zip(*tables))
    ours = engine_stats.fisher_exact_p(a, n1, n2, k)
    theirs = [stats.fisher_exact([[x, m - x], [t - x, r - (t - x)]]).pvalue for x, m, r, t in tables]
    assert ours == pytest.approx(theirs, rel=1e-9)


def test_fishers_test_on_estimated_counts_rounds_each_cell_of_the_table():
    # an aggregate file gives rates: 24% of 10 and 8.5% of 40 students are 2.4 and 3.4 "events"
    p = engine_stats.two_proportion_p(np.array([2.4]), np.array([10.0]), np.array([3.4]), np.array([40.0]))
    assert p[0] == pytest.approx(stats.fisher_exact([[2, 8], [3, 37]]).pvalue, rel=1e-9)


def test_zero_events(con):
    df = screen(con, students(con, {"A": (40, 0), "B": (60, 10)}), OPEN, by_school=False)
    a = row(df, "A")
    assert a["rate"] == 0 and a["events"] == 0 and a["risk_ratio"] == 0
    assert a["difference"] == pytest.approx(-100 / 6)
    l1, u1 = wilson(0, 40)
    l2, u2 = wilson(10, 60)
    p2 = 10 / 60
    assert l1 == pytest.approx(0, abs=1e-12)
    assert a["ci_low"] == pytest.approx((-p2 - math.sqrt(0 + (u2 - p2) ** 2)) * 100)
    assert a["ci_high"] == pytest.approx((-p2 + math.sqrt(u1 ** 2 + (p2 - l2) ** 2)) * 100)
    # with the default minimum cell size, zero events cannot be shown
    hidden = row(screen(con, students(con, {"A": (40, 0), "B": (60, 10)}), by_school=False), "A")
    assert hidden["suppressed"] and "with the outcome" in hidden["suppression_reason"]
    assert pd.isna(hidden["rate"]) and pd.isna(hidden["difference"]) and pd.isna(hidden["events"])


def test_group_that_is_everyone_has_an_empty_comparison(con):
    prepared = students(con, {"All of us": (50, 40)})
    a = row(screen(con, prepared, OPEN, by_school=False), "All of us")
    assert a["comparison_n"] == 0 and a["rate"] == pytest.approx(0.8)
    assert pd.isna(a["comparison_rate"]) and pd.isna(a["difference"]) and pd.isna(a["risk_ratio"])
    assert pd.isna(a["ci_low"]) and pd.isna(a["p_value"])
    # with the default minimum sizes too: its figures are the place's total, which hiding cannot protect,
    # so it is shown with an empty comparison and a note that says why there is no gap
    a = row(screen(con, prepared, by_school=False), "All of us")
    assert not a["suppressed"] and a["rate"] == pytest.approx(0.8) and a["events"] == 40
    assert pd.isna(a["comparison_rate"]) and pd.isna(a["difference"])
    assert a["note"] == "every student here is in this group: there is no one to compare with"
    small = row(screen(con, students(con, {"All of us": (50, 45)}), by_school=False), "All of us")
    assert small["suppressed"] and "without the outcome" in small["suppression_reason"]  # its own tests still apply


def test_all_students_comparison_scales_the_group_vs_others_interval(con):
    settings = GapSettings(comparison="all_students")
    a = row(screen(con, students(con, {"A": (70, 56), "B": (80, 48)}), settings, by_school=False), "A")
    w = 80 / 150
    assert a["comparison"] == "all students" and a["comparison_n"] == 150
    assert a["comparison_rate"] == pytest.approx(104 / 150)
    assert a["difference"] == pytest.approx((0.8 - 104 / 150) * 100)
    assert a["difference"] == pytest.approx(w * 20.0)
    assert a["ci_low"] == pytest.approx(w * 5.24, abs=0.01) and a["ci_high"] == pytest.approx(w * 33.39, abs=0.01)
    assert a["p_value"] == pytest.approx(stats.chi2_contingency([[56, 14], [48, 32]], correction=False).pvalue)


def test_reference_group_comparison(con):
    settings = GapSettings(comparison="reference", reference_group="B")
    df = screen(con, students(con, {"A": (70, 56), "B": (80, 48), "C": (50, 20)}), settings, by_school=False)
    a, b = row(df, "A"), row(df, "B")
    assert a["comparison"] == "B" and a["comparison_n"] == 80 and a["difference"] == pytest.approx(20.0)
    assert a["ci_low"] == pytest.approx(5.24, abs=0.01)
    assert b["comparison"] == "all other students" and b["comparison_n"] == 120
    assert b["comparison_rate"] == pytest.approx(76 / 120)


def test_benchmark_rate(con):
    settings = GapSettings(comparison="benchmark", benchmark_rate=0.7)
    a = row(screen(con, students(con, {"A": (70, 56), "B": (80, 48)}), settings, by_school=False), "A")
    assert a["comparison"] == "benchmark rate" and pd.isna(a["comparison_n"])
    assert a["comparison_rate"] == pytest.approx(0.7) and a["difference"] == pytest.approx(10.0)
    assert a["risk_ratio"] == pytest.approx(0.8 / 0.7)
    low, high = wilson(56, 70)
    assert a["ci_low"] == pytest.approx((low - 0.7) * 100) and a["ci_high"] == pytest.approx((high - 0.7) * 100)
    z = (0.8 - 0.7) / math.sqrt(0.7 * 0.3 / 70)
    assert a["p_value"] == pytest.approx(2 * stats.norm.sf(z))


def test_alternate_risk_ratio_when_the_comparison_group_is_too_small(con):
    settings = GapSettings(benchmark_rate=0.6)
    small = {"S1": (8, 4), "S2": (7, 3), "S3": (6, 3), "S4": (6, 3)}  # 27 others: fewer than 30
    df = screen(con, students(con, {"Big": (100, 50), **small}), settings, by_school=False)
    big = row(df, "Big")
    assert not big["suppressed"] and big["comparison"].startswith("benchmark rate (alternate risk ratio")
    assert big["risk_ratio"] == pytest.approx(0.5 / 0.6)
    assert all(row(df, g)["suppressed"] for g in small)


def test_minimum_sizes_are_settable_and_give_reasons(con):
    """Primary rules, read before the gate (`lattice`): too few students, too few with the outcome, and
    too few *without* it (37 of 40 graduates tell that 3 did not graduate)."""
    prepared = students(con, {"A": (29, 20), "B": (100, 9), "C": (100, 50), "D": (40, 37), "E": (120, 60)})
    df = lattice(con, prepared, GapSettings())
    assert row(df, "A")["suppression_reason"] == "fewer than 30 students in the group"
    assert row(df, "B")["suppression_reason"] == "fewer than 10 students in the group with the outcome"
    assert row(df, "D")["suppression_reason"] == "fewer than 10 students in the group without the outcome"
    assert not row(df, "C")["suppressed"]
    df = screen(con, prepared, GapSettings(min_n=20, min_cell=3), by_school=False)
    assert not df["suppressed"].any()


def test_complementary_suppression_hides_more_and_says_why_and_every_view_agrees(con):
    """One small group hidden among shown groups could be worked out from the total: more cells are
    hidden, each saying which group it protects, and the district view hides what the full view does."""
    frames = []
    for school, sizes in {"North": {"A": (100, 60), "B": (90, 50), "C": (20, 15)},
                          "South": {"A": (120, 70), "B": (80, 40), "C": (40, 20)}}.items():
        for group, (n, events) in sizes.items():
            frames.append(pd.DataFrame({"school": school, "year": "2024-25", "d_prog": group,
                                        "o_grad": (np.arange(n) < events).astype(float)}))
    con.register("frame", pd.concat(frames))
    con.execute("CREATE TABLE two AS SELECT * FROM frame")
    prepared = Prepared("student", "two", (Dimension("d_prog", "Program"),), (Outcome("o_grad", "Graduated"),))
    assert lattice(con, prepared, GapSettings())["suppressed"].sum() == 1  # only C at North is too small
    df = screen(con, prepared)
    hidden = df[df["suppressed"]]
    assert len(hidden) >= 4  # C at North, a partner there, and the same pair at South (North + South = district)
    assert (hidden["suppression_reason"] == "hidden so that a smaller group (C, North, 2024-25) cannot be worked "
                                            "out from the totals").any()
    assert (df.groupby(["level", "school", "year", "dimension", "outcome"])["suppressed"].sum() != 1).all()
    district = screen(con, prepared, by_school=False)
    pd.testing.assert_frame_equal(district, df[df["level"] == "district"].reset_index(drop=True))
    assert suppression.for_export(df) is df
    with pytest.raises(ValueError):
        suppression.for_export(df.copy().assign(suppressed=False).pipe(lambda t: t.__setattr__("attrs", {}) or t))


def test_a_group_that_cannot_be_protected_one_year_is_still_shown_in_the_other_years(con):
    """Years are separate tables. A year of four students (as the first year of the OpenSDP Texas file) cannot
    protect its one girl by any exchange of figures, so her dimension is hidden that year; the other year's
    sexes and races, large enough and shown before this rule met them, stay shown (they were hidden "so that a
    smaller group (Female, the whole file, 2002) cannot be worked out"), and a row hidden for another's sake
    names a group of its own year."""
    rng = np.random.default_rng(2)
    tiny = pd.DataFrame({"school": ["S1", "S1", "S2", "S3"], "sex": ["M", "M", "M", "F"], "race": ["B", "B", "W", "W"]})
    size = 600
    large = pd.DataFrame({"school": rng.choice(["S1", "S2", "S3"], size), "sex": rng.choice(["M", "F"], size),
                          "race": rng.choice(["B", "W"], size)})
    frame = pd.concat([tiny.assign(year="2002"), large.assign(year="2012")], ignore_index=True)
    frame["o_score"] = np.round(rng.normal(1300, 150, len(frame)))
    con.register("frame", frame)
    con.execute("CREATE TABLE years AS SELECT * FROM frame")
    prepared = Prepared("student", "years", (Dimension("sex", "Sex"), Dimension("race", "Race")),
                        (Outcome("o_score", "Reading scale score", kind="numeric"),))
    df = screen(con, prepared, GapSettings())
    early, late = df[df["year"] == "2002"], df[df["year"] == "2012"]
    assert early["suppressed"].all()
    assert not late.loc[late["level"] == "district", "suppressed"].any()
    cause = df["suppression_reason"].str.extract(r"\((?:.*), ([^,]*)\) cannot be worked out")[0]
    assert (cause.isna() | (cause == df["year"])).all()


def test_numeric_outcome_matches_a_direct_computation(con):
    rng = np.random.default_rng(7)
    values = {"A": rng.normal(700, 40, 45), "B": rng.normal(720, 60, 120), "C": rng.normal(715, 50, 80)}
    frame = pd.concat(pd.DataFrame({"school": "North", "year": "2024-25", "d_prog": g, "o_score": v})
                      for g, v in values.items())
    frame.loc[frame.index[:3], "o_score"] = np.nan  # missing scores are left out
    con.register("frame", frame)
    con.execute("CREATE TABLE num AS SELECT * FROM frame")
    prepared = Prepared("student", "num", (Dimension("d_prog", "Program"),),
                        (Outcome("o_score", "Reading score", kind="numeric"),))
    df = screen(con, prepared, by_school=False)
    a = row(df, "A", outcome="Reading score")
    x = frame.loc[frame["d_prog"] == "A", "o_score"].dropna().to_numpy()
    y = frame.loc[frame["d_prog"] != "A", "o_score"].dropna().to_numpy()
    assert a["n"] == len(x) == 42 and a["comparison_n"] == len(y)
    assert a["mean"] == pytest.approx(x.mean()) and a["comparison_mean"] == pytest.approx(y.mean())
    assert a["difference"] == pytest.approx(x.mean() - y.mean())
    welch = stats.ttest_ind(x, y, equal_var=False)
    ci = welch.confidence_interval(0.95)
    assert a["p_value"] == pytest.approx(welch.pvalue)
    assert (a["ci_low"], a["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    sp = math.sqrt(((len(x) - 1) * x.var(ddof=1) + (len(y) - 1) * y.var(ddof=1)) / (len(x) + len(y) - 2))
    g = (1 - 3 / (4 * (len(x) + len(y)) - 9)) * (x.mean() - y.mean()) / sp
    assert a["effect_size"] == pytest.approx(g)
    assert pd.isna(a["rate"]) and pd.isna(a["risk_ratio"])


def test_the_same_students_in_another_order_give_every_figure_to_the_last_digit(con):
    """A team that screens its file twice, or sorts it first, gets the same table, digit for digit: whole
    values (scale scores, days absent) are added up exactly, whatever order DuckDB's threads take the rows in
    (before, a mean's interval, p-value and effect size could differ in their 16th digit from run to run)."""
    rng = np.random.default_rng(5)
    size = 60_000
    frame = pd.DataFrame({"school": rng.choice([f"S{i}" for i in range(12)], size),
                          "year": rng.choice(["2023-24", "2024-25"], size),
                          "d_a": rng.choice(["X", "Y", "Z"], size), "d_b": rng.choice(["P", "Q", None], size),
                          "o_score": np.where(rng.random(size) < 0.1, np.nan, np.round(rng.normal(700, 40, size))),
                          "o_days": np.round(rng.gamma(2, 4, size))})
    tables = []
    for name, part in (("in_order", frame), ("shuffled", frame.sample(frac=1, random_state=3))):
        con.register("frame", part)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
        prepared = Prepared("student", name, (Dimension("d_a", "A"), Dimension("d_b", "B")),
                            (Outcome("o_score", "Score", kind="numeric"), Outcome("o_days", "Days", kind="numeric")))
        tables.append(screen(con, prepared, GapSettings(min_n=1, min_cell=0)))
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)
    scores = frame.loc[(frame["d_a"] == "X") & (frame["year"] == "2024-25"), "o_score"].dropna()
    x = row(tables[0][tables[0]["year"] == "2024-25"], "X", outcome="Score")
    assert x["mean"] == pytest.approx(scores.mean(), rel=1e-13) and x["n"] == len(scores)


def aggregate(con, rows, *, has_school=True):
    frame = pd.DataFrame(rows, columns=["school", "year", "dimension", "group", "outcome", "n", "events",
                                        "rate_low", "rate_high", "source_flag"])
    con.register("frame", frame)
    con.execute("CREATE OR REPLACE TABLE agg AS SELECT * FROM frame")
    return Prepared("aggregate", "agg", (Dimension("Disability", "Disability"),),
                    (Outcome("Four-year graduation", "Four-year graduation"),), has_school=has_school)


def test_range_coded_rates_keep_their_interval(con):
    g = "Four-year graduation"
    prepared = aggregate(con, [
        ("North", "2014-15", "All", "All students", g, 200, None, 0.80, 0.84, "range"),
        ("North", "2014-15", "Disability", "Students with disabilities", g, 40, None, 0.60, 0.64, "range"),
    ])
    r = row(screen(con, prepared, extra=True), "Students with disabilities", "school", "Four-year graduation")
    assert (r["rate_low"], r["rate"], r["rate_high"]) == pytest.approx((0.60, 0.62, 0.64))
    # all others: low = (200·.80 - 40·.64)/160 = .84, high = (200·.84 - 40·.60)/160 = .90
    assert (r["comparison_rate_low"], r["comparison_rate_high"]) == pytest.approx((0.84, 0.90))
    assert r["comparison_n"] == 160 and r["comparison_rate"] == pytest.approx(0.87)
    assert r["difference"] == pytest.approx(-25.0)
    assert (r["difference_low"], r["difference_high"]) == pytest.approx((-30.0, -20.0))
    assert pd.isna(r["ci_low"]) and pd.isna(r["p_value"]) and pd.isna(r["events"])


GRADUATION = "Four-year graduation"
TWO_SCHOOLS = [  # a public file's school rows: ranges, an exact rate and a group the source suppressed (PS)
    ("North", "2014-15", "All", "All students", GRADUATION, 200, None, 0.80, 0.84, "range"),
    ("North", "2014-15", "Disability", "Students with disabilities", GRADUATION, 40, None, 0.60, 0.64, "range"),
    ("South", "2014-15", "All", "All students", GRADUATION, 300, None, 0.90, 0.90, "exact"),
    ("South", "2014-15", "Disability", "Students with disabilities", GRADUATION, 60, None, None, None, "suppressed"),
]


def test_district_level_sums_schools_with_interval_arithmetic_and_carries_ps(con):
    prepared = aggregate(con, TWO_SCHOOLS)
    df = screen(con, prepared, extra=True)
    south = df[(df["school"] == "South")].iloc[0]
    assert south["suppressed"] and south["suppression_reason"] == "suppressed in the source file (PS)"
    d = row(df, "Students with disabilities", outcome="Four-year graduation")
    assert d["n"] == 100, d["suppression_reason"]
    assert not d["suppressed"], d["suppression_reason"]
    # North's 40 at .60-.64, South's 60 anywhere in 0-1
    assert (d["rate_low"], d["rate_high"]) == pytest.approx((0.24, 0.856))
    assert d["school"] == "" and d["comparison_n"] == 400


def three_years(con, el_graduates: tuple[int, int, int]) -> Prepared:
    """North's 100 English learners and 100 other students a year, 2022-23 to 2024-25: `el_graduates` of the
    English learners graduate each year, 90 of the others."""
    frames = []
    for year, el_events in zip(("2022-23", "2023-24", "2024-25"), el_graduates):
        for group, events in {"EL": el_events, "Other": 90}.items():
            frames.append(pd.DataFrame({"school": "North", "year": year, "d_prog": group,
                                        "o_grad": (np.arange(100) < events).astype(float)}))
    con.register("frame", pd.concat(frames))
    con.execute("CREATE TABLE years AS SELECT * FROM frame")
    return Prepared("student", "years", (Dimension("d_prog", "Program"),), (Outcome("o_grad", "Graduated"),))


def test_multi_year_flags_count_consecutive_latest_years(con):
    prepared = three_years(con, (70, 88, 60))
    settings = GapSettings(point_gap_threshold=10, risk_ratio_threshold=0)
    flags = ranking.multi_year_flags(screen(con, prepared, settings, extra=True, by_school=False), settings)
    el = flags[flags["group"] == "EL"].iloc[0]
    assert el["years_flagged"] == 1 and el["flag_1yr"] and not el["flag_2yr"]
    # risk ratio of not graduating: 30% vs 10% = 3 > 2 in 2022-23, 40% vs 10% in 2024-25; 12% vs 10% in between
    rr = GapSettings(point_gap_threshold=0, risk_ratio_threshold=2.0)
    assert ranking.flagged(screen(con, prepared, rr, extra=True, by_school=False), rr).sum() == 2


def test_the_place_picker_lists_the_largest_schools_first_whatever_the_comparison():
    """With a benchmark as the comparison every place's n + comparison n was blank, and the picker fell back to
    name order: a district of 300 schools had to be searched by name. A place's size is what its shown rows
    say of its students; a hidden row's figures (blank) count for nothing."""
    def table(comparison, cn):
        rows = [("district", "", 900, cn(900)), ("school", "Alder", 40, cn(40)), ("school", "Birch", 300, cn(300)),
                ("school", "Birch", None, None), ("school", "Cedar", 120, cn(120))]
        return pd.DataFrame({"level": [r[0] for r in rows], "district": "", "school": [r[1] for r in rows],
                             "n": [r[2] for r in rows], "comparison_n": [r[3] for r in rows],
                             "comparison": comparison})

    order = ["", "Birch", "Cedar", "Alder"]
    assert [p[2] for p in ranking.places(table("benchmark rate", lambda n: None))] == order
    assert [p[2] for p in ranking.places(table("all other students", lambda n: 2 * n))] == order
    by_all_students = ranking.places(table("all students", lambda n: 10_000 - n))  # comparison n: all students
    assert [p[2] for p in by_all_students] == ["", "Alder", "Cedar", "Birch"]


def test_the_page_lookup_keeps_a_places_multi_year_flags_and_screens_each_year_as_the_table_does(con, monkeypatch):
    """Identify gaps' year filter reads the place's multi-year flags again instead of recomputing them; a new
    threshold computes them anew. Either way the screen is the one `gap_screen` gives from the whole table."""
    table = screen(con, three_years(con, (70, 75, 60)), GapSettings(), extra=True)
    lookup = ranking.Lookup(table)
    computed = []
    real = ranking.multi_year_flags
    monkeypatch.setattr(ranking, "multi_year_flags", lambda *a: computed.append(1) or real(*a))
    latest = {}
    for points in (10, 20):  # English learners are 20, 15 and 30 points behind
        settings = GapSettings(point_gap_threshold=points, risk_ratio_threshold=0)
        for year in lookup.years:
            kept, _ = lookup.gap_screen(settings, level="district", year=year)
            whole, _ = ranking.gap_screen(table, settings, level="district", year=year)
            pd.testing.assert_frame_equal(kept, whole)
        latest[points] = kept.set_index("group").loc["EL", ["years_flagged", "flagged_years"]].tolist()
    assert len(computed) == 2 * (1 + len(lookup.years))  # once per threshold for the lookup; each time for the table
    assert latest == {10: [3, "2022-23, 2023-24, 2024-25"], 20: [1, "2024-25"]}
    # the place's rows are kept too (a change of year reads them again), and a caller's change stays in its copy
    rows, taken, real_rows = lookup.place("district"), [], ranking.Lookup._rows
    monkeypatch.setattr(ranking.Lookup, "_rows", lambda self, *a: taken.append(1) or real_rows(self, *a))
    pd.testing.assert_frame_equal(lookup.place("district"), rows)
    assert not taken
    rows.loc[rows.index[0], "group"] = "changed"
    pd.testing.assert_frame_equal(lookup.place("district"), ranking.Lookup(table).place("district"))


def test_ranked_puts_largest_unfavourable_gaps_first_and_keeps_suppressed_apart(con):
    settings = GapSettings()
    df = screen(con, students(con, {"A": (100, 50), "B": (100, 90), "C": (100, 75), "D": (5, 2), "E": (6, 3)}),
                     settings, extra=True, by_school=False)
    shown, suppressed = ranking.ranked(df, settings)
    assert list(shown["severity"]) == sorted(shown["severity"], reverse=True)  # A's gap is the largest shown
    assert {"D", "E"} <= set(suppressed["group"]) and not set(shown["group"]) & {"D", "E"}


def test_lower_is_better_outcome_ranks_higher_rates_as_gaps(con):
    frame = pd.DataFrame({"school": "N", "year": "2024-25", "d_prog": ["A"] * 100 + ["B"] * 100,
                          "o_susp": ([1.0] * 30 + [0.0] * 70) + ([1.0] * 10 + [0.0] * 90)})
    con.register("frame", frame)
    con.execute("CREATE TABLE susp AS SELECT * FROM frame")
    prepared = Prepared("student", "susp", (Dimension("d_prog", "Program"),),
                        (Outcome("o_susp", "Suspended", higher_is_better=False),))
    df = screen(con, prepared, extra=True, by_school=False)
    shown, _ = ranking.ranked(df, GapSettings())
    assert shown.iloc[0]["group"] == "A" and shown.iloc[0]["risk_ratio"] == pytest.approx(3.0)
    assert shown.iloc[0]["flagged"]


def test_user_column_names_are_quoted(con):
    frame = pd.DataFrame({"school": "N", "year": "1", 'odd "name"; drop': ["A"] * 40 + ["B"] * 40,
                          "o": [1.0] * 60 + [0.0] * 20})
    con.register("frame", frame)
    con.execute("CREATE TABLE q AS SELECT * FROM frame")
    prepared = Prepared("student", "q", (Dimension('odd "name"; drop', "Odd"),), (Outcome("o", "Out"),))
    assert len(screen(con, prepared, by_school=False)) == 2


def test_composition_shares(con):
    df = screen(con, students(con, {"A": (70, 56), "B": (80, 48)}), extra=True, by_school=False)
    a = row(df, "A")
    assert a["share_of_students"] == pytest.approx(70 / 150) and a["share_of_events"] == pytest.approx(56 / 104)


def test_heatmap_table_is_groups_by_outcomes(con):
    df = screen(con, students(con, {"A": (70, 56), "B": (80, 48)}), by_school=False)
    table = ranking.heatmap_table(df)
    assert list(table.index) == ["Program: A", "Program: B"] and list(table.columns) == ["Graduated"]
    assert table.loc["Program: A", "Graduated"] == pytest.approx(20.0)


def multi_dimension_file(con, table: str, *, seed: int, size: int, schools: list, groups: list, weights=None):
    """Random students in `table`: two dimensions (A: `groups`, B: P, Q or unknown), a score and a yes/no flag,
    each missing for about 10%; the frame and its Prepared."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "school": rng.choice(schools, size), "year": rng.choice(["2023-24", "2024-25"], size),
        "d_a": rng.choice(groups, size, p=weights), "d_b": rng.choice(["P", "Q", None], size),
        "o_score": np.where(rng.random(size) < 0.1, np.nan, rng.normal(700, 40, size)),
        "o_flag": np.where(rng.random(size) < 0.1, np.nan, (rng.random(size) < 0.3).astype(float))})
    con.register("frame", frame)
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")
    return frame, Prepared("student", table, (Dimension("d_a", "A"), Dimension("d_b", "B")),
                           (Outcome("o_score", "Score", kind="numeric"), Outcome("o_flag", "Flag")))


def test_every_cell_of_a_multi_dimension_file_matches_a_direct_count(con):
    """The engine sums counts once per (school, year, every group value) before spreading them over the
    dimensions: every school and district figure must still be what counting the students gives."""
    frame, prepared = multi_dimension_file(con, "multi", seed=11, size=600, schools=["North", "South"],
                                           groups=["X", "Y"])
    df = screen(con, prepared, OPEN)
    checked = 0
    for (level, school, year, dimension, group, outcome), got in df.set_index(
            ["level", "school", "year", "dimension", "group", "outcome"]).iterrows():
        place = frame[(frame["year"] == year) & ((frame["school"] == school) if level == "school" else True)]
        column, key = ("o_score" if outcome == "Score" else "o_flag"), ("d_a" if dimension == "A" else "d_b")
        mine, others = place.loc[place[key] == group, column].dropna(), place.loc[place[key] != group, column].dropna()
        assert (got["n"], got["comparison_n"]) == (len(mine), len(others))
        if outcome == "Score":
            assert got["mean"] == pytest.approx(mine.mean()) and got["comparison_mean"] == pytest.approx(others.mean())
            welch = stats.ttest_ind(mine, others, equal_var=False)
            assert got["p_value"] == pytest.approx(welch.pvalue)
        else:
            assert got["events"] == mine.sum() and got["comparison_rate"] == pytest.approx(others.mean())
        checked += 1
    assert checked == 3 * 2 * 2 * 4  # (district + 2 schools) x 2 years x 2 outcomes x 4 groups (X, Y, P, Q)


def test_a_large_screen_computed_a_slice_at_a_time_is_the_same_table(con, monkeypatch):
    """A 10M-row file's 2.1M rows are computed a slice at a time (less memory): every figure, reason and note must
    be the one the whole table gives, for student files (every comparison) and for public files' ranges and PS."""
    from successgaps.engine import screen as engine_screen

    _, students = multi_dimension_file(con, "sliced", seed=5, size=900, schools=["North", "South", "East"],
                                       groups=["X", "Y", "Z"], weights=[0.6, 0.35, 0.05])
    g = "Four-year graduation"
    public = aggregate(con, [
        *TWO_SCHOOLS,
        ("West", "2014-15", "All", "All students", g, None, None, 0.70, 0.74, "range"),
        ("West", "2014-15", "Disability", "Students with disabilities", g, None, None, 0.50, 0.54, "range")])
    cases = [(students, GapSettings(comparison=c, reference_group="X", benchmark_rate=0.3, min_n=20))
             for c in ("all_others", "all_students", "reference", "benchmark")] + [(public, GapSettings())]
    for prepared, settings in cases:
        monkeypatch.setattr(engine_screen, "COMPUTE_ROWS", 1_000_000)
        whole = lattice(con, prepared, settings)
        monkeypatch.setattr(engine_screen, "COMPUTE_ROWS", 3)
        sliced = lattice(con, prepared, settings)
        one_at_a_time = lattice(con, prepared, settings, memo=Memo())  # a page's screen: one slice at a time
        assert len(whole) > 3
        pd.testing.assert_frame_equal(sliced, whole)
        pd.testing.assert_frame_equal(one_at_a_time, whole)


def test_an_outcome_a_school_does_not_have_gets_no_rows_there(con):
    # graduation is recorded at the high school only; the elementary school has every student's reading
    frame = pd.DataFrame({
        "school": ["Lincoln Elementary"] * 60 + ["Central High"] * 60,
        "year": "2024-25",
        "d_prog": ["A", "B"] * 60,
        "o_grad": [None] * 60 + [float(i % 3 > 0) for i in range(60)],
        "o_read": [float(i % 2) for i in range(120)],
    })
    con.register("frame", frame)
    con.execute("CREATE TABLE two_schools AS SELECT * FROM frame")
    prepared = Prepared("student", "two_schools", (Dimension("d_prog", "Program"),),
                        (Outcome("o_grad", "Graduated"), Outcome("o_read", "Reading")))
    df = screen(con, prepared, OPEN)
    at = lambda school: set(df.loc[df["school"] == school, "outcome"])  # noqa: E731
    assert at("Lincoln Elementary") == {"Reading"}  # no "Graduated: fewer than 10 students" noise
    assert at("Central High") == {"Graduated", "Reading"}
    assert row(df, "A", outcome="Graduated")["n"] == 30  # the district counts the high school's students


def test_range_is_beyond_the_threshold_only_when_its_whole_range_is():
    from successgaps.engine import ranking
    from successgaps.models import GapSettings

    rows = pd.DataFrame({
        "rate": [0.80, 0.80, 0.80], "rate_low": [0.75, 0.70, 0.80], "rate_high": [0.85, 0.90, 0.80],
        "comparison_rate": [0.90, 0.90, 0.90], "comparison_rate_low": [0.90, 0.90, 0.90],
        "comparison_rate_high": [0.90, 0.90, 0.90], "difference": [-10.0, -10.0, -10.0],
        "effect_size": [np.nan, np.nan, -0.28], "suppressed": [False] * 3, "kind": ["binary"] * 3,
        "higher_is_better": [True] * 3, "mean": [np.nan] * 3})
    settings = GapSettings(risk_ratio_threshold=0, point_gap_threshold=5)
    # midpoints are all 10 points below; the ends nearest zero are 5, 0 and 10 points below
    assert list(ranking.flagged(rows, settings)) == [True, False, True]
    sev = ranking.severity(rows)
    assert sev[2] > sev[0] > 0 > sev[1] or (sev[2] > sev[0] > 0 and sev[1] <= 0)


def test_whole_number_rate_is_read_as_rounded_and_written_as_given():
    from successgaps.engine import statements

    row = {"group": "Hispanic/Latino", "dimension": "Race/ethnicity", "outcome": "Four-year graduation",
           "year": "2014-15", "n": 66, "rate": 0.92, "rate_low": 0.915, "rate_high": 0.925,
           "comparison": "all other students", "comparison_rate_low": 0.85, "comparison_rate_high": 0.89,
           "comparison_rate": 0.87, "suppressed": False, "higher_is_better": True}
    text = statements.gap_sentence(row)
    assert "92% of Hispanic/Latino students" in text and "between 85% and 89% of all other students" in text


def test_a_screen_does_not_read_its_thresholds_nor_an_unchosen_comparisons_group(con):
    """`screen_settings` is the key pages cache a screen on: settings it resets give the very same table."""
    prepared = students(con, {"A": (60, 20), "B": (45, 30), "C": (12, 3)})
    plain = GapSettings()
    marked = GapSettings(risk_ratio_threshold=1.2, point_gap_threshold=1.0, progress_drop=0.2,
                         reference_group="B", benchmark_rate=0.5)
    assert screen_settings(marked) == plain
    pd.testing.assert_frame_equal(screen(con, prepared, marked, extra=True), screen(con, prepared, plain, extra=True))
    chosen = GapSettings(comparison="reference", reference_group="B", point_gap_threshold=1.0)
    assert screen_settings(chosen) == GapSettings(comparison="reference", reference_group="B")


def test_screens_that_share_a_memo_give_the_same_tables_and_reuse_the_gate_where_nothing_it_reads_changed(
        tmp_path, monkeypatch):
    """The page keeps a `Memo` per data set: a change of comparison between all other students and all students
    hides the same cells, so the gate's certificates are read again; a new minimum size certifies anew, from the
    lattice's codes kept since the first screen."""
    from successgaps.data import datasets, views  # noqa: PLC0415
    from successgaps.engine import certificates  # noqa: PLC0415
    from successgaps.engine.memo import Memo  # noqa: PLC0415
    from successgaps.process import sample  # noqa: PLC0415
    from successgaps.store import Store  # noqa: PLC0415

    path = tmp_path / "district.csv"
    sample.generate(students_per_grade=60).to_csv(path, index=False)
    store = Store(tmp_path / "ws", memory=True)
    project = store.create("Riverbend")
    prepared = views.prepare(store.cursor(), project, datasets.create_dataset(store, project, path, path.name))
    certified, built = [], []
    real, build = certificates.certify, suppression._structure
    monkeypatch.setattr(suppression, "certify", lambda *a: certified.append(1) or real(*a))
    monkeypatch.setattr(suppression, "_structure", lambda *a: built.append(1) or build(*a))
    memo, tables, lookup = Memo(), [], None
    steps = [(GapSettings(), True), (GapSettings(comparison="all_students"), False), (GapSettings(min_n=20), True),
             (GapSettings(min_n=20, comparison="all_students"), False), (GapSettings(), False),
             (GapSettings(comparison="reference", reference_group="White"), True)]
    for settings, certifies in steps:
        before = len(certified)
        shared = screen(store.cursor(), prepared, settings, extra=True, memo=memo)
        assert (len(certified) > before) == certifies, settings
        alone = screen(store.cursor(), prepared, settings, extra=True)  # no memo: computed from scratch
        pd.testing.assert_frame_equal(shared, alone)
        tables.append(shared)
        # the page's lookup reads the last one's indexes: the same places, groups and rows as one made afresh
        lookup, fresh = ranking.Lookup(shared, like=lookup), ranking.Lookup(shared)
        assert lookup.places == fresh.places and lookup.pairs == fresh.pairs and lookup.years == fresh.years
        for level, district, school in fresh.places:
            pd.testing.assert_frame_equal(lookup.place(level, school, district), fresh.place(level, school, district))
    fewer = ranking.Lookup(alone[alone["level"] == "district"], like=lookup)  # other rows: indexes of its own
    assert fewer.places == [ranking.whole_place(alone)]
    assert len(fewer.place("district")) == (alone["level"] == "district").sum()
    assert tables[0]["suppression_reason"].str.contains("cannot be worked out").any()  # the gate hid more
    # the lattice's codes are built once per counts: for the first screen, and for the reference group's own counts
    # (the screens without a memo build their own)
    assert len(built) == 2 + len(steps)
    shared.loc[shared.index[0], "suppressed"] = not shared["suppressed"].iloc[0]  # a caller changes its copy
    pd.testing.assert_frame_equal(screen(store.cursor(), prepared, steps[-1][0], extra=True, memo=memo), alone)
    store.close()


def test_a_large_screen_certifies_its_outcomes_in_two_processes_with_the_same_hidden_cells_as_one(
        tmp_path, monkeypatch):
    """Outcomes are separate tables, so the privacy gate of a large screen shares them out between this process
    and a forked second one: the table is the very same, and if the second process fails, this one does its part."""
    import os  # noqa: PLC0415

    from successgaps.data import datasets, views  # noqa: PLC0415
    from successgaps.engine import certificates  # noqa: PLC0415
    from successgaps.process import sample  # noqa: PLC0415
    from successgaps.store import Store  # noqa: PLC0415

    path = tmp_path / "district.csv"
    sample.generate(students_per_grade=60).to_csv(path, index=False)
    store = Store(tmp_path / "ws", memory=True)
    project = store.create("Riverbend")
    prepared = views.prepare(store.cursor(), project, datasets.create_dataset(store, project, path, path.name))
    table = lambda: screen(store.cursor(), prepared, GapSettings(), by_school=True, by_year=True, extra=True)  # noqa: E731
    forks, real_fork, lattices = [], os.fork, []
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    monkeypatch.setattr(suppression, "certify", lambda *a: lattices.append(a) or certificates.certify(*a))
    alone = table()  # the sample's lattice is below PARALLEL_ROWS: one process
    assert not forks and alone["suppression_reason"].str.contains("cannot be worked out").any()
    # outcome by outcome, the same hidden cells and causes as one search over the whole lattice
    (lattice, min_cell), = lattices
    assert len(set(lattice.outcome.tolist())) > 2
    for got, whole in zip(certificates.certify(lattice, min_cell), certificates._certify_one(lattice, min_cell)):
        np.testing.assert_array_equal(got, whole)
    # an outcome whose cells are another's (reading and math scale scores of the same students; a file giving one
    # outcome twice) is searched once and gets the same hidden cells, row for row
    first = np.flatnonzero(lattice.outcome == lattice.outcome.min())
    twice = replace(lattice, **{f: np.r_[getattr(lattice, f), getattr(lattice, f)[first]]
                                for f in certificates.PER_ROW if getattr(lattice, f) is not None})
    twice.outcome[len(lattice.n):] = lattice.outcome.max() + 1
    searched, real_search = [], certificates._certify_one

    def certify_counting(lat):  # `certify`, each search of a part counted in `searched`
        searched.clear()
        monkeypatch.setattr(certificates, "_certify_one", lambda *a: searched.append(1) or real_search(*a))
        try:
            return certificates.certify(lat, min_cell)
        finally:
            monkeypatch.setattr(certificates, "_certify_one", real_search)

    hidden, because = certify_counting(twice)
    # years are separate tables here: each outcome's year is a part of its own, searched once for its twin's too
    assert (lattice.year_parent < 0).all()
    parts = lambda lat: [np.flatnonzero((lat.outcome == o) & (lat.year == y))  # noqa: E731
                         for o in np.unique(lat.outcome) for y in np.unique(lat.year)]
    twins = len({certificates._cells_digest(lattice, rows) for rows in parts(lattice) if len(rows)})
    assert len(searched) == twins < len([rows for rows in parts(twice) if len(rows)])
    np.testing.assert_array_equal(hidden[len(lattice.n):], hidden[first])
    np.testing.assert_array_equal(because[len(lattice.n):] - len(lattice.n), np.where(
        because[first] >= 0, np.searchsorted(first, because[first]), -1 - len(lattice.n)))
    # with a pooled-years axis (one year the parent of the others) the years are linked: each outcome is one part,
    # and the result is still one search's over the whole lattice
    assert len(lattice.year_parent) > 1
    linked = replace(lattice, year_parent=np.r_[-1, np.zeros(len(lattice.year_parent) - 1, int)])
    got = certify_counting(linked)
    assert len(searched) == len({certificates._cells_digest(linked, np.flatnonzero(linked.outcome == o))
                                 for o in np.unique(linked.outcome)})
    for part, whole in zip(got, certificates._certify_one(linked, min_cell)):
        np.testing.assert_array_equal(part, whole)

    monkeypatch.setattr(certificates, "PARALLEL_ROWS", 0)
    pd.testing.assert_frame_equal(table(), alone)
    assert forks == [1]

    parent, real_one = os.getpid(), certificates._certify_one

    def fails_in_the_second_process(lattice, min_cell):
        if os.getpid() != parent:
            raise MemoryError
        return real_one(lattice, min_cell)

    monkeypatch.setattr(certificates, "_certify_one", fails_in_the_second_process)
    pd.testing.assert_frame_equal(table(), alone)
    assert forks == [1, 1]

    def no_process_to_spare():
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_process_to_spare)  # this process does it all
    pd.testing.assert_frame_equal(table(), alone)
    store.close()


def test_look_closer_draws_the_schools_with_the_largest_gaps_first_when_there_are_too_many(con):
    """A national file has 17,000 schools for one group: the chart draws the worst few, hidden schools last."""
    frame = pd.DataFrame({"dimension": "Race/ethnicity", "group": "Hispanic/Latino", "kind": "binary",
                          "higher_is_better": True, "suppressed": [False, False, True, False],
                          "effect_size": [-0.1, -0.6, np.nan, -0.3], "school": ["A", "B", "C", "D"]})
    assert list(ranking.worst_first(frame, 3)["school"]) == ["B", "D", "A"]
    assert ranking.worst_first(frame, 4) is frame
