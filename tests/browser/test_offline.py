"""The installable app in Chromium: the service worker registers and Chromium finds the app
installable; without a connection a page shows the offline page, the running timer keeps
counting, and a stop pressed offline is sent when the connection returns, ending the entry when
it was pressed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser import conftest
from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    PHONE,
    axe_violations,
    flash,
    horizontal_overflow,
)

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

from tests.browser.test_import_flow import in_a_thread

pytestmark = [*BROWSER_MARKS, pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])]

OFFLINE_SAID = "Offline — stop saved, will be sent when you're back."


def controlled_by_the_worker(page: Page) -> str:
    """Waits until the service worker controls the page; its script's address."""
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.scriptURL)")


def start_a_prospect_call(page: Page):
    page.goto("/")
    page.get_by_role("button", name="Prospect call", exact=True).click()
    clock = page.locator("#now [data-elapsed]")
    expect(clock).to_have_text(re.compile(r"^0:00:0\d$"))
    return clock


def seconds_on(clock) -> int:
    h, m, s = (int(part) for part in clock.text_content().split(":"))
    return h * 3600 + m * 60 + s


def last_entry_end() -> datetime:
    found: list[datetime] = []

    def read() -> None:
        from mainthing.activity.models import Activity

        found.append(Activity.objects.order_by("-pk").values_list("end", flat=True).first())

    in_a_thread(read)
    return found[0]


@pytest.mark.django_db(transaction=True)
def test_service_worker_registers_and_chromium_finds_the_app_installable(page: Page, problems):
    conftest.sign_up(page)
    assert controlled_by_the_worker(page).endswith("/sw.js")
    manifest = page.evaluate(
        """fetch(document.querySelector("link[rel=manifest]").href)
             .then((r) => r.json().then((body) => [r.headers.get("Content-Type"), body.name]))"""
    )
    assert manifest == ["application/manifest+json", "Mainthing"]
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito windows, where Chromium installs nothing; it reports
    # that alone: the manifest, its icons and the worker raise no other objection.
    assert [e["errorId"] for e in errors] == ["in-incognito"]
    problems.assert_none()


@pytest.mark.django_db(transaction=True)
def test_a_stop_pressed_offline_is_sent_when_back_and_ends_the_entry_when_pressed(
    page: Page, problems
):
    conftest.sign_up(page)
    clock = start_a_prospect_call(page)
    controlled_by_the_worker(page)

    page.context.set_offline(True)
    counted = seconds_on(clock)
    expect(clock).not_to_have_text(clock.text_content(), timeout=3000)
    assert seconds_on(clock) > counted  # it keeps counting without the server

    page.locator("#now").get_by_role("button", name="Stop").click()
    pressed = datetime.now(UTC)
    expect(page.locator("#now [data-offline-status]")).to_have_text(OFFLINE_SAID)
    stopped_at = clock.text_content()
    page.wait_for_timeout(4000)  # the connection stays down: the entry must not end now
    expect(clock).to_have_text(stopped_at)

    page.context.set_offline(False)
    expect(flash(page)).to_have_text(re.compile(r"^Stopped Prospect call: 0m\.$"))
    expect(page.locator("#now")).to_contain_text("Nothing running")
    assert abs(last_entry_end() - pressed) < timedelta(seconds=2)
    problems.assert_none()


@pytest.mark.django_db(transaction=True)
def test_offline_a_page_shows_the_offline_page_with_the_timer_still_counting(page: Page, problems):
    conftest.sign_up(page)
    start_a_prospect_call(page)
    controlled_by_the_worker(page)

    page.context.set_offline(True)
    page.goto("/prospects/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")
    expect(page.locator("main")).to_contain_text(
        "The timer keeps counting; what you press is sent when you're back."
    )
    timer = page.locator("[data-offline-timer]")
    expect(timer.get_by_role("heading", level=2)).to_have_text("Prospect call")
    clock = timer.locator("[data-elapsed]")
    expect(clock).to_have_text(re.compile(r"^0:00:\d\d$"))
    counted = seconds_on(clock)
    expect(clock).not_to_have_text(clock.text_content(), timeout=3000)
    assert seconds_on(clock) > counted
    assert [v for v in axe_violations(page) if v["impact"] in {"critical", "serious"}] == []
    assert horizontal_overflow(page)["wide"] == []

    timer.get_by_role("button", name="Stop").click()
    pressed = datetime.now(UTC)
    expect(page.locator("[data-offline-status]")).to_have_text(OFFLINE_SAID)
    page.wait_for_timeout(3000)

    page.context.set_offline(False)
    expect(flash(page)).to_have_text(re.compile(r"^Stopped Prospect call: 0m\.$"))
    assert abs(last_entry_end() - pressed) < timedelta(seconds=2)
    problems.assert_none()
