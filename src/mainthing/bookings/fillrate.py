"""Fill rate and the lead-gen prescription. Pure: intervals in, numbers out.

Fill rate = booked appointment minutes inside prospecting blocks / prospecting block minutes,
both in real elapsed time, so DST nights count as long (or short) as they really are.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from mainthing.routine.occurrences import Occurrence, merge, overlap_seconds

Interval = tuple[datetime, datetime]

# With no history of their own, users start from this: one booked call per two hours of lead
# generation (a common figure for forum and social prospecting). The page says it is a starter.
STARTER_APPOINTMENTS_PER_LEADGEN_HOUR = 0.5


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
class Prescription:
    missing: int
    per_hour: float
    hours: float
    starter: bool
    best_source: str | None = None


def prescribe(missing: int, *, booked_recently: int, leadgen_seconds_recently: int) -> Prescription:
    """Lead-gen hours that should produce `missing` appointments at the user's own rate.

    The rate is appointments booked per lead-gen hour over the recent window; with too little
    history (under two hours of lead gen or no bookings) the starter rate is used instead.
    """
    hours_done = leadgen_seconds_recently / 3600
    if hours_done >= 2 and booked_recently > 0:
        per_hour, starter = booked_recently / hours_done, False
    else:
        per_hour, starter = STARTER_APPOINTMENTS_PER_LEADGEN_HOUR, True
    hours = math.ceil(2 * missing / per_hour) / 2 if missing else 0.0  # to the half hour
    return Prescription(missing, round(per_hour, 2), hours, starter)
