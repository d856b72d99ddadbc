"""Step 3 · Identify gaps: screen every group × outcome, look closer, write the success gap statement."""

from functools import partial

import streamlit as st

from successgaps import ui
from successgaps.data import quality
from successgaps.engine import disproportionality, ranking, statements
from successgaps.engine.memo import Memo
from successgaps.engine.screen import screen_settings
from successgaps.errors import UserError
from successgaps.models import DataSet, GapSettings
from successgaps.outputs import charts, gap_reports, sources
from successgaps.outputs import disproportionality as disproportionality_report
from successgaps.ui import tables
from successgaps.ui.guidance import guide_url

project = ui.page("Identify gaps", step=3)
ui.focus_banner(project)

datasets = [d for d in project.datasets if d.files]
if not datasets:
    st.info("There is no data yet: upload a file and check its mapping in step 2 first.")
    st.page_link("pages/2_Data.py", label="Go to step 2 · Data", icon=":material/folder:")
    ui.done()
    st.stop()


@st.cache_resource(show_spinner=False, max_entries=8)
def screen_memo(project_id: str, dataset_id: str) -> Memo:
    """What the screens of one data set share (its counts, the gate's hidden cells, the last table's indexes): a
    change of settings recomputes only what it changes."""
    return Memo()


@st.cache_resource(show_spinner="Screening every group and outcome…", max_entries=8)
def screen_table(project_id: str, dataset_id: str, dataset_json: str, settings_json: str):
    """The whole gap table (every level, school and year) with its lookup, keyed by the data set's
    mapping and files and the settings, so filters and drill-downs only read it. One shared object
    (cache_resource, not a pickled copy per rerun): the page and the engine only ever read it."""
    saved, memo = ui.store().load(project_id), screen_memo(project_id, dataset_id)
    table = sources.project_screen(ui.store().cursor(), saved, saved.dataset(dataset_id),
                                   GapSettings.model_validate_json(settings_json), memo)
    return ranking.Lookup.kept(table, memo)  # the last screen's indexes, when its rows are these


@st.cache_data(show_spinner=False, max_entries=16)
def far_out(project_id: str, dataset_json: str) -> dict[str, str]:
    """Outcome -> the sentence about its values far outside the usual range, shown beside its gaps."""
    saved = ui.store().load(project_id)
    return quality.far_out_notes(ui.store().cursor(), saved, DataSet.model_validate_json(dataset_json))


def _far_out(outcomes) -> None:
    for outcome in dict.fromkeys(outcomes):
        if outcome in far_out_notes:
            st.warning(ui.esc(far_out_notes[outcome]), icon=":material/warning:")


names = {d.id: d.name for d in datasets}
if ui.presenting():  # the facilitator chose the data set before presenting
    dataset_id = st.session_state.get("gaps_dataset") if st.session_state.get("gaps_dataset") in names else list(names)[0]
else:
    dataset_id = st.selectbox("Data set", list(names), format_func=names.get, key="gaps_dataset",
                              persist_state="session")
dataset = project.dataset(dataset_id)
if not dataset.confirmed:
    st.warning("The mapping of this data set is not confirmed yet; check it in step 2 before you trust these gaps.")
settings = project.gap_settings
try:
    lookup = screen_table(project.id, dataset.id, dataset.model_dump_json(),
                          screen_settings(settings).model_dump_json())
except UserError as exc:
    st.error(ui.esc(str(exc)))
    st.page_link("pages/2_Data.py", label="Go to step 2 · Data", icon=":material/folder:")
    ui.done()
    st.stop()
for text in lookup.table.attrs.get("notes", []):
    st.warning(ui.esc(text), icon=":material/warning:")
far_out_notes = far_out(project.id, dataset.model_dump_json())  # shown beside the gaps of each outcome


# ---------------------------------------------------------------- settings (saved in the project)

SETTING_KEYS = {"min_n": "gaps_min_n", "min_cell": "gaps_min_cell", "comparison": "gaps_comparison",
                "reference_group": "gaps_reference", "benchmark_rate": "gaps_benchmark",
                "risk_ratio_threshold": "gaps_rr", "point_gap_threshold": "gaps_points",
                "progress_drop": "gaps_progress", "state_dataset": "gaps_state"}
