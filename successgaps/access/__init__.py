"""Layer `access`: who may do what on a team server (`SUCCESSGAPS_MODE=team`).

- `config`: the deployer's settings (personal or team server, guard rails, session and lockout times);
- `accounts`: built-in accounts, one-time sign-in links, argon2 password hashes, lockout, sessions,
  and each account's role per project;
- `roles`: what a facilitator, a member and a viewer may do, and the check that a member's change to a
  project touches only their own ratings, votes, action steps and review notes;
- `audit`: the per-project audit log (sign-ins, uploads, exports, settings changes, deletes).

Accounts, sessions, roles and the audit log are tables of the workspace database (`store.Store`), beside the
projects, never inside a project file. Personal mode (the default) uses none of it.

May import: process, engine, data and core; only the ui layer and the pages import it.
"""
