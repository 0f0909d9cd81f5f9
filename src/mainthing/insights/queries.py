"""The scorecard: is the user's time turning into income? Every figure of `/insights/` for one
range, read in a fixed number of queries whatever the size of the account (tested), and laid
out as tables (`tables.Table`) that the page draws, the CSV downloads carry and the CLI prints.
docs/concepts.md defines each figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from mainthing.accounts.models import User
from mainthing.bookings import fillrate
from mainthing.bookings.models import CallbackRequest
from mainthing.calls.models import CONVERSATIONS, CallAttempt, CallSession
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.prospects.models import Income
from mainthing.routine import queries as routine_queries

from . import figures, periods, reads, yields
from .models import InsightSettings
from .tables import (
    DAY,
    FLAG,
    HOURS,
    PERCENT,
    TEXT,
    WEEK,
    Column,
    Table,
)

# How far back the current streak may reach before the page says "N or more".
STREAK_LOOKBACK_DAYS = 366
# The fill rate looks this many weeks past the current one.
AHEAD_WEEKS = 2
# The goal's rates need this much history before they are the user's own.
ENOUGH_JOINS = 3
ENOUGH_CONVERSATIONS = 20
ENOUGH_PAST_CALLS = 10
ENOUGH_LEADGEN_HOURS = 10
TIER_ORDER = (Tier.INCOME, Tier.LEADGEN, Tier.OTHER)


@dataclass
class Scorecard:
    range: periods.Range
    today: date
    currency: str
    goal_iga_minutes: int
    goal_conversations: int
    figures: dict
    streak: figures.Streak
    tier_trend: float | None  # the income share's change, in points per week
    tables: dict[str, Table]
    plan: figures.Plan | None
    # The user's goal and review settings as read for the figures; the page's forms show them
    # too, without reading the row again.
    settings: InsightSettings
    # The sources the funnel can be narrowed to (id, label), and the one it is narrowed to.
    funnel_sources: list[tuple[int, str]] = field(default_factory=list)
    funnel_source: int | None = None

    def as_dict(self) -> dict:
        """Every figure and every table, as the CLI's --json gives them."""
        plan = self.plan
        return {
            "range": {
                "key": self.range.key,
                "from": self.range.first.isoformat(),
                "to": self.range.last.isoformat(),
            },
            "figures": self.figures,
            "streak": {
                "current": self.streak.current,
                "longest": self.streak.longest,
                "prospecting_days": self.streak.prospecting_days,
                "days_with_conversation": self.streak.talked_days,
            },
            "tier_trend_points_per_week": None
            if self.tier_trend is None
            else round(100 * self.tier_trend, 1),
            "goal": None if plan is None else plan_dict(plan),
            "tables": {key: table.as_dicts() for key, table in self.tables.items()},
        }


def plan_dict(plan: figures.Plan) -> dict:
    return {
        "income_goal": str(plan.goal),
        "currency": plan.currency,
        "rates": [
            {"name": r.name, "value": None if r.value is None else round(r.value, 4), "own": r.own}
            for r in plan.rates
        ],
        "joins_per_month": plan.joins_per_month,
        "conversations_per_week": plan.conversations_per_week,
        "bookings_per_week": plan.bookings_per_week,
        "leadgen_hours_per_week": plan.leadgen_hours_per_week,
        "block_hours_per_week": plan.block_hours_per_week,
        "calls_blocks_hold": plan.calls_blocks_hold,
        "fits": plan.fits,
    }


