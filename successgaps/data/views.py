"""The prepared view of a data set and its cube: SQL over the data set's files.

`prepare` builds the view described in `successgaps.data.prepared` over every file of a data set and,
for student data, its cube (the sums the gap engine adds up), reused while nothing changes.
`code_table` lists the values of a group column across the files. The SQL expressions of a mapped
column in one file (`column_sql`, `year_sql`, `number_sql`) are shared with the quality report.

Every identifier reaches SQL through `quote_ident`; values go as parameters, except inside the
view definition (DuckDB views take no parameters), where they go through `quote_literal`.
"""

from __future__ import annotations

import dataclasses

import hashlib
import threading

import duckdb

from ..errors import UserError
from ..models import ColumnMap, CombinedGroup, DataFile, DataSet, Project
from ..sql import quote_ident, quote_literal
from ..store import CACHE, Store
from .codes import ALL_WORDS, MAX_CODES, REPORT_CATEGORIES, SUPPRESSED, norm, read_sql
from .detect import higher_is_better
from .edfacts import edfacts_pairs, with_suffix
from .mapping import check_mapping, column_for, column_map
from .prepared import ALL_DIMENSION, ALL_GROUP, Dimension, Outcome, Prepared, cube_sql, outcome_sums

_PREPARE_LOCK = threading.Lock()  # one writer of a prepared table at a time (browser tabs share a process)


def view_name(project: Project, dataset: DataSet) -> str:
    return f"{Store.schema(project.id)}.{quote_ident('prepared_' + dataset.id)}"


def file_table(project: Project, data_file: DataFile) -> str:
    return f"{Store.schema(project.id)}.{quote_ident(data_file.table)}"


def dimension_key(column: str) -> str:
    return "d_" + norm(column)


def outcome_key(column: str) -> str:
    return "o_" + norm(column)


def prepare(con: duckdb.DuckDBPyConnection, project: Project, dataset: DataSet) -> Prepared:
    """Create (or reuse) the data set's canonical view and, for student data, its cube (the view summed
    per school, year and group values: see `successgaps.data.prepared`), and describe them.

    The cube is a table in the store's in-memory cache, written once, so every screen adds up a few
    ten thousand rows instead of re-reading every student record. Each one's comment holds a
    fingerprint of the SQL it was built from; that SQL names the file tables (new on every upload) and
    spells out the whole mapping, so the same fingerprint means the same rows: they are reused, and
    any change of mapping or files (or a restart, for the cube) builds them again."""
    if not dataset.files:
        raise UserError("This data set has no files; upload a file first.")
    check_mapping(dataset)
    relation = view_name(project, dataset)
    if dataset.layout == "student":
        selects, dims, outs = zip(*(_student_select(project, dataset, f) for f in dataset.files))
        dims, outs = dims[0], outs[0]
        layout = "student"
    else:
        selects = [_aggregate_select(project, dataset, f) for f in dataset.files]
        dims = _aggregate_dimensions(dataset)
        outs = _aggregate_outcomes(dataset)
        layout = "aggregate"
    body = "\nUNION ALL BY NAME\n".join(f"({s})" for s in selects)
    cube = ""
    with _PREPARE_LOCK:
        _ensure(con, "VIEW", "", f"p_{project.id}", f"prepared_{dataset.id}", body)
        if layout == "student":
            # named by its SQL, so a screen that started under another mapping never reads this one
            cube_body = _student_cube(project, dataset)
            name = f"cube_{dataset.id}_{hashlib.sha256(cube_body.encode()).hexdigest()[:16]}"
            _ensure(con, "TABLE", CACHE, f"p_{project.id}", name, cube_body)
            for (older,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND "
                                        "table_schema = ? AND starts_with(table_name, ?) AND table_name <> ?",
                                        [CACHE, f"p_{project.id}", f"cube_{dataset.id}_", name]).fetchall():
                con.execute(f"DROP TABLE IF EXISTS {Store.cache_table(project.id, older)}")
            cube = Store.cache_table(project.id, name)
    return Prepared(layout=layout, relation=relation, dimensions=tuple(dims), outcomes=tuple(outs),
                    has_school=bool(column_for(dataset, "school") or column_for(dataset, "school_name")),
                    has_year=bool(column_for(dataset, "year")) or all(f.year for f in dataset.files), cube=cube,
                    has_district=layout == "aggregate" and _has_district(dataset),
                    has_levels=layout == "aggregate" and bool(column_for(dataset, "level")))


