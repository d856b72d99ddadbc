"""Cell gathering: the counts behind every row of the gap table, in one DuckDB statement.

`gather(con, prepared, settings, by_school, by_year)` returns the cells (one per level, school,
year, dimension, group and outcome, in table order), each joined to its all-students row (t_) and
its reference group's row (r_), as a dict of equally long columns. Student data add up rows of the
data set's cube (`successgaps.data.prepared`); aggregate data sum school rows with interval
arithmetic, except a file that gives its own rows per level (a state report card), read as it is.
`EXACT`, `RANGE`, `SUPPRESSED`, `MISSING` say how a cell's rate is known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.prepared import ALL_DIMENSION, ALL_GROUP, Prepared, cube_sql, relation_sums
from ..errors import UserError
from ..models import GapSettings
from .columns import strings

EXACT, RANGE, SUPPRESSED, MISSING = 0, 1, 2, 3  # how a cell's rate is known (the views' source_flag)
FLAGS = {"exact": EXACT, "range": RANGE, "suppressed": SUPPRESSED, "missing": MISSING}
AMONG_NEEDS_STUDENTS = ("Screening among one group (such as children with disabilities) needs a student-level file; "
                        "this file gives counts per group, so screen it as it is or upload its student records.")
_CELL_COLS = "level, school, year, dimension, grp, outcome, n, events, a, b, centre, lo, hi, flag"


def _year_sql(prepared: Prepared, by_year: bool, source: str) -> str:
    """The year as the file states it; pooled over years (by_year False) it is the file's only year, else ''."""
    if not prepared.has_year:
        return "''"
    if by_year:
        return "COALESCE(CAST(\"year\" AS VARCHAR), '')"
    return (f"(SELECT CASE WHEN count(DISTINCT \"year\") = 1 THEN COALESCE(CAST(any_value(\"year\") AS VARCHAR), '') "
            f"ELSE '' END FROM {source})")


def _student_cells(prepared: Prepared, by_school: bool, by_year: bool, among: tuple[str, str] = ("", "")) -> tuple[str, list]:
    """Rows `g` of a student view: per level/school/year/dimension/group, for each outcome j, n{j}, e{j} = Σy
    and for numeric outcomes a{j} = Σ(y-c), b{j} = Σ(y-c)² around the overall mean c (binary outcomes need
    only n and Σy).

    Every cell adds up rows of the cube (`successgaps.data.prepared`: n, Σy and Σ(y-c)² per school, year and
    group values, far fewer rows than students): one GROUP BY per dimension, GROUPING SETS over levels (at 10M
    records 1.7 → 1.4 s against one GROUP BY of the rows unnested over the dimensions, which copied every sum
    once per dimension). Σ(y-c) = Σy - n·c. Each GROUP BY reads the cube itself (`base` NOT MATERIALIZED: the cube's
    rows are not copied out to the nine of them first; a million records 0.25–0.32 → 0.15–0.20 s, ten million
    1.9–2.4 → 1.8–2.2 s; the same sums).

    `among` (dimension label, group label): only the students of that group (the population filter: "among
    children with disabilities"); that dimension, and combined groups made with it, are not screened."""
    dims, outs = prepared.dimensions, prepared.outcomes
    k = next((i for i, d in enumerate(dims) if d.label == among[0] and not d.parts), None) if among[1] else None
    where = f"WHERE d{k} = ?" if k is not None else ""
    left_out = [d.label for d in dims if k is not None and (d.label == among[0] or among[0] in d.parts)]
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
    if school:
        whole, sets, sets_t = "GROUPING(school)", "(school, year, {0}), (year, {0})", "(school, year), (year)"
    else:
        whole, sets, sets_t = "1", "(school, year, {0})", "(school, year)"
    inline = "" if prepared.cube else \
        f"cube_inline AS MATERIALIZED ({cube_sql(relation_sums(prepared.relation, dims, outs), len(dims), outs)}),"
    screened = [i for i, d in enumerate(dims) if d.label not in left_out]
    per_dimension = "".join(f"""
        SELECT {whole} AS whole, school, year, ? AS dimension, d{i} AS grp, {sums}
        FROM base WHERE d{i} IS NOT NULL GROUP BY GROUPING SETS ({sets.format(f"d{i}")})
        UNION ALL""" for i in screened)
    sql = f"""
    WITH {inline}
    ctr AS MATERIALIZED (SELECT {centres}{f" FROM {cube}" if numeric else ""}),
    base AS NOT MATERIALIZED (SELECT {school_col} AS school, {year} AS year, {d_names}, {centred} FROM {cube}, ctr {where}),
    grouped AS ({per_dimension}
        SELECT {whole} AS whole, school, year, ? AS dimension, ? AS grp, {sums}
        FROM base GROUP BY GROUPING SETS ({sets_t})),
    g AS (SELECT CASE WHEN whole = 1 THEN 'district' ELSE 'school' END AS level,
                 CASE WHEN whole = 1 THEN '' ELSE school END AS school, year, dimension, grp, {", ".join(stats)}
          FROM grouped)
    """
    params = ([among[1]] if where else []) + [dims[i].label for i in screened] + [ALL_DIMENSION, ALL_GROUP]
    return sql, params


