"""The deployer's settings: personal (the default) or team server, and the guard rails a team cannot lower.

Read from the environment, and from a TOML file named by `SUCCESSGAPS_SERVER_CONFIG` (keys below, all
optional). The environment wins over the file:

    mode = "team"                       # SUCCESSGAPS_MODE: "personal" (default) or "team"
    min_n_floor = 10                    # SUCCESSGAPS_MIN_N_FLOOR: no project may use a smaller n-size
    min_cell_floor = 5                  # SUCCESSGAPS_MIN_CELL_FLOOR: ... nor a smaller cell size
    project_files_with_student_rows = false   # SUCCESSGAPS_PROJECT_FILES_WITH_STUDENT_ROWS (team: off)
    session_hours = 8                   # a sign-in lasts this long
    lockout_failures = 5                # wrong passwords in a row before the account is locked
    lockout_minutes = 15                # ... for this long
    link_days = 7                       # a one-time sign-in link works this long
    base_url = "https://gaps.example.org"   # SUCCESSGAPS_BASE_URL: how sign-in links begin
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from ..errors import UserError


@dataclass(frozen=True)
class Deployment:
    mode: str = "personal"
    min_n_floor: int = 0
    min_cell_floor: int = 0
    project_files_with_student_rows: bool | None = None  # None: on in personal mode, off on a team server
    session_hours: float = 8.0
    lockout_failures: int = 5
    lockout_minutes: float = 15.0
    link_days: float = 7.0
    base_url: str = ""

    @property
    def team(self) -> bool:
        return self.mode == "team"

    @property
    def student_rows_in_project_files(self) -> bool:
        if self.project_files_with_student_rows is None:
            return not self.team
        return self.project_files_with_student_rows


_ENV = {"mode": "SUCCESSGAPS_MODE", "min_n_floor": "SUCCESSGAPS_MIN_N_FLOOR",
        "min_cell_floor": "SUCCESSGAPS_MIN_CELL_FLOOR",
        "project_files_with_student_rows": "SUCCESSGAPS_PROJECT_FILES_WITH_STUDENT_ROWS",
        "base_url": "SUCCESSGAPS_BASE_URL"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _value(name: str, raw, kind, where: str):
    try:
        if kind is bool or name == "project_files_with_student_rows":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE | _FALSE:
                return text in _TRUE
            raise ValueError
        if kind in (int, float):
            number = kind(raw)
            if number < 0:
                raise ValueError
            return number
        return str(raw).strip()
    except (TypeError, ValueError):
        raise UserError(f"The server setting {name} in {where} is “{raw}”, which is not a valid value; "
                        "see README “Deploy for a team”.") from None


def load(env: dict | None = None) -> Deployment:
    """The deployment's settings; a bad file or value is one sentence (`UserError`)."""
    env = os.environ if env is None else env
    values: dict = {}
    path = env.get("SUCCESSGAPS_SERVER_CONFIG")
    known = {f.name: type(f.default) for f in fields(Deployment)}
    if path:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"The server settings file {path} cannot be read ({exc}); fix it or unset "
                            "SUCCESSGAPS_SERVER_CONFIG.") from None
        for name, value in raw.items():
            if name not in known:
                raise UserError(f"The server settings file {path} has “{name}”, which is not a setting; "
                                f"the settings are: {', '.join(known)}.")
            values[name] = _value(name, value, known[name], path)
    for name, variable in _ENV.items():
        if env.get(variable, "").strip():
            values[name] = _value(name, env[variable], known[name], variable)
    mode = values.get("mode", "personal")
    if mode not in ("personal", "team"):
        raise UserError(f"The mode is “{mode}”; it must be “personal” or “team”.")
    return Deployment(**values)


def floors_sentence(deployment: Deployment) -> str:
    return (f"This server keeps groups of at least {deployment.min_n_floor} students and cells of at least "
            f"{deployment.min_cell_floor} (set by whoever runs it, for every team)")


def check_floors(settings, deployment: Deployment) -> None:
    """Refuse minimum sizes below the deployer's floors (one sentence)."""
    if settings.min_n < deployment.min_n_floor or settings.min_cell < deployment.min_cell_floor:
        raise UserError(f"{floors_sentence(deployment)}; choose a minimum group size of {deployment.min_n_floor} or "
                        f"more and a cell size of {deployment.min_cell_floor} or more.")


def raise_to_floors(settings, deployment: Deployment) -> None:
    """Lift a project's minimum sizes to the floors (a project made elsewhere may have used smaller ones)."""
    settings.min_n = max(settings.min_n, deployment.min_n_floor)
    settings.min_cell = max(settings.min_cell, deployment.min_cell_floor)
