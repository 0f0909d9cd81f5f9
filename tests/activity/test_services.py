from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mainthing.activity import queries, services
from mainthing.activity.models import Activity, DayTotal
from tests.factories import UserFactory, at, block, category, entry

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def totals(user) -> dict:
    return {
        (t.day, t.category.name): t.seconds
        for t in DayTotal.objects.filter(user=user).select_related("category")
        if t.seconds
    }


def test_new_user_gets_the_discipline_default_categories(owner):
    names = {(c.tier, c.name) for c in owner.category_set.all()}
    assert ("income", "Prospect call") in names
    assert ("leadgen", "Forum posts") in names
    assert ("other", "Email inbox") in names
    assert len(names) == 12


def test_starting_a_timer_stops_the_running_one_at_the_same_instant(owner):
    first = services.start_timer(owner, category(owner, "Forum posts"), now=NOW)
    second = services.start_timer(
        owner, category(owner, "Prospect call"), now=NOW + timedelta(minutes=20)
    )
    first.refresh_from_db()
    assert first.end == second.start
    assert first.seconds == 20 * 60
    assert list(Activity.objects.filter(user=owner, end__isnull=True)) == [second]


def test_database_refuses_two_running_timers_for_one_user(owner):
    services.start_timer(owner, category(owner, "Forum posts"), now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(user=owner, category=category(owner, "Organizing"), start=NOW)


def test_stop_timer_records_real_elapsed_seconds_across_fall_back(db):
    user = UserFactory(time_zone="America/New_York")
    start = at("2026-11-01 00:30", "America/New_York")
    services.start_timer(user, category(user, "Forum posts"), now=start)
    stopped = services.stop_timer(user, now=at("2026-11-01 02:00", "America/New_York"))
    assert stopped.seconds == 150 * 60
    assert totals(user) == {(date(2026, 11, 1), "Forum posts"): 150 * 60}


def test_stop_timer_without_a_running_one_returns_none(owner):
    assert services.stop_timer(owner, now=NOW) is None


def test_busy_work_in_prospecting_hours_asks_the_iga_question(owner):
    block(owner, "15:00", "17:00")  # London, BST
    with pytest.raises(services.IgaQuestion) as asked:
        services.start_timer(owner, category(owner, "Organizing"), now=NOW)
    assert str(asked.value) == "It's your prospecting time. Is this income-generating activity?"
    assert {c.name for c in asked.value.income_categories} == {
        "Prospect call",
        "Follow-up call",
        "Three-way call",
        "Presentation",
    }
    assert not Activity.objects.filter(user=owner).exists()


def test_starting_busy_work_anyway_records_the_override(owner):
    block(owner, "15:00", "17:00")
    started = services.start_timer(owner, category(owner, "Organizing"), now=NOW, override=True)
    assert started.iga_override is True


def test_income_work_in_prospecting_hours_is_not_questioned(owner):
    block(owner, "15:00", "17:00")
    started = services.start_timer(owner, category(owner, "Prospect call"), now=NOW)
    assert started.iga_override is False


def test_busy_work_outside_prospecting_hours_is_not_questioned(owner):
    block(owner, "19:00", "21:00")
    started = services.start_timer(owner, category(owner, "Organizing"), now=NOW)
    assert started.iga_override is False


def test_nudge_is_due_once_busy_work_runs_past_the_interval(owner):
    running = services.start_timer(owner, category(owner, "Email inbox"), now=NOW)
    assert not services.nudge_due(owner, running, NOW + timedelta(minutes=24))
    assert services.nudge_due(owner, running, NOW + timedelta(minutes=25))


def test_nudge_never_fires_for_income_work(owner):
    running = services.start_timer(owner, category(owner, "Prospect call"), now=NOW)
    assert not services.nudge_due(owner, running, NOW + timedelta(hours=3))


def test_manual_entry_must_end_after_it_starts(owner):
    with pytest.raises(ValidationError, match="end must be after the start"):
        services.add_entry(owner, category(owner, "Forum posts"), start=NOW, end=NOW, now=NOW)


def test_manual_entry_may_not_end_in_the_future(owner):
    with pytest.raises(ValidationError, match="can't end in the future"):
        services.add_entry(
            owner,
            category(owner, "Forum posts"),
            start=NOW,
            end=NOW + timedelta(minutes=2),
            now=NOW,
        )


def test_manual_entry_may_end_within_the_current_minute(owner):
    now = NOW + timedelta(seconds=10)
    created = services.add_entry(
        owner,
        category(owner, "Forum posts"),
        start=NOW - timedelta(minutes=30),
        end=NOW + timedelta(seconds=50),
        now=now,
    )
    assert created.seconds == 30 * 60 + 50


def test_overlapping_entry_is_refused_unless_confirmed(owner):
    entry(owner, "Forum posts", NOW - timedelta(hours=2), 60)
    with pytest.raises(services.OverlapError, match="overlaps 1 other entry"):
        services.add_entry(
            owner,
            category(owner, "Organizing"),
            start=NOW - timedelta(minutes=90),
            end=NOW - timedelta(minutes=30),
            now=NOW,
        )
    assert Activity.objects.filter(user=owner).count() == 1
    services.add_entry(
        owner,
        category(owner, "Organizing"),
        start=NOW - timedelta(minutes=90),
        end=NOW - timedelta(minutes=30),
        now=NOW,
        allow_overlap=True,
    )
    assert Activity.objects.filter(user=owner).count() == 2


def test_touching_entries_do_not_overlap(owner):
    entry(owner, "Forum posts", NOW - timedelta(hours=2), 60)
    services.add_entry(
        owner, category(owner, "Organizing"), start=NOW - timedelta(hours=1), end=NOW, now=NOW
    )
    assert Activity.objects.filter(user=owner).count() == 2


def test_overlap_with_a_running_timer_is_detected(owner):
    services.start_timer(owner, category(owner, "Forum posts"), now=NOW - timedelta(hours=1))
    with pytest.raises(services.OverlapError):
        services.add_entry(
            owner,
            category(owner, "Organizing"),
            start=NOW - timedelta(minutes=30),
            end=NOW,
            now=NOW,
        )


def test_entry_across_midnight_counts_on_both_days(owner):
    entry(owner, "Prospect call", at("2026-06-01 23:30", "Europe/London"), 60)
    assert totals(owner) == {
        (date(2026, 6, 1), "Prospect call"): 30 * 60,
        (date(2026, 6, 2), "Prospect call"): 30 * 60,
    }


def test_editing_an_entry_moves_its_day_totals(owner):
    made = entry(owner, "Forum posts", at("2026-06-01 10:00", "Europe/London"), 60)
    services.update_entry(
        made,
        category=category(owner, "Video posts"),
        start=at("2026-06-02 10:00", "Europe/London"),
        end=at("2026-06-02 10:45", "Europe/London"),
        now=NOW,
    )
    assert totals(owner) == {(date(2026, 6, 2), "Video posts"): 45 * 60}


def test_deleting_an_entry_removes_it_from_day_totals(owner):
    made = entry(owner, "Forum posts", at("2026-06-01 10:00", "Europe/London"), 60)
    services.delete_entry(made)
    assert totals(owner) == {}
    assert not Activity.objects.filter(pk=made.pk).exists()


def test_rebuild_day_totals_follows_a_time_zone_change(owner):
    entry(owner, "Forum posts", datetime(2026, 6, 1, 23, 30, tzinfo=UTC), 60)
    owner.time_zone = "Asia/Kolkata"
    owner.save()
    services.rebuild_day_totals(owner)
    # 23:30 UTC is 05:00 on 2 June in Kolkata: the whole hour now falls on one local day.
    assert totals(owner) == {(date(2026, 6, 2), "Forum posts"): 3600}


def test_add_category_refuses_a_duplicate_name_in_any_case(owner):
    with pytest.raises(ValidationError, match="already have a category called 'forum posts'"):
        services.add_category(owner, name="forum posts", tier="leadgen")


def test_archived_category_can_not_be_started(owner):
    archived = services.update_category(category(owner, "Web searches"), archived=True)
    with pytest.raises(ValidationError, match="archived"):
        services.start_timer(owner, archived, now=NOW)


def test_renaming_a_category_keeps_its_history(owner):
    made = entry(owner, "Forum posts", NOW - timedelta(hours=2), 30)
    services.update_category(category(owner, "Forum posts"), name="Forum threads", color="#ff0000")
    made.refresh_from_db()
    assert made.category.name == "Forum threads"
    assert made.category.color == "#ff0000"


def test_category_of_another_user_can_not_be_started(owner, other_user):
    with pytest.raises(ValidationError, match="belongs to someone else"):
        services.start_timer(owner, category(other_user, "Forum posts"), now=NOW)


def test_report_totals_per_tier_and_category(owner):
    entry(owner, "Prospect call", at("2026-06-01 19:00", "Europe/London"), 30)
    entry(owner, "Prospect call", at("2026-06-02 19:00", "Europe/London"), 45)
    entry(owner, "Forum posts", at("2026-06-02 09:00", "Europe/London"), 60)
    entry(owner, "Organizing", at("2026-06-03 09:00", "Europe/London"), 15)
    report = queries.report(owner, first=date(2026, 6, 2), last=date(2026, 6, 3))
    assert report.as_dict() == {
        "from": "2026-06-02",
        "to": "2026-06-03",
        "total_seconds": (45 + 60 + 15) * 60,
        "tiers": [
            {"tier": "income", "seconds": 45 * 60},
            {"tier": "leadgen", "seconds": 60 * 60},
            {"tier": "other", "seconds": 15 * 60},
        ],
        "categories": [
            {"tier": "income", "category": "Prospect call", "seconds": 45 * 60, "entries": 1},
            {"tier": "leadgen", "category": "Forum posts", "seconds": 60 * 60, "entries": 1},
            {"tier": "other", "category": "Organizing", "seconds": 15 * 60, "entries": 1},
        ],
    }


def test_today_counts_running_income_time_and_conversations(owner):
    day_start = at("2026-06-10 08:00", "Europe/London")
    entry(owner, "Prospect call", day_start, 30)
    services.start_timer(
        owner, category(owner, "Follow-up call"), now=day_start + timedelta(hours=1)
    )
    summary = queries.today(owner, now=day_start + timedelta(hours=1, minutes=20))
    assert summary.iga_seconds == 50 * 60
    assert summary.conversations == 2
    assert summary.running.category.name == "Follow-up call"
    assert summary.split.seconds == {"income": 50 * 60}
