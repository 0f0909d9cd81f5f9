"""Another user's writes during a big import (`python -m bench.import_concurrency`).

Workload: a fresh database (SQLite under MAINTHING_DATA_DIR, default var/bench; with --postgres
URL that PostgreSQL database, dropped and created), two accounts, and a Mainthing CSV of
--rows time entries (default 1,000,000) for the first. The app runs as a real gunicorn process
on a free loopback port; the second account signs in over HTTP.

1. Baseline: 20 of the second user's writes (a real POST of the "add entry" form, which writes
   an entry and its day totals) and 20 `/healthz` requests, with nothing else running.
2. `mainthing --user importer@… import activities FILE --json` runs as a subprocess; while it
   runs, the second user writes once a second over HTTP. Reported: the import's wall time and
   peak RSS (`ru_maxrss` of the child, from `wait4`), and the writes' count, errors (non-2xx/3xx
   answers or failed connections: must be 0), p50/p95/max latency, and how many landed while
   the import was still running (they must: an import no longer holds the write lock).

Afterwards every write must be in the database and the import's count right. The reference
figures from before the change (issue 8): import 44.9 s, peak 152 MB; during it, the other
user's writes failed with 500 "database is locked" after 20 s.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import common

ROWS = 1_000_000
PASSWORD = "bench password 1234"
REFERENCE = {"import_s": 44.9, "import_rss_mb": 152.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_csv(path: Path, rows: int) -> None:
    start = datetime(2015, 1, 1, tzinfo=UTC)
    with path.open("w") as out:
        out.write("start,end,category,tier,note\n")
        for n in range(rows):
            # Five minutes apart: a million end in 2024, none in the future.
            begin = start + timedelta(minutes=5 * n)
            end = begin + timedelta(minutes=4)
            out.write(f"{begin:%Y-%m-%dT%H:%M:%SZ},{end:%Y-%m-%dT%H:%M:%SZ},Forum posts,,{n}\n")


class Browser:
    """A signed-in visitor: cookies and the CSRF token, plain urllib."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read().decode()

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def sign_in(self, email: str) -> None:
        self.get("/accounts/login/")
        status = self.post("/accounts/login/", {"username": email, "password": PASSWORD})
        if status >= 400:
            raise SystemExit(f"Could not sign in as {email}: {status}")


class Writer:
    """The other user's writes: one "add entry" form a second, each an hour apart."""

    def __init__(self, browser: Browser, category: str):
        self.browser = browser
        self.category = category
        self.n = 0
        self.results: list[tuple[float, float, str]] = []  # (sent at, seconds, outcome)

    def write(self) -> None:
        self.n += 1
        begin = datetime(2026, 1, 1, 8, 0) + timedelta(hours=self.n)
        data = {
            "category": self.category,
            "start": f"{begin:%Y-%m-%dT%H:%M}",
            "end": f"{begin + timedelta(minutes=20):%Y-%m-%dT%H:%M}",
            "note": f"write {self.n}",
        }
        sent = time.time()
        try:
            status = self.browser.post("/activity/new/", data)
            outcome = "ok" if status < 400 else f"HTTP {status}"
        except OSError as error:
            outcome = repr(error)
        self.results.append((sent, time.time() - sent, outcome))


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def latency(samples: list[float]) -> dict:
    return {
        "p50_ms": ms(samples, 0.5),
        "p95_ms": ms(samples, 0.95),
        "max_ms": round(1000 * max(samples), 1),
    }


