"""The database task worker, made to outlive a busy or lost database.

django-tasks-db's `Worker` already skips a poll that finds the database locked, but only inside
its claim; a lock met when the transaction begins, or a PostgreSQL connection that drops, ends
its loop with an exception and the process with status 1 (seen during a 47 s import). Here the
loop is run again after such an error: one log line, the connection closed (Django reopens it),
a pause that doubles from 1 s to 10 s and starts again from 1 s once the worker has run for a
minute without one. Any other error still ends the worker; `mainthing serve` restarts it.
On PostgreSQL, Django's connection health check (CONN_HEALTH_CHECKS) reconnects at the top of
a poll; this catches a connection that drops in the middle of one.
"""

from __future__ import annotations

import logging
import sys
import time

from django.db import InterfaceError, OperationalError, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("mainthing.worker")

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 10.0  # seconds
CALM_AFTER = 60.0  # seconds of running without an error that reset the pause


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


def run_db_worker(*, interval: float, batch: bool) -> None:
    """Runs the database queue's worker until a signal stops it (or, with `batch`, until the
    queue is empty); what `manage db_worker` does, with `SurvivingWorker`'s loop."""
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
    worker.run()
