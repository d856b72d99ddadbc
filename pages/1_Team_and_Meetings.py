"""Step 1 · Team and meetings: who is at the table, the meeting plan, agendas, norms, homework,
attendance and notes, and meeting evaluations. Everything is saved as it is typed."""

import datetime as dt
from functools import partial

import streamlit as st

from successgaps import ui
from successgaps.outputs import charts, meeting_packet
from successgaps.process import agendas, meetings, team

project = ui.page("Team and meetings", step=1)
ui.focus_banner(project)
editing = not ui.presenting()
state = st.session_state
names = team.names(project)


def key(name: str) -> str:
    """Widgets that show saved values are keyed by the revision, so every save redraws them from the store."""
    return f"team_{name}_{project.revision}"


def bound(name: str, fn, *args) -> dict:
    """A widget showing a saved value: its revision key, and an on_change saving `fn(project, *args, value)`."""
    k = key(name)
    return {"key": k, "on_change": _edit, "args": (fn, *args), "kwargs": {"value_key": k}}


def _edit(fn, *args, value_key: str = "", ok: str = "", at: str | None = None):
    """Run `fn(project, *args[, value of the widget value_key])` and autosave; bad input gets its sentence,
    beside the control when `at` names its `ui.confirmation` place."""
    ui.edit(fn, *args, *([state[value_key]] if value_key else []), ok=ok, at=at)


def _hhmm(value: dt.time | None) -> str:
    return f"{value:%H:%M}" if value else ""


# ---------------------------------------------------------------- callbacks: team


def _add_member(p):
    member = team.add_member(p, state["team_new_name"], state["team_new_role"], state["team_new_category"],
                             state["team_new_email"], state["team_new_agreed"])
    state["team_new_name"] = state["team_new_role"] = state["team_new_email"] = ""
    state["team_new_agreed"] = False
    ui.flash(f"{member.name} is on the roster; the coverage check above is updated.", at="team_add")


def _update_member(p, member_id, keys):
    team.update_member(p, member_id, **{field: state[k] for field, k in keys.items()})


def _set_facilitator(p, name):
    p.facilitator = name.strip()


# ---------------------------------------------------------------- callbacks: meetings


def _make_plan(p):
    made = meetings.make_plan(p, state["team_plan_length"], state["team_plan_first"],
                              time=_hhmm(state["team_plan_time"]), place=state["team_plan_place"],
                              every_weeks=state["team_plan_every"], reviews=state["team_plan_reviews"])
    ui.flash(f"Planned {len(meetings.working_meetings(p))} meetings to reach the action plan, "
             f"then {len(made) - len(meetings.working_meetings(p))} reviews.", at="team_plan")


def _update_meeting(p, meeting_id, field, value):
    if field == "time":
        value = _hhmm(value)
    elif field == "objectives":
        value = value.splitlines()
    meetings.update_meeting(p, meeting_id, **{field: value})


def _add_meeting(p):
    meetings.add_meeting(p, state["team_add_date"], time=_hhmm(state["team_add_time"]),
                         length_minutes=state["team_add_length"], place=state["team_add_place"],
                         title=state["team_add_title"], kind=state["team_add_kind"])
    ui.flash("The meeting is added at the end of the plan.", at="team_add_meeting")


def _add_homework(p, meeting_id):
    meetings.add_homework(p, meeting_id, state["team_hw_text"], state["team_hw_who"], state["team_hw_due"])
    state["team_hw_text"] = ""


def _add_evaluation(p, meeting_id):
    scores = {q: state[f"team_ev_{q}"] for q in meetings.QUESTIONS}
    meetings.add_evaluation(p, meeting_id, scores, state["team_ev_comment"], state["team_ev_who"])
    for q in meetings.QUESTIONS:
        state[f"team_ev_{q}"] = None
    state["team_ev_comment"] = ""
    ui.flash("Thank you — the evaluation is saved.", at="team_evaluation")


def _missing_slide():
    st.header("Who is missing")
    for warning in team.coverage_warnings(project):
        st.warning(warning, icon=":material/warning:")


def _team_slide():
    st.header("Who is at the table")
    ui.tables.show(team.coverage_table(project), key="team_coverage_slide", columns=["Who", "Status", "Members"])


