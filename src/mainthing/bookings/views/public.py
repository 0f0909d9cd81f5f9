"""The public booking page, `/book/<slug>/`: pick a day, pick a time, fill the form, confirm.

Every step is a plain link or form, so the page works without JavaScript; with it, htmx swaps
the page's main part instead of reloading (`hx-boost` in the template) and static/booking.js
picks the visitor's zone and clock from the browser. Nothing here needs a login.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from mainthing.core import ratelimit, timekit
from mainthing.core.forms import add_service_errors

from .. import abuse, public, services
from ..forms.public import BookingForm, CallbackForm, hour12_for, parse_start, time_label
from ..models import BookingPage, PhoneQuestion

SOURCE_KEY = re.compile(r"[-a-zA-Z0-9_]{1,32}")


def _page_or_404(slug: str) -> BookingPage:
    page = public.page_for_slug(slug)
    if page is None:
        raise Http404("No booking page at this address.")
    return page


class Visitor:
    """What the visitor chose, read from the query (or the posted form): their zone, their
    clock (12 or 24 hours), the call length and the lead source key."""

    def __init__(self, request, page: BookingPage, data=None):
        data = data if data is not None else request.GET
        self.tz_given = timekit.is_zone(data.get("tz"))
        self.tz = data.get("tz") if self.tz_given else page.user.time_zone
        self.h12 = hour12_for(data.get("h"), request.headers.get("Accept-Language", ""))
        lengths = page.length_list or [30]
        try:
            minutes = int(data.get("minutes") or lengths[0])
        except ValueError:
            minutes = lengths[0]
        self.minutes = minutes if minutes in lengths else lengths[0]
        # A source key is a slug; anything else (markup, a NUL byte) is no key at all.
        src = data.get("src") or ""
        self.src = src if SOURCE_KEY.fullmatch(src) else ""

    def query(self, *, minutes: int | None = None, **extra) -> str:
        """The query string that keeps the visitor's choices on the next link."""
        params = {
            "tz": self.tz,
            "h": "12" if self.h12 else "24",
            "minutes": minutes or self.minutes,
        }
        if self.src:
            params["src"] = self.src
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(params)


def _page_url(page: BookingPage, visitor: Visitor, **extra) -> str:
    return f"{reverse('booking:page', args=[page.slug])}?{visitor.query(**extra)}"


def _holder(request) -> str:
    """The visitor's hold key: their session's, made on first use (a cookie, no login)."""
    if not request.session.session_key:
        request.session.save()
    return public.holder_for(request.session.session_key)


