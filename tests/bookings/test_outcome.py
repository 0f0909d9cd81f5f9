"""The one-screen outcome form after a call (from an appointment or the running timer)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mainthing.activity.models import Activity
from mainthing.bookings import services
from mainthing.bookings.models import Appointment
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import Event, ProspectTime

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # Wed 09:00 in London
EVENING = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # Wed 19:00 in London
AFTER = EVENING + timedelta(minutes=40)


@pytest.fixture
def held(evenings, frozen):
    """Ann's call at 19:00, held; the clock is just after it."""
    ann = prospect_services.add_prospect(
        evenings,
        prospect_services.clean_contact(evenings, name="Ann Lee", phone="+12025550143"),
        now=NOW,
        stage="contacted",
    )
    call = services.book(evenings, prospect=ann, start=EVENING, now=NOW)
    frozen.move_to(AFTER)
    services.complete(call, now=AFTER)
    ann.refresh_from_db()
    return ann, call


def url(prospect, **query) -> str:
    base = reverse("bookings:outcome", args=[prospect.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def stage_changes(prospect) -> list[tuple[str, str]]:
    rows = Event.objects.filter(prospect=prospect, kind="stage").order_by("at", "pk")
    return list(rows.values_list("from_stage", "to_stage"))


def snapshot(prospect) -> tuple:
    """Everything an outcome could change, to show that a refused one changed nothing."""
    prospect.refresh_from_db()
    return (
        prospect.stage,
        prospect.follow_up_on,
        prospect.last_contacted_at,
        Event.objects.count(),
        sorted(Appointment.objects.values_list("start", "status", "prospect_id")),
    )


def test_outcome_form_shows_allowed_stages_quick_picks_and_free_slots_by_day(held, owner_client):
    ann, call = held
    page = owner_client.get(url(ann, appointment=call.pk)).content.decode()
    stages = ("new", "contacted", "booked", "presented", "follow_up", "joined", "declined")
    assert [f'name="stage" value="{s}"' in page for s in stages] == [True] * 7
    assert 'value="affiliate_offered"' not in page  # opens only after a "no"
    assert 'value="booked" id="id_stage_2" required checked' in page  # as she stands
    assert [p in page for p in ("In 2 days (Fri 12 Jun)", "1 week (Wed 17 Jun)")] == [True, True]
    # Wed's 19:00 is Ann's own call and 19:30 has passed; 20:00 onwards, then 4 a day to Tue.
    days = [chunk.split("</span>")[0] for chunk in page.split('class="slot-date">')[1:]]
    assert days == [f"{d:%a} {d.day} Jun" for d in (date(2026, 6, n) for n in range(10, 17))]
    assert page.count('name="next_step" value="slot:') == 2 + 6 * 4
    assert 'value="slot:2026-06-10T19:00:00+00:00"' in page  # 20:00 London, stored in UTC
    assert '<a href="tel:+12025550143">(202) 555-0143</a>' in page


def test_outcome_records_stage_note_and_a_quick_pick_follow_up(held, owner_client):
    ann, call = held
    response = owner_client.post(
        url(ann, appointment=call.pk),
        {"stage": "presented", "note": "Wants to talk to his wife", "next_step": "7"},
    )
    ann.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, f"/prospects/{ann.pk}/")
    assert (ann.stage, ann.follow_up_on, ann.last_contacted_at) == (
        "presented",
        date(2026, 6, 17),
        AFTER,
    )
    assert list(Event.objects.filter(prospect=ann, kind="note").values_list("text", flat=True)) == [
        "Wants to talk to his wife"
    ]


def test_outcome_with_a_date_typed_but_its_radio_left_sets_that_date(held, owner_client):
    ann, _ = held
    owner_client.post(
        url(ann), {"stage": "follow_up", "next_step": "none", "follow_up_on": "2026-06-20"}
    )
    ann.refresh_from_db()
    assert (ann.stage, ann.follow_up_on) == ("follow_up", date(2026, 6, 20))


def test_outcome_books_the_next_appointment_in_one_go(held, owner_client):
    ann, _ = held
    response = owner_client.post(
        url(ann),
        {"stage": "follow_up", "note": "", "next_step": "slot:2026-06-11T18:30:00+00:00"},
    )
    ann.refresh_from_db()
    booked = Appointment.objects.get(start=datetime(2026, 6, 11, 18, 30, tzinfo=UTC))
    assert response.status_code == 302
    assert (booked.prospect_id, booked.prospect_name, booked.status) == (
        ann.pk,
        "Ann Lee",
        "scheduled",
    )
    # The outcome's stage is recorded, then the booking moves it on; no follow-up date needed.
    assert (ann.stage, ann.follow_up_on) == ("booked", None)
    assert stage_changes(ann) == [
        ("contacted", "booked"),
        ("booked", "follow_up"),
        ("follow_up", "booked"),
    ]


def test_outcome_on_a_lost_slot_answers_409_and_writes_nothing(held, evenings, owner_client):
    ann, _ = held
    services.book(
        evenings, prospect_name="Bob", start=datetime(2026, 6, 11, 18, 30, tzinfo=UTC), now=AFTER
    )
    before = snapshot(ann)
    response = owner_client.post(
        url(ann),
        {"stage": "presented", "note": "Keen", "next_step": "slot:2026-06-11T18:30:00+00:00"},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "That time is already booked (the call with Bob at Thu 11 Jun 19:30)" in page
    # The form comes back as sent, with the prospect's stage as it still is.
    assert "Keen</textarea>" in page
    assert 'value="presented" id="id_stage_3" required checked' in page
    assert snapshot(ann) == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"stage": "presented", "next_step": "date"}, "follow_up_on", "Pick the day to follow up."),
        (
            {"stage": "presented", "next_step": "date", "follow_up_on": "2026-06-01"},
            "follow_up_on",
            "That day has passed; pick today or later.",
        ),
        (
            {"stage": "affiliate_joined", "next_step": "none"},
            "stage",
            "Select a valid choice. affiliate_joined is not one of the available choices.",
        ),
        (
            {"stage": "presented", "next_step": "slot:tomorrow"},
            "next_step",
            "Select a valid choice. slot:tomorrow is not one of the available choices.",
        ),
        (
            {"stage": "presented", "offer_affiliate": "on", "next_step": "none"},
            "offer_affiliate",
            "The affiliate or product offer follows a “no”: pick Declined.",
        ),
        (
            {"stage": "joined", "next_step": "7"},
            "follow_up_on",
            "A prospect who joined needs no follow-up.",
        ),
        (
            # A slot in the past passes the form; the booking refuses it, after the stage was
            # written inside the same transaction: that write is undone too.
            {"stage": "presented", "note": "x", "next_step": "slot:2026-06-10T18:00:00+00:00"},
            None,
            "That time has passed; pick a time from now on.",
        ),
    ],
)
def test_outcome_with_bad_input_changes_nothing(held, owner_client, data, field, message):
    ann, _ = held
    before = snapshot(ann)
    response = owner_client.post(url(ann), data)
    form = response.context["form"]
    errors = form.errors.get(field or "__all__")
    assert (response.status_code, errors) == (200, [message])
    assert snapshot(ann) == before


