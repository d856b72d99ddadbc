"""Step 2 · Data: read uploads into DuckDB, propose a mapping, build the canonical view.

- `read_upload` loads a CSV/TSV/TXT (any common delimiter; UTF-8, UTF-8 with BOM,
  Windows-1252/Latin-1, UTF-16), an Excel sheet (pandas/openpyxl) or a Parquet file into one
  table, every column VARCHAR so codes like "000123", "PS" and "." survive. Bad input raises
  `UserError` with one sentence and leaves nothing behind.
- `detect` proposes the layout (student / aggregate_long / edfacts) and a `ColumnMap` per column.
- `prepare` builds the view described in `successgaps.prepared` over every file of a data set
  and, for student data, its cube (the sums the gap engine adds up), reused while nothing changes.
- `create_dataset`, `add_file`, `replace_file`, `delete_file`, `drop_unused_tables` manage the
  files of a data set; they change the `Project` in memory and the caller saves it.

Every identifier reaches SQL through `quote_ident`; values go as parameters, except inside the
view definition (DuckDB views take no parameters), where they go through `quote_literal`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .data.prepared import ALL_DIMENSION, ALL_GROUP, Dimension, Outcome, Prepared, cube_sql, outcome_sums
from .errors import UserError
from .models import ColumnMap, CombinedGroup, DataFile, DataSet, Project, new_id
from .sql import quote_ident, quote_literal

MAX_FILE_BYTES = 1024**3  # 1 GB: larger files are refused with a sentence
SAMPLE_ROWS = 20_000  # rows sampled for detection
MAX_CODES = 60  # a column with more distinct values is not a group dimension
DELIMITERS = (",", ";", "\t", "|")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
Progress = Callable[[float, str], None]
_PREPARE_LOCK = threading.Lock()  # one writer of a prepared table at a time (browser tabs share a process)


# ====================================================================== what columns and codes mean
# Names are compared after `norm()` (lower case, runs of other characters -> "_").

MISSING = ("", ".", "NA", "N/A", "na", "n/a", "NULL", "null", "None", "#N/A", "NaN", "nan", "-", "--")
SUPPRESSED = ("PS", "*", "**", "***", "SUPP", "SUPPRESSED", "DS", "RV", "S")
ALL_WORDS = ("all", "all students", "all_students", "allstudents", "total", "everyone", "all grades")
YES = ("1", "Y", "y", "YES", "Yes", "yes", "TRUE", "True", "true", "T", "1.0")
NO = ("0", "N", "n", "NO", "No", "no", "FALSE", "False", "false", "F", "0.0")

ROLE_NAMES = {
    "student_id": "student id", "school": "school", "school_name": "school name", "district": "district",
    "district_name": "district name", "year": "year", "grade": "grade", "group": "group", "outcome": "outcome",
    "count": "count", "numerator": "numerator", "rate": "rate", "dimension": "dimension name",
    "measure": "outcome name", "ignore": "ignore",
}


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_") or "column"


def clean_sql(expr: str) -> str:
    """A value with spaces trimmed; missing-value marks ('', '.', 'NA', 'NULL', ...) become NULL.
    (A MAP lookup: about eight times faster in DuckDB than `IN (...)`, which becomes a join.)"""
    marks = ", ".join(f"{quote_literal(v)}: true" for v in MISSING)
    return f"(CASE WHEN MAP {{{marks}}}[trim({expr})] THEN NULL ELSE trim({expr}) END)"


@dataclass(frozen=True)
class Profile:
    rows: int  # rows in the sample
    filled: int  # non-missing values
    distinct: int
    values: list[str]  # up to MAX_CODES + 1 distinct values
    numeric: int  # values that read as numbers
    low: float | None
    high: float | None

    @property
    def is_flag(self) -> bool:
        return bool(self.values) and set(self.values) <= set(YES) | set(NO)

    @property
    def is_number(self) -> bool:
        return self.filled > 0 and self.numeric >= 0.8 * self.filled


_ROLE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("student_id", r"(sid|ssid|sasid|lasid|id|student|student_?(id|number|no|num|key|identifier)|stu_?id|stuid|"
                   r"state_?student_?id|local_?student_?id|id_?student|unique_?id|pupil_?id)"),
    ("school_name", r"(school_?name|sch_?name|schnam|campus_?name|building_?name|school_?nm)"),
    ("school", r"(school|school_?(id|code|number|no|num|key)|sch_?(id|code|cd|num)?|campus(_?(id|code|number))?|"
               r"ncessch|building(_?(id|code))?|schid|schcd|st_?schid|state_?school_?id)"),
    ("district_name", r"(district_?name|dist_?name|leanm|lea_?name|district_?nm)"),
    ("district", r"(district|district_?(id|code|number)|dist_?(id|code)?|leaid|lea_?(id|code)?|distid|st_?leaid)"),
    ("year", r"(year|school_?year|sy|academic_?year|acad_?year|fiscal_?year|end_?year|schyear|yr|data_?year|"
             r"report_?year|cohort_?year)"),
    ("grade", r"(grade|grade_?level|grd|grade_?lvl|gradelevel|enrolled_?grade|grade_?enrolled|current_?grade|gr)"),
    ("ignore", r"(stnam|fipst|state|state_?name|state_?code|date_?cur|days_?enrolled|days_?in_?membership|"
               r"membership_?days|enrolled_?days|days_?membership|first_?name|last_?name|middle_?name|name|"
               r"birth_?date|dob|date_?of_?birth|address|phone|email|zip|zip_?code)"),
)
_LONG_PATTERNS: tuple[tuple[str, str], ...] = (
    ("dimension", r"(dimension|category|subgroup_?type|group_?type|student_?group_?type|demographic_?type|"
                  r"reporting_?category|demographic_?category|group_?category)"),
    ("group", r"(group|subgroup|student_?group|group_?name|subgroup_?name|demographic|population|reporting_?group|"
              r"student_?population)"),
    ("measure", r"(outcome|measure|indicator|metric|outcome_?name|measure_?name|indicator_?name|outcome_?type)"),
    ("numerator", r"(numerator|events|graduates|count_?met|n_?met|n_?proficient|number_?proficient|num_?proficient|"
                  r"met|num_?grads|number_?graduated|n_?events|n_?with_?outcome)"),
    ("count", r"(n|count|denominator|denom|cohort|cohort_?(count|size|n)|n_?students|number_?of_?students|students|"
              r"total|enrollment|num_?students|n_?size|tested|num_?tested|number_?tested|valid_?n|n_?tested|"
              r"student_?count|num_?valid)"),
    ("rate", r"(rate|pct|percent|percentage|proportion|pct_?prof|percent_?proficient|.*_rate|rate_.*|.*_pct|pct_.*|"
             r".*percent.*)"),
)

# (kind, name pattern, dimension label, yes label, no label)
_DIMENSIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("disability_category", r"(disability_?(category|type|code|cat)|primary_?disability|disab_?cat|sped_?category|"
                            r"idea_?category|primary_?exceptionality)", "Disability category", "", ""),
    ("race", r"(race|ethnicity|race_?ethnicity|race_?eth|raceeth|ethnic|fed_?race|federal_?race|race_?ethnic|"
             r"race_?code|ethnicity_?code|fed_?race_?eth)", "Race/ethnicity", "", ""),
    ("sex", r"(sex|gender|male|female|sex_?code|gender_?code)", "Sex", "", ""),
    ("english_learner", r"(english_?learners?|el|ell|lep|els|el_?status|lep_?status|ell_?status|limited_?english|"
                        r"el_?flag|ell_?flag|lep_?flag|emergent_?bilingual|eb)",
     "English learner status", "English learners", "Not English learners"),
    ("econ", r"(econ_?disadvantaged|eco_?dis|ecodis|econ_?dis|frl|frpl|low_?income|economically_?disadvantaged|"
             r"ed|econ|ses|frl_?status|free_?reduced(_?lunch)?|lunch_?status|econ_?disadv|ecd|econ_?flag)",
     "Economic disadvantage", "Economically disadvantaged", "Not economically disadvantaged"),
    ("disability", r"(disability|iep|swd|sped|special_?ed(ucation)?|idea|students_?with_?disabilities|disabled|"
                   r"has_?iep|sped_?flag|iep_?flag|disab|cwd|iep_?status|sped_?status)",
     "Disability", "Students with disabilities", "Students without disabilities"),
    ("migrant", r"(migrant|mig|migrant_?flag|migrant_?status)", "Migrant status", "Migrant students", "Not migrant"),
    ("homeless", r"(homeless|hom|homeless_?flag|homeless_?status|mckinney_?vento)", "Homeless status",
     "Homeless students", "Not homeless"),
    ("foster", r"(foster|foster_?care|fcs|foster_?flag)", "Foster care", "Students in foster care", "Not in foster care"),
    ("military", r"(military|military_?connected|mil|military_?flag)", "Military-connected",
     "Military-connected students", "Not military-connected"),
    ("section_504", r"(section_?504|s504|504|plan_?504|has_?504)", "Section 504", "Students with a 504 plan",
     "No 504 plan"),
    ("title_1", r"(title_?1|title_?i|title1|ti)", "Title I", "Title I", "Not Title I"),
    ("gifted", r"(gifted|gt|gate|gifted_?talented|gifted_?and_?talented)", "Gifted and talented",
     "Gifted and talented", "Not gifted and talented"),
    ("immigrant", r"(immigrant|immigrant_?flag)", "Immigrant status", "Immigrant students", "Not immigrant"),
)

_OUTCOME_PATTERN = re.compile(
    r"(grad|dropout|dropped|drop_?out|proficien|scale_?score|(^|_)ss($|_)|score|absent|absen|attend|suspen|expul|"
    r"expel|discipl|referral|(^|_)oss($|_)|(^|_)iss($|_)|retain|retention|(^|_)gpa($|_)|credit|chronic|"
    r"newly_?identified|identified|(^|_)pass|met_?standard|on_?track|completer|college|fail|incident|restraint|"
    r"seclusion|tardy|truan)")
_ABSENCE = re.compile(r"(days_?absent|absences|absent_?days|days_?missed|total_?absences|days_?absence)")
_ENROLLED = re.compile(r"(days_?enrolled|days_?in_?membership|membership_?days|enrolled_?days|days_?membership|"
                       r"days_?present_?and_?absent|instructional_?days)")
_WORSE = re.compile(r"(dropout|dropped|drop_?out|drop out|suspen|expul|expel|absen|absent|chronic|discipl|referral|"
                    r"retain|retention|restraint|seclusion|identif|incident|tardy|truan|fail|arrest|\boss\b|\biss\b|"
                    r"(^|_)oss|(^|_)iss)", re.I)

_LABELS = {
    "graduated": "Graduation", "graduated_4yr": "Four-year graduation", "graduated_5yr": "Five-year graduation",
    "grad_4yr": "Four-year graduation", "dropped_out": "Dropout", "dropout": "Dropout",
    "chronically_absent": "Chronic absence", "chronic_absence": "Chronic absence",
    "suspended_oss": "Out-of-school suspension", "suspended_iss": "In-school suspension",
    "newly_identified_sped": "Newly identified for special education",
    "sid": "Student id",
}
_WORDS = {"rdg": "reading", "ss": "scale score", "wrtg": "writing", "oss": "out-of-school suspension",
          "iss": "in-school suspension", "4yr": "four-year", "5yr": "five-year", "pct": "percent",
          "sped": "special education", "ell": "English learner", "lep": "English learner", "iep": "IEP",
          "num": "number", "grad": "graduation", "mth": "math", "ela": "ELA", "eco": "economic", "dis": "disadvantaged",
          "id": "id", "gpa": "GPA", "sy": "school year"}

_RACE = {  # norm(code) -> federal race/ethnicity label
    **dict.fromkeys(["h", "hi", "his", "hisp", "hispanic", "latino", "latinx", "hispanic_latino",
                     "hispanic_or_latino", "hispanic_latino_a", "mhi", "hispaniclatino", "5"], "Hispanic/Latino"),
    **dict.fromkeys(["b", "bl", "blk", "black", "african_american", "black_or_african_american",
                     "black_african_american", "mbl", "aa", "blackorafricanamerican"], "Black or African American"),
    **dict.fromkeys(["w", "wh", "wht", "white", "mwh", "caucasian"], "White"),
    **dict.fromkeys(["a", "as", "asn", "asian", "mas"], "Asian"),
    **dict.fromkeys(["i", "ai", "am", "amerind", "american_indian", "american_indian_or_alaska_native",
                     "american_indian_alaska_native", "native_american", "mam", "aian", "ain",
                     "americanindianoralaskanative"], "American Indian or Alaska Native"),
    **dict.fromkeys(["p", "pi", "nh", "hp", "nhpi", "pacific_islander", "native_hawaiian",
                     "native_hawaiian_or_other_pacific_islander", "native_hawaiian_other_pacific_islander", "mnp",
                     "nativehawaiianorotherpacificislander"], "Native Hawaiian or Other Pacific Islander"),
    **dict.fromkeys(["t", "m", "mr", "mu", "tr", "two", "two_or_more", "two_or_more_races", "multi", "multiracial",
                     "multiple", "multiple_races", "mtr", "2", "demographicracetwoormoreraces"], "Two or more races"),
}
_SEX = {"m": "Male", "male": "Male", "f": "Female", "female": "Female", "x": "Nonbinary", "n": "Nonbinary",
        "nonbinary": "Nonbinary", "non_binary": "Nonbinary"}
_EL = {"c": "English learners", "current": "English learners", "el": "English learners",
       "f": "Former English learners (monitored)", "s": "Former English learners (monitored)",
       "m": "Former English learners (monitored)", "former": "Former English learners (monitored)",
       "r": "Former English learners (monitored)", "monitored": "Former English learners (monitored)"}
_ECON_TX = {"0": False, "00": False, "1": True, "01": True, "2": True, "02": True, "9": True, "99": True}
_IDEA = {"sld": "Specific learning disability", "sli": "Speech or language impairment",
         "ohi": "Other health impairment", "aut": "Autism", "id": "Intellectual disability",
         "ed": "Emotional disturbance", "emd": "Emotional disturbance", "dd": "Developmental delay",
         "md": "Multiple disabilities", "hi": "Hearing impairment", "di": "Deafness", "vi": "Visual impairment",
         "oi": "Orthopedic impairment", "tbi": "Traumatic brain injury", "db": "Deaf-blindness", "oth": "Other"}

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


def _measure_label(info: EdfactsColumn) -> str:
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


def _match(patterns, name: str) -> str | None:
    key = norm(name)
    return next((role for role, pattern in patterns if re.fullmatch(pattern, key)), None)


def _dimension_kind(name: str) -> tuple[str, str, str, str] | None:
    key = norm(name)
    for kind, pattern, label, yes, no in _DIMENSIONS:
        if re.fullmatch(pattern, key):
            return kind, label, yes, no
    return None


def nice_label(name: str) -> str:
    key = norm(name)
    if key in _LABELS:
        return _LABELS[key]
    text = " ".join(_WORDS.get(w, w) for w in key.split("_"))
    return text[:1].upper() + text[1:]


def higher_is_better(label: str) -> bool:
    """Graduation, proficiency, attendance: higher is better; dropout, suspension, absence: worse."""
    return not _WORSE.search(norm(label)) and not _WORSE.search(str(label))


def guess_layout(names: list[str], profiles: dict[str, Profile]) -> str:
    roles = {_match(_ROLE_PATTERNS, n) for n in names if profiles[n].filled}
    long_roles = {_match(_LONG_PATTERNS, n) for n in names if profiles[n].filled}
    if "student_id" in roles:
        return "student"
    if "group" in long_roles and ({"count", "numerator", "rate"} & long_roles):
        return "aggregate_long"
    return "student"


def propose(column: str, profile: Profile, layout: str, info: EdfactsColumn | None) -> ColumnMap:
    """A proposed role, label and settings for one column, from its name and a sample of its values."""
    if layout == "edfacts":
        if info is not None:
            dimension, label = EDFACTS_GROUPS.get(info.group, ("Other groups", info.group))
            return ColumnMap(column=column, role="count" if info.is_count else "rate", label=label,
                             dimension=dimension, outcome=_measure_label(info), higher_is_better=True)
        role = _match(_ROLE_PATTERNS, column)
        role = role if role in ("school", "school_name", "district", "district_name", "year") else "ignore"
        return ColumnMap(column=column, role=role, label=nice_label(column))
    label = nice_label(column)
    if profile.filled == 0:
        return ColumnMap(column=column, role="ignore", label=label)
    role = _match(_LONG_PATTERNS, column) if layout == "aggregate_long" else None
    role = role or _match(_ROLE_PATTERNS, column)
    if role == "student_id" and norm(column) in ("id", "student") and profile.distinct < 0.5 * profile.filled:
        role = None
    if role is None:
        kind = _dimension_kind(column)
        if kind is not None:
            return ColumnMap(column=column, role="group", label=kind[1])
        if _OUTCOME_PATTERN.search(norm(column)) or (layout == "student" and _match(_LONG_PATTERNS, column) == "rate"):
            return _outcome(column, profile, label)
        if layout == "student" and profile.distinct <= 12 and not (profile.is_number and profile.distinct > 2):
            return ColumnMap(column=column, role="group", label=label)
        role = "ignore"
    if role == "group":
        return ColumnMap(column=column, role="group", label=label if layout != "aggregate_long" else "Student group")
    if role == "rate":
        return ColumnMap(column=column, role="rate", label=label, higher_is_better=higher_is_better(column))
    return ColumnMap(column=column, role=role, label=label)


def _outcome(column: str, profile: Profile, label: str) -> ColumnMap:
    better = higher_is_better(column)
    flags = [v for v in profile.values if v in YES or v in NO]
    mostly_flags = len(flags) >= 2 and len(profile.values) - len(flags) <= 1  # 1/0 plus a stray value
    if profile.is_flag or mostly_flags or not profile.is_number or profile.distinct <= 2:
        yes = [v for v in profile.values if v in YES]
        return ColumnMap(column=column, role="outcome", label=label, kind="binary", yes_values=yes,
                         higher_is_better=better)
    return ColumnMap(column=column, role="outcome", label=label, kind="numeric", higher_is_better=better)


def propose_codes(column: str, values: list[str], existing: dict[str, str]) -> dict[str, str]:
    """Labels for the codes of a group column. Codes of a known code set that it does not know stay
    out of the map (they are listed as unknown); a free-form column keeps each value as its own label."""
    codes = dict(existing)
    kind = _dimension_kind(column)
    name, yes, no = (kind[0], kind[2], kind[3]) if kind else ("", "", "")
    flag = bool(values) and set(values) <= set(YES) | set(NO)
    for raw in values:
        if raw in codes:
            continue
        key = norm(raw)
        label = None
        if name == "race":
            label = _RACE.get(key)
        elif name == "sex":
            label = _SEX.get(key) or ({"1": "Male", "0": "Female"}.get(raw) if norm(column) == "male" else
                                      {"1": "Female", "0": "Male"}.get(raw) if norm(column) == "female" else None)
        elif name == "english_learner":
            label = _EL.get(key) or (yes if raw in YES else no if raw in NO else None)
        elif name == "econ" and set(values) <= set(_ECON_TX):
            label = yes if _ECON_TX[raw] else no
        elif name == "disability_category":
            label = _IDEA.get(key, raw)
        elif name and flag:
            label = yes if raw in YES else no
        elif name:
            label = None
        elif flag:
            label = f"{nice_label(column)}: {'yes' if raw in YES else 'no'}"
        elif not _RACE.get(key) or len(values) > 12:
            label = raw
        else:  # a column with an unknown name that holds race/ethnicity codes
            label = _RACE[key] if sum(norm(v) in _RACE for v in values) >= 0.6 * len(values) else raw
        if label:
            codes[raw] = label
    return codes


def column_for(dataset: DataSet, role: str) -> str:
    """The (first) column with this role, or ''."""
    return next((c.column for c in dataset.columns if c.role == role), "")


def column_map(dataset: DataSet, column: str) -> ColumnMap:
    return next(c for c in dataset.columns if c.column == column)


# ====================================================================== reading files


def excel_sheets(data: bytes | Path) -> list[str]:
    """Names of the sheets of an Excel workbook, in workbook order."""
    import openpyxl  # noqa: PLC0415 - only needed for Excel

    try:
        source = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else str(data)
        book = openpyxl.load_workbook(source, read_only=True)
        try:
            return list(book.sheetnames)
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UserError("This Excel file cannot be opened; open it in Excel, save it as .xlsx and upload it again.") from exc


@contextlib.contextmanager
def spooled(upload, folder: Path | str) -> Iterator[Path]:
    """Write an uploaded file (bytes or a file-like object) to a temporary file in `folder`;
    yield its path and delete it afterwards (the workspace folder, so the data stay on this machine)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(upload, (bytes, bytearray)):
                out.write(upload)
            else:
                upload.seek(0)
                shutil.copyfileobj(upload, out, 8 * 1024**2)
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def read_upload(con: duckdb.DuckDBPyConnection, data: bytes | Path, filename: str, table: str, *,
                sheet: str | None = None, progress: Progress | None = None, tmp_dir: Path | None = None) -> int:
    """Load one file into `table` (quoted, qualified, not existing yet); every column VARCHAR.
    Returns the number of data rows. On any problem: `UserError`, and no table is left behind."""
    if isinstance(data, (bytes, bytearray)):
        with spooled(data, tmp_dir or tempfile.gettempdir()) as path:
            return read_upload(con, path, filename, table, sheet=sheet, progress=progress, tmp_dir=tmp_dir)
    path = Path(data)
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"{filename} is empty; export the data again and upload the new file.")
    if size > MAX_FILE_BYTES:
        raise UserError(f"{filename} is {size / 1024**2:,.0f} MB, more than the {MAX_FILE_BYTES / 1024**2:,.0f} MB "
                        "this app reads; upload fewer years or columns at a time.")
    report = progress or (lambda fraction, text: None)
    report(0.0, f"Reading {filename}")
    with open(path, "rb") as fh:
        head = fh.read(8)
    kind = _file_kind(head, filename)
    try:
        if kind == "parquet":
            _load_parquet(con, path, filename, table)
        elif kind == "excel":
            _load_excel(con, path, filename, table, sheet)
        else:
            _load_text(con, path, filename, table, report, tmp_dir)
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if rows == 0:
            raise UserError(f"{filename} has a header row but no data rows; export it again with the data.")
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        raise
    report(1.0, f"Read {rows:,} rows from {filename}")
    return rows