def _ensure(con, kind: str, catalog: str, schema: str, name: str, sql: str) -> None:
    """Create the VIEW or TABLE catalog.schema.name (catalog "": the workspace's) from `sql`, unless it
    is there already, built from the same SQL: its comment holds the SQL's fingerprint."""
    fingerprint = "successgaps:" + hashlib.sha256(sql.encode()).hexdigest()
    qualified = ".".join(quote_ident(part) for part in (catalog, schema, name) if part)
    if catalog:  # the store attaches its cache; any other connection (a quick screen's) gets one here
        con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {quote_ident(catalog)}")
    found = con.execute("SELECT table_type, coalesce(table_comment, '') FROM information_schema.tables WHERE "
                        "table_catalog = coalesce(nullif(?, ''), current_database()) AND table_schema = ? AND "
                        "table_name = ?", [catalog, schema, name]).fetchone()
    table_type = "VIEW" if kind == "VIEW" else "BASE TABLE"
    if found == (table_type, fingerprint):
        return
    try:  # one transaction each: DuckDB writes to one database per transaction
        con.execute("BEGIN TRANSACTION")
        if found and found[0] != table_type:  # e.g. a table where an earlier version kept a view
            con.execute(f"DROP {'TABLE' if kind == 'VIEW' else 'VIEW'} {qualified}")
        if catalog:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(catalog)}.{quote_ident(schema)}")
        con.execute(f"CREATE OR REPLACE {kind} {qualified} AS {sql}")
        con.execute(f"COMMENT ON {kind} {qualified} IS {quote_literal(fingerprint)}")
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise UserError("The data could not be prepared with this mapping; check the roles of the columns and "
                        f"confirm the mapping again ({str(exc).splitlines()[0][:120]}).") from exc


def source_column(dataset: DataSet, data_file: DataFile, column: str) -> str:
    """The name a mapped column has in one file (EDFacts files carry their year in column names)."""
    if dataset.layout == "edfacts" and data_file.column_suffix:
        return with_suffix(column, data_file.column_suffix)
    return column


def column_sql(dataset: DataSet, data_file: DataFile, column: str) -> str:
    """A column's values, trimmed and with missing-value marks NULL (`codes.clean_sql`: as the table holds them
    when `read_upload` cleaned it)."""
    return read_sql(quote_ident(source_column(dataset, data_file, column)), data_file.cleaned)


def _school_sql(dataset: DataSet, data_file: DataFile, *, students: bool = False) -> str:
    ident, label = column_for(dataset, "school"), column_for(dataset, "school_name")
    # In a student file, students whose school is not given form a school of their own, named so: never an unnamed
    # school whose rows would read like the district's.
    if ident and label and dataset.options.get("school_label") == "name_id":
        expr = f"{column_sql(dataset, data_file, label)} || ' (' || {column_sql(dataset, data_file, ident)} || ')'"
    elif ident and label:
        expr = f"coalesce({column_sql(dataset, data_file, label)}, {column_sql(dataset, data_file, ident)})"
    elif ident or label:
        expr = column_sql(dataset, data_file, ident or label)
    else:
        return "CAST(NULL AS VARCHAR)"
    return f"coalesce({expr}, {quote_literal(NO_SCHOOL)})" if students else expr


def school_year_sql(expr: str) -> str:
    """One spelling of a school year: '2024-25' from 2024-25, 2024-2025, 2024/25, SY2024-25, SY 2024-25 and 24-25.
    Other text (a bare 2024, whose convention the file does not say) is kept as it is."""
    long = r"^(?:SY|S\.Y\.)?\s*((?:19|20)[0-9]{2})\s*[-/–]\s*(?:(?:19|20)?([0-9]{2}))$"
    short = r"^(?:SY)?\s*([0-9]{2})\s*[-/–]\s*([0-9]{2})$"
    # already 2024-25 (nearly every row): kept as it is without a regular expression (half the time at 1M rows)
    spelled = " AND ".join([f"length({expr}) = 7", f"substr({expr}, 5, 1) = '-'",
                            f"substr({expr}, 1, 2) IN ('19', '20')"]
                           + [f"substr({expr}, {i}, 1) BETWEEN '0' AND '9'" for i in (3, 4, 6, 7)])
    return (f"(CASE WHEN {spelled} THEN {expr} WHEN regexp_full_match(upper({expr}), '{long}') "
            f"THEN regexp_replace(upper({expr}), '{long}', '\\1-\\2') "
            f"WHEN regexp_full_match(upper({expr}), '{short}') "
            f"THEN regexp_replace(upper({expr}), '{short}', '20\\1-\\2') ELSE {expr} END)")


