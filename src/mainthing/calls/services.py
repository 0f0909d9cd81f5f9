"""The call queue's rules: sessions, dials and their outcomes, "skip" and "later today", and
the user's call scripts.

A dial is a `CallAttempt`. "Call" starts the call timer (an income entry linked to the
prospect, `prospects.services.start_prospect_timer`); the outcome stops it and writes what
came of the call through the prospects' and bookings' own services:

- no answer / left a message: the timer's entry is deleted (an attempt is not a conversation,
  and the ledger counts conversations from its income entries), the prospect's last contact is
  put back, and a follow-up is set for the first prospecting day two or more days ahead;
- talked: stage, note and next step (`prospects.services.record_outcome`, or a booking);
- booked: the next call in a free slot (`bookings.services.book`, idempotent by key);
- not interested: declined, and the affiliate/product path when the user offered it.

Every function here writes in one transaction and raises ValidationError (or the bookings'
SlotTaken / OutsideProspecting) with nothing written on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, Category
from mainthing.bookings import services as booking_services
from mainthing.bookings.models import DEFAULT_MINUTES, Appointment
from mainthing.core import limits, timekit
from mainthing.core.enums import Tier
from mainthing.prospects import followups
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import CLOSED_STAGES, Event, LeadSource, Prospect, Stage

from .models import IDLE_MINUTES, CallAttempt, CallSession, Outcome, Postponement, Script

# No answer or a message left: call again on the first prospecting day this many days ahead.
RETRY_AFTER_DAYS = 2
# How far ahead a retry looks for a prospecting day before it settles for RETRY_AFTER_DAYS.
RETRY_HORIZON_DAYS = 14
# "Later today" without a time: this many hours from now.
LATER_HOURS = 2
# The income categories a call is timed on, by what the call is; the first income category
# when the user renamed or archived them.
PROSPECT_CALL, FOLLOW_UP_CALL = "Prospect call", "Follow-up call"

# The words the CLI and forms take for each outcome.
OUTCOME_WORDS = {
    "talked": Outcome.TALKED,
    "no-answer": Outcome.NO_ANSWER,
    "no_answer": Outcome.NO_ANSWER,
    "message": Outcome.MESSAGE,
    "booked": Outcome.BOOKED,
    "declined": Outcome.DECLINED,
}


def parse_outcome(word: str) -> Outcome:
    """The outcome a word names (`talked`, `no-answer`, `message`, `booked`, `declined`)."""
    outcome = OUTCOME_WORDS.get(str(word).strip().lower())
    if outcome is None:
        raise ValidationError({"outcome": "Say talked, no-answer, message, booked or declined."})
    return outcome


# --- sessions ----------------------------------------------------------------------------------


def _is_idle(session: CallSession, now: datetime) -> bool:
    return now - session.last_seen_at >= timedelta(minutes=IDLE_MINUTES)


def start_session(
    user: User, *, now: datetime, source: LeadSource | bool | None = False
) -> CallSession:
    """The user's session that is going on, else a new one (an idle one is ended first, at its
    last action). `source` (a lead source, or None for any) puts that source's new leads
    first; False leaves the session's choice as it is."""
    if source not in (False, None) and source.user_id != user.pk:
        raise ValidationError({"source": "Pick one of your lead sources."})
    with transaction.atomic():
        session = (
            CallSession.objects.select_for_update().filter(user=user, ended_at__isnull=True).first()
        )
        if session is not None and _is_idle(session, now):
            session.ended_at = session.last_seen_at
            session.save(update_fields=["ended_at"])
            session = None
        if session is None:
            try:
                with transaction.atomic():
                    session = CallSession.objects.create(
                        user=user,
                        started_at=now,
                        last_seen_at=now,
                        source=source or None,
                    )
            except IntegrityError:
                # Another request opened one between our read and our insert: use it.
                session = CallSession.objects.get(user=user, ended_at__isnull=True)
        fields = ["last_seen_at"]
        session.last_seen_at = max(session.last_seen_at, now)
        if source is not False:
            session.source = source
            fields.append("source")
        session.save(update_fields=fields)
    return session


