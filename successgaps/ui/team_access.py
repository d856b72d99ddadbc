"""Who may do what in the open project, on a team server: the projects a person may open, their role and
rights, access given and removed, and the audit log. In personal mode everyone is the facilitator of every
project and nothing is recorded. Re-exported by `ui`, so pages call `ui.can(...)`, `ui.record(...)`.
"""

from __future__ import annotations

import streamlit as st

from ..access import accounts, audit, roles
from ..errors import UserError
from ..models import Project
from . import gate
from .mode import PROJECT, PROJECT_ID
from .workspace import store


def projects():
    """The projects this person may open, newest first (all of them in personal mode)."""
    mine = gate.visible(store())
    return [p for p in store().list() if mine is None or p.id in mine]


def role() -> str | None:
    """This person's role in the open project: "facilitator", "member", "viewer" (always facilitator in
    personal mode), or None when no project is open."""
    return gate.role(store(), st.session_state.get(PROJECT_ID))


def can(what: str) -> bool:
    """Whether this person may do `what` in the open project (`access.roles.RIGHTS`)."""
    return roles.may(role(), what)


def team_server() -> bool:
    return gate.team()


def member_id(project: Project | None = None) -> str | None:
    """The roster entry of the signed-in person in the project (None in personal mode or when not on it)."""
    signed_in = gate.account()
    project = project or st.session_state.get(PROJECT)
    return roles.member_id_of(project, signed_in.email) if signed_in and project else None


def can_create() -> bool:
    """Whether this person may create or open projects (on a team server: accounts the deployer made so)."""
    signed_in = gate.account()
    return not gate.team() or bool(signed_in and signed_in.can_create)


def claim(project_id: str, action: str, detail: str = "") -> None:
    """A project this person just created, opened or copied: they are its facilitator (team server)."""
    if gate.team():
        accounts.grant(store(), project_id, gate.email(), "facilitator")
        record(action, detail, project_id)


def delete_project(project_id: str) -> str:
    """Delete a project (facilitators only); returns its name."""
    if not roles.may(gate.role(store(), project_id), "delete"):
        raise UserError("Only a facilitator of this project can delete it.")
    name = store().load(project_id).name
    store().delete(project_id)
    if gate.team():
        record("delete", f"the project “{name}”", project_id)
        accounts.forget_project(store(), project_id)
    return name


def project_file(project_id: str):
    """The builder of the project file as this server allows it (with or without student rows), for a download
    button; facilitators only. Checked now: the builder runs outside the page's run."""
    from functools import partial  # noqa: PLC0415

    if not roles.may(gate.role(store(), project_id), "project_file"):
        raise UserError("Only a facilitator of this project can download its project file.")
    return partial(store().export_project, project_id,
                   student_rows=gate.deployment().student_rows_in_project_files)


def give_access(member_id: str, role_name: str) -> str:
    """Give a roster member access to the open project; returns their one-time sign-in link."""
    if not can("access"):
        raise UserError("Only a facilitator of this project can give access to it.")
    current = st.session_state.get(PROJECT) or store().load(st.session_state.get(PROJECT_ID))
    token = accounts.give_access(store(), current, member_id, role_name, gate.deployment(), by=gate.email())
    email = current.member(member_id).email.strip().lower()
    record("access", f"{email} is a {role_name}; one-time sign-in link made")
    return accounts.link_url(token, gate.deployment())


def remove_access(email: str) -> None:
    if not can("access"):
        raise UserError("Only a facilitator of this project can change who has access to it.")
    if email == gate.email():
        raise UserError("You cannot remove your own access; another facilitator can.")
    accounts.revoke(store(), st.session_state.get(PROJECT_ID), email)
    record("access", f"{email} no longer has access")


def access_list() -> dict[str, str]:
    """email -> role of everyone with access to the open project."""
    return accounts.team(store(), st.session_state.get(PROJECT_ID)) if gate.team() else {}


def audit_log():
    return audit.entries(store(), st.session_state.get(PROJECT_ID))


def record(action: str, detail: str = "", project_id: str | None = None) -> None:
    """One line of the audit log (team server only)."""
    if gate.team():
        audit.record(store(), project_id or st.session_state.get(PROJECT_ID), gate.email(), action, detail)


def audited(builder, filename: str):
    """`builder` for a download button that writes "export <filename>" to the audit log when it runs (when clicked)."""
    if not gate.team():
        return builder
    where, who, pid = store(), gate.email(), st.session_state.get(PROJECT_ID)

    def build():
        audit.record(where, pid, who, "export", filename)
        return builder() if callable(builder) else builder

    return build
