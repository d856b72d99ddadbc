"""Step 3 · Identify gaps: screen every group × outcome, look closer, write the success gap statement."""

import pandas as pd
import streamlit as st

from successgaps import ui
from successgaps.data import views
from successgaps.engine import ranking, statements, suppression
from successgaps.engine.screen import screen
from successgaps.errors import UserError
from successgaps.models import GapSettings
from successgaps.outputs import charts
from successgaps.ui.guidance import guide_url, metric_columns

project = ui.page("Identify gaps", step=3)
ui.focus_banner(project)

datasets = [d for d in project.datasets if d.files]
if not datasets:
    st.info("There is no data yet: upload a file and check its mapping in step 2 first.")
    st.page_link("pages/2_Data.py", label="Go to step 2 · Data", icon=":material/folder:")
    ui.done()
    st.stop()


@st.cache_resource(show_spinner="Screening every group and outcome…", max_entries=8)
def screen_table(project_id: str, dataset_id: str, dataset_json: str, settings_json: str):
    """The whole gap table (every level, school and year) with its lookup, keyed by the data set's
    mapping and files and the settings, so filters and drill-downs only read it. One shared object
    (cache_resource, not a pickled copy per rerun): the page and `gaps` only ever read it."""
    saved = ui.store().load(project_id)
    dataset = saved.dataset(dataset_id)
    con = ui.store().cursor()
    prepared = views.prepare(con, saved, dataset)
    return ranking.Lookup(suppression.for_export(screen(con, prepared, GapSettings.model_validate_json(settings_json),
                                                   extra=True)))


names = {d.id: d.name for d in datasets}
dataset_id = st.selectbox("Data set", list(names), format_func=names.get, key="gaps_dataset")
dataset = project.dataset(dataset_id)
if not dataset.confirmed:
    st.warning("The mapping of this data set is not confirmed yet; check it in step 2 before you trust these gaps.")
settings = project.gap_settings
try:
    lookup = screen_table(project.id, dataset.id, dataset.model_dump_json(), settings.model_dump_json())
except UserError as exc:
    st.error(str(exc))
    st.page_link("pages/2_Data.py", label="Go to step 2 · Data", icon=":material/folder:")
    ui.done()
    st.stop()


# ---------------------------------------------------------------- settings (saved in the project)

SETTING_KEYS = {"min_n": "gaps_min_n", "min_cell": "gaps_min_cell", "comparison": "gaps_comparison",
                "reference_group": "gaps_reference", "benchmark_rate": "gaps_benchmark",
                "risk_ratio_threshold": "gaps_rr", "point_gap_threshold": "gaps_points"}
COMPARISONS = {"all_others": "All other students", "all_students": "All students",
               "reference": "A reference group", "benchmark": "A benchmark rate (state or district)"}


def _save_settings() -> None:
    values = {field: st.session_state.get(key) for field, key in SETTING_KEYS.items()}
    if values["benchmark_rate"] is not None:
        values["benchmark_rate"] = values["benchmark_rate"] / 100

    def apply(p):
        if values["comparison"] == "benchmark" and values["benchmark_rate"] is None:
            raise UserError("Type the benchmark rate (for example the state's rate, 85) to compare with it.")
        p.gap_settings = GapSettings(**{**p.gap_settings.model_dump(), **values})

    ui.edit(apply, ok="Settings saved; the screen is recomputed.")


for field, key in SETTING_KEYS.items():
    if key not in st.session_state:
        value = getattr(settings, field)
        st.session_state[key] = value * 100 if field == "benchmark_rate" and value is not None else value

if not ui.presenting():
    with st.expander("Comparison, minimum sizes and thresholds", expanded=False):
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
        st.caption("Groups or comparisons below the minimum sizes are hidden everywhere, with the reason; "
                   "see the README's Formulas section for every formula.")


# ---------------------------------------------------------------- filters


def _default_year(rows, years) -> int:
    """Index (newest first) of the latest year in which this place shows any group."""
    showing = [y for y in years[::-1] if (~ranking.select(rows, year=y)["suppressed"].astype(bool)).any()]
    return years[::-1].index(showing[0]) if showing else 0


years, schools = lookup.years, lookup.schools
cols = st.columns(5)
levels = {"state": "Whole file (state)", "district": "Whole file" if len(lookup.places) == 1 or not any(
    lv == "state" for lv, _, _ in lookup.places) else "A district", "school": "A school"}
