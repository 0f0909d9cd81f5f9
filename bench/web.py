"""The pages where the day is spent, over HTTP (`python -m bench.web`, part of `make bench`).

One SQLite database under MAINTHING_DATA_DIR (`web.sqlite3`) with two signed-in accounts:
- `demo`: what `mainthing demo` makes (60 days of activity, a routine, prospects, calls);
- `heavy`: bench/generate.py's marketer (routine, 100,000 time entries over five years) with
  bench/prospects.py's 25,000 prospects, a year of completed calls (four an evening) and the
  next 14 evenings half booked, each call linked to a prospect.

The server is the production one: `mainthing serve`'s gunicorn command line (two workers, four
threads, the masking access log; cli/serve.py:web_command) with rate limits off, on a free
loopback port, with bench/web_settings.py adding `/bench-hello` (a bare Django view) to the
app's URLs. For each account, for 1 client and for 20 clients, every page is loaded for
`--duration` seconds with the account's session cookie: requests/s, p50/p99 latency, errors
(any answer but 200, or a failed connection) and its requests/s as a share of hello's in the
same run. The goal: every page at least 5% of hello's, 0 errors. The load comes from `wrk`
(Debian's package; a Lua script sends the cookie and counts non-200 answers) or, when it is
missing, from a Python load generator with threads and keep-alive connections; the report
says which ran. The worker that builds the data also measures each page in-process, through
the WSGI application as gunicorn calls it: server time and the thread's CPU time (medians of
20), the CPU time as a share of hello's (which other work on a shared machine moves far less
than requests/s) and the query count; `--no-http` prints only those.
Results go to var/bench/web-results.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import common

PAGES = (
    ("hello", "/bench-hello"),
    ("/healthz", "/healthz"),
    ("Today", "/"),
    ("Calendar", "/calendar/"),
    ("Prospects", "/prospects/"),
    ("Call queue", "/call/"),
)
ACCOUNTS = {"demo": "demo@mainthing.local", "heavy": "web-heavy@bench.invalid"}
CLIENTS = (1, 20)
GOAL_SHARE = 0.05
LEDGER_ENTRIES = 100_000
VERSION = 2  # bump when the data changes: --reuse then builds it again
JSON_MARK = "BENCH-JSON "

# wrk's Lua: the cookie on every request; each thread counts answers other than 200, and
# done() prints one JSON line (latencies in microseconds) for parse_wrk.
WRK_SCRIPT = """
wrk.headers["Cookie"] = %(cookie)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, '
    .. '"not_200": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad_total, e.connect + e.read + e.write + e.timeout))
end
"""


# --- pure parts (tests/test_bench_web.py) ---------------------------------------------------------


def parse_wrk(output: str) -> dict:
    """The figures from wrk's output with WRK_SCRIPT's done() line: requests/s, p50/p99 in ms
    and errors (non-200 answers plus socket errors)."""
    for line in output.splitlines():
        if line.startswith(JSON_MARK):
            raw = json.loads(line[len(JSON_MARK) :])
            break
    else:
        raise ValueError("no summary line in wrk's output (was the Lua script loaded?)")
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "per_second": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["not_200"] + raw["socket_errors"],
    }


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def with_shares(figures: dict[str, dict], reference: str = "hello") -> dict[str, dict]:
    """Each page's figures with `share`: its requests/s over the reference's, same run."""
    base = figures[reference]["per_second"]
    return {
        page: {**f, "share": f["per_second"] / base if base else 0.0} for page, f in figures.items()
    }


def best_of(runs: list[dict]) -> dict:
    """The round with the most requests/s (the others were slowed by whatever else ran on the
    machine), with the errors of every round."""
    best = max(runs, key=lambda f: f["per_second"])
    return {**best, "errors": sum(f["errors"] for f in runs)}


def verdict(figures: dict) -> str:
    """PASS when a page makes the goal share of hello's requests/s with no errors."""
    return "PASS" if figures["share"] >= GOAL_SHARE and figures["errors"] == 0 else "OVER"


