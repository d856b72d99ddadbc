"""Meeting view: the current meeting's agenda, slide by slide, for the facilitator's shared screen.

The toolkit's presentation shell for each meeting: who we are and why (the focus gap), our norms, the
objectives, the timed agenda, the data behind the gap, the rubric areas of the day, the homework.
Turn on presentation mode to walk it with Previous / Next or the arrow keys.
"""

import datetime as dt

import streamlit as st

from successgaps import ui
from successgaps.process import agendas, meetings, rubric

project = ui.page("Meeting view", needs_project=True, slide_page=ui.MEETING_PAGE)

if not project.meetings:
    st.info("There is no meeting plan yet: make one in step 1, Team and meetings.")
    st.page_link("pages/1_Team_and_Meetings.py", label="Go to step 1 · Team and meetings", icon=":material/groups:")
    ui.done()
    st.stop()

today = dt.date.today()
ordered = sorted(project.meetings, key=lambda m: m.number)
upcoming = [m for m in ordered if m.date and m.date >= today]
current = upcoming[0] if upcoming else ordered[-1]
labels = meetings.labels(project, with_date=True)
if ui.presenting():
    chosen = st.session_state.get("meet_view_meeting")
    meeting_id = chosen if chosen in labels else current.id
else:
    if st.session_state.get("meet_view_meeting") not in labels:
        st.session_state["meet_view_meeting"] = current.id
    meeting_id = st.selectbox("Meeting", list(labels), format_func=labels.get, key="meet_view_meeting",
                              persist_state="session",
                              help="The next meeting by date is chosen for you; pick another to rehearse it.")
m = meetings.meeting(project, meeting_id)
focus = project.focus_statement()
after = meetings.next_meeting(project, m)


def _opening():
    st.header(f"Meeting {m.number} · {m.title}")
    st.markdown(f"**When:** {meetings.meeting_when(m)}" + (f"  \n**Where:** {m.place}" if m.place else ""))
    if focus and focus.text:
        st.markdown(f"**Our success gap:** {focus.text}")


def _norms():
    st.header("Our norms")
    st.markdown("\n".join(f"- {n}" for n in meetings.norms(project)))


def _objectives():
    st.header("Today's objectives")
    st.markdown("\n".join(f"- {o}" for o in m.objectives))


def _agenda():
    st.header("Agenda")
    timed = [line for line in agendas.agenda_text(project, m, "member").splitlines() if line.startswith("**")]
    st.markdown("\n".join(f"- {line}" for line in timed))


def _data():
    st.header("The data behind our gap")
    st.markdown(f"## {focus.text}")
    figures = focus.figures or {}
    row = {**figures, "kind": "numeric" if figures.get("mean") is not None else "binary"}
    st.markdown(f"{focus.group} **{ui.tables.gap_figure(row)}** · {focus.comparison or 'comparison'} "
                f"**{ui.tables.gap_figure(row, 'comparison_')}** · gap **{ui.tables.gap_amount(row)}**"
                + (f" · {focus.year}" if focus.year else ""))


def _areas():
    st.header("Rubric areas of the day")
    book = rubric.load_rubric(project)
    agreed = {c.indicator_id for c in project.consensus if c.level}
    for area_id in m.rubric_areas:
        try:
            area = book.area(area_id)
        except KeyError:
            continue
        done = sum(1 for i in area.indicators if i.id in agreed)
        st.markdown(f"- **{area.title}** — {len(area.indicators)} indicators, consensus on {done} so far")


def _homework():
    st.header("Homework")
    due = meetings.homework_due(project, m)
    if due:
        st.markdown("**Due today**")
        ui.tables.show(meetings.homework_table(project, due), key="meet_view_hw_due", columns=["Homework", "Who", "Due"])
    st.markdown(f"**For {'meeting ' + str(after.number) if after else 'next time'}**")
    if m.homework:
        ui.tables.show(meetings.homework_table(project, m.homework), key="meet_view_hw_next",
                       columns=["Homework", "Who", "Due"])
    else:
        st.markdown("No homework.")


slides = [("Welcome", _opening), ("Our norms", _norms)]
if m.objectives:
    slides.append(("Objectives", _objectives))
slides.append(("Agenda", _agenda))
if focus and focus.text and focus.figures:
    slides.append(("Our data", _data))
if m.rubric_areas:
    slides.append(("Rubric areas", _areas))
slides.append(("Homework", _homework))

if ui.presenting():
    ui.slides(slides, lambda slide: slide[1](), label=lambda slide: slide[0])
else:
    st.caption("Turn on presentation mode (in the sidebar) to walk through these slides one at a time; "
               "the arrow keys move between them.")
    for title, draw in slides:
        with st.container(border=True):
            draw()
ui.done()
