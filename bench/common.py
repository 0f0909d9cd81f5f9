"""The plumbing the benchmark modules share: where their files go, how a worker process
starts Django, fresh PostgreSQL databases and timing loops."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def data_dir() -> Path:
    path = Path(os.environ.get("MAINTHING_DATA_DIR", "var/bench")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def setup_django(database_url: str) -> None:
    os.environ["MAINTHING_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mainthing.settings")
    os.environ["MAINTHING_RATE_LIMITS"] = "off"
    import django

    django.setup()


def setup_server(database_url: str) -> None:
    """Django as a server worker has it, on a migrated database: plain static files (no
    manifest to build), any host, and the WSGI module loaded (gc.freeze included)."""
    setup_django(database_url)
    from django.conf import settings

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import mainthing.wsgi  # noqa: F401


def fresh_postgres_database(url: str) -> None:
    """Drops and creates the database the URL names, connecting to `postgres` to do it."""
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def samples_ms(func: Callable[[], object], *, runs: int, warmup: int) -> list[float]:
    """The time of each of `runs` calls in ms, after `warmup` calls that warm caches the way
    a running server has them warm."""
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def verdict(value: float, limit: float) -> str:
    return "PASS" if value <= limit else "OVER"
