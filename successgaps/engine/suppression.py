"""Suppression: which rows of the gap table are hidden, and what a hidden row still shows.

- `primary`: why a row is hidden by itself: the source file suppressed it (PS) or gives no n or
  rate, or the group or its comparison is below the minimum sizes (codes into `reasons`).
- `hide`: blank every figure of a suppressed row except n and comparison_n.
- `complementary_suppression`: hide a second cell wherever exactly one cell of a set that adds up
  to a shown total is hidden; `for_export` applies it to any table that leaves the engine.

The rules are stated in `engine.screen`'s docstring and in the README's Formulas section.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cells import SUPPRESSED
from .columns import strings

HIDDEN_WHEN_SUPPRESSED = [
    "events", "rate", "rate_low", "rate_high", "mean", "comparison_rate", "comparison_mean",
    "difference", "risk_ratio", "effect_size", "ci_low", "ci_high", "p_value", "difference_low",
    "difference_high", "comparison_rate_low", "comparison_rate_high", "share_of_events",
    "share_of_students",
]

COMPLEMENTARY = "hidden so that a small group cannot be worked out from the total (complementary suppression)"


def reasons(min_n: int, min_cell: int) -> np.ndarray:
    """Why a row is hidden, by code: 0 shown; 1-5 the group fails a test; 6-10 its comparison does."""
    return np.array([  # code 0: shown; 1-5: the group; 6-10: the comparison
        "", "suppressed in the source file (PS)", "the file does not give the number of students in this group",
        f"fewer than {min_n} students in the group", "the source file gives no rate for this group",
        f"fewer than {min_cell} students in the group with the outcome",
        "comparison group suppressed in the source file (PS)", "the comparison group's size is unknown",
        f"fewer than {min_n} students in the comparison group", "the source file gives no rate for the comparison group",
        f"fewer than {min_cell} students with the outcome in the comparison group"], object)


def primary(min_n: int, min_cell: int, *, flag, n, events, low, comparison_flag, comparison_n, comparison_events,
            comparison_low, numeric, benchmark) -> tuple[np.ndarray, np.ndarray]:
    """(group code, comparison code) per row, codes into `reasons` (0: the test passes).

    A group is hidden when the source suppressed it, gives no n or no rate, or it has fewer than
    `min_n` students or (yes/no outcomes) fewer than `min_cell` with the outcome (for a range, its
    low end); its comparison by the same tests, unless it is a benchmark rate (`benchmark`: no size).
    """
    events_low = np.where(np.isfinite(events), events, n * low)
    c_events_low = np.where(np.isfinite(comparison_events), comparison_events, comparison_n * comparison_low)
    group_reason = np.select(
        [flag == SUPPRESSED, ~np.isfinite(n), n < min_n, ~numeric & ~np.isfinite(low),
         ~numeric & ~(events_low >= min_cell)], [1, 2, 3, 4, 5], 0)
    comp_reason = np.select(
        [benchmark, comparison_flag == SUPPRESSED, ~np.isfinite(comparison_n), comparison_n < min_n,
         comparison_n <= 0, ~numeric & ~np.isfinite(comparison_low), ~numeric & ~(c_events_low >= min_cell)],
        [0, 6, 7, 8, 0, 9, 10], 0)
    return group_reason, comp_reason


def hide(df: pd.DataFrame, copy: bool = True) -> pd.DataFrame:
    """Blank every figure of a suppressed row except n and comparison_n; counts as nullable integers."""
    df = df.copy(deep=False) if copy else df  # copy-on-write: the caller's frame is never changed
    hidden = df["suppressed"].to_numpy(bool)
    for col in HIDDEN_WHEN_SUPPRESSED:
        if col in df:
            df[col] = np.where(hidden, np.nan, df[col].to_numpy(dtype=float, na_value=np.nan))
    for col in ("n", "events", "comparison_n"):
        df[col] = pd.array(np.round(df[col].to_numpy(dtype=float, na_value=np.nan)), dtype="Int64")
    return df


def complementary_suppression(df: pd.DataFrame) -> pd.DataFrame:
    """Hide a second cell wherever exactly one cell of a set that adds up to a shown total is hidden.

    Sets: (1) the groups of one dimension at one level, school, year and outcome (the all-students
    total can be read from any row: n + comparison_n); (2) one group's school rows with its district
    row (the district is the sum of its schools). In a set with exactly one hidden row, the shown
    row with the fewest students is hidden too; repeated until nothing changes. A hidden row with
    no students (n = 0) protects nothing — its n is shown, so it is known to add nothing — and is
    not counted as a hidden cell.
    """
    df = df.copy(deep=False)  # copy-on-write: the caller's frame is never changed
    hidden = df["suppressed"].to_numpy(bool).copy()
    size = df["n"].to_numpy(dtype=float, na_value=np.inf)
    protects = size > 0
    sets = [_set_key(df, ["level", "school", "year", "dimension", "outcome"]),
            _set_key(df, ["year", "dimension", "group", "outcome"])]
    for _ in range(50):
        changed = False
        for key in sets:
            count = np.bincount(key, weights=hidden & protects, minlength=key.max() + 1 if len(key) else 0)
            candidates = np.flatnonzero((count[key] == 1) & ~hidden)
            if not len(candidates):
                continue
            # per set, the shown row with the fewest students; ties: the first in table order
            ordered = candidates[np.lexsort((candidates, size[candidates], key[candidates]))]
            first = np.r_[True, key[ordered][1:] != key[ordered][:-1]]
            hidden[ordered[first]] = True
            changed = True
        if not changed:
            break
    added = hidden & ~df["suppressed"].to_numpy(bool)
    df["suppressed"] = hidden
    codes, reasons = pd.factorize(df["suppression_reason"], use_na_sentinel=False)
    df["suppression_reason"] = strings(np.append(np.asarray(reasons, object), COMPLEMENTARY),
                                        np.where(added, len(reasons), codes))
    out = hide(df, copy=False)
    out.attrs["complementary_suppression"] = True
    return out


def _set_key(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A dense integer per distinct combination of `columns` (0, 1, 2, ...)."""
    key = np.zeros(len(df), np.int64)
    for column in columns:
        codes, uniques = pd.factorize(df[column])
        key = pd.factorize(key * (len(uniques) + 1) + codes + 1)[0]
    return key


def for_export(df: pd.DataFrame) -> pd.DataFrame:
    """The table as any export must show it: complementary suppression applied, hidden figures blank.
    A table that `screen` already protected (or a part of one) is returned as it is."""
    return df if df.attrs.get("complementary_suppression") else complementary_suppression(df)
