"""The private calendar feed: a user's blocks and appointments as iCalendar, behind a secret URL.

The feed is a mirror that calendar clients poll (Google every 8-24 h, Outlook every few hours);
emails stay the real-time channel. Every time is written in UTC with a `Z`, so the file needs no
VTIMEZONE and no client can misread a zone. Appointments name the prospect by first name only:
calendars get shared, synced and shown on lock screens.

The token behind the URL is made, hashed and checked by `core.tokens` (256 bits, stored only as
its SHA-256 hash, so subscriptions survive a SECRET_KEY rotation). It is found by its hash
through a unique index, so no comparison of secrets happens in Python.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vDuration

from mainthing.accounts.models import User
from mainthing.core import timekit, tokens
from mainthing.core.enums import Tier
from mainthing.routine import occurrences
from mainthing.routine.models import Block

from .models import ACTIVE, Appointment, FeedToken, Status

PRODID = "-//Mainthing//Calendar feed//EN"
PAST = timedelta(days=14)
AHEAD = timedelta(weeks=8)
REFRESH = timedelta(hours=1)
# Writing last_used_at on every poll would turn a read into a write; once a minute is plenty.
TOUCH_EVERY = timedelta(minutes=1)

BLOCK_SUMMARY = {
    Tier.INCOME: "Prospecting block",
    Tier.LEADGEN: "Lead generation block",
    Tier.OTHER: "Busy-work block",
}


def subscribe_links(url: str) -> list[tuple[str, str]]:
    """One-click subscribe links for a feed URL: (calendar app, link). Each app polls the URL
    itself; nothing is sent to it from here."""
    webcal = "webcal://" + url.split("://", 1)[-1]
    outlook = "calendar/0/addfromweb?" + urlencode({"url": url, "name": "Mainthing"})
    return [
        ("Google Calendar", "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal})),
        ("Apple Calendar", webcal),
        ("Outlook", f"https://outlook.live.com/{outlook}"),
        ("Outlook (work or school)", f"https://outlook.office.com/{outlook}"),
    ]


def rotate_feed_token(user: User, *, now: datetime | None = None) -> str:
    """Creates the user's feed token, or replaces it: the old URL answers 404 from now on.

    Returns the raw token; only its hash is stored, so this is the one time it can be shown.
    """
    raw = tokens.make_token()
    FeedToken.objects.update_or_create(
        user=user,
        defaults={
            "token_hash": tokens.hash_token(raw),
            "created_at": now or timezone.now(),
            "last_used_at": None,
        },
    )
    return raw


def revoke_feed_token(user: User) -> bool:
    """Deletes the user's feed token, so the feed URL answers 404. Whether there was one."""
    deleted, _ = FeedToken.objects.filter(user=user).delete()
    return bool(deleted)


def feed_token_for(raw: str) -> FeedToken | None:
    """The live token (with its user) for a raw token from a URL, or None."""
    if not tokens.is_well_formed(raw):
        return None
    return (
        FeedToken.objects.select_related("user")
        .filter(token_hash=tokens.hash_token(raw), user__is_active=True)
        .first()
    )


def user_for_feed_token(raw: str) -> User | None:
    token = feed_token_for(raw)
    return token.user if token else None


def touch_feed_token(token: FeedToken, *, now: datetime) -> None:
    """Records that the feed was fetched, writing at most once a minute per token."""
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def feed_url(raw: str) -> str:
    return settings.BASE_URL + reverse("feed", args=[raw])


def _block_event(occurrence: occurrences.Occurrence, sequence: int, stamp: datetime) -> Event:
    return Event.new(
        uid=f"block-{occurrence.block_id}-{occurrence.local_date:%Y-%m-%d}@mainthing",
        summary=occurrence.label or BLOCK_SUMMARY.get(occurrence.tier, "Block"),
        start=occurrence.start,
        end=occurrence.end,
        stamp=stamp,
        sequence=sequence,
        status="CONFIRMED",
        # A block is time set aside to be filled with calls, not a meeting: shown as busy it
        # would hide the user's open prospecting time from anything that reads free/busy, and
        # count twice under the appointments inside it, which are the busy time.
        transparency="TRANSPARENT",
        categories=[Tier(occurrence.tier).label] if occurrence.tier in Tier.values else (),
    )


def _appointment_event(appointment: Appointment, stamp: datetime) -> Event:
    name = appointment.first_name
    return Event.new(
        uid=f"appointment-{appointment.pk}@mainthing",
        summary=f"Call with {name}" if name else "Prospect call",
        description=f"Status: {Status(appointment.status).label}",
        start=appointment.start,
        end=appointment.end,
        stamp=stamp,
        sequence=appointment.sequence,
        status="CONFIRMED",
        transparency="OPAQUE",
        url=settings.BASE_URL + reverse("bookings:appointment", args=[appointment.pk]),
    )


def _first_kept(block: Block, user: User, first: date, tz) -> date:
    """The first day the feed shows a block on: a routine set up today was not kept last week,
    so nothing before the account was made, nor before the block was (or the day it says it
    is valid from, when the user gave one). Calls have no such cut: a call in a restored
    account happened when it says, whenever the account was made."""
    kept_since = block.valid_from or timekit.local_date(block.created_at, tz)
    return max(first, timekit.local_date(user.date_joined, tz), kept_since)


def build_calendar(user: User, *, now: datetime) -> bytes:
    """The user's feed from 14 days ago to 8 weeks ahead: every block occurrence from the
    block's first day, and every appointment that is not cancelled (a cancelled one is left
    out, so clients remove it; a completed one is at its real time). Three queries, whatever
    the number of events."""
    tz = timekit.zone(user.time_zone)
    first = timekit.local_date(now - PAST, tz)
    last = timekit.local_date(now + AHEAD, tz)
    blocks = list(Block.objects.filter(user=user).prefetch_related("exceptions"))
    sequences = {block.pk: block.sequence for block in blocks}
    start, _ = timekit.local_day_bounds(first, tz)
    _, end = timekit.local_day_bounds(last, tz)
    appointments = Appointment.objects.filter(ACTIVE, user=user, start__gte=start, start__lt=end)

    calendar = Calendar.new(
        prodid=PRODID,
        name="Mainthing",
        description="Your prospecting blocks and appointments from Mainthing.",
        method="PUBLISH",
        refresh_interval=REFRESH,
        uid=f"feed-{user.pk}@mainthing",
    )
    # RFC 7986 requires the value type on REFRESH-INTERVAL; Outlook reads the older TTL.
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    # DTSTAMP is when this copy was made: with METHOD:PUBLISH that is what RFC 5545 asks for.
    stamp = now.replace(microsecond=0)
    events = [
        (o.start, _block_event(o, sequences.get(o.block_id, 0), stamp))
        for block in blocks
        for o in occurrences.expand(
            [block.spec(list(block.exceptions.all()))], _first_kept(block, user, first, tz), last
        )
    ]
    events += [(a.start, _appointment_event(a, stamp)) for a in appointments]
    events.sort(key=lambda pair: pair[0])
    for _, event in events:
        calendar.add_component(event)
    return calendar.to_ical()
