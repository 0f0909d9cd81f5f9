"""A realistic demo account (`mainthing demo`, `make demo`): the discipline as a steady marketer
lives it, for trying the product and for screenshots.

The days follow the discipline: email first, then lead generation through the morning (forum
posts every weekday, videos three days a week, PPC on Tuesdays and Thursdays, social
networking), busy work after lunch, and prospect calls in the 19:00-21:00 prospecting block,
which is the account's routine (Mon-Sat; lead generation Mon-Fri 08:30-11:30). Saturdays are
lighter, Sundays hold a weekly review; now and then busy work is started in the prospecting
block after the IGA question (an override). The coming evenings have a few calls booked.

About sixty prospects come from named lead sources (a forum signature, a YouTube channel, a PPC
ad set with its daily spend, a Facebook group) and sit in every stage, the "no → affiliate"
path included. The twenty who were called have their calls linked (entries and the appointments
booked ahead); some follow-ups are due today, some were missed on earlier days (they roll
forward to today), others lie ahead; a few sales, enrollments and affiliate commissions are in
the income list.

The booking page (`/book/jordan-reyes/`, 15- and 30-minute calls) took a share of the past
calls, a few coming ones and a call-back request (`demobookings`). The same `now` always gives
the same account: the randomness comes from fixed seeds.

Sits above the apps, like onboarding and the CLI.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from mainthing import demobookings, onboarding
from mainthing.accounts import services as account_services
from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, Category, Origin
from mainthing.bookings import services as bookings
from mainthing.bookings.models import Appointment, Status
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import (
    CLOSED_STAGES,
    IncomeKind,
    LeadSource,
    Prospect,
    ProspectTime,
    Stage,
)
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
# The prospects who were called; their names are on the call entries.
PROSPECTS = (
    "Maria Lopez", "James Carter", "Aisha Bello", "Chen Wei", "Sofia Rossi", "Liam Walsh",
    "Priya Nair", "Noah Fischer", "Fatima Haddad", "Lucas Silva", "Emma Becker", "Mateo Cruz",
    "Olivia Grant", "Hiroshi Tanaka", "Grace Okafor", "Diego Ramos", "Amara Diallo",
    "Ethan Brooks", "Nadia Petrova", "Owen Price",
)  # fmt: skip
# Leads not called yet (and a few who said no, or talked to someone else first).
LEADS = (
    "Ava Mitchell", "Ben Foster", "Carla Mendes", "Dev Patel", "Elena Popescu", "Femi Adeyemi",
    "Gabe Turner", "Hana Kim", "Ivan Horvat", "Jade Thompson", "Kofi Mensah", "Lena Vogel",
    "Marco Bianchi", "Nina Larsen", "Omar Farouk", "Paula Souza", "Quinn Harper", "Rosa Jimenez",
    "Sam Wright", "Tara Singh", "Umar Sheikh", "Vera Novak", "Will Hughes", "Ximena Ortiz",
    "Yusuf Demir", "Zoe Campbell", "Adam Novak", "Bianca Costa", "Caleb Reed", "Dana Morales",
    "Eli Cohen", "Freya Nilsen", "Gus Andersen", "Holly Baker", "Isaac Green", "Jun Park",
    "Kira Ivanova", "Leo Martins", "Mia Schneider", "Nate Collins",
)  # fmt: skip
# Where each of them ends up: every stage, the "no → affiliate" path included. The booked
# stage comes from the calls booked in the coming evenings.
CALLED_STAGES = (
    ["presented"] * 5 + ["follow_up"] * 5 + ["joined"] * 3 + ["declined"] * 2
    + ["affiliate_offered"] * 2 + ["affiliate_joined"] * 2 + ["contacted"]
)  # fmt: skip
LEAD_STAGES = ["new"] * 22 + ["contacted"] * 12 + ["follow_up"] * 4 + ["declined"] * 2
# The way to each stage, from "new".
PATHS = {
    "new": [],
    "contacted": ["contacted"],
    "presented": ["contacted", "booked", "presented"],
    "follow_up": ["contacted", "booked", "presented", "follow_up"],
    "joined": ["contacted", "booked", "presented", "follow_up", "joined"],
    "declined": ["contacted", "booked", "presented", "declined"],
    "affiliate_offered": ["contacted", "booked", "presented", "declined", "affiliate_offered"],
    "affiliate_joined": [
        "contacted", "booked", "presented", "declined", "affiliate_offered", "affiliate_joined",
    ],
}  # fmt: skip
# (category, campaign, key, share of the leads); the PPC ad set has daily spend.
SOURCES = (
    ("Forum posts", "Signature on the MLM forum", "mlm-forum", 40),
    ("Video posts", "YouTube channel", "youtube", 25),
    ("PPC campaigns", "Ad set 3", "ad-set-3", 20),
    ("Social networking", "Facebook group", "fb-group", 10),
)
UNKNOWN_SHARE = 5
TAGS = ("warm", "spouse", "payday", "hot lead", "part-time", "retired")
STAGE_NOTES = {
    "presented": "Saw the full presentation; wants to think it over",
    "follow_up": "Interested, asked to call back after talking to the spouse",
    "joined": "Joined with the starter pack",
    "declined": "Not for now: no time for a business",
    "affiliate_offered": "Said no to the business; offered the product affiliate link",
    "affiliate_joined": "Took the affiliate link, shares the product on their blog",
}
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
    """Creates a user with a profile, a routine, `days` days of activity, lead sources with
    spend, prospects in every stage with their history, income, and a few calls booked in
    the coming evenings, and returns it.

    Without a password the account has an unusable one (reach it through the CLI). Raises
    ValidationError, writing nothing, when the email is taken or the password is too weak.
    Side effects: one user, its categories, blocks, entries, day totals, lead sources, spend,
    prospects (with events and linked time), appointments (with their history), income, a
    booking page and a call-back request.
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
    sources = _add_sources(user, today=today, days=days)
    prospects = _add_prospects(user, sources, now=now, days=days)
    _book_past_calls(user, prospects)
    # Counted once the booked calls' entries are theirs (pre-scheduled conversations).
    activity_services.rebuild_day_totals(user)
    _link_calls(user, prospects)
    for name, start in upcoming_calls(now=now):
        # The booking moves a new or contacted lead on to "booked".
        bookings.book(user, prospect=prospects[name], start=start, minutes=30, now=now)
    _add_income(user, prospects, today=today)
    demobookings.add_booking_page(
        user, sources, now=now, name=NAME, zone=ZONE, after_days=UPCOMING_DAYS
    )
    return user


