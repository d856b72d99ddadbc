"""Quick screen: drop one file, read the gaps that matter in a minute. Nothing is saved unless you keep it.

The screen (`quickscreen.run`) is computed once per upload and kept in this tab's session state
under `RESULT` ("qs_result", a `quickscreen.QuickScreen`, checked against the file's hash), so reruns
only draw it; removing the file forgets it.
"""

from functools import partial

import streamlit as st

from successgaps import ui
from successgaps.engine import quickscreen, statements
from successgaps.errors import UserError
from successgaps.outputs import charts, gap_reports, gap_table

RESULT = "qs_result"  # the QuickScreen of the file in the uploader
KEPT = "qs_kept"  # (file hash, project id, project name) once "Keep this" made a project of it
FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"]
HIDDEN_SHOWN = 6  # hidden results listed on the page; the rest under an expander
FOLDED = 70  # px of the folded "file, place and year" box under a slide when presenting

ui.page("Quick screen", needs_project=False)
# presenting a screen: the slide first; the file, place and year (set before presenting) folded away below it
slide = st.container()
setup = (st.expander("The file, the place and the year behind these slides")
         if ui.presenting() and st.session_state.get(RESULT) is not None else st.container())
if ui.presenting() and st.session_state.get(RESULT) is None:  # no file box on the shared screen (nor its file dialog)
    st.markdown("Quick screen's slides come from a file: leave presentation mode, drop the file, then present.")
    ui.done()
    st.stop()
with setup:
    st.markdown("Drop a data file — a student export or a state report-card download — and see which groups "
                "your school or district is not serving well. **Nothing is saved** unless you choose *Keep this*.")
    uploaded = st.file_uploader("Data file (CSV, Excel .xlsx or Parquet)", type=FILE_TYPES, key="qs_upload")

if uploaded is None:
    st.session_state.pop(RESULT, None)
    ui.done()
    st.stop()

data = uploaded.getvalue()
quick = st.session_state.get(RESULT)
if quick is None or quick.digest != quickscreen.digest(data):
    st.session_state.pop(RESULT, None)
    try:
        with setup, st.spinner(f"Screening every group and outcome in {uploaded.name}…"):
            quick = quickscreen.run(data, uploaded.name, ui.store().workspace, ui.gap_settings())
    except UserError as exc:
        setup.error(ui.esc(str(exc)))
        ui.done()
        st.stop()
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        ui.log_error(exc)
        setup.error(f"{ui.esc(uploaded.name)} could not be screened ({type(exc).__name__}); check that it is a data "
                    "table, or start a project and load it on the Data page.")
        ui.done()
        st.stop()
    st.session_state[RESULT] = quick

kept = st.session_state.get(KEPT)
kept = kept if kept and kept[0] == quick.digest else None

# ---------------------------------------------------------------- what was found, which place and year


def _place_text(place) -> str:
    return quickscreen.place_label(quick.table, place)


with setup:
    st.info(f"**{ui.esc(quick.summary)}** in {ui.esc(quick.source)}.")
    if kept:
        st.page_link("pages/2_Data.py", label=f"Review the mapping of “{kept[2]}” on the Data page",
                     icon=":material/tune:")
    elif not ui.presenting():
        st.markdown("The columns were read as proposed. [Review the mapping](#keep-this): keep this screen as a "
                    "project, then correct it on the Data page.")
    choices = quickscreen.places(quick)
    cols = st.columns([3, 1])
    picked = cols[0].selectbox(
        "Your school or district (type a name or an id; the largest first)", choices[1:], index=None,
        format_func=_place_text, placeholder=f"Nothing picked: {_place_text(choices[0])}",
        key=f"qs_place_{quick.digest}")
    years = list(quick.years_list)
    default = quickscreen.choose(quick, picked)
    # a file of one year: no greyed-out picker (its label fails contrast); the line below names the year
    year_pick = cols[1].selectbox("Year", years, index=years.index(default.year) if default.year in years else 0,
                                  format_func=statements.year_phrase,
                                  key=f"qs_year_{quick.digest}_{picked}") if len(years) > 1 else None
    quick = quickscreen.choose(quick, picked, year_pick) if year_pick and year_pick != default.year else default
    st.markdown(f"Screening **{quick.place_label}**" + (f" in **{statements.year_phrase(quick.year)}**" if quick.year
                                                         else "") + ".")
    for note in quick.notes:
        st.caption(note[:1].upper() + note[1:] + ".")

year = statements.year_phrase(quick.year)
where = ui.esc(quick.place_label[:1].upper() + quick.place_label[1:]) + (f" · {year}" if year else "")
left_open = {gap.key for gap in quick.open_gaps}


def _slide(gap) -> None:
    """One gap on the shared screen: where, then the gap (its sentence, bars and their figures in words)."""
    below = " · no gap beyond the usual thresholds: the largest differences below them"
    st.caption(where + (below if quick.nearest else ""))  # differences below the thresholds (no gap listed)
    ui.gap_slide(gap.sentence, gap.row, key="qs_present_chart", below=FOLDED, far_out=quick.far_out, notes=(
        "Left open by the file's ranges: beyond the thresholds at the middle of the ranges, not at every end.",)
        * (gap.key in left_open))


def _numbered(gaps) -> None:
    st.markdown("\n".join(f"{i}. **{ui.esc(gap.title)}** — {ui.esc(gap.sentence)}" for i, gap in enumerate(gaps, 1)))