def _student_raw(con, prepared: Prepared, reference: str, by_school: bool, by_year: bool,
                 among: tuple[str, str] = ("", "")) -> dict:
    """`gather` for a student view. One statement returns the cells `g` (one row per level, school, year,
    dimension and group, every outcome's sums side by side; a few ten thousand rows even for millions of
    students), in table order; each group row is then paired with its all-students row (t) and
    reference group row (r) of the same level, school and year, and spread over the outcomes, in numpy."""
    cells_sql, params = _student_cells(prepared, by_school, by_year, among)
    dims, outs = prepared.dimensions, prepared.outcomes
    numeric = [j for j, o in enumerate(outs) if o.kind == "numeric"]
    sql = f"""{cells_sql}
    SELECT g.*, ctr.* FROM g CROSS JOIN ctr
    ORDER BY level, school, year, list_position(?, dimension) NULLS LAST, grp"""
    # numpy columns, not a pandas frame (10M records: the fetch 0.35–0.45 → 0.2 s); a column with NULLs comes masked
    g = con.execute(sql, params + [[d.label for d in dims]]).fetchnumpy()
    text = lambda c: np.ma.filled(g[c], "").astype(object, copy=False)  # noqa: E731
    keys = {c: text(c) for c in ("level", "school", "year")}
    dimension, grp = text("dimension"), text("grp")
    size, total = len(dimension), dimension == ALL_DIMENSION
    place = _runs(*keys.values())  # the rows come sorted by level, school and year
    t_of = np.full(size, -1)  # per place (numbered below the number of rows): its all-students row
    t_of[place[total]] = np.flatnonzero(total)
    r_idx = np.full(size, -1)
    if reference:
        cell = _runs(place, dimension)
        is_ref = (grp == reference) & ~total
        r_of = np.full(size, -1)
        r_of[cell[is_ref]] = np.flatnonzero(is_ref)
        r_idx = np.where(is_ref, -1, r_of[cell])
    rows = np.flatnonzero(~total)
    t_idx, r_idx = t_of[place[rows]], r_idx[rows]
    k = len(outs)
    number = lambda c: np.ma.filled(g[c].astype(float), np.nan)  # noqa: E731
    matrix = lambda x, only=range(k): np.column_stack(  # noqa: E731 - (cells × outcomes) of one statistic
        [number(f"{x}{j}") if j in only else np.full(size, np.nan) for j in range(k)]) if size else np.empty((0, k))
    stats = {x: matrix(x, numeric if x in "ab" else range(k)) for x in "neab"}

    spread, which = np.repeat(np.arange(len(rows)), k), np.tile(np.arange(k), len(rows))

    def gather(idx, names="neab"):  # per statistic: its value at row idx (−1: no such row) and each row's outcome
        at = np.maximum(idx, 0) * k + which  # the cells' flat positions, worked out once for the statistics
        missing = np.flatnonzero(idx < 0)
        out = {x: stats[x].ravel()[at] for x in names}
        for values in out.values():
            values[missing] = np.nan
        return out

    # an outcome no student at a place has (graduation at an elementary school) gets no rows there
    keep = np.flatnonzero(gather(t_idx[spread], "n")["n"] > 0)
    spread, which = spread[keep], which[keep]
    c, t, r = (gather(idx[spread]) for idx in (rows, t_idx, r_idx))
    out = {name: strings(values[rows], spread) for name, values in
           (("level", keys["level"]), ("school", keys["school"]), ("year", keys["year"]),
            ("dimension", dimension), ("grp", grp))}
    out["outcome"] = strings(np.array([o.label for o in outs], object), which)
    out["_o"] = which.astype(float)
    centres = np.array([number(f"c{j}")[0] if size else 0.0 for j in range(k)], float)
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


