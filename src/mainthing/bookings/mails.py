"""The outbox: every booking email is a `Mail` row first, then a send.

A row is written in the caller's transaction (a booking, a move, a claimed reminder), so it
exists exactly when what it tells of does. After commit `notify` enqueues its delivery on the
task worker; the worker's periodic sweep (`tasks.sweep`) sends whatever is due besides (a
retry, a row whose task was lost, a reminder that came due).

Delivery claims a row with a guarded update (pending → sending, or a "sending" row left for
`STUCK` by a worker that died mid-send), so two workers never send one mail twice. A mail
server that is down or refuses for now leaves the row pending with the error and a next
attempt after a back-off that doubles from 1 to 60 minutes; after `GIVE_UP` the row is
`failed`, and so is a mail the server refuses for good (an unknown address). The booking
never depends on any of it. Once sent, the body is cleared: it carried a manage link.
"""

from __future__ import annotations

import logging
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db.models import F, Q

from mainthing.core import emails

from .models import Appointment, Mail

logger = logging.getLogger("mainthing.mail")

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(minutes=60)
GIVE_UP = timedelta(hours=24)
# A send takes seconds (the SMTP timeout is 20 s); a row "sending" this long was left by a
# worker that died, and is claimable again.
STUCK = timedelta(minutes=10)
ERROR_MAX_LENGTH = Mail._meta.get_field("last_error").max_length
BATCH = 100  # rows one sweep sends at most; the next sweep takes the rest
UNSENT = (Mail.State.PENDING, Mail.State.SENDING, Mail.State.FAILED)


def queue(
    user_id: int,
    *,
    kind: str,
    to: str,
    name: str,
    context: dict,
    now: datetime,
    appointment: Appointment | None = None,
    ics: str = "",
) -> Mail:
    """Renders `emails/<name>…` and writes the row, due now, in the caller's transaction (the
    caller enqueues its delivery after commit, or leaves it to the sweep)."""
    rendered = emails.render(name, context)
    return Mail.objects.create(
        user_id=user_id,
        appointment=appointment,
        kind=kind,
        to=to,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        ics=ics,
        next_attempt_at=now,
        created_at=now,
    )


def supersede(appointment: Appointment, to: str) -> int:
    """Drops the mails to `to` about `appointment` that were not sent yet (the server was down):
    a newer mail tells the whole story, and an old time must not arrive after it. A row being
    sent right now is left to finish. Returns how many were dropped."""
    dropped, _ = Mail.objects.filter(
        appointment=appointment, to=to, state__in=(Mail.State.PENDING, Mail.State.FAILED)
    ).delete()
    return dropped


def retry_after(attempts: int) -> timedelta:
    """The pause before the next try after `attempts` failed ones: 1, 2, 4 … 60 minutes."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _claim(mail_id: int, now: datetime) -> Mail | None:
    due = Q(state=Mail.State.PENDING) | Q(state=Mail.State.SENDING)
    claimed = Mail.objects.filter(due, pk=mail_id, next_attempt_at__lte=now).update(
        state=Mail.State.SENDING, next_attempt_at=now + STUCK, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return Mail.objects.select_related("user", "appointment__prospect").filter(pk=mail_id).first()


def _reply_to(mail: Mail) -> str:
    """Where a reply goes: a prospect's reply reaches the user; the user's reply to news of a
    booking reaches the prospect."""
    if mail.to != mail.user.email:
        return mail.user.email
    prospect = mail.appointment.prospect if mail.appointment else None
    return prospect.email if prospect is not None else ""


def _permanent(error: Exception) -> bool:
    """Whether the server refused for good (5xx on the sender or the recipient), so retrying
    can't help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _describe(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:ERROR_MAX_LENGTH]


def _unreachable(error: Exception) -> bool:
    """Whether the server could not be reached at all (down, refusing connections, timing
    out), so every other mail would fail the same way now."""
    return isinstance(
        error,
        ConnectionError
        | TimeoutError
        | socket.gaierror
        | smtplib.SMTPConnectError
        | smtplib.SMTPServerDisconnected,
    )


def deliver(mail_id: int, *, now: datetime, connection=None) -> str:
    """Sends one mail if it is due and no other worker has it; returns its state afterwards
    ("skipped" when there was nothing to do)."""
    state, _ = _deliver(mail_id, now=now, connection=connection)
    return state