def _add_sources(user: User, *, today: date, days: int) -> dict[str, LeadSource]:
    """The lead sources by key, "unknown" included. The PPC ad set has its daily budget as
    spend on the days its campaign is managed (Tuesdays and Thursdays); an older ad set ran
    before the demo's days and is archived."""
    rng = random.Random(SEED + 4)
    categories = {c.name: c for c in Category.objects.filter(user=user, tier=Tier.LEADGEN)}
    made = {
        key: prospect_services.add_source(
            user, category=categories[category], campaign=campaign, key=key
        )
        for category, campaign, key, _share in SOURCES
    }
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        if day.weekday() in (1, 3):
            amount = Decimal(rng.randint(1500, 3500)) / 100
            prospect_services.add_spend(
                made["ad-set-3"], on=day, amount=amount, note="Daily budget"
            )
    old = prospect_services.add_source(
        user, category=categories["PPC campaigns"], campaign="Ad set 1", key="ad-set-1"
    )
    for weeks in (3, 2):
        on = today - timedelta(days=days + 7 * weeks)
        prospect_services.add_spend(old, on=on, amount="60.00", note="Weekly budget")
    prospect_services.edit_source(old, campaign=old.campaign, key=old.key, archived=True)
    made["unknown"] = prospect_services.unknown_source(user)
    return made


def _stages() -> dict[str, str]:
    """Each demo prospect's stage (before the coming calls are booked)."""
    rng = random.Random(SEED + 3)
    called, leads = list(CALLED_STAGES), list(LEAD_STAGES)
    rng.shuffle(called)
    rng.shuffle(leads)
    return dict(zip(PROSPECTS, called, strict=True)) | dict(zip(LEADS, leads, strict=True))


