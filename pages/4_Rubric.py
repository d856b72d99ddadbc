"""Step 4 · Rubric: each member rates the Indicators of Success alone, then the team agrees with evidence."""

from functools import partial

import streamlit as st

from successgaps import ui
from successgaps.models import LEVEL_LABELS, LEVELS
from successgaps.outputs import plan_reports, spreadsheet
from successgaps.process import rating_workbook, rubric, rubric_file

GROUP = "__group__"  # the "who is rating" choice for a small group
LARGE_TYPE = """<style>
.st-key-rub_levels p, .st-key-rub_levels li { font-size: 1.3rem; line-height: 1.5; }
.st-key-rub_levels h3 { font-size: 1.5rem; }
.st-key-rub_questions li { font-size: 1.2rem; }
</style>"""

project = ui.page("Rubric", step=4)
ui.focus_banner(project)
book = rubric.load_rubric(project)
area_title = {a.id: a.title for a in book.areas}


def _save_rating(p, who, indicator_id, prefix):
    s = st.session_state
    rubric.set_rating(p, who, indicator_id, s[prefix + "level"], s[prefix + "note"], s[prefix + "evidence"])


def _save_consensus(p, indicator_id, prefix):
    s = st.session_state
    rubric.set_consensus(p, indicator_id, s[prefix + "level"], s[prefix + "evidence"], s[prefix + "needs"])


def _apply_workbook(p, who, ratings):
    saved = rating_workbook.apply_ratings(p, who, ratings)
    for key in [k for k in st.session_state if str(k).startswith(f"rub_r_{who}_")]:
        del st.session_state[key]  # the rating widgets show the saved ratings on the next run
    st.session_state["rub_upload_n"] = st.session_state.get("rub_upload_n", 0) + 1
    ui.flash(f"Saved {saved} ratings from the workbook as {rubric.rater_name(p, who)}'s.", at="rub_workbook")


def _move(order, step):
    current = order.index(st.session_state["rub_fac_ind"])
    st.session_state["rub_fac_ind"] = order[(current + step) % len(order)]


def _indicator(ind_id: str, order: list[str], flagged: set) -> None:
    """One indicator, large enough for a shared screen: its four levels, members' own ratings under each,
    the team's consensus and evidence (the slide while presenting; the top of the facilitator view)."""
    if not ui.presenting():  # presentation mode has its own type sizes (ui.theme)
        st.markdown(LARGE_TYPE, unsafe_allow_html=True)
    ind, area = book.indicator(ind_id), book.area_of(ind_id)
    st.header(ui.esc(f"{ind.id} · {ind.title}"))
    st.caption(f"{ui.esc(area.title)} · indicator {order.index(ind_id) + 1} of {len(order)} in this area")
    if ind_id in flagged:
        st.warning("⚑ Members' own ratings differ by two levels or more: hear each view before agreeing.")
    if not ui.presenting():  # a slide keeps to the indicator; the questions are in the facilitator view
        with st.expander("Probing questions for this area"), st.container(key="rub_questions"):
            for question in area.questions:
                st.markdown(f"- {ui.esc(question)}")
    counts = rubric.spread(project, ind_id)
    agreed = rubric.consensus_of(project, ind_id)
    with st.container(key="rub_levels"):
        for column, level in zip(st.columns(4), LEVELS):
            with column.container(border=True):
                st.subheader(LEVEL_LABELS[level])
                st.markdown(ind.levels[level])
                st.caption(f"Members' own ratings here: **{counts[level]}**")
                if agreed and agreed.level == level:
                    st.success("✓ Team consensus")
    if ui.presenting() and agreed and agreed.evidence:
        st.markdown(f"**Evidence:** {agreed.evidence}")


def _area_order() -> tuple[str, list[str]]:
    default_area = rubric.assigned_areas(project)[0]
    area_id = st.session_state.get("rub_fac_area") if st.session_state.get("rub_fac_area") in area_title else default_area
    return area_id, rubric.discussion_order(project, area_id)


def present() -> None:
    """The area the facilitator chose, one indicator per slide, biggest disagreements first; nothing to edit."""
    area_id, order = _area_order()
    flagged = set(rubric.disagreements(project))
    ui.slides(order, lambda i: _indicator(i, order, flagged),
              label=lambda i: ("⚑ " if i in flagged else "") + area_title[area_id])


