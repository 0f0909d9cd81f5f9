"""`mainthing serve`, `worker` and `manage`: running the app and its task worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

# A child that dies is started again after a pause that doubles from 1 s to 30 s; one that then
# stays up for a minute starts from 1 s again next time.
FIRST_PAUSE, LONGEST_PAUSE, CALM_AFTER = 1.0, 30.0, 60.0  # seconds


class Child:
    """One supervised process: its command, the running process and when to start it again."""

    def __init__(self, name: str, argv: list[str]):
        self.name, self.argv = name, argv
        self.process: subprocess.Popen | None = None
        self.started = self.restart_at = 0.0
        self.pause = FIRST_PAUSE

    def start(self) -> None:
        # Its own session: Ctrl-C reaches only `serve`, which then stops the children gracefully
        # (a terminal's SIGINT to the whole group would cut gunicorn's workers off mid-request).
        self.process = subprocess.Popen(self.argv, start_new_session=True)
        self.started = time.monotonic()

    def check(self, now: float) -> None:
        """Notices an exit (and says so) or starts the child again when its pause is over."""
        if self.process is None:
            if now >= self.restart_at:
                self.start()
            return
        code = self.process.poll()
        if code is None:
            return
        if now - self.started > CALM_AFTER:
            self.pause = FIRST_PAUSE
        how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with {code}"
        print(f"{self.name} {how}; restarting in {self.pause:g} s", file=sys.stderr, flush=True)
        self.process, self.restart_at = None, now + self.pause
        self.pause = min(self.pause * 2, LONGEST_PAUSE)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def set_up_data_dir() -> list[str]:
    """Applies the migrations and collects the static files when they are missing or out of
    date, so `serve` never starts pages that can only fail; returns what it did. Cheap when
    nothing is to do: a look at the migration plan and a stat of each static source file."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    done = []
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("Setting up the database (migrate)...", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        done.append("migrate")
    if _static_out_of_date():
        print("Collecting the static files (collectstatic)...", flush=True)
        call_command("collectstatic", interactive=False, verbosity=0)
        done.append("collectstatic")
    return done


def _static_out_of_date() -> bool:
    """Whether the manifest of collected static files is missing or older than a source file
    (a first run, or an upgrade that changed the CSS)."""
    from pathlib import Path

    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    if manifest_name is None:  # DEBUG: files are served from their sources
        return False
    manifest = Path(staticfiles_storage.path(manifest_name))
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if Path(storage.path(path)).stat().st_mtime > collected:
                return True
    return False


def web_command(python: str, *, bind: str, workers: int) -> list[str]:
    """The production web server's command line (bench/web.py measures the same one)."""
    return [
        python, "-m", "gunicorn", "mainthing.wsgi:application", "--bind", bind,
        "--workers", str(workers), "--threads", "4", "--access-logfile", "-",
        "--logger-class", "mainthing.core.accesslog.MaskingLogger", "--graceful-timeout", "10",
    ]  # fmt: skip


def serve(args) -> int:
    """Sets the data directory up if it needs it, then runs gunicorn and the task worker side
    by side, starting either again when it dies; Ctrl-C or SIGTERM stops both."""
    from django.conf import settings

    set_up_data_dir()

    port = args.port or settings.PORT
    bind = f"{args.host}:{port}"
    python = sys.executable
    web = web_command(python, bind=bind, workers=args.workers)
    children = [Child("web", web), Child("worker", [python, "-m", "mainthing.cli", "worker"])]
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in children:
        child.start()
    print(f"Mainthing is serving http://{bind}/ with its worker. Press Ctrl-C to stop.", flush=True)
    while not stopping:
        for child in children:
            child.check(time.monotonic())
        time.sleep(0.3)
    for child in children:
        child.stop()
    for child in children:
        child.wait()
    print("Stopped.", flush=True)
    return 0


def worker(args) -> int:
    """Runs the task queue's worker with the periodic sweeps beside it (weekly reviews, booking
    mails and reminders: every 30 s, and once before a `--batch` run drains the queue)."""
    from django.conf import settings
    from django.core.management import call_command

    from mainthing.bookings.tasks import sweep as booking_mails
    from mainthing.core.worker import run_db_worker, run_with_sweeps
    from mainthing.insights.services import send_due_reviews as weekly_reviews

    # A (re)start is a natural moment to delete uploads left unused; a daily cron catches the
    # rest (docs/deployment.md).
    call_command("expire_imports", verbosity=0)
    # Weekly reviews first: the mails they write go out in the same round's outbox sweep.
    sweeps = [weekly_reviews, booking_mails]
    if settings.REDIS_URL:
        run_with_sweeps(
            lambda: call_command(
                "rqworker",
                "default",
                burst=args.batch,
                worker_class=args.worker_class,
                job_class="django_tasks_rq.Job",
            ),
            sweeps,
            batch=args.batch,
        )
    else:
        run_db_worker(interval=args.interval, batch=args.batch, sweeps=sweeps)
    return 0


def manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mainthing manage", *args.rest])
    return 0
