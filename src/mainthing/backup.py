"""Consistent backups of the whole database while the app keeps running."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection

from mainthing.core import files


def backup_database(directory: Path, *, now: datetime | None = None) -> Path:
    """Writes a consistent copy of the database into `directory` and returns its path.

    SQLite: the online backup API (a plain copy of a live WAL database can be torn), then an
    integrity check of the copy. PostgreSQL: `pg_dump --format=custom`, restorable with
    `pg_restore`. Raises RuntimeError with a readable message when the copy can't be made.
    """
    # A folder made here is owner-only; one the user named and made stays as they made it.
    directory.mkdir(mode=files.DIR_MODE, parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        target = directory / f"mainthing-{stamp}.sqlite3"
        _create_private(target)  # owner-only while it is written, not only once done
        source = sqlite3.connect(settings_dict["NAME"])
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
            (result,) = copy.execute("PRAGMA integrity_check").fetchone()
        finally:
            copy.close()
            source.close()
        if result != "ok":
            target.unlink(missing_ok=True)
            raise RuntimeError(f"The backup copy failed its integrity check: {result}")
        return target
    if connection.vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            raise RuntimeError("pg_dump is not installed; install the PostgreSQL client tools.")
        target = directory / f"mainthing-{stamp}.pgdump"
        _create_private(target)
        command = ["pg_dump", "--format=custom", "--file", str(target), "--no-owner"]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings_dict.get(key):
                command += [flag, str(settings_dict[key])]
        command.append(settings_dict["NAME"])
        env = {"PGPASSWORD": settings_dict.get("PASSWORD") or ""}
        done = subprocess.run(command, capture_output=True, text=True, env={**_base_env(), **env})
        if done.returncode != 0:
            target.unlink(missing_ok=True)
            raise RuntimeError(f"pg_dump failed: {done.stderr.strip()}")
        return target
    raise RuntimeError(f"Backups of {connection.vendor} databases are not supported.")


def _create_private(target: Path) -> None:
    """TARGET as an empty owner-only file (a backup may not exist yet: stamps are per second)."""
    files.open_private(target, "wb").close()


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PGSSLMODE"}}
