"""A small state report-card file in California's long layout (cde.ca.gov, "File Structure: ACGR and Outcome
Data"): one row per aggregate level (T state, C county, D district, S school) and reporting category, with `*`
where the state suppressed a value. The district rows are NOT the sums of their schools (districts also have
students in schools the file does not list), so a test can tell the file's own rows from sums.
"""

from __future__ import annotations

COLUMNS = ("AcademicYear,AggregateLevel,CountyCode,DistrictCode,SchoolCode,CountyName,DistrictName,SchoolName,"
           "ReportingCategory,CohortStudents,RegularHSDiplomaGraduatesCount,RegularHSDiplomaGraduatesRate")

# (level, county code, district code, school code, county, district, school) -> {category: (cohort, graduates)}
# None: suppressed by the state (`*`); (n, None): the count is given, graduates and rate are `*`.
# "SP" is a code the default code table does not know (a test maps it by hand).
PLACES = {
    ("T", "00", "", "", "State", "", ""): {
        "TA": (5000, 4300), "RB": (500, 380), "RH": (2000, 1650), "RW": (2000, 1850), "RA": (300, 280),
        "GM": (2500, 2100), "GF": (2500, 2200), "SS": (2800, 2300), "SD": (600, 400), "SE": (500, 330)},
    ("C", "01", "", "", "Alameda", "", ""): {"TA": (900, 760), "RB": (90, 60)},
    ("D", "01", "10017", "", "Alameda", "Alder Unified", ""): {
        "TA": (560, 450), "RB": (75, 50), "RH": (230, 175), "RW": (220, 205), "RA": (25, 22), "GM": (280, 215),
        "GF": (280, 235), "SS": (330, 245), "SD": (80, 45), "SE": (60, 35), "SP": (40, 28), "RI": None},
    ("S", "01", "10017", "0130011", "Alameda", "Alder Unified", "Alder High"): {
        "TA": (400, 340), "RB": (60, 42), "RH": (150, 120), "RW": (170, 160), "RA": (20, 18), "GM": (200, 160),
        "GF": (200, 180), "SS": (220, 170), "SD": (50, 30), "SE": (40, 24), "SP": (35, 25), "RI": None},
    ("S", "01", "10017", "0130012", "Alameda", "Alder Unified", "Birch High"): {
        "TA": (120, 90), "RB": None, "RH": (60, 40), "RW": (45, 40), "GM": (60, 42), "GF": (60, 48),
        "SS": (80, 55), "SD": (15, 8), "SE": (12, None)},
    ("D", "01", "10025", "", "Alameda", "Cedar Joint", ""): {
        "TA": (310, 275), "RB": (22, 16), "RH": (104, 87), "RW": (182, 172), "GM": (155, 133), "GF": (155, 142),
        "SS": (124, 103), "SD": (42, 31), "SE": (31, 20)},
    ("S", "01", "10025", "0130020", "Alameda", "Cedar Joint", "Cedar High"): {
        "TA": (300, 270), "RB": (20, 15), "RH": (100, 85), "RW": (180, 170), "GM": (150, 130), "GF": (150, 140),
        "SS": (120, 100), "SD": (40, 30), "SE": (30, 20)},
}


def report_card_csv(year: str = "2022-23", places: dict | None = None, charter: bool = False) -> str:
    """The file; `charter`: with California's CharterSchool column, every place's "All" rows followed by its
    charter ("Yes") and other ("No") subsets, as the real files have them (a third of each count is charter)."""
    lines = [COLUMNS.replace("SchoolName,", "SchoolName,CharterSchool,") if charter else COLUMNS]
    for (level, county, district, school, county_name, district_name, school_name), cells in (places or PLACES).items():
        for subset, share in ((("All", 1.0), ("Yes", 1 / 3), ("No", 2 / 3)) if charter else ((None, 1.0),)):
            for category, cell in cells.items():
                n, e = (round(cell[0] * share), None if cell[1] is None else round(cell[1] * share)) if cell \
                    else ("*", None)
                figures = ("*", "*") if e is None else (e, f"{100 * e / n:.1f}")
                place = (year, level, county, district, school, county_name, district_name, school_name)
                lines.append(",".join(str(v) for v in place + ((subset,) if subset else ()) + (category, n, *figures)))
    return "\n".join(lines) + "\n"
