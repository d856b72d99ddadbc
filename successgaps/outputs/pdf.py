"""The PDF machinery every report shares: `Document`, number formats for display, `build`.

Layout (`Document`): A4, DejaVu Sans (shipped with matplotlib, so names like "Nguyễn" render
on any machine), the report title, project name and date in the header of every page,
"Page n of N" in the footer, headings that are also PDF bookmarks, tables that break across
pages with their header row repeated, every chart followed by its table, and the document's
title and language set for screen readers.

Number formats (`pct`, `points`, `number`) print a missing (suppressed) figure as "*", which each
report's notes explain. A new report is a module of this package with a function returning
`build(title, project, write)`: `write(doc)` draws the report's sections on the `Document`.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF, FontFace

from ..engine.statements import rounded
from ..models import Project

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
INK = (33, 37, 41)
MUTED = (100, 100, 100)
ACCENT = (0, 114, 178)  # Okabe-Ito blue, as in the charts
HEAD_FILL = (222, 235, 247)
ROW_FILL = (245, 245, 245)
MISSING = "*"  # a suppressed figure, explained in each report's notes


def _today() -> dt.date:
    return dt.date.today()


def long_date(day: dt.date | None) -> str:
    """"November 3, 2025"; "" for no date."""
    return f"{day:%B} {day.day}, {day.year}" if day else ""


# ---------------------------------------------------------------- the document


class Document(FPDF):
    """An A4 report: header (title · project · date), footer (Page n of N), headings, tables, charts."""

    def __init__(self, title: str, project_name: str, day: dt.date | None = None, landscape: bool = False):
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.report_title = title
        self.project_name = project_name
        self.day = day or _today()
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.add_font(FONT, "I", FONT_DIR / "DejaVuSans-Oblique.ttf")
        self.add_font(FONT, "BI", FONT_DIR / "DejaVuSans-BoldOblique.ttf")
        self.set_title(f"{title} — {project_name}")
        self.set_subject(f"Success Gaps: {title}")
        self.set_author(project_name)
        self.set_creator("Success Gaps")
        self.set_lang("en-US")
        self.set_display_mode("fullwidth")
        self.set_margins(16, 20, 16)
        self.set_auto_page_break(True, margin=18)
        self.set_text_color(*INK)
        self.add_page()
        self.set_font(FONT, "B", 20)
        self.multi_cell(0, 10, title, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 12)
        self.set_text_color(*MUTED)
        self.multi_cell(0, 7, f"{project_name} · {long_date(self.day)}", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(4)

    def header(self):
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.set_y(8)
        self.cell(0, 5, f"{self.report_title} · {self.project_name} · {long_date(self.day)}",
                  new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(200, 200, 200)
        self.line(self.l_margin, 14, self.w - self.r_margin, 14)
        self.set_y(20)
        self.set_text_color(*INK)

    def footer(self):
        self.set_y(-13)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(*INK)

    # -------------------------------------------------------------- content

    def heading(self, text: str, level: int = 1) -> None:
        """A heading (level 1-3), also a bookmark in the PDF's outline."""
        size = {1: 15, 2: 12.5, 3: 11}[level]
        space = {1: 16, 2: 12, 3: 9}[level]
        if self.will_page_break(space + 12):
            self.add_page()
        self.ln(3 if level > 1 else 5)
        self.start_section(text, level=level - 1, strict=False)
        self.set_font(FONT, "B", size)
        self.set_text_color(*(ACCENT if level == 1 else INK))
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(1.5)

    def paragraph(self, text: str, size: float = 10, style: str = "", muted: bool = False) -> None:
        if not text:
            return
        self.set_font(FONT, style, size)
        if muted:
            self.set_text_color(*MUTED)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(1.5)

    def empty(self, sentence: str) -> None:
        """The sentence a section shows when its step has no content yet."""
        self.paragraph(sentence, style="I", muted=True)

    def bullets(self, items: Sequence[str], size: float = 10) -> None:
        self.set_font(FONT, "", size)
        for item in items:
            if item:
                self.set_x(self.l_margin + 3)
                self.multi_cell(0, size * 0.5, f"•  {item}", align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def fields(self, pairs: Sequence[tuple[str, str]], size: float = 10) -> None:
        """Label: value lines (labels bold); pairs with an empty value are left out."""
        for label, value in pairs:
            if value in (None, ""):
                continue
            self.set_font(FONT, "B", size)
            self.write(size * 0.5, f"{label}: ")
            self.set_font(FONT, "", size)
            self.write(size * 0.5, str(value))
            self.ln(size * 0.5 + 1)
        self.ln(1.5)

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[object]], *,
              widths: Sequence[float] | None = None, numeric: Sequence[int] = (), size: float = 8.5,
              row_height: float | None = None) -> None:
        """A table whose header row repeats on every page it spans; `numeric` columns align right. Its columns are
        `widths` (shares of the page's width; None: by their text) with every column at least as wide as its longest
        word, so a word is never cut in two ("disadvantag ed") while the page has room (`fit_widths`)."""
        if not rows:
            self.empty("No rows.")
            return
        texts = [[cell_text(v) for v in values] for values in rows]
        align = tuple("RIGHT" if j in numeric else "LEFT" for j in range(len(columns)))
        with super().table(
            col_widths=self.fit_widths([str(c) for c in columns], texts, widths, size),
            text_align=align,
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
            cell_fill_color=ROW_FILL,
            cell_fill_mode="ROWS",
            line_height=size * 0.5 + 1,
            repeat_headings=1,
            borders_layout="HORIZONTAL_LINES",
            padding=(0.8, 1.2, 0.8, 1.2),
            min_row_height=row_height,
            width=self.epw,
        ) as table:
            head = table.row()
            for name in columns:
                head.cell(str(name))
            for values in texts:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.ln(3)

    def fit_widths(self, columns: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float] | None,
                   size: float) -> tuple[float, ...]:
        """Column widths in mm across the page: `widths` (shares) or, with none, each column's longest text; then
        every column widened to its longest word (the heading's in bold) with the room taken from the columns
        that have more than theirs, in proportion to what they have over it. When the longest words alone are
        wider than the page, widths in proportion to them (a word is then cut, as it must be)."""
        pad = 2 * 1.2 + 0.6  # the cells' padding left and right, and a little for rounding

        def widest(texts, style, whole):
            self.set_font(FONT, style, size)
            pieces = {p for t in texts for p in ([t] if whole else t.split())}
            return max((self.get_string_width(p) for p in pieces), default=0.0) + pad

        least = [max(widest([name], "B", False), widest([r[j] for r in rows], "", False))
                 for j, name in enumerate(columns)]
        self.set_font(FONT, "", size)
        if widths:
            wanted = [float(w) for w in widths]
        else:  # by the longest text of each column (a heading wraps at its words: its longest word counts)
            wanted = [max(least[j], widest([r[j] for r in rows], "", True)) for j in range(len(columns))]
        room = self.epw
        if sum(least) >= room:
            return tuple(w * room / sum(least) for w in least)
        scaled = [w * room / sum(wanted) for w in wanted]
        out = [max(w, m) for w, m in zip(scaled, least)]
        over, spare = sum(out) - room, [w - m for w, m in zip(out, least)]
        if over > 0:  # the widened columns' room, from those with some to spare
            out = [w - s * over / sum(spare) for w, s in zip(out, spare)]
        return tuple(out)

    def chart(self, png: bytes, alt_text: str, width_fraction: float = 0.85, title: str = "") -> None:
        """A chart image with its alternative text, under its level-2 `title` kept on the same page
        (the table that follows carries its figures)."""
        width = self.epw * width_fraction
        from PIL import Image  # noqa: PLC0415 - pillow comes with fpdf2 and matplotlib

        with Image.open(io.BytesIO(png)) as img:
            height = min(width * img.height / img.width, self.eph - 30)
            width = height * img.width / img.height
        if self.will_page_break(height + 4 + (16 if title else 0)):
            self.add_page()
        if title:
            self.heading(title, 2)
        self.image(io.BytesIO(png), x=self.l_margin + (self.epw - width) / 2, w=width, alt_text=alt_text)
        self.ln(2)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return MISSING
    return str(value)


# ---------------------------------------------------------------- number formats (display only)


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def pct(value, digits: int = 1) -> str:
    """A proportion 0-1 as a percentage ("71.4%"); a missing (suppressed) figure as "*"."""
    return MISSING if is_missing(value) else f"{rounded(float(value) * 100, digits):.{digits}f}%"


def points(value, digits: int = 1) -> str:
    """A difference already in percentage points, as the engine gives it ("-18.2")."""
    return MISSING if is_missing(value) else f"{rounded(value, digits):+.{digits}f}"


def number(value, digits: int = 2) -> str:
    if is_missing(value):
        return MISSING
    return f"{rounded(value, digits):,.{digits}f}"


def build(title: str, project: Project, write: Callable[[Document], None], day: dt.date | None = None) -> bytes:
    doc = Document(title, project.name, day)
    write(doc)
    return doc.to_bytes()
