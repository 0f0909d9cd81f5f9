"""Imports that never take the app down, with real processes: another user's writes land while
an import runs, nobody ever sees part of an import, and a worker killed mid-import leaves a job
that is reported failed, cleaned up and can run again."""

import itertools
import json
import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mainthing.activity import importing, tasks
from mainthing.activity.models import Activity, ImportJob
from mainthing.core.models import ImportBatch
from tests import processes
from tests.factories import UserFactory

WRITER = Path(__file__).with_name("other_writer.py")


def write_entries(path: Path, rows: int) -> Path:
    """A Mainthing CSV of `rows` half-hour entries, one an hour, in a category to be created."""
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=rows + 1)
    with path.open("w") as out:
        out.write("start,end,category,tier,note\n")
        for n in range(rows):
            begin = start + timedelta(hours=n)
            out.write(f"{begin.isoformat()},{(begin + timedelta(minutes=30)).isoformat()},")
            out.write(f"Imported work,leadgen,row {n}\n")
    return path


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what} after {seconds} s.")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_another_users_writes_land_while_a_cli_import_runs_and_never_see_part_of_it(tmp_path):
    UserFactory(email="importer@example.com")
    UserFactory(email="other@example.com")
    rows = 200_000
    csv_file = write_entries(tmp_path / "entries.csv", rows)
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    writer = processes.python(
        WRITER, "other@example.com", "importer@example.com", str(ready), str(stop)
    )
    try:
        wait_for(ready.exists, seconds=60, what="the writer to start")
        began = time.time()
        run = processes.mainthing(
            "--user", "importer@example.com", "import", "activities", str(csv_file), "--json"
        )
        out, err = run.communicate(timeout=300)
        ended = time.time()
        time.sleep(0.5)  # a few more writes after the import
    finally:
        stop.write_text("stop")
        report, _writer_err = writer.communicate(timeout=60)
    assert (run.returncode, err) == (0, "")
    result = json.loads(report)
    during = [t for t, outcome in result["writes"] if began + 0.5 < t < ended]
    errors = [outcome for _, outcome in result["writes"] if outcome != "ok"]

    assert (json.loads(out)["created"], errors) == (rows, [])
    # The writes went on during the import, not queued behind it: no gap near its length
    # (held in one transaction, the import left one gap of most of its time).
    gaps = [b - a for a, b in itertools.pairwise(during)]
    assert (len(during) >= 4, max(gaps) < (ended - began) / 2) == (True, True), (
        max(gaps),
        ended - began,
    )
    # The other process saw none of the import, then all of it: never a part.
    assert set(result["seen"]) <= {0, rows}
    assert Activity.objects.filter(user__email="other@example.com").count() == len(result["writes"])


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_a_job_reported_failed_cleaned_and_ready_to_run_again(
    settings, tmp_path, client, frozen
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    owner = UserFactory(email="importer@example.com")
    rows = 150_000
    path = write_entries(tmp_path / "upload.csv", rows)
    job = ImportJob.objects.create(
        user=owner,
        format="csv",
        filename="entries.csv",
        path=str(path),
        size=path.stat().st_size,
        status=ImportJob.Status.READY,
        total_rows=rows,
        new_categories=[{"name": "Imported work", "tier": "leadgen", "rows": rows}],
    )
    assert importing.claim_for_apply(job, tier_map={"Imported work": "leadgen"})
    tasks.apply_import.enqueue(job.pk)
    worker = processes.mainthing("worker")
    try:

        def writing() -> bool:
            job.refresh_from_db()
            return job.processed_rows > 0

        wait_for(writing, seconds=120, what="the worker to write a chunk")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    staged = Activity.with_staged.filter(user=owner).count()
    assert (job.status, Activity.objects.filter(user=owner).count()) == ("applying", 0)
    assert staged > 0

    # Past the heartbeat's limit, the clean-up (worker start, cron) reports and removes it.
    frozen.move_to(timezone.now() + timedelta(minutes=3))
    call_command("expire_imports", verbosity=0)
    frozen.stop()
    job.refresh_from_db()
    assert (
        job.status,
        job.can_retry,
        job.message,
        Activity.with_staged.filter(user=owner).count(),
        ImportBatch.objects.filter(user=owner).count(),
        path.exists(),
    ) == (
        "failed",
        True,
        "The worker stopped while importing (it was restarted or killed), so nothing was "
        "imported. The file is kept for a day: run it again.",
        0,
        0,
        True,
    )

    # Its page stops polling and offers to run it again; a fresh worker then imports it.
    client.force_login(owner)
    page = client.get(reverse("activity:import-job", args=[job.pk])).content.decode()
    assert ("Run it again" in page, "hx-trigger" in page) == (True, False)
    client.post(reverse("activity:import-retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "ready"
    client.post(reverse("activity:import-apply", args=[job.pk]), {"tier-0": "leadgen"})
    fresh = processes.mainthing("worker", "--batch")
    _out, err = fresh.communicate(timeout=300)
    job.refresh_from_db()
    assert (fresh.returncode, job.status, job.created_count) == (0, "done", rows), err
    assert Activity.objects.filter(user=owner).count() == rows
