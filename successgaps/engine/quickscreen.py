"""Quick screen: a principal drops one file and reads the gaps that matter, without making a project.

`run(data, filename, workspace)` reads the uploaded bytes into a private in-memory DuckDB (the
only file written is the upload's spooled copy, `data.read.spooled`, in the workspace folder,
deleted right after reading), detects the layout and mapping and accepts them as proposed, and
runs the same engine as step 3 (`engine.screen`, exported through `suppression.for_export`: small
groups and the cells that would reveal them are hidden). It returns a `QuickScreen`: plain data, nothing saved anywhere.

- summary: "12,480 students, 3 years, 6 groupings, 7 outcomes detected". Students = distinct
  values of the student id column (no id is kept), else data rows; aggregate files count rows.
- gaps: the ten largest meaningful gaps of the latest year, whole file (district level): the first
  rows of the step 3 screen (`ranking.gap_screen`, ranked by `ranking.ranked`) among those
  `ranking.flagged` marks beyond the thresholds of `GapSettings`, each written by `statements.gap_sentence(row,
  interval=True)` — the gap statement's own generator, with n and the 95% interval. Suppressed rows
  are never ranked.
- nearest: when no gap is listed, the three differences most against a group, below the thresholds, as
  sentences: "no gap" then says what it was measured on.
- heatmap_rows: the latest year's yes/no rows, drawn by `charts.gap_heatmap` (as on step 3).
- suppressed: why each hidden group is hidden, one line per group and reason.
- far_out: per outcome with values far outside its usual range, the sentence shown beside its gaps
  (`quality.far_out_notes`, as on step 3).

The one-page PDF and the CSV of a quick screen are made in `outputs` (`gap_reports.one_pager`,
`gap_table.screen_csv`).

`keep(store, quick, name, chosen)` turns it into a full project in one click: the file read again
into the project's schema, the mapping as proposed (confirmed), the chosen gaps as gap statements.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ..data import datasets, mapping, quality, read, views
from ..data.prepared import ALL_DIMENSION
from ..errors import UserError
from ..models import GapSettings, Project, new_id
from ..sql import quote_literal
from ..store import Store
from . import ranking, statements, suppression
from .screen import screen

TOP = 10
NEAREST = 3  # differences shown when no gap is beyond the thresholds


@dataclass(frozen=True)
class Gap:
    key: str  # "dimension|group|outcome", stable across reruns (checkbox keys)
    title: str  # "Students with disabilities · Reading proficient"
    sentence: str  # the gap statement generator's sentence, with n and the 95% interval
    row: dict  # the screen's row behind it


@dataclass(frozen=True)
class QuickScreen:
    filename: str
    digest: str  # sha256 of the uploaded bytes: the cache key
    project: Project  # never saved: holds the proposed data set (mapping accepted as proposed) and settings
    table: pd.DataFrame  # the whole screen as exported (every level, school and year)
    year: str  # the latest year ('' when the file has none)
    students: int
    student_word: str  # "students" or "rows"
    years: int
    groupings: int
    outcomes: int
    gaps: list[Gap]  # beyond the thresholds (at every end of a range-coded rate's range)
    heatmap_rows: pd.DataFrame  # the latest year's yes/no rows, for `charts.gap_heatmap`
    suppressed: list[str]
    data: bytes = field(repr=False, default=b"")  # the upload itself, held in memory for "Keep this"
    place: tuple[str, str, str] = ("district", "", "")  # (level, district, school) screened: `places`
    years_list: tuple[str, ...] = ()  # every year of the file, oldest first
    shown: int = 0  # rows of the chosen place and year that are shown (not hidden)
    notes: list[str] = field(default_factory=list)  # e.g. schools left out of the whole file's sums
    empty: str = ""  # when nothing is shown: why, and what would show something (never a false "No gap")
    far_out: dict[str, str] = field(default_factory=dict)  # outcome -> `quality.far_out_notes`' sentence
    open_gaps: list[Gap] = field(default_factory=list)  # beyond them at the middle of the file's ranges only
    nearest: list[Gap] = field(default_factory=list)  # with no gap listed: the largest differences below them

    @property
    def dataset(self):
        return self.project.datasets[0]

    @property
    def source(self) -> str:
        """The file as people read it: its name, and the sheet screened when a workbook has several."""
        sheet = self.dataset.files[0].sheet
        return self.filename + (f" (sheet \u201c{sheet}\u201d)" if sheet else "")

    @property
    def whole(self) -> tuple[str, str, str]:
        """The whole file's place: level 'state' when it holds several districts, else 'district'."""
        return whole_place(self.table)

    @property
    def place_label(self) -> str:
        return place_label(self.table, self.place)

    @property
    def listed(self) -> list[Gap]:
        """Every gap the screen lists, those beyond the thresholds first, or, with none, the largest differences
        below them (`nearest`): what the team can keep as statements."""
        return self.gaps + self.open_gaps or self.nearest

    @property
    def summary(self) -> str:
        parts = [counted(self.students, self.student_word[:-1]), counted(self.years, "year"),
                 counted(self.groupings, "grouping"), counted(self.outcomes, "outcome")]
        return ", ".join(parts) + " detected"


