"""`mainthing routine`: the weekly blocks."""

from __future__ import annotations

from mainthing.cli.common import (
    CommandError,
    acting_user,
    paged,
    print_json,
    print_more,
    rich_console,
    utc_now,
)


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


def routine_add(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.routine import services

    user = acting_user(args)
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
            today=services.now_local_date(user, utc_now()),
        )
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    return _print_block(args, block, "Added")


def _print_block(args, block, done: str) -> int:
    """What `routine add` and `routine edit` print: the block, or its JSON."""
    if args.json:
        from mainthing.routine.schemas import BlockSchema

        print_json(BlockSchema.of(block))
    else:
        print(f"{done} block {block.pk}: {block} ({block.time_zone}).")
    return 0


def _own_block(user, block_id: str):
    from mainthing.routine.models import Block

    block = (
        Block.objects.filter(user=user, pk=int(block_id)).first() if block_id.isdigit() else None
    )
    if block is None:
        raise CommandError(f"You have no block {block_id!r}; see mainthing routine list.")
    return block


def routine_edit(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.routine import services

    user = acting_user(args)
    block = _own_block(user, args.id)
    changes: dict = {}
    if args.spec:
        changes["days"], changes["start"], changes["end"] = _parse_spec(args.spec)
    for name, key in (("tier", "tier"), ("tz", "zone"), ("label", "label")):
        if getattr(args, name) is not None:
            changes[key] = getattr(args, name)
    if not changes:
        raise CommandError('Say what to change: "DAYS HH:MM-HH:MM", --tier, --tz or --label.')
    try:
        services.update_block(block, **changes, today=services.now_local_date(user, utc_now()))
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    return _print_block(args, block, "Changed")


def routine_template(args) -> int:
    from mainthing.routine import services

    user = acting_user(args)
    made = services.apply_starter_template(user, today=services.now_local_date(user, utc_now()))
    print(f"Added {len(made)} block{'s' if len(made) != 1 else ''} of the starter routine.")
    return 0


def routine_remove(args) -> int:
    from mainthing.routine import services

    block = _own_block(acting_user(args), args.id)
    services.remove_block(block)
    print(f"Removed block {args.id}.")
    return 0


def routine_list(args) -> int:
    from mainthing.routine.models import Block

    user = acting_user(args)
    blocks, page = paged(args, Block.objects.filter(user=user).order_by("start", "pk"))
    if args.json:
        from mainthing.routine.schemas import BlockPage, BlockSchema

        print_json(BlockPage(items=[BlockSchema.of(b) for b in blocks], **page))
        return 0
    if not page["total"]:
        print('No blocks yet. Add one: mainthing routine add income "Mon-Sat 19:00-21:00"')
        return 0
    from rich.table import Table

    table = Table("ID", "Tier", "Days", "Hours", "Zone", "Label")
    for b in blocks:
        table.add_row(
            str(b.pk), b.tier, b.days_text, f"{b.start:%H:%M}-{b.end:%H:%M}", b.time_zone, b.label
        )
    rich_console().print(table)
    print_more(page)
    return 0
