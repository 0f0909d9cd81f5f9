"""Insights as a new user meets them, at 1280 px with a mouse and on a 360 px touch screen: log
some time and a conversation, open Insights from the navigation (More on a phone), switch
ranges (a bad custom range shows its error and the page still works), read a bar's value by
hovering over or tapping it, open a chart's numbers as a table, download them as CSV (the same
numbers), then the weekly review. Neither page scrolls sideways, logs a console error or has a
serious axe finding.

Each step leaves a full-page screenshot in the test's tmp dir (`--basetemp` keeps them).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    DESKTOP,
    axe_serious,
    flash,
    go_to,
    horizontal_overflow,
    keep_screenshot,
    local_now,
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
DASH = "\u2013"  # tables.NO_FIGURE: a cell with no figure
DAYS_COLUMNS = [
    "day",
    "iga_hours",
    "conversations",
    "iga_goal_met",
    "conversations_goal_met",
    "prospecting_day",
]


def todays_work() -> tuple[datetime, datetime, datetime]:
    """(lead generation's start, the call's start, the call's end): both spans on today's local
    date, ended by now, the call long enough to count as a conversation (two minutes)."""
    now = local_now().replace(second=0, microsecond=0)
    since_midnight = int((now - now.replace(hour=0, minute=0)).total_seconds() // 60)
    if since_midnight < 3:
        pytest.skip("the day's first minutes leave no room for a lead-gen entry and a call")
    call_minutes = min(30, max(2, since_midnight // 2))
    call_start = now - timedelta(minutes=call_minutes)
    return max(call_start - timedelta(minutes=45), now.replace(hour=0, minute=0)), call_start, now


def add_entry(page: Page, category: str, start: datetime, end: datetime) -> None:
    page.goto("/")
    page.get_by_role("link", name="Add an entry by hand").click()
    select = page.get_by_label("Category")
    select.select_option(select.locator("option", has_text=category).get_attribute("value"))
    page.get_by_label("Start").fill(f"{start:%Y-%m-%dT%H:%M}")
    page.get_by_label("End").fill(f"{end:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(flash(page)).to_have_text("Entry added.")


def headline_note(page: Page, label: str):
    return (
        page.locator(".headline")
        .filter(has=page.get_by_role("heading", name=label))
        .locator(".muted")
    )


def shown_rows(table) -> list[list[str]]:
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map((r) => [...r.cells].map((c) => c.textContent.trim()))"
    )


def same_number(plain: str, shown: str) -> bool:
    """A CSV cell and the page's cell say the same: a date in ISO against "Sat 05 Dec", a
    number against it with its unit ("0.50 h", "40%", "1,250.00"), nothing against a dash."""
    if shown == DASH:
        return plain == ""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", plain):
        return f"{date.fromisoformat(plain):%a %d %b}" == shown
    number = shown.removesuffix(" h").removesuffix("%").replace(",", "")
    try:
        return float(plain) == float(number)
    except ValueError:
        return plain == shown


class Walk:
    """The checks at each step: a screenshot, and on a phone nothing wider than the screen."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.wide = page, folder, {}

    def step(self, name: str) -> None:
        keep_screenshot(self.page, self.folder / f"{name}.png")
        overflow = horizontal_overflow(self.page)
        if overflow["scroll"] > overflow["client"]:
            self.wide[name] = overflow


WALKS = [
    pytest.param(DESKTOP, {}, id="desktop-1280"),
    pytest.param(PHONE_360, {"has_touch": True}, id="phone-360"),
]


@pytest.mark.parametrize(("viewport", "context_options"), WALKS)
def test_a_new_user_reads_their_first_insights_switches_ranges_and_downloads_the_numbers(
    page: Page, viewport, problems, tmp_path
):
    phone = viewport == PHONE_360
    walk = Walk(page, tmp_path)
    sign_up(page)
    leadgen_start, call_start, call_end = todays_work()
    today = call_end.date()
    add_entry(page, "Forum posts", leadgen_start, call_start)
    add_entry(page, "Prospect call", call_start, call_end)
    call_hours = f"{(call_end - call_start).total_seconds() / 3600:.2f}"

    go_to(page, "Insights")
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    ranges = page.get_by_role("navigation", name="Range")
    expect(ranges.locator("[aria-current=page]")).to_have_text("This month")
    walk.step("1-this-month")

    ranges.get_by_role("link", name="This week").click()
    expect(page).to_have_url(re.compile(r"/insights/\?range=week$"))
    expect(ranges.locator("[aria-current=page]")).to_have_text("This week")
    expect(headline_note(page, "Conversations a day")).to_contain_text("1 in all")
    walk.step("2-this-week")

    ranges.get_by_role("link", name="This year").click()
    expect(ranges.locator("[aria-current=page]")).to_have_text("This year")
    expect(headline_note(page, "Conversations a day")).to_contain_text("1 in all")
    # Over a year a bar a day would be under a pixel on a phone: a bar (and its tap area) for
    # each week of the year so far.
    first_monday = date(today.year, 1, 1) - timedelta(days=date(today.year, 1, 1).weekday())
    this_monday = today - timedelta(days=today.weekday())
    expect(page.locator("#panel-days rect.hit")).to_have_count(
        (this_monday - first_monday).days // 7 + 1
    )
    walk.step("3-this-year")

    # A custom range that ends before it starts: its error, and the page still works.
    custom = page.locator("form.range-custom")
    page.get_by_text("Custom dates").click()  # folded under the range links until asked for
    custom.get_by_label("From").fill(f"{today:%Y-%m-%d}")
    custom.get_by_label("To").fill(f"{today - timedelta(days=1):%Y-%m-%d}")
    custom.get_by_role("button", name="Show").click()
    expect(custom.get_by_role("alert")).to_contain_text(
        "The last day must be on or after the first day."
    )
    expect(page.locator("#panel-days svg.chart")).to_be_visible()
    expect(headline_note(page, "Conversations a day")).to_contain_text("1 in all")
    walk.step("4-custom-error")

    # The last seven days, which it takes once corrected.
    first = today - timedelta(days=6)
    custom.get_by_label("From").fill(f"{first:%Y-%m-%d}")
    custom.get_by_label("To").fill(f"{today:%Y-%m-%d}")
    custom.get_by_role("button", name="Show").click()
    expect(custom.get_by_role("alert")).to_have_count(0)
    expect(page.locator(".insights-head")).to_contain_text(f"{first:%d %b %Y} to {today:%d %b %Y}")
    expect(ranges.locator("[aria-current=page]")).to_have_count(0)

    # Today's bar: its value under the chart, by a tap on the phone, by hovering on a desktop.
    days = page.locator("#panel-days")
    bars = days.locator("rect.hit")
    expect(bars).to_have_count(7)
    todays_bar = days.locator("rect.fill-income")
    expect(todays_bar).to_have_count(1)  # the only day with IGA time
    readout = days.locator(".chart-readout")
    expect(readout).to_have_text("Hover over or tap a bar to see its value.")
    conversations = page.locator("#panel-conversations")

    def point_at(bar) -> None:
        bar.tap() if phone else bar.hover()

    point_at(todays_bar)
    point_at(conversations.locator("rect.fill-income"))
    expect(readout).to_have_text(f"{today:%a %d %b}: {call_hours} h of IGA")
    expect(conversations.locator(".chart-readout")).to_have_text(
        f"{today:%a %d %b}: 1 conversation"
    )
    # An empty day answers too (its invisible tap area).
    point_at(bars.nth(5))
    expect(readout).to_have_text(f"{today - timedelta(days=1):%a %d %b}: 0.00 h of IGA")

    # The chart's numbers as a table, and the same numbers as CSV.
    days.get_by_text("Numbers as a table").click()
    table = days.locator("table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(7)
    expect(table.locator("tbody tr").last).to_have_text(
        re.compile(rf"^{today:%a %d %b}\s*{call_hours} h\s*1\s*")
    )
    walk.step("5-custom-week-table-open")

    with page.expect_download() as download_info:
        days.get_by_role(
            "link", name="Download “IGA time and conversations per day” as CSV"
        ).click()
    download = download_info.value
    assert download.suggested_filename == f"mainthing-days-{first:%Y%m%d}-{today:%Y%m%d}.csv"
    lines = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert lines[0] == DAYS_COLUMNS
    visible = shown_rows(table)
    assert len(lines) - 1 == len(visible) == 7
    mismatched = [
        (plain, shown)
        for plain_row, shown_row in zip(lines[1:], visible, strict=True)
        for plain, shown in zip(plain_row, shown_row, strict=True)
        if not same_number(plain, shown)
    ]
    assert mismatched == []
    day, hours, talks = lines[-1][:3]
    assert (day, float(hours), talks) == (today.isoformat(), float(call_hours), "1")

    # A monthly income goal, worked back from what one join earns (no joins of their own yet).
    page.get_by_label(re.compile("^Monthly income goal")).fill("2000")
    page.get_by_label(re.compile("^What one join earns you")).fill("250")
    page.get_by_role("button", name="Save goal").click()
    expect(flash(page)).to_contain_text("Goal saved: 2,000.00")
    expect(page.locator(".goal-sentence")).to_contain_text(
        re.compile(r"you need about 8(\.0)? joins a month")
    )
    expect(page.locator(".insights-head")).to_contain_text(f"{first:%d %b %Y} to {today:%d %b %Y}")
    walk.step("6-income-goal")
    assert axe_serious(page) == []

    # The weekly review: from the page's head on a desktop, from More on a phone.
    if phone:
        go_to(page, "Weekly review")
    else:
        page.locator(".insights-head").get_by_role("link", name="Weekly review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly review")
    monday = today - timedelta(days=today.weekday() + 7)
    expect(page.locator("main")).to_contain_text(f"Last week, {monday:%a} {monday.day} {monday:%b}")
    expect(page.locator("table.review-numbers tbody tr").first).to_be_visible()
    walk.step("7-weekly-review")
    assert axe_serious(page) == []

    assert walk.wide == {}
    problems.assert_none()