MEANINGFUL_P = 0.05
PER_GROUPING = 3


def counted(n: int, word: str) -> str:
    """'1 year', '12,480 students'."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Scratch:
    """A private in-memory DuckDB that answers the few `Store` calls the data layer makes
    (cursor, table, drop_table, workspace); DuckDB's spill folder is inside the workspace too."""

    schema = staticmethod(Store.schema)
    table = Store.table

    def __init__(self, workspace: Path):
        self.workspace = Path(workspace)
        self._con = duckdb.connect(":memory:")
        self._con.execute(f"SET temp_directory = {quote_literal(str(self.workspace / 'quick-screen.tmp'))}")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con

    def drop_table(self, project_id: str, name: str) -> None:
        self._con.execute(f"DROP TABLE IF EXISTS {self.table(project_id, name)}")

    def close(self) -> None:
        self._con.close()


def run(data: bytes, filename: str, workspace: Path | str, settings: GapSettings | None = None) -> QuickScreen:
    """Screen one uploaded file (see the module docstring). Bad input: `UserError`, nothing left behind. A workbook
    of several sheets (a cover sheet first, as many exports have): the largest sheet with groups and outcomes."""
    sheets = read.excel_sheets(data, largest_first=True) if read.file_kind(data[:8], filename) == "excel" else []
    if len(sheets) < 2:
        return _run(data, filename, workspace, settings, None)
    first = None
    for sheet in sheets:
        try:
            return _run(data, filename, workspace, settings, sheet)
        except UserError as exc:
            first = first or exc
    raise first


def _run(data: bytes, filename: str, workspace: Path | str, settings: GapSettings | None,
         sheet: str | None) -> QuickScreen:
    scratch = _Scratch(Path(workspace))
    try:
        project = Project(name=Path(filename).stem or "Quick screen", gap_settings=settings or GapSettings())
        con = scratch.cursor()
        con.execute(f"CREATE SCHEMA {Store.schema(project.id)}")
        dataset = datasets.create_dataset(scratch, project, data, filename, sheet=sheet)
        dataset.confirmed = True  # accepted as proposed
        try:
            prepared = views.prepare(con, project, dataset)
        except UserError as exc:
            raise UserError(f"The quick screen could not find both student groups and outcomes in {filename} "
                            f"({_lower_first(str(exc)).rstrip('.')}); start a project and map its columns on the Data "
                            "page.") from exc
        table = suppression.for_export(screen(con, prepared, project.gap_settings, extra=True))
        students, word = _students(con, project, dataset)
        far_out = quality.far_out_notes(con, project, dataset)
    finally:
        scratch.close()
    years = sorted(y for y in table["year"].dropna().unique() if y)
    quick = QuickScreen(
        filename=filename, digest=digest(data), project=project, table=table, year=years[-1] if years else "",
        students=students, student_word=word, years=len(years),
        groupings=len(prepared.dimensions), outcomes=len(prepared.outcomes),
        gaps=[], heatmap_rows=table.iloc[:0], suppressed=[], data=bytes(data), years_list=tuple(years),
        far_out=far_out)
    return choose(quick)


