"""POST /api/v1/public/<slug>/bookings: booking a free time as JSON, every answer it gives."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from django.test import Client

from mainthing.bookings import abuse, managelinks
from mainthing.bookings.models import Appointment, MadeVia, PhoneQuestion
from mainthing.prospects.models import Prospect
from tests.api.conftest import bookings_url, post_json
from tests.factories import AppointmentFactory, LeadSourceFactory, ProspectFactory, category

# A Monday 08:00 in London; the owner's block is 19:00-21:00 London every day.
NOW = datetime(2026, 6, 8, 7, 0, tzinfo=UTC)
TUE_19 = datetime(2026, 6, 9, 18, 0, tzinfo=UTC)  # 19:00 BST, 23:30 in Kolkata


def body(**fields) -> dict:
    return {
        "start": "2026-06-09T23:30:00+05:30",
        "minutes": 30,
        "name": "Priya Shah",
        "email": "priya@example.com",
        "tz": "Asia/Kolkata",
        **fields,
    }


def test_booking_answers_201_with_the_booking_in_the_visitors_zone(page, anon_client, frozen):
    response = post_json(anon_client, bookings_url("ann-lee"), body(phone="+91 98765 43210"))

    made = Appointment.objects.get()
    answer = response.json()
    assert (response.status_code, {k: v for k, v in answer.items() if k != "manage_url"}) == (
        201,
        {
            "id": made.pk,
            "start": "2026-06-09T23:30:00+05:30",
            "end": "2026-06-10T00:00:00+05:30",
            "minutes": 30,
            "status": "scheduled",
            "tz": "Asia/Kolkata",
        },
    )
    assert (made.start, made.made_via, made.prospect_time_zone, made.prospect.email) == (
        TUE_19,
        MadeVia.API,
        "Asia/Kolkata",
        "priya@example.com",
    )
    assert made.prospect.phone == "+919876543210"  # read in the country of the visitor's zone


def test_the_manage_url_opens_the_prospects_page_of_that_booking(page, anon_client, frozen):
    response = post_json(anon_client, bookings_url("ann-lee"), body())

    manage_url = urlparse(response.json()["manage_url"])
    token = manage_url.path.split("/")[2]
    assert (f"{manage_url.scheme}://{manage_url.netloc}", manage_url.path) == (
        "http://127.0.0.1:8000",
        f"/booking/{token}/",
    )
    assert managelinks.appointment_for(token) == Appointment.objects.get()
    manage_page = anon_client.get(manage_url.path)
    assert (manage_page.status_code, "Tuesday 9 June 2026, 23:30" in manage_page.text) == (
        200,
        True,
    )


def test_booking_lands_on_the_prospect_the_email_belongs_to_with_the_links_source(
    page, anon_client, frozen
):
    known = ProspectFactory(user=page.user, name="Priya S.", email="PRIYA@example.com")
    forum = LeadSourceFactory(
        user=page.user, category=category(page.user, "Forum posts"), key="forum"
    )

    response = post_json(
        anon_client, bookings_url("ann-lee"), body(src="forum", note="About the plan")
    )

    made = Appointment.objects.get()
    assert (response.status_code, made.prospect_id, made.source_id, made.note) == (
        201,
        known.pk,
        forum.pk,
        "About the plan",
    )
    assert Prospect.objects.filter(user=page.user).count() == 1


def test_a_replayed_idempotency_key_answers_200_with_the_same_booking(page, anon_client, frozen):
    first = post_json(anon_client, bookings_url("ann-lee"), body(idempotency_key="form-7f3a"))
    again = post_json(
        anon_client,
        bookings_url("ann-lee"),
        body(idempotency_key="form-7f3a", start="2026-06-10T23:30:00+05:30"),
    )

    def without_link(answer):
        return {k: v for k, v in answer.json().items() if k != "manage_url"}

    assert (first.status_code, again.status_code) == (201, 200)
    assert without_link(again) == without_link(first)
    assert Appointment.objects.count() == 1
    link = urlparse(again.json()["manage_url"]).path.split("/")[2]
    assert managelinks.appointment_for(link) == Appointment.objects.get()


def test_a_taken_time_is_a_409_with_the_times_still_free(page, anon_client, frozen):
    AppointmentFactory(user=page.user, start=TUE_19, end=TUE_19 + timedelta(minutes=30))

    response = post_json(anon_client, bookings_url("ann-lee"), body())

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "That time was just taken.",
            "slots": [
                {
                    "start": f"2026-06-{day}T{hh}:{mm}:00+05:30",
                    "end": f"2026-06-{end_day}T{eh}:{em}:00+05:30",
                }
                for day, hh, mm, end_day, eh, em in [
                    ("10", "00", "00", "10", "00", "30"),
                    ("10", "00", "30", "10", "01", "00"),
                    ("10", "01", "00", "10", "01", "30"),
                    ("10", "23", "30", "11", "00", "00"),
                    ("11", "00", "00", "11", "00", "30"),
                    ("11", "00", "30", "11", "01", "00"),
                ]
            ],
        },
    )
    assert Appointment.objects.count() == 1


def test_a_time_the_page_never_offered_is_a_409(page, anon_client, frozen):
    response = post_json(
        anon_client, bookings_url("ann-lee"), body(start="2026-06-09T12:00:00+00:00", tz="UTC")
    )

    assert (response.status_code, response.json()["detail"], Appointment.objects.count()) == (
        409,
        "That time was just taken.",
        0,
    )


def test_a_page_at_its_daily_cap_is_a_409_saying_so(page, anon_client, frozen):
    page.daily_cap = 1
    page.save()
    assert post_json(anon_client, bookings_url("ann-lee"), body()).status_code == 201

    response = post_json(
        anon_client,
        bookings_url("ann-lee"),
        body(start="2026-06-10T23:30:00+05:30", email="ravi@example.com"),
    )

    assert (response.status_code, response.json(), Appointment.objects.count()) == (
        409,
        {
            "detail": f"{page.user.display_name} can't take more bookings today; "
            "please try tomorrow.",
            "slots": [],
        },
        1,
    )


def test_unknown_and_switched_off_pages_are_404(page, anon_client, frozen):
    missing = post_json(anon_client, bookings_url("nobody-here"), body())
    page.enabled = False
    page.save()
    closed = post_json(anon_client, bookings_url("ann-lee"), body())

    assert [(r.status_code, r.json()["detail"]) for r in (missing, closed)] == [
        (404, "No booking page at this address."),
        (404, f"{page.user.display_name} is not taking bookings here right now."),
    ]
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"email": "priya-at-example"}, {"email": ["“priya-at-example” is not an email address."]}),
        ({"minutes": 45}, {"minutes": ["Calls here last 30 minutes."]}),
        (
            {"tz": "Asia/Bombay City"},
            {"tz": ["Unknown time zone 'Asia/Bombay City'; use an IANA name like Europe/London."]},
        ),
        (
            {"name": " ", "email": ""},
            {
                "email": ["Give your email address, so the confirmation reaches you."],
                "name": ["Give the prospect a name."],
            },
        ),
    ],
)
def test_bad_fields_are_a_422_with_the_services_reasons(page, anon_client, frozen, fields, errors):
    response = post_json(anon_client, bookings_url("ann-lee"), body(**fields))

    assert (response.status_code, response.json(), Appointment.objects.count()) == (
        422,
        {"detail": "Some fields need another look.", "errors": errors},
        0,
    )


def test_a_required_phone_is_asked_for(page, anon_client, frozen):
    page.phone_question = PhoneQuestion.REQUIRED
    page.save()

    response = post_json(anon_client, bookings_url("ann-lee"), body())

    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"phone": ["Give a phone number to be called on."]},
    )


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        ('{"start": "2026-06-09T23:30', {"body": ["Send the request body as a JSON object."]}),
        ("", {"body": ["Send the request body as a JSON object."]}),
        ("[1, 2, 3]", {"body": ["Send the request body as a JSON object."]}),
        ('"a string"', {"body": ["Send the request body as a JSON object."]}),
        (b"\xff\xfe{not utf-8}", {"body": ["Send the request body as a JSON object."]}),
        ("[" * 100_000 + "]" * 100_000, {"body": ["Send the request body as a JSON object."]}),
        ('{"minutes": 1' + "0" * 5000 + "}", {"body": ["Send the request body as a JSON object."]}),
        (
            {"minutes": 30},
            {k: ["This field is required."] for k in ("start", "name", "email", "tz")},
        ),
        (
            body(start="2026-06-09T23:30:00"),
            {"start": ["Give the time with its UTC offset, like 2026-06-11T19:00:00+01:00."]},
        ),
        (body(start="next Tuesday"), {"start": ["Give a time like 2026-06-11T19:00:00+01:00."]}),
        (
            body(start=["2026-06-09T18:00:00Z"]),
            {"start": ["Give a time like 2026-06-11T19:00:00+01:00."]},
        ),
        (body(minutes="thirty"), {"minutes": ["Give a whole number."]}),
        (body(minutes=30.5), {"minutes": ["Give a whole number."]}),
        (body(minutes=10**30), {"minutes": ["Give a number less than or equal to 1440."]}),
        (
            body(name=42, email={"a": 1}),
            {"name": ["Give this as a JSON string."], "email": ["Give this as a JSON string."]},
        ),
        (body(name="x" * 100_000), {"name": ["Keep this to 120 characters."]}),
        (body(note="x" * 501), {"note": ["Keep this to 500 characters."]}),
        (body(idempotency_key="k" * 65), {"idempotency_key": ["Keep this to 64 characters."]}),
        (
            body(start="9999-12-31T23:59:59-12:00"),
            {"start": ["Pick one of the times the slots endpoint gives."]},
        ),
        (
            body(start="0001-01-01T00:00:00+14:00"),
            {"start": ["Pick one of the times the slots endpoint gives."]},
        ),
    ],
)
def test_a_body_that_is_not_a_booking_is_a_422_never_a_500(page, anon_client, frozen, sent, errors):
    response = post_json(anon_client, bookings_url("ann-lee"), sent)

    assert (response.status_code, response.json(), Appointment.objects.count()) == (
        422,
        {"detail": "Some fields need another look.", "errors": errors},
        0,
    )


@pytest.mark.parametrize("field", ["name", "note", "src", "idempotency_key", "tz"])
def test_a_null_character_in_any_text_is_a_422(page, anon_client, frozen, field):
    # PostgreSQL would refuse to store it: without this check, a 500 there.
    response = post_json(anon_client, bookings_url("ann-lee"), body(**{field: "Priya\x00"}))

    assert (response.status_code, response.json()["errors"], Appointment.objects.count()) == (
        422,
        {field: ["Null characters are not allowed."]},
        0,
    )


def test_a_body_too_big_to_read_is_a_422(page, anon_client, frozen, settings):
    huge = body(note="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))

    response = post_json(anon_client, bookings_url("ann-lee"), huge)

    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"body": ["The request body is too big."]},
    )


def test_too_many_attempts_from_one_address_are_a_429_with_retry_after(page, frozen):
    client = Client(REMOTE_ADDR="198.51.100.4")
    for n in range(abuse.BOOKING_PER_IP.capacity):
        # Bad or good, each attempt counts.
        post_json(client, bookings_url("ann-lee"), body(email=f"bad-{n}"))

    response = post_json(client, bookings_url("ann-lee"), body())

    # Ten attempts an hour: one comes back every six minutes.
    assert (response.status_code, response["Retry-After"], response.json()) == (
        429,
        "360",
        {"detail": "Too many booking attempts. Please try again in 6 minutes.", "retry_after": 360},
    )
    assert Appointment.objects.count() == 0
    other = post_json(Client(REMOTE_ADDR="198.51.100.5"), bookings_url("ann-lee"), body())
    assert other.status_code == 201


def test_a_malformed_body_counts_as_an_attempt_too(page, frozen):
    client = Client(REMOTE_ADDR="198.51.100.6")
    for _ in range(abuse.BOOKING_PER_IP.capacity):
        post_json(client, bookings_url("ann-lee"), "{not json")

    assert post_json(client, bookings_url("ann-lee"), body()).status_code == 429


def test_posting_needs_no_csrf_token_and_sets_no_cookie(page, frozen):
    client = Client(enforce_csrf_checks=True)

    response = post_json(client, bookings_url("ann-lee"), body())

    assert (response.status_code, dict(response.cookies)) == (201, {})


def test_landing_pages_on_other_origins_may_post(page, anon_client, frozen):
    origin = {"Origin": "https://landing.example"}
    preflight = anon_client.options(
        bookings_url("ann-lee"),
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    booked = post_json(anon_client, bookings_url("ann-lee"), body(), headers=origin)

    assert (
        preflight.status_code,
        preflight["Access-Control-Allow-Origin"],
        preflight["Access-Control-Allow-Methods"],
        preflight["Access-Control-Allow-Headers"],
    ) == (204, "*", "POST, OPTIONS", "Content-Type")
    assert (booked.status_code, booked["Access-Control-Allow-Origin"]) == (201, "*")
    # A 429's wait is readable by the landing page's script too.
    assert booked["Access-Control-Expose-Headers"] == "Retry-After"
