"""The public booking JSON API (`python -m bench.booking`, part of `make bench`).

Workload, in a fresh database per run (SQLite `booking.sqlite3` under MAINTHING_DATA_DIR; with
--postgres URL or MAINTHING_BENCH_POSTGRES_URL, also that PostgreSQL database, dropped and
created): two users, each with a year of appointments behind them (a dozen a day, completed).
- `marketer` (America/Chicago): prospecting Mon-Sat 12:00-13:00 and 19:00-21:00, the next 14
  days half booked; their page offers 30-minute calls 14 days ahead (the page's defaults).
- `storm` (UTC): prospecting every day 00:00-23:30, so there are times enough to book.

Measured:
(a) GET /api/v1/public/<marketer>/slots for the whole 14-day horizon, in-process through
    Django's test client (the whole middleware stack): median, p95 and fastest of 50 after
    two warm-ups, and the query count. Budget: 20 ms.
(b) a real gunicorn (as `mainthing serve` runs it: two workers, four threads) on a free
    loopback port with MAINTHING_RATE_LIMITS=off; 10 clients, each on its own keep-alive
    connection, released together:
    - GET /healthz, 100 each: requests/s, the reference;
    - GET the marketer's slots (as above), 20 each: requests/s and its share of /healthz's;
    - POST bookings for the storm user: 400 attempts at 200 free times, each time wanted by
      two clients: requests/s, p50/p95, answers (201/409), errors (anything else) and, read
      from the database afterwards, double bookings (overlapping active calls). Errors and
      double bookings must be 0.
Results go to var/bench/booking-results.json.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench import common

BUDGET_SLOTS_MS = 20.0
CLIENTS = 10
HEALTHZ_EACH, SLOTS_EACH = 100, 20
BOOKING_TIMES = 200  # each wanted by two clients: 400 attempts
PAST_DAYS, PAST_PER_DAY = 365, 12
MARKETER, STORM = "marketer@bench.invalid", "storm@bench.invalid"


# --- in the worker process (Django set up on the database) ---------------------------------------


def _user(email: str, tz: str, blocks: list[tuple[str, str, str]]):
    from datetime import UTC, datetime, timedelta
    from datetime import time as clock

    from mainthing import onboarding
    from mainthing.bookings import public
    from mainthing.bookings.models import Appointment
    from mainthing.routine import services as routine

    user = onboarding.create_account(email=email, password="bench-password-1", time_zone=tz)
    today = datetime.now(UTC).date()
    for days, start, end in blocks:
        routine.add_block(
            user,
            tier="income",
            days=days,
            start=clock.fromisoformat(start),
            end=clock.fromisoformat(end),
            valid_from=today - timedelta(days=PAST_DAYS + 1),
            today=today - timedelta(days=PAST_DAYS + 1),
        )
    rows = []
    for n in range(PAST_DAYS * PAST_PER_DAY):
        day = today - timedelta(days=1 + n // PAST_PER_DAY)
        begin = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(
            hours=n % PAST_PER_DAY
        )
        rows.append(
            Appointment(
                user=user,
                prospect_name=f"Prospect {n}",
                start=begin,
                end=begin + timedelta(minutes=30),
                status="completed",
            )
        )
    Appointment.objects.bulk_create(rows, batch_size=2000)
    page = public.page_for(user)
    page.slug = email.split("@")[0]
    page.daily_cap = 1000
    page.save()
    return user, page


def prepare(database_url: str) -> dict:
    """Makes both users; returns the storm user's free times to aim at (ISO instants)."""
    common.setup_server(database_url)
    from datetime import timedelta

    from django.utils import timezone

    from mainthing.bookings import public
    from mainthing.bookings.models import Appointment

    marketer, page = _user(
        MARKETER, "America/Chicago", [("Mon-Sat", "12:00", "13:00"), ("Mon-Sat", "19:00", "21:00")]
    )
    now = timezone.now()
    ahead = public.offered_slots(
        page, start=now, end=public.horizon_end(page, now), minutes=30, now=now
    )
    Appointment.objects.bulk_create(
        Appointment(user=marketer, prospect_name=f"Booked {n}", start=start, end=end)
        for n, (start, end) in enumerate(ahead[::2])
    )
    _, storm_page = _user(STORM, "UTC", [("daily", "00:00", "23:30")])
    tomorrow = now + timedelta(days=1)
    free = public.offered_slots(
        storm_page, start=tomorrow, end=public.horizon_end(storm_page, now), minutes=30, now=now
    )
    if len(free) < BOOKING_TIMES:
        raise SystemExit(f"only {len(free)} free times for the storm user")
    return {
        "appointments_each": Appointment.objects.filter(user=marketer).count(),
        "booked_ahead": len(ahead[::2]),
        "storm_times": [start.isoformat() for start, _ in free[:BOOKING_TIMES]],
    }


