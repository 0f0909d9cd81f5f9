"""`mainthing serve` keeps its children running and the worker outlives a busy database: real
processes, real signals, a real lock."""

import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.cli.conftest import MAINTHING, process_env, run_process
from tests.factories import UserFactory


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
    assert run_process("manage", "migrate", "-v", "0", env=env)[0] == 0
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


def _start_worker(tmp_path) -> tuple[subprocess.Popen, Path]:
    """`mainthing worker` on the test database, mailing into a folder, logging into a file."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = process_env(MAINTHING_EMAIL_URL=f"file://{mail_dir}")
    env.pop("MAINTHING_REDIS_URL", None)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [*MAINTHING, "worker", "--interval", "0.2"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    _wait_for("the worker to poll", lambda: "Starting worker" in _log(tmp_path))
    return worker, mail_dir


def _log(tmp_path) -> str:
    return (tmp_path / "worker.log").read_text()


def _mail_a_reset_and_wait(mail_dir: Path) -> list[Path]:
    from mainthing.accounts import services as account_services

    account_services.request_password_reset("owner@example.com")  # enqueued on commit
    return _wait_for("the reset mail", lambda: list(mail_dir.iterdir()))


@pytest.mark.django_db(transaction=True)
def test_worker_outlives_a_locked_database_and_then_runs_a_task(settings, tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL's leg drops the connection instead")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    UserFactory(email="owner@example.com")
    worker, mail_dir = _start_worker(tmp_path)
    try:
        # Longer than the 20 s busy timeout, so the worker's poll fails with "database is locked".
        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        time.sleep(23)
        holder.execute("ROLLBACK")
        holder.close()
        assert worker.poll() is None

        mails = _mail_a_reset_and_wait(mail_dir)

        assert (worker.poll(), len(mails)) == (None, 1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert "worker: database error (database is locked); retrying in 1 s\n" in _log(tmp_path)


@pytest.mark.django_db(transaction=True)
def test_worker_outlives_a_dropped_postgres_connection_and_then_runs_a_task(settings, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's leg of make test")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    UserFactory(email="owner@example.com")
    worker, mail_dir = _start_worker(tmp_path)
    try:
        with connection.cursor() as cursor:  # as a restarted server or a proxy would
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        time.sleep(2)  # ten polls: the health check reconnects, or SurvivingWorker retries
        assert worker.poll() is None

        mails = _mail_a_reset_and_wait(mail_dir)

        assert (worker.poll(), len(mails)) == (None, 1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
