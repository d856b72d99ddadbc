"""The EDFacts public-file layout: columns like ALL_RATE_1415 or MBL_MTH00PCTPROF_1718 that come in
count/rate pairs, one pair per student group and measure, the school year in the suffix.

`edfacts_columns` recognises them, `EDFACTS_GROUPS` names the groups, `school_year` reads the
suffix ('1415' -> '2014-15'), `edfacts_pairs` pairs a data set's mapped count and rate columns.
Another public file layout goes in a module of its own beside this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import ColumnMap, DataSet
from .prepared import ALL_DIMENSION, ALL_GROUP

_EDFACTS = re.compile(r"^(?P<group>[A-Za-z]+)_(?P<measure>[A-Za-z0-9]*?)_?(?P<kind>COHORT|RATE|NUMVALID|PCTPROF)_"
                      r"(?P<year>\d{4})$", re.I)
EDFACTS_GROUPS = {
    "ALL": (ALL_DIMENSION, ALL_GROUP),
    "MAM": ("Race/ethnicity", "American Indian or Alaska Native"),
    "MAS": ("Race/ethnicity", "Asian"),
    "MAP": ("Race/ethnicity", "Asian/Pacific Islander"),
    "MBL": ("Race/ethnicity", "Black or African American"),
    "MHI": ("Race/ethnicity", "Hispanic/Latino"),
    "MNP": ("Race/ethnicity", "Native Hawaiian or Other Pacific Islander"),
    "MTR": ("Race/ethnicity", "Two or more races"),
    "MWH": ("Race/ethnicity", "White"),
    "CWD": ("Disability", "Children with disabilities"),
    "ECD": ("Economic disadvantage", "Economically disadvantaged"),
    "LEP": ("English learner status", "English learners"),
    "MIG": ("Migrant status", "Migrant students"),
    "HOM": ("Homeless status", "Homeless students"),
    "FCS": ("Foster care", "Students in foster care"),
    "MIL": ("Military-connected", "Military-connected students"),
    "F": ("Sex", "Female"),
    "M": ("Sex", "Male"),
}
_SUBJECTS = {"MTH": "Math", "RLA": "Reading/language arts", "ELA": "English language arts", "SCI": "Science"}


@dataclass(frozen=True)
class EdfactsColumn:
    group: str
    measure: str
    kind: str  # COHORT | RATE | NUMVALID | PCTPROF
    year: str  # "1415"

    @property
    def is_count(self) -> bool:
        return self.kind in ("COHORT", "NUMVALID")

    @property
    def key(self) -> tuple[str, str, str]:
        return self.group, self.measure, self.year


def edfacts_columns(names: list[str]) -> dict[str, EdfactsColumn]:
    """EDFacts public-file columns like ALL_RATE_1415 or MBL_MTH00PCTPROF_1718 that come in count/rate pairs."""
    found = {}
    for name in names:
        m = _EDFACTS.match(name)
        if m:
            found[name] = EdfactsColumn(m["group"].upper(), m["measure"].upper(), m["kind"].upper(), m["year"])
    rates = {c.key for c in found.values() if not c.is_count}
    counts = {c.key for c in found.values() if c.is_count}
    return found if rates and (rates & counts) else {}


def edfacts_suffix(names: list[str]) -> str:
    years = [c.year for c in edfacts_columns(names).values()]
    return max(set(years), key=years.count) if years else ""


def with_suffix(column: str, suffix: str) -> str:
    return re.sub(r"_\d{4}$", "_" + suffix, column) if _EDFACTS.match(column) else column


def school_year(suffix: str) -> str:
    """'1415' -> '2014-15'; any other text is returned as it is."""
    if re.fullmatch(r"\d{4}", suffix or ""):
        a, b = int(suffix[:2]), int(suffix[2:])
        if b == (a + 1) % 100:
            return f"{1900 + a if a >= 90 else 2000 + a}-{suffix[2:]}"
    return suffix


def measure_label(info: EdfactsColumn) -> str:
    if not info.measure:
        return "Four-year graduation" if info.kind in ("COHORT", "RATE") else "Proficiency"
    m = re.fullmatch(r"([A-Z]+)(\d{2}|HS)?", info.measure)
    subject = _SUBJECTS.get(m[1], m[1]) if m else info.measure
    grade = m[2] if m else None
    where = "" if grade in (None, "00") else ", high school" if grade == "HS" else f", grade {int(grade)}"
    return f"{subject} proficiency{where}"


def edfacts_pairs(dataset: DataSet) -> list[tuple[ColumnMap | None, ColumnMap]]:
    """(count column, rate column) for every mapped EDFacts rate column."""
    info = edfacts_columns([c.column for c in dataset.columns])
    counts = {info[c.column].key: c for c in dataset.columns if c.column in info and c.role == "count"}
    return [(counts.get(info[c.column].key), c) for c in dataset.columns if c.role == "rate" and c.column in info]
