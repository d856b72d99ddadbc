"""Guide: what a success gap is, the metrics in plain words, and the facilitator tips for every step.

Other pages link to one glossary entry with `?term=<key>` (see `successgaps.ui.guidance.term_link`).
"""

import streamlit as st

from successgaps import ui
from successgaps.ui import guidance

ui.page("Guide", needs_project=False)
if ui.presenting():  # the shared screen: what a success gap is, then each metric, a slide at a time
    ui.slides(guidance.guide_slides(), lambda slide: slide[1](), label=lambda slide: slide[0])
    ui.done()
    st.stop()
explainer_tab, glossary_tab, tips_tab = st.tabs(
    ["What is a success gap?", guidance.GLOSSARY_TAB, "Facilitator tips"],
    default=guidance.GLOSSARY_TAB if guidance.wanted_term() else None,
)
with explainer_tab:
    guidance.render_explainer(framed=False, key="guide_explainer")
with glossary_tab:
    guidance.render_glossary()
with tips_tab:
    guidance.render_all_tips()
ui.done()
