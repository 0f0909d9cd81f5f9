"""Appointment rules: book inside prospecting blocks, never double-book, move, cancel, complete.

Double booking is refused by the database, not only by a check: each booking runs in one
transaction that first takes a per-user lock (an advisory lock on PostgreSQL; SQLite's IMMEDIATE
transactions already serialise writers), then checks for overlaps, then inserts. The partial
unique constraint on (user, start) and, on PostgreSQL, an exclusion constraint on overlapping
ranges turn any race that slips through into an IntegrityError, answered as SlotTaken.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, Category
from mainthing.core import limits, timekit
from mainthing.core.enums import Tier
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import LeadSource, Prospect, Stage
from mainthing.routine import queries as routine_queries
from mainthing.routine.occurrences import merge

from . import notify
from .models import (
    ACTIVE,
    DEFAULT_MINUTES,
    LONGEST_CALL,
    MAX_MINUTES,
    MIN_MINUTES,
    Appointment,
    Change,
    MadeVia,
    Status,
)

OUTSIDE_QUESTION = "This is outside your prospecting time — book anyway?"
# Stages a booking moves on to "booked"; later stages (presented, joined…) stay where they are.
BOOKABLE_STAGES = frozenset({Stage.NEW, Stage.CONTACTED, Stage.FOLLOW_UP})


class SlotTaken(Exception):
    """The time overlaps another active appointment (HTTP 409)."""

    def __init__(self, clash: Appointment | None = None):
        self.clash = clash
        when = ""
        if clash is not None:
            local = clash.start.astimezone(timekit.zone(clash.user.time_zone))
            when = f" (the call with {clash.prospect_name} at {local:%a %d %b %H:%M})"
        super().__init__(f"That time is already booked{when}. Pick another slot.")


class OutsideProspecting(Exception):
    """The appointment is not wholly inside prospecting blocks; the caller asks first."""

    def __init__(self):
        super().__init__(OUTSIDE_QUESTION)


def lock_calendar(user_id: int) -> None:
    """Serialises bookings of one user's calendar for the rest of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7001, user_id])


