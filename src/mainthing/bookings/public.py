"""The public booking page's rules: which slots a visitor is offered, holding one while they
fill the form, booking it onto the right prospect, call-back requests when nothing is free, and
the prospect's own reschedule and cancel through a manage link.

Everything a visitor sends is checked here, so the page, the JSON API and the tests share one
set of rules. The slot a visitor books must be one the page offers at that moment; the booking
itself goes through `services.book`, which takes the per-user lock and lets the database refuse
a double booking.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction

from mainthing.accounts import regions
from mainthing.accounts.models import User
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.prospects import services as prospect_services
from mainthing.prospects.contacts import clean_contact
from mainthing.prospects.models import LeadSource, Stage
from mainthing.routine import queries as routine_queries

from . import managelinks, notify, queries, services
from .models import (
    Appointment,
    BookingPage,
    CallbackRequest,
    Change,
    MadeVia,
    PhoneQuestion,
    SlotHold,
    Status,
)
from .pagesettings import SLUG_MAX_LENGTH, free_slug

HOLD = timedelta(minutes=5)
IDEMPOTENCY_KEY_MAX_LENGTH = 64


class PageClosed(Exception):
    """The page takes no bookings now: switched off (`PageOff`), or its daily cap is reached
    (`PageFull`)."""


class PageOff(PageClosed):
    def __init__(self, page: BookingPage):
        super().__init__(f"{page.user.display_name} is not taking bookings here right now.")


class PageFull(PageClosed):
    def __init__(self, page: BookingPage):
        super().__init__(
            f"{page.user.display_name} can't take more bookings today; please try tomorrow."
        )


# How far from now a booked time may be at all: beyond, no page offers it, and the arithmetic
# of days around it would leave the calendar (year 1, year 9999).
FARTHEST = timedelta(days=400)


# --- the page ------------------------------------------------------------------------------------


def page_for(user: User) -> BookingPage:
    """The user's booking page, made on first use with a slug from their name."""
    page = BookingPage.objects.filter(user=user).first()
    if page is not None:
        return page
    slug = free_slug(user.display_name)
    try:
        with transaction.atomic():
            return BookingPage.objects.create(user=user, slug=slug)
    except IntegrityError:  # made at the same moment by another request, or the slug taken
        page = BookingPage.objects.filter(user=user).first()
        if page is not None:
            return page
        return BookingPage.objects.create(user=user, slug=free_slug(f"{slug}-{user.pk}"))


def page_for_slug(slug: str) -> BookingPage | None:
    """The page at /book/<slug>/ (with its user), or None."""
    if not slug or len(slug) > SLUG_MAX_LENGTH:
        return None
    return BookingPage.objects.select_related("user").filter(slug=slug.lower()).first()


def source_for(page: BookingPage, key: str | None) -> LeadSource:
    """The lead source a booking link's `?src=` names; an unknown or archived key falls back to
    the page's default source, then to "Unknown"."""
    if key:
        source = LeadSource.objects.filter(
            user_id=page.user_id, key__iexact=key[:32], archived=False
        ).first()
        if source is not None:
            return source
    if page.default_source_id and not page.default_source.archived:
        return page.default_source
    return prospect_services.unknown_source(page.user)


def holder_for(session_key: str) -> str:
    """What a hold is kept under: a hash of the visitor's session key, never the key."""
    return hashlib.sha256(f"hold:{session_key}".encode()).hexdigest()


# --- slots ---------------------------------------------------------------------------------------


def horizon_end(page: BookingPage, now: datetime) -> datetime:
    """The end of the last local day the page offers: today and `horizon_days` more, counted
    in the user's days."""
    tz = timekit.zone(page.user.time_zone)
    last = timekit.local_date(now, tz) + timedelta(days=page.horizon_days)
    return timekit.local_day_bounds(last, tz)[1]


