"""The gap engine: one tidy table of every group × outcome gap, computed in DuckDB.

`screen(con, prepared, settings)` returns one row per (level, school, year, dimension, group,
outcome) with exactly the columns in `COLUMNS`, sorted by level, school, year, dimension and outcome
(both in the mapping's order) and group; for student data, an outcome no student of a place has
(graduation at an elementary school) has no rows at that place. The counting (every
dimension, every outcome, district and school level) is one DuckDB statement over the data set's
cube (UNNEST over dimensions, GROUPING SETS over levels), whose few ten thousand rows are spread
over the outcomes in numpy; the statistics SQL does badly (Wilson/Newcombe intervals,
exact tests, Welch's t, Hedges' g) are computed vectorised with numpy/scipy over the result.
It is a pure function of (prepared data, settings), so callers may cache it on that key.

Definitions (binary outcomes; rates are proportions 0-1, differences percentage points)
-----------------------------------------------------------------------------------------
- n = students in the group with a known outcome; events = those with the outcome;
  rate = events / n.
- Comparison (settings.comparison):
  * all_others (default): everyone at the same level, school, year and outcome who is not in the
    group (students whose group is unknown count as "not in the group"):
    comparison_n = N - n, comparison events = E - events, where N, E are the all-students counts.
  * all_students: N and E themselves (the group is part of its comparison).
  * reference: the chosen reference group in the same dimension; in dimensions without it (and for
    the reference group's own row) the comparison is all other students.
  * benchmark: a rate the team typed in (state or district rate); comparison_n is empty.
    Numeric outcomes have no benchmark and use all other students.
- difference = (rate - comparison_rate) × 100 percentage points (negative = the group's rate is lower).
- risk_ratio = rate / comparison_rate (empty when comparison_rate is 0).
- effect_size: Cohen's h = 2·asin(√rate) - 2·asin(√comparison_rate) for binary outcomes.
- ci_low, ci_high: 95% interval of the difference by Newcombe's hybrid score method (method 10):
  with Wilson score limits (l1, u1) for the group and (l2, u2) for the comparison,
  d = p1 - p2, low = d - √((p1-l1)² + (u2-p2)²), high = d + √((u1-p1)² + (p2-l2)²).
  Wilson: centre = (p + z²/2n)/(1 + z²/n), half-width = z·√(p(1-p)/n + z²/4n²)/(1 + z²/n), z = 1.95996.
- p_value: two-sided test of equal proportions on the 2×2 table group vs comparison: Pearson's
  chi-square without continuity correction (the pooled two-proportion z test) when every expected
  count is at least 5, otherwise Fisher's exact test.
- all_students: the group is inside all students, so the two are not independent. Because
  rate - all_rate = w·(rate - others_rate) with w = (N - n)/N, the interval is the group-vs-others
  Newcombe interval times w and the p-value is the group-vs-others test.
- benchmark: interval = Wilson interval of the rate minus the benchmark; p-value from the score
  test z = (p - b)/√(b(1-b)/n), or the exact binomial test when n·b or n·(1-b) is below 5.

Numeric outcomes (scale scores, days absent)
---------------------------------------------
- mean, comparison_mean; difference = mean - comparison_mean in the outcome's units.
- effect_size = Hedges' g = J·(m1 - m2)/s_p, s_p = √(((n1-1)s1² + (n2-1)s2²)/(n1+n2-2)),
  J = 1 - 3/(4(n1+n2) - 9).
- ci_low, ci_high, p_value: Welch's t: se = √(s1²/n1 + s2²/n2),
  df = se⁴ / ((s1²/n1)²/(n1-1) + (s2²/n2)²/(n2-1)), interval d ± t(0.975, df)·se, p = 2·P(T > |d/se|).
  (all_students: group vs others scaled by w, as above.)
- Sums are taken around the outcome's overall mean (numerically stable variances).

Aggregate data with range-coded rates
-------------------------------------
- rate_low/rate_high always filled (equal for an exact rate); rate = (rate_low + rate_high)/2.
- all other students from all-students and group rows: (N·R - n·r)/(N - n), taken at the ends that
  make it widest: low = (N·R_low - n·r_high)/(N - n), high = (N·R_high - n·r_low)/(N - n), within 0-1.
- District level from school rows: n = Σn, rate_low = Σ n·rate_low / Σn, rate_high likewise; a
  source-suppressed school (PS) counts with a rate anywhere in 0-1 (low 0, high 1).
- difference uses midpoints; the range is difference_low = (rate_low - comparison_rate_high)·100,
  difference_high = (rate_high - comparison_rate_low)·100 (extra columns); no interval or p-value is
  computed on a range (that would be false precision).

Minimum sizes and suppression (every output)
--------------------------------------------
A row is suppressed (no events, rate, mean, comparison rate or mean, difference, ratio, effect size,
interval or p-value; n and comparison_n stay) when: the source suppressed it (PS), the group has
fewer than min_n students, fewer than min_cell students with the outcome (binary; the low end of
a range), or the comparison group fails the same tests. When the comparison group is too small and
the team has entered a benchmark rate, the row uses the **alternate risk ratio** (rate / benchmark)
instead of being suppressed. Complementary suppression (`complementary_suppression`) then hides a
second cell wherever exactly one cell of a set that adds up to a shown total is hidden.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pyarrow as pa
from . import stats  # scipy.special, not scipy.stats: 1 s less to start (successgaps/stats.py)

from .models import GapSettings
from .prepared import ALL_DIMENSION, ALL_GROUP, Prepared, cube_sql, relation_sums
from .sql import quote_ident

if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    # The gap table is long text columns built by Arrow; its default allocator (mimalloc) spends
    # tens of milliseconds readying memory for each fresh batch of them, the system's does not
    # (a screen of 1M student records: 0.5 s instead of 0.6 s; bench/README.md). Process-wide.
    pa.set_memory_pool(pa.system_memory_pool())

COLUMNS = [
    "level", "school", "year", "dimension", "group", "outcome", "n", "events", "rate", "rate_low",
    "rate_high", "mean", "comparison", "comparison_n", "comparison_rate", "comparison_mean",
    "difference", "risk_ratio", "effect_size", "ci_low", "ci_high", "p_value", "suppressed",
    "suppression_reason",
]
EXTRA_COLUMNS = [
    "kind", "higher_is_better", "difference_low", "difference_high", "comparison_rate_low",
    "comparison_rate_high", "share_of_events", "share_of_students",
]
HIDDEN_WHEN_SUPPRESSED = [
    "events", "rate", "rate_low", "rate_high", "mean", "comparison_rate", "comparison_mean",
    "difference", "risk_ratio", "effect_size", "ci_low", "ci_high", "p_value", "difference_low",
    "difference_high", "comparison_rate_low", "comparison_rate_high", "share_of_events",
    "share_of_students",
]
Z95 = 1.959963984540054
NUMERIC_EFFECT_THRESHOLD = 0.25  # Hedges' g the What Works Clearinghouse calls substantively important
COMPLEMENTARY = "hidden so that a small group cannot be worked out from the total (complementary suppression)"

LABEL_OTHERS, LABEL_ALL = "all other students", "all students"
LABEL_BENCHMARK = "benchmark rate"
LABEL_ALTERNATE = "benchmark rate (alternate risk ratio: comparison group too small)"
EXACT, RANGE, SUPPRESSED, MISSING = 0, 1, 2, 3  # how a cell's rate is known (the views' source_flag)
FLAGS = {"exact": EXACT, "range": RANGE, "suppressed": SUPPRESSED, "missing": MISSING}


# ---------------------------------------------------------------- SQL: counts per cell

_CELL_COLS = "level, school, year, dimension, grp, outcome, n, events, a, b, centre, lo, hi, flag"


def _year_sql(prepared: Prepared, by_year: bool, source: str) -> str:
    """The year as the file states it; pooled over years (by_year False) it is the file's only year, else ''."""
    if not prepared.has_year:
        return "''"
    if by_year:
        return "COALESCE(CAST(\"year\" AS VARCHAR), '')"
    return (f"(SELECT CASE WHEN count(DISTINCT \"year\") = 1 THEN COALESCE(CAST(any_value(\"year\") AS VARCHAR), '') "
            f"ELSE '' END FROM {source})")


