"""The demo account's booking page (`mainthing demo`): a share of the past calls booked
through it, a few coming ones (a prospect in Kolkata, one in New York, one in Sydney who moved
their call), each under the source of the link they came through, and a call-back request from
London, where no evening in Chicago is a time to talk.

The demo sends no email: its people are made up, so the mails and reminders those bookings
queue are dropped. Deterministic for one `now`, like the rest of the demo.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from mainthing.accounts.models import User
from mainthing.bookings import pagesettings, public
from mainthing.bookings import services as bookings
from mainthing.bookings.models import Appointment, Change, MadeVia, Mail, Reminder
from mainthing.core import timekit
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import LeadSource

US_ZONES = ("America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles")
PAGE_INTRO = (
    "Pick a time for a relaxed call about building a business from home, alongside your job. "
    "Times are shown in your own time zone."
)
# The coming calls booked through the page: (name, zone, phone, link source, minutes, note),
# each on the first time offered on the next open evening after the calls booked by hand.
PAGE_BOOKINGS = (
    ("Ananya Iyer", "Asia/Kolkata", "+91 98765 43210", "youtube", 30,
     "Saw the video on the first 90 days"),
    ("Rachel Adams", "America/New_York", "", "mlm-forum", 15, "Quick questions about the kit"),
)  # fmt: skip
# Booked through the page three days ago, moved by the prospect yesterday.
MOVED_BOOKING = ("Jack Wilson", "Australia/Sydney", "+61 2 9374 4001", "ad-set-3")
# Someone for whom no evening in Chicago is a time to talk: a call-back request.
CALLBACK = ("Harry Evans", "Europe/London", "+44 20 7946 0999", "fb-group")


def through_the_page(made: list[Appointment], *, seed: int) -> None:
    """About two in five of the past booked calls came through the booking page, in the
    prospect's zone and under their source; every call's history starts with its booking."""
    rng = random.Random(seed)
    paged = []
    for appointment in made:
        prospect = appointment.prospect
        if prospect is None or rng.random() >= 0.4:
            continue
        appointment.made_via = MadeVia.BOOKING_PAGE
        appointment.source_id = prospect.source_id
        appointment.prospect_time_zone = prospect.time_zone or rng.choice(US_ZONES)
        paged.append(appointment)
    Appointment.objects.bulk_update(paged, ["made_via", "source", "prospect_time_zone"])
    Change.objects.bulk_create(
        Change(
            appointment=a,
            kind=Change.Kind.BOOKED,
            by=Change.By.PROSPECT if a.made_via == MadeVia.BOOKING_PAGE else Change.By.USER,
            at=a.created_at,
            to_start=a.start,
        )
        for a in made
    )


def add_booking_page(
    user: User,
    sources: dict[str, LeadSource],
    *,
    now: datetime,
    name: str,
    zone: str,
    after_days: int,
) -> None:
    """The booking page with a few coming calls booked through it (one moved by its prospect)
    and a call-back request; the mails and reminders they queue are dropped."""
    page = pagesettings.update_page(
        public.page_for(user),
        slug=pagesettings.free_slug(name, exclude_user=user.pk),
        lengths=[15, 30],
        reminders=[1440, 60],
        intro=PAGE_INTRO,
        default_source=sources["mlm-forum"],
    )
    tz = timekit.zone(zone)
    after = timekit.local_date(now, tz) + timedelta(days=after_days)
    firsts: dict[date, datetime] = {}
    for start, _end in public.offered_slots(
        page, start=now, end=public.horizon_end(page, now), minutes=30, now=now
    ):
        firsts.setdefault(timekit.local_date(start, tz), start)
    evenings = [start for day, start in sorted(firsts.items()) if day >= after]
    for (who, where, phone, src, minutes, note), start in zip(
        PAGE_BOOKINGS, evenings, strict=False
    ):
        request = public.Request(
            start=start, minutes=minutes, name=who, email=_email(who),
            tz=where, phone=phone, note=note, src=src,
        )  # fmt: skip
        booked = public.book(page, request, now=now)
        # The row's stamp is the real clock; the demo's clock is `now`.
        Appointment.objects.filter(pk=booked.appointment.pk).update(created_at=now)
    who, where, phone, src = MOVED_BOOKING
    booked_at, moved_at = now - timedelta(days=3), now - timedelta(days=1)
    contact = prospect_services.clean_contact(
        user, name=who, email=_email(who), phone=phone, time_zone=where
    )
    prospect = prospect_services.add_prospect(
        user, contact, now=booked_at, source=sources[src], allow_duplicate=True
    )
    call = bookings.book(
        user, prospect=prospect, source=sources[src], start=evenings[2], minutes=30,
        now=booked_at, made_via=MadeVia.BOOKING_PAGE, by=Change.By.PROSPECT,
        prospect_time_zone=where,
    )  # fmt: skip
    bookings.move(call, start=evenings[3], now=moved_at, by=Change.By.PROSPECT)
    Appointment.objects.filter(pk=call.pk).update(created_at=booked_at)
    who, where, phone, src = CALLBACK
    public.request_callback(
        page, name=who, email="", phone=phone, tz=where, src=src, now=now - timedelta(hours=2)
    )
    Reminder.objects.filter(appointment__user=user).delete()
    Mail.objects.filter(user=user).delete()


def _email(name: str) -> str:
    first, last = name.lower().split()
    return f"{first}.{last}@example.com"
