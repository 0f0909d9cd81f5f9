"""Read models for the ledger's pages and reports. Query counts here never grow with data.

Lookups are `<thing>_for_user(user, pk)`: the user's row or Http404 (missing or another user's).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, Sum

from mainthing.accounts.models import User
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.core.lookups import owned_or_404

from . import services
from .models import Activity, Category, DayTotal, ImportJob


def entry_for_user(user: User, pk: int | str) -> Activity:
    """The user's entry (with its category and prospect link) or Http404."""
    rows = Activity.objects.select_related("category", "user", "prospect_link")
    return owned_or_404(rows, pk, user)


def category_for_user(user: User, pk: int | str) -> Category:
    """The user's category or Http404."""
    return owned_or_404(Category.objects.all(), pk, user)


def import_job_for_user(user: User, pk: int | str) -> ImportJob:
    """The user's activity import job or Http404."""
    return owned_or_404(ImportJob.objects.all(), pk, user)


def shown_minutes(seconds: int) -> str:
    """Whole minutes as the pages show them, with "<1m" for a few seconds, so a share beside it
    ("Income-generating <1m (100.0%)") never sits next to a bare "0m"."""
    return "<1m" if 0 < seconds < 60 else timekit.format_minutes(seconds)


@dataclass
class TierSplit:
    seconds: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.seconds.values())

    def parts(self) -> list[dict]:
        """Tier, seconds, share and x offset (percent) for a stacked bar."""
        total = self.total or 1
        offset = 0.0
        rows = []
        for tier in Tier:
            share = 100 * self.seconds.get(tier, 0) / total
            rows.append(
                {
                    "tier": tier.value,
                    "label": tier.label,
                    "seconds": self.seconds.get(tier, 0),
                    "duration": shown_minutes(self.seconds.get(tier, 0)),
                    "share": round(share, 1),
                    "x": round(offset, 2),
                    "width": round(share, 2),
                }
            )
            offset += share
        return rows


@dataclass
class Today:
    day: date
    now: datetime
    running: Activity | None
    categories: list[Category]
    entries: list[Activity]
    split: TierSplit
    iga_seconds: int
    week_iga_seconds: int
    conversations: int
    nudge: bool
    prospecting_now: bool
    goal_seconds: int

    @property
    def groups(self) -> list[tuple[Tier, list[Category]]]:
        """Start buttons by tier, in the tiers' order."""
        return [(tier, [c for c in self.categories if c.tier == tier]) for tier in Tier]

    @property
    def first_income(self) -> Category | None:
        """The first income category, for a one-tap start in prospecting time."""
        return next((c for c in self.categories if c.tier == Tier.INCOME), None)

    @property
    def goal_percent(self) -> int:
        if not self.goal_seconds:
            return 0
        return min(100, round(100 * self.iga_seconds / self.goal_seconds))


def _running_seconds_on(running: Activity | None, start: datetime, end: datetime) -> int:
    """Real seconds of the running timer inside [start, end)."""
    if running is None:
        return 0
    lo, hi = max(running.start, start), min(end, max(end, running.start))
    return max(0, timekit.elapsed_seconds(lo, hi)) if hi > lo else 0


