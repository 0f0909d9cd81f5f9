"""Follow-ups that never pile up (pure: no database, the clock is passed in).

A follow-up date that has passed is not "overdue": it rolls to the next day with prospecting
time, and each day shows only as many follow-ups as that day's free prospecting time holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

# A follow-up call is short; this is what one costs of the day's free prospecting time.
FOLLOW_UP_MINUTES = 15
QUICK_PICKS = (("2 days", 2), ("1 week", 7), ("1 month", 30))


def next_prospecting_day(after: date, prospecting_days: Iterable[date]) -> date | None:
    """The first day strictly after `after` with prospecting time, or None if none is known."""
    later = [d for d in prospecting_days if d > after]
    return min(later) if later else None


def effective_due(
    follow_up_on: date, *, today: date, prospecting_days: Iterable[date]
) -> date | None:
    """The day a follow-up is actually due.

    A date in the future stands. A date that has come (today or earlier) is due today when today
    has prospecting time, else on the next day that does; None when no prospecting day is
    known (no routine yet), in which case it is due today.
    """
    if follow_up_on > today:
        return follow_up_on
    days = set(prospecting_days)
    if today in days or not days:
        return today
    return next_prospecting_day(today, days)


def capacity(free_minutes: int, *, per_follow_up: int = FOLLOW_UP_MINUTES) -> int:
    """How many follow-ups fit into a day's free prospecting minutes."""
    return max(0, free_minutes // per_follow_up)


def snooze_to(today: date, prospecting_days: Iterable[date]) -> date:
    """Snoozing moves a follow-up to the next prospecting day (tomorrow without a routine)."""
    return next_prospecting_day(today, prospecting_days) or today + timedelta(days=1)


def quick_pick(today: date, days: int) -> date:
    return today + timedelta(days=days)
