"""The calendar: a week of blocks, calls and free slots as a grid on a desktop, and one day
as a list of its blocks, calls and free times on a phone (app.css shows one or the other)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from mainthing.core import timekit
from mainthing.core.navigation import day_param
from mainthing.routine import queries as routine_queries

from .. import queries


@login_required
def calendar(request):
    """`?week=` picks the week (any of its days); `?day=` the phone's day, and with it the
    week that holds it. Without either: today and its week."""
    user = request.user
    now = timezone.now()
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    chosen = day_param(request, "week", default=today)
    day = day_param(request, "day", default=chosen)
    first = timekit.week_start(day)
    specs = routine_queries.specs(user)
    week = queries.calendar_week(user, first, now=now, block_specs=specs)
    signal = queries.fill_signal(user, now=now, block_specs=specs)
    return render(
        request,
        "bookings/calendar.html",
        {
            "week": week,
            "grid": week.grid,
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
            "signal": signal,
            "free_count": len(week.free),
            "day": day,
            "today": today,
            "day_before": day - timedelta(days=1),
            "day_after": day + timedelta(days=1),
            "day_items": queries.calendar_day(user, day, week=week, block_specs=specs),
        },
    )
