"""Uploads left unused expire: after a day a waiting import (of leads or of time entries) loses
its file and fails. Starting an import expires the user's own; `mainthing manage
expire_imports` (and the worker, when it starts) expires everybody's. Running imports are
never touched."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from mainthing import cli
from mainthing.activity import importing as activity_importing
from mainthing.activity.models import ImportJob
from mainthing.prospects import importing
from mainthing.prospects.models import LeadImport
from tests.cli.test_cli import _database_url_for_subprocess
from tests.factories import ImportJobFactory, LeadImportFactory

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
EXPIRED = "The uploaded file was removed after a day unused; upload it again to import."
LEADS = b"Name,Email\nAnn Lee,ann@example.com\n"
ENTRIES = (
    b"start,end,category,tier,note\n"
    b"2026-06-01T09:00:00+00:00,2026-06-01T10:00:00+00:00,Calls,income,\n"
)


pytestmark = pytest.mark.usefixtures("uploads_in_tmp")


def stored_file(settings, name: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{uuid.uuid4().hex}"
    path.write_bytes(b"Name,Email\n")
    return path


def lead_job(settings, frozen, user, *, hours: float, status=LeadImport.Status.MAPPING):
    """A lead import created `hours` before NOW, with its upload and the file of checked rows."""
    path = stored_file(settings, f"{user.pk}-leads")
    Path(f"{path}.checked").write_text("rows")
    frozen.move_to(NOW - timedelta(hours=hours))
    job = LeadImportFactory(user=user, path=str(path), size=11, status=status)
    frozen.move_to(NOW)
    return job


def time_job(settings, frozen, user, *, hours: float, status=ImportJob.Status.READY, **fields):
    """A time import created `hours` before NOW, with its upload."""
    path = stored_file(settings, str(user.pk))
    frozen.move_to(NOW - timedelta(hours=hours))
    job = ImportJobFactory(user=user, path=str(path), size=11, status=status, **fields)
    frozen.move_to(NOW)
    return job


def files_left(job) -> list[str]:
    """The suffixes of the job's files still on disk ("" for the upload itself)."""
    return [suffix for suffix in ("", ".checked") if Path(f"{job.path}{suffix}").exists()]


def state(job) -> tuple:
    job.refresh_from_db()
    return job.status, job.message, job.finished_at, files_left(job)


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [LeadImport.Status.MAPPING, LeadImport.Status.INVALID, LeadImport.Status.READY],
)
def test_lead_import_waiting_over_a_day_expires(settings, frozen, owner, status):
    job = lead_job(settings, frozen, owner, hours=25, status=status)

    expired = importing.expire_uploads()

    assert (expired, state(job)) == (1, (LeadImport.Status.FAILED, EXPIRED, NOW, []))


def test_lead_import_waiting_under_a_day_is_untouched(settings, frozen, owner):
    job = lead_job(settings, frozen, owner, hours=23)

    expired = importing.expire_uploads()

    assert (expired, state(job)) == (
        0,
        (LeadImport.Status.MAPPING, "", None, ["", ".checked"]),
    )


@pytest.mark.parametrize("status", [LeadImport.Status.VALIDATING, LeadImport.Status.APPLYING])
def test_running_lead_import_is_never_expired(settings, frozen, owner, status):
    job = lead_job(settings, frozen, owner, hours=24 * 30, status=status)

    expired = importing.expire_uploads()

    assert (expired, state(job)) == (0, (status, "", None, ["", ".checked"]))


def test_lead_import_refused_at_upload_keeps_its_message(settings, frozen, owner):
    job = lead_job(settings, frozen, owner, hours=25, status=LeadImport.Status.INVALID)
    LeadImport.objects.filter(pk=job.pk).update(
        message="The file can't be read; nothing was imported.",
        finished_at=NOW - timedelta(hours=25),
    )
    Path(job.path).unlink()

    expired = importing.expire_uploads()

    assert (expired, state(job)) == (
        0,
        (
            LeadImport.Status.INVALID,
            "The file can't be read; nothing was imported.",
            NOW - timedelta(hours=25),
            [".checked"],
        ),
    )


def test_time_import_ready_over_a_day_expires(settings, frozen, owner):
    job = time_job(settings, frozen, owner, hours=25)

    expired = activity_importing.expire_uploads()

    assert (expired, state(job)) == (1, (ImportJob.Status.FAILED, EXPIRED, NOW, []))


def test_time_import_refused_for_errors_keeps_its_message(settings, frozen, owner):
    # A time import with errors is finished: its file was deleted when it was checked.
    job = time_job(
        settings,
        frozen,
        owner,
        hours=25,
        status=ImportJob.Status.INVALID,
        message="The file has 2 errors; nothing was imported.",
        finished_at=NOW - timedelta(hours=25),
    )
    Path(job.path).unlink()

    expired = activity_importing.expire_uploads()

    assert (expired, state(job)) == (
        0,
        (
            ImportJob.Status.INVALID,
            "The file has 2 errors; nothing was imported.",
            NOW - timedelta(hours=25),
            [],
        ),
    )


@pytest.mark.parametrize("status", [ImportJob.Status.VALIDATING, ImportJob.Status.APPLYING])
def test_running_time_import_is_never_expired(settings, frozen, owner, status):
    job = time_job(settings, frozen, owner, hours=24 * 30, status=status)

    expired = activity_importing.expire_uploads()

    assert (expired, state(job)) == (0, (status, "", None, [""]))


def test_expire_uploads_for_a_user_leaves_other_users_alone(settings, frozen, owner, other_user):
    mine = lead_job(settings, frozen, owner, hours=25)
    theirs = lead_job(settings, frozen, other_user, hours=25)

    expired = importing.expire_uploads(user=owner)

    assert (expired, state(mine)[0], state(theirs)[0]) == (
        1,
        LeadImport.Status.FAILED,
        LeadImport.Status.MAPPING,
    )


