"""The project store: one DuckDB file in a workspace folder.

- Table `projects` holds one JSON document per project (`models.Project`) and its revision.
- Each project owns a DuckDB schema `p_<id>`; its uploaded data sets are tables there.
- Every save is one transaction (atomic: a crash leaves the last good state) and is optimistic:
  it succeeds only if the stored revision is the one the caller read; otherwise
  `StaleProjectError` (another tab or window saved in between) and nothing is overwritten.
- A project file (`.sgproj`) is a zip of `manifest.json`, `project.json` and one Parquet file per
  data table. Opening one creates a new project; nothing existing is touched.

- Opening one checks the whole file first (entries, unpacked sizes read in bounded chunks, the
  manifest, the project document and every table) and only then writes; see `import_project`.
- Faults of the workspace (a file, read-only, not writable, full, in use, a damaged database) are one
  sentence each (`storage_error`, `open_error`); `backup` keeps a copy a day for `KEEP_BACKUPS` days
  and `restore_backup` puts one back; `clean_leftovers` deletes spooled uploads a killed server left.

The workspace defaults to `workspace/` beside the app; `SUCCESSGAPS_WORKSPACE` overrides it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import shutil
import time
import json
import os
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
from pydantic import ValidationError

from .errors import StaleProjectError, UserError, storage_error, write_fault
from .models import SCHEMA_VERSION, Project, migrate, new_id, now
from .sql import quote_ident, quote_literal

APP_ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "successgaps.duckdb"
CACHE = "sg_cache"  # an in-memory database attached to the workspace's: tables derived from the data
FILE_FORMAT = "successgaps-project"
MAX_PROJECT_FILE_BYTES = 2 * 1024**3
BACKUPS = "backups"
KEEP_BACKUPS = 7
LEFTOVERS = ("upload-*.tmp", "utf8-*.csv")  # spooled uploads (`data.read`) a killed server left behind
TEMP_PREFIX = "sgtmp-"  # folders of tables being exported or opened (project files)
ERROR_LOG = "errors.log"


def default_workspace() -> Path:
    return Path(os.environ.get("SUCCESSGAPS_WORKSPACE") or APP_ROOT / "workspace").resolve()


@dataclass(frozen=True)
class ProjectSummary:
    id: str
    name: str
    updated_at: datetime


class Store:
    def __init__(self, workspace: Path | str | None = None, *, backups: bool = False, memory: bool = False):
        """`memory`: a throwaway store (the command line's) whose database lives in memory, spilling
        to the workspace folder when it must: an upload is not written to disk first."""
        self.workspace = Path(workspace).resolve() if workspace else default_workspace()
        try:
            self.workspace.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, self.workspace) from exc
        if not self.workspace.is_dir():
            raise storage_error(NotADirectoryError(errno.ENOTDIR, "not a folder"), self.workspace)
        self.path = self.workspace / DB_NAME
        clean_leftovers(self.workspace)
        try:
            self._con = duckdb.connect(":memory:" if memory else str(self.path))
            if memory:
                self._con.execute(f"SET temp_directory = {quote_literal(str(self.workspace / 'spill.tmp'))}")
        except (duckdb.Error, OSError) as exc:
            raise open_error(exc, self) from exc
        self._lock = threading.RLock()
        self._con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {CACHE}")
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS projects ("
            " id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, doc JSON NOT NULL,"
            " revision BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL)"
        )
        if backups:
            with contextlib.suppress(Exception):  # a backup that fails never stops the app
                self.backup()

    # ------------------------------------------------------------------ connections

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection to the workspace database, safe to use from the calling thread."""
        return self._con.cursor()

    def close(self) -> None:
        self._con.close()

    @staticmethod
    def schema(project_id: str) -> str:
        return quote_ident(f"p_{project_id}")

    def table(self, project_id: str, name: str) -> str:
        """The quoted, qualified name of a project's data table."""
        return f"{self.schema(project_id)}.{quote_ident(name)}"

    @classmethod
    def cache_table(cls, project_id: str, name: str) -> str:
        """The quoted, qualified name of a table derived from a project's data, kept in memory only
        (the cache: rebuilt after a restart, never saved, exported or copied)."""
        return f"{CACHE}.{cls.schema(project_id)}.{quote_ident(name)}"

    def tables(self, project_id: str) -> list[str]:
        """The project's data tables (its uploads; not the cache's)."""
        rows = self.cursor().execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
            "AND table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1",
            [f"p_{project_id}"],
        ).fetchall()
        return [r[0] for r in rows]

    def drop_table(self, project_id: str, name: str) -> None:
        with self._lock:
            self.cursor().execute(f"DROP TABLE IF EXISTS {self.table(project_id, name)}")

    def _fault(self, exc: BaseException) -> BaseException:
        """A storage fault during a write as one sentence (disk full, read-only, ...); other errors as they are."""
        if isinstance(exc, UserError):
            return exc
        if isinstance(exc, OSError):
            return storage_error(exc, self.workspace)
        if isinstance(exc, duckdb.Error) and any(w in str(exc) for w in (
                "No space left", "Read-only file system", "Permission denied", "Disk quota", "Could not write")):
            return open_error(exc, self)
        return exc

    # ------------------------------------------------------------------ backups

    def backup(self, today: date | None = None) -> Path | None:
        """Today's copy of the workspace database in `backups/` (made once a day; the last
        `KEEP_BACKUPS` days are kept). Returns the new copy, or None when today's exists."""
        folder = self.workspace / BACKUPS
        folder.mkdir(exist_ok=True)
        target = folder / f"{(today or date.today()).isoformat()}.duckdb"
        if target.exists():
            return None
        partial = folder / f".{target.name}.partial"
        partial.unlink(missing_ok=True)
        with self._lock:
            con = self.cursor()
            con.execute(f"ATTACH {quote_literal(str(partial))} AS sg_backup")
            try:
                con.execute("COPY FROM DATABASE " + quote_ident(self._con.execute("SELECT current_database()").fetchone()[0])
                            + " TO sg_backup")
            finally:
                con.execute("DETACH sg_backup")
        partial.rename(target)
        for old in list_backups(self.workspace)[KEEP_BACKUPS:]:
            old.unlink(missing_ok=True)
        return target

    # ------------------------------------------------------------------ projects

    def create(self, name: str, project: Project | None = None) -> Project:
        name = (name or "").strip()
        if not name:
            raise UserError("Give the project a name, for example the school or district and the year.")
        project = project or Project(name=name)
        project.name, project.revision = name, 1
        project.created_at = project.updated_at = now()
        with self._lock:
            con = self.cursor()
            con.execute("BEGIN")
            try:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema(project.id)}")
                con.execute(
                    "INSERT INTO projects VALUES (?, ?, ?, ?, ?)",
                    [project.id, name, project.model_dump_json(), 1, project.updated_at],
                )
                con.execute("COMMIT")
            except Exception as exc:
                with contextlib.suppress(Exception):
                    con.execute("ROLLBACK")
                raise self._fault(exc) from exc
        return project

    def list(self) -> list[ProjectSummary]:
        rows = self.cursor().execute("SELECT id, name, updated_at FROM projects ORDER BY updated_at DESC").fetchall()
        return [ProjectSummary(*r) for r in rows]

    def exists(self, project_id: str) -> bool:
        return bool(self.cursor().execute("SELECT count(*) FROM projects WHERE id = ?", [project_id]).fetchone()[0])

    def load(self, project_id: str) -> Project:
        row = self.cursor().execute("SELECT doc, revision FROM projects WHERE id = ?", [project_id]).fetchone()
        if row is None:
            raise UserError("That project no longer exists; pick another one on the Home page.")
        project = Project.model_validate(migrate(json.loads(row[0])))
        project.revision = row[1]
        return project

    def save(self, project: Project) -> Project:
        """Save atomically if nobody saved since `project.revision` was read; bump the revision."""
        with self._lock:
            con = self.cursor()
            con.execute("BEGIN")
            try:
                current = con.execute("SELECT revision FROM projects WHERE id = ?", [project.id]).fetchone()
                if current is None:
                    raise UserError("This project was deleted; your last change could not be saved.")
                if current[0] != project.revision:
                    raise StaleProjectError(
                        "This project was changed in another tab or window after this page was drawn, so your "
                        "last change was not saved; the page now shows the latest version — make the change again."
                    )
                saved = project.model_copy(update={"revision": project.revision + 1, "updated_at": now()})
                con.execute(
                    "UPDATE projects SET name = ?, doc = ?, revision = ?, updated_at = ? WHERE id = ?",
                    [saved.name, saved.model_dump_json(), saved.revision, saved.updated_at, saved.id],
                )
                con.execute("COMMIT")
            except Exception as exc:
                with contextlib.suppress(Exception):
                    con.execute("ROLLBACK")
                raise self._fault(exc) from exc
        project.revision, project.updated_at = saved.revision, saved.updated_at
        return project

    def rename(self, project_id: str, name: str) -> Project:
        project = self.load(project_id)
        name = (name or "").strip()
        if not name:
            raise UserError("A project needs a name; type one and press Enter.")
        project.name = name
        return self.save(project)

    def duplicate(self, project_id: str, name: str | None = None) -> Project:
        source = self.load(project_id)
        copy = source.model_copy(deep=True)
        copy.id = new_id()
        created = self.create(name or f"{source.name} (copy)", copy)
        with self._lock:
            con = self.cursor()
            for table in self.tables(project_id):
                con.execute(
                    f"CREATE TABLE {self.table(created.id, table)} AS SELECT * FROM {self.table(project_id, table)}"
                )
        return created

    def delete(self, project_id: str) -> None:
        with self._lock:
            con = self.cursor()
            con.execute("BEGIN")
            try:
                con.execute("DELETE FROM projects WHERE id = ?", [project_id])
                con.execute(f"DROP SCHEMA IF EXISTS {self.schema(project_id)} CASCADE")
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
            con.execute(f"DROP SCHEMA IF EXISTS {CACHE}.{self.schema(project_id)} CASCADE")

    # ------------------------------------------------------------------ project files

    def export_project(self, project_id: str, *, student_rows: bool = True) -> bytes:
        """One `.sgproj` file: manifest, project JSON and each data table as Parquet.

        Without `student_rows` (a team server's default) the file carries the team's work and the summary
        (aggregate, public-file) data sets only: student-level data sets and their tables are left out,
        and the manifest names them under `left_out`."""
        project = self.load(project_id)
        tables = self.tables(project_id)
        left_out = []
        if not student_rows:
            student = [d for d in project.datasets if d.layout == "student"]
            left_out = [d.name for d in student]
            dropped = {f.table for d in student for f in d.files}
            project.datasets = [d for d in project.datasets if d.layout != "student"]
            tables = [t for t in tables if t not in dropped and t in {f.table for d in project.datasets for f in d.files}]
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX, dir=self.workspace) as tmp, zipfile.ZipFile(
            buffer, "w", zipfile.ZIP_DEFLATED
        ) as zf:
            manifest = {"format": FILE_FORMAT, "schema_version": SCHEMA_VERSION, "tables": tables}
            if not student_rows:
                manifest["left_out"] = left_out
            zf.writestr("manifest.json", json.dumps(manifest))
            zf.writestr("project.json", project.model_dump_json(indent=1))
            for i, table in enumerate(tables):
                target = Path(tmp) / f"{i}.parquet"
                self.cursor().execute(
                    f"COPY (SELECT * FROM {self.table(project_id, table)}) TO {quote_literal(str(target))} (FORMAT parquet)"
                )
                zf.write(target, f"tables/{i}.parquet")
        return buffer.getvalue()

    def import_project(self, data: bytes) -> Project:
        """Open a `.sgproj` file as a new project. Any problem: one sentence, nothing touched.

        The whole file is checked before anything is written: its entries (how many, how large
        unpacked, read in bounded chunks so a zip bomb never fills memory or disk), the manifest and
        project document (types, versions, every named table present), and each table (readable
        Parquet within `MAX_TABLE_BYTES` unpacked)."""
        bad = "This is not a Success Gaps project file (.sgproj), or it is damaged; download it again from the app that made it."
        if len(data) > MAX_PROJECT_FILE_BYTES:
            raise UserError("This project file is larger than 2 GB, which this app cannot open.")
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
            if len(infos) > MAX_PROJECT_ENTRIES:
                raise UserError(f"This project file holds {len(infos):,} entries, more than the "
                                f"{MAX_PROJECT_ENTRIES:,} a Success Gaps project has; it is damaged or not a project file.")
            # zipfile never unpacks more than an entry's stated size, so the stated sizes bound the work
            if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES or any(
                    i.file_size > BOMB_FLOOR and i.file_size > BOMB_RATIO * max(i.compress_size, 1) for i in infos):
                raise UserError(_too_big())
            names = {i.filename for i in infos}
            if not {"manifest.json", "project.json"} <= names:
                raise UserError(bad)
            manifest = json.loads(_read_entry(zf, "manifest.json", MAX_DOC_BYTES))
            if not isinstance(manifest, dict) or manifest.get("format") != FILE_FORMAT:
                raise UserError(bad)
            version = manifest.get("schema_version")
            doc = json.loads(_read_entry(zf, "project.json", MAX_DOC_BYTES))
            inner = doc.get("schema_version", 0) if isinstance(doc, dict) else None
            if not isinstance(doc, dict) or not _is_version(version) or not (_is_version(inner) or inner is None):
                raise UserError(bad)
            doc["schema_version"] = max(version, inner or 0)
            project = Project.model_validate(migrate(doc))
            tables = manifest.get("tables", [])
            if (not isinstance(tables, list) or not all(isinstance(t, str) and t.strip() for t in tables)
                    or len(set(tables)) != len(tables)
                    or not all(f"tables/{i}.parquet" in names for i in range(len(tables)))):
                raise UserError(bad)
        except UserError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError,
                ValidationError, EOFError, OSError, ValueError, TypeError, RecursionError, NotImplementedError) as exc:
            if "newer version" in str(exc):
                raise UserError(str(exc)) from exc
            raise UserError(bad) from exc
        project.id = new_id()
        name = project.name
        # Tables are written from our own temp files with our own names: zip entry names never
        # become paths, so a hostile archive cannot write outside its target.
        with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX, dir=self.workspace) as tmp:
            files = []
            try:
                budget = MAX_UNPACKED_BYTES
                for i in range(len(tables)):
                    path = Path(tmp) / f"{i}.parquet"
                    budget -= _copy_entry(zf, f"tables/{i}.parquet", path, min(budget, MAX_TABLE_BYTES))
                    files.append(path)
                con = self.cursor()
                for path in files:
                    unpacked = con.execute("SELECT coalesce(sum(total_uncompressed_size), 0) FROM parquet_metadata(?)",
                                           [str(path)]).fetchone()[0]
                    if unpacked > MAX_TABLE_BYTES:
                        raise UserError(_too_big())
                    con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
            except UserError:
                raise
            except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, duckdb.Error) as exc:
                raise UserError(bad) from exc
            except OSError as exc:
                raise storage_error(exc, self.workspace) from exc
            created = self.create(name, project)
            try:
                with self._lock:
                    con = self.cursor()
                    for table, path in zip(tables, files):
                        con.execute(
                            f"CREATE TABLE {self.table(created.id, table)} AS SELECT * FROM read_parquet({quote_literal(str(path))})"
                        )
            except duckdb.Error as exc:
                self.delete(created.id)
                raise UserError(bad) from exc
        return created


