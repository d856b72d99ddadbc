"""Reading the gap table: thresholds, years in a row, ranking, the heatmap's tables, filters, the
page lookup and headings for people.

`flagged` marks gaps beyond the team's thresholds, `multi_year_flags` counts the latest years in a
row beyond them, `ranked` and `gap_screen` order a screen (largest unfavourable gap first, hidden
rows apart), `heatmap_table`/`heatmap_harm` lay out groups x outcomes, `select` and `Lookup` find
rows, `readable` gives columns plain headings.
"""

from __future__ import annotations

import re
import threading

import numpy as np
import pandas as pd

from ..models import GapSettings
from .columns import LABEL_ALL, LABEL_OTHERS
from .statements import points_label
from .stats import cohen_h

NUMERIC_EFFECT_THRESHOLD = 0.25  # Hedges' g the What Works Clearinghouse calls substantively important


def severity(df: pd.DataFrame) -> pd.Series:
    """How unfavourable a gap is for the group, on one scale: Cohen's h (binary) or Hedges' g (numeric),
    signed so that positive means the group does worse (lower when higher is better, and vice versa).
    A range-coded rate has no effect size of its own: its Cohen's h is taken at the end of the ranges
    least against the group (`_ends`), so a range is never ranked on its midpoint."""
    sign = np.where(_hib(df), -1.0, 1.0)
    value = sign * df["effect_size"].astype(float).to_numpy()
    ends = _ends(df)
    if ends is not None:
        rate, comp, ranged = ends
        value = np.where(ranged, sign * cohen_h(rate, comp), value)
    return pd.Series(value, index=df.index).where(~df["suppressed"])


def worst_first(df: pd.DataFrame, k: int) -> pd.DataFrame:
    """`df` itself when it has at most `k` rows; else its `k` rows most unfavourable to the group (`severity`;
    hidden rows last, ties in table order), in that order."""
    if len(df) <= k:
        return df
    order = np.argsort(-severity(df).fillna(-np.inf).to_numpy(float), kind="stable")[:k]
    return df.iloc[order]


def _ends(df: pd.DataFrame):
    """(the group's rate, its comparison's rate, which rows are ranges) at the ends of the two ranges
    least unfavourable to the group — for the bad outcome's risk and the points gap alike, the end of
    the gap's range nearest zero (or past it) — or None when the table has no ranges."""
    if "rate_low" not in df or "comparison_rate_low" not in df:
        return None
    f = lambda c: df[c].astype(float).to_numpy()  # noqa: E731
    lo, hi, clo, chi = f("rate_low"), f("rate_high"), f("comparison_rate_low"), f("comparison_rate_high")
    ranged = np.isfinite(lo) & np.isfinite(clo) & ((lo != hi) | (clo != chi))
    if not ranged.any():
        return None
    hib = _hib(df)
    return np.where(hib, hi, lo), np.where(hib, clo, chi), ranged


def ranged(df: pd.DataFrame) -> np.ndarray:
    """Per row: the group's rate or its comparison's is a range (a public file's "80-84", "GE50")."""
    ends = _ends(df)
    return np.zeros(len(df), bool) if ends is None else ends[2]


def _hib(df: pd.DataFrame) -> np.ndarray:
    return df["higher_is_better"].to_numpy(bool) if "higher_is_better" in df else np.ones(len(df), bool)


def unfavourable_ratio(df: pd.DataFrame) -> np.ndarray:
    """The risk ratio of the bad outcome, per row: rate/comparison_rate when lower is better,
    (1-rate)/(1-comparison_rate) when higher is better; range-coded rates at the ends least against the
    group (`_ends`)."""
    hib = _hib(df)
    rate, comp = df["rate"].astype(float).to_numpy(), df["comparison_rate"].astype(float).to_numpy()
    ends = _ends(df)
    if ends is not None:
        rate, comp = np.where(ends[2], ends[0], rate), np.where(ends[2], ends[1], comp)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(hib, (1 - rate) / (1 - comp), rate / comp)