def measure_slots(database_url: str) -> dict:
    """(a): the slots endpoint's server time, in-process."""
    common.setup_server(database_url)
    from django.test import Client

    client = Client()
    url = f"/api/v1/public/{MARKETER.split('@')[0]}/slots?tz=Europe/London"

    def fetch():
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return response

    slots = len(fetch().json()["slots"])
    queries = common.queries_run(fetch)
    samples = common.samples_ms(fetch, runs=50, warmup=2)
    return {
        "slots_ms": statistics.median(samples),
        "slots_p95_ms": _percentile(samples, 0.95),
        "slots_min_ms": min(samples),
        "slots_queries": queries,
        "slots_count": slots,
    }


def check(database_url: str) -> dict:
    """After the storm: the storm user's calls, and any two active ones that overlap."""
    common.setup_django(database_url)
    from mainthing.bookings.models import ACTIVE, Appointment

    calls = list(
        Appointment.objects.filter(ACTIVE, user__email=STORM, made_via="api")
        .order_by("start")
        .values_list("start", "end")
    )
    overlapping = sum(1 for (_, end), (start, _) in itertools.pairwise(calls) if start < end)
    return {"booked_in_database": len(calls), "double_bookings": overlapping}


# --- in the driver process (no Django) ------------------------------------------------------------


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _worker(command: str, database_url: str) -> dict:
    (common.data_dir() / "static").mkdir(exist_ok=True)  # no warning from WhiteNoise
    out = common.data_dir() / f"booking-{command}.json"
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.booking", "--worker", command,
         "--database-url", database_url, "--out", str(out)],
        check=False,
    )  # fmt: skip
    if done.returncode != 0 or not out.exists():
        sys.exit(f"bench.booking: {command} failed on {database_url.split(':')[0]}")
    return json.loads(out.read_text())


class Server:
    """gunicorn on a free loopback port, on `database_url`, rate limits off."""

    def __init__(self, database_url: str):
        self.port = _free_port()
        env = {
            **os.environ,
            "MAINTHING_DATABASE_URL": database_url,
            "MAINTHING_RATE_LIMITS": "off",
            "MAINTHING_DATA_DIR": str(common.data_dir()),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "mainthing.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit("bench.booking: gunicorn did not start")
            time.sleep(0.2)

    def _healthy(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def load(port: int, requests: list[list[tuple[str, str, bytes | None]]]) -> dict:
    """Each inner list is one client's requests (method, path, body), sent in order on its own
    keep-alive connection; all clients are released together. Returns requests/s, latency
    percentiles and the answers' statuses ("error" for a failed connection)."""
    statuses: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(requests) + 1)

    def client(mine):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for method, path, body in mine:
            began = time.perf_counter()
            try:
                headers = {"Content-Type": "application/json"} if body else {}
                connection.request(method, path, body, headers)
                response = connection.getresponse()
                response.read()
                outcome = response.status
            except (OSError, http.client.HTTPException):
                outcome = "error"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            took = time.perf_counter() - began
            with lock:
                statuses[outcome] += 1
                latencies.append(took * 1000)
        connection.close()

    threads = [threading.Thread(target=client, args=(mine,)) for mine in requests]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / wall,
        "p50_ms": _percentile(latencies, 0.5),
        "p95_ms": _percentile(latencies, 0.95),
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
    }


