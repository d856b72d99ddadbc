"""Presentation mode's deck: the top bar (step menu, Previous / where / Next, Leave), slides one at a time,
the keyboard's arrows, and presentation mode kept in the address (`?present=1&slide=N`). `ui.page` draws the
bar; pages call `slides`."""

from __future__ import annotations

from functools import partial

import streamlit as st

from ..process.progress import STEPS
from . import tables
from .escape import esc
from .mode import PRESENTING as _PRESENTING, PROJECT_ID as _PROJECT_ID, presenting

_PRESENT_PARAM = "present"  # ?present=1 in the address: a reload stays in presentation mode
_SLIDE_PARAM = "slide"  # ?slide=3: the slide shown, 1-based, so a reload shows the same slide
_GOTO = "sg_deck_goto"  # (page, "first" | "last") asked for by a deck button; followed when the page starts
_START = "sg_deck_start"  # "first" | "last": where the next page's slides start
_BAR = "sg_deck_bar_slots"  # this run's (previous, where, next) slots of the deck bar
_PAGE = "sg_deck_page"  # this run's page path (for the deck)
MEETING_PAGE = "pages/10_Meeting_View.py"


def _sync_presenting() -> None:
    """Presentation mode lives in the session and in the address (`?present=1`), so it survives a reload."""
    if st.query_params.get(_PRESENT_PARAM) == "1" and _PRESENTING not in st.session_state:
        st.session_state[_PRESENTING] = True
    if presenting():
        st.query_params[_PRESENT_PARAM] = "1"
    else:
        st.query_params.pop(_PRESENT_PARAM, None)
        st.query_params.pop(_SLIDE_PARAM, None)


def _leave_presenting() -> None:
    st.session_state[_PRESENTING] = False  # the sidebar toggle is hidden while presenting


def deck_menu() -> dict[str, str]:
    """The pages a facilitator presents, in order: page path -> its name in the step menu."""
    return {"Home.py": "Where we stand", **{s.page: f"Step {s.number} · {s.title}" for s in STEPS},
            MEETING_PAGE: "Meeting view"}


_DECK_ORDER = ["Home.py", *(s.page for s in STEPS)]  # Previous / Next walk the steps; the meeting view is its own deck


def _neighbour(page_path: str | None, step: int) -> str | None:
    if page_path not in _DECK_ORDER:
        return None
    i = _DECK_ORDER.index(page_path) + step
    return _DECK_ORDER[i] if 0 <= i < len(_DECK_ORDER) else None


def _go(page_path: str, start: str = "first") -> None:
    st.session_state[_GOTO] = (page_path, start)


def _menu_changed() -> None:
    chosen = st.session_state.get("sg_deck_menu")
    if chosen:
        _go(chosen)


def _follow_goto() -> None:
    goto = st.session_state.pop(_GOTO, None)
    if goto:
        page_path, start = goto
        st.session_state[_START] = start
        params = {_PRESENT_PARAM: "1"}
        if st.session_state.get(_PROJECT_ID):
            params["project"] = st.session_state[_PROJECT_ID]
        st.switch_page(page_path, query_params=params)


_KEYS_JS = """
<script>
(() => {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  if (doc.sgDeckKeys) return;
  doc.sgDeckKeys = true;
  doc.addEventListener("keydown", (event) => {
    const tag = (event.target && event.target.tagName || "").toLowerCase();
    if (["input", "textarea", "select"].includes(tag) || (event.target && event.target.isContentEditable)) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const which = event.key === "ArrowRight" || event.key === "PageDown" ? "next"
                : event.key === "ArrowLeft" || event.key === "PageUp" ? "previous" : null;
    if (!which) return;
    const button = doc.querySelector(`.st-key-sg_deck_${which} button`);
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });
})();
</script>
"""


