"""Markup and script payloads typed into every field of the booking page (and the user's own
name and intro) come out as text: in the public pages, the manage page, the user's pages, the
emails both sides receive and the .ics files. A test reads each of them."""

import re
import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from mainthing.bookings import abuse, public
from mainthing.bookings.models import Appointment
from tests.factories import block

NOW = datetime(2026, 6, 8, 7, 0, tzinfo=UTC)
MON_19 = datetime(2026, 6, 8, 18, 0, tzinfo=UTC)  # 19:00 in London
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
PAYLOADS = (SCRIPT, IMG)
# What must never appear in HTML: the payloads' live tags.
LIVE = ("<script>alert", "<img src=x")


@pytest.fixture
def page(owner):
    user = owner
    user.name = f"Dana {SCRIPT}"
    user.save()
    block(user, "19:00", "21:00")
    page = public.page_for(user)
    page.intro = f"Hello {IMG} and {SCRIPT}"
    page.save()
    return page


def stamp() -> str:
    signer = signing.TimestampSigner(salt=abuse._STAMP_SALT)
    with mock.patch("time.time", return_value=time.time() - 60):
        return signer.sign("shown")


def assert_text_only(html: str, where: str) -> None:
    for live in LIVE:
        assert live not in html, f"{where} has live markup {live!r}"


def test_payloads_in_every_field_come_out_as_text_everywhere(
    page, smtp, frozen, owner_client, django_capture_on_commit_callbacks
):
    client = Client()
    start_url = f"/book/{page.slug}/?start={MON_19.isoformat()}&tz=Europe/London&src={SCRIPT}"
    form = client.get(start_url.replace("+", "%2B"))
    assert form.status_code == 200
    assert_text_only(form.content.decode(), "the form")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.content.decode()).group(1)
    fields = {
        "start": MON_19.isoformat(), "minutes": "30", "tz": "Europe/London", "h": "24",
        "src": SCRIPT, "idempotency_key": key, "shown": stamp(), "website": "",
        "name": f"Priya {SCRIPT} {IMG}", "email": "priya@example.com",
        "phone": "", "note": f"About {SCRIPT}{IMG}",
    }  # fmt: skip
    # Bad email and phone with payloads: the error page echoes them as text.
    refused = client.post(f"/book/{page.slug}/", {**fields, "email": f"{SCRIPT}@x", "phone": IMG})
    assert refused.status_code == 422
    assert_text_only(refused.content.decode(), "the refused form")
    assert "&lt;script&gt;" in refused.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(f"/book/{page.slug}/", fields)
    assert booked.status_code == 302, booked.content.decode()[:500]
    manage = client.get(booked["Location"]).content.decode()
    assert_text_only(manage, "the manage page")
    assert "Dana &lt;script&gt;alert(1)&lt;/script&gt;" in manage
    assert_text_only(client.get(f"/book/{page.slug}/").content.decode(), "the page")
    assert "Hello &quot;&gt;&lt;img" in client.get(f"/book/{page.slug}/").content.decode()

    appointment = Appointment.objects.get()
    assert appointment.prospect_name == f"Priya {SCRIPT} {IMG}"  # stored as typed
    for path in (
        reverse("bookings:appointment", args=[appointment.pk]),
        reverse("prospects:card", args=[appointment.prospect_id]),
        reverse("bookings:calendar") + f"?week={MON_19.date()}",
        reverse("today"),
        reverse("booking:settings"),
    ):
        html = owner_client.get(path).content.decode()
        assert_text_only(html, path)

    # The manage page's .ics and every mail both sides received.
    token = booked["Location"].split("/")[2]
    ics = client.get(reverse("booking:event", args=[token])).content
    event = Calendar.from_ical(ics).events[0]
    assert str(event["SUMMARY"]) == f"Call with Dana {SCRIPT}"  # text in a text format
    assert len(smtp.messages) == 2
    for message in smtp.messages:
        html = message.get_body(("html",)).get_content()
        assert_text_only(html, f"the mail to {message['To']}")
        assert "&lt;script&gt;" in html
        text = message.get_body(("plain",)).get_content()
        assert SCRIPT in text  # plain text is the payload as text, not entities
        for part in message.iter_attachments():
            calendar = Calendar.from_ical(part.get_content())
            for event in calendar.events:
                assert "BEGIN:VEVENT" not in str(event.get("DESCRIPTION", ""))

    # Moving and cancelling through the manage link: the mails about them too.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("booking:reschedule", args=[token]),
            {"start": (MON_19 + timedelta(minutes=30)).isoformat()},
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("booking:cancel", args=[token]))
    assert len(smtp.messages) == 6
    for message in smtp.messages[2:]:
        assert_text_only(message.get_body(("html",)).get_content(), message["Subject"])
