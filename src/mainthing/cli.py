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
    """A message for the user; the CLI prints it and exits with status 1."""


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
    try:
        entry = services.start_timer(
            user,
            category,
            now=_now(),
            note=args.note or "",
            prospect_name=args.prospect or "",
            override=override,
        )
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
        entry = services.start_timer(
            user,
            category,
            now=_now(),
            note=args.note or "",
            prospect_name=args.prospect or "",
            override=override,
        )
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    tz = timekit.zone(user.time_zone)
    if args.json:
        _print_json(_entry_json(entry, tz))
    else:
        print(f"Started {entry.category.name} at {entry.start.astimezone(tz):%H:%M}.")
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

    user = _user(args)
    now = _now()
    tz = timekit.zone(user.time_zone)
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
        "prospecting_now": services.is_prospecting_time(user, now),
        "current_block": _current_block_json(user, now, tz),
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


def _current_block_json(user, now, tz) -> dict | None:
    from mainthing.routine import queries as routine_queries

    block = routine_queries.current_block(user, now)
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
    options = {
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
        _print_json(_appointment_json(appointment, tz))
    else:
        print(
            f"Booked {appointment.prospect_name} on {local:%a %d %b %Y at %H:%M}"
            f" for {appointment.minutes} min ({user.time_zone})."
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
    specs = routine_queries.specs(user)  # read once, not once per day
    days = []
    for offset in range(args.days):
        day = today + timedelta(days=offset)
        items = queries.agenda_day(user, day, specs=specs)
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

    user = _user(args)
    if args.kind != "activities":
        raise CommandError(
            "Lead import arrives with the prospects app; only 'activities' works now."
        )
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
    sub.add_argument("--prospect", help="the prospect's name")
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
    sub.add_argument("prospect", help="the prospect's name")
    sub.add_argument("when", help="HH:MM today, 'YYYY-MM-DD HH:MM' or ISO 8601")
    sub.add_argument("--minutes", type=int, default=30, help="15 to 120 (default 30)")
    sub.add_argument("--note")
    sub.add_argument(
        "--yes", action="store_true", help="book outside prospecting time without asking"
    )
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
        "import activities from Mainthing CSV, Watson or Toggl",
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
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
