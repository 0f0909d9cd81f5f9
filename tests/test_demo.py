from collections import Counter, defaultdict
from datetime import UTC, datetime, time
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError

from mainthing.accounts.models import User
from mainthing.activity import services
from mainthing.activity.models import Activity, DayTotal
from mainthing.bookings.models import Appointment
from mainthing.core import timekit
from mainthing.demo import ZONE, create_demo_account
from mainthing.routine.models import Block

# A Wednesday evening in Chicago, after the prospecting block; the 60 days before it include
# the fall-back night of 2026-11-01.
NOW = datetime(2026, 11, 26, 3, 30, tzinfo=UTC)


def ledger(user) -> list[tuple]:
    return list(
        Activity.objects.filter(user=user)
        .order_by("start")
        .values_list(
            "category__name", "start", "end", "seconds", "note", "prospect_name", "iga_override"
        )
    )


def test_demo_account_has_a_profile_and_sixty_days_of_the_discipline(db):
    user = create_demo_account(email="demo@example.com", now=NOW)

    user.refresh_from_db()
    assert (user.name, user.time_zone) == ("Jordan Reyes", ZONE)
    blocks = {(b.tier, b.weekdays, b.start, b.end) for b in Block.objects.filter(user=user)}
    assert blocks == {
        ("income", "1111110", time(19, 0), time(21, 0)),
        ("leadgen", "1111100", time(8, 30), time(11, 30)),
    }
    assert (user.goal_iga_minutes, user.goal_conversations) == (90, 3)
    assert not user.has_usable_password()
    tz = timekit.zone(ZONE)
    entries = list(Activity.objects.filter(user=user).select_related("category"))
    days = {timekit.local_date(e.start, tz) for e in entries}
    assert len(days) == 60
    tiers = Counter(e.category.tier for e in entries)
    assert set(tiers) == {"income", "leadgen", "other"}
    calls = [e for e in entries if e.category.tier == "income"]
    assert all(e.prospect_name for e in calls)
    assert all(time(19, 0) <= e.start.astimezone(tz).time() < time(21, 0) for e in calls), (
        "calls happen in the prospecting block"
    )
    overrides = [e for e in entries if e.iga_override]
    assert 1 <= len(overrides) <= 15
    assert {e.category.tier for e in overrides} == {"other"}
    assert all(services.is_prospecting_time(user, e.start) for e in overrides)
    assert all(e.end <= NOW for e in entries)


def test_demo_weekends_are_lighter_than_weekdays(db):
    user = create_demo_account(email="demo@example.com", now=NOW)

    tz = timekit.zone(ZONE)
    per_day = Counter(timekit.local_date(e.start, tz) for e in Activity.objects.filter(user=user))
    weekday = [n for day, n in per_day.items() if day.weekday() < 5]
    sunday = [n for day, n in per_day.items() if day.weekday() == 6]
    assert min(weekday) > max(sunday)


def test_demo_entries_never_overlap(db):
    user = create_demo_account(email="demo@example.com", days=120, now=NOW)

    rows = ledger(user)
    assert all(a[2] <= b[1] for a, b in pairwise(rows))


def test_demo_day_totals_match_its_entries(db):
    user = create_demo_account(email="demo@example.com", now=NOW)

    tz = timekit.zone(ZONE)
    expected: dict = defaultdict(lambda: [0, 0])
    for e in Activity.objects.filter(user=user):
        for index, (day, seconds) in enumerate(timekit.split_by_local_day(e.start, e.end, tz)):
            expected[(day, e.category_id)][0] += seconds
            expected[(day, e.category_id)][1] += index == 0
    actual = {
        (t.day, t.category_id): [t.seconds, t.entries] for t in DayTotal.objects.filter(user=user)
    }
    assert actual == dict(expected)
    assert sum(s for s, _ in actual.values()) == sum(r[3] for r in ledger(user))


def test_demo_is_deterministic_for_the_same_clock(db):
    first = create_demo_account(email="one@example.com", now=NOW)
    second = create_demo_account(email="two@example.com", now=NOW)

    assert ledger(first) == ledger(second)
    assert len(ledger(first)) > 200


def test_demo_with_a_password_can_sign_in(db):
    user = create_demo_account(email="demo@example.com", password="demo-password-1", now=NOW)

    assert user.check_password("demo-password-1")
    assert user.category_set.count() == 12


def test_demo_refuses_an_email_that_is_taken_and_writes_nothing(db):
    create_demo_account(email="demo@example.com", days=3, now=NOW)

    with pytest.raises(ValidationError, match="already an account with the email"):
        create_demo_account(email="Demo@Example.com", days=3, now=NOW)

    assert User.objects.count() == 1


def test_demo_refuses_a_weak_password_and_writes_nothing(db):
    with pytest.raises(ValidationError):
        create_demo_account(email="demo@example.com", password="short", now=NOW)

    assert User.objects.count() == 0
    assert Activity.objects.count() == 0


def test_demo_books_calls_in_the_coming_evening_blocks(db):
    user = create_demo_account(email="demo@example.com", now=NOW)

    tz = timekit.zone(ZONE)
    calls = list(Appointment.objects.filter(user=user, status="scheduled"))
    # Wednesday's block is over at 21:30; Thursday and Friday evenings have calls.
    assert {timekit.local_date(a.start, tz).isoformat() for a in calls} == {
        "2026-11-26",
        "2026-11-27",
    }
    assert all(a.start > NOW and not a.outside_blocks and a.status == "scheduled" for a in calls)
    assert all(a.prospect_name for a in calls)


def test_demo_past_calls_were_mostly_booked_ahead(db):
    user = create_demo_account(email="demo@example.com", days=30, now=NOW)

    held = list(
        Appointment.objects.filter(user=user, status="completed").select_related("activity")
    )
    calls = Activity.objects.filter(user=user, category__name="Prospect call").exclude(
        prospect_name=""
    )
    assert 0.6 * calls.count() <= len(held) < calls.count()
    for appointment in held:
        assert appointment.activity.start == appointment.start
        assert appointment.activity.prospect_name == appointment.prospect_name
        assert appointment.created_at < appointment.start
