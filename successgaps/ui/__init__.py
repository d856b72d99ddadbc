"""Layer `ui`: streamlit helpers shared by the pages: the page frame, the open project, autosave.

The only place (with the pages) that imports streamlit; session-state keys live in this package only.
`guidance` draws the step tips, the explainer and the glossary links; `deck` presentation mode's bar and
slides; `escape` makes user and file text safe for Markdown (`esc`); `gate` the team server's sign-in;
`team_access` who may do what in the open project (re-exported here); `workspace` the workspace store;
`restart` a tab that outlived a server restart.

May import: every layer below (outputs, process, engine, data, core); only the pages import it.
"""

from __future__ import annotations

import atexit
import gc
import logging
import traceback
from datetime import datetime

import streamlit as st

from ..errors import UserError
from ..models import Project
from ..process.progress import STEPS, step_statuses
from ..store import ERROR_LOG, DamagedWorkspaceError, default_workspace, restore_backup
from ..access import audit, config, roles
from . import gate, restart, tables, theme
from .deck import (_BAR, _START, MEETING_PAGE, _deck_bar, _fill_bar, _follow_goto, _sync_presenting,  # noqa: F401
                   bars_in_words, deck_menu, gap_slide, lines, paragraph_slide, slide_parts, slides,
                   table_slides)
from .escape import esc
from .mode import PRESENTING, PROJECT, PROJECT_ID, presenting
from .guidance import render_tips
from .team_access import (access_list, audit_log, audited, can, can_create, claim, delete_project,  # noqa: F401
                          give_access, member_id, project_file, projects, record, remove_access, role, team_server)
from .workspace import _store, store

_PROJECT_ID = PROJECT_ID
_PROJECT = PROJECT
_FLASH = "sg_flash"
_PRESENTING = PRESENTING


# ---------------------------------------------------------------------- the page-level error handler

GENERIC = ("Something went wrong on this page, and nothing was changed by it; reload the page and try again — "
           "the details are in {log} for whoever looks after this app.")


def log_error(exc: BaseException) -> str:
    """Append the details of an unexpected error to the workspace's errors.log (never to the screen);
    returns where they were written."""
    path = default_workspace() / ERROR_LOG
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S}\n{details}\n")
        return str(path)
    except OSError:
        logging.getLogger("successgaps").error("Uncaught page error\n%s", details)
        return "the server's log"


def _restore(path: str) -> None:
    from pathlib import Path  # noqa: PLC0415

    try:
        kept = restore_backup(default_workspace(), Path(path))
    except UserError as exc:
        flash(str(exc), "error")
        return
    _store.clear()
    flash(f"The workspace was restored from the backup of {Path(path).stem}; the damaged database is kept as "
          f"{kept.name}.")


def show_error(exc: BaseException) -> bool:
    """What every page shows for an exception it did not handle: a `UserError`'s own sentence, or one
    sentence for anything else with the details logged to the workspace's errors.log. A damaged
    workspace database also offers its daily backups. Returns True (Streamlit's error page is not shown)."""
    restart.seen()  # its next run (a backup restored) is not a tab back from a restarted server
    if isinstance(exc, UserError):
        st.error(esc(str(exc)), icon=":material/error:")
        if isinstance(exc, DamagedWorkspaceError) and exc.backups:
            choice = st.selectbox("Backup to restore", [str(b) for b in exc.backups],
                                  format_func=lambda b: b.rsplit("/", 1)[-1].removesuffix(".duckdb"),
                                  key="sg_restore_choice")
            st.button("Restore this backup", key="sg_restore", type="primary", on_click=_restore, args=(choice,))
        return True
    where = log_error(exc)
    st.error(esc(GENERIC.format(log=where)), icon=":material/error:")
    return True


def install_error_handler() -> None:
    """Route every uncaught exception of this session's pages to `show_error` (Streamlit's own
    `on_script_error` hook of the run context)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    if ctx is not None and getattr(ctx, "on_script_error", None) is not show_error:
        ctx.on_script_error = show_error




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
    if pid and gate.team() and gate.role(store(), pid) is None:  # not on that project's team: as if it did not exist
        st.session_state.pop(_PROJECT, None)
        flash("That project is not one of yours; pick one of your projects on Home.", "error")
        pid = None
        st.query_params.pop("project", None)
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
    config.raise_to_floors(project.gap_settings, gate.deployment())
    st.session_state[_PROJECT] = project
    return project


def gap_settings():
    """Default gap settings for a new screen, lifted to this server's floors (team server)."""
    from ..models import GapSettings  # noqa: PLC0415

    settings = GapSettings()
    config.raise_to_floors(settings, gate.deployment())
    return settings


