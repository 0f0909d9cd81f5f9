"""`mainthing book` and `agenda`."""

from __future__ import annotations

import sys
from datetime import timedelta

from mainthing.cli.common import (
    CommandError,
    acting_user,
    ask,
    interactive,
    print_json,
    prospect_by_id,
    prospect_id,
    rich_console,
    utc_now,
)


def prospect_to_book(user, text: str):
    """The prospect `mainthing book TEXT` means, or None for a new one; several that fit stop
    the command with their list, so a second prospect is never made by accident."""
    from mainthing.prospects import queries as prospect_queries
    from mainthing.prospects.models import Stage
    from mainthing.prospects.services import format_phone

    if prospect_id(text) is not None:
        return prospect_by_id(user, text)
    fits = prospect_queries.namesakes(user, text, limit=10)
    if len(fits) == 1:
        return fits[0]
    if fits:
        lines = [
            "  ".join(
                part
                for part in (
                    f"  #{p.pk}",
                    p.name,
                    p.email or format_phone(p.phone, user.phone_region),
                    f"({Stage(p.stage).label})",
                )
                if part
            )
            for p in fits
        ]
        raise CommandError(
            f"{len(fits)} prospects fit “{' '.join(text.split())}”:\n"
            + "\n".join(lines)
            + "\nBook one by its ID (mainthing book '#ID' WHEN), or add a new one with "
            "mainthing prospects add and book its ID; nothing was booked.",
            status=2,
        )
    return None


def book(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.bookings import services
    from mainthing.core import timekit

    user = acting_user(args)
    tz = timekit.zone(user.time_zone)
    now = utc_now()
    try:
        start = timekit.parse_local_datetime(args.when, tz, now=now)
    except ValueError as error:
        raise CommandError(str(error)) from None
    # An ID, or a name (or email, or phone) that fits exactly one prospect: that one. Several
    # fit: they are listed and nothing is booked. None: a new prospect (source Unknown) is
    # added in the booking's transaction.
    prospect = prospect_to_book(user, args.prospect)
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
            if not interactive():
                raise CommandError(f"{services.OUTSIDE_QUESTION} Add --yes to book it.") from None
            if ask(f"{services.OUTSIDE_QUESTION} [y/N] ") not in {"y", "yes"}:
                print("Nothing booked.")
                return 1
            appointment = services.book(user, allow_outside=True, **options)
    except services.SlotTaken as taken:
        raise CommandError(str(taken)) from None
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    local = appointment.start.astimezone(tz)
    if args.json:
        from mainthing.bookings.schemas import AppointmentSchema

        print_json(
            {
                **AppointmentSchema.of(appointment, tz).model_dump(mode="json"),
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
        print(
            f"Added {appointment.prospect_name} as prospect #{appointment.prospect_id} "
            "(source Unknown).",
            file=sys.stderr,
        )
    return 0


def agenda(args) -> int:
    from mainthing.bookings import queries
    from mainthing.core import timekit
    from mainthing.routine import queries as routine_queries

    user = acting_user(args)
    tz = timekit.zone(user.time_zone)
    if not 1 <= args.days <= 31:
        raise CommandError("--days must be from 1 to 31.")
    today = timekit.local_date(utc_now(), tz)
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
        print_json(
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
    console = rich_console()
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
