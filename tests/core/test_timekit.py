from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mainthing.core import timekit

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
]

instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(
    start=instants, minutes=st.integers(min_value=1, max_value=60 * 48), zone=st.sampled_from(ZONES)
)
@settings(max_examples=300, deadline=None)
def test_split_by_local_day_conserves_elapsed_seconds(start, minutes, zone):
    end = start + timedelta(minutes=minutes)
    parts = timekit.split_by_local_day(start, end, timekit.zone(zone))
    assert sum(seconds for _, seconds in parts) == minutes * 60
    days = [day for day, _ in parts]
    assert days == sorted(set(days))
    assert days[0] == start.astimezone(timekit.zone(zone)).date()


@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    zone=st.sampled_from(ZONES),
)
@settings(max_examples=300, deadline=None)
def test_local_day_bounds_are_contiguous_and_23_to_25_hours(day, zone):
    tz = timekit.zone(zone)
    start, end = timekit.local_day_bounds(day, tz)
    next_start, _ = timekit.local_day_bounds(day + timedelta(days=1), tz)
    assert end == next_start
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)
    assert start.astimezone(tz).date() == day
    assert (end - timedelta(seconds=1)).astimezone(tz).date() == day


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Europe/London", date(2026, 3, 29), 23),
        ("Europe/London", date(2026, 10, 25), 25),
        ("Australia/Sydney", date(2026, 4, 5), 25),
        ("Australia/Sydney", date(2026, 10, 4), 23),
        ("Pacific/Auckland", date(2026, 4, 5), 25),
        ("Pacific/Auckland", date(2026, 9, 27), 23),
        ("Asia/Kolkata", date(2026, 3, 8), 24),
        ("Asia/Kathmandu", date(2026, 11, 1), 24),
    ],
)
def test_dst_days_have_their_real_length(zone, day, hours):
    start, end = timekit.local_day_bounds(day, timekit.zone(zone))
    assert end - start == timedelta(hours=hours)


def test_lord_howe_dst_day_is_half_an_hour_short():
    start, end = timekit.local_day_bounds(date(2026, 10, 4), timekit.zone("Australia/Lord_Howe"))
    assert end - start == timedelta(hours=23, minutes=30)


def test_entry_across_fall_back_counts_real_minutes():
    tz = timekit.zone("America/New_York")
    # 00:30 to 02:00 local on the fall-back night is 150 real minutes.
    start = timekit.localize(datetime(2026, 11, 1, 0, 30), tz)
    end = timekit.localize(datetime(2026, 11, 1, 2, 0), tz)
    assert timekit.elapsed_seconds(start, end) == 150 * 60
    assert timekit.split_by_local_day(start, end, tz) == [(date(2026, 11, 1), 150 * 60)]


def test_entry_across_midnight_is_split_between_days():
    tz = timekit.zone("Asia/Kathmandu")
    start = timekit.localize(datetime(2026, 6, 1, 23, 15), tz)
    end = timekit.localize(datetime(2026, 6, 2, 0, 45), tz)
    assert timekit.split_by_local_day(start, end, tz) == [
        (date(2026, 6, 1), 45 * 60),
        (date(2026, 6, 2), 45 * 60),
    ]


def test_localize_refuses_a_time_skipped_by_spring_forward():
    with pytest.raises(ValueError, match="does not exist in America/New_York"):
        timekit.localize(datetime(2026, 3, 8, 2, 30), timekit.zone("America/New_York"))


def test_localize_takes_the_earlier_instant_in_a_repeated_hour():
    instant = timekit.localize(datetime(2026, 11, 1, 1, 30), timekit.zone("America/New_York"))
    assert instant == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("45", 2700), ("45m", 2700), ("1h30m", 5400), ("1.5h", 5400), ("1:30", 5400), ("2h", 7200)],
)
def test_parse_duration_reads_common_spellings(text, seconds):
    assert timekit.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "0", "25h", "-5m", "1h 90x"])
def test_parse_duration_refuses_unclear_or_out_of_range_text(text):
    with pytest.raises(ValueError, match=r"duration|longer than"):
        timekit.parse_duration(text)


def test_parse_local_datetime_reads_clock_time_as_today_in_zone():
    now = datetime(2026, 7, 1, 22, 0, tzinfo=UTC)  # already 2 July in Auckland
    parsed = timekit.parse_local_datetime("09:00", timekit.zone("Pacific/Auckland"), now=now)
    assert parsed == datetime(2026, 7, 1, 21, 0, tzinfo=UTC)


def test_parse_local_datetime_keeps_an_explicit_offset():
    now = datetime(2026, 7, 1, tzinfo=UTC)
    parsed = timekit.parse_local_datetime("2026-07-01T10:00+05:45", timekit.zone("UTC"), now=now)
    assert parsed == datetime(2026, 7, 1, 4, 15, tzinfo=UTC)


def test_format_minutes_reads_like_the_product():
    assert timekit.format_minutes(25 * 60) == "25m"
    assert timekit.format_minutes(4 * 3600 + 5 * 60) == "4h 05m"


def test_zone_refuses_unknown_names_with_a_readable_message():
    with pytest.raises(ValueError, match="Unknown time zone 'Mars/Olympus'"):
        timekit.zone("Mars/Olympus")