def test_outcome_declined_with_the_affiliate_offer_takes_the_affiliate_path(held, owner_client):
    ann, _ = held
    owner_client.post(url(ann), {"stage": "declined", "offer_affiliate": "on", "next_step": "30"})
    ann.refresh_from_db()
    assert (ann.stage, ann.follow_up_on) == ("affiliate_offered", date(2026, 7, 10))
    assert stage_changes(ann) == [
        ("contacted", "booked"),
        ("booked", "declined"),
        ("declined", "affiliate_offered"),
    ]


def test_outcome_for_a_declined_prospect_offers_the_affiliate_stages(evenings, owner_client):
    zed = prospect_services.add_prospect(
        evenings,
        prospect_services.clean_contact(evenings, name="Zed"),
        now=NOW,
        stage="declined",
    )
    page = owner_client.get(url(zed)).content.decode()
    offered = ('value="affiliate_offered"' in page, 'value="affiliate_joined"' in page)
    assert offered == (True, False)


def test_outcome_of_another_users_prospect_or_call_is_404(held, other_user, owner_client):
    ann, call = held
    theirs = prospect_services.add_prospect(
        other_user, prospect_services.clean_contact(other_user, name="Zed"), now=NOW
    )
    bob = prospect_services.add_prospect(
        ann.user, prospect_services.clean_contact(ann.user, name="Bob"), now=NOW
    )
    answers = [
        owner_client.get(url(theirs)).status_code,
        owner_client.post(url(theirs), {"stage": "new", "next_step": "none"}).status_code,
        owner_client.get(url(bob, appointment=call.pk)).status_code,  # not Bob's call
        owner_client.get(url(bob, activity=call.activity_id)).status_code,  # nor his time
        owner_client.get(url(ann, appointment="x")).status_code,
        owner_client.get(url(ann, activity=999999)).status_code,
    ]
    assert answers == [404, 404, 404, 404, 404, 404]
    assert owner_client.get(url(ann, activity=call.activity_id)).status_code == 200
    theirs.refresh_from_db()
    assert (theirs.stage, Event.objects.filter(prospect=theirs).count()) == ("new", 1)


