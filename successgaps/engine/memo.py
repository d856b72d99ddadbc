"""What a caller that screens the same data again and again keeps between screens (`screen(..., memo=)`).

The Identify gaps page screens one data set anew on each change of settings. Most of a screen does not change
with most settings: the counts (`cells.gather`) depend on the levels, the population and the reference group
only, and so do the gate's lattice codes (`suppression._structure`: its places, years, groups and virtual rows);
the privacy gate (`certificates.certify`, most of a screen's time) on its lattice only — the same
cells hidden by the same rules — which comparing with all students instead of all other students, for
instance, leaves as it is (`screen`'s docstring: the same cells are hidden whichever of the two a view uses).
A `Memo` keeps the last few of each, keyed by everything they are computed from, so a change recomputes what
it changes; and the page's last `ranking.Lookup`, whose indexes a new screen of the very same rows reads again
(`Lookup` compares the rows first). A one-off screen (the command, a report) passes none and keeps nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class Memo:
    """Bounded maps of results by key, one per kind (a key's first item): the least recently used out first. The
    counts of a million-record file take about 75 MB, the gate's hidden cells about 2 MB. Shared by the threads
    of a server."""

    def __init__(self, sizes: dict[str, int] | None = None):
        self._sizes = sizes or {"counts": 2, "structure": 2, "gate": 8, "lookup": 1}
        self._items: dict[str, OrderedDict] = {kind: OrderedDict() for kind in self._sizes}
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], Any]) -> Any:
        """The result kept under `key`, or `make()`'s, kept (two threads may both make it: either is the same)."""
        items = self._items[key[0]]
        with self._lock:
            if key in items:
                items.move_to_end(key)
                return items[key]
        value = make()
        self.put(key, value)
        return value

    def put(self, key: tuple, value: Any) -> None:
        """Keep `value` under `key`, the least recently used of its kind out beyond the kind's size."""
        items = self._items[key[0]]
        with self._lock:
            items[key] = value
            items.move_to_end(key)
            while len(items) > self._sizes[key[0]]:
                items.popitem(last=False)

    def latest(self, kind: str) -> Any:
        """The value of `kind` kept or read last, or None."""
        with self._lock:
            return next(reversed(self._items[kind].values()), None)