def booking_requests(times: list[str]) -> list[list[tuple[str, str, bytes]]]:
    """400 attempts at `times`, each time wanted by two neighbouring clients at about the same
    moment (attempt n aims at time n // 2 and goes to client n % CLIENTS)."""
    path = f"/api/v1/public/{STORM.split('@')[0]}/bookings"
    clients: list[list] = [[] for _ in range(CLIENTS)]
    for n in range(2 * len(times)):
        body = {
            "start": times[n // 2],
            "minutes": 30,
            "name": f"Visitor {n}",
            "email": f"visitor{n}@example.com",
            "tz": "America/New_York",
        }
        clients[n % CLIENTS].append(("POST", path, json.dumps(body).encode()))
    return clients


def run(database_url: str) -> dict:
    prepared = _worker("prepare", database_url)
    result = {"appointments_each": prepared["appointments_each"], **_worker("slots", database_url)}
    server = Server(database_url)
    try:
        slots_path = f"/api/v1/public/{MARKETER.split('@')[0]}/slots?tz=Europe/London"
        result["healthz"] = load(
            server.port, [[("GET", "/healthz", None)] * HEALTHZ_EACH for _ in range(CLIENTS)]
        )
        result["slots_http"] = load(
            server.port, [[("GET", slots_path, None)] * SLOTS_EACH for _ in range(CLIENTS)]
        )
        result["bookings"] = load(server.port, booking_requests(prepared["storm_times"]))
    finally:
        server.stop()
    result.update(_worker("check", database_url))
    result["slots_share_of_healthz"] = (
        result["slots_http"]["per_second"] / result["healthz"]["per_second"]
    )
    return result


def report(results: dict) -> bool:
    """Prints the tables; False when a check failed (errors or double bookings)."""
    ok = True
    for db, r in results.items():
        print(
            f"\nPublic booking JSON on {db} ({r['appointments_each']:,} appointments per user; "
            f"{CLIENTS} clients over HTTP)"
        )
        verdict = common.verdict(r["slots_ms"], BUDGET_SLOTS_MS)
        print(
            f"(a) slots, 14 days, in-process: median {r['slots_ms']:.1f} ms, p95 "
            f"{r['slots_p95_ms']:.1f} ms, fastest {r['slots_min_ms']:.1f} ms "
            f"(budget {BUDGET_SLOTS_MS:.0f} ms: {verdict}); {r['slots_queries']} queries, "
            f"{r['slots_count']} slots"
        )
        print(f"    {'over HTTP':28}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}  answers")
        for label, key in [
            ("(c) /healthz", "healthz"),
            ("(c) slots", "slots_http"),
            ("(b) bookings", "bookings"),
        ]:
            figures = r[key]
            print(
                f"    {label:28}{figures['requests']:>9}{figures['per_second']:>9.1f}"
                f"{figures['p50_ms']:>9.1f}{figures['p95_ms']:>9.1f}  {figures['statuses']}"
            )
        statuses = r["bookings"]["statuses"]
        errors = sum(v for k, v in statuses.items() if k not in ("201", "409"))
        booked = statuses.get("201", 0)
        print(
            f"    slots' throughput is {100 * r['slots_share_of_healthz']:.0f}% of /healthz's; "
            f"bookings: {booked} booked ({r['booked_in_database']} in the database) of "
            f"{BOOKING_TIMES} times, {errors} errors, {r['double_bookings']} double bookings"
        )
        ok = ok and errors == 0 and r["double_bookings"] == 0
        ok = ok and booked == r["booked_in_database"] == BOOKING_TIMES
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["prepare", "slots", "check"])
    parser.add_argument("--database-url")
    parser.add_argument("--out")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("MAINTHING_BENCH_POSTGRES_URL", ""),
        help="also run on this PostgreSQL URL, dropped and created (default: "
        "$MAINTHING_BENCH_POSTGRES_URL)",
    )
    args = parser.parse_args()
    if args.worker:
        func = {"prepare": prepare, "slots": measure_slots, "check": check}[args.worker]
        Path(args.out).write_text(json.dumps(func(args.database_url)))
        return 0

    sqlite_file = common.data_dir() / "booking.sqlite3"
    common.fresh_sqlite(sqlite_file)
    results = {"sqlite": run(f"sqlite:///{sqlite_file}")}
    if args.postgres:
        common.fresh_postgres_database(args.postgres)
        results["postgresql"] = run(args.postgres)
    ok = report(results)
    (common.data_dir() / "booking-results.json").write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
