"""A visitor finds no free time on the booking page (the user has no prospecting blocks yet) and
asks to be called back; the user's Today then says so, names them with a link to their card and
points at the routine, on a desktop and on a 360 px phone, axe-core clean and without sideways
scrolling."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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

# Long enough to need wrapping on a phone.
VISITOR = "Bartholomew Featherstonehaugh-Cholmondeley"


def ask_for_a_call_back(browser, base_url: str, path: str) -> None:
    """A visitor, in a browser of their own, leaves their contact on the booking page."""
    context = browser.new_context(base_url=base_url, timezone_id="Asia/Kolkata")
    visitor = context.new_page()
    visitor.goto(path)
    # booking.js asks again in the visitor's zone and swaps the page's main part: fill the form
    # that comes back, not the one it replaces.
    expect(visitor).to_have_url(re.compile(r"tz=Asia"))
    expect(visitor.get_by_role("heading", name=re.compile("No free times"))).to_be_visible()
    visitor.get_by_label("Your name").fill(VISITOR)
    visitor.get_by_label("Email").fill("bart@example.com")
    # The form refuses what is sent sooner than a person could fill it (a bot's speed).
    visitor.wait_for_timeout(3200)
    visitor.get_by_role("button", name="Ask for a call back").click()
    thanks = visitor.get_by_role("status")
    expect(thanks).to_have_text("Pat has your details and will call you back.")
    context.close()


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}], ids=str
)
def test_today_names_who_asked_to_be_called_back(
    page: Page, browser, live_server, problems, viewport
):
    sign_up(page)
    page.goto("/book/settings/")
    path = urlsplit(page.locator("#page-url").input_value()).path

    ask_for_a_call_back(browser, live_server.url, path)
    page.goto("/")

    box = page.locator(".callbacks")
    expect(box).to_contain_text(
        "1 person asked to be called back this week because no slot was free on your booking "
        "page: your calendar is too full or too short."
    )
    expect(box.get_by_role("link", name="Add prospecting time")).to_have_attribute(
        "href", "/routine/"
    )
    # The page doesn't scroll sideways (the fill chart's table for screen readers sits
    # off-screen by design), and nothing in the box sticks out.
    assert horizontal_overflow(page)["scroll"] <= page.viewport_size["width"]
    assert (
        box.evaluate(
            "el => [...el.querySelectorAll('*')].filter("
            "e => e.getBoundingClientRect().right > document.documentElement.clientWidth).length"
        )
        == 0
    )
    assert axe_violations(page, "main") == []
    keep_screenshot(page, f"var/screens/today-callbacks-{viewport['width']}.png")

    box.get_by_role("link", name=VISITOR).click()

    expect(page.get_by_role("heading", name=VISITOR, level=1)).to_be_visible()
    problems.assert_none()