COMPARISONS = {"all_others": "All other students", "all_students": "All students",
               "reference": "A reference group", "benchmark": "A benchmark rate (state or district)"}


def _save_settings() -> None:
    values = {field: st.session_state.get(key) for field, key in SETTING_KEYS.items()}
    values["among_dimension"], values["among_group"] = st.session_state.get("gaps_among") or ("", "")
    if values["benchmark_rate"] is not None:
        values["benchmark_rate"] = values["benchmark_rate"] / 100

    def apply(p):
        if values["comparison"] == "benchmark" and values["benchmark_rate"] is None:
            raise UserError("Type the benchmark rate (for example the state's rate, 85) to compare with it.")
        p.gap_settings = GapSettings(**{**p.gap_settings.model_dump(), **values})

    try:  # only a threshold changed: the same screen, other gaps marked
        marks_only = screen_settings(GapSettings(**{**settings.model_dump(), **values})) == screen_settings(settings)
    except ValueError:  # not valid settings: `apply` says so
        marks_only = False
    ui.edit(apply, ok="Settings saved; the gaps beyond the thresholds are marked again." if marks_only
            else "Settings saved; the screen is recomputed.", at="gaps_settings")


for field, key in SETTING_KEYS.items():
    if key not in st.session_state:
        value = getattr(settings, field)
        st.session_state[key] = value * 100 if field == "benchmark_rate" and value is not None else value
if "gaps_among" not in st.session_state:
    st.session_state["gaps_among"] = (settings.among_dimension, settings.among_group) if settings.among_group else None

if not ui.presenting():
    with st.expander("Comparison, minimum sizes and thresholds", expanded=False, key="gaps_settings_box",
                     on_change="rerun"):
        ui.confirmation("gaps_settings")
        if ui.floors_note():
            st.caption(ui.floors_note())
        left, right = st.columns(2)
        left.radio("Compare each group with", list(COMPARISONS), format_func=COMPARISONS.get,
                   key="gaps_comparison", on_change=_save_settings)
        groups = lookup.groups
        if st.session_state["gaps_reference"] not in groups:
            st.session_state["gaps_reference"] = groups[0] if groups else ""
        left.selectbox("Reference group", groups, key="gaps_reference", on_change=_save_settings,
                       help="Used when the comparison is a reference group (in its own dimension).")
        left.number_input("Benchmark rate (%)", min_value=0.0, max_value=100.0, step=1.0, key="gaps_benchmark",
                          on_change=_save_settings,
                          help="A state or district rate. Also used for the alternate risk ratio when a "
                               "comparison group is too small.")
        right.number_input("Minimum students in a group (n-size)", min_value=0, step=1, key="gaps_min_n",
                           on_change=_save_settings)
        right.number_input("Minimum students with the outcome (cell size)", min_value=0, step=1,
                           key="gaps_min_cell", on_change=_save_settings)
        right.number_input("Risk ratio threshold", min_value=0.0, step=0.1, key="gaps_rr", on_change=_save_settings)
        right.number_input("Gap threshold (percentage points)", min_value=0.0, step=1.0, key="gaps_points",
                           on_change=_save_settings)
        current = [(settings.among_dimension, settings.among_group)] if settings.among_group else []
        populations = [None] + current + [p for p in lookup.pairs if p not in current and " & " not in p[1]]
        left.selectbox("Screen among", populations, key="gaps_among", on_change=_save_settings,
                       format_func=lambda p: "All students" if not p else f"{p[1]} ({p[0]})",
                       disabled=dataset.layout != "student",
                       help="Only the students of one group, e.g. children with disabilities: a discipline risk ratio "
                            "then compares Black children with disabilities with all other children with "
                            "disabilities (student-level files).")
        states = {"": "The state rows of this file (when it has several districts)",
                  **{d.id: d.name for d in datasets if d.id != dataset.id}}
        left.selectbox("State comparison (alternate and weighted risk ratios)", list(states), format_func=states.get,
                       key="gaps_state", on_change=_save_settings,
                       help="A data set of the state's figures, in the same groups and outcomes (upload it in step 2).")
        right.number_input("Reasonable progress: the risk ratio fell by at least (0 = off)", min_value=0.0,
                           step=0.05, key="gaps_progress", on_change=_save_settings,
                           help="34 CFR 300.647(d)(2): the ratio fell by at least this much in each of the two "
                                "prior consecutive years.")
        st.caption("Groups or comparisons below the minimum sizes are hidden everywhere, with the reason; "
                   "see the README's Formulas section for every formula.")


