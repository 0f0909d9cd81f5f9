from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mainthing.activity import queries as activity_queries
from mainthing.activity import widgets
from mainthing.activity.services import OverlapError
from mainthing.activity.views import get_entry
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.core.forms import add_service_errors
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import Prospect, Stage
from mainthing.prospects.queries import card_url_pattern
from mainthing.prospects.views.prospects import get_prospect
from mainthing.routine import queries as routine_queries

from . import feeds, queries, services
from .forms import BookForm, CompleteForm, MoveForm, OutcomeForm, day_label
from .models import Appointment

# The outcome form offers free slots of this many days ahead, today included.
OUTCOME_SLOT_DAYS = 7


def get_appointment(request, pk: int) -> Appointment:
    """The request user's appointment or 404: the one way views reach an appointment."""
    return get_object_or_404(Appointment.objects.select_related("user"), pk=pk, user=request.user)


def _id_param(request, name: str) -> int | None:
    """An id from the query string; 404 for one that is not a number."""
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404(f"No such {name}.")
    return int(value)


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
    if request.headers.get("HX-Request") and request.GET.get("part") == "now":
        return render(request, "bookings/today.html#now", context)
    t = context["t"]
    context["talks"] = queries.conversations(
        user, *timekit.local_day_bounds(timekit.local_date(now, tz), tz)
    )
    edit_url = reverse("activity:edit-entry", args=[0]).replace("/0/", "/{}/")
    running_id = t.running.category_id if t.running else None
    context["start_groups"] = [
        {"tier": tier, "buttons": widgets.start_buttons(group, running_category_id=running_id)}
        for tier, group in t.groups
    ]
    context["entry_rows"] = widgets.entry_rows(t.entries, tz=tz, edit_url=edit_url)
    booked = [(a.start, a.end) for a in upcoming]
    context["signal"] = queries.fill_signal(user, now=now, block_specs=specs, booked=booked)
    context["follow_ups"] = queries.follow_ups(user, now=now, block_specs=specs, booked=booked)
    return render(request, "bookings/today.html", context)


def _follow_ups_answer(request, message: str):
    """After a one-tap follow-up action: htmx gets the section again, a plain form post goes
    back to Today with a message."""
    if request.headers.get("HX-Request"):
        follow_ups = queries.follow_ups(request.user, now=timezone.now())
        return render(request, "bookings/today.html#follow-ups", {"follow_ups": follow_ups})
    messages.success(request, message)
    return redirect("today")


@login_required
@require_POST
def mark_follow_up_done(request, pk: int):
    prospect = get_prospect(request, pk)
    prospect_services.follow_up_done(prospect, now=timezone.now())
    return _follow_ups_answer(request, f"Followed up with {prospect.name}.")


@login_required
@require_POST
def snooze_follow_up(request, pk: int):
    prospect = get_prospect(request, pk)
    prospect_services.snooze(prospect, now=timezone.now())
    return _follow_ups_answer(
        request, f"{prospect.name} moved to {day_label(prospect.follow_up_on)}."
    )


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


@login_required
@require_http_methods(["GET", "POST"])
def book(request):
    """Books a call: with a prospect of yours (`?prospect=<id>`), or with a new prospect made
    from a name and a source."""
    user = request.user
    now = timezone.now()
    prospect_id = _id_param(request, "prospect")
    prospect = get_prospect(request, prospect_id) if prospect_id else None
    initial = {"start": request.GET.get("start", "")}
    form = BookForm(request.POST or None, user=user, prospect=prospect, initial=initial)
    ask_outside = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = services.book(
                user,
                prospect=prospect,
                prospect_name=data.get("prospect_name", ""),
                source=data.get("source"),
                start=data["start"],
                minutes=data["minutes"],
                now=now,
                note=data["note"],
                allow_outside=data["allow_outside"],
            )
        except services.OutsideProspecting:
            ask_outside = True
            # The confirmation resubmits the same fields with the flag set.
            form = BookForm(
                {**request.POST.dict(), "allow_outside": "on"}, user=user, prospect=prospect
            )
        except services.SlotTaken as taken:
            form.add_error("start", str(taken))
            return render(
                request, "bookings/book.html", {"form": form, "prospect": prospect}, status=409
            )
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
        {
            "form": form,
            "prospect": prospect,
            "ask_outside": ask_outside,
            "question": services.OUTSIDE_QUESTION,
        },
    )


def _appointment_page(
    request,
    appointment: Appointment,
    *,
    move_form: MoveForm | None = None,
    complete_form: CompleteForm | None = None,
    status: int = 200,
    **extra,
):
    """The appointment page; a form not passed in is shown fresh, filled from the call."""
    initial = {"start": appointment.start, "minutes": appointment.minutes}
    if move_form is None:
        move_form = MoveForm(user=request.user, initial=initial)
    if complete_form is None:
        complete_form = CompleteForm(user=request.user, initial=initial)
    context = {
        "a": appointment,
        "move_form": move_form,
        "complete_form": complete_form,
        "now": timezone.now(),
        **extra,
    }
    return render(request, "bookings/appointment.html", context, status=status)


