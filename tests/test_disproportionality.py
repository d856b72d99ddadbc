"""Issue #19: a state equity team checks the app's disproportionality figures against the federal rule
(34 CFR 300.647) and the IDEA Data Center's calculators, district by district, by hand."""

import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from successgaps import cli
from successgaps.engine import columns, suppression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the bench's state generator
from bench import state as state_bench  # noqa: E402

HEAD = "district,year,group_type,student_group,outcome,n,events\n"
ID = "Identified for special education"


def rows(district, year, counts, outcome=ID):
    """CSV lines of one district and year: counts = {group: (n, events)}, plus its all-students row."""
    lines = [f"{district},{year},Race/ethnicity,{g},{outcome},{n},{e}" for g, (n, e) in counts.items()]
    n_all, e_all = sum(n for n, _ in counts.values()), sum(e for _, e in counts.values())
    return "\n".join(lines + [f"{district},{year},All,All students,{outcome},{n_all},{e_all}"]) + "\n"


# District A: Black 40 of 200 (20%), White 70 of 700 (10%), Hispanic 15 of 100 (15%).
# District B: 300 Black children, but only 28 other children: too few to compare with.
DISTRICT_A = {"Black": (200, 40), "White": (700, 70), "Hispanic": (100, 15)}
DISTRICT_B = {"Black": (300, 60), "White": (20, 2), "Hispanic": (8, 1)}
# The state: Black 20% of children, White 50%, Hispanic 30%; 10,000 of 100,000 children identified.
STATE = {"Black": (20_000, 3_000), "White": (50_000, 4_000), "Hispanic": (30_000, 3_000)}


@pytest.fixture
def state_files(tmp_path):
    districts = tmp_path / "districts.csv"
    districts.write_text(HEAD + rows("A", "2022-23", DISTRICT_A) + rows("B", "2022-23", DISTRICT_B))
    state = tmp_path / "state.csv"
    state.write_text("year,group_type,student_group,outcome,n,events\n" + "".join(
        line.split(",", 1)[1] + "\n" for line in rows("S", "2022-23", STATE).splitlines()))
    return districts, state


