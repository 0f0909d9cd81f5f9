"""The spans insights look at, in local dates of the user's zone. Pure: dates in, dates out.

A range is whole local days [first, last]. Weeks start on Monday (`timekit.week_start`), like
the calendar and the routine; months and quarters are calendar ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mainthing.core import timekit

# The ranges the scorecard offers, in the order of its menu.
RANGES = {
    "week": "This week",
    "last-week": "Last week",
    "month": "This month",
    "quarter": "This quarter",
    "year": "This year",
    "custom": "Custom",
}
DEFAULT_RANGE = "month"
# A custom range longer than this is refused: three years of days is as far as a page of
# charts stays readable (and fast).
LONGEST_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class Range:
    key: str
    first: date
    last: date

    @property
    def label(self) -> str:
        if self.key == "custom":
            return f"{self.first:%d %b %Y} to {self.last:%d %b %Y}"
        return RANGES[self.key]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def elapsed_last(self, today: date) -> date | None:
        """The last day of the range that has begun (today at most); None for a future range."""
        last = min(self.last, today)
        return last if last >= self.first else None


def resolve(key: str, today: date, *, first: date | None = None, last: date | None = None) -> Range:
    """The range `key` as of `today`. A custom range needs `first` and `last` (checked by the
    form); ValueError says what is wrong with them."""
    if key == "week":
        monday = timekit.week_start(today)
        return Range(key, monday, monday + timedelta(days=6))
    if key == "last-week":
        monday = timekit.week_start(today) - timedelta(days=7)
        return Range(key, monday, monday + timedelta(days=6))
    if key == "month":
        start = today.replace(day=1)
        return Range(key, start, next_month(start) - timedelta(days=1))
    if key == "quarter":
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = next_month(next_month(next_month(start)))
        return Range(key, start, end - timedelta(days=1))
    if key == "year":
        return Range(key, date(today.year, 1, 1), date(today.year, 12, 31))
    if key == "custom":
        if first is None or last is None:
            raise ValueError("Give both the first and the last day.")
        if last < first:
            raise ValueError("The last day must be on or after the first day.")
        if (last - first).days + 1 > LONGEST_RANGE_DAYS:
            raise ValueError("Pick at most three years.")
        return Range(key, first, last)
    raise ValueError(f"Unknown range {key!r}.")


def next_month(first_of_month: date) -> date:
    if first_of_month.month == 12:
        return date(first_of_month.year + 1, 1, 1)
    return date(first_of_month.year, first_of_month.month + 1, 1)


def mondays(first: date, last: date) -> list[date]:
    """The Monday of each week that has a day in [first, last]."""
    monday = timekit.week_start(first)
    found = []
    while monday <= last:
        found.append(monday)
        monday += timedelta(days=7)
    return found


def months(first: date, last: date) -> list[date]:
    """The first of each month that has a day in [first, last]."""
    month = first.replace(day=1)
    found = []
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found


def last_full_week(today: date) -> tuple[date, date]:
    """(Monday, Sunday) of the week before the one holding `today`: what the review reviews."""
    monday = timekit.week_start(today) - timedelta(days=7)
    return monday, monday + timedelta(days=6)
