"""The one writer of `InsightSettings` (the income goal, the weekly review's schedule) and the
worker's sweep that mails the weekly review.

When the review is due: the user picks a weekday and an hour on their own clock; the row keeps
the next instant (UTC) the clock shows them (`next_due`). The sweep claims a due row with a
guarded update that moves it on to the following week and records the reviewed week
(`review_sent_for`), and writes the mail into the bookings outbox (`Mail`, kind
"weekly_review") in the same transaction; the outbox's own sweep sends it after commit and
retries while the mail server is down. So the review goes out once a week, whatever the number
of workers, and never twice for one reviewed week.

A time zone change is followed lazily, by the sweep: the profile is saved by apps below this
one (accounts, activity; the restore and the demo too), which must not import insights, and
the due instant is the only zone-dependent value stored. When a row comes due, the sweep first
works out the same week's occurrence on the user's current clock; when that is still ahead
(the user moved west), the row moves there and nothing is sent yet; when it has passed (the
user moved east), the review goes now. Never early, never twice; after a move east the first
review comes late by at most the difference of the two zones' offsets.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from mainthing.accounts.models import User
from mainthing.bookings import mails
from mainthing.core import timekit

from . import periods, tables
from .models import InsightSettings
from .review import Review, weekly_review

MAIL_KIND = "weekly_review"  # the outbox's `Mail.kind`
MAIL_TEMPLATE = "weekly_review"  # emails/weekly_review{_subject.txt,.txt,.html}
BATCH = 200  # rows one sweep reads at most; the next sweep takes the rest
# Two zones' offsets differ by 26 hours at most (UTC-12 to UTC+14), one more for a DST change:
# one week's occurrence of a weekday and hour in any zone lies this close to another zone's.
ZONE_SPAN = timedelta(hours=27)

# --- the goal ------------------------------------------------------------------------------------

AMOUNT_DIGITS, AMOUNT_PLACES = 12, 2  # InsightSettings' decimal fields
LARGEST_AMOUNT = Decimal("9999999999.99")
GOAL_FIELDS = {
    "income_goal": "The monthly income goal",
    "income_per_join": "What one join earns you",
}


def _amount(value, label: str) -> Decimal | None:
    """An amount for the goal's fields: None (or "") clears it; anything else must be a
    positive number with at most two decimals that the column holds. ValueError says why."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | float):
        # A float is not the amount a person typed (0.1 is 0.1000000000000000055…).
        raise ValueError(f"{label} must be an amount like 3000 or 2500.50.")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{label} must be an amount like 3000 or 2500.50.") from None
    if not amount.is_finite():
        raise ValueError(f"{label} must be an amount like 3000 or 2500.50.")
    if amount <= 0:
        raise ValueError(f"{label} must be more than zero (leave it empty for none).")
    if amount.as_tuple().exponent < -AMOUNT_PLACES:
        raise ValueError(f"{label} can have at most {AMOUNT_PLACES} decimals.")
    if amount > LARGEST_AMOUNT:
        raise ValueError(f"{label} can be at most {LARGEST_AMOUNT:,}.")
    return amount.quantize(Decimal(1).scaleb(-AMOUNT_PLACES))


def save_goal(
    user: User, *, income_goal: Decimal | str | None, income_per_join: Decimal | str | None
) -> InsightSettings:
    """Saves the monthly income goal and what one join earns (None clears either), creating
    the user's settings row on the first save. Raises ValidationError per field, writing
    nothing, for an amount that is not positive, has more than two decimals or is too big."""
    values, errors = {}, {}
    for name, value in (("income_goal", income_goal), ("income_per_join", income_per_join)):
        try:
            values[name] = _amount(value, GOAL_FIELDS[name])
        except ValueError as error:
            errors[name] = [str(error)]
    if errors:
        raise ValidationError(errors)
    row, _ = InsightSettings.objects.update_or_create(user=user, defaults=values)
    return row


# --- when the review is due (pure: no database, no clock) ----------------------------------------


def next_due(weekday: int, hour: int, tz: ZoneInfo, after: datetime) -> datetime:
    """The first instant at or after `after` at which a clock in `tz` shows `weekday`
    (0 = Monday) at `hour`:00. One occurrence a week: a wall hour a DST change skips is the
    instant the clocks jump (so the day still has its review); in an hour a DST change repeats,
    the first of the two is the occurrence and the second is not one."""
    day = timekit.week_start(timekit.local_date(after, tz), first_weekday=weekday)
    while True:
        due = timekit.localize(datetime.combine(day, time(hour)), tz, in_gap="end")
        if due >= after:
            return due
        day += timedelta(days=7)


def reviewed_week(now: datetime, tz: ZoneInfo) -> date:
    """The Monday of the week a review written at `now` looks back on (the last full week)."""
    return periods.last_full_week(timekit.local_date(now, tz))[0]


# --- the schedule --------------------------------------------------------------------------------


