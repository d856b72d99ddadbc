"""The data-quality report of a mapped data set: plain sentences with counts and examples.

Problems never stop the team; they are shown before any gap is computed. Severity:
'problem' (impossible or unknown values), 'warning' (missing values, small groups), 'info' (what was found).
Student ids never appear in a finding (only counts), so the report can be shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import duckdb

from ..errors import UserError
from ..models import ColumnMap, DataSet, Project
from ..sql import quote_ident, quote_literal
from .codes import ALL_WORDS, NO, SUPPRESSED, clean_sql
from .mapping import ROLE_NAMES, column_for, column_map
from .views import (RATE_PATTERN, column_sql, file_table, number_sql, prepare, rate_text_sql, raw_group_columns,
                    source_column, student_outcomes, year_sql)

Severity = Literal["problem", "warning", "info"]
EXAMPLES = 5


@dataclass(frozen=True)
class Finding:
    severity: Severity
    text: str
    column: str = ""
    topic: str = ""  # "outliers": values far outside a numeric outcome's usual range (shown beside its gaps)


def _n(value) -> str:
    return f"{int(value or 0):,}"


def _rows(value) -> str:
    """'1 row', '1,234 rows'."""
    return f"{_n(value)} row{'' if int(value or 0) == 1 else 's'}"


def _pct(part, whole) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def _examples(pairs, total_kinds: int | None = None) -> str:
    shown = ", ".join(f"{v} ({_rows(n)})" for v, n in pairs[:EXAMPLES])
    more = (total_kinds or len(pairs)) - min(len(pairs), EXAMPLES)
    return shown + (f" and {more} more" if more > 0 else "")


def outlier_findings(con: duckdb.DuckDBPyConnection, project: Project, dataset: DataSet) -> list[Finding]:
    """The findings about numeric outcomes with values far outside their usual range: a few such values
    (9999 for missing) move a mean enough to make or hide a gap, so they are shown where the gap is."""
    if dataset.layout != "student" or not dataset.files:
        return []
    return [f for f in _outcome_values(con, project, dataset) if f.topic == "outliers"]


def far_out_notes(con: duckdb.DuckDBPyConnection, project: Project, dataset: DataSet) -> dict[str, str]:
    """Outcome name as the gap table spells it -> the sentence to show beside its gaps (screen, PDF)."""
    names = {c.column: o.label for o, c in student_outcomes(dataset)}
    return {names.get(f.column, f.column): f"Check the data before trusting the gaps in {names.get(f.column, f.column)}: "
            f"{f.text}" for f in outlier_findings(con, project, dataset)}


def raw_union(project: Project, dataset: DataSet, columns: list[str], as_read: tuple[str, ...] = ()) -> str:
    """All files of the data set, mapped columns cleaned (missing marks -> NULL) under their mapped names
    (`as_read`: those columns as the file has them)."""
    selects = []
    for data_file in dataset.files:
        parts = [(quote_ident(source_column(dataset, data_file, c)) if c in as_read else column_sql(dataset, data_file, c))
                 + f" AS {quote_ident(c)}" for c in columns]
        parts.append(f"{year_sql(dataset, data_file)} AS __year")
        selects.append(f"SELECT {', '.join(parts)} FROM {file_table(project, data_file)}")
    return "(" + " UNION ALL BY NAME ".join(f"({s})" for s in selects) + ")"


def quality_report(con: duckdb.DuckDBPyConnection, project: Project, dataset: DataSet) -> list[Finding]:
    """Every finding about the data set, most serious first."""
    if not dataset.files:
        return [Finding("info", "No file is loaded yet.")]
    files = "; ".join(f"{f.filename} ({_rows(f.rows)}{', ' + f.year if f.year else ''})" for f in dataset.files)
    total = sum(f.rows for f in dataset.files)
    findings = [Finding("info", f"The data set has {_n(total)} rows from {len(dataset.files)} "
                                f"file{'s' if len(dataset.files) > 1 else ''}: {files}.")]
    try:
        prepared = prepare(con, project, dataset)
    except UserError as exc:
        return [Finding("problem", str(exc))] + findings
    findings += _ignored(dataset)
    findings += _years_and_schools(con, prepared, dataset.layout == "student")
    values, empty = _scan(con, project, dataset, prepared)
    findings += _missing(dataset, total, empty)
    findings += _unknown_codes(dataset, values)
    if dataset.layout == "student":
        findings += _duplicates(con, project, dataset)
        findings += _outcome_values(con, project, dataset, values)
        findings += _student_sizes(con, project, prepared)
    else:
        findings += _rates(con, project, dataset, prepared)
        findings += _levels(con, project, dataset, prepared)
    order = {"problem": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def _ignored(dataset: DataSet) -> list[Finding]:
    ignored = [c.column for c in dataset.columns if c.role == "ignore"]
    if not ignored:
        return []
    return [Finding("info", f"{len(ignored)} column{'s are' if len(ignored) > 1 else ' is'} not used "
                            f"(role \u201cignore\u201d): {', '.join(ignored[:12])}{' …' if len(ignored) > 12 else ''}.")]


def _years_and_schools(con, prepared, records: bool = True) -> list[Finding]:
    """The school years (with their rows: a student file's records, an aggregate file's group results, as the
    group results finding counts them — 221,670 of a 22,167-row file of ten groups) and the schools found."""
    count = _rows if records else lambda n: f"{_n(n)} group result{'' if int(n or 0) == 1 else 's'}"
    if prepared.cube:  # the cube counts the records per school and year already
        rows = con.execute(f"SELECT year, school, sum(rows)::BIGINT FROM {prepared.cube} GROUP BY ALL").fetchall()
    else:
        rows = con.execute(f"SELECT year, school, count(*) FROM {prepared.relation} GROUP BY ALL").fetchall()
    years: dict[str, int] = {}
    for year, _, n in rows:
        if year is not None:
            years[year] = years.get(year, 0) + n
    out = []
    if years:
        shown = ", ".join(f"{y} ({count(years[y])})" for y in sorted(years)[:12])
        out.append(Finding("info", f"{len(years)} school year{'s' if len(years) > 1 else ''} found: {shown}"
                                   f"{' …' if len(years) > 12 else ''}."))
        bare = sorted(y for y in years if re.fullmatch(r"(19|20)[0-9]{2}", y.strip()))
        if bare and len(bare) < len(years):
            n = sum(years[y] for y in bare)
            out.append(Finding("warning", f"{count(n)} give{'s' if n == 1 else ''} the year as one number "
                                          f"({', '.join(bare[:EXAMPLES])}) beside school years written like "
                                          f"{next(y for y in sorted(years) if y not in bare)}; they are counted as "
                                          "different years, since a single number may mean the school year that "
                                          "starts or that ends in it — write them as school years (2023-24) in the file."))
    else:
        out.append(Finding("warning", "No school year was found; map a year column or enter each file's year "
                                      "so results can be compared over time."))
    schools = sorted({s for _, s, _ in rows if s is not None})
    if prepared.has_school and schools:
        out.append(Finding("info", f"{_n(len(schools))} school{'s' if len(schools) != 1 else ''} found, for example "
                                   f"{', '.join(schools[:EXAMPLES])}."))
    return out


def _scan(con, project, dataset: DataSet, prepared=None) -> tuple[dict[str, list[tuple[str, int]]], dict[str, int]]:
    """One scan of the files for the checks that read every row: each value of the group and binary outcome
    columns with its row count (most frequent first, then by value), and the empty cells of every mapped
    column. The few distinct values of the counted columns are counted as read and cleaned afterwards. A
    student data set's group columns are counted from its cube (`prepared.cube`: their text as read is kept
    there, the records summed per value), not from every record (a million records: 0.39 → 0.23 CPU s)."""
    mapped = list(dict.fromkeys(c.column for c in dataset.columns if c.role != "ignore"))
    counted = tuple(dict.fromkeys(c.column for c in dataset.columns if c.role in ("group", "dimension", "measure")
                                  or (c.role == "outcome" and c.kind == "binary")))
    rest = [c for c in mapped if c not in counted]
    if not mapped:
        return {}, {}
    in_cube = {c: k for k, c in enumerate(raw_group_columns(dataset))} if prepared and prepared.cube else {}
    read = [c for c in counted if c not in in_cube]
    parts = ([f"histogram({quote_ident(c)})" for c in read] + ["count(*)"]
             + [f"count(*) FILTER (WHERE {quote_ident(c)} IS NULL)" for c in rest])
    row = con.execute(f"SELECT {', '.join(parts)} FROM {raw_union(project, dataset, mapped, tuple(read))}").fetchone()
    by_column, total, empty = dict(zip(read, row[:len(read)])), row[len(read)], dict(zip(rest, row[len(read) + 1:]))
    if in_cube:
        sums = " UNION ALL ".join(f"SELECT {k} AS k, r{k} AS v, sum(rows)::BIGINT FROM {prepared.cube} "
                                  f"WHERE r{k} IS NOT NULL GROUP BY r{k}" for k in in_cube.values())
        counts: dict[int, dict[str, int]] = {k: {} for k in in_cube.values()}
        for k, v, n in con.execute(sums).fetchall():
            counts[k][v] = n
        by_column.update({c: counts[k] for c, k in in_cube.items()})
    histograms = [by_column[c] for c in counted]
    cleaned = _each(con, {k for h in histograms for k in (h or {})}, clean_sql)
    values: dict[str, list[tuple[str, int]]] = {}
    for c, h in zip(counted, histograms):
        merged: dict[str, int] = {}
        for k, n in (h or {}).items():
            if cleaned[k] is not None:
                merged[cleaned[k]] = merged.get(cleaned[k], 0) + n
        values[c] = sorted(merged.items(), key=lambda p: (-p[1], p[0]))
        empty[c] = total - sum(merged.values())
    return values, empty


def _each(con, values: set[str], sql) -> dict:
    """Each of a few distinct values -> `sql(value)` as DuckDB computes it (a value counted as read, read once)."""
    if not values:
        return {}
    return dict(con.execute(f"SELECT k, {sql('k')} FROM unnest(?::VARCHAR[]) t(k)", [sorted(values)]).fetchall())


def _missing(dataset: DataSet, total: int, empty: dict[str, int]) -> list[Finding]:
    mapped = [c for c in dataset.columns if c.role != "ignore"]
    if column_for(dataset, "level"):  # a state row names no district or school: not missing
        mapped = [c for c in mapped if c.role not in ("school", "school_name", "district", "district_name")]
    if not mapped:
        return []
    counts = [empty.get(c.column, 0) for c in mapped]
    out = []
    for c, missing in zip(mapped, counts):
        if not missing:
            continue
        if dataset.layout == "edfacts":
            continue  # reported with the rates: '.' means no students in the group
        what = f"{c.column}" + (f" ({c.label})" if c.label and c.label != c.column else "")
        if c.role == "outcome":
            out.append(Finding("info", f"{what} is empty in {_n(missing)} of {_n(total)} rows ({_pct(missing, total)}); "
                                       "those rows do not count for this outcome.", c.column))
        else:
            out.append(Finding("warning", f"{what} is empty in {_n(missing)} of {_n(total)} rows "
                                          f"({_pct(missing, total)}); those rows count as unknown "
                                          f"for this {ROLE_NAMES[c.role]}.", c.column))
    return out


def _known(dataset: DataSet, column: str) -> list[str]:
    mapping = column_map(dataset, column)
    known = [k for k, v in mapping.codes.items() if v and v.strip()]
    if mapping.role == "group" and dataset.layout == "aggregate_long":
        known += [w for w in ALL_WORDS]
    return known


def unknown_codes(con, project, dataset: DataSet, column: str) -> list[tuple[str, int]]:
    """Values of a group column that the code map does not label, with their row counts."""
    known = _known(dataset, column)
    col = quote_ident(column)
    return con.execute(f"SELECT {col}, count(*) FROM {raw_union(project, dataset, [column])} "
                       f"WHERE {col} IS NOT NULL AND NOT list_contains(?, {col}) AND NOT list_contains(?, lower({col})) "
                       f"GROUP BY 1 ORDER BY 2 DESC, 1", [known, known]).fetchall()


def _unknown(dataset: DataSet, column: str, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """`unknown_codes` from the column's value counts."""
    known = set(_known(dataset, column))
    return [(v, n) for v, n in counts if v not in known and v.lower() not in known]


