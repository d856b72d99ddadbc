"""PDF reports people can hand out: one per step, a meeting packet, and the whole project.

Every report is a function returning the PDF as bytes:

    gap_screen_report(project, con)          data set summary, quality findings, the screen, heatmap
    statement_report(project, con, statement_id=None)   the success gap statement one-pager
    meeting_packet(project, meeting_id, con)  agenda, norms, homework due, data slides, rubric sheets
    rubric_report(project)                    consensus per indicator with evidence, spreads, areas of need
    action_plan_report(project)               priorities, root causes, goals, steps, timeline
    progress_report(project, con)             latest review, progress charts, revisions
    project_report(project, con)              all of the above in one document

`con` is a DuckDB connection to the workspace (`store.cursor()`); without it (or without a
confirmed data set) the data sections say so in a sentence. Figures are never computed here: the
screen comes from `screen.screen` through the engine's export (complementary suppression), the
statement's figures are the ones the team saved, ratings spreads from `rubric`, progress from
`monitoring`. No report contains a student id or a raw row: only the engine's aggregate table.

Layout (`Document`): A4, DejaVu Sans (shipped with matplotlib, so names like "Nguyễn" render
on any machine), the report title, project name and date in the header of every page,
"Page n of N" in the footer, headings that are also PDF bookmarks, tables that break across
pages with their header row repeated, every chart followed by its table, and the document's
title and language set for screen readers.
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

from .data import quality, views
from .engine import ranking, suppression
from .engine.screen import screen
from .models import LEVEL_LABELS, LEVELS, GapStatement, Meeting, Project
from .outputs import static_charts
from .process import meetings, monitoring, planning, rubric

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
INK = (33, 37, 41)
MUTED = (100, 100, 100)
ACCENT = (0, 114, 178)  # Okabe-Ito blue, as in the charts
HEAD_FILL = (222, 235, 247)
ROW_FILL = (245, 245, 245)
MISSING = "*"  # a suppressed figure, explained in each report's notes
SUPPRESSED_NOTE = ("* Suppressed: fewer students than the team's minimum group size, or a figure "
                   "hidden so that a suppressed one cannot be worked out from the others.")


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
        """A table whose header row repeats on every page it spans; `numeric` columns align right."""
        if not rows:
            self.empty("No rows.")
            return
        self.set_font(FONT, "", size)
        align = tuple("RIGHT" if j in numeric else "LEFT" for j in range(len(columns)))
        with super().table(
            col_widths=tuple(widths) if widths else None,
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
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(_text(value))
        self.ln(3)

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


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return MISSING
    return str(value)


# ---------------------------------------------------------------- number formats (display only)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def pct(value, digits: int = 1) -> str:
    """A proportion 0-1 as a percentage ("71.4%"); a missing (suppressed) figure as "*"."""
    return MISSING if _missing(value) else f"{float(value) * 100:.{digits}f}%"


def points(value, digits: int = 1) -> str:
    """A difference already in percentage points, as the engine gives it ("-18.2")."""
    return MISSING if _missing(value) else f"{float(value):+.{digits}f}"


def number(value, digits: int = 2) -> str:
    if _missing(value):
        return MISSING
    value = float(value)
    return f"{value:,.0f}" if digits == 0 else f"{value:,.{digits}f}"


# ---------------------------------------------------------------- sources of figures


class Sources:
    """What a report reads besides the project: the screen (from the gap engine) and data quality.

    Nothing is computed here: each figure comes from the module that shows it on screen.
    """

    def __init__(self, project: Project, con=None):
        self.project = project
        self.con = con
        self._screens: dict[str, pd.DataFrame | None] = {}

    def dataset(self, dataset_id: str = ""):
        p = self.project
        focus = p.focus_statement()
        wanted = dataset_id or (focus.dataset_id if focus else "")
        confirmed = [d for d in p.datasets if d.confirmed and d.files]
        return next((d for d in confirmed if d.id == wanted), confirmed[0] if confirmed else None)

    def screen(self, dataset_id: str = "") -> pd.DataFrame | None:
        """The screen as exported by the gap engine (small groups suppressed exactly as on screen)."""
        dataset = self.dataset(dataset_id)
        if dataset is None or self.con is None:
            return None
        if dataset.id not in self._screens:
            self._screens[dataset.id] = _export_screen(self.con, self.project, dataset)
        return self._screens[dataset.id]

    def quality(self, dataset_id: str = ""):
        dataset = self.dataset(dataset_id)
        if dataset is None or self.con is None:
            return None
        return _quality(self.con, self.project, dataset)


def _export_screen(con, project: Project, dataset) -> pd.DataFrame:
    """`screen.screen` (every level, school and year) as `suppression.for_export` hands it to any export."""
    prepared = views.prepare(con, project, dataset)
    return suppression.for_export(screen(con, prepared, project.gap_settings, extra=True))


def _quality(con, project: Project, dataset):
    return quality.quality_report(con, project, dataset)


# ---------------------------------------------------------------- report sections


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


def _section_data(doc: Document, src: Sources) -> None:
    doc.heading("The data")
    dataset = src.dataset()
    if dataset is None:
        doc.empty("No data set has been uploaded and confirmed yet (step 2).")
        return
    doc.fields([
        ("Data set", dataset.name),
        ("Files", ", ".join(f"{f.filename} ({f.rows:,} rows)" for f in dataset.files)),
        ("Layout", {"student": "one row per student", "aggregate_long": "aggregate counts or rates",
                    "edfacts": "EDFacts public file"}.get(dataset.layout, dataset.layout)),
        ("Groups", ", ".join(c.label or c.column for c in dataset.columns if c.role == "group")),
        ("Outcomes", ", ".join(c.label or c.column for c in dataset.columns if c.role == "outcome")),
    ])
    doc.heading("Data quality", 2)
    findings = src.quality()
    if findings is None:
        doc.empty("The data-quality findings need the project's data; make this report from the app.")
    else:
        _write_quality(doc, findings)


SEVERITY = {"problem": "Problem: ", "warning": "Check: ", "info": ""}


def _write_quality(doc: Document, findings) -> None:
    """The data-quality findings (`quality.quality_report`), problems first, as sentences."""
    if not findings:
        doc.paragraph("No data-quality problems were found.")
        return
    order = list(SEVERITY)
    ranked = sorted(findings, key=lambda f: order.index(f.severity) if f.severity in order else len(order))
    doc.bullets([SEVERITY.get(f.severity, "") + f.text for f in ranked], size=9)


SCREEN_COLUMNS = ("Group", "Outcome", "n", "Rate", "Comparison", "Difference", "Risk ratio", "Gap")


def _screen_rows(frame: pd.DataFrame) -> list[list[str]]:
    """Rows of the screen as printed: rates in %, differences in points (numeric outcomes: averages
    and their own units), "yes" where `ranking.flagged` marks the gap beyond the team's threshold."""
    rows = []
    for r in frame.itertuples(index=False):
        numeric = getattr(r, "kind", "binary") == "numeric"
        rows.append([
            f"{r.dimension}: {r.group}", r.outcome, number(r.n, 0),
            number(r.mean, 1) if numeric else pct(r.rate),
            number(r.comparison_mean, 1) if numeric else pct(r.comparison_rate),
            number(r.difference, 1) if numeric else points(r.difference),
            "" if numeric else number(r.risk_ratio),
            "yes" if getattr(r, "flagged", False) else "",
        ])
    return rows


