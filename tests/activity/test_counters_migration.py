"""Migration 0006 fills the day totals' insight counters of a database upgraded with entries."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.migrating import migrate

BEFORE = "0005_day_total_insight_counters"
AFTER = "0006_fill_day_total_insight_counters"
NY = "America/New_York"


@pytest.fixture
def at_0005(transactional_db):
    apps = migrate("activity", BEFORE)
    yield apps
    migrate("activity")


def ledger(apps, user, rows):
    """Categories and their entries written as rows; returns the categories by name."""
    Activity = apps.get_model("activity", "Activity")
    Category = apps.get_model("activity", "Category")
    made = {}
    for name, tier, start, seconds, extra in rows:
        category = made.get(name) or Category.objects.create(user=user, name=name, tier=tier)
        made[name] = category
        end = start + timedelta(seconds=seconds)
        Activity.objects.create(
            user=user, category=category, start=start, end=end, seconds=seconds, **extra
        )
    return made


def test_the_counters_are_filled_from_the_entries_in_each_users_zone(at_0005):
    apps = at_0005
    User = apps.get_model("accounts", "User")
    ImportBatch = apps.get_model("core", "ImportBatch")
    dana = User.objects.create(email="dana@example.com", time_zone=NY)
    ken = User.objects.create(email="ken@example.com", time_zone="Asia/Tokyo")
    staging = ImportBatch.objects.create(
        user=dana, kind="activities", heartbeat_at=datetime.now(UTC)
    )
    late = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)  # 23:30 EDT on 31 October
    DayTotal = apps.get_model("activity", "DayTotal")
    made = ledger(
        apps,
        dana,
        [
            ("Prospect call", "income", datetime(2026, 6, 10, 23, 0, tzinfo=UTC), 120, {}),
            ("Prospect call", "income", datetime(2026, 6, 10, 23, 30, tzinfo=UTC), 119, {}),
            (
                "Prospect call", "income", datetime(2026, 6, 11, 1, 0, tzinfo=UTC), 60,
                {"origin": "appointment"},
            ),
            # Across local midnight and the fall-back night: 30 minutes, then 2.5 hours.
            ("Organizing", "other", late, 3 * 3600, {"iga_override": True}),
            ("Forum posts", "leadgen", late, 600, {"origin": "appointment"}),
            # An import not yet published: counted when it is, not here.
            (
                "Prospect call", "income", datetime(2026, 6, 12, 23, 0, tzinfo=UTC), 900,
                {"import_batch": staging.pk},
            ),
        ],
    )  # fmt: skip
    call, organizing = made["Prospect call"], made["Organizing"]
    DayTotal.objects.create(user=dana, day=date(2026, 6, 10), category=call, seconds=299, entries=3)
    # Counters from an earlier run (before a reverse) start again from the entries.
    DayTotal.objects.create(
        user=dana, day=date(2026, 6, 12), category=call, seconds=0, conversations=4, overrides=1
    )
    DayTotal.objects.create(user=dana, day=date(2026, 10, 31), category=organizing, seconds=1800)
    # A day total the services missed gets the counters, its seconds left as they were.
    ledger(apps, ken, [("Prospect call", "income", datetime(2026, 6, 10, tzinfo=UTC), 600, {})])

    migrate("activity", AFTER)

    rows = DayTotal.objects.values_list(
        "user__email", "day", "category__name", "seconds", "entries",
        "conversations", "prescheduled", "overrides", "override_seconds",
    ).order_by("user__email", "day", "category__name")  # fmt: skip
    assert list(rows) == [
        ("dana@example.com", date(2026, 6, 10), "Prospect call", 299, 3, 2, 1, 0, 0),
        ("dana@example.com", date(2026, 6, 12), "Prospect call", 0, 0, 0, 0, 0, 0),
        ("dana@example.com", date(2026, 10, 31), "Organizing", 1800, 0, 0, 0, 1, 1800),
        ("dana@example.com", date(2026, 11, 1), "Organizing", 0, 0, 0, 0, 0, 9000),
        ("ken@example.com", date(2026, 6, 10), "Prospect call", 0, 0, 1, 0, 0, 0),
    ]
