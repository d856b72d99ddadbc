"""Step 7 · Monitoring."""

import streamlit as st

from successgaps import ui

project = ui.page("Monitoring", step=7)
ui.focus_banner(project)
st.write("This step's tools are on their way. The step's status above is read from the project.")
ui.done()