present = list(dict.fromkeys(lv for lv, _, _ in lookup.places))
level = cols[0].radio("Level", present, horizontal=True, format_func=lambda v: levels.get(v, v), key="gaps_level")
choices = [p for p in lookup.places if p[0] == level]
whole = choices == [ranking.whole_place(lookup.table)]
picked = choices[0] if whole else cols[1].selectbox(
    "School or district (type a name or an id; the largest first)", choices, format_func=lambda p: ranking.place_label(p, int(lookup.table.attrs.get("states", 0))),
    key=f"gaps_place_{level}")
_, district, school = picked
year = cols[2].selectbox("Year", years[::-1], key="gaps_year", index=_default_year(lookup.place(
    level, school, district), years)) if years else ""
outcomes = cols[3].multiselect("Outcomes", lookup.outcomes, key="gaps_outcomes",
                               placeholder="All outcomes")
dimensions = cols[4].multiselect("Dimensions", lookup.dimensions, key="gaps_dimensions",
                                 placeholder="All dimensions")
place = lookup.place(level, school, district)  # every year of this place
rows = ranking.select(place, year=year or None, outcome=outcomes, dimension=dimensions)

DRILL_COLUMNS = ["school", "n", "rate", "mean", "comparison_rate", "comparison_mean", "difference", "suppression_reason"]
SCREEN_COLUMNS = ["group", "dimension", "outcome", "n", "rate", "mean", "comparison", "comparison_rate",
                  "comparison_mean", "difference", "difference_low", "difference_high", "risk_ratio", "ci_low",
                  "ci_high", "p_value", "flagged", "years_flagged", "share_of_students", "share_of_events"]

def _present_gap(row):
    st.markdown(f"### {statements.gap_sentence(row, interval=True)}")
    st.plotly_chart(charts.comparison_bars(row), key="gaps_present_chart")


screen_tab, heat_tab, closer_tab, statement_tab = st.tabs(
    ["Gap screen", "Heatmap", "Look closer", "Success gap statements"])

with screen_tab:
    shown, hidden = ranking.gap_screen(place, settings, level=level, school=school, year=year or None,
                                    outcomes=outcomes, dimensions=dimensions, district=district)
    st.subheader("Largest gaps first")
    st.caption(f"Gaps beyond the team's thresholds (risk ratio {settings.risk_ratio_threshold:g} or "
               f"{settings.point_gap_threshold:g} percentage points against the group) come first; "
               "“Years in a row” counts the latest consecutive years beyond them.")
    for note in dict.fromkeys(n for n in shown.get("note", pd.Series(dtype=str)).fillna("") if n):
        st.caption(note[:1].upper() + note[1:] + ".")
    if shown.empty:
        others = [y for y in years if y != year and not ranking.select(place, year=y)["suppressed"].all()]
        st.warning(f"Every group of {ranking.place_label(picked, int(lookup.table.attrs.get('states', 0)))}" + (f" in {year}" if year else "") + " is hidden "
                   "with these filters and minimum sizes (the reasons are below) — this is not a finding of no gap. "
                   + (f"Try another year ({', '.join(others[-3:])}), " if others else "Try ")
                   + "another place or smaller minimum sizes.")
    elif ui.presenting():  # one gap at a time, largest first, for the shared screen
        ui.present_one(shown.to_dict("records"), "gaps_present", _present_gap,
                       label=lambda r: f"{r['group']} · {r['outcome']}")
    else:
        st.dataframe(ranking.readable(shown, SCREEN_COLUMNS), hide_index=True, width="stretch", key="gaps_screen_table",
                     column_config=metric_columns(SCREEN_COLUMNS))
        st.caption(f"Hover a column heading for what it means, or read every metric in the [Guide]({guide_url()}).")
    st.subheader(f"Hidden to protect privacy ({len(hidden)})")
    st.caption("These groups are never ranked: a group or its comparison is below the minimum size, the source "
               "file suppressed it, or showing it would let a small group be worked out from the others.")
    if not hidden.empty:
        st.dataframe(ranking.readable(hidden, ["group", "dimension", "outcome", "n", "suppression_reason"]),
                     hide_index=True, width="stretch", key="gaps_hidden_table")

with heat_tab:
    binary = rows[rows["kind"] == "binary"]
    if binary.empty:
        st.info("The heatmap shows yes/no outcomes; there are none with these filters.")
    else:
        st.plotly_chart(charts.gap_heatmap(binary), key="gaps_heatmap")
        st.caption("Orange: the group does worse than its comparison; purple: better; grey “—”: hidden or "
                   "not computable. The same numbers:")
        st.dataframe(ranking.heatmap_table(binary).round(1), width="stretch", key="gaps_heatmap_table")