def _contact(user: User, rng: random.Random, index: int, name: str) -> prospect_services.Contact:
    first, last = name.lower().split()
    email = f"{first}.{last}@example.com" if rng.random() < 0.85 else ""
    zone, phone = "", ""
    if index % 9 == 4:
        # Abroad: the number has its country code and the prospect books in their own zone.
        zone, phone = "Europe/London", f"+44 20 7946 0{index:03d}"
    elif rng.random() < 0.7:
        phone = f"(312) 555-01{index:02d}"
        zone = rng.choice(("", "", "America/Chicago", "America/New_York", "America/Denver"))
    elif index % 5:
        # Most leads leave a number (the call queue is about calling); one in five of the
        # rest left only an email or a handle.
        phone = f"(312) 555-02{index:02d}"
    notes = rng.choice(("", "", "", "Prefers a text before calling", "Best after 7pm"))
    return prospect_services.clean_contact(
        user,
        name=name,
        email=email,
        phone=phone,
        social=f"@{first}{last[0]}" if rng.random() < 0.3 else "",
        time_zone=zone,
        tags=rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2))),
        notes=notes,
    )


def _add_prospects(
    user: User, sources: dict[str, LeadSource], *, now: datetime, days: int
) -> dict[str, Prospect]:
    """Every demo prospect by name, added before their first call (or on a day of the demo),
    moved along their path to their stage, with a follow-up date where one fits: some due
    today, some missed on earlier days (they roll forward), some ahead."""
    rng = random.Random(SEED + 5)
    tz = timekit.zone(ZONE)
    today = timekit.local_date(now, tz)
    calls = (
        Activity.objects.filter(user=user, category__tier=Tier.INCOME)
        .exclude(prospect_name="")
        .values("prospect_name")
        .annotate(first=Min("start"), last=Max("end"))
    )
    called = {c["prospect_name"]: (c["first"], c["last"]) for c in calls}
    # Stages change right after calls, so each card's history reads like a real week.
    call_ends: dict[str, list[datetime]] = {}
    for name, end in (
        Activity.objects.filter(user=user, category__tier=Tier.INCOME)
        .exclude(prospect_name="")
        .order_by("end")
        .values_list("prospect_name", "end")
    ):
        call_ends.setdefault(name, []).append(end)

    def evening(instant: datetime) -> datetime:
        """The same local day at about 19:45, or an hour ago if that's still to come."""
        local = timekit.local_date(instant, tz)
        wall = datetime.combine(local, time(19, 30 + rng.randint(0, 25)))
        return min(timekit.localize(wall, tz), now - timedelta(hours=1))

    shares = [key for _c, _n, key, share in SOURCES for _ in range(share)]
    shares += ["unknown"] * UNKNOWN_SHARE
    window = timedelta(days=days)
    stages = _stages()
    made: dict[str, Prospect] = {}
    for index, name in enumerate(PROSPECTS + LEADS):
        stage = stages[name]
        if name in called:
            first, last = called[name]
            created = first - timedelta(days=rng.randint(2, 8), hours=rng.randint(0, 10))
        else:
            created = now - window + window * rng.uniform(0.05, 0.95)
            last = min(now - timedelta(hours=1), created + timedelta(days=rng.randint(1, 12)))
        created = created.replace(microsecond=0)
        prospect = prospect_services.add_prospect(
            user,
            _contact(user, rng, index, name),
            now=created,
            source=sources[rng.choice(shares)],
            allow_duplicate=True,
        )
        path = PATHS[stage]
        for step, target in enumerate(path, 1):
            ends = call_ends.get(name)
            if ends:
                at = ends[max(0, round(len(ends) * step / len(path)) - 1)]
                at += timedelta(minutes=2 + step)
            else:
                at = evening(created + (last - created) * step / len(path))
            at = max(at, created + timedelta(minutes=step))
            note = STAGE_NOTES.get(target, "") if step == len(path) else ""
            prospect_services.change_stage(
                prospect, target, now=at.replace(microsecond=0), note=note
            )
        if path:
            prospect.last_contacted_at = last
            Prospect.objects.filter(pk=prospect.pk).update(last_contacted_at=last)
        if stage not in CLOSED_STAGES:
            roll = rng.random()
            since = timekit.local_date(created, tz)
            if roll < 0.2 or (stage == "follow_up" and roll < 0.4):
                prospect_services.set_follow_up(prospect, today)
            elif roll < 0.4:
                missed = today - timedelta(days=rng.randint(1, 6))
                prospect_services.set_follow_up(prospect, max(missed, since))
            elif roll < 0.7 or stage == "follow_up":
                prospect_services.set_follow_up(
                    prospect, today + timedelta(days=rng.randint(1, 14))
                )
        made[name] = prospect
    return made


