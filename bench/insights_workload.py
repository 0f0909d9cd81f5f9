"""The insights benchmark's heavy account (bench/insights.py builds it in a worker process with
Django set up): bench/generate.py's five-year ledger and bench/prospects.py's 25,000 prospects,
plus what the insights pages read beyond them, written in bulk. Deterministic (fixed seed) but
for the instants it is built at: its last day is yesterday.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

from bench import generate

EMAIL = "insights-heavy@bench.invalid"
ENTRIES = 1_000_000
APPOINTMENTS = 12_000


def _prospecting_skips(user, today) -> int:
    """A skipped prospecting evening every three weeks over the last two years."""
    from mainthing.routine import services as routine
    from mainthing.routine.models import Block

    block = Block.objects.get(user=user, label="Prospecting")
    days = [today - timedelta(days=7 * week + 2) for week in range(0, 104, 3)]
    for day in days:
        routine.set_exception(block, day=day, today=day)
    return len(days)


def _calls(user, tz, today, rng) -> int:
    """Calls over the five years up to APPOINTMENTS in all: four an evening in the prospecting
    block and some at lunchtime, 78% completed, 10% no-shows, 12% cancelled, each with a
    prospect added before it (once there are any); the next 14 evenings half booked. Booked
    three days before they were held."""
    import bisect
    from datetime import time as clock

    from django.db.models import F
    from django.utils import timezone

    from mainthing.bookings.models import Appointment
    from mainthing.core import timekit
    from mainthing.prospects.models import Prospect

    people = sorted(Prospect.objects.filter(user=user).values_list("created_at", "pk", "name"))
    added = [p[0] for p in people]
    have = Appointment.objects.filter(user=user).count()
    slots = []
    for offset in range(1, generate.DAYS + 1):
        day = today - timedelta(days=offset)
        for hour, minute in ((19, 0), (19, 30), (20, 0), (20, 30), (12, 30), (13, 0), (13, 30)):
            wall = clock(hour, minute)
            slots.append(timekit.localize(datetime.combine(day, wall), tz))
    ahead = [
        timekit.localize(datetime.combine(today + timedelta(days=d), clock(hour)), tz)
        for d in range(1, 15)
        for hour in (19, 20)
    ]
    past = sorted(rng.sample(slots, min(len(slots), APPOINTMENTS - have - len(ahead))))
    rows = []
    for start in past + ahead:
        known = bisect.bisect_left(added, start - timedelta(days=1))
        _, pk, name = people[rng.randrange(known)] if known else (None, None, "Walk-in")
        draw = rng.random()
        status = "completed" if draw < 0.78 else "no_show" if draw < 0.88 else "cancelled"
        rows.append(
            Appointment(
                user=user,
                prospect_id=pk,
                prospect_name=name,
                start=start,
                end=start + timedelta(minutes=30),
                status=status if start < timezone.now() else "scheduled",
                outside_blocks=start.astimezone(tz).hour < 19,
            )
        )
    Appointment.objects.bulk_create(rows, batch_size=2000)
    Appointment.objects.filter(user=user, start__lt=timezone.now()).update(
        created_at=F("start") - timedelta(days=3)
    )
    return Appointment.objects.filter(user=user).count()


def _call_queue(user, tz, today, rng) -> int:
    """A year of call-queue sessions, weekday evenings: 20 dials each, a third answered."""
    from mainthing.calls.models import CallAttempt, CallSession
    from mainthing.core import timekit
    from mainthing.prospects.models import Prospect

    ids = list(Prospect.objects.filter(user=user).values_list("pk", flat=True)[:8000])
    sessions = []
    for offset in range(1, 366):
        day = today - timedelta(days=offset)
        if day.weekday() < 5:
            start = timekit.localize(datetime.combine(day, generate.PROSPECTING.start), tz)
            sessions.append(
                CallSession(
                    user=user,
                    started_at=start,
                    last_seen_at=start + timedelta(minutes=50),
                    ended_at=start + timedelta(minutes=52),
                )
            )
    CallSession.objects.bulk_create(sessions, batch_size=2000)
    outcomes = ("no_answer",) * 9 + ("message",) * 3 + ("talked",) * 4 + ("booked", "declined")
    dials = [
        CallAttempt(
            user=user,
            session=session,
            prospect_id=rng.choice(ids),
            outcome=rng.choice(outcomes),
            started_at=session.started_at + timedelta(seconds=150 * k),
            ended_at=session.started_at + timedelta(seconds=150 * k + 40),
        )
        for session in CallSession.objects.filter(user=user)
        for k in range(20)
    ]
    CallAttempt.objects.bulk_create(dials, batch_size=2000)
    return len(dials)


def _money(user, today, rng) -> dict:
    """Income in two currencies, spend on the paid sources, call-back requests."""
    from decimal import Decimal

    from django.utils import timezone

    from mainthing.bookings.models import CallbackRequest
    from mainthing.prospects.models import Income, LeadSource, Prospect, Spend

    income = [
        Income(
            user=user,
            date=changed.date(),
            amount=Decimal(rng.choice((199, 249, 299))),
            currency="EUR" if rng.random() < 0.1 else "USD",
            kind="enrollment",
            prospect_id=pk,
        )
        for pk, changed in Prospect.objects.filter(
            user=user, stage__in=("joined", "affiliate_joined")
        ).values_list("pk", "stage_changed_at")
    ]
    for offset in range(1, generate.DAYS + 1):
        day = today - timedelta(days=offset)
        if offset % 3 == 0:
            income.append(Income(user=user, date=day, amount=Decimal(49), currency="USD",
                                 kind="product"))  # fmt: skip
        if offset % 10 == 0:
            income.append(Income(user=user, date=day, amount=Decimal(39), currency="EUR",
                                 kind="product"))  # fmt: skip
        if day.day == 15:
            income.append(Income(user=user, date=day, amount=Decimal(120), currency="USD",
                                 kind="affiliate"))  # fmt: skip
    Income.objects.bulk_create(income, batch_size=2000)
    paid = list(
        LeadSource.objects.filter(
            user=user,
            campaign__in=("Facebook ads: moms", "Google ads: extra income", "TikTok series"),
        )
    )
    spend = [
        Spend(
            user=user,
            source=source,
            date=today - timedelta(days=offset),
            amount=Decimal(rng.randint(5, 30)),
        )
        for offset in range(1, 3 * 365 + 1)
        for source in paid
        if source.campaign != "TikTok series" or offset % 7 == 0
    ]
    Spend.objects.bulk_create(spend, batch_size=2000)
    sources = list(LeadSource.objects.filter(user=user))
    now = timezone.now()
    callbacks = [
        CallbackRequest(
            user=user,
            source=rng.choice(sources),
            created_at=now - timedelta(days=offset, minutes=rng.randint(0, 600)),
        )
        for offset in range(1, 2 * 365, 2)
    ]
    CallbackRequest.objects.bulk_create(callbacks, batch_size=2000)
    return {"income": len(income), "spend": len(spend), "callbacks": len(callbacks)}


def _day_counters(user, tz) -> str:
    """The day totals' conversations, pre-scheduled conversations and IGA overrides, counted
    from the entries by the rules of activity.services when the generator left them at zero;
    the pre-scheduled are the day's completed calls (at most its conversations)."""
    from collections import Counter, defaultdict

    from django.db import connection
    from django.db.models import Q

    from mainthing.activity import services
    from mainthing.activity.models import Activity, DayTotal
    from mainthing.bookings.models import Appointment
    from mainthing.core import timekit
    from mainthing.core.enums import Tier

    if DayTotal.objects.filter(user=user).filter(Q(conversations__gt=0) | Q(overrides__gt=0)):
        return "counted by bench/generate.py"
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rows = (
        Activity.objects.filter(user=user, end__isnull=False)
        .filter(Q(category__tier=Tier.INCOME) | Q(iga_override=True))
        .values_list("start", "seconds", "category_id", "category__tier", "origin", "iga_override")
        .iterator(chunk_size=20_000)
    )
    for start, seconds, category_id, tier, origin, override in rows:
        row = counts[(timekit.local_date(start, tz), category_id)]
        if tier == Tier.INCOME and (
            seconds >= services.CONVERSATION_MIN_SECONDS or origin == "appointment"
        ):
            row[0] += 1
        if override:
            row[2] += 1
            row[3] += seconds
    held = Counter(
        timekit.local_date(start, tz)
        for start in Appointment.objects.filter(user=user, status="completed").values_list(
            "start", flat=True
        )
    )
    busiest: dict = {}
    for (day, category_id), row in counts.items():
        if row[0] > counts.get((day, busiest.get(day)), [0])[0]:
            busiest[day] = category_id
    for day, category_id in busiest.items():
        row = counts[(day, category_id)]
        row[1] = min(held[day], row[0])
    ids = {
        (day, category_id): pk
        for pk, day, category_id in DayTotal.objects.filter(user=user).values_list(
            "pk", "day", "category_id"
        )
    }
    table = DayTotal._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET conversations = %s, prescheduled = %s, overrides = %s, "
            "override_seconds = %s WHERE id = %s",
            [(*row, ids[key]) for key, row in counts.items() if key in ids],
        )
    return "counted here from the entries"