def flagged(df: pd.DataFrame, settings: GapSettings) -> pd.Series:
    """A gap beyond the team's threshold, against the group:

    binary: an unfavourable risk ratio that *exceeds* settings.risk_ratio_threshold, as 34 CFR 300.647
    words it (a ratio of exactly 2.0 does not exceed 2.0) — the risk of the bad outcome,
    rate/comparison_rate when lower is better, (1-rate)/(1-comparison_rate) when higher is better —
    or an unfavourable difference of at least settings.point_gap_threshold points (a threshold of 0
    or less is switched off); numeric: unfavourable Hedges' g >= 0.25. Range-coded rates are tested at
    the ends least against the group (`_ends`): the whole range must be beyond, never its midpoint.
    """
    hib = _hib(df)
    rate, comp = df["rate"].astype(float).to_numpy(), df["comparison_rate"].astype(float).to_numpy()
    points = df["difference"].astype(float).to_numpy()
    ends = _ends(df)
    if ends is not None:  # a range is beyond the threshold only when its whole range is
        rate, comp = np.where(ends[2], ends[0], rate), np.where(ends[2], ends[1], comp)
        points = np.where(ends[2], (rate - comp) * 100, points)
    bad_rr = unfavourable_ratio(df)
    bad_points = np.where(hib, -1.0, 1.0) * points
    rr_t, pt_t = settings.risk_ratio_threshold, settings.point_gap_threshold
    binary = ((rr_t > 0) & (bad_rr > rr_t)) | ((pt_t > 0) & (bad_points >= pt_t))
    numeric = severity(df).to_numpy(dtype=float, na_value=np.nan) >= NUMERIC_EFFECT_THRESHOLD
    kind = df["kind"].to_numpy(str) if "kind" in df else np.where(df["mean"].notna(), "numeric", "binary")
    return pd.Series(np.where(kind == "numeric", numeric, binary) & ~df["suppressed"].to_numpy(bool), index=df.index)


def threshold_words(settings: GapSettings) -> str:
    """When a gap is listed (`ranking.flagged`), in words: 'the risk ratio is above 2 or the difference is 10
    percentage points or more, against the group (for averages, an effect size of 0.25 or more)'."""
    tests = ([f"the risk ratio is above {settings.risk_ratio_threshold:g}"] if settings.risk_ratio_threshold > 0
             else []) + ([f"the difference is {settings.point_gap_threshold:g} percentage points or more"]
                         if settings.point_gap_threshold > 0 else [])
    if not tests:  # both rate thresholds switched off: only averages are marked
        return (f"an average's effect size is {NUMERIC_EFFECT_THRESHOLD:g} or more against the group (the rate "
                "thresholds are off)")
    return (" or ".join(tests)
            + f", against the group (for averages, an effect size of {NUMERIC_EFFECT_THRESHOLD:g} or more)")


def left_open(df: pd.DataFrame, settings: GapSettings) -> np.ndarray:
    """Per row: a gap the file's ranges leave open — beyond the thresholds at the middle of the ranges
    (`rate`, `comparison_rate`, `difference`), not at every end of them, so not `flagged`."""
    middle = df.assign(rate_low=np.nan, rate_high=np.nan, comparison_rate_low=np.nan, comparison_rate_high=np.nan)
    return ranged(df) & flagged(middle, settings).to_numpy() & ~flagged(df, settings).to_numpy()


def ranked(df: pd.DataFrame, settings: GapSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shown rows, largest unfavourable gaps first with flagged ones on top; suppressed rows apart);
    `left_open` marks the gaps a file's ranges leave open."""
    # flags computed on every row, then the hidden ones dropped (assigning a Series to an empty frame would
    # bring back the Series' rows)
    shown = df.assign(flagged=flagged(df, settings), left_open=left_open(df, settings) if len(df) else False,
                      severity=severity(df))[~df["suppressed"].to_numpy(bool)]
    shown = shown.sort_values(["flagged", "severity"], ascending=[False, False], na_position="last")
    return shown.reset_index(drop=True), df[df["suppressed"]].reset_index(drop=True)


def school_year_start(year: str) -> int | None:
    """The calendar year a school year starts in: "2022-23" -> 2022, "2023" -> 2023; None without one."""
    found = re.search(r"(19|20)\d\d", str(year))
    return int(found.group()) if found else None


def consecutive_years(years) -> list[str]:
    """The latest school year and the ones right before it (at most three, oldest first) that the table
    has: a year missing from the table ends the run (2019-20, 2021-22, 2022-23 -> 2021-22, 2022-23).
    Years that do not read as school years are taken in the table's order."""
    labels = sorted(y for y in set(years) if y != "")
    starts = {y: school_year_start(y) for y in labels}
    if not labels or any(v is None for v in starts.values()):
        return labels[-3:]
    by_start = {starts[y]: y for y in sorted(labels, key=lambda y: (starts[y], y))}
    latest, run = max(by_start), []
    while len(run) < 3 and latest - len(run) in by_start:
        run.append(by_start[latest - len(run)])
    return run[::-1]


