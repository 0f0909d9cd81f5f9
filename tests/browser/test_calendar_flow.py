"""The routine and the calendar in a real browser: take the starter routine, refuse an
overlapping block, skip a day, book a free slot, get refused a taken time, book outside
prospecting time after being asked, move and cancel calls, see the next call on Today, and read
the week as a day list on a phone.

Times follow the live clock. Calls go on next week's Monday, which always has both prospecting
blocks and lies wholly in the future, so its free slots stay put while a test runs; the call
outside prospecting time goes at 15:00 tomorrow, between the two blocks.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest

from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    PHONE,
    TIME_ZONE,
    TZ,
    flash,
    horizontal_overflow,
    sign_up,
)

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

from mainthing.core import timekit

pytestmark = BROWSER_MARKS

OUTSIDE_QUESTION = "This is outside your prospecting time — book anyway?"
# The starter routine's prospecting blocks (Mon-Sat) give six 30-minute slots a day.
SLOTS_PER_DAY = 2 + 4
LUNCH, LUNCH_LATER = time(12, 0), time(12, 30)
OUTSIDE = time(15, 0)


def local_today() -> date:
    return datetime.now(TZ).date()


def call_day() -> date:
    """Next week's Monday: inside the starter routine and wholly in the future."""
    return timekit.week_start(local_today()) + timedelta(days=7)


def tomorrow() -> date:
    return local_today() + timedelta(days=1)


def at(day: date, clock: time) -> str:
    """The value a datetime-local field holds, and the `start` a free slot's link carries."""
    return f"{datetime.combine(day, clock):%Y-%m-%dT%H:%M}"


def hours(start: str, end: str) -> str:
    """A time range as the pages print it, with an en dash."""
    return f"{start}\u2013{end}"


def nav(page: Page, name: str) -> None:
    page.locator("nav.nav").get_by_role("link", name=name, exact=True).click()


def week_url(day: date) -> str:
    return f"/calendar/?week={timekit.week_start(day):%Y-%m-%d}"


def block_rows(page: Page):
    """One row per block; each is followed by a row for its exceptions."""
    return page.locator("table.blocks tbody tr:not(.exceptions-row)")


def use_starter_routine(page: Page) -> None:
    nav(page, "Routine")
    page.get_by_role("button", name="Use the starter routine").click()
    expect(flash(page)).to_have_text("Added 3 blocks of the starter routine. Adjust them below.")


def add_block_form(page: Page):
    return page.locator("form").filter(has=page.get_by_role("button", name="Add block"))


def free_slot_starts(page: Page) -> list[str]:
    """The local start of every dashed free slot in the week grid, as its link carries it."""
    hrefs = page.locator("a.free-slot").evaluate_all(
        "links => links.map((a) => a.getAttribute('href'))"
    )
    return [href.split("start=", 1)[1] for href in hrefs]


def free_count_text(page: Page):
    return page.locator("p", has_text="free slot")


def free_count_sentence(count: int) -> str:
    plural = "" if count == 1 else "s"
    return (
        f"{count} free slot{plural} of 30 minutes left in this week's prospecting blocks. "
        "Click a dashed slot to book it, or let prospects book themselves on your booking page."
    )


def appointment_labels(page: Page):
    return page.locator("svg.week-grid .appt-label")


def book_free_slot(page: Page, day: date, clock: time, prospect: str) -> None:
    """Books through the week grid: the way a desktop user fills a prospecting block."""
    page.goto(week_url(day))
    page.locator(f'a.free-slot[href$="start={at(day, clock)}"]').click()
    page.get_by_label("Prospect").fill(prospect)
    page.get_by_role("button", name="Book", exact=True).click()
    expect(flash(page)).to_have_text(f"Booked {prospect} on {day:%a %d %b} at {clock:%H:%M}.")


def open_book_a_call(page: Page) -> None:
    nav(page, "Calendar")
    page.get_by_role("link", name="Book a call").click()
    expect(page.get_by_role("heading", name="Book a call")).to_be_visible()


def book_outside_prospecting(page: Page, day: date, clock: time, prospect: str) -> None:
    open_book_a_call(page)
    page.get_by_label("Prospect").fill(prospect)
    page.get_by_label("When").fill(at(day, clock))
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("alertdialog")).to_contain_text(OUTSIDE_QUESTION)
    page.get_by_role("button", name="Book anyway").click()
    expect(flash(page)).to_have_text(f"Booked {prospect} on {day:%a %d %b} at {clock:%H:%M}.")


