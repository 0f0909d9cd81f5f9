"""The weekly review: last week (Monday to Sunday, the user's zone) against the week before in
five numbers, the best and the worst lead source, the IGA overrides, the coming week's
prospecting blocks with their fill so far, and a sentence written from those numbers. The page,
the email and `mainthing report --week` all print this one read model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q

from mainthing.accounts.models import User
from mainthing.bookings.models import Appointment, Status
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.prospects.models import Prospect
from mainthing.routine import queries as routine_queries

from . import periods, reads, tables
from .figures import plural, signed


@dataclass(frozen=True)
class Number:
    key: str
    label: str
    last: float | int | None
    before: float | int | None
    unit: str = ""  # "h", "%", or a currency code

    @property
    def change(self) -> float | int | None:
        if self.last is None or self.before is None:
            return None
        if isinstance(self.last, float):
            return round(self.last - self.before, 2)
        return self.last - self.before

    def text(self, value) -> str:
        if value is None:
            return tables.NO_FIGURE
        if self.unit == "h":
            return f"{value:.1f} h"
        if self.unit == "%":
            return f"{value}%"
        if self.unit:
            return f"{value:,.2f} {self.unit}"
        return str(value)

    @property
    def last_text(self) -> str:
        return self.text(self.last)

    @property
    def before_text(self) -> str:
        return self.text(self.before)

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        if self.unit == "%":
            return signed(change, " points")
        if self.unit == "h":
            return signed(change, " h")
        if self.unit:
            return signed(change, f" {self.unit}", money=True)
        return signed(change)


@dataclass(frozen=True)
class SourceLine:
    label: str
    leads: int
    booked: int


@dataclass(frozen=True)
class BlockLine:
    start: datetime
    end: datetime
    label: str
    fill_percent: int


@dataclass
class Review:
    first: date  # last week's Monday
    last: date  # its Sunday
    tz_name: str
    numbers: list[Number]
    income: dict[str, tuple[Decimal, Decimal]]  # currency: (last week, the week before)
    currency: str
    best: SourceLine | None
    worst: SourceLine | None
    overrides: int
    override_seconds: int
    blocks: list[BlockLine]
    summary: str

    @property
    def other_income(self) -> list[str]:
        """Last week's income in currencies other than the profile's, each on its own."""
        return [
            f"{last:,.2f} {currency} (week before {before:,.2f})"
            for currency, (last, before) in sorted(self.income.items())
            if currency != self.currency
        ]

    @property
    def override_hours(self) -> str:
        return tables.hours(self.override_seconds)

    @property
    def nothing_before(self) -> bool:
        """The week before holds nothing to compare with (a new account, a break)."""
        return not any(n.before for n in self.numbers)

    def number(self, key: str) -> Number:
        return next(n for n in self.numbers if n.key == key)

    def as_dict(self) -> dict:
        return {
            "week": {"from": self.first.isoformat(), "to": self.last.isoformat()},
            "time_zone": self.tz_name,
            "numbers": {
                n.key: {"last_week": n.last, "week_before": n.before, "change": n.change}
                for n in self.numbers
            },
            "income": {
                currency: {"last_week": str(last), "week_before": str(before)}
                for currency, (last, before) in sorted(self.income.items())
            },
            "best_source": None if self.best is None else vars(self.best),
            "worst_source": None if self.worst is None else vars(self.worst),
            "overrides": {"count": self.overrides, "seconds": self.override_seconds},
            "next_blocks": [
                {
                    "start": b.start.isoformat(),
                    "end": b.end.isoformat(),
                    "label": b.label,
                    "fill_percent": b.fill_percent,
                }
                for b in self.blocks
            ],
            "summary": self.summary,
        }


def weekly_review(user: User, *, now: datetime) -> Review:
    """The review of the last full week as of `now`. Eight queries."""
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    first, last = periods.last_full_week(today)
    before_first = first - timedelta(days=7)
    weeks = [(before_first, first - timedelta(days=1)), (first, last)]
    totals = reads.days(user, before_first, last)
    start_before, _ = reads.bounds(before_first, before_first, tz)
    start_last, end_last = reads.bounds(first, last, tz)
    ahead_end = now + timedelta(days=7)

    specs = routine_queries.specs(user)
    blocks = reads.prospecting(specs, start_before, max(end_last, ahead_end))
    calls = reads.calls(user, start_before, max(end_last, ahead_end))
    joined = reads.joins(user, start_before, end_last)
    income_rows = reads.income(user, before_first, last)

    def week_of(day: date) -> int:
        return 1 if day >= first else 0

    iga, talks, fill, joins = [0, 0], [0, 0], [None, None], [0, 0]
    overrides = override_seconds = 0
    for day, total in totals.items():
        w = week_of(day)
        iga[w] += total.seconds.get(Tier.INCOME, 0)
        talks[w] += total.conversations
        if w:
            overrides += total.overrides
            override_seconds += total.override_seconds
    for index, (lo_day, hi_day) in enumerate(weeks):
        lo, hi = reads.bounds(lo_day, hi_day, tz)
        week_fill = reads.fill_of(blocks, calls, lo, hi)
        fill[index] = week_fill.percent if week_fill.block_seconds else None
    for at in joined:
        joins[week_of(timekit.local_date(at, tz))] += 1
    income: dict[str, list[Decimal]] = {}
    for day, currency, _kind, amount in income_rows:
        income.setdefault(currency, [Decimal(0), Decimal(0)])[week_of(day)] += amount
    own = income.get(user.currency, [Decimal(0), Decimal(0)])

    numbers = [
        Number("iga_hours", "IGA hours", round(iga[1] / 3600, 1), round(iga[0] / 3600, 1), "h"),
        Number("conversations", "Conversations", talks[1], talks[0]),
        Number("fill_percent", "Fill rate", fill[1], fill[0], "%"),
        Number("joined", "Joined (incl. affiliates)", joins[1], joins[0]),
        Number("income", "Income", float(own[1]), float(own[0]), user.currency),
    ]
    best, worst = _best_and_worst(user, start_last, end_last)
    coming = [
        BlockLine(
            b.start,
            b.end,
            b.label,
            reads.fill_of([b], calls, b.start, b.end).percent,
        )
        for b in blocks
        if b.end > now and b.start < ahead_end
    ]
    review = Review(
        first=first,
        last=last,
        tz_name=user.time_zone,
        numbers=numbers,
        income={c: (pair[1], pair[0]) for c, pair in income.items()},
        currency=user.currency,
        best=best,
        worst=worst,
        overrides=overrides,
        override_seconds=override_seconds,
        blocks=coming,
        summary="",
    )
    review.summary = summary(review)
    return review


def _best_and_worst(user: User, start: datetime, end: datetime):
    """The sources of last week's leads and bookings: the best booked the most calls (ties:
    more leads); the worst, of the others that brought leads, booked the fewest per lead
    (ties: more leads, the bigger waste). Two grouped queries."""
    labels = reads.sources(user)
    leads = dict(
        Prospect.objects.filter(user=user, created_at__gte=start, created_at__lt=end)
        .values("source_id")
        .annotate(n=Count("pk"))
        .values_list("source_id", "n")
        .order_by()
    )
    booked = dict(
        Appointment.objects.filter(user=user, created_at__gte=start, created_at__lt=end)
        .filter(~Q(status=Status.CANCELLED), prospect__isnull=False)
        .values("prospect__source_id")
        .annotate(n=Count("pk"))
        .values_list("prospect__source_id", "n")
        .order_by()
    )
    lines = [
        SourceLine(labels[pk][0], leads.get(pk, 0), booked.get(pk, 0))
        for pk in set(leads) | set(booked)
        if pk in labels
    ]
    if not lines:
        return None, None
    best = max(lines, key=lambda s: (s.booked, s.leads, s.label))
    if best.booked == 0:
        best = None
    others = [s for s in lines if s != best and s.leads]
    worst = min(others, key=lambda s: (s.booked / s.leads, -s.leads, s.label)) if others else None
    return best, worst


def summary(review: Review) -> str:
    """A few plain sentences from the review's numbers, each change beside its figure."""
    talks, iga = review.number("conversations"), review.number("iga_hours")
    fill, joined = review.number("fill_percent"), review.number("joined")
    parts = [
        f"You talked to {plural(talks.last, 'prospect')} ({talks.change_text}) and spent "
        f"{iga.last:.1f} h on income-generating activity ({iga.change_text})."
    ]
    if fill.last is not None:
        change = f" ({fill.change_text})" if fill.change is not None else ""
        parts.append(f"Your prospecting time was {fill.last}% booked{change}.")
    else:
        parts.append("You had no prospecting blocks: add them to your routine.")
    earned = [
        f"{last:,.2f} {currency}" for currency, (last, _before) in sorted(review.income.items())
    ]
    joins = f"{plural(joined.last, 'person', 'people')} joined ({joined.change_text})"
    parts.append(f"{joins}; you earned {' and '.join(earned) if earned else 'nothing'}.")
    if review.best is not None:
        parts.append(
            f"Best source: {review.best.label} ({plural(review.best.booked, 'call')} booked)."
        )
    if review.overrides:
        parts.append(
            f"Busy work started in prospecting time {plural(review.overrides, 'time')} "
            f"({tables.hours(review.override_seconds)})."
        )
    return " ".join(parts)