MAX_PROJECT_ENTRIES = 10_000  # a project has two documents and one entry per data table
MAX_DOC_BYTES = 64 * 1024**2  # manifest.json and project.json, unpacked
MAX_TABLE_BYTES = 4 * 1024**3  # one data table, unpacked (zip entry and Parquet pages alike)
MAX_UNPACKED_BYTES = 8 * 1024**3  # every entry together, unpacked
_CHUNK = 1024**2
BOMB_FLOOR, BOMB_RATIO = 16 * 1024**2, 200  # an entry over 16 MB packed 200 times smaller is a zip bomb


def _too_big() -> str:
    return ("This project file unpacks to far more than a project holds (a table over 4 GB, 8 GB in all, or data "
            "packed unnaturally small); it is damaged or not a real project file — export the project again.")


def _is_version(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _read_entry(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """One entry, unpacked in chunks; refused as soon as it passes `limit` (whatever its header claims)."""
    out = bytearray()
    with zf.open(name) as fh:
        while chunk := fh.read(_CHUNK):
            out += chunk
            if len(out) > limit:
                raise UserError(_too_big())
    return bytes(out)


def _copy_entry(zf: zipfile.ZipFile, name: str, target: Path, limit: int) -> int:
    """Unpack one entry to `target` in chunks, stopping past `limit` bytes; returns the bytes written."""
    written = 0
    with zf.open(name) as fh, open(target, "wb") as out:
        while chunk := fh.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                raise UserError(_too_big())
            out.write(chunk)
    return written


# ---------------------------------------------------------------------- storage faults


def clean_leftovers(workspace: Path, older_than: float = 3600.0) -> int:
    """Delete spooled uploads a killed server left in the workspace (older than an hour, so a
    running upload of another process is never touched). Returns how many were deleted."""
    gone, cutoff = 0, time.time() - older_than
    for folder in Path(workspace).glob(TEMP_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder)
                gone += 1
    for pattern in LEFTOVERS:
        for path in Path(workspace).glob(pattern):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    gone += 1
    return gone


def list_backups(workspace: Path) -> list[Path]:
    """The workspace's daily backups, newest first."""
    return sorted((Path(workspace) / BACKUPS).glob("????-??-??.duckdb"), reverse=True)


def restore_backup(workspace: Path, backup: Path) -> Path:
    """Put `backup` in place of the workspace database (no app may have it open). The replaced
    database is kept beside it as `successgaps.duckdb.damaged-<time>`; returns that path."""
    workspace = Path(workspace)
    backup = Path(backup)
    if backup.parent.resolve() != (workspace / BACKUPS).resolve() or not backup.is_file():
        raise UserError("That backup no longer exists; pick another one.")
    db = workspace / DB_NAME
    kept = workspace / f"{DB_NAME}.damaged-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        if db.exists():
            db.rename(kept)
        wal = workspace / f"{DB_NAME}.wal"
        if wal.exists():
            wal.rename(kept.with_name(kept.name + ".wal"))
        shutil.copyfile(backup, db)
    except OSError as exc:
        raise storage_error(exc, workspace) from exc
    return kept


class DamagedWorkspaceError(UserError):
    """The workspace database cannot be read; `backups` lists the daily copies that can replace it."""

    def __init__(self, message: str, workspace: Path):
        super().__init__(message)
        self.workspace = workspace
        self.backups = list_backups(workspace)


def open_error(exc: BaseException, store: "Store") -> UserError:
    """One sentence for a workspace database that cannot be opened."""
    text = str(exc)
    if isinstance(exc, OSError):
        return storage_error(exc, store.workspace)
    if "lock" in text.lower():
        return UserError(f"The workspace database {store.path} is in use by another Success Gaps app; close the other "
                         "app (or stop its server), or set SUCCESSGAPS_WORKSPACE to another folder, then reload.")
    if "not a valid DuckDB database" in text or "Could not read enough bytes" in text or "Corrupt" in text \
            or "checksum" in text.lower() or "serializ" in text.lower():
        backups = list_backups(store.workspace)
        hint = (f"restore one of its {len(backups)} daily backups on the Home page" if backups else
                "move that file away to start an empty workspace (no backup of it exists yet)")
        return DamagedWorkspaceError(f"The workspace database {store.path} is damaged and cannot be read; {hint}.",
                                     store.workspace)
    if (fault := write_fault(exc, store.workspace)) is not None:
        return fault
    return UserError(f"The workspace database {store.path} cannot be opened ({text.splitlines()[0][:120] if text else type(exc).__name__}); "
                     "close any other Success Gaps app using it, or set SUCCESSGAPS_WORKSPACE to another folder.")