def multi_year_flags(df: pd.DataFrame, settings: GapSettings) -> pd.DataFrame:
    """Per level, school, dimension, group and outcome: `years_flagged`, the number of consecutive school
    years, ending with the latest year in the table, in which the gap was beyond the threshold (0-3; a
    year with no figure, or missing from the table, breaks the run: `consecutive_years`), `flagged_years`
    (which years, "2021-22, 2022-23"), `flag_1yr`, `flag_2yr`, `flag_3yr`, `latest_year` and
    `reasonable_progress`: with settings.progress_drop > 0, the unfavourable risk ratio fell by at least
    that much from each year to the next over the latest three consecutive years (34 CFR 300.647(d)(2):
    progress "in each of the two prior consecutive years")."""
    keys = ["level", "school", "dimension", "group", "outcome"] + (["district"] if "district" in df else [])
    years = consecutive_years(df["year"].unique())
    frame = df.assign(_f=flagged(df, settings), _r=unfavourable_ratio(df))
    table = frame.pivot_table(index=keys, columns="year", values="_f", aggfunc="max", fill_value=False)
    table = table.reindex(columns=years, fill_value=False).astype(bool)
    run = np.cumprod(table.to_numpy()[:, ::-1], axis=1).sum(axis=1) if years else np.zeros(len(table), int)
    out = table.index.to_frame(index=False)
    out["years_flagged"] = run
    labels = np.array(years[::-1] or [""], object)
    out["flagged_years"] = [", ".join(labels[:k][::-1]) for k in run]
    for k in (1, 2, 3):
        out[f"flag_{k}yr"] = run >= k
    out["latest_year"] = years[-1] if years else ""
    progress = np.zeros(len(out), bool)
    if settings.progress_drop > 0 and len(years) == 3:
        ratios = frame.pivot_table(index=keys, columns="year", values="_r", aggfunc="max", dropna=False)
        ratios = ratios.reindex(index=table.index, columns=years).to_numpy(float)
        with np.errstate(invalid="ignore"):
            falls = ratios[:, :-1] - ratios[:, 1:]
            progress = (falls >= settings.progress_drop - 1e-12).all(axis=1)
    out["reasonable_progress"] = progress
    return out


def heatmap_table(df: pd.DataFrame, values: str = "difference") -> pd.DataFrame:
    """Groups (rows, "dimension: group") × outcomes (columns) of the difference (or another column);
    suppressed cells empty."""
    shown = df.assign(row=df["dimension"] + ": " + df["group"]).drop_duplicates(["row", "outcome"])
    table = shown.pivot(index="row", columns="outcome", values=values)
    return table.reindex(index=list(dict.fromkeys(shown["row"])), columns=list(dict.fromkeys(shown["outcome"])))


def heatmap_labels(df: pd.DataFrame) -> pd.DataFrame:
    """`heatmap_table`'s cells as written (`statements.points_label`: "−13", "−48 to +4" for a rate the file
    gives as a range); "" where the cell is empty."""
    labels = [points_label(row) for row in df.to_dict("records")]
    return heatmap_table(df.assign(_label=labels), "_label").fillna("")


def heatmap_harm(df: pd.DataFrame) -> pd.DataFrame:
    """`heatmap_table` turned so that a positive value always means the group does worse: the
    difference as it is when lower is better (suspension), its negative when higher is better."""
    table = heatmap_table(df)
    better = (df.drop_duplicates("outcome").set_index("outcome")["higher_is_better"]
              if "higher_is_better" in df else pd.Series(True, index=table.columns))
    flip = better.reindex(table.columns).fillna(True).map(lambda b: -1.0 if b else 1.0)
    return table * flip


def select(df: pd.DataFrame, **filters) -> pd.DataFrame:
    """Rows matching every non-empty filter (value or list of values), e.g. select(df, level="district")."""
    mask = np.ones(len(df), bool)
    for col, value in filters.items():
        if value is None or (isinstance(value, (list, tuple)) and not value):
            continue
        mask &= df[col].isin(value if isinstance(value, (list, tuple)) else [value]).to_numpy()
    return df[mask]



