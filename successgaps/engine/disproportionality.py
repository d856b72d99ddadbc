"""Disproportionality the way 34 CFR 300.647 and the IDEA Data Center's calculators compute it.

The gap table's columns `risk_ratio_comparison`, `alternate_risk_ratio`, `weighted_risk_ratio`,
`composition`, `comparison_composition` and `composition_difference` (formulas in `engine.screen`'s
docstring and the README), the state's figures behind them (`state_counts`: a state comparison file,
or the state rows of the same file), the weighted risk ratio (computed by the gate, from shown rows
only: `weighted_risk_ratio`), the analysis' category (`category`) and the state mode's list of
districts whose groups exceed the risk-ratio threshold (`state_list`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..data.prepared import Prepared
from ..models import GapSettings
from .cells import gather

KEYS = ["year", "dimension", "group", "outcome"]
BLOCK = ["level", "district", "school", "year", "dimension", "outcome"]  # the groups one weighted ratio adds up

CATEGORIES = ("identification", "placement", "discipline")
_CATEGORY = (
    ("discipline", re.compile(r"suspen|expul|expel|remov|disciplin|incident|\boss\b|\biss\b|restrain|seclu|arrest",
                              re.I)),
    ("placement", re.compile(r"placement|environment|regular class|separate|inside (the )?regular|resource room|"
                             r"residential|homebound|\blre\b", re.I)),
    ("identification", re.compile(r"identif|special education|disabilit|eligib|\biep\b|autism|intellectual|"
                                  r"emotional|learning disab|speech|other health|child find", re.I)),
)


def category(outcome: str) -> str:
    """The rule's category of an outcome, from its label: discipline (suspensions, expulsions, removals,
    incidents), placement (educational environments) or identification (special education or a
    disability category); "other" when the label says none of these."""
    return next((name for name, pattern in _CATEGORY if pattern.search(str(outcome))), "other")


def top_counts(raw: dict, only_state: bool = False) -> pd.DataFrame | None:
    """The whole file's counts per year, dimension, group and outcome (`s_n`, `s_e`) with its all-students
    totals (`s_N`, `s_T`), from `cells.gather`'s columns: the top level's rows ('state' when the file holds
    several districts, else the whole file). `only_state`: None unless the file has state rows."""
    # compared as they are (Arrow strings): no Python string per row
    is_ = lambda c, value: pd.Series(raw[c], copy=False).eq(value).to_numpy(bool, na_value=False)  # noqa: E731
    top = "state" if is_("level", "state").any() else "district"
    if only_state and top != "state":
        return None
    at = np.flatnonzero(is_("level", top) & (is_("district", "") if "district" in raw else True) & is_("school", ""))
    f = lambda c: np.asarray(raw[c], float)[at]  # noqa: E731

    def count(events, size, lo, hi):  # an exact count, else size × the middle of the rate's range
        return np.where(np.isfinite(events), events, size * (lo + hi) / 2)

    out = pd.DataFrame({
        "year": np.asarray(raw["year"], object)[at], "dimension": np.asarray(raw["dimension"], object)[at],
        "group": np.asarray(raw["grp"], object)[at], "outcome": np.asarray(raw["outcome"], object)[at],
        "s_n": f("n"), "s_e": count(f("events"), f("n"), f("lo"), f("hi")),
        "s_N": f("t_n"), "s_T": count(f("t_events"), f("t_n"), f("t_lo"), f("t_hi"))})
    return out.drop_duplicates(KEYS)


def state_counts(con, prepared: Prepared, settings: GapSettings) -> pd.DataFrame:
    """A state comparison file's counts (`top_counts`), under the same settings (population filter too)."""
    return top_counts(gather(con, prepared, settings, by_school=False, by_year=True))


