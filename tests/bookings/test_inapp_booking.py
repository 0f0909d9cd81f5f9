"""Booking from inside the app lands on the right prospect: the prospect field suggests your
prospects as you type, a name (or email, or phone) that is already a prospect's is asked about
before a second one is made, a picked prospect is booked, the free slots inside prospecting
blocks are offered, and a double submit books once."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mainthing.bookings.models import Appointment
from mainthing.prospects.models import Prospect
from tests.activity.test_concurrency import at_once
from tests.factories import ProspectFactory, UserFactory, block

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 09:00 in London, a Wednesday
EVENING = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # 19:00 in London, a free slot
BOOK = reverse("bookings:book")


def form(**fields) -> dict:
    return {"minutes": "30", "note": "", "idempotency_key": "", **fields}


@pytest.fixture
def maria(evenings):
    return ProspectFactory(
        user=evenings, name="Maria Lopez", email="maria@example.com", phone="+447700900123"
    )


def test_typing_an_existing_name_asks_before_a_second_prospect_is_made(maria, owner_client, frozen):
    asked = owner_client.post(BOOK, form(prospect_name="maria  lopez", slot=EVENING.isoformat()))
    html = asked.content.decode()
    assert asked.status_code == 200
    assert (
        "<legend>You already have Maria Lopez (maria@example.com, New). "
        "Book with them, or add a new prospect with the same name?</legend>"
    ) in html
    assert f'value="prospect:{maria.pk}"' in html
    assert "Book with Maria Lopez (maria@example.com, New)" in html
    assert "Add a new prospect named “maria lopez”" in html
    assert not Appointment.objects.exists()
    assert Prospect.objects.count() == 1

    booked = owner_client.post(
        BOOK,
        form(prospect_name="maria  lopez", slot=EVENING.isoformat(), match=f"prospect:{maria.pk}"),
    )
    assert booked.status_code == 302
    assert Prospect.objects.count() == 1
    assert list(maria.appointments.values_list("start", flat=True)) == [EVENING]
    card = owner_client.get(reverse("prospects:card", args=[maria.pk])).content.decode()
    assert "Wed 10 Jun" in card or "10 Jun" in card


def test_a_new_prospect_with_the_same_name_only_when_chosen(maria, owner_client, frozen):
    owner_client.post(
        BOOK, form(prospect_name="Maria Lopez", slot=EVENING.isoformat(), match="new")
    )
    assert Prospect.objects.filter(name="Maria Lopez").count() == 2
    assert not maria.appointments.exists()


def test_two_namesakes_are_both_offered_with_a_new_one(maria, owner_client, frozen):
    other = ProspectFactory(user=maria.user, name="maria lopez", email="", phone="")
    asked = owner_client.post(BOOK, form(prospect_name="Maria Lopez", slot=EVENING.isoformat()))
    html = asked.content.decode()
    assert (
        "<legend>You already have 2 prospects that fit “Maria Lopez”. "
        "Book with one of them, or add a new prospect?</legend>"
    ) in html
    assert [f'value="prospect:{maria.pk}"' in html, f'value="prospect:{other.pk}"' in html] == [
        True,
        True,
    ]
    assert "Add a new prospect named “Maria Lopez”" in html
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("typed", ["MARIA@example.com", "+44 7700 900123"])
def test_an_email_or_phone_of_a_prospect_is_recognised_too(maria, owner_client, frozen, typed):
    asked = owner_client.post(BOOK, form(prospect_name=typed, slot=EVENING.isoformat()))
    assert f'value="prospect:{maria.pk}"' in asked.content.decode()
    assert not Appointment.objects.exists()


def test_a_picked_prospect_is_booked_without_asking(maria, owner_client, frozen):
    response = owner_client.post(
        BOOK,
        form(prospect_name="Maria Lopez", prospect_id=str(maria.pk), slot=EVENING.isoformat()),
    )
    assert response.status_code == 302
    assert maria.appointments.get().start == EVENING


def test_another_users_prospect_cannot_be_picked(maria, other_client, other_user, frozen):
    response = other_client.post(
        BOOK,
        form(prospect_name="Maria Lopez", prospect_id=str(maria.pk), start="2026-06-10T19:00"),
    )
    assert response.status_code == 200
    assert "Pick one of your prospects" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_name_nobody_has_makes_a_new_prospect_at_once(evenings, owner_client, frozen):
    response = owner_client.post(BOOK, form(prospect_name="Bob Ray", slot=EVENING.isoformat()))
    assert response.status_code == 302
    assert Prospect.objects.get().name == "Bob Ray"


def test_book_a_call_offers_the_free_slots_and_books_the_one_picked(evenings, owner_client, frozen):
    html = owner_client.get(BOOK).content.decode()
    assert f'value="{EVENING.isoformat()}"' in html
    assert "Free times inside your prospecting blocks" in html
    missing = owner_client.post(BOOK, form(prospect_name="Bob Ray"))
    assert "Pick one of the free times, or type when." in missing.content.decode()
    assert not Appointment.objects.exists()


def test_book_a_call_from_the_card_and_from_today_offers_the_free_slots(
    maria, owner_client, frozen
):
    card = owner_client.get(reverse("prospects:card", args=[maria.pk])).content.decode()
    today = owner_client.get(reverse("today")).content.decode()
    from_card = f'href="{BOOK}?prospect={maria.pk}"'
    assert (from_card in card, f'href="{BOOK}"' in today) == (True, True)
    for url in (f"{BOOK}?prospect={maria.pk}", BOOK):
        html = owner_client.get(url).content.decode()
        # The rest of today's block, 19:00-21:00, and the six evenings after it.
        assert (html.count('name="slot"'), f'value="{EVENING.isoformat()}"' in html) == (28, True)
    booked = owner_client.post(f"{BOOK}?prospect={maria.pk}", form(slot=EVENING.isoformat()))
    assert booked.status_code == 302
    assert list(maria.appointments.values_list("start", flat=True)) == [EVENING]


def test_a_free_slot_clicked_on_the_calendar_comes_checked(evenings, owner_client, frozen):
    html = owner_client.get(BOOK, {"start": "2026-06-10T19:00"}).content.decode()
    assert f'value="{EVENING.isoformat()}" id="id_slot_0" checked' in html
    assert (
        re.search(r'<input type="datetime-local" name="start"[^>]*>', html)[0].count("value=") == 0
    )
    other = owner_client.get(BOOK, {"start": "2026-06-10T12:00"}).content.decode()
    assert 'value="2026-06-10T12:00"' in other
    assert "checked" not in other


def test_a_double_submit_books_once(evenings, owner_client, frozen):
    data = form(prospect_name="Bob Ray", slot=EVENING.isoformat(), idempotency_key="k-1")
    first = owner_client.post(BOOK, data)
    second = owner_client.post(BOOK, data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Appointment.objects.count() == 1
    assert Prospect.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_sent_at_once_books_once_and_every_answer_is_that_booking(frozen):
    """Eight copies of one form (one idempotency key) race: one books, and the others answer
    with that booking, not "that time was just taken"."""
    user = UserFactory(email="racer@example.com", time_zone="Europe/London")
    block(user, "19:00", "21:00")
    data = form(prospect_name="Bob Ray", slot=EVENING.isoformat(), idempotency_key="twice")
    clients = [Client() for _ in range(8)]
    for client in clients:
        client.force_login(user)
    answers: list = []

    def send(_, client):
        try:
            response = client.post(BOOK, data)
            answers.append((response.status_code, response.headers.get("Location")))
        except Exception as error:  # any error is what this test hunts
            answers.append(repr(error))

    at_once(send, clients)

    assert answers == [(302, "/calendar/?week=2026-06-08")] * 8
    assert list(Appointment.objects.values_list("prospect_name", "start")) == [("Bob Ray", EVENING)]
    assert Prospect.objects.count() == 1


def test_suggestions_find_your_prospects_by_name_email_or_phone(
    maria, owner_client, other_client, frozen
):
    ProspectFactory(user=maria.user, name="<b>Marius</b>")
    url = reverse("prospects:suggest")
    by_name = owner_client.get(url, {"prospect_name": "mar"}).content.decode()
    assert "Maria Lopez" in by_name
    assert "&lt;b&gt;Marius&lt;/b&gt;" in by_name
    assert "New prospect: “mar”" in by_name
    assert (
        '<span id="prospect-count" hx-swap-oob="innerHTML">2 prospects match, '
        "or add “mar” as a new one.</span>"
    ) in by_name
    by_email = owner_client.get(url, {"prospect_name": "maria@example.com"}).content.decode()
    assert f'data-pick-prospect="{maria.pk}"' in by_email
    by_phone = owner_client.get(url, {"prospect_name": "+44 7700-900123"}).content.decode()
    assert f'data-pick-prospect="{maria.pk}"' in by_phone
    exact = owner_client.get(url, {"prospect_name": "maria lopez"}).content.decode()
    assert "New prospect:" not in exact
    assert "Maria Lopez" not in other_client.get(url, {"prospect_name": "mar"}).content.decode()


def test_suggestions_put_the_exact_name_first_so_the_limit_never_hides_a_namesake(
    owner_client, owner, frozen
):
    for letter in "ABCDEFGHIJ":
        ProspectFactory(user=owner, name=f"Aann {letter}")  # all sort before "Ann"
    ann = ProspectFactory(user=owner, name="Ann")
    html = owner_client.get(reverse("prospects:suggest"), {"prospect_name": "ann"}).content
    found = re.findall(r'data-pick-prospect="(\d+)"', html.decode())
    assert (len(found), found[0]) == (8, str(ann.pk))
    assert "New prospect:" not in html.decode()


def test_suggestions_take_the_same_few_queries_for_any_number_of_prospects(
    owner_client, owner, frozen
):
    url = reverse("prospects:suggest")
    ProspectFactory(user=owner, name="Ann Lee")
    with CaptureQueriesContext(connection) as few:
        owner_client.get(url, {"prospect_name": "ann"})
    ProspectFactory.create_batch(30, user=owner, name="Ann Many")
    with CaptureQueriesContext(connection) as many:
        owner_client.get(url, {"prospect_name": "ann"})
    assert len(many) == len(few)


def test_suggestions_need_a_login(anon_client, db):
    response = anon_client.get(reverse("prospects:suggest"), {"prospect_name": "a"})
    assert response.status_code == 302


def test_book_a_call_from_a_card_offers_the_free_slots_and_books_that_prospect(
    maria, owner_client, frozen
):
    url = f"{BOOK}?prospect={maria.pk}"
    html = owner_client.get(url).content.decode()
    assert f'value="{EVENING.isoformat()}"' in html
    assert 'name="prospect_name"' not in html  # the card's prospect, no field to type
    response = owner_client.post(url, form(slot=EVENING.isoformat()))
    assert response.status_code == 302
    assert maria.appointments.get().start == EVENING
    card = owner_client.get(reverse("prospects:card", args=[maria.pk])).content.decode()
    assert f"{BOOK}?prospect={maria.pk}" in card
    assert BOOK in owner_client.get(reverse("today")).content.decode()


def test_an_imported_lead_is_the_prospect_a_booking_finds_by_email_or_phone(
    evenings, owner_client, frozen, tmp_path
):
    """The lead import and the booking form recognise a person by one rule
    (`contacts.match_keys`): the email in another case, the phone in another format."""
    from tests.prospects.test_importing import run_import, write

    evenings.phone_region = "GB"
    evenings.save()
    csv = "name,email,phone\nMaria Lopez,Maria.Lopez@Example.com,\nBob Ray,,07700 900123\n"
    run_import(evenings, write(tmp_path, csv))
    maria, bob = Prospect.objects.get(name="Maria Lopez"), Prospect.objects.get(name="Bob Ray")
    later = EVENING.replace(hour=18, minute=30)
    for typed, who, at in (
        ("maria.lopez@EXAMPLE.com", maria, EVENING),
        ("+44 7700-900123", bob, later),
    ):
        asked = owner_client.post(BOOK, form(prospect_name=typed, slot=at.isoformat()))
        assert f'value="prospect:{who.pk}"' in asked.content.decode()
        booked = owner_client.post(
            BOOK, form(prospect_name=typed, slot=at.isoformat(), match=f"prospect:{who.pk}")
        )
        assert booked.status_code == 302
    assert sorted(Prospect.objects.values_list("name", "stage")) == [
        ("Bob Ray", "booked"),
        ("Maria Lopez", "booked"),
    ]
    assert sorted(Appointment.objects.values_list("prospect__name", "start")) == [
        ("Bob Ray", later),
        ("Maria Lopez", EVENING),
    ]