def _has_district(dataset: DataSet) -> bool:
    return bool(column_for(dataset, "district") or column_for(dataset, "district_name"))


def _district_sql(dataset: DataSet, data_file: DataFile) -> str:
    """'Name (id)' when the file has both (ids tell apart districts of one name in different states)."""
    ident, label = column_for(dataset, "district"), column_for(dataset, "district_name")
    if ident and label:
        name, code = column_sql(dataset, data_file, label), column_sql(dataset, data_file, ident)
        return f"coalesce({name} || ' (' || {code} || ')', {name}, {code})"
    if ident or label:
        return column_sql(dataset, data_file, ident or label)
    return "CAST(NULL AS VARCHAR)"


STATE_COLUMNS = ("stnam", "state", "state_name", "statename", "st")


def _state_sql(dataset: DataSet, data_file: DataFile) -> str:
    """The state's name from a column such as STNAM (read whatever role it was given), else NULL."""
    found = next((c.column for c in dataset.columns if norm(c.column) in STATE_COLUMNS), None)
    return column_sql(dataset, data_file, found) if found else "CAST(NULL AS VARCHAR)"


def year_sql(dataset: DataSet, data_file: DataFile) -> str:
    year = column_for(dataset, "year")
    if year:
        return school_year_sql(column_sql(dataset, data_file, year))
    return quote_literal(data_file.year) if data_file.year else "CAST(NULL AS VARCHAR)"


def _case(expr: str, codes: dict[str, str]) -> str:
    """raw value -> label; values not in `codes` become NULL (unknown)."""
    labelled = {k: v.strip() for k, v in codes.items() if v and v.strip()}
    if not labelled:
        return "CAST(NULL AS VARCHAR)"
    whens = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in labelled.items())
    return f"CASE {expr} {whens} ELSE NULL END"


NO_SCHOOL = "(school not given)"
OTHER_GROUPS = "Other groups"  # the dimension of a report-card code labelled without one
MAX_NUMBER = 1e12  # larger values (1e308, inf), NaN and text are not a score, a count or a rate: missing


def number_sql(expr: str) -> str:
    """The number in a text cell ('85%', '1,234'), or NULL when it is none, not finite (inf, NaN) or beyond
    ±`MAX_NUMBER` (sums of 1e308 overflow); -0 becomes 0."""
    # a plain number is cast as it is; only a cell that is not one has '%' and ',' taken out (the cast takes no
    # '%' nor ',', so both ways give the same number: the first is about twice as fast)
    number = f"COALESCE(TRY_CAST({expr} AS DOUBLE), TRY_CAST(replace(replace({expr}, '%', ''), ',', '') AS DOUBLE))"
    return f"(CASE WHEN abs({number}) < {MAX_NUMBER:.0f} THEN {number} + 0.0 END)"


def _outcome_sql(dataset: DataSet, data_file: DataFile, c: ColumnMap) -> str:
    """Binary: 1 when the value is one of yes_values, 0 otherwise, NULL when missing.
    Numeric: the number (divided by `per` when set); with a cut: 1 when value >= cut (< cut if cut_below)."""
    value = column_sql(dataset, data_file, c.column)
    if c.kind == "binary":
        yes = ", ".join(quote_literal(v) for v in c.yes_values) or "NULL"
        return f"CASE WHEN {value} IS NULL THEN NULL WHEN {value} IN ({yes}) THEN 1.0::DOUBLE ELSE 0.0::DOUBLE END"
    number = number_sql(value)
    if c.per:
        number = f"({number} / NULLIF({number_sql(column_sql(dataset, data_file, c.per))}, 0))"
    if c.cut is None:
        return number
    op = "<" if c.cut_below else ">="
    return (f"CASE WHEN {number} IS NULL THEN NULL WHEN {number} {op} {float(c.cut)!r} THEN 1.0::DOUBLE "
            "ELSE 0.0::DOUBLE END")


