"""Fill rate and the lead-gen prescription. Pure: intervals in, numbers out.

Fill rate = booked appointment minutes inside prospecting blocks / prospecting block minutes,
both in real elapsed time, so DST nights count as long (or short) as they really are.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from mainthing.routine.occurrences import Occurrence, merge, overlap_seconds

Interval = tuple[datetime, datetime]

# With no history of their own, users start from this: one booked call per two hours of lead
# generation (a common figure for forum and social prospecting). The page says it is a starter.
STARTER_APPOINTMENTS_PER_LEADGEN_HOUR = 0.5
# A fresh account (no lead generation logged, nothing booked) gets no made-up total: first the
# people it already knows and its booking link, and this much lead generation a day to begin.
STARTER_LEADGEN_HOURS_PER_DAY = 1.0
# A source is named only over this much lead generation of its kind: one booking after ten
# minutes of posting is luck, not a yield.
MIN_SOURCE_HOURS = 1.0


@dataclass(frozen=True)
class Fill:
    block_seconds: int
    booked_seconds: int

    @property
    def rate(self) -> float:
        return self.booked_seconds / self.block_seconds if self.block_seconds else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.rate)

    @property
    def free_seconds(self) -> int:
        return max(0, self.block_seconds - self.booked_seconds)


def fill(blocks: list[Interval], booked: list[Interval]) -> Fill:
    block_seconds = sum(int((hi - lo).total_seconds()) for lo, hi in merge(blocks))
    return Fill(block_seconds, overlap_seconds(blocks, booked))


def fill_per_day(
    blocks: list[Occurrence], booked: list[Interval], tz: ZoneInfo, days: list[date]
) -> list[tuple[date, Fill]]:
    """Fill of each local day's blocks (a block belongs to the day it starts on, in `tz`)."""
    by_day: dict[date, list[Interval]] = defaultdict(list)
    for block in blocks:
        by_day[block.start.astimezone(tz).date()].append((block.start, block.end))
    return [(day, fill(by_day.get(day, []), booked)) for day in days]


def missing_appointments(current: Fill, *, target: float, minutes: int) -> int:
    """Appointments of `minutes` still needed to lift the fill rate to `target`."""
    wanted = target * current.block_seconds - current.booked_seconds
    if wanted <= 0:
        return 0
    return min(math.ceil(wanted / (minutes * 60)), current.free_seconds // (minutes * 60) or 1)


@dataclass(frozen=True)
class SourceYield:
    """A lead source's appointments booked per hour of lead generation of its category."""

    label: str
    booked: int
    hours: float

    @property
    def per_hour(self) -> float:
        return round(self.booked / self.hours, 1) if self.hours else 0.0


def best_source(
    booked_by_source: Iterable[tuple[str, int | None, int]],
    leadgen_seconds: Mapping[int, int],
    *,
    min_hours: float = MIN_SOURCE_HOURS,
) -> SourceYield | None:
    """The source that booked the most appointments per lead-gen hour of its category.

    `booked_by_source` holds (label, category id, appointments booked) per source, the
    category None for "Unknown", which names nothing and is left out; `leadgen_seconds` is the
    lead-gen time per category id over the same window. None without data: no bookings, or no
    category with `min_hours` of lead generation. Ties go to more bookings, then the label.
    """
    found = [
        SourceYield(label, booked, leadgen_seconds.get(category_id, 0) / 3600)
        for label, category_id, booked in booked_by_source
        if category_id is not None and booked > 0
    ]
    found = [s for s in found if s.hours >= min_hours]
    if not found:
        return None
    return min(found, key=lambda s: (-s.booked / s.hours, -s.booked, s.label))


@dataclass(frozen=True)
class Prescription:
    missing: int
    per_hour: float
    hours: float
    starter: bool
    best_source: SourceYield | None = None
    # No history at all: the page leads with first steps instead of a total to plan.
    fresh: bool = False


def prescribe(
    missing: int,
    *,
    booked_recently: int,
    leadgen_seconds_recently: int,
    best_source: SourceYield | None = None,
    days: int = 1,
) -> Prescription:
    """Lead-gen hours that should produce `missing` appointments at the user's own rate.

    The rate is appointments booked per lead-gen hour over the recent window; with too little
    history (under two hours of lead gen or no bookings) the starter rate is used instead.
    With no history at all (no lead gen, no bookings) the account is fresh: an empty calendar
    is its first day, not a gap to close at a made-up rate (a fresh starter routine would ask
    for 30 h in three days), so it gets the starter hour a day over the `days` of the window,
    and the page leads with first steps. `best_source` is carried along
    to be named with it.
    """
    hours_done = leadgen_seconds_recently / 3600
    if hours_done >= 2 and booked_recently > 0:
        per_hour, starter = booked_recently / hours_done, False
    else:
        per_hour, starter = STARTER_APPOINTMENTS_PER_LEADGEN_HOUR, True
    hours = math.ceil(2 * missing / per_hour) / 2 if missing else 0.0  # to the half hour
    fresh = leadgen_seconds_recently == 0 and booked_recently == 0
    if fresh and missing:
        hours = STARTER_LEADGEN_HOURS_PER_DAY * max(1, days)
    return Prescription(missing, round(per_hour, 2), hours, starter, best_source, fresh)
