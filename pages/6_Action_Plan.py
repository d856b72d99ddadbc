"""Step 6 · Action plan: measurable goals, action steps, owners, dates, timeline, checks, export."""

import datetime as dt

import streamlit as st

from successgaps import ui
from successgaps.outputs import charts
from successgaps.process import action_plan, root_causes

project = ui.page("Action plan", step=6)
ui.focus_banner(project)
members = {m.id: m.name for m in project.members}
priorities = {"": "(no priority)"} | {p.id: p.title for p in project.priorities}
statements = {"": "(no gap statement)"} | {s.id: root_causes.statement_label(s) for s in project.statements}
STATUS = list(action_plan.STATUS_LABELS)
editing = not ui.presenting()
today = dt.date.today()
STEP_COLUMNS = ["Goal", "Step", "Owner", "Due", "Status"]  # the rest (start, resources, evidence, barriers) on demand




def _set(p, kind, item_id, field, key):
    action_plan.edit(p, kind, item_id, field, st.session_state[key])


def _set_number(p, goal_id, field, key, measure):
    action_plan.edit(p, "goal", goal_id, field, action_plan.stored(st.session_state[key], measure))


def _bound(kind, item_id, field, suffix=None, measure=None) -> dict:
    """Widget arguments that save one field of a goal or step as it changes (key `plan_<field>_<id>`)."""
    key = f"plan_{field}_{suffix or item_id}"
    args = (_set_number, item_id, field, key, measure) if measure else (_set, kind, item_id, field, key)
    return {"key": key, "on_change": ui.edit, "args": args}


def _link(p, goal_id):
    goal = action_plan.find(p, "goal", goal_id)
    action_plan.link_statement(p, goal, st.session_state[f"plan_stmt_{goal_id}"],
                            st.session_state[f"plan_measure_{goal_id}"])


def _add_goal(p):
    action_plan.add_goal(p, st.session_state.get("plan_new_goal_priority", ""), st.session_state.get("plan_new_goal", ""))
    st.session_state["plan_new_goal"] = ""


def _add_step(p, goal_id):
    k = f"plan_new_step_{goal_id}"
    action_plan.add_step(p, goal_id, st.session_state.get(k, ""), st.session_state.get(f"{k}_owner") or "",
                      st.session_state.get(f"{k}_start"), st.session_state.get(f"{k}_due"))
    st.session_state[k] = st.session_state[f"{k}_owner"] = ""
    st.session_state[f"{k}_start"] = st.session_state[f"{k}_due"] = None


def _owner_options(current: str) -> list[str]:
    return [""] + list(members) + ([current] if current and current not in members else [])


def _owner_name(member_id: str) -> str:
    return members.get(member_id, "(no longer on the team)") if member_id else "(no owner)"


def _timeline(goal_id=None):
    fig = charts.timeline_figure(project, today, goal_id=goal_id)
    if fig is None:
        st.caption("Give the action steps start and due dates to see them on the timeline.")
    else:
        st.plotly_chart(fig, key=f"plan_timeline_{goal_id or 'all'}")
        st.caption("Every step of the timeline, with its owner, dates and status, is in the table below.")


# ---------------------------------------------------------------- presentation: one goal at a time
if not editing:
    if not project.goals:
        st.info("The plan has no goals yet.")
    else:
        def _goal_slide(goal):
            """One goal as a slide: the goal, its measure, how we will know, and its steps (owners, due dates)."""
            st.markdown(f"## {ui.esc(goal.text or 'Goal not written yet')}")
            st.markdown(ui.esc(action_plan.goal_summary(goal)))
            if goal.evidence:
                st.markdown(f"**How we will know:** {ui.esc(goal.evidence)}")
            ui.tables.show(action_plan.steps_table(project, today, goal_id=goal.id), key="plan_slide_steps",
                           columns=["Step", "Owner", "Due", "Status"])

        ui.slides(project.goals, _goal_slide,
                  label=lambda g: "Priority: " + (priorities.get(g.priority_id) or "none chosen"))
    ui.done()
    st.stop()

# ---------------------------------------------------------------- checks
checks = action_plan.plan_checks(project)
with st.expander(f"What the plan still needs ({len(checks)})", expanded=bool(checks) and bool(project.goals),
                 key="plan_checks_box", on_change="rerun"):
    for sentence in checks:
        st.markdown(f"- {ui.esc(sentence)}")
    if not checks:
        st.success("Every goal has a measure and a date; every step has an owner on the team and a due date.")

# ---------------------------------------------------------------- goals and their steps
st.header("Goals")
if not project.priorities:
    st.info("Choose the team's priorities and root causes in step 5 first; goals are written for them.")

