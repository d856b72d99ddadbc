"""Errors whose message is one sentence a user can act on (shown as-is, never as a traceback), and the
sentences for a fault of the workspace's disk (`storage_error`, `write_fault`)."""

from __future__ import annotations

import errno
from pathlib import Path


class UserError(ValueError):
    """Bad input: the message says what is wrong and how to fix it."""


class StaleProjectError(UserError):
    """The project was saved elsewhere (another tab or window) after this copy was read."""


def storage_error(exc: BaseException, workspace: Path) -> UserError:
    """One sentence for a fault of the workspace folder or its disk."""
    code = getattr(exc, "errno", None)
    where = f"the workspace folder {workspace}"
    if code == errno.ENOSPC or code == getattr(errno, "EDQUOT", -1):
        return UserError(f"The disk of {where} is full, so nothing more can be saved; free some space (or move the "
                         "workspace with SUCCESSGAPS_WORKSPACE) and try again — what was saved before is kept.")
    if code == errno.EROFS:
        return UserError(f"{where[0].upper()}{where[1:]} is on a read-only disk; set SUCCESSGAPS_WORKSPACE to a "
                         "folder you can write to and restart the app.")
    if code in (errno.EACCES, errno.EPERM):
        return UserError(f"This app may not write to {where}; give it write permission or set "
                         "SUCCESSGAPS_WORKSPACE to a folder you can write to, then restart the app.")
    if code in (errno.ENOTDIR, errno.EEXIST) or isinstance(exc, (NotADirectoryError, FileExistsError)):
        return UserError(f"The workspace {workspace} is a file, not a folder; move that file away or set "
                         "SUCCESSGAPS_WORKSPACE to a folder, then restart the app.")
    return UserError(f"The app could not write to {where} ({getattr(exc, 'strerror', None) or type(exc).__name__}); "
                     "check the disk and the folder's permissions, then try again.")


_FAULTS = ((errno.ENOSPC, "No space left"), (errno.EROFS, "Read-only file system"),
           (errno.EACCES, "Permission denied"), (errno.ENOTDIR, "Not a directory"))


def write_fault(exc: BaseException, workspace: Path) -> UserError | None:
    """A disk fault met while writing (full, read-only, no permission) as `storage_error`'s sentence, whether
    the OS or DuckDB raised it; None for any other error."""
    if isinstance(exc, OSError):
        return storage_error(exc, workspace) if exc.errno in {c for c, _ in _FAULTS} | {errno.EPERM} else None
    return next((storage_error(OSError(code, words), workspace) for code, words in _FAULTS if words in str(exc)), None)
