"""Issue #21: a new facilitator opens the worked example on Home and finds every step filled."""

import pytest

from successgaps.process import sample
from tests.page_tabs import every_tab

PAGES = ["pages/1_Team_and_Meetings.py", "pages/2_Data.py", "pages/3_Identify_Gaps.py", "pages/4_Rubric.py",
         "pages/5_Root_Causes.py", "pages/6_Action_Plan.py", "pages/7_Monitoring.py"]


@pytest.fixture
def small_sample(tmp_path, monkeypatch):
    path = tmp_path / "sample_district.csv"
    sample.generate(students_per_grade=60).to_csv(path, index=False)
    monkeypatch.setattr(sample, "SAMPLE_PATH", path)
    return path


def test_the_worked_example_opens_with_every_step_filled(open_page, store, small_sample):
    at = open_page("Home.py")
    next(b for b in at.button if b.key == "home_worked_example").click().run()
    assert not at.exception
    [summary] = store.list()
    assert summary.name == "Worked example — Riverbend Unified"
    at = open_page("Home.py", project=summary.id)
    statuses = [m.value for m in at.markdown if m.value in {"**Not started**", "**In progress**", "**Done**"}]
    assert statuses == ["**Done**"] * 6 + ["**In progress**"]
    for page in PAGES:
        at = open_page(page, project=summary.id)
        for tab in every_tab(at, page):  # each tab is drawn only when it is open
            assert not at.exception, (page, tab)