def _deck_bar(page_path: str | None) -> None:
    """The top bar while presenting: step menu, Previous / where / Next (filled by `slides` or `done`), Leave."""
    st.session_state[_PAGE] = page_path
    menu = deck_menu()
    with st.container(key="sg_deck_bar"):
        where_menu, back, where, forward, leave = st.columns([3.2, 1.7, 3.4, 1.7, 1.6], vertical_alignment="center")
        st.session_state["sg_deck_menu"] = page_path if page_path in menu else None
        where_menu.selectbox("Go to step", list(menu), format_func=menu.get, key="sg_deck_menu",
                             placeholder="Go to a step…", on_change=_menu_changed, label_visibility="collapsed")
        leave.button("Leave", key="sg_leave_presenting", on_click=_leave_presenting, icon=":material/close:",
                     help="Leave presentation mode", width="stretch")
    st.session_state[_BAR] = (back, where, forward)
    st.html(_KEYS_JS, unsafe_allow_javascript=True, width="content")


def _fill_bar(index: int, count: int, label: str = "", *, key: str | None = None) -> tuple[int, int]:
    """Previous / Next in the deck bar: within this page's `count` slides, then on to the neighbouring step.
    Outside the presenting frame (`key` given), the row is drawn here and stays within the items."""
    slots = st.session_state.pop(_BAR, None)
    buttons = "sg_deck"
    if slots is None:
        if key is None:
            return index, count
        slots, buttons = st.columns([1, 4, 1], vertical_alignment="center"), key
    back, where, forward = slots
    page_path = st.session_state.get(_PAGE) if key is None else None
    before, after = _neighbour(page_path, -1), _neighbour(page_path, 1)
    key = key or f"sg_slide_{page_path}"

    def move(step: int) -> None:
        target = index + step
        if 0 <= target < count:
            st.session_state[key] = target
        elif (neighbour := before if step < 0 else after) is not None:
            _go(neighbour, "last" if step < 0 else "first")

    back.button("← Previous", key=f"{buttons}_previous", on_click=move, args=(-1,), width="stretch",
                disabled=index == 0 and before is None, help="Previous slide (left arrow key)")
    where.markdown(f"**{index + 1} of {count}**" + (f" · {label}" if label else "") if count else "")
    forward.button("Next →", key=f"{buttons}_next", on_click=move, args=(1,), width="stretch",
                   disabled=index >= count - 1 and after is None, help="Next slide (right arrow key)")
    return index, count


def slides(items, render, label=None, *, key: str | None = None) -> None:
    """Present `items` one slide at a time (a gap, an indicator, a goal, an agenda part) with the deck bar's
    Previous / Next (and the keyboard's arrows). The position is kept in the session and the address
    (`?slide=`), clamped when the list shrinks; past either end, Previous / Next go to the neighbouring step."""
    items = list(items)
    framed = st.session_state.get(_BAR) is not None
    key = f"sg_slide_{st.session_state.get(_PAGE)}" if framed or key is None else key
    start = st.session_state.pop(_START, None) if framed else None
    if start == "last":
        index = len(items) - 1
    elif start == "first":
        index = 0
    elif key in st.session_state:
        index = int(st.session_state[key])
    elif not framed:
        index = 0
    else:
        try:
            index = int(st.query_params.get(_SLIDE_PARAM, "1")) - 1
        except ValueError:
            index = 0
    index = min(max(index, 0), max(len(items) - 1, 0))
    st.session_state[key] = index
    if items and framed:
        st.query_params[_SLIDE_PARAM] = str(index + 1)
    _fill_bar(index, len(items), label(items[index]) if label and items else "", key=None if framed else key)
    if items:
        render(items[index])


