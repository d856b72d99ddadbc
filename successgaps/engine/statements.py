"""Draft success gap statements from one row of the gap table (`engine.screen`).

"In 2024–25, 71% of English learners graduated in four years, compared with 89% of all other
students, a gap of 18 percentage points (n = 142)."

Every figure is rounded once, half up, from the exact figures (`half_up`): rates as whole
percents, the gap from the exact difference (so it agrees with the gap table). With the interval
(the quick screen's wording) the difference is signed in words, and so is its interval: "35.1
points lower (95% interval 32.0 to 38.2 points lower)". Negated outcome labels ("Not graduated")
read negated ("did not graduate"). A suppressed row gives
a sentence without any figure. Range-coded rates are written as ranges ("between 85% and 89%").
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

VERBS = (  # outcome label pattern -> what the students did (past tense)
    (r"four.?year.*grad|grad.*four.?year|4.?yr.*grad|grad.*4.?yr|acgr|cohort.*grad", "graduated in four years"),
    (r"grad", "graduated"),
    (r"drop", "dropped out"),
    (r"chronic", "were chronically absent"),
    (r"out.of.school|oss", "received an out-of-school suspension"),
    (r"suspen", "were suspended"),
    (r"expul|expel", "were expelled"),
    (r"newly.*(sped|special)|identif", "were newly identified for special education"),
    (r"read.*prof|prof.*read|ela.*prof|prof.*ela", "were proficient in reading"),
    (r"math.*prof|prof.*math", "were proficient in math"),
    (r"prof", "were proficient"),
)


_NEGATION = re.compile(r"^\s*(not|non|no|did\s+not|didn'?t|never)[\s_-]+|^\s*un(?=proficient|successful)", re.I)
_BASE_FORMS = {"graduated": "graduate", "dropped": "drop", "received": "receive", "had": "have"}


def _positive_phrase(label: str) -> str | None:
    lowered = (label or "").lower()
    for pattern, verb in VERBS:
        if re.search(pattern, lowered):
            return verb
    if re.match(r"(absent|present|enrolled|promoted|retained|referred|expelled|suspended|proficient)\b", lowered):
        return f"were {lowered}"  # the label is already what the students were
    return None


def _negate(phrase: str) -> str:
    """'were proficient in math' -> 'were not proficient in math'; 'graduated in four years' -> 'did not
    graduate in four years'."""
    if phrase.startswith("were "):
        return "were not " + phrase[5:]
    first, _, rest = phrase.partition(" ")
    base = _BASE_FORMS.get(first, first[:-1] if first.endswith("ed") else first)
    return f"did not {base}" + (f" {rest}" if rest else "")


def outcome_phrase(label: str) -> str:
    """What a student with this outcome did, e.g. "graduated in four years"; a generic phrase if unknown.

    A negated label reads negated: "Not graduated" -> "did not graduate", "Not proficient in math" ->
    "were not proficient in math"."""
    negated = _NEGATION.match(label or "")
    if negated:
        positive = _positive_phrase(label[negated.end():])
        if positive:
            return _negate(positive)
        return f"had the outcome “{label}”"
    return _positive_phrase(label) or f"had the outcome “{label}”"


PROPER_WORDS = {"Black", "White", "Asian", "Hispanic", "Latino", "Latina", "Latinx", "American", "Native",
                "Pacific", "Alaska", "Hawaiian", "English", "African", "Middle"}


