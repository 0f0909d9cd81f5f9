"""`python -m bench` (`make bench`): generate the ledgers, measure, print tables with budgets.

Each size lives in its own SQLite file under MAINTHING_DATA_DIR (default ./var/bench), or, with
--postgres, as its own user in the PostgreSQL database MAINTHING_DATABASE_URL names. Databases
are generated once and reused until the generator changes (or --regenerate). Every measurement
runs in a subprocess (`python -m bench.ledger`) set up for that database.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench import common, generate

BUDGETS = {
    # key: (label, limit, unit); checked on the 1M ledger
    "report_all": ("all-time report, in-process", 150.0, "ms"),
    "report_week": ("week report, in-process", 10.0, "ms"),
    "http_start": ("start via HTTP (median)", 15.0, "ms"),
    "http_stop": ("stop via HTTP (median)", 15.0, "ms"),
    "today": ("Today page, in-process", 30.0, "ms"),
    "import_s": ("import of 1M CSV rows", 60.0, "s"),
    "import_rss": ("import peak RSS", 300.0, "MB"),
}
BUDGET_SIZE = "1m"
# "Not growing with ledger size": the 1M median may exceed the 10k median by this much.
GROWTH_ALLOWANCE = (1.5, 2.0)  # ratio, or milliseconds, whichever is larger


def _run(cmd: list[str], env: dict, *, what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"bench: {what} failed:\n{done.stdout}\n{done.stderr}")


def _worker(command: str, env: dict, out: Path, *extra: str) -> dict:
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.ledger", command, "--out", str(out), *extra]
    done = subprocess.run(cmd, env=env, check=False)
    if done.returncode != 0 or not out.exists():
        sys.exit(f"bench: {' '.join(cmd[2:])} failed (status {done.returncode}).")
    return json.loads(out.read_text())


def _mainthing(env: dict, *args: str, what: str) -> None:
    _run([str(Path(sys.executable).parent / "mainthing"), *args], env, what=what)


class Target:
    """Where one size's ledger lives and how to reach it."""

    def __init__(self, label: str, data_dir: Path, postgres_url: str | None):
        self.label = label
        self.entries = generate.SIZES[label]
        self.email = f"bench-{label}@bench.invalid"
        self.postgres_url = postgres_url
        if postgres_url:
            self.database = postgres_url
            self.sqlite = None
            self.stamp = data_dir / f"postgres-{label}.json"
        else:
            self.sqlite = data_dir / f"ledger-{label}.sqlite3"
            self.database = f"sqlite:///{self.sqlite}"
            self.stamp = data_dir / f"ledger-{label}.json"

    def wanted_stamp(self) -> dict:
        return {"version": generate.VERSION, "seed": generate.SEED, "entries": self.entries}

    def is_current(self) -> bool:
        if not self.stamp.exists() or (self.sqlite and not self.sqlite.exists()):
            return False
        stamp = json.loads(self.stamp.read_text())
        return {k: stamp.get(k) for k in self.wanted_stamp()} == self.wanted_stamp()

    def drop(self, env: dict) -> None:
        """Removes the old ledger and leaves a migrated database without it."""
        self.stamp.unlink(missing_ok=True)
        if self.sqlite:
            common.fresh_sqlite(self.sqlite)
        _mainthing(env, "manage", "migrate", "--no-input", "-v", "0", what="migrate")
        if not self.sqlite:
            _run([sys.executable, "-c", _DROP_USER, self.email], env, what=f"dropping {self.email}")


# Deletes a bench user on PostgreSQL: entries first in one statement, then the rest by cascade.
_DROP_USER = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mainthing.settings")
django.setup()
from mainthing.accounts.models import User
from mainthing.activity.models import Activity, DayTotal
for user in User.objects.filter(email=sys.argv[1]):
    Activity.objects.filter(user=user).delete()
    DayTotal.objects.filter(user=user).delete()
    user.delete()
