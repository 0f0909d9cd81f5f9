"""The calendar's day list (what a phone shows): one day's blocks, calls and free times in
order, and the days before and after."""

import re
from datetime import UTC, datetime

from django.urls import reverse

from mainthing.bookings import services

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # Wed 09:00 in London
EVENING = datetime(2026, 6, 11, 18, 30, tzinfo=UTC)  # Thu 19:30 in London
DASH = "\u2013"  # between the times of a range, as the page prints it


def day_list(html: str) -> list[str]:
    """The day list's rows as text, tags stripped and spaces collapsed."""
    body = html.split('<ol class="day-list">', 1)[1].split("</ol>", 1)[0]
    rows = re.findall(r"<li[^>]*>(.*?)</li>", body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_day_list_shows_the_days_block_calls_and_free_times_in_order(
    evenings, owner_client, frozen
):
    services.book(evenings, prospect_name="Ann Lee", start=EVENING, now=NOW)
    html = owner_client.get(reverse("bookings:calendar"), {"day": "2026-06-11"}).content.decode()

    assert day_list(html) == [
        f"19:00{DASH}21:00 Income",
        "Book 19:00",
        f"19:30{DASH}20:00 Ann Lee Scheduled Card",
        "Book 20:00",
        "Book 20:30",
    ]
    assert 'href="/calendar/book/?start=2026-06-11T20:00">Book 20:00</a>' in html
    assert 'href="?day=2026-06-10" rel="prev">← Wed 10</a>' in html
    assert 'href="?day=2026-06-12" rel="next">Fri 12 →</a>' in html
    # The day chooses the week the desktop grid shows.
    assert "Week of Mon 8 Jun 2026" in html


def test_day_list_of_a_day_without_blocks_says_so(owner_client, frozen):
    html = owner_client.get(reverse("bookings:calendar"), {"day": "2026-06-11"}).content.decode()
    assert day_list(html) == [
        "No prospecting block on this day: nothing to book. Your routine sets the days."
    ]


def test_day_list_refuses_a_bad_day_and_shows_today(evenings, owner_client, frozen):
    response = owner_client.get(reverse("bookings:calendar"), {"day": "someday"}, follow=True)
    html = response.content.decode()
    assert "“someday” is not a date like 2026-12-01. Showing 10 Jun 2026 instead." in html
    assert day_list(html)[:2] == [f"19:00{DASH}21:00 Income", "Book 19:00"]
