"""The gap engine: one tidy table of every group × outcome gap, computed in DuckDB.

`screen(con, prepared, settings)` returns one row per (level, school, year, dimension, group,
outcome) with exactly the columns in `COLUMNS`, sorted by level, school, year, dimension and outcome
(both in the mapping's order) and group; for student data, an outcome no student of a place has
(graduation at an elementary school) has no rows at that place. The counting (every
dimension, every outcome, district and school level) is one DuckDB statement over the data set's
cube (UNNEST over dimensions, GROUPING SETS over levels), whose few ten thousand rows are spread
over the outcomes in numpy; the statistics SQL does badly (Wilson/Newcombe intervals,
exact tests, Welch's t, Hedges' g) are computed vectorised with numpy/scipy over the result.
It is a pure function of (prepared data, settings), so callers may cache it on that key.

Where the parts are: the counting in `engine.cells`, the statistics in `engine.stats`, the minimum
sizes and complementary suppression in `engine.suppression`, the table's columns in
`engine.columns`; reading the table (thresholds, years in a row, ranking) in `engine.ranking`.

Definitions (binary outcomes; rates are proportions 0-1, differences percentage points)
-----------------------------------------------------------------------------------------
- n = students in the group with a known outcome; events = those with the outcome;
  rate = events / n.
- Comparison (settings.comparison):
  * all_others (default): everyone at the same level, school, year and outcome who is not in the
    group (students whose group is unknown count as "not in the group"):
    comparison_n = N - n, comparison events = E - events, where N, E are the all-students counts.
  * all_students: N and E themselves (the group is part of its comparison).
  * reference: the chosen reference group in the same dimension; in dimensions without it (and for
    the reference group's own row) the comparison is all other students.
  * benchmark: a rate the team typed in (state or district rate); comparison_n is empty.
    Numeric outcomes have no benchmark and use all other students.
- difference = (rate - comparison_rate) × 100 percentage points (negative = the group's rate is lower).
- risk_ratio = rate / comparison_rate (empty when comparison_rate is 0).
- effect_size: Cohen's h = 2·asin(√rate) - 2·asin(√comparison_rate) for binary outcomes.
- ci_low, ci_high: 95% interval of the difference by Newcombe's hybrid score method (method 10):
  with Wilson score limits (l1, u1) for the group and (l2, u2) for the comparison,
  d = p1 - p2, low = d - √((p1-l1)² + (u2-p2)²), high = d + √((u1-p1)² + (p2-l2)²).
  Wilson: centre = (p + z²/2n)/(1 + z²/n), half-width = z·√(p(1-p)/n + z²/4n²)/(1 + z²/n), z = 1.95996.
- p_value: two-sided test of equal proportions on the 2×2 table group vs comparison: Pearson's
  chi-square without continuity correction (the pooled two-proportion z test) when every expected
  count is at least 5, otherwise Fisher's exact test.
- all_students: the group is inside all students, so the two are not independent. Because
  rate - all_rate = w·(rate - others_rate) with w = (N - n)/N, the interval is the group-vs-others
  Newcombe interval times w and the p-value is the group-vs-others test.
- benchmark: interval = Wilson interval of the rate minus the benchmark; p-value from the score
  test z = (p - b)/√(b(1-b)/n), or the exact binomial test when n·b or n·(1-b) is below 5.

Disproportionality (34 CFR 300.647, the IDC calculators; `engine.disproportionality`)
-------------------------------------------------------------------------------------
- risk_ratio_comparison: what risk_ratio used ("all others", "state", "benchmark (comparison too small)",
  "benchmark", "all students", "reference group"; '' for numeric outcomes).
- alternate_risk_ratio = rate / the state's risk for all other children, (S_T - s_e)/(S_N - s_n), from the
  state comparison counts (`state`) or the file's own state rows (same year, dimension, group, outcome).
  When the comparison group fails the minimum sizes and the group passes, the row is compared with that
  state risk (it becomes comparison_rate, comparison_n is empty) instead of being hidden — the rule's
  alternate risk ratio; a typed benchmark rate only when the state's figures are not known.
- weighted_risk_ratio = rate_i / (Σ_{j≠i} SP_j·rate_j / Σ_{j≠i} SP_j), SP = state n_j / state N, over the
  shown groups of the same place, year, dimension and outcome: computed by the gate after hiding.
- composition = events / all events; comparison_composition = n / all n; composition_difference =
  (composition - comparison_composition) / comparison_composition.
- settings.among_group: every count among the students of that group only (student data).

Numeric outcomes (scale scores, days absent)
---------------------------------------------
- mean, comparison_mean; difference = mean - comparison_mean in the outcome's units.
- effect_size = Hedges' g = J·(m1 - m2)/s_p, s_p = √(((n1-1)s1² + (n2-1)s2²)/(n1+n2-2)),
  J = 1 - 3/(4(n1+n2) - 9).
- ci_low, ci_high, p_value: Welch's t: se = √(s1²/n1 + s2²/n2),
  df = se⁴ / ((s1²/n1)²/(n1-1) + (s2²/n2)²/(n2-1)), interval d ± t(0.975, df)·se, p = 2·P(T > |d/se|).
  (all_students: group vs others scaled by w, as above.)
- Sums are taken around the outcome's overall mean (numerically stable variances); for whole values up to
  10,000 around that mean rounded, so every sum is exact and the figures repeat to the last digit
  (`data.prepared.cube_sql`).

Aggregate data with range-coded rates
-------------------------------------
- rate_low/rate_high always filled (equal for an exact rate); rate = (rate_low + rate_high)/2.
- all other students from all-students and group rows: (N·R - n·r)/(N - n), taken at the ends that
  make it widest: low = (N·R_low - n·r_high)/(N - n), high = (N·R_high - n·r_low)/(N - n), within 0-1.
- A whole-number percent is rounded: 92 is read as 0.915-0.925 (a range: no interval or p-value).
- District and whole-file levels from school rows: schools without a count are left out of the sum
  (`note` counts them; nothing left: hidden). n = Σn, rate_low = Σ n·rate_low / Σn, rate_high likewise; a
  source-suppressed school (PS) counts with a rate anywhere in 0-1 (low 0, high 1).
- A file that gives its own state, district and school rows (a state report card's aggregate level
  T/D/S, `Prepared.has_levels`) is never summed: each row is its level's cell (`cells._leveled_cells`).
- difference uses midpoints; the range is difference_low = (rate_low - comparison_rate_high)·100,
  difference_high = (rate_high - comparison_rate_low)·100 (extra columns); no interval or p-value is
  computed on a range (that would be false precision).

Minimum sizes and suppression (every output)
--------------------------------------------
A row is suppressed (no events, rate, mean, comparison rate or mean, difference, ratio, effect size,
interval or p-value; n and comparison_n stay) when: the source suppressed it (PS), the group has
fewer than min_n students, fewer than min_cell students with the outcome or fewer than min_cell
without it (binary; the worse end of a range), or the comparison group fails the same tests (with all
students as the comparison: the students outside the group). When the comparison group is too small
and the team has entered a benchmark rate, the row uses the **alternate risk ratio** (rate /
benchmark) instead of being suppressed. Then the gate (`suppression.protect`) hides more cells until
no hidden cell can be worked out from what the screen shows (complementary suppression with
certificates: `engine.certificates`).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from ..data.prepared import Prepared
from ..models import GapSettings
from ..slices import in_order, step
from .cells import EXACT, MISSING, RANGE, SUPPRESSED, gather
from .columns import (COLUMNS, EXTRA_COLUMNS, LABEL_ALL, LABEL_ALTERNATE, LABEL_BENCHMARK, LABEL_OTHERS,
                      LABEL_STATE, strings)
from .disproportionality import state_figures
from .memo import Memo
from .stats import benchmark_p, cohen_h, hedges_g, newcombe, two_proportion_p, welch, wilson
from .suppression import SENSITIVE, primary, protect, reasons

# what the risk ratio used, per comparison code of `_compute` (risk_ratio_comparison)
RATIO_AGAINST = np.array(["all others", "all students", "benchmark", "reference group",
                          "benchmark (comparison too small)", "state", ""], object)


# settings a screen does not read: they mark rows when a screen is read (`ranking`, `disproportionality`)
READ_ONLY_SETTINGS = ("risk_ratio_threshold", "point_gap_threshold", "progress_drop")


def screen_settings(settings: GapSettings) -> GapSettings:
    """`settings` with those a screen does not read at their defaults (and the reference group or benchmark
    rate of a comparison not chosen): the key to cache a screen on, so a change of threshold reads the same
    screen again instead of computing it (and its privacy gate) anew."""
    unread = list(READ_ONLY_SETTINGS) + (["reference_group"] if settings.comparison != "reference" else []) + (
        ["benchmark_rate"] if settings.comparison != "benchmark" else [])
    return settings.model_copy(update={k: GapSettings.model_fields[k].default for k in unread})


def screen(con, prepared: Prepared, settings: GapSettings | None = None, *, by_school: bool = True,
           by_year: bool = True, extra: bool = False, by_district: bool = True,
           state: pd.DataFrame | None = None, memo: Memo | None = None) -> pd.DataFrame:
    """The gap table (columns `COLUMNS`, plus `EXTRA_COLUMNS` when `extra`); see the module docstring.

    Every view is cut from one protected lattice — the whole file and every school, each year — so the
    page's, the reports' and the command's views hide the same cells and no view can be subtracted from
    another to reveal one. Years are never pooled when a file has several (all years together minus the
    years shown would give a hidden year away): `by_year=False` then gives every year too; a file of one
    year (or none) is its own pooled view. The rows are in table order (complementary suppression breaks
    ties by it, so it is repeatable). `state`: a state comparison file's counts
    (`disproportionality.state_counts`) for the alternate and weighted risk ratios; without it, the state
    rows of the same file when it has some. `memo`: what a caller that screens the same data again keeps
    between screens (`engine.memo`): the same table, sooner."""
    settings = settings or GapSettings()
    counts = counts_key(prepared, settings) if memo is not None and prepared.cube else None
    table = protect(lattice(con, prepared, settings, state, memo), prepared, settings, memo, counts)
    level = lambda name: table["level"].eq(name).to_numpy(bool, na_value=False)  # noqa: E731
    keep = np.ones(len(table), bool) if by_school else ~level("school")
    if not by_district and level("state").any():  # district rows of a file of several districts
        keep &= ~level("district")
    columns = COLUMNS + (EXTRA_COLUMNS if extra else [])
    # every row kept: the columns only (no copy of a table of millions of rows)
    out = (table[columns] if keep.all() else table.loc[keep, columns]).reset_index(drop=True)
    out.attrs.update(table.attrs)
    return out


def lattice(con, prepared: Prepared, settings: GapSettings, state: pd.DataFrame | None = None,
            memo: Memo | None = None) -> pd.DataFrame:
    """Every cell before the gate: all places, each year; with the true counts and the internal columns
    `protect` reads (`_pooled` stays False: the gate's model can take pooled years, the screen publishes none)."""
    count = partial(gather, con, prepared, settings, prepared.has_school, True)
    if memo is not None and prepared.cube:
        raw = memo.get(counts_key(prepared, settings), lambda: _read_only(count()))
    else:
        raw = count()
    years = _compute(raw, prepared, settings, state, at_once=1 if memo is not None else 2)
    years["_pooled"] = False
    if settings.among_group:  # the population the screen is limited to
        years.attrs["among"] = f"{settings.among_dimension}: {settings.among_group}"
    if prepared.has_district:  # how many states the whole file covers (names it "the nation" when several)
        years.attrs["states"] = int(con.execute(f"SELECT count(DISTINCT state) FROM {prepared.relation}").fetchone()[0])
        if prepared.has_levels and (years["level"] == "state").any():  # a report card's own state row: one state
            years.attrs["states"] = max(1, years.attrs["states"])
    return years


def counts_key(prepared: Prepared, settings: GapSettings) -> tuple:
    """A memo's key of the counts of a screen: what `cells.gather` reads besides the data (a cube is named by
    the SQL it was built from: its name is its rows)."""
    reference = settings.reference_group if settings.comparison == "reference" else ""
    return ("counts", prepared, reference, settings.among_dimension, settings.among_group)


def _read_only(raw: dict) -> dict:
    """Counts kept by a memo for later screens: their numpy columns made read-only, so no table built on them
    can change them."""
    for value in raw.values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return raw


COMPUTE_ROWS = 262_144  # rows whose figures are computed at a time (`_compute`)
PASSED = ("level", "school", "year", "dimension", "group", "outcome", "district")  # columns of `raw` as they are


def _compute(raw: dict, prepared: Prepared, settings: GapSettings, state: pd.DataFrame | None = None,
             at_once: int = 2) -> pd.DataFrame:
    """The screen's frame before the gate: every row's figures from its counts (`_figures`). Every figure is the
    row's own, so the frame is the same in one piece or in slices: a frame of more than `COMPUTE_ROWS` / 2 rows
    is computed in equal slices of at most that size (`slices.step`), two at a time (`slices.in_order`: alone,
    0.12 → 0.07 s at a million records; beside other work, less), each slice's columns copied into the whole
    columns as it comes.
    The working arrays (about 70 per row) are two slices' at most, not the whole frame's: a 10M-row file's 2.1M
    rows are computed in 0.6 GB less memory (bench/README.md, stop 31). The state's figures (`state_figures`)
    read the whole table (the state rows of the same file), so they are taken first.
    A page's screen (`screen` with a memo) computes slices of `COMPUTE_ROWS` rows one at a time (`at_once=1`):
    its server shares the cores with the browser drawing the page (the app on a laptop), and two threads there
    were slower and less steady (a change of comparison at 1M records, click to paint: 0.46–0.66 s with two,
    0.41–0.45 s with one; bench/README.md, stop 34)."""
    size = len(raw["n"])
    figures = state_figures(raw, state)
    most = max(COMPUTE_ROWS // at_once, 1)  # the rows of the slices computing at once: COMPUTE_ROWS in all
    if size <= most:
        return pd.DataFrame(_figures(raw, prepared, settings, figures), copy=False)
    rows = step(size, most, at_once)

    def part(start: int) -> tuple[int, dict]:
        stop = min(start + rows, size)
        return start, _figures({k: v[start:stop] for k, v in raw.items()}, prepared, settings,
                               tuple(f[start:stop] for f in figures))

    columns, texts = {}, {}
    for start, got in in_order(part, range(0, size, rows), at_once):
        for name, values in got.items():
            if name in PASSED:
                columns[name] = raw["grp" if name == "group" else name]
            elif isinstance(values, np.ndarray):
                if name not in columns:
                    columns[name] = np.empty(size, values.dtype)
                columns[name][start:start + len(values)] = values
            else:  # text, built by Arrow: the slices' arrays become the column's chunks (no copy)
                columns.setdefault(name, None)  # its place among the columns
                texts.setdefault(name, []).append(values)
    for name, pieces in texts.items():
        columns[name] = type(pieces[0])._concat_same_type(pieces)
    return pd.DataFrame(columns, copy=False)  # no block consolidation: each column stays its own array


def _figures(raw: dict, prepared: Prepared, settings: GapSettings, figures: tuple) -> dict:
    """The columns of `_compute`'s frame for the rows of `raw` (`figures`: `state_figures` of these rows)."""
    outs = prepared.outcomes
    o_index = np.asarray(raw["_o"], float).astype(int)  # len(outs): an outcome the mapping does not list
    numeric = np.array([o.kind == "numeric" for o in outs] + [False])[o_index]
    hib = np.array([o.higher_is_better for o in outs] + [True])[o_index]
    f = lambda c: np.asarray(raw[c], dtype=float)  # noqa: E731
    n, e, a, b, centre = f("n"), f("events"), f("a"), f("b"), f("centre")
    tn, te, ta, tb = f("t_n"), f("t_events"), f("t_a"), f("t_b")
    rn, re_, ra, rb = f("r_n"), f("r_events"), f("r_a"), f("r_b")
    student = prepared.layout == "student"
    flag, tflag, rflag = raw["flag"], raw["t_flag"], raw["r_flag"]
    with np.errstate(divide="ignore", invalid="ignore"):
        def interval(events, size, lo, hi):
            exact_rate = np.where(np.isfinite(events) & (size > 0), events / size, np.nan)
            if student:
                return exact_rate, exact_rate
            known = np.isfinite(exact_rate)
            return np.where(known, exact_rate, lo), np.where(known, exact_rate, hi)

        lo, hi = interval(e, n, f("lo"), f("hi"))
        tlo, thi = interval(te, tn, f("t_lo"), f("t_hi"))
        rlo, rhi = interval(re_, rn, f("r_lo"), f("r_hi"))
        on, oe = tn - n, te - e
        olo = np.clip((tn * tlo - n * hi) / on, 0, 1)
        ohi = np.clip((tn * thi - n * lo) / on, 0, 1)
        exact_o = np.isfinite(oe) & (on > 0)
        olo, ohi = np.where(exact_o, oe / on, olo), np.where(exact_o, oe / on, ohi)
        oflag = np.where((flag == EXACT) & (tflag == EXACT), EXACT,
                         np.where((tflag <= RANGE) & (flag <= RANGE), RANGE,
                                  np.where(tflag == SUPPRESSED, SUPPRESSED, MISSING)))
        oa, ob = ta - a, tb - b

    # which comparison each row uses
    mode = settings.comparison
    benchmark = settings.benchmark_rate
    use_ref = (mode == "reference") & np.isfinite(rn)
    use_all = np.full(len(n), mode == "all_students")
    use_bench = np.full(len(n), mode == "benchmark" and benchmark is not None) & ~numeric
    others_label = LABEL_OTHERS + (f" among {settings.among_group}" if settings.among_group else "")
    labels = np.array([others_label, LABEL_ALL, LABEL_BENCHMARK, settings.reference_group, LABEL_ALTERNATE,
                       LABEL_STATE], object)
    label = np.where(use_bench, 2, np.where(use_all, 1, np.where(use_ref, 3, 0)))
    cn = np.where(use_ref, rn, np.where(use_all, tn, on))
    ce = np.where(use_ref, re_, np.where(use_all, te, oe))
    clo = np.where(use_ref, rlo, np.where(use_all, tlo, olo))
    chi = np.where(use_ref, rhi, np.where(use_all, thi, ohi))
    cflag = np.where(use_ref, rflag, np.where(use_all, tflag, oflag))
    ca = np.where(use_ref, ra, np.where(use_all, ta, oa))
    cb = np.where(use_ref, rb, np.where(use_all, tb, ob))

    # minimum sizes: group, then comparison (a benchmark has no size). Compared with all students, the
    # tests apply to the students outside the group (all students minus the group would reveal them),
    # so the same cells are hidden whichever comparison a view uses.
    pick = lambda own, others: np.where(use_all, others, own)  # noqa: E731
    group_reason, comp_reason = primary(
        settings.min_n, settings.min_cell, flag=flag, n=n, events=e, low=lo, comparison_flag=pick(cflag, oflag),
        comparison_n=pick(cn, on), comparison_events=pick(ce, oe), comparison_low=pick(clo, olo), numeric=numeric,
        benchmark=use_bench)
    # alternate risk ratio (34 CFR 300.647(b)(5)): the comparison group is too small, so the group is compared
    # with all other children of the state (a state comparison file or the file's state rows; never small),
    # else with the benchmark rate the team entered
    s_others, s_share, s_usable = figures
    too_small = (comp_reason != 0) & (group_reason == 0) & ~numeric
    empty = (pick(cn, on) <= 0) & (group_reason == 0) & ~numeric  # every child here is in the group
    by_state = (too_small | empty) & s_usable
    alternate = too_small & ~by_state & (benchmark is not None)
    use_bench = use_bench | alternate | by_state
    label = np.where(by_state, 5, np.where(alternate, 4, label))
    comp_reason = np.where(alternate | by_state, 0, comp_reason)
    bench = np.where(by_state, s_others, np.nan if benchmark is None else float(benchmark))
    cn = np.where(use_bench, np.nan, cn)
    ce = np.where(use_bench, np.nan, ce)
    clo = np.where(use_bench, bench, clo)
    chi = np.where(use_bench, bench, chi)
    reason = np.where(group_reason != 0, group_reason, comp_reason)
    suppressed = reason != 0
    alone = ~use_bench & (pick(cn, on) <= 0)  # every student here is in the group: nothing to compare with

    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (lo + hi) / 2
        crate = (clo + chi) / 2
        difference = (rate - crate) * 100
        risk_ratio = np.where(crate > 0, rate / crate, np.nan)
        exact = (lo == hi) & (clo == chi)
        # estimated events for statistics on exact aggregate rates (rate × n)
        e1 = np.where(numeric, np.nan, np.where(np.isfinite(e), e, n * rate))
        # independent partner of the group for intervals and tests: others when comparing with all students
        pn = np.where(use_all & ~use_bench, on, cn)
        pe = np.where(use_all & ~use_bench, np.where(np.isfinite(oe), oe, on * (olo + ohi) / 2),
                      np.where(np.isfinite(ce), ce, cn * crate))
        w = np.where(use_all & ~use_bench, on / tn, 1.0)
        # intervals and tests only where they are shown (yes/no outcome, exact rates, not suppressed)
        ci_low, ci_high, p_value = np.full(len(n), np.nan), np.full(len(n), np.nan), np.full(len(n), np.nan)
        at = np.flatnonzero(~numeric & exact & ~suppressed)
        sub_bench, sub_e, sub_n, sub_pe, sub_pn = use_bench[at], e1[at], n[at], pe[at], pn[at]
        nc_low, nc_high = newcombe(sub_e, sub_n, sub_pe, sub_pn)
        wl, wh = wilson(sub_e, sub_n)
        ci_low[at] = np.where(sub_bench, wl - bench[at], w[at] * nc_low) * 100
        ci_high[at] = np.where(sub_bench, wh - bench[at], w[at] * nc_high) * 100
        p_two = two_proportion_p(np.where(sub_bench, np.nan, sub_e), sub_n, sub_pe, sub_pn)
        p_bench = benchmark_p(np.where(sub_bench, sub_e, np.nan), sub_n, np.where(np.isfinite(bench), bench, 0.5)[at])
        p_value[at] = np.where(sub_bench, p_bench, p_two)
        h = np.where(exact, cohen_h(rate, crate), np.nan)  # Cohen's h

        # numeric outcomes
        mean = centre + a / n
        var = (b - a * a / n) / (n - 1)
        cmean = centre + ca / cn
        cvar = (cb - ca * ca / cn) / (cn - 1)
        omean, ovar = centre + oa / on, (ob - oa * oa / on) / (on - 1)
        pm, pv = np.where(use_all, omean, cmean), np.where(use_all, ovar, cvar)
        # Welch's t only where it is shown (numeric, not suppressed): the other rows are blanked anyway
        t_low, t_high, t_p = np.full(len(n), np.nan), np.full(len(n), np.nan), np.full(len(n), np.nan)
        shown = np.flatnonzero(numeric & ~suppressed)
        t_low[shown], t_high[shown], t_p[shown] = welch(mean[shown], var[shown], n[shown], pm[shown], pv[shown],
                                                        pn[shown])
        g = hedges_g(mean, var, n, cmean, cvar, cn)
        share_e = np.where(np.isfinite(e) & np.isfinite(te), e / te, n * rate / (tn * (tlo + thi) / 2))
        share_n = n / tn
        alternate_rr = np.where(~numeric & (s_others > 0), rate / s_others, np.nan)
        composition_difference = (share_e - share_n) / share_n

    nonnum = ~numeric
    out = {
        "level": raw["level"], "school": raw["school"], "year": raw["year"],
        "dimension": raw["dimension"], "group": raw["grp"], "outcome": raw["outcome"],
        "n": n, "events": np.where(nonnum, e, np.nan),
        "rate": np.where(nonnum, rate, np.nan), "rate_low": np.where(nonnum, lo, np.nan),
        "rate_high": np.where(nonnum, hi, np.nan), "mean": np.where(numeric, mean, np.nan),
        "comparison": strings(labels, label), "comparison_n": cn,
        "comparison_rate": np.where(nonnum, crate, np.nan), "comparison_mean": np.where(numeric, cmean, np.nan),
        "difference": np.where(numeric, mean - cmean, difference),
        "risk_ratio": np.where(nonnum, risk_ratio, np.nan),
        "effect_size": np.where(numeric, g, h),
        "ci_low": np.where(numeric, w * t_low, ci_low), "ci_high": np.where(numeric, w * t_high, ci_high),
        "p_value": np.where(numeric, t_p, p_value),
        "suppressed": suppressed,
        "suppression_reason": strings(reasons(settings.min_n, settings.min_cell, "the students outside the group"
                                              if mode == "all_students" else "the comparison group"), reason),
        "kind": strings(np.array(["binary", "numeric"], object), numeric.astype(int)), "higher_is_better": hib,
        "difference_low": np.where(numeric, mean - cmean, (lo - chi) * 100),
        "difference_high": np.where(numeric, mean - cmean, (hi - clo) * 100),
        "comparison_rate_low": np.where(nonnum, clo, np.nan), "comparison_rate_high": np.where(nonnum, chi, np.nan),
        "share_of_events": np.where(nonnum, share_e, np.nan), "share_of_students": share_n,
        # for the gate (`suppression.protect`), dropped from every view
        "district": raw["district"], "note": _notes(raw, n, suppressed, reason == 2, alone),
        "risk_ratio_comparison": strings(RATIO_AGAINST, np.where(numeric, 6, label)),
        "alternate_risk_ratio": alternate_rr, "weighted_risk_ratio": np.full(len(n), np.nan),  # by the gate
        "composition": np.where(nonnum, share_e, np.nan), "comparison_composition": share_n,
        "composition_difference": np.where(nonnum, composition_difference, np.nan),
        "_N": tn, "_T": te, "_sensitive": np.isin(group_reason, SENSITIVE), "_state_share": s_share,
    }
    nothing_left = (reason == 2) & (np.asarray(raw["left_out"], float) > 0)
    if nothing_left.any():  # a sum none of whose schools gives a count
        text = np.asarray(out["suppression_reason"], object).copy()
        text[nothing_left] = [f"{'the school' if k == 1 else f'none of the {_schools(k)}'} here "
                              f"give{'s' if k == 1 else ''} {'no' if k == 1 else 'a'} count of students, so there is "
                              "nothing to add up"
                              for k in np.asarray(raw["left_out"], float)[nothing_left]]
        out["suppression_reason"] = pd.array(text.astype(str), dtype="str")
    for col in ("difference", "risk_ratio", "effect_size", "ci_low", "ci_high", "p_value", "difference_low",
                "difference_high", "comparison_rate", "comparison_mean", "comparison_rate_low", "comparison_rate_high",
                "alternate_risk_ratio", "composition", "comparison_composition", "composition_difference"):
        out[col] = np.where(np.isfinite(out[col]) & ~alone, out[col], np.nan)  # a group that is everyone: no gap
    return out


def _schools(k: float) -> str:
    return f"{int(k):,} school{'' if int(k) == 1 else 's'}"


def _notes(raw: dict, n, suppressed, nothing_left, alone) -> np.ndarray:
    """The sentence of a sum some of whose schools give no count: "312 schools in 1 state give no
    cohort count and are not in this total"; of a group that is every student of its place: "every
    student here is in this group: there is no one to compare with" ('' elsewhere)."""
    left, states = np.asarray(raw["left_out"], float), np.asarray(raw["left_states"], float)
    out = np.full(len(left), "", object)
    out[alone & ~suppressed] = "every student here is in this group: there is no one to compare with"
    for i in np.flatnonzero((left > 0) & ~nothing_left):
        what = "cohort count" if "grad" in str(raw["outcome"][i]).lower() else "count of students"
        where = f" in {int(states[i]):,} state{'' if states[i] == 1 else 's'}" if states[i] > 0 else ""
        verb = "gives" if left[i] == 1 else "give"
        out[i] = f"{_schools(left[i])}{where} {verb} no {what} and {'is' if left[i] == 1 else 'are'} not in this total"
    codes, texts = pd.factorize(out)
    return strings(np.asarray(texts, object), codes)