def _student_cells(prepared: Prepared, by_school: bool, by_year: bool) -> tuple[str, list]:
    """Rows `g` of a student view: per level/school/year/dimension/group, for each outcome j, n{j}, e{j} = Σy
    and for numeric outcomes a{j} = Σ(y-c), b{j} = Σ(y-c)² around the overall mean c (binary outcomes need
    only n and Σy).

    Every cell adds up rows of the cube (`successgaps.prepared`: n, Σy and Σ(y-c)² per school, year and
    group values, far fewer rows than students): UNNEST over dimensions, GROUPING SETS over levels.
    Σ(y-c) = Σy - n·c."""
    dims, outs = prepared.dimensions, prepared.outcomes
    school = by_school and prepared.has_school
    cube = prepared.cube or "cube_inline"
    year = _year_sql(prepared, by_year, cube)
    school_col = "COALESCE(school, '')" if school else "''"
    d_names = ", ".join(f"d{i}" for i in range(len(dims)))
    numeric = [j for j, o in enumerate(outs) if o.kind == "numeric"]
    # binary outcomes need no centre (0)
    centres = ", ".join(f"coalesce(any_value(c{j}), 0) AS c{j}" if j in numeric else f"0.0::DOUBLE AS c{j}"
                        for j in range(len(outs)))
    counts = [f"n{j}" for j in range(len(outs))] + [f"e{j}" for j in range(len(outs))]
    stats = counts + [f"{x}{j}" for j in numeric for x in "ab"]
    centred = ", ".join(counts + [f"e{j} - n{j} * ctr.c{j} AS a{j}, q{j} AS b{j}" for j in numeric])
    sums = ", ".join(f"sum({c}) AS {c}" for c in stats)
    qs = lambda k: ", ".join("?" * k)  # noqa: E731
    if school:
        whole, sets_g, sets_t = ("GROUPING(school)", "(school, year, dimension, grp), (year, dimension, grp)",
                                 "(school, year), (year)")
    else:
        whole, sets_g, sets_t = "1", "(school, year, dimension, grp)", "(school, year)"
    inline = "" if prepared.cube else \
        f"cube_inline AS MATERIALIZED ({cube_sql(relation_sums(prepared.relation, dims, outs), len(dims), outs)}),"
    sql = f"""
    WITH {inline}
    ctr AS MATERIALIZED (SELECT {centres}{f" FROM {cube}" if numeric else ""}),
    base AS MATERIALIZED (SELECT {school_col} AS school, {year} AS year, {d_names}, {centred} FROM {cube}, ctr),
    long AS (SELECT school, year, unnest([{qs(len(dims))}]) AS dimension, unnest([{d_names}]) AS grp,
                    {", ".join(stats)} FROM base),
    grouped AS (
        SELECT {whole} AS whole, school, year, dimension, grp, {sums}
        FROM long WHERE grp IS NOT NULL GROUP BY GROUPING SETS ({sets_g})
        UNION ALL
        SELECT {whole} AS whole, school, year, ? AS dimension, ? AS grp, {sums}
        FROM base GROUP BY GROUPING SETS ({sets_t})),
    g AS (SELECT CASE WHEN whole = 1 THEN 'district' ELSE 'school' END AS level,
                 CASE WHEN whole = 1 THEN '' ELSE school END AS school, year, dimension, grp, {", ".join(stats)}
          FROM grouped)
    """
    params = [d.label for d in dims] + [ALL_DIMENSION, ALL_GROUP]
    return sql, params


