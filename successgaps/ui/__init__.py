"""Streamlit helpers shared by the pages: the page frame, the open project, autosave.

The only place (with the pages) that imports streamlit. Session-state keys live here only.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..errors import UserError
from ..models import Project
from ..progress import STEPS, step_statuses
from ..store import Store, default_workspace

_PROJECT_ID = "sg_project_id"
_PROJECT = "sg_project"
_FLASH = "sg_flash"
_PRESENTING = "sg_presenting"

APP_ROOT = Path(__file__).resolve().parent.parent.parent

_PRESENTATION_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 1.3rem; }
[data-testid="stSidebar"] { display: none; }
.block-container { max-width: 1200px; padding-top: 1rem; }
</style>
"""


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path)


def store() -> Store:
    """The workspace store (one per workspace folder per server process)."""
    return _store(str(default_workspace()))


def open_project(project_id: str | None) -> None:
    """Make `project_id` the open project in this browser tab (kept in the URL across refresh)."""
    st.session_state[_PROJECT_ID] = project_id
    st.session_state.pop(_PROJECT, None)
    if project_id:
        st.query_params["project"] = project_id
    else:
        st.query_params.pop("project", None)


def project_id() -> str | None:
    pid = st.session_state.get(_PROJECT_ID) or st.query_params.get("project")
    if pid and not store().exists(pid):
        pid = None
    st.session_state[_PROJECT_ID] = pid
    if pid:
        st.query_params["project"] = pid
    return pid


def load_project() -> Project | None:
    """Read the open project fresh from the store (every rerun sees the latest saved version)."""
    pid = project_id()
    if not pid:
        st.session_state.pop(_PROJECT, None)
        return None
    project = store().load(pid)
    st.session_state[_PROJECT] = project
    return project


def project() -> Project:
    """The project as this page last drew it; mutate it in a callback, then `save()` it."""
    current = st.session_state.get(_PROJECT)
    if current is None:
        current = load_project()
    return current


def save(project: Project) -> bool:
    """Autosave. On a stale write or bad input, keep what is stored and tell the user in one sentence."""
    try:
        store().save(project)
        return True
    except UserError as exc:
        flash(str(exc), "error")
        st.session_state.pop(_PROJECT, None)
        return False


def flash(message: str, kind: str = "success") -> None:
    """A message shown at the top of the page on the next run (callbacks run before the page draws)."""
    st.session_state.setdefault(_FLASH, []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop(_FLASH, []):
        getattr(st, kind if kind in {"error", "warning", "info", "success"} else "info")(message)


def presenting() -> bool:
    return bool(st.session_state.get(_PRESENTING))


def page(title: str, step: int | None = None, *, needs_project: bool = True) -> Project | None:
    """Draw the page frame and return the open project (or stop with a pointer to Home)."""
    st.set_page_config(page_title=f"{title} · Success Gaps", page_icon="📊", layout="wide")
    current = load_project()
    with st.sidebar:
        if current is not None:
            st.markdown(f"**Project:** {current.name}")
        st.toggle("Presentation mode", key=_PRESENTING,
                  help="Hide editing controls and enlarge the screen for sharing in a meeting.")
        st.caption(f"Workspace: `{store().workspace}`")
    if presenting():
        st.markdown(_PRESENTATION_CSS, unsafe_allow_html=True)
    show_flashes()
    if step is not None:
        info = STEPS[step - 1]
        st.title(f"Step {step} · {info.title}")
        if current is not None:
            status = step_statuses(current)[step - 1]
            st.caption(f"{info.purpose}  \n**Status:** {status.status} — {status.detail}")
        else:
            st.caption(info.purpose)
    else:
        st.title(title)
    if needs_project and current is None:
        st.info("Open or create a project on the Home page first.")
        st.page_link("Home.py", label="Go to Home", icon="🏠")
        done()
        st.stop()
    return current


def focus_banner(project: Project) -> None:
    """Every later step shows the team's focus gap statement."""
    focus = project.focus_statement()
    if focus is not None and focus.text:
        st.info(f"**Our success gap:** {focus.text}")


def done() -> None:
    """End-of-page marker that browser tests wait for."""
    st.markdown('<span id="sg-ready"></span>', unsafe_allow_html=True)