def whole_place(table: pd.DataFrame) -> tuple[str, str, str]:
    return ranking.whole_place(table)


def _rows_at(table: pd.DataFrame, place: tuple[str, str, str]) -> pd.DataFrame:
    level, district, school = place
    mask = (table["level"] == level).to_numpy() & (table["school"].fillna("") == school).to_numpy()
    if "district" in table:
        mask &= (table["district"].fillna("") == district).to_numpy()
    return table[mask]




def place_label(table: pd.DataFrame, place: tuple[str, str, str]) -> str:
    return ranking.place_label(place, int(table.attrs.get("states", 0)))


def places(quick: QuickScreen) -> list[tuple[str, str, str]]:
    """Every place to pick (`ranking.places`): the whole file, then districts and schools, the largest first."""
    return ranking.places(quick.table)


def choose(quick: QuickScreen, place: tuple[str, str, str] | None = None, year: str | None = None) -> QuickScreen:
    """The quick screen of one place (default: the whole file) and year (default: the latest year in which
    that place shows any group), with a plain sentence when nothing is shown."""
    place = tuple(place) if place else whole_place(quick.table)
    rows = _rows_at(quick.table, place)
    groups = rows[rows["dimension"] != ALL_DIMENSION]
    years = [y for y in quick.years_list if (groups["year"] == y).any()] or list(quick.years_list)
    if year is None or year not in quick.years_list:
        showing = [y for y in years if (~groups.loc[groups["year"] == y, "suppressed"].astype(bool)).any()]
        year = (showing or years or [""])[-1]
    latest = select_year(groups, year)
    shown = latest[~latest["suppressed"].astype(bool)]
    notes = ranking.row_notes(shown)
    settings = quick.project.gap_settings
    gaps, open_gaps = largest(quick.table, settings, year, place=place), left_open(quick.table, settings, year,
                                                                                 place=place)
    chosen = replace(quick, place=place, year=year, shown=len(shown), notes=notes, gaps=gaps, open_gaps=open_gaps,
                     nearest=[] if gaps or open_gaps else nearest(quick.table, settings, year, place=place),
                     heatmap_rows=latest[latest["kind"] == "binary"], suppressed=suppressed_lines(latest))
    return replace(chosen, empty="" if len(shown) else _empty(chosen, latest, groups))


def select_year(rows: pd.DataFrame, year: str) -> pd.DataFrame:
    return (rows[rows["year"] == year] if year else rows).reset_index(drop=True)


def _empty(quick: QuickScreen, latest: pd.DataFrame, groups: pd.DataFrame) -> str:
    """Why nothing is shown for the chosen place and year, and what would show something."""
    where = quick.place_label
    when = statements.year_phrase(quick.year)
    if latest.empty:
        text = f"There are no figures for {where}" + (f" in {when}" if when else "") + "."
    else:
        reasons = latest["suppression_reason"].fillna("").value_counts()
        top = "; ".join(f"{r} ({k} row{'s' if k != 1 else ''})" for r, k in reasons.head(3).items() if r)
        text = (f"Every group of {where}" + (f" in {when}" if when else "") + f" is hidden: {top}. "
                "This is not a finding of no gap: the file cannot show one here.")
    offers = []
    other = [y for y in quick.years_list if y != quick.year
             and (~groups.loc[groups["year"] == y, "suppressed"].astype(bool)).any()]
    if other:
        offers.append("another year (" + ", ".join(statements.year_phrase(y) for y in other[-3:]) + ")")
    table = quick.table
    here = table.index.isin(_rows_at(table, quick.place).index)
    elsewhere = table[~here & (table["year"] == quick.year).to_numpy() & ~table["suppressed"].to_numpy(bool)]
    if len(elsewhere):  # only a place that shows something this year
        there = set(zip(elsewhere["level"], elsewhere.get("district", pd.Series("", index=elsewhere.index)).fillna(""),
                        elsewhere["school"].fillna("")))
        offers.append("another place (" + ", ".join(
            place_label(table, p) for p in [p for p in ranking.places(elsewhere) if p in there][:3]) + ")")
    s = quick.project.gap_settings
    if latest["suppression_reason"].fillna("").str.contains("fewer than").any():
        offers.append(f"a smaller minimum size than {s.min_n} students (start a project to change it)")
    return text + (" Try " + ", or ".join(offers) + "." if offers else "")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _students(con, project: Project, dataset) -> tuple[int, str]:
    """(distinct student ids, "students") for a student file with an id column, else (rows, "rows"/"students")."""
    rows = sum(f.rows for f in dataset.files)
    if dataset.layout != "student":
        return rows, "rows"
    ident = mapping.column_for(dataset, "student_id")
    if not ident:
        return rows, "students"
    [data_file] = dataset.files
    value = views.column_sql(dataset, data_file, ident)
    return con.execute(f"SELECT count(DISTINCT {value}) FROM {views.file_table(project, data_file)}").fetchone()[0], \
        "students"