# ---------------------------------------------------------------- filters


def _default_year(rows, years) -> int:
    """Index (newest first) of the latest year in which this place shows any group."""
    showing = [y for y in years[::-1] if (~ranking.select(rows, year=y)["suppressed"].astype(bool)).any()]
    return years[::-1].index(showing[0]) if showing else 0


years, schools = lookup.years, lookup.schools
states = int(lookup.table.attrs.get("states", 0))
levels = {"state": f"Whole file ({states} states)" if states > 1 else "Whole file (state)",
          "district": "Whole file" if len(lookup.places) == 1 or not any(
              lv == "state" for lv, _, _ in lookup.places) else "A district", "school": "A school"}
present = list(dict.fromkeys(lv for lv, _, _ in lookup.places))


def _choices(level: str) -> tuple[list, bool]:
    choices = [p for p in lookup.places if p[0] == level]
    return choices, choices == [ranking.whole_place(lookup.table)]


if ui.presenting():  # the filters as the facilitator set them before presenting (they are not drawn)
    level = st.session_state.get("gaps_level", present[0])
    level = level if level in present else present[0]
    choices, whole = _choices(level)
    picked = st.session_state.get(f"gaps_place_{level}")
    picked = picked if not whole and picked in choices else choices[0]
    _, district, school = picked
    year = st.session_state.get("gaps_year")
    if year not in years:
        year = years[::-1][_default_year(lookup.place(level, school, district), years)] if years else ""
    outcomes = [o for o in st.session_state.get("gaps_outcomes", []) if o in lookup.outcomes]
    dimensions = [d for d in st.session_state.get("gaps_dimensions", []) if d in lookup.dimensions]
else:
    cols = st.columns(5)
    level = cols[0].radio("Level", present, horizontal=True, format_func=lambda v: levels.get(v, v), key="gaps_level",
                          persist_state="session")
    choices, whole = _choices(level)
    picked = choices[0] if whole else cols[1].selectbox(
        "School or district (type a name or an id; the largest first)", choices,
        format_func=lambda p: ranking.place_label(p, states), key=f"gaps_place_{level}", persist_state="session")
    _, district, school = picked
    year = cols[2].selectbox("Year", years[::-1], key="gaps_year", index=_default_year(lookup.place(
        level, school, district), years), format_func=statements.year_phrase,
        persist_state="session") if years else ""
    outcomes = cols[3].multiselect("Outcomes", lookup.outcomes, key="gaps_outcomes", placeholder="All",
                                   persist_state="session")
    dimensions = cols[4].multiselect("Dimensions", lookup.dimensions, key="gaps_dimensions",
                                     placeholder="All", persist_state="session")
place = lookup.place(level, school, district)  # every year of this place
rows = ranking.select(place, year=year or None, outcome=outcomes, dimension=dimensions)

DRILL_COLUMNS = ["Students (n)", "Group's figure", "Comparison's figure", "Gap (group − comparison)", "Why hidden"]
HIDDEN_COLUMNS = ["Group", "Outcome", "Why hidden", "Students (n)", "Dimension"]  # the reason seen first
SCHOOL_BARS = 40  # schools drawn in Look closer's chart at most (a national file has 17,000 for one group)

def _present_gap(row):
    """One gap as a slide: where (as Quick screen's slides say it), the sentence, its bars and their figures in
    words; a far-out outcome's warning."""
    where = ranking.place_label(picked, states)
    st.caption(ui.esc(where[:1].upper() + where[1:]) + (f" · {ui.esc(statements.year_phrase(year))}" if year else ""))
    ui.gap_slide(statements.gap_sentence(row, interval=True), row, key="gaps_present_chart",
                 far_out=far_out_notes)


