"""Every page of a project carried through every step reads as people write: no `None`, `nan` or `NaT`.

The pages run with AppTest on a small version of the sample district, with a team's work filled in and
optional fields left blank; every table cell, text, label and widget value on each page is read.
"""

import re

import pandas as pd
import pytest

from successgaps.data import datasets
from successgaps.process import sample
from tests.page_tabs import every_tab
from tests.process_fixture import fill

PAGES = ["Home.py", "pages/1_Team_and_Meetings.py", "pages/2_Data.py", "pages/3_Identify_Gaps.py",
         "pages/4_Rubric.py", "pages/5_Root_Causes.py", "pages/6_Action_Plan.py", "pages/7_Monitoring.py",
         "pages/8_Guide.py", "pages/9_Quick_Screen.py", "pages/10_Meeting_View.py"]
NOT_FOR_PEOPLE = re.compile(r"\b(None|nan|NaN|NaT|<NA>)\b")


@pytest.fixture(scope="module")
def _workspace(tmp_path_factory):
    return tmp_path_factory.mktemp("read-for-people")


@pytest.fixture
def carried_through(store, tmp_path):
    path = tmp_path / "district.csv"
    sample.generate(students_per_grade=120).to_csv(path, index=False)
    project = store.create("Riverbend")
    dataset = datasets.create_dataset(store, project, path, path.name)
    dataset.confirmed = True
    return store.save(fill(project))


def texts(node):
    """Every string a person can read under an AppTest node: values, labels, captions, table cells."""
    value = getattr(node, "value", None) if type(node).__name__ not in {"Button", "DownloadButton"} else None
    if isinstance(value, pd.DataFrame):
        editable = getattr(node, "editing_mode", "read_only") != "read_only"
        # an editable table's empty cell (a number's NaN, a blank tick box's None) is an empty input box, not the
        # text "nan" or "None" (the Data page's editor draws None as its placeholder "")
        yield from (str(v) for v in value.to_numpy().ravel()
                    if not (editable and (v is None or isinstance(v, float) and v != v)))
        yield from (str(c) for c in value.columns)
    elif isinstance(value, (str, int, float)) or value is None:
        if value is not None or type(node).__name__ in {"Markdown", "Caption", "Text", "Alert"}:
            yield str(value)
    elif isinstance(value, (list, tuple)):
        yield from (str(v) for v in value)
    for attr in ("label", "body", "help"):
        text = getattr(node, attr, None)
        if isinstance(text, str):
            yield text
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from texts(child)


def bad_words(at) -> list[str]:
    return sorted({text for text in texts(at.main) if NOT_FOR_PEOPLE.search(text)})


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("presenting", [False, True], ids=["normal", "presenting"])
def test_no_page_shows_none_or_nan(open_page, carried_through, path, presenting):
    at = open_page(path, project=carried_through.id)
    if presenting:
        at.toggle(key="sg_presenting").set_value(True).run()
    for tab in every_tab(at, path):  # each tab is drawn only when it is open
        assert not at.exception, tab
        assert bad_words(at) == [], tab


def test_a_step_without_owner_or_dates_reads_as_blanks(open_page, carried_through):
    at = open_page("pages/6_Action_Plan.py", project=carried_through.id)
    steps = next(d.value for d in at.dataframe if "Owner" in d.value.columns)
    row = steps.set_index("Step").loc["Invite families to a listening session"]
    assert (row["Owner"], row["Due"]) == ("—", "—")
    assert "Invite families to a listening session" in list(texts(at.main))  # the reader sees table cells


DECK_CONTROLS = {"sg_deck_menu", "sg_deck_previous", "sg_deck_next", "sg_leave_presenting", "sg_presenting"}
EDITING = ("text_input", "text_area", "number_input", "selectbox", "multiselect", "radio", "checkbox", "toggle",
           "date_input", "time_input", "file_uploader", "button", "download_button", "slider", "select_slider")


@pytest.mark.parametrize("path", [p for p in PAGES if p not in ("pages/8_Guide.py", "pages/9_Quick_Screen.py")])
def test_a_slide_has_no_filter_or_editing_control(open_page, carried_through, path):
    """While presenting, the only controls are the deck's: the step menu, Previous / Next, Leave."""
    at = open_page(path, project=carried_through.id)
    at.toggle(key="sg_presenting").set_value(True).run()
    assert not at.exception
    # the restart stamp (ui/restart.py) is a hidden checkbox no one sees (display: none), not a control
    controls = [f"{kind}:{getattr(w, 'label', '')}" for kind in EDITING for w in at.main.get(kind)
                if getattr(w, "key", None) not in DECK_CONTROLS and not str(getattr(w, "key", "")).startswith("sg_drawn_")]
    editors = [d.key for d in at.main.get("dataframe") if getattr(d, "editing_mode", "read_only") != "read_only"]
    assert controls + editors == []