def _file_kind(head: bytes, filename: str) -> str:
    lower = filename.lower()
    if head.startswith(b"%PDF"):
        raise UserError(f"{filename} is a PDF document, not a data table; export the data as CSV or Excel and upload that.")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "excel"  # .xlsx is a zip; anything else zipped fails in openpyxl with a sentence
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(f"{filename} is an old Excel (.xls) or Office file; open it in Excel, save it as .xlsx or CSV, "
                        "and upload that.")
    if lower.endswith(".parquet") or lower.endswith(EXCEL_SUFFIXES):
        raise UserError(f"{filename} is damaged or is not really a {Path(lower).suffix} file; export it again.")
    return "text"


def _not_a_table(filename: str) -> UserError:
    return UserError(f"{filename} is not a text table (CSV), Excel or Parquet file; export the data as CSV or "
                     "Excel and upload that.")


def _encoding(path: Path, filename: str) -> str:
    """'utf-8' (with or without BOM), 'utf-16', or 'cp1252' (Windows-1252, a superset of Latin-1's letters)."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even < len(head) // 50:
            return "utf-16-le"
        if even > len(head) // 4 and odd < len(head) // 50:
            return "utf-16-be"
        raise _not_a_table(filename)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(16 * 1024**2):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _cp1252_or_latin1(error: UnicodeDecodeError):
    # The five bytes Windows-1252 leaves undefined decode as Latin-1.
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("sg_latin1", _cp1252_or_latin1)


def _transcode(path: Path, encoding: str, tmp_dir: Path | None) -> Path:
    fd, name = tempfile.mkstemp(prefix="utf8-", suffix=".csv", dir=tmp_dir)
    with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        reader = codecs.getreader(encoding)(src, errors="sg_latin1" if encoding == "cp1252" else "strict")
        try:
            while chunk := reader.read(8 * 1024**2):
                out.write(chunk)
        except UnicodeDecodeError:
            os.unlink(name)
            raise
    return Path(name)


def _dialect(sample: str, filename: str) -> tuple[str, list[str]]:
    """The delimiter and the header names, from the first lines of the file."""
    lines = sample.splitlines()[:200]
    if len(sample) >= 200_000 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample may be incomplete
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise UserError(f"{filename} has no rows; export the data again and upload the new file.")
    best: tuple[float, int, str] | None = None
    for delim in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delim, quotechar='"'))
        except csv.Error:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (consistent, width, delim)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        if sum(ch.isprintable() or ch in "\t\r\n" for ch in sample[:10000]) < 0.95 * min(len(sample), 10000):
            raise _not_a_table(filename)
        raise UserError(f"{filename} has only one column; save it as CSV with a header row and one column per field "
                        "(separated by commas, semicolons or tabs) and upload it again.")
    delim = best[2]
    header = next(csv.reader(lines[:1], delimiter=delim, quotechar='"'))
    return delim, header


def _check_header(names: list[str], filename: str, allow_empty_at: set[int] = frozenset()) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if not name.strip():
            if i - 1 in allow_empty_at:
                continue
            raise UserError(f"Column {i} of {filename} has no name in the header row; type a name for it (or delete "
                            "the column) and upload the file again.")
        key = name.strip().lower()
        if key in seen:
            raise UserError(f"Columns {seen[key]} and {i} of {filename} are both called \u201c{name.strip()}\u201d; "
                            "give each column a different name in the header row and upload the file again.")
        seen[key] = i


def _run_with_progress(con, sql: str, params: list, report: Progress, text: str) -> None:
    """Run one statement; while it runs, pass DuckDB's own progress to `report` (same thread as the caller)."""
    error: list[BaseException] = []

    def work():
        try:
            con.execute(sql, params)
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
        with contextlib.suppress(Exception):
            done = con.query_progress()
            if done >= 0:
                report(min(done, 99.0) / 100, text)
    if error:
        raise error[0]


