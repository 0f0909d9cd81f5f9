from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError

from mainthing.accounts.models import User
from mainthing.activity import services
from mainthing.activity.models import Activity, DayTotal
from mainthing.bookings.models import (
    Appointment,
    BookingPage,
    CallbackRequest,
    Change,
    Mail,
    Reminder,
)
from mainthing.core import timekit
from mainthing.demo import ZONE, create_demo_account
from mainthing.prospects.models import (
    Event,
    Income,
    LeadSource,
    Prospect,
    ProspectTime,
    Spend,
    Stage,
)
from mainthing.routine.models import Block
from tests.recount import recount, stored

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


def test_demo_counts_its_conversations_booked_calls_and_overrides(db):
    user = create_demo_account(email="demo@example.com", now=NOW)

    counted = recount(user)
    held = Appointment.objects.filter(user=user, status="completed", activity__isnull=False)
    assert stored(user) == counted
    # Every completed call's entry is a pre-scheduled conversation, as a real completion's is.
    assert sum(row[3] for row in counted.values()) == held.count() > 0
    assert sum(row[4] for row in counted.values()) > 0


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
    calls = list(Appointment.objects.filter(user=user, status="scheduled", made_via="manual"))
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


def prospects(user) -> list[tuple]:
    return list(
        Prospect.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values_list(
            "name", "email", "phone", "source__key", "stage", "follow_up_on", "tags", "created_at"
        )
    )


def test_demo_prospects_come_from_named_sources_and_sit_in_every_stage(db):
    user = create_demo_account(email="demo@example.com", now=NOW)

    rows = Prospect.objects.filter(user=user).select_related("source__category")
    # Sixty, and four more who came through the booking page.
    assert rows.count() == 64
    assert {p.stage for p in rows} == set(Stage.values)
    assert {s.label for s in LeadSource.objects.filter(user=user, archived=False)} == {
        "Forum posts / Signature on the MLM forum",
        "Video posts / YouTube channel",
        "PPC campaigns / Ad set 3",
        "Social networking / Facebook group",
        "Unknown",
    }
    assert {p.source.category.tier for p in rows if p.source.category} == {"leadgen"}
    assert all(p.phone == "" or p.phone.startswith("+") for p in rows), "phones are E.164"
    # The affiliate path runs through "declined": its history says so.
    joined = rows.filter(stage="affiliate_joined").first()
    path = list(
        Event.objects.filter(prospect=joined, kind="stage")
        .order_by("at", "pk")
        .values_list("to_stage", flat=True)
    )
    assert path == [
        "contacted",
        "booked",
        "presented",
        "declined",
        "affiliate_offered",
        "affiliate_joined",
    ]


def test_demo_follow_ups_are_due_today_missed_earlier_and_ahead(db):
    user = create_demo_account(email="demo@example.com", now=NOW)

    today = timekit.local_date(NOW, timekit.zone(ZONE))
    dates = [p.follow_up_on for p in Prospect.objects.filter(user=user, follow_up_on__isnull=False)]
    assert today == date(2026, 11, 25)
    assert sum(d == today for d in dates) >= 3
    assert sum(d < today for d in dates) >= 3, "missed ones roll forward to today"
    assert sum(d > today for d in dates) >= 3
    assert not Prospect.objects.filter(
        user=user, stage__in=["joined", "affiliate_joined"], follow_up_on__isnull=False
    ).exists()


def test_demo_calls_and_appointments_are_linked_to_prospects(db):
    user = create_demo_account(email="demo@example.com", now=NOW)

    calls = Activity.objects.filter(user=user, category__tier="income")
    linked = ProspectTime.objects.filter(prospect__user=user).select_related("prospect")
    assert linked.count() == calls.count()
    assert all(link.activity.prospect_name == link.prospect.name for link in linked)
    appointments = Appointment.objects.filter(user=user).select_related("prospect")
    assert all(a.prospect and a.prospect.name == a.prospect_name for a in appointments)
    upcoming = [a.prospect.stage for a in appointments if a.status == "scheduled"]
    assert upcoming == ["booked"] * 8
    for prospect in Prospect.objects.filter(user=user, time_links__isnull=False).distinct():
        first_call = prospect.time_links.order_by("activity__start").first().activity.start
        assert prospect.created_at < first_call


def test_demo_has_spend_on_the_ppc_source_and_income_of_every_kind(db):
    user = create_demo_account(email="demo@example.com", now=NOW)

    today = timekit.local_date(NOW, timekit.zone(ZONE))
    spend = Spend.objects.filter(user=user).select_related("source")
    assert {s.source.key for s in spend} == {"ad-set-3", "ad-set-1"}
    assert {s.date.weekday() for s in spend if s.source.key == "ad-set-3"} == {1, 3}
    assert LeadSource.objects.get(user=user, key="ad-set-1").archived is True
    income = list(Income.objects.filter(user=user).select_related("prospect"))
    assert {i.kind for i in income} == {"enrollment", "product", "affiliate", "other"}
    assert all(i.date <= today and i.currency == "USD" for i in income)
    assert {i.prospect.stage for i in income if i.kind == "enrollment"} == {"joined"}
    assert {i.prospect.stage for i in income if i.kind == "affiliate"} == {"affiliate_joined"}


