"""The benchmark ledger generator keeps the daily pattern and the ledger's invariants.

No timings here: benchmarks run with `make bench`.
"""

import csv
from collections import Counter
from datetime import date, datetime, time
from itertools import pairwise

import pytest

from bench import generate, prospects
from mainthing.activity.models import Activity, Category
from mainthing.core import timekit
from mainthing.routine.models import Block
from tests.recount import recount, stored

# Three weeks across the spring-forward night in Chicago (2026-03-08).
LAST_DAY = date(2026, 3, 20)
DAYS = 21
TOTAL = 400


@pytest.fixture
def bench_user(db):
    return generate.create_bench_user("bench@example.com")


def plan() -> list[generate.Entry]:
    return list(generate.plan_entries(TOTAL, last_day=LAST_DAY, days=DAYS))


def test_plan_is_deterministic_and_exact_in_size():
    assert plan() == plan()
    assert len(plan()) == TOTAL


def test_plan_covers_the_three_tiers_in_their_windows():
    tz = timekit.zone(generate.ZONE)
    entries = plan()
    assert set(Counter(e.tier for e in entries)) == {"income", "leadgen", "other"}
    for e in entries:
        wall = e.start.astimezone(tz).time()
        if e.tier == "income":
            assert wall >= time(19, 0), "prospect calls happen in the evening"
        if e.iga_override:
            assert e.tier != "income"
            assert time(19, 0) <= wall < time(21, 0)
    assert all(e.prospect_name for e in entries if e.tier == "income")


def test_plan_makes_weekends_lighter_and_the_last_day_typical():
    tz = timekit.zone(generate.ZONE)
    per_day = Counter(timekit.local_date(e.start, tz) for e in plan())
    weekdays = [n for d, n in per_day.items() if d.weekday() < 5 and d != LAST_DAY]
    sundays = [n for d, n in per_day.items() if d.weekday() == 6]
    assert max(sundays) < min(weekdays)
    assert per_day[LAST_DAY] == generate.TYPICAL_DAY_ENTRIES


def test_plan_entries_never_overlap_and_stay_short():
    entries = plan()
    assert all(a.end <= b.start for a, b in pairwise(entries))
    assert all(0 < (e.end - e.start).total_seconds() <= 90 * 60 for e in entries)


def test_written_ledger_has_about_thirty_categories_across_the_tiers(bench_user):
    generate.write_ledger(bench_user, plan())

    tiers = Counter(Category.objects.filter(user=bench_user).values_list("tier", flat=True))
    assert sum(tiers.values()) == 30
    assert set(tiers) == {"income", "leadgen", "other"}
    assert Category.objects.filter(user=bench_user, archived=True).count() == 3
    blocks = Block.objects.filter(user=bench_user).values_list("tier", "weekdays", "start", "end")
    assert sorted(blocks) == [
        ("income", "1111111", time(19, 0), time(21, 0)),
        ("leadgen", "1111111", time(7, 30), time(12, 0)),
    ]


def test_written_ledger_has_every_entry_and_no_overlaps(bench_user):
    written, _ = generate.write_ledger(bench_user, plan())

    rows = list(Activity.objects.filter(user=bench_user).order_by("start").values_list(
        "start", "end", "seconds"
    ))  # fmt: skip
    assert written == len(rows) == TOTAL
    assert all(a[1] <= b[0] for a, b in pairwise(rows))
    assert all(seconds == timekit.elapsed_seconds(s, e) for s, e, seconds in rows)


def test_written_ledger_day_totals_match_its_entries(bench_user):
    generate.write_ledger(bench_user, plan())

    counted = recount(bench_user)
    assert stored(bench_user) == counted
    # The plan has conversations and overrides to count, so the counters are really checked.
    conversations, overrides = (sum(row[i] for row in counted.values()) for i in (2, 4))
    assert (conversations > 0, overrides > 0) == (True, True)


# Not in a test's transaction: on PostgreSQL the workload ends with a VACUUM.
def test_the_prospects_workloads_completed_calls_are_in_the_day_totals(transactional_db):
    user = prospects.make_workload("calls@example.com", prospects=300)["user"]

    counted = recount(user)
    assert stored(user) == counted
    # Its year of completed calls: 60 pre-scheduled conversations.
    assert sum(row[3] for row in counted.values()) == 60


def test_late_calls_cross_midnight_without_overlapping_the_next_day():
    entries = list(generate.plan_entries(20_000, last_day=LAST_DAY, days=400))
    tz = timekit.zone(generate.ZONE)
    late = [e for e in entries if e.start.astimezone(tz).date() != e.end.astimezone(tz).date()]
    assert late
    assert all(a.end <= b.start for a, b in pairwise(entries))


def test_csv_holds_the_same_entries_with_local_offsets(tmp_path):
    path = tmp_path / "ledger.csv"

    written = generate.write_csv(path, plan())

    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert written == len(rows) == TOTAL
    assert list(rows[0]) == ["start", "end", "category", "tier", "note"]
    first = plan()[0]
    assert datetime.fromisoformat(rows[0]["start"]) == first.start
    assert rows[0]["start"].endswith("-06:00")
    assert (rows[0]["category"], rows[0]["tier"]) == (first.category, first.tier)
