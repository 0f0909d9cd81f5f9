"""What keeps the public booking page (HTML and JSON) from being flooded, in one place.

Limits are per client address and per page. An attacker with one address is stopped by the
address limit long before the page's, so they can't shut the page for real prospects; the
page's own limit (and `BookingPage.daily_cap` on what is written) bounds a flood from many
addresses. The HTML form adds a honeypot field and a minimum fill time: a bot that fills every
field, or posts faster than a person can type, books nothing.
"""

from __future__ import annotations

from django.core import signing

from mainthing.core import ratelimit
from mainthing.core.ratelimit import Limit

from .models import BookingPage

# Booking and call-back attempts (good or bad) from one address, and to one page.
BOOKING_PER_IP = Limit("booking-ip", 10, 3600)
BOOKING_PER_PAGE = Limit("booking-page", 100, 3600)
# Slot listings and holds from one address: a person clicks through a few days; a scraper
# or a bot holding every slot does not get far.
READS_PER_IP = Limit("booking-reads-ip", 120, 60)
HOLDS_PER_IP = Limit("booking-holds-ip", 30, 3600)

# A hidden field people leave empty (`website`, which form-filling bots love), and the least
# time between showing the form and posting it.
HONEYPOT_FIELD = "website"
MIN_FILL_SECONDS = 3
_STAMP_SALT = "mainthing.bookings.form-shown"


def booking_wait(request, page: BookingPage) -> int:
    """Seconds until this address may try to book on this page again (0: now); spends one
    attempt of each limit when allowed."""
    address = ratelimit.client_ip(request)
    return ratelimit.take(BOOKING_PER_IP, address) or ratelimit.take(BOOKING_PER_PAGE, str(page.pk))


def reads_wait(request) -> int:
    return ratelimit.take(READS_PER_IP, ratelimit.client_ip(request))


def holds_wait(request) -> int:
    return ratelimit.take(HOLDS_PER_IP, ratelimit.client_ip(request))


def form_stamp() -> str:
    """A signed note of when the form was shown, for its hidden field."""
    return signing.TimestampSigner(salt=_STAMP_SALT).sign("shown")


def filled_by_a_bot(data) -> bool:
    """Whether a posted form looks automated: the honeypot filled, or the form sent back
    sooner than `MIN_FILL_SECONDS` after it was shown (or with a stamp we didn't sign)."""
    if (data.get(HONEYPOT_FIELD) or "").strip():
        return True
    stamp = data.get("shown") or ""
    signer = signing.TimestampSigner(salt=_STAMP_SALT)
    try:
        signer.unsign(stamp, max_age=None)
    except signing.BadSignature:
        return True
    try:
        signer.unsign(stamp, max_age=MIN_FILL_SECONDS)
    except signing.SignatureExpired:
        return False  # older than the minimum: a person had time to type
    return True