def _context(request, page: BookingPage, visitor: Visitor, now: datetime, **extra) -> dict:
    return {
        "page": page,
        "owner": page.user,
        "visitor": visitor,
        "zone_names": timekit.zone_names(),
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def booking_page(request, slug: str):
    """The page: the days with free times, one day's times, or (with `start`) the form."""
    page = _page_or_404(slug)
    if request.method == "POST":
        return _book(request, page)
    now = timezone.now()
    visitor = Visitor(request, page)
    if not page.enabled:
        return render(request, "bookings/public/closed.html", _context(request, page, visitor, now))
    wait = abuse.reads_wait(request)
    if wait:
        return ratelimit.too_many(request, wait, reason="Too many requests for times.")
    start = parse_start(request.GET.get("start"))
    if start is not None:
        return _form_step(request, page, visitor, start, now)
    return _days_step(request, page, visitor, now)


def _days_step(request, page, visitor, now, *, status=200, notice: str = ""):
    holder = _holder(request) if request.session.session_key else ""
    days = public.slot_days(page, tz=visitor.tz, minutes=visitor.minutes, now=now, holder=holder)
    chosen = _chosen_day(request.GET.get("day"), days)
    zone = timekit.zone(visitor.tz)
    day_links = [
        {
            "day": d.day,
            "count": len(d.slots),
            "url": "?" + visitor.query(day=d.day.isoformat()),
            "current": chosen is not None and d.day == chosen.day,
        }
        for d in days
    ]
    times = []
    if chosen is not None:
        times = [
            {
                "label": time_label(start, zone, visitor.h12),
                "url": "?" + visitor.query(start=start.isoformat()),
                "start": start,
            }
            for start, _ in chosen.slots
        ]
    lengths = [
        {"minutes": n, "url": "?" + visitor.query(minutes=n), "current": n == visitor.minutes}
        for n in page.length_list
    ]
    context = _context(
        request,
        page,
        visitor,
        now,
        days=day_links,
        chosen=chosen,
        times=times,
        lengths=lengths,
        notice=notice,
        callback_form=CallbackForm(
            page=page,
            initial={
                "tz": visitor.tz,
                "src": visitor.src,
                "h": "12" if visitor.h12 else "24",
                "shown": abuse.form_stamp(),
            },
        ),
    )
    return render(request, "bookings/public/page.html", context, status=status)


def _chosen_day(text: str | None, days: list[public.SlotDay]) -> public.SlotDay | None:
    if not days:
        return None
    try:
        wanted = date.fromisoformat(text or "")
    except ValueError:
        return days[0]
    return next((d for d in days if d.day == wanted), days[0])


def _form_step(request, page, visitor, start, now, *, form=None, status=200):
    holder = _holder(request)
    if form is None:
        wait = abuse.holds_wait(request)
        if wait:
            return ratelimit.too_many(request, wait, reason="Too many times picked.")
        if not public.hold(page, holder=holder, start=start, minutes=visitor.minutes, now=now):
            return _days_step(
                request, page, visitor, now, status=409,
                notice="That time was just taken. Here are the times still free.",
            )  # fmt: skip
        form = BookingForm(
            page=page,
            initial={
                "start": start.isoformat(),
                "minutes": visitor.minutes,
                "tz": visitor.tz,
                "h": "12" if visitor.h12 else "24",
                "src": visitor.src,
                "idempotency_key": uuid.uuid4().hex,
                "shown": abuse.form_stamp(),
            },
        )
    zone = timekit.zone(visitor.tz)
    context = _context(
        request,
        page,
        visitor,
        now,
        form=form,
        start=start.astimezone(zone),
        start_label=time_label(start, zone, visitor.h12),
        end_label=time_label(start + timedelta(minutes=visitor.minutes), zone, visitor.h12),
        hold_minutes=int(public.HOLD.total_seconds() // 60),
        back=_page_url(page, visitor, day=start.astimezone(zone).date().isoformat()),
        ask_phone=page.phone_question != PhoneQuestion.OFF,
    )
    return render(request, "bookings/public/form.html", context, status=status)


def _book(request, page: BookingPage):
    now = timezone.now()
    visitor = Visitor(request, page, data=request.POST)
    form = BookingForm(request.POST, page=page)
    start = parse_start(request.POST.get("start"))
    if start is None:
        return redirect(_page_url(page, visitor))
    wait = abuse.booking_wait(request, page)
    if wait:
        return ratelimit.too_many(request, wait, reason="Too many booking attempts.")
    if abuse.filled_by_a_bot(request.POST):
        form.add_error(None, "We couldn't take that booking. Please wait a moment and try again.")
        form.data = form.data.copy()
        form.data["shown"] = abuse.form_stamp()
        return _form_step(request, page, visitor, start, now, form=form, status=422)
    if not form.is_valid():
        return _form_step(request, page, visitor, start, now, form=form, status=422)
    data = form.cleaned_data
    try:
        booked = public.book(
            page,
            public.Request(
                start=start,
                minutes=visitor.minutes,
                name=data["name"],
                email=data["email"],
                phone=data.get("phone", ""),
                note=data.get("note", ""),
                tz=visitor.tz,
                src=visitor.src,
                idempotency_key=data["idempotency_key"],
            ),
            holder=_holder(request),
            now=now,
        )
    except public.PageClosed as closed:
        form.add_error(None, str(closed))
        return _form_step(request, page, visitor, start, now, form=form, status=409)
    except services.SlotTaken:
        return _days_step(
            request, page, visitor, now, status=409,
            notice="That time was just taken. Here are the times still free.",
        )  # fmt: skip
    except ValidationError as error:
        add_service_errors(form, error)
        return _form_step(request, page, visitor, start, now, form=form, status=422)
    messages.success(request, "You're booked. A confirmation is on its way to your inbox.")
    return redirect(f"{reverse('booking:manage', args=[booked.token])}?{visitor.query(new='1')}")


@require_POST
def callback(request, slug: str):
    """No free time: the visitor leaves their contact to be called back."""
    page = _page_or_404(slug)
    now = timezone.now()
    visitor = Visitor(request, page, data=request.POST)
    wait = abuse.booking_wait(request, page)
    if wait:
        return ratelimit.too_many(request, wait, reason="Too many requests.")
    form = CallbackForm(request.POST, page=page)
    if abuse.filled_by_a_bot(request.POST):
        form.add_error(None, "We couldn't take that request. Please wait a moment and try again.")
    elif form.is_valid():
        data = form.cleaned_data
        try:
            public.request_callback(
                page,
                name=data["name"],
                email=data["email"],
                phone=data.get("phone", ""),
                tz=visitor.tz,
                src=visitor.src,
                now=now,
            )
        except public.PageClosed as closed:
            form.add_error(None, str(closed))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(
                request, "bookings/public/callback_done.html", _context(request, page, visitor, now)
            )
    context = _context(
        request, page, visitor, now, days=[], chosen=None, times=[], lengths=[], callback_form=form
    )
    return render(request, "bookings/public/page.html", context, status=422)
