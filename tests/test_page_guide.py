"""The Guide page and the tips on every step: a facilitator without training finds help where the work is."""

import re
from pathlib import Path

import pytest

from successgaps.process import guidance
from successgaps.process.progress import STEPS
from successgaps.ui.guidance import GLOSSARY_TAB, TIPS_LABEL, guide_url, metric_help

ROOT = Path(__file__).resolve().parent.parent
GUIDE = "pages/8_Guide.py"
TOOLS = {GUIDE, "pages/9_Quick_Screen.py", "pages/10_Meeting_View.py", "pages/11_My_Homework.py",
         "pages/12_Team_Access.py"}  # pages outside the seven steps
STEP_OF_PAGE = {step.page: step.number for step in STEPS}


def _tips_box(at):
    return next((e for e in at.expander if e.label == TIPS_LABEL), None)


@pytest.mark.parametrize("page", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py")))
def test_every_page_opens_with_its_step_tips_collapsed(page, open_page, store):
    if page not in STEP_OF_PAGE:
        assert page in TOOLS, f"{page} is neither a step page nor a known tool page"
        assert not open_page(page).exception
        return
    project = store.create("Central High graduation")
    at = open_page(page, project=project.id)
    assert not at.exception
    box = _tips_box(at)
    assert box is not None, f"{page} shows no facilitator tips"
    assert not box.proto.expanded
    shown = " ".join(m.value for m in box.markdown)
    for tip in guidance.step_tips(STEP_OF_PAGE[page]):
        assert tip.title in shown and tip.text[:40] in shown
    assert "Guide" in shown


def test_the_guide_needs_no_project_and_explains_gaps_with_a_handout(open_page):
    at = open_page(GUIDE)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["What is a success gap?", GLOSSARY_TAB, "Facilitator tips"]
    assert at.header[0].value == guidance.explainer().title
    assert any(guidance.explainer().summary[:60] in m.value for m in at.markdown)
    headings = " ".join(m.value for m in at.markdown)
    assert all(s.heading in headings for s in guidance.explainer().sections)
    assert at.get("download_button")[0].proto.label.startswith("Download the one-page handout")
    assert at.selectbox(key="guide_term").value is None
    entries = [e.label for e in at.expander]
    assert all(term.name in entries for term in guidance.glossary())
    assert all(f"Step {s.number} · {s.title}" in entries for s in STEPS)
    assert not any(e.proto.expanded for e in at.expander)


def test_a_link_to_a_term_opens_the_guide_on_that_entry(open_page):
    at = open_page(GUIDE, term="risk_ratio")
    assert not at.exception
    assert at.selectbox(key="guide_term").value == "risk_ratio"
    assert [e.label for e in at.expander if e.proto.expanded] == ["Risk ratio"]
    assert any(s.value == "Risk ratio" for s in at.header)  # shown in full above the list
    assert any(guidance.term("risk_ratio").example[:50] in m.value for m in at.markdown)


def test_a_link_may_name_an_engine_column(open_page):
    at = open_page(GUIDE, term="ci_low")
    assert at.selectbox(key="guide_term").value == "confidence_interval"
    assert [e.label for e in at.expander if e.proto.expanded] == [guidance.term("ci_low").name]


def test_an_unknown_term_gets_one_sentence_not_an_error(open_page):
    at = open_page(GUIDE, term="odds_ratio")
    assert not at.exception
    assert at.warning[0].value.startswith("There is no glossary entry with that name")
    assert not any(e.proto.expanded for e in at.expander)


def test_looking_up_a_term_puts_it_in_the_address_to_share(open_page):
    at = open_page(GUIDE)
    at.selectbox(key="guide_term").select("composition").run()
    assert at.query_params["term"] == "composition"
    assert [e.label for e in at.expander if e.proto.expanded] == ["Composition"]
    at.selectbox(key="guide_term").set_value(None).run()
    assert "term" not in at.query_params


def test_help_text_for_a_metric_links_to_its_entry():
    help_text = metric_help("ci_high")
    assert help_text.startswith(guidance.term("confidence_interval").short)
    assert "(Guide?term=confidence_interval)" in help_text
    assert guide_url() == "Guide"


def test_the_explainer_can_be_drawn_on_any_page():
    from streamlit.testing.v1 import AppTest

    def home_like():
        from successgaps.ui.guidance import render_explainer

        render_explainer(key="home")

    at = AppTest.from_function(home_like).run()
    assert not at.exception
    assert at.expander[0].label == guidance.explainer().title and at.expander[0].proto.expanded
    assert len(at.get("download_button")) == 1


def test_every_metric_heading_of_the_gap_screen_links_to_the_glossary():
    from successgaps.ui import tables
    from successgaps.ui.guidance import metric_help

    for heading, term in tables.HELP_KEYS.items():  # the headings `tables.show_gaps` gives their hover help
        assert "Guide?term=" in metric_help(term), f"{heading} ({term}) has no glossary entry"


def test_the_guide_presented_is_a_deck_of_the_explainer_and_every_metric(open_page):
    """On the shared screen the Guide is slides, not a long page: what a success gap is, a section a slide, then each
    metric in plain words; the facilitator's tips stay off the team's screen."""
    from successgaps.process import guidance as text  # noqa: PLC0415

    at = open_page("pages/8_Guide.py")
    at.session_state["sg_presenting"] = True
    at.run()
    explainer, terms = text.explainer(), text.glossary()
    titles = []
    while True:
        assert not at.exception and not at.tabs and not at.expander
        titles.append(at.header[0].value)
        if len(titles) == 1:
            assert any(explainer.summary in m.value for m in at.markdown)
        forward = next((b for b in at.button if b.label == "Next →" and not b.disabled), None)
        if forward is None or len(titles) > 60:
            break
        forward.click().run()
    # every section and metric in order; one too long for a slide on two ("Alternate risk ratio (1 of 2)")
    assert list(dict.fromkeys(re.sub(r" \(\d of \d\)$", "", t) for t in titles)) == list(dict.fromkeys(
        [explainer.title] + [s.heading for s in explainer.sections] + [t.name for t in terms]))
    assert "Alternate risk ratio (1 of 2)" in titles and "Alternate risk ratio (2 of 2)" in titles


def test_a_long_list_is_cut_into_even_slides():
    """Five steps on slides of four: three and two, not four and then the last alone; never more slides than needed,
    never a slide over its size."""
    from successgaps.ui.deck import slide_parts  # noqa: PLC0415

    assert slide_parts("Steps", [1, 2, 3, 4, 5], 4) == [("Steps (1 of 2)", [1, 2, 3]), ("Steps (2 of 2)", [4, 5])]
    assert slide_parts("Steps", [1, 2], 4) == [("Steps", [1, 2])]
    weights = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    parts = slide_parts("Weights", weights, 10, weight=lambda w: w)
    assert [w for _, part in parts for w in part] == weights and max(sum(p) for _, p in parts) <= 10
    assert len(parts) == 6  # as many as the greedy cut: 3+1+4+1, 5, 9, 2+6, 5+3, 5
