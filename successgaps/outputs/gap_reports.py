"""PDF reports of steps 2 and 3, and the quick screen's one-pager:

    gap_screen_report(project, con)          data set summary, quality findings, the screen, heatmap
    statement_report(project, con, statement_id=None)   the success gap statement one-pager
    one_pager(quick)                         the quick screen's summary, largest gaps, hidden groups

The sections (`section_data`, `section_screen`, `section_statement`, `section_statements`) are
also drawn by the meeting packet and the whole-project report. The statement's figures are the
ones the team saved; the screen comes from `sources.Sources` (see there).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..engine import quickscreen, ranking, statements
from ..models import GapStatement, Project
from . import static_charts
from .disproportionality import section_disproportionality
from .pdf import Document, build, cell_text, is_missing, number, pct, points
from .sources import Sources

SUPPRESSED_NOTE = ("* Suppressed: fewer students than the team's minimum group size, or a figure "
                   "hidden so that a suppressed one cannot be worked out from the others.")


def section_data(doc: Document, src: Sources) -> None:
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


def _far_out(doc: Document, notes: dict[str, str], outcomes) -> None:
    """Beside the gaps of an outcome with values far outside its usual range (9999 for missing): a few move
    a mean enough to make or hide a gap."""
    for outcome in dict.fromkeys(outcomes):
        if outcome in notes:
            doc.paragraph(notes[outcome], size=9, style="B")


def _rate_cell(row: dict, prefix: str = "") -> str:
    """A rate as printed ("71.4%"); one the file gives as a range by its written ends ("39–88%", as on screen)."""
    ends = statements.written_range(row, prefix)
    return f"{ends[0]}–{ends[1]}%" if ends else pct(row.get(f"{prefix}rate"))


def _points_range(gap: tuple[int, int]) -> str:
    """A gap of whole points as the PDF writes it: "-48 to +4", "-13 to 0"; "+5" when its ends agree."""
    return " to ".join(f"{v:+d}" if v else "0" for v in dict.fromkeys(gap))


def _screen_rows(frame: pd.DataFrame) -> list[list[str]]:
    """Rows of the screen as printed: rates in %, differences in points (numeric outcomes: averages
    and their own units), "yes" where `ranking.flagged` marks the gap beyond the team's threshold. A rate
    the file gives as a range, and its gap, are written by their ends (`statements.gap_points`), never
    by the range's middle."""
    rows = []
    for r in frame.to_dict("records"):
        numeric = r.get("kind", "binary") == "numeric"
        gap = None if numeric else statements.gap_points(r)
        rows.append([
            f"{r['dimension']}: {r['group']}", r["outcome"], number(r["n"], 0),
            number(r["mean"], 1) if numeric else _rate_cell(r),
            number(r["comparison_mean"], 1) if numeric else _rate_cell(r, "comparison_"),
            number(r["difference"], 1) if numeric else
            _points_range(gap) if gap and gap[0] != gap[1] else points(r["difference"]),
            "" if numeric else number(r["risk_ratio"]),
            "yes" if r.get("flagged", False) else "",
        ])
    return rows


