"""Pure time functions: no database, no clock. Callers pass "now" in.

Rules (DESIGN.md, "Rules of time"): instants are aware datetimes in UTC; local days and wall
clock times are always read through an IANA zone; durations are real elapsed seconds, so an hour
that a DST change repeats is counted twice and a skipped hour not at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# The calendar the product handles. Wide enough for any real history or plan, narrow enough
# that a day's bounds, a week's end or a zone's offset never leave what `datetime` holds
# (0001-01-01 00:00 east of UTC, or 9999-12-31 23:59 west of it, overflow when converted).
# Every date or time a person types is checked against it where it is read: form fields,
# query parameters, the CLI's parsers, files being imported or restored.
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def check_day(day: date) -> date:
    """`day` when it lies in [EARLIEST, LATEST]; a ValueError that names the range otherwise.
    A datetime is checked by its own date, before any conversion to another zone."""
    plain = day.date() if isinstance(day, datetime) else day
    if not EARLIEST <= plain <= LATEST:
        raise ValueError(
            f"{plain.isoformat()} is outside the dates Mainthing handles: pick one between "
            f"{EARLIEST.isoformat()} and {LATEST.isoformat()}."
        )
    return day


def zone(name: str) -> ZoneInfo:
    """The zone for an IANA name; ValueError with a readable message when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"Unknown time zone {name!r}; use an IANA name like Europe/London."
        ) from None


def is_zone(name: str | None) -> bool:
    """Whether `name` is an IANA zone the tz database knows (for input a person or a browser
    sent, where a bad name falls back to another zone rather than failing)."""
    if not name:
        return False
    try:
        zone(name)
    except ValueError:
        return False
    return True


def zone_names() -> list[str]:
    """Every IANA zone name the installed tz database knows, sorted for a picker."""
    return sorted(n for n in available_timezones() if "/" in n or n == "UTC")


def elapsed_seconds(start: datetime, end: datetime) -> int:
    """Real elapsed seconds between two aware instants (UTC arithmetic, DST-proof)."""
    return int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds())


@lru_cache(maxsize=8192)
def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of a local day, as UTC.

    Where a DST change skips midnight itself, fold=0 maps the missing 00:00 onto the instant
    the gap ends, which is exactly when that day begins.
    """
    return datetime.combine(day, time(0)).replace(tzinfo=tz).astimezone(UTC)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local day in UTC; 23, 24 or 25 hours long as DST decides."""
    return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def split_by_local_day(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[date, int]]:
    """Real seconds of [start, end) falling on each local day, in day order.

    An entry from 23:00 to 01:00 gives one hour to each day; zero-length entries give nothing.
    """
    if end <= start:
        return []
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    parts: list[tuple[date, int]] = []
    day = local_date(start, tz)
    cursor = start
    counted = 0
    while cursor < end:
        piece_end = min(end, local_midnight(day + timedelta(days=1), tz))
        # Measured from the entry's start, so the pieces add up to exactly elapsed_seconds().
        upto = elapsed_seconds(start, piece_end)
        if upto > counted:
            parts.append((day, upto - counted))
            counted = upto
        cursor = piece_end
        day += timedelta(days=1)
    return parts


def week_start(day: date, *, first_weekday: int = 0) -> date:
    """The first day of the week holding `day` (Monday by default, ISO 8601)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def days(start: date, end: date) -> Iterator[date]:
    """Local dates from start to end inclusive."""
    current = start
    while current <= end:
        yield current
        current += timedelta(days=1)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) share at least one instant."""
    return a_start < b_end and b_start < a_end


_DURATION = re.compile(
    r"^\s*(?:(?P<h>\d+(?:\.\d+)?)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*$", re.IGNORECASE
)
_CLOCK = re.compile(r"^\s*(?P<h>\d{1,3}):(?P<m>[0-5]\d)\s*$")


