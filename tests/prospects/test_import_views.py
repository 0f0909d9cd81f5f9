"""The lead import pages as owner, another user and anonymous: upload, the mapping step with
its preview, the check, the confirmation and the import. Tasks run inline (ImmediateBackend);
they are enqueued after commit."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mainthing.core import importing as framework
from mainthing.prospects import services
from mainthing.prospects.models import ColumnMapping, Event, LeadImport, Prospect
from tests.factories import LeadImportFactory, category

LEADS = (
    b"Name,Email,Mobile,Favourite colour\n"
    b"Ann Lee,ann@example.com,(212) 555-0101,blue\n"
    b"Bo,bo@example.com,,\n"
)


pytestmark = pytest.mark.usefixtures("uploads_in_tmp")


def upload(client, content: bytes = LEADS, name: str = "leads.csv"):
    data = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("prospects:import"), {"file": data})


def job_url(job: LeadImport, name: str = "prospects:import-job") -> str:
    return reverse(name, args=[job.pk])


def mapping_post(**columns: str) -> dict:
    """The mapping step's form as the browser sends it for a file with a header row (an
    unticked box is not sent at all)."""
    return {"action": "check", "source": "", "has_header": "on", **columns}


# --- who may see what ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["prospects:import-job", "prospects:import-apply"])
def test_import_job_pages_require_login(anon_client, owner, name):
    job = LeadImportFactory(user=owner)

    response = anon_client.post(reverse(name, args=[job.pk]))

    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next={reverse(name, args=[job.pk])}",
    )


def test_import_page_requires_login(anon_client):
    response = anon_client.get(reverse("prospects:import"))

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/prospects/import/",
    )


def test_another_users_import_is_not_found(owner, other_client):
    job = LeadImportFactory(user=owner, status=LeadImport.Status.READY)

    page = other_client.get(job_url(job))
    check = other_client.post(job_url(job), {"action": "remap"})
    apply = other_client.post(job_url(job, "prospects:import-apply"))

    assert (page.status_code, check.status_code, apply.status_code) == (404, 404, 404)
    assert LeadImport.objects.get(pk=job.pk).status == LeadImport.Status.READY


def test_import_page_lists_only_my_imports(owner, owner_client, other_user):
    LeadImportFactory(user=owner, filename="mine.csv", status=LeadImport.Status.DONE)
    LeadImportFactory(user=other_user, filename="theirs.csv", status=LeadImport.Status.DONE)

    response = owner_client.get(reverse("prospects:import"))
    page = response.content.decode()

    assert (response.status_code, "mine.csv" in page, "theirs.csv" in page) == (200, True, False)
    assert 'enctype="multipart/form-data"' in page


def test_import_page_queries_do_not_grow_with_imports(owner, owner_client, queries_do_not_grow):
    LeadImportFactory(user=owner, status=LeadImport.Status.DONE)

    counts = queries_do_not_grow(
        lambda: owner_client.get(reverse("prospects:import")).status_code,
        lambda: [LeadImportFactory(user=owner, status=LeadImport.Status.DONE) for _ in range(8)],
    )

    assert (counts.few, counts.first, counts.last) == (counts.many, 200, 200)


# --- the steps -----------------------------------------------------------------------------------


def test_upload_opens_the_mapping_step_with_a_guess_and_a_preview(owner, owner_client):
    response = upload(owner_client)
    job = LeadImport.objects.get(user=owner)

    page = owner_client.get(job_url(job)).content.decode()

    assert (response.status_code, response["Location"]) == (302, job_url(job))
    assert (job.status, job.encoding, job.delimiter, job.headers, job.mapping) == (
        "mapping",
        "utf-8",
        ",",
        ["Name", "Email", "Mobile", "Favourite colour"],
        {"0": "name", "1": "email", "2": "phone"},
    )
    assert "Read as UTF-8, separated by commas, the first row is the header." in page
    assert '<option value="phone" selected>Phone</option>' in page
    # The preview, formatted for the user's region.
    assert 'data-label="Phone">(212) 555-0101</td>' in page
    assert Path(job.path).exists()


def test_an_unreadable_upload_says_why_and_is_not_kept(owner, owner_client):
    upload(owner_client, b"\x00\x01\x02" * 1000, name="photo.jpg")
    job = LeadImport.objects.get(user=owner)

    page = owner_client.get(job_url(job)).content.decode()

    assert (job.status, job.errors) == (
        "invalid",
        [
            {
                "row": None,
                "message": "This is not a text file (it holds binary data); export a CSV file.",
            }
        ],
    )
    assert "This is not a text file (it holds binary data); export a CSV file." in page
    assert not Path(job.path).exists()


def test_a_file_over_the_limit_is_refused(owner, owner_client, monkeypatch):
    monkeypatch.setattr(framework, "MAX_UPLOAD_BYTES", 10)

    response = upload(owner_client)

    assert response.status_code == 200
    assert "the limit here is 50 MB" in response.content.decode()
    assert not LeadImport.objects.filter(user=owner).exists()


def test_the_preview_follows_the_mapping_through_htmx(owner, owner_client):
    upload(owner_client)
    job = LeadImport.objects.get(user=owner)

    response = owner_client.post(
        job_url(job),
        {"action": "preview", "has_header": "on", "col-0": "name", "col-3": "notes", "source": ""},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="lead-preview">')
    assert "<th>Notes</th>" in page
    assert '<td data-label="Notes">blue</td>' in page
    assert LeadImport.objects.get(pk=job.pk).mapping == {"0": "name", "3": "notes"}


def test_a_mapping_without_a_name_or_contact_is_refused(owner, owner_client):
    upload(owner_client)
    job = LeadImport.objects.get(user=owner)

    response = owner_client.post(job_url(job), mapping_post(**{"col-3": "notes"}))

    assert response.status_code == 200
    assert (
        "Choose the column with the name, the email, the phone or the social handle"
        in response.content.decode()
    )
    assert LeadImport.objects.get(pk=job.pk).status == "mapping"


def test_check_confirm_and_import(owner, owner_client, django_capture_on_commit_callbacks):
    source = services.add_source(
        owner, category=category(owner, "Forum posts"), campaign="Signature", key="forum-sig"
    )
    services.add_prospect(
        owner, services.clean_contact(owner, name="Bo", email="BO@example.com"), now=timezone.now()
    )
    upload(owner_client, LEADS + b"Ann again,ANN@EXAMPLE.COM,,\n")
    job = LeadImport.objects.get(user=owner)

    with django_capture_on_commit_callbacks(execute=True):
        checked = owner_client.post(
            job_url(job),
            mapping_post(**{"col-0": "name", "col-1": "email", "col-2": "phone"}, source=source.pk),
        )
    job.refresh_from_db()
    ready_page = owner_client.get(job_url(job)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        applied = owner_client.post(job_url(job, "prospects:import-apply"))
    job.refresh_from_db()
    done_page = owner_client.get(job_url(job)).content.decode()

    assert (checked.status_code, applied.status_code) == (302, 302)
    assert "<strong>1</strong> new prospect to add" in ready_page
    assert "1 you already have (same email, phone or row): skipped" in ready_page
    assert "1 repeats an earlier row of the file: skipped" in ready_page
    assert (job.status, job.total_rows, job.created_count, job.existing_count) == ("done", 3, 1, 1)
    assert job.duplicate_in_file == 1
    assert "Imported 1 prospect." in done_page
    assert 'href="/prospects/"' in done_page
    ann = Prospect.objects.get(user=owner, name="Ann Lee")
    assert (ann.phone, ann.source_id) == ("+12125550101", source.pk)
    assert list(Event.objects.filter(prospect=ann).values_list("kind", "text")) == [
        ("created", "Imported from leads.csv")
    ]
    assert not Path(job.path).exists()
    assert ColumnMapping.objects.get(user=owner).mapping == {
        "columns": {"0": "name", "1": "email", "2": "phone"},
        "source": "forum-sig",
    }


def test_a_file_with_nothing_new_says_so_and_offers_nothing_to_press(
    owner, owner_client, django_capture_on_commit_callbacks
):
    for name, email in [("Ann Lee", "ann@example.com"), ("Bo", "bo@example.com")]:
        services.add_prospect(
            owner, services.clean_contact(owner, name=name, email=email), now=timezone.now()
        )
    upload(owner_client)
    job = LeadImport.objects.get(user=owner)

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(job_url(job), mapping_post(**{"col-0": "name", "col-1": "email"}))
    job.refresh_from_db()
    page = owner_client.get(job_url(job)).content.decode()

    assert (job.status, job.existing_count) == ("ready", 2)
    assert (
        "Nothing to import: every row of leads.csv is already in your prospects." in page,
        "Import 0" in page,
        job_url(job, "prospects:import-apply") in page,
        'href="/prospects/" class="button">Open your prospects</a>' in page,
    ) == (True, False, False, True)


def test_the_next_upload_with_the_same_columns_offers_the_last_mapping(
    owner, owner_client, django_capture_on_commit_callbacks
):
    upload(owner_client)
    first = LeadImport.objects.get(user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(job_url(first), mapping_post(**{"col-0": "name", "col-3": "notes"}))

    upload(owner_client, name="again.csv")
    second = LeadImport.objects.exclude(pk=first.pk).get(user=owner)

    assert second.mapping == {"0": "name", "3": "notes"}


def test_a_file_with_bad_rows_lists_them_and_can_be_mapped_again(
    owner, owner_client, django_capture_on_commit_callbacks
):
    upload(owner_client, b"Name,Email\nAnn,ann@example\nBo,bo@example.com\n")
    job = LeadImport.objects.get(user=owner)
    before = (Prospect.objects.count(), Event.objects.count())

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(job_url(job), mapping_post(**{"col-0": "name", "col-1": "email"}))
    job.refresh_from_db()
    page = owner_client.get(job_url(job)).content.decode()
    remapped = owner_client.post(job_url(job), {"action": "remap"})

    assert (job.status, job.error_count, job.errors) == (
        "invalid",
        1,
        [{"row": 2, "message": "“ann@example” is not an email address."}],
    )
    assert "The file has 1 error; nothing was imported." in page
    assert (
        '<td class="num" data-label="Row">2</td>'
        '<td data-label="Problem">“ann@example” is not an email address.</td>'
    ) in page
    assert remapped.status_code == 302
    assert LeadImport.objects.get(pk=job.pk).status == "mapping"
    assert (Prospect.objects.count(), Event.objects.count()) == before


def test_polling_gets_the_status_partial(owner, owner_client):
    job = LeadImportFactory(
        user=owner, status=LeadImport.Status.VALIDATING, size=200, checked_bytes=50
    )

    response = owner_client.get(job_url(job), headers={"HX-Request": "true"})
    page = response.content.decode()

    assert page.lstrip().startswith('<section class="card" id="import-status" hx-get=')
    assert "Checking every row… 25%" in page
    assert "<html" not in page


def test_the_import_shows_its_progress_while_it_runs(owner, owner_client, tmp_path):
    path = tmp_path / "upload"
    path.write_text("Name\nAnn\n")
    job = LeadImportFactory(
        user=owner,
        status=LeadImport.Status.APPLYING,
        path=str(path),
        total_rows=20000,
        processed_rows=5000,
        heartbeat_at=timezone.now(),
    )

    page = owner_client.get(job_url(job)).content.decode()

    assert "Importing… 5,000 of 20,000 rows." in page
    assert '<progress value="5000" max="20000">' in page


def test_a_second_click_imports_once(owner, owner_client):
    job = LeadImportFactory(user=owner, status=LeadImport.Status.APPLYING)

    response = owner_client.post(job_url(job, "prospects:import-apply"), follow=True)

    assert "This import has already been started." in response.content.decode()
    assert LeadImport.objects.get(pk=job.pk).status == "applying"


def test_a_checked_file_cant_be_checked_twice(owner, owner_client):
    job = LeadImportFactory(user=owner, status=LeadImport.Status.READY, headers=["Name"])

    response = owner_client.post(job_url(job), mapping_post(**{"col-0": "name"}), follow=True)

    assert "This file has already been checked." in response.content.decode()
    assert LeadImport.objects.get(pk=job.pk).status == "ready"


# --- the header box ------------------------------------------------------------------------------

NAMES = b"Ann Lee\nBo Chen\nCy Diaz\n"  # a names-only list without a header line


def test_the_header_box_shows_what_was_detected(owner, owner_client):
    upload(owner_client, NAMES)
    job = LeadImport.objects.get(user=owner)

    page = owner_client.get(job_url(job)).content.decode()

    assert (job.has_header, job.headers, job.mapping) == (None, ["Ann Lee"], {})
    assert '<input type="checkbox" name="has_header" id="id_has_header" checked>' in page
    assert "Mainthing took the first row for column names." in page


def test_unticking_the_header_box_reads_the_first_row_as_data(owner, owner_client):
    upload(owner_client, NAMES)
    job = LeadImport.objects.get(user=owner)

    response = owner_client.post(job_url(job), {"action": "preview", "source": "", "col-0": ""})
    job.refresh_from_db()
    page = owner_client.get(job_url(job)).content.decode()

    assert (response.status_code, response["Location"]) == (302, job_url(job))
    assert (job.status, job.has_header, job.headers, job.mapping) == (
        "mapping",
        False,
        ["Column 1"],
        {"0": "name"},
    )
    assert "Read as UTF-8, separated by commas, no header row (as you said)." in page
    assert '<input type="checkbox" name="has_header" id="id_has_header">' in page
    row = r'data-label="Row">(\d+)</td>\s*<td data-label="Name">([^<]*)</td>'
    assert re.findall(row, page) == [
        ("1", "Ann Lee"),
        ("2", "Bo Chen"),
        ("3", "Cy Diaz"),
    ]


def test_the_header_box_through_htmx_replaces_the_whole_step(owner, owner_client):
    upload(owner_client, NAMES)
    job = LeadImport.objects.get(user=owner)

    response = owner_client.post(
        job_url(job),
        {"action": "preview", "source": "", "col-0": ""},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()

    assert (response.status_code, response["HX-Retarget"], response["HX-Reswap"]) == (
        200,
        "#import-status",
        "outerHTML",
    )
    assert page.lstrip().startswith('<section class="card" id="import-status">')
    assert '<label for="id_col-0">Column 1</label>' in page
    assert '<option value="name" selected>Name</option>' in page
    assert "<html" not in page


def test_a_names_only_file_imports_every_name_with_the_box_unticked(
    owner, owner_client, django_capture_on_commit_callbacks
):
    upload(owner_client, NAMES)
    job = LeadImport.objects.get(user=owner)
    owner_client.post(job_url(job), {"action": "preview", "source": "", "col-0": ""})

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(job_url(job), {"action": "check", "source": "", "col-0": "name"})
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(job_url(job, "prospects:import-apply"))
    job.refresh_from_db()

    assert (job.status, job.total_rows, job.created_count) == ("done", 3, 3)
    assert list(Prospect.objects.filter(user=owner).order_by("pk").values_list("name")) == [
        ("Ann Lee",),
        ("Bo Chen",),
        ("Cy Diaz",),
    ]
    assert ColumnMapping.objects.filter(user=owner).count() == 0


def test_checking_with_the_box_changed_reads_the_file_again_first(owner, owner_client):
    upload(owner_client, NAMES)
    job = LeadImport.objects.get(user=owner)

    response = owner_client.post(
        job_url(job), {"action": "check", "source": "", "col-0": "name"}, follow=True
    )
    job.refresh_from_db()

    assert (job.status, job.has_header, job.mapping) == ("mapping", False, {"0": "name"})
    assert (
        "The first row is now read as data: check the columns, then check all rows."
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        (
            {"col-0": "name", "col-1": "email"},
            [
                {"row": 1, "message": "“ann@example” is not an email address."},
                {"row": 3, "message": "“cy@example” is not an email address."},
            ],
        ),
        (
            {"has_header": "on", "col-0": "name", "col-1": "email"},
            [{"row": 3, "message": "“cy@example” is not an email address."}],
        ),
    ],
    ids=["unticked", "ticked"],
)
def test_row_numbers_in_errors_follow_the_header_box(
    owner, owner_client, django_capture_on_commit_callbacks, form, errors
):
    # "ann@example" is no address, so the first row passes for a header.
    upload(owner_client, b"Ann Lee,ann@example\nBo Chen,bo@example.com\nCy Diaz,cy@example\n")
    job = LeadImport.objects.get(user=owner)
    owner_client.post(job_url(job), {"action": "preview", "source": "", **form})

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(job_url(job), {"action": "check", "source": "", **form})
    job.refresh_from_db()

    assert (job.status, job.errors) == ("invalid", errors)


def test_a_mapping_remembered_for_column_names_is_not_applied_with_the_box_unticked(
    owner, owner_client, django_capture_on_commit_callbacks
):
    upload(owner_client)
    first = LeadImport.objects.get(user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(job_url(first), mapping_post(**{"col-0": "name", "col-3": "notes"}))
    upload(owner_client, name="again.csv")
    second = LeadImport.objects.exclude(pk=first.pk).get(user=owner)
    offered = second.mapping

    owner_client.post(job_url(second), {"action": "preview", "source": "", "col-0": "name"})
    second.refresh_from_db()
    unticked = second.mapping
    owner_client.post(job_url(second), {"action": "preview", "source": "", "has_header": "on"})
    second.refresh_from_db()

    assert offered == {"0": "name", "3": "notes"}
    assert unticked == {"0": "name", "1": "email", "2": "phone"}
    assert (second.has_header, second.mapping) == (True, {"0": "name", "3": "notes"})
