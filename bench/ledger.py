"""The ledger measurements, run inside one Django process per database (`python -m bench.ledger`).

`python -m bench` starts this module as a subprocess with MAINTHING_DATABASE_URL pointing at
one size's database, so every size gets its own settings, connection and peak-memory figure.
Each command writes one JSON object to the file named by --out.

    prepare  create the bench user and generate the ledger (timed)
    measure  reports and Today in-process; start/stop, reports through the CLI; start/stop
             through HTTP against a gunicorn subprocess
    import   validate and apply a Mainthing CSV into a new, empty user (timed; peak RSS)
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

from bench import common

BENCH_NOTE = "bench start/stop"
BIN = Path(sys.executable).parent


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def summarize(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(p95, 3),
        "min_ms": round(ordered[0], 3),
        "max_ms": round(ordered[-1], 3),
        "runs": len(ordered),
    }


def timed(func: Callable[[], object], *, runs: int, warmup: int = 2) -> dict:
    return summarize(common.samples_ms(func, runs=runs, warmup=warmup))


def _setup_django() -> None:
    """Start up as a server worker does: load the WSGI application (which also moves the
    start-up objects out of the garbage collector's way, see mainthing/wsgi.py)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mainthing.settings")
    import mainthing.wsgi  # noqa: F401


# --- prepare -------------------------------------------------------------------------------------


def prepare(email: str, entries: int, last_day: date) -> dict:
    from bench import generate

    began = time.perf_counter()
    user = generate.create_bench_user(email)
    plan = generate.plan_entries(entries, last_day=last_day)
    written, timings = generate.write_ledger(user, plan)
    return {
        "entries": written,
        "seconds": round(time.perf_counter() - began, 2),
        **timings,
        "peak_rss_mb": peak_rss_mb(),
    }


# --- measure -------------------------------------------------------------------------------------


def _today_page(user, moment: datetime, *, runs: int) -> dict:
    """Server time of GET / in-process (full middleware stack), with `now` fixed at `moment`."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from mainthing.activity import queries

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/")
        # Read now: the next request resets the connection's query log.
        query_count = len(captured.captured_queries)
        if response.status_code != 200:
            raise RuntimeError(f"Today answered {response.status_code}")
        shown = len(queries.today(user, now=moment).entries)
        figures = timed(lambda: client.get("/"), runs=runs)
    return {**figures, "queries": query_count, "entries_shown": shown}


def _average_weekday(last_day: date) -> date:
    """A weekday a fortnight before the last day: an average day of the ledger."""
    day = last_day - timedelta(days=14)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _cli(args: list[str], *, runs: int, check: bool = True) -> dict:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(
            [str(BIN / "mainthing"), *args], capture_output=True, text=True, check=False
        )
        samples.append((time.perf_counter() - began) * 1000)
        if check and done.returncode != 0:
            raise RuntimeError(f"mainthing {' '.join(args)} failed: {done.stderr.strip()}")
    return summarize(samples)


def _cli_start_stop(email: str, *, runs: int) -> dict:
    start, stop = [], []
    for _ in range(runs):
        start.append(
            _cli(["--user", email, "start", "Prospect call", "--note", BENCH_NOTE], runs=1)
        )
        stop.append(_cli(["--user", email, "stop"], runs=1))
    return {
        "start": summarize([s["median_ms"] for s in start]),
        "stop": summarize([s["median_ms"] for s in stop]),
    }


class HttpSession:
    """Cookies and one keep-alive connection to the server; times each request."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        body = urlencode(form) if form is not None else None
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - began) * 1000
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response, data.decode("utf-8", "replace"), elapsed

    def close(self) -> None:
        self.connection.close()


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(log_path: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "mainthing.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/healthz", headers={"Host": f"127.0.0.1:{port}"})
            if probe.getresponse().status == 200:
                probe.close()
                return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log_path}")


def _http_start_stop(email: str, password: str, category_id: int, *, runs: int, log: Path) -> dict:
    """POST start and stop through a real gunicorn over loopback, after a form login."""
    server, port = _start_server(log)
    try:
        session = HttpSession(port)
        status, _, page, _ = session.request("GET", "/accounts/login/")
        token = _CSRF_INPUT.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page answered {status} without a CSRF token")
        status, _, _, login_ms = session.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token[1], "username": email, "password": password},
        )
        if status != 302 or "sessionid" not in session.cookies:
            raise RuntimeError(f"login answered {status}; is MAINTHING_RATE_LIMITS off?")
        status_today, _, page, today_ms = session.request("GET", "/")
        found = _CSRF_INPUT.search(page) if status_today == 200 else None
        # The token from the Today page's forms, as a browser would post it; should that page
        # fail, the cookie's secret is a token Django accepts as well.
        token = found[1] if found else session.cookies.get("csrftoken", "")
        start_form = {
            "csrfmiddlewaretoken": token, "category": str(category_id), "note": BENCH_NOTE,
        }  # fmt: skip
        stop_form = {"csrfmiddlewaretoken": token}
        starts, stops = [], []
        for index in range(runs + 5):
            status, _, _, start_ms = session.request("POST", "/activity/start/", start_form)
            if status != 302:
                raise RuntimeError(f"start answered {status}")
            status, _, _, stop_ms = session.request("POST", "/activity/stop/", stop_form)
            if status != 302:
                raise RuntimeError(f"stop answered {status}")
            if index >= 5:  # the first few warm the worker up
                starts.append(start_ms)
                stops.append(stop_ms)
        session.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "start": summarize(starts),
        "stop": summarize(stops),
        "login_ms": round(login_ms, 2),
        "today_over_http_ms": round(today_ms, 2),
        "today_over_http_status": status_today,
    }


