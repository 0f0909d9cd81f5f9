"""The arithmetic of insights, apart from the database: the streak, the trend, the rates and
the income goal worked back into conversations, bookings and lead-gen hours. Pure functions,
so each rule is tested on its own with hand-computed numbers (docs/concepts.md defines them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# --- the streak ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Streak:
    current: int  # prospecting days in a row with a conversation, up to today
    longest: int  # the longest such run inside the range
    prospecting_days: int  # prospecting days of the range so far
    talked_days: int  # of those, days with at least one conversation
    today_open: bool  # today is a prospecting day with no conversation yet: not a break (yet)


def streak(
    prospecting_days: Iterable[date],
    talked_days: set[date],
    *,
    today: date,
    first: date,
    last: date,
) -> Streak:
    """Runs of prospecting days (days with a prospecting block) that each had a conversation.
    Days without a block neither count nor break a run. Today, still under way, breaks nothing
    until it is over. `prospecting_days` reaches back as far as the current run may go; the
    longest run is counted inside [first, last]."""
    days = sorted({d for d in prospecting_days if d <= today})
    today_open = bool(days) and days[-1] == today and today not in talked_days
    counted = days[:-1] if today_open else days
    current = 0
    for day in reversed(counted):
        if day not in talked_days:
            break
        current += 1
    longest = run = 0
    in_range = [d for d in counted if first <= d <= last]
    for day in in_range:
        run = run + 1 if day in talked_days else 0
        longest = max(longest, run)
    shown = [d for d in days if first <= d <= last]
    return Streak(
        current=current,
        longest=longest,
        prospecting_days=len(shown),
        talked_days=sum(1 for d in shown if d in talked_days),
        today_open=today_open,
    )


# --- trends and shares ---------------------------------------------------------------------------


def share(part: float, whole: float) -> float | None:
    """part ÷ whole, or None when there is no whole (a page shows a dash, never 0%)."""
    return part / whole if whole else None


def percent(part: float, whole: float) -> int | None:
    value = share(part, whole)
    return None if value is None else round(100 * value)


def slope(values: list[float]) -> float | None:
    """The least-squares slope of evenly spaced values (change per step), or None with fewer
    than two."""
    n = len(values)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    spread = sum((x - mean_x) ** 2 for x in range(n))
    return sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / spread


# --- the goal worked back ------------------------------------------------------------------------

WEEKS_PER_MONTH = 52 / 12
# How far back the goal's rates look: long enough to hold a few joins, short enough to follow
# what the user does now.
RATE_WINDOW_DAYS = 90
# Starter rates, used (and said to be starters) until the user's own history has enough behind
# it. One join in ten conversations and four in five booked calls held are common figures in
# network marketing; one booking per two hours of lead generation is the fill rate's starter.
STARTER_JOINS_PER_CONVERSATION = 0.1
STARTER_SHOW_UP = 0.8
STARTER_BOOKINGS_PER_LEADGEN_HOUR = 0.5


@dataclass(frozen=True)
class Rate:
    """One link of the chain, from the user's history or a starter."""

    name: str
    value: float | None
    own: bool  # False: a starter (or the user's own estimate), said so on the page
    basis: str  # what it was worked out from, for the page ("12 joins, 34 conversations")


def own_or_starter(
    name: str,
    numerator: float,
    denominator: float,
    *,
    enough: float,
    starter: float | None,
    basis: str,
    starter_basis: str,
) -> Rate:
    """numerator ÷ denominator once the denominator has `enough` behind it and the numerator
    is not nothing (no joins yet is a reason to keep the starter, not a rate of zero)."""
    if denominator >= enough and numerator > 0:
        return Rate(name, numerator / denominator, True, basis)
    return Rate(name, starter, False, starter_basis)


@dataclass(frozen=True)
class Plan:
    goal: Decimal
    currency: str
    rates: list[Rate]
    joins_per_month: float | None
    conversations_per_week: int | None
    bookings_per_week: int | None
    leadgen_hours_per_week: float | None
    block_hours_per_week: float
    call_minutes: int
    calls_blocks_hold: int  # calls of `call_minutes` the coming week's prospecting blocks hold

    @property
    def complete(self) -> bool:
        return self.conversations_per_week is not None

    @property
    def fits(self) -> bool | None:
        if self.bookings_per_week is None:
            return None
        return self.bookings_per_week <= self.calls_blocks_hold

    @property
    def extra_block_hours(self) -> float:
        """Prospecting hours a week to add to the routine for the bookings the goal needs."""
        if self.bookings_per_week is None or self.fits:
            return 0.0
        missing = self.bookings_per_week - self.calls_blocks_hold
        return math.ceil(missing * self.call_minutes / 30) / 2  # in half hours

    @property
    def starters(self) -> list[Rate]:
        return [r for r in self.rates if not r.own]


def work_back(
    goal: Decimal,
    currency: str,
    *,
    income_per_join: Rate,
    joins_per_conversation: Rate,
    show_up: Rate,
    bookings_per_leadgen_hour: Rate,
    block_minutes_per_week: int,
    call_minutes: int,
) -> Plan:
    """From an income goal a month to what a week takes: joins = goal ÷ income per join;
    conversations = joins ÷ joins per conversation; bookings = conversations ÷ show-up rate;
    lead-gen hours = bookings ÷ bookings per lead-gen hour. Counts round up (half a call is a
    call to make). Without an income per join there is nothing to work back from."""
    rates = [income_per_join, joins_per_conversation, show_up, bookings_per_leadgen_hour]
    calls_held = block_minutes_per_week // call_minutes if call_minutes else 0
    joins = conversations = bookings = hours = None
    if all(r.value for r in rates):
        joins = float(goal) / income_per_join.value
        per_week = joins / WEEKS_PER_MONTH / joins_per_conversation.value
        conversations = math.ceil(round(per_week, 6))
        bookings = math.ceil(round(conversations / show_up.value, 6))
        hours = math.ceil(10 * bookings / bookings_per_leadgen_hour.value) / 10
    return Plan(
        goal=goal,
        currency=currency,
        rates=rates,
        joins_per_month=None if joins is None else round(joins, 1),
        conversations_per_week=conversations,
        bookings_per_week=bookings,
        leadgen_hours_per_week=hours,
        block_hours_per_week=round(block_minutes_per_week / 60, 1),
        call_minutes=call_minutes,
        calls_blocks_hold=calls_held,
    )


# --- the review's sentence -----------------------------------------------------------------------


MINUS = "\u2212"  # the minus sign, which reads better than a hyphen


def signed(value: float, unit: str = "", *, money: bool = False) -> str:
    """+4, -1.5 h (with a real minus sign), ±0: a change as the summary writes it."""
    if value == 0:
        return f"±0{unit}"
    if money:
        text = f"{abs(value):,.2f}"
    elif isinstance(value, int):
        text = str(abs(value))
    else:
        text = f"{abs(value):.1f}"
    return f"{'+' if value > 0 else MINUS}{text}{unit}"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
