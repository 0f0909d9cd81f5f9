"""What the booking emails say: the call's time in each side's zone with the zone named, the
`.ics` invitation, the links, and the template context every booking email starts from.

No writes here (the outbox is `mails`, the rows' rules `notify` and `reminders`): these
functions read an appointment and return text.

The `.ics` follows iTIP (RFC 5546): one UID per appointment (`appointment-<pk>@mainthing`, as
the calendar feed uses, so an event added from a mail and the feed's stay one), the
appointment's SEQUENCE (it grows on every change, so calendars apply a move or a cancel
instead of keeping the old copy), METHOD:REQUEST for a booking or a move and METHOD:CANCEL
with STATUS:CANCELLED for a cancel. Times carry the reader's zone (TZID with its VTIMEZONE),
so a calendar shows the zone the mail names. Every value goes through icalendar, which escapes
text and parameters, so a name or a note can't add a line of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress

from mainthing.core import timekit

from .models import Appointment, Status

PRODID = "-//Mainthing//Booking//EN"
REQUEST, CANCEL = "REQUEST", "CANCEL"


# --- time, in words ------------------------------------------------------------------------------


def zone_for(name: str) -> ZoneInfo:
    """The zone a person booked in; UTC for an empty or unknown name (older rows, odd input)."""
    return timekit.zone(name) if timekit.is_zone(name) else ZoneInfo("UTC")


def _offset(local: datetime) -> str:
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _short(local: datetime) -> str:
    """The zone's letters at that moment ("IST", "BST"), or its offset where the tz database
    has none ("UTC+05:45")."""
    short = local.tzname() or ""
    return _offset(local) if not short or short[0] in "+-" else short


def zone_label(local: datetime) -> str:
    """The zone of a local time, named: "IST (Asia/Kolkata)", "UTC+05:45 (Asia/Kathmandu)",
    plain "UTC" for UTC."""
    name, short = str(local.tzinfo), _short(local)
    return short if name in {"UTC", short} else f"{short} ({name})"


def when(start: datetime, end: datetime, zone_name: str) -> str:
    """A call's time as a person reads it in their zone:
    "Tuesday 10 March, 20:30\N{EN DASH}21:00 IST (Asia/Kolkata)". A call across a DST change
    names both offsets: "01:30 BST\N{EN DASH}01:30 GMT (Europe/London)"."""
    tz = zone_for(zone_name)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = f"{local_start:%A} {local_start.day} {local_start:%B}"
    if _short(local_start) == _short(local_end):
        return f"{day}, {local_start:%H:%M}\N{EN DASH}{local_end:%H:%M} {zone_label(local_start)}"
    label = zone_label(local_end).removeprefix(_short(local_end))
    return (
        f"{day}, {local_start:%H:%M} {_short(local_start)}\N{EN DASH}"
        f"{local_end:%H:%M} {_short(local_end)}{label}"
    )


# --- links ---------------------------------------------------------------------------------------


def manage_url(token: str) -> str:
    """The prospect's manage link (`/booking/<token>/`, a public address in DESIGN.md)."""
    return settings.BASE_URL + reverse("booking:manage", args=[token])


def appointment_url(appointment: Appointment) -> str:
    return settings.BASE_URL + reverse("bookings:appointment", args=[appointment.pk])


def card_url(prospect_id: int | None) -> str:
    if prospect_id is None:
        return ""
    return settings.BASE_URL + reverse("prospects:card", args=[prospect_id])


# --- the template context ------------------------------------------------------------------------


def context(appointment: Appointment, *, manage: str = "", old_start: datetime | None = None):
    """What every booking email's templates read: both sides' names and contacts, the call's
    time in the prospect's zone and the user's, and the links."""
    user = appointment.user
    prospect = appointment.prospect
    prospect_zone = appointment.prospect_time_zone or user.time_zone
    old_end = old_start + (appointment.end - appointment.start) if old_start else None
    return {
        "appointment": appointment,
        "user_name": user.display_name,
        "user_email": user.email,
        "prospect_name": appointment.prospect_name,
        "prospect_email": prospect.email if prospect else "",
        "prospect_phone": prospect.phone if prospect else "",
        "note": appointment.note,
        "minutes": appointment.minutes,
        "source": appointment.source.label if appointment.source_id else "",
        "when_prospect": when(appointment.start, appointment.end, prospect_zone),
        "when_user": when(appointment.start, appointment.end, user.time_zone),
        "was_prospect": when(old_start, old_end, prospect_zone) if old_start else "",
        "was_user": when(old_start, old_end, user.time_zone) if old_start else "",
        "manage_url": manage,
        "appointment_url": appointment_url(appointment),
        "card_url": card_url(appointment.prospect_id),
    }


# --- the .ics ------------------------------------------------------------------------------------


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    # A parameter can't hold a line break; icalendar escapes quotes (RFC 6868).
    address.params["CN"] = " ".join(name.split())
    address.params.update(params)
    return address


def invitation(
    appointment: Appointment, *, method: str, for_prospect: bool, manage: str = "", now: datetime
) -> str:
    """The call as an iCalendar invitation for one side: the prospect's copy in their zone with
    the manage link, the user's in theirs with the appointment's page."""
    user = appointment.user
    prospect = appointment.prospect
    if for_prospect:
        tz = zone_for(appointment.prospect_time_zone)
        summary = f"Call with {user.display_name}"
        url = manage
        lines = [f"Reschedule or cancel: {manage}"] if manage else []
    else:
        tz = zone_for(user.time_zone)
        summary = f"Call with {appointment.prospect_name}"
        url = appointment_url(appointment)
        lines = [f"Prospect card: {card_url(appointment.prospect_id)}"]
    if appointment.note:
        lines.insert(0, appointment.note)
    cancelled = method == CANCEL or appointment.status == Status.CANCELLED
    attendees = []
    if prospect is not None and prospect.email:
        attendees.append(
            _address(
                prospect.email,
                appointment.prospect_name,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="DECLINED" if cancelled else "ACCEPTED",
                RSVP="FALSE",
            )
        )
    event = Event.new(
        uid=f"appointment-{appointment.pk}@mainthing",
        sequence=appointment.sequence,
        stamp=now.astimezone(UTC).replace(microsecond=0),
        start=appointment.start.astimezone(tz),
        end=appointment.end.astimezone(tz),
        summary=summary,
        description="\n\n".join(lines) or None,
        organizer=_address(user.email, user.display_name),
        attendees=attendees,
        status="CANCELLED" if cancelled else "CONFIRMED",
        transparency="OPAQUE",
        url=url or None,
    )
    calendar = Calendar.new(prodid=PRODID, method=method, uid=f"mail-{appointment.pk}@mainthing")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
