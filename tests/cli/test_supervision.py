"""`mainthing serve` keeps its children running and the worker outlives a busy database: real
processes, real signals, a real lock."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.cli.test_cli import _database_url_for_subprocess
from tests.factories import UserFactory

MAINTHING = [sys.executable, "-m", "mainthing.cli"]


def _wait_for(what: str, check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _children(pid: int) -> dict[int, str]:
    """The live child processes of `pid`, with their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(stat.parent.name)] = cmdline
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_a_killed_worker_again_and_sigterm_stops_both(tmp_path):
    env = {**os.environ, "MAINTHING_DATA_DIR": str(tmp_path)}
    for name in ("MAINTHING_DATABASE_URL", "MAINTHING_REDIS_URL"):
        env.pop(name, None)
    subprocess.run([*MAINTHING, "manage", "migrate", "-v", "0"], env=env, check=True, timeout=120)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [*MAINTHING, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for("the web app", lambda: _healthy(port))

        def worker_pid():
            return next((p for p, cmd in _children(serve.pid).items() if " worker" in cmd), None)

        first = _wait_for("the worker", worker_pid)
        os.kill(first, signal.SIGKILL)
        second = _wait_for(
            "a new worker", lambda: (worker_pid() or first) != first and worker_pid()
        )

        assert (serve.poll(), _healthy(port), _alive(second)) == (None, True, True)
        children = list(_children(serve.pid))
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
    output = (tmp_path / "serve.log").read_text()
    assert "worker was killed by SIGKILL; restarting in 1 s\n" in output
    assert [pid for pid in children if _alive(pid)] == []


@pytest.mark.django_db(transaction=True)
def test_worker_outlives_a_locked_database_and_then_runs_a_task(settings, tmp_path):
    from django.db import connection

    from mainthing.accounts import services as account_services

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL has no database-wide one")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    UserFactory(email="owner@example.com")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "MAINTHING_DATABASE_URL": _database_url_for_subprocess(),
        "MAINTHING_EMAIL_URL": f"file://{mail_dir}",
    }
    env.pop("MAINTHING_REDIS_URL", None)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [*MAINTHING, "worker", "--interval", "0.2"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_for("the worker to poll", lambda: "Starting worker" in log_text(tmp_path))
        # Longer than the 20 s busy timeout, so the worker's poll fails with "database is locked".
        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        time.sleep(23)
        holder.execute("ROLLBACK")
        holder.close()
        assert worker.poll() is None

        account_services.request_password_reset("owner@example.com")  # enqueued on commit
        mails = _wait_for("the reset mail", lambda: list(mail_dir.iterdir()))

        assert (worker.poll(), len(mails)) == (None, 1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert "worker: database error (database is locked); retrying in 1 s" in log_text(tmp_path)


def log_text(tmp_path) -> str:
    return (tmp_path / "worker.log").read_text()
