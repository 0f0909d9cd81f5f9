"""The first-run checklist on Today: each step ticks itself off from what the account holds,
the list goes when every step is done or when the user hides it, and it costs Today one query
however much the account holds."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mainthing import onboarding
from mainthing.activity.models import Category
from mainthing.bookings import feeds, firstrun, public
from mainthing.core.enums import Tier
from mainthing.prospects import services as prospect_services
from tests.factories import block

# A Wednesday afternoon in London.
NOW = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")

ALL_STEPS = ["routine", "source", "prospects", "share", "feed"]


@pytest.fixture
def newcomer(db):
    """An account as sign-up makes it: default categories and the "Unknown" source only."""
    return onboarding.create_account(
        email="new@example.com", password="a long pass phrase 42", time_zone="Europe/London"
    )


@pytest.fixture
def newcomer_client(newcomer):
    client = Client()
    client.force_login(newcomer)
    return client


def done_steps(user) -> list[str]:
    user.refresh_from_db()
    return [step.key for step in firstrun.checklist(user).steps if step.done]


def shown_steps(html: str) -> dict[str, bool]:
    """The checklist on the page: each step's key and whether it shows as done."""
    return {
        key: "done" in classes
        for classes, key in re.findall(r'class="checklist-step([^"]*)" data-step="(\w+)"', html)
    }


def add_source(user):
    forum = Category.objects.get(user=user, name="Forum posts")
    return prospect_services.add_source(user, category=forum, campaign="Signature")


def add_prospect(user, name="Ann Lee"):
    return prospect_services.add_prospect(user, prospect_services.Contact(name=name), now=NOW)


def book_through_page(user):
    page = public.page_for(user)
    request = public.Request(
        start=datetime(2026, 6, 11, 18, 0, tzinfo=UTC),
        minutes=30,
        name="Priya Shah",
        email="priya@example.com",
        tz="Asia/Kolkata",
    )
    return public.book(page, request, now=timezone.now()).appointment


def test_new_account_has_no_step_done_and_today_shows_all_five(newcomer, newcomer_client):
    html = newcomer_client.get(reverse("today")).content.decode()

    assert (done_steps(newcomer), shown_steps(html)) == ([], dict.fromkeys(ALL_STEPS, False))


def test_each_step_links_to_its_page(newcomer):
    links = {step.key: (step.url, step.other_url) for step in firstrun.checklist(newcomer).steps}

    assert links == {
        "routine": ("/routine/", ""),
        "source": ("/prospects/sources/", ""),
        "prospects": ("/prospects/add/", "/prospects/import/"),
        "share": ("/book/settings/", ""),
        "feed": ("/accounts/profile/#calendar-feed", ""),
    }


def test_prospecting_times_tick_with_an_income_block_not_a_leadgen_one(newcomer):
    block(newcomer, "09:00", "10:00", tier=Tier.LEADGEN)
    before = done_steps(newcomer)
    block(newcomer, "19:00", "21:00")

    assert (before, done_steps(newcomer)) == ([], ["routine"])


def test_lead_source_ticks_with_a_named_source_not_unknown(newcomer):
    prospect_services.unknown_source(newcomer)
    before = done_steps(newcomer)
    add_source(newcomer)

    assert (before, done_steps(newcomer)) == ([], ["source"])


def test_prospects_tick_with_the_first_prospect(newcomer):
    add_prospect(newcomer)

    assert done_steps(newcomer) == ["prospects"]


def test_opening_the_booking_page_settings_does_not_count_as_sharing(newcomer, newcomer_client):
    newcomer_client.get(reverse("booking:settings"))

    assert done_steps(newcomer) == []


def test_share_ticks_when_the_user_says_they_shared_the_link(newcomer, newcomer_client):
    response = newcomer_client.post(reverse("bookings:link-shared"))

    newcomer.refresh_from_db()
    assert (response.status_code, response.url, newcomer.booking_link_shared_at) == (
        302,
        reverse("booking:settings"),
        NOW,
    )
    assert done_steps(newcomer) == ["share"]


def test_share_ticks_when_the_page_takes_a_booking(newcomer):
    block(newcomer, "19:00", "21:00")
    book_through_page(newcomer)

    # The booking also made a prospect.
    assert done_steps(newcomer) == ["routine", "prospects", "share"]


def test_share_ticks_when_the_page_takes_a_callback_request(newcomer):
    public.request_callback(
        public.page_for(newcomer),
        name="Ravi Kumar",
        email="ravi@example.com",
        phone="",
        tz="Asia/Kolkata",
        src="",
        now=NOW,
    )

    assert "share" in done_steps(newcomer)


def test_feed_ticks_when_its_address_is_made_and_unticks_when_turned_off(newcomer):
    feeds.rotate_feed_token(newcomer)
    made = done_steps(newcomer)
    feeds.revoke_feed_token(newcomer)

    assert (made, done_steps(newcomer)) == (["feed"], [])