# --- in the worker process (Django set up on the database) ---------------------------------------


def _heavy(email: str) -> None:
    import random
    from datetime import datetime, timedelta

    from django.db.models import F
    from django.utils import timezone

    from bench import generate, prospects
    from mainthing.bookings.models import Appointment
    from mainthing.core import timekit
    from mainthing.prospects.models import Prospect

    user = generate.create_bench_user(email)
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(datetime.now(tz), tz)
    generate.write_ledger(
        user, generate.plan_entries(LEDGER_ENTRIES, last_day=today - timedelta(days=1))
    )
    prospects.make_workload(email, user=user)
    people = list(Prospect.objects.filter(user=user).values_list("pk", "name")[:5000])
    rng = random.Random(11)
    calls = []
    # A year of evenings behind (four calls each, held) and 14 ahead (every other half hour).
    for offset in range(-365, 14):
        day = today + timedelta(days=offset)
        for minute in (0, 30, 60, 90) if offset < 0 else (0, 60):
            start = timekit.localize(datetime.combine(day, generate.PROSPECTING.start), tz)
            start += timedelta(minutes=minute)
            pk, name = rng.choice(people)
            calls.append(
                Appointment(
                    user=user,
                    prospect_id=pk,
                    prospect_name=name,
                    start=start,
                    end=start + timedelta(minutes=30),
                    status="completed" if offset < 0 else "scheduled",
                )
            )
    Appointment.objects.bulk_create(calls, batch_size=2000)
    # Booked when they were, not all at once today: pages that count recent bookings
    # (Today's fill-rate advice) see a year's calls only as a real account has them.
    Appointment.objects.filter(user=user, start__lt=timezone.now()).update(
        created_at=F("start") - timedelta(days=3)
    )


def _wsgi_get(application, path: str, cookie: str) -> tuple[str, bytes]:
    """A GET through the WSGI application as gunicorn calls it (no test client in between)."""
    import io
    from wsgiref.util import setup_testing_defaults

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "HTTP_COOKIE": cookie}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO(b"")
    status: list[str] = []
    body = application(environ, lambda answer, headers, exc_info=None: status.append(answer))
    try:
        return status[0], b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()


