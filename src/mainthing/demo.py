"""A realistic demo account (`mainthing demo`, `make demo`): the discipline as a steady marketer
lives it, for trying the product and for screenshots.

The days follow the discipline: email first, then lead generation through the morning (forum
posts every weekday, videos three days a week, PPC on Tuesdays and Thursdays, social
networking), busy work after lunch, and prospect calls in the 19:00-21:00 prospecting block,
which is the account's routine (Mon-Sat; lead generation Mon-Fri 08:30-11:30). Saturdays are
lighter, Sundays hold a weekly review; now and then busy work is started in the prospecting
block after the IGA question (an override). The coming evenings have a few calls booked. The
same `now` always gives the same account: the randomness comes from a fixed seed.

Sits above the apps, like onboarding and the CLI.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mainthing import onboarding
from mainthing.accounts import services as account_services
from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, Category, Origin
from mainthing.bookings import services as bookings
from mainthing.bookings.models import Appointment, Status
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.routine import services as routine_services

SEED = 1997
ZONE = "America/Chicago"
NAME = "Jordan Reyes"
PROSPECTING = (time(19, 0), time(21, 0))
ROUTINE = [
    (Tier.LEADGEN, "Mon-Fri", time(8, 30), time(11, 30), "Lead generation"),
    (Tier.INCOME, "Mon-Sat", *PROSPECTING, "Evening calls"),
]
CALL_SLOTS = [time(19, 0), time(19, 30), time(20, 0), time(20, 30)]
UPCOMING_DAYS = 3
PROSPECTS = (
    "Maria", "James", "Aisha", "Chen", "Sofia", "Liam", "Priya", "Noah", "Fatima", "Lucas",
    "Emma", "Mateo", "Olivia", "Hiroshi", "Grace", "Diego", "Amara", "Ethan", "Nadia", "Owen",
)  # fmt: skip
CALL_NOTES = (
    "", "Booked from forum signature", "Saw the video, wants details", "Asked about the comp "
    "plan", "Talk again after payday", "Wants to bring a spouse", "Ready to decide",
)  # fmt: skip
FORUM_NOTES = ("", "Answered two threads", "New thread: first 90 days", "Updated my signature")
VIDEO_NOTES = ("", "Recorded a 5-minute tip", "Edited and uploaded", "Replied to comments")


class DemoEntry(NamedTuple):
    category: str
    start: datetime
    end: datetime
    note: str = ""
    prospect_name: str = ""
    iga_override: bool = False
    origin: str = Origin.TIMER


class _Day:
    """Lays entries end to end from a wall-clock time, with small gaps: never an overlap."""

    def __init__(self, rng: random.Random, day: date, tz):
        self.rng, self.day, self.tz = rng, day, tz
        self.cursor: datetime | None = None
        self.entries: list[DemoEntry] = []

    def at(self, hour: int, minute: int = 0, *, jitter: int = 10) -> None:
        wall = datetime.combine(self.day, time(hour, minute))
        start = timekit.localize(wall, self.tz) + timedelta(minutes=self.rng.randint(0, jitter))
        self.cursor = max(start, self.cursor) if self.cursor else start

    def add(
        self, category: str, low: int, high: int, *, until: datetime | None = None, **fields
    ) -> None:
        end = self.cursor + timedelta(minutes=self.rng.randint(low, high))
        if until is not None:
            if self.cursor + timedelta(minutes=low) > until:
                return
            end = min(end, until)
        self.entries.append(DemoEntry(category, self.cursor, end, **fields))
        self.cursor = end + timedelta(minutes=self.rng.randint(2, 12))

    def call(self, *, until: datetime) -> None:
        roll = self.rng.random()
        kind = (
            "Prospect call" if roll < 0.55
            else "Follow-up call" if roll < 0.8
            else "Three-way call" if roll < 0.92
            else "Presentation"
        )  # fmt: skip
        self.add(
            kind, 15, 35 if kind != "Presentation" else 45, until=until,
            prospect_name=self.rng.choice(PROSPECTS), note=self.rng.choice(CALL_NOTES),
        )  # fmt: skip


def plan(*, days: int, now: datetime, zone: str = ZONE) -> list[DemoEntry]:
    """The demo's entries over the `days` local days ending today, all finished by `now`."""
    tz = timekit.zone(zone)
    rng = random.Random(SEED)
    today = timekit.local_date(now, tz)
    entries: list[DemoEntry] = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        entries += [e for e in _day(rng, day, tz) if e.end <= now]
    return entries


