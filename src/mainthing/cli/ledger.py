"""The ledger from a terminal: `start`, `stop`, `status`, `log`, `today` and `report` (whose
`--week`, the weekly review, lives with insights).

These are the daily commands, so their start-up is measured (bench/cli_startup.py): import
only what a command uses, inside it.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from mainthing.cli.common import (
    CommandError,
    acting_user,
    ask,
    category_by_name,
    interactive,
    parse_day,
    print_json,
    print_table,
    prospect_by_name,
    utc_now,
)


def _entry(entry, tz) -> dict:
    """The entry's JSON shape (activity/schemas.py), as a dict to add keys to."""
    from mainthing.activity.schemas import EntrySchema

    return EntrySchema.of(entry, tz).model_dump(mode="json")


def start(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.activity import services
    from mainthing.core import timekit

    user = acting_user(args)
    category = category_by_name(user, args.category)
    override = args.yes
    prospect, prospect_name = None, (args.prospect or "").strip()
    if prospect_name:
        prospect, _ = prospect_by_name(user, prospect_name)
        prospect_name = prospect.name if prospect else prospect_name

    def start_linked(category, override: bool):
        """Starts the timer, tied to the prospect when one was named (both or neither)."""
        options = {"now": utc_now(), "note": args.note or "", "override": override}
        if prospect is None:
            return services.start_timer(user, category, prospect_name=prospect_name, **options)
        # Imported only here: prospects' services load phonenumbers (~60 ms).
        from mainthing.prospects import services as prospect_services

        return prospect_services.start_prospect_timer(
            user, category, prospect=prospect, prospect_name=prospect_name, **options
        )

    try:
        entry = start_linked(category, override)
    except services.IgaQuestion as question:
        income = ", ".join(c.name for c in question.income_categories) or "none yet"
        if not interactive():
            raise CommandError(
                f"{services.IGA_QUESTION}\n{category.name} is busy work. Start an income category "
                f"instead ({income}), or add --yes to start it anyway."
            ) from None
        print(services.IGA_QUESTION)
        choices = {str(i): c for i, c in enumerate(question.income_categories, 1)}
        for key, option in choices.items():
            print(f"  {key}) switch to {option.name}")
        print(f"  a) start {category.name} anyway")
        answer = ask("Choose: ")
        if answer in choices:
            category, override = choices[answer], False
        elif answer != "a":
            print("Nothing started.")
            return 1
        else:
            override = True
        entry = start_linked(category, override)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    tz = timekit.zone(user.time_zone)
    if args.json:
        print_json({**_entry(entry, tz), "prospect": prospect.pk if prospect else None})
    else:
        whom = f" with #{prospect.pk} {prospect.name}" if prospect else ""
        print(f"Started {entry.category.name}{whom} at {entry.start.astimezone(tz):%H:%M}.")
    return 0


def stop(args) -> int:
    from mainthing.activity import services
    from mainthing.core import timekit

    user = acting_user(args)
    entry = services.stop_timer(user, now=utc_now())
    tz = timekit.zone(user.time_zone)
    if args.json:
        print_json(_entry(entry, tz) if entry else None)
    elif entry is None:
        print("No timer is running.")
    else:
        print(f"Stopped {entry.category.name}: {timekit.format_minutes(entry.seconds)}.")
    return 0


def status(args) -> int:
    from mainthing.activity import services
    from mainthing.core import timekit
    from mainthing.routine import queries as routine_queries

    user = acting_user(args)
    now = utc_now()
    tz = timekit.zone(user.time_zone)
    specs = routine_queries.specs(user)  # read once for the two questions about blocks
    running = services.running_entry(user)
    nudge = services.nudge_due(user, running, now)
    prospecting = services.is_prospecting_time(user, now, block_specs=specs)
    block = routine_queries.current_block(user, now, block_specs=specs)
    booking_url, taking_bookings = _booking_page(user)
    if args.json:
        running_data = None
        if running:
            elapsed = timekit.elapsed_seconds(running.start, now)
            running_data = {**_entry(running, tz), "elapsed_seconds": elapsed}
        print_json(
            {
                "user": user.email,
                "time_zone": user.time_zone,
                "now": now.astimezone(tz).isoformat(),
                "running": running_data,
                "prospecting_now": prospecting,
                "current_block": _current_block_json(block, tz),
                "booking_url": booking_url,
                "question": services.NUDGE_QUESTION if nudge else None,
            }
        )
        return 0
    if running:
        elapsed = timekit.format_minutes(timekit.elapsed_seconds(running.start, now))
        print(
            f"Running: {running.category.name} ({running.category.get_tier_display()})"
            f" for {elapsed}"
        )
    else:
        print("Nothing running.")
    if block:
        label = block.label or f"{block.tier} block"
        print(f"Block now: {label} until {block.end.astimezone(tz):%H:%M}.")
    if prospecting:
        print("It's your prospecting time.")
    if nudge:
        print(services.NUDGE_QUESTION)
    print(f"Booking page: {booking_url}{'' if taking_bookings else ' (switched off)'}")
    return 0


def _booking_page(user) -> tuple[str, bool]:
    """The user's public booking page: its address and whether it takes bookings."""
    from mainthing.bookings.links import booking_url
    from mainthing.bookings.models import BookingPage

    page = BookingPage.objects.filter(user=user).only("slug", "enabled").first()
    if page is None:
        # The page is made on first use, as on the web. bookings.public loads phonenumbers
        # (~60 ms of this daily command's start-up), so only then.
        from mainthing.bookings import public

        page = public.page_for(user)
    return booking_url(page), page.enabled


def _current_block_json(block, tz) -> dict | None:
    if block is None:
        return None
    return {
        "tier": block.tier,
        "label": block.label,
        "start": block.start.astimezone(tz).isoformat(),
        "end": block.end.astimezone(tz).isoformat(),
    }


def log(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.activity import services
    from mainthing.core import timekit

    user = acting_user(args)
    tz = timekit.zone(user.time_zone)
    category = category_by_name(user, args.category)
    now = utc_now()
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
        print_json(_entry(entry, tz))
    else:
        print(
            f"Logged {timekit.format_minutes(entry.seconds)} of {category.name} "
            f"from {entry.start.astimezone(tz):%Y-%m-%d %H:%M}."
        )
    return 0


def today(args) -> int:
    from mainthing.activity import queries, services
    from mainthing.core import timekit

    user = acting_user(args)
    tz = timekit.zone(user.time_zone)
    t = queries.today(user, now=utc_now())
    if args.json:
        print_json(
            {
                "day": t.day.isoformat(),
                "running": _entry(t.running, tz) if t.running else None,
                "iga_seconds": t.iga_seconds,
                "goal_seconds": t.goal_seconds,
                "conversations": t.conversations,
                "week_iga_seconds": t.week_iga_seconds,
                "tiers": {p["tier"]: p["seconds"] for p in t.split.parts()},
                "entries": [_entry(e, tz) for e in t.entries],
                "nudge": t.nudge,
            }
        )
        return 0
    print(f"{t.day:%A %d %B} ({user.time_zone})")
    if t.running:
        print(f"Running: {t.running.category.name} since {t.running.start.astimezone(tz):%H:%M}")
    print(
        f"IGA {timekit.format_minutes(t.iga_seconds)} of {timekit.format_minutes(t.goal_seconds)}"
        f" ({t.goal_percent}%) · conversations {t.conversations}/{user.goal_conversations}"
        f" · this week {timekit.format_minutes(t.week_iga_seconds)}"
    )
    rows = [
        [
            f"{e.start.astimezone(tz):%H:%M}-{e.end.astimezone(tz):%H:%M}",
            e.category.name,
            str(e.category.tier),
            timekit.format_minutes(e.seconds),
            e.note,
        ]
        for e in t.entries
    ]
    print_table(["When", "Category", "Tier", "Time", "Note"], rows)
    if t.nudge:
        print(services.NUDGE_QUESTION)
    return 0


def report(args) -> int:
    if args.week:
        from mainthing.cli.insights import weekly_review

        return weekly_review(args)
    from mainthing.activity import queries
    from mainthing.core import timekit

    user = acting_user(args)
    first, last = parse_day(args.from_), parse_day(args.to)
    if first and last and first > last:
        raise CommandError("--from must be on or before --to.")
    report = queries.report(user, first=first, last=last)
    if args.json:
        print_json(report.as_dict())
        return 0
    if args.csv:
        from mainthing.core import csvsafe

        writer = csvsafe.writer(sys.stdout)
        writer.writerow(["tier", "category", "seconds", "hours", "entries"])
        for row in report.rows:
            writer.writerow(
                [row.tier, row.category, row.seconds, f"{row.seconds / 3600:.2f}", row.entries]
            )
        return 0
    span = f"{first or 'the beginning'} to {last or 'today'}"
    rows: list[list[str] | None] = [
        [row.tier, row.category, timekit.format_minutes(row.seconds), str(row.entries)]
        for row in report.rows
    ]
    rows.append(None)
    rows += [[tier, "(all)", timekit.format_minutes(s), ""] for tier, s in report.tiers.items()]
    rows.append(["total", "", timekit.format_minutes(report.total), ""])
    print_table(["Tier", "Category", "Time", "Entries"], rows, title=f"Report: {span}")
    return 0
