"""The IGA question in a real browser: sign up, put a prospecting block around now, start busy
work, get asked "Is this income-generating activity?", and see the answer on Today."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.browser import conftest
from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    PHONE,
    TIME_ZONE,
    TZ,
    flash,
    horizontal_overflow,
    local_now,
)

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

from mainthing.activity.services import IGA_QUESTION
from mainthing.core import timekit

pytestmark = BROWSER_MARKS


def sign_up(page: Page) -> None:
    conftest.sign_up(page)
    expect(page.get_by_role("heading", name="Start")).to_be_visible()


def add_prospecting_block_around_now(page: Page) -> None:
    """An income block from an hour ago to an hour from now, every day of the week.

    Near midnight the block simply runs across it (an end before the start), and with every
    weekday ticked the occurrence that began yesterday counts too.
    """
    now = local_now()
    page.goto("/routine/")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Add block"))
    form.get_by_label("Tier").select_option("income")
    for day in form.locator("input[name=weekdays]").all():
        day.check()
    form.get_by_label("Start", exact=True).fill(f"{now - timedelta(hours=1):%H:%M}")
    form.get_by_label("End", exact=True).fill(f"{now + timedelta(hours=1):%H:%M}")
    expect(form.get_by_label("Time zone")).to_have_value(TIME_ZONE)
    form.get_by_role("button", name="Add block").click()
    expect(flash(page)).to_have_text("Block added.")


def start(page: Page, category: str) -> None:
    page.goto("/")
    page.get_by_role("button", name=category, exact=True).click()


def stop(page: Page) -> None:
    page.locator("#now").get_by_role("button", name="Stop").click()
    expect(page.locator("#now")).to_contain_text("Nothing running")


def entry_row(page: Page, category: str):
    return page.locator("ul.entries li").filter(has_text=category)


def iga_text(page: Page):
    return page.locator("[data-iga-minutes]")


def add_entry_by_hand(page: Page, category: str, start: datetime, end: datetime) -> None:
    page.goto("/")
    page.get_by_role("link", name="Add an entry by hand").click()
    select = page.get_by_label("Category")
    value = select.locator("option", has_text=category).get_attribute("value")
    select.select_option(value)
    page.get_by_label("Start").fill(f"{start:%Y-%m-%dT%H:%M}")
    page.get_by_label("End").fill(f"{end:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(flash(page)).to_have_text("Entry added.")


def seconds_today(start: datetime, end: datetime) -> int:
    """The part of [start, end) on today's local date, as Today counts it."""
    midnight = datetime.combine(end.date(), datetime.min.time(), tzinfo=TZ)
    return timekit.elapsed_seconds(max(start, midnight), end)


