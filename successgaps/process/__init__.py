"""Layer `process`: the toolkit's steps as domain logic.

    progress          the seven steps and where a project stands in each
    team              step 1: who is at the table, coverage, invitations
    meetings          step 1: the meeting plan, norms, homework, records, evaluations, calendar
    meeting_templates step 1: the templates of data/meetings.toml
    agendas           step 1: facilitator and member agendas
    rubric_file       step 4: the rubric's schema and reading a rubric file
    rubric            step 4: the project's rubric, ratings, consensus, progress, exports
    rating_workbook   step 4: a member's rating workbook (homework offline)
    root_causes       step 5: areas of need, votes, priorities, root causes
    action_plan       step 6: goals, action steps, checks, the plan's tables
    monitoring        step 7: reviews, progress against baseline and target, revisions, alerts
    guidance          the explainer, facilitator tips and glossary (data/guidance.toml)
    sample            the sample district (`python -m successgaps.process.sample`)

Functions work on a `Project` in memory and return data; the caller saves. A new feature of a
step goes in that step's module (or a new one beside it), its screen in the page, its PDF in outputs.

May import: `engine`, `data` and the core modules. Never outputs, ui or streamlit.
"""
