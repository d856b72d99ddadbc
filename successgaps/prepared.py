"""The contract between the data step (ingest) and the gap engine (gaps).

`ingest.prepare(con, project, dataset)` turns a mapped data set into a `Prepared`: a DuckDB
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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ALL_DIMENSION = "All"
ALL_GROUP = "All students"


@dataclass(frozen=True)
class Dimension:
    key: str  # column name in a student view (e.g. "d_race_ethnicity"); label elsewhere
    label: str  # "Race/ethnicity"


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
