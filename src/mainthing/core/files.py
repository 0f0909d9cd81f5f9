"""Files Mainthing writes are its owner's alone: files 0600, folders 0700, whatever the umask.

The data directory holds password hashes, prospects' personal data, working reset links (in the
mail files) and uploads; exports and backups carry the same. One mechanism covers them all:
`owner_only()` runs as settings load (every entry point loads them: the CLI, gunicorn's
workers, `manage`), so the process's umask is 077 and whatever it creates - SQLite and its
-wal/-shm, mail files, uploads, exports, backups, collected static files - starts private.
The explicit chmods below catch what the umask can't: files and folders made by an earlier
version (or by hand) that are still open to others, and writers that set modes themselves
(Django's storage, through FILE_UPLOAD_PERMISSIONS in settings).
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
UMASK = 0o077


def owner_only() -> None:
    """Makes everything this process creates from now on readable by its owner only."""
    os.umask(UMASK)


def private_dir(path: Path) -> Path:
    """PATH as a folder only its owner can enter, made (with its parents) if missing."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _chmod(path, DIR_MODE)
    return path


def open_private(path: Path, mode: str = "w", **kwargs):
    """`open(path, mode)` for writing, with the file owner-only even when it already existed."""
    handle = open(path, mode, opener=_private_opener, **kwargs)  # noqa: SIM115 - the caller closes
    os.fchmod(handle.fileno(), FILE_MODE)
    return handle


def _private_opener(path, flags: int) -> int:
    return os.open(path, flags, FILE_MODE)


def lock_sqlite_files(sender, connection, **kwargs) -> None:
    """connection_created: the SQLite database and its -wal/-shm files owner-only (SQLite gives
    new -wal/-shm files the database's own mode, so a database made 0644 would spread)."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        _chmod(Path(name + suffix), FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if os.stat(path).st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass
    except PermissionError:  # someone else's file or folder: leave it to its owner, don't crash
        pass