def run(rows: int, postgres: str | None) -> dict:
    folder = common.data_dir() / "import-concurrency"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("mainthing.sqlite3", "mainthing.sqlite3-wal", "mainthing.sqlite3-shm"):
        (folder / name).unlink(missing_ok=True)
    env = {
        **os.environ,
        "MAINTHING_DATA_DIR": str(folder),
        "MAINTHING_RATE_LIMITS": "off",
        "MAINTHING_DATABASE_URL": postgres or "",
        "MAINTHING_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    if postgres:
        common.fresh_postgres_database(postgres)
    cli = [sys.executable, "-m", "mainthing.cli"]
    subprocess.run([*cli, "manage", "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*cli, "manage", "collectstatic", "--no-input", "-v", "0"], env=env, check=True)
    for email in ("importer@example.com", "other@example.com"):
        subprocess.run(
            [*cli, "createuser", email, "--tz", "Europe/London", "--password-stdin"],
            env=env,
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
        )
    csv_file = Path(tempfile.mkdtemp(prefix="mainthing-bench-")) / "entries.csv"
    write_csv(csv_file, rows)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "mainthing.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        browser = Browser(base)
        browser.sign_in("other@example.com")
        _, form = browser.get("/activity/new/")
        category = re.search(r'<option value="(\d+)"[^>]*>Forum posts', form).group(1)

        health = []
        for _ in range(20):
            began = time.perf_counter()
            urllib.request.urlopen(base + "/healthz", timeout=10).read()
            health.append(time.perf_counter() - began)
        baseline = Writer(browser, category)
        for _ in range(20):
            baseline.write()

        during = Writer(browser, category)
        during.n = 1000
        started = time.time()
        child = subprocess.Popen(
            [*cli, "--user", "importer@example.com", "import", "activities", str(csv_file),
             "--tier", "leadgen", "--json"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        output: dict = {}
        reader = threading.Thread(target=lambda: output.update(out=child.stdout.read()))
        reader.start()
        while True:
            # wait4 without waiting: the child's own peak RSS comes with its exit status.
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid or time.time() - started > 900:
                break
            tick = time.time()
            during.write()
            time.sleep(max(0.0, 1.0 - (time.time() - tick)))
        ended = time.time()
        child.returncode = os.waitstatus_to_exitcode(status) if pid else None
        reader.join()
        if child.returncode != 0:
            raise SystemExit(f"The import failed ({child.returncode}): {child.stderr.read()}")
        created = json.loads(output["out"])["created"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        csv_file.unlink(missing_ok=True)

    common.setup_django(postgres or f"sqlite:///{folder / 'mainthing.sqlite3'}")
    from mainthing.activity.models import Activity

    landed = Activity.objects.filter(user__email="other@example.com").count()
    imported = Activity.objects.filter(user__email="importer@example.com").count()
    ok = [r for r in during.results if r[2] == "ok"]
    return {
        "database": "postgresql" if postgres else "sqlite",
        "rows": rows,
        "import_s": round(ended - started, 1),
        "import_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "import_created": created,
        "entries_in_database": imported,
        "healthz_baseline": latency(health),
        "writes_baseline": latency([r[1] for r in baseline.results]),
        "writes_during": {
            "count": len(during.results),
            "errors": len(during.results) - len(ok),
            "error_samples": sorted({r[2] for r in during.results if r[2] != "ok"})[:3],
            "landed_while_importing": sum(1 for r in ok if r[0] + r[1] < ended),
            **latency([r[1] for r in during.results] or [0.0]),
        },
        "other_users_writes_in_database": landed,
        "other_users_writes_sent": len(baseline.results) + len(during.results),
    }


def report(result: dict) -> None:
    base, during = result["writes_baseline"], result["writes_during"]
    print(f"\n{result['database']}: {result['rows']:,} entries imported while another user writes")
    print(f"{'measure':<44}{'this run':>14}{'reference':>14}{'ratio':>8}")

    def line(name, value, ref):
        ratio = f"{value / ref:.2f}" if ref else ""
        print(f"{name:<44}{value:>14}{ref:>14}{ratio:>8}")

    line("import wall time (s)", result["import_s"], REFERENCE["import_s"])
    line("import peak RSS (MB)", result["import_rss_mb"], REFERENCE["import_rss_mb"])
    line("healthz p50 (ms), no import", result["healthz_baseline"]["p50_ms"], "")
    line("write p50 (ms): during / no import", during["p50_ms"], base["p50_ms"])
    line("write p95 (ms): during / no import", during["p95_ms"], base["p95_ms"])
    line("write max (ms): during / no import", during["max_ms"], base["max_ms"])
    print(
        f"writes during the import: {during['count']}, errors {during['errors']} "
        f"{during['error_samples'] or ''}, landed while it ran {during['landed_while_importing']}"
    )
    print(
        f"in the database: {result['entries_in_database']:,} imported entries "
        f"(the import said {result['import_created']}), the other user's "
        f"{result['other_users_writes_in_database']} of {result['other_users_writes_sent']} writes"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--postgres", default=os.environ.get("MAINTHING_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    result = run(args.rows, args.postgres)
    report(result)
    out = common.data_dir() / f"import-concurrency-{result['database']}.json"
    out.write_text(json.dumps(result, indent=2))
    failed = result["writes_during"]["errors"] or result["entries_in_database"] != args.rows
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
