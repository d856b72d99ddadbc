"""Step 1 · Team and meetings."""

import streamlit as st

from successgaps import ui

project = ui.page("Team and meetings", step=1)
ui.focus_banner(project)
st.write("This step's tools are on their way. The step's status above is read from the project.")
ui.done()