def test_outcome_as_another_user_is_404_and_anonymous_must_log_in(held, other_client, anon_client):
    ann, call = held
    assert other_client.get(url(ann, appointment=call.pk)).status_code == 404
    response = anon_client.get(url(ann))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


# --- the running timer ---


def test_start_timer_for_a_prospect_links_the_entry(evenings, owner_client, frozen):
    ann = prospect_services.add_prospect(
        evenings, prospect_services.clean_contact(evenings, name="Ann Lee"), now=NOW
    )
    income = evenings.category_set.get(name="Prospect call")
    response = owner_client.post(
        reverse("activity:start-timer"), {"category": income.pk, "prospect": ann.pk}
    )
    running = Activity.objects.get()
    ann.refresh_from_db()
    assert (response.status_code, running.end, running.prospect_name) == (302, None, "Ann Lee")
    assert ProspectTime.objects.get().prospect_id == ann.pk
    assert ann.last_contacted_at == NOW


def test_start_timer_for_another_users_prospect_is_404(evenings, other_user, owner_client, frozen):
    theirs = prospect_services.add_prospect(
        other_user, prospect_services.clean_contact(other_user, name="Zed"), now=NOW
    )
    income = evenings.category_set.get(name="Prospect call")
    response = owner_client.post(
        reverse("activity:start-timer"), {"category": income.pk, "prospect": theirs.pk}
    )
    assert (response.status_code, Activity.objects.count(), ProspectTime.objects.count()) == (
        404,
        0,
        0,
    )


def test_stopping_a_prospects_timer_goes_on_to_the_outcome_form(evenings, owner_client, frozen):
    ann = prospect_services.add_prospect(
        evenings, prospect_services.clean_contact(evenings, name="Ann Lee"), now=NOW
    )
    income = evenings.category_set.get(name="Prospect call")
    owner_client.post(reverse("activity:start-timer"), {"category": income.pk, "prospect": ann.pk})
    frozen.move_to(NOW + timedelta(minutes=12))
    response = owner_client.post(reverse("activity:stop-timer"))
    entry = Activity.objects.get()
    assert (response.status_code, response["Location"]) == (
        302,
        f"/calendar/outcome/{ann.pk}/?activity={entry.pk}",
    )
    page = owner_client.get(response["Location"]).content.decode()
    assert "After the call · Prospect call, 12m" in page


def test_stopping_a_timer_without_a_prospect_goes_to_today(evenings, owner_client, frozen):
    income = evenings.category_set.get(name="Prospect call")
    owner_client.post(reverse("activity:start-timer"), {"category": income.pk})
    response = owner_client.post(reverse("activity:stop-timer"))
    assert (response.status_code, response["Location"]) == (302, "/")


def test_record_call_outcome_refuses_a_date_and_a_booking_together(held):
    ann, _ = held
    before = snapshot(ann)
    with pytest.raises(ValidationError) as refused:
        services.record_call_outcome(
            ann,
            now=AFTER,
            stage="presented",
            follow_up_on=date(2026, 6, 20),
            book_at=datetime(2026, 6, 11, 18, 0, tzinfo=UTC),
        )
    assert refused.value.message_dict == {
        "next_step": ["Either a follow-up date or a booked call, not both."]
    }
    assert snapshot(ann) == before
