"""The import pages: upload, the job page that polls while it works, choosing tiers, applying.
Tasks run inline (ImmediateBackend); they are enqueued after commit."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mainthing.activity.models import Activity, ImportJob
from mainthing.core import importing as framework
from tests.core.test_form_errors import SUMMARY_FIRST
from tests.factories import ImportJobFactory, category

SAMPLES = Path(__file__).parent / "samples"


pytestmark = pytest.mark.usefixtures("uploads_in_tmp")


def upload(client, name: str, fmt: str = "csv", captured=None):
    data = SimpleUploadedFile(name, (SAMPLES / name).read_bytes(), content_type="text/csv")
    return client.post(reverse("activity:import"), {"file": data, "format": fmt})


def test_import_page_requires_login(anon_client):
    response = anon_client.get(reverse("activity:import"))

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/activity/import/",
    )


def test_import_job_page_requires_login(anon_client, owner):
    job = ImportJobFactory(user=owner)

    response = anon_client.get(reverse("activity:import-job", args=[job.pk]))

    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next=/activity/import/{job.pk}/",
    )


def test_import_page_shows_the_form_and_recent_imports(owner, owner_client, other_user):
    ImportJobFactory(user=owner, filename="mine.csv", status=ImportJob.Status.DONE)
    ImportJobFactory(user=other_user, filename="theirs.csv")

    response = owner_client.get(reverse("activity:import"))
    page = response.content.decode()

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    assert "mine.csv" in page
    assert "theirs.csv" not in page


def test_another_users_job_is_not_found(owner, other_client):
    job = ImportJobFactory(user=owner, status=ImportJob.Status.READY)

    page = other_client.get(reverse("activity:import-job", args=[job.pk]))
    apply = other_client.post(reverse("activity:import-apply", args=[job.pk]))

    assert (page.status_code, apply.status_code) == (404, 404)
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.READY


def test_upload_check_choose_tier_and_import(
    owner, owner_client, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(owner_client, "mainthing.csv")
    job = ImportJob.objects.get(user=owner)

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("activity:import-job", args=[job.pk]),
    )
    assert (job.status, job.total_rows, job.new_categories) == (
        ImportJob.Status.READY,
        6,
        [{"name": "Webinars", "tier": "leadgen", "rows": 1}],
    )
    assert Path(job.path).parent == settings.MEDIA_ROOT / "imports"
    assert Path(job.path).name.startswith(f"{owner.pk}-")

    page = owner_client.get(reverse("activity:import-job", args=[job.pk])).content.decode()
    assert '<option value="leadgen" selected>' in page
    assert "Import 6 entries" in page
    assert "hx-trigger" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("activity:import-apply", args=[job.pk]), {"tier-0": "income"}
        )
    job.refresh_from_db()

    assert response.status_code == 302
    assert (job.status, job.created_count, job.skipped_count) == (ImportJob.Status.DONE, 6, 0)
    assert Activity.objects.filter(user=owner, origin="import").count() == 6
    assert category(owner, "Webinars").tier == "income"
    assert not Path(job.path).exists()
    page = owner_client.get(reverse("activity:import-job", args=[job.pk])).content.decode()
    assert "Imported 6 entries." in page


def test_a_file_already_imported_says_so_and_offers_nothing_to_press(
    owner, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(owner_client, "mainthing.csv")
    first = ImportJob.objects.get(user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("activity:import-apply", args=[first.pk]), {"tier-0": "leadgen"})
    with django_capture_on_commit_callbacks(execute=True):
        upload(owner_client, "mainthing.csv")
    job = ImportJob.objects.exclude(pk=first.pk).get(user=owner)

    page = owner_client.get(reverse("activity:import-job", args=[job.pk])).content.decode()

    assert (job.status, job.total_rows, job.skipped_count) == (ImportJob.Status.READY, 6, 6)
    assert (
        "Nothing to import: every entry of mainthing.csv is already in your log." in page,
        "Import 6 entries" in page,
        reverse("activity:import-apply", args=[job.pk]) in page,
    ) == (True, False, False)


def test_a_clicked_twice_import_runs_once(owner, owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(owner_client, "mainthing.csv")
    job = ImportJob.objects.get(user=owner)
    url = reverse("activity:import-apply", args=[job.pk])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        owner_client.post(url, {"tier-0": "leadgen"})
        second = owner_client.post(url, {"tier-0": "leadgen"}, follow=True)

    assert len(callbacks) == 1
    assert "This import has already been started." in second.content.decode()
    assert Activity.objects.filter(user=owner).count() == 6


def test_a_file_with_errors_lists_them_and_imports_nothing(
    owner, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(owner_client, "mainthing-errors.csv")
    job = ImportJob.objects.get(user=owner)

    response = owner_client.get(reverse("activity:import-job", args=[job.pk]))
    page = response.content.decode()

    assert (job.status, job.error_count, len(job.errors)) == (ImportJob.Status.INVALID, 8, 8)
    assert "The file has 8 errors; nothing was imported." in page
    assert "The end is not after the start." in page
    assert "Import 9" not in page
    assert not Path(job.path).exists()
    assert not Activity.objects.filter(user=owner).exists()


def test_a_binary_file_gets_a_clear_message(
    owner, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(owner_client, "junk.bin")
    job = ImportJob.objects.get(user=owner)

    page = owner_client.get(reverse("activity:import-job", args=[job.pk])).content.decode()

    assert job.errors == [
        {"row": None, "message": "This is not a text file (it holds binary data)."}
    ]
    assert "This is not a text file (it holds binary data)." in page


def test_a_watson_upload_proposes_busy_work_for_new_projects(
    owner, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(owner_client, "watson-frames.json", fmt="watson")
    job = ImportJob.objects.get(user=owner)

    page = owner_client.get(reverse("activity:import-job", args=[job.pk])).content.decode()

    assert job.new_categories == [{"name": "webinars", "tier": None, "rows": 1}]
    assert '<option value="other" selected>' in page


def test_too_big_a_file_is_refused(owner, owner_client, monkeypatch):
    monkeypatch.setattr(framework, "MAX_UPLOAD_BYTES", 100)

    response = upload(owner_client, "mainthing.csv")

    assert response.status_code == 200
    assert "the limit here is 0 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_bad_tier_choice_shows_the_form_again(owner, owner_client):
    job = ImportJobFactory(
        user=owner,
        status=ImportJob.Status.READY,
        total_rows=1,
        new_categories=[{"name": "Webinars", "tier": None, "rows": 1}],
    )

    response = owner_client.post(
        reverse("activity:import-apply", args=[job.pk]), {"tier-0": "urgent"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice." in page
    # Said at the top of the form, like every form's mistakes, and beside the category.
    assert SUMMARY_FIRST.search(page) is not None
    assert 'id="id_tier-0_error"' in page
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.READY


def test_the_job_page_polls_itself_while_checking(owner, owner_client):
    job = ImportJobFactory(
        user=owner, status=ImportJob.Status.VALIDATING, size=1000, checked_bytes=250
    )

    response = owner_client.get(
        reverse("activity:import-job", args=[job.pk]), headers={"HX-Request": "true"}
    )
    page = response.content.decode()

    assert f'hx-get="/activity/import/{job.pk}/"' in page
    assert 'hx-trigger="every 1s"' in page
    assert '<progress value="250" max="1000">25%</progress>' in page
    assert "<html" not in page  # the partial alone


def test_the_job_page_shows_the_rows_written_while_importing(owner, owner_client):
    """The chunks commit as they go (hidden until the end), so the job row can say how far."""
    job = ImportJobFactory(
        user=owner,
        status=ImportJob.Status.APPLYING,
        total_rows=1200,
        processed_rows=300,
        heartbeat_at=timezone.now(),
    )

    page = owner_client.get(reverse("activity:import-job", args=[job.pk])).content.decode()

    assert "Importing… 300 of 1,200 entries." in page
    assert '<progress value="300" max="1200">25%</progress>' in page
    assert 'hx-trigger="every 1s"' in page


def test_the_job_page_stops_polling_when_done(owner, owner_client):
    job = ImportJobFactory(
        user=owner, status=ImportJob.Status.DONE, created_count=5, skipped_count=2
    )

    page = owner_client.get(
        reverse("activity:import-job", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    assert "hx-trigger" not in page
    assert "Imported 5 entries. 2 were already there and were skipped." in page


def test_pages_carry_no_inline_script_or_style(owner, owner_client):
    job = ImportJobFactory(
        user=owner,
        status=ImportJob.Status.READY,
        total_rows=1,
        new_categories=[{"name": "Webinars", "tier": None, "rows": 1}],
    )

    pages = [
        owner_client.get(reverse("activity:import")).content.decode(),
        owner_client.get(reverse("activity:import-job", args=[job.pk])).content.decode(),
    ]

    for page in pages:
        assert "<style" not in page
        assert "style=" not in page
        assert "<script>" not in page
