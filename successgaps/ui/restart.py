"""A tab that outlived its server: after a restart the browser keeps the old page, with what was typed in it.

Its next click reaches a new session that never drew the page, so Streamlit knows no widget of it and runs
no callback: the click would do nothing and the typed text would only look saved. The first run of a
session that arrives with widget values is such a tab. That run draws the page (registering its widgets
with the values the browser kept), then reruns once and presses again the buttons that were pressed; the
page says so in one sentence, and shows the text of any box that is still not in the saved project, to copy
(its box keeps it too).

Reads Streamlit's widget states of the run (private, checked by tests/browser/test_restart_browser.py).
"""

from __future__ import annotations

import json

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..models import Project

_SEEN = "sg_session_seen"
_RESTART = "sg_restart"  # {"keys": user keys of the widgets the browser kept, "pressed": ids, "replayed": bool}
_SLOT = "sg_restart_slot"


def _widget_states():
    ctx = get_script_run_ctx()
    try:
        return ctx.session_state._state._new_widget_state
    except AttributeError:  # not a Streamlit run, or its internals moved: nothing to recover
        return None


def _pressed(state) -> bool:
    value = getattr(state, "value", None)
    try:
        return value.WhichOneof("value") in ("trigger_value", "string_trigger_value") and bool(
            getattr(value, value.WhichOneof("value")))
    except (AttributeError, TypeError, ValueError):
        return False


def begin() -> None:
    """Before the page loads its project: note a tab that came back from another server; on its rerun,
    press again the buttons it pressed (a box's change is not replayed: its old value is unknown)."""
    if _SEEN not in st.session_state:
        st.session_state[_SEEN] = True
        states = _widget_states()
        if states is not None and states.states:
            st.session_state[_RESTART] = {
                "ids": [w for w in states.states if _key(w)],
                "todo": [w for w, state in states.states.items() if _pressed(state)], "replayed": False,
                "page": _page()}
    restart = st.session_state.get(_RESTART)
    if restart is not None and restart["replayed"] is None:  # the rerun: the page's widgets are known now
        restart["replayed"] = True
        states = _widget_states()
        for wid in restart["todo"]:
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


def _unsaved(restart: dict, project: Project | None) -> list[tuple[str, str]]:
    """(widget id, text) of the text boxes whose text is nowhere in the saved project."""
    saved = project.model_dump_json() if project is not None else ""
    states = _widget_states()
    out = []
    for wid in restart["ids"]:
        serde = getattr(getattr(states.widget_metadata.get(wid), "deserializer", None), "__self__", None) \
            if states is not None else None
        if type(serde).__name__ not in ("TextInputSerde", "TextAreaSerde"):  # typed text, not a choice
            continue
        value = st.session_state.get(_key(wid))
        if isinstance(value, str) and value.strip() and json.dumps(value, ensure_ascii=False)[1:-1] not in saved:
            out.append((wid, value))
    return out


def finish(project: Project | None) -> None:
    """At the end of every page: after the first run, rerun once to press again what was pressed; then say so."""
    restart = st.session_state.get(_RESTART)
    slot = st.session_state.pop(_SLOT, None)
    if restart is None or slot is None:
        return
    if restart["replayed"] is False and restart["todo"]:
        restart["replayed"] = None
        st.rerun()
    typed = [text for _, text in _unsaved(restart, project)]
    parts = ["the button you pressed was pressed again after the restart"] if restart["todo"] else []
    if typed:
        parts.append("the text below is not saved yet — it is still in its box, so save it again, or copy it from here")
    said = "; ".join(parts) or "nothing was lost"
    slot.warning(f"The app restarted while this page was open: {said}.", icon=":material/restart_alt:")
    for text in typed:
        slot.code(text, language=None, wrap_lines=True)