def scorecard(
    user: User, chosen: periods.Range, *, now: datetime, funnel_source: int | None = None
) -> Scorecard:
    """Every figure of the range, in a fixed number of queries. `funnel_source` narrows the
    funnel to one lead source (an id of the user's; anything else means all of them)."""
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    first, last = chosen.first, chosen.last
    elapsed_last = chosen.elapsed_last(today)
    start, end = reads.bounds(first, last, tz)
    settings = reads.settings_for(user)

    # The ledger: a day's totals for the streak's look back and the range, in one read (a row
    # a day): the range's days, and the days with a conversation for the streak.
    history_first = min(first, today - timedelta(days=STREAK_LOOKBACK_DAYS))
    history = reads.days(user, history_first, max(last, today))
    totals = {day: total for day, total in history.items() if first <= day <= last}
    talked = {day for day, total in history.items() if total.conversations > 0}

    # Prospecting blocks and the calls in them, from the range's start to the weeks ahead.
    this_monday = timekit.week_start(today)
    ahead_end_day = this_monday + timedelta(days=7 * (AHEAD_WEEKS + 1) - 1)
    span_start, span_end = reads.bounds(min(first, history_first), max(last, ahead_end_day), tz)
    specs = routine_queries.specs(user)
    calls = reads.calls(user, start, reads.bounds(first, max(last, ahead_end_day), tz)[1])
    blocks = reads.prospecting(specs, span_start, span_end)

    prospecting_dates = reads.prospecting_dates(blocks, tz)
    days_table, day_figures = _days(totals, first, elapsed_last, user, prospecting_dates)
    tiers_table, trend = _tiers(totals, first, elapsed_last)
    fill_table, fill_figures = _fill(blocks, calls, chosen, elapsed_last, this_monday, tz, now)
    streak = figures.streak(prospecting_dates, talked, today=today, first=first, last=last)
    booked = reads.bookings(user, start, end, now=now)
    calls_figures = _call_sessions(user, start, end, now)
    sources_table, categories_table, funnel, funnel_figures, funnel_choices = yields.lead_yield(
        user,
        reads.leadgen_time(user, first, last),
        start,
        end,
        chosen,
        funnel_source=funnel_source,
    )
    callbacks_table, callbacks = _callbacks(user, first, last, tz)
    months_table, kinds_table = yields.income_tables(user, totals, first, last)

    ran = [totals[d] for d in totals if elapsed_last and d <= elapsed_last]
    conversations = sum(d.conversations for d in ran)
    prescheduled = sum(d.prescheduled for d in ran)
    figures_ = {
        **day_figures,
        **fill_figures,
        "show_up_percent": figures.percent(booked.completed, booked.past),
        "past_calls": booked.past,
        "completed_calls": booked.completed,
        "no_shows": booked.no_show,
        "unmarked_calls": booked.past - booked.completed - booked.no_show,
        "prescheduled_conversations": prescheduled,
        "prescheduled_percent": figures.percent(prescheduled, conversations),
        **calls_figures,
        "overrides": sum(d.overrides for d in ran),
        "override_seconds": sum(d.override_seconds for d in ran),
        "callback_requests": callbacks,
        **funnel_figures,
    }
    plan = _plan(user, settings, specs, history, today, now, tz)
    return Scorecard(
        range=chosen,
        today=today,
        currency=user.currency,
        goal_iga_minutes=user.goal_iga_minutes,
        goal_conversations=user.goal_conversations,
        figures=figures_,
        streak=streak,
        tier_trend=trend,
        tables={
            t.key: t
            for t in (
                days_table,
                tiers_table,
                fill_table,
                funnel,
                sources_table,
                categories_table,
                callbacks_table,
                months_table,
                kinds_table,
            )
        },
        plan=plan,
        settings=settings,
        funnel_sources=funnel_choices[0],
        funnel_source=funnel_choices[1],
    )


def _days(totals: dict, first: date, elapsed_last: date | None, user: User, prospecting: set):
    """IGA time and conversations per day so far, against the daily goals. The goals are for
    prospecting days (days with a prospecting block; every day for a user with no routine):
    the days met are counted, and the averages taken, over those."""
    table = Table(
        "days",
        "IGA time and conversations per day",
        [
            Column("day", "Day", DAY),
            Column("iga_hours", "IGA time", HOURS),
            Column("conversations", "Conversations"),
            Column("iga_goal_met", "Met the time goal", FLAG),
            Column("conversations_goal_met", "Met the conversations goal", FLAG),
            Column("prospecting_day", "Prospecting day", FLAG),
        ],
    )
    goal_seconds, goal_talks = user.goal_iga_minutes * 60, user.goal_conversations
    met_time = met_talks = met_both = goal_days = 0
    iga = talks = 0
    for day in timekit.days(first, elapsed_last) if elapsed_last else []:
        total = totals.get(day)
        seconds = total.seconds.get(Tier.INCOME, 0) if total else 0
        count = total.conversations if total else 0
        time_ok, talks_ok = seconds >= goal_seconds, count >= goal_talks
        goal_day = not prospecting or day in prospecting
        if goal_day:
            goal_days += 1
            met_time += time_ok
            met_talks += talks_ok
            met_both += time_ok and talks_ok
        iga += seconds
        talks += count
        table.rows.append([day, seconds, count, time_ok, talks_ok, goal_day])
    return table, {
        "days": len(table.rows),
        "goal_days": goal_days,
        "iga_seconds": iga,
        "conversations": talks,
        "days_met_time_goal": met_time,
        "days_met_conversations_goal": met_talks,
        "days_met_both_goals": met_both,
        "iga_seconds_per_day": round(iga / goal_days) if goal_days else None,
        "conversations_per_day": round(talks / goal_days, 1) if goal_days else None,
    }


