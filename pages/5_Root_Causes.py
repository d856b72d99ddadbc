"""Step 5 · Root causes: areas of need, votes, at most five priorities, actionable root causes."""


from functools import partial

import streamlit as st

from successgaps import ui
from successgaps.models import LEVEL_LABELS, LEVELS
from successgaps.process import action_plan, root_causes, rubric

project = ui.page("Root causes", step=5)
ui.focus_banner(project)
rub = rubric.load_rubric(project)
needs = root_causes.areas_of_need(project, rub)
need_ids = [n.indicator_id for n in needs]
members = {m.id: m.name for m in project.members}
statements = {s.id: root_causes.statement_label(s) for s in project.statements}

SLIDE_LINES = 10  # lines of a table on one slide at 1280 x 720 (an area's three rows of three lines; five votes of two)
NO_NEEDS = ("No indicator has a consensus rating at or below the cut yet: reach consensus on the rubric in step 4, "
            "or raise the cut.")


def _lines(row, least: int, per_line: int) -> int:
    """The lines a row of a table takes on a slide: `least` (an area's ratings' spread three, a vote two), more for
    long text (long evidence, many voters; `per_line` characters to a line of its narrower columns)."""
    return max(least, *(ui.lines(str(v), per_line) for v in row))



def _title(indicator_id: str) -> str:
    return root_causes.indicator_title(rub, indicator_id)




def _set(p, priority_id, field, key):
    action_plan.edit(p, "priority", priority_id, field, st.session_state[key])


def _bound(priority_id, field) -> dict:
    """Widget arguments that save one field of a priority as it changes (key `rc_<field>_<id>`)."""
    key = f"rc_{field}_{priority_id}"
    return {"key": key, "on_change": ui.edit, "args": (_set, priority_id, field, key)}


def _cut(p):
    root_causes.set_need_cut(p, st.session_state["rc_cut"])


def _votes_per_member(p):
    root_causes.set_votes_per_member(p, int(st.session_state["rc_votes_per_member"]))


def _vote(p, member_id):
    root_causes.cast_votes(p, member_id, st.session_state[f"rc_votes_{member_id}"])


def _add_priority(p):
    root_causes.add_priority(p, st.session_state.get("rc_new_indicators", []), st.session_state.get("rc_new_title", ""),
                          st.session_state.get("rc_new_statements", []), rubric=rub)
    st.session_state["rc_new_title"] = ""
    st.session_state["rc_new_indicators"] = []
    st.session_state["rc_new_statements"] = []


def _whys(p, priority_id, count):
    whys = [st.session_state.get(f"rc_why_{priority_id}_{i}", "") for i in range(count)]
    root_causes.set_whys(action_plan.find(p, "priority", priority_id), whys)


# ---------------------------------------------------------------- presenting: a slide each


def _priority_slide(n: int, pr) -> None:
    st.header(f"Priority {n}: {ui.esc(pr.title)}")
    st.markdown(f"**Root cause:** {ui.esc(pr.root_cause or '—')}")
    if pr.whys:
        st.markdown("**Why? Why? Why?**  \n" + "  \n".join(f"→ {ui.esc(w)}" for w in pr.whys))
    if prompt := root_causes.actionability_prompt(pr):
        st.warning(prompt)


if ui.presenting():  # the shared screen: each area's needs, the votes, each priority, a slide at a time
    deck = []
    for area_title, table in root_causes.needs_by_area(needs):
        deck += ui.table_slides(f"Areas of need · {area_title}", table, SLIDE_LINES, f"rc_needs_{area_title}",
                                weight=partial(_lines, least=3, per_line=25))
    if not needs:
        deck.append(("Areas of need", partial(ui.paragraph_slide, "Areas of need", [(st.info, NO_NEEDS)])))
    if project.votes:
        waiting = root_causes.voters_missing(project)
        deck += ui.table_slides("The team's votes", root_causes.tally_table(project, needs), SLIDE_LINES, "rc_tally",
                                after=partial(st.caption, "Not voted yet: " + ", ".join(waiting)) if waiting else None,
                                weight=partial(_lines, least=2, per_line=30))
    deck += [(f"Priority {n}", partial(_priority_slide, n, pr)) for n, pr in enumerate(project.priorities, 1)]
    if not project.priorities:
        deck.append(("Priorities", partial(ui.paragraph_slide, "Priorities", [(st.caption, "No priorities yet.")])))
    ui.slides(deck, lambda slide: slide[1](), label=lambda slide: slide[0])
    ui.done()
    st.stop()

