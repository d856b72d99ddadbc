"""Suppression: which rows of the gap table are hidden, and what a hidden row still shows.

- `primary`: why a row is hidden by itself: the source file suppressed it (PS) or gives no n or
  rate, or the group or its comparison is below the minimum sizes — fewer than min_n students, or
  fewer than min_cell students *with or without* the outcome (codes into `reasons`). A row hidden for
  the group's own counts is *sensitive*: its count must stay uncertain by at least min(cell size, n).
- `protect`: the single gate. Complementary suppression over the whole lattice of one screen (the
  whole file and every school, every year and the years pooled, every dimension, combined groups,
  all students): more cells are hidden until every hidden cell has a certificate
  (`engine.certificates`) that it cannot be worked out — to within min(cell size, n) for sensitive
  cells, not to one value for the others — from everything the screen shows, whichever view
  (district or schools, one year or all years) a page, report or command shows of it. Then every
  hidden figure is blanked (`hide`), the weighted risk ratio is computed from the shown rows alone
  (`disproportionality.weighted_risk_ratio`), and the table is marked; `for_export` refuses an
  unmarked table.

The rules are stated in `engine.screen`'s docstring and in the README's Privacy section.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from .cells import SUPPRESSED
from .certificates import Lattice, certify, digest_fields, fingerprint
from .columns import strings
from .disproportionality import weighted_risk_ratio

HIDDEN_WHEN_SUPPRESSED = [
    "events", "rate", "rate_low", "rate_high", "mean", "comparison_rate", "comparison_mean",
    "difference", "risk_ratio", "effect_size", "ci_low", "ci_high", "p_value", "difference_low",
    "difference_high", "comparison_rate_low", "comparison_rate_high", "share_of_events",
    "share_of_students", "alternate_risk_ratio", "weighted_risk_ratio", "composition", "comparison_composition",
    "composition_difference",
]

SENSITIVE = (3, 5, 11)  # group codes of `reasons` for the group's own small counts

COMPLEMENTARY = "hidden so that a small group cannot be worked out from the totals (complementary suppression)"


def reasons(min_n: int, min_cell: int, comparison: str = "the comparison group") -> np.ndarray:
    """Why a row is hidden, by code: 0 shown; 1-5 and 11 the group fails a test; 6-10 and 12 its
    comparison does (`comparison` names it: with all students as the comparison, the tests apply to
    the students outside the group, who could otherwise be worked out)."""
    return np.array([
        "", "suppressed in the source file (PS)", "the file does not give the number of students in this group",
        f"fewer than {min_n} students in the group", "the source file gives no rate for this group",
        f"fewer than {min_cell} students in the group with the outcome",
        f"{comparison} suppressed in the source file (PS)", f"the size of {comparison} is unknown",
        f"fewer than {min_n} students in {comparison}", f"the source file gives no rate for {comparison}",
        f"fewer than {min_cell} students with the outcome in {comparison}",
        f"fewer than {min_cell} students in the group without the outcome",
        f"fewer than {min_cell} students without the outcome in {comparison}"], object)


def primary(min_n: int, min_cell: int, *, flag, n, events, low, comparison_flag, comparison_n,
            comparison_events, comparison_low, numeric, benchmark) -> tuple[np.ndarray, np.ndarray]:
    """(group code, comparison code) per row, codes into `reasons` (0: the test passes).

    A group is hidden when the source suppressed it, gives no n or no rate, or it has fewer than
    `min_n` students or (yes/no outcomes) fewer than `min_cell` with the outcome or fewer than
    `min_cell` without it (counted; a range is tested at its low end with the outcome): 37 of 40
    graduates tell that 3 did not.
    Its comparison by the same tests, unless it is a benchmark rate (`benchmark`: no size) or has no
    students at all: a group that is every student of its place ("Students without disabilities" for
    an outcome only they can have) has nothing to compare with, and its figures are the place's own
    totals, which every other row shows — hiding them would protect nothing, so the group's own tests
    alone decide (its comparison figures stay empty).
    """
    def counts(e, size, lo):  # (fewest with the outcome the figures allow, those without it)
        exact = np.isfinite(e)  # a public file's range: its source's own rules protect it (only `with` is tested)
        return np.where(exact, e, size * lo), np.where(exact, size - e, np.inf)

    with_, without = counts(events, n, low)
    c_with, c_without = counts(comparison_events, comparison_n, comparison_low)
    group_reason = np.select(
        [flag == SUPPRESSED, ~np.isfinite(n), n < min_n, ~numeric & ~np.isfinite(low),
         ~numeric & ~(with_ >= min_cell), ~numeric & ~(without >= min_cell)], [1, 2, 3, 4, 5, 11], 0)
    comp_reason = np.select(
        [benchmark, comparison_flag == SUPPRESSED, ~np.isfinite(comparison_n), comparison_n <= 0,
         comparison_n < min_n, ~numeric & ~np.isfinite(comparison_low), ~numeric & ~(c_with >= min_cell),
         ~numeric & ~(c_without >= min_cell)],
        [0, 6, 7, 0, 8, 9, 10, 12], 0)
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



PROTECTED = "protected"  # attrs mark of a table that went through `protect`
UNKNOWN, ALL = "\0unknown", "\0all"  # virtual groups: students of unknown group; all students


def protect(frame: pd.DataFrame, prepared, settings, memo=None, counts: tuple | None = None) -> pd.DataFrame:
    """The single gate every gap table passes before anything shows it: complementary suppression over
    the whole lattice (every place, every year and the years pooled), then every hidden figure blanked.

    `frame` is `screen`'s frame before blanking: one row per (level, school, year or pooled, dimension,
    group, outcome) with the true counts, `suppressed` from the primary rules and the internal columns
    `_N`, `_T` (all students and those with the outcome at that place and year), `_sensitive` (hidden
    for its own small counts) and `_pooled`. Public files (aggregate layouts: EDFacts, report cards) are
    figures their source already publishes and its own suppression (PS) governs: only primary
    suppression applies to them. `memo` (`engine.memo`): the certified cells of a lattice met before are
    read again (keyed by the lattice's fingerprint, so only the very same cells with the very same rules).
    `frame` is made for this table (`screen.lattice`) and is blanked in place: its figures are let go as they are
    blanked, not kept beside a blanked copy (a 10M-row file's screen: 0.3 GB). `counts`: the memo's key of the
    counts the frame was computed from (`screen.counts_key`): the lattice's codes are kept under it."""
    df = frame
    hidden = df["suppressed"].to_numpy(bool)
    if prepared.layout == "student" and len(df):
        reference = settings.reference_group if settings.comparison == "reference" else ""
        structure = (memo.get(("structure", *counts[1:]), partial(_structure, df, prepared))
                     if memo is not None and counts else _structure(df, prepared))  # once for every round below
        for _ in range(5):
            lattice = _lattice(df, prepared, settings, hidden, structure)
            if memo is None:
                done, because = certify(lattice, settings.min_cell)
            else:  # the memo's arrays stay as they are: this table gets its own
                if "shared" not in structure:  # its fields' digest, once for every screen of these counts
                    structure["shared"] = (structure["fields"], digest_fields(structure["fields"]))
                key = ("gate", fingerprint(lattice, structure["shared"]), settings.min_cell)
                done, because = (a.copy() for a in memo.get(key, partial(certify, lattice, settings.min_cell)))
            done, because = done[:len(df)], because[:len(df)]
            if not reference:
                break
            # a row compared with a hidden reference group would show that group's figures
            ref_hidden = _reference_hidden(df, done, reference)
            if not (ref_hidden & ~done).any():
                break
            hidden = done | ref_hidden
            df["suppression_reason"] = np.where(ref_hidden & ~df["suppressed"].to_numpy(bool),
                                                f"the comparison group ({reference}) is hidden here",
                                                df["suppression_reason"].astype(object))
            df["suppressed"] = hidden
        added = done & ~df["suppressed"].to_numpy(bool)
        # the reasons as codes into their few texts: the primary ones, then one per cause of the rows added
        codes, texts = pd.factorize(df["suppression_reason"], use_na_sentinel=False)
        causes, cause = np.unique(because[added], return_inverse=True)
        codes[added] = len(texts) + cause
        df["suppressed"] = done
        df["suppression_reason"] = strings(np.array(list(texts) + _why(df, causes), object), codes)
    out = hide(df, copy=False)
    # from shown rows only, once every hidden row is final: no hidden group's risk enters a shown figure
    out["weighted_risk_ratio"] = weighted_risk_ratio(out)
    out.attrs[PROTECTED] = True
    return out


def _why(df: pd.DataFrame, causes: np.ndarray) -> list[str]:
    """The reason of the rows hidden for the sake of the rows `causes` (a row of `df`, or -1)."""
    ok = (causes >= 0) & (causes < len(df))
    at = np.where(ok, causes, 0)
    col = lambda c: df[c].array.take(at).to_numpy(object) if c in df else np.full(len(at), None)  # noqa: E731
    level, school, year, group = (col(c) for c in ("level", "school", "year", "group"))
    pooled = df["_pooled"].to_numpy(bool)[at] if "_pooled" in df else np.zeros(len(at), bool)
    out = []
    for k in range(len(at)):
        if not ok[k]:
            out.append(COMPLEMENTARY)
            continue
        where = school[k] if level[k] == "school" else "the whole file"
        when = "all years" if pooled[k] else year[k]
        place = ", ".join(x for x in (where, when) if x)
        out.append(f"hidden so that a smaller group ({group[k]}, {place}) cannot be worked out from the totals")
    return out


def _reference_hidden(df: pd.DataFrame, hidden: np.ndarray, reference: str) -> np.ndarray:
    """Rows compared with the reference group where that group's own row is hidden."""
    keys = ["level", "school", "year", "_pooled", "dimension", "outcome"]
    ref = df.loc[(df["group"] == reference).to_numpy() & hidden, keys].drop_duplicates()
    if not len(ref):
        return np.zeros(len(df), bool)
    marked = df[keys].merge(ref.assign(_ref=True), how="left", on=keys)["_ref"].fillna(False).to_numpy(bool)
    return marked & (df["comparison"].astype(str) == reference).to_numpy()


def _pairs(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """Codes of the pairs (a, b) in order of first appearance, and the pairs (as `pd.factorize` of the zipped
    columns would give, without a Python object per row)."""
    ca, ua = pd.factorize(a, use_na_sentinel=False)
    cb, ub = pd.factorize(b, use_na_sentinel=False)
    codes, uniques = pd.factorize(ca.astype(np.int64) * len(ub) + cb)
    return codes, [(ua[u // len(ub)], ub[u % len(ub)]) for u in uniques.tolist()]


def _firsts(codes: np.ndarray) -> np.ndarray:
    """The position of each code's first row, for codes numbered in order of first appearance (`pd.factorize`):
    where the running maximum grows (`np.unique(codes, return_index=True)[1]` without sorting: 10M records, 0.05-0.15
    → 0.01 s)."""
    return np.flatnonzero(codes > np.maximum.accumulate(np.r_[-1, codes[:-1]])) if len(codes) else np.zeros(0, int)


def _lattice(df: pd.DataFrame, prepared, settings, hidden: np.ndarray, structure: dict) -> Lattice:
    """The gap frame as a `Lattice`, with a virtual row per (outcome, place, year) for all students and
    per (outcome, place, year, dimension) for the students whose group is unknown (codes in order of first
    appearance: the rows, then the virtual rows). `structure`: `_structure(df, prepared)`, or what a memo kept
    of it from a screen of the same counts."""
    s = structure
    N, T, tot, numeric, size = s["N"], s["T"], s["tot"], s["numeric"], s["size"]
    t_sensitive = (N[tot] < settings.min_n) | (~numeric[tot] & (
        (T[tot] < settings.min_cell) | (N[tot] - T[tot] < settings.min_cell)))
    # what each row's published reason tells of its events (virtual rows: nothing but 0-n)
    own = reasons(settings.min_n, settings.min_cell)
    said = lambda code: df["suppression_reason"].eq(own[code]).to_numpy(bool, na_value=False)  # noqa: E731
    k = float(settings.min_cell)
    sensitive = df["_sensitive"].to_numpy(bool)
    passed = ~sensitive  # shown, or hidden for its comparison: passed its own tests
    low = np.where(passed, k, np.where(said(11), np.maximum(k, size - k + 1), 0.0))
    high = np.where(passed, size - k, np.where(said(5), k - 1, size))
    flags = lambda base, u, t: np.r_[base, np.full(s["unknown"], u), t]  # noqa: E731
    return Lattice(low=np.r_[low, np.zeros(len(s["v_n"]))], high=np.r_[high, s["v_n"]],
                   hidden=flags(hidden, True, np.ones(len(tot), bool)), sensitive=flags(sensitive, False, t_sensitive),
                   **s["fields"])


def _structure(df: pd.DataFrame, prepared) -> dict:
    """What `_lattice` builds from the frame's cells and counts alone, whatever the settings: its codes, its
    virtual rows and their counts (a change of minimum sizes or comparison keeps them)."""
    combined = {d.label: d.parts for d in prepared.dimensions if getattr(d, "parts", ())}
    parts = {p for pair in combined.values() for p in pair}
    numeric = (df["kind"] == "numeric").to_numpy()
    size = df["n"].to_numpy(float, na_value=np.nan)
    events = np.where(numeric, np.nan, df["events"].to_numpy(float, na_value=np.nan))
    N, T = df["_N"].to_numpy(float, na_value=np.nan), df["_T"].to_numpy(float, na_value=np.nan)
    outcome = pd.factorize(df["outcome"])[0]
    place, places = _pairs(df["level"], df["school"])
    year, years = _pairs(df["year"], df["_pooled"])
    group, groups = _pairs(df["dimension"], df["group"])
    dim_codes = {label: k for k, label in enumerate(dict.fromkeys(d for d, _ in groups))}
    dim = np.array([dim_codes[d] for d, _ in groups], np.int64)[group]
    block = pd.factorize((outcome.astype(np.int64) * len(places) + place) * len(years) + year)[0]
    first = _firsts(block)  # the first row of each block, blocks in order of appearance
    # students of unknown group: a block's all students minus the groups of one dimension (plain dimensions); a
    # dimension is plain or not per code, not per row (a text per row and `np.isin` took 0.45 s at 10M records)
    related = set(combined) | parts
    plain = np.flatnonzero(~np.array([d in related for d in dim_codes], bool)[dim])
    cell, cells = pd.factorize(block[plain] * max(len(dim_codes), 1) + dim[plain])
    at = plain[_firsts(cell)]  # the first row of each (block, dimension)
    u_n = N[at] - np.bincount(cell, np.nan_to_num(size[plain]), len(cells))
    u_events = T[at] - np.bincount(cell, np.nan_to_num(events[plain]), len(cells))
    keep = u_n > 0.5
    at, u_n, u_events = at[keep], u_n[keep], u_events[keep]
    for d in dict.fromkeys(dim[at].tolist()):
        groups.append((list(dim_codes)[d], UNKNOWN))
    code = {g: k for k, g in enumerate(groups)}
    u_group = np.array([code[(list(dim_codes)[d], UNKNOWN)] for d in dim[at].tolist()], np.int64)
    tot = first[N[first] > 0]
    if len(tot):
        groups.append(("", ALL))
        code[("", ALL)] = len(groups) - 1
    all_group = code.get(("", ALL), -1)
    virtual = np.r_[at, tot]  # the row each virtual row shares its outcome, place and year with
    dimension_of = np.array([-1 if g == ALL else dim_codes[d] for d, g in groups], int)
    unknown_of = {dim_codes[d]: k for k, (d, g) in enumerate(groups) if g == UNKNOWN}
    combo = {}
    for label, (first_dim, second) in combined.items():
        if label not in dim_codes or first_dim not in dim_codes or second not in dim_codes:
            continue
        firsts = [g for d, g in groups if d == first_dim and g not in (UNKNOWN, ALL)]
        seconds = [g for d, g in groups if d == second and g not in (UNKNOWN, ALL)]
        pair = {f"{a} & {b}": (code[(first_dim, a)], code[(second, b)]) for a in firsts for b in seconds}
        combo[dim_codes[label]] = (dim_codes[first_dim], dim_codes[second],
                                   {k: pair[g] for k, (d, g) in enumerate(groups) if d == label and g in pair})
    top = [k for k, (level, _) in enumerate(places) if level != "school"]
    place_parent = np.array([top[0] if level == "school" and top else -1 for level, _ in places], int)
    pooled = [k for k, (_, p) in enumerate(years) if p]
    year_parent = np.array([pooled[0] if pooled and not p else -1 for _, p in years], int)
    v_n = np.r_[u_n, N[tot]]
    is_numeric = numeric[np.r_[np.arange(len(df)), virtual]]
    fields = dict(outcome=np.r_[outcome, outcome[virtual]], place=np.r_[place, place[virtual]],
                  year=np.r_[year, year[virtual]], group=np.r_[group, u_group, np.full(len(tot), all_group)],
                  dimension_of=dimension_of, place_parent=place_parent, year_parent=year_parent,
                  n=np.r_[size, v_n], events=np.where(is_numeric, np.nan, np.r_[events, u_events, T[tot]]),
                  numeric=is_numeric, virtual=np.r_[np.zeros(len(df), bool), np.ones(len(virtual), bool)],
                  all_group=all_group, unknown_of=unknown_of, combined=combo)
    for value in fields.values():  # shared by the lattices of every screen of these counts: never changed
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    # v_n: the virtual rows' students (the unknown-group remainders, then the all-student totals)
    return {"N": N, "T": T, "tot": tot, "numeric": numeric, "size": size, "unknown": len(at), "v_n": v_n,
            "fields": fields}


def for_export(df: pd.DataFrame) -> pd.DataFrame:
    """The one way a gap table leaves the engine: it must have passed `protect` (as `screen` does);
    any other table is refused, so nothing shows a row the gate has not seen."""
    if not df.attrs.get(PROTECTED):
        raise ValueError("a gap table that has not passed the privacy gate (engine.suppression.protect)")
    return df
