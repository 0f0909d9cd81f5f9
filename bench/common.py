"""The plumbing the benchmark modules share: where their files go, how a worker process
starts Django, fresh PostgreSQL databases and timing loops."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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


def queries_run(func: Callable[[], object]) -> int:
    """How many SQL statements one call of `func` runs. A wrapper, not CaptureQueriesContext:
    Django empties the latter's list as a request starts."""
    from django.db import connection

    executed: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: executed.append(sql) or execute(sql, *rest)
    ):
        func()
    return len(executed)


def fresh_sqlite(path: Path) -> None:
    """Removes a SQLite database and its write-ahead log and index, for a run from nothing."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def verdict(value: float, limit: float) -> str:
    return "PASS" if value <= limit else "OVER"


def database_arguments(description: str, *, runs_help: str) -> argparse.ArgumentParser:
    """The flags of a bench that measures in a subprocess per database (`measure_on_databases`):
    its hidden worker flags, --runs and --postgres. The caller adds its own and parses."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=30, help=runs_help)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("MAINTHING_BENCH_POSTGRES_URL", ""),
        help="also run on this PostgreSQL URL (default: $MAINTHING_BENCH_POSTGRES_URL)",
    )
    return parser


def measure_on_databases(
    args: argparse.Namespace, *, module: str, name: str, measure: Callable[..., dict]
) -> dict | None:
    """In the worker (`--worker`): runs `measure(database_url, runs=)` and writes its figures to
    `--out`; returns None. Otherwise: runs `python -m module --worker` on a fresh SQLite file
    named `name` (and on --postgres, freshly created, when given), one process per database so
    each starts from a cold Django, and returns {"sqlite": figures, "postgres": figures}."""
    if args.worker:
        Path(args.out).write_text(json.dumps(measure(args.database_url, runs=args.runs)))
        return None

    def in_subprocess(database_url: str) -> dict:
        out = data_dir() / f"{name}-measure.json"
        out.unlink(missing_ok=True)
        command = [sys.executable, "-m", module, "--worker", "--database-url", database_url]
        command += ["--out", str(out), "--runs", str(args.runs)]
        done = subprocess.run(command, check=False)
        if done.returncode != 0 or not out.exists():
            sys.exit(f"{module}: measuring failed on {database_url.split(':')[0]}")
        return json.loads(out.read_text())

    sqlite_file = data_dir() / f"{name}.sqlite3"
    fresh_sqlite(sqlite_file)
    results = {"sqlite": in_subprocess(f"sqlite:///{sqlite_file}")}
    if args.postgres:
        fresh_postgres_database(args.postgres)
        results["postgres"] = in_subprocess(args.postgres)
    return results
