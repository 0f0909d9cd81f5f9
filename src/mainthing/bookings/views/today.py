"""Today: now and next, the timer, goals, the fill-rate signal, today's entries and the
one-tap follow-up actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from mainthing.activity import queries as activity_queries
from mainthing.activity import widgets
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.core.htmx import is_htmx
from mainthing.core.navigation import url_pattern
from mainthing.prospects import queries as prospect_queries
from mainthing.prospects import services as prospect_services
from mainthing.routine import queries as routine_queries

from .. import firstrun, queries
from ..forms import day_label


@login_required
def today(request):
    """Today: now and next, the timer, goals, the fill-rate signal and today's entries."""
    user = request.user
    now = timezone.now()
    tz = timekit.zone(user.time_zone)
    specs = routine_queries.specs(user)
    # One read of the coming fortnight's calls serves now/next, the agenda and the fill rate.
    upcoming = queries.appointments_between(user, *queries.horizon(user, now))
    context = {
        "t": activity_queries.today(user, now=now, block_specs=specs),
        "tiers": Tier,
        "nn": queries.now_next(user, now=now, block_specs=specs, upcoming_appointments=upcoming),
        # Reversed once here: the page has a button per category and a link per entry.
        "start_url": reverse("activity:start-timer"),
        "stop_url": reverse("activity:stop-timer"),
    }
    # The "now" section is polled every 30 s: it gets what it shows and nothing more.
    if is_htmx(request) and request.GET.get("part") == "now":
        return render(request, "bookings/today.html#now", context)
    t = context["t"]
    context["talks"] = queries.conversations(
        user, *timekit.local_day_bounds(timekit.local_date(now, tz), tz), now=now
    )
    edit_url = url_pattern("activity:edit-entry")
    running_id = t.running.category_id if t.running else None
    context["start_groups"] = [
        {"tier": tier, "buttons": widgets.start_buttons(group, running_category_id=running_id)}
        for tier, group in t.groups
    ]
    context["entry_rows"] = widgets.entry_rows(t.entries, tz=tz, edit_url=edit_url)
    booked = [(a.start, a.end) for a in upcoming]
    context["signal"] = queries.fill_signal(user, now=now, block_specs=specs, booked=booked)
    context["follow_ups"] = queries.follow_ups(user, now=now, block_specs=specs, booked=booked)
    context["callbacks"] = queries.callbacks_this_week(user, now=now)
    context["checklist"] = firstrun.checklist_for_today(user)
    return render(request, "bookings/today.html", context)


def _follow_ups_answer(request, message: str):
    """After a one-tap follow-up action: htmx gets the section again, a plain form post goes
    back to Today with a message."""
    if is_htmx(request):
        follow_ups = queries.follow_ups(request.user, now=timezone.now())
        return render(request, "bookings/today.html#follow-ups", {"follow_ups": follow_ups})
    messages.success(request, message)
    return redirect("today")


@login_required
@require_POST
def mark_follow_up_done(request, pk: int):
    prospect = prospect_queries.prospect_for_user(request.user, pk)
    prospect_services.follow_up_done(prospect, now=timezone.now())
    return _follow_ups_answer(request, f"Followed up with {prospect.name}.")


@login_required
@require_POST
def snooze_follow_up(request, pk: int):
    prospect = prospect_queries.prospect_for_user(request.user, pk)
    prospect_services.snooze(prospect, now=timezone.now())
    return _follow_ups_answer(
        request, f"{prospect.name} moved to {day_label(prospect.follow_up_on)}."
    )
