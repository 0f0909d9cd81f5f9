"""Migration 0008 moves calls completed before 0006 to the time their income entry says they
really took, keeping the booked time beside it, as completing a call does now."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.migrating import migrate

BEFORE = "0007_booking_page"
BOOKED = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)


@pytest.fixture
def at_0007(transactional_db):
    yield migrate("bookings", BEFORE)
    migrate("bookings")


def test_calls_completed_before_the_upgrade_move_to_their_real_time(at_0007):
    apps = at_0007
    User = apps.get_model("accounts", "User")
    Category = apps.get_model("activity", "Category")
    Activity = apps.get_model("activity", "Activity")
    Appointment = apps.get_model("bookings", "Appointment")
    dana = User.objects.create(email="dana@example.com", time_zone="Europe/London")
    calls = Category.objects.create(user=dana, name="Prospect call", tier="income")

    def call(start, minutes, status, real=None):
        entry = None
        if real is not None:
            entry = Activity.objects.create(
                user=dana, category=calls, start=real[0], end=real[1],
                seconds=int((real[1] - real[0]).total_seconds()), origin="appointment",
            )  # fmt: skip
        return Appointment.objects.create(
            user=dana, prospect_name="Ann Lee", start=start,
            end=start + timedelta(minutes=minutes), status=status, activity=entry,
        )  # fmt: skip

    # Booked 18:00-18:30, really held 18:15-18:30 (the card said 18:00-18:30 until now).
    early = (BOOKED + timedelta(minutes=15), BOOKED + timedelta(minutes=30))
    moved = call(BOOKED, 30, "completed", real=early)
    hour = BOOKED + timedelta(hours=1)
    on_time = call(hour, 30, "completed", real=(hour, hour + timedelta(minutes=30)))
    ahead = call(BOOKED + timedelta(days=1), 30, "scheduled")
    missed = call(BOOKED + timedelta(days=2), 30, "no_show")

    apps = migrate("bookings")

    Appointment = apps.get_model("bookings", "Appointment")
    rows = {a.pk: (a.start, a.end, a.booked_start, a.booked_end) for a in Appointment.objects.all()}
    assert rows[moved.pk] == (*early, BOOKED, BOOKED + timedelta(minutes=30))
    for kept in (on_time, ahead, missed):
        assert rows[kept.pk] == (kept.start, kept.end, None, None)
