"""`mainthing serve`, `worker` and `manage`: running the app and its task worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time


def serve(args) -> int:
    """Runs gunicorn and the task worker side by side; Ctrl-C stops both cleanly."""
    from django.conf import settings

    port = args.port or settings.PORT
    bind = f"{args.host}:{port}"
    python = sys.executable
    web = [
        python,
        "-m",
        "gunicorn",
        "mainthing.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(args.workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    worker = [python, "-m", "mainthing.cli", "worker"]
    # Own sessions: Ctrl-C reaches only this process, which then stops both children gracefully
    # (a terminal's SIGINT to the whole group would cut gunicorn's workers off mid-request).
    children = [
        subprocess.Popen(web, start_new_session=True),
        subprocess.Popen(worker, start_new_session=True),
    ]
    print(f"Mainthing is serving http://{bind}/ with its worker. Press Ctrl-C to stop.", flush=True)
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    while not stopping:
        for child in children:
            if child.poll() is not None:
                print(f"{child.args[2]} exited with {child.returncode}; stopping.", file=sys.stderr)
                status = child.returncode or 1
                stopping = True
        time.sleep(0.3)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    print("Stopped.", flush=True)
    return status


def worker(args) -> int:
    from django.conf import settings
    from django.core.management import call_command

    # A (re)start is a natural moment to delete uploads left unused; a daily cron catches the
    # rest (docs/deployment.md).
    call_command("expire_imports", verbosity=0)
    if settings.REDIS_URL:
        call_command(
            "rqworker",
            "default",
            burst=args.batch,
            worker_class=args.worker_class,
            job_class="django_tasks_rq.Job",
        )
    else:
        call_command("db_worker", interval=args.interval, batch=args.batch, startup_delay=False)
    return 0


def manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mainthing manage", *args.rest])
    return 0