def _day(rng: random.Random, day: date, tz) -> list[DemoEntry]:
    d = _Day(rng, day, tz)
    weekday = day.weekday()
    if weekday < 5:
        d.at(8, 30)
        d.add("Email inbox", 10, 25, note="Inbox zero" if rng.random() < 0.3 else "")
        d.add("Forum posts", 35, 60, note=rng.choice(FORUM_NOTES))
        if weekday in (0, 2, 4):
            d.add("Video posts", 40, 75, note=rng.choice(VIDEO_NOTES))
        else:
            d.add("PPC campaigns", 20, 35, note="Adjusted bids")
        d.add("Social networking", 20, 45)
        d.at(13, 30)
        d.add(rng.choice(("Organizing", "Organizing", "Reading sales letters", "Web searches")),
              15, 40)  # fmt: skip
        if rng.random() < 0.5:
            d.add("Email inbox", 10, 20)
        _prospecting(rng, d, calls=rng.randint(2, 4))
    elif weekday == 5:
        d.at(10, 0)
        d.add("Forum posts", 25, 45, note=rng.choice(FORUM_NOTES))
        d.add("Social networking", 15, 30)
        _prospecting(rng, d, calls=rng.randint(0, 2))
    else:
        d.at(17, 0)
        d.add("Organizing", 20, 35, note="Weekly review", origin=Origin.MANUAL)
    return d.entries


def _prospecting(rng: random.Random, d: _Day, *, calls: int) -> None:
    if not calls:
        return
    d.at(PROSPECTING[0].hour, PROSPECTING[0].minute, jitter=5)
    until = timekit.localize(datetime.combine(d.day, PROSPECTING[1]), d.tz)
    override_after = rng.randrange(calls) if rng.random() < 0.15 else None
    for index in range(calls):
        d.call(until=until)
        if index == override_after:
            # Busy work in the prospecting block, started after the IGA question.
            d.add("Email inbox", 8, 15, until=until, iga_override=True)


@transaction.atomic
def create_demo_account(
    *, email: str, days: int = 60, password: str | None = None, now: datetime | None = None
) -> User:
    """Creates a user with a profile, a routine, `days` days of activity and a few calls
    booked in the coming evenings, and returns it.

    Without a password the account has an unusable one (reach it through the CLI). Raises
    ValidationError, writing nothing, when the email is taken or the password is too weak.
    Side effects: one user, its categories, blocks, entries, day totals and appointments.
    """
    now = now or timezone.now()
    if not 1 <= days <= 3650:
        raise ValidationError({"days": "A demo covers 1 to 3650 days."})
    email = account_services.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": f"There is already an account with the email {email}; pick another."}
        )
    if password:
        user = onboarding.create_account(email=email, password=password, time_zone=ZONE, name=NAME)
    else:
        user = User.objects.create_user(email, None, time_zone=ZONE, name=NAME)
        activity_services.set_up_default_categories(user)
    account_services.update_profile(
        user, goal_iga_minutes=90, goal_conversations=3, nudge_minutes=25
    )
    today = timekit.local_date(now, timekit.zone(ZONE))
    for tier, days_text, start, end, label in ROUTINE:
        routine_services.add_block(
            user, tier=tier, days=days_text, start=start, end=end, label=label, today=today
        )
    ids = dict(Category.objects.filter(user=user).values_list("name", "pk"))
    Activity.objects.bulk_create(
        Activity(
            user=user,
            category_id=ids[e.category],
            start=e.start,
            end=e.end,
            seconds=timekit.elapsed_seconds(e.start, e.end),
            note=e.note,
            prospect_name=e.prospect_name,
            origin=e.origin,
            iga_override=e.iga_override,
        )
        for e in plan(days=days, now=now)
    )
    activity_services.rebuild_day_totals(user)
    _book_past_calls(user)
    for name, start in upcoming_calls(now=now):
        bookings.book(user, prospect_name=name, start=start, minutes=30, now=now)
    return user


def _book_past_calls(user: User) -> int:
    """Most past prospect calls were booked ahead, as the discipline asks: each becomes a
    completed appointment linked to its entry, booked two to six days before. This gives the
    demo a real booking rate for the fill-rate prescription and the booked-ahead share."""
    rng = random.Random(SEED + 2)
    calls = Activity.objects.filter(
        user=user, category__name="Prospect call", end__isnull=False
    ).exclude(prospect_name="")
    made = [
        Appointment(
            user=user,
            prospect_name=entry.prospect_name,
            start=entry.start,
            end=entry.end,
            status=Status.COMPLETED,
            activity=entry,
        )
        for entry in calls
        if rng.random() < 0.75
    ]
    Appointment.objects.bulk_create(made)
    for appointment in made:
        appointment.created_at = appointment.start - timedelta(days=rng.randint(2, 6))
    Appointment.objects.bulk_update(made, ["created_at"])
    return len(made)


def upcoming_calls(*, now: datetime, zone: str = ZONE) -> list[tuple[str, datetime]]:
    """One to three booked calls in each evening block of the next three days, from now on."""
    tz = timekit.zone(zone)
    rng = random.Random(SEED + 1)
    today = timekit.local_date(now, tz)
    calls = []
    for offset in range(UPCOMING_DAYS):
        day = today + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for slot in sorted(rng.sample(CALL_SLOTS, rng.randint(1, 3))):
            start = timekit.localize(datetime.combine(day, slot), tz)
            if start > now:
                calls.append((f"{rng.choice(PROSPECTS)} {rng.choice('BCDGHKLMPRST')}.", start))
    return calls
