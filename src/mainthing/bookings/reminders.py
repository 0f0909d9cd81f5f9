"""Reminders before a call, scheduled by data: a `Reminder` row per mail to come, with the
instant it is due. The worker's sweep claims the due ones with a guarded update (`sent_at`
from NULL to now), so two workers never send one twice, and writes each one's mail into the
outbox in the same transaction as the claim.

Rules: the prospect gets the page's reminders (default 24 h and 1 h before), the user the
optional one of `remind_user_minutes`; none whose time has already passed when the call is
booked or moved (a call booked 5 hours ahead gets only the 1-hour reminder). A move replaces
them for the new time; a cancel drops them. When several of one call are due at once (the
worker was down), only the latest goes out and the others are marked done unsent; a call
that has started or is no longer scheduled gets none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import groupby

from django.db import transaction

from . import letters, mails, managelinks
from .models import Appointment, BookingPage, Reminder, Status

BATCH = 200  # reminders one sweep reads at most; the next sweep takes the rest


def due_times(start: datetime, minutes_before: Iterable[int], now: datetime):
    """(minutes before, due instant) of each reminder still ahead of `now`, earliest first.
    Pure: no database, no clock."""
    found = {(m, start - timedelta(minutes=m)) for m in minutes_before if m > 0}
    return sorted(((m, due) for m, due in found if due > now), key=lambda pair: pair[1])


def schedule(appointment: Appointment, *, now: datetime) -> list[Reminder]:
    """Writes the reminders of a call booked through the page, per the page's settings."""
    page = BookingPage.objects.filter(user_id=appointment.user_id).first()
    if page is None or appointment.status != Status.SCHEDULED:
        return []
    rows = []
    prospect = appointment.prospect
    if prospect is not None and prospect.email:
        rows += [
            Reminder(appointment=appointment, to=Reminder.To.PROSPECT, minutes_before=m, due_at=d)
            for m, d in due_times(appointment.start, page.reminder_list, now)
        ]
    if page.remind_user_minutes:
        rows += [
            Reminder(appointment=appointment, to=Reminder.To.USER, minutes_before=m, due_at=d)
            for m, d in due_times(appointment.start, [page.remind_user_minutes], now)
        ]
    return Reminder.objects.bulk_create(rows)


def reschedule(appointment: Appointment, *, now: datetime) -> list[Reminder]:
    """The call moved: its reminders are made again for the new time (one already sent for the
    old time is due again before the new one)."""
    Reminder.objects.filter(appointment=appointment).delete()
    return schedule(appointment, now=now)


def drop(appointment: Appointment) -> int:
    """The call is off: the reminders still to come are deleted."""
    dropped, _ = Reminder.objects.filter(appointment=appointment, sent_at=None).delete()
    return dropped


def send_due(now: datetime) -> int:
    """Claims the due reminders and writes their mails into the outbox; returns how many mails
    were written. Each call and recipient is one claim: the latest due reminder is sent, any
    earlier one still unsent is marked done with it."""
    due = list(
        Reminder.objects.filter(sent_at=None, due_at__lte=now)
        .select_related(
            "appointment__user", "appointment__prospect", "appointment__source__category"
        )
        .order_by("appointment_id", "to", "due_at", "pk")[:BATCH]
    )
    written = 0
    for _, group in groupby(due, key=lambda r: (r.appointment_id, r.to)):
        *earlier, latest = group
        with transaction.atomic():
            if earlier:
                Reminder.objects.filter(pk__in=[r.pk for r in earlier], sent_at=None).update(
                    sent_at=now
                )
            if not Reminder.objects.filter(pk=latest.pk, sent_at=None).update(sent_at=now):
                continue  # another worker has it
            call = latest.appointment
            if call.status != Status.SCHEDULED or call.start <= now:
                continue  # claimed, and rightly never sent
            written += _write_mail(latest, now)
    return written


def _write_mail(reminder: Reminder, now: datetime) -> int:
    call = reminder.appointment
    if reminder.to == Reminder.To.PROSPECT:
        prospect = call.prospect
        if prospect is None or not prospect.email:
            return 0
        token = managelinks.issue(call, now=now)
        to, kind, name = prospect.email, "reminder", "booking_reminder"
        context = letters.context(call, manage=letters.manage_url(token))
    else:
        to, kind, name = call.user.email, "reminder_user", "booking_reminder_user"
        context = letters.context(call)
    mails.queue(
        call.user_id, kind=kind, to=to, name=name, context=context, now=now, appointment=call
    )
    return 1