def screen(capsys, *args) -> pd.DataFrame:
    code = cli.main([str(a) for a in args] + ["--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return pd.DataFrame(json.loads(out))


def row(table, district, group, outcome=ID, year=None):
    found = table[(table["district"] == district) & (table["group"].str.startswith(group))
                  & (table["outcome"] == outcome) & (table["level"] == "district")]
    if year:
        found = found[found["year"] == year]
    assert len(found) == 1, found
    return found.iloc[0]


def test_the_six_new_columns_come_after_todays_columns_in_their_order():
    assert columns.COLUMNS[:26] == [
        "level", "school", "year", "dimension", "group", "outcome", "n", "events", "rate", "rate_low",
        "rate_high", "mean", "comparison", "comparison_n", "comparison_rate", "comparison_mean",
        "difference", "risk_ratio", "effect_size", "ci_low", "ci_high", "p_value", "suppressed",
        "suppression_reason", "district", "note"]
    assert columns.COLUMNS[26:] == ["risk_ratio_comparison", "alternate_risk_ratio", "weighted_risk_ratio",
                                    "composition", "comparison_composition", "composition_difference"]
    assert set(columns.COLUMNS[27:]) <= set(suppression.HIDDEN_WHEN_SUPPRESSED)


def test_risk_ratio_weighted_risk_ratio_and_composition_match_the_hand_calculation(state_files, capsys):
    districts, state = state_files
    table = screen(capsys, "screen", districts, "--by", "district", "--state-comparison", state)
    black = row(table, "A", "Black")
    assert black["rate"] == pytest.approx(40 / 200)  # risk
    # against all other children of the district: (70 + 15) of (700 + 100)
    assert black["risk_ratio_comparison"] == "all others"
    assert black["risk_ratio"] == pytest.approx(0.20 / (85 / 800))  # 1.88
    # weighted by the state's make-up (IDC): 0.20 / ((0.5 × 0.10 + 0.3 × 0.15) / (1 − 0.2)) = 1.684
    assert black["weighted_risk_ratio"] == pytest.approx(0.20 / ((0.5 * 0.10 + 0.3 * 0.15) / (1 - 0.2)))
    # against all other children of the state: (10,000 − 3,000) / (100,000 − 20,000) = 8.75%
    assert black["alternate_risk_ratio"] == pytest.approx(0.20 / 0.0875)
    # 40 of the district's 125 identified children are Black; 200 of its 1,000 children
    assert black["composition"] == pytest.approx(40 / 125)
    assert black["comparison_composition"] == pytest.approx(200 / 1000)
    assert black["composition_difference"] == pytest.approx((0.32 - 0.2) / 0.2)


def test_a_group_whose_comparison_is_too_small_is_compared_with_the_state(state_files, capsys):
    districts, state = state_files
    table = screen(capsys, "screen", districts, "--by", "district", "--state-comparison", state)
    black = row(table, "B", "Black")  # 28 other children: below the n-size of 30
    assert not black["suppressed"]
    assert black["risk_ratio_comparison"] == "state"
    assert black["comparison_rate"] == pytest.approx(0.0875)
    assert black["risk_ratio"] == pytest.approx(0.20 / 0.0875) == black["alternate_risk_ratio"]  # 2.29
    assert pd.isna(black["comparison_n"])  # the state's children are not the district's comparison
    # the district's other groups are hidden (20 and 8 children), so no weighted ratio can be built
    # without their risks: it stays blank rather than let a hidden risk into a shown figure
    assert pd.isna(black["weighted_risk_ratio"])
    white = row(table, "B", "White")
    assert white["suppressed"]
    assert all(pd.isna(white[c]) for c in ["alternate_risk_ratio", "weighted_risk_ratio", "composition",
                                          "comparison_composition", "composition_difference"])


def test_without_a_state_file_the_state_rows_of_the_same_file_give_the_alternate(state_files, capsys):
    districts, _ = state_files
    table = screen(capsys, "screen", districts, "--by", "district")
    black = row(table, "B", "Black")
    # the file's state: 188 of 1,328 children identified, 100 of the 500 Black children
    assert black["risk_ratio_comparison"] == "state"
    assert black["risk_ratio"] == pytest.approx(0.20 / (88 / 828))


def listing(capsys, path, *extra) -> pd.DataFrame:
    code = cli.main(["screen", str(path), "--by", "district", "--list", "--format", "json", *map(str, extra)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return pd.DataFrame(json.loads(out))


def test_a_risk_ratio_of_exactly_two_does_not_exceed_two(tmp_path, capsys):
    path = tmp_path / "two.csv"
    others = {"White": (300, 30), "Hispanic": (200, 20)}  # 50 of 500: 10%
    path.write_text(HEAD + rows("Exactly", "2022-23", {"Black": (200, 40), **others})  # 20%: ratio 2.00
                    + rows("Above", "2022-23", {"Black": (200, 41), **others}))  # 20.5%: ratio 2.05
    found = listing(capsys, path)
    assert list(found["district"]) == ["Above"]
    assert found["risk_ratio"].iloc[0] == pytest.approx(2.05)


def test_a_missing_school_year_breaks_the_run_and_the_list_names_the_years(tmp_path, capsys):
    path = tmp_path / "years.csv"
    high = {"Black": (200, 60), "White": (500, 50), "Hispanic": (300, 30)}  # 30% against 10%: ratio 3
    path.write_text(HEAD + "".join(rows("Gap", y, high) for y in ("2019-20", "2021-22", "2022-23"))
                    + "".join(rows("Steady", y, high) for y in ("2019-20", "2020-21", "2021-22", "2022-23")))
    found = listing(capsys, path).set_index("district")
    assert found.loc["Steady", "years_flagged"] == 3
    assert found.loc["Steady", "flagged_years"] == "2020-21, 2021-22, 2022-23"
    assert found.loc["Gap", "years_flagged"] == 2  # 2020-21 is missing: 2019-20 does not count
    assert found.loc["Gap", "flagged_years"] == "2021-22, 2022-23"


def test_reasonable_progress_is_a_fall_of_the_set_amount_in_each_of_the_two_prior_years(tmp_path, capsys):
    path = tmp_path / "progress.csv"
    others = {"White": (500, 50), "Hispanic": (500, 50)}  # 10%
    path.write_text(HEAD + "".join(rows("Falling", y, {"Black": (1000, e), **others})  # ratios 3.0, 2.7, 2.4
                                   for y, e in (("2020-21", 300), ("2021-22", 270), ("2022-23", 240))))
    assert bool(listing(capsys, path, "--reasonable-progress", "0.25")["reasonable_progress"].iloc[0])
    assert not listing(capsys, path, "--reasonable-progress", "0.35")["reasonable_progress"].iloc[0]
    assert not listing(capsys, path)["reasonable_progress"].iloc[0]  # off unless the state sets an amount


STUDENTS = "student_id,school,year,race,iep,suspended\n"


def test_among_children_with_disabilities_compares_with_other_children_with_disabilities(tmp_path, capsys):
    # children with disabilities: Black 12 of 40 suspended, White 10 of 100; without: 4 of 200, 16 of 800
    groups = [("B", 1, 40, 12), ("W", 1, 100, 10), ("B", 0, 200, 4), ("W", 0, 800, 16)]
    lines, k = [], 0
    for race, iep, n, e in groups:
        for i in range(n):
            k += 1
            lines.append(f"{k},S1,2022-23,{race},{iep},{int(i < e)}")
    path = tmp_path / "students.csv"
    path.write_text(STUDENTS + "\n".join(lines) + "\n")
    table = screen(capsys, "screen", path, "--among", "iep=1", "--group", "race", "--group", "iep",
                   "--outcome", "suspended")
    black = table[table["group"].str.startswith("Black")].iloc[0]
    assert black["n"] == 40 and black["events"] == 12
    assert black["comparison_n"] == 100 and black["comparison_rate"] == pytest.approx(0.10)
    assert black["risk_ratio"] == pytest.approx(3.0)
    assert "among" in black["comparison"]
    assert set(table["dimension"]) == {"Race/ethnicity"}  # the disability dimension itself is not screened
    everyone = screen(capsys, "screen", path, "--group", "race", "--outcome", "suspended")
    black_all = everyone[everyone["group"].str.startswith("Black")].iloc[0]
    assert black_all["risk_ratio"] == pytest.approx((16 / 240) / (26 / 900))


def test_among_needs_a_student_file_and_says_so_in_one_sentence(state_files, capsys):
    districts, _ = state_files
    code = cli.main(["screen", str(districts), "--among", "race=Black"])
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # after the data-quality warnings, one sentence
    assert code != 0 and last.startswith("Error:") and "student-level file" in last and "Traceback" not in err


def test_state_mode_lists_the_districts_the_rule_would_from_its_own_text(tmp_path, capsys):
    """A generated state of 300 districts: the app's list equals the rule computed independently
    (bench/state.py's reference, pandas), district by district, ratio by ratio."""
    frame = state_bench.generate(300, 3)
    path, state = tmp_path / "state.csv", tmp_path / "state_totals.csv"
    frame.to_csv(path, index=False)
    state_bench.state_file(frame).to_csv(state, index=False)
    found = listing(capsys, path, "--state-comparison", state)
    expected = state_bench.reference(frame, state_bench.state_file(frame)).rename(columns={"student_group": "group"})
    keys = ["district", "group", "outcome"]
    both = found.merge(expected, on=keys, how="outer", suffixes=("", "_rule"), indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"][keys]
    assert (both["years_flagged"] == both["years_flagged_rule"]).all()
    assert both["risk_ratio"].to_numpy() == pytest.approx(both["risk_ratio_rule"].to_numpy())
    assert (both["risk_ratio_comparison"] == both["against"]).all()
    # the planted districts are there for three years: every 25th identifies Black children 3 times as often
    planted = found[(found["group"] == "Black or African American") & (found["outcome"] == ID)]
    assert {f"D{d:04d}" for d in range(0, 300, 25)} <= set(planted.loc[planted["years_flagged"] == 3, "district"])
    assert {"identification", "placement", "discipline"} <= set(found["category"])


def test_state_mode_writes_a_pdf_and_a_spreadsheet(state_files, tmp_path, capsys):
    from tests.test_reports import pdf_text  # poppler's pdftotext, as the reports' own tests read PDFs

    districts, state = state_files
    pdf, xlsx = tmp_path / "list.pdf", tmp_path / "list.xlsx"
    for out in (pdf, xlsx):
        assert cli.main(["screen", str(districts), "--by", "district", "--state-comparison", str(state), "--list",
                         "--risk-ratio-threshold", "1.5", "--out", str(out)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Districts above the risk-ratio threshold" in pdf_text(pdf.read_bytes(), tmp_path)
    assert pd.ExcelFile(io.BytesIO(xlsx.read_bytes())).sheet_names == ["Districts"]
    sheet = pd.read_excel(io.BytesIO(xlsx.read_bytes()))
    assert list(sheet["District"]) == ["B", "A"]  # 2.29 against the state, then 1.88 against all others
    assert list(sheet["Risk ratio against"]) == ["state", "all others"]


def test_the_list_pdf_never_cuts_a_word_in_two(tmp_path):
    """A facilitator prints the list for the meeting: its sixteen columns share a landscape page, and a long word
    ("disadvantaged", "Race/ethnicity") stays whole in its column instead of breaking as "disadvantag / ed"."""
    from successgaps.outputs import disproportionality as report  # noqa: PLC0415
    from successgaps.models import GapSettings  # noqa: PLC0415
    from successgaps.outputs.pdf import Document  # noqa: PLC0415
    from tests.test_reports import pdf_text  # noqa: PLC0415 - poppler's pdftotext, as the reports' own tests

    rows = [{"district": f"Excel Center for Adult Learners ({1800093 + i})", "school": "",
             "group": ("Economically disadvantaged", "Native Hawaiian or Other Pacific Islander", "White")[i % 3],
             "outcome": "Four-year graduation", "risk_ratio": 4.5 - i / 10, "years_flagged": 1 + i % 3, "risk": 0.21,
             "n": 1531, "category": "other", "dimension": ("Economic disadvantage", "Race/ethnicity")[i % 2],
             "flagged_years": "2012-13, 2013-14, 2014-15", "reasonable_progress": False, "year": "2014-15",
             "risk_ratio_comparison": "all others", "alternate_risk_ratio": 0.96, "weighted_risk_ratio": None}
            for i in range(12)]
    text = pdf_text(report.list_pdf(pd.DataFrame(rows), GapSettings()), tmp_path)
    words = set(text.split())
    for whole in ("disadvantaged", "Race/ethnicity", "disadvantage", "Islander", "graduation", "Reasonable",
                  "threshold", "Alternate"):
        assert whole in words, whole
    assert not {"disadvantag", "Race/ethnicit", "graduatio"} & words
    # the widths: every column at least its longest word; the page's width shared out whole
    doc = Document("t", "p", landscape=True)
    people = report.readable_list(pd.DataFrame(rows))
    texts = [[str(v) for v in row] for row in people.itertuples(index=False)]
    widths = doc.fit_widths(list(people.columns), texts, None, 6.5)
    assert sum(widths) == pytest.approx(doc.epw)
    doc.set_font("DejaVu", "", 6.5)
    for j, width in enumerate(widths):
        assert width >= max(doc.get_string_width(w) for row in texts for w in row[j].split())
