"""Guidance: a team without a trained facilitator finds the explainer, the tips for every step, and
every figure of the gap table explained in plain words, with examples that match the sample district."""

import re

import pytest

from successgaps.outputs import handout
from successgaps.process import guidance

# The engine's result columns as issue #4 names them (used only if the engine does not list them).
ENGINE_COLUMNS = [
    "level", "school", "year", "dimension", "group", "outcome", "n", "events", "rate", "rate_low",
    "rate_high", "mean", "comparison", "comparison_n", "comparison_rate", "comparison_mean",
    "difference", "risk_ratio", "effect_size", "ci_low", "ci_high", "p_value", "suppressed",
    "suppression_reason",
]


def engine_columns() -> list[str]:
    try:
        from successgaps.engine import columns
    except ImportError:
        return ENGINE_COLUMNS
    return list(getattr(columns, "COLUMNS", ENGINE_COLUMNS)) + list(getattr(columns, "EXTRA_COLUMNS", []))


@pytest.mark.parametrize("column", engine_columns())
def test_every_column_of_the_gap_table_has_a_complete_glossary_entry(column):
    entry = guidance.term(column)  # KeyError here: a new engine column needs an entry in data/guidance.toml
    for part in (entry.short, entry.definition, entry.formula, entry.example, entry.when):
        assert part.strip()


# Issue #12, item 3: the metrics a team must be able to look up, by glossary key.
ISSUE_METRICS = {
    "rate": "rate", "comparison group": "comparison", "percentage-point gap": "percentage_point_gap",
    "risk ratio": "risk_ratio", "alternate risk ratio": "alternate_risk_ratio", "composition": "composition",
    "effect size": "effect_size", "confidence interval": "confidence_interval",
    "minimum n and cell size": "minimum_n", "suppression": "suppression",
    "complementary suppression": "complementary_suppression", "range-coded public data": "range_coded",
}


@pytest.mark.parametrize("words, key", ISSUE_METRICS.items())
def test_each_metric_the_issue_names_has_formula_example_and_when_to_use_it(words, key):
    entry = guidance.term(key)
    assert words.split()[0].lower() in entry.name.lower()
    assert entry.formula and entry.example and entry.when
    assert re.search(r"\d", entry.example), "a worked example has numbers"


def test_a_term_is_found_by_its_key_or_by_any_column_it_explains():
    assert guidance.term("ci_high") is guidance.term("confidence_interval")
    assert guidance.term("comparison_rate").key == "comparison"
    with pytest.raises(KeyError):
        guidance.term("odds_ratio")
    keys = [t.key for t in guidance.glossary()]
    assert len(keys) == len(set(keys))


def test_glossary_formulas_match_the_engine():
    assert "events ÷ n" in guidance.term("rate").formula
    assert "(rate − comparison_rate) × 100" in guidance.term("difference").formula
    assert "rate ÷ comparison_rate" in guidance.term("risk_ratio").formula
    assert "benchmark" in guidance.term("alternate_risk_ratio").formula
    assert "Newcombe" in guidance.term("ci_low").definition and "Wilson" in guidance.term("ci_low").definition
    assert "Fisher" in guidance.term("p_value").definition and "Welch" in guidance.term("p_value").definition
    assert "Hedges" in guidance.term("effect_size").name
    minimum = guidance.term("minimum_n")
    assert "30" in minimum.formula and "10" in minimum.formula
    coded = guidance.term("range_coded").formula
    assert '"GE95" = 95% to 100%' in coded and '"LT50" = 0% to 50%' in coded and '"PS"' in coded


# ---------------------------------------------------------------- worked examples = the sample district

@pytest.fixture(scope="module")
def district():
    from successgaps.process import sample

    frame = sample.generate()
    return frame[frame["school_year"] == "2024-25"]


def _count(frame, outcome):
    values = frame[outcome].dropna().astype(int)
    return int(values.sum()), len(values)


