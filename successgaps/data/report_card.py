"""State report-card files, the "long" layout of state downloads: one row per place, reporting category
and school year, with an aggregate-level column (T state, C county, D district, S school) and one column
of reporting categories that holds several dimensions at once (RB, RH, RW race/ethnicity; GM, GF sex; SS
economic disadvantage; SD disability; SE English learners; TA all students), for example California's:

    AcademicYear, AggregateLevel, CountyCode, DistrictCode, SchoolCode, CountyName, DistrictName,
    SchoolName, ReportingCategory, CohortStudents, RegularHSDiplomaGraduatesCount, RegularHSDiplomaGraduatesRate

`find` recognises the two coded columns from their values (no hint needed); `propose` maps such a file:
the level column (role `level`, its codes -> state / district / school / county), the category column (a
group whose codes carry their dimension, `ColumnMap.code_dimensions`, from `codes.REPORT_CATEGORIES`),
and the count (denominator), numerator and rate of the file's first measure. The prepared view keeps
every row at its own level (`views`), so district and state rows are the file's own, never sums.
"""

from __future__ import annotations

import re

from ..models import ColumnMap
from .codes import LEVEL_CODES, MAX_CODES, nice_label, norm, report_category

_LEVEL_NAME = re.compile(r"(aggregate_?level|agg_?level|aggregation_?level|aggregate|level|level_?code|rtype|"
                         r"record_?type|entity_?(level|type)|summary_?level|report(ing)?_?level|agg_?lvl|"
                         r"organi[sz]ation_?level|org_?level|place_?level)")
_RATE = {"rate", "pct", "percent", "percentage"}
_NUMERATOR = {"count", "number", "num", "n", "numerator"}
_DENOMINATOR = {"cohort", "denominator", "denom", "enrollment", "enrolled", "tested", "students", "total", "valid"}
PLACE_ROLES = ("school", "school_name", "district", "district_name", "year")


def words(name: str) -> str:
    """A column name in lower-case words joined by '_', camel case split: 'CohortStudents' -> 'cohort_students',
    'RegularHSDiplomaGraduatesRate' -> 'regular_hs_diploma_graduates_rate'."""
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", str(name))
    return norm(split)


def is_levels(values: list[str]) -> bool:
    codes = {str(v).strip().upper() for v in values}
    return bool(codes) and codes <= set(LEVEL_CODES) and len({LEVEL_CODES[c] for c in codes} - {"county"}) >= 2


def is_categories(values: list[str]) -> bool:
    """Mostly known reporting categories, of at least two dimensions besides all students."""
    if not values or len(values) > MAX_CODES:
        return False
    known = [report_category(v) for v in values if report_category(v)]
    dimensions = {d for d, _ in known if d != "All"}
    return len(known) >= 3 and len(known) >= 0.6 * len(values) and len(dimensions) >= 2


def level_column(names: list[str], values: dict[str, list[str]]) -> str:
    """The column saying which place each row is about (AggregateLevel T/C/D/S, OrganizationLevel State/District/
    School), or ''."""
    return next((n for n in names if _LEVEL_NAME.fullmatch(words(n)) and is_levels(values[n])), "")


def level_map(column: str, values: list[str]) -> ColumnMap:
    return ColumnMap(column=column, role="level", label="Place level", codes=level_codes(values, {}))


def find(names: list[str], values: dict[str, list[str]]) -> tuple[str, str] | None:
    """(level column or '', category column) of a report-card file, from sampled distinct values per column."""
    category = next((n for n in names if is_categories(values[n])), None)
    if category is None:
        return None
    return level_column([n for n in names if n != category], values), category


def level_codes(values: list[str], existing: dict[str, str]) -> dict[str, str]:
    return {**{v: LEVEL_CODES[v.strip().upper()] for v in values if v.strip().upper() in LEVEL_CODES}, **existing}


def category_codes(values: list[str], column: ColumnMap) -> None:
    """Labels and dimensions of the known reporting categories among `values`; unknown codes stay unlabelled."""
    for v in values:
        found = report_category(v)
        if found and v not in column.codes:
            column.code_dimensions[v], column.codes[v] = found


def propose(names: list[str], values: dict[str, list[str]]) -> dict[str, ColumnMap]:
    """The mapping of the report-card columns: level, category, count, numerator and rate (others: the caller)."""
    found = find(names, values)
    if found is None:
        return {}
    level, category = found
    out = {category: ColumnMap(column=category, role="group", label="Student group")}
    category_codes(values[category], out[category])
    if level:
        out[level] = level_map(level, values[level])
    rest = [n for n in names if n not in out]
    rate = next((n for n in rest if set(words(n).split("_")) & _RATE), "")
    stem = "_".join(w for w in words(rate).split("_") if w not in _RATE) if rate else ""
    numerator = next((n for n in rest if n != rate and stem and words(n).startswith(stem)
                      and set(words(n)[len(stem):].split("_")) <= _NUMERATOR | {""}), "")
    numerator = numerator or next((n for n in rest if n != rate and set(words(n).split("_")) & _NUMERATOR
                                   and not set(words(n).split("_")) & _DENOMINATOR), "")
    count = next((n for n in rest if n not in (rate, numerator) and set(words(n).split("_")) & _DENOMINATOR), "")
    label = nice_label(stem or "_".join(w for w in words(numerator).split("_") if w not in _NUMERATOR) or "outcome")
    for column, role in ((count, "count"), (numerator, "numerator"), (rate, "rate")):
        if column:  # higher_is_better: set by `detect` from the label
            out[column] = ColumnMap(column=column, role=role,
                                    label=nice_label(words(column)) if role == "count" else label)
    return out