def test_checklist_disappears_from_today_when_every_step_is_done(newcomer, newcomer_client):
    block(newcomer, "19:00", "21:00")
    add_source(newcomer)
    add_prospect(newcomer)
    newcomer_client.post(reverse("bookings:link-shared"))
    almost = shown_steps(newcomer_client.get(reverse("today")).content.decode())
    feeds.rotate_feed_token(newcomer)

    html = newcomer_client.get(reverse("today")).content.decode()

    assert (almost["feed"], shown_steps(html), "Get set up" in html) == (False, {}, False)


def test_hiding_the_checklist_lasts_and_profile_brings_it_back(newcomer, newcomer_client):
    hide = newcomer_client.post(reverse("bookings:hide-checklist"))
    hidden_today = newcomer_client.get(reverse("today")).content.decode()
    profile = newcomer_client.get(reverse("accounts:profile")).content.decode()
    show = newcomer_client.post(reverse("bookings:show-checklist"))
    shown_today = newcomer_client.get(reverse("today")).content.decode()

    newcomer.refresh_from_db()
    assert (hide.url, shown_steps(hidden_today), "Show the set-up list" in profile) == (
        "/",
        {},
        True,
    )
    assert (show.url, len(shown_steps(shown_today)), newcomer.checklist_hidden_at) == ("/", 5, None)


def test_checklist_buttons_need_a_post_and_a_login(newcomer_client, anon_client):
    answers = [
        newcomer_client.get(reverse("bookings:hide-checklist")).status_code,
        newcomer_client.get(reverse("bookings:link-shared")).status_code,
        anon_client.post(reverse("bookings:hide-checklist")).status_code,
        anon_client.post(reverse("bookings:link-shared")).status_code,
    ]

    assert answers == [405, 405, 302, 302]


def test_shared_button_goes_back_to_a_local_next_only(newcomer_client):
    local = newcomer_client.post(reverse("bookings:link-shared"), {"next": "/prospects/sources/"})
    foreign = newcomer_client.post(
        reverse("bookings:link-shared"), {"next": "https://evil.example/"}
    )

    assert (local.url, foreign.url) == ("/prospects/sources/", reverse("booking:settings"))


def test_checklist_is_one_query_and_none_once_hidden(newcomer):
    with CaptureQueriesContext(connection) as shown:
        firstrun.checklist_for_today(newcomer)
    newcomer.checklist_hidden_at = NOW
    with CaptureQueriesContext(connection) as hidden:
        answer = firstrun.checklist_for_today(newcomer)

    assert (len(shown), len(hidden), answer) == (1, 0, None)


def test_today_query_count_with_the_checklist_does_not_grow_with_the_account(
    newcomer, newcomer_client, queries_do_not_grow
):
    block(newcomer, "19:00", "21:00")

    def fill_account():
        add_source(newcomer)
        for n in range(10):
            add_prospect(newcomer, f"Prospect {n}")

    counts = queries_do_not_grow(
        lambda: shown_steps(newcomer_client.get(reverse("today")).content.decode()),
        fill_account,
    )

    assert (counts.first["prospects"], counts.last["source"], counts.last["prospects"]) == (
        False,
        True,
        True,
    )


def test_today_costs_one_query_more_with_the_checklist_than_without(newcomer, newcomer_client):
    # Counted at once: each request clears the connection's query log the counts read.
    with CaptureQueriesContext(connection) as shown:
        newcomer_client.get(reverse("today"))
    with_list = len(shown)
    newcomer_client.post(reverse("bookings:hide-checklist"))
    with CaptureQueriesContext(connection) as hidden:
        newcomer_client.get(reverse("today"))

    assert with_list - len(hidden) == 1


def test_booking_settings_says_when_the_link_was_shared(newcomer, newcomer_client, frozen):
    before = newcomer_client.get(reverse("booking:settings")).content.decode()
    newcomer_client.post(reverse("bookings:link-shared"))
    frozen.shift(timedelta(days=1))
    newcomer_client.post(reverse("bookings:link-shared"))  # a second press keeps the first day
    after = newcomer_client.get(reverse("booking:settings")).content.decode()

    assert ("I've shared my link" in before, "You shared it on 10 Jun 2026." in after) == (
        True,
        True,
    )


def prospecting_card(html: str) -> str:
    """The text of Today's "Prospecting calendar" card, up to its chart."""
    found = re.search(r"<h2>Prospecting calendar</h2>(.*?)<svg", html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_fresh_account_without_blocks_is_led_to_set_prospecting_times(newcomer_client):
    html = newcomer_client.get(reverse("today")).content.decode()

    assert prospecting_card(html).startswith(
        "No prospecting times in the next 3 days: first set the hours you keep for talking"
        " with prospects, then this shows how full they are. Set prospecting times"
    )
    assert "h of lead generation" not in html


def test_fresh_starter_routine_leads_with_first_steps_not_30_hours(newcomer, newcomer_client):
    newcomer_client.post(reverse("routine:apply-template"))

    card = prospecting_card(newcomer_client.get(reverse("today")).content.decode())

    assert "h of lead generation</strong>" not in card
    assert (
        "Nothing booked yet: that's day one, not a gap. Fill these times first with people you"
        " already know and with your booking link, and start with 1 h of lead generation a day"
    ) in card
    assert "Add a prospect Share your booking link" in card