pairs = list(dict.fromkeys(zip(rows["dimension"], rows["group"])))
outcome_names = list(rows["outcome"].unique())


def _pair_label(pair) -> str:
    return f"{pair[1]} ({pair[0]})"


with closer_tab:
    if not pairs:
        st.info("No groups with these filters.")
    else:
        a, b = st.columns(2)
        pair = a.selectbox("Group", pairs, format_func=_pair_label, key="gaps_drill_group")
        outcome = b.selectbox("Outcome", outcome_names, key="gaps_drill_outcome")
        one = ranking.select(rows, dimension=pair[0], group=pair[1], outcome=outcome)
        if one.empty:
            st.info("No figures for this group and outcome.")
        else:
            row = one.iloc[0].to_dict()
            st.markdown(statements.gap_sentence(row, interval=True))
            if not row["suppressed"]:
                st.plotly_chart(charts.comparison_bars(row, f"{pair[1]} · {outcome} · {year or 'all years'}"),
                                key="gaps_drill_bars")
            by_school = ranking.select(lookup.cell(pair[0], pair[1], outcome), level="school", year=year or None)
            if not by_school.empty:
                st.markdown("**By school**")
                st.plotly_chart(charts.school_bars(by_school, f"{pair[1]} by school"), key="gaps_drill_schools")
                st.dataframe(ranking.readable(by_school, DRILL_COLUMNS), hide_index=True, width="stretch",
                             key="gaps_drill_school_table", column_config=metric_columns(DRILL_COLUMNS))
            over_years = ranking.select(place, dimension=pair[0], group=pair[1], outcome=outcome)
            if len(years) > 1:
                st.markdown("**Over the years**")
                st.plotly_chart(charts.trend(over_years, f"{pair[1]} over the years"), key="gaps_drill_trend")
                st.dataframe(ranking.readable(over_years, ["year", *DRILL_COLUMNS[1:]]), hide_index=True, width="stretch",
                             key="gaps_drill_year_table", column_config=metric_columns(DRILL_COLUMNS))

with statement_tab:
    st.caption("A success gap statement names the group, the outcome and the size of the gap, with the data "
               "point behind it. Draft one, edit it, save it; mark the one the team will work on as the focus.")
    if pairs and not ui.presenting():
        a, b = st.columns(2)
        spair = a.selectbox("Group", pairs, format_func=_pair_label, key="gaps_statement_group")
        soutcome = b.selectbox("Outcome", outcome_names, key="gaps_statement_outcome")
        chosen = ranking.select(rows, dimension=spair[0], group=spair[1], outcome=soutcome)
        if not chosen.empty:
            srow = chosen.iloc[0].to_dict()
            draft_key = f"gaps_draft_{dataset_id}_{level}_{school}_{year}_{spair}_{soutcome}_{srow['comparison']}"
            st.text_area("Drafted statement (edit it as you like)", value=statements.gap_sentence(srow),
                         key=draft_key, height=110)

            def _add(row=srow, key=draft_key):
                ui.edit(lambda p: statements.add(p, row, st.session_state.get(key, ""), dataset_id=dataset_id),
                        ok="Statement saved.")

            st.button("Save this statement", key="gaps_statement_save", on_click=_add, type="primary")
    saved = project.statements
    if not saved:
        st.info("No statements yet.")
    for s in saved:
        with st.container(border=True):
            st.markdown(("⭐ **Focus** · " if s.focus else "") + f"{s.group} · {s.outcome}" +
                        (f" · {s.year}" if s.year else "") + (f" · {s.school}" if s.school else ""))
            if ui.presenting():
                st.markdown(s.text)
                continue
            st.text_area("Statement", value=s.text, key=f"gaps_text_{s.id}", label_visibility="collapsed",
                         on_change=lambda sid=s.id: ui.edit(statements.update_text, sid,
                                                            st.session_state.get(f"gaps_text_{sid}", "")))
            c1, c2 = st.columns(2)
            c1.button("Make this our focus", key=f"gaps_focus_{s.id}", disabled=s.focus,
                      on_click=lambda sid=s.id: ui.edit(statements.set_focus, sid, ok="Focus statement chosen."))
            c2.button("Delete", key=f"gaps_delete_{s.id}",
                      on_click=lambda sid=s.id: ui.edit(statements.delete, sid, ok="Statement deleted."))

ui.done()
