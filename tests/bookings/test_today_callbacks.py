"""Today shows this week's call-back requests (visitors who found no free slot on the booking
page) as a sign that the calendar is too full or too short: how many people asked, who they are
(linked to their cards; they also have a follow-up due) and the two ways to fix it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from mainthing.bookings import public, queries
from mainthing.prospects.models import Prospect

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
        email=f"{name.replace(' ', '.').lower()}@example.com",
        phone="",
        tz="Asia/Kolkata",
        src="",
        now=at,
    )


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def callback_box(html: str) -> str:
    """The call-back box's markup ("" when there is none)."""
    found = re.search(r'<div class="callbacks">(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def callback_lines(html: str) -> list[str]:
    """Each paragraph of the call-back box, as text."""
    return [text(p) for p in re.findall(r"<p[^>]*>(.*?)</p>", callback_box(html), re.S)]


def card(name: str) -> str:
    return reverse("prospects:card", args=[Prospect.objects.get(name=name).pk])


def test_today_says_how_many_asked_who_they_are_and_how_to_fix_it(evenings, owner_client):
    ask_callback(evenings, "Priya Shah", at=NOW - timedelta(days=1))
    ask_callback(evenings, "Ravi Kumar", at=NOW - timedelta(hours=2))
    ask_callback(evenings, "Ann Lee")

    html = owner_client.get(reverse("today")).content.decode()

    assert callback_lines(html) == [
        "3 people asked to be called back this week because no slot was free on your booking "
        "page: your calendar is too full or too short. Add prospecting time or open more days.",
        "Who asked: Ann Lee, Ravi Kumar, Priya Shah. Each got a follow-up due the day they asked.",
    ]
    assert re.findall(r'href="([^"]+)"', callback_box(html)) == [
        reverse("routine:edit"),
        reverse("booking:settings"),
        card("Ann Lee"),
        card("Ravi Kumar"),
        card("Priya Shah"),
    ]


def test_todays_callers_are_also_among_the_follow_ups_due(evenings, owner_client):
    ask_callback(evenings, "Priya Shah")

    html = owner_client.get(reverse("today")).content.decode()
    follow_ups = re.search(r'<section class="card follow-ups".*?</section>', html, re.S).group(0)

    assert (f'href="{card("Priya Shah")}"' in follow_ups, "Priya Shah" in follow_ups) == (
        True,
        True,
    )


def test_today_says_one_person_for_a_single_callback_request(evenings, owner_client):
    ask_callback(evenings, "Priya Shah")

    html = owner_client.get(reverse("today")).content.decode()

    assert callback_lines(html)[0].startswith(
        "1 person asked to be called back this week because no slot was free"
    )


def test_a_person_who_asked_twice_counts_once(evenings, owner_client):
    ask_callback(evenings, "Priya Shah", at=NOW - timedelta(days=1))
    ask_callback(evenings, "Priya Shah")
    ask_callback(evenings, "Ravi Kumar", at=NOW - timedelta(hours=1))

    html = owner_client.get(reverse("today")).content.decode()

    assert [line[:40] for line in callback_lines(html)] == [
        "2 people asked to be called back this we",
        "Who asked: Priya Shah, Ravi Kumar. Each ",
    ]


def test_a_caller_deleted_since_still_counts_but_is_not_named(evenings, owner_client):
    ask_callback(evenings, "Priya Shah")
    ask_callback(evenings, "Ravi Kumar", at=NOW - timedelta(hours=1))
    Prospect.objects.filter(name="Priya Shah").delete()

    callbacks = queries.callbacks_this_week(evenings, now=NOW)

    assert (callbacks.people, callbacks.named, callbacks.more) == (
        2,
        [(Prospect.objects.get(name="Ravi Kumar").pk, "Ravi Kumar")],
        1,
    )


def test_today_names_the_latest_five_callers_and_counts_the_rest(evenings, owner_client):
    for n in range(7):
        ask_callback(evenings, f"Caller {n}", at=NOW - timedelta(minutes=10 * (7 - n)))

    html = owner_client.get(reverse("today")).content.decode()

    assert callback_lines(html)[1] == (
        "Who asked: Caller 6, Caller 5, Caller 4, Caller 3, Caller 2 and 2 more. "
        "Each got a follow-up due the day they asked."
    )


def test_today_shows_no_callback_box_without_requests(evenings, owner_client):
    html = owner_client.get(reverse("today")).content.decode()

    assert ("called back" in html, callback_box(html)) == (False, "")


def test_the_week_starts_on_monday_at_midnight_in_the_users_zone(evenings):
    ask_callback(evenings, "Sunday Late", at=MONDAY_START - timedelta(minutes=1))
    ask_callback(evenings, "Monday Early", at=MONDAY_START)
    ask_callback(evenings, "Today Now")

    callbacks = queries.callbacks_this_week(evenings, now=NOW)

    assert [name for _, name in callbacks.named] == ["Today Now", "Monday Early"]


def test_another_users_callback_requests_do_not_count(evenings, other_user, owner_client):
    ask_callback(other_user, "Priya Shah")

    html = owner_client.get(reverse("today")).content.decode()

    assert (queries.callbacks_this_week(evenings, now=NOW).people, callback_box(html)) == (0, "")


def test_today_query_count_does_not_grow_with_callback_requests(
    evenings, owner_client, queries_do_not_grow
):
    ask_callback(evenings, "First Caller")

    counts = queries_do_not_grow(
        lambda: callback_lines(owner_client.get(reverse("today")).content.decode()),
        lambda: [ask_callback(evenings, f"Caller {n}") for n in range(2, 12)],
    )

    assert (counts.few, counts.first[0][:2], counts.last[0][:3]) == (counts.many, "1 ", "11 ")