def open_appointment(page: Page, day: date, prospect: str) -> None:
    page.goto(week_url(day))
    page.locator("svg.week-grid a").filter(
        has=page.locator(".appt-label", has_text=prospect)
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(prospect)


def move_section(page: Page):
    return page.locator("section").filter(has=page.get_by_role("heading", name="Move"))


def test_starter_routine_fills_the_week_grid_and_the_blocks_table(page: Page, problems):
    sign_up(page)
    nav(page, "Routine")
    expect(page.get_by_role("heading", name="Your routine")).to_be_visible()
    expect(block_rows(page)).to_have_count(0)

    page.get_by_role("button", name="Use the starter routine").click()

    expect(flash(page)).to_have_text("Added 3 blocks of the starter routine. Adjust them below.")
    grid = page.locator("svg.week-grid")
    expect(grid).to_be_visible()
    # Columns are 100 units wide and blocks sit 2 units in: x names the day, Monday first.
    mon_to_sat = ["2", "102", "202", "302", "402", "502"]
    prospecting = grid.locator("rect.block.fill-income")
    assert sorted(r.get_attribute("x") for r in prospecting.all()) == sorted(mon_to_sat * 2)
    leadgen = grid.locator("rect.block.fill-leadgen")
    assert [r.get_attribute("x") for r in leadgen.all()] == mon_to_sat
    expect(block_rows(page)).to_have_count(3)
    expect(block_rows(page).locator("td:nth-child(3)")).to_have_text(
        [hours("09:00", "10:00"), hours("12:00", "13:00"), hours("19:00", "21:00")]
    )
    expect(page.get_by_role("button", name="Use the starter routine")).to_have_count(0)
    problems.assert_none()


def test_routine_explains_an_overlapping_block_and_keeps_three(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    form = add_block_form(page)
    form.get_by_label("Tier").select_option("income")
    # By name, not label: see test_add_block_labels_name_the_add_block_fields.
    form.locator("input[name=start]").fill("12:30")
    form.locator("input[name=end]").fill("13:30")

    form.get_by_role("button", name="Add block").click()

    # The new block (Mon-Sat, from today) first meets the lunch block on today's date or,
    # on a Sunday, tomorrow's.
    first = local_today() if local_today().weekday() < 6 else tomorrow()
    expect(add_block_form(page).get_by_role("alert").get_by_role("listitem")).to_have_text(
        f"This overlaps “Prospecting: lunch calls” 12:00\N{EN DASH}13:00 on {first:%A %d %b %Y}."
        " Blocks may not overlap: change the hours or the days."
    )
    expect(block_rows(page)).to_have_count(3)
    expect(flash(page)).to_have_count(0)
    problems.assert_none()


def test_routine_skips_the_evening_block_tomorrow(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    evening = block_rows(page).filter(has_text=hours("19:00", "21:00"))
    exceptions = evening.locator("xpath=following-sibling::tr[1]")
    exceptions.get_by_text("Skip a day or change its hours").click()
    form = exceptions.locator("form.inline-form")
    form.locator("input[name=date]").fill(f"{tomorrow():%Y-%m-%d}")
    expect(form.get_by_label("skip")).to_be_checked()

    form.get_by_role("button", name="Save").click()

    day = tomorrow()
    expect(flash(page)).to_have_text(
        f"Income-generating Mon-Sat 19:00-21:00 on {day:%a %d %b}: skipped."
    )
    evening = block_rows(page).filter(has_text=hours("19:00", "21:00"))
    badges = evening.locator("xpath=following-sibling::tr[1]").locator(".badge")
    expect(badges).to_have_text([f"{day:%a} {day.day} {day:%b}: skipped"])
    expect(page.locator("table.blocks .badge")).to_have_count(1)
    # The grid shows this week: tomorrow's evening is gone from it when it falls there.
    this_week = timekit.week_start(local_today())
    shown = day.weekday() < 6 and timekit.week_start(day) == this_week
    expect(page.locator("svg.week-grid rect.block.fill-income")).to_have_count(12 - int(shown))
    problems.assert_none()


def test_booking_a_free_slot_shows_the_call_and_takes_the_slot(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    day = call_day()
    nav(page, "Calendar")
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Week of {day:%a} {day.day} {day:%b %Y}"
    )
    before = free_slot_starts(page)
    assert len(before) == 6 * SLOTS_PER_DAY
    expect(free_count_text(page)).to_have_text(free_count_sentence(len(before)))
    expect(appointment_labels(page)).to_have_count(0)

    page.locator(f'a.free-slot[href$="start={at(day, LUNCH)}"]').click()

    expect(page.get_by_role("heading", name="Book a call")).to_be_visible()
    # The slot clicked is checked among the free times; the typed fallback stays empty.
    checked = page.locator("input[name=slot]:checked")
    expect(checked).to_have_count(1)
    expect(page.locator("label.slot", has=checked)).to_have_text("12:00")
    expect(page.locator(".slot-day", has=checked).locator(".slot-date")).to_have_text(
        f"{day:%a} {day.day} {day:%b}"
    )
    expect(page.get_by_label("When")).to_have_value("")
    expect(page.get_by_label("Length")).to_have_value("30")
    page.get_by_label("Prospect").fill("Ann Lee")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(week_url(day)) + "$"))
    expect(flash(page)).to_have_text(f"Booked Ann Lee on {day:%a %d %b} at 12:00.")
    expect(appointment_labels(page)).to_have_text(["Ann Lee"])
    expect(page.locator("svg.week-grid rect.appt")).to_have_count(1)
    after = free_slot_starts(page)
    assert after == [s for s in before if s != at(day, LUNCH)]
    expect(free_count_text(page)).to_have_text(free_count_sentence(len(before) - 1))
    problems.assert_none()


def test_booking_a_taken_time_is_refused_and_creates_nothing(page: Page, problems, live_server):
    sign_up(page)
    use_starter_routine(page)
    day = call_day()
    book_free_slot(page, day, LUNCH, "Ann Lee")
    free_before = free_slot_starts(page)

    open_book_a_call(page)
    page.get_by_label("Prospect").fill("Bob Stone")
    page.get_by_label("When").fill(at(day, LUNCH))
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Book", exact=True).click()

    assert posted.value.status == 409
    expect(page.get_by_role("heading", name="Book a call")).to_be_visible()
    expect(page.locator(".field.has-error .error")).to_have_text(
        f"That time is already booked (the call with Ann Lee at {day:%a %d %b} 12:00)."
        " Pick another slot."
    )
    expect(page.get_by_label("Prospect")).to_have_value("Bob Stone")
    page.goto(week_url(day))
    expect(appointment_labels(page)).to_have_text(["Ann Lee"])
    expect(page.locator(".week-list")).not_to_contain_text("Bob Stone")
    assert free_slot_starts(page) == free_before
    problems.assert_none(failed_requests=[f"409 {live_server.url}/calendar/book/"])


def test_booking_outside_prospecting_time_asks_first(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    day = tomorrow()
    open_book_a_call(page)
    page.get_by_label("Prospect").fill("Cy Ward")
    page.get_by_label("When").fill(at(day, OUTSIDE))

    page.get_by_role("button", name="Book", exact=True).click()

    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text(OUTSIDE_QUESTION)
    expect(page.get_by_label("When")).to_have_value(at(day, OUTSIDE))
    expect(page.get_by_role("button", name="Book", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Book anyway").click()

    expect(page).to_have_url(re.compile(re.escape(week_url(day)) + "$"))
    expect(flash(page)).to_have_text(f"Booked Cy Ward on {day:%a %d %b} at 15:00.")
    expect(appointment_labels(page)).to_have_text(["Cy Ward"])
    open_appointment(page, day, "Cy Ward")
    expect(page.locator(".eyebrow")).to_have_text("Scheduled · outside prospecting time")
    problems.assert_none()


def test_moving_and_cancelling_calls_then_today_shows_the_next_call(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    day = call_day()
    book_free_slot(page, day, LUNCH, "Ann Lee")

    open_appointment(page, day, "Ann Lee")
    when = page.locator("p.big")
    expect(when).to_have_text(
        f"{day:%A} {day.day} {day:%B}, {hours('12:00', '12:30')} (30 min, {TIME_ZONE})"
    )
    move = move_section(page)
    # By name, not label: see test_appointment_labels_name_the_move_fields.
    expect(move.locator("input[name=start]")).to_have_value(at(day, LUNCH))
    move.locator("input[name=start]").fill(at(day, LUNCH_LATER))
    move.get_by_role("button", name="Move").click()

    expect(flash(page)).to_have_text("Appointment moved.")
    expect(when).to_have_text(
        f"{day:%A} {day.day} {day:%B}, {hours('12:30', '13:00')} (30 min, {TIME_ZONE})"
    )
    expect(page.locator(".eyebrow")).to_have_text("Scheduled")
    page.get_by_role("link", name="← Calendar").click()
    # Read the grid only once the calendar has replaced the appointment's page.
    expect(appointment_labels(page)).to_have_text(["Ann Lee"])
    starts = free_slot_starts(page)
    assert at(day, LUNCH) in starts
    assert at(day, LUNCH_LATER) not in starts

    # The freed 12:00 goes to a second call; cancelled, it must neither hold the slot nor
    # come first on Today.
    book_free_slot(page, day, LUNCH, "Cy Ward")
    expect(appointment_labels(page)).to_have_text(["Cy Ward", "Ann Lee"])
    open_appointment(page, day, "Cy Ward")
    page.get_by_role("button", name="Cancel the call").click()

    expect(flash(page)).to_have_text("Cancelled the call with Cy Ward.")
    expect(page.locator(".eyebrow")).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Cancel the call")).to_have_count(0)
    expect(move_section(page)).to_have_count(0)
    page.get_by_role("link", name="← Calendar").click()
    expect(appointment_labels(page)).to_have_text(["Ann Lee"])
    assert at(day, LUNCH) in free_slot_starts(page)

    nav(page, "Today")
    next_call = page.locator(".now-next p").filter(has_text="Next call:")
    expect(next_call).to_contain_text(f"Next call: Ann Lee at {day:%a} 12:30")
    expect(next_call.get_by_role("link", name=f"Ann Lee at {day:%a} 12:30")).to_be_visible()
    expect(page.locator(".fill-signal p.big")).to_have_text(
        re.compile(r"^\d+% of your prospecting time in the next 3 days is booked$")
    )
    problems.assert_none()


def test_moving_a_call_outside_prospecting_time_asks_first(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    day = call_day()
    book_free_slot(page, day, LUNCH, "Ann Lee")
    open_appointment(page, day, "Ann Lee")
    move = move_section(page)
    move.locator("input[name=start]").fill(at(day, OUTSIDE))

    move.get_by_role("button", name="Move").click()

    expect(move_section(page).get_by_role("alertdialog")).to_have_text(OUTSIDE_QUESTION)
    move_section(page).get_by_role("button", name="Move anyway").click()

    expect(flash(page)).to_have_text("Appointment moved.")
    expect(page.locator("p.big")).to_have_text(
        f"{day:%A} {day.day} {day:%B}, {hours('15:00', '15:30')} (30 min, {TIME_ZONE})"
    )
    expect(page.locator(".eyebrow")).to_have_text("Scheduled · outside prospecting time")
    problems.assert_none()


@pytest.mark.parametrize("viewport", [PHONE])
def test_calendar_on_a_phone_lists_the_days_without_horizontal_scroll(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    day = call_day()
    # No grid to click on a phone: the call is booked by its time.
    open_book_a_call(page)
    page.get_by_label("Prospect").fill("Ann Lee")
    page.get_by_label("When").fill(at(day, LUNCH))
    page.get_by_role("button", name="Book", exact=True).click()
    expect(flash(page)).to_have_text(f"Booked Ann Lee on {day:%a %d %b} at 12:00.")

    days = page.locator(".week-list")
    expect(days).to_be_visible()
    expect(page.locator("svg.week-grid")).to_be_hidden()
    expect(days.locator("h2")).to_have_text(
        [f"{d:%A} {d.day} {d:%b}" for d in (day + timedelta(days=i) for i in range(7))]
    )
    expect(days.locator("p:not(.free-list) a")).to_have_text([f"{hours('12:00', '12:30')} Ann Lee"])
    # Free slots are tappable on a phone too; Monday's 12:00 is taken, 12:30 is offered.
    monday_free = days.locator(".free-list").first.locator("a")
    expect(monday_free.first).to_have_text("12:30")
    expect(monday_free.first).to_have_attribute(
        "href", f"/calendar/book/?start={day:%Y-%m-%d}T12:30"
    )
    expect(days.locator(".badge")).to_have_text(["Scheduled"])
    overflow = horizontal_overflow(page)
    assert overflow["scroll"] <= overflow["client"], overflow
    problems.assert_none()


def test_add_block_labels_name_the_add_block_fields(page: Page):
    """With blocks listed, "Start" and "End" of the Add a block form must still label its own
    inputs (a label click, a screen reader and get_by_label all go through `for=`)."""
    sign_up(page)
    use_starter_routine(page)
    form = add_block_form(page)

    expect(form.get_by_label("Start", exact=True)).to_have_attribute("type", "time")
    expect(form.get_by_label("End", exact=True)).to_have_attribute("type", "time")


def test_appointment_labels_name_the_move_fields(page: Page):
    """The Move form's "New time" and "Length" label its own inputs, not the After-the-call
    form's."""
    sign_up(page)
    use_starter_routine(page)
    day = call_day()
    book_free_slot(page, day, LUNCH, "Ann Lee")
    open_appointment(page, day, "Ann Lee")
    move = move_section(page)

    expect(move.get_by_label("New time")).to_have_value(at(day, LUNCH))
    expect(move.get_by_label("Length")).to_have_value("30")