# --- when it runs --------------------------------------------------------------------------------


def test_uploading_leads_expires_the_users_old_upload(
    settings, frozen, owner, owner_client, other_user
):
    old = lead_job(settings, frozen, owner, hours=25)
    theirs = lead_job(settings, frozen, other_user, hours=25)

    owner_client.post(
        reverse("prospects:import"),
        {"file": SimpleUploadedFile("new.csv", LEADS, content_type="text/csv")},
    )

    new = LeadImport.objects.get(user=owner, filename="new.csv")
    assert (state(old), state(theirs)[0], new.status) == (
        (LeadImport.Status.FAILED, EXPIRED, NOW, []),
        LeadImport.Status.MAPPING,
        LeadImport.Status.MAPPING,
    )


def test_uploading_time_entries_expires_the_users_old_upload(settings, frozen, owner, owner_client):
    old = time_job(settings, frozen, owner, hours=25)

    owner_client.post(
        reverse("activity:import"),
        {
            "file": SimpleUploadedFile("new.csv", ENTRIES, content_type="text/csv"),
            "format": "csv",
        },
    )

    assert (state(old), ImportJob.objects.filter(user=owner).count()) == (
        (ImportJob.Status.FAILED, EXPIRED, NOW, []),
        2,
    )


def test_cli_lead_import_expires_the_users_old_upload(settings, frozen, owner, tmp_path):
    old = lead_job(settings, frozen, owner, hours=25)
    leads = tmp_path / "leads.csv"
    leads.write_bytes(LEADS)

    code = cli.main(["--user", owner.email, "import", "leads", str(leads), "--json"])

    assert (code, state(old)) == (0, (LeadImport.Status.FAILED, EXPIRED, NOW, []))


def test_cli_time_import_expires_the_users_old_upload(settings, frozen, owner, tmp_path):
    old = time_job(settings, frozen, owner, hours=25)

    code = cli.main(["--user", owner.email, "import", "activities", str(tmp_path / "missing")])

    assert (code, state(old)) == (1, (ImportJob.Status.FAILED, EXPIRED, NOW, []))


def test_expire_imports_command_expires_every_users_and_says_how_many(
    settings, frozen, owner, other_user, capsys
):
    leads = lead_job(settings, frozen, owner, hours=25)
    entries = time_job(settings, frozen, other_user, hours=30)
    recent = lead_job(settings, frozen, other_user, hours=2)

    call_command("expire_imports")

    assert (capsys.readouterr().out, state(leads)[0], state(entries)[0], state(recent)[0]) == (
        "Expired 2 unused imports: 1 of time entries, 1 of leads.\n"
        "Failed 0 imports whose worker stopped; discarded 0 unfinished imports.\n",
        LeadImport.Status.FAILED,
        ImportJob.Status.FAILED,
        LeadImport.Status.MAPPING,
    )


def test_expire_imports_command_with_nothing_to_do_says_so(db, frozen, capsys):
    call_command("expire_imports")

    assert capsys.readouterr().out == (
        "Expired 0 unused imports: 0 of time entries, 0 of leads.\n"
        "Failed 0 imports whose worker stopped; discarded 0 unfinished imports.\n"
    )


def test_expire_imports_command_is_reachable_through_mainthing_manage(capsys):
    code = cli.main(["manage", "help", "expire_imports"])

    out = capsys.readouterr().out
    assert (code, out.splitlines()[0]) == (
        0,
        "usage: mainthing manage expire_imports [-h] [--version] [-v {0,1,2,3}]",
    )


@pytest.mark.django_db(transaction=True)
def test_worker_start_expires_unused_uploads(settings, owner):
    # The worker runs in its own process, on the real clock: the upload is made years old.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = stored_file(settings, f"{owner.pk}-leads")
    job = LeadImportFactory(user=owner, path=str(path), size=11)
    LeadImport.objects.filter(pk=job.pk).update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    env = {**os.environ, "MAINTHING_DATABASE_URL": _database_url_for_subprocess()}

    done = subprocess.run(
        [sys.executable, "-m", "mainthing.cli", "worker", "--batch"],
        env=env,
        timeout=120,
        capture_output=True,
        text=True,
    )

    status, message, finished_at, files = state(job)
    assert (done.returncode, status, message, finished_at is not None, files) == (
        0,
        LeadImport.Status.FAILED,
        EXPIRED,
        True,
        [],
    )


# --- the pages of an expired import --------------------------------------------------------------


def test_expired_lead_import_page_says_why_and_offers_a_new_upload(
    settings, frozen, owner, owner_client
):
    job = lead_job(settings, frozen, owner, hours=25)
    importing.expire_uploads()

    response = owner_client.get(reverse("prospects:import-job", args=[job.pk]))

    page = response.content.decode()
    assert (
        response.status_code,
        f'<p class="error" role="alert">{EXPIRED}</p>' in page,
        f'<a href="{reverse("prospects:import")}" class="button">Try again</a>' in page,
    ) == (200, True, True)


def test_expired_time_import_page_says_why_and_offers_a_new_upload(
    settings, frozen, owner, owner_client
):
    job = time_job(settings, frozen, owner, hours=25)
    activity_importing.expire_uploads()

    response = owner_client.get(reverse("activity:import-job", args=[job.pk]))

    page = response.content.decode()
    assert (
        response.status_code,
        f'<p class="error" role="alert">{EXPIRED}</p>' in page,
        f'<a href="{reverse("activity:import")}" class="button">Try again</a>' in page,
    ) == (200, True, True)
