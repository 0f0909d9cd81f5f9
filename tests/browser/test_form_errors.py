"""Form errors where the user is looking: a refused routine block brings the error summary into
view and focuses it, on a desktop and on a phone, and the form passes axe-core's checks."""

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


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}], ids=str
)
def test_an_overlapping_block_shows_the_summary_in_view_and_focused(page: Page, problems):
    sign_up(page)
    page.goto("/routine/")
    page.get_by_role("button", name="Use the starter routine").click()
    expect(flash(page)).to_have_count(1)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Add block"))
    form.get_by_label("Tier").select_option("income")
    form.locator("input[name=start]").fill("12:30")
    form.locator("input[name=end]").fill("13:30")

    form.get_by_role("button", name="Add block").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("listitem")).to_contain_text(
        ["This overlaps “Prospecting: lunch calls” 12:00\N{EN DASH}13:00 on"]
    )
    assert axe_violations(page, "section:has([data-error-summary])") == []
    problems.assert_none()
