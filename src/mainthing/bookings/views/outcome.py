"""The screen after a call: the stage, a note and the next step (a follow-up date or the next
call booked in a free slot)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from mainthing.activity import queries as activity_queries
from mainthing.core import timekit
from mainthing.core.forms import add_service_errors
from mainthing.prospects import queries as prospect_queries
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import Prospect, Stage

from .. import queries, services
from ..forms import OutcomeForm, day_label


def _outcome_form(request, prospect: Prospect, *, now, data=None) -> OutcomeForm:
    """The outcome form with the free slots inside prospecting blocks of the next days."""
    tz = timekit.zone(request.user.time_zone)
    today = timekit.local_date(now, tz)
    slots = queries.free_starts_ahead(request.user, now=now)
    return OutcomeForm(data, prospect=prospect, today=today, slots=slots, tz=tz)


@login_required
@require_http_methods(["GET", "POST"])
def record_outcome(request, prospect_id: int):
    """One screen after a call (`?appointment=<id>` or `?activity=<id>` says which): the stage,
    a note and the next step, a follow-up date or the next call booked in a free slot."""
    prospect = prospect_queries.prospect_for_user(request.user, prospect_id)
    user = request.user
    appointment_id, activity_id = request.GET.get("appointment"), request.GET.get("activity")
    appointment = queries.appointment_for_user(user, appointment_id) if appointment_id else None
    if appointment is not None and appointment.prospect_id != prospect.pk:
        raise Http404("That call was with someone else.")
    activity = activity_queries.entry_for_user(user, activity_id) if activity_id else None
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
            prospect = prospect_queries.prospect_for_user(request.user, prospect_id)
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
