"""Small word helpers shared by several layers."""

from __future__ import annotations

import re

FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would run as a formula (starts with =, +, -, @, tab or CR); every
    file writer (`outputs.spreadsheet`, the rating workbook) keeps such text as text."""
    return isinstance(value, str) and bool(FORMULA_START.match(value))


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 member', '3 members', '0 gap statements'."""
    return f"{n} {word if n == 1 else many or word + 's'}"
