"""The import framework: batches hidden until published, discarded when they fail or their
process dies, one import of a kind at a time per user, heartbeats on web jobs."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from mainthing.activity import importing as activity_importing
from mainthing.activity.models import Activity, Category, DayTotal, ImportJob
from mainthing.core import importing
from mainthing.core.models import ImportBatch
from mainthing.prospects import importing as lead_importing
from mainthing.prospects.models import LeadImport, Prospect
from tests.factories import ImportBatchFactory

CSV = (
    "start,end,category,tier,note\n"
    "2026-03-02T19:00:00+00:00,2026-03-02T19:45:00+00:00,Prospect call,income,a\n"
    "2026-03-02T20:00:00+00:00,2026-03-02T20:30:00+00:00,Webinars,leadgen,b\n"
    "2026-03-03T20:00:00+00:00,2026-03-03T20:30:00+00:00,Webinars,leadgen,c\n"
)


@pytest.fixture
def csv_file(tmp_path) -> Path:
    path = tmp_path / "entries.csv"
    path.write_text(CSV)
    return path


def visible(user) -> tuple:
    return (
        Activity.objects.filter(user=user).count(),
        Category.objects.filter(user=user, name="Webinars").count(),
        DayTotal.objects.filter(user=user).count(),
    )


def test_an_imports_rows_stay_hidden_until_it_is_published(owner, csv_file, monkeypatch):
    monkeypatch.setattr(activity_importing, "CHUNK_SIZE", 2)
    seen = []

    def look(done: int, total: int) -> None:
        seen.append((done, visible(owner), Activity.with_staged.filter(user=owner).count()))

    activity_importing.apply_file(
        owner, csv_file, "csv", tier_map={"Webinars": "leadgen"}, progress=look
    )

    # After the first chunk two entries are written but none is seen, nor the new category
    # or a day total; at the end all of them are.
    assert seen == [(2, (0, 0, 0), 2), (3, (3, 1, 3), 3)]


def test_a_published_batch_hides_nothing_and_a_failed_one_leaves_nothing(owner, csv_file):
    result = activity_importing.apply_file(owner, csv_file, "csv", tier_map={"Webinars": "leadgen"})

    assert (result.created, ImportBatch.objects.get(user=owner).state) == (3, "published")
    bad = csv_file.with_name("bad.csv")
    bad.write_text(CSV.replace("note\n", "note\n2026-03-09T10:00:00Z,2026-03-09T11:00:00Z,X,,\n"))
    with pytest.raises(ValidationError):
        activity_importing.apply_file(owner, bad, "csv", tier_map={"Webinars": "leadgen"})
    assert (
        Activity.with_staged.filter(user=owner).count(),
        list(ImportBatch.objects.filter(user=owner).values_list("state", flat=True)),
    ) == (3, ["published"])


def staged_batch(user, *, beat_ago: timedelta, rows: int = 3) -> ImportBatch:
    """A batch whose process wrote `rows` entries, last beating `beat_ago`."""
    batch = ImportBatchFactory(user=user, heartbeat_at=timezone.now() - beat_ago)
    category = Category.with_staged.create(
        user=user, name=f"Staged {batch.pk}", tier="other", import_batch=batch.pk
    )
    start = timezone.now() - timedelta(days=2)
    for n in range(rows):
        Activity.with_staged.create(
            user=user,
            category=category,
            start=start + timedelta(hours=n),
            end=start + timedelta(hours=n, minutes=30),
            seconds=1800,
            import_batch=batch.pk,
        )
    return batch


def test_a_batch_whose_process_stopped_is_discarded_and_a_live_one_is_left(owner, other_user):
    dead = staged_batch(owner, beat_ago=timedelta(minutes=3))
    live = staged_batch(other_user, beat_ago=timedelta(seconds=20))

    reaped = importing.reap_dead_batches()

    assert (
        reaped,
        Activity.with_staged.filter(user=owner).count(),
        Category.with_staged.filter(user=owner, import_batch=dead.pk).count(),
        ImportBatch.objects.filter(pk=dead.pk).exists(),
        Activity.with_staged.filter(user=other_user).count(),
        ImportBatch.objects.get(pk=live.pk).state,
    ) == (1, 0, 0, False, 3, "staging")


def test_a_second_import_of_the_same_kind_waits_for_the_first(owner, csv_file):
    staged_batch(owner, beat_ago=timedelta(seconds=5))

    with pytest.raises(ValidationError) as raised:
        activity_importing.apply_file(owner, csv_file, "csv", tier_map={"Webinars": "leadgen"})

    assert raised.value.messages == [
        "Another import into this account is still running; wait for it to finish."
    ]
    assert Activity.objects.filter(user=owner).count() == 0


def test_a_new_import_first_clears_what_a_dead_one_left(owner, csv_file):
    """The dead batch's rows hold the same fingerprints: unless they are gone first, the new
    import would skip its rows as known, then lose them with the clean-up."""
    activity_importing.apply_file(owner, csv_file, "csv", tier_map={"Webinars": "leadgen"})
    Activity.with_staged.filter(user=owner).update(import_batch=999_999)
    ImportBatch.objects.create(
        pk=999_999,
        user=owner,
        kind="activities",
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    assert Activity.objects.filter(user=owner).count() == 0

    result = activity_importing.apply_file(owner, csv_file, "csv", tier_map={})

    assert (result.created, Activity.objects.filter(user=owner).count()) == (3, 3)


def test_a_batch_taken_for_dead_is_not_published_by_its_slow_process(owner, csv_file, frozen):
    frozen.move_to(timezone.now())
    batch = importing.open_batch(owner, "activities")
    frozen.shift(timedelta(minutes=5))
    importing.reap_dead_batches()

    with pytest.raises(ValidationError) as raised:
        importing.publish(batch)

    assert "went too long without progress" in raised.value.messages[0]


@pytest.mark.django_db(transaction=True)
def test_the_wal_is_checkpointed_after_a_large_import(owner, tmp_path, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the write-ahead log is SQLite's")
    monkeypatch.setattr(importing, "CHECKPOINT_ROWS", 20_000)
    path = tmp_path / "entries.csv"
    lines = ["start,end,category,tier,note"]
    lines += [
        f"2025-01-01T00:00:00Z,2025-01-01T00:30:00Z,Webinars,leadgen,entry {n}"
        for n in range(30_000)
    ]
    path.write_text("\n".join(lines) + "\n")
    wal = Path(f"{connection.settings_dict['NAME']}-wal")

    activity_importing.apply_file(owner, path, "csv", tier_map={"Webinars": "leadgen"})

    # Without the checkpoint the log keeps the size of the largest stretch it held (megabytes).
    assert (Activity.objects.filter(user=owner).count(), wal.stat().st_size < 256 * 1024) == (
        30_000,
        True,
    )


# --- web jobs with a heartbeat -------------------------------------------------------------------


def lead_job(user, tmp_path, **fields) -> LeadImport:
    path = tmp_path / "leads.csv"
    path.write_text("Name\nAnn\nBo\n")
    return LeadImport.objects.create(
        user=user, filename="leads.csv", path=str(path), size=12, **fields
    )


@pytest.mark.parametrize(
    ("status", "total_rows", "doing", "back_to"),
    [
        ("validating", 0, "checking the file", "validating"),
        ("applying", 2, "importing", "ready"),
    ],
)
def test_a_lead_import_whose_worker_stopped_fails_on_its_page_and_runs_again(
    owner, owner_client, tmp_path, status, total_rows, doing, back_to
):
    batch = staged_batch(owner, beat_ago=timedelta(minutes=5), rows=0)
    job = lead_job(
        owner,
        tmp_path,
        status=status,
        total_rows=total_rows,
        batch=batch.pk,
        heartbeat_at=timezone.now() - timedelta(minutes=3),
    )
    url = reverse("prospects:import-job", args=[job.pk])

    page = owner_client.get(url).content.decode()

    job.refresh_from_db()
    message = (
        f"The worker stopped while {doing} (it was restarted or killed), so nothing was "
        "imported. The file is kept for a day: run it again."
    )
    assert (job.status, job.can_retry, job.message) == ("failed", True, message)
    assert (message in page, "Run it again" in page, "hx-trigger" in page) == (True, True, False)
    assert ImportBatch.objects.filter(pk=batch.pk).exists() is False

    owner_client.post(reverse("prospects:import-retry", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.can_retry, job.message) == (back_to, False, "")


def test_a_running_job_with_a_fresh_heartbeat_keeps_running(owner, owner_client, tmp_path):
    job = lead_job(owner, tmp_path, status="applying", heartbeat_at=timezone.now())

    page = owner_client.get(reverse("prospects:import-job", args=[job.pk])).content.decode()

    job.refresh_from_db()
    assert (job.status, "hx-trigger" in page) == ("applying", True)


def test_a_job_that_failed_on_its_own_cant_run_again(owner, owner_client, tmp_path):
    job = lead_job(owner, tmp_path, status="failed", message="The file has no rows.")

    response = owner_client.post(reverse("prospects:import-retry", args=[job.pk]), follow=True)

    job.refresh_from_db()
    assert (job.status, "upload the file again" in response.content.decode()) == (
        "failed",
        True,
    )


def test_another_users_job_cant_be_run_again(other_client, owner, tmp_path):
    job = lead_job(owner, tmp_path, status="failed", can_retry=True)

    response = other_client.post(reverse("prospects:import-retry", args=[job.pk]))

    job.refresh_from_db()
    assert (response.status_code, job.status) == (404, "failed")


def test_a_time_import_whose_worker_stopped_is_failed_by_the_cleanup(owner, tmp_path):
    path = tmp_path / "entries.csv"
    path.write_text(CSV)
    job = ImportJob.objects.create(
        user=owner,
        format="csv",
        filename="entries.csv",
        path=str(path),
        status="validating",
        heartbeat_at=timezone.now() - timedelta(minutes=3),
    )
    fresh = ImportJob.objects.create(
        user=owner,
        format="csv",
        filename="entries.csv",
        path=str(path),
        status="validating",
        heartbeat_at=timezone.now(),
    )

    failed = activity_importing.fail_dead()

    job.refresh_from_db()
    fresh.refresh_from_db()
    assert (failed, job.status, job.can_retry, fresh.status) == (1, "failed", True, "validating")


def test_retry_offers_expire_with_the_upload_after_a_day(owner, tmp_path):
    job = lead_job(owner, tmp_path, status="failed", can_retry=True)
    LeadImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=25))

    expired = lead_importing.expire_uploads()

    job.refresh_from_db()
    assert (expired, job.can_retry, Path(job.path).exists()) == (1, False, False)
    assert Prospect.objects.filter(user=owner).count() == 0


def test_a_job_running_since_before_heartbeats_counts_from_its_creation(owner, tmp_path):
    stuck = lead_job(owner, tmp_path, status="applying")
    LeadImport.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    new = lead_job(owner, tmp_path, status="applying")

    failed = lead_importing.fail_dead()

    stuck.refresh_from_db()
    new.refresh_from_db()
    assert (failed, stuck.status, stuck.can_retry, new.status) == (1, "failed", True, "applying")