def offered_slots(
    page: BookingPage,
    *,
    start: datetime,
    end: datetime,
    minutes: int,
    now: datetime,
    holder: str = "",
    exclude: int | None = None,
) -> list[tuple[datetime, datetime]]:
    """Slots of `minutes` the page offers starting in [start, end): free, inside prospecting
    blocks, after the minimum notice, within the horizon, with the buffer around other calls,
    on days below the daily maximum, and not held by another visitor.

    Blocks are read from a whole local day before to a day after, so a slot's step grid is
    the same whichever range a visitor asks for. `exclude` leaves one appointment out (the
    call being rescheduled)."""
    user = page.user
    tz = timekit.zone(user.time_zone)
    not_before = max(start, now + timedelta(minutes=page.notice_minutes))
    until = min(end, horizon_end(page, now))
    if until <= not_before:
        return []
    lo = timekit.local_day_bounds(timekit.local_date(not_before, tz) - timedelta(days=1), tz)[0]
    hi = timekit.local_day_bounds(timekit.local_date(until, tz) + timedelta(days=1), tz)[1]
    buffer = timedelta(minutes=page.buffer_minutes)
    calls = queries.booked_intervals(user, lo - buffer, hi + buffer, exclude=exclude)
    holds = SlotHold.objects.filter(user=user, expires_at__gt=now, start__lt=hi, end__gt=lo)
    if holder:
        holds = holds.exclude(holder=holder)
    busy = sorted(
        [(s - buffer, e + buffer) for s, e in calls] + list(holds.values_list("start", "end"))
    )
    blocks = routine_queries.occurrences_between(user, lo, hi, tier=Tier.INCOME)
    found = queries.free_slots(
        user,
        lo,
        hi,
        minutes=minutes,
        step_minutes=page.step_minutes,
        now=not_before,
        blocks=blocks,
        booked=busy,
    )
    found = [(s, e) for s, e in found if s < until and e <= hi]
    if page.max_per_day:
        per_day: dict[date, int] = {}
        for s, _ in calls:
            day = timekit.local_date(s, tz)
            per_day[day] = per_day.get(day, 0) + 1
        found = [
            (s, e) for s, e in found if per_day.get(timekit.local_date(s, tz), 0) < page.max_per_day
        ]
    return found


def is_offered(
    page: BookingPage,
    start: datetime,
    minutes: int,
    *,
    now: datetime,
    holder: str = "",
    exclude: int | None = None,
) -> bool:
    """Whether the page offers exactly [start, start + minutes) now."""
    if abs(start - now) > FARTHEST:
        return False
    found = offered_slots(
        page,
        start=start - timedelta(minutes=1),
        end=start + timedelta(minutes=1),
        minutes=minutes,
        now=now,
        holder=holder,
        exclude=exclude,
    )
    return any(s == start for s, _ in found)


def fresh_slots(
    page: BookingPage, *, near: datetime, minutes: int, now: datetime, count: int = 6
) -> list[tuple[datetime, datetime]]:
    """The next few free slots from a taken one's day on: what a lost race is offered."""
    if abs(near - now) > FARTHEST:
        near = now
    tz = timekit.zone(page.user.time_zone)
    start = timekit.local_day_bounds(timekit.local_date(near, tz), tz)[0]
    found = offered_slots(
        page, start=start, end=start + timedelta(days=7), minutes=minutes, now=now
    )
    return found[:count]


# --- holding a slot ------------------------------------------------------------------------------


def hold(page: BookingPage, *, holder: str, start: datetime, minutes: int, now: datetime) -> bool:
    """Keeps [start, start + minutes) for the visitor for `HOLD`, replacing any earlier hold of
    theirs. False (and nothing held) when the slot is no longer offered to them."""
    with transaction.atomic():
        services.lock_calendar(page.user_id)
        if not is_offered(page, start, minutes, now=now, holder=holder):
            return False
        SlotHold.objects.filter(user=page.user, expires_at__lte=now).delete()
        SlotHold.objects.update_or_create(
            user=page.user,
            holder=holder,
            defaults={
                "start": start,
                "end": start + timedelta(minutes=minutes),
                "expires_at": now + HOLD,
            },
        )
    return True


def release(page: BookingPage, holder: str) -> None:
    SlotHold.objects.filter(user=page.user, holder=holder).delete()


# --- booking -------------------------------------------------------------------------------------


@dataclass
class Request:
    """What a visitor sends to book (the form and the JSON carry the same fields)."""

    start: datetime
    minutes: int
    name: str
    email: str
    tz: str
    phone: str = ""
    note: str = ""
    src: str = ""
    idempotency_key: str = ""


@dataclass
class Booked:
    appointment: Appointment
    token: str  # the raw manage-link token: shown once, in the redirect and the emails
    created: bool  # False when an earlier submit with the same key had booked it


def taken_today(page: BookingPage, now: datetime) -> int:
    """Bookings and call-back requests the page took in the last 24 hours."""
    since = now - timedelta(hours=24)
    made = Appointment.objects.filter(
        user_id=page.user_id,
        created_at__gte=since,
        made_via__in=(MadeVia.BOOKING_PAGE, MadeVia.API),
    ).count()
    return (
        made + CallbackRequest.objects.filter(user_id=page.user_id, created_at__gte=since).count()
    )


