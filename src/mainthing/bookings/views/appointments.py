"""One call: booking it, its page, moving, completing, cancelling and marking a no-show."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from mainthing.activity.services import OverlapError
from mainthing.core import timekit
from mainthing.core.forms import add_service_errors
from mainthing.prospects import queries as prospect_queries

from .. import queries, services
from ..forms import BookForm, CompleteForm, MoveForm
from ..models import Appointment


@login_required
@require_http_methods(["GET", "POST"])
def book(request):
    """Books a call: with a prospect of yours (`?prospect=<id>`), or with a new prospect made
    from a name and a source."""
    user = request.user
    now = timezone.now()
    prospect_id = request.GET.get("prospect")
    prospect = prospect_queries.prospect_for_user(user, prospect_id) if prospect_id else None
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
        "their_zone": queries.their_zone(appointment, request.user),
        "history": list(appointment.changes.all()),
        "mails": queries.unsent_mails(appointment),
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
