"""Disproportionality for people: the state mode's list of districts (PDF and spreadsheet) and the
disproportionality table of a gap screen's PDF.

`readable_list(listing)` gives `engine.disproportionality.state_list` plain headings; `list_pdf` and
`list_workbook` write it; `section_disproportionality(doc, rows)` draws the risk ratios, alternate and
weighted risk ratios and compositions of shown rows in a gap screen report.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..models import GapSettings
from . import spreadsheet
from .pdf import Document, number, pct

LIST_HEADINGS = {  # who, then the answer (how far above, how many years), then the rest
    "district": "District", "school": "School", "group": "Group", "outcome": "Outcome", "risk_ratio": "Risk ratio",
    "years_flagged": "Years in a row", "risk": "Risk %", "n": "Children in the group (n)",
    "category": "Category", "dimension": "Dimension", "flagged_years": "Years above the threshold",
    "reasonable_progress": "Reasonable progress", "year": "Latest year", "risk_ratio_comparison": "Risk ratio against",
    "alternate_risk_ratio": "Alternate risk ratio", "weighted_risk_ratio": "Weighted risk ratio",
}


def readable_list(listing: pd.DataFrame) -> pd.DataFrame:
    """The state list with plain headings: risk in percent (1 decimal), ratios to 2 decimals, yes/no; a district or
    school column that names none (a file of one district; a list of districts) is left out."""
    out = pd.DataFrame(index=listing.index)
    for col, heading in LIST_HEADINGS.items():
        if col not in listing or (col in ("district", "school") and not listing[col].fillna("").astype(bool).any()):
            continue
        values = listing[col]
        if col == "risk":
            values = (values.astype(float) * 100).round(1)
        elif "risk_ratio" in col and col != "risk_ratio_comparison":
            values = values.astype(float).round(2)
        elif col == "reasonable_progress":
            values = values.map({True: "yes", False: "no"})
        out[heading] = values
    return out.reset_index(drop=True)


def describe(settings: GapSettings, unit: str = "district") -> str:
    """The rules the list used, in one paragraph (`unit`: "district" or "school", what the list lists)."""
    among = f" among {settings.among_group}" if settings.among_group else ""
    progress = (f" Reasonable progress: the risk ratio fell by at least {settings.progress_drop:g} in each of the "
                "two prior consecutive years." if settings.progress_drop > 0 else "")
    return (f"Each {unit}'s groups{among} compared with all other children of the {unit}, or — when those "
            f"are fewer than {settings.min_n} or fewer than {settings.min_cell} have the outcome — with all other "
            f"children of the state (the alternate risk ratio). Listed: a risk ratio that exceeds "
            f"{settings.risk_ratio_threshold:g} in the latest year; the consecutive school years it did (a missing "
            f"year ends the run). Groups below the minimum sizes are not listed.{progress}")


def list_pdf(listing: pd.DataFrame, settings: GapSettings, title: str = "", place: str = "",
             day: dt.date | None = None, unit: str = "district") -> bytes:
    """The state list as a landscape PDF: the rules, a count per category and years, then every row (`unit`:
    "district" or "school", what the list lists)."""
    title = title or f"{unit.capitalize()}s above the risk-ratio threshold"
    doc = Document(title, place or "State screen", day, landscape=True)
    doc.heading(title)
    doc.paragraph(describe(settings, unit), size=9)
    if listing.empty:
        doc.empty(f"No {unit}'s group exceeds the threshold in the latest year.")
        return doc.to_bytes()
    counts = listing.groupby(["category", "years_flagged"]).size().unstack(fill_value=0)
    doc.heading("How many, by category and consecutive years", 2)
    doc.table(["Category"] + [f"{int(k)} year{'s' if k > 1 else ''}" for k in counts.columns],
              [[c] + [number(v, 0) for v in row] for c, row in zip(counts.index, counts.to_numpy())],
              numeric=tuple(range(1, len(counts.columns) + 1)))
    doc.heading(f"Every {unit} group above the threshold", 2)
    people = readable_list(listing)
    rows = [[_cell(col, v) for col, v in zip(people.columns, row)] for row in people.itertuples(index=False)]
    doc.table(list(people.columns), rows, size=6.5, numeric=[j for j, c in enumerate(people.columns) if c in NUMBERS])
    return doc.to_bytes()


NUMBERS = ("Risk ratio", "Years in a row", "Risk %", "Children in the group (n)", "Alternate risk ratio",
           "Weighted risk ratio")  # the list's columns of figures: right-aligned in its PDF


def _cell(heading: str, value) -> str:
    if heading == "Risk %":
        return number(value, 1)
    if heading.endswith("ratio"):
        return number(value)
    if heading == "Children in the group (n)":
        return number(value, 0)
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def list_workbook(listing: pd.DataFrame, unit: str = "district") -> bytes:
    """The state list as a workbook (through the one safe writer)."""
    return spreadsheet.workbook({f"{unit.capitalize()}s": readable_list(listing)})


DISPROPORTIONALITY_COLUMNS = ("Group", "Outcome", "Risk", "Risk ratio", "Against", "Alternate RR", "Weighted RR",
                              "Composition", "Comparison composition", "Relative difference")


def section_disproportionality(doc: Document, rows: pd.DataFrame) -> None:
    """The disproportionality figures of shown yes/no rows (hidden rows are never printed)."""
    rows = rows[(rows["kind"] == "binary").to_numpy() & ~rows["suppressed"].to_numpy(bool)] if len(rows) else rows
    if rows.empty or "composition" not in rows:
        return
    doc.heading("Disproportionality", 2)
    doc.paragraph("Risk ratio against the comparison named; alternate risk ratio: the group's risk over the state's "
                  "risk for all other children; weighted risk ratio: weighted by the state's composition; "
                  "composition: the group's share of the students with the outcome, against its share of all "
                  "students (README, Formulas).", size=8, muted=True)
    doc.table(DISPROPORTIONALITY_COLUMNS, [[
        f"{r.dimension}: {r.group}", r.outcome, pct(r.rate), number(r.risk_ratio), r.risk_ratio_comparison,
        number(r.alternate_risk_ratio), number(r.weighted_risk_ratio), pct(r.composition),
        pct(r.comparison_composition), pct(r.composition_difference)] for r in rows.itertuples(index=False)],
        numeric=(2, 3, 5, 6, 7, 8, 9), size=7)