def _roster_slide():
    st.header("Our team")
    ui.tables.show(team.roster_table(project), key="team_roster_slide",
                   columns=["Name", "Role", "Stakeholder category", "Agreed to join"])


def _agenda_link():
    st.page_link(ui.MEETING_PAGE, label="Each meeting's agenda, slide by slide: Meeting view",
                 icon=":material/slideshow:", query_params={"present": "1"})


if not editing:  # presenting: the team, who is missing, the meetings; each meeting's agenda is in the Meeting view
    deck = ([("Who is missing", _missing_slide)] if team.coverage_warnings(project) else []) + [
        ("Who is at the table", _team_slide)]  # the warnings and the table of seven roles: a slide each
    if project.members:
        deck.append(("Our team", _roster_slide))
    if project.meetings:  # seven meetings a slide
        deck += ui.table_slides("Our meetings", meetings.plan_table(project), 7, "team_plan_slide",
                                columns=["Meeting", "Title", "When", "Where"], after=_agenda_link)
    ui.slides(deck, lambda slide: slide[1](), label=lambda slide: slide[0])
    ui.done()
    st.stop()

tab_team, tab_invite, tab_norms, tab_plan, tab_meeting = st.tabs(  # kept across saves and in the address
    ["Team", "Invitations", "Norms", "Meeting plan", "Each meeting"], key="team_tab", bind="query-params")

# ---------------------------------------------------------------- team and coverage
with tab_team:
    st.header("Who is at the table")
    for warning in team.coverage_warnings(project):
        st.warning(warning, icon=":material/warning:")
    missing = team.missing(project)
    if missing:
        st.markdown("**Still missing:** " + "; ".join(c.label for c in missing) + ".")
    else:
        st.success("Every stakeholder group has someone at the table.")
    ui.tables.show(team.coverage_table(project), key="team_coverage_table", static=True)

    st.header("Team roster")
    if project.members:
        ui.tables.show(team.roster_table(project), key="team_roster_table",
                       columns=["Name", "Role", "Stakeholder category", "Agreed to join"])
    else:
        st.caption("Nobody on the roster yet.")

    if editing:
        with st.form("team_add_form"):
            st.markdown("**Add a member**")
            c1, c2 = st.columns(2)
            c1.text_input("Name", key="team_new_name")
            c2.text_input("Role or title", key="team_new_role", placeholder="Parent, 9th grade English teacher, …")
            c1.selectbox("Stakeholder category", list(team.CATEGORIES), format_func=team.category_label,
                         key="team_new_category")
            c2.text_input("Email (optional)", key="team_new_email")
            st.checkbox("Has agreed to join", key="team_new_agreed")
            st.form_submit_button("Add to the team", type="primary", on_click=_edit, args=(_add_member,),
                                  kwargs={"at": "team_add"})
        ui.confirmation("team_add")

    if editing and project.members:
        with st.expander("Change or remove a member", key="team_member_box", on_change="rerun"):
            chosen = st.selectbox("Member", list(names), format_func=names.get, key="team_edit_member")
            member = project.member(chosen)
            if member is not None:
                c1, c2 = st.columns(2)
                keys = {field: key(f"{field}_{member.id}") for field in ("name", "role", "category", "email", "agreed")}
                c1.text_input("Name", member.name, key=keys["name"])
                c2.text_input("Role or title", member.role, key=keys["role"])
                c1.selectbox("Stakeholder category", list(team.CATEGORIES), format_func=team.category_label,
                             index=list(team.CATEGORIES).index(member.category), key=keys["category"])
                c2.text_input("Email (optional)", member.email, key=keys["email"])
                st.checkbox("Has agreed to join", member.agreed, key=keys["agreed"])
                b1, b2 = st.columns(2)
                b1.button("Save changes", on_click=_edit, args=(_update_member, member.id, keys),
                          kwargs={"ok": "Changes saved."})
                b2.button(f"Remove {member.name} from the team", on_click=_edit,
                          args=(team.remove_member, member.id), kwargs={"ok": f"{member.name} was removed."})