if ui.presenting():  # one gap per slide, largest first, filters as set before presenting
    shown, _ = lookup.gap_screen(settings, level=level, school=school, district=district, year=year or None,
                                 outcomes=outcomes, dimensions=dimensions)
    if shown.empty:
        st.info("No group is large enough to show with these filters and minimum sizes.")
    beyond = shown[shown["flagged"].astype(bool)] if "flagged" in shown else shown
    shown = beyond if not beyond.empty else shown.head(10)  # the gaps beyond the thresholds, else the ten largest
    ui.slides(shown.to_dict("records"), _present_gap, label=lambda r: f"{r['group']} · {r['outcome']}")
    ui.done()
    st.stop()

shown, hidden = lookup.gap_screen(settings, level=level, school=school, district=district, year=year or None,
                                  outcomes=outcomes, dimensions=dimensions)
# The open tab is kept and in the address; bound to it, each tab knows whether it is open, and only the
# open one is drawn (a rerun would otherwise redraw every tab's charts and tables in the browser).
# the rule's list: a state file's districts (or their schools); a district's schools; else one place's groups
units = (["district"] if "state" in present else []) + (["school"] if "school" in present else []) or ["district"]
listed_as = {"district": "Districts", "school": "Schools"}
screen_tab, heat_tab, closer_tab, statement_tab, state_tab = st.tabs(
    ["Gap screen", "Heatmap", "Look closer", "Success gap statements",
     f"{listed_as[units[0]] if len(present) > 1 else 'Groups'} above the threshold"], key="gaps_tab",
    bind="query-params")

with screen_tab:
    if screen_tab.open:
        st.header("Largest gaps first")
        st.caption(f"Gaps beyond the team's thresholds (when {ranking.threshold_words(settings)}) come first"
                   + ("; “Years in a row” counts the latest consecutive school years beyond them (a missing year ends "
                      "the run)." if len(years) > 1 else ".")
                   + (f" Screened among {ui.esc(settings.among_group)} only." if lookup.table.attrs.get("among") else ""))
        for note in ranking.row_notes(shown):  # each once, naming its group when they differ
            st.caption(ui.esc(note[:1].upper() + note[1:] + "."))
        if shown.empty:
            others = [y for y in years if y != year and not ranking.select(place, year=y)["suppressed"].all()]
            st.warning(f"Every group of {ui.esc(ranking.place_label(picked, states))}" + (f" in {year}" if year else "") + " is hidden "
                       "with these filters and minimum sizes (the reasons are below) — this is not a finding of no gap. "
                       + (f"Try another year ({', '.join(others[-3:])}), " if others else "Try ")
                       + "another place or smaller minimum sizes.")
        else:
            _far_out(shown["outcome"])
            tables.show_gaps(shown, key="gaps_screen_table", columns=tables.gap_short(len(years)))
            st.caption(f"Hover a column heading for what it means, or read every metric in the [Guide]({guide_url()}).")
        st.header(f"Hidden to protect privacy ({len(hidden)})")
        if hidden.empty:
            st.caption("Nothing is hidden with these filters: every group and its comparison are large enough to show.")
        else:
            st.caption("These groups are never ranked: a group or its comparison is below the minimum size, the source "
                       "file suppressed it, or showing it would let a small group be worked out from the others.")
            tables.show_gaps(hidden, key="gaps_hidden_table", columns=HIDDEN_COLUMNS, wrap="Why hidden")

with heat_tab:
    if heat_tab.open:
        binary = rows[rows["kind"] == "binary"]
        if binary.empty:
            st.info("The heatmap shows yes/no outcomes; there are none with these filters.")
        else:
            st.plotly_chart(charts.gap_heatmap(binary), key="gaps_heatmap")
            st.caption("Orange: the group does worse than its comparison; purple: better; grey “—”: hidden or "
                       "not computable. The same gaps in percentage points (group − comparison):")
            heat = ranking.heatmap_labels(binary).replace("", tables.BLANK).rename_axis("Group").reset_index()
            tables.show(heat, key="gaps_heatmap_table")

pairs = list(dict.fromkeys(zip(rows["dimension"], rows["group"])))
outcome_names = list(rows["outcome"].unique())


def _pair_label(pair) -> str:
    return f"{pair[1]} ({pair[0]})"


top = shown.iloc[0] if not shown.empty else {}  # the tabs open on the largest gap shown, never a hidden group
top_pair = (top.get("dimension"), top.get("group"))
top_at = (pairs.index(top_pair) if top_pair in pairs else 0,  # where the group and outcome boxes start
          outcome_names.index(top.get("outcome")) if top.get("outcome") in outcome_names else 0)


