"""Routine and calendar benchmarks (`python -m bench.calendar`, part of `make bench`).

Workload: one user with a year of routine (prospecting Mon-Sat 12-13 and 19-21, lead gen 9-10,
a skipped day every few weeks) and 10,000 appointments. Measures, in-process:
- free slots and fill rate for the next 60 days (budget 10 ms),
- the calendar week page, server time and query count (budget 40 ms),
- the calendar feed as a calendar app polls it, beside /healthz of the same client (150 ms),
and the 200-attempt booking storm at 10 slots on SQLite and, when a PostgreSQL URL is given,
on PostgreSQL (budget 3 s each). Every database is created fresh under MAINTHING_DATA_DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import common

BUDGETS = {"slots_fill_60d": 10.0, "calendar_week": 40.0, "feed": 150.0, "storm_s": 3.0}
APPOINTMENTS = 10_000


def _median_ms(func, runs: int) -> tuple[float, float]:
    """(median, fastest) in ms. The fastest run tells a busy machine from a slow path."""
    samples = common.samples_ms(func, runs=runs, warmup=1)
    return statistics.median(samples), min(samples)


def _make_user(email: str):
    from datetime import UTC, datetime, timedelta
    from datetime import time as clock

    from mainthing import onboarding
    from mainthing.accounts.models import User
    from mainthing.bookings.models import Appointment
    from mainthing.routine import services as routine

    User.objects.filter(email=email).delete()
    user = onboarding.create_account(
        email=email, password="bench-password-1", time_zone="America/Chicago"
    )
    today = datetime.now(UTC).date()
    start_of_year = today - timedelta(days=300)
    for tier, days, start, end in [
        ("leadgen", "Mon-Sat", clock(9), clock(10)),
        ("income", "Mon-Sat", clock(12), clock(13)),
        ("income", "Mon-Sat", clock(19), clock(21)),
    ]:
        block = routine.add_block(
            user,
            tier=tier,
            days=days,
            start=start,
            end=end,
            valid_from=start_of_year,
            valid_until=start_of_year + timedelta(days=365),
            today=start_of_year,
        )
        for week in range(0, 52, 3):
            routine.set_exception(
                block, day=start_of_year + timedelta(days=7 * week + 2), today=start_of_year
            )
    # 10k appointments: the next 60 days half-booked inside the prospecting blocks (three calls
    # a day), the rest held in the past, a dozen a day, completed.
    from mainthing.routine import queries as routine_queries

    rows = []
    now = datetime.now(UTC)
    blocks = routine_queries.occurrences_between(user, now, now + timedelta(days=60), tier="income")
    for occurrence in blocks:
        for k in range(0, occurrence.minutes // 30, 2):
            begin = occurrence.start + timedelta(minutes=30 * k)
            rows.append(
                Appointment(
                    user=user,
                    prospect_name=f"Prospect {len(rows)}",
                    start=begin,
                    end=begin + timedelta(minutes=30),
                )
            )
    past = APPOINTMENTS - len(rows)
    for n in range(past):
        day = today - timedelta(days=1 + n // 12)
        begin = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(
            minutes=60 * (n % 12)
        )
        rows.append(
            Appointment(
                user=user,
                prospect_name=f"Prospect {len(rows)}",
                start=begin,
                end=begin + timedelta(minutes=30),
                status="completed",
            )
        )
    Appointment.objects.bulk_create(rows, batch_size=2000)
    return user


def measure_in_process(database_url: str) -> dict:
    common.setup_server(database_url)
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from mainthing.bookings import feeds, fillrate, queries
    from mainthing.core.enums import Tier
    from mainthing.routine import queries as routine_queries

    user = _make_user("calendar-bench@mainthing.local")
    total = user.appointment_set.count()
    now = timezone.now()
    horizon = now + timedelta(days=60)

    def slots_and_fill():
        blocks = routine_queries.occurrences_between(user, now, horizon, tier=Tier.INCOME)
        booked = queries.booked_intervals(user, now, horizon)
        found = queries.free_slots(user, now, horizon, now=now, blocks=blocks, booked=booked)
        fill = fillrate.fill([(b.start, b.end) for b in blocks], booked)
        return len(found), fill.percent

    slot_count, fill_percent = slots_and_fill()
    client = Client()
    client.force_login(user)

    def week_page():
        response = client.get("/calendar/")
        assert response.status_code == 200, response.status_code

    calendar_queries = common.queries_run(week_page)
    slots_median, slots_min = _median_ms(slots_and_fill, 50)
    week_median, week_min = _median_ms(week_page, 30)

    # The calendar feed as a calendar app polls it (anonymous, by its token), beside /healthz
    # through the same client: the baseline of the same run.
    feed_url = f"/feeds/{feeds.rotate_feed_token(user)}.ics"
    anonymous = Client()
    events = []

    def feed():
        response = anonymous.get(feed_url)
        assert response.status_code == 200, response.status_code
        events.append(response.content.count(b"BEGIN:VEVENT"))

    def healthz():
        assert anonymous.get("/healthz").status_code == 200

    feed_median, feed_min = _median_ms(feed, 20)
    healthz_median, _ = _median_ms(healthz, 50)
    return {
        "appointments": total,
        "slots_fill_60d": slots_median,
        "slots_fill_60d_min": slots_min,
        "slots_found": slot_count,
        "fill_percent_60d": fill_percent,
        "calendar_week": week_median,
        "calendar_week_min": week_min,
        "calendar_queries": calendar_queries,
        "feed": feed_median,
        "feed_min": feed_min,
        "feed_events": events[-1],
        "healthz": healthz_median,
    }


def storm(database_url: str) -> dict:
    """200 booking attempts at 10 slots by 40 threads; exactly 10 must win."""
    common.setup_server(database_url)
    import random
    import threading
    from datetime import UTC, datetime, timedelta
    from datetime import time as clock

    from django.db import connection

    from mainthing import onboarding
    from mainthing.accounts.models import User
    from mainthing.bookings import services
    from mainthing.routine import services as routine

    User.objects.filter(email="storm@mainthing.local").delete()
    user = onboarding.create_account(
        email="storm@mainthing.local", password="bench-password-1", time_zone="UTC"
    )
    now = datetime.now(UTC)
    tomorrow = (now + timedelta(days=1)).date()
    routine.add_block(
        user, tier="income", days="daily", start=clock(14), end=clock(19), today=now.date()
    )
    first = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 14, tzinfo=UTC)
    requests = [first + timedelta(minutes=30 * (i % 10)) for i in range(200)]
    random.Random(3).shuffle(requests)
    threads_n = 40
    barrier = threading.Barrier(threads_n + 1)
    counts = {"booked": 0, "taken": 0, "errors": 0}
    lock = threading.Lock()

    def worker(mine):
        try:
            barrier.wait()
            for start in mine:
                try:
                    services.book(user, prospect_name="Storm", start=start, now=now)
                    outcome = "booked"
                except services.SlotTaken:
                    outcome = "taken"
                except Exception:  # counted, not raised: the figure is what matters
                    outcome = "errors"
                with lock:
                    counts[outcome] += 1
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(requests[i::threads_n],)) for i in range(threads_n)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"storm_s": time.perf_counter() - started, **counts}


def _in_subprocess(command: str, database_url: str) -> dict:
    out = common.data_dir() / f"calendar-{command}.json"
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.calendar",
            "--worker",
            command,
            "--database-url",
            database_url,
            "--out",
            str(out),
        ],
        check=False,
    )
    if done.returncode != 0 or not out.exists():
        sys.exit(f"bench.calendar: {command} failed on {database_url.split(':')[0]}")
    return json.loads(out.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=["measure", "storm"])
    parser.add_argument("--database-url")
    parser.add_argument("--out")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("MAINTHING_BENCH_POSTGRES_URL", ""),
        help="also run on this PostgreSQL URL (default: $MAINTHING_BENCH_POSTGRES_URL)",
    )
    args = parser.parse_args()
    if args.worker:
        func = measure_in_process if args.worker == "measure" else storm
        Path(args.out).write_text(json.dumps(func(args.database_url)))
        return 0

    data = common.data_dir()
    sqlite_file = data / "calendar.sqlite3"
    common.fresh_sqlite(sqlite_file)
    sqlite_url = f"sqlite:///{sqlite_file}"
    results = {
        "sqlite": {**_in_subprocess("measure", sqlite_url), **_in_subprocess("storm", sqlite_url)}
    }
    if args.postgres:
        common.fresh_postgres_database(args.postgres)
        results["postgres"] = {
            **_in_subprocess("measure", args.postgres),
            **_in_subprocess("storm", args.postgres),
        }

    print("\nRoutine and calendar (1 year of routine, 10,000 appointments)")
    print(f"{'measure':44} {'database':10} {'figure':>12} {'budget':>10}  verdict   fastest")
    rows = [
        ("slots + fill rate, next 60 days (median)", "slots_fill_60d", "ms"),
        ("calendar week page, server time (median)", "calendar_week", "ms"),
        ("calendar feed, 14 days back to 8 weeks ahead", "feed", "ms"),
        ("booking storm: 200 attempts, 10 slots", "storm_s", "s"),
    ]
    for db, figures in results.items():
        for label, key, unit in rows:
            value, budget = figures[key], BUDGETS[key]
            verdict = "PASS" if value <= budget else "OVER"
            fastest = figures.get(f"{key}_min")
            best = f"{fastest:>8.2f} {unit}" if fastest is not None else ""
            figure = f"{value:>9.2f} {unit:2} {budget:>7.1f} {unit:2}"
            print(f"{label:44} {db:10} {figure}  {verdict:7} {best}")
        print(
            f"{'':44} {db:10} storm outcome: {figures['booked']} booked, {figures['taken']} taken,"
            f" {figures['errors']} errors; calendar page {figures['calendar_queries']} queries;"
            f" {figures['slots_found']} free slots, {figures['fill_percent_60d']}% filled"
        )
        print(
            f"{'':44} {db:10} feed: {figures['feed_events']} events in"
            f" {figures['feed']:.1f} ms = {figures['feed'] / figures['healthz']:.0f}x"
            f" /healthz ({figures['healthz']:.2f} ms) in the same run"
        )
    (data / "calendar-results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