def districts(con, prepared: Prepared) -> int:
    """How many districts an aggregate view names (0 without a district column)."""
    if not prepared.has_district:
        return 0
    return con.execute(f"SELECT count(DISTINCT district) FROM {prepared.relation}").fetchone()[0]


def whole_level(n_districts: int) -> str:
    """The whole file's level: 'state' when it holds several districts, else 'district' (as it always was)."""
    return "state" if n_districts > 1 else "district"


def _aggregate_cells(prepared: Prepared, by_school: bool, by_year: bool, n_districts: int = 0) -> tuple[str, list]:
    """Cells of an aggregate view: each school's own row, and sums of school rows with interval arithmetic
    for each district (when the file has several) and for the whole file.

    A school that gives no count for a cell (some states publish rates without cohort counts) cannot be
    weighted: it is left out of the sums, and `left_out` / `left_states` count the schools and states
    left out (a sentence says so); a sum with nothing left has no n. A file that gives its own rows per
    level (`_leveled_cells`) is never summed."""
    if prepared.has_levels:
        return _leveled_cells(prepared, by_school, by_year)
    school = by_school and prepared.has_school
    district = n_districts > 1
    year = _year_sql(prepared, by_year, prepared.relation)
    school_col = "COALESCE(CAST(school AS VARCHAR), '')" if prepared.has_school else "''"
    district_col = "COALESCE(CAST(district AS VARCHAR), '')" if prepared.has_district else "''"
    state_col = "CAST(state AS VARCHAR)" if prepared.has_district else "CAST(NULL AS VARCHAR)"
    cell = "year, dimension, grp, outcome"
    sets = ([f"(district, school, {cell})"] if school else []) + ([f"(district, {cell})"] if district else []) \
        + [f"({cell})"]
    is_school = "GROUPING(school) = 0" if school else "false"
    is_district = "GROUPING(district) = 0" if (school or district) else "false"
    sql = f"""
    WITH src AS (SELECT {school_col} AS school, {district_col} AS district, {state_col} AS state, {year} AS year,
                        CAST(dimension AS VARCHAR) AS dimension,
                        CAST("group" AS VARCHAR) AS grp, CAST(outcome AS VARCHAR) AS outcome,
                        CAST(n AS DOUBLE) AS n, CAST(events AS DOUBLE) AS events,
                        CAST(rate_low AS DOUBLE) AS rate_low, CAST(rate_high AS DOUBLE) AS rate_high, source_flag
                 FROM {prepared.relation}
                 WHERE NOT (source_flag = 'missing' AND coalesce(n, 0) = 0) AND "group" IS NOT NULL),
    grouped AS (
        SELECT {is_school} AS own, {is_district} AS in_district,
               {"CASE WHEN GROUPING(school) = 1 THEN '' ELSE school END" if school else "''"} AS school,
               {"CASE WHEN GROUPING(district) = 1 THEN '' ELSE district END" if (school or district) else "''"}
                   AS district,
               year, dimension, grp, outcome, count(n) AS counted, count(*) = 1 AS single,
               min(n) AS n1, min(events) AS e1, min(rate_low) AS lo1, min(rate_high) AS hi1, min(source_flag) AS f1,
               sum(n) AS n, CASE WHEN count(events) = count(n) THEN sum(events) END AS events,
               sum(n * coalesce(rate_low, 0.0)) AS lo_sum, sum(n * coalesce(rate_high, 1.0)) AS hi_sum,
               bool_and(source_flag = 'exact') FILTER (WHERE n IS NOT NULL) AS all_exact,
               count(DISTINCT school) FILTER (WHERE n IS NULL) AS left_out,
               count(DISTINCT state) FILTER (WHERE n IS NULL) AS left_states
        FROM src GROUP BY GROUPING SETS ({", ".join(sets)})),
    cells AS (
        SELECT CASE WHEN own THEN 'school' WHEN in_district THEN 'district'
                    ELSE '{whole_level(n_districts)}' END AS level,
               school, district, year, dimension, grp, outcome,
               CASE WHEN own OR single THEN n1 ELSE n END AS n,
               CASE WHEN own OR single THEN e1 WHEN counted > 0 THEN events END AS events,
               NULL::DOUBLE AS a, NULL::DOUBLE AS b, NULL::DOUBLE AS centre,
               CASE WHEN own OR single THEN lo1 WHEN n > 0 THEN lo_sum / n END AS lo,
               CASE WHEN own OR single THEN hi1 WHEN n > 0 THEN hi_sum / n END AS hi,
               CASE WHEN own OR single THEN f1 WHEN counted = 0 THEN 'missing' WHEN all_exact THEN 'exact'
                    ELSE 'range' END AS flag,
               CASE WHEN own THEN 0 ELSE left_out END::DOUBLE AS left_out,
               CASE WHEN own THEN 0 ELSE left_states END::DOUBLE AS left_states
        FROM grouped)
    """
    return sql, []