def _student_raw(con, prepared: Prepared, reference: str, by_school: bool, by_year: bool) -> dict:
    """`_raw` of a student view. One statement returns the cells `g` (one row per level, school, year,
    dimension and group, every outcome's sums side by side; a few ten thousand rows even for millions of
    students), in table order; each group row is then paired with its all-students row (t) and
    reference group row (r) of the same level, school and year, and spread over the outcomes, in numpy."""
    cells_sql, params = _student_cells(prepared, by_school, by_year)
    dims, outs = prepared.dimensions, prepared.outcomes
    numeric = [j for j, o in enumerate(outs) if o.kind == "numeric"]
    sql = f"""{cells_sql}
    SELECT g.*, ctr.* FROM g CROSS JOIN ctr
    ORDER BY level, school, year, list_position(?, dimension) NULLS LAST, grp"""
    g = con.execute(sql, params + [[d.label for d in dims]]).df()
    keys = {c: g[c].astype(object).where(g[c].notna(), "").to_numpy(object) for c in ("level", "school", "year")}
    dimension, grp = g["dimension"].to_numpy(object), g["grp"].to_numpy(object)
    total = dimension == ALL_DIMENSION
    place = _runs(*keys.values())  # the rows come sorted by level, school and year
    t_of = np.full(len(g), -1)  # per place (numbered below len(g)): its all-students row
    t_of[place[total]] = np.flatnonzero(total)
    r_idx = np.full(len(g), -1)
    if reference:
        cell = _runs(place, dimension)
        is_ref = (grp == reference) & ~total
        r_of = np.full(len(g), -1)
        r_of[cell[is_ref]] = np.flatnonzero(is_ref)
        r_idx = np.where(is_ref, -1, r_of[cell])
    rows = np.flatnonzero(~total)
    t_idx, r_idx = t_of[place[rows]], r_idx[rows]
    k = len(outs)
    matrix = lambda x, only=range(k): np.column_stack(  # noqa: E731 - (cells × outcomes) of one statistic
        [g[f"{x}{j}"].to_numpy(dtype=float, na_value=np.nan) if j in only else np.full(len(g), np.nan)
         for j in range(k)]) if len(g) else np.empty((0, k))
    stats = {x: matrix(x, numeric if x in "ab" else range(k)) for x in "neab"}

    spread, which = np.repeat(np.arange(len(rows)), k), np.tile(np.arange(k), len(rows))

    def gather(m, idx):  # m's value at row idx (−1: no such row) and each output row's outcome
        return np.where(idx >= 0, m.ravel()[np.maximum(idx, 0) * k + which], np.nan) if m.size else \
            np.full(len(idx), np.nan)

    # an outcome no student at a place has (graduation at an elementary school) gets no rows there
    keep = np.flatnonzero(gather(stats["n"], t_idx[spread]) > 0)
    spread, which = spread[keep], which[keep]
    c, t, r = ({x: gather(m, idx[spread]) for x, m in stats.items()} for idx in (rows, t_idx, r_idx))
    out = {name: _strings(values[rows], spread) for name, values in
           (("level", keys["level"]), ("school", keys["school"]), ("year", keys["year"]),
            ("dimension", dimension), ("grp", grp))}
    out["outcome"] = _strings(np.array([o.label for o in outs], object), which)
    out["_o"] = which.astype(float)
    centres = np.array([g[f"c{j}"].iloc[0] if len(g) else 0.0 for j in range(k)], float)
    nothing = np.full(len(spread), np.nan)
    out.update(n=c["n"], events=c["e"], a=c["a"], b=c["b"], centre=centres[which], lo=nothing, hi=nothing,
               flag=np.full(len(spread), EXACT))
    for p, values, idx in (("t", t, t_idx), ("r", r, r_idx)):
        out.update({f"{p}_n": values["n"], f"{p}_events": values["e"], f"{p}_a": values["a"], f"{p}_b": values["b"],
                    f"{p}_lo": nothing, f"{p}_hi": nothing, f"{p}_flag": np.where(idx[spread] >= 0, EXACT, MISSING)})
    return out


def _runs(*columns) -> np.ndarray:
    """0, 1, 2, ... numbering the runs of equal values (in every column) of sorted rows."""
    if not len(columns[0]):
        return np.zeros(0, int)
    change = np.zeros(len(columns[0]), bool)
    for column in columns:
        change[1:] |= column[1:] != column[:-1]
    return np.cumsum(change)


def _aggregate_cells(prepared: Prepared, by_school: bool, by_year: bool) -> tuple[str, list]:
    """Cells of an aggregate view; the district level sums school rows with interval arithmetic."""
    school = by_school and prepared.has_school
    year = _year_sql(prepared, by_year, prepared.relation)
    school_col = "COALESCE(CAST(school AS VARCHAR), '')" if prepared.has_school else "''"
    sets = "(school, year, dimension, grp, outcome), (year, dimension, grp, outcome)" if school \
        else "(year, dimension, grp, outcome)"
    whole = "GROUPING(school)" if school else "1"
    sql = f"""
    WITH src AS (SELECT {school_col} AS school, {year} AS year, CAST(dimension AS VARCHAR) AS dimension,
                        CAST("group" AS VARCHAR) AS grp, CAST(outcome AS VARCHAR) AS outcome,
                        CAST(n AS DOUBLE) AS n, CAST(events AS DOUBLE) AS events,
                        CAST(rate_low AS DOUBLE) AS rate_low, CAST(rate_high AS DOUBLE) AS rate_high, source_flag
                 FROM {prepared.relation}
                 WHERE NOT (source_flag = 'missing' AND coalesce(n, 0) = 0) AND "group" IS NOT NULL),
    cells AS (
        SELECT CASE WHEN {whole} = 1 THEN 'district' ELSE 'school' END AS level,
               {"CASE WHEN GROUPING(school) = 1 THEN '' ELSE school END" if school else "''"} AS school,
               year, dimension, grp, outcome,
               CASE WHEN count(*) = count(n) THEN sum(n) END AS n,
               CASE WHEN count(*) = count(events) THEN sum(events) END AS events,
               NULL::DOUBLE AS a, NULL::DOUBLE AS b, NULL::DOUBLE AS centre,
               CASE WHEN count(*) = 1 THEN min(rate_low)
                    WHEN count(*) = count(n) AND sum(n) > 0 THEN sum(n * coalesce(rate_low, 0.0)) / sum(n) END AS lo,
               CASE WHEN count(*) = 1 THEN min(rate_high)
                    WHEN count(*) = count(n) AND sum(n) > 0 THEN sum(n * coalesce(rate_high, 1.0)) / sum(n) END AS hi,
               CASE WHEN count(*) = 1 THEN min(source_flag) WHEN bool_and(source_flag = 'exact') THEN 'exact'
                    WHEN count(*) = count(n) THEN 'range' ELSE 'missing' END AS flag
        FROM src GROUP BY GROUPING SETS ({sets}))
    """
    return sql, []