def project() -> Project:
    """The project as this page last drew it; mutate it in a callback, then `save()` it."""
    current = st.session_state.get(_PROJECT)
    if current is None:
        current = load_project()
    return current


def save(project: Project) -> bool:
    """Autosave. On a stale write or bad input, keep what is stored and tell the user in one sentence."""
    try:
        before = None
        if gate.team():
            before = store().load(project.id)
            config.raise_to_floors(before.gap_settings, gate.deployment())  # as the page read it
            roles.check_change(before, project, gate.role(store(), project.id), member_id(project))
        config.check_floors(project.gap_settings, gate.deployment())
        store().save(project)
        if before is not None:
            for action, detail in audit.changes(before, project):
                record(action, detail, project.id)
        return True
    except UserError as exc:
        flash(str(exc), "error")
        st.session_state.pop(_PROJECT, None)
        return False


def edit(fn, *args, ok: str = "", at: str | None = None) -> bool:
    """The body of every editing callback: apply `fn(project, *args)` to the open project and autosave.

    Bad input (a `UserError` from the domain) is shown as its sentence and nothing is saved;
    `ok` is a confirmation shown after a successful save. Both appear where the page calls
    `confirmation(at)` — beside the control — or, without `at`, at the top of the page.
    """
    p = project()
    before = dict(st.session_state.items())
    flashes = len(st.session_state.get(_FLASH, []))
    try:
        fn(p, *args)
    except UserError as exc:
        _undo_callback(before, flashes)
        flash(str(exc), "error", at=at)
        return False
    saved = save(p)
    if not saved:  # refused (another tab saved first): no success message, and the form keeps what was typed
        errors = [f for f in st.session_state.get(_FLASH, [])[flashes:] if f[0] == "error"]
        _undo_callback(before, flashes)
        st.session_state.setdefault(_FLASH, []).extend(errors)
    elif ok:
        flash(ok, at=at)
    return saved


def _undo_callback(before: dict, flashes: int) -> None:
    """Put back what a callback changed in the session (cleared form fields, its flashes)."""
    st.session_state[_FLASH] = st.session_state.get(_FLASH, [])[:flashes]
    for key, value in before.items():
        if key in (_FLASH, _PROJECT):
            continue
        if key not in st.session_state or st.session_state[key] is not value:
            try:
                st.session_state[key] = value
            except Exception:  # noqa: BLE001 - buttons and uploaders cannot be set; nothing typed is lost there
                pass


def flash(message: str, kind: str = "success", at: str | None = None) -> None:
    """A message for the next run (callbacks run before the page draws): beside the control that
    `confirmation(at)` follows, or at the top of the page when `at` is None."""
    st.session_state.setdefault(_FLASH, []).append((kind, message, at))


def _draw(kind: str, message: str) -> None:
    getattr(st, kind if kind in {"error", "warning", "info", "success"} else "info")(esc(message))


def _take(at: str | None) -> list[tuple[str, str]]:
    pending = st.session_state.get(_FLASH, [])
    mine = [(kind, message) for kind, message, where in pending if where == at]
    st.session_state[_FLASH] = [item for item in pending if item[2] != at]
    return mine


def show_flashes() -> None:
    """Messages not tied to a control: a confirmation is a toast in the corner, which moves nothing on the
    page; an error is drawn under the title."""
    for kind, message in _take(None):
        if kind == "error":  # a sentence to act on stays on the page
            _draw(kind, message)
        else:
            _toast(kind, message)


