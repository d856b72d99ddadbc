"""Step 5 · Root causes."""

import streamlit as st

from successgaps import ui

project = ui.page("Root causes", step=5)
ui.focus_banner(project)
st.write("This step's tools are on their way. The step's status above is read from the project.")
ui.done()
