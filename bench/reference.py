"""The gap table the way a careful analyst would compute it in plain pandas.

An independent cross-check of `successgaps.engine.screen` (and a fair yardstick for its speed):
one pandas groupby per level, dimension and outcome, nothing shared with the engine but the
mapping the team confirmed (`models.DataSet`) and the minimum sizes (`models.GapSettings`).

`canonical(raw, dataset)` applies the mapping to the file as read by `pandas.read_csv(dtype=str)`:
school, year, one column per group dimension (its label, or missing when the code is blank or
unmapped) and one per outcome (0/1 for binary, the value for numeric, missing when unknown).
Combined groups (`DataSet.combined`) are not computed.

`gap_table(frame, dimensions, outcomes, min_n, min_cell)` then, for every level (district: per year;
school: per school and year), dimension, group and outcome, counts only students whose outcome
is known:

    n, events              students in the group; those with the outcome (binary)
    rate                   events / n
    comparison_n, ...      all other students: everyone with a known outcome at the same level,
                           school and year who is not in the group (students whose group is
                           unknown are "other students")
    comparison_rate        comparison_events / comparison_n
    difference             (rate - comparison_rate) * 100, percentage points; numeric outcomes:
                           mean - comparison_mean, in the outcome's units
    risk_ratio             rate / comparison_rate (missing when comparison_rate is 0)
    suppressed             n < min_n or comparison_n < min_n, or (binary) events < min_cell or
                           comparison_events < min_cell (or the same without the outcome); a
                           comparison of no students is not tested (the group is everyone: its
                           figures are the total's); a suppressed row keeps n but no figures

then complementary suppression as `successgaps.engine.suppression` documents it: in every set of rows that adds
up to a shown total — (1) the groups of one dimension at one level, school, year and outcome;
(2) one group's school rows and its district row, per year and outcome — holding exactly one
hidden row (a hidden row with n = 0 does not count: it protects nothing), the shown row with the
fewest students is hidden too (ties: the first in table order: level, school, year, dimension,
group, outcome); repeated until nothing changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from successgaps.data.codes import MISSING
from successgaps.data.prepared import Dimension, Outcome

FIGURES = ("rate", "mean", "comparison_rate", "comparison_mean", "difference", "risk_ratio")
COMPLEMENTARY = "complementary"


def gap_table(frame: pd.DataFrame, dimensions, outcomes, min_n: int = 30, min_cell: int = 10,
              complementary: bool = True) -> pd.DataFrame:
    """The gap table of a canonical frame (columns school, year, each dimension.key, each outcome.key)."""
    parts = []
    for level, keys in (("district", ["year"]), ("school", ["school", "year"])):
        for outcome in outcomes:
            known = frame[frame[outcome.key].notna()]
            totals = known.groupby(keys, dropna=False)[outcome.key].agg(total_n="count", total_sum="sum")
            for dimension in dimensions:
                cells = known.groupby(keys + [dimension.key], dropna=True)[outcome.key].agg(n="count", s="sum")
                cells = cells.reset_index().merge(totals.reset_index(), on=keys, how="left")
                cells = cells.rename(columns={dimension.key: "group"})
                cells["level"], cells["dimension"], cells["outcome"] = level, dimension.label, outcome.label
                if level == "district":
                    cells["school"] = None
                parts.append(_figures(cells, outcome, min_n, min_cell))
    columns = ["level", "school", "year", "dimension", "group", "outcome", "n", "events", "rate", "mean",
               "comparison_n", "comparison_rate", "comparison_mean", "difference", "risk_ratio",
               "suppressed", "suppression_reason"]
    table = pd.concat(parts, ignore_index=True)[columns]
    dimension_order = {d.label: i for i, d in enumerate(dimensions)}
    outcome_order = {o.label: i for i, o in enumerate(outcomes)}
    table = table.assign(_d=table["dimension"].map(dimension_order), _o=table["outcome"].map(outcome_order),
                         _s=table["school"].fillna(""))
    table = table.sort_values(["level", "_s", "year", "_d", "group", "_o"]).drop(columns=["_d", "_o", "_s"])
    table = table.reset_index(drop=True)
    return _complementary(table) if complementary else table


def _complementary(table: pd.DataFrame) -> pd.DataFrame:
    hidden = table["suppressed"].copy()
    protects = table["n"] > 0  # a hidden row of no students is known to add nothing: it protects nothing
    sets = [table.groupby(["level", "school", "year", "dimension", "outcome"], dropna=False).ngroup(),
            table.groupby(["year", "dimension", "group", "outcome"], dropna=False).ngroup()]
    while True:
        added = pd.Index([])
        for key in sets:
            hidden_in_set = (hidden & protects).groupby(key).transform("sum")
            candidates = table[(hidden_in_set == 1) & ~hidden]
            smallest = candidates["n"].groupby(key[candidates.index]).idxmin()  # first of the smallest
            hidden[smallest.to_numpy()] = True
            added = added.append(pd.Index(smallest.to_numpy()))
        if added.empty:
            break
        table.loc[added, "suppression_reason"] = COMPLEMENTARY
    table["suppressed"] = hidden
    for column in FIGURES + ("events",):
        table[column] = table[column].where(~hidden)
    return table


def _figures(cells: pd.DataFrame, outcome: Outcome, min_n: int, min_cell: int) -> pd.DataFrame:
    n, s = cells["n"].astype("int64"), cells["s"].astype("float64")
    other_n = cells["total_n"].astype("int64") - n
    other_s = cells["total_sum"].astype("float64") - s
    cells["n"], cells["comparison_n"] = n, other_n
    with np.errstate(divide="ignore", invalid="ignore"):
        value, other = s / n, other_s / other_n.where(other_n > 0)
    reason = pd.Series("", index=cells.index, dtype=object)
    if outcome.kind == "binary":
        cells["events"] = s.round().astype("int64")
        cells["rate"], cells["comparison_rate"] = value, other
        cells["mean"] = cells["comparison_mean"] = np.nan
        cells["difference"] = (value - other) * 100
        cells["risk_ratio"] = value / other.where(other > 0)
        reason = reason.mask((other_s.round() < min_cell) & (other_n > 0) & (reason == ""), "comparison cell below minimum")
        reason = reason.mask((cells["events"] < min_cell) & (reason == ""), "cell below minimum")
        # the cell size on both sides: students without the outcome too (37 of 40 tell that 3 did not)
        reason = reason.mask(((other_n - other_s.round()) < min_cell) & (other_n > 0) & (reason == ""),
                             "comparison cell below minimum")
        reason = reason.mask(((n - cells["events"]) < min_cell) & (reason == ""), "cell below minimum")
    else:
        cells["events"] = np.nan
        cells["mean"], cells["comparison_mean"] = value, other
        cells["rate"] = cells["comparison_rate"] = cells["risk_ratio"] = np.nan
        cells["difference"] = value - other
    reason = reason.mask((other_n < min_n) & (other_n > 0), "comparison below minimum n")  # none: nothing to compare
    reason = reason.mask(n < min_n, "group below minimum n")
    cells["suppressed"] = reason != ""
    cells["suppression_reason"] = reason.where(cells["suppressed"], None)
    for column in FIGURES + ("events",):
        cells[column] = cells[column].where(~cells["suppressed"])
    return cells


def canonical(raw: pd.DataFrame, dataset) -> tuple[pd.DataFrame, list[Dimension], list[Outcome]]:
    """Apply a confirmed mapping (`models.DataSet`, student layout) to a file read with
    `read_csv(dtype="string", keep_default_na=False)`, with the semantics `data.views.prepare` documents:
    values are trimmed and a blank or a missing-value mark (`data.codes.MISSING`: ".", "NA", ...) is
    missing; a group code the mapping does not label is unknown; a binary outcome is 1 for a "yes" value, 0 for any other value, missing when blank; a numeric
    outcome is the number (divided by its `per` column when set), turned into 0/1 by its cut."""
    def value(column):
        values = raw[column].str.strip()
        return values.mask(values.isin(MISSING))

    def number(column):
        return pd.to_numeric(value(column).str.replace("%", "").str.replace(",", ""), errors="coerce").astype("float64")

    role = {c.role: c.column for c in reversed(dataset.columns)}
    frame = pd.DataFrame(index=raw.index)
    ident, name = role.get("school"), role.get("school_name")
    if ident and name and dataset.options.get("school_label") == "name_id":
        frame["school"] = value(name) + " (" + value(ident) + ")"
    else:
        frame["school"] = value(name).fillna(value(ident)) if ident and name else value(ident or name) if (ident or name) else None
    frame["year"] = value(role["year"]) if "year" in role else (dataset.files[0].year or None)
    dimensions, outcomes = [], []
    for column in dataset.columns:
        label = column.label or column.column
        if column.role == "group":
            labelled = {k: v.strip() for k, v in column.codes.items() if v and v.strip()}
            frame["d_" + column.column] = value(column.column).map(labelled)
            dimensions.append(Dimension("d_" + column.column, label))
        elif column.role == "outcome":
            if column.kind == "binary":
                present = value(column.column)
                outcome = present.isin(column.yes_values).astype("float64").where(present.notna())
            else:
                outcome = number(column.column)
                if getattr(column, "per", ""):
                    outcome = outcome / number(column.per).replace(0, np.nan)
                if column.cut is not None:
                    event = outcome < column.cut if column.cut_below else outcome >= column.cut
                    outcome = event.astype("float64").where(outcome.notna())
            kind = "binary" if column.kind == "binary" or column.cut is not None else "numeric"
            frame["o_" + column.column] = outcome
            outcomes.append(Outcome("o_" + column.column, label, kind, column.higher_is_better))
    return frame, dimensions, outcomes


KEYS = ["level", "school", "year", "dimension", "group", "outcome"]
COUNTS = ("n", "events", "comparison_n")
TOLERANCE = 1e-9
CHECKS = ("rows", "suppression", "figures", "privacy")  # complementary suppression: tests/test_privacy_audit.py


def _primary(table: pd.DataFrame) -> pd.Series:
    """Suppressed for the group's own size or its comparison's, not as a complementary cell."""
    reason = table["suppression_reason"].astype("string").fillna("").str.lower()
    return table["suppressed"].astype(bool) & ~reason.str.contains("complementary") & ~reason.str.startswith("hidden so that")


def compare(engine: pd.DataFrame, reference: pd.DataFrame) -> dict[str, list[str]]:
    """Every place where the engine's table and the reference's differ, one sentence each, by check:
    rows (the same cells; the engine's rows of groups with no student with a known outcome, n = 0,
    are left aside), suppression (the same rows below the minimum sizes), figures (every count and
    figure of rows both show), privacy (no figure on a suppressed row). The engine's complementary
    suppression (certificates against an attacker) is checked by tests/test_privacy_audit.py, not here."""
    engine = engine[engine["n"].fillna(0) > 0].copy()
    reference = reference.copy()
    for table in (engine, reference):
        for key in KEYS:
            table[key] = table[key].astype("string").fillna("")
        table["primary"] = _primary(table)
    merged = engine.merge(reference, on=KEYS, how="outer", suffixes=("_engine", "_reference"), indicator=True)
    problems = {check: [] for check in CHECKS}
    for side, name in (("left_only", "only the engine"), ("right_only", "only the reference")):
        rows = merged[merged["_merge"] == side]
        problems["rows"] += [f"{name} has the row {tuple(row)}" for row in rows[KEYS].head(5).itertuples(index=False)]
        if len(rows) > 5:
            problems["rows"].append(f"... and {len(rows) - 5} more rows that {name} has")
    both = merged[merged["_merge"] == "both"]
    where = lambda row: tuple(row[k] for k in KEYS)  # noqa: E731
    for check, column in (("suppression", "primary"),):
        a, b = both[f"{column}_engine"].astype(bool), both[f"{column}_reference"].astype(bool)
        for _, row in both[a != b].head(20).iterrows():
            problems[check].append(f"{check}: engine {row[f'{column}_engine']} vs reference "
                                   f"{row[f'{column}_reference']} at {where(row)}")
        if (a != b).sum() > 20:
            problems[check].append(f"{check}: ... {(a != b).sum() - 20} more rows differ")
    shown = both[~both["suppressed_engine"].astype(bool) & ~both["suppressed_reference"].astype(bool)]
    for column in COUNTS + FIGURES:
        a = pd.to_numeric(shown[f"{column}_engine"], errors="coerce").astype("float64")
        b = pd.to_numeric(shown[f"{column}_reference"], errors="coerce").astype("float64")
        same = (a.isna() & b.isna()) | ((a - b).abs() <= TOLERANCE * np.maximum(1, b.abs()))
        for index in shown.index[~same][:5]:
            problems["figures"].append(f"{column}: engine {a[index]!r} vs reference {b[index]!r} at {where(shown.loc[index])}")
        if (~same).sum() > 5:
            problems["figures"].append(f"{column}: ... {(~same).sum() - 5} more differences")
    hidden = engine[engine["suppressed"].astype(bool)]
    problems["privacy"] = [f"the engine shows {c} on {int(hidden[c].notna().sum())} suppressed rows"
                           for c in FIGURES + ("events",) if hidden[c].notna().any()]
    return problems
