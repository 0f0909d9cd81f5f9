from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from mainthing.bookings import fillrate
from mainthing.routine import occurrences as occ

H = lambda n, m=0: datetime(2026, 6, 1, n, m, tzinfo=UTC)  # noqa: E731


def test_fill_counts_only_booked_minutes_inside_blocks():
    blocks = [(H(19), H(21))]
    booked = [(H(18, 30), H(19, 30)), (H(20), H(20, 30))]
    result = fillrate.fill(blocks, booked)
    assert (result.block_seconds, result.booked_seconds, result.percent) == (7200, 3600, 50)


def test_fill_on_a_fall_back_night_uses_real_minutes():
    spec = occ.BlockSpec(
        id=1,
        tier="income",
        weekdays=frozenset(range(7)),
        start=time(0, 30),
        end=time(2, 0),
        zone="America/New_York",
    )
    (block,) = occ.expand([spec], date(2026, 11, 1), date(2026, 11, 1))
    result = fillrate.fill(
        [(block.start, block.end)], [(block.start, block.start + timedelta(minutes=75))]
    )
    assert (result.block_seconds, result.percent) == (150 * 60, 50)


@given(booked=st.lists(st.tuples(st.integers(0, 300), st.integers(15, 120)), max_size=20))
@settings(max_examples=200, deadline=None)
def test_fill_rate_is_between_zero_and_one(booked):
    blocks = [(H(12), H(13)), (H(19), H(21))]
    intervals = [
        (H(0) + timedelta(minutes=12 * 60 + s), H(0) + timedelta(minutes=12 * 60 + s + m))
        for s, m in booked
    ]
    result = fillrate.fill(blocks, intervals)
    assert 0 <= result.rate <= 1
    assert result.booked_seconds <= result.block_seconds


def test_missing_appointments_to_reach_the_threshold():
    current = fillrate.Fill(block_seconds=6 * 3600, booked_seconds=3600)
    # 70% of 6 h is 4.2 h; 1 h is booked: 3.2 h more is 7 calls of 30 minutes.
    assert fillrate.missing_appointments(current, target=0.7, minutes=30) == 7
    assert fillrate.missing_appointments(fillrate.Fill(3600, 3600), target=0.7, minutes=30) == 0


def test_prescription_uses_own_history_when_there_is_some():
    result = fillrate.prescribe(6, booked_recently=12, leadgen_seconds_recently=8 * 3600)
    assert (result.per_hour, result.hours, result.starter) == (1.5, 4.0, False)


def test_prescription_falls_back_to_the_starter_rate_and_says_so():
    result = fillrate.prescribe(3, booked_recently=0, leadgen_seconds_recently=3600)
    assert (result.per_hour, result.hours, result.starter, result.fresh) == (0.5, 6.0, True, False)


def test_fresh_account_gets_the_starter_hour_a_day_not_a_total_at_a_made_up_rate():
    # A starter routine's three days hold 9 h: 70% of them is 13 calls, which at the starter
    # rate would be 26 h of lead generation on the account's first day.
    result = fillrate.prescribe(13, booked_recently=0, leadgen_seconds_recently=0, days=3)
    assert (result.hours, result.starter, result.fresh) == (3.0, True, True)


def test_some_history_is_not_fresh_even_without_bookings():
    booked = fillrate.prescribe(13, booked_recently=1, leadgen_seconds_recently=0, days=3)
    logged = fillrate.prescribe(13, booked_recently=0, leadgen_seconds_recently=60, days=3)
    assert [(p.hours, p.fresh) for p in (booked, logged)] == [(26.0, False), (26.0, False)]


def test_fill_per_day_groups_blocks_by_local_start_date():
    tz = ZoneInfo("Pacific/Auckland")
    spec = occ.BlockSpec(
        id=1,
        tier="income",
        weekdays=frozenset(range(7)),
        start=time(19),
        end=time(21),
        zone="Pacific/Auckland",
    )
    blocks = occ.expand([spec], date(2026, 6, 1), date(2026, 6, 2))
    booked = [(blocks[0].start, blocks[0].start + timedelta(minutes=60))]
    per_day = fillrate.fill_per_day(
        blocks, booked, tz, [date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)]
    )
    assert [(d.day, f.percent, f.block_seconds) for d, f in per_day] == [
        (1, 50, 7200),
        (2, 0, 7200),
        (3, 0, 0),
    ]
