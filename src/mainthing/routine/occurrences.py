"""Occurrences of weekly blocks as UTC intervals. Pure: no ORM, no clock.

A block is wall-clock times on weekdays in an IANA zone. It is expanded per local date and only
then converted to UTC, so 19:00 stays 19:00 across DST. Where a DST gap swallows a wall time,
the block starts (or ends) at the instant the gap ends; in a repeated hour the earlier instant
is used. Lengths are real elapsed minutes: a 00:30-02:00 block on a fall-back night is 150.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mainthing.core import timekit

WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@dataclass(frozen=True)
class Exception_:
    """One date's change to a block: skip it, or other hours that day."""

    skip: bool = False
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class BlockSpec:
    id: int
    tier: str
    weekdays: frozenset[int]  # 0 = Monday
    start: time
    end: time  # not after start: the block ends on the next local date
    zone: str
    label: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    exceptions: dict[date, Exception_] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, order=True)
class Occurrence:
    start: datetime  # UTC
    end: datetime  # UTC
    block_id: int
    tier: str
    label: str
    local_date: date

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def block_on(spec: BlockSpec, day: date) -> Occurrence | None:
    """The block's occurrence starting on local `day`, or None (not its weekday, skipped...)."""
    if spec.valid_from and day < spec.valid_from:
        return None
    if spec.valid_until and day > spec.valid_until:
        return None
    start_wall, end_wall = spec.start, spec.end
    change = spec.exceptions.get(day)
    if change is not None:
        if change.skip:
            return None
        start_wall, end_wall = change.start or start_wall, change.end or end_wall
    elif day.weekday() not in spec.weekdays:
        return None
    tz = ZoneInfo(spec.zone)
    end_day = day + timedelta(days=1) if end_wall <= start_wall else day
    # A wall time in a DST gap starts (or ends) the block when the gap ends: the policy above.
    start = timekit.localize(datetime.combine(day, start_wall), tz, in_gap="end")
    end = timekit.localize(datetime.combine(end_day, end_wall), tz, in_gap="end")
    if end <= start:  # a block wholly inside a DST gap has no time at all that day
        return None
    return Occurrence(start, end, spec.id, spec.tier, spec.label, day)


def expand(specs: Iterable[BlockSpec], first: date, last: date) -> list[Occurrence]:
    """Every occurrence starting on local dates [first, last] of each block's zone, by start."""
    found = []
    for spec in specs:
        day = first
        while day <= last:
            occurrence = block_on(spec, day)
            if occurrence is not None:
                found.append(occurrence)
            day += timedelta(days=1)
    found.sort()
    return found


def expand_between(specs: Iterable[BlockSpec], start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences overlapping the UTC window [start, end), clipped to it."""
    specs = list(specs)
    # Local dates differ from UTC dates by at most 14 h; a block may start the evening before.
    first = (start - timedelta(days=2)).date()
    last = (end + timedelta(days=1)).date()
    clipped = []
    for occurrence in expand(specs, first, last):
        lo, hi = max(occurrence.start, start), min(occurrence.end, end)
        if lo < hi:
            clipped.append(
                Occurrence(
                    lo,
                    hi,
                    occurrence.block_id,
                    occurrence.tier,
                    occurrence.label,
                    occurrence.local_date,
                )
            )
    return clipped


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted, non-overlapping union of half-open intervals."""
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def subtract(
    free: list[tuple[datetime, datetime]], busy: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """Parts of sorted, disjoint `free` not covered by `busy`; one sweep, O(F + B log B)."""
    busy = merge(busy)
    result = []
    j = 0
    for lo, hi in free:
        cursor = lo
        while j < len(busy) and busy[j][1] <= cursor:
            j += 1
        k = j
        while k < len(busy) and busy[k][0] < hi:
            if busy[k][0] > cursor:
                result.append((cursor, busy[k][0]))
            cursor = max(cursor, busy[k][1])
            k += 1
        if cursor < hi:
            result.append((cursor, hi))
    return result


def overlap_seconds(a: list[tuple[datetime, datetime]], b: list[tuple[datetime, datetime]]) -> int:
    """Real seconds shared by two sets of intervals (each merged first)."""
    a, b = merge(a), merge(b)
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            total += int((hi - lo).total_seconds())
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def slots(
    windows: list[tuple[datetime, datetime]],
    *,
    minutes: int,
    step_minutes: int | None = None,
    not_before: datetime | None = None,
) -> list[tuple[datetime, datetime]]:
    """Start/end pairs of length `minutes`, stepped in UTC from each window's start.

    Stepping in UTC means no slot starts in a skipped hour and no instant is offered twice in a
    repeated hour.
    """
    length = timedelta(minutes=minutes)
    step = timedelta(minutes=step_minutes or minutes)
    found = []
    for lo, hi in windows:
        cursor = lo
        if not_before is not None and cursor < not_before:
            # Keep the window's grid: jump to the first step at or after not_before.
            steps = -(-(not_before - lo) // step)
            cursor = lo + steps * step
        while cursor + length <= hi:
            found.append((cursor, cursor + length))
            cursor += step
    return found


def parse_days(text: str) -> frozenset[int]:
    """'Mon-Sat', 'Mon,Wed,Fri', 'daily', 'weekdays', 'weekends' as weekday numbers."""
    raw = text.strip().lower()
    named = {"daily": range(7), "every day": range(7), "weekdays": range(5), "weekends": (5, 6)}
    if raw in named:
        return frozenset(named[raw])
    lookup = {name.lower(): index for index, name in enumerate(WEEKDAY_NAMES)}
    days: set[int] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            first, last = part.split("-", 1)
            if first[:3] not in lookup or last[:3] not in lookup:
                raise ValueError(f"Can't read {part!r} as days; write Mon-Sat or Mon,Wed,Fri.")
            i, j = lookup[first[:3]], lookup[last[:3]]
            span = range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)]
            days.update(span)
        elif part[:3] in lookup:
            days.add(lookup[part[:3]])
        else:
            raise ValueError(
                f"Can't read {part!r} as a day; use Mon, Tue, Wed, Thu, Fri, Sat, Sun."
            )
    if not days:
        raise ValueError("Name at least one day, e.g. Mon-Fri.")
    return frozenset(days)


def format_days(days: Iterable[int]) -> str:
    """Weekday numbers as the shortest readable text: Mon-Sat, Mon,Wed,Fri, daily."""
    ordered = sorted(set(days))
    if ordered == list(range(7)):
        return "daily"
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAY_NAMES[run[0]]}-{WEEKDAY_NAMES[run[-1]]}")
        else:
            parts.extend(WEEKDAY_NAMES[d] for d in run)
    return ",".join(parts)
