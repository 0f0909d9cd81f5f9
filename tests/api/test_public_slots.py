"""GET /api/v1/public/<slug>/slots: the page's free times as JSON, in the visitor's zone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from mainthing.bookings import abuse, public
from mainthing.bookings.models import Status
from tests.api.conftest import slots_url
from tests.factories import AppointmentFactory

# A Monday 08:00 in London; the owner's block is 19:00-21:00 London every day.
NOW = datetime(2026, 6, 8, 7, 0, tzinfo=UTC)


def test_slots_are_the_pages_offered_times_with_the_visitors_offset(page, anon_client, frozen):
    response = anon_client.get(
        slots_url("ann-lee", tz="Asia/Kolkata", **{"from": "2026-06-09", "to": "2026-06-09"})
    )

    # 19:00-21:00 London (BST) is 23:30-01:30 in Kolkata: the visitor's 9 June holds the
    # first three calls of the London 8th's block and the first of the 9th's.
    assert (response.status_code, response.json()) == (
        200,
        {
            "tz": "Asia/Kolkata",
            "slots": [
                {"start": "2026-06-09T00:00:00+05:30", "end": "2026-06-09T00:30:00+05:30"},
                {"start": "2026-06-09T00:30:00+05:30", "end": "2026-06-09T01:00:00+05:30"},
                {"start": "2026-06-09T01:00:00+05:30", "end": "2026-06-09T01:30:00+05:30"},
                {"start": "2026-06-09T23:30:00+05:30", "end": "2026-06-10T00:00:00+05:30"},
            ],
        },
    )


def test_slots_default_to_today_until_the_horizon(page, anon_client, frozen):
    response = anon_client.get(slots_url("ann-lee", tz="Europe/London"))

    starts = [slot["start"] for slot in response.json()["slots"]]
    # Today and the 14 days after it, four calls each evening.
    assert (response.status_code, len(starts), starts[0], starts[-1]) == (
        200,
        15 * 4,
        "2026-06-08T19:00:00+01:00",
        "2026-06-22T20:30:00+01:00",
    )


def test_slots_are_the_same_rule_as_the_booking_page(page, anon_client, frozen):
    AppointmentFactory(
        user=page.user,
        start=datetime(2026, 6, 9, 18, 0, tzinfo=UTC),
        end=datetime(2026, 6, 9, 18, 30, tzinfo=UTC),
    )
    response = anon_client.get(slots_url("ann-lee", tz="UTC"))

    offered = public.offered_slots(
        page, start=NOW, end=public.horizon_end(page, NOW), minutes=30, now=NOW
    )
    assert [s["start"] for s in response.json()["slots"]] == [
        start.isoformat() for start, _ in offered
    ]
    assert "2026-06-09T18:00:00+00:00" not in [s["start"] for s in response.json()["slots"]]


def test_a_range_past_the_horizon_is_cut_to_it(page, anon_client, frozen):
    response = anon_client.get(
        slots_url("ann-lee", tz="Europe/London", **{"from": "2026-06-22", "to": "2027-06-22"})
    )

    assert [s["start"][:10] for s in response.json()["slots"]] == ["2026-06-22"] * 4


def test_far_off_and_ancient_dates_answer_no_slots(page, anon_client, frozen):
    far = anon_client.get(
        slots_url("ann-lee", tz="Pacific/Kiritimati", **{"from": "9999-12-30", "to": "9999-12-31"})
    )
    ancient = anon_client.get(
        slots_url("ann-lee", tz="Etc/GMT+12", **{"from": "0001-01-01", "to": "0001-01-02"})
    )

    assert (far.status_code, far.json()["slots"]) == (200, [])
    assert (ancient.status_code, ancient.json()["slots"]) == (200, [])


def test_minutes_picks_one_of_the_pages_lengths(page, anon_client, frozen):
    page.lengths = "30,60"
    page.save()

    response = anon_client.get(
        slots_url(
            "ann-lee", tz="Europe/London", minutes=60, **{"from": "2026-06-09", "to": "2026-06-09"}
        )
    )

    assert response.json()["slots"] == [
        {"start": "2026-06-09T19:00:00+01:00", "end": "2026-06-09T20:00:00+01:00"},
        {"start": "2026-06-09T19:30:00+01:00", "end": "2026-06-09T20:30:00+01:00"},
        {"start": "2026-06-09T20:00:00+01:00", "end": "2026-06-09T21:00:00+01:00"},
    ]


def test_unknown_slug_is_a_json_404(db, anon_client):
    response = anon_client.get(slots_url("nobody-here", tz="UTC"))

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "No booking page at this address."},
    )


@pytest.mark.parametrize(
    ("slug", "detail"),
    [
        ("%00", "No booking page at this address."),
        ("ann%20lee", "No booking page at this address."),
        ("x" * 300, "No booking page at this address."),
        ("..%2Fetc", "Not found."),  # a slash: no endpoint's address at all
    ],
)
def test_an_address_no_slug_can_have_is_a_json_404(page, anon_client, slug, detail):
    response = anon_client.get(f"/api/v1/public/{slug}/slots?tz=UTC")

    assert (response.status_code, response.json()) == (404, {"detail": detail})


def test_a_switched_off_page_is_a_json_404(page, anon_client, frozen):
    page.enabled = False
    page.save()

    response = anon_client.get(slots_url("ann-lee", tz="UTC"))

    assert (response.status_code, response.json()) == (
        404,
        {"detail": f"{page.user.display_name} is not taking bookings here right now."},
    )


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            {"tz": "Mars/Olympus"},
            {"tz": ["Unknown time zone 'Mars/Olympus'; use an IANA name like Europe/London."]},
        ),
        ({}, {"tz": ["This field is required."]}),
        (
            {"tz": "UTC", "from": "tomorrow", "to": "2026-13-01"},
            {"from": ["Give a date like 2026-06-11."], "to": ["Give a date like 2026-06-11."]},
        ),
        (
            {"tz": "UTC", "from": "2026-06-10", "to": "2026-06-09"},
            {"to": ["The last day comes before the first."]},
        ),
        ({"tz": "UTC", "minutes": "45"}, {"minutes": ["Calls here last 30 minutes."]}),
        ({"tz": "UTC", "minutes": "half an hour"}, {"minutes": ["Give a whole number."]}),
        ({"tz": "UTC", "minutes": "0"}, {"minutes": ["Give a number greater than or equal to 1."]}),
        ({"tz": "x" * 65}, {"tz": ["Keep this to 64 characters."]}),
        ({"tz": "UTC\x00"}, {"tz": ["Null characters are not allowed."]}),
        (
            {"tz": "../../etc/passwd"},
            {"tz": ["Unknown time zone '../../etc/passwd'; use an IANA name like Europe/London."]},
        ),
    ],
)
def test_bad_query_is_a_422_with_reasons_per_field(page, anon_client, frozen, query, errors):
    response = anon_client.get(slots_url("ann-lee", **query))

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "Some fields need another look.", "errors": errors},
    )


def test_too_many_reads_from_one_address_is_a_429_with_retry_after(page, frozen):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(abuse.READS_PER_IP.capacity):
        assert client.get(slots_url("ann-lee", tz="UTC")).status_code == 200

    response = client.get(slots_url("ann-lee", tz="UTC"))

    # One read comes back every 60/120 s: a second's wait, rounded up.
    assert (response.status_code, response["Retry-After"], response.json()) == (
        429,
        "1",
        {"detail": "Too many requests. Please try again in a minute.", "retry_after": 1},
    )
    other = Client(REMOTE_ADDR="203.0.113.10").get(slots_url("ann-lee", tz="UTC"))
    assert other.status_code == 200


def test_slots_may_be_read_from_any_origin(page, anon_client, frozen):
    response = anon_client.get(
        slots_url("ann-lee", tz="UTC"), headers={"Origin": "https://landing.example"}
    )
    preflight = anon_client.options(
        slots_url("ann-lee"),
        headers={"Origin": "https://landing.example", "Access-Control-Request-Method": "GET"},
    )

    assert (response.status_code, response["Access-Control-Allow-Origin"]) == (200, "*")
    assert (
        preflight.status_code,
        preflight["Access-Control-Allow-Origin"],
        preflight["Access-Control-Allow-Methods"],
        "Access-Control-Allow-Credentials" in preflight,
    ) == (204, "*", "GET, OPTIONS", False)


def test_slots_leave_out_cancelled_calls_and_keep_booked_ones_out(page, anon_client, frozen):
    start = datetime(2026, 6, 8, 18, 0, tzinfo=UTC)
    AppointmentFactory(user=page.user, start=start, end=start + timedelta(minutes=30))
    cancelled = start + timedelta(minutes=30)
    AppointmentFactory(
        user=page.user,
        start=cancelled,
        end=cancelled + timedelta(minutes=30),
        status=Status.CANCELLED,
    )

    response = anon_client.get(
        slots_url("ann-lee", tz="UTC", **{"from": "2026-06-08", "to": "2026-06-08"})
    )

    assert [s["start"] for s in response.json()["slots"]] == [
        "2026-06-08T18:30:00+00:00",
        "2026-06-08T19:00:00+00:00",
        "2026-06-08T19:30:00+00:00",
    ]


def test_slots_query_count_does_not_grow_with_the_calendar(
    page, anon_client, frozen, settings, queries_do_not_grow
):
    settings.RATE_LIMITS = False  # its bucket is a query or two of its own, once per request

    def fetch():
        return anon_client.get(slots_url("ann-lee", tz="UTC")).json()["slots"]

    def add_calls():
        for day in range(1, 10):
            start = datetime(2026, 6, 8 + day, 18, 0, tzinfo=UTC)
            AppointmentFactory(user=page.user, start=start, end=start + timedelta(minutes=30))

    counts = queries_do_not_grow(fetch, add_calls)

    assert (counts.many, len(counts.first) - len(counts.last)) == (4, 9)
