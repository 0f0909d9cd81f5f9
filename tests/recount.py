"""Day totals recounted from a user's entries from first principles, written apart from
`activity.services` so a test compares the stored totals with an independent count.

A row is (seconds, entries, conversations, prescheduled, overrides, override_seconds) per
(local day, category id). A conversation is an income entry of at least two minutes, or a
completed appointment's entry; counts go on the local day an entry starts, seconds on the
days they fall on.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mainthing.activity.models import Activity, DayTotal

FIELDS = ("seconds", "entries", "conversations", "prescheduled", "overrides", "override_seconds")


def seconds_per_local_day(start: datetime, end: datetime, tz: ZoneInfo) -> dict:
    """Each local day's share of [start, end), walking from one local midnight to the next."""
    shares: dict = {}
    cursor = start.astimezone(UTC)
    end = end.astimezone(UTC)
    while cursor < end:
        day = cursor.astimezone(tz).date()
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        piece_end = min(end, next_midnight.astimezone(UTC))
        shares[day] = shares.get(day, 0) + int((piece_end - cursor).total_seconds())
        cursor = piece_end
    return shares


def recount(user) -> dict:
    tz = ZoneInfo(user.time_zone)
    rows: dict = {}
    entries = Activity.objects.filter(user=user, end__isnull=False).select_related("category")
    for entry in entries:
        talk = entry.category.tier == "income" and (
            entry.seconds >= 120 or entry.origin == "appointment"
        )
        start_day = entry.start.astimezone(tz).date()
        first = rows.setdefault((start_day, entry.category_id), [0] * 6)
        first[1] += 1
        first[2] += talk
        first[3] += talk and entry.origin == "appointment"
        first[4] += entry.iga_override
        for day, seconds in seconds_per_local_day(entry.start, entry.end, tz).items():
            row = rows.setdefault((day, entry.category_id), [0] * 6)
            row[0] += seconds
            row[5] += seconds if entry.iga_override else 0
    return {key: tuple(row) for key, row in rows.items() if any(row)}


def stored(user) -> dict:
    """The user's DayTotal rows in `recount`'s shape (rows all at zero left out: an entry
    moved away leaves its old row at nothing)."""
    rows = DayTotal.objects.filter(user=user).values_list("day", "category_id", *FIELDS)
    return {(day, category): tuple(rest) for day, category, *rest in rows if any(rest)}
