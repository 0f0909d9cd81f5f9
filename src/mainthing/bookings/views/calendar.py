"""The calendar: a week of blocks, calls and free slots (a grid, and a day list for phones)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from mainthing.core import timekit
from mainthing.core.navigation import day_param, url_pattern
from mainthing.prospects.queries import card_url_pattern
from mainthing.routine import queries as routine_queries

from .. import queries


@login_required
def calendar(request):
    user = request.user
    now = timezone.now()
    tz = timekit.zone(user.time_zone)
    chosen = day_param(request, "week", default=timekit.local_date(now, tz))
    first = timekit.week_start(chosen)
    specs = routine_queries.specs(user)
    week = queries.calendar_week(user, first, now=now, block_specs=specs)
    signal = queries.fill_signal(user, now=now, block_specs=specs)
    # The phone's day list: rows built in Python (dozens of links a week; see activity.widgets).
    appointment_url = url_pattern("bookings:appointment")
    book_url = reverse("bookings:book")
    card_url = card_url_pattern()
    days = {}
    for a in week.appointments:
        days.setdefault(a.start.astimezone(tz).date(), []).append(a)
    free_by_day = {}
    for slot_start, _ in week.free:
        local = slot_start.astimezone(tz)
        free_by_day.setdefault(local.date(), []).append(local)
    agenda_days = []
    for offset in range(7):
        day = first + timedelta(days=offset)
        calls = format_html_join(
            "\n",
            # The card link sits beside the call's line, not in it: the line is one link.
            '<div class="call-line"><p><a href="{}">{}&ndash;{} {}</a> '
            '<span class="badge">{}</span></p>{}</div>',
            (
                (
                    appointment_url.format(a.pk),
                    f"{a.start.astimezone(tz):%H:%M}",
                    f"{a.end.astimezone(tz):%H:%M}",
                    a.prospect_name,
                    a.get_status_display(),
                    format_html(
                        '<a class="card-link" href="{}">card</a>', card_url.format(a.prospect_id)
                    )
                    if a.prospect_id
                    else "",
                )
                for a in days.get(day, [])
            ),
        )
        free = format_html_join(
            " ",
            '<a class="button" href="{}?start={}">{}</a>',
            (
                (book_url, f"{slot:%Y-%m-%dT%H:%M}", f"{slot:%H:%M}")
                for slot in free_by_day.get(day, [])
            ),
        )
        agenda_days.append((day, calls, free))
    return render(
        request,
        "bookings/calendar.html",
        {
            "week": week,
            "grid": week.grid,
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
            "signal": signal,
            "agenda_days": agenda_days,
            "free_count": len(week.free),
        },
    )
