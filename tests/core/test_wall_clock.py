"""The one wall-clock resolver (`timekit.wall_instants` and `timekit.localize`), across the
zones DESIGN.md names: whole-hour, half-hour and 45-minute offsets, a 30-minute DST shift and
both hemispheres."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mainthing.core import timekit
from tests.core.test_timekit import ZONES

# Minute precision, as people and blocks write times; the years hold many DST changes.
naive_times = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
instants = naive_times.map(lambda d: d.replace(tzinfo=UTC))
zones = st.sampled_from(ZONES)


def shows(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(timekit.zone(zone)).replace(tzinfo=None)


@given(instant=instants, zone=zones)
@settings(max_examples=400, deadline=None)
def test_wall_instants_finds_every_instant_that_shows_the_wall_time(instant, zone):
    found = timekit.wall_instants(shows(instant, zone), timekit.zone(zone))
    assert instant in found
    assert found == sorted(found)
    assert len(found) in (1, 2)
    assert all(shows(i, zone) == shows(instant, zone) for i in found)


@given(naive=naive_times, zone=zones)
@settings(max_examples=400, deadline=None)
def test_localize_takes_the_earliest_instant_or_refuses_a_skipped_time(naive, zone):
    tz = timekit.zone(zone)
    found = timekit.wall_instants(naive, tz)
    if found:
        assert timekit.localize(naive, tz) == found[0]
        assert timekit.localize(naive, tz, in_gap="end") == found[0]
    else:
        with pytest.raises(ValueError, match="the clocks skip it for DST"):
            timekit.localize(naive, tz)


def _gaps() -> list[tuple[str, datetime, datetime]]:
    """Every DST gap of the zones in 2020-2030: (zone, first skipped wall time, the instant the
    clocks jump). Found from the days shorter than 24 hours, then to the minute."""
    found = []
    for zone in ZONES:
        tz = timekit.zone(zone)
        for day in timekit.days(datetime(2020, 1, 1).date(), datetime(2030, 12, 31).date()):
            start, end = timekit.local_day_bounds(day, tz)
            if end - start >= timedelta(hours=24):
                continue
            instant = start
            while instant < end:
                step = instant + timedelta(minutes=1)
                if shows(step, zone) - shows(instant, zone) > timedelta(minutes=1):
                    found.append((zone, shows(instant, zone) + timedelta(minutes=1), step))
                instant = step
    return found


GAPS = _gaps()


def test_the_gap_list_holds_every_zones_changes():
    # Kolkata and Kathmandu keep no DST; the other five change twice a year for 11 years.
    per_zone = {zone: sum(1 for z, _, _ in GAPS if z == zone) for zone in ZONES}
    assert per_zone == {
        "America/New_York": 11,
        "Europe/London": 11,
        "Australia/Sydney": 11,
        "Asia/Kolkata": 0,
        "Asia/Kathmandu": 0,
        "Australia/Lord_Howe": 11,
        "Pacific/Auckland": 11,
    }


@given(gap=st.sampled_from(GAPS), into=st.integers(min_value=0, max_value=59))
@settings(max_examples=300, deadline=None)
def test_localize_maps_a_skipped_time_to_the_instant_the_gap_ends(gap, into):
    zone, first_skipped, jump = gap
    tz = timekit.zone(zone)
    # The gap is as long as the jump: 60 minutes, or 30 on Lord Howe.
    length = shows(jump, zone) - first_skipped
    naive = first_skipped + timedelta(minutes=into % (length // timedelta(minutes=1)))
    assert timekit.wall_instants(naive, tz) == []
    assert timekit.localize(naive, tz, in_gap="end") == jump
    with pytest.raises(ValueError, match="the clocks skip it for DST"):
        timekit.localize(naive, tz)


@pytest.mark.parametrize(
    ("zone", "naive", "expected"),
    [
        # Spring forward in New York: 02:00-03:00 is skipped.
        ("America/New_York", datetime(2026, 3, 8, 2, 30), []),
        # Fall back in New York: 01:00-02:00 comes twice, EDT then EST.
        (
            "America/New_York",
            datetime(2026, 11, 1, 1, 30),
            [datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 30, tzinfo=UTC)],
        ),
        # Lord Howe moves its clocks by 30 minutes: 01:30-02:00 comes twice in April.
        (
            "Australia/Lord_Howe",
            datetime(2026, 4, 5, 1, 45),
            [datetime(2026, 4, 4, 14, 45, tzinfo=UTC), datetime(2026, 4, 4, 15, 15, tzinfo=UTC)],
        ),
        ("Australia/Lord_Howe", datetime(2026, 10, 4, 2, 15), []),
        # A 45-minute offset and no DST.
        (
            "Asia/Kathmandu",
            datetime(2026, 1, 1, 0, 0),
            [datetime(2025, 12, 31, 18, 15, tzinfo=UTC)],
        ),
    ],
)
def test_wall_instants_on_known_changes(zone, naive, expected):
    assert timekit.wall_instants(naive, timekit.zone(zone)) == expected


@pytest.mark.parametrize(
    ("zone", "naive", "expected"),
    [
        # 02:30 does not exist; the day's clocks jump from 02:00 EST to 03:00 EDT at 07:00Z.
        ("America/New_York", datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        # Lord Howe jumps from 02:00 (+10:30) to 02:30 (+11) at 15:30Z.
        (
            "Australia/Lord_Howe",
            datetime(2026, 10, 4, 2, 15),
            datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
        ),
    ],
)
def test_localize_in_a_gap_ends_where_the_clocks_jump(zone, naive, expected):
    assert timekit.localize(naive, timekit.zone(zone), in_gap="end") == expected


def test_localize_refuses_a_skipped_time_by_default_with_a_message():
    with pytest.raises(ValueError, match="does not exist") as refused:
        timekit.localize(datetime(2026, 3, 8, 2, 30), timekit.zone("America/New_York"))
    assert str(refused.value) == (
        "2026-03-08 02:30 does not exist in America/New_York: the clocks skip it for DST."
    )