def _write_statement_for(pair, outcome):
    """"Write a statement for this gap": the statements tab, drafted for the gap looked at."""
    st.session_state["gaps_tab"] = "Success gap statements"
    st.session_state["gaps_statement_group"] = pair
    st.session_state["gaps_statement_outcome"] = outcome


with closer_tab:
    if closer_tab.open:
        if not pairs:
            st.info("No groups with these filters.")
        else:
            a, b = st.columns(2)
            pair = a.selectbox("Group", pairs, format_func=_pair_label, key="gaps_drill_group", persist_state="page",
                               index=top_at[0])
            outcome = b.selectbox("Outcome", outcome_names, key="gaps_drill_outcome", persist_state="page",
                                  index=top_at[1])
            one = ranking.select(rows, dimension=pair[0], group=pair[1], outcome=outcome)
            if one.empty:
                st.info("No figures for this group and outcome.")
            else:
                row = one.iloc[0].to_dict()
                st.markdown(statements.gap_sentence(row, interval=True))
                _far_out([outcome])
                if not row["suppressed"]:
                    st.button("Write a statement for this gap", key="gaps_closer_write", icon=":material/edit_note:",
                              on_click=_write_statement_for, args=(pair, outcome))
                    title = f"{pair[1]} · {outcome} · {statements.year_phrase(year) or 'all years'}"
                    st.plotly_chart(charts.comparison_bars(row, title), key="gaps_drill_bars")
                    st.markdown(ui.bars_in_words(row))
                by_school = ranking.select(lookup.cell(pair[0], pair[1], outcome), level="school", year=year or None)
                if not by_school.empty:
                    st.markdown("**By school**")
                    drawn = ranking.worst_first(by_school, SCHOOL_BARS)
                    if len(drawn) < len(by_school):
                        st.caption(f"The chart draws the {len(drawn)} schools with the largest gaps against the group, "
                                   f"of {len(by_school):,}; the table below has every school.")
                    st.plotly_chart(charts.school_bars(drawn, f"{pair[1]} by school"), key="gaps_drill_schools")
                    tables.show_gaps(by_school, key="gaps_drill_school_table", columns=["School", *DRILL_COLUMNS])
                over_years = ranking.select(place, dimension=pair[0], group=pair[1], outcome=outcome)
                if len(years) > 1:
                    st.markdown("**Over the years**")
                    st.plotly_chart(charts.trend(over_years, f"{pair[1]} over the years"), key="gaps_drill_trend")
                    tables.show_gaps(over_years, key="gaps_drill_year_table", columns=["Year", *DRILL_COLUMNS])

