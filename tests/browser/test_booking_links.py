"""A lead source's booking link, from the lead sources page: its Copy button really copies it,
and the source's page shows its QR code with SVG and PNG downloads, on a desktop and on a
360 px phone, axe-core clean and without sideways scrolling."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    TIME_ZONE,
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
def test_source_booking_link_copies_and_its_qr_code_downloads(
    page: Page, problems, viewport, tmp_path
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_up(page)
    page.goto("/prospects/sources/")
    page.get_by_label("Lead-gen category").select_option(label="Forum posts")
    page.get_by_label("Campaign").fill("Signature on the MLM forum")
    page.get_by_label("Link key").fill("mlm-forum")
    page.get_by_role("button", name="Add source").click()

    field = page.get_by_label("Booking link for Forum posts / Signature on the MLM forum")
    link = field.input_value()
    assert re.fullmatch(r"http://[^/]+/book/pat(-[a-z0-9]+)?/\?src=mlm-forum", link), link
    expect(field).to_have_attribute("readonly", "")
    page.get_by_role("button", name="Copy the booking link for Forum posts").click()

    expect(page.locator('[data-copy-status^="link-"]').first).to_have_text(
        "Copied. Paste it where this source's prospects will see it."
    )
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert horizontal_overflow(page)["wide"] == []
    # The table fits too: the link row doesn't push it into sideways scrolling on a phone.
    table = page.locator(".table-scroll")
    assert table.evaluate("el => [el.scrollWidth <= el.clientWidth, el.scrollLeft]") == [True, 0]
    assert axe_violations(page, "main") == []
    keep_screenshot(page, f"var/screens/sources-{viewport['width']}.png")

    page.get_by_role("link", name="Signature on the MLM forum").click()

    expect(page.get_by_role("textbox", name="Link", exact=True)).to_have_value(link)
    qr = page.get_by_role("img", name=f"QR code for {link}")
    expect(qr).to_be_visible()
    # The SVG drew at its size (not a broken image), square and inside the card.
    page.wait_for_function("() => document.querySelector('img.qr').complete")
    size = qr.evaluate("img => [img.naturalWidth, img.clientWidth, img.clientHeight]")
    assert (size[0] > 0, size[1] == size[2], size[1] >= 200) == (True, True, True), size
    with page.expect_download() as png:
        page.get_by_role("link", name="PNG of the QR code").click()
    saved = tmp_path / png.value.suggested_filename
    png.value.save_as(saved)
    assert (saved.name, saved.read_bytes()[:8]) == (
        "booking-link-mlm-forum.png",
        b"\x89PNG\r\n\x1a\n",
    )
    with page.expect_download() as svg:
        page.get_by_role("link", name="SVG of the QR code").click()
    assert svg.value.suggested_filename == "booking-link-mlm-forum.svg"
    page.get_by_role("button", name="Copy").click()
    expect(page.locator('[data-copy-status="booking-url"]')).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert horizontal_overflow(page)["wide"] == []
    assert axe_violations(page, "main") == []
    keep_screenshot(page, f"var/screens/source-qr-{viewport['width']}.png")
    problems.assert_none()


def test_without_javascript_the_link_is_a_selectable_read_only_field(browser, live_server):
    context = browser.new_context(base_url=live_server.url, timezone_id=TIME_ZONE)
    page = context.new_page()
    sign_up(page)  # signing up guesses the zone with JavaScript; the rest goes without
    cookies = context.cookies()
    context.close()
    plain = browser.new_context(
        base_url=live_server.url, timezone_id=TIME_ZONE, java_script_enabled=False
    )
    plain.add_cookies(cookies)
    page = plain.new_page()
    page.goto("/prospects/sources/")
    page.get_by_label("Campaign").fill("Flyer at the fair")
    page.get_by_role("button", name="Add source").click()

    field = page.get_by_label("Booking link for Forum posts / Flyer at the fair")
    field.select_text()

    selected = page.evaluate("document.getSelection().toString() || document.activeElement.value")
    assert (field.get_attribute("readonly"), selected) == ("", field.input_value())
    assert field.input_value().endswith("/?src=flyer-at-the-fair")
    plain.close()
