"""Every main page passes axe-core's WCAG 2.1 A/AA checks, on a desktop and on a phone, for a
new user with the starter routine."""

from __future__ import annotations

import pytest

from tests.browser.conftest import BROWSER_MARKS, CHROMIUM, axe_violations, flash, sign_up

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

pytestmark = BROWSER_MARKS

PAGES = (
    "/",
    "/calendar/",
    "/prospects/",
    "/prospects/sources/",
    "/income/",
    "/routine/",
    "/activity/",
    "/activity/categories/",
    "/accounts/profile/",
    # The booking page's settings (which make the page on the first visit), then the page as
    # prospects see it.
    "/book/settings/",
    "/book/pat/",
)


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}], ids=str
)
def test_main_pages_pass_axe(page: Page, problems):
    sign_up(page)
    page.goto("/routine/")
    page.get_by_role("button", name="Use the starter routine").click()
    expect(flash(page)).to_have_count(1)

    found = {}
    for path in PAGES:
        page.goto(path)
        found[path] = axe_violations(page)

    assert found == {path: [] for path in PAGES}
    problems.assert_none()
