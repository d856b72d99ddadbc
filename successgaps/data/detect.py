"""Detection: the layout of a loaded table (student / aggregate_long / edfacts) and a proposed
`ColumnMap` per column, from the column names and one sampled scan of their values.

`detect` proposes the whole `DataSet` (layout, roles, labels, outcome kinds, code labels, the school
label); `propose` does one column; `higher_is_better` reads an outcome's name.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import duckdb

from ..errors import UserError
from ..models import ColumnMap, DataSet, new_id
from ..sql import quote_ident
from .codes import MAX_CODES, NO, YES, dimension_kind, nice_label, norm, propose_codes, read_sql
from .edfacts import EDFACTS_GROUPS, EdfactsColumn, edfacts_columns, measure_label, school_year
from .mapping import column_for
from .read import columns_of
from .report_card import PLACE_ROLES, category_codes, level_codes, level_column, level_map, words
from .report_card import find as find_report_card
from .report_card import propose as propose_report_card

SAMPLE_ROWS = 20_000  # rows sampled for detection
PROFILE_BATCH = 25  # columns profiled per statement
MAX_DETECT_SECONDS = 120  # profiling columns longer than this is refused with a sentence


@dataclass(frozen=True)
class Profile:
    rows: int  # rows in the sample
    filled: int  # non-missing values
    distinct: int
    values: list[str]  # up to MAX_CODES + 1 distinct values
    numeric: int  # values that read as numbers
    low: float | None
    high: float | None

    @property
    def is_flag(self) -> bool:
        return bool(self.values) and set(self.values) <= set(YES) | set(NO)

    @property
    def is_number(self) -> bool:
        return self.filled > 0 and self.numeric >= 0.8 * self.filled


_ROLE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("student_id", r"(sid|ssid|sasid|lasid|id|student|student_?(id|number|no|num|key|identifier)|stu_?id|stuid|"
                   r"state_?student_?id|local_?student_?id|id_?student|unique_?id|pupil_?id)"),
    ("school_name", r"(school_?name|sch_?name|schnam|campus_?name|building_?name|school_?nm)"),
    ("school", r"(school|school_?(id|code|number|no|num|key)|sch_?(id|code|cd|num)?|campus(_?(id|code|number))?|"
               r"ncessch|building(_?(id|code))?|schid|schcd|st_?schid|state_?school_?id)"),
    ("district_name", r"(district_?name|dist_?name|leanm|lea_?name|district_?nm)"),
    ("district", r"(district|district_?(id|code|number)|dist_?(id|code)?|leaid|lea_?(id|code)?|distid|st_?leaid)"),
    ("year", r"(year|school_?year|sy|academic_?year|acad_?year|fiscal_?year|end_?year|schyear|yr|data_?year|"
             r"report_?year|cohort_?year)"),
    ("grade", r"(grade|grade_?level|grd|grade_?lvl|gradelevel|enrolled_?grade|grade_?enrolled|current_?grade|gr)"),
    ("ignore", r"(stnam|fipst|state|state_?name|state_?code|date_?cur|days_?enrolled|days_?in_?membership|"
               r"membership_?days|enrolled_?days|days_?membership|first_?name|last_?name|middle_?name|name|"
               r"birth_?date|dob|date_?of_?birth|address|phone|email|zip|zip_?code)"),
)
_LONG_PATTERNS: tuple[tuple[str, str], ...] = (
    ("dimension", r"(dimension|category|subgroup_?type|group_?type|student_?group_?type|demographic_?type|"
                  r"reporting_?category|demographic_?category|group_?category)"),
    ("group", r"(group|subgroup|student_?group|group_?name|subgroup_?name|demographic|population|reporting_?group|"
              r"student_?population)"),
    ("measure", r"(outcome|measure|indicator|metric|outcome_?name|measure_?name|indicator_?name|outcome_?type)"),
    ("numerator", r"(numerator|events|graduates|count_?met|n_?met|n_?proficient|number_?proficient|num_?proficient|"
                  r"met|num_?grads|number_?graduated|n_?events|n_?with_?outcome)"),
    ("count", r"(n|count|denominator|denom|cohort|cohort_?(count|size|n)|n_?students|number_?of_?students|students|"
              r"total|enrollment|num_?students|n_?size|tested|num_?tested|number_?tested|valid_?n|n_?tested|"
              r"student_?count|num_?valid)"),
    ("rate", r"(rate|pct|percent|percentage|proportion|pct_?prof|percent_?proficient|.*_rate|rate_.*|.*_pct|pct_.*|"
             r".*percent.*)"),
)


_OUTCOME_PATTERN = re.compile(
    r"(grad|dropout|dropped|drop_?out|proficien|scale_?score|(^|_)ss($|_)|score|absent|absen|attend|suspen|expul|"
    r"expel|discipl|referral|(^|_)oss($|_)|(^|_)iss($|_)|retain|retention|(^|_)gpa($|_)|credit|chronic|"
    r"newly_?identified|identified|(^|_)pass|met_?standard|on_?track|completer|college|fail|incident|restraint|"
    r"seclusion|tardy|truan)")
_ABSENCE = re.compile(r"(days_?absent|absences|absent_?days|days_?missed|total_?absences|days_?absence)")
_ENROLLED = re.compile(r"(days_?enrolled|days_?in_?membership|membership_?days|enrolled_?days|days_?membership|"
                       r"days_?present_?and_?absent|instructional_?days)")
_WORSE = re.compile(r"(dropout|dropped|drop_?out|drop out|suspen|expul|expel|absen|absent|chronic|discipl|referral|"
                    r"retain|retention|restraint|seclusion|identif|incident|tardy|truan|fail|arrest|\boss\b|\biss\b|"
                    r"(^|_)oss|(^|_)iss)", re.I)


def _match(patterns, name: str) -> str | None:
    key = norm(name)
    return next((role for role, pattern in patterns if re.fullmatch(pattern, key)), None)


_NEGATED = re.compile(r"^\s*(not|non|no|did\s+not|didn'?t|never|un(?=proficient|successful))[\s_-]*", re.I)


def higher_is_better(label: str) -> bool:
    """Graduation, proficiency, attendance: higher is better; dropout, suspension, absence: worse.

    A negated label turns the answer round: "Not graduated" and "Not proficient in math" are
    lower-is-better, "Not suspended" is higher-is-better."""
    text = str(label or "")
    negated = _NEGATED.match(text)
    if negated:
        return not higher_is_better(text[negated.end():])
    return not _WORSE.search(norm(text)) and not _WORSE.search(text)


def guess_layout(names: list[str], profiles: dict[str, Profile]) -> str:
    roles = {_match(_ROLE_PATTERNS, n) for n in names if profiles[n].filled}
    long_roles = {_match(_LONG_PATTERNS, n) for n in names if profiles[n].filled}
    if "student_id" in roles:
        return "student"
    if find_report_card(names, {n: profiles[n].values for n in names}):
        return "aggregate_long"
    if "group" in long_roles and ({"count", "numerator", "rate"} & long_roles):
        return "aggregate_long"
    return "student"


def propose(column: str, profile: Profile, layout: str, info: EdfactsColumn | None) -> ColumnMap:
    """A proposed role, label and settings for one column, from its name and a sample of its values."""
    if layout == "edfacts":
        if info is not None:
            dimension, label = EDFACTS_GROUPS.get(info.group, ("Other groups", info.group))
            return ColumnMap(column=column, role="count" if info.is_count else "rate", label=label,
                             dimension=dimension, outcome=measure_label(info), higher_is_better=True)
        role = _match(_ROLE_PATTERNS, column)
        role = role if role in ("school", "school_name", "district", "district_name", "year") else "ignore"
        return ColumnMap(column=column, role=role, label=nice_label(column))
    label = nice_label(column)
    if profile.filled == 0:
        return ColumnMap(column=column, role="ignore", label=label)
    role = _match(_LONG_PATTERNS, column) if layout == "aggregate_long" else None
    role = role or _match(_ROLE_PATTERNS, column)
    if role == "student_id" and norm(column) in ("id", "student") and profile.distinct < 0.5 * profile.filled:
        role = None
    if role is None:
        kind = dimension_kind(column)
        if kind is not None:
            return ColumnMap(column=column, role="group", label=kind[1])
        if _OUTCOME_PATTERN.search(norm(column)) or (layout == "student" and _match(_LONG_PATTERNS, column) == "rate"):
            return _outcome(column, profile, label)
        if layout == "student" and profile.distinct <= 12 and not (profile.is_number and profile.distinct > 2):
            return ColumnMap(column=column, role="group", label=label)
        role = "ignore"
    if role == "group":
        return ColumnMap(column=column, role="group", label=label if layout != "aggregate_long" else "Student group")
    if role == "rate":
        return ColumnMap(column=column, role="rate", label=label, higher_is_better=higher_is_better(column))
    return ColumnMap(column=column, role=role, label=label)


def _outcome(column: str, profile: Profile, label: str) -> ColumnMap:
    better = higher_is_better(column)
    flags = [v for v in profile.values if v in YES or v in NO]
    mostly_flags = len(flags) >= 2 and len(profile.values) - len(flags) <= 1  # 1/0 plus a stray value
    if profile.is_flag or mostly_flags or not profile.is_number or profile.distinct <= 2:
        yes = [v for v in profile.values if v in YES]
        return ColumnMap(column=column, role="outcome", label=label, kind="binary", yes_values=yes,
                         higher_is_better=better)
    return ColumnMap(column=column, role="outcome", label=label, kind="numeric", higher_is_better=better)


def _profiles(con, table: str, names: list[str], cleaned: bool = False) -> dict[str, Profile]:
    """Distinct values (up to MAX_CODES + 1) and counts per column, from one sampled scan (`cleaned`: the table
    holds cleaned values, `DataFile.cleaned`)."""
    out: dict[str, Profile] = {}
    started = time.monotonic()
    sample = quote_ident(f"sg_sample_{new_id()}")  # the sample is drawn once, then read a few columns at a time
    # about SAMPLE_ROWS rows chosen by their content: the same rows whatever order the table stores them in. The
    # content is the student id when a column's name says so (hashing one column, not every one of the row:
    # 0.2 → 0.02 s at a million records), unless the sample drawn is far from that size (an id column mostly empty,
    # whose one value draws all its rows or none); else the whole row (named by an alias no column has)
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    every = -(-rows // SAMPLE_ROWS)
    ids = [quote_ident(n) for n in names if _match(_ROLE_PATTERNS, n) == "student_id"]
    for key in ([", ".join(ids)] if ids and every > 1 else []) + ["sg_row__"]:
        where = f"WHERE hash({key}) % {every} = 0" if every > 1 else ""
        con.execute(f"CREATE OR REPLACE TEMP TABLE {sample} AS SELECT * FROM {table} AS sg_row__ {where}")
        drawn = con.execute(f"SELECT count(*) FROM temp.main.{sample}").fetchone()[0]
        if 0.8 <= drawn * every / max(rows, 1) <= 1.25:  # as many rows as a hash of distinct values draws
            break
    if rows and not drawn:
        # every row alike (so their hashes are): any of them is the sample
        con.execute(f"INSERT INTO temp.main.{sample} SELECT * FROM {table} LIMIT {SAMPLE_ROWS}")
    try:
        for first in range(0, len(names), PROFILE_BATCH):  # planning grows faster than the columns of one statement
            if time.monotonic() - started > MAX_DETECT_SECONDS:
                raise UserError(f"Reading the {len(names):,} columns of this file took more than {MAX_DETECT_SECONDS} "
                                "seconds; keep the columns you need (ids, school, year, groups and outcomes) and "
                                "upload it again.")
            out.update(_profile_batch(con, f"temp.main.{sample}", names[first:first + PROFILE_BATCH], cleaned))
    finally:
        con.execute(f"DROP TABLE IF EXISTS temp.main.{sample}")
    return out


def _profile_batch(con, table: str, names: list[str], cleaned: bool = False) -> dict[str, Profile]:
    # Each value is cleaned and read as a number once, in the inner query (not once per aggregate).
    values = [read_sql(quote_ident(name), cleaned) for name in names]
    inner = ", ".join(f"{v} AS v{i}, TRY_CAST(replace({v}, '%', '') AS DOUBLE) AS n{i}" for i, v in enumerate(values))
    sample = f"(SELECT {inner} FROM {table})"
    parts = [f"approx_count_distinct(v{i}), count(v{i}), list(DISTINCT v{i}) FILTER (WHERE v{i} IS NOT NULL)"
             f"[1:{MAX_CODES + 1}], count(n{i}), min(n{i}), max(n{i})" for i in range(len(names))]
    row = con.execute(f"SELECT count(*), {', '.join(parts)} FROM {sample}").fetchone()
    rows, out = row[0], {}
    for i, name in enumerate(names):
        distinct, filled, values, numeric, low, high = row[1 + 6 * i: 7 + 6 * i]
        out[name] = Profile(rows=rows, filled=filled, distinct=distinct, values=sorted(values or []),
                              numeric=numeric, low=low, high=high)
    return out


def detect(con: duckdb.DuckDBPyConnection, table: str, *, layout: str | None = None, name: str = "",
           cleaned: bool = False) -> DataSet:
    """Propose the layout and a mapping for every column of a loaded table (a sample is read once; `cleaned`:
    the table holds values as `read_upload` cleans them, `DataFile.cleaned`)."""
    names = columns_of(con, table)
    edfacts = edfacts_columns(names)
    if layout is None:
        layout = "edfacts" if len(edfacts) >= 2 else None
    profiles = _profiles(con, table, names, cleaned)
    if layout is None:
        layout = guess_layout(names, profiles)
    columns = [propose(column, profiles[column], layout, edfacts.get(column)) for column in names]
    card = propose_report_card(names, {n: profiles[n].values for n in names}) if layout == "aggregate_long" else {}
    if card:  # a state report card: its own columns, places and the year; the other measures are left out
        columns = [card.get(c.column) or (c if c.role in PLACE_ROLES else ColumnMap(column=c.column, label=c.label))
                   for c in columns]
        for c in columns:
            if c.role in ("count", "numerator", "rate"):
                c.higher_is_better = higher_is_better(c.label)
            elif c.role in PLACE_ROLES or c.role == "ignore":  # CamelCase names: 'DistrictName' -> 'District name'
                c.label = nice_label(words(c.column))
    elif layout == "aggregate_long":  # any long file whose rows are at several levels (State, District, School)
        level = level_column(names, {n: profiles[n].values for n in names})
        columns = [level_map(c.column, profiles[c.column].values) if c.column == level else c for c in columns]
    _absence_rate(columns)
    dataset = DataSet(name=name or "Data", layout=layout, columns=columns)
    if layout == "edfacts":
        years = {info.year for info in edfacts.values()}
        dataset.options["year"] = school_year(sorted(years)[0]) if years else ""
    if layout == "aggregate_long":
        rate = next((c for c in columns if c.role == "rate"), None)
        if rate is not None:
            high = profiles[rate.column].high
            dataset.options["rate_scale"] = "proportion" if high is not None and high <= 1 else "percent"
    _complete_codes(con, table, dataset, cleaned)
    dataset.options["school_label"] = _school_label(con, table, dataset)
    return dataset


def _absence_rate(columns: list[ColumnMap]) -> None:
    """Days absent next to days enrolled: propose chronic absence = days absent / days enrolled >= 10%."""
    enrolled = next((c for c in columns if _ENROLLED.fullmatch(norm(c.column))), None)
    for c in columns:
        if enrolled and c.role == "outcome" and c.kind == "numeric" and _ABSENCE.fullmatch(norm(c.column)):
            c.per, c.cut, c.higher_is_better = enrolled.column, 0.1, False
            c.label = "Absent 10% or more of days enrolled"


def _complete_codes(con, table: str, dataset: DataSet, cleaned: bool = False) -> None:
    """Group columns: every distinct value in the whole table gets a proposed label when the code set is known
    (a report card's level and category columns: from its code tables, unknown codes left unlabelled)."""
    groups = [c for c in dataset.columns if c.role in ("group", "dimension", "measure", "level")]
    if not groups:
        return
    parts = ", ".join(
        f"list(DISTINCT {read_sql(quote_ident(c.column), cleaned)})[1:{MAX_CODES + 1}]" for c in groups)
    values = con.execute(f"SELECT {parts} FROM {table}").fetchone()
    for column, found in zip(groups, values):
        found = sorted(v for v in (found or []) if v is not None)
        if column.role == "level":
            column.codes = level_codes(found, column.codes)
        elif column.code_dimensions:
            category_codes(found, column)
        else:
            column.codes = propose_codes(column.column, found, column.codes)


def _school_label(con, table: str, dataset: DataSet) -> str:
    """'name' when school names identify schools; 'name_id' when two schools share a name."""
    ident = column_for(dataset, "school")
    label = column_for(dataset, "school_name")
    if not (ident and label):
        return "name" if label else "id"
    a, b = quote_ident(ident), quote_ident(label)
    names, pairs = con.execute(f"SELECT count(DISTINCT {b}), count(DISTINCT ({a}, {b})) FROM {table}").fetchone()
    return "name" if names == pairs else "name_id"
