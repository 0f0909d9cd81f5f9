"""A new user follows Today's set-up list to the end, on a desktop and on a 360 px phone: each
step's button opens its page, doing the step there ticks it off, and the list is gone when
all five are done. On the way: a one-day block in two taps of the day picker, a block edited
in place, no sideways scrolling and no serious axe-core finding."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    DESKTOP,
    axe_violations,
    flash,
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

PHONE_360 = {"width": 360, "height": 740}


def serious(page: Page) -> list[dict]:
    return [v for v in axe_violations(page, "main") if v["impact"] in ("serious", "critical")]


def fits(page: Page) -> None:
    """No sideways scroll, nothing serious for axe."""
    # The scroll width is the judge: `wide` also lists clipped, visually hidden tables.
    overflow = horizontal_overflow(page)
    assert overflow["scroll"] <= overflow["client"], (page.url, overflow)
    assert serious(page) == []


def checklist(page: Page):
    return page.locator("section.checklist")


def step(page: Page, key: str):
    return page.locator(f'[data-step="{key}"]')


def follow_step(page: Page, key: str, button: str) -> None:
    """From Today: the step is still open; its button opens its page."""
    page.goto("/")
    expect(step(page, key)).not_to_have_class(re.compile(r"\bdone\b"))
    step(page, key).get_by_role("link", name=button).click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_360], ids=["desktop", "phone-360"])
def test_new_user_follows_the_checklist_to_the_end(page: Page, problems, viewport):
    sign_up(page)
    expect(checklist(page)).to_contain_text("0 of 5 done")
    fits(page)
    keep_screenshot(page, f"var/screens/first-run-{viewport['width']}.png", full_page=False)

    # 1. Prospecting times: a Sunday block in two taps ("None", then "Sun"), then edited.
    follow_step(page, "routine", "Set prospecting times")
    expect(page).to_have_url(re.compile(r"/routine/$"))
    page.get_by_role("button", name="None", exact=True).click()
    page.get_by_label("Sun", exact=True).check()
    page.get_by_label("Start").fill("10:00")
    page.get_by_label("End", exact=True).fill("12:00")
    page.get_by_label("Label").fill("Sunday calls")
    page.get_by_role("button", name="Add block").click()
    expect(flash(page)).to_have_text("Block added.")
    expect(page.locator("table.blocks")).to_contain_text("Sun")
    fits(page)
    # Edit opens the block's form inline (htmx), its days as they are; saving keeps the block.
    page.get_by_role("link", name=re.compile(r"^Edit Income-generating Sun")).click()
    editing = page.get_by_role("form", name=re.compile(r"^Edit Income-generating Sun"))
    expect(editing.get_by_label("Sun", exact=True)).to_be_checked()
    expect(editing.get_by_label("Mon", exact=True)).not_to_be_checked()
    expect(page).to_have_url(re.compile(r"/routine/$"))
    fits(page)
    keep_screenshot(page, f"var/screens/block-edit-{viewport['width']}.png")
    editing.get_by_label("End", exact=True).fill("13:00")
    editing.get_by_role("button", name="Save block").click()
    expect(flash(page)).to_have_text("Saved Income-generating Sun 10:00-13:00.")

    # 2. A lead source.
    follow_step(page, "source", "Add a lead source")
    expect(page).to_have_url(re.compile(r"/prospects/sources/$"))
    page.get_by_label("Campaign").fill("Forum signature")
    page.get_by_role("button", name="Add source").click()
    expect(flash(page)).to_contain_text("Added")

    # 3. A prospect.
    follow_step(page, "prospects", "Add a prospect")
    page.get_by_label("Name").fill("Ann Lee")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Ann Lee")

    # 4. The booking link, shared.
    follow_step(page, "share", "Get your booking link")
    expect(page).to_have_url(re.compile(r"/book/settings/$"))
    fits(page)
    page.get_by_role("button", name="I've shared my link").click()
    expect(page.locator("main")).to_contain_text("You shared it on")

    page.goto("/")
    expect(checklist(page)).to_contain_text("4 of 5 done")
    fits(page)

    # 5. The calendar feed.
    follow_step(page, "feed", "Create a feed address")
    expect(page).to_have_url(re.compile(r"/accounts/profile/#calendar-feed$"))
    page.locator("#calendar-feed").get_by_role("button", name="Create a feed address").click()
    expect(page).to_have_url(re.compile(r"/calendar/feed/new/$"))

    page.goto("/")
    expect(checklist(page)).to_have_count(0)
    fits(page)
    problems.assert_none()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_360], ids=["desktop", "phone-360"])
def test_hidden_checklist_stays_hidden_until_brought_back(page: Page, problems, viewport):
    sign_up(page)
    page.get_by_role("button", name="Hide this list").click()

    expect(flash(page)).to_have_text("Set-up list hidden. Bring it back from your profile.")
    page.reload()
    expect(checklist(page)).to_have_count(0)
    page.goto("/accounts/profile/")
    page.get_by_role("button", name="Show the set-up list on Today").click()
    expect(checklist(page)).to_contain_text("0 of 5 done")
    problems.assert_none()