def _leveled_cells(prepared: Prepared, by_school: bool, by_year: bool) -> tuple[str, list]:
    """Cells of a file that gives its own state, district and school rows (a state report card's aggregate
    level T/D/S): each row is the cell of its level as the file gives it, never a sum, so a district's row is
    the district's own figure (students of schools the file does not list included). Rows of any other level
    (counties) are left out; without a state row, the only district's row is the whole file (`district` '').
    A place and group given twice (a file split by further columns) keeps its largest row."""
    year = _year_sql(prepared, by_year, prepared.relation)
    levels = ["state", "district"] + (["school"] if by_school and prepared.has_school else [])
    sql = f"""
    WITH src AS (SELECT CAST(level AS VARCHAR) AS level, COALESCE(CAST(school AS VARCHAR), '') AS school,
                        COALESCE(CAST(district AS VARCHAR), '') AS district, {year} AS year,
                        CAST(dimension AS VARCHAR) AS dimension, CAST("group" AS VARCHAR) AS grp,
                        CAST(outcome AS VARCHAR) AS outcome, CAST(n AS DOUBLE) AS n, CAST(events AS DOUBLE) AS events,
                        CAST(rate_low AS DOUBLE) AS lo, CAST(rate_high AS DOUBLE) AS hi, source_flag AS flag
                 FROM {prepared.relation}
                 WHERE list_contains(?, level) AND "group" IS NOT NULL
                       AND NOT (source_flag = 'missing' AND coalesce(n, 0) = 0)
                 QUALIFY row_number() OVER (PARTITION BY level, district, school, year, dimension, grp, outcome
                                            ORDER BY n DESC NULLS LAST, events DESC NULLS LAST) = 1),
    whole AS (SELECT count(*) FILTER (WHERE level = 'state') = 0
                     AND count(DISTINCT district) FILTER (WHERE level = 'district') = 1 AS one FROM src),
    cells AS (
        SELECT level, school, CASE WHEN level = 'district' AND whole.one THEN '' ELSE district END AS district,
               year, dimension, grp, outcome, n, events, NULL::DOUBLE AS a, NULL::DOUBLE AS b,
               NULL::DOUBLE AS centre, lo, hi, flag, 0.0::DOUBLE AS left_out, 0.0::DOUBLE AS left_states
        FROM src, whole)
    """
    return sql, [levels]