def _remove_bench_entries(user) -> int:
    """Deletes the entries start/stop made, through the service, so day totals stay right."""
    from mainthing.activity import services
    from mainthing.activity.models import Activity

    services.stop_timer(user, now=datetime.now().astimezone())
    made = list(Activity.objects.select_related("user").filter(user=user, note=BENCH_NOTE))
    for entry in made:
        services.delete_entry(entry)
    return len(made)


def _attempt(results: dict, name: str, func: Callable[[], object]) -> None:
    """Runs one measurement; a failure is recorded and the others still run."""
    try:
        results[name] = func()
    except Exception as error:  # a benchmark reports a failure and goes on
        results[name] = {"error": f"{type(error).__name__}: {error}"}
        print(f"bench: {name} failed: {results[name]['error']}", file=sys.stderr)


def measure(email: str, last_day: date, *, quick: bool, data_dir: Path, label: str) -> dict:
    from bench import generate
    from mainthing.accounts.models import User
    from mainthing.activity import queries
    from mainthing.activity.models import Activity, Category, DayTotal
    from mainthing.core import timekit

    user = User.objects.get(email=email)
    tz = timekit.zone(user.time_zone)
    in_process_runs = 5 if quick else 20
    cli_runs = 2 if quick else 5
    http_runs = 15 if quick else 50
    _remove_bench_entries(user)  # left over from an interrupted run
    results: dict = {
        "entries": Activity.objects.filter(user=user).count(),
        "day_totals": DayTotal.objects.filter(user=user).count(),
        "last_day": last_day.isoformat(),
    }
    week_first = timekit.week_start(last_day)
    week_last = week_first + timedelta(days=6)
    # The evening of the ledger's last day, after the prospecting block: a full, typical day.
    moment = timekit.localize(datetime.combine(last_day, clock(21, 45)), tz)
    average_day = _average_weekday(last_day)
    late = timekit.localize(datetime.combine(average_day, clock(23, 45)), tz)
    category = Category.objects.get(user=user, name="Prospect call")
    log = data_dir / f"gunicorn-{label}.log"

    _attempt(
        results, "report_all", lambda: timed(lambda: queries.report(user), runs=in_process_runs)
    )
    _attempt(
        results,
        "report_week",
        lambda: timed(
            lambda: queries.report(user, first=week_first, last=week_last), runs=in_process_runs
        ),
    )
    _attempt(results, "today", lambda: _today_page(user, moment, runs=in_process_runs))
    _attempt(results, "today_average_day", lambda: _today_page(user, late, runs=in_process_runs))
    _attempt(
        results,
        "cli_report_all",
        lambda: _cli(["--user", email, "report", "--json"], runs=cli_runs),
    )
    _attempt(
        results,
        "cli_report_week",
        lambda: _cli(["--user", email, "report", "--week", "--json"], runs=cli_runs),
    )
    _attempt(results, "cli_start_stop", lambda: _cli_start_stop(email, runs=cli_runs))
    _attempt(
        results,
        "http_start_stop",
        lambda: _http_start_stop(
            email, generate.BENCH_PASSWORD, category.pk, runs=http_runs, log=log
        ),
    )
    results["bench_entries_removed"] = _remove_bench_entries(user)
    results["entries_after"] = Activity.objects.filter(user=user).count()
    results["peak_rss_mb"] = peak_rss_mb()
    return results


# --- import --------------------------------------------------------------------------------------


def import_csv(email: str, path: Path) -> dict:
    """Validates then applies a Mainthing CSV into a new, empty user; times both steps.

    The user gets an unusable password: hashing one with Argon2 takes about 100 MB, which
    would hide the import's own peak memory.
    """
    from mainthing.accounts.models import User
    from mainthing.activity import importing, services
    from mainthing.activity.models import Activity

    user = User.objects.create_user(email, None, time_zone="UTC")
    services.set_up_default_categories(user)
    baseline = peak_rss_mb()
    began = time.perf_counter()
    checked = importing.validate_file(user, path, "csv")
    validated = time.perf_counter()
    if not checked.ok:
        raise RuntimeError(f"the generated CSV does not validate: {checked.errors[:5]}")
    tier_map = {c["name"]: c["tier"] or "other" for c in checked.new_categories}
    applied = importing.apply_file(user, path, "csv", tier_map=tier_map)
    finished = time.perf_counter()
    return {
        "rows": Activity.objects.filter(user=user).count(),
        "validate_s": round(validated - began, 2),
        "apply_s": round(finished - validated, 2),
        "total_s": round(finished - began, 2),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_import_mb": baseline,
        "validated_rows": checked.rows,
        "created": applied.created,
        "skipped": applied.skipped,
        "new_categories": len(applied.new_categories),
    }


# --- entry point ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger")
    parser.add_argument("command", choices=["prepare", "measure", "import"])
    parser.add_argument("--email", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--entries", type=int, default=0)
    parser.add_argument("--last-day", type=date.fromisoformat)
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--label", default="")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    _setup_django()
    from django.conf import settings

    if args.command == "prepare":
        result = prepare(args.email, args.entries, args.last_day)
    elif args.command == "measure":
        result = measure(
            args.email, args.last_day, quick=args.quick, data_dir=settings.DATA_DIR,
            label=args.label,
        )  # fmt: skip
    else:
        result = import_csv(args.email, args.csv)
    args.out.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
