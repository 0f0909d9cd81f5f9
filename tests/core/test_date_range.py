"""Dates at the calendar's edges: every date or time a person can type (form fields, `?week=`,
the CLI's arguments, imported and restored files) outside 1900-01-01..2200-12-31, or not a date
at all, gets a clear message and writes nothing; never a 500 (an OverflowError converting
0001-01-01 east of UTC or 9999-12-31 west of it)."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from mainthing.activity.models import Activity
from mainthing.bookings.models import Appointment
from mainthing.core import timekit
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import Income, Prospect, Spend
from mainthing.routine.models import Block, BlockException
from tests.factories import AppointmentFactory, UserFactory, block, category, entry, new_prospect

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")

EDGES = [
    "9999-12-31 23:59",
    "9999-12-31T23:59-12:00",
    "9999-12-31",
    "0001-01-01",
    "0001-01-01 00:00",
    "0001-01-01T00:00+14:00",
    "1899-12-31",
    "2201-01-01",
    "10000-01-01",
    "-1",
    "2026-13-45",
    "garbage",
]
# The easternmost and westernmost zones: 0001-01-01 00:00 in the first, 9999-12-31 23:59 in
# the second, lie outside what datetime holds once converted to UTC.
ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago"]

# What the user reads instead of a 500: the range, or what a date looks like.
CLEAR = (
    "outside the dates Mainthing handles",
    "Enter a valid date",
    "Enter a date and time like",
    "is not a date like",
    "Select a valid choice",
    "Give the date",
)


def everything(user) -> dict:
    """What the sweep must leave as it found it."""
    return {
        "entries": list(Activity.objects.values_list("pk", "start", "end")),
        "calls": list(Appointment.objects.values_list("pk", "start", "end", "status")),
        "blocks": list(Block.objects.values_list("pk", "valid_from", "valid_until")),
        "exceptions": BlockException.objects.count(),
        "prospects": list(Prospect.objects.values_list("pk", "follow_up_on", "stage")),
        "income": Income.objects.count(),
        "spend": Spend.objects.count(),
    }


def date_fields(user, value: str) -> list[tuple[str, dict]]:
    """(url, form data) for every form field that takes a date or a time, holding `value`."""
    ann = new_prospect(user, "Ann Lee", at=NOW)
    call = AppointmentFactory(user=user, prospect=ann)
    done = entry(user, "Prospect call", NOW, 30)
    calls = category(user, "Prospect call").pk
    source = prospect_services.add_source(
        user, category=category(user, "Forum posts"), campaign="Signature"
    )
    evenings = block(user, "19:00", "21:00")
    routine = {
        "tier": "income",
        "weekdays": [0],
        "start": "10:00",
        "end": "11:00",
        "time_zone": user.time_zone,
    }
    earlier = "2026-06-10 09:00"
    return [
        (reverse("activity:add-entry"), {"category": calls, "start": value, "end": earlier}),
        (reverse("activity:add-entry"), {"category": calls, "start": earlier, "end": value}),
        (
            reverse("activity:edit-entry", args=[done.pk]),
            {"category": calls, "start": value, "end": earlier},
        ),
        (
            reverse("activity:edit-entry", args=[done.pk]),
            {"category": calls, "start": earlier, "end": value},
        ),
        (reverse("bookings:book"), {"prospect_name": "Bob", "start": value, "minutes": 30}),
        (reverse("bookings:move", args=[call.pk]), {"start": value, "minutes": 30}),
        (
            reverse("bookings:complete", args=[call.pk]),
            {"start": value, "minutes": 30, "category": calls},
        ),
        (
            reverse("bookings:outcome", args=[ann.pk]),
            {"stage": "contacted", "next_step": "date", "follow_up_on": value},
        ),
        (
            reverse("bookings:outcome", args=[ann.pk]),
            {"stage": "contacted", "next_step": f"slot:{value.replace(' ', 'T')}+00:00"},
        ),
        (reverse("routine:edit"), {**routine, "valid_from": value}),
        (reverse("routine:edit"), {**routine, "on_date": value}),
        (reverse("routine:edit-block", args=[evenings.pk]), {**routine, "valid_from": value}),
        (reverse("routine:edit"), {**routine, "valid_until": value}),
        (reverse("routine:add-exception", args=[evenings.pk]), {"date": value, "skip": "on"}),
        (reverse("prospects:add"), {"name": "Cy", "stage": "new", "follow_up_on": value}),
        (reverse("prospects:follow-up", args=[ann.pk]), {"on": value}),
        (reverse("income:add"), {"date": value, "amount": "5", "kind": "other"}),
        (reverse("prospects:add-spend", args=[source.pk]), {"date": value, "amount": "5"}),
    ]


def what_the_user_reads(response) -> str:
    flashed = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return flashed if response.status_code == 302 else response.content.decode() + flashed


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("value", EDGES)
def test_every_date_field_refuses_a_date_out_of_range_and_writes_nothing(db, zone, value):
    user = UserFactory(time_zone=zone)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for url, data in date_fields(user, value):
        before = everything(user)

        response = client.post(url, data)

        said = what_the_user_reads(response)
        assert response.status_code < 500, (url, data)
        assert any(phrase in said for phrase in CLEAR), (url, data, said[-2000:])
        assert everything(user) == before, (url, data)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("value", EDGES)
@pytest.mark.parametrize(
    ("page", "param"),
    [("bookings:calendar", "week"), ("bookings:calendar", "day"), ("activity:log", "week")],
)
def test_a_week_out_of_range_shows_this_week_and_says_why(db, zone, value, page, param):
    user = UserFactory(time_zone=zone)
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.get(reverse(page), {param: value})

    today = timekit.local_date(NOW, timekit.zone(zone))
    shown = response.context["week"].first if "week" in response.context else None
    shown = shown or response.context["first"]
    flashed = [str(m) for m in get_messages(response.wsgi_request)]
    assert (response.status_code, shown, len(flashed)) == (200, timekit.week_start(today), 1)
    assert flashed[0].endswith(f"Showing {today:%d %b %Y} instead.")
    assert any(phrase in flashed[0] for phrase in CLEAR)


def test_a_week_at_the_last_day_handled_shows_that_week(owner_client):
    response = owner_client.get(reverse("bookings:calendar"), {"week": "2200-12-31"})

    assert (response.status_code, response.context["week"].first) == (200, date(2200, 12, 29))


@pytest.mark.parametrize("year", ["1899", "2201", "9999", "0001"])
def test_income_for_a_year_out_of_range_shows_this_year(owner_client, year):
    response = owner_client.get(reverse("income:list"), {"year": year})

    assert (response.status_code, response.context["income"].year) == (200, 2026)


@pytest.mark.parametrize(
    "text", ["9999-12-31 23:59", "0001-01-01T00:00+14:00", "0001-01-01 00:00", "2201-01-01 10:00"]
)
def test_parse_local_datetime_refuses_a_time_out_of_range(text):
    with pytest.raises(ValueError, match="outside the dates Mainthing handles"):
        timekit.parse_local_datetime(text, timekit.zone("Pacific/Kiritimati"), now=NOW)


def test_check_day_takes_the_first_and_last_days_handled():
    assert (timekit.check_day(date(1900, 1, 1)), timekit.check_day(date(2200, 12, 31))) == (
        date(1900, 1, 1),
        date(2200, 12, 31),
    )


# --- the CLI, imported and restored files ---------------------------------------------------------


# `log` and `book` say it as any time they can't read (status 1); date options are usage errors.
@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["log", "Prospect call", "30m", "--at", "9999-12-31 23:59"], 1),
        (["log", "Prospect call", "30m", "--at", "0001-01-01T00:00+14:00"], 1),
        (["book", "Ann Lee", "9999-12-31 23:59"], 1),
        (["book", "Ann Lee", "0001-01-01 00:00"], 1),
        (["prospects", "add", "Cy", "--follow-up", "9999-12-31"], 2),
        (["income", "add", "5", "--date", "0001-01-01"], 2),
        (["report", "--from", "0001-01-01", "--to", "9999-12-31"], 2),
    ],
)
def test_the_cli_refuses_a_date_out_of_range_and_writes_nothing(db, capsys, argv, status):
    from tests.cli.conftest import run

    user = UserFactory(time_zone="Pacific/Pago_Pago")
    before = everything(user)

    code, _, err = run(capsys, *argv)

    assert (code, "outside the dates Mainthing handles" in err) == (status, True)
    assert everything(user) == before


@pytest.mark.parametrize(
    "row",
    [
        "0001-01-01T00:00:00+14:00,0001-01-01T00:30:00+14:00,Calls,income,",
        "9999-12-31T23:00:00-12:00,9999-12-31T23:30:00-12:00,Calls,income,",
    ],
)
def test_an_imported_entry_out_of_range_is_a_row_error(owner, tmp_path, row):
    from mainthing.activity import importing

    path = tmp_path / "entries.csv"
    path.write_text(f"start,end,category,tier,note\n{row}\n")

    validation = importing.validate_file(owner, path, "csv", now=NOW)

    assert (validation.ok, len(validation.errors)) == (False, 1)
    assert "outside the dates Mainthing handles" in validation.errors[0]["message"]


def test_an_imported_follow_up_out_of_range_is_refused():
    from mainthing.prospects import leadrows

    with pytest.raises(leadrows.BadValue, match="outside the dates Mainthing handles"):
        leadrows.parse_follow_up("9999-12-31")


@pytest.mark.parametrize(
    ("check", "value"),
    [("_parse_day", "0001-01-01"), ("_parse_instant", "0001-01-01T00:00:00+14:00")],
)
def test_a_restored_date_out_of_range_is_refused(check, value):
    from django.core.exceptions import ValidationError

    from mainthing.portability import checks

    with pytest.raises(ValidationError, match="outside the dates Mainthing handles"):
        getattr(checks, check)(value, "prospect 1: follow_up_on")