def _latest_district(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The rows a report shows: the district (whole file) level in the latest year, groups only."""
    years = sorted(str(y) for y in frame["year"].dropna().unique() if str(y))
    year = years[-1] if years else ""
    rows = ranking.select(frame, level="district", year=year or None)
    return rows[rows["dimension"] != "All"], year


def _section_screen(doc: Document, src: Sources) -> None:
    p = src.project
    doc.heading("The gap screen")
    frame = src.screen()
    if frame is None or frame.empty:
        doc.empty("No gap screen has been run yet: upload and confirm a data set (step 2).")
        return
    rows, year = _latest_district(frame)
    s = p.gap_settings
    doc.paragraph(
        f"Every group compared with {_comparison_words(s)}, {('in ' + year) if year else 'all years'}, "
        f"whole district. Groups with fewer than {s.min_n} students, or fewer than {s.min_cell} students with "
        f"the outcome, are suppressed (*). A gap is marked at a risk ratio of {s.risk_ratio_threshold:g} or "
        f"a difference of {s.point_gap_threshold:g} percentage points against the group.")
    binary = rows[rows["kind"] == "binary"] if "kind" in rows else rows
    heat = ranking.heatmap_table(binary)
    if not heat.empty:
        values = [[None if _missing(v) else float(v) for v in row] for row in heat.to_numpy(dtype=float)]
        harm = [[None if _missing(v) else float(v) for v in row]
                for row in ranking.heatmap_harm(binary).to_numpy(dtype=float)]
        doc.chart(static_charts.heatmap(list(heat.index), list(heat.columns), values, harm=harm,
                                        value_label="Orange: the group does worse · purple: better"),
                  "Heatmap of the difference in percentage points between each group's rate and its comparison.",
                  width_fraction=1.0, title="Heatmap: difference from the comparison")
        doc.paragraph("The figures of the heatmap are in the table that follows (Difference column).",
                      size=8, muted=True)
    shown, hidden = ranking.ranked(rows, s)
    doc.heading("The screen, largest gaps first", 2)
    doc.table(SCREEN_COLUMNS, _screen_rows(shown),
              widths=(3.6, 3, 0.9, 1.2, 1.7, 1.7, 1.2, 0.8), numeric=(2, 3, 4, 5, 6), size=7.5)
    if not hidden.empty:
        doc.heading("Suppressed groups", 2)
        doc.table(["Group", "Outcome", "n", "Why it is hidden"],
                  [[f"{r.dimension}: {r.group}", r.outcome, number(r.n, 0), r.suppression_reason]
                   for r in hidden.itertuples(index=False)], widths=(3.5, 3, 1, 6), numeric=(2,), size=7.5)
    doc.paragraph(SUPPRESSED_NOTE, size=8, muted=True)


def _comparison_words(settings) -> str:
    return {
        "all_others": "all other students",
        "all_students": "all students",
        "reference": f"the reference group ({settings.reference_group or 'not chosen'})",
        "benchmark": "the benchmark rate" + (f" of {pct(settings.benchmark_rate)}"
                                             if settings.benchmark_rate is not None else ""),
    }.get(settings.comparison, settings.comparison)


FIGURE_LABELS = {  # key in GapStatement.figures -> (label, format)
    "n": ("Students in the group", lambda v: number(v, 0)),
    "events": ("Students with the outcome", lambda v: number(v, 0)),
    "rate": ("Group rate", pct),
    "rate_low": ("Group rate, lowest possible", pct),
    "rate_high": ("Group rate, highest possible", pct),
    "mean": ("Group average", lambda v: number(v, 1)),
    "comparison": ("Compared with", str),
    "comparison_n": ("Students in the comparison", lambda v: number(v, 0)),
    "comparison_rate": ("Comparison rate", pct),
    "comparison_mean": ("Comparison average", lambda v: number(v, 1)),
    "difference": ("Difference (percentage points)", points),
    "risk_ratio": ("Risk ratio", number),
    "effect_size": ("Effect size", number),
    "ci_low": ("Confidence interval, low", points),
    "ci_high": ("Confidence interval, high", points),
    "p_value": ("p-value", lambda v: number(v, 3)),
}


IDENTITY = {"level", "school", "year", "dimension", "group", "outcome"}  # shown in the title and fields


def _figure_rows(figures: dict) -> list[list[str]]:
    """The saved figures as label/value rows; empty ones (not measured, or hidden) left out."""
    rows = []
    for key, value in figures.items():
        if key in IDENTITY or value is None or value == "":
            continue
        label, fmt = FIGURE_LABELS.get(key, (key.replace("_", " ").capitalize(), _text))
        try:
            rows.append([label, fmt(value) if not isinstance(value, str) else value])
        except (TypeError, ValueError):
            rows.append([label, _text(value)])
    return rows


def _statement_title(st: GapStatement) -> str:
    where = st.school if st.level == "school" and st.school else "District"
    return " · ".join(x for x in (st.group, st.outcome, where, st.year) if x)


def _section_statement(doc: Document, src: Sources, st: GapStatement, with_text: bool = True) -> None:
    p = src.project
    if with_text:
        doc.paragraph(st.text or "(The statement has not been written yet.)", size=13, style="B")
    f = st.figures
    if not _missing(f.get("rate")) and "comparison_rate" in f:
        doc.chart(static_charts.comparison_bars(
            [st.group or "Group", str(f.get("comparison") or st.comparison or "Comparison")],
            [f.get("rate"), None if _missing(f.get("comparison_rate")) else f.get("comparison_rate")],
            axis_label=st.outcome or "Rate"),
            f"Bar chart: {st.group} {pct(f.get('rate'))} compared with {pct(f.get('comparison_rate'))}.",
            width_fraction=0.7)
    doc.heading("The data behind it", 2)
    if f:
        doc.table(["Figure", "Value"], _figure_rows(f), widths=(3, 2), numeric=(1,))
    else:
        doc.empty("No figures were saved with this statement.")
    s = p.gap_settings
    dataset = p.dataset(st.dataset_id)
    doc.fields([
        ("Data set", dataset.name if dataset else ""),
        ("Level", f"school: {st.school}" if st.level == "school" else "district"),
        ("Year", st.year),
        ("Compared with", st.comparison or _comparison_words(s)),
        ("Minimum group size", f"{s.min_n} students, and at least {s.min_cell} with the outcome"),
    ], size=9)
    trend = _trend(src.screen(st.dataset_id), st)
    if trend is not None:
        series = {st.group: list(zip(trend["year"], trend["rate"])),
                  "Comparison": list(zip(trend["year"], trend["comparison_rate"]))}
        doc.chart(static_charts.lines(series, axis_label=st.outcome),
                  f"Line chart of {st.group} and the comparison over the years.", width_fraction=0.75,
                  title="Over the years")
        doc.table(["Year", "n", st.group, "Comparison", "Difference (points)"],
                  [[y, number(n, 0), pct(r), pct(c), points(d)] for y, n, r, c, d in
                   trend[["year", "n", "rate", "comparison_rate", "difference"]].itertuples(index=False)],
                  numeric=(1, 2, 3, 4))


def _trend(frame: pd.DataFrame | None, st: GapStatement) -> pd.DataFrame | None:
    """The statement's row in every year of the screen (same level, school, group, outcome)."""
    if frame is None or frame.empty or "year" not in frame:
        return None
    rows = frame[(frame["dimension"] == st.dimension) & (frame["group"] == st.group)
                 & (frame["outcome"] == st.outcome)]
    if "level" in rows:
        rows = rows[rows["level"] == st.level]
    if st.level == "school" and "school" in rows:
        rows = rows[rows["school"] == st.school]
    rows = rows.dropna(subset=["year"]).sort_values("year")
    return rows if len(rows) >= 2 else None


def _section_statements(doc: Document, src: Sources) -> None:
    p = src.project
    doc.heading("Success gap statements")
    if not p.statements:
        doc.empty("No success gap statement has been written yet (step 3).")
        return
    ordered = sorted(p.statements, key=lambda s: not s.focus)
    for st in ordered:
        doc.heading(("Our focus: " if st.focus else "") + _statement_title(st), 2)
        _section_statement(doc, src, st)


def _rubric(p: Project):
    """The project's rubric (areas with their indicators): the one it was rated with, or the default."""
    return rubric.load_rubric(p)


def _indicator_names(rub) -> dict[str, str]:
    if rub is None:
        return {}
    return {i.id: i.title for area in rub.areas for i in area.indicators}


def _level(level: str | None) -> str:
    return LEVEL_LABELS.get(level, "not rated") if level else "not rated"


def _section_rubric(doc: Document, p: Project) -> None:
    doc.heading("Indicators of Success rubric")
    if not p.consensus and not p.ratings:
        doc.empty("The rubric has not been rated yet (step 4).")
        return
    rub = _rubric(p)
    names = _indicator_names(rub)
    raters = {r.member_id for r in p.ratings}
    doc.paragraph(f"{len(raters)} members rated on their own; the team reached consensus on "
                  f"{sum(1 for c in p.consensus if c.level)} indicators.")
    doc.heading("Consensus per indicator", 2)
    order = list(names) or [c.indicator_id for c in p.consensus]
    consensus = {c.indicator_id: c for c in p.consensus}
    rows = [[names.get(i, i), _level(consensus[i].level), _spread_text(p, i), consensus[i].evidence,
             consensus[i].needs] for i in order if i in consensus]
    if rows:
        doc.table(["Indicator", "Consensus", "Members' own ratings", "Evidence", "To find out"], rows,
                  widths=(3.4, 1.8, 2.4, 3.8, 2.4), size=8)
    else:
        doc.empty("Members have rated on their own; the team has not reached consensus on any indicator yet.")
    doc.heading("Areas of need", 2)
    needs = planning.areas_of_need(p, rub)
    if needs:
        doc.paragraph(f"Indicators rated {' or '.join(LEVEL_LABELS[lv] for lv in planning.need_levels(p.need_cut))}"
                      " by the team.", size=9)
        doc.table(["Area", "Indicator", "Consensus", "Votes"],
                  [[a.area_title, a.title, _level(a.level), a.votes] for a in needs],
                  widths=(3, 5, 2, 1), numeric=(3,), size=8)
    else:
        doc.empty("No indicator is rated at or below the team's cut for an area of need.")


def _spread_text(p: Project, indicator_id: str) -> str:
    """How the members rated it on their own, as the rubric page words it."""
    return rubric.spread_text(rubric.spread(p, indicator_id))


def _member_name(p: Project, member_id: str) -> str:
    m = p.member(member_id)
    return m.name if m else ""


def _section_plan(doc: Document, p: Project) -> None:
    doc.heading("Priorities and root causes")
    names = _indicator_names(_rubric(p))
    if not p.priorities:
        doc.empty("No priorities have been chosen yet (step 5).")
    for i, pr in enumerate(p.priorities, 1):
        doc.heading(f"Priority {i}: {pr.title}", 2)
        doc.fields([("Root cause", pr.root_cause),
                    ("Actionable", {True: "yes", False: "no", None: ""}[pr.actionable]),
                    ("Indicators", "; ".join(names.get(x, x) for x in pr.indicator_ids))])
        if pr.whys:
            doc.paragraph("Why? Why? Why?", style="B", size=9)
            doc.bullets(pr.whys, size=9)
    doc.heading("Action plan")
    if not p.goals and not p.steps:
        doc.empty("No goals have been written yet (step 6).")
        return
    table = planning.steps_table(p, doc.day)
    for i, goal in enumerate(p.goals, 1):
        doc.heading(f"Goal {i}: {goal.text}", 2)
        doc.fields([
            ("Measured by", goal.metric),
            ("Baseline", " in ".join(x for x in (_goal_value(goal, goal.baseline), goal.baseline_year) if x)),
            ("Target", " by ".join(x for x in (_goal_value(goal, goal.target), long_date(goal.target_date)) if x)),
            ("Evidence of progress", goal.evidence),
        ], size=9)
        steps = planning.steps_table(p, doc.day, goal_id=goal.id)
        _steps_table(doc, steps) if not steps.empty else doc.empty("No action steps for this goal yet.")
    loose = table[table["Goal"] == "(no goal)"]
    if not loose.empty:
        doc.heading("Steps not tied to a goal", 2)
        _steps_table(doc, loose)
    dated = table[table["Start"].notna() & table["Due"].notna()]
    if not dated.empty:
        doc.chart(static_charts.timeline(list(zip(dated["Step"], dated["Start"], dated["Due"], dated["Status"])),
                                          planning.STATE_COLOURS),
                  "Timeline of the action steps from start to due date, coloured by status.", title="Timeline")
        doc.table(["Action step", "Owner", "Start", "Due", "Status"],
                  [[r.Step, r.Owner, _short(r.Start), _short(r.Due), r.Status]
                   for r in dated.sort_values("Start").itertuples(index=False)],
                  widths=(6, 2.2, 1.8, 1.8, 1.6), size=8)


def _steps_table(doc: Document, steps: pd.DataFrame) -> None:
    doc.table(["Action step", "Owner", "Start", "Due", "Resources", "Evidence of progress", "Status"],
              [[r.Step, r.Owner, _short(r.Start), _short(r.Due), r.Resources, r._7, r.Status]
               for r in steps.itertuples(index=False)],
              widths=(4, 2, 1.7, 1.7, 2.4, 2.4, 1.5), size=7.5)


def _goal_value(goal, value: float | None) -> str:
    """A goal's number as the plan page shows it (`planning.shown`): a rate in %, a gap in points."""
    if value is None or _missing(value):
        return ""
    value = planning.shown(value, goal.measure)
    return {"rate": f"{value:.1f}%", "difference": f"{value:+.1f} points", "mean": f"{value:.1f}"}.get(
        goal.measure, f"{value:g}")


def _short(day) -> str:
    return "" if day is None or _missing(day) or pd.isna(day) else pd.Timestamp(day).date().isoformat()


def _section_progress(doc: Document, src: Sources) -> None:
    p = src.project
    doc.heading("Progress")
    held = sorted((r for r in p.reviews if r.held), key=lambda r: r.date)
    if not held:
        doc.empty("No review of the plan has been held yet (step 7).")
    else:
        last = held[-1]
        doc.heading(f"Latest review: {long_date(last.date)}", 2)
        doc.fields([
            ("Who", "full team" if last.kind == "full_team" else "implementers"),
            ("Attended", ", ".join(filter(None, (_member_name(p, m) for m in last.attendees)))),
            ("Implemented as planned", last.fidelity),
            ("Challenges", last.challenges),
            ("Decisions", last.decisions),
        ])
        step_text = {s.id: s.text for s in p.steps}
        if last.steps:
            doc.table(["Action step", "Status", "Note", "Evidence"],
                      [[step_text.get(s.step_id, "(removed step)"), monitoring.STATUS_LABELS[s.status], s.note,
                        s.evidence] for s in last.steps], widths=(4, 1.5, 3.5, 3), size=8)
    alerts = monitoring.step_alerts(p, doc.day)
    if alerts:
        doc.heading("Needs attention", 2)
        doc.bullets([a.sentence for a in alerts], size=9)
    _progress_charts(doc, src)
    doc.heading("Plan revisions", 2)
    log = monitoring.history(p)
    if log:
        doc.table(["When", "What changed", "Why", "Decided at"],
                  [[r["when"].date().isoformat(), r["what"], r["why"], r["decided at"]] for r in log],
                  widths=(1.8, 5, 4, 2.5), size=8)
    else:
        doc.empty("The plan has not been revised.")


def _progress_charts(doc: Document, src: Sources) -> None:
    """Each goal measured by a gap statement: its value in every year of the data against baseline
    and target, with the sentence the monitoring page shows (`monitoring.goal_progress`)."""
    p = src.project
    if src.con is None:
        return
    for goal in p.goals:
        progress = monitoring.goal_progress(src.con, p, goal)
        if not progress.points:
            continue
        values = [(point.year, point.value) for point in progress.points]
        reference = {k: v for k, v in (("Baseline", goal.baseline), ("Target", goal.target)) if v is not None}
        axis = {"rate": "percent", "difference": "percentage points"}.get(goal.measure, goal.metric)
        doc.chart(static_charts.lines({goal.metric or "Measure": [(y, planning.shown(v, goal.measure)) for y, v in values]},
                                      reference={k: planning.shown(v, goal.measure) for k, v in reference.items()},
                                      percent=False, axis_label=axis),
                  f"Line chart of {goal.metric or 'the measure'} by year against baseline and target.",
                  width_fraction=0.75, title=f"Progress: {goal.text or goal.metric}")
        doc.paragraph(progress.sentence, size=9.5)
        doc.table(["Year", goal.metric or "Measure", "n"],
                  [[pt.year, _goal_value(goal, pt.value), f"{pt.n:,.0f}" if pt.n else ""] for pt in progress.points]
                  + [[k, _goal_value(goal, v), ""] for k, v in reference.items()], widths=(1, 3, 1), numeric=(1, 2))


# ---------------------------------------------------------------- meeting packet


def _rubric_sheets(doc: Document, p: Project, area_ids: Sequence[str]) -> None:
    """The rubric sections to rate, with blank columns to tick a level and write the evidence."""
    rub = _rubric(p)
    doc.heading("Rubric sections to rate")
    areas = [a for a in rub.areas if not area_ids or a.id in area_ids]
    doc.paragraph("Rate each indicator on your own before the meeting: tick one level and note your evidence.",
                  size=9)
    for area in areas:
        doc.heading(area.title, 2)
        doc.table(["Indicator", *[LEVEL_LABELS[lv] for lv in LEVELS], "Evidence"],
                  [[i.title, "", "", "", "", ""] for i in area.indicators],
                  widths=(3.8, 1.5, 2.1, 2.2, 1.9, 3), size=8, row_height=14)


def _agenda(doc: Document, text: str) -> None:
    """The members' agenda from `meetings.agenda_text`: bold time lines, bullets, plain lines."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("**") and line.count("**") >= 2:
            head, _, rest = line[2:].partition("**")
            doc.paragraph(head + rest, size=10, style="B")
        elif line.startswith(("- ", "* ")):
            doc.bullets([line[2:]], size=9.5)
        elif line:
            doc.paragraph(line, size=9.5)


def _homework_lines(p: Project, items) -> list[str]:
    return [f"{h.text} ({meetings.who_label(p, h.who)}{', due ' + long_date(h.due) if h.due else ''})"
            for h in items]


def _write_packet(doc: Document, src: Sources, meeting: Meeting) -> None:
    p = src.project
    doc.fields([("When", meetings.meeting_when(meeting)), ("Where", meeting.place)])
    focus = p.focus_statement()
    if focus is not None and focus.text:
        doc.paragraph(f"Our success gap: {focus.text}", style="B")
    if meeting.objectives:
        doc.heading("Objectives", 2)
        doc.bullets(meeting.objectives)
    doc.heading("Agenda")
    _agenda(doc, meetings.agenda_text(p, meeting, "member"))
    doc.heading("Our norms")
    doc.bullets(meetings.norms(p))
    doc.heading("Homework due at this meeting")
    due = meetings.homework_due(p, meeting)
    doc.bullets(_homework_lines(p, due)) if due else doc.empty("No homework is due at this meeting.")
    kinds = set(meeting.activities or [meeting.kind])
    if "getting_started" in kinds:
        _section_statements(doc, src)
        _section_screen(doc, src)
    if "rubric" in kinds:
        if focus is not None:
            doc.heading("Our success gap: the data")
            _section_statement(doc, src, focus, with_text=False)
        _rubric_sheets(doc, p, meeting.rubric_areas)
    if "root_causes" in kinds:
        _section_rubric(doc, p)
    if "action_plan" in kinds:
        _section_plan(doc, p)
    if "monitoring" in kinds:
        _section_plan(doc, p)
        _section_progress(doc, src)
    if meeting.homework:
        doc.heading("Homework for the next meeting")
        doc.bullets(_homework_lines(p, meeting.homework))


# ---------------------------------------------------------------- the reports


def _build(title: str, project: Project, write: Callable[[Document], None], day: dt.date | None = None) -> bytes:
    doc = Document(title, project.name, day)
    write(doc)
    return doc.to_bytes()


def gap_screen_report(project: Project, con=None, *, day: dt.date | None = None) -> bytes:
    """Data set summary, quality findings, the screen and its heatmap."""
    src = Sources(project, con)
    return _build("Data and gap screen", project, lambda d: (_section_data(d, src), _section_screen(d, src)), day)


def statement_report(project: Project, con=None, statement_id: str = "", *, day: dt.date | None = None) -> bytes:
    """The success gap statement one-pager (the focus statement unless `statement_id` is given)."""
    src = Sources(project, con)
    st = next((s for s in project.statements if s.id == statement_id), None) or project.focus_statement() \
        or (project.statements[0] if project.statements else None)

    def write(doc: Document) -> None:
        if st is None:
            doc.empty("No success gap statement has been written yet (step 3).")
        else:
            doc.heading(_statement_title(st))
            _section_statement(doc, src, st)
    return _build("Success gap statement", project, write, day)


def meeting_packet(project: Project, meeting_id: str, con=None, *, day: dt.date | None = None) -> bytes:
    """What every member gets for one meeting: agenda, norms, homework due, data, rubric sheets."""
    meeting = next((m for m in project.meetings if m.id == meeting_id), None)
    if meeting is None:
        from .errors import UserError  # noqa: PLC0415
        raise UserError("That meeting is no longer in the plan; pick a meeting from the list.")
    title = f"Meeting {meeting.number}" + (f": {meeting.title}" if meeting.title else "")
    return _build(title, project, lambda d: _write_packet(d, Sources(project, con), meeting), day)


def rubric_report(project: Project, *, day: dt.date | None = None) -> bytes:
    """Consensus per indicator with evidence, how members rated on their own, areas of need."""
    return _build("Rubric ratings", project, lambda d: _section_rubric(d, project), day)


def action_plan_report(project: Project, *, day: dt.date | None = None) -> bytes:
    """Priorities, root causes, goals, action steps and their timeline."""
    return _build("Action plan", project, lambda d: _section_plan(d, project), day)


def progress_report(project: Project, con=None, *, day: dt.date | None = None) -> bytes:
    """The latest review, each goal's progress against baseline and target, plan revisions."""
    return _build("Progress report", project, lambda d: _section_progress(d, Sources(project, con)), day)


def project_report(project: Project, con=None, *, day: dt.date | None = None) -> bytes:
    """The whole project, step by step, in one document."""
    src = Sources(project, con)

    def write(doc: Document) -> None:
        _section_team(doc, project)
        _section_data(doc, src)
        _section_screen(doc, src)
        _section_statements(doc, src)
        _section_rubric(doc, project)
        _section_plan(doc, project)
        _section_progress(doc, src)
    return _build("Success Gaps project", project, write, day)
