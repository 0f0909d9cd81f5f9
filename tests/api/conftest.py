"""What the API tests share: the owner's public booking page and the ways to call it."""

import json
from urllib.parse import urlencode

import pytest

from mainthing.bookings import public
from tests.factories import block


@pytest.fixture
def evenings(owner):
    """The owner (London), with a prospecting block 19:00-21:00 every day."""
    block(owner, "19:00", "21:00")
    return owner


@pytest.fixture
def page(evenings):
    """The owner's page at /book/ann-lee/: calls of 30 minutes, every evening 19:00-21:00
    London, 4 hours' notice, 14 days ahead (the page's defaults)."""
    page = public.page_for(evenings)
    page.slug = "ann-lee"
    page.save()
    return page


def slots_url(slug: str, **query) -> str:
    path = f"/api/v1/public/{slug}/slots"
    return f"{path}?{urlencode(query)}" if query else path


def bookings_url(slug: str) -> str:
    return f"/api/v1/public/{slug}/bookings"


def post_json(client, url: str, body, **extra):
    """POSTs `body` as JSON (a str or bytes is sent as it is, for malformed bodies)."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)