def student_dimensions(dataset: DataSet) -> list[tuple[Dimension, ColumnMap | CombinedGroup]]:
    out = [(Dimension(dimension_key(c.column), c.label or c.column), c) for c in dataset.columns if c.role == "group"]
    by_column = {c.column: c for c in dataset.columns if c.role == "group"}
    for combo in dataset.combined:
        first, second = by_column.get(combo.first), by_column.get(combo.second)
        if first and second:
            label = combo.label or f"{first.label or first.column} & {second.label or second.column}"
            parts = (first.column, second.column)  # the parts' columns; their labels once they are distinct
            out.append((Dimension(f"d_combined_{combo.id}", label, parts), combo))
    out = _distinct(out)
    label_of = {source.column: d.label for d, source in out if isinstance(source, ColumnMap)}
    return [(dataclasses.replace(d, parts=tuple(label_of[c] for c in d.parts)) if d.parts else d, source)
            for d, source in out]


def student_outcomes(dataset: DataSet) -> list[tuple[Outcome, ColumnMap]]:
    return _distinct([(Outcome(outcome_key(c.column), c.label or c.column,
                               "binary" if c.kind == "binary" or c.cut is not None else "numeric", c.higher_is_better), c)
                      for c in dataset.columns if c.role == "outcome"])


def _distinct(items: list) -> list:
    """Two columns whose key or label come out the same ("race" and "ethnicity" both "Race/ethnicity";
    two non-Latin headers both "column") stay two dimensions or outcomes: a repeated label gets its
    column's name, a repeated key a number, so no student is counted twice in one dimension."""
    labels: dict[str, int] = {}
    for item, _ in items:
        labels[item.label.lower()] = labels.get(item.label.lower(), 0) + 1
    keys: set[str] = set()
    seen_labels: set[str] = set()
    out = []
    for item, source in items:
        label = item.label
        if labels[label.lower()] > 1 and isinstance(source, ColumnMap) and source.column.lower() != label.lower():
            label = f"{label} ({source.column})"
        base, n = label, 2
        while label.lower() in seen_labels:
            label, n = f"{base} {n}", n + 1
        seen_labels.add(label.lower())
        key, n = item.key, 2
        while key in keys:
            key, n = f"{item.key}_{n}", n + 1
        keys.add(key)
        out.append((dataclasses.replace(item, key=key, label=label), source))
    return out


def _student_exprs(dataset: DataSet, data_file: DataFile):
    """(key expressions: school, year and each dimension's label; outcome expressions; dimensions;
    outcomes) of one file of a student data set, all over the file's own (text) columns."""
    by_column = {c.column: c for c in dataset.columns}
    keys = [_school_sql(dataset, data_file, students=True), year_sql(dataset, data_file)]
    dims = student_dimensions(dataset)
    for dim, source in dims:
        if isinstance(source, ColumnMap):
            expr = _case(column_sql(dataset, data_file, source.column), source.codes)
        else:
            a = _case(column_sql(dataset, data_file, source.first), by_column[source.first].codes)
            b = _case(column_sql(dataset, data_file, source.second), by_column[source.second].codes)
            expr = f"CASE WHEN ({a}) IS NOT NULL AND ({b}) IS NOT NULL THEN ({a}) || ' & ' || ({b}) END"
        keys.append(expr)
    outs = student_outcomes(dataset)
    values = [_outcome_sql(dataset, data_file, source) for _, source in outs]
    return keys, values, [d for d, _ in dims], [o for o, _ in outs]


def _student_select(project: Project, dataset: DataSet, data_file: DataFile):
    keys, values, dims, outs = _student_exprs(dataset, data_file)
    names = ["school", "year"] + [quote_ident(d.key) for d in dims] + [quote_ident(o.key) for o in outs]
    parts = [f"{expr} AS {name}" for expr, name in zip(keys + values, names)]
    return f"SELECT {', '.join(parts)} FROM {file_table(project, data_file)}", dims, outs


def _key_columns(dataset: DataSet, data_file: DataFile) -> list[str]:
    """The file's columns that school, year and the group labels are computed from."""
    names = [column_for(dataset, "school"), column_for(dataset, "school_name"), column_for(dataset, "year")]
    names += raw_group_columns(dataset)
    return list(dict.fromkeys(source_column(dataset, data_file, n) for n in names if n))


