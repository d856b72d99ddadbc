"""The audit log of a team server: per project, who signed in, uploaded, exported, changed settings,
deleted, and who was given access; newest first, for facilitators, exportable as CSV.

Sign-ins and sign-outs belong to no project: a project's log shows those of the people on its team.
A save's entries come from comparing the project before and after (`changes`), so every page's uploads,
settings changes and deletions are logged without each page remembering to.
"""

from __future__ import annotations

import pandas as pd

from ..models import Project
from ..store import Store
from .accounts import ensure_tables, utcnow

COLUMNS = ["When (UTC)", "Who", "What", "Detail"]

_LISTS = {  # project field -> (what a removed item is, the field naming it)
    "members": ("team member", "name"), "meetings": ("meeting", "number"), "datasets": ("data set", "name"),
    "statements": ("gap statement", "text"), "priorities": ("priority", "title"), "goals": ("goal", "text"),
    "steps": ("action step", "text"), "reviews": ("review", "date"),
}
_SETTINGS = {"min_n": "minimum group size (n)", "min_cell": "minimum cell size", "comparison": "comparison",
             "reference_group": "reference group", "benchmark_rate": "benchmark rate",
             "risk_ratio_threshold": "risk ratio threshold", "point_gap_threshold": "gap threshold (points)"}


def record(store: Store, project_id: str | None, email: str, action: str, detail: str = "") -> None:
    ensure_tables(store)
    store.cursor().execute("INSERT INTO sg_audit VALUES (?, ?, ?, ?, ?)",
                           [utcnow(), project_id, email, action, str(detail)[:500]])


def entries(store: Store, project_id: str) -> pd.DataFrame:
    """The project's log, newest first: its own entries and the sign-ins of everyone on its team."""
    ensure_tables(store)
    rows = store.cursor().execute(
        "SELECT strftime(logged_at, '%Y-%m-%d %H:%M:%S'), email, action, detail FROM sg_audit WHERE project_id = ? "
        "OR (project_id IS NULL AND email IN (SELECT email FROM sg_roles WHERE project_id = ?)) "
        "ORDER BY logged_at DESC, rowid DESC", [project_id, project_id]).fetchall()
    return pd.DataFrame(rows, columns=COLUMNS)


def _short(text) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 60 else text[:57] + "…"


def changes(before: Project, after: Project) -> list[tuple[str, str]]:
    """(action, detail) for what a save did that the log keeps: uploads, settings changes, deletions."""
    found = []
    old_files = {f.id for d in before.datasets for f in d.files}
    for dataset in after.datasets:
        for file in dataset.files:
            if file.id not in old_files:
                found.append(("upload", f"{file.filename} ({file.rows:,} rows) into “{_short(dataset.name)}”"))
    new_files = {f.id for d in after.datasets for f in d.files}
    for dataset in before.datasets:
        for file in dataset.files:
            if file.id not in new_files:
                found.append(("delete", f"data file {file.filename}"))
    old, new = before.gap_settings.model_dump(), after.gap_settings.model_dump()
    for key, label in _SETTINGS.items():
        if old[key] != new[key]:
            found.append(("settings", f"{label}: {old[key]} → {new[key]}"))
    for field, (what, name) in _LISTS.items():
        kept = {item.id for item in getattr(after, field)}
        for item in getattr(before, field):
            if item.id not in kept:
                found.append(("delete", f"{what} “{_short(getattr(item, name, ''))}”"))
    return found
