"""Peers: the same counts as the app, computed the way a competent analyst would with DuckDB, pandas
and polars, each as a whole process of its own (imports included).

`python -m bench.peers <duckdb|pandas|polars> SPEC FILE OUT` reads FILE (a student-level CSV; every
column text), applies the mapping in SPEC (a JSON file written by `bench.phases counts` from the
app's confirmed mapping: `spec(dataset)` below) and writes OUT (Parquet), one row per

    level ("district" | "school"), school (NULL at district level), year, dimension, group, outcome
    n       students in the group with a known value of the outcome
    events  the sum of the outcome over them (students with the outcome, for a binary outcome)

Groups with no student with a known outcome (n = 0) may be absent. The mapping semantics are the
app's (`successgaps.ingest`): a value is trimmed and a missing-value mark ("", ".", "NA", ...) is
missing; a group code the mapping does not label is unknown (the student is in no group of that
dimension); a binary outcome is 1 for one of its "yes" values, 0 for any other value, missing when
missing; a numeric outcome is the number ("%" and "," removed; missing when not a number), divided
by its `per` column when set (missing when that is 0), turned into 0/1 by its cut when set.

`python -m bench.peers read FILE` is DuckDB's in-memory read of the file, every column text (the
yardstick of the app's load). Each command prints one JSON line with its own seconds (after the
imports); `python -m bench --peers` times the processes from outside.

Each module imports only its own library: the app's package is never imported here.
"""

from __future__ import annotations

import json
import sys
import time

LEVELS = (("district", ("year",)), ("school", ("school", "year")))


def spec(dataset, missing) -> dict:
    """The mapping a peer needs, from a confirmed student `models.DataSet` (no combined groups)."""
    if dataset.layout != "student" or dataset.combined:
        raise ValueError("the peers compute student-level data sets without combined groups only")
    role = {}
    for c in reversed(dataset.columns):
        role[c.role] = c.column
    out = {"missing": list(missing), "school": role.get("school"), "school_name": role.get("school_name"),
           "school_label": dataset.options.get("school_label", "name"), "year": role.get("year"),
           "dimensions": [], "outcomes": []}
    for c in dataset.columns:
        if c.role == "group":
            codes = {k: v.strip() for k, v in c.codes.items() if v and v.strip()}
            out["dimensions"].append({"column": c.column, "label": c.label or c.column, "codes": codes})
        elif c.role == "outcome":
            out["outcomes"].append({"column": c.column, "label": c.label or c.column, "kind": c.kind,
                                    "yes": list(c.yes_values), "per": c.per or None, "cut": c.cut,
                                    "cut_below": bool(c.cut_below)})
    return out


def _columns(s: dict) -> list[str]:
    names = [s["school"], s["school_name"], s["year"]] + [d["column"] for d in s["dimensions"]]
    names += [o["column"] for o in s["outcomes"]] + [o["per"] for o in s["outcomes"]]
    return list(dict.fromkeys(n for n in names if n))


# ------------------------------------------------------------------------------------------- DuckDB

def duckdb_counts(s: dict, file: str, out: str) -> None:
    """Read the CSV (every column text) and one GROUPING SETS statement: every level x dimension,
    all outcomes side by side, then UNPIVOT to one row per outcome."""
    import duckdb  # noqa: PLC0415

    source = f"read_csv({_lit(file)}, all_varchar = true, header = true)"
    duckdb.connect().execute(f"COPY ({counts_sql(s, source)}) TO {_lit(out)} (FORMAT parquet)")


