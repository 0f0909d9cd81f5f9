"""The booking page's offered slots across clock changes: for users in every zone the rules of
time name, on both transition nights, each offered slot lies inside a prospecting block, no
instant is offered twice, none starts in a skipped hour, and every listed slot is one the
booking check accepts (the listing and the check step the same grid)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from mainthing.bookings import public
from mainthing.core import timekit
from tests.factories import UserFactory, block

# (zone, a night clocks go forward, a night they go back), 2026.
TRANSITIONS = [
    ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ("Europe/London", date(2026, 3, 29), date(2026, 10, 25)),
    ("Australia/Sydney", date(2026, 10, 4), date(2026, 4, 5)),
    ("Australia/Lord_Howe", date(2026, 10, 4), date(2026, 4, 5)),
    ("Pacific/Auckland", date(2026, 9, 27), date(2026, 4, 5)),
    ("Asia/Kolkata", date(2026, 3, 8), date(2026, 11, 1)),  # no change: a control
    ("Asia/Kathmandu", date(2026, 3, 8), date(2026, 11, 1)),  # +05:45, no change
]


def _page(zone: str, start: str, end: str, *, step: int, lengths: str):
    user = UserFactory(time_zone=zone)
    block(user, start, end)  # every day, across the change at 01:00-03:00
    page = public.page_for(user)
    page.step_minutes, page.lengths, page.notice_minutes = step, lengths, 0
    page.horizon_days = 3
    page.save()
    return page


@pytest.mark.parametrize(("zone", "forward", "back"), TRANSITIONS, ids=[t[0] for t in TRANSITIONS])
@pytest.mark.parametrize("which", ["forward", "back"])
@pytest.mark.parametrize(("step", "minutes"), [(30, 30), (15, 45), (20, 60)])
def test_offered_slots_across_a_clock_change(db, zone, forward, back, which, step, minutes):
    night = forward if which == "forward" else back
    page = _page(zone, "00:30", "04:00", step=step, lengths=str(minutes))
    tz = timekit.zone(zone)
    now = datetime.combine(night - timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(
        UTC
    )
    found = public.offered_slots(
        page, start=now, end=now + timedelta(days=3), minutes=minutes, now=now
    )
    assert found, "the block offers something"
    starts = [s for s, _ in found]
    assert len(starts) == len(set(starts)), "no instant offered twice"
    for start, end in found:
        assert end - start == timedelta(minutes=minutes)
        # A local time that exists: it survives the round trip through the wall clock.
        local = start.astimezone(tz)
        assert local.replace(tzinfo=None) in [
            i.astimezone(tz).replace(tzinfo=None)
            for i in timekit.wall_instants(local.replace(tzinfo=None), tz)
        ]
        assert public.is_offered(page, start, minutes, now=now), start
    # Stepped in real minutes: the night clocks go forward has a shorter block, so fewer
    # slots than the night before; going back, a longer one, so more (none in Asia).
    per_day = {
        d: sum(timekit.local_date(s, tz) == d for s in starts)
        for d in (night - timedelta(days=1), night)
    }
    before, on_night = per_day[night - timedelta(days=1)], per_day[night]
    changes = zone not in ("Asia/Kolkata", "Asia/Kathmandu")
    if not changes:
        assert on_night == before
    elif which == "forward":
        assert on_night < before
    else:
        assert on_night > before


@pytest.mark.parametrize("visitor", ["Asia/Kolkata", "Pacific/Auckland", "America/New_York"])
def test_slot_days_group_by_the_visitors_date(db, visitor):
    page = _page("Europe/London", "19:00", "23:30", step=30, lengths="30")
    now = datetime(2026, 6, 8, 7, 0, tzinfo=UTC)
    days = public.slot_days(page, tz=visitor, minutes=30, now=now)
    zone = timekit.zone(visitor)
    for day in days:
        assert all(timekit.local_date(s, zone) == day.day for s, _ in day.slots)
    everything = public.offered_slots(
        page, start=now, end=now + timedelta(days=5), minutes=30, now=now
    )
    assert sum(len(d.slots) for d in days) == len(everything)