def test_busy_work_in_prospecting_time_asks_and_switches_to_a_prospect_call(page: Page):
    sign_up(page)
    add_prospecting_block_around_now(page)
    before_the_call = local_now()

    start(page, "Organizing")

    expect(page.get_by_role("heading", level=1)).to_have_text(IGA_QUESTION)
    expect(page.get_by_role("alertdialog")).to_contain_text("You asked to start Organizing")
    page.get_by_role("button", name="Prospect call", exact=True).click()

    now_card = page.locator("#now")
    expect(now_card.get_by_role("heading", level=2)).to_have_text("Prospect call")
    expect(now_card.locator("[data-elapsed]")).to_have_text(re.compile(r"^0:00:\d\d$"))
    expect(page.get_by_role("button", name="Prospect call", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )

    stop(page)

    expect(flash(page)).to_have_text(re.compile(r"^Stopped Prospect call: 0m\.$"))
    call = entry_row(page, "Prospect call")
    expect(call).to_have_count(1)
    expect(call.locator(".dur")).to_have_text("0m")
    expect(call.locator(".badge")).to_have_count(0)
    expect(entry_row(page, "Organizing")).to_have_count(0)
    expect(iga_text(page)).to_have_text("0m")
    # A call of a few seconds is no conversation (at least 2 minutes, or a completed call).
    expect(page.locator(".goals")).to_contain_text("Conversations today: 0 of 4")

    # Minutes count: a finished 25-minute call, ending before the timed one began.
    end = before_the_call.replace(second=0, microsecond=0)
    begin = end - timedelta(minutes=25)
    add_entry_by_hand(page, "Prospect call", begin, end)
    page.goto("/")

    expected = timekit.format_minutes(seconds_today(begin, end))
    expect(iga_text(page)).to_have_text(expected)
    expect(entry_row(page, "Prospect call")).to_have_count(2)
    expect(entry_row(page, "Prospect call").first.locator(".dur")).to_have_text("25m")
    expect(page.locator(".goals .legend")).to_contain_text(f"Income-generating {expected} (100.0%)")


def test_busy_work_started_anyway_is_marked_as_an_override(page: Page):
    sign_up(page)
    add_prospecting_block_around_now(page)

    start(page, "Organizing")
    expect(page.get_by_role("heading", level=1)).to_have_text(IGA_QUESTION)
    page.get_by_role("button", name="Start Organizing anyway").click()

    expect(page.locator("#now").get_by_role("heading", level=2)).to_have_text("Organizing")
    stop(page)

    organizing = entry_row(page, "Organizing")
    expect(organizing).to_have_count(1)
    expect(organizing.locator(".badge")).to_have_text("override")
    expect(iga_text(page)).to_have_text("0m")

    page.goto("/activity/")
    expect(entry_row(page, "Organizing").locator(".badge")).to_have_text("override")


def test_busy_work_outside_prospecting_blocks_starts_without_asking(page: Page):
    sign_up(page)

    start(page, "Organizing")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#now").get_by_role("heading", level=2)).to_have_text("Organizing")
    stop(page)
    expect(entry_row(page, "Organizing").locator(".badge")).to_have_count(0)


def test_pages_of_the_flow_break_no_content_security_rule(page: Page, problems):
    sign_up(page)
    add_prospecting_block_around_now(page)
    start(page, "Organizing")
    expect(page.get_by_role("heading", level=1)).to_have_text(IGA_QUESTION)
    page.get_by_role("button", name="Prospect call", exact=True).click()
    # The clock ticks from app.js: proof the script ran under the policy.
    expect(page.locator("#now [data-elapsed]")).not_to_have_text("0:00:00", timeout=3_000)
    stop(page)
    pages = (
        "/routine/", "/activity/", "/activity/new/", "/activity/categories/", "/activity/import/",
        "/calendar/", "/accounts/profile/",
    )  # fmt: skip
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("load")
    page.goto("/")
    # htmx loaded under the same policy (it would otherwise leave the polling card inert).
    assert page.evaluate("typeof window.htmx") == "object"

    problems.assert_none()


def open_today_with_timer_and_entries(page: Page) -> None:
    start(page, "Organizing")
    page.get_by_role("button", name="Start Organizing anyway").click()
    stop(page)
    start(page, "Prospect call")
    expect(page.locator("#now").get_by_role("heading", level=2)).to_have_text("Prospect call")


def open_log(page: Page) -> None:
    open_today_with_timer_and_entries(page)
    page.goto("/activity/")


def open_routine_with_blocks(page: Page) -> None:
    page.goto("/routine/")
    expect(page.locator("table.blocks tbody tr").first).to_be_visible()


def open_iga_question(page: Page) -> None:
    start(page, "Organizing")
    expect(page.get_by_role("heading", level=1)).to_have_text(IGA_QUESTION)


@pytest.mark.parametrize("viewport", [PHONE])
@pytest.mark.parametrize(
    "open_page",
    [open_today_with_timer_and_entries, open_log, open_iga_question, open_routine_with_blocks],
    ids=["today", "log", "iga-question", "routine"],
)
def test_pages_on_a_phone_have_no_horizontal_scroll(page: Page, open_page):
    sign_up(page)
    add_prospecting_block_around_now(page)
    open_page(page)

    overflow = horizontal_overflow(page)

    assert overflow["scroll"] <= overflow["client"], overflow
