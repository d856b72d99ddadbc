"""A facilitator, in a real browser, records the team's consensus on one indicator and sees progress move;
a refresh loses nothing."""

import os
from pathlib import Path


def test_a_consensus_rating_moves_progress(page, ready, new_project, open_step, tmp_path):
    open_step(page, "Rubric", new_project("Rubric school"))
    page.get_by_text("Consensus on 0 of 25 indicators").wait_for()
    page.get_by_role("tab", name="Facilitator view").click()
    page.get_by_role("heading", name="ddm-1 · Decisions are driven by data disaggregated by student group").wait_for()

    consensus = page.get_by_test_id("stRadio").filter(has_text="Team consensus rating")
    consensus.get_by_text("Partially implemented", exact=True).click()
    page.get_by_text("Consensus on 1 of 25 indicators").wait_for()
    ready(page)
    page.get_by_text("✓ Team consensus").wait_for()
    progress_row = page.get_by_role("row").filter(has_text="Data-based decision making")
    assert "1 of 5" in progress_row.inner_text()
    shots = Path(os.environ.get("SUCCESSGAPS_SCREENSHOTS", tmp_path))
    page.screenshot(path=str(shots / "rubric-facilitator.png"), full_page=True)

    page.reload()
    ready(page)
    page.get_by_text("Consensus on 1 of 25 indicators").wait_for()
