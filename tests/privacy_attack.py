"""An attacker that tries to work out hidden cells of published gap tables (linear programming).

`audit(tables)` takes one or more published gap tables of the SAME data (the CLI's output with and
without --by school / --by year, either comparison; see the docstring of successgaps/gaps.py for
the columns) and returns one row per hidden cell it can work out too closely. It reads only the
published tables, never the suppression code.

What the attacker assumes it knows
----------------------------------
- A cell is (level, school, year, dimension, group, outcome). Its n is published even when the row
  is hidden, and so is comparison_n; hence every place's all-students count N = n + comparison_n
  ("all other students") or N = comparison_n ("all students"). The all-students figures of each
  (level, school, year, outcome) are one more cell, dimension `TOTAL`.
- A shown binary row gives the cell's events and the place's total events
  E = events + round(comparison_rate · comparison_n) ("all other students") or
  round(comparison_rate · comparison_n) ("all students"). A shown numeric row gives the cell's sum
  mean · n and the total sum mean · n + comparison_mean · comparison_n (or comparison_mean · comparison_n).
- Sets that add up, each an equation  Σ parts + remainder = whole, the remainder being the students
  in the whole who are in no listed part (its size, whole n − Σ part n, is known; a set whose parts
  are larger than the whole is not used):
  (a) the groups of one dimension at one (level, school, year, outcome) add up to the total;
  (b) the school rows add up to the district row of the same (year, dimension, group, outcome),
      totals included;
  (c) a table with no year at all (a multi-year file screened without --by year) is pooled
      (year `POOLED`): the years of another table add up to it;
  (d) a combined dimension "A & B" with groups "a & b" (successgaps' labels for combined groups):
      over one part, the combined groups add up to the parent group's row (a of A, b of B);
  (e) two binary outcomes whose n are equal in every cell and whose events add up to n in every
      cell shown for both ("Graduated" and "Not graduated") are complementary: x₂ = n − x₁ in every
      cell; two whose events are equal in every such cell are the same outcome: x₂ = x₁.
- Bounds: 0 ≤ events ≤ n for binary cells and remainders, narrowed by what a hidden row's published
  reason says ("fewer than 10 students in the group with the outcome": at most 9; "… without the
  outcome": at least n − 9, and at least 10 since the test with the outcome came first; a row hidden
  for its comparison or for another cell's sake passed its own tests: 10 to n − 10). Numeric sums are
  unbounded (scores have
  no known range), so a numeric cell is disclosed only when its sum is determined exactly; a
  numeric remainder of any students is free, so only exact partitions (remainder 0) constrain sums.
- Events are whole numbers, so the LP bounds are rounded inwards (ceil of the minimum, floor of
  the maximum). The attacker does not use the comparison's reasons, rates of other comparisons,
  intervals, p-values or effect sizes (each could only narrow the bounds further).

A hidden binary cell with n > 0 is disclosed when fewer than min(cell_size, n + 1) counts remain
possible (max − min < min(cell_size − 1, n): the cell-size rule itself says "0 to 9"), and pinned
when max = min; a cell hidden in one table but shown in another is pinned outright.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

TOTAL = "(all students)"  # dimension and group of a place's all-students cell
POOLED = "(all years)"  # the year of a table screened without --by year over several years
COMBINED_JOIN = " & "  # how successgaps labels combined dimensions and their groups
KEYS = ["level", "school", "year", "dimension", "group", "outcome"]
TOL = 1e-6
# a row hidden for its comparison or for another cell's sake passed its own tests: cell size to n - cell size
PASSED = re.compile(r"^hidden so that|comparison group|outside the group")
REASON = re.compile(r"^fewer than (?P<k>\d+) students in the group (?P<without>with|without) the outcome$")
FINDING_COLUMNS = KEYS + ["kind", "n", "low", "high", "pinned", "views", "why"]


def read_table(path) -> pd.DataFrame:
    """A published CSV gap table with text keys ('' for blank) and numeric figures."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in df.columns:
        if c not in KEYS + ["comparison", "suppressed", "suppression_reason", "risk_ratio_comparison", "district", "note"]:
            df[c] = pd.to_numeric(df[c].replace("", np.nan))
    return df


# ---------------------------------------------------------------- what the tables give away

