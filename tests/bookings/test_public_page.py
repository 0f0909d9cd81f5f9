"""The public booking page, /book/<slug>/, without JavaScript: pick a day, pick a time, fill the
form, confirm; the slot rules (notice, horizon, buffer, daily maximum, holds); the lead source
from `?src=`; the call-back form when nothing is free; abuse guards; the prospect's manage link."""

import ipaddress
import re
import time
from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from mainthing.bookings import abuse, managelinks, public, services
from mainthing.bookings.models import (
    Appointment,
    BookingPage,
    CallbackRequest,
    Change,
    MadeVia,
    PhoneQuestion,
    SlotHold,
    Status,
)
from mainthing.prospects.models import Prospect, Stage
from tests.factories import BookingPageFactory, LeadSourceFactory, ProspectFactory, category

# A Monday 08:00 in London; the owner's block is 19:00-21:00 London every day.
NOW = datetime(2026, 6, 8, 7, 0, tzinfo=UTC)
MON_19 = datetime(2026, 6, 8, 18, 0, tzinfo=UTC)  # 19:00 BST


@pytest.fixture
def page(evenings):
    page = public.page_for(evenings)
    page.slug = "ann-lee"
    page.save()
    return page


def url(page, **query) -> str:
    path = reverse("booking:page", args=[page.slug])
    return f"{path}?{urlencode(query)}" if query else path


def slot_links(html: str) -> list[str]:
    return re.findall(r'class="button time" href="([^"]+)"', html)


def starts_in(html: str) -> list[str]:
    return [
        parse_qs(urlparse(link).query)["start"][0]
        for link in slot_links(html.replace("&amp;", "&"))
    ]


def posted(page, client: Client, start: datetime, **fields):
    """Shows the form for `start` (which holds it), waits out the minimum fill time, posts."""
    shown = client.get(url(page, start=start.isoformat(), tz="Europe/London", h="24"))
    assert shown.status_code == 200, shown.content.decode()[:500]
    html = shown.content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    data = {
        "start": start.isoformat(),
        "minutes": "30",
        "tz": "Europe/London",
        "h": "24",
        "src": "",
        "idempotency_key": key,
        "shown": old_stamp(),
        "website": "",
        "name": "Maria Lopez",
        "email": "maria@example.com",
        "phone": "",
        "note": "",
    }
    data.update(fields)
    return client.post(url(page), data)


def old_stamp() -> str:
    """A form stamp from a minute ago: a person had time to fill the form."""
    signer = signing.TimestampSigner(salt=abuse._STAMP_SALT)
    with mock.patch("time.time", return_value=time.time() - 60):
        return signer.sign("shown")


def test_page_offers_the_blocks_free_times_by_day_in_the_visitors_zone(page, anon_client, frozen):
    response = anon_client.get(url(page, tz="Asia/Kolkata", h="24"))
    html = response.content.decode()
    assert response.status_code == 200
    assert page.user.display_name in html
    assert "Asia/Kolkata" in html
    # Minimum notice 4 h from 08:00 London: Monday's 19:00-21:00 block is all free. 19:00 BST
    # is 23:30 in Kolkata, so the visitor's Monday has one time and the rest fall on Tuesday.
    assert re.findall(r'class="button time"[^>]*>([^<]+)<', html) == ["23:30"]
    assert starts_in(html) == [MON_19.isoformat()]
    assert re.findall(r'class="chip-date">([^<]+)<', html)[:2] == ["8 Jun", "9 Jun"]
    tuesday = anon_client.get(url(page, tz="Asia/Kolkata", h="12", day="2026-06-09")).content
    assert re.findall(r'class="button time"[^>]*>([^<]+)<', tuesday.decode())[:3] == [
        "12:00 am",
        "12:30 am",
        "1:00 am",
    ]


def test_the_no_javascript_flow_books_the_picked_time_on_a_new_prospect(page, frozen):
    client = Client()
    response = posted(page, client, MON_19)
    assert response.status_code == 302, response.content.decode()[:800]
    manage_url = response["Location"]
    assert manage_url.startswith("/booking/")
    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.made_via, appointment.prospect.stage) == (
        MON_19, MadeVia.BOOKING_PAGE, Stage.BOOKED,
    )  # fmt: skip
    assert appointment.prospect_time_zone == "Europe/London"
    assert [c.by for c in appointment.changes.all()] == [Change.By.PROSPECT]
    assert not SlotHold.objects.exists()
    confirmation = client.get(manage_url)
    assert confirmation.status_code == 200
    assert "You&#x27;re booked" in confirmation.content.decode()


