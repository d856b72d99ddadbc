"""The "What is a success gap?" explainer as a one-page PDF handout (`process.guidance` holds the text)."""

from __future__ import annotations

from ..process import guidance
from .pdf import Document


def explainer_pdf(project_name: str = "A handout for the members of an equity team") -> bytes:
    """The explainer as a one-page handout a leader can send to invited team members
    (the reports' `Document`: A4, DejaVu Sans, title and date at the top)."""
    content = guidance.explainer()
    doc = Document(content.title, project_name)
    doc.paragraph(content.summary, size=10.5)
    for section in content.sections:
        doc.heading(section.heading, level=2)
        doc.paragraph(section.body, size=9.5)
        if section.numbered:
            _numbered(doc, section.items, size=9.5)
        else:
            doc.bullets(section.items, size=9.5)
    return doc.to_bytes()


def _numbered(doc, items: list[str], size: float) -> None:
    """A numbered list with a hanging indent."""
    left = doc.l_margin
    doc.set_font(doc.font_family, "", size)
    for number, item in enumerate(items, start=1):
        doc.set_x(left + 3)
        doc.cell(5, size * 0.5, f"{number}.")
        doc.set_left_margin(left + 8)
        doc.multi_cell(0, size * 0.5, item, new_x="LMARGIN", new_y="NEXT")
        doc.set_left_margin(left)
    doc.ln(1.5)
