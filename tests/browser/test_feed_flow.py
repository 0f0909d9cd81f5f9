"""The calendar feed from the Profile page: made, shown once with a Copy button that really
copies and one-click subscribe links, on a desktop and on a phone, axe-core clean."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    axe_violations,
    horizontal_overflow,
    keep_screenshot,
    sign_up,
)

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

pytestmark = BROWSER_MARKS


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}], ids=str
)
def test_new_feed_address_is_copied_by_its_button_and_shown_once(page: Page, problems, viewport):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_up(page)
    page.goto("/accounts/profile/")
    page.get_by_role("button", name="Create a feed address").click()

    expect(page).to_have_url(re.compile(r"/calendar/feed/new/$"))
    field = page.get_by_label("Feed address")
    address = field.input_value()
    assert re.fullmatch(r"http://[^/]+/feeds/[A-Za-z0-9_-]{43}\.ics", address)
    expect(page.locator("nav.nav [aria-current=page]")).to_have_text("Profile")
    # The address is readable in full width, not a third of it.
    assert (
        field.bounding_box()["width"] > 0.6 * page.locator("main section").bounding_box()["width"]
    )
    expect(page.get_by_role("link", name="Add to Google Calendar")).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/r\?cid=webcal%3A%2F%2F")
    )
    expect(page.get_by_role("link", name="Add to Apple Calendar")).to_have_attribute(
        "href", "webcal://" + address.split("://", 1)[1]
    )

    page.get_by_role("button", name="Copy").click()

    expect(page.get_by_role("status")).to_have_text("Copied. Paste it into your calendar app.")
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert horizontal_overflow(page)["wide"] == []
    assert axe_violations(page, "main") == []
    keep_screenshot(page, f"var/screens/feed-{viewport['width']}.png")

    page.reload()

    expect(page).to_have_url(re.compile(r"/accounts/profile/#calendar-feed$"))
    expect(page.locator(".messages")).to_contain_text("shown only once")
    assert address not in page.content()
    problems.assert_none()