def _tiers(totals: dict, first: date, elapsed_last: date | None):
    """Time per tier per week, the income share of each week, and the share's trend."""
    table = Table(
        "tiers",
        "Time per tier per week",
        [
            Column("week", "Week of", WEEK),
            Column("income_hours", "Income-generating", HOURS),
            Column("leadgen_hours", "Lead generation", HOURS),
            Column("other_hours", "Busy work", HOURS),
            Column("iga_share", "IGA share", PERCENT),
        ],
    )
    if elapsed_last is None:
        return table, None
    mondays = periods.mondays(first, elapsed_last)
    per_tier = {
        tier: reads.weekly(
            {d: t.seconds.get(tier, 0) for d, t in totals.items() if d <= elapsed_last},
            mondays,
        )
        for tier in TIER_ORDER
    }
    shares = []
    for index, monday in enumerate(mondays):
        seconds = [per_tier[tier][index] for tier in TIER_ORDER]
        share = figures.share(seconds[0], sum(seconds))
        if share is not None:
            shares.append(share)
        table.rows.append([max(monday, first), *seconds, share])
    return table, figures.slope(shares)


def _fill(blocks, calls, chosen: periods.Range, elapsed_last, this_monday: date, tz, now):
    """Booked ÷ block time per week: the range's past weeks (clipped to the range), then this
    week and the weeks ahead; the range's own fill up to now; and the two weeks ahead's."""
    table = Table(
        "fill",
        "Fill rate per week",
        [
            Column("week", "Week of", WEEK),
            Column("when", "When", TEXT),
            Column("block_hours", "Prospecting time", HOURS),
            Column("booked_hours", "Booked", HOURS),
            Column("fill", "Fill rate", PERCENT),
        ],
    )
    first, last = chosen.first, chosen.last
    past = [m for m in periods.mondays(first, elapsed_last or first) if m < this_monday]
    weeks = [(max(m, first), min(m + timedelta(days=6), last), "past") for m in past]
    weeks += [
        (monday, monday + timedelta(days=6), "this week" if i == 0 else "ahead")
        for i, monday in enumerate(
            this_monday + timedelta(days=7 * i) for i in range(AHEAD_WEEKS + 1)
        )
    ]
    if not elapsed_last:
        weeks = [w for w in weeks if w[2] != "past"]
    # Each week looks only at its own blocks and calls, not the range's.
    near_blocks, near_calls = reads.Near(blocks), reads.Near(calls)
    for lo_day, hi_day, when in weeks:
        lo, hi = reads.bounds(lo_day, hi_day, tz)
        fill = reads.fill_of(near_blocks.near(lo, hi), near_calls.near(lo, hi), lo, hi)
        table.rows.append(
            [lo_day, when, fill.block_seconds, fill.booked_seconds,
             figures.share(fill.booked_seconds, fill.block_seconds)]
        )  # fmt: skip
    so_far = None
    if elapsed_last:
        start, end = reads.bounds(first, last, tz)
        so_far = reads.fill_of(blocks, calls, start, min(end, now))
    ahead_start, _ = reads.bounds(this_monday + timedelta(days=7), this_monday, tz)
    _, ahead_end = reads.bounds(this_monday, this_monday + timedelta(days=7 * AHEAD_WEEKS + 6), tz)
    ahead = reads.fill_of(blocks, calls, ahead_start, ahead_end)
    return table, {
        "fill_percent": so_far and figures.percent(so_far.booked_seconds, so_far.block_seconds),
        "fill_ahead_percent": figures.percent(ahead.booked_seconds, ahead.block_seconds),
    }


def _call_sessions(user: User, start: datetime, end: datetime, now: datetime) -> dict:
    """Dials per conversation and conversations per hour of the call queue's sessions: every
    call started from the queue is a dial; talked, booked and declined are conversations; a
    session lasts from its start to its end (or the last thing done in it). Two queries."""
    counts = CallAttempt.objects.filter(
        user=user, started_at__gte=start, started_at__lt=end
    ).aggregate(dials=Count("pk"), talks=Count("pk", filter=Q(outcome__in=CONVERSATIONS)))
    seconds = 0
    sessions = CallSession.objects.filter(user=user, started_at__gte=start, started_at__lt=end)
    for started, ended, seen in sessions.values_list("started_at", "ended_at", "last_seen_at"):
        seconds += timekit.elapsed_seconds(started, min(ended or seen, now))
    dials, talks = counts["dials"], counts["talks"]
    return {
        "dials": dials,
        "call_conversations": talks,
        "call_session_seconds": seconds,
        "dials_per_conversation": round(dials / talks, 2) if talks else None,
        "conversations_per_hour": round(talks * 3600 / seconds, 2) if seconds else None,
    }