def check_open(page: BookingPage, now: datetime) -> None:
    if not page.enabled:
        raise PageOff(page)
    if taken_today(page, now) >= page.daily_cap:
        raise PageFull(page)


def _refuse_nul(fields: dict[str, str]) -> None:
    """Text with a NUL byte is refused before it reaches a query (PostgreSQL can't store it)."""
    said = str(ProhibitNullCharactersValidator.message)  # what the page's form fields say
    bad = {name: [said] for name, text in fields.items() if "\x00" in text}
    if bad:
        raise ValidationError(bad)


def _contact(page: BookingPage, *, name: str, email: str, phone: str, tz: str, errors: dict):
    """The visitor's name, email and phone in canonical form, their phone read in the country
    of their time zone; problems are added to `errors`."""
    region = regions.zone_region(tz) if "tz" not in errors else ""
    phone = phone if page.phone_question != PhoneQuestion.OFF else ""
    try:
        return clean_contact(page.user, name=name, email=email, phone=phone, region=region)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    return None


def _check_zone(tz: str, errors: dict) -> None:
    try:
        timekit.zone(tz)
    except ValueError as error:
        errors["tz"] = [str(error)]


def clean_request(page: BookingPage, request: Request):
    """The visitor's fields checked (one ValidationError naming every bad field); returns
    their contact in canonical form."""
    errors: dict[str, list[str]] = {}
    _check_zone(request.tz, errors)
    if request.minutes not in page.length_list:
        lengths = ", ".join(str(n) for n in page.length_list)
        errors["minutes"] = [f"Calls here last {lengths} minutes."]
    if not request.email.strip():
        errors["email"] = ["Give your email address, so the confirmation reaches you."]
    if page.phone_question == PhoneQuestion.REQUIRED and not request.phone.strip():
        errors["phone"] = ["Give a phone number to be called on."]
    if len(request.idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        errors["idempotency_key"] = [
            f"An idempotency key has at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters."
        ]
    contact = _contact(
        page, name=request.name, email=request.email, phone=request.phone, tz=request.tz,
        errors=errors,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return contact


def book(
    page: BookingPage,
    request: Request,
    *,
    holder: str = "",
    now: datetime,
    via: str = MadeVia.BOOKING_PAGE,
) -> Booked:
    """Books a visitor into a slot the page offers, on the prospect their email or phone
    already belongs to (else a new one, booked, from the link's source), in one transaction.

    Raises PageClosed, ValidationError (bad fields), services.SlotTaken (no longer offered, or
    a lost race); writes nothing in each case. A repeated idempotency key answers the first
    booking (`created` False) instead of booking twice."""
    _refuse_nul(
        {
            "name": request.name, "email": request.email, "phone": request.phone,
            "note": request.note, "tz": request.tz, "src": request.src,
            "idempotency_key": request.idempotency_key,
        }
    )  # fmt: skip
    if abs(request.start - now) > FARTHEST:
        raise services.SlotTaken()
    key = request.idempotency_key.strip() or None
    if key:
        earlier = _booked_with_key(page, key, now)
        if earlier is not None:
            return earlier
    check_open(page, now)
    contact = clean_request(page, request)
    note = request.note.strip() if page.ask_note else ""
    source = source_for(page, request.src)
    start = request.start
    try:
        with transaction.atomic():
            services.lock_calendar(page.user_id)
            if not is_offered(page, start, request.minutes, now=now, holder=holder):
                raise services.SlotTaken()
            prospect = prospect_services.match_prospect(
                page.user, email=contact.email, phone=contact.phone
            )
            if prospect is None:
                prospect = prospect_services.add_prospect(
                    page.user,
                    contact,
                    now=now,
                    source=source,
                    stage=Stage.NEW,
                    allow_duplicate=True,
                )
            else:
                prospect_services.fill_missing_contact(prospect, contact)
            appointment = services.book(
                page.user,
                prospect=prospect,
                source=source,
                start=start,
                minutes=request.minutes,
                now=now,
                note=note,
                made_via=via,
                by=Change.By.PROSPECT,
                prospect_time_zone=request.tz,
                idempotency_key=key,
            )
            if holder:
                release(page, holder)
            token = managelinks.issue(appointment, now=now)
            notify.booked(appointment, token=token, now=now)
    except services.SlotTaken:
        if key:  # the same submit, twice at once: the other one booked it
            earlier = _booked_with_key(page, key, now)
            if earlier is not None:
                return earlier
        raise
    return Booked(appointment, token, created=True)


def _booked_with_key(page: BookingPage, key: str, now: datetime) -> Booked | None:
    appointment = services.booked_with_key(page.user_id, key)
    if appointment is None:
        return None
    return Booked(appointment, managelinks.issue(appointment, now=now), created=False)


def request_callback(
    page: BookingPage, *, name: str, email: str, phone: str, tz: str, src: str, now: datetime
) -> CallbackRequest:
    """No free slot: the visitor leaves their contact to be called back. Their prospect (found
    by email or phone, else new with the link's source) gets a follow-up due today."""
    _refuse_nul({"name": name, "email": email, "phone": phone, "tz": tz, "src": src})
    check_open(page, now)
    errors: dict[str, list[str]] = {}
    _check_zone(tz, errors)
    if not email.strip() and not phone.strip():
        errors["email"] = ["Give an email address or a phone number to be reached on."]
    contact = _contact(page, name=name, email=email, phone=phone, tz=tz, errors=errors)
    if errors:
        raise ValidationError(errors)
    source = source_for(page, src)
    user = page.user
    today = timekit.local_date(now, timekit.zone(user.time_zone))
    with transaction.atomic():
        prospect = prospect_services.match_prospect(user, email=contact.email, phone=contact.phone)
        if prospect is None:
            prospect = prospect_services.add_prospect(
                user,
                contact,
                now=now,
                source=source,
                stage=Stage.NEW,
                follow_up_on=today,
                allow_duplicate=True,
            )
        else:
            prospect_services.fill_missing_contact(prospect, contact)
            prospect_services.set_follow_up(prospect, today)
        callback = CallbackRequest.objects.create(
            user=user, prospect=prospect, source=source, created_at=now
        )
        notify.callback_requested(callback, now=now)
    return callback


# --- the prospect's manage link ------------------------------------------------------------------


def can_change(appointment: Appointment, page: BookingPage, now: datetime) -> bool:
    """Whether the prospect may still move or cancel: scheduled, and before the cut-off."""
    return appointment.status == Status.SCHEDULED and now <= appointment.start - timedelta(
        minutes=page.cutoff_minutes
    )


def _check_change(appointment: Appointment, page: BookingPage, now: datetime) -> None:
    if appointment.status != Status.SCHEDULED:
        raise ValidationError("This call is no longer scheduled; it can't be changed here.")
    if not can_change(appointment, page, now):
        raise ValidationError(
            "It's too close to the call to change it here. Reply to the confirmation email "
            f"to reach {appointment.user.display_name}."
        )


def reschedule(
    appointment: Appointment, *, start: datetime, now: datetime, page: BookingPage | None = None
) -> Appointment:
    """The prospect moves their call to another slot the page offers (before the cut-off)."""
    page = page or page_for(appointment.user)
    _check_change(appointment, page, now)
    with transaction.atomic():
        services.lock_calendar(appointment.user_id)
        if not is_offered(page, start, appointment.minutes, now=now, exclude=appointment.pk):
            raise services.SlotTaken()
        return services.move(appointment, start=start, now=now, by=Change.By.PROSPECT)


def cancel(
    appointment: Appointment, *, now: datetime, page: BookingPage | None = None
) -> Appointment:
    """The prospect cancels their call (before the cut-off)."""
    page = page or page_for(appointment.user)
    _check_change(appointment, page, now)
    return services.cancel(appointment, now=now, by=Change.By.PROSPECT)


# --- what the page shows -------------------------------------------------------------------------


@dataclass
class SlotDay:
    day: date  # the visitor's local date
    slots: list[tuple[datetime, datetime]]  # instants, shown in the visitor's zone


def slot_days(
    page: BookingPage, *, tz: str, minutes: int, now: datetime, holder: str = "", exclude=None
) -> list[SlotDay]:
    """Every offered slot of the horizon, grouped by the visitor's local date."""
    zone = timekit.zone(tz)
    found = offered_slots(
        page,
        start=now,
        end=horizon_end(page, now),
        minutes=minutes,
        now=now,
        holder=holder,
        exclude=exclude,
    )
    days: dict[date, list] = {}
    for start, end in found:
        days.setdefault(timekit.local_date(start, zone), []).append((start, end))
    return [SlotDay(day, slots) for day, slots in days.items()]