def _unknown_codes(dataset: DataSet, values: dict[str, list[tuple[str, int]]]) -> list[Finding]:
    out = []
    for c in dataset.columns:
        if c.role not in ("group", "dimension", "measure") or dataset.layout == "edfacts":
            continue
        unknown = _unknown(dataset, c.column, values.get(c.column, []))
        if unknown:
            rows = sum(n for _, n in unknown)
            out.append(Finding("problem", f"{c.label or c.column} ({c.column}) has {len(unknown)} code"
                                          f"{'s' if len(unknown) > 1 else ''} the mapping does not know: "
                                          f"{_examples(unknown)}; give them labels in the code table, or "
                                          f"{'this row counts' if rows == 1 else f'these {_n(rows)} rows count'} as "
                                          "unknown.", c.column))
    return out


def _duplicates(con, project, dataset: DataSet) -> list[Finding]:
    sid = column_for(dataset, "student_id")
    if not sid:
        return [Finding("info", "No column is marked as the student id, so duplicate records cannot be checked.")]
    col = quote_ident(sid)
    rows = con.execute(f"SELECT __year, count(*), sum(n) FROM (SELECT {col}, __year, count(*) n FROM "
                       f"{raw_union(project, dataset, [sid])} WHERE {col} IS NOT NULL GROUP BY ALL HAVING n > 1) "
                       "GROUP BY 1 ORDER BY 2 DESC").fetchall()
    if not rows:
        return [Finding("info", f"Every student id ({sid}) appears once per year.")]
    ids, records = sum(r[1] for r in rows), sum(r[2] for r in rows)
    where = ", ".join(f"{_n(n)} in {y}" if y else _n(n) for y, n, _ in rows[:EXAMPLES])
    said = "student id appears" if ids == 1 else "student ids appear"
    return [Finding("problem", f"{_n(ids)} {said} more than once in the same year ({_rows(records)}; "
                               f"{where}); each student should have one row per year, so check for repeated rows.", sid)]