def state_figures(raw: dict, state: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of `raw`: (the state's risk for all other children of the row's comparison, the state's
    proportion of the row's group, the rows those figures may be used on). `state`: a state comparison
    file's `top_counts`; without one, the state rows of the same file (their own rows get none)."""
    rows = len(raw["n"])
    own = state is None
    state = top_counts(raw, only_state=True) if own else state
    if state is None or not len(state):
        nothing = np.full(rows, np.nan)
        return nothing, nothing, np.zeros(rows, bool)
    left = pd.DataFrame({"year": np.asarray(raw["year"], object), "dimension": np.asarray(raw["dimension"], object),
                         "group": np.asarray(raw["grp"], object), "outcome": np.asarray(raw["outcome"], object)})
    for c in KEYS:  # one key type on both sides
        left[c], state = left[c].astype(str), state.assign(**{c: state[c].astype(str)})
    found = left.merge(state, how="left", on=KEYS, sort=False)
    s_n, s_e, s_N, s_T = (found[c].to_numpy(float) for c in ("s_n", "s_e", "s_N", "s_T"))
    with np.errstate(divide="ignore", invalid="ignore"):
        others = np.where(s_N - s_n > 0, (s_T - s_e) / (s_N - s_n), np.nan)
        share = np.where(s_N > 0, s_n / s_N, np.nan)
    usable = np.isfinite(others)
    if own:
        usable &= np.asarray(raw["level"], object) != "state"
    return np.where(usable, others, np.nan), share, usable


def weighted_risk_ratio(df: pd.DataFrame) -> np.ndarray:
    """The IDC calculators' weighted risk ratio of every row, from shown rows only (the gate calls this after
    hiding, so no hidden group's figure enters it):

        WRR_i = R_i / ( Σ_{j≠i} SP_j · R_j / Σ_{j≠i} SP_j )

    R = the place's risk of each group of the dimension, SP = the state's proportion of each group; a group
    hidden at the place (or without a state proportion) is left out of both sums, so with every group shown
    Σ_{j≠i} SP_j = 1 − SP_i, the calculators' denominator."""
    if "_state_share" not in df or not len(df):
        return np.full(len(df), np.nan)
    rate = df["rate"].to_numpy(float, na_value=np.nan)
    share = df["_state_share"].to_numpy(float, na_value=np.nan)
    exact = df["rate_low"].to_numpy(float, na_value=np.nan) == df["rate_high"].to_numpy(float, na_value=np.nan)
    use = np.isfinite(rate) & np.isfinite(share) & exact & ~df["suppressed"].to_numpy(bool)
    if not use.any():  # no state proportion (no state comparison): every ratio is blank, no grouping needed
        return np.full(len(df), np.nan)
    x, w = np.where(use, share * rate, 0.0), np.where(use, share, 0.0)
    block = df.groupby([c for c in BLOCK if c in df], sort=False, dropna=False).ngroup().to_numpy()
    sx, sw = np.bincount(block, x)[block], np.bincount(block, w)[block]
    with np.errstate(divide="ignore", invalid="ignore"):
        others = (sx - x) / (sw - w)
        return np.where(use & (sw - w > 1e-12) & (others > 0), rate / others, np.nan)


def state_list(table: pd.DataFrame, settings: GapSettings, level: str = "district") -> pd.DataFrame:
    """State mode: every district (or school: `level`) group × outcome whose risk ratio (the one the rule
    uses: against all other children, or the alternate against the state) exceeds the threshold in the
    latest year, with the consecutive school years it did (1-3), which years, the reasonable-progress
    test and the category; the longest runs and largest ratios first. `table`: `screen(..., extra=True)`."""
    from .ranking import multi_year_flags  # noqa: PLC0415 - ranking reads the table; this module builds it

    rule = settings.model_copy(update={"point_gap_threshold": 0.0})  # the rule tests the risk ratio only
    # the rule's ratio is the risk over the comparison's risk whatever the outcome's direction
    rows = table[(table["level"] == level).to_numpy() & (table["kind"] == "binary").to_numpy()]
    rows = rows.assign(higher_is_better=False)
    columns = ["district", "school", "dimension", "group", "outcome", "years_flagged", "flagged_years",
               "reasonable_progress", "year", "n", "risk", "risk_ratio", "risk_ratio_comparison",
               "alternate_risk_ratio", "weighted_risk_ratio", "category"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    runs = multi_year_flags(rows, rule)
    runs = runs[runs["years_flagged"] >= 1]
    latest = rows[rows["year"] == (runs["latest_year"].iloc[0] if len(runs) else "")]
    keys = [c for c in ("level", "school", "dimension", "group", "outcome", "district") if c in runs]
    out = runs.merge(latest, how="left", on=keys).rename(columns={"rate": "risk"})
    out["category"] = [category(o) for o in out["outcome"]]
    out = out.sort_values(["years_flagged", "risk_ratio", "district", "school"],
                          ascending=[False, False, True, True], kind="stable")
    return out.reindex(columns=columns).reset_index(drop=True)