def finish_session(user: User, *, now: datetime) -> CallSession | None:
    """Ends the session going on (stopping a call timer still running in it); None if none."""
    with transaction.atomic():
        session = (
            CallSession.objects.select_for_update().filter(user=user, ended_at__isnull=True).first()
        )
        if session is None:
            return None
        _hang_up_open(session, now=now)
        session.ended_at = session.last_seen_at if _is_idle(session, now) else now
        session.save(update_fields=["ended_at"])
    return session


# --- skip and later today ----------------------------------------------------------------------


def _own(user: User, prospect: Prospect) -> None:
    if prospect.user_id != user.pk:
        raise ValidationError("That prospect belongs to someone else.")


def skip(user: User, prospect: Prospect, *, now: datetime) -> CallSession:
    """Passes over a prospect for now: they come back after everyone else in this session."""
    _own(user, prospect)
    with transaction.atomic():
        session = start_session(user, now=now)
        session.skipped = [pk for pk in session.skipped if pk != prospect.pk] + [prospect.pk]
        session.save(update_fields=["skipped"])
    return session


def later_today(
    user: User, prospect: Prospect, *, now: datetime, until: datetime | None = None
) -> Postponement:
    """Keeps a prospect out of the queue until `until` (LATER_HOURS from now by default), which
    must be later today in the user's zone (up to midnight)."""
    _own(user, prospect)
    until = until or now + timedelta(hours=LATER_HOURS)
    tz = timekit.zone(user.time_zone)
    _, midnight = timekit.local_day_bounds(timekit.local_date(now, tz), tz)
    if until <= now:
        raise ValidationError({"until": "Pick a time later than now."})
    until = min(until, midnight)
    with transaction.atomic():
        start_session(user, now=now)
        postponed, _ = Postponement.objects.update_or_create(
            user=user, prospect=prospect, defaults={"until": until}
        )
    return postponed


# --- dials ---------------------------------------------------------------------------------------


def call_category(user: User, prospect: Prospect, *, today: date) -> Category:
    """The income category a call is timed on: "Follow-up call" for someone already talked to
    or due a follow-up, "Prospect call" otherwise; the first income category when the user
    has neither. Always an income category, so the IGA question never stops a dial."""
    wanted = (
        FOLLOW_UP_CALL
        if prospect.last_contacted_at is not None
        or (prospect.follow_up_on is not None and prospect.follow_up_on <= today)
        or prospect.stage not in (Stage.NEW, Stage.DECLINED)
        else PROSPECT_CALL
    )
    rows = list(
        Category.objects.filter(user=user, tier=Tier.INCOME, archived=False).order_by(
            "position", "name"
        )
    )
    if not rows:
        raise ValidationError("Add an income category (such as Prospect call) to time your calls.")
    return next((c for c in rows if c.name.lower() == wanted.lower()), rows[0])


def _hang_up_open(session: CallSession, *, now: datetime, keep: int | None = None) -> None:
    """Ends every dial of the session still open (no outcome, no end), except `keep`, and stops
    its timer when it is the one running."""
    for attempt in session.attempts.filter(ended_at__isnull=True).exclude(pk=keep):
        _stop_timer_of(attempt, now=now)
        attempt.ended_at = now
        attempt.save(update_fields=["ended_at"])


def _stop_timer_of(attempt: CallAttempt, *, now: datetime) -> None:
    if attempt.activity_id is None:
        return
    running = Activity.objects.filter(pk=attempt.activity_id, end__isnull=True).exists()
    if running:
        activity_services.stop_timer(attempt.user, now=now)