with statement_tab:
    if statement_tab.open:
        st.caption("A success gap statement names the group, the outcome and the size of the gap, with the data "
                   "point behind it. Draft one, edit it, save it; mark the one the team will work on as the focus.")
        if pairs and not ui.presenting():
            a, b = st.columns(2)
            spair = a.selectbox("Group", pairs, format_func=_pair_label, key="gaps_statement_group",
                                persist_state="page",
                                index=top_at[0])
            soutcome = b.selectbox("Outcome", outcome_names, key="gaps_statement_outcome", persist_state="page",
                                   index=top_at[1])
            chosen = ranking.select(rows, dimension=spair[0], group=spair[1], outcome=soutcome)
            if not chosen.empty:
                srow = chosen.iloc[0].to_dict()
                draft_key = f"gaps_draft_{dataset_id}_{level}_{school}_{year}_{spair}_{soutcome}_{srow['comparison']}"
                _far_out([soutcome])
                st.text_area("Drafted statement (edit it as you like)", value=statements.gap_sentence(srow),
                             key=draft_key, height=110, persist_state="page")

                def _add(row=srow, key=draft_key):
                    ui.edit(lambda p: statements.add(p, row, st.session_state.get(key, ""), dataset_id=dataset_id),
                            ok="Statement saved.", at="gaps_statement_save")

                # the confirmation in the button's row: on screen whenever the button is (below it, a button at the
                # window's bottom edge would push it out of view); both at the row's top, so the taller confirmation
                # does not push the button down (centred, it moved 9 px: off screen when it was at the bottom edge)
                button, said = st.columns([1, 3], vertical_alignment="top")
                button.button("Save this statement", key="gaps_statement_save", on_click=_add, type="primary")
                with said:
                    ui.confirmation("gaps_statement_save")
        saved = project.statements
        if saved and not ui.presenting():
            ui.report_button("Success gap statement (PDF)",
                             partial(gap_reports.statement_report, project, ui.store().cursor()),
                             "success-gap-statement.pdf", key="gaps_statement_pdf")
        if not saved:
            st.info("No statements yet.")
        for s in saved:
            with st.container(border=True):
                st.markdown((":material/star: **Focus** · " if s.focus else "") + ui.esc(
                    f"{s.group} · {s.outcome}" + (f" · {statements.year_phrase(s.year)}" if s.year else "")
                    + (f" · {s.school}" if s.school else "")))
                if ui.presenting():
                    st.markdown(s.text)
                    continue
                st.text_area("Statement", value=s.text, key=f"gaps_text_{s.id}", label_visibility="collapsed",
                             on_change=lambda sid=s.id: ui.edit(statements.update_text, sid,
                                                                st.session_state.get(f"gaps_text_{sid}", ""),
                                                                at=f"gaps_statement_{sid}"))
                c1, c2 = st.columns(2)
                c1.button("Make this our focus", key=f"gaps_focus_{s.id}", disabled=s.focus or statements.hidden(s),
                          help="Its figures are hidden to protect student privacy, so it cannot be the team's focus."
                          if statements.hidden(s) else None,
                          on_click=lambda sid=s.id: ui.edit(statements.set_focus, sid, ok="Focus statement chosen.",
                                                                      at=f"gaps_statement_{sid}"))
                c2.button("Delete", key=f"gaps_delete_{s.id}",
                          on_click=lambda sid=s.id: ui.edit(statements.delete, sid, ok="Statement deleted."))
                ui.confirmation(f"gaps_statement_{s.id}")

@st.cache_data(show_spinner=False, max_entries=8)
def state_listing(project_id: str, dataset_id: str, dataset_json: str, settings_json: str, unit: str):
    """The districts (the whole file, when it is one district) or schools whose groups exceed the threshold."""
    settings = GapSettings.model_validate_json(settings_json)
    table = screen_table(project_id, dataset_id, dataset_json, screen_settings(settings).model_dump_json())
    return disproportionality.state_list(table.table, settings, unit)


with state_tab:
    if state_tab.open:
        unit = st.radio("List", units, horizontal=True, key="gaps_state_unit", persist_state="page",
                        format_func=listed_as.get) if len(units) > 1 else units[0]
        listing = state_listing(project.id, dataset.id, dataset.model_dump_json(), settings.model_dump_json(), unit)
        st.caption(disproportionality_report.describe(settings, unit))
        picked_categories = st.multiselect("Category", list(disproportionality.CATEGORIES) + ["other"],
                                           key="gaps_state_category", placeholder="Every category",
                                           persist_state="page")
        if picked_categories:
            listing = listing[listing["category"].isin(picked_categories)]
        st.markdown(f"**{len(listing):,} {unit} group{'s' if len(listing) != 1 else ''} above the threshold** "
                    f"(3 years: {int((listing['years_flagged'] >= 3).sum()):,}; 2: "
                    f"{int((listing['years_flagged'] == 2).sum()):,}; 1: {int((listing['years_flagged'] == 1).sum()):,}).")
        tables.show(disproportionality_report.readable_list(listing), key="gaps_state_table", numbers={
            "Years in a row": "%d", "Children in the group (n)": "%d", "Risk %": "%.1f",
            "Risk ratio": "%.2f", "Alternate risk ratio": "%.2f", "Weighted risk ratio": "%.2f"})
        left, right = st.columns(2)
        units = f"{unit.capitalize()}s"  # what the list lists: districts, or the schools of the file
        with left:
            ui.report_button(f"{units} above the threshold (PDF)", partial(
                disproportionality_report.list_pdf, listing, settings, place=project.name, unit=unit),
                f"{unit}s-above.pdf", key="gaps_state_pdf")
        with right:
            ui.report_button(f"{units} above the threshold (spreadsheet)", partial(
                disproportionality_report.list_workbook, listing, unit), f"{unit}s-above.xlsx", key="gaps_state_xlsx")

ui.done()
