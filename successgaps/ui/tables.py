"""The one way a table reaches the screen: figures formatted for people, a short set of columns first.

Every page draws its tables with `show(df, key=...)` (any table) or `show_gaps(rows, key=...)` (rows of
the gap engine). Before drawing, `for_people` turns every cell into text a person reads without
thinking: blanks stay blank ("—", never `None`, `nan` or `NaT`), yes/no for true/false, thousands
separators, a real minus sign, dates as "Mar 3, 2026". Gap rows get one "group's figure" and one
"comparison's figure" column (86% for a rate, 690 for a scale score, 85–89% only when the source gave a
range), the signed gap with its unit ("−13 points"), and "p < 0.001" rather than 0.

A table with more columns than the question needs shows its short `columns` first, with a
"More columns" toggle for the rest. In presentation mode tables are static (HTML, large type, read
by screen readers); otherwise they are interactive data grids, whose text is also in the page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import partial

import pandas as pd
import streamlit as st

from ..engine.statements import average_text, gap_points, rate_ends, rounded, year_phrase, years_written
from .mode import presenting as _presenting

BLANK = "—"
MINUS = "\u2212"


# ---------------------------------------------------------------- one value


_MISSING_TEXT = frozenset({"", "none", "nan", "nat", "<na>"})


def missing(value) -> bool:
    """None, NaN, NaT, pandas NA or an empty / "None" / "nan" string."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value.strip().lower() in _MISSING_TEXT
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _signed(text: str, value: float, sign: bool) -> str:
    if value < 0:
        return MINUS + text.lstrip("-")
    return ("+" + text) if sign and value > 0 else text


def number(value, decimals: int | None = None, *, sign: bool = False) -> str:
    """1234 -> "1,234"; 3.456 -> "3.5"; 690.2 -> "690"; -13 -> "−13" (a real minus); blank -> "—".

    Without `decimals`: whole numbers for 100 and more, one decimal below (trailing zero dropped). With
    `decimals`, every figure has them ("−40.0 to −33.2"): a column's figures line up, as the sentences'."""
    if missing(value):
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    if decimals is None:
        decimals = 0 if abs(value) >= 100 or value == int(value) else 1
        text = f"{rounded(value, decimals):,.{decimals}f}".removesuffix(".0")  # half up, as the sentences
    else:
        text = f"{rounded(value, decimals):,.{decimals}f}"
    if not text.strip("-0.,"):  # -0.04 rounds to 0: no sign
        text, value = text.lstrip("-"), 0.0
    return _signed(text, value, sign)


def percent(proportion, decimals: int = 0) -> str:
    """0.8642 -> "86%"; blank -> "—"."""
    if missing(proportion):
        return BLANK
    return number(float(proportion) * 100, decimals) + "%"


def percent_range(low, high) -> str:
    """A rate given as a range (85-89, GE95): "85–89%"; an exact rate (low == high once rounded): "86%"."""
    if missing(low) and missing(high):
        return BLANK
    if missing(low) or missing(high):
        return percent(high if missing(low) else low)
    a, b = rate_ends(float(low), float(high))  # as the sentence writes them (92 read as 91.5-92.5%: "92%")
    return f"{a}%" if a == b else f"{a}–{b}%"


def p_value(p) -> str:
    """0.0000 -> "p < 0.001"; 0.0312 -> "0.031"; blank -> "—"."""
    if missing(p):
        return BLANK
    p = float(p)
    if p < 0.001:
        return "p < 0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def date(value) -> str:
    if missing(value):
        return BLANK
    if isinstance(value, str):
        return value
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        value = value.date() if not (value.hour or value.minute) else value
    if isinstance(value, dt.datetime):
        return f"{value:%b %-d, %Y %H:%M}"
    return f"{value:%b %-d, %Y}"


