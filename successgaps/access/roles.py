"""What each role may do in a project, and the check every save of a member goes through.

- **facilitator**: everything (the team, the data, settings, consensus, the plan, access, the audit log,
  project files, delete);
- **member**: reads every step; changes only their own ratings, their votes, the action steps they own and
  the review notes of those steps;
- **viewer**: reads summaries only: no student-level data page, no project file, changes nothing.
"""

from __future__ import annotations

from ..errors import UserError
from ..models import Project

# what -> the roles allowed. "student_data": the Data page (mapping, column values, quality of the rows).
RIGHTS: dict[str, set[str]] = {
    "edit": {"facilitator"},  # anything in the project
    "own_work": {"facilitator", "member"},  # own ratings, votes, steps, review notes
    "student_data": {"facilitator", "member"},
    "project_file": {"facilitator"},
    "audit": {"facilitator"},
    "access": {"facilitator"},
    "delete": {"facilitator"},
}

REFUSED = {
    "member": ("As a member of this team you can change your own ratings, votes, action steps and review notes; "
               "ask your facilitator to change the rest."),
    "viewer": "You can read this project's summaries but not change it; ask your facilitator if you should.",
}


def may(role: str | None, what: str) -> bool:
    return role in RIGHTS.get(what, set())


def member_id_of(project: Project, email: str) -> str | None:
    """The roster entry of the account (matched by email), or None."""
    email = (email or "").strip().lower()
    return next((m.id for m in project.members if email and m.email.strip().lower() == email), None)


def _own_steps(doc: dict, member_id: str) -> set[str]:
    return {s["id"] for s in doc["steps"] if member_id and s.get("owner_id") == member_id}


def _without_own(doc: dict, member_id: str | None, own_steps: set[str]) -> dict:
    doc = dict(doc)
    for key in ("revision", "updated_at"):
        doc.pop(key, None)
    mine = member_id or "\0"
    doc["ratings"] = [r for r in doc["ratings"] if r["member_id"] != mine]
    doc["votes"] = [v for v in doc["votes"] if v["member_id"] != mine]
    doc["steps"] = [s for s in doc["steps"] if s["id"] not in own_steps]
    doc["reviews"] = [dict(r, steps=[s for s in r["steps"] if s["step_id"] not in own_steps]) for r in doc["reviews"]]
    return doc


def check_change(before: Project, after: Project, role: str | None, member_id: str | None) -> None:
    """Refuse (one sentence) a save the role does not allow; a facilitator may change anything."""
    if may(role, "edit"):
        return
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    if role != "member" or not member_id:
        if _without_own(old, None, set()) != _without_own(new, None, set()):
            raise UserError(REFUSED.get(role or "viewer", REFUSED["viewer"]) if role != "member" else
                            "Your email is not on this team's roster, so you have no ratings or steps of your own "
                            "here; ask your facilitator to add it in step 1.")
        return
    own = _own_steps(old, member_id)
    if own != _own_steps(new, member_id):
        raise UserError(REFUSED["member"])
    if not old.get("rubric_doc") and new.get("rubric_doc"):  # a first rating keeps the rubric rated with
        for key in ("rubric_doc", "rubric_id", "rubric_version"):
            old[key] = new[key]
    if old["revisions"] == new["revisions"][: len(old["revisions"])]:  # a review may add to the plan's history
        new["revisions"] = old["revisions"]
    if _without_own(old, member_id, own) != _without_own(new, member_id, own):
        raise UserError(REFUSED["member"])