def save_review_schedule(
    user: User, *, weekday: int | None, hour: int, now: datetime
) -> InsightSettings:
    """Sets the weekly review email to `weekday` (0 = Monday … 6, None: off) at `hour`:00 on
    the user's clock, and its next due instant (the first at or after `now`); off clears it.
    Creates the settings row on the first save. Raises ValidationError, writing nothing, for a
    weekday or hour out of range. A review already sent for last week is not sent again."""
    errors = {}
    if weekday is not None and (
        isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6
    ):
        errors["weekday"] = ["Pick a day of the week, or off."]
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        errors["hour"] = ["Pick an hour from 00:00 to 23:00."]
    if errors:
        raise ValidationError(errors)
    due = None if weekday is None else next_due(weekday, hour, timekit.zone(user.time_zone), now)
    row, _ = InsightSettings.objects.update_or_create(
        user=user,
        defaults={"review_weekday": weekday, "review_hour": hour, "review_due_at": due},
    )
    return row


# --- the sweep -----------------------------------------------------------------------------------


def send_due_reviews(now: datetime) -> int:
    """The worker's sweep: claims each settings row whose review is due and writes its review
    mail into the outbox (sent by the bookings sweep after commit). Returns how many mails
    were written. One mail per claim, for the latest full week, however late the worker is;
    none for an inactive user or a week already reviewed; a row whose user's clock moved is
    first moved to follow it (see the module's docstring)."""
    due = list(
        InsightSettings.objects.filter(review_due_at__lte=now)
        .select_related("user")
        .order_by("review_due_at", "pk")[:BATCH]
    )
    return sum(_send_one(row, now) for row in due)


def _send_one(row: InsightSettings, now: datetime) -> int:
    user, read_due = row.user, row.review_due_at
    guarded = InsightSettings.objects.filter(pk=row.pk, review_due_at=read_due)
    if row.review_weekday is None:  # off, with an instant left behind: nothing is due
        guarded.update(review_due_at=None)
        return 0
    tz = timekit.zone(user.time_zone)
    # This week's occurrence on the user's clock as it is now (the one stored, unless the zone
    # changed since it was worked out).
    occurrence = next_due(row.review_weekday, row.review_hour, tz, read_due - ZONE_SPAN)
    if occurrence > now:
        guarded.update(review_due_at=occurrence)
        return 0
    following = next_due(row.review_weekday, row.review_hour, tz, now + timedelta(microseconds=1))
    week = reviewed_week(now, tz)
    wanted = user.is_active and (row.review_sent_for is None or row.review_sent_for < week)
    # Read before the claim's transaction, so the write lock is held for the claim and the
    # mail alone.
    review = weekly_review(user, now=now) if wanted else None
    with transaction.atomic():
        # The claim: one worker moves the row on from the instant it read, and only for a
        # week not reviewed yet (the database checks it, not the row read a moment ago).
        fresh_week = Q(review_sent_for__isnull=True) | Q(review_sent_for__lt=week)
        if review is None or not guarded.filter(fresh_week).update(
            review_due_at=following, review_sent_for=week
        ):
            guarded.update(review_due_at=following)  # nothing to send, or another worker's
            return 0
        mails.queue(
            user.pk,
            kind=MAIL_KIND,
            to=user.email,
            name=MAIL_TEMPLATE,
            context=email_context(review, tz=tz),
            now=now,
        )
    return 1


# --- the email -----------------------------------------------------------------------------------


def _block_when(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """A coming block as the email writes it: "Mon 15 Jun 19:00", an en dash, "21:00"."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    return f"{local_start:%a} {local_start.day} {local_start:%b %H:%M}\N{EN DASH}{local_end:%H:%M}"


def email_context(review: Review, *, tz: ZoneInfo) -> dict:
    """What the weekly review email's templates read: the review's figures as text, and the
    absolute links to the review page and to the form that turns the email off."""
    talks, fill = review.number("conversations"), review.number("fill_percent")
    headline = f"{talks.last} conversations ({talks.change_text})"
    if fill.last is not None:
        headline += f", {fill.last}% booked"
    review_url = settings.BASE_URL + reverse("insights:review")
    return {
        "review": review,
        "headline": headline,
        "week": f"{review.first:%a} {review.first.day} {review.first:%b} to "
        f"{review.last:%a} {review.last.day} {review.last:%b %Y}",
        "numbers": [
            {
                "label": n.label,
                "last": n.last_text,
                "before": n.before_text,
                "change": n.change_text or tables.NO_FIGURE,
            }
            for n in review.numbers
        ],
        "override_hours": tables.hours(review.override_seconds),
        "blocks": [
            {"when": _block_when(b.start, b.end, tz), "label": b.label, "fill": b.fill_percent}
            for b in review.blocks
        ],
        "review_url": review_url,
        "off_url": f"{review_url}#review-email",
    }