def start_call(user: User, prospect: Prospect, *, now: datetime) -> CallAttempt:
    """One tap on "Call": starts the call timer on the prospect (stopping whatever ran) and
    records the dial in the session. A second tap on the same prospect's open dial returns
    it as it is; an open dial on someone else is ended first."""
    _own(user, prospect)
    tz = timekit.zone(user.time_zone)
    category = call_category(user, prospect, today=timekit.local_date(now, tz))
    with transaction.atomic():
        session = start_session(user, now=now)
        current = (
            session.attempts.filter(prospect=prospect, ended_at__isnull=True, outcome="")
            .order_by("-started_at")
            .first()
        )
        if current is not None:
            return current
        _hang_up_open(session, now=now)
        contacted_before = prospect.last_contacted_at
        entry = prospect_services.start_prospect_timer(user, category, prospect=prospect, now=now)
        # A dial started within seconds of the last one reuses its entry (the timer's
        # replace rule): it now belongs to this dial alone.
        CallAttempt.objects.filter(activity=entry).update(activity=None)
        return CallAttempt.objects.create(
            user=user,
            session=session,
            prospect=prospect,
            started_at=now,
            activity=entry,
            contacted_before=contacted_before,
        )


def hang_up(user: User, prospect: Prospect, *, now: datetime) -> CallAttempt | None:
    """The call is over but its outcome is still to be told (the talked and booked screens):
    stops its timer so the minutes are the call's own. None when there was no open dial."""
    _own(user, prospect)
    with transaction.atomic():
        session = start_session(user, now=now)
        attempt = (
            session.attempts.filter(prospect=prospect, outcome="").order_by("-started_at").first()
        )
        if attempt is None:
            return None
        if attempt.ended_at is None:
            _stop_timer_of(attempt, now=now)
            attempt.ended_at = now
            attempt.save(update_fields=["ended_at"])
    return attempt


@dataclass
class Result:
    """What an outcome wrote: the dial, and the appointment when one was booked."""

    attempt: CallAttempt
    appointment: Appointment | None = None


def retry_day(user: User, today: date) -> date:
    """The first prospecting day RETRY_AFTER_DAYS or more after today (that many days ahead when
    none is known within the horizon)."""
    first = today + timedelta(days=RETRY_AFTER_DAYS)
    days = prospect_services.prospecting_days(
        user, first, today + timedelta(days=RETRY_HORIZON_DAYS)
    )
    return followups.next_prospecting_day(first - timedelta(days=1), days) or first


