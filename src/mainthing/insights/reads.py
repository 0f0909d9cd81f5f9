"""The reads that the scorecard and the weekly review share: each is one query (or none),
bounded by the span it reads, never by the size of the account. Days are local dates of the
user's zone; instants are UTC.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from mainthing.accounts.models import User
from mainthing.activity.models import DayTotal
from mainthing.bookings import fillrate
from mainthing.bookings.models import (
    DEFAULT_MINUTES,
    LONGEST_CALL,
    Appointment,
    BookingPage,
    Status,
)
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.prospects.models import Income, LeadSource, Prospect, Spend, Stage
from mainthing.routine import occurrences

from .models import InsightSettings

JOINED = (Stage.JOINED, Stage.AFFILIATE_JOINED)
# Said no, whether or not they took the affiliate offer since: the funnel's side branch.
DECLINED = (Stage.DECLINED, Stage.AFFILIATE_OFFERED, Stage.AFFILIATE_JOINED)


def settings_for(user: User) -> InsightSettings:
    """The user's insight settings, unsaved defaults when they never set any."""
    found = InsightSettings.objects.filter(user=user).first()
    return found or InsightSettings(user=user)


def bounds(first: date, last: date, tz) -> tuple[datetime, datetime]:
    """UTC instants of local days [first, last]: from first's midnight to the one after last."""
    return timekit.local_day_bounds(first, tz)[0], timekit.local_day_bounds(last, tz)[1]


# --- the ledger, from day totals -----------------------------------------------------------------


@dataclass
class Day:
    """One local day's totals over all categories."""

    seconds: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # per tier
    conversations: int = 0
    prescheduled: int = 0
    overrides: int = 0
    override_seconds: int = 0


def days(user: User, first: date, last: date) -> dict[date, Day]:
    """Totals per local day in [first, last] (days with nothing are absent). One query, summed
    per day by the database in the order of the day totals' (user, day, category) index: a row
    a day however many entries and categories (a heavy account's year of day totals is ten
    thousand rows)."""
    per_tier = {
        tier: Sum("seconds", filter=Q(category__tier=tier))
        for tier in (Tier.INCOME, Tier.LEADGEN, Tier.OTHER)
    }
    rows = (
        DayTotal.objects.filter(user=user, day__gte=first, day__lte=last)
        .values("day")
        .annotate(
            **per_tier,
            talks=Sum("conversations"),
            planned=Sum("prescheduled"),
            overridden=Sum("overrides"),
            overridden_seconds=Sum("override_seconds"),
        )
        .values_list("day", *per_tier, "talks", "planned", "overridden", "overridden_seconds")
        .order_by()
    )
    found: dict[date, Day] = defaultdict(Day)
    for day, income, leadgen, other, talks, planned, overrides, override_seconds in rows:
        total = found[day]
        for tier, seconds in ((Tier.INCOME, income), (Tier.LEADGEN, leadgen), (Tier.OTHER, other)):
            if seconds is not None:
                total.seconds[tier] = seconds
        total.conversations = talks
        total.prescheduled = planned
        total.overrides = overrides
        total.override_seconds = override_seconds
    return found


def leadgen_time(user: User, first: date, last: date) -> dict[int, tuple[str, int]]:
    """{category id: (name, seconds)} of the lead-gen categories with time in [first, last]."""
    rows = (
        DayTotal.objects.filter(
            user=user, day__gte=first, day__lte=last, category__tier=Tier.LEADGEN
        )
        .values("category_id", "category__name")
        .annotate(total=Sum("seconds"))
        .values_list("category_id", "category__name", "total")
        .order_by()
    )
    return {pk: (name, seconds) for pk, name, seconds in rows}


# --- prospecting blocks and calls ----------------------------------------------------------------


def prospecting(specs, start: datetime, end: datetime) -> list[occurrences.Occurrence]:
    """Occurrences of income blocks overlapping [start, end), clipped to it."""
    return occurrences.expand_between([s for s in specs if s.tier == Tier.INCOME], start, end)


def prospecting_dates(blocks: list[occurrences.Occurrence], tz) -> set[date]:
    """Local dates (user's zone) on which a prospecting block starts."""
    return {b.start.astimezone(tz).date() for b in blocks}


@dataclass(frozen=True)
class Call:
    start: datetime
    end: datetime
    status: str


def calls(user: User, start: datetime, end: datetime) -> list[Call]:
    """Appointments not cancelled that overlap [start, end): a completed call at its real
    time, the others at their booked time. A rescheduled call is one row, at its new time."""
    # Bounded on both sides of the (user, start) index: no call lasts longer than LONGEST_CALL.
    rows = (
        Appointment.objects.filter(
            user=user, start__lt=end, start__gte=start - LONGEST_CALL, end__gt=start
        )
        .exclude(status=Status.CANCELLED)
        .values_list("start", "end", "status")
        .order_by("start")
    )
    return [Call(*row) for row in rows]


class Near:
    """Blocks or calls sorted by start, cut by bisection to those that may overlap a span: a
    year of weeks each looks at its own few instead of the whole year's."""

    def __init__(self, items: list):
        self.items = items
        self.starts = [i.start for i in items]
        self.longest = max((i.end - i.start for i in items), default=timedelta(0))

    def near(self, lo: datetime, hi: datetime) -> list:
        first = bisect_left(self.starts, lo - self.longest)
        return self.items[first : bisect_left(self.starts, hi)]