def today(user: User, *, now: datetime, block_specs: list | None = None) -> Today:
    """Everything the Today page shows, in a handful of queries whatever the ledger's size."""
    tz = timekit.zone(user.time_zone)
    day = timekit.local_date(now, tz)
    day_start, day_end = timekit.local_day_bounds(day, tz)
    week_first = timekit.week_start(day)

    all_categories = list(Category.objects.filter(user=user))
    categories = [c for c in all_categories if not c.archived]
    tiers = {c.pk: c.tier for c in all_categories}
    by_id = {c.pk: c for c in all_categories}
    # Entries touching today: started today, or started yesterday and still running or ending
    # after midnight (entries last at most a day, so the index range on start stays short).
    # An OR with "any running timer" here would defeat the index on (user, start) and scan
    # the whole ledger, so a timer running since before yesterday is looked up on its own
    # (through the one-running-timer unique index: instant).
    entries = list(
        Activity.objects.filter(
            user=user, start__lt=day_end, start__gte=day_start - timedelta(days=1)
        )
        .filter(Q(end__gt=day_start) | Q(end__isnull=True))
        .order_by("start")
    )
    for entry in entries:
        entry.category = by_id[entry.category_id]
    running = next((e for e in entries if e.end is None), None)
    if running is None:
        running = services.running_entry(user)

    per_day = DayTotal.objects.filter(user=user, day__gte=week_first, day__lte=day).values_list(
        "day", "category_id", "seconds"
    )
    split: dict[str, int] = defaultdict(int)
    week_iga = 0
    for total_day, category_id, seconds in per_day:
        tier = tiers.get(category_id)
        if total_day == day:
            split[tier] += seconds
        if tier == Tier.INCOME:
            week_iga += seconds
    if running is not None:
        today_running = _running_seconds_on(running, day_start, now)
        split[running.category.tier] += today_running
        if running.category.tier == Tier.INCOME:
            week_iga_start, _ = timekit.local_day_bounds(week_first, tz)
            week_iga += _running_seconds_on(running, week_iga_start, now)

    conversations = sum(
        1 for e in entries if e.start >= day_start and services.is_conversation(e, now=now)
    )
    return Today(
        day=day,
        now=now,
        running=running,
        categories=categories,
        entries=[e for e in entries if e.end is not None],
        split=TierSplit(dict(split)),
        iga_seconds=split.get(Tier.INCOME, 0),
        week_iga_seconds=week_iga,
        conversations=conversations,
        nudge=services.nudge_due(user, running, now),
        prospecting_now=services.is_prospecting_time(user, now, block_specs=block_specs),
        goal_seconds=user.goal_iga_minutes * 60,
    )


@dataclass
class ReportRow:
    tier: str
    category: str
    seconds: int
    entries: int

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label


@dataclass
class Report:
    first: date | None
    last: date | None
    rows: list[ReportRow]
    tiers: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.tiers.values())

    def as_dict(self) -> dict:
        return {
            "from": self.first.isoformat() if self.first else None,
            "to": self.last.isoformat() if self.last else None,
            "total_seconds": self.total,
            "tiers": [{"tier": tier.value, "seconds": self.tiers.get(tier, 0)} for tier in Tier],
            "categories": [
                {"tier": r.tier, "category": r.category, "seconds": r.seconds, "entries": r.entries}
                for r in self.rows
            ],
        }


def report(user: User, *, first: date | None = None, last: date | None = None) -> Report:
    """Per-tier and per-category totals of stopped entries over local days [first, last].

    Reads day totals, not entries: an all-time report over a million entries sums a few
    thousand rows. An entry across midnight counts on each day for the seconds it spent there.
    """
    totals = DayTotal.objects.filter(user=user)
    if first:
        totals = totals.filter(day__gte=first)
    if last:
        totals = totals.filter(day__lte=last)
    sums = totals.values("category_id").annotate(s=Sum("seconds"), n=Sum("entries"))
    categories = {
        c.pk: c for c in Category.objects.filter(user=user).only("pk", "name", "tier", "position")
    }
    rows = []
    tiers: dict[str, int] = defaultdict(int)
    for row in sums:
        category = categories[row["category_id"]]
        if not row["s"]:
            continue
        rows.append(ReportRow(category.tier, category.name, int(row["s"]), int(row["n"] or 0)))
        tiers[category.tier] += int(row["s"])
    order = {tier.value: index for index, tier in enumerate(Tier)}
    rows.sort(key=lambda r: (order[r.tier], -r.seconds, r.category))
    return Report(first, last, rows, dict(tiers))


@dataclass
class LogDay:
    day: date
    entries: list[Activity]
    seconds: int


def log(
    user: User,
    *,
    first: date,
    last: date,
    tier: str | None = None,
    category_id: int | None = None,
    now: datetime,
) -> list[LogDay]:
    """Entries grouped by the local day they start on, newest day first, with day totals."""
    tz = timekit.zone(user.time_zone)
    start, _ = timekit.local_day_bounds(first, tz)
    _, end = timekit.local_day_bounds(last, tz)
    entries = Activity.objects.select_related("category").filter(
        user=user, start__gte=start, start__lt=end
    )
    if tier:
        entries = entries.filter(category__tier=tier)
    if category_id:
        entries = entries.filter(category_id=category_id)
    by_day: dict[date, list[Activity]] = defaultdict(list)
    for entry in entries.order_by("-start"):
        by_day[timekit.local_date(entry.start, tz)].append(entry)
    days = []
    for day in sorted(by_day, reverse=True):
        rows = by_day[day]
        seconds = sum(e.seconds if e.end else timekit.elapsed_seconds(e.start, now) for e in rows)
        days.append(LogDay(day, rows, seconds))
    return days