def _raw(con, prepared: Prepared, settings: GapSettings, by_school: bool, by_year: bool) -> dict:
    """The cells, each joined to its all-students row (t_) and reference group row (r_), in table order
    (level, school, year, dimension, group, outcome): a dict of equally long columns."""
    reference = settings.reference_group if settings.comparison == "reference" else ""
    if prepared.layout == "student":
        return _student_raw(con, prepared, reference, by_school, by_year)
    cells_sql, params = _aggregate_cells(prepared, by_school, by_year)
    side = lambda p: ", ".join(f"{p}.{c} AS {p}_{c}" for c in ("n", "events", "a", "b", "lo", "hi", "flag"))  # noqa
    key = "{p}.level = c.level AND {p}.school = c.school AND {p}.year = c.year AND {p}.outcome = c.outcome"
    sql = f"""{cells_sql}
    SELECT {", ".join("c." + c for c in _CELL_COLS.split(", "))}, {side("t")}, {side("r")}
    FROM cells c
    LEFT JOIN cells t ON t.dimension = ? AND {key.format(p="t")}
    LEFT JOIN cells r ON r.grp = ? AND r.grp <> c.grp AND r.dimension = c.dimension AND {key.format(p="r")}
    WHERE c.dimension <> ?
    ORDER BY c.level, c.school, c.year, list_position(?, c.dimension) NULLS LAST, c.grp,
             list_position(?, c.outcome) NULLS LAST
    """
    frame = con.execute(sql, params + [ALL_DIMENSION, reference, ALL_DIMENSION, [d.label for d in prepared.dimensions],
                                       [o.label for o in prepared.outcomes]]).df()
    out = {c: frame[c].to_numpy() for c in frame.columns}
    for c in ("level", "school", "year", "dimension", "grp", "outcome"):
        out[c] = pd.array(frame[c].fillna(""), dtype="str")
    for c in ("flag", "t_flag", "r_flag"):
        out[c] = frame[c].map(FLAGS).fillna(MISSING).to_numpy(int)
    order = {o.label: i for i, o in enumerate(prepared.outcomes)}
    out["_o"] = _per_value(frame["outcome"], lambda o: order.get(o, len(order)), float)
    return out


def _strings(values: np.ndarray, codes: np.ndarray):
    """A str column of values[codes], built by Arrow (fast for long columns of a few labels)."""
    return pd.array(pa.array(values, pa.large_string()).take(pa.array(codes, pa.int64())), dtype="str")


# ---------------------------------------------------------------- statistics (vectorised)