def text(value) -> str:
    """Any cell as text: blanks "—", booleans "yes"/"no", numbers and dates formatted for people."""
    if missing(value):
        return BLANK
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, (int, float)) or (hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0):
        try:
            return number(value)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return date(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(text(v) for v in value) or BLANK
    return str(value)


def for_people(df: pd.DataFrame, formats: dict | None = None) -> pd.DataFrame:
    """Every cell as text for people; `formats` maps a column to a formatter (`percent`, `p_value`, ...)."""
    formats = formats or {}
    out = pd.DataFrame(index=df.index)
    for column in df.columns:
        fmt = formats.get(column, text)
        values = df[column].tolist()
        if fmt is text and all(type(v) is str and v.strip().lower() not in _MISSING_TEXT for v in values):
            out[str(column)] = values  # text already (e.g. `gap_rows`): as it is
        else:
            out[str(column)] = [fmt(v) for v in values]
    return out.reset_index(drop=True).astype(str)


# ---------------------------------------------------------------- gap rows

GAP_SHORT = ["Group", "Outcome", "Gap (group − comparison)", "Beyond the threshold", "Years in a row", "Group's figure",
             "Comparison's figure", "Students (n)"]  # the gap and the answer first: seen beside the open sidebar
GAP_MORE = ["Dimension", "School", "Year", "Compared with", "Comparison students (n)", "Risk ratio",
            "95% interval of the gap", "p-value", "Share of students", "Share with the outcome", "Why hidden",
            "Years beyond", "Risk ratio against", "Alternate risk ratio", "Weighted risk ratio", "Composition",
            "Comparison composition", "Relative difference in composition"]
HELP_KEYS = {"Group's figure": "rate", "Comparison's figure": "comparison_rate", "Gap (group − comparison)": "difference",
             "Beyond the threshold": "flagged", "Years in a row": "years_flagged", "Students (n)": "n",
             "Risk ratio": "risk_ratio", "95% interval of the gap": "ci_low", "p-value": "p_value",
             "Share of students": "share_of_students", "Share with the outcome": "share_of_events",
             "Comparison students (n)": "comparison_n", "Years beyond": "years_flagged",
             "Risk ratio against": "risk_ratio_comparison", "Alternate risk ratio": "alternate_risk_ratio",
             "Weighted risk ratio": "weighted_risk_ratio", "Composition": "composition",
             "Comparison composition": "comparison_composition",
             "Relative difference in composition": "composition_difference"}


def _years_text(value) -> str:
    """`text` of a sentence or list that names school years, each written as the year filter writes it."""
    return text(None if missing(value) else years_written(str(value)))


def _unit(outcome: str) -> str:
    return " points" if re.search(r"score", outcome or "", re.I) else ""


def _is_rate(row) -> bool:
    return row.get("kind") != "numeric" and missing(row.get("mean"))


def gap_figure(row, prefix: str = "") -> str:
    """The group's (or, with prefix "comparison_", its comparison's) figure: "86%", "85–89%", "690"."""
    if _is_rate(row):
        low, high = row.get(f"{prefix}rate_low"), row.get(f"{prefix}rate_high")
        if missing(low) and missing(high):
            return percent(row.get(f"{prefix}rate"))
        return percent_range(low, high)
    mean = row.get(f"{prefix}mean")
    return BLANK if missing(mean) else average_text(float(mean))


def gap_amount(row) -> str:
    """The signed gap with its unit: "−13 points", "+4 points", "−25.3", or a range "−14 to −9 points". A rate's
    gap in whole points, an average's with one decimal ("−39.0 points"), each as its sentence writes it."""
    diff = row.get("difference")
    if missing(diff):
        return BLANK
    if _is_rate(row):  # whole points; a range by the sentence's ends, the least and the most (as the heatmaps)
        low, high = gap_points(row)
        return (f"{number(low, 0, sign=True)} to {number(high, 0, sign=True)} points" if low != high
                else f"{number(low, 0, sign=True)} points")
    return number(diff, 1, sign=True) + _unit(str(row.get("outcome", "")))


def gap_interval(row) -> str:
    low, high = row.get("ci_low"), row.get("ci_high")
    if missing(low) or missing(high):
        return BLANK
    unit = " points" if _is_rate(row) else _unit(str(row.get("outcome", "")))
    return f"{number(low, 1, sign=True)} to {number(high, 1, sign=True)}{unit}"


def _flagged(row) -> str:
    flagged, open_ = row.get("flagged"), row.get("left_open")
    return (BLANK if missing(flagged) else "yes" if bool(flagged) else
            "open (ranges)" if not missing(open_) and bool(open_) else "no")


# heading -> the text of a row (`hidden`: the row's figures are hidden), for `gap_rows`
GAP_CELLS = {
    "Group": lambda row, hidden: text(row.get("group")), "Outcome": lambda row, hidden: text(row.get("outcome")),
    "Group's figure": lambda row, hidden: BLANK if hidden else gap_figure(row),
    "Comparison's figure": lambda row, hidden: BLANK if hidden else gap_figure(row, "comparison_"),
    "Gap (group − comparison)": lambda row, hidden: BLANK if hidden else gap_amount(row),
    "Beyond the threshold": lambda row, hidden: _flagged(row),
    "Years in a row": lambda row, hidden: (BLANK if missing(row.get("years_flagged"))
                                           else number(row.get("years_flagged"), 0)),
    "Students (n)": lambda row, hidden: number(row.get("n"), 0),
    "Dimension": lambda row, hidden: text(row.get("dimension")), "School": lambda row, hidden: text(row.get("school")),
    "Year": lambda row, hidden: text(year_phrase(row.get("year")) or None),
    "Compared with": lambda row, hidden: text(row.get("comparison")),
    "Comparison students (n)": lambda row, hidden: number(row.get("comparison_n"), 0),
    "Risk ratio": lambda row, hidden: number(row.get("risk_ratio"), 2),
    "95% interval of the gap": lambda row, hidden: gap_interval(row),
    "p-value": lambda row, hidden: p_value(row.get("p_value")),
    "Share of students": lambda row, hidden: percent(row.get("share_of_students")),
    "Share with the outcome": lambda row, hidden: percent(row.get("share_of_events")),
    "Why hidden": lambda row, hidden: _years_text(row.get("suppression_reason")),
    "Years beyond": lambda row, hidden: _years_text(row.get("flagged_years")),
    "Risk ratio against": lambda row, hidden: text(row.get("risk_ratio_comparison")),
    "Alternate risk ratio": lambda row, hidden: number(row.get("alternate_risk_ratio"), 2),
    "Weighted risk ratio": lambda row, hidden: number(row.get("weighted_risk_ratio"), 2),
    "Composition": lambda row, hidden: percent(row.get("composition")),
    "Comparison composition": lambda row, hidden: percent(row.get("comparison_composition")),
    "Relative difference in composition": lambda row, hidden: (
        BLANK if missing(row.get("composition_difference"))
        else number(float(row.get("composition_difference")) * 100, 0, sign=True) + "%"),
}
# a heading shown only when the rows have its column
GAP_NEEDS = {"School": "school", "Year": "year", "Why hidden": "suppression_reason",
             "Comparison students (n)": "comparison_n", "Share of students": "share_of_students",
             "Share with the outcome": "share_of_events", "Beyond the threshold": "flagged",
             "Years in a row": "years_flagged", "Years beyond": "flagged_years",
             "Risk ratio against": "risk_ratio_comparison", "Alternate risk ratio": "alternate_risk_ratio",
             "Weighted risk ratio": "weighted_risk_ratio", "Composition": "composition",
             "Comparison composition": "comparison_composition",
             "Relative difference in composition": "composition_difference"}


def gap_rows(rows: pd.DataFrame, written=None) -> pd.DataFrame:
    """Rows of the gap engine (`gaps.screen`, `gaps.gap_screen`) as a table for people, every column
    of `GAP_SHORT` and `GAP_MORE` (those the rows have). `written`: the headings whose text is written (the
    others are left empty, for a table that does not draw them: a few hundred rows' text takes time)."""
    headings = [h for h in GAP_SHORT + GAP_MORE if h not in GAP_NEEDS or GAP_NEEDS[h] in rows.columns]
    cells = [(h, GAP_CELLS[h]) for h in headings if written is None or h in written]
    records = []
    lists: dict = {}  # a column's values as Python objects (as `to_dict` gives them), made when a cell first reads it
    for row in map(partial(_Row, rows, lists), range(len(rows))):
        hidden = bool(row.get("suppressed")) or not missing(row.get("suppression_reason"))
        records.append({h: cell(row, hidden) for h, cell in cells})
    return pd.DataFrame(records, columns=headings).fillna("")


class _Row:
    """Row i of a frame as `gap_rows`' cells read it (`get`, as a `to_dict` record), its columns turned into Python
    objects only when a cell reads them: a few hundred rows of a gap table's 45 columns, of which a short table
    reads about 15 (a million records, the whole file's two tables of one year: 0.015 → 0.008 CPU s)."""

    __slots__ = ("frame", "lists", "i")

    def __init__(self, frame: pd.DataFrame, lists: dict, i: int):
        self.frame, self.lists, self.i = frame, lists, i

    def get(self, column: str, default=None):
        values = self.lists.get(column)
        if values is None:
            values = self.lists[column] = self.frame[column].tolist() if column in self.frame else ()
        return values[self.i] if values else default


# ---------------------------------------------------------------- drawing




WRAPPED_ROW = 78  # px: three lines of a wrapped column (the grid wraps text only in rows over 4 rem: 72 px at
# the theme's base font size of 18 px, .streamlit/config.toml)
WRAPPED_WIDTH = 340  # px: beside two 200 px columns, within the 760 px of the page at 1280 with the sidebar open
# (the grid stretches its columns into a wider page)


def show(df: pd.DataFrame, *, key: str, columns: list[str] | None = None, formats: dict | None = None,
         help: dict | None = None, height: int | None = None, more: bool = True, static: bool = False,
         numbers: dict[str, str] | None = None, wrap: str | None = None) -> None:
    """Draw a table for people. `columns`: the short default set (the rest behind "More columns");
    `formats`: per-column formatters; `help`: column heading -> hover help; `static`: a short summary
    drawn as a plain HTML table (always, not only when presenting); `numbers`: columns kept as numbers,
    with their printf format ("%.2f"), so clicking their heading sorts them by value (a blank stays empty);
    `wrap`: a column of sentences (its heading), drawn wide and wrapped over up to three lines, read whole."""
    if df.empty:
        st.caption("Nothing to show yet.")
        return
    if columns is not None:  # only the columns drawn are written out for people
        columns = [c for c in columns if c in df.columns]
        extra = [c for c in df.columns if c not in columns]
        if extra and more and not _presenting():
            if st.toggle("More columns", key=f"{key}_more", help="Show " + ", ".join(map(str, extra)) + ".",
                         persist_state="page"):  # kept while its tab is closed
                columns = columns + extra
        df = df[columns]
    # a number column with a blank would show "None" in the grid: such a column is written out as text
    numbers = {c: f for c, f in (numbers or {}).items() if c in df.columns and not _presenting()
               and pd.to_numeric(df[c], errors="coerce").notna().all()}
    table = for_people(df.drop(columns=list(numbers)), formats)
    for column in [c for c in df.columns if c in numbers]:  # left to right: each lands at its own place
        table.insert(list(df.columns).index(column), column, pd.to_numeric(df[column], errors="coerce").to_numpy())
    if static or _presenting():
        st.table(table, hide_index=True, border="horizontal")
        return
    config = {c: st.column_config.TextColumn(help=h) for c, h in (help or {}).items() if c in table.columns}
    config.update({c: st.column_config.NumberColumn(format=f) for c, f in numbers.items() if c in table.columns})
    wrapped = wrap in table.columns
    if wrapped:  # every text column wraps in its width
        for column in [c for c in table.columns if c not in numbers]:
            config[column] = st.column_config.TextColumn(width=WRAPPED_WIDTH if column == wrap else "medium",
                                                         help=(help or {}).get(column))
    st.dataframe(table, hide_index=True, width="stretch", key=key, column_config=config or None,
                 height=height or "auto", row_height=WRAPPED_ROW if wrapped else None)


def gap_short(years: int) -> list[str]:
    """`GAP_SHORT` for a data set of `years` years: of one year, without "Years in a row" (it would only repeat
    "Beyond the threshold", and the figures after it would scroll out of sight beside the open sidebar); the
    column stays under "More columns"."""
    return GAP_SHORT if years > 1 else [c for c in GAP_SHORT if c != "Years in a row"]


def show_gaps(rows: pd.DataFrame, *, key: str, columns: list[str] | None = None, wrap: str | None = None) -> None:
    """Draw rows of the gap engine: `GAP_SHORT` first (or `columns`), the rest behind "More columns"; `wrap`: as
    `show`'s."""
    from .guidance import metric_help  # noqa: PLC0415

    columns = columns or GAP_SHORT
    # only the columns drawn are written: the rest too once "More columns" is on (as `show` draws it)
    everything = st.session_state.get(f"{key}_more") and not _presenting()
    table = gap_rows(rows, None if everything else columns)
    help_text = {}
    for heading, term in HELP_KEYS.items():
        try:
            help_text[heading] = metric_help(term)
        except KeyError:
            continue
    show(table, key=key, columns=columns, help=help_text, wrap=wrap)
