"""Home: open or create a project, see where the team stands, and what to do next."""

from functools import partial

import streamlit as st

from successgaps import ui
from successgaps.errors import UserError
from successgaps.outputs import project_report, workbook
from successgaps.process import monitoring, sample
from successgaps.process.progress import next_step, step_statuses
from successgaps.ui.guidance import render_explainer

STATUS_ICON = {"not started": ":material/radio_button_unchecked:", "in progress": ":material/pending:",
               "done": ":material/check_circle:"}


def _create(name_key: str) -> None:
    try:
        created = ui.store().create(st.session_state.get(name_key, ""))
    except UserError as exc:
        ui.flash(str(exc), "error", at="home")
        return
    st.session_state[name_key] = ""
    ui.claim(created.id, "create", created.name)
    ui.open_project(created.id)
    ui.flash(f"Created “{created.name}”. Start with step 1, or go straight to your data in step 2.", at="home")


def _create_sample(worked: bool = False) -> None:
    try:
        created = (sample.worked_example if worked else sample.create_project)(ui.store())
    except UserError as exc:
        ui.flash(str(exc), "error", at="home")
        return
    ui.claim(created.id, "create", created.name)
    ui.open_project(created.id)
    ui.flash(f"Created “{created.name}”: " + ("the sample district carried through all seven steps, to see every "
                                             "step filled." if worked else "the sample district's student file."), at="home")


def _open_file() -> None:
    upload = st.session_state.get("home_open_file")
    if upload is None:
        return
    try:
        created = ui.store().import_project(upload.getvalue())
    except UserError as exc:
        ui.flash(str(exc), "error", at="home")
        return
    ui.claim(created.id, "upload", f"project file {upload.name}")
    ui.open_project(created.id)
    ui.flash(f"Opened “{created.name}” from {upload.name} as a new project.", at="home")


def _rename(project_id: str) -> None:
    try:
        ui.store().rename(project_id, st.session_state.get("home_rename", ""))
        ui.flash("Renamed.", at="home")
    except UserError as exc:
        ui.flash(str(exc), "error", at="home")


def _duplicate(project_id: str) -> None:
    copy = ui.store().duplicate(project_id)
    ui.claim(copy.id, "create", f"copy of {project_id}")
    ui.open_project(copy.id)
    ui.flash(f"Made a copy: “{copy.name}” is now open.", at="home")


def _delete(project_id: str) -> None:
    try:
        name = ui.delete_project(project_id)
    except UserError as exc:
        ui.flash(str(exc), "error", at="home")
        return
    ui.open_project(None)
    ui.flash(f"Deleted “{name}”.", "info", at="home")


def _switch() -> None:
    ui.open_project(st.session_state.get("home_switch"))


project = ui.page("Success Gaps", needs_project=False, slide_page="Home.py")
ui.confirmation("home")  # Home's controls are at the top: its confirmations too
projects = ui.projects()

if project is None:
    st.markdown(
        "Find the groups of students your school or district is not serving well — and do something "
        "about it, step by step, as a team."
    )
    render_explainer(expanded=not projects, key="home_explainer")
    left, right = st.columns(2)
    if not ui.can_create():
        left.info("Your facilitator creates the team's project and gives you access; your projects are listed "
                  "here.")
    else:
        with left:
            st.header("Start a project")
            st.text_input("Project name", key="home_new_name", placeholder="e.g. Central High graduation 2025–26")
            st.button("Create project", on_click=_create, args=("home_new_name",), type="primary")
            st.divider()
            st.markdown("New here? See a worked example: a fictional district's team carried through all seven "
                        "steps. Or start from its student file alone.")
            st.button("Open a worked example (all seven steps)", on_click=_create_sample, args=(True,),
                      key="home_worked_example")
            st.button("Create a project from the sample district", on_click=_create_sample, key="home_sample")
    with right:
        st.header("Open a project")
        if projects:
            for summary in projects:
                st.button(ui.esc(summary.name), key=f"home_open_{summary.id}", icon=":material/folder_open:",
                          on_click=ui.open_project, args=(summary.id,))
        else:
            st.caption("No projects in this workspace yet.")
        if ui.can_create():
            st.file_uploader("Open a project file (.sgproj)", type=["sgproj"], key="home_open_file",
                             on_change=_open_file)
else:
    st.header(ui.esc(project.name))
    upcoming = next_step(project)
    if upcoming.next_action:
        st.success(f"**Next:** step {upcoming.step.number} · {upcoming.step.title} — {upcoming.next_action}")
        st.page_link(upcoming.step.page, label=f"Go to step {upcoming.step.number}", icon=":material/arrow_forward:")

    upcoming_review = monitoring.next_review(project)
    if upcoming_review:
        st.info(f"**Next review of the plan:** {upcoming_review.date:%A, %B %-d, %Y}")
    for alert in monitoring.alerts(ui.store().cursor(), project):
        st.warning(ui.esc(alert.sentence))

    st.subheader("Where we stand")
    for status in step_statuses(project):
        c1, c2, c3 = st.columns([3, 2, 4])
        c1.page_link(status.step.page, label=f"{status.step.number}. {status.step.title}",
                     icon=STATUS_ICON[status.status])
        c2.markdown(f"**{status.status.capitalize()}**")
        c3.markdown(ui.esc(status.detail) + (f"  \n_{status.next_action}_" if status.next_action else ""))

    if not ui.presenting():
        st.subheader("Project")
        c1, c2, c3 = st.columns(3)
        with c1:
            if ui.can("edit"):
                st.text_input("Rename", value=project.name, key="home_rename", on_change=_rename, args=(project.id,))
            if ui.can("project_file"):
                st.download_button(
                    "Download project file", data=ui.audited(ui.project_file(project.id), "project file"),
                    file_name=f"{project.name}.sgproj", mime="application/zip", on_click="ignore",
                    help="One file with everything the team entered and its data, to open on another machine."
                    if not ui.team_server() else "One file with everything the team entered, to open on another "
                    "machine (with its student rows only if this server allows it).",
                )
            ui.report_button("Whole project (PDF)", partial(project_report.project_report, project, ui.store().cursor()),
                             f"{project.name}.pdf")
            ui.report_button("All tables (XLSX)", partial(workbook.project_workbook, project, ui.store().cursor()),
                             f"{project.name}.xlsx")
        with c2:
            ids = [p.id for p in projects]
            st.selectbox("Switch to another project", ids, index=ids.index(project.id),
                         format_func=lambda pid: next(p.name for p in projects if p.id == pid),
                         key="home_switch", on_change=_switch)
            st.button("Close project", on_click=ui.open_project, args=(None,))
        with c3:
            if ui.can("edit") and ui.can_create():
                st.button("Duplicate project", on_click=_duplicate, args=(project.id,))
            if ui.can("delete"):
                with st.popover("Delete project…"):
                    st.warning(f"Delete “{ui.esc(project.name)}” and its data from this workspace? This cannot be undone.")
                    st.button("Delete for good", on_click=_delete, args=(project.id,), type="primary")

st.markdown("**Just one file?** Drop it in a quick screen and read the largest gaps in a minute; nothing is "
            "saved unless you keep it.")
st.page_link("pages/9_Quick_Screen.py", label="Quick screen", icon=":material/bolt:")
if ui.team_server():
    st.caption("Your projects are saved as you work, on this server. Nothing is sent anywhere else.")
else:
    st.caption(f"Your projects are saved as you work, in `{ui.store().path}`. Nothing is sent anywhere.")
ui.done()
