"""The project document: everything a team produces across the seven steps.

One `Project` is saved as one JSON document (plus its data tables) by `successgaps.store`.
The shape is versioned by `SCHEMA_VERSION`; `migrate()` upgrades older documents.
Each section below belongs to one step of the process; later work extends the
fields of its own section (always with defaults, so older documents still load).
"""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class Model(BaseModel):
    """Base for every saved model: unknown keys are ignored, assignments are validated."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)


# ---------------------------------------------------------------- step 1: team and meetings

StakeholderCategory = Literal[
    "family",  # family member or student from the group experiencing the gap
    "general_education",
    "special_education",
    "support_staff",
    "leader",  # leader with authority to make change
    "community",
    "other",
]


class Member(Model):
    id: str = Field(default_factory=new_id)
    name: str
    role: str = ""
    category: StakeholderCategory = "other"
    email: str = ""
    agreed: bool = False
    invitation: str = ""  # the drafted, editable invitation text


class Homework(Model):
    id: str = Field(default_factory=new_id)
    text: str
    who: str = "everyone"  # "everyone" or a member id
    due: dt.date | None = None
    done: bool = False


class Evaluation(Model):
    id: str = Field(default_factory=new_id)
    member_id: str = ""  # may stay empty: evaluations can be anonymous
    scores: dict[str, int] = Field(default_factory=dict)  # question id -> 1..4
    comment: str = ""


class Meeting(Model):
    id: str = Field(default_factory=new_id)
    number: int
    title: str = ""
    kind: Literal["getting_started", "rubric", "root_causes", "action_plan", "monitoring", "other"] = "other"
    date: dt.date | None = None
    time: str = ""  # "15:30"
    length_minutes: int = 120
    place: str = ""
    objectives: list[str] = Field(default_factory=list)
    rubric_areas: list[str] = Field(default_factory=list)  # rubric area ids rated in this meeting
    activities: list[str] = Field(default_factory=list)  # template activity ids, in order (data/meetings.toml)
    facilitator_agenda: str = ""
    member_agenda: str = ""
    homework: list[Homework] = Field(default_factory=list)
    attendance: list[str] = Field(default_factory=list)  # member ids
    notes: str = ""
    decisions: str = ""
    follow_ups: str = ""
    evaluations: list[Evaluation] = Field(default_factory=list)


# ---------------------------------------------------------------- step 2: data

ColumnRole = Literal[
    "student_id",
    "school",
    "school_name",
    "district",
    "district_name",
    "year",
    "grade",
    "group",  # a group dimension (race/ethnicity, disability, ...)
    "outcome",
    "count",  # aggregate layouts: number of students in the cell
    "numerator",  # aggregate layouts: students with the outcome
    "rate",  # aggregate layouts: rate (exact, range-coded, suppressed)
    "ignore",
    "dimension",  # aggregate long layout: the column naming the dimension of the row's group ("Race/ethnicity")
    "measure",  # aggregate long layout: the column naming the row's outcome ("Graduation")
    "level",  # aggregate long layout: the column naming each row's place level (report cards: T/C/D/S)
]


class ColumnMap(Model):
    column: str  # the column's name in the uploaded file
    role: ColumnRole = "ignore"
    label: str = ""  # shown to people: "English learners", "Four-year graduation"
    codes: dict[str, str] = Field(default_factory=dict)  # group: raw value -> group label
    kind: Literal["binary", "numeric"] = "binary"  # outcome
    yes_values: list[str] = Field(default_factory=list)  # binary outcome: raw values that mean "yes"
    cut: float | None = None  # numeric outcome -> binary: event when value >= cut (< cut if cut_below)
    cut_below: bool = False
    higher_is_better: bool = True
    per: str = ""  # numeric outcome: divide by this column first (days absent per days enrolled)
    dimension: str = ""  # EDFacts layout: dimension of this column's group ("Race/ethnicity")
    outcome: str = ""  # EDFacts layout: outcome of this count/rate column ("Four-year graduation")
    # aggregate long layout, a group column holding several dimensions' codes (report cards: RB, GF, SS, TA):
    # raw value -> its dimension ("Race/ethnicity"; "All" for all students)
    code_dimensions: dict[str, str] = Field(default_factory=dict)


class CombinedGroup(Model):
    id: str = Field(default_factory=new_id)
    first: str  # column name of a group dimension
    second: str  # column name of another group dimension
    label: str = ""


class DataFile(Model):
    id: str = Field(default_factory=new_id)
    filename: str
    table: str  # table name inside the project's schema in the workspace database
    rows: int = 0
    year: str = ""  # year entered by the user when the file has no year column
    sheet: str = ""  # Excel sheet read
    column_suffix: str = ""  # EDFacts layout: the year suffix of this file's column names ("1415")
    # its table holds values as `codes.clean_sql` gives them (trimmed, missing marks NULL), as `read.read_upload`
    # writes them since 2026-12; a table loaded before is cleaned as it is read
    cleaned: bool = False
    loaded_at: datetime = Field(default_factory=now)


class DataSet(Model):
    id: str = Field(default_factory=new_id)
    name: str
    layout: Literal["student", "aggregate_long", "edfacts"] = "student"
    files: list[DataFile] = Field(default_factory=list)
    columns: list[ColumnMap] = Field(default_factory=list)
    combined: list[CombinedGroup] = Field(default_factory=list)
    confirmed: bool = False  # the team confirmed the mapping
    options: dict[str, str] = Field(default_factory=dict)  # layout-specific settings kept by the data layer


# ---------------------------------------------------------------- step 3: gaps

class GapSettings(Model):
    min_n: int = 30  # minimum denominator (n-size)
    min_cell: int = 10  # minimum numerator (cell size)
    comparison: Literal["all_others", "all_students", "reference", "benchmark"] = "all_others"
    reference_group: str = ""
    benchmark_rate: float | None = None  # proportion 0-1 the team types in (state or district rate)
    risk_ratio_threshold: float = 2.0
    point_gap_threshold: float = 10.0  # percentage points
    # the population an analysis screens: "among children with disabilities" (a dimension and one of its groups)
    among_dimension: str = ""
    among_group: str = ""
    # 34 CFR 300.647(d)(2) reasonable progress: the risk ratio fell by at least this much in each of the two
    # prior consecutive years (0: the test is off)
    progress_drop: float = 0.0
    state_dataset: str = ""  # the project's data set of state figures (alternate and weighted risk ratios)


class GapStatement(Model):
    id: str = Field(default_factory=new_id)
    dataset_id: str = ""
    level: Literal["state", "district", "school"] = "district"
    school: str = ""
    year: str = ""
    dimension: str = ""
    group: str = ""
    outcome: str = ""
    comparison: str = ""
    text: str = ""  # the drafted, editable sentence
    figures: dict[str, float | str | None] = Field(default_factory=dict)  # the data point behind it
    focus: bool = False
    created_at: datetime = Field(default_factory=now)


# ---------------------------------------------------------------- step 4: rubric

Level = Literal["planning", "partial", "implemented", "exemplary"]
LEVELS: tuple[str, ...] = ("planning", "partial", "implemented", "exemplary")
LEVEL_LABELS = {
    "planning": "Planning",
    "partial": "Partially implemented",
    "implemented": "Implemented",
    "exemplary": "Exemplary",
}


class Rating(Model):
    indicator_id: str
    member_id: str  # member id, or "group:<name>" for a small-group rating
    level: Level | None = None
    note: str = ""
    evidence: str = ""
    updated_at: datetime = Field(default_factory=now)


class Consensus(Model):
    indicator_id: str
    level: Level | None = None
    evidence: str = ""
    needs: str = ""  # what we need to find out before next meeting
    updated_at: datetime = Field(default_factory=now)


# ---------------------------------------------------------------- steps 5 and 6: root causes, plan

class Vote(Model):
    member_id: str
    indicator_ids: list[str] = Field(default_factory=list)


class Priority(Model):
    id: str = Field(default_factory=new_id)
    title: str
    indicator_ids: list[str] = Field(default_factory=list)
    root_cause: str = ""
    actionable: bool | None = None
    whys: list[str] = Field(default_factory=list)
    statement_ids: list[str] = Field(default_factory=list)  # gap statements that support it


class Goal(Model):
    id: str = Field(default_factory=new_id)
    priority_id: str = ""
    text: str = ""
    statement_id: str = ""  # the gap statement whose metric measures it
    metric: str = ""
    # what the numbers measure: the group's rate (0-1), its average, the gap (points), or another measure
    measure: Literal["rate", "mean", "difference", "other"] = "other"
    baseline: float | None = None
    baseline_year: str = ""
    target: float | None = None
    target_date: dt.date | None = None
    evidence: str = ""


class ActionStep(Model):
    id: str = Field(default_factory=new_id)
    goal_id: str = ""
    text: str = ""
    owner_id: str = ""
    start: dt.date | None = None
    due: dt.date | None = None
    resources: str = ""
    evidence: str = ""
    status: Literal["not_started", "on_track", "behind", "done", "dropped"] = "not_started"
    barriers: str = ""
    order: int = 0


# ---------------------------------------------------------------- step 7: monitoring

class StepReview(Model):
    step_id: str
    status: Literal["not_started", "on_track", "behind", "done", "dropped"] = "not_started"
    note: str = ""
    evidence: str = ""


class Review(Model):
    id: str = Field(default_factory=new_id)
    date: dt.date
    kind: Literal["full_team", "implementers"] = "full_team"
    attendees: list[str] = Field(default_factory=list)
    steps: list[StepReview] = Field(default_factory=list)
    fidelity: str = ""
    challenges: str = ""
    decisions: str = ""
    held: bool = False
    meeting_id: str = ""  # the meeting plan's review meeting this review is (step 1 and step 7 share one schedule)


class Revision(Model):
    id: str = Field(default_factory=new_id)
    at: datetime = Field(default_factory=now)
    review_id: str = ""
    what: str
    why: str = ""


# ---------------------------------------------------------------- the project

class Project(Model):
    schema_version: int = SCHEMA_VERSION
    id: str = Field(default_factory=new_id)
    name: str
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
    revision: int = 0  # bumped by the store on every save; used to detect stale writes

    # step 1
    members: list[Member] = Field(default_factory=list)
    meetings: list[Meeting] = Field(default_factory=list)
    norms: list[str] = Field(default_factory=list)
    meeting_length_minutes: int = 120
    facilitator: str = ""  # who signs the invitations
    meeting_every_weeks: int = 3  # weeks between the planned working meetings
    # step 2
    datasets: list[DataSet] = Field(default_factory=list)
    # step 3
    gap_settings: GapSettings = Field(default_factory=GapSettings)
    statements: list[GapStatement] = Field(default_factory=list)
    # step 4
    rubric_id: str = ""
    rubric_version: str = ""
    rubric_doc: dict = Field(default_factory=dict)  # the rubric rated with (kept on first rating or custom load)
    ratings: list[Rating] = Field(default_factory=list)
    consensus: list[Consensus] = Field(default_factory=list)
    # step 5
    need_cut: Level = "partial"  # indicators rated at or below this level are areas of need
    votes_per_member: int = 3
    votes: list[Vote] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    # step 6
    goals: list[Goal] = Field(default_factory=list)
    steps: list[ActionStep] = Field(default_factory=list)
    # step 7
    reviews: list[Review] = Field(default_factory=list)
    revisions: list[Revision] = Field(default_factory=list)

    def focus_statement(self) -> GapStatement | None:
        return next((s for s in self.statements if s.focus), None)

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)

    def dataset(self, dataset_id: str) -> DataSet | None:
        return next((d for d in self.datasets if d.id == dataset_id), None)


class NewerVersionError(ValueError):
    pass


def migrate(doc: dict) -> dict:
    """Upgrade a saved project document to SCHEMA_VERSION (in place) and return it."""
    version = doc.get("schema_version", 1)
    if not isinstance(version, int):
        raise ValueError("the project has no valid schema version")
    if version > SCHEMA_VERSION:
        raise NewerVersionError(
            f"This project was saved by a newer version of Success Gaps (format {version}); "
            f"update the app to open it (this app reads format {SCHEMA_VERSION} and older)."
        )
    # Future upgrades go here: `if version < 2: ...; version = 2`.
    doc["schema_version"] = SCHEMA_VERSION
    return doc