def test_a_booking_lands_on_the_prospect_with_that_email_not_a_new_one(page, frozen):
    maria = ProspectFactory(user=page.user, name="Maria Lopez", email="Maria@Example.com")
    posted(page, Client(), MON_19, email="maria@example.COM ")
    assert Prospect.objects.filter(user=page.user).count() == 1
    maria.refresh_from_db()
    assert maria.appointments.get().start == MON_19
    assert maria.stage == Stage.BOOKED


def test_a_booking_lands_on_the_prospect_with_that_phone_in_another_format(page, frozen):
    page.phone_question = PhoneQuestion.REQUIRED
    page.save()
    bob = ProspectFactory(user=page.user, name="Bob", phone="+447700900123")
    response = posted(page, Client(), MON_19, email="bob.new@example.com", phone="07700 900123")
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.appointments.count() == 1
    assert bob.email == "bob.new@example.com"  # the card gains the email it lacked


def test_src_attributes_the_booking_and_an_unknown_key_falls_back_to_the_default(page, frozen):
    forum = LeadSourceFactory(
        user=page.user, category=category(page.user, "Forum posts"), key="forum"
    )
    video = LeadSourceFactory(
        user=page.user, category=category(page.user, "Forum posts"), campaign="Video", key="yt"
    )
    page.default_source = video
    page.save()
    posted(page, Client(), MON_19, src="FORUM", email="a@example.com")
    posted(page, Client(), MON_19 + timedelta(minutes=30), src="nope", email="b@example.com")
    first, second = Appointment.objects.order_by("start")
    assert (first.source, first.prospect.source) == (forum, forum)
    assert (second.source, second.prospect.source) == (video, video)


