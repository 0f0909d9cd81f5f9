"""When the weekly review is due (`next_due`, hand-computed instants across DST in four
zones), and the settings' one writer: the schedule and the income goal, each refusing bad
input with a clear message and writing nothing."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from mainthing.core import timekit
from mainthing.insights import services
from mainthing.insights.models import InsightSettings
from tests.factories import InsightSettingsFactory, UserFactory, at

MON, SUN = 0, 6


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def due(weekday: int, hour: int, zone: str, after: datetime) -> datetime:
    return services.next_due(weekday, hour, timekit.zone(zone), after)


# --- next_due ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekday", "hour", "zone", "after", "expected"),
    [
        # New York springs forward on Sunday 8 March 2026 at 02:00 EST: 02:00 doesn't exist, the
        # review comes when the clocks jump (03:00 EDT = 07:00 UTC).
        (SUN, 2, "America/New_York", utc(2026, 3, 7), utc(2026, 3, 8, 7)),
        # Mondays 08:00 either side of it: EST (-5) then EDT (-4).
        (MON, 8, "America/New_York", utc(2026, 3, 1), utc(2026, 3, 2, 13)),
        (MON, 8, "America/New_York", utc(2026, 3, 3), utc(2026, 3, 9, 12)),
        # Falls back on Sunday 1 November at 02:00 EDT: 01:00 is shown twice, the first one
        # (EDT, 05:00 UTC) is the occurrence...
        (SUN, 1, "America/New_York", utc(2026, 10, 31), utc(2026, 11, 1, 5)),
        # ...and the second (EST, 06:00 UTC) is not: after the first, the next is a week on.
        (SUN, 1, "America/New_York", utc(2026, 11, 1, 5, 30), utc(2026, 11, 8, 6)),
        # London springs forward on Sunday 29 March at 01:00 GMT: 01:00 becomes 02:00 BST.
        (SUN, 1, "Europe/London", utc(2026, 3, 28), utc(2026, 3, 29, 1)),
        # Falls back on Sunday 25 October at 02:00 BST: the first 01:00 is BST, midnight UTC.
        (SUN, 1, "Europe/London", utc(2026, 10, 24), utc(2026, 10, 25, 0)),
        # A Monday 08:00 in summer (BST) and in winter (GMT).
        (MON, 8, "Europe/London", utc(2026, 6, 10), utc(2026, 6, 15, 7)),
        (MON, 8, "Europe/London", utc(2026, 12, 1), utc(2026, 12, 7, 8)),
        # Lord Howe moves by half an hour: on Sunday 4 October 02:00 (+10:30) becomes 02:30
        # (+11), so 02:00 is the jump itself, 15:30 UTC on the Saturday.
        (SUN, 2, "Australia/Lord_Howe", utc(2026, 10, 1), utc(2026, 10, 3, 15, 30)),
        # On Sunday 5 April 02:00 (+11) becomes 01:30 (+10:30): 01:30-02:00 is repeated, 01:00
        # is not (+11) and 02:00 comes once, after the change (+10:30).
        (SUN, 1, "Australia/Lord_Howe", utc(2026, 4, 1), utc(2026, 4, 4, 14)),
        (SUN, 2, "Australia/Lord_Howe", utc(2026, 4, 1), utc(2026, 4, 4, 15, 30)),
        # Kathmandu: +05:45 all year.
        (MON, 8, "Asia/Kathmandu", utc(2026, 6, 10), utc(2026, 6, 15, 2, 15)),
        (MON, 8, "Asia/Kathmandu", utc(2026, 12, 1), utc(2026, 12, 7, 2, 15)),
    ],
)
def test_next_due_is_the_weekday_and_hour_on_the_users_clock(weekday, hour, zone, after, expected):
    assert due(weekday, hour, zone, after) == expected


def test_next_due_at_the_very_instant_is_that_instant_and_a_moment_later_the_next_week():
    monday = utc(2026, 6, 15, 7)  # Monday 08:00 BST

    assert (
        due(MON, 8, "Europe/London", monday),
        due(MON, 8, "Europe/London", monday + timedelta(microseconds=1)),
    ) == (monday, utc(2026, 6, 22, 7))


def test_next_due_later_the_same_day_is_today():
    # Monday 15 June 2026, 07:00 in Kathmandu (01:15 UTC): 08:00 is still ahead.
    assert due(MON, 8, "Asia/Kathmandu", utc(2026, 6, 15, 1, 15)) == utc(2026, 6, 15, 2, 15)


def test_next_due_every_week_across_a_year_shows_the_hour_or_the_end_of_a_gap():
    for zone in ("America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu"):
        tz = timekit.zone(zone)
        instant = utc(2026, 1, 1)
        for _ in range(53):
            instant = services.next_due(SUN, 2, tz, instant + timedelta(microseconds=1))
            local = instant.astimezone(tz)
            on_the_hour = (local.hour, local.minute) == (2, 0)
            after_a_gap = timekit.wall_instants(local.replace(tzinfo=None, hour=2, minute=0), tz)
            assert (local.weekday(), on_the_hour or after_a_gap == []) == (SUN, True), local


# --- the schedule --------------------------------------------------------------------------------


NOW = at("2026-06-10 15:00", "Europe/London")  # a Wednesday


@pytest.fixture
def ann(db):
    return UserFactory(email="ann@example.com", time_zone="Europe/London")


def test_save_review_schedule_creates_the_row_with_the_next_due_instant(ann):
    services.save_review_schedule(ann, weekday=MON, hour=8, now=NOW)

    row = InsightSettings.objects.get(user=ann)
    assert (row.review_weekday, row.review_hour, row.review_due_at) == (
        MON,
        8,
        utc(2026, 6, 15, 7),
    )


def test_save_review_schedule_reads_the_hour_on_the_users_own_clock(db):
    kathmandu = UserFactory(time_zone="Asia/Kathmandu")

    row = services.save_review_schedule(kathmandu, weekday=MON, hour=8, now=NOW)

    assert row.review_due_at == utc(2026, 6, 15, 2, 15)


def test_save_review_schedule_off_clears_the_due_instant_and_keeps_the_rest(ann):
    InsightSettingsFactory(user=ann, income_goal=Decimal("3000.00"))
    services.save_review_schedule(ann, weekday=MON, hour=8, now=NOW)

    services.save_review_schedule(ann, weekday=None, hour=9, now=NOW)

    row = InsightSettings.objects.get(user=ann)
    assert (row.review_weekday, row.review_hour, row.review_due_at, row.income_goal) == (
        None,
        9,
        None,
        Decimal("3000.00"),
    )


@pytest.mark.parametrize(
    ("weekday", "hour", "errors"),
    [
        (7, 8, {"weekday": ["Pick a day of the week, or off."]}),
        (-1, 8, {"weekday": ["Pick a day of the week, or off."]}),
        ("1", 8, {"weekday": ["Pick a day of the week, or off."]}),
        (True, 8, {"weekday": ["Pick a day of the week, or off."]}),
        (MON, 24, {"hour": ["Pick an hour from 00:00 to 23:00."]}),
        (MON, -1, {"hour": ["Pick an hour from 00:00 to 23:00."]}),
        (None, None, {"hour": ["Pick an hour from 00:00 to 23:00."]}),
        (
            9,
            99,
            {
                "weekday": ["Pick a day of the week, or off."],
                "hour": ["Pick an hour from 00:00 to 23:00."],
            },
        ),
    ],
)
def test_save_review_schedule_refuses_a_day_or_hour_out_of_range_and_writes_nothing(
    ann, weekday, hour, errors
):
    with pytest.raises(ValidationError) as refused:
        services.save_review_schedule(ann, weekday=weekday, hour=hour, now=NOW)

    assert refused.value.message_dict == errors
    assert not InsightSettings.objects.exists()


def test_a_refused_schedule_leaves_the_saved_one_as_it_was(ann):
    services.save_review_schedule(ann, weekday=MON, hour=8, now=NOW)

    with pytest.raises(ValidationError):
        services.save_review_schedule(ann, weekday=MON, hour=25, now=NOW)

    row = InsightSettings.objects.get(user=ann)
    assert (row.review_weekday, row.review_hour, row.review_due_at) == (MON, 8, utc(2026, 6, 15, 7))


def test_reviewed_week_is_the_monday_of_the_last_full_week_on_the_users_clock():
    # Monday 15 June 2026, 00:30 in Kathmandu is still Sunday 14 June in UTC.
    now = utc(2026, 6, 14, 18, 45)

    assert (
        services.reviewed_week(now, timekit.zone("Asia/Kathmandu")),
        services.reviewed_week(now, timekit.zone("UTC")),
    ) == (date(2026, 6, 8), date(2026, 6, 1))


# --- the goal ------------------------------------------------------------------------------------


def test_save_goal_creates_the_row_on_the_first_save(ann):
    services.save_goal(ann, income_goal="3000", income_per_join=Decimal("250.5"))

    row = InsightSettings.objects.get(user=ann)
    assert (row.income_goal, row.income_per_join, row.review_due_at) == (
        Decimal("3000.00"),
        Decimal("250.50"),
        None,
    )


def test_save_goal_with_none_clears_both_and_keeps_the_schedule(ann):
    services.save_review_schedule(ann, weekday=MON, hour=8, now=NOW)
    services.save_goal(ann, income_goal="3000", income_per_join="250")

    services.save_goal(ann, income_goal=None, income_per_join="")

    row = InsightSettings.objects.get(user=ann)
    assert (row.income_goal, row.income_per_join, row.review_due_at) == (
        None,
        None,
        utc(2026, 6, 15, 7),
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "The monthly income goal must be more than zero (leave it empty for none)."),
        ("-5", "The monthly income goal must be more than zero (leave it empty for none)."),
        ("10.005", "The monthly income goal can have at most 2 decimals."),
        ("1e20", "The monthly income goal can be at most 9,999,999,999.99."),
        ("10000000000", "The monthly income goal can be at most 9,999,999,999.99."),
        ("lots", "The monthly income goal must be an amount like 3000 or 2500.50."),
        ("NaN", "The monthly income goal must be an amount like 3000 or 2500.50."),
        ("Infinity", "The monthly income goal must be an amount like 3000 or 2500.50."),
        (0.1, "The monthly income goal must be an amount like 3000 or 2500.50."),
        (True, "The monthly income goal must be an amount like 3000 or 2500.50."),
    ],
)
def test_save_goal_refuses_a_bad_amount_with_a_message_and_writes_nothing(ann, value, message):
    with pytest.raises(ValidationError) as refused:
        services.save_goal(ann, income_goal=value, income_per_join="250")

    assert refused.value.message_dict == {"income_goal": [message]}
    assert not InsightSettings.objects.exists()


def test_save_goal_names_every_bad_field_and_leaves_the_saved_goal(ann):
    services.save_goal(ann, income_goal="3000", income_per_join="250")

    with pytest.raises(ValidationError) as refused:
        services.save_goal(ann, income_goal="-1", income_per_join="0.001")

    row = InsightSettings.objects.get(user=ann)
    assert (sorted(refused.value.message_dict), row.income_goal, row.income_per_join) == (
        ["income_goal", "income_per_join"],
        Decimal("3000.00"),
        Decimal("250.00"),
    )
