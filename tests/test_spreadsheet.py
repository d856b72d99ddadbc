"""The CSV writer: column-wise, and byte for byte the text of the per-cell writer it replaced."""

import numpy as np
import pandas as pd
import pytest

from successgaps.engine import columns, suppression
from successgaps.engine.screen import screen
from successgaps.outputs import spreadsheet

HOSTILE = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tTab", "\rCR", "=HYPERLINK(\"http://x\",\"y\")", "plain",
           "a, b", 'say "hi"', "two\nlines", "cr\rinside", " lead", "", "'already", "é accents ü", "=",
           "-", "x=1", "100%", "1,5", "\"=quoted\"", "emoji 🙂", "nul\x01ctl"]


def old_csv_text(frame: pd.DataFrame) -> str:
    """The writer before: a Python function on every cell, then pandas' to_csv."""
    safe = frame.map(lambda v: "'" + v if spreadsheet.is_formula_like(v) else v)
    safe.columns = ["'" + str(c) if spreadsheet.is_formula_like(str(c)) else c for c in safe.columns]  # issue 22
    return safe.to_csv(index=False)


def hostile_table(rows: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    text = rng.choice(np.array(HOSTILE, dtype=object), rows)
    with_missing = text.copy()
    with_missing[rng.random(rows) < 0.2] = None
    floats = rng.standard_normal(rows) * 10.0 ** rng.integers(-8, 18, rows)
    floats[rng.random(rows) < 0.1] = np.nan
    floats[:6] = [0.1 + 0.2, 1.0, -0.0, np.inf, -np.inf, 1e16]
    ints = rng.integers(-10**12, 10**12, rows)
    masked = pd.array(rng.integers(0, 500, rows), dtype="Int64")
    masked[rng.random(rows) < 0.3] = pd.NA
    masked_float = pd.array(floats, dtype="Float64")
    return pd.DataFrame({
        "object text": pd.Series(with_missing, dtype=object),
        "str text": pd.Series(with_missing, dtype="str"),
        "string text": pd.Series(with_missing, dtype="string"),
        "arrow text": pd.Series(with_missing, dtype="string[pyarrow]"),
        "category": pd.Categorical(text),
        "float": floats, "int": ints, "Int64": masked, "Float64": masked_float,
        "bool": rng.random(rows) < 0.5,
        "boolean": pd.array(np.where(rng.random(rows) < 0.2, None, rng.random(rows) < 0.5), dtype="boolean"),
        "=header, \"hostile\"": rng.choice(np.array(["-x", "y"], dtype=object), rows),
    })


def test_the_csv_is_byte_for_byte_the_old_writers_on_hostile_text_and_every_kind_of_column():
    frame = hostile_table()
    assert all(spreadsheet._csv_column(frame[c], {}, 0) is not None for c in frame)  # every column the fast way
    assert spreadsheet.csv_text(frame) == old_csv_text(frame)
    assert spreadsheet.csv_bytes(frame) == old_csv_text(frame).encode("utf-8-sig")
    for name in frame.columns:  # one column at a time, too (a lone column quotes an empty field)
        assert spreadsheet.csv_text(frame[[name]]) == old_csv_text(frame[[name]]), name
    assert spreadsheet.csv_text(frame.iloc[:0]) == old_csv_text(frame.iloc[:0])


def test_a_csv_file_written_a_slice_of_rows_at_a_time_is_the_same_file(tmp_path):
    """The command writes a large table's CSV in slices, so its text is never all in memory at once."""
    frame = hostile_table()
    for rows in (7, len(frame), 10 * len(frame)):
        spreadsheet.csv_write(frame, tmp_path / "gaps.csv", rows=rows)
        assert (tmp_path / "gaps.csv").read_bytes() == old_csv_text(frame).encode("utf-8"), rows
    spreadsheet.csv_write(frame.iloc[:0], tmp_path / "empty.csv", rows=7)
    assert (tmp_path / "empty.csv").read_bytes() == old_csv_text(frame.iloc[:0]).encode("utf-8")
    mixed = pd.DataFrame({"a": pd.Series([1, "=x", None, 2.5] * 3, dtype=object), "b": ["y"] * 12})  # the old way
    spreadsheet.csv_write(mixed, tmp_path / "mixed.csv", rows=5)
    assert (tmp_path / "mixed.csv").read_bytes() == old_csv_text(mixed).encode("utf-8")


@pytest.mark.parametrize("column", [
    pd.Series([1, "=x", None, 2.5], dtype=object),  # mixed objects
    pd.Series(pd.to_datetime(["2024-01-02 00:00:00", None, "2025-03-04 05:06:07"])),
    pd.Series(np.array([0.1, 2.5, np.nan], dtype="float32")),
    pd.Categorical([1.5, 2.0, None]),
])
def test_a_column_the_fast_writer_does_not_know_goes_the_old_way(column):
    frame = pd.DataFrame({"a": column, "b": ["=1", "x", "-"][: len(column)] + ["y"] * (len(column) - 3)})
    assert spreadsheet.csv_text(frame) == old_csv_text(frame)


def test_a_gap_table_is_written_as_before(tmp_path):
    from successgaps.data import datasets, views
    from successgaps.process import sample
    from successgaps.store import Store

    path = tmp_path / "students.csv"
    sample.generate(students_per_grade=40).to_csv(path, index=False)
    store = Store(tmp_path / "workspace")
    try:
        project = store.create("csv")
        dataset = datasets.create_dataset(store, project, path, path.name)
        table = screen(store.cursor(), views.prepare(store.cursor(), project, dataset), by_school=True)
    finally:
        store.close()
    table = suppression.for_export(table)[columns.COLUMNS]
    table.loc[table.index[:3], "school"] = ["=cmd|' /C calc'!A0", "+1", "@x, \"y\""]
    assert spreadsheet.csv_text(table) == old_csv_text(table)
    assert "\ndistrict,'=cmd|' /C calc'!A0," in spreadsheet.csv_text(table)
    assert all(spreadsheet._csv_column(table[c], {}, 0) is not None for c in table)  # no column takes the slow path


def test_the_workbooks_illegal_characters_are_openpyxls():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assert spreadsheet.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern


def test_numbers_of_every_size_are_written_as_pandas_writes_them():
    rng = np.random.default_rng(2)
    x = rng.standard_normal(100_000) * 10.0 ** rng.integers(-30, 30, 100_000)
    edges = [1.0, 0.1, 1e16, 1e-5, 1e-4, 123456789012345.0, 1e15, -0.0, 0.0, 0.1 + 0.2, 5e-324, 9999999999999998.0,
             np.inf, -np.inf, np.nan, 1.7976931348623157e308, 2.0**53, 1 / 3]
    frame = pd.DataFrame({"x": np.concatenate([edges, x]), "p": np.concatenate([edges, rng.random(100_000)]),
                          "n": np.concatenate([[0, -1, 2**62, -(2**63)], rng.integers(-10**18, 10**18, 100_014)])})
    assert spreadsheet.csv_text(frame) == old_csv_text(frame)
