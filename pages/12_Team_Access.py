"""Team access (team server, facilitators): who may open this project in which role, and its audit log."""

import pandas as pd
import streamlit as st

from successgaps import ui
from successgaps.errors import UserError
from successgaps.outputs import spreadsheet

ROLE_HELP = {"facilitator": "everything: the team, the data, settings, consensus, the plan, access, project files",
             "member": "reads every step; rates, votes, and updates their own action steps and review notes",
             "viewer": "reads the summaries only: no data page, no project file, changes nothing"}

project = ui.page("Team access and audit log")
if not ui.team_server():
    st.info("This app runs in personal mode: there is no sign-in, and whoever uses this computer can do everything. "
            "To give each team member their own sign-in, run it as a team server (README, “Deploy for a team”).")
    ui.done()
    st.stop()
if not ui.can("access"):
    st.info("Only the project's facilitators give access and read its audit log.")
    ui.done()
    st.stop()


def _give() -> None:
    try:
        link = ui.give_access(st.session_state.get("acc_member"), st.session_state.get("acc_role", "member"))
    except UserError as exc:
        ui.flash(str(exc), "error", at="acc_give")
        return
    st.session_state["acc_link"] = link
    ui.flash("Access given. Send this one-time link to the person (it works once, for a week); it lets them "
             "choose a password.", at="acc_give")


def _remove() -> None:
    try:
        ui.remove_access(st.session_state.get("acc_remove"))
    except UserError as exc:
        ui.flash(str(exc), "error", at="acc_remove")
        return
    ui.flash("Access removed.", at="acc_remove")


people = ui.access_list()
names = {m.email.strip().lower(): m.name for m in project.members if m.email.strip()}
st.header("Who has access")
ui.tables.show(pd.DataFrame([{"Name": names.get(email, ""), "Email": email, "Role": role}
                             for email, role in people.items()]), key="acc_people", static=True)

st.header("Give access")
with_email = {m.id: f"{m.name} ({m.email})" for m in project.members if m.email.strip()}
if not with_email:
    st.info("Nobody on the team roster has an email yet: add the members' emails in step 1.")
else:
    left, right = st.columns(2)
    left.selectbox("Team member (from the roster)", list(with_email), format_func=with_email.get, key="acc_member")
    right.radio("Role", list(ROLE_HELP), format_func=lambda r: f"{r.capitalize()}: {ROLE_HELP[r]}",
                key="acc_role", index=1)
    st.button("Give access and make a sign-in link", type="primary", on_click=_give)
    ui.confirmation("acc_give")
    if st.session_state.get("acc_link"):
        st.code(st.session_state["acc_link"], language=None)
others = [email for email in people if email != ui.gate.email()]
if others:
    with st.expander("Remove someone's access"):
        st.selectbox("Person", others, key="acc_remove", format_func=lambda e: f"{names.get(e, e)} ({e}, {people[e]})")
        st.button("Remove access", on_click=_remove)
        ui.confirmation("acc_remove")

st.header("Audit log")
st.caption("Sign-ins of the people on this team, uploads, exports, settings changes, deletions and access, newest "
           "first (times in UTC).")
log = ui.audit_log()
ui.tables.show(log, key="acc_audit")
st.download_button("Download the audit log (CSV)", ui.audited(spreadsheet.csv_bytes(log), "audit-log.csv"),
                   file_name="audit-log.csv", mime="text/csv", icon=":material/download:", on_click="ignore")
ui.done()
