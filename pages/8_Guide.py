"""Guide: what a success gap is, the metrics in plain words, and the facilitator tips for every step.

Other pages link to one glossary entry with `?term=<key>` (see `successgaps.ui.guidance.term_link`).
"""

import streamlit as st

from successgaps import ui
from successgaps.process import guidance as text
from successgaps.ui import guidance

LINE = 110  # characters on a line of a slide's text at 1280 px
SLIDE_LINES = 13.5  # lines a slide holds under its title and the deck bar at 720 px (a paragraph's margin: 0.3 more)


ui.page("Guide", needs_project=False)
if ui.presenting():  # the shared screen: what a success gap is, a section a slide, then each metric in plain words;
    # one too long for a slide on two ("Alternate risk ratio (1 of 2)"); the facilitator's tips stay off it
    explainer = text.explainer()
    decks = [(explainer.title, [(st.markdown, explainer.summary)])]
    decks += [(part.heading, guidance.section_parts(part)) for part in explainer.sections]
    decks += [(entry.name, [(st.markdown, f"_{entry.short}_"), *guidance.term_parts(entry)]) for entry in text.glossary()]
    slides = [(title, part) for name, paragraphs in decks
              for title, part in ui.slide_parts(name, paragraphs, SLIDE_LINES, lambda p: ui.lines(p[1], LINE) + 0.3)]
    ui.slides(slides, lambda slide: ui.paragraph_slide(*slide), label=lambda slide: slide[0])
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
