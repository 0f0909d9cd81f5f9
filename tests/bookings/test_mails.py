"""Booking emails through a real SMTP server (aiosmtpd on 127.0.0.1): what each side receives
when a call is booked, moved and cancelled, the `.ics` invitations, the outbox's retries while
the server is down, and markup that stays text."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from mainthing.bookings import letters, mails, managelinks, public, services, tasks
from mainthing.bookings.models import Appointment, Change, Mail
from tests import processes
from tests.factories import UserFactory, at, block, round_the_clock

NOW = at("2026-03-09 08:00", "America/New_York")  # Monday, the day after the US DST change
CALL = at("2026-03-10 11:00", "America/New_York")  # 20:30 in Kolkata
PROSPECT, USER = "priya@example.com", "dana@example.com"
DASH = "\N{EN DASH}"
WHEN_PROSPECT = f"Tuesday 10 March, 20:30{DASH}21:00 IST (Asia/Kolkata)"
WHEN_USER = f"Tuesday 10 March, 11:00{DASH}11:30 EDT (America/New_York)"


@pytest.fixture
def page(db):
    user = UserFactory(email=USER, name="Dana Reyes", time_zone="America/New_York")
    block(user, "11:00", "12:00")
    return public.page_for(user)


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
    return public.book(page, request, now=timezone.now())


def read(message):
    """The plain text, the HTML and the parsed `.ics` attachment (None without one)."""
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    calendars = [
        Calendar.from_ical(part.get_content())
        for part in message.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]
    return text, html, (calendars[0] if calendars else None)


def subject(message) -> str:
    # Django folds a long non-ASCII subject onto a second line; readers drop the fold's space.
    return str(message["Subject"]).strip()


def invite(calendar):
    """What a calendar app reads of an invitation."""
    event = calendar.events[0]
    return {
        "method": str(calendar["METHOD"]),
        "uid": str(event["UID"]),
        "sequence": int(event["SEQUENCE"]),
        "status": str(event["STATUS"]),
        "start": event.start,
        "end": event.end,
        "tzid": event["DTSTART"].params.get("TZID"),
        "organizer": (str(event["ORGANIZER"]), str(event["ORGANIZER"].params["CN"])),
        "attendees": [str(a) for a in attendees(event)],
    }


def attendees(event) -> list:
    found = event.get("ATTENDEE", [])
    return found if isinstance(found, list) else [found]


def manage_token(text: str) -> str:
    found = re.findall(re.escape(settings.BASE_URL) + r"/booking/([\w-]+)/", text)
    assert len(set(found)) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("zone", "local", "expected"),
    [
        ("America/New_York", "2026-03-08 01:30", "Sunday 8 March, 01:30 EST{}03:30 EDT"),
        ("Europe/London", "2026-10-25 01:30", "Sunday 25 October, 01:30 BST{}01:30 GMT"),
        ("Australia/Sydney", "2026-04-05 02:30", "Sunday 5 April, 02:30 AEDT{}02:30 AEST"),
        ("Asia/Kolkata", "2026-03-10 20:30", "Tuesday 10 March, 20:30{}21:30 IST"),
        ("Asia/Kathmandu", "2026-03-10 20:15", "Tuesday 10 March, 20:15{}21:15 UTC+05:45"),
        ("Australia/Lord_Howe", "2026-10-04 01:45",
         "Sunday 4 October, 01:45 UTC+10:30{}03:15 UTC+11:00"),
        ("Pacific/Auckland", "2026-09-27 01:30", "Sunday 27 September, 01:30 NZST{}03:30 NZDT"),
        ("Pacific/Auckland", "2026-04-05 02:30", "Sunday 5 April, 02:30 NZDT{}02:30 NZST"),
    ],
)  # fmt: skip
def test_a_calls_time_reads_in_the_zone_named_across_dst_changes(zone, local, expected):
    start = at(local, zone)
    # An hour of real time: across a DST change the wall clock moves more or less than that.
    assert letters.when(start, start + timedelta(hours=1), zone) == (
        expected.format(DASH) + f" ({zone})"
    )


def test_utc_and_an_unknown_zone_read_as_utc():
    start = at("2026-03-10 15:00", "UTC")
    end = start + timedelta(hours=1)
    assert {letters.when(start, end, zone) for zone in ("UTC", "Not/AZone", "")} == {
        f"Tuesday 10 March, 15:00{DASH}16:00 UTC"
    }


@pytest.mark.parametrize(
    "zone",
    ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "Asia/Kathmandu",
     "Australia/Lord_Howe", "Pacific/Auckland"],
)  # fmt: skip
def test_the_ics_holds_the_same_instants_in_the_prospects_zone(page, frozen, zone):
    call = book_call(page, tz=zone).appointment
    ics = letters.invitation(call, method="REQUEST", for_prospect=True, now=timezone.now())
    found = invite(Calendar.from_ical(ics))
    assert (found["tzid"], found["start"], found["end"]) == (
        zone,
        CALL,
        CALL + timedelta(minutes=30),
    )


def test_a_booking_mails_the_prospect_a_confirmation_and_the_user_the_news(
    page, smtp, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call = book_call(page, phone="+91 98765 43210").appointment

    (confirmation,) = smtp.to(PROSPECT)
    text, html, calendar = read(confirmation)
    assert (subject(confirmation), confirmation["Reply-To"]) == (
        f"Booked: your call with Dana Reyes, {WHEN_PROSPECT}",
        USER,
    )
    assert f"    {WHEN_PROSPECT}\n    (for Dana Reyes: {WHEN_USER})\n" in text
    assert f"<strong>{WHEN_PROSPECT}</strong><br>(for Dana Reyes: {WHEN_USER})" in html
    token = manage_token(text)
    assert (managelinks.appointment_for(token), manage_token(html)) == (call, token)
    assert invite(calendar) == {
        "method": "REQUEST",
        "uid": f"appointment-{call.pk}@mainthing",
        "sequence": 0,
        "status": "CONFIRMED",
        "start": CALL,
        "end": CALL + timedelta(minutes=30),
        "tzid": "Asia/Kolkata",
        "organizer": (f"mailto:{USER}", "Dana Reyes"),
        "attendees": [f"mailto:{PROSPECT}"],
    }
    assert calendar.events[0].start.tzinfo.key == "Asia/Kolkata"

    (news,) = smtp.to(USER)
    text, html, calendar = read(news)
    card = f"{settings.BASE_URL}/prospects/{call.prospect_id}/"
    assert (subject(news), news["Reply-To"]) == (f"New booking: Priya Shah, {WHEN_USER}", PROSPECT)
    assert f"Priya Shah's card: {card}" in text
    assert f'<a href="{card}">' in html
    assert f"{settings.BASE_URL}/calendar/appointments/{call.pk}/" in text
    assert "Phone: +919876543210" in text
    assert (invite(calendar)["tzid"], invite(calendar)["sequence"]) == ("America/New_York", 0)

    # Sent, so the bodies (a manage link among them) are gone from the database.
    assert list(Mail.objects.values_list("kind", "to", "state", "attempts", "text", "ics")) == [
        ("booked", PROSPECT, "sent", 1, "", ""),
        ("booked_user", USER, "sent", 1, "", ""),
    ]


def test_a_move_mails_both_sides_a_request_with_the_next_sequence(
    page, smtp, frozen, django_capture_on_commit_callbacks
):
    booked = book_call(page)
    with django_capture_on_commit_callbacks(execute=True):
        public.reschedule(
            booked.appointment, start=CALL + timedelta(minutes=30), now=timezone.now()
        )

    new_when = f"Tuesday 10 March, 21:00{DASH}21:30 IST (Asia/Kolkata)"
    (prospect_mail,) = smtp.to(PROSPECT)  # the confirmation was waiting: the move replaced it
    (user_mail,) = smtp.to(USER)
    text, _, calendar = read(prospect_mail)
    assert subject(prospect_mail) == f"Moved: your call with Dana Reyes is now {new_when}"
    assert f"It was: {WHEN_PROSPECT}" in text
    token = manage_token(text)
    assert token != booked.token
    assert managelinks.appointment_for(token) == booked.appointment
    assert {k: invite(calendar)[k] for k in ("method", "sequence", "start", "status")} == {
        "method": "REQUEST",
        "sequence": 1,
        "start": CALL + timedelta(minutes=30),
        "status": "CONFIRMED",
    }
    text, _, calendar = read(user_mail)
    assert subject(user_mail) == (
        "Moved: call with Priya Shah is now "
        f"Tuesday 10 March, 11:30{DASH}12:00 EDT (America/New_York)"
    )
    assert text.startswith("Priya Shah moved their call with you.")
    assert (invite(calendar)["method"], invite(calendar)["sequence"]) == ("REQUEST", 1)


def test_a_cancel_mails_both_sides_a_cancel(page, smtp, frozen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booked = book_call(page)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(booked.appointment, now=timezone.now(), by=Change.By.USER)

    assert smtp.subjects(PROSPECT) == [
        f"Booked: your call with Dana Reyes, {WHEN_PROSPECT}",
        f"Cancelled: your call with Dana Reyes, {WHEN_PROSPECT}",
    ]
    text, _, calendar = read(smtp.to(PROSPECT)[1])
    assert "Dana Reyes cancelled your call:" in text
    assert f"To book another time: {settings.BASE_URL}/book/{page.slug}/" in text
    assert {k: invite(calendar)[k] for k in ("method", "sequence", "status", "uid")} == {
        "method": "CANCEL",
        "sequence": 1,
        "status": "CANCELLED",
        "uid": f"appointment-{booked.appointment.pk}@mainthing",
    }
    _, _, calendar = read(smtp.to(USER)[1])
    assert (invite(calendar)["method"], invite(calendar)["status"]) == ("CANCEL", "CANCELLED")


def test_a_call_booked_by_hand_mails_nobody(page, smtp, frozen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call = services.book(page.user, prospect_name="Walk-in", start=CALL, now=timezone.now())
        services.move(call, start=CALL + timedelta(minutes=30), now=timezone.now())
        services.cancel(call, now=timezone.now())
    assert (smtp.messages, Mail.objects.count(), call.reminders.count()) == ([], 0, 0)


def test_a_call_back_request_tells_the_user_who_and_how(
    page, smtp, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = public.request_callback(
            page, name="Sam Oduya", email="sam@example.com", phone="", tz="Europe/London",
            src="", now=timezone.now(),
        )  # fmt: skip
    (mail,) = smtp.messages
    text, html, calendar = read(mail)
    assert (mail["To"], subject(mail), calendar) == (
        USER,
        "Call back: Sam Oduya found no free time on your booking page",
        None,
    )
    assert "Email: sam@example.com\nPhone: -\nSource: Unknown\n" in text
    assert f"{settings.BASE_URL}/prospects/{request.prospect_id}/" in html


def test_a_mail_server_that_is_down_keeps_the_booking_and_delivers_once_back_up(
    page, smtp, frozen, django_capture_on_commit_callbacks
):
    smtp.stop()
    with django_capture_on_commit_callbacks(execute=True):
        booked = book_call(page)

    assert Appointment.objects.filter(pk=booked.appointment.pk, status="scheduled").exists()
    pending = mails.pending_for(booked.appointment)
    assert [(m.kind, m.state, m.attempts, m.next_attempt_at) for m in pending] == [
        ("booked", "pending", 1, NOW + timedelta(minutes=1)),
        ("booked_user", "pending", 1, NOW + timedelta(minutes=1)),
    ]
    assert all(m.last_error.startswith("ConnectionRefusedError: ") for m in pending)

    frozen.shift(timedelta(seconds=30))
    assert tasks.sweep(timezone.now()) == {}  # not due again yet
    smtp.start()
    frozen.shift(timedelta(seconds=31))
    assert tasks.sweep(timezone.now()) == {"sent": 2}
    assert tasks.sweep(timezone.now()) == {}
    assert (sorted(m["To"] for m in smtp.messages), mails.pending_for(booked.appointment)) == (
        sorted([PROSPECT, USER]),
        [],
    )
    assert managelinks.appointment_for(manage_token(read(smtp.to(PROSPECT)[0])[0])) == (
        booked.appointment
    )


def test_retries_back_off_to_an_hour_and_give_up_after_a_day(page, smtp, frozen):
    page.reminders = ""
    page.save()
    smtp.stop()
    book_call(page)  # no commit in this test: the sweep is the only sender
    waits: dict[str, list[int]] = {}
    while due := Mail.objects.filter(state="pending").order_by("next_attempt_at", "pk").first():
        frozen.move_to(max(due.next_attempt_at, timezone.now()))
        tasks.sweep(timezone.now())
        due.refresh_from_db()
        if due.state == "pending":
            minutes = (due.next_attempt_at - timezone.now()).total_seconds() / 60
            waits.setdefault(due.kind, []).append(round(minutes))
    assert {kind: found[:9] for kind, found in waits.items()} == {
        "booked": [1, 2, 4, 8, 16, 32, 60, 60, 60],
        "booked_user": [1, 2, 4, 8, 16, 32, 60, 60, 60],
    }
    failed = Mail.objects.get(kind="booked")
    assert (failed.state, failed.attempts, failed.last_error[:22], failed.text != "") == (
        "failed",
        len(waits["booked"]) + 1,
        "ConnectionRefusedError",
        True,
    )
    assert timedelta(hours=24) <= timezone.now() - failed.created_at < timedelta(hours=25)
    assert [m.state for m in mails.pending_for(failed.appointment)] == ["failed", "failed"]


def test_a_mail_left_sending_by_a_dead_worker_is_sent_after_ten_minutes(page, smtp, frozen):
    book_call(page)
    mail = Mail.objects.get(kind="booked")
    # A worker claimed it, then died before sending.
    Mail.objects.filter(pk=mail.pk).update(
        state="sending", attempts=1, next_attempt_at=timezone.now() + mails.STUCK
    )
    assert tasks.sweep(timezone.now()) == {"sent": 1}  # the other mail, never claimed
    frozen.shift(timedelta(minutes=9))
    assert (tasks.deliver_mail.call(mail.pk), tasks.sweep(timezone.now())) == ("skipped", {})
    frozen.shift(timedelta(minutes=2))
    assert tasks.sweep(timezone.now()) == {"sent": 1}
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, smtp.subjects(PROSPECT)) == (
        "sent",
        2,
        [f"Booked: your call with Dana Reyes, {WHEN_PROSPECT}"],
    )


def test_an_address_the_server_refuses_for_good_fails_at_once(page, smtp, frozen):
    smtp.refuse.add(PROSPECT)
    book_call(page)
    assert tasks.sweep(timezone.now()) == {"failed": 1, "sent": 1}
    mail = Mail.objects.get(kind="booked")
    assert (mail.state, mail.attempts, mail.last_error) == (
        "failed",
        1,
        "SMTPRecipientsRefused: {'priya@example.com': (550, b'5.1.1 No such mailbox')}",
    )


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_markup_in_name_note_and_intro_is_text_in_mails_and_in_the_ics(
    page, smtp, frozen, django_capture_on_commit_callbacks
):
    page.intro = f"Intro {PAYLOAD}"
    page.save()
    with django_capture_on_commit_callbacks(execute=True):
        call = book_call(
            page, name=f"Eve {PAYLOAD}", note=f"Note {PAYLOAD}\r\nATTENDEE:mailto:x@evil.test"
        ).appointment

    for message in smtp.messages:
        text, html, calendar = read(message)
        assert ("<script>" in html, "<img" in html) == (False, False)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert PAYLOAD in text  # plain text is shown as typed
        event = calendar.events[0]
        assert [str(a) for a in attendees(event)] == [f"mailto:{PROSPECT}"]
        assert str(event["DESCRIPTION"]).startswith(f"Note {PAYLOAD}\nATTENDEE:mailto:x@evil.test")
    assert "Intro &lt;script&gt;" in read(smtp.to(PROSPECT)[0])[1]
    _, _, calendar = read(smtp.to(USER)[0])
    assert str(calendar.events[0]["SUMMARY"]) == f"Call with Eve {PAYLOAD}"
    assert str(calendar.events[0]["ATTENDEE"].params["CN"]) == call.prospect_name
    assert subject(smtp.to(USER)[0]) == f"New booking: Eve {PAYLOAD}, {WHEN_USER}"


@pytest.mark.django_db(transaction=True)
def test_without_an_email_url_the_worker_writes_owner_only_files_in_the_data_dir(
    settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = UserFactory(email=USER, name="Dana Reyes", time_zone="America/New_York")
    round_the_clock(user)
    page = public.page_for(user)
    start = min(
        s for s, _ in public.offered_slots(
            page, start=timezone.now(), end=timezone.now() + timedelta(days=2), minutes=30,
            now=timezone.now(),
        )
    )  # fmt: skip
    book_call(page, start=start)  # its deliveries wait in the database queue

    env = {"MAINTHING_DATA_DIR": str(tmp_path), "MAINTHING_EMAIL_URL": ""}
    worker = processes.mainthing("worker", "--batch", env=env)
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err

    folder = tmp_path / "mail"
    files = sorted(folder.iterdir())
    written = "".join(path.read_text() for path in files)
    assert (folder.stat().st_mode & 0o777, [f.stat().st_mode & 0o777 for f in files]) == (
        0o700,
        [0o600] * len(files),
    )
    assert (f"To: {PROSPECT}" in written, f"To: {USER}" in written) == (True, True)
    assert 'Content-Type: text/calendar; charset="utf-8"; method="REQUEST"' in written
    assert set(Mail.objects.values_list("state", flat=True)) == {"sent"}
