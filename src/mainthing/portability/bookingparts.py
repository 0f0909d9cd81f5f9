"""The booking page's part of an export file: the page's settings, each appointment's history
(`Change` rows) and the call-back requests, written and read back.

Slot holds, manage links (secrets), reminders and mails are left out: they are transient, or
secret, and a restore starts them afresh with the next booking.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from mainthing.accounts.models import User
from mainthing.bookings import pagesettings
from mainthing.bookings.models import (
    MAX_MINUTES,
    MIN_MINUTES,
    BookingPage,
    CallbackRequest,
    Change,
    PhoneQuestion,
)
from mainthing.core import timekit
from mainthing.core.text import short_slug

from .checks import _choice, _fields, _flag, _link, _list, _parse_instant, _text, _whole
from .format import BOOKING_PAGE_FIELDS, CALLBACK_FIELDS, CHANGE_FIELDS

Instant = Callable[[datetime | None], str | None]

# --- export --------------------------------------------------------------------------------------


def export_page(user: User) -> dict | None:
    """The user's page settings, its default source named by key; None without a page."""
    page = BookingPage.objects.filter(user=user).select_related("default_source").first()
    if page is None:
        return None
    settings = pagesettings.settings_of(page)
    settings["default_source"] = page.default_source.key if page.default_source_id else None
    return settings


def export_changes(changes, instant: Instant) -> list[dict]:
    return [
        {
            "kind": c.kind,
            "by": c.by,
            "at": instant(c.at),
            "from_start": instant(c.from_start),
            "to_start": instant(c.to_start),
        }
        for c in changes
    ]


def export_callbacks(user: User, prospect_index: dict[int, int], instant: Instant) -> list[dict]:
    return [
        {
            "at": instant(c.created_at),
            "prospect": prospect_index.get(c.prospect_id),
            "source": c.source.key if c.source_id else None,
        }
        for c in CallbackRequest.objects.filter(user=user)
        .select_related("source")
        .order_by("created_at", "pk")
    ]


# --- restore -------------------------------------------------------------------------------------

# What a page's numbers may be: the settings form's choices lie inside these.
PAGE_RANGES = {
    "step_minutes": (5, 120),
    "notice_minutes": (0, 30 * 24 * 60),
    "horizon_days": (1, 365),
    "buffer_minutes": (0, 120),
    "max_per_day": (1, 50),
    "cutoff_minutes": (0, 30 * 24 * 60),
    "remind_user_minutes": (1, 7 * 24 * 60),
    "daily_cap": (1, 500),
}
OPTIONAL = ("max_per_day", "remind_user_minutes")


def source_id(row: dict, key: str, sources: dict[str, int], where: str) -> int | None:
    """The id of the source a row names by key (None stays None)."""
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or value.lower() not in sources:
        raise ValidationError(f"{where}: {key} {value!r} is not one of the file's sources.")
    return sources[value.lower()]


def _minutes_list(row: dict, key: str, where: str, low: int, high: int) -> list[int]:
    values = row[key]
    if not isinstance(values, list):
        raise ValidationError(f"{where}: {key} must be a list of minutes.")
    return [_whole(v, f"{where}: each of {key}", low=low, high=high) for v in values]


def apply_page(user: User, data: Any, sources: dict[str, int]) -> str | None:
    """Writes the file's page settings onto the user's page (made if they have none); absent
    settings take their defaults. A slug another user has is swapped for a free one, and the
    returned note says so. No page in the file (older files): the user's page is left alone."""
    if data is None:
        return None
    where = "The booking page"
    row = _fields(data, BOOKING_PAGE_FIELDS, where)
    page = BookingPage.objects.filter(user=user).first() or BookingPage(user=user)
    defaults = BookingPage(user=user)
    for name, (low, high) in PAGE_RANGES.items():
        if name in row and row[name] is None and name in OPTIONAL:
            setattr(page, name, None)
        elif name in row:
            setattr(page, name, _whole(row[name], f"{where}: {name}", low=low, high=high))
        else:
            setattr(page, name, getattr(defaults, name))
    page.enabled = _flag(row, "enabled", where, default=True)
    page.ask_note = _flag(row, "ask_note", where, default=True)
    page.intro = _text(row, "intro", 500, where).strip()
    page.phone_question = _choice(
        row, "phone_question", PhoneQuestion.values, PhoneQuestion.OPTIONAL, where
    )
    if "lengths" in row:
        lengths = sorted(set(_minutes_list(row, "lengths", where, MIN_MINUTES, MAX_MINUTES)))
        if not lengths:
            raise ValidationError(f"{where}: lengths must offer at least one call length.")
        page.lengths = ",".join(map(str, lengths))
    else:
        page.lengths = defaults.lengths
    if "reminders" in row:
        reminders = sorted(set(_minutes_list(row, "reminders", where, 1, 30 * 24 * 60)))
        page.reminders = ",".join(map(str, reversed(reminders)))
    else:
        page.reminders = defaults.reminders
    page.default_source_id = source_id(row, "default_source", sources, where)
    wanted = _text(row, "slug", pagesettings.SLUG_MAX_LENGTH, where)
    if (
        len(wanted) < 3
        or wanted != short_slug(wanted, pagesettings.SLUG_MAX_LENGTH)
        or wanted in pagesettings.RESERVED_SLUGS
    ):
        raise ValidationError(
            f"{where}: slug {wanted!r} must be 3 to 40 lower-case letters, digits and dashes, "
            "and not a reserved word."
        )
    note = None
    page.slug = wanted
    if BookingPage.objects.filter(slug=wanted).exclude(user=user).exists():
        page.slug = pagesettings.free_slug(wanted, exclude_user=user.pk)
        note = (
            f"The booking page's address /book/{wanted}/ belongs to another account here; "
            f"the page is at /book/{page.slug}/ instead (change it in its settings)."
        )
    page.save()
    return note


def changes_for(data: Any, where: str) -> list[Change]:
    """An appointment's checked history, its rows not yet tied to the appointment."""
    rows = []
    for number, item in enumerate(_list(data, f"{where} changes"), 1):
        at = f"{where}, change {number}"
        item = _fields(item, CHANGE_FIELDS, at)
        moments = {
            key: None if item.get(key) is None else _parse_instant(item[key], f"{at}: {key}")
            for key in ("from_start", "to_start")
        }
        rows.append(
            Change(
                kind=_choice(item, "kind", Change.Kind.values, "", at),
                by=_choice(item, "by", Change.By.values, "", at),
                at=_parse_instant(item.get("at"), f"{at}: at"),
                **moments,
            )
        )
    return rows


def zone_of(row: dict, where: str) -> str:
    zone = _text(row, "prospect_time_zone", 64, where)
    if zone:
        try:
            timekit.zone(zone)
        except ValueError:
            raise ValidationError(
                f"{where}: prospect_time_zone {zone!r} is not a time zone."
            ) from None
    return zone


def apply_callbacks(user: User, data: Any, prospect_ids: list[int], sources: dict[str, int]) -> int:
    rows = []
    for index, row in enumerate(_list(data, "callback_requests"), 1):
        where = f"Call-back request {index}"
        row = _fields(row, CALLBACK_FIELDS, where)
        rows.append(
            CallbackRequest(
                user=user,
                created_at=_parse_instant(row.get("at"), f"{where}: at"),
                prospect_id=_link(row, "prospect", prospect_ids, where),
                source_id=source_id(row, "source", sources, where),
            )
        )
    CallbackRequest.objects.bulk_create(rows)
    return len(rows)