# ---------------------------------------------------------------- invitations
with tab_invite:
    st.header("Invitations")
    if not project.members:
        st.info("Add members on the Team tab first; each gets a drafted invitation here.")
    else:
        if editing:
            st.text_input("Signed by (the facilitator)", project.facilitator, **bound("facilitator", _set_facilitator))
        chosen = st.selectbox("Invitation for", list(names), format_func=names.get, key="team_inv_member")
        member = project.member(chosen)
        if member is not None:
            letter = team.invitation(project, member)
            st.caption(f"Subject: {ui.esc(team.invitation_subject(project))}")
            if editing:  # the letter once: edit it here, copy it from here (or open it in the email app)
                st.text_area("Invitation (edit freely; saved as you leave the box)", letter, height=420,
                             **bound(f"inv_{member.id}", team.set_invitation, member.id))
            else:
                with st.container(border=True):
                    st.markdown(ui.esc(letter).replace("\n", "  \n"))
            c1, c2, c3 = st.columns(3)
            if member.email:
                c1.link_button("Open in my email app", team.mailto_link(project, member), icon=":material/mail:")
            else:
                c1.caption("Add an email address on the Team tab to open this in your email app.")
            c2.download_button("Download the invitation", letter, file_name=meetings.file_stem(
                project, f"invitation {member.name}") + ".txt", mime="text/plain", on_click="ignore")
            if member.invitation and editing:
                c3.button("Go back to the draft", on_click=_edit,
                          args=(team.set_invitation, member.id, ""))

# ---------------------------------------------------------------- norms
with tab_norms:
    st.header("Our norms")
    st.caption("Shown at the top of every agenda.")
    current_norms = meetings.norms(project)
    if editing:
        st.text_area("One norm per line (edit, add, or remove)", "\n".join(current_norms), height=260,
                     **bound("norms", meetings.set_norms))
        if project.norms:
            st.button("Restore the default norms", on_click=_edit, args=(meetings.set_norms, "\n".join(meetings.DEFAULT_NORMS)))
    else:
        st.markdown("\n".join(f"- {ui.esc(n)}" for n in current_norms))

# ---------------------------------------------------------------- meeting plan
with tab_plan:
    st.header("Meeting plan")
    st.caption("Meeting 1 gets the team started; then the rubric, area by area; then root causes, priorities and "
               "the action plan; then the full team reviews progress a few times a year (the people carrying out "
               "the plan meet monthly at first, in step 7). Longer meetings combine steps, so there are fewer.")
    if editing:
        with st.form("team_plan_form"):
            c1, c2, c3 = st.columns(3)
            lengths = list(meetings.LENGTHS)
            length = project.meeting_length_minutes
            c1.selectbox("Each meeting lasts", lengths, format_func=meetings.length_label, key="team_plan_length",
                         index=lengths.index(length) if length in lengths else 0)
            first = project.meetings[0] if project.meetings else None
            c2.date_input("First meeting", (first.date if first and first.date else meetings.suggested_first_date()),
                          key="team_plan_first", format="YYYY-MM-DD")
            c3.time_input("Start time", dt.time.fromisoformat(first.time if first and first.time
                                                               else meetings.default_time(length)),
                          key="team_plan_time")
            c1.number_input("Weeks between meetings", 1, 12, project.meeting_every_weeks, key="team_plan_every")
            c2.number_input("Review meetings after the action plan", 0, 12, 3, key="team_plan_reviews")
            c3.text_input("Place or video link", first.place if first else "", key="team_plan_place")
            label = "Make a new plan (replaces the planned meetings)" if project.meetings else "Make the meeting plan"
            st.form_submit_button(label, type="primary", on_click=_edit, args=(_make_plan,), kwargs={"at": "team_plan"})
        ui.confirmation("team_plan")

    if project.meetings:
        ui.tables.show(meetings.plan_table(project), key="team_plan_table")
        st.download_button("Download the calendar (.ics)", meetings.to_ics(project),
                           file_name=meetings.file_stem(project, "meetings") + ".ics", mime="text/calendar",
                           on_click="ignore", icon=":material/event:")
    else:
        st.info("No meetings planned yet: choose the meeting length and the first date, then make the plan.")

    if editing and project.meetings:
        with st.expander("Change or remove a meeting", key="team_meeting_box", on_change="rerun"):
            labels = meetings.labels(project)
            chosen = st.selectbox("Meeting", list(labels), format_func=labels.get, key="team_plan_meeting")
            m = next((x for x in project.meetings if x.id == chosen), None)
            if m is not None:
                st.text_input("Title", m.title, **bound(f"title_{m.id}", _update_meeting, m.id, "title"))
                c1, c2, c3 = st.columns(3)
                c1.date_input("Date", m.date, format="YYYY-MM-DD", **bound(f"date_{m.id}", _update_meeting, m.id, "date"))
                c2.time_input("Start time", dt.time.fromisoformat(m.time) if m.time else None,
                              **bound(f"time_{m.id}", _update_meeting, m.id, "time"))
                c3.number_input("Length (minutes)", meetings.MIN_LENGTH, meetings.MAX_LENGTH, m.length_minutes,
                                step=15, **bound(f"length_{m.id}", _update_meeting, m.id, "length_minutes"))
                st.text_input("Place or video link", m.place, **bound(f"place_{m.id}", _update_meeting, m.id, "place"))
                st.text_area("Objectives (one per line)", "\n".join(m.objectives), 
                             **bound(f"objectives_{m.id}", _update_meeting, m.id, "objectives"))
                st.button(f"Remove meeting {m.number}", on_click=_edit, args=(meetings.remove_meeting, m.id),
                          kwargs={"ok": "Meeting removed; the meetings after it are renumbered."})
        with st.expander("Add a meeting", key="team_add_meeting_box", on_change="rerun"):
            with st.form("team_add_meeting_form"):
                c1, c2, c3 = st.columns(3)
                c1.date_input("Date", meetings.suggested_first_date(), key="team_add_date", format="YYYY-MM-DD")
                c2.time_input("Start time", dt.time(15, 30), key="team_add_time")
                c3.selectbox("Length", list(meetings.LENGTHS), format_func=meetings.length_label,
                             key="team_add_length")
                c1.selectbox("Kind", ["monitoring", "other"], key="team_add_kind",
                             format_func={"monitoring": "Review of progress", "other": "Other team meeting"}.get)
                c2.text_input("Title (optional)", key="team_add_title")
                c3.text_input("Place or video link", key="team_add_place")
                st.form_submit_button("Add the meeting", on_click=_edit, args=(_add_meeting,),
                                      kwargs={"at": "team_add_meeting"})
            ui.confirmation("team_add_meeting")