def latest_rows(table: pd.DataFrame, year: str, place: tuple[str, str, str] | None = None) -> pd.DataFrame:
    """One place (default: the whole file) in one year, groups only."""
    rows = select_year(_rows_at(table, tuple(place) if place else whole_place(table)), year)
    return rows[rows["dimension"] != ALL_DIMENSION].reset_index(drop=True)


def largest(table: pd.DataFrame, settings: GapSettings, year: str, top: int = TOP,
            place: tuple[str, str, str] | None = None) -> list[Gap]:
    """The `top` largest meaningful gaps of the whole file in `year`, as sentences.

    Meaningful: beyond the team's thresholds (`ranking.flagged`) and, where the engine gives a p-value,
    unlikely to be chance (p < 0.05). Taken in the order of the step 3 screen (`ranking.gap_screen`),
    keeping each group's largest gap only and at most three groups per grouping, so that ten
    sentences cover different groups instead of one group's many outcomes.
    """
    shown, _ = ranking.ranked(latest_rows(table, year, place), settings)
    meaningful = shown[shown["flagged"] & ~(shown["p_value"].astype(float) >= MEANINGFUL_P)]
    first = meaningful.drop_duplicates(["dimension", "group"])
    first = first[first.groupby("dimension").cumcount() < PER_GROUPING]
    rest = meaningful.drop(first.index)  # when fewer than `top` groups qualify, their next gaps fill in
    chosen = pd.concat([first, rest]).head(top).sort_index()
    return [_gap(row) for row in chosen.to_dict("records")]


def nearest(table: pd.DataFrame, settings: GapSettings, year: str, top: int = NEAREST,
            place: tuple[str, str, str] | None = None) -> list[Gap]:
    """When no gap is beyond the thresholds: the `top` differences most against the group (`ranking.severity`,
    as the step 3 screen ranks them), one per group, as sentences with their 95% interval, so that "no gap"
    shows what it was measured on (a scale-score gap of 38 points can be below an effect size of 0.25)."""
    shown, _ = ranking.ranked(latest_rows(table, year, place), settings)
    against = shown[~shown["flagged"] & (shown["severity"].astype(float) > 0)].drop_duplicates(["dimension", "group"])
    return [_gap(row) for row in against.head(top).to_dict("records")]


def _gap(row: dict) -> Gap:
    return Gap(key=f"{row['dimension']}|{row['group']}|{row['outcome']}", title=f"{row['group']} · {row['outcome']}",
               sentence=statements.gap_sentence(row, interval=True), row=row)


def left_open(table: pd.DataFrame, settings: GapSettings, year: str, top: int = TOP,
              place: tuple[str, str, str] | None = None) -> list[Gap]:
    """The gaps a file's published ranges leave open (EDFacts gives rates as "80-84" or "GE50"; a sum of
    schools gives a range too): beyond the thresholds at the middle of the ranges, but not at every end of
    them, so `largest` cannot list them. The largest at the middle first. Listed apart, worded with their
    ranges, so that a file of ranges never reads as "no gap"."""
    rows = latest_rows(table, year, place)
    rows = rows[~rows["suppressed"].astype(bool)].reset_index(drop=True)
    chosen = rows[ranking.left_open(rows, settings)]
    against = chosen["difference"].astype(float) * np.where(ranking._hib(chosen), -1.0, 1.0)  # > 0: worse
    chosen = chosen.loc[against.sort_values(ascending=False, kind="stable").index].head(top)
    return [_gap(row) for row in chosen.to_dict("records")]


