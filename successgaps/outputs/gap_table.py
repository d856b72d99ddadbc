"""The gap table as files: what the command line writes, and the quick screen's CSV.

`export_table` keeps the published columns (`engine.columns.COLUMNS`, plus the range of the gap
when a rate is a range) of a table protected by `engine.suppression.for_export`; `write` writes it
as CSV or XLSX through the one safe writer (`spreadsheet`: formula-like text neutralised), or as
JSON (the text as it is: read by programs). `screen_csv` is the quick screen's whole table through
the one safe writer (`spreadsheet.csv_bytes`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..engine import columns, suppression
from ..errors import UserError
from . import spreadsheet

if TYPE_CHECKING:  # the command line imports this module: not the quick screen's statements
    from ..engine.quickscreen import QuickScreen


def export_table(table: pd.DataFrame) -> pd.DataFrame:
    """The published columns; difference_low/high are added when any difference is a range."""
    table = suppression.for_export(table)
    ranged = (table["difference_low"] != table["difference_high"]) & table["difference_low"].notna()
    return table[columns.COLUMNS + (["difference_low", "difference_high"] if ranged.any() else [])]


def write(table: pd.DataFrame, fmt: str, out: Path | None) -> None:
    if fmt == "xlsx":
        if out is None:
            raise UserError("An Excel table cannot go to the screen; add --out table.xlsx.")
        out.write_bytes(spreadsheet.workbook({"Gaps": table}))
        return
    if fmt == "csv" and out is not None:  # the CSV's bytes as made, without a round trip through str
        spreadsheet.csv_write(table, out)
        return
    text = table.to_json(orient="records", indent=1) + "\n" if fmt == "json" else spreadsheet.csv_text(table)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def screen_csv(quick: QuickScreen) -> bytes:
    """The whole screen (every level, school and year) as CSV, as exported elsewhere: `suppression.for_export`
    (already applied by `run`), the published columns, formula-like text neutralised."""
    return spreadsheet.csv_bytes(quick.table[columns.COLUMNS])