class Knowledge:
    """n, known values and hidden-ness of every cell, gathered from all tables."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], reasons: bool = True, cell_size: int = 0):
        self.reasons, self.cell_size = reasons, cell_size
        self.n: dict[tuple, float] = {}
        self.value: dict[tuple, float] = {}  # events (binary) or sum (numeric)
        self.source: dict[tuple, str] = {}  # the table a value was read from
        self.hidden: dict[tuple, set] = defaultdict(set)
        self.kind: dict[str, str] = {}  # outcome -> binary / numeric
        self.bounds: dict[tuple, tuple] = {}  # what a hidden row's published reason says of its events
        for name, table in tables.items():
            self._read(name, table)

    def _set(self, store: dict, key, value, what: str, tol: float) -> None:
        if key in store and abs(store[key] - value) > tol:
            raise ValueError(f"tables disagree on the {what} of {key}: {store[key]} vs {value}")
        store.setdefault(key, value)

    def _read(self, name: str, table: pd.DataFrame) -> None:
        t = table.copy()
        for c in KEYS + ["comparison"]:
            t[c] = t[c].astype(object).where(t[c].notna(), "").astype(str)
        if not (set(t["year"]) - {""}):
            t["year"] = POOLED
        suppressed = t["suppressed"].astype(str).str.lower().isin(["true", "1", "1.0"])
        labels = t.loc[t["comparison"] != "", "comparison"]
        view_label = labels.mode().iloc[0] if len(labels) else ""
        figures = {c: (pd.to_numeric(t[c], errors="coerce") if c in t else pd.Series(np.nan, index=t.index))
                   .to_numpy(float).tolist() for c in ("n", "events", "mean", "comparison_n", "comparison_rate",
                                                       "comparison_mean")}
        labels_of = t["comparison"].tolist()
        hidden_rows = suppressed.tolist()
        reasons = (t["suppression_reason"].astype(str) if "suppression_reason" in t else pd.Series("", index=t.index)).tolist()
        for i, row in enumerate(t[KEYS].itertuples(index=False, name=None)):
            n, cn = figures["n"][i], figures["comparison_n"][i]
            label = (labels_of[i] or view_label).lower()
            total = row[:3] + (TOTAL, TOTAL, row[5])
            self._set(self.n, row, float(n), "n", 0.5)
            if label.startswith("all other"):
                big_n, own = n + cn, 1.0
            elif label.startswith("all students"):
                big_n, own = cn, 0.0
            else:
                big_n, own = math.nan, math.nan
            if not math.isnan(big_n):
                self._set(self.n, total, float(big_n), "n", 0.5)
            if hidden_rows[i]:
                self.hidden[row].add(name)
                said = REASON.match(reasons[i]) if self.reasons else None
                low, high = self.bounds.get(row, (0.0, float(n)))
                if said:  # "fewer than 10 students in the group with the outcome": at most 9; without: at least
                    fewer = float(said["k"]) - 1  # n - 9, and 10 (the test with the outcome came first and passed)
                    self.bounds[row] = ((max(low, n - fewer, fewer + 1), high) if said["without"] == "without"
                                        else (low, min(high, fewer)))
                elif self.reasons and self.cell_size and PASSED.search(reasons[i]):  # it passed its own tests
                    self.bounds[row] = (max(low, self.cell_size), min(high, n - self.cell_size))
                continue
            events, mean = figures["events"][i], figures["mean"][i]
            rate, cmean = figures["comparison_rate"][i], figures["comparison_mean"][i]
            if not math.isnan(events):
                self.kind[row[5]] = "binary"
                self._set(self.value, row, float(events), "events", 0.5)
                self.source.setdefault(row, name)
                if not math.isnan(rate) and not math.isnan(own):
                    self._set(self.value, total, own * events + round(rate * cn), "events", 0.5)
                    self.source.setdefault(total, name)
            elif not math.isnan(mean):
                self.kind[row[5]] = "numeric"
                self._set(self.value, row, mean * n, "sum", 1e-6 * max(1.0, abs(mean * n)))
                self.source.setdefault(row, name)
                if not math.isnan(cmean) and not math.isnan(own):
                    self._set(self.value, total, own * mean * n + cmean * cn, "sum", 1e-6 * max(1.0, abs(cmean * cn)))
                    self.source.setdefault(total, name)


# ---------------------------------------------------------------- the sets that add up

def equations(k: Knowledge) -> list[tuple[dict, float, float, str]]:
    """Every equation (terms {cell: coefficient}, rhs, remainder size, why): Σ coef·x + r = rhs, 0 ≤ r ≤ size."""
    eqs = []

    def add_up(parts: list, whole: tuple, why: str) -> None:
        size = k.n[whole] - sum(k.n[p] for p in parts)
        if parts and size > -0.5:
            eqs.append(({**{p: 1.0 for p in parts}, whole: -1.0}, 0.0, max(size, 0.0), why))

    cells = [c for c in k.n if c[5] in k.kind]
    by = defaultdict(list)
    for c in cells:
        level, school, year, dim, group, outcome = c
        if dim != TOTAL:
            by["a", level, school, year, outcome, dim].append(c)
        if level == "school":
            by["b", year, dim, group, outcome].append(c)
        if year != POOLED:
            by["c", level, school, dim, group, outcome].append(c)
    whole_of = {"a": lambda g: g[1:4] + (TOTAL, TOTAL, g[4]),
                "b": lambda g: ("district", "", g[1], g[2], g[3], g[4]),
                "c": lambda g: (g[1], g[2], POOLED, g[3], g[4], g[5])}
    why_of = {"a": "groups add up to the total", "b": "schools add up to the district",
              "c": "years add up to the pooled row"}
    for g, parts in by.items():
        whole = whole_of[g[0]](g)
        if whole in k.n:
            add_up(parts, whole, why_of[g[0]])

    # (d) combined groups: "a & b" of dimension "A & B" add up, over b, to group a of A (and over a, to b of B)
    groups = defaultdict(set)
    for c in cells:
        groups[c[3]].add(c[4])
    for dim in list(groups):
        for first in groups:
            second = dim[len(first) + len(COMBINED_JOIN):]
            if not dim.startswith(first + COMBINED_JOIN) or second not in groups:
                continue
            for side, parent_dim in ((0, first), (1, second)):
                sets = defaultdict(list)
                for c in cells:
                    if c[3] != dim:
                        continue
                    for a in groups[first]:
                        b = c[4][len(a) + len(COMBINED_JOIN):]
                        if c[4].startswith(a + COMBINED_JOIN) and b in groups[second]:
                            sets[c[:3] + (parent_dim, (a, b)[side], c[5])].append(c)
                for whole, parts in sets.items():
                    if whole in k.n:
                        add_up(parts, whole, f"combined groups add up to {parent_dim}")

    # (e) complementary and identical binary outcomes
    per_outcome = defaultdict(dict)
    for c in cells:
        per_outcome[c[5]][c[:5]] = c
    binary = [o for o in per_outcome if k.kind.get(o) == "binary"]
    for i, o1 in enumerate(binary):
        for o2 in binary[i + 1:]:
            c1, c2 = per_outcome[o1], per_outcome[o2]
            if c1.keys() != c2.keys() or any(k.n[c1[p]] != k.n[c2[p]] for p in c1):
                continue
            both = [p for p in c1 if c1[p] in k.value and c2[p] in k.value]
            if not both:
                continue
            same = all(abs(k.value[c1[p]] - k.value[c2[p]]) < 0.5 for p in both)
            complement = all(abs(k.value[c1[p]] + k.value[c2[p]] - k.n[c1[p]]) < 0.5 for p in both)
            if same != complement:
                for p in c1:
                    eqs.append(({c1[p]: 1.0, c2[p]: -1.0 if same else 1.0}, 0.0 if same else k.n[c1[p]], 0.0,
                                f"{o2} is {'the same as' if same else 'the complement of'} {o1}"))
    return eqs


# ---------------------------------------------------------------- bounding

def _components(eqs, unknown: set) -> list[tuple[list, list]]:
    """(cells, equations) of each connected component of the unknown cells."""
    parent = {c: c for c in unknown}

    def find(c):
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for terms, *_ in eqs:
        cs = [c for c in terms if c in unknown]
        for c in cs[1:]:
            parent[find(c)] = find(cs[0])
    cells, rows = defaultdict(list), defaultdict(list)
    for c in unknown:
        cells[find(c)].append(c)
    for j, (terms, *_) in enumerate(eqs):
        cs = [c for c in terms if c in unknown]
        if cs:
            rows[find(cs[0])].append(j)
    return [(cells[r], rows[r]) for r in cells]


def _system(k: Knowledge, eqs, cells: list, rows: list, with_remainders: bool):
    """A_eq, b_eq over the component's cells (then one remainder per equation of size > 0)."""
    index = {c: i for i, c in enumerate(cells)}
    r, col, val, b, sizes = [], [], [], [], []
    for i, j in enumerate(rows):
        terms, rhs, size, _ = eqs[j]
        for c, coef in terms.items():
            if c in index:
                r.append(i), col.append(index[c]), val.append(coef)
            else:
                rhs -= coef * k.value[c]
        if with_remainders and size > TOL:
            r.append(i), col.append(len(cells) + len(sizes)), val.append(1.0)
            sizes.append(size)
        b.append(rhs)
    shape = (len(rows), len(cells) + len(sizes))
    return coo_matrix((val, (r, col)), shape=shape).tocsr(), np.array(b), sizes


