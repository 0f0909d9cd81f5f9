"""The public booking page in Chromium: a prospect in Asia/Kolkata books a user in
America/New_York across the US change to summer time, moves the call and cancels it through
the manage link, and the user's calendar shows each step; with and without JavaScript, on a
desktop and on a 390 px phone, with axe and no sideways scrolling."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    BROWSER_MARKS,
    DESKTOP,
    PASSWORD,
    PHONE,
    axe_violations,
    flash,
    horizontal_overflow,
)

pytestmark = BROWSER_MARKS

# Wednesday 10 March 2027, 09:00 in New York (EST); summer time starts Sunday 14 March.
NOW = datetime(2027, 3, 10, 14, 0, tzinfo=UTC)
SLUG = "sam-rivera"


@pytest.fixture
def booking_owner(transactional_db):
    """Sam, in New York, with prospecting time 10:00-12:00 on weekdays and a booking page;
    the server's clock at NOW, ticking."""
    from mainthing.accounts.models import User
    from mainthing.bookings import public
    from tests.factories import block

    with time_machine.travel(NOW, tick=True):
        user = User.objects.create_user(
            "sam@example.com", PASSWORD, name="Sam Rivera", time_zone="America/New_York"
        )
        block(user, "10:00", "12:00", days="Mon-Fri")
        page = public.page_for(user)
        page.slug = SLUG
        page.notice_minutes = 0
        page.save()
        yield user