def gaps_heading(quick: QuickScreen) -> str:
    """'The 10 largest gaps in 2024–25', 'The largest gap in 2014–15' (the screen and the one-pager)."""
    year = statements.year_phrase(quick.year)
    return ((f"The {len(quick.gaps)} largest gaps" if len(quick.gaps) > 1 else "The largest gap")
            + (f" in {year}" if year else ""))


def thresholds_sentence(settings: GapSettings) -> str:
    """What a gap is measured against, in one caption (the screen and the one-pager)."""
    return (f"Each group is compared with all other students. A gap is listed when "
            f"{ranking.threshold_words(settings)}. Groups of fewer than {settings.min_n} students are never ranked. "
            "The 95% interval shows how sure each figure is.")


def open_sentence(quick: QuickScreen) -> str:
    """What the ranges leave open, in one warning (the screen and the one-pager)."""
    return (("No other gap" if quick.gaps else "No gap") + " is beyond the usual thresholds at every end of "
            "the file's ranges: it gives rates as ranges (as EDFacts and many state files publish them, to protect "
            "students). At the middle of their ranges, "
            + (f"these {len(quick.open_gaps)} gaps are" if len(quick.open_gaps) > 1 else "this gap is") + " beyond them: "
            "this is not a finding of no gap. The exact figures (the state's own files, or a student-level file) "
            "would tell.")


def suppressed_lines(rows: pd.DataFrame) -> list[str]:
    """"Pacific Islander (Race/ethnicity), 4 outcomes: fewer than 30 students in the group." per group and reason."""
    hidden = rows[rows["suppressed"]]
    out = []
    for (dimension, group, reason), part in hidden.groupby(["dimension", "group", "suppression_reason"], sort=False):
        outcomes = list(dict.fromkeys(part["outcome"]))
        which = ", ".join(outcomes) if len(outcomes) <= 3 else f"{len(outcomes)} outcomes"
        out.append(f"{group} ({dimension}) — {which}: {reason}.")
    return out


def rows_behind(quick: QuickScreen) -> pd.DataFrame:
    """The rows behind the sentences: step 3's screen (`ranking.gap_screen`) of the place and year they are about,
    the shown rows ranked, then the hidden ones."""
    level, district, school = quick.place
    shown, hidden = ranking.gap_screen(quick.table, quick.project.gap_settings, level=level, school=school,
                                       district=district, year=quick.year or None)
    return pd.concat([shown, hidden], ignore_index=True)


def keep(store: Store, quick: QuickScreen, name: str, chosen_statements: list[str]) -> Project:
    """A new saved project from the quick screen: the file loaded into the project's schema, the mapping
    as proposed (confirmed), the same gap settings, and the chosen gaps (`Gap.key`) as gap statements.
    A bad name or file: `UserError`, and nothing is created."""
    source = quick.dataset
    dataset = source.model_copy(deep=True)
    dataset.files = [source.files[0].model_copy(update={"id": new_id(), "table": f"f_{new_id()}"})]
    project = Project(name=name or "Quick screen", gap_settings=quick.project.gap_settings.model_copy(),
                      datasets=[dataset])
    chosen = set(chosen_statements)
    for gap in quick.listed:  # worded as step 3 drafts a statement (no interval); the first is the focus
        if gap.key in chosen:
            statements.add(project, gap.row, statements.gap_sentence(gap.row), dataset_id=dataset.id)
    created = store.create(name, project)
    try:
        read.read_upload(store.cursor(), quick.data, quick.filename, views.file_table(created, dataset.files[0]),
                           sheet=dataset.files[0].sheet or None, tmp_dir=store.workspace)
        return store.save(created)
    except BaseException:
        store.delete(created.id)
        raise