def wilson(events, n, z: float = Z95):
    """Wilson score interval (low, high) of events/n; NaN where n is 0."""
    events, n = np.asarray(events, float), np.asarray(n, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = events / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(np.clip(p * (1 - p) / n + z * z / (4 * n * n), 0, None)) / denom
    return centre - half, centre + half


def newcombe(e1, n1, e2, n2, z: float = Z95):
    """Newcombe's hybrid score interval (method 10) of p1 - p2 for two independent proportions."""
    l1, u1 = wilson(e1, n1, z)
    l2, u2 = wilson(e2, n2, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = np.asarray(e1, float) / n1, np.asarray(e2, float) / n2
    d = p1 - p2
    return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def two_proportion_p(e1, n1, e2, n2):
    """Two-sided p-value of equal proportions: chi-square (pooled z) or Fisher's exact when any expected count < 5."""
    e1, n1, e2, n2 = (np.asarray(x, float) for x in (e1, n1, e2, n2))
    total = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (e1 + e2) / total
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (e1 / n1 - e2 / n2) / se
        p = np.where(se > 0, 2 * stats.norm.sf(np.abs(z)), 1.0)
        expected = np.minimum(np.minimum(n1, n2) * np.minimum(pooled, 1 - pooled), np.inf)
    valid = (n1 > 0) & (n2 > 0) & (e1 >= 0) & (e1 <= n1) & (e2 >= 0) & (e2 <= n2)
    small = valid & (expected < 5)
    idx = np.flatnonzero(small)  # only the small-count rows, each distinct table once: Fisher's exact test
    # the 2×2 table in whole students (aggregate files give rate × n): each cell rounded on its own
    a, b, c, d = (np.rint(x) for x in (e1[idx], n1[idx] - e1[idx], e2[idx], n2[idx] - e2[idx]))
    unique, inverse = np.unique(np.column_stack([a, a + b, c + d, a + c]), axis=0, return_inverse=True)
    p[idx] = fisher_exact_p(*unique.T)[inverse.ravel()]
    return np.where(valid, p, np.nan)


FISHER_TOLERANCE = 1e-7  # tables as likely as the observed one within this relative error count as "as extreme"
FISHER_CELLS = 4_000_000  # grid cells per step of `fisher_exact_p` (bounds its memory)


def fisher_exact_p(a, n1, n2, k):
    """Two-sided p-values of Fisher's exact test, vectorised over 2×2 tables given as arrays: a events
    among n1 in the group, k events among n1 + n2 in all. With the margins fixed, a is hypergeometric
    on lo..hi (lo = max(0, k - n2), hi = min(k, n1)); p = the probability of every table no more
    likely than the observed one (R's fisher.test, with its relative tolerance 1e-7). The
    probabilities come from the ratio of neighbours, P(x+1)/P(x) = (n1-x)(k-x) / ((x+1)(n2-k+x+1)),
    summed in logs and normalised over the support, which is exact to ~1e-12 without factorials."""
    a, n1, n2, k = (np.asarray(x, float) for x in (a, n1, n2, k))
    lo, hi = np.maximum(0, k - n2), np.minimum(k, n1)
    width = (hi - lo + 1).astype(int)
    out = np.ones(len(a))
    order = np.argsort(width, kind="stable")
    start = 0
    while start < len(order):  # tables of similar support width together, a bounded grid at a time
        stop = start + 1
        while stop < len(order) and (stop - start + 1) * width[order[stop]] <= FISHER_CELLS:
            stop += 1
        rows = order[start:stop]
        start = stop
        steps = width[rows].max() - 1
        if steps <= 0:
            continue  # only one table has these margins: p = 1
        x = lo[rows, None] + np.arange(steps)[None, :]
        inside = x < hi[rows, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.log((n1[rows, None] - x) * (k[rows, None] - x)) - np.log(
                (x + 1) * (n2[rows, None] - k[rows, None] + x + 1))
        logw = np.concatenate([np.zeros((len(rows), 1)), np.cumsum(np.where(inside, ratio, 0.0), axis=1)], axis=1)
        logw = np.where(np.concatenate([np.ones((len(rows), 1), bool), inside], axis=1), logw, -np.inf)
        w = np.exp(logw - logw.max(axis=1, keepdims=True))
        observed = w[np.arange(len(rows)), (a[rows] - lo[rows]).astype(int)]
        extreme = w <= observed[:, None] * (1 + FISHER_TOLERANCE)
        out[rows] = np.minimum((w * extreme).sum(axis=1) / w.sum(axis=1), 1.0)
    return out


def benchmark_p(events, n, b):
    """Two-sided p-value of rate = b: score z test, or the exact binomial test when n·b or n·(1-b) < 5."""
    events, n = np.asarray(events, float), np.asarray(n, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (events / n - b) / np.sqrt(b * (1 - b) / n)
        p = 2 * stats.norm.sf(np.abs(z))
    valid = (n > 0) & (events >= 0) & (events <= n)
    small = valid & ((n * b < 5) | (n * (1 - b) < 5))
    idx = np.flatnonzero(small)
    pairs, inverse = np.unique(np.rint(np.column_stack([events[idx], n[idx]])).astype(int), axis=0, return_inverse=True)
    exact = np.array([stats.binomtest(int(k), int(m), b).pvalue for k, m in pairs])
    p[idx] = exact[inverse.ravel()] if len(idx) else p[idx]
    return np.where(valid, p, np.nan)


def welch(m1, v1, n1, m2, v2, n2):
    """Welch's t: (ci_low, ci_high, p_value) of m1 - m2."""
    with np.errstate(divide="ignore", invalid="ignore"):
        q1, q2 = v1 / n1, v2 / n2
        se = np.sqrt(q1 + q2)
        df = (q1 + q2) ** 2 / (q1 ** 2 / (n1 - 1) + q2 ** 2 / (n2 - 1))
        d = m1 - m2
        half = stats.t.ppf(0.975, df) * se
        p = 2 * stats.t.sf(np.abs(d / se), df)
    return d - half, d + half, p


def hedges_g(m1, v1, n1, m2, v2, n2):
    """Hedges' g: J·(m1 - m2)/s_pooled, J = 1 - 3/(4(n1+n2) - 9)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sp = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
        return (1 - 3 / (4 * (n1 + n2) - 9)) * (m1 - m2) / sp


# ---------------------------------------------------------------- the screen

def screen(con, prepared: Prepared, settings: GapSettings | None = None, *, by_school: bool = True,
           by_year: bool = True, extra: bool = False, complementary: bool = True) -> pd.DataFrame:
    """The gap table (columns `COLUMNS`, plus `EXTRA_COLUMNS` when `extra`); see the module docstring."""
    settings = settings or GapSettings()
    # Complementary suppression always sees the school rows (a district row is the sum of its
    # schools), so a district figure is hidden or shown the same way whether or not the caller
    # asked for the schools: the page, the exports, the goals and the reports never disagree.
    schools = by_school or (complementary and prepared.has_school)
    # `_raw` returns the cells in table order: complementary suppression breaks ties in size by it,
    # so it is repeatable.
    out = _compute(_raw(con, prepared, settings, schools, by_year), prepared, settings)
    out = complementary_suppression(out) if complementary else _hide(out, copy=False)
    if schools and not by_school:
        out = out[out["level"] == "district"].reset_index(drop=True)
    return out[COLUMNS + (EXTRA_COLUMNS if extra else [])]


def _compute(raw: dict, prepared: Prepared, settings: GapSettings) -> pd.DataFrame:
    outs = prepared.outcomes
    o_index = np.asarray(raw["_o"], float).astype(int)  # len(outs): an outcome the mapping does not list
    numeric = np.array([o.kind == "numeric" for o in outs] + [False])[o_index]
    hib = np.array([o.higher_is_better for o in outs] + [True])[o_index]
    f = lambda c: np.asarray(raw[c], dtype=float)  # noqa: E731
    n, e, a, b, centre = f("n"), f("events"), f("a"), f("b"), f("centre")
    tn, te, ta, tb = f("t_n"), f("t_events"), f("t_a"), f("t_b")
    rn, re_, ra, rb = f("r_n"), f("r_events"), f("r_a"), f("r_b")
    student = prepared.layout == "student"
    flag, tflag, rflag = raw["flag"], raw["t_flag"], raw["r_flag"]
    with np.errstate(divide="ignore", invalid="ignore"):
        def interval(events, size, lo, hi):
            exact_rate = np.where(np.isfinite(events) & (size > 0), events / size, np.nan)
            if student:
                return exact_rate, exact_rate
            known = np.isfinite(exact_rate)
            return np.where(known, exact_rate, lo), np.where(known, exact_rate, hi)

        lo, hi = interval(e, n, f("lo"), f("hi"))
        tlo, thi = interval(te, tn, f("t_lo"), f("t_hi"))
        rlo, rhi = interval(re_, rn, f("r_lo"), f("r_hi"))
        on, oe = tn - n, te - e
        olo = np.clip((tn * tlo - n * hi) / on, 0, 1)
        ohi = np.clip((tn * thi - n * lo) / on, 0, 1)
        exact_o = np.isfinite(oe) & (on > 0)
        olo, ohi = np.where(exact_o, oe / on, olo), np.where(exact_o, oe / on, ohi)
        oflag = np.where((flag == EXACT) & (tflag == EXACT), EXACT,
                         np.where((tflag <= RANGE) & (flag <= RANGE), RANGE,
                                  np.where(tflag == SUPPRESSED, SUPPRESSED, MISSING)))
        oa, ob = ta - a, tb - b

    # which comparison each row uses
    mode = settings.comparison
    benchmark = settings.benchmark_rate
    use_ref = (mode == "reference") & np.isfinite(rn)
    use_all = np.full(len(n), mode == "all_students")
    use_bench = np.full(len(n), mode == "benchmark" and benchmark is not None) & ~numeric
    labels = np.array([LABEL_OTHERS, LABEL_ALL, LABEL_BENCHMARK, settings.reference_group, LABEL_ALTERNATE], object)
    label = np.where(use_bench, 2, np.where(use_all, 1, np.where(use_ref, 3, 0)))
    cn = np.where(use_ref, rn, np.where(use_all, tn, on))
    ce = np.where(use_ref, re_, np.where(use_all, te, oe))
    clo = np.where(use_ref, rlo, np.where(use_all, tlo, olo))
    chi = np.where(use_ref, rhi, np.where(use_all, thi, ohi))
    cflag = np.where(use_ref, rflag, np.where(use_all, tflag, oflag))
    ca = np.where(use_ref, ra, np.where(use_all, ta, oa))
    cb = np.where(use_ref, rb, np.where(use_all, tb, ob))

    # minimum sizes: group, then comparison (a benchmark has no size)
    min_n, min_cell = settings.min_n, settings.min_cell
    events_low = np.where(np.isfinite(e), e, n * lo)
    c_events_low = np.where(np.isfinite(ce), ce, cn * clo)
    reasons = np.array([  # code 0: shown; 1-5: the group; 6-10: the comparison
        "", "suppressed in the source file (PS)", "the file does not give the number of students in this group",
        f"fewer than {min_n} students in the group", "the source file gives no rate for this group",
        f"fewer than {min_cell} students in the group with the outcome",
        "comparison group suppressed in the source file (PS)", "the comparison group's size is unknown",
        f"fewer than {min_n} students in the comparison group", "the source file gives no rate for the comparison group",
        f"fewer than {min_cell} students with the outcome in the comparison group"], object)
    group_reason = np.select(
        [flag == SUPPRESSED, ~np.isfinite(n), n < min_n, ~numeric & ~np.isfinite(lo),
         ~numeric & ~(events_low >= min_cell)], [1, 2, 3, 4, 5], 0)
    comp_reason = np.select(
        [use_bench, cflag == SUPPRESSED, ~np.isfinite(cn), cn < min_n, cn <= 0,
         ~numeric & ~np.isfinite(clo), ~numeric & ~(c_events_low >= min_cell)], [0, 6, 7, 8, 0, 9, 10], 0)
    # alternate risk ratio: the comparison group is too small, the team entered a benchmark rate
    alternate = (comp_reason != 0) & (group_reason == 0) & ~numeric & (benchmark is not None)
    use_bench = use_bench | alternate
    label = np.where(alternate, 4, label)
    comp_reason = np.where(alternate, 0, comp_reason)
    bench = np.nan if benchmark is None else float(benchmark)
    cn = np.where(use_bench, np.nan, cn)
    ce = np.where(use_bench, np.nan, ce)
    clo = np.where(use_bench, bench, clo)
    chi = np.where(use_bench, bench, chi)
    reason = np.where(group_reason != 0, group_reason, comp_reason)
    suppressed = reason != 0

    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (lo + hi) / 2
        crate = (clo + chi) / 2
        difference = (rate - crate) * 100
        risk_ratio = np.where(crate > 0, rate / crate, np.nan)
        exact = (lo == hi) & (clo == chi)
        # estimated events for statistics on exact aggregate rates (rate × n)
        e1 = np.where(numeric, np.nan, np.where(np.isfinite(e), e, n * rate))
        # independent partner of the group for intervals and tests: others when comparing with all students
        pn = np.where(use_all & ~use_bench, on, cn)
        pe = np.where(use_all & ~use_bench, np.where(np.isfinite(oe), oe, on * (olo + ohi) / 2),
                      np.where(np.isfinite(ce), ce, cn * crate))
        w = np.where(use_all & ~use_bench, on / tn, 1.0)
        # intervals and tests only where they are shown (yes/no outcome, exact rates, not suppressed)
        ci_low, ci_high, p_value = np.full(len(n), np.nan), np.full(len(n), np.nan), np.full(len(n), np.nan)
        at = np.flatnonzero(~numeric & exact & ~suppressed)
        sub_bench, sub_e, sub_n, sub_pe, sub_pn = use_bench[at], e1[at], n[at], pe[at], pn[at]
        nc_low, nc_high = newcombe(sub_e, sub_n, sub_pe, sub_pn)
        wl, wh = wilson(sub_e, sub_n)
        ci_low[at] = np.where(sub_bench, wl - bench, w[at] * nc_low) * 100
        ci_high[at] = np.where(sub_bench, wh - bench, w[at] * nc_high) * 100
        p_two = two_proportion_p(np.where(sub_bench, np.nan, sub_e), sub_n, sub_pe, sub_pn)
        p_bench = benchmark_p(np.where(sub_bench, sub_e, np.nan), sub_n, 0.5 if benchmark is None else bench)
        p_value[at] = np.where(sub_bench, p_bench, p_two)
        cohen_h = np.where(exact, 2 * np.arcsin(np.sqrt(rate)) - 2 * np.arcsin(np.sqrt(crate)), np.nan)

        # numeric outcomes
        mean = centre + a / n
        var = (b - a * a / n) / (n - 1)
        cmean = centre + ca / cn
        cvar = (cb - ca * ca / cn) / (cn - 1)
        omean, ovar = centre + oa / on, (ob - oa * oa / on) / (on - 1)
        pm, pv = np.where(use_all, omean, cmean), np.where(use_all, ovar, cvar)
        # Welch's t only where it is shown (numeric, not suppressed): the other rows are blanked anyway
        t_low, t_high, t_p = np.full(len(n), np.nan), np.full(len(n), np.nan), np.full(len(n), np.nan)
        shown = np.flatnonzero(numeric & ~suppressed)
        t_low[shown], t_high[shown], t_p[shown] = welch(mean[shown], var[shown], n[shown], pm[shown], pv[shown],
                                                        pn[shown])
        g = hedges_g(mean, var, n, cmean, cvar, cn)
        share_e = np.where(np.isfinite(e) & np.isfinite(te), e / te, n * rate / (tn * (tlo + thi) / 2))
        share_n = n / tn

    nonnum = ~numeric
    out = pd.DataFrame({
        "level": raw["level"], "school": raw["school"], "year": raw["year"],
        "dimension": raw["dimension"], "group": raw["grp"], "outcome": raw["outcome"],
        "n": n, "events": np.where(nonnum, e, np.nan),
        "rate": np.where(nonnum, rate, np.nan), "rate_low": np.where(nonnum, lo, np.nan),
        "rate_high": np.where(nonnum, hi, np.nan), "mean": np.where(numeric, mean, np.nan),
        "comparison": _strings(labels, label), "comparison_n": cn,
        "comparison_rate": np.where(nonnum, crate, np.nan), "comparison_mean": np.where(numeric, cmean, np.nan),
        "difference": np.where(numeric, mean - cmean, difference),
        "risk_ratio": np.where(nonnum, risk_ratio, np.nan),
        "effect_size": np.where(numeric, g, cohen_h),
        "ci_low": np.where(numeric, w * t_low, ci_low), "ci_high": np.where(numeric, w * t_high, ci_high),
        "p_value": np.where(numeric, t_p, p_value),
        "suppressed": suppressed, "suppression_reason": _strings(reasons, reason),
        "kind": _strings(np.array(["binary", "numeric"], object), numeric.astype(int)), "higher_is_better": hib,
        "difference_low": np.where(numeric, mean - cmean, (lo - chi) * 100),
        "difference_high": np.where(numeric, mean - cmean, (hi - clo) * 100),
        "comparison_rate_low": np.where(nonnum, clo, np.nan), "comparison_rate_high": np.where(nonnum, chi, np.nan),
        "share_of_events": np.where(nonnum, share_e, np.nan), "share_of_students": share_n,
    }, copy=False)  # no block consolidation: each column stays its own array
    for col in ("difference", "risk_ratio", "effect_size", "ci_low", "ci_high", "p_value", "difference_low",
                "difference_high"):
        out[col] = out[col].where(np.isfinite(out[col]))
    return out


def _per_value(values: pd.Series, fn, dtype) -> np.ndarray:
    """`fn` of each row's value, computed once per distinct value (a column of a few labels)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.array([fn(u) for u in uniques], dtype=dtype)[codes]


def _hide(df: pd.DataFrame, copy: bool = True) -> pd.DataFrame:
    """Blank every figure of a suppressed row except n and comparison_n; counts as nullable integers."""
    df = df.copy(deep=False) if copy else df  # copy-on-write: the caller's frame is never changed
    hidden = df["suppressed"].to_numpy(bool)
    for col in HIDDEN_WHEN_SUPPRESSED:
        if col in df:
            df[col] = np.where(hidden, np.nan, df[col].to_numpy(dtype=float, na_value=np.nan))
    for col in ("n", "events", "comparison_n"):
        df[col] = pd.array(np.round(df[col].to_numpy(dtype=float, na_value=np.nan)), dtype="Int64")
    return df


def complementary_suppression(df: pd.DataFrame) -> pd.DataFrame:
    """Hide a second cell wherever exactly one cell of a set that adds up to a shown total is hidden.

    Sets: (1) the groups of one dimension at one level, school, year and outcome (the all-students
    total can be read from any row: n + comparison_n); (2) one group's school rows with its district
    row (the district is the sum of its schools). In a set with exactly one hidden row, the shown
    row with the fewest students is hidden too; repeated until nothing changes. A hidden row with
    no students (n = 0) protects nothing — its n is shown, so it is known to add nothing — and is
    not counted as a hidden cell.
    """
    df = df.copy(deep=False)  # copy-on-write: the caller's frame is never changed
    hidden = df["suppressed"].to_numpy(bool).copy()
    size = df["n"].to_numpy(dtype=float, na_value=np.inf)
    protects = size > 0
    sets = [_set_key(df, ["level", "school", "year", "dimension", "outcome"]),
            _set_key(df, ["year", "dimension", "group", "outcome"])]
    for _ in range(50):
        changed = False
        for key in sets:
            count = np.bincount(key, weights=hidden & protects, minlength=key.max() + 1 if len(key) else 0)
            candidates = np.flatnonzero((count[key] == 1) & ~hidden)
            if not len(candidates):
                continue
            # per set, the shown row with the fewest students; ties: the first in table order
            ordered = candidates[np.lexsort((candidates, size[candidates], key[candidates]))]
            first = np.r_[True, key[ordered][1:] != key[ordered][:-1]]
            hidden[ordered[first]] = True
            changed = True
        if not changed:
            break
    added = hidden & ~df["suppressed"].to_numpy(bool)
    df["suppressed"] = hidden
    codes, reasons = pd.factorize(df["suppression_reason"], use_na_sentinel=False)
    df["suppression_reason"] = _strings(np.append(np.asarray(reasons, object), COMPLEMENTARY),
                                        np.where(added, len(reasons), codes))
    out = _hide(df, copy=False)
    out.attrs["complementary_suppression"] = True
    return out


def _set_key(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A dense integer per distinct combination of `columns` (0, 1, 2, ...)."""
    key = np.zeros(len(df), np.int64)
    for column in columns:
        codes, uniques = pd.factorize(df[column])
        key = pd.factorize(key * (len(uniques) + 1) + codes + 1)[0]
    return key


def for_export(df: pd.DataFrame) -> pd.DataFrame:
    """The table as any export must show it: complementary suppression applied, hidden figures blank.
    A table that `screen` already protected (or a part of one) is returned as it is."""
    return df if df.attrs.get("complementary_suppression") else complementary_suppression(df)


# ---------------------------------------------------------------- reading the table

def severity(df: pd.DataFrame) -> pd.Series:
    """How unfavourable a gap is for the group, on one scale: Cohen's h (binary) or Hedges' g (numeric),
    signed so that positive means the group does worse (lower when higher is better, and vice versa)."""
    sign = np.where(_hib(df), -1.0, 1.0)
    return pd.Series(sign * df["effect_size"].astype(float).to_numpy(), index=df.index).where(~df["suppressed"])


def _hib(df: pd.DataFrame) -> np.ndarray:
    return df["higher_is_better"].to_numpy(bool) if "higher_is_better" in df else np.ones(len(df), bool)


def flagged(df: pd.DataFrame, settings: GapSettings) -> pd.Series:
    """A gap beyond the team's threshold, against the group:

    binary: unfavourable risk ratio >= settings.risk_ratio_threshold — the risk of the bad outcome,
    rate/comparison_rate when lower is better, (1-rate)/(1-comparison_rate) when higher is better —
    or an unfavourable difference of at least settings.point_gap_threshold points (a threshold of 0
    or less is switched off); numeric: unfavourable Hedges' g >= 0.25.
    """
    hib = _hib(df)
    rate, comp = df["rate"].astype(float).to_numpy(), df["comparison_rate"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        bad_rr = np.where(hib, (1 - rate) / (1 - comp), rate / comp)
    bad_points = np.where(hib, -1.0, 1.0) * df["difference"].astype(float).to_numpy()
    rr_t, pt_t = settings.risk_ratio_threshold, settings.point_gap_threshold
    binary = ((rr_t > 0) & (bad_rr >= rr_t)) | ((pt_t > 0) & (bad_points >= pt_t))
    numeric = severity(df).to_numpy(dtype=float, na_value=np.nan) >= NUMERIC_EFFECT_THRESHOLD
    kind = df["kind"].to_numpy(str) if "kind" in df else np.where(df["mean"].notna(), "numeric", "binary")
    return pd.Series(np.where(kind == "numeric", numeric, binary) & ~df["suppressed"].to_numpy(bool), index=df.index)


def ranked(df: pd.DataFrame, settings: GapSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shown rows, largest unfavourable gaps first with flagged ones on top; suppressed rows apart)."""
    shown = df[~df["suppressed"]].assign(flagged=flagged(df, settings), severity=severity(df))
    shown = shown.sort_values(["flagged", "severity"], ascending=[False, False], na_position="last")
    return shown.reset_index(drop=True), df[df["suppressed"]].reset_index(drop=True)


def multi_year_flags(df: pd.DataFrame, settings: GapSettings) -> pd.DataFrame:
    """Per level, school, dimension, group and outcome: `years_flagged`, the number of consecutive
    years, ending with the latest year in the table, in which the gap was beyond the threshold
    (0-3; a year with no figure breaks the run), and `flag_1yr`, `flag_2yr`, `flag_3yr`."""
    keys = ["level", "school", "dimension", "group", "outcome"]
    years = sorted(y for y in df["year"].unique() if y != "")[-3:]
    table = df.assign(_f=flagged(df, settings)).pivot_table(index=keys, columns="year", values="_f",
                                                            aggfunc="max", fill_value=False)
    table = table.reindex(columns=years, fill_value=False).astype(bool)
    run = np.cumprod(table.to_numpy()[:, ::-1], axis=1).sum(axis=1) if years else np.zeros(len(table), int)
    out = table.index.to_frame(index=False)
    out["years_flagged"] = run
    for k in (1, 2, 3):
        out[f"flag_{k}yr"] = run >= k
    return out


def heatmap_table(df: pd.DataFrame) -> pd.DataFrame:
    """Groups (rows, "dimension: group") × outcomes (columns) of the difference; suppressed cells empty."""
    shown = df.assign(row=df["dimension"] + ": " + df["group"]).drop_duplicates(["row", "outcome"])
    table = shown.pivot(index="row", columns="outcome", values="difference")
    return table.reindex(index=list(dict.fromkeys(shown["row"])), columns=list(dict.fromkeys(shown["outcome"])))


def heatmap_harm(df: pd.DataFrame) -> pd.DataFrame:
    """`heatmap_table` turned so that a positive value always means the group does worse: the
    difference as it is when lower is better (suspension), its negative when higher is better."""
    table = heatmap_table(df)
    better = (df.drop_duplicates("outcome").set_index("outcome")["higher_is_better"]
              if "higher_is_better" in df else pd.Series(True, index=table.columns))
    flip = better.reindex(table.columns).fillna(True).map(lambda b: -1.0 if b else 1.0)
    return table * flip


def select(df: pd.DataFrame, **filters) -> pd.DataFrame:
    """Rows matching every non-empty filter (value or list of values), e.g. select(df, level="district")."""
    mask = np.ones(len(df), bool)
    for col, value in filters.items():
        if value is None or (isinstance(value, (list, tuple)) and not value):
            continue
        mask &= df[col].isin(value if isinstance(value, (list, tuple)) else [value]).to_numpy()
    return df[mask]



class Lookup:
    """A gap table with its rows found by place and by group × outcome, so that a page's filters and
    drill-downs read the few hundred rows they show instead of scanning the whole table each time."""

    def __init__(self, table: pd.DataFrame):
        self.table = table
        self._places = table.groupby(["level", "school"], sort=False).indices
        self._cells = table.groupby(["dimension", "group", "outcome"], sort=False).indices
        self.years = sorted(y for y in table["year"].unique() if y)
        self.schools = sorted(s for s in table["school"].unique() if s)
        self.groups = sorted(table["group"].unique())
        self.outcomes = list(table["outcome"].unique())  # in the mapping's order
        self.dimensions = list(table["dimension"].unique())

    def _rows(self, index: dict, key) -> pd.DataFrame:
        return self.table.take(index.get(key, np.zeros(0, int)))

    def place(self, level: str, school: str = "") -> pd.DataFrame:
        """Every row (every year) of the whole file (level "district") or of one school."""
        return self._rows(self._places, (level, school if level == "school" else ""))

    def cell(self, dimension: str, group: str, outcome: str) -> pd.DataFrame:
        """Every row (every level, school and year) of one group and outcome."""
        return self._rows(self._cells, (dimension, group, outcome))


def gap_screen(table: pd.DataFrame, settings: GapSettings, *, level: str = "district", school: str = "",
               year: str | None = None, outcomes=None, dimensions=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The screen for one level (and school) and year: (shown rows ranked, with `years_flagged` from
    `multi_year_flags`; suppressed rows apart). `table` is `screen(..., extra=True)`."""
    place = select(table, level=level, school=school if level == "school" else "")
    years = multi_year_flags(place, settings)[["level", "school", "dimension", "group", "outcome", "years_flagged"]]
    rows = select(place, year=year, outcome=outcomes, dimension=dimensions)
    shown, hidden = ranked(rows, settings)
    shown = shown.merge(years, how="left", on=["level", "school", "dimension", "group", "outcome"])
    return shown, hidden


READABLE = {  # column -> (heading, scale)
    "dimension": ("Dimension", None), "group": ("Group", None), "outcome": ("Outcome", None),
    "school": ("School", None), "year": ("Year", None), "n": ("n", None),
    "rate": ("Rate %", 100), "mean": ("Average", 1), "comparison": ("Compared with", None),
    "comparison_n": ("Comparison n", None), "comparison_rate": ("Comparison rate %", 100),
    "comparison_mean": ("Comparison average", 1), "difference": ("Gap (points or units)", 1),
    "difference_low": ("Gap from", 1), "difference_high": ("Gap to", 1), "risk_ratio": ("Risk ratio", 1),
    "ci_low": ("95% interval from", 1), "ci_high": ("95% interval to", 1), "p_value": ("p-value", 1),
    "flagged": ("Beyond threshold", None), "years_flagged": ("Years in a row", None),
    "share_of_students": ("Share of students %", 100), "share_of_events": ("Share with the outcome %", 100),
    "suppression_reason": ("Why hidden", None),
}


def readable(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows for people: the chosen columns with plain headings, proportions as percents (1 decimal)."""
    out = pd.DataFrame(index=df.index)
    for col in columns:
        if col not in df:
            continue
        heading, scale = READABLE.get(col, (col, None))
        values = df[col]
        if scale is not None:
            values = (values.astype(float) * scale).round(3 if col == "p_value" else 2 if col == "risk_ratio" else 1)
        out[heading] = values
    return out.reset_index(drop=True)
