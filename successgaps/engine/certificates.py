"""Certificates that no hidden cell of the gap table can be worked out: the search behind
`engine.suppression.protect` (pure numpy and Python, no pandas table, no SQL).

The model (one outcome at a time; outcomes are separate tables). A cell is (place, year, group) with
n students, of whom `events` have the outcome (numeric outcomes: the sum of the values, unbounded).
Places form a tree (the whole file, its schools), years another (every year pooled, each year), and
in each place and year the groups of every dimension add up to all students (ALL) with the students
of unknown group as a remainder (a virtual, never published cell). What a reader knows: every n,
every shown cell's events, ALL wherever a row of that place and year is shown, and all the sums.

A *certificate* for a hidden cell is another table that agrees with every published figure and every
sum, in which the cell has a different count: then nobody can tell which table is true. Each
certificate here is a product of one move per axis (place, year, group) — a cube whose corners are
all hidden — e.g. +d at (school A, 2023, Black), -d at (school B, 2023, Black), -d at (school A,
2024, Black), ... Every equation holds because each axis move keeps its own sums (a swap between
siblings keeps their parent; a move of a child with its parent keeps the grandparent). Cubes add up
while each corner has room (events between 0 and n): `packed` sums them, so a cell's certified width
(how far it can move up plus down) is a lower bound of what any attacker's linear program finds.

`certify` hides more cells until every *sensitive* hidden cell (hidden for its own small counts)
can move by at least min(cell size, n) and every other hidden cell by at least 1 (it cannot be
pinned). A move stays within what the reader knows of each cell: between 0 and n, and within what the
published reasons say ("fewer than 10 with the outcome": 0-9; a cell hidden for another's sake or for
its comparison passed its own tests: 10 to n - 10). It adds whole cubes, choosing the one that loses the least information (fewest students
newly hidden; ties by table order, so the result is repeatable). Monotone: hiding more never breaks
a certificate. When no cube can give a sensitive cell its width (nothing else left to hide), that
outcome's whole year is hidden (years are separate tables when no pooled years are published; with a
pooled-years axis, the whole outcome).

Speed. Each outcome is searched on its own, each year too when years are separate tables (a large lattice's parts
shared out between two processes, `certify`). Two vectorised passes first: `fast_certificates` (one standard cube
per cell) and `packed_certificates` (2 x 2 cubes — a partner group, a partner place where both its corners are
hidden — packed with their rooms shared as one table would share them). The cells left go one by one; in the
common case (years are separate tables, places are the whole file and its schools, no combined groups) `quick`
measures the same 2 x 2 packing in plain Python over the cell's few rows and `quick_cube` picks the 2 x 2 cube to
hide next; the general search (`packed`, `cheapest`: sibling and parent paths, year moves, the unknown remainder,
total moves, combined groups) runs where they do not reach and always before a cell would get more than cubes (its
whole dimension: in its own year when years are separate tables; then its whole year). Every pass gives a width
some table reaches, so a faster pass can hide a few more cells, never protect fewer (the audit in the tests checks
it).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import warnings
from collections import deque
from dataclasses import dataclass, field, fields, replace
from itertools import islice, product

import numpy as np
import pandas as pd

SEARCH = 6  # candidate moves per axis tried when a cube must be added
CHILDREN = 16  # children of a parent tried (a whole-file cell moves through its schools)
STRICT = False  # a small cell that cannot keep the full width: hide more (True) or accept 'not pinned'
CUBES = 150  # cubes looked at per certificate
ROUNDS = 30  # cubes added at most per cell before the outcome is hidden whole
SOFT_ROUNDS = 0  # cubes added at most to widen a cell beyond what it needs
PARALLEL_ROWS = 50_000  # a lattice this large certifies about half of its outcomes in a second process
ENDLESS = 1e15  # the room of a numeric cell in the vectorised packing (any cube moves it without bound)


@dataclass
class Lattice:
    outcome: np.ndarray  # int code per row
    place: np.ndarray
    year: np.ndarray
    group: np.ndarray  # int code, global over dimensions; ALL rows have code `all_group`
    dimension_of: np.ndarray  # per group code: its dimension code (-1 for ALL)
    place_parent: np.ndarray  # per place code: parent place code or -1
    year_parent: np.ndarray  # per year code: parent code or -1
    n: np.ndarray
    events: np.ndarray  # NaN for numeric outcomes (any movement) or unknown
    numeric: np.ndarray
    hidden: np.ndarray  # primary suppression (virtual rows: True)
    sensitive: np.ndarray  # hidden for its own small counts: needs the full width
    virtual: np.ndarray  # not a published row (unknown-group remainders, ALL totals)
    all_group: int = -1
    unknown_of: dict = field(default_factory=dict)  # dimension code -> its unknown-group code
    combined: dict = field(default_factory=dict)  # combined dim -> (dim a, dim b, {group c: (group a, group b)})
    # what a reader knows of each cell's events besides the sums: its published reason ("fewer than 10 with
    # the outcome": 0-9) or, a row shown or hidden for another's sake, that it passed the cell-size tests
    low: np.ndarray | None = None  # events at least (None: 0)
    high: np.ndarray | None = None  # events at most (None: n)

    @property
    def separate_years(self) -> bool:
        """Years are separate tables: every year a root of the year tree (no pooled years published), so no cube,
        total or blanket reaches another year."""
        return bool((np.asarray(self.year_parent) < 0).all())


def fingerprint(L: Lattice, shared: tuple[dict, bytes] = ({}, b"")) -> bytes:
    """A digest of every field of the lattice (its cells, counts, what is hidden and what is known of each):
    two lattices with the same fingerprint get the same certificates. `shared`: (fields by name, their
    `digest_fields`): a field of L that is that very object is not read again, its digest stands for it (a
    screen's codes and counts are the same whatever the settings, `suppression._structure`: at a million records
    0.024 → 0.006 s for each change of settings)."""
    values, known = shared
    digest = hashlib.blake2b(known, digest_size=32)
    for f in fields(L):
        value = getattr(L, f.name)
        if f.name not in values or values[f.name] is not value:
            _digest_field(digest, f.name, value)
    return digest.digest()


def digest_fields(values: dict) -> bytes:
    """A digest of lattice fields by name (`fingerprint`'s `shared`)."""
    digest = hashlib.blake2b(digest_size=32)
    for name, value in values.items():
        _digest_field(digest, name, value)
    return digest.digest()


def _digest_field(digest, name: str, value) -> None:
    if isinstance(value, np.ndarray):
        digest.update(f"{name}:{value.dtype}:{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    else:
        digest.update(f"{name}:{value!r}".encode())


def certify(L: Lattice, min_cell: int) -> tuple[np.ndarray, np.ndarray]:
    """(hidden, because) per lattice row: hidden after complementary suppression; `because[i]` the row
    whose certificate made row i hidden (-1: hidden by the primary rules, or shown).

    Outcomes are separate tables (every cube, total and blanket stays within its outcome), and so are years when
    no pooled years are published (every year a root of the year tree: no cube, total or blanket reaches another
    year). So each part — an outcome, or an outcome's year — is certified on its own: the same result as one
    search over all of them, and quicker (smaller lookups). A lattice of at least `PARALLEL_ROWS` rows, on Linux
    with two cores or more, is certified by two processes (the search is plain Python, one core each), each taking
    the next part, the largest first, until none is left: an outcome's years share the work out more evenly than
    whole outcomes, whose searches differ up to fivefold (10M records: 4.8–4.9 → 4.3–4.8 s). Parts whose cells are
    the same (scale scores in reading and math, counted for the same students; an outcome the file gives twice)
    are certified once: the search reads nothing else of them."""
    part_of = (L.outcome.astype(np.int64) * len(L.year_parent) + L.year) if L.separate_years else L.outcome
    sizes = np.bincount(part_of)  # parts numbered from their small codes, not by sorting the rows (`np.unique`)
    part_of = (np.cumsum(sizes > 0) - 1)[part_of].astype(np.uint16 if len(sizes) <= 65536 else np.int64)
    # each part's rows in table order (ties in the search keep it); a stable sort of 16-bit numbers is a radix sort
    # (10M records: the parts 0.39 → 0.03 s, before the second process starts)
    by_part = np.argsort(part_of, kind="stable")
    parts = np.split(by_part, np.cumsum(sizes[sizes > 0])[:-1]) if len(by_part) else []
    # twins: parts whose rows are the same, array by array (their digests), looked for only among parts of the same
    # size and sums (equal rows have equal sums): the digests of every part took 0.36 s at 10M records, serially
    alike: dict[tuple, list[int]] = {}
    for i, rows in enumerate(parts):
        alike.setdefault((len(rows), *(float(np.nansum(np.asarray(a)[rows])) for a in (L.n, L.events, L.hidden))),
                         []).append(i)
    twin, first = list(range(len(parts))), {}
    for group in alike.values():
        for i in group if len(group) > 1 else ():
            twin[i] = first.setdefault(_cells_digest(L, parts[i]), i)
    order = sorted((i for i in range(len(parts)) if twin[i] == i), key=lambda i: (-len(parts[i]), i))
    done = {}
    if (len(L.n) >= PARALLEL_ROWS and 1 < len(parts) <= 10_000 and sys.platform.startswith("linux")
            and (os.cpu_count() or 1) > 1):  # fork is safe to use so on Linux (macOS: one process)
        queue = _Queue(order)
        other = _forked(_certify_taken, L, parts, queue, min_cell)
        try:
            done = _certify_taken(L, parts, queue, min_cell)
        finally:  # the second process is always waited for
            done.update(other())
            queue.close()
    for i in order:  # every outcome, when one process does it all; else those a failed second process took
        if i not in done:
            done[i] = _certify_one(_rows(L, parts[i]), min_cell)
    done.update({i: done[t] for i, t in enumerate(twin) if t != i})
    hidden, because = np.zeros(len(L.n), bool), np.full(len(L.n), -1)
    for i, (h, b) in done.items():
        rows = parts[i]
        hidden[rows], because[rows] = h, np.where(b >= 0, rows[np.maximum(b, 0)], -1)
    return hidden, because


PER_ROW = ("outcome", "place", "year", "group", "n", "events", "numeric", "hidden", "sensitive", "virtual", "low",
           "high")


def _cells_digest(L: Lattice, rows: np.ndarray) -> bytes:
    """A digest of the lattice's rows `rows` (one outcome's) as `_certify_one` reads them, their outcome code
    aside: two outcomes with the same digest get the same certificates, row for row."""
    digest = hashlib.blake2b(digest_size=32)
    for name in PER_ROW[1:]:
        value = getattr(L, name)
        part = None if value is None else np.ascontiguousarray(np.asarray(value)[rows])
        digest.update(f"{name}:{None if part is None else (part.dtype, part.shape)}".encode())
        if part is not None:
            digest.update(part.tobytes())
    return digest.digest()


def _rows(L: Lattice, rows: np.ndarray) -> Lattice:
    """The lattice of these rows only (one outcome's), renumbered in their order."""
    return replace(L, **{f: None if getattr(L, f) is None else np.asarray(getattr(L, f))[rows] for f in PER_ROW})


class _Queue:
    """Numbers that two processes take one at a time, each number once: a pipe written whole before the
    fork (a read of 4 bytes from it is whole)."""

    def __init__(self, numbers: list[int]):
        self.fd, write = os.pipe()
        os.write(write, np.asarray(numbers, "<u4").tobytes())  # 10,000 numbers at most: within the pipe's buffer
        os.close(write)

    def __iter__(self):
        while len(got := os.read(self.fd, 4)) == 4:
            yield int.from_bytes(got, "little")

    def close(self) -> None:
        os.close(self.fd)


def _certify_taken(L: Lattice, parts: list, queue: _Queue, min_cell: int) -> dict:
    """Outcome number -> `_certify_one` of its rows, for each outcome this process takes from `queue`."""
    return {i: _certify_one(_rows(L, parts[i]), min_cell) for i in queue}


def _forked(fn, *args):
    """Start `fn(*args)` in a forked copy of this process; returns the function that waits for its result
    ({} if the copy failed: the caller does its work). The copy only computes (plain Python and numpy on
    what it inherited) and leaves with `os._exit`: no database, file or thread of this process is used there."""
    try:
        read, write = os.pipe()
    except OSError:  # no file to spare: this process does it all
        return dict
    try:
        with warnings.catch_warnings():  # Python 3.12+ warns of forking with threads: the copy runs none
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:  # no process to spare: this one does it all
        os.close(read)
        os.close(write)
        return dict
    if pid == 0:  # the copy
        status = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                pickle.dump(fn(*args), out, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(write)

    def result():
        with os.fdopen(read, "rb") as got:
            data = got.read()
        _, status = os.waitpid(pid, 0)
        return pickle.loads(data) if status == 0 and data else {}
    return result


def _certify_one(L: Lattice, min_cell: int) -> tuple[np.ndarray, np.ndarray]:
    """`certify` of one outcome's lattice (the search below works on any lattice)."""
    rows = len(L.n)
    hidden = L.hidden.copy()
    because = np.full(rows, -1)
    n_groups, n_years, n_places = len(L.dimension_of), len(L.year_parent), len(L.place_parent)
    key = ((L.outcome.astype(np.int64) * n_places + L.place) * n_years + L.year) * n_groups + L.group
    index = dict(zip(key.tolist(), range(rows)))
    n, x, numeric = L.n.astype(float), L.events.astype(float), L.numeric
    usable = (n > 0) & (numeric | np.isfinite(x))
    low = np.zeros(rows) if L.low is None else np.asarray(L.low, float)
    high = n if L.high is None else np.minimum(np.asarray(L.high, float), n)
    up = np.where(usable, np.where(numeric, np.inf, np.maximum(high - x, 0.0)), 0.0)
    down = np.where(usable, np.where(numeric, np.inf, np.maximum(x - low, 0.0)), 0.0)
    # sensitive cells must move min(cell size, n); every other hidden cell as far as that too where a few
    # more cubes allow it (`wanted`), and never less than 1 (not pinned)
    wanted = np.where(numeric, 1.0, np.minimum(max(min_cell - 1, 1), n))  # min_cell values: 0-9 of 10
    target = np.where(numeric | ~L.sensitive, 1.0, wanted)
    is_all = L.group == L.all_group
    # ALL of a (outcome, place, year) is published while any real row there is shown
    block_key = (L.outcome.astype(np.int64) * n_places + L.place) * n_years + L.year
    real = ~L.virtual
    blocks, shown = np.unique(block_key[real], return_inverse=True)
    shown_in_block = dict(zip(blocks.tolist(), np.bincount(shown, ~hidden[real], len(blocks)).astype(int).tolist()))
    all_row = {int(b): int(i) for b, i in zip(block_key[is_all], np.flatnonzero(is_all))}
    for b, i in all_row.items():
        hidden[i] = shown_in_block.get(b, 0) == 0
    # the search reads single cells: Python lists are far quicker than numpy scalars (H mirrors `hidden`)
    U, D, N, A, H = up.tolist(), down.tolist(), n.tolist(), is_all.tolist(), hidden.tolist()
    LO, LP, LY, LG = (np.asarray(v).tolist() for v in (L.outcome, L.place, L.year, L.group))

    def tree(parent):
        """(each node's children, each node's position among its parent's children, each node's parent)"""
        parent = np.asarray(parent).tolist()  # Python numbers, not a numpy scalar per node
        kids, slot = [[] for _ in parent], [0] * len(parent)
        for c, p in enumerate(parent):
            if p >= 0:
                slot[c] = len(kids[p])
                kids[p].append(c)
        return kids, slot, parent

    place_kids, place_slot, place_up = tree(L.place_parent)
    year_kids, year_slot, year_up = tree(L.year_parent)
    trees = {"p": (place_slot, place_up), "y": (year_slot, year_up)}  # by a line's axis (`best`'s memo[0])

    # the best-ranked children of a parent per line of rows, kept as rows of the line are hidden (`hidden_on`: the
    # children hidden on each line, in turn): a hidden row only moves up the ranking, so the first `limit` are the
    # first `limit` of those and the newly hidden row (10M records: a new ranking of 3,333 schools at each hide, 1.3 s)
    ranked, hidden_on = {}, {}
    kid_rows, flex = {}, np.minimum(up, down)
    F = flex.tolist()

    def rank_key(j, r):
        """Child j's place in the ranking (its row r, -1: none): hidden rows with the most room first, then shown
        ones, smallest first, then children without a row; ties in the children's order (as `np.lexsort`,
        a missing size last)."""
        if r < 0:
            return 2, False, 0.0, j
        v = -F[r] if H[r] else N[r]
        return (0 if H[r] else 1), v != v, (0.0 if v != v else v), j

    def best(kids, c, rank, limit, memo):
        """kids[c], the first `limit` in rank order (`rank_key`; `rank(child)`: its row on the line `memo`, or
        None)."""
        got = ranked.get((memo, c, limit))
        news = hidden_on.get(memo, ())
        if got is None:
            ks = kids[c]
            if (memo, c) not in kid_rows:
                kid_rows[memo, c] = np.array([-1 if (r := rank(x)) is None else r for x in ks], dtype=np.int64)
            r = kid_rows[memo, c]
            ok = r >= 0
            rr = np.where(ok, r, 0)
            hid = ok & hidden[rr]
            # `rank_key`'s order, for every child at once
            order = np.lexsort((np.where(hid, -flex[rr], np.where(ok, n[rr], 0.0)), np.where(ok, np.where(hid, 0, 1), 2)))
            top = order[:limit].tolist()
            got = ranked[memo, c, limit] = [top, len(news), [ks[j] for j in top]]
        elif got[1] < len(news):
            slot, parent = trees[memo[0]]
            r = kid_rows[memo, c]
            top = set(got[0]) | {slot[x] for x in news[got[1]:] if parent[x] == c}
            top = sorted(top, key=lambda j: rank_key(j, int(r[j])))[:limit]
            got[:] = top, len(news), [kids[c][j] for j in top]
        return got[2]

    def chains(c, kids, sign, rank, memo):  # chains from c's child to a leaf (c's sum keeps its equation)
        if not kids[c]:
            return [[]]
        return [[(k, sign)] + rest for k in best(kids, c, rank, CHILDREN, memo)
                for rest in chains(k, kids, sign, rank, memo)]

    def axis_options(c, parent, kids, rank, memo):
        """Moves on one tree axis keeping every sum: a swap with a sibling, the path up to the root, or
        (a root) down to a leaf; siblings and children ranked by `rank` (hidden with room first), a few."""
        out = []
        for dc in chains(c, kids, 1, rank, memo):
            base = [(c, 1)] + dc
            p = int(parent[c])
            if p < 0:
                out.append(base)
                continue
            for s in [k for k in best(kids, p, rank, SEARCH + 1, memo) if k != c][:SEARCH]:
                out.extend(base + [(s, -1)] + ds for ds in chains(s, kids, -1, rank, memo))
            up_path, a = [], p
            while a >= 0:
                up_path.append((a, 1))
                a = int(parent[a])
            out.append(base + up_path)
        return out

    groups_of = {}
    for g, d in enumerate(L.dimension_of):
        if d >= 0 and g not in L.unknown_of.values():
            groups_of.setdefault(int(d), []).append(g)
    dims = sorted(groups_of)
    parts_of, member = {}, {}
    for cdim, (da, db, mapping) in L.combined.items():
        parts_of.setdefault(da, []).append(cdim)
        parts_of.setdefault(db, []).append(cdim)
        member[cdim] = {v: k for k, v in mapping.items()}

    def combined_pairs(d, g, g2):
        """Moves in the combined dimensions of d that keep them adding up when g gains and g2 loses."""
        extra = [[]]
        for cdim in parts_of.get(d, []):
            da, db, _ = L.combined[cdim]
            inv, other = member[cdim], (db if da == d else da)
            pairs = []
            for b in groups_of.get(other, []):
                k1, k2 = ((g, b), (g2, b)) if da == d else ((b, g), (b, g2))
                if k1 in inv and k2 in inv:
                    pairs.append([(inv[k1], 1), (inv[k2], -1)])
            extra = [e + p for e in extra for p in pairs]
        return extra

    def total_move(skip, where):
        """ALL gains one: one group of every other dimension gains one too — at this place and year the one
        with the most room (its unknown group counts); combined groups follow their parts."""
        o, p, y = where
        move, chosen = [(L.all_group, 1)], {}
        for d in dims:
            if d in L.combined or d == skip:
                continue
            candidates = groups_of[d] + ([L.unknown_of[d]] if d in L.unknown_of and d not in parts_of else [])

            def room(g):
                k = index.get(((o * n_places + p) * n_years + y) * n_groups + g)
                return (k is not None and H[k], -1.0 if k is None else min(U[k], D[k]), -g)
            chosen[d] = max(candidates, key=room)
            move.append((chosen[d], 1))
        for cdim, (da, db, _) in L.combined.items():
            if da in chosen and db in chosen:
                k = (chosen[da], chosen[db])
                if k not in member[cdim]:
                    return None
                move.append((member[cdim][k], 1))
        return move

    def group_options(g, where):
        if g == L.all_group:
            m = total_move(None, where)
            return [m] if m else []
        d = int(L.dimension_of[g])
        out = []
        if d in L.combined:
            da, db, mapping = L.combined[d]
            if g not in mapping:
                return []
            a, b = mapping[g]
            inv = member[d]
            for a2, b2 in product(groups_of[da], groups_of[db]):
                if a2 != a and b2 != b and (a, b2) in inv and (a2, b) in inv and (a2, b2) in inv:
                    out.append([(g, 1), (inv[(a, b2)], -1), (inv[(a2, b)], -1), (inv[(a2, b2)], 1)])
            return out
        if d in L.unknown_of and d not in parts_of:
            out.append([(g, 1), (L.unknown_of[d], -1)])
        for g2 in groups_of[d]:
            if g2 != g:
                out.extend([(g, 1), (g2, -1)] + e for e in combined_pairs(d, g, g2))
        total = all_row.get((where[0] * n_places + where[1]) * n_years + where[2])
        if d not in parts_of and (total is None or H[total]):  # a published total is never in a cube
            m = total_move(d, where)
            if m:
                out.append([(g, 1)] + m)
        return out

    cube_cache = {}

    def corners(o, popt, yopt, gopt):
        """The cube's rows with their signs, or None when a corner has no row (cached: the same cube
        comes up for each of its corners)."""
        k = (o, tuple(popt), tuple(yopt), tuple(gopt))
        if k in cube_cache:
            return cube_cache[k]
        out = []
        for (p, sp), (y, sy), (g, sg) in product(popt, yopt, gopt):
            i = index.get(((o * n_places + p) * n_years + y) * n_groups + g)
            if i is None:
                out = None
                break
            out.append((i, sp * sy * sg))
        cube_cache[k] = out
        return out

    def options(i):
        o, p, y, g = LO[i], LP[i], LY[i], LG[i]
        row = lambda pp, yy: index.get(((o * n_places + pp) * n_years + yy) * n_groups + g)  # noqa: E731
        return (axis_options(p, L.place_parent, place_kids, lambda c: row(c, y), ("p", o, y, g)),
                axis_options(y, L.year_parent, year_kids, lambda c: row(p, c), ("y", o, p, g)),
                group_options(g, (o, p, y)))

    base_of = lambda i: [[(LP[i], 1)], [(LY[i], 1)], [(LG[i], 1)]]  # noqa: E731

    def hidden_cubes(i):
        """The all-hidden cubes through cell i, those whose lines through i have the most room first."""
        o, base = LO[i], base_of(i)
        axes = []
        for axis, opts in enumerate(options(i)):
            keep = []
            for k, opt in enumerate(opts):
                b = list(base)
                b[axis] = opt
                cube = corners(o, *b)
                if cube is not None and all(H[j] for j, _ in cube):
                    keep.append((-useful(cube, ANY), k, opt))
            keep.sort(key=lambda t: t[:2])
            axes.append([t[2] for t in keep])
        for popt, yopt, gopt in product(*axes):
            cube = corners(o, popt, yopt, gopt)
            if cube is not None and all(H[j] for j, _ in cube):
                yield cube

    def room(j, s, used):
        return (U[j] if s > 0 else D[j]) - used.get((j, s), 0.0)

    moved = {}  # per cell: how far the last measure moved it up and down

    def packed(i):
        """How far cell i can move, up plus down, through hidden cubes added together."""
        need = target[i]
        if numeric[i]:
            moved[i] = (np.inf, np.inf) if next(hidden_cubes(i), None) is not None else (0.0, 0.0)
            return moved[i][0]
        moves = {1: 0.0, -1: 0.0}
        used = {1: {}, -1: {}}
        for cube in islice(hidden_cubes(i), CUBES):
            for direction in (1, -1):
                own = U[i] if direction > 0 else D[i]
                if moves[direction] >= own:
                    continue
                u = min(room(j, s * direction, used[direction]) for j, s in cube if j != i)
                if u > 0:
                    for j, s in cube:
                        if j != i:
                            k = (j, s * direction)
                            used[direction][k] = used[direction].get(k, 0.0) + u
                    moves[direction] += u
            if min(moves[1], U[i]) + min(moves[-1], D[i]) >= need:
                break
        moved[i] = (moves[1], moves[-1])
        return min(moves[1], U[i]) + min(moves[-1], D[i])

    # The common case, measured before the general search: years are separate tables, places are the whole
    # file and its schools, and the cell's dimension has no combined groups. Then `quick` gives the width of
    # the 2 x 2 cubes of `packed_certificates` (a partner group h of the cell's place, a partner place q where
    # (q, g) and (q, h) are hidden), packed with their rooms shared, in plain Python over the cell's few rows:
    # a lower bound of what `packed` finds (-1: not the common case). The full search still runs before
    # anything more than one cube is hidden for a cell.
    grand = np.asarray(L.place_parent)
    simple = L.separate_years and not bool((grand[grand[grand >= 0]] >= 0).any())
    related = set(L.combined) | {x for v in L.combined.values() for x in v[:2]}
    dim_list, place_parent = np.asarray(L.dimension_of).tolist(), grand.tolist()
    numeric_list = np.asarray(numeric).tolist()

    # the row of (o, p, y, g) is iget(((o * n_places + p) * n_years + y) * n_groups + g)
    stride, iget = n_years * n_groups, index.get
    partner_groups = {d: gs + ([L.unknown_of[d]] if d in L.unknown_of else []) for d, gs in groups_of.items()}

    def partners_and_places(i):
        """The common case's candidates for cell i, or None when i is not the common case: (the key of place 0
        at i's outcome and year, to which place q * `stride` + group adds up to a row's key; the partner
        groups' rows at i's place; the partner places with the sign of their move: the parent (+1) and the
        best-ranked siblings (-1), or, for the whole file, its best-ranked schools (+1))."""
        o, p, y, g = LO[i], LP[i], LY[i], LG[i]
        d = dim_list[g]
        if not simple or numeric_list[i] or g == L.all_group or d in related or d not in groups_of:
            return None
        at = o * n_places * stride + y * n_groups
        here = at + p * stride
        partners = [h for g2 in partner_groups[d] if (h := iget(here + g2)) is not None and h != i]
        memo, row = ("p", o, y, g), (lambda c: iget(at + c * stride + g))
        top = place_parent[p]
        if top >= 0:
            places = [(top, 1)] + [(q, -1) for q in best(place_kids, top, row, SEARCH + 1, memo) if q != p][:SEARCH]
        else:
            places = [(q, 1) for q in best(place_kids, p, row, CHILDREN, memo)]
        return at, partners, places

    def quick(i, found):
        """The width of cell i by the 2 x 2 packing over `found` (`partners_and_places(i)`; None: -1)."""
        if found is None:
            return -1.0
        at, partners, places = found
        g = LG[i]
        partners = [h for h in partners if H[h]]
        places = [(sq, qg, kq) for q, sq in places if (qg := iget((kq := at + q * stride) + g)) is not None and H[qg]]
        cubes = []  # per partner h: its places q with (q, h) hidden, as (sign, row (q, g), row (q, h))
        for h in partners:
            gh = LG[h]
            here = [(sq, qg, qh) for sq, qg, kq in places if (qh := iget(kq + gh)) is not None and H[qh]]
            if here:
                cubes.append((h, here))
        if not cubes:
            moved[i] = (0.0, 0.0)
            return 0.0
        width, both = 0.0, []
        for up in (True, False):
            own, total, used = (U[i] if up else D[i]), 0.0, {}
            for h, here in cubes:
                free_ph = D[h] if up else U[h]
                if free_ph <= 0:
                    continue
                for sq, qg, qh in here:  # (q, g) moves with the cell where q's sign is +1, (q, h) against it
                    a, b = (U[qg], D[qh]) if (sq > 0) == up else (D[qg], U[qh])
                    taken = used.get(qg, 0.0)
                    a = min(a - taken, b, free_ph)
                    if a > 0:
                        used[qg] = taken + a
                        free_ph -= a
                        total += a
                        if free_ph <= 0:
                            break
                if total >= own:
                    break
            width += min(total, own)
            both.append(total)
        moved[i] = tuple(both)
        return width

    def quick_cube(i, need, lack, candidates):
        """`cheapest` for the common case of `quick`: among the 2 x 2 cubes (every partner group of the cell's
        place, the parent and the best-ranked sibling schools), the one that moves the cell at least `need`
        and newly hides the fewest students (ties: table order); None when none moves it that far, or when
        `candidates` (`partners_and_places(i)`, as `quick` had them) is None: not the common case."""
        if candidates is None:
            return None
        at, partners, places = candidates
        g = LG[i]
        found, ui, di = None, U[i], D[i]
        places = [(sq, qg, kq) for q, sq in places if (qg := iget((kq := at + q * stride) + g)) is not None]
        for h in partners:
            hide_h, gh = (0.0 if H[h] else N[h]), LG[h]
            for sq, qg, kq in places:
                qh = iget(kq + gh)
                if qh is None or (H[qg] and H[h] and H[qh]):
                    continue
                cost = hide_h + (0.0 if H[qg] else N[qg]) + (0.0 if H[qh] else N[qh])
                if found is not None and cost > found[0]:
                    continue
                if sq > 0:  # how far the cube moves the cell where it still lacks room: up, plus down
                    w = min(ui, U[qg], D[h], D[qh], lack[0]) + min(di, D[qg], U[h], U[qh], lack[1])
                else:
                    w = min(ui, D[qg], D[h], U[qh], lack[0]) + min(di, U[qg], U[h], D[qh], lack[1])
                if w >= need and (found is None or (cost, sorted((i, qg, h, qh))) < found):
                    found = (cost, sorted((i, qg, h, qh)))
        return None if found is None else found[1]

    ANY = (np.inf, np.inf)  # no limit up or down: `useful` is then the cube's whole width

    def useful(cube, lack):
        """How far a cube moves its cell (sign +1) in the directions it still lacks: (up, down) at most."""
        return (min(min(U[j] if s > 0 else D[j] for j, s in cube), lack[0])
                + min(min(D[j] if s > 0 else U[j] for j, s in cube), lack[1]))

    def cheapest(i, need, lack):
        """The cube to hide next for cell i: the least information lost (fewest students newly hidden)
        among those that move it at least `need` where it still lacks room (`lack`: up, down), else the one
        that moves it most there; ties: table order."""
        o, base = LO[i], base_of(i)

        def best(opts, axis):
            scored = []
            for k, opt in enumerate(opts):
                b = list(base)
                b[axis] = opt
                cube = corners(o, *b)
                if cube is not None and (w := useful(cube, lack)) > 0 and not any(A[j] and not H[j] for j, _ in cube):
                    scored.append((w < need, sum(N[j] for j, _ in cube if not H[j]), -w, k, opt))
            scored.sort(key=lambda t: t[:4])
            return [t[-1] for t in scored[:SEARCH]]

        found = None
        for popt, yopt, gopt in product(*(best(opts, a) for a, opts in enumerate(options(i)))):
            cube = corners(o, popt, yopt, gopt)
            if cube is None or (w := useful(cube, lack)) <= 0 or all(H[j] for j, _ in cube):
                continue
            if any(A[j] and not H[j] for j, _ in cube):  # a total stays published while its block shows
                continue
            cost = (w < need, sum(N[j] for j, _ in cube if not H[j]) if w >= need else -w,
                    sorted(j for j, _ in cube))
            if found is None or cost < found[0]:
                found = (cost, cube)
        return None if found is None else [j for j, _ in found[1]]

    def ranks(j):
        """Row j is newly hidden: its two lines (its places; its years) rank it anew (`best`)."""
        o, p, y, g = LO[j], LP[j], LY[j], LG[j]
        hidden_on.setdefault(("p", o, y, g), []).append(p)
        hidden_on.setdefault(("y", o, p, g), []).append(y)

    def hide(j, cause, queue):
        if H[j]:
            return
        hidden[j], H[j], because[j] = True, True, cause
        ranks(j)
        if is_all[j]:
            return
        if usable[j]:
            queue.append(j)
        b = int(block_key[j])
        shown_in_block[b] -= 1
        if shown_in_block[b] == 0 and b in all_row:  # the total of this place and year is no longer published
            a = all_row[b]
            if not H[a]:
                hidden[a] = H[a] = True
                ranks(a)
            if L.sensitive[a] and usable[a]:
                queue.append(a)

    # Fast path (numpy): one standard cube per cell, its partner on each axis the hidden cell with the
    # most room (the unknown group, a sibling, or the parent or child in the place and year trees).
    need = np.where(SOFT_ROUNDS > 0, wanted, target)
    grid = (key, n_places, n_years, n_groups)
    cert = fast_certificates(L, hidden, usable, up, down, need, *grid)
    cert |= packed_certificates(L, hidden, usable, up, down, need, *grid, done=cert)

    blanket = set()
    queue = deque(np.flatnonzero(hidden & usable & (real | (is_all & L.sensitive)) & ~cert).tolist())
    while queue:
        i = queue.popleft()
        o = LO[i]
        if o in blanket or (o, LY[i]) in blanket:
            continue
        for r in range(ROUNDS):
            found = partners_and_places(i)  # the common case's candidates, for `quick` and `quick_cube`
            have = quick(i, found)  # a lower bound of the width (-1: not the common case)
            if have < 0:
                have = packed(i)
            if have >= wanted[i] or (have >= target[i] and r >= SOFT_ROUNDS):
                break
            up_moved, down_moved = moved.get(i, (0.0, 0.0))  # what the cell still lacks, up and down
            lack = (max(U[i] - up_moved, 0.0), max(D[i] - down_moved, 0.0))
            cube = quick_cube(i, wanted[i] - have, lack, found) or cheapest(i, wanted[i] - have, lack)
            if cube is None or all(H[j] for j in cube):
                break
            for j in cube:
                hide(j, i, queue)
        if have < target[i] and (have < 1 or (STRICT and L.sensitive[i])):
            # before hiding more than a cube: the whole search (quick is a lower bound). A cell `quick` already
            # moves by 1 is never hidden further (best effort, below), whatever the search would add: skipped
            have = max(have, packed(i))
        if have < target[i] and have >= 1 and (not L.sensitive[i] or not STRICT):
            continue  # best effort: never pinned (a figure the published ones determine needs no hiding)
        if have < target[i]:  # no cube will do: the cell's whole dimension for this outcome, every place and
            # year; in its own year only when years are separate tables (no cube reaches another year, so hiding
            # there protects nothing and only starts the same search for those years' cells)
            d = L.dimension_of[L.group]
            same = (L.outcome == o) & (d == d[i]) & ~hidden
            if L.separate_years:
                same &= L.year == L.year[i]
            for j in np.flatnonzero(same):
                hide(j, i, queue)
            have = packed(i)
        if have < target[i]:  # nothing can protect it: the outcome's whole year (or, years linked, the outcome)
            year_root = L.year_parent[L.year] < 0
            if L.separate_years:  # hiding one year of it publishes nothing
                whole = (L.outcome == o) & (L.year == L.year[i]) & year_root
                blanket.add((o, LY[i]))
            else:
                blanket.add(o)
                whole = L.outcome == o
            for j in np.flatnonzero(whole & ~hidden):
                hidden[j], H[j], because[j] = True, True, i
                ranks(j)
    return hidden, because


def _by_block_and_score(block: np.ndarray, score: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`rows` (ascending) ordered by block, the highest score first in each, ties in table order: what
    `rows[np.lexsort((-score[rows], block[rows]))]` gives, by two stable sorts, the second a radix sort when the block
    codes fit in 16 bits (10M records: 0.59-0.60 -> 0.42 s in `_top`, 0.15 -> 0.13 s in `_best_other`)."""
    by_score = rows[np.argsort(-score[rows], kind="stable")]
    b = block[by_score]
    if len(b) and b.min() >= 0 and b.max() < 65536:
        b = b.astype(np.uint16)
    return by_score[np.argsort(b, kind="stable")]


def _best_other(block, score, rows):
    """Per row: the row of `rows` in the same block, other than itself, with the highest score (ties: the
    first in order), or -1."""
    out = np.full(len(block), -1)
    if not len(rows):
        return out
    order = _by_block_and_score(block, score, rows)
    b = block[order]
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
    size = int(block.max()) + 1
    best1, best2 = np.full(size, -1), np.full(size, -1)
    best1[b[starts]] = order[starts]
    nxt = starts + 1
    ok = nxt < len(order)
    ok[ok] = b[nxt[ok]] == b[starts[ok]]
    best2[b[starts[ok]]] = order[nxt[ok]]
    mine = best1[block]
    return np.where(mine == np.arange(len(block)), best2[block], mine)


def fast_certificates(L, hidden, usable, up, down, target, key, n_places, n_years, n_groups):
    """Cells certified by one standard cube each (vectorised): on every axis the partner with the most
    room — a sibling (-1), the root parent (+1, path up) or, for a root, a child (+1, path down)."""
    rows = len(key)
    o, p, y, g = (np.asarray(a, np.int64) for a in (L.outcome, L.place, L.year, L.group))
    d = np.asarray(L.dimension_of)[g]
    pool = hidden & usable & (g != L.all_group)
    flex = np.where(pool, np.minimum(up, down), -1.0)
    order = np.argsort(key, kind="stable")
    sk = key[order]

    def find(k):
        pos = np.minimum(np.searchsorted(sk, k), len(sk) - 1)
        return np.where(sk[pos] == k, order[pos], -1)

    def axis(c, parent, make_key):
        parent = np.asarray(parent)
        par = parent[c]
        kids = np.bincount(parent[parent >= 0], minlength=len(parent))
        leaf, root = kids[c] == 0, par < 0
        other, sign = np.full(rows, -1), np.zeros(rows, int)
        child_of_root = ~root & leaf & (parent[np.maximum(par, 0)] < 0)
        up_row = np.where(child_of_root, find(make_key(np.maximum(par, 0))), -1)
        ok = up_row >= 0
        ok[ok] = pool[up_row[ok]]
        other[ok], sign[ok] = par[ok], 1
        members = np.flatnonzero(pool & ~root & leaf)
        parent_key = make_key(par)  # each row's line at its parent
        sib = _best_other(pd.factorize(pd.Series(parent_key))[0], flex, members)
        take = ~ok & ~root & leaf & (sib >= 0)
        other[take], sign[take] = c[sib[take]], -1
        kid_rows = np.flatnonzero(pool & child_of_root)
        if len(kid_rows):
            ordered = _by_block_and_score(parent_key, flex, kid_rows)
            kb = parent_key[ordered]
            best = ordered[np.r_[True, kb[1:] != kb[:-1]]]
            parent_rows = find(parent_key[best])
            child = np.full(rows, -1)
            child[parent_rows[parent_rows >= 0]] = best[parent_rows >= 0]
            take = root & ~leaf & (child >= 0)
            other[take], sign[take] = c[child[take]], 1
        return other, sign, root & leaf

    p_other, p_sign, p_single = axis(p, L.place_parent, lambda c: ((o * n_places + c) * n_years + y) * n_groups + g)
    y_other, y_sign, y_single = axis(y, L.year_parent, lambda c: ((o * n_places + p) * n_years + c) * n_groups + g)
    related = set(L.combined) | {x for v in L.combined.values() for x in v[:2]}
    plain = pool & ~np.isin(d, sorted(related))
    gblock = pd.factorize(pd.Series(((o * n_places + p) * n_years + y) * (int(d.max()) + 2) + d + 1))[0]
    g_other = _best_other(gblock, flex, np.flatnonzero(plain))
    out = np.zeros(rows, bool)
    cand = plain & ~L.virtual & (g_other >= 0) & ((p_other >= 0) | p_single) & ((y_other >= 0) | y_single)
    i = np.flatnonzero(cand)
    if not len(i):
        return out
    oi = o[i]
    P = [(p[i], 1)] + ([] if p_single[i].all() else [(p_other[i], p_sign[i])])
    Y = [(y[i], 1)] + ([] if y_single[i].all() else [(y_other[i], y_sign[i])])
    G = [(g[i], 1), (g[g_other[i]], -1)]
    ok = np.ones(len(i), bool)
    hi, lo = np.full(len(i), np.inf), np.full(len(i), np.inf)
    for (pc, ps), (yc, ys), (gc, gs) in product(P, Y, G):
        exists = (pc >= 0) & (yc >= 0)  # no such corner on a single-coordinate axis
        r = np.where(exists, find(((oi * n_places + np.maximum(pc, 0)) * n_years + np.maximum(yc, 0)) * n_groups + gc), -1)
        rr = np.maximum(r, 0)
        ok &= ~exists | ((r >= 0) & hidden[rr] & usable[rr])
        sgn = ps * ys * gs
        hi = np.where(exists, np.minimum(hi, np.where(sgn > 0, up[rr], down[rr])), hi)
        lo = np.where(exists, np.minimum(lo, np.where(sgn > 0, down[rr], up[rr])), lo)
    out[i] = ok & (hi + lo >= target[i])
    return out


def _top(block: np.ndarray, score: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """Per block code: its `k` rows of `rows` with the highest score (ties: table order), -1 padded."""
    out = np.full((int(block.max(initial=-1)) + 1, k), -1)
    if not len(rows):
        return out
    order = _by_block_and_score(block, score, rows)
    b = block[order]
    start = np.r_[0, np.flatnonzero(b[1:] != b[:-1]) + 1]
    rank = np.arange(len(order)) - np.repeat(start, np.diff(np.r_[start, len(order)]))
    keep = rank < k
    out[b[keep], rank[keep]] = order[keep]
    return out


def packed_certificates(L, hidden, usable, up, down, target, key, n_places, n_years, n_groups, k=3, m=4,
                        done=None):
    """Cells certified by several cubes at once (vectorised), for a screen whose years are separate
    tables. Each cube is cell (p, g) with a partner group h of its place (a sibling group or the unknown
    remainder) and a partner place q where both (q, g) and (q, h) are hidden: a sibling school (-1), the
    parent (+1, path up) or, for the whole file, one of its schools (+1). The cell's `k` partner groups
    with the most room each bring their `m` best partner places. Rooms are shared as a reader's table
    would share them: the corner (p, h) caps its partner's cubes together, a corner (q, g) is used by
    several partners only up to its room (greedy, slot by slot), so the sum is a width some table reaches."""
    rows = len(key)
    out = np.zeros(rows, bool)
    parent = np.asarray(L.place_parent)
    if not L.separate_years or not rows or (parent[parent[parent >= 0]] >= 0).any():
        return out  # years linked, or places deeper than the whole file and its schools: the search does it
    up, down = np.minimum(up, ENDLESS), np.minimum(down, ENDLESS)  # numeric cells: no bound (finite, so no nan)
    o, p, y, g = (np.asarray(a, np.int64) for a in (L.outcome, L.place, L.year, L.group))
    d = np.asarray(L.dimension_of)[g]
    pool = hidden & usable & (g != L.all_group)
    related = set(L.combined) | {x for v in L.combined.values() for x in v[:2]}
    plain = pool & ~np.isin(d, sorted(related))
    cell = np.flatnonzero(plain & ~L.virtual & (target > 0) & (True if done is None else ~done))
    if not len(cell):
        return out
    order = np.argsort(key, kind="stable")
    sk = key[order]

    def find(kk):
        pos = np.minimum(np.searchsorted(sk, kk), len(sk) - 1)
        return np.where(sk[pos] == kk, order[pos], -1)

    def lookup(keys, wanted):  # position of each wanted key in the sorted unique `keys`, or -1
        pos = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        return np.where((len(keys) > 0) & (keys[pos] == wanted), pos, -1) if len(keys) else np.full(len(wanted), -1)

    # Each direction is its own certificate (a table where the cell is higher; one where it is lower),
    # so partners are ranked by their room in that direction. Cell +dirn: (p, h) -dirn, (q, g) sign*dirn,
    # (q, h) -sign*dirn, where sign is -1 for a sibling school and +1 for the parent or a child.
    gblock = pd.factorize(pd.Series(((o * n_places + p) * n_years + y) * (int(d.max()) + 2) + d + 1))[0]
    members = np.flatnonzero(plain)
    # pairs (q, g) and (q, h) hidden together at a place q: every ordered pair of hidden rows of a block
    # whose first row is on a line (outcome, year, group) of a cell to certify
    mb = members[np.argsort(gblock[members], kind="stable")]
    bb = gblock[mb]
    start = np.r_[0, np.flatnonzero(bb[1:] != bb[:-1]) + 1]
    size = np.diff(np.r_[start, len(mb)])
    line_of = (o * n_years + y) * n_groups + g
    wanted_lines = np.unique(line_of[cell])
    mine = np.isin(line_of[mb], wanted_lines)
    f_pos = np.flatnonzero(mine)  # positions in mb of the first rows
    f_start = np.repeat(start, size)[f_pos]
    per = np.repeat(size, size)[f_pos]  # each first row's block size
    first = np.repeat(mb[f_pos], per)
    second = mb[np.repeat(f_start, per) + np.arange(len(first)) - np.repeat(np.cumsum(per) - per, per)]
    keep = first != second
    first, second = first[keep], second[keep]
    pair_line = ((((o[first] * n_years + y[first]) * n_groups + g[first]) * n_groups + g[second]) * (n_places + 1)
                 + parent[p[first]] + 1)  # (outcome, year, g, h) under one parent place
    lines, line_code = np.unique(pair_line, return_inverse=True)
    pairs = np.arange(len(first))
    first_or_none, second_or_none = np.r_[first, -1], np.r_[second, -1]  # pair -1: no rows
    none = np.full((1, m + 1), -1)  # a last row of no pairs: looked up where a cell has no line
    best_pairs = {1: np.r_[_top(line_code, np.minimum(up[first], down[second]), pairs, m + 1), none],  # (q, g) up, (q, h) down
                  -1: np.r_[_top(line_code, np.minimum(down[first], up[second]), pairs, m + 1), none]}
    is_school = parent[p[cell]] >= 0
    under = np.where(is_school, parent[p[cell]], p[cell])  # a school's siblings, the whole file's schools
    top_row = np.maximum(parent[p[cell]], 0)
    sign = np.where(is_school, -1, 1)

    def room(j_, s_):
        jj = np.maximum(j_, 0)
        return np.where(j_ < 0, 0.0, np.where(s_ > 0, up[jj], down[jj]))

    width = np.zeros(len(cell))
    up_g = np.where(is_school, find(((o[cell] * n_places + top_row) * n_years + y[cell]) * n_groups + g[cell]), -1)
    for dirn in (1, -1):
        gtop = _top(gblock, np.where(plain, room(np.arange(rows), -dirn * np.ones(rows)), -1.0), members, k + 1)
        gtop = gtop[gblock[cell]]
        gtop = np.take_along_axis(gtop, np.argsort((gtop < 0) | (gtop == cell[:, None]), axis=1, kind="stable"), axis=1)
        gtop = np.where(gtop == cell[:, None], -1, gtop)[:, :k]
        slots = []  # (row (q, g), row (q, h), sign of the place move, row (p, h))
        for j in range(k):
            h = gtop[:, j]
            hh = np.maximum(h, 0)
            up_h = np.where(is_school & (h >= 0), find(((o[cell] * n_places + top_row) * n_years + y[cell]) * n_groups
                                                       + g[hh]), -1)
            ok = (h >= 0) & (up_g >= 0) & (up_h >= 0)
            ok[ok] = pool[up_g[ok]] & pool[up_h[ok]]
            slots.append((np.where(ok, up_g, -1), np.where(ok, up_h, -1), np.ones(len(cell)), h))
            line = lookup(lines, (((o[cell] * n_years + y[cell]) * n_groups + g[cell]) * n_groups + g[hh])
                          * (n_places + 1) + under + 1)
            ranked = np.where(is_school[:, None], best_pairs[-dirn][np.maximum(line, 0)],
                              best_pairs[dirn][np.maximum(line, 0)])
            cand = np.where(((line >= 0) & (h >= 0))[:, None], ranked, -1)
            cand = np.where((cand >= 0) & (p[first_or_none[cand]] == p[cell][:, None]), -1, cand)
            cand = np.take_along_axis(cand, np.argsort(cand < 0, axis=1, kind="stable"), axis=1)[:, :m]
            for t in range(m):
                c = cand[:, t]
                slots.append((first_or_none[c],
                              second_or_none[c], sign, h))
        alloc, total, per_partner = [], np.zeros(len(cell)), m + 1
        for s_, (qg, qh, sq, h) in enumerate(slots):
            if s_ % per_partner == 0:  # a new partner group: its corner (p, h) has all its room
                free_ph = room(h, -dirn * np.ones(len(cell)))
            free_qg = room(qg, sq * dirn)
            for r in range(s_ - s_ % per_partner):  # (q, g) already used by an earlier partner's cube at q
                free_qg = free_qg - np.where((slots[r][0] == qg) & (qg >= 0), alloc[r], 0.0)
            a_ = np.minimum(np.minimum(free_qg, room(qh, -sq * dirn)), free_ph)
            a_ = np.where((qg >= 0) & (qh >= 0), np.maximum(a_, 0), 0.0)
            free_ph = free_ph - a_
            alloc.append(a_)
            total += a_
        width += np.minimum(total, up[cell] if dirn > 0 else down[cell])
    out[cell] = width >= target[cell]
    return out
