"""Layer `process`: the toolkit's steps as domain logic.

The team, meetings, the rubric, root causes and the action plan, monitoring, where a project stands
in each step, the guidance content and the sample district. Functions work on a `Project` in memory
and return data; the caller saves.

May import: `engine`, `data` and the core modules. Never outputs, ui or streamlit.
"""
