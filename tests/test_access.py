"""Issue #24: the team server's domain — accounts, argon2 hashes, lockout, sessions, roles, floors, audit log."""

import io
import json
import zipfile
from datetime import timedelta

import pytest

from successgaps.access import accounts, audit, config, roles
from successgaps.errors import UserError
from successgaps.models import ActionStep, DataFile, DataSet, Member, Project, Rating, Review, StepReview, Vote
from successgaps.store import Store

TEAM = config.Deployment(mode="team", min_n_floor=20, min_cell_floor=5)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "ws")
    yield s
    s.close()


def test_a_password_is_kept_only_as_an_argon2_hash(store):
    accounts.create_account(store, "ana@district.org", "Ana")
    accounts.set_password(store, "ana@district.org", "correct horse battery")
    stored = store.cursor().execute("SELECT password_hash FROM sg_accounts").fetchone()[0]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert accounts.session_account(store, accounts.sign_in(store, "ANA@district.org ", "correct horse battery", TEAM))


@pytest.mark.parametrize("password, repeat, words", [("short", None, "at least 10"),
                                                      ("ana@district.org", None, "not your email"),
                                                      ("long enough pass", "long enough pasz", "differ")])
def test_a_weak_or_mistyped_password_is_refused_with_a_sentence(store, password, repeat, words):
    accounts.create_account(store, "ana@district.org")
    with pytest.raises(UserError, match=words):
        accounts.set_password(store, "ana@district.org", password, repeat)


def test_five_wrong_passwords_lock_the_account_for_a_while_even_against_the_right_one(store):
    accounts.create_account(store, "ana@district.org")
    accounts.set_password(store, "ana@district.org", "correct horse battery")
    now = accounts.utcnow()
    for _ in range(4):
        with pytest.raises(UserError, match="do not match"):
            accounts.sign_in(store, "ana@district.org", "wrong guess!", TEAM, now)
    with pytest.raises(UserError, match="locked for 15 more minutes"):
        accounts.sign_in(store, "ana@district.org", "wrong guess!", TEAM, now)
    with pytest.raises(UserError, match="locked"):
        accounts.sign_in(store, "ana@district.org", "correct horse battery", TEAM, now + timedelta(minutes=14))
    assert accounts.sign_in(store, "ana@district.org", "correct horse battery", TEAM, now + timedelta(minutes=16))


def test_an_unknown_email_reads_like_a_wrong_password(store):
    with pytest.raises(UserError, match="do not match") as unknown:
        accounts.sign_in(store, "nobody@district.org", "whatever it is", TEAM)
    assert str(unknown.value) == accounts.WRONG


def test_a_sign_in_link_works_once_and_not_after_it_expires(store):
    accounts.create_account(store, "ana@district.org")
    token = accounts.issue_link(store, "ana@district.org", TEAM)
    email, session = accounts.use_link(store, token, TEAM)
    assert email == "ana@district.org" and accounts.session_account(store, session).email == email
    with pytest.raises(UserError, match="used already or has expired"):
        accounts.use_link(store, token, TEAM)
    old = accounts.issue_link(store, "ana@district.org", TEAM, now=accounts.utcnow() - timedelta(days=8))
    with pytest.raises(UserError, match="expired"):
        accounts.use_link(store, old, TEAM)
    assert token not in json.dumps(store.cursor().execute("SELECT * FROM sg_links").fetchall(), default=str)


def test_sessions_expire_and_signing_out_ends_them(store):
    accounts.create_account(store, "ana@district.org")
    token = accounts.start_session(store, "ana@district.org", TEAM, now=accounts.utcnow() - timedelta(hours=9))
    assert accounts.session_account(store, token) is None  # 8 hours by default
    token = accounts.start_session(store, "ana@district.org", TEAM)
    assert accounts.session_account(store, token).email == "ana@district.org"
    accounts.end_session(store, token)
    assert accounts.session_account(store, token) is None
    assert accounts.session_account(store, "made-up") is None