for n, goal in enumerate(project.goals, 1):
    gid = goal.id
    link = f"{gid}_{goal.statement_id}_{goal.measure}"  # these widgets restart when the measure changes
    with st.container(border=True):
        st.markdown(f"### Goal {n}")
        st.text_area("The goal: who will improve, on what, where, by when", value=goal.text,
                     **_bound("goal", gid, "text"))
        c1, c2, c3 = st.columns([2, 3, 2])
        c1.selectbox("Priority", list(priorities), format_func=priorities.get,
                     index=list(priorities).index(goal.priority_id) if goal.priority_id in priorities else 0,
                     **_bound("goal", gid, "priority_id"))
        c2.selectbox("Measured by the gap statement", list(statements), format_func=statements.get,
                     index=list(statements).index(goal.statement_id) if goal.statement_id in statements else 0,
                     key=f"plan_stmt_{gid}", on_change=ui.edit, args=(_link, gid))
        c3.selectbox("What is measured", list(action_plan.MEASURES), index=list(action_plan.MEASURES).index(goal.measure),
                     format_func=action_plan.MEASURES.get, key=f"plan_measure_{gid}", on_change=ui.edit, args=(_link, gid))
        st.text_input("Measure", value=goal.metric, **_bound("goal", gid, "metric", link))
        unit = " (%)" if goal.measure == "rate" else ""
        c1, c2, c3, c4 = st.columns(4)
        c1.number_input(f"Baseline{unit}", value=action_plan.shown(goal.baseline, goal.measure), format="%.1f",
                        **_bound("goal", gid, "baseline", link, goal.measure))
        c2.text_input("Baseline year", value=goal.baseline_year, **_bound("goal", gid, "baseline_year", link))
        c3.number_input(f"Target{unit}", value=action_plan.shown(goal.target, goal.measure), format="%.1f",
                        **_bound("goal", gid, "target", link, goal.measure))
        c4.date_input("Target date", value=goal.target_date, **_bound("goal", gid, "target_date"))
        st.text_input("Evidence of progress: how will we know, and from what data?", value=goal.evidence,
                      **_bound("goal", gid, "evidence"))
        problems = action_plan.goal_checks(project, goal, today)
        if problems:
            st.warning("**What the goal still needs**  \n" + "  \n".join(problems))
        else:
            st.success("This goal is specific, measurable, actionable, reasonable and time-bound.")

        st.markdown("**Action steps**")
        for step in action_plan.steps_of(project, gid):
            sid = step.id
            with st.container(border=True):
                c1, c2, c3 = st.columns([6, 3, 3])
                c1.text_input("Step", value=step.text, **_bound("step", sid, "text"))
                options = _owner_options(step.owner_id)
                c2.selectbox("Owner", options, index=options.index(step.owner_id), format_func=_owner_name,
                             **_bound("step", sid, "owner_id"))
                c3.selectbox("Status", STATUS, index=STATUS.index(step.status), format_func=action_plan.STATUS_LABELS.get,
                             **_bound("step", sid, "status"))
                c1, c2, c3, c4, _ = st.columns([3, 3, 2, 2, 2], vertical_alignment="bottom")
                c1.date_input("Start", value=step.start, **_bound("step", sid, "start"))
                c2.date_input("Due", value=step.due, **_bound("step", sid, "due"))
                c3.button("↑ Up", key=f"plan_up_{sid}", help="Move this step up", on_click=ui.edit,
                          args=(action_plan.move_step, sid, -1))
                c4.button("↓ Down", key=f"plan_down_{sid}", help="Move this step down", on_click=ui.edit,
                          args=(action_plan.move_step, sid, 1))
                with st.expander(f"Resources, evidence and barriers · {step.text[:40]}", key=f"plan_more_box_{step.id}",
                                 on_change="rerun"):
                    st.text_input("Resources needed", value=step.resources, **_bound("step", sid, "resources"))
                    st.text_input("Evidence of progress: how will we know it is done well?", value=step.evidence,
                                  **_bound("step", sid, "evidence"))
                    st.text_input("Anticipated barriers and how we will handle them", value=step.barriers,
                                  **_bound("step", sid, "barriers"))
                    st.button("Remove this step", key=f"plan_rm_{sid}", on_click=ui.edit,
                              args=(action_plan.remove_step, sid))

        k = f"plan_new_step_{gid}"
        c1, c2 = st.columns([6, 6])
        c1.text_input("New step: what will be done", key=k)
        c2.selectbox("Owner", [""] + list(members), format_func=_owner_name, key=f"{k}_owner")
        c1, c2, c3 = st.columns([3, 3, 6], vertical_alignment="bottom")
        c1.date_input("Start", value=None, key=f"{k}_start")
        c2.date_input("Due", value=None, key=f"{k}_due")
        c3.button("Add step", key=f"plan_add_step_{gid}", on_click=ui.edit, args=(_add_step, gid), type="primary")
        st.button("Remove this goal and its steps", key=f"plan_rm_goal_{gid}", on_click=ui.edit,
                  args=(action_plan.remove_goal, gid))

with ui.form_box("Add a goal", key="plan_add_goal_box", open_first=not project.goals):
    st.selectbox("For the priority", list(priorities)[1:] + [""], format_func=priorities.get,
                 key="plan_new_goal_priority")
    st.text_area("The goal (you can refine it after adding)", key="plan_new_goal",
                 placeholder="By June 2027, the four-year graduation rate of students with disabilities at "
                             "Central High will rise from 62% to 75%.")
    st.button("Add goal", on_click=ui.edit, args=(_add_goal,), type="primary")

# ---------------------------------------------------------------- timeline and my steps
if project.steps:
    st.header("Timeline")
    _timeline()
    ui.tables.show(action_plan.steps_table(project, today), key="plan_steps_table", columns=STEP_COLUMNS)
    st.header("My steps")
    who = st.selectbox("Team member", list(members), format_func=members.get, key="plan_my")
    if who:
        mine = action_plan.steps_table(project, today, owner_id=who)
        if mine.empty:
            st.caption(f"{ui.esc(members[who])} owns no action steps.")
        else:
            ui.tables.show(mine, key="plan_my_table", columns=STEP_COLUMNS)

# ---------------------------------------------------------------- export
if project.goals or project.priorities:
    ui.plan_exports(project, ("Goals", "Action steps"))
ui.done()