def _student_cube(project: Project, dataset: DataSet) -> str:
    """The cube (`successgaps.data.prepared.cube_sql`) of a student data set, computed from the files with
    the same sums as summing the view: each file's rows are first summed per distinct raw text of the
    key columns (grouping short codes such as 'B' or '1' is far cheaper than cleaning and labelling
    every row first), then those few rows are cleaned and labelled with the view's own expressions.
    Rows that land on the same labels (e.g. 'B' and ' B') stay apart: the engine adds them up."""
    parts, dims, outs = [], [], []
    groups = raw_group_columns(dataset)
    for data_file in dataset.files:
        keys, values, dims, outs = _student_exprs(dataset, data_file)
        raw = ", ".join(quote_ident(c) for c in _key_columns(dataset, data_file))
        labelled = [f"{k} AS {name}" for k, name in zip(keys, ["school", "year"] + [f"d{i}" for i in range(len(dims))])]
        labelled += [f"{quote_ident(source_column(dataset, data_file, c))} AS r{k}" for k, c in enumerate(groups)]
        stats = ", ".join(["__rows"] + [f"__{x}{j}" for j, o in enumerate(outs)
                                         for x in ("nemsx" if o.kind == "numeric" else "ne")])
        values_sql = ", ".join(f"{v} AS __o{j}" for j, v in enumerate(values))
        parts.append(f"SELECT {', '.join(labelled)}, {stats} FROM (SELECT {raw}, {outcome_sums(outs)} FROM "
                     f"(SELECT {raw}, {values_sql} FROM {file_table(project, data_file)}) GROUP BY {raw})")
    return cube_sql(" UNION ALL ".join(f"({p})" for p in parts), len(dims), outs, len(groups))


def raw_group_columns(dataset: DataSet) -> list[str]:
    """The group columns of a student data set, in the mapping's order: the cube's r{k} keeps column k's text as
    the files give it (`prepared.cube_sql`)."""
    return [c.column for c in dataset.columns if c.role == "group"]


RATE_PATTERN = r"(GE|GT|LT|LE)?[0-9]+(\.[0-9]+)?(-[0-9]+(\.[0-9]+)?)?"


def rate_text_sql(expr: str) -> str:
    """A rate as text, normalised: upper case, no spaces or %, '>=' -> GE, '<=' -> LE, '>' -> GT, '<' -> LT."""
    return (f"replace(replace(replace(replace(replace(replace(upper({expr}), ' ', ''), '%', ''), "
            "'>=', 'GE'), '<=', 'LE'), '>', 'GT'), '<', 'LT')")


def _rated(inner: str, scale: float) -> str:
    """Turn `inner` (school, year, dimension, "group", outcome, n, events, u = normalised rate text) into the
    aggregate view's rows. Rates (percent when scale=100, proportion when 1) become intervals:
    a whole-number percent is rounded: '91' -> 0.905-0.915 ('range'; '100' -> 0.995-1.00, '0' -> 0-0.005),
    a decimal '91.3' -> 0.913/0.913 (exact); 'GE95'/'GT95' -> 0.95-1.00; 'LT50'/'LE20' -> 0.00-0.50/0.00-0.20;
    '85-89' -> 0.85-0.89; 'PS' (and *, SUPP, ...) -> suppressed; '.', empty, unreadable -> missing
    (or events / n, flagged exact, when both are known)."""
    s = repr(float(scale))
    suppressed = ", ".join(quote_literal(v) for v in SUPPRESSED)
    whole = "op = '' AND b IS NULL AND NOT contains(u, '.')" if scale == 100 else "false"  # a rounded percent
    return f"""SELECT school, year, dimension, "group", outcome, n, events, district, state, level,
  CASE WHEN flag = 'computed' THEN events / n WHEN flag = 'rounded' THEN greatest(a - 0.5, 0.0) / {s}
       WHEN flag = 'range' AND op IN ('LT', 'LE') THEN 0.0
       WHEN flag IN ('range', 'exact') THEN a / {s} END AS rate_low,
  CASE WHEN flag = 'computed' THEN events / n WHEN flag = 'rounded' THEN least(a + 0.5, {s}) / {s}
       WHEN flag = 'range' AND op IN ('GE', 'GT') THEN 1.0
       WHEN flag = 'range' AND op IN ('LT', 'LE') THEN a / {s} WHEN flag = 'range' THEN b / {s}
       WHEN flag = 'exact' THEN a / {s} END AS rate_high,
  CASE WHEN flag = 'computed' THEN 'exact' WHEN flag = 'rounded' THEN 'range' ELSE flag END AS source_flag
FROM (SELECT *, CASE WHEN u IN ({suppressed}) THEN 'suppressed'
                     WHEN u IS NOT NULL AND regexp_full_match(u, '{RATE_PATTERN}') THEN
                          CASE WHEN {whole} THEN 'rounded' WHEN op <> '' OR b IS NOT NULL THEN 'range'
                               ELSE 'exact' END
                     WHEN events IS NOT NULL AND n > 0 THEN 'computed' ELSE 'missing' END AS flag
      FROM (SELECT *, regexp_extract(u, '^(GE|GT|LT|LE)', 1) AS op,
                   TRY_CAST(regexp_extract(u, '^(?:GE|GT|LT|LE)?([0-9]+(?:\\.[0-9]+)?)', 1) AS DOUBLE) AS a,
                   TRY_CAST(regexp_extract(u, '^[0-9.]+-([0-9]+(?:\\.[0-9]+)?)$', 1) AS DOUBLE) AS b
            FROM ({inner})))"""


