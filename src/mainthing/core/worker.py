"""The database task worker, made to outlive a busy or lost database.

django-tasks-db's `Worker` already skips a poll that finds the database locked, but only inside
its claim; a lock met when the transaction begins, or a PostgreSQL connection that drops, ends
its loop with an exception and the process with status 1 (seen during a 47 s import). Here the
loop is run again after such an error: one log line, the connection closed (Django reopens it),
a pause that doubles from 1 s to 10 s and starts again from 1 s once the worker has run for a
minute without one. Any other error still ends the worker; `mainthing serve` restarts it.
On PostgreSQL, Django's connection health check (CONN_HEALTH_CHECKS) reconnects at the top of
a poll; this catches a connection that drops in the middle of one.

Beside the queue, a worker runs periodic sweeps (work scheduled by data, such as reminders and
mail retries, that no enqueued task stands for): `Sweeper` calls them every `SWEEP_EVERY`
seconds in a thread of its own, for the database queue and RQ alike, and once before a
`--batch` run drains the queue. A sweep is passed in as a function (the CLI names them), so
core imports nothing of the apps above it. Sweeps claim their rows with guarded updates, so
any number of workers may sweep at once.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("mainthing.worker")

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 10.0  # seconds
CALM_AFTER = 60.0  # seconds of running without an error that reset the pause
SWEEP_EVERY = 30.0  # seconds between two rounds of the periodic sweeps
STOP_WAIT = 10.0  # seconds a stopping worker waits for a sweep under way (`serve` waits 15)

Sweep = Callable[[datetime], object]


class Sweeper:
    """Runs each sweep with the time now, every `every` seconds, in a daemon thread; a sweep
    that fails is logged and tried again next round. What a round did is logged when it did
    anything."""

    def __init__(self, sweeps: Iterable[Sweep], *, every: float = SWEEP_EVERY):
        self.sweeps, self.every = list(sweeps), every
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> None:
        for sweep in self.sweeps:
            name = f"{sweep.__module__}.{sweep.__qualname__}"
            try:
                done = sweep(timezone.now())
            except Exception:
                logger.exception("worker: %s failed; trying again in %g s", name, self.every)
            else:
                if done:
                    logger.info("worker: %s: %s", name, done)
            finally:
                connections.close_all()  # this thread's connections; the next round reopens

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self.run_once()
            self._stopping.wait(self.every)

    def start(self) -> None:
        if self.sweeps:
            self._thread = threading.Thread(target=self._loop, name="sweeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Lets a round under way finish (a mail being sent), then ends the thread."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=STOP_WAIT)


def run_with_sweeps(run: Callable[[], None], sweeps: Iterable[Sweep], *, batch: bool) -> None:
    """`run()` (a queue's worker loop) with the sweeps beside it: once before it when `batch`,
    else in a thread for as long as it runs."""
    sweeper = Sweeper(sweeps)
    if batch:
        sweeper.run_once()
        run()
        return
    sweeper.start()
    try:
        run()
    finally:
        sweeper.stop()


class SurvivingWorker(Worker):
    def run(self) -> None:
        pause = FIRST_PAUSE
        while True:
            started = time.monotonic()
            try:
                super().run()
                return  # --batch ran out of tasks, or a signal stopped it
            except TRANSIENT_ERRORS as error:
                if time.monotonic() - started > CALM_AFTER:
                    pause = FIRST_PAUSE
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                logger.warning("worker: database error (%s); retrying in %g s", reason, pause)
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)


def run_db_worker(*, interval: float, batch: bool, sweeps: Iterable[Sweep] = ()) -> None:
    """Runs the database queue's worker until a signal stops it (or, with `batch`, until the
    queue is empty); what `manage db_worker` does, with `SurvivingWorker`'s loop and the
    periodic sweeps."""
    # The command's own logging set-up, so the worker logs what `db_worker` would.
    DbWorkerCommand(stdout=sys.stdout).configure_logging(verbosity=1)
    worker = SurvivingWorker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    worker.configure_signals()
    run_with_sweeps(worker.run, sweeps, batch=batch)
