"""Step 5 page: the team sees its areas of need, votes, picks at most five priorities and writes root causes."""

import pytest

from successgaps.models import GapStatement, Member, Vote
from successgaps.process import root_causes, rubric


@pytest.fixture
def rated(store):
    """A project whose team reached consensus on the rubric: three indicators are areas of need."""
    p = store.create("Central High")
    p.members = [Member(id="ana", name="Ana", category="leader"), Member(id="ben", name="Ben", category="family")]
    ids = rubric.indicator_ids(p)
    rubric.set_rating(p, "ana", ids[0], "planning")
    rubric.set_rating(p, "ben", ids[0], "implemented")
    for indicator_id, level in zip(ids, ("planning", "partial", "implemented", "exemplary", "partial")):
        rubric.set_consensus(p, indicator_id, level, evidence=f"evidence {indicator_id}")
    p.statements = [GapStatement(id="st1", group="English learners", outcome="Graduation", focus=True,
                                 text="English learners graduate 18 points below all other students.")]
    return store.save(p)


@pytest.fixture
def run(open_page, rated):
    return lambda: open_page("pages/5_Root_Causes.py", project=rated.id)


def test_areas_of_need_are_shown_with_evidence_and_spread_beside_the_focus_statement(run, rated, store):
    at = run()
    assert not at.exception
    assert "English learners graduate 18 points below" in at.info[0].value
    shown = [row for df in at.dataframe for row in df.value["Indicator"]]
    expected = [n.title for n in root_causes.areas_of_need(rated)]
    assert shown[: len(expected)] == expected and len(expected) == 3
    first = at.dataframe[0].value
    assert first.loc[0, "Evidence"].startswith("evidence ")
    assert "Planning 1" in first.loc[0, "Individual ratings"]

    at.selectbox(key="rc_cut").set_value("implemented").run()
    assert not at.exception
    assert store.load(rated.id).need_cut == "implemented"
    assert sum(len(df.value) for df in at.dataframe) == 4


def test_members_vote_and_the_tally_is_shown(run, rated, store):
    at = run()
    ids = [n.indicator_id for n in root_causes.areas_of_need(rated)]
    at.selectbox(key="rc_voter").set_value("ana").run()
    at.multiselect(key="rc_votes_ana").set_value(ids[:2]).run()
    at.selectbox(key="rc_voter").set_value("ben").run()
    at.multiselect(key="rc_votes_ben").set_value(ids[1:2]).run()
    assert not at.exception
    saved = store.load(rated.id)
    assert root_causes.tally(saved) == {ids[1]: 2, ids[0]: 1}
    tally = next(df.value for df in at.dataframe if "Voted by" in df.value.columns)
    assert tally.loc[0, "Votes"] == "2" and tally.loc[0, "Voted by"] == "Ana, Ben"


def test_a_sixth_priority_is_refused_with_a_sentence(run, rated, store):
    at = run()
    ids = [n.indicator_id for n in root_causes.areas_of_need(rated)]
    for title in ("One", "Two", "Three", "Four", "Five", "Six"):
        at.multiselect(key="rc_new_indicators").set_value(ids[:1])
        at.text_input(key="rc_new_title").input(title)
        next(b for b in at.button if b.label == "Add priority").click().run()
        assert not at.exception
    assert [p.title for p in store.load(rated.id).priorities] == ["One", "Two", "Three", "Four", "Five"]
    # the box stayed open from the first priority on: the team adds the next without reopening it
    assert next(e for e in at.expander if e.label == "Add a priority").proto.expanded
    assert "already has 5 priorities, the most the process allows" in at.error[0].value
    assert any("Priorities (5 of at most 5)" in h.value for h in at.header)


def test_a_root_cause_outside_the_schools_control_gets_a_prompt(run, rated, store):
    p = store.load(rated.id)
    root_causes.add_priority(p, [], "Graduation")
    store.save(p)
    pid = p.priorities[0].id
    at = run()
    at.text_area(key=f"rc_root_cause_{pid}").input("Our students live in poverty.").run()
    assert not at.exception
    assert any("which the school cannot change" in w.value for w in at.warning)
    at.text_area(key=f"rc_root_cause_{pid}").input("Advisers do not offer credit recovery to English learners.").run()
    at.checkbox(key=f"rc_actionable_{pid}").check().run()
    at.text_input(key=f"rc_why_{pid}_0").input("Seniors fall behind on credits").run()
    assert not at.warning
    saved = store.load(rated.id).priorities[0]
    assert saved.actionable and saved.whys == ["Seniors fall behind on credits"]
    assert saved.root_cause.startswith("Advisers")
    labels = [b.label for b in at.get("download_button")]
    assert "Priorities (CSV)" in labels and "Priorities, root causes and plan (XLSX)" in labels


def test_presentation_mode_hides_editing(run, rated, store):
    p = store.load(rated.id)
    root_causes.add_priority(p, [], "Graduation").root_cause = "Advisers do not offer credit recovery."
    store.save(p)
    rubric.set_consensus(p, rubric.indicator_ids(p)[2], "planning")  # four areas of need in the first rubric area
    long = "Minutes of the data team's last six meetings; the attendance and grades dashboards; interviews " * 2
    rubric.set_consensus(p, rubric.indicator_ids(p)[1], "partial", evidence=long)  # 192 characters: a tall row
    p.votes.append(Vote(member_id="ana", indicator_ids=rubric.indicator_ids(p)[:2]))
    store.save(p)
    at = run()
    at.sidebar.toggle[0].set_value(True).run()
    # on the shared screen, a slide at a time: each area's needs (three rows a slide), the votes, each priority
    titles, rows, text = [], 0, []
    while True:
        assert not at.exception and not at.text_area and not at.multiselect
        assert not [b for b in at.button if b.label == "Add priority"]
        titles.append(at.header[0].value)
        assert all(len(t.value) <= 5 for t in at.table)
        if any(long.strip() in " ".join(map(str, t.value.to_numpy().ravel())) for t in at.table):
            assert len(at.table[0].value) <= 2  # beside the tall row, one more at most
        rows += sum(len(t.value) for t in at.table if "To find out" in t.value.columns)
        text += [m.value for m in (*at.markdown, *at.caption)]
        if titles[-1].startswith("Priority"):
            break
        next(b for b in at.button if b.key == "sg_deck_next").click().run()
    needs = root_causes.areas_of_need(store.load(rated.id), rubric.load_rubric(p))
    assert rows == len(needs) == 4 and "The team's votes" in titles
    # four rows, one of them tall: three slides ("(1 of 3)" ...), every row on one of them
    assert [t for t in titles if t.startswith("Areas of need")] == [
        f"Areas of need · Data-based decision making ({k} of 3)" for k in (1, 2, 3)]
    assert titles[-1] == "Priority 1: Graduation" and any("Advisers do not offer credit recovery" in m for m in text)
    assert any("Not voted yet: Ben" in m for m in text)
