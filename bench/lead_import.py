"""Lead import benchmark (`python -m bench.lead_import`).

Workload: one marketer with 20,000 prospects and four lead sources imports a CSV of 100,000
leads of which 10% are duplicates: 5,000 rows repeat an earlier row of the file (the email in
other letter case, or the phone written another way) and 5,000 are people the user already has
(same email or same phone). 90,000 prospects must be created, with their history events.

The import runs exactly as a person would run it, `mainthing --user EMAIL import leads FILE
--json`, in a subprocess: its wall time and peak RSS (`ru_maxrss` of that child, from `wait4`)
are measured against the budgets (≤ 10 s, ≤ 300 MB), --runs times (default 3) from the same
starting database, and the median, the fastest run and the largest peak are reported. Then
the same file is imported once more (it must add nothing) and, with --breakdown, the passes are
timed apart in-process on another copy of the starting database. The databases are made fresh
under MAINTHING_DATA_DIR (default var/bench); with --postgres URL (or
MAINTHING_BENCH_POSTGRES_URL) the PostgreSQL database of that name is dropped and created
instead. Results go to lead-import-results.json there.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import common

LEADS = 100_000
IN_FILE_REPEATS = 5_000
KNOWN_IN_FILE = 5_000
OTHER_EXISTING = 15_000
BUDGETS = {"import_s": 10.0, "import_rss_mb": 300.0}
SEED = 20260404
EMAIL = "lead-bench@bench.invalid"
HEADER = ["Full name", "Email", "Mobile", "Source", "Stage", "Follow-up", "Tags", "Notes"]
SOURCES = [
    # (lead-gen category, campaign, key)
    ("Forum posts", "Signature", "forum-sig"),
    ("Video posts", "Overview video", "yt-overview"),
    ("PPC campaigns", "Spring ads", "ppc-spring"),
    ("Social networking", "Group posts", "fb-groups"),
]
FIRST = (
    "Ann", "Ben", "Carla", "Dev", "Elif", "Femi", "Gus", "Hana", "Ivan", "Jia", "Kofi", "Lena",
    "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vik", "Wen",
    "Xena", "Yusuf", "Zoe",
)  # fmt: skip
LAST = (
    "Adams", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jones",
    "Khan", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Usman",
    "Varga", "Weber", "Xu", "Yilmaz", "Zhou",
)  # fmt: skip
AREAS = (212, 213, 305, 312, 404, 415, 512, 617, 702, 713, 808, 917)
PHONE_FORMATS = (
    "({a}) {x}-{l}",
    "+1 {a}-{x}-{l}",
    "{a}.{x}.{l}",
    "{a}{x}{l}",
)


# --- the data ------------------------------------------------------------------------------------


class Person:
    """One generated person: the same index always gives the same name, email and phone."""

    def __init__(self, index: int):
        rng = random.Random(SEED * 1_000_003 + index)
        self.first = FIRST[index % len(FIRST)]
        self.last = LAST[(index // len(FIRST)) % len(LAST)]
        self.name = f"{self.first} {self.last}"
        kind = rng.random()
        # 10% have no phone, 10% no email; everyone has one of them.
        self.email = "" if kind < 0.1 else f"{self.first}.{self.last}.{index}@example.com".lower()
        self.area = AREAS[index % len(AREAS)]
        self.exchange = 200 + index // 10_000
        self.line = index % 10_000
        self.has_phone = kind < 0.9
        self.e164 = f"+1{self.area}{self.exchange}{self.line:04d}" if self.has_phone else ""

    def phone(self, rng: random.Random) -> str:
        if not self.has_phone:
            return ""
        pattern = rng.choice(PHONE_FORMATS)
        return pattern.format(a=self.area, x=self.exchange, l=f"{self.line:04d}")


def _row(person: Person, rng: random.Random, *, repeat: bool = False) -> list[str]:
    email = person.email
    if repeat and email:
        email = email.replace(person.first.lower(), person.first, 1).upper()
    roll = rng.random()
    source = ""
    if roll < 0.6:
        category, campaign, key = SOURCES[int(roll * 10) % len(SOURCES)]
        source = key if roll < 0.4 else f"{category} / {campaign}"
    stage = rng.choice(["", "", "", "New", "contacted", "Follow-up"])
    follow_up = (
        f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.3 else ""
    )
    tags = rng.choice(["", "", "warm", "forum, warm", "webinar; cold"])
    notes = rng.choice(["", "", "Asked about the starter pack", 'Said "call me after 7", busy'])
    return [person.name, email, person.phone(rng), source, stage, follow_up, tags, notes]


def known_indexes() -> list[int]:
    """The people of the file the user already has: every 19th of the first 95,000."""
    return list(range(0, LEADS - IN_FILE_REPEATS, 19))[:KNOWN_IN_FILE]


def write_csv(path: Path) -> None:
    """100,000 rows: 95,000 people once, then 5,000 repeats mixed in at random places."""
    rng = random.Random(SEED)
    unique = LEADS - IN_FILE_REPEATS
    repeat_at = set(rng.sample(range(1_000, LEADS), IN_FILE_REPEATS))
    known = set(known_indexes())
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        written = 0
        for position in range(LEADS):
            if position in repeat_at:
                # A repeat of someone the user has would count as known, not as repeated.
                index = rng.randrange(min(written, unique))
                while index in known:
                    index = rng.randrange(min(written, unique))
                earlier = Person(index)
                writer.writerow(_row(earlier, rng, repeat=True))
            else:
                writer.writerow(_row(Person(written), rng))
                written += 1


# --- workers (run in a subprocess with their own database) ---------------------------------------


def setup(database_url: str) -> dict:
    """Migrates, then creates the user, the sources and the 20,000 prospects they have."""
    common.setup_django(database_url)
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from mainthing.accounts.models import User
    from mainthing.activity import services as activity_services
    from mainthing.activity.models import Category
    from mainthing.prospects import services
    from mainthing.prospects.models import Prospect

    began = time.perf_counter()
    # No usable password: hashing one with Argon2 would only add to this process's memory.
    user = User.objects.create_user(EMAIL, None, time_zone="America/Chicago", phone_region="US")
    activity_services.set_up_default_categories(user)
    for category, campaign, key in SOURCES:
        services.add_source(
            user,
            category=Category.objects.get(user=user, name=category),
            campaign=campaign,
            key=key,
        )
    unknown = services.unknown_source(user)
    now = timezone.now()
    people = [Person(i) for i in known_indexes()]
    people += [Person(LEADS + i) for i in range(OTHER_EXISTING)]
    Prospect.objects.bulk_create(
        [
            Prospect(
                user=user,
                name=p.name,
                email=p.email,
                email_key=p.email,
                phone=p.e164,
                source=unknown,
                created_at=now,
                stage_changed_at=now,
            )
            for p in people
        ],
        batch_size=2000,
    )
    return {
        "existing": Prospect.objects.filter(user=user).count(),
        "setup_s": time.perf_counter() - began,
    }


def breakdown(database_url: str, csv_path: str) -> dict:
    """validate_file and apply_file timed apart, in-process, as the CLI calls them."""
    common.setup_django(database_url)
    import resource

    from mainthing.accounts.models import User
    from mainthing.prospects import importing, leadfiles

    user = User.objects.get(email=EMAIL)
    path = Path(csv_path)
    began = time.perf_counter()
    layout = leadfiles.read_layout(path)
    mapping, source = leadfiles.suggest_mapping(user, layout)
    plan = leadfiles.Plan(layout, mapping, source.pk if source else None)
    read = time.perf_counter()
    keep = path.with_suffix(".checked")
    checked = importing.validate_file(user, path, plan, keep=keep)
    validated = time.perf_counter()
    result = importing.apply_file(user, path, plan, total=checked.rows, checked=keep)
    keep.unlink(missing_ok=True)
    applied = time.perf_counter()
    return {
        "layout_s": read - began,
        "validate_s": validated - read,
        "apply_s": applied - validated,
        "rows": checked.rows,
        "created": result.created,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def counts(database_url: str) -> dict:
    common.setup_django(database_url)
    from mainthing.prospects.models import Event, Prospect

    return {
        "prospects": Prospect.objects.filter(user__email=EMAIL).count(),
        "events": Event.objects.filter(user__email=EMAIL).count(),
    }


def reset(database_url: str) -> dict:
    """Takes an import out again (PostgreSQL, where the database can't just be copied back):
    the imported prospects, their events and the remembered mapping."""
    common.setup_django(database_url)
    from mainthing.prospects.models import ColumnMapping, Event, Prospect

    Event.objects.filter(user__email=EMAIL).delete()
    removed, _ = Prospect.objects.filter(user__email=EMAIL, import_key__isnull=False).delete()
    ColumnMapping.objects.filter(user__email=EMAIL).delete()
    return {"removed": removed}


WORKERS = {"setup": setup, "breakdown": breakdown, "counts": counts, "reset": reset}


def _worker(name: str, database_url: str, *extra: str) -> dict:
    out = common.data_dir() / f"lead-import-{name}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.lead_import", "--worker", name, "--database-url"]
    done = subprocess.run([*cmd, database_url, "--out", str(out), *extra], check=False)
    if done.returncode != 0 or not out.exists():
        sys.exit(f"bench.lead_import: {name} failed (status {done.returncode}).")
    return json.loads(out.read_text())


# --- the measured import -------------------------------------------------------------------------


def cli_import(database_url: str, csv_path: Path, label: str) -> dict:
    """`mainthing --user EMAIL import leads FILE --json` in a subprocess: wall time, peak RSS
    (the child's own, from wait4) and what it printed."""
    env = {**os.environ, "MAINTHING_DATABASE_URL": database_url, "MAINTHING_RATE_LIMITS": "off"}
    out_path = common.data_dir() / f"lead-import-{label}.out"
    err_path = common.data_dir() / f"lead-import-{label}.err"
    binary = Path(sys.executable).parent / "mainthing"
    cmd = [str(binary), "--user", EMAIL, "import", "leads", str(csv_path), "--json"]
    with out_path.open("w") as out, err_path.open("w") as err:
        began = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(
            f"bench.lead_import: the import failed (status {process.returncode}):\n"
            f"{out_path.read_text()[:2000]}\n{err_path.read_text()[:2000]}"
        )
    return {
        "seconds": elapsed,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "output": json.loads(out_path.read_text()),
    }


class Database:
    """The benchmark's database, put back to its starting state before each run: a copy of
    the SQLite file, or (PostgreSQL) the imported rows deleted."""

    def __init__(self, data: Path, postgres: str):
        self.postgres = postgres
        self.sqlite = data / "lead-import.sqlite3"
        self.start = data / "lead-import-start.sqlite3"
        if postgres:
            common.fresh_postgres_database(postgres)
            self.url = postgres
        else:
            for path in (self.sqlite, self.start):
                _remove_sqlite(path)
            self.url = f"sqlite:///{self.sqlite}"

    def keep_start(self) -> None:
        if not self.postgres:
            shutil.copyfile(self.sqlite, self.start)

    def restore(self) -> None:
        if self.postgres:
            _worker("reset", self.url)
        else:
            _remove_sqlite(self.sqlite)
            shutil.copyfile(self.start, self.sqlite)

    def spare_copy(self, name: str) -> str:
        copy = self.start.with_name(name)
        _remove_sqlite(copy)
        shutil.copyfile(self.start, copy)
        return f"sqlite:///{copy}"


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lead_import", description=__doc__)
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3, help="imports to time (default 3)")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time the two passes apart, in-process"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("MAINTHING_BENCH_POSTGRES_URL", ""),
        help="run on this PostgreSQL database, dropped and created first "
        "(default: $MAINTHING_BENCH_POSTGRES_URL; else SQLite)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is OVER")
    args = parser.parse_args()
    if args.worker:
        extra = [args.csv] if args.worker == "breakdown" else []
        result = WORKERS[args.worker](args.database_url, *extra)
        Path(args.out).write_text(json.dumps(result))
        return 0

    data = common.data_dir()
    csv_path = data / "leads-100k.csv"
    began = time.perf_counter()
    write_csv(csv_path)
    print(f"[leads] wrote {LEADS:,} rows to {csv_path} in {time.perf_counter() - began:.1f} s")
    database = Database(data, args.postgres)
    prepared = _worker("setup", database.url)
    database.keep_start()
    runs = []
    for run in range(1, max(1, args.runs) + 1):
        print(
            f"[leads] the user has {prepared['existing']:,} prospects; import {run} …", flush=True
        )
        if run > 1:
            database.restore()
        runs.append(cli_import(database.url, csv_path, f"run-{run}"))
    after = _worker("counts", database.url)
    again = cli_import(database.url, csv_path, "again")
    after_again = _worker("counts", database.url)
    seconds = sorted(r["seconds"] for r in runs)
    results = {
        "leads": LEADS,
        "existing_before": prepared["existing"],
        "database": "postgresql" if args.postgres else "sqlite",
        "runs": runs,
        "import_s": statistics.median(seconds),
        "import_min_s": seconds[0],
        "import_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "reimport": again,
        "after_import": after,
        "after_reimport": after_again,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    if args.breakdown and not args.postgres:
        spare = database.spare_copy("lead-import-breakdown.sqlite3")
        results["breakdown"] = _worker("breakdown", spare, "--csv", str(csv_path))

    expected = {
        "created": LEADS - IN_FILE_REPEATS - KNOWN_IN_FILE,
        "existing": KNOWN_IN_FILE,
        "duplicates_in_file": IN_FILE_REPEATS,
    }
    outcomes = [{key: r["output"][key] for key in expected} for r in runs]
    print(
        f"\nLead import ({LEADS:,} leads, 10% duplicates, {prepared['existing']:,} prospects "
        f"before, {results['database']}, {len(runs)} run{'s' if len(runs) > 1 else ''})"
    )
    print(f"{'measure':46} {'median':>10} {'fastest':>10} {'budget':>10}  verdict")
    rows = [
        ("import via CLI, whole process (wall time)", results["import_s"], seconds[0], "s",
         "import_s"),
        ("import via CLI, peak RSS (largest run)", results["import_rss_mb"], None, "MB",
         "import_rss_mb"),
        ("re-import of the same file (wall time)", again["seconds"], None, "s", None),
        ("re-import, peak RSS", again["peak_rss_mb"], None, "MB", None),
    ]  # fmt: skip
    if "breakdown" in results:
        b = results["breakdown"]
        rows += [
            ("  in-process: read_layout", b["layout_s"], None, "s", None),
            ("  in-process: validate_file", b["validate_s"], None, "s", None),
            ("  in-process: apply_file", b["apply_s"], None, "s", None),
        ]
    over = False
    for label, value, fastest, unit, key in rows:
        best = f"{fastest:>7.2f} {unit:2}" if fastest is not None else ""
        budget = f"{BUDGETS[key]:>7.0f} {unit:2}" if key else ""
        verdict = common.verdict(value, BUDGETS[key]) if key else ""
        over = over or verdict == "OVER"
        print(f"{label:46} {value:>7.2f} {unit:2} {best:>10} {budget:>10}  {verdict}")
    print(
        f"outcome of each run: {outcomes[0] if len(set(map(str, outcomes))) == 1 else outcomes} "
        f"(expected {expected}); re-import created {again['output']['created']}; prospects "
        f"{after['prospects']:,} → {after_again['prospects']:,}, events {after['events']:,}; "
        f"load average {results['load_average'][0]:.1f} on {results['cpus']} CPUs"
    )
    wrong = any(o != expected for o in outcomes) or again["output"]["created"] != 0
    wrong = wrong or after["events"] != expected["created"]
    if wrong:
        print(
            "bench.lead_import: the import did not do what the workload expects.", file=sys.stderr
        )
    (data / "lead-import-results.json").write_text(json.dumps(results, indent=2))
    return 1 if wrong or (over and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