class Lookup:
    """A gap table with its rows found by place and by group × outcome, so that a page's filters and
    drill-downs read the few hundred rows they show instead of scanning the whole table each time."""

    KEYS = ("level", "district", "school", "year", "dimension", "group", "outcome")

    def __init__(self, table: pd.DataFrame, like: "Lookup | None" = None):
        """`like`: the lookup of another screen of the same data; when its rows are these rows (the same places,
        years, groups and outcomes, in the same order: a change of comparison or minimum sizes), its indexes are
        these (a million records: 0.05 → 0.02 s)."""
        table = table if "district" in table else table.assign(district="")
        self.table = table
        same = like is not None and len(like.table) == len(table)
        if same and all(like.table[k].equals(table[k]) for k in self.KEYS):
            for name in ("_places", "_cells", "years", "schools", "groups", "outcomes", "dimensions", "pairs"):
                setattr(self, name, getattr(like, name))
        else:
            self._places = table.groupby(["level", "district", "school"], sort=False).indices
            self._cells = table.groupby(["dimension", "group", "outcome"], sort=False).indices
            self.years = sorted(y for y in table["year"].unique() if y)
            self.schools = sorted(s for s in table["school"].unique() if s)
            self.groups = sorted(table["group"].unique())
            self.outcomes = list(table["outcome"].unique())  # in the mapping's order
            self.dimensions = list(table["dimension"].unique())
            self.pairs = list(dict.fromkeys((d, g) for d, g, _ in self._cells))  # (dimension, group), in table order
        self.places = places(table)  # (level, district, school): the whole file first, then the largest
        self._flags: dict = {}  # (place, settings) -> its `multi_year_flags`
        self._taken: dict = {}  # place -> its rows, for the places looked at lately
        self._lock = threading.Lock()  # the pages of every browser tab share a lookup

    @classmethod
    def kept(cls, table: pd.DataFrame, memo) -> "Lookup":
        """The lookup of `table`, `like` the last one `memo` (`engine.memo.Memo`) kept, and kept there in turn: a
        page's screens of one data set, one change of settings after another."""
        lookup = cls(table, like=memo.latest("lookup"))
        memo.put(("lookup",), lookup)
        return lookup

    def gap_screen(self, settings: GapSettings, *, level: str, school: str = "", district: str = "",
                   **filters) -> tuple[pd.DataFrame, pd.DataFrame]:
        """`gap_screen` of one place, its multi-year flags kept per place and settings: a change of year,
        outcome or dimension only ranks the rows it picks."""
        place = self.place(level, school, district)
        key = (level, school, district, settings.model_dump_json())
        flags = self._flags.get(key)
        if flags is None:
            flags = multi_year_flags(place, settings)
            self._keep(self._flags, key, flags, 64)
        return gap_screen(place, settings, level=level, school=school, district=district, flags=flags, **filters)

    def _rows(self, index: dict, key) -> pd.DataFrame:
        return self.table.take(index.get(key, np.zeros(0, int)))

    def place(self, level: str, school: str = "", district: str = "") -> pd.DataFrame:
        """Every row (every year) of the whole file (level "state" or "district" without a district), a
        district or a school (`district`: a school's district, when the file has one)."""
        if level == "school" and not district:  # a school found by its name alone
            district = next((d for lv, d, s in self._places if lv == "school" and s == school), "")
        key = (level, district if level != "state" else "", school if level == "school" else "")
        rows = self._taken.get(key)  # kept: a change of year, outcome or dimension reads its place again
        if rows is None:
            rows = self._rows(self._places, key)
            self._keep(self._taken, key, rows, 16)
        return rows.copy(deep=False)  # copy-on-write: a caller's change stays in its copy

    def _keep(self, kept: dict, key, value, most: int) -> None:
        """`kept[key] = value`, the oldest let go beyond `most` (the places looked at lately)."""
        with self._lock:
            kept[key] = value
            while len(kept) > most:
                kept.pop(next(iter(kept)))

    def cell(self, dimension: str, group: str, outcome: str) -> pd.DataFrame:
        """Every row (every level, school and year) of one group and outcome."""
        return self._rows(self._cells, (dimension, group, outcome))