# ---------------------------------------------------------------- areas of need
st.header("Areas of need")
st.selectbox("Areas of need are the indicators the team rated at or below", LEVELS[:3],
             index=LEVELS.index(project.need_cut), format_func=LEVEL_LABELS.get, key="rc_cut",
             on_change=ui.edit, args=(_cut,))
if not needs:
    st.info(NO_NEEDS)
for area_title, table in root_causes.needs_by_area(needs):
    st.markdown(f"### {ui.esc(area_title)}")
    ui.tables.show(table, key=f"rc_needs_{area_title}")

# ---------------------------------------------------------------- votes
st.header("Vote: which areas would you act on first?")
if needs:
    st.number_input("Votes each member has", 1, 10, project.votes_per_member, key="rc_votes_per_member",
                    on_change=ui.edit, args=(_votes_per_member,))
    if not members:
        st.info("Add the team on the Team and meetings page so each member can vote.")
    else:
        voter = st.selectbox("Member voting", list(members), format_func=members.get, key="rc_voter")
        st.multiselect(f"{members[voter]}'s votes (up to {project.votes_per_member})", need_ids,
                       default=[i for i in root_causes.votes_of(project, voter) if i in need_ids],
                       format_func=_title, max_selections=project.votes_per_member, key=f"rc_votes_{voter}",
                       on_change=ui.edit, args=(_vote, voter))
if project.votes:
    ui.tables.show(root_causes.tally_table(project, needs), key="rc_tally_table")
    if waiting := root_causes.voters_missing(project):
        st.caption("Not voted yet: " + ", ".join(waiting))
elif needs:
    st.caption("No votes yet.")

# ---------------------------------------------------------------- priorities
st.header(f"Priorities ({len(project.priorities)} of at most {root_causes.MAX_PRIORITIES})")
if needs:
    with ui.form_box("Add a priority", key="rc_add_box", open_first=not project.priorities):
        st.multiselect("The areas of need it comes from (most votes first)", root_causes.by_votes(needs),
                       format_func=_title, key="rc_new_indicators")
        st.text_input("Title (leave empty to use the first area's name)", key="rc_new_title")
        st.multiselect("Gap statements it answers", list(statements), format_func=statements.get,
                       key="rc_new_statements")
        st.button("Add priority", on_click=ui.edit, args=(_add_priority,), type="primary")
if not project.priorities:
    st.caption("No priorities yet.")

for n, pr in enumerate(project.priorities, 1):
    pid = pr.id
    with st.container(border=True):
        st.text_input(f"Priority {n}", value=pr.title, **_bound(pid, "title"))
        st.text_area("Root cause statement", value=pr.root_cause, **_bound(pid, "root_cause"),
                     placeholder="What in the school's practices, policies or beliefs keeps this gap open?")
        st.checkbox("The school or district can act on this cause", value=bool(pr.actionable),
                    help="Poverty is not within a school's power to change; culturally inappropriate behaviour "
                         "interventions are.", **_bound(pid, "actionable"))
        if prompt := root_causes.actionability_prompt(pr):
            st.warning(prompt)
        with st.expander(f"Chain of “why?” ({len(pr.whys)})", key=f"rc_whys_box_{pr.id}", on_change="rerun"):
            count = min(len(pr.whys) + 1, root_causes.MAX_WHYS)
            for i in range(count):
                st.text_input(f"Why? ({i + 1})", value=pr.whys[i] if i < len(pr.whys) else "",
                              key=f"rc_why_{pid}_{i}", on_change=ui.edit, args=(_whys, pid, count))
        c1, c2 = st.columns(2)
        c1.multiselect("Rubric indicators that support it", list(dict.fromkeys(pr.indicator_ids + need_ids)),
                       default=pr.indicator_ids, format_func=_title, **_bound(pid, "indicator_ids"))
        c2.multiselect("Gap statements that support it", list(statements),
                       default=[s for s in pr.statement_ids if s in statements], format_func=statements.get,
                       **_bound(pid, "statement_ids"))
        st.button("Remove this priority", key=f"rc_remove_{pid}", help="Its goals stay in the plan, unlinked.",
                  on_click=ui.edit, args=(root_causes.remove_priority, pid))

# ---------------------------------------------------------------- export
if project.priorities:
    ui.plan_exports(project, ("Priorities", "Root causes"), rub)
ui.done()