def facilitator_view():
    """One indicator at a time, large enough for a shared screen, with the consensus to record."""
    left, right = st.columns([2, 3])
    area_id, _ = _area_order()
    area_id = left.selectbox("Area", list(area_title), index=list(area_title).index(area_id),
                             format_func=area_title.get, key="rub_fac_area", persist_state="session")
    order = rubric.discussion_order(project, area_id)
    if st.session_state.get("rub_fac_ind") not in order:
        st.session_state["rub_fac_ind"] = order[0]
    flagged = set(rubric.disagreements(project))
    right.selectbox("Indicator (members' biggest disagreements first)", order, key="rub_fac_ind",
                    format_func=lambda i: f"{'⚑ ' if i in flagged else ''}{i} · {book.indicator(i).title}")
    ind_id = st.session_state["rub_fac_ind"]
    _indicator(ind_id, order, flagged)
    agreed = rubric.consensus_of(project, ind_id)

    prefix = f"rub_con_{ind_id}_"
    st.radio("Team consensus rating", LEVELS, format_func=LEVEL_LABELS.get, horizontal=True,
             index=LEVELS.index(agreed.level) if agreed and agreed.level else None, key=prefix + "level",
             on_change=ui.edit, args=(_save_consensus, ind_id, prefix))
    evidence, needs = st.columns(2)
    evidence.text_area("Evidence that supports the rating", value=agreed.evidence if agreed else "",
                       key=prefix + "evidence", on_change=ui.edit, args=(_save_consensus, ind_id, prefix))
    needs.text_area("What we need to find out before next meeting", value=agreed.needs if agreed else "",
                    key=prefix + "needs", on_change=ui.edit, args=(_save_consensus, ind_id, prefix))
    back, forward = st.columns(2)
    back.button("← Previous indicator", on_click=_move, args=(order, -1), width="stretch")
    forward.button("Next indicator →", on_click=_move, args=(order, 1), width="stretch")


if ui.presenting():
    present()
    ui.done()
    st.stop()
status = rubric.progress(project)
st.progress(status.consensus / status.indicators, text=status.sentence())

source = "loaded from a file" if rubric.is_custom(project) else "shipped with the app"
st.caption(f"Rubric: **{book.title}**, version {book.version} ({source}) — {len(book.areas)} areas, "
           f"{status.indicators} indicators.")
ui.tables.show(rubric.progress_table(project), key="rub_progress_table", static=True)

mine, consensus, facilitate, files = st.tabs(key="rub_tab", bind="query-params", tabs=["My ratings", "Team consensus", "Facilitator view",
                                              "Export and rubric file"])

with mine:
    if not project.members:
        st.warning("Your team has no members yet, so nobody can rate on their own. Add the team in step 1; "
                   "meanwhile a small group can rate here.")
        st.page_link("pages/1_Team_and_Meetings.py", label="Go to step 1 · Team and meetings", icon=":material/group:")
    names = {m.id: m.name for m in project.members}
    if ui.member_id(project) in names and "rub_who" not in st.session_state:  # team server: yourself first
        st.session_state["rub_who"] = ui.member_id(project)
    choice = st.selectbox("Who is rating?", [*names, GROUP], index=None, placeholder="Pick your name",
                          format_func=lambda i: names.get(i, "A small group"), key="rub_who")
    who = None
    if choice == GROUP:
        group = st.text_input("Small group name", key="rub_group", placeholder="Group A",
                              help="Small groups rate together before the whole team reaches consensus.")
        if rubric.group_names(project):
            st.caption("Small groups so far: " + ", ".join(rubric.group_names(project)))
        who = rubric.group_id(group) if group.strip() else None
    elif choice:
        who = choice
    assigned = rubric.assigned_areas(project)
    areas = st.multiselect("Sections to rate", list(area_title), default=assigned, format_func=area_title.get,
                           key="rub_areas", help="Preset to the areas of the next rubric meeting in the plan.")
    if who is None:
        st.info("Pick your name (or name your small group) to rate.")
    else:
        rated, total = rubric.rated_count(project, who, areas)
        st.markdown(f"**{ui.esc(rubric.rater_name(project, who))}** has rated {rated} of {total} indicators in these sections.")
        if not rubric.is_group(who):
            with st.expander("Rate offline with a workbook (.xlsx)", key="rub_workbook_box", on_change="rerun"):
                ui.confirmation("rub_workbook")
                st.download_button("Download my rating workbook", rating_workbook.rating_workbook(project, who, areas),
                                   file_name=f"rubric-{names[who]}.xlsx".replace(" ", "-"), key="rub_wb_down",
                                   mime=ui.XLSX_MIME)
                upload = st.file_uploader("Upload my filled-in workbook", type=["xlsx"],
                                          key=f"rub_upload_{st.session_state.get('rub_upload_n', 0)}")
                if upload is not None:
                    ratings, problems = rating_workbook.read_rating_workbook(project, upload.getvalue(), who)
                    for problem in problems:
                        st.warning(problem)
                    if ratings:
                        st.button(f"Save these {len(ratings)} ratings as {names[who]}'s", type="primary",
                                  key="rub_wb_save", on_click=ui.edit, args=(_apply_workbook, who, ratings))
        for area_id in areas:
            area = book.area(area_id)
            st.header(area.title)
            st.caption(area.summary)
            for ind in area.indicators:
                given = rubric.rating(project, who, ind.id)
                prefix = f"rub_r_{who}_{ind.id}_"
                with st.container(border=True):
                    st.markdown(f"**{ui.esc(ind.id)} · {ui.esc(ind.title)}**")
                    st.radio("Rating: which description fits best?", LEVELS, format_func=LEVEL_LABELS.get,
                             captions=[ui.esc(ind.levels[level]) for level in LEVELS], key=prefix + "level",
                             index=LEVELS.index(given.level) if given and given.level else None,
                             on_change=ui.edit, args=(_save_rating, who, ind.id, prefix))
                    note, evidence = st.columns(2)
                    note.text_area("Note", value=given.note if given else "", key=prefix + "note", height=80,
                                   on_change=ui.edit, args=(_save_rating, who, ind.id, prefix))
                    evidence.text_area("Evidence", value=given.evidence if given else "", key=prefix + "evidence",
                                       height=80, on_change=ui.edit, args=(_save_rating, who, ind.id, prefix))

