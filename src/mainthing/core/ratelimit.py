"""Rate limits that need no Redis: a token bucket per key in the database.

Keys are HMACs of what they count (an IP, an email), so the table holds no personal data.
"""

import hashlib
import hmac
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


LOGIN_PER_IP = Limit("login-ip", 20, 3600)
LOGIN_PER_EMAIL = Limit("login-email", 10, 3600)
SIGNUP_PER_IP = Limit("signup-ip", 5, 3600)
RESET_PER_IP = Limit("reset-ip", 5, 3600)
RESET_PER_EMAIL = Limit("reset-email", 3, 3600)


def _bucket_key(limit: Limit, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), value.lower().encode(), hashlib.sha256)
    return f"{limit.scope}:{digest.hexdigest()[:48]}"


def take(limit: Limit, value: str, *, now: datetime | None = None) -> int:
    """Spend one token. Returns 0 when allowed, else the seconds until a token is back."""
    if not settings.RATE_LIMITS:
        return 0
    now = now or timezone.now()
    rate = limit.capacity / limit.per_seconds
    with transaction.atomic():
        bucket = (
            RateBucket.objects.select_for_update().filter(key=_bucket_key(limit, value)).first()
        )
        if bucket is None:
            RateBucket.objects.create(
                key=_bucket_key(limit, value), tokens=limit.capacity - 1, updated_at=now
            )
            return 0
        elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
        tokens = min(float(limit.capacity), bucket.tokens + elapsed * rate)
        if tokens < 1:
            return max(1, math.ceil((1 - tokens) / rate))
        bucket.tokens = tokens - 1
        bucket.updated_at = now
        bucket.save(update_fields=["tokens", "updated_at"])
        return 0


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def too_many(request, retry_after: int) -> HttpResponse:
    body = render_to_string("core/429.html", {"retry_after": retry_after}, request=request)
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