def inside_prospecting(user: User, start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies wholly inside the user's income blocks (adjacent ones join)."""
    blocks = routine_queries.occurrences_between(user, start, end, tier=Tier.INCOME)
    covered = merge((o.start, o.end) for o in blocks)
    return any(lo <= start and end <= hi for lo, hi in covered)


def _validate(prospect_name: str, start: datetime, minutes: int, now: datetime) -> None:
    if not prospect_name.strip():
        raise ValidationError({"prospect_name": "Whom is the call with? Give a name."})
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ValidationError(
            {"minutes": f"An appointment lasts {MIN_MINUTES} to {MAX_MINUTES} minutes."}
        )
    if start < now - timedelta(minutes=1):
        raise ValidationError({"start": "That time has passed; pick a time from now on."})


def _clash(user_id: int, start: datetime, end: datetime, exclude: int | None = None):
    rows = Appointment.objects.select_related("user").filter(
        ACTIVE, user_id=user_id, start__lt=end, end__gt=start
    )
    if exclude:
        rows = rows.exclude(pk=exclude)
    return rows.first()


def book(
    user: User,
    *,
    prospect_name: str = "",
    prospect: Prospect | None = None,
    source: LeadSource | None = None,
    start: datetime,
    minutes: int = 30,
    now: datetime,
    note: str = "",
    allow_outside: bool = False,
    made_via: str = MadeVia.MANUAL,
    by: str = Change.By.USER,
    prospect_time_zone: str = "",
    idempotency_key: str | None = None,
) -> Appointment:
    """Books a call with a prospect. Raises OutsideProspecting (ask, then pass allow_outside),
    SlotTaken, or ValidationError; writes nothing in each case.

    With `prospect`, the call takes their name and a prospect who is new, contacted or due a
    follow-up moves to "booked". With only `prospect_name` (the form, the CLI, older callers),
    a new prospect is added from `source` ("Unknown" when None), already booked. Either way
    the prospect's rows and the appointment are written in one transaction.
    """
    if prospect is not None:
        if prospect.user_id != user.pk:
            raise ValidationError({"prospect": "Pick one of your prospects."})
        prospect_name = prospect.name
    prospect_name, note = limits.fit(Appointment, prospect_name=prospect_name, note=note)
    _validate(prospect_name, start, minutes, now)
    contact = None
    if prospect is None:
        if source is not None and source.user_id != user.pk:
            raise ValidationError({"source": "Pick one of your lead sources."})
        contact = prospect_services.clean_contact(user, name=prospect_name)
        prospect_name = contact.name
    end = start + timedelta(minutes=minutes)
    outside = not inside_prospecting(user, start, end)
    if outside and not allow_outside:
        raise OutsideProspecting()
    try:
        with transaction.atomic():
            lock_calendar(user.pk)
            clash = _clash(user.pk, start, end)
            if clash is not None:
                raise SlotTaken(clash)
            if contact is not None:
                # A name alone carries no email or phone to find a duplicate by.
                prospect = prospect_services.add_prospect(
                    user, contact, now=now, source=source, stage=Stage.BOOKED, allow_duplicate=True
                )
            appointment = Appointment.objects.create(
                user=user,
                prospect=prospect,
                prospect_name=prospect_name,
                start=start,
                end=end,
                note=note,
                outside_blocks=outside,
                made_via=made_via,
                source=source if made_via != MadeVia.MANUAL else None,
                prospect_time_zone=prospect_time_zone,
                idempotency_key=idempotency_key,
            )
            Change.objects.create(
                appointment=appointment, kind=Change.Kind.BOOKED, by=by, at=now, to_start=start
            )
            # Last, so a refused booking leaves the caller's prospect as it was, in memory too.
            if prospect.stage in BOOKABLE_STAGES:
                prospect_services.change_stage(prospect, Stage.BOOKED, now=now)
            return appointment
    except IntegrityError:
        raise SlotTaken() from None


def booked_with_key(user_id: int, key: str | None) -> Appointment | None:
    """The appointment an earlier submit with this idempotency key made, if any: a form or
    JSON body sent twice answers with it instead of booking again."""
    if not key:
        return None
    return (
        Appointment.objects.select_related("user", "prospect")
        .filter(user_id=user_id, idempotency_key=key)
        .first()
    )


def move(
    appointment: Appointment,
    *,
    start: datetime,
    minutes: int | None = None,
    now: datetime,
    allow_outside: bool = False,
    by: str = Change.By.USER,
) -> Appointment:
    """Moves a scheduled appointment to another time (and length), with the booking checks;
    records the change and tells the prospect of a call they booked themselves."""
    if appointment.status != Status.SCHEDULED:
        raise ValidationError("Only a scheduled appointment can be moved.")
    minutes = minutes or appointment.minutes
    _validate(appointment.prospect_name, start, minutes, now)
    end = start + timedelta(minutes=minutes)
    outside = not inside_prospecting(appointment.user, start, end)
    if outside and not allow_outside:
        raise OutsideProspecting()
    try:
        with transaction.atomic():
            lock_calendar(appointment.user_id)
            clash = _clash(appointment.user_id, start, end, exclude=appointment.pk)
            if clash is not None:
                raise SlotTaken(clash)
            old_start = appointment.start
            appointment.start, appointment.end = start, end
            appointment.outside_blocks = outside
            appointment.sequence += 1
            appointment.save()
            Change.objects.create(
                appointment=appointment,
                kind=Change.Kind.MOVED,
                by=by,
                at=now,
                from_start=old_start,
                to_start=start,
            )
            notify.moved(appointment, old_start=old_start, by=by, now=now)
    except IntegrityError:
        raise SlotTaken() from None
    return appointment


def _set_status(appointment: Appointment, status: str) -> Appointment:
    appointment.status = status
    appointment.sequence += 1
    appointment.save(update_fields=["status", "sequence", "updated_at"])
    return appointment


def cancel(appointment: Appointment, *, now: datetime, by: str = Change.By.USER) -> Appointment:
    """Frees the slot, records who cancelled and tells the other side of a call the prospect
    booked. A completed call can't be cancelled (its time was spent)."""
    if appointment.status == Status.COMPLETED:
        raise ValidationError("This call was completed; it can't be cancelled.")
    if appointment.status == Status.CANCELLED:
        return appointment
    with transaction.atomic():
        _set_status(appointment, Status.CANCELLED)
        Change.objects.create(
            appointment=appointment,
            kind=Change.Kind.CANCELLED,
            by=by,
            at=now,
            from_start=appointment.start,
        )
        notify.cancelled(appointment, by=by, now=now)
    return appointment


def mark_no_show(appointment: Appointment, *, now: datetime) -> Appointment:
    if appointment.status != Status.SCHEDULED:
        raise ValidationError("Only a scheduled appointment can be marked as a no-show.")
    if appointment.start > now:
        raise ValidationError("The call hasn't started yet.")
    return _set_status(appointment, Status.NO_SHOW)


def complete(
    appointment: Appointment,
    *,
    now: datetime,
    start: datetime | None = None,
    minutes: int | None = None,
    category: Category | None = None,
    allow_overlap: bool = False,
) -> Activity:
    """Marks the call held and records its real time as one income entry linked to it (and to
    the prospect, whose last contact moves to the end of the call). The appointment moves to
    its real time, keeping the booked one in `booked_start`/`booked_end`.

    The entry is what IGA time counts, so the call is counted exactly once. Raises
    ValidationError (or OverlapError) and changes nothing when the times don't fit.
    """
    if appointment.status not in (Status.SCHEDULED, Status.NO_SHOW):
        raise ValidationError("This appointment is already completed or cancelled.")
    user = appointment.user
    start = start or appointment.start
    minutes = minutes or appointment.minutes
    if not 1 <= minutes <= LONGEST_CALL.total_seconds() // 60:
        raise ValidationError({"minutes": "Give the call's real length in minutes."})
    if category is None:
        category = (
            Category.objects.filter(user=user, tier=Tier.INCOME, archived=False)
            .order_by("position")
            .first()
        )
    if category is None or category.tier != Tier.INCOME:
        raise ValidationError({"category": "Pick an income category for the call."})
    with transaction.atomic():
        entry = activity_services.add_entry(
            user,
            category,
            start=start,
            end=start + timedelta(minutes=minutes),
            now=now,
            note=appointment.note,
            prospect_name=appointment.prospect_name,
            allow_overlap=allow_overlap,
            origin="appointment",
        )
        if appointment.prospect_id is not None:
            # Also moves the prospect's last contact to the end of the call.
            prospect_services.link_time(entry, appointment.prospect)
        # From now on the call shows and takes up its real time everywhere (card, calendar,
        # feed, free slots); the booked time is kept for the card.
        real = (entry.start, entry.end)
        if real != (appointment.start, appointment.end):
            appointment.booked_start, appointment.booked_end = appointment.start, appointment.end
            appointment.start, appointment.end = real
        appointment.activity = entry
        appointment.status = Status.COMPLETED
        appointment.sequence += 1
        appointment.save(
            update_fields=[
                "activity", "status", "sequence", "start", "end", "booked_start", "booked_end",
                "updated_at",
            ]
        )  # fmt: skip
    return entry


def record_call_outcome(
    prospect: Prospect,
    *,
    now: datetime,
    stage: str,
    note: str = "",
    follow_up_on: date | None = None,
    offer_affiliate: bool = False,
    book_at: datetime | None = None,
    minutes: int = DEFAULT_MINUTES,
) -> Appointment | None:
    """What came of a call, in one transaction: the stage (with the affiliate offer after a
    "no"), a note, and the next step — a follow-up date or the next appointment, booked with
    this prospect. Returns that appointment, if any. Raises ValidationError, SlotTaken or
    OutsideProspecting and writes nothing in each case."""
    if book_at is not None and follow_up_on is not None:
        raise ValidationError({"next_step": "Either a follow-up date or a booked call, not both."})
    if offer_affiliate and stage != Stage.DECLINED:
        raise ValidationError(
            {"offer_affiliate": "The affiliate or product offer follows a “no”: pick Declined."}
        )
    with transaction.atomic():
        prospect_services.record_outcome(
            prospect, now=now, stage=stage, note=note, follow_up_on=follow_up_on
        )
        if offer_affiliate:
            prospect_services.change_stage(prospect, Stage.AFFILIATE_OFFERED, now=now)
        if book_at is None:
            return None
        return book(prospect.user, prospect=prospect, start=book_at, minutes=minutes, now=now)


def local_start(appointment: Appointment) -> datetime:
    return appointment.start.astimezone(timekit.zone(appointment.user.time_zone))
