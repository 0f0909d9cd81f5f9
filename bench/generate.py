"""The benchmark ledger: one heavy user's five years of work, generated fast and reproducibly.

`plan_entries` is pure (no database, no clock): the same size, seed and last day give the same
entries, so the SQLite run, the PostgreSQL run and the import CSV all describe one ledger.
`write_ledger` puts a plan into the database the way a restore does: bulk inserts in big
chunks, then one `rebuild_day_totals`.

The daily pattern follows the discipline: lead generation in the morning, busy work around
midday, prospect calls in the 19:00-21:00 prospecting block (with the odd busy-work override),
a mixed late evening, lighter weekends and now and then a late call across midnight. A ledger
of a million entries over five years has about 550 entries a day, so its entries are short;
the shape of the day stays the same at every size.
"""

from __future__ import annotations

import csv
import random
import time as time_module
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from mainthing.core import timekit

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SEED = 20_260_101
ZONE = "America/Chicago"
DAYS = 5 * 365 + 1
# The last day of every ledger holds this many entries whatever the size, so the Today page
# is measured on a day a person could actually have.
TYPICAL_DAY_ENTRIES = 24
# Bump when the plan changes: cached benchmark databases are then generated again.
VERSION = 2

INCOME, LEADGEN, OTHER = "income", "leadgen", "other"

# name, tier, weight within its tier, archived (used only in the first years)
CATEGORIES: list[tuple[str, str, int, bool]] = [
    ("Prospect call", INCOME, 45, False),
    ("Follow-up call", INCOME, 25, False),
    ("Three-way call", INCOME, 12, False),
    ("Presentation", INCOME, 10, False),
    ("Closing call", INCOME, 5, False),
    ("Webinar Q&A", INCOME, 3, False),
    ("Forum posts", LEADGEN, 20, False),
    ("Video posts", LEADGEN, 15, False),
    ("Social networking", LEADGEN, 18, False),
    ("PPC campaigns", LEADGEN, 8, False),
    ("Blog posts", LEADGEN, 8, False),
    ("Email newsletter", LEADGEN, 6, False),
    ("Facebook group", LEADGEN, 7, False),
    ("LinkedIn outreach", LEADGEN, 6, False),
    ("YouTube shorts", LEADGEN, 5, False),
    ("Podcast guesting", LEADGEN, 2, False),
    ("Solo ads", LEADGEN, 4, True),
    ("Article marketing", LEADGEN, 3, True),
    ("Email inbox", OTHER, 25, False),
    ("Organizing", OTHER, 15, False),
    ("Reading sales letters", OTHER, 8, False),
    ("Web searches", OTHER, 10, False),
    ("Admin", OTHER, 10, False),
    ("Training videos", OTHER, 8, False),
    ("Bookkeeping", OTHER, 4, False),
    ("Team chat", OTHER, 10, False),
    ("Tool setup", OTHER, 4, False),
    ("Planning", OTHER, 6, False),
    ("Research", OTHER, 5, False),
    ("Old CRM cleanup", OTHER, 3, True),
]
# Archived categories stop being used after this share of the span.
ARCHIVED_AFTER = 0.4
MAX_MINUTES = {INCOME: 45, LEADGEN: 90, OTHER: 40}
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 1.0, 0.55, 0.3)
LATE_CALL_EVERY = 45  # days, on average


class Window(NamedTuple):
    start: time
    end: time
    share: float
    tiers: tuple[str, ...]
    tier_weights: tuple[float, ...]


WINDOWS = (
    Window(time(7, 30), time(12, 0), 0.34, (LEADGEN, OTHER), (0.8, 0.2)),
    Window(time(12, 30), time(17, 30), 0.26, (LEADGEN, OTHER), (0.35, 0.65)),
    # The prospecting block; busy work in it is an IGA-question override.
    Window(time(19, 0), time(21, 0), 0.30, (INCOME, OTHER), (0.92, 0.08)),
    Window(time(21, 0), time(23, 30), 0.10, (INCOME, LEADGEN, OTHER), (0.25, 0.35, 0.4)),
)
PROSPECTING = WINDOWS[2]

