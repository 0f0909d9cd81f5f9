"""Tap-to-call: the appointment page, Today's "Next call" and Today's agenda dial the prospect's
E.164 number with one tap, each link named with the person; the phones come with the
appointments' own query."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import AppointmentFactory, ProspectFactory, at

NOW = at("2026-06-10 08:00", "Europe/London")


def dial_links(html: str) -> list[str]:
    """The dial links of a page, as "href | accessible name", in page order."""
    found = re.findall(
        r'<a class="button[^"]*" href="([^"]+)"[^>]*>(\w+)<span class="visually-hidden"> '
        r"([^<]+)</span></a>",
        html,
    )
    return [f"{unescape(href)} | {verb} {unescape(name)}" for href, verb, name in found]


@pytest.fixture
def dana(owner):
    return ProspectFactory(user=owner, name="Dana O'Neil", phone="+447700900123")


def call_with(user, prospect, start, **fields):
    return AppointmentFactory(user=user, prospect=prospect, start=start, **fields)


def test_appointment_page_calls_texts_and_whatsapps_the_prospect(owner_client, owner, dana):
    call = call_with(owner, dana, NOW + timedelta(days=1))
    html = owner_client.get(reverse("bookings:appointment", args=[call.pk])).content.decode()
    assert dial_links(html) == [
        "tel:+447700900123 | Call Dana O'Neil",
        "sms:+447700900123 | Text Dana O'Neil",
        "https://wa.me/447700900123 | WhatsApp Dana O'Neil",
    ]


def test_appointment_page_without_a_phone_has_no_dial_buttons(owner_client, owner):
    quiet = ProspectFactory(user=owner, name="No Phone")
    call = call_with(owner, quiet, NOW + timedelta(days=1))
    html = owner_client.get(reverse("bookings:appointment", args=[call.pk])).content.decode()
    assert (dial_links(html), "tel:" in html) == ([], False)


def test_today_dials_the_next_call_and_each_call_on_the_agenda(owner_client, owner, dana, frozen):
    ben = ProspectFactory(user=owner, name="Ben Ode", phone="+14155550100")
    call_with(owner, dana, NOW + timedelta(hours=2))
    call_with(owner, ben, NOW + timedelta(hours=4))
    call_with(owner, None, NOW + timedelta(hours=6), prospect_name="Walk In")  # no prospect
    html = owner_client.get(reverse("today")).content.decode()
    next_call = html[html.index('<div class="next-call">') :]
    agenda = html[html.index("<h2>Today's agenda</h2>") :]
    assert dial_links(next_call[: next_call.index("</div>")]) == [
        "tel:+447700900123 | Call Dana O'Neil",
        "sms:+447700900123 | Text Dana O'Neil",
        "https://wa.me/447700900123 | WhatsApp Dana O'Neil",
    ]
    assert dial_links(agenda[: agenda.index("</section>")]) == [
        "tel:+447700900123 | Call Dana O'Neil",
        "tel:+14155550100 | Call Ben Ode",
    ]


def test_today_reads_the_phones_without_a_query_per_call(
    owner_client, owner, frozen, queries_do_not_grow
):
    def add_calls():
        for hour in range(1, 6):
            who = ProspectFactory(user=owner, name=f"Lead {hour}", phone=f"+44770090010{hour}")
            call_with(owner, who, NOW + timedelta(hours=hour))

    counts = queries_do_not_grow(lambda: owner_client.get(reverse("today")), add_calls)
    assert len(dial_links(counts.last.content.decode())) == 5 + 3  # agenda, and the next call
