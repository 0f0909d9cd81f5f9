from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mainthing.routine import occurrences as occ
from mainthing.routine.occurrences import BlockSpec, Exception_

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
]
ALL_DAYS = frozenset(range(7))


def spec(start, end, zone, days=ALL_DAYS, **kw) -> BlockSpec:
    return BlockSpec(
        id=kw.pop("id", 1),
        tier=kw.pop("tier", "income"),
        weekdays=days,
        start=start,
        end=end,
        zone=zone,
        **kw,
    )


def exists(instant: datetime, tz: ZoneInfo) -> bool:
    wall = instant.astimezone(tz).replace(tzinfo=None)
    return wall.replace(tzinfo=tz).astimezone(UTC) == instant or (
        wall.replace(tzinfo=tz, fold=1).astimezone(UTC) == instant
    )


times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(
    start=times,
    length=st.integers(min_value=15, max_value=6 * 60),
    zone=st.sampled_from(ZONES),
    first=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
)
@settings(max_examples=250, deadline=None)
def test_occurrences_start_in_existing_wall_time_never_repeat_and_have_real_length(
    start, length, zone, first
):
    end = (datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=length)).time()
    tz = ZoneInfo(zone)
    found = occ.expand([spec(start, end, zone)], first, first + timedelta(days=40))
    starts = [o.start for o in found]
    assert len(starts) == len(set(starts))
    for o in found:
        assert exists(o.start, tz)
        assert o.end > o.start
        assert o.minutes == int((o.end - o.start).total_seconds() // 60)
        # Same wall-clock start every day, unless a DST gap swallowed it (then the gap's end).
        local = o.start.astimezone(tz)
        if local.time().replace(tzinfo=None) != start:
            assert local.time().replace(tzinfo=None) > start or start.hour == 23


@given(
    zone=st.sampled_from(ZONES),
    first=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    minutes=st.sampled_from([15, 30, 45, 60]),
)
@settings(max_examples=150, deadline=None)
def test_slots_never_start_in_a_skipped_hour_nor_twice(zone, first, minutes):
    tz = ZoneInfo(zone)
    windows = [
        (o.start, o.end)
        for o in occ.expand([spec(time(0, 0), time(4, 0), zone)], first, first + timedelta(days=14))
    ]
    found = occ.slots(windows, minutes=minutes)
    starts = [s for s, _ in found]
    assert len(starts) == len(set(starts))
    assert all(exists(s, tz) for s in starts)
    assert all(e - s == timedelta(minutes=minutes) for s, e in found)


def test_block_keeps_its_wall_clock_time_across_both_dst_changes():
    found = occ.expand(
        [spec(time(19), time(21), "America/New_York")], date(2026, 3, 7), date(2026, 11, 2)
    )
    walls = {o.start.astimezone(ZoneInfo("America/New_York")).time() for o in found}
    assert walls == {time(19)}
    utc_hours = {o.start.hour for o in found}
    assert utc_hours == {0, 23}  # 19:00 EST = 00:00Z, 19:00 EDT = 23:00Z


def test_fall_back_block_is_150_real_minutes():
    (found,) = occ.expand(
        [spec(time(0, 30), time(2, 0), "America/New_York")], date(2026, 11, 1), date(2026, 11, 1)
    )
    assert found.minutes == 150


def test_spring_forward_block_is_60_real_minutes_and_slots_skip_the_gap():
    (found,) = occ.expand(
        [spec(time(1, 30), time(3, 30), "America/New_York")], date(2026, 3, 8), date(2026, 3, 8)
    )
    assert found.minutes == 60
    starts = [
        s.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
        for s, _ in occ.slots([(found.start, found.end)], minutes=30)
    ]
    assert starts == ["01:30", "03:00"]


def test_fall_back_slots_offer_each_instant_once():
    (found,) = occ.expand(
        [spec(time(0, 30), time(2, 0), "America/New_York")], date(2026, 11, 1), date(2026, 11, 1)
    )
    found_slots = occ.slots([(found.start, found.end)], minutes=30)
    assert len(found_slots) == 5  # 00:30, 01:00, 01:30 EDT, 01:00, 01:30 EST
    assert len({s for s, _ in found_slots}) == 5


def test_block_starting_in_a_dst_gap_starts_when_the_gap_ends():
    (found,) = occ.expand(
        [spec(time(2, 30), time(4, 0), "America/New_York")], date(2026, 3, 8), date(2026, 3, 8)
    )
    assert found.start == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
    assert found.minutes == 60


def test_lord_howe_half_hour_gap():
    tz = ZoneInfo("Australia/Lord_Howe")
    (found,) = occ.expand(
        [spec(time(1, 45), time(3, 0), "Australia/Lord_Howe")], date(2026, 10, 4), date(2026, 10, 4)
    )
    # 02:00-02:30 does not exist that night: 75 wall minutes are 45 real ones.
    assert found.minutes == 45
    assert found.start.astimezone(tz).time() == time(1, 45)


@pytest.mark.parametrize(
    ("zone", "utc_start"),
    [
        ("Asia/Kolkata", datetime(2026, 6, 1, 13, 30, tzinfo=UTC)),
        ("Asia/Kathmandu", datetime(2026, 6, 1, 13, 15, tzinfo=UTC)),
        ("Australia/Sydney", datetime(2026, 6, 1, 9, 0, tzinfo=UTC)),
        ("Pacific/Auckland", datetime(2026, 6, 1, 7, 0, tzinfo=UTC)),
        ("Europe/London", datetime(2026, 6, 1, 18, 0, tzinfo=UTC)),
        ("Australia/Lord_Howe", datetime(2026, 6, 1, 8, 30, tzinfo=UTC)),
    ],
)
def test_evening_block_converts_to_the_right_utc_instant(zone, utc_start):
    (found,) = occ.expand([spec(time(19), time(21), zone)], date(2026, 6, 1), date(2026, 6, 1))
    assert found.start == utc_start
    assert found.minutes == 120


def test_block_across_midnight_ends_on_the_next_date():
    (found,) = occ.expand(
        [spec(time(22), time(1), "Europe/London")], date(2026, 1, 5), date(2026, 1, 5)
    )
    assert (found.start, found.end) == (
        datetime(2026, 1, 5, 22, 0, tzinfo=UTC),
        datetime(2026, 1, 6, 1, 0, tzinfo=UTC),
    )


def test_weekdays_valid_range_and_exceptions_are_obeyed():
    block = spec(
        time(19),
        time(21),
        "UTC",
        days=frozenset(range(6)),
        valid_from=date(2026, 6, 2),
        valid_until=date(2026, 6, 9),
        exceptions={
            date(2026, 6, 3): Exception_(skip=True),
            date(2026, 6, 4): Exception_(skip=False, start=time(18), end=time(20)),
        },
    )
    found = occ.expand([block], date(2026, 6, 1), date(2026, 6, 12))
    assert [(o.local_date.day, o.start.hour) for o in found] == [
        (2, 19),
        (4, 18),
        (5, 19),
        (6, 19),
        (8, 19),
        (9, 19),
    ]


def test_expand_between_clips_to_the_window():
    block = spec(time(19), time(21), "UTC")
    found = occ.expand_between(
        [block], datetime(2026, 6, 1, 20, tzinfo=UTC), datetime(2026, 6, 2, 20, tzinfo=UTC)
    )
    assert [(o.start.hour, o.end.hour) for o in found] == [(20, 21), (19, 20)]


def test_subtract_and_overlap_seconds():
    h = lambda n: datetime(2026, 6, 1, n, tzinfo=UTC)  # noqa: E731
    free = [(h(9), h(12)), (h(14), h(16))]
    busy = [(h(10), h(11)), (h(11), h(12)), (h(15), h(17))]
    assert occ.subtract(free, busy) == [(h(9), h(10)), (h(14), h(15))]
    assert occ.overlap_seconds(free, busy) == 3 * 3600


def test_slots_respect_not_before_on_the_windows_grid():
    h = datetime(2026, 6, 1, 19, tzinfo=UTC)
    found = occ.slots(
        [(h, h + timedelta(hours=2))], minutes=30, not_before=h + timedelta(minutes=40)
    )
    assert [s.minute for s, _ in found] == [0, 30]
    assert found[0][0] == h + timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Sat", {0, 1, 2, 3, 4, 5}),
        ("mon,wed,fri", {0, 2, 4}),
        ("daily", set(range(7))),
        ("Sat-Mon", {5, 6, 0}),
        ("weekdays", {0, 1, 2, 3, 4}),
    ],
)
def test_parse_days(text, days):
    assert occ.parse_days(text) == frozenset(days)


def test_parse_days_refuses_nonsense():
    with pytest.raises(ValueError, match="Can't read 'funday'"):
        occ.parse_days("funday")


def test_format_days_is_the_inverse_for_common_patterns():
    assert occ.format_days({0, 1, 2, 3, 4, 5}) == "Mon-Sat"
    assert occ.format_days({0, 2, 4}) == "Mon,Wed,Fri"
    assert occ.format_days(range(7)) == "daily"
