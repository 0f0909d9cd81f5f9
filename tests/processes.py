"""Running real `mainthing` processes against the test database: workers, imports, writers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def database_url() -> str:
    """The test database, as a URL a subprocess can be pointed at."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def environment(**extra: str) -> dict[str, str]:
    """The environment of a subprocess that works on the test database."""
    return {**os.environ, "MAINTHING_DATABASE_URL": database_url(), **extra}


def mainthing(*args: str, **popen) -> subprocess.Popen:
    """Starts `mainthing ARGS…` on the test database."""
    env = environment(**popen.pop("env", {}))
    return subprocess.Popen(
        [sys.executable, "-m", "mainthing.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def python(script: Path | str, *args: str, **popen) -> subprocess.Popen:
    """Starts a Python script (with Django set up by the script itself) on the test database."""
    env = environment(**popen.pop("env", {}))
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
