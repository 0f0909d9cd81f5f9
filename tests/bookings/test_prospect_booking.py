"""Booking with prospects: the call takes the prospect's name and moves them to "booked"; a
name alone adds a prospect with a source; completing links the call's time to them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mainthing.activity.models import Category
from mainthing.bookings import services
from mainthing.bookings.models import Appointment
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import Event, Prospect, ProspectTime
from tests.factories import new_prospect

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 09:00 in London, a Wednesday
EVENING = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # 19:00 in London


def prospect(user, name="Ann Lee", stage="new", **contact):
    return new_prospect(user, name, at=NOW, stage=stage, **contact)


def forum_source(user, campaign="my signature"):
    return prospect_services.add_source(
        user, category=Category.objects.get(user=user, name="Forum posts"), campaign=campaign
    )


def stages(p) -> list[tuple[str, str]]:
    return list(
        Event.objects.filter(prospect=p, kind="stage")
        .order_by("at", "pk")
        .values_list("from_stage", "to_stage")
    )


@pytest.mark.parametrize("stage", ["new", "contacted", "follow_up"])
def test_book_with_a_prospect_moves_them_to_booked(evenings, stage):
    ann = prospect(evenings, stage=stage)
    made = services.book(evenings, prospect=ann, start=EVENING, now=NOW)
    ann.refresh_from_db()
    assert (made.prospect_id, made.prospect_name, ann.stage) == (ann.pk, "Ann Lee", "booked")
    assert stages(ann) == [(stage, "booked")]


@pytest.mark.parametrize("stage", ["booked", "presented", "declined", "joined"])
def test_book_with_a_prospect_further_along_keeps_their_stage(evenings, stage):
    ann = prospect(evenings, stage=stage)
    services.book(evenings, prospect=ann, start=EVENING, now=NOW)
    ann.refresh_from_db()
    assert (ann.stage, stages(ann)) == (stage, [])


def test_book_with_a_name_adds_a_booked_prospect_from_unknown(evenings):
    made = services.book(evenings, prospect_name="  Bob  Ray ", start=EVENING, now=NOW)
    bob = Prospect.objects.get()
    assert (made.prospect_id, made.prospect_name) == (bob.pk, "Bob Ray")
    assert (bob.name, bob.stage, bob.source.label, bob.created_at) == (
        "Bob Ray",
        "booked",
        "Unknown",
        NOW,
    )


def test_book_with_a_name_and_a_source_keeps_the_source(evenings):
    signature = forum_source(evenings)
    services.book(evenings, prospect_name="Bob", source=signature, start=EVENING, now=NOW)
    assert Prospect.objects.get().source == signature


def test_book_a_taken_slot_adds_no_prospect_and_moves_no_stage(evenings):
    services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    cid = prospect(evenings, name="Cid", stage="contacted")
    with pytest.raises(services.SlotTaken):
        services.book(evenings, prospect_name="Bob", start=EVENING, now=NOW)
    with pytest.raises(services.SlotTaken):
        services.book(evenings, prospect=cid, start=EVENING + timedelta(minutes=15), now=NOW)
    cid.refresh_from_db()
    assert sorted(Prospect.objects.values_list("name", "stage")) == [
        ("Ann", "booked"),
        ("Cid", "contacted"),
    ]
    assert (Appointment.objects.count(), stages(cid)) == (1, [])


def test_book_refuses_another_users_prospect_and_source(evenings, other_user):
    theirs = prospect(other_user, name="Zed")
    their_source = forum_source(other_user)
    with pytest.raises(ValidationError) as refused:
        services.book(evenings, prospect=theirs, start=EVENING, now=NOW)
    assert refused.value.message_dict == {"prospect": ["Pick one of your prospects."]}
    with pytest.raises(ValidationError) as refused:
        services.book(evenings, prospect_name="Bob", source=their_source, start=EVENING, now=NOW)
    assert refused.value.message_dict == {"source": ["Pick one of your lead sources."]}
    assert (Appointment.objects.count(), Prospect.objects.filter(user=evenings).count()) == (0, 0)


def test_complete_links_the_call_to_the_prospect_and_their_last_contact(evenings):
    ann = prospect(evenings)
    call = services.book(evenings, prospect=ann, start=EVENING, now=NOW)
    entry = services.complete(
        call, now=EVENING + timedelta(hours=1), start=EVENING + timedelta(minutes=5), minutes=40
    )
    ann.refresh_from_db()
    assert ProspectTime.objects.get(activity=entry).prospect_id == ann.pk
    assert ann.last_contacted_at == EVENING + timedelta(minutes=45)


def test_complete_without_a_prospect_links_nothing(evenings):
    call = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    Prospect.objects.all().delete()  # forgotten: the call keeps its name, loses the link
    call.refresh_from_db()
    services.complete(call, now=EVENING + timedelta(hours=1))
    assert (call.prospect_id, ProspectTime.objects.count()) == (None, 0)


# --- the book form ---


def test_book_form_for_a_prospect_shows_their_name_instead_of_the_name_field(
    evenings, owner_client, frozen
):
    ann = prospect(evenings)
    page = owner_client.get(f"{reverse('bookings:book')}?prospect={ann.pk}").content.decode()
    assert "Call with <strong>Ann Lee</strong>" in page
    assert f'href="/prospects/{ann.pk}/"' in page
    assert ('name="prospect_name"' in page, 'name="source"' in page) == (False, False)


def test_book_form_books_the_prospects_call(evenings, owner_client, frozen):
    ann = prospect(evenings, stage="contacted")
    response = owner_client.post(
        f"{reverse('bookings:book')}?prospect={ann.pk}",
        {"start": "2026-06-10T19:30", "minutes": 30},
    )
    ann.refresh_from_db()
    made = Appointment.objects.get()
    assert (response.status_code, response["Location"]) == (302, "/calendar/?week=2026-06-08")
    assert (made.prospect_id, made.prospect_name, ann.stage) == (ann.pk, "Ann Lee", "booked")
    assert Prospect.objects.count() == 1


def test_book_form_offers_the_users_sources_with_unknown_first(evenings, owner_client, frozen):
    forum_source(evenings)
    old = forum_source(evenings, campaign="old thread")
    prospect_services.edit_source(old, campaign=old.campaign, key=old.key, archived=True)
    page = owner_client.get(reverse("bookings:book")).content.decode()
    start = page.index('name="source"')
    select = page[start : page.index("</select>", start)]
    assert select.count("<option") == 2
    assert '<option value="" selected>Unknown</option>' in select
    assert "Forum posts / my signature</option>" in select


def test_book_form_with_a_name_adds_the_prospect_with_the_chosen_source(
    evenings, owner_client, frozen
):
    signature = forum_source(evenings)
    owner_client.post(
        reverse("bookings:book"),
        {
            "prospect_name": "Bob",
            "source": signature.pk,
            "start": "2026-06-10T19:30",
            "minutes": 30,
        },
    )
    bob = Prospect.objects.get()
    assert (bob.name, bob.source_id, bob.stage, Appointment.objects.get().prospect_id) == (
        "Bob",
        signature.pk,
        "booked",
        bob.pk,
    )


def test_book_form_refuses_another_users_source(evenings, other_user, owner_client, frozen):
    theirs = forum_source(other_user)
    response = owner_client.post(
        reverse("bookings:book"),
        {"prospect_name": "Bob", "source": theirs.pk, "start": "2026-06-10T19:30", "minutes": 30},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert (Appointment.objects.count(), Prospect.objects.count()) == (0, 0)


def test_book_form_for_another_users_prospect_is_404(evenings, other_user, owner_client, frozen):
    theirs = prospect(other_user, name="Zed")
    url = f"{reverse('bookings:book')}?prospect={theirs.pk}"
    answers = [
        owner_client.get(url).status_code,
        owner_client.post(url, {"start": "2026-06-10T19:30", "minutes": 30}).status_code,
        owner_client.get(f"{reverse('bookings:book')}?prospect=abc").status_code,
    ]
    assert answers == [404, 404, 404]
    assert Appointment.objects.count() == 0


def test_book_form_for_a_prospect_needs_login(anon_client, evenings):
    ann = prospect(evenings)
    response = anon_client.get(f"{reverse('bookings:book')}?prospect={ann.pk}")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


# --- links to the prospect card ---


def test_appointment_page_and_agendas_link_to_the_prospect_card(evenings, owner_client, frozen):
    ann = prospect(evenings)
    call = services.book(evenings, prospect=ann, start=EVENING, now=NOW)
    card = f'href="/prospects/{ann.pk}/"'
    detail = owner_client.get(reverse("bookings:appointment", args=[call.pk])).content.decode()
    today = owner_client.get("/").content.decode()
    calendar = owner_client.get(reverse("bookings:calendar")).content.decode()
    assert (card in detail, card in today, card in calendar) == (True, True, True)


def test_completing_on_the_page_goes_on_to_the_outcome_form(evenings, owner_client, frozen):
    ann = prospect(evenings)
    call = services.book(evenings, prospect=ann, start=EVENING, now=NOW)
    frozen.move_to(EVENING + timedelta(hours=1))
    response = owner_client.post(
        reverse("bookings:complete", args=[call.pk]),
        {
            "start": "2026-06-10T19:00",
            "minutes": 30,
            "category": evenings.category_set.get(name="Prospect call").pk,
        },
    )
    assert (response.status_code, response["Location"]) == (
        302,
        f"/calendar/outcome/{ann.pk}/?appointment={call.pk}",
    )
