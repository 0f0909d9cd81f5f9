"""The booking page as JSON, for landing pages that build their own form:
`GET /api/v1/public/<slug>/slots` and `POST /api/v1/public/<slug>/bookings` (docs/api.md).

The rules are the page's own (`bookings.public`: offered slots, booking onto the matched
prospect, idempotency keys, the daily cap) and so are its limits (`bookings.abuse`). Each
request is answered in this order: the page (404), the rate limit (429), the request's shape
and fields (422), then the booking (409 taken or closed, 201 booked, 200 a replayed key).

No cookies and no login: these endpoints read no session and act for nobody, so a request
from another site can do nothing a direct one couldn't. That is why they need no CSRF token
(ninja's views are exempt from Django's check) and why any origin may call them (CORS `*`,
without credentials): a landing page on the marketer's own domain posts straight here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from mainthing.bookings import abuse, letters, public, services
from mainthing.bookings.models import BookingPage, MadeVia
from mainthing.core import timekit

from . import errors
from .schemas import (
    BookingIn,
    BookingOut,
    ErrorOut,
    InvalidOut,
    LimitedOut,
    SlotOut,
    SlotsOut,
    SlotsQuery,
    TakenOut,
)

router = Router(tags=["public booking"])

TAKEN = "That time was just taken."
NO_PAGE = "No booking page at this address."
# Times further off than this are no page's slots; refusing them early also keeps the date
# arithmetic of a year-9999 time from overflowing.
FURTHEST = timedelta(days=366)
# What a page's address can be (the page's own URL takes only these: `<slug:slug>`); anything
# else is no page, and is never sent to the database (PostgreSQL refuses a NUL, for one).
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
LIMITED = {"GET": "Too many requests", "POST": "Too many booking attempts"}


def _cors(response: HttpResponse, methods: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Retry-After"
    if response.status_code == 204:  # the preflight
        response["Access-Control-Allow-Methods"] = methods
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
    return response


def public_page(*, methods: str, wait=None):
    """Wraps an endpoint (around ninja's parsing, so before it): finds the page (404 when there
    is none or it is switched off), spends the rate limit `wait(request, page)` (429), and adds
    the CORS headers to every answer. The page is handed on as `request.booking_page`."""

    def decorator(run):
        @wraps(run)
        def wrapped(request, *args, **kwargs):
            if request.method == "OPTIONS":
                return _cors(run(request, *args, **kwargs), methods)
            slug = kwargs.get("slug", "")
            page = public.page_for_slug(slug) if SLUG.fullmatch(slug) else None
            if page is None:
                return _cors(errors.not_found(NO_PAGE), methods)
            if not page.enabled:
                return _cors(errors.not_found(str(public.PageOff(page))), methods)
            retry_after = wait(request, page) if wait else 0
            if retry_after:
                return _cors(errors.too_many(retry_after, LIMITED[request.method]), methods)
            request.booking_page = page
            return _cors(run(request, *args, **kwargs), methods)

        return wrapped

    return decorator


def _slots(found, zone) -> list[SlotOut]:
    return [SlotOut(start=s.astimezone(zone), end=e.astimezone(zone)) for s, e in found]


def _zone(name: str, problems: dict):
    try:
        return timekit.zone(name)
    except ValueError as error:
        problems["tz"] = [str(error)]
        return None


def _minutes(page: BookingPage, minutes: int | None, problems: dict) -> int:
    lengths = page.length_list or [30]
    if minutes is None:
        return lengths[0]
    if minutes not in lengths:
        problems["minutes"] = [f"Calls here last {', '.join(map(str, lengths))} minutes."]
    return minutes


# --- GET /public/<slug>/slots ---------------------------------------------------------------------


def _reads_wait(request, page: BookingPage) -> int:
    return abuse.reads_wait(request)


@router.get(
    "/{slug}/slots",
    response={200: SlotsOut, 404: ErrorOut, 422: InvalidOut, 429: LimitedOut},
    summary="Free times of a booking page",
    operation_id="public_slots",
)
@decorate_view(public_page(methods="GET, OPTIONS", wait=_reads_wait))
def slots(request, slug: str, query: Query[SlotsQuery]):
    """The times the page offers from `from` to `to` (the visitor's local dates in `tz`), each
    with the offset of `tz`. The range is cut to the page's horizon."""
    page = request.booking_page
    now = timezone.now()
    problems: dict[str, list[str]] = {}
    zone = _zone(query.tz, problems)
    minutes = _minutes(page, query.minutes, problems)
    if query.first and query.last and query.last < query.first:
        problems["to"] = ["The last day comes before the first."]
    if problems:
        return errors.invalid(problems)
    horizon = public.horizon_end(page, now)
    today = timekit.local_date(now, zone)
    # Dates outside [yesterday, the horizon's last day] can't hold an offered slot: clamp them
    # before turning them into instants (a year-1 or year-9999 date would overflow).
    last_day = timekit.local_date(horizon, zone) + timedelta(days=1)
    first = min(max(query.first or today, today - timedelta(days=1)), last_day)
    last = min(max(query.last or last_day, first), last_day)
    start = timekit.local_day_bounds(first, zone)[0]
    end = min(timekit.local_day_bounds(last, zone)[1], horizon)
    found = public.offered_slots(page, start=start, end=end, minutes=minutes, now=now)
    return Status(200, SlotsOut(tz=query.tz, slots=_slots(found, zone)))


@router.api_operation(["OPTIONS"], "/{slug}/slots", include_in_schema=False)
@decorate_view(public_page(methods="GET, OPTIONS"))
def slots_preflight(request, slug: str):
    return HttpResponse(status=204)


# --- POST /public/<slug>/bookings -----------------------------------------------------------------


@router.post(
    "/{slug}/bookings",
    response={
        200: BookingOut,
        201: BookingOut,
        404: ErrorOut,
        409: TakenOut,
        422: InvalidOut,
        429: LimitedOut,
    },
    summary="Book a time",
    operation_id="public_book",
)
@decorate_view(public_page(methods="POST, OPTIONS", wait=abuse.booking_wait))
def book(request, slug: str, payload: BookingIn):
    """Books the visitor into a free time, on the prospect their email or phone belongs to
    (else a new one, from the `src` lead source). 201 with the booking and its manage link;
    200 with the first booking when `idempotency_key` was booked before; 409 when the time was
    just taken (with the times still free) or the page takes no more bookings today."""
    page = request.booking_page
    now = timezone.now()
    start = payload.start
    if not now - FURTHEST < start < now + FURTHEST:
        return errors.invalid({"start": ["Pick one of the times the slots endpoint gives."]})
    try:
        booked = public.book(
            page,
            public.Request(
                start=start,
                minutes=payload.minutes,
                name=payload.name,
                email=payload.email,
                phone=payload.phone,
                note=payload.note,
                tz=payload.tz,
                src=payload.src,
                idempotency_key=payload.idempotency_key,
            ),
            now=now,
            via=MadeVia.API,
        )
    except public.PageClosed as closed:
        return Status(409, TakenOut(detail=str(closed), slots=[]))
    except services.SlotTaken:
        zone = timekit.zone(payload.tz)  # checked by book() before it looks at the time
        fresh = public.fresh_slots(page, near=start, minutes=payload.minutes, now=now)
        return Status(409, TakenOut(detail=TAKEN, slots=_slots(fresh, zone)))
    except ValidationError as error:
        return errors.invalid(errors.service_errors(error))
    return Status(201 if booked.created else 200, _booking(booked))


@router.api_operation(["OPTIONS"], "/{slug}/bookings", include_in_schema=False)
@decorate_view(public_page(methods="POST, OPTIONS"))
def book_preflight(request, slug: str):
    return HttpResponse(status=204)


def _booking(booked: public.Booked) -> BookingOut:
    """The booking in the zone it was booked in: a replayed key gets the first answer again
    (with a fresh manage link: only the hash of the first one is kept)."""
    appointment = booked.appointment
    tz = appointment.prospect_time_zone or appointment.user.time_zone
    zone = timekit.zone(tz)
    return BookingOut(
        id=appointment.pk,
        start=appointment.start.astimezone(zone),
        end=appointment.end.astimezone(zone),
        minutes=appointment.minutes,
        status=str(appointment.status),
        tz=tz,
        manage_url=letters.manage_url(booked.token),
    )
