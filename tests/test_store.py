"""The project store: a team's work is never lost, and bad project files never hurt what is there."""

import io
import json
import zipfile

import pytest

from successgaps.errors import StaleProjectError, UserError
from successgaps.models import SCHEMA_VERSION, Member, Project
from successgaps.process.progress import step_statuses
from successgaps.store import Store


@pytest.fixture
def fresh(tmp_path):
    s = Store(tmp_path / "ws")
    yield s
    s.close()


def test_a_new_project_is_listed_and_reopens_with_what_the_team_typed(tmp_path):
    first = Store(tmp_path / "ws")
    project = first.create("Central High graduation")
    project.members.append(Member(name="Nguyễn Thị Hoa", category="family", agreed=True))
    project.norms = ["Value every voice"]
    first.save(project)
    first.close()

    second = Store(tmp_path / "ws")  # like restarting the app
    assert [p.name for p in second.list()] == ["Central High graduation"]
    again = second.load(project.id)
    assert again.members[0].name == "Nguyễn Thị Hoa"
    assert again.norms == ["Value every voice"]
    second.close()


def test_every_save_is_kept_in_order(fresh):
    project = fresh.create("District")
    for n in range(3):
        project.norms.append(f"norm {n}")
        fresh.save(project)
    assert fresh.load(project.id).norms == ["norm 0", "norm 1", "norm 2"]


def test_a_stale_second_tab_cannot_overwrite_newer_work(fresh):
    project = fresh.create("District")
    tab_a, tab_b = fresh.load(project.id), fresh.load(project.id)
    tab_a.norms = ["from tab A"]
    fresh.save(tab_a)
    tab_b.norms = ["from tab B"]
    with pytest.raises(StaleProjectError, match="another tab"):
        fresh.save(tab_b)
    assert fresh.load(project.id).norms == ["from tab A"]


def test_a_failed_write_leaves_the_last_good_state(fresh, monkeypatch):
    project = fresh.create("District")
    project.norms = ["good"]
    fresh.save(project)
    project.norms = ["half written"]
    monkeypatch.setattr(Project, "model_dump_json", lambda self, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        fresh.save(project)
    monkeypatch.undo()
    assert fresh.load(project.id).norms == ["good"]


def test_rename_duplicate_delete(fresh):
    project = fresh.create("Old name")
    table = fresh.table(project.id, "f_students")
    fresh.cursor().execute(f"CREATE TABLE {table} AS SELECT 1 AS x")
    fresh.rename(project.id, "New name")
    copy = fresh.duplicate(project.id)
    assert copy.name == "New name (copy)"
    assert fresh.cursor().execute(f"SELECT x FROM {fresh.table(copy.id, 'f_students')}").fetchone() == (1,)
    fresh.delete(project.id)
    assert [p.name for p in fresh.list()] == ["New name (copy)"]
    assert fresh.tables(project.id) == []
    with pytest.raises(UserError, match="no longer exists"):
        fresh.load(project.id)


def test_a_project_needs_a_name(fresh):
    with pytest.raises(UserError, match="name"):
        fresh.create("   ")


def test_project_file_round_trip_to_another_machine(fresh, tmp_path):
    project = fresh.create("Westview")
    project.members.append(Member(name="Ana López", category="leader"))
    fresh.save(project)
    fresh.cursor().execute(f"CREATE TABLE {fresh.table(project.id, 'f_one')} AS SELECT 'H' AS race, 1 AS grad")
    data = fresh.export_project(project.id)

    other = Store(tmp_path / "elsewhere")
    opened = other.import_project(data)
    assert opened.name == "Westview" and opened.members[0].name == "Ana López"
    assert other.cursor().execute(f"SELECT race, grad FROM {other.table(opened.id, 'f_one')}").fetchall() == [("H", 1)]
    other.close()


def _zip(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _valid_entries(**manifest):
    doc = Project(name="Hostile").model_dump_json()
    return {"manifest.json": json.dumps({"format": "successgaps-project", "schema_version": 1, "tables": [],
                                         **manifest}), "project.json": doc}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "not a Success Gaps project file"),
        (b"%PDF-1.7 not a zip", "not a Success Gaps project file"),
        (b"PK\x03\x04 truncated", "not a Success Gaps project file"),
        (_zip({"readme.txt": "hello"}), "not a Success Gaps project file"),
        (_zip({**_valid_entries(), "project.json": "{not json"}), "not a Success Gaps project file"),
        (_zip(_valid_entries(format="other-app")), "not a Success Gaps project file"),
        (_zip(_valid_entries(tables=["f_missing"])), "not a Success Gaps project file"),
        (_zip({**_valid_entries(), "project.json": json.dumps({"members": "x"})}), "not a Success Gaps project file"),
        (_zip(_valid_entries(schema_version=SCHEMA_VERSION + 1)), "newer version"),
    ],
    ids=["empty", "pdf", "truncated", "foreign zip", "corrupt json", "foreign manifest", "missing table",
         "invalid project", "newer version"],
)
def test_bad_project_files_get_one_sentence_and_touch_nothing(fresh, data, message):
    existing = fresh.create("Our work")
    with pytest.raises(UserError, match=message):
        fresh.import_project(data)
    assert [p.id for p in fresh.list()] == [existing.id]


def test_zip_entries_never_write_outside_the_workspace(fresh, tmp_path):
    entries = _valid_entries(tables=["../../evil"])
    entries["tables/0.parquet"] = b"not parquet"
    entries["../../escaped.txt"] = "pwned"
    with pytest.raises(UserError):
        fresh.import_project(_zip(entries))
    assert not (tmp_path / "escaped.txt").exists()
    assert not any(p.name == "escaped.txt" for p in tmp_path.rglob("*"))
    assert fresh.list() == []


def test_a_new_project_has_every_step_not_started(fresh):
    statuses = step_statuses(fresh.create("New"))
    assert [s.status for s in statuses] == ["not started"] * 7
    assert statuses[0].next_action.startswith("Add team members")


def test_the_screens_cache_is_never_exported_and_goes_with_its_project(fresh, tmp_path):
    from successgaps.data import datasets, views

    path = tmp_path / "students.csv"
    path.write_text("sid,race,grad\n1,H,1\n2,B,0\n3,H,0\n")
    project = fresh.create("Westview")
    dataset = datasets.create_dataset(fresh, project, path, path.name)
    fresh.save(project)
    prepared = views.prepare(fresh.cursor(), project, dataset)
    assert fresh.cursor().execute(f"SELECT sum(n0) FROM {prepared.cube}").fetchone() == (3,)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(fresh.export_project(project.id))).read("manifest.json"))
    assert manifest["tables"] == [dataset.files[0].table]  # the upload only: the cube is rebuilt wherever it opens
    fresh.delete(project.id)
    cached = fresh.cursor().execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'sg_cache' "
                                    "AND table_schema = ?", [f"p_{project.id}"]).fetchone()
    assert cached == (0,)
