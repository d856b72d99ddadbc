"""Step 6 · Action plan."""

import streamlit as st

from successgaps import ui

project = ui.page("Action plan", step=6)
ui.focus_banner(project)
st.write("This step's tools are on their way. The step's status above is read from the project.")
ui.done()