def test_roles_are_per_project(store):
    accounts.create_account(store, "ana@district.org")
    accounts.grant(store, "p1", "ana@district.org", "member")
    assert accounts.role(store, "p1", "ana@district.org") == "member"
    assert accounts.role(store, "p2", "ana@district.org") is None
    assert accounts.project_ids(store, "ana@district.org") == {"p1"}
    with pytest.raises(UserError, match="not a role"):
        accounts.grant(store, "p1", "ana@district.org", "owner")


def _project() -> Project:
    ana, ben = Member(name="Ana", email="ana@district.org"), Member(name="Ben", email="ben@district.org")
    steps = [ActionStep(text="Ana's step", owner_id=ana.id), ActionStep(text="Ben's step", owner_id=ben.id)]
    return Project(name="Central", members=[ana, ben], steps=steps,
                   ratings=[Rating(indicator_id="ddm-1", member_id=ben.id, level="planning")],
                   votes=[Vote(member_id=ben.id, indicator_ids=["ddm-1"])],
                   reviews=[Review(date="2026-01-10", steps=[StepReview(step_id=s.id) for s in steps])])


def test_a_member_changes_only_their_own_ratings_votes_steps_and_review_notes():
    before = _project()
    ana = before.members[0].id
    after = before.model_copy(deep=True)
    after.ratings.append(Rating(indicator_id="ddm-1", member_id=ana, level="exemplary"))
    after.votes.append(Vote(member_id=ana, indicator_ids=["ddm-2"]))
    after.steps[0].status, after.steps[0].evidence = "on_track", "agendas"
    after.reviews[0].steps[0].note = "started"
    roles.check_change(before, after, "member", ana)  # all hers: allowed

    for change in (lambda p: setattr(p.ratings[0], "level", "exemplary"),  # Ben's rating
                   lambda p: setattr(p.steps[1], "status", "done"),  # Ben's step
                   lambda p: setattr(p.steps[1], "owner_id", ana),  # taking Ben's step
                   lambda p: setattr(p.gap_settings, "min_n", 5),  # settings
                   lambda p: p.members.pop(),  # the roster
                   lambda p: setattr(p.reviews[0].steps[1], "note", "x")):  # a note on Ben's step
        other = before.model_copy(deep=True)
        change(other)
        with pytest.raises(UserError, match="your own ratings"):
            roles.check_change(before, other, "member", ana)
        roles.check_change(before, other, "facilitator", ana)


def test_a_viewer_changes_nothing_and_may_not_see_student_data_or_project_files():
    before = _project()
    after = before.model_copy(deep=True)
    after.votes.append(Vote(member_id=before.members[0].id, indicator_ids=["ddm-2"]))
    with pytest.raises(UserError, match="read this project's summaries"):
        roles.check_change(before, after, "viewer", before.members[0].id)
    roles.check_change(before, before.model_copy(deep=True), "viewer", None)
    assert not roles.may("viewer", "student_data") and not roles.may("viewer", "project_file")
    assert not roles.may("member", "project_file") and roles.may("facilitator", "project_file")
    assert roles.member_id_of(before, " ANA@district.org") == before.members[0].id


def test_no_team_may_go_below_the_deployers_floors():
    p = Project(name="x")
    p.gap_settings.min_n, p.gap_settings.min_cell = 19, 5
    with pytest.raises(UserError, match="at least 20 students"):
        config.check_floors(p.gap_settings, TEAM)
    config.raise_to_floors(p.gap_settings, TEAM)
    assert (p.gap_settings.min_n, p.gap_settings.min_cell) == (20, 5)
    config.check_floors(p.gap_settings, TEAM)