_LINE_ERROR = re.compile(r"CSV Error on Line: (\d+).*?Expected Number of Columns: (\d+) Found: (\d+)", re.S)


def _load_text(con, path: Path, filename: str, table: str, report: Progress, tmp_dir: Path | None) -> None:
    encoding = _encoding(path, filename)
    source, temp = path, None
    try:
        if encoding not in ("utf-8",):
            report(0.02, f"Converting {filename} from {encoding.upper()} to UTF-8")
            try:
                source = temp = _transcode(path, encoding, tmp_dir)
            except UnicodeDecodeError as exc:
                raise _not_a_table(filename) from exc
        with open(source, encoding="utf-8-sig", errors="replace", newline="") as fh:
            sample = fh.read(200_000)
        if "\ufffd" in sample[:10000] or sum(not (ch.isprintable() or ch in "\t\r\n") for ch in sample[:10000]) > 20:
            raise _not_a_table(filename)
        delim, header = _dialect(sample, filename)
        trailing = {len(header) - 1} if not header[-1].strip() else set()
        _check_header(header, filename, trailing)
        sql = (f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, all_varchar = true, header = true, delim = ?, "
               "quote = '\"', escape = '\"', strict_mode = true, sample_size = 20480)")
        try:
            _run_with_progress(con, sql, [str(source), delim], report, f"Reading {filename}")
        except duckdb.Error as exc:
            raise _csv_error(exc, source, delim, len(header), filename) from exc
        names = [r[0] for r in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
        if len(names) != len(header):
            raise UserError(f"{filename} could not be split into its {len(header)} columns; check that every row has "
                            "the same number of separators and that quotes are closed, then upload it again.")
        if trailing:  # an unnamed last column: fine when it is empty (a trailing separator), else a problem
            last = names[-1]
            if con.execute(f"SELECT count(*) FROM {table} WHERE trim({quote_ident(last)}) <> ''").fetchone()[0]:
                con.execute(f"DROP TABLE {table}")
                _check_header(header, filename)
            con.execute(f"ALTER TABLE {table} DROP COLUMN {quote_ident(last)}")
            names, header = names[:-1], header[:-1]
        for name, wanted in zip(names, header):  # keep the header's own spelling
            if name != wanted:
                con.execute(f"ALTER TABLE {table} RENAME COLUMN {quote_ident(name)} TO {quote_ident(wanted)}")
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _csv_error(exc: Exception, source: Path, delim: str, width: int, filename: str) -> UserError:
    match = _LINE_ERROR.search(str(exc))
    if match:
        line, expected, found = match.groups()
        return UserError(f"Row {line} of {filename} has {found} values but the header has {expected} columns; "
                         "fix that row (a missing or extra separator, or an unclosed quote) and upload it again.")
    with open(source, encoding="utf-8-sig", errors="replace", newline="") as fh:
        for line_no, row in enumerate(csv.reader(fh, delimiter=delim), start=1):
            if len(row) != width and any(v.strip() for v in row):
                return UserError(f"Row {line_no} of {filename} has {len(row)} values but the header has {width} "
                                 "columns; fix that row (a missing or extra separator, or an unclosed quote) and "
                                 "upload it again.")
            if line_no > 100_000:
                break
    return UserError(f"{filename} could not be read as a table; check that every row has the same number of "
                     "columns and that quotes are closed, then upload it again.")


def _load_excel(con, path: Path, filename: str, table: str, sheet: str | None) -> None:
    import pandas as pd  # noqa: PLC0415

    sheets = excel_sheets(path)
    if sheet and sheet not in sheets:
        raise UserError(f"{filename} has no sheet called \u201c{sheet}\u201d; pick one of: {', '.join(sheets)}.")
    try:
        frame = pd.read_excel(path, sheet_name=sheet or sheets[0], header=None, dtype=str, engine="openpyxl")
    except Exception as exc:
        raise UserError(f"{filename} cannot be read as Excel; open it in Excel, save it as .xlsx and upload it again.") from exc
    frame = frame.dropna(how="all").dropna(axis=1, how="all")
    which = f"sheet \u201c{sheet or sheets[0]}\u201d of {filename}"
    if frame.empty:
        raise UserError(f"The {which} has no data; pick the sheet with the data or add the data to the file.")
    header = ["" if pd.isna(v) else str(v).strip() for v in frame.iloc[0]]
    _check_header(header, which)
    body = frame.iloc[1:].astype(object).where(frame.iloc[1:].notna(), None)
    body.columns = [f"c{i}" for i in range(len(header))]
    if body.empty:
        raise UserError(f"The {which} has a header row but no data rows; add the data or pick another sheet.")
    view = f"sg_excel_{new_id()}"
    con.register(view, body)
    try:
        select = ", ".join(f"CAST({quote_ident(f'c{i}')} AS VARCHAR) AS {quote_ident(name)}" for i, name in enumerate(header))
        con.execute(f"CREATE TABLE {table} AS SELECT {select} FROM {quote_ident(view)}")
    finally:
        con.unregister(view)


def _load_parquet(con, path: Path, filename: str, table: str) -> None:
    try:
        columns = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise UserError(f"{filename} is not a readable Parquet file; export it again.") from exc
    _check_header([c[0] for c in columns], filename)
    select = ", ".join(f"CAST({quote_ident(c[0])} AS VARCHAR) AS {quote_ident(c[0])}" for c in columns)
    con.execute(f"CREATE TABLE {table} AS SELECT {select} FROM read_parquet(?)", [str(path)])


# ====================================================================== detection


def columns_of(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"SELECT * FROM {table} LIMIT 0").description]


