"""Tabs in AppTest: a page draws only its open tab, so a test opens the tab it reads, as a user clicks it.

AppTest cannot click a tab; the tabs' key (`st.tabs(..., key=...)`) holds the open tab's label, which is
what the browser sends when a tab is clicked.
"""

from __future__ import annotations

from collections.abc import Iterator


def open_tab(at, key: str, label: str):
    """Open the tab `label` of the tabs keyed `key` and rerun the page; the AppTest."""
    at.session_state[key] = label
    if key in at.query_params:  # opened from an address naming a tab: the browser's address follows the click
        at.query_params[key] = label
    return at.run()


def labels(at, key: str) -> list[str]:
    """The labels of the tabs keyed `key`, as drawn."""
    return [tab.label for tab in at.get_by_key(key).children.values()]


def each_tab(at, key: str) -> Iterator[str]:
    """Open each tab of the tabs keyed `key` in turn (the page rerun with it open), yielding its label."""
    for label in labels(at, key):
        open_tab(at, key, label)
        yield label


# the key of each page's tabs bound to the address: each tab knows whether it is open (Identify gaps draws only
# that one; Team and Rubric still draw every tab, and are read with each tab open all the same)
PAGE_TABS = {"pages/1_Team_and_Meetings.py": "team_tab", "pages/3_Identify_Gaps.py": "gaps_tab",
             "pages/4_Rubric.py": "rub_tab"}


def every_tab(at, path: str) -> Iterator[str]:
    """The page as first drawn (""), then, if its tabs draw only the open one, with each tab open in turn."""
    yield ""
    try:
        tabs = at.get_by_key(PAGE_TABS[path]) if path in PAGE_TABS else None
    except KeyError:  # not drawn (a slide while presenting)
        tabs = None
    if tabs is not None:
        yield from each_tab(at, PAGE_TABS[path])
