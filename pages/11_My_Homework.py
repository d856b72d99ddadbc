"""My homework: one member's rubric areas to rate, their votes, their action steps and meeting homework."""

import streamlit as st

from successgaps import ui
from successgaps.process.homework import my_homework

project = ui.page("My homework", needs_project=False)
if project is None:
    mine_projects = ui.projects()
    if mine_projects:  # just signed in: the most recent of your projects
        ui.open_project(mine_projects[0].id)
        st.rerun()
    st.info("You are not on any project's team yet; your facilitator gives you access.")
    ui.done()
    st.stop()
names = {m.id: m.name for m in project.members}
who = ui.member_id(project)
if ui.team_server() and who is None:
    st.info("Your email is not on this team's roster, so nothing here is assigned to you; your facilitator adds "
            "it in step 1.")
    ui.done()
    st.stop()
if not ui.team_server():
    who = st.selectbox("Whose homework?", list(names), index=None, placeholder="Pick your name",
                       format_func=names.get, key="hw_who")
    if who is None:
        st.info("Pick your name to see what is yours to do before the next meeting." if names else
                "The team has no members yet: add them in step 1.")
        ui.done()
        st.stop()

mine = my_homework(project, who)
st.markdown(f"**{ui.esc(mine.member)}**, here is what is yours to do for **{ui.esc(project.name)}**.")
if mine.nothing:
    st.success("Nothing is waiting for you: every assigned indicator is rated and no step of yours is open.")

st.header("Rate the rubric on your own")
for title, rated, total in mine.areas:
    icon = ":material/check_circle:" if rated == total else ":material/pending:"
    st.markdown(f"{icon} **{ui.esc(title)}** — you have rated {rated} of {total} indicators")
st.page_link("pages/4_Rubric.py", label="Rate in step 4 · Rubric", icon=":material/arrow_forward:")

st.header("Your votes")
if not mine.needs_to_vote_on:
    st.caption("No areas of need to vote on yet: they come from the team's consensus ratings.")
elif mine.votes_cast:
    st.markdown(f"You voted for {len(mine.votes_cast)} of your {mine.votes_allowed}: "
                + "; ".join(ui.esc(t) for t in mine.votes_cast) + ".")
else:
    st.markdown(f"You have not voted yet: {mine.votes_allowed} votes among {mine.needs_to_vote_on} areas of need.")
if mine.needs_to_vote_on:
    st.page_link("pages/5_Root_Causes.py", label="Vote in step 5 · Root causes", icon=":material/arrow_forward:")

st.header("Your action steps")
if mine.steps:
    for text, due, state in mine.steps:
        st.markdown(f"- {ui.esc(text or '(a step without text)')} — due {due:%B %-d, %Y}, {state.lower()}"
                    if due else f"- {ui.esc(text or '(a step without text)')} — no due date, {state.lower()}")
    st.page_link("pages/6_Action_Plan.py", label="Your steps in step 6 · Action plan", icon=":material/arrow_forward:")
else:
    st.caption("No open action step is yours.")

st.header("From the meetings")
if mine.tasks:
    for text, due in mine.tasks:
        st.markdown(f"- {ui.esc(text)}" + (f" (due {due:%B %-d, %Y})" if due else ""))
else:
    st.caption("No meeting homework for you.")
ui.done()