def _aggregate_select(project: Project, dataset: DataSet, data_file: DataFile) -> str:
    source = file_table(project, data_file)
    school, year = _school_sql(dataset, data_file), year_sql(dataset, data_file)
    district, state = _district_sql(dataset, data_file), _state_sql(dataset, data_file)
    if dataset.layout == "edfacts":
        pairs = edfacts_pairs(dataset)
        cells = ", ".join(
            "{'k': %d, 'n': %s, 'u': %s}" % (
                k, number_sql(column_sql(dataset, data_file, count.column)) if count else "CAST(NULL AS DOUBLE)",
                rate_text_sql(column_sql(dataset, data_file, rate.column)))
            for k, (count, rate) in enumerate(pairs))
        labels = ", ".join(
            f"({k}, {quote_literal(ALL_DIMENSION if rate.dimension == ALL_DIMENSION else rate.dimension)}, "
            f"{quote_literal(ALL_GROUP if rate.dimension == ALL_DIMENSION else rate.label)}, {quote_literal(rate.outcome)})"
            for k, (_, rate) in enumerate(pairs))
        inner = (f"SELECT school, year, m.dimension, m.\"group\", m.outcome, c.n AS n, CAST(NULL AS DOUBLE) AS events, "
                 f"c.u AS u, district, state, CAST(NULL AS VARCHAR) AS level FROM (SELECT {school} AS school, "
                 f"{year} AS year, {district} AS district, "
                 f"{state} AS state, unnest([{cells}]) AS c FROM {source}) "
                 f"JOIN (VALUES {labels}) AS m(k, dimension, \"group\", outcome) ON m.k = c.k")
        return _rated(inner, 100.0)
    # aggregate, long: one row per (school, year, group[, outcome]); a report card's rows are at their own level
    group_map = next(c for c in dataset.columns if c.role == "group")
    raw_group = column_sql(dataset, data_file, group_map.column)
    all_codes = [k for k, v in group_map.code_dimensions.items() if v.strip().lower() == ALL_DIMENSION.lower()]
    is_all = f"(lower({raw_group}) IN ({', '.join(quote_literal(v) for v in ALL_WORDS)})" + (
        f" OR {raw_group} IN ({', '.join(quote_literal(v) for v in all_codes)}))" if all_codes else ")")
    dim_column = column_for(dataset, "dimension")
    dim = column_sql(dataset, data_file, dim_column) if dim_column else quote_literal(group_map.label or "Group")
    if group_map.code_dimensions and not dim_column:  # one column, several dimensions: each code's own
        dim = f"coalesce({_case(raw_group, group_map.code_dimensions)}, {quote_literal(OTHER_GROUPS)})"
    level_column = column_for(dataset, "level")
    level = (_case(column_sql(dataset, data_file, level_column), column_map(dataset, level_column).codes)
             if level_column else "CAST(NULL AS VARCHAR)")
    if level_column:  # a state or district row names no school; a state row no district
        school = f"CASE WHEN {level} = 'school' THEN {school} END"
        district = f"CASE WHEN {level} IN ('school', 'district') THEN {district} END"
    measure = next((c for c in dataset.columns if c.role == "measure"), None)
    value_map = next((c for c in dataset.columns if c.role in ("rate", "numerator")), None)
    outcome = (_case(column_sql(dataset, data_file, measure.column), measure.codes) if measure
               else quote_literal((value_map.label if value_map else "") or "Outcome"))
    number = lambda role: (number_sql(column_sql(dataset, data_file, column_for(dataset, role)))  # noqa: E731
                           if column_for(dataset, role) else "CAST(NULL AS DOUBLE)")
    rate = column_for(dataset, "rate")
    inner = (f"SELECT {school} AS school, {year} AS year, {district} AS district, {state} AS state, {level} AS level, "
             f"CASE WHEN {is_all} THEN {quote_literal(ALL_DIMENSION)} ELSE {dim} END AS dimension, "
             f"CASE WHEN {is_all} THEN {quote_literal(ALL_GROUP)} ELSE {_case(raw_group, group_map.codes)} END AS \"group\", "
             f"{outcome} AS outcome, {number('count')} AS n, {number('numerator')} AS events, "
             f"{rate_text_sql(column_sql(dataset, data_file, rate)) if rate else 'CAST(NULL AS VARCHAR)'} AS u FROM {source}")
    return _rated(inner, 1.0 if dataset.options.get("rate_scale") == "proportion" else 100.0)