def parse_duration(text: str) -> int:
    """Seconds in a duration written as 90, 90m, 1h30m, 1.5h or 1:30. ValueError when unclear."""
    raw = text.strip()
    if raw.isdigit():
        minutes = int(raw)
        seconds = minutes * 60
    elif match := _CLOCK.match(raw):
        seconds = int(match["h"]) * 3600 + int(match["m"]) * 60
    elif (match := _DURATION.match(raw)) and (match["h"] or match["m"]):
        seconds = round(float(match["h"] or 0) * 3600) + int(match["m"] or 0) * 60
    else:
        raise ValueError(f"Can't read {text!r} as a duration; write 45m, 1h30m, 1.5h or 1:30.")
    if seconds <= 0:
        raise ValueError("A duration must be longer than zero.")
    if seconds > 24 * 3600:
        raise ValueError("A single entry can't be longer than 24 hours.")
    return seconds


def format_minutes(seconds: int) -> str:
    """4h 05m / 25m — how durations read everywhere in the product."""
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest:02d}m" if hours else f"{rest}m"


def parse_local_datetime(text: str, tz: ZoneInfo, *, now: datetime) -> datetime:
    """An instant from what a person types: ISO with offset, 'YYYY-MM-DD HH:MM' or 'HH:MM'.

    Times without a date mean today in `tz`; without an offset they are wall-clock in `tz`.
    In a repeated hour the earlier instant wins (fold=0); a time in a skipped hour is refused.
    """
    raw = text.strip()
    if _CLOCK.match(raw) and len(raw) <= 5:
        hour, minute = (int(x) for x in raw.split(":"))
        if hour > 23:
            raise ValueError(f"{text!r} is not a time of day.")
        naive = datetime.combine(now.astimezone(tz).date(), time(hour, minute))
    else:
        try:
            parsed = datetime.fromisoformat(raw.replace(" ", "T", 1) if " " in raw else raw)
        except ValueError:
            raise ValueError(
                f"Can't read {text!r} as a time; write 2026-12-01 19:00, 19:00 or ISO 8601."
            ) from None
        check_day(parsed)
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
        naive = parsed
    return localize(naive, tz)


# --- wall clock to instant: the one resolver --------------------------------------------------
#
# A local date and wall-clock time name zero, one or two instants: none inside a DST gap (the
# clocks skip it), two inside a repeated hour. Every caller turns wall times into instants
# through these functions and chooses only what a gap means for it.


def _shows(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive wall-clock time a clock in `tz` shows at `instant`."""
    return instant.astimezone(tz).replace(tzinfo=None)


def wall_instants(naive: datetime, tz: ZoneInfo) -> list[datetime]:
    """Every UTC instant at which a clock in `tz` shows `naive`, earliest first: one as a rule,
    two in an hour a DST change repeats, none in one it skips."""
    found: list[datetime] = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if _shows(instant, tz) == naive and instant not in found:
            found.append(instant)
    return sorted(found)


def _gap_end(naive: datetime, tz: ZoneInfo) -> datetime:
    """For a wall time inside a DST gap: the instant the gap ends (the clocks jump then)."""
    # Every instant before the transition shows a wall time before `naive`, every instant from
    # it on one after; the two fold readings bracket it. Search to the second.
    low = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if low > high:
        low, high = high, low
    while (high - low) > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _shows(middle, tz) > naive:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def localize(
    naive: datetime, tz: ZoneInfo, *, in_gap: Literal["refuse", "end"] = "refuse"
) -> datetime:
    """A wall-clock time in `tz` as a UTC instant; in a repeated hour the earlier one.

    A wall time a DST gap skips is refused with a ValueError that says so (`in_gap="refuse"`,
    for times a person typed), or taken as the instant the gap ends (`in_gap="end"`, for
    recurring times such as a block's start, which then begins when the clocks jump).
    """
    # fold=0 is the earlier reading in a repeated hour; when it shows `naive` back, it is the
    # answer (the common case: one conversion and one check).
    earlier = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _shows(earlier, tz) == naive:
        return earlier
    if in_gap == "end":
        return _gap_end(naive, tz)
    raise ValueError(
        f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks skip it for DST."
    )