def _deliver(mail_id: int, *, now: datetime, connection=None) -> tuple[str, Exception | None]:
    mail = _claim(mail_id, now)
    if mail is None:
        return "skipped", None
    message = emails.message(
        mail.to, mail.subject, mail.text, mail.html, ics=mail.ics, reply_to=_reply_to(mail)
    )
    try:
        message.connection = connection or get_connection(fail_silently=False)
        message.send()
    except Exception as error:  # any failure of the server or the network
        if _permanent(error) or now - mail.created_at >= GIVE_UP:
            state, next_at = Mail.State.FAILED, now
        else:
            state, next_at = Mail.State.PENDING, now + retry_after(mail.attempts)
        Mail.objects.filter(pk=mail.pk, state=Mail.State.SENDING).update(
            state=state, next_attempt_at=next_at, last_error=_describe(error)
        )
        logger.warning("mail %s (%s): %s; now %s", mail.pk, mail.kind, _describe(error), state)
        return state, error
    Mail.objects.filter(pk=mail.pk).update(
        state=Mail.State.SENT, sent_at=now, last_error="", text="", html="", ics=""
    )
    return Mail.State.SENT, None


def deliver_due(now: datetime) -> dict[str, int]:
    """Sends the mails that are due (pending at or after their next attempt, or stuck sending),
    oldest first; returns how many ended in each state. A server that
    can't be reached ends the round (the rest keep their turn for the next one); a mail the
    server refuses doesn't hold up the others."""
    due = list(
        Mail.objects.filter(
            state__in=(Mail.State.PENDING, Mail.State.SENDING), next_attempt_at__lte=now
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    done: dict[str, int] = {}
    if not due:
        return done
    connection = get_connection(fail_silently=False)
    for mail_id in due:
        state, error = _deliver(mail_id, now=now, connection=connection)
        done[str(state)] = done.get(str(state), 0) + 1
        if error is not None and _unreachable(error):
            break
    return done


def pending_for(appointment: Appointment) -> list[Mail]:
    """The appointment's mails not delivered yet (pending, being sent, or given up on), oldest
    first: what its page shows as "mail pending"."""
    return list(Mail.objects.filter(appointment=appointment, state__in=UNSENT).order_by("pk"))


# --- what the appointment page says of them ----------------------------------------------------


# What each outbox mail about an appointment is, as its page names it.
MAIL_NAMES = {
    "booked": "Confirmation",
    "booked_user": "Your new-booking notice",
    "moved": "Notice of the new time",
    "moved_user": "Your notice of the new time",
    "cancelled": "Cancellation notice",
    "cancelled_user": "Your cancellation notice",
    "reminder": "Reminder",
    "reminder_user": "Your reminder",
}
# `_deliver` stores an error as "<exception class>: <text>": the class says what went wrong.
_UNREACHABLE = frozenset(
    {
        "ConnectionRefusedError",
        "ConnectionResetError",
        "ConnectionAbortedError",
        "ConnectionError",
        "TimeoutError",
        "timeout",
        "gaierror",
        "SMTPConnectError",
        "SMTPServerDisconnected",
        "OSError",
    }
)


@dataclass
class MailNote:
    """One mail about the appointment that has not arrived yet, as its page tells it."""

    what: str
    to: str
    state: str  # pending, sending or failed
    reason: str  # what the mail server did, in words; "" before the first try
    attempts: int
    next_try: datetime | None


def _mail_reason(last_error: str) -> str:
    if not last_error:
        return ""
    kind = last_error.split(":", 1)[0]
    if kind in _UNREACHABLE:
        return "the mail server didn't answer"
    if kind == "SMTPRecipientsRefused":
        return "the mail server refused the address"
    if kind == "SMTPAuthenticationError":
        return "the mail server refused Mainthing's login"
    return "the mail server refused it"


def unsent_mails(appointment: Appointment) -> list[MailNote]:
    """The appointment's mails still waiting, being sent or given up on (one query), oldest
    first, each with what went wrong in words."""
    return [
        MailNote(
            what=MAIL_NAMES.get(mail.kind, "Mail"),
            to=mail.to,
            state=mail.state,
            reason=_mail_reason(mail.last_error),
            attempts=mail.attempts,
            next_try=mail.next_attempt_at
            if mail.state == Mail.State.PENDING and mail.attempts
            else None,
        )
        for mail in pending_for(appointment)
    ]