def _link_calls(user: User, prospects: dict[str, Prospect]) -> int:
    """Ties every past call entry to its prospect, as a completed call or `start --prospect`
    does."""
    entries = Activity.objects.filter(
        user=user, category__tier=Tier.INCOME, prospect_name__in=list(prospects)
    ).values_list("pk", "prospect_name")
    links = [ProspectTime(activity_id=pk, prospect=prospects[name]) for pk, name in entries]
    ProspectTime.objects.bulk_create(links)
    return len(links)


def _add_income(user: User, prospects: dict[str, Prospect], *, today: date) -> None:
    """Enrollments from those who joined, affiliate commissions from those who took the
    affiliate path, a few product sales, and a team bonus."""
    tz = timekit.zone(ZONE)

    def on(prospect: Prospect, after: int) -> date:
        contacted = prospect.last_contacted_at or prospect.created_at
        return min(today, timekit.local_date(contacted, tz) + timedelta(days=after))

    rng = random.Random(SEED + 6)
    for name, prospect in prospects.items():
        if prospect.stage == Stage.JOINED:
            prospect_services.add_income(
                user, on=on(prospect, 0), amount="199.00", kind=IncomeKind.ENROLLMENT,
                prospect=prospect, note="Starter pack",
            )  # fmt: skip
        elif prospect.stage == Stage.AFFILIATE_JOINED:
            prospect_services.add_income(
                user, on=on(prospect, 3), amount="47.00", kind=IncomeKind.AFFILIATE,
                prospect=prospect, note=f"Affiliate commission: {name.split()[0]}'s first sale",
            )  # fmt: skip
        elif prospect.stage in (Stage.PRESENTED, Stage.FOLLOW_UP) and rng.random() < 0.3:
            prospect_services.add_income(
                user, on=on(prospect, 1), amount="89.00", kind=IncomeKind.PRODUCT,
                prospect=prospect, note="Tried the product first",
            )  # fmt: skip
    prospect_services.add_income(
        user, on=today - timedelta(days=today.day - 1), amount="35.00", kind=IncomeKind.OTHER,
        note="Team bonus",
    )  # fmt: skip


def _book_past_calls(user: User, prospects: dict[str, Prospect]) -> int:
    """Most past prospect calls were booked ahead, as the discipline asks: each becomes a
    completed appointment linked to its entry and its prospect, booked two to six days before.
    This gives the demo a real booking rate for the fill-rate prescription and the
    booked-ahead share."""
    rng = random.Random(SEED + 2)
    calls = Activity.objects.filter(
        user=user, category__name="Prospect call", end__isnull=False
    ).exclude(prospect_name="")
    made = [
        Appointment(
            user=user,
            prospect=prospects.get(entry.prospect_name),
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
    # Their entries are a completed appointment's, as `bookings.services.complete` makes them.
    held = [appointment.activity_id for appointment in made]
    Activity.objects.filter(pk__in=held).update(origin=Origin.APPOINTMENT)
    for appointment in made:
        appointment.created_at = appointment.start - timedelta(days=rng.randint(2, 6))
    Appointment.objects.bulk_update(made, ["created_at"])
    demobookings.through_the_page(made, seed=SEED + 8)
    return len(made)


def upcoming_calls(*, now: datetime, zone: str = ZONE) -> list[tuple[str, datetime]]:
    """One to three booked calls in each evening block of the next three days, from now on,
    each with a different lead who is new or was contacted."""
    tz = timekit.zone(zone)
    rng = random.Random(SEED + 1)
    stages = _stages()
    leads = [name for name in LEADS if stages[name] in ("new", "contacted")]
    random.Random(SEED + 7).shuffle(leads)
    today = timekit.local_date(now, tz)
    calls = []
    for offset in range(UPCOMING_DAYS):
        day = today + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for slot in sorted(rng.sample(CALL_SLOTS, rng.randint(1, 3))):
            start = timekit.localize(datetime.combine(day, slot), tz)
            if start > now:
                calls.append((leads[len(calls)], start))
    return calls
