"""Booking from inside the app lands on the right prospect: the prospect field suggests your
prospects as you type, a name (or email, or phone) that is already a prospect's is asked about
before a second one is made, a picked prospect is booked, the free slots inside prospecting
blocks are offered, and a double submit books once."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from mainthing.bookings.models import Appointment
from mainthing.prospects.models import Prospect
from tests.factories import ProspectFactory

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
    assert "You already have 1 prospect with this name, email or phone" in html
    assert f'value="prospect:{maria.pk}"' in html
    assert "maria@example.com" in html
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


def test_a_double_submit_books_once(evenings, owner_client, frozen):
    data = form(prospect_name="Bob Ray", slot=EVENING.isoformat(), idempotency_key="k-1")
    first = owner_client.post(BOOK, data)
    second = owner_client.post(BOOK, data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Appointment.objects.count() == 1
    assert Prospect.objects.count() == 1


def test_suggestions_find_your_prospects_by_name_email_or_phone(
    maria, owner_client, other_client, frozen
):
    ProspectFactory(user=maria.user, name="<b>Marius</b>")
    url = reverse("prospects:suggest")
    by_name = owner_client.get(url, {"prospect_name": "mar"}).content.decode()
    assert "Maria Lopez" in by_name
    assert "&lt;b&gt;Marius&lt;/b&gt;" in by_name
    assert "Add “mar” as a new prospect" in by_name
    by_email = owner_client.get(url, {"prospect_name": "maria@example.com"}).content.decode()
    assert f'data-pick-prospect="{maria.pk}"' in by_email
    by_phone = owner_client.get(url, {"prospect_name": "+44 7700-900123"}).content.decode()
    assert f'data-pick-prospect="{maria.pk}"' in by_phone
    exact = owner_client.get(url, {"prospect_name": "maria lopez"}).content.decode()
    assert "as a new prospect" not in exact
    assert "Maria Lopez" not in other_client.get(url, {"prospect_name": "mar"}).content.decode()


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