def test_the_deployment_reads_env_over_file_and_refuses_bad_values(tmp_path):
    path = tmp_path / "server.toml"
    path.write_text('mode = "team"\nmin_n_floor = 15\nproject_files_with_student_rows = true\n')
    d = config.load({"SUCCESSGAPS_SERVER_CONFIG": str(path), "SUCCESSGAPS_MIN_N_FLOOR": "25"})
    assert d.team and d.min_n_floor == 25 and d.student_rows_in_project_files
    assert not config.load({"SUCCESSGAPS_MODE": "team"}).student_rows_in_project_files  # off by default
    assert config.load({}).student_rows_in_project_files and not config.load({}).team
    with pytest.raises(UserError, match="not a valid value"):
        config.load({"SUCCESSGAPS_MIN_N_FLOOR": "ten"})
    path.write_text('minimum = 3\n')
    with pytest.raises(UserError, match="not a setting"):
        config.load({"SUCCESSGAPS_SERVER_CONFIG": str(path)})


def test_the_audit_log_keeps_uploads_settings_and_deletes_and_the_teams_sign_ins(store):
    before = _project()
    after = before.model_copy(deep=True)
    after.datasets.append(DataSet(name="Grad", files=[DataFile(filename="grad.csv", table="t1", rows=1200)]))
    after.gap_settings.min_n = 40
    after.steps.pop()
    found = audit.changes(before, after)
    assert ("upload", "grad.csv (1,200 rows) into “Grad”") in found
    assert ("settings", "minimum group size (n): 30 → 40") in found
    assert ("delete", "action step “Ben's step”") in found
    accounts.grant(store, "p1", "ana@district.org", "member")
    audit.record(store, None, "ana@district.org", "sign-in", "password")
    audit.record(store, None, "eve@other.org", "sign-in", "password")  # not on this team
    audit.record(store, "p1", "ana@district.org", "export", "plan.xlsx")
    audit.record(store, "p2", "ana@district.org", "export", "elsewhere.pdf")
    log = audit.entries(store, "p1")
    assert list(log["What"]) == ["export", "sign-in"] and set(log["Who"]) == {"ana@district.org"}


def test_a_project_file_without_student_rows_carries_the_summary_data_sets_only(store):
    p = store.create("Central")
    con = store.cursor()
    con.execute(f"CREATE TABLE {store.table(p.id, 'students')} AS SELECT 'S1' AS student_id, 1 AS grad")
    con.execute(f"CREATE TABLE {store.table(p.id, 'edfacts')} AS SELECT 'Lincoln' AS school, 91 AS rate")
    p.datasets = [DataSet(name="Students", layout="student", files=[DataFile(filename="s.csv", table="students")]),
                  DataSet(name="Public", layout="edfacts", files=[DataFile(filename="e.csv", table="edfacts")])]
    store.save(p)
    full = zipfile.ZipFile(io.BytesIO(store.export_project(p.id)))
    assert json.loads(full.read("manifest.json"))["tables"] == ["edfacts", "students"]
    data = store.export_project(p.id, student_rows=False)
    summary = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(summary.read("manifest.json"))
    assert manifest["tables"] == ["edfacts"] and manifest["left_out"] == ["Students"]
    assert b"S1" not in b"".join(summary.read(n) for n in summary.namelist())
    opened = store.import_project(data)
    assert [d.name for d in opened.datasets] == ["Public"] and store.tables(opened.id) == ["edfacts"]


def test_a_facilitator_gives_a_roster_member_access_with_a_link_and_cannot_lower_their_own_role(store):
    p = _project()
    token = accounts.give_access(store, p, p.members[1].id, "viewer", TEAM, by="ana@district.org")
    assert accounts.role(store, p.id, "ben@district.org") == "viewer"
    assert accounts.use_link(store, token, TEAM)[0] == "ben@district.org"
    with pytest.raises(UserError, match="cannot lower your own role"):
        accounts.give_access(store, p, p.members[0].id, "member", TEAM, by="ana@district.org")
    p.members[1].email = ""
    with pytest.raises(UserError, match="no email on the team roster"):
        accounts.give_access(store, p, p.members[1].id, "member", TEAM)
