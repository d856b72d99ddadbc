"""The contract between the data layer (`data.views`) and the gap engine (`engine`).

`views.prepare(con, project, dataset)` turns a mapped data set into a `Prepared`: a DuckDB
view (or table) in a canonical shape, whatever the uploaded layout was. The gap engine reads
only `Prepared`, so it never needs to know about column names, codes or file layouts.

Student layout (`layout == "student"`), one row per student record:
    school  VARCHAR   school label (NULL when the file has no school column)
    year    VARCHAR   school year as the file states it, e.g. "2024-25" (NULL when none)
    <dimension.key>  VARCHAR  the student's group label in that dimension (NULL = unknown/missing)
    <outcome.key>    DOUBLE   binary outcomes 0/1, numeric outcomes their value (NULL = missing)

Aggregate layout (`layout == "aggregate"`), one row per (school, year, dimension, group, outcome):
    school, year      as above
    dimension VARCHAR  dimension label ("Race/ethnicity"); the all-students row has dimension 'All'
    "group"   VARCHAR  group label ("Hispanic/Latino"); the all-students row has group 'All students'
    outcome   VARCHAR  outcome label ("Four-year graduation")
    n         DOUBLE   students in the cell (NULL when unknown)
    events    DOUBLE   students with the outcome (NULL when only a rate is known)
    rate_low  DOUBLE   lower end of the rate, proportion 0-1 (NULL when suppressed or missing)
    rate_high DOUBLE   upper end; equal to rate_low for an exact rate
    source_flag VARCHAR 'exact' | 'range' | 'suppressed' (source privacy suppression, e.g. PS) | 'missing'
    district  VARCHAR  district label (only when `has_district`: the file has a district column)
    state     VARCHAR  state label (only when `has_district`; NULL when the file names no state)
    level     VARCHAR  the place a row is about, 'state' | 'district' | 'school' (NULL: any other, e.g. a county),
                       when the file says it (`has_levels`: a report card's T/C/D/S column); NULL otherwise

Cube (student layout, `Prepared.cube`, built by `cube_sql`): the view summed once per (school, year,
every group value), a table far shorter than the file that every count of the gap engine adds up:
    school, year      as in the view
    d{i}      VARCHAR  the group label in dimension i (prepared.dimensions[i])
    r{k}      VARCHAR  (a cube built from the files) the data set's group column k (`views.raw_group_columns`) as
                       the file gives it, the code its group label comes from: the quality report counts the
                       files' own codes from the cube (`quality._scan`), not from every record
    rows      DOUBLE   student records on the row (whatever their outcomes)
    n{j}      DOUBLE   students with a known value of outcome j (prepared.outcomes[j])
    e{j}      DOUBLE   the sum of outcome j (students with the outcome, for a binary outcome)
    c{j}, q{j} DOUBLE  numeric outcomes only: c{j} the centre, the mean of outcome j over the whole data set
                       (the same on every row; rounded to a whole number when every value is whole: see
                       `cube_sql`), q{j} = Σ(y - c{j})² over the row's students
Every column but the keys and c{j} is additive, so any count by school, year or group is a sum of
cube rows, and the same keys may appear on more than one row (one per raw spelling of the codes).
`views.prepare` keeps it as a table of the store's in-memory cache, named after a fingerprint of its
SQL; without one (`cube == ""`) the engine computes it inline from the view with the same SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..sql import quote_ident

ALL_DIMENSION = "All"
ALL_GROUP = "All students"


@dataclass(frozen=True)
class Dimension:
    key: str  # column name in a student view (e.g. "d_race_ethnicity"); label elsewhere
    label: str  # "Race/ethnicity"
    parts: tuple[str, ...] = ()  # a combined group: the labels of its two dimensions (its groups are "a & b")


@dataclass(frozen=True)
class Outcome:
    key: str  # column name in a student view (e.g. "o_graduated"); label in an aggregate view
    label: str  # "Four-year graduation"
    kind: Literal["binary", "numeric"] = "binary"
    higher_is_better: bool = True


@dataclass(frozen=True)
class Prepared:
    layout: Literal["student", "aggregate"]
    relation: str  # a quoted, qualified DuckDB relation name to SELECT from
    dimensions: tuple[Dimension, ...]
    outcomes: tuple[Outcome, ...]
    has_school: bool = True
    has_year: bool = True
    cube: str = ""  # student layout: a quoted relation holding `cube_sql` (see above), or "" for none
    has_district: bool = False  # aggregate layout: the view has `district` (and `state`) columns
    has_levels: bool = False  # aggregate layout: the file gives its own state, district and school rows (`level`)


EXACT_LIMIT = 10_000  # whole values up to this size are added up exactly (below): every sum stays under 2**53
# even for 10 million students (Σ y² ≤ 10⁷ · 10⁸ = 10¹⁵)


def cube_sql(sums: str, n_dimensions: int, outcomes, n_raw: int = 0) -> str:
    """The cube (see the module docstring) from `sums`: SQL of rows with school, year, d{i} and per
    outcome j __n{j} (count), __e{j} (sum) and, numeric outcomes, __m{j} = Σ(y - the row's own mean)²,
    __s{j} = Σy² and __x{j} (every value whole and at most `EXACT_LIMIT` in size) (rows with the same keys may
    repeat: all sums are additive), and `n_raw` columns r{k} of the files' own text of group columns.

    An outcome whose values are all whole numbers up to `EXACT_LIMIT` (scale scores, days absent) is centred
    on a whole number, c = the mean rounded, and a row's Σ(y - c)² is __s - 2c·__e + __n·c²: every term, and
    every sum the engine takes of them, is a whole number below 2**53, so exact in floating point. The
    figures are then the same to the last digit whatever order DuckDB's threads add the rows in (the same
    file screened twice, or sorted first, gives the same CSV). Any other outcome is centred on its mean and a
    row's Σ(y - c)² is __m + __n·(__e/__n - c)² (Chan et al.), as stable as summing around c directly; its
    last digit may then differ from run to run."""
    keys = ", ".join(["school", "year"] + [f"d{i}" for i in range(n_dimensions)] + [f"r{k}" for k in range(n_raw)])
    numeric = [j for j, o in enumerate(outcomes) if o.kind == "numeric"]
    centres = ", ".join(f"sum(__e{j}) / sum(__n{j}) AS mean{j}, coalesce(bool_and(__x{j}), true) AS x{j}"
                        for j in numeric)
    columns = ", ".join(
        ["__rows AS rows"] + [f"__n{j} AS n{j}, __e{j} AS e{j}" for j in range(len(outcomes))]
        + [f"CASE WHEN x{j} THEN round(mean{j}) ELSE mean{j} END AS c{j}, "
           f"CASE WHEN x{j} THEN __s{j} - 2 * round(mean{j}) * __e{j} + __n{j} * round(mean{j}) * round(mean{j}) "
           f"ELSE __m{j} + __n{j} * (__e{j} / __n{j} - mean{j}) ** 2 END AS q{j}" for j in numeric])
    centre = f", (SELECT {centres} FROM s)" if numeric else ""
    return f"WITH s AS MATERIALIZED ({sums}) SELECT {keys}, {columns} FROM s{centre}"


def outcome_sums(outcomes) -> str:
    """The aggregates `cube_sql` takes, over columns __o{j} holding each outcome's value (NULL = unknown), and
    the count of records (__rows)."""
    return ", ".join(["count(*)::DOUBLE AS __rows"] + [f"count(__o{j})::DOUBLE AS __n{j}, sum(__o{j}) AS __e{j}"
                                                        for j in range(len(outcomes))]
                     + [f"var_pop(__o{j}) * count(__o{j}) AS __m{j}, sum(__o{j} * __o{j}) AS __s{j}, "
                        f"bool_and(__o{j} = round(__o{j}) AND abs(__o{j}) <= {EXACT_LIMIT}) AS __x{j}"
                        for j, o in enumerate(outcomes) if o.kind == "numeric"])


def relation_sums(relation: str, dimensions, outcomes) -> str:
    """`cube_sql`'s input from a canonical student relation (see the module docstring)."""
    d_cols = ", ".join(f"CAST({quote_ident(d.key)} AS VARCHAR) AS d{i}" for i, d in enumerate(dimensions))
    o_cols = ", ".join(f"CAST({quote_ident(o.key)} AS DOUBLE) AS __o{j}" for j, o in enumerate(outcomes))
    keys = ", ".join(["school", "year"] + [f"d{i}" for i in range(len(dimensions))])
    return (f"SELECT {keys}, {outcome_sums(outcomes)} FROM (SELECT CAST(school AS VARCHAR) AS school, "
            f"CAST(year AS VARCHAR) AS year, {d_cols}, {o_cols} FROM {relation}) GROUP BY {keys}")
