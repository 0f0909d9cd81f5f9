"""A call as an iCalendar invitation: for the manage page's download and the booking emails."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from .models import Appointment, Status


def invitation(appointment: Appointment, *, method: str, now: datetime) -> bytes:
    """One call as an iCalendar object: REQUEST (invite or update), CANCEL, or PUBLISH (a
    download). Same UID for the call's whole life; SEQUENCE grows with every change."""
    calendar = Calendar.new(prodid="-//Mainthing//Booking//EN", method=method)
    owner = appointment.user.display_name
    cancelled = method == "CANCEL" or appointment.status == Status.CANCELLED
    calendar.add_component(
        Event.new(
            uid=f"appointment-{appointment.pk}@mainthing",
            summary=f"Call with {owner}",
            start=appointment.start,
            end=appointment.end,
            stamp=now,
            sequence=appointment.sequence,
            status="CANCELLED" if cancelled else "CONFIRMED",
        )
    )
    return calendar.to_ical()
