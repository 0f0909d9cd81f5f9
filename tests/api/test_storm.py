"""The booking storm: 200 attempts through the public JSON endpoint, over real HTTP, against a
real gunicorn on the test database (SQLite here; PostgreSQL in the suite's PostgreSQL leg), by
40 clients at once aimed at five times. Exactly one booking per time, every other answer a 409,
no error and no 500.

The server runs with MAINTHING_RATE_LIMITS=off: the limits would (rightly) stop one address's
200 attempts, and they have their own tests (test_public_bookings.py).
"""

import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from mainthing.bookings import public
from mainthing.bookings.models import Appointment, MadeVia
from tests import processes
from tests.factories import UserFactory, block

CLIENTS = 40
ATTEMPTS = 200
TIMES = 5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


@pytest.fixture
def server(transactional_db):
    """gunicorn as `mainthing serve` runs it (two workers, four threads each) on the test
    database; yields its port."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "mainthing.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"],
        env=processes.environment(MAINTHING_RATE_LIMITS="off", MAINTHING_DEBUG="off"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz in 60 s"
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def stormed_page():
    """A page whose owner prospects around the clock (UTC), so there are free times whenever
    the test runs; the storm aims at five of tomorrow's."""
    user = UserFactory(email="storm@example.com", time_zone="UTC")
    block(user, "00:00", "23:30")
    page = public.page_for(user)
    page.slug = "storm"
    page.daily_cap = 500
    page.save()
    return page


def storm(port: int, bodies: list[dict]) -> tuple[Counter, list[str]]:
    """Sends the bodies from CLIENTS threads released together, each on its own keep-alive
    connection; counts the answers' statuses."""
    statuses: Counter = Counter()
    problems: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def client(mine: list[dict]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for body in mine:
            try:
                connection.request(
                    "POST",
                    "/api/v1/public/storm/bookings",
                    json.dumps(body),
                    {"Content-Type": "application/json"},
                )
                response = connection.getresponse()
                answer = json.loads(response.read())
                outcome = response.status
                if outcome not in (201, 409):
                    problems.append(f"{outcome}: {answer}")
            except (OSError, http.client.HTTPException, ValueError) as error:
                outcome = "error"
                problems.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                statuses[outcome] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(bodies[i::CLIENTS],)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return statuses, problems


def test_200_attempts_at_five_times_book_each_time_exactly_once(server, stormed_page):
    now = timezone.now()
    tomorrow = now + timedelta(days=1)
    offered = public.offered_slots(
        stormed_page, start=tomorrow, end=tomorrow + timedelta(hours=6), minutes=30, now=now
    )
    times = [start for start, _ in offered[:TIMES]]
    bodies = [
        {
            "start": times[n % TIMES].isoformat(),
            "minutes": 30,
            "name": f"Visitor {n}",
            "email": f"visitor{n}@example.com",
            "tz": "America/New_York",
            "idempotency_key": f"storm-{n}",
        }
        for n in range(ATTEMPTS)
    ]

    statuses, problems = storm(server, bodies)

    assert (dict(statuses), problems) == ({201: TIMES, 409: ATTEMPTS - TIMES}, [])
    booked = Appointment.objects.filter(user=stormed_page.user).order_by("start")
    assert [(a.start, a.made_via) for a in booked] == [(t, MadeVia.API) for t in times]