def group_phrase(group: str, dimension: str = "") -> str:
    """How a group reads inside a sentence: "students with disabilities", "Black or African American
    students", "female students", "students with autism", "students who are not English learners"."""
    label = (group or "").strip()
    if not label or "&" in label:
        return label  # combined groups keep the team's label
    proper = label.split()[0].strip("(,").split("/")[0] in PROPER_WORDS
    lower = label if proper else label[:1].lower() + label[1:]
    dim = (dimension or "").lower()
    if re.match(r"(students|children|youth)\b", label, re.I):
        return lower
    if re.match(r"not\b", label, re.I):
        return f"students who are {lower}"
    if "categor" in dim:
        return "students in another disability category" if lower == "other" else f"students with {lower.lower()}"
    if re.search(r"\bsex\b|gender", dim) or lower in ("female", "male", "nonbinary"):
        return f"{lower} students"
    if "races" in lower:
        return f"students of {lower}"
    if re.search(r"(learners|students|children|youth)$", label, re.I):
        return lower
    if "race" in dim or "ethnic" in dim:
        return f"{label} students"
    return f"{lower} students"


def year_phrase(year: str) -> str:
    """'2024-25' -> '2024–25' (an en dash, as in print)."""
    return re.sub(r"^(\d{4})\s*[-/]\s*(\d{2,4})$", r"\1–\2", str(year or "").strip())


def years_written(text: str) -> str:
    """Every school year in a text ("2022-23, 2023-24"; a reason naming "2024-25") as `year_phrase` writes it. Only a
    school year: its two years follow each other, and no date goes on after it ("2024-09-01" stays as it is)."""
    return re.sub(r"\b(\d{4})-(\d{2})\b(?![-/.]\d)",
                  lambda m: f"{m[1]}–{m[2]}" if (int(m[1]) + 1) % 100 == int(m[2]) else m[0], text)


def half_up(value: float, places: int = 0) -> float:
    """Round once, half away from zero, from the exact figure as written (14.5 -> 15, not 14 as
    floating point would give): the one rounding rule of every sentence."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def rounded(value: float, places: int = 0) -> float:
    """`half_up` for a figure computed in floating point (a rate times 100, a difference): round(…, 9) first
    undoes the binary representation (0.145 * 100 is 14.499999999999998); the rule of every table, chart and
    PDF too, so that 12.5% is 13% wherever it shows."""
    value = float(value)
    if not (math.isfinite(value) and abs(value) < 1e15) or value.is_integer():  # (counts: most figures)
        return value
    value = round(value, 9)
    scaled = abs(value) * 10 ** places
    if abs(scaled - math.floor(scaled) - 0.5) > 1e-6:  # not a tie: the nearest, as `half_up` gives (faster)
        return round(value, places)
    return half_up(value, places)


def _pct(p: float) -> int:
    """A rate (fraction) as a whole percent, rounded once, half up (round(…, 9) undoes the binary
    representation: 0.145 * 100 is 14.499999999999998)."""
    return int(rounded(float(p) * 100))


def _points(p: float) -> int:
    """A difference of two rates (fractions), in whole percentage points, rounded once (as a rate is)."""
    return _pct(p)


def _missing(value) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def average_text(value: float) -> str:
    """An average (a scale score, days) as every sentence, table and chart writes it: whole from 100 up
    ("1,671"), one decimal below ("7.9", "23.0": the averages of a column line up)."""
    if abs(value) >= 100:
        return f"{half_up(value):,.0f}"
    return _one(value)


def _one(value: float) -> str:
    """A difference as every sentence and table writes it: one decimal ("39.0", "17.8")."""
    return f"{half_up(value, 1):,.1f}"


def rate_ends(low: float, high: float) -> tuple[int, int]:
    """The whole percents a rate's range is written with (the table's and the sentence's); a public file's
    rounded whole percent (92 read as 91.5-92.5%) is written as the file wrote it, 92%."""
    if high - low <= 0.0100001 and abs((low + high) * 50 - round((low + high) * 50)) < 1e-6:
        return (_pct((low + high) / 2),) * 2
    return _pct(low), _pct(high)


def written_range(row, prefix: str = "") -> tuple[int, int] | None:
    """The whole percents a row's rate (`prefix` "comparison_": its comparison's) is written with when the file
    gives it as a range ("39–88%"); None for an exact rate, a public file's whole percent or a hidden one."""
    low, high = row.get(f"{prefix}rate_low"), row.get(f"{prefix}rate_high")
    if _missing(low) or _missing(high):
        return None
    a, b = rate_ends(float(low), float(high))
    return (a, b) if a != b else None