def _profiles(con, table: str, names: list[str]) -> dict[str, Profile]:
    """Distinct values (up to MAX_CODES + 1) and counts per column, from one sampled scan."""
    sample = (f"(SELECT * FROM {table} USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (7))")
    parts = []
    for name in names:
        clean = clean_sql(quote_ident(name))
        parts.append(f"approx_count_distinct({clean}), count({clean}), "
                     f"list(DISTINCT {clean}) FILTER (WHERE {clean} IS NOT NULL)[1:{MAX_CODES + 1}], "
                     f"count(TRY_CAST(replace({clean}, '%', '') AS DOUBLE)), "
                     f"min(TRY_CAST(replace({clean}, '%', '') AS DOUBLE)), max(TRY_CAST(replace({clean}, '%', '') AS DOUBLE))")
    row = con.execute(f"SELECT count(*), {', '.join(parts)} FROM {sample}").fetchone()
    rows, out = row[0], {}
    for i, name in enumerate(names):
        distinct, filled, values, numeric, low, high = row[1 + 6 * i: 7 + 6 * i]
        out[name] = Profile(rows=rows, filled=filled, distinct=distinct, values=sorted(values or []),
                              numeric=numeric, low=low, high=high)
    return out


def detect(con: duckdb.DuckDBPyConnection, table: str, *, layout: str | None = None, name: str = "") -> DataSet:
    """Propose the layout and a mapping for every column of a loaded table (a sample is read once)."""
    names = columns_of(con, table)
    edfacts = edfacts_columns(names)
    if layout is None:
        layout = "edfacts" if len(edfacts) >= 2 else None
    profiles = _profiles(con, table, names)
    if layout is None:
        layout = guess_layout(names, profiles)
    columns = [propose(column, profiles[column], layout, edfacts.get(column)) for column in names]
    _absence_rate(columns)
    dataset = DataSet(name=name or "Data", layout=layout, columns=columns)
    if layout == "edfacts":
        years = {info.year for info in edfacts.values()}
        dataset.options["year"] = school_year(sorted(years)[0]) if years else ""
    if layout == "aggregate_long":
        rate = next((c for c in columns if c.role == "rate"), None)
        if rate is not None:
            high = profiles[rate.column].high
            dataset.options["rate_scale"] = "proportion" if high is not None and high <= 1 else "percent"
    _complete_codes(con, table, dataset)
    dataset.options["school_label"] = _school_label(con, table, dataset)
    return dataset


