"""What a booking tells the people in it: emails (through the outbox, `Mail`) and reminders
(`Reminder` rows), written in the caller's transaction and sent by the worker after commit.

The booking rules call these four functions and nothing else of the mail machinery.
"""

from __future__ import annotations

from datetime import datetime

from .models import Appointment, CallbackRequest


def booked(appointment: Appointment, *, token: str, now: datetime) -> None:
    """A booking from the page or the API: confirmation to the prospect (with `.ics`), news
    to the user, reminders scheduled."""


def moved(appointment: Appointment, *, old_start: datetime, by: str, now: datetime) -> None:
    """The call moved: both sides told, the `.ics` updated (SEQUENCE grows), reminders moved."""


def cancelled(appointment: Appointment, *, by: str, now: datetime) -> None:
    """The call is off: both sides told (METHOD:CANCEL), reminders dropped."""


def callback_requested(request: CallbackRequest, *, now: datetime) -> None:
    """Someone found no free slot and left their contact: the user is told."""
