"""Step 7 · Monitoring: reviews, progress against baseline and target, plan revisions."""

import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st

from successgaps import ui
from successgaps.models import StepReview
from successgaps.outputs import charts, plan_reports
from successgaps.process import monitoring, schedule

project = ui.page("Monitoring", step=7)
ui.focus_banner(project)
member_names = {m.id: m.name for m in project.members}
steps = monitoring.ordered_steps(project)
STATUS = list(monitoring.STATUS_LABELS)


def _review(p, review_id):
    return next(r for r in p.reviews if r.id == review_id)


def _review_label(r) -> str:
    return f"{r.date:%B %-d, %Y} · {monitoring.REVIEW_KINDS[r.kind]}"


def _set_review_field(p, review_id, field, key):
    setattr(_review(p, review_id), field, st.session_state[key])


def _set_step_status(p, review_id, step_id, field, key):
    review = _review(p, review_id)
    entry = next((s for s in review.steps if s.step_id == step_id), None)
    if entry is None:
        entry = StepReview(step_id=step_id)
        review.steps.append(entry)
    setattr(entry, field, st.session_state[key])


def _record(p, review_id):
    monitoring.record_review(p, _review(p, review_id))
    ui.flash("Review recorded; each action step now shows the status given at the review.", at="mon_record")


def _generate(p):
    added = monitoring.apply_schedule(p, monitoring.review_schedule(
        p, full_team_months=st.session_state["mon_team_every"], check_in_months=st.session_state["mon_check_every"]))
    ui.flash(f"Scheduled {added} reviews; reviews already held were kept.", at="mon_schedule")


def _add_review(p):
    day = st.session_state["mon_new_date"]
    review = monitoring.blank_review(p, day, st.session_state["mon_new_kind"])
    p.reviews = sorted(p.reviews + [review], key=lambda r: r.date)


def _move_review(p, review_id, date_key):
    review = schedule.move_review(p, review_id, st.session_state.get(date_key))
    ui.flash(f"The review is now on {review.date:%A, %B %-d, %Y}" + (" — and so is its meeting in step 1's "
             "meeting plan." if review.meeting_id else "."), at="mon_move")


def _revise(p):
    kind, item_id = st.session_state["mon_rev_item"]
    field = st.session_state["mon_rev_field"]
    value = st.session_state.get("mon_rev_value")
    monitoring.revise(p, kind, item_id, field, value, st.session_state.get("mon_rev_why", ""),
                      review_id=st.session_state.get("mon_rev_review") or "")
    st.session_state["mon_rev_why"] = ""
    ui.flash("The change is in the plan and in its history below.", at="mon_revise")


# ---------------------------------------------------------------- progress
con = ui.store().cursor()
progress = [monitoring.goal_progress(con, project, g) for g in project.goals]


def _show_progress(item):
    st.markdown(f"### {ui.esc(item.goal.text or item.goal.metric or 'Goal')}")
    st.markdown(item.sentence)
    if item.points:
        st.plotly_chart(charts.progress_figure(item), key=f"mon_chart_{item.goal.id}")
        ui.tables.show(_points(item), key=f"mon_points_{item.goal.id}", static=True)  # the chart's figures


def _points(item) -> pd.DataFrame:
    """The chart's figures, as a table."""
    return pd.DataFrame(monitoring.figure_rows(item.goal, item.points),
                        columns=["Year", "Value", "95% interval", "Students (n)"]).replace("", None)


upcoming = monitoring.next_review(project)
NEXT_REVIEW = (f"**Next review:** {upcoming.date:%A, %B %-d, %Y} "
               f"({monitoring.REVIEW_KINDS[upcoming.kind].lower()})") if upcoming else ""
NO_GOALS = "The plan has no goals yet: write them in step 6."


alerts = monitoring.step_alerts(project) + monitoring.goal_alerts(progress)


def _alerts_slide(title: str, part: list) -> None:
    st.header(title)
    for alert in part:
        st.warning(alert.sentence)
    if not alerts:
        st.caption("No overdue steps, and no step was behind at two reviews running.")


def _goal_slide(item) -> None:
    st.header(item.goal.text or item.goal.metric or "Goal")
    st.markdown(item.sentence)
    if item.points:
        figure = charts.progress_figure(item)
        figure.update_layout(height=300)  # the sentence above, on 720 px; its figures on the next slide
        st.plotly_chart(figure, key=f"mon_chart_{item.goal.id}")


