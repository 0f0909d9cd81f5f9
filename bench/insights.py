"""Insights benchmark (`python -m bench.insights`, part of `make bench`).

Workload, in its own database (`insights.sqlite3` under MAINTHING_DATA_DIR; `--reuse` keeps it
while the stamp beside it is current): the five-year heavy account. bench/generate.py's
marketer (daily lead-generation and prospecting blocks, 1,000,000 time entries over five years,
the day totals with their conversation and override counters), bench/prospects.py's 25,000
prospects from eight lead sources with categories, and what the insights pages read beyond
them, written in bulk here: 12,000 calls over the five years (completed, no-shows, cancelled;
the next 14 evenings half booked), a year of call-queue sessions and dials, income in USD and
EUR (enrollments of the joined, products, affiliate commissions), daily spend on the paid
sources, "no free time" call-back requests, a skipped prospecting evening every three weeks
and a monthly income goal (so the goal is worked back).

Measures in-process through Django's test client with a logged-in user (the whole middleware
stack), median, fastest and median thread CPU time of --runs after two warm-ups, beside
`/healthz` through the same client in the same run, with the query count of each:

- `/insights/?range=year` (budget 150 ms, at most 25 queries whatever the data), its HTML size,
  and its parts: `queries.scorecard()` alone, `panels()` and `headlines()` (the charts);
- `/insights/` (this month), one table's CSV for the year;
- `/insights/review/` (budget 50 ms) and `review.weekly_review()` alone;

then the same pages over HTTP from `mainthing serve`'s gunicorn (one keep-alive client, beside
bench/web.py's bare `/bench-hello` on the same server), and `mainthing report --week --json` on
this account as a whole process beside a bare no-apps `django.setup()`, round-robin (goal: within
1.5 times). Each figure is printed beside the previous run's. `--profile` writes cProfile's view
of the year page to insights-profile.txt. Results go to insights-results.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import common, generate
from bench.cli_startup import BARE_SETUP, MAINTHING
from bench.insights_workload import EMAIL, ENTRIES

VERSION = 1  # bump when the workload changes: --reuse then builds it again
BUDGETS_MS = {"year_page": 150.0, "review_page": 50.0}
YEAR_PAGE_QUERIES = 25
CLI_GOAL = 1.5  # report --week --json over the bare django.setup(), medians of the same run
PAGES = {
    "healthz": "/healthz",
    "year_page": "/insights/?range=year",
    "month_page": "/insights/",
    "year_csv": "/insights/csv/days/?range=year",
    "review_page": "/insights/review/",
}


def prepare(database_url: str, *, entries: int) -> dict:
    common.setup_server(database_url)
    from bench import insights_workload

    return insights_workload.build(entries)


# --- the measurements (in the worker) --------------------------------------------------------


def _timed(func, runs: int) -> dict:
    """Median and fastest of `runs` after two warm-ups, in ms, and the median of the thread's
    CPU time: the fastest run and the CPU time tell a busy machine from a slow path."""
    for _ in range(2):
        func()
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.thread_time()
        func()
        cpu.append((time.thread_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
    return {
        "median_ms": statistics.median(wall),
        "min_ms": min(wall),
        "cpu_ms": statistics.median(cpu),
    }


def _profile(fetch, path: Path) -> None:
    """cProfile's view of 10 requests, by cumulative and by own time."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        fetch()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    path.write_text(out.getvalue())


