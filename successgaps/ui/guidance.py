"""Streamlit rendering of the guidance: step tips, the explainer, glossary entries and links to them.

Pages pass `metric_help("risk_ratio")` (a term key or any gap-engine column) as `help=` to a
widget or column config, or draw `term_link("risk_ratio")`; both lead to the entry on the Guide
page (`pages/8_Guide.py`, address `Guide?term=risk_ratio`), which opens with that entry shown and
expanded. Links are plain Markdown links: they open the Guide in a new browser tab, so the team
keeps its place, and they work on every page (st.page_link only finds pages of a full app run).
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ..outputs import handout
from ..process import guidance
from ..process.guidance import Section, Term
from ..process.progress import STEPS

GUIDE_URL = "Guide"  # the Guide page's address, relative to any page of the app
TERM_PARAM = "term"  # query parameter naming the glossary entry to open
LOOKUP_KEY = "guide_term"
TIPS_LABEL = "Facilitator tips for this step"
GLOSSARY_TAB = "The metrics in plain words"


def guide_url(key: str | None = None) -> str:
    """The Guide's address (relative to any page), opening term `key`, keeping the open project."""
    params = {TERM_PARAM: guidance.term(key).key} if key else {}
    project = st.query_params.get("project")
    if project:
        params["project"] = project
    return GUIDE_URL + ("?" + urlencode(params) if params else "")


def _tips(step: int) -> None:
    for tip in guidance.step_tips(step):
        st.markdown(f"**{tip.title}** — {tip.text}")


def render_tips(step: int) -> None:
    """The step's facilitator tips, in a collapsed expander (drawn by `ui.page` under the title)."""
    with st.expander(TIPS_LABEL, icon=":material/lightbulb:"):
        _tips(step)
        st.markdown(f":material/menu_book: [All tips, the explainer and the glossary are in the Guide]({guide_url()})")


def _section(section: Section, level: int = 3) -> None:
    """A section of the explainer: a heading at `level` (in an expander, where a heading would skip
    levels, `level=0` writes it in bold)."""
    st.markdown((f"{'#' * level} {section.heading}" if level else f"**{section.heading}**") + "\n" + _body(section))


def _body(section: Section) -> str:
    """A section's text and its list, as Markdown."""
    return "\n".join(text for _, text in section_parts(section))


def section_parts(section: Section) -> list[tuple]:
    """A section's text, then each item of its list, as (how it is drawn, its Markdown)."""
    return [(st.markdown, section.body)] + [(st.markdown, f"{n}. {item}" if section.numbered else f"- {item}")
                                            for n, item in enumerate(section.items, start=1)]


def render_explainer(*, framed: bool = True, expanded: bool = True, key: str = "explainer") -> None:
    """“What is a success gap?” with its one-page handout. `framed` puts it in an expander (Home, Meeting 1);
    `key` keeps the download button unique when the explainer is drawn on more than one page."""
    content = guidance.explainer()
    box = st.expander(content.title, expanded=expanded, icon=":material/explore:") if framed else st.container()
    with box:
        if not framed:
            st.header(content.title)
        st.markdown(content.summary)
        for section in content.sections:
            _section(section, 0 if framed else 3)
        st.download_button(
            "Download the one-page handout (PDF)", data=handout.explainer_pdf,
            file_name="What is a success gap.pdf", mime="application/pdf", key=f"{key}_handout",
            help="A page a leader can send to the people invited to join the team.",
        )


def metric_help(key: str) -> str:
    """Short help for a metric (term key or engine column) with a link to its glossary entry."""
    entry = guidance.term(key)
    return f"{entry.short} [More about {entry.name.split(' (')[0].lower()} in the Guide]({guide_url(key)})"


def term_link(key: str, label: str | None = None) -> None:
    """A link to a metric's glossary entry on the Guide page."""
    entry = guidance.term(key)
    st.markdown(f":material/menu_book: [{label or 'What is “' + entry.name + '”?'}]({guide_url(key)})")


def _term_body(entry: Term) -> None:
    for draw, text in term_parts(entry):
        draw(text)


def term_parts(entry: Term) -> list[tuple]:
    """A glossary entry's paragraphs, as (how it is drawn, its text)."""
    return [(st.markdown, entry.definition), (st.markdown, f"**Formula:** {entry.formula}"),
            (st.markdown, f"**Example from the sample district:** {entry.example}"),
            (st.markdown, f"**When to use it:** {entry.when}")] + (
        [(st.caption, "Columns in the gap table: " + ", ".join(f"`{c}`" for c in entry.columns))] if entry.columns else [])


def wanted_term() -> str | None:
    """The term named in the address (`?term=`), as a glossary key; None when absent or unknown."""
    raw = st.query_params.get(TERM_PARAM)
    if not raw:
        return None
    try:
        return guidance.term(raw).key
    except KeyError:
        return None


def _follow_lookup() -> None:
    """Keep the address in step with the look-up box, so the open entry can be shared or bookmarked."""
    chosen = st.session_state.get(LOOKUP_KEY)
    if chosen:
        st.query_params[TERM_PARAM] = chosen
    else:
        st.query_params.pop(TERM_PARAM, None)


def render_glossary() -> None:
    """The glossary: a look-up box that follows `?term=`, that entry in full, then every entry."""
    terms = guidance.glossary()
    names = {t.key: t.name for t in terms}
    if st.query_params.get(TERM_PARAM):
        wanted = wanted_term()
        if wanted is None:
            st.warning("There is no glossary entry with that name in the address; pick a term below.")
        st.session_state[LOOKUP_KEY] = wanted
    chosen = st.selectbox("Look up a term", list(names), index=None, format_func=names.get,
                          key=LOOKUP_KEY, on_change=_follow_lookup, placeholder="Choose a metric…")
    if chosen:
        with st.container(border=True):
            st.header(names[chosen])
            _term_body(guidance.term(chosen))
    st.header("Every metric")
    for entry in terms:
        with st.expander(entry.name, expanded=entry.key == chosen):
            st.markdown(f"_{entry.short}_")
            _term_body(entry)


def render_all_tips() -> None:
    """Every step's facilitator tips, one expander per step."""
    for step in STEPS:
        with st.expander(f"Step {step.number} · {step.title}"):
            _tips(step.number)
