"""The spreadsheet export: one sheet per table, read back as a team member's spreadsheet would."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from successgaps.outputs.workbook import project_workbook, workbook
from tests.test_reports import FAMILY, full_project


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_text_that_looks_like_a_formula_stays_text():
    typed = ["=HYPERLINK(\"http://evil\",\"click\")", "+1+1", "-2 points behind", "@SUM(A1)", "\t=1", "plain"]
    book = read(workbook({"Notes": pd.DataFrame({"What the team typed": typed, "Votes": [1, -2, 3, 4, 5, 6]})}))
    sheet = book["Notes"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == typed  # exactly what was typed, shown as text
    assert all(c.data_type == "s" for c in cells)  # no cell is a formula
    assert all(c.quotePrefix for c in cells[:5]) and not cells[5].quotePrefix
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [1, -2, 3, 4, 5, 6]  # numbers stay numbers


def test_sheet_names_are_valid_and_unique():
    book = read(workbook({"Plan: 2025/26 [draft]": pd.DataFrame({"a": [1]}),
                          "plan: 2025/26 [draft]": pd.DataFrame({"a": [2]}),
                          "A very long sheet name that Excel would refuse": pd.DataFrame({"a": [3]})}))
    assert all(len(name) <= 31 and not set("[]:*?/\\") & set(name) for name in book.sheetnames)
    assert len(set(n.lower() for n in book.sheetnames)) == 3


def test_project_workbook_round_trips_every_table():
    project = full_project()
    project.steps[0].text = "=cmd|' /C calc'!A0"  # a hostile step name
    book = read(project_workbook(project))
    assert book.sheetnames == ["Gaps", "Gap statements", "Rubric ratings", "Priorities", "Root causes", "Goals",
                               "Action steps", "Reviews", "Plan history"]
    statements = rows(book["Gap statements"])
    header = statements[0]
    focus = dict(zip(header, statements[1]))
    assert focus["Focus"] == "yes" and focus["rate"] == 0.712 and focus["comparison_rate"] == 0.893
    assert focus["Group"] == "English learners"
    ratings = {r[2]: dict(zip(rows(book["Rubric ratings"])[0], r)) for r in rows(book["Rubric ratings"])[1:]}
    first = ratings["Decisions are driven by data disaggregated by student group"]
    assert first["Consensus"] == "Planning" and first["Consensus evidence"] == "Results are only reviewed once a year."
    assert first[f"{FAMILY}: rating"] == "Planning"  # names with diacritics survive
    steps = book["Action steps"]
    hostile = next(c for row in steps.iter_rows(min_row=2) for c in row if c.value == "=cmd|' /C calc'!A0")
    assert hostile.data_type == "s"
    assert not any(c.data_type == "f" for sheet in book for row in sheet.iter_rows() for c in row)
    reviews = rows(book["Reviews"])
    assert ["Counsellor on leave" in r for r in reviews].count(True) == 1
    assert rows(book["Gaps"]) == [[*rows(book["Gaps"])[0]]]  # no data set: the header only