def _inprocess(application, path: str, cookie: str, *, runs: int = 20) -> dict:
    """A page's server time through the WSGI application (median of `runs` after two warm-ups),
    its CPU time (the thread's, which other work on the machine barely moves: the figure to
    compare between runs on a busy machine) and its query count."""
    from django.db import connection

    queries: list[str] = []
    with connection.execute_wrapper(lambda run, sql, *a: queries.append(sql) or run(sql, *a)):
        status = _wsgi_get(application, path, cookie)[0]
    if not status.startswith("200"):
        return {"status": status}
    for _ in range(2):
        _wsgi_get(application, path, cookie)
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.thread_time()
        _wsgi_get(application, path, cookie)
        cpu.append((time.thread_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
    return {
        "status": status,
        "median_ms": statistics.median(wall),
        "cpu_ms": statistics.median(cpu),
        "queries": len(queries),
    }


def prepare(database_url: str, *, reuse: bool) -> dict:
    """Builds both accounts (unless `reuse` finds them current), sets the data directory up as
    `mainthing serve` does, signs both in; returns their cookies and in-process figures."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.web_settings"  # with /bench-hello
    common.setup_django(database_url)
    from django.conf import settings
    from django.test import Client

    from mainthing import demo
    from mainthing.accounts.models import User
    from mainthing.cli.serve import set_up_data_dir

    set_up_data_dir()
    stamp = common.data_dir() / "web.stamp"
    current = stamp.exists() and stamp.read_text() == str(VERSION)
    if not (reuse and current and User.objects.filter(email__in=ACCOUNTS.values()).count() == 2):
        stamp.unlink(missing_ok=True)
        User.objects.filter(email__in=ACCOUNTS.values()).delete()
        demo.create_demo_account(email=ACCOUNTS["demo"], password="demo-password-1")
        _heavy(ACCOUNTS["heavy"])
        stamp.write_text(str(VERSION))

    settings.ALLOWED_HOSTS = ["*"]
    from mainthing.wsgi import application  # as a server worker starts (gc.freeze included)

    result: dict = {"cookies": {}, "inprocess": {}}
    for account, email in ACCOUNTS.items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        result["cookies"][account] = session
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
        result["inprocess"][account] = {
            name: _inprocess(application, path, cookie) for name, path in PAGES
        }
    return result


# --- in the driver process (no Django) ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`mainthing serve`'s gunicorn, with the bench's URLconf, on a free loopback port."""

    def __init__(self, database_url: str):
        from mainthing.cli.serve import web_command

        self.port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.web_settings",
            "MAINTHING_DATABASE_URL": database_url,
            "MAINTHING_RATE_LIMITS": "off",
            "MAINTHING_DATA_DIR": str(common.data_dir()),
        }
        command = web_command(sys.executable, bind=f"127.0.0.1:{self.port}", workers=2)
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while self.get("/healthz", "")[0] != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit("bench.web: gunicorn did not start")
            time.sleep(0.2)

    def get(self, path: str, cookie: str) -> tuple[int | None, bytes]:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            return response.status, response.read()
        except OSError:
            return None, b""

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_wrk(port: int, path: str, cookie: str, *, clients: int, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=common.data_dir()) as script:
        script.write(WRK_SCRIPT % {"cookie": json.dumps(cookie), "mark": JSON_MARK})
        script.flush()
        done = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s",
             "-s", script.name, f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"bench.web: wrk failed: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def run_python(port: int, path: str, cookie: str, *, clients: int, seconds: float) -> dict:
    """wrk's job in Python: `clients` threads, each on its own keep-alive connection, for
    `seconds`. Its own CPU use is far above wrk's, so its figures are lower."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client():
        nonlocal errors
        mine, bad = [], 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                bad += response.status != 200
            except (OSError, http.client.HTTPException):
                bad += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((time.perf_counter() - began) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / wall,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "errors": errors,
    }


def _worker(database_url: str, *, reuse: bool) -> dict:
    out = common.data_dir() / "web-prepare.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.web", "--worker", "--database-url", database_url]
    command += ["--out", str(out)] + (["--reuse"] if reuse else [])
    done = subprocess.run(command, check=False)
    if done.returncode != 0 or not out.exists():
        sys.exit("bench.web: preparing the accounts failed")
    return json.loads(out.read_text())


def measure(
    database_url: str, *, seconds: float, rounds: int, reuse: bool, python: bool, http: bool
) -> dict:
    prepared = _worker(database_url, reuse=reuse)
    cookies = {a: f"sessionid={c}" for a, c in prepared["cookies"].items()}
    load = run_python if python or not shutil.which("wrk") else run_wrk
    result = {
        "load_generator": "wrk" if load is run_wrk else "python",
        "seconds": seconds,
        "rounds": rounds,
        "cpus": os.cpu_count(),
        "loadavg_before": os.getloadavg(),
        "inprocess": prepared["inprocess"],
        "accounts": {},
        "skipped": {},
    }
    if not http:
        result["loadavg_after"] = os.getloadavg()
        return result
    server = Server(database_url)
    try:
        for account, cookie in cookies.items():
            pages = []
            for name, path in PAGES:
                status, _ = server.get(path, cookie)
                if status == 404 and name == "Call queue":
                    result["skipped"][name] = f"{path} answers 404 (not in this build)"
                    continue
                if status != 200:
                    sys.exit(f"bench.web: {path} answers {status} for {account}, not 200")
                for _ in range(20):  # templates and connections warm in both workers
                    server.get(path, cookie)
                pages.append((name, path))
            result["accounts"][account] = {}
            for clients in CLIENTS:
                runs: dict[str, list[dict]] = {name: [] for name, _ in pages}
                for _ in range(rounds):  # round-robin: a busy minute hits every page alike
                    for name, path in pages:
                        runs[name].append(
                            load(server.port, path, cookie, clients=clients, seconds=seconds)
                        )
                figures = {name: best_of(found) for name, found in runs.items()}
                result["accounts"][account][str(clients)] = with_shares(figures)
    finally:
        server.stop()
    result["loadavg_after"] = os.getloadavg()
    return result


def report(result: dict) -> bool:
    """Prints a table per account; False when a page misses the goal."""
    ok = True
    if result["accounts"]:
        print(
            f"\nPages over HTTP ({result['load_generator']}, best of {result['rounds']} x "
            f"{result['seconds']:g} s each; gunicorn 2 workers x 4 threads; {result['cpus']} "
            f"CPUs, load average {result['loadavg_before'][0]:.1f} before, "
            f"{result['loadavg_after'][0]:.1f} after)"
        )
    else:
        print("\nPages in-process only (--no-http)")
    for note in result["skipped"].values():
        print(f"skipped: {note}")
    for account, inprocess in result["inprocess"].items():
        by_clients = result["accounts"].get(account, {})
        print(f"\n{account} account")
        head = f"{'page':12}"
        for clients in by_clients:
            head += f" | {clients + ' client' + ('s' if clients != '1' else ''):>10}"
            head += f"{'p50 ms':>8}{'p99 ms':>8}{'err':>5}{'% hello':>8}"
        print(head + " | in-process: ms, CPU ms, % hello's CPU, queries | verdict")
        hello_cpu = inprocess["hello"].get("cpu_ms")
        for page, inproc in inprocess.items():
            if "cpu_ms" not in inproc:
                continue
            line = f"{page:12}"
            verdicts = []
            for figures in by_clients.values():
                f = figures[page]
                line += (
                    f" | {f['per_second']:>8.1f}/s{f['p50_ms']:>8.1f}{f['p99_ms']:>8.1f}"
                    f"{f['errors']:>5}{100 * f['share']:>7.1f}%"
                )
                verdicts.append(verdict(f))
            line += (
                f" | {inproc['median_ms']:>6.1f} {inproc['cpu_ms']:>6.1f}"
                f"{100 * hello_cpu / inproc['cpu_ms']:>7.1f}%{inproc['queries']:>4} q"
            )
            if page not in ("hello", "/healthz") and verdicts:
                passed = all(v == "PASS" for v in verdicts)
                ok = ok and passed
                line += f" | {'PASS' if passed else 'OVER'}"
            print(line)
    print(f"goal: every page >= {100 * GOAL_SHARE:.0f}% of hello's requests/s, 0 errors")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--duration", type=float, default=5, help="seconds per load (5)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="loads per page, round-robin; the best counts (2)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the accounts of the last run if current"
    )
    parser.add_argument(
        "--python", action="store_true", help="use the Python load generator even with wrk"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a page misses")
    parser.add_argument(
        "--no-http", action="store_true", help="only the in-process figures (no server, no load)"
    )
    args = parser.parse_args()
    if args.worker:
        result = prepare(args.database_url, reuse=args.reuse)
        Path(args.out).write_text(json.dumps(result))
        return 0

    sqlite_file = common.data_dir() / "web.sqlite3"
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    result = measure(
        f"sqlite:///{sqlite_file}",
        seconds=args.duration,
        rounds=args.rounds,
        reuse=args.reuse,
        python=args.python,
        http=not args.no_http,
    )
    ok = report(result)
    (common.data_dir() / "web-results.json").write_text(json.dumps(result, indent=2))
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