def measure(database_url: str, *, runs: int, profile: bool) -> dict:
    import gzip

    common.setup_server(database_url)
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from mainthing.accounts.models import User
    from mainthing.core import timekit
    from mainthing.insights import panels, periods, queries, review

    user = User.objects.get(email=EMAIL)
    client = Client()
    client.force_login(user)
    now = timezone.now()
    year = periods.resolve("year", timekit.local_date(now, timekit.zone(user.time_zone)))

    def get(path: str):
        def fetch():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return fetch

    card = queries.scorecard(user, year, now=now)
    parts = {
        "scorecard": lambda: queries.scorecard(user, year, now=now),
        "charts": lambda: (panels.panels(card), panels.headlines(card)),
        "weekly_review": lambda: review.weekly_review(user, now=now),
    }
    results: dict = {}
    for key, func in [*((k, get(p)) for k, p in PAGES.items()), *parts.items()]:
        results[key] = {**_timed(func, runs), "queries": common.queries_run(func)}
    body = get(PAGES["year_page"])().content
    results["year_page"]["html_bytes"] = len(body)
    results["year_page"]["html_gzip_bytes"] = len(gzip.compress(body))
    results["year_days"] = len(card.tables["days"].rows)
    if profile:
        _profile(get(PAGES["year_page"]), common.data_dir() / "insights-profile.txt")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    results["cookie"] = f"{settings.SESSION_COOKIE_NAME}={session}"
    return results


# --- the driver (no Django) ---------------------------------------------------------------------


def _worker(command: str, database_url: str, *extra: str) -> dict:
    out = common.data_dir() / f"insights-{command}.json"
    out.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "bench.insights", "--worker", command]
    argv += ["--database-url", database_url, "--out", str(out), *extra]
    done = subprocess.run(argv, check=False)
    if done.returncode != 0 or not out.exists():
        sys.exit(f"bench.insights: {command} failed on {database_url.split(':')[0]}")
    return json.loads(out.read_text())


def _env(database_url: str) -> dict:
    env = {**os.environ, "MAINTHING_DATABASE_URL": database_url, "MAINTHING_RATE_LIMITS": "off"}
    env["MAINTHING_DATA_DIR"] = str(common.data_dir())
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed Mainthing has its .pyc files
    return env


def over_http(database_url: str, cookie: str, *, runs: int) -> dict:
    """The pages from `mainthing serve`'s gunicorn on one keep-alive connection, round-robin
    with bench/web.py's bare /bench-hello on the same server: median and fastest of `runs`."""
    from bench.web import Server

    paths = {"hello": "/bench-hello", "healthz": "/healthz", "year_page": PAGES["year_page"],
             "review_page": PAGES["review_page"]}  # fmt: skip
    server = Server(database_url)
    samples: dict[str, list[float]] = {key: [] for key in paths}
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)

        def get(path: str) -> float:
            began = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                sys.exit(f"bench.insights: {path} answered {response.status} over HTTP")
            return (time.perf_counter() - began) * 1000

        for _ in range(3):
            for path in paths.values():
                get(path)
        for _ in range(runs):
            for key, path in paths.items():
                samples[key].append(get(path))
        connection.close()
    finally:
        server.stop()
    return {k: {"median_ms": statistics.median(v), "min_ms": min(v)} for k, v in samples.items()}


def cli(database_url: str, *, runs: int) -> dict:
    """`mainthing report --week --json` on the heavy account, whole process, round-robin with
    the bare no-apps django.setup() of bench/cli_startup.py."""
    env = _env(database_url)
    commands = {
        "bare_setup": [sys.executable, "-c", BARE_SETUP],
        "report_week_json": [*MAINTHING, "--user", EMAIL, "report", "--week", "--json"],
    }

    def run(argv: list[str]) -> float:
        began = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"bench.insights: {' '.join(argv)} failed:\n{done.stderr}")
        return (time.perf_counter() - began) * 1000

    for argv in commands.values():  # the file cache and the .pyc files
        run(argv)
    samples: dict[str, list[float]] = {key: [] for key in commands}
    for _ in range(runs):
        for key, argv in commands.items():
            samples[key].append(run(argv))
    return {k: {"median_ms": statistics.median(v), "min_ms": min(v)} for k, v in samples.items()}


ROWS = (
    ("/healthz (baseline, same client)", "healthz"),
    ("/insights/?range=year, whole page", "year_page"),
    ("  scorecard(year) alone", "scorecard"),
    ("  panels() + headlines() (charts)", "charts"),
    ("/insights/ (this month)", "month_page"),
    ("/insights/csv/days/?range=year", "year_csv"),
    ("/insights/review/, whole page", "review_page"),
    ("  weekly_review() alone", "weekly_review"),
)


