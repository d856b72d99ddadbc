"""The project's spreadsheet export: one .xlsx workbook, one sheet per table, safe to open.

`project_workbook(project, con)` writes the
project's tables: the gap screen (as `suppression.for_export` gives it: small groups and the cells that
would reveal them are blank), gap statements, rubric ratings, priorities, root causes, goals,
action steps, reviews and the plan's history. No sheet holds a student id or a raw data row.

Formula neutralisation and the file format: `successgaps.outputs.spreadsheet`.
"""

from __future__ import annotations

import pandas as pd

from ..engine import columns
from ..models import Project
from ..process import action_plan, monitoring, rubric
from .sources import Sources
from .spreadsheet import is_formula_like, workbook  # noqa: F401 - the writer, re-exported

# ---------------------------------------------------------------- the project's tables


def statements_table(project: Project) -> pd.DataFrame:
    """One row per gap statement: where, who, what, the sentence and the saved figures."""
    rows = []
    for st in project.statements:
        row = {"Focus": "yes" if st.focus else "", "Statement": st.text, "Level": st.level, "School": st.school,
               "Year": st.year, "Dimension": st.dimension, "Group": st.group, "Outcome": st.outcome,
               "Compared with": st.comparison}
        row.update({k: v for k, v in st.figures.items() if k not in {"level", "school", "year", "dimension",
                                                                       "group", "outcome", "comparison"}})
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["Focus", "Statement", "Group", "Outcome"])


def reviews_table(project: Project) -> pd.DataFrame:
    """One row per action step per review: the status and note the review recorded."""
    steps = {s.id: s.text for s in project.steps}
    rows = []
    for review in sorted(project.reviews, key=lambda r: r.date):
        base = {"Date": review.date, "Who": "full team" if review.kind == "full_team" else "implementers",
                "Held": "yes" if review.held else "planned",
                "Attended": ", ".join(filter(None, (getattr(project.member(m), "name", "") for m in review.attendees))),
                "Implemented as planned": review.fidelity, "Challenges": review.challenges,
                "Decisions": review.decisions}
        for s in review.steps or [None]:
            rows.append({**base, "Action step": steps.get(s.step_id, "(removed step)") if s else "",
                         "Status": monitoring.STATUS_LABELS[s.status] if s else "", "Note": s.note if s else "",
                         "Evidence": s.evidence if s else ""})
    return pd.DataFrame(rows, columns=["Date", "Who", "Held", "Attended", "Implemented as planned", "Challenges",
                                       "Decisions", "Action step", "Status", "Note", "Evidence"])


def project_tables(project: Project, con=None) -> dict[str, pd.DataFrame]:
    """The project's tables, each as people read it (the same wording as the reports and pages)."""
    screen = Sources(project, con).screen()
    tables = {"Gaps": screen[columns.COLUMNS] if screen is not None else
              pd.DataFrame(columns=columns.COLUMNS)}
    tables["Gap statements"] = statements_table(project)
    tables["Rubric ratings"] = rubric.export_table(project)
    tables.update(action_plan.export_tables(project, rubric.load_rubric(project)))
    tables["Reviews"] = reviews_table(project)
    tables["Plan history"] = pd.DataFrame(monitoring.history(project), columns=["when", "what", "why", "decided at"])
    return tables


def project_workbook(project: Project, con=None) -> bytes:
    """The whole project's tables in one .xlsx (sheets: Gaps, Gap statements, Rubric ratings, Priorities,
    Root causes, Goals, Action steps, Reviews, Plan history)."""
    return workbook(project_tables(project, con))