def test_a_taken_time_answers_409_with_the_times_still_free(page, frozen):
    services.book(page.user, prospect_name="Earlier", start=MON_19, now=NOW)
    response = Client().get(url(page, start=MON_19.isoformat(), tz="Europe/London"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "That time was just taken" in html
    assert MON_19.isoformat() not in starts_in(html)
    assert (MON_19 + timedelta(minutes=30)).isoformat() in starts_in(html)


def test_a_held_time_is_hidden_from_others_and_freed_when_the_hold_expires(page, frozen):
    holder = Client()
    assert holder.get(url(page, start=MON_19.isoformat(), tz="Europe/London")).status_code == 200
    assert SlotHold.objects.count() == 1
    other = Client()
    assert MON_19.isoformat() not in starts_in(
        other.get(url(page, tz="Europe/London")).content.decode()
    )
    # The holder still sees their own time.
    assert MON_19.isoformat() in starts_in(
        holder.get(url(page, tz="Europe/London")).content.decode()
    )
    assert other.get(url(page, start=MON_19.isoformat(), tz="Europe/London")).status_code == 409
    frozen.shift(public.HOLD + timedelta(seconds=1))
    assert MON_19.isoformat() in starts_in(
        other.get(url(page, tz="Europe/London")).content.decode()
    )


def test_a_double_submit_books_once(page, frozen):
    client = Client()
    first = posted(page, client, MON_19, idempotency_key="same-key")
    # The same form sent again (a double click, a reload): the same booking, not a second.
    data = {
        "start": MON_19.isoformat(), "minutes": "30", "tz": "Europe/London", "h": "24",
        "idempotency_key": "same-key", "shown": old_stamp(), "name": "Maria Lopez",
        "email": "maria@example.com",
    }  # fmt: skip
    second = client.post(url(page), data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Appointment.objects.count() == 1
    assert Prospect.objects.count() == 1


def test_notice_horizon_buffer_and_daily_maximum_narrow_the_offer(page, frozen):
    user = page.user
    now = NOW
    all_monday = public.offered_slots(
        page, start=now, end=now + timedelta(days=1), minutes=30, now=now
    )
    assert [s for s, _ in all_monday][:1] == [MON_19]
    page.notice_minutes = 12 * 60  # 19:00 London is 11 h away: not before 20:00
    noticed = public.offered_slots(
        page, start=now, end=now + timedelta(hours=16), minutes=30, now=now
    )
    assert [s for s, _ in noticed] == [
        MON_19 + timedelta(hours=1),
        MON_19 + timedelta(hours=1, minutes=30),
    ]
    page.notice_minutes = 0
    page.horizon_days = 1
    later = public.offered_slots(page, start=now, end=now + timedelta(days=30), minutes=30, now=now)
    assert {s.date() for s, _ in later} == {MON_19.date(), (MON_19 + timedelta(days=1)).date()}
    page.horizon_days = 14
    services.book(user, prospect_name="Call", start=MON_19 + timedelta(minutes=30), now=now)
    page.buffer_minutes = 15
    monday = [
        s
        for s, _ in public.offered_slots(
            page, start=now, end=now + timedelta(hours=16), minutes=30, now=now
        )
    ]
    # 19:00 ends at 19:30, touching the 19:30 call: no room for the buffer; 20:15 is the first.
    assert MON_19 not in monday
    assert monday[0] == MON_19 + timedelta(minutes=75)
    page.buffer_minutes = 0
    page.max_per_day = 1
    monday = public.offered_slots(
        page, start=now, end=now + timedelta(hours=16), minutes=30, now=now
    )
    assert monday == []


def test_the_callback_form_when_nothing_is_free_makes_a_prospect_due_today(page, frozen):
    page.horizon_days = 1
    page.notice_minutes = 60 * 48
    page.save()
    client = Client()
    html = client.get(url(page)).content.decode()
    assert "No free times" in html
    stamp = old_stamp()
    response = client.post(
        reverse("booking:callback", args=[page.slug]),
        {"name": "Cal Back", "email": "", "phone": "+44 7700 900456", "tz": "Europe/London",
         "src": "", "shown": stamp, "website": ""},
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()[:800]
    prospect = Prospect.objects.get(name="Cal Back")
    assert (prospect.stage, prospect.follow_up_on, prospect.phone) == (
        Stage.NEW, NOW.date(), "+447700900456",
    )  # fmt: skip
    assert CallbackRequest.objects.get().prospect == prospect


def test_the_honeypot_and_a_form_posted_too_fast_book_nothing(page, frozen):
    bot = Client()
    assert posted(page, bot, MON_19, website="http://spam").status_code == 422
    assert posted(page, bot, MON_19, shown=abuse.form_stamp()).status_code == 422
    assert posted(page, bot, MON_19, shown="forged").status_code == 422
    assert not Appointment.objects.exists()
    assert not Prospect.objects.exists()


@override_settings(RATE_LIMITS=True)
def test_booking_attempts_are_limited_per_address_with_retry_after(page, frozen):
    client = Client()
    answers = [posted(page, client, MON_19, email="not an email").status_code for _ in range(12)]
    assert answers[:10] == [422] * 10
    limited = posted(page, client, MON_19)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert not Appointment.objects.exists()


@override_settings(RATE_LIMITS=True, TRUSTED_PROXIES=(ipaddress.ip_network("10.0.0.0/8"),))
def test_behind_the_proxy_one_visitors_attempts_do_not_limit_another(page, frozen):
    """Every request comes from the TLS proxy; the limit is the visitor's, read from
    X-Forwarded-For through the trusted proxy (docs/deployment.md)."""
    first = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(10):
        posted(page, first, MON_19, email="not an email")
    assert posted(page, first, MON_19).status_code == 429
    second = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8")
    # Another time: the first visitor's form holds 19:00 for them a while.
    assert posted(page, second, MON_19 + timedelta(minutes=30)).status_code == 302
    assert Appointment.objects.count() == 1


def test_the_daily_cap_stops_bookings_with_a_message(page, frozen):
    page.daily_cap = 1
    page.save()
    assert posted(page, Client(), MON_19, email="a@example.com").status_code == 302
    second = posted(page, Client(), MON_19 + timedelta(minutes=30), email="b@example.com")
    assert second.status_code == 409
    assert "can&#x27;t take more bookings today" in second.content.decode()
    assert Appointment.objects.count() == 1


def test_bad_fields_get_messages_and_write_nothing(page, frozen):
    response = posted(page, Client(), MON_19, name="", email="nope", minutes="999")
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html
    assert not Appointment.objects.exists()
    assert not Prospect.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"start": "not-a-date"},
        {"start": "2026-06-08T18:00:00"},  # no offset
        {"tz": "Mars/Olympus"},
        {"minutes": "abc"},
        {"day": "2026-99-99"},
        {"start": "9" * 500},
        {"tz": "Europe/London\x00"},
        {"src": "forum\x00"},
        {"day": "\x00"},
        {"start": "2026-06-08T18:00:00+00:00\x00"},
    ],
)
def test_nonsense_in_the_query_never_breaks_the_page(page, anon_client, frozen, query):
    assert anon_client.get(url(page, **query)).status_code in (200, 409)


def test_a_changed_slug_frees_the_old_address(page, anon_client):
    from mainthing.bookings import pagesettings

    pagesettings.update_page(page, slug="maria-calls", lengths=[30], reminders=[60])
    assert anon_client.get("/book/ann-lee/").status_code == 404
    assert anon_client.get("/book/maria-calls/").status_code == 200


def test_a_disabled_page_says_so_and_books_nothing(page, frozen):
    page.enabled = False
    page.save()
    assert "not taking bookings" in Client().get(url(page)).content.decode()
    assert posted_without_form(page).status_code in (409, 422)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "field", ["name", "email", "phone", "note", "src", "tz", "idempotency_key"]
)
def test_a_nul_byte_in_any_posted_field_is_refused_not_a_crash(page, frozen, field):
    response = posted(page, Client(), MON_19, **{field: "Maria\x00Lopez"})
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 302:  # src and tz fall back; the booking is made cleanly
        assert "\x00" not in Appointment.objects.get().prospect_name


