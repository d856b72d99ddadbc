"""Streamlit helpers shared by the pages: the page frame, the open project, autosave.

The only place (with the pages) that imports streamlit. Session-state keys live here only.
"""

from __future__ import annotations

import streamlit as st

from ..errors import UserError
from ..models import Project
from ..progress import STEPS, step_statuses
from ..store import Store, default_workspace
from . import tables
from .guidance import render_tips

_PROJECT_ID = "sg_project_id"
_PROJECT = "sg_project"
_FLASH = "sg_flash"
_PRESENTING = "sg_presenting"


_PRESENTATION_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 1.3rem; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none; }
.block-container { max-width: 1200px; padding-top: 1rem; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.35rem; line-height: 1.5; }
[data-testid="stAlertContainer"] p { font-size: 1.45rem; }
[data-testid="stMetricValue"] { font-size: 3rem; }
[data-testid="stTable"] td, [data-testid="stTable"] th { font-size: 1.2rem; padding: 0.5rem 0.8rem; }
h1 { font-size: 2.6rem; } h2 { font-size: 2.1rem; } h3 { font-size: 1.7rem; }
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


def edit(fn, *args, ok: str = "") -> bool:
    """The body of every editing callback: apply `fn(project, *args)` to the open project and autosave.

    Bad input (a `UserError` from the domain) is shown as its sentence and nothing is saved;
    `ok` is a confirmation shown after a successful save.
    """
    p = project()
    try:
        fn(p, *args)
    except UserError as exc:
        flash(str(exc), "error")
        return False
    saved = save(p)
    if saved and ok:
        flash(ok)
    return saved


def flash(message: str, kind: str = "success") -> None:
    """A message shown at the top of the page on the next run (callbacks run before the page draws)."""
    st.session_state.setdefault(_FLASH, []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop(_FLASH, []):
        getattr(st, kind if kind in {"error", "warning", "info", "success"} else "info")(message)


def presenting() -> bool:
    return bool(st.session_state.get(_PRESENTING))


def _leave_presenting() -> None:
    st.session_state[_PRESENTING] = False  # the sidebar toggle is hidden while presenting


def page(title: str, step: int | None = None, *, needs_project: bool = True) -> Project | None:
    """Draw the page frame and return the open project (or stop with a pointer to Home)."""
    st.set_page_config(page_title=f"{title} · Success Gaps", page_icon=":material/insights:", layout="wide")
    current = load_project()
    with st.sidebar:
        if current is not None:
            st.markdown(f"**Project:** {current.name}")
        st.toggle("Presentation mode", key=_PRESENTING,
                  help="Hide editing controls and enlarge the screen for sharing in a meeting.")
        st.caption(f"Workspace: `{store().workspace}`")
    if presenting():
        st.markdown(_PRESENTATION_CSS, unsafe_allow_html=True)
        st.button("Leave presentation mode", key="sg_leave_presenting", on_click=_leave_presenting)
    show_flashes()
    if step is not None:
        info = STEPS[step - 1]
        st.title(f"Step {step} · {info.title}")
        if current is not None:
            status = step_statuses(current)[step - 1]
            st.caption(f"{info.purpose}  \n**Status:** {status.status} — {status.detail}")
        else:
            st.caption(info.purpose)
        if not presenting():
            render_tips(step)
    else:
        st.title(title)
    if needs_project and current is None:
        st.info("Open or create a project on the Home page first.")
        st.page_link("Home.py", label="Go to Home", icon=":material/home:")
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


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MIME = {"pdf": "application/pdf", "xlsx": XLSX_MIME,
         "csv": "text/csv", "ics": "text/calendar"}


def report_button(label: str, builder, filename: str, *, key: str | None = None) -> None:
    """One-click download of a report: `builder()` returns its bytes and runs only when clicked.

    The builder runs outside the page's run, so it must not touch session state: capture what it
    needs first, e.g. `ui.report_button("Gap screen (PDF)", partial(reports.gap_screen_report,
    project, ui.store().cursor()), "gap-screen.pdf")`. Hidden in presentation mode.
    """
    if presenting():
        return
    st.download_button(label, data=builder, file_name=filename, key=key or f"sg_report_{filename}",
                       mime=_MIME.get(filename.rsplit(".", 1)[-1].lower(), "application/octet-stream"),
                       on_click="ignore", icon=":material/download:")


def present_one(items, key: str, render, label=None) -> None:
    """Show one item at a time with Previous / Next (a gap, an indicator, a goal) for screen sharing.

    `render(item)` draws the item; `label(item)` (optional) names it beside the counter. The position
    is kept per `key` across reruns and clamped when the list shrinks.
    """
    items = list(items)
    if not items:
        return
    state = f"{key}_index"
    index = min(max(int(st.session_state.get(state, 0)), 0), len(items) - 1)
    st.session_state[state] = index

    def move(step: int) -> None:
        st.session_state[state] = min(max(index + step, 0), len(items) - 1)

    back, where, forward = st.columns([1, 4, 1], vertical_alignment="center")
    back.button("← Previous", key=f"{key}_previous", on_click=move, args=(-1,), disabled=index == 0,
                width="stretch")
    where.markdown(f"**{index + 1} of {len(items)}**" + (f" · {label(items[index])}" if label else ""))
    forward.button("Next →", key=f"{key}_next", on_click=move, args=(1,), disabled=index == len(items) - 1,
                   width="stretch")
    render(items[index])


def plan_exports(project: Project, csv_sheets: tuple[str, str], rubric=None) -> None:
    """The export row of steps 5 and 6: two of the plan's tables as CSV, the whole plan as XLSX and PDF."""
    from functools import partial  # noqa: PLC0415

    from .. import planning, reports, spreadsheet  # noqa: PLC0415 - only the plan pages need them

    st.subheader("Export")
    tables = planning.export_tables(project, rubric)
    columns = st.columns(3)
    for column, sheet in zip(columns, csv_sheets):
        column.download_button(f"{sheet} (CSV)", spreadsheet.csv_bytes(tables[sheet]),
                               sheet.lower().replace(" ", "_") + ".csv", "text/csv")
    columns[2].download_button("Priorities, root causes and plan (XLSX)", spreadsheet.workbook(tables), "plan.xlsx",
                               XLSX_MIME)
    report_button("Action plan (PDF)", partial(reports.action_plan_report, project), "action-plan.pdf")