def gap_screen(table: pd.DataFrame, settings: GapSettings, *, level: str = "district", school: str = "",
               year: str | None = None, outcomes=None, dimensions=None,
               district: str | None = None, flags: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The screen for one level (and school or district) and year: (shown rows ranked, with `years_flagged`
    from `multi_year_flags`, or `flags` when the caller kept them for this place and settings; suppressed
    rows apart). `table` is `screen(..., extra=True)`."""
    place = select(table, level=level, school=school if level == "school" else "")
    if district is not None and "district" in place:
        place = place[(place["district"].fillna("") == district).to_numpy()]
    keys = ["level", "school", "dimension", "group", "outcome"] + (["district"] if "district" in place else [])
    years = (multi_year_flags(place, settings) if flags is None else flags)[keys + ["years_flagged", "flagged_years"]]
    rows = select(place, year=year, outcome=outcomes, dimension=dimensions)
    shown, hidden = ranked(rows, settings)
    # (an empty left side is not merged: pandas can return the right side's rows for it)
    shown = shown.merge(years, how="left", on=keys) if len(shown) else shown.assign(years_flagged=0, flagged_years="")
    return shown, hidden


def whole_place(table: pd.DataFrame) -> tuple[str, str, str]:
    """The whole file as a place: level 'state' when it holds several districts, else 'district'."""
    return ("state" if (table["level"] == "state").any() else "district"), "", ""


def places(table: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Every place of a gap table, (level, district, school): the whole file, then its districts and
    schools, the largest first, for a type-ahead picker. A place's size is what its shown rows say of its
    students: a group and all other students (n + comparison n), all students (comparison n), else the
    largest group (a benchmark or a reference group as the comparison); places without a count last.
    Hidden figures are blank in the table, so the order tells nothing they hide."""
    table = table if "district" in table else table.assign(district="")
    keys = ["level", "district", "school"]
    n, others = table["n"].astype(float), table["comparison_n"].astype(float)
    comparison = table["comparison"].astype(str) if "comparison" in table else pd.Series("", index=table.index)
    students = np.where(comparison.str.startswith(LABEL_OTHERS), n + others,
                        np.where(comparison.eq(LABEL_ALL), others, n))
    size = table[keys].fillna("").assign(_size=students).groupby(keys, sort=False)["_size"].max()
    whole = whole_place(table)
    found = [(str(k[0]), str(k[1]), str(k[2])) for k in size.index]
    order = dict(zip(found, size.fillna(-1).to_numpy(float)))
    return [whole] + sorted((p for p in found if p != whole), key=lambda p: (-order[p], p[0] != "district", p))


def place_label(place: tuple[str, str, str], states: int = 0) -> str:
    """"Town High (Town (0100005))", "Town (0100005) (district)", "the whole file (every district in it)";
    `states` (the table's attrs["states"]): "the nation (the whole file: 50 states)"."""
    level, district, school = place
    if level == "school":
        return f"{school} ({district})" if district else school
    if level == "district" and district:
        return f"{district} (district)"
    if states > 1:
        return f"the nation (the whole file: {states} states)"
    if level == "state":
        return "the state (the whole file: every district in it)" if states == 1 else \
            "the whole file (every district in it)"
    return "the whole file"


# `screen._notes`' sentence of a sum some of whose schools give no count
_LEFT_OUT = re.compile(r"^(?P<k>[\d,]+) schools? (?P<where>in [\d,]+ states? )?gives? no (?P<what>.+?) and (?:is|are) "
                       r"not in this total$")


def row_notes(shown: pd.DataFrame) -> list[str]:
    """The shown rows' notes (schools left out of a sum, a group that is every student), each once; each names
    its group (and outcome) when they differ from group to group. Groups whose sums leave out schools of as many
    states share one sentence with each group's number of schools: a public file's nine groups read as one line."""
    noted = shown[shown["note"].fillna("").astype(str) != ""] if "note" in shown else shown.iloc[:0]
    texts = noted["note"].astype(str).tolist() if len(noted) else []
    if len(set(texts)) <= 1:
        return list(dict.fromkeys(texts))
    several = noted["outcome"].nunique() > 1
    named = list(dict.fromkeys((f"{g}{f' ({o})' if several else ''}", text)
                               for g, o, text in zip(noted["group"], noted["outcome"], texts)))
    shared: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for name, text in named:
        if left := _LEFT_OUT.match(text):
            shared.setdefault((left["where"] or "", left["what"]), []).append((name, left["k"]))
    out = []
    for name, text in named:
        left = _LEFT_OUT.match(text)
        key = (left["where"] or "", left["what"]) if left else None
        if key and len(shared[key]) > 1:
            if shared[key][0][0] == name:  # the shared sentence stands where its first group's stood
                listed = ", ".join(f"{group} {k}" for group, k in shared[key])
                out.append(f"schools {key[0]}that give no {key[1]} are not in these totals; by group: {listed}")
            continue
        out.append(f"{name}: {text}")
    return out
