"""Account rules: who may sign up, what a profile may hold, and the sign-up and reset mails."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from mainthing.core import timekit

from . import regions
from .models import User


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    return email


def check_time_zone(name: str) -> str:
    try:
        timekit.zone(name)
    except ValueError as error:
        raise ValidationError({"time_zone": str(error)}) from None
    return name


def create_user(*, email: str, password: str, time_zone: str = "UTC", name: str = "") -> User:
    """Creates a user after validating email, zone and password strength.

    Raises ValidationError keyed by field; nothing is written when any check fails.
    """
    email = normalize_email(email)
    check_time_zone(time_zone)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this email already exists."})
    candidate = User(email=email, name=name.strip(), time_zone=time_zone)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    return User.objects.create_user(
        email=email,
        password=password,
        time_zone=time_zone,
        name=name.strip(),
        # Phones typed without a country code are read in this region; the zone is the best
        # hint there is at sign-up, and the profile changes it.
        phone_region=regions.region_for_zone(time_zone),
    )


PROFILE_FIELDS = (
    "name",
    "time_zone",
    "goal_iga_minutes",
    "goal_conversations",
    "nudge_minutes",
    "fill_threshold",
    "fill_window_days",
    "phone_region",
    "currency",
)


def lock_user(user_id: int) -> None:
    """Inside a transaction: waits for, then holds until commit, the lock on the user's row, so
    one user's writes that read-then-write (timer starts, routine edits) run one at a time.
    (SQLite's IMMEDIATE transactions already serialise every writer.)"""
    User.objects.select_for_update().filter(pk=user_id).first()


# The profile's number ranges, in one place: the service enforces them and ProfileForm builds its
# fields from them, so the browser's min/max are the server's.
PROFILE_RANGES = {
    "nudge_minutes": (5, 240, "Ask again after 5 to 240 minutes."),
    "fill_threshold": (10, 100, "Pick a threshold from 10% to 100%."),
    "fill_window_days": (1, 14, "Look 1 to 14 days ahead."),
}


def update_profile(user: User, **changes) -> tuple[User, bool]:
    """Saves profile fields. Returns the user and whether the time zone changed (callers then
    recount day totals, since local days move with the zone; instants never do)."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    if "time_zone" in changes:
        check_time_zone(changes["time_zone"])
    for name, (low, high, message) in PROFILE_RANGES.items():
        if name in changes and not low <= int(changes[name]) <= high:
            raise ValidationError({name: message})
    if "phone_region" in changes:
        changes["phone_region"] = str(changes["phone_region"]).strip().upper()
        if not regions.is_region(changes["phone_region"]):
            raise ValidationError({"phone_region": "Pick a phone region from the list."})
    if "currency" in changes:
        currency = regions.clean_currency(changes["currency"])
        if not currency:
            raise ValidationError({"currency": regions.CURRENCY_ERROR})
        changes["currency"] = currency
    zone_changed = "time_zone" in changes and changes["time_zone"] != user.time_zone
    for key, value in changes.items():
        setattr(user, key, value)
    user.save()
    return user, zone_changed


def hide_checklist(user: User, *, now: datetime) -> None:
    """Hides the first-run checklist on Today for good (writes `checklist_hidden_at` once)."""
    User.objects.filter(pk=user.pk, checklist_hidden_at__isnull=True).update(
        checklist_hidden_at=now
    )
    user.refresh_from_db(fields=["checklist_hidden_at"])


def show_checklist(user: User) -> None:
    """Brings the first-run checklist back on Today."""
    User.objects.filter(pk=user.pk).update(checklist_hidden_at=None)
    user.checklist_hidden_at = None


def mark_booking_link_shared(user: User, *, now: datetime) -> None:
    """Records that the user says they shared their booking link (the first time only)."""
    User.objects.filter(pk=user.pk, booking_link_shared_at__isnull=True).update(
        booking_link_shared_at=now
    )
    user.refresh_from_db(fields=["booking_link_shared_at"])


def request_password_reset(email: str) -> None:
    """Queues the reset mail after commit when the address belongs to an active user.

    Says nothing either way, so the form can't be used to learn who has an account.
    """
    from .tasks import send_password_reset

    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None:
        transaction.on_commit(lambda: send_password_reset.enqueue(user.pk))


SIGNUP_SALT = "mainthing.accounts.signup"
SIGNUP_LINK_DAYS = 3


def request_signup(*, email: str, name: str = "", time_zone: str = "UTC") -> None:
    """Queues the sign-up mail after commit; raises ValidationError for a bad address or zone.

    Looks nothing up: the worker decides whether the address gets a link to finish signing up
    or, when it has an account already, a note to its owner. So the answer (and the time it
    takes) is the same either way, and sign-up can't be used to learn who has an account.
    """
    from .tasks import send_signup_mail

    email = normalize_email(email)
    check_time_zone(time_zone)
    name = name.strip()
    transaction.on_commit(lambda: send_signup_mail.enqueue(email, name, time_zone))


def signup_token(*, email: str, name: str, time_zone: str) -> str:
    """The secret of a sign-up link: the details signed with the secret key, nothing stored."""
    return signing.dumps({"email": email, "name": name, "time_zone": time_zone}, salt=SIGNUP_SALT)


def read_signup_token(token: str) -> dict | None:
    """The sign-up details a link carries, or None when it is forged or older than three days."""
    try:
        data = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or set(data) != {"email", "name", "time_zone"}:
        return None
    return data
