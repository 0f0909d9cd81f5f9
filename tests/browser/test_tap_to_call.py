"""Tap-to-call on a 360 px phone: Today's next call and the appointment page dial the prospect
with buttons a thumb can hit (at least 44 by 44 px), named with the person, without sideways
scrolling and without serious accessibility faults."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    PASSWORD,
    TIME_ZONE,
    axe_violations,
    horizontal_overflow,
)

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

pytestmark = [*BROWSER_MARKS, pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}])]


@pytest.fixture
def call_with_dana(transactional_db):
    """Pat's call with Dana Smith in two hours, Dana's phone on her card."""
    from django.utils import timezone

    from mainthing.accounts.models import User
    from tests.factories import AppointmentFactory, ProspectFactory

    user = User.objects.create_user("pat@example.com", PASSWORD, name="Pat", time_zone=TIME_ZONE)
    dana = ProspectFactory(user=user, name="Dana Smith", phone="+447700900123")
    start = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    return AppointmentFactory(user=user, prospect=dana, start=start).pk


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("pat@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def assert_thumb_sized(link) -> None:
    box = link.bounding_box()
    assert (box["width"] >= 44, box["height"] >= 44) == (True, True), box


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in {"critical", "serious"}]


def test_next_call_and_appointment_page_dial_dana_with_thumb_sized_buttons(
    call_with_dana, page: Page, problems
):
    sign_in(page)
    call = page.locator(".next-call").get_by_role("link", name="Call Dana Smith")
    expect(call).to_have_attribute("href", "tel:+447700900123")
    assert_thumb_sized(call)
    assert horizontal_overflow(page)["scroll"] <= 360

    page.goto(f"/calendar/appointments/{call_with_dana}/")
    for name, href in [
        ("Call Dana Smith", "tel:+447700900123"),
        ("Text Dana Smith", "sms:+447700900123"),
        ("WhatsApp Dana Smith", "https://wa.me/447700900123"),
    ]:
        link = page.get_by_role("link", name=name)
        expect(link).to_have_attribute("href", href)
        assert_thumb_sized(link)
    overflow = horizontal_overflow(page)
    assert (overflow["scroll"], overflow["wide"]) == (360, [])
    assert serious(axe_violations(page, ".dial")) == []
    problems.assert_none()