def _figures_slide(item) -> None:
    st.header(f"{item.goal.text or item.goal.metric or 'Goal'}: the figures")
    ui.tables.show(_points(item), key=f"mon_points_{item.goal.id}", static=True)
    st.caption("Each value is recomputed from the data set by the gap engine. Intervals: 95%.")


if ui.presenting():  # the shared screen: the alerts, each goal's progress and then its figures, the review schedule
    deck = [(title, partial(_alerts_slide, title, part)) for title, part in
            ui.slide_parts("Alerts", alerts, 10, lambda a: ui.lines(a.sentence, 100) + 1)]
    for item in progress:
        name = item.goal.text or item.goal.metric or "Goal"
        deck.append((name, partial(_goal_slide, item)))
        if item.points:
            deck.append((f"{name}: the figures", partial(_figures_slide, item)))
    if not progress:
        deck.append(("Progress toward our goals", partial(ui.paragraph_slide, "Progress toward our goals",
                                                          [(st.caption, NO_GOALS)])))
    if project.reviews:
        deck += ui.table_slides("Review schedule", monitoring.review_table(project), 7, "mon_reviews_slide",
                                after=partial(st.markdown, NEXT_REVIEW) if NEXT_REVIEW else None)
    ui.slides(deck, lambda slide: slide[1](), label=lambda slide: slide[0])
    ui.done()
    st.stop()

# ---------------------------------------------------------------- alerts
st.header("Alerts")
if alerts:
    for alert in alerts:
        st.warning(alert.sentence)
else:
    st.caption("No overdue steps, and no step was behind at two reviews running.")

# ---------------------------------------------------------------- progress
st.header("Progress toward our goals")
if not progress:
    st.caption(NO_GOALS)
else:
    for item in progress:
        _show_progress(item)
    st.caption("Each value is recomputed from the data set by the gap engine; add next year's file in step 2 "
               "to see the change. Bars are 95% intervals.")

# ---------------------------------------------------------------- review schedule
st.header("Review schedule")
if NEXT_REVIEW:
    st.markdown(NEXT_REVIEW)
if project.reviews:
    ui.tables.show(monitoring.review_table(project), key="mon_reviews_table")
else:
    st.caption("No reviews scheduled yet.")
with ui.form_box("Schedule reviews", key="mon_schedule_box", open_first=not project.reviews):
    c1, c2 = st.columns(2)
    c1.number_input("Full-team review every … months", 1, 12, 3, key="mon_team_every")
    c2.number_input("Implementers check-in every … months (first six months)", 1, 6, 1, key="mon_check_every")
    st.button("Generate the schedule from the plan's dates", on_click=ui.edit, args=(_generate,),
              kwargs={"at": "mon_schedule"})
    ui.confirmation("mon_schedule")
    c1, c2, c3 = st.columns([2, 2, 1])
    c1.date_input("Or add one review on", value=dt.date.today(), key="mon_new_date")
    c2.selectbox("Kind", ["full_team", "implementers"], key="mon_new_kind",
                 format_func=monitoring.REVIEW_KINDS.get)
    c3.button("Add review", on_click=ui.edit, args=(_add_review,))
to_move = [r for r in project.reviews if not r.held]
if to_move:
    with st.expander("Move a review", key="mon_move_box", on_change="rerun"):
        st.caption("The review meetings of step 1's meeting plan are the same reviews: moving one here moves "
                   "that meeting too, and moving the meeting there moves its review.")
        c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
        pick = c1.selectbox("Review", [r.id for r in to_move], key="mon_move_pick",
                            format_func=lambda rid: _review_label(_review(project, rid))
                            + (" · step 1's meeting plan" if _review(project, rid).meeting_id else ""))
        day = _review(project, pick).date
        date_key = f"mon_move_date_{pick}_{day}"  # a new key once moved (here or in step 1): shows the new date
        c2.date_input("New date", value=day, key=date_key, format="YYYY-MM-DD")
        c3.button("Move", on_click=ui.edit, args=(_move_review, pick, date_key), kwargs={"at": "mon_move"})
        ui.confirmation("mon_move")

