"""`save_profile`: a profile change and the day-total recount it needs are one step."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from mainthing.activity import services
from mainthing.activity.models import DayTotal
from tests.factories import entry


def totals(user) -> dict:
    return {
        (t.day, t.category.name): t.seconds
        for t in DayTotal.objects.filter(user=user).select_related("category")
        if t.seconds
    }


def test_save_profile_recounts_day_totals_when_the_zone_changes(owner):
    entry(owner, "Forum posts", datetime(2026, 6, 1, 23, 30, tzinfo=UTC), 60)
    saved = services.save_profile(owner, time_zone="Asia/Kolkata", goal_conversations=4)
    owner.refresh_from_db()
    # 23:30 UTC is 05:00 on 2 June in Kolkata: the whole hour now falls on one local day.
    assert totals(owner) == {(date(2026, 6, 2), "Forum posts"): 3600}
    assert (saved.time_zone, owner.time_zone, owner.goal_conversations) == (
        "Asia/Kolkata",
        "Asia/Kolkata",
        4,
    )


def test_save_profile_leaves_day_totals_alone_when_the_zone_stays(owner):
    entry(owner, "Forum posts", datetime(2026, 6, 1, 23, 30, tzinfo=UTC), 60)
    before = {t.pk: (t.day, t.seconds) for t in DayTotal.objects.filter(user=owner)}
    services.save_profile(owner, time_zone=owner.time_zone, name="Sam")
    after = {t.pk: (t.day, t.seconds) for t in DayTotal.objects.filter(user=owner)}
    assert after == before


def test_save_profile_refuses_a_bad_field_and_changes_nothing(owner):
    entry(owner, "Forum posts", datetime(2026, 6, 1, 23, 30, tzinfo=UTC), 60)
    before = totals(owner)
    with pytest.raises(ValidationError) as refused:
        services.save_profile(owner, time_zone="Asia/Kolkata", fill_threshold=5)
    owner.refresh_from_db()
    assert refused.value.message_dict == {"fill_threshold": ["Pick a threshold from 10% to 100%."]}
    assert (owner.time_zone, totals(owner)) == ("Europe/London", before)
