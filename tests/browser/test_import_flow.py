"""Importing time entries in a real browser: upload, check, choose tiers, import; then an import
whose worker died says so, stops polling and runs again on one click. Desktop and a 360 px
phone, with no CSP violations, console errors or sideways scrolling."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest

from tests.browser import conftest
from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    DESKTOP,
    horizontal_overflow,
    keep_screenshot,
)

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

pytestmark = BROWSER_MARKS

PHONE_360 = {"width": 360, "height": 780}
CSV = (
    "start,end,category,tier,note\n"
    "2026-03-02T19:00:00+00:00,2026-03-02T19:45:00+00:00,Prospect call,income,Dana\n"
    "2026-03-02T20:00:00+00:00,2026-03-02T20:30:00+00:00,Webinars,leadgen,Signature thread\n"
    "2026-03-03T09:15:00Z,2026-03-03T09:40:00Z,Email inbox,,\n"
)


def in_a_thread(work) -> None:
    """Runs ORM work off the thread where Playwright's event loop runs (Django refuses it
    there): here, what a killed worker leaves behind, which no page can do."""
    failure: list[BaseException] = []

    def run() -> None:
        from django.db import connection

        try:
            work()
        except BaseException as error:  # handed back to the test
            failure.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def kill_the_worker_of_the_last_import() -> None:
    """The state a worker killed mid-import leaves: "applying", its heartbeat long stopped."""
    from django.utils import timezone

    from mainthing.activity.models import ImportJob

    job = ImportJob.objects.order_by("-pk").first()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.APPLYING,
        heartbeat_at=timezone.now() - timedelta(minutes=5),
        can_retry=False,
        path=job.path,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_360], ids=["desktop", "phone-360"])
def test_import_a_file_then_run_again_an_import_whose_worker_died(
    page: Page, problems, tmp_path, settings, viewport
):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    upload = tmp_path / "entries.csv"
    upload.write_text(CSV)
    conftest.sign_up(page)

    page.goto("/activity/import/")
    page.get_by_label("File").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("The file is clean: 3 entries.")).to_be_visible()
    page.get_by_label("Webinars").select_option("leadgen")
    keep_screenshot(page, tmp_path / "ready.png")
    page.get_by_role("button", name="Import 3 entries").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"Imported 3 entries\."))

    # A second import, of the same file with one more entry, whose worker is then killed
    # mid-way. (The same file alone would have nothing new: its page offers no import.)
    upload.write_text(CSV + "2026-03-03T10:00:00Z,2026-03-03T10:30:00Z,Email inbox,,\n")
    page.goto("/activity/import/")
    page.get_by_label("File").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("The file is clean: 4 entries.")).to_be_visible()
    in_a_thread(kill_the_worker_of_the_last_import)
    page.reload()

    alert = page.get_by_role("alert")
    expect(alert).to_have_text(
        "The worker stopped while importing (it was restarted or killed), so nothing was "
        "imported. The file is kept for a day: run it again."
    )
    assert page.locator("[hx-trigger]").count() == 0  # no more polling
    overflow = horizontal_overflow(page)
    assert overflow["scroll"] <= overflow["client"], overflow
    keep_screenshot(page, tmp_path / "worker-stopped.png")

    page.get_by_role("button", name="Run it again").click()
    page.get_by_role("button", name="Import 4 entries").click()
    expect(page.get_by_role("status")).to_have_text(
        re.compile(r"Imported 1 entry\. 3 were already there and were skipped\.")
    )
    problems.assert_none()