# ---------------------------------------------------------------- recording a review
st.header("Record a review")
open_reviews = [r for r in project.reviews if not r.held]
if not project.steps:
    st.info("The plan has no action steps yet: add them in step 6, then review them here.")
elif not open_reviews:
    st.caption("Schedule a review above to record it.")
else:
    review = st.selectbox("Review", open_reviews, key="mon_review_pick", format_func=_review_label)
    review = next(r for r in project.reviews if r.id == review.id)
    rid = review.id
    st.multiselect("Who attended", list(member_names), default=review.attendees, key=f"mon_att_{rid}",
                   format_func=member_names.get, on_change=ui.edit,
                   args=(_set_review_field, rid, "attendees", f"mon_att_{rid}"))
    by_step = {s.step_id: s for s in review.steps}
    for step in steps:
        entry = by_step.get(step.id) or StepReview(step_id=step.id, status=step.status)
        c1, c2, c3, c4 = st.columns([3, 2, 3, 3])
        owner = member_names.get(step.owner_id, "no owner")
        c1.markdown(f"**{ui.esc(step.text or 'Untitled step')}**  \n{ui.esc(owner)} · due {step.due or '—'}")
        for col, field, widget in ((c2, "status", "select"), (c3, "note", "text"), (c4, "evidence", "text")):
            key = f"mon_{field}_{rid}_{step.id}"
            if widget == "select":
                col.selectbox("Status", STATUS, index=STATUS.index(entry.status), key=key,
                              format_func=monitoring.STATUS_LABELS.get, on_change=ui.edit,
                              args=(_set_step_status, rid, step.id, field, key))
            else:
                col.text_input(field.capitalize(), value=getattr(entry, field), key=key, on_change=ui.edit,
                               args=(_set_step_status, rid, step.id, field, key))
    for field, label in (("fidelity", "Fidelity of implementation: are the steps done as planned?"),
                         ("challenges", "New challenges"), ("decisions", "Decisions")):
        key = f"mon_{field}_{rid}"
        st.text_area(label, value=getattr(review, field), key=key, on_change=ui.edit,
                     args=(_set_review_field, rid, field, key))
    st.button("Record this review as held", type="primary", on_click=ui.edit, args=(_record, rid),
              kwargs={"at": "mon_record"})
    ui.confirmation("mon_record")

# ---------------------------------------------------------------- revisions
st.header("Plan revisions")
if project.goals or project.steps:
    with st.expander("Change a goal or an action step", key="mon_revise_box", on_change="rerun"):
        items = [("goal", g.id) for g in project.goals] + [("step", s.id) for s in steps]
        names = {("goal", g.id): f"Goal: {g.text or 'untitled'}" for g in project.goals}
        names |= {("step", s.id): f"Step: {s.text or 'untitled'}" for s in steps}
        kind, item_id = st.selectbox("What changes", items, format_func=names.get, key="mon_rev_item")
        field = st.selectbox("Which part", monitoring.REVISABLE[kind], key="mon_rev_field",
                             format_func=lambda f: f.replace("_", " ").replace("owner id", "owner"))
        if field in {"target_date", "start", "due"}:
            st.date_input("New value", key="mon_rev_value")
        elif field == "target":
            st.number_input("New value", key="mon_rev_value", step=0.5)
        elif field == "owner_id":
            st.selectbox("New value", list(member_names), format_func=member_names.get, key="mon_rev_value")
        elif field == "status":
            st.selectbox("New value", STATUS, format_func=monitoring.STATUS_LABELS.get, key="mon_rev_value")
        else:
            st.text_input("New value", key="mon_rev_value")
        st.text_input("Why", key="mon_rev_why")
        held = [r for r in project.reviews if r.held]
        st.selectbox("Decided at", [""] + [r.id for r in held], key="mon_rev_review",
                     format_func=lambda rid: "—" if not rid else f"Review of {_review(project, rid).date:%B %-d, %Y}")
        st.button("Apply the change", on_click=ui.edit, args=(_revise,), kwargs={"at": "mon_revise"})
        ui.confirmation("mon_revise")
log = monitoring.history(project)
if log:
    ui.tables.show(pd.DataFrame(log), key="mon_history_table")
else:
    st.caption("No changes to the plan yet.")
ui.report_button("Progress report (PDF)", partial(plan_reports.progress_report, project, con), "progress-report.pdf")
ui.done()