def posted_without_form(page):
    return Client().post(
        url(page),
        {"start": MON_19.isoformat(), "minutes": "30", "tz": "Europe/London", "name": "X",
         "email": "x@example.com", "idempotency_key": "k", "shown": old_stamp()},
    )  # fmt: skip


# --- the manage link ------------------------------------------------------------------------------


@pytest.fixture
def booked(page, frozen):
    made = public.book(
        page,
        public.Request(
            start=MON_19, minutes=30, name="Maria Lopez", email="m@example.com", tz="Asia/Kolkata"
        ),
        now=NOW,
    )
    return made


def test_the_manage_page_shows_the_call_in_both_zones_and_nothing_else(booked, anon_client):
    html = anon_client.get(reverse("booking:manage", args=[booked.token])).content.decode()
    assert "Asia/Kolkata" in html
    assert "Europe/London" in html
    assert "23:30" in html  # 19:00 BST in Kolkata
    assert "calendar.google.com" in html
    assert "outlook.live.com" in html


def test_a_wrong_token_is_a_404(anon_client, booked):
    assert anon_client.get("/booking/not-a-token/").status_code == 404
    assert anon_client.get("/booking/" + "x" * 200 + "/").status_code == 404


def test_the_prospect_moves_and_cancels_until_the_cutoff(booked, frozen):
    client = Client()
    token = booked.token
    new_start = MON_19 + timedelta(hours=1)
    response = client.post(
        reverse("booking:reschedule", args=[token]), {"start": new_start.isoformat()}
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.sequence) == (new_start, 1)
    assert [c.kind for c in appointment.changes.all()] == [Change.Kind.BOOKED, Change.Kind.MOVED]
    frozen.move_to(new_start - timedelta(minutes=90))  # inside the 2 h cut-off
    refused = client.post(reverse("booking:cancel", args=[token]))
    assert refused.status_code == 422
    assert "too close to the call" in refused.content.decode()
    frozen.move_to(NOW)
    assert client.post(reverse("booking:cancel", args=[token])).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED


def test_a_reschedule_only_to_a_free_offered_time(booked, page, frozen):
    services.book(page.user, prospect_name="Other", start=MON_19 + timedelta(hours=1), now=NOW)
    client = Client()
    taken = client.post(
        reverse("booking:reschedule", args=[booked.token]),
        {"start": (MON_19 + timedelta(hours=1)).isoformat()},
    )
    outside = client.post(
        reverse("booking:reschedule", args=[booked.token]),
        {"start": (MON_19 + timedelta(hours=5)).isoformat()},
    )
    assert (taken.status_code, outside.status_code) == (409, 409)
    assert Appointment.objects.get(prospect_name="Maria Lopez").start == MON_19


