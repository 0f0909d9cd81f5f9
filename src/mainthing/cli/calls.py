"""`mainthing next` and `mainthing outcome`: the call queue from a terminal.

`next` prints who to call now and why, with their number, their local time, what came of the
last call and the script for their stage; `--call` also starts the call timer on them.
`outcome` records what came of the call, exactly as the queue's buttons do (calls.services).
"""

from __future__ import annotations

from mainthing.cli.common import (
    CommandError,
    acting_user,
    date_arg,
    local_today,
    print_json,
    prospect_by_name,
    rich_console,
    utc_now,
)

OUTCOMES = ("talked", "no-answer", "message", "booked", "declined")
# How many free times `outcome … booked` without --at lists.
FREE_TIMES_SHOWN = 8


def _prospect(user, text: str):
    """The prospect an ID (12, #12) or a whole name that only one prospect has means."""
    prospect, namesakes = prospect_by_name(user, text)
    if prospect is not None:
        return prospect
    if namesakes:
        ids = ", ".join(f"#{p.pk}" for p in namesakes)
        raise CommandError(
            f"Several prospects are called “{' '.join(text.split())}” ({ids}); give the ID.",
            status=2,
        )
    raise CommandError(
        f"No prospect is called “{' '.join(text.split())}”; give their ID (mainthing next shows "
        "it).",
        status=2,
    )


def next_(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.calls import queries, services

    user = acting_user(args)
    now = utc_now()
    card = queries.next_card(user, now=now)
    if card is not None and args.call:
        try:
            services.start_call(user, card.item.prospect, now=now)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
    if args.json:
        from mainthing.calls.schemas import CardSchema

        print_json(CardSchema.of(card).model_dump(mode="json") if card else None)
        return 0
    if card is None:
        print(
            "Nobody is due a call now: no booked call, follow-up or new lead is waiting. "
            "Add or import prospects (mainthing prospects add, mainthing import leads)."
        )
        return 0
    prospect = card.item.prospect
    console = rich_console()
    console.print(f"[bold]#{prospect.pk} {prospect.name}[/bold]", highlight=False)
    their = ""
    if card.local_time is not None:
        their = f"{card.local_time:%H:%M} {prospect.time_zone}"
        if card.odd_hour:
            their += " (outside 09:00-21:00 for them)"
    facts = [
        ("Why", card.item.reason),
        ("Phone", card.phone_display),
        ("Email", prospect.email),
        ("Their time", their),
        ("Stage", prospect.get_stage_display()),
        ("Source", prospect.source.label),
        ("Last call", card.last_outcome),
        ("Last note", " ".join(card.last_note.split())),
    ]
    for label, value in facts:
        if value:
            console.print(f"{label + ':':<12}{value}", markup=False)
    if card.script:
        console.print("Script:", markup=False)
        console.print("  " + card.script.strip().replace("\n", "\n  "), markup=False)
    if args.call:
        console.print("The call timer is running.", markup=False)
    console.print(f"Then: mainthing outcome {prospect.pk} {'|'.join(OUTCOMES)}", markup=False)
    return 0


def _free_times(user, now, tz) -> str:
    from mainthing.bookings import queries as booking_queries

    starts = booking_queries.free_starts_ahead(user, now=now)[:FREE_TIMES_SHOWN]
    if not starts:
        return "There is no free time in your prospecting blocks in the coming days."
    return "Free times: " + ", ".join(f"'{s.astimezone(tz):%Y-%m-%d %H:%M}'" for s in starts)


def outcome(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.bookings import services as booking_services
    from mainthing.calls import queries, services
    from mainthing.core import timekit

    user = acting_user(args)
    prospect = _prospect(user, args.prospect)
    tz = timekit.zone(user.time_zone)
    now = utc_now()
    word = args.outcome
    follow_up = (
        date_arg(args.follow_up, "--follow-up", today=local_today(user)) if args.follow_up else None
    )
    book_at = None
    if args.at:
        try:
            book_at = timekit.parse_local_datetime(args.at, tz, now=now)
        except ValueError as error:
            raise CommandError(str(error), status=2) from None
    if word == "booked" and book_at is None:
        raise CommandError(
            f"Say when with --at 'YYYY-MM-DD HH:MM'. {_free_times(user, now, tz)}", status=2
        )
    if word not in ("talked", "booked") and (book_at or follow_up or args.stage):
        raise CommandError(
            "--at, --follow-up and --stage go with talked (and --at with booked).", status=2
        )
    if args.affiliate and word != "declined":
        raise CommandError("--affiliate goes with declined.", status=2)
    try:
        result = services.record_outcome(
            user,
            prospect,
            word,
            now=now,
            stage=args.stage,
            note=args.note or "",
            follow_up_on=follow_up,
            book_at=book_at,
            minutes=args.minutes,
            offer_affiliate=args.affiliate,
        )
    except booking_services.OutsideProspecting:
        raise CommandError(
            "That time is outside your prospecting blocks; calls are booked inside them. "
            + _free_times(user, now, tz)
        ) from None
    except booking_services.SlotTaken as taken:
        raise CommandError(f"{taken} {_free_times(user, now, tz)}") from None
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    prospect.refresh_from_db()
    tally = queries.tally(result.attempt.session, now=now)
    appointment = result.appointment
    if args.json:
        from mainthing.calls.schemas import OutcomeSchema, TallySchema

        print_json(
            OutcomeSchema(
                prospect_id=prospect.pk,
                outcome=str(result.attempt.outcome),
                stage=str(prospect.stage),
                follow_up_on=prospect.follow_up_on.isoformat() if prospect.follow_up_on else None,
                appointment_id=appointment.pk if appointment else None,
                appointment_start=appointment.start.astimezone(tz) if appointment else None,
                session=TallySchema.of(tally),
            ).model_dump(mode="json")
        )
        return 0
    said = [f"{result.attempt.get_outcome_display()}: {prospect.name} is now "
            f"{prospect.get_stage_display()}."]  # fmt: skip
    if appointment is not None:
        said.append(
            f"Call booked on {appointment.start.astimezone(tz):%a %d %b %Y at %H:%M} for "
            f"{appointment.minutes} min ({user.time_zone})."
        )
    if prospect.follow_up_on:
        said.append(f"Follow-up on {prospect.follow_up_on:%a %d %b}.")
    print(" ".join(said))
    conversations = "conversation" if tally.conversations == 1 else "conversations"
    print(
        f"This session: {tally.dials} dial{'s' if tally.dials != 1 else ''}, "
        f"{tally.conversations} {conversations}, {tally.bookings} booked, "
        f"{tally.minutes} min. Next: mainthing next"
    )
    return 0