def is_ranged(row) -> bool:
    """The file gives the row's rate, or its comparison's, as a range (EDFacts' "85-89", "GE95"): it has no one
    figure (a goal cannot start from, or follow, its middle)."""
    return written_range(row) is not None or written_range(row, "comparison_") is not None


def point_range(low: float, high: float, clow: float, chigh: float) -> tuple[int, int]:
    """The gap between a rate given as a range (low-high) and its comparison's (clow-chigh), in whole
    percentage points as written: from each range's written ends (`rate_ends`), the least and the most."""
    a, b = rate_ends(low, high)
    c, d = rate_ends(clow, chigh)
    return a - d, b - c


def gap_points(row) -> tuple[int, int] | None:
    """A rate's gap in whole percentage points as every table, heatmap and sentence writes it, (least, most):
    the same twice for an exact rate (the difference rounded once), a rate the file gives as a range by its
    written ends (`point_range`: EDFacts' 39-88% against 84-87% is -48 to +4, never its middle, -22); None
    without a gap (hidden or not computable)."""
    diff = row.get("difference")
    if _missing(diff):
        return None
    ends = [row.get(f"{prefix}rate_{end}") for prefix in ("", "comparison_") for end in ("low", "high")]
    if not any(_missing(v) for v in ends) and (ends[0] != ends[1] or ends[2] != ends[3]):
        return point_range(*map(float, ends))
    whole = int(rounded(float(diff)))
    return whole, whole


def points_label(row) -> str:
    """`gap_points` as a heatmap's cell writes it: "−13", "+4", "0", "−48 to +4"; "" without a gap."""
    points = gap_points(row)
    if points is None:
        return ""
    signed = [("\u2212" if v < 0 else "+" if v > 0 else "") + str(abs(v)) for v in points]
    return signed[0] if points[0] == points[1] else f"{signed[0]} to {signed[1]}"


def _rate_text(low: float, high: float) -> str:
    a, b = rate_ends(low, high)
    return f"{a}%" if a == b else f"between {a}% and {b}%"


def _comparison_text(row) -> str:
    comparison = str(row.get("comparison", "") or "")
    if comparison.startswith("benchmark"):
        return "the benchmark"
    return comparison