def test_the_event_download_is_an_ics_of_the_call(booked, anon_client):
    response = anon_client.get(reverse("booking:event", args=[booked.token]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert f"appointment-{booked.appointment.pk}@mainthing" in body


def test_manage_links_are_stored_only_as_hashes(booked):
    from mainthing.bookings.models import ManageLink

    assert not ManageLink.objects.filter(token_hash=booked.token).exists()
    assert managelinks.appointment_for(booked.token) == booked.appointment
    assert len(booked.token) >= 22  # ≥ 128 bits, URL-safe


def test_settings_page_saves_and_checks_the_slug(owner_client, owner):
    response = owner_client.get(reverse("booking:settings"))
    assert response.status_code == 200
    other = BookingPageFactory(slug="taken-one")
    data = {
        "slug": "taken-one", "enabled": "on", "intro": "Hi", "lengths": ["15", "30"],
        "step_minutes": "15", "notice_minutes": "240", "horizon_days": "14", "buffer_minutes": "0",
        "max_per_day": "", "phone_question": "optional", "ask_note": "on", "cutoff_minutes": "120",
        "reminders": ["1440", "60"], "remind_user_minutes": "", "default_source": "",
        "daily_cap": "30",
    }  # fmt: skip
    refused = owner_client.post(reverse("booking:settings"), data)
    assert refused.status_code == 422
    assert "is taken" in refused.content.decode()
    data["slug"] = "owner-calls"
    assert owner_client.post(reverse("booking:settings"), data).status_code == 302
    page = BookingPage.objects.get(user=owner)
    assert (page.slug, page.length_list, page.step_minutes, page.reminder_list) == (
        "owner-calls", [15, 30], 15, [1440, 60],
    )  # fmt: skip
    assert other.slug == "taken-one"


@pytest.mark.parametrize(
    "field", ["name", "email", "phone", "note", "src", "tz", "idempotency_key"]
)
def test_the_service_refuses_a_nul_byte_before_any_query(page, frozen, field):
    fields = {"name": "Maria", "email": "m@example.com", "tz": "Europe/London", field: "a\x00b"}
    with pytest.raises(ValidationError) as refused:
        public.book(page, public.Request(start=MON_19, minutes=30, **fields), now=NOW)
    assert field in refused.value.message_dict
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("year", [1, 9999])
def test_a_time_centuries_away_is_not_offered_and_never_overflows(page, frozen, year):
    far = datetime(year, 6, 1, 12, 0, tzinfo=UTC)
    assert public.is_offered(page, far, 30, now=NOW) is False
    with pytest.raises(services.SlotTaken):
        public.book(
            page,
            public.Request(start=far, minutes=30, name="M", email="m@example.com", tz="UTC"),
            now=NOW,
        )
    assert public.fresh_slots(page, near=far, minutes=30, now=NOW)[0][0] == MON_19


def test_an_imported_lead_and_a_booking_with_its_email_or_phone_are_one_prospect(
    page, frozen, tmp_path
):
    """The lead import and the booking page find people by one rule (email in any case,
    phone in any format), so a lead who books lands on their imported card."""
    from tests.prospects.test_importing import run_import, write

    page.user.phone_region = "GB"
    page.user.save()
    csv = "name,email,phone\nMaria Lopez,Maria.Lopez@Example.com,\nBob Ray,,07700 900123\n"
    run_import(page.user, write(tmp_path, csv))
    page.phone_question = PhoneQuestion.REQUIRED
    page.save()
    public.book(
        page,
        public.Request(start=MON_19, minutes=30, name="Maria", email="maria.lopez@example.COM",
                       phone="07700 900999", tz="Europe/London"),
        now=NOW,
    )  # fmt: skip
    public.book(
        page,
        public.Request(start=MON_19 + timedelta(minutes=30), minutes=30, name="Robert Ray",
                       email="bob@example.com", phone="+44 7700 900123", tz="Europe/London"),
        now=NOW,
    )  # fmt: skip
    assert sorted(Prospect.objects.values_list("name", "stage")) == [
        ("Bob Ray", Stage.BOOKED), ("Maria Lopez", Stage.BOOKED),
    ]  # fmt: skip
    assert Appointment.objects.filter(prospect__name="Bob Ray").count() == 1