def _absence_rate(columns: list[ColumnMap]) -> None:
    """Days absent next to days enrolled: propose chronic absence = days absent / days enrolled >= 10%."""
    enrolled = next((c for c in columns if _ENROLLED.fullmatch(norm(c.column))), None)
    for c in columns:
        if enrolled and c.role == "outcome" and c.kind == "numeric" and _ABSENCE.fullmatch(norm(c.column)):
            c.per, c.cut, c.higher_is_better = enrolled.column, 0.1, False
            c.label = "Absent 10% or more of days enrolled"


def _complete_codes(con, table: str, dataset: DataSet) -> None:
    """Group columns: every distinct value in the whole table gets a proposed label when the code set is known."""
    groups = [c for c in dataset.columns if c.role in ("group", "dimension", "measure")]
    if not groups:
        return
    parts = ", ".join(
        f"list(DISTINCT {clean_sql(quote_ident(c.column))})[1:{MAX_CODES + 1}]" for c in groups)
    values = con.execute(f"SELECT {parts} FROM {table}").fetchone()
    for column, found in zip(groups, values):
        found = sorted(v for v in (found or []) if v is not None)
        column.codes = propose_codes(column.column, found, column.codes)


def _school_label(con, table: str, dataset: DataSet) -> str:
    """'name' when school names identify schools; 'name_id' when two schools share a name."""
    ident = column_for(dataset, "school")
    label = column_for(dataset, "school_name")
    if not (ident and label):
        return "name" if label else "id"
    a, b = quote_ident(ident), quote_ident(label)
    names, pairs = con.execute(f"SELECT count(DISTINCT {b}), count(DISTINCT ({a}, {b})) FROM {table}").fetchone()
    return "name" if names == pairs else "name_id"


# ====================================================================== the canonical view


def view_name(project: Project, dataset: DataSet) -> str:
    from .store import Store  # noqa: PLC0415 - avoid a cycle at import time

    return f"{Store.schema(project.id)}.{quote_ident('prepared_' + dataset.id)}"


def file_table(project: Project, data_file: DataFile) -> str:
    from .store import Store  # noqa: PLC0415

    return f"{Store.schema(project.id)}.{quote_ident(data_file.table)}"


def dimension_key(column: str) -> str:
    return "d_" + norm(column)


def outcome_key(column: str) -> str:
    return "o_" + norm(column)


def prepare(con: duckdb.DuckDBPyConnection, project: Project, dataset: DataSet) -> Prepared:
    """Create (or reuse) the data set's canonical view and, for student data, its cube (the view summed
    per school, year and group values: see `successgaps.prepared`), and describe them.

    The cube is a table in the store's in-memory cache, written once, so every screen adds up a few
    ten thousand rows instead of re-reading every student record. Each one's comment holds a
    fingerprint of the SQL it was built from; that SQL names the file tables (new on every upload) and
    spells out the whole mapping, so the same fingerprint means the same rows: they are reused, and
    any change of mapping or files (or a restart, for the cube) builds them again."""
    if not dataset.files:
        raise UserError("This data set has no files; upload a file first.")
    check_mapping(dataset)
    relation = view_name(project, dataset)
    if dataset.layout == "student":
        selects, dims, outs = zip(*(_student_select(project, dataset, f) for f in dataset.files))
        dims, outs = dims[0], outs[0]
        layout = "student"
    else:
        selects = [_aggregate_select(project, dataset, f) for f in dataset.files]
        dims = _aggregate_dimensions(dataset)
        outs = _aggregate_outcomes(dataset)
        layout = "aggregate"
    body = "\nUNION ALL BY NAME\n".join(f"({s})" for s in selects)
    from .store import CACHE, Store  # noqa: PLC0415 - avoid a cycle at import time

    cube = ""
    with _PREPARE_LOCK:
        _ensure(con, "VIEW", "", f"p_{project.id}", f"prepared_{dataset.id}", body)
        if layout == "student":
            # named by its SQL, so a screen that started under another mapping never reads this one
            cube_body = _student_cube(project, dataset)
            name = f"cube_{dataset.id}_{hashlib.sha256(cube_body.encode()).hexdigest()[:16]}"
            _ensure(con, "TABLE", CACHE, f"p_{project.id}", name, cube_body)
            for (older,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND "
                                        "table_schema = ? AND starts_with(table_name, ?) AND table_name <> ?",
                                        [CACHE, f"p_{project.id}", f"cube_{dataset.id}_", name]).fetchall():
                con.execute(f"DROP TABLE IF EXISTS {Store.cache_table(project.id, older)}")
            cube = Store.cache_table(project.id, name)
    return Prepared(layout=layout, relation=relation, dimensions=tuple(dims), outcomes=tuple(outs),
                    has_school=bool(column_for(dataset, "school") or column_for(dataset, "school_name")),
                    has_year=bool(column_for(dataset, "year")) or all(f.year for f in dataset.files), cube=cube)


def _ensure(con, kind: str, catalog: str, schema: str, name: str, sql: str) -> None:
    """Create the VIEW or TABLE catalog.schema.name (catalog "": the workspace's) from `sql`, unless it
    is there already, built from the same SQL: its comment holds the SQL's fingerprint."""
    fingerprint = "successgaps:" + hashlib.sha256(sql.encode()).hexdigest()
    qualified = ".".join(quote_ident(part) for part in (catalog, schema, name) if part)
    if catalog:  # the store attaches its cache; any other connection (a quick screen's) gets one here
        con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {quote_ident(catalog)}")
    found = con.execute("SELECT table_type, coalesce(table_comment, '') FROM information_schema.tables WHERE "
                        "table_catalog = coalesce(nullif(?, ''), current_database()) AND table_schema = ? AND "
                        "table_name = ?", [catalog, schema, name]).fetchone()
    table_type = "VIEW" if kind == "VIEW" else "BASE TABLE"
    if found == (table_type, fingerprint):
        return
    try:  # one transaction each: DuckDB writes to one database per transaction
        con.execute("BEGIN TRANSACTION")
        if found and found[0] != table_type:  # e.g. a table where an earlier version kept a view
            con.execute(f"DROP {'TABLE' if kind == 'VIEW' else 'VIEW'} {qualified}")
        if catalog:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(catalog)}.{quote_ident(schema)}")
        con.execute(f"CREATE OR REPLACE {kind} {qualified} AS {sql}")
        con.execute(f"COMMENT ON {kind} {qualified} IS {quote_literal(fingerprint)}")
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise UserError("The data could not be prepared with this mapping; check the roles of the columns and "
                        f"confirm the mapping again ({str(exc).splitlines()[0][:120]}).") from exc


def source_column(dataset: DataSet, data_file: DataFile, column: str) -> str:
    """The name a mapped column has in one file (EDFacts files carry their year in column names)."""
    if dataset.layout == "edfacts" and data_file.column_suffix:
        return with_suffix(column, data_file.column_suffix)
    return column


def _col(dataset: DataSet, data_file: DataFile, column: str) -> str:
    return clean_sql(quote_ident(source_column(dataset, data_file, column)))


def _school_sql(dataset: DataSet, data_file: DataFile) -> str:
    ident, label = column_for(dataset, "school"), column_for(dataset, "school_name")
    if ident and label and dataset.options.get("school_label") == "name_id":
        return f"{_col(dataset, data_file, label)} || ' (' || {_col(dataset, data_file, ident)} || ')'"
    if ident and label:
        return f"coalesce({_col(dataset, data_file, label)}, {_col(dataset, data_file, ident)})"
    if ident or label:
        return _col(dataset, data_file, ident or label)
    return "CAST(NULL AS VARCHAR)"


def _year_sql(dataset: DataSet, data_file: DataFile) -> str:
    year = column_for(dataset, "year")
    if year:
        return _col(dataset, data_file, year)
    return quote_literal(data_file.year) if data_file.year else "CAST(NULL AS VARCHAR)"


def _case(expr: str, codes: dict[str, str]) -> str:
    """raw value -> label; values not in `codes` become NULL (unknown)."""
    labelled = {k: v.strip() for k, v in codes.items() if v and v.strip()}
    if not labelled:
        return "CAST(NULL AS VARCHAR)"
    whens = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in labelled.items())
    return f"CASE {expr} {whens} ELSE NULL END"


def _number(expr: str) -> str:
    return f"TRY_CAST(replace(replace({expr}, '%', ''), ',', '') AS DOUBLE)"