def _lit(value) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def counts_sql(s: dict, source: str, cleaned: bool = False) -> str:
    """The minimal gap-count statement over `source` (the CSV read as text, or a table): one GROUPING SETS
    statement, every level x dimension, all outcomes side by side, then UNPIVOT to one row per outcome.
    `cleaned`: the source's values are already trimmed, the missing-value marks NULL (the app's uploaded
    table), so they are read as they are."""
    lit = _lit

    def q(name):
        return '"' + name.replace('"', '""') + '"'

    marks = ", ".join(lit(m) for m in s["missing"])

    def clean(column):
        if cleaned:
            return q(column)
        return f"(CASE WHEN trim({q(column)}) IN ({marks}) THEN NULL ELSE trim({q(column)}) END)"

    def number(column):
        return f"TRY_CAST(replace(replace({clean(column)}, '%', ''), ',', '') AS DOUBLE)"

    ident, name = s["school"], s["school_name"]
    if ident and name:
        school = (f"{clean(name)} || ' (' || {clean(ident)} || ')'" if s["school_label"] == "name_id"
                  else f"coalesce({clean(name)}, {clean(ident)})")
    else:
        school = clean(ident or name) if (ident or name) else "CAST(NULL AS VARCHAR)"
    year = clean(s["year"]) if s["year"] else "CAST(NULL AS VARCHAR)"
    selects = [f"{school} AS school", f"{year} AS year"]
    for i, d in enumerate(s["dimensions"]):
        whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in d["codes"].items())
        selects.append(f"CASE {clean(d['column'])} {whens} ELSE NULL END AS d{i}" if whens else f"NULL AS d{i}")
    for j, o in enumerate(s["outcomes"]):
        if o["kind"] == "binary":
            yes = ", ".join(lit(v) for v in o["yes"]) or "NULL"
            value = f"CASE WHEN {clean(o['column'])} IS NULL THEN NULL WHEN {clean(o['column'])} IN ({yes}) THEN 1.0 ELSE 0.0 END"
        else:
            value = number(o["column"])
            if o["per"]:
                value = f"({value} / NULLIF({number(o['per'])}, 0))"
            if o["cut"] is not None:
                op = "<" if o["cut_below"] else ">="
                value = f"CASE WHEN {value} IS NULL THEN NULL WHEN {value} {op} {float(o['cut'])!r} THEN 1.0 ELSE 0.0 END"
        selects.append(f"{value} AS o{j}")
    dims = range(len(s["dimensions"]))
    sets = ", ".join(f"({', '.join(keys)}, d{i})" for i in dims for _, keys in LEVELS)
    dimension = "CASE " + " ".join(f"WHEN GROUPING(d{i}) = 0 THEN {lit(d['label'])}" for i, d in enumerate(s["dimensions"])) + " END"
    group = "coalesce(" + ", ".join(f"d{i}" for i in dims) + ")"
    sums = ", ".join(f"count(o{j}) AS n{j}, sum(o{j}) AS e{j}" for j in range(len(s["outcomes"])))
    pairs = ", ".join(f"(n{j}, e{j}) AS {lit(o['label'])}" for j, o in enumerate(s["outcomes"]))
    return f"""
          WITH clean AS (SELECT {', '.join(selects)} FROM {source}),
          cells AS (SELECT CASE WHEN GROUPING(school) = 0 THEN 'school' ELSE 'district' END AS level,
                           CASE WHEN GROUPING(school) = 0 THEN school END AS school, year,
                           {dimension} AS dimension, {group} AS "group", {sums}
                    FROM clean GROUP BY GROUPING SETS ({sets}))
          SELECT level, school, year, dimension, "group", outcome, n, events
          FROM (UNPIVOT (SELECT * FROM cells WHERE "group" IS NOT NULL)
                ON {pairs} INTO NAME outcome VALUE n, events)"""


def read(file: str) -> None:
    """DuckDB's in-memory read of the file, every column text (the load's yardstick)."""
    import duckdb  # noqa: PLC0415

    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true, header = true)", [file])


# ------------------------------------------------------------------------------------------- pandas