def gap_sentence(row, *, outcome: str | None = None, group: str | None = None, interval: bool = False) -> str:
    """One sentence stating a group's gap; `row` is a row (dict or Series) of the gap table.

    outcome: the verb phrase ("graduated in four years"); drafted from the outcome label if empty.
    interval: add the 95% interval of the gap (the quick screen's wording), when there is one.
    Handles numeric outcomes (averages), range-coded rates, lower-is-better outcomes and suppressed rows.
    """
    get = row.get
    who = group or group_phrase(str(get("group", "")), str(get("dimension", "")))
    where = f"At {get('school')}, " if get("level") == "school" and get("school") else \
        f"In {get('district')}, " if get("level") == "district" and get("district") else ""
    year = year_phrase(get("year", ""))
    lead = (f"{where}in {year}, " if where else f"In {year}, ") if year else where
    start = lambda text: (lead + text) if lead else text[:1].upper() + text[1:]  # noqa: E731
    label = str(get("outcome", ""))
    if bool(get("suppressed")):
        reason = get("suppression_reason") or "the group is too small"
        return start(f"results for {who} on {label} are not shown to protect student privacy ({reason}).")

    comparison = _comparison_text(row)
    higher_is_better = bool(get("higher_is_better", True))
    n = get("n")
    n_text = "" if _missing(n) else f" (n = {int(n):,})"
    if not _missing(get("mean")):  # numeric outcome
        mean, cmean = float(get("mean")), get("comparison_mean")
        measure = label if label.split()[:1] and label.split()[0] in PROPER_WORDS else label[:1].lower() + label[1:]
        unit = " points" if re.search(r"score", label, re.I) else ""
        text = f"{who} averaged {average_text(mean)} on the {measure}"
        if _missing(cmean):
            return start(text + n_text + ".")
        diff = mean - float(cmean)
        worse = diff < 0 if higher_is_better else diff > 0
        if interval or _unsure(row):
            tail = _signed_tail(diff, row, unit or " points", worse)
        else:
            tail = (", no difference" if half_up(abs(diff), 1) == 0 else f", a gap of {_one(abs(diff))}{unit}" if worse
                    else f", {_one(abs(diff))}{unit} {'lower' if diff < 0 else 'higher'}")
        return start(f"{text}, compared with {average_text(float(cmean))} for {comparison}{tail}{n_text}.")

    verb = outcome or outcome_phrase(label)
    low, high = get("rate_low"), get("rate_high")
    if _missing(low):
        low = high = get("rate")
    rate = _rate_text(float(low), float(high))
    text = f"{rate} of {who} {verb}"
    clow, chigh = get("comparison_rate_low"), get("comparison_rate_high")
    if _missing(clow):
        clow = chigh = get("comparison_rate")
    if _missing(clow):
        return start(text + n_text + ".")
    crate = _rate_text(float(clow), float(chigh))
    against = f"a benchmark of {crate}" if comparison == "the benchmark" else f"{crate} of {comparison}"
    exact = float(low) == float(high) and float(clow) == float(chigh)
    if exact and (interval or _unsure(row)):  # a difference chance alone could give is never "a gap" unqualified
        diff = get("difference")
        diff = (float(low) - float(clow)) * 100 if _missing(diff) else float(diff)
        worse = diff < 0 if higher_is_better else diff > 0
        tail = _signed_tail(diff, row, " percentage points", worse)
        return start(f"{text}, compared with {against}{tail}{n_text}.")
    if exact:  # rounded once, from the exact rates
        dlow = dhigh = _points(float(low) - float(clow))
    else:  # a range (or a public file's rounded whole percent): the ends as written
        dlow, dhigh = point_range(float(low), float(high), float(clow), float(chigh))
    if dlow == dhigh:
        worse = dlow < 0 if higher_is_better else dlow > 0
        amount = f"{abs(dlow)} percentage point{'s' if abs(dlow) != 1 else ''}"
        tail = (f", a gap of {amount}" if worse
                else ", no gap" if dlow == 0 else f", {amount} {'higher' if dlow > 0 else 'lower'}")
    elif dlow * dhigh > 0:
        worse = dhigh < 0 if higher_is_better else dlow > 0
        a, b = sorted((abs(dlow), abs(dhigh)))
        tail = (f", a gap of between {a} and {b} percentage points" if worse
                else f", between {a} and {b} percentage points {'higher' if dlow > 0 else 'lower'}")
    else:
        tail = f", a difference of between {_direction(dlow)} and {_direction(dhigh)} percentage points"
    sentence = start(f"{text}, compared with {against}{tail}{n_text}.")
    interval_text = _interval_words(row, " percentage points") if interval else ""
    return sentence + (f" The 95% interval for the difference is {interval_text}." if interval_text else "")


def _direction(points: float, digits: int | None = None) -> str:
    """A signed difference in words: 3 lower, 2 higher, 0."""
    shown = f"{half_up(abs(points), digits or 0):.{digits or 0}f}"
    return shown if float(shown) == 0 else f"{shown} {'lower' if points < 0 else 'higher'}"


