"""Built-in accounts of a team server: one-time sign-in links, passwords, lockout, sessions, roles.

- A password is kept only as its argon2id hash (`argon2-cffi`); a link or session token only as its SHA-256
  (tokens are 256 random bits from `secrets`, so a fast hash is the right one). Nothing home-made.
- `lockout_failures` wrong passwords in a row lock the account for `lockout_minutes`; while locked even the
  right password is refused. An unknown email gets the same sentence as a wrong password.
- A sign-in link works once, for `link_days`; it signs in and lets the person set a password.
- A session lasts `session_hours`, then the person signs in again; signing out ends it at once.
- Roles are per project: facilitator, member, viewer (`roles`). Accounts allowed to create projects
  (`can_create`) are made by the deployer on the command line (`python -m successgaps account EMAIL`).

Everything is in tables of the workspace database, each change one statement (atomic).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import UserError
from ..store import Store
from .config import Deployment

ROLES = ("facilitator", "member", "viewer")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a password of anyone")  # verified against for unknown emails: the same time taken
WRONG = "That email and password do not match an account here; check them, or ask your facilitator for a sign-in link."

_TABLES = (
    "CREATE TABLE IF NOT EXISTS sg_accounts (email VARCHAR PRIMARY KEY, name VARCHAR NOT NULL,"
    " password_hash VARCHAR, can_create BOOLEAN NOT NULL DEFAULT false, failures INTEGER NOT NULL DEFAULT 0,"
    " locked_until TIMESTAMP, created_at TIMESTAMP NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sg_links (token_hash VARCHAR PRIMARY KEY, email VARCHAR NOT NULL,"
    " expires TIMESTAMP NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sg_sessions (token_hash VARCHAR PRIMARY KEY, email VARCHAR NOT NULL,"
    " expires TIMESTAMP NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sg_roles (project_id VARCHAR NOT NULL, email VARCHAR NOT NULL,"
    " role VARCHAR NOT NULL, PRIMARY KEY (project_id, email))",
    "CREATE TABLE IF NOT EXISTS sg_audit (logged_at TIMESTAMP NOT NULL, project_id VARCHAR, email VARCHAR,"
    " action VARCHAR NOT NULL, detail VARCHAR NOT NULL DEFAULT '')",
)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def ensure_tables(store: Store) -> None:
    con = store.cursor()
    for sql in _TABLES:
        con.execute(sql)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normal_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise UserError(f"“{email}” is not an email address; type one like name@district.org.")
    return email


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    has_password: bool
    can_create: bool


def account(store: Store, email: str) -> Account | None:
    row = store.cursor().execute("SELECT email, name, password_hash IS NOT NULL, can_create FROM sg_accounts "
                                 "WHERE email = ?", [email.strip().lower()]).fetchone()
    return Account(*row) if row else None


def create_account(store: Store, email: str, name: str = "", *, can_create: bool = False) -> Account:
    """The account for `email` (made if missing; an existing one keeps its password)."""
    email = normal_email(email)
    ensure_tables(store)
    con = store.cursor()
    con.execute("INSERT INTO sg_accounts (email, name, can_create, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (email) DO UPDATE SET can_create = sg_accounts.can_create OR excluded.can_create",
                [email, (name or "").strip() or email, can_create, utcnow()])
    return account(store, email)


# ---------------------------------------------------------------- links, passwords, lockout


def issue_link(store: Store, email: str, deployment: Deployment, now: datetime | None = None) -> str:
    """A new one-time sign-in token for an existing account (the link is `?signin=<token>`)."""
    if account(store, email) is None:
        raise UserError(f"There is no account for {email}; give the person access first.")
    token = secrets.token_urlsafe(32)
    store.cursor().execute("INSERT INTO sg_links VALUES (?, ?, ?)",
                           [_digest(token), email.strip().lower(), (now or utcnow()) + timedelta(days=deployment.link_days)])
    return token


def link_url(token: str, deployment: Deployment) -> str:
    return f"{deployment.base_url.rstrip('/')}/?signin={token}" if deployment.base_url else f"/?signin={token}"


def use_link(store: Store, token: str, deployment: Deployment, now: datetime | None = None) -> tuple[str, str]:
    """Sign in with a one-time link: (email, session token). The link is used up, whatever happens next."""
    now = now or utcnow()
    row = store.cursor().execute("DELETE FROM sg_links WHERE token_hash = ? RETURNING email, expires",
                                 [_digest(token or "")]).fetchone()
    if row is None or row[1] < now:
        raise UserError("This sign-in link has been used already or has expired; ask your facilitator for a new one.")
    store.cursor().execute("UPDATE sg_accounts SET failures = 0, locked_until = NULL WHERE email = ?", [row[0]])
    return row[0], start_session(store, row[0], deployment, now)


def set_password(store: Store, email: str, password: str, repeat: str | None = None) -> None:
    password = password or ""
    if repeat is not None and password != repeat:
        raise UserError("The two passwords differ; type the same password twice.")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Choose a password of at least {MIN_PASSWORD} characters (a few words together is easy to "
                        "remember).")
    if password.strip().lower() == email.strip().lower():
        raise UserError("Choose a password that is not your email address.")
    store.cursor().execute("UPDATE sg_accounts SET password_hash = ?, failures = 0, locked_until = NULL "
                           "WHERE email = ?", [_HASHER.hash(password), email.strip().lower()])


def sign_in(store: Store, email: str, password: str, deployment: Deployment,
            now: datetime | None = None) -> str:
    """Check the password and start a session (its token). Wrong: one sentence; too many wrong: locked."""
    now = now or utcnow()
    ensure_tables(store)
    email = (email or "").strip().lower()
    row = store.cursor().execute("SELECT password_hash, failures, locked_until FROM sg_accounts WHERE email = ?",
                                 [email]).fetchone()
    if row is None or row[0] is None:
        _verify(_DUMMY, password)
        raise UserError(WRONG)
    stored, failures, locked_until = row
    if locked_until is not None and locked_until > now:
        raise UserError(locked_sentence(locked_until, now))
    if not _verify(stored, password):
        failures += 1
        if failures >= deployment.lockout_failures:
            until = now + timedelta(minutes=deployment.lockout_minutes)
            store.cursor().execute("UPDATE sg_accounts SET failures = 0, locked_until = ? WHERE email = ?",
                                   [until, email])
            raise UserError(locked_sentence(until, now))
        store.cursor().execute("UPDATE sg_accounts SET failures = ? WHERE email = ?", [failures, email])
        raise UserError(WRONG)
    store.cursor().execute("UPDATE sg_accounts SET failures = 0, locked_until = NULL WHERE email = ?", [email])
    if _HASHER.check_needs_rehash(stored):
        store.cursor().execute("UPDATE sg_accounts SET password_hash = ? WHERE email = ?",
                               [_HASHER.hash(password), email])
    return start_session(store, email, deployment, now)


def locked_sentence(until: datetime, now: datetime) -> str:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return (f"Too many wrong passwords: this account is locked for {minutes} more minute{'s' if minutes != 1 else ''}. "
            "Try again then, or ask your facilitator for a sign-in link.")


def is_locked(store: Store, email: str, now: datetime | None = None) -> bool:
    row = store.cursor().execute("SELECT locked_until FROM sg_accounts WHERE email = ?", [email.lower()]).fetchone()
    return bool(row and row[0] is not None and row[0] > (now or utcnow()))


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ---------------------------------------------------------------- sessions


def start_session(store: Store, email: str, deployment: Deployment, now: datetime | None = None) -> str:
    token = secrets.token_urlsafe(32)
    store.cursor().execute("DELETE FROM sg_sessions WHERE expires < ?", [now or utcnow()])  # tidy: expired ones
    store.cursor().execute("DELETE FROM sg_links WHERE expires < ?", [now or utcnow()])
    store.cursor().execute("INSERT INTO sg_sessions VALUES (?, ?, ?)",
                           [_digest(token), email, (now or utcnow()) + timedelta(hours=deployment.session_hours)])
    return token


def session_account(store: Store, token: str | None, now: datetime | None = None) -> Account | None:
    """The account signed in with this session token, or None (no such session, or it has expired)."""
    if not token:
        return None
    ensure_tables(store)
    row = store.cursor().execute("SELECT token_hash, email, expires FROM sg_sessions WHERE token_hash = ?",
                                 [_digest(token)]).fetchone()
    if row is None or not hmac.compare_digest(row[0], _digest(token)):
        return None
    if row[2] < (now or utcnow()):
        store.cursor().execute("DELETE FROM sg_sessions WHERE token_hash = ?", [row[0]])
        return None
    return account(store, row[1])


def end_session(store: Store, token: str | None) -> None:
    if token:
        store.cursor().execute("DELETE FROM sg_sessions WHERE token_hash = ?", [_digest(token)])


# ---------------------------------------------------------------- roles per project


def grant(store: Store, project_id: str, email: str, role: str) -> None:
    if role not in ROLES:
        raise UserError(f"“{role}” is not a role; pick facilitator, member or viewer.")
    ensure_tables(store)
    store.cursor().execute("INSERT INTO sg_roles VALUES (?, ?, ?) ON CONFLICT (project_id, email) "
                           "DO UPDATE SET role = excluded.role", [project_id, email.strip().lower(), role])


def revoke(store: Store, project_id: str, email: str) -> None:
    store.cursor().execute("DELETE FROM sg_roles WHERE project_id = ? AND email = ?", [project_id, email.lower()])


def role(store: Store, project_id: str | None, email: str) -> str | None:
    """The account's role in the project, or None: not on its team (then it may not open it)."""
    if not project_id:
        return None
    ensure_tables(store)
    row = store.cursor().execute("SELECT role FROM sg_roles WHERE project_id = ? AND email = ?",
                                 [project_id, email.lower()]).fetchone()
    return row[0] if row else None