@login_required
def appointment_detail(request, pk: int):
    return _appointment_page(request, get_appointment(request, pk))


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
    return _appointment_page(
        request,
        appointment,
        move_form=form,
        status=status,
        ask_outside=ask_outside,
        question=services.OUTSIDE_QUESTION,
    )


def _change_status(request, pk: int, change, said: str):
    """Applies `change` (a service taking the appointment) and goes back to the appointment
    with `said` ({name} is the prospect's), or with the service's refusal."""
    appointment = get_appointment(request, pk)
    try:
        change(appointment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, said.format(name=appointment.prospect_name))
    return redirect("bookings:appointment", pk=appointment.pk)


@login_required
@require_POST
def cancel_appointment(request, pk: int):
    return _change_status(request, pk, services.cancel, "Cancelled the call with {name}.")


@login_required
@require_POST
def no_show(request, pk: int):
    return _change_status(
        request,
        pk,
        lambda appointment: services.mark_no_show(appointment, now=timezone.now()),
        "Marked {name} as a no-show.",
    )


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
            if appointment.prospect_id is not None:
                outcome = reverse("bookings:outcome", args=[appointment.prospect_id])
                return redirect(f"{outcome}?appointment={appointment.pk}")
            return redirect("bookings:appointment", pk=appointment.pk)
    return _appointment_page(request, appointment, complete_form=form)


# --- after a call ---


def _outcome_form(request, prospect: Prospect, *, now, data=None) -> OutcomeForm:
    """The outcome form with the free slots inside prospecting blocks of the next days."""
    tz = timekit.zone(request.user.time_zone)
    today = timekit.local_date(now, tz)
    # From the day's start, not from now: blocks clipped at now would shift the slot grid.
    since, _ = timekit.local_day_bounds(today, tz)
    _, until = timekit.local_day_bounds(today + timedelta(days=OUTCOME_SLOT_DAYS - 1), tz)
    slots = queries.free_slots(request.user, since, until, now=now)
    return OutcomeForm(data, prospect=prospect, today=today, slots=[s for s, _ in slots], tz=tz)


@login_required
@require_http_methods(["GET", "POST"])
def record_outcome(request, prospect_id: int):
    """One screen after a call (`?appointment=<id>` or `?activity=<id>` says which): the stage,
    a note and the next step, a follow-up date or the next call booked in a free slot."""
    prospect = get_prospect(request, prospect_id)
    appointment_id, activity_id = _id_param(request, "appointment"), _id_param(request, "activity")
    appointment = get_appointment(request, appointment_id) if appointment_id else None
    if appointment is not None and appointment.prospect_id != prospect.pk:
        raise Http404("That call was with someone else.")
    activity = get_entry(request, activity_id) if activity_id else None
    if activity is not None:
        link = getattr(activity, "prospect_link", None)
        if link is not None and link.prospect_id != prospect.pk:
            raise Http404("That time was spent on someone else.")
    now = timezone.now()
    form = _outcome_form(request, prospect, now=now, data=request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booked = services.record_call_outcome(
                prospect,
                now=now,
                stage=data["stage"],
                note=data["note"],
                follow_up_on=data["follow_up"],
                offer_affiliate=data["offer_affiliate"],
                book_at=data["book_at"],
            )
        except (services.SlotTaken, services.OutsideProspecting, ValidationError) as error:
            # Nothing was written, but the prospect in memory may have moved on: read it again.
            prospect = get_prospect(request, prospect_id)
            form = _outcome_form(request, prospect, now=now, data=request.POST)
            form.is_valid()
            if isinstance(error, ValidationError):
                add_service_errors(form, error)
            else:
                form.add_error("next_step", str(error))
                status = 409 if isinstance(error, services.SlotTaken) else 200
        else:
            said = [Stage(prospect.stage).label]
            if booked is not None:
                local = booked.start.astimezone(timekit.zone(request.user.time_zone))
                said.append(f"next call {local:%a %d %b at %H:%M}")
            elif prospect.follow_up_on:
                said.append(f"follow up {day_label(prospect.follow_up_on)}")
            messages.success(request, f"{prospect.name}: {', '.join(said)}.")
            return redirect("prospects:card", pk=prospect.pk)
    return render(
        request,
        "bookings/outcome.html",
        {
            "prospect": prospect,
            "appointment": appointment,
            "activity": activity,
            "form": form,
            "steps": form.step_groups(),
            "phone": prospect_services.format_phone(prospect.phone, request.user.phone_region),
        },
        status=status,
    )


# --- calendar feed ---


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
