"""Work on a large table a slice at a time, two slices at once (the machines the app runs on have two cores
or more): numpy, Arrow and DuckDB let go of Python while they compute, so two threads take about half the time,
and only two slices' working memory is held at once."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any


def step(size: int, most: int, at_once: int = 2) -> int:
    """The rows of each slice of `size` rows cut into slices of at most `most`, equal and as many as a multiple of
    `at_once`, so that the slices at work together end together (214,000 rows, at most 125,000 two at a time: two
    of 107,000, not 125,000 and then 89,000 alone)."""
    slices = max(-(-size // max(most, 1)), 1)
    return max(-(-size // (slices + -slices % at_once)), 1)


def in_order(work: Callable[[Any], Any], items: Iterable, at_once: int = 2) -> Iterator:
    """`work(item)` of each item, in the items' order, two at a time on two threads: the next one starts as soon
    as a result is taken, so at most two are computing and none waits done beyond its turn. `at_once=1`: one at a
    time, in this thread (for a caller that shares the cores with other work: a server beside its browser)."""
    items = iter(items)
    if at_once == 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(2) as pool:
        running = deque(pool.submit(work, item) for item in islice(items, 2))
        while running:
            done = running.popleft().result()
            if (following := next(items, None)) is not None:
                running.append(pool.submit(work, following))
            yield done