def _outcome_sql(dataset: DataSet, data_file: DataFile, c: ColumnMap) -> str:
    """Binary: 1 when the value is one of yes_values, 0 otherwise, NULL when missing.
    Numeric: the number (divided by `per` when set); with a cut: 1 when value >= cut (< cut if cut_below)."""
    value = _col(dataset, data_file, c.column)
    if c.kind == "binary":
        yes = ", ".join(quote_literal(v) for v in c.yes_values) or "NULL"
        return f"CASE WHEN {value} IS NULL THEN NULL WHEN {value} IN ({yes}) THEN 1.0 ELSE 0.0 END"
    number = _number(value)
    if c.per:
        number = f"({number} / NULLIF({_number(_col(dataset, data_file, c.per))}, 0))"
    if c.cut is None:
        return number
    op = "<" if c.cut_below else ">="
    return f"CASE WHEN {number} IS NULL THEN NULL WHEN {number} {op} {float(c.cut)!r} THEN 1.0 ELSE 0.0 END"


def student_dimensions(dataset: DataSet) -> list[tuple[Dimension, ColumnMap | CombinedGroup]]:
    out = [(Dimension(dimension_key(c.column), c.label or c.column), c) for c in dataset.columns if c.role == "group"]
    by_column = {c.column: c for c in dataset.columns if c.role == "group"}
    for combo in dataset.combined:
        first, second = by_column.get(combo.first), by_column.get(combo.second)
        if first and second:
            label = combo.label or f"{first.label or first.column} & {second.label or second.column}"
            out.append((Dimension(f"d_combined_{combo.id}", label), combo))
    return out


def student_outcomes(dataset: DataSet) -> list[tuple[Outcome, ColumnMap]]:
    return [(Outcome(outcome_key(c.column), c.label or c.column,
                     "binary" if c.kind == "binary" or c.cut is not None else "numeric", c.higher_is_better), c)
            for c in dataset.columns if c.role == "outcome"]


def _student_exprs(dataset: DataSet, data_file: DataFile):
    """(key expressions: school, year and each dimension's label; outcome expressions; dimensions;
    outcomes) of one file of a student data set, all over the file's own (text) columns."""
    by_column = {c.column: c for c in dataset.columns}
    keys = [_school_sql(dataset, data_file), _year_sql(dataset, data_file)]
    dims = student_dimensions(dataset)
    for dim, source in dims:
        if isinstance(source, ColumnMap):
            expr = _case(_col(dataset, data_file, source.column), source.codes)
        else:
            a = _case(_col(dataset, data_file, source.first), by_column[source.first].codes)
            b = _case(_col(dataset, data_file, source.second), by_column[source.second].codes)
            expr = f"CASE WHEN ({a}) IS NOT NULL AND ({b}) IS NOT NULL THEN ({a}) || ' & ' || ({b}) END"
        keys.append(expr)
    outs = student_outcomes(dataset)
    values = [_outcome_sql(dataset, data_file, source) for _, source in outs]
    return keys, values, [d for d, _ in dims], [o for o, _ in outs]


def _student_select(project: Project, dataset: DataSet, data_file: DataFile):
    keys, values, dims, outs = _student_exprs(dataset, data_file)
    names = ["school", "year"] + [quote_ident(d.key) for d in dims] + [quote_ident(o.key) for o in outs]
    parts = [f"{expr} AS {name}" for expr, name in zip(keys + values, names)]
    return f"SELECT {', '.join(parts)} FROM {file_table(project, data_file)}", dims, outs


def _key_columns(dataset: DataSet, data_file: DataFile) -> list[str]:
    """The file's columns that school, year and the group labels are computed from."""
    names = [column_for(dataset, "school"), column_for(dataset, "school_name"), column_for(dataset, "year")]
    names += [c.column for c in dataset.columns if c.role == "group"]
    return list(dict.fromkeys(source_column(dataset, data_file, n) for n in names if n))


def _student_cube(project: Project, dataset: DataSet) -> str:
    """The cube (`successgaps.prepared.cube_sql`) of a student data set, computed from the files with
    the same sums as summing the view: each file's rows are first summed per distinct raw text of the
    key columns (grouping short codes such as 'B' or '1' is far cheaper than cleaning and labelling
    every row first), then those few rows are cleaned and labelled with the view's own expressions.
    Rows that land on the same labels (e.g. 'B' and ' B') stay apart: the engine adds them up."""
    parts, dims, outs = [], [], []
    for data_file in dataset.files:
        keys, values, dims, outs = _student_exprs(dataset, data_file)
        raw = ", ".join(quote_ident(c) for c in _key_columns(dataset, data_file))
        labelled = [f"{k} AS {name}" for k, name in zip(keys, ["school", "year"] + [f"d{i}" for i in range(len(dims))])]
        stats = ", ".join(f"__{x}{j}" for j, o in enumerate(outs) for x in ("nem" if o.kind == "numeric" else "ne"))
        values_sql = ", ".join(f"{v} AS __o{j}" for j, v in enumerate(values))
        parts.append(f"SELECT {', '.join(labelled)}, {stats} FROM (SELECT {raw}, {outcome_sums(outs)} FROM "
                     f"(SELECT {raw}, {values_sql} FROM {file_table(project, data_file)}) GROUP BY {raw})")
    return cube_sql(" UNION ALL ".join(f"({p})" for p in parts), len(dims), outs)


RATE_PATTERN = r"(GE|GT|LT|LE)?[0-9]+(\.[0-9]+)?(-[0-9]+(\.[0-9]+)?)?"


def rate_text_sql(expr: str) -> str:
    """A rate as text, normalised: upper case, no spaces or %, '>=' -> GE, '<=' -> LE, '>' -> GT, '<' -> LT."""
    return (f"replace(replace(replace(replace(replace(replace(upper({expr}), ' ', ''), '%', ''), "
            "'>=', 'GE'), '<=', 'LE'), '>', 'GT'), '<', 'LT')")


def _rated(inner: str, scale: float) -> str:
    """Turn `inner` (school, year, dimension, "group", outcome, n, events, u = normalised rate text) into the
    aggregate view's rows. Rates (percent when scale=100, proportion when 1) become intervals:
    exact '91' -> 0.91/0.91; 'GE95'/'GT95' -> 0.95-1.00; 'LT50'/'LE20' -> 0.00-0.50/0.00-0.20;
    '85-89' -> 0.85-0.89; 'PS' (and *, SUPP, ...) -> suppressed; '.', empty, unreadable -> missing
    (or events / n, flagged exact, when both are known)."""
    s = repr(float(scale))
    suppressed = ", ".join(quote_literal(v) for v in SUPPRESSED)
    return f"""SELECT school, year, dimension, "group", outcome, n, events,
  CASE WHEN flag = 'computed' THEN events / n WHEN flag = 'range' AND op IN ('LT', 'LE') THEN 0.0
       WHEN flag IN ('range', 'exact') THEN a / {s} END AS rate_low,
  CASE WHEN flag = 'computed' THEN events / n WHEN flag = 'range' AND op IN ('GE', 'GT') THEN 1.0
       WHEN flag = 'range' AND op IN ('LT', 'LE') THEN a / {s} WHEN flag = 'range' THEN b / {s}
       WHEN flag = 'exact' THEN a / {s} END AS rate_high,
  CASE WHEN flag = 'computed' THEN 'exact' ELSE flag END AS source_flag
FROM (SELECT *, CASE WHEN u IN ({suppressed}) THEN 'suppressed'
                     WHEN u IS NOT NULL AND regexp_full_match(u, '{RATE_PATTERN}') THEN
                          CASE WHEN op <> '' OR b IS NOT NULL THEN 'range' ELSE 'exact' END
                     WHEN events IS NOT NULL AND n > 0 THEN 'computed' ELSE 'missing' END AS flag
      FROM (SELECT *, regexp_extract(u, '^(GE|GT|LT|LE)', 1) AS op,
                   TRY_CAST(regexp_extract(u, '^(?:GE|GT|LT|LE)?([0-9]+(?:\\.[0-9]+)?)', 1) AS DOUBLE) AS a,
                   TRY_CAST(regexp_extract(u, '^[0-9.]+-([0-9]+(?:\\.[0-9]+)?)$', 1) AS DOUBLE) AS b
            FROM ({inner})))"""