# ---------------------------------------------------------------- each meeting
with tab_meeting:
    if not project.meetings:
        st.info("Make the meeting plan first (Meeting plan tab).")
    else:
        labels = meetings.labels(project, with_date=True)
        chosen = st.selectbox("Meeting", list(labels), format_func=labels.get, key="team_meeting")
        m = next(x for x in project.meetings if x.id == chosen) if chosen in labels else project.meetings[0]
        t_agenda, t_homework, t_notes, t_eval = st.tabs(
            ["Agenda", "Homework", "Attendance and notes", "Evaluation"], key="team_meeting_tab", on_change="rerun")

        with t_agenda:
            audience = st.radio("Agenda for", list(agendas.AUDIENCES), format_func=agendas.AUDIENCES.get,
                                horizontal=True, key="team_ag_audience")
            document = agendas.agenda_document(project, m, audience)
            if editing:
                with st.expander("Edit the timed agenda", key="team_agenda_edit_box", on_change="rerun"):
                    st.caption("The norms, objectives and homework around the timed agenda are always current; "
                               "edit the timed agenda on the left (saved as you leave the box), and read it on the "
                               "right as it will look: `**bold**` for the time lines, `- ` for a bullet.")
                    write, preview = st.columns(2)
                    timed = agendas.agenda_text(project, m, audience)
                    write.text_area("Timed agenda", timed, height=360,
                                    **bound(f"agenda_{audience}_{m.id}", agendas.set_agenda, m.id, audience))
                    preview.caption("How it will look")
                    with preview.container(border=True, height=360, key="team_agenda_preview"):
                        st.markdown(timed)
                    edited = m.facilitator_agenda if audience == "facilitator" else m.member_agenda
                    if edited:
                        st.button("Refill from the template (replaces your edits)", on_click=_edit,
                                  args=(agendas.set_agenda, m.id, audience, ""))
            st.download_button("Download this agenda", document,
                               file_name=meetings.file_stem(project, f"meeting {m.number} {audience} agenda") + ".md",
                               mime="text/markdown", on_click="ignore")
            ui.report_button("Meeting packet (PDF)", partial(meeting_packet.meeting_packet, project, m.id, ui.store().cursor()),
                             meetings.file_stem(project, f"meeting {m.number} packet") + ".pdf",
                             key=f"team_packet_{m.id}")
            with st.container(border=True):
                st.markdown(document)

        with t_homework:
            due = meetings.homework_due(project, m)
            st.markdown("**Due at this meeting** (given at the meeting before)")
            if due:
                ui.tables.show(meetings.homework_table(project, due), key=f"team_hw_due_{m.id}")
            else:
                st.caption("Nothing was due.")
            st.markdown("**Given at this meeting**")
            if m.homework:
                ui.tables.show(meetings.homework_table(project, m.homework), key=f"team_hw_given_{m.id}")
                if editing:
                    texts = {h.id: h.text for h in m.homework}
                    st.multiselect("Done", list(texts), [h.id for h in m.homework if h.done], format_func=texts.get,
                                   **bound(f"hw_done_{m.id}", meetings.set_homework_done_list, m.id))
                    gone = st.selectbox("Remove an item", list(texts), format_func=texts.get, index=None,
                                        key=key(f"hw_remove_{m.id}"), placeholder="Choose an item to remove")
                    if gone:
                        st.button("Remove it", on_click=_edit, args=(meetings.remove_homework, gone))
            else:
                st.caption("No homework given yet.")
            if editing:
                after = meetings.next_meeting(project, m)
                with st.form("team_hw_form"):
                    st.text_input("Homework", key="team_hw_text",
                                  placeholder="Rate the assessment section on your own; gather the attendance data")
                    c1, c2 = st.columns(2)
                    c1.selectbox("Who", ["everyone", *names], format_func=lambda i: names.get(i, "Everyone"),
                                 key="team_hw_who")
                    c2.date_input("Due", after.date if after else None, key="team_hw_due", format="YYYY-MM-DD")
                    st.form_submit_button("Add homework", on_click=_edit, args=(_add_homework, m.id),
                                          kwargs={"at": "team_homework"})
                ui.confirmation("team_homework")

        with t_notes:
            if editing:
                st.multiselect("Who attended", list(names), m.attendance, format_func=names.get,
                               **bound(f"attendance_{m.id}", meetings.set_attendance, m.id))
                for record, label in (("notes", "Notes"), ("decisions", "Decisions"), ("follow_ups", "Follow-ups")):
                    st.text_area(label, getattr(m, record), **bound(f"{record}_{m.id}", meetings.set_record, m.id, record))
            else:
                st.markdown("**Attended:** " + (", ".join(names.get(i, "") for i in m.attendance) or "not recorded"))
                st.markdown(f"**Decisions:** {ui.esc(m.decisions or '—')}  \n**Follow-ups:** {ui.esc(m.follow_ups or '—')}")

        with t_eval:
            if editing:
                with st.form("team_ev_form"):
                    st.markdown("**How did this meeting go?** 1 = strongly disagree … 4 = strongly agree")
                    for q, statement in meetings.QUESTIONS.items():
                        st.radio(statement, list(meetings.SCALE), index=None, horizontal=True, key=f"team_ev_{q}",
                                 format_func=lambda v: f"{v} · {meetings.SCALE[v]}")
                    st.text_area("One comment (optional)", key="team_ev_comment")
                    st.selectbox("Your name (optional; leave anonymous if you prefer)", ["", *names],
                                 format_func=lambda i: names.get(i, "Anonymous"), key="team_ev_who")
                    st.form_submit_button("Send my evaluation", on_click=_edit, args=(_add_evaluation, m.id),
                                          kwargs={"at": "team_evaluation"})
                ui.confirmation("team_evaluation")
            st.markdown(f"**Summary: {len(m.evaluations)} evaluations**")
            if m.evaluations:
                summary = meetings.evaluation_summary(m)
                st.plotly_chart(charts.evaluation_chart(summary), key=f"team_ev_chart_{m.id}")
                ui.tables.show(summary, key=f"team_ev_table_{m.id}")
                for comment in meetings.evaluation_comments(m):
                    st.markdown(f"> {ui.esc(comment)}")

ui.done()