@pytest.fixture
def prospect_page(booking_owner, browser, live_server, request):
    """A visitor's browser in Kolkata (Indian English: a 12-hour clock)."""
    viewport = getattr(request, "param", {}).get("viewport", DESKTOP)
    scripts = getattr(request, "param", {}).get("javascript", True)
    context = browser.new_context(
        base_url=live_server.url,
        timezone_id="Asia/Kolkata",
        locale="en-IN",
        viewport=viewport,
        java_script_enabled=scripts,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    yield page
    context.close()


def owner_page(browser, live_server) -> Page:
    context = browser.new_context(
        base_url=live_server.url, timezone_id="America/New_York", locale="en-US"
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    return page


def span(start: str, end: str) -> str:
    """A time range as the pages print it, with an en dash."""
    return f"{start}\u2013{end}"


def calendar_day(owner: Page, day: str):
    """The owner's calendar of one day, as its day list (a phone's view of the calendar)."""
    owner.goto(f"/calendar/?day={day}")
    return owner.locator(".week-list")


def pick_day(page: Page, weekday: str, date_text: str) -> None:
    page.locator("a.chip.day", has_text=date_text).click()
    expect(page.get_by_role("heading", level=2, name=re.compile(weekday))).to_be_visible()


def fill_and_book(page: Page) -> None:
    expect(page.get_by_text("We're holding this time for you")).to_be_visible()
    page.get_by_label("Your name").fill("Priya Shah")
    page.get_by_label("Email").fill("priya@example.in")
    # The form refuses posts faster than a person types (abuse.MIN_FILL_SECONDS).
    page.wait_for_timeout(3200)
    page.get_by_role("button", name="Book the call").click()


@pytest.mark.parametrize(
    "prospect_page",
    [{"viewport": DESKTOP}, {"viewport": PHONE}],
    indirect=True,
    ids=["desktop", "phone"],
)
def test_a_prospect_in_kolkata_books_moves_and_cancels_across_the_us_clock_change(
    prospect_page: Page, browser, live_server, smtp
):
    page = prospect_page
    page.goto(f"/book/{SLUG}/")
    # booking.js asked again in the browser's zone and clock.
    expect(page.get_by_label("Times are shown in")).to_have_value(
        re.compile(r"Asia/(Kolkata|Calcutta)")
    )
    assert horizontal_overflow(page)["scroll"] <= page.viewport_size["width"]
    assert axe_violations(page) == []

    # With JavaScript the steps swap the page's main part: nothing reloads the page.
    page.evaluate("window.sameDocument = true")
    # Monday 15 March, after the clocks changed in New York: 10:00 EDT is 7:30 pm in Kolkata.
    pick_day(page, "Monday", "15 Mar")
    page.get_by_role("link", name="7:30 pm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        span("Monday 15 March, 7:30 pm", "8:00 pm")
    )
    assert axe_violations(page) == []
    fill_and_book(page)

    expect(flash(page)).to_contain_text("You're booked")
    assert page.evaluate("window.sameDocument") is True
    when = page.locator("#when-heading")
    expect(when).to_have_text(span("Monday 15 March 2027, 7:30 pm", "8:00 pm"))
    expect(
        page.get_by_text(span("10:00 am", "10:30 am for Sam Rivera (America/New_York)"))
    ).to_be_visible()
    assert axe_violations(page) == []
    assert horizontal_overflow(page)["scroll"] <= page.viewport_size["width"]
    expect_mail(smtp, "priya@example.in", "Booked: your call with Sam Rivera")
    expect_mail(smtp, "sam@example.com", "New booking: Priya Shah")
    manage_url = manage_link(smtp.to("priya@example.in")[-1])

    with browser_owner(browser, live_server) as owner:
        expect(calendar_day(owner, "2027-03-15")).to_contain_text("Priya Shah")

    # Moved to Friday 12 March, before the change: 10:00 EST is 8:30 pm in Kolkata; through
    # the link in the confirmation mail.
    page.goto(manage_url)
    page.get_by_role("link", name="Pick another time").click()
    page.get_by_role("group", name="Friday 12 March").get_by_label("8:30 pm").check()
    page.get_by_role("button", name="Move my call").click()
    expect(flash(page)).to_contain_text("Your call is moved")
    expect(when).to_have_text(span("Friday 12 March 2027, 8:30 pm", "9:00 pm"))
    expect(
        page.get_by_text(span("10:00 am", "10:30 am for Sam Rivera (America/New_York)"))
    ).to_be_visible()

    with browser_owner(browser, live_server) as owner:
        expect(calendar_day(owner, "2027-03-15")).not_to_contain_text("Priya Shah")
        expect(calendar_day(owner, "2027-03-12")).to_contain_text("Priya Shah")

    moved = expect_mail(smtp, "priya@example.in", "Moved: your call with Sam Rivera")
    expect_mail(smtp, "sam@example.com", "Moved: call with Priya Shah")
    # Cancelled through the link in the mail about the move.
    page.goto(manage_link(moved))
    page.get_by_role("link", name="Cancel the call").click()
    page.get_by_role("button", name="Yes, cancel the call").click()
    expect(flash(page)).to_contain_text("Your call is cancelled")
    expect(page.locator(".eyebrow").first).to_have_text("Cancelled")

    expect_mail(smtp, "priya@example.in", "Cancelled: your call with Sam Rivera")
    expect_mail(smtp, "sam@example.com", "Cancelled: call with Priya Shah")

    with browser_owner(browser, live_server) as owner:
        expect(calendar_day(owner, "2027-03-12")).not_to_contain_text("Priya Shah")
    assert page.errors == []


def expect_mail(inbox, to: str, subject_start: str):
    """The last mail to `to`, once it has arrived, checked to start with `subject_start`."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [m for m in inbox.to(to) if str(m["Subject"]).strip().startswith(subject_start)]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to} about {subject_start!r}: {inbox.subjects(to)}")


def manage_link(message) -> str:
    """The manage page's path from a mail's plain-text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/booking/[^/\s]+/)", text).group(1)


class browser_owner:
    """The user, signed in in a browser of their own, for a look at their calendar."""

    def __init__(self, browser, live_server):
        self.browser, self.live_server = browser, live_server

    def __enter__(self) -> Page:
        self.page = owner_page(self.browser, self.live_server)
        return self.page

    def __exit__(self, *exc) -> None:
        self.page.context.close()


@pytest.mark.parametrize(
    "prospect_page", [{"viewport": PHONE, "javascript": False}], indirect=True, ids=["no-js"]
)
def test_the_whole_booking_works_without_javascript(prospect_page: Page):
    page = prospect_page
    page.goto(f"/book/{SLUG}/")
    # Without JavaScript nothing guesses: times come in Sam's zone until the visitor picks.
    zone = page.get_by_label("Times are shown in")
    expect(zone).to_have_value("America/New_York")
    zone.fill("Asia/Kolkata")
    page.get_by_role("button", name="Show times").click()
    pick_day(page, "Monday", "15 Mar")
    page.get_by_role("link", name="7:30 pm").click()
    fill_and_book(page)
    expect(flash(page)).to_contain_text("You're booked")
    expect(page.locator("#when-heading")).to_have_text(
        span("Monday 15 March 2027, 7:30 pm", "8:00 pm")
    )
    assert horizontal_overflow(page)["scroll"] <= page.viewport_size["width"]
