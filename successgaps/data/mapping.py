"""The mapping of a data set (which column is what, saved with the project as `models.ColumnMap`s):
its roles in words, the checks a mapping must pass before a view can be built from it, the editable
table the Data page shows and how edits come back, and combined groups.

Everything here works on a `DataSet` in memory; bad input raises `UserError` with one sentence and
leaves the data set unchanged.
"""

from __future__ import annotations

from ..errors import UserError
from ..models import ColumnMap, CombinedGroup, DataSet
from .codes import PLACE_LEVELS

ROLE_NAMES = {
    "student_id": "student id", "school": "school", "school_name": "school name", "district": "district",
    "district_name": "district name", "year": "year", "grade": "grade", "group": "group", "outcome": "outcome",
    "count": "count", "numerator": "numerator", "rate": "rate", "dimension": "dimension name",
    "measure": "outcome name", "level": "place level", "ignore": "ignore",
}


def column_for(dataset: DataSet, role: str) -> str:
    """The (first) column with this role, or ''."""
    return next((c.column for c in dataset.columns if c.role == role), "")


def column_map(dataset: DataSet, column: str) -> ColumnMap:
    return next(c for c in dataset.columns if c.column == column)


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
    for role in ("student_id", "school", "school_name", "district", "year", "dimension", "measure", "level"):
        if roles.count(role) > 1:
            raise UserError(f"{roles.count(role)} columns are marked as \u201c{ROLE_NAMES[role]}\u201d; keep one "
                            "and set the others to \u201cignore\u201d.")
    for role in ("count", "numerator", "rate") if dataset.layout == "aggregate_long" else ():
        if roles.count(role) > 1:
            raise UserError(f"{roles.count(role)} columns are marked as \u201c{ROLE_NAMES[role]}\u201d; keep one "
                            "and set the others to \u201cignore\u201d.")
    _check_levels(dataset)


def _check_levels(dataset: DataSet) -> None:
    """A place-level column (a report card's T/C/D/S) says which codes are state, district and school rows."""
    level = next((c for c in dataset.columns if c.role == "level"), None)
    if level is None:
        return
    if dataset.layout != "aggregate_long":
        raise UserError(f"A place level ({level.column}) belongs to a long aggregate file; set it to "
                        "\u201cignore\u201d for this layout.")
    wrong = sorted({v for v in level.codes.values() if v.strip() and v.strip().lower() not in PLACE_LEVELS})
    if wrong:
        raise UserError(f"The codes of {level.column} are read as one of {', '.join(PLACE_LEVELS)}, not "
                        f"\u201c{wrong[0]}\u201d; leave a code empty to leave its rows out.")
    if not any(v.strip().lower() in ("state", "district", "school") for v in level.codes.values()):
        raise UserError(f"Say which codes of {level.column} mean state, district and school rows (for example "
                        "T, D and S) in its code table.")


BETTER_ROLES = ("outcome", "rate", "numerator")  # the roles whose "higher is better" is read (`views`)


def mapping_rows(dataset: DataSet) -> list[dict]:
    """The mapping as rows for one editable table (role names in words, yes-values comma-separated). "higher is
    better" is blank where the role does not read it (an id, a school, a count): no tick that means nothing."""
    rows = []
    for c in dataset.columns:
        better = c.higher_is_better if c.role in BETTER_ROLES else None
        row = {"column": c.column, "role": ROLE_NAMES[c.role], "label": c.label,
               "outcome type": c.kind if c.role == "outcome" else "",
               "yes values": ", ".join(c.yes_values), "cut": c.cut, "below cut": c.cut_below,
               "divide by": c.per, "higher is better": better}
        if dataset.layout == "edfacts":
            row = {"column": c.column, "role": ROLE_NAMES[c.role], "label": c.label,
                   "dimension": c.dimension, "outcome": c.outcome, "higher is better": better}
        rows.append(row)
    return rows


def apply_mapping(dataset: DataSet, rows: list[dict], codes: dict[str, dict[str, str]] | None = None,
                  dimensions: dict[str, dict[str, str]] | None = None) -> DataSet:
    """Take the edited mapping table (and edited code labels per group column, and a report card's dimension
    per category code) back into `dataset`.
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
            if current[name].role == "level":
                current[name].codes = {k: v.lower() for k, v in current[name].codes.items()}
    for name, labels in (dimensions or {}).items():  # a report card's category codes: each code's dimension
        if name in current:
            current[name].code_dimensions = {str(k): str(v).strip() for k, v in labels.items()
                                             if k is not None and v is not None and str(v).strip()}
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


READING_SECTIONS = (  # (title, roles): how a team reads the mapping on the shared screen, a part at a time
    ("Groups we compare", ("group", "dimension")),
    ("Outcomes", ("outcome", "measure", "count", "numerator", "rate")),
    ("Places, years and students", ("student_id", "school", "school_name", "district", "district_name", "year",
                                    "grade", "level")),
)


def reading(dataset: DataSet) -> list[tuple[str, list[dict]]]:
    """The mapping as a team reads it together (not edits it): per part of `READING_SECTIONS` with a column in it,
    rows of Column, Read as (where the part's columns are read several ways), Label and, for outcomes, what counts
    (a yes/no outcome's yes codes, a number's cut, an average, lower is better); the columns left out are
    `unused(dataset)`."""
    out = []
    for title, roles in READING_SECTIONS:
        columns = [c for c in dataset.columns if c.role in roles]
        several = len({c.role for c in columns}) > 1  # "Read as" only where it tells the columns apart
        rows = [{"Column": c.column} | ({"Read as": ROLE_NAMES[c.role]} if several else {})
                | {"Label": c.label or c.column} | ({"What counts": _counts_as(dataset, c)} if title == "Outcomes" else {})
                for c in columns]
        if rows:
            out.append((title, rows))
    return out


def reading_codes(rows: list[dict]) -> list[dict]:
    """`views.code_table`'s rows as the team reads them: Code, Label ("unknown" where the mapping gives none, as the
    screen counts it), a report card's Dimension, Rows."""
    return [{"Code": r["code"], "Label": r["label"] or "unknown"}
            | ({"Dimension": r["dimension"]} if "dimension" in r else {}) | {"Rows": r["rows"]} for r in rows]


def unused(dataset: DataSet) -> list[str]:
    """The columns the mapping leaves out (role "ignore")."""
    return [c.column for c in dataset.columns if c.role == "ignore"]


def _counts_as(dataset: DataSet, c: ColumnMap) -> str:
    """What an outcome column counts, in words, as `views` reads it: "yes: Y, 1", "yes when days_absent ÷
    days_enrolled is at least 0.1", "the average", "Four-year graduation, Race/ethnicity" (an EDFacts column);
    "(lower is better)" when it is."""
    better = "" if c.higher_is_better else " (lower is better)"
    if dataset.layout == "edfacts":
        return ", ".join(x for x in (c.outcome, c.dimension) if x) + better
    if c.role != "outcome":
        return better.strip(" ()")
    if c.kind == "binary":
        return (f"yes: {', '.join(c.yes_values)}" if c.yes_values else "no value set as yes (every value is no)") + better
    value = f"{c.column} ÷ {c.per}" if c.per else c.column
    if c.cut is not None:
        return f"yes when {value} is {'below' if c.cut_below else 'at least'} {c.cut:g}" + better
    return ("the average" + (f" of {value}" if c.per else "")) + better
