"""Real threads, real connections: the database keeps bookings from colliding.

200 attempts are made by 40 threads released together (each with its own connection, five
attempts each), so the test fits PostgreSQL's default 100 connections beside a parallel run.
"""

import random
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection

from mainthing.bookings import services
from mainthing.bookings.models import Appointment
from mainthing.routine import services as routine_services
from tests.factories import UserFactory

THREADS = 40
ATTEMPTS_EACH = 5
NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
FIRST_SLOT = datetime(2026, 6, 11, 14, 0, tzinfo=UTC)


def race(user, requests: list[tuple[datetime, int]]) -> dict[str, int]:
    barrier = threading.Barrier(THREADS)
    counts = {"booked": 0, "taken": 0, "errors": 0}
    errors: list[str] = []
    lock = threading.Lock()
    chunks = [requests[i::THREADS] for i in range(THREADS)]

    def worker(mine):
        try:
            barrier.wait()
            for start, minutes in mine:
                try:
                    services.book(
                        user, prospect_name="Racer", start=start, minutes=minutes, now=NOW
                    )
                    outcome = "booked"
                except services.SlotTaken:
                    outcome = "taken"
                except Exception as error:  # any other error is what this test hunts
                    outcome = "errors"
                    errors.append(repr(error))
                with lock:
                    counts[outcome] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return counts


def overlapping_pairs(user) -> int:
    rows = list(Appointment.objects.filter(user=user).exclude(status="cancelled").order_by("start"))
    return sum(
        1 for i, a in enumerate(rows) for b in rows[i + 1 :] if a.start < b.end and b.start < a.end
    )


@pytest.fixture
def racer(transactional_db):
    user = UserFactory(email="racer@example.com", time_zone="UTC")
    routine_services.add_block(
        user, tier="income", days="daily", start=time(14), end=time(19), today=date(2026, 6, 10)
    )
    return user


def test_200_attempts_at_10_slots_book_exactly_10(racer):
    slots = [FIRST_SLOT + timedelta(minutes=30 * i) for i in range(10)]
    requests = [(slots[i % 10], 30) for i in range(THREADS * ATTEMPTS_EACH)]
    random.Random(7).shuffle(requests)
    counts = race(racer, requests)
    assert counts == {"booked": 10, "taken": 190, "errors": 0}
    assert Appointment.objects.filter(user=racer).count() == 10
    assert overlapping_pairs(racer) == 0


def test_overlapping_requests_of_different_lengths_never_overlap(racer):
    rng = random.Random(11)
    requests = [
        (FIRST_SLOT + timedelta(minutes=15 * rng.randrange(0, 16)), rng.choice([30, 45, 60]))
        for _ in range(THREADS * ATTEMPTS_EACH)
    ]
    counts = race(racer, requests)
    assert counts["errors"] == 0
    assert counts["booked"] + counts["taken"] == 200
    assert overlapping_pairs(racer) == 0


def test_cancelled_slot_can_be_booked_again(racer):
    first = services.book(racer, prospect_name="Ann", start=FIRST_SLOT, now=NOW)
    with pytest.raises(services.SlotTaken):
        services.book(racer, prospect_name="Bob", start=FIRST_SLOT, now=NOW)
    services.cancel(first, now=NOW)
    again = services.book(racer, prospect_name="Bob", start=FIRST_SLOT, now=NOW)
    assert (again.prospect_name, Appointment.objects.filter(user=racer).count()) == ("Bob", 2)


def test_database_refuses_a_second_active_appointment_at_the_same_start(racer):
    from django.db import IntegrityError, transaction

    services.book(racer, prospect_name="Ann", start=FIRST_SLOT, now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            user=racer,
            prospect_name="Sneaky",
            start=FIRST_SLOT,
            end=FIRST_SLOT + timedelta(minutes=15),
        )


def test_postgresql_refuses_overlapping_ranges_itself(racer):
    from django.db import IntegrityError, transaction

    if connection.vendor != "postgresql":
        pytest.skip("exclusion constraints exist on PostgreSQL only")
    services.book(racer, prospect_name="Ann", start=FIRST_SLOT, now=NOW, minutes=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            user=racer,
            prospect_name="Sneaky",
            start=FIRST_SLOT + timedelta(minutes=15),
            end=FIRST_SLOT + timedelta(minutes=45),
        )