def gather(con, prepared: Prepared, settings: GapSettings, by_school: bool, by_year: bool) -> dict:
    """The cells, each joined to its all-students row (t_) and reference group row (r_), in table order
    (level, district, school, year, dimension, group, outcome): a dict of equally long columns."""
    reference = settings.reference_group if settings.comparison == "reference" else ""
    among = (settings.among_dimension, settings.among_group)
    if among[1] and prepared.layout != "student":
        raise UserError(AMONG_NEEDS_STUDENTS)
    if among[1] and not any(d.label == among[0] and not d.parts for d in prepared.dimensions):
        names = ", ".join(d.label for d in prepared.dimensions if not d.parts)
        raise UserError(f"The file has no group column “{among[0]}” to screen among; its group columns are {names}.")
    if prepared.layout == "student":
        out = _student_raw(con, prepared, reference, by_school, by_year, among)
        if among[1] and not len(out["n"]):
            raise UserError(f"No student in the file is in “{among[1]}” ({among[0]}); pick a group the file has.")
        out["district"] = strings(np.array([""], object), np.zeros(len(out["n"]), int))
        out["left_out"] = out["left_states"] = np.zeros(len(out["n"]))
        return out
    cells_sql, params = _aggregate_cells(prepared, by_school, by_year, districts(con, prepared))
    side = lambda p: ", ".join(f"{p}.{c} AS {p}_{c}" for c in ("n", "events", "a", "b", "lo", "hi", "flag"))  # noqa
    key = ("{p}.level = c.level AND {p}.district = c.district AND {p}.school = c.school AND {p}.year = c.year "
           "AND {p}.outcome = c.outcome")
    sql = f"""{cells_sql}
    SELECT {", ".join("c." + c for c in _CELL_COLS.split(", "))}, c.district, c.left_out, c.left_states,
           {side("t")}, {side("r")}
    FROM cells c
    LEFT JOIN cells t ON t.dimension = ? AND {key.format(p="t")}
    LEFT JOIN cells r ON r.grp = ? AND r.grp <> c.grp AND r.dimension = c.dimension AND {key.format(p="r")}
    WHERE c.dimension <> ?
    ORDER BY list_position(['state', 'district', 'school'], c.level), c.district, c.school, c.year,
             list_position(?, c.dimension) NULLS LAST, c.grp, list_position(?, c.outcome) NULLS LAST
    """
    frame = con.execute(sql, params + [ALL_DIMENSION, reference, ALL_DIMENSION, [d.label for d in prepared.dimensions],
                                       [o.label for o in prepared.outcomes]]).df()
    out = {c: frame[c].to_numpy() for c in frame.columns}
    for c in ("level", "district", "school", "year", "dimension", "grp", "outcome"):
        out[c] = pd.array(frame[c].fillna(""), dtype="str")
    for c in ("flag", "t_flag", "r_flag"):
        out[c] = frame[c].map(FLAGS).fillna(MISSING).to_numpy(int)
    order = {o.label: i for i, o in enumerate(prepared.outcomes)}
    out["_o"] = _per_value(frame["outcome"], lambda o: order.get(o, len(order)), float)
    return out


def _per_value(values: pd.Series, fn, dtype) -> np.ndarray:
    """`fn` of each row's value, computed once per distinct value (a column of a few labels)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.array([fn(u) for u in uniques], dtype=dtype)[codes]