def fill_of(blocks: list[occurrences.Occurrence], booked: list[Call], lo: datetime, hi: datetime):
    """Fill of the block time inside [lo, hi): booked minutes inside blocks ÷ block minutes."""
    inside = [(max(b.start, lo), min(b.end, hi)) for b in blocks if b.start < hi and b.end > lo]
    return fillrate.fill(inside, [(c.start, c.end) for c in booked if c.start < hi and c.end > lo])


def call_minutes(user: User) -> int:
    """The length of a call on the user's booking page (its first), or the default."""
    page = BookingPage.objects.filter(user=user).only("lengths").first()
    lengths = page.length_list if page is not None else []
    return lengths[0] if lengths else DEFAULT_MINUTES


# --- prospects, money ----------------------------------------------------------------------------


def sources(user: User) -> dict[int, tuple[str, int | None, str]]:
    """{source id: (its label, its category id, its category's name)}."""
    rows = (
        LeadSource.objects.filter(user=user)
        .select_related("category")
        .only("campaign", "category_id", "category__name")
    )
    return {
        source.pk: (
            source.label,
            source.category_id,
            source.category.name if source.category else "",
        )
        for source in rows
    }


def joins(user: User, start: datetime, end: datetime) -> list[datetime]:
    """When each prospect now at a joined stage got there, for those who did in [start, end)."""
    return list(
        Prospect.objects.filter(
            user=user, stage__in=JOINED, stage_changed_at__gte=start, stage_changed_at__lt=end
        ).values_list("stage_changed_at", flat=True)
    )


def income(user: User, first: date, last: date) -> list[tuple[date, str, str, Decimal]]:
    """(date, currency, kind, amount) of income dated in [first, last]."""
    return list(
        Income.objects.filter(user=user, date__gte=first, date__lte=last).values_list(
            "date", "currency", "kind", "amount"
        )
    )


def spend(user: User, first: date, last: date) -> dict[int, Decimal]:
    """Spend per source dated in [first, last] (in the profile's currency)."""
    rows = (
        Spend.objects.filter(user=user, date__gte=first, date__lte=last)
        .values("source_id")
        .annotate(total=Sum("amount"))
        .values_list("source_id", "total")
    )
    return dict(rows)


@dataclass
class Cohort:
    """What the leads added in a span became, per lead source: the funnel."""

    leads: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    joined: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    declined: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    affiliate: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    booked: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    held: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    income: dict[int, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(dict))


def cohort(user: User, start: datetime, end: datetime) -> Cohort:
    """The leads added in [start, end) by source, and what they became: booked (a call not
    cancelled), held (a call completed), joined, declined (with the affiliate branch) and the
    income from them on any date. Two grouped queries, read from the prospects added in the
    span: a month's leads cost a month's rows, never a scan of every call or payment. A merged
    prospect is one person."""
    found = Cohort()
    # A call is found through its prospect (the appointments' prospect index), so it is the
    # user's because the prospect is; filtering the call by user too makes SQLite walk all of
    # the user's calls for every lead instead.
    calls = Appointment.objects.filter(prospect=OuterRef("pk")).exclude(status=Status.CANCELLED)
    rows = (
        Prospect.objects.filter(user=user, created_at__gte=start, created_at__lt=end)
        .values("source_id", "stage")
        .annotate(
            n=Count("pk"),
            booked=Count("pk", filter=Exists(calls)),
            held=Count("pk", filter=Exists(calls.filter(status=Status.COMPLETED))),
        )
        .values_list("source_id", "stage", "n", "booked", "held")
        .order_by()
    )
    for source, stage, n, booked, held in rows:
        found.leads[source] += n
        found.booked[source] += booked
        found.held[source] += held
        if stage == Stage.JOINED:
            found.joined[source] += n
        if stage in DECLINED:
            found.declined[source] += n
        if stage == Stage.AFFILIATE_JOINED:
            found.affiliate[source] += n
    prospects_of = {
        f"prospect__{k}": v for k, v in (("created_at__gte", start), ("created_at__lt", end))
    }
    money = (
        Income.objects.filter(user=user, **prospects_of)
        .values("prospect__source_id", "currency")
        .annotate(total=Sum("amount"))
        .values_list("prospect__source_id", "currency", "total")
        .order_by()
    )
    for source, currency, total in money:
        found.income[source][currency] = total
    return found


@dataclass(frozen=True)
class Bookings:
    made: int  # calls booked in the span (created in it), not cancelled since
    past: int  # calls that were to happen in the span, before now, not cancelled
    completed: int
    no_show: int


def bookings(user: User, start: datetime, end: datetime, *, now: datetime) -> Bookings:
    """Calls booked in [start, end), and the calls due in it by `now` with how they went.
    One query."""
    due = Q(start__gte=start, start__lt=min(end, now))
    rows = Appointment.objects.filter(user=user).exclude(status=Status.CANCELLED)
    counts = rows.filter(Q(created_at__gte=start, created_at__lt=end) | due).aggregate(
        made=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        past=Count("pk", filter=due),
        completed=Count("pk", filter=due & Q(status=Status.COMPLETED)),
        no_show=Count("pk", filter=due & Q(status=Status.NO_SHOW)),
    )
    return Bookings(**counts)


def weekly(values_by_day: dict[date, float], mondays: list[date]) -> list[float]:
    """Sums of a per-day figure per week (Monday to Sunday) for each of `mondays`."""
    sums = dict.fromkeys(mondays, 0)
    for day, value in values_by_day.items():
        monday = timekit.week_start(day)
        if monday in sums:
            sums[monday] += value
    return [sums[m] for m in mondays]
