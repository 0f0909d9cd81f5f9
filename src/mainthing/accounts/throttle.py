"""Which rate-limit buckets a login or a password change counts in (the policy is in
docs/security.md). Only failures spend; the person with the password never runs out."""

from __future__ import annotations

from mainthing.core import ratelimit
from mainthing.core.ratelimit import Limit

from . import devices

Buckets = list[tuple[Limit, str]]


def login_buckets(request, email: str) -> Buckets:
    """A known device of the account counts only in its own bucket, which nobody else can
    spend; any other browser counts per address, per account and address, and per account."""
    email = email.strip().lower()
    device = devices.recognise_login(request, email) if email else None
    if device:
        return [(ratelimit.LOGIN_PER_DEVICE, f"{email}|{device}")]
    address = ratelimit.client_ip(request)
    return [
        (ratelimit.LOGIN_PER_IP, address),
        (ratelimit.LOGIN_PER_ACCOUNT_ADDRESS, f"{email}|{address}"),
        (ratelimit.LOGIN_PER_ACCOUNT, email),
    ]


def password_change_buckets(user) -> Buckets:
    return [(ratelimit.PASSWORD_CHANGE_PER_USER, str(user.pk))]


def wait(buckets: Buckets) -> int:
    """Seconds until every bucket allows another try (0: now)."""
    return max((ratelimit.wait(limit, value) for limit, value in buckets), default=0)


def failed(buckets: Buckets) -> None:
    for limit, value in buckets:
        ratelimit.spend(limit, value)


def succeeded(buckets: Buckets) -> None:
    """Forgets this place's failures: the owner's typos before the right password don't count
    against them. The per-address and per-account buckets keep what others spent."""
    for limit, value in buckets:
        if limit in (ratelimit.LOGIN_PER_ACCOUNT_ADDRESS, ratelimit.LOGIN_PER_DEVICE):
            ratelimit.forget(limit, value)