def _latest_district(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The rows a report shows: the whole file (the district, or a public file's state or nation: not each
    of its districts) in the latest year, groups only."""
    years = sorted(str(y) for y in frame["year"].dropna().unique() if str(y))
    year = years[-1] if years else ""
    level, _, _ = ranking.whole_place(frame)
    rows = ranking.select(frame, level=level, year=year or None)
    if "district" in rows:  # a file of several districts: its whole-file rows name none
        rows = rows[rows["district"].fillna("").eq("").to_numpy()]
    return rows[rows["dimension"] != "All"], year


def section_screen(doc: Document, src: Sources) -> None:
    p = src.project
    doc.heading("The gap screen")
    frame = src.screen()
    if frame is None or frame.empty:
        doc.empty("No gap screen has been run yet: upload and confirm a data set (step 2).")
        return
    rows, year = _latest_district(frame)
    s = p.gap_settings
    doc.paragraph(
        f"Every group compared with {_comparison_words(s)}, "
        f"{('in ' + statements.year_phrase(year)) if year else 'all years'}, "
        f"{ranking.place_label(ranking.whole_place(frame), int(frame.attrs.get('states', 0)))}. "
        f"Groups with fewer than {s.min_n} students, or fewer than {s.min_cell} students with "
        f"the outcome, are suppressed (*). A gap is marked when "
        f"{ranking.threshold_words(s)}.")
    binary = rows[rows["kind"] == "binary"] if "kind" in rows else rows
    heat = ranking.heatmap_table(binary)
    if not heat.empty:
        values = [[None if is_missing(v) else float(v) for v in row] for row in heat.to_numpy(dtype=float)]
        harm = [[None if is_missing(v) else float(v) for v in row]
                for row in ranking.heatmap_harm(binary).to_numpy(dtype=float)]
        doc.chart(static_charts.heatmap(list(heat.index), list(heat.columns), values, harm=harm,
                                        labels=ranking.heatmap_labels(binary).to_numpy().tolist(),
                                        value_label="Orange: the group does worse · purple: better"),
                  "Heatmap of the difference in percentage points between each group's rate and its comparison.",
                  width_fraction=1.0, title="Heatmap: difference from the comparison")
        doc.paragraph("The figures of the heatmap are in the table that follows (Difference column).",
                      size=8, muted=True)
    shown, hidden = ranking.ranked(rows, s)
    doc.heading("The screen, largest gaps first", 2)
    doc.table(SCREEN_COLUMNS, _screen_rows(shown),
              widths=(3.3, 2.7, 1.5, 1.2, 1.7, 1.7, 1.2, 0.8), numeric=(2, 3, 4, 5, 6), size=7.5)
    _far_out(doc, src.far_out(), shown["outcome"] if "outcome" in shown else [])
    section_disproportionality(doc, shown)
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
    "comparison_rate_low": ("Comparison rate, lowest possible", pct),
    "comparison_rate_high": ("Comparison rate, highest possible", pct),
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
    """The saved figures as label/value rows; empty ones (not measured, or hidden) left out. A rate the file
    gives as a range is its lowest and highest possible, never its middle, and its gap the range of gaps
    those ends allow (`statements.gap_points`; left out for a statement saved without its comparison's
    ends)."""
    ends = [figures.get(f"{p}rate_{e}") for p in ("", "comparison_") for e in ("low", "high")]
    # a range as the screen writes it (a public file's whole percent, 92 read as 91.5-92.5%, is its rate)
    ranged = statements.is_ranged(figures)
    gap = statements.gap_points(figures) if ranged and None not in ends else None  # both sides' ends are known
    rows = []
    for key, value in figures.items():
        if key in IDENTITY or value is None or value == "":
            continue
        prefix = key.removesuffix("rate_low").removesuffix("rate_high")
        if key.endswith(("rate_low", "rate_high")) and \
                figures.get(f"{prefix}rate_low") == figures.get(f"{prefix}rate_high"):
            continue  # an exact rate: its rate says it
        if ranged and key in ("rate", "comparison_rate", "difference"):  # a middle the file never gave
            if key == "difference" and gap:
                rows.append([FIGURE_LABELS[key][0], _points_range(gap)])
            continue
        label, fmt = FIGURE_LABELS.get(key, (key.replace("_", " ").capitalize(), cell_text))
        if key == "difference" and not is_missing(figures.get("mean")):  # an average's gap is in its own units
            label = "Difference of the averages"
        try:
            rows.append([label, fmt(value) if not isinstance(value, str) else value])
        except (TypeError, ValueError):
            rows.append([label, cell_text(value)])
    return rows


def _statement_title(st: GapStatement) -> str:
    where = st.school if st.level == "school" and st.school else "District"
    return " · ".join(x for x in (st.group, st.outcome, where, statements.year_phrase(st.year)) if x)


def section_statement(doc: Document, src: Sources, st: GapStatement, with_text: bool = True) -> None:
    p = src.project
    if with_text:
        doc.paragraph(st.text or "(The statement has not been written yet.)", size=13, style="B")
    f = st.figures
    if not is_missing(f.get("rate")) and "comparison_rate" in f:
        doc.chart(static_charts.comparison_bars(
            [st.group or "Group", str(f.get("comparison") or st.comparison or "Comparison")],
            [f.get("rate"), None if is_missing(f.get("comparison_rate")) else f.get("comparison_rate")],
            axis_label=st.outcome or "Rate"),
            f"Bar chart: {st.group} {pct(f.get('rate'))} compared with {pct(f.get('comparison_rate'))}.",
            width_fraction=0.7)
    _far_out(doc, src.far_out(st.dataset_id), [st.outcome])
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
        ("Year", statements.year_phrase(st.year)),
        ("Compared with", st.comparison or _comparison_words(s)),
        ("Minimum group size", f"{s.min_n} students, and at least {s.min_cell} with the outcome"),
    ], size=9)
    trend = _trend(src.screen(st.dataset_id), st)
    if trend is not None:
        years = [statements.year_phrase(y) for y in trend["year"]]  # 2022–23, as the sentences write them
        series = {st.group: list(zip(years, trend["rate"])), "Comparison": list(zip(years, trend["comparison_rate"]))}
        doc.chart(static_charts.lines(series, axis_label=st.outcome),
                  f"Line chart of {st.group} and the comparison over the years.", width_fraction=0.75,
                  title="Over the years")
        doc.table(["Year", "n", st.group, "Comparison", "Difference (points)"],
                  [[statements.year_phrase(y), number(n, 0), pct(r), pct(c), points(d)] for y, n, r, c, d in
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


def section_statements(doc: Document, src: Sources) -> None:
    p = src.project
    doc.heading("Success gap statements")
    if not p.statements:
        doc.empty("No success gap statement has been written yet (step 3).")
        return
    ordered = sorted(p.statements, key=lambda s: not s.focus)
    for st in ordered:
        doc.heading(("Our focus: " if st.focus else "") + _statement_title(st), 2)
        section_statement(doc, src, st)


def gap_screen_report(project: Project, con=None, *, day: dt.date | None = None) -> bytes:
    """Data set summary, quality findings, the screen and its heatmap."""
    src = Sources(project, con)
    return build("Data and gap screen", project, lambda d: (section_data(d, src), section_screen(d, src)), day)


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
            section_statement(doc, src, st)
    return build("Success gap statement", project, write, day)


HIDDEN_LISTED = 12  # hidden groups named on the one-page summary (it stays one page)


def one_pager(quick: quickscreen.QuickScreen) -> bytes:
    """One A4 page to hand out (`pdf.Document`): the summary line, the largest gaps as
    the same sentences as on screen, and what was hidden and why. No figure is computed here."""
    doc = Document("Quick gap screen", quick.source)
    doc.paragraph(f"{quick.summary}. Screened: {quick.place_label}. Each group is compared with all other students "
                  "there.", size=10)
    year = statements.year_phrase(quick.year)
    if quick.gaps:
        doc.heading(quickscreen.gaps_heading(quick))
        doc.bullets([f"{gap.title}: {gap.sentence}" for gap in quick.gaps], size=9)
    elif quick.empty:
        doc.paragraph(quick.empty)
    elif not quick.open_gaps:
        doc.paragraph("No gap is beyond the thresholds among the groups large enough to show.")
    if quick.nearest:  # what "no gap" was measured on
        doc.heading("The largest differences" + (f" in {year}" if year else "") + ", none beyond the thresholds")
        doc.bullets([f"{gap.title}: {gap.sentence}" for gap in quick.nearest], size=9)  # the thresholds: below
    if quick.open_gaps:  # a file of ranges cannot rule these out
        doc.heading("Gaps the file's ranges leave open" + (f" in {year}" if year else ""))
        doc.paragraph(quickscreen.open_sentence(quick), size=9)
        doc.bullets([f"{gap.title}: {gap.sentence}" for gap in quick.open_gaps], size=9)
    _far_out(doc, quick.far_out, list(quick.far_out))
    for note in quick.notes:
        doc.paragraph(note[:1].upper() + note[1:] + ".", size=8)
    s = quick.project.gap_settings
    doc.heading("Hidden to protect student privacy", 2)
    hidden = quickscreen.latest_rows(quick.table, quick.year, quick.place)
    hidden = hidden[hidden["suppressed"]].groupby(["dimension", "group"], sort=False)["outcome"].nunique()
    listed = [f"{group} ({dimension}): {quickscreen.counted(k, 'outcome')}" for (dimension, group), k in hidden.items()]
    more = f"; and {len(listed) - HIDDEN_LISTED} more groups (the CSV lists every one)" \
        if len(listed) > HIDDEN_LISTED else ""
    doc.paragraph("; ".join(listed[:HIDDEN_LISTED]) + more + "." if listed
                  else "Nothing: every group is large enough to show.", size=8)
    doc.paragraph(f"Groups with fewer than {s.min_n} students, or fewer than {s.min_cell} with the outcome, are "
                  "hidden and never ranked, as are results that would let a hidden one be worked out (the reasons "
                  "are listed on screen and in the CSV). A gap is "
                  f"listed when {ranking.threshold_words(s)}.", size=7, muted=True)
    return doc.to_bytes()
