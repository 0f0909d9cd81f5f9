"""Today counts this week's call-back requests (visitors who found no free time on the booking
page), as a sign that the calendar is too full or too short, with the two ways to fix it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from mainthing.bookings import public, queries

# A Wednesday afternoon in London (BST); the owner's week began on Monday 8 June at 00:00 BST,
# which is Sunday 7 June 23:00 UTC.
NOW = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)
MONDAY_START = datetime(2026, 6, 7, 23, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")


def ask_callback(user, name: str, *, at: datetime = NOW):
    """A visitor's call-back request through the booking page's own rule."""
    page = public.page_for(user)
    return public.request_callback(
        page,
        name=name,
        email=f"{name.split()[0].lower()}@example.com",
        phone="",
        tz="Asia/Kolkata",
        src="",
        now=at,
    )


def callback_line(html: str) -> str:
    """The call-back paragraph's text, tags stripped ("" when there is none)."""
    found = re.search(r'<p class="callbacks"[^>]*>(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


def test_today_counts_this_weeks_callback_requests_with_the_ways_to_fix_it(evenings, owner_client):
    ask_callback(evenings, "Priya Shah")
    ask_callback(evenings, "Ravi Kumar", at=NOW - timedelta(days=1))

    html = owner_client.get(reverse("today")).content.decode()

    assert callback_line(html) == (
        "2 people asked to be called back this week: no time was free on your booking page. "
        "Add prospecting time or open more days."
    )
    line = re.search(r'<p class="callbacks".*?</p>', html, re.S).group(0)
    assert re.findall(r'href="([^"]+)"', line) == [
        reverse("routine:edit"),
        reverse("booking:settings"),
    ]


def test_today_says_one_person_for_a_single_callback_request(evenings, owner_client):
    ask_callback(evenings, "Priya Shah")

    html = owner_client.get(reverse("today")).content.decode()

    assert callback_line(html).startswith("1 person asked to be called back this week: ")


def test_today_shows_no_callback_line_without_requests(evenings, owner_client):
    html = owner_client.get(reverse("today")).content.decode()

    assert ("called back" in html, callback_line(html)) == (False, "")


def test_the_week_starts_on_monday_at_midnight_in_the_users_zone(evenings):
    ask_callback(evenings, "Sunday Late", at=MONDAY_START - timedelta(minutes=1))
    ask_callback(evenings, "Monday Early", at=MONDAY_START)
    ask_callback(evenings, "Today Now")

    assert queries.callbacks_this_week(evenings, now=NOW) == 2


def test_another_users_callback_requests_do_not_count(evenings, other_user, owner_client):
    ask_callback(other_user, "Priya Shah")

    html = owner_client.get(reverse("today")).content.decode()

    assert (queries.callbacks_this_week(evenings, now=NOW), callback_line(html)) == (0, "")


def test_today_query_count_does_not_grow_with_callback_requests(
    evenings, owner_client, queries_do_not_grow
):
    ask_callback(evenings, "First Caller")

    counts = queries_do_not_grow(
        lambda: callback_line(owner_client.get(reverse("today")).content.decode()),
        lambda: [ask_callback(evenings, f"Caller {n}") for n in range(2, 12)],
    )

    assert (counts.few, counts.first[:2], counts.last[:3]) == (counts.many, "1 ", "11 ")
