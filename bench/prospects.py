"""Prospect list and card benchmarks (`python -m bench.prospects`).

Workload: one user (America/Chicago, phone region US) with 25,000 prospects made in bulk:
realistic names, emails and E.164 phones (mostly US, some UK and Australian), stages weighted
like a real funnel, tags, eight lead sources plus "Unknown", follow-ups around today and an
"added" event each (plus a stage event for those past "new"); one of them has a long history
(notes and stage changes, calls, linked time entries, income). Measures in-process, through
Django's test client with a logged-in user (the whole middleware stack), median and fastest of
repeated runs, and the query count of each page:

- the list page, default sort (budget 40 ms) and with filters (stage; due follow-ups; a tag),
- search by phone typed as "(415) 555-0123" (budget 20 ms), by name, by email,
- the card of the prospect with the long history (its newest 100 lines, and the whole history),
- the CSV export of all 25,000 (for information).

Every database is created fresh under MAINTHING_DATA_DIR: SQLite always, and PostgreSQL when a
URL is given (`--postgres URL` or MAINTHING_BENCH_POSTGRES_URL; the database of that name is
dropped and created through the `postgres` database).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time

from bench import common

PROSPECTS = 25_000
SEED = 25
PHONE_TYPED = "(415) 555-0123"
BUDGETS = {"list_default": 40.0, "search_phone": 20.0}

FIRST = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Carlos", "Maria", "Jose", "Ana", "Luis", "Sofia", "Wei", "Mei", "Raj", "Priya",
    "Amit", "Anjali", "Olumide", "Chioma", "Kwame", "Ama", "Hiroshi", "Yuki", "Liam", "Emma",
    "Noah", "Olivia", "Lucas", "Mia", "Mateo", "Isabella", "Ahmed", "Fatima", "Omar", "Layla",
    "Ivan", "Olga", "Pierre", "Claire", "Hans", "Greta", "Sean", "Aoife",
)  # fmt: skip
LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Shah", "Okafor", "Mensah", "Tanaka",
    "Sato", "Kim", "Park", "Chen", "Wang", "O'Brien", "Murphy", "Kowalski", "Novak", "Müller",
    "Schmidt", "Dubois",
)  # fmt: skip
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com")
AREA_CODES = (212, 213, 305, 312, 404, 415, 469, 512, 602, 617, 702, 713, 808, 917, 919, 971)
TAGS = (
    "warm", "cold", "hot lead", "facebook group", "forum", "webinar", "referral", "spanish",
    "nurse", "teacher", "stay-at-home parent", "retired", "student", "crypto", "fitness",
)  # fmt: skip
# Stages weighted like a funnel: most leads are new or were contacted once.
STAGES = (
    ("new", 35), ("contacted", 20), ("booked", 8), ("presented", 6), ("follow_up", 12),
    ("joined", 4), ("declined", 10), ("affiliate_offered", 3), ("affiliate_joined", 2),
)  # fmt: skip
SOURCES = (
    ("Forum posts", "Signature on the MLM forum"),
    ("Forum posts", "Warrior forum thread"),
    ("Video posts", "YouTube: how I work from home"),
    ("Video posts", "TikTok series"),
    ("PPC campaigns", "Facebook ads: moms"),
    ("PPC campaigns", "Google ads: extra income"),
    ("Social networking", "Instagram DMs"),
    ("Social networking", "LinkedIn"),
)


def _timed(func, runs: int) -> dict:
    """Median and fastest of `runs` after two warm-ups, in ms. The fastest run tells a busy
    machine from a slow path."""
    samples = common.samples_ms(func, runs=runs, warmup=2)
    return {"median_ms": statistics.median(samples), "min_ms": min(samples)}


# --- the data ----------------------------------------------------------------------------------


def _phone(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.85:
        area = rng.choice(AREA_CODES)
        return f"+1{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    if kind < 0.93:
        return f"+447{rng.randint(100, 999)}{rng.randint(0, 999999):06d}"
    return f"+614{rng.randint(10, 99)}{rng.randint(0, 999999):06d}"


def make_workload(email: str, prospects: int = PROSPECTS, *, user=None) -> dict:
    """The user (made afresh, or `user` as it is) and their prospects; returns what the
    measurements need."""
    from datetime import UTC, datetime, timedelta

    from django.db import connection

    from mainthing import onboarding
    from mainthing.accounts.models import User
    from mainthing.activity import services as activity_services
    from mainthing.activity.models import Activity, Category
    from mainthing.bookings.models import Appointment
    from mainthing.core import timekit
    from mainthing.prospects import services
    from mainthing.prospects.models import Event, Income, Prospect, ProspectTime

    rng = random.Random(SEED)
    if user is None:
        User.objects.filter(email=email).delete()
        user = onboarding.create_account(
            email=email, password="bench-password-1", time_zone="America/Chicago"
        )
    categories = {c.name: c for c in Category.objects.filter(user=user)}
    sources = [services.unknown_source(user)] + [
        services.add_source(user, category=categories[name], campaign=campaign)
        for name, campaign in SOURCES
    ]
    now = datetime.now(UTC).replace(microsecond=0)
    today = timekit.local_date(now, timekit.zone(user.time_zone))
    stage_names = [s for s, _ in STAGES]
    stage_weights = [w for _, w in STAGES]

    rows = []
    phones = set()
    for _ in range(prospects):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        phone = _phone(rng) if rng.random() < 0.8 else ""
        if phone in phones or phone == "+14155550123":
            phone = ""
        phones.add(phone)
        email_text = (
            f"{first}.{last}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}".lower()
            if rng.random() < 0.85
            else ""
        )
        created = now - timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60))
        stage = rng.choices(stage_names, stage_weights)[0]
        closed = stage in ("joined", "affiliate_joined")
        follow = (
            today + timedelta(days=rng.randint(-30, 30))
            if not closed and rng.random() < 0.4
            else None
        )
        tags = rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3)))
        contacted = created + timedelta(days=rng.randint(0, 30)) if stage != "new" else None
        rows.append(
            Prospect(
                user=user,
                name=f"{first} {last}",
                email=email_text,
                email_key=email_text,
                phone=phone,
                social=f"@{first.lower()}{last.lower()}" if rng.random() < 0.3 else "",
                time_zone=rng.choice(("", "", "America/New_York", "America/Chicago")),
                source=rng.choice(sources),
                stage=stage,
                follow_up_on=follow,
                tags=services.clean_tags(tags),
                notes="Met in the group chat." if rng.random() < 0.2 else "",
                created_at=created,
                stage_changed_at=created,
                last_contacted_at=min(contacted, now) if contacted else None,
            )
        )
    # The one the phone search looks for, typed as PHONE_TYPED.
    rows[len(rows) // 2].phone = "+14155550123"
    rows[len(rows) // 2].name = "Maria Gonzalez"
    started = time.perf_counter()
    Prospect.objects.bulk_create(rows, batch_size=2000)
    events = []
    for p in Prospect.objects.filter(user=user).only("pk", "stage", "created_at"):
        events.append(
            Event(user=user, prospect_id=p.pk, kind="created", at=p.created_at, to_stage="new")
        )
        if p.stage != "new":
            changed = p.created_at + timedelta(days=1)
            events.append(
                Event(
                    user=user,
                    prospect_id=p.pk,
                    kind="stage",
                    at=changed,
                    from_stage="new",
                    to_stage=p.stage,
                )
            )
    Event.objects.bulk_create(events, batch_size=2000)

    # A long history: a year of notes, calls, linked entries and income.
    long = Prospect.objects.get(user=user, phone="+14155550123")
    call_cat = categories["Prospect call"]
    history_events, calls, entries, incomes = [], [], [], []
    for k in range(150):
        at = now - timedelta(days=365) + timedelta(days=k * 2, hours=3)
        history_events.append(
            Event(user=user, prospect=long, kind="note", at=at, text=f"Talked about plan {k}.")
        )
    for k in range(60):
        start = now - timedelta(days=360) + timedelta(days=k * 6, hours=1)
        calls.append(
            Appointment(
                user=user,
                prospect=long,
                prospect_name=long.name,
                start=start,
                end=start + timedelta(minutes=30),
                status="completed",
            )
        )
        entries.append(
            Activity(
                user=user,
                category=call_cat,
                start=start,
                end=start + timedelta(minutes=28),
                seconds=28 * 60,
                prospect_name=long.name,
                origin="appointment",
            )
        )
    for k in range(24):
        incomes.append(
            Income(
                user=user,
                date=(now - timedelta(days=360 - k * 15)).date(),
                amount=49,
                currency="USD",
                kind="product",
                prospect=long,
            )
        )
    Event.objects.bulk_create(history_events)
    Appointment.objects.bulk_create(calls)
    made = Activity.objects.bulk_create(entries)
    # Counted like any write of entries, so the day totals (and their insight counters) agree.
    totals = activity_services.DayTotals(timekit.zone(user.time_zone))
    for a in made:
        totals.add(
            a.start, a.end, a.category_id, tier=call_cat.tier, origin=a.origin,
            seconds=a.seconds, override=a.iga_override,
        )  # fmt: skip
    activity_services.add_to_day_totals(user, totals.pairs)
    ProspectTime.objects.bulk_create(ProspectTime(activity=a, prospect=long) for a in made)
    Income.objects.bulk_create(incomes)
    if connection.vendor == "postgresql":
        # Autovacuum analyses a table within a minute of a bulk load like this one; measuring
        # before it has would time plans made without statistics. SQLite gets no ANALYZE:
        # the app never runs one, so its figures are those of a real install.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "user": user,
        "long": long,
        "tag": "facebook group",
        "name_query": "gonzalez",
        "email_query": next(r.email for r in rows[100:] if r.email),
        "generate_s": round(time.perf_counter() - started, 2),
        "history": len(history_events) + len(calls) + len(made) + len(incomes) + 2,
    }


# --- the measurements --------------------------------------------------------------------------


def measure(database_url: str, *, runs: int) -> dict:
    common.setup_server(database_url)
    from django.db import connection
    from django.test import Client

    from mainthing.prospects.models import Prospect

    work = make_workload("prospects-bench@mainthing.local")
    user, long = work["user"], work["long"]
    client = Client()
    client.force_login(user)

    def page(path: str, params: dict | None = None, *, expect: str | None = None):
        def get():
            response = client.get(path, params or {})
            assert response.status_code == 200, (path, response.status_code)
            return response

        executed = []
        with connection.execute_wrapper(
            lambda execute, sql, *rest: executed.append(sql) or execute(sql, *rest)
        ):
            body = get().content.decode()
        if expect is not None and expect not in body:
            raise RuntimeError(f"{path} {params}: {expect!r} is not on the page")
        return {**_timed(get, runs), "queries": len(executed)}

    def export():
        response = client.get("/prospects/export/")
        return sum(1 for _ in response.streaming_content)

    card = f"/prospects/{long.pk}/"
    results = {
        "prospects": Prospect.objects.filter(user=user).count(),
        "history": work["history"],
        "generate_s": work["generate_s"],
        "list_default": page("/prospects/", expect="Next →"),
        "list_stage": page("/prospects/", {"stage": "contacted"}, expect="Next →"),
        "list_due": page("/prospects/", {"due": "on", "sort": "follow_up"}, expect="Next →"),
        "list_tag": page("/prospects/", {"tag": work["tag"]}, expect="Next →"),
        "list_name_sort": page("/prospects/", {"sort": "name", "page": 40}, expect="Next →"),
        "search_phone": page("/prospects/", {"q": PHONE_TYPED}, expect="Maria Gonzalez"),
        "search_name": page("/prospects/", {"q": work["name_query"]}, expect="Gonzalez"),
        "search_email": page("/prospects/", {"q": work["email_query"]}),
        "card_long": page(card, expect="Show the whole history"),
        "card_whole": page(card, {"history": "all"}),
    }
    started = time.perf_counter()
    lines = export()
    results["export_all"] = {
        "median_ms": (time.perf_counter() - started) * 1000,
        "min_ms": None,
        "lines": lines,
    }
    return results


ROWS = (
    ("list page, newest first", "list_default"),
    ("list page, stage = contacted", "list_stage"),
    ("list page, follow-up due, by follow-up", "list_due"),
    ("list page, one tag", "list_tag"),
    ("list page, by name, page 40", "list_name_sort"),
    (f"search by phone “{PHONE_TYPED}”", "search_phone"),
    ("search by name", "search_name"),
    ("search by whole email", "search_email"),
    ("card, long history (newest 100 lines)", "card_long"),
    ("card, long history (whole)", "card_whole"),
)


def main() -> int:
    args = common.database_arguments(
        __doc__, runs_help="repetitions per page (default 30)"
    ).parse_args()
    results = common.measure_on_databases(
        args, module="bench.prospects", name="prospects", measure=measure
    )
    if results is None:
        return 0

    for db, figures in results.items():
        print(
            f"\nProspects on {db}: {figures['prospects']:,} prospects, a card with "
            f"{figures['history']} history lines (generated in {figures['generate_s']} s), "
            f"median of {args.runs}"
        )
        print(f"{'measure':42} {'median':>9} {'fastest':>9} {'queries':>7} {'budget':>9}  verdict")
        for label, key in ROWS:
            figure = figures[key]
            budget = BUDGETS.get(key)
            verdict = ("PASS" if figure["median_ms"] <= budget else "OVER") if budget else ""
            limit = f"{budget:.0f} ms" if budget else ""
            print(
                f"{label:42} {figure['median_ms']:>6.1f} ms {figure['min_ms']:>6.1f} ms "
                f"{figure['queries']:>7} {limit:>9}  {verdict}"
            )
        export = figures["export_all"]
        label = "CSV export of every prospect (one run)"
        print(f"{label:42} {export['median_ms']:>6.0f} ms  ({export['lines'] - 1:,} rows)")
    (common.data_dir() / "prospects-results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
