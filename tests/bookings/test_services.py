from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from mainthing.activity.models import Activity
from mainthing.bookings import queries, services
from mainthing.bookings.models import Appointment, Status
from mainthing.routine import services as routine_services

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
EVENING = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # 19:00 in London (BST)


@pytest.fixture
def evenings(owner):
    routine_services.add_block(
        owner, tier="income", days="daily", start=time(19), end=time(21), today=date(2026, 6, 10)
    )
    return owner


def test_book_inside_a_prospecting_block(evenings):
    made = services.book(evenings, prospect_name="Ann Lee", start=EVENING, now=NOW)
    assert (made.minutes, made.status, made.outside_blocks, made.first_name) == (
        30,
        "scheduled",
        False,
        "Ann",
    )


def test_book_outside_blocks_asks_first_then_books_when_confirmed(evenings):
    morning = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    with pytest.raises(services.OutsideProspecting, match="outside your prospecting time"):
        services.book(evenings, prospect_name="Ann", start=morning, now=NOW)
    assert not Appointment.objects.exists()
    made = services.book(evenings, prospect_name="Ann", start=morning, now=NOW, allow_outside=True)
    assert made.outside_blocks is True


def test_appointment_running_past_the_block_end_is_outside(evenings):
    with pytest.raises(services.OutsideProspecting):
        services.book(
            evenings, prospect_name="Ann", start=EVENING + timedelta(minutes=105), now=NOW
        )


@pytest.mark.parametrize("minutes", [10, 121])
def test_length_must_be_15_to_120_minutes(evenings, minutes):
    with pytest.raises(ValidationError, match="15 to 120 minutes"):
        services.book(evenings, prospect_name="Ann", start=EVENING, minutes=minutes, now=NOW)


def test_booking_in_the_past_is_refused(evenings):
    with pytest.raises(ValidationError, match="has passed"):
        services.book(
            evenings, prospect_name="Ann", start=EVENING, now=EVENING + timedelta(hours=1)
        )


def test_overlapping_booking_is_taken(evenings):
    services.book(evenings, prospect_name="Ann", start=EVENING, minutes=60, now=NOW)
    with pytest.raises(services.SlotTaken, match="already booked"):
        services.book(evenings, prospect_name="Bob", start=EVENING + timedelta(minutes=30), now=NOW)


def test_move_checks_the_new_time_and_bumps_the_sequence(evenings):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    bob = services.book(
        evenings, prospect_name="Bob", start=EVENING + timedelta(minutes=60), now=NOW
    )
    with pytest.raises(services.SlotTaken):
        services.move(ann, start=bob.start, now=NOW)
    moved = services.move(ann, start=EVENING + timedelta(minutes=30), minutes=15, now=NOW)
    assert (moved.start, moved.minutes, moved.sequence) == (EVENING + timedelta(minutes=30), 15, 1)


def test_complete_records_one_income_entry_linked_to_the_call(evenings):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    entry = services.complete(
        ann, now=EVENING + timedelta(hours=1), start=EVENING + timedelta(minutes=5), minutes=40
    )
    ann.refresh_from_db()
    assert (ann.status, ann.activity_id) == (Status.COMPLETED, entry.pk)
    assert (entry.category.tier, entry.seconds, entry.prospect_name, entry.origin) == (
        "income",
        2400,
        "Ann",
        "appointment",
    )
    with pytest.raises(ValidationError, match="already completed"):
        services.complete(ann, now=EVENING + timedelta(hours=1))
    assert Activity.objects.filter(user=evenings).count() == 1


def test_complete_refuses_an_end_in_the_future_and_changes_nothing(evenings):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    with pytest.raises(ValidationError, match="future"):
        services.complete(ann, now=EVENING + timedelta(minutes=10))
    ann.refresh_from_db()
    assert (ann.status, Activity.objects.count()) == ("scheduled", 0)


def test_no_show_only_after_the_start(evenings):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    with pytest.raises(ValidationError, match="hasn't started"):
        services.mark_no_show(ann, now=NOW)
    assert services.mark_no_show(ann, now=EVENING + timedelta(minutes=10)).status == "no_show"


def test_cancel_frees_the_slot_but_not_a_completed_call(evenings):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    services.cancel(ann, now=NOW)
    assert (
        queries.free_slots(evenings, EVENING, EVENING + timedelta(hours=2), now=NOW)[0][0]
        == EVENING
    )
    bob = services.book(evenings, prospect_name="Bob", start=EVENING, now=NOW)
    services.complete(bob, now=EVENING + timedelta(hours=1))
    with pytest.raises(ValidationError, match="can't be cancelled"):
        services.cancel(bob, now=NOW)


def test_free_slots_skip_booked_time(evenings):
    services.book(evenings, prospect_name="Ann", start=EVENING + timedelta(minutes=30), now=NOW)
    found = queries.free_slots(evenings, EVENING, EVENING + timedelta(hours=2), now=NOW)
    assert [s.strftime("%H:%M") for s, _ in found] == ["18:00", "19:00", "19:30"]


def test_fill_signal_counts_the_window_and_prescribes_lead_gen(evenings):
    services.book(evenings, prospect_name="Ann", start=EVENING, minutes=60, now=NOW)
    signal = queries.fill_signal(evenings, now=NOW, days=3)
    # Three evenings of 2 h from now: 6 h; 1 h booked.
    assert (signal.window.block_seconds, signal.window.booked_seconds) == (6 * 3600, 3600)
    assert signal.below
    assert signal.missing == 7
    assert signal.prescription.starter is True
    assert [f.percent for _, f in signal.per_day[:2]] == [50, 0]


def test_now_next_shows_the_current_block_and_next_appointment(evenings):
    services.book(evenings, prospect_name="Ann", start=EVENING + timedelta(minutes=30), now=NOW)
    during = EVENING + timedelta(minutes=10)
    result = queries.now_next(evenings, now=during)
    assert (result.current_block.tier, result.next_appointment.prospect_name) == ("income", "Ann")
    assert [i["kind"] for i in result.agenda] == ["block", "appointment"]


def test_conversations_count_prescheduled_and_unscheduled_calls_apart(evenings):
    from tests.factories import entry

    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    services.complete(ann, now=EVENING + timedelta(hours=1))
    entry(evenings, "Follow-up call", EVENING + timedelta(hours=1), 20)  # an unplanned call
    entry(evenings, "Forum posts", EVENING - timedelta(hours=3), 30)  # not a conversation
    talks = queries.conversations(
        evenings, EVENING - timedelta(hours=12), EVENING + timedelta(hours=6)
    )
    assert (talks.total, talks.prescheduled, talks.unscheduled, talks.prescheduled_percent) == (
        2,
        1,
        1,
        50,
    )


def test_changing_the_users_zone_keeps_appointment_instants(evenings):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    evenings.time_zone = "Pacific/Auckland"
    evenings.save()
    ann.refresh_from_db()
    assert ann.start == EVENING
    assert services.local_start(ann).strftime("%Y-%m-%d %H:%M %Z") == "2026-06-11 06:00 NZST"
