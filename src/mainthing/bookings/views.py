from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mainthing.activity import queries as activity_queries
from mainthing.activity import widgets
from mainthing.activity.services import OverlapError
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.core.forms import add_service_errors
from mainthing.routine import queries as routine_queries

from . import feeds, queries, services
from .forms import BookForm, CompleteForm, MoveForm
from .models import Appointment


def get_appointment(request, pk: int) -> Appointment:
    """The request user's appointment or 404: the one way views reach an appointment."""
    return get_object_or_404(Appointment.objects.select_related("user"), pk=pk, user=request.user)


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
        "talks": queries.conversations(
            user, *timekit.local_day_bounds(timekit.local_date(now, tz), tz)
        ),
        # Reversed once here: the page has a button per category and a link per entry.
        "start_url": reverse("activity:start-timer"),
        "stop_url": reverse("activity:stop-timer"),
        "edit_url": reverse("activity:edit-entry", args=[0]).replace("/0/", "/{}/"),
    }
    if request.headers.get("HX-Request") and request.GET.get("part") == "now":
        return render(request, "bookings/today.html#now", context)
    t = context["t"]
    running_id = t.running.category_id if t.running else None
    context["start_groups"] = [
        {"tier": tier, "buttons": widgets.start_buttons(group, running_category_id=running_id)}
        for tier, group in t.groups
    ]
    context["entry_rows"] = widgets.entry_rows(t.entries, tz=tz, edit_url=context["edit_url"])
    context["signal"] = queries.fill_signal(
        user, now=now, block_specs=specs, booked=[(a.start, a.end) for a in upcoming]
    )
    return render(request, "bookings/today.html", context)