def build(entries: int = ENTRIES) -> dict:
    """Builds the heavy account in an empty, migrated database; returns what it holds."""
    from decimal import Decimal

    from django.db import connection, transaction

    from bench import prospects
    from mainthing.core import timekit
    from mainthing.insights.models import InsightSettings
    from mainthing.prospects.models import Prospect

    began = time.perf_counter()
    rng = random.Random(12)
    user = generate.create_bench_user(EMAIL)
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(datetime.now(tz), tz)
    last_day = today - timedelta(days=1)
    written, timings = generate.write_ledger(
        user, generate.plan_entries(entries, last_day=last_day)
    )
    made = prospects.make_workload(EMAIL, user=user)
    with transaction.atomic():
        skips = _prospecting_skips(user, today)
        calls = _calls(user, tz, today, rng)
        counters = _day_counters(user, tz)
        dials = _call_queue(user, tz, today, rng)
        money = _money(user, today, rng)
        InsightSettings.objects.update_or_create(
            user=user,
            defaults={"income_goal": Decimal(6000), "income_per_join": Decimal(250),
                      "review_weekday": 0},
        )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would after a bulk load
    return {
        "entries": written,
        "day_totals": timings["day_totals"],
        "day_counters": counters,
        "prospects": Prospect.objects.filter(user=user).count(),
        "prospects_s": made["generate_s"],
        "appointments": calls,
        "dials": dials,
        "skipped_evenings": skips,
        **money,
        "last_day": last_day.isoformat(),
        "build_s": round(time.perf_counter() - began, 1),
    }
