"""The files of a data set: create a data set from an upload (read, detect, propose), propose it
again for another layout, add a file (next year's) or replace one checked against the mapping,
delete one, and drop the tables nothing refers to any more.

These change the `Project` in memory and the caller saves it; `drop_unused_tables` runs after the save.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ..models import DataFile, DataSet, Project, new_id
from ..store import CACHE
from .detect import detect
from .edfacts import edfacts_suffix, school_year
from .mapping import column_for
from .read import Progress, columns_of, read_upload
from .views import source_column


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
        dataset = detect(con, qualified, name=name or Path(filename).stem, cleaned=True)
    except BaseException:
        store.drop_table(project.id, table)
        raise
    suffix = edfacts_suffix(columns_of(con, qualified)) if dataset.layout == "edfacts" else ""
    dataset.files.append(DataFile(filename=filename, table=table, rows=rows, sheet=sheet or "", cleaned=True,
                                  year=year.strip() or (school_year(suffix) if suffix else ""), column_suffix=suffix))
    project.datasets.append(dataset)
    return dataset


def redetect(store, project: Project, dataset: DataSet, layout: str) -> DataSet:
    """Propose the mapping again for another layout (the team overrode the detected one)."""
    con = store.cursor()
    first = store.table(project.id, dataset.files[0].table)
    fresh = detect(con, first, layout=layout, name=dataset.name, cleaned=dataset.files[0].cleaned)
    dataset.layout, dataset.columns, dataset.options = fresh.layout, fresh.columns, fresh.options
    dataset.combined, dataset.confirmed = [], False
    for data_file in dataset.files:
        names = columns_of(con, store.table(project.id, data_file.table))
        data_file.column_suffix = edfacts_suffix(names) if layout == "edfacts" else ""
    return dataset


def _same_rows(store, project: Project, dataset: DataSet, table: str, names: list[str], rows: int,
               skip: str | None) -> DataFile | None:
    """The file of `dataset` (but `skip`, the one being replaced) whose table holds exactly the rows of the new
    `table` — the same file uploaded again — or None. Only a file of as many rows and the same columns is compared
    (`EXCEPT ALL`: every row, as often as it occurs), so another year's file costs nothing to check."""
    con = store.cursor()
    for old in dataset.files:
        if old.id == skip or old.rows != rows or not old.cleaned:  # a table loaded before is stored as read
            continue
        other = store.table(project.id, old.table)
        if columns_of(con, other) == names and not con.execute(
                f"SELECT EXISTS (SELECT * FROM {table} EXCEPT ALL SELECT * FROM {other})").fetchone()[0]:
            return old
    return None


def _load_matching(store, project: Project, dataset: DataSet, path: Path, filename: str, sheet, year: str,
                   progress, skip: str | None = None) -> tuple[DataFile, str]:
    table = _next_table(project)
    qualified = store.table(project.id, table)
    con = store.cursor()
    rows = read_upload(con, path, filename, qualified, sheet=sheet, progress=progress, tmp_dir=store.workspace)
    try:
        names = columns_of(con, qualified)
        suffix = edfacts_suffix(names) if dataset.layout == "edfacts" else ""
        data_file = DataFile(filename=filename, table=table, rows=rows, sheet=sheet or "", column_suffix=suffix, cleaned=True,
                             year=year.strip() or (school_year(suffix) if suffix else ""))
        mapped = [c.column for c in dataset.columns if c.role != "ignore"]
        mapped += [c.per for c in dataset.columns if c.role == "outcome" and c.per]
        wanted = {source_column(dataset, data_file, c) for c in mapped}
        missing = sorted(wanted - set(names))
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise UserError(f"{filename} does not have the column{'s' if len(missing) > 1 else ''} {shown} that "
                            "this data set's mapping uses; rename the columns to match, or upload it as a new data set.")
        same = _same_rows(store, project, dataset, qualified, names, rows, skip)
        if same is not None:
            raise UserError((f"{filename} is already in this data set (the very same rows)" if same.filename == filename
                             else f"{filename} has the very same rows as {same.filename}, already in this data set")
                            + ": added again, every student would count twice. To add another year, upload that "
                            "year's file.")
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
                                     old.year if year is None else year, progress, skip=old.id)
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
