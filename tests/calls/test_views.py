"""The call queue's pages as the owner, another user and an anonymous visitor: plain form
posts and htmx swaps, every outcome button, bad input, and Today's way in."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from mainthing.activity.models import Activity
from mainthing.bookings.models import Appointment
from mainthing.calls.models import CallAttempt, CallSession, Postponement, Script
from tests.calls.conftest import TUESDAY, ZONE
from tests.factories import ProspectFactory, at

NOW = TUESDAY
HTMX = {"HTTP_HX_REQUEST": "true"}


def outcome_url(prospect, word: str) -> str:
    return reverse("calls:outcome", args=[prospect.pk, word])


def html(response) -> str:
    return response.content.decode()


def test_queue_page_shows_the_card_its_reason_buttons_and_who_comes_next(
    week, owner_client, frozen
):
    page = html(owner_client.get(reverse("calls:queue")))
    assert (
        "Bob Booked" in page,
        "booked call at 19:05" in page,
        'href="tel:+447700900123"' in page,
        'href="https://wa.me/447700900123"' in page,
        "Cara Overdue" in page and "follow-up from Mon" in page,
        page.count('data-key="'),
        reverse("calls:scripts") in page,
    ) == (True, True, True, True, True, 8, True)


def test_no_answer_as_a_plain_post_redirects_to_the_queue_with_the_next_card(
    week, owner_client, frozen
):
    response = owner_client.post(outcome_url(week.bob, "no-answer"), follow=True)
    week.bob.refresh_from_db()
    assert (
        response.redirect_chain,
        week.bob.follow_up_on,
        "No answer: Bob Booked: Booked, call again Thu 3 Dec." in html(response),
        response.context["page"].card.prospect.name,
    ) == ([(reverse("calls:queue"), 302)], date(2026, 12, 3), True, "Cara Overdue")


def test_htmx_outcome_swaps_in_the_next_card_and_the_tally(week, owner_client, frozen):
    response = owner_client.post(outcome_url(week.bob, "message"), **HTMX)
    page = html(response)
    assert (
        response.status_code,
        page.lstrip().startswith('<div id="call-area"'),
        "<html" in page,
        response.context["page"].card.prospect.name,
        '<dd data-tally="dials">1</dd>' in page,
    ) == (200, True, False, "Cara Overdue", True)


def test_call_button_starts_the_timer_and_the_card_shows_it(week, owner_client, frozen):
    response = owner_client.post(reverse("calls:start-call", args=[week.bob.pk]), **HTMX)
    running = Activity.objects.get(end__isnull=True)
    assert (
        running.prospect_name,
        running.category.name,
        "On the call" in html(response),
        response.context["page"].card.prospect.name,
    ) == ("Bob Booked", "Follow-up call", True, "Bob Booked")


def test_talked_tap_stops_the_timer_and_save_records_stage_note_and_follow_up(
    week, owner_client, frozen
):
    owner_client.post(reverse("calls:start-call", args=[week.fay.pk]))
    frozen.shift(timedelta(minutes=4))
    screen = owner_client.post(outcome_url(week.fay, "talked"), **HTMX)
    stopped = Activity.objects.get()
    saved = owner_client.post(
        outcome_url(week.fay, "talked"),
        {"save": "1", "stage": "contacted", "note": "Keen", "next_step": "7"},
        **HTMX,
    )
    week.fay.refresh_from_db()
    assert (
        "Where do they stand now?" in html(screen),
        stopped.seconds,
        (week.fay.stage, week.fay.follow_up_on),
        CallAttempt.objects.get().outcome,
        "Fay Ppc: Contacted, call again Tue 8 Dec." in html(saved),
    ) == (True, 240, ("contacted", date(2026, 12, 8)), "talked", True)


def test_talked_save_with_a_past_date_shows_the_reason_and_changes_nothing(
    week, owner_client, frozen
):
    response = owner_client.post(
        outcome_url(week.fay, "talked"),
        {"save": "1", "stage": "contacted", "next_step": "date", "follow_up_on": "2026-11-01"},
    )
    week.fay.refresh_from_db()
    assert (
        response.status_code,
        "That day has passed" in html(response),
        (week.fay.stage, week.fay.follow_up_on),
        CallAttempt.objects.count(),
    ) == (200, True, ("new", None), 0)


def test_booked_offers_free_slots_and_books_one_once(week, owner_client, frozen):
    screen = owner_client.post(outcome_url(week.fay, "booked"))
    form = screen.context["screen"]["form"]
    slot = at("2026-12-02 19:30", ZONE).isoformat()
    data = {"save": "1", "slot": slot, "idempotency_key": "abc123"}
    first = owner_client.post(outcome_url(week.fay, "booked"), data)
    again = owner_client.post(outcome_url(week.fay, "booked"), data)
    week.fay.refresh_from_db()
    assert (
        slot in [value for value, _ in form.fields["slot"].choices],
        at("2026-12-02 10:00", ZONE).isoformat() in dict(form.fields["slot"].choices),
        (first.status_code, again.status_code),
        Appointment.objects.filter(prospect=week.fay).count(),
        week.fay.stage,
    ) == (True, False, (302, 302), 1, "booked")


def test_booked_without_a_slot_or_in_a_taken_one_is_refused(week, owner_client, frozen):
    empty = owner_client.post(outcome_url(week.fay, "booked"), {"save": "1"})
    taken = owner_client.post(
        outcome_url(week.fay, "booked"),
        {"save": "1", "slot": week.call.start.isoformat(), "idempotency_key": "k"},
    )
    assert (
        empty.status_code,
        "Pick one of the free times." in html(empty),
        taken.status_code,
        Appointment.objects.filter(prospect=week.fay).count(),
    ) == (200, True, 409, 0)


def test_not_interested_with_the_offer_moves_them_to_affiliate_offered(week, owner_client, frozen):
    screen = owner_client.post(outcome_url(week.gus, "declined"))
    owner_client.post(outcome_url(week.gus, "declined"), {"save": "1", "offer": "1"})
    week.gus.refresh_from_db()
    assert ("I offered the product / affiliate path" in html(screen), week.gus.stage) == (
        True,
        "affiliate_offered",
    )


def test_not_interested_not_now_leaves_them_declined(week, owner_client, frozen):
    owner_client.post(outcome_url(week.gus, "declined"), {"save": "1", "offer": "0"})
    week.gus.refresh_from_db()
    assert (week.gus.stage, week.gus.follow_up_on) == ("declined", None)


def test_skip_and_later_today_move_on_and_keep_them(week, owner_client, frozen):
    skipped = owner_client.post(reverse("calls:skip", args=[week.bob.pk]), **HTMX)
    later = owner_client.post(reverse("calls:later", args=[week.cara.pk]), {"hours": "3"}, **HTMX)
    assert (
        skipped.context["page"].card.prospect.name,
        later.context["page"].card.prospect.name,
        Postponement.objects.get().until,
        "Cara Overdue comes back at 22:00." in html(later),
    ) == ("Cara Overdue", "Dan Today", TUESDAY + timedelta(hours=3), True)


@pytest.mark.parametrize("hours", ["", "9", "x", "-1"])
def test_later_with_a_bad_choice_is_refused_without_a_500(week, owner_client, frozen, hours):
    response = owner_client.post(reverse("calls:later", args=[week.cara.pk]), {"hours": hours})
    assert (response.status_code, Postponement.objects.count()) == (302, 0)


def test_unknown_outcome_is_a_404(week, owner_client, frozen):
    response = owner_client.post(outcome_url(week.bob, "maybe"))
    assert (response.status_code, CallAttempt.objects.count()) == (404, 0)


def test_an_outcome_for_a_joined_prospect_is_refused_with_a_message(week, owner_client, frozen):
    response = owner_client.post(outcome_url(week.lou, "no-answer"), follow=True)
    assert ("has joined" in html(response), CallAttempt.objects.count()) == (True, 0)


ROUTES = [
    ("calls:start-call", ()),
    ("calls:skip", ()),
    ("calls:later", ()),
    ("calls:outcome", ("no-answer",)),
    ("calls:outcome", ("talked",)),
    ("calls:outcome", ("booked",)),
    ("calls:outcome", ("declined",)),
]


@pytest.mark.parametrize(("name", "extra"), ROUTES)
def test_another_users_prospect_is_a_404_on_every_action(week, other_client, frozen, name, extra):
    response = other_client.post(reverse(name, args=[week.bob.pk, *extra]), {"save": "1"})
    week.bob.refresh_from_db()
    assert (response.status_code, CallAttempt.objects.count(), week.bob.follow_up_on) == (
        404,
        0,
        None,
    )


@pytest.mark.parametrize(
    "url",
    [
        reverse("calls:queue"),
        reverse("calls:scripts"),
        reverse("calls:start-session"),
        reverse("calls:finish-session"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(anon_client, url):
    response = anon_client.post(url) if "scripts" not in url else anon_client.get(url)
    assert (response.status_code, response.url.split("?")[0]) == (302, reverse("accounts:login"))


def test_finish_says_what_the_session_did(week, owner_client, frozen):
    owner_client.post(outcome_url(week.bob, "no-answer"))
    frozen.shift(timedelta(minutes=12))
    response = owner_client.post(reverse("calls:finish-session"), follow=True)
    assert "Session done: 1 dials, 0 conversations, 0 booked in 12 min." in html(response)


def test_choosing_a_source_puts_its_new_leads_first(week, owner_client, frozen):
    owner_client.post(reverse("calls:start-session"), {"source": week.forum.pk})
    for p in (week.bob, week.cara, week.dan):
        owner_client.post(reverse("calls:skip", args=[p.pk]))
    page = owner_client.get(reverse("calls:queue"))
    assert page.context["page"].card.prospect.name == "Gus Forum"


def test_choosing_another_users_source_is_refused(week, owner_client, other_user, frozen):
    from tests.factories import LeadSourceFactory

    theirs = LeadSourceFactory(user=other_user)
    response = owner_client.post(reverse("calls:start-session"), {"source": theirs.pk}, follow=True)
    assert "Pick one of your lead sources." in html(response)


def test_scripts_page_shows_starters_and_saves_only_what_the_user_changed(caller, owner_client):
    page = owner_client.get(reverse("calls:scripts"))
    form = page.context["form"]
    data = {stage: form.fields[stage].initial for stage in form.fields}
    data["presented"] = "What did you like most, {first_name}?"
    response = owner_client.post(reverse("calls:scripts"), data)
    assert (
        "Hi {first_name}, it&#x27;s Dana." in html(page),
        response.status_code,
        list(Script.objects.values_list("stage", "text")),
    ) == (True, 302, [("presented", "What did you like most, {first_name}?")])


def test_scripts_page_refuses_a_script_too_long_and_saves_nothing(caller, owner_client):
    response = owner_client.post(reverse("calls:scripts"), {"new": "x" * 5001})
    assert (
        response.status_code,
        "There is a problem" in html(response),
        Script.objects.count(),
    ) == (
        200,
        True,
        0,
    )


def test_today_offers_start_calling_in_prospecting_time_and_a_quiet_link_otherwise(
    caller, owner_client, frozen
):
    inside = html(owner_client.get(reverse("today")))
    frozen.move_to(at("2026-12-01 12:00", ZONE))
    outside = html(owner_client.get(reverse("today")))
    assert ("Start calling" in inside, "Start calling" in outside, "Call queue</a>" in outside) == (
        True,
        False,
        True,
    )


def test_queue_page_queries_do_not_grow_with_prospects(
    week, caller, owner_client, frozen, queries_do_not_grow
):
    owner_client.post(reverse("calls:skip", args=[week.bob.pk]))

    def more():
        for n in range(30):
            ProspectFactory(user=caller, name=f"Lead {n}", created_at=at("2026-11-02 10:00", ZONE))

    queries_do_not_grow(lambda: owner_client.get(reverse("calls:queue")), more)


def test_start_calling_from_today_starts_the_session_and_keeps_its_source(
    week, caller, owner_client, frozen
):
    owner_client.post(reverse("calls:start-session"), {"source": week.forum.pk})
    response = owner_client.post(reverse("calls:start-session"))
    session = CallSession.objects.get()
    assert (response.status_code, response.url, session.source_id, session.ended_at) == (
        302,
        reverse("calls:queue"),
        week.forum.pk,
        None,
    )