with consensus:
    pick = st.selectbox("Area", [None, *area_title], format_func=lambda a: area_title.get(a, "All areas"),
                        key="rub_con_area")
    flagged = rubric.disagreements(project)
    if flagged:
        st.warning(f"⚑ Members' own ratings differ by two levels or more on {ui.esc(', '.join(flagged))}: "
                   "discuss these first.")
    else:
        st.caption("No indicator has members' own ratings two levels or more apart.")
    overview = rubric.consensus_table(project, pick)
    ui.tables.show(overview, key="rub_consensus_table",
                   columns=[c for c in overview.columns if c != "Indicator id" and not c.startswith("Small group")
                            and c not in ("Consensus evidence", "What we need to find out")])
    st.caption("Enter the consensus rating, its evidence and what the team still needs to find out "
               "in the Facilitator view, one indicator at a time.")

with facilitate:
    facilitator_view()

with files:
    st.header("Export all ratings")
    ui.report_button("Rubric report (PDF)", partial(plan_reports.rubric_report, project), "rubric-report.pdf")
    table = rubric.export_table(project)
    left, right = st.columns(2)
    left.download_button("Download CSV", ui.audited(spreadsheet.csv_bytes(table), "rubric-ratings.csv"),
                         file_name="rubric-ratings.csv", mime="text/csv", key="rub_csv", on_click="ignore")
    right.download_button("Download Excel (.xlsx)", ui.audited(spreadsheet.workbook({"Rubric ratings": table}),
                                                                "rubric-ratings.xlsx"),
                          file_name="rubric-ratings.xlsx", mime=ui.XLSX_MIME, key="rub_xlsx", on_click="ignore")

    st.header("Use your own rubric")
    st.markdown("A state or district can rate with its own version of the rubric: start from the shipped file, "
                "keep its shape, ids and the four levels, and change the `version` when the wording changes.")
    st.download_button("Download the shipped rubric (TOML) as a template", rubric_file.default_rubric_text(),
                       file_name="rubric.toml", mime="application/toml", key="rub_template")
    uploaded = st.file_uploader("Rubric file (.toml)", type=["toml"], key="rub_custom")
    ui.confirmation("rub_custom")
    if uploaded is not None and st.button("Use this rubric", key="rub_custom_use"):
        try:
            custom = rubric_file.read_rubric_file(uploaded.getvalue())
        except rubric_file.RubricFileError as exc:
            st.error("The rubric was not loaded; fix these problems and load it again:\n\n"
                     + "\n".join(f"- {ui.esc(p)}" for p in exc.problems))
        else:
            if ui.edit(rubric.use_rubric, custom):
                ui.flash(f"The team now rates with “{custom.title}”, version {custom.version}.", at="rub_custom")
            st.rerun()
    if source == "loaded from a file" and st.button("Go back to the shipped rubric", key="rub_default"):
        if ui.edit(rubric.use_default_rubric):
            ui.flash("The team now rates with the rubric shipped with the app.", at="rub_custom")
        st.rerun()

ui.done()
