"""The whole project in one PDF: the team and meetings, then every step's report.

    project_report(project, con)              all of the step reports in one document
"""

from __future__ import annotations

import datetime as dt

from ..models import Project
from .gap_reports import section_data, section_screen, section_statements
from .pdf import Document, build, long_date
from .plan_reports import section_plan, section_progress, section_rubric
from .sources import Sources


def _section_team(doc: Document, p: Project) -> None:
    doc.heading("Team and meetings")
    if not p.members:
        doc.empty("No team members have been added yet (step 1).")
    else:
        doc.table(["Name", "Role", "Brings the voice of", "Agreed to serve"],
                  [[m.name, m.role, m.category.replace("_", " "), "yes" if m.agreed else "not yet"]
                   for m in p.members], widths=(3, 3, 3, 1.6))
    if p.norms:
        doc.heading("Norms", 2)
        doc.bullets(p.norms)
    if p.meetings:
        doc.heading("Meetings", 2)
        doc.table(["Meeting", "Title", "Date", "Place"],
                  [[m.number, m.title, long_date(m.date), m.place] for m in sorted(p.meetings, key=lambda m: m.number)],
                  widths=(1.3, 5, 2.5, 3), numeric=(0,))


def project_report(project: Project, con=None, *, day: dt.date | None = None) -> bytes:
    """The whole project, step by step, in one document."""
    src = Sources(project, con)

    def write(doc: Document) -> None:
        _section_team(doc, project)
        section_data(doc, src)
        section_screen(doc, src)
        section_statements(doc, src)
        section_rubric(doc, project)
        section_plan(doc, project)
        section_progress(doc, src)
    return build("Success Gaps project", project, write, day)