FEW_VALUES = 50_000  # a numeric column with about this many distinct values or fewer is summarised from its counts


def _numeric_summaries(con, project, dataset: DataSet, columns: list[ColumnMap]) -> list[tuple]:
    """Per numeric outcome column: (values that are not numbers, q1, q3, lowest, highest, negatives,
    values beyond q1 - 3·IQR or q3 + 3·IQR, rows where the value exceeds its `per` column).

    A first scan counts each column's distinct values (about: `approx_count_distinct`) and the rows over their
    `per` column. A column of few distinct values (scale scores, days: a few hundred) is then counted value by
    value in one more scan (`histogram`), and every figure is taken from those counts: only its distinct values
    are read as numbers, and its quartiles are DuckDB's `quantile_cont` to the last bit (`_quantile`). A column of
    many (decimals) takes two scans: its quartiles first, then the values beyond the fences they give."""
    if not columns:
        return []
    names = list(dict.fromkeys([c.column for c in columns] + [c.per for c in columns if c.per]))
    source = raw_union(project, dataset, names)
    number = {c.column: number_sql(quote_ident(c.column)) for c in columns}
    over = [f"count(*) FILTER (WHERE {number[c.column]} > {number_sql(quote_ident(c.per))})" if c.per else "0"
            for c in columns]
    first = con.execute(f"SELECT {', '.join([f'approx_count_distinct({quote_ident(c.column)})' for c in columns] + over)} "
                        f"FROM {source}").fetchone()
    few = [i for i in range(len(columns)) if first[i] <= FEW_VALUES]
    many = [i for i in range(len(columns)) if first[i] > FEW_VALUES]
    stats: dict[int, tuple] = {}  # column -> (not numbers, q1, q3, lowest, highest, negatives, beyond the fences)
    if few:
        counted = con.execute(f"SELECT {', '.join(f'histogram({quote_ident(columns[i].column)})' for i in few)} "
                              f"FROM {source}").fetchone()
        numbers = _each(con, {k for h in counted for k in (h or {})}, number_sql)
        for i, h in zip(few, counted):
            stats[i] = _summary([(numbers[k], n) for k, n in (h or {}).items()])
    if many:
        parts = []
        for i in many:
            col, v = quote_ident(columns[i].column), number[columns[i].column]
            parts += [f"count(*) FILTER (WHERE {col} IS NOT NULL AND {v} IS NULL)", f"quantile_cont({v}, [0.25, 0.75])",
                      f"min({v})", f"max({v})", f"count(*) FILTER (WHERE {v} < 0)"]
        row = con.execute(f"SELECT {', '.join(parts)} FROM {source}").fetchone()
        beyond = []
        for j, i in enumerate(many):
            bad, q, low, high, negative = row[5 * j: 5 * j + 5]
            q1, q3 = q if q and q[0] is not None else (None, None)
            stats[i] = (bad, q1, q3, low, high, negative)
            lo, hi = _fences(q1, q3)
            v = number[columns[i].column]
            beyond.append(f"count(*) FILTER (WHERE {v} < {lo!r} OR {v} > {hi!r})" if q1 is not None else "0")
        second = con.execute(f"SELECT {', '.join(beyond)} FROM {source}").fetchone()
        for j, i in enumerate(many):
            stats[i] += (second[j],)
    return [(*stats[i], first[len(columns) + i]) for i in range(len(columns))]


