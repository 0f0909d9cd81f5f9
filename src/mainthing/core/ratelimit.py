"""Rate limits that need no Redis: a token bucket per key in the database.

Keys are HMACs of what they count (an IP, an email), so the table holds no personal data.
Most limits spend a token on every attempt (`take`). Login and password change spend only on
failures: they `wait` before the attempt and `spend` after a wrong password, so the person who
knows the password never uses up the budget (docs/security.md has the whole policy).
"""

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from .models import RateBucket


@dataclass(frozen=True)
class Limit:
    scope: str
    capacity: int  # requests allowed in a burst
    per_seconds: int  # time to refill the whole bucket


# Failed logins only. One address spraying many accounts:
LOGIN_PER_IP = Limit("login-ip", 20, 3600)
# One account from one address: brute force from one place stops here.
LOGIN_PER_ACCOUNT_ADDRESS = Limit("login-account-ip", 10, 3600)
# One account from anywhere, for attackers with many addresses. A known device skips it (and the
# two above), so nobody can lock the owner out by spending it.
LOGIN_PER_ACCOUNT = Limit("login-account", 100, 3600)
# A known device's own failures: a stolen device cookie still can't brute-force the password.
LOGIN_PER_DEVICE = Limit("login-device", 10, 3600)
PASSWORD_CHANGE_PER_USER = Limit("password-change-user", 10, 3600)
SIGNUP_PER_IP = Limit("signup-ip", 5, 3600)
SIGNUP_MAILS_PER_EMAIL = Limit("signup-email", 3, 3600)
RESET_PER_IP = Limit("reset-ip", 5, 3600)
RESET_PER_EMAIL = Limit("reset-email", 3, 3600)


def _bucket_key(limit: Limit, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), value.lower().encode(), hashlib.sha256)
    return f"{limit.scope}:{digest.hexdigest()[:48]}"


def take(limit: Limit, value: str, *, now: datetime | None = None) -> int:
    """Spend one token. Returns 0 when allowed, else the seconds until a token is back."""
    return _use(limit, value, now=now, spend=True)


def wait(limit: Limit, value: str, *, now: datetime | None = None) -> int:
    """The seconds until `value` may try again (0: now), spending nothing."""
    return _use(limit, value, now=now, spend=False)


def spend(limit: Limit, value: str, *, now: datetime | None = None) -> None:
    """Records one failure. May take the bucket below zero tokens; it refills at the same rate."""
    _use(limit, value, now=now, spend=True, force=True)


def forget(limit: Limit, value: str) -> None:
    """Empties the record of `value`'s failures (a login that succeeded, say)."""
    RateBucket.objects.filter(key=_bucket_key(limit, value)).delete()


def _use(
    limit: Limit, value: str, *, now: datetime | None, spend: bool, force: bool = False
) -> int:
    if not settings.RATE_LIMITS:
        return 0
    now = now or timezone.now()
    rate = limit.capacity / limit.per_seconds
    key = _bucket_key(limit, value)
    with transaction.atomic():
        bucket = RateBucket.objects.select_for_update().filter(key=key).first()
        if bucket is None:
            if spend:
                RateBucket.objects.create(key=key, tokens=limit.capacity - 1, updated_at=now)
            return 0
        elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
        tokens = min(float(limit.capacity), bucket.tokens + elapsed * rate)
        if tokens < 1 and not force:
            return max(1, math.ceil((1 - tokens) / rate))
        if spend:
            # Never below -1: failures past the limit don't stretch the wait without end.
            bucket.tokens = max(-1.0, tokens - 1)
            bucket.updated_at = now
            bucket.save(update_fields=["tokens", "updated_at"])
        return 0


def client_ip(request) -> str:
    """The address of the client, the one every rate limit counts.

    Without `MAINTHING_TRUSTED_PROXIES` it is the TCP peer (REMOTE_ADDR) and X-Forwarded-For is
    ignored: anyone can send that header. With it, and only when the peer is one of those
    proxies, X-Forwarded-For is read from the right: each trusted proxy appends the address it
    saw, so the first address from the right that is not a trusted proxy is the client. Entries
    left of it were written by the client and may be lies.
    """
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = settings.TRUSTED_PROXIES
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A trusted proxy writes only real addresses: garbage came from the client, so the
            # last proxy's peer is all we know.
            return client
        client = address
        if not _is_trusted(address, trusted):
            return address
    return client


def _address(text: str) -> str | None:
    """An IP address from one X-Forwarded-For entry ("1.2.3.4", "1.2.3.4:5678", "[::1]:80")."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return None


def _is_trusted(address: str, trusted) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def too_many(request, retry_after: int, *, reason: str = "") -> HttpResponse:
    """The 429 page; `reason` says what was limited ("Too many wrong passwords.")."""
    context = {"retry_after": retry_after, "minutes": math.ceil(retry_after / 60), "reason": reason}
    body = render_to_string("core/429.html", context, request=request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limit_posts_per_ip(limit: Limit):
    """Decorator for views whose POSTs are limited per client address."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                wait = take(limit, client_ip(request))
                if wait:
                    return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