@login_required
def calendar(request):
    user = request.user
    now = timezone.now()
    tz = timekit.zone(user.time_zone)
    try:
        chosen = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        chosen = timekit.local_date(now, tz)
    first = timekit.week_start(chosen)
    specs = routine_queries.specs(user)
    week = queries.calendar_week(user, first, now=now, block_specs=specs)
    signal = queries.fill_signal(user, now=now, block_specs=specs)
    # The phone's day list: rows built in Python (dozens of links a week; see activity.widgets).
    appointment_url = reverse("bookings:appointment", args=[0]).replace("/0/", "/{}/")
    book_url = reverse("bookings:book")
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
            '<p><a href="{}">{}&ndash;{} {}</a> <span class="badge">{}</span></p>',
            (
                (
                    appointment_url.format(a.pk),
                    f"{a.start.astimezone(tz):%H:%M}",
                    f"{a.end.astimezone(tz):%H:%M}",
                    a.prospect_name,
                    a.get_status_display(),
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


@login_required
@require_http_methods(["GET", "POST"])
def book(request):
    user = request.user
    now = timezone.now()
    initial = {"start": request.GET.get("start", "")}
    form = BookForm(request.POST or None, user=user, initial=initial)
    ask_outside = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = services.book(
                user,
                prospect_name=data["prospect_name"],
                start=data["start"],
                minutes=data["minutes"],
                now=now,
                note=data["note"],
                allow_outside=data["allow_outside"],
            )
        except services.OutsideProspecting:
            ask_outside = True
            # The confirmation resubmits the same fields with the flag set.
            form = BookForm({**request.POST.dict(), "allow_outside": "on"}, user=user)
        except services.SlotTaken as taken:
            form.add_error("start", str(taken))
            return render(request, "bookings/book.html", {"form": form}, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            local = appointment.start.astimezone(timekit.zone(user.time_zone))
            messages.success(
                request, f"Booked {appointment.prospect_name} on {local:%a %d %b at %H:%M}."
            )
            return redirect(f"/calendar/?week={timekit.week_start(local.date()):%Y-%m-%d}")
    return render(
        request,
        "bookings/book.html",
        {"form": form, "ask_outside": ask_outside, "question": services.OUTSIDE_QUESTION},
    )


@login_required
def appointment_detail(request, pk: int):
    appointment = get_appointment(request, pk)
    user = request.user
    minutes = appointment.minutes
    return render(
        request,
        "bookings/appointment.html",
        {
            "a": appointment,
            "move_form": MoveForm(
                user=user, initial={"start": appointment.start, "minutes": minutes}
            ),
            "complete_form": CompleteForm(
                user=user, initial={"start": appointment.start, "minutes": minutes}
            ),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def move_appointment(request, pk: int):
    appointment = get_appointment(request, pk)
    form = MoveForm(request.POST, user=request.user)
    status = 200
    ask_outside = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.move(
                appointment,
                start=data["start"],
                minutes=data["minutes"],
                now=timezone.now(),
                allow_outside=data["allow_outside"],
            )
        except services.OutsideProspecting:
            ask_outside = True
            form = MoveForm({**request.POST.dict(), "allow_outside": "on"}, user=request.user)
        except services.SlotTaken as taken:
            form.add_error("start", str(taken))
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Appointment moved.")
            return redirect("bookings:appointment", pk=appointment.pk)
    return render(
        request,
        "bookings/appointment.html",
        {
            "a": appointment,
            "move_form": form,
            "ask_outside": ask_outside,
            "question": services.OUTSIDE_QUESTION,
            "now": timezone.now(),
            "complete_form": CompleteForm(
                user=request.user,
                initial={"start": appointment.start, "minutes": appointment.minutes},
            ),
        },
        status=status,
    )


@login_required
@require_POST
def cancel_appointment(request, pk: int):
    appointment = get_appointment(request, pk)
    try:
        services.cancel(appointment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Cancelled the call with {appointment.prospect_name}.")
    return redirect("bookings:appointment", pk=appointment.pk)


@login_required
@require_POST
def no_show(request, pk: int):
    appointment = get_appointment(request, pk)
    try:
        services.mark_no_show(appointment, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Marked {appointment.prospect_name} as a no-show.")
    return redirect("bookings:appointment", pk=appointment.pk)


@login_required
@require_POST
def complete_appointment(request, pk: int):
    appointment = get_appointment(request, pk)
    form = CompleteForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.complete(
                appointment,
                now=timezone.now(),
                start=data["start"],
                minutes=data["minutes"],
                category=data["category"],
                allow_overlap=data["allow_overlap"],
            )
        except (OverlapError, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Call with {appointment.prospect_name} recorded: {data['minutes']} min."
            )
            return redirect("bookings:appointment", pk=appointment.pk)
    return render(
        request,
        "bookings/appointment.html",
        {
            "a": appointment,
            "complete_form": form,
            "now": timezone.now(),
            "move_form": MoveForm(
                user=request.user,
                initial={"start": appointment.start, "minutes": appointment.minutes},
            ),
        },
        status=200,
    )


# --- calendar feed ---
# Its imports sit here (to be hoisted) so the section was added without touching the rest.


@require_safe
def feed(request, token: str):
    """The calendar feed: no login (calendar clients send no cookies), the token is the key."""
    found = feeds.feed_token_for(token)
    if found is None:
        raise Http404("No such feed.")
    now = timezone.now()
    body = feeds.build_calendar(found.user, now=now)
    feeds.touch_feed_token(found, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = "inline; filename=mainthing.ics"
    # The URL is a secret: no shared cache may keep the body, and no search engine the link.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def rotate_feed(request):
    """Creates or replaces the feed URL and shows it once. Rendered, not redirected: a message
    would carry the secret through the session or a cookie."""
    raw = feeds.rotate_feed_token(request.user)
    response = render(request, "bookings/feed_url.html", {"feed_url": feeds.feed_url(raw)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_feed(request):
    if feeds.revoke_feed_token(request.user):
        messages.success(request, "Calendar feed turned off: its URL no longer works.")
    return redirect("accounts:profile")
