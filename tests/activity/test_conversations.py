"""What counts as a conversation (issue 9 point 13), and minutes that add up on Today."""

from datetime import UTC, datetime, timedelta

from django.urls import reverse

from mainthing.activity import queries, services
from mainthing.bookings import queries as booking_queries
from mainthing.bookings import services as booking_services
from tests.factories import block, category

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def test_a_seventeen_second_prospect_call_is_not_a_conversation(owner):
    call = category(owner, "Prospect call")
    services.start_timer(owner, call, now=NOW - timedelta(minutes=10))
    services.stop_timer(owner, now=NOW - timedelta(minutes=10) + timedelta(seconds=17))
    day = queries.today(owner, now=NOW)
    talks = booking_queries.conversations(owner, NOW - timedelta(hours=1), NOW, now=NOW)
    assert (day.conversations, talks.total) == (0, 0)


def test_a_two_minute_call_and_a_running_one_past_two_minutes_are_conversations(owner):
    call = category(owner, "Prospect call")
    services.start_timer(owner, call, now=NOW - timedelta(minutes=10))
    services.stop_timer(owner, now=NOW - timedelta(minutes=8))
    services.start_timer(owner, call, now=NOW - timedelta(minutes=3))
    day = queries.today(owner, now=NOW)
    talks = booking_queries.conversations(owner, NOW - timedelta(hours=1), NOW, now=NOW)
    assert (day.conversations, talks.total) == (2, 2)


def test_a_completed_appointment_counts_whatever_its_length(owner):
    start = NOW - timedelta(hours=2)
    block(owner, "08:00", "22:00")
    ann = booking_services.book(owner, prospect_name="Ann", start=start, now=start)
    booking_services.complete(ann, now=NOW, minutes=1)
    talks = booking_queries.conversations(owner, NOW - timedelta(hours=3), NOW, now=NOW)
    assert (queries.today(owner, now=NOW).conversations, talks.total) == (1, 1)


def test_where_today_went_shows_under_a_minute_not_zero_beside_its_share(
    owner, owner_client, frozen
):
    call = category(owner, "Prospect call")
    services.start_timer(owner, call, now=NOW - timedelta(minutes=10))
    services.stop_timer(owner, now=NOW - timedelta(minutes=10) + timedelta(seconds=17))
    page = owner_client.get(reverse("today")).content.decode()
    assert ("Income-generating &lt;1m (100.0%)" in page, "0m (100.0%)" in page) == (True, False)