def _callbacks(user: User, first: date, last: date, tz):
    table = Table(
        "callbacks",
        "Call-back requests per week (no free time to book)",
        [Column("week", "Week of", WEEK), Column("requests", "Requests")],
    )
    start, end = reads.bounds(first, last, tz)
    per_day: dict[date, int] = defaultdict(int)
    for at in CallbackRequest.objects.filter(
        user=user, created_at__gte=start, created_at__lt=end
    ).values_list("created_at", flat=True):
        per_day[timekit.local_date(at, tz)] += 1
    mondays = periods.mondays(first, last)
    for monday, n in zip(mondays, reads.weekly(per_day, mondays), strict=True):
        table.rows.append([max(monday, first), n])
    return table, sum(per_day.values())


def _plan(
    user: User, settings, specs, history: dict, today: date, now: datetime, tz
) -> figures.Plan | None:
    """The monthly income goal worked back from the last 90 days' rates (or starters), and
    whether the coming week's prospecting blocks hold the calls it needs. `history` holds the
    day totals of at least those 90 days. Four queries."""
    if settings.income_goal is None:
        return None
    first = today - timedelta(days=figures.RATE_WINDOW_DAYS - 1)
    start, end = reads.bounds(first, today, tz)
    earned = Income.objects.filter(
        user=user, date__gte=first, date__lte=today, currency=user.currency
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    joined = len(reads.joins(user, start, end))
    window = [total for day, total in history.items() if first <= day <= today]
    talks = sum(total.conversations for total in window)
    leadgen_hours = sum(total.seconds.get(Tier.LEADGEN, 0) for total in window) / 3600
    booked = reads.bookings(user, start, end, now=now)
    estimate = settings.income_per_join
    days = figures.RATE_WINDOW_DAYS
    week_start, _ = timekit.local_day_bounds(today, tz)
    week = reads.prospecting(specs, week_start, week_start + timedelta(days=7))
    block_seconds = fillrate.fill([(b.start, b.end) for b in week], []).block_seconds
    return figures.work_back(
        settings.income_goal,
        user.currency,
        income_per_join=figures.own_or_starter(
            "Income per join",
            float(earned),
            joined,
            enough=ENOUGH_JOINS,
            starter=float(estimate) if estimate else None,
            basis=f"{earned:,.2f} {user.currency} over {joined} joins, last {days} days",
            starter_basis="your estimate" if estimate else "not known yet: give your estimate",
        ),
        joins_per_conversation=figures.own_or_starter(
            "Joins per conversation",
            joined,
            talks,
            enough=ENOUGH_CONVERSATIONS,
            starter=figures.STARTER_JOINS_PER_CONVERSATION,
            basis=f"{joined} joins from {talks} conversations, last {days} days",
            starter_basis=(
                f"starter: 1 in 10, until {ENOUGH_CONVERSATIONS} conversations and a join"
            ),
        ),
        show_up=figures.own_or_starter(
            "Booked calls held",
            booked.completed,
            booked.past,
            enough=ENOUGH_PAST_CALLS,
            starter=figures.STARTER_SHOW_UP,
            basis=f"{booked.completed} of {booked.past} calls held, last {days} days",
            starter_basis=f"starter: 4 in 5, until {ENOUGH_PAST_CALLS} booked calls",
        ),
        bookings_per_leadgen_hour=figures.own_or_starter(
            "Bookings per lead-gen hour",
            booked.made,
            leadgen_hours,
            enough=ENOUGH_LEADGEN_HOURS,
            starter=figures.STARTER_BOOKINGS_PER_LEADGEN_HOUR,
            basis=f"{booked.made} bookings in {leadgen_hours:.1f} h, last {days} days",
            starter_basis=f"starter: 1 per 2 h, until {ENOUGH_LEADGEN_HOURS} h of lead generation",
        ),
        block_minutes_per_week=block_seconds // 60,
        call_minutes=reads.call_minutes(user),
    )
