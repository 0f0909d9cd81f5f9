"""What the CLI tests share: a clock to freeze and the ways to run a command, in-process
(`run`) or as its own process on the test database (`run_process`, `MAINTHING`)."""

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime

from mainthing.cli import build_parser, main

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)  # 16:00 in London

# `mainthing` as `serve` starts its worker: the sources under test, whatever is installed.
MAINTHING = [sys.executable, "-m", "mainthing.cli"]


def run(capsys, *argv) -> tuple[int, str, str]:
    """`mainthing ARGV...` in-process: its exit status, stdout and stderr (argparse's usage
    errors included: they exit with 2)."""
    try:
        code = main(list(argv))
    except SystemExit as stopped:
        code = stopped.code
    out, err = capsys.readouterr()
    return code, out, err


def database_url() -> str:
    """The test database, as a URL a `mainthing` process can be pointed at."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(**variables: str) -> dict[str, str]:
    """The environment for a `mainthing` process on the test database, plus VARIABLES."""
    return {**os.environ, "MAINTHING_DATABASE_URL": database_url(), **variables}


def run_process(*argv: str, env: dict | None = None, timeout: float = 120) -> tuple[int, str, str]:
    """`mainthing ARGV...` as its own process (the test database unless ENV says otherwise):
    its exit status, stdout and stderr."""
    done = subprocess.run(
        [*MAINTHING, *argv],
        env=process_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def every_command(parser: argparse.ArgumentParser | None = None, prefix: tuple[str, ...] = ()):
    """Every command and action of `mainthing`, as (its words, its parser), read from the
    parser itself so a sweep over them takes in new ones."""
    parser = parser or build_parser()
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        yield prefix, parser
        return
    for name, sub in subparsers[0].choices.items():
        yield from every_command(sub, (*prefix, name))
