"""One call: booking it, its page, moving, completing, cancelling and marking a no-show."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from mainthing.activity.forms import LocalDateTimeField
from mainthing.activity.services import OverlapError
from mainthing.core import timekit
from mainthing.core.forms import add_service_errors
from mainthing.prospects import queries as prospect_queries
from mainthing.prospects.models import Prospect

from .. import mails, queries, services
from ..forms import MATCH_NEW, BookForm, CompleteForm, MoveForm
from ..models import Appointment


def _chosen_prospect(user, data, namesakes: list):
    """Whom the booking is with, from the posted form: (prospect, None) for a picked or
    confirmed one; (None, None) for a new prospect; (None, namesakes) when the typed name is
    already a prospect's and the user must say which."""
    picked = data.get("prospect_id")
    match = data.get("match") or ""
    if match.startswith("prospect:"):
        picked = match.removeprefix("prospect:")
    if picked:
        found = Prospect.objects.filter(user=user, pk=picked).first()
        if found is None:
            raise ValidationError({"prospect_name": "Pick one of your prospects."})
        return found, None
    if data.get("new_prospect") or match == MATCH_NEW:
        return None, None
    return None, (namesakes or None)


@login_required
@require_http_methods(["GET", "POST"])
def book(request):
    """Books a call: with a prospect of yours (`?prospect=<id>`, or picked as you type), or
    with a new prospect made from a name and a source. Offers the free slots inside your
    prospecting blocks first; any other time can be typed."""
    user = request.user
    now = timezone.now()
    prospect_id = request.GET.get("prospect")
    prospect = prospect_queries.prospect_for_user(user, prospect_id) if prospect_id else None
    slots = queries.free_starts_ahead(user, now=now)
    initial = {"idempotency_key": uuid.uuid4().hex, **_asked_time(user, request, slots)}
    matches: list = []
    if request.method == "POST" and prospect is None:
        # The disambiguation radios must be there to be valid when the form comes back.
        matches = prospect_queries.namesakes(user, request.POST.get("prospect_name", ""))
    form = BookForm(
        request.POST or None,
        user=user,
        prospect=prospect,
        slots=slots,
        matches=matches,
        initial=initial,
    )
    ask_outside = ask_which = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = data.get("idempotency_key") or None
        try:
            chosen, namesakes = prospect, None
            if prospect is None:
                chosen, namesakes = _chosen_prospect(user, data, matches)
            # After the namesakes are read: a twin of this form that has just booked a new
            # prospect is among them, and its booking (same transaction) is seen here.
            earlier = services.booked_with_key(user.pk, key)
            if earlier is not None:
                return _booked(request, earlier)
            if namesakes:
                ask_which = True
            else:
                appointment = services.book(
                    user,
                    prospect=chosen,
                    prospect_name=data.get("prospect_name", ""),
                    source=data.get("source"),
                    start=data["start"],
                    minutes=data["minutes"],
                    now=now,
                    note=data["note"],
                    allow_outside=data["allow_outside"],
                    idempotency_key=key,
                )
                return _booked(request, appointment)
        except services.OutsideProspecting:
            ask_outside = True
            # The confirmation resubmits the same fields with the flag set.
            form = BookForm(
                {**request.POST.dict(), "allow_outside": "on"},
                user=user,
                prospect=prospect,
                slots=slots,
                matches=matches,
            )
        except services.SlotTaken as taken:
            appointment = services.booked_with_key(user.pk, key)  # the same form sent twice at once
            if appointment is not None:
                return _booked(request, appointment)
            form.add_error("start", str(taken))
            context = {"form": form, "prospect": prospect, "slot_days": form.slot_groups()}
            return render(request, "bookings/book.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "bookings/book.html",
        {
            "form": form,
            "prospect": prospect,
            "ask_outside": ask_outside,
            "ask_which": ask_which,
            "question": services.OUTSIDE_QUESTION,
            "slot_days": form.slot_groups(),
        },
    )


def _asked_time(user, request, slots: list) -> dict:
    """The form's initial time from `?start=` (a free slot clicked on the calendar): that
    slot's radio when it is one of those offered, else the typed field."""
    asked = request.GET.get("start", "")
    try:
        start = LocalDateTimeField(tz_name=user.time_zone).clean(asked) if asked else None
    except ValidationError:
        start = None
    if start is not None and start in slots:
        return {"slot": start.isoformat()}
    return {"start": asked}


def _booked(request, appointment: Appointment):
    local = appointment.start.astimezone(timekit.zone(request.user.time_zone))
    messages.success(request, f"Booked {appointment.prospect_name} on {local:%a %d %b at %H:%M}.")
    return redirect(f"/calendar/?week={timekit.week_start(local.date()):%Y-%m-%d}")


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
        "their_zone": queries.their_zone(appointment, request.user),
        "history": list(appointment.changes.all()),
        "mails": mails.unsent_mails(appointment),
        **extra,
    }
    return render(request, "bookings/appointment.html", context, status=status)


@login_required
def appointment_detail(request, pk: int):
    return _appointment_page(request, queries.appointment_for_user(request.user, pk))


@login_required
@require_POST
def move_appointment(request, pk: int):
    appointment = queries.appointment_for_user(request.user, pk)
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
    appointment = queries.appointment_for_user(request.user, pk)
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
    return _change_status(
        request,
        pk,
        lambda appointment: services.cancel(appointment, now=timezone.now()),
        "Cancelled the call with {name}.",
    )


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
    appointment = queries.appointment_for_user(request.user, pk)
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