def test_graduation_examples_are_the_sample_districts_central_high(district):
    from successgaps.engine import stats

    central = district[district["school_name"] == "Central High"]
    e1, n1 = _count(central[central["english_learner"] == "Y"], "graduated_4yr")
    e2, n2 = _count(central[central["english_learner"] == "N"], "graduated_4yr")
    assert (e1, n1, e2, n2) == (55, 78, 398, 444)
    assert "55 ÷ 78 = 0.705" in guidance.term("rate").example
    assert "398 of 444 = 89.6%" in guidance.term("comparison").example
    difference = (e1 / n1 - e2 / n2) * 100
    assert f"{difference:.1f}".replace("-", "−") in guidance.term("difference").example
    low, high = stats.newcombe(e1, n1, e2, n2)
    assert f"{low * 100:.1f} to {high * 100:.1f}".replace("-", "−") in guidance.term("ci_low").example


def test_risk_ratio_and_composition_examples_are_the_sample_districts_suspensions(district):
    black = district["race_ethnicity"] == "B"
    e1, n1 = _count(district[black], "suspended_oss")
    e2, n2 = _count(district[~black], "suspended_oss")
    assert f"{e1} of {n1:,}" in guidance.term("risk_ratio").example
    assert f"= {(e1 / n1) / (e2 / n2):.2f}" in guidance.term("risk_ratio").example
    assert f"{e1} of {e1 + e2}" in guidance.term("composition").example
    assert f"{(n1 / len(district)) * 100:.1f}%" in guidance.term("composition").example


def test_effect_size_example_is_the_sample_districts_reading_scores(district):
    from successgaps.engine import stats

    scores = district.dropna(subset=["reading_scale_score"])
    swd = scores[scores["disability"] == "Y"]["reading_scale_score"].astype(float)
    others = scores[scores["disability"] == "N"]["reading_scale_score"].astype(float)
    g = stats.hedges_g(swd.mean(), swd.var(), len(swd), others.mean(), others.var(), len(others))
    example = guidance.term("effect_size").example
    assert f"= {g:.2f}".replace("-", "−") in example
    assert f"n {len(swd)}" in example


# ---------------------------------------------------------------- explainer and tips

def test_the_explainer_covers_outcomes_groups_why_and_the_five_steps():
    content = guidance.explainer()
    text = " ".join([content.summary] + [s.body + " " + " ".join(s.items) for s in content.sections]).lower()
    for words in ("dropping out", "graduat", "reading", "math", "after school", "discipline",
                  "special education", "race", "disability", "english learner", "low income", "migrant",
                  "why gaps matter"):
        assert words in text or words in " ".join(s.heading.lower() for s in content.sections), words
    steps = next(s for s in content.sections if s.numbered)
    assert len(steps.items) == 5


# Issue #12, item 2: what the facilitator tips must cover between them.
FACILITATOR_POINTS = ["team", "leadership", "meetings", "study_data", "safe_atmosphere", "every_voice",
                      "evidence", "affected_group", "root_causes", "review"]


def test_every_step_has_tips_and_together_they_cover_every_facilitator_point():
    assert sorted(guidance.points()) == sorted(FACILITATOR_POINTS)
    covered = set()
    for step in range(1, 8):
        tips = guidance.step_tips(step)
        assert len(tips) >= 3, f"step {step} needs tips"
        covered |= {p for tip in tips for p in tip.points}
    assert covered == set(FACILITATOR_POINTS)
    with pytest.raises(ValueError):
        guidance.step_tips(8)


def test_the_study_data_tip_comes_before_rating_the_rubric():
    text = " ".join(t.text for t in guidance.step_tips(4) if "study_data" in t.points).lower()
    assert "before rating" in text and "attendance" in text and "discipline" in text


def test_bad_guidance_content_is_refused_when_loaded(tmp_path):
    source = guidance.GUIDANCE_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "guidance.toml"
    broken.write_text(source.replace('columns = ["n"]', 'columns = ["n", "rate"]'), encoding="utf-8")
    with pytest.raises(ValueError, match="one glossary term"):
        guidance.load(broken)
    broken.write_text(source.replace('points = ["leadership"]', 'points = ["leadrship"]', 1), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown points"):
        guidance.load(broken)


def test_the_handout_is_a_one_page_pdf():
    pdf = handout.explainer_pdf()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1
