"""A prospect's own booking, `/booking/<token>/`: see it, add it to a calendar, move it to
another free time or cancel it until the cut-off. The secret link is the key; the page shows
that one booking and nothing else of the user's."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from mainthing.core import ratelimit, timekit

from .. import abuse, letters, managelinks, public, services
from ..forms.public import hour12_for, parse_start, time_label
from ..models import Appointment, Status


def _appointment_or_404(token: str) -> Appointment:
    appointment = managelinks.appointment_for(token)
    if appointment is None:
        raise Http404("No booking at this link.")
    return appointment


def _private(response):
    # The URL is the key: no shared cache keeps the page, no search engine the link.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def calendar_links(appointment: Appointment, title: str, details: str) -> list[tuple[str, str]]:
    """ "Add to calendar" links for one call: (calendar app, link). Google and Outlook open
    their own compose pages with the times filled in; nothing is sent to them from here."""
    fmt = "%Y%m%dT%H%M%SZ"
    google = urlencode(
        {
            "action": "TEMPLATE",
            "text": title,
            "dates": f"{appointment.start:{fmt}}/{appointment.end:{fmt}}",
            "details": details,
        }
    )
    outlook = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": title,
            "startdt": appointment.start.isoformat(),
            "enddt": appointment.end.isoformat(),
            "body": details,
        }
    )
    return [
        ("Google Calendar", f"https://calendar.google.com/calendar/render?{google}"),
        ("Outlook", f"https://outlook.live.com/calendar/0/deeplink/compose?{outlook}"),
    ]


def cutoff_said(minutes: int) -> str:
    """The cut-off as a person says it: "2 hours before the call"."""
    if not minutes:
        return "the call starts"
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} day{'s' if days > 1 else ''} before the call"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours > 1 else ''} before the call"
    return f"{minutes} minutes before the call"


def _zone_of(request, appointment: Appointment) -> str:
    """The zone the page shows times in: the visitor's pick, else the one they booked in."""
    for name in (request.GET.get("tz"), appointment.prospect_time_zone):
        if timekit.is_zone(name):
            return name
    return appointment.user.time_zone


@require_safe
def manage(request, token: str):
    appointment = _appointment_or_404(token)
    return _manage_page(request, token, appointment, timezone.now())


def _manage_page(request, token, appointment, now, *, status=200, error: str = ""):
    page = public.page_for(appointment.user)
    tz = _zone_of(request, appointment)
    zone = timekit.zone(tz)
    owner_zone = timekit.zone(appointment.user.time_zone)
    h12 = hour12_for(request.GET.get("h"), request.headers.get("Accept-Language", ""))
    changeable = public.can_change(appointment, page, now)
    days = []
    if changeable and request.GET.get("move"):
        found = public.slot_days(
            page, tz=tz, minutes=appointment.minutes, now=now, exclude=appointment.pk
        )
        days = [
            {
                "day": d.day,
                "slots": [
                    {"value": s.isoformat(), "label": time_label(s, zone, h12)}
                    for s, _ in d.slots
                    if s != appointment.start
                ],
            }
            for d in found
        ]
    owner = appointment.user.display_name
    title = f"Call with {owner}"
    context = {
        "appointment": appointment,
        "token": token,
        "owner": appointment.user,
        "tz": tz,
        "page_slug": page.slug,
        "start": appointment.start.astimezone(zone),
        "start_label": time_label(appointment.start, zone, h12),
        "end_label": time_label(appointment.end, zone, h12),
        "owner_start": appointment.start.astimezone(owner_zone),
        "owner_start_label": time_label(appointment.start, owner_zone, h12),
        "owner_end_label": time_label(appointment.end, owner_zone, h12),
        "same_zone": tz == appointment.user.time_zone,
        "h": "12" if h12 else "24",
        "scheduled": appointment.status == Status.SCHEDULED,
        "cancelled": appointment.status == Status.CANCELLED,
        "changeable": changeable,
        "cutoff_said": cutoff_said(page.cutoff_minutes),
        "moving": bool(request.GET.get("move")),
        "cancelling": bool(request.GET.get("cancel")),
        "days": days,
        "calendar_links": calendar_links(appointment, title, f"Booked on {owner}'s page."),
        "error": error,
    }
    response = render(request, "bookings/public/manage.html", context, status=status)
    return _private(response)


def _back(token: str, request) -> str:
    query = urlencode({k: v for k in ("tz", "h") if (v := request.POST.get(k))})
    return reverse("booking:manage", args=[token]) + (f"?{query}" if query else "")


@require_POST
def reschedule(request, token: str):
    appointment = _appointment_or_404(token)
    now = timezone.now()
    wait = abuse.booking_wait(request, public.page_for(appointment.user))
    if wait:
        return ratelimit.too_many(request, wait, reason="Too many changes.")
    start: datetime | None = parse_start(request.POST.get("start"))
    if start is None:
        return _manage_page(
            request, token, appointment, now, status=422, error="Pick one of the free times."
        )
    try:
        public.reschedule(appointment, start=start, now=now)
    except services.SlotTaken:
        return _manage_page(
            request, token, appointment, now, status=409,
            error="That time was just taken. Pick another one.",
        )  # fmt: skip
    except ValidationError as error:
        return _manage_page(request, token, appointment, now, status=422, error=error.messages[0])
    messages.success(request, "Your call is moved. An updated invitation is on its way.")
    return redirect(_back(token, request))


@require_POST
def cancel(request, token: str):
    appointment = _appointment_or_404(token)
    now = timezone.now()
    try:
        public.cancel(appointment, now=now)
    except ValidationError as error:
        return _manage_page(request, token, appointment, now, status=422, error=error.messages[0])
    messages.success(request, "Your call is cancelled. We've let them know.")
    return redirect(_back(token, request))


@require_safe
def event(request, token: str):
    """The call as an .ics file, for Apple Calendar and any other calendar app."""
    appointment = _appointment_or_404(token)
    body = letters.invitation(appointment, method="PUBLISH", for_prospect=True, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="call.ics"'
    return _private(response)