# Streamlit's toast is an alertdialog named by an element it does not draw (axe: aria-dialog-name, serious):
# each toast is named by its own message, once, by one watcher per browser tab
_NAME_TOASTS = """<script>
if (!window.sgToastNames) {
  window.sgToastNames = true;
  const name = () => document.querySelectorAll('[data-testid="stToast"]:not([aria-label])').forEach(toast => {
    const text = toast.querySelector('[data-testid="stMarkdownContainer"]');
    toast.setAttribute('aria-label', ((text && text.innerText) || 'Message').trim().slice(0, 200));
  });
  new MutationObserver(name).observe(document.body, {childList: true, subtree: true});
  name();
}
</script>"""


def _toast(kind: str, message: str) -> None:
    st.toast(esc(message), icon=":material/error:" if kind == "error" else ":material/check_circle:",
             duration="infinite" if kind == "error" else "long")
    st.sidebar.html(_NAME_TOASTS, unsafe_allow_javascript=True)


def confirmation(at: str) -> None:
    """Draw here, beside its control, the confirmation or error of the last change made with `at`:
    the page keeps its tab, its open expanders and its scroll position."""
    for kind, message in _take(at):
        _draw(kind, message)


def page(title: str, step: int | None = None, *, needs_project: bool = True,
         slide_page: str | None = None) -> Project | None:
    """Draw the page frame and return the open project (or stop with a pointer to Home).

    While presenting, the frame is a slide deck's: no sidebar, a bar with the step menu and
    Previous / Next on top, the title small, no caption or tips. `slide_page` names the page in the
    deck (a step's page is known from `step`)."""
    install_error_handler()
    st.set_page_config(page_title=f"{title} · Success Gaps", page_icon=":material/insights:", layout="wide")
    st.session_state.pop(_BAR, None)  # the last run's deck bar: never drawn into again (nor by the sign-in page)
    gate.gate(store(), slide_page or (STEPS[step - 1].page if step is not None else None), esc, done)
    _follow_goto()
    _sync_presenting()
    restart.begin()
    current = load_project()
    with st.sidebar:
        if current is not None:
            st.markdown(f"**Project:** {esc(current.name)}")
            if gate.team():
                st.caption(f"Your role here: {role()}")
        st.toggle("Presentation mode", key=_PRESENTING,
                  help="Slides for sharing in a meeting: large type, one item at a time, no editing controls. "
                       "Set filters first; leave with the Leave button. The left and right arrow keys move.")
        if not gate.team():  # a team server's folders are the deployer's business
            st.caption(f"Workspace: `{store().workspace}`")
    theme.apply(presenting())
    if presenting():
        _deck_bar(slide_page or (STEPS[step - 1].page if step is not None else None))
    show_flashes()
    restart.place()
    if step is not None:
        info = STEPS[step - 1]
        st.title(f"Step {step} · {info.title}")
        if presenting():
            pass
        elif current is not None:
            status = step_statuses(current)[step - 1]
            st.caption(f"{info.purpose}  \n**Status:** {status.status} — {esc(status.detail)}")
            render_tips(step)
        else:
            st.caption(info.purpose)
            render_tips(step)
    else:
        st.title(title)
    if current is not None and gate.team() and not presenting() and role() in ROLE_NOTES:
        st.caption(ROLE_NOTES[role()])
    if needs_project and current is None:
        st.info("Open or create a project on the Home page first.")
        st.page_link("Home.py", label="Go to Home", icon=":material/home:")
        done()
        st.stop()
    return current


ROLE_NOTES = {  # under the title of every page of a project, on a team server
    "member": "You are a member of this team: you change your own ratings, votes, action steps and review notes; "
              "the rest is the facilitator's.",
    "viewer": "You are a viewer of this project: you read its summaries; changes are the team's.",
}


def floors_note() -> str:
    """One sentence on the deployer's floors, or "" when there are none."""
    d = gate.deployment()
    return f"{config.floors_sentence(d)}." if d.min_n_floor or d.min_cell_floor else ""


def require(what: str) -> None:
    """Stop the page with one sentence when this person's role may not see it (team server)."""
    if not can(what):
        st.info("Your role on this team is to read its summaries: this page shows the data behind them, so it is "
                "for the team's members and facilitators.")
        st.page_link("Home.py", label="Go to Home", icon=":material/home:")
        done()
        st.stop()


