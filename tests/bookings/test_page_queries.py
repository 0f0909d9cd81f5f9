"""The pages where the day is spent run a fixed number of queries, however much the account
holds: pinned here so a change that adds one per row, or one per page, shows at once (the web
bench in bench/web.py measures their speed; tests never time anything)."""

from datetime import UTC, datetime, timedelta

from django.urls import reverse

from mainthing.bookings import services
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import Stage
from tests.factories import new_prospect

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 09:00 in London
EVENING = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # 19:00 in London
# The session and the signed-in user, on every page.
SIGNED_IN = 2


def _prospects(user, first: int, last: int):
    for n in range(first, last):
        stage = Stage.values[n % len(Stage.values)]
        new_prospect(user, f"P{n}", at=NOW, stage=stage, phone=f"415 555 {n:04d}")


def test_prospect_list_page_queries_are_fixed(evenings, owner_client, frozen, queries_do_not_grow):
    _prospects(evenings, 0, 1)
    counts = queries_do_not_grow(
        lambda: owner_client.get(reverse("prospects:list")).content.decode().count("<tr>"),
        lambda: _prospects(evenings, 1, 60),
    )
    # The sources, the counts per stage, the page's rows with their sources.
    assert (counts.few, counts.many, counts.first, counts.last) == (SIGNED_IN + 3,) * 2 + (2, 51)


def test_today_queries_are_fixed_with_follow_ups_and_calls(
    evenings, owner_client, frozen, queries_do_not_grow
):
    def add_rows(first: int, last: int):
        for n in range(first, last):
            prospect_services.add_prospect(
                evenings,
                prospect_services.clean_contact(evenings, name=f"F{n}", phone=f"415 555 {n:04d}"),
                now=NOW,
                follow_up_on=NOW.date() - timedelta(days=n % 4),
            )
            if n < 8:
                services.book(
                    evenings, prospect_name=f"C{n}", start=EVENING + timedelta(days=n), now=NOW
                )

    add_rows(0, 1)
    counts = queries_do_not_grow(
        lambda: owner_client.get("/").content.decode().count("/done/"),
        lambda: add_rows(1, 40),
    )
    # The page's reads, plus one for the set-up list (bookings/firstrun.py) a new account sees.
    assert (counts.few, counts.many) == (SIGNED_IN + 13,) * 2
    # Each follow-up shown has its Done form (action and hx-post), from URLs reversed once:
    # the first, then as many as the evening's free hour and a half holds.
    assert (counts.first, counts.last) == (2, 12)


def test_calendar_queries_are_fixed(evenings, owner_client, frozen, queries_do_not_grow):
    def add_calls(first: int, last: int):
        for n in range(first, last):
            prospect = new_prospect(evenings, f"P{n}", at=NOW)
            services.book(
                evenings,
                prospect=prospect,
                start=EVENING + timedelta(days=n % 7, minutes=30 * (n // 7)),
                now=NOW,
            )

    add_calls(0, 1)
    counts = queries_do_not_grow(
        lambda: owner_client.get(reverse("bookings:calendar")).content.decode().count("card-link"),
        lambda: add_calls(1, 14),
    )
    assert (counts.few, counts.many) == (SIGNED_IN + 5, SIGNED_IN + 5)
    # The phone's day list shows today (Wednesday): its two calls, each with its card.
    assert (counts.first, counts.last) == (1, 2)