def pandas_counts(s: dict, file: str, out: str) -> None:
    """pandas as an analyst who knows it writes it: read only the needed columns with the pyarrow
    engine as categoricals, apply the mapping to the few distinct values of each column (not to a
    million rows), then one groupby per level x dimension over all outcomes at once."""
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    raw = pd.read_csv(file, engine="pyarrow", usecols=_columns(s), dtype="category", keep_default_na=False,
                      na_values=[])
    missing = set(s["missing"])

    def categories(column):
        """The column's distinct values cleaned (trimmed; missing marks -> None), and its codes."""
        values = raw[column].cat
        cleaned = [None if v.strip() in missing else v.strip() for v in values.categories.astype(str)]
        return cleaned, values.codes.to_numpy()

    def labels(column, f):
        """A categorical of f(cleaned value) (None: missing), computed once per distinct value."""
        cleaned, codes = categories(column)
        inverse, uniques = pd.factorize(pd.Series([f(v) if v is not None else None for v in cleaned], dtype=object))
        new = np.where(codes >= 0, np.append(inverse, -1)[codes], -1)
        return pd.Categorical.from_codes(new, uniques)

    def values(column, f):
        """A float array of f(cleaned value) (None/NaN: missing), computed once per distinct value."""
        cleaned, codes = categories(column)
        table = np.array([f(v) if v is not None else np.nan for v in cleaned] + [np.nan], dtype="float64")
        return table[codes]

    def number(v):
        try:
            return float(v.replace("%", "").replace(",", ""))
        except ValueError:
            return np.nan

    frame = {}
    ident, name = s["school"], s["school_name"]
    if ident and name and s["school_label"] == "name_id":
        a, b = labels(name, str).astype(object), labels(ident, str).astype(object)
        frame["school"] = pd.Categorical(pd.Series(a) + " (" + pd.Series(b) + ")")
    elif ident and name:
        frame["school"] = pd.Categorical(pd.Series(labels(name, str)).astype(object).fillna(
            pd.Series(labels(ident, str)).astype(object)))
    elif ident or name:
        frame["school"] = labels(ident or name, str)
    else:
        frame["school"] = pd.Categorical([None] * len(raw))
    frame["year"] = labels(s["year"], str) if s["year"] else pd.Categorical([None] * len(raw))
    dims = []
    for i, d in enumerate(s["dimensions"]):
        frame[f"d{i}"] = labels(d["column"], d["codes"].get)
        dims.append((f"d{i}", d["label"]))
    outs = []
    for j, o in enumerate(s["outcomes"]):
        if o["kind"] == "binary":
            yes = set(o["yes"])
            value = values(o["column"], lambda v, yes=yes: 1.0 if v in yes else 0.0)
        else:
            value = values(o["column"], number)
            if o["per"]:
                per = values(o["per"], number)
                with np.errstate(divide="ignore", invalid="ignore"):
                    value = value / np.where(per == 0, np.nan, per)
            if o["cut"] is not None:
                event = value < o["cut"] if o["cut_below"] else value >= o["cut"]
                value = np.where(np.isnan(value), np.nan, event.astype("float64"))
        frame[f"o{j}"] = value
        outs.append((f"o{j}", o["label"]))
    del raw
    frame = pd.DataFrame(frame)
    ocols = [k for k, _ in outs]
    known = frame[ocols].notna().astype("int64")
    known.columns = [f"n_{k}" for k in ocols]
    frame = pd.concat([frame, known], axis=1)
    ncols = list(known.columns)
    parts = []
    for level, keys in LEVELS:
        for key, label in dims:
            sums = frame.groupby(list(keys) + [key], observed=True, sort=False)[ncols + ocols].sum(min_count=0)
            sums = sums.reset_index().rename(columns={key: "group"})
            n = sums.melt(id_vars=list(keys) + ["group"], value_vars=ncols, var_name="outcome", value_name="n")
            e = sums.melt(id_vars=list(keys) + ["group"], value_vars=ocols, var_name="outcome", value_name="events")
            n["events"] = e["events"].to_numpy()
            n["outcome"] = n["outcome"].str[2:]
            n["level"], n["dimension"] = level, label
            if level == "district":
                n["school"] = None
            parts.append(n)
    table = pd.concat(parts, ignore_index=True)
    table["outcome"] = table["outcome"].map(dict(outs))
    for column in ("school", "year", "group"):
        table[column] = table[column].astype(object)
    table[["level", "school", "year", "dimension", "group", "outcome", "n", "events"]].to_parquet(out, index=False)