def focus_banner(project: Project) -> None:
    """Every later step shows the team's focus gap statement."""
    focus = project.focus_statement()
    # always a slot here, filled or not: a banner that appears (the first statement saved) then does not shift
    # every element below it to a new place in the page, so the browser keeps the reader where they were
    with st.container():
        if focus is not None and focus.text and not presenting():  # a slide has no room for it
            st.info(f"**Our success gap:** {esc(focus.text)}")


def form_box(label: str, *, key: str, open_first: bool):
    """An expander holding a form of the page (add a priority, a goal, the review schedule), open as
    `open_first` says when this tab first shows it for the open project, and kept so for the session.
    Streamlit counts `expanded` in a stateful expander's identity: a default that followed the team's own
    first entry would make it a new box, closed under their hands, its confirmation hidden inside it."""
    opened = st.session_state.setdefault(f"sg_box_{key}_{st.session_state.get(_PROJECT_ID)}", open_first)
    return st.expander(label, expanded=opened, key=key, on_change="rerun")


_FROZEN: list = []  # once per process (counting the frozen objects would walk them all)


def _freeze_once() -> None:
    """After this server's first page run: what it loaded (modules, the cached tables) is set aside from
    Python's full garbage collections, which would otherwise walk its 200,000 objects (0.1 s, holding up a
    click's run) every few reruns. Given back at exit, so it is freed in order."""
    if _FROZEN or not gc.isenabled():
        return
    _FROZEN.append(True)
    gc.collect()
    gc.freeze()
    atexit.register(gc.unfreeze)


def done() -> None:
    """End of the page: a page without slides is one slide of the deck; the marker browser tests wait for."""
    _freeze_once()
    if st.session_state.get(_BAR) is not None:
        _fill_bar(0, 1)
    st.session_state.pop(_START, None)
    for kind, message, _ in st.session_state.pop(_FLASH, []):  # its control is not on the page: a toast
        _toast(kind, message)
    restart.finish(st.session_state.get(_PROJECT))
    restart.stamp(st.session_state.get(_PROJECT))
    st.markdown('<span id="sg-ready"></span>', unsafe_allow_html=True)


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MIME = {"pdf": "application/pdf", "xlsx": XLSX_MIME,
         "csv": "text/csv", "ics": "text/calendar"}


def report_button(label: str, builder, filename: str, *, key: str | None = None) -> None:
    """One-click download of a report: `builder()` returns its bytes and runs only when clicked.

    The builder runs outside the page's run, so it must not touch session state: capture what it
    needs first, e.g. `ui.report_button("Gap screen (PDF)", partial(gap_reports.gap_screen_report,
    project, ui.store().cursor()), "gap-screen.pdf")`. Hidden in presentation mode.
    """
    if presenting():
        return
    st.download_button(label, data=audited(builder, filename), file_name=filename, key=key or f"sg_report_{filename}",
                       mime=_MIME.get(filename.rsplit(".", 1)[-1].lower(), "application/octet-stream"),
                       on_click="ignore", icon=":material/download:")


def present_one(items, key: str, render, label=None) -> None:
    """`slides` outside the presenting frame too: its own Previous / Next row, keyed by `key`."""
    slides(items, render, label, key=key)


def plan_exports(project: Project, csv_sheets: tuple[str, str], rubric=None) -> None:
    """The export row of steps 5 and 6: two of the plan's tables as CSV, the whole plan as XLSX and PDF."""
    from functools import partial  # noqa: PLC0415

    from ..outputs import plan_reports, spreadsheet  # noqa: PLC0415 - only the plan pages need them
    from ..process import action_plan  # noqa: PLC0415

    if presenting():
        return
    st.header("Export")
    tables = action_plan.export_tables(project, rubric)
    columns = st.columns(3)
    for column, sheet in zip(columns, csv_sheets):
        name = sheet.lower().replace(" ", "_") + ".csv"
        column.download_button(f"{sheet} (CSV)", audited(spreadsheet.csv_bytes(tables[sheet]), name), name, "text/csv",
                               on_click="ignore")
    columns[2].download_button("Priorities, root causes and plan (XLSX)", audited(spreadsheet.workbook(tables), "plan.xlsx"),
                               "plan.xlsx", XLSX_MIME, on_click="ignore")
    report_button("Action plan (PDF)", partial(plan_reports.action_plan_report, project), "action-plan.pdf")