def _aggregate_select(project: Project, dataset: DataSet, data_file: DataFile) -> str:
    source = file_table(project, data_file)
    school, year = _school_sql(dataset, data_file), _year_sql(dataset, data_file)
    if dataset.layout == "edfacts":
        pairs = edfacts_pairs(dataset)
        cells = ", ".join(
            "{'k': %d, 'n': %s, 'u': %s}" % (
                k, _number(_col(dataset, data_file, count.column)) if count else "CAST(NULL AS DOUBLE)",
                rate_text_sql(_col(dataset, data_file, rate.column)))
            for k, (count, rate) in enumerate(pairs))
        labels = ", ".join(
            f"({k}, {quote_literal(ALL_DIMENSION if rate.dimension == ALL_DIMENSION else rate.dimension)}, "
            f"{quote_literal(ALL_GROUP if rate.dimension == ALL_DIMENSION else rate.label)}, {quote_literal(rate.outcome)})"
            for k, (_, rate) in enumerate(pairs))
        inner = (f"SELECT school, year, m.dimension, m.\"group\", m.outcome, c.n AS n, CAST(NULL AS DOUBLE) AS events, "
                 f"c.u AS u FROM (SELECT {school} AS school, {year} AS year, unnest([{cells}]) AS c FROM {source}) "
                 f"JOIN (VALUES {labels}) AS m(k, dimension, \"group\", outcome) ON m.k = c.k")
        return _rated(inner, 100.0)
    # aggregate, long: one row per (school, year, group[, outcome])
    group_map = next(c for c in dataset.columns if c.role == "group")
    raw_group = _col(dataset, data_file, group_map.column)
    is_all = f"lower({raw_group}) IN ({', '.join(quote_literal(v) for v in ALL_WORDS)})"
    dim_column = column_for(dataset, "dimension")
    dim = _col(dataset, data_file, dim_column) if dim_column else quote_literal(group_map.label or "Group")
    measure = next((c for c in dataset.columns if c.role == "measure"), None)
    value_map = next((c for c in dataset.columns if c.role in ("rate", "numerator")), None)
    outcome = (_case(_col(dataset, data_file, measure.column), measure.codes) if measure
               else quote_literal((value_map.label if value_map else "") or "Outcome"))
    number = lambda role: (_number(_col(dataset, data_file, column_for(dataset, role)))  # noqa: E731
                           if column_for(dataset, role) else "CAST(NULL AS DOUBLE)")
    rate = column_for(dataset, "rate")
    inner = (f"SELECT {school} AS school, {year} AS year, "
             f"CASE WHEN {is_all} THEN {quote_literal(ALL_DIMENSION)} ELSE {dim} END AS dimension, "
             f"CASE WHEN {is_all} THEN {quote_literal(ALL_GROUP)} ELSE {_case(raw_group, group_map.codes)} END AS \"group\", "
             f"{outcome} AS outcome, {number('count')} AS n, {number('numerator')} AS events, "
             f"{rate_text_sql(_col(dataset, data_file, rate)) if rate else 'CAST(NULL AS VARCHAR)'} AS u FROM {source}")
    return _rated(inner, 1.0 if dataset.options.get("rate_scale") == "proportion" else 100.0)


def _aggregate_dimensions(dataset: DataSet) -> list[Dimension]:
    if dataset.layout == "edfacts":
        seen = dict.fromkeys(c.dimension for c in dataset.columns if c.role == "rate" and c.dimension != ALL_DIMENSION)
        return [Dimension(d, d) for d in seen]
    dim = column_for(dataset, "dimension")
    group = next(c for c in dataset.columns if c.role == "group")
    if dim:
        labels = sorted({v for v in column_map(dataset, dim).codes.values() if v} or {group.label or "Group"})
        return [Dimension(v, v) for v in labels]
    return [Dimension(group.label or "Group", group.label or "Group")]


def _aggregate_outcomes(dataset: DataSet) -> list[Outcome]:
    if dataset.layout == "edfacts":
        seen = {}
        for c in dataset.columns:
            if c.role == "rate":
                seen.setdefault(c.outcome, c.higher_is_better)
        return [Outcome(label, label, "binary", better) for label, better in seen.items()]
    measure = next((c for c in dataset.columns if c.role == "measure"), None)
    value_map = next((c for c in dataset.columns if c.role in ("rate", "numerator")), None)
    if measure:
        labels = dict.fromkeys(v for v in measure.codes.values() if v)
        return [Outcome(v, v, "binary", higher_is_better(v)) for v in labels]
    label = (value_map.label if value_map else "") or "Outcome"
    return [Outcome(label, label, "binary", value_map.higher_is_better if value_map else True)]


# ====================================================================== mapping checks and edits


def check_mapping(dataset: DataSet) -> None:
    """One sentence for a mapping the view cannot be built from."""
    roles = [c.role for c in dataset.columns]
    if dataset.layout == "student":
        if "outcome" not in roles:
            raise UserError("Mark at least one column as an outcome (for example graduation or a test score).")
        if "group" not in roles:
            raise UserError("Mark at least one column as a group (for example race/ethnicity or disability).")
        for c in dataset.columns:
            if c.role == "outcome" and c.kind == "binary" and not c.yes_values:
                raise UserError(f"Say which values of {c.column} mean \u201cyes\u201d (for example 1 or Y), or make it numeric.")
            if c.role == "outcome" and c.per and c.per not in {m.column for m in dataset.columns}:
                raise UserError(f"{c.column} is divided by {c.per}, which is not a column of the file; pick another.")
    elif dataset.layout == "aggregate_long":
        if "group" not in roles:
            raise UserError("Mark the column that names the student group (for example \u201cHispanic\u201d) as a group.")
        if not ({"rate", "numerator"} & set(roles)):
            raise UserError("Mark the column with the rate (or the number of students with the outcome) for this layout.")
        if "numerator" in roles and "rate" not in roles and "count" not in roles:
            raise UserError("Mark the column with the number of students in each group as the count.")
    elif not any(c.role == "rate" for c in dataset.columns):
        raise UserError("No rate columns were found for the EDFacts layout; pick another layout for this file.")
    for role in ("student_id", "school", "school_name", "district", "year", "dimension", "measure"):
        if roles.count(role) > 1:
            raise UserError(f"{roles.count(role)} columns are marked as \u201c{ROLE_NAMES[role]}\u201d; keep one "
                            "and set the others to \u201cignore\u201d.")
    for role in ("count", "numerator", "rate") if dataset.layout == "aggregate_long" else ():
        if roles.count(role) > 1:
            raise UserError(f"{roles.count(role)} columns are marked as \u201c{ROLE_NAMES[role]}\u201d; keep one "
                            "and set the others to \u201cignore\u201d.")


def mapping_rows(dataset: DataSet) -> list[dict]:
    """The mapping as rows for one editable table (role names in words, yes-values comma-separated)."""
    rows = []
    for c in dataset.columns:
        row = {"column": c.column, "role": ROLE_NAMES[c.role], "label": c.label,
               "outcome type": c.kind if c.role == "outcome" else "",
               "yes values": ", ".join(c.yes_values), "cut": c.cut, "below cut": c.cut_below,
               "divide by": c.per, "higher is better": c.higher_is_better}
        if dataset.layout == "edfacts":
            row = {"column": c.column, "role": ROLE_NAMES[c.role], "label": c.label,
                   "dimension": c.dimension, "outcome": c.outcome, "higher is better": c.higher_is_better}
        rows.append(row)
    return rows


def apply_mapping(dataset: DataSet, rows: list[dict], codes: dict[str, dict[str, str]] | None = None) -> DataSet:
    """Take the edited mapping table (and edited code labels per group column) back into `dataset`.
    Raises UserError with one sentence when a value makes no sense; `dataset` is unchanged then."""
    by_role = {v: k for k, v in ROLE_NAMES.items()}
    updated = dataset.model_copy(deep=True)
    current = {c.column: c for c in updated.columns}
    for row in rows:
        column = current.get(str(row.get("column", "")))
        if column is None:
            continue
        role = by_role.get(str(row.get("role") or "").strip(), None)
        if role is None:
            raise UserError(f"\u201c{row.get('role')}\u201d is not a role; pick one from the list for {column.column}.")
        column.role = role
        column.label = str(row.get("label") or "").strip()
        if "higher is better" in row:
            column.higher_is_better = bool(row["higher is better"]) if row["higher is better"] is not None else True
        if dataset.layout == "edfacts":
            column.dimension = str(row.get("dimension") or column.dimension).strip()
            column.outcome = str(row.get("outcome") or column.outcome).strip()
            continue
        kind = str(row.get("outcome type") or "").strip() or column.kind
        if kind not in ("binary", "numeric"):
            raise UserError(f"The outcome type of {column.column} must be \u201cbinary\u201d or \u201cnumeric\u201d.")
        column.kind = kind
        column.yes_values = [v.strip() for v in str(row.get("yes values") or "").split(",") if v.strip()]
        column.cut = _float_or_none(row.get("cut"), column.column)
        column.cut_below = bool(row.get("below cut") or False)
        column.per = str(row.get("divide by") or "").strip()
        if role == "group" and not column.codes:
            column.codes = {}
    for name, labels in (codes or {}).items():
        if name in current:
            current[name].codes = {str(k): str(v).strip() for k, v in labels.items() if k is not None and v is not None}
    check_mapping(updated)
    dataset.columns, dataset.confirmed = updated.columns, dataset.confirmed
    return dataset