def _check_known(k: Knowledge, eqs, unknown: set) -> None:
    """Equations with nothing unknown must hold (else the attacker's model of the table is wrong)."""
    for terms, rhs, size, why in eqs:
        if any(c in unknown for c in terms) or any(k.kind[c[5]] != "binary" for c in terms):
            continue
        rest = rhs - sum(coef * k.value[c] for c, coef in terms.items())
        if not -0.5 < rest < size + 0.5:
            raise ValueError(f"published figures break '{why}' at {next(iter(terms))}: remainder {rest}, size {size}")


def _propagate(A, b, lb: np.ndarray, ub: np.ndarray, rounds: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Outer bounds of every variable of {A x = b, lb ≤ x ≤ ub} by bound propagation: each equation
    bounds each of its variables by the others' bounds, repeated until nothing moves. Never narrower
    than the LP's own min/max (so a target narrower here than it may be is surely disclosed)."""
    A = A.tocoo()
    r, c, a = A.row, A.col, A.data
    lb, ub = lb.copy(), ub.copy()
    for _ in range(rounds):
        low_t, high_t = np.where(a > 0, a * lb[c], a * ub[c]), np.where(a > 0, a * ub[c], a * lb[c])
        rmin, rmax = np.bincount(r, low_t, len(b)), np.bincount(r, high_t, len(b))
        low_ax, high_ax = b[r] - (rmax[r] - high_t), b[r] - (rmin[r] - low_t)  # a·x of this entry lies here
        new_lb, new_ub = lb.copy(), ub.copy()
        np.maximum.at(new_lb, c, np.where(a > 0, low_ax, high_ax) / a)
        np.minimum.at(new_ub, c, np.where(a > 0, high_ax, low_ax) / a)
        moved = max(np.abs(new_lb - lb).max(initial=0), np.abs(new_ub - ub).max(initial=0))
        lb, ub = new_lb, new_ub
        if moved < 1e-9:
            break
    return lb, ub


def _bound_binary(k, eqs, cells, rows, targets, cell_size, rng) -> dict:
    """{target: (min, max)} for the targets that vary by less than min(cell_size - 1, n) (bounds rounded inwards).

    Inner bounds come from feasible points (a few LPs pushing all open targets together, then each
    LP's solution), outer bounds from propagation; a dedicated min or max LP is solved only for a
    target whose rounded inner and outer bounds differ on that side and decide nothing."""
    A, b, sizes = _system(k, eqs, cells, rows, True)
    bounds = np.array([k.bounds.get(c, (0.0, k.n[c])) for c in cells] + [(0.0, s) for s in sizes])
    ti = np.array([cells.index(t) for t in targets])
    need = np.array([min(cell_size - 1, k.n[t]) for t in targets])
    lo, hi = np.full(len(ti), np.inf), np.full(len(ti), -np.inf)
    out_lb, out_ub = _propagate(A, b, bounds[:, 0], bounds[:, 1])
    out_lo, out_hi = np.ceil(out_lb[ti] - TOL), np.floor(out_ub[ti] + TOL)

    def solve(c):
        res = linprog(c, A_eq=A, b_eq=b, bounds=bounds, method="highs")
        if res.status != 0:
            raise ValueError(f"no feasible table for the component of {targets[0]}: {res.message}")
        np.minimum(lo, res.x[ti], out=lo)
        np.maximum(hi, res.x[ti], out=hi)
        return res.fun

    def inner():  # the rounded range seen among feasible points, within which the LP's range surely lies
        return np.ceil(lo - TOL), np.floor(hi + TOL)

    def open_():  # neither surely wide enough (inner) nor surely too narrow (outer)
        in_lo, in_hi = inner()
        return (in_hi - in_lo < need) & (out_hi - out_lo >= need) | (out_hi - out_lo < need) & (
            (in_lo != out_lo) | (in_hi != out_hi))

    # certify many at once: push all open targets down, up, then in random directions
    for direction in (1.0, -1.0, None, None, None):
        todo = open_()
        if not todo.any():
            break
        c = np.zeros(A.shape[1])
        c[ti[todo]] = direction if direction else rng.choice([-1.0, 1.0], todo.sum())
        solve(c)
    for j in np.flatnonzero(open_()):  # the rest, one LP per undecided side
        for sign in (1.0, -1.0):
            in_lo, in_hi = inner()
            if not open_()[j] or (in_lo[j] if sign > 0 else in_hi[j]) == (out_lo[j] if sign > 0 else out_hi[j]):
                continue
            c = np.zeros(A.shape[1])
            c[ti[j]] = sign
            value = sign * solve(c)
            if sign > 0:
                out_lo[j] = math.ceil(value - TOL)
            else:
                out_hi[j] = math.floor(value + TOL)
    return {targets[j]: (out_lo[j] + 0.0, out_hi[j] + 0.0) for j in np.flatnonzero(out_hi - out_lo < need)}


def _determined_numeric(k, eqs, cells, rows, targets) -> dict:
    """{target: (sum, sum)} for the targets whose sum the exact partitions fix: those whose unit vector
    lies in the row space of the equations (economic SVD), valued by the least-squares solution."""
    A, b, _ = _system(k, eqs, cells, rows, False)
    u, s, vt = np.linalg.svd(A.toarray(), full_matrices=False)
    rank = int((s > s[0] * 1e-10).sum()) if len(s) else 0
    u, s, vt = u[:, :rank], s[:rank], vt[:rank]
    x = vt.T @ ((u.T @ b) / s)
    in_row_space = (vt ** 2).sum(axis=0)
    return {t: (x[i], x[i]) for t in targets if in_row_space[i := cells.index(t)] > 1 - 1e-8}


def audit(tables: Mapping[str, pd.DataFrame], cell_size: int = 10, seed: int = 0, reasons: bool = True) -> pd.DataFrame:
    """Findings (columns `FINDING_COLUMNS`): hidden cells the tables together give away.

    low/high are the bounds on events (binary) or on the sum of the outcome (numeric); views are the
    tables in which the cell is hidden; why names the sets linking the cell (or the table showing it)."""
    k = Knowledge(tables, reasons, cell_size)
    eqs = equations(k)
    unknown = {c for c in k.n if c[5] in k.kind and c not in k.value}
    _check_known(k, eqs, unknown)
    targets = {c for c, views in k.hidden.items() if views and k.n[c] > 0 and c[5] in k.kind}
    found = {}
    for c in targets - unknown:  # hidden in one table, shown in another
        found[c] = (k.value[c], k.value[c], f"shown in table {k.source[c]}")
    rng = np.random.default_rng(seed)
    why_of = defaultdict(set)
    for terms, _, _, why in eqs:
        for c in terms:
            why_of[c].add(why)
    binary = [e for e in eqs if k.kind[next(iter(e[0]))[5]] == "binary"]
    exact = [e for e in eqs if k.kind[next(iter(e[0]))[5]] == "numeric" and e[2] <= TOL]  # numeric: see docstring
    for system, bound in ((binary, lambda *a: _bound_binary(*a, cell_size, rng)), (exact, _determined_numeric)):
        for cells, rows in _components(system, unknown):
            mine = sorted(c for c in cells if c in targets)
            if mine and rows:
                for c, (low, high) in bound(k, system, cells, rows, mine).items():
                    found[c] = (low, high, "; ".join(sorted(why_of[c])) + f" (linked cells: {len(cells)})")
    out = [dict(zip(KEYS, c), kind=k.kind[c[5]], n=k.n[c], low=low, high=high, pinned=high - low < 0.5,
                views=sorted(k.hidden[c]), why=why) for c, (low, high, why) in found.items()]
    return pd.DataFrame(out, columns=FINDING_COLUMNS).sort_values(KEYS, ignore_index=True)
