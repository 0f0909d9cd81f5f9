"""The in-app appointment page tells how the call was made and from which lead source, the
prospect's own time when their zone differs, the call's history, and any mail about it that has
not arrived (waiting for a mail server that is down, or given up on); real SMTP throughout."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mainthing.bookings import public, services, tasks
from mainthing.bookings.models import Mail
from mainthing.prospects import services as prospect_services
from tests.factories import UserFactory, at, block, category

NOW = at("2026-03-09 08:00", "America/New_York")  # Monday, the day after the US DST change
CALL = at("2026-03-10 11:00", "America/New_York")  # 20:30 in Kolkata
PROSPECT, USER = "priya@example.com", "dana@example.com"
DASH = "\N{EN DASH}"


@pytest.fixture
def dana(db):
    user = UserFactory(email=USER, name="Dana Reyes", time_zone="America/New_York")
    block(user, "11:00", "12:00")
    return user


@pytest.fixture
def page(dana):
    return public.page_for(dana)


@pytest.fixture
def client(dana):
    client = Client()
    client.force_login(dana)
    return client


def book_call(page, start=CALL, **fields):
    request = public.Request(
        **{
            "start": start,
            "minutes": 30,
            "name": "Priya Shah",
            "email": PROSPECT,
            "tz": "Asia/Kolkata",
            **fields,
        }
    )
    return public.book(page, request, now=timezone.now()).appointment


def text(html: str, css_class: str) -> str:
    """The text of the first element with `css_class`, tags stripped, spaces joined."""
    found = re.search(rf'<(\w+) class="{css_class}"[^>]*>(.*?)</\1>', html, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", found.group(2))).split()) if found else ""


def items(html: str, list_class: str) -> list[str]:
    block = re.search(rf'class="(?:[^"]* )?{list_class}"[^>]*>(.*?)</(?:ul|ol)>', html, re.S)
    if block is None:
        return []
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", li)).split()) for li in re.findall(
        r"<li[^>]*>(.*?)</li>", block.group(1), re.S
    )]  # fmt: skip


def appointment_page(client, appointment) -> str:
    response = client.get(reverse("bookings:appointment", args=[appointment.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- how it was made, the lead source, the prospect's zone ---------------------------------------


def test_page_shows_a_booking_page_call_with_its_lead_source(page, dana, client, frozen):
    forum = prospect_services.add_source(
        dana, category=category(dana, "Forum posts"), campaign="Signature", key="forum"
    )
    call = book_call(page, src="forum")

    html = appointment_page(client, call)

    assert text(html, "made muted") == "Made: Booking page · Lead source: Forum posts / Signature"
    assert f'href="{reverse("prospects:edit-source", args=[forum.pk])}"' in html


def test_page_shows_a_call_booked_by_hand_as_made_by_you(dana, client, frozen):
    call = services.book(dana, prospect_name="Sam Oduya", start=CALL, now=NOW)

    html = appointment_page(client, call)

    assert (text(html, "made muted"), text(html, "their-time")) == ("Made: By you", "")


def test_page_shows_the_time_in_the_prospects_zone_when_it_differs(page, client, frozen):
    call = book_call(page)

    html = appointment_page(client, call)

    assert (
        text(html, "their-time") == f"Their time: Tuesday 10 March, 20:30{DASH}21:00 (Asia/Kolkata)"
    )
    assert f"Tuesday 10 March, 11:00{DASH}11:30" in html  # the user's own, as before


def test_page_leaves_out_their_time_when_the_prospect_shares_the_users_zone(page, client, frozen):
    call = book_call(page, tz="America/New_York")

    html = appointment_page(client, call)

    assert ("Their time" in html, text(html, "made muted")) == (
        False,
        "Made: Booking page · Lead source: Unknown",  # no ?src= and no default source
    )


# --- history -------------------------------------------------------------------------------------


def test_page_lists_the_history_in_the_users_zone(page, client, frozen, smtp):
    call = book_call(page)
    frozen.shift(timedelta(hours=2))
    services.move(call, start=CALL + timedelta(days=1, minutes=30), now=timezone.now())
    frozen.shift(timedelta(hours=3))
    public.cancel(call, now=timezone.now())

    html = appointment_page(client, call)

    assert items(html, "history-list") == [
        "Booked by the prospect on Mon 9 Mar 2026, 08:00",
        "Moved by you from Tue 10 Mar, 11:00 to Wed 11 Mar, 11:30 (on Mon 9 Mar, 10:00)",
        "Cancelled by the prospect on Mon 9 Mar 2026, 13:00",
    ]
    assert "Times in your zone, America/New_York." in html


def test_page_has_no_history_for_a_call_from_before_history_was_kept(dana, client, frozen):
    call = services.book(dana, prospect_name="Sam Oduya", start=CALL, now=NOW)
    call.changes.all().delete()

    html = appointment_page(client, call)

    assert ("<h2>History</h2>" in html, items(html, "history-list")) == (False, [])


# --- mail status ---------------------------------------------------------------------------------


def test_page_shows_mails_waiting_while_the_mail_server_is_down(
    page, client, frozen, smtp, django_capture_on_commit_callbacks
):
    smtp.stop()
    with django_capture_on_commit_callbacks(execute=True):
        call = book_call(page)

    html = appointment_page(client, call)

    assert items(html, "mail-status") == [
        "Confirmation to priya@example.com is waiting: the mail server didn't answer"
        " (tried 1 time, next try 08:01).",
        "Your new-booking notice to dana@example.com is waiting: the mail server didn't answer"
        " (tried 1 time, next try 08:01).",
    ]


def test_page_shows_a_mail_the_server_refused_for_good(page, client, frozen, smtp):
    smtp.refuse.add(PROSPECT)
    call = book_call(page)
    assert tasks.sweep(timezone.now()) == {"failed": 1, "sent": 1}

    html = appointment_page(client, call)

    assert items(html, "mail-status") == [
        "Confirmation to priya@example.com could not be sent:"
        " the mail server refused the address (tried 1 time)."
    ]


def test_page_shows_mails_not_tried_yet_as_waiting_to_be_sent(page, client, frozen):
    call = book_call(page)  # no commit in this test: nothing was tried

    html = appointment_page(client, call)

    assert items(html, "mail-status") == [
        "Confirmation to priya@example.com is waiting to be sent.",
        "Your new-booking notice to dana@example.com is waiting to be sent.",
    ]


def test_page_shows_a_mail_a_worker_is_sending_right_now(page, client, frozen):
    call = book_call(page)
    # A worker claimed the confirmation (as mails.deliver does) and is talking to the server.
    Mail.objects.filter(kind="booked").update(state="sending", attempts=1)

    html = appointment_page(client, call)

    assert items(html, "mail-status") == [
        "Confirmation to priya@example.com is being sent now.",
        "Your new-booking notice to dana@example.com is waiting to be sent.",
    ]


def test_page_has_no_mail_section_once_every_mail_arrived(page, client, frozen, smtp):
    call = book_call(page)
    assert tasks.sweep(timezone.now()) == {"sent": 2}

    html = appointment_page(client, call)

    assert (sorted(m["To"] for m in smtp.messages), "mail-status" in html) == (
        sorted([PROSPECT, USER]),
        False,
    )


def test_another_users_appointment_page_is_not_found(page, frozen):
    call = book_call(page)
    other = Client()
    other.force_login(UserFactory(email="eve@example.com"))

    response = other.get(reverse("bookings:appointment", args=[call.pk]))

    assert (response.status_code, b"Priya" in response.content) == (404, False)