def _float_or_none(value, column: str) -> float | None:
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return None
    try:
        return float(str(value).strip().rstrip("%"))
    except ValueError as exc:
        raise UserError(f"The cut of {column} must be a number, like 700 or 0.1.") from exc


def code_table(con, project: Project, dataset: DataSet, column: str) -> list[dict]:
    """Every value of a group column across the data set's files, with its row count and label
    ('' when the mapping does not know it yet)."""
    mapping = column_map(dataset, column)
    counts: dict[str, int] = {}
    for data_file in dataset.files:
        value = _col(dataset, data_file, column)
        for raw, n in con.execute(f"SELECT {value}, count(*) FROM {file_table(project, data_file)} "
                                  f"WHERE {value} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT {MAX_CODES * 4}").fetchall():
            counts[raw] = counts.get(raw, 0) + n
    known = set(counts) | set(mapping.codes)
    return [{"code": raw, "rows": counts.get(raw, 0), "label": mapping.codes.get(raw, "")}
            for raw in sorted(known, key=lambda v: (-counts.get(v, 0), v))]


def add_combined(dataset: DataSet, first: str, second: str, label: str = "") -> CombinedGroup:
    """A group made of two dimensions (e.g. Black students with disabilities): a new dimension
    whose groups are 'A & B' for every pair of labels."""
    groups = {c.column for c in dataset.columns if c.role == "group"}
    if dataset.layout != "student":
        raise UserError("Combined groups need student-level data; aggregate files only have the groups they report.")
    if first not in groups or second not in groups or first == second:
        raise UserError("Pick two different group columns to combine.")
    if any({g.first, g.second} == {first, second} for g in dataset.combined):
        raise UserError("That combination is already there.")
    combo = CombinedGroup(first=first, second=second, label=label.strip())
    dataset.combined.append(combo)
    return combo


# ====================================================================== files of a data set


def _next_table(project: Project) -> str:
    return f"f_{new_id()}"


def create_dataset(store, project: Project, path: Path, filename: str, *, sheet: str | None = None,
                   year: str = "", progress: Progress | None = None, name: str = "") -> DataSet:
    """Load a file as a new data set of `project` with a proposed mapping (the caller saves the project)."""
    table = _next_table(project)
    qualified = store.table(project.id, table)
    con = store.cursor()
    rows = read_upload(con, path, filename, qualified, sheet=sheet, progress=progress, tmp_dir=store.workspace)
    try:
        dataset = detect(con, qualified, name=name or Path(filename).stem)
    except BaseException:
        store.drop_table(project.id, table)
        raise
    suffix = edfacts_suffix(columns_of(con, qualified)) if dataset.layout == "edfacts" else ""
    dataset.files.append(DataFile(filename=filename, table=table, rows=rows, sheet=sheet or "",
                                  year=year.strip() or (school_year(suffix) if suffix else ""), column_suffix=suffix))
    project.datasets.append(dataset)
    return dataset


def redetect(store, project: Project, dataset: DataSet, layout: str) -> DataSet:
    """Propose the mapping again for another layout (the team overrode the detected one)."""
    con = store.cursor()
    first = store.table(project.id, dataset.files[0].table)
    fresh = detect(con, first, layout=layout, name=dataset.name)
    dataset.layout, dataset.columns, dataset.options = fresh.layout, fresh.columns, fresh.options
    dataset.combined, dataset.confirmed = [], False
    for data_file in dataset.files:
        names = columns_of(con, store.table(project.id, data_file.table))
        data_file.column_suffix = edfacts_suffix(names) if layout == "edfacts" else ""
    return dataset


def _load_matching(store, project: Project, dataset: DataSet, path: Path, filename: str, sheet, year: str,
                   progress) -> tuple[DataFile, str]:
    table = _next_table(project)
    qualified = store.table(project.id, table)
    con = store.cursor()
    rows = read_upload(con, path, filename, qualified, sheet=sheet, progress=progress, tmp_dir=store.workspace)
    try:
        names = columns_of(con, qualified)
        suffix = edfacts_suffix(names) if dataset.layout == "edfacts" else ""
        data_file = DataFile(filename=filename, table=table, rows=rows, sheet=sheet or "", column_suffix=suffix,
                             year=year.strip() or (school_year(suffix) if suffix else ""))
        mapped = [c.column for c in dataset.columns if c.role != "ignore"]
        mapped += [c.per for c in dataset.columns if c.role == "outcome" and c.per]
        wanted = {source_column(dataset, data_file, c) for c in mapped}
        missing = sorted(wanted - set(names))
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise UserError(f"{filename} does not have the column{'s' if len(missing) > 1 else ''} {shown} that "
                            "this data set's mapping uses; rename the columns to match, or upload it as a new data set.")
        if not column_for(dataset, "year") and not data_file.year:
            raise UserError("This data set has no year column: type the school year of the new file (for example "
                            "2024-25) and upload it again.")
        known = {source_column(dataset, data_file, c.column) for c in dataset.columns}
        extra = [n for n in names if n not in known]
        note = (f" It has {len(extra)} column{'s' if len(extra) > 1 else ''} the mapping does not use "
                f"({', '.join(extra[:5])}); they are ignored." if extra else "")
        return data_file, note
    except BaseException:
        store.drop_table(project.id, table)
        raise


def add_file(store, project: Project, dataset: DataSet, path: Path, filename: str, *, sheet: str | None = None,
             year: str = "", progress: Progress | None = None) -> str:
    """Add another file (e.g. next year's) to a data set with the same mapping; returns a sentence for the user."""
    data_file, note = _load_matching(store, project, dataset, path, filename, sheet, year, progress)
    dataset.files.append(data_file)
    return f"Added {filename} ({data_file.rows:,} rows) with the same mapping.{note}"


def replace_file(store, project: Project, dataset: DataSet, file_id: str, path: Path, filename: str, *,
                 sheet: str | None = None, year: str | None = None, progress: Progress | None = None) -> str:
    """Replace one file of a data set by a new upload checked against the mapping. The old table is
    dropped by `drop_unused_tables` once the project is saved."""
    index = next((i for i, f in enumerate(dataset.files) if f.id == file_id), None)
    if index is None:
        raise UserError("That file is no longer in the data set; the page shows the current list.")
    old = dataset.files[index]
    data_file, note = _load_matching(store, project, dataset, path, filename, sheet,
                                     old.year if year is None else year, progress)
    dataset.files[index] = data_file
    return f"Replaced {old.filename} by {filename} ({data_file.rows:,} rows).{note}"


def delete_file(project: Project, dataset: DataSet, file_id: str) -> str:
    """Remove a file from a data set; the data set goes too when it was its last file."""
    gone = next((f for f in dataset.files if f.id == file_id), None)
    if gone is None:
        raise UserError("That file is no longer in the data set; the page shows the current list.")
    dataset.files.remove(gone)
    if not dataset.files:
        project.datasets = [d for d in project.datasets if d.id != dataset.id]
        return f"Deleted {gone.filename} and its data set, which had no other file."
    return f"Deleted {gone.filename}."


def drop_unused_tables(store, project: Project) -> int:
    """Drop this project's data tables, prepared views and cubes that no saved data set refers to."""
    from .store import CACHE  # noqa: PLC0415

    used = {f.table for d in project.datasets for f in d.files}
    views, cubes = {f"prepared_{d.id}" for d in project.datasets}, tuple(f"cube_{d.id}_" for d in project.datasets)
    con = store.cursor()
    dropped = 0
    for catalog, name, kind in con.execute(
            "SELECT table_catalog, table_name, table_type FROM information_schema.tables WHERE table_schema = ? "
            "AND table_catalog IN (current_database(), ?)", [f"p_{project.id}", CACHE]).fetchall():
        qualified = store.cache_table(project.id, name) if catalog == CACHE else store.table(project.id, name)
        stale_view = name.startswith("prepared_") and name not in views
        if stale_view or (name.startswith("cube_") and not name.startswith(cubes)):
            con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS {qualified}")
            dropped += 1
        elif catalog != CACHE and kind != "VIEW" and name.startswith("f_") and name not in used:
            store.drop_table(project.id, name)
            dropped += 1
    return dropped


def timed(fn, *args, **kwargs):
    """(result, seconds) — for the command line and benchmarks."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def quality_report(con, project: Project, dataset: DataSet):
    """The data-quality findings of a data set (see successgaps.quality)."""
    from .data.quality import quality_report as report  # noqa: PLC0415 - quality builds on this module

    return report(con, project, dataset)