FIRST_NAMES = (
    "Maria", "James", "Aisha", "Chen", "Sofia", "Liam", "Priya", "Noah", "Fatima", "Lucas",
    "Emma", "Mateo", "Olivia", "Hiroshi", "Grace", "Diego", "Amara", "Ethan", "Nadia", "Owen",
    "Zoe", "Ravi", "Elena", "Kwame", "Hannah", "Tomas", "Leila", "Jack", "Mei", "Samuel",
)  # fmt: skip
NOTES = {
    INCOME: (
        "", "", "Booked from forum signature", "Follow-up after the video", "Asked about the "
        "comp plan", "Wants to talk with spouse", "Third call, ready to decide", "Reschedule",
    ),
    LEADGEN: (
        "", "", "", "Answered two threads", "Recorded a short video", "Replied to comments",
        "Tweaked the ad set", "Posted in the group",
    ),
    OTHER: ("", "", "", "", "Inbox zero", "Sorted the lead sheet", "Read a sales letter"),
}  # fmt: skip


class Entry(NamedTuple):
    start: datetime
    end: datetime
    category: str
    tier: str
    note: str
    prospect_name: str
    origin: str
    iga_override: bool


def _spread(total: int, weights: list[float]) -> list[int]:
    """Splits `total` into whole parts proportional to `weights`, summing exactly to `total`."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    parts, running, given = [], 0.0, 0
    for weight in weights:
        running += weight
        upto = round(total * running / whole)
        parts.append(upto - given)
        given = upto
    return parts


class _Picker:
    """Weighted category choice per tier, with or without the archived categories.

    Each tier's names are repeated by weight in a flat table: one random() per pick.
    """

    def __init__(self, *, with_archived: bool):
        self.table: dict[str, list[str]] = {
            tier: [
                name
                for name, row_tier, weight, archived in CATEGORIES
                if row_tier == tier and (with_archived or not archived)
                for _ in range(weight)
            ]
            for tier in (INCOME, LEADGEN, OTHER)
        }


def plan_entries(
    total: int, *, last_day: date, days: int = DAYS, seed: int = SEED, zone: str = ZONE
) -> Iterator[Entry]:
    """`total` stopped entries over the `days` local days ending on `last_day`, in time order.

    Entries never overlap; every one ends before the local day after `last_day` begins.
    """
    tz = timekit.zone(zone)
    rng = random.Random(seed)
    first_day = last_day - timedelta(days=days - 1)
    calendar = [first_day + timedelta(days=i) for i in range(days)]
    typical = min(total, TYPICAL_DAY_ENTRIES) if days > 1 else total
    counts = _spread(total - typical, [WEEKDAY_WEIGHT[d.weekday()] for d in calendar[:-1]])
    counts.append(typical)
    early, later = _Picker(with_archived=True), _Picker(with_archived=False)
    archive_from = int(days * ARCHIVED_AFTER)
    for index, (day, count) in enumerate(zip(calendar, counts, strict=True)):
        if not count:
            continue
        picker = early if index < archive_from else later
        late_call = day != last_day and count >= 2 and rng.randrange(LATE_CALL_EVERY) == 0
        if late_call:
            count -= 1
        shares = [w.share * (0.7 + 0.6 * rng.random()) for w in WINDOWS]
        for window, k in zip(WINDOWS, _spread(count, shares), strict=True):
            if k:
                yield from _window_entries(rng, tz, day, window, k, picker)
        if late_call:
            start = timekit.localize(datetime.combine(day, time(23, 40)), tz)
            start += timedelta(seconds=rng.randrange(600))
            end = start + timedelta(seconds=rng.randrange(30 * 60, 50 * 60))
            name = rng.choice(FIRST_NAMES)
            yield Entry(
                start, end, "Prospect call", INCOME, "Late call, prospect in Sydney", name,
                "timer", False,
            )  # fmt: skip


def _window_entries(
    rng: random.Random, tz: ZoneInfo, day: date, window: Window, k: int, picker: _Picker
) -> Iterator[Entry]:
    begin = timekit.localize(datetime.combine(day, window.start), tz)
    finish = timekit.localize(datetime.combine(day, window.end), tz)
    span = (finish - begin).total_seconds() / k
    tiers = rng.choices(window.tiers, weights=window.tier_weights, k=k)
    random_ = rng.random
    table = picker.table
    override = window is PROSPECTING
    for i, tier in enumerate(tiers):
        # Each entry stays inside its own 1/k of the window: no overlaps by construction.
        offset = i * span + 0.1 * span * random_()
        seconds = min(span * (0.5 + 0.35 * random_()), MAX_MINUTES[tier] * 60)
        start = begin + timedelta(seconds=int(offset))
        names = table[tier]
        notes = NOTES[tier]
        yield Entry(
            start,
            start + timedelta(seconds=max(1, int(seconds))),
            names[int(random_() * len(names))],
            tier,
            notes[int(random_() * len(notes))],
            FIRST_NAMES[int(random_() * len(FIRST_NAMES))] if tier == INCOME else "",
            "manual" if random_() < 0.1 else "timer",
            override and tier != INCOME,
        )


# --- the database ------------------------------------------------------------------------------

BENCH_PASSWORD = "bench-password-1"


def create_bench_user(email: str, *, zone: str = ZONE, today: date | None = None):
    """A marketer with a routine (lead generation mornings, the prospecting block every
    evening), goals and the ~30 categories the plan uses."""
    from mainthing import onboarding
    from mainthing.accounts import services as account_services
    from mainthing.activity import services
    from mainthing.activity.models import Category
    from mainthing.routine import services as routine_services

    user = onboarding.create_account(
        email=email, password=BENCH_PASSWORD, time_zone=zone, name="Bench Marketer"
    )
    account_services.update_profile(user, goal_iga_minutes=120, goal_conversations=5)
    for window, tier, label in ((WINDOWS[0], LEADGEN, "Lead generation"),
                                (PROSPECTING, INCOME, "Prospecting")):  # fmt: skip
        routine_services.add_block(
            user, tier=tier, days="daily", start=window.start, end=window.end, label=label,
            today=today or date(2020, 1, 1),
        )  # fmt: skip
    have = {c.name.lower() for c in Category.objects.filter(user=user)}
    for name, tier, _, archived in CATEGORIES:
        if name.lower() not in have:
            category = services.add_category(user, name=name, tier=tier)
            if archived:
                services.update_category(category, archived=True)
    return user


def write_ledger(user, entries: Iterable[Entry], *, chunk_size: int = 50_000):
    """Inserts planned entries in big chunks, then rebuilds the day totals.

    Returns the number written and the seconds spent inserting and rebuilding. Rows go in
    through `core.bulk.BulkInsert`, the importers' writer, in one transaction (a bench set-up
    has nobody else to wait for it).

    Side effects: Activity and DayTotal rows for `user`.
    """
    from django.db import transaction
    from django.utils import timezone

    from mainthing.activity import services
    from mainthing.activity.models import Activity, Category
    from mainthing.core.bulk import BulkInsert

    ids = {c.name: c.pk for c in Category.objects.filter(user=user)}
    bulk = BulkInsert(
        Activity,
        (
            "user", "category", "start", "end", "seconds", "note", "prospect_name", "origin",
            "iga_override", "created_at", "updated_at",
        ),
    )  # fmt: skip
    adapt = bulk.adapt
    stamp = adapt(timezone.now())
    written = 0
    began = time_module.perf_counter()
    with transaction.atomic():
        rows = (
            (
                user.pk, ids[e.category], adapt(e.start), adapt(e.end),
                int((e.end - e.start).total_seconds()), e.note, e.prospect_name, e.origin,
                e.iga_override, stamp, stamp,
            )
            for e in entries
        )  # fmt: skip
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk_size:
                written += bulk.insert(batch)
                batch = []
        written += bulk.insert(batch)
    inserted = time_module.perf_counter()
    day_totals = services.rebuild_day_totals(user)
    rebuilt = time_module.perf_counter()
    return written, {
        "insert_s": round(inserted - began, 2),
        "rebuild_day_totals_s": round(rebuilt - inserted, 2),
        "day_totals": day_totals,
    }


def write_csv(path: Path, entries: Iterable[Entry], *, zone: str = ZONE) -> int:
    """A Mainthing CSV (start,end,category,tier,note; ISO 8601 with the local offset)."""
    tz = timekit.zone(zone)
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["start", "end", "category", "tier", "note"])
        for e in entries:
            writer.writerow(
                [e.start.astimezone(tz).isoformat(), e.end.astimezone(tz).isoformat(),
                 e.category, e.tier, e.note]
            )  # fmt: skip
            written += 1
    return written