# ------------------------------------------------------------------------------------------- polars

def polars_counts(s: dict, file: str, out: str) -> None:
    """polars, lazy: scan the CSV as text, the mapping as expressions, then one group_by per level x
    dimension over all outcomes at once, run together (`collect_all`)."""
    import polars as pl  # noqa: PLC0415

    missing = s["missing"]

    def clean(column):
        v = pl.col(column).str.strip_chars()
        return pl.when(v.is_in(missing)).then(None).otherwise(v)

    def number(column):
        return clean(column).str.replace_all("%", "", literal=True).str.replace_all(",", "", literal=True) \
            .cast(pl.Float64, strict=False)

    ident, name = s["school"], s["school_name"]
    if ident and name:
        school = (pl.concat_str([clean(name), pl.lit(" ("), clean(ident), pl.lit(")")])
                  if s["school_label"] == "name_id" else pl.coalesce(clean(name), clean(ident)))
    else:
        school = clean(ident or name) if (ident or name) else pl.lit(None, pl.String)
    exprs = [school.alias("school"), (clean(s["year"]) if s["year"] else pl.lit(None, pl.String)).alias("year")]
    for i, d in enumerate(s["dimensions"]):
        exprs.append(clean(d["column"]).replace_strict(d["codes"], default=None, return_dtype=pl.String).alias(f"d{i}"))
    for j, o in enumerate(s["outcomes"]):
        if o["kind"] == "binary":
            v = clean(o["column"])
            value = pl.when(v.is_null()).then(None).when(v.is_in(o["yes"])).then(1.0).otherwise(0.0)
        else:
            value = number(o["column"])
            if o["per"]:
                per = number(o["per"])
                value = value / pl.when(per == 0).then(None).otherwise(per)
            if o["cut"] is not None:
                event = value < o["cut"] if o["cut_below"] else value >= o["cut"]
                value = pl.when(value.is_null()).then(None).otherwise(event.cast(pl.Float64))
        exprs.append(value.alias(f"o{j}"))
    frame = pl.scan_csv(file, infer_schema=False).select(exprs).collect().lazy()
    labels = {f"o{j}": o["label"] for j, o in enumerate(s["outcomes"])}
    aggs = [a for k in labels for a in (pl.col(k).count().alias(f"n|{k}"), pl.col(k).sum().alias(f"e|{k}"))]
    queries, names = [], []
    for level, keys in LEVELS:
        for i, d in enumerate(s["dimensions"]):
            queries.append(frame.filter(pl.col(f"d{i}").is_not_null()).group_by([*keys, f"d{i}"]).agg(aggs)
                           .rename({f"d{i}": "group"}))
            names.append((level, d["label"]))
    parts = []
    for (level, label), cells in zip(names, pl.collect_all(queries)):
        keys = [pl.col("school") if level == "school" else pl.lit(None, pl.String).alias("school"),
                pl.col("year"), pl.col("group")]
        parts += [cells.select(pl.lit(level).alias("level"), *keys, pl.lit(label).alias("dimension"),
                               pl.lit(outcome).alias("outcome"), pl.col(f"n|{k}").cast(pl.Int64).alias("n"),
                               pl.col(f"e|{k}").cast(pl.Float64).alias("events"))
                  for k, outcome in labels.items()]
    table = pl.concat(parts).select("level", "school", "year", "dimension", "group", "outcome", "n", "events")
    table.write_parquet(out)


PEERS = {"duckdb": duckdb_counts, "pandas": pandas_counts, "polars": polars_counts}


if __name__ == "__main__":
    started = time.perf_counter()
    if sys.argv[1] == "read":
        read(sys.argv[2])
    else:
        with open(sys.argv[2], encoding="utf-8") as fh:
            mapping = json.load(fh)
        PEERS[sys.argv[1]](mapping, sys.argv[3], sys.argv[4])
    print(json.dumps({"seconds": time.perf_counter() - started}))
