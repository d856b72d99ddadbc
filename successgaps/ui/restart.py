"""A tab that outlived its server: after a restart the browser keeps the old page, with what was typed in it.

Its next click or edit reaches a new session that never drew the page, so Streamlit knows no widget of it and
runs no callback: the click would do nothing and the typed text would only look saved. The first run of a
session that arrives with widget values is such a tab. Every page is stamped with the id of the server
process that drew it and the project revision it showed (`stamp`), so that run knows whether the project
changed since. The run draws the page (registering its widgets with the values the browser kept), then
reruns once and saves again: the text boxes whose text differs from what the project holds — only when the
project is the one the tab showed, so nobody's newer work is overwritten — and the buttons that were pressed.
The page says so in one sentence, and shows the text of any box that is still not in the saved project, to
copy.

Reads Streamlit's widget states of the run (private, checked by tests/browser/test_restart_browser.py).
"""

from __future__ import annotations

import json
import uuid

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..models import Project

STARTED = uuid.uuid4().hex[:8]  # this server process's start id
_STAMP = "sg_drawn"
_SEEN = "sg_session_seen"
_RESTART = "sg_restart"  # {"texts": {widget id: text the browser kept}, "todo": pressed ids, "boxes": ids to save,
#                          "drawn": revision the tab showed, "replayed": False | None (rerun asked) | True, "page"}
_SLOT = "sg_restart_slot"
_TEXT_BOXES = ("TextInputSerde", "TextAreaSerde")


def _widget_states():
    ctx = get_script_run_ctx()
    try:
        return ctx.session_state._state._new_widget_state
    except AttributeError:  # not a Streamlit run, or its internals moved: nothing to recover
        return None


def _proto(state):
    value = getattr(state, "value", None)
    try:
        return value, value.WhichOneof("value")
    except (AttributeError, TypeError, ValueError):
        return None, None


def _pressed(state) -> bool:
    value, kind = _proto(state)
    return kind in ("trigger_value", "string_trigger_value") and bool(getattr(value, kind))


def _text(state) -> str | None:
    value, kind = _proto(state)
    return value.string_value if kind == "string_value" else None


def _drawn(states) -> int | None:
    """The project revision an earlier server's page showed, from its stamp (None without one)."""
    for wid in states:
        key = wid.split("-", 2)[-1]
        if key.startswith(_STAMP + "_"):
            return int(key.rsplit("_", 1)[-1])
    return None


def seen() -> None:
    """This session had a run on this server, even one stopped before its page (an error on opening the
    workspace): the widgets of its next run are this server's, not a restarted one's."""
    st.session_state[_SEEN] = True


def begin() -> None:
    """Before the page loads its project: note a tab that came back from another server; on its rerun,
    save again the boxes and press again the buttons it sent."""
    if _SEEN not in st.session_state:
        st.session_state[_SEEN] = True
        states = _widget_states()
        if states is not None and states.states:
            st.session_state[_RESTART] = {
                "texts": {w: t for w, s in states.states.items() if _key(w) and (t := _text(s)) is not None},
                "todo": [w for w, s in states.states.items() if _pressed(s)], "boxes": [],
                "drawn": _drawn(states.states), "replayed": False, "page": _page()}
    restart = st.session_state.get(_RESTART)
    if restart is not None and restart["replayed"] is None:  # the rerun: the page's widgets are known now
        restart["replayed"] = True
        states = _widget_states()
        for wid in restart["boxes"] + restart["todo"]:  # as Streamlit would: what was typed, then the click
            meta = states.widget_metadata.get(wid) if states is not None else None
            if meta is not None and meta.callback is not None:
                meta.callback(*(meta.callback_args or ()), **(meta.callback_kwargs or {}))


def _key(wid: str) -> str | None:
    """The page's own key of a widget id (`$$ID-<hash>-<key>`); None for unkeyed, internal and form buttons."""
    key = wid.split("-", 2)[-1]
    return None if key == "None" or key.startswith("sg_") or ":" in key else key


def _page() -> str:
    return getattr(get_script_run_ctx(), "page_script_hash", "")


def place() -> None:
    """Under the page's flashes: where `finish` says what happened, once the page is drawn. The notice stays
    on that page (what is still unsaved, run after run) until the team goes to another page."""
    restart = st.session_state.get(_RESTART)
    if restart is not None and restart["page"] != _page():
        del st.session_state[_RESTART]
    elif restart is not None:
        st.session_state[_SLOT] = st.container()


def _boxes(restart: dict) -> dict[str, str | None]:
    """Widget id -> the text the browser kept, of the text boxes this run drew whose text is not what the project
    gives them (None for other widgets this run drew)."""
    states = _widget_states()
    drawn = getattr(getattr(get_script_run_ctx(), "shared", None), "widget_ids_this_run", ())
    out = {}
    for wid in restart["texts"]:
        if wid not in drawn or states is None:
            continue
        serde = getattr(getattr(states.widget_metadata.get(wid), "deserializer", None), "__self__", None)
        value = st.session_state.get(_key(wid))
        typed = type(serde).__name__ in _TEXT_BOXES and isinstance(value, str) and value != serde.value
        out[wid] = value if typed else None
    return out


def _unsaved(restart: dict, project: Project | None) -> list[str]:
    """The texts the browser kept that are nowhere in the saved project: boxes drawn now that do not show
    the saved text, and boxes no longer drawn (the project changed) whose text was not saved again."""
    saved = project.model_dump_json() if project is not None else ""
    drawn = _boxes(restart)
    out = []
    for wid, text in restart["texts"].items():
        if wid in drawn:
            text = drawn[wid]
        elif wid in restart["boxes"] or not text or all(
                json.dumps(line.strip(), ensure_ascii=False)[1:-1] in saved for line in text.splitlines()):
            continue
        if text and text.strip():
            out.append(text)
    return out


def stamp(project: Project | None) -> None:
    """At the end of every page: an invisible widget naming this server and the revision the page shows."""
    with st.container(key=_STAMP):
        st.checkbox("drawn", key=f"{_STAMP}_{STARTED}_{project.revision if project else 0}",
                    label_visibility="collapsed")


def finish(project: Project | None) -> None:
    """At the end of every page: after the first run, rerun once to save and press again what was sent; then say
    so."""
    restart = st.session_state.get(_RESTART)
    slot = st.session_state.pop(_SLOT, None)
    if restart is None or slot is None:
        return
    if restart["replayed"] is False:
        if project is not None and restart["drawn"] == project.revision:  # nobody saved since the tab drew it
            states = _widget_states()
            restart["boxes"] = [wid for wid, text in _boxes(restart).items()
                                if text is not None and states.widget_metadata[wid].callback is not None]
        if restart["todo"] or restart["boxes"]:
            restart["replayed"] = None
            st.rerun()
    typed = _unsaved(restart, project)
    parts = ["what you typed was saved"] if restart["boxes"] and not typed else []
    if restart["todo"]:
        parts.append("the button you pressed was pressed again after the restart")
    if typed:
        parts.append("the text below is not saved — copy it from here and enter it again")
    said = "; ".join(parts) or "nothing was lost"
    slot.warning(f"The app restarted while this page was open: {said}.", icon=":material/restart_alt:")
    for text in typed:
        slot.code(text, language=None, wrap_lines=True)