def _interval_words(row, unit: str) -> str:
    """The 95% interval of the difference in the same words as the difference: "10.9 to 25.2
    percentage points lower"; across zero "3.1 lower to 2.0 percentage points higher"."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if _missing(low) or _missing(high):
        return ""
    low, high = float(low), float(high)
    if high < 0:
        return f"{_one(-high)} to {_one(-low)}{unit} lower"
    if low > 0:
        return f"{_one(low)} to {_one(high)}{unit} higher"
    return f"{_one(-low)} lower to {_one(high)}{unit} higher"


def _unsure(row) -> bool:
    """The 95% interval of the difference includes no difference (0): chance alone could give it."""
    low, high = row.get("ci_low"), row.get("ci_high")
    return not (_missing(low) or _missing(high)) and float(low) <= 0 <= float(high)


def _signed_tail(diff: float, row, unit: str, worse: bool) -> str:
    """', a gap: 17.8 percentage points lower (95% interval 10.9 to 25.2 percentage points lower)'. A difference
    whose interval includes no difference at all is not called a gap, and the sentence says so: chance alone
    could give it."""
    if half_up(abs(diff), 1) == 0:
        amount = "no difference"
    else:
        amount = f"{_one(abs(diff))}{unit} {'lower' if diff < 0 else 'higher'}"
    words = _interval_words(row, unit)
    unsure = _unsure(row)
    if unsure and amount != "no difference":
        words += ", which includes no difference"
    return (", a gap: " if worse and not unsure else ", ") + amount + (f" (95% interval {words})" if words else "")


def figures(row) -> dict:
    """The data point behind a statement, as saved with it (plain numbers and strings)."""
    keep = ("level", "school", "year", "dimension", "group", "outcome", "n", "rate", "rate_low", "rate_high", "mean",
            "comparison", "comparison_n", "comparison_rate", "comparison_rate_low", "comparison_rate_high",
            "comparison_mean", "difference", "risk_ratio", "ci_low", "ci_high", "p_value")
    out = {}
    for key in keep:
        value = row.get(key)
        if isinstance(value, str):
            out[key] = value
        else:
            out[key] = None if _missing(value) else float(value)
    return out


# ---------------------------------------------------------------- the project's statements

def hidden(statement) -> bool:
    """The statement's figures are hidden (a suppressed row): it can be kept, never be the team's focus."""
    figures = statement.figures or {}
    return all(figures.get(k) is None for k in ("rate", "mean", "difference", "rate_low"))


def add(project, row, text: str, *, dataset_id: str = ""):
    """Save a drafted (possibly edited) statement with the data point behind it; the first one whose
    figures are shown is the focus."""
    from ..errors import UserError
    from ..models import GapStatement

    text = (text or "").strip()
    if not text:
        raise UserError("Write the statement first (draft it from a group and an outcome, then edit it).")
    statement = GapStatement(
        dataset_id=dataset_id, level=row.get("level") or "district", school=str(row.get("school") or ""),
        year=str(row.get("year") or ""), dimension=str(row.get("dimension") or ""), group=str(row.get("group") or ""),
        outcome=str(row.get("outcome") or ""), comparison=str(row.get("comparison") or ""), text=text,
        figures=figures(row), focus=False)
    statement.focus = not hidden(statement) and project.focus_statement() is None
    project.statements.append(statement)
    return statement


def set_focus(project, statement_id: str) -> None:
    """Exactly one statement is the team's focus; never one whose figures are hidden."""
    from ..errors import UserError

    chosen = next((s for s in project.statements if s.id == statement_id), None)
    if chosen is not None and hidden(chosen):
        raise UserError("This statement's figures are hidden to protect student privacy, so it cannot be the "
                        "team's focus: choose a gap whose figures are shown.")
    for s in project.statements:
        s.focus = s.id == statement_id


def update_text(project, statement_id: str, text: str) -> None:
    from ..errors import UserError

    if not (text or "").strip():
        raise UserError("A statement cannot be empty; delete it instead.")
    for s in project.statements:
        if s.id == statement_id:
            s.text = text.strip()


def delete(project, statement_id: str) -> None:
    """Remove a statement; if it was the focus, the first remaining one becomes the focus."""
    was_focus = any(s.focus for s in project.statements if s.id == statement_id)
    project.statements = [s for s in project.statements if s.id != statement_id]
    shown = [s for s in project.statements if not hidden(s)]
    if was_focus and shown:
        shown[0].focus = True