def _no_gap() -> None:
    """What is said when no gap is listed: why nothing is shown, or that no gap is beyond the thresholds (never
    under a list of gaps, nor where the file's ranges leave gaps open)."""
    if quick.gaps:
        return
    if quick.empty:  # never a false "No gap": nothing is shown here
        st.warning(quick.empty)
    elif not quick.open_gaps:
        st.success("No gap" + (f" in {year}" if year else "") + f" is beyond the usual thresholds at "
                   f"{quick.place_label}, among the {quickscreen.counted(quick.shown, 'result')} large enough to show.")


# presenting: one gap a slide, the largest, then those the ranges leave open (with none, the largest differences
# below the thresholds); nothing else on the slide
if ui.presenting():
    with slide:
        if quick.listed:
            ui.present_one(quick.listed, "qs_present", _slide, label=lambda gap: gap.title)
        else:
            st.caption(where)
            _no_gap()
            for note in quick.far_out.values():  # an outcome with values far outside its usual range
                st.warning(ui.esc(note), icon=":material/warning:")
    ui.done()
    st.stop()

if quick.gaps:
    st.header(quickscreen.gaps_heading(quick))
    _numbered(quick.gaps)
    st.caption(quickscreen.thresholds_sentence(quick.project.gap_settings))
_no_gap()
if quick.nearest:  # "no gap" says what it was measured on
    st.header("The largest differences" + (f" in {year}" if year else "") + ", none beyond the thresholds")
    _numbered(quick.nearest)
    st.caption(quickscreen.thresholds_sentence(quick.project.gap_settings))
if quick.open_gaps:  # never a false "No gap": a file of ranges cannot rule these out
    st.header("Gaps the file's ranges leave open" + (f" in {year}" if year else ""))
    st.warning(quickscreen.open_sentence(quick), icon=":material/warning:")
    _numbered(quick.open_gaps)
for note in quick.far_out.values():  # an outcome with values far outside its usual range: check before trusting
    st.warning(ui.esc(note), icon=":material/warning:")

if not quick.heatmap_rows.empty:
    st.header("Every group and yes/no outcome at a glance")
    st.plotly_chart(charts.gap_heatmap(quick.heatmap_rows), key="qs_heatmap")
    st.caption("Orange: the group does worse than all other students; purple: better; grey “—”: hidden or "
               "not computable. The figures are in the table below.")

st.header("Hidden to protect student privacy")
if quick.suppressed:
    st.caption("These results are not shown or ranked anywhere, and are blank in every download:")
    # six on the page, the rest in an expander (a box of fixed height scrolled, and a keyboard cannot reach a
    # scrolling box: axe's scrollable-region-focusable)
    hidden = [f"- {ui.esc(statements.years_written(line))}" for line in quick.suppressed]  # 2024–25, as above
    st.markdown("\n".join(hidden[:HIDDEN_SHOWN]))
    if len(hidden) > HIDDEN_SHOWN:
        with st.expander(f"{len(hidden) - HIDDEN_SHOWN} more hidden results"):
            st.markdown("\n".join(hidden[HIDDEN_SHOWN:]))
else:
    st.caption("Nothing: every group is large enough to show.")

with st.expander("The table behind these sentences"):
    ui.tables.show_gaps(quickscreen.rows_behind(quick), key="qs_table",
                        columns=ui.tables.gap_short(len(quick.years_list)))

# ---------------------------------------------------------------- keep it, or take it away


def _keep(current: quickscreen.QuickScreen) -> None:  # the place and year on screen when it was clicked
    chosen = [gap.key for i, gap in enumerate(current.listed)
              if st.session_state.get(f"qs_pick_{current.digest}_{i}")]
    try:
        created = quickscreen.keep(ui.store(), current, st.session_state.get("qs_name", ""), chosen)
    except UserError as exc:
        ui.flash(str(exc), "error", at="qs_keep")
        return
    st.session_state[KEPT] = (current.digest, created.id, created.name)
    ui.claim(created.id, "upload", f"quick screen kept as a project: {created.name}")
    ui.open_project(created.id)
    ui.flash(f"Kept as the project “{created.name}”, with its data, mapping and {len(created.statements)} gap "
             f"statement{'' if len(created.statements) == 1 else 's'}.", at="qs_keep")


st.header("Keep this", anchor="keep-this")
ui.confirmation("qs_keep")
if kept:
    st.success(f"This screen is the project “{ui.esc(kept[2])}”; it is open now.")
    st.page_link("pages/2_Data.py", label="Step 2 · Data: review the mapping", icon=":material/tune:")
    st.page_link("pages/3_Identify_Gaps.py", label="Step 3 · Identify gaps: the full screen and statements", icon=":material/search:")
elif ui.can_create():
    # with no gap listed, what can be kept are the largest differences below the thresholds (`quick.nearest`)
    st.markdown("Make it a full project in one click: the data, the mapping and the "
                + ("differences" if quick.nearest else "gaps") + " you tick below are carried over."
                if quick.listed else "Make it a full project in one click: the data and the mapping are carried over.")
    st.text_input("Project name", value=quick.project.name, key="qs_name")
    for i, gap in enumerate(quick.listed):
        st.checkbox(f"Carry over as a {'' if quick.nearest else 'gap '}statement: {gap.title}",
                    key=f"qs_pick_{quick.digest}_{i}")
    st.button("Keep this", type="primary", key="qs_keep", on_click=_keep, args=(quick,))

left, right = st.columns(2)
with left:
    ui.report_button("Download one-pager (PDF)", partial(gap_reports.one_pager, quick),
                     "quick-screen.pdf", key="qs_pdf")
with right:
    ui.report_button("Download the screen (CSV)", partial(gap_table.screen_csv, quick), "quick-screen.csv",
                     key="qs_csv")
ui.done()