"""


def _env_for(base: dict, target: Target) -> dict:
    return {**base, "MAINTHING_DATABASE_URL": target.database}


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def _table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [title, line.format(*header).rstrip(), "  ".join("-" * w for w in widths)]
    out += [line.format(*row).rstrip() for row in rows]
    return "\n".join(out)


def _figure(r: dict, *path: str) -> dict:
    """A measured figure, or {"error": ...} when that measurement failed."""
    value = r
    for key in path:
        if "error" in value:
            return value
        value = value[key]
    return value


def _median(r: dict | None, *path: str) -> float | None:
    if r is None:
        return None
    figure = _figure(r, *path)
    return None if "error" in figure else figure["median_ms"]


SIZE_HEADER = ("measure", "median", "p95", "min", "budget", "")


def _size_rows(label: str, r: dict) -> list[tuple[str, ...]]:
    budget = label == BUDGET_SIZE

    def row(name, *path, key=None):
        fig = _figure(r, *path)
        limit = BUDGETS[key][1] if key else None
        limit_text = f"<= {limit:g} ms" if limit else ""
        if "error" in fig:
            return (name, "error", "", "", limit_text, fig["error"][:70])
        verdict = common.verdict(fig["median_ms"], limit) if key and budget else ""
        return (
            name, _ms(fig["median_ms"]), _ms(fig["p95_ms"]), _ms(fig["min_ms"]), limit_text, verdict
        )  # fmt: skip

    def today_name(what, key):
        fig = r[key]
        if "error" in fig:
            return what
        return f"{what} ({fig['entries_shown']} entries, {fig['queries']} queries)"

    return [
        row("all-time report, in-process", "report_all", key="report_all"),
        row("week report, in-process", "report_week", key="report_week"),
        row(today_name("Today page, in-process", "today"), "today", key="today"),
        row(today_name("Today on an average day", "today_average_day"), "today_average_day"),
        row("start via HTTP (gunicorn)", "http_start_stop", "start", key="http_start"),
        row("stop via HTTP (gunicorn)", "http_start_stop", "stop", key="http_stop"),
        row("start via CLI (whole process)", "cli_start_stop", "start"),
        row("stop via CLI (whole process)", "cli_start_stop", "stop"),
        row("report --json via CLI", "cli_report_all"),
        row("report --week --json via CLI", "cli_report_week"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        default="10k,100k,1m",
        help="comma-separated: 10k,100k,1m (none: only the import)",
    )
    parser.add_argument("--skip-import", action="store_true", help="skip the 1M CSV import")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="use the PostgreSQL database in MAINTHING_DATABASE_URL (one user per size)",
    )
    parser.add_argument("--regenerate", action="store_true", help="generate the ledgers again")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a budget is OVER"
    )
    args = parser.parse_args(argv)
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip() not in ("", "none")]
    unknown = [s for s in sizes if s not in generate.SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}; choose from {', '.join(generate.SIZES)}")

    data_dir = Path(os.environ.get("MAINTHING_DATA_DIR") or "var/bench").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    base_env = {
        **os.environ,
        "MAINTHING_DATA_DIR": str(data_dir),
        "MAINTHING_RATE_LIMITS": os.environ.get("MAINTHING_RATE_LIMITS") or "off",
        "DJANGO_SETTINGS_MODULE": "mainthing.settings",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(Path.cwd()), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    postgres_url = None
    if args.postgres:
        postgres_url = os.environ.get("MAINTHING_DATABASE_URL", "")
        if not postgres_url.startswith(("postgres://", "postgresql://", "pgsql://")):
            parser.error("--postgres needs MAINTHING_DATABASE_URL=postgres://…")
    if base_env["MAINTHING_RATE_LIMITS"] != "off":
        print("note: MAINTHING_RATE_LIMITS is on; the HTTP login may be rate-limited.")

    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "database": "postgresql" if postgres_url else f"sqlite {sqlite3.sqlite_version}",
        },
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "sizes": {},
    }
    print(
        f"Mainthing benchmarks: {results['machine']['database']}, Python "
        f"{results['machine']['python']}, {os.cpu_count()} CPUs, load "
        f"{results['machine']['load_average_at_start']}; data in {data_dir}"
    )

    # Pages render through the manifest storage, so the static files must be current.
    _mainthing(base_env, "manage", "collectstatic", "--no-input", "-v", "0", what="collectstatic")

    for label in sizes:
        target = Target(label, data_dir, postgres_url)
        env = _env_for(base_env, target)
        if args.regenerate or not target.is_current():
            target.drop(env)
            last_day = _yesterday()
            print(
                f"[{label}] generating {target.entries:,} entries ending {last_day} …", flush=True
            )
            made = _worker(
                "prepare", env, data_dir / f"prepare-{label}.json", "--email", target.email,
                "--entries", str(target.entries), "--last-day", last_day.isoformat(),
            )  # fmt: skip
            stamp = {**target.wanted_stamp(), "last_day": last_day.isoformat(), "made": made}
            target.stamp.write_text(json.dumps(stamp, indent=2))
            print(
                f"[{label}] generated in {made['seconds']:.1f} s (insert {made['insert_s']:.1f}"
                f" s, rebuild_day_totals {made['rebuild_day_totals_s']:.1f} s, "
                f"{made['day_totals']:,} day totals, peak {made['peak_rss_mb']:.0f} MB)",
                flush=True,
            )
        else:
            _mainthing(env, "manage", "migrate", "--no-input", "-v", "0", what="migrate")
        stamp = json.loads(target.stamp.read_text())
        print(f"[{label}] measuring …", flush=True)
        measured = _worker(
            "measure", env, data_dir / f"measure-{label}.json", "--email", target.email,
            "--last-day", stamp["last_day"], "--label", label, *(["--quick"] if args.quick else []),
        )  # fmt: skip
        measured["generation"] = stamp["made"]
        results["sizes"][label] = measured
        title = (
            f"\n== {label}: {measured['entries']:,} entries, {measured['day_totals']:,} day totals"
            f" ({'PostgreSQL' if postgres_url else target.sqlite.name}); measuring process peak"
            f" {measured['peak_rss_mb']:.0f} MB =="
        )
        print(_table(title, _size_rows(label, measured), SIZE_HEADER), flush=True)

    if not args.skip_import:
        results["import"] = _import_bench(base_env, data_dir, postgres_url)

    results["budgets"] = _budgets(results)
    results["orchestrator_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = data_dir / "results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nResults written to {out}")
    over = [b["budget"] for b in results["budgets"] if b["verdict"] == "OVER"]
    if over:
        print(f"OVER budget: {', '.join(over)}")
    # A benchmark reports; `make bench` goes on to the next one unless asked to be strict.
    return 1 if over and args.strict else 0


def _yesterday():
    from datetime import datetime, timedelta

    from mainthing.core import timekit

    return (datetime.now(timekit.zone(generate.ZONE)) - timedelta(days=1)).date()


def _import_bench(base_env: dict, data_dir: Path, postgres_url: str | None) -> dict:
    csv_path = data_dir / "import-1m.csv"
    csv_stamp = data_dir / "import-1m.json"
    wanted = {"version": generate.VERSION, "seed": generate.SEED, "entries": 1_000_000}
    stamp = json.loads(csv_stamp.read_text()) if csv_stamp.exists() else {}
    if not csv_path.exists() or {key: stamp.get(key) for key in wanted} != wanted:
        last_day = _yesterday()
        print(f"\n[import] writing a 1M-row Mainthing CSV ending {last_day} …", flush=True)
        began = time.perf_counter()
        generate.write_csv(csv_path, generate.plan_entries(1_000_000, last_day=last_day))
        csv_stamp.write_text(json.dumps({**wanted, "last_day": last_day.isoformat()}))
        print(f"[import] written in {time.perf_counter() - began:.1f} s", flush=True)
    if importlib.util.find_spec("mainthing.activity.importing") is None:
        print("\n[import] skipped: mainthing.activity.importing is not there yet.")
        return {"skipped": "mainthing.activity.importing is missing"}
    email = f"bench-import-{int(time.time())}@bench.invalid"
    if postgres_url:
        env = {**base_env, "MAINTHING_DATABASE_URL": postgres_url}
    else:
        database = data_dir / "import.sqlite3"
        common.fresh_sqlite(database)
        env = {**base_env, "MAINTHING_DATABASE_URL": f"sqlite:///{database}"}
    _mainthing(env, "manage", "migrate", "--no-input", "-v", "0", what="migrate (import)")
    print("[import] validating and applying 1,000,000 rows into an empty user …", flush=True)
    result = _worker(
        "import", env, data_dir / "import-result.json", "--email", email, "--csv", str(csv_path)
    )
    if postgres_url:
        _run([sys.executable, "-c", _DROP_USER, email], env, what="dropping the import user")
    rows = [
        ("validate_file", f"{result['validate_s']:.1f} s", "", ""),
        ("apply_file", f"{result['apply_s']:.1f} s", "", ""),
        (
            "import total (validate + apply)",
            f"{result['total_s']:.1f} s",
            f"<= {BUDGETS['import_s'][1]:g} s",
            common.verdict(result["total_s"], BUDGETS["import_s"][1]),
        ),
        (
            "import process peak RSS",
            f"{result['peak_rss_mb']:.0f} MB",
            f"<= {BUDGETS['import_rss'][1]:g} MB",
            common.verdict(result["peak_rss_mb"], BUDGETS["import_rss"][1]),
        ),
    ]
    header = ("measure", "figure", "budget", "")
    print(_table(f"\n== import: {result['rows']:,} rows imported ==", rows, header))
    return result


def _budgets(results: dict) -> list[dict]:
    """The budget lines for the summary: value, limit and verdict (or 'not measured')."""
    lines = []
    big = results["sizes"].get(BUDGET_SIZE)

    def add(key, value):
        label, limit, unit = BUDGETS[key]
        verdict = "not measured" if value is None else common.verdict(value, limit)
        lines.append(
            {"budget": label, "value": value, "limit": limit, "unit": unit, "verdict": verdict}
        )

    add("report_all", _median(big, "report_all"))
    add("report_week", _median(big, "report_week"))
    add("today", _median(big, "today"))
    add("http_start", _median(big, "http_start_stop", "start"))
    add("http_stop", _median(big, "http_start_stop", "stop"))
    small = results["sizes"].get("10k")
    for key in ("start", "stop"):
        low, high = _median(small, "http_start_stop", key), _median(big, "http_start_stop", key)
        if low is None or high is None:
            continue
        allowed = max(low * GROWTH_ALLOWANCE[0], low + GROWTH_ALLOWANCE[1])
        lines.append(
            {
                "budget": f"{key} via HTTP does not grow (1M minus 10k)",
                "value": round(high - low, 3),
                "limit": round(allowed - low, 3),
                "unit": "ms",
                "verdict": "PASS" if high <= allowed else "OVER",
            }
        )
    imported = results.get("import") or {}
    measured = "total_s" in imported
    add("import_s", imported["total_s"] if measured else None)
    add("import_rss", imported["peak_rss_mb"] if measured else None)
    print("\n== budgets (1M ledger) ==")
    for line in lines:
        value = "-" if line["value"] is None else f"{line['value']:g} {line['unit']}"
        print(f"  {line['budget']:<44} {value:>12}  limit {line['limit']:g} {line['unit']:<3}"
              f"  {line['verdict']}")  # fmt: skip
    return lines


if __name__ == "__main__":
    sys.exit(main())