def lines(text: str, per_line: int) -> int:
    """The lines `text` takes on a slide at `per_line` characters to a line (the slides' weights)."""
    return -(-len(text) // per_line)


def paragraph_slide(title: str, paragraphs: list[tuple]) -> None:
    """A slide of a title and its paragraphs, each (how it is drawn: st.markdown, st.info, …, its text)."""
    st.header(title)
    for draw, text in paragraphs:
        draw(text)


def slide_parts(title: str, items: list, size: int, weight=lambda item: 1) -> list[tuple[str, list]]:
    """`items` cut into slides of at most `size` (each item weighs `weight(item)`: a table row 1, a sentence its
    lines), titled "title (1 of 2)" when there are several: as few slides as the greedy cut gives, as even as they
    can be (not four items and then a last one alone)."""
    def cut(limit):
        cuts: list[list] = [[]]
        for item in items:
            if cuts[-1] and sum(map(weight, cuts[-1])) + weight(item) > limit:
                cuts.append([])
            cuts[-1].append(item)
        return cuts

    cuts = cut(size)
    even = sum(map(weight, items)) / len(cuts)
    while len(cuts) > 1 and even < size and len(trial := cut(even)) > len(cuts):
        even += size / 100  # a slide a little fuller, until the cut takes no more slides than the greedy one
    if len(cuts) > 1 and even < size:
        cuts = trial
    return [(title if len(cuts) == 1 else f"{title} ({k} of {len(cuts)})", part) for k, part in enumerate(cuts, 1)]


def table_slides(title: str, table, rows: float, key: str, *, columns: list[str] | None = None, after=None,
                 weight=None) -> list:
    """(title, draw) slides of a table, `rows` rows a slide (cut evenly by `slide_parts`: "title (1 of 2)"): each
    its title and its rows (`columns`: those shown), then `after()` (a caption, a link) when given. `weight(row)`: what
    a row takes of a slide's `rows` (a row of long text, more than one), 1 by default."""
    def draw(part_title: str, part: list[int], k: int) -> None:
        st.header(part_title)
        tables.show(table.iloc[part].reset_index(drop=True), key=f"{key}_{k}", columns=columns)
        if after is not None:
            after()

    return [(part_title, partial(draw, part_title, part, k))
            for k, (part_title, part) in enumerate(slide_parts(title, list(range(len(table))), rows, (lambda i: 1) if
                                                                weight is None else lambda i: weight(table.iloc[i])))]


CHART = 270, 165  # a gap slide's chart height in px at most, and at least
LONG = 160  # characters of a sentence written a size smaller on a slide (three lines, not four or five)
SENTENCE_LINE, SMALLER_LINE, WORDS_LINE, NOTE_LINE = 70, 83, 110, 110  # characters on a line: the sentence, the
# smaller, the bars in words, a note in a box


def gap_slide(sentence: str, row, key: str, notes: tuple[str, ...] = (), below: int = 0,
              far_out: dict[str, str] | None = None) -> None:
    """One gap as a slide: its sentence, its comparison bars, and the bars' figures in words (the chart's text
    alternative), then `notes` (warnings about the data behind it) and its own outcome's of `far_out` (outcome ->
    `quality.far_out_notes`' warning). Identify gaps' and Quick screen's slides alike.
    The chart is as tall as 720 px leave it: a sentence of over three lines, each note and what the page draws
    `below` the slide (px) take their room from it."""
    from ..outputs import charts  # noqa: PLC0415 - plotly, only for a page that presents a gap

    if (warning := (far_out or {}).get(row.get("outcome"))) is not None:
        notes += (warning,)
    long = len(sentence) > LONG
    with st.container(key="sg_long_sentence" if long else None):  # a size smaller (ui.theme), a heading still
        st.markdown(f"## {esc(sentence)}")
    over = max(lines(sentence, SMALLER_LINE if long else SENTENCE_LINE) - 3, 0)
    words = bars_in_words(row)  # the bars' figures in words: a second line (a range's ends) takes 40 px
    boxes = sum(30 + 34 * lines(note, NOTE_LINE) for note in notes)  # the slide's last 60 px are free without
    taken = 45 * over + 40 * max(lines(words.replace("**", ""), WORDS_LINE) - 1, 0) + max(boxes + below - 60, 0)
    figure = charts.comparison_bars(row)
    figure.update_layout(height=max(CHART[0] - taken, CHART[1]), margin={"t": 10, "b": 10})
    st.plotly_chart(figure, key=key)
    st.markdown(words)
    for note in notes:
        st.warning(esc(note), icon=":material/warning:")


def bars_in_words(row) -> str:
    """The comparison bars' figures in a sentence: the chart's text alternative."""
    return (f"In the chart: {esc(row['group'])} **{tables.gap_figure(row)}** (n = {tables.number(row.get('n'), 0)}), "
            f"{esc(row['comparison'])} **{tables.gap_figure(row, 'comparison_')}**; difference **{tables.gap_amount(row)}**.")
