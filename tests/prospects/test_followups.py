"""The pure follow-up rules: roll-forward over prospecting days, capacity and snooze."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mainthing.prospects import followups

MON = date(2026, 3, 2)
TUE, WED, SAT, SUN = (MON + timedelta(days=n) for n in (1, 2, 5, 6))
NEXT_MON = MON + timedelta(days=7)
# Mon-Fri prospecting for three weeks.
WEEKDAYS = {MON + timedelta(days=n) for n in range(21) if (MON + timedelta(days=n)).weekday() < 5}


def test_effective_due_keeps_a_future_date():
    assert followups.effective_due(WED, today=MON, prospecting_days=WEEKDAYS) == WED


def test_effective_due_missed_monday_shows_tuesday():
    assert followups.effective_due(MON, today=TUE, prospecting_days=WEEKDAYS) == TUE


def test_effective_due_weekend_without_blocks_rolls_to_monday():
    due = [followups.effective_due(WED, today=day, prospecting_days=WEEKDAYS) for day in (SAT, SUN)]
    assert due == [NEXT_MON, NEXT_MON]


def test_effective_due_without_a_routine_is_today():
    assert followups.effective_due(MON, today=SAT, prospecting_days=set()) == SAT


def test_effective_due_with_no_later_prospecting_day_is_none():
    assert followups.effective_due(MON, today=SAT, prospecting_days={MON, TUE}) is None


def test_capacity_counts_whole_follow_ups_only():
    assert [followups.capacity(m) for m in (0, 14, 15, 29, 30, 120, -30)] == [0, 0, 1, 1, 2, 8, 0]


def test_snooze_to_the_next_prospecting_day():
    assert [followups.snooze_to(d, WEEKDAYS) for d in (MON, date(2026, 3, 6), SAT)] == [
        TUE,
        NEXT_MON,
        NEXT_MON,
    ]


def test_snooze_without_a_routine_is_tomorrow():
    assert followups.snooze_to(SAT, set()) == SUN


days_in_march = st.dates(min_value=date(2026, 3, 1), max_value=date(2026, 3, 31))


@given(
    follow_up_on=days_in_march,
    today=days_in_march,
    prospecting=st.sets(days_in_march, max_size=20),
)
@settings(max_examples=300, deadline=None)
def test_effective_due_is_the_first_prospecting_day_from_today(follow_up_on, today, prospecting):
    due = followups.effective_due(follow_up_on, today=today, prospecting_days=prospecting)
    if follow_up_on > today:
        assert due == follow_up_on
    elif not prospecting or today in prospecting:
        assert due == today
    else:
        later = sorted(d for d in prospecting if d > today)
        assert due == (later[0] if later else None)
    # Never in the past: a missed follow-up is never "overdue".
    assert due is None or due >= today


@given(today=days_in_march, prospecting=st.sets(days_in_march, max_size=20))
@settings(max_examples=300, deadline=None)
def test_snooze_lands_after_today_on_a_prospecting_day(today, prospecting):
    to = followups.snooze_to(today, prospecting)
    later = [d for d in prospecting if d > today]
    assert to > today
    assert to == (min(later) if later else today + timedelta(days=1))


@given(minutes=st.integers(min_value=0, max_value=24 * 60))
def test_capacity_fits_the_free_minutes(minutes):
    n = followups.capacity(minutes)
    assert n * followups.FOLLOW_UP_MINUTES <= minutes < (n + 1) * followups.FOLLOW_UP_MINUTES
