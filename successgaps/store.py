"""The project store: one DuckDB file in a workspace folder.

- Table `projects` holds one JSON document per project (`models.Project`) and its revision.
- Each project owns a DuckDB schema `p_<id>`; its uploaded data sets are tables there.
- Every save is one transaction (atomic: a crash leaves the last good state) and is optimistic:
  it succeeds only if the stored revision is the one the caller read; otherwise
  `StaleProjectError` (another tab or window saved in between) and nothing is overwritten.
- A project file (`.sgproj`) is a zip of `manifest.json`, `project.json` and one Parquet file per
  data table. Opening one creates a new project; nothing existing is touched.

The workspace defaults to `workspace/` beside the app; `SUCCESSGAPS_WORKSPACE` overrides it.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
from pydantic import ValidationError

from .errors import StaleProjectError, UserError
from .models import SCHEMA_VERSION, Project, migrate, new_id, now
from .sql import quote_ident, quote_literal

APP_ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "successgaps.duckdb"
CACHE = "sg_cache"  # an in-memory database attached to the workspace's: tables derived from the data
FILE_FORMAT = "successgaps-project"
MAX_PROJECT_FILE_BYTES = 2 * 1024**3


def default_workspace() -> Path:
    return Path(os.environ.get("SUCCESSGAPS_WORKSPACE") or APP_ROOT / "workspace").resolve()


@dataclass(frozen=True)
class ProjectSummary:
    id: str
    name: str
    updated_at: datetime


class Store:
    def __init__(self, workspace: Path | str | None = None, *, memory: bool = False):
        """`memory`: a throwaway store (the command line's) whose database lives in memory, spilling
        to the workspace folder when it must: an upload is not written to disk first."""
        self.workspace = Path(workspace).resolve() if workspace else default_workspace()
        self.workspace.mkdir(parents=True, exist_ok=True)
        self.path = self.workspace / DB_NAME
        try:
            self._con = duckdb.connect(":memory:" if memory else str(self.path))
            if memory:
                self._con.execute(f"SET temp_directory = {quote_literal(str(self.workspace / 'spill.tmp'))}")
        except duckdb.IOException as exc:
            raise UserError(
                f"The workspace database {self.path} is in use by another Success Gaps app or cannot be "
                "opened; close the other app or set SUCCESSGAPS_WORKSPACE to another folder."
            ) from exc
        self._lock = threading.RLock()
        self._con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {CACHE}")
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS projects ("
            " id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, doc JSON NOT NULL,"
            " revision BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL)"
        )

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
            except Exception:
                con.execute("ROLLBACK")
                raise
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
            except Exception:
                con.execute("ROLLBACK")
                raise
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

    def export_project(self, project_id: str) -> bytes:
        """One `.sgproj` file: manifest, project JSON and each data table as Parquet."""
        project = self.load(project_id)
        tables = self.tables(project_id)
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory(dir=self.workspace) as tmp, zipfile.ZipFile(
            buffer, "w", zipfile.ZIP_DEFLATED
        ) as zf:
            manifest = {"format": FILE_FORMAT, "schema_version": SCHEMA_VERSION, "tables": tables}
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
        """Open a `.sgproj` file as a new project. Any problem: one sentence, nothing touched."""
        bad = "This is not a Success Gaps project file (.sgproj), or it is damaged; download it again from the app that made it."
        if len(data) > MAX_PROJECT_FILE_BYTES:
            raise UserError("This project file is larger than 2 GB, which this app cannot open.")
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            names = set(zf.namelist())
            if not {"manifest.json", "project.json"} <= names:
                raise UserError(bad)
            manifest = json.loads(zf.read("manifest.json"))
            if not isinstance(manifest, dict) or manifest.get("format") != FILE_FORMAT:
                raise UserError(bad)
            version = manifest.get("schema_version")
            doc = json.loads(zf.read("project.json"))
            if not isinstance(doc, dict) or not isinstance(version, int):
                raise UserError(bad)
            doc["schema_version"] = max(version, doc.get("schema_version", 0) or 0)
            project = Project.model_validate(migrate(doc))
            tables = manifest.get("tables", [])
            if not isinstance(tables, list) or not all(isinstance(t, str) and t for t in tables):
                raise UserError(bad)
            payloads = [zf.read(f"tables/{i}.parquet") for i in range(len(tables))]
        except UserError:
            raise
        except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError, ValidationError, EOFError, OSError, ValueError) as exc:
            if "newer version" in str(exc):
                raise UserError(str(exc)) from exc
            raise UserError(bad) from exc
        project.id = new_id()
        name = project.name
        # Tables are written from our own temp files with our own names: zip entry names never
        # become paths, so a hostile archive cannot write outside its target.
        with tempfile.TemporaryDirectory(dir=self.workspace) as tmp:
            files = []
            for i, payload in enumerate(payloads):
                path = Path(tmp) / f"{i}.parquet"
                path.write_bytes(payload)
                files.append(path)
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