def test_demo_prospects_and_money_are_deterministic(db):
    first = create_demo_account(email="one@example.com", now=NOW)
    second = create_demo_account(email="two@example.com", now=NOW)

    assert prospects(first) == prospects(second)
    assert list(Income.objects.filter(user=first).values_list("date", "amount", "kind")) == list(
        Income.objects.filter(user=second).values_list("date", "amount", "kind")
    )


def test_demo_has_a_booking_page_named_after_the_demo_with_two_call_lengths(db):
    user = create_demo_account(email="demo@example.com", days=7, now=NOW)
    other = create_demo_account(email="other@example.com", days=7, now=NOW)

    page = BookingPage.objects.get(user=user)
    assert (page.slug, page.enabled, page.length_list) == ("jordan-reyes", True, [15, 30])
    assert "from home" in page.intro
    assert page.default_source.key == "mlm-forum"
    assert BookingPage.objects.get(user=other).slug == "jordan-reyes-2", "a second demo's own"


def test_demo_coming_calls_through_the_page_are_offered_times_in_the_prospects_zones(db):
    user = create_demo_account(email="demo@example.com", days=7, now=NOW)

    tz = timekit.zone(ZONE)
    paged = (
        Appointment.objects.filter(user=user, made_via="booking_page", start__gt=NOW)
        .select_related("source", "prospect")
        .order_by("start")
    )
    rows = [
        (a.prospect_name, a.prospect_time_zone, a.source.key, a.minutes, a.prospect.stage)
        for a in paged
    ]
    assert rows == [
        ("Ananya Iyer", "Asia/Kolkata", "youtube", 30, "booked"),
        ("Rachel Adams", "America/New_York", "mlm-forum", 15, "booked"),
        ("Jack Wilson", "Australia/Sydney", "ad-set-3", 30, "booked"),
    ]
    assert all(not a.outside_blocks for a in paged), "inside the evening block"
    assert all(time(19) <= a.start.astimezone(tz).time() < time(21) for a in paged)
    # After the calls booked by hand (Thursday and Friday), one to an evening.
    days = [timekit.local_date(a.start, tz) for a in paged]
    assert days[0] > date(2026, 11, 27)
    assert len(set(days)) == 3
    ananya = paged[0].prospect
    assert (ananya.email, ananya.phone, ananya.source.key) == (
        "ananya.iyer@example.com",
        "+919876543210",
        "youtube",
    )


def test_demo_has_a_call_moved_by_its_prospect_with_its_history(db):
    user = create_demo_account(email="demo@example.com", days=7, now=NOW)

    call = Appointment.objects.get(user=user, prospect_name="Jack Wilson")
    history = [
        (c.kind, c.by, c.at, c.from_start, c.to_start)
        for c in Change.objects.filter(appointment=call)
    ]
    first = history[0][4]
    assert history == [
        ("booked", "prospect", NOW - timedelta(days=3), None, first),
        ("moved", "prospect", NOW - timedelta(days=1), first, call.start),
    ]
    assert call.start - first == timedelta(days=1)
    assert (call.status, call.sequence, call.created_at) == (
        "scheduled",
        1,
        NOW - timedelta(days=3),
    )


def test_demo_past_calls_have_their_booking_in_their_history_some_through_the_page(db):
    user = create_demo_account(email="demo@example.com", days=30, now=NOW)

    held = Appointment.objects.filter(user=user, status="completed").prefetch_related("changes")
    paged = [a for a in held if a.made_via == "booking_page"]
    assert 0.2 * held.count() <= len(paged) <= 0.6 * held.count()
    for call in held:
        [booked] = call.changes.all()
        by = "prospect" if call.made_via == "booking_page" else "user"
        assert (booked.kind, booked.by, booked.at, booked.to_start) == (
            "booked", by, call.created_at, call.start,
        )  # fmt: skip
    assert all(a.source_id == a.prospect.source_id and a.prospect_time_zone for a in paged)
    assert not any(a.source_id or a.prospect_time_zone for a in held if a.made_via == "manual")


def test_demo_has_a_call_back_request_and_queues_no_mail(db):
    user = create_demo_account(email="demo@example.com", days=7, now=NOW)

    [request] = CallbackRequest.objects.filter(user=user).select_related("prospect", "source")
    today = timekit.local_date(NOW, timekit.zone(ZONE))
    assert (request.prospect.name, request.prospect.phone, request.source.key) == (
        "Harry Evans",
        "+442079460999",
        "fb-group",
    )
    assert request.prospect.follow_up_on == today
    assert request.created_at == NOW - timedelta(hours=2)
    assert not Mail.objects.filter(user=user).exists(), "its people are made up"
    assert not Reminder.objects.filter(appointment__user=user).exists()