def _aggregate_dimensions(dataset: DataSet) -> list[Dimension]:
    if dataset.layout == "edfacts":
        seen = dict.fromkeys(c.dimension for c in dataset.columns if c.role == "rate" and c.dimension != ALL_DIMENSION)
        return [Dimension(d, d) for d in seen]
    dim = column_for(dataset, "dimension")
    group = next(c for c in dataset.columns if c.role == "group")
    if group.code_dimensions and not dim:  # a report card's category column: its codes' dimensions, in table order
        labelled = [group.code_dimensions.get(k, "").strip() or OTHER_GROUPS
                    for k, v in group.codes.items() if v.strip()]
        return [Dimension(v, v) for v in dict.fromkeys(_ordered(labelled)) if v.lower() != ALL_DIMENSION.lower()]
    if dim:
        labels = sorted({v for v in column_map(dataset, dim).codes.values() if v} or {group.label or "Group"})
        return [Dimension(v, v) for v in labels]
    return [Dimension(group.label or "Group", group.label or "Group")]


def _ordered(labels: list[str]) -> list[str]:
    """Dimensions in the default code table's order (race/ethnicity, sex, ...), others after them."""
    order = list(dict.fromkeys(d for d, _ in REPORT_CATEGORIES.values()))
    return sorted(labels, key=lambda v: (order.index(v) if v in order else len(order), v))


def _aggregate_outcomes(dataset: DataSet) -> list[Outcome]:
    if dataset.layout == "edfacts":
        seen = {}
        for c in dataset.columns:
            if c.role == "rate":
                seen.setdefault(c.outcome, c.higher_is_better)
        return [Outcome(label, label, "binary", better) for label, better in seen.items()]
    measure = next((c for c in dataset.columns if c.role == "measure"), None)
    value_map = next((c for c in dataset.columns if c.role in ("rate", "numerator")), None)
    if measure:
        labels = dict.fromkeys(v for v in measure.codes.values() if v)
        return [Outcome(v, v, "binary", higher_is_better(v)) for v in labels]
    label = (value_map.label if value_map else "") or "Outcome"
    return [Outcome(label, label, "binary", value_map.higher_is_better if value_map else True)]


def code_table(con, project: Project, dataset: DataSet, column: str) -> list[dict]:
    """Every value of a group column across the data set's files, with its row count and label
    ('' when the mapping does not know it yet); a report card's category column also each code's dimension."""
    mapping = column_map(dataset, column)
    counts: dict[str, int] = {}
    for data_file in dataset.files:
        value = column_sql(dataset, data_file, column)
        for raw, n in con.execute(f"SELECT {value}, count(*) FROM {file_table(project, data_file)} "
                                  f"WHERE {value} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT {MAX_CODES * 4}").fetchall():
            counts[raw] = counts.get(raw, 0) + n
    known = set(counts) | set(mapping.codes)
    order = sorted(known, key=lambda v: (-counts.get(v, 0), v))
    if mapping.code_dimensions:  # a report card's category column: each code's dimension too
        return [{"code": raw, "rows": counts.get(raw, 0), "dimension": mapping.code_dimensions.get(raw, ""),
                 "label": mapping.codes.get(raw, "")} for raw in order]
    return [{"code": raw, "rows": counts.get(raw, 0), "label": mapping.codes.get(raw, "")} for raw in order]