def roles_of(store: Store, email: str) -> dict[str, str]:
    """project id -> the account's role there."""
    ensure_tables(store)
    return dict(store.cursor().execute("SELECT project_id, role FROM sg_roles WHERE email = ?",
                                       [email.lower()]).fetchall())


def project_ids(store: Store, email: str) -> set[str]:
    return set(roles_of(store, email))


def team(store: Store, project_id: str) -> dict[str, str]:
    """email -> role of everyone with access to the project."""
    ensure_tables(store)
    return dict(store.cursor().execute("SELECT email, role FROM sg_roles WHERE project_id = ? ORDER BY email",
                                       [project_id]).fetchall())


def forget_project(store: Store, project_id: str) -> None:
    store.cursor().execute("DELETE FROM sg_roles WHERE project_id = ?", [project_id])


def give_access(store: Store, project, member_id: str, role_name: str, deployment: Deployment, by: str = "") -> str:
    """Give a roster member access to the project in a role (their account made from the roster's name and
    email if new) and return a one-time sign-in token for them. `by` (the facilitator) cannot lower their own role."""
    member = project.member(member_id)
    if member is None:
        raise UserError("Pick a member of the team; add people in step 1 first.")
    if not member.email.strip():
        raise UserError(f"{member.name} has no email on the team roster; add it in step 1, then give access.")
    if by and member.email.strip().lower() == by.strip().lower() and role_name != "facilitator":
        raise UserError("You cannot lower your own role; another facilitator can.")
    create_account(store, member.email, member.name)
    grant(store, project.id, member.email, role_name)
    return issue_link(store, member.email, deployment)
