"""Known devices: browsers that signed in to an account before.

After a successful login the browser gets a signed cookie naming the user and a random device
id, and carrying a fingerprint of the user's password hash. It lets that browser past the
per-account login limits (an attacker elsewhere can spend those, not this), and it stops
working when the password changes, so a stolen cookie dies with the password it was earned by.
Signed with the secret key (django.core.signing): no table, nothing to clean up.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import User

SALT = "mainthing.accounts.known-device"


def _fingerprint(user: User) -> str:
    return salted_hmac(SALT, user.password).hexdigest()[:20]


def remember(response, user: User, request=None) -> None:
    """Sets (or renews, keeping its id) the known-device cookie for `user` on `response`."""
    device = (recognise(request, user) if request is not None else None) or secrets.token_hex(8)
    value = signing.dumps({"u": user.pk, "d": device, "p": _fingerprint(user)}, salt=SALT)
    response.set_cookie(
        settings.KNOWN_DEVICE_COOKIE,
        value,
        max_age=settings.KNOWN_DEVICE_DAYS * 86400,
        path="/accounts/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def recognise(request, user: User | None) -> str | None:
    """The device id when this browser signed in as `user` with its current password."""
    data = _read(request)
    if data is None or user is None or data.get("u") != user.pk:
        return None
    if not constant_time_compare(str(data.get("p", "")), _fingerprint(user)):
        return None
    return str(data.get("d", "")) or None


def recognise_login(request, email: str) -> str | None:
    """The device id when this browser is a known device of the account `email` names."""
    data = _read(request)
    if data is None:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email.lower() != email.strip().lower():
        return None
    return recognise(request, user)


def _read(request) -> dict | None:
    raw = request.COOKIES.get(settings.KNOWN_DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=SALT, max_age=settings.KNOWN_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None
