"""The booking page's shareable link, per lead source, and its QR code for print.

Light to import: `mainthing status` (a daily command, whose start-up is measured) prints the
link, so nothing here loads the URL configuration, phonenumbers or segno at import.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from django.conf import settings

if TYPE_CHECKING:
    from mainthing.prospects.models import LeadSource

    from .models import BookingPage

# Sized for print: 10 px a module is about 2.5 cm for a short link at 96 dpi, sharp on a flyer
# or a slide; 4 modules of quiet zone is what the QR standard asks for so phones find the code.
QR_SCALE = 10
QR_BORDER = 4


def booking_url(page: BookingPage, source: LeadSource | None = None) -> str:
    """The public page's address, with `?src=<key>` when a named source is given (the
    "Unknown" source has no key of its own: it is the plain link).

    The path is written out, not reversed: reversing loads every view, which the CLI's daily
    commands never do (cli/common.py). tests/prospects/test_booking_links.py holds it equal to
    `reverse("booking:page")`."""
    url = f"{settings.BASE_URL}/book/{quote(page.slug)}/"
    if source is not None and not source.is_unknown:
        url += "?" + urlencode({"src": source.key})
    return url


def _qr(url: str):
    # segno is imported here, not at the top: only the QR downloads need it.
    import segno

    # Error correction M: a flyer that gets creased or a slide seen at an angle still scans.
    return segno.make_qr(url, error="m", boost_error=False)


def qr_svg(url: str) -> bytes:
    """The link's QR code as an SVG document: a viewBox and no fixed size, so it scales to any
    print size; a white background, so the quiet zone holds on a dark slide or flyer."""
    out = io.BytesIO()
    _qr(url).save(
        out,
        kind="svg",
        scale=QR_SCALE,
        border=QR_BORDER,
        light="#fff",
        omitsize=True,
        title=url,
        svgclass="qr",
        lineclass=None,
    )
    return out.getvalue()


def qr_png(url: str) -> bytes:
    """The link's QR code as a black-on-white PNG (segno writes PNG itself, without Pillow)."""
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()
