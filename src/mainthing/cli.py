"""`mainthing`: the daily moves from a terminal, plus serving and running the worker.

Usage: mainthing [--user EMAIL] COMMAND ...  Read commands take --json.
Each command is a thin function: parse, call a service or query, print.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path


class CommandError(Exception):
    """A message for the user; the CLI prints it and exits with `status`: 1 when the command
    can't be done, 2 when what was typed can't be used (as argparse does for usage errors)."""

    def __init__(self, message: str, *, status: int = 1):
        super().__init__(message)
        self.status = status


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mainthing.settings")
    import django

    django.setup()


def _console():
    from rich.console import Console

    return Console(highlight=False)


def _print_json(data) -> None:
    print(json.dumps(data, indent=2, default=str))


def _now():
    from django.utils import timezone

    return timezone.now()


def _user(args):
    """The acting user: --user EMAIL, or the only user there is."""
    from mainthing.accounts.models import User

    if args.user:
        user = User.objects.filter(email__iexact=args.user).first()
        if user is None:
            raise CommandError(f"No user with email {args.user}.")
        return user
    users = list(User.objects.order_by("pk")[:2])
    if not users:
        raise CommandError("There is no account yet. Create one: mainthing createuser EMAIL")
    if len(users) > 1:
        raise CommandError("There are several users; say which with --user EMAIL.")
    return users[0]


def _category(user, name: str):
    from mainthing.activity.models import Category

    matches = list(Category.objects.filter(user=user, name__iexact=name.strip()))
    if not matches:
        matches = list(
            Category.objects.filter(user=user, name__istartswith=name.strip(), archived=False)
        )
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(
        c.name
        for c in Category.objects.filter(user=user, archived=False).order_by("tier", "position")
    )
    if matches:
        raise CommandError(f"{name!r} matches several categories; be exact. Yours: {names}")
    raise CommandError(f"No category called {name!r}. Yours: {names}")


# --- serving -------------------------------------------------------------------------------------


def cmd_serve(args) -> int:
    """Runs gunicorn and the task worker side by side; Ctrl-C stops both cleanly."""
    from django.conf import settings

    port = args.port or settings.PORT
    bind = f"{args.host}:{port}"
    python = sys.executable
    web = [
        python,
        "-m",
        "gunicorn",
        "mainthing.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(args.workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    worker = [python, "-m", "mainthing.cli", "worker"]
    # Own sessions: Ctrl-C reaches only this process, which then stops both children gracefully
    # (a terminal's SIGINT to the whole group would cut gunicorn's workers off mid-request).
    children = [
        subprocess.Popen(web, start_new_session=True),
        subprocess.Popen(worker, start_new_session=True),
    ]
    print(f"Mainthing is serving http://{bind}/ with its worker. Press Ctrl-C to stop.", flush=True)
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    while not stopping:
        for child in children:
            if child.poll() is not None:
                print(f"{child.args[2]} exited with {child.returncode}; stopping.", file=sys.stderr)
                status = child.returncode or 1
                stopping = True
        time.sleep(0.3)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    print("Stopped.", flush=True)
    return status


def cmd_worker(args) -> int:
    from django.conf import settings
    from django.core.management import call_command

    # A (re)start is a natural moment to delete uploads left unused; a daily cron catches the
    # rest (docs/deployment.md).
    call_command("expire_imports", verbosity=0)
    if settings.REDIS_URL:
        call_command(
            "rqworker",
            "default",
            burst=args.batch,
            worker_class=args.worker_class,
            job_class="django_tasks_rq.Job",
        )
    else:
        call_command("db_worker", interval=args.interval, batch=args.batch, startup_delay=False)
    return 0


def cmd_manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mainthing manage", *args.rest])
    return 0


# --- accounts ------------------------------------------------------------------------------------


def cmd_createuser(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing import onboarding

    zone = args.tz or _machine_zone()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CommandError("The passwords don't match.")
    try:
        user = onboarding.create_account(
            email=args.email, password=password, time_zone=zone, name=args.name or ""
        )
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    print(f"Created {user.email} (time zone {user.time_zone}).")
    return 0


def _machine_zone() -> str:
    """The machine's IANA zone: $TZ, /etc/timezone, or the /etc/localtime link; else UTC."""
    from mainthing.core import timekit

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    timezone_file = Path("/etc/timezone")
    if timezone_file.exists():
        candidates.append(timezone_file.read_text().strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            try:
                timekit.zone(name)
                return name
            except ValueError:
                continue
    return "UTC"


# --- the ledger ----------------------------------------------------------------------------------


def _entry_json(entry, tz) -> dict:
    return {
        "id": entry.pk,
        "category": entry.category.name,
        "tier": entry.category.tier,
        "start": entry.start.astimezone(tz).isoformat(),
        "end": entry.end.astimezone(tz).isoformat() if entry.end else None,
        "seconds": entry.seconds,
        "note": entry.note,
        "prospect_name": entry.prospect_name,
        "iga_override": entry.iga_override,
    }


def cmd_start(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.activity import services
    from mainthing.core import timekit

    user = _user(args)
    category = _category(user, args.category)
    override = args.yes
    prospect, prospect_name = None, (args.prospect or "").strip()
    if prospect_name:
        prospect, _ = _prospect_by_name(user, prospect_name)
        prospect_name = prospect.name if prospect else prospect_name

    def start(category, override: bool):
        """Starts the timer and ties it to the prospect, both or neither."""
        from django.db import transaction

        from mainthing.prospects import services as prospect_services

        with transaction.atomic():
            entry = services.start_timer(
                user,
                category,
                now=_now(),
                note=args.note or "",
                prospect_name=prospect_name,
                override=override,
            )
            if prospect is not None:
                prospect_services.link_time(entry, prospect)
        return entry

    try:
        entry = start(category, override)
    except services.IgaQuestion as question:
        income = ", ".join(c.name for c in question.income_categories) or "none yet"
        if not sys.stdin.isatty():
            raise CommandError(
                f"{services.IGA_QUESTION}\n{category.name} is busy work. Start an income category "
                f"instead ({income}), or add --yes to start it anyway."
            ) from None
        print(services.IGA_QUESTION)
        choices = {str(i): c for i, c in enumerate(question.income_categories, 1)}
        for key, option in choices.items():
            print(f"  {key}) switch to {option.name}")
        print(f"  a) start {category.name} anyway")
        answer = input("Choose: ").strip().lower()
        if answer in choices:
            category, override = choices[answer], False
        elif answer != "a":
            print("Nothing started.")
            return 1
        else:
            override = True
        entry = start(category, override)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    tz = timekit.zone(user.time_zone)
    if args.json:
        _print_json({**_entry_json(entry, tz), "prospect": prospect.pk if prospect else None})
    else:
        whom = f" with #{prospect.pk} {prospect.name}" if prospect else ""
        print(f"Started {entry.category.name}{whom} at {entry.start.astimezone(tz):%H:%M}.")
    return 0


def cmd_stop(args) -> int:
    from mainthing.activity import services
    from mainthing.core import timekit

    user = _user(args)
    entry = services.stop_timer(user, now=_now())
    tz = timekit.zone(user.time_zone)
    if args.json:
        _print_json(_entry_json(entry, tz) if entry else None)
    elif entry is None:
        print("No timer is running.")
    else:
        print(f"Stopped {entry.category.name}: {timekit.format_minutes(entry.seconds)}.")
    return 0


def cmd_status(args) -> int:
    from mainthing.activity import services
    from mainthing.core import timekit
    from mainthing.routine import queries as routine_queries

    user = _user(args)
    now = _now()
    tz = timekit.zone(user.time_zone)
    specs = routine_queries.specs(user)  # read once for the two questions about blocks
    running = services.running_entry(user)
    nudge = services.nudge_due(user, running, now)
    data = {
        "user": user.email,
        "time_zone": user.time_zone,
        "now": now.astimezone(tz).isoformat(),
        "running": (
            {
                **_entry_json(running, tz),
                "elapsed_seconds": timekit.elapsed_seconds(running.start, now),
            }
            if running
            else None
        ),
        "prospecting_now": services.is_prospecting_time(user, now, block_specs=specs),
        "current_block": _current_block_json(
            routine_queries.current_block(user, now, block_specs=specs), tz
        ),
        # The public booking page arrives with the booking-page issue.
        "booking_url": None,
        "question": services.NUDGE_QUESTION if nudge else None,
    }
    if args.json:
        _print_json(data)
        return 0
    if running:
        elapsed = timekit.format_minutes(data["running"]["elapsed_seconds"])
        print(
            f"Running: {running.category.name} ({running.category.get_tier_display()})"
            f" for {elapsed}"
        )
    else:
        print("Nothing running.")
    if data["current_block"]:
        block = data["current_block"]
        label = block["label"] or f"{block['tier']} block"
        print(f"Block now: {label} until {block['end'][11:16]}.")
    if data["prospecting_now"]:
        print("It's your prospecting time.")
    if nudge:
        print(services.NUDGE_QUESTION)
    return 0


def _current_block_json(block, tz) -> dict | None:
    if block is None:
        return None
    return {
        "tier": block.tier,
        "label": block.label,
        "start": block.start.astimezone(tz).isoformat(),
        "end": block.end.astimezone(tz).isoformat(),
    }


def cmd_log(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.activity import services
    from mainthing.core import timekit

    user = _user(args)
    tz = timekit.zone(user.time_zone)
    category = _category(user, args.category)
    now = _now()
    try:
        seconds = timekit.parse_duration(args.duration)
        if args.at:
            start = timekit.parse_local_datetime(args.at, tz, now=now)
        else:
            start = now.replace(second=0, microsecond=0) - timedelta(seconds=seconds)
        end = start + timedelta(seconds=seconds)
        entry = services.add_entry(
            user,
            category,
            start=start,
            end=end,
            now=now,
            note=args.note or "",
            allow_overlap=args.allow_overlap,
        )
    except services.OverlapError as error:
        raise CommandError(f"{error.messages[0]} (add --allow-overlap)") from None
    except (ValueError, ValidationError) as error:
        raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
    if args.json:
        _print_json(_entry_json(entry, tz))
    else:
        print(
            f"Logged {timekit.format_minutes(entry.seconds)} of {category.name} "
            f"from {entry.start.astimezone(tz):%Y-%m-%d %H:%M}."
        )
    return 0


def cmd_today(args) -> int:
    from mainthing.activity import queries, services
    from mainthing.core import timekit

    user = _user(args)
    tz = timekit.zone(user.time_zone)
    t = queries.today(user, now=_now())
    if args.json:
        _print_json(
            {
                "day": t.day.isoformat(),
                "running": _entry_json(t.running, tz) if t.running else None,
                "iga_seconds": t.iga_seconds,
                "goal_seconds": t.goal_seconds,
                "conversations": t.conversations,
                "week_iga_seconds": t.week_iga_seconds,
                "tiers": {p["tier"]: p["seconds"] for p in t.split.parts()},
                "entries": [_entry_json(e, tz) for e in t.entries],
                "nudge": t.nudge,
            }
        )
        return 0
    from rich.table import Table

    console = _console()
    console.print(f"[bold]{t.day:%A %d %B}[/bold] ({user.time_zone})")
    if t.running:
        console.print(
            f"Running: {t.running.category.name} since {t.running.start.astimezone(tz):%H:%M}"
        )
    console.print(
        f"IGA {timekit.format_minutes(t.iga_seconds)} of {timekit.format_minutes(t.goal_seconds)}"
        f" ({t.goal_percent}%) · conversations {t.conversations}/{user.goal_conversations}"
        f" · this week {timekit.format_minutes(t.week_iga_seconds)}"
    )
    table = Table("When", "Category", "Tier", "Time", "Note")
    for e in t.entries:
        table.add_row(
            f"{e.start.astimezone(tz):%H:%M}-{e.end.astimezone(tz):%H:%M}",
            e.category.name,
            e.category.tier,
            timekit.format_minutes(e.seconds),
            e.note,
        )
    console.print(table)
    if t.nudge:
        console.print(f"[yellow]{services.NUDGE_QUESTION}[/yellow]")
    return 0


def cmd_book(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.bookings import services
    from mainthing.core import timekit

    user = _user(args)
    tz = timekit.zone(user.time_zone)
    now = _now()
    try:
        start = timekit.parse_local_datetime(args.when, tz, now=now)
    except ValueError as error:
        raise CommandError(str(error)) from None
    # An ID, or a name that fits exactly one prospect; any other name makes the booking add
    # a new prospect (source Unknown) in the same transaction.
    prospect, namesakes = _prospect_by_name(user, args.prospect)
    options = {
        "prospect": prospect,
        "prospect_name": args.prospect,
        "start": start,
        "minutes": args.minutes,
        "now": now,
        "note": args.note or "",
    }
    try:
        try:
            appointment = services.book(user, allow_outside=args.yes, **options)
        except services.OutsideProspecting:
            if not sys.stdin.isatty():
                raise CommandError(f"{services.OUTSIDE_QUESTION} Add --yes to book it.") from None
            if input(f"{services.OUTSIDE_QUESTION} [y/N] ").strip().lower() not in {"y", "yes"}:
                print("Nothing booked.")
                return 1
            appointment = services.book(user, allow_outside=True, **options)
    except services.SlotTaken as taken:
        raise CommandError(str(taken)) from None
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    local = appointment.start.astimezone(tz)
    if args.json:
        _print_json(
            {
                **_appointment_json(appointment, tz),
                "prospect_id": appointment.prospect_id,
                "prospect_created": prospect is None,
            }
        )
    else:
        print(
            f"Booked {appointment.prospect_name} on {local:%a %d %b %Y at %H:%M}"
            f" for {appointment.minutes} min ({user.time_zone})."
        )
    if prospect is None and not args.json:
        # A note beside the result, so scripts reading stdout see the one line they expect.
        also = (
            f"; {len(namesakes)} others have that name ("
            + ", ".join(f"#{p.pk}" for p in namesakes)
            + "), book by ID to use one"
            if namesakes
            else ""
        )
        print(
            f"Added {appointment.prospect_name} as prospect #{appointment.prospect_id} "
            f"(source Unknown){also}.",
            file=sys.stderr,
        )
    return 0


def _appointment_json(appointment, tz) -> dict:
    return {
        "id": appointment.pk,
        "prospect": appointment.prospect_name,
        "start": appointment.start.astimezone(tz).isoformat(),
        "end": appointment.end.astimezone(tz).isoformat(),
        "minutes": appointment.minutes,
        "status": appointment.status,
        "outside_blocks": appointment.outside_blocks,
    }


def cmd_agenda(args) -> int:
    from mainthing.bookings import queries
    from mainthing.core import timekit
    from mainthing.routine import queries as routine_queries

    user = _user(args)
    tz = timekit.zone(user.time_zone)
    if not 1 <= args.days <= 31:
        raise CommandError("--days must be from 1 to 31.")
    today = timekit.local_date(_now(), tz)
    # Routine and appointments read once for the whole span, not once per day.
    specs = routine_queries.specs(user)
    span_start = timekit.local_day_bounds(today, tz)[0]
    span_end = timekit.local_day_bounds(today + timedelta(days=args.days - 1), tz)[1]
    appointments = queries.appointments_between(user, span_start, span_end)
    days = []
    for offset in range(args.days):
        day = today + timedelta(days=offset)
        day_start, day_end = timekit.local_day_bounds(day, tz)
        todays = [a for a in appointments if a.start < day_end and a.end > day_start]
        items = queries.agenda_day(user, day, specs=specs, appointments=todays)
        days.append((day, items))
    if args.json:
        _print_json(
            [
                {
                    "date": day.isoformat(),
                    "items": [
                        {
                            "kind": i["kind"],
                            "start": i["start"].astimezone(tz).isoformat(),
                            "end": i["end"].astimezone(tz).isoformat(),
                            "tier": i["tier"],
                            "label": i["label"],
                            **({"status": i["status"], "id": i["id"]} if "status" in i else {}),
                        }
                        for i in items
                    ],
                }
                for day, items in days
            ]
        )
        return 0
    console = _console()
    for day, items in days:
        console.print(f"[bold]{day:%A %d %B}[/bold]")
        if not items:
            console.print("  nothing planned")
        for i in items:
            when = f"{i['start'].astimezone(tz):%H:%M}-{i['end'].astimezone(tz):%H:%M}"
            if i["kind"] == "block":
                label = i["label"] or "block"
                console.print(f"  {when}  {i['tier']:<8} {label}", markup=False)
            else:
                console.print(f"  {when}  call     {i['label']} ({i['status']})", markup=False)
    return 0


def _parse_spec(text: str):
    """'Mon-Sat 19:00-21:00' as (days text, start, end)."""
    from datetime import time as clock

    parts = text.strip().rsplit(" ", 1)
    if len(parts) != 2 or "-" not in parts[1]:
        raise CommandError(f'Can\'t read {text!r}; write it like "Mon-Sat 19:00-21:00".')
    days, hours = parts
    try:
        start_text, end_text = hours.split("-", 1)
        start, end = clock.fromisoformat(start_text), clock.fromisoformat(end_text)
    except ValueError:
        raise CommandError(
            f"Can't read the hours {hours!r}; write them like 19:00-21:00."
        ) from None
    return days, start, end


def _block_json(block) -> dict:
    return {
        "id": block.pk,
        "tier": block.tier,
        "days": block.days_text,
        "start": f"{block.start:%H:%M}",
        "end": f"{block.end:%H:%M}",
        "time_zone": block.time_zone,
        "label": block.label,
        "valid_from": block.valid_from.isoformat() if block.valid_from else None,
        "valid_until": block.valid_until.isoformat() if block.valid_until else None,
    }


def cmd_routine(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.routine import services
    from mainthing.routine.models import Block

    user = _user(args)
    today = services.now_local_date(user, _now())
    if args.action == "add":
        if not args.tier or not args.spec:
            raise CommandError('Usage: mainthing routine add TIER "Mon-Sat 19:00-21:00"')
        days, start, end = _parse_spec(args.spec)
        try:
            block = services.add_block(
                user,
                tier=args.tier,
                days=days,
                start=start,
                end=end,
                zone=args.tz,
                label=args.label or "",
                today=today,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if args.json:
            _print_json(_block_json(block))
        else:
            print(f"Added block {block.pk}: {block} ({block.time_zone}).")
        return 0
    if args.action == "template":
        made = services.apply_starter_template(user, today=today)
        print(f"Added {len(made)} block{'s' if len(made) != 1 else ''} of the starter routine.")
        return 0
    if args.action == "remove":
        block_id = args.tier or ""
        block = (
            Block.objects.filter(user=user, pk=int(block_id)).first()
            if block_id.isdigit()
            else None
        )
        if block is None:
            raise CommandError(f"You have no block {block_id!r}; see mainthing routine list.")
        services.remove_block(block)
        print(f"Removed block {block_id}.")
        return 0
    blocks = list(Block.objects.filter(user=user).order_by("start", "pk"))
    if args.json:
        _print_json([_block_json(b) for b in blocks])
        return 0
    if not blocks:
        print('No blocks yet. Add one: mainthing routine add income "Mon-Sat 19:00-21:00"')
        return 0
    from rich.table import Table

    table = Table("ID", "Tier", "Days", "Hours", "Zone", "Label")
    for b in blocks:
        table.add_row(
            str(b.pk), b.tier, b.days_text, f"{b.start:%H:%M}-{b.end:%H:%M}", b.time_zone, b.label
        )
    _console().print(table)
    return 0


def cmd_report(args) -> int:
    from mainthing.activity import queries
    from mainthing.core import timekit

    user = _user(args)
    tz = timekit.zone(user.time_zone)
    first, last = _parse_day(args.from_), _parse_day(args.to)
    if args.week:
        today = timekit.local_date(_now(), tz)
        first = timekit.week_start(today)
        last = first + timedelta(days=6)
    if first and last and first > last:
        raise CommandError("--from must be on or before --to.")
    report = queries.report(user, first=first, last=last)
    if args.json:
        _print_json(report.as_dict())
        return 0
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["tier", "category", "seconds", "hours", "entries"])
        for row in report.rows:
            writer.writerow(
                [row.tier, row.category, row.seconds, f"{row.seconds / 3600:.2f}", row.entries]
            )
        return 0
    from rich.table import Table

    span = f"{first or 'the beginning'} to {last or 'today'}"
    table = Table("Tier", "Category", "Time", "Entries", title=f"Report: {span}")
    for row in report.rows:
        table.add_row(row.tier, row.category, timekit.format_minutes(row.seconds), str(row.entries))
    table.add_section()
    for tier, seconds in report.tiers.items():
        table.add_row(tier, "(all)", timekit.format_minutes(seconds), "")
    table.add_row("total", "", timekit.format_minutes(report.total), "")
    _console().print(table)
    return 0


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; write YYYY-MM-DD.") from None


def cmd_import(args) -> int:
    from mainthing.activity import importing

    if args.kind == "leads":
        from mainthing.prospects import importing as lead_importing

        if args.format != "csv" or args.tier or args.mapping:
            raise CommandError(
                "Leads come from CSV files; --format, --tier and --mapping are for activities. "
                "For leads use --source KEY and --map 'Header=field,...'.",
                status=2,
            )
        return lead_importing.run_cli_import(
            _user(args),
            Path(args.file),
            source_key=args.source,
            map_text=args.map,
            has_header=args.header,
            as_json=args.json,
        )
    if args.source or args.map or args.header is not None:
        raise CommandError("--source, --map, --header and --no-header are for leads.", status=2)
    user = _user(args)
    return importing.run_cli_import(
        user,
        Path(args.file),
        fmt=args.format,
        tier=args.tier,
        mapping=Path(args.mapping) if args.mapping else None,
        as_json=args.json,
    )


def cmd_export(args) -> int:
    from mainthing import portability

    user = _user(args)
    counts = portability.export_user(user, Path(args.file))
    print(
        f"Exported {user.email} to {args.file}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
    )
    return 0


def cmd_restore(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing import portability

    user = _user(args)
    try:
        counts = portability.restore_user(user, Path(args.file))
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    print(f"Restored into {user.email}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def cmd_backup(args) -> int:
    from mainthing.backup import backup_database

    try:
        path = backup_database(Path(args.dir))
    except RuntimeError as error:
        raise CommandError(str(error)) from None
    print(f"Backed up the database to {path}.")
    return 0


def cmd_demo(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing import demo

    try:
        user = demo.create_demo_account(email=args.email, days=args.days, password=args.password)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    print(f"Demo account {user.email} is ready with {args.days} days of activity.")
    if args.password:
        print("Sign in with the password you gave.")
    return 0


# --- prospects, lead sources and income -----------------------------------------------------------

# The choices argparse offers, written out because the parser is built before Django is set up;
# a test keeps them equal to the models' choices.
STAGES = (
    "new", "contacted", "booked", "presented", "follow_up", "joined", "declined",
    "affiliate_offered", "affiliate_joined",
)  # fmt: skip
INCOME_KINDS = ("enrollment", "product", "affiliate", "other")


def _bad_input(error) -> CommandError:
    """A service's ValidationError as a usage error (exit status 2)."""
    return CommandError(" ".join(error.messages), status=2)


def _date_arg(text: str, flag: str, *, today: date) -> date:
    """A date typed on the command line: YYYY-MM-DD, today or tomorrow."""
    words = {"today": today, "tomorrow": today + timedelta(days=1)}
    if text.strip().lower() in words:
        return words[text.strip().lower()]
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"{flag} {text!r} is not a date; write YYYY-MM-DD, today or tomorrow.", status=2
        ) from None


def _local_today(user) -> date:
    from mainthing.routine.services import now_local_date

    return now_local_date(user, _now())


def _prospect_id(text: str) -> int | None:
    """12 or #12 as 12; anything else (a name) as None."""
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdigit() else None


def _prospect(user, text: str, *, queryset=None):
    """The user's prospect with the id typed as 12 or #12."""
    from mainthing.prospects.models import Prospect

    pk = _prospect_id(text or "")
    if pk is None:
        raise CommandError(f"{text!r} is not a prospect ID; write it like 12 or #12.", status=2)
    rows = Prospect.objects.select_related("source__category") if queryset is None else queryset
    prospect = rows.filter(user=user, pk=pk).first()
    if prospect is None:
        raise CommandError(f"You have no prospect #{pk}; see mainthing prospects list.")
    return prospect


def _prospect_by_name(user, text: str):
    """The prospect with this id (12, #12) or, failing that, the one prospect with exactly
    this name (any case). None when no single prospect has the name; the list of namesakes
    lets the caller say why."""
    from mainthing.prospects.models import Prospect

    if _prospect_id(text) is not None:
        return _prospect(user, text), []
    matches = list(
        Prospect.objects.filter(user=user, name__iexact=" ".join(text.split())).order_by("pk")[:5]
    )
    return (matches[0], []) if len(matches) == 1 else (None, matches)


def _source(user, key: str):
    from mainthing.prospects.models import LeadSource

    source = (
        LeadSource.objects.select_related("category").filter(user=user, key__iexact=key).first()
    )
    if source is None:
        keys = ", ".join(
            LeadSource.objects.filter(user=user, archived=False).values_list("key", flat=True)
        )
        raise CommandError(
            f"No lead source with the key {key!r}. Yours: {keys or 'none yet'} "
            "(mainthing sources list).",
            status=2,
        )
    return source


def _prospect_json(prospect, user) -> dict:
    from mainthing.core import timekit
    from mainthing.prospects import services

    region, tz = user.phone_region, timekit.zone(user.time_zone)
    return {
        "id": prospect.pk,
        "name": prospect.name,
        "email": prospect.email,
        "phone": prospect.phone,
        "phone_display": services.format_phone(prospect.phone, region),
        "social": prospect.social,
        "time_zone": prospect.time_zone,
        "stage": prospect.stage,
        "source": {"key": prospect.source.key, "label": prospect.source.label},
        "follow_up_on": prospect.follow_up_on.isoformat() if prospect.follow_up_on else None,
        "tags": prospect.tag_list,
        "notes": prospect.notes,
        "created_at": prospect.created_at.astimezone(tz).isoformat(),
        "last_contacted_at": (
            prospect.last_contacted_at.astimezone(tz).isoformat()
            if prospect.last_contacted_at
            else None
        ),
    }


def cmd_prospects(args) -> int:
    user = _user(args)
    if args.action == "add":
        return _prospects_add(user, args)
    if args.action == "show":
        return _prospects_show(user, args)
    return _prospects_list(user, args)


def _prospects_add(user, args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.prospects import services

    if not args.target:
        raise CommandError("Usage: mainthing prospects add NAME [--email …] [--phone …]", status=2)
    source = _source(user, args.source) if args.source else None
    follow_up = (
        _date_arg(args.follow_up, "--follow-up", today=_local_today(user))
        if args.follow_up
        else None
    )
    try:
        contact = services.clean_contact(
            user,
            name=args.target,
            email=args.email or "",
            phone=args.phone or "",
            social=args.social or "",
            time_zone=args.tz or "",
            tags=args.tags or "",
            notes=args.note or "",
        )
        prospect = services.add_prospect(
            user,
            contact,
            now=_now(),
            source=source,
            stage=args.stage or "new",
            follow_up_on=follow_up,
            allow_duplicate=args.allow_duplicate,
        )
    except services.DuplicateProspect as duplicate:
        lines = []
        for match in duplicate.matches:
            phone = services.format_phone(match.phone, user.phone_region)
            lines.append(
                f"#{match.pk} " + ", ".join(v for v in (match.name, match.email, phone) if v)
            )
        lines[-1] += " — merge with the web card or pass --allow-duplicate"
        if args.json:
            _print_json({"duplicates": [_prospect_json(p, user) for p in duplicate.matches]})
        raise CommandError("\n".join([str(duplicate), *lines])) from None
    except ValidationError as error:
        raise _bad_input(error) from None
    if args.json:
        _print_json(_prospect_json(prospect, user))
    else:
        print(f"Added #{prospect.pk} {prospect.name} ({prospect.source.label}).")
    return 0


def _prospects_list(user, args) -> int:
    from mainthing.prospects import queries, services

    if args.limit < 1:
        raise CommandError("--limit must be 1 or more.", status=2)
    # The web list's filters: --due means a follow-up date of today or earlier (a passed one
    # rolls forward to today, it never piles up as overdue).
    filters = queries.Filters(
        q=args.search or "",
        stage=args.stage or "",
        source_id=_source(user, args.source).pk if args.source else None,
        due=args.due,
        sort="follow_up" if args.due else queries.DEFAULT_SORT,
    )
    rows = queries.filtered(user, filters, today=_local_today(user))
    rows = queries.ordered(rows, filters.sort).select_related("source__category")
    prospects = list(rows[: args.limit])
    region = user.phone_region
    if args.json:
        _print_json([_prospect_json(p, user) for p in prospects])
        return 0
    if not prospects:
        print(
            "No prospects match."
            if filters.is_narrowed
            else "No prospects yet. Add one: mainthing prospects add NAME --email …"
        )
        return 0
    from rich.table import Table

    table = Table("ID", "Name", "Phone", "Stage", "Source", "Follow-up")
    for p in prospects:
        table.add_row(
            str(p.pk),
            p.name,
            services.format_phone(p.phone, region),
            p.get_stage_display(),
            p.source.label,
            p.follow_up_on.isoformat() if p.follow_up_on else "",
        )
    _console().print(table)
    return 0


def _prospects_show(user, args) -> int:
    from mainthing.core import timekit
    from mainthing.prospects import queries, services

    if not args.target:
        raise CommandError("Usage: mainthing prospects show ID", status=2)
    prospect = _prospect(user, args.target)
    tz = timekit.zone(user.time_zone)
    # The card's history (four queries, whatever its length), oldest first for a terminal.
    items = list(reversed(queries.timeline(prospect, tz=tz, limit=None).items))

    def when(item) -> str:
        if item.all_day:
            return timekit.local_date(item.at, tz).isoformat()
        return item.at.astimezone(tz).isoformat()

    if args.json:
        _print_json(
            {
                **_prospect_json(prospect, user),
                "timeline": [
                    {
                        "at": when(item),
                        "kind": item.kind,
                        "title": item.title,
                        "detail": item.detail,
                        "id": item.pk,
                    }
                    for item in items
                ],
            }
        )
        return 0
    console = _console()
    console.print(f"[bold]#{prospect.pk} {prospect.name}[/bold]", highlight=False)
    facts = [
        ("Stage", prospect.get_stage_display()),
        ("Source", prospect.source.label),
        ("Email", prospect.email),
        ("Phone", services.format_phone(prospect.phone, user.phone_region)),
        ("Social", prospect.social),
        ("Time zone", prospect.time_zone),
        ("Follow-up", prospect.follow_up_on.isoformat() if prospect.follow_up_on else ""),
        ("Tags", ", ".join(prospect.tag_list)),
    ]
    for label, value in facts:
        if value:
            console.print(f"{label + ':':<11}{value}", markup=False)
    if prospect.notes:
        console.print("Notes:", markup=False)
        console.print("  " + prospect.notes.replace("\n", "\n  "), markup=False)
    console.print("History:", markup=False)
    for item in items:
        stamp = when(item) if item.all_day else f"{item.at.astimezone(tz):%Y-%m-%d %H:%M}"
        detail = f": {item.detail}" if item.detail else ""
        console.print(f"  {stamp:<16}  {item.title}{detail}".replace("\n", " "), markup=False)
    return 0


def _money(amount) -> str:
    return f"{amount:,.2f}"


def cmd_sources(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.prospects import queries_money, services

    user = _user(args)
    if args.action == "add":
        if not args.category or not args.campaign:
            raise CommandError(
                'Usage: mainthing sources add CATEGORY CAMPAIGN, e.g. sources add "Forum posts"'
                ' "Signature on the MLM forum"',
                status=2,
            )
        category = _category(user, args.category)
        try:
            source = services.add_source(
                user, category=category, campaign=args.campaign, key=args.key or ""
            )
        except ValidationError as error:
            raise _bad_input(error) from None
        if args.json:
            _print_json(_source_json(source))
        else:
            print(
                f"Added {source.label} with the key {source.key}: "
                f"add ?src={source.key} to your booking link."
            )
        return 0
    rows = queries_money.sources(user)
    if args.json:
        _print_json([_source_json(s) for s in rows])
        return 0
    from rich.table import Table

    table = Table("Key", "Source", "Link", "Prospects", f"Spend ({user.currency})", "")
    for s in rows:
        table.add_row(
            s.key,
            s.label,
            "" if s.is_unknown else f"?src={s.key}",
            str(s.prospect_count),
            _money(s.spend_total) if s.spend_total else "",
            "archived" if s.archived else "",
        )
    _console().print(table)
    return 0


def _source_json(source) -> dict:
    return {
        "id": source.pk,
        "key": source.key,
        "category": source.category.name if source.category_id else None,
        "campaign": source.campaign,
        "label": source.label,
        "archived": source.archived,
        "prospects": getattr(source, "prospect_count", 0),
        "spend": str(getattr(source, "spend_total", "0.00")),
    }


def _income_json(income) -> dict:
    return {
        "id": income.pk,
        "date": income.date.isoformat(),
        "amount": str(income.amount),
        "currency": income.currency,
        "kind": income.kind,
        "prospect": (
            {"id": income.prospect_id, "name": income.prospect.name} if income.prospect_id else None
        ),
        "note": income.note,
    }


def cmd_income(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.prospects import queries_money, services
    from mainthing.prospects.models import Income

    user = _user(args)
    if args.action == "add":
        if not args.amount:
            raise CommandError("Usage: mainthing income add AMOUNT [--kind …] [--date …]", status=2)
        today = _local_today(user)
        on = _date_arg(args.date, "--date", today=today) if args.date else today
        prospect = _prospect(user, args.prospect) if args.prospect else None
        try:
            income = services.add_income(
                user,
                on=on,
                amount=args.amount,
                kind=args.kind,
                prospect=prospect,
                note=args.note or "",
            )
        except ValidationError as error:
            raise _bad_input(error) from None
        if args.json:
            _print_json(_income_json(income))
        else:
            whose = f" from {prospect.name}" if prospect else ""
            print(
                f"Recorded {_money(income.amount)} {income.currency} "
                f"{income.get_kind_display().lower()} income{whose} on {income.date}."
            )
        return 0
    entries = list(
        Income.objects.filter(user=user).select_related("prospect").order_by("-date", "-pk")
    )
    if args.json:
        _print_json(
            {
                "entries": [_income_json(i) for i in entries],
                "totals": {
                    currency: str(total)
                    for currency, total in queries_money.currency_totals(entries)
                },
            }
        )
        return 0
    if not entries:
        print("No income yet. Record some: mainthing income add 150 --kind enrollment")
        return 0
    from rich.table import Table

    table = Table("ID", "Date", "Kind", "Amount", "Prospect", "Note")
    for i in entries:
        table.add_row(
            str(i.pk),
            i.date.isoformat(),
            i.get_kind_display(),
            f"{_money(i.amount)} {i.currency}",
            f"#{i.prospect_id} {i.prospect.name}" if i.prospect_id else "",
            i.note,
        )
    table.add_section()
    for kind, currency, total in queries_money.kind_totals(entries):
        table.add_row("", "", kind, f"{_money(total)} {currency}", "", "")
    for currency, total in queries_money.currency_totals(entries):
        table.add_row("", "total", "", f"{_money(total)} {currency}", "", "")
    _console().print(table)
    return 0


# --- parsing -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mainthing",
        description="Mainthing: keep talking to prospects the main thing.",
    )
    parser.add_argument(
        "--user", metavar="EMAIL", help="act as this user (needed when there are several)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func: Callable, help_text: str, *, json_flag: bool = False):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func)
        if json_flag:
            sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
        return sub

    sub = add("serve", cmd_serve, "serve the web app with a production server and the task worker")
    sub.add_argument("--host", default="127.0.0.1")
    sub.add_argument("--port", type=int, default=None, help="default: MAINTHING_PORT or 8000")
    sub.add_argument("--workers", type=int, default=2)
    sub = add("worker", cmd_worker, "run the background task worker (emails, imports)")
    sub.add_argument("--interval", type=float, default=1.0, help="seconds between queue polls")
    sub.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    sub.add_argument("--worker-class", default="rq.Worker", help=argparse.SUPPRESS)
    sub = add("manage", cmd_manage, "run a Django management command (migrate, collectstatic, ...)")
    sub.add_argument("rest", nargs=argparse.REMAINDER)

    sub = add("createuser", cmd_createuser, "create an account (password from a prompt or stdin)")
    sub.add_argument("email")
    sub.add_argument("--tz", help="IANA time zone (default: the machine's)")
    sub.add_argument("--name")
    sub.add_argument("--password-stdin", action="store_true", help="read the password from stdin")

    sub = add(
        "start", cmd_start, "start a timer on a category (stops the running one)", json_flag=True
    )
    sub.add_argument("category")
    sub.add_argument("--note")
    sub.add_argument(
        "--prospect",
        metavar="ID",
        help="the prospect the time is for: 12 or #12 (a name that fits one prospect works too)",
    )
    sub.add_argument(
        "--yes",
        action="store_true",
        help="start busy work in prospecting time without asking (recorded as an override)",
    )
    add("stop", cmd_stop, "stop the running timer", json_flag=True)
    add(
        "status",
        cmd_status,
        "the running timer, prospecting time and the IGA question",
        json_flag=True,
    )
    sub = add(
        "log", cmd_log, "log finished work, e.g. log 'Forum posts' 45m --at 09:00", json_flag=True
    )
    sub.add_argument("category")
    sub.add_argument("duration", help="45m, 1h30m, 1.5h, 1:30 or minutes")
    sub.add_argument(
        "--at", help="start: HH:MM today, 'YYYY-MM-DD HH:MM' or ISO 8601 (default: ends now)"
    )
    sub.add_argument("--note")
    sub.add_argument(
        "--allow-overlap", action="store_true", help="save even if it overlaps other entries"
    )
    add(
        "today",
        cmd_today,
        "today's entries, IGA minutes against the goal and the tier split",
        json_flag=True,
    )
    sub = add(
        "book",
        cmd_book,
        "book a call with a prospect, e.g. book Ann '2026-12-01 19:00'",
        json_flag=True,
    )
    sub.add_argument(
        "prospect",
        help="a prospect ID (12 or #12) or a name; a name that is nobody's yet adds a prospect",
    )
    sub.add_argument("when", help="HH:MM today, 'YYYY-MM-DD HH:MM' or ISO 8601")
    sub.add_argument("--minutes", type=int, default=30, help="15 to 120 (default 30)")
    sub.add_argument("--note")
    sub.add_argument(
        "--yes", action="store_true", help="book outside prospecting time without asking"
    )
    sub = add(
        "prospects",
        cmd_prospects,
        "add, list or show prospects, e.g. prospects add 'Ann Lee' --email ann@example.com",
        json_flag=True,
    )
    sub.add_argument(
        "action", choices=["list", "add", "show"], nargs="?", default="list", help="default: list"
    )
    sub.add_argument("target", nargs="?", help="add: the prospect's name; show: the ID (12 or #12)")
    sub.add_argument("--email", help="add: email address")
    sub.add_argument("--phone", help="add: phone; without a country code it is read in your region")
    sub.add_argument("--social", help="add: social handle")
    sub.add_argument("--source", metavar="KEY", help="add, list: the lead source's key")
    sub.add_argument("--tz", metavar="ZONE", help="add: the prospect's IANA time zone")
    sub.add_argument(
        "--stage",
        choices=STAGES,
        metavar="STAGE",
        help=f"add: the stage (default new); list: only this stage. One of {', '.join(STAGES)}",
    )
    sub.add_argument(
        "--follow-up", metavar="DATE", help="add: next follow-up, YYYY-MM-DD, today or tomorrow"
    )
    sub.add_argument("--tags", help="add: comma-separated tags, e.g. warm,spouse")
    sub.add_argument("--note", help="add: notes about the prospect")
    sub.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="add: add even when a prospect has the same email or phone",
    )
    sub.add_argument(
        "--due", action="store_true", help="list: follow-ups due today (passed ones roll to today)"
    )
    sub.add_argument("--search", metavar="TEXT", help="list: name, email or phone")
    sub.add_argument(
        "--limit", type=int, default=50, metavar="N", help="list: at most N (default 50)"
    )
    sub = add(
        "sources",
        cmd_sources,
        "list or add lead sources (a lead-gen category plus a campaign, with a link key)",
        json_flag=True,
    )
    sub.add_argument(
        "action", choices=["list", "add"], nargs="?", default="list", help="default: list"
    )
    sub.add_argument("category", nargs="?", help="add: a lead-gen category, e.g. 'Forum posts'")
    sub.add_argument("campaign", nargs="?", help="add: e.g. 'Signature on the MLM forum'")
    sub.add_argument(
        "--key", help="add: the ?src= key for booking links (default: made from the campaign)"
    )
    sub = add(
        "income",
        cmd_income,
        "record or list income, e.g. income add 150 --kind enrollment --prospect 12",
        json_flag=True,
    )
    sub.add_argument(
        "action", choices=["list", "add"], nargs="?", default="list", help="default: list"
    )
    sub.add_argument("amount", nargs="?", help="add: the amount, in your profile's currency")
    sub.add_argument("--kind", choices=INCOME_KINDS, default="other", help="add (default other)")
    sub.add_argument("--date", help="add: YYYY-MM-DD, today or tomorrow (default today)")
    sub.add_argument("--prospect", metavar="ID", help="add: the prospect it came from (12 or #12)")
    sub.add_argument("--note", help="add: what it was for")
    sub = add("agenda", cmd_agenda, "blocks and appointments of the coming days", json_flag=True)
    sub.add_argument("--days", type=int, default=1, help="how many days, from today (default 1)")
    sub = add("routine", cmd_routine, "list, add or remove weekly blocks", json_flag=True)
    sub.add_argument(
        "action", choices=["list", "add", "remove", "template"], nargs="?", default="list"
    )
    sub.add_argument("tier", nargs="?", help="add: income, leadgen or other; remove: the block ID")
    sub.add_argument("spec", nargs="?", help='add: days and hours, e.g. "Mon-Sat 19:00-21:00"')
    sub.add_argument("--tz", help="IANA time zone of the block (default: yours)")
    sub.add_argument("--label")
    sub = add(
        "report", cmd_report, "time per tier and category (all time by default)", json_flag=True
    )
    sub.add_argument("--from", dest="from_", metavar="DATE")
    sub.add_argument("--to", metavar="DATE")
    sub.add_argument("--week", action="store_true", help="this week, Monday to Sunday")
    sub.add_argument("--csv", action="store_true", help="print CSV")

    sub = add(
        "import",
        cmd_import,
        "import leads (CSV) or activities (Mainthing CSV, Watson or Toggl)",
        json_flag=True,
    )
    sub.add_argument("kind", choices=["activities", "leads"])
    sub.add_argument("file")
    sub.add_argument("--format", choices=["csv", "watson", "toggl"], default="csv")
    sub.add_argument(
        "--tier",
        choices=["income", "leadgen", "other"],
        help="tier for categories the file names that you don't have yet",
    )
    sub.add_argument("--mapping", help="CSV file of category,tier for new categories")
    sub.add_argument(
        "--source", metavar="KEY", help="leads: source of rows that name none (default: Unknown)"
    )
    sub.add_argument(
        "--map",
        metavar="'HEADER=FIELD,...'",
        help="leads: which column feeds which field, over the remembered or guessed mapping",
    )
    header = sub.add_mutually_exclusive_group()
    header.add_argument(
        "--header",
        dest="header",
        action="store_true",
        default=None,
        help="leads: the first row holds column names (default: worked out from the file)",
    )
    header.add_argument(
        "--no-header",
        dest="header",
        action="store_false",
        default=None,
        help="leads: the first row is data, like the rest",
    )
    sub = add("export", cmd_export, "write all of a user's data to a versioned JSON file")
    sub.add_argument("file")
    sub = add("restore", cmd_restore, "load an export file into an empty account")
    sub.add_argument("file")
    sub = add("backup", cmd_backup, "write a consistent copy of the whole database into DIR")
    sub.add_argument("dir")
    sub = add("demo", cmd_demo, "create a demo account with realistic activity")
    sub.add_argument("--email", default="demo@mainthing.local")
    sub.add_argument("--days", type=int, default=60)
    sub.add_argument("--password", help="password for the demo account (default: none, CLI only)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "json"):
        args.json = False
    _setup_django()
    try:
        return args.func(args) or 0
    except CommandError as error:
        print(f"mainthing: {error}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
