"""What a booking tells the people in it: emails (through the outbox, `Mail`) and reminders
(`Reminder` rows), written in the caller's transaction and sent by the worker after commit.

The booking rules call these four functions and nothing else of the mail machinery.

Who hears what: only a call the prospect booked through the page or the API (not one the
user put in the calendar by hand) mails the prospect, and only to the email they gave; the user
hears of every booking-page event. Each mail that carries a manage link gets a token of its
own. A move or a cancel first drops the mails about the call that are still waiting for the
server (the newer one tells the whole story, and an old time must not arrive after a new one).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from . import letters, links, mails, managelinks, reminders, tasks
from .models import Appointment, BookingPage, CallbackRequest, Change, MadeVia

logger = logging.getLogger("mainthing.mail")


def _mail(appointment: Appointment | None, user_id: int, **fields) -> None:
    mail = mails.queue(user_id, appointment=appointment, **fields)
    # robust: a task queue that is down (Redis) must not turn a committed booking into an
    # error page; the worker's sweep sends the row all the same.
    transaction.on_commit(lambda: tasks.deliver_mail.enqueue(mail.pk), robust=True)


def _from_the_page(appointment: Appointment) -> bool:
    return appointment.made_via != MadeVia.MANUAL


def _prospect_email(appointment: Appointment) -> str:
    prospect = appointment.prospect
    return prospect.email if prospect is not None else ""


def booked(appointment: Appointment, *, token: str, now: datetime) -> None:
    """A booking from the page or the API: confirmation to the prospect (with `.ics`), news
    to the user, reminders scheduled."""
    if not _from_the_page(appointment):
        return
    page = BookingPage.objects.filter(user_id=appointment.user_id).first()
    if email := _prospect_email(appointment):
        manage = letters.manage_url(token)
        _mail(
            appointment,
            appointment.user_id,
            kind="booked",
            to=email,
            name="booking_confirmed",
            context={
                **letters.context(appointment, manage=manage),
                "intro": page.intro if page else "",
            },
            ics=letters.invitation(
                appointment, method=letters.REQUEST, for_prospect=True, manage=manage, now=now
            ),
            now=now,
        )
    _mail(
        appointment,
        appointment.user_id,
        kind="booked_user",
        to=appointment.user.email,
        name="booking_new",
        context=letters.context(appointment),
        ics=letters.invitation(appointment, method=letters.REQUEST, for_prospect=False, now=now),
        now=now,
    )
    reminders.schedule(appointment, now=now)


def moved(appointment: Appointment, *, old_start: datetime, by: str, now: datetime) -> None:
    """The call moved: both sides told, the `.ics` updated (SEQUENCE grows), reminders moved."""
    if not _from_the_page(appointment):
        return
    by_prospect = by == Change.By.PROSPECT
    if email := _prospect_email(appointment):
        mails.supersede(appointment, email)
        manage = letters.manage_url(managelinks.issue(appointment, now=now))
        _mail(
            appointment,
            appointment.user_id,
            kind="moved",
            to=email,
            name="booking_moved",
            context={
                **letters.context(appointment, manage=manage, old_start=old_start),
                "by_prospect": by_prospect,
            },
            ics=letters.invitation(
                appointment, method=letters.REQUEST, for_prospect=True, manage=manage, now=now
            ),
            now=now,
        )
    mails.supersede(appointment, appointment.user.email)
    _mail(
        appointment,
        appointment.user_id,
        kind="moved_user",
        to=appointment.user.email,
        name="booking_moved_user",
        context={
            **letters.context(appointment, old_start=old_start),
            "by_prospect": by_prospect,
        },
        ics=letters.invitation(appointment, method=letters.REQUEST, for_prospect=False, now=now),
        now=now,
    )
    reminders.reschedule(appointment, now=now)


def cancelled(appointment: Appointment, *, by: str, now: datetime) -> None:
    """The call is off: both sides told (METHOD:CANCEL), reminders dropped."""
    if not _from_the_page(appointment):
        return
    reminders.drop(appointment)
    by_prospect = by == Change.By.PROSPECT
    page = BookingPage.objects.filter(user_id=appointment.user_id, enabled=True).first()
    if email := _prospect_email(appointment):
        mails.supersede(appointment, email)
        _mail(
            appointment,
            appointment.user_id,
            kind="cancelled",
            to=email,
            name="booking_cancelled",
            context={
                **letters.context(appointment),
                "by_prospect": by_prospect,
                "page_url": links.booking_url(page) if page else "",
            },
            ics=letters.invitation(appointment, method=letters.CANCEL, for_prospect=True, now=now),
            now=now,
        )
    mails.supersede(appointment, appointment.user.email)
    _mail(
        appointment,
        appointment.user_id,
        kind="cancelled_user",
        to=appointment.user.email,
        name="booking_cancelled_user",
        context={**letters.context(appointment), "by_prospect": by_prospect},
        ics=letters.invitation(appointment, method=letters.CANCEL, for_prospect=False, now=now),
        now=now,
    )


def callback_requested(request: CallbackRequest, *, now: datetime) -> None:
    """Someone found no free slot and left their contact: the user is told."""
    prospect = request.prospect
    user = request.user
    _mail(
        None,
        user.pk,
        kind="callback",
        to=user.email,
        name="booking_callback",
        context={
            "user_name": user.display_name,
            "name": prospect.name if prospect else "",
            "email": prospect.email if prospect else "",
            "phone": prospect.phone if prospect else "",
            "source": request.source.label if request.source_id else "",
            "card_url": letters.card_url(request.prospect_id),
        },
        now=now,
    )