def _previous(previous: dict, *path: str) -> float | None:
    for key in path:
        previous = previous.get(key) if isinstance(previous, dict) else None
    return previous if isinstance(previous, int | float) else None


def report(results: dict, previous: dict, runs: int) -> tuple[list[str], bool]:
    """The printed tables, each figure beside its baseline of the same run and the previous
    run's figure; False when a budget is missed."""
    ok = True
    lines = []
    for db, figures in results["databases"].items():
        data, inproc = figures["data"], figures["inprocess"]
        base = inproc["healthz"]["median_ms"]
        lines.append(
            f"\nInsights on {db}: {data['entries']:,} entries ({data['day_totals']:,} day totals,"
            f" counters {data['day_counters']}), {data['prospects']:,} prospects,"
            f" {data['appointments']:,} calls, {data['dials']:,} dials, {data['income']:,} income"
            f" rows, {data['spend']:,} spend rows, {data['callbacks']} call-back requests;"
            f" median of {runs} (fastest)"
        )
        lines.append(
            f"{'measure':36} {'median':>9} {'fastest':>9} {'CPU':>9} {'queries':>7}"
            f" {'x healthz':>9} {'previous':>9} {'x prev':>6} {'budget':>8}  verdict"
        )
        for label, key in ROWS:
            f = inproc[key]
            budget = BUDGETS_MS.get(key)
            verdict = ""
            if budget:
                passed = f["median_ms"] <= budget
                if key == "year_page":
                    passed = passed and f["queries"] <= YEAR_PAGE_QUERIES
                verdict = "PASS" if passed else "OVER"
                ok = ok and passed
            before = _previous(previous, "databases", db, "inprocess", key, "median_ms")
            lines.append(
                f"{label:36} {f['median_ms']:>6.1f} ms {f['min_ms']:>6.1f} ms"
                f" {f['cpu_ms']:>6.1f} ms {f['queries']:>7} {f['median_ms'] / base:>8.1f}x"
                + (f" {before:>6.1f} ms {f['median_ms'] / before:>5.2f}x" if before else " " * 17)
                + (f" {budget:>5.0f} ms  {verdict}" if budget else "")
            )
        page = inproc["year_page"]
        lines.append(
            f"year page: {page['html_bytes'] / 1024:,.0f} kB of HTML"
            f" ({page['html_gzip_bytes'] / 1024:,.0f} kB gzipped), {inproc['year_days']} days;"
            f" budgets: year page <= {BUDGETS_MS['year_page']:.0f} ms and <= {YEAR_PAGE_QUERIES}"
            f" queries, review page <= {BUDGETS_MS['review_page']:.0f} ms"
        )
        if figures.get("http"):
            http_ = figures["http"]
            hello = http_["hello"]["median_ms"]
            lines.append(f"\nOver HTTP ({db}; gunicorn as `mainthing serve` runs it, one client)")
            lines.append(f"{'page':36} {'median':>9} {'fastest':>9} {'x hello':>8}")
            for key, f in http_.items():
                label = {"hello": "/bench-hello (baseline)"}.get(key, PAGES.get(key, key))
                lines.append(
                    f"{label:36} {f['median_ms']:>6.1f} ms {f['min_ms']:>6.1f} ms"
                    f" {f['median_ms'] / hello:>7.1f}x"
                )
        if figures.get("cli"):
            bare, week = figures["cli"]["bare_setup"], figures["cli"]["report_week_json"]
            ratio = week["median_ms"] / bare["median_ms"]
            passed = ratio <= CLI_GOAL
            ok = ok and passed
            lines.append(f"\nCLI on this account ({db}; whole processes, round-robin)")
            lines.append(f"{'command':36} {'median':>9} {'fastest':>9} {'ratio':>6}")
            for label, f in (("bare django.setup() (baseline)", bare),
                             ("mainthing report --week --json", week)):  # fmt: skip
                lines.append(
                    f"{label:36} {f['median_ms']:>6.0f} ms {f['min_ms']:>6.0f} ms"
                    f" {f['median_ms'] / bare['median_ms']:>6.2f}"
                )
            lines.append(
                f"goal: within {CLI_GOAL} times the bare set-up: {'PASS' if passed else 'OVER'}"
            )
    return lines, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["prepare", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=20, help="repetitions per figure (20)")
    parser.add_argument("--cli-runs", type=int, default=5, help="CLI processes per command (5)")
    parser.add_argument(
        "--entries", type=int, default=ENTRIES, help=f"ledger entries ({ENTRIES:,})"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the last run's account while it is current"
    )
    parser.add_argument("--no-http", action="store_true", help="leave out the server and the CLI")
    parser.add_argument(
        "--profile", action="store_true", help="write cProfile's view of the year page"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("MAINTHING_BENCH_POSTGRES_URL", ""),
        help="also run on this PostgreSQL URL (default: $MAINTHING_BENCH_POSTGRES_URL)",
    )
    args = parser.parse_args()
    if args.worker == "prepare":
        Path(args.out).write_text(json.dumps(prepare(args.database_url, entries=args.entries)))
        return 0
    if args.worker == "measure":
        figures = measure(args.database_url, runs=args.runs, profile=args.profile)
        Path(args.out).write_text(json.dumps(figures))
        return 0

    data = common.data_dir()
    out = data / "insights-results.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    yesterday = datetime.now(ZoneInfo(generate.ZONE)).date() - timedelta(days=1)
    wanted = {"version": VERSION, "generate": generate.VERSION, "entries": args.entries,
              "last_day": yesterday.isoformat()}  # fmt: skip
    sqlite_file, stamp = data / "insights.sqlite3", data / "insights-stamp.json"
    sqlite_url = f"sqlite:///{sqlite_file}"
    # Pages render through the manifest storage, so the static files must be current.
    subprocess.run([*MAINTHING, "manage", "collectstatic", "--no-input", "-v", "0"],
                   env=_env(sqlite_url), check=True)  # fmt: skip
    current = stamp.exists() and sqlite_file.exists()
    current = current and {k: json.loads(stamp.read_text()).get(k) for k in wanted} == wanted
    if args.reuse and current:
        built = json.loads(stamp.read_text())["built"]
    else:
        stamp.unlink(missing_ok=True)
        common.fresh_sqlite(sqlite_file)
        print(
            f"bench.insights: building the heavy account ({args.entries:,} entries) …", flush=True
        )
        built = _worker("prepare", sqlite_url, "--entries", str(args.entries))
        stamp.write_text(json.dumps({**wanted, "built": built}, indent=2))
        print(f"bench.insights: built in {built['build_s']} s", flush=True)
    targets = {"sqlite": (sqlite_url, built)}
    if args.postgres:
        common.fresh_postgres_database(args.postgres)
        targets["postgres"] = (
            args.postgres,
            _worker("prepare", args.postgres, "--entries", str(args.entries)),
        )
    results: dict = {
        "cpus": os.cpu_count(),
        "loadavg_before": os.getloadavg(),
        "runs": args.runs,
        "databases": {},
    }
    for db, (url, made) in targets.items():
        extra = ["--runs", str(args.runs), *(["--profile"] if args.profile else [])]
        inprocess = _worker("measure", url, *extra)
        cookie = inprocess.pop("cookie")
        figures = {"data": made, "inprocess": inprocess}
        if not args.no_http and db == "sqlite":
            figures["http"] = over_http(url, cookie, runs=args.runs)
            figures["cli"] = cli(url, runs=args.cli_runs)
        results["databases"][db] = figures
    results["loadavg_after"] = os.getloadavg()
    lines, ok = report(results, previous, args.runs)
    print("\n".join(lines))
    print(
        f"({os.cpu_count()} CPUs, load average {results['loadavg_before'][0]:.1f} before,"
        f" {results['loadavg_after'][0]:.1f} after)"
    )
    if args.profile:
        print(f"profile of the year page: {data / 'insights-profile.txt'}")
    out.write_text(json.dumps(results, indent=2))
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