def _fences(q1: float | None, q3: float | None) -> tuple[float, float]:
    """Values below the first or above the second are far out: 3 interquartile ranges beyond the quartiles (a
    range of 0: a tenth of q3, or 1)."""
    if q1 is None:
        return 0.0, 0.0
    spread = (q3 - q1) or abs(q3) * 0.1 or 1.0
    return q1 - 3 * spread, q3 + 3 * spread


def _quantile(values: list[tuple[float, int]], total: int, q: float) -> float:
    """DuckDB's `quantile_cont(q)` of `total` values given as (value, count), sorted by value: the values at the
    places below and above (total - 1)·q, interpolated as DuckDB does, lo·(1 - d) + hi·d (its build fuses the
    first product into the sum, rounding once: so does this, with exact fractions). Whole values at quarter places
    are exact either way; `tests/test_quality.py` compares decimals with DuckDB's own."""
    place = (total - 1) * q
    below, above = int(place // 1), -int(-place // 1)
    lo = hi = None
    seen = 0
    for value, n in values:
        if lo is None and seen + n > below:
            lo = value
        if seen + n > above:
            hi = value
            break
        seen += n
    d = place - below
    return lo if below == above else float(Fraction(lo) * Fraction(1.0 - d) + Fraction(hi * d))


def _summary(counts: list[tuple[float | None, int]]) -> tuple:
    """`_numeric_summaries`' figures of one column from its values (None: not a number) and their counts."""
    bad = sum(n for v, n in counts if v is None)
    values = sorted((v, n) for v, n in counts if v is not None)
    if not values:
        return bad, None, None, None, None, 0, 0
    total = sum(n for _, n in values)
    q1, q3 = _quantile(values, total, 0.25), _quantile(values, total, 0.75)
    lo, hi = _fences(q1, q3)
    return (bad, q1, q3, values[0][0], values[-1][0], sum(n for v, n in values if v < 0),
            sum(n for v, n in values if v < lo or v > hi))


def _outcome_values(con, project, dataset: DataSet, values: dict[str, list[tuple[str, int]]] | None = None
                    ) -> list[Finding]:
    """Binary outcomes: which values count as yes (their 12 most frequent values, from `_scan`'s counts);
    numeric outcomes: values that are not numbers, impossible or far out."""
    out = []
    binary = {c: v[:12] for c, v in (values or {}).items()}
    numeric = [c for c in dataset.columns if c.role == "outcome" and c.kind != "binary"]
    summaries = dict(zip((id(c) for c in numeric), _numeric_summaries(con, project, dataset, numeric)))
    for c in dataset.columns:
        if c.role != "outcome":
            continue
        if c.kind == "binary":
            if c.column not in binary:  # only the numeric checks were asked for (`outlier_findings`)
                continue
            values = binary[c.column]
            yes = [(v, n) for v, n in values if v in c.yes_values]
            no = [(v, n) for v, n in values if v not in c.yes_values]
            text = (f"{c.label or c.column}: {_examples(yes) or 'no value'} count{'s' if len(yes) == 1 else ''} as yes; "
                    f"{_examples(no) or 'no value'} count{'s' if len(no) == 1 else ''} as no.")
            odd = [v for v, _ in no if v not in NO]
            if odd and yes:
                text += f" Check that {', '.join(odd[:EXAMPLES])} really mean{'s' if len(odd) == 1 else ''} no."
            out.append(Finding("warning" if odd or not yes else "info", text, c.column))
            continue
        bad, q1, q3, low, high, negative, outside, over = summaries[id(c)]
        if bad:
            # A count only, never the values: a cell that is not a number may be a student's name.
            one = bad == 1
            what = "value that is not a number (or is" if one else "values that are not numbers (or are"
            out.append(Finding("problem", f"{c.label or c.column} ({c.column}) has {_n(bad)} {what} "
                                          f"too large to be one, such as inf); {'it counts' if one else 'they count'} as "
                                          f"missing — find {'it' if one else 'them'} in the source file with a filter on "
                                          "this column.", c.column))
        if q1 is None:
            continue
        if negative and q1 >= 0:
            out.append(Finding("problem", f"{c.column} has {_n(negative)} negative value{'s' if negative != 1 else ''} "
                                          f"(lowest {low:g}), which {'is' if negative == 1 else 'are'} impossible for "
                                          f"it; correct {'it' if negative == 1 else 'them'} in the source file.", c.column))
        if outside:
            out.append(Finding("warning", f"{c.column} has {_n(outside)} value{'s' if outside != 1 else ''} far outside "
                                          f"its usual range ({q1:g} to {q3:g} for the middle half; lowest {low:g}, "
                                          f"highest {high:g}); check {'it' if outside == 1 else 'them'} for typing or "
                                          "code errors (like 999 for missing).", c.column, "outliers"))
        if c.per and over:
            out.append(Finding("problem", f"{c.column} is larger than {c.per} in {_rows(over)}, which is "
                                          f"impossible; correct {'it' if over == 1 else 'those rows'}.", c.column))
    return out


def _student_sizes(con, project, prepared) -> list[Finding]:
    """Group sizes per year (district level) and group x outcome cells per school and year, from the cube."""
    min_n, min_cell = project.gap_settings.min_n, project.gap_settings.min_cell
    dims = list(prepared.dimensions)
    if not dims:
        return []
    binaries = [j for j, o in enumerate(prepared.outcomes) if o.kind == "binary"]
    # counts are additive: the cube (`prepare` builds one for every student data set) holds them per
    # (school, year, every group value); one row per (dimension, group, school, year) — one GROUP BY of the cube
    # per dimension, not one of its rows unnested over the dimensions, which copied every sum once per dimension
    # (10M records: 1.5 → 1.0 s; bench/README.md, stop 38) — then summed per year
    sums = "".join(f", sum(n{j}) AS c{i}, sum(e{j}) AS s{i}" for i, j in enumerate(binaries))
    small = " + ".join([f"count(*) FILTER (WHERE c{i} > 0 AND (c{i} < {int(min_n)} OR coalesce(s{i}, 0) < "
                        f"{int(min_cell)}))" for i in range(len(binaries))] or ["0"])
    cells = " + ".join([f"count(*) FILTER (WHERE c{i} > 0)" for i in range(len(binaries))] or ["0"])
    by_school = prepared.has_school
    school = "school" if by_school else "NULL AS school"
    per_dimension = " UNION ALL ".join(
        f"SELECT {k} AS k, d{k} AS grp, {school}, year, sum(rows) AS n{sums} FROM {prepared.cube} "
        f"WHERE d{k} IS NOT NULL GROUP BY d{k}{', school' if by_school else ''}, year" for k in range(len(dims)))
    sql = (f"WITH cells AS MATERIALIZED ({per_dimension}) "
           "SELECT 0, k, grp, year, sum(n)::BIGINT, 0 FROM cells GROUP BY ALL "
           f"UNION ALL SELECT 1, NULL, NULL, NULL, ({cells})::BIGINT, ({small})::BIGINT FROM cells ORDER BY 1, 2, 3, 4")
    sizes: dict[int, dict[str, list[tuple[str, int]]]] = {}
    small_cells = cells = 0
    for school_level, k, group, year, n, small_n in con.execute(sql).fetchall():
        if school_level:
            cells, small_cells = (n, small_n) if by_school else (0, 0)
        else:
            sizes.setdefault(k, {}).setdefault(group, []).append((year, n))
    out = []
    for k, groups in sorted(sizes.items()):
        small = []
        for group, counts in sorted(groups.items()):
            below = [(y, n) for y, n in counts if n < min_n]
            if below:
                y, n = min(below, key=lambda p: p[1])
                small.append(f"{group} ({_n(n)} student{'' if n == 1 else 's'}{' in ' + y if y else ''}"
                             + (f"; below in {len(below)} of {len(counts)} years" if len(counts) > 1 else "") + ")")
        if small:
            out.append(Finding("warning", f"{dims[k].label}: {len(small)} group{'s have' if len(small) > 1 else ' has'} "
                                          f"fewer than the minimum of {min_n} students: {'; '.join(small[:EXAMPLES])}"
                                          f"{' …' if len(small) > EXAMPLES else ''}. Their results will be suppressed.",
                               dims[k].key))
    if cells:
        out.append(Finding("info", f"At school level, {_n(small_cells)} of {_n(cells)} group \u00d7 outcome results "
                                   f"({_pct(small_cells, cells)}) have fewer than {min_n} students or fewer than "
                                   f"{min_cell} with the outcome; they will be suppressed."))
    return out


def _rates(con, project, dataset: DataSet, prepared) -> list[Finding]:
    rel, min_n = prepared.relation, project.gap_settings.min_n
    out = []
    flags = dict(con.execute(f"SELECT source_flag, count(*) FROM {rel} GROUP BY 1").fetchall())
    total = sum(flags.values())
    names = {"exact": "exact", "range": "ranges (like 85-89 or GE95)", "suppressed": "suppressed by the source (PS)",
             "missing": "without data (. or empty)"}
    out.append(Finding("info", f"{_n(total)} group results: " + ", ".join(
        f"{_n(flags[k])} {names[k]} ({_pct(flags[k], total)})" for k in names if flags.get(k)) + "."))
    negative, outside, over, small = con.execute(
        f"SELECT count(*) FILTER (WHERE n < 0 OR events < 0), "
        f"count(*) FILTER (WHERE rate_low < 0 OR rate_high > 1 OR rate_low > rate_high), "
        f"count(*) FILTER (WHERE events > n), "
        f"count(*) FILTER (WHERE n < ? AND source_flag IN ('exact', 'range')) FROM {rel}", [min_n]).fetchone()
    if negative:
        out.append(Finding("problem", f"{_rows(negative)} {'has' if negative == 1 else 'have'} a negative count, which "
                                      f"is impossible; correct {'it' if negative == 1 else 'them'}."))
    if outside:
        one = outside == 1
        out.append(Finding("problem", f"{_n(outside)} {'rate is' if one else 'rates are'} outside 0\u2013100% (or "
                                      f"{'its' if one else 'their'} range is reversed); correct "
                                      f"{'it' if one else 'them'} or check whether the rates are proportions or "
                                      "percents."))
    if over:
        out.append(Finding("problem", f"{_rows(over)} {'has' if over == 1 else 'have'} more students with the outcome "
                                      "than students in the group (numerator larger than the count); correct "
                                      f"{'it' if over == 1 else 'them'}."))
    if small:
        out.append(Finding("warning", f"{_n(small)} group result{' has' if small == 1 else 's have'} fewer than the "
                                      f"minimum of {min_n} students; {'it' if small == 1 else 'they'} will be "
                                      "suppressed."))
    rate_columns = [c for c in dataset.columns if c.role == "rate"]
    if rate_columns:
        u = rate_text_sql("v")
        suppressed = ", ".join(quote_literal(v) for v in SUPPRESSED)
        selects = " UNION ALL ".join(f"SELECT {quote_ident(c.column)} AS v FROM {raw_union(project, dataset, [c.column])}"
                                     for c in rate_columns)
        bad = con.execute(f"SELECT v, count(*) FROM ({selects}) WHERE v IS NOT NULL AND {u} NOT IN ({suppressed}) "
                          f"AND NOT regexp_full_match({u}, ?) GROUP BY 1 ORDER BY 2 DESC", [RATE_PATTERN]).fetchall()
        if bad:
            count = sum(n for _, n in bad)
            out.append(Finding("problem", f"{_n(count)} {'rate' if count == 1 else 'rates'} could not be read: "
                                          f"{_examples(bad)}; {'it counts' if count == 1 else 'they count'} as missing."))
    return out


def _levels(con, project, dataset: DataSet, prepared) -> list[Finding]:
    """A report card's place levels: rows per level, the rows left out (counties, unknown codes), and places
    that give one group twice."""
    level = column_for(dataset, "level")
    if not level:
        return []
    codes = column_map(dataset, level).codes
    col = quote_ident(level)
    counts = con.execute(f"SELECT {col}, count(*) FROM {raw_union(project, dataset, [level])} GROUP BY 1 "
                         "ORDER BY 2 DESC, 1").fetchall()
    used = [(code, n, codes[code].strip().lower()) for code, n in counts
            if code is not None and (codes.get(code) or "").strip().lower() in ("state", "district", "school")]
    left = [(code, n) for code, n in counts if code not in {c for c, _, _ in used}]
    out = [Finding("info", f"Rows by place level ({level}): " + ", ".join(f"{_n(n)} {name} ({code})" for code, n, name
                                                                          in used)
                   + "; district and state figures are the file's own rows, never sums of its schools.", level)]
    if left:
        shown = ", ".join(f"{code if code is not None else 'empty'}"
                          f"{': ' + codes[code] if code in codes and codes[code].strip() else ''}" for code, _ in left)
        out.append(Finding("info", f"{_n(sum(n for _, n in left))} rows of other levels ({shown}) are not a place "
                                   "the screen uses and are left out.", level))
    repeated = con.execute(f"SELECT count(*) FROM (SELECT count(*) AS k FROM {prepared.relation} WHERE level IS NOT "
                           "NULL AND \"group\" IS NOT NULL GROUP BY level, district, school, year, dimension, "
                           "\"group\", outcome HAVING k > 1)").fetchone()[0]
    if repeated:
        out.append(Finding("warning", f"{_n(repeated)} times a place gives the same group more than once in a year; "
                                      "the screen takes the row with the most students. If the file splits its rows by "
                                      "another column (charter schools, for example), keep only its \u201cAll\u201d rows.",
                           level))
    return out
