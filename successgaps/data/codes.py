"""What the names and codes of a file mean: missing and suppressed marks, yes/no values, the code
tables (federal race/ethnicity, sex, English learner status, Texas-style economic disadvantage, IDEA
disability categories), the dimensions a group column's name points to, and labels for column names.

`propose_codes` labels the codes of a group column; `clean_sql` is the SQL every value of a file
goes through (spaces trimmed, missing-value marks to NULL). Names are compared after `norm()`
(lower case, runs of other characters -> "_").
"""

from __future__ import annotations

import re

from ..sql import quote_literal

MAX_CODES = 60  # a column with more distinct values is not a group dimension

MISSING = ("", ".", "NA", "N/A", "na", "n/a", "NULL", "null", "None", "#N/A", "NaN", "nan", "-", "--")
SUPPRESSED = ("PS", "*", "**", "***", "SUPP", "SUPPRESSED", "DS", "RV", "S")
ALL_WORDS = ("all", "all students", "all_students", "allstudents", "total", "everyone", "all grades")
YES = ("1", "Y", "y", "YES", "Yes", "yes", "TRUE", "True", "true", "T", "1.0")
NO = ("0", "N", "n", "NO", "No", "no", "FALSE", "False", "false", "F", "0.0")


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_") or "column"


def clean_sql(expr: str) -> str:
    """A value with spaces trimmed; missing-value marks ('', '.', 'NA', 'NULL', ...) become NULL.
    (A MAP lookup: about eight times faster in DuckDB than `IN (...)`, which becomes a join.)"""
    marks = ", ".join(f"{quote_literal(v)}: true" for v in MISSING)
    return f"(CASE WHEN MAP {{{marks}}}[trim({expr})] THEN NULL ELSE trim({expr}) END)"


def read_sql(expr: str, cleaned: bool) -> str:
    """`expr` as `clean_sql` reads it; as it is when its table already holds cleaned values (`DataFile.cleaned`)."""
    return expr if cleaned else clean_sql(expr)


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
          "id": "id", "gpa": "GPA", "sy": "school year", "hs": "HS"}


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


def dimension_kind(name: str) -> tuple[str, str, str, str] | None:
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


def propose_codes(column: str, values: list[str], existing: dict[str, str]) -> dict[str, str]:
    """Labels for the codes of a group column. Codes of a known code set that it does not know stay
    out of the map (they are listed as unknown); a free-form column keeps each value as its own label."""
    codes = dict(existing)
    kind = dimension_kind(column)
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


# State report-card files ("long" layout): one column holds the reporting categories of several dimensions.
# California's codes (cde.ca.gov file structures: ACGR, one-year graduates, ...) and a few common spellings.
# code -> (dimension, group); the dimension "All" marks the all-students row. The team corrects it on the Data page.
REPORT_CATEGORIES: dict[str, tuple[str, str]] = {
    "TA": ("All", "All students"), "ALL": ("All", "All students"),
    "RB": ("Race/ethnicity", "Black or African American"),
    "RI": ("Race/ethnicity", "American Indian or Alaska Native"),
    "RA": ("Race/ethnicity", "Asian"), "RF": ("Race/ethnicity", "Filipino"),
    "RH": ("Race/ethnicity", "Hispanic/Latino"), "RD": ("Race/ethnicity", "Race/ethnicity not reported"),
    "RP": ("Race/ethnicity", "Native Hawaiian or Other Pacific Islander"),
    "RT": ("Race/ethnicity", "Two or more races"), "RW": ("Race/ethnicity", "White"),
    "GM": ("Sex", "Male"), "GF": ("Sex", "Female"), "GX": ("Sex", "Nonbinary"), "GZ": ("Sex", "Sex not reported"),
    "SE": ("English learner status", "English learners"), "EL": ("English learner status", "English learners"),
    "SD": ("Disability", "Students with disabilities"), "SWD": ("Disability", "Students with disabilities"),
    "SS": ("Economic disadvantage", "Economically disadvantaged"),
    "SED": ("Economic disadvantage", "Economically disadvantaged"),
    "SM": ("Migrant status", "Migrant students"), "SF": ("Foster care", "Students in foster care"),
    "SH": ("Homeless status", "Homeless students"),
}
# aggregate-level codes -> the place a row is about; county rows are not a level of the gap table
PLACE_LEVELS = ("state", "district", "school", "county")
LEVEL_CODES = {"T": "state", "X": "state", "C": "county", "O": "county", "D": "district", "S": "school",
               "STATE": "state", "COUNTY": "county", "DISTRICT": "district", "LEA": "district", "SCHOOL": "school"}


def report_category(code: str) -> tuple[str, str] | None:
    """(dimension, group) of a report-card reporting category ('RH' -> Race/ethnicity, Hispanic/Latino)."""
    return REPORT_CATEGORIES.get(str(code).strip().upper())