def record_outcome(
    user: User,
    prospect: Prospect,
    outcome: str,
    *,
    now: datetime,
    stage: str | None = None,
    note: str = "",
    follow_up_on: date | None = None,
    book_at: datetime | None = None,
    minutes: int = DEFAULT_MINUTES,
    offer_affiliate: bool = False,
    idempotency_key: str | None = None,
) -> Result:
    """Records what came of a call with `prospect`, in one transaction, and ends the dial (one
    made now, without a timer, when "Call" was not tapped first).

    - NO_ANSWER / MESSAGE: follow-up on `retry_day`; no timer entry is kept.
    - TALKED: `stage` (default: contacted for a new prospect, else unchanged), `note`,
      `offer_affiliate` after a "no", and `follow_up_on` or `book_at` (the dial then counts
      as BOOKED).
    - BOOKED: `book_at` (required), `minutes`, `note`; `idempotency_key` makes a repeated submit
      answer with the first booking.
    - DECLINED: `note`; `offer_affiliate` moves them on to "affiliate offered".
    """
    _own(user, prospect)
    outcome = parse_outcome(outcome) if outcome not in Outcome.values else Outcome(outcome)
    if prospect.stage in CLOSED_STAGES:
        raise ValidationError(f"{prospect.name} has joined: there is no call to record.")
    (note,) = limits.fit(Event, text=note)
    if outcome == Outcome.BOOKED:
        earlier = booking_services.booked_with_key(user.pk, idempotency_key)
        if earlier is not None:
            attempt = CallAttempt.objects.filter(appointment=earlier).first()
            if attempt is not None:
                return Result(attempt, earlier)
        if book_at is None:
            raise ValidationError({"book_at": "Pick a free time for the call."})
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    if outcome == Outcome.TALKED and follow_up_on is not None and follow_up_on < today:
        raise ValidationError({"follow_up_on": "That day has passed; pick today or later."})
    with transaction.atomic():
        session = start_session(user, now=now)
        attempt = (
            session.attempts.filter(prospect=prospect, outcome="").order_by("-started_at").first()
        )
        if attempt is None:
            attempt = CallAttempt(
                user=user,
                session=session,
                prospect=prospect,
                started_at=now,
                contacted_before=prospect.last_contacted_at,
            )
        if attempt.ended_at is None:
            _stop_timer_of(attempt, now=now)
            attempt.ended_at = now
        appointment = None
        if outcome in (Outcome.NO_ANSWER, Outcome.MESSAGE):
            _unanswered(prospect, attempt, outcome=outcome, now=now, today=today, note=note)
        elif outcome == Outcome.TALKED:
            if stage is None:
                stage = Stage.CONTACTED if prospect.stage == Stage.NEW else prospect.stage
            appointment = booking_services.record_call_outcome(
                prospect, now=now, stage=stage, note=note, follow_up_on=follow_up_on,
                book_at=book_at, minutes=minutes, offer_affiliate=offer_affiliate,
            )  # fmt: skip
            if appointment is not None:
                outcome = Outcome.BOOKED  # the talk ended with the next call booked
        elif outcome == Outcome.BOOKED:
            stage = Stage.CONTACTED if prospect.stage == Stage.NEW else prospect.stage
            prospect_services.record_outcome(prospect, now=now, stage=stage, note=note)
            appointment = booking_services.book(
                user, prospect=prospect, start=book_at, minutes=minutes, now=now,
                idempotency_key=idempotency_key or None,
            )  # fmt: skip
        else:
            booking_services.record_call_outcome(
                prospect, now=now, stage=Stage.DECLINED, note=note,
                offer_affiliate=offer_affiliate and prospect.stage != Stage.AFFILIATE_OFFERED,
            )  # fmt: skip
        attempt.outcome = outcome
        attempt.appointment = appointment
        attempt.save()
        Postponement.objects.filter(user=user, prospect=prospect).delete()
    return Result(attempt, appointment)


def _unanswered(
    prospect: Prospect,
    attempt: CallAttempt,
    *,
    outcome: str,
    now: datetime,
    today: date,
    note: str,
) -> None:
    """Nobody answered: the dial's entry goes (its minutes stay on the dial), the contact the
    timer marked is put back, and the follow-up moves to the retry day."""
    if attempt.activity_id is not None:
        entry = Activity.objects.filter(pk=attempt.activity_id).first()
        attempt.activity = None
        if entry is not None:
            activity_services.delete_entry(entry)
    prospect.last_contacted_at = attempt.contacted_before
    prospect.follow_up_on = retry_day(prospect.user, today)
    prospect.save(update_fields=["last_contacted_at", "follow_up_on", "updated_at"])
    said = "Left a message" if outcome == Outcome.MESSAGE else "No answer"
    text = f"{said}; call again {prospect.follow_up_on:%a %d %b}"
    Event.objects.create(
        user_id=prospect.user_id,
        prospect=prospect,
        kind=Event.Kind.FOLLOW_UP,
        at=now,
        text=f"{text}. {note}" if note else text,
    )


# --- scripts -------------------------------------------------------------------------------------


def save_script(user: User, stage: str, text: str) -> Script | None:
    """Keeps the user's script for a stage; an empty text removes it (the starter shows again).
    Returns the script, or None when it was removed."""
    if stage not in Stage.values:
        raise ValidationError({"stage": f"“{str(stage)[:20]}” is not a stage."})
    (text,) = limits.fit(Script, text=text)
    if not text:
        Script.objects.filter(user=user, stage=stage).delete()
        return None
    script, _ = Script.objects.update_or_create(user=user, stage=stage, defaults={"text": text})
    return script
