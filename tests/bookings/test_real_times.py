"""A completed call shows and takes up the time it really took, everywhere: its card, the
calendar, the feed and the free slots; the booked time is kept beside it."""

import html
import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from mainthing.bookings import feeds, queries, services
from mainthing.bookings.models import Appointment
from mainthing.portability import export_user, restore_user
from mainthing.routine import services as routine_services
from tests.factories import UserFactory

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
BOOKED = datetime(2026, 6, 10, 19, 0, tzinfo=UTC)  # 20:00-20:30 in London (BST)
HELD = datetime(2026, 6, 10, 18, 15, tzinfo=UTC)  # really 19:15-19:30
AFTER = datetime(2026, 6, 10, 21, 0, tzinfo=UTC)
DASH = "\N{EN DASH}"


@pytest.fixture
def evenings(owner):
    routine_services.add_block(
        owner, tier="income", days="daily", start=time(19), end=time(21), today=date(2026, 6, 10)
    )
    return owner


@pytest.fixture
def held_early(evenings):
    ann = services.book(evenings, prospect_name="Ann Lee", start=BOOKED, now=NOW)
    services.complete(ann, now=AFTER, start=HELD, minutes=15)
    ann.refresh_from_db()
    return ann


def test_completing_at_other_times_moves_the_call_and_keeps_the_booked_time(held_early):
    assert (held_early.start, held_early.end, held_early.minutes) == (
        HELD,
        HELD + timedelta(minutes=15),
        15,
    )
    assert (held_early.booked_start, held_early.booked_end, held_early.sequence) == (
        BOOKED,
        BOOKED + timedelta(minutes=30),
        1,
    )


def test_a_call_held_at_its_booked_time_keeps_no_second_time(evenings):
    ann = services.book(evenings, prospect_name="Ann Lee", start=BOOKED, now=NOW)
    services.complete(ann, now=AFTER)
    ann.refresh_from_db()
    assert (ann.start, ann.booked_start, ann.held_at_other_times) == (BOOKED, None, False)


def test_the_booked_slot_is_free_again_and_the_real_time_is_taken(held_early, evenings):
    slots = queries.free_slots(evenings, HELD - timedelta(minutes=15), AFTER, minutes=15, now=NOW)
    starts = {start for start, _ in slots}
    assert BOOKED in starts
    assert HELD not in starts
    assert queries.booked_intervals(evenings, HELD, AFTER) == [(HELD, HELD + timedelta(minutes=15))]


def test_the_card_and_the_calendar_show_the_real_time(held_early, owner_client, frozen):
    frozen.move_to(AFTER)
    card = owner_client.get(reverse("bookings:appointment", args=[held_early.pk])).content.decode()
    week = html.unescape(
        owner_client.get(reverse("bookings:calendar") + "?week=2026-06-10").content.decode()
    )

    assert f"19:15{DASH}19:30" in card
    assert f"it was booked for Wednesday 10 June, 20:00{DASH}20:30" in card
    assert f"19:15{DASH}19:30 Ann Lee" in week
    assert f"20:00{DASH}20:30 Ann Lee" not in week


def test_the_feed_shows_the_real_time_with_a_new_sequence(held_early, evenings, client, frozen):
    frozen.move_to(AFTER)
    raw = feeds.rotate_feed_token(evenings)

    body = client.get(f"/feeds/{raw}.ics").content

    event = next(
        e
        for e in Calendar.from_ical(body).walk("VEVENT")
        if str(e["UID"]) == f"appointment-{held_early.pk}@mainthing"
    )
    assert (event.decoded("DTSTART"), event.decoded("DTEND"), int(event["SEQUENCE"])) == (
        HELD,
        HELD + timedelta(minutes=15),
        1,
    )


def test_a_call_that_ran_into_the_next_booking_can_be_completed(evenings):
    ann = services.book(evenings, prospect_name="Ann", start=BOOKED, now=NOW)
    bob = services.book(
        evenings, prospect_name="Bob", start=BOOKED + timedelta(minutes=30), now=NOW
    )

    # Ann's call ran 15 minutes into Bob's booked time; that is what happened, so it is kept.
    services.complete(ann, now=AFTER, minutes=45)

    ann.refresh_from_db()
    assert (ann.status, ann.end) == ("completed", BOOKED + timedelta(minutes=45))
    assert Appointment.objects.get(pk=bob.pk).status == "scheduled"


def test_export_and_restore_keep_the_booked_time(held_early, evenings, tmp_path, db):
    path = tmp_path / "export.json"
    export_user(evenings, path)
    fresh = UserFactory(time_zone=evenings.time_zone)

    restore_user(fresh, path)

    copy = Appointment.objects.get(user=fresh)
    assert (copy.start, copy.end, copy.booked_start, copy.booked_end) == (
        held_early.start,
        held_early.end,
        held_early.booked_start,
        held_early.booked_end,
    )


def test_restoring_a_file_from_before_real_times_moves_a_completed_call_to_its_entry(
    held_early, evenings, tmp_path, db
):
    """A file written before completed calls kept their real time holds the call at its booked
    time with no booked_start; its entry says when it was held, and the restore believes it."""
    path = tmp_path / "export.json"
    export_user(evenings, path)
    data = json.loads(path.read_text())
    (call,) = data["appointments"]
    call["start"], call["end"] = call.pop("booked_start"), call.pop("booked_end")
    path.write_text(json.dumps(data))
    fresh = UserFactory(time_zone=evenings.time_zone)

    restore_user(fresh, path)

    copy = Appointment.objects.get(user=fresh)
    assert (copy.start, copy.end, copy.booked_start, copy.booked_end) == (
        HELD,
        HELD + timedelta(minutes=15),
        BOOKED,
        BOOKED + timedelta(minutes=30),
    )
